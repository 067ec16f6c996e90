"""The main job `cppcc-nlp analyze`: what it writes, caches, and refuses."""

from __future__ import annotations

import importlib
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cppcc_nlp import cli
from cppcc_nlp.workflow import analyze

from conftest import BUNDLED, SAMPLE

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("loaded_pipeline")]


@pytest.fixture(scope="module")
def token_cache():
    """The test run's token cache (conftest): the 26 bundled reports are segmented once per run, not per module."""
    return os.environ["CPPCC_NLP_CACHE"]


@pytest.fixture(scope="module")
def bundled_run(tmp_path_factory, token_cache):
    out = tmp_path_factory.mktemp("analyze") / "results"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CPPCC_NLP_CACHE", str(token_cache))
        return analyze(BUNDLED, out, progress=False)


def test_writes_tables_figures_and_a_self_contained_report(bundled_run):
    out = bundled_run.out
    for name in ("documents", "slogan_occurrences", "slogan_summary", "terms", "topics", "topic_shares_by_year"):
        assert (out / "tables" / f"{name}.csv").is_file() and (out / "tables" / f"{name}.parquet").is_file()
    for name in ("keyness", "indicators", "target_outcomes", "slogan_rates_by_series"):
        assert (out / "tables" / f"{name}.csv").is_file()
    for name in (
        "corpus_overview",
        "slogan_timeline",
        "slogan_lifecycle",
        "term_trends",
        "keyness",
        "topic_shares",
        "target_outcome_0",
    ):
        assert (out / "figures" / f"{name}.png").stat().st_size > 5_000
        assert (out / "figures" / f"{name}.svg").is_file()
    html = bundled_run.report.read_text(encoding="utf-8")
    assert "src='data:image/png;base64," in html  # figures inline
    assert "@font-face" in html and "data:font/otf;base64," in html  # CJK glyphs travel with the page
    assert not re.search(r"(src|href)=['\"]https?://", html)  # nothing fetched from elsewhere
    assert "阜新蒙古族自治县" in html and "国务院/national/全国" in html


def test_every_csv_is_what_pandas_writes(bundled_run):
    """The tables are written by the fast CSV writer (cppcc_nlp.output._csv): the bytes of ``to_csv``."""
    assert len(bundled_run.tables) >= 15
    for name, table in bundled_run.tables.items():
        written = (bundled_run.out / "tables" / f"{name}.csv").read_bytes()
        assert written == table.to_csv(index=False).encode(), name


def test_tables_hold_the_bundled_findings(bundled_run):
    docs = pd.read_parquet(bundled_run.out / "tables" / "documents.parquet")
    assert len(docs) == 26 and (docs["year"].min(), docs["year"].max()) == (2000, 2024)
    sample = docs[docs["doc_id"] == SAMPLE.stem].iloc[0]
    assert sample["region"] == "阜新蒙古族自治县" and int(sample["year"]) == 2024
    slogans = pd.read_csv(bundled_run.out / "tables" / "slogan_summary.csv")
    assert {"两个确立", "四个意识", "同心政协", "供给侧结构性改革"} <= set(slogans["canonical"])
    # the keyness default: the latest year against every earlier one
    key = pd.read_csv(bundled_run.out / "tables" / "keyness.csv")
    assert not key.empty and not any("only 2024" in note for note in bundled_run.notes)
    # the target/outcome chain of the national series pairs GDP targets with outcomes
    chain = pd.read_csv(bundled_run.out / "tables" / "target_outcomes.csv")
    gdp = chain[(chain["series"] == "国务院/national/全国") & (chain["indicator"] == "国内生产总值增长")]
    assert gdp.dropna(subset=["target_low", "outcome_value"])["period"].nunique() >= 10


