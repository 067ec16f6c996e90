"""The main job: read a corpus, run every analysis, write tables, figures and ``report.html``.

``cppcc-nlp analyze PATH... --out DIR`` (or :func:`analyze` from Python) runs, in this order:
reading and structure → tokens (cached) → slogans (occurrences, tracking by period, summary, co-occurrence)
→ terms (ranking, per-year frequencies, contexts of the top terms) → keyness (the latest year against the
earlier ones, or ``target``/``reference`` years) → indicators (numbers, the target/outcome chain) → topics
(k chosen by NPMI coherence, shares by year, the topic of each section).  It writes to ``DIR``:

* ``tables/<name>.csv`` and ``tables/<name>.parquet`` for every table;
* ``figures/<name>.png`` and ``figures/<name>.svg`` for every figure;
* ``topic_model.zip``, the fitted topic model (apply it to next year's reports with ``TopicModel.load``);
* ``report.html``, one self-contained page with every figure inline.

A second run over the same corpus with the same options copies back what each step wrote (tables, figure
files, the rendered report section: :mod:`cppcc_nlp.output.step_cache`) without building the token table,
loading the pkuseg model or drawing anything.  A step whose options changed reuses the token cache (no
segmentation) and the derived results (slogans, terms, keyness, indicators, the topic model:
:mod:`cppcc_nlp.output.derived_cache`); both are keyed by a fingerprint of the documents, parameters, lexicon,
library version and source.  Paragraphs the token cache lacks are segmented in a forked child process that
loads the model (``tokens(isolate=True)``), so the main process never holds its 1 GB.  With ``n_process`` > 1
(``--jobs``) the analysis steps run side by side, each in a forked child that shares the corpus and the token
table copy-on-write, draws its figures and keeps its outputs (:class:`_StepRunner`); those that need no tokens
(slogans, indicators) start beside a small segmentation (a refresh).  The outputs are those of the steps
run one after another.  After a small refresh (reports added, at most 2% more characters than when the topic
model was fitted) the added reports are folded into that model (its topics stay; ``TopicModel.fold_in``); after a
larger one (at most 20% more characters than when k was chosen), or with ``refit_topics=True``
(``--refit-topics``), the model is refitted with the k chosen before, warm-started from the earlier model (topic
i continues topic i); ``rechoose_k=True`` (``--rechoose-k``) searches k again.  An output folder that already holds other files
is refused unless ``force=True``; even then only the files listed above are overwritten and nothing else is
deleted.

This module only orchestrates.  Each step is one function ``_<step>(job) -> Part``: it calls the library on
what earlier steps left in ``job`` (``job.corpus``, ``job.tokens``, ``job.years``) and returns its tables (by
file name) and its report section (built in :mod:`cppcc_nlp.output._sections`, prose and figures included).
:func:`analyze` runs the steps of :data:`STEPS` in order; for each it shows progress, times it, writes the
tables (:func:`cppcc_nlp.output.tables.write_table`) and figures, and adds the section to the report.

To add a step (say ``indicators``): write ``_indicators(job) -> Part`` here, its section builder in
``output/_sections.py``, and put ``("indicators", _indicators)`` in :data:`STEPS` where it belongs (after
``tokens`` if it needs them).  The progress bar, the timings and the report follow.
"""

from __future__ import annotations

import functools
import numbers
import shutil
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cppcc_nlp._hugepages import huge_pages_off
from cppcc_nlp._version import __version__
from cppcc_nlp.errors import EmptyCorpusError, OutputError, ParameterError
from cppcc_nlp.output.step_cache import StoredStep, load_step, store_step

MARKER = ".cppcc-nlp-output"
#: first word of the marker while a run writes, and after it finished
INCOMPLETE, COMPLETE = "incomplete", "written"


@dataclass
class AnalysisResult:
    """What :func:`analyze` produced: the tables (by name), the figure paths, the report path and timings."""

    out: Path
    tables: dict = field(default_factory=dict)
    figures: list = field(default_factory=list)
    report: Path | None = None
    timings: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    n_read: int = 0  # reports read
    skipped: list = field(default_factory=list)  # (path, message) of the files skipped


@dataclass
class Part:
    """What one step made: its tables (file name → DataFrame), its report section, notes for the user."""

    tables: dict = field(default_factory=dict)
    section: object = None  # cppcc_nlp.output.report.Section, or None for a step with nothing to show
    notes: list = field(default_factory=list)
    files: list = field(default_factory=list)  # other files it wrote, relative to the output folder


@dataclass
class Job:
    """The options of one run, and what its steps pass on to later steps."""

    paths: object
    out: Path
    n_process: int = 1
    top_terms: int = 200
    n_topics: int | None = None
    random_state: int = 0
    strict: bool = False
    manifest: object = None
    to_simplified: bool = False
    lexicon: object = None
    slogan_lexicons: object = None
    client: object = None  # a distributed.Client: reading, tokens, slogans and term counts run on its cluster
    rechoose_k: bool = False
    refit_topics: bool = False
    token_key: str = ""  # pipeline and lexicon versions of the tokens; set by _run after reading
    target: object = None  # keyness target year(s); None: the latest year
    reference: object = None  # keyness reference year(s); None: the years before the target
    corpus: object = None  # set by _read
    years: list = field(default_factory=list)  # delivery years, sorted; set by _read
    tokens: pd.DataFrame | None = None  # set by _tokens
    start_early: object = None  # set by _run: starts the analyses that need no tokens (called by _tokens)
    segmenter: object = None  # set by _read: a PreloadedSegmenter loading the model beside the reading, or None


# --- the steps, in the order they run ----------------------------------------------------------------------------


def _read(job: Job) -> Part:
    """Read and structure the reports: documents and sections."""
    from cppcc_nlp.corpus.corpus import Corpus
    from cppcc_nlp.output._sections import corpus_section

    job.segmenter = _preloaded_segmenter(job)
    corpus = Corpus.from_path(
        job.paths, manifest=job.manifest, to_simplified=job.to_simplified, strict=job.strict, client=job.client
    )
    job.corpus = corpus
    job.years = sorted(int(y) for y in corpus.documents["year"].dropna().unique())
    notes = [f"Skipped {message}" for _, message in corpus.problems]
    section = corpus_section(
        corpus.documents,
        n_sections=len(corpus.sections),
        n_paragraphs=len(corpus.paragraphs),
        notes=notes,
        series=series_of(corpus),
    )
    return Part({"documents": corpus.documents, "sections": corpus.sections}, section, notes)


