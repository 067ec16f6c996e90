"""Benchmark: slogan detection and discovery against segmentation of the same text.

Usage::

    .venv/bin/python benchmarks/bench_slogans.py [CORPUS_DIR] [--repeat 3] [--segment-chars N]

Prints, for the corpus (default ../shared/corpora):

* the characters of paragraph text;
* ``detect_slogans`` (lexicon + quoted discovery + unquoted recurrence) and ``discovery only``
  (``slogan_candidates``), best of ``--repeat`` runs;
* the baseline: segmenting the same paragraphs with the token pipeline (``cppcc_nlp.nlp()``, pkuseg + domain
  lexicon merge) in one process, no token cache, measured once in the same run (``--segment-chars`` segments
  only the first N characters and scales the time up linearly, for a quick run);
* the ratios detection / segmentation and discovery / segmentation.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from _timing import best_of

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpora"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--segment-chars", type=int, default=0, help="segment only this many characters and scale up (0: all)"
    )
    args = parser.parse_args(argv)

    from cppcc_nlp import Corpus
    from cppcc_nlp.resources.slogan_lexicon import load_slogan_lexicon
    from cppcc_nlp.slogans.detection import detect_slogans, slogan_candidates

    t0 = time.perf_counter()
    corpus = Corpus.from_path(args.corpus)
    t_load = time.perf_counter() - t0
    texts = corpus.paragraphs["text"].tolist()
    n_chars = sum(len(t) for t in texts)
    lexicon = load_slogan_lexicon()
    print(
        f"corpus: {args.corpus}: {len(corpus)} documents, {len(texts)} paragraphs, {n_chars:,} characters "
        f"(read in {t_load:.2f} s)"
    )

    t_detect, occ = best_of(lambda: detect_slogans(corpus, lexicons=lexicon), args.repeat)
    t_discover, cands = best_of(lambda: slogan_candidates(corpus, lexicons=lexicon), args.repeat)
    t_lexicon, occ_lex = best_of(lambda: detect_slogans(corpus, lexicons=lexicon, discover=False), args.repeat)
    print(
        f"detect_slogans (lexicon + discovery): {t_detect:.3f} s  ({len(occ):,} occurrences, "
        f"{n_chars / t_detect / 1e6:.2f} M chars/s)"
    )
    print(f"  lexicon only:                       {t_lexicon:.3f} s  ({len(occ_lex):,} occurrences)")
    print(
        f"  discovery only (slogan_candidates): {t_discover:.3f} s  ({len(cands):,} candidates, "
        f"{int((cands['decision'] != 'rejected').sum())} accepted)"
    )

    from cppcc_nlp.tokens.pipeline import nlp as make_nlp

    t0 = time.perf_counter()
    nlp = make_nlp()
    t_model = time.perf_counter() - t0
    seg_texts, seg_chars = texts, n_chars
    if args.segment_chars:
        seg_texts, seg_chars = [], 0
        for t in texts:
            if seg_chars >= args.segment_chars:
                break
            seg_texts.append(t)
            seg_chars += len(t)
    t0 = time.perf_counter()
    n_tokens = sum(len(doc) for doc in nlp.pipe(seg_texts, batch_size=64))
    t_seg = (time.perf_counter() - t0) * (n_chars / seg_chars)
    scaled = " (scaled from {:,} chars)".format(seg_chars) if seg_chars < n_chars else ""
    print(
        f"baseline: segmentation with cppcc_nlp.nlp() (pkuseg + lexicon merge), model load {t_model:.2f} s "
        f"not counted: {t_seg:.2f} s{scaled}, {n_tokens:,} tokens"
    )
    print(
        f"ratio detect_slogans / segmentation: {t_detect / t_seg:.4f}  (segmentation is {t_seg / t_detect:.0f}x slower)"
    )
    print(f"ratio discovery / segmentation:      {t_discover / t_seg:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
