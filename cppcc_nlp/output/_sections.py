"""The sections of the main job's ``report.html``: for each analysis its heading, prose, figures and tables.

Each builder takes the tables a step of :func:`cppcc_nlp.workflow.analyze` made and returns a
:class:`~cppcc_nlp.output.report.Section`, whose figures (by file name) the job also saves under ``figures/``.
:func:`page` renders the whole report.  Nothing here computes an analysis: only what is shown, and how.
"""

from __future__ import annotations

import pandas as pd

from cppcc_nlp._version import __version__
from cppcc_nlp.output import plot
from cppcc_nlp.output.report import FEW, Section, render

TITLE = "政治工作报告分析 · Work-report analysis"
TIMELINE_MIN_CHARS = 2000  # periods with less text are left out of the slogan timeline and lifecycle figures
#: the slogan and topic figures draw at most this many series (those with the most text): a corpus of many regions
#: would otherwise give a heat map tens of thousands of pixels wide and a panel or legend entry per series
#: (33 series on 16 copies of the shared corpora); the tables have every series
MAX_FIGURE_SERIES = 8
DOCUMENT_COLUMNS = [
    "doc_id",
    "title",
    "organ",
    "level",
    "region",
    "year",
    "date",
    "speaker",
    "abridged",
    "n_chars",
    "n_sections",
    "n_paragraphs",
]


def corpus_section(documents: pd.DataFrame, *, n_sections: int, n_paragraphs: int, notes=(), series=None) -> Section:
    """语料 Corpus: sizes and years, the files skipped (``notes``), the series (``series``: label by doc_id),
    the documents table and overview figure."""
    years = sorted(int(y) for y in documents["year"].dropna().unique())
    text = (
        f"{len(documents)} report(s), {int(documents['n_chars'].sum()):,} characters, delivered "
        f"{years[0]}–{years[-1]}; {n_sections} sections, {n_paragraphs} paragraphs. "
        "Each section carries the period it speaks about: the review part the reviewed year, the plan part "
        "the planned year." + ("\n\n" + "\n".join(notes) if notes else "")
    )
    section = Section("语料 Corpus", text)
    if series is not None:
        docs = documents.assign(series=documents["doc_id"].map(series))
        by_series = (
            docs.groupby("series", sort=False)
            .agg(
                n_reports=("doc_id", "size"),
                first_year=("year", "min"),
                last_year=("year", "max"),
                n_chars=("n_chars", "sum"),
            )
            .reset_index()
        )
        section.text += (
            "\n\nA series is one organ at one level in one region; comparisons over time are "
            "like with like only within a series (the series of each row is in the tables, and the "
            "filter above the sections shows one at a time)."
        )
        section.tables.append(("Series", by_series))
        documents = docs
    section.tables.append(("Documents", documents[[c for c in ["series", *DOCUMENT_COLUMNS] if c in documents]]))
    section.figures["corpus_overview"] = plot.corpus_overview(documents)
    return section


def rate_cells(
    rates: pd.DataFrame, *, item="item", value="per_10k_chars", count="count", reports="n_reports", top=8
) -> pd.DataFrame:
    """A wide table for reading: one row per (series, period) or year, one column per item (the first ``top``),
    each cell ``"rate (count; n reports)"``, marked `` †`` when the count is under :data:`FEW`."""
    keys = [c for c in ("series", "period", "year") if c in rates.columns]
    items = rates[item].drop_duplicates().tolist()[:top]
    data = rates[rates[item].isin(items)]

    def fmt(n, rate, n_reports) -> str:
        if n == 0:
            return "0"
        text = f"{rate:.2f} ({int(n)}; {int(n_reports)} report{'s' if n_reports != 1 else ''})"
        return text + (" †" if n < FEW else "")

    columns = (data[c].tolist() for c in (count, value, reports))
    cells = data.assign(_cell=[fmt(*row) for row in zip(*columns)])
    wide = cells.pivot(index=keys, columns=item, values="_cell")[items].reset_index()
    wide.columns.name = None
    return wide


