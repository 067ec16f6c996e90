"""The Dask backend: every distributed step gives the single-machine table (docs/scale.md).

One LocalCluster of two single-threaded worker processes serves the module; it is closed at the end.
"""

from __future__ import annotations

import builtins
import importlib.util
import os
import shutil
import threading
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest

from cppcc_nlp import _dask
from cppcc_nlp.errors import ParameterError

from conftest import BUNDLED, ROOT, SHARED

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed (pip install -e '.[test]')")

pytestmark = pytest.mark.slow

#: a few reports of ../shared/corpora: two national years and one provincial (quick on 2 cores)
FEW = ["gwr-national/national_2018.txt", "gwr-national/national_2019.txt", "gwr-shanghai/provincial-shanghai_2021.txt"]


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def few_paths():
    if not SHARED.is_dir():
        pytest.skip(f"the shared corpora are not present at {SHARED}")
    return [SHARED / f for f in FEW]


@pytest.fixture(scope="module")
def few(few_paths):
    from cppcc_nlp.corpus.corpus import Corpus

    return Corpus.from_path(few_paths)


def test_parse_scheduler():
    assert _dask.parse_scheduler("local:3") == ("local", 3)
    assert _dask.parse_scheduler("tcp://10.1.2.3:8786") == ("address", "tcp://10.1.2.3:8786")
    with pytest.raises(ParameterError, match="local:N"):
        _dask.parse_scheduler("three workers")
    with pytest.raises(ParameterError, match="at least one worker"):
        _dask.parse_scheduler("local:0")


def test_from_path_identical_with_a_skipped_file(client, few_paths, tmp_path):
    from cppcc_nlp.corpus.corpus import Corpus

    for p in few_paths:
        shutil.copy(p, tmp_path / p.name)
    (tmp_path / "broken.docx").write_bytes(b"not a zip file at all")
    with warnings.catch_warnings(record=True) as local_w:
        warnings.simplefilter("always")
        local = Corpus.from_path(tmp_path)
    with warnings.catch_warnings(record=True) as dist_w:
        warnings.simplefilter("always")
        dist = Corpus.from_path(tmp_path, client=client)
    assert dist.problems == local.problems and len(local.problems) == 1
    assert [str(w.message) for w in dist_w] == [str(w.message) for w in local_w]
    assert any("broken.docx" in str(w.message) for w in dist_w)
    for table in ("documents", "sections", "paragraphs", "sentences"):
        pd.testing.assert_frame_equal(getattr(dist, table), getattr(local, table))
    assert [d.text for d in dist.docs] == [d.text for d in local.docs]


def test_from_path_strict_raises_the_local_error(client, tmp_path):
    from cppcc_nlp.corpus.corpus import Corpus
    from cppcc_nlp.errors import ReportFileError

    shutil.copy(BUNDLED / "000_e661db7dabda7a33.txt", tmp_path)
    (tmp_path / "broken.docx").write_bytes(b"not a zip file at all")
    with pytest.raises(ReportFileError) as local:
        Corpus.from_path(tmp_path, strict=True)
    with pytest.raises(ReportFileError) as dist:
        Corpus.from_path(tmp_path, strict=True, client=client)
    assert str(dist.value) == str(local.value)


def test_tokens_identical_and_model_loaded_once_per_worker(client, few, sample_corpus, tmp_path):
    from cppcc_nlp.tokens.table import tokens

    for corpus in (sample_corpus, few):
        local = tokens(corpus, cache=False)
        dist = tokens(corpus, cache=False, client=client)
        assert len(local) > 1000
        pd.testing.assert_frame_equal(dist, local)

    def loads():
        from cppcc_nlp.tokens import pipeline

        return len(pipeline._SEGMENTERS)

    assert set(client.run(loads).values()) == {1}  # one pkuseg model per worker, whatever the number of tasks


def test_tokens_share_the_single_machine_cache(client, sample_corpus, tmp_path):
    from cppcc_nlp.tokens.table import tokens

    dist = tokens(sample_corpus, cache_dir=tmp_path, client=client)  # segments on the cluster, stores here
    parts = sorted((tmp_path / "tokens").rglob("part-*.parquet"))
    assert parts
    local = tokens(sample_corpus, cache_dir=tmp_path)  # a laptop run finds them
    assert sorted((tmp_path / "tokens").rglob("part-*.parquet")) == parts  # nothing segmented anew
    pd.testing.assert_frame_equal(dist, local)


def test_slogans_identical(client, few, sample_corpus):
    from cppcc_nlp.slogans.detection import detect_slogans

    for corpus in (sample_corpus, few):
        local = detect_slogans(corpus)
        assert len(local) > 10
        pd.testing.assert_frame_equal(detect_slogans(corpus, client=client), local)


def test_indicators_identical(client, few):
    from cppcc_nlp.indicators.extract import indicators

    local = indicators(few)
    assert len(local) > 50 and local["doc_id"].nunique() == 3
    pd.testing.assert_frame_equal(indicators(few, client=client), local)
    pd.testing.assert_frame_equal(indicators(few, kind="target", client=client), indicators(few, kind="target"))


@pytest.fixture(scope="module")
def few_tokens(few):
    from cppcc_nlp.tokens.table import tokens

    return tokens(few)


