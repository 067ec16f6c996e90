"""The main job: read a corpus, run every analysis, write tables, figures and ``report.html``.

``cppcc-nlp analyze PATH... --out DIR`` (or :func:`analyze` from Python) runs, in this order:
reading and structure → tokens (cached) → slogans (occurrences, tracking by period, summary, co-occurrence)
→ terms (ranking, per-year frequencies) → keyness of the latest year against the earlier ones → topics
(k chosen by NPMI coherence, shares by year, the topic of each section).  It writes to ``DIR``:

* ``tables/<name>.csv`` and ``tables/<name>.parquet`` for every table;
* ``figures/<name>.png`` and ``figures/<name>.svg`` for every figure;
* ``topic_model.zip``, the fitted topic model (apply it to next year's reports with ``TopicModel.load``);
* ``report.html``, one self-contained page with every figure inline.

A second run over the same corpus reuses the token cache (no segmentation).  An output folder that already
holds other files is refused unless ``force=True``; even then only the files listed above are overwritten
and nothing else is deleted.
"""

from __future__ import annotations

import numbers
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cppcc_nlp._version import __version__
from cppcc_nlp.errors import EmptyCorpusError, OutputError, ParameterError

MARKER = ".cppcc-nlp-output"
TIMELINE_MIN_CHARS = 2000  # periods with less text are left out of the slogan timeline figure


@dataclass
class AnalysisResult:
    """What :func:`analyze` produced: the tables (by name), the figure paths, the report path and timings."""

    out: Path
    tables: dict = field(default_factory=dict)
    figures: list = field(default_factory=list)
    report: Path | None = None
    timings: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)