def _preloaded_segmenter(job: Job):
    """A :class:`~cppcc_nlp.tokens.table.PreloadedSegmenter`, so that the model loads on a core the reading
    leaves idle, when the job may segment: it reads a store that holds a report never read (a first run, a
    refresh after ``add``), or folders or files (whose reading leaves no trace to tell a first run from a rerun:
    on a rerun the child is stopped once the reading shows every paragraph's tokens cached, after loading
    beside it for that long), on a machine with two cores or more.  None otherwise (a store read before, whose
    rerun most likely segments nothing; a cluster; no fork; one core, where the child would slow the reading),
    or when a store's manifest cannot be read (reading then says why).

    A cold run of the shared corpora's folder (26 reports, 2 cores, 6 pairs alternating): 29.2-33.9 s ->
    27.9-31.6 s, 1.4 s less on average (the model loads beside the 1.5 s of reading; the VM's noise is +-2 s);
    a rerun 1.6-2.0 s either way, with 0.7 s more CPU time (the child loading until the reading ends).
    """
    from cppcc_nlp._fork import fork_available
    from cppcc_nlp.corpus._store_format import is_store
    from cppcc_nlp.corpus.store import CorpusStore
    from cppcc_nlp.errors import CppccError
    from cppcc_nlp.tokens._parallel import cores

    paths = [job.paths] if isinstance(job.paths, (str, Path)) else list(job.paths)
    if job.client is not None or not fork_available() or cores(-1) < 2:
        return None
    if len(paths) == 1 and job.manifest is None and is_store(Path(paths[0])):
        try:
            if not CorpusStore(paths[0]).has_unread_reports(to_simplified=job.to_simplified):
                return None
        except (CppccError, OSError):  # (a damaged store: reading says why)
            return None
    from cppcc_nlp.tokens.table import PreloadedSegmenter

    return PreloadedSegmenter(job.lexicon)


def series_of(corpus) -> pd.Series:
    """The series label of each document (``organ/level/region``, e.g. ``国务院/national/全国``), by doc_id.

    A document whose region is unknown is a series of its own (its doc_id), as in
    :func:`cppcc_nlp.target_outcomes`.
    """
    docs = corpus.documents.set_index("doc_id")
    parts = [docs[c].astype(object).where(docs[c].notna(), "").astype(str) for c in ("organ", "level", "region")]
    label = parts[0] + "/" + parts[1] + "/" + parts[2]
    return label.where(docs["region"].notna(), pd.Series(docs.index, index=docs.index))


def _tokens(job: Job) -> Part:
    """Segment (or read the token cache); refuse a corpus without text.

    When every step that reads tokens has its outputs kept from an earlier run on this corpus with these
    options, the token table is not built at all.  Otherwise the paragraphs the cache lacks are segmented in a
    forked child process (``tokens(isolate=True)``), so that this process never holds the pkuseg model.  This
    process only waits for it; meanwhile it starts the analyses that need no tokens when the segmentation is
    small (:data:`EARLY_START_CHARS`), and imports what the topics step needs.
    """
    from cppcc_nlp.tokens.table import tokens

    if not job.corpus.paragraphs["text"].fillna("").str.strip().astype(bool).any():
        raise EmptyCorpusError("the corpus has no text to analyse")
    if all(_step_cache(job, name).has("step") for name in TOKEN_STEPS):
        if job.segmenter is not None:
            job.segmenter.cancel()  # (now, not when the run ends)
        return Part()
    job.tokens = tokens(
        job.corpus,
        lexicon=job.lexicon,
        n_process=job.n_process,
        client=job.client,
        isolate=job.client is None,
        compact=True,  # (a third of the memory; the same tables: tests/test_analyze)
        while_segmenting=lambda n_chars: _while_segmenting(job, n_chars),
        segmenter=job.segmenter,
    )
    if job.tokens.empty:
        raise EmptyCorpusError("the corpus has no text to analyse")
    return Part()


#: at most this many characters to segment (a few seconds on two cores), the analyses that need no tokens start
#: beside the segmentation: they take the core it leaves idle while the model loads.  Beside a larger one they
#: only slow it down (1.9 M characters, 2 cores: 125 s in all, the tokens step 60 s, instead of 113 s and 45 s).
EARLY_START_CHARS = 200_000


def _while_segmenting(job: Job, n_chars: int) -> None:
    """What this process does while its child segments ``n_chars`` characters (the cached rows built): start the
    analyses that need no tokens when that is little, and import scikit-learn for the topics step (a child forked
    after this step, which thus inherits it instead of importing it, 2-3 s) while the child still loads the model.

    Once the model is loaded, the segmentation of a refresh (one report) ends before the import would: the token
    table, which every later step waits for, would then wait for the import (16 copies of the shared corpora:
    the table 2 s later), so the topics child imports scikit-learn itself, beside the terms step.
    """
    if n_chars <= EARLY_START_CHARS and job.start_early is not None:
        job.start_early()
    loading = job.segmenter is None or not job.segmenter.loaded
    if loading and not _step_cache(job, "topics").has("step"):
        _import_topic_model()


def _import_topic_model() -> None:
    import sklearn.decomposition  # noqa: F401  (the NMF solver, imported when the first fit starts)

    import cppcc_nlp.topics.model  # noqa: F401


def _slogans(job: Job) -> Part:
    """Slogan occurrences; with any, their tracking and summary by period, their co-occurrence, the rates of
    the most used ones by series and period (with counts), and the contexts of each."""
    from cppcc_nlp.output._sections import slogan_section
    from cppcc_nlp.slogans.detection import detect_slogans
    from cppcc_nlp.slogans.tracking import slogan_cooccurrence, slogan_summary, track_slogans

    names = ("slogan_occurrences", "slogan_tracking", "slogan_summary", "slogan_cooccurrence", "slogan_rates_by_series")
    cache = _derived(job, "slogans", _files_version(job.slogan_lexicons))
    tables, contexts = _read_back(cache, names), _read_back_groups(cache, "slogan_contexts")
    if tables is None or contexts is None:
        by_document = _document_caches(job, "slogans-of-document", _files_version(job.slogan_lexicons))
        occ = detect_slogans(job.corpus, lexicons=job.slogan_lexicons, client=job.client, cache=by_document)
        if occ.empty:
            return Part({"slogan_occurrences": occ}, slogan_section(occ))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tracking = track_slogans(occ, job.corpus, by="period")
            summary = slogan_summary(occ, job.corpus, by="period", lexicons=job.slogan_lexicons, table=tracking)
        cooc = slogan_cooccurrence(occ, job.corpus)
        shown = summary["canonical"].drop_duplicates().tolist()[:CONTEXT_ITEMS]  # one row per slogan and series
        rates = _rates_by_series(occ.rename(columns={"canonical": "item"}), job.corpus, shown)
        picked = occ[occ["canonical"].isin(shown)]
        rows = _occurrence_contexts(picked, job.corpus)  # (rows keep the index of picked)
        contexts = {s: rows[picked["canonical"] == s] for s in shown}
        tables = dict(zip(names, (occ, tracking, summary, cooc, rates)))
        _put_back(cache, tables)
        _put_back_groups(cache, "slogan_contexts", contexts)
    occ, tracking, summary, cooc, rates = (tables[name] for name in names)
    return Part(tables, slogan_section(occ, tracking, summary, cooc, rates=rates, contexts=contexts))


