"""The token table: one row per token of a corpus, in text order, with docvars and offsets.

:func:`tokens` segments every paragraph of a :class:`~cppcc_nlp.corpus.Corpus` with the pipeline of
:func:`cppcc_nlp.tokens.pipeline.nlp` (with ``n_process`` > 1, in forked workers sharing the loaded model:
:mod:`cppcc_nlp.tokens._parallel`) and returns the columns
of :data:`TOKEN_COLUMNS`; ``start``/``end`` are offsets into ``Document.text``, so ``doc.text[start:end] ==
token``.  Results are cached as Parquet under ``cache_dir()/tokens`` (:mod:`cppcc_nlp.tokens._token_cache`),
keyed by the paragraph text hash, the pipeline version and the lexicon version; a second run over an unchanged
corpus does no segmentation.

:func:`token_lists` groups the filtered tokens by paragraph, sentence, section or document;
:func:`as_token_table` is how the analyses take their input (a Corpus or a token table).

>>> t = tokens(["推进全过程人民民主", "发挥专门协商机构作用"], cache=False)
>>> t.groupby("doc_id")["token"].agg(list).tolist()
[['推进', '全过程人民民主'], ['发挥', '专门协商机构', '作用']]
"""

from __future__ import annotations

import functools
import re
import warnings
from bisect import bisect_right
from pathlib import Path

import numpy as np
import pandas as pd

from cppcc_nlp._hugepages import huge_pages_off
from cppcc_nlp.errors import EmptyCorpusError, InputError, ParameterError
from cppcc_nlp.resources.lexicon import Lexicon, load_lexicon
from cppcc_nlp.resources.stopwords import boilerplate, is_num_text, is_punct_text, stopwords
from cppcc_nlp.tokens._parallel import fork_available, segment_columns
from cppcc_nlp.tokens._token_cache import TokenCache, TokenRows, codes_of, default_cache_dir, text_hash
from cppcc_nlp.tokens.components import MERGE_COMPONENT
from cppcc_nlp.tokens.inputs import as_paragraphs, is_corpus
from cppcc_nlp.tokens.pipeline import lexicon_of, pipeline_loaded, pipeline_version
from cppcc_nlp.tokens.pipeline import nlp as make_nlp

#: columns of the token table, in order
TOKEN_COLUMNS = [
    "doc_id",
    "para_id",
    "section_id",
    "year",
    "period",
    "part",
    "level",
    "region",
    "organ",
    "series",
    "i",
    "sent",
    "token",
    "start",
    "end",
    "is_punct",
    "is_stop",
    "is_num",
    "in_lexicon",
]
#: docvars copied from the paragraph table onto every token (None when the input does not carry them)
TOKEN_DOCVARS = ("level", "region", "organ", "series")
#: the columns an analysis reads from a token table (:func:`as_token_table`)
ANALYSIS_COLUMNS = ["doc_id", "para_id", "sent", "token", "is_punct", "is_stop", "is_num", "year"]
#: units of :func:`token_lists` and the column that names each
UNITS = {"paragraph": "para_id", "sentence": "sent_id", "section": "section_id", "document": "doc_id"}
#: paragraphs longer than this are segmented in pieces cut at sentence ends (pkuseg's memory grows with length)
MAX_CHUNK_CHARS = 20_000
_SENT_END = re.compile(r"[。！？!?；;…]+[”’」』）)]*")

# ----------------------------------------------------------------------------------------------------------
# segmentation


def _chunks(text: str, limit: int = MAX_CHUNK_CHARS, find=None) -> list[tuple[int, str]]:
    """Cut a long text into pieces of at most ``limit`` characters: ``[(offset, piece), ...]``.

    Cuts fall after the last sentence end of each window, else after whitespace or a comma, else at the
    window's end; never inside a lexicon match (``find(text) -> [(start, end), ...]``), so no entry is split.
    """
    if len(text) <= limit:
        return [(0, text)]
    matches = find(text) if find is not None else []
    starts = [s for s, _ in matches]
    pieces, pos = [], 0
    while len(text) - pos > limit:
        window = text[pos : pos + limit]
        cut = 0
        for m in _SENT_END.finditer(window):
            cut = m.end()
        if cut < limit // 2:
            ws = max(window.rfind(" "), window.rfind("\n"), window.rfind("\u3000"), window.rfind("，"))
            cut = ws + 1 if ws >= limit // 2 else limit
        k = bisect_right(starts, pos + cut - 1) - 1  # the last match starting before the cut
        if k >= 0 and matches[k][0] > pos and matches[k][1] > pos + cut:
            cut = matches[k][0] - pos  # move the cut back to the start of the straddling match
        pieces.append((pos, text[pos : pos + cut]))
        pos += cut
    pieces.append((pos, text[pos:]))
    return pieces