def slogan_section(
    occurrences: pd.DataFrame, tracking=None, summary=None, cooccurrence=None, *, rates=None, contexts=None
) -> Section:
    """提法 Slogans: counts by kind, the timeline and lifecycle figures, the summary and co-occurrence tables.

    ``tracking`` and ``summary`` are by period (``track_slogans(by="period")``); they are None when
    ``occurrences`` is empty.
    """
    section = Section("提法 Slogans", "")
    if occurrences.empty:
        section.text = "No slogan was found."
        return section
    kinds = occurrences.groupby("kind")["canonical"].nunique().to_dict()
    section.text = (
        f"{len(occurrences)} occurrences of {occurrences['canonical'].nunique()} slogans "
        f"({', '.join(f'{k}: {v}' for k, v in sorted(kinds.items()))}); "
        f"{int((~occurrences['in_lexicon']).sum())} occurrences are of slogans found by discovery "
        "(in no lexicon). Rates are per 10,000 characters of the text speaking about each year "
        f"(period); the timeline and lifecycle figures leave out periods with under {TIMELINE_MIN_CHARS:,} "
        "characters of text, whose rates are noise (all periods are in slogan_tracking.csv)."
    )
    period = "period" if "period" in tracking.columns else "year"
    shown = (
        tracking
        if tracking[period].nunique() == 1
        else tracking[tracking["n_chars"] >= min(TIMELINE_MIN_CHARS, tracking["n_chars"].max())]
    )
    if "series" in shown.columns and shown["series"].nunique() > MAX_FIGURE_SERIES:
        chars = shown.drop_duplicates(["series", period]).groupby("series")["n_chars"].sum()
        kept = chars.sort_values(ascending=False, kind="stable").index[:MAX_FIGURE_SERIES]
        section.text += (
            f" The figures show the {MAX_FIGURE_SERIES} series with the most text, of {chars.size} "
            f"({', '.join(map(str, kept))}); the tables have them all."
        )
        shown = shown[shown["series"].isin(set(kept))]
    section.figures["slogan_timeline"] = plot.slogan_timeline(shown, year=period, value="per_10k_chars")
    top5 = summary["canonical"].drop_duplicates().tolist()[:5]  # the summary has a row per slogan and series
    if shown[period].nunique() > 1 and top5:
        section.figures["slogan_lifecycle"] = plot.slogan_lifecycle(shown, top5, year=period, value="per_10k_chars")
    section.tables.append(("Slogans, most frequent first", summary))
    if rates is not None and not rates.empty:
        section.tables.append(
            (
                f"Rates by series and period: per 10,000 characters (count; reports behind the "
                f"rate); † under {FEW} occurrences",
                rate_cells(rates),
            )
        )
    if contexts:
        section.contexts.append(("Contexts of each slogan (year, series, section)", contexts))
    if not cooccurrence.empty:
        section.tables.append(("Slogans used in the same paragraph", cooccurrence))
    return section


def term_section(terms: pd.DataFrame, frequencies=None, *, contexts=None, documents=None, series=None) -> Section:
    """术语 Terms: the trends of the six best terms (``frequencies``: term, year, per_10k_chars) and the top 50.

    ``terms`` is ``extract_terms(by_year=True)``; its int columns (one per year) are left out of the table shown.
    """
    section = Section(
        "术语 Terms",
        "Multi-word terms ranked by C-value weighted by cohesion (PMI) and open "
        "boundaries (branching entropy); see docs/terms.md.",
    )
    if terms.empty:
        return section
    if frequencies["year"].nunique() > 1:
        section.figures["term_trends"] = plot.term_trends(
            frequencies, terms["term"].head(6).tolist(), value="per_10k_chars"
        )
    year_columns = [c for c in terms.columns if not isinstance(c, str)]
    section.tables.append(("Top terms", terms.head(50).drop(columns=year_columns)))
    if documents is not None and series is not None and frequencies["year"].nunique() > 1:
        docs = documents.assign(series=documents["doc_id"].map(series))
        per_year = docs.groupby("year").agg(
            series=("series", lambda s: " + ".join(sorted(set(s)))), n_reports=("doc_id", "size")
        )
        rates = frequencies.merge(per_year, left_on="year", right_index=True).rename(
            columns={"term": "item", "freq": "count"}
        )
        section.tables.append(
            (
                f"Top terms by year: per 10,000 characters (count; reports that year); † under {FEW} occurrences",
                rate_cells(
                    rates[["series", "year", "item", "count", "n_reports", "per_10k_chars"]], value="per_10k_chars"
                ),
            )
        )
    if contexts:
        section.contexts.append(("Contexts of each top term (year, series, section)", contexts))
    return section


