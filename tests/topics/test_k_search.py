"""The k search with few fits (one warm-started fit per k, all starts at the finalists), the sparse path, a
refit warm-started from an earlier model (a yearly refresh), and a refresh folded into the earlier model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from cppcc_nlp.errors import ParameterError
from cppcc_nlp.topics import _factorise as F
from cppcc_nlp.topics import _vectorise as V
from cppcc_nlp.topics._choose_k import FINALISTS
from cppcc_nlp.topics.model import TopicModel

THEMES = {
    "cppcc": ["政协", "协商", "委员", "提案", "履职", "议政", "民主监督", "界别", "常委会", "视察"],
    "economy": ["经济", "增长", "产业", "投资", "消费", "企业", "项目", "市场", "外贸", "制造业"],
    "ecology": ["生态", "污染", "绿地", "治理", "环境", "河湖", "减排", "绿色", "碳达峰", "湿地"],
    "people": ["就业", "养老", "医疗", "教育", "住房", "社保", "托育", "食品", "安全", "社区"],
}


def make_units(n_per_theme=10, seed=0, years=(2020, 2021, 2022)):
    rng = np.random.default_rng(seed)
    rows = []
    for year in years:
        for s, words in enumerate(THEMES.values()):
            for _ in range(n_per_theme):
                toks = list(rng.choice(words, size=int(rng.integers(6, 12))))
                doc = f"r_{year}"
                rows.append(
                    {
                        "para_id": f"{doc}/p{len(rows):04d}",
                        "doc_id": doc,
                        "year": year,
                        "section_id": f"{doc}/s{s:02d}",
                        "tokens": toks,
                    }
                )
    return pd.DataFrame(rows)


@pytest.fixture
def count_fits(monkeypatch):
    """Every NMF fit goes through ``_factorise.nmf``: count the calls and the k of each."""
    calls = []
    real = F.nmf

    def counting(x, k, **kwargs):
        calls.append((k, kwargs.get("h0") is not None))
        return real(x, k, **kwargs)

    monkeypatch.setattr(F, "nmf", counting)
    return calls


# ---------------------------------------------------------------------------------------------------------------
# small hand-made units (fast)


def test_k_search_fits_once_per_k_and_all_starts_at_the_finalists_only(count_fits):
    ks = (4, 5, 6, 7, 8, 9)
    model = TopicModel(k_range=ks, n_init=4, max_df=0.9, random_state=0).fit(make_units())
    c = model.coherence_
    finalists = c.loc[c["agreement"].notna(), "k"].tolist()
    assert len(finalists) == FINALISTS and model.n_topics_ in finalists
    # one fit per k (the path: the smallest k from a random start, every next k warm-started), then n_init - 1
    # more random starts at each finalist: 6 + 3 * 3 = 15 fits where the search over all starts made 6 * 4 = 24
    assert len(count_fits) == len(ks) + FINALISTS * (4 - 1) < len(ks) * 4
    assert [k for k, _ in count_fits[: len(ks)]] == list(ks)
    assert [warm for _, warm in count_fits[: len(ks)]] == [False] + [True] * (len(ks) - 1)
    assert sorted(k for k, _ in count_fits[len(ks) :]) == sorted(finalists * 3)
    # the finalists are the k whose single search fit scored best
    search = {k: v for k, v in zip(c["k"], c["coherence_best"])}
    others = [k for k in ks if k not in finalists]
    assert min(round(search[k], 3) for k in finalists) >= max(round(search[k], 3) for k in others)
    # start spread and agreement are reported at the finalists (so at the chosen k), nowhere else
    chosen = c[c["chosen"]].iloc[0]
    assert np.isfinite(chosen["coherence_se"]) and 0 < chosen["agreement"] <= 1
    assert c.loc[~c["k"].isin(finalists), ["coherence_se", "agreement"]].isna().all().all()
    # four themes of ten words: k = 4 finds them, every start agrees (NPMI cannot tell k = 2 with two pure themes
    # from k = 4 with four: the range starts at 4)
    assert model.n_topics_ == 4 and chosen["agreement"] == pytest.approx(1.0)


def test_fixed_k_and_lda_fit_as_before(count_fits):
    units = make_units()
    TopicModel(n_topics=4, n_init=3, max_df=0.9).fit(units)
    assert count_fits == [(4, False)] * 3  # a given k: no search, the n_init random starts
    count_fits.clear()
    lda = TopicModel(k_range=(2, 3, 4, 5), method="lda", max_df=0.9, max_iter=10).fit(units)
    assert count_fits == [] and lda.coherence_["agreement"].isna().all()
    assert lda.coherence_["chosen"].sum() == 1


def test_the_unit_term_matrix_stays_sparse(monkeypatch):
    units = make_units()
    real = {cls: (cls.toarray, cls.todense) for cls in (sp.csr_matrix, sp.csr_array, sp.coo_matrix, sp.csc_matrix)}

    def refusing(cls, which):
        def dense(self, *args, **kwargs):
            # a unit × term matrix has one row per unit (the NPMI's term × term co-occurrences may be dense)
            assert self.shape[0] != len(units), f"a dense copy of the {self.shape} unit × term matrix"
            return real[cls][which](self, *args, **kwargs)

        return dense

    lists = units["tokens"].tolist()
    counts = V.count_matrix(lists, sorted({t for toks in lists for t in toks}))
    assert counts.indices.dtype == np.int32 and counts.indptr.dtype == np.int32
    for cls in real:
        monkeypatch.setattr(cls, "toarray", refusing(cls, 0))
        monkeypatch.setattr(cls, "todense", refusing(cls, 1))
    model = TopicModel(k_range=(4, 5, 6, 7), max_df=0.9).fit(units)
    TopicModel(n_topics=5, max_df=0.9).fit(units, warm_start=model)
    assert model.n_topics_ == 4


def test_grow_adds_topics_where_the_fit_is_worst():
    units = make_units()
    lists = units["tokens"].tolist()
    vocab = sorted({t for toks in lists for t in toks})
    x = V.tfidf(V.count_matrix(lists, vocab), np.ones(len(vocab)))
    w, h, _ = F.nmf(x, 3, seed=0, max_iter=400)
    grown = F.grow(x, w, h, 4, seed=0)
    assert grown.shape == (4, len(vocab)) and (grown >= 0).all()
    assert np.array_equal(grown[:3], h)  # the topics found at k = 3 are kept as they were
    # the theme the three topics left out is the one the new topic starts on
    covered = {vocab[j] for row in F.top_term_ids(h, 10) for j in row}
    missing = [name for name, words in THEMES.items() if not set(words) & covered]
    assert len(missing) == 1
    assert {vocab[j] for j in F.top_term_ids(grown[3:], 10)[0]} == set(THEMES[missing[0]])


def test_settled_is_a_change_of_at_most_settle_tol_of_the_norm():
    h = np.ones((2, 5))
    step = F.SETTLE_TOL * np.linalg.norm(h)
    assert F.settled(h, h.copy())
    for moved, expected in ((0.5 * step, True), (2 * step, False)):
        after = h.copy()
        after[0, 0] += moved
        assert F.settled(h, after) is expected


def continued(x, w, h, iterations):
    """scikit-learn's NMF from ``(w, h)`` for exactly ``iterations`` iterations (``tol=0``): one run."""
    from sklearn.decomposition import NMF

    model = NMF(n_components=h.shape[0], init="custom", solver="cd", max_iter=iterations, tol=0)
    model.fit_transform(x, W=w.copy(), H=h.copy())
    return model.components_


