"""The yearly refresh and parallel segmentation give the tables of a full recomputation (issue 11).

A corpus store refreshed with ``cppcc-nlp add`` of one report, then analysed, must give the tables that a
fresh store of the same reports gives from nothing, segmented by two processes (``--jobs 2``) where the refresh
used one; only the new report is segmented; and the k of the topic model is searched again when the corpus grew
by more than ``REUSE_K_GROWTH``.  Tested elsewhere, not here: k kept after a smaller growth and
``--rechoose-k``, warm-versus-cold identity and cache invalidation by a changed report, lexicon or parameter
(tests/test_analyze.py); tokens with one and several processes (tests/tokens/test_tokens.py).  Two or three
Shanghai reports keep each test short.
"""

from __future__ import annotations

import importlib

import pandas as pd
import pytest

from cppcc_nlp import cli
from cppcc_nlp.corpus.store import CorpusStore
from cppcc_nlp.output.derived_cache import REUSE_K_GROWTH
from cppcc_nlp.workflow import analyze

pytestmark = pytest.mark.slow

K = 3  # a given k: the equality tests do not depend on the k search


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


def _segmented(monkeypatch) -> list:
    """Record the paragraph texts that are segmented (not read from the token cache)."""
    table = importlib.import_module("cppcc_nlp.tokens.table")
    seen, original = [], table._segment

    def recording(pipe, texts, **kwargs):
        seen.extend(texts.values())
        return original(pipe, texts, **kwargs)

    monkeypatch.setattr(table, "_segment", recording)
    return seen


def _topic_fits(monkeypatch) -> list:
    """Record the ``n_topics`` of every topic-model fit (None: k searched)."""
    from cppcc_nlp.topics.model import TopicModel

    fits, original = [], TopicModel.fit

    def counted(self, *args, **kwargs):
        fits.append(self.n_topics)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(TopicModel, "fit", counted)
    return fits


def test_add_then_analyze_equals_a_full_recomputation_with_two_processes(shanghai, tmp_path, monkeypatch):
    monkeypatch.setenv("CPPCC_NLP_CACHE", str(tmp_path / "user-cache"))
    base, new = shanghai[2:4], shanghai[4]  # 2022, 2023; then 2024
    store = tmp_path / "store"
    _add(base, store)
    analyze(store, tmp_path / "before", progress=False, n_topics=K)

    segmented = _segmented(monkeypatch)
    _add([new], store)
    refreshed = analyze(store, tmp_path / "after", progress=False, n_topics=K)
    paragraphs = CorpusStore(store).corpus().paragraphs
    new_paragraphs = set(paragraphs.loc[paragraphs["doc_id"] == new.stem, "text"])
    assert segmented, "the new report was not segmented"
    assert set(segmented) <= new_paragraphs  # only the new report is segmented

    # the same reports in one add, empty caches, segmented by two processes (the refresh used one)
    fresh = tmp_path / "fresh"
    _add([*base, new], fresh)
    segmented.clear()
    full = analyze(fresh, tmp_path / "full", progress=False, n_topics=K, n_process=2)
    assert len(segmented) > len(new_paragraphs)
    assert refreshed.tables["documents"]["doc_id"].tolist() == [p.stem for p in [*base, new]]
    assert refreshed.tables["keyness"] is not None and len(refreshed.tables["terms"]) > 50
    _same_tables(refreshed, full)


def test_k_is_searched_again_after_an_add_of_more_than_the_growth_limit(shanghai, tmp_path, monkeypatch):
    monkeypatch.setenv("CPPCC_NLP_CACHE", str(tmp_path / "user-cache"))
    base, new = shanghai[3:4], shanghai[4]  # 2023; then 2024
    base_chars = sum(len(p.read_text(encoding="utf-8")) for p in base)
    assert len(new.read_text(encoding="utf-8")) > REUSE_K_GROWTH * base_chars  # grows by more than the limit
    store = tmp_path / "store"
    _add(base, store)
    first = analyze(store, tmp_path / "first", progress=False)
    assert len(first.tables["topic_coherence"]) > 1  # k was searched

    fits = _topic_fits(monkeypatch)
    _add([new], store)
    grown = analyze(store, tmp_path / "grown", progress=False)
    assert fits == [None]  # searched again, not refitted with the earlier k
    assert not any("kept from the earlier run" in note for note in grown.notes)
    assert len(grown.tables["topic_coherence"]) > 1
