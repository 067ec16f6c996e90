"""Term candidates: runs of tokens inside one sentence, cut by edge rules, counted with their neighbours.

A term is a run of tokens inside one sentence (never across punctuation) that neither starts nor ends with a
function word, a stop word or a number; the term string is the tokens concatenated, so 全面振兴新突破三年行动,
专门协商机构, 社情民意信息, 委员工作站 and 供给侧结构性改革 come out whole however the segmenter split them.

* the edge rules: :data:`EDGE_WORDS`, :data:`LEADING_WORDS`, :data:`ADVERB_OPENERS`, :data:`TRAILING_WORDS`,
  jieba's function-word tags (:data:`FUNCTION_TAGS`), numbers (:data:`NUMBER_RE`);
* bound words, learnt from the corpus at hand: words that never end (国际) or never start (设施) a phrase;
* :func:`token_runs` — the stretches of tokens candidates are taken from;
* :func:`term_candidates` — every candidate with its counts and component scores (C-value, PMI, branching
  entropy; see :mod:`cppcc_nlp.terms.termhood`), ranked by :mod:`cppcc_nlp.terms.ranking`.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict

import numpy as np
import pandas as pd

from cppcc_nlp._text import CN_NUMERALS, DIGITS
from cppcc_nlp.errors import ParameterError
from cppcc_nlp.terms.termhood import branching_entropy, cvalue, min_split_pmi
from cppcc_nlp.terms.variants import fold_variants
from cppcc_nlp.tokens.table import as_token_table

# Edges of a term.  A candidate neither starts nor ends with a stop word, a number or a function word; function
# words are the tokens that jieba's part-of-speech dictionary (about 350,000 words, shipped with jieba) tags as
# conjunction, preposition, particle, pronoun, adverb, measure word, time word, modal particle or
# interjection (not localizers and numerals: jieba tags 西部 and 一带 so), plus the list below, which general
# dictionaries miss or tag as nouns.  A term may still contain them inside (国防和军队建设).
FUNCTION_TAGS = ("c", "p", "u", "r", "d", "q", "y", "e", "o", "x", "t")
EDGE_WORDS = frozenset(
    """
的 地 得 之 了 着 过 和 与 及 以及 或 或者 并 并且 而 而且 同时 还 也 都 又 再 就 才 更 更加 最 很 较 比较 进一步
在 于 对 对于 把 将 被 由 从 向 以 为 为了 按 按照 根据 通过 围绕 经过 关于 至 到 自 给 让 使 等 等等 其 其中
此 这 那 这些 那些 这个 该 各 每 本 我 我们 你 你们 他们 它 大家 自己 之一 方面 一些 有关 相关 所 所有 一切
中 上 下 内 外 后 前 里 间 以上 以下 以来 以后 以前 之间 之中 期间 当中 是 有 没有 不 没 无 要 会 能 可 可以 应 应当
必须 需要 已 已经 正在 将要 继续 不断 不仅 而是 但 但是 如果 因为 所以 因此 一 个 年 月 日 次 项 名 些
比上年 上年 今年 去年 明年 全年 各位 各级 各项 各类 各种 多种 一批 一系列 新 取得 实现 达到 明显 显著
""".split()
)
# Report-style openers: adverbs of manner and the generic action verbs that open an instruction (大力推进…,
# 加快发展…, 认真落实…).  They start a clause, not a term, so they may not start a candidate; a term can still
# begin with a more specific verb (扩大内需, 保障和改善民生, 退耕还林).
LEADING_WORDS = frozenset(
    """
加强 推进 推动 促进 实施 坚持 落实 贯彻 贯彻落实 加快 加大 做好 抓好 搞好 开展 着力 努力 大力 积极 认真 深入
切实 扎实 稳步 坚定不移 全力 严格 严厉 高度 充分 充分发挥 重视 高度重视 进一步 继续 不断 加紧 抓紧 狠抓 着眼
坚决 力争 确保 保持 维护 支持 鼓励 引导 提高 提升 增强 改善 完善 健全 建立 建立健全 优化 强化 巩固 规范 整顿
全面贯彻 认真贯彻 深入推进 深入开展 稳妥 积极稳妥 有效 有序 逐步 主动 广泛 普遍 初步 进行 搞
持续 夺取 发挥 打造 聚焦 紧扣 紧盯 围绕 立足 动员 引领 助力 赋能 承办 召开 举办 开展好 成为 形成 做到
""".split()
)
# adverbs that may not start a candidate when an opener follows them (全面|贯彻落实…, 不断|完善…); jieba's
# adverbial adjectives (tag "ad") count too.  Before a noun they may start a term (全面深化改革 is not blocked:
# 深化 is no opener).
ADVERB_OPENERS = frozenset(
    "全面 大力 积极 深入 认真 切实 扎实 稳步 持续 不断 努力 着力 进一步 继续 全力 坚决 更好".split()
)
# trailing words that end a clause rather than a term
TRAILING_WORDS = frozenset(
    """取得 实现 达到 增加 明显 显著 进行 开展 加强 推进 推动 促进 加快 提高 不断 进一步 贯彻 落实
