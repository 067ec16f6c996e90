"""The shared n-gram counts (cppcc_nlp/tokens/ngrams.py): against a plain Python count, merged, and cached."""

from __future__ import annotations

import warnings
from collections import Counter

import numpy as np
import pytest

from cppcc_nlp._cache import CacheWarning
from cppcc_nlp.tokens import ngrams
from cppcc_nlp.tokens.ngrams import NgramCounts, cached_counts, count_ngrams, merge_counts

SENTENCES = [
    "发挥 委员 工作站 作用 ， 形成 社情 民意 信息 。",
    "依托 委员 工作站 开展 活动 ， 报送 社情 民意 信息 。",
    "建好 委员 工作站 ， 用好 社情 民意 信息 ， 推进 高 质量 发展 。",
]


def arrays(sentences):
    tokens, sentence = [], []
    for k, s in enumerate(sentences):
        for t in s.split():
            tokens.append(t)
            sentence.append(k)
    tokens = np.array(tokens, dtype=object)
    return tokens, np.isin(tokens, ["，", "。"]), np.array(sentence)


def python_counts(sentences, max_n):
    """The reference: every n-gram of every run, counted with tuples; starts and ends of runs."""
    count, start, end = Counter(), Counter(), Counter()
    for s in sentences:
        run = []
        for t in s.split() + ["。"]:
            if t in "，。":
                for i in range(len(run)):
                    for n in range(1, min(max_n, len(run) - i) + 1):
                        gram = tuple(run[i : i + n])
                        count[gram] += 1
                        start[gram] += i == 0
                        end[gram] += i + n == len(run)
                run = []
            else:
                run.append(t)
    return count, start, end


def lookup(counts: NgramCounts, gram) -> tuple[int, int, int]:
    at = np.flatnonzero(counts.gram == NgramCounts.gram_hash(gram))
    rows = np.isin(counts.ref, at)
    return int(counts.count[rows].sum()), int(counts.at_start[rows].sum()), int(counts.at_end[rows].sum())


def test_counts_match_a_plain_count():
    tokens, sep, sent = arrays(SENTENCES)
    counts = count_ngrams(tokens, separator=sep, sentence=sent, max_n=3)
    count, start, end = python_counts(SENTENCES, 3)
    assert len(counts.gram) == len(count)  # every distinct gram once, no hash collision here
    for gram, c in count.items():
        assert lookup(counts, gram) == (c, start[gram], end[gram]), gram
    # links: 社情民意信息's prefix is 社情民意, its suffix 民意信息, its last token 信息
    k = np.flatnonzero(counts.gram == NgramCounts.gram_hash(["社情", "民意", "信息"]))[0]
    assert counts.prefix[k] == NgramCounts.gram_hash(["社情", "民意"])
    assert counts.suffix[k] == NgramCounts.gram_hash(["民意", "信息"])
    assert counts.last[k] == NgramCounts.gram_hash(["信息"])
    assert counts.n[k] == 3 and counts.n_chars[k] == 6


def test_runs_do_not_cross_sentences_or_units():
    tokens = np.array(["委员", "工作站", "委员", "工作站"], dtype=object)
    sep = np.zeros(4, bool)
    whole = count_ngrams(tokens, separator=sep, sentence=np.zeros(4), max_n=2)
    assert lookup(whole, ("工作站", "委员")) == (1, 0, 0)
    split = count_ngrams(tokens, separator=sep, sentence=np.array([0, 0, 1, 1]), max_n=2)
    assert lookup(split, ("工作站", "委员"))[0] == 0
    units = count_ngrams(tokens, separator=sep, sentence=np.zeros(4), unit=np.array([0, 0, 1, 1]), max_n=2)
    assert lookup(units, ("工作站", "委员"))[0] == 0
    assert units.n_units == 2
    assert sorted(units.unit[units.ref == np.flatnonzero(units.gram == NgramCounts.gram_hash(["委员"]))[0]]) == [0, 1]


def test_edge_counts_record_which_uses_may_start_and_end():
    tokens = np.array(["推进", "委员", "工作站", "，", "委员", "工作站"], dtype=object)
    sep = tokens == "，"
    ok_start = tokens != "推进"
    marked = tokens == "工作站"
    counts = count_ngrams(tokens, separator=sep, sentence=np.zeros(6), max_n=3, ok_start=ok_start, marked=marked)

    def edges(gram):
        rows = np.flatnonzero(counts.ref == np.flatnonzero(counts.gram == NgramCounts.gram_hash(gram))[0])
        at = np.isin(counts.edge_row, rows)
        return sorted(zip(counts.edge_bucket[at].tolist(), counts.edge_count[at].tolist()))

    assert edges(("推进", "委员")) == []  # 推进 may not start
    assert edges(("委员", "工作站")) == [(1, 2)]  # first unmarked, last (工作站) marked: 2 * 0 + 1, twice
    assert edges(("委员",)) == [(0, 2)]


