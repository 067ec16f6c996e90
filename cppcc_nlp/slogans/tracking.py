"""Slogans across years: counts and rates per year or period, the summary with trends, families, co-occurrence.

* :func:`track_slogans` — slogan × series × year (or period) counts, rates per 10,000 characters, reports.
* :func:`slogan_summary` — first, last and peak year and the trend of each slogan in each series.

Both compare within a series by default (``series="each"``: the State Council's reports with each other, not
with Shanghai's): :mod:`cppcc_nlp.corpus.series`; ``series=None`` pools every series, with a warning.
* :func:`slogan_families`, :func:`slogan_cooccurrence`.

They take the occurrences of :func:`cppcc_nlp.slogans.detection.detect_slogans` and the corpus they come from.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from cppcc_nlp.corpus.series import EACH_SERIES, choose_series
from cppcc_nlp.errors import InputError, ParameterError
from cppcc_nlp.resources.slogan_lexicon import load_slogan_lexicon
from cppcc_nlp.slogans.discovery import family_key
from cppcc_nlp.tokens.inputs import as_corpus

SUMMARY_COLUMNS = [
    "canonical",
    "series",
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


#: docvars of a series carried by the tracking table (constant within a series built from them)
SERIES_DOCVARS = ["series", "level", "region", "organ"]


def _with_series(occurrences: pd.DataFrame, corpus) -> pd.DataFrame:
    """The occurrences with the ``series`` of their document (taken from the corpus, one source of truth)."""
    series = corpus.documents.set_index("doc_id")["series"]
    return occurrences.assign(series=occurrences["doc_id"].map(series))


def _text_per_time(paras: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per (series, year or period): characters of text (newlines excluded) and reports contributing."""
    paras = paras[paras[by].notna()]
    if paras.empty:
        return pd.DataFrame(columns=["series", by, "n_chars", "n_reports"])
    paras = paras.assign(
        _chars=paras["text"].str.replace("\n", "", regex=False).str.len(), **{by: paras[by].astype("int64")}
    )
    return (
        paras.groupby(["series", by], sort=True)
        .agg(n_chars=("_chars", "sum"), n_reports=("doc_id", "nunique"))
        .reset_index()
        .astype({"n_chars": "int64", "n_reports": "int64"})
    )


def _series_docvars(corpus, series) -> pd.DataFrame:
    """level, region, organ of each series (None where a series mixes several, as ``series=None`` does)."""
    docs = choose_series(corpus.documents, series, "track_slogans", warn=False)  # track_slogans warned
    return docs.groupby("series")[SERIES_DOCVARS[1:]].agg(lambda s: s.iloc[0] if s.nunique(dropna=False) == 1 else None)


