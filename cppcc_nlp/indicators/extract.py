"""``indicators(corpus)``: one row per quantitative statement, named, valued and classed target/outcome/other.

How a number is read (all rules are on the sentence that holds it):

1. **Number**: :func:`~cppcc_nlp.indicators.numbers.find_quantities` (full-width digits, Chinese numerals,
   万/亿/万亿 scales, ranges ``6%－6.5%``, qualifiers ``左右 以上 以内 以下 约 超过 力争 余``).
2. **Indicator**: the nearest alias of the names file (``indicators.yaml``) before the number, within the
   clause (after the last ``；：``), whose indicator takes the number's unit, whose ``words`` (增长 for a growth
   rate) stand in the alias or between it and the number, with no *break* word (比重, 其中, 收入 …) and no other
   number of the same unit in between.  Otherwise the row is unnamed (``indicator`` NA); ``subject`` always
   keeps the words before the number (``召开党组会议``).
3. **Kind**: ``target`` in the plan part, ``outcome`` in the review part, ``other`` elsewhere, corrected by the
   sentence: a baseline (``从2.1%提高到…``), an average or total over years (年均, 累计, 五年, 连续) or a
   clause about another year (``到2020年``) is ``other``, and so is every number of a section or paragraph
   about several years (heading with 五年/十X五/时期/规划, paragraph opening 五年来) unless the sentence
   names one year (去年, 今年, 2012年); a review sentence that opens with 今年…主要预期目标 sets targets for the
   delivery year (a plan heading missed by the structure); a review clause that names a 目标 restates a target
   (``other``); a plan paragraph that looks back (``过去一年，…``, ``降到去年的1.5%``) reports outcomes of
   the year before; in the ``other`` part a sentence with 预期目标/主要目标/今年 sets targets.

``period`` is the year the statement is about: the section's period, one less for a look-back in the plan.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from cppcc_nlp.corpus.series import series_label
from cppcc_nlp.errors import ParameterError
from cppcc_nlp.indicators.names import IndicatorName, IndicatorNames, load_indicator_names
from cppcc_nlp.indicators.numbers import Quantity, find_quantities, to_halfwidth

COLUMNS = [
    "doc_id",
    "year",
    "period",
    "part",
    "section_id",
    "para_id",
    "sent_id",
    "start",
    "end",
    "sentence",
    "indicator",
    "subject",
    "value",
    "low",
    "high",
    "unit",
    "qualifier",
    "kind",
    "text",
    "organ",
    "level",
    "region",
    "series",
]
KINDS = ("target", "outcome", "other")

_CLAUSE_START = re.compile(r"[；;：:。！？]")
_SUBJECT_START = re.compile(r"[，,、；;：:。！？（()）“”\s]")
_SPAN = re.compile(r"年均|平均每年|平均增长|累计|五年|连续|翻一番|以来|三年|十年|期间|时期")
_YEAR = re.compile(r"((?:19|20)\d\d)\s*年")
_LOOK_BACK = re.compile(r"^\s*(?:回顾)?(?:过去一年|去年|上年|\d{4}年，?我们)")
_TARGET_WORDS = re.compile(r"预期目标|主要目标|目标是|今年")
_SPAN_HEADING = re.compile(r"五年|十[一二三四五六七八九]五|时期|规划")
_SPAN_PARAGRAPH = re.compile(r"^\s*(?:[一二三四五六七八九十]是)?(?:五年来|这五年|过去五年|五年|十年来|这十年|过去十年)")
_ONE_YEAR = re.compile(r"去年|刚刚过去|过去一年|上年|今年|明年")
_LEAD = re.compile(r"^(?:共计|共|全年|累计|其中|并|还|又|先后|全县|全市|全省|全区)")


def empty_indicators() -> pd.DataFrame:
    """The result table with no rows and the right columns."""
    df = pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS})
    for c in ("year", "start", "end"):
        df[c] = df[c].astype("int64")
    df["period"] = df["period"].astype("Int64")
    for c in ("value", "low", "high"):
        df[c] = df[c].astype("float64")
    return df


def concat_indicators(frames) -> pd.DataFrame:
    """The indicator tables of parts of a corpus (documents, batches of documents), in order, as one table:
    the table of the whole corpus, since every statement is read within its own document."""
    frames = [f for f in frames if not f.empty]
    if not frames:
        return empty_indicators()
    df = pd.concat(frames, ignore_index=True)
    df["period"] = df["period"].astype("Int64")
    df["indicator"] = df["indicator"].astype(object).where(df["indicator"].notna(), np.nan)
    return df


def _is_national(level, organ, region) -> bool:
    return level == "national" or organ == "国务院" or region == "全国"


class _Namer:
    """Finds the indicator of one number: the nearest fitting alias before it in the clause."""

    def __init__(self, names: IndicatorNames):
        self.names = names
        aliases = names.aliases()
        self.alias_re = re.compile("|".join(re.escape(a) for a in aliases)) if aliases else None
        self.by_alias = {a: names.by_alias(a) for a in aliases}

    def fits(self, ind: IndicatorName, alias: str, gap: str, q: Quantity, others, national: bool) -> bool:
        if ind.level == "national" and not national or ind.level == "regional" and national:
            return False
        if q.unit not in ind.units or len(gap) > ind.max_gap:
            return False
        if ind.words and not any(w in alias + gap for w in ind.words):
            return False
        if any(b in gap and b not in ind.words for b in self.names.breaks):
            return False
        return not any(o.unit in ind.units and not o.baseline for o in others)

    def name(self, text: str, q: Quantity, quantities, national: bool) -> tuple[IndicatorName | None, int]:
        """The indicator of ``q`` and where its alias starts (``None, -1`` when unnamed)."""
        if self.alias_re is None:
            return None, -1
        cut = max((m.end() for m in _CLAUSE_START.finditer(text, 0, q.num_start)), default=0)
        matches = list(self.alias_re.finditer(text, cut, q.num_start))
        for m in reversed(matches):
            gap = text[m.end() : q.start]
            others = [o for o in quantities if m.end() <= o.num_start < q.num_start]
            for ind in self.by_alias[m.group()]:
                if self.fits(ind, m.group(), gap, q, others, national):
                    return ind, m.start()
        return None, -1


def _span_sections(sections) -> set[str]:
    """The ids of one document's sections (in their order) about several years: a heading, or a parent heading,
    with 五年, 十X五, 时期 or 规划."""
    out: set[str] = set()
    stack: list[tuple[int, bool]] = []
    for s in sections:
        while stack and stack[-1][0] >= s.depth:
            stack.pop()
        span = bool(_SPAN_HEADING.search(str(s.heading or ""))) or any(flag for _, flag in stack)
        stack.append((s.depth, span))
        if span:
            out.add(s.section_id)
    return out


def _kind(part: str, period, year: int, sentence: str, q: Quantity, looking_back: bool, span: bool, quantities=()):
    """(kind, period) of one number; see the module docstring."""
    cut = max((m.end() for m in re.finditer(r"[，,；;：:。]", sentence[: q.num_start])), default=0)
    cut = max([cut] + [o.end for o in quantities if o.end <= q.num_start])
    nxt = re.search(r"[，,；;。]", sentence[q.end :])
    clause = sentence[cut : q.end + (nxt.start() if nxt else len(sentence) - q.end)]
    period = None if pd.isna(period) else int(period)
    if q.baseline or _SPAN.search(clause):
        return "other", period
    if span and not looking_back and not (_ONE_YEAR.search(sentence) or f"{period}年" in sentence):
        return "other", period
    years = {int(y) for y in _YEAR.findall(sentence[cut : q.num_start])}
    if part == "review":
        if (
            period is not None
            and year > period
            and re.search(rf"(?:今年|{year}年)[^。；，]{{0,12}}(?:预期目标|主要目标)", sentence[: q.num_start])
        ):
            return "target", year  # a plan heading the structure missed (今年…主要预期目标是：…)
        if "目标" in clause or years - {period}:
            return "other", period
        return "outcome", period
    if re.search(
        r"比(?:去年|上年|\d{4}年)[^，。；]{0,6}(?:多|少|增加|减少|提高|降低|下降)$", sentence[cut : q.num_start]
    ):
        return "other", period  # 比去年多100万人: a difference, not a level
    if part == "plan":
        before = sentence[cut : q.num_start]
        if looking_back or re.search(r"去年的?$|上年的?$", before):
            back = None if period is None else period - 1
            return ("other", back) if years - {back} else ("outcome", back)
        if years - {period}:
            return "other", period
        return "target", period
    if _TARGET_WORDS.search(sentence) and not years - {year}:
        return "target", year
    return "other", period


def _subject(text: str, end: int) -> tuple[str, int]:
    """The words before a number back to the last punctuation (``共征集提案`` before ``163件``)."""
    start = max((m.end() for m in _SUBJECT_START.finditer(text, 0, end)), default=0)
    words = text[start:end]
    lead = _LEAD.match(words)
    if lead:
        start += lead.end()
    return text[start:end], start


def indicators(
    corpus,
    *,
    names=None,
    kind: str | None = None,
    indicator: str | list[str] | None = None,
    named_only: bool = False,
    client=None,
) -> pd.DataFrame:
    """One row per quantitative statement of ``corpus``: indicator, value, unit, qualifier, target or outcome.

    Parameters
    ----------
    corpus : Corpus
    names : path, list of paths or IndicatorNames, optional
        Your indicator names file(s), added to the bundled ``indicators.yaml`` (same shape; see docs/indicators.md).
    kind : {"target", "outcome", "other"}, optional
        Keep only that kind.
    indicator : str or list of str, optional
        Keep only these indicator names.
    named_only : bool
        Drop the statements that no indicator name fits.
    client : distributed.Client, optional
        Extract on a Dask cluster, documents in batches (:mod:`cppcc_nlp.indicators._distributed`); same table.

    Returns
    -------
    DataFrame
        doc_id, year, period, part, section_id, para_id, sent_id, start, end (``doc.text[start:end] == text``),
        sentence, indicator (NA when unnamed), subject (the words before the number), value (the number; the
        middle of a range), low, high, unit (``%``, ``万人``, ``万亿元``, ``个百分点``, ``件`` …), qualifier
        (``左右 以上 以内 以下 约 超过 力争 余`` or ""), kind (target/outcome/other), text, organ, level, region,
        series (``国务院/national/全国``: compare a year with the years of its own series).

    Examples
    --------
    >>> ind = cn.indicators(corpus, kind="target", indicator="国内生产总值增长")   # doctest: +SKIP
    >>> ind[["year", "period", "low", "high", "qualifier", "text"]]            # doctest: +SKIP
       year  period  low  high qualifier             text
       2019    2019  6.0   6.5             国内生产总值增长6%－6.5%
    """
    if kind is not None and kind not in KINDS:
        raise ParameterError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    names = load_indicator_names(names)
    if client is not None:
        from cppcc_nlp.indicators._distributed import indicators_on

        return indicators_on(
            client,
            corpus,
            indicators,
            concat_indicators,
            names=names,
            kind=kind,
            indicator=indicator,
            named_only=named_only,
        )
    namer = _Namer(names)
    units = names.all_units()
    rows = [row for doc in corpus.docs for row in _document_rows(doc, namer, units)]
    if not rows:
        return empty_indicators()
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["period"] = df["period"].astype("Int64")
    if kind is not None:
        df = df[df["kind"] == kind]
    if indicator is not None:
        wanted = [indicator] if isinstance(indicator, str) else list(indicator)
        df = df[df["indicator"].isin(wanted)]
    if named_only:
        df = df[df["indicator"].notna()]
    df["indicator"] = df["indicator"].astype(object).where(df["indicator"].notna(), np.nan)
    return df.reset_index(drop=True)


def _document_rows(doc, namer: _Namer, units: tuple[str, ...]) -> list[tuple]:
    """The rows (values in :data:`COLUMNS` order) of one document's quantitative statements, read from its
    sentences: every rule looks only within the document."""
    meta = doc.meta
    year, organ, level, region = int(meta.get("year")), meta.get("organ"), meta.get("level"), meta.get("region")
    series = series_label(meta)
    national = _is_national(level, organ, region)
    spans = _span_sections(doc.sections)
    rows: list[tuple] = []
    looking_back_para = None
    para_span: dict[str, bool] = {}
    for s in doc.sentences:
        raw = s.text
        text = to_halfwidth(raw)
        if s.para_id not in para_span:  # the paragraph's first sentence decides: 五年来，… speaks of five years
            first_year = _ONE_YEAR.search(text) or (s.period is not None and re.search(rf"{s.period}\s*年", text))
            para_span[s.para_id] = (s.section_id in spans or bool(_SPAN_PARAGRAPH.match(text))) and not first_year
        if s.part == "plan":
            if _LOOK_BACK.match(text):
                looking_back_para = s.para_id
            elif looking_back_para == s.para_id and "今年" in text:
                looking_back_para = None
        quantities = find_quantities(text, units=units)
        for q in quantities:
            ind, alias_start = namer.name(text, q, quantities, national)
            subject, subject_start = _subject(text, q.start)
            begin = alias_start if ind is not None else subject_start
            k, period = _kind(
                s.part, s.period, year, text, q, looking_back_para == s.para_id, para_span[s.para_id], quantities
            )
            rows.append(
                (
                    s.doc_id,
                    year,
                    period,
                    s.part,
                    s.section_id,
                    s.para_id,
                    s.sent_id,
                    s.start + begin,
                    s.start + q.end,
                    raw,
                    ind.name if ind is not None else None,
                    subject,
                    (q.low + q.high) / 2,
                    q.low,
                    q.high,
                    q.unit,
                    q.qualifier,
                    k,
                    raw[begin : q.end],
                    organ,
                    level,
                    region,
                    series,
                )
            )
    return rows
