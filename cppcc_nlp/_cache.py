"""Where derived results are cached, and how cache keys are made.

:func:`cache_dir` is ``$CPPCC_NLP_CACHE`` or ``~/.cache/cppcc-nlp``; a corpus store keeps its own
``<store>/cache/``.  Every key includes a content hash and :data:`cppcc_nlp.__version__`, so a new library
version or a changed report never reads a stale result (:func:`cache_key`).

The parsed-document cache built on these is :mod:`cppcc_nlp.corpus._document_cache`; the token cache is in
:mod:`cppcc_nlp.tokens._token_cache`.

Examples
--------
>>> key = cache_key("e661db7d", "documents", "simplified=False")
>>> len(key)
32
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def cache_dir() -> Path:
    """The user-level cache root: ``$CPPCC_NLP_CACHE`` if set, else ``~/.cache/cppcc-nlp``.  Not created here."""
    env = os.environ.get("CPPCC_NLP_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "cppcc-nlp"


def cache_key(content_hash: str, *parts: str) -> str:
    """A 32-hex-digit key from a content hash, the library version and any further parts (options, stage)."""
    from cppcc_nlp._version import __version__

    h = hashlib.blake2b(digest_size=16)
    for item in (content_hash, __version__, *parts):
        h.update(str(item).encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()


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