def test_a_refit_from_earlier_topics_stops_at_the_first_look_that_finds_them_settled():
    units = make_units()
    lists = units["tokens"].tolist()
    vocab = sorted({t for toks in lists for t in toks})
    x = V.tfidf(V.count_matrix(lists, vocab), np.ones(len(vocab)))
    # earlier topics: a short fit of the first two years' units, carried over (as a refresh starts)
    _, h0, _ = F.nmf(x[:80], 4, seed=0, max_iter=20)
    w0 = F.nnls_weights(x, h0)
    _, h, _ = F.nmf(x, 4, seed=0, max_iter=400, h0=h0, settle=True)
    # one run of n iterations, n the first multiple of SETTLE_EVERY after which the topics moved by at most
    # SETTLE_TOL of their norm in the last SETTLE_EVERY iterations
    every = F.SETTLE_EVERY
    path = {n: continued(x, w0, h0, n) for n in range(every, 400 + 1, every)}
    path[0] = h0
    n = next(n for n in range(every, 400 + 1, every) if F.settled(path[n - every], path[n]))
    assert 2 * every <= n < 400
    assert np.array_equal(h, path[n])  # the same iterations as one run of n, bit for bit
    # and at most max_iter, even when the topics still move
    _, capped, _ = F.nmf(x, 4, seed=0, max_iter=every + 3, h0=h0, settle=True)
    assert np.array_equal(capped, continued(x, w0, h0, every + 3))


