"""Slogans across years: counts and rates per year or period, the summary with trends, families, co-occurrence.

* :func:`track_slogans` — slogan × year (or period) counts and rates per 10,000 characters.
* :func:`slogan_summary` — first, last and peak year and the trend of each slogan.
* :func:`slogan_families`, :func:`slogan_cooccurrence`.

They take the occurrences of :func:`cppcc_nlp.slogans.detection.detect_slogans` and the corpus they come from.
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict

import numpy as np
import pandas as pd

from cppcc_nlp.errors import InputError, ParameterError
from cppcc_nlp.resources.slogan_lexicon import load_slogan_lexicon
from cppcc_nlp.slogans.discovery import family_key
from cppcc_nlp.tokens.inputs import as_corpus

SUMMARY_COLUMNS = [
    "canonical",
    "kind",
    "in_lexicon",
    "since",
    "family",
    "n",
    "n_docs",
    "first_year",
    "last_year",
    "peak_year",
    "peak_rate",
    "trend",
    "trend_change",
]
FAMILY_COLUMNS = ["family", "canonical", "kind", "in_lexicon", "n", "n_docs", "first_year", "last_year"]
COOCCURRENCE_COLUMNS = ["canonical_a", "canonical_b", "n_both", "n_a", "n_b", "n_units", "pmi", "npmi"]

#: a slogan's rate must change by more than this share of its mean rate across the corpus span to be
#: called rising or fading (see :func:`slogan_summary`)
TREND_THRESHOLD = 0.5


def _check_occurrences(occurrences):
    if not isinstance(occurrences, pd.DataFrame):
        raise InputError(f"expected the occurrence table of detect_slogans(), got {type(occurrences).__name__}")
    missing = [c for c in ("doc_id", "year", "period", "canonical", "kind") if c not in occurrences.columns]
    if missing:
        raise InputError(
            f"the occurrence table lacks column(s) {missing}; pass the DataFrame returned by detect_slogans()"
        )


def _check_by(by: str) -> str:
    if by not in ("period", "year"):
        raise ParameterError(
            f"by={by!r}: choose 'period' (the year a section speaks about) or 'year' (the delivery year)"
        )
    return by


def _in_corpus(occurrences: pd.DataFrame, corpus) -> pd.DataFrame:
    """The occurrences of the corpus's documents.  Others (occurrences of the whole corpus against one of its
    subsets) are left out with a warning: counted against the subset's text they would inflate its rates, and
    in co-occurrence they would be counted against the subset's paragraphs."""
    known = set(corpus.documents["doc_id"])
    inside = occurrences["doc_id"].isin(known)
    if not inside.all():
        others = sorted(set(occurrences.loc[~inside, "doc_id"]))
        warnings.warn(
            f"{int((~inside).sum())} occurrence(s) come from {len(others)} document(s) not in the corpus "
            f"({', '.join(map(str, others[:3]))}{' …' if len(others) > 3 else ''}) and are left out; "
            "pass the corpus the occurrences were detected in, or the occurrences of this corpus",
            stacklevel=3,
        )
        occurrences = occurrences[inside]
    return occurrences


def _chars_per_time(corpus, by: str) -> pd.Series:
    """Characters of text per year (delivery) or per period (sections' year), newlines excluded."""
    paras = corpus.paragraphs
    if paras.empty:
        return pd.Series(dtype="int64")
    n = paras["text"].str.replace("\n", "", regex=False).str.len()
    key = paras[by]
    out = n.groupby(key.dropna().astype("int64")).sum()
    out.index.name = by
    return out.astype("int64")


def track_slogans(occurrences: pd.DataFrame, corpus, *, by: str = "period", min_count: int = 1) -> pd.DataFrame:
    """Slogan × year table: counts and rates per 10,000 characters.

    Parameters
    ----------
    occurrences : DataFrame from :func:`detect_slogans`.
    corpus : the Corpus the occurrences come from (for the characters of text per year).
    by : ``"period"`` (default: the year a section speaks about; the review of 2018 delivered in 2019 counts for
        2018) or ``"year"`` (the delivery year).
    min_count : keep slogans with at least this many occurrences in the whole corpus.

    Returns
    -------
    DataFrame
        canonical, kind, in_lexicon, <by> (``period`` or ``year``), count, n_chars, per_10k_chars; one row per
        slogan and per year present in the corpus, zero counts included (so trends see absences), sorted by
        canonical then year.  Occurrences whose period is unknown (NA) are left out of ``by="period"`` tables,
        with a warning.

    Examples
    --------
    >>> track_slogans(occ, corpus, by="year").query("canonical == '三个代表'").head(2)   # doctest: +SKIP
    """
    _check_occurrences(occurrences)
    by = _check_by(by)
    corpus = as_corpus(corpus, what="detecting slogans")
    chars = _chars_per_time(corpus, by)
    occ = _in_corpus(occurrences, corpus)
    if by == "period" and occ["period"].isna().any():
        warnings.warn(
            f"{int(occ['period'].isna().sum())} occurrence(s) have no period and are left out; use "
            "by='year' to count them by delivery year",
            stacklevel=2,
        )
        occ = occ[occ["period"].notna()]
    columns = ["canonical", "kind", "in_lexicon", by, "count", "n_chars", "per_10k_chars"]
    if occ.empty or chars.empty:
        return pd.DataFrame(columns=columns)
    totals = occ.groupby("canonical").size()
    keep = totals[totals >= min_count].index
    occ = occ[occ["canonical"].isin(keep)]
    meta = occ.groupby("canonical").agg(kind=("kind", "first"), in_lexicon=("in_lexicon", "max"))
    counts = occ.groupby(["canonical", occ[by].astype("int64")]).size()
    grid = pd.MultiIndex.from_product([meta.index, chars.index], names=["canonical", by])
    counts = counts.reindex(grid, fill_value=0)
    df = counts.rename("count").reset_index()
    df = df.join(meta, on="canonical")
    df["n_chars"] = df[by].map(chars).astype("int64")
    df["per_10k_chars"] = (df["count"] * 10_000 / df["n_chars"]).round(4)
    df["count"] = df["count"].astype("int64")
    df["in_lexicon"] = df["in_lexicon"].astype(bool)
    return df[columns].sort_values(["canonical", by], ignore_index=True)


