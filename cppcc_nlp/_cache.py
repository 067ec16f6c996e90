"""Where derived results are cached, and how cache keys are made.

:func:`cache_dir` is ``$CPPCC_NLP_CACHE`` or ``~/.cache/cppcc-nlp``; a corpus store keeps its own
``<store>/cache/``.  Every key includes a content hash and :data:`cppcc_nlp.__version__`, so a new library
version or a changed report never reads a stale result (:func:`cache_key`).

Cache entries are *verified* files (:func:`write_verified_bytes`, :func:`read_verified_bytes`): a header
line with the SHA-256 and size of the content and a token naming the inputs it was made from; an entry that
fails its check is a :class:`CacheWarning`, deleted and rebuilt, never used.  Nothing in a cache is a pickle.

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
import warnings
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


# ----------------------------------------------------------------------------------------------------------
# verified cache files: every entry carries the hash of its inputs and of its own content


class CacheWarning(UserWarning):
    """A cache entry that failed its check (damaged, truncated, swapped, or of another format): it is discarded
    and rebuilt, never used."""


#: first bytes of every verified cache file; the header line is ``MAGIC <sha256 of payload> <size> <inputs>\n``
CACHE_MAGIC = b"cppcc-nlp-cache/1"


def write_verified_bytes(path, data: bytes, *, inputs: str = "-") -> None:
    """Write a cache entry: one header line (content SHA-256, size, the hash of its inputs) and ``data``, atomically.

    ``inputs`` is a short token without spaces (a cache key, a pipeline hash) naming what the entry was made from;
    :func:`read_verified_bytes` refuses the entry when asked for other inputs (a file copied or swapped into
    the wrong place).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "entry.json"
    >>> write_verified_bytes(p, "集群".encode(), inputs="k1")
    >>> read_verified_bytes(p, inputs="k1").decode()
    '集群'
    """
    inputs = str(inputs) or "-"
    if any(c.isspace() for c in inputs):
        raise ValueError(f"cache inputs token {inputs!r} must not contain spaces")
    header = b"%s %s %d %s\n" % (CACHE_MAGIC, hashlib.sha256(data).hexdigest().encode(), len(data), inputs.encode())
    atomic_write_bytes(Path(path), header + data)


def verify_bytes(raw: bytes, *, inputs: str | None = None) -> tuple[bytes | None, str]:
    """``(payload, "")`` for a sound verified cache file's bytes, else ``(None, what is wrong)``."""
    end = raw.find(b"\n", 0, 512)
    if not raw.startswith(CACHE_MAGIC + b" ") or end < 0:
        if raw.startswith(b"\x80"):
            return None, "a pickle (written by an older version; never loaded)"
        return None, "no cache header (written by an older version or damaged)"
    fields = raw[len(CACHE_MAGIC) + 1 : end].split(b" ")
    if len(fields) != 3 or not fields[1].isdigit():
        return None, "damaged cache header"
    digest, size, token = fields[0].decode("ascii", "replace"), int(fields[1]), fields[2].decode("utf-8", "replace")
    payload = raw[end + 1 :]
    if len(payload) != size:
        return None, f"{len(payload)} bytes of content instead of {size} (cut short or appended to)"
    if hashlib.sha256(payload).hexdigest() != digest:
        return None, "content does not match its SHA-256 (damaged)"
    if inputs is not None and token != inputs:
        return None, f"made from other inputs ({token}, expected {inputs}: moved or swapped)"
    return payload, ""


def verify_file(path, *, inputs: str | None = None) -> str:
    """What is wrong with the verified cache file ``path`` (``""`` when it is sound)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    return verify_bytes(raw, inputs=inputs)[1]


def read_verified_bytes(path, *, inputs: str | None = None) -> bytes | None:
    """The content of a verified cache entry; ``None`` when it is missing or fails its check.

    A failed check is a :class:`CacheWarning` and the entry is deleted, so that the caller rebuilds it (a
    damaged entry is never used, and warned about once).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        warnings.warn(f"{path}: cache entry unreadable ({exc.strerror or exc}); rebuilt", CacheWarning, stacklevel=2)
        return None
    payload, problem = verify_bytes(raw, inputs=inputs)
    if payload is None:
        warnings.warn(f"{path}: cache entry ignored and rebuilt: {problem}", CacheWarning, stacklevel=2)
        try:
            path.unlink()
        except OSError:
            pass
    return payload
