"""Topic quality, seed stability and speed: our default TopicModel against scikit-learn LDA on raw pkuseg tokens.

Run from the repository root (needs ../shared/corpora and the pkuseg model):

    .venv/bin/python benchmarks/bench_topics.py [--corpus ../shared/corpora] [--seeds 5]

Both models are fitted on the same paragraphs (``Corpus.paragraphs`` of the whole shared corpus) with the same
number of topics (the k our default chooses), in the same run:

* **ours**: ``TopicModel()`` defaults: the project's token pipeline (domain lexicon merged, stop words and
  boilerplate verbs dropped), the report formulae left out (``data/report_formulae.txt``), terms of >= 2
  characters in >= 2 and <= 30 % of paragraphs, NMF on sublinear TF-IDF, k chosen by NPMI (mean over the random
  starts, one-standard-error rule, start agreement as tie-breaker);
* **baseline**: raw pkuseg (default model, no user dictionary), spaCy's default Chinese stop words, punctuation
  and numbers dropped, ``CountVectorizer`` defaults, ``LatentDirichletAllocation(n_components=k,
  learning_method="batch", random_state=seed)`` with its other defaults.

Coherence is the mean NPMI of each topic's 10 top terms over paragraph co-occurrence, measured two ways:
``own tokens`` (each model against its own tokenisation of the paragraphs, the usual C_NPMI) and
``substring`` (a term occurs in a paragraph when its characters do: independent of segmentation, so the two
models are judged on the same footing).  Seed stability is the mean, over all pairs of seeds, of the mean
best-match cosine similarity of topic-term vectors (Hungarian matching).
"""

from __future__ import annotations

import argparse
import sys
import time
from itertools import combinations
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cppcc_nlp import Corpus, tokens  # noqa: E402
from cppcc_nlp.topics.coherence import topic_coherence  # noqa: E402
from cppcc_nlp.topics.model import TopicModel, match_topics  # noqa: E402


def substring_reference(texts, terms):
    """Paragraph 'token lists' holding each term whose characters occur in the paragraph."""
    terms = sorted(set(terms))
    return [[t for t in terms if t in text] for text in texts]


def top_terms_of(components, vocab, n=10):
    order = np.argsort(-components, axis=1, kind="stable")[:, :n]
    return [[vocab[j] for j in row] for row in order]


def mean_pairwise_stability(components_by_seed):
    values = [match_topics(a, b)["cosine"].mean() for a, b in combinations(components_by_seed, 2)]
    return float(np.mean(values)), float(np.min(values))


RITUAL = {
    "各位",
    "代表",
    "市长",
    "请予",
    "审议",
    "列席",
    "现在",
    "报告",
    "表示",
    "感谢",
    "诚挚",
    "回顾",
    "过去",
    "今年",
    "着重",
    "这是",
    "结果",
}


def ritual_topics(model) -> list[str]:
    """Labels of topics with >= 3 words of the genre's ritual (forms of address, opening, thanks) in their top 10."""
    return [
        lab
        for lab, top in zip(model.topics_["label"], model.topics_["top_terms"])
        if len(RITUAL & set(top.split())) >= 3
    ]