def _document_caches(job: Job, *parts) -> dict:
    """doc_id → the derived cache of that document's own results, keyed by its content and ``parts``: after a
    refresh the unchanged reports find theirs."""
    from cppcc_nlp.output.derived_cache import DerivedCache, cache_root, document_fingerprints

    root = cache_root(job.corpus)
    keys = document_fingerprints(job.corpus, *parts, job.to_simplified)
    return {doc_id: DerivedCache(root, key) for doc_id, key in keys.items()}


def _files_version(paths) -> str:
    """A hash of the contents of the files ``paths`` (extra lexicons): part of a derived-cache key."""
    import hashlib

    if not paths:
        return ""
    digest = hashlib.blake2b(digest_size=8)
    for path in _listed(paths):
        digest.update(Path(path).read_bytes() if isinstance(path, (str, Path)) else repr(path).encode())
    return digest.hexdigest()


def _listed(paths) -> list:
    """``paths`` (one file, several, or None: the lexicon options) as a list."""
    return [paths] if isinstance(paths, (str, Path)) else list(paths or ())


def _read_back(cache, names) -> dict | None:
    """The tables ``names`` of an earlier run from the derived cache, or None unless every one is there."""
    tables = {}
    for name in names:
        tables[name] = cache.frame(name)
        if tables[name] is None:
            return None
    return tables


def _put_back(cache, tables: dict) -> None:
    for name, table in tables.items():
        cache.put_frame(name, table)


def _read_back_groups(cache, name: str) -> dict | None:
    """``{label: DataFrame}`` (contexts of each slogan or term) stored by :func:`_put_back_groups`, or None."""
    frame = cache.frame(name)
    if frame is None:
        return None
    return {
        label: rows.drop(columns="_label").reset_index(drop=True) for label, rows in frame.groupby("_label", sort=False)
    }


def _put_back_groups(cache, name: str, groups: dict) -> None:
    if groups:
        frames = [rows.reset_index(drop=True).assign(_label=label) for label, rows in groups.items()]
        cache.put_frame(name, pd.concat(frames, ignore_index=True))


#: resolution of the PNG figure files (the page inlines them, shown at the size of ``report.REPORT_DPI``)
FIGURE_DPI = 150
#: how many slogans and terms get their rates by series and their list of contexts in the report
CONTEXT_ITEMS = 20
#: contexts shown per slogan or term (all are in the tables)
CONTEXTS_SHOWN = 40
#: characters of context on each side
CONTEXT_WINDOW = 25


def _rates_by_series(occurrences: pd.DataFrame, corpus, items) -> pd.DataFrame:
    """Per (series, period, item): count, n_chars and n_reports of the text speaking about the period, and
    per_10k_chars.  ``occurrences`` has doc_id, period and item columns; every item × every (series, period)
    with text gets a row (0 when unused)."""
    series = series_of(corpus)
    sections = corpus.sections.assign(series=lambda d: d["doc_id"].map(series))
    text = (
        sections.dropna(subset=["period"])
        .groupby(["series", "period"])
        .agg(n_chars=("n_chars", "sum"), n_reports=("doc_id", "nunique"))
        .reset_index()
    )
    occ = occurrences[occurrences["item"].isin(items)].assign(series=lambda d: d["doc_id"].map(series))
    counts = occ.groupby(["series", "period", "item"]).size().rename("count").reset_index()
    grid = text.merge(pd.DataFrame({"item": list(items)}), how="cross")
    out = grid.merge(counts, on=["series", "period", "item"], how="left")
    out["count"] = out["count"].fillna(0).astype("int64")
    out["per_10k_chars"] = out["count"] / out["n_chars"].where(out["n_chars"] > 0) * 10_000
    out["period"] = out["period"].astype("int64")
    return out[["item", "series", "period", "count", "n_reports", "n_chars", "per_10k_chars"]]


def _places(corpus) -> tuple[pd.Series, pd.Series]:
    """What :func:`_with_place` adds to context rows: the series of each document, the heading of each section
    (made once per step, not once per term)."""
    return series_of(corpus), corpus.sections.set_index("section_id")["heading"]


def _with_place(rows: pd.DataFrame, places: tuple[pd.Series, pd.Series]) -> pd.DataFrame:
    """``rows`` (doc_id, section_id …) with the series and the heading of the section (``places``:
    :func:`_places`)."""
    series, headings = places
    return rows.assign(series=rows["doc_id"].map(series), section=rows["section_id"].map(headings).fillna(""))


def _occurrence_contexts(occ: pd.DataFrame, corpus) -> pd.DataFrame:
    """Keyword-in-context rows of slogan occurrences: year, period, series, section, left, match, right."""
    left, right = [], []
    for doc_id, start, end in zip(occ["doc_id"], occ["start"], occ["end"]):
        text = corpus[doc_id].text
        left.append(text[max(0, start - CONTEXT_WINDOW) : start].replace("\n", " "))
        right.append(text[end : end + CONTEXT_WINDOW].replace("\n", " "))
    rows = _with_place(occ.assign(left=left, match=occ["text"], right=right), _places(corpus))
    return rows[["doc_id", "year", "period", "series", "section", "left", "match", "right"]]


def _term_contexts(terms, corpus) -> dict:
    """``{term: keyword-in-context rows of it in the text}`` (``Corpus.kwic``), with series and section."""
    places = _places(corpus)
    columns = ["doc_id", "year", "period", "series", "section", "left", "match", "right"]
    return {t: _with_place(corpus.kwic(t, window=CONTEXT_WINDOW), places)[columns] for t in terms}


