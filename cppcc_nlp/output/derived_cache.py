"""Derived results kept between runs: the terms and keyness tables and the fitted topic model of ``analyze``.

A warm ``analyze`` on unchanged input reads these back instead of scoring terms, computing keyness and fitting
topics again.  Every entry is keyed by a *fingerprint* of its inputs (:func:`fingerprint`): the sorted
SHA-256 of the documents with their docvars, the step's parameters, the lexicon and pipeline versions, the
library version and a hash of its source files.  A changed report, lexicon, parameter or line of code gives
another key, so a stale result is never read.
Entries are verified cache files (:func:`cppcc_nlp._cache.write_verified_bytes`) under
``<cache root>/derived/``: tables as Arrow IPC files, the topic model as its zip; a damaged entry is a
:class:`~cppcc_nlp._cache.CacheWarning` and is recomputed.

The k of the topic model is also remembered per parameters (:meth:`DerivedCache.previous_k`): after a refresh
(reports added to a corpus, at most :data:`REUSE_K_GROWTH` more characters than when k was chosen) the model is
refitted with that k instead of searching k again.  And the last model fitted is remembered with its corpus
(:meth:`DerivedCache.previous_fit`): after a smaller refresh (at most :data:`FOLD_IN_GROWTH` more characters than
when it was fitted) the added reports are folded into it (:meth:`~cppcc_nlp.topics.model.TopicModel.fold_in`)
instead of refitting.

Examples
--------
>>> cache = DerivedCache("/tmp/cache", fingerprint(corpus, "terms", 200))        # doctest: +SKIP
>>> cache.frame("terms") is None                                                 # doctest: +SKIP
True
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from functools import lru_cache
from pathlib import Path

import pandas as pd

from cppcc_nlp._cache import cache_key, read_verified_bytes, write_verified_bytes

#: the k search reruns when the corpus has grown by more than this share of characters since k was chosen
REUSE_K_GROWTH = 0.20

#: added reports are folded into the last fitted topic model while the corpus has grown by at most this share of
#: characters since that fit; past it the model is refitted (a warm start at the earlier k, up to REUSE_K_GROWTH).
#: A refit after a growth g moved the dominant topic of about a share g of the units (16 copies of the shared
#: corpora plus one report, g = 0.25%: 0.2% of the units, every label and top-10 list kept; the shared corpora
#: plus one report, g = 3%: 3.2% of the units, 8 to 10 of each topic's top 10 terms kept): folding in at 2% leaves
#: about 2% of the units with another dominant topic than a refit would give them, for a fraction of its time
FOLD_IN_GROWTH = 0.02

#: bump when the layout of derived entries changes
DERIVED_FORMAT = 3  # 2: the dtype object is restored on reading; 3: tables as Arrow IPC, not Parquet

PACKAGE_DIR = Path(__file__).resolve().parent.parent

_DOC_KEY_DROP = ("path", "encoding", "format")  # where a report lies does not change what is derived from it


def corpus_hash(corpus) -> str:
    """A hash of the corpus's documents and docvars, independent of their order and location on disk."""
    docs = _keyed_documents(corpus).sort_values(["sha256", "doc_id"]).reset_index(drop=True)
    h = hashlib.blake2b(digest_size=16)
    h.update("\x1f".join(docs.columns).encode())
    for row in _rows(docs):
        h.update(_row_bytes(row))
        h.update(b"\x1e")
    return h.hexdigest()


def document_fingerprints(corpus, *parts) -> dict[str, str]:
    """The key of each document's own derived result (doc_id → key): the hash of its row of the documents table
    (text hash and docvars, as in :func:`corpus_hash`) with what :func:`fingerprint` adds.  A document's key
    stays the same when other documents are added or changed, so a refreshed corpus reuses its result."""
    docs = _keyed_documents(corpus)
    columns = "\x1f".join(docs.columns).encode()
    keys = {}
    for doc_id, row in zip(docs["doc_id"].tolist(), _rows(docs)):
        h = hashlib.blake2b(columns, digest_size=16)
        h.update(_row_bytes(row))
        keys[doc_id] = _key(h.hexdigest(), parts)
    return keys


