"""The sections of the main job's ``report.html``: for each analysis its heading, prose, figures and tables.

Each builder takes the tables a step of :func:`cppcc_nlp.workflow.analyze` made and returns a
:class:`~cppcc_nlp.output.report.Section`, whose figures (by file name) the job also saves under ``figures/``.
:func:`page` renders the whole report.  Nothing here computes an analysis: only what is shown, and how.
"""

from __future__ import annotations

import pandas as pd

from cppcc_nlp._version import __version__
from cppcc_nlp.output import plot
from cppcc_nlp.output.report import Section, render

TITLE = "政治工作报告分析 · Work-report analysis"
TIMELINE_MIN_CHARS = 2000  # periods with less text are left out of the slogan timeline and lifecycle figures
DOCUMENT_COLUMNS = ["doc_id", "title", "organ", "level", "region", "year", "date", "speaker", "abridged",
                    "n_chars", "n_sections", "n_paragraphs"]


def corpus_section(documents: pd.DataFrame, *, n_sections: int, n_paragraphs: int, notes=()) -> Section:
    """语料 Corpus: sizes and years, the files skipped (``notes``), the documents table and overview figure."""
    years = sorted(int(y) for y in documents["year"].dropna().unique())
    text = (f"{len(documents)} report(s), {int(documents['n_chars'].sum()):,} characters, delivered "
            f"{years[0]}–{years[-1]}; {n_sections} sections, {n_paragraphs} paragraphs. "
            "Each section carries the period it speaks about: the review part the reviewed year, the plan part "
            "the planned year." + ("\n\n" + "\n".join(notes) if notes else ""))
    section = Section("语料 Corpus", text)
    section.tables.append(("Documents", documents[DOCUMENT_COLUMNS]))
    section.figures["corpus_overview"] = plot.corpus_overview(documents)
    return section


def slogan_section(occurrences: pd.DataFrame, tracking=None, summary=None, cooccurrence=None) -> Section:
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
        "characters of text, whose rates are noise (all periods are in slogan_tracking.csv).")
    period = "period" if "period" in tracking.columns else "year"
    shown = tracking if tracking[period].nunique() == 1 else tracking[
        tracking["n_chars"] >= min(TIMELINE_MIN_CHARS, tracking["n_chars"].max())]
    section.figures["slogan_timeline"] = plot.slogan_timeline(shown, year=period, value="rate_per_10k")
    top5 = summary["canonical"].head(5).tolist()
    if shown[period].nunique() > 1 and top5:
        section.figures["slogan_lifecycle"] = plot.slogan_lifecycle(shown, top5, year=period, value="rate_per_10k")
    section.tables.append(("Slogans, most frequent first", summary))
    if not cooccurrence.empty:
        section.tables.append(("Slogans used in the same paragraph", cooccurrence))
    return section


def term_section(terms: pd.DataFrame, frequencies=None) -> Section:
    """术语 Terms: the trends of the six best terms (``frequencies``: term, year, per_10k) and the top 50.

    ``terms`` is ``extract_terms(by_year=True)``; its int columns (one per year) are left out of the table shown.
    """
    section = Section("术语 Terms", "Multi-word terms ranked by C-value weighted by cohesion (PMI) and open "
                                   "boundaries (branching entropy); see docs/terms.md.")
    if terms.empty:
        return section
    if frequencies["year"].nunique() > 1:
        section.figures["term_trends"] = plot.term_trends(frequencies, terms["term"].head(6).tolist(),
                                                          value="per_10k")
    year_columns = [c for c in terms.columns if not isinstance(c, str)]
    section.tables.append(("Top terms", terms.head(50).drop(columns=year_columns)))
    return section


def keyness_section(key, years) -> Section:
    """关键性 Keyness of the latest of ``years`` against the earlier ones (``key``: the ``keyness`` table).

    With a single year there is no comparison (``key`` is None): the text says so.
    """
    section = Section("关键性 Keyness", "")
    if len(years) < 2:
        section.text = (f"Keyness needs at least two years; this corpus has only {years[0]}. Add earlier "
                        "reports to compare.")
        return section
    target, reference = years[-1], f"{years[0]}–{years[-2]}"
    section.text = (f"Terms over- and under-represented in {target} against {reference} "
                    "(log-likelihood G² and log ratio); terms new in the target year are marked is_new.")
    if not key.empty:
        section.figures["keyness"] = plot.keyness_bars(key, score="g2", effect="log_ratio", target_label=str(target),
                                                       reference_label=reference)
        section.tables.append((f"New in {target}", key[key["is_new"]].head(30)))
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
    section.text = (f"{about}; k chosen by NPMI coherence over paragraph co-occurrence." if k_chosen
                    else f"{about}.")
    if len(model.coherence_) > 1:
        section.figures["topic_coherence"] = plot.coherence_by_k(model.coherence_, score="coherence",
                                                                 chosen=model.n_topics_)
    share_cols = [c for c in shares.columns if str(c).startswith("topic_")]
    labels = {f"topic_{r.topic_id}": f"{r.topic_id}: {r.label}" for r in model.topics_.itertuples()}
    share_table = shares.set_index("year")[share_cols] if "year" in shares.columns else shares[share_cols]
    if len(share_table) > 1:
        section.figures["topic_shares"] = plot.topic_shares(share_table, labels=labels)
    section.tables.append(("Topics", model.topics_))
    section.tables.append(("Share of text by year", share_table.rename(columns=labels).reset_index()))
    return section


def page(sections: list[Section], *, paths, n_reports: int) -> str:
    """The whole ``report.html``: its title, a subtitle naming the reports read (``paths``), the sections."""
    sources = ", ".join(map(str, paths)) if isinstance(paths, (list, tuple)) else str(paths)
    subtitle = f"{n_reports} report(s) from {sources}; cppcc-nlp {__version__}"
    return render(TITLE, sections, subtitle=subtitle)