def keyness_section(key, years, *, target=None, reference=None, contexts=None, note=None) -> Section:
    """关键性 Keyness of ``target`` (default: the latest of ``years``) against ``reference`` (default: the earlier
    years); ``key`` is the ``keyness`` table, ``contexts`` the contexts of its most over-used terms.

    Without a comparison (``key`` is None) the text says why: ``note``, or that there is a single year.
    """
    section = Section("关键性 Keyness", "")
    if key is None or len(years) < 2:
        section.text = note or (
            f"Keyness needs at least two years; this corpus has only {years[0]}. Add earlier reports to compare."
        )
        return section
    target = years[-1] if target is None else target
    if reference is None:
        earlier = [y for y in years if y < min(_as_list(target))]
        reference = f"{earlier[0]}–{earlier[-1]}" if earlier else "the other years"
    target, reference = _label(target), _label(reference)
    section.text = (
        f"Terms over- and under-represented in {target} against {reference} "
        "(log-likelihood G² and log ratio); terms new in the target year are marked is_new. Choose "
        "the comparison with `cppcc-nlp analyze --target YEAR --reference YEAR…`; a target and a "
        "reference from different series (see the corpus section) compare sources as much as years."
    )
    if not key.empty:
        section.figures["keyness"] = plot.keyness_bars(
            key, score="g2", effect="log_ratio", target_label=str(target), reference_label=reference
        )
        section.tables.append((f"New in {target}", key[key["is_new"]].head(30)))
    if contexts:
        section.contexts.append((f"Contexts of the terms most over-used in {target}", contexts))
    return section


def _as_list(value) -> list:
    return list(value) if isinstance(value, (list, tuple, range)) else [value]


def _label(value) -> str:
    values = _as_list(value)
    return "+".join(map(str, values)) if len(values) < 4 else f"{values[0]}–{values[-1]}"


#: the indicators that get a figure when a series has enough periods with both a target and an outcome
MIN_PAIRED_PERIODS = 3
#: at most this many target/outcome charts, those with the most paired periods first: a corpus of many regions
#: would otherwise draw one per series and indicator (64 on 16 copies of the shared corpora); every pair is in
#: target_outcomes.csv
MAX_INDICATOR_CHARTS = 12


def indicator_section(indicators: pd.DataFrame, chain: pd.DataFrame, *, notes=()) -> Section:
    """目标与实际 Targets and outcomes: per named indicator with at least three paired periods in one series, its
    chart (``plot.target_outcome_chart``); the table of pairs and the share met per indicator."""
    section = Section("目标与实际 Targets and outcomes", "")
    named = indicators["indicator"].notna().sum() if "indicator" in indicators else 0
    text = (
        f"{len(indicators)} quantitative statements, {named} of them named with an indicator "
        "(indicators.csv); the target set for each period beside the outcome the next report of the same "
        "series gives (target_outcomes.csv). See docs/indicators.md for what this can and cannot tell."
    )
    if chain.empty:
        section.text = text + "\n\n" + ("; ".join(notes) if notes else "No target has an outcome in this corpus.")
        return section
    paired = chain[chain["target_low"].notna() & chain["outcome_value"].notna()]
    counts = paired.groupby(["series", "indicator"]).size()
    charted = counts[counts >= MIN_PAIRED_PERIODS].sort_values(ascending=False)
    for (series, indicator), _n in charted.head(MAX_INDICATOR_CHARTS).items():
        name = f"target_outcome_{len(section.figures)}"
        section.figures[name] = plot.target_outcome_chart(chain, indicator, series=series)
    missing = int((chain["target_low"].isna() | chain["outcome_value"].isna()).sum())
    section.text = (
        text + f"\n\n{len(paired)} periods have both a target and an outcome; {missing} lack one of "
        "them (no target stated, or no outcome reported back)."
    )
    if len(charted) > MAX_INDICATOR_CHARTS:
        section.text += (
            f" Charts for the {MAX_INDICATOR_CHARTS} series and indicators with the most such periods, of "
            f"{len(charted)} with at least {MIN_PAIRED_PERIODS}; the table below has them all."
        )
    met = (
        paired.assign(met=paired["met"].astype("float"))
        .groupby(["series", "indicator"])
        .agg(periods=("period", "size"), met=("met", "sum"), share_met=("met", "mean"))
        .reset_index()
    )
    section.tables.append(("Share of targets met, per series and indicator", met))
    section.tables.append(
        ("Targets and outcomes", paired[["series", "indicator", "period", "target_text", "outcome_text", "met"]])
    )
    return section


