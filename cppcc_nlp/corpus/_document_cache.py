"""The parsed-document cache: :class:`DocumentCache`.

Parsed documents (normalised text, structure, docvars) are kept keyed by the report's SHA-256, the reading
options, the library version and the parsing code (:func:`parser_fingerprint`): re-reading an unchanged report
costs one file read.  Entries are JSON (:func:`document_to_json`, never pickle), written as verified cache
files (:func:`cppcc_nlp._cache.write_verified_bytes`) that carry their key and content hash: a damaged,
truncated or swapped entry is a warning and a re-parse, never a wrong document.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import fields
from functools import lru_cache
from operator import attrgetter
from pathlib import Path

from cppcc_nlp._cache import cache_key, read_verified_bytes, write_verified_bytes

PACKAGE_DIR = Path(__file__).resolve().parent.parent

#: The files (relative to the package) that turn a report file into a parsed document; tests check that every
#: module of ``cppcc_nlp/io`` is listed.
PARSER_MODULES = (
    "_text.py",
    "io/reading.py",
    "io/normalise.py",
    "io/structure.py",
    "io/metadata.py",
    "corpus/document.py",
    "corpus/corpus.py",
)


@lru_cache(maxsize=1)
def parser_fingerprint() -> str:
    """A 16-hex-digit hash of the source of the modules that turn a file into a parsed document.

    Part of every :class:`DocumentCache` key, so that a fix to reading, layout repair, structure or metadata
    re-parses cached reports even when :data:`cppcc_nlp.__version__` has not changed (a development install).
    """
    digest = hashlib.blake2b(digest_size=8)
    for name in PARSER_MODULES:
        try:
            digest.update((PACKAGE_DIR / name).read_bytes())
        except OSError:  # no source files (a zipped install): the library version alone keys the cache
            digest.update(name.encode())
    return digest.hexdigest()


#: bump when the JSON layout of a cached document changes
DOCUMENT_FORMAT = "document-json/2"  # 2: meta_sources (where each docvar came from)


def _record_types() -> dict:
    from cppcc_nlp.io.normalise import Removed
    from cppcc_nlp.io.structure import Paragraph, Section, Sentence

    return {"sections": Section, "paragraphs": Paragraph, "sentences": Sentence, "removed": Removed}


def document_to_json(doc) -> dict:
    """A :class:`~cppcc_nlp.corpus.Document` as plain JSON data (lists of records as column names + rows).

    :func:`document_from_json` gives back an equal document.
    """
    out = {
        "format": DOCUMENT_FORMAT,
        "doc_id": doc.doc_id,
        "path": str(doc.path),
        "text": doc.text,
        "original_text": doc.original_text,
        "layout": doc.layout,
        "meta": doc.meta,
        "meta_sources": doc.meta_sources,
    }
    for name, cls in _record_types().items():
        columns = [f.name for f in fields(cls)]
        # (the fields are strings and numbers: attrgetter, not dataclasses.astuple, which deep-copies each value
        # and took 60% of reading a new report)
        values = attrgetter(*columns)
        out[name] = {"columns": columns, "rows": [list(values(r)) for r in getattr(doc, name)]}
    return out


def document_from_json(data: dict):
    """The :class:`~cppcc_nlp.corpus.Document` of :func:`document_to_json`; ``ValueError`` for other data."""
    from pathlib import Path as _Path

    from cppcc_nlp.corpus.document import Document

    if not isinstance(data, dict) or data.get("format") != DOCUMENT_FORMAT:
        raise ValueError(f"not a {DOCUMENT_FORMAT} record")
    # one object for each value repeated across the records (ids, part, kind, years; the text of a paragraph of
    # one sentence): JSON gives a new one per occurrence, and the records are most of a corpus's memory
    shared = {data["doc_id"]: data["doc_id"]}
    lists = {}
    for name, cls in _record_types().items():
        block = data[name]
        if block["columns"] != [f.name for f in fields(cls)]:
            raise ValueError(f"{name}: columns {block['columns']} are not {cls.__name__}'s")
        lists[name] = list(map(cls, *_shared_columns(block["rows"], len(block["columns"]), shared)))
    if (
        not isinstance(data["meta"], dict)
        or not isinstance(data["text"], str)
        or not isinstance(data["meta_sources"], dict)
    ):
        raise ValueError("meta or text of the wrong type")
    return Document(
        doc_id=shared[data["doc_id"]],
        path=_Path(data["path"]),
        text=data["text"],
        meta=data["meta"],
        original_text=data["original_text"],
        layout=data["layout"],
        meta_sources=data["meta_sources"],
        **lists,
    )


#: the value types a record holds; a column of these only is shared value by value
_SHAREABLE = frozenset({str, int, type(None)})


def _shared_columns(rows: list, width: int, shared: dict) -> list:
    """The columns of ``rows`` (lists of ``width`` values), each value of a str/int column replaced by the equal
    object in ``shared`` (added when new).  Column by column with ``map``: a generator over each value took
    two thirds of reading a 16x corpus from the cache."""
    if set(map(len, rows)) - {width}:
        raise ValueError(f"a record without {width} values")
    columns = list(zip(*rows)) if rows else [()] * width
    return [list(map(shared.setdefault, c, c)) if set(map(type, c)) <= _SHAREABLE else c for c in columns]


class DocumentCache:
    """Parsed :class:`~cppcc_nlp.corpus.Document` objects on disk, as verified JSON under ``<root>/documents/``.

    Parameters
    ----------
    root : path
        Cache root (a store's ``cache/`` folder or :func:`cache_dir`).
    """

    def __init__(self, root):
        self.folder = Path(root) / "documents"
        self.hits = 0
        self.misses = 0

    def key(self, sha256: str, options: str = "") -> str:
        """The entry's key: report hash, options, library version, parsing code and entry format."""
        return cache_key(sha256, "document", parser_fingerprint(), DOCUMENT_FORMAT, options)

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def has(self, sha256: str, options: str = "") -> bool:
        """True when an entry exists for this report and options (not read nor checked: :meth:`get` does that)."""
        return self._path(self.key(sha256, options)).is_file()

    def get(self, sha256: str, options: str = ""):
        """The cached document, or ``None`` (missing, or failed its check: a :class:`CacheWarning`)."""
        key = self.key(sha256, options)
        path = self._path(key)
        data = read_verified_bytes(path, inputs=key)
        doc = None
        if data is not None:
            try:
                doc = document_from_json(json.loads(data.decode("utf-8")))
            except (ValueError, KeyError, TypeError) as exc:  # a sound file of another layout: rebuilt
                from cppcc_nlp._cache import CacheWarning

                warnings.warn(
                    f"{path}: cache entry ignored and rebuilt: not a parsed document ({exc})",
                    CacheWarning,
                    stacklevel=2,
                )
                path.unlink(missing_ok=True)
        if doc is None:
            self.misses += 1
            return None
        self.hits += 1
        return doc

    def put(self, sha256: str, doc, options: str = "") -> None:
        key = self.key(sha256, options)
        data = json.dumps(document_to_json(doc), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        try:
            write_verified_bytes(self._path(key), data, inputs=key)
        except OSError as exc:
            warnings.warn(f"{self.folder}: cannot write the document cache ({exc}); going on without it", stacklevel=2)
