"""Numbered shorthands kept whole for term extraction: 五个中心, 四大功能, 两张网, 两旧一村.

The segmenter splits a number-led formulation that is in no lexicon (``五 / 个 / 中心``), and a number never
starts a term candidate (:mod:`cppcc_nlp.terms.candidates`: 2002年, 三个 are figures).  Before candidates are
counted, :func:`merge_shorthands` joins such runs into one token, so the shorthand is a candidate like any
other word:

* a numeral 两 二 … 十 or 双, a measure word 个 大 项 条 张 (optional), and one or two word tokens of two to five
  characters in all (五个中心, 四大品牌, 两张网, 五个新城, 三大先导产业; the two-word form only where the one-word
  form is never said without it);
* two numeral-led pairs in a row, four to eight characters (两旧一村, 一江一河, 五好两宜);

and only where the joined string recurs: in two or more documents or three times in one.  A count is not a
shorthand: a head that is a unit, time span or generic noun (两个月, 三个方面, 十个百分点: :data:`COUNT_HEADS`)
is never joined, nor a head seen with three or more different numerals (两个方面, 三个方面, 五个方面).
"""

from __future__ import annotations

import re
from collections import defaultdict

import numpy as np
import pandas as pd

from cppcc_nlp.terms.variants import _set_tokens, _token_codes, _value_codes

LEAD = set("两二三四五六七八九十双")
MEASURES = set("个大项条张")
#: heads that make a count, not a name (a head starting with one of these is never joined)
COUNT_HEADS = (
    "月 年 日 天 周 季度 小时 百分点 倍 方面 部分 问题 层次 阶段 环节 方向 指标 措施 工作 任务 项目 单位 地区 "
    "城市 国家 省 市 县 区 人 家 名 所 座 件 次 批 类 种 级 位 点 条 个 多 亿 万 千 百 元 吨 公里 平方 文件 "
    "会议 重点 领域 方案 政策 企业 方式 环境 条件 因素 矛盾 风险 难题 目标 要求 原则 关系 小组 班子 代表"
).split()
_COUNT_HEADS = tuple(COUNT_HEADS)
PAIR = re.compile(r"^(?:[一二两三四五六七八九十百千万双][\u4e00-\u9fff]{1,2}){2,3}$")
CJK_WORD = re.compile(r"^[\u4e00-\u9fff]+$")
_NUMERALS = "一二两三四五六七八九十百千万"
#: first characters of a numeral-led pair (两旧, 一村)
_PAIR_LEAD = frozenset(LEAD | {"一"})


def _runs_at(tokens: list[str], i: int):
    """(start, stop, head) token spans that may form a shorthand starting at token ``i`` of ``tokens`` (a sentence,
    or the part of it from the token before ``i`` to three tokens after it), the longest first."""
    n, t = len(tokens), tokens[i]
    if t in LEAD and (i == 0 or not tokens[i - 1] or tokens[i - 1][-1] not in _NUMERALS):
        j = i + 1 + (i + 1 < n and tokens[i + 1] in MEASURES)
        for stop in (j + 1, j + 2):  # a one-word head, and a two-word one (先导 / 产业)
            head = "".join(tokens[j:stop])
            if stop <= n and 2 <= len(head) <= 5 and all(CJK_WORD.match(x) for x in tokens[j:stop]):
                yield i, stop, head
    # compact pairs already segmented into numeral-led tokens: 两旧 / 一村, 一江 / 一河
    if t[:1] not in _PAIR_LEAD:
        return
    for stop in range(min(n, i + 4), i + 1, -1):
        s = "".join(tokens[i:stop])
        if 4 <= len(s) <= 8 and PAIR.match(s):
            yield i, stop, None
            break


def _window_runs(window: list[int], vocab: np.ndarray) -> list[tuple[int, str, str | None]]:
    """The runs that may be joined at the first token of a window (see :func:`merge_shorthands`): (tokens
    spanned, string, head or None), in the order of :func:`_runs_at`, counts (两个月) left out."""
    before = "一" if window[0] else ""  # (only whether the token before ends in a numeral matters)
    words = [before, *(vocab[c] for c in window[1:] if c >= 0)]
    out = []
    for i, j, head in _runs_at(words, 1):
        if head is None or not head.startswith(_COUNT_HEADS):
            out.append((j - i, "".join(words[i:j]), head))
    return out


