"""Tables out: one function writes a result table to a stream or a file, in every supported format.

The CLI's ``--format table|csv|json`` goes through :func:`emit`; the main job's files through
:func:`write_table`.
"""

from __future__ import annotations

import json
import sys

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