def _terms(job: Job) -> Part:
    """Ranked terms with one frequency column per year, and the per-year frequencies of the top 50."""
    from cppcc_nlp.output._sections import term_section
    from cppcc_nlp.terms.ranking import extract_terms

    cache = _derived(job, "terms", job.top_terms)
    terms = cache.frame("terms")
    if terms is None:
        terms = extract_terms(job.tokens, top=job.top_terms, by_year=True, client=job.client)
        cache.put_frame("terms", terms)
    if terms.empty:
        return Part({"terms": terms}, term_section(terms))
    frequencies = _term_frequencies(terms.head(50), job.tokens)
    contexts = _term_contexts(terms["term"].head(CONTEXT_ITEMS), job.corpus)
    return Part(
        {"terms": terms, "term_frequencies": frequencies},
        term_section(
            terms, frequencies, contexts=contexts, documents=job.corpus.documents, series=series_of(job.corpus)
        ),
    )


def _keyness(job: Job) -> Part:
    """Keyness of ``job.target`` (default: the latest year) against ``job.reference`` (default: the earlier
    years), with the contexts of the most over-used terms; with one year, a note instead."""
    from cppcc_nlp.output._sections import keyness_section
    from cppcc_nlp.terms.keyness import keyness

    if len(job.years) < 2:
        section = keyness_section(None, job.years)
        return Part({}, section, [section.text])
    # the target (default: the latest year) against the earlier years of its own series: the series with the
    # most text in the target's first year (national_2024 and a county report of 2024 are not one series)
    target = job.years[-1] if job.target is None else job.target
    first = min(target) if isinstance(target, (list, tuple)) else target
    # (with the default reference, the largest series that has an earlier year: a report of a new region for the
    # latest year, as a refresh adds, has nothing to be compared with)
    in_target = job.tokens[job.tokens["year"] == first]
    series = None
    if "series" in in_target.columns and len(in_target):
        ranked = in_target["series"].value_counts().index
        # (pd.unique: a set of the column's values took 1.4 s for 4.2 M tokens)
        earlier = (
            set(pd.unique(job.tokens.loc[job.tokens["year"] < first, "series"]))
            if job.reference is None
            else set(ranked)
        )
        series = next((s for s in ranked if s in earlier), ranked[0])
    cache = _derived(job, "keyness", repr(target), repr(job.reference), series)
    key = cache.frame("keyness")
    if key is None:
        try:
            key = keyness(
                job.tokens,
                target=target,
                reference=job.reference,
                by="year",
                series=series or "same",
                client=job.client,
            )
        except ParameterError as exc:  # no series has an earlier year: say so, as with a one-year corpus
            section = keyness_section(None, job.years, note=f"No keyness table: {exc}.")
            return Part({}, section, [section.text])
        cache.put_frame("keyness", key)
    over = key[key["g2"] > 0]["term"].head(10) if not key.empty else []
    contexts = _term_contexts(over, job.corpus)
    return Part(
        {"keyness": key}, keyness_section(key, job.years, target=target, reference=job.reference, contexts=contexts)
    )


def _indicators(job: Job) -> Part:
    """Quantitative statements and the target/outcome chain per series, a figure per main indicator."""
    from cppcc_nlp.indicators.chain import target_outcomes
    from cppcc_nlp.indicators.extract import indicators
    from cppcc_nlp.output._sections import indicator_section

    cache = _derived(job, "indicators")
    tables = _read_back(cache, ("indicators", "target_outcomes", "indicator_notes"))
    if tables is None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ind = _indicators_by_document(job, indicators)
            chain = target_outcomes(ind)
        notes = [f"Indicators: {w.message}" for w in caught]
        _put_back(
            cache, {"indicators": ind, "target_outcomes": chain, "indicator_notes": pd.DataFrame({"note": notes})}
        )
    else:
        ind, chain, notes = tables["indicators"], tables["target_outcomes"], tables["indicator_notes"]["note"].tolist()
    return Part({"indicators": ind, "target_outcomes": chain}, indicator_section(ind, chain, notes=notes), notes)


def _indicators_by_document(job: Job, extract) -> pd.DataFrame:
    """``indicators(job.corpus)``, document by document, each document's rows kept in the derived cache: every
    statement is read within its own document (as on a cluster: ``indicators._distributed``), so after a
    refresh only the new reports are read."""
    from cppcc_nlp.corpus.corpus import Corpus
    from cppcc_nlp.indicators.extract import concat_indicators
    from cppcc_nlp.indicators.names import load_indicator_names
    from cppcc_nlp.output.derived_cache import cache_root, concat_frames, document_fingerprints

    names = load_indicator_names()  # the YAML read once, not once per document
    keys = document_fingerprints(job.corpus, "indicators-of-document", job.to_simplified)
    docs = job.corpus.docs
    rows = concat_frames(
        cache_root(job.corpus),
        [keys[doc.doc_id] for doc in docs],
        "indicators",
        lambda i: extract(Corpus([docs[i]]), names=names),
    )
    return concat_indicators([rows])