def _segment(pipe, texts: dict[str, str], *, n_process: int, batch_size: int):
    """Segment the paragraphs ``{text_hash: text}``: the cache's rows (offsets relative to each paragraph), as
    an Arrow table whose repeated strings (hash, lexicon version, word) are dictionary-encoded: what comes back
    from the segmenting process, and the cache writes, without one Python string per token."""
    import pyarrow as pa

    lex = lexicon_of(pipe)
    find = pipe.get_pipe(MERGE_COMPONENT).find if MERGE_COMPONENT in pipe.pipe_names else None
    jobs = []  # (number of the text, offset of the piece in the paragraph, piece)
    for n, text in enumerate(texts.values()):
        for offset, piece in _chunks(text, find=find):
            if piece.strip():
                jobs.append((n, offset, piece))
    seg = segment_columns(pipe, [piece for _, _, piece in jobs], n_process=n_process, batch_size=batch_size)
    n_rows = len(seg.word)
    text = np.repeat(np.array([n for n, _, _ in jobs], dtype=np.int32), seg.count)
    start = np.repeat(np.array([offset for _, offset, _ in jobs], dtype=np.int64), seg.count) + seg.offset
    end = start + np.fromiter(map(len, seg.words), np.int64, len(seg.words))[seg.word]
    # ``i``: the token's place in its paragraph (the pieces of a paragraph are consecutive in ``jobs``)
    first = np.flatnonzero(np.r_[True, text[1:] != text[:-1]]) if n_rows else np.zeros(0, np.int64)
    i = np.arange(n_rows) - np.repeat(first, np.diff(np.r_[first, n_rows]))
    is_punct = np.fromiter(map(is_punct_text, seg.words), bool, len(seg.words))[seg.word]
    return pa.table(
        {
            "text_hash": pa.DictionaryArray.from_arrays(pa.array(text, pa.int32()), pa.array(list(texts), pa.string())),
            "lexicon_version": pa.DictionaryArray.from_arrays(
                pa.array(np.zeros(n_rows, dtype=np.int32)), pa.array([lex.version], pa.string())
            ),
            "i": pa.array(i, pa.int32()),
            "token": pa.DictionaryArray.from_arrays(pa.array(seg.word, pa.int32()), pa.array(seg.words, pa.string())),
            "start": pa.array(start, pa.int64()),
            "end": pa.array(end, pa.int64()),
            "is_punct": pa.array(is_punct, pa.bool_()),
            "in_lexicon": pa.array(seg.in_lexicon, pa.bool_()),
        }
    )


class PreloadedSegmenter:
    """A forked child that starts loading the default pipeline now, and later segments the paragraphs that
    :func:`tokens` finds missing from the cache: the child of ``tokens(isolate=True)``.

    ``tokens`` starts one when it needs it; ``analyze`` starts one before reading when the store holds a report
    never read (a cold run, a refresh) and hands it over (``tokens(segmenter=…)``): the model (5-7 s) then loads
    on the core that reading leaves idle.  :meth:`cancel` stops a child that is not needed after all.

    Parameters
    ----------
    lexicon : path, list of paths or Lexicon, optional
        As for :func:`tokens`; the child is used only when ``tokens`` asks for the same lexicon version.
    """

    def __init__(self, lexicon=None):
        import multiprocessing

        from cppcc_nlp._fork import Forked

        self.lexicon = lexicon if isinstance(lexicon, Lexicon) else load_lexicon(lexicon)
        context = multiprocessing.get_context("fork")
        # (a Queue: its feeder thread sends the paragraphs without waiting for the child to have loaded)
        self._queue = context.Queue()
        self._queue.cancel_join_thread()  # (an unread queue never holds up this process's exit)
        self._loaded = context.Event()
        self._call = Forked(_segment_when_sent, self.lexicon, self._queue, self._loaded, name="cppcc-nlp-segmenter")

    def segment(self, texts: dict[str, str], *, n_process: int, batch_size: int, meanwhile=None):
        """The Arrow rows of ``texts`` (``{text_hash: text}``) segmented in the child, which then ends;
        ``meanwhile()`` runs here while it works (an error in it stops the child)."""
        self._queue.put((texts, n_process, batch_size))
        try:
            if meanwhile is not None:
                meanwhile()
            return self._call.result()
        finally:
            self.cancel()

    @property
    def running(self) -> bool:
        """True while the child loads, waits or segments."""
        return not self._call.done()

    @property
    def loaded(self) -> bool:
        """True once the child has loaded the pipeline (it then segments, or waits for what to segment)."""
        return self._loaded.is_set()

    def cancel(self) -> None:
        """Stop the child (loading or waiting) if it still runs."""
        self._call.cancel()
        self._queue.close()


