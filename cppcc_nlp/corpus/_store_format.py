"""The corpus store's on-disk layout, and reading a store: what both :class:`~cppcc_nlp.corpus.Corpus` (which
reads a store folder given as a path) and :class:`~cppcc_nlp.corpus.store.CorpusStore` (which writes one) need.

Layout::

    <store>/
      manifest.csv     one line per report: file, sha256, text_sha256, added, and the docvars
      reports/         the report files, as given (names made unique with -2, -3 …)
      cache/           derived results keyed by content hash + library version (documents/, tokens/ …)
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

from cppcc_nlp.corpus._document_cache import DocumentCache
from cppcc_nlp.corpus.document import Document
from cppcc_nlp.errors import ManifestError, NoReportsError, ReportFileError
from cppcc_nlp.io.metadata import FIELDS, read_manifest

MANIFEST = "manifest.csv"
REPORTS = "reports"
CACHE = "cache"
MANIFEST_COLUMNS = ["file", "sha256", "text_sha256", "added", *FIELDS]


def is_store_manifest(path) -> bool:
    """True when ``path`` is a store's ``manifest.csv`` (its header has ``file`` and ``sha256``), not a user's."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), [])
    except (OSError, UnicodeDecodeError):
        return False
    return "file" in header and "sha256" in header


def is_store(path) -> bool:
    """True for a corpus store folder: a store's ``manifest.csv`` (with ``sha256``) beside a ``reports/`` folder."""
    path = Path(path)
    return path.is_dir() and (path / REPORTS).is_dir() and is_store_manifest(path / MANIFEST)


def cache_folder(store) -> Path:
    """Where a store keeps its derived results (parsed documents, tokens)."""
    return Path(store) / CACHE


def read_entries(store) -> list[dict]:
    """The manifest's rows (dicts of strings), in order."""
    path = Path(store) / MANIFEST
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ManifestError(path, f"cannot be read ({exc})", "check the store folder") from exc
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or "file" not in reader.fieldnames:
        raise ManifestError(path, "line 1: no 'file' column", "restore the store's manifest.csv")
    return [dict(row) for row in reader]


def read_store(store, *, to_simplified: bool = False, strict: bool = True,
               cache: DocumentCache | None = None) -> tuple[list[Document], list[tuple[str, str]]]:
    """The stored reports as documents (parsed documents taken from the cache), and the problems met.

    Only files listed in the manifest are read; the manifest's docvars override the text's.
    """
    store = Path(store)
    cache = cache if cache is not None else DocumentCache(cache_folder(store))
    overrides = read_manifest(store / MANIFEST)
    docs, problems = [], []
    for row in read_entries(store):
        f = store / row["file"]
        try:
            docs.append(_document(f, overrides.get(row["file"], {}), to_simplified, cache))
        except ReportFileError as err:
            if strict:
                raise
            problems.append((str(f), str(err)))
    if not docs:
        raise NoReportsError(f"{store}: the store holds no report yet (add some with `cppcc-nlp add`)")
    return docs, problems


def _document(f: Path, override: dict, to_simplified: bool, cache: DocumentCache) -> Document:
    data_hash = sha256_file(f)
    options = f"simplified={to_simplified};meta={sorted(override.items())};name={f.name}"
    doc = cache.get(data_hash, options)
    if doc is None:
        doc = Document.from_file(f, manifest_row=override, to_simplified=to_simplified)
        cache.put(data_hash, doc, options)
    doc.path = f
    return doc


def sha256_file(f: Path) -> str:
    """SHA-256 of a stored report file (read in chunks)."""
    h = hashlib.sha256()
    try:
        with open(f, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError as exc:
        raise ReportFileError(f, f"listed in the manifest but cannot be read ({exc.strerror or exc})",
                              "restore the file or remove its line from manifest.csv") from exc
    return h.hexdigest()
