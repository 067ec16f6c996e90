"""The corpus store's on-disk layout, and reading a store: what both :class:`~cppcc_nlp.corpus.Corpus` (which
reads a store folder given as a path) and :class:`~cppcc_nlp.corpus.store.CorpusStore` (which writes one) need.

Layout::

    <store>/
      manifest.csv     one line per report: file, sha256, text_sha256, added, and the docvars; its last line is
                       a checksum of the file and sha256 cells (:func:`manifest_seal`), checked on every read
      .add.lock        the lock an ``add`` holds (``fcntl.flock``: released by the kernel if the process dies)
      reports/         the report files, as given (names made unique with -2, -3 …)
      cache/           derived results keyed by content hash + library version (documents/, tokens/ …)
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import re
from contextlib import contextmanager
from pathlib import Path

from cppcc_nlp.corpus._document_cache import DocumentCache
from cppcc_nlp.corpus.document import Document
from cppcc_nlp.errors import NoReportsError, ReportFileError, StoreError
from cppcc_nlp.io.metadata import FIELDS, _clean_entry

MANIFEST = "manifest.csv"
REPORTS = "reports"
CACHE = "cache"
#: the lock file an ``add`` holds with ``fcntl.flock``
LOCK = ".add.lock"
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
    if not (path.is_dir() and (path / REPORTS).is_dir() and (path / MANIFEST).is_file()):
        return False
    # a store's lock file marks it even when its manifest is damaged (then reading it is a StoreError)
    return is_store_manifest(path / MANIFEST) or (path / LOCK).is_file()


def cache_folder(store) -> Path:
    """Where a store keeps its derived results (parsed documents, tokens)."""
    return Path(store) / CACHE


SEAL_PREFIX = "# cppcc-nlp manifest:"
_SEAL = re.compile(r"# cppcc-nlp manifest: (\d+) reports?, sha256 ([0-9a-f]{64})$")
_HEX64 = re.compile(r"[0-9a-f]{64}")


def manifest_seal(rows: list[dict]) -> str:
    """The manifest's last line: the number of reports and the SHA-256 of their ``file`` and ``sha256`` cells.

    Docvars may be edited by hand (they are not sealed); a line lost, duplicated, reordered or a file or hash
    changed breaks the seal.
    """
    h = hashlib.sha256()
    for row in rows:
        h.update(f"{row['file']}\t{row['sha256']}\n".encode("utf-8"))
    return f"{SEAL_PREFIX} {len(rows)} report{'' if len(rows) == 1 else 's'}, sha256 {h.hexdigest()}"


def read_entries(store, *, check_seal: bool = True) -> list[dict]:
    """The manifest's rows (dicts of strings), in order, checked.

    Raises :class:`~cppcc_nlp.errors.StoreError` naming the line for a manifest that is not what ``add``
    wrote: a NUL byte or bad UTF-8, a row with the wrong number of cells, a file outside ``reports/``, a bad
    SHA-256, a duplicate file or report, or a checksum line (the last line) that is missing or does not match
    the rows (a manifest cut short or edited).  A damaged manifest never reads as a shorter corpus.
    """
    path = Path(store) / MANIFEST
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise StoreError(f"{path}: cannot be read ({exc.strerror or exc}); check the store folder") from exc
    restore = "restore manifest.csv from a backup (see `cppcc-nlp store check`)"
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise StoreError(f"{path}, line {line}: a NUL byte (the file is damaged); {restore}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise StoreError(f"{path}, line {line}: not UTF-8 (the file is damaged); {restore}") from exc
    lines = text.split("\n")
    seal_at = next((i for i, ln in enumerate(lines) if ln.startswith(SEAL_PREFIX)), None)
    body = lines if seal_at is None else lines[:seal_at]
    reader = csv.reader(io.StringIO("\n".join(body)))
    header = next(reader, None)
    if not header or "file" not in header or "sha256" not in header:
        raise StoreError(f"{path}, line 1: not a store manifest header (no file and sha256 columns); {restore}")
    rows, seen_file, seen_sha = [], {}, {}
    for cells in reader:
        n = reader.line_num
        if not cells or cells == [""]:
            continue
        if len(cells) != len(header):
            raise StoreError(
                f"{path}, line {n}: {len(cells)} cells where the header has {len(header)}; "
                f"{restore}, or fix the line by hand"
            )
        row = dict(zip(header, cells))
        name = row["file"]
        if (
            not name.startswith(f"{REPORTS}/")
            or "/" in name[len(REPORTS) + 1 :]
            or name[len(REPORTS) + 1 :] in ("", ".", "..")
        ):
            raise StoreError(f"{path}, line {n}: file {name!r} is not reports/<name>; {restore}")
        if not _HEX64.fullmatch(row["sha256"]):
            raise StoreError(f"{path}, line {n}: sha256 {row['sha256']!r} is not 64 hex digits; {restore}")
        if name in seen_file:
            raise StoreError(
                f"{path}, line {n}: {name} is listed twice (also line {seen_file[name]}); "
                "remove the duplicate line, then run `cppcc-nlp store check --accept-manifest`"
            )
        if row["sha256"] in seen_sha:
            raise StoreError(
                f"{path}, line {n}: the same report as line {seen_sha[row['sha256']]} (same "
                "sha256); remove the duplicate line, then run `cppcc-nlp store check --accept-manifest`"
            )
        seen_file[name], seen_sha[row["sha256"]] = n, n
        rows.append(row)
    if not check_seal:
        return rows
    accept = (
        f"if you edited it on purpose, check it and run `cppcc-nlp store check {Path(store)} "
        "--accept-manifest`; otherwise " + restore
    )
    if seal_at is None:
        raise StoreError(
            f"{path}, line {len(lines)}: the manifest ends without its checksum line (cut short, "
            f"or written by an older version); {accept}"
        )
    if any(ln.strip() for ln in lines[seal_at + 1 :]):
        extra = seal_at + 2 + next(i for i, ln in enumerate(lines[seal_at + 1 :]) if ln.strip())
        raise StoreError(f"{path}, line {extra}: text after the checksum line (line {seal_at + 1}); {accept}")
    m = _SEAL.fullmatch(lines[seal_at].rstrip("\r"))
    if not m:
        raise StoreError(f"{path}, line {seal_at + 1}: a damaged checksum line; {accept}")
    if int(m.group(1)) != len(rows):
        raise StoreError(
            f"{path}, line {seal_at + 1}: the checksum line counts {m.group(1)} reports but "
            f"{len(rows)} rows are listed (lines lost or added); {accept}"
        )
    if manifest_seal(rows) != lines[seal_at].rstrip("\r"):
        raise StoreError(
            f"{path}, line {seal_at + 1}: the rows do not match the checksum line (a file name or "
            f"sha256 changed, or lines reordered); {accept}"
        )
    return rows


def read_store(
    store, *, to_simplified: bool = False, strict: bool = True, cache: DocumentCache | None = None
) -> tuple[list[Document], list[tuple[str, str]]]:
    """The stored reports as documents (parsed documents taken from the cache), and the problems met.

    Only files listed in the manifest are read; the manifest's docvars override the text's.
    """
    store = Path(store)
    cache = cache if cache is not None else DocumentCache(cache_folder(store))
    docs, problems = [], []
    for row in read_entries(store):
        f = store / row["file"]
        override = _override(store, row)
        try:
            docs.append(_document(f, override, to_simplified, cache))
        except ReportFileError as err:
            if strict:
                raise
            problems.append((str(f), str(err)))
    if not docs:
        raise NoReportsError(f"{store}: the store holds no report yet (add some with `cppcc-nlp add`)")
    return docs, problems


def has_unread_reports(store, *, to_simplified: bool = False) -> bool:
    """True when some report of the store has no parsed document in its cache: it was added since the store was
    last read (or the parsing code changed), so reading will parse it, and its tokens are most likely not cached
    either.  Looks at the manifest and the cache folder only (no report is read): ``analyze`` asks before reading
    whether to start loading the segmenter beside it."""
    store = Path(store)
    cache = DocumentCache(cache_folder(store))
    for row in read_entries(store):
        options = _options(store / row["file"], _override(store, row), to_simplified)
        if not cache.has(row["sha256"], options):
            return True
    return False


def _override(store: Path, row: dict) -> dict:
    """The docvars a manifest row sets (they override the text's)."""
    return _clean_entry(
        {k: v.strip() for k, v in row.items() if k in FIELDS and v.strip()},
        store / MANIFEST,
        f"the row of {row['file']}",
    )


def _options(f: Path, override: dict, to_simplified: bool) -> str:
    """The reading options of a stored report: part of its parsed document's cache key."""
    return f"simplified={to_simplified};meta={sorted(override.items())};name={f.name}"


@contextmanager
def _gc_paused():
    """Python's cyclic garbage collector off for the block (back as it was after): reading a store builds
    millions of records that hold no cycles, and the collections they set off scanned them all again and
    again (reading the 16x bench store from the cache: 2.6 s of building records, 0.7-1.0 s without)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _document(f: Path, override: dict, to_simplified: bool, cache: DocumentCache) -> Document:
    data_hash = sha256_file(f)
    options = _options(f, override, to_simplified)
    with _gc_paused():  # (a cached document only: parsing may make cycles)
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
        raise ReportFileError(
            f,
            f"listed in the manifest but cannot be read ({exc.strerror or exc})",
            "restore the file or remove its line from manifest.csv",
        ) from exc
    return h.hexdigest()