def _segment_when_sent(lex: Lexicon, queue, loaded):
    """In the child of :class:`PreloadedSegmenter`: load the pipeline (then set the event ``loaded``), then segment
    what comes through ``queue``."""
    pipe = make_nlp(lexicon=lex)
    loaded.set()
    texts, n_process, batch_size = queue.get()
    return _segment(pipe, texts, n_process=n_process, batch_size=batch_size)


def _empty_table() -> pd.DataFrame:
    frame = pd.DataFrame({c: [] for c in TOKEN_COLUMNS})
    return frame.astype(
        {
            "year": "Int64",
            "period": "Int64",
            "i": "int32",
            "sent": "int32",
            "start": "int64",
            "end": "int64",
            "is_punct": bool,
            "is_stop": bool,
            "is_num": bool,
            "in_lexicon": bool,
            "doc_id": object,
            "para_id": object,
            "section_id": object,
            "part": object,
            "level": object,
            "region": object,
            "organ": object,
            "series": object,
            "token": object,
        }
    )


# ----------------------------------------------------------------------------------------------------------
# the table


def _stopping_the_segmenter(function):
    """``function`` (:func:`tokens`) followed, however it ends, by stopping the ``segmenter=`` it was given:
    used or not needed, no child is left waiting (a waiting child would also hold up this process's exit)."""

    @functools.wraps(function)
    def call(*args, segmenter=None, **kwargs):
        try:
            return function(*args, segmenter=segmenter, **kwargs)
        finally:
            if segmenter is not None:
                segmenter.cancel()

    return call


