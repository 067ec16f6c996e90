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

import re
import warnings
from bisect import bisect_right
from pathlib import Path

import numpy as np
import pandas as pd

from cppcc_nlp.errors import EmptyCorpusError, InputError, ParameterError
from cppcc_nlp.resources.lexicon import Lexicon, load_lexicon
from cppcc_nlp.resources.stopwords import boilerplate, is_num_text, is_punct_text, stopwords
from cppcc_nlp.tokens._parallel import fork_available, run_in_fork, segment_pieces
from cppcc_nlp.tokens._token_cache import CACHE_COLUMNS, TokenCache, default_cache_dir, text_hash
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


def _segment(pipe, texts: dict[str, str], *, n_process: int, batch_size: int) -> pd.DataFrame:
    """Segment the paragraphs ``{text_hash: text}``; rows with offsets relative to each paragraph."""
    lex = lexicon_of(pipe)
    find = pipe.get_pipe(MERGE_COMPONENT).find if MERGE_COMPONENT in pipe.pipe_names else None
    jobs = []  # (text_hash, offset of the piece in the paragraph, piece)
    for h, text in texts.items():
        for offset, piece in _chunks(text, find=find):
            if piece.strip():
                jobs.append((h, offset, piece))
    columns = {c: [] for c in CACHE_COLUMNS}
    if not jobs:
        return pd.DataFrame(columns)
    pieces = segment_pieces(pipe, [piece for _, _, piece in jobs], n_process=n_process, batch_size=batch_size)
    counters: dict[str, int] = {}
    punct: dict[str, bool] = {}
    for (h, offset, _piece), toks in zip(jobs, pieces):
        i = counters.get(h, 0)
        for text, idx, in_lexicon in toks:
            columns["text_hash"].append(h)
            columns["i"].append(i)
            columns["token"].append(text)
            columns["start"].append(offset + idx)
            columns["end"].append(offset + idx + len(text))
            flag = punct.get(text)
            if flag is None:
                flag = punct[text] = is_punct_text(text)
            columns["is_punct"].append(flag)
            columns["in_lexicon"].append(in_lexicon)
            i += 1
        counters[h] = i
    columns["lexicon_version"] = [lex.version] * len(columns["token"])
    frame = pd.DataFrame(columns)
    return frame.astype({"i": "int32", "start": "int64", "end": "int64"})


def _segment_with_new_pipeline(lex: Lexicon, texts: dict[str, str], n_process: int, batch_size: int) -> pd.DataFrame:
    """:func:`_segment` with a pipeline loaded here (in the forked child of ``tokens(isolate=True)``)."""
    return _segment(make_nlp(lexicon=lex), texts, n_process=n_process, batch_size=batch_size)


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
    texts_col = paras["text"].fillna("").astype(str)
    hashes = [text_hash(t) for t in texts_col]
    unique = {}
    for h, t in zip(hashes, texts_col):
        if h not in unique and t.strip():
            unique[h] = t

    store = None
    found = pd.DataFrame(columns=CACHE_COLUMNS)
    if cache:
        root = cache_dir or getattr(corpus, "cache_dir", None) or default_cache_dir()
        store = TokenCache(Path(root), version)
        try:
            found = store.lookup(unique, lex)
        except OSError as exc:
            warnings.warn(f"token cache at {store.folder} unreadable ({exc}); segmenting anew", stacklevel=2)
    done = set(found["text_hash"])
    todo = {h: t for h, t in unique.items() if h not in done}
    if not todo:
        fresh = pd.DataFrame(columns=CACHE_COLUMNS)
    elif nlp is None and client is None and isolate and fork_available() and not pipeline_loaded(lexicon=lex):
        fresh = run_in_fork(_segment_with_new_pipeline, lex, todo, n_process, batch_size, name="cppcc-nlp-segmenter")
    else:
        pipe = nlp if nlp is not None else make_nlp(lexicon=lex)
        if client is not None:
            from cppcc_nlp.tokens._distributed import segment

            fresh = segment(client, pipe, todo, _segment, batch_size=batch_size)
        else:
            fresh = _segment(pipe, todo, n_process=n_process, batch_size=batch_size)
    if store is not None and not fresh.empty:
        try:
            store.remember_lexicon(lex)
            store.store(fresh)
        except OSError as exc:
            warnings.warn(f"token cache at {store.folder} not writable ({exc}); results not cached", stacklevel=2)
    rows = (
        pd.concat([f for f in (found, fresh) if not f.empty], ignore_index=True)
        if (not found.empty or not fresh.empty)
        else pd.DataFrame(columns=CACHE_COLUMNS)
    )
    return _assemble(paras, sents, hashes, rows, lex, compact=compact)


