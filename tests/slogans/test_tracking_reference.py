"""slogan_summary and slogan_cooccurrence (computed over whole tables at once) against plain recomputations on
real text: counts and years from the occurrence table, peak and trend from the tracking table one slogan at a
time, pairs counted unit by unit."""

from __future__ import annotations

import math
import warnings
from collections import Counter
from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from cppcc_nlp.slogans import tracking
from cppcc_nlp.slogans.detection import detect_slogans
from cppcc_nlp.slogans.tracking import slogan_cooccurrence, slogan_summary, track_slogans

SLOGANS = ["改革开放", "对外开放", "三农", "一国两制", "高质量发展", "十四五"]


@pytest.fixture(scope="module")
def shared_occ(shared_corpus):
    return detect_slogans(shared_corpus)


def _series_of(occ, corpus):
    return occ.assign(series=occ["doc_id"].map(corpus.documents.set_index("doc_id")["series"]))


def _expected_trend(rows: pd.DataFrame, by: str) -> tuple[str, float]:
    """The docstring's rule, written out: a least-squares line through every year's rate of the series."""
    rows = rows.sort_values(by)
    years, rates, counts = rows[by].to_numpy(float), rows["per_10k_chars"].to_numpy(float), rows["count"].to_numpy()
    if len(years) < 3:
        return ("one year only" if len(years) == 1 else "too few years"), float("nan")
    slope = np.polyfit(years, rates, 1)[0]
    change = slope * (years[-1] - years[0]) / rates.mean()
    trend = "rising" if change > 0.5 else "fading" if change < -0.5 else "stable"
    if counts[-3:].sum() == 0:
        trend = "stopped"
    return trend, round(float(change), 3)


@pytest.mark.parametrize("by", ["period", "year"])
@pytest.mark.parametrize("series", ["each", None])
def test_summary_equals_a_plain_recomputation(shared_corpus, shared_occ, by, series):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # series=None warns; by="period" drops occurrences without a period
        summary = slogan_summary(shared_occ, shared_corpus, by=by, series=series)
        table = track_slogans(shared_occ, shared_corpus, by=by, series=series)
    occ = _series_of(shared_occ, shared_corpus)
    if series is None:
        occ = occ.assign(series="(all series)")
    checked = 0
    for canonical in SLOGANS:
        mine = occ[occ["canonical"] == canonical]
        rows = summary[summary["canonical"] == canonical].set_index("series")
        assert set(rows.index) == set(mine.loc[mine[by].notna(), "series"]), canonical
        for name, row in rows.iterrows():
            used = mine[mine["series"] == name]
            assert row["n"] == len(used) and row["n_docs"] == used["doc_id"].nunique()
            timed = used[by].dropna().astype(int)
            assert (row["first_year"], row["last_year"]) == (timed.min(), timed.max())
            years = table[(table["canonical"] == canonical) & (table["series"] == name)]
            assert years["count"].sum() == len(timed)
            top = years.sort_values(["per_10k_chars", by], ascending=[False, True]).iloc[0]
            assert (row["peak_year"], row["peak_rate"]) == (top[by], top["per_10k_chars"])
            trend, change = _expected_trend(years, by)
            assert row["trend"] == trend, (canonical, name)
            assert row["trend_change"] == change or (np.isnan(change) and np.isnan(row["trend_change"]))
            checked += 1
    assert checked >= len(SLOGANS)
    # the trend of every row, not only of the slogans above
    used = table.merge(summary[["canonical", "series"]], on=["canonical", "series"])
    expected = {key: _expected_trend(rows, by) for key, rows in used.groupby(["canonical", "series"])}
    got = summary.set_index(["canonical", "series"])
    assert got["trend"].to_dict() == {key: trend for key, (trend, _) in expected.items()}
    changes = pd.Series({key: change for key, (_, change) in expected.items()})
    pd.testing.assert_series_equal(got["trend_change"].sort_index(), changes.sort_index(), check_names=False)


def test_every_trend_change_is_the_polyfit_one(shared_corpus, shared_occ, monkeypatch):
    """The closed-form slope is refitted with np.polyfit near a decision; refitting every group changes nothing."""
    fast = slogan_summary(shared_occ, shared_corpus, by="year")
    monkeypatch.setattr(tracking, "_TREND_TIE", np.inf)
    refitted = slogan_summary(shared_occ, shared_corpus, by="year")
    pd.testing.assert_frame_equal(fast, refitted)
    assert set(fast["trend"]) >= {"rising", "fading", "stable"}


@pytest.mark.parametrize("unit", ["para_id", "doc_id"])
def test_cooccurrence_equals_counting_units_by_hand(shared_corpus, shared_occ, unit):
    co = slogan_cooccurrence(shared_occ, shared_corpus, unit=unit, min_count=2)
    units = [set(s) for _, s in shared_occ.groupby(unit)["canonical"]]
    holding = Counter(c for members in units for c in members)
    pairs = Counter(pair for members in units for pair in combinations(sorted(members), 2))
    n_units = shared_corpus.paragraphs[unit].nunique() if unit == "para_id" else len(shared_corpus.documents)
    assert set(zip(co["canonical_a"], co["canonical_b"])) == {p for p, n in pairs.items() if n >= 2}
    assert (co["n_units"] == n_units).all()
    for row in co.head(50).itertuples():
        n, na, nb = pairs[(row.canonical_a, row.canonical_b)], holding[row.canonical_a], holding[row.canonical_b]
        assert (row.n_both, row.n_a, row.n_b) == (n, na, nb)
        pmi = math.log(n * n_units / (na * nb))
        assert row.pmi == pytest.approx(pmi, abs=1e-6)
        assert row.npmi == pytest.approx(pmi / -math.log(n / n_units) if n < n_units else 1.0, abs=1e-6)
    assert slogan_cooccurrence(shared_occ, shared_corpus, unit=unit, min_count=10**6).empty
