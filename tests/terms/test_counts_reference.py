"""Terms from the shared n-gram counts equal main's pure-Python implementation on ../shared/corpora (slow).

The reference files in tests/data/terms_reference/ were written by tools/make_terms_reference.py with main at
4a13c6a, before the counts moved to cppcc_nlp/tokens/ngrams.py.  Also: warm (cached) and cold give the same
candidates, and a corpus with one more report counts only that report and the reports whose folding it changes.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from cppcc_nlp.terms.candidates import count_candidates, term_candidates
from cppcc_nlp.terms.counts import term_frequencies
from cppcc_nlp.terms.keyness import keyness
from cppcc_nlp.terms.ranking import extract_terms, term_tfidf
from cppcc_nlp.terms.shorthands import merge_shorthands
from cppcc_nlp.terms.variants import fold_variants
from cppcc_nlp.tokens import ngrams

from conftest import DATA

REFERENCE = DATA / "terms_reference"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def shared_tokens(shared_corpus):
    import cppcc_nlp as cn

    return cn.tokens(shared_corpus)


def read(frame_or_name) -> pd.DataFrame:
    """A reference file, or a fresh result passed through CSV the same way (same types on both sides)."""
    if isinstance(frame_or_name, str):
        return pd.read_csv(REFERENCE / frame_or_name, keep_default_na=False, na_values=[""])
    text = frame_or_name.to_csv(index=False)
    return pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])


def assert_same(new: pd.DataFrame, name: str) -> None:
    ref, new = read(name), read(new)
    assert list(new.columns) == list(ref.columns)
    assert len(new) == len(ref)
    for col in ref.columns:
        x, y = ref[col], new[col]
        if x.dtype.kind == "f" or y.dtype.kind == "f":
            close = np.isclose(x.astype(float), y.astype(float), rtol=1e-9, atol=1e-12, equal_nan=True)
            assert close.all(), f"{name}: {col} differs at rows {np.flatnonzero(~close)[:10].tolist()}"
        else:
            same = x.astype(str).to_numpy() == y.astype(str).to_numpy()
            assert same.all(), f"{name}: {col} differs at rows {np.flatnonzero(~same)[:10].tolist()}"


def test_candidates_equal_the_reference(shared_tokens):
    cands = term_candidates(shared_tokens)
    years = cands["year_freq"].map(lambda d: ";".join(f"{k}:{v}" for k, v in sorted(d.items())))
    cands = cands.assign(year_freq=years).drop(columns=["tokens", "doc_counts", "group_freq", "n_years"])
    ref = read("candidates.csv.gz")
    assert len(cands) == len(ref) > 10_000
    # the same terms; row order is the order of first use, compared by term
    assert_same(cands.set_index("term").loc[ref["term"]].reset_index(), "candidates.csv.gz")


def test_extract_terms_equal_the_reference(shared_tokens):
    assert_same(extract_terms(shared_tokens, top=300), "extract_terms_top300.csv")


def test_keyness_equals_the_reference(shared_tokens):
    assert_same(keyness(shared_tokens, target=2016), "keyness_2016.csv.gz")
    assert_same(keyness(shared_tokens, target="2017-2019", reference=(2010, 2014)), "keyness_2017_2019.csv.gz")


def test_frequencies_and_tfidf_equal_the_reference(shared_tokens):
    assert_same(term_frequencies(shared_tokens, by="year", top=30), "frequencies_year.csv.gz")
    wanted = ["供给侧结构性改革", "政协委员", "高质量发展", "不存在的词"]
    assert_same(term_frequencies(shared_tokens, wanted, by="period"), "frequencies_period.csv")
    assert_same(term_tfidf(shared_tokens, top=5), "tfidf_top5.csv")


def _rewritten_by_document(table: pd.DataFrame, shorthands: bool = False) -> dict:
    """{document: its tokens as counted}: folded (and with numbered shorthands joined) on the whole table."""
    rewritten = fold_variants(merge_shorthands(table) if shorthands else table)
    return {d: g["token"].astype(str).tolist() for d, g in rewritten.groupby("doc_id", sort=False, observed=True)}


def test_warm_equals_cold_and_a_refresh_recounts_only_what_it_changes(shared_tokens, tmp_path, monkeypatch):
    """Each document is counted as folded.  A new report is counted, and so is again every report whose folding
    it changes (a variant it writes as one word): the others are read back, and the result equals a count from
    an empty cache."""
    monkeypatch.setenv("CPPCC_NLP_CACHE", str(tmp_path))
    doc = shared_tokens["doc_id"].astype(str)
    docs = list(pd.unique(doc))
    new = sorted(d for d in docs if d.startswith("provincial-shanghai"))[-1]
    earlier = shared_tokens[(doc != new).to_numpy()]
    calls = []
    real = ngrams.count_ngrams
    monkeypatch.setattr(ngrams, "count_ngrams", lambda *a, **k: calls.append(1) or real(*a, **k))
    term_candidates(earlier)
    assert len(calls) == len(docs) - 1  # cold: one count per report
    before, after = _rewritten_by_document(earlier), _rewritten_by_document(shared_tokens)
    refolded = [d for d in before if before[d] != after[d]]
    assert 0 < len(refolded) < len(docs) // 2  # (the Shanghai reports of 2020-2023 and a few national ones)
    calls.clear()
    cold = term_candidates(shared_tokens)
    assert len(calls) == 1 + len(refolded)  # the new report, and the reports whose folding it changes
    calls.clear()
    warm = term_candidates(shared_tokens)
    assert calls == []
    pd.testing.assert_frame_equal(cold, warm)
    # numbered shorthands joined (as extract_terms does): the reports that joining changes (here, every one) are
    # counted as joined, once
    joined = _rewritten_by_document(shared_tokens, shorthands=True)
    count_candidates(shared_tokens, shorthands=True)
    assert len(calls) == sum(joined[d] != after[d] for d in docs) > 0
    calls.clear()
    count_candidates(shared_tokens, shorthands=True)
    assert calls == []
    monkeypatch.setenv("CPPCC_NLP_CACHE", str(tmp_path / "empty"))
    fresh = term_candidates(shared_tokens)  # all counted at once, nothing read back
    assert len(calls) == len(docs)
    pd.testing.assert_frame_equal(cold, fresh)


def test_a_refresh_gives_the_terms_and_keyness_of_a_full_recomputation(shared_tokens, tmp_path, monkeypatch):
    """The shared corpora less their latest Shanghai report are ranked first, the counts kept in the cache; the
    whole corpus ranked then (every other report's counts read back) equals the whole corpus ranked from an
    empty cache, for extract_terms (as analyze runs it) and keyness (the new report against its series)."""
    doc = shared_tokens["doc_id"].astype(str)
    new = sorted(doc[doc.str.startswith("provincial-shanghai")].unique())[-1]
    series = shared_tokens.loc[(doc == new).to_numpy(), "series"].iloc[0]
    year = int(shared_tokens.loc[(doc == new).to_numpy(), "year"].iloc[0])
    earlier = shared_tokens[(doc != new).to_numpy()]
    monkeypatch.setenv("CPPCC_NLP_CACHE", str(tmp_path / "refreshed"))
    extract_terms(earlier, by_year=True)
    keyness(earlier, target=year - 1, series=series)
    calls = []
    real = ngrams.count_ngrams
    monkeypatch.setattr(ngrams, "count_ngrams", lambda *a, **k: calls.append(1) or real(*a, **k))
    refreshed = extract_terms(shared_tokens, by_year=True), keyness(shared_tokens, target=year, series=series)
    assert 0 < len(calls) < 20  # the new report, and the reports whose rewriting it changes: not the corpus
    monkeypatch.setenv("CPPCC_NLP_CACHE", str(tmp_path / "cold"))
    cold = extract_terms(shared_tokens, by_year=True), keyness(shared_tokens, target=year, series=series)
    pd.testing.assert_frame_equal(refreshed[0], cold[0])
    pd.testing.assert_frame_equal(refreshed[1], cold[1])


def test_counts_read_and_merged_in_batches_are_those_of_one_merge(shared_tokens, tmp_path, monkeypatch):
    """The terms count table reads and merges the documents' counts a batch at a time (to hold less at once):
    with batches of 3 of the 26 reports, some counted, some read back from the cache, the merged counts are
    those of one merge of every report, array for array."""
    from cppcc_nlp.terms import candidates

    monkeypatch.setattr(candidates, "MERGE_BATCH", 10_000)
    whole, units = candidates._count_table(shared_tokens, 9, None, tmp_path / "one", True)
    n_docs = shared_tokens["doc_id"].nunique()
    calls = []
    real = ngrams.count_ngrams
    monkeypatch.setattr(ngrams, "count_ngrams", lambda *a, **k: calls.append(1) or real(*a, **k))
    monkeypatch.setattr(candidates, "MERGE_BATCH", 3)
    candidates._count_table(shared_tokens, 9, None, tmp_path / "batched", True)
    # (every other report's cached counts taken away: the batches mix counts read back and counted afresh)
    taken = sorted((tmp_path / "batched" / "ngrams").rglob("*.counts"))[::2]
    for entry in taken:
        entry.unlink()
    calls.clear()
    batched, batched_units = candidates._count_table(shared_tokens, 9, None, tmp_path / "batched", True)
    assert n_docs == 26 and len(calls) == len(taken) == 13  # (9 batches)
    assert batched.n_units == whole.n_units > n_docs
    for field in ngrams.NgramCounts.FIELDS:
        one, merged = getattr(whole, field), getattr(batched, field)
        assert one.dtype == merged.dtype and np.array_equal(one, merged), field
    pd.testing.assert_frame_equal(units, batched_units)