def test_carried_topics_follow_the_terms():
    old = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    out = F.carried_topics(old, ["协商", "政协", "经济"], ["产业", "协商", "经济"])
    assert out.tolist() == [[0.0, 1.0, 3.0], [0.0, 4.0, 6.0]]
    assert F.carried_topics(old, ["a", "b", "c"], ["x"]).tolist() == [[0.0], [0.0]]


def test_warm_start_keeps_k_and_topic_order(count_fits):
    units = make_units(years=(2020, 2021))
    previous = TopicModel(n_topics=4, max_df=0.9, random_state=0).fit(units)
    count_fits.clear()
    refreshed = make_units(years=(2020, 2021, 2022))
    model = TopicModel(max_df=0.9, random_state=3).fit(refreshed, warm_start=previous)
    assert count_fits == [(4, True)]  # no k search, one fit from the earlier topics
    assert model.n_topics_ == 4 and model.coherence_["k"].tolist() == [4]
    for old, new in zip(previous.topics_["top_terms"], model.topics_["top_terms"]):
        assert set(old.split()) == set(new.split())  # topic i continues topic i
    # more topics than before: the earlier four keep their theme (the two new ones split themes further)
    more = TopicModel(n_topics=6, max_df=0.9).fit(refreshed, warm_start=previous)
    assert more.n_topics_ == 6

    def theme(top_terms):
        return max(THEMES, key=lambda name: len(set(top_terms.split()[:5]) & set(THEMES[name])))

    assert [theme(t) for t in more.topics_["top_terms"][:4]] == [theme(t) for t in previous.topics_["top_terms"]]


@pytest.mark.parametrize(
    "params, previous, match",
    [
        ({"method": "lda"}, {}, "method='nmf' only"),
        ({}, {"unit": "section"}, "fitted on sections"),
        ({"n_topics": 2}, {}, "n_topics=2 but warm_start has 3 topics"),
        ({}, None, "give a fitted TopicModel"),
    ],
)
def test_bad_warm_start(params, previous, match):
    units = make_units(n_per_theme=4, years=(2020,))
    earlier = TopicModel(n_init=1) if previous is None else TopicModel(n_topics=3, max_df=0.9, **previous).fit(units)
    with pytest.raises(ParameterError, match=match):
        TopicModel(max_df=0.9, **params).fit(units, warm_start=earlier)


def test_warm_start_without_a_shared_term():
    earlier = TopicModel(n_topics=3, max_df=0.9).fit(make_units(n_per_theme=4, years=(2020,)))
    other = pd.DataFrame({"para_id": [f"p{i}" for i in range(12)], "tokens": [["甲乙", "丙丁", "戊己"]] * 12})
    with pytest.raises(ParameterError, match="shares no term"):
        TopicModel(max_df=1.0).fit(other, warm_start=earlier)


# ---------------------------------------------------------------------------------------------------------------
# real reports: the sample with the Shanghai government work reports (pkuseg pipeline: slow)


@pytest.fixture(scope="module")
def sample_shanghai(sample_path, shared_dir):
    from cppcc_nlp import Corpus, tokens

    corpus = Corpus.from_path([sample_path, shared_dir / "gwr-shanghai"])
    return corpus, tokens(corpus)


@pytest.mark.slow
def test_real_k_search_with_fewer_fits(sample_shanghai, count_fits):
    corpus, table = sample_shanghai
    model = TopicModel(random_state=0).fit(corpus, tokens=table)
    ks = len(model.coherence_)
    assert ks == 8 and len(count_fits) == ks + FINALISTS * 3 < ks * 4  # 17 NMF fits instead of 32
    c = model.coherence_
    chosen = c[c["chosen"]].iloc[0]
    # a sensible k (the CPPCC report keeps a topic of its own from k = 16: docs/topics.md), reported with the
    # agreement of its random starts
    assert 16 <= model.n_topics_ <= 20
    assert chosen["agreement"] > 0.6 and chosen["coherence"] > 0.4
    assert c["coherence"].notna().all() and c["agreement"].notna().sum() == FINALISTS