def test_merged_documents_sum_to_the_whole():
    tokens, sep, sent = arrays(SENTENCES)
    cut = 10  # the first sentence (with its 。) is document 0
    a = count_ngrams(tokens[:cut], separator=sep[:cut], sentence=sent[:cut], max_n=4)
    b = count_ngrams(tokens[cut:], separator=sep[cut:], sentence=sent[cut:], max_n=4)
    whole = count_ngrams(tokens, separator=sep, sentence=sent, max_n=4)
    merged = merge_counts([a, b], positions=[0, cut])
    assert merged.n_units == 2 and sorted(set(merged.unit.tolist())) == [0, 1]
    assert np.array_equal(merged.gram, whole.gram)
    total = np.bincount(merged.ref, weights=merged.count, minlength=len(merged.gram))
    assert np.array_equal(total, np.bincount(whole.ref, weights=whole.count, minlength=len(whole.gram)))
    assert merged.vocab_text.tolist() == whole.vocab_text.tolist()  # both sorted by hash
    assert np.array_equal(merged.first, whole.first)  # positions of first use, the second piece shifted
    # a piece taken out again leaves the other
    back = merge_counts([a, b, b.negated()], positions=[0, cut, cut])
    total = np.bincount(back.ref, weights=back.count, minlength=len(back.gram))
    alone = merge_counts([a])
    assert {h: c for h, c in zip(back.gram.tolist(), total.tolist()) if c} == dict(
        zip(alone.gram.tolist(), np.bincount(alone.ref, weights=alone.count, minlength=len(alone.gram)).tolist())
    )


def test_cache_reads_back_and_counts_only_what_changed(tmp_path, monkeypatch):
    tokens, sep, sent = arrays(SENTENCES)
    first = cached_counts(tokens, separator=sep, sentence=sent, max_n=3, cache=tmp_path)
    files = list((tmp_path / "ngrams").rglob("*.counts"))
    assert len(files) == 1
    calls = []
    real = ngrams.count_ngrams
    monkeypatch.setattr(ngrams, "count_ngrams", lambda *a, **k: calls.append(1) or real(*a, **k))
    again = cached_counts(tokens, separator=sep, sentence=sent, max_n=3, cache=tmp_path)
    assert calls == []  # read back, not counted
    for field in NgramCounts.FIELDS:
        assert np.array_equal(getattr(first, field), getattr(again, field)), field
    # another flag, another max_n, another token: each a new key, counted once
    cached_counts(tokens, separator=sep, sentence=sent, max_n=3, ok_start=tokens != "委员", cache=tmp_path)
    cached_counts(tokens, separator=sep, sentence=sent, max_n=2, cache=tmp_path)
    changed = tokens.copy()
    changed[0] = "发扬"
    cached_counts(changed, separator=sep, sentence=sent, max_n=3, cache=tmp_path)
    assert len(calls) == 3
    assert len(list((tmp_path / "ngrams").rglob("*.counts"))) == 4


def test_counts_read_back_from_bytes_whatever_their_sizes():
    tokens, sep, sent = arrays(SENTENCES)
    for size in range(len(tokens) + 1):  # headers and arrays of every length, padded to 8 bytes
        counts = count_ngrams(tokens[:size], separator=sep[:size], sentence=sent[:size], max_n=3)
        again = NgramCounts.from_bytes(counts.to_bytes())
        assert again.n_units == counts.n_units
        for field in NgramCounts.FIELDS:
            value = getattr(again, field)
            assert value.dtype == getattr(counts, field).dtype and np.array_equal(value, getattr(counts, field))
            assert value.flags.writeable


def test_damaged_cache_entry_is_counted_again(tmp_path):
    tokens, sep, sent = arrays(SENTENCES)
    first = cached_counts(tokens, separator=sep, sentence=sent, max_n=3, cache=tmp_path)
    (path,) = list((tmp_path / "ngrams").rglob("*.counts"))
    raw = bytearray(path.read_bytes())
    raw[-10] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.warns(CacheWarning):
        again = cached_counts(tokens, separator=sep, sentence=sent, max_n=3, cache=tmp_path)
    assert np.array_equal(first.count, again.count)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cached_counts(tokens, separator=sep, sentence=sent, max_n=3, cache=tmp_path)  # rewritten, sound


def test_empty_input():
    counts = count_ngrams(np.array([], dtype=object), separator=np.zeros(0, bool), sentence=np.zeros(0), max_n=3)
    assert len(counts.gram) == 0 and counts.n_units == 0
    only_punct = np.array(["，", "。"], dtype=object)
    counts = count_ngrams(only_punct, separator=np.ones(2, bool), sentence=np.zeros(2), max_n=3)
    assert len(counts.gram) == 0


def test_entry_of_another_layout_is_counted_again(tmp_path):
    from cppcc_nlp._cache import write_verified_bytes

    tokens, sep, sent = arrays(SENTENCES)
    first = cached_counts(tokens, separator=sep, sentence=sent, max_n=3, cache=tmp_path)
    (path,) = list((tmp_path / "ngrams").rglob("*.counts"))
    write_verified_bytes(path, b"not a buffer of counts", inputs=path.stem)  # sound header, wrong content
    with pytest.warns(CacheWarning, match="another layout"):
        again = cached_counts(tokens, separator=sep, sentence=sent, max_n=3, cache=tmp_path)
    assert np.array_equal(first.count, again.count)


def test_store_check_verifies_ngram_entries(tmp_path):
    from cppcc_nlp.corpus.store import CorpusStore

    store = CorpusStore(tmp_path / "store", create=True)
    tokens, sep, sent = arrays(SENTENCES)
    cached_counts(tokens, separator=sep, sentence=sent, max_n=3, cache=tmp_path / "store" / "cache")
    (path,) = list((tmp_path / "store" / "cache" / "ngrams").rglob("*.counts"))
    report = store.check()
    assert "cache/ngrams" in set(report.loc[report["status"] == "ok", "item"])
    path.write_bytes(path.read_bytes()[:-5])
    report = store.check()
    bad = report[report["status"] == "damaged"]
    assert len(bad) == 1 and bad["item"].iloc[0].endswith(path.name)
