"""``target_outcomes(ind)``: the target a report set for a period beside the outcome the next report gave.

One row per (series, indicator, period).  A *series* is one organ at one level in one region (国务院 /
national / 全国), so national and provincial figures are never compared with each other; a document whose
region is unknown is a series of its own (its doc_id).

Which statements: of the named rows of :func:`~cppcc_nlp.indicators.indicators`, the first ``target`` for the
period in text order, from the report delivered in the period (or, failing that, the latest before it), and
the first ``outcome`` for the period from the report delivered after it (or, failing that, the earliest
report that gives one).

``met`` honours the target's qualifier:

* ``以上 超过 余 力争``: met when the outcome is at least the target's low end;
* ``以内 以下``: met when the outcome is at most the target's high end;
* ``左右 约`` or none: within ``tolerance`` of the target band (``5%左右`` is met by 4.5–5.5 with the default
  0.5 percentage point; for other units, ``rel_tolerance`` × the target), but only on the side the indicator's
  ``direction`` in the names file asks (a CPI target 3%左右 is a ceiling: 2.0 meets it; a jobs target
  900万人 is a floor: 1100 meets it);
* NA when either side is missing or the units differ.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from cppcc_nlp.corpus.series import row_series
from cppcc_nlp.errors import ParameterError
from cppcc_nlp.indicators.names import load_indicator_names

COLUMNS = [
    "series",
    "organ",
    "level",
    "region",
    "indicator",
    "period",
    "target_low",
    "target_high",
    "target_unit",
    "target_qualifier",
    "target_doc_id",
    "target_text",
    "outcome_value",
    "outcome_unit",
    "outcome_qualifier",
    "outcome_doc_id",
    "outcome_text",
    "met",
    "target_sentence",
    "outcome_sentence",
]
AT_LEAST = ("以上", "超过", "余", "力争")
AT_MOST = ("以内", "以下")
POINT_UNITS = ("%", "个百分点", "‰")
NEEDED = (
    "doc_id",
    "year",
    "period",
    "indicator",
    "kind",
    "low",
    "high",
    "value",
    "unit",
    "qualifier",
    "text",
    "sentence",
    "start",
)


def empty_target_outcomes() -> pd.DataFrame:
    """The result table with no rows and the right columns."""
    df = pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS})
    df["period"] = df["period"].astype("Int64")
    for c in ("target_low", "target_high", "outcome_value"):
        df[c] = df[c].astype("float64")
    df["met"] = df["met"].astype("boolean")
    return df


def is_met(low, high, qualifier, value, *, direction=None, unit="%", tolerance=0.5, rel_tolerance=0.1):
    """Whether ``value`` meets the target ``low``–``high`` with ``qualifier``; ``pd.NA`` when unknown.

    >>> is_met(5, 5, "左右", 4.6), is_met(900, 900, "以上", 859), is_met(3, 3, "左右", 2.0, direction="ceiling")
    (True, False, True)
    """
    if any(pd.isna(x) for x in (low, high, value)):
        return pd.NA
    met = _met(
        [low], [high], [value], [qualifier], [direction], [unit], tolerance=tolerance, rel_tolerance=rel_tolerance
    )
    return bool(met[0])


def _met(low, high, value, qualifier, direction, unit, *, tolerance, rel_tolerance) -> np.ndarray:
    """:func:`is_met` of many targets at once (sequences of one length, no value missing): the rules in the
    same order, on whole columns (a chain of many series has thousands of rows)."""
    low, high, value = (np.asarray(v, dtype=float) for v in (low, high, value))
    qualifier, direction, unit = (pd.Series(np.asarray(v, dtype=object)) for v in (qualifier, direction, unit))
    tol = np.where(unit.isin(POINT_UNITS), tolerance, rel_tolerance * np.abs(high))
    return np.select(
        [qualifier.isin(AT_LEAST), qualifier.isin(AT_MOST), direction == "floor", direction == "ceiling"],
        [value >= low, value <= high, value >= low - tol, value <= high + tol],
        default=(low - tol <= value) & (value <= high + tol),
    )


def target_outcomes(
    indicators: pd.DataFrame, *, names=None, tolerance: float = 0.5, rel_tolerance: float = 0.1
) -> pd.DataFrame:
    """The target set for each period beside the outcome reported for it, with ``met``.

    Parameters
    ----------
    indicators : DataFrame
        The table of :func:`~cppcc_nlp.indicators.indicators` (a subset of it is fine).
    names : path, list of paths or IndicatorNames, optional
        The names file(s) used for ``indicators`` (for each indicator's ``direction``).
    tolerance : float
        Percentage points a ``左右``/bare target may be missed by (``5%左右`` met by 4.5–5.5).
    rel_tolerance : float
        The same for units other than %, as a share of the target (0.1: 900万人左右 met from 810).

    Returns
    -------
    DataFrame
        series, organ, level, region, indicator, period, target_low, target_high, target_unit,
        target_qualifier, target_doc_id, target_text, outcome_value, outcome_unit, outcome_qualifier,
        outcome_doc_id, outcome_text, met (boolean, NA when a side is missing), target_sentence,
        outcome_sentence.  Empty, with a warning, when no period has both a target and an outcome.

    Examples
    --------
    >>> chain = cn.target_outcomes(cn.indicators(corpus))                              # doctest: +SKIP
    >>> chain.query("indicator == '国内生产总值增长'")[["period", "target_low", "outcome_value", "met"]]  # doctest: +SKIP
    """
    if not isinstance(indicators, pd.DataFrame):
        raise ParameterError(
            f"target_outcomes() takes the table of cn.indicators(corpus), got {type(indicators).__name__}"
        )
    missing = [c for c in NEEDED if c not in indicators.columns]
    if missing:
        raise ParameterError(f"target_outcomes() needs the columns of cn.indicators(); missing: {missing}")
    if tolerance < 0 or rel_tolerance < 0:
        raise ParameterError(f"tolerances must be >= 0, got {tolerance}, {rel_tolerance}")
    directions = {n.name: n.direction for n in load_indicator_names(names)}
    # (only the columns used: sorting all of them, long texts included, cost as much as the rest)
    used = [*NEEDED, *(c for c in ("organ", "level", "region", "series") if c in indicators)]
    df = indicators.loc[
        indicators["indicator"].notna() & indicators["kind"].isin(["target", "outcome"]) & indicators["period"].notna(),
        used,
    ]
    if df.empty:
        warnings.warn(
            "no named targets or outcomes in these reports: the target/outcome table is empty "
            "(give reports with plan and review parts, e.g. consecutive years of one series)",
            stacklevel=2,
        )
        return empty_target_outcomes()
    df["series"] = row_series(df)
    df["period"] = df["period"].astype("int64")
    key = ["series", "indicator", "period"]
    tg = df[df["kind"] == "target"].copy()
    tg["_rank"] = np.where(tg["year"] == tg["period"], 0, np.where(tg["year"] < tg["period"], 1, 2))
    tg["_age"] = np.where(tg["_rank"] == 1, -tg["year"], tg["year"])
    tg = tg.sort_values(["_rank", "_age", "doc_id", "start"]).drop_duplicates(key)
    oc = df[df["kind"] == "outcome"].copy()
    oc["_rank"] = np.where(oc["year"] > oc["period"], 0, 1)
    oc = oc.sort_values(["_rank", "year", "doc_id", "start"]).drop_duplicates(key)
    docvars = [c for c in ("organ", "level", "region") if c in df]
    tg = tg[key + docvars + ["low", "high", "unit", "qualifier", "doc_id", "text", "sentence"]].rename(
        columns={
            "low": "target_low",
            "high": "target_high",
            "unit": "target_unit",
            "qualifier": "target_qualifier",
            "doc_id": "target_doc_id",
            "text": "target_text",
            "sentence": "target_sentence",
        }
    )
    oc = oc[key + docvars + ["value", "unit", "qualifier", "doc_id", "text", "sentence"]].rename(
        columns={
            "value": "outcome_value",
            "unit": "outcome_unit",
            "qualifier": "outcome_qualifier",
            "doc_id": "outcome_doc_id",
            "text": "outcome_text",
            "sentence": "outcome_sentence",
        }
    )
    out = tg.merge(oc, on=key, how="outer", suffixes=("", "_o"))
    for c in docvars:
        out[c] = out[c].where(out[c].notna(), out[f"{c}_o"])
    out = out.drop(columns=[f"{c}_o" for c in docvars])
    both = out["target_low"].notna() & out["outcome_value"].notna()
    if not both.any():
        warnings.warn(
            "no period has both a target and an outcome: the target/outcome table is empty (a plan "
            "of year N is checked against the report of year N+1 of the same series; add it)",
            stacklevel=2,
        )
        return empty_target_outcomes()
    low, high, value = (out[c].to_numpy(dtype=float) for c in ("target_low", "target_high", "outcome_value"))
    # (a missing value or a unit that differs is NA; a row with a value has its unit)
    unknown = np.isnan(low) | np.isnan(high) | np.isnan(value) | (out["target_unit"] != out["outcome_unit"]).to_numpy()
    met = _met(
        low,
        high,
        value,
        out["target_qualifier"],
        out["indicator"].map(directions),
        out["target_unit"],
        tolerance=tolerance,
        rel_tolerance=rel_tolerance,
    )
    out["met"] = pd.arrays.BooleanArray(met, unknown)
    for c in COLUMNS:
        if c not in out:
            out[c] = None
    out["period"] = out["period"].astype("Int64")
    return out[COLUMNS].sort_values(["series", "indicator", "period"]).reset_index(drop=True)
