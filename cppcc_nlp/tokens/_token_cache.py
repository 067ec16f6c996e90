"""The token cache: segmented paragraphs kept as Parquet, keyed by text hash, pipeline and lexicon version.

:func:`cppcc_nlp.tokens.table.tokens` looks every paragraph up here before segmenting it, and stores what it
segmented: :meth:`TokenCache.scan` first says which paragraphs the cache holds, so the others go to the
segmenting child at once, and their rows are built while it works (:meth:`CachedParagraphs.rows`).  A second
run over an unchanged corpus does no segmentation; when the lexicon changes, a cached paragraph is kept unless
one of the added or removed entries occurs in its text.

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
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cppcc_nlp._cache import cache_dir, read_verified_bytes, write_verified_bytes
from cppcc_nlp.resources.lexicon import Lexicon
from cppcc_nlp.tokens.components import spellings

#: columns of the cached rows (one paragraph text, offsets relative to it)
CACHE_COLUMNS = ["text_hash", "lexicon_version", "i", "token", "start", "end", "is_punct", "in_lexicon"]

#: the columns whose values repeat (a paragraph's hash and version on each of its rows, a word on each of its
#: occurrences): kept dictionary-encoded in Arrow, as Parquet stores them
DICTIONARY_COLUMNS = ["text_hash", "lexicon_version", "token"]

#: bump when the layout of a part file changes; it is part of the folder name, so parts of an older layout
#: (2: verified parts with a header; 1: plain Parquet) are never read
CACHE_LAYOUT = 2


def text_hash(text: str) -> str:
    """The cache key of a paragraph's text (blake2b, 32 hex digits)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def default_cache_dir() -> Path:
    """The cache root when neither the call nor the corpus names one: :func:`cppcc_nlp._cache.cache_dir`."""
    return Path(cache_dir())


def cache_schema():
    """The Arrow schema of the cached rows (:data:`CACHE_COLUMNS`) as written to a part."""
    import pyarrow as pa

    return pa.schema(
        [
            ("text_hash", pa.string()),
            ("lexicon_version", pa.string()),
            ("i", pa.int32()),
            ("token", pa.string()),
            ("start", pa.int64()),
            ("end", pa.int64()),
            ("is_punct", pa.bool_()),
            ("in_lexicon", pa.bool_()),
        ]
    )


def codes_of(column, codes: dict, *, add: bool) -> np.ndarray:
    """The code of each value of an Arrow string column (plain or dictionary-encoded, chunked or not) in
    ``codes`` (value → int): with ``add`` a value not there gets the next code, else -1.

    Only the distinct values of each chunk go through Python, once for chunks that share their dictionary (a
    Parquet row group read in batches: at 16 copies of the shared corpora, 30 chunks of a cached part held 1.1 M
    dictionary values, 37,523 of them distinct); the rows are mapped with numpy.
    """
    chunks = column.chunks if hasattr(column, "chunks") else [column]
    out = []
    dictionary, mapping = None, None  # the last chunk's
    for chunk in chunks:
        if not str(chunk.type).startswith("dictionary"):
            chunk = chunk.dictionary_encode()
        if dictionary is None or not chunk.dictionary.equals(dictionary):
            dictionary, values = chunk.dictionary, chunk.dictionary.to_pylist()
            if add:
                mapping = np.asarray([codes.setdefault(v, len(codes)) for v in values], dtype=np.int64)
            else:
                mapping = np.asarray([codes.get(v, -1) for v in values], dtype=np.int64)
        out.append(mapping[chunk.indices.to_numpy(zero_copy_only=False)])
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


