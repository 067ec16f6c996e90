"""NPMI topic coherence measured over a reference corpus of token lists.

A topic is coherent when its top terms tend to occur together.  We use the normalised pointwise mutual
information of every pair of a topic's top terms (Bouma 2009; the ``C_NPMI`` measure of Röder, Both and
Hinneburg 2015, "Exploring the space of topic coherence measures"), averaged over the pairs:

.. math::

    \\mathrm{NPMI}(w_i, w_j) = \\frac{\\log \\frac{P(w_i, w_j)}{P(w_i) P(w_j)}}{-\\log P(w_i, w_j)}

where probabilities are the share of *co-occurrence windows* that contain the term(s).  The score runs from
-1 (never together) through 0 (independent) to 1 (always together).  A pair that never co-occurs scores
exactly -1 (the limit of the formula); a pair that occurs in every window scores 1.

Co-occurrence windows
---------------------
``window=None`` (the default used by :class:`cppcc_nlp.TopicModel`): each reference unit is one window, so
with paragraph token lists two terms co-occur when they appear in the same paragraph (boolean document
co-occurrence; units left empty by the token filters are not counted).  ``window=n`` (an int ≥ 2): sliding windows of ``n`` consecutive tokens inside each unit,
never crossing a unit boundary (Röder et al. use 10); a unit shorter than ``n`` is one window.

Counting over a large reference
-------------------------------
The reference may be given as token lists (read in full at every call) or as a :class:`ReferenceIndex` built
once over a vocabulary: the positions of the vocabulary's tokens as flat arrays, from which the windows of any
set of its terms are counted with array operations.  Both give the same integer counts, so the same NPMI; the
index is what :class:`cppcc_nlp.TopicModel` uses when it scores many fits against a large corpus (a k search on
a sample, :mod:`cppcc_nlp.topics._choose_k`).

Examples
--------
>>> paras = [["政协", "协商", "委员"], ["政协", "协商"], ["经济", "增长"], ["经济", "增长", "协商"]]
>>> round(float(npmi_pairs(["政协", "协商"], paras)["npmi"].iloc[0]), 4)
0.415
>>> topic_coherence([["政协", "协商"], ["经济", "增长"]], paras)["coherence"].round(3).tolist()
[0.415, 1.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from cppcc_nlp.errors import ParameterError

__all__ = ["ReferenceIndex", "cooccurrence", "npmi_pairs", "topic_coherence"]


def check_window(window):
    if window is None:
        return None
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 2:
        raise ParameterError(
            f"window={window!r}: give None (co-occurrence within each unit) or an int >= 2 "
            "(sliding window of that many tokens)"
        )
    return int(window)


class ReferenceIndex:
    """A reference corpus indexed once over ``vocabulary``: for each token of a vocabulary term, its term id, its
    unit (among the units with at least one token) and its position there.

    :func:`cooccurrence` (so :func:`topic_coherence` and :func:`npmi_pairs`) accepts it in place of the token
    lists and returns the same counts for terms of ``vocabulary``; a term outside it raises
    :class:`ParameterError` (its windows were not indexed).  Building it reads every token once; each count
    after that is array work over the tokens of the vocabulary (``np.isin`` and a sparse product), not a Python
    pass over the reference.
    """

    def __init__(self, reference: Sequence[Sequence[str]], vocabulary: Sequence[str]):
        self.vocabulary = {t: i for i, t in enumerate(dict.fromkeys(vocabulary))}
        lengths = np.fromiter((len(toks) for toks in reference), dtype=np.int64, count=len(reference))
        ids = np.fromiter(
            (self.vocabulary.get(t, -1) for toks in reference for t in toks), dtype=np.int64, count=int(lengths.sum())
        )
        lengths = lengths[lengths > 0]  # a unit with no token is no window
        unit = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
        position = np.arange(len(ids), dtype=np.int64) - starts
        known = ids >= 0
        self.lengths = lengths
        self.ids, self.unit, self.position = ids[known], unit[known], position[known]

    def incidence(self, terms: Sequence[str], window: int | None):
        """``(n_windows, index, matrix)``: the windows × terms presence matrix (int64, one 1 per window
        holding the term) of ``terms`` (duplicates once), as :func:`cooccurrence` builds it."""
        index: dict[str, int] = {}
        for term in terms:
            index.setdefault(term, len(index))
        outside = [t for t in index if t not in self.vocabulary]
        if outside:
            raise ParameterError(
                f"{outside[0]!r} is not in the vocabulary this ReferenceIndex was built over: build it over the "
                "terms to score, or pass the token lists"
            )
        local = np.full(len(self.vocabulary), -1, dtype=np.int64)
        local[[self.vocabulary[t] for t in index]] = np.arange(len(index))
        hit = local[self.ids] >= 0
        cols, unit, position = local[self.ids[hit]], self.unit[hit], self.position[hit]
        if window is None:
            n_windows, rows = len(self.lengths), unit
        else:
            n_here = np.maximum(self.lengths - window + 1, 1)
            offset = np.cumsum(n_here) - n_here
            # the windows holding a token at ``position``: those starting in [position - window + 1, position]
            # that exist in its unit
            first = np.maximum(position - window + 1, 0)
            last = np.minimum(position, n_here[unit] - 1)
            count = np.maximum(last - first + 1, 0)
            step = np.arange(int(count.sum()), dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
            rows = np.repeat(offset[unit] + first, count) + step
            cols = np.repeat(cols, count)
            n_windows = int(n_here.sum())
        matrix = sp.csr_matrix(
            (np.ones(len(rows), dtype=np.int64), (rows, cols)), shape=(max(n_windows, 1), len(index))
        )
        matrix.sum_duplicates()
        matrix.data[:] = 1
        return n_windows, index, matrix


def cooccurrence(
    terms: Sequence[str], reference: "Sequence[Sequence[str]] | ReferenceIndex", *, window: int | None = None
):
    """Window counts of ``terms`` in ``reference``: how many windows hold each term and each pair.

    Parameters
    ----------
    terms : the terms of interest (duplicates are counted once).
    reference : token lists (one per unit, e.g. per paragraph), in text order, or a :class:`ReferenceIndex`
        of them.
    window : None for one window per unit, or the size of a sliding window in tokens (see module notes).

    Returns
    -------
    n_windows : int
        Number of co-occurrence windows in the reference.
    index : dict[str, int]
        Position of each term in the count arrays.
    single : numpy.ndarray of int, shape (n_terms,)
        Windows containing each term.
    joint : numpy.ndarray of int, shape (n_terms, n_terms)
        Windows containing both terms (the diagonal equals ``single``).
    """
    window = check_window(window)
    if isinstance(reference, ReferenceIndex):
        n_windows, index, matrix = reference.incidence(terms, window)
        joint = (matrix.T @ matrix).toarray()
        return n_windows, index, np.diag(joint).copy(), joint
    index: dict[str, int] = {}
    for term in terms:
        index.setdefault(term, len(index))
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    n_windows = 0
    for tokens in reference:
        length = len(tokens)
        if not length:
            continue  # a unit with no token is no window
        if window is None:
            hits = sorted({index[t] for t in tokens if t in index})
            if hits:
                rows.append(np.full(len(hits), n_windows, dtype=np.int64))
                cols.append(np.asarray(hits, dtype=np.int64))
            n_windows += 1
            continue
        n_here = max(length - window + 1, 1) if length else 0
        if not n_here:
            continue
        positions = [(pos, index[t]) for pos, t in enumerate(tokens) if t in index]
        for pos, term_id in positions:
            # windows starting in [pos - window + 1, pos] that exist in this unit
            first = max(pos - window + 1, 0)
            last = min(pos, n_here - 1)
            if last < first:
                continue
            starts = np.arange(first, last + 1, dtype=np.int64)
            rows.append(n_windows + starts)
            cols.append(np.full(len(starts), term_id, dtype=np.int64))
        n_windows += n_here
    n_terms = len(index)
    if rows:
        r = np.concatenate(rows)
        c = np.concatenate(cols)
        matrix = sp.csr_matrix((np.ones(len(r), dtype=np.int64), (r, c)), shape=(max(n_windows, 1), n_terms))
        matrix.data[:] = 1  # duplicates summed by the constructor: back to presence
        matrix.sum_duplicates()
        matrix.data[:] = 1
        joint = (matrix.T @ matrix).toarray()
    else:
        joint = np.zeros((n_terms, n_terms), dtype=np.int64)
    single = np.diag(joint).copy()
    return n_windows, index, single, joint


def _npmi(joint: np.ndarray, single_i: np.ndarray, single_j: np.ndarray, n_windows: int) -> np.ndarray:
    """NPMI from window counts; -1 where the pair never co-occurs, 1 where it fills every window."""
    joint = np.asarray(joint, dtype=float)
    p_ij = joint / n_windows
    p_i = np.asarray(single_i, dtype=float) / n_windows
    p_j = np.asarray(single_j, dtype=float) / n_windows
    out = np.full(p_ij.shape, -1.0)
    full = p_ij >= 1.0
    out[full] = 1.0
    ok = (p_ij > 0) & ~full
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log(p_ij[ok] / (p_i[ok] * p_j[ok]))
        out[ok] = pmi / -np.log(p_ij[ok])
    return out


def npmi_pairs(
    terms: Sequence[str], reference: "Sequence[Sequence[str]] | ReferenceIndex", *, window: int | None = None
) -> pd.DataFrame:
    """NPMI of every pair of ``terms`` over ``reference``.

    Returns
    -------
    pandas.DataFrame
        ``term_a, term_b, n_a, n_b, n_ab, npmi`` (window counts), one row per pair in the order of ``terms``;
        ``npmi`` is NaN when either term never occurs in the reference.
    """
    terms = list(dict.fromkeys(terms))
    n_windows, index, single, joint = cooccurrence(terms, reference, window=window)
    rows = []
    for a, b in combinations(terms, 2):
        i, j = index[a], index[b]
        n_a, n_b, n_ab = int(single[i]), int(single[j]), int(joint[i, j])
        value = (
            float(_npmi(np.array([n_ab]), np.array([n_a]), np.array([n_b]), n_windows)[0])
            if n_a and n_b and n_windows
            else float("nan")
        )
        rows.append((a, b, n_a, n_b, n_ab, value))
    return pd.DataFrame(rows, columns=["term_a", "term_b", "n_a", "n_b", "n_ab", "npmi"])


def topic_coherence(
    top_terms: Sequence[Sequence[str]],
    reference: "Sequence[Sequence[str]] | ReferenceIndex",
    *,
    window: int | None = None,
    top_n: int | None = None,
) -> pd.DataFrame:
    """Mean pairwise NPMI of each topic's top terms over ``reference``.

    Parameters
    ----------
    top_terms : one list of terms per topic, best first.
    reference : token lists of the reference corpus (usually the paragraphs the model was fitted on), or a
        :class:`ReferenceIndex` of them.
    window : None (co-occurrence within a unit) or a sliding-window size in tokens.
    top_n : use only the first ``top_n`` terms of each topic (default: all given).

    Returns
    -------
    pandas.DataFrame
        ``topic_id`` (position in ``top_terms``), ``coherence`` (mean NPMI over the pairs whose terms both
        occur in the reference; NaN if none), ``n_pairs`` (pairs scored), ``n_missing`` (terms absent from the
        reference).
    """
    if top_n is not None and top_n < 2:
        raise ParameterError(f"top_n={top_n!r}: coherence needs at least 2 terms per topic")
    lists = [list(dict.fromkeys(t))[:top_n] if top_n else list(dict.fromkeys(t)) for t in top_terms]
    vocabulary = [t for terms in lists for t in terms]
    n_windows, index, single, joint = cooccurrence(vocabulary, reference, window=window)
    rows = []
    for topic_id, terms in enumerate(lists):
        present = [index[t] for t in terms if single[index[t]] > 0]
        missing = len(terms) - len(present)
        if len(present) < 2:
            rows.append((topic_id, float("nan"), 0, missing))
            continue
        ids = np.asarray(present)
        ii, jj = np.triu_indices(len(ids), k=1)
        values = _npmi(joint[ids[ii], ids[jj]], single[ids[ii]], single[ids[jj]], n_windows)
        rows.append((topic_id, float(values.mean()), len(values), missing))
    return pd.DataFrame(rows, columns=["topic_id", "coherence", "n_pairs", "n_missing"])