MIN_TREND_YEARS = 3  # a trend needs at least this many years (periods) in the corpus


def _trend(years: np.ndarray, rates: np.ndarray) -> tuple[str, float]:
    if len(years) < MIN_TREND_YEARS:
        return ("one year only" if len(years) == 1 else "too few years"), float("nan")
    mean = rates.mean()
    if mean == 0:
        return "stable", 0.0
    slope = np.polyfit(years.astype(float), rates, 1)[0]
    change = float(slope * (years[-1] - years[0]) / mean)
    if change > TREND_THRESHOLD:
        return "rising", change
    if change < -TREND_THRESHOLD:
        return "fading", change
    return "stable", change


def slogan_summary(occurrences: pd.DataFrame, corpus, *, by: str = "period", lexicons=None) -> pd.DataFrame:
    """One row per slogan: how often, where, first/last/peak year and trend.

    **Trend**: a least-squares line through the slogan's rate per 10,000 characters in every year of the corpus
    (zeros included); ``trend_change`` is the line's rise over the corpus span divided by the mean rate.  Above
    +0.5 the slogan is ``rising``, below -0.5 ``fading``, else ``stable``; a slogan not used in any of the last
    three years of the corpus is ``stopped`` whatever its slope (菜篮子, last used in 2012, is never ``rising``
    in a corpus that runs to 2025).  A corpus of one year gives
    ``"one year only"`` and one of two years ``"too few years"`` (NaN change): a line through two points — such
    as the review (2024) and plan (2025) periods of a single report — is no trend.

    Parameters
    ----------
    occurrences : DataFrame from :func:`detect_slogans`.
    corpus : the Corpus they come from.
    by : ``"period"`` or ``"year"``, as in :func:`track_slogans`.
    lexicons : the lexicons used for detection (for ``since``), optional.

    Returns
    -------
    DataFrame
        canonical, kind, in_lexicon, since (Int64, from the lexicon), family, n, n_docs, first_year, last_year,
        peak_year (the year of the highest rate; the earliest on ties), peak_rate, trend, trend_change; most
        frequent first.
    """
    _check_occurrences(occurrences)
    corpus = as_corpus(corpus, what="detecting slogans")
    occurrences = _in_corpus(occurrences, corpus)
    table = track_slogans(occurrences, corpus, by=by)
    if table.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    lexicon = load_slogan_lexicon(lexicons)
    occ = occurrences[occurrences["canonical"].isin(table["canonical"].unique())]
    stats = occ.groupby("canonical").agg(n=("doc_id", "size"), n_docs=("doc_id", "nunique"))
    rows = []
    for canonical, g in table.groupby("canonical", sort=False):
        seen = g[g["count"] > 0]
        years = g[by].to_numpy()
        rates = g["per_10k_chars"].to_numpy(dtype=float)
        trend, change = _trend(years, rates)
        recent = g.sort_values(by)["count"].to_numpy()[-MIN_TREND_YEARS:]
        if trend in ("rising", "stable", "fading") and not (recent > 0).any():
            trend = "stopped"  # not used in the last years of the corpus: whatever its slope, it is not rising
        peak = g.loc[g["per_10k_chars"].idxmax()]
        entry = lexicon.lookup(canonical) if canonical in lexicon else None
        rows.append(
            {
                "canonical": canonical,
                "kind": g["kind"].iat[0],
                "in_lexicon": bool(g["in_lexicon"].iat[0]),
                "since": entry.since if entry else None,
                "family": family_key(canonical, g["kind"].iat[0]),
                "n": int(stats.at[canonical, "n"]),
                "n_docs": int(stats.at[canonical, "n_docs"]),
                "first_year": int(seen[by].min()),
                "last_year": int(seen[by].max()),
                "peak_year": int(peak[by]),
                "peak_rate": float(peak["per_10k_chars"]),
                "trend": trend,
                "trend_change": round(change, 3) if not math.isnan(change) else change,
            }
        )
    df = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    df["since"] = df["since"].astype("Int64")
    return df.sort_values(["n", "canonical"], ascending=[False, True], ignore_index=True)