@huge_pages_off()  # (on a VM that hands freed memory back to its host: cppcc_nlp._hugepages)
@_stopping_the_segmenter
def tokens(
    corpus,
    *,
    nlp=None,
    lexicon=None,
    n_process: int = 1,
    cache: bool = True,
    cache_dir=None,
    batch_size: int = 64,
    client=None,
    isolate: bool = False,
    compact: bool = False,
    while_segmenting=None,
    segmenter: PreloadedSegmenter | None = None,
) -> pd.DataFrame:
    """The token table of a corpus: one row per token, in text order, with docvars and offsets.

    Parameters
    ----------
    corpus : Corpus, DataFrame or str
        A :class:`~cppcc_nlp.corpus.Corpus`; or a paragraph table with the columns of ``Corpus.paragraphs``;
        or a string (or list of strings), each taken as one paragraph of a document ``text`` (``text0`` …).
    nlp : spacy.Language, optional
        A pipeline from :func:`nlp`.  Default: ``nlp(lexicon=lexicon)``, built only when some paragraph is not
        in the cache (a table read wholly from the cache never loads the pkuseg model).
    lexicon : path, list of paths or Lexicon, optional
        Extra lexicon files for the default pipeline (as in :func:`nlp`); ignored when ``nlp`` is given.
    n_process : int, default 1
        Worker processes for segmentation; ``-1`` uses every core.  The workers are forked from the process
        that loaded the pkuseg model (this one, or the child of ``isolate``) and share it (no second copy of
        the 1 GB model); the table is the same as with one process.
    cache : bool, default True
        Read and write the token cache.
    cache_dir : path, optional
        Cache root; default the corpus's own ``cache_dir`` attribute when it has one (a corpus store's
        ``<store>/cache``), else ``cppcc_nlp._cache.cache_dir()`` (``$CPPCC_NLP_CACHE`` or
        ``~/.cache/cppcc-nlp``).  Token rows live under ``<root>/tokens/``.
    batch_size : int, default 64
        Paragraphs per ``nlp.pipe`` batch.
    client : distributed.Client, optional
        Segment on a Dask cluster (:mod:`cppcc_nlp.tokens._distributed`, docs/scale.md); same table, same cache.
    isolate : bool, default False
        When the default pipeline is needed and not yet loaded in this process, load it in a forked child
        process that segments (with its own ``n_process`` workers) and exits, so that this process never holds
        the 1 GB model.  The main job (``analyze``) does this; a session that segments again and again keeps the
        default and loads the model once.  Same table either way.
    compact : bool, default False
        The columns repeated for every token of a paragraph (:data:`COMPACT_COLUMNS`: doc_id, para_id,
        section_id, part and the docvars) as pandas categoricals: the table takes about 30% of the memory (59
        MB → 17 MB on the shared corpora).  The main job uses it; the analyses give the same tables either way.
    while_segmenting : callable, optional
        With ``isolate``, called as ``while_segmenting(n_chars)`` in this process while the forked child
        segments the ``n_chars`` characters the cache lacks (this process otherwise only waits), once the rows
        of the cached paragraphs are built: the main job starts there the steps that need no tokens when
        ``n_chars`` is small, and imports what its later steps need while the model still loads.
    segmenter : PreloadedSegmenter, optional
        A child that began loading the default pipeline earlier (``analyze`` starts it beside the reading): with
        ``isolate`` and the same lexicon, it segments what the cache lacks instead of a child forked here.  It is
        stopped when it is not used (everything cached, another pipeline).  Same table either way.

    Returns
    -------
    pandas.DataFrame
        Columns ``doc_id, para_id, section_id, year, period, part, level, region, organ, series, i, sent,
        token, start, end, is_punct, is_stop, is_num, in_lexicon`` (level … series: the document's docvars, so
        ``keyness(by="level")`` or a within-series comparison can group tokens).  ``i`` is the token's index in its paragraph and ``sent`` the index of
        its sentence in the paragraph; ``start``/``end`` are offsets into ``Document.text``.  Whitespace is not
        a token.  Lexicon entries are never flagged stop word or number.

    Raises
    ------
    InputError
        ``corpus`` is not a corpus, a paragraph table or text.
    ModelError, LexiconError
        From :func:`nlp`.

    Examples
    --------
    >>> t = tokens("坚决拥护“两个确立”", cache=False)
    >>> t[["token", "start", "end", "in_lexicon"]].values.tolist()
    [['坚决', 0, 2, False], ['拥护', 2, 4, False], ['“', 4, 5, False], ['两个确立', 5, 9, True], ['”', 9, 10, False]]
    """
    if not isinstance(n_process, int) or n_process == 0 or n_process < -1:
        raise ParameterError(f"n_process={n_process!r}: give a positive number of processes, or -1 for all cores")
    paras, sents = as_paragraphs(corpus)
    if paras.empty:
        return _empty_table()
    if nlp is not None:
        lex, version = lexicon_of(nlp), nlp.meta["cppcc_nlp"]["pipeline_version"]
    else:
        lex = lexicon if isinstance(lexicon, Lexicon) else load_lexicon(lexicon)
        version = pipeline_version()
    texts_col = paras["text"].fillna("").astype(str).tolist()  # (a list: iterating a pandas string column is slow)
    hashes = [text_hash(t) for t in texts_col]
    unique = {}
    for h, t in zip(hashes, texts_col):
        if h not in unique and t.strip():
            unique[h] = t
    number = {h: n for n, h in enumerate(unique)}  # the rows' "text": the number of their paragraph text

    words: dict[str, int] = {}
    store = None
    cached = None  # what the cache holds: which paragraphs first, their rows (``found``) built after
    if cache:
        root = cache_dir or getattr(corpus, "cache_dir", None) or default_cache_dir()
        store = TokenCache(Path(root), version)
        try:
            cached = store.scan(unique, lex)
        except OSError as exc:
            warnings.warn(f"token cache at {store.folder} unreadable ({exc}); segmenting anew", stacklevel=2)
    done = np.zeros(len(unique), dtype=bool)
    if cached is not None:
        done[cached.found] = True
    todo = {h: t for (h, t), seen in zip(unique.items(), done) if not seen}
    found = None

    def build_found() -> None:  # (the cached rows, their words first in ``words``: the same table as before)
        nonlocal found
        found = cached.rows(words) if cached is not None else TokenRows.concat([], words)

    if todo:
        isolated = nlp is None and client is None and isolate and fork_available() and not pipeline_loaded(lexicon=lex)
        if isolated:
            if segmenter is None or segmenter.lexicon.version != lex.version:
                segmenter = PreloadedSegmenter(lex)  # (one given for another lexicon is stopped by the decorator)

            def meanwhile() -> None:  # (while the child segments: the cached rows, then the caller's work)
                build_found()
                if while_segmenting is not None:
                    while_segmenting(sum(map(len, todo.values())))

            fresh = segmenter.segment(todo, n_process=n_process, batch_size=batch_size, meanwhile=meanwhile)
        else:
            build_found()
            pipe = nlp if nlp is not None else make_nlp(lexicon=lex)
            if client is not None:
                from cppcc_nlp.tokens._distributed import segment

                fresh = segment(client, pipe, todo, _segment, batch_size=batch_size)
            else:
                fresh = _segment(pipe, todo, n_process=n_process, batch_size=batch_size)
        if store is not None and fresh.num_rows:
            try:
                store.remember_lexicon(lex)
                store.store(fresh)
            except OSError as exc:
                warnings.warn(f"token cache at {store.folder} not writable ({exc}); results not cached", stacklevel=2)
        fresh = TokenRows.from_arrow(fresh, codes_of(fresh["text_hash"], number, add=False), words)
        rows = TokenRows.concat([found, fresh], words)
        del found, fresh  # (the table is built from ``rows`` alone)
    else:
        build_found()
        rows = found
    para_text = np.array([number.get(h, -1) for h in hashes], dtype=np.int64)
    return _assemble(paras, sents, para_text, rows, compact=compact)


