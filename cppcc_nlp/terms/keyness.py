"""Keyness across years: which terms a target year (period, report, any subset) over- or under-uses compared
with a reference, as quanteda's ``textstat_keyness`` does, and which terms are new.

The counted units are the terms of :func:`cppcc_nlp.extract_terms` (whole multi-word terms such as
供给侧结构性改革, not single tokens), found over target and reference together.  For each term:

Target and reference are compared within one series by default (the State Council's reports with each other,
not with Shanghai's or a county's: :mod:`cppcc_nlp.corpus.series`); ``series=None`` mixes them, with a warning.

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

import difflib
import re
import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd

from cppcc_nlp.corpus.series import warn_mixed_series
from cppcc_nlp.errors import EmptyCorpusError, ParameterError
from cppcc_nlp.terms.counts import group_chars
from cppcc_nlp.terms.ranking import scored_counts
from cppcc_nlp.terms.termhood import log_likelihood, log_ratio
from cppcc_nlp.terms.variants import fold_variants
from cppcc_nlp.tokens.table import as_token_table

__all__ = ["keyness", "new_terms", "KEYNESS_COLUMNS"]

#: columns of :func:`keyness`, in order
KEYNESS_COLUMNS = [
    "term",
    "target_freq",
    "reference_freq",
    "target_per_10k_chars",
    "reference_per_10k_chars",
    "g2",
    "p",
    "log_ratio",
    "direction",
    "is_new",
    "first_year",
    "last_year",
    "term_score",
    "target",
    "reference",
]

#: the default of ``series=``: compare within the target's series
SAME_SERIES = "same"


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
                raise ParameterError(
                    f"{v!r} is not a number, but the column {column.name!r} holds numbers (years such as 2016)"
                ) from None
        return out
    return [str(v) for v in values]


def _present(column: pd.Series) -> list:
    return sorted(pd.unique(column.dropna()).tolist(), key=lambda v: (str(type(v)), v))


def _select(table: pd.DataFrame, spec, by: str, role: str) -> tuple[np.ndarray, str]:
    """The rows of ``table`` that a target/reference ``spec`` names, and the spec in words.

    ``spec``: a value or list of values of ``by``; a ``(first, last)`` tuple or a ``range`` (an inclusive range
    of ``by``); a series label; a string ``"2014-2018"``; or a dict ``{column: value(s) or range}``.
    """
    if isinstance(spec, dict):
        mask = np.ones(len(table), bool)
        words = []
        for col, value in spec.items():
            m, w = _select(table, value, col, role)
            mask &= m
            words.append(w)
        return mask, ", ".join(words)
    if by not in table.columns:
        raise ParameterError(
            f"{role}: {by!r} is not a column of the token table; choose one of {', '.join(map(str, table.columns))}"
        )
    column = table[by]
    numeric = pd.api.types.is_numeric_dtype(column)
    if (
        isinstance(spec, str)
        and by != "series"
        and "series" in table.columns
        and spec in set(pd.unique(table["series"].dropna()))
    ):
        return _select(table, spec, "series", role)
    if isinstance(spec, str) and numeric and re.fullmatch(r"\s*\d{4}\s*[-–]\s*\d{4}\s*", spec):
        first, last = (int(x) for x in re.split(r"[-–]", spec))
        spec = (first, last)
    if numeric and (isinstance(spec, range) or (isinstance(spec, tuple) and len(spec) == 2)):
        first, last = (spec.start, spec.stop - 1) if isinstance(spec, range) else _normalise_values(list(spec), column)
        mask = ((column >= first) & (column <= last)).fillna(False).to_numpy(dtype=bool)
        if not mask.any():
            raise ParameterError(
                f"{role} {by} {first}–{last}: no text in that range; its {by} values are "
                f"{', '.join(map(str, _present(column)))}"
            )
        return mask, f"{by} {first}–{last}"
    values = _normalise_values(_as_list(spec), column)
    present = set(_present(column))
    missing = [v for v in values if v not in present]
    if missing:
        close = []
        if not numeric:
            close = [c for v in missing for c in difflib.get_close_matches(str(v), list(map(str, present)), 3, 0.4)]
        hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
        raise ParameterError(
            f"{role} {by}={', '.join(map(str, missing))} is not in the corpus{hint}; its {by} "
            f"values are {', '.join(map(str, _present(column)))}"
        )
    return column.isin(values).to_numpy(dtype=bool), f"{by} " + ", ".join(map(str, values))


def _names_series(spec) -> bool:
    return isinstance(spec, dict) and "series" in spec or (isinstance(spec, str) and "/" in spec)


def _split(table: pd.DataFrame, target, reference, by: str, series):
    """Boolean masks of target and reference rows, and both in words (see :func:`keyness`)."""
    if "series" in table.columns and series not in (None, SAME_SERIES):
        keep = table["series"].isin(_as_list(series)).to_numpy(dtype=bool)
        if not keep.any():
            raise ParameterError(
                f"series={series!r} is not in the corpus; its series are "
                f"{', '.join(map(str, _present(table['series'])))}"
            )
        table = table.assign(_keep=keep)
    else:
        table = table.assign(_keep=True)
    in_target, target_label = _select(table, target, by, "target")
    in_target = in_target & table["_keep"].to_numpy(dtype=bool)
    if not in_target.any():
        raise ParameterError(f"target {target_label} holds no text in series {series!r}")
    same = np.ones(len(table), bool)
    if series == SAME_SERIES and "series" in table.columns and not _names_series(reference):
        # like with like: the reference comes from the target's own series
        own = _present(table.loc[in_target, "series"])
        if len(own) > 1:
            raise ParameterError(
                f"target {target_label} holds several series ({', '.join(map(str, own))}); "
                f"name one with series=…, or mix them with series=None"
            )
        same = (table["series"] == own[0]).fillna(False).to_numpy(dtype=bool) if own else same
        target_label += f" ({own[0]})" if own else ""
    keep = table["_keep"].to_numpy(dtype=bool) & same
    if reference is None:
        column = table[by] if by in table.columns else None
        if column is not None and pd.api.types.is_numeric_dtype(column):
            first = table.loc[in_target, by].min()
            in_reference = keep & (column < first).fillna(False).to_numpy(dtype=bool)
            refs = _present(table.loc[in_reference, by])
            reference_label = (f"{by} {refs[0]}–{refs[-1]}" if len(refs) > 1 else f"{by} {refs[0]}") if refs else ""
        else:
            in_reference = keep & ~in_target
            reference_label = f"every other {by}"
        if not in_reference.any():
            where = (
                f" in series {_present(table.loc[in_target, 'series'])[0]}"
                if same is not None and (series == SAME_SERIES and "series" in table.columns)
                else ""
            )
            raise ParameterError(
                f"no reference for target {target_label}: the corpus has no {by} before it"
                f"{where}; give reference= explicitly (a year, a range such as (2014, 2018), "
                f"a series), or series=None to compare across series"
            )
    else:
        in_reference, reference_label = _select(table, reference, by, "reference")
        in_reference = in_reference & keep
        if not in_reference.any():
            raise ParameterError(
                f"reference {reference_label} holds no text in the target's series; give "
                f"series=None to compare across series"
            )
        if (in_reference & in_target).any():
            raise ParameterError(
                f"some text is both target and reference ({target_label}; {reference_label}); give disjoint sets"
            )
    if series is None and "series" in table.columns:
        warn_mixed_series(table.loc[in_target | in_reference, "series"], "keyness(series=None)")
    return in_target, in_reference, target_label, reference_label


def keyness(
    corpus_or_tokens,
    *,
    target,
    reference=None,
    by: str = "year",
    series=SAME_SERIES,
    min_freq: int = 2,
    top: int | None = None,
    correction: bool = False,
    client=None,
    **term_options,
) -> pd.DataFrame:
    """Terms over- and under-represented in a target (year, period, report …) against a reference.

    Parameters
    ----------
    corpus_or_tokens : a :class:`cppcc_nlp.Corpus` or the token table of :func:`cppcc_nlp.tokens`.
    target : what to characterise, any of

        * a value or a list of values of the column ``by``: ``2016``; ``[2018, 2019]``; ``"national_2016"``
          with ``by="doc_id"``;
        * a ``(first, last)`` tuple, a ``range`` or a string ``"2014-2018"``: an inclusive range of ``by``;
        * a series label: ``"上海市人民政府/provincial/上海市"``;
        * a dict of docvar filters, each value as above: ``{"level": "national", "year": (2014, 2018)}``.
    reference : what to compare with, in the same forms.  Default: every earlier value (earlier years or
        periods) when ``by`` is numeric, every other value otherwise.
    by : the token-table column that plain values of target and reference refer to: ``"year"`` (delivery year,
        default), ``"period"`` (the year a section speaks about), ``"doc_id"``, ``"part"``, ``"level"`` …
    series : ``"same"`` (default): compare like with like: the target must lie in one series (organ × level ×
        region, :mod:`cppcc_nlp.corpus.series`) and the reference is taken from that series only, unless the
        reference names series itself.  A label (or list of labels): restrict both sides to those series.
        ``None``: mix every series (warns once, since differences between years may then be differences
        between sources: 阜新蒙古族自治县 tops "2024 vs earlier years" only because the county report is 2024's).
    min_freq : terms seen fewer times in target and reference together are left out.
    top : keep the ``top`` most over-represented and the ``top`` most under-represented terms.
    correction : Williams' correction of G² (the one quanteda's ``textstat_keyness`` applies to 2×2 tables
        by default, ``correction = "default"``; off here).
    client : a ``distributed.Client``: the per-document counts the cache lacks are made on its Dask cluster
        (as in :func:`cppcc_nlp.extract_terms`); the comparison reads their sum here.
    **term_options : passed to the term finder (``max_len``, ``min_pmi``, ``entropy_floor`` … of
        :func:`cppcc_nlp.extract_terms`).

    Terms written with and without an enumeration comma count as one (大众创业、万众创新 = 大众创业万众创新,
    :func:`~cppcc_nlp.terms.variants.fold_variants`).

    Returns
    -------
    pandas.DataFrame
        term, target_freq, reference_freq, target_per_10k_chars, reference_per_10k_chars (per 10,000
        characters of each side's text), g2, p, log_ratio, direction (``"over"``/``"under"``), is_new,
        first_year, last_year, term_score (the term's extract_terms score over target and reference), target,
        reference (what was compared, in words).  Sorted by signed G², most over-represented first.

    Raises
    ------
    ParameterError
        The target (or a reference value) is not in the corpus (close matches listed), the target spans
        several series with ``series="same"``, or there is no reference (the earliest year of a series as
        target with the default reference).
    EmptyCorpusError
        No tokens at all.

    Examples
    --------
    >>> k = keyness(corpus, target=2016)                     # 2016 against 2000–2015 of the same series  # doctest: +SKIP
    >>> keyness(corpus, target=2019, reference=(2014, 2018))                                     # doctest: +SKIP
    >>> keyness(corpus, target="上海市人民政府/provincial/上海市", reference="国务院/national/全国")    # doctest: +SKIP
    >>> k.loc[k.is_new, "term"].head(3).tolist()                                                # doctest: +SKIP
    ['供给侧结构性改革', ...]
    """
    # chi2.sf(x, 1) is scipy.special.chdtrc(1, x); scipy.stats alone takes 1-2 s to import
    from scipy.special import chdtrc

    if top is not None and (not isinstance(top, (int, np.integer)) or isinstance(top, bool) or top < 1):
        raise ParameterError(f"top={top!r}: give a positive whole number, or None for every term")
    table = as_token_table(corpus_or_tokens)
    in_target, in_reference, target_label, reference_label = _split(table, target, reference, by, series)
    sub = fold_variants(table[in_target | in_reference])
    side = np.where(in_target[in_target | in_reference], "target", "reference")
    side = pd.Series(side, index=table.index[in_target | in_reference]).loc[sub.index].to_numpy()
    sub = sub.assign(_side=side)
    words = ~sub["is_punct"].to_numpy(dtype=bool)
    sub_target = side == "target"
    size_target = int((words & sub_target).sum())
    size_reference = int((words & ~sub_target).sum())
    if size_target == 0 or size_reference == 0:
        raise EmptyCorpusError(
            f"{target_label if size_target == 0 else reference_label} holds no words; nothing to compare"
        )
    chars = group_chars(sub, "_side")
    term_options.setdefault("min_freq", min_freq)
    found = scored_counts(sub, by="_side", client=client, **term_options)
    cands = found.frame
    if len(cands):
        found = found.take(np.flatnonzero((cands["score"] > 0).to_numpy()))
        cands = found.frame
    if len(cands) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in KEYNESS_COLUMNS})
    # the contingency table: each term's count in the target units and in the reference units
    sides = found.group_counts.toarray()
    a = sides[:, found.groups.index("target")].astype(float) if "target" in found.groups else np.zeros(len(cands))
    b = sides[:, found.groups.index("reference")].astype(float) if "reference" in found.groups else np.zeros(len(cands))
    if not a.any():
        warnings.warn(
            f"{target_label} holds none of the terms found (only stop words, numbers or very short "
            f"text?); every term is under-represented",
            stacklevel=2,
        )
    g2 = log_likelihood(a, b, size_target - a, size_reference - b, correction=correction)
    out = pd.DataFrame(
        {
            "term": cands["term"].to_numpy(),
            "target_freq": a.astype(int),
            "reference_freq": b.astype(int),
            "target_per_10k_chars": a / max(int(chars.get("target", 0)), 1) * 10_000,
            "reference_per_10k_chars": b / max(int(chars.get("reference", 0)), 1) * 10_000,
            "g2": g2,
            "p": chdtrc(1, np.abs(g2)),
            "log_ratio": log_ratio(a, b, size_target, size_reference),
            "direction": np.where(g2 >= 0, "over", "under"),
            "is_new": (b == 0) & (a > 0),
            "first_year": cands["first_year"].to_numpy(),
            "last_year": cands["last_year"].to_numpy(),
            "term_score": cands["score"].to_numpy(),
            "target": target_label,
            "reference": reference_label,
        }
    )
    out = out.sort_values(["g2", "target_freq", "term"], ascending=[False, False, True], kind="mergesort")
    if top is not None:
        over = out[out["g2"] > 0].head(top)
        under = out[out["g2"] < 0].tail(top)
        out = pd.concat([over, under])
    out = out.reset_index(drop=True)
    out.attrs.update(target_size=size_target, reference_size=size_reference)
    return out


def new_terms(
    corpus_or_tokens, *, target, reference=None, by: str = "year", series=SAME_SERIES, min_freq: int = 2, **term_options
) -> pd.DataFrame:
    """Terms used in the target and absent from every reference report ("new this year"), most used first.

    Same parameters as :func:`keyness`; ``min_freq`` applies to the target alone here.  Returns the rows of
    :func:`keyness` with ``is_new`` true, sorted by target frequency, then by how term-like they are
    (``term_score``), so that 国际产能合作 comes before a chance pair such as 项目减少.

    Examples
    --------
    >>> new_terms(corpus, target=2016).head(3)["term"].tolist()           # doctest: +SKIP
    """
    k = keyness(
        corpus_or_tokens, target=target, reference=reference, by=by, series=series, min_freq=min_freq, **term_options
    )
    k = k[k["is_new"] & (k["target_freq"] >= min_freq)]
    return k.sort_values(
        ["target_freq", "term_score", "term"], ascending=[False, False, True], kind="mergesort"
    ).reset_index(drop=True)
