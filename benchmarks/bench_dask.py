"""Segmentation on one machine vs a LocalCluster of 2 worker processes (docs/scale.md).

    .venv/bin/python benchmarks/bench_dask.py [--scale 4] [--workers 2]

Corpora: ../shared/corpora (1x) and a replication of it ``--scale`` times (each copy's paragraphs carry a copy
mark, so no paragraph is a cache hit or a duplicate of another).  For each: ``tokens(corpus, cache=False)`` in
this process (1 process) and ``tokens(corpus, cache=False, client=client)`` on the cluster; the time, chars/s,
chars/s per worker, their ratio, and the peak memory (RSS) of this process and of each worker.  The cluster is
started and its workers load the model before the clock starts (the start-up is printed on its own).
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "corpora"


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def replicate(corpus, times: int):
    from cppcc_nlp.corpus.corpus import Corpus
    from cppcc_nlp.corpus.document import Document

    docs = []
    for k in range(times):
        for d in corpus.docs:
            text = (
                d.text
                if k == 0
                else "\n".join(f"{line}（第{k}稿）" if line.strip() else line for line in d.text.split("\n"))
            )
            path = Path(d.path).with_name(f"{Path(d.path).stem}-copy{k}.txt") if k else Path(d.path)
            docs.append(Document.from_text(text, path=path, manifest_row=None))
    return Corpus(docs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    import distributed

    from cppcc_nlp.corpus.corpus import Corpus
    from cppcc_nlp.tokens.pipeline import nlp
    from cppcc_nlp.tokens.table import tokens

    base = Corpus.from_path(SHARED)
    nlp()  # the model, loaded before the clock starts (as on the workers)
    started = time.perf_counter()
    cluster = distributed.LocalCluster(
        n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = distributed.Client(cluster)
    from cppcc_nlp.tokens._distributed import ensure_plugin

    ensure_plugin(client)
    startup = time.perf_counter() - started
    print(f"LocalCluster({args.workers} workers) start-up with the model loaded: {startup:.1f} s")
    rows = []
    for scale in (1, args.scale):
        corpus = base if scale == 1 else replicate(base, scale)
        chars = int(corpus.paragraphs["text"].str.len().sum())
        t0 = time.perf_counter()
        local = tokens(corpus, cache=False)
        t_local = time.perf_counter() - t0
        t0 = time.perf_counter()
        dist = tokens(corpus, cache=False, client=client)
        t_dist = time.perf_counter() - t0
        pd.testing.assert_frame_equal(dist, local)
        rows.append(
            {
                "corpus": f"shared x{scale}",
                "docs": len(corpus),
                "chars": chars,
                "local s": round(t_local, 1),
                f"dask {args.workers}w s": round(t_dist, 1),
                "speed-up": round(t_local / t_dist, 2),
                "local chars/s": round(chars / t_local),
                "chars/s per worker": round(chars / t_dist / args.workers),
            }
        )
    worker_mib = client.run(peak_mib)
    print(pd.DataFrame(rows).to_string(index=False))
    print(
        f"peak RSS: this process {peak_mib():.0f} MiB; workers "
        + ", ".join(f"{v:.0f} MiB" for v in worker_mib.values())
    )
    client.close()
    cluster.close()


if __name__ == "__main__":
    main()
