"""Units of a topic model: one row per paragraph, section or document, with its docvars and its token list.

:func:`collect_units` accepts a :class:`~cppcc_nlp.corpus.Corpus`, report paths, a token table (from
:func:`cppcc_nlp.tokens`) or a unit table (one row per unit with a ``tokens`` column of lists of str), and
leaves out the report formulae (:mod:`cppcc_nlp.resources.formulae`): matching sentences are dropped from the
token table, listed words from the token lists.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cppcc_nlp.errors import EmptyCorpusError, InputError
from cppcc_nlp.resources.formulae import Formulae
from cppcc_nlp.tokens.inputs import is_corpus

UNITS = {"paragraph": "para_id", "section": "section_id", "document": "doc_id"}
"""The units a model can cluster, and the id column of each."""

STANDARD = ["doc_id", "year", "period", "part", "section_id"]
"""Docvars every unit table carries (NA where unknown), in this order after the unit id."""

# token-level columns of the token table (ARCHITECTURE.md) that are not docvars
_TOKEN_COLUMNS = {
    "i",
    "sent",
    "token",
    "start",
    "end",
    "is_punct",
    "is_stop",
    "is_num",
    "in_lexicon",
    "sent_id",
    "lemma",
    "pos",
    "tag",
    "norm",
}
_FORMULA_COLUMNS = ["doc_id", "para_id", "sent", "text"]


@dataclass
class Units:
    """The units to cluster, aligned row by row."""

    meta: pd.DataFrame  # one row per unit, RangeIndex; id column, docvars, n_chars
    tokens: list  # list[list[str]] aligned with meta
    texts: list  # list[str | None] aligned with meta
    reference: list  # token lists for coherence (paragraphs where available)
    reference_name: str
    headings: dict = field(default_factory=dict)  # section_id -> heading
    dropped: pd.DataFrame | None = None  # formula sentences left out (doc_id, para_id, sent, text)


def formula_sentences(table: pd.DataFrame, formulae: Formulae) -> pd.DataFrame:
    """The sentences of a token table that are formulae: ``doc_id, para_id, sent, text``."""
    return _formulae_in(table, formulae)[0]


def _formulae_in(table: pd.DataFrame, formulae: Formulae) -> tuple[pd.DataFrame, np.ndarray | None]:
    """The formula sentences of a token table, and which of its rows are in one (None when there are none)."""
    if not formulae.sentences or table.empty or "sent" not in table or "para_id" not in table:
        return pd.DataFrame(columns=_FORMULA_COLUMNS), None
    keys = ["doc_id", "para_id", "sent"]
    sentence = table.groupby(keys, sort=False, observed=True).ngroup().to_numpy()  # in text order
    order = np.argsort(sentence, kind="stable")
    words = table["token"].to_numpy()[order].tolist()
    sizes = np.bincount(sentence)
    ends = np.cumsum(sizes)  # each sentence is the rows starts[i]:ends[i] of ``order``
    starts = ends - sizes
    # each sentence's text is a slice of all tokens joined once (not a join per sentence)
    offset = np.concatenate([[0], np.cumsum(np.fromiter(map(len, words), dtype=np.int64, count=len(words)))])
    joined = "".join(words)
    text = [joined[a:b] for a, b in zip(offset[starts].tolist(), offset[ends].tolist())]
    hit = np.fromiter(map(formulae.is_formula, text), dtype=bool, count=len(text))
    found = table[keys].iloc[order[starts[hit]]].reset_index(drop=True)
    found["text"] = pd.Series([t for t, h in zip(text, hit) if h], dtype="str")
    ids = [c for c in ("doc_id", "para_id") if isinstance(found[c].dtype, pd.CategoricalDtype)]
    found = found.astype({c: "str" for c in ids})  # (from tokens(compact=True): plain strings in the model file)
    return found, (hit[sentence] if hit.any() else None)


def _drop_words(lists: list, words: frozenset) -> list:
    if not words:
        return lists
    return [[t for t in toks if t not in words] for toks in lists]


def _token_lists_of(table: pd.DataFrame, unit: str, token_options: dict) -> pd.Series:
    from cppcc_nlp.tokens.table import token_lists

    return token_lists(table, unit=unit, **token_options)


def _as_lists(series: pd.Series, ids: Iterable) -> list:
    mapping = series.to_dict()
    return [list(mapping.get(i, []) or []) for i in ids]


def _add_missing(meta: pd.DataFrame, columns, numeric=("period",)) -> None:
    for col in columns:
        if col not in meta:
            meta[col] = pd.Series([pd.NA] * len(meta), dtype="Int64" if col in numeric else "object")


def _filtered_lists(table: pd.DataFrame, unit: str, ids, token_options: dict, formulae: Formulae, paragraphs: bool):
    """Formula sentences of the token table, and the token lists of the units and (when ``paragraphs``) of the
    paragraphs (a Series by para_id), without them."""
    dropped, in_formula = _formulae_in(table, formulae)
    if in_formula is not None:
        table = table[~in_formula]
    lists = _drop_words(_as_lists(_token_lists_of(table, unit, token_options), ids), formulae.words)
    if not paragraphs:
        return dropped, lists, None
    paragraphs = _token_lists_of(table, "paragraph", token_options)
    return dropped, lists, pd.Series(_drop_words(paragraphs.tolist(), formulae.words), index=paragraphs.index)


def _piece_name(unit: str, token_options: dict, formulae: Formulae) -> str:
    """The cache entry of a document's units: its name holds what they depend on beyond the document's tokens."""
    options = repr((unit, sorted(token_options.items()), formulae.sentences, sorted(formulae.words)))
    return "topic-units-" + hashlib.blake2b(options.encode(), digest_size=8).hexdigest()


def _filtered_lists_by_document(
    corpus, table, unit: str, ids: pd.Series, token_options: dict, formulae: Formulae, cache
):
    """:func:`_filtered_lists`, each document's part read from ``cache`` (doc_id → a store of bytes with
    ``data(name)`` and ``put_data(name, data)``: a DerivedCache per document); the parts of the documents it lacks
    are computed together from their rows of ``table`` and put there.  The same formula sentences and token lists
    as from the whole table, since a unit, a paragraph and a sentence lie within one document
    (tests/topics/test_units.py): after reports were added to a corpus, only theirs are computed."""
    name = _piece_name(unit, token_options, formulae)
    doc_ids = corpus.documents["doc_id"].astype(str).tolist()
    at = pd.Series(np.arange(len(ids))).groupby(ids.map(_doc_of_unit(corpus, unit)).to_numpy(), sort=False).indices
    pieces = {}
    for doc_id in doc_ids:
        data = cache[doc_id].data(name)
        pieces[doc_id] = None if data is None else json.loads(data)
    missing = [d for d, piece in pieces.items() if piece is None]
    if missing:
        pieces.update(_pieces(corpus, table, unit, ids, at, missing, token_options, formulae))
        for doc_id in missing:
            cache[doc_id].put_data(name, json.dumps(pieces[doc_id], ensure_ascii=False).encode("utf-8"))
    lists, paragraphs, found = [None] * len(ids), [] if unit != "paragraph" else None, []
    for doc_id, piece in pieces.items():
        for position, tokens in zip(at.get(doc_id, ()), piece["units"]):
            lists[position] = tokens
        if paragraphs is not None:
            paragraphs.extend(piece["paragraphs"])
        found.extend([doc_id, *row] for row in piece["formulae"])
    if not found:
        return pd.DataFrame(columns=_FORMULA_COLUMNS), lists, paragraphs
    # (the dtypes of _formulae_in's table)
    dropped = pd.DataFrame(found, columns=_FORMULA_COLUMNS).astype({"sent": table["sent"].dtype, "text": "str"})
    for column in ("doc_id", "para_id"):
        if not isinstance(table[column].dtype, pd.CategoricalDtype):
            dropped[column] = dropped[column].astype(table[column].dtype)
    return dropped, lists, paragraphs


def _pieces(corpus, table, unit: str, ids: pd.Series, at: dict, docs: list, token_options: dict, formulae: Formulae):
    """``{doc_id: part}`` of the documents ``docs``, computed together from their rows of ``table``: each part
    holds the token lists of the document's units (in the order of ``ids``), of its paragraphs (other units
    than paragraphs) and its formula sentences ``[para_id, sent, text]``."""
    empty = np.array([], dtype=np.int64)
    if len(docs) < corpus.documents["doc_id"].nunique():
        table = table[table["doc_id"].isin(docs).to_numpy()]
    positions = [at.get(d, empty) for d in docs]
    dropped, lists, paragraphs = _filtered_lists(
        table, unit, ids.iloc[np.concatenate(positions)], token_options, formulae, paragraphs=unit != "paragraph"
    )
    ends = np.cumsum([len(p) for p in positions]).tolist()
    pieces = {d: {"units": lists[a:b], "paragraphs": None, "formulae": []} for d, a, b in zip(docs, [0, *ends], ends)}
    if paragraphs is not None:
        for piece in pieces.values():
            piece["paragraphs"] = []
        doc_of = _doc_of_unit(corpus, "paragraph")
        for para_id, tokens in paragraphs.items():
            pieces[doc_of[para_id]]["paragraphs"].append(tokens)
    for doc_id, para_id, sent, text in zip(
        dropped["doc_id"].astype(str).tolist(),
        dropped["para_id"].astype(str).tolist(),
        dropped["sent"].tolist(),
        dropped["text"].tolist(),
    ):
        pieces[doc_id]["formulae"].append([para_id, sent, text])
    return pieces


def _doc_of_unit(corpus, unit: str) -> dict:
    """The doc_id of each unit id."""
    if unit == "document":
        return {d: d for d in corpus.documents["doc_id"].tolist()}
    frame = corpus.paragraphs if unit == "paragraph" else corpus.sections
    return dict(zip(frame[UNITS[unit]].tolist(), frame["doc_id"].tolist()))  # (lists: iterating a column is slow)


def _units_from_corpus(
    corpus,
    unit: str,
    token_options: dict,
    table: pd.DataFrame | None,
    formulae: Formulae,
    cache=None,
) -> Units:
    id_col = UNITS[unit]
    if table is None:
        from cppcc_nlp.tokens.table import tokens as token_table

        table = token_table(corpus)
    elif not isinstance(table, pd.DataFrame) or "token" not in table.columns:
        raise InputError("tokens= must be the token table of this corpus (cppcc_nlp.tokens(corpus))")
    else:
        unknown = set(table["doc_id"].unique()) - set(corpus.documents["doc_id"])
        if unknown:
            raise InputError(
                f"tokens= holds documents that are not in the corpus ({sorted(unknown)[0]!r} …): "
                "pass the token table made from this corpus"
            )
    if len(corpus.paragraphs) == 0:
        raise EmptyCorpusError("the corpus has no paragraphs: nothing to cluster (check the input files)")
    if unit == "paragraph":
        meta = corpus.paragraphs.copy()
        texts = meta["text"].astype(str).tolist()
        meta["n_chars"] = [len(t) for t in texts]
    elif unit == "section":
        meta = corpus.sections.copy()
        doc_text = {d.doc_id: d.text for d in corpus.docs}
        texts = [
            doc_text[d][s:e] for d, s, e in zip(meta["doc_id"].tolist(), meta["start"].tolist(), meta["end"].tolist())
        ]
        if "n_chars" not in meta:
            meta["n_chars"] = [len(t) for t in texts]
    else:
        meta = corpus.documents.copy()
        doc_text = {d.doc_id: d.text for d in corpus.docs}
        texts = [doc_text[d] for d in meta["doc_id"]]
        meta["n_chars"] = [len(t) for t in texts]
        _add_missing(meta, ("period", "section_id", "part"))
    meta = meta.drop(columns=[c for c in ("text", "path", "sha256") if c in meta]).reset_index(drop=True)
    if cache is None:
        dropped, lists, paragraphs = _filtered_lists(
            table, unit, meta[id_col], token_options, formulae, paragraphs=unit != "paragraph"
        )
        paragraphs = None if paragraphs is None else paragraphs.tolist()
    else:
        dropped, lists, paragraphs = _filtered_lists_by_document(
            corpus, table, unit, meta[id_col], token_options, formulae, cache
        )
    reference = lists if paragraphs is None else paragraphs  # (read only: the same lists serve both)
    sections = corpus.sections
    headings = dict(zip(sections["section_id"], sections["heading"])) if "heading" in sections else {}
    return Units(meta, lists, texts, reference, "paragraphs", headings, dropped)


def _units_from_token_table(table: pd.DataFrame, unit: str, token_options: dict, formulae: Formulae) -> Units:
    id_col = UNITS[unit]
    if id_col not in table:
        raise InputError(
            f"the token table has no {id_col!r} column, needed for unit={unit!r} "
            "(pass the table returned by cppcc_nlp.tokens(corpus))"
        )
    if table.empty:
        raise EmptyCorpusError("the token table is empty: nothing to cluster")
    docvars = [c for c in table.columns if c not in _TOKEN_COLUMNS and c != id_col]
    if unit == "document":
        docvars = [c for c in docvars if c not in ("para_id", "section_id", "part", "period")]
    grouped = table.groupby(id_col, sort=False)
    meta = grouped[docvars].first().reset_index() if docvars else grouped.size().reset_index()[[id_col]]
    spans = grouped.agg(_s=("start", "min"), _e=("end", "max")).reset_index(drop=True)
    meta["n_chars"] = (spans["_e"] - spans["_s"]).to_numpy()
    _add_missing(meta, ("period", "section_id", "part"))
    dropped, lists, paragraphs = _filtered_lists(
        table, unit, meta[id_col], token_options, formulae, paragraphs=unit != "paragraph" and "para_id" in table
    )
    if paragraphs is None:
        reference, name = [list(r) for r in lists], f"{unit}s"
    else:
        reference, name = paragraphs.tolist(), "paragraphs"
    return Units(meta, lists, [None] * len(meta), reference, name, dropped=dropped)


def _units_from_unit_table(table: pd.DataFrame, unit: str, formulae: Formulae) -> Units:
    id_col = UNITS[unit]
    if id_col not in table:
        raise InputError(
            f"the unit table has no {id_col!r} column, needed for unit={unit!r}; give one row per "
            f"{unit} with {id_col!r}, 'tokens' (list of str) and the docvars"
        )
    if table.empty:
        raise EmptyCorpusError("the unit table is empty: nothing to cluster")
    bad = [i for i, t in zip(table[id_col], table["tokens"]) if not isinstance(t, (list, tuple, np.ndarray))]
    if bad:
        raise InputError(
            f"unit {bad[0]!r}: the 'tokens' column must hold lists of strings, "
            f"got {type(table.loc[table[id_col] == bad[0], 'tokens'].iloc[0]).__name__}"
        )
    meta = table.drop(columns=["tokens"]).reset_index(drop=True)
    texts = meta["text"].astype(str).tolist() if "text" in meta else [None] * len(meta)
    if "n_chars" not in meta:
        meta["n_chars"] = (
            [len(t) for t in texts] if "text" in meta else [sum(len(x) for x in toks) for toks in table["tokens"]]
        )
    meta = meta.drop(columns=[c for c in ("text",) if c in meta])
    _add_missing(meta, STANDARD, numeric=("year", "period"))
    lists = _drop_words([list(t) for t in table["tokens"]], formulae.words)  # no sentences here: words only
    return Units(meta, lists, texts, lists, f"{unit}s")


#: no formulae left out (the default of collect_units)
NO_FORMULAE = Formulae()


def collect_units(
    X,
    unit: str,
    token_options: dict,
    table: pd.DataFrame | None = None,
    formulae: Formulae = NO_FORMULAE,
    cache=None,
) -> Units:
    """The units of ``X`` (a Corpus, report paths, a token table or a unit table) with formulae left out.

    ``table`` is the token table of a Corpus ``X`` when already at hand (default: ``cppcc_nlp.tokens(X)``);
    ``token_options`` are passed to :func:`cppcc_nlp.token_lists`; ``cache`` (a Corpus ``X`` only) keeps each
    document's token lists and formula sentences (:func:`_filtered_lists_by_document`).
    """
    if isinstance(X, pd.DataFrame):
        if "tokens" in X.columns:
            return _units_from_unit_table(X, unit, formulae)
        if "token" in X.columns:
            return _units_from_token_table(X, unit, token_options, formulae)
        raise InputError(
            "a DataFrame given to TopicModel must be a token table (column 'token', from "
            "cppcc_nlp.tokens) or a unit table (column 'tokens' holding lists of str); got columns "
            f"{list(X.columns)[:8]}"
        )
    if isinstance(X, (str, Path)) or (isinstance(X, (list, tuple)) and X and isinstance(X[0], (str, Path))):
        from cppcc_nlp.corpus.corpus import Corpus

        X = Corpus.from_path(X)
    if is_corpus(X):
        if len(X) == 0:
            raise EmptyCorpusError("the corpus has no documents: nothing to cluster")
        return _units_from_corpus(X, unit, token_options, table, formulae, cache)
    raise InputError(
        f"TopicModel cannot read a {type(X).__name__}: give a Corpus, report paths, a token table "
        "from cppcc_nlp.tokens, or a unit table with a 'tokens' column"
    )
