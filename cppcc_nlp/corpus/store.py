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
writes **atomically**: new files are copied into a hidden staging folder in the store, renamed into
``reports/``, and the manifest — the commit record — is replaced in one ``os.replace``.  A failure before that
removes what was copied; a killed ``add`` leaves at most a staging folder or files that no manifest line names,
so the store reads as it was (the next ``add`` removes them).

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
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import pandas as pd

from cppcc_nlp._cache import atomic_write_bytes
from cppcc_nlp.corpus._document_cache import DocumentCache
from cppcc_nlp.corpus._store_format import (CACHE, MANIFEST, MANIFEST_COLUMNS, REPORTS, cache_folder,
                                            is_store_manifest, read_entries, read_store)
from cppcc_nlp.corpus.corpus import Corpus
from cppcc_nlp.corpus.document import Document
from cppcc_nlp.errors import DuplicateReportError, NoReportsError, ReportFileError, StoreError
from cppcc_nlp.io.metadata import FIELDS



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
        manifest = self.path / MANIFEST
        if manifest.is_file() and not is_store_manifest(manifest):
            raise StoreError(f"{self.path}: its {MANIFEST} is not a corpus store's (no sha256 column: a manifest "
                             "of your own reports?); read the folder as a corpus, or give an empty or new "
                             "folder to create a store")
        if not manifest.is_file():
            empty = not self.path.exists() or (self.path.is_dir() and not any(self.path.iterdir()))
            if not (create and empty):
                if self.path.is_dir() and not empty:
                    raise StoreError(f"{self.path}: a folder with files but no {MANIFEST}: not a corpus store "
                                     "(give an empty or new folder to create one)")
                raise StoreError(f"{self.path}: no corpus store here (create one with `cppcc-nlp add FILE "
                                 f"--corpus {self.path}` or CorpusStore(path, create=True))")
            (self.path / REPORTS).mkdir(parents=True, exist_ok=True)
            (self.path / CACHE).mkdir(exist_ok=True)
            self._write_manifest([])
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

    # -- adding ------------------------------------------------------------------------------------------
    def add(self, files, *, overrides: dict | None = None, skip_duplicates: bool = False,
            to_simplified: bool = False) -> pd.DataFrame:
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
        lock = self._lock()
        try:
            self._remove_leftovers()
            existing = self.entries()
            by_sha = {e["sha256"]: e for e in existing}
            by_text = {e.get("text_sha256"): e for e in existing if e.get("text_sha256")}
            by_key = {}
            for e in existing:
                by_key.setdefault((e.get("organ"), e.get("region"), str(e.get("year"))), e)
            taken = {Path(e["file"]).name for e in existing}

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
                        where = (f"the same report as {earlier} given earlier in this add" if earlier
                                 else f"already in the store as {dup['file']}")
                        raise DuplicateReportError(
                            f, f"{where} ({what}); nothing was added", "leave it out, or pass --skip-duplicates")
                    note = (f"{what} as {earlier} (given earlier in this add)" if earlier
                            else f"{what} as {dup['file']}")
                    results.append(_row(f, dup["file"], doc, "skipped-duplicate", note))
                    continue
                m = doc.meta
                key = (m.get("organ"), m.get("region"), str(m.get("year")))
                likely = by_key.get(key)
                name = _unique_name(f.name, taken)
                taken.add(name)
                stored = f"{REPORTS}/{name}"
                entry = {"file": stored, "sha256": sha, "text_sha256": text_sha,
                         "added": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                         **{k: _fmt(m.get(k)) for k in FIELDS}}
                status, note = "added", ""
                if likely is not None:
                    status = "likely-duplicate"
                    note = (f"same organ, region and year ({key[0]}, {key[1]}, {key[2]}) as {likely['file']}: "
                            "check it is not the same report")
                    notices.append(f"{f}: {note}")
                plan.append((f, stored, entry))
                results.append(_row(f, stored, doc, status, note))
                by_sha[sha] = by_text[text_sha] = by_key[key] = entry
                given[id(entry)] = f

            # 2. copy into a staging folder (the slow part: the store is untouched), 3. rename the files into
            # reports/ (fast), 4. commit by replacing the manifest in one os.replace
            staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=self.path))
            moved = []
            try:
                for f, stored, _ in plan:
                    shutil.copyfile(f, staging / Path(stored).name)
                for f, stored, _ in plan:
                    target = self.path / stored
                    os.replace(staging / target.name, target)
                    moved.append(target)
                if plan:
                    self._write_manifest(existing + [entry for _, _, entry in plan])
            except BaseException:
                for target in moved:
                    try:
                        target.unlink()
                    except OSError:
                        pass
                raise
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        finally:
            _unlock(lock)
        for notice in notices:  # reported once the add has succeeded
            warnings.warn(notice, stacklevel=2)
        return pd.DataFrame(results, columns=ADD_COLUMNS)

    # -- internals ---------------------------------------------------------------------------------------
    def _write_manifest(self, rows: list[dict]) -> None:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=MANIFEST_COLUMNS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in MANIFEST_COLUMNS})
        atomic_write_bytes(self.path / MANIFEST, buf.getvalue().encode("utf-8"))

    def _remove_leftovers(self) -> None:
        """Staging folders and files in reports/ that no manifest line names: left by an interrupted ``add``."""
        for staging in self.path.glob(".staging-*"):
            shutil.rmtree(staging, ignore_errors=True)
        listed = {Path(e["file"]).name for e in self.entries()}
        folder = self.path / REPORTS
        if not folder.is_dir():
            folder.mkdir(parents=True)
            return
        for f in folder.iterdir():
            if f.is_file() and f.name not in listed:
                warnings.warn(f"{f}: not in the manifest (left by an interrupted add); removed", stacklevel=3)
                f.unlink()

    def _lock(self):
        lock = self.path / ".add.lock"
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            raise StoreError(f"{lock}: another `add` is running on this store (if none is, remove the lock file)")
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        return lock


def _unlock(lock: Path) -> None:
    try:
        lock.unlink()
    except OSError:
        pass


def _row(f, stored, doc, status, note) -> dict:
    m = doc.meta
    return {"file": str(f), "stored_as": stored, "doc_id": Path(stored).stem, "year": m.get("year"),
            "organ": m.get("organ"), "region": m.get("region"), "level": m.get("level"), "status": status,
            "note": note}


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