实施 坚持 完善 工作人员 打造 参与 发挥 成为 形成 做到 召开 举办 承办""".split()
)
# prepositions that turn a run into a clause when they occur inside it (习近平总书记关于东北…, 工作对政协委员)
INNER_BREAK_WORDS = frozenset("关于 对于 对 通过 按照 根据 围绕 在 把 被 将 向 从 由 等 等等 进行 以及".split())
# numbers with an optional measure word (2002年, 三年, 18次) never sit at an edge
# a candidate holding Arabic digits states a figure (国内生产总值增长8%左右), not a term
_DIGIT_RE = re.compile(rf"[{DIGITS}%％]")
NUMBER_RE = re.compile(rf"^[{DIGITS}.．,，%％万亿千百{CN_NUMERALS}零〇两几数第余多]+[年月日次个项件名位家元倍届期批]?$")

_POS_CACHE: dict | None = None


def _function_word(token: str) -> bool:
    """True for a token jieba's dictionary tags as a function word (see FUNCTION_TAGS)."""
    tag = _pos_tag(token)
    return bool(tag) and tag.startswith(FUNCTION_TAGS)


def _pos_tag(token: str) -> str | None:
    """The part of speech jieba's dictionary gives ``token`` (None when absent); loaded once, lazily."""
    global _POS_CACHE
    if _POS_CACHE is None:
        import logging

        import jieba
        import jieba.posseg

        jieba.setLogLevel(logging.WARNING)
        jieba.posseg.dt.tokenizer.initialize()
        _POS_CACHE = jieba.posseg.dt.word_tag_tab
    return _POS_CACHE.get(token)


