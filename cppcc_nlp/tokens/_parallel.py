"""Segmentation on several cores: the pipeline is loaded once and shared by forked workers.

The pkuseg model takes about 1 GB of memory and seconds to load.  spaCy's ``nlp.pipe(n_process=...)`` starts
workers that each load (or unpickle) their own copy, so on two cores it was no faster than one.  Here the
parent keeps the loaded pipeline in the module global :data:`_PIPE` and starts a ``multiprocessing`` pool with
the ``fork`` start method: the workers inherit the model copy-on-write, read-only, without loading anything.
The pieces of text are cut into chunks, each worker segments whole chunks, and the results come back in the
order of the pieces, so the token table is the same as with one process.

Where ``fork`` is not available (Windows), segmentation runs in the parent process.

:func:`~cppcc_nlp._fork.run_in_fork` runs a whole segmentation job in a forked child that loads the model, forks
its own workers and exits: the main job (``analyze``) uses it so that its process never holds the model's 1 GB beside
the tables it builds afterwards (see ``tokens(isolate=True)``).

Examples
--------
:func:`segment_columns` gives the tokens as columns (:class:`SegmentedPieces`): token ``k`` is
``words[word[k]]`` at ``offset[k]`` in its piece, and the first ``count[0]`` tokens are those of the first piece.

>>> from cppcc_nlp.tokens.pipeline import nlp
>>> seg = segment_columns(nlp(), ["推进全过程人民民主", "发挥专门协商机构作用"], n_process=2)  # doctest: +SKIP
>>> seg.words  # doctest: +SKIP
['推进', '全过程人民民主', '发挥', '专门协商机构', '作用']
>>> seg.word.tolist(), seg.offset.tolist(), seg.in_lexicon.tolist(), seg.count.tolist()  # doctest: +SKIP
([0, 1, 2, 3, 4], [0, 2, 0, 2, 8], [False, True, False, True, False], [2, 3])
"""

from __future__ import annotations

import multiprocessing
import os
from typing import NamedTuple

import numpy as np

from cppcc_nlp._fork import fork_available, frozen_heap, run_in_fork
from cppcc_nlp.tokens.components import MERGE_COMPONENT, LexiconMerger

__all__ = ["cores", "chunked", "segment_columns", "SegmentedPieces", "fork_available", "run_in_fork"]

#: the pipeline the forked workers use; set in the parent just before the pool starts, cleared after
_PIPE = None
_BATCH_SIZE = 64
#: the fast path for ``_PIPE`` (:func:`fast_segmenter`), or None
_SEGMENT = None


def cores(n_process) -> int:
    """The number of processes ``n_process`` asks for: ``-1`` (or None) is every core of the machine."""
    if n_process in (None, -1, 0):
        return os.cpu_count() or 1
    return max(1, int(n_process))


def _doc_tokens(doc) -> list[tuple[str, int, bool]]:
    """``(text, offset in the piece, in_lexicon)`` of every token of a spaCy Doc that is not whitespace."""
    return [(tok.text, tok.idx, bool(tok._.in_lexicon)) for tok in doc if not tok.is_space]


def fast_segmenter(pipe):
    """A function ``piece -> [(text, offset, in_lexicon), ...]`` giving what ``_doc_tokens(pipe(piece))`` gives
    without spaCy's Doc, or None when ``pipe`` is not exactly the shape :func:`~cppcc_nlp.tokens.pipeline.nlp`
    builds (spaCy's ``ChineseTokenizer`` with pkuseg, then only the ``cppcc_merge_lexicon_v1`` component).

    It calls pkuseg's ``cut`` as the tokenizer does and lays the words out and merges the lexicon on character
    offsets (:meth:`~cppcc_nlp.tokens.components.LexiconMerger.tokens_from_words`): the Doc, Token objects,
    retokenizer and extension lookups were about a quarter of the segmentation time (+37% on pkuseg's).  A piece the offset path
    cannot take (words that do not align with the text, a text over ``pipe.max_length``) goes through ``pipe``,
    which raises as before.
    """
    from spacy.lang.zh import ChineseTokenizer

    tokenizer = pipe.tokenizer
    if type(tokenizer) is not ChineseTokenizer or tokenizer.segmenter != "pkuseg" or tokenizer.pkuseg_seg is None:
        return None
    if list(pipe.pipe_names) != [MERGE_COMPONENT]:
        return None
    merger = pipe.get_pipe(MERGE_COMPONENT)
    if type(merger) is not LexiconMerger:
        return None
    cut, max_length = tokenizer.pkuseg_seg.cut, pipe.max_length

    def segment(piece: str) -> list[tuple[str, int, bool]]:
        if len(piece) <= max_length:
            toks = merger.tokens_from_words(piece, cut(piece))
            if toks is not None:
                return toks
        return _doc_tokens(pipe(piece))

    return segment


def _work(chunk: list[str]) -> list[list[tuple[str, int, bool]]]:
    """In a forked worker: segment a chunk of pieces with the inherited pipeline."""
    if _SEGMENT is not None:
        return [_SEGMENT(piece) for piece in chunk]
    return [_doc_tokens(doc) for doc in _PIPE.pipe(chunk, batch_size=_BATCH_SIZE)]