def _topics(job: Job) -> Part:
    """The topic model (k by coherence unless given), saved as ``topic_model.zip``, and its tables.

    Too little text for a model is no failure of the job: the section and a note say why.
    """
    from cppcc_nlp.output._sections import topic_section
    from cppcc_nlp.topics.model import TopicModel

    cache = _derived(job, "topics", job.n_topics, job.random_state)
    params_key = _params_key(job, "topics", job.random_state)
    fit_key = _params_key(job, "topics-fit", job.n_topics, job.random_state)
    # what a run with other options made is not read: a model refitted with the k of an earlier run
    # (--rechoose-k does not read it), one with reports folded in (--refit-topics and --rechoose-k do not)
    model, caught, notes, saved = cache.model(), [], [], None
    if model is None and not job.rechoose_k:
        model = cache.model("topic-model-kept-k")
    if model is None and not (job.rechoose_k or job.refit_topics):
        model = cache.model("topic-model-folded")
    if model is None and not (job.rechoose_k or job.refit_topics):
        fitted = cache.previous_fit(fit_key, job.corpus)
        if fitted is not None:
            model = fitted.fold_in(
                job.corpus, tokens=job.tokens, units_cache=_document_caches(job, "topics-of-document", job.token_key)
            )
            saved = model.save(job.out / "topic_model.zip")
            cache.put_model(model, "topic-model-folded", saved=saved)
            notes.append(_folded_note(fitted, job.corpus))
    if model is None:
        k, earlier = job.n_topics, None
        if k is None and not job.rechoose_k:
            k = cache.previous_k(params_key, job.corpus)
            if k is not None:
                earlier = cache.previous_model(params_key, job.corpus)  # warm start: topic i continues topic i
                notes.append(
                    f"Topics: k={k} kept from the earlier run on this corpus before reports were added "
                    "(pass --rechoose-k to search k again)"
                )
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                model = TopicModel(n_topics=k, random_state=job.random_state, n_jobs=job.n_process).fit(
                    job.corpus,
                    tokens=job.tokens,
                    warm_start=earlier,
                    units_cache=_document_caches(job, "topics-of-document", job.token_key),
                )
        except (ParameterError, EmptyCorpusError) as exc:
            section = topic_section(failure=str(exc))
            return Part({}, section, [section.text])
        saved = model.save(job.out / "topic_model.zip")  # (the caches keep its bytes: one save, not two or three)
        cache.put_model(model, "topic-model" if k == job.n_topics else "topic-model-kept-k", saved=saved)
        cache.remember_fit(fit_key, job.corpus, model, saved=saved)
        if k is None:
            cache.remember_k(params_key, job.corpus, model.n_topics_, model, saved=saved)
    notes = [f"Topics: {w.message}" for w in caught] + notes
    # one panel per series: shares of different sources on one year axis would read as change over time
    by = ["series", "year"] if "series" in model.doc_topics_.columns else "year"
    shares = model.shares(by=by)
    tables = {
        "topics": model.topics_,
        "topic_coherence": model.coherence_,
        "unit_topics": model.doc_topics_,
        "topic_shares_by_year": shares,
    }
    if model.section_topics_ is not None:
        tables["section_topics"] = model.section_topics_
    if saved is None:
        model.save(job.out / "topic_model.zip")
    return Part(tables, topic_section(model, shares, k_chosen=job.n_topics is None), notes, ["topic_model.zip"])


def _folded_note(fitted, corpus) -> str:
    """The note of a refresh folded into the model fitted before: how many reports, how much more text."""
    from cppcc_nlp.output.derived_cache import FOLD_IN_GROWTH

    docs = corpus.documents
    added = ~docs["doc_id"].isin(set(fitted.doc_topics_["doc_id"]))
    growth = docs.loc[added, "n_chars"].sum() / max(docs.loc[~added, "n_chars"].sum(), 1)
    return (
        f"Topics: the {int(added.sum())} report(s) added since the topic model was fitted ({growth:.1%} more text) "
        f"are folded into it: its topics are kept (refitted past {FOLD_IN_GROWTH:.0%} more text, or with "
        "--refit-topics)"
    )


def _derived(job: Job, step: str, *params):
    """The derived-results cache of one step, keyed by the corpus, the tokens' versions and ``params``."""
    from cppcc_nlp.output.derived_cache import DerivedCache, cache_root, fingerprint

    return DerivedCache(
        cache_root(job.corpus), fingerprint(job.corpus, step, job.token_key, job.to_simplified, *params)
    )


def _step_cache(job: Job, step: str):
    """Where the outputs of ``step`` (tables, figures, files, rendered section) are kept for a rerun
    (:mod:`cppcc_nlp.output.step_cache`): keyed by the corpus, the tokens' versions and the step's options."""
    from cppcc_nlp.output.step_cache import STEP_FORMAT

    return _derived(job, f"step{STEP_FORMAT}", step, *STEP_OPTIONS[step](job))


def _topics_state(job: Job) -> tuple:
    """Which topic models the derived cache holds for this corpus: a run with ``--rechoose-k`` adds the searched
    model, one with ``--refit-topics`` a refitted one, which later runs then read (so the kept outputs of a run
    before it are not reused)."""
    cache = _derived(job, "topics", job.n_topics, job.random_state)
    return tuple(cache.has(name, ".zip") for name in ("topic-model", "topic-model-kept-k", "topic-model-folded"))


#: the options each step's kept outputs depend on (beyond the corpus, the tokens' versions and the code)
STEP_OPTIONS = {
    "reading": lambda job: (sorted(str(message) for _, message in job.corpus.problems),),
    "slogans": lambda job: (_files_version(job.slogan_lexicons),),
    "terms": lambda job: (job.top_terms,),
    "keyness": lambda job: (repr(job.target), repr(job.reference)),
    "indicators": lambda job: (),
    "topics": lambda job: (job.n_topics, job.random_state, job.rechoose_k, job.refit_topics, _topics_state(job)),
}
#: the steps that read the token table
TOKEN_STEPS = ("terms", "keyness", "topics")


def _params_key(job: Job, step: str, *params) -> str:
    """A key of a step's parameters and versions without the corpus (the k of a refreshed corpus)."""
    from cppcc_nlp._cache import cache_key

    return cache_key("params", step, job.token_key, *(repr(p) for p in params))


#: (name, function) of every step but the report, in order; the name is shown in the progress bar and keys
#: ``AnalysisResult.timings``
STEPS = (
    ("reading", _read),
    ("tokens", _tokens),
    ("slogans", _slogans),
    ("terms", _terms),
    ("keyness", _keyness),
    ("indicators", _indicators),
    ("topics", _topics),
)


def _term_frequencies(terms: pd.DataFrame, tokens: pd.DataFrame) -> pd.DataFrame:
    """``term_frequencies(tokens, terms, by="year")``, from the per-year counts ``extract_terms`` already made.

    One row per (term, year), term by term in rank order: term, year, freq, n_tokens (words that year),
    n_chars (characters of that year's text), per_10k_chars.
    """
    import numpy as np

    from cppcc_nlp.terms.counts import folded_group_sizes

    # as term_frequencies counts: 大众创业、万众创新 read as 大众创业万众创新
    sizes, chars = folded_group_sizes(tokens, "year")

    years = [c for c in terms.columns if not isinstance(c, str)]  # by_year=True: one int column per year
    per_year = (
        terms[["term", *years]]
        .melt(id_vars="term", var_name="year", value_name="freq", ignore_index=False)
        .sort_index(kind="stable")
        .reset_index(drop=True)
    )
    per_year["n_tokens"] = per_year["year"].map(sizes).astype("int64")
    per_year["n_chars"] = per_year["year"].map(chars).fillna(0).astype("int64")
    per_year["per_10k_chars"] = (
        (per_year["freq"] / per_year["n_chars"].where(per_year["n_chars"] > 0) * 10_000).astype(float).fillna(np.nan)
    )
    return per_year


# --- the job ---------------------------------------------------------------------------------------------------


