"""Scores of cppcc_nlp.terms.termhood checked against scipy, scikit-learn or a hand computation on small tables."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import chi2_contingency, entropy

from cppcc_nlp.errors import ParameterError
from cppcc_nlp.terms.termhood import (
    branching_entropy,
    cvalue,
    log_likelihood,
    log_ratio,
    min_split_pmi,
    npmi,
    pmi,
    tfidf,
)

# --- C-value ---------------------------------------------------------------------------------------------------


def test_cvalue_not_nested_is_log_length_times_freq():
    c = cvalue({("委员", "工作站"): 6})
    assert c[("委员", "工作站")] == pytest.approx(math.log2(3) * 6)


def test_cvalue_nested_discounts_mean_frequency_of_containing_terms():
    freq = {("社情", "民意"): 12, ("社情", "民意", "信息"): 8, ("反映", "社情", "民意"): 2}
    c = cvalue(freq)
    # 社情民意 is inside two longer candidates: 12 - (8 + 2) / 2 = 7, times log2(1 + 2)
    assert c[("社情", "民意")] == pytest.approx(math.log2(3) * 7)
    assert c[("社情", "民意", "信息")] == pytest.approx(math.log2(4) * 8)
    assert c[("反映", "社情", "民意")] == pytest.approx(math.log2(4) * 2)


def test_cvalue_fragment_only_inside_its_term_scores_zero():
    c = cvalue({("供给", "侧"): 5, ("供给", "侧", "结构性", "改革"): 5})
    assert c[("供给", "侧")] == 0.0
    assert c[("供给", "侧", "结构性", "改革")] > 0


def test_cvalue_length_in_characters_and_bad_length():
    freq = {("政协委员",): 4}
    assert cvalue(freq, length={("政协委员",): 4})[("政协委员",)] == pytest.approx(math.log2(5) * 4)
    with pytest.raises(ParameterError, match="length"):
        cvalue(freq, length={("政协委员",): 0})
    assert cvalue({}).empty


# --- PMI ---------------------------------------------------------------------------------------------------------


def test_pmi_matches_definition_on_a_small_table():
    # 1,000 tokens; 简政 30 times, 放权 20 times, 简政放权 12 times
    expected = math.log2((12 / 1000) / ((30 / 1000) * (20 / 1000)))
    assert pmi(12, 30, 20, 1000) == pytest.approx(expected)
    assert npmi(12, 30, 20, 1000) == pytest.approx(expected / -math.log2(12 / 1000))
    assert npmi(5, 5, 5, 100) == pytest.approx(1.0)
    assert pmi(0, 3, 3, 100) == -math.inf
    arr = pmi(np.array([1, 2]), np.array([2, 2]), np.array([2, 4]), 16)
    assert arr.tolist() == pytest.approx([2.0, 2.0])
    with pytest.raises(ParameterError):
        pmi(1, 0, 2, 10)


def test_min_split_pmi_is_the_weakest_joint():
    count = {
        ("全面", "深化", "改革"): 4,
        ("全面",): 40,
        ("深化", "改革"): 8,
        ("全面", "深化"): 5,
        ("改革",): 50,
        ("深化",): 10,
    }
    splits = [pmi(4, 40, 8, 1000), pmi(4, 5, 50, 1000)]
    assert min_split_pmi(("全面", "深化", "改革"), count, 1000) == pytest.approx(min(splits))
    assert math.isnan(min_split_pmi(("改革",), count, 1000))
    with pytest.raises(ParameterError, match="count every sub-n-gram"):
        min_split_pmi(("全面", "改革"), {("全面", "改革"): 1, ("全面",): 2}, 10)


# --- branching entropy ------------------------------------------------------------------------------------------


def test_branching_entropy_matches_scipy():
    neighbours = {"推进": 5, "加强": 3, "完善": 1, "建设": 1}
    assert branching_entropy(neighbours) == pytest.approx(entropy([5, 3, 1, 1], base=2))
    # two boundary occurrences count as two distinct neighbours seen once
    assert branching_entropy(neighbours, unique=2) == pytest.approx(entropy([5, 3, 1, 1, 1, 1], base=2))
    assert branching_entropy({"站": 7}) == 0.0
    assert branching_entropy({}) == 0.0
    assert branching_entropy([1, 1, 1, 1]) == pytest.approx(2.0)
    with pytest.raises(ParameterError):
        branching_entropy({"x": -1})


# --- G² and effect size -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "table", [(10, 2, 990, 998), (5, 0, 9000, 120000), (3, 40, 5000, 20000), (120, 80, 4880, 9920), (1, 1, 1, 1)]
)
def test_log_likelihood_equals_scipy(table):
    a, b, c, d = table
    stat = chi2_contingency([[a, b], [c, d]], correction=False, lambda_="log-likelihood")[0]
    ours = log_likelihood(a, b, c, d)
    assert abs(ours) == pytest.approx(stat, rel=1e-9, abs=1e-9)
    over = a / (a + c) > b / (b + d)
    assert (ours > 0) == over or stat == pytest.approx(0, abs=1e-9)


def test_log_likelihood_with_yates_correction_equals_scipy():
    a, b, c, d = 12, 3, 988, 1997
    stat = chi2_contingency([[a, b], [c, d]], correction=True, lambda_="log-likelihood")[0]
    assert log_likelihood(a, b, c, d, correction=True) == pytest.approx(stat, rel=1e-9)


def test_log_likelihood_hand_value_and_vectorised():
    # G2 = 2 * sum O ln(O/E) written out for [[10, 2], [990, 998]]
    n = 2000
    obs = [10, 2, 990, 998]
    exp = [12 * 1000 / n, 12 * 1000 / n, 1988 * 1000 / n, 1988 * 1000 / n]
    hand = 2 * sum(o * math.log(o / e) for o, e in zip(obs, exp))
    assert log_likelihood(10, 2, 990, 998) == pytest.approx(hand)
    v = log_likelihood(np.array([10, 2]), np.array([2, 10]), np.array([990, 998]), np.array([998, 990]))
    assert v[0] == pytest.approx(-v[1])
    with pytest.raises(ParameterError):
        log_likelihood(-1, 2, 3, 4)


def test_log_ratio_is_log2_of_relative_frequency_ratio():
    assert log_ratio(8, 2, 1000, 1000, smoothing=0) == pytest.approx(2.0)
    assert log_ratio(5, 0, 1000, 4000) == pytest.approx(math.log2((5.5 / 1000) / (0.5 / 4000)))
    with pytest.raises(ParameterError):
        log_ratio(1, 1, 0, 10)


def test_tfidf_matches_scikit_learn():
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = ["宏观调控 宏观调控 宏观调控 扩大内需", "宏观调控 简政放权", "简政放权 简政放权 减税降费"]
    vec = TfidfVectorizer(token_pattern=r"\S+", norm=None, sublinear_tf=True, smooth_idf=True)
    matrix = vec.fit_transform(docs).toarray()
    vocab = vec.vocabulary_
    for i, doc in enumerate(docs):
        words = doc.split()
        for word in set(words):
            df = sum(word in d.split() for d in docs)
            assert tfidf(words.count(word), df, len(docs)) == pytest.approx(matrix[i, vocab[word]])
    with pytest.raises(ParameterError):
        tfidf(1, 5, 3)


def test_specificity_against_general_language():
    from cppcc_nlp.terms.termhood import general_idf, specificity

    idf, median, _ = general_idf()
    s = specificity(["社情民意信息", "委员工作站", "经济发展", "建设国际", "新时代"])
    # the mean general IDF of jieba's dictionary words: 社情民意|信息, 经济|发展
    assert s["社情民意信息"] == pytest.approx((idf["社情民意"] + idf["信息"]) / 2)
    assert s["经济发展"] == pytest.approx((idf["经济"] + idf["发展"]) / 2)
    assert min(s["社情民意信息"], s["委员工作站"]) > max(s["经济发展"], s["建设国际"], s["新时代"])
    assert specificity(["经济发展"], reduce="max").iloc[0] == pytest.approx(max(idf["经济"], idf["发展"]))
    with pytest.raises(ParameterError, match="reduce"):
        specificity(["经济"], reduce="sum")


def test_specificity_saved_weights_read_back_exactly(tmp_path, monkeypatch):
    """A fresh process reads the weights saved in the cache folder instead of cutting the terms again
    (issue 11); the values are the computed ones, bit for bit, and a damaged file is computed again."""
    from cppcc_nlp.terms import termhood

    terms = ["社情民意信息", "委员工作站", "经济发展", "全面振兴新突破三年行动"]
    monkeypatch.setenv("CPPCC_NLP_CACHE", str(tmp_path))
    monkeypatch.setattr(termhood, "_WORD_WEIGHTS", {})
    monkeypatch.setattr(termhood, "_LOADED_FROM", set())
    computed = termhood.specificity(terms)
    path, _ = termhood._weights_entry()
    assert path.is_file() and path.parent == tmp_path / "terms"
    # a fresh process: nothing in memory, and no tokenizer at hand
    monkeypatch.setattr(termhood, "_WORD_WEIGHTS", {})
    monkeypatch.setattr(termhood, "_LOADED_FROM", set())
    monkeypatch.setattr(termhood, "general_idf", lambda: pytest.fail("cut again although saved"))
    read_back = termhood.specificity(terms, reduce="mean")
    assert read_back.to_numpy().tobytes() == computed.to_numpy().tobytes()
    # damaged: warned, computed again, the same values
    path.write_bytes(path.read_bytes()[:-5])
    monkeypatch.undo()
    monkeypatch.setenv("CPPCC_NLP_CACHE", str(tmp_path))
    monkeypatch.setattr(termhood, "_WORD_WEIGHTS", {})
    monkeypatch.setattr(termhood, "_LOADED_FROM", set())
    with pytest.warns(Warning, match="cache entry"):
        again = termhood.specificity(terms)
    assert again.to_numpy().tobytes() == computed.to_numpy().tobytes()


@pytest.mark.slow
def test_general_words_are_jiebas_cut_on_every_candidate(shared_dir):
    """specificity's own cut (``_general_words``) gives the words of jieba's ``Tokenizer.cut(term, HMM=False)`` on
    every candidate of the shared corpora and corpora-extra (min_freq=1), and on strings with letters, digits,
    signs and blanks."""
    import cppcc_nlp as cn
    from cppcc_nlp.terms import termhood
    from cppcc_nlp.terms.candidates import count_candidates

    folders = [shared_dir, *sorted(p for p in (shared_dir.parent / "corpora-extra").glob("*") if p.is_dir())]
    terms = set()
    for folder in folders:
        tokens = cn.tokens(cn.Corpus.from_path(folder))
        terms.update(count_candidates(tokens, min_freq=1, max_chars=24).frame["term"])
    assert len(terms) > 100_000
    terms.update(
        ["互联网+政务服务", "PM2.5浓度", "劣V类水体", "5G 基站", "出国（境）经费", "C++语言", "a b", "", " \r\n中国"]
    )
    _, _, tokenizer = termhood.general_idf()
    freq, log_total = tokenizer.FREQ, math.log(tokenizer.total)
    differ = [
        t
        for t in sorted(terms)
        if termhood._general_words(t, freq, log_total) != [w for w in tokenizer.cut(t, HMM=False) if w.strip()]
    ]
    assert differ == []
    # jieba's tables as saved (what a run with few new terms looks up): the same cut, the same weights
    idf, median, _ = termhood.general_idf()
    saved_freq, saved_idf, saved_median, saved_log_total = termhood._general_entries(sorted(terms))
    assert (saved_median, saved_log_total) == (median, log_total)
    for t in sorted(terms):
        words = termhood._general_words(t, saved_freq, log_total)
        assert words == termhood._general_words(t, freq, log_total), t
        assert [saved_idf.get(w, median) for w in words] == [idf.get(w, median) for w in words], t