class SegmentedPieces(NamedTuple):
    """The tokens of a list of pieces, as columns: token ``k`` is ``words[word[k]]`` at ``offset[k]`` in its
    piece; piece ``p`` has ``count[p]`` tokens, those after the tokens of the pieces before it."""

    words: list[str]  # each distinct token text once, in the order of first use
    word: np.ndarray  # int32, the code of each token's text in ``words``
    offset: np.ndarray  # int64, the offset of each token in its piece
    in_lexicon: np.ndarray  # bool
    count: np.ndarray  # int64, the number of tokens of each piece


def _as_columns(per_piece: list[list[tuple[str, int, bool]]]) -> SegmentedPieces:
    codes: dict[str, int] = {}
    word, offset, in_lexicon = [], [], []
    for toks in per_piece:
        if toks:
            texts, offsets, flags = zip(*toks)
            word.extend([codes.setdefault(t, len(codes)) for t in texts])
            offset.extend(offsets)
            in_lexicon.extend(flags)
    return SegmentedPieces(
        list(codes),
        np.array(word, dtype=np.int32),
        np.array(offset, dtype=np.int64),
        np.array(in_lexicon, dtype=bool),
        np.array([len(toks) for toks in per_piece], dtype=np.int64),
    )


def _work_columns(chunk: list[str]) -> SegmentedPieces:
    """In a forked worker: :func:`_work`, the tokens sent back as columns (the parent used to unpickle a tuple
    per token and walk them one by one, on a core the workers needed)."""
    return _as_columns(_work(chunk))


def _concat(parts: list[SegmentedPieces]) -> SegmentedPieces:
    """The chunks' columns one after the other, their word codes renumbered into one list of words."""
    if not parts:
        return _as_columns([])
    codes: dict[str, int] = {}
    renumbered = []
    for part in parts:
        new = np.fromiter((codes.setdefault(w, len(codes)) for w in part.words), np.int32, len(part.words))
        renumbered.append(new[part.word])
    return SegmentedPieces(
        list(codes),
        np.concatenate(renumbered),
        *(np.concatenate([getattr(p, c) for p in parts]) for c in ("offset", "in_lexicon", "count")),
    )


#: at most this many characters of text per chunk a worker takes (one piece may exceed it alone): what a worker
#: holds at once stays bounded however large the corpus
CHUNK_CHARS = 100_000


#: about this many chunks per worker: a worker that is done takes the next, so the last chunk's time is the
#: most that one worker waits for the other at the end.  The shared corpora (475,523 characters, 2 workers,
#: model loaded, 6 pairs alternating): 8 chunks 6.3-7.7 s, 32 chunks 5.9-7.4 s, 0.1-0.9 s (mean 0.35 s) less
CHUNKS_PER_WORKER = 16


def chunked(pieces: list[str], n_workers: int) -> list[list[str]]:
    """Consecutive chunks of ``pieces``: about :data:`CHUNKS_PER_WORKER` per worker (a worker with short pieces
    takes another), none over :data:`CHUNK_CHARS` characters unless one piece is."""
    size = max(1, -(-len(pieces) // (n_workers * CHUNKS_PER_WORKER)))
    chunks, chunk, chars = [], [], 0
    for piece in pieces:
        if chunk and (len(chunk) == size or chars + len(piece) > CHUNK_CHARS):
            chunks.append(chunk)
            chunk, chars = [], 0
        chunk.append(piece)
        chars += len(piece)
    if chunk:
        chunks.append(chunk)
    return chunks


def segment_columns(pipe, pieces: list[str], *, n_process: int = 1, batch_size: int = 64) -> SegmentedPieces:
    """The tokens of the pieces, in order, as columns (:class:`SegmentedPieces`).

    With ``n_process`` > 1 (``-1``: every core) and the ``fork`` start method available, the pieces are
    segmented by forked workers sharing ``pipe``, each making the columns of its own chunks (a few arrays to
    send back, not a tuple per token): the parent only concatenates them.  The result is the same as with one
    process.  The default pipeline is run without spaCy's Doc (:func:`fast_segmenter`), with the same result.

    >>> from cppcc_nlp.tokens.pipeline import nlp
    >>> seg = segment_columns(nlp(), ["推进全过程人民民主", "发挥作用"])  # doctest: +SKIP
    >>> [seg.words[w] for w in seg.word], seg.count.tolist()  # doctest: +SKIP
    (['推进', '全过程人民民主', '发挥', '作用'], [2, 2])
    """
    global _PIPE, _BATCH_SIZE, _SEGMENT
    n = min(cores(n_process), len(pieces))
    _PIPE, _BATCH_SIZE, _SEGMENT = pipe, batch_size, fast_segmenter(pipe)
    try:
        chunks = chunked(pieces, max(n, 1))
        if n <= 1 or not fork_available():
            return _concat([_work_columns(chunk) for chunk in chunks])
        with frozen_heap():
            pool = multiprocessing.get_context("fork").Pool(n)
        with pool:
            return _concat(pool.map(_work_columns, chunks, chunksize=1))
    finally:
        _PIPE = _SEGMENT = None