def analyze(
    paths,
    out,
    *,
    force: bool = False,
    n_process: int = 1,
    progress: bool = True,
    top_terms: int = 200,
    n_topics=None,
    random_state: int = 0,
    strict: bool = False,
    manifest=None,
    to_simplified: bool = False,
    lexicon=None,
    slogan_lexicons=None,
    client=None,
    rechoose_k: bool = False,
    refit_topics: bool = False,
    target=None,
    reference=None,
) -> AnalysisResult:
    """Run every analysis over the reports in ``paths`` and write the results to ``out``.

    Parameters
    ----------
    paths : path or list of paths (files or folders of reports).
    out : output folder (created; refused if it holds other files, unless ``force``).
    force : write into an existing folder, overwriting only this job's own files.
    n_process : worker processes for segmentation, and how many analysis steps run side by side, each in a
        forked child (``-1``: every core; 1: one after another in this process).
    progress : show a progress bar on stderr.
    top_terms : how many ranked terms the terms table keeps.
    n_topics : the number of topics; None chooses it by NPMI coherence.
    random_state : seed of the topic model (same seed, same results).
    strict, manifest, to_simplified : as in :meth:`Corpus.from_path`.
    lexicon : extra domain-lexicon files for the tokenizer (see :func:`cppcc_nlp.nlp`).
    slogan_lexicons : extra slogan lexicon files (see :func:`cppcc_nlp.detect_slogans`).
    client : a ``distributed.Client``: reading, tokens, slogans and the per-document term counts run on its
        Dask cluster, split by document; the ranking, keyness and topics run here on the merged tables and
        summed counts (docs/scale.md).  The tables are the same as without it.
    rechoose_k : search k again even where the k of an earlier run on this corpus (before reports were added)
        would be kept.
    refit_topics : fit the topic model again (warm-started, at the earlier k) even where the reports added since
        it was fitted are few enough to be folded into it (at most ``FOLD_IN_GROWTH``, 2%, more characters; see
        :meth:`TopicModel.fold_in`).
    target, reference : the keyness comparison, as years (``2019``, ``[2018, 2019]``); default: the latest
        year against the earlier ones (see :func:`cppcc_nlp.keyness`).

    Returns
    -------
    AnalysisResult

    Examples
    --------
    >>> result = analyze("corpora", "results", force=True)      # doctest: +SKIP
    >>> result.report                                            # doctest: +SKIP
    PosixPath('results/report.html')
    """
    _check_parameters(n_process=n_process, top_terms=top_terms, n_topics=n_topics)
    _check_lexicons(lexicon, slogan_lexicons)
    out = Path(out)
    created = not out.exists()
    _prepare_output(out, force)
    job = Job(
        paths,
        out,
        n_process=n_process,
        top_terms=top_terms,
        n_topics=n_topics,
        random_state=random_state,
        strict=strict,
        manifest=manifest,
        to_simplified=to_simplified,
        lexicon=lexicon,
        slogan_lexicons=slogan_lexicons,
        client=client,
        rechoose_k=rechoose_k,
        refit_topics=refit_topics,
        target=target,
        reference=reference,
    )
    try:
        with huge_pages_off():  # (on a VM that hands freed memory back to its host: cppcc_nlp._hugepages)
            return _run(job, progress)
    except BaseException:
        # a failed or interrupted run leaves no half-written folder of its own making, and a folder it was
        # given stays marked incomplete, so that the next run may write into it without --force
        if created:
            shutil.rmtree(out, ignore_errors=True)
        raise


def _run(job: Job, progress: bool) -> AnalysisResult:
    out = job.out
    result = AnalysisResult(out=out)
    started_run = time.perf_counter()
    sections = []
    bar = _progress(len(STEPS) + 1, progress)
    steps = _StepRunner(job, bar)
    try:
        try:
            # reading and tokens first, here: the later steps read what they leave in ``job``.  The reading step
            # always runs (its tables are the corpus's); only its figures and section are kept for a rerun.
            kept, seconds = {}, {}
            for name, step in STEPS[:2]:
                if name == "tokens":
                    # the analyses: the outputs of an earlier run with the same key are copied back, the others are
                    # computed; side by side, those that need no tokens may start beside a small segmentation
                    for analysis, _ in STEPS[2:]:
                        started = time.perf_counter()
                        kept[analysis] = load_step(_step_cache(job, analysis))
                        seconds[analysis] = time.perf_counter() - started
                    early = [n for n, stored in kept.items() if stored is None and n not in TOKEN_STEPS]
                    job.start_early = functools.partial(steps.start_early, early)
                started = _start(bar, name)
                part = step(job)
                cache = _step_cache(job, name) if name in STEP_OPTIONS else None
                stored = _present(part, cache, out, with_tables=False, reuse=cache is not None)
                _keep(part, stored, out, sections, result)
                _done(bar, name, started, result)
                if name == "reading":
                    result.n_read, result.skipped = len(job.corpus.documents), list(job.corpus.problems)
                    job.token_key = _token_key(job)
            todo = [name for name, stored in kept.items() if stored is None]
            if todo:  # (with every step kept, the page is most likely that of the earlier run, its font kept too)
                steps.start_font()
            for name, (stored, spent) in steps.run(todo).items():
                kept[name], seconds[name] = stored, spent
        finally:
            steps.cancel()  # (a failure or an interruption leaves no child computing)
            if job.segmenter is not None:  # (stopped already unless reading failed; stopping twice is harmless)
                job.segmenter.cancel()
        for name, stored in kept.items():
            started = time.perf_counter()
            # (a step computed here or in a child has written its tables and files already)
            _keep(Part(stored.tables, None, stored.notes), stored, out, sections, result, written=name in todo)
            if name not in todo:
                bar.update(1)
            result.timings[name] = round(seconds[name] + time.perf_counter() - started, 2)
        started = _start(bar, "report")
        steps.finish_font()
        result.report = _report(sections, job, out)
    finally:
        steps.finish_font(keep=False)  # (after a failure: no child left making the font)
    _done(bar, "report", started, result)
    bar.close()
    # (the wall time: steps computed side by side overlap, so this is less than the sum of the steps)
    result.timings["total"] = round(time.perf_counter() - started_run, 2)
    (out / MARKER).write_text(f"{COMPLETE} by cppcc-nlp {__version__}\n", encoding="utf-8")
    return result


def _token_key(job: Job) -> str:
    """The pipeline and lexicon versions of the tokens (part of every step's cache key); no model is loaded."""
    from cppcc_nlp.resources.lexicon import load_lexicon
    from cppcc_nlp.tokens.pipeline import pipeline_version

    return f"{pipeline_version()}|{load_lexicon(job.lexicon).version}"