def _keyed_documents(corpus) -> pd.DataFrame:
    return corpus.documents.drop(columns=[c for c in _DOC_KEY_DROP if c in corpus.documents.columns])


def _rows(frame: pd.DataFrame):
    """The rows of ``frame`` as tuples of Python values, as ``itertuples`` gives them (but from lists: iterating
    a pandas string column is slow)."""
    return zip(*(frame[column].tolist() for column in frame.columns))


def _row_bytes(row) -> bytes:
    return "\x1f".join(map(str, row)).encode("utf-8")


@lru_cache(maxsize=1)
def source_fingerprint() -> str:
    """A hash of the package's source files: part of every key, so that a change to the code that derives a
    result (a development install, where the library version stays the same) never reads back a stale one."""
    digest = hashlib.blake2b(digest_size=8)
    files = [*PACKAGE_DIR.rglob("*.py"), *(PACKAGE_DIR / "data").rglob("*")]  # code, lexicons, stop words
    for path in sorted(p for p in files if p.is_file()):
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def fingerprint(corpus, *parts) -> str:
    """The key of a derived result: the corpus hash, the library version, the source fingerprint and
    ``parts`` (step, parameters…)."""
    return _key(corpus_hash(corpus), parts)


def _key(content_hash: str, parts) -> str:
    return cache_key(content_hash, f"derived{DERIVED_FORMAT}", source_fingerprint(), *(repr(p) for p in parts))


def _frame_bytes(frame: pd.DataFrame) -> bytes:
    """Arrow IPC bytes of ``frame`` (zstd); column names that are not strings (years) are restored on reading.

    (Not Parquet: a refresh reads back a small table per report, and IPC decodes one in a tenth of the time.)
    """
    import pyarrow as pa

    names = [[type(c).__name__, str(c), str(dtype) == "object"] for c, dtype in zip(frame.columns, frame.dtypes)]
    # (one chunk per column: a frame concatenated from one table per report holds hundreds, and the IPC writer
    # compresses each chunk on its own: 0.43 s and twice the bytes for the indicators of 417 reports, not 0.05 s)
    table = pa.Table.from_pandas(frame.set_axis([str(c) for c in frame.columns], axis=1)).combine_chunks()
    meta = dict(table.schema.metadata or {})
    meta[b"cppcc_columns"] = json.dumps(names).encode()
    table = table.replace_schema_metadata(meta)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, table.schema, options=pa.ipc.IpcWriteOptions(compression="zstd")) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _table_from_bytes(data: bytes):
    import pyarrow as pa

    # (one thread: the tables are small, and a thread pool per column costs more than it saves)
    return pa.ipc.open_file(pa.BufferReader(data), options=pa.ipc.IpcReadOptions(use_threads=False)).read_all()


def _frame_from_table(table) -> pd.DataFrame:
    frame = table.to_pandas()
    names = json.loads(table.schema.metadata[b"cppcc_columns"])
    frame.columns = [int(v) if t == "int" else v for t, v, _ in names]
    for (_, _, was_object), column in zip(names, list(frame.columns)):
        if was_object and str(frame[column].dtype) != "object":  # Arrow reads strings back as pandas' str
            frame[column] = frame[column].astype(object)
    return frame


def concat_frames(root, keys, name: str, make) -> pd.DataFrame:
    """The tables stored as ``name`` under each of ``keys`` (:meth:`DerivedCache.frame`), in that order, as one
    table; an entry absent or damaged (warned and deleted) is made by ``make(i)`` (``i``: its place in ``keys``)
    and stored.

    One conversion to pandas for all of them instead of one per entry: a refresh reads back a small table per
    report, and the conversion cost milliseconds per table.  The tables must have the same columns (those of one
    step); a column that is all missing in one of them takes the type the others give it.  ``keys`` must not be
    empty.
    """
    import pyarrow as pa

    tables = []
    for i, key in enumerate(keys):
        cache = DerivedCache(root, key)
        table = cache.table(name)
        if table is None:
            data = _frame_bytes(make(i))
            cache._put_bytes(name, ".arrow", data)
            table = _table_from_bytes(data)  # as a later run reads it back: a cold run gives the same table
        tables.append(table)
    # (one chunk per column: pandas keeps Arrow's chunks, and a take or a filter on a column of 417 chunks costs
    # far more than on one)
    return _frame_from_table(pa.concat_tables(tables, promote_options="permissive").combine_chunks())


