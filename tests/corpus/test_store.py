"""The corpus store: validated, atomic adds; duplicates; caches keyed by content hash and version."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from cppcc_nlp import errors
from cppcc_nlp._cache import cache_dir, cache_key
from cppcc_nlp.corpus.store import CorpusStore

from conftest import DATA

_spec = importlib.util.spec_from_file_location("make_samples", DATA / "make_samples.py")
make_samples_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_samples_mod)


def lock_is_free(store) -> bool:
    """True when no process holds the store's add lock (the lock file itself may stay)."""
    import fcntl
    import os

    fd = os.open(store.path / ".add.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def snapshot(folder: Path) -> dict:
    """Every file under the store except caches and the lock file, with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "cache" not in p.relative_to(folder).parts and p.name != ".add.lock"
    }


@pytest.fixture()
def reports(tmp_path, sample_path):
    """The sample, the sample in GBK, and the sample with one change: a likely duplicate."""
    folder = tmp_path / "incoming"
    folder.mkdir()
    raw = sample_path.read_text(encoding="utf-8")
    (folder / "sample.txt").write_text(raw, encoding="utf-8")
    (folder / "sample_gbk.txt").write_bytes(raw.encode("gbk"))
    (folder / "sample_v2.txt").write_text(raw.replace("书记联系政协常委10次", "书记联系政协常委11次"), encoding="utf-8")
    (folder / "bad.txt").write_bytes(b"")
    (folder / "noyear.txt").write_text("各位代表：\n现在，我代表县人民政府，向大会报告工作。\n", encoding="utf-8")
    return folder


def test_add_creates_the_store_and_records_the_manifest(tmp_path, reports):
    store = CorpusStore(tmp_path / "store", create=True)
    result = store.add([reports / "sample.txt"])
    assert result[["doc_id", "year", "organ", "region", "level", "status"]].values.tolist() == [
        ["sample", 2024, "政协常委会", "阜新蒙古族自治县", "county", "added"]
    ]
    assert (tmp_path / "store" / "reports" / "sample.txt").read_bytes() == (reports / "sample.txt").read_bytes()
    m = store.manifest
    assert m.file.tolist() == ["reports/sample.txt"]
    assert m.loc[0, "year"] == "2024" and m.loc[0, "speaker"] == "陈忠民" and m.loc[0, "abridged"] == "true"
    corpus = store.corpus()
    assert corpus.documents.doc_id.tolist() == ["sample"]
    assert corpus.sections[corpus.sections.depth == 1].period.tolist() == [2024, 2025, 2024]


def test_exact_duplicates_are_refused_by_bytes_and_by_text(tmp_path, reports):
    store = CorpusStore(tmp_path / "store", create=True)
    store.add([reports / "sample.txt"])
    before = snapshot(store.path)
    with pytest.raises(errors.DuplicateReportError, match="already in the store as reports/sample.txt"):
        store.add([reports / "sample.txt"])
    with pytest.raises(errors.DuplicateReportError, match="the same text"):
        store.add([reports / "sample_gbk.txt"])  # other bytes, same report
    assert snapshot(store.path) == before
    result = store.add([reports / "sample_gbk.txt"], skip_duplicates=True)
    assert result.status.tolist() == ["skipped-duplicate"]
    assert snapshot(store.path) == before
    # twice in one call
    fresh = CorpusStore(tmp_path / "fresh", create=True)
    with pytest.raises(errors.DuplicateReportError):
        fresh.add([reports / "sample.txt", reports / "sample_gbk.txt"])
    assert len(fresh) == 0


def test_likely_duplicates_are_added_and_reported(tmp_path, reports):
    store = CorpusStore(tmp_path / "store", create=True)
    store.add([reports / "sample.txt"])
    with pytest.warns(UserWarning, match="same organ, region and year"):
        result = store.add([reports / "sample_v2.txt"])
    assert result.status.tolist() == ["likely-duplicate"]
    assert "reports/sample.txt" in result.note[0]
    assert len(store) == 2


def test_a_failed_add_leaves_the_store_as_it_was(tmp_path, reports, monkeypatch):
    store = CorpusStore(tmp_path / "store", create=True)
    store.add([reports / "sample.txt"])
    before = snapshot(store.path)
    # a bad file among good ones: nothing is written
    with pytest.raises(errors.EmptyFileError):
        store.add([reports / "sample_v2.txt", reports / "bad.txt"])
    with pytest.raises(errors.MissingMetadataError):
        store.add([reports / "noyear.txt"])
    assert snapshot(store.path) == before

    # a crash while committing: the copied files are taken back, the manifest is untouched
    def boom(self, rows):
        raise OSError("disk full")

    monkeypatch.setattr(CorpusStore, "_write_manifest", boom)
    with pytest.raises(OSError, match="disk full"):
        store.add([reports / "sample_v2.txt"])
    assert snapshot(store.path) == before
    assert lock_is_free(store)


def test_a_file_the_manifest_does_not_list_is_ignored_and_never_deleted(tmp_path, reports):
    # only a staging journal proves a file was moved there by a dead add; anything else is the user's
    store = CorpusStore(tmp_path / "store", create=True)
    store.add([reports / "sample.txt"])
    shutil.copy(reports / "sample_v2.txt", store.path / "reports" / "sample_v2.txt")  # put there by hand
    assert store.corpus().documents.doc_id.tolist() == ["sample"]
    (reports / "sample_v2.txt").rename(reports / "sample_v2_2023.txt")
    with pytest.warns(UserWarning, match=r"sample_v2\.txt not in the manifest .* left as they are"):
        result = store.add([reports / "noyear.txt", reports / "sample_v2_2023.txt"], overrides={"year": 2023})
    assert (store.path / "reports" / "sample_v2.txt").read_bytes() == (reports / "sample_v2_2023.txt").read_bytes()
    assert result.stored_as.tolist() == ["reports/noyear.txt", "reports/sample_v2_2023.txt"]
    assert sorted(store.manifest.file) == ["reports/noyear.txt", "reports/sample.txt", "reports/sample_v2_2023.txt"]
    assert store.corpus()["noyear"].meta["year"] == 2023
    findings = store.check()
    assert findings[findings.status == "unlisted"].item.tolist() == ["reports/sample_v2.txt"]


def test_refresh_reads_only_new_reports_from_text(tmp_path, reports, monkeypatch):
    store = CorpusStore(tmp_path / "store", create=True)
    store.add([reports / "sample.txt"])
    store.corpus()
    assert (store.cache.hits, store.cache.misses) == (0, 1)
    with pytest.warns(UserWarning, match="likely|same organ"):
        store.add([reports / "sample_v2.txt"])
    again = CorpusStore(store.path)
    corpus = again.corpus()
    assert (again.cache.hits, again.cache.misses) == (1, 1)  # only the new report was parsed
    assert len(corpus) == 2
    # a new library version invalidates every entry
    import cppcc_nlp._version

    monkeypatch.setattr(cppcc_nlp._version, "__version__", "99.0")
    newer = CorpusStore(store.path)
    newer.corpus()
    assert (newer.cache.hits, newer.cache.misses) == (0, 2)


def test_cache_keys_and_dir(monkeypatch, tmp_path):
    assert cache_key("abc", "x") != cache_key("abd", "x") != cache_key("abc", "y")
    monkeypatch.setenv("CPPCC_NLP_CACHE", str(tmp_path / "c"))
    assert cache_dir() == tmp_path / "c"
    monkeypatch.delenv("CPPCC_NLP_CACHE")
    assert cache_dir() == Path.home() / ".cache" / "cppcc-nlp"


def test_not_a_store_and_locked_store(tmp_path, reports):
    with pytest.raises(errors.StoreError, match="no corpus store here"):
        CorpusStore(tmp_path / "nothing")
    with pytest.raises(errors.StoreError, match="not a corpus store"):
        CorpusStore(reports, create=True)
    store = CorpusStore(tmp_path / "store", create=True)
    (store.path / ".add.lock").write_text("123")  # a lock file alone (a dead add's) stops nothing
    store.add([reports / "noyear.txt"], overrides={"year": 2023})
    holder = store._acquire(wait=0)  # a live holder (another open file) refuses an add
    try:
        with pytest.raises(errors.StoreError, match="another `add` is running"):
            store.add([reports / "sample.txt"])
    finally:
        import os

        os.close(holder)
    store.add([reports / "sample.txt"])
    assert len(store) == 2
    empty = CorpusStore(tmp_path / "empty", create=True)
    with pytest.raises(errors.NoReportsError):
        empty.corpus()


def test_a_store_folder_reads_as_a_corpus_with_its_manifest(tmp_path, reports):
    from cppcc_nlp import Corpus

    store = CorpusStore(tmp_path / "store", create=True)
    store.add([reports / "noyear.txt"], overrides={"year": 2022, "region": "彰武县"})
    store.corpus()  # fills cache/ with pickles, which a folder read must ignore
    corpus = Corpus.from_path(store.path, strict=True)
    row = corpus.documents.iloc[0]
    assert (row.doc_id, row.year, row.region, row.level) == ("noyear", 2022, "彰武县", "county")


def test_a_report_added_and_not_yet_read_is_unread(tmp_path, reports):
    """What analyze asks before reading (whether to load the segmenter beside it): a report added since the
    store was last read has no parsed document in the cache."""
    store = CorpusStore(tmp_path / "store", create=True)
    store.add([reports / "sample.txt"])
    assert store.has_unread_reports()
    store.corpus()
    assert not store.has_unread_reports()
    assert store.has_unread_reports(to_simplified=True)  # other reading options, another parsed document
    store.add([reports / "noyear.txt"], overrides={"year": 2022, "region": "彰武县"})
    assert store.has_unread_reports()
    store.corpus()
    assert not store.has_unread_reports()


def test_a_failure_while_copying_leaves_no_trace(tmp_path, reports, monkeypatch):
    import cppcc_nlp.corpus.store as store_module

    store = CorpusStore(tmp_path / "store", create=True)
    store.add([reports / "sample.txt"])
    before = snapshot(store.path)
    calls = []
    real_copy = store_module.shutil.copyfile

    def copy_then_fail(src, dst, **kwargs):
        calls.append(dst)
        if len(calls) == 2:
            raise KeyboardInterrupt  # interrupted while staging the second file
        return real_copy(src, dst, **kwargs)

    noyear_copy = reports / "noyear_2023.txt"
    shutil.copy(reports / "noyear.txt", noyear_copy)
    monkeypatch.setattr(store_module.shutil, "copyfile", copy_then_fail)
    with pytest.raises(KeyboardInterrupt):
        store.add([reports / "sample_v2.txt", noyear_copy], overrides={"year": 2023})
    assert Path(calls[0]).parent.name.startswith(".staging-")
    assert snapshot(store.path) == before
    assert not list(store.path.glob(".staging-*"))


def test_a_store_path_reads_as_the_store_with_its_own_token_cache(tmp_path, sample_path, monkeypatch):
    """The yearly refresh: `analyze store/` reads the store and caches tokens inside it."""
    import cppcc_nlp as cn

    tokens_module = importlib.import_module("cppcc_nlp.tokens.table")  # cppcc_nlp.tokens is the function

    store = tmp_path / "store"
    cn.CorpusStore(store, create=True).add([sample_path])
    corpus = cn.Corpus.from_path(store)
    assert corpus.cache_dir == store / "cache" and len(corpus) == 1
    assert corpus.subset(year=2024).cache_dir == store / "cache"
    first = cn.tokens(corpus)
    assert any((store / "cache" / "tokens").rglob("part-*.parquet"))
    calls = []
    original = tokens_module._segment
    monkeypatch.setattr(
        tokens_module, "_segment", lambda pipe, texts, **kw: calls.append(len(texts)) or original(pipe, texts, **kw)
    )
    again = cn.tokens(cn.Corpus.from_path(store))
    assert sum(calls) == 0 and again["token"].tolist() == first["token"].tolist()


def test_a_duplicate_within_one_add_names_the_file_given_before_it(tmp_path, reports):
    # the GBK copy repeats sample.txt given in the same call: the store is empty, so the message must not
    # say "already in the store"
    store = CorpusStore(tmp_path / "store", create=True)
    with pytest.raises(errors.DuplicateReportError) as info:
        store.add([reports / "sample.txt", reports / "sample_gbk.txt"])
    message = str(info.value)
    assert "already in the store" not in message
    assert str(reports / "sample_gbk.txt") in message and f"as {reports / 'sample.txt'}" in message
    assert "given earlier in this add" in message and "the same text" in message
    assert len(store) == 0
    result = store.add([reports / "sample.txt", reports / "sample_gbk.txt"], skip_duplicates=True)
    assert result.status.tolist() == ["added", "skipped-duplicate"]
    assert result.note.iloc[1] == f"the same text as {reports / 'sample.txt'} (given earlier in this add)"
    assert [e["file"] for e in store.entries()] == ["reports/sample.txt"]


def test_a_folder_with_the_users_own_manifest_is_not_a_store(tmp_path, sample_path, capsys):
    # a reports folder with a hand-written manifest.csv (docs: "a manifest.csv beside the reports") and a
    # reports/ subfolder: `add --corpus` on it was a KeyError traceback ('sha256'); reading it must still work
    folder = tmp_path / "mine"
    (folder / "reports").mkdir(parents=True)
    shutil.copy(sample_path, folder / "reports" / "fx.txt")
    (folder / "manifest.csv").write_text("file,year,level,region\nreports/fx.txt,2023,city,阜新市\n", encoding="utf-8")
    before = snapshot(folder)
    with pytest.raises(errors.StoreError, match=r"mine: its manifest\.csv is not a corpus store's"):
        CorpusStore(folder)
    from cppcc_nlp.cli import main

    assert main(["add", str(sample_path), "--corpus", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"Error: {folder}: its manifest.csv is not a corpus store's") and "Traceback" not in err
    assert snapshot(folder) == before
    from cppcc_nlp import Corpus

    corpus = Corpus.from_path(folder)  # a folder of reports with its manifest
    row = corpus.documents.iloc[0]
    assert (row.doc_id, row.year, row.level, row.region) == ("fx", 2023, "city", "阜新市")
    assert not (folder / "cache").exists()


def test_a_store_report_gone_missing_is_skipped_with_a_warning(tmp_path, reports):
    # Corpus.from_path promises a warning for every skipped file; read as a store it gave none
    from cppcc_nlp import Corpus

    store = CorpusStore(tmp_path / "store", create=True)
    store.add([reports / "sample.txt", reports / "noyear.txt"], overrides={"year": 2024})
    (store.path / "reports" / "sample.txt").unlink()
    with pytest.warns(UserWarning, match=r"skipped: .*sample\.txt: listed in the manifest but cannot be read"):
        corpus = Corpus.from_path(store.path)
    assert corpus.documents.doc_id.tolist() == ["noyear"]
    assert [p for p, _ in corpus.problems] == [str(store.path / "reports" / "sample.txt")]
    with pytest.raises(errors.ReportFileError, match="listed in the manifest"):
        Corpus.from_path(store.path, strict=True)


def test_a_change_to_the_parsing_code_invalidates_parsed_documents(tmp_path, reports, monkeypatch):
    # parsed documents were keyed by the library version only, so a store kept serving documents parsed by the
    # old code after a fix to reading/normalising/structure/metadata (same 0.1.0): stale sections and docvars
    import cppcc_nlp.corpus._document_cache as cache_module

    store = CorpusStore(tmp_path / "store", create=True)
    store.add([reports / "sample.txt"])
    store.corpus()
    again = CorpusStore(store.path)
    again.corpus()
    assert (again.cache.hits, again.cache.misses) == (1, 0)
    fingerprint = cache_module.parser_fingerprint()
    assert len(fingerprint) == 16 and fingerprint == cache_module.parser_fingerprint()
    monkeypatch.setattr(cache_module, "parser_fingerprint", lambda: "edited-structure")
    edited = CorpusStore(store.path)
    edited.corpus()
    assert (edited.cache.hits, edited.cache.misses) == (0, 1)
