"""The yearly refresh and parallel segmentation give the tables of a full recomputation (issue 11).

A corpus store of one report, analysed, then refreshed with ``cppcc-nlp add`` of the next year's report and
analysed again: only the new report is segmented; the corpus grew by more than ``REUSE_K_GROWTH``, so the k of
the topic model is searched again; and the tables are those that a fresh store of the same two reports gives
from nothing, segmented by two processes (``--jobs 2``) where the refresh used one.  The three runs are made
once (``refresh``) and shared by the tests.  Tested elsewhere, not here: k kept after a smaller growth and
``--rechoose-k``, warm-versus-cold identity and cache invalidation by a changed report, lexicon or parameter
(tests/test_analyze.py); tokens with one and several processes (tests/tokens/test_tokens.py).
"""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pandas as pd
import pytest

from cppcc_nlp import cli
from cppcc_nlp.corpus.store import CorpusStore
from cppcc_nlp.output.derived_cache import REUSE_K_GROWTH
from cppcc_nlp.topics.model import TopicModel
from cppcc_nlp.workflow import analyze

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("loaded_pipeline")]


@pytest.fixture(scope="module")
def shanghai(shared_dir):
    reports = sorted((shared_dir / "gwr-shanghai").glob("provincial-shanghai_202*.txt"))
    if len(reports) < 5:
        pytest.skip(f"{shared_dir / 'gwr-shanghai'} lacks the Shanghai reports 2020-2024")
    return reports


def _add(files, store) -> None:
    """``cppcc-nlp add FILE... --corpus STORE``, in-process, as a user runs it."""
    assert cli.main(["add", *map(str, files), "--corpus", str(store), "--format", "csv"]) == 0


def _same_tables(got, expected) -> None:
    """Every table of two ``AnalysisResult``; ``documents`` without the path column (the stores differ)."""
    assert set(got.tables) == set(expected.tables)
    for name, table in expected.tables.items():
        other = got.tables[name]
        if name == "documents":
            table, other = table.drop(columns="path"), other.drop(columns="path")
        pd.testing.assert_frame_equal(other, table, obj=name)


_TABLE = importlib.import_module("cppcc_nlp.tokens.table")
_ORIGINAL = (_TABLE._segment, TopicModel.fit)


def _recording(mp, fits: list, segmented: list) -> None:
    """Record the ``n_topics`` of every topic-model fit (None: k searched) and every paragraph text segmented
    (not read from the token cache)."""
    segment, fit = _ORIGINAL  # the unwrapped functions: each run's lists get only that run's calls

    def recording_segment(pipe, texts, **kwargs):
        segmented.extend(texts.values())
        return segment(pipe, texts, **kwargs)

    def recording_fit(self, *args, **kwargs):
        fits.append(self.n_topics)
        return fit(self, *args, **kwargs)

    mp.setattr(_TABLE, "_segment", recording_segment)
    mp.setattr(TopicModel, "fit", recording_fit)


@pytest.fixture(scope="module")
def refresh(shanghai, tmp_path_factory):
    """Shanghai 2023 in a store, analysed (k searched); 2024 added and analysed again; both in a fresh store,
    analysed with two processes.  What each run fitted and segmented is recorded."""
    tmp = tmp_path_factory.mktemp("refresh")
    base, new = shanghai[3], shanghai[4]
    runs = SimpleNamespace(base=base, new=new, fits={}, segmented={})
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CPPCC_NLP_CACHE", str(tmp / "user-cache"))
        for name in ("first", "refreshed", "full"):
            runs.fits[name], runs.segmented[name] = [], []
        _recording(mp, runs.fits["first"], runs.segmented["first"])
        store = tmp / "store"
        _add([base], store)
        runs.first = analyze(store, tmp / "first", progress=False)
        _recording(mp, runs.fits["refreshed"], runs.segmented["refreshed"])
        _add([new], store)
        runs.refreshed = analyze(store, tmp / "refreshed", progress=False)
        paragraphs = CorpusStore(store).corpus().paragraphs
        runs.new_paragraphs = set(paragraphs.loc[paragraphs["doc_id"] == new.stem, "text"])
        _recording(mp, runs.fits["full"], runs.segmented["full"])
        fresh = tmp / "fresh"
        _add([base, new], fresh)  # the same reports in one add, empty caches
        runs.full = analyze(fresh, tmp / "full", progress=False, n_process=2)
    return runs


def test_a_refresh_segments_only_the_new_report(refresh):
    assert refresh.segmented["refreshed"], "the new report was not segmented"
    assert set(refresh.segmented["refreshed"]) <= refresh.new_paragraphs
    assert len(refresh.segmented["full"]) > len(refresh.new_paragraphs)  # the fresh store segments both


def test_k_is_searched_again_after_an_add_of_more_than_the_growth_limit(refresh):
    base_chars = int(refresh.first.tables["documents"]["n_chars"].sum())
    all_chars = int(refresh.refreshed.tables["documents"]["n_chars"].sum())
    assert all_chars > (1 + REUSE_K_GROWTH) * base_chars  # the add grows the corpus past the limit
    assert refresh.fits["first"] == [None] and len(refresh.first.tables["topic_coherence"]) > 1  # k searched
    assert refresh.fits["refreshed"] == [None]  # searched again, not refitted with the earlier k
    assert not any("kept from the earlier run" in note for note in refresh.refreshed.notes)
    assert len(refresh.refreshed.tables["topic_coherence"]) > 1


def test_a_refresh_gives_the_tables_of_a_full_recomputation_by_two_processes(refresh):
    expected_ids = [refresh.base.stem, refresh.new.stem]
    assert refresh.refreshed.tables["documents"]["doc_id"].tolist() == expected_ids
    assert "keyness" in refresh.refreshed.tables and len(refresh.refreshed.tables["terms"]) > 50
    _same_tables(refresh.refreshed, refresh.full)


@pytest.mark.filterwarnings("ignore:provincial-zhejiang_2024.txt.* using the manifest")
def test_a_new_regions_report_for_the_latest_year_leaves_keyness_to_a_series_with_earlier_years(
    shanghai, tmp_path, monkeypatch
):
    """The refresh adds another region's report for the latest year, longer than the latest report of the
    series with earlier years: keyness compares that series (it failed with an AttributeError)."""
    monkeypatch.setenv("CPPCC_NLP_CACHE", str(tmp_path / "cache"))
    reports = tmp_path / "reports"
    reports.mkdir()
    for p in shanghai[3:]:
        (reports / p.name).write_bytes(p.read_bytes())
    latest = shanghai[4].read_text(encoding="utf-8")
    (reports / "provincial-zhejiang_2024.txt").write_text(latest + "\n" + latest, encoding="utf-8")
    (reports / "manifest.csv").write_text(
        "file,year,level,region,organ\nprovincial-zhejiang_2024.txt,2024,provincial,浙江省,人民政府\n",
        encoding="utf-8",
    )
    result = analyze(reports, tmp_path / "out", progress=False, n_topics=2)
    docs = result.tables["documents"].set_index("doc_id")
    assert docs.loc["provincial-zhejiang_2024", "n_chars"] > docs.loc["provincial-shanghai_2024", "n_chars"]
    key = result.tables["keyness"]
    assert len(key) > 0 and key["g2"].notna().all()
    assert not any("No keyness" in note for note in result.notes)