class DerivedCache:
    """Derived results of one step under ``<root>/derived/``, keyed by ``key`` (from :func:`fingerprint`)."""

    def __init__(self, root, key: str):
        self.root = Path(root)
        self.folder = self.root / "derived"
        self.key = key

    def _path(self, name: str, suffix: str) -> Path:
        return self.folder / f"{self.key}-{name}{suffix}"

    def frame(self, name: str) -> pd.DataFrame | None:
        """The table stored as ``name``; None when absent or damaged (then warned and deleted)."""
        table = self.table(name)
        return None if table is None else _frame_from_table(table)

    def table(self, name: str):
        """The table stored as ``name`` as a pyarrow Table, not yet converted to pandas (see :meth:`frame`)."""
        data = read_verified_bytes(self._path(name, ".arrow"), inputs=self.key)
        return None if data is None else _table_from_bytes(data)

    def put_frame(self, name: str, frame: pd.DataFrame) -> None:
        self._put_bytes(name, ".arrow", _frame_bytes(frame))

    def data(self, name: str) -> bytes | None:
        """The bytes stored as ``name`` (a figure file, a manifest); None when absent or damaged."""
        return read_verified_bytes(self._path(name, ".bin"), inputs=self.key)

    def put_data(self, name: str, data: bytes) -> None:
        self._put_bytes(name, ".bin", data)

    def _put_bytes(self, name: str, suffix: str, data: bytes) -> None:
        self._safely(lambda: write_verified_bytes(self._path(name, suffix), data, inputs=self.key))

    def has(self, name: str, suffix: str = ".bin") -> bool:
        """True when an entry ``name`` exists (not verified: :meth:`data` checks it)."""
        return self._path(name, suffix).is_file()

    def model(self, name: str = "topic-model"):
        """The fitted :class:`~cppcc_nlp.topics.model.TopicModel` stored as ``name``, or None."""
        return _read_model(self._path(name, ".zip"), self.key)

    def put_model(self, model, name: str = "topic-model", *, saved: Path | None = None) -> None:
        """Keep ``model`` as ``name``; ``saved``: the file ``model.save`` just wrote, kept instead of saving again."""
        self._safely(lambda: _write_model(model, self._path(name, ".zip"), self.key, saved))

    # -- the k of an earlier run, for a refreshed corpus --------------------------------------------------------
    def previous_k(self, params_key: str, corpus) -> int | None:
        """The k chosen by an earlier search with the same parameters, if ``corpus`` is that corpus refreshed.

        That is: every document of the earlier corpus is still here, at least one was added, and the corpus has
        at most :data:`REUSE_K_GROWTH` more characters than when k was chosen.
        """
        data = read_verified_bytes(self.folder / f"k-{params_key}.json", inputs=params_key)
        if data is None:
            return None
        record = json.loads(data)
        return int(record["k"]) if _grown_from(record, corpus, REUSE_K_GROWTH) else None

    def previous_model(self, params_key: str, corpus):
        """The model fitted when the k of :meth:`previous_k` was chosen (to warm-start the refit), or None."""
        if self.previous_k(params_key, corpus) is None:
            return None
        return _read_model(self.folder / f"k-{params_key}.zip", params_key, tables=False)

    def remember_k(self, params_key: str, corpus, k: int, model=None, *, saved: Path | None = None) -> None:
        """Keep the k chosen on ``corpus`` (and the model fitted with it, for a warm start; ``saved`` as in
        :meth:`put_model`)."""
        if model is not None:
            self._safely(lambda: _write_model(model, self.folder / f"k-{params_key}.zip", params_key, saved))
        record = {"k": int(k), **_corpus_record(corpus)}
        self._safely(
            lambda: write_verified_bytes(
                self.folder / f"k-{params_key}.json", json.dumps(record).encode(), inputs=params_key
            )
        )

    # -- the last fitted model, to fold a small refresh into --------------------------------------------------
    def previous_fit(self, params_key: str, corpus):
        """The last model fitted with the same parameters (tables included), if ``corpus`` is its corpus with
        reports added and at most :data:`FOLD_IN_GROWTH` more characters; else None."""
        data = read_verified_bytes(self.folder / f"fit-{params_key}.json", inputs=params_key)
        if data is None:
            return None
        record = json.loads(data)
        if not _grown_from(record, corpus, FOLD_IN_GROWTH):
            return None
        return _read_model(self.folder / record["model"], params_key)

    def remember_fit(self, params_key: str, corpus, model, *, saved: Path | None = None) -> None:
        """Keep ``model``, just fitted on ``corpus``, for :meth:`previous_fit` (``saved`` as in :meth:`put_model`).

        The model's file is named after its corpus and the record names it, so a record never describes another
        model; the file of the fit before is deleted once the record is replaced."""
        record = _corpus_record(corpus)
        name = f"fit-{params_key}-{cache_key('fit', *record['documents'])[:16]}.zip"
        record["model"] = name
        path = self.folder / f"fit-{params_key}.json"
        before = read_verified_bytes(path, inputs=params_key)
        self._safely(lambda: _write_model(model, self.folder / name, params_key, saved))
        self._safely(lambda: write_verified_bytes(path, json.dumps(record).encode(), inputs=params_key))
        earlier_model = json.loads(before).get("model") if before is not None else None
        if earlier_model not in (None, name):
            (self.folder / earlier_model).unlink(missing_ok=True)

    @staticmethod
    def _safely(write) -> None:
        """Write an entry; a cache that cannot be written only costs the next run its time."""
        try:
            write()
        except OSError as exc:
            import warnings

            warnings.warn(f"derived-results cache not writable ({exc.strerror or exc}); results not kept", stacklevel=3)


