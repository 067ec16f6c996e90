"""Tables out: one function writes a result table to a stream, one writes it to files.

The CLI's ``--format table|csv|json`` goes through :func:`emit`; the main job's files through
:func:`write_table` (``<name>.csv`` and ``<name>.parquet``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

FORMATS = ("table", "csv", "json")


def emit(df: pd.DataFrame, fmt: str = "table", stream=None) -> None:
    """Write ``df`` to ``stream`` (stdout) as an aligned table, CSV or JSON records (UTF-8, no escaping)."""
    stream = stream or sys.stdout
    if fmt == "csv":
        df.to_csv(stream, index=False)
    elif fmt == "json":
        # pandas escapes "/" as "\\/"; going through json writes ids and paths as they are (…/s01)
        records = json.loads(df.to_json(orient="records", force_ascii=False, date_format="iso"))
        json.dump(records, stream, ensure_ascii=False, indent=1)
        stream.write("\n")
    else:
        with pd.option_context("display.max_rows", None, "display.max_columns", None,
                               "display.width", 250, "display.max_colwidth", 60,
                               "display.unicode.east_asian_width", True):
            stream.write(df.to_string(index=False) if len(df) else "(no rows)")
            stream.write("\n")


def write_table(df: pd.DataFrame, folder, name: str) -> list[Path]:
    """Write ``df`` as ``<folder>/<name>.csv`` and ``<folder>/<name>.parquet``; returns the two paths.

    The CSV is written as it is (no index).  In the Parquet file, object columns holding anything but strings
    (lists, mixed values) are written as strings and column labels become strings (the per-year columns of
    ``extract_terms(by_year=True)`` are ints), so any result table can be written.

    Examples
    --------
    >>> write_table(extract_terms(corpus), "results/tables", "terms")   # doctest: +SKIP
    [PosixPath('results/tables/terms.csv'), PosixPath('results/tables/terms.parquet')]
    """
    folder = Path(folder)
    csv, parquet = folder / f"{name}.csv", folder / f"{name}.parquet"
    df.to_csv(csv, index=False)
    safe = df.copy()
    for column in safe.columns:
        if safe[column].dtype == object:
            values = safe[column].dropna()
            if not values.map(lambda v: isinstance(v, str)).all():
                safe[column] = safe[column].map(lambda v: v if v is None or isinstance(v, str) else str(v))
    safe.columns = [str(c) for c in safe.columns]
    safe.to_parquet(parquet, index=False)
    return [csv, parquet]