def slogan_families(occurrences: pd.DataFrame, *, min_members: int = 2) -> pd.DataFrame:
    """Slogans grouped into families that share a head, a numeral pattern or a ``+`` pattern.

    The family key (:func:`~cppcc_nlp.slogans.discovery.family_key`): ``X+`` patterns → ``X+…``; plan names →
    ``…五``; number-led forms → their numeral and measure word (``两个确立``, ``两个维护`` → ``两个…``) or their
    shape up to the second numeral (``一城一中心``, ``一城一意象`` → ``一城一…``); branded forms of four or more
    characters → their two-character head (``同心政协``, ``有为政协``, ``亲民政协`` → ``…政协``).  Standing
    formulations and series have no family.

    Returns
    -------
    DataFrame
        family, canonical, kind, in_lexicon, n, n_docs, first_year, last_year, for families with at least
        ``min_members`` distinct slogans; largest families first.
    """
    _check_occurrences(occurrences)
    if occurrences.empty:
        return pd.DataFrame(columns=FAMILY_COLUMNS)
    g = (
        occurrences.groupby("canonical")
        .agg(
            kind=("kind", "first"),
            in_lexicon=("in_lexicon", "max"),
            n=("doc_id", "size"),
            n_docs=("doc_id", "nunique"),
            first_year=("year", "min"),
            last_year=("year", "max"),
        )
        .reset_index()
    )
    g["family"] = [family_key(c, k) for c, k in zip(g["canonical"], g["kind"])]
    g = g[g["family"].notna()]
    sizes = g.groupby("family")["canonical"].transform("size")
    g = g[sizes >= min_members].assign(_size=sizes)
    g = g.sort_values(["_size", "family", "n"], ascending=[False, True, False])
    return g[FAMILY_COLUMNS].reset_index(drop=True)


def slogan_cooccurrence(
    occurrences: pd.DataFrame, corpus=None, *, unit: str = "para_id", min_count: int = 1
) -> pd.DataFrame:
    """Pairs of slogans used in the same paragraph (or section, or document), with PMI and NPMI.

    With N units (paragraphs of the corpus when ``corpus`` is given, else units holding a slogan), ``n_a`` and
    ``n_b`` units holding each slogan and ``n_both`` holding both: PMI = log(n_both·N / (n_a·n_b)) and
    NPMI = PMI / −log(n_both / N) (1 when the two always go together; 0 when independent).

    Parameters
    ----------
    occurrences : DataFrame from :func:`detect_slogans`.
    corpus : Corpus, optional (gives N).
    unit : ``"para_id"`` (default), ``"section_id"`` or ``"doc_id"``.
    min_count : keep pairs seen together in at least this many units.

    Returns
    -------
    DataFrame
        canonical_a, canonical_b (a < b), n_both, n_a, n_b, n_units, pmi, npmi; most frequent pairs first.
    """
    _check_occurrences(occurrences)
    if unit not in ("para_id", "section_id", "doc_id"):
        raise ParameterError(f"unit={unit!r}: choose 'para_id', 'section_id' or 'doc_id'")
    if corpus is not None:
        corpus = as_corpus(corpus, what="detecting slogans")
        occurrences = _in_corpus(occurrences, corpus)
    if occurrences.empty:
        return pd.DataFrame(columns=COOCCURRENCE_COLUMNS)
    sets = occurrences.groupby(unit)["canonical"].agg(lambda s: sorted(set(s)))
    if corpus is not None:
        table = (
            corpus.paragraphs if unit == "para_id" else (corpus.sections if unit == "section_id" else corpus.documents)
        )
        n_units = int(table[unit].nunique())
    else:
        n_units = len(sets)
    single = occurrences.groupby("canonical")[unit].nunique()
    pairs: dict[tuple[str, str], int] = defaultdict(int)
    for members in sets:
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                pairs[(a, b)] += 1
    rows = []
    for (a, b), n in pairs.items():
        if n < min_count:
            continue
        na, nb = int(single[a]), int(single[b])
        pmi = math.log(n * n_units / (na * nb))
        p_ab = n / n_units
        npmi = pmi / -math.log(p_ab) if p_ab < 1 else 1.0
        rows.append(
            {
                "canonical_a": a,
                "canonical_b": b,
                "n_both": n,
                "n_a": na,
                "n_b": nb,
                "n_units": n_units,
                "pmi": round(pmi, 6),
                "npmi": round(npmi, 6),
            }
        )
    df = pd.DataFrame(rows, columns=COOCCURRENCE_COLUMNS)
    return df.sort_values(
        ["n_both", "npmi", "canonical_a", "canonical_b"], ascending=[False, False, True, True], ignore_index=True
    )