@pytest.mark.slow
def test_finalists_fitted_side_by_side_give_the_same_model(sample_shanghai):
    """``n_jobs=2``: the finalists' random starts in forked children; every table and matrix as with one process,
    and ``n_jobs`` is not part of the saved model."""
    corpus, table = sample_shanghai
    ks = (6, 8, 10, 12)  # 4 candidates, 3 finalists
    one = TopicModel(random_state=0, k_range=ks).fit(corpus, tokens=table)
    two = TopicModel(random_state=0, k_range=ks, n_jobs=2).fit(corpus, tokens=table)
    for name in ("topics_", "coherence_", "doc_topics_", "terms_"):
        pd.testing.assert_frame_equal(getattr(one, name), getattr(two, name), obj=name)
    assert np.array_equal(one.raw_components_, two.raw_components_) and one.n_topics_ == two.n_topics_
    with pytest.raises(ParameterError, match="n_jobs=0"):
        TopicModel(n_jobs=0).fit(corpus, tokens=table)


@pytest.fixture(scope="module")
def earlier_model(sample_shanghai):
    """The model of the sample + Shanghai 2020-2023 at k = 14, before Shanghai 2024 is added: ``(last, model)``."""
    corpus, table = sample_shanghai
    last = "provincial-shanghai_2024"
    earlier_docs = [d for d in corpus.documents["doc_id"] if d != last]
    earlier = corpus.subset(doc_id=earlier_docs)
    return last, TopicModel(n_topics=14, random_state=0).fit(earlier, tokens=table[table["doc_id"].isin(earlier_docs)])


@pytest.mark.slow
def test_real_warm_started_refresh_matches_the_earlier_topics(sample_shanghai, earlier_model, count_fits):
    corpus, table = sample_shanghai
    last, previous = earlier_model
    refreshed = TopicModel(random_state=0).fit(corpus, tokens=table, warm_start=previous)
    assert count_fits == [(14, True)] and refreshed.n_topics_ == 14
    # topic i continues topic i: most topics keep most of their top terms
    overlap = [
        len(set(a.split()) & set(b.split())) / 10
        for a, b in zip(previous.topics_["top_terms"], refreshed.topics_["top_terms"])
    ]
    assert np.mean(overlap) >= 0.7 and sum(o >= 0.5 for o in overlap) >= 12, overlap
    # and stay as coherent as they were (on the sample + Shanghai the NPMI of one start varies by about 0.02)
    assert refreshed.topics_["coherence"].mean() >= previous.topics_["coherence"].mean() - 0.03, (
        previous.topics_["coherence"].mean(),
        refreshed.topics_["coherence"].mean(),
    )
    # the new report gets topics like the others
    new = refreshed.doc_topics_[refreshed.doc_topics_["doc_id"] == last]
    assert new["dominant_topic"].notna().mean() > 0.9


@pytest.mark.slow
def test_a_model_loaded_without_its_tables_warm_starts_the_same_refit(sample_shanghai, earlier_model, tmp_path):
    """``TopicModel.load(path, tables=False)``, what a refresh reads to warm-start: the matrices and vocabulary,
    no tables; the refit from it is the refit from the whole model, table for table."""
    corpus, table = sample_shanghai
    _, previous = earlier_model
    light = TopicModel.load(previous.save(tmp_path / "earlier.zip"), tables=False)
    assert light.topics_ is None and light.doc_topics_ is None and light.n_topics_ == 14
    assert light.vocabulary_ == previous.vocabulary_ and np.array_equal(light.raw_components_, previous.raw_components_)
    refit = TopicModel(random_state=0).fit(corpus, tokens=table, warm_start=light)
    expected = TopicModel(random_state=0).fit(corpus, tokens=table, warm_start=previous)
    for name in ("topics_", "terms_", "doc_topics_", "coherence_"):
        pd.testing.assert_frame_equal(getattr(refit, name), getattr(expected, name), obj=name)
    assert np.array_equal(refit.components_, expected.components_)