def cppcc_topic_check(corpus_dir: Path, seeds) -> None:
    """Does the sample CPPCC report get its own topic when fitted with the Shanghai reports? Per seed and k."""
    corpus = Corpus.from_path([ROOT / "corpora", corpus_dir / "gwr-shanghai"])
    table = tokens(corpus, cache=False)
    sample = "000_e661db7dabda7a33"
    print(
        "\nCPPCC topic (>= 2 of 政协/协商/委员 in its top 10) when the sample is fitted with Shanghai 2020-2024;"
        "\nshare of the sample's paragraphs that fall in it (- = no such topic); 'kept' = formulae=False:"
    )
    for n_topics, formulae in ((None, True), (None, False), (16, True), (20, True), (22, True), (24, True)):
        cells = []
        for seed in seeds:
            model = TopicModel(n_topics=n_topics, random_state=seed, formulae=formulae).fit(corpus, tokens=table)
            top = model.topics_["top_terms"].str.split()
            found = [
                t for t, terms in zip(model.topics_["topic_id"], top) if len({"政协", "协商", "委员"} & set(terms)) >= 2
            ]
            dt = model.doc_topics_
            mine = dt[(dt["doc_id"] == sample) & dt["dominant_topic"].notna()]
            share = (mine["dominant_topic"] == found[0]).mean() if found else None
            cells.append(
                f"{'k=' + str(model.n_topics_) + ':' if n_topics is None else ''}"
                f"{'-' if share is None else f'{share:.2f}'}"
            )
        name = f"{n_topics}{'' if formulae else ' kept'}"
        print(f"  n_topics={name:10s} " + "  ".join(f"seed {s}: {c:9s}" for s, c in zip(seeds, cells)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpora"))
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--only-cppcc", action="store_true", help="run only the CPPCC-topic check")
    args = parser.parse_args(argv)
    seeds = list(range(args.seeds))
    if args.only_cppcc:
        cppcc_topic_check(Path(args.corpus), seeds)
        return

    t0 = time.perf_counter()
    corpus = Corpus.from_path(args.corpus)
    paragraphs = corpus.paragraphs
    texts = paragraphs["text"].tolist()
    print(
        f"corpus: {len(corpus)} reports, {len(paragraphs)} paragraphs, "
        f"{sum(map(len, texts)):,} characters ({time.perf_counter() - t0:.1f} s)"
    )

    t0 = time.perf_counter()
    table = tokens(corpus, cache=False)
    t_tokens = time.perf_counter() - t0
    print(f"our token pipeline: {len(table):,} tokens in {t_tokens:.1f} s")

    # ---- ours --------------------------------------------------------------------------------------------------
    t0 = time.perf_counter()
    ours = TopicModel(random_state=0).fit(corpus, tokens=table)
    t_ours = time.perf_counter() - t0
    k = ours.n_topics_
    print(f"\nours: k = {k} chosen by NPMI over k in {list(ours.coherence_['k'])}; fit (with k search) {t_ours:.1f} s")
    print(ours.coherence_.round(3).to_string(index=False))
    t0 = time.perf_counter()
    ours_fixed = TopicModel(n_topics=k, random_state=0).fit(corpus, tokens=table)
    t_ours_fixed = time.perf_counter() - t0
    kept = TopicModel(random_state=0, formulae=False).fit(corpus, tokens=table)
    kept_same_k = TopicModel(n_topics=k, random_state=0, formulae=False).fit(corpus, tokens=table)
    print(f"\nritual topics (>= 3 of {' '.join(sorted(RITUAL))} in the top 10):")
    print(
        f"  formulae left out (default), k = {k}: {len(ritual_topics(ours))} {ritual_topics(ours)}; "
        f"{len(ours.formula_sentences_)} formula sentences left out"
    )
    print(
        f"  formulae kept, k = {kept_same_k.n_topics_}: {len(ritual_topics(kept_same_k))} {ritual_topics(kept_same_k)}"
    )
    print(f"  formulae kept, k chosen = {kept.n_topics_}: {len(ritual_topics(kept))} {ritual_topics(kept)}")
    ours_lists = ours.vocabulary_
    ours_top = top_terms_of(ours.components_, ours_lists)

    from cppcc_nlp.tokens.table import token_lists

    own_ref_ours = token_lists(table, unit="paragraph", keep_boilerplate=False).tolist()

    # ---- baseline ----------------------------------------------------------------------------------------------
    import pkuseg
    from sklearn.decomposition import LatentDirichletAllocation
    from sklearn.feature_extraction.text import CountVectorizer
    from spacy.lang.zh.stop_words import STOP_WORDS

    t0 = time.perf_counter()
    seg = pkuseg.pkuseg()
    raw = [seg.cut(t) for t in texts]
    t_seg = time.perf_counter() - t0

    def keep(tok):
        return tok.strip() and tok not in STOP_WORDS and any(ch.isalpha() for ch in tok) and not tok.isdigit()

    base_lists = [[t for t in toks if keep(t)] for toks in raw]
    vectorizer = CountVectorizer(analyzer=lambda toks: toks)
    counts = vectorizer.fit_transform(base_lists)
    base_vocab = vectorizer.get_feature_names_out().tolist()
    t0 = time.perf_counter()
    base_models = {
        s: LatentDirichletAllocation(n_components=k, learning_method="batch", random_state=s).fit(counts) for s in seeds
    }
    t_base = (time.perf_counter() - t0) / len(seeds)
    base_top = top_terms_of(base_models[0].components_, base_vocab)
    print(
        f"\nbaseline: raw pkuseg {t_seg:.1f} s, vocabulary {len(base_vocab):,} (ours {len(ours_lists):,}); "
        f"LDA fit {t_base:.1f} s per seed"
    )

    # ---- coherence ---------------------------------------------------------------------------------------------
    def coherence(top, reference):
        c = topic_coherence(top, reference)["coherence"]
        return float(c.mean()), float(c.median()), float(c.min())

    sub_ref = substring_reference(texts, [t for row in ours_top + base_top for t in row])
    rows = [
        ("ours (NMF, pipeline tokens)", coherence(ours_top, own_ref_ours), coherence(ours_top, sub_ref)),
        ("baseline (LDA, raw pkuseg)", coherence(base_top, base_lists), coherence(base_top, sub_ref)),
    ]
    print(f"\nNPMI coherence of the top 10 terms, k = {k} (mean / median / worst topic):")
    print(f"{'model':30s} {'own tokens':>24s} {'substring':>24s}")
    for name, own, sub in rows:
        print(f"{name:30s} {own[0]:7.3f} {own[1]:7.3f} {own[2]:7.3f}  {sub[0]:7.3f} {sub[1]:7.3f} {sub[2]:7.3f}")
    print(
        f"ratio ours / baseline (mean, own tokens): {rows[0][1][0] / rows[1][1][0]:.2f}; "
        f"(mean, substring): {rows[0][2][0] / rows[1][2][0]:.2f}"
    )
    single = sum(len(t) == 1 for row in base_top for t in row)
    print(
        f"single-character terms among the top 10: ours {sum(len(t) == 1 for row in ours_top for t in row)}, "
        f"baseline {single} of {10 * k}"
    )

    # ---- stability ---------------------------------------------------------------------------------------------
    t0 = time.perf_counter()
    ours_by_seed = [ours_fixed.components_] + [
        TopicModel(n_topics=k, random_state=s).fit(corpus, tokens=table).components_ for s in seeds[1:]
    ]
    t_stab = time.perf_counter() - t0
    ours_stab = mean_pairwise_stability(ours_by_seed)
    base_stab = mean_pairwise_stability([m.components_ for m in base_models.values()])
    print(f"\nseed stability over seeds {seeds} (mean of pairwise mean best-match cosine; worst pair):")
    print(f"  ours     {ours_stab[0]:.3f} (worst pair {ours_stab[1]:.3f})")
    print(f"  baseline {base_stab[0]:.3f} (worst pair {base_stab[1]:.3f})")

    print(
        f"\ntimes: ours fit with k search {t_ours:.1f} s, ours fit at fixed k {t_ours_fixed:.1f} s "
        f"(n_init=4), {len(seeds) - 1} more seeds {t_stab:.1f} s; baseline LDA {t_base:.1f} s per fit "
        f"(ratio ours fixed-k / baseline {t_ours_fixed / t_base:.2f})"
    )

    print("\nour topics:")
    print(ours.topics_[["topic_id", "label", "top_terms", "share", "coherence"]].round(3).to_string(index=False))
    print("\nbaseline topics:")
    for t, row in enumerate(base_top):
        print(f"  {t:2d} {' '.join(row)}")
    print("\nshare of text by year, with trends (ours):")
    print(
        ours.trends("year")[
            ["topic_id", "label", "first", "last", "share_first", "share_last", "slope", "tau", "p_value", "trend"]
        ]
        .round(3)
        .to_string(index=False)
    )
    cppcc_topic_check(Path(args.corpus), seeds)


if __name__ == "__main__":
    main()
