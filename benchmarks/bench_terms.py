"""Term extraction over the shared corpora, against jieba.analyse TF-IDF and TextRank in the same run.

Prints: time to tokenise (first run) and to read the token cache, time of extract_terms over every shared report
and over gwr-national, time of keyness 2016 vs 2000–2015, time of the two jieba baselines on the same texts
(the ratio of ours to each), recall@200 of the 60 hand-made expected terms (tests/data) for ours with and without
the bundled domain lexicon and for each baseline (plain, and with our lexicon loaded as jieba's user dictionary),
precision@50 of ours by the hand judgement in tests/data, and the three top-20 lists side by side.

Usage::

    .venv/bin/python benchmarks/bench_terms.py [--shared ../shared/corpora] [--cache DIR] [--skip-no-lexicon]
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"


def timed(func, *args, **kwargs):
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return result, time.perf_counter() - start


def recall_at(ranking, expected, k=200):
    top = list(ranking)[:k]
    return sum(any(e in t for t in top) for e in expected) / len(expected)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared" / "corpora"))
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "cppcc-bench-terms-cache"))
    parser.add_argument("--skip-no-lexicon", action="store_true", help="skip the lexicon-free tokenisation")
    args = parser.parse_args()

    import jieba
    import jieba.analyse

    import cppcc_nlp as cn
    from cppcc_nlp.resources.lexicon import load_lexicon
    from cppcc_nlp.terms.keyness import keyness
    from cppcc_nlp.terms.ranking import extract_terms

    jieba.setLogLevel(logging.WARNING)
    shared = Path(args.shared)
    expected = pd.read_csv(DATA / "terms_gwr_national_expected.csv")["term"].tolist()
    judged = pd.read_csv(DATA / "terms_gwr_national_judged.csv").set_index("term")["is_term"]

    corpus_all, t_read = timed(cn.Corpus.from_path, shared)
    national = corpus_all.subset(doc_id=[d for d in corpus_all.documents["doc_id"] if d.startswith("national_")])
    n_chars = int(corpus_all.documents["n_chars"].sum())
    print(f"shared corpora: {len(corpus_all)} reports, {n_chars:,} characters (read in {t_read:.1f} s)")

    pipe = cn.nlp()
    tokens_all, t_tok = timed(cn.tokens, corpus_all, nlp=pipe, cache_dir=args.cache)
    tokens_all, t_cached = timed(cn.tokens, corpus_all, nlp=pipe, cache_dir=args.cache)
    print(f"tokens: {len(tokens_all):,} rows; first call {t_tok:.1f} s, from the cache {t_cached:.1f} s")

    terms_all, t_all = timed(extract_terms, tokens_all)
    print(
        f"extract_terms, all shared reports: {t_all:.1f} s, {len(terms_all):,} terms "
        f"({n_chars / t_all / 1000:.0f}k characters/s)"
    )
    tokens_nat = tokens_all[tokens_all["doc_id"].isin(national.documents["doc_id"])]
    terms_nat, t_nat = timed(extract_terms, tokens_nat)
    print(f"extract_terms, gwr-national ({len(national)} reports): {t_nat:.1f} s, {len(terms_nat):,} terms")
    until_2016 = tokens_nat[tokens_nat["year"] <= 2016]
    key, t_key = timed(keyness, until_2016, target=2016)
    print(f"keyness 2016 vs 2000–2015: {t_key:.1f} s; top 5: {key['term'].head(5).tolist()}")

    text = "\n".join(doc.text for doc in national.docs)
    tfidf_kw, t_tfidf = timed(jieba.analyse.extract_tags, text, topK=200)
    textrank_kw, t_textrank = timed(jieba.analyse.textrank, text, topK=200)
    print(
        f"baselines on the same gwr-national text: jieba TF-IDF {t_tfidf:.1f} s, TextRank {t_textrank:.1f} s; "
        f"ours/TF-IDF time ratio {t_nat / t_tfidf:.1f}x, ours/TextRank {t_nat / t_textrank:.1f}x "
        f"(ours excludes tokenisation, read from the cache)"
    )

    lex = load_lexicon()
    outside = [e for e in expected if e not in set(lex.entries)]

    def both(ranking):
        return recall_at(ranking, expected), recall_at(ranking, outside)

    rows = [
        ("ours (bundled lexicon)", *both(terms_nat["term"])),
        ("ours, no specificity factor", *both(extract_terms(tokens_nat, specificity_scale=1e-9)["term"])),
        ("jieba TF-IDF", *both(tfidf_kw)),
        ("jieba TextRank", *both(textrank_kw)),
    ]
    # the same baselines with our domain lexicon as jieba's user dictionary (a fairer comparison)
    for entry in lex.entries:
        jieba.add_word(entry)
    rows.append(("jieba TF-IDF + our lexicon", *both(jieba.analyse.extract_tags(text, topK=200))))
    rows.append(("jieba TextRank + our lexicon", *both(jieba.analyse.textrank(text, topK=200))))
    if not args.skip_no_lexicon:
        plain = cn.nlp(lexicon=load_lexicon(defaults=False))
        tokens_plain, t_plain = timed(cn.tokens, national, nlp=plain, cache_dir=args.cache)
        terms_plain = extract_terms(tokens_plain)
        rows.insert(1, ("ours (no lexicon: plain pkuseg)", *both(terms_plain["term"])))
        print(f"lexicon-free tokens of gwr-national: {t_plain:.1f} s")
    print(
        f"\nrecall@200 of the {len(expected)} expected gwr-national terms (whole or inside a longer whole form);"
        f" and of the {len(outside)} of them that are no lexicon entry:"
    )
    for name, value, value_outside in rows:
        print(f"  {name:34s} {value:.3f}   {value_outside:.3f}")
    top50 = terms_nat["term"].head(50).tolist()
    unjudged = [t for t in top50 if t not in judged.index]
    precision = sum(judged.get(t, 0) for t in top50) / 50
    print(
        f"precision@50 of ours by hand judgement: {precision:.2f}"
        + (f" (unjudged, counted wrong: {unjudged})" if unjudged else "")
    )

    sample = cn.Corpus.from_path(ROOT / "corpora")
    sample_terms = extract_terms(cn.tokens(sample, nlp=pipe, cache_dir=args.cache))["term"].tolist()
    for name, ranking in (
        ("with", sample_terms),
        (
            "without",
            extract_terms(cn.tokens(sample, nlp=pipe, cache_dir=args.cache), specificity_scale=1e-9)["term"].tolist(),
        ),
    ):
        ranks = {
            t: (ranking.index(t) + 1 if t in ranking else None)
            for t in ("政协委员", "委员工作站", "社情民意信息", "专门协商机构")
        }
        print(f"sample report, rank {name} the specificity factor: {ranks}")
    fragments = [t for t in ("建设国际", "经济社会", "设施建设") if t in terms_all["term"].head(100).tolist()]
    print(f"fragments 建设国际/经济社会/设施建设 in the top 100 of all shared reports: {fragments or 'none'}")

    side = pd.DataFrame(
        {"ours": terms_nat["term"].head(20).tolist(), "jieba TF-IDF": tfidf_kw[:20], "jieba TextRank": textrank_kw[:20]}
    )
    with pd.option_context("display.unicode.east_asian_width", True, "display.width", 200):
        print("\ntop 20, gwr-national 2000–2019:")
        print(side.to_string())


if __name__ == "__main__":
    main()
