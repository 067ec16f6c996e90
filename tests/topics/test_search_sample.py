"""The k search on a sample of a large corpus (``_choose_k.SEARCH_UNITS``): the sample, the final fit on every
unit, what is reported, and that nothing changes below the cap."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cppcc_nlp.topics import _choose_k
from cppcc_nlp.topics import _factorise as F
from cppcc_nlp.topics._choose_k import SEARCH_UNITS, search_sample
from cppcc_nlp.topics.model import TopicModel

from conftest import without_meta_key

THEMES = {
    "cppcc": ["政协", "协商", "委员", "提案", "履职", "议政", "民主监督", "界别", "常委会", "视察"],
    "economy": ["经济", "增长", "产业", "投资", "消费", "企业", "项目", "市场", "外贸", "制造业"],
    "ecology": ["生态", "污染", "绿地", "治理", "环境", "河湖", "减排", "绿色", "碳达峰", "湿地"],
    "people": ["就业", "养老", "医疗", "教育", "住房", "社保", "托育", "食品", "安全", "社区"],
}
TABLES = ("topics_", "terms_", "coherence_", "doc_topics_", "section_topics_")
OFF = 10**9  # a cap above any corpus: the search fits every unit


def make_units(n_per_theme=10, seed=0, years=(2020, 2021, 2022)):
    """Paragraph-like units of four themes, one document per year, and a heading without terms per document."""
    rng = np.random.default_rng(seed)
    rows = []
    for year in years:
        doc = f"r_{year}"
        common = {"doc_id": doc, "year": year, "period": year, "part": "review"}
        rows.append({"para_id": f"{doc}/p0000", **common, "section_id": f"{doc}/s00", "tokens": []})
        for s, words in enumerate(THEMES.values()):
            for _ in range(n_per_theme):
                toks = list(rng.choice(words, size=int(rng.integers(6, 12))))
                rows.append(
                    {
                        "para_id": f"{doc}/p{len(rows):04d}",
                        **common,
                        "section_id": f"{doc}/s{s + 1:02d}",
                        "tokens": toks,
                    }
                )
    return pd.DataFrame(rows)


def assert_same_model(a, b):
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)
    assert np.array_equal(a.components_, b.components_) and a.search_units_ == b.search_units_


@pytest.fixture
def nmf_calls(monkeypatch):
    """Every NMF fit goes through ``_factorise.nmf``: the rows of its matrix and its start (None: random)."""
    calls = []
    real = F.nmf

    def recording(x, k, **kwargs):
        calls.append((x.shape[0], k, kwargs.get("h0")))
        return real(x, k, **kwargs)

    monkeypatch.setattr(F, "nmf", recording)
    return calls


def cap(monkeypatch, n):
    monkeypatch.setattr(_choose_k, "SEARCH_UNITS", n)


# ---------------------------------------------------------------------------------------------------------------
# the sample


def test_the_sample_is_seeded_stratified_by_document_and_only_of_units_with_terms():
    rng = np.random.default_rng(0)
    sizes = {"national_2019": 500, "national_2020": 300, "provincial_2024": 120, "county_2024": 37, "tiny": 3}
    groups = np.repeat(list(sizes), list(sizes.values()))
    carries = rng.random(len(groups)) > 0.1  # headings and formula-only paragraphs carry no term
    n = 200
    a = search_sample(groups, carries, n, random_state=0)
    # deterministic: the same seed draws the same units, another seed others
    assert np.array_equal(a, search_sample(groups, carries, n, random_state=0))
    assert not np.array_equal(a, search_sample(groups, carries, n, random_state=1))
    assert np.array_equal(a, search_sample(list(groups), list(carries), n, random_state=np.int64(0)))
    # exactly n distinct units, in corpus order, each carrying a term
    assert len(a) == n and len(set(a)) == n and (np.diff(a) > 0).all() and carries[a].all()
    # each document gets its share of the sample (the floor or the ceiling of it), so the county report's 37
    # paragraphs are in it in proportion, never left out
    usable = pd.Series(groups[carries]).value_counts()
    got = pd.Series(groups[a]).value_counts().reindex(usable.index, fill_value=0)
    quota = usable * n / carries.sum()
    assert ((got >= np.floor(quota)) & (got <= np.ceil(quota))).all(), pd.DataFrame({"got": got, "quota": quota})
    assert got["county_2024"] >= 2
    # at most n units with terms: no sample, the search fits them all
    assert search_sample(groups, carries, int(carries.sum()), random_state=0) is None
    # one unit per document (unit="document"): a simple random sample of the documents
    docs = search_sample(np.arange(50), np.ones(50, bool), 10, random_state=3)
    assert len(docs) == 10 and len(set(docs)) == 10


# ---------------------------------------------------------------------------------------------------------------
# small hand-made units (fast)


def test_below_the_cap_nothing_changes(monkeypatch, nmf_calls):
    units = make_units()
    model = TopicModel(k_range=(3, 4, 5, 6), max_df=0.9, random_state=0).fit(units)
    assert len(units) < SEARCH_UNITS and model.search_units_ == len(units) - 3  # the three headings carry no term
    assert {rows for rows, _, _ in nmf_calls} == {len(units)}  # every fit on every unit
    cap(monkeypatch, OFF)
    assert_same_model(model, TopicModel(k_range=(3, 4, 5, 6), max_df=0.9, random_state=0).fit(units))
    # no k search, no search units
    assert TopicModel(n_topics=4, max_df=0.9).fit(units).search_units_ is None


def test_above_the_cap_the_search_fits_a_sample_and_the_kept_model_every_unit(monkeypatch, nmf_calls):
    units = make_units()
    cap(monkeypatch, 60)
    ks = (4, 5, 6, 7)  # NPMI cannot tell k = 3 with three pure themes from k = 4 with four: the range starts at 4
    model = TopicModel(k_range=ks, n_init=3, max_df=0.9, random_state=0).fit(units)
    assert model.search_units_ == 60
    # the search (a path of 4 fits, 2 more starts at each of the 3 finalists) on the 60 units, then one fit on all
    assert [rows for rows, _, _ in nmf_calls] == [60] * (4 + 3 * 2) + [len(units)]
    rows, k, h0 = nmf_calls[-1]
    assert k == model.n_topics_ and k in ks and h0 is not None and h0.shape == model.components_.shape
    # the final fit starts from the best start on the sample, and its topic i continues that start's topic i
    top = F.top_term_ids(h0, 10)
    for i, terms in enumerate(model.topics_["top_terms"]):
        assert set(terms.split()) == {model.vocabulary_[j] for j in top[i]}
    # every unit gets its topics; the four themes are found
    assert model.doc_topics_["para_id"].tolist() == units["para_id"].tolist()
    assert model.doc_topics_["dominant_topic"].notna().sum() == len(units) - 3
    assert model.n_topics_ == 4
    # coherence_ is the search's; the kept model's NPMI is in topics_
    c = model.coherence_
    assert c["k"].tolist() == list(ks) and c["chosen"].sum() == 1 and c.loc[c["chosen"], "k"].item() == 4
    assert model.topics_["coherence"].notna().all()
    # the same seed gives the same model; the sample follows the seed
    assert_same_model(model, TopicModel(k_range=ks, n_init=3, max_df=0.9, random_state=0).fit(units))
    sample = search_sample(units["doc_id"], units["tokens"].map(len) > 0, 60, random_state=0)
    assert not np.array_equal(sample, search_sample(units["doc_id"], units["tokens"].map(len) > 0, 60, random_state=5))
    # stratified: 20 of each year's 40 units with terms
    assert units["doc_id"].iloc[sample].value_counts().tolist() == [20, 20, 20]


def test_lda_above_the_cap(monkeypatch):
    units = make_units()
    cap(monkeypatch, 60)
    model = TopicModel(k_range=(3, 4, 5), method="lda", max_df=0.9, max_iter=10).fit(units)
    assert model.search_units_ == 60 and len(model.doc_topics_) == len(units)
    assert model.n_topics_ in (3, 4, 5) and model.doc_topic_prior_ == pytest.approx(1 / model.n_topics_)


def test_a_refresh_and_a_given_k_have_no_search_and_ignore_the_cap(monkeypatch, nmf_calls):
    earlier = TopicModel(n_topics=4, max_df=0.9, random_state=0).fit(make_units(years=(2020, 2021)))
    units = make_units()
    refreshed = TopicModel(max_df=0.9, random_state=0).fit(units, warm_start=earlier)
    fixed = TopicModel(n_topics=4, n_init=2, max_df=0.9, random_state=0).fit(units)
    cap(monkeypatch, 10)
    nmf_calls.clear()
    assert_same_model(refreshed, TopicModel(max_df=0.9, random_state=0).fit(units, warm_start=earlier))
    assert_same_model(fixed, TopicModel(n_topics=4, n_init=2, max_df=0.9, random_state=0).fit(units))
    assert refreshed.search_units_ is None and fixed.search_units_ is None
    assert {rows for rows, _, _ in nmf_calls} == {len(units)}


def test_search_units_survive_save_and_load(monkeypatch, tmp_path):
    units = make_units()
    cap(monkeypatch, 60)
    model = TopicModel(k_range=(3, 4, 5), n_init=2, max_df=0.9).fit(units)
    loaded = TopicModel.load(model.save(tmp_path / "m.zip"))
    assert loaded.search_units_ == model.search_units_ == 60
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(loaded, name), getattr(model, name), check_exact=True)
    assert TopicModel.load(TopicModel(n_topics=3, max_df=0.9).fit(units).save(tmp_path / "f.zip")).search_units_ is None
    # a file saved before the key existed: its search fitted every unit that carries a term
    old = without_meta_key(tmp_path / "m.zip", tmp_path / "old.zip", "search_units")
    assert TopicModel.load(old).search_units_ == len(units) - 3


# ---------------------------------------------------------------------------------------------------------------
# the shared corpora (3,210 paragraphs; token tables from the cache)

K_RANGE = (10, 14, 18)  # 3 k, so every k is a finalist: 3 + 3 x 2 = 9 fits with n_init=3


@pytest.fixture(scope="module")
def shared_table(shared_corpus):
    from cppcc_nlp import tokens

    return tokens(shared_corpus)


def fit_shared(corpus, table, n, seed=0):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_choose_k, "SEARCH_UNITS", n)
        return TopicModel(k_range=K_RANGE, n_init=3, random_state=seed).fit(corpus, tokens=table)


@pytest.fixture(scope="module")
def full_search(shared_corpus, shared_table):
    return fit_shared(shared_corpus, shared_table, OFF)


@pytest.mark.slow
def test_real_below_the_cap_the_model_is_unchanged(shared_corpus, shared_table, full_search):
    model = fit_shared(shared_corpus, shared_table, SEARCH_UNITS)
    assert len(model.doc_topics_) < SEARCH_UNITS
    assert_same_model(model, full_search)
    assert model.search_units_ == (model.doc_topics_["n_terms"] > 0).sum()


@pytest.mark.slow
def test_real_above_the_cap_the_search_fits_a_sample(shared_corpus, shared_table, full_search):
    model = fit_shared(shared_corpus, shared_table, 800)
    assert model.search_units_ == 800
    # the kept model covers every paragraph, as the full search's
    assert model.doc_topics_["para_id"].tolist() == full_search.doc_topics_["para_id"].tolist()
    assert model.vocabulary_ == full_search.vocabulary_ and np.array_equal(model.idf_, full_search.idf_)
    assert model.n_topics_ in K_RANGE and model.coherence_["k"].tolist() == list(K_RANGE)
    assert_same_model(model, fit_shared(shared_corpus, shared_table, 800))
    # its topics are as coherent over the whole corpus as the starts of the search on every paragraph at the
    # same k (NPMI rises with k on these corpora, so the comparison is at one k; the NPMI mean of one start
    # varies by about 0.02 from seed to seed: docs/topics.md), and none is a topic of the sample's noise
    c = full_search.coherence_.set_index("k")
    mean = model.topics_["coherence"].mean()
    assert mean >= c.loc[model.n_topics_, "coherence"] - 0.02, (model.n_topics_, mean, c)
    assert (model.topics_["coherence"] > 0).all(), model.topics_[["label", "top_terms", "coherence"]]


def test_the_report_says_when_the_search_fitted_a_sample(monkeypatch):
    from cppcc_nlp.output._sections import topic_section

    units = make_units()
    full = TopicModel(k_range=(4, 5), n_init=2, max_df=0.9).fit(units)
    assert "sample" not in topic_section(full, full.shares("year")).text
    cap(monkeypatch, 60)
    model = TopicModel(k_range=(4, 5), n_init=2, max_df=0.9).fit(units)
    text = topic_section(model, model.shares("year")).text
    assert "a sample of 60 of the 120 paragraphs that carry terms" in text


def test_the_share_figure_draws_at_most_max_figure_series(monkeypatch):
    """Shares of more series than MAX_FIGURE_SERIES: the figure has a panel for each of the series with the most
    years, the table every series, and the text says so."""
    import matplotlib.pyplot as plt

    from cppcc_nlp.output import _sections

    model = TopicModel(k_range=(4, 4), n_init=1, max_df=0.9).fit(make_units())
    by_year = model.shares("year")
    # three series: 甲 with three years, 乙 with two, 丙 with one
    shares = pd.concat(
        [by_year.iloc[:n].assign(series=name) for name, n in (("甲", 3), ("乙", 2), ("丙", 1))], ignore_index=True
    )
    every = _sections.topic_section(model, shares)
    assert len(every.figures["topic_shares"].axes) == 3 and "series with the most years" not in every.text
    monkeypatch.setattr(_sections, "MAX_FIGURE_SERIES", 2)
    capped = _sections.topic_section(model, shares)
    assert [ax.get_title() for ax in capped.figures["topic_shares"].axes] == [
        ax.get_title() for ax in every.figures["topic_shares"].axes if "丙" not in ax.get_title()
    ]
    assert "shows the 2 series with the most years, of 3" in capped.text
    assert set(capped.tables[1][1]["series"]) == {"甲", "乙", "丙"}
    for fig in [*every.figures.values(), *capped.figures.values()]:
        plt.close(fig)