def test_rate_cells_carry_counts_and_reports(bundled_run):
    """Each rate in the per-series table is count / characters of the (series, period) text, with the reports
    behind it; the report shows it as "rate (count; n reports)" and marks the cells under FEW occurrences."""
    from cppcc_nlp.output.report import FEW

    rates = pd.read_csv(bundled_run.out / "tables" / "slogan_rates_by_series.csv")
    occ = pd.read_csv(bundled_run.out / "tables" / "slogan_occurrences.csv")
    row = rates[rates["count"] > 0].iloc[0]
    docs = pd.read_csv(bundled_run.out / "tables" / "documents.csv")
    series = (docs["organ"] + "/" + docs["level"] + "/" + docs["region"]).set_axis(docs["doc_id"])
    in_cell = occ[
        (occ["canonical"] == row["item"])
        & (occ["period"] == row["period"])
        & (occ["doc_id"].map(series) == row["series"])
    ]
    assert len(in_cell) == row["count"]
    assert row["per_10k_chars"] == pytest.approx(row["count"] / row["n_chars"] * 10_000)
    html = bundled_run.report.read_text(encoding="utf-8")
    assert f"{row['per_10k_chars']:.2f} ({row['count']}; {row['n_reports']} report" in html
    few = rates[(rates["count"] > 0) & (rates["count"] < FEW)]
    if not few.empty:
        assert "class='few num'" in html and " †</td>" in html


def test_report_has_contexts_and_a_filter(bundled_run):
    html = bundled_run.report.read_text(encoding="utf-8")
    # per slogan and per key term, a collapsible list of its contexts with year, series and section
    blocks = re.findall(r"<details><summary>([^<]*)</summary>(.*?)</details>", html, flags=re.S)
    labels = [summary.split(" — ")[0] for summary, _ in blocks]
    summary = pd.read_csv(bundled_run.out / "tables" / "slogan_summary.csv")
    terms = pd.read_csv(bundled_run.out / "tables" / "terms.csv")
    assert summary["canonical"].iloc[0] in labels and terms["term"].iloc[0] in labels
    first = dict(blocks)[next(s for s, _ in blocks if s.startswith(summary["canonical"].iloc[0] + " — "))]
    assert "<th>year</th>" in first and "<th>series</th>" in first and "<th>section</th>" in first
    assert "data-series='国务院/national/全国'" in html
    # the filter: inline script, a series choice and a year range; nothing loaded from elsewhere
    assert "function cppccFilter()" in html and "id='f-series'" in html and "id='f-from'" in html
    assert "<option>上海市人民政府/provincial/上海市</option>" in html or "provincial/上海市</option>" in html
    assert "<script src" not in html


def test_second_run_reuses_the_token_cache(bundled_run, token_cache, monkeypatch):
    tokens_module = importlib.import_module("cppcc_nlp.tokens.table")  # cppcc_nlp.tokens is the function

    monkeypatch.setenv("CPPCC_NLP_CACHE", str(token_cache))
    calls = []
    original = tokens_module._segment
    monkeypatch.setattr(
        tokens_module, "_segment", lambda pipe, texts, **kw: calls.append(len(texts)) or original(pipe, texts, **kw)
    )
    analyze(BUNDLED, bundled_run.out, force=True, progress=False)
    assert sum(calls) == 0


def test_the_analyses_without_tokens_start_beside_a_small_segmentation_only(tmp_path, monkeypatch):
    """With two processes, slogans and indicators (which need no tokens) start while the child segments when it
    segments little (a refresh: the model loads on one core, the other would wait), else after the segmentation
    (beside a large one they only slow it down); the tables are the same either way."""
    from cppcc_nlp import workflow
    from cppcc_nlp.corpus.corpus import Corpus

    reports = tmp_path / "reports"
    reports.mkdir()
    shutil.copy(SAMPLE, reports / SAMPLE.name)
    texts = {t for t in Corpus.from_path(reports).paragraphs["text"] if t.strip()}
    n_chars = sum(map(len, texts))
    assert n_chars < workflow.EARLY_START_CHARS
    started, segmented = [], []
    start_early, while_segmenting = workflow._StepRunner.start_early, workflow._while_segmenting
    monkeypatch.setattr(
        workflow._StepRunner,
        "start_early",
        lambda self, names: started.append(sorted(names)) or start_early(self, names),
    )
    monkeypatch.setattr(workflow, "_while_segmenting", lambda job, n: segmented.append(n) or while_segmenting(job, n))
    compute_step = workflow._compute_step

    def compute_and_note_priority(job, name):  # (in the step's child: it leaves its niceness in a file)
        (job.out / f".nice-{name}").write_text(str(os.nice(0)))
        return compute_step(job, name)

    monkeypatch.setattr(workflow, "_compute_step", compute_and_note_priority)
    # segmented as `analyze` does in a fresh process: by a forked child that loads the model (the test session
    # holds it already, and would segment here)
    monkeypatch.setattr(importlib.import_module("cppcc_nlp.tokens.table"), "pipeline_loaded", lambda **kw: False)
    runs = {}
    for label, limit in (("beside", workflow.EARLY_START_CHARS), ("after", n_chars - 1)):
        monkeypatch.setattr(workflow, "EARLY_START_CHARS", limit)
        monkeypatch.setenv("CPPCC_NLP_CACHE", str(tmp_path / f"cache-{label}"))  # nothing cached: all segmented
        started.clear(), segmented.clear()
        runs[label] = analyze(reports, tmp_path / label, progress=False, n_process=2)
        assert segmented == [n_chars]
        assert started == ([["indicators", "slogans"]] if label == "beside" else [])
        # beside the segmentation, at a lower priority than the steps that wait for it
        niceness = {name: int((tmp_path / label / f".nice-{name}").read_text()) for name in ("slogans", "terms")}
        nicer = min(os.nice(0) + workflow.EARLY_NICENESS, 19) if label == "beside" else os.nice(0)
        assert niceness == {"slogans": nicer, "terms": os.nice(0)}
    for name in ("slogan_occurrences", "indicators", "terms"):
        pd.testing.assert_frame_equal(runs["beside"].tables[name], runs["after"].tables[name])


