"""Crash and fault trials of the corpus store and its caches: SIGKILLs during ``add``, two processes creating the
same store, damaged manifests, damaged cache entries, no pickle, and the JSON round trip of every document.

The kills run ``cppcc-nlp add`` in forked children (the library is already imported, so a trial costs
milliseconds); each trial checks that the store reads as the old set or the old set plus the new reports, that
a plain re-run succeeds with no manual step, and that nothing is left behind.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import time
from pathlib import Path

import pytest

from cppcc_nlp import errors
from cppcc_nlp._cache import CACHE_MAGIC, CacheWarning, read_verified_bytes, verify_file, write_verified_bytes
from cppcc_nlp.corpus.store import CorpusStore

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the crash trials fork child processes (POSIX)")

KILL_POINTS = [
    "create-locked",
    "locked",
    "recovered",
    "copied",
    "journal",
    "moved",
    "moved-all",
    "manifest-tmp",
    "committed",
    "cleaned",
]


@pytest.fixture(scope="module")
def new_reports(shared_dir) -> list[Path]:
    """Two real national reports, the new ones of each trial."""
    return [shared_dir / "gwr-national" / "national_2000.txt", shared_dir / "gwr-national" / "national_2002.txt"]


@pytest.fixture(scope="module")
def old_store(tmp_path_factory, sample_path) -> Path:
    """A store holding the sample report: the 'old' state every trial starts from."""
    path = tmp_path_factory.mktemp("template") / "store"
    CorpusStore(path, create=True).add([sample_path])
    return path


def _fork_add(store: Path, files, *, kill_at: str | None = None, extra=()) -> int:
    """Run ``cppcc-nlp add FILES --corpus STORE`` in a forked child; its pid."""
    pid = os.fork()
    if pid == 0:  # the child: quiet, and never returns into pytest
        rc = 99
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            if kill_at:
                os.environ["CPPCC_NLP_TEST_KILL_AT"] = kill_at
            from cppcc_nlp.cli import main

            rc = main(["add", *map(str, files), "--corpus", str(store), "--format", "csv", *extra])
        finally:
            os._exit(rc)
    return pid


def _wait(pid: int) -> tuple[int | None, int | None]:
    """``(exit status, killing signal)`` of a child."""
    _, status = os.waitpid(pid, 0)
    return (os.WEXITSTATUS(status), None) if os.WIFEXITED(status) else (None, os.WTERMSIG(status))


def _listed(store: Path) -> list[str]:
    return sorted(e["file"] for e in CorpusStore(store).entries())


def _assert_clean(store: Path) -> None:
    """No staging folder, no temporary manifest, reports/ exactly what the manifest lists, the lock free."""
    import fcntl

    assert not list(store.glob(".staging-*")) and not list(store.glob(".manifest.csv.*.tmp"))
    assert sorted(f"reports/{p.name}" for p in (store / "reports").iterdir()) == _listed(store)
    fd = os.open(store / ".add.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(fd)


def _trial(store: Path, new_reports, old: list[str], *, kill_at=None, delay=None) -> dict:
    """One kill: the state after it is old or old+new, and a plain re-run completes the add."""
    new = sorted(old + [f"reports/{f.name}" for f in new_reports])
    pid = _fork_add(store, new_reports, kill_at=kill_at)
    if delay is not None:
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
    rc, sig = _wait(pid)
    if kill_at:
        assert sig == signal.SIGKILL, f"kill point {kill_at} not reached (exit {rc})"
    else:
        assert sig == signal.SIGKILL or rc == 0
    if (store / "manifest.csv").is_file():
        assert _listed(store) in (old, new)
    else:
        assert old == [], "the old store lost its manifest"
    rerun = _fork_add(store, new_reports, extra=["--skip-duplicates"])  # no manual step in between
    assert _wait(rerun) == (0, None)
    assert _listed(store) == new
    _assert_clean(store)
    return {"killed": sig == signal.SIGKILL}


def test_adds_killed_at_fixed_points_recover_with_no_manual_step(tmp_path, old_store, new_reports):
    survived = 0
    for point in KILL_POINTS:
        store = tmp_path / point
        if point == "create-locked":
            old = []  # a new store, killed while being created
        else:
            shutil.copytree(old_store, store)
            old = ["reports/000_e661db7dabda7a33.txt"]
        _trial(store, new_reports, old, kill_at=point)
        survived += 1
    assert survived == len(KILL_POINTS) == 10


def test_adds_killed_at_random_moments_recover_with_no_manual_step(tmp_path, old_store, new_reports):
    store = tmp_path / "timing"
    shutil.copytree(old_store, store)
    start = time.monotonic()
    assert _wait(_fork_add(store, new_reports)) == (0, None)
    duration = time.monotonic() - start
    rng = random.Random(12)
    kills = trials = 0
    # 20 kills at random moments; a child that finished first (a busy machine times runs unevenly) is re-tried
    while kills < 20 and trials < 80:
        store = tmp_path / f"random{trials}"
        shutil.copytree(old_store, store)
        delay = rng.uniform(0, 0.6 * duration)
        kills += _trial(store, new_reports, ["reports/000_e661db7dabda7a33.txt"], delay=delay)["killed"]
        trials += 1
    assert kills == 20  # every one of them recovered with a plain re-run


def test_two_processes_creating_the_same_store_lose_nothing(tmp_path, new_reports, sample_path, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    for i in range(8):
        store = tmp_path / f"new{i}"
        go = tmp_path / f"go{i}"
        # rounds 0-3: two good adds; rounds 4-7: the second one fails validation and cleans up after itself
        second = [new_reports[1]] if i < 4 else [new_reports[1], empty]
        pids = []
        for files in ([sample_path, new_reports[0]], second):
            pid = os.fork()
            if pid == 0:
                while not go.exists():
                    time.sleep(0.001)
                os._exit(_run_quiet(store, files))
            pids.append(pid)
        go.touch()
        (rc1, _), (rc2, _) = (_wait(p) for p in pids)
        assert rc1 in (0, 2) and rc2 in (0, 2)
        expected = (["reports/000_e661db7dabda7a33.txt", "reports/national_2000.txt"] if rc1 == 0 else []) + (
            ["reports/national_2002.txt"] if rc2 == 0 else []
        )
        if i < 4:
            assert 0 in (rc1, rc2)  # one of two good adds always commits
        else:
            assert rc2 == 2  # the failing one; the other may find the store it waited on removed
        if expected or (store / "manifest.csv").exists():
            assert _listed(store) == sorted(expected)  # what was committed is there: never deleted
            _assert_clean(store)


def _run_quiet(store, files) -> int:
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    try:
        from cppcc_nlp.cli import main

        return main(["add", *map(str, files), "--corpus", str(store), "--format", "csv"])
    except BaseException:
        import traceback

        Path(f"{store}.traceback-{os.getpid()}").write_text(traceback.format_exc())
        return 99


# -- the manifest -----------------------------------------------------------------------------------------


def _manifest_damages(text: str) -> dict[str, str]:
    """Damaged versions of a store manifest (header, 3 rows, checksum line)."""
    lines = text.split("\n")  # header, rows 1-3, checksum, ""
    header, rows, seal = lines[0], lines[1:4], lines[4]
    return {
        "cut after row 2": "\n".join([header, *rows[:2]]) + "\n",
        "cut in row 3": "\n".join([header, *rows[:2], rows[2][:40]]),
        "cut in the checksum line": "\n".join([header, *rows, seal[:30]]),
        "row 1 duplicated": "\n".join([header, rows[0], *rows, seal, ""]),
        "row 2 appended after the checksum": "\n".join([header, *rows, seal, rows[1], ""]),
        "row 2 removed": "\n".join([header, rows[0], rows[2], seal, ""]),
        "rows swapped": "\n".join([header, rows[1], rows[0], rows[2], seal, ""]),
        "NUL line": "\n".join([header, rows[0], "\x00" * 20, *rows[1:], seal, ""]),
        "NUL bytes inside a row": "\n".join(
            [header, rows[0], rows[1][:10] + "\x00\x00" + rows[1][12:], rows[2], seal, ""]
        ),
        "a ragged row": "\n".join([header, rows[0], rows[1] + ",extra", rows[2], seal, ""]),
        "a sha256 changed": "\n".join(
            [header, rows[0], rows[1], rows[2].replace(rows[2].split(",")[1], "f" * 64), seal, ""]
        ),
        "a file renamed": "\n".join([header, rows[0].replace("reports/", "reports/x"), *rows[1:], seal, ""]),
        "a file outside reports/": "\n".join([header, rows[0].replace("reports/", "../"), *rows[1:], seal, ""]),
        "emptied": "",
        "not UTF-8": "\n".join([header, rows[0], rows[1]]).encode("utf-8")[:-3].decode("utf-8", "ignore") + "\udcff",
    }


def test_a_damaged_manifest_is_an_error_naming_the_line_and_loses_no_file(tmp_path, sample_path, new_reports, capsys):
    from cppcc_nlp import Corpus
    from cppcc_nlp.cli import main

    good = tmp_path / "good"
    CorpusStore(good, create=True).add([sample_path, *new_reports])
    text = (good / "manifest.csv").read_text(encoding="utf-8")
    assert text.split("\n")[4].startswith("# cppcc-nlp manifest: 3 reports, sha256 ")
    reports = {p.name: p.read_bytes() for p in (good / "reports").iterdir()}
    detected = 0
    damages = _manifest_damages(text)
    for name, damaged in damages.items():
        store = tmp_path / name.replace(" ", "_").replace("/", "")
        shutil.copytree(good, store)
        (store / "manifest.csv").write_bytes(damaged.encode("utf-8", "surrogateescape"))
        with pytest.raises(errors.StoreError, match=r"manifest\.csv, line \d+: ") as info:
            Corpus.from_path(store)
        assert "store check" in str(info.value), name
        assert main(["corpus", str(store)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("Error: ") and "line " in err and "Traceback" not in err, name
        assert main(["add", str(tmp_path / "none.txt"), "--corpus", str(store)]) == 2
        assert main(["store", "check", str(store), "--repair"]) == 1
        capsys.readouterr()
        assert {p.name: p.read_bytes() for p in (store / "reports").iterdir()} == reports, name  # nothing lost
        detected += 1
    assert detected == len(damages) == 15


def test_accept_manifest_reseals_a_manifest_edited_on_purpose(tmp_path, sample_path, new_reports, capsys):
    from cppcc_nlp.cli import main

    store = tmp_path / "store"
    CorpusStore(store, create=True).add([sample_path, *new_reports])
    lines = (store / "manifest.csv").read_text(encoding="utf-8").split("\n")
    (store / "manifest.csv").write_text("\n".join([lines[0], lines[1], lines[3], lines[4], ""]), encoding="utf-8")
    (store / "reports" / "national_2000.txt").unlink()  # the report removed by hand, with its line
    assert main(["store", "check", str(store)]) == 1
    assert main(["store", "check", str(store), "--accept-manifest"]) == 0
    capsys.readouterr()
    assert _listed(store) == ["reports/000_e661db7dabda7a33.txt", "reports/national_2002.txt"]
    # docvars may be edited by hand without breaking the checksum
    text = (store / "manifest.csv").read_text(encoding="utf-8").replace(",county,", ",city,", 1)
    (store / "manifest.csv").write_text(text, encoding="utf-8")
    assert CorpusStore(store).corpus()["000_e661db7dabda7a33"].meta["level"] == "city"


# -- the caches -------------------------------------------------------------------------------------------


def _flip(path: Path, bit: int) -> None:
    data = bytearray(path.read_bytes())
    data[bit // 8] ^= 1 << (bit % 8)
    path.write_bytes(bytes(data))


def test_damaged_document_cache_entries_are_detected_and_rebuilt(tmp_path, sample_path, new_reports):
    store = CorpusStore(tmp_path / "store", create=True)
    store.add([sample_path, *new_reports])
    fresh = store.corpus()
    expected = {d.doc_id: d for d in fresh}
    entries = sorted((store.path / "cache" / "documents").glob("*.json"))
    assert len(entries) == 3
    rng = random.Random(7)
    injected = detected = 0
    damages = []
    for _ in range(12):  # single bit flips anywhere in an entry: header or content
        damages.append(("bit", lambda p: _flip(p, rng.randrange(p.stat().st_size * 8))))
    damages.append(("cut", lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])))
    damages.append(("appended", lambda p: p.write_bytes(p.read_bytes() + b" ")))
    damages.append(("emptied", lambda p: p.write_bytes(b"")))
    damages.append(("a pickle", lambda p: p.write_bytes(b"\x80\x04\x95" + b"cos\nsystem\n(S'touch PWNED'\ntR.")))
    for kind, damage in damages:
        target = entries[injected % 3]
        damage(target)
        injected += 1
        again = CorpusStore(store.path)
        with pytest.warns(CacheWarning, match="cache entry ignored and rebuilt"):
            corpus = again.corpus()
        detected += 1
        assert again.cache.misses == 1 and again.cache.hits == 2, kind
        for doc in corpus:
            assert doc == expected[doc.doc_id], kind  # identical results
        assert verify_file(target, inputs=target.stem) == "", kind  # rebuilt
    # two entries swapped: each names the inputs it was made from
    a, b = entries[0].read_bytes(), entries[1].read_bytes()
    entries[0].write_bytes(b)
    entries[1].write_bytes(a)
    injected += 2
    again = CorpusStore(store.path)
    with pytest.warns(CacheWarning, match="made from other inputs"):
        corpus = again.corpus()
    detected += again.cache.misses
    assert [d == expected[d.doc_id] for d in corpus] == [True, True, True]
    assert not Path("PWNED").exists()
    assert (detected, injected) == (18, 18)


def test_store_check_finds_and_repairs(tmp_path, sample_path, new_reports, capsys):
    from cppcc_nlp.cli import main

    store = CorpusStore(tmp_path / "store", create=True)
    store.add([sample_path, *new_reports])
    store.corpus()
    assert main(["store", "check", str(store.path)]) == 0
    out = capsys.readouterr().out
    assert "3 of 3 reports match their SHA-256" in out and "3 entries verified" in out
    # a damaged cache entry, a pickle of an older version, a dead add's staging folder
    entry = sorted((store.path / "cache" / "documents").glob("*.json"))[1]
    _flip(entry, 8 * 200 + 3)
    (store.path / "cache" / "documents" / "old.pkl").write_bytes(b"\x80\x04N.")
    (store.path / ".staging-dead").mkdir()
    assert main(["store", "check", str(store.path), "--format", "csv"]) == 1
    out = capsys.readouterr().out
    assert "content does not match its SHA-256" in out and "a pickle" in out and ".staging-dead" in out
    assert main(["store", "check", str(store.path), "--repair"]) == 0
    assert "1 parsed documents rebuilt" in capsys.readouterr().out
    assert main(["store", "check", str(store.path)]) == 0
    assert not (store.path / ".staging-dead").exists() and not (store.path / "cache/documents/old.pkl").exists()
    # a changed report cannot be repaired: the check says so
    _flip(store.path / "reports" / "national_2000.txt", 8 * 1000)
    assert main(["store", "check", str(store.path), "--repair"]) == 1
    captured = capsys.readouterr()
    assert "differs from the manifest's" in captured.out and "restore the file" in captured.out
    assert "1 problem(s)" in captured.err


def test_no_pickle_in_any_cache(tmp_path, sample_path):
    store = CorpusStore(tmp_path / "store", create=True)
    store.add([sample_path])
    store.corpus()
    files = [p for p in (store.path / "cache").rglob("*") if p.is_file()]
    assert files
    for p in files:
        raw = p.read_bytes()
        assert p.suffix != ".pkl" and not raw.startswith(b"\x80"), p
        if p.parent.name == "documents":
            assert raw.startswith(CACHE_MAGIC) and json.loads(raw.split(b"\n", 1)[1])["format"]


def test_verified_bytes_catch_every_damage_of_a_parquet_part(tmp_path, sample_path):
    # the helper the token cache writes its Parquet parts with: bit flips and removed rows are refused
    import pandas as pd

    text = sample_path.read_text(encoding="utf-8")
    rows = pd.DataFrame({"token": list(text[:3000]), "start": range(3000)})
    data = rows.to_parquet(index=False)
    part = tmp_path / "part-1.parquet"
    write_verified_bytes(part, data, inputs="pipeline1")
    assert part.read_bytes().startswith(CACHE_MAGIC)
    back = pd.read_parquet(__import__("io").BytesIO(read_verified_bytes(part, inputs="pipeline1")))
    assert back.equals(rows)
    rng = random.Random(3)
    good = part.read_bytes()
    detected = injected = 0
    for _ in range(30):
        part.write_bytes(good)
        _flip(part, rng.randrange(len(good) * 8))
        injected += 1
        with pytest.warns(CacheWarning):
            detected += read_verified_bytes(part, inputs="pipeline1") is None
        assert not part.exists()  # deleted, so that it is rebuilt and warned about once
    # rows removed, the header kept: a shorter part is refused
    header = good.split(b"\n", 1)[0] + b"\n"
    part.write_bytes(header + rows.iloc[:-50].to_parquet(index=False))
    injected += 1
    with pytest.warns(CacheWarning):
        detected += read_verified_bytes(part, inputs="pipeline1") is None
    part.write_bytes(good)
    injected += 1
    with pytest.warns(CacheWarning, match="other inputs"):
        detected += read_verified_bytes(part, inputs="pipeline2") is None
    assert read_verified_bytes(tmp_path / "missing.parquet") is None
    assert (detected, injected) == (32, 32)


def test_every_shared_report_round_trips_through_json(shared_dir):
    from dataclasses import astuple

    from cppcc_nlp.corpus._document_cache import document_from_json, document_to_json
    from cppcc_nlp.corpus.document import Document

    files = sorted(p for p in shared_dir.rglob("*") if p.is_file() and p.suffix != ".md")
    assert len(files) >= 20
    for f in files:
        doc = Document.from_file(f)
        data = document_to_json(doc)
        back = document_from_json(json.loads(json.dumps(data, ensure_ascii=False)))
        assert back == doc, f
        for name in ("sections", "paragraphs", "sentences", "removed"):  # the rows dataclasses.astuple gave
            assert data[name]["rows"] == [list(astuple(r)) for r in getattr(doc, name)], (f, name)


def test_a_cached_record_of_the_wrong_width_is_refused(sample_path, tmp_path):
    """A sound entry whose records lack a value is another layout: refused (and so rebuilt), never read short;
    reading a store leaves the garbage collector as it found it."""
    import gc

    from cppcc_nlp.corpus._document_cache import document_from_json, document_to_json
    from cppcc_nlp.corpus.document import Document

    data = document_to_json(Document.from_file(sample_path))
    data["sentences"]["rows"][5] = data["sentences"]["rows"][5][:-1]
    with pytest.raises(ValueError, match="without 11 values"):
        document_from_json(data)
    store = CorpusStore(tmp_path / "store", create=True)
    store.add([sample_path])
    store.corpus()  # parsed, and put into the cache
    assert gc.isenabled()
    again = CorpusStore(store.path)
    again.corpus()
    assert again.cache.hits == 1 and gc.isenabled()  # read from the cache, the collector back on
    gc.disable()
    try:
        CorpusStore(store.path).corpus()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_bad_store_inputs_are_typed_errors(tmp_path, sample_path, capsys):
    from cppcc_nlp.cli import main

    tried = clean = 0
    cases = [
        ["add", str(sample_path), "--corpus", "/proc/newstore"],
        ["add", str(sample_path), "--corpus", str(sample_path)],  # a file, not a folder
        ["add", str(sample_path), "--corpus", str(tmp_path / "f.txt" / "x")],  # under a file
        ["store", "check", str(tmp_path / "nothing")],
    ]
    (tmp_path / "f.txt").write_text("x")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("file,year,level\n000_e661db7dabda7a33.txt,2024\n", encoding="utf-8")
    nul = tmp_path / "nul.csv"
    nul.write_text("file,year\n\x00\x00\n", encoding="utf-8")
    cases += [
        ["corpus", str(sample_path), "--manifest", str(ragged)],
        ["corpus", str(sample_path), "--manifest", str(nul)],
    ]
    for argv in cases:
        tried += 1
        rc = main(argv)
        err = capsys.readouterr().err
        assert rc == 2 and err.startswith("Error: ") and err.count("\n") == 1 and "Traceback" not in err, argv
        clean += 1
    assert "line 2" in err
    assert not Path("/proc/newstore").exists()
    assert (clean, tried) == (6, 6)
