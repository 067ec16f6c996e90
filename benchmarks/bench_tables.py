"""Writing the result tables as CSV: the fast writer (``cppcc_nlp.output._csv``) against ``DataFrame.to_csv``.

    .venv/bin/python benchmarks/bench_tables.py TABLES_DIR

``TABLES_DIR`` is the ``tables/`` folder of an ``analyze`` output (its Parquet files are read back); the larger
the corpus, the larger the tables (``bench_scale.py`` leaves a 16× one in its ``--keep`` folder).  For each table
it prints the best of three times of both writers, checks that they wrote the same bytes, and the ratio of the
totals (baseline: pandas, measured in the same run).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
from _timing import best_of

from cppcc_nlp.output._csv import _fast_path_agrees, csv_bytes


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print(__doc__, file=sys.stderr)
        return 2
    print(f"fast path agrees with pandas on its probe table: {_fast_path_agrees()}")
    print(f"{'table':<26} {'rows':>8} {'cols':>5} {'pandas s':>9} {'fast s':>8} {'ratio':>6}  same bytes")
    totals = [0.0, 0.0]
    for path in sorted(Path(argv[0]).glob("*.parquet")):
        frame = pd.read_parquet(path)
        slow, expected = best_of(lambda frame=frame: frame.to_csv(index=False).encode())
        fast, written = best_of(lambda frame=frame: csv_bytes(frame))
        totals[0] += slow
        totals[1] += fast
        print(
            f"{path.stem:<26} {len(frame):>8,} {frame.shape[1]:>5} {slow:>9.3f} {fast:>8.3f} "
            f"{fast / slow:>6.2f}  {written == expected}"
        )
    print(f"{'total':<26} {'':>8} {'':>5} {totals[0]:>9.3f} {totals[1]:>8.3f} {totals[1] / totals[0]:>6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
