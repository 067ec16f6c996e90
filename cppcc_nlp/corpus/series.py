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

import warnings

__all__ = ["series_label", "warn_mixed_series"]


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


def warn_mixed_series(series, what: str) -> None:
    """Warn once per ``what`` that a comparison over time mixes several series (``series=None`` chosen)."""
    names = sorted({str(s) for s in series if s is not None})
    if len(names) < 2 or what in _warned:
        return
    _warned.add(what)
    warnings.warn(
        f"{what} mixes {len(names)} series on one time axis ({', '.join(names)}): differences between "
        f"years may be differences between sources; pass series=<label> to compare like with like",
        UserWarning,
        stacklevel=3,
    )
