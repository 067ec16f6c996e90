"""Indicators and dictionary counts over the shared corpora, as ratios to reading the same reports.

Prints, for ``../shared/corpora`` (or a folder given as the first argument), the best of ``--repeat`` runs of:

* ``baseline``: :meth:`Corpus.from_path` (reading, layout repair, metadata, structure);
* ``indicators``: :func:`cppcc_nlp.indicators` on the corpus read once;
* ``target_outcomes``: the chain built from those indicators;
* ``dictionary_counts``: a 12-word dictionary with nested words, counted by year on the text.

    .venv/bin/python benchmarks/bench_indicators.py [FOLDER] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _timing import best_of  # noqa: E402

import cppcc_nlp as cn  # noqa: E402

WORDS = [
    "生态文明",
    "生态文明建设",
    "生态环境",
    "碳排放",
    "绿水青山",
    "高质量发展",
    "国内生产总值",
    "就业",
    "消费",
    "创新",
    "改革开放",
    "乡村振兴",
]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", default=str(ROOT.parent / "shared" / "corpora"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    base, corpus = best_of(lambda: cn.Corpus.from_path(args.folder), args.repeat)
    chars = sum(len(d.text) for d in corpus.docs)
    t_ind, ind = best_of(lambda: cn.indicators(corpus), args.repeat)
    t_chain, chain = best_of(lambda: cn.target_outcomes(ind), args.repeat)
    t_dict, _ = best_of(lambda: cn.dictionary_counts(corpus, {w: [w] for w in WORDS}, by="year"), args.repeat)
    print(f"{len(corpus)} reports, {chars:,} characters, best of {args.repeat}")
    print(f"{'step':<20}{'seconds':>9}{'chars/s':>12}{'x reading':>11}")
    for name, t in (
        ("baseline (reading)", base),
        ("indicators", t_ind),
        ("target_outcomes", t_chain),
        ("dictionary_counts", t_dict),
    ):
        print(f"{name:<20}{t:>9.2f}{chars / t:>12,.0f}{t / base:>11.2f}")
    print(
        f"{len(ind):,} quantitative statements, {ind['indicator'].notna().sum():,} named; "
        f"{len(chain)} target/outcome rows"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
