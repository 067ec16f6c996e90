"""Keyness across years: which terms a target year (period, report, any subset) over- or under-uses compared
with a reference, as quanteda's ``textstat_keyness`` does, and which terms are new.

The counted units are the terms of :func:`cppcc_nlp.extract_terms` (whole multi-word terms such as
供给侧结构性改革, not single tokens), found over target and reference together.  For each term:

``g2``
    Dunning's log-likelihood G² of the 2×2 table (term / other tokens × target / reference), signed: positive
    when the term is relatively more frequent in the target.  ``p`` is its chi-squared (1 d.f.) p-value.
``log_ratio``
    Hardie's Log Ratio, the effect size: ``log2`` of the ratio of relative frequencies (0.5 added to both
    counts), so 1 means twice as frequent in the target; G² says how sure, Log Ratio how big.
``is_new``
    absent from every reference report (with the default reference, from all earlier years): the terms
    "new this year".  :func:`new_terms` lists them apart.

Examples
--------
>>> import cppcc_nlp as cn
>>> corpus = cn.Corpus.from_path("../shared/corpora/gwr-national")           # doctest: +SKIP
>>> cn.keyness(corpus, target=2016).head(3)[["term", "g2", "log_ratio"]]      # doctest: +SKIP
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd

from cppcc_nlp.errors import EmptyCorpusError, ParameterError
from cppcc_nlp.terms.ranking import scored_candidates
from cppcc_nlp.terms.termhood import log_likelihood, log_ratio
from cppcc_nlp.tokens.table import as_token_table

__all__ = ["keyness", "new_terms", "KEYNESS_COLUMNS"]

#: columns of :func:`keyness`, in order
KEYNESS_COLUMNS = ["term", "target_freq", "reference_freq", "target_per_10k", "reference_per_10k", "g2", "p",
                   "log_ratio", "direction", "is_new", "first_year", "last_year", "term_score", "target",
                   "reference"]


def _as_list(value) -> list:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return [value]
    return list(value)


def _normalise_values(values: list, column: pd.Series) -> list:
    """Match the type of the user's values to the column's (``"2016"`` → 2016 for an int column)."""
    if pd.api.types.is_numeric_dtype(column):
        out = []
        for v in values:
            try:
                out.append(int(v) if float(v) == int(float(v)) else float(v))
            except (TypeError, ValueError):
                raise ParameterError(f"{v!r} is not a number, but the column {column.name!r} holds numbers "
                                     f"(years such as 2016)") from None
        return out
    return [str(v) for v in values]


def _split(table: pd.DataFrame, target, reference, by: str):
    if by not in table.columns:
        raise ParameterError(f"by={by!r} is not a column of the token table; choose one of "
                             f"{', '.join(map(str, table.columns))}")
    column = table[by]
    present = sorted(pd.unique(column.dropna()).tolist())
    targets = _normalise_values(_as_list(target), column)
    missing = [t for t in targets if t not in set(present)]
    if missing:
        raise ParameterError(f"target {by}={', '.join(map(str, missing))} is not in the corpus; its {by} values "
                             f"are {', '.join(map(str, present))}")
    if reference is None:
        if not pd.api.types.is_numeric_dtype(column):
            refs = [v for v in present if v not in set(targets)]
            what = f"every other {by}"
        else:
            refs = [v for v in present if v < min(targets)]
            what = f"every {by} before {min(targets)}"
        if not refs:
            raise ParameterError(f"no reference for target {by}={', '.join(map(str, targets))}: the corpus has no "
                                 f"{by} before it ({by} values: {', '.join(map(str, present))}); give reference= "
                                 f"explicitly")
        label = f"{by} {refs[0]}–{refs[-1]}" if len(refs) > 1 else f"{by} {refs[0]}"
        if not pd.api.types.is_numeric_dtype(column):
            label = what
    else:
        refs = _normalise_values(_as_list(reference), column)
        absent = [r for r in refs if r not in set(present)]
        if absent:
            raise ParameterError(f"reference {by}={', '.join(map(str, absent))} is not in the corpus; its {by} "
                                 f"values are {', '.join(map(str, present))}")
        overlap = set(refs) & set(targets)
        if overlap:
            raise ParameterError(f"{by}={', '.join(map(str, sorted(overlap)))} is both target and reference; "
                                 f"give disjoint sets")
        label = f"{by} " + ", ".join(map(str, refs))
    target_label = f"{by} " + ", ".join(map(str, targets))
    return targets, refs, target_label, label


def keyness(corpus_or_tokens, *, target, reference=None, by: str = "year", min_freq: int = 2,
            top: int | None = None, correction: bool = False, **term_options) -> pd.DataFrame:
    """Terms over- and under-represented in a target (year, period, report …) against a reference.

    Parameters
    ----------
    corpus_or_tokens : a :class:`cppcc_nlp.Corpus` or the token table of :func:`cppcc_nlp.tokens`.
    target : a value, or a list of values, of the column ``by`` (``2016``; ``[2018, 2019]``;
        ``"national_2016"`` with ``by="doc_id"``).
    reference : values of ``by`` to compare with.  Default: every earlier value (earlier years or periods)
        when ``by`` is numeric, every other value otherwise.
    by : the token-table column that defines target and reference: ``"year"`` (delivery year, default),
        ``"period"`` (the year a section speaks about), ``"doc_id"``, ``"part"`` …
    min_freq : terms seen fewer times in target and reference together are left out.
    top : keep the ``top`` most over-represented and the ``top`` most under-represented terms.
    correction : Yates' continuity correction of G² (quanteda's default for 2×2 tables; off here).
    **term_options : passed to the term finder (``max_len``, ``min_pmi``, ``entropy_floor`` … of
        :func:`cppcc_nlp.extract_terms`).

    Returns
    -------
    pandas.DataFrame
        term, target_freq, reference_freq, target_per_10k, reference_per_10k, g2, p, log_ratio,
        direction (``"over"``/``"under"``), is_new, first_year, last_year, term_score (the term's
        extract_terms score over target and reference), target, reference (what was compared, in words).
        Sorted by signed G², most over-represented first, most under-represented last.

    Raises
    ------
    ParameterError
        The target (or a reference value) is not in the corpus, or there is no reference (the earliest year
        as target with the default reference).
    EmptyCorpusError
        No tokens at all.

    Examples
    --------
    >>> k = keyness(corpus, target=2016)                               # doctest: +SKIP
    >>> k.loc[k.is_new, "term"].head(3).tolist()                        # doctest: +SKIP
    ['供给侧结构性改革', ...]
    """
    from scipy.stats import chi2

    table = as_token_table(corpus_or_tokens)
    targets, refs, target_label, reference_label = _split(table, target, reference, by)
    if top is not None and (not isinstance(top, (int, np.integer)) or isinstance(top, bool) or top < 1):
        raise ParameterError(f"top={top!r}: give a positive whole number, or None for every term")
    column = table[by]
    in_target = column.isin(targets).to_numpy()
    in_reference = column.isin(refs).to_numpy()
    sub = table[in_target | in_reference]
    words = ~sub["is_punct"].to_numpy(dtype=bool)
    sub_target = in_target[in_target | in_reference]
    size_target = int((words & sub_target).sum())
    size_reference = int((words & ~sub_target).sum())
    if size_target == 0 or size_reference == 0:
        raise EmptyCorpusError(f"{target_label if size_target == 0 else reference_label} holds no words; "
                               f"nothing to compare")
    term_options.setdefault("min_freq", min_freq)
    cands = scored_candidates(sub, by=by, **term_options)
    cands = cands[cands["score"] > 0] if len(cands) else cands
    if len(cands) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in KEYNESS_COLUMNS})
    target_set, ref_set = set(targets), set(refs)
    a = np.array([sum(n for g, n in gf.items() if g in target_set) for g, gf in
                  zip(cands["term"], cands["group_freq"])], dtype=float)
    b = np.array([sum(n for g, n in gf.items() if g in ref_set) for g, gf in
                  zip(cands["term"], cands["group_freq"])], dtype=float)
    if not a.any():
        warnings.warn(f"{target_label} holds none of the terms found (only stop words, numbers or very short "
                      f"text?); every term is under-represented", stacklevel=2)
    g2 = log_likelihood(a, b, size_target - a, size_reference - b, correction=correction)
    out = pd.DataFrame({
        "term": cands["term"].to_numpy(),
        "target_freq": a.astype(int),
        "reference_freq": b.astype(int),
        "target_per_10k": a / size_target * 10_000,
        "reference_per_10k": b / size_reference * 10_000,
        "g2": g2,
        "p": chi2.sf(np.abs(g2), 1),
        "log_ratio": log_ratio(a, b, size_target, size_reference),
        "direction": np.where(g2 >= 0, "over", "under"),
        "is_new": (b == 0) & (a > 0),
        "first_year": cands["first_year"].to_numpy(),
        "last_year": cands["last_year"].to_numpy(),
        "term_score": cands["score"].to_numpy(),
        "target": target_label,
        "reference": reference_label,
    })
    out = out.sort_values(["g2", "target_freq", "term"], ascending=[False, False, True], kind="mergesort")
    if top is not None:
        over = out[out["g2"] > 0].head(top)
        under = out[out["g2"] < 0].tail(top)
        out = pd.concat([over, under])
    out = out.reset_index(drop=True)
    out.attrs.update(target_size=size_target, reference_size=size_reference)
    return out


def new_terms(corpus_or_tokens, *, target, reference=None, by: str = "year", min_freq: int = 2,
              **term_options) -> pd.DataFrame:
    """Terms used in the target and absent from every reference report ("new this year"), most used first.

    Same parameters as :func:`keyness`; ``min_freq`` applies to the target alone here.  Returns the rows of
    :func:`keyness` with ``is_new`` true, sorted by target frequency, then by how term-like they are
    (``term_score``), so that 国际产能合作 comes before a chance pair such as 项目减少.

    Examples
    --------
    >>> new_terms(corpus, target=2016).head(3)["term"].tolist()           # doctest: +SKIP
    """
    k = keyness(corpus_or_tokens, target=target, reference=reference, by=by, min_freq=min_freq, **term_options)
    k = k[k["is_new"] & (k["target_freq"] >= min_freq)]
    return k.sort_values(["target_freq", "term_score", "term"], ascending=[False, False, True],
                         kind="mergesort").reset_index(drop=True)