#: the columns ``tokens(compact=True)`` makes categorical: one value per paragraph, repeated for each token
COMPACT_COLUMNS = ("doc_id", "para_id", "section_id", "part", *TOKEN_DOCVARS)


def _assemble(
    paras: pd.DataFrame, sents, para_text: np.ndarray, rows: TokenRows, *, compact: bool = False
) -> pd.DataFrame:
    """The token table: paragraph ``k`` of ``paras`` gets the rows of its text number ``para_text[k]`` (-1:
    none) in the order of ``i``, with its ids, docvars and offsets.  Built column by column with numpy, the
    temporary arrays dropped as soon as used (no join, no sort of the table, no string per row but the token's)."""
    if not len(rows):
        return _empty_table()
    # the rows of each text, in order: where they start once sorted by (text, i), and how many there are
    order = np.lexsort((rows.i, rows.text))
    per_text = np.bincount(rows.text, minlength=int(para_text.max()) + 1)
    first = np.cumsum(per_text) - per_text
    n = np.where(para_text >= 0, per_text[np.maximum(para_text, 0)], 0)
    para = np.repeat(np.arange(len(para_text)), n)  # the paragraph of each token
    row = np.arange(len(para)) - np.repeat(np.cumsum(n) - n, n)  # (its place among its paragraph's tokens)
    row += np.repeat(first[np.maximum(para_text, 0)], n)
    row = order[row]  # the row of each token
    del order
    para_start = paras["start"].to_numpy().astype("int64")
    start = rows.start[row] + para_start[para]
    end = rows.end[row] + para_start[para]
    word = rows.word[row]
    words = list(rows.words)
    sent = _sentence_index(paras, sents, para, start, words, word)

    p = paras[["doc_id", "para_id", "section_id", "year", "period", "part"]].reset_index(drop=True)
    for col in TOKEN_DOCVARS:  # docvars of a Corpus; absent from a bare paragraph table or a string
        p[col] = paras[col].to_numpy() if col in paras.columns else None
    if compact:  # (categoricals: the repeated values never exist as one string per token)
        p = p.astype({col: "category" for col in COMPACT_COLUMNS})
    p = p.astype({"year": "Int64", "period": "Int64"})
    in_lex = rows.in_lexicon[row]
    stop_words = stopwords()
    columns = {col: p[col].array.take(para) for col in p.columns}  # doc_id … series, one value per paragraph
    del para
    columns["i"] = rows.i[row]
    columns["sent"] = sent.astype(np.int32)
    columns["token"] = pd.Series(words).array.take(word)
    columns["start"] = start
    columns["end"] = end
    columns["is_punct"] = rows.is_punct[row] & ~in_lex
    columns["is_stop"] = np.fromiter((w in stop_words for w in words), bool, len(words))[word] & ~in_lex
    columns["is_num"] = np.fromiter(map(is_num_text, words), bool, len(words))[word] & ~in_lex
    columns["in_lexicon"] = in_lex
    return pd.DataFrame(columns, copy=False)


