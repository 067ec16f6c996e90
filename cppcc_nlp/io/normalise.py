"""Layout repair: raw report text → one paragraph per line, nothing lost but named clutter.

Three layouts are met in real files (see ``DOMAIN.md``) and detected from the text itself:

``wrapped``
    newspaper columns: hard line breaks every 12–16 characters, breaks inside words (``二十\\n\\n大精神``),
    blank lines from column and page breaks, a title block that may sit at the end;
``lines``
    one paragraph per line, with stray breaks (``政府工作报\\n告``, ``《\\n会计法\\n》``, ``PM\\n2.5``);
``spaced``
    few very long lines whose paragraphs are separated by runs of ASCII, ideographic or em spaces.

The output has one paragraph per line (``\\n`` between paragraphs), lines joined with no space (Chinese),
whitespace inside a paragraph dropped except one space between two ASCII letters or digits (``PM 2.5``).

**Invariant** (tested with hypothesis): the sequence of non-whitespace characters of the output equals that
of the input with the :class:`Removed` spans cut out.  Characters are never changed, added or reordered;
only whitespace and named clutter go.  Clutter removed:

``source-note``  a trailing ``（来源：解放日报）``;
``page-marker``  newspaper jump lines ``（上接第4版）`` / ``（下转第2版）``, or bare ``下转7版`` standing alone;
``web-clutter``  newspaper and web-page lines or fragments: ``来源：北京日报`` glued to a title or byline
                 (in the first or last 600 characters), ``时间：2026-02-02``, ``责任编辑：XX``, ``本报记者XX摄``,
                 ``【打印】``/``【关闭】``;
``wiki-markup``  MediaWiki debris in Wikisource copies: lines of ``'`` quotes and toolbar placeholders
                 (``粗体文字``) standing alone on a line.

Examples
--------
>>> from cppcc_nlp.io.normalise import normalise
>>> out = normalise("2024年，是全面贯彻落实党的二十\\n\\n大精神的关键之年。\\n\\n——坚持党的领导，\\n把牢方向。")
>>> print(out.text)
2024年，是全面贯彻落实党的二十大精神的关键之年。
——坚持党的领导，把牢方向。
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

LAYOUTS = ("wrapped", "lines", "spaced")

_WS = re.compile(r"\s+")
_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")
_OPENERS = "《（“‘「『〔【(〈［"
_CLOSERS = "》）”’」』〕】)〉］，、。；：！？…%．.,;:!?"
_TERMINAL = "。！？；：…!?;"
_QUOTE_CLOSE = "”’」』"
_CN_NUM = "一二三四五六七八九十"
_DIGIT = "0-9０-９"

#: a line that is a heading of its own (never continued by the next line, whatever the layout)
_STANDALONE = re.compile(
    rf"^(?:[{_DIGIT}]{{4}}\s*年\s*(?:工作回顾|工作安排|主要任务|工作任务|工作总体部署)"
    rf"|——\s*[{_DIGIT}]{{4}}\s*年\s*[{_DIGIT}]{{1,2}}\s*月\s*[{_DIGIT}]{{1,2}}\s*日.*会议上"
    r"|结束语|各位代表[：！:!]|（摘\s*要）|\(摘\s*要\))$"
)
#: a line that starts a heading or a lead item
_HEADING_START = re.compile(
    rf"^(?:[{_CN_NUM}]+、|（[{_CN_NUM}]+）|第[{_CN_NUM}]+部分|首先报告|——(?!—)\S|[{_DIGIT}]{{4}}\s*年.{{0,24}}"
    r"(?:回顾|安排|任务|部署|要求)$)"
)
#: a line that only introduces the next one (``一是`` / ``第一，`` / ``——``)
_ENUMERATOR = re.compile(
    rf"^(?:[{_CN_NUM}]+[是要]|第[{_CN_NUM}]+[，、]?|——|（[{_CN_NUM}{_DIGIT}]+）|[{_DIGIT}]+[.．、])$"
)

_SOURCE_NOTE = re.compile(r"[（(]\s*(?:来源|稿源|来\s*源|摘自|原载)\s*[:：]?[^（）()\n]{1,40}[）)]\s*\Z")
_PAGE_MARKER = re.compile(
    rf"[（(]\s*[上下]\s*[接转]\s*第?\s*[{_DIGIT}{_CN_NUM}]+\s*版\s*[）)]"
    rf"|(?:(?<=\s)|^)[上下][接转]第?[{_DIGIT}]+版(?=\s|$)"
)  # bare, standing between whitespace
_WIKI_LINE = re.compile(r"(?m)^[ \t\u3000]*(?:'{1,5}|粗体文字|斜体文字|内部链接|标题文字|链接标题)[ \t\r\u3000]*$")
_WIKI_TAIL = re.compile(r"(?m)(?<=[。！？”])'{1,5}[ \t\r]*$")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
#: newspaper and web-page clutter glued to titles and bylines or standing on its own line
_WEB_CLUTTER = re.compile(
    rf"(?<![（(资金])来源[:：][ \t\u3000]*[^\s，。、（）()0-9０-９]{{1,20}}?(?:日报|晚报|新闻(?:客户端|网)?|客户端|网|研究室|人民政府"
    rf"|(?=[{_DIGIT}])|(?=[\r\n]))"
    r"|(?m:^[ \t\u3000]*(?:发布)?时间[:：][ \t]*\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:[ \t]+\d{1,2}:\d{2}(?::\d{2})?)?"
    r"[ \t\u3000]*$)"
    r"|责任编辑[:：][ \t\u3000]*[\u4e00-\u9fff]{2,4}"
    r"|本报记者[ \t\u3000]*[\u4e00-\u9fff]{2,4}[ \t\u3000]*摄"
    r"|【(?:打印|关闭|关闭窗口|收藏|纠错|字号)】"
)
_SPACED_DIGITS = re.compile(r"(?<![\d.])\d(?: \d){2,}(?![\d.])")


@dataclass(frozen=True)
class Removed:
    """A span of clutter cut out of the input: ``input[start:end] == text``.

    Attributes
    ----------
    kind : str  ``source-note``, ``page-marker`` or ``wiki-markup``.
    text : str  the characters removed, as they stood.
    start, end : int  offsets into the text given to :func:`normalise`.
    line : int  1-based line number in that text.
    """

    kind: str
    text: str
    start: int
    end: int
    line: int


@dataclass
class Normalised:
    """The result of :func:`normalise`: ``text`` (one paragraph per line), ``removed`` clutter, ``layout``."""

    text: str
    removed: list[Removed] = field(default_factory=list)
    layout: str = "lines"

    @property
    def paragraphs(self) -> list[str]:
        return self.text.split("\n") if self.text else []


def normalise(text: str, *, layout: str | None = None) -> Normalised:
    """Repair the layout of a report's raw text.

    Parameters
    ----------
    text : str
        Raw text as read from the file (:func:`cppcc_nlp.io.reading.read_report`).
    layout : {"wrapped", "lines", "spaced"}, optional
        Force a layout instead of detecting it (:func:`detect_layout`).

    Returns
    -------
    Normalised
        ``text`` with one paragraph per line; ``removed`` lists the clutter cut out (with offsets into the
        input); ``layout`` the layout used.

    Examples
    --------
    >>> normalise("政府工作报\\n告\\n\\n各位代表：").text
    '政府工作报告\\n各位代表：'
    >>> r = normalise("……奋斗！ （来源：解放日报）")
    >>> r.text, r.removed[0].kind
    ('……奋斗！', 'source-note')
    """
    from cppcc_nlp.errors import ParameterError

    if not isinstance(text, str):
        raise ParameterError(f"normalise() takes the report's text as str, not {type(text).__name__}")
    if layout is not None and layout not in LAYOUTS:
        raise ParameterError(f"unknown layout {layout!r}: use one of {', '.join(LAYOUTS)} or None to detect it")
    removed = find_clutter(text)  # offsets into the text as given (line breaks \r\n, \r or \n)
    cleaned = _cut(text, removed)
    layout = layout or detect_layout(cleaned)
    if layout == "spaced":
        units = _split_spaced(cleaned)
        paragraphs = [_squeeze(u) for u in units]
    else:
        paragraphs = _join_lines(cleaned, wrapped=(layout == "wrapped"))
    paragraphs = [p for p in paragraphs if p]
    return Normalised(text="\n".join(paragraphs), removed=removed, layout=layout)


# -- clutter -----------------------------------------------------------------------------------------------


def find_clutter(text: str) -> list[Removed]:
    """The clutter spans of ``text`` (source note at the end, page markers, wiki debris), in text order."""
    spans = []
    for kind, pattern in (
        ("page-marker", _PAGE_MARKER),
        ("wiki-markup", _WIKI_LINE),
        ("wiki-markup", _WIKI_TAIL),
        ("web-clutter", _WEB_CLUTTER),
    ):
        for m in pattern.finditer(text):
            if kind == "web-clutter" and m.group().startswith("来源") and 600 < m.start() < len(text) - 600:
                continue  # a source line belongs to the title block or the end, not to the body
            s, e = _trim(text, m.start(), m.end())
            if e > s:
                spans.append((s, e, kind))
    m = _SOURCE_NOTE.search(text.rstrip())
    if m:
        s, e = _trim(text, m.start(), m.end())
        spans.append((s, e, "source-note"))
    spans.sort()
    out, last_end = [], -1
    for s, e, kind in spans:
        if s < last_end:  # overlapping matches: keep the first
            continue
        out.append(Removed(kind=kind, text=text[s:e], start=s, end=e, line=text.count("\n", 0, s) + 1))
        last_end = e
    return out


def _trim(text, s, e):
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _cut(text: str, removed: list[Removed]) -> str:
    if not removed:
        return text
    parts, pos = [], 0
    for r in removed:
        parts.append(text[pos : r.start])
        pos = r.end
    parts.append(text[pos:])
    return "".join(parts)


# -- layout detection --------------------------------------------------------------------------------------


def _width(line: str) -> float:
    """Display width in CJK cells, indentation included: ASCII characters and spaces count half."""
    line = line.rstrip()
    return len(line) - 0.5 * len(line.encode("ascii", "ignore"))  # (encoding keeps only the ASCII characters)


def detect_layout(text: str) -> str:
    """``wrapped``, ``lines`` or ``spaced``, from the shape of the lines.

    >>> detect_layout("一二三四五六七八九十一二三四\\n" * 30)
    'wrapped'
    """
    lines = [ln for ln in _LINE_BREAK.split(text) if ln.strip()]
    if not lines:
        return "lines"
    longest = max(len(ln) for ln in lines)
    if len(lines) <= 8 and longest > 1500:
        return "spaced"
    widths = sorted(_width(ln) for ln in lines)
    if len(widths) >= 10:
        median = statistics.median(widths)
        column = _column_width(widths)
        near = sum(1 for w in widths if column * 0.8 <= w <= column * 1.15) / len(widths)
        if median <= 40 and near >= 0.5:
            return "wrapped"
    return "lines"


def _column_width(widths: list[float]) -> float:
    ordered = sorted(widths)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.75))]


# -- joining lines -----------------------------------------------------------------------------------------


def _ends_terminal(line: str, wrapped: bool) -> bool:
    if not line:
        return False
    last = line[-1]
    if last in _TERMINAL:
        return True
    if last in _QUOTE_CLOSE:
        return wrapped or (len(line) > 1 and line[-2] in _TERMINAL)
    return False


def _join_lines(text: str, *, wrapped: bool) -> list[str]:
    lines = _LINE_BREAK.split(text)
    column = 0.0
    if wrapped:
        column = _column_width([_width(ln) for ln in lines if ln.strip()])
    paragraphs: list[str] = []
    current: list[str] = []
    prev = None  # previous non-empty line (stripped)
    prev_raw = None
    blank = False
    for raw in lines:
        line = raw.strip()
        if not line:
            blank = True
            continue
        if prev is not None and (
            _breaks(prev, prev_raw, line, raw, blank, wrapped, column)
            or (wrapped and _heading_then_item(current, line))
            or (blank and not wrapped and _heading_so_far(current))
        ):
            paragraphs.append(_squeeze("".join(_glue(current))))
            current = []
        current.append(line)
        prev, prev_raw, blank = line, raw, False
    if current:
        paragraphs.append(_squeeze("".join(_glue(current))))
    return paragraphs


def _glue(lines: list[str]) -> list[str]:
    """Lines of one paragraph, joined with no space: a break between two Latin letters in hard-wrapped Chinese
    text is inside a token (``“A\nB”角`` → ``“AB”角``), and Chinese needs no space."""
    return lines


_ITEM_START = re.compile(rf"^(?:——(?!—)|[{_CN_NUM}]+[是要]|（[{_CN_NUM}]+）|[{_CN_NUM}]+、)")


def _heading_then_item(current: list[str], line: str) -> bool:
    """A numbered heading (``一、…``, no full stop yet) ends where a lead item or another heading starts."""
    head = "".join(current)
    return (
        bool(re.match(rf"^(?:[{_CN_NUM}]+、|（[{_CN_NUM}]+）)", head))
        and "。" not in head
        and len(head) <= 60
        and bool(_ITEM_START.match(line))
    )


def _heading_so_far(current: list[str]) -> bool:
    """The lines joined so far make a numbered heading whose brackets are all closed (``三、关于《`` + title +
    ``》的说明``): a blank line after it ends it, so it is not glued to the paragraph that follows."""
    head = "".join(current)
    return (
        len(current) > 1
        and len(head) <= 60
        and "。" not in head
        and head[-1] not in "，、,"
        and bool(re.match(rf"^(?:[{_CN_NUM}]+、|（[{_CN_NUM}]+）|第[{_CN_NUM}]+部分)", head))
        and all(head.count(a) == head.count(b) for a, b in ("《》", "“”", "（）", "()"))
    )


def _breaks(prev: str, prev_raw: str, line: str, raw: str, blank: bool, wrapped: bool, column: float) -> bool:
    """Does a new paragraph start at ``line`` (``prev`` being the previous non-empty line)?"""
    if _STANDALONE.match(prev) or _STANDALONE.match(line):
        return True
    if prev[-1] in _OPENERS or line[0] in _CLOSERS:
        return False
    if _ENUMERATOR.match(prev):
        return False
    if prev[-1] in "，、,":  # a paragraph never ends on a comma
        return False
    if re.match(r"^[ \t]*[\u3000\u2003]|^[ \t]{2,}", raw):  # an indented first line
        return True
    if wrapped:
        if _width(prev_raw) > column * 1.3 or _width(raw) > column * 1.3:  # not part of the column
            return True
        if _width(prev_raw) < column * 0.7:  # the line stopped short
            return True
        if _ends_terminal(prev, True) and (blank or _HEADING_START.match(line)):
            return True
        if blank and re.match(rf"^(?:——(?!—)|[{_CN_NUM}]+、|（[{_CN_NUM}]+）)", line):
            return True
        return False
    if _ends_terminal(prev, False):
        return True
    if re.fullmatch(rf"[{_CN_NUM}]{{1,3}}", prev):  # a bare numeral heading line (一 / 二) in older reports
        return True
    if (_HEADING_START.match(prev) and "。" not in prev) or _HEADING_START.match(line):
        return True
    if prev[-1] in _QUOTE_CLOSE and blank:
        return True
    return False


# -- spaced layout -----------------------------------------------------------------------------------------

_RUN = re.compile(r"\s+")


def _split_spaced(text: str) -> list[str]:
    """Split long lines at the whitespace runs that separate paragraphs."""
    runs = [m for m in _RUN.finditer(text) if not _between_ascii(text, m)]
    single = sum(1 for m in runs if m.group() == " ")
    multi_dominant = single < len(runs) / 2
    units, pos = [], 0
    for m in runs:
        run = m.group()
        if "\n" in run or "\r" in run:
            is_sep = True
        elif multi_dominant:
            is_sep = len(run) >= 2
        else:
            is_sep = True
        if is_sep:
            units.append(text[pos : m.start()])
            pos = m.end()
    units.append(text[pos:])
    return [u for u in (x.strip() for x in units) if u]


def _between_ascii(text: str, m) -> bool:
    s, e = m.start(), m.end()
    return (
        s > 0
        and e < len(text)
        and _ASCII_ALNUM.match(text[s - 1]) is not None
        and _ASCII_ALNUM.match(text[e]) is not None
        and "\n" not in m.group()
    )


def _squeeze(paragraph: str) -> str:
    """Drop whitespace inside a paragraph, keeping one space between two ASCII letters or digits."""
    paragraph = paragraph.strip()

    def repl(m):
        s, e = m.start(), m.end()
        before, after = paragraph[s - 1], paragraph[e] if e < len(paragraph) else ""
        if before.isascii() and after.isascii() and before.isalnum() and after.isalnum():
            return " "
        return ""

    paragraph = _WS.sub(repl, paragraph)
    # digits spaced out one by one (1 9 9 3年): joined, so that a search for 1993年 finds them
    return _SPACED_DIGITS.sub(lambda m: m.group().replace(" ", ""), paragraph)