@dataclass
class TokenRows:
    """Segmented paragraphs, column-wise: row ``r`` is token ``i[r]`` of the paragraph text number ``text[r]``
    (an index into the texts looked up or segmented), the word ``words[word[r]]``, at ``start[r]:end[r]`` in
    the paragraph.

    The cache's rows without one string per row: what :func:`cppcc_nlp.tokens.table.tokens` assembles the
    token table from.
    """

    text: np.ndarray
    i: np.ndarray
    word: np.ndarray
    start: np.ndarray
    end: np.ndarray
    is_punct: np.ndarray
    in_lexicon: np.ndarray
    words: dict  # word → code, in the order of the codes

    def __len__(self) -> int:
        return len(self.text)

    @classmethod
    def from_arrow(cls, table, text: np.ndarray, words: dict) -> "TokenRows":
        """The rows of an Arrow table of :data:`CACHE_COLUMNS` whose text number ``text`` (one per row, from
        :func:`codes_of`) is not -1; ``words`` (word → code) gets the new words, and is the ``words`` of the
        result."""
        keep = np.flatnonzero(text >= 0)
        return cls(  # (int32: offsets in one paragraph, numbers of paragraphs and words)
            text[keep].astype(np.int32),
            _numpy(table["i"])[keep].astype(np.int32),
            codes_of(table["token"], words, add=True)[keep].astype(np.int32),
            _numpy(table["start"])[keep].astype(np.int32),
            _numpy(table["end"])[keep].astype(np.int32),
            _numpy(table["is_punct"])[keep].astype(bool),
            _numpy(table["in_lexicon"])[keep].astype(bool),
            words,
        )

    @classmethod
    def concat(cls, parts: list["TokenRows"], words: dict) -> "TokenRows":
        """The rows of ``parts`` one after another (their words codes of the same ``words``)."""
        return cls(
            *(
                np.concatenate([getattr(p, name) for p in parts]) if parts else np.zeros(0, dtype=dtype)
                for name, dtype in _ROW_ARRAYS.items()
            ),
            words,
        )

    def take(self, positions: np.ndarray) -> "TokenRows":
        return TokenRows(*(getattr(self, name)[positions] for name in _ROW_ARRAYS), self.words)


#: the per-row arrays of :class:`TokenRows`, in the order of its fields, and their dtypes
_ROW_ARRAYS = {
    "text": np.int32,
    "i": np.int32,
    "word": np.int32,
    "start": np.int32,
    "end": np.int32,
    "is_punct": bool,
    "in_lexicon": bool,
}