#: a token made only of these ends a sentence (where no sentence table says where sentences start)
_SENTENCE_END = re.compile(r"[。！？!?；;…]+")


def _sentence_index(paras: pd.DataFrame, sents, para: np.ndarray, start: np.ndarray, words: list, word) -> np.ndarray:
    """Index of each token's sentence within its paragraph: the last sentence of the token's ``para_id`` that
    starts at or before the token (0 when none does).  ``sents`` is
    :func:`~cppcc_nlp.tokens.inputs.sentence_starts` or None; per token, ``para`` is its row in ``paras``,
    ``start`` its offset in the document and ``word`` its index in ``words``."""
    code_of: dict[str, int] = {}
    code = np.array([code_of.setdefault(p, len(code_of)) for p in paras["para_id"].tolist()], dtype=np.int64)[para]
    if sents is None or not len(sents):
        # no sentence table: a sentence ends after a token made of sentence-final punctuation
        is_end = np.fromiter((_SENTENCE_END.fullmatch(w) is not None for w in words), bool, len(words))[word]
        is_end = pd.Series(is_end.astype(np.int64))
        return (is_end.groupby(code, sort=False).cumsum() - is_end).to_numpy()
    s_code = np.array([code_of.get(p, -1) for p in sents["para_id"].tolist()], dtype=np.int64)
    keep = s_code >= 0
    s_code, s_start, s_num = s_code[keep], sents["start"].to_numpy()[keep], sents["sent"].to_numpy()[keep]
    if not len(s_code):
        return np.zeros(len(para), dtype=np.int64)
    by = np.lexsort((s_start, s_code))  # (stable: of two sentences starting together, the later one counts)
    s_code, s_start, s_num = s_code[by], s_start[by], s_num[by]
    # one sort key, (para_id, start): the last sentence at or before each token, then whether it is the token's
    span = int(max(s_start.max(), start.max())) + 1
    key = code * span + start
    last = np.searchsorted(s_code * span + s_start, key, side="right") - 1
    del key
    matched = last >= 0
    np.maximum(last, 0, out=last)
    matched &= s_code[last] == code
    sent = s_num[last]
    sent[~matched] = 0
    return sent


# ----------------------------------------------------------------------------------------------------------
# token lists and the analyses' input