def test_counts_and_terms_identical_on_the_cluster(client, few_tokens, tmp_path, monkeypatch):
    from cppcc_nlp.terms.candidates import count_candidates
    from cppcc_nlp.terms.keyness import keyness
    from cppcc_nlp.terms.ranking import extract_terms
    from cppcc_nlp.tokens import ngrams

    local = count_candidates(few_tokens, cache=False)
    calls = []
    real = ngrams.count_ngrams
    monkeypatch.setattr(ngrams, "count_ngrams", lambda *a, **k: calls.append(1) or real(*a, **k))
    dist = count_candidates(few_tokens, cache=False, client=client)
    assert calls == []  # every document counted on the workers, none here
    assert len(local.frame) > 1000 and local.doc_ids == dist.doc_ids == list(pd.unique(few_tokens["doc_id"]))
    pd.testing.assert_frame_equal(dist.frame, local.frame)
    assert (dist.doc_counts != local.doc_counts).nnz == 0 and (dist.year_counts != local.year_counts).nnz == 0
    monkeypatch.setattr(ngrams, "count_ngrams", real)
    monkeypatch.setenv("CPPCC_NLP_CACHE", str(tmp_path / "local"))
    terms = extract_terms(few_tokens, top=300, by_year=True)
    monkeypatch.setenv("CPPCC_NLP_CACHE", str(tmp_path / "dask"))
    assert len(terms) == 300
    pd.testing.assert_frame_equal(extract_terms(few_tokens, top=300, by_year=True, client=client), terms)
    pd.testing.assert_frame_equal(
        keyness(few_tokens, target=2019, reference=2018, client=client),
        keyness(few_tokens, target=2019, reference=2018),
    )


def test_counts_of_the_cluster_are_hit_by_a_local_run(client, few_tokens, tmp_path, monkeypatch):
    from cppcc_nlp.terms.ranking import extract_terms
    from cppcc_nlp.tokens import ngrams

    monkeypatch.setenv("CPPCC_NLP_CACHE", str(tmp_path))
    calls = []
    real = ngrams.count_ngrams
    monkeypatch.setattr(ngrams, "count_ngrams", lambda *a, **k: calls.append(1) or real(*a, **k))
    dist = extract_terms(few_tokens, top=300, client=client)  # counts on the cluster, stores here
    entries = sorted((tmp_path / "ngrams").rglob("*.counts"))
    assert calls == [] and len(entries) == 3  # one entry per report, written by the client
    local = extract_terms(few_tokens, top=300)  # a laptop run finds them
    assert calls == []  # nothing counted anew
    assert sorted((tmp_path / "ngrams").rglob("*.counts")) == entries
    pd.testing.assert_frame_equal(dist, local)


def _compare_table():
    spec = importlib.util.spec_from_file_location("compare_results", ROOT / "tools" / "compare_results.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.compare_table


def test_analyze_writes_the_same_tables(client, tmp_path):
    from cppcc_nlp.workflow import analyze

    a = analyze(BUNDLED, tmp_path / "local", progress=False)
    b = analyze(BUNDLED, tmp_path / "dask", progress=False, client=client)
    compare = _compare_table()
    names = sorted(p.name for p in (a.out / "tables").glob("*.csv"))
    assert names == sorted(p.name for p in (b.out / "tables").glob("*.csv")) and "tokens" not in names
    assert len(names) >= 5
    for name in names:
        assert compare(pd.read_csv(a.out / "tables" / name), pd.read_csv(b.out / "tables" / name)) is None, name


def test_a_killed_worker_is_retried_with_the_same_result(client, few, monkeypatch):
    from cppcc_nlp.tokens import _distributed
    from cppcc_nlp.tokens.table import tokens

    local = tokens(few, cache=False)
    monkeypatch.setattr(_distributed, "BATCH_CHARS", 20_000)  # many small tasks, so some are lost mid-run
    killed = []

    async def die():  # a coroutine: client.run(wait=False) takes only those
        os._exit(1)

    def kill_one():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            busy = [w for w, tasks in client.processing().items() if tasks]
            if busy:
                client.run(die, workers=[busy[0]], wait=False)
                killed.append(busy[0])
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_one)
    killer.start()
    dist = tokens(few, cache=False, client=client)
    killer.join()
    assert killed, "no worker was busy to be killed"
    pd.testing.assert_frame_equal(dist, local)
    client.wait_for_workers(2, timeout=120)  # the nanny restarts it for later tests


def test_scheduler_without_the_extra_exits_2(monkeypatch, tmp_path, capsys):
    from cppcc_nlp.cli import main

    real_import = builtins.__import__

    def no_distributed(name, *args, **kwargs):
        if name == "distributed" or name.startswith("distributed."):
            raise ImportError("No module named 'distributed'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_distributed)
    rc = main(["analyze", str(BUNDLED), "--out", str(tmp_path / "out"), "--scheduler", "local:2", "--quiet"])
    assert rc == 2
    assert capsys.readouterr().err.strip() == (
        "Error: --scheduler needs the dask extra (pip install 'cppcc-nlp[dask]')"
    )
    assert not (tmp_path / "out").exists()  # refused before anything is written
    assert Path(tmp_path).is_dir()
