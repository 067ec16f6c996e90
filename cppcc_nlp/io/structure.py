"""Normalised text → sections (with part and period), paragraphs and sentences, with ids and offsets.

Input is the output of :func:`cppcc_nlp.io.normalise.normalise`: one paragraph per line.  Headings are
recognised by their shape:

=========  =======================================================  ======================
kind       looks like                                                example
=========  =======================================================  ======================
part       a year and 回顾/安排/任务 with no numeral; 首先报告…; 结束语   ``2024年工作回顾``
numbered   ``一、`` or ``第一部分`` … (short, no full stop inside)      ``一、2018年工作回顾``
sub        ``（一）`` …, a whole line or run in before the first 。    ``（二）大力调整经济结构``
lead       ``——`` …, ``一是/一要`` …, ``第一，`` at a paragraph start   ``——坚持党的领导，…。``
title      the title block (title, ``——2024年12月25日在…会议上``,      at the start or the end
           speaker, ``（摘要）``) at the end of the text
=========  =======================================================  ======================

Each heading opens a section that runs to the next heading; ``depth`` is the rank of the heading's kind among
the kinds present in the document (1 = top).  A document with a single ``part`` heading (``首先报告2001年的工作``
followed by ``一、`` sections) ranks it with the numbered headings.  Text before the first heading is the
preamble ``s00``.

**Part and period.**  Each top-level section is classified by its heading: ``review`` (回顾, 总结, 过去…年,
首先报告, 一年来), ``plan`` (安排, 任务, 部署, 要求, 打算, 今年, 建议, 目标, 规划…), otherwise by a year written in it
(``一、2023年主要工作`` in a 2024 report: review; the delivery year or later: plan, the delivery year itself being
the review in a December report); a heading that says none of this (a bare ``一``, ``关于国内建设``) is read from its
text, paragraph by paragraph (:func:`_tense`); otherwise ``plan`` when it follows a review or plan section (the
numbered task chapters of a government report), else ``other``; the title block and the preamble are ``other``.
Spans (``period_start``/``period_end``) are described in :func:`_span_of`; a plan read from its text that opens with
a review spans both, and its opening paragraphs are ``review`` of their year.  Subsections inherit.  ``period`` is the year written in the top heading; failing that,
the reviewed year is the delivery year minus one (the delivery year itself for a report delivered in
December, as the sample is) and the planned year is the delivery year (plus one when delivered in December);
``other`` sections get the delivery year.  Headings are read in simplified characters (OpenCC ``t2s``, offset
for offset), so a traditional report not converted on reading (``2024年工作回顧``, ``工作報告``) gets the same
sections, parts and periods; ``heading`` and every offset still quote the text as it is.

Examples
--------
>>> s = parse_structure("2024年工作回顾\\n一年来成绩显著。\\n2025年工作安排\\n一要学习。二要落实。",
...                     doc_id="d", year=2024, month=12)
>>> [(x.section_id, x.part, x.period) for x in s.sections]
[('d/s01', 'review', 2024), ('d/s02', 'plan', 2025), ('d/s03', 'plan', 2025)]
>>> [x.text for x in s.sentences][-2:]
['一要学习。', '二要落实。']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cppcc_nlp._text import simplified_view

_CN = "一二三四五六七八九十"
_D = "0-9０-９"
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")

_PART = re.compile(rf"^(?:[{_D}]{{4}}\s*年.{{0,16}}(?:回顾|总结|安排|任务|部署|要求|打算)|首先报告.{{0,20}}|结束语)$")
_NUMBERED = re.compile(rf"^(?:[{_CN}]+、|第[{_CN}]+部分)\s*\S")
_SUB = re.compile(rf"^[（(][{_CN}]+[）)]\s*\S")
_LEAD = re.compile(rf"^(?:——(?!—)\S|[{_CN}]+[是要]\S|第[{_CN}]+[，、])")
_CN_DIGITS = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "Ｏ": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
#: a year written in digits, full-width digits or Chinese numerals (1957, １９８７, 一九五七, 二〇二四)
_Y = (
    rf"(?<![{_D}〇○零一二三四五六七八九])(?:(?:19|20|１９|２０)[{_D}]{{2}}|一九[〇○零Ｏ一二三四五六七八九]{{2}}"
    rf"|二[〇○零Ｏ][〇○零Ｏ一二三四五六七八九]{{2}})"
)
_YEAR = re.compile(rf"({_Y})\s*年")
_DATE_LINE = re.compile(rf"^——\s*[{_D}]{{4}}\s*年\s*[{_D}]{{1,2}}\s*月\s*[{_D}]{{1,2}}\s*日")

_REVIEW_WORDS = re.compile(r"回顾|总结|首先报告|过去.{0,3}年|去年工作|一年来|执行情况|成就|胜利|历史性转变")
_OTHER_WORDS = re.compile(r"外交|国际形势|霸权|世界和平")
_APPENDIX = re.compile(r"^(?:附件|附录|名词解释)")
_LIST_END = re.compile(r"[；;。]$")
_CLOSING = ("结束语", "结语")
#: a heading line without an ordinal: 关于外交工作, 结束语, 附件1, 名词解释, or any short line with no punctuation
_PLAIN_PUNCT = re.compile(r"[。；：！？!?;:，,]")
_BARE = re.compile(rf"^[{_CN}]{{1,3}}$")
_PLAN_NAME = re.compile(
    rf"(?:“([{_CN}]{{1,2}})五”|第([{_CN}]{{1,2}})个五年(?:计划|规划)|(?<![{_CN}])([{_CN}]{{1,2}})五(?:计划|规划|时期|期间))"
)
_RANGE = re.compile(rf"({_Y})\s*年?\s*(?:到|至|—|－|-|~|～)\s*({_Y})\s*年")
#: 从去年三月……到这次会议召开: a review reaching from a past year up to the report itself
_SINCE = re.compile(
    rf"从(去年|前年|{_Y}\s*年)[^。]{{0,40}}?(?:到|至)[^。]{{0,16}}?(?:现在|目前|今天|这次会议|本次会议)"
)
_PAST_N = re.compile(rf"过去(?:的)?([{_CN}两]|\d)年")
_NEXT_N = re.compile(rf"(?:今后|未来|从今年起(?:集中)?)([{_CN}两]|\d)年")
#: the tense of a paragraph: what was done (了, 已经, 取得, years past) against what is to be done (要, 必须, 争取)
_BODY_REVIEW = re.compile(r"一年来|过去|以来|已经|取得|完成了|实现了|胜利|成就|成绩|(?<![为除罢])了")
_BODY_PLAN = re.compile(r"今后|必须|将要|争取|应当|应该|(?<![需重主只])要(?![求素])|新的一年|努力")
#: the general line or task of an era (国家在过渡时期的总任务): doctrine, neither a review nor a plan of years
_GENERAL_LINE = re.compile(r"总任务|总路线")
#: the subject of the report in its opening (作关于第一个五年计划的报告)
_SUBJECT = re.compile(r"关于(.{2,80}?)的报告")
_PLAN_WORDS = re.compile(r"安排|任务|部署|要求|打算|今年|建议|目标|计划|规划|展望|今后|[年的]工作$")

_RANK = {"part": 1, "numbered": 2, "sub": 3, "lead": 4}
_SENTENCE = re.compile(r"[^。！？!?…]*?(?:[。！？!?]+|…{1,2}|……)[”’」』）)]*|[^。！？!?…]+$")


@dataclass
class Section:
    """One section: ``text[start:end]`` spans its paragraphs; ``heading`` is ``text[heading_start:heading_end]``."""

    doc_id: str
    section_id: str
    heading: str
    depth: int
    kind: str
    part: str
    period: int | None
    start: int
    end: int
    heading_start: int
    heading_end: int
    n_chars: int = 0
    period_start: int | None = None
    period_end: int | None = None


@dataclass
class Paragraph:
    """One paragraph (a line of the normalised text)."""

    doc_id: str
    para_id: str
    section_id: str
    part: str
    period: int | None
    start: int
    end: int
    text: str
    period_start: int | None = None
    period_end: int | None = None


@dataclass
class Sentence:
    """One sentence: split after 。！？ (with any closing quote), at the end of a paragraph otherwise."""

    doc_id: str
    para_id: str
    sent_id: str
    section_id: str
    part: str
    period: int | None
    start: int
    end: int
    text: str
    period_start: int | None = None
    period_end: int | None = None


@dataclass
class Structure:
    sections: list[Section]
    paragraphs: list[Paragraph]
    sentences: list[Sentence]


def _year_of(text: str) -> int | None:
    """The first year written in ``text`` (``2019年``, ``１９８７年``, ``一九五七年``)."""
    m = _YEAR.search(text)
    return _year_value(m.group(1)) if m else None


def _year_value(tok: str) -> int:
    """``1957`` / ``１９５７`` / ``一九五七`` → 1957."""
    tok = tok.translate(_FULLWIDTH)
    if not tok.isdigit():
        tok = "".join(str(_CN_DIGITS[c]) for c in tok)
    return int(tok)


def heading_kind(paragraph: str) -> tuple[str, int] | None:
    """The kind of heading a paragraph opens and the length of the heading, or ``None``.

    >>> heading_kind("一、把牢政治方向，在构建“同心政协”中夯实了思想基础")
    ('numbered', 26)
    >>> heading_kind("——坚持党的领导，把牢正确政治方向。把坚持党对政协工作的全面领导作为第一要求")
    ('lead', 18)
    """
    p = paragraph
    short = len(p) <= 60 and "。" not in p.rstrip("。")
    if len(p) <= 40 and _PART.match(p) and "。" not in p:
        return "part", len(p)
    if _NUMBERED.match(p) and short and not _LIST_END.search(p):
        return "numbered", len(p)
    if _SUB.match(p):
        return "sub", len(p) if short else _run_in(p)
    if _LEAD.match(p) and not _DATE_LINE.match(p):
        return "lead", len(p) if short else _run_in(p)
    return None


def _run_in(p: str) -> int:
    """Length of a run-in heading: up to and including the first 。 (or ：；), else the whole paragraph."""
    m = re.search(r"[。：；！？]", p)
    return m.end() if m else len(p)


def _title_block_start(paras: list[str]) -> int:
    """Index of the first paragraph of a trailing title block, ``len(paras)`` if none."""

    def is_title_line(p: str) -> bool:
        return bool(
            _DATE_LINE.match(p)
            or re.fullmatch(r"[（(]摘\s*要[）)]", p)
            or (len(p) <= 60 and "。" not in p and re.search(r"工作报告(?:[（(]摘\s*要[）)])?$", p))
            or re.fullmatch(r"[\u4e00-\u9fff·]{2,4}", p)
            or (
                len(p) <= 20
                and re.search(r"(?:总理|主席|市长|省长|县长|区长|书记|主任|委员长)[\u4e00-\u9fff·]{0,4}$", p)
            )
        )

    i = len(paras)
    while i > 0 and is_title_line(paras[i - 1]):
        i -= 1
    block = paras[i:]
    # a real block holds a title or a date line, not just a short last word
    if block and any(_DATE_LINE.match(p) or re.search(r"工作报告(?:[（(]摘\s*要[）)])?$", p) for p in block):
        return i
    return len(paras)


def parse_structure(text: str, *, doc_id: str, year: int | None, month: int | None = None) -> Structure:
    """Sections, paragraphs and sentences of a normalised text.

    Parameters
    ----------
    text : str
        Normalised text, one paragraph per line.
    doc_id : str
        Prefix of the ids.
    year : int or None
        Delivery year, for periods not written in the headings.
    month : int, optional
        Delivery month: a report delivered in December reviews its own year and plans the next.

    Returns
    -------
    Structure
    """
    paras = text.split("\n") if text else []
    keys = simplified_view(text).split("\n") if text else []  # what headings are matched on; same offsets
    offsets, pos = [], 0
    for p in paras:
        offsets.append((pos, pos + len(p)))
        pos += len(p) + 1
    title_from = _title_block_start(keys)

    # 1. headings: by their shape (heading_kind), then lines without an ordinal (plain, bare numerals)
    body_from = _body_start(keys)
    heads = []  # (para index, kind, heading length)
    for i, p in enumerate(keys):
        if i >= title_from:
            if i == title_from:
                heads.append((i, "title", len(p)))
            continue
        hk = heading_kind(p)
        if hk:
            heads.append((i, hk[0], hk[1]))
        elif i >= body_from and _plain_heading(keys, i):
            heads.append((i, "bare" if _BARE.match(p) else "plain", len(p)))
    depths = _depths(heads, keys)

    # 2. sections
    december = month is not None and month >= 11  # delivered in Nov/Dec: reviews its own year, plans the next
    sections: list[Section] = []
    para_section: list[int] = [0] * len(paras)
    first_head = heads[0][0] if heads else len(paras)
    if first_head > 0 and any(paras[:first_head]):
        s, _ = offsets[0]
        sections.append(
            Section(
                doc_id,
                f"{doc_id}/s00",
                "",
                0,
                "preamble",
                "other",
                year,
                s,
                offsets[first_head - 1][1],
                s,
                s,
                period_start=year,
                period_end=year,
            )
        )
    top_part, top_span, seen_body, mixed = "other", (year, year), False, 0
    subject = report_subject_span(keys[:first_head], year)
    para_override: dict[int, tuple] = {}  # paragraph index → (part, period_start, period_end)
    for n, (i, kind, hlen) in enumerate(heads):
        depth = depths[n]
        heading, key = paras[i][:hlen], keys[i][:hlen]
        end_para = heads[n + 1][0] - 1 if n + 1 < len(heads) else len(paras) - 1
        if kind == "title" or (depth == 1 and key in _CLOSING):
            top_part, top_span, mixed = "other", (year, year), 0
        elif depth == 1 and _APPENDIX.match(key):
            top_part, top_span, mixed = "appendix", (year, year), 0
        elif depth == 1:
            # the body up to the next top-level heading
            nxt = next((heads[m][0] for m in range(n + 1, len(heads)) if depths[m] == 1), len(keys))
            body = keys[i + 1 : nxt]
            last = all(heads[m][1] == "title" for m in range(n + 1, len(heads)) if depths[m] == 1)
            top_part, source = _part_of(key, kind, body, year, december, seen_body, last)
            seen_body = seen_body or top_part in ("review", "plan")
            mixed = (
                _opening_review(body, year, december)
                if source == "text" and top_part == "plan" and year is not None
                else 0
            )
            top_span = _span_of(key, body, top_part, year, december, subject=subject)
            if mixed:
                # a plan that opens by reviewing (关于国内建设: 一年来… then 在新的一年里，我们要…): the section's
                # span reaches back to the reviewed years, its period stays the planned year; the opening
                # paragraphs are review, the rest of its own text and its subsections the plan
                reviewed = year if december else year - 1
                for j in range(i + 1, i + 1 + mixed):
                    written = _year_of(keys[j])
                    yj = written if written is not None and written <= reviewed else reviewed
                    para_override[j] = ("review", yj, yj)
                for j in range(i + 1 + mixed, end_para + 1):
                    para_override[j] = ("plan", *top_span)
        part, (p0, p1) = top_part, top_span
        period = p1 if part == "review" else p0
        if depth == 1 and mixed:
            p0 = min([p0] + [para_override[j][1] for j in range(i + 1, i + 1 + mixed)])
        start, _ = offsets[i]
        sid = len(sections) if sections and sections[0].section_id.endswith("/s00") else len(sections) + 1
        sections.append(
            Section(
                doc_id,
                f"{doc_id}/s{sid:02d}",
                heading,
                depth,
                kind,
                part,
                period,
                start,
                offsets[end_para][1],
                start,
                start + hlen,
                period_start=p0,
                period_end=p1,
            )
        )
        for j in range(i, end_para + 1):
            para_section[j] = len(sections) - 1
    for sec in sections:
        sec.n_chars = sum(len(p) for p, (s, e) in zip(paras, offsets) if sec.start <= s and e <= sec.end)

    # 3. paragraphs and sentences
    paragraphs, sentences = [], []
    for i, (p, (s, e)) in enumerate(zip(paras, offsets)):
        sec = sections[para_section[i]] if sections else None
        sid = sec.section_id if sec else f"{doc_id}/s00"
        part = sec.part if sec else "other"
        period = sec.period if sec else year
        p0, p1 = (sec.period_start, sec.period_end) if sec else (year, year)
        if i in para_override:  # a paragraph of a section that mixes a review into its plan
            part, p0, p1 = para_override[i]
            period = p1
        pid = f"{doc_id}/p{i:04d}"
        paragraphs.append(Paragraph(doc_id, pid, sid, part, period, s, e, p, p0, p1))
        for k, (a, b) in enumerate(split_sentences(p)):
            sentences.append(Sentence(doc_id, pid, f"{pid}/{k:02d}", sid, part, period, s + a, s + b, p[a:b], p0, p1))
    return Structure(sections, paragraphs, sentences)


def _body_start(keys: list[str]) -> int:
    """Index of the first paragraph after the opening (``各位代表：``); lines before it are the title block."""
    for i, p in enumerate(keys[:15]):
        if p.startswith("各位代表"):
            return i + 1
    return next((i for i, p in enumerate(keys) if len(p) > 60), 0)


def _plain_heading(keys: list[str], i: int) -> bool:
    """A heading without an ordinal: 关于外交工作 / 结束语 / 附件1 / a bare 一, or a short line with no punctuation
    standing between body paragraphs (过去五年国内工作的基本总结)."""
    p = keys[i]
    if not p or len(p) > 30 or _PLAIN_PUNCT.search(p) or p.startswith(("各位代表", "——", "（", "(")):
        return False
    if re.search(r"工作报告$|[0-9０-９%％]", p) and not _APPENDIX.match(p):
        return False
    nxt = keys[i + 1] if i + 1 < len(keys) else ""
    prev = keys[i - 1] if i > 0 else ""
    if _BARE.match(p) and nxt:
        return True
    if not nxt or not (len(nxt) > 40 or nxt.endswith("。")):
        return False
    if _BARE.match(p) or p.startswith("关于") or _APPENDIX.match(p) or p in _CLOSING:
        return True
    return len(p) >= 4 and (not prev or len(prev) > 40 or prev[-1] in "。！？：")


def _ordinal(kind: str, key: str) -> int | None:
    m = re.match(rf"^(?:第)?[（(]?([{_CN}]+)", key)
    if kind not in ("numbered", "sub", "bare") or not m:
        return None
    tok = m.group(1)
    if "十" in tok:
        tens, _, ones = tok.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return _CN_DIGITS.get(tok[0])


def _depths(heads, keys) -> list[int]:
    """Depth of each heading from the hierarchy the report actually uses (1 = top level).

    A stack of heading styles: a style seen above is returned to (its level); a new style goes one level down.
    An ordinal that restarts (``一、`` after ``二、``) opens a level below; one that continues a level's count
    (``三、`` after ``二、`` and a nested ``一、…五、``) returns to it.  ``结束语``/``附件``/``名词解释`` are always top
    level; a single ``part`` heading (首先报告…) among numbered ones ranks with them; lead items (——, 一是)
    sit below every structural level.
    """
    n_part = sum(1 for i, k, _ in heads if k == "part" and keys[i] not in _CLOSING)
    part_as_numbered = n_part <= 1 and any(k == "numbered" for _, k, _ in heads)
    levels: list[list] = []  # [style, last ordinal]
    out: list[int | None] = []
    for i, kind, hlen in heads:
        key = keys[i][:hlen]
        if kind == "title":
            out.append(1)
            continue
        if kind == "lead":
            out.append(None)
            continue
        if key in _CLOSING or _APPENDIX.match(key) or (kind == "part" and not part_as_numbered):
            levels = levels[:1] if levels and levels[0][0] != "part" and kind != "part" else []
            if not levels:
                levels = [["part" if kind == "part" else "closing", None]]
            out.append(1)
            continue
        style = "numbered" if kind == "part" else kind
        number = 0 if kind == "part" else _ordinal(kind, key)
        idx = None
        for j in range(len(levels) - 1, -1, -1):
            st, last = levels[j]
            if st == style and (number is None or last is None or last == number - 1 or kind == "part"):
                idx = j
                break
        if idx is None and number not in (None, 1, 0):
            idx = next((j for j in range(len(levels) - 1, -1, -1) if levels[j][0] == style), None)
        if idx is None:
            levels.append([style, number])
            out.append(len(levels))
        else:
            levels = levels[: idx + 1]
            if kind != "part":
                levels[idx][1] = number
            out.append(idx + 1)
    deepest = max([d for d in out if d is not None], default=0)
    return [d if d is not None else deepest + 1 for d in out]


def _tense(paragraph: str, year, december: bool) -> str | None:
    """``review`` when a paragraph tells what was done, ``plan`` when it tells what is to be done, else ``None``.

    Counts past markers (了, 已经, 取得, 一年来, years before the reviewed one's end) against task markers (要,
    必须, 争取, 今后, years ahead).

    >>> _tense("一九八三年，农业生产又获得了大丰收，粮食产量已经超过预定目标。", 1984, False)
    'review'
    >>> _tense("在新的一年里，我们要继续艰苦奋斗，必须做好各方面的工作。", 1984, False)
    'plan'
    """
    r, p = len(_BODY_REVIEW.findall(paragraph)), len(_BODY_PLAN.findall(paragraph))
    if year is not None:
        for m in _YEAR.finditer(paragraph):
            y = _year_value(m.group(1))
            if y < year or (december and y == year):
                r += 1
            else:
                p += 1
    return "review" if r > p else "plan" if p > r else None


def _part_from_text(body: list[str], year, december: bool) -> str | None:
    """review / plan by which tense carries more of the section's characters; ``None`` when neither does."""
    chars = {"review": 0, "plan": 0}
    for p in body:
        t = _tense(p, year, december)
        if t:
            chars[t] += len(p)
    if chars["review"] == chars["plan"]:
        return None
    return max(chars, key=chars.get)