def token_lists(
    corpus_or_token_table,
    *,
    unit: str = "paragraph",
    drop_stop: bool = True,
    drop_punct: bool = True,
    drop_num: bool = True,
    keep_boilerplate: bool = True,
    **tokens_kwargs,
) -> pd.Series:
    """Token strings per unit, filtered by the shared stop-word rules (:mod:`cppcc_nlp.resources.stopwords`).

    Parameters
    ----------
    corpus_or_token_table : Corpus or DataFrame
        A corpus (segmented with :func:`tokens`, passing ``tokens_kwargs``) or a token table from it.
    unit : {"paragraph", "sentence", "section", "document"}
        Grouping; the Series is indexed by ``para_id``, ``sent_id`` (``f"{para_id}/{sent:02d}"``),
        ``section_id`` or ``doc_id``, in text order.  Units whose tokens are all filtered give ``[]``.
    drop_stop, drop_punct, drop_num : bool, default True
        Drop function words, punctuation, numbers.
    keep_boilerplate : bool, default True
        ``False`` also drops the boilerplate verbs (坚持, 推进, 加强 …).  Lexicon entries are always kept.

    Returns
    -------
    pandas.Series of list of str, named ``tokens``.

    Examples
    --------
    >>> token_lists(tokens("坚持以习近平新时代中国特色社会主义思想为指导"), keep_boilerplate=False)  # doctest: +SKIP
    para_id
    text/p0000    [习近平新时代中国特色社会主义思想, 指导]
    Name: tokens, dtype: object
    """
    if unit not in UNITS:
        raise ParameterError(f"unit={unit!r}: choose one of {sorted(UNITS)}")
    table = corpus_or_token_table
    if not isinstance(table, pd.DataFrame) or "token" not in table.columns:
        table = tokens(table, **tokens_kwargs)
    missing = [
        c
        for c in ("doc_id", "para_id", "section_id", "sent", "token", "is_punct", "is_stop", "is_num", "in_lexicon")
        if c not in table.columns
    ]
    if missing:
        raise InputError(f"the token table lacks the columns {missing}; make it with cppcc_nlp.tokens()")
    key = UNITS[unit]
    if key == "sent_id":
        ids = table["para_id"].astype(str) + "/" + table["sent"].astype(int).map("{:02d}".format)
    else:
        ids = table[key]
    mask = np.ones(len(table), dtype=bool)
    if drop_stop:
        mask &= ~table["is_stop"].to_numpy(dtype=bool)
    if drop_punct:
        mask &= ~table["is_punct"].to_numpy(dtype=bool)
    if drop_num:
        mask &= ~table["is_num"].to_numpy(dtype=bool)
    if not keep_boilerplate:
        mask &= ~(table["token"].isin(boilerplate()).to_numpy() & ~table["in_lexicon"].to_numpy(dtype=bool))
    codes, order = pd.factorize(ids, sort=False)  # units in text order, those left with no token included
    lists = _lists_by_code(table["token"].to_numpy()[mask], codes[mask], len(order))
    return pd.Series(lists, index=pd.Index(order, name=key), name="tokens", dtype=object)


def _lists_by_code(values: np.ndarray, codes: np.ndarray, n: int) -> list:
    """``values`` gathered into ``n`` lists by their group code, each in the order of ``values`` (a stable sort
    and slices of one list, instead of a Python call per group)."""
    flat = values[np.argsort(codes, kind="stable")].tolist()
    ends = np.cumsum(np.bincount(codes, minlength=n)).tolist()
    return [flat[a:b] for a, b in zip([0, *ends[:-1]], ends)]


def as_token_table(corpus_or_tokens, *, columns=ANALYSIS_COLUMNS, what: str = "extract terms from") -> pd.DataFrame:
    """The token table of an analysis's input: a Corpus is tokenised with :func:`tokens` (cached), a DataFrame
    is checked for ``columns`` and returned as it is.

    Parameters
    ----------
    corpus_or_tokens : Corpus or DataFrame
        A corpus (see :func:`~cppcc_nlp.tokens.inputs.is_corpus`) or the token table of :func:`tokens`.
    columns : the columns the analysis reads (default :data:`ANALYSIS_COLUMNS`).
    what : what the analysis does, for the message on an empty table (``"extract terms from"``).

    Raises
    ------
    EmptyCorpusError
        The corpus has no documents, or the token table no rows.
    InputError
        Neither a corpus nor a DataFrame, or a DataFrame without ``columns``.
    """
    if is_corpus(corpus_or_tokens):
        if len(corpus_or_tokens) == 0:
            raise EmptyCorpusError("the corpus has no documents; give a folder or files holding reports")
        table = tokens(corpus_or_tokens)
    elif isinstance(corpus_or_tokens, pd.DataFrame):
        table = corpus_or_tokens
    else:
        raise InputError(
            f"expected a Corpus or the token table of cppcc_nlp.tokens(), got "
            f"{type(corpus_or_tokens).__name__}; build one with cppcc_nlp.Corpus.from_path(path)"
        )
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise InputError(
            f"the token table lacks the column(s) {', '.join(missing)}; pass the DataFrame "
            f"returned by cppcc_nlp.tokens(corpus) or the Corpus itself"
        )
    if len(table) == 0:
        raise EmptyCorpusError(f"the token table is empty: the corpus holds no text to {what}")
    return table
