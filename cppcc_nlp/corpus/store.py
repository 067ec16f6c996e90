"""The corpus store: a folder of reports, their manifest and derived caches, refreshed once a year.

Layout::

    <store>/
      manifest.csv     one line per report: file, sha256, text_sha256, added, and the docvars
                       (title organ level region session date year speaker abridged), editable by hand
      reports/         the report files, as given (names made unique with -2, -3 …)
      cache/           derived results keyed by content hash + library version (documents/, tokens/ …)

``cppcc-nlp add FILE... --corpus DIR`` (:meth:`CorpusStore.add`) validates every new report (read, repair,
structure, a delivery year), refuses exact duplicates (same bytes or the same normalised text as a stored
report, or twice in one call), reports likely duplicates (same organ, region and year as a stored report) and
writes **atomically**: new files are copied into a hidden staging folder in the store (``.staging-*``) and
checked against their hash, the staging folder's journal lists them, they are renamed into ``reports/``, and the
manifest — the commit record, sealed by a checksum line — is replaced in one ``os.replace``.  A failure before
that removes what was copied.  An ``add`` holds ``.add.lock`` with ``fcntl.flock``, which the kernel releases
when the process dies: a killed ``add`` leaves no lock, and the next ``add`` removes its staging folder and the
files its journal proves it moved into ``reports/`` (same name, same SHA-256, not in the manifest).  A file in
``reports/`` that neither the manifest nor a journal accounts for is never deleted: it is reported.

:meth:`CorpusStore.check` (``cppcc-nlp store check STORE [--repair]``) verifies the manifest, every report's
SHA-256 and every cache entry, and with ``repair`` rebuilds what can be rebuilt.

Examples
--------
>>> store = CorpusStore("my_store", create=True)                       # doctest: +SKIP
>>> store.add(["county-阜新_2025.txt"])                                 # doctest: +SKIP
>>> corpus = store.corpus()                                            # doctest: +SKIP
"""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import io
import json
import os
import shutil
import signal
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

from cppcc_nlp._cache import atomic_write_bytes, verify_file
from cppcc_nlp.corpus._document_cache import DocumentCache
from cppcc_nlp.corpus._store_format import (
    CACHE,
    LOCK,
    MANIFEST,
    MANIFEST_COLUMNS,
    REPORTS,
    cache_folder,
    has_unread_reports,
    is_store_manifest,
    manifest_seal,
    read_entries,
    read_store,
    sha256_file,
)
from cppcc_nlp.corpus.corpus import Corpus
from cppcc_nlp.corpus.document import Document
from cppcc_nlp.errors import DuplicateReportError, NoReportsError, ReportFileError, StoreError
from cppcc_nlp.io.metadata import FIELDS

#: the journal of a staging folder: ``{stored name: sha256}`` of the files an ``add`` is about to move
JOURNAL = "journal.json"
#: how long creating a store waits for another process creating the same store
CREATE_WAIT_S = 30.0

ADD_COLUMNS = ["file", "stored_as", "doc_id", "year", "organ", "region", "level", "status", "note"]


