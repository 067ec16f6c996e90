"""The parsed-document cache: :class:`DocumentCache`.

Parsed documents (normalised text, structure, docvars) are kept keyed by the report's SHA-256, the reading
options, the library version and the parsing code (:func:`parser_fingerprint`): re-reading an unchanged report
costs one file read.
"""

from __future__ import annotations

import hashlib
import pickle
import warnings
from functools import lru_cache
from pathlib import Path

from cppcc_nlp._cache import atomic_write_bytes, cache_key

PACKAGE_DIR = Path(__file__).resolve().parent.parent

#: The files (relative to the package) that turn a report file into a parsed document; tests check that every
#: module of ``cppcc_nlp/io`` is listed.
PARSER_MODULES = ("_text.py", "io/reading.py", "io/normalise.py", "io/structure.py", "io/metadata.py",
                  "corpus/document.py", "corpus/corpus.py")


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



class DocumentCache:
    """Parsed :class:`~cppcc_nlp.corpus.Document` objects on disk, under ``<root>/documents/``.

    Parameters
    ----------
    root : path
        Cache root (a store's ``cache/`` folder or :func:`cache_dir`).
    """

    def __init__(self, root):
        self.folder = Path(root) / "documents"
        self.hits = 0
        self.misses = 0

    def _path(self, sha256: str, options: str) -> Path:
        return self.folder / f"{cache_key(sha256, 'document', parser_fingerprint(), options)}.pkl"

    def get(self, sha256: str, options: str = ""):
        path = self._path(sha256, options)
        try:
            with open(path, "rb") as fh:
                doc = pickle.load(fh)
        except FileNotFoundError:
            self.misses += 1
            return None
        except Exception as exc:  # a corrupt entry is rebuilt, never fatal
            warnings.warn(f"{path}: unreadable cache entry ignored ({exc})", stacklevel=2)
            self.misses += 1
            return None
        self.hits += 1
        return doc

    def put(self, sha256: str, doc, options: str = "") -> None:
        try:
            atomic_write_bytes(self._path(sha256, options), pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError as exc:
            warnings.warn(f"{self.folder}: cannot write the document cache ({exc}); going on without it",
                          stacklevel=2)
