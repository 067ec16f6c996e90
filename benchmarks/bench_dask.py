"""The distributed steps on one machine vs a LocalCluster of 2 worker processes, and a sizing table (issue 17).

    .venv/bin/python benchmarks/bench_dask.py [--scale 4] [--workers 2]

Corpus: the scale corpus of benchmarks/_scale_corpora.py (``--scale`` × ../shared/corpora, each copy another
region's reports with resampled sentences: no paragraph is a cache hit of another), the same as bench_scale.py.
The steps that run on a cluster (``client=``) are timed both ways, caches off or empty: reading
(``Corpus.from_path``), segmentation (``tokens(cache=False)``) and slogan detection (``detect_slogans``); the
tables are checked equal.  Local is this process, one process; the cluster's workers have loaded the pkuseg model
before the clock starts (the start-up is printed on its own), as the local pipeline has.

Printed: each step's local and cluster time and their ratio, chars/s per worker, the peak memory (RSS) of this
process and of each worker, and a sizing extrapolation for a corpus of every county, city and province report
(2 G characters) on 1, 8 and 64 workers from the measured segmentation chars/s per worker.  The extrapolation
assumes the segmentation scales linearly with workers (work is split by document) and leaves out what runs
on one machine after the reduction (ranking, keyness, topics; see docs/scale.md).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

#: the corpus of the sizing table: ~3,000 bodies × 40 years × ~15 K characters (issue 17)
TARGET_CHARS = 2e9
SIZING_WORKERS = (1, 8, 64)


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn):
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=4, help="multiple of the shared corpora (1: the corpora)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    import _scale_corpora

    if not _scale_corpora.SHARED.is_dir():
        print(f"skipped: {_scale_corpora.SHARED} is not present", file=sys.stderr)
        return 0
    import distributed

    with tempfile.TemporaryDirectory(prefix="bench_dask-") as tmp:
        os.environ["CPPCC_NLP_CACHE"] = str(Path(tmp) / "cache")  # the workers inherit it: empty caches
        folder = _scale_corpora.build(Path(tmp) / "reports", args.scale).folder
        return _run(folder, args, distributed)


def _run(folder: Path, args, distributed) -> int:
    from cppcc_nlp.corpus.corpus import Corpus
    from cppcc_nlp.slogans.detection import detect_slogans
    from cppcc_nlp.tokens._distributed import ensure_plugin
    from cppcc_nlp.tokens.pipeline import nlp
    from cppcc_nlp.tokens.table import tokens

    pipe = nlp()  # the model, loaded before the clock starts (as on the workers)
    started = time.perf_counter()
    cluster = distributed.LocalCluster(
        n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = distributed.Client(cluster)
    try:
        ensure_plugin(client)
        print(
            f"LocalCluster({args.workers} workers) start-up with the model loaded: {time.perf_counter() - started:.1f} s"
        )
        local, dist = {}, {}
        corpus, local["reading"] = _timed(lambda: Corpus.from_path(folder))
        corpus_d, dist["reading"] = _timed(lambda: Corpus.from_path(folder, client=client))
        pd.testing.assert_frame_equal(corpus_d.paragraphs, corpus.paragraphs)
        table, local["tokens"] = _timed(lambda: tokens(corpus, nlp=pipe, cache=False))
        table_d, dist["tokens"] = _timed(lambda: tokens(corpus, nlp=pipe, cache=False, client=client))
        pd.testing.assert_frame_equal(table_d, table)
        occ, local["slogans"] = _timed(lambda: detect_slogans(corpus))
        occ_d, dist["slogans"] = _timed(lambda: detect_slogans(corpus, client=client))
        pd.testing.assert_frame_equal(occ_d, occ)
        workers_mib = client.run(peak_mib)
    finally:
        client.close()
        cluster.close()

    chars = int(corpus.paragraphs["text"].str.len().sum())
    w = args.workers
    print(f"\nshared ×{args.scale}: {len(corpus.docs)} reports, {chars:,} characters; tables equal both ways\n")
    print(f"| step | local s (1 process) | LocalCluster {w} workers s | local ÷ cluster | chars/s per worker |")
    print("|---|---:|---:|---:|---:|")
    for step in ("reading", "tokens", "slogans"):
        print(
            f"| {step} | {local[step]:.1f} | {dist[step]:.1f} | {local[step] / dist[step]:.2f} | "
            f"{chars / dist[step] / w:,.0f} |"
        )
    total_l, total_d = sum(local.values()), sum(dist.values())
    print(f"| **total** | {total_l:.1f} | {total_d:.1f} | {total_l / total_d:.2f} | {chars / total_d / w:,.0f} |")
    worker_peak = max(workers_mib.values())
    print(
        f"\npeak RSS: this process {peak_mib():,.0f} MiB; workers "
        + ", ".join(f"{v:,.0f} MiB" for v in workers_mib.values())
    )

    per_worker = chars / dist["tokens"] / w  # segmentation, the step that dominates
    print(f"\nSizing, {TARGET_CHARS / 1e9:.0f} G characters, from {per_worker:,.0f} chars/s per worker (tokens):\n")
    print("| workers | segmentation hours | memory of the workers GB |")
    print("|---:|---:|---:|")
    for n in SIZING_WORKERS:
        hours = TARGET_CHARS / (per_worker * n) / 3600
        print(f"| {n} | {hours:,.1f} | {n * worker_peak / 1024:,.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