def _opening_review(body: list[str], year, december: bool) -> int:
    """How many of a section's first paragraphs review before it turns to tasks (0 unless two or more)."""
    n = 0
    for p in body:
        if not p:
            continue
        if _tense(p, year, december) != "review":
            break
        n += 1
    return n if n >= 2 else 0


def _part_of(
    key: str, kind: str, body: list[str], year, december: bool, seen_body: bool, last: bool = False
) -> tuple[str, str]:
    """review / plan / other for a top-level heading, and what decided it (``heading`` or ``text``).

    By the heading's words, a plan's name or a year in it; a heading naming the general line of an era
    (国家在过渡时期的总任务) is ``other``.  A heading that says none of this (a bare 一, 关于国内建设) is read from
    its section's text: the tense that carries more of its characters (:func:`_tense`); a short last section
    opening with 各位代表 is the closing.  Otherwise a section after the review or plan is ``plan`` (the numbered
    task chapters of a government report), before it ``other``.
    """
    written = _year_of(key)
    if _OTHER_WORDS.search(key) and not _PLAN_WORDS.search(key.replace("外交", "")):
        return "other", "heading"
    if _GENERAL_LINE.search(key) and written is None and not _PLAN_NAME.search(key) and "今" not in key:
        return "other", "heading"
    if _REVIEW_WORDS.search(key):
        return "review", "heading"
    if _PLAN_WORDS.search(key) or _PLAN_NAME.search(key):
        return "plan", "heading"
    if written is not None and year is not None:
        # a year but no review/plan word (一、2023年主要工作): a year before the delivery year (or the delivery
        # year of a December report) is reviewed, a later one planned
        return ("review" if written < year or (december and written == year) else "plan"), "heading"
    text = [p for p in body if p]
    if last and kind == "bare" and len(text) <= 3 and text and text[0].startswith("各位代表"):
        return "other", "text"  # the closing words without a 结束语 heading
    if kind == "bare" or not seen_body:
        part = _part_from_text(text, year, december)
        if part:
            return part, "text"
    return ("plan" if seen_body else "other"), "default"


