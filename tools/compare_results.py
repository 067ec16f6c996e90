"""Compare the tables of two ``cppcc-nlp analyze`` output folders: a refactor must not change a table.

    python tools/compare_results.py results-before results-after [--ignore-columns COL ...]

Every ``tables/*.csv`` of either folder is compared cell by cell (floats to 1e-9 relative); the script prints one
line per table (``same``, ``only in A``, or what differs) and exits 1 when any table differs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd


def compare_table(a: pd.DataFrame, b: pd.DataFrame) -> str | None:
    """None when the tables are the same, else a short description of the first difference."""
    if list(a.columns) != list(b.columns):
        return f"columns differ: {sorted(set(a.columns) ^ set(b.columns))} / order {list(a.columns)[:8]}…"
    if len(a) != len(b):
        return f"{len(a)} rows vs {len(b)} rows"
    for col in a.columns:
        x, y = a[col], b[col]
        if pd.api.types.is_float_dtype(x) and pd.api.types.is_float_dtype(y):
            same = np.isclose(x.to_numpy(), y.to_numpy(), rtol=1e-9, atol=1e-12, equal_nan=True)
        else:
            # an empty cell on both sides is the same (pandas 3 keeps it missing through astype(str))
            same = ((x.astype(str) == y.astype(str)) | (x.isna() & y.isna())).to_numpy(dtype=bool)
        if not same.all():
            i = int(np.argmin(same))
            return f"column {col!r} differs at row {i}: {x.iloc[i]!r} vs {y.iloc[i]!r} ({int((~same).sum())} rows)"
    return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument("--ignore-columns", nargs="*", default=[], help="columns left out of the comparison")
    args = parser.parse_args(argv)
    names = sorted(
        {p.name for p in (args.a / "tables").glob("*.csv")} | {p.name for p in (args.b / "tables").glob("*.csv")}
    )
    differ = 0
    for name in names:
        pa, pb = args.a / "tables" / name, args.b / "tables" / name
        if not pa.exists() or not pb.exists():
            print(f"{name}: only in {'B' if not pa.exists() else 'A'}")
            differ += 1
            continue
        a, b = pd.read_csv(pa), pd.read_csv(pb)
        a = a.drop(columns=[c for c in args.ignore_columns if c in a.columns])
        b = b.drop(columns=[c for c in args.ignore_columns if c in b.columns])
        problem = compare_table(a, b)
        print(f"{name}: {'same' if problem is None else problem} ({len(a)} rows)")
        differ += problem is not None
    print(f"{len(names) - differ} of {len(names)} tables the same")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
