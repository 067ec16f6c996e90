"""Time of the main job `analyze` on the shared corpora, cold (empty caches) and warm (second run).

    .venv/bin/python benchmarks/bench_analyze.py [--corpus ../shared/corpora]

Prints the per-step timings of both runs and the warm/cold ratio (the baseline is the cold run, measured in the
same process).  The cold run uses a fresh temporary cache folder, so nothing from earlier runs helps it; the
pkuseg model is loaded once, in the cold run.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpora"))
    args = parser.parse_args(argv)
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        print(f"skipped: {corpus} is not present", file=sys.stderr)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CPPCC_NLP_CACHE"] = str(Path(tmp) / "cache")
        from cppcc_nlp.workflow import analyze

        runs = {}
        for label in ("cold", "warm"):
            started = time.perf_counter()
            result = analyze(corpus, Path(tmp) / "out", force=True, progress=False)
            runs[label] = (time.perf_counter() - started, result.timings)
        n_chars = int(result.tables["documents"]["n_chars"].sum())
    steps = [k for k in runs["cold"][1] if k != "total"]
    print(f"analyze on {corpus} ({len(result.tables['documents'])} reports, {n_chars:,} characters)")
    print(f"{'step':<10} {'cold s':>8} {'warm s':>8}")
    for step in steps:
        print(f"{step:<10} {runs['cold'][1][step]:>8.2f} {runs['warm'][1][step]:>8.2f}")
    cold, warm = runs["cold"][0], runs["warm"][0]
    print(f"{'total':<10} {cold:>8.2f} {warm:>8.2f}")
    print(
        f"warm / cold = {warm / cold:.2f}  (cold: {n_chars / cold:,.0f} chars/s, warm: {n_chars / warm:,.0f} chars/s)"
    )
    print(f"peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