def _corpus_record(corpus) -> dict:
    """What the record of a k or of a fit keeps of its corpus: its characters and its documents' SHA-256."""
    return {"n_chars": int(corpus.documents["n_chars"].sum()), "documents": sorted(corpus.documents["sha256"])}


def _grown_from(record: dict, corpus, growth: float) -> bool:
    """True when ``corpus`` is the corpus of ``record`` with reports added (every earlier document still there, at
    least one more) and at most ``growth`` more characters."""
    n_chars = int(corpus.documents["n_chars"].sum())
    earlier = set(record["documents"])
    return earlier < set(corpus.documents["sha256"]) and n_chars <= record["n_chars"] * (1 + growth)


def _read_model(path: Path, inputs: str, *, tables: bool = True):
    from cppcc_nlp.topics.model import TopicModel

    data = read_verified_bytes(path, inputs=inputs)
    if data is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "model.zip"
        file.write_bytes(data)
        return TopicModel.load(file, tables=tables)


def _write_model(model, path: Path, inputs: str, saved: Path | None = None) -> None:
    if saved is not None:
        write_verified_bytes(path, Path(saved).read_bytes(), inputs=inputs)
        return
    with tempfile.TemporaryDirectory() as tmp:
        file = model.save(Path(tmp) / "model.zip")
        write_verified_bytes(path, Path(file).read_bytes(), inputs=inputs)


def cache_root(corpus) -> Path:
    """Where a corpus's derived results go: its store's ``cache/`` or the user cache (``$CPPCC_NLP_CACHE``)."""
    from cppcc_nlp._cache import cache_dir

    return Path(getattr(corpus, "cache_dir", None) or cache_dir())


__all__ = [
    "DerivedCache",
    "FOLD_IN_GROWTH",
    "REUSE_K_GROWTH",
    "cache_root",
    "concat_frames",
    "corpus_hash",
    "document_fingerprints",
    "fingerprint",
]