def merge_shorthands(table: pd.DataFrame, *, min_docs: int = 2, min_freq: int = 3) -> pd.DataFrame:
    """The token table with recurring numbered shorthands joined into one token each.

    Parameters
    ----------
    table : the token table of :func:`cppcc_nlp.tokens` (columns ``doc_id``, ``sent``, ``token``, ``start``,
        ``end``, ``is_num``, ``is_stop``, ``is_punct``; other columns are kept from the first token).
    min_docs, min_freq : a shorthand is joined when it stands in ``min_docs`` documents or more, or
        ``min_freq`` times or more.

    Returns
    -------
    pandas.DataFrame
        The same columns; a joined token has the text of its parts, ``start`` of the first and ``end`` of the
        last, and is no number nor stop word.  The table itself when nothing is joined.

    Examples
    --------
    ``加快建设“五个中心” … 五个中心建设`` (two documents): ``五 / 个 / 中心`` → ``五个中心``; ``三 / 个 / 方面``
    stays as it is.
    """
    if table.empty or "sent" not in table.columns:
        return table
    # tokens and documents as integer codes: only the sentences worth reading become Python strings
    codes, vocab = _token_codes(table)
    doc, sent = _value_codes(table["doc_id"]), table["sent"].to_numpy()
    n = len(codes)
    # a shorthand starts at a numeral-led token and spans at most four tokens of its sentence
    new_sentence = np.ones(n, bool)
    new_sentence[1:] = (doc[1:] != doc[:-1]) | (sent[1:] != sent[:-1])
    sentence = np.cumsum(new_sentence) - 1
    starts = np.flatnonzero(new_sentence)
    stops = np.append(starts[1:], n)
    led = np.fromiter((t[:1] in _PAIR_LEAD for t in vocab), bool, len(vocab))
    at = np.flatnonzero(led[codes])
    if not len(at):
        return table
    # what may be joined at such a token depends only on its window: whether the token before it (in its
    # sentence) ends in a numeral, and the sentence's tokens from it on, four at most.  Windows repeat (五个中心,
    # 两个确立 in every report), so each distinct window is read once, in Python, and its runs counted for all.
    numeral_end = np.fromiter((bool(t) and t[-1] in _NUMERALS for t in vocab), bool, len(vocab))
    window = np.full((len(at), 5), -1, np.int64)
    window[:, 0] = (at > starts[sentence[at]]) & numeral_end[codes[np.maximum(at - 1, 0)]]
    for k in range(4):
        inside = at + k < stops[sentence[at]]
        window[inside, k + 1] = codes[at[inside] + k]
    distinct, which = np.unique(window, axis=0, return_inverse=True)
    which = which.reshape(-1)
    runs = [_window_runs(w, vocab) for w in distinct.tolist()]  # per window: (tokens spanned, string, head)
    uses = np.bincount(which, minlength=len(distinct))
    count: dict[str, int] = defaultdict(int)
    numerals_of: dict[str, set] = defaultdict(set)
    for found, n_uses in zip(runs, uses.tolist()):
        for _, s, head in found:
            count[s] += n_uses
            if head is not None:
                numerals_of[s[1:]].add(s[0])
    seen_docs: dict[str, set] = defaultdict(set)
    n_docs = int(doc.max()) + 1
    for pair in np.unique(which.astype(np.int64) * n_docs + doc[at]).tolist():
        w, d = divmod(pair, n_docs)
        for _, s, _ in runs[w]:
            seen_docs[s].add(d)
    keep = {
        s
        for s in count
        if (len(seen_docs[s]) >= min_docs or count[s] >= min_freq)
        and not (s[0] in LEAD and s[1:2] in MEASURES and len(numerals_of[s[1:]]) >= 3)
    }
    # at one position the two-word form wins only when the one-word form is never said without it
    # (三大先导 always before 产业; 五个中心 before 建设 in some uses only)
    chosen = []  # per window: (tokens spanned, string) of the run joined there, or None
    for found in runs:
        best = None
        for size, s, _ in found:
            if s in keep and (best is None or (size > best[0] and count[s] == count[best[1]])):
                best = (size, s)
        chosen.append(best)
    spans = [(a, a + chosen[w][0], chosen[w][1]) for a, w in zip(at.tolist(), which.tolist()) if chosen[w]]
    if not spans:
        return table
    drop = np.zeros(n, bool)
    first, joined, ends = [], [], []  # the first row of each shorthand joined, its string, its end
    end = table["end"].to_numpy()
    last = -1
    for a, b, s in spans:
        if a <= last:
            continue  # overlaps a shorthand already joined
        first.append(a)
        joined.append(s)
        ends.append(end[b - 1])
        drop[a + 1 : b] = True
        last = b - 1
    out = table[~drop].reset_index(drop=True)
    at = (np.cumsum(~drop) - 1)[first]  # their rows in ``out``
    _set_tokens(out, at, joined)
    out.iloc[at, out.columns.get_loc("end")] = ends
    # numeral-led strings of two or more characters are no numbers nor stop words
    lead = np.zeros(len(out), bool)
    lead[at] = [len(s) > 1 and s[0] in _PAIR_LEAD for s in joined]
    out.loc[lead, ["is_num", "is_stop"]] = False
    return out
