"""Numbered shorthands joined into one token before term candidates are counted (terms/shorthands.py)."""

from __future__ import annotations

import pandas as pd

from cppcc_nlp.terms.shorthands import merge_shorthands

from conftest import needs_shared


def _table(sentences):
    rows = []
    for k, (doc, words) in enumerate(sentences):
        pos = 0
        for w in words:
            num = w in "两二三四五六七八九十一"
            rows.append(
                dict(
                    doc_id=doc, sent=k, token=w, start=pos, end=pos + len(w), is_num=num, is_stop=False, is_punct=False
                )
            )
            pos += len(w)
    return pd.DataFrame(rows)


def test_a_recurring_shorthand_is_joined_and_a_count_is_not():
    table = _table(
        [
            ("a", ["加快", "建设", "五", "个", "中心", "，", "做好", "三", "个", "方面"]),
            ("b", ["五", "个", "中心", "建设", "和", "两旧", "一村", "改造"]),
            ("c", ["推进", "两旧", "一村", "，", "用", "了", "两", "个", "月"]),
            ("c", ["只说", "一", "次", "的", "七", "个", "小镇"]),
        ]
    )
    merged = merge_shorthands(table)
    tokens = merged["token"].tolist()
    assert tokens.count("五个中心") == 2 and tokens.count("两旧一村") == 2
    assert "三个方面" not in tokens and "两个月" not in tokens  # counts
    assert "七个小镇" not in tokens  # one use in one document: no evidence
    row = merged[merged["token"] == "五个中心"].iloc[0]
    assert (row["start"], row["end"], row["is_num"]) == (4, 8, False)
    assert len(merged) == len(table) - 6


def test_nothing_to_join_returns_the_table():
    table = _table([("a", ["乡村", "振兴"])])
    assert merge_shorthands(table) is table


def _joined_position_by_position(table, min_docs=2, min_freq=3):
    """The tokens after joining, each numeral-led token read on its own with its sentence (the plain reading
    that merge_shorthands makes once per distinct window)."""
    from collections import defaultdict

    from cppcc_nlp.terms.shorthands import _PAIR_LEAD, COUNT_HEADS, LEAD, MEASURES, _runs_at

    tokens = table["token"].tolist()
    sentence_of = list(zip(table["doc_id"].tolist(), table["sent"].tolist()))
    found, docs, count, numerals = [], defaultdict(set), defaultdict(int), defaultdict(set)
    for row, token in enumerate(tokens):
        if token[:1] not in _PAIR_LEAD:
            continue
        lo = row - 1 if row and sentence_of[row - 1] == sentence_of[row] else row
        hi = row
        while hi < min(row + 4, len(tokens)) and sentence_of[hi] == sentence_of[row]:
            hi += 1
        for i, j, head in _runs_at(tokens[lo:hi], row - lo):
            s = "".join(tokens[lo + i : lo + j])
            if head is not None:
                if head.startswith(tuple(COUNT_HEADS)):
                    continue
                numerals[s[1:]].add(s[0])
            found.append((lo + i, lo + j, s))
            docs[s].add(sentence_of[row][0])
            count[s] += 1
    keep = {
        s
        for s in count
        if (len(docs[s]) >= min_docs or count[s] >= min_freq)
        and not (s[0] in LEAD and s[1:2] in MEASURES and len(numerals[s[1:]]) >= 3)
    }
    best = {}
    for a, b, s in found:
        if s in keep and (a not in best or (b > best[a][1] and count[s] == count[best[a][2]])):
            best[a] = (a, b, s)
    out, last = list(tokens), -1
    for a, b, s in sorted(best.values()):
        if a > last:
            out[a], out[a + 1 : b], last = s, [None] * (b - a - 1), b - 1
    return [t for t in out if t is not None]


@needs_shared
def test_each_window_read_once_joins_what_each_position_read_on_its_own_joins(shared_corpus):
    from cppcc_nlp.tokens import tokens

    table = tokens(shared_corpus)
    merged = merge_shorthands(table)
    assert merged["token"].tolist() == _joined_position_by_position(table)
    assert {"两个确立", "四个意识"} <= set(merged["token"]) and len(merged) < len(table) - 500


def test_windows_and_positions_agree_at_sentence_edges():
    # 五 opens a sentence after one that ends in a numeral (共 / 三): the token before it is not in its sentence
    table = _table(
        [
            ("a", ["共", "三"]),
            ("a", ["五", "个", "中心", "建设"]),
            ("b", ["有", "十"]),
            ("b", ["五", "个", "中心"]),
            ("b", ["第", "十", "五", "个", "中心"]),  # here the token before ends in a numeral: not joined
            ("c", ["三", "大", "先导", "产业"]),
            ("d", ["发展", "三", "大", "先导", "产业", "，", "两旧", "一村"]),
        ]
    )
    merged = merge_shorthands(table)["token"].tolist()
    assert merged == _joined_position_by_position(table)
    assert merged.count("五个中心") == 2 and merged.count("三大先导产业") == 2


@needs_shared
def test_a_categorical_token_column_is_rewritten_as_a_string_one(shared_corpus):
    """The count table hands the rewrites its tokens as a categorical (codes are taken and set, not Arrow strings):
    joining and folding give the same tokens, flags and offsets as from the string column, and the new strings
    (五个中心, 大众创业万众创新) become categories."""
    from cppcc_nlp.terms.variants import _token_codes, fold_variants
    from cppcc_nlp.tokens import tokens

    table = tokens(shared_corpus)
    codes, vocab = _token_codes(table)
    categorical = table.assign(token=pd.Categorical.from_codes(codes, categories=pd.Index(vocab, dtype=object)))
    plain, coded = fold_variants(merge_shorthands(table)), fold_variants(merge_shorthands(categorical))
    assert isinstance(coded["token"].dtype, pd.CategoricalDtype)
    assert coded["token"].astype(object).tolist() == plain["token"].astype(str).tolist()
    others = [c for c in plain.columns if c != "token"]
    pd.testing.assert_frame_equal(coded[others], plain[others])
    joined = set(coded["token"].astype(object)) - set(vocab)
    assert {"两个确立", "大众创业万众创新"} & set(coded["token"].astype(object)) and len(joined) > 10
