"""Reference outputs of the term functions on ../shared/corpora, for tests/terms/test_counts_reference.py.

The files in tests/data/terms_reference/ were made with main at 4a13c6a (the pure-Python candidate counting,
before the shared n-gram counts of :mod:`cppcc_nlp.tokens.ngrams`) by::

    CPPCC_NLP_CACHE=.cache/tests PYTHONPATH=$PWD .venv/bin/python tools/make_terms_reference.py tests/data/terms_reference

and are kept as they were: the test compares the current implementation with them.  Rerun it only to record a
deliberate change of results, and say why in the commit.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import cppcc_nlp as cn
from cppcc_nlp.terms.candidates import term_candidates
from cppcc_nlp.terms.counts import term_frequencies
from cppcc_nlp.terms.keyness import keyness
from cppcc_nlp.terms.ranking import extract_terms, term_tfidf

ROOT = Path(__file__).resolve().parent.parent


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    corpus = cn.Corpus.from_path(ROOT.parent / "shared" / "corpora", strict=True)
    table = cn.tokens(corpus)
    start = time.perf_counter()
    cands = term_candidates(table)
    print(f"term_candidates: {time.perf_counter() - start:.1f} s, {len(cands)} rows")
    years = cands["year_freq"].map(lambda d: ";".join(f"{k}:{v}" for k, v in sorted(d.items())))
    cands = cands.assign(year_freq=years).drop(columns=["tokens", "doc_counts", "group_freq"])
    cands.to_csv(out / "candidates.csv.gz", index=False)
    extract_terms(table, top=300).to_csv(out / "extract_terms_top300.csv", index=False)
    keyness(table, target=2016).to_csv(out / "keyness_2016.csv.gz", index=False)
    keyness(table, target="2017-2019", reference=(2010, 2014)).to_csv(out / "keyness_2017_2019.csv.gz", index=False)
    term_frequencies(table, by="year", top=30).to_csv(out / "frequencies_year.csv.gz", index=False)
    wanted = ["供给侧结构性改革", "政协委员", "高质量发展", "不存在的词"]
    term_frequencies(table, wanted, by="period").to_csv(out / "frequencies_period.csv", index=False)
    term_tfidf(table, top=5).to_csv(out / "tfidf_top5.csv", index=False)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
