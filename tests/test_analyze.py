"""The main job `cppcc-nlp analyze`: what it writes, caches, and refuses."""

from __future__ import annotations

import importlib
import re

import pandas as pd
import pytest

from cppcc_nlp import cli
from cppcc_nlp.workflow import analyze

from conftest import BUNDLED

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def token_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


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
    for name in ("corpus_overview", "slogan_timeline"):   # one year, one candidate k: no trend or k figures
        assert (out / "figures" / f"{name}.png").stat().st_size > 5_000
        assert (out / "figures" / f"{name}.svg").is_file()
    html = bundled_run.report.read_text(encoding="utf-8")
    assert "src='data:image/png;base64," in html                      # figures inline
    assert "@font-face" in html and "data:font/otf;base64," in html   # CJK glyphs travel with the page
    assert not re.search(r"(src|href)=['\"]https?://", html)           # nothing fetched from elsewhere
    assert "同心政协" in html and "阜新蒙古族自治县" in html


def test_tables_hold_the_sample_findings(bundled_run):
    docs = pd.read_parquet(bundled_run.out / "tables" / "documents.parquet")
    assert docs.loc[0, "region"] == "阜新蒙古族自治县" and int(docs.loc[0, "year"]) == 2024
    slogans = pd.read_csv(bundled_run.out / "tables" / "slogan_summary.csv")
    assert {"两个确立", "四个意识", "同心政协"} <= set(slogans["canonical"])
    terms = pd.read_csv(bundled_run.out / "tables" / "terms.csv")
    assert "政协委员" in set(terms["term"].head(30))
    # one year only: keyness is skipped and the job says why
    assert any("only 2024" in note for note in bundled_run.notes)


def test_second_run_reuses_the_token_cache(bundled_run, token_cache, monkeypatch):
    tokens_module = importlib.import_module("cppcc_nlp.tokens.table")  # cppcc_nlp.tokens is the function

    monkeypatch.setenv("CPPCC_NLP_CACHE", str(token_cache))
    calls = []
    original = tokens_module._segment
    monkeypatch.setattr(tokens_module, "_segment", lambda pipe, texts, **kw: calls.append(len(texts))
                        or original(pipe, texts, **kw))
    analyze(BUNDLED, bundled_run.out, force=True, progress=False)
    assert sum(calls) == 0


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


def test_a_report_too_short_for_topics_still_gets_its_tables_and_report(sample_corpus, tmp_path, token_cache,
                                                                          monkeypatch, capsys):
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


@pytest.mark.parametrize("option, value, message", [
    ("-k", "0", "n_topics=0 (-k/--topics): give a positive whole number, or leave it out"),
    ("--top-terms", "0", "top_terms=0 (--top-terms): give a positive whole number"),
    ("--jobs", "0", "n_process=0 (-j/--jobs): give a positive number of processes, or -1 for all cores"),
    ("--n-process", "-2", "n_process=-2 (-j/--jobs): give a positive number of processes"),
    ("--n-topics", "0", "n_topics=0 (-k/--topics): give a positive whole number"),
])
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
    expected = cn.term_frequencies(cn.tokens(cn.Corpus.from_path(BUNDLED)), written["term"].unique().tolist(),
                                   by="year")
    pd.testing.assert_frame_equal(written, expected, check_dtype=False)


# ---------------------------------------------------------------------------------------------------------
# derived results: a warm run reads back terms, keyness and the topic model


def _counting_analyses(monkeypatch) -> dict:
    """Count calls of term scoring, keyness and topic fitting made by ``analyze``."""
    keyness_module = importlib.import_module("cppcc_nlp.terms.keyness")   # the package exports the function
    ranking = importlib.import_module("cppcc_nlp.terms.ranking")
    from cppcc_nlp.topics.model import TopicModel

    calls = {"terms": 0, "keyness": 0, "topics": []}

    def wrap(module, name, key):
        original = getattr(module, name)

        def counted(*args, **kwargs):
            calls[key] += 1
            return original(*args, **kwargs)
        monkeypatch.setattr(module, name, counted)

    wrap(ranking, "extract_terms", "terms")
    wrap(keyness_module, "keyness", "keyness")
    fit = TopicModel.fit

    def counted_fit(self, *args, **kwargs):
        calls["topics"].append(self.n_topics)
        return fit(self, *args, **kwargs)
    monkeypatch.setattr(TopicModel, "fit", counted_fit)
    return calls


K = 3   # a given k keeps these tests short; the k search is cached the same way (see the refresh test)


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


def test_warm_run_reads_back_terms_keyness_and_topics(shanghai, shanghai_cold, tmp_path, monkeypatch):
    cache, cold = shanghai_cold
    assert {"terms", "keyness", "topics", "unit_topics"} <= set(cold.tables)
    monkeypatch.setenv("CPPCC_NLP_CACHE", str(cache))
    calls = _counting_analyses(monkeypatch)
    warm = analyze(shanghai, tmp_path / "warm", progress=False, n_topics=K)
    assert calls == {"terms": 0, "keyness": 0, "topics": []}
    assert set(warm.tables) == set(cold.tables)
    for name, table in cold.tables.items():
        pd.testing.assert_frame_equal(table, warm.tables[name], obj=name)
    assert (tmp_path / "warm" / "topic_model.zip").is_file()


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
    lexicon.write_text("科创板\n", encoding="utf-8")        # not in the bundled lexicon
    analyze(shanghai, tmp_path / "lexicon", progress=False, lexicon=[lexicon], n_topics=K)
    assert calls == {"terms": 1, "keyness": 1, "topics": [K]}
    corpus = tmp_path / "corpus"
    shutil.copytree(shanghai, corpus)
    report = sorted(corpus.glob("*.txt"))[0]
    report.write_text(report.read_text(encoding="utf-8") + "\n加快建设具有全球影响力的科技创新中心。\n",
                      encoding="utf-8")
    analyze(corpus, tmp_path / "changed", progress=False, n_topics=K)
    assert calls == {"terms": 2, "keyness": 2, "topics": [K, K]}


def test_a_refreshed_corpus_keeps_k_unless_asked(shared_dir, tmp_path, monkeypatch):
    reports = sorted((shared_dir / "gwr-national").glob("national_201*.txt"))
    if len(reports) < 8:
        pytest.skip("the national reports 2012-2019 are needed")
    base = reports[:-1]
    assert sum(len(p.read_text(encoding="utf-8")) for p in reports) < 1.2 * sum(
        len(p.read_text(encoding="utf-8")) for p in base)            # one report: less than 20% more text
    monkeypatch.setenv("CPPCC_NLP_CACHE", str(tmp_path / "cache"))
    first = analyze(base, tmp_path / "first", progress=False)
    k = int(first.tables["topics"]["topic_id"].nunique())
    assert len(first.tables["topic_coherence"]) > 1                   # k was searched
    calls = _counting_analyses(monkeypatch)
    refreshed = analyze(reports, tmp_path / "refreshed", progress=False)
    assert calls["topics"] == [k]                                     # refitted with the earlier k
    assert any(f"k={k} kept" in note for note in refreshed.notes)
    assert calls["terms"] == 1 and calls["keyness"] == 1
    analyze(reports, tmp_path / "rechosen", progress=False, rechoose_k=True)
    assert calls["topics"] == [k, None]                               # asked: k searched again