class CorpusStore:
    """A corpus store folder (see the module docstring).

    Parameters
    ----------
    path : str or Path
        The store folder.
    create : bool
        Create an empty store if the folder is missing or empty.
    """

    def __init__(self, path, *, create: bool = False):
        self.path = Path(path)
        self._created: list[Path] = []  # what this object created (and only that may its clean-up remove)
        if self.path.exists() and not self.path.is_dir():
            raise StoreError(f"{self.path}: a file, not a corpus store folder")
        manifest = self.path / MANIFEST
        if manifest.is_file() and not is_store_manifest(manifest) and not (self.path / LOCK).is_file():
            raise StoreError(
                f"{self.path}: its {MANIFEST} is not a corpus store's (no sha256 column: a manifest "
                "of your own reports?); read the folder as a corpus, or give an empty or new "
                "folder to create a store"
            )
        if not manifest.is_file():
            empty = _is_unfinished(self.path)
            if not (create and empty):
                if self.path.is_dir() and not empty:
                    raise StoreError(
                        f"{self.path}: a folder with files but no {MANIFEST}: not a corpus store "
                        "(give an empty or new folder to create one)"
                    )
                raise StoreError(
                    f"{self.path}: no corpus store here (create one with `cppcc-nlp add FILE "
                    f"--corpus {self.path}` or CorpusStore(path, create=True))"
                )
            self._create()
        self.cache = DocumentCache(self.path / CACHE)

    # -- reading -----------------------------------------------------------------------------------------
    def entries(self) -> list[dict]:
        """The manifest's rows (dicts of strings), in order."""
        return read_entries(self.path)

    @property
    def manifest(self) -> pd.DataFrame:
        """The manifest as a DataFrame (columns :data:`MANIFEST_COLUMNS`)."""
        return pd.DataFrame(self.entries(), columns=MANIFEST_COLUMNS)

    def __len__(self) -> int:
        return len(self.entries())

    def __repr__(self) -> str:
        return f"<CorpusStore {self.path}: {len(self)} reports>"

    def corpus(self, *, to_simplified: bool = False, strict: bool = True) -> Corpus:
        """The stored reports as a :class:`~cppcc_nlp.corpus.Corpus`, parsed documents taken from the cache.

        Only files listed in the manifest are read; the manifest's docvars override the text's.  Tokens and
        other derived results of that corpus are cached in the store (``<store>/cache``).
        """
        docs, problems = read_store(self.path, to_simplified=to_simplified, strict=strict, cache=self.cache)
        return Corpus(docs, problems, cache_dir=cache_folder(self.path))

    def has_unread_reports(self, *, to_simplified: bool = False) -> bool:
        """True when some report has no parsed document in the cache yet (added since the store was last read, or
        parsing code changed): :meth:`corpus` will parse it.  Reads the manifest and lists the cache only."""
        return has_unread_reports(self.path, to_simplified=to_simplified)

    # -- adding ------------------------------------------------------------------------------------------
    def add(
        self, files, *, overrides: dict | None = None, skip_duplicates: bool = False, to_simplified: bool = False
    ) -> pd.DataFrame:
        """Validate and add report files, atomically.

        Parameters
        ----------
        files : path or list of paths
            Report files (``.txt .docx .pdf .html``).
        overrides : dict, optional
            Docvars applied to every new file (e.g. ``{"level": "county"}``), as a manifest entry would.
        skip_duplicates : bool
            Skip exact duplicates instead of refusing the whole ``add``.

        Returns
        -------
        DataFrame
            One row per file given: file, stored_as, doc_id, year, organ, region, level, status
            (``added``, ``likely-duplicate`` (added, but same organ/region/year as a stored report) or
            ``skipped-duplicate``), note.

        Raises
        ------
        DuplicateReportError
            A file whose content is already stored (unless ``skip_duplicates``); nothing is written.
        ReportFileError, MissingMetadataError
            A file that does not validate; nothing is written.
        """
        files = [Path(files)] if isinstance(files, (str, Path)) else [Path(f) for f in files]
        if not files:
            raise NoReportsError("add: no files given")
        for f in files:
            if f.is_dir():
                raise ReportFileError(f, "is a folder", "name the report files to add (e.g. DIR/*.txt)")
        overrides = dict(overrides or {})
        if overrides:
            from cppcc_nlp.io.metadata import _clean_entry

            overrides = _clean_entry(overrides, None, "option")
        lock = self._acquire(wait=0)
        try:
            _kill_point("locked")
            existing = self.entries()  # a damaged manifest stops here: nothing is removed or written
            self._recover(existing)
            _kill_point("recovered")
            by_sha = {e["sha256"]: e for e in existing}
            by_text = {e.get("text_sha256"): e for e in existing if e.get("text_sha256")}
            by_key = {}
            for e in existing:
                by_key.setdefault((e.get("organ"), e.get("region"), str(e.get("year"))), e)
            taken = {Path(e["file"]).name for e in existing}
            unlisted = self._unlisted(existing)
            if unlisted:
                warnings.warn(
                    f"{self.path / REPORTS}: {', '.join(unlisted)} not in the manifest (not added by an "
                    "add, or restored by hand): left as they are; add them with `cppcc-nlp add` or "
                    "move them away",
                    stacklevel=2,
                )
            taken |= set(unlisted)

            # 1. validate everything in memory before touching the store
            plan, results, notices = [], [], []
            given = {}  # id(entry) → the file it comes from, for entries planned in this add
            for f in files:
                doc = Document.from_file(f, manifest_row=overrides, to_simplified=to_simplified)
                sha = doc.meta["sha256"]
                text_sha = hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
                dup = by_sha.get(sha) or by_text.get(text_sha)
                if dup is not None:
                    what = "the same bytes" if dup.get("sha256") == sha else "the same text"
                    earlier = given.get(id(dup))  # a file given before it in this add, not yet in the store
                    if not skip_duplicates:
                        where = (
                            f"the same report as {earlier} given earlier in this add"
                            if earlier
                            else f"already in the store as {dup['file']}"
                        )
                        raise DuplicateReportError(
                            f, f"{where} ({what}); nothing was added", "leave it out, or pass --skip-duplicates"
                        )
                    note = f"{what} as {earlier} (given earlier in this add)" if earlier else f"{what} as {dup['file']}"
                    results.append(_row(f, dup["file"], doc, "skipped-duplicate", note))
                    continue
                m = doc.meta
                key = (m.get("organ"), m.get("region"), str(m.get("year")))
                likely = by_key.get(key)
                name = _unique_name(f.name, taken)
                taken.add(name)
                stored = f"{REPORTS}/{name}"
                entry = {
                    "file": stored,
                    "sha256": sha,
                    "text_sha256": text_sha,
                    "added": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    **{k: _fmt(m.get(k)) for k in FIELDS},
                }
                status, note = "added", ""
                if likely is not None:
                    status = "likely-duplicate"
                    note = (
                        f"same organ, region and year ({key[0]}, {key[1]}, {key[2]}) as {likely['file']}: "
                        "check it is not the same report"
                    )
                    notices.append(f"{f}: {note}")
                plan.append((f, stored, entry))
                results.append(_row(f, stored, doc, status, note))
                by_sha[sha] = by_text[text_sha] = by_key[key] = entry
                given[id(entry)] = f

            if plan:
                self._commit(existing, plan)
        finally:
            _release(lock)
        for notice in notices:  # reported once the add has succeeded
            warnings.warn(notice, stacklevel=2)
        return pd.DataFrame(results, columns=ADD_COLUMNS)

    # -- checking ----------------------------------------------------------------------------------------
    def check(self, *, repair: bool = False, accept_manifest: bool = False) -> pd.DataFrame:
        """Verify the manifest, every report's SHA-256 and every cache entry; optionally repair.

        Parameters
        ----------
        repair : bool
            Remove what an interrupted ``add`` left, delete damaged or outdated cache entries and rebuild the
            parsed-document cache.  Reports that are missing or changed, and files in ``reports/`` that the
            manifest does not list, cannot be repaired: their rows say what to do.
        accept_manifest : bool
            Trust the manifest as it now is and re-seal it (after lines were removed or reordered by hand, or for
            a store written before manifests were sealed).  Its rows must still parse, without duplicates.

        Returns
        -------
        DataFrame
            One row per finding: ``item`` (a path in the store), ``kind`` (manifest, report, leftover, cache),
            ``status`` (``ok``, ``damaged``, ``missing``, ``unlisted``, ``leftover``, ``repaired``,
            ``unverified``), ``note``.  ``CorpusStore.problems(df)`` are the rows still needing attention.
        """
        rows = []

        def found(item, kind, status, note):
            rows.append({"item": str(item), "kind": kind, "status": status, "note": note})

        lock = self._acquire(wait=0)
        try:
            try:
                entries = read_entries(self.path)
                found(MANIFEST, "manifest", "ok", f"{len(entries)} reports, checksum line matches")
            except StoreError as err:
                if not accept_manifest:
                    found(MANIFEST, "manifest", "damaged", f"{err} — cannot be repaired automatically")
                    return _findings(rows)
                entries = read_entries(self.path, check_seal=False)  # rows must still parse
                self._write_manifest(entries)
                found(
                    MANIFEST,
                    "manifest",
                    "repaired",
                    f"accepted as it is and re-sealed ({len(entries)} reports; was: {err})",
                )
            # reports: present, with the hash the manifest records
            bad = 0
            for e in entries:
                f = self.path / e["file"]
                try:
                    digest = sha256_file(f)
                except ReportFileError:
                    bad += 1
                    found(
                        e["file"],
                        "report",
                        "missing",
                        "cannot be repaired: restore the file from a backup, or "
                        "remove its line from manifest.csv and run `store check --accept-manifest`",
                    )
                    continue
                if digest != e["sha256"]:
                    bad += 1
                    found(
                        e["file"],
                        "report",
                        "damaged",
                        f"SHA-256 {digest[:12]}… differs from the manifest's "
                        f"{e['sha256'][:12]}…; cannot be repaired: restore the file from a backup",
                    )
            found(REPORTS, "report", "ok", f"{len(entries) - bad} of {len(entries)} reports match their SHA-256")
            for name in self._unlisted(entries):
                found(
                    f"{REPORTS}/{name}",
                    "report",
                    "unlisted",
                    "not in the manifest (not removed, never read): add it with `cppcc-nlp add` or move it away",
                )
            # what an interrupted add left
            leftovers = sorted(self.path.glob(".staging-*")) + sorted(self.path.glob(f".{MANIFEST}.*.tmp"))
            for item in leftovers:
                found(
                    item.relative_to(self.path),
                    "leftover",
                    "repaired" if repair else "leftover",
                    "left by an interrupted add"
                    + ("; removed" if repair else " (removed by --repair or the next add)"),
                )
            if repair and leftovers:
                self._recover(entries)
            # caches
            rows.extend(self._check_cache(repair))
            if repair:
                before = self.cache.misses
                try:
                    self.corpus(strict=False)
                except NoReportsError:
                    pass
                rebuilt = self.cache.misses - before
                if rebuilt:
                    found(f"{CACHE}/documents", "cache", "repaired", f"{rebuilt} parsed documents rebuilt")
        finally:
            _release(lock)
        return _findings(rows)

    @staticmethod
    def problems(findings: pd.DataFrame) -> pd.DataFrame:
        """The rows of :meth:`check` that still need attention (neither ``ok``, ``repaired`` nor ``unverified``)."""
        return findings[~findings.status.isin(["ok", "repaired", "unverified"])]

    def _check_cache(self, repair: bool) -> list[dict]:
        out = []
        root = self.path / CACHE
        counts = {}
        for f in sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []:
            rel = f.relative_to(self.path)
            kind = f.relative_to(root).parts[0]
            problem, status = "", "damaged"
            if f.name.endswith(".tmp"):
                if time.time() - f.stat().st_mtime < 3600:
                    continue  # may belong to a running process
                problem, status = "a temporary file left by an interrupted write", "leftover"
            elif f.suffix == ".pkl":
                problem = "a pickle (written by an older version): never loaded"
            elif kind in ("documents", "ngrams"):  # ngrams: the n-gram counts of cppcc_nlp/tokens/ngrams.py
                problem = verify_file(f, inputs=f.stem)
            elif kind == "tokens" and f.suffix == ".parquet":
                if not _has_cache_header(f):
                    counts.setdefault(kind, [0, 0])[1] += 1
                    continue
                problem = verify_file(f)
            else:
                continue
            if problem:
                if repair:
                    f.unlink(missing_ok=True)
                out.append(
                    {
                        "item": str(rel),
                        "kind": "cache",
                        "status": "repaired" if repair else status,
                        "note": problem + ("; removed (rebuilt when needed)" if repair else ""),
                    }
                )
            else:
                counts.setdefault(kind, [0, 0])[0] += 1
        for kind, (good, unverified) in sorted(counts.items()):
            if good:
                out.append(
                    {"item": f"{CACHE}/{kind}", "kind": "cache", "status": "ok", "note": f"{good} entries verified"}
                )
            if unverified:
                out.append(
                    {
                        "item": f"{CACHE}/{kind}",
                        "kind": "cache",
                        "status": "unverified",
                        "note": f"{unverified} entries without a checksum (written before verified entries)",
                    }
                )
        return out

    # -- internals ---------------------------------------------------------------------------------------
    def _create(self) -> None:
        """Make the folder, its lock, ``reports/``, ``cache/`` and a sealed empty manifest, under the lock.

        Two processes creating the same store meet at the lock: the second finds the manifest and leaves it.
        """
        for _ in range(20):  # the folder may vanish under us: another creator's clean-up (then we make it anew)
            self._make_folders()
            try:
                lock = self._acquire(wait=CREATE_WAIT_S)
                break
            except _Vanished:
                continue
        else:
            raise StoreError(f"{self.path}: the store folder keeps disappearing while it is created; try again")
        try:
            _kill_point("create-locked")
            if not (self.path / MANIFEST).is_file():
                if not _is_unfinished(self.path):
                    raise StoreError(
                        f"{self.path}: files appeared in the new store folder while creating it; "
                        "give an empty or new folder"
                    )
                for tmp in self.path.glob(f".{MANIFEST}.*.tmp"):  # from a creation killed before
                    tmp.unlink(missing_ok=True)
                for name in (REPORTS, CACHE):
                    try:
                        (self.path / name).mkdir()
                        self._created.append(self.path / name)
                    except FileExistsError:
                        pass
                self._write_manifest([])
                self._created.append(self.path / MANIFEST)
        except OSError as exc:
            raise StoreError(
                f"{self.path}: cannot create the store ({exc.strerror or exc}); give a folder you can write to"
            ) from exc
        finally:
            _release(lock)

    def _make_folders(self) -> None:
        missing = []
        p = self.path
        while not p.exists() and p != p.parent:
            missing.append(p)
            p = p.parent
        try:
            for folder in reversed(missing):
                try:
                    folder.mkdir()
                    self._created.append(folder)
                except FileExistsError:
                    pass
        except OSError as exc:
            raise StoreError(
                f"{self.path}: cannot create the store folder ({exc.strerror or exc}); give a folder you can write to"
            ) from exc

    def discard_if_empty(self) -> None:
        """Remove what this object created (folders, manifest, lock) if the store is still empty.

        For a command whose first ``add`` failed: it leaves no empty store behind, and never removes what
        another process made or added (it works under the lock, and only on what it created).
        """
        if not self._created:
            return
        try:
            lock = self._acquire(wait=0)
        except StoreError:
            return  # another add holds the store: it is no longer ours to remove
        try:
            try:
                if read_entries(self.path):
                    return
            except StoreError:
                return
            for p in reversed(self._created):
                if p.name == MANIFEST:
                    p.unlink(missing_ok=True)
            (self.path / LOCK).unlink(missing_ok=True)  # a process waiting on it retries on the new one
            for p in reversed(self._created):
                if p.name != MANIFEST:
                    try:
                        p.rmdir()  # only when empty: never what another process put there
                    except OSError:
                        pass
        finally:
            _release(lock)
        self._created = []

    def _commit(self, existing: list[dict], plan: list) -> None:
        """Stage, journal, move into ``reports/``, then replace the manifest (the commit)."""
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=self.path))
        moved, committed = [], False
        try:
            for f, stored, entry in plan:
                target = staging / Path(stored).name
                shutil.copyfile(f, target)
                if _fsync_and_hash(target) != entry["sha256"]:
                    raise ReportFileError(
                        f, "changed while it was being added; nothing was added", "add it again once it is complete"
                    )
                _kill_point("copied")
            journal = {Path(stored).name: entry["sha256"] for _, stored, entry in plan}
            atomic_write_bytes(staging / JOURNAL, json.dumps(journal).encode("utf-8"))
            _kill_point("journal")
            for _, stored, _ in plan:
                target = self.path / stored
                os.replace(staging / target.name, target)
                moved.append(target)
                _kill_point("moved")
            _fsync_dir(self.path / REPORTS)
            _kill_point("moved-all")
            self._write_manifest(existing + [entry for _, _, entry in plan])
            committed = True
            _kill_point("committed")
        except BaseException:
            if not committed:
                for target in moved:
                    target.unlink(missing_ok=True)
            raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        _kill_point("cleaned")

    def _write_manifest(self, rows: list[dict]) -> None:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=MANIFEST_COLUMNS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in MANIFEST_COLUMNS})
        buf.write(manifest_seal(rows) + "\n")
        path = self.path / MANIFEST
        fd, tmp = tempfile.mkstemp(prefix=f".{MANIFEST}.", suffix=".tmp", dir=self.path)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(buf.getvalue().encode("utf-8"))
                fh.flush()
                os.fsync(fh.fileno())
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
            _kill_point("manifest-tmp")
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(self.path)

    def _unlisted(self, entries: list[dict]) -> list[str]:
        """Names in ``reports/`` that no manifest row lists."""
        listed = {Path(e["file"]).name for e in entries}
        folder = self.path / REPORTS
        return sorted(f.name for f in folder.iterdir() if f.name not in listed) if folder.is_dir() else []

    def _recover(self, entries: list[dict]) -> None:
        """Under the lock: remove what dead ``add`` runs left (staging folders, the files their journal proves
        they moved into ``reports/`` and the manifest never listed, temporary manifests)."""
        listed = {Path(e["file"]).name for e in entries}
        removed = []
        for staging in sorted(self.path.glob(".staging-*")):
            try:
                journal = json.loads((staging / JOURNAL).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                journal = {}  # killed before the journal was written: nothing was moved yet
            for name, sha in journal.items() if isinstance(journal, dict) else []:
                target = self.path / REPORTS / str(name)
                if name in listed or "/" in str(name) or not target.is_file():
                    continue
                try:
                    if sha256_file(target) == sha:
                        target.unlink()
                        removed.append(name)
                except (ReportFileError, OSError):
                    pass
            shutil.rmtree(staging, ignore_errors=True)
        for tmp in self.path.glob(f".{MANIFEST}.*.tmp"):
            tmp.unlink(missing_ok=True)
        if removed:
            warnings.warn(
                f"{self.path / REPORTS}: {', '.join(removed)} removed: moved there by an add that was "
                "interrupted before it committed",
                stacklevel=3,
            )

    def _acquire(self, *, wait: float) -> int:
        """Take the store's lock (``fcntl.flock`` on ``.add.lock``), waiting up to ``wait`` seconds."""
        import fcntl

        lock = self.path / LOCK
        deadline = time.monotonic() + wait
        while True:
            try:
                fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
            except FileNotFoundError as exc:
                raise _Vanished(
                    f"{self.path}: the store folder is gone (removed while waiting); give it again"
                ) from exc
            except OSError as exc:
                raise StoreError(
                    f"{lock}: cannot open the store's lock ({exc.strerror or exc}); check that the "
                    "store folder exists and is writable"
                ) from exc
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                if time.monotonic() >= deadline:
                    raise StoreError(
                        f"{self.path}: another `add` is running on this store; try again when it "
                        "has finished (the lock is released when it ends or dies)"
                    ) from None
                time.sleep(0.02)
                continue
            try:
                same = os.stat(lock).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                os.ftruncate(fd, 0)
                os.write(fd, str(os.getpid()).encode())
                return fd
            os.close(fd)  # the lock file was removed while we waited: take the new one


class _Vanished(StoreError):
    """The store folder disappeared (a concurrent creator's clean-up removed the empty store)."""


def _release(fd: int) -> None:
    os.close(fd)  # closing the file releases the flock


def _kill_point(name: str) -> None:
    """Test hook: ``CPPCC_NLP_TEST_KILL_AT=<name>`` kills the process here with SIGKILL (crash tests)."""
    if os.environ.get("CPPCC_NLP_TEST_KILL_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _is_unfinished(path: Path) -> bool:
    """True for a missing or empty folder, or one holding only what a killed creation leaves (lock, empty
    ``reports/`` and ``cache/``, a temporary manifest)."""
    if not path.exists():
        return True
    if not path.is_dir():
        return False
    for p in path.iterdir():
        if p.name == LOCK or (p.name.startswith(f".{MANIFEST}.") and p.name.endswith(".tmp")):
            continue
        if p.name in (REPORTS, CACHE) and p.is_dir() and not any(p.iterdir()):
            continue
        return False
    return True


def _fsync_and_hash(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb+") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
        os.fsync(fh.fileno())
    return h.hexdigest()


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _has_cache_header(path: Path) -> bool:
    from cppcc_nlp._cache import CACHE_MAGIC

    try:
        with open(path, "rb") as fh:
            return fh.read(len(CACHE_MAGIC)) == CACHE_MAGIC
    except OSError:
        return False


def _findings(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["item", "kind", "status", "note"])


def _row(f, stored, doc, status, note) -> dict:
    m = doc.meta
    return {
        "file": str(f),
        "stored_as": stored,
        "doc_id": Path(stored).stem,
        "year": m.get("year"),
        "organ": m.get("organ"),
        "region": m.get("region"),
        "level": m.get("level"),
        "status": status,
        "note": note,
    }


def _fmt(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _unique_name(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    stem, suffix = Path(name).stem, Path(name).suffix
    n = 2
    while f"{stem}-{n}{suffix}" in taken:
        n += 1
    return f"{stem}-{n}{suffix}"