def _cn_count(tok: str) -> int:
    tok = tok.translate(_FULLWIDTH)
    if tok.isdigit():
        return int(tok)
    return {"两": 2, "十": 10}.get(tok, _CN_DIGITS.get(tok, 0))


def _plan_start(n: int) -> int:
    """First year of the n-th five-year plan (一五 1953, 二五 1958, 三五 1966, … 十四五 2021)."""
    return {1: 1953, 2: 1958}.get(n, 1966 + 5 * (n - 3))


def _named_span(text: str, part: str, year, december: bool) -> tuple | None:
    """The span a text names: a year range, a five-year plan (前两年 narrows it), 过去N年 (review), 今后N年 (plan)."""
    review_default = year if december else year - 1
    plan_default = year + 1 if december else year
    m = _RANGE.search(text)
    if m:
        return _year_value(m.group(1)), _year_value(m.group(2))
    m = _PLAN_NAME.search(text)
    if m:
        tok = next(g for g in m.groups() if g)
        n = _cn_count(tok) if len(tok) == 1 else (10 + _cn_count(tok[1]) if tok[0] == "十" else 0)
        if n:
            s0 = _plan_start(n)
            first = re.search(rf"前([{_CN}两])年", text)
            return (s0, s0 + _cn_count(first.group(1)) - 1) if first else (s0, s0 + 4)
    m = _PAST_N.search(text)
    if m and part == "review":
        k = _cn_count(m.group(1))
        return review_default - k + 1, review_default
    m = _NEXT_N.search(text)
    if m and part == "plan":
        k = _cn_count(m.group(1))
        start = year if "今年" in m.group(0) else plan_default
        return start, start + k - 1
    return None


