"""The token cache: segmented paragraphs kept as Parquet, keyed by text hash, pipeline and lexicon version.

:func:`cppcc_nlp.tokens.table.tokens` looks every paragraph up here before segmenting it, and stores what it
segmented.  A second run over an unchanged corpus does no segmentation; when the lexicon changes, a cached
paragraph is kept unless one of the added or removed entries occurs in its text.

Every part is a verified cache file (:func:`cppcc_nlp._cache.write_verified_bytes`: a header with the SHA-256
and size of the Parquet bytes and the name of the folder it belongs to).  A part that fails its check (a
flipped bit, rows cut off, a part copied from another pipeline's folder) is a
:class:`~cppcc_nlp._cache.CacheWarning`, deleted, and its paragraphs are segmented again: a damaged part never
changes a token.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import time
import uuid
from pathlib import Path

import pandas as pd

from cppcc_nlp._cache import cache_dir, read_verified_bytes, write_verified_bytes
from cppcc_nlp.resources.lexicon import Lexicon
from cppcc_nlp.tokens.components import spellings

#: columns of the cached rows (one paragraph text, offsets relative to it)
CACHE_COLUMNS = ["text_hash", "lexicon_version", "i", "token", "start", "end", "is_punct", "in_lexicon"]

#: bump when the layout of a part file changes; it is part of the folder name, so parts of an older layout
#: (2: verified parts with a header; 1: plain Parquet) are never read
CACHE_LAYOUT = 2


def text_hash(text: str) -> str:
    """The cache key of a paragraph's text (blake2b, 32 hex digits)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def default_cache_dir() -> Path:
    """The cache root when neither the call nor the corpus names one: :func:`cppcc_nlp._cache.cache_dir`."""
    return Path(cache_dir())


class TokenCache:
    """Parquet store of segmented paragraphs under ``<cache_dir>/tokens/<pipeline version hash>/``.

    Rows: ``text_hash, lexicon_version, i, token, start, end, is_punct, in_lexicon`` (offsets relative to the
    paragraph).  Each run that segments something appends one ``part-*.parquet`` file (a verified cache
    file, written atomically);
    the parts are compacted into one when there are many.  The entries of every lexicon version seen are kept
    in ``lexicons/<version>.txt`` so that a lexicon change invalidates only the paragraphs containing an added
    or removed entry.
    """

    MAX_PARTS = 24

    def __init__(self, root: Path | str, pipeline: str):
        self.pipeline = pipeline
        digest = hashlib.sha256(f"{pipeline}|layout{CACHE_LAYOUT}".encode()).hexdigest()[:16]
        self.folder = Path(root) / "tokens" / digest
        self.lexicon_folder = Path(root) / "tokens" / "lexicons"

    def _parts(self) -> list[Path]:
        return sorted(self.folder.glob("part-*.parquet")) if self.folder.is_dir() else []

    def _read_part(self, part: Path):
        """The rows of one part as a pyarrow Table; None when it is gone or failed its check (warned, deleted)."""
        import pyarrow.parquet as pq

        data = read_verified_bytes(part, inputs=self.folder.name)
        if data is None:
            return None
        return pq.read_table(io.BytesIO(data))

    def _write_part(self, rows: pd.DataFrame, name: str) -> None:
        buffer = io.BytesIO()
        rows[CACHE_COLUMNS].to_parquet(buffer, index=False)
        write_verified_bytes(self.folder / name, buffer.getvalue(), inputs=self.folder.name)

    def remember_lexicon(self, lex: Lexicon) -> None:
        path = self.lexicon_folder / f"{lex.version}.txt"
        if not path.is_file():
            self.lexicon_folder.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
            tmp.write_text("\n".join(lex.signatures()), encoding="utf-8")
            os.replace(tmp, path)

    def _lexicon_entries(self, version: str) -> frozenset[str] | None:
        path = self.lexicon_folder / f"{version}.txt"
        try:
            return frozenset(e for e in path.read_text(encoding="utf-8").split("\n") if e)
        except OSError:
            return None

    def lookup(self, texts: dict[str, str], lex: Lexicon) -> pd.DataFrame:
        """Cached rows for the paragraphs ``{text_hash: text}`` still valid under ``lex`` (others are absent)."""
        parts = self._parts()
        if not parts or not texts:
            return pd.DataFrame(columns=CACHE_COLUMNS)
        import pyarrow as pa
        import pyarrow.compute as pc

        wanted = pa.array(list(texts), type=pa.string())
        frames = []
        for part in parts:
            table = self._read_part(part)
            if table is None:
                continue
            table = table.filter(pc.is_in(table["text_hash"], value_set=wanted))
            if table.num_rows:
                frames.append(table.to_pandas())
        if not frames:
            return pd.DataFrame(columns=CACHE_COLUMNS)
        rows = pd.concat(frames, ignore_index=True)
        # choose, per paragraph, one lexicon version whose rows are valid under the current lexicon
        versions = rows[["text_hash", "lexicon_version"]].drop_duplicates()
        chosen = {}
        diff_cache: dict[str, frozenset[str] | None] = {}
        current = lex.version
        for h, v in versions.itertuples(index=False):
            if chosen.get(h) == current:
                continue
            if v == current:
                chosen[h] = v
                continue
            if h in chosen:
                continue
            if v not in diff_cache:
                old = self._lexicon_entries(v)
                diff_cache[v] = None if old is None else lex.changed_entries(old)
            changed = diff_cache[v]
            if changed is not None and not any(form in texts[h] for term in changed for form in spellings(term)):
                chosen[h] = v
        if not chosen:
            return pd.DataFrame(columns=CACHE_COLUMNS)
        keep = pd.Series(list(chosen.values()), index=list(chosen.keys()))
        rows = rows[rows["lexicon_version"].to_numpy() == keep.reindex(rows["text_hash"]).to_numpy()]
        return rows.drop_duplicates(["text_hash", "i"]).reset_index(drop=True)

    def store(self, rows: pd.DataFrame) -> None:
        """Append segmented rows (one new part file), compacting when there are many parts."""
        if rows.empty:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        self._write_part(rows, f"part-{time.time_ns()}-{os.getpid()}-{uuid.uuid4().hex[:8]}.parquet")
        parts = self._parts()
        if len(parts) > self.MAX_PARTS:
            self._compact(parts)

    def _compact(self, parts: list[Path]) -> None:
        frames = []
        for p in parts:
            table = self._read_part(p)
            if table is not None:
                frames.append(table.to_pandas())
        if not frames:
            return
        merged = pd.concat(frames, ignore_index=True).drop_duplicates(["text_hash", "lexicon_version", "i"])
        self._write_part(merged, f"part-{time.time_ns()}-{os.getpid()}-compact.parquet")
        for p in parts:
            with contextlib.suppress(OSError):
                p.unlink()