def track_slogans(
    occurrences: pd.DataFrame, corpus, *, by: str = "period", series=EACH_SERIES, min_count: int = 1
) -> pd.DataFrame:
    """Slogan × series × year table: counts, rates per 10,000 characters and the reports behind them.

    Parameters
    ----------
    occurrences : DataFrame from :func:`detect_slogans`.
    corpus : the Corpus the occurrences come from (for the characters of text per year).
    by : ``"period"`` (default: the year a section speaks about; the review of 2018 delivered in 2019 counts for
        2018) or ``"year"`` (the delivery year).
    series : ``"each"`` (default): like with like, each series (organ × level × region,
        :mod:`cppcc_nlp.corpus.series`) on its own rows, so that the State Council's 2019 and Shanghai's 2020
        never share a year axis; a series label or a list of labels: those series only; ``None``: every series
        pooled per year (``series`` reads ``"(all series)"``), with a warning, since a change between years may
        then be a change of source.
    min_count : keep slogans with at least this many occurrences (in the series kept).

    Returns
    -------
    DataFrame
        canonical, kind, in_lexicon, series, level, region, organ, <by> (``period`` or ``year``), count,
        n_chars (characters of the series' text about that year), n_reports (reports contributing that text),
        per_10k_chars; one row per slogan and per (series, year) present in the corpus, zero counts included
        (so trends see absences), sorted by canonical, series, year.  Occurrences whose period is unknown (NA)
        are left out of ``by="period"`` tables, with a warning.

    Examples
    --------
    >>> t = track_slogans(occ, corpus, by="year")                                     # doctest: +SKIP
    >>> t.query("canonical == '三个代表' and series == '国务院/national/全国'").head(2)  # doctest: +SKIP
    """
    _check_occurrences(occurrences)
    by = _check_by(by)
    corpus = as_corpus(corpus, what="detecting slogans")
    text = _text_per_time(choose_series(corpus.paragraphs, series, f"track_slogans(series={series!r})"), by)
    occ = _in_corpus(occurrences, corpus)
    if by == "period" and occ["period"].isna().any():
        warnings.warn(
            f"{int(occ['period'].isna().sum())} occurrence(s) have no period and are left out; use "
            "by='year' to count them by delivery year",
            stacklevel=2,
        )
        occ = occ[occ["period"].notna()]
    columns = ["canonical", "kind", "in_lexicon", *SERIES_DOCVARS, by, "count", "n_chars", "n_reports", "per_10k_chars"]
    occ = choose_series(_with_series(occ, corpus), series, "track_slogans", warn=False)
    if occ.empty or text.empty:
        return pd.DataFrame(columns=columns)
    totals = occ.groupby("canonical").size()
    occ = occ[occ["canonical"].isin(totals[totals >= min_count].index)]
    meta = occ.groupby("canonical").agg(kind=("kind", "first"), in_lexicon=("in_lexicon", "max"))
    counts = occ.assign(**{by: occ[by].astype("int64")}).groupby(["canonical", "series", by]).size().rename("count")
    df = pd.DataFrame({"canonical": meta.index}).merge(text, how="cross")
    df = df.merge(counts.reset_index(), on=["canonical", "series", by], how="left")
    df = df.join(meta, on="canonical").join(_series_docvars(corpus, series), on="series")
    df["count"] = df["count"].fillna(0).astype("int64")
    df["per_10k_chars"] = (df["count"] * 10_000 / df["n_chars"]).round(4)
    df["in_lexicon"] = df["in_lexicon"].astype(bool)
    return df[columns].sort_values(["canonical", "series", by], ignore_index=True)


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


def slogan_summary(
    occurrences: pd.DataFrame, corpus, *, by: str = "period", series=EACH_SERIES, lexicons=None, table=None
) -> pd.DataFrame:
    """One row per slogan and series: how often, where, first/last/peak year and trend.

    **Trend**: a least-squares line through the slogan's rate per 10,000 characters in every year of its series
    (zeros included); ``trend_change`` is the line's rise over the series' span divided by the mean rate.  Above
    +0.5 the slogan is ``rising``, below -0.5 ``fading``, else ``stable``; a slogan not used in any of the last
    three years of its series is ``stopped`` whatever its slope (菜篮子, last used in 2012, is never ``rising``
    in a series that runs to 2019).  A series of one year gives ``"one year only"`` and one of two years
    ``"too few years"`` (NaN change): a line through two points — such as the review (2024) and plan (2025)
    periods of a single report — is no trend.

    Parameters
    ----------
    occurrences : DataFrame from :func:`detect_slogans`.
    corpus : the Corpus they come from.
    by : ``"period"`` or ``"year"``, as in :func:`track_slogans`.
    series : ``"each"`` (default), a label or list of labels, or ``None`` (all pooled, warns), as in
        :func:`track_slogans`.
    lexicons : the lexicons used for detection (for ``since``), optional.
    table : ``track_slogans(occurrences, corpus, by=by, series=series)`` when already made, optional.

    Returns
    -------
    DataFrame
        canonical, series, kind, in_lexicon, since (Int64, from the lexicon), family, n, n_docs, first_year,
        last_year, peak_year (the year of the highest rate; the earliest on ties), peak_rate, trend,
        trend_change, one row per slogan and series where it is used; most frequent first.
    """
    _check_occurrences(occurrences)
    corpus = as_corpus(corpus, what="detecting slogans")
    occurrences = _in_corpus(occurrences, corpus)
    if table is None:
        table = track_slogans(occurrences, corpus, by=by, series=series)
    if table.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    lexicon = load_slogan_lexicon(lexicons)
    occ = choose_series(_with_series(occurrences, corpus), series, "slogan_summary", warn=False)
    occ = occ[occ["canonical"].isin(table["canonical"].unique())]
    stats = occ.groupby(["canonical", "series"]).agg(n=("doc_id", "size"), n_docs=("doc_id", "nunique"))
    df = _summary_rows(table, by, stats, lexicon)
    df["since"] = df["since"].astype("Int64")
    return df.sort_values(["n", "canonical", "series"], ascending=[False, True, True], ignore_index=True)


