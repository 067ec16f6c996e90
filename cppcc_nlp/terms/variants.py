"""Variant folding: one formulation written with and without its enumeration comma counts as one term.

Reports write the same formulation both ways: ``大众创业、万众创新`` every year 2015–2018, ``大众创业万众创新`` in
2019.  Counted as written, the 2019 form looks "new" and the 2015–2018 form "disappears".  :func:`fold_variants`
rewrites the token table before terms are counted:

* ``A 、 B`` becomes the one token ``AB`` when ``AB`` is a token elsewhere in the table (the lexicon's
  ``大众创业万众创新``); its offsets span the written text, comma included, so quotes stay true;
* otherwise the ``、`` between ``A`` and ``B`` is dropped when ``A B`` also occur side by side elsewhere, so the
  two spellings form the same token run.

The canonical form of a folded term is therefore the one **without** the comma.  Enumerations whose unpunctuated
form never occurs (``教育、医疗``) are left alone.  Slogans fold their variants through the slogan lexicon instead
(:mod:`cppcc_nlp.resources.slogan_lexicon`).

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"para_id": ["p1"] * 3 + ["p2"], "token": ["大众创业", "、", "万众创新", "大众创业万众创新"],
...                   "start": [0, 4, 5, 0], "end": [4, 5, 9, 8], "is_punct": [False, True, False, False],
...                   "is_stop": False, "is_num": False, "in_lexicon": [False, False, False, True]})
>>> fold_variants(t)[["token", "start", "end"]].values.tolist()
[['大众创业万众创新', 0, 9], ['大众创业万众创新', 0, 8]]
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

__all__ = ["fold_variants", "fold_plan", "FoldPlan", "ENUMERATION_COMMAS"]

#: the punctuation folded away between two words
ENUMERATION_COMMAS = frozenset({"、"})


class FoldPlan(NamedTuple):
    """What :func:`fold_variants` changes (:func:`fold_plan`)."""

    drop: np.ndarray  #: a boolean per row: rows dropped (the comma, and ``B`` where ``A、B`` becomes ``AB``)
    merged: np.ndarray  #: the rows of ``A`` that become ``AB`` (``B`` is two rows on)
    like: np.ndarray  #: for each, the row of the one-token form whose flags it copies
    codes: np.ndarray  #: the token column as codes into ``vocab``
    vocab: np.ndarray


def fold_variants(table: pd.DataFrame) -> pd.DataFrame:
    """The token table with ``A、B`` folded into ``AB`` where the corpus also writes ``AB`` (see the module)."""
    plan = fold_plan(table)
    if plan is None:
        return table
    drop, merged, like, codes, vocab = plan
    out = table[~drop]
    if len(merged):
        at = (np.cumsum(~drop) - 1)[merged]  # the rows of A in ``out``
        pos = out.columns.get_loc
        _set_tokens(out, at, (vocab[codes[merged]] + vocab[codes[merged + 2]]).tolist())
        out.iloc[at, pos("end")] = table["end"].to_numpy()[merged + 2]
        for col in ("is_stop", "is_num", "in_lexicon"):
            if col in out.columns:
                out.iloc[at, pos(col)] = table[col].to_numpy()[like]
    return out


def fold_plan(table: pd.DataFrame) -> FoldPlan | None:
    """What :func:`fold_variants` changes, without changing it (a :class:`FoldPlan`); None when nothing."""
    if len(table) < 3 or "token" not in table.columns:
        return None
    # tokens and paragraphs as integer codes: the string columns are never converted to Python objects
    codes, vocab = _token_codes(table)
    punct = table["is_punct"].to_numpy(dtype=bool)
    para = _value_codes(table["para_id"])  # (-1, a missing paragraph, equals none)
    n = len(codes)
    comma = np.fromiter((t in ENUMERATION_COMMAS for t in vocab), bool, len(vocab))[codes]
    middle = np.flatnonzero(comma[1:-1]) + 1
    one_para = (para[middle - 1] == para[middle + 1]) & (para[middle - 1] >= 0)
    middle = middle[~punct[middle - 1] & ~punct[middle + 1] & one_para]
    if len(middle) == 0:
        return None
    words = ~punct
    # the first row of each word, by its text: where the one-token form of a fold is found
    joined = pd.Index(vocab).get_indexer(vocab[codes[middle - 1]] + vocab[codes[middle + 1]])
    rows = np.flatnonzero(words & np.isin(codes, joined[joined >= 0]))
    found, first = np.unique(codes[rows], return_index=True)
    first_row = np.full(len(vocab), -1)
    first_row[found] = rows[first]
    one_token = np.where(joined >= 0, first_row[joined.clip(0)], -1)
    # word pairs written side by side somewhere, as one integer per pair
    together = words[:-1] & words[1:] & (para[:-1] == para[1:]) & (para[:-1] >= 0)
    width = np.int64(codes.max(initial=0)) + 1
    side_by_side = codes[:-1][together].astype(np.int64) * width + codes[1:][together]
    pair_seen = pd.Series(codes[middle - 1].astype(np.int64) * width + codes[middle + 1]).isin(side_by_side)
    drop = np.zeros(n, bool)
    merged: dict[int, int] = {}  # row of A → row of the one-token form to copy flags from
    for i, row, seen in zip(middle.tolist(), one_token.tolist(), pair_seen.to_numpy().tolist()):
        if drop[i - 1]:  # A is the B of a fold just made (A、B、C): leave the rest as written
            continue
        if row >= 0:
            merged[i - 1] = row
            drop[i] = drop[i + 1] = True
        elif seen:
            drop[i] = True
    if not merged and not drop.any():
        return None
    rows = np.fromiter(merged, int, len(merged))
    like = np.fromiter(merged.values(), int, len(merged))
    return FoldPlan(drop, rows, like, codes, vocab)


def _value_codes(column: pd.Series) -> np.ndarray:
    """An integer per row, equal where the values are (-1 where missing): a categorical's codes, else factorized."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy()
    return pd.factorize(column)[0]


def _token_codes(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The token column as a code per row and token strings (an object array): ``vocab[codes]`` are the tokens,
    made without converting each row's string (the column is Arrow-backed).  A categorical column (the count
    table's, see :func:`cppcc_nlp.terms.candidates._count_table`) gives its codes and categories as they are;
    ``vocab`` may then hold strings no row uses."""
    column = table["token"]
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        if not len(codes) or codes.min() >= 0:
            return codes.astype(np.intp), np.asarray(column.cat.categories, dtype=object)
    codes, vocab = pd.factorize(column.astype(str), use_na_sentinel=False)
    return codes, np.asarray(vocab, dtype=object)


def _set_tokens(table: pd.DataFrame, rows: np.ndarray, tokens: list) -> None:
    """``table``'s tokens at the positional ``rows`` set to ``tokens`` (in place).  A categorical token column
    gets the new strings as categories first: rewriting a few rows of an Arrow string column copies all of it
    (0.75 s for 4 M tokens), a categorical one only takes the new codes."""
    at = table.columns.get_loc("token")
    column = table["token"]
    if isinstance(column.dtype, pd.CategoricalDtype):
        new = pd.Index(tokens, dtype=object).difference(column.cat.categories)  # (distinct: a set difference)
        if len(new):
            table["token"] = column.cat.add_categories(new)
    table.iloc[rows, at] = tokens
