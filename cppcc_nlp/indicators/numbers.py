"""Numbers as Chinese reports write them: full-width digits, Chinese numerals, 万/亿/万亿 scales, ranges.

:func:`find_quantities` finds every number with its unit and qualifier in a text and returns
:class:`Quantity` spans whose offsets point into that text (full-width and half-width characters are
translated one for one, so offsets never move).

Examples
--------
>>> [(q.low, q.high, q.unit, q.qualifier) for q in find_quantities("国内生产总值增长６％－6.5％左右")]
[(6.0, 6.5, '%', '左右')]
>>> [(q.low, q.unit, q.qualifier) for q in find_quantities("城镇新增就业1100万人以上，共计捐款6万余元")]
[(1100.0, '万人', '以上'), (6.0, '万元', '余')]
>>> chinese_number("三十五"), chinese_number("两千零五"), chinese_number("1.5")
(35.0, 2005.0, 1.5)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

#: full-width digits and signs → ASCII, one character for one (offsets stay valid)
_WIDTH = dict(zip("０１２３４５６７８９．％－～，", "0123456789.%-~,"))
_FULL_WIDTH = re.compile(f"[{''.join(_WIDTH)}]")

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL = {"十": 10, "百": 100, "千": 1000}
_LARGE = {"万": 10_000, "亿": 100_000_000}

#: qualifiers as written → the normalised qualifier the results report
QUALIFIERS = {
    "左右": "左右",
    "以上": "以上",
    "以内": "以内",
    "以下": "以下",
    "之内": "以内",
    "多": "余",
    "余": "余",
    "约": "约",
    "大约": "约",
    "近": "约",
    "超过": "超过",
    "不低于": "以上",
    "不少于": "以上",
    "不超过": "以内",
    "不高于": "以内",
    "力争": "力争",
    "低于": "以下",
}
_PRE = ("不低于", "不少于", "不超过", "不高于", "超过", "大约", "约", "力争", "低于", "近")
SCALES = ("万亿", "亿", "万", "千")
#: units that a Chinese numeral may carry (两个确立, 一批 are not counts)
#: units always recognised (the indicator YAML adds its own)
BASE_UNITS = (
    "%",
    "个百分点",
    "百分点",
    "元",
    "美元",
    "人",
    "人次",
    "户",
    "吨",
    "斤",
    "件",
    "次",
    "篇",
    "期",
    "条",
    "名",
    "个",
    "项",
    "家",
    "所",
)
CN_UNITS = ("次", "件", "篇", "期", "名", "人次", "场", "家", "所", "人", "堂", "倍")


def to_halfwidth(text: str) -> str:
    """``text`` with full-width digits, ``．％－～，`` made ASCII, character for character."""
    # (a regex finds the few characters to change; str.translate looked up every character of the Chinese text:
    # a tenth of reading the indicators of a report, where every sentence is made half-width twice)
    return _FULL_WIDTH.sub(_half_width_of, text)


def _half_width_of(match: re.Match) -> str:
    return _WIDTH[match.group()]


def chinese_number(text: str) -> float:
    """The value of an Arabic or Chinese numeral: ``"三十五"`` → 35.0, ``"一万二千"`` → 12000.0.

    Raises ``ValueError`` for a string that is not a numeral.
    """
    text = to_halfwidth(text.strip())
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    if not text or any(c not in _DIGITS and c not in _SMALL and c not in _LARGE for c in text):
        raise ValueError(f"not a numeral: {text!r}")
    total, section, digit = 0, 0, None
    for c in text:
        if c in _DIGITS:
            digit = _DIGITS[c] if digit is None else digit * 10 + _DIGITS[c]  # 二〇二五 read digit by digit
        elif c in _SMALL:
            section += (1 if digit is None else digit) * _SMALL[c]
            digit = None
        else:
            total = (total + section + (digit or 0)) * _LARGE[c]
            section, digit = 0, None
    return float(total + section + (digit or 0))


@dataclass(frozen=True)
class Quantity:
    """One number (or range) with its unit, as found in a text.

    Attributes
    ----------
    start, end : offsets of the number through its unit and trailing qualifier.
    num_start : offset of the first digit (``start`` includes a leading qualifier such as 约).
    low, high : the value, or the two ends of a range (``6%－6.5%`` → 6.0, 6.5); equal for one number.
    unit : the unit with its scale as written (``%``, ``万人``, ``万亿元``, ``个百分点``, ``件``), "" if none.
    qualifier : the normalised qualifier (see :data:`QUALIFIERS`), "" if none.
    baseline : the number is the starting point of a change (``从2.1%提高到2.3%``: 2.1).
    """

    start: int
    end: int
    num_start: int
    low: float
    high: float
    unit: str
    qualifier: str
    baseline: bool = False


def _unit_pattern(units: Iterable[str]) -> str:
    alts = sorted(set(units), key=lambda u: (-len(u), u))
    return "|".join(re.escape(u) for u in alts)


_CACHE: dict[tuple, re.Pattern] = {}


def _pattern(units: tuple[str, ...]) -> re.Pattern:
    if units not in _CACHE:
        u = _unit_pattern(units)
        num = r"\d+(?:\.\d+)?"
        _CACHE[units] = re.compile(
            rf"(?P<a>{num})\s*(?P<aunit>%)?\s*(?:[-—–~至]\s*(?P<b>{num}))?\s*"
            rf"(?P<scale>万亿|亿|万|千)?\s*(?P<more>余|多)?\s*(?P<unit>{u})?(?P<post>左右|以上|以内|以下|之内)?"
        )
    return _CACHE[units]


@lru_cache(maxsize=16)
def _with_base_units(units: tuple[str, ...]) -> tuple[str, ...]:
    """``units`` and :data:`BASE_UNITS`, sorted (worked out once per set of units, not once per sentence)."""
    return tuple(sorted(set(units) | set(BASE_UNITS)))


def _cn_pattern() -> re.Pattern:
    key = ("__cn__",)
    if key not in _CACHE:
        u = _unit_pattern(CN_UNITS)
        _CACHE[key] = re.compile(
            rf"(?P<a>[零〇一二两三四五六七八九十百千]+)(?P<scale>万|亿)?(?P<more>余|多)?"
            rf"(?P<unit>{u})(?P<post>左右|以上|以内|以下)?"
        )
    return _CACHE[key]


def _prefix_qualifier(text: str, start: int) -> tuple[str, int]:
    """A qualifier written just before the number (约, 超过, 不低于 … within the 6 characters before)."""
    before = text[max(0, start - 6) : start]
    for word in _PRE:
        at = before.rfind(word)
        if at >= 0 and not re.search(r"\d", before[at:]):
            # 力争 may stand a few characters ahead (力争达到8%); the others touch the number or its verb
            if word == "力争" or len(before) - at - len(word) <= 2:
                return QUALIFIERS[word], start - (len(before) - at)
    return "", start


# (compiled once: find_quantities runs on every sentence of every report; it reads the half-width text, where
# ，and ；are , and ;).  从/由 must stand in the number's own clause; the change may follow a comma
# (由五十年代的50%左右，上升到80%)
_BASELINE_FROM = re.compile(r"[从由](?!于)(?:[^，,。；;、从由\d]|\d{4}年)*$")
_BASELINE_CHANGE = re.compile(r"[^。；;]{0,4}(?:提高|增加|上升|下降|降|减少|扩大|缩小|增长|提升|到|至)")
_CODE_BEFORE = re.compile(r"[A-Za-z.\d]")  # PM2.5, 5G, 3.5: not a number of its own
_LETTER = re.compile(r"[A-Za-z]")
_DATE_AFTER = re.compile(r"\s*[年月日号时届]")


def _is_baseline(text: str, num_start: int, end: int) -> bool:
    """``从2.1%提高到2.3%``, ``由…的1.4%提高到``: a number after 从/由 and before 到/至/提高/下降."""
    before = text[max(0, num_start - 12) : num_start]
    return bool(_BASELINE_FROM.search(before)) and bool(_BASELINE_CHANGE.match(text[end : end + 8]))


def find_quantities(text: str, *, units: Iterable[str] = ()) -> list[Quantity]:
    """Every number in ``text`` with its unit and qualifier, in text order.

    Years and dates (``2019年``, ``3月``), ordinals (``第3``) and codes (``5G``, ``PM2.5``) are not
    quantities.  ``units`` adds units to :data:`BASE_UNITS` (scales 万/亿/万亿 combine with them).
    """
    ascii_text = to_halfwidth(text)
    out: list[Quantity] = []
    for m in _pattern(_with_base_units(tuple(units))).finditer(ascii_text):
        s, e = m.start(), m.end()
        prev = ascii_text[s - 1 : s]
        nxt = ascii_text[m.end("a") : m.end("a") + 1] if m.group("b") is None and not m.group("unit") else ""
        after = ascii_text[e : e + 1]
        if _CODE_BEFORE.match(prev) or prev == "第" or _LETTER.match(after):
            continue
        unit = (m.group("scale") or "") + (m.group("unit") or "")
        if not unit and m.group("aunit"):
            unit = "%"
        tail = ascii_text[m.end("a") : m.end("a") + 2]
        if not m.group("unit") and _DATE_AFTER.match(tail if nxt == "" else nxt):
            continue
        if not m.group("unit") and not m.group("scale") and not m.group("aunit"):
            continue  # a bare number (an item number, a year) says nothing on its own
        unit = unit.replace("百分点", "个百分点").replace("个个", "个")
        low = float(m.group("a"))
        high = float(m.group("b")) if m.group("b") else low
        if high < low:
            continue
        post = m.group("post")
        qual = QUALIFIERS[post] if post else (QUALIFIERS[m.group("more")] if m.group("more") else "")
        start = s
        if not qual:
            qual, start = _prefix_qualifier(ascii_text, s)
        out.append(Quantity(start, e, s, low, high, unit, qual, _is_baseline(ascii_text, s, e)))
    taken = [(q.num_start, q.end) for q in out]
    for m in _cn_pattern().finditer(ascii_text):
        s, e = m.start(), m.end()
        a = m.group("a")
        if (
            a in ("一", "两", "二")
            and m.group("unit") in ("人", "名", "家", "所", "倍")
            or ascii_text[s - 1 : s] in "第十届"
        ):
            continue
        if re.match(r"(?:全会|会议|全体会议|常委会|主任会议)", ascii_text[e : e + 4]):
            continue  # 二十二次全会 is a session, not a count
        if any(ts < e and s < te for ts, te in taken):
            continue
        try:
            low = chinese_number(a)
        except ValueError:
            continue
        unit = (m.group("scale") or "") + m.group("unit")
        post = m.group("post")
        qual = QUALIFIERS[post] if post else (QUALIFIERS[m.group("more")] if m.group("more") else "")
        out.append(Quantity(s, e, s, low, low, unit, qual, False))
    return sorted(out, key=lambda q: q.num_start)
