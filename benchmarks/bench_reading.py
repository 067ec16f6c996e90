"""Reading + structuring throughput over the shared corpora (characters per second).

Prints, for ``../shared/corpora`` (or a folder given as the first argument):

* ``baseline``: bytes → str with ``Path.read_text`` + ``str.splitlines`` (the floor: I/O and UTF-8 decoding);
* ``read``: :func:`cppcc_nlp.io.reading.read_report` (encoding detection, hashing);
* ``read+normalise``: plus layout repair;
* ``Corpus.from_path``: the whole path (read, repair, metadata, structure, sentences), and its tables;
* ``store, cold`` / ``store, warm``: :meth:`CorpusStore.corpus` on a fresh store (parse + cache write) and again
  (cache hits), the refresh case.

Each figure is the best of ``--repeat`` runs; ratios are against the baseline measured in the same run.

    .venv/bin/python benchmarks/bench_reading.py [FOLDER] [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _timing import best_of  # noqa: E402

from cppcc_nlp import Corpus  # noqa: E402
from cppcc_nlp.corpus.store import CorpusStore  # noqa: E402
from cppcc_nlp.io.normalise import normalise  # noqa: E402
from cppcc_nlp.io.reading import read_report  # noqa: E402


def best(fn, repeat: int) -> float:
    """The shortest time of ``repeat`` calls of ``fn``, seconds."""
    return best_of(fn, repeat)[0]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", default=str(ROOT.parent / "shared" / "corpora"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    folder = Path(args.folder)
    files = sorted(folder.rglob("*.txt"))
    if not files:
        print(f"no .txt reports under {folder}", file=sys.stderr)
        return 2
    n_chars = sum(len(f.read_text(encoding="utf-8")) for f in files)
    print(f"{len(files)} files, {n_chars:,} characters, best of {args.repeat}")

    rows = []
    base = best(lambda: [f.read_text(encoding="utf-8").splitlines() for f in files], args.repeat)
    rows.append(("baseline read_text+splitlines", base))
    rows.append(("read_report", best(lambda: [read_report(f) for f in files], args.repeat)))
    rows.append(("read_report+normalise", best(lambda: [normalise(read_report(f).text) for f in files], args.repeat)))

    def corpus_all():
        c = Corpus.from_path(files, strict=True)
        c.documents, c.sections, c.paragraphs, c.sentences  # noqa: B018 - build the tables too

    rows.append(("Corpus.from_path + tables", best(corpus_all, args.repeat)))

    tmp = Path(tempfile.mkdtemp(prefix="bench_store_"))
    try:
        store = CorpusStore(tmp / "store", create=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            store.add(files)
        cold = []
        for _ in range(args.repeat):
            shutil.rmtree(store.path / "cache", ignore_errors=True)
            t = time.perf_counter()
            CorpusStore(store.path).corpus()
            cold.append(time.perf_counter() - t)
        rows.append(("store.corpus() cold cache", min(cold)))
        rows.append(("store.corpus() warm cache", best(lambda: CorpusStore(store.path).corpus(), args.repeat)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"{'step':32} {'seconds':>9} {'chars/s':>12} {'x baseline':>11}")
    for name, seconds in rows:
        print(f"{name:32} {seconds:9.3f} {n_chars / seconds:12,.0f} {seconds / base:11.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