def test_keyness_target_and_reference_from_the_cli(tmp_path, token_cache, monkeypatch, capsys):
    monkeypatch.setenv("CPPCC_NLP_CACHE", str(token_cache))
    out = tmp_path / "results"
    assert (
        cli.main(
            [
                "analyze",
                str(BUNDLED / "gwr-shanghai"),
                "--out",
                str(out),
                "--quiet",
                "-k",
                "3",
                "--target",
                "2022",
                "--reference",
                "2020",
                "2021",
            ]
        )
        == 0
    )
    key = pd.read_csv(out / "tables" / "keyness.csv")
    assert set(key["target"].astype(str)) == {"year 2022"} and "2020" in str(key["reference"].iloc[0])
    assert "2023" not in str(key["reference"].iloc[0])
    assert "against 2020+2021" in (out / "report.html").read_text(encoding="utf-8")


def test_warnings_are_one_line_and_the_job_counts_the_files_it_skipped(tmp_path, token_cache, monkeypatch, capsys):
    reports = tmp_path / "reports"
    reports.mkdir()
    shutil.copy(SAMPLE, reports / SAMPLE.name)
    shutil.copy(SAMPLE, reports / "copy.txt")  # a duplicate: a warning
    (reports / "broken.docx").write_bytes(b"PK\x03\x04 not a zip")  # a bad file: skipped
    monkeypatch.setenv("CPPCC_NLP_CACHE", str(token_cache))
    assert cli.main(["analyze", str(reports), "--out", str(tmp_path / "o"), "--quiet", "-k", "2"]) == 0
    err = capsys.readouterr().err.splitlines()
    warned = [line for line in err if line.startswith("Warning: ")]
    assert any("copy.txt: the same bytes as" in line for line in warned)
    assert not [line for line in err if "warnings.warn" in line or re.search(r"\.py:\d+: \w*Warning", line)]
    assert any(line.startswith("Skipped ") and "broken.docx" in line for line in err)
    assert "2 of 3 files read; 1 skipped (see above)" in err
    # --strict: the bad file stops the job with exit 2 and names it
    assert cli.main(["analyze", str(reports), "--out", str(tmp_path / "o2"), "--quiet", "--strict"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and "broken.docx" in err and not (tmp_path / "o2" / "report.html").exists()


def test_refuses_a_folder_with_other_files_and_force_deletes_nothing(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes", encoding="utf-8")
    assert cli.main(["analyze", str(BUNDLED), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and "notes.txt" in err and "--force" in err
    assert cli.main(["analyze", str(BUNDLED), "--out", str(out), "--quiet", "--force"]) == 0
    assert (out / "notes.txt").read_text(encoding="utf-8") == "my notes"
    assert (out / "report.html").is_file()


def test_unwritable_output_and_paths_without_reports(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    assert cli.main(["analyze", str(BUNDLED), "--out", str(blocker / "sub"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and "cannot write there" in err and "a-file" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli.main(["analyze", str(empty), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and str(empty) in err


def test_a_report_too_short_for_topics_still_gets_its_tables_and_report(
    sample_corpus, tmp_path, token_cache, monkeypatch, capsys
):
    """The opening paragraph of the sample report alone: no term recurs, so no topic model can be fitted;
    the job says so and writes everything else (it used to stop with exit 2 and no report.html)."""
    end = int(sample_corpus.paragraphs["end"].iloc[1])
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "county-阜新_2024.txt").write_text(sample_corpus.docs[0].text[:end], encoding="utf-8")
    monkeypatch.setenv("CPPCC_NLP_CACHE", str(token_cache))
    out = tmp_path / "results"
    assert cli.main(["analyze", str(reports), "--out", str(out), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "No topic model: no term occurs in at least min_df=2" in err
    assert (out / "report.html").is_file() and not (out / "tables" / "topics.csv").exists()
    slogans = pd.read_csv(out / "tables" / "slogan_occurrences.csv")
    assert set(slogans["canonical"]) >= {"习近平新时代中国特色社会主义思想"}
    assert "No topic model" in (out / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "option, value, message",
    [
        ("-k", "0", "n_topics=0 (-k/--topics): give a positive whole number, or leave it out"),
        ("--top-terms", "0", "top_terms=0 (--top-terms): give a positive whole number"),
        ("--jobs", "0", "n_process=0 (-j/--jobs): give a positive number of processes, or -1 for all cores"),
        ("--n-process", "-2", "n_process=-2 (-j/--jobs): give a positive number of processes"),
        ("--n-topics", "0", "n_topics=0 (-k/--topics): give a positive whole number"),
    ],
)
def test_bad_numbers_are_refused_before_anything_is_written(tmp_path, capsys, option, value, message):
    """-k 0 used to end with exit 0 and 'No topic model' after the whole run; --top-terms 0 and --jobs 0 failed
    midway, after the corpus tables were written."""
    out = tmp_path / "results"
    assert cli.main(["analyze", str(BUNDLED), "--out", str(out), "--quiet", option, value]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and message in err
    assert not out.exists()


def test_term_frequencies_table_is_the_library_table(bundled_run):
    """analyze derives the per-year table from extract_terms' counts; it must equal term_frequencies."""
    import cppcc_nlp as cn

    written = pd.read_csv(bundled_run.out / "tables" / "term_frequencies.csv")
    expected = cn.term_frequencies(
        cn.tokens(cn.Corpus.from_path(BUNDLED)), written["term"].unique().tolist(), by="year"
    )
    pd.testing.assert_frame_equal(written, expected, check_dtype=False)


# ---------------------------------------------------------------------------------------------------------
# derived results: a warm run reads back terms, keyness and the topic model


def _counting_analyses(monkeypatch) -> dict:
    """Count calls of slogan detection, term scoring, keyness, indicator extraction (one per report read) and
    topic fitting made by ``analyze``."""
    keyness_module = importlib.import_module("cppcc_nlp.terms.keyness")  # the package exports the function
    ranking = importlib.import_module("cppcc_nlp.terms.ranking")
    from cppcc_nlp.topics.model import TopicModel

    detection = importlib.import_module("cppcc_nlp.slogans.detection")
    extract = importlib.import_module("cppcc_nlp.indicators.extract")

    calls = {"terms": 0, "keyness": 0, "topics": [], "slogans": 0, "indicators": 0}

    def wrap(module, name, key):
        original = getattr(module, name)

        def counted(*args, **kwargs):
            calls[key] += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)

    wrap(ranking, "extract_terms", "terms")
    wrap(keyness_module, "keyness", "keyness")
    wrap(detection, "detect_slogans", "slogans")
    wrap(extract, "indicators", "indicators")
    fit = TopicModel.fit

    def counted_fit(self, *args, **kwargs):
        calls["topics"].append(self.n_topics)
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(TopicModel, "fit", counted_fit)
    return calls


K = 3  # a given k keeps these tests short; the k search is cached the same way (see the refresh test)


@pytest.fixture(scope="module")
def shanghai(shared_dir):
    folder = shared_dir / "gwr-shanghai"
    if len(list(folder.glob("*.txt"))) < 3:
        pytest.skip(f"{folder} lacks the Shanghai reports")
    return folder


@pytest.fixture(scope="module")
def shanghai_cold(shanghai, tmp_path_factory):
    cache = tmp_path_factory.mktemp("derived-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CPPCC_NLP_CACHE", str(cache))
        return cache, analyze(shanghai, tmp_path_factory.mktemp("cold") / "out", progress=False, n_topics=K)


def test_warm_run_reads_back_slogans_terms_keyness_indicators_and_topics(
    shanghai, shanghai_cold, tmp_path, monkeypatch
):
    cache, cold = shanghai_cold
    assert {"terms", "keyness", "topics", "unit_topics"} <= set(cold.tables)
    monkeypatch.setenv("CPPCC_NLP_CACHE", str(cache))
    calls = _counting_analyses(monkeypatch)
    warm = analyze(shanghai, tmp_path / "warm", progress=False, n_topics=K)
    assert calls == {"terms": 0, "keyness": 0, "topics": [], "slogans": 0, "indicators": 0}
    assert set(warm.tables) == set(cold.tables)
    for name, table in cold.tables.items():
        pd.testing.assert_frame_equal(table, warm.tables[name], obj=name)
    assert (tmp_path / "warm" / "topic_model.zip").is_file()


def test_warm_run_copies_back_every_output_without_tokens_or_drawing(shanghai, shanghai_cold, tmp_path, monkeypatch):
    """Unchanged corpus and options: each step's kept outputs are written again; the token table is not built
    (so no model is loaded) and no figure is drawn; every file is the same, byte for byte."""
    cache, cold = shanghai_cold
    monkeypatch.setenv("CPPCC_NLP_CACHE", str(cache))

    def refuse(*args, **kwargs):
        raise AssertionError("called by a warm run")

    monkeypatch.setattr(importlib.import_module("cppcc_nlp.tokens.table"), "tokens", refuse)
    monkeypatch.setattr(importlib.import_module("cppcc_nlp.output.plot"), "save", refuse)
    warm = analyze(shanghai, tmp_path / "warm", progress=False, n_topics=K)
    written = sorted(p.relative_to(cold.out) for p in cold.out.rglob("*") if p.is_file())
    assert len(written) > 40 and Path("report.html") in written and Path("topic_model.zip") in written
    for relative in written:
        if relative.name != ".cppcc-nlp-output":
            assert (warm.out / relative).read_bytes() == (cold.out / relative).read_bytes(), relative
    assert sorted(warm.figures) == sorted(warm.out / p.relative_to(cold.out) for p in cold.figures)
    assert warm.notes == cold.notes


def test_a_parameter_change_recomputes_only_its_step(shanghai, shanghai_cold, tmp_path, monkeypatch):
    cache, cold = shanghai_cold
    monkeypatch.setenv("CPPCC_NLP_CACHE", str(cache))
    calls = _counting_analyses(monkeypatch)
    fewer = analyze(shanghai, tmp_path / "fewer", progress=False, top_terms=50, n_topics=K)
    assert calls["terms"] == 1 and calls["keyness"] == 0 and calls["topics"] == []
    pd.testing.assert_frame_equal(fewer.tables["terms"], cold.tables["terms"].head(50))
    analyze(shanghai, tmp_path / "seed", progress=False, random_state=1, n_topics=K)
    assert calls["topics"] == [K] and calls["terms"] == 1


def test_a_changed_report_or_lexicon_recomputes_everything(shanghai, shanghai_cold, tmp_path, monkeypatch):
    import shutil

    cache, cold = shanghai_cold
    monkeypatch.setenv("CPPCC_NLP_CACHE", str(cache))
    calls = _counting_analyses(monkeypatch)
    lexicon = tmp_path / "mine.txt"
    lexicon.write_text("科创板\n", encoding="utf-8")  # not in the bundled lexicon
    analyze(shanghai, tmp_path / "lexicon", progress=False, lexicon=[lexicon], n_topics=K)
    # (indicators read the text, not tokens: each report's statements are kept, none is read again)
    assert calls == {"terms": 1, "keyness": 1, "topics": [K], "slogans": 1, "indicators": 0}
    slogan_lexicon = tmp_path / "slogans.yaml"
    slogan_lexicon.write_text("- canonical: 五个中心\n  kind: numbered\n  since: 2021\n", encoding="utf-8")
    analyze(shanghai, tmp_path / "slogan-lexicon", progress=False, slogan_lexicons=[slogan_lexicon], n_topics=K)
    assert calls == {"terms": 1, "keyness": 1, "topics": [K], "slogans": 2, "indicators": 0}  # slogans only
    corpus = tmp_path / "corpus"
    shutil.copytree(shanghai, corpus)
    report = sorted(corpus.glob("*.txt"))[0]
    report.write_text(
        report.read_text(encoding="utf-8") + "\n加快建设具有全球影响力的科技创新中心。\n", encoding="utf-8"
    )
    analyze(corpus, tmp_path / "changed", progress=False, n_topics=K)
    # the changed report is the only one whose indicators are read again
    assert calls == {"terms": 2, "keyness": 2, "topics": [K, K], "slogans": 3, "indicators": 1}


def test_a_refreshed_corpus_keeps_k_unless_asked(shared_dir, tmp_path, monkeypatch):
    reports = sorted((shared_dir / "gwr-national").glob("national_201*.txt"))
    if len(reports) < 8:
        pytest.skip("the national reports 2012-2019 are needed")
    base = reports[:-1]
    assert sum(len(p.read_text(encoding="utf-8")) for p in reports) < 1.2 * sum(
        len(p.read_text(encoding="utf-8")) for p in base
    )  # one report: less than 20% more text
    monkeypatch.setenv("CPPCC_NLP_CACHE", str(tmp_path / "cache"))
    first = analyze(base, tmp_path / "first", progress=False)
    k = int(first.tables["topics"]["topic_id"].nunique())
    assert len(first.tables["topic_coherence"]) > 1  # k was searched
    calls = _counting_analyses(monkeypatch)
    refreshed = analyze(reports, tmp_path / "refreshed", progress=False)
    assert calls["topics"] == [k]  # refitted with the earlier k
    assert any(f"k={k} kept" in note for note in refreshed.notes)
    # warm-started from the earlier model: topic i continues topic i (most of its top terms kept)
    pairs = zip(first.tables["topics"]["top_terms"], refreshed.tables["topics"]["top_terms"])
    assert np.mean([len(set(a.split()) & set(b.split())) / len(set(a.split())) for a, b in pairs]) >= 0.6
    assert calls["terms"] == 1 and calls["keyness"] == 1
    analyze(reports, tmp_path / "rechosen", progress=False, rechoose_k=True)
    assert calls["topics"] == [k, None]  # asked: k searched again


def test_a_small_refresh_is_folded_into_the_topic_model_fitted_before(shanghai, tmp_path, monkeypatch):
    """Reports added, at most ``FOLD_IN_GROWTH`` more text since the topic model was fitted: no fit, the added
    reports folded into that model (``TopicModel.fold_in`` of the saved model gives the same tables); a rerun
    reads the result back; ``refit_topics`` fits again; past the limit the model is fitted again.  The limit is
    set around this corpus's growth (Shanghai reports of 12-30% more text each): the rule is tested, not its 2%."""
    from cppcc_nlp.corpus.corpus import Corpus
    from cppcc_nlp.output import derived_cache
    from cppcc_nlp.topics.model import TopicModel

    reports = sorted(shanghai.glob("provincial-shanghai_202*.txt"))
    if len(reports) < 5:
        pytest.skip(f"{shanghai} lacks the Shanghai reports 2020-2024")
    size = {p: len(Corpus.from_path(p).paragraphs["text"].str.cat()) for p in reports}

    def growth(before, after):
        return sum(size[p] for p in after) / sum(size[p] for p in before) - 1

    monkeypatch.setenv("CPPCC_NLP_CACHE", str(tmp_path / "cache"))
    first = analyze(reports[:3], tmp_path / "first", progress=False, n_topics=K)
    calls = _counting_analyses(monkeypatch)
    monkeypatch.setattr(derived_cache, "FOLD_IN_GROWTH", growth(reports[:3], reports[:4]) + 0.01)
    folded = analyze(reports[:4], tmp_path / "folded", progress=False, n_topics=K)
    assert calls["topics"] == []  # not fitted
    assert any("1 report(s) added since the topic model was fitted" in note for note in folded.notes), folded.notes
    expected = TopicModel.load(first.out / "topic_model.zip").fold_in(Corpus.from_path(reports[:4]))
    pd.testing.assert_frame_equal(folded.tables["unit_topics"], expected.doc_topics_)
    pd.testing.assert_frame_equal(folded.tables["topics"], expected.topics_)
    assert folded.tables["topics"]["label"].tolist() == first.tables["topics"]["label"].tolist()
    assert set(folded.tables["unit_topics"]["doc_id"]) == {p.stem for p in reports[:4]}
    saved = TopicModel.load(folded.out / "topic_model.zip")
    pd.testing.assert_frame_equal(saved.doc_topics_, expected.doc_topics_)
    again = analyze(reports[:4], tmp_path / "again", progress=False, n_topics=K)
    assert calls["topics"] == [] and again.notes == folded.notes  # read back
    pd.testing.assert_frame_equal(again.tables["unit_topics"], folded.tables["unit_topics"])
    refit = analyze(reports[:4], tmp_path / "refit", progress=False, n_topics=K, refit_topics=True)
    assert calls["topics"] == [K] and not any("folded" in note for note in refit.notes)  # asked: fitted
    assert set(refit.tables["unit_topics"]["doc_id"]) == {p.stem for p in reports[:4]}
    monkeypatch.setattr(derived_cache, "FOLD_IN_GROWTH", growth(reports[:4], reports) - 0.01)
    past = analyze(reports, tmp_path / "past", progress=False, n_topics=K)
    assert calls["topics"] == [K, K] and not any("folded" in note for note in past.notes)  # past the limit


# ---------------------------------------------------------------------------------------------------------
# the analysis steps side by side (n_process > 1): each in a forked child, same outputs


def test_steps_side_by_side_write_what_one_after_another_writes(shanghai, shanghai_cold, tmp_path, monkeypatch):
    """``n_process=2``: slogans, terms, keyness, indicators and topics computed in forked children, two at a time;
    every file written (tables, figures, the model, the report page) and every note are those of the run that
    computed them one after another, byte for byte."""
    from cppcc_nlp import _fork

    _, cold = shanghai_cold
    monkeypatch.setenv("CPPCC_NLP_CACHE", str(tmp_path / "cache"))  # nothing derived kept: every step computed
    running_together = []  # the steps' children running at once, as the scheduler saw them
    side_by_side = _fork.run_side_by_side

    def recording(work, lanes, *, on_change=None, **kwargs):
        def seen(running, finished):
            running_together.append(sorted(running))
            on_change(running, finished)

        return side_by_side(work, lanes, on_change=seen, **kwargs)

    monkeypatch.setattr(_fork, "run_side_by_side", recording)
    side = analyze(shanghai, tmp_path / "side", progress=False, n_topics=K, n_process=2)
    assert set(side.tables) == set(cold.tables)
    for name, table in cold.tables.items():
        pd.testing.assert_frame_equal(table, side.tables[name], obj=name)
    written = sorted(p.relative_to(cold.out) for p in cold.out.rglob("*") if p.is_file())
    assert sorted(p.relative_to(side.out) for p in side.out.rglob("*") if p.is_file()) == written
    for relative in written:
        if relative.name != ".cppcc-nlp-output":
            assert (side.out / relative).read_bytes() == (cold.out / relative).read_bytes(), relative
    assert side.notes == cold.notes and side.figures == [side.out / p.relative_to(cold.out) for p in cold.figures]
    # every step computed in a child, two (or more, with those started beside the segmentation) at a time: the
    # scheduler's record, not the wall time, which a loaded machine makes longer than the steps' sum
    steps = {"slogans", "terms", "keyness", "indicators", "topics"}
    assert set().union(*running_together) == steps
    assert max(map(len, running_together)) >= 2


def test_the_report_font_is_subset_from_the_base_made_of_the_corpus_characters(
    shanghai, shanghai_cold, tmp_path, monkeypatch
):
    """With more than one core a child makes the report's base font from ``_page_characters`` while the steps
    run (for a corpus with characters beyond the shipped base's GB 2312: here the shipped base is left out).  The
    page holds no character outside it, so its font is subset from the base: the same page, byte for byte, as the
    run that subset the whole font."""
    from cppcc_nlp import workflow
    from cppcc_nlp.output import report

    monkeypatch.setattr(report, "_shipped_base", lambda font_file: None)
    cache, cold = shanghai_cold
    monkeypatch.setenv("CPPCC_NLP_CACHE", str(cache))  # the cold run's steps are read back: only the page is made
    job = workflow.Job(paths=shanghai, out=tmp_path / "unused")
    try:
        workflow._read(job)
    finally:
        if job.segmenter is not None:
            job.segmenter.cancel()
    assert report.prepare_font(workflow._page_characters(job))  # what the child does
    for rule in (cache / "fonts").glob("*.css"):
        rule.unlink()  # the kept rules: the page's font is subset again
    subsets = []
    real = report._subset_font_face
    monkeypatch.setattr(report, "_subset_font_face", lambda f, c, **kw: subsets.append(kw["base"]) or real(f, c, **kw))
    again = analyze(shanghai, tmp_path / "again", progress=False, n_topics=K)
    assert len(subsets) == 1 and subsets[0] is not None
    assert (again.out / "report.html").read_bytes() == (cold.out / "report.html").read_bytes()


def test_a_step_failing_in_its_child_fails_the_run_and_leaves_nothing(shanghai, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setenv("CPPCC_NLP_CACHE", str(tmp_path / "cache"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # where the children leave their answers

    def broken(corpus, **options):
        raise ValueError("indicators broke in the child")

    monkeypatch.setattr(importlib.import_module("cppcc_nlp.indicators.extract"), "indicators", broken)
    with pytest.raises(ValueError, match="indicators broke in the child"):
        analyze(shanghai, tmp_path / "out", progress=False, n_topics=K, n_process=2)
    assert not (tmp_path / "out").exists()
    assert not list((tmp_path / "tmp").iterdir())  # the other children stopped, no answer left behind


def test_scikit_learn_is_imported_beside_the_segmentation_only_while_the_model_loads(tmp_path, monkeypatch):
    """``_while_segmenting`` imports the topics step's scikit-learn (for the step children to inherit) only while
    the segmenting child still loads the model: once it is loaded, a refresh's segmentation ends before the import
    would, and the token table would wait for it; the topics child then imports it itself.  With the topics
    step's outputs kept, nothing is imported.  (Stand-ins: no model, no import.)"""
    from types import SimpleNamespace

    from cppcc_nlp import workflow
    from cppcc_nlp.corpus.corpus import Corpus

    imported = []
    monkeypatch.setattr(workflow, "_import_topic_model", lambda: imported.append(True))
    monkeypatch.setenv("CPPCC_NLP_CACHE", str(tmp_path / "cache"))
    job = workflow.Job(paths=SAMPLE, out=tmp_path / "out")
    job.corpus = Corpus.from_path(SAMPLE)
    job.token_key = workflow._token_key(job)

    def imports(segmenter) -> bool:
        imported.clear()
        job.segmenter = segmenter
        workflow._while_segmenting(job, n_chars=10**6)
        return bool(imported)

    assert imports(SimpleNamespace(loaded=False))  # still loading: imported meanwhile
    assert imports(None)  # tokens() forks its own child now: it has only begun loading
    assert not imports(SimpleNamespace(loaded=True))  # loaded: the segmentation ends first
    monkeypatch.setattr(workflow, "_step_cache", lambda job, name: SimpleNamespace(has=lambda what: True))
    assert not imports(SimpleNamespace(loaded=False))  # topics kept: nothing to import for


def test_the_model_preloads_beside_the_reading_of_folders_and_of_stores_with_reports_never_read(tmp_path, monkeypatch):
    """``_preloaded_segmenter``: a folder or files (whose reading leaves no trace to tell a first run from a
    rerun) preload on two cores or more; a store only while it holds a report never read; never on one core or
    with a Dask client.  (The segmenter is a stand-in here: no model loads.)"""
    from cppcc_nlp import workflow
    from cppcc_nlp.corpus.store import CorpusStore
    from cppcc_nlp.tokens import _parallel, table

    started = []
    monkeypatch.setattr(table, "PreloadedSegmenter", lambda lexicon=None: started.append(lexicon) or "segmenter")
    monkeypatch.setenv("CPPCC_NLP_CACHE", str(tmp_path / "cache"))
    store = CorpusStore(tmp_path / "store", create=True)
    store.add(SAMPLE)

    def preloads(paths, **options) -> bool:
        return workflow._preloaded_segmenter(workflow.Job(paths=paths, out=tmp_path / "out", **options)) is not None

    monkeypatch.setattr(_parallel, "cores", lambda n_process: 2)
    assert preloads(BUNDLED) and preloads([SAMPLE, BUNDLED / "gwr-national" / "national_2000.txt"])
    assert preloads(store.path)  # its report never read
    store.corpus()
    assert not preloads(store.path)  # read before: a rerun most likely segments nothing
    assert not preloads(BUNDLED, client=object())
    monkeypatch.setattr(_parallel, "cores", lambda n_process: 1)
    assert not preloads(BUNDLED)
    assert len(started) == 3