def report_subject_span(preamble: list[str], year) -> tuple | None:
    """The years of the programme a report is about, from its opening: ``作关于第一个五年计划的报告`` → 1953–1957,
    ``关于一九五六年到一九六七年全国农业发展纲要的执行情况…的报告`` → 1956–1967; ``None`` for a plain report.

    >>> report_subject_span(["我现在代表国务院向本次大会作关于第一个五年计划的报告。"], 1955)
    (1953, 1957)
    """
    if year is None:
        return None
    for p in preamble:
        m = _SUBJECT.search(p)
        if m:
            span = _named_span(m.group(1), "plan", year, False)
            if span and span[0] != span[1]:
                return span
    return None


def _span_of(key: str, body: list[str], part: str, year, december: bool, *, subject=None) -> tuple:
    """``(period_start, period_end)`` of a top-level section.

    From the heading: a year range (1981年到1985年), a named five-year plan (“六五”, 第六个五年计划, 十三五时期;
    前两年 narrows it; 今后三年 in its first paragraph narrows it to the plan's last three years), 过去五年 / 今后五年,
    a single year, 今年.  Failing that, the section's first paragraphs: 从去年三月…到这次会议 (a review reaching the
    delivery year), a range or 今后N年, clipped to the past (review) or the future (plan); then the programme the
    report is about (``subject``, from :func:`report_subject_span`), clipped likewise.  Default:
    the reviewed year (the delivery year minus one, or itself when delivered in Nov/Dec), the planned year (the
    delivery year, or the next).
    """
    if year is None:
        return None, None
    review_default = year if december else year - 1
    plan_default = year + 1 if december else year
    if part not in ("review", "plan"):
        return year, year
    opening = "".join(body[:2])
    span = _named_span(key, part, year, december)
    if span is not None and part == "plan" and _PLAN_NAME.search(key) and span[1] - span[0] == 4:
        m = _NEXT_N.search(body[0] if body else "")
        k = _cn_count(m.group(1)) if m else 0
        if 0 < k < 5:  # 在今后三年内全面实现第六个五年计划: the plan's last three years
            span = (span[1] - k + 1, span[1])
    if span is None:
        written = _year_of(key)
        if written is not None:
            span = (written, written)
        elif "今年" in key:  # 二、今年主要任务: this year, whatever plan its text mentions
            span = (year, year)
    if span is None and part == "review":
        m = _SINCE.search(opening)
        if m:
            tok = m.group(1)
            since = {"去年": year - 1, "前年": year - 2}.get(tok) or _year_value(_YEAR.match(tok).group(1))
            if since <= year:
                span = (since, year)
    if span is None:
        span = _named_span(opening, part, year, december)
        if span is not None:  # a range met in the text: only its past (review) or its future (plan)
            if part == "review":
                span = (span[0], min(span[1], review_default))
            else:
                span = (max(span[0], plan_default), span[1])
            if span[0] > span[1]:
                span = None
    if span is None and subject is not None:  # the programme the report is about: its past or its future
        if part == "review" and subject[0] <= review_default:
            span = (subject[0], min(subject[1], review_default))
        elif part == "plan" and subject[1] >= plan_default:
            span = (max(subject[0], plan_default), subject[1])
    if span is None:
        span = (review_default, review_default) if part == "review" else (plan_default, plan_default)
    return span


def split_sentences(paragraph: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of a paragraph: after 。！？…… with any closing quote.

    >>> p = "共征集提案163件。立案率为87.1%，均已办复！“两个确立”"
    >>> [p[a:b] for a, b in split_sentences(p)]
    ['共征集提案163件。', '立案率为87.1%，均已办复！', '“两个确立”']
    """
    spans = []
    for m in _SENTENCE.finditer(paragraph):
        if m.end() > m.start():
            a, b = m.start(), m.end()
            while a < b and paragraph[a].isspace():
                a += 1
            if b > a:
                spans.append((a, b))
    return spans