@pytest.mark.slow
def test_real_a_refit_stopped_when_its_topics_settle_has_the_topics_of_all_400_iterations(
    sample_shanghai, earlier_model, monkeypatch
):
    corpus, table = sample_shanghai
    _, previous = earlier_model
    settled = TopicModel(random_state=0).fit(corpus, tokens=table, warm_start=previous)
    monkeypatch.setattr(F, "SETTLE_TOL", 0.0)  # never settled: the refit runs all max_iter = 400 iterations
    full = TopicModel(random_state=0).fit(corpus, tokens=table, warm_start=previous)
    # the same top terms (so the same NPMI) and labels, topic by topic (two near-tied terms may swap ranks)
    for a, b in zip(settled.topics_["top_terms"], full.topics_["top_terms"]):
        assert set(a.split()) == set(b.split()), (a, b)
    for column in ("label", "coherence"):
        assert settled.topics_[column].tolist() == full.topics_[column].tolist(), column
    cosine = np.sum(settled.components_ * full.components_, axis=1) / (
        np.linalg.norm(settled.components_, axis=1) * np.linalg.norm(full.components_, axis=1)
    )
    assert cosine.min() > 0.9999, cosine
    same = settled.doc_topics_["dominant_topic"].eq(full.doc_topics_["dominant_topic"]).fillna(True)
    assert same.mean() > 0.99


# ---------------------------------------------------------------------------------------------------------------
# a refresh folded into the earlier model (TopicModel.fold_in)


@pytest.mark.slow
def test_real_a_refresh_folded_in_keeps_the_topics_and_gives_each_unit_its_transform(
    sample_shanghai, earlier_model, count_fits, tmp_path, monkeypatch
):
    from cppcc_nlp.topics import model as model_module

    corpus, table = sample_shanghai
    last, previous = earlier_model
    weighted = []  # the units weighted by fold_in: the new report's only, the others' weights are the model's
    real = model_module.unit_weights
    monkeypatch.setattr(model_module, "unit_weights", lambda m, c, *a: weighted.append(c.shape[0]) or real(m, c, *a))
    folded = previous.fold_in(corpus, tokens=table)
    monkeypatch.setattr(model_module, "unit_weights", real)
    assert count_fits == []  # no NMF fit
    assert weighted == [int((folded.doc_topics_["doc_id"] == last).sum())]
    # the topics are the fitted ones
    assert folded.n_topics_ == 14 and folded.vocabulary_ == previous.vocabulary_
    assert np.array_equal(folded.components_, previous.components_)
    for column in ("topic_id", "label", "top_terms", "weights", "coherence"):
        assert folded.topics_[column].tolist() == previous.topics_[column].tolist(), column
    pd.testing.assert_frame_equal(folded.terms_, previous.terms_)
    pd.testing.assert_frame_equal(folded.coherence_, previous.coherence_)
    # every unit of the refreshed corpus, each with the distribution transform gives it: the earlier units keep
    # theirs to the bit, the new report's are there
    units = folded.doc_topics_
    pd.testing.assert_frame_equal(units, previous.transform(corpus, tokens=table))
    kept = units[units["doc_id"] != last].reset_index(drop=True)
    pd.testing.assert_frame_equal(kept, previous.doc_topics_.reset_index(drop=True))
    new = units[units["doc_id"] == last]
    assert len(new) > 50 and new["dominant_topic"].notna().mean() > 0.9
    # shares and dominant counts of the refreshed corpus
    assert folded.topics_["share"].sum() == pytest.approx(1.0)
    assert folded.topics_["n_units"].sum() == units["dominant_topic"].notna().sum() > previous.topics_["n_units"].sum()
    assert last in set(folded.section_topics_["doc_id"]) and last not in set(previous.section_topics_["doc_id"])
    shares, before = (m.shares(by="year").set_index("year") for m in (folded, previous))  # (the sample is of 2024)
    assert shares.loc[2024, "n_units"] == before.loc[2024, "n_units"] + new["dominant_topic"].notna().sum()
    pd.testing.assert_frame_equal(shares.drop(index=2024), before.drop(index=2024))
    best = folded.representative(n=50)
    assert best["text"].str.len().gt(0).all()
    # saved and read back, the same model
    loaded = TopicModel.load(folded.save(tmp_path / "folded.zip"))
    for name in ("topics_", "terms_", "doc_topics_", "section_topics_"):
        pd.testing.assert_frame_equal(getattr(loaded, name), getattr(folded, name), obj=name)


@pytest.mark.slow
def test_fold_in_needs_the_tables_of_the_model(sample_shanghai, earlier_model, tmp_path):
    corpus, table = sample_shanghai
    _, previous = earlier_model
    light = TopicModel.load(previous.save(tmp_path / "earlier.zip"), tables=False)
    with pytest.raises(ParameterError, match="fold_in needs the model's tables"):
        light.fold_in(corpus, tokens=table)
