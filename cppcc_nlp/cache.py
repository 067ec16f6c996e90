"""Where derived results are cached, and how cache keys are made.

:func:`cache_dir` is ``$CPPCC_NLP_CACHE`` or ``~/.cache/cppcc-nlp``; a corpus store keeps its own
``<store>/cache/``.  Every key includes a content hash and :data:`cppcc_nlp.__version__`, so a new library
version or a changed report never reads a stale result (:func:`cache_key`).

:class:`DocumentCache` keeps parsed documents (normalised text, structure, docvars) as pickles keyed by the
report's SHA-256, the reading options, the library version and the parsing code (:func:`parser_fingerprint`):
re-reading an unchanged report costs one file read.

Examples
--------
>>> key = cache_key("e661db7d", "documents", "simplified=False")
>>> len(key)
32
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import warnings
from functools import lru_cache
from pathlib import Path


def cache_dir() -> Path:
    """The user-level cache root: ``$CPPCC_NLP_CACHE`` if set, else ``~/.cache/cppcc-nlp``.  Not created here."""
    env = os.environ.get("CPPCC_NLP_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "cppcc-nlp"


def cache_key(content_hash: str, *parts: str) -> str:
    """A 32-hex-digit key from a content hash, the library version and any further parts (options, stage)."""
    from . import __version__

    h = hashlib.blake2b(digest_size=16)
    for item in (content_hash, __version__, *parts):
        h.update(str(item).encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()


PARSER_MODULES = ("reading", "normalise", "structure", "metadata", "corpus")


@lru_cache(maxsize=1)
def parser_fingerprint() -> str:
    """A 16-hex-digit hash of the source of the modules that turn a file into a parsed document.

    Part of every :class:`DocumentCache` key, so that a fix to reading, layout repair, structure or metadata
    re-parses cached reports even when :data:`cppcc_nlp.__version__` has not changed (a development install).
    """
    digest = hashlib.blake2b(digest_size=8)
    for name in PARSER_MODULES:
        try:
            digest.update((Path(__file__).resolve().parent / f"{name}.py").read_bytes())
        except OSError:  # no source files (a zipped install): the library version alone keys the cache
            digest.update(name.encode())
    return digest.hexdigest()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and an atomic rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


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