#: a computed trend change this close to a threshold (±0.5) or to a rounding boundary of its third decimal is
#: recomputed with :func:`_trend` (``np.polyfit``), so that the closed-form slope decides nothing on its own
_TREND_TIE = 1e-6


def _summary_rows(table: pd.DataFrame, by: str, stats: pd.DataFrame, lexicon) -> pd.DataFrame:
    """The rows of :func:`slogan_summary`, one per (canonical, series) group of the tracking table used at least
    once, computed over the whole table at once (no pandas work per group).

    The table is :func:`track_slogans`'s: every year of a series on its own row, sorted by canonical, series and
    year, so a group's rows run from its first year to its last.  The least-squares slope is the closed form
    Σ(x − x̄)·y / Σ(x − x̄)²; where its trend change lies within :data:`_TREND_TIE` of a decision (the ±0.5
    thresholds, the rounding to three decimals) the group is refitted with :func:`_trend`, as before.
    """
    codes = table.groupby(["canonical", "series"], sort=False).ngroup().to_numpy()
    years = table[by].to_numpy()
    step = np.diff(codes)
    if (step < 0).any() or (np.diff(years)[step == 0] <= 0).any():  # not grouped and in year order: make it so
        table = table.sort_values(["canonical", "series", by], kind="stable", ignore_index=True)
        codes = table.groupby(["canonical", "series"], sort=False).ngroup().to_numpy()
        years = table[by].to_numpy()
    n_groups = int(codes.max()) + 1
    count = table["count"].to_numpy()
    rates = table["per_10k_chars"].to_numpy(dtype=float)
    used_row = count > 0
    used = np.bincount(codes, weights=used_row, minlength=n_groups) > 0
    size = np.bincount(codes, minlength=n_groups)
    first_row = np.full(n_groups, len(table))
    np.minimum.at(first_row, codes, np.arange(len(table)))
    last_row = np.full(n_groups, -1)
    np.maximum.at(last_row, codes, np.arange(len(table)))
    # first and last year used, peak (the first row of the highest rate: the earliest year on ties)
    first_year = np.zeros(n_groups, dtype="int64")
    last_year = np.zeros(n_groups, dtype="int64")
    seen = pd.Series(years[used_row]).groupby(codes[used_row]).agg(["min", "max"])
    first_year[seen.index] = seen["min"].to_numpy()
    last_year[seen.index] = seen["max"].to_numpy()
    peak = pd.Series(rates).groupby(codes).idxmax().to_numpy()
    # trend: closed-form least squares per group
    sizef = size.astype(float)
    mean = np.bincount(codes, weights=rates, minlength=n_groups) / sizef
    x = years.astype(float)
    dx = x - (np.bincount(codes, weights=x, minlength=n_groups) / sizef)[codes]
    sxx = np.bincount(codes, weights=dx * dx, minlength=n_groups)
    sxy = np.bincount(codes, weights=dx * rates, minlength=n_groups)
    span = (years[last_row] - years[first_row]).astype(float)
    fitted = (size >= MIN_TREND_YEARS) & (mean != 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(fitted, (sxy / sxx) * span / mean, np.nan)
    change[(size >= MIN_TREND_YEARS) & (mean == 0)] = 0.0
    trend = np.select(
        [size == 1, size < MIN_TREND_YEARS, ~fitted, change > TREND_THRESHOLD, change < -TREND_THRESHOLD],
        ["one year only", "too few years", "stable", "rising", "fading"],
        "stable",
    ).astype(object)
    thousandths = np.abs(change) * 1000
    near = fitted & (
        (np.abs(np.abs(change) - TREND_THRESHOLD) < _TREND_TIE)
        | (np.abs(thousandths - np.floor(thousandths) - 0.5) < _TREND_TIE * 1000)
        | ~np.isfinite(change)
    )
    for code in np.flatnonzero(near & used):
        rows = slice(first_row[code], last_row[code] + 1)
        trend[code], change[code] = _trend(years[rows], rates[rows])
    # not used in the last MIN_TREND_YEARS years of its series: whatever its slope, it is not rising
    from_end = np.arange(len(table)) - last_row[codes]  # 0 on a group's last row, -1 before it, …
    recent = np.bincount(codes, weights=used_row & (from_end > -MIN_TREND_YEARS), minlength=n_groups) > 0
    trend[np.isin(trend, ["rising", "stable", "fading"]) & ~recent] = "stopped"

    keep = np.flatnonzero(used)
    at = first_row[keep]
    canonical, series, kind = (table[column].iloc[at].tolist() for column in ("canonical", "series", "kind"))
    about = {}  # canonical -> (since, family), looked up once per slogan
    for c, k in dict(zip(canonical, kind)).items():
        entry = lexicon.lookup(c) if c in lexicon else None
        about[c] = (entry.since if entry else None, family_key(c, k))
    counts = stats.loc[pd.MultiIndex.from_arrays([canonical, series])]
    return pd.DataFrame(
        {
            "canonical": canonical,
            "series": series,
            "kind": kind,
            "in_lexicon": table["in_lexicon"].to_numpy()[at].astype(bool),
            "since": [about[c][0] for c in canonical],
            "family": [about[c][1] for c in canonical],
            "n": counts["n"].to_numpy().astype("int64"),
            "n_docs": counts["n_docs"].to_numpy().astype("int64"),
            "first_year": first_year[keep],
            "last_year": last_year[keep],
            "peak_year": years[peak[keep]].astype("int64"),
            "peak_rate": rates[peak[keep]],
            "trend": trend[keep].tolist(),
            "trend_change": [round(v, 3) if not math.isnan(v) else v for v in change[keep].tolist()],
        },
        columns=SUMMARY_COLUMNS,
    )


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


def _pmi_npmi(n: np.ndarray, na: np.ndarray, nb: np.ndarray, n_units: int) -> tuple[np.ndarray, np.ndarray]:
    """PMI and NPMI (rounded to 6 decimals) of pairs seen together ``n`` times, computed with Python's
    ``math.log`` and ``round`` as they have always been, once per distinct (n, n_a, n_b): pairs share few."""
    counts = pd.DataFrame({"n": n, "na": na, "nb": nb})
    which = counts.groupby(["n", "na", "nb"], sort=False).ngroup().to_numpy()
    pmi, npmi = [], []
    for k, ka, kb in counts.drop_duplicates().itertuples(index=False):
        value = math.log(k * n_units / (ka * kb))
        share = k / n_units
        pmi.append(round(value, 6))
        npmi.append(round(value / -math.log(share), 6) if share < 1 else 1.0)
    return np.array(pmi, dtype=float)[which], np.array(npmi, dtype=float)[which]


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
    members = occurrences[[unit, "canonical"]].dropna(subset=[unit]).drop_duplicates()
    if corpus is not None:
        table = (
            corpus.paragraphs if unit == "para_id" else (corpus.sections if unit == "section_id" else corpus.documents)
        )
        n_units = int(table[unit].nunique())
    else:
        n_units = int(members[unit].nunique())
    single = occurrences.groupby("canonical")[unit].nunique()
    # pairs a < b in the same unit: slogans numbered in sorted order, each unit's slogans joined with each other
    codes, names = pd.factorize(members["canonical"], sort=True)
    units = pd.factorize(members[unit])[0]
    both = pd.DataFrame({"u": units, "a": codes}).merge(pd.DataFrame({"u": units, "b": codes}), on="u")
    both = both[both["a"] < both["b"]]
    pairs = both.groupby(["a", "b"], sort=False).size()
    pairs = pairs[pairs >= min_count]
    if pairs.empty:
        rows = []
    else:
        a = pairs.index.get_level_values("a").to_numpy()
        b = pairs.index.get_level_values("b").to_numpy()
        n = pairs.to_numpy().astype("int64")
        per_name = single.reindex(names).to_numpy().astype("int64")
        na, nb = per_name[a], per_name[b]
        pmi, npmi = _pmi_npmi(n, na, nb, n_units)
        rows = {
            "canonical_a": names.take(a),
            "canonical_b": names.take(b),
            "n_both": n,
            "n_a": na,
            "n_b": nb,
            "n_units": np.full(len(n), n_units, dtype="int64"),
            "pmi": pmi,
            "npmi": npmi,
        }
    df = pd.DataFrame(rows, columns=COOCCURRENCE_COLUMNS)
    return df.sort_values(
        ["n_both", "npmi", "canonical_a", "canonical_b"], ascending=[False, False, True, True], ignore_index=True
    )