def _edge_flags(table: pd.DataFrame, tok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which tokens may start and which may end a candidate (see EDGE_WORDS, LEADING_WORDS)."""
    vocab = pd.unique(tok)
    bad_vocab = {
        t
        for t in vocab
        if t in EDGE_WORDS or _function_word(t) or NUMBER_RE.match(t) or not any(ch.isalpha() for ch in t)
    }
    lead_vocab = {t for t in vocab if t in LEADING_WORDS}
    adverb_vocab = {t for t in vocab if t in ADVERB_OPENERS or _pos_tag(t) == "ad"}
    trail_vocab = {t for t in vocab if t in TRAILING_WORDS}
    bad = (
        table["is_stop"].to_numpy(dtype=bool)
        | table["is_num"].to_numpy(dtype=bool)
        | np.fromiter((t in bad_vocab for t in tok), bool, len(tok))
    )
    lead = np.fromiter((t in lead_vocab for t in tok), bool, len(tok))
    # an opener used attributively stays (积极的财政政策, 稳健的货币政策)
    next_de = np.zeros(len(tok), bool)
    next_de[:-1] = tok[1:] == "的"
    # nor does an adverb that modifies a following opener (全面|贯彻落实…, 积极|推进…)
    adverb = np.fromiter((t in adverb_vocab for t in tok), bool, len(tok))
    next_lead = np.zeros(len(tok), bool)
    next_lead[:-1] = lead[1:] & adverb[:-1]
    can_start = ~bad & ~(lead & ~next_de) & ~next_lead
    can_end = ~bad & ~np.fromiter((t in trail_vocab for t in tok), bool, len(tok))
    return can_start, can_end


#: a word seen at least BOUND_MIN_COUNT times in the corpus that ends (starts) fewer than BOUND_MAX_RATE of the
#: runs it occurs in is a bound modifier (head) there and may not end (start) a candidate; see _bound_words
BOUND_MIN_COUNT = 20
BOUND_MAX_RATE = 0.02


def _bound_words(
    tok: np.ndarray, punct: np.ndarray, sent_key: np.ndarray, lexicon: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Which tokens the corpus itself shows never to start or never to end a phrase.

    A run (the stretch between two punctuation marks or clause-making prepositions) ends with a word that can
    close a phrase.  A word that, over at least ``BOUND_MIN_COUNT`` uses, closes fewer than ``BOUND_MAX_RATE``
    of them always needs a head after it: 国际 (国际经济, 国际金融中心: 1 run end in 596 uses), 经济社会, 新型,
    公共, 非公有制; so a candidate ending with it is cut before its head (建设国际 in 建设国际经济、金融…中心).
    Likewise a word that almost never opens a run needs a modifier before it (设施 in 基础设施, 体系, 机制): a
    candidate starting with it is a fragment (设施建设 of 基础设施建设).  Learnt from the corpus at hand, so it
    needs no list and adapts to each corpus; a short report gives too few uses and the rule stays silent.
    Lexicon entries are known terms and never barred.
    """
    n = len(tok)
    if n == 0:
        return np.zeros(0, bool), np.zeros(0, bool)
    new_sent = np.ones(n, bool)
    new_sent[1:] = sent_key[1:] != sent_key[:-1]
    prev_break = new_sent.copy()
    prev_break[1:] |= punct[:-1]
    next_break = np.ones(n, bool)
    next_break[:-1] = new_sent[1:] | punct[1:]
    word = ~punct
    frame = pd.DataFrame({"tok": tok[word], "first": prev_break[word], "last": next_break[word]})
    stats = frame.groupby("tok", sort=False).agg(uses=("first", "size"), first=("first", "sum"), last=("last", "sum"))
    enough = stats["uses"] >= BOUND_MIN_COUNT
    bad_start = set(stats.index[enough & (stats["first"] < BOUND_MAX_RATE * stats["uses"])])
    bad_end = set(stats.index[enough & (stats["last"] < BOUND_MAX_RATE * stats["uses"])])
    never_start = np.fromiter((t in bad_start for t in tok), bool, n) & ~lexicon
    never_end = np.fromiter((t in bad_end for t in tok), bool, n) & ~lexicon
    return never_start, never_end


def token_runs(table: pd.DataFrame, by: str | None = None):
    """Token runs inside sentences, split at punctuation, whitespace and clause-making prepositions.

    Yields ``(doc_index, year, group, tokens, can_start, can_end)``; ``group`` is the value of column ``by``.
    """
    tok = table["token"].astype(str).to_numpy()
    punct = (
        table["is_punct"].to_numpy(dtype=bool)
        | np.fromiter((not t.strip() for t in tok), bool, len(tok))
        | np.fromiter((t in INNER_BREAK_WORDS for t in tok), bool, len(tok))
    )
    can_start, can_end = _edge_flags(table, tok)
    doc_codes, _ = pd.factorize(table["doc_id"], sort=False)
    year = pd.to_numeric(table["year"], errors="coerce").to_numpy(dtype=float)
    group = table[by].to_numpy(dtype=object) if by else np.zeros(len(table), dtype=object)
    sent_key = pd.factorize(pd.MultiIndex.from_arrays([table["para_id"].astype(str), table["sent"]]))[0]
    lexicon = table["in_lexicon"].to_numpy(dtype=bool) if "in_lexicon" in table.columns else np.zeros(len(tok), bool)
    never_start, never_end = _bound_words(tok, punct, sent_key, lexicon)
    can_start = can_start & ~never_start
    can_end = can_end & ~never_end
    start = 0
    n = len(tok)
    for k in range(1, n + 1):
        if k == n or punct[k] or sent_key[k] != sent_key[k - 1] or punct[k - 1]:
            if not punct[start]:
                yield (
                    doc_codes[start],
                    year[start],
                    group[start],
                    list(tok[start:k]),
                    can_start[start:k].tolist(),
                    can_end[start:k].tolist(),
                )
            start = k


def term_candidates(
    corpus_or_tokens,
    *,
    max_len: int = 8,
    min_freq: int = 2,
    min_chars: int = 2,
    max_chars: int = 16,
    by: str | None = None,
) -> pd.DataFrame:
    """Every candidate term with its counts and component scores (no ranking, no cut-off beyond ``min_freq``).

    Parameters
    ----------
    corpus_or_tokens : a :class:`cppcc_nlp.Corpus` or the token table of :func:`cppcc_nlp.tokens`.
    max_len : the longest candidate, in tokens.
    min_freq : candidates seen fewer times are not kept.
    min_chars, max_chars : bounds on the candidate's length in characters.
    by : a column of the token table (``"year"``, ``"period"``, ``"doc_id"`` …) to count occurrences by, in
        the column ``group_freq``.

    Returns
    -------
    pandas.DataFrame
        term, tokens (tuple), n_tokens, n_chars, freq, doc_freq, first_year, last_year, cvalue, pmi,
        left_entropy, right_entropy, nested_share, enclosed_share, in_lexicon, year_freq (Counter year → count),
        doc_counts (Counter),
        group_freq (Counter value of ``by`` → count); one row per term string.
    """
    for name, value in (
        ("max_len", max_len),
        ("min_freq", min_freq),
        ("min_chars", min_chars),
        ("max_chars", max_chars),
    ):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
            raise ParameterError(f"{name}={value!r}: give a positive whole number")
    if max_chars < min_chars:
        raise ParameterError(f"max_chars={max_chars} is below min_chars={min_chars}")
    table = fold_variants(as_token_table(corpus_or_tokens))  # 大众创业、万众创新 = 大众创业万众创新
    if by is not None and by not in table.columns:
        raise ParameterError(
            f"by={by!r} is not a column of the token table; choose one of {', '.join(map(str, table.columns))}"
        )
    runs = list(token_runs(table, by))
    lexicon_words = (
        set(table.loc[table["in_lexicon"].to_numpy(dtype=bool), "token"].astype(str))
        if "in_lexicon" in table.columns
        else set()
    )

    # pass 1: counts of every n-gram inside runs (the parts PMI needs), and of the edge-valid candidates
    count: Counter = Counter()
    n_tokens_total = 0
    for _, _, _, toks, _, _ in runs:
        n_tokens_total += len(toks)
        length = len(toks)
        for i in range(length):
            for n in range(1, min(max_len, length - i) + 1):
                count[tuple(toks[i : i + n])] += 1
    cands: dict[tuple, dict] = {}
    for _, _, _, toks, can_start, can_end in runs:
        length = len(toks)
        for i in range(length):
            if not can_start[i]:
                continue
            chars = 0
            for n in range(1, min(max_len, length - i) + 1):
                j = i + n - 1
                chars += len(toks[j])
                if chars > max_chars:
                    break
                if not can_end[j] or chars < min_chars:
                    continue
                if n >= 3 and toks[j - 1] == "的":  # …乡村振兴的建议: a title's tail, not a term
                    continue
                gram = tuple(toks[i : j + 1])
                if gram in cands or _DIGIT_RE.search("".join(gram)):
                    continue
                if count[gram] >= min_freq or (n == 1 and gram[0] in lexicon_words):
                    cands[gram] = {
                        "left": Counter(),
                        "right": Counter(),
                        "lb": 0,
                        "rb": 0,
                        "docs": Counter(),
                        "years": Counter(),
                        "groups": Counter(),
                    }
    if not cands:
        return _empty_candidates()

    # pass 2: neighbours, documents and years of each candidate occurrence
    for doc, year, grp, toks, _, _ in runs:
        length = len(toks)
        for i in range(length):
            for n in range(1, min(max_len, length - i) + 1):
                gram = tuple(toks[i : i + n])
                info = cands.get(gram)
                if info is None:
                    continue
                if i > 0:
                    info["left"][toks[i - 1]] += 1
                else:
                    info["lb"] += 1
                if i + n < length:
                    info["right"][toks[i + n]] += 1
                else:
                    info["rb"] += 1
                info["docs"][doc] += 1
                info["groups"][grp] += 1
                if not math.isnan(year):
                    info["years"][int(year)] += 1

    grams = list(cands)
    freq = {g: count[g] for g in grams}
    cv = cvalue(freq, length={g: sum(len(t) for t in g) for g in grams})
    rows = []
    for g in grams:
        info = cands[g]
        years = info["years"]
        rows.append(
            {
                "term": "".join(g),
                "tokens": g,
                "n_tokens": len(g),
                "n_chars": sum(len(t) for t in g),
                "freq": freq[g],
                "docs": info["docs"],
                "years": years,
                "groups": info["groups"],
                "first_year": min(years) if years else pd.NA,
                "last_year": max(years) if years else pd.NA,
                "cvalue": cv[g],
                "in_lexicon": len(g) == 1 and g[0] in lexicon_words,
                "pmi": min_split_pmi(g, count, n_tokens_total) if len(g) > 1 else np.nan,
                "left": info["left"],
                "right": info["right"],
                "lb": info["lb"],
                "rb": info["rb"],
                # uses inside its most frequent one-token extension that is itself a candidate (经济社会 → 经济社会发展)
                "max_extension": max([freq[(x,) + g] for x in info["left"] if (x,) + g in cands] + [0]),
                # uses inside its most frequent one-token extension on either side (党的二十大和二十届历次全会 → …精神)
                "max_enclosing": max(
                    [freq[(x,) + g] for x in info["left"] if (x,) + g in cands]
                    + [freq[g + (x,)] for x in info["right"] if g + (x,) in cands]
                    + [0]
                ),
            }
        )
    df = pd.DataFrame(_merge_same_string(rows))
    df["doc_freq"] = [len(d) for d in df["docs"]]
    df["nested_share"] = np.clip(df["max_extension"] / df["freq"].clip(lower=1), 0.0, 1.0)
    df["enclosed_share"] = np.clip(df["max_enclosing"] / df["freq"].clip(lower=1), 0.0, 1.0)
    df["left_entropy"] = [branching_entropy(c, unique=u) for c, u in zip(df["left"], df["lb"])]
    df["right_entropy"] = [branching_entropy(c, unique=u) for c, u in zip(df["right"], df["rb"])]
    df["_years"] = df["years"]
    out = df[
        [
            "term",
            "tokens",
            "n_tokens",
            "n_chars",
            "freq",
            "doc_freq",
            "first_year",
            "last_year",
            "cvalue",
            "pmi",
            "left_entropy",
            "right_entropy",
            "nested_share",
            "enclosed_share",
            "in_lexicon",
            "_years",
            "docs",
            "groups",
        ]
    ]
    out = out.rename(columns={"_years": "year_freq", "docs": "doc_counts", "groups": "group_freq"})
    out["first_year"] = out["first_year"].astype("Int64")
    out["last_year"] = out["last_year"].astype("Int64")
    out = out.reset_index(drop=True)
    out.attrs["n_tokens"] = n_tokens_total
    out.attrs["doc_ids"] = list(pd.unique(table["doc_id"]))
    out.attrs["years"] = sorted(
        int(y) for y in pd.unique(pd.to_numeric(table["year"], errors="coerce")) if not pd.isna(y)
    )
    return out


def _merge_same_string(rows: list[dict]) -> list[dict]:
    """One row per term string: segmentations of the same string (政协委员 | 政协/委员) are one term."""
    by_term: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_term[row["term"]].append(row)
    merged = []
    for group in by_term.values():
        if len(group) == 1:
            merged.append(group[0])
            continue
        best = dict(max(group, key=lambda r: r["freq"]))
        for key in ("docs", "years", "groups", "left", "right"):
            total: Counter = Counter()
            for r in group:
                total.update(r[key])
            best[key] = total
        best["freq"] = sum(r["freq"] for r in group)
        best["lb"], best["rb"] = sum(r["lb"] for r in group), sum(r["rb"] for r in group)
        best["cvalue"] = float(sum(r["cvalue"] for r in group))
        pmis = [r["pmi"] for r in group if not math.isnan(r["pmi"])]
        best["pmi"] = max(pmis) if pmis and all(r["n_tokens"] > 1 for r in group) else np.nan
        best["in_lexicon"] = any(r["in_lexicon"] for r in group)
        best["max_extension"] = max(r["max_extension"] for r in group)
        best["max_enclosing"] = max(r["max_enclosing"] for r in group)
        years = best["years"]
        best["first_year"] = min(years) if years else pd.NA
        best["last_year"] = max(years) if years else pd.NA
        merged.append(best)
    return merged


def _empty_candidates() -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "term": pd.Series(dtype=str),
            "tokens": pd.Series(dtype=object),
            "n_tokens": pd.Series(dtype=int),
            "n_chars": pd.Series(dtype=int),
            "freq": pd.Series(dtype=int),
            "doc_freq": pd.Series(dtype=int),
            "first_year": pd.Series(dtype="Int64"),
            "last_year": pd.Series(dtype="Int64"),
            "cvalue": pd.Series(dtype=float),
            "pmi": pd.Series(dtype=float),
            "left_entropy": pd.Series(dtype=float),
            "right_entropy": pd.Series(dtype=float),
            "nested_share": pd.Series(dtype=float),
            "enclosed_share": pd.Series(dtype=float),
            "in_lexicon": pd.Series(dtype=bool),
            "year_freq": pd.Series(dtype=object),
            "doc_counts": pd.Series(dtype=object),
            "group_freq": pd.Series(dtype=object),
        }
    )
    df.attrs["n_tokens"] = 0
    return df