def _keep(
    part: Part, stored: StoredStep, out: Path, sections: list, result: AnalysisResult, *, written: bool = False
) -> None:
    """Write a step's tables and files into ``out`` (``written``: they are there already); collect its notes and
    its report section."""
    result.notes.extend(stored.notes)
    _write_kept(part, stored, out, result, written=written)
    if stored.section is not None:
        sections.append(stored.section)


#: the relative cost of the analysis steps on a cold run (benchmarks/README.md): with several cores the
#: costliest start first, so that the last one to finish is a short one
STEP_COST = {"topics": 4, "indicators": 2, "terms": 2, "slogans": 2, "keyness": 1}


class _StepRunner:
    """Computes analysis steps: ``{name: (StoredStep, seconds)}``.

    With ``job.n_process`` asking for more than one core (``-j``/``--jobs``), no Dask client and ``fork``
    available, each step runs in a forked child (copy-on-write: the corpus and the token table are not
    copied), up to that many at once, the costliest first; a child draws the step's figures, renders its
    section and keeps its outputs in the step cache, then returns them.  Steps that need no tokens may start
    early (:meth:`start_early`), beside a small segmentation (they take the core it leaves unused while the
    model loads), at a lower priority (:data:`EARLY_NICENESS`); they do not count against the limit.  Otherwise
    the steps run one after another in this process, all in :meth:`run`.
    """

    def __init__(self, job: Job, bar):
        from cppcc_nlp._fork import fork_available
        from cppcc_nlp.tokens._parallel import cores

        self.job, self.bar = job, bar
        self.lanes = cores(job.n_process) if job.client is None and fork_available() else 1
        self.early = {}  # name -> Forked, until run() collects them
        self.font = None  # a Forked making the report's base font, until finish_font()

    def start_early(self, names: list) -> None:
        from cppcc_nlp._fork import Forked

        if self.lanes > 1:
            self.early = {
                name: Forked(_compute_step_beside_segmentation, self.job, name, name=f"cppcc-nlp-{name}")
                for name in names
            }

    def run(self, names: list) -> dict:
        if self.lanes <= 1:
            done = {}
            for name in names:
                _start(self.bar, name)
                done[name] = _compute_step(self.job, name)
                self.bar.update(1)
            return done
        from cppcc_nlp._fork import run_side_by_side

        def show(running, finished):
            if finished is not None:
                self.bar.update(1)
            self.bar.set_description_str(f"analyze: {', '.join(running)}")

        waiting = sorted((n for n in names if n not in self.early), key=lambda n: -STEP_COST.get(n, 1))
        early, self.early = self.early, {}  # (run_side_by_side stops them if anything fails)
        work = [(name, _compute_step_in_child, (self.job, name)) for name in waiting]
        return run_side_by_side(work, self.lanes, started=early, on_change=show)

    def cancel(self) -> None:
        for call in self.early.values():
            call.cancel()

    def start_font(self) -> None:
        """With more than one core, make the report's base font (:func:`~cppcc_nlp.output.report.prepare_font`)
        from the corpus's characters in a child at the lowest priority (:data:`FONT_NICENESS`): if it is done
        when the report is written, the page's font is subset from it in a third of the time.  (The child
        finds the shipped base enough for a corpus within GB 2312's characters, and makes nothing.)"""
        from cppcc_nlp._fork import Forked

        if self.lanes > 1:
            self.font = Forked(_prepare_report_font, self.job, name="cppcc-nlp-font")

    def finish_font(self, keep: bool = True) -> None:
        """Before the report, without waiting: a base font made by now is in the user cache; a child still working
        is stopped (``keep=False``: stopped in any case), and the page's font is subset from the whole font, the
        same bytes.  A failure to make the base is no failure of the run: it only costs the time."""
        call, self.font = self.font, None
        if call is None:
            return
        if keep and call.done():
            try:
                call.result()
            except OSError:  # (a read-only or full cache: the whole font serves, as without a base)
                pass
            except Exception as exc:
                warnings.warn(f"the report's base font was not made ({exc}): its font took longer", stacklevel=2)
        else:
            call.cancel()


#: how much nicer (lower in priority) than this process a step started beside the segmentation runs.  The
#: segmenting child, loading the model, is a refresh's critical path; at equal priority it shared a core with
#: these steps and with the reading (1×, 2 cores: the model loaded in 7-9 s instead of 4-5 s).  At 10 they take
#: what it leaves, and what the later steps leave once it is done (the refresh: 16.2 -> 15.0 s).
EARLY_NICENESS = 10


#: how much nicer than this process the child making the report's base font runs: the lowest priority, so that
#: it takes only what the segmentation and the steps leave (a core left idle while the last step ends)
FONT_NICENESS = 19


def _prepare_report_font(job: Job) -> bool:
    """In a child: the report's base font (:func:`~cppcc_nlp.output.report.prepare_font`) from
    :func:`_page_characters`."""
    import os

    from cppcc_nlp.output.report import prepare_font

    os.nice(FONT_NICENESS)
    return prepare_font(_page_characters(job))


def _page_characters(job: Job) -> str:
    """Every character the corpus may put on the report page: its texts (converted and as written), their
    metadata and file names, the folder or files read, and the lexicon files given (``prepare_font`` adds the
    package's own words)."""
    characters = set(str(job.paths))
    for doc in job.corpus.docs:
        characters.update(doc.text)
        characters.update(doc.original_text or "")
        characters.update(f"{doc.path} {' '.join(map(str, doc.meta.values()))}")
    for files in (job.lexicon, job.slogan_lexicons):
        for path in _listed(files):
            if isinstance(path, (str, Path)):
                characters.update(Path(path).read_text(encoding="utf-8", errors="replace"))
    return "".join(sorted(characters))


def _compute_step_beside_segmentation(job: Job, name: str) -> tuple:
    """:func:`_compute_step_in_child` in a child started beside the segmentation: at a lower priority, so that the
    segmentation, which every later step waits for, keeps its core."""
    import os

    os.nice(EARLY_NICENESS)
    return _compute_step_in_child(job, name)


def _compute_step_in_child(job: Job, name: str) -> tuple:
    """:func:`_compute_step` in a forked child, whose ``malloc`` keeps what the step frees for its next arrays
    (:func:`~cppcc_nlp._heap.keep_freed_memory`: a 16× refresh's terms child, 620,000 page faults → 415,000)."""
    from cppcc_nlp._heap import keep_freed_memory

    keep_freed_memory()
    return _compute_step(job, name)


