"""NPMI coherence checked against hand computation and brute-force window counting."""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from cppcc_nlp.errors import ParameterError
from cppcc_nlp.topics.coherence import ReferenceIndex, cooccurrence, npmi_pairs, topic_coherence

PARAS = [["政协", "协商", "委员"], ["政协", "协商"], ["经济", "增长"], ["经济", "增长", "协商"], ["民生"]]


def hand_npmi(n_ab, n_a, n_b, n):
    if n_ab == 0:
        return -1.0
    p_ab, p_a, p_b = n_ab / n, n_a / n, n_b / n
    if p_ab == 1:
        return 1.0
    return math.log(p_ab / (p_a * p_b)) / -math.log(p_ab)


def test_npmi_pairs_match_hand_computation():
    table = npmi_pairs(["政协", "协商", "经济", "民生"], PARAS)
    assert len(table) == 6
    row = table[(table.term_a == "政协") & (table.term_b == "协商")].iloc[0]
    # 5 paragraphs: 政协 in 2, 协商 in 3, both in 2
    assert (row.n_a, row.n_b, row.n_ab) == (2, 3, 2)
    assert row.npmi == pytest.approx(math.log((2 / 5) / ((2 / 5) * (3 / 5))) / -math.log(2 / 5))
    never = table[(table.term_a == "政协") & (table.term_b == "经济")].iloc[0]
    assert never.n_ab == 0 and never.npmi == -1.0


def test_npmi_is_one_for_terms_always_together_and_bounded():
    table = npmi_pairs(["经济", "增长"], PARAS)
    assert table.npmi.iloc[0] == pytest.approx(1.0)
    everywhere = npmi_pairs(["甲", "乙"], [["甲", "乙"], ["乙", "甲", "丙"]])
    assert everywhere.npmi.iloc[0] == 1.0
    rng = np.random.default_rng(0)
    vocab = [f"词{i}" for i in range(12)]
    paras = [list(rng.choice(vocab, size=rng.integers(1, 6))) for _ in range(40)]
    values = npmi_pairs(vocab, paras).npmi.dropna()
    assert ((values >= -1 - 1e-12) & (values <= 1 + 1e-12)).all()


def test_absent_term_gives_nan_and_is_counted_missing():
    table = npmi_pairs(["政协", "不存在"], PARAS)
    assert math.isnan(table.npmi.iloc[0])
    coh = topic_coherence([["政协", "协商", "不存在"]], PARAS)
    assert coh.n_missing.iloc[0] == 1 and coh.n_pairs.iloc[0] == 1


def test_topic_coherence_is_mean_of_pairs():
    topics = [["政协", "协商", "委员"], ["经济", "增长", "协商"]]
    coh = topic_coherence(topics, PARAS)
    for t, terms in enumerate(topics):
        pairs = npmi_pairs(terms, PARAS)
        assert coh.coherence.iloc[t] == pytest.approx(pairs.npmi.mean())
        assert coh.n_pairs.iloc[t] == 3
    assert topic_coherence(topics, PARAS, top_n=2).coherence.iloc[0] == pytest.approx(
        npmi_pairs(["政协", "协商"], PARAS).npmi.iloc[0]
    )


def brute_force_windows(reference, terms, window):
    windows = []
    for toks in reference:
        if not toks:
            continue
        if len(toks) <= window:
            windows.append(set(toks))
        else:
            windows.extend(set(toks[i : i + window]) for i in range(len(toks) - window + 1))
    single = {t: sum(t in w for w in windows) for t in terms}
    joint = {(a, b): sum(a in w and b in w for w in windows) for a, b in combinations(terms, 2)}
    return len(windows), single, joint


@pytest.mark.parametrize("window", [2, 3, 5, 10])
def test_sliding_window_counts_equal_brute_force(window):
    rng = np.random.default_rng(window)
    vocab = ["政协", "协商", "委员", "提案", "经济", "民生", "生态"]
    reference = [list(rng.choice(vocab + ["其他"] * 4, size=rng.integers(0, 15))) for _ in range(30)]
    terms = vocab[:5]
    n, index, single, joint = cooccurrence(terms, reference, window=window)
    n_bf, single_bf, joint_bf = brute_force_windows(reference, terms, window)
    assert n == n_bf
    for t in terms:
        assert single[index[t]] == single_bf[t]
    for (a, b), count in joint_bf.items():
        assert joint[index[a], index[b]] == count


def test_window_validation():
    for bad in (0, 1, -3, 2.5, "10", True):
        with pytest.raises(ParameterError, match="window"):
            topic_coherence([["政协", "协商"]], PARAS, window=bad)
    with pytest.raises(ParameterError, match="top_n"):
        topic_coherence([["政协", "协商"]], PARAS, top_n=1)


@pytest.mark.parametrize("window", [None, 2, 3, 10, 40])
def test_reference_index_counts_equal_the_token_lists(window):
    # the index a k search on a sample uses (NPMI over the whole corpus without a Python pass per call): the same
    # integer counts, so the same NPMI, as reading the token lists; units without a token are no window
    rng = np.random.default_rng(7)
    vocab = [f"词{i}" for i in range(25)]
    reference = [list(rng.choice(vocab + ["其他"] * 5, size=rng.integers(0, 30))) for _ in range(200)]
    index = ReferenceIndex(reference, vocab)
    for terms in (vocab[:10], vocab[8:] + vocab[8:10], [], ["词3"]):
        expected = cooccurrence(terms, reference, window=window)
        got = cooccurrence(terms, index, window=window)
        assert got[:2] == expected[:2]
        assert np.array_equal(got[2], expected[2]) and np.array_equal(got[3], expected[3])
        assert got[3].dtype == expected[3].dtype
    topics = [list(rng.choice(vocab, 8, replace=False)) for _ in range(6)]
    pd.testing.assert_frame_equal(
        topic_coherence(topics, index, window=window), topic_coherence(topics, reference, window=window)
    )
    pd.testing.assert_frame_equal(
        npmi_pairs(vocab[:6], index, window=window), npmi_pairs(vocab[:6], reference, window=window)
    )
    with pytest.raises(ParameterError, match="not in the vocabulary"):
        topic_coherence([["词1", "其他"]], index, window=window)