def topic_section(model=None, shares=None, *, k_chosen: bool = True, failure: str = "") -> Section:
    """主题 Topics: the fitted :class:`~cppcc_nlp.TopicModel`, its shares by year (``model.shares("year")``).

    ``k_chosen``: k was chosen by coherence (the text says how).  Without a model, ``failure`` says why.
    """
    section = Section("主题 Topics", "")
    if model is None:
        section.text = f"No topic model: {failure}"
        return section
    about = f"{model.n_topics_} topics over {len(model.doc_topics_)} {model.unit}s"
    section.text = f"{about}; k chosen by NPMI coherence over paragraph co-occurrence." if k_chosen else f"{about}."
    searched, with_terms = getattr(model, "search_units_", None), int((model.doc_topics_["n_terms"] > 0).sum())
    if k_chosen and searched is not None and searched < with_terms:
        section.text += (
            f" The k search fitted a sample of {searched:,} of the {with_terms:,} {model.unit}s that carry terms"
            f" (stratified by report); the model kept at k = {model.n_topics_} was fitted on all of them."
        )
    if len(model.coherence_) > 1:
        section.figures["topic_coherence"] = plot.coherence_by_k(
            model.coherence_, score="coherence", chosen=model.n_topics_
        )
    share_cols = [c for c in shares.columns if str(c).startswith("topic_")]
    labels = {f"topic_{r.topic_id}": f"{r.topic_id}: {r.label}" for r in model.topics_.itertuples()}
    keys = [c for c in ("series", "year") if c in shares.columns]
    share_table = shares.set_index(keys)[share_cols] if keys else shares[share_cols]
    if len(share_table) > 1:
        drawn = share_table.reset_index() if "series" in keys else share_table
        if "series" in keys and drawn["series"].nunique() > MAX_FIGURE_SERIES:
            # (the series with the most years of shares: the share table holds no amount of text)
            years = drawn["series"].value_counts(sort=False)
            kept = years.sort_values(ascending=False, kind="stable").index[:MAX_FIGURE_SERIES]
            section.text += (
                f" The figure of shares shows the {MAX_FIGURE_SERIES} series with the most years, of {years.size};"
                " the table has them all."
            )
            drawn = drawn[drawn["series"].isin(set(kept))]
        section.figures["topic_shares"] = plot.topic_shares(drawn, labels=labels)
    section.tables.append(("Topics", model.topics_))
    section.tables.append(("Share of text by series and year", share_table.rename(columns=labels).reset_index()))
    return section


def page(sections: list[Section], *, paths, n_reports: int, series=(), years=()) -> str:
    """The whole ``report.html``: its title, a subtitle naming the reports read (``paths``), the filter bar
    (``series`` labels and delivery ``years``), the sections."""
    sources = ", ".join(map(str, paths)) if isinstance(paths, (list, tuple)) else str(paths)
    subtitle = f"{n_reports} report(s) from {sources}; cppcc-nlp {__version__}"
    return render(TITLE, sections, subtitle=subtitle, series=list(series), years=list(years))
