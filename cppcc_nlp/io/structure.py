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
the review in a December report), otherwise ``plan`` when it follows a review or plan section (the numbered task chapters of a government report), else ``other``; the title block and the
preamble are ``other``.  Subsections inherit.  ``period`` is the year written in the top heading; failing that,
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

_CN = "一二三四五六七八九十"
_D = "0-9０-９"
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")

_PART = re.compile(rf"^(?:[{_D}]{{4}}\s*年.{{0,16}}(?:回顾|总结|安排|任务|部署|要求|打算)|首先报告.{{0,20}}|结束语)$")
_NUMBERED = re.compile(rf"^(?:[{_CN}]+、|第[{_CN}]+部分)\s*\S")
_SUB = re.compile(rf"^[（(][{_CN}]+[）)]\s*\S")
_LEAD = re.compile(rf"^(?:——(?!—)\S|[{_CN}]+[是要]\S|第[{_CN}]+[，、])")
_YEAR = re.compile(rf"(?<![{_D}])((?:19|20|１９|２０)[{_D}]{{2}})\s*年")
_DATE_LINE = re.compile(rf"^——\s*[{_D}]{{4}}\s*年\s*[{_D}]{{1,2}}\s*月\s*[{_D}]{{1,2}}\s*日")

_REVIEW_WORDS = re.compile(r"回顾|总结|首先报告|过去.{0,3}年|去年工作|一年来")
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


@dataclass
class Structure:
    sections: list[Section]
    paragraphs: list[Paragraph]
    sentences: list[Sentence]


def _year_of(text: str) -> int | None:
    m = _YEAR.search(text)
    if not m:
        return None
    return int(m.group(1).translate(_FULLWIDTH))


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
    if _NUMBERED.match(p) and short:
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
        return bool(_DATE_LINE.match(p) or re.fullmatch(r"[（(]摘\s*要[）)]", p)
                    or (len(p) <= 60 and "。" not in p and re.search(r"工作报告(?:[（(]摘\s*要[）)])?$", p))
                    or re.fullmatch(r"[\u4e00-\u9fff·]{2,4}", p)
                    or (len(p) <= 20 and re.search(r"(?:总理|主席|市长|省长|县长|区长|书记|主任|委员长)[\u4e00-\u9fff·]{0,4}$", p)))

    i = len(paras)
    while i > 0 and is_title_line(paras[i - 1]):
        i -= 1
    block = paras[i:]
    # a real block holds a title or a date line, not just a short last word
    if block and any(_DATE_LINE.match(p) or re.search(r"工作报告(?:[（(]摘\s*要[）)])?$", p) for p in block):
        return i
    return len(paras)


def simplified_view(text: str) -> str:
    """``text`` in simplified characters for matching keywords, offset for offset (OpenCC ``t2s``).

    The text itself when it is already simplified, when OpenCC is missing, or when a conversion would change the
    length of a line (so offsets found in the view always hold in ``text``).

    >>> simplified_view("2024年工作回顧\\n工作報告")
    '2024年工作回顾\\n工作报告'
    """
    try:
        from cppcc_nlp.io.reading import to_simplified_text

        view = to_simplified_text(text)
    except ImportError:  # OpenCC absent: match the text as it is
        return text
    if view == text or [len(x) for x in view.split("\n")] != [len(x) for x in text.split("\n")]:
        return text
    return view


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

    # 1. headings
    heads = []  # (para index, kind, heading length)
    for i, p in enumerate(keys):
        if i >= title_from:
            if i == title_from:
                heads.append((i, "title", len(p)))
            continue
        hk = heading_kind(p)
        if hk:
            heads.append((i, hk[0], hk[1]))
    kinds = {k for _, k, _ in heads if k != "title"}
    n_part = sum(1 for i, k, _ in heads if k == "part" and keys[i] not in ("结束语", "结语"))
    rank = dict(_RANK)
    if n_part <= 1 and "numbered" in kinds:
        rank["part"] = rank["numbered"]
    ranks = sorted({rank[k] for k in kinds})
    depth_of = {k: ranks.index(rank[k]) + 1 for k in kinds}
    depth_of["title"] = 1

    # 2. sections
    december = month == 12
    sections: list[Section] = []
    para_section: list[int] = [0] * len(paras)
    first_head = heads[0][0] if heads else len(paras)
    if first_head > 0 and any(paras[:first_head]):
        s, _ = offsets[0]
        sections.append(Section(doc_id, f"{doc_id}/s00", "", 0, "preamble", "other", year, s,
                                offsets[first_head - 1][1], s, s))
    top_part, top_period, seen_body = "other", year, False
    for n, (i, kind, hlen) in enumerate(heads):
        depth = depth_of[kind]
        heading, key = paras[i][:hlen], keys[i][:hlen]
        if kind == "title" or (depth == 1 and key in ("结束语", "结语")):
            part, period = "other", year
            top_part, top_period = "other", year
        elif depth == 1:
            written = _year_of(key)
            if _REVIEW_WORDS.search(key):
                top_part = "review"
            elif _PLAN_WORDS.search(key):
                top_part = "plan"
            elif written is not None and year is not None:
                # a year but no review/plan word (一、2023年主要工作): a year before the delivery year (or the
                # delivery year of a December report) is reviewed, a later one planned
                top_part = "review" if written < year or (december and written == year) else "plan"
            elif seen_body:
                top_part = "plan"
            else:
                top_part = "other"
            seen_body = seen_body or top_part in ("review", "plan")
            if top_part == "review":
                top_period = written or (year if december or year is None else year - 1)
            elif top_part == "plan":
                top_period = written or (year + 1 if december and year is not None else year)
            else:
                top_period = year
            part, period = top_part, top_period
        else:
            part, period = top_part, top_period
        end_para = heads[n + 1][0] - 1 if n + 1 < len(heads) else len(paras) - 1
        start, _ = offsets[i]
        sid = len(sections) if sections and sections[0].section_id.endswith("/s00") else len(sections) + 1
        sections.append(Section(doc_id, f"{doc_id}/s{sid:02d}", heading, depth, kind, part, period, start,
                                offsets[end_para][1], start, start + hlen))
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
        pid = f"{doc_id}/p{i:04d}"
        paragraphs.append(Paragraph(doc_id, pid, sid, part, period, s, e, p))
        for k, (a, b) in enumerate(split_sentences(p)):
            sentences.append(Sentence(doc_id, pid, f"{pid}/{k:02d}", sid, part, period, s + a, s + b, p[a:b]))
    return Structure(sections, paragraphs, sentences)


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