def _compute_step(job: Job, name: str) -> tuple:
    """Compute one analysis step, draw its figures into the output folder, render its section and keep all of
    it in the step cache: ``(StoredStep, seconds)``."""
    started = time.perf_counter()
    part = dict(STEPS)[name](job)
    # (the key is taken after the step: the topics step may change it)
    stored = _present(part, _step_cache(job, name), job.out, with_tables=True, reuse=False)
    # written here, side by side with the other steps, not one after another by the parent once all are done (16
    # copies of the shared corpora: 5 s of CSV and Parquet after the last step had ended)
    _write_tables(part.tables, job.out)
    return stored, round(time.perf_counter() - started, 2)


def _check_lexicons(lexicon, slogan_lexicons) -> None:
    """Read the user's lexicon files before anything else, so a malformed one fails before any output."""
    if lexicon:
        from cppcc_nlp.resources.lexicon import load_lexicon

        load_lexicon(lexicon)
    if slogan_lexicons:
        from cppcc_nlp.resources.slogan_lexicon import load_slogan_lexicon

        load_slogan_lexicon(slogan_lexicons)


def _check_parameters(*, n_process, top_terms, n_topics) -> None:
    """Refuse bad numbers before anything is read or written (ParameterError naming the option)."""
    for name, value, option in (("top_terms", top_terms, "--top-terms"), ("n_topics", n_topics, "-k/--topics")):
        if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1):
            raise ParameterError(
                f"{name}={value!r} ({option}): give a positive whole number"
                + (", or leave it out to choose k by coherence" if name == "n_topics" else "")
            )
    if not isinstance(n_process, int) or n_process == 0 or n_process < -1:  # the rule of tokens()
        raise ParameterError(
            f"n_process={n_process!r} (-j/--jobs): give a positive number of processes, or -1 for all cores"
        )


def _present(part: Part, cache, out: Path, *, with_tables: bool, reuse: bool) -> StoredStep:
    """Draw the figures of a step's section into ``out/figures``, render the section, and keep these outputs
    for a rerun under ``cache`` (a DerivedCache; None: not kept).

    With ``reuse`` (the reading step, which always runs), the figures and the rendered section of an earlier
    run with the same key are taken instead of drawing them again.
    """
    from cppcc_nlp.output.report import render_section

    figures = part.section.figures if part.section is not None else {}
    stored = load_step(cache) if reuse and cache is not None else None
    if stored is None:
        files = {}
        if figures:
            from cppcc_nlp.output import plot

            # (a figure unchanged since an earlier run, under another step key, is copied instead of drawn)
            root = cache.root if cache is not None else None
            for name, fig in figures.items():
                for path in plot.save(fig, out / "figures" / name, dpi=FIGURE_DPI, cache=root):
                    files[path.relative_to(out).as_posix()] = path.read_bytes()
        for relative in part.files:
            files[relative] = (out / relative).read_bytes()
        pngs = {name: files[f"figures/{name}.png"] for name in figures if f"figures/{name}.png" in files}
        section = render_section(part.section, pngs=pngs, dpi=FIGURE_DPI) if part.section is not None else None
        stored = StoredStep(part.tables if with_tables else {}, list(part.notes), section, files)
        if cache is not None:
            store_step(cache, stored)
    if figures:
        import matplotlib.pyplot as plt

        for fig in figures.values():
            plt.close(fig)
    return stored


def _write_kept(part: Part, stored: StoredStep, out: Path, result: AnalysisResult, *, written=False) -> None:
    """Write a step's tables and its files (figures drawn by :func:`_present`, or kept from an earlier run);
    record them in ``result``.  ``written``: the step computed them and wrote them (:func:`_compute_step`)."""
    result.tables.update(part.tables)
    if not written:
        _write_tables(part.tables, out)
    for relative, data in stored.files.items():
        path = out / relative
        if not written:
            path.write_bytes(data)  # (a step that just drew its figures wrote these same bytes: as cheap as a check)
        if relative.startswith("figures/"):
            result.figures.append(path)


def _write_tables(tables: dict, out: Path) -> None:
    """Each table as ``out/tables/<name>.csv`` and ``.parquet``."""
    from cppcc_nlp.output.tables import write_table

    for name, df in tables.items():
        write_table(df, out / "tables", name)


def _report(sections: list, job: Job, out: Path) -> Path:
    """Write ``report.html`` from the rendered sections."""
    from cppcc_nlp.output._sections import page

    path = out / "report.html"
    series = sorted(set(series_of(job.corpus)))
    path.write_text(
        page(sections, paths=job.paths, n_reports=len(job.corpus.documents), series=series, years=job.years),
        encoding="utf-8",
    )
    return path


def _complete(out: Path) -> bool:
    """True when ``out`` holds the results of a run that finished (its marker says so)."""
    try:
        return not (out / MARKER).read_text(encoding="utf-8").startswith(INCOMPLETE)
    except OSError:
        return False


def _prepare_output(out: Path, force: bool) -> None:
    """Refuse a folder with other files unless ``force``; check it is writable (OutputError otherwise)."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder; choose another --out")
    if out.is_dir():
        others = [p.name for p in out.iterdir() if p.name != MARKER]
        if others and not force and not (out / MARKER).exists():
            raise OutputError(
                f"{out}: the folder exists and holds other files ({', '.join(sorted(others)[:5])}"
                f"{' …' if len(others) > 5 else ''}); choose an empty or new folder, or pass "
                "--force to write into it (nothing of yours is deleted)"
            )
        if others and not force and _complete(out):
            raise OutputError(f"{out}: holds the results of an earlier run; pass --force to overwrite them")
    try:
        (out / "tables").mkdir(parents=True, exist_ok=True)
        (out / "figures").mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".write-test-"):
            pass
        (out / MARKER).write_text(f"{INCOMPLETE} by cppcc-nlp {__version__}\n", encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"{out}: cannot write there ({exc.strerror or exc}); choose another --out") from exc


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc="analyze",
        unit="step",
        file=sys.stderr,
        disable=not enabled,
        bar_format="{desc:<18} {n}/{total} |{bar:20}| {elapsed}",
    )


def _start(bar, name: str) -> float:
    bar.set_description_str(f"analyze: {name}")
    return time.perf_counter()


def _done(bar, name: str, started: float, result: AnalysisResult) -> None:
    result.timings[name] = round(time.perf_counter() - started, 2)
    bar.update(1)