def _prepare_output(out: Path, force: bool) -> None:
    """Refuse a folder with other files unless ``force``; check it is writable (OutputError otherwise)."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder; choose another --out")
    if out.is_dir():
        others = [p.name for p in out.iterdir() if p.name != MARKER]
        if others and not force and not (out / MARKER).exists():
            raise OutputError(f"{out}: the folder exists and holds other files ({', '.join(sorted(others)[:5])}"
                              f"{' …' if len(others) > 5 else ''}); choose an empty or new folder, or pass "
                              "--force to write into it (nothing of yours is deleted)")
        if others and not force:
            raise OutputError(f"{out}: holds the results of an earlier run; pass --force to overwrite them")
    try:
        (out / "tables").mkdir(parents=True, exist_ok=True)
        (out / "figures").mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".write-test-"):
            pass
        (out / MARKER).write_text(f"written by cppcc-nlp {__version__}\n", encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"{out}: cannot write there ({exc.strerror or exc}); choose another --out") from exc


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="analyze", unit="step", file=sys.stderr, disable=not enabled,
                bar_format="{desc:<18} {n}/{total} |{bar:20}| {elapsed}")


def analyze(paths, out, *, force: bool = False, n_process: int = 1, progress: bool = True,
            top_terms: int = 200, n_topics=None, random_state: int = 0, strict: bool = False,
            manifest=None, to_simplified: bool = False, lexicon=None, slogan_lexicons=None) -> AnalysisResult:
    """Run every analysis over the reports in ``paths`` and write the results to ``out``.

    Parameters
    ----------
    paths : path or list of paths (files or folders of reports).
    out : output folder (created; refused if it holds other files, unless ``force``).
    force : write into an existing folder, overwriting only this job's own files.
    n_process : worker processes for segmentation (``-1``: every core).
    progress : show a progress bar on stderr.
    top_terms : how many ranked terms the terms table keeps.
    n_topics : the number of topics; None chooses it by NPMI coherence.
    random_state : seed of the topic model (same seed, same results).
    strict, manifest, to_simplified : as in :meth:`Corpus.from_path`.
    lexicon : extra domain-lexicon files for the tokenizer (see :func:`cppcc_nlp.nlp`).
    slogan_lexicons : extra slogan lexicon files (see :func:`cppcc_nlp.detect_slogans`).

    Returns
    -------
    AnalysisResult

    Examples
    --------
    >>> result = analyze("corpora", "results", force=True)      # doctest: +SKIP
    >>> result.report                                            # doctest: +SKIP
    PosixPath('results/report.html')
    """
    import matplotlib.pyplot as plt

    from cppcc_nlp.output import plot
    from cppcc_nlp.corpus.corpus import Corpus
    from cppcc_nlp.terms.keyness import keyness
    from cppcc_nlp.output.report import Section, render
    from cppcc_nlp.slogans.detection import detect_slogans, slogan_cooccurrence, slogan_summary, track_slogans
    from cppcc_nlp.terms.ranking import extract_terms, group_sizes
    from cppcc_nlp.tokens.pipeline import nlp as make_nlp
    from cppcc_nlp.tokens.pipeline import tokens as make_tokens
    from cppcc_nlp.topics.model import TopicModel

    for name, value, option in (("top_terms", top_terms, "--top-terms"), ("n_topics", n_topics, "-k/--topics")):
        if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1):
            raise ParameterError(f"{name}={value!r} ({option}): give a positive whole number"
                                 + (", or leave it out to choose k by coherence" if name == "n_topics" else ""))
    out = Path(out)
    _prepare_output(out, force)
    result = AnalysisResult(out=out)
    sections: list[Section] = []
    bar = _progress(7, progress)

    def step(name):
        bar.set_description_str(f"analyze: {name}")
        return time.perf_counter()

    def done(name, started):
        result.timings[name] = round(time.perf_counter() - started, 2)
        bar.update(1)

    def table(name, df):
        result.tables[name] = df
        df.to_csv(out / "tables" / f"{name}.csv", index=False)
        _to_parquet(df, out / "tables" / f"{name}.parquet")

    def figure(name, fig, section):
        result.figures.extend(plot.save(fig, out / "figures" / name))
        section.figures.append(fig)

    # 1. corpus -------------------------------------------------------------------------------------------------
    t = step("reading")
    corpus = Corpus.from_path(paths, manifest=manifest, to_simplified=to_simplified, strict=strict)
    for path, message in corpus.problems:
        result.notes.append(f"Skipped {message}")
    docs = corpus.documents
    table("documents", docs)
    table("sections", corpus.sections)
    years = sorted(int(y) for y in docs["year"].dropna().unique())
    overview = Section("语料 Corpus", (
        f"{len(docs)} report(s), {int(docs['n_chars'].sum()):,} characters, delivered "
        f"{years[0]}–{years[-1]}; {len(corpus.sections)} sections, {len(corpus.paragraphs)} paragraphs. "
        "Each section carries the period it speaks about: the review part the reviewed year, the plan part the "
        "planned year." + ("\n\n" + "\n".join(result.notes) if result.notes else "")))
    overview.tables.append(("Documents", docs[["doc_id", "title", "organ", "level", "region", "year", "date",
                                               "speaker", "abridged", "n_chars", "n_sections", "n_paragraphs"]]))
    figure("corpus_overview", plot.corpus_overview(docs), overview)
    sections.append(overview)
    done("reading", t)

    # 2. tokens -------------------------------------------------------------------------------------------------
    t = step("tokens")
    pipeline = make_nlp(lexicon=lexicon) if lexicon else None
    tok = make_tokens(corpus, nlp=pipeline, n_process=n_process)
    if tok.empty:
        raise EmptyCorpusError("the corpus has no text to analyse")
    done("tokens", t)

    # 3. slogans ------------------------------------------------------------------------------------------------
    t = step("slogans")
    occ = detect_slogans(corpus, lexicons=slogan_lexicons)
    table("slogan_occurrences", occ)
    slog = Section("提法 Slogans", "")
    if occ.empty:
        slog.text = "No slogan was found."
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tracking = track_slogans(occ, corpus, by="period")
            summary = slogan_summary(occ, corpus, by="period", lexicons=slogan_lexicons)
        cooc = slogan_cooccurrence(occ, corpus)
        table("slogan_tracking", tracking)
        table("slogan_summary", summary)
        table("slogan_cooccurrence", cooc)
        kinds = occ.groupby("kind")["canonical"].nunique().to_dict()
        slog.text = (f"{len(occ)} occurrences of {occ['canonical'].nunique()} slogans "
                     f"({', '.join(f'{k}: {v}' for k, v in sorted(kinds.items()))}); "
                     f"{int((~occ['in_lexicon']).sum())} occurrences are of slogans found by discovery "
                     "(in no lexicon). Rates are per 10,000 characters of the text speaking about each year "
                     f"(period); the timeline and lifecycle figures leave out periods with under {TIMELINE_MIN_CHARS:,} characters "
                     "of text, whose rates are noise (all periods are in slogan_tracking.csv).")
        period_col = "period" if "period" in tracking.columns else "year"
        shown = tracking if tracking[period_col].nunique() == 1 else tracking[
            tracking["n_chars"] >= min(TIMELINE_MIN_CHARS, tracking["n_chars"].max())]
        figure("slogan_timeline", plot.slogan_timeline(shown, year=period_col, value="rate_per_10k"), slog)
        top5 = summary["canonical"].head(5).tolist()
        if shown[period_col].nunique() > 1 and top5:
            figure("slogan_lifecycle", plot.slogan_lifecycle(shown, top5, year=period_col,
                                                             value="rate_per_10k"), slog)
        slog.tables.append(("Slogans, most frequent first", summary))
        if not cooc.empty:
            slog.tables.append(("Slogans used in the same paragraph", cooc))
    sections.append(slog)
    done("slogans", t)

    # 4. terms --------------------------------------------------------------------------------------------------
    t = step("terms")
    terms = extract_terms(tok, top=top_terms, by_year=True)   # one int column of frequencies per year
    table("terms", terms)
    term_sec = Section("术语 Terms", "Multi-word terms ranked by C-value weighted by cohesion (PMI) and open "
                                     "boundaries (branching entropy); see docs/terms.md.")
    if not terms.empty:
        trend_terms = terms["term"].head(6).tolist()
        # the per-year table of term_frequencies, from the counts extract_terms already made
        years = [c for c in terms.columns if not isinstance(c, str)]
        per_year = (terms.head(50)[["term", *years]].melt(id_vars="term", var_name="year", value_name="freq",
                                                          ignore_index=False)
                    .sort_index(kind="stable").reset_index(drop=True))          # term by term, as ranked
        per_year["n_tokens"] = per_year["year"].map(group_sizes(tok, "year")).astype("int64")
        per_year["per_10k"] = per_year["freq"] / per_year["n_tokens"] * 10_000
        table("term_frequencies", per_year)
        if per_year["year"].nunique() > 1:
            figure("term_trends", plot.term_trends(per_year, trend_terms, value="per_10k"), term_sec)
        term_sec.tables.append(("Top terms", terms.head(50).drop(columns=years)))
    sections.append(term_sec)
    done("terms", t)

    # 5. keyness ------------------------------------------------------------------------------------------------
    t = step("keyness")
    key_sec = Section("关键性 Keyness", "")
    if len(years) > 1:
        target = years[-1]
        key = keyness(tok, target=target, by="year")
        table("keyness", key)
        key_sec.text = (f"Terms over- and under-represented in {target} against {years[0]}–{years[-2]} "
                        "(log-likelihood G² and log ratio); terms new in the target year are marked is_new.")
        if not key.empty:
            figure("keyness", plot.keyness_bars(key, score="g2", effect="log_ratio",
                                                target_label=str(target),
                                                reference_label=f"{years[0]}–{years[-2]}"), key_sec)
            key_sec.tables.append((f"New in {target}", key[key["is_new"]].head(30)))
    else:
        key_sec.text = (f"Keyness needs at least two years; this corpus has only {years[0]}. Add earlier "
                        "reports to compare.")
        result.notes.append(key_sec.text)
    sections.append(key_sec)
    done("keyness", t)

    # 6. topics -------------------------------------------------------------------------------------------------
    t = step("topics")
    top_sec = Section("主题 Topics", "")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = TopicModel(n_topics=n_topics, random_state=random_state).fit(corpus, tokens=tok)
        for w in caught:
            result.notes.append(f"Topics: {w.message}")
    except (ParameterError, EmptyCorpusError) as exc:   # too little text for topics: the rest still stands
        model = None
        top_sec.text = f"No topic model: {exc}"
        result.notes.append(top_sec.text)
    if model is not None:
        table("topics", model.topics_)
        table("topic_coherence", model.coherence_)
        table("unit_topics", model.doc_topics_)
        shares = model.shares(by="year")
        table("topic_shares_by_year", shares)
        if model.section_topics_ is not None:
            table("section_topics", model.section_topics_)
        model.save(out / "topic_model.zip")
        top_sec.text = (f"{model.n_topics_} topics over {len(model.doc_topics_)} {model.unit}s; k chosen by NPMI "
                        "coherence over paragraph co-occurrence." if n_topics is None else
                        f"{model.n_topics_} topics over {len(model.doc_topics_)} {model.unit}s.")
        if len(model.coherence_) > 1:
            figure("topic_coherence", plot.coherence_by_k(model.coherence_, score="coherence",
                                                          chosen=model.n_topics_), top_sec)
        share_cols = [c for c in shares.columns if str(c).startswith("topic_")]
        labels = {f"topic_{r.topic_id}": f"{r.topic_id}: {r.label}" for r in model.topics_.itertuples()}
        share_table = shares.set_index("year")[share_cols] if "year" in shares.columns else shares[share_cols]
        if len(share_table) > 1:
            figure("topic_shares", plot.topic_shares(share_table, labels=labels), top_sec)
        top_sec.tables.append(("Topics", model.topics_))
        top_sec.tables.append(("Share of text by year", share_table.rename(columns=labels).reset_index()))
    sections.append(top_sec)
    done("topics", t)

    # 7. report -------------------------------------------------------------------------------------------------
    t = step("report")
    sources = ", ".join(map(str, paths)) if isinstance(paths, (list, tuple)) else str(paths)
    subtitle = f"{len(docs)} report(s) from {sources}; cppcc-nlp {__version__}"
    result.report = out / "report.html"
    result.report.write_text(render("政治工作报告分析 · Work-report analysis", sections, subtitle=subtitle),
                             encoding="utf-8")
    for section in sections:
        for fig in section.figures:
            plt.close(fig)
    done("report", t)
    bar.close()
    result.timings["total"] = round(sum(v for k, v in result.timings.items()), 2)
    return result


def _to_parquet(df: pd.DataFrame, path: Path) -> None:
    """Parquet with object columns of mixed or list values made strings (so any table can be written)."""
    safe = df.copy()
    for column in safe.columns:
        if safe[column].dtype == object:
            values = safe[column].dropna()
            if not values.map(lambda v: isinstance(v, str)).all():
                safe[column] = safe[column].map(lambda v: v if v is None or isinstance(v, str) else str(v))
    safe.columns = [str(c) for c in safe.columns]
    safe.to_parquet(path, index=False)