def _numpy(column) -> np.ndarray:
    return column.to_numpy() if hasattr(column, "chunks") else column.to_numpy(zero_copy_only=False)


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
        """The rows of one part as a pyarrow Table (the repeated strings dictionary-encoded); None when it is
        gone or failed its check (warned, deleted)."""
        import pyarrow.parquet as pq

        data = read_verified_bytes(part, inputs=self.folder.name)
        if data is None:
            return None
        return pq.read_table(io.BytesIO(data), columns=CACHE_COLUMNS, read_dictionary=DICTIONARY_COLUMNS)

    def _write_part(self, rows, name: str) -> None:
        """Write an Arrow table of :data:`CACHE_COLUMNS` as a part: plain string columns as Parquet reads them
        (``store_schema=False``: a dictionary-encoded column is not read back as one)."""
        import pyarrow.parquet as pq

        buffer = io.BytesIO()
        pq.write_table(rows.select(CACHE_COLUMNS), buffer, store_schema=False)
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

    def lookup(self, texts: dict[str, str], lex: Lexicon, words: dict) -> TokenRows:
        """Cached rows for the paragraphs ``{text_hash: text}`` still valid under ``lex`` (others are absent),
        each paragraph's rows in the order of ``i``; ``text`` numbers the paragraphs in the order of ``texts``,
        ``words`` (word → code) gets the words read.  The same as ``scan(texts, lex).rows(words)``."""
        return self.scan(texts, lex).rows(words)

    def scan(self, texts: dict[str, str], lex: Lexicon) -> "CachedParagraphs":
        """Which of the paragraphs ``{text_hash: text}`` have rows here still valid under ``lex``: the parts
        are read and checked, and each paragraph's lexicon version chosen, but the rows are not yet built
        (:meth:`CachedParagraphs.rows`, the longer half: 0.43-0.67 s of about 1 s for 4 M rows).  So the
        paragraphs to segment are known first, and the rows are built while they are segmented."""
        index = {h: n for n, h in enumerate(texts)}
        # (table, text numbers) of each part; the numbers found; their lexicon versions; the code of each version
        parts, hits, version, versions = [], [], [], {}
        for part in self._parts() if texts else []:
            table = self._read_part(part)
            if table is None:
                continue
            text = codes_of(table["text_hash"], index, add=False)
            hit = text >= 0
            if hit.any():
                parts.append((table, text))
                hits.append(text[hit])
                version.append(codes_of(table["lexicon_version"], versions, add=True)[hit])
            del table, text
        version = np.concatenate(version) if version else np.zeros(0, dtype=np.int64)
        text = np.concatenate(hits).astype(np.int32) if hits else np.zeros(0, np.int32)
        chosen = np.full(len(texts), -1, dtype=np.int64)
        for n, v in self._valid_versions(text, version, list(versions), texts, lex).items():
            chosen[n] = v
        return CachedParagraphs(parts, version, chosen)

    def _valid_versions(self, text: np.ndarray, version: np.ndarray, names: list, texts: dict, lex: Lexicon) -> dict:
        """Per paragraph number, the code of one lexicon version whose rows are valid under ``lex``: the current
        one, else the first one met (in row order) none of whose changed entries occurs in the paragraph."""
        hashes = list(texts)
        pairs, first = np.unique(text.astype(np.int64) * max(len(names), 1) + version, return_index=True)
        current = names.index(lex.version) if lex.version in names else -1  # (-1: none of the rows)
        chosen: dict[int, int] = {}
        diff_cache: dict[int, frozenset[str] | None] = {}
        for pair in pairs[np.argsort(first, kind="stable")].tolist():
            n, v = divmod(pair, len(names))
            if chosen.get(n) == current:
                continue
            if v == current:
                chosen[n] = v
                continue
            if n in chosen:
                continue
            if v not in diff_cache:
                old = self._lexicon_entries(names[v])
                diff_cache[v] = None if old is None else lex.changed_entries(old)
            changed = diff_cache[v]
            if changed is not None and not any(
                form in texts[hashes[n]] for term in changed for form in spellings(term)
            ):
                chosen[n] = v
        return chosen

    def store(self, rows) -> None:
        """Append segmented rows, an Arrow table of :data:`CACHE_COLUMNS` (one new part file), compacting when
        there are many parts."""
        if rows.num_rows == 0:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        self._write_part(rows, f"part-{time.time_ns()}-{os.getpid()}-{uuid.uuid4().hex[:8]}.parquet")
        parts = self._parts()
        if len(parts) > self.MAX_PARTS:
            self._compact(parts)

    def _compact(self, parts: list[Path]) -> None:
        import pyarrow as pa

        schema = cache_schema()
        tables = [t.cast(schema) for t in map(self._read_part, parts) if t is not None]
        if not tables:
            return
        merged = pa.concat_tables(tables)
        keys = [codes_of(merged[c], {}, add=True) for c in ("text_hash", "lexicon_version")]
        keys.append(merged["i"].to_numpy())
        _, first = np.unique(np.rec.fromarrays(keys), return_index=True)  # a row stored twice, once
        self._write_part(merged.take(np.sort(first)), f"part-{time.time_ns()}-{os.getpid()}-compact.parquet")
        for p in parts:
            with contextlib.suppress(OSError):
                p.unlink()


class CachedParagraphs:
    """What :meth:`TokenCache.scan` found: ``found``, the numbers of the paragraphs with valid cached rows, and
    the parts that hold them, read but not yet turned into :class:`TokenRows` (:meth:`rows`)."""

    def __init__(self, parts: list, version: np.ndarray, chosen: np.ndarray):
        self._parts, self._version, self._chosen = parts, version, chosen
        self.found = np.flatnonzero(chosen >= 0)

    def rows(self, words: dict) -> TokenRows:
        """The valid rows, each paragraph's in the order of ``i`` (a row stored twice, by two runs at once,
        once); ``words`` (word → code) gets the words of the parts read, in the order of the parts.  Once: the
        parts are let go."""
        parts, self._parts = self._parts, []
        found = []
        while parts:
            table, text = parts.pop(0)
            found.append(TokenRows.from_arrow(table, text, words))
            del table, text
        rows = TokenRows.concat(found, words)
        del found
        valid = np.flatnonzero(self._chosen[rows.text] == self._version)
        order = valid[np.lexsort((rows.i[valid], rows.text[valid]))]
        text, i = rows.text[order], rows.i[order]
        repeated = np.zeros(len(order), dtype=bool)
        repeated[1:] = (text[1:] == text[:-1]) & (i[1:] == i[:-1])
        return rows.take(order[~repeated])
