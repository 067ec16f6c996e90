"""Series: the reports that form one run over time (one organ, at one level, for one region).

A time comparison is only like with like within a series: the State Council's reports 2000–2019 are one
series, Shanghai's government reports 2020–2024 another, a county CPPCC standing committee's reports a third.
Mixing them on one year axis makes ``国内生产总值`` "drop to 0" the year Shanghai (``全市生产总值``) takes over.

The label is ``<organ>/<level>/<region>``, with a local government named after its region so that the label
reads on its own::

    国务院/national/全国
    上海市人民政府/provincial/上海市
    政协常委会/county/阜新蒙古族自治县

A manifest may set ``series`` explicitly (any label, e.g. to join a renamed organ's reports); otherwise it is
built from the docvars by :func:`series_label`.  Missing parts read ``?``.

Examples
--------
>>> series_label({"organ": "人民政府", "level": "provincial", "region": "上海市"})
'上海市人民政府/provincial/上海市'
>>> series_label({"organ": "国务院", "level": "national", "region": "全国"})
'国务院/national/全国'
"""

from __future__ import annotations

import difflib
import warnings

import pandas as pd

from cppcc_nlp.errors import ParameterError

__all__ = ["EACH_SERIES", "MIXED_SERIES", "choose_series", "row_series", "series_label", "warn_mixed_series"]

#: the default ``series=`` of views over time (slogan tracking, topic trends): each series on its own
EACH_SERIES = "each"
#: the ``series`` value of rows that pool every series (``series=None``)
MIXED_SERIES = "(all series)"


def series_label(meta: dict) -> str:
    """The series of a document from its docvars (``organ``, ``level``, ``region``; ``series`` if given)."""
    explicit = meta.get("series")
    if explicit:
        return str(explicit)
    organ, level, region = meta.get("organ"), meta.get("level"), meta.get("region")
    if organ == "人民政府" and region and region != "全国" and not str(organ).startswith(str(region)):
        organ = f"{region}{organ}"
    return "/".join(str(v) if v else "?" for v in (organ, level, region))


_warned: set[str] = set()


def warn_mixed_series(series, what: str, *, stacklevel: int = 3) -> None:
    """Warn once per ``what`` that a comparison over time mixes several series (``series=None`` chosen)."""
    names = sorted({str(s) for s in series if s is not None})
    if len(names) < 2 or what in _warned:
        return
    _warned.add(what)
    warnings.warn(
        f"{what} mixes {len(names)} series on one time axis ({', '.join(names)}): differences between "
        f"years may be differences between sources; pass series=<label> to compare like with like",
        UserWarning,
        stacklevel=stacklevel,
    )


def choose_series(table: pd.DataFrame, series, what: str, *, warn: bool = True, stacklevel: int = 4) -> pd.DataFrame:
    """The rows of ``table`` (with a ``series`` column) that a view over time compares, grouped by ``series``.

    Parameters
    ----------
    table : a table carrying the ``series`` docvar (paragraphs, occurrences, topic units …).
    series : ``"each"`` (:data:`EACH_SERIES`, the default of such views): every row, each series apart; a
        label or a list of labels: the rows of those series only; ``None``: every row pooled into one
        series named :data:`MIXED_SERIES`, with a warning (once per ``what``) when that mixes several.
    what : the view, in words, for the messages (``"track_slogans(series=None)"``).
    warn : False for a second table of the same view (the first one warned).
    stacklevel : of the warning, as in :func:`warnings.warn` (the default points at the caller's caller).

    Returns
    -------
    pandas.DataFrame
        The chosen rows; with ``series=None`` their ``series`` column reads ``"(all series)"``.

    Raises
    ------
    ParameterError
        A label that is not a series of the table (close matches listed).

    Examples
    --------
    >>> t = pd.DataFrame({"series": ["国务院/national/全国", "上海市人民政府/provincial/上海市"], "year": [2019, 2020]})
    >>> choose_series(t, "国务院/national/全国", "example")["year"].tolist()
    [2019]
    """
    if series == EACH_SERIES:
        return table
    present = sorted({str(s) for s in table["series"].dropna()})
    if series is None:
        if warn:
            warn_mixed_series(present, what, stacklevel=stacklevel)
        return table.assign(series=MIXED_SERIES)
    wanted = [series] if isinstance(series, str) else list(series)
    unknown = [str(s) for s in wanted if str(s) not in present]
    if unknown:
        close = [c for u in unknown for c in difflib.get_close_matches(u, present, 3, 0.4)]
        hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
        raise ParameterError(
            f"{what}: series {', '.join(map(repr, unknown))} is not in the corpus{hint}; its series are "
            f"{', '.join(present)}; or give series='each' (each apart) or None (all pooled)"
        )
    return table[table["series"].isin([str(s) for s in wanted])]


def row_series(table: pd.DataFrame) -> pd.Series:
    """The series of each row of a table carrying docvars, for pairing reports of one series (a plan with the
    next review): the ``series`` docvar, or the row's ``doc_id`` where the series is unknown (no ``series``
    column, or a label with a missing part, ``?``), so that two reports of unknown region are never paired.

    Examples
    --------
    >>> t = pd.DataFrame({"doc_id": ["a", "b"], "series": ["国务院/national/全国", "人民政府/?/?"]})
    >>> row_series(t).tolist()
    ['国务院/national/全国', 'b']
    """
    if "series" not in table.columns:
        labels = pd.Series([series_label(r) for r in table.to_dict("records")], index=table.index, dtype=object)
    else:
        labels = table["series"].astype(object)
    known = labels.notna() & ~labels.astype(str).str.contains("?", regex=False)
    return labels.where(known, table["doc_id"])
