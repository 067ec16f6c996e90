"""Numbered shorthands joined into one token before term candidates are counted (terms/shorthands.py)."""

from __future__ import annotations

import pandas as pd

from cppcc_nlp.terms.shorthands import merge_shorthands


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