#: the columns ``tokens(compact=True)`` makes categorical: one value per paragraph, repeated for each token
COMPACT_COLUMNS = ("doc_id", "para_id", "section_id", "part", *TOKEN_DOCVARS)


def _assemble(
    paras: pd.DataFrame, sents, hashes: list[str], rows: pd.DataFrame, lex: Lexicon, *, compact: bool = False
) -> pd.DataFrame:
    if rows.empty:
        return _empty_table()
    rows = rows[["text_hash", "i", "token", "start", "end", "is_punct", "in_lexicon"]].astype(
        {"i": "int32", "start": "int64", "end": "int64", "is_punct": bool, "in_lexicon": bool}
    )
    p = (
        paras[["doc_id", "para_id", "section_id", "year", "period", "part", "start"]]
        .rename(columns={"start": "para_start"})
        .reset_index(drop=True)
    )
    for col in TOKEN_DOCVARS:  # docvars of a Corpus; absent from a bare paragraph table or a string
        p[col] = paras[col].to_numpy() if col in paras.columns else None
    if compact:  # (before the merge: the repeated values never exist as one string per token)
        p = p.astype({col: "category" for col in COMPACT_COLUMNS})
    p["text_hash"] = hashes
    p["_order"] = np.arange(len(p))
    table = p.merge(rows, on="text_hash", how="inner").sort_values(["_order", "i"], kind="stable")
    table["start"] = table["start"] + table["para_start"].astype("int64")
    table["end"] = table["end"] + table["para_start"].astype("int64")
    table = table.reset_index(drop=True)
    table["sent"] = _sentence_index(table, sents)
    words = pd.Series(table["token"].unique())
    stop_words = stopwords()
    num = dict(zip(words, (is_num_text(w) for w in words)))
    in_lex = table["in_lexicon"].to_numpy()
    table["is_stop"] = table["token"].isin(stop_words).to_numpy() & ~in_lex
    table["is_num"] = table["token"].map(num).astype(bool).to_numpy() & ~in_lex
    table["is_punct"] = table["is_punct"].to_numpy() & ~in_lex
    table["year"] = table["year"].astype("Int64")
    table["period"] = table["period"].astype("Int64")
    table["sent"] = table["sent"].astype("int32")
    return table[TOKEN_COLUMNS]


def _sentence_index(table: pd.DataFrame, sents) -> np.ndarray:
    """Index of each token's sentence within its paragraph."""
    if sents is not None and len(sents) and {"para_id", "sent_id", "start"} <= set(sents.columns):
        s = sents[["para_id", "sent_id", "start"]].copy()
        s["sent"] = s["sent_id"].astype(str).str.rsplit("/", n=1).str[-1].astype("int64")
        s = s.sort_values("start", kind="stable")
        t = table[["para_id", "start"]].copy()
        if isinstance(t["para_id"].dtype, pd.CategoricalDtype):  # tokens(compact=True): match on its codes
            s["para_id"] = s["para_id"].astype(t["para_id"].dtype)
        t["_row"] = np.arange(len(t))
        t = t.sort_values("start", kind="stable")
        merged = pd.merge_asof(t, s[["para_id", "start", "sent"]], on="start", by="para_id", direction="backward")
        merged["sent"] = merged["sent"].fillna(0)
        return merged.sort_values("_row")["sent"].to_numpy().astype("int64")
    # no sentence table: a sentence ends after a token made of sentence-final punctuation
    is_end = table["token"].str.fullmatch(r"[。！？!?；;…]+").fillna(False).astype("int64")
    before = is_end.groupby(table["para_id"], sort=False).cumsum() - is_end
    return before.to_numpy()


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
