"""Multi-word policy terms: candidates from the token table, ranked by termhood and unithood, per year.

A term is a run of tokens inside one sentence (never across punctuation) that neither starts nor ends with a
function word, a stop word or a number; the term string is the tokens concatenated, so 全面振兴新突破三年行动,
专门协商机构, 社情民意信息, 委员工作站 and 供给侧结构性改革 come out whole however the segmenter split them.

Scores (see :mod:`cppcc_nlp.terms.termhood`; every one is a column of the result):

``cvalue``
    termhood, C-value of Frantzi et al. with the length in characters: frequency, discounted for candidates
    that mostly occur inside a longer candidate (社情民意 inside 社情民意信息).
``pmi``
    cohesion, the smallest PMI over the candidate's binary token splits (NaN for one token).
``left_entropy``, ``right_entropy``
    boundary strength, branching entropy of the tokens seen just before and just after the candidate.
``score`` (the ranking)
    ``cvalue × boundary × cohesion × idf × specificity × independence`` (×2 for domain-lexicon terms), see
    :func:`extract_terms`.
    C-value alone ranks the vocabulary but also rewards general words and fragments that are frequent
    because the term they belong to is (供给侧结构性 in 供给侧结构性改革); a fragment always has the same
    neighbour on its cut side, so its branching entropy is near 0 and the boundary factor removes it; free
    combinations of very common words (经济发展) have a low PMI; stock phrases used in every report get the
    lowest idf; terms built from everyday words (调查研究, 新时代) have a low ``specificity`` against general
    language (:func:`cppcc_nlp.terms.termhood.specificity`), which ranks a single report's domain vocabulary
    (社情民意信息, 委员工作站) above general phrases; the tail of one dominant longer term (设施建设 in
    基础设施建设) keeps only its other uses.  Candidates whose weakest joint has a PMI below ``min_pmi`` are
    dropped before ranking, and words the corpus shows never to end (start) a phrase (国际, 经济社会; 设施)
    never end (start) a candidate.
    ``rank_by="cvalue" | "pmi" | "entropy" | "tfidf" | "freq" | "specificity"`` ranks by a single score instead.
``specificity``
    domain specificity against general language: mean IDF (nats) of the term's words in jieba's bundled
    general-language table.
``nested_share`` (of :func:`term_candidates`)
    the share of the candidate's uses preceded by one and the same longer candidate.

The report-level TF-IDF view is :func:`term_tfidf`: the terms most characteristic of each report against the
other reports.

Examples
--------
>>> import cppcc_nlp as cn
>>> corpus = cn.Corpus.from_path("corpora")                       # doctest: +SKIP
>>> cn.extract_terms(corpus, top=5)[["term", "freq", "doc_freq"]]   # doctest: +SKIP
"""

from __future__ import annotations

import math
import re
import warnings
from collections import Counter, defaultdict

import numpy as np
import pandas as pd

from cppcc_nlp.errors import EmptyCorpusError, InputError, ParameterError
from cppcc_nlp.terms.termhood import branching_entropy, cvalue, min_split_pmi, specificity, tfidf

__all__ = ["extract_terms", "term_candidates", "term_frequencies", "term_occurrences", "term_tfidf",
           "TERM_COLUMNS", "OCCURRENCE_COLUMNS", "token_table"]

#: columns of :func:`extract_terms`, in order (per-year frequency columns follow when ``by_year=True``)
TERM_COLUMNS = ["term", "score", "freq", "doc_freq", "n_tokens", "first_year", "last_year",
                "cvalue", "pmi", "left_entropy", "right_entropy", "n_chars", "specificity"]

TOKEN_COLUMNS = ["doc_id", "para_id", "sent", "token", "is_punct", "is_stop", "is_num", "year"]

# Edges of a term.  A candidate neither starts nor ends with a stop word, a number or a function word; function
# words are the tokens that jieba's part-of-speech dictionary (about 350,000 words, shipped with jieba) tags as
# conjunction, preposition, particle, pronoun, adverb, measure word, time word, modal particle or
# interjection (not localizers and numerals: jieba tags 西部 and 一带 so), plus the list below, which general
# dictionaries miss or tag as nouns.  A term may still contain them inside (国防和军队建设).
FUNCTION_TAGS = ("c", "p", "u", "r", "d", "q", "y", "e", "o", "x", "t")
EDGE_WORDS = frozenset("""
的 地 得 之 了 着 过 和 与 及 以及 或 或者 并 并且 而 而且 同时 还 也 都 又 再 就 才 更 更加 最 很 较 比较 进一步
在 于 对 对于 把 将 被 由 从 向 以 为 为了 按 按照 根据 通过 围绕 经过 关于 至 到 自 给 让 使 等 等等 其 其中
此 这 那 这些 那些 这个 该 各 每 本 我 我们 你 你们 他们 它 大家 自己 之一 方面 一些 有关 相关 所 所有 一切
中 上 下 内 外 后 前 里 间 以上 以下 以来 以后 以前 之间 之中 期间 当中 是 有 没有 不 没 无 要 会 能 可 可以 应 应当
必须 需要 已 已经 正在 将要 继续 不断 不仅 而是 但 但是 如果 因为 所以 因此 一 个 年 月 日 次 项 名 些
比上年 上年 今年 去年 明年 全年 各位 各级 各项 各类 各种 多种 一批 一系列 新 取得 实现 达到 明显 显著
""".split())
# Report-style openers: adverbs of manner and the generic action verbs that open an instruction (大力推进…,
# 加快发展…, 认真落实…).  They start a clause, not a term, so they may not start a candidate; a term can still
# begin with a more specific verb (扩大内需, 保障和改善民生, 退耕还林).
LEADING_WORDS = frozenset("""
加强 推进 推动 促进 实施 坚持 落实 贯彻 贯彻落实 加快 加大 做好 抓好 搞好 开展 着力 努力 大力 积极 认真 深入
切实 扎实 稳步 坚定不移 全力 严格 严厉 高度 充分 充分发挥 重视 高度重视 进一步 继续 不断 加紧 抓紧 狠抓 着眼
坚决 力争 确保 保持 维护 支持 鼓励 引导 提高 提升 增强 改善 完善 健全 建立 建立健全 优化 强化 巩固 规范 整顿
全面贯彻 认真贯彻 深入推进 深入开展 稳妥 积极稳妥 有效 有序 逐步 主动 广泛 普遍 初步 进行 搞
持续 夺取 发挥 打造 聚焦 紧扣 紧盯 围绕 立足 动员 引领 助力 赋能 承办 召开 举办 开展好 成为 形成 做到
""".split())
# adverbs that may not start a candidate when an opener follows them (全面|贯彻落实…, 不断|完善…); jieba's
# adverbial adjectives (tag "ad") count too.  Before a noun they may start a term (全面深化改革 is not blocked:
# 深化 is no opener).
ADVERB_OPENERS = frozenset("全面 大力 积极 深入 认真 切实 扎实 稳步 持续 不断 努力 着力 进一步 继续 全力 坚决 更好".split())
# trailing words that end a clause rather than a term
TRAILING_WORDS = frozenset("""取得 实现 达到 增加 明显 显著 进行 开展 加强 推进 推动 促进 加快 提高 不断 进一步 贯彻 落实
实施 坚持 完善 工作人员 打造 参与 发挥 成为 形成 做到 召开 举办 承办""".split())
# prepositions that turn a run into a clause when they occur inside it (习近平总书记关于东北…, 工作对政协委员)
INNER_BREAK_WORDS = frozenset("关于 对于 对 通过 按照 根据 围绕 在 把 被 将 向 从 由 等 等等 进行 以及".split())
# numbers with an optional measure word (2002年, 三年, 18次) never sit at an edge
# a candidate holding Arabic digits states a figure (国内生产总值增长8%左右), not a term
_DIGIT_RE = re.compile(r"[0-9０-９%％]")
NUMBER_RE = re.compile(r"^[0-9０-９.．,，%％万亿千百十一二三四五六七八九零〇两几数第余多]+[年月日次个项件名位家元倍届期批]?$")

# Whole phrases that every report carries but that are no policy vocabulary: forms of address, the speaker's
# organ, persons.  extract_terms(exclude=...) replaces the list; exclude=() keeps everything.
GENRE_PHRASES = frozenset("""
各位代表 各位委员 各位 同志们 全国各族人民 各族人民 人民群众 广大人民群众 国务院 政府工作 政府工作报告 工作报告
习近平 习近平同志 习近平总书记 表示诚挚感谢 表示诚挚的感谢 致以崇高的敬意 衷心感谢
""".split())

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


def _is_corpus(obj) -> bool:
    return not isinstance(obj, pd.DataFrame) and hasattr(obj, "documents") and hasattr(obj, "docs")


def token_table(corpus_or_tokens) -> pd.DataFrame:
    """The token table of ``corpus_or_tokens``: a Corpus is tokenised with :func:`cppcc_nlp.tokens`
    (cached), a DataFrame is checked for the columns term extraction needs and returned as is."""
    if _is_corpus(corpus_or_tokens):
        if len(corpus_or_tokens) == 0:
            raise EmptyCorpusError("the corpus has no documents; give a folder or files holding reports")
        from cppcc_nlp.tokens.pipeline import tokens

        table = tokens(corpus_or_tokens)
    elif isinstance(corpus_or_tokens, pd.DataFrame):
        table = corpus_or_tokens
    else:
        raise InputError(f"expected a Corpus or the token table of cppcc_nlp.tokens(), got "
                         f"{type(corpus_or_tokens).__name__}; build one with cppcc_nlp.Corpus.from_path(path)")
    missing = [c for c in TOKEN_COLUMNS if c not in table.columns]
    if missing:
        raise InputError(f"the token table lacks the column(s) {', '.join(missing)}; pass the DataFrame "
                         f"returned by cppcc_nlp.tokens(corpus) or the Corpus itself")
    if len(table) == 0:
        raise EmptyCorpusError("the token table is empty: the corpus holds no text to extract terms from")
    return table


def _edge_flags(table: pd.DataFrame, tok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which tokens may start and which may end a candidate (see EDGE_WORDS, LEADING_WORDS)."""
    vocab = pd.unique(tok)
    bad_vocab = {t for t in vocab if t in EDGE_WORDS or _function_word(t) or NUMBER_RE.match(t)
                 or not any(ch.isalpha() for ch in t)}
    lead_vocab = {t for t in vocab if t in LEADING_WORDS}
    adverb_vocab = {t for t in vocab if t in ADVERB_OPENERS or _pos_tag(t) == "ad"}
    trail_vocab = {t for t in vocab if t in TRAILING_WORDS}
    bad = (table["is_stop"].to_numpy(dtype=bool) | table["is_num"].to_numpy(dtype=bool)
           | np.fromiter((t in bad_vocab for t in tok), bool, len(tok)))
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


def _bound_words(tok: np.ndarray, punct: np.ndarray, sent_key: np.ndarray, lexicon: np.ndarray
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
    stats = frame.groupby("tok", sort=False).agg(uses=("first", "size"), first=("first", "sum"),
                                                 last=("last", "sum"))
    enough = stats["uses"] >= BOUND_MIN_COUNT
    bad_start = set(stats.index[enough & (stats["first"] < BOUND_MAX_RATE * stats["uses"])])
    bad_end = set(stats.index[enough & (stats["last"] < BOUND_MAX_RATE * stats["uses"])])
    never_start = np.fromiter((t in bad_start for t in tok), bool, n) & ~lexicon
    never_end = np.fromiter((t in bad_end for t in tok), bool, n) & ~lexicon
    return never_start, never_end


def _runs(table: pd.DataFrame, by: str | None = None):
    """Token runs inside sentences, split at punctuation, whitespace and clause-making prepositions.

    Yields ``(doc_index, year, group, tokens, can_start, can_end)``; ``group`` is the value of column ``by``.
    """
    tok = table["token"].astype(str).to_numpy()
    punct = (table["is_punct"].to_numpy(dtype=bool) | np.fromiter((not t.strip() for t in tok), bool, len(tok))
             | np.fromiter((t in INNER_BREAK_WORDS for t in tok), bool, len(tok)))
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
                yield (doc_codes[start], year[start], group[start], list(tok[start:k]), can_start[start:k].tolist(),
                       can_end[start:k].tolist())
            start = k


def term_candidates(corpus_or_tokens, *, max_len: int = 8, min_freq: int = 2, min_chars: int = 2,
                    max_chars: int = 16, by: str | None = None) -> pd.DataFrame:
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
        left_entropy, right_entropy, in_lexicon, year_freq (Counter year → count), doc_counts (Counter),
        group_freq (Counter value of ``by`` → count); one row per term string.
    """
    for name, value in (("max_len", max_len), ("min_freq", min_freq), ("min_chars", min_chars),
                        ("max_chars", max_chars)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
            raise ParameterError(f"{name}={value!r}: give a positive whole number")
    if max_chars < min_chars:
        raise ParameterError(f"max_chars={max_chars} is below min_chars={min_chars}")
    table = token_table(corpus_or_tokens)
    if by is not None and by not in table.columns:
        raise ParameterError(f"by={by!r} is not a column of the token table; choose one of "
                             f"{', '.join(map(str, table.columns))}")
    runs = list(_runs(table, by))
    lexicon_words = (set(table.loc[table["in_lexicon"].to_numpy(dtype=bool), "token"].astype(str))
                     if "in_lexicon" in table.columns else set())

    # pass 1: counts of every n-gram inside runs (the parts PMI needs), and of the edge-valid candidates
    count: Counter = Counter()
    n_tokens_total = 0
    for _, _, _, toks, _, _ in runs:
        n_tokens_total += len(toks)
        length = len(toks)
        for i in range(length):
            for n in range(1, min(max_len, length - i) + 1):
                count[tuple(toks[i:i + n])] += 1
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
                if n >= 3 and toks[j - 1] == "的":     # …乡村振兴的建议: a title's tail, not a term
                    continue
                gram = tuple(toks[i:j + 1])
                if gram in cands or _DIGIT_RE.search("".join(gram)):
                    continue
                if count[gram] >= min_freq or (n == 1 and gram[0] in lexicon_words):
                    cands[gram] = {"left": Counter(), "right": Counter(), "lb": 0, "rb": 0,
                                   "docs": Counter(), "years": Counter(), "groups": Counter()}
    if not cands:
        return _empty_candidates()

    # pass 2: neighbours, documents and years of each candidate occurrence
    for doc, year, grp, toks, _, _ in runs:
        length = len(toks)
        for i in range(length):
            for n in range(1, min(max_len, length - i) + 1):
                gram = tuple(toks[i:i + n])
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
        rows.append({
            "term": "".join(g), "tokens": g, "n_tokens": len(g), "n_chars": sum(len(t) for t in g),
            "freq": freq[g], "docs": info["docs"], "years": years, "groups": info["groups"],
            "first_year": min(years) if years else pd.NA, "last_year": max(years) if years else pd.NA,
            "cvalue": cv[g], "in_lexicon": len(g) == 1 and g[0] in lexicon_words,
            "pmi": min_split_pmi(g, count, n_tokens_total) if len(g) > 1 else np.nan,
            "left": info["left"], "right": info["right"], "lb": info["lb"], "rb": info["rb"],
            # uses inside its most frequent one-token extension that is itself a candidate (经济社会 → 经济社会发展)
            "max_extension": max([freq[(x,) + g] for x in info["left"] if (x,) + g in cands] + [0]),
        })
    df = pd.DataFrame(_merge_same_string(rows))
    df["doc_freq"] = [len(d) for d in df["docs"]]
    df["nested_share"] = np.clip(df["max_extension"] / df["freq"].clip(lower=1), 0.0, 1.0)
    df["left_entropy"] = [branching_entropy(c, unique=u) for c, u in zip(df["left"], df["lb"])]
    df["right_entropy"] = [branching_entropy(c, unique=u) for c, u in zip(df["right"], df["rb"])]
    df["_years"] = df["years"]
    out = df[["term", "tokens", "n_tokens", "n_chars", "freq", "doc_freq", "first_year", "last_year", "cvalue",
              "pmi", "left_entropy", "right_entropy", "nested_share", "in_lexicon", "_years", "docs", "groups"]]
    out = out.rename(columns={"_years": "year_freq", "docs": "doc_counts", "groups": "group_freq"})
    out["first_year"] = out["first_year"].astype("Int64")
    out["last_year"] = out["last_year"].astype("Int64")
    out = out.reset_index(drop=True)
    out.attrs["n_tokens"] = n_tokens_total
    out.attrs["doc_ids"] = list(pd.unique(table["doc_id"]))
    out.attrs["years"] = sorted(int(y) for y in pd.unique(pd.to_numeric(table["year"], errors="coerce"))
                                if not pd.isna(y))
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
        years = best["years"]
        best["first_year"] = min(years) if years else pd.NA
        best["last_year"] = max(years) if years else pd.NA
        merged.append(best)
    return merged


def _empty_candidates() -> pd.DataFrame:
    df = pd.DataFrame({"term": pd.Series(dtype=str), "tokens": pd.Series(dtype=object),
                       "n_tokens": pd.Series(dtype=int), "n_chars": pd.Series(dtype=int),
                       "freq": pd.Series(dtype=int), "doc_freq": pd.Series(dtype=int),
                       "first_year": pd.Series(dtype="Int64"), "last_year": pd.Series(dtype="Int64"),
                       "cvalue": pd.Series(dtype=float), "pmi": pd.Series(dtype=float),
                       "left_entropy": pd.Series(dtype=float), "right_entropy": pd.Series(dtype=float),
                       "nested_share": pd.Series(dtype=float), "in_lexicon": pd.Series(dtype=bool), "year_freq": pd.Series(dtype=object), "doc_counts": pd.Series(dtype=object),
                       "group_freq": pd.Series(dtype=object)})
    df.attrs["n_tokens"] = 0
    return df


RANK_BY = ("default", "cvalue", "pmi", "entropy", "tfidf", "freq", "specificity")
#: lexicon kinds that are slogans rather than terms: kept whole, not given the lexicon boost
SLOGAN_KINDS = ("numbered", "branded", "series")


def _rank_scores(cands: pd.DataFrame, rank_by: str, *, entropy_floor: float, pmi_scale: float,
                 n_docs: int, lexicon_boost: float = 1.0, specificity_scale: float = 8.0) -> pd.Series:
    boundary = np.minimum(cands["left_entropy"], cands["right_entropy"])
    idf = np.log((1.0 + n_docs) / (1.0 + cands["doc_freq"])) + 1.0
    if rank_by == "cvalue":
        return cands["cvalue"]
    if rank_by == "pmi":
        return cands["pmi"].fillna(-np.inf)
    if rank_by == "entropy":
        return boundary
    if rank_by == "freq":
        return cands["freq"].astype(float)
    if rank_by == "specificity":
        return cands["specificity"]
    if rank_by == "tfidf":
        return pd.Series(tfidf(cands["freq"], cands["doc_freq"], n_docs), index=cands.index)
    # the entropy a candidate seen f times can reach is log2(f) (all neighbours different): a term said twice
    # with two different neighbours has fully open boundaries
    attainable = np.minimum(entropy_floor, np.log2(cands["freq"].clip(lower=1).astype(float)))
    with np.errstate(divide="ignore", invalid="ignore"):
        # seen once (min_freq=1), a boundary cannot be judged: no penalty
        boundary_factor = np.where(attainable > 0, np.minimum(1.0, boundary / attainable), 1.0)
    # one-token candidates have no split: the segmenter already judged them cohesive
    cohesion_factor = np.clip(cands["pmi"].fillna(pmi_scale) / pmi_scale, 0.0, 1.0)
    # a domain-lexicon entry is a known term: its boundaries are trusted and its score boosted
    lexicon = cands["in_lexicon"].to_numpy(dtype=bool)
    boundary_factor = np.where(lexicon, 1.0, boundary_factor)
    # slogans of the lexicon (两个确立, 有事好商量) are kept whole but are slogans.py's business, not boosted
    boost = np.where(lexicon & ~cands["term"].isin(_slogan_entries()).to_numpy(), lexicon_boost, 1.0)
    # domain specificity against general language; its weight is 1/n_docs: with many reports the idf factor
    # already contrasts a term with the other reports, with one report general language is the only contrast
    specific = np.clip(cands["specificity"].to_numpy(dtype=float) / specificity_scale, 0.0, 1.0) ** (1.0 / n_docs)
    # a candidate mostly used inside one longer candidate is a fragment of it (经济社会 in 经济社会发展, 设施建设 in
    # 基础设施建设): C-value averages over all containers and misses a single dominant one; count its other uses
    independent = 1.0 - cands["nested_share"].to_numpy(dtype=float)
    return (cands["cvalue"].clip(lower=0) * boundary_factor * cohesion_factor * idf * boost * specific
            * independent)


_SLOGANS: frozenset | None = None


def _slogan_entries() -> frozenset:
    """Entries of the bundled lexicon whose kind is a slogan (numbered, branded, series), loaded once."""
    global _SLOGANS
    if _SLOGANS is None:
        from cppcc_nlp.resources.lexicon import load_lexicon

        frame = load_lexicon().to_frame()
        _SLOGANS = frozenset(frame.loc[frame["kind"].isin(SLOGAN_KINDS), "term"].astype(str))
    return _SLOGANS


def _empty_terms() -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series(dtype=float) for c in TERM_COLUMNS})
    out["term"] = out["term"].astype(str)
    for col in ("freq", "doc_freq", "n_tokens", "n_chars"):
        out[col] = out[col].astype(int)
    for col in ("first_year", "last_year"):
        out[col] = out[col].astype("Int64")
    return out


def _scored_candidates(corpus_or_tokens, *, max_len=8, min_freq=2, min_chars=2, max_chars=16, min_pmi=1.0,
                       entropy_floor=2.0, pmi_scale=8.0, lexicon_boost=2.0, rank_by="default",
                       single_token_min_chars=3, exclude=GENRE_PHRASES, by=None,
                       specificity_scale=8.0) -> pd.DataFrame:
    """Candidates after the term filters, with ``score``; unsorted.  Shared by extract_terms and keyness."""
    if rank_by not in RANK_BY:
        raise ParameterError(f"rank_by={rank_by!r}: choose one of {', '.join(RANK_BY)}")
    for name, value in (("entropy_floor", entropy_floor), ("pmi_scale", pmi_scale),
                        ("lexicon_boost", lexicon_boost), ("min_pmi", min_pmi),
                        ("specificity_scale", specificity_scale)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or (
                name != "min_pmi" and (value < 0 or (name in ("pmi_scale", "specificity_scale") and value == 0))):
            raise ParameterError(f"{name}={value!r}: give a positive number")
    cands = term_candidates(corpus_or_tokens, max_len=max_len, min_freq=min_freq, min_chars=min_chars,
                            max_chars=max_chars, by=by)
    attrs = dict(cands.attrs)
    n_docs = len(attrs.get("doc_ids", [])) or 1
    if len(cands):
        keep = (cands["n_tokens"] > 1) | (cands["n_chars"] >= single_token_min_chars)
        keep &= ~(cands["pmi"] < min_pmi)
        if exclude:
            keep &= ~cands["term"].isin(set(exclude))
        cands = cands[keep].copy()
    if len(cands):
        cands["specificity"] = specificity(cands["term"]).to_numpy()
        cands["score"] = _rank_scores(cands, rank_by, entropy_floor=entropy_floor, pmi_scale=pmi_scale,
                                      n_docs=n_docs, lexicon_boost=lexicon_boost,
                                      specificity_scale=specificity_scale)
    else:
        cands["specificity"] = pd.Series(dtype=float)
        cands["score"] = pd.Series(dtype=float)
    cands.attrs.update(attrs)
    return cands


def extract_terms(corpus_or_tokens, *, top: int | None = None, max_len: int = 8, min_freq: int = 2,
                  min_chars: int = 2, max_chars: int = 16, min_pmi: float = 1.0, entropy_floor: float = 2.0,
                  pmi_scale: float = 8.0, lexicon_boost: float = 2.0, rank_by: str = "default",
                  single_token_min_chars: int = 3, exclude=GENRE_PHRASES, by_year: bool = False,
                  specificity_scale: float = 8.0) -> pd.DataFrame:
    """Multi-word policy terms of a corpus, ranked, with their frequencies and years.

    Parameters
    ----------
    corpus_or_tokens : a :class:`cppcc_nlp.Corpus` or the token table of :func:`cppcc_nlp.tokens`
        (any subset of it: one year, one region, the review sections …).
    top : keep the ``top`` best-ranked terms (all by default).
    max_len : the longest candidate in tokens (8 lets 全面振兴新突破三年行动 come out whole).
    min_freq : drop candidates seen fewer times in the corpus.
    min_chars, max_chars : bounds on the term length in characters.
    min_pmi : drop multi-token candidates whose weakest joint has a PMI below this (bits): parts that meet no
        more often than chance.
    entropy_floor : branching entropy (bits) from which a boundary counts as fully open; below it the
        score shrinks in proportion (a fragment that is always followed by the same token scores 0).
    pmi_scale : PMI (bits) from which a candidate counts as fully cohesive; below it the score shrinks in
        proportion.
    rank_by : ``"default"`` (the combination below), or one score alone: ``"cvalue"``, ``"pmi"``,
        ``"entropy"`` (the smaller branching entropy), ``"tfidf"`` (corpus-level sublinear TF-IDF),
        ``"freq"``.
    single_token_min_chars : a one-token candidate must have at least this many characters (政协委员,
        农民工); shorter single words (发展, 改革) are the general vocabulary, not terms.
    lexicon_boost : factor on the score of domain-lexicon entries (tokens with ``in_lexicon``), which are also
        kept when seen fewer than ``min_freq`` times and whose boundaries are trusted.
    exclude : whole phrases never returned (default :data:`GENRE_PHRASES`: forms of address, the speaker's organ,
        persons); ``()`` to keep everything.
    by_year : add one column of frequencies per delivery year (column label: the year, an int).
    specificity_scale : general-language specificity (mean IDF of the term's words, nats) from which a term
        counts as fully domain-specific; below it the score shrinks in proportion (see Notes).

    Returns
    -------
    pandas.DataFrame
        One row per term with a positive score (default ranking), best first: term, score, freq, doc_freq,
        n_tokens, first_year, last_year, cvalue, pmi, left_entropy, right_entropy, n_chars, specificity
        [, one int column per year].

    Notes
    -----
    The default ``score`` is ``cvalue × boundary × cohesion × idf × specificity × independence``
    (× ``lexicon_boost`` for entries of the domain lexicon that are terms, not slogans):

    * ``cvalue`` (termhood): frequency, minus what is owed to longer candidates containing the term;
    * ``boundary = min(1, min(left_entropy, right_entropy) / entropy_floor)``: fragments of a longer word
      (委员工作 in 委员工作站) have one fixed neighbour and drop out;
    * ``cohesion = clip(pmi / pmi_scale, 0, 1)``: free combinations of very common words (经济发展, 工作取得)
      have a low PMI and are pushed down, fixed expressions (简政放权, 人民币汇率) are not;
    * ``idf = log((1 + n_docs) / (1 + doc_freq)) + 1``: a phrase used in every report is more likely the
      genre's stock vocabulary than a policy term; 1 for a single report;
    * ``specificity = clip(s / specificity_scale, 0, 1) ** (1 / n_docs)``, ``s`` the mean general-language IDF
      of the term's words (:func:`cppcc_nlp.terms.termhood.specificity`): the general side of a weirdness ratio
      (Ahmad et al. 1999), whose domain side is the frequency already in C-value.  Its weight is ``1/n_docs``:
      idf contrasts a term with the other reports of the corpus, and the fewer the reports the weaker that
      contrast; with one report general language is the only contrast (调查研究, 新时代 go down, 社情民意信息
      up), with 20 the factor barely moves a ranking whose idf already does the work;
    * ``independence = 1 - nested_share``: a candidate used mostly after the same modifier is the tail of the
      longer term (设施建设 of 基础设施建设; C-value averages over all containers and misses one dominant
      container); right extensions do not count, since a term used as a modifier (最低生活保障|制度) is still a
      term.

    Each factor was added because the plain C-value ranking of the 2000–2019 government work reports was
    topped by general words and clause openers; the measured effect of each is in ``docs/terms.md``.

    Examples
    --------
    >>> import cppcc_nlp as cn
    >>> corpus = cn.Corpus.from_path("corpora")                    # doctest: +SKIP
    >>> cn.extract_terms(corpus, top=3)[["term", "freq", "n_tokens"]]   # doctest: +SKIP
                  term  freq  n_tokens
    0  全面振兴新突破三年行动     6         1
    1          政协委员    10         1
    2  习近平新时代中国特色社会主义思想     3         1
    >>> gwr = cn.Corpus.from_path("../shared/corpora/gwr-national")          # doctest: +SKIP
    >>> cn.extract_terms(gwr, by_year=True).set_index("term").loc["供给侧结构性改革", [2015, 2016, 2017]]  # doctest: +SKIP
    2015    0
    2016    5
    2017    5
    """
    if top is not None and (not isinstance(top, (int, np.integer)) or isinstance(top, bool) or top < 1):
        raise ParameterError(f"top={top!r}: give a positive whole number, or None for every term")
    cands = _scored_candidates(corpus_or_tokens, max_len=max_len, min_freq=min_freq, min_chars=min_chars,
                               max_chars=max_chars, min_pmi=min_pmi, entropy_floor=entropy_floor,
                               pmi_scale=pmi_scale, lexicon_boost=lexicon_boost, rank_by=rank_by,
                               single_token_min_chars=single_token_min_chars, exclude=exclude,
                               specificity_scale=specificity_scale)
    if rank_by == "default" and len(cands):
        cands = cands[cands["score"] > 0]      # 0: a fragment (nested only, or one fixed neighbour)
    if len(cands) == 0:
        warnings.warn("no term candidate survived: the text is too short or only holds stop words and numbers "
                      f"(min_freq={min_freq}); lower min_freq or give more reports", stacklevel=2)
        return _empty_terms()
    years = cands.attrs.get("years") or sorted({y for yf in cands["year_freq"] for y in yf})
    cands = cands.sort_values(["score", "freq", "term"], ascending=[False, False, True], kind="mergesort")
    if top is not None:
        cands = cands.head(top)
    out = cands[TERM_COLUMNS].reset_index(drop=True)
    for col in ("freq", "doc_freq", "n_tokens", "n_chars"):
        out[col] = out[col].astype(int)
    if by_year:
        for year in years:
            out[year] = [int(yf.get(year, 0)) for yf in cands["year_freq"]]
    return out


def group_sizes(table: pd.DataFrame, by: str = "year") -> pd.Series:
    """Words (tokens that are not punctuation) per value of ``by``: the denominator of ``per_10k``."""
    return table[~table["is_punct"].to_numpy(dtype=bool)].groupby(by).size()


def term_frequencies(corpus_or_tokens, terms=None, *, by: str = "year", top: int = 50, **term_options
                     ) -> pd.DataFrame:
    """Tidy frequencies of terms per year (or period, document …): one row per term and value of ``by``.

    Parameters
    ----------
    corpus_or_tokens : a Corpus or a token table.
    terms : the terms to follow; default the ``top`` terms of :func:`extract_terms`.
    by : token-table column to count by (``"year"``, ``"period"``, ``"doc_id"`` …).
    **term_options : passed to the term finder (see :func:`extract_terms`).

    Returns
    -------
    pandas.DataFrame
        term, <by>, freq, n_tokens (words counted in that group), per_10k; zero rows included, so a term
        absent from a year shows 0.

    Examples
    --------
    >>> term_frequencies(corpus, ["供给侧结构性改革"]).query("freq > 0")        # doctest: +SKIP
    """
    table = token_table(corpus_or_tokens)
    cands = _scored_candidates(table, by=by, **term_options)
    if terms is None:
        if len(cands) == 0:
            wanted = []
        else:
            wanted = cands.sort_values(["score", "freq", "term"], ascending=[False, False, True],
                                       kind="mergesort").head(top)["term"].tolist()
    else:
        wanted = [terms] if isinstance(terms, str) else list(terms)
    groups = sorted(pd.unique(table[by].dropna()).tolist())
    sizes = group_sizes(table, by)
    found = dict(zip(cands["term"], cands["group_freq"])) if len(cands) else {}
    rows = []
    for term in wanted:
        gf = found.get(term)
        if gf is None:     # a term the finder does not keep (or a user's string): count its exact runs
            gf = _count_string(table, term, by)
        for g in groups:
            n = int(gf.get(g, 0))
            size = int(sizes.get(g, 0))
            rows.append({"term": term, by: g, "freq": n, "n_tokens": size,
                         "per_10k": n / size * 10_000 if size else np.nan})
    return pd.DataFrame(rows, columns=["term", by, "freq", "n_tokens", "per_10k"])


def _matches(table: pd.DataFrame, terms, by: str | None = None):
    """Occurrences of ``terms`` as runs of whole tokens inside sentences (never across punctuation).

    Yields ``(term, group, first_row, last_row)``: positional rows of the table's first and last token.
    """
    wanted = sorted(set(terms), key=len, reverse=True)
    if not wanted:
        return
    first_chars = {t[0] for t in wanted if t}
    row = 0
    tok = table["token"].astype(str).to_numpy()
    # _runs yields runs in table order; recover each run's first row by walking the token column
    for _, _, grp, toks, _, _ in _runs(table, by):
        while tok[row] != toks[0] or list(tok[row:row + len(toks)]) != toks:
            row += 1
        joined = "".join(toks)
        if any(c in joined for c in first_chars):
            bounds = np.cumsum([0] + [len(t) for t in toks]).tolist()
            start_at = {b: i for i, b in enumerate(bounds[:-1])}
            end_at = {b: i for i, b in enumerate(bounds[1:])}
            for term in wanted:
                pos = joined.find(term)
                while pos >= 0:
                    end = pos + len(term)
                    if pos in start_at and end in end_at:
                        yield term, grp, row + start_at[pos], row + end_at[end]
                    pos = joined.find(term, pos + 1)
        row += len(toks)


def _count_string(table: pd.DataFrame, term: str, by: str) -> Counter:
    """Occurrences of ``term`` as a run of whole tokens inside sentences, counted by ``by``."""
    return Counter(grp for _, grp, _, _ in _matches(table, [term], by))


#: columns of :func:`term_occurrences`
OCCURRENCE_COLUMNS = ["doc_id", "year", "period", "part", "section_id", "para_id", "start", "end", "term"]


def term_occurrences(corpus_or_tokens, terms=None, *, top: int = 50, **term_options) -> pd.DataFrame:
    """Every occurrence of the terms, one row each, with the docvars, so uses can be grouped by period,
    part or section and quoted from ``Document.text[start:end]``.

    Parameters
    ----------
    corpus_or_tokens : a Corpus or a token table (with ``start``/``end`` offsets and docvars).
    terms : term strings to find; default the ``top`` terms of :func:`extract_terms`.
    top : how many terms to take from :func:`extract_terms` when ``terms`` is not given.
    **term_options : passed to :func:`extract_terms`.

    Returns
    -------
    pandas.DataFrame
        doc_id, year, period, part, section_id, para_id, start, end, term; in text order.  A term nested in
        another requested term is reported at both (政协委员 inside 政协委员工作站 when both are asked for).

    Examples
    --------
    >>> occ = term_occurrences(corpus, ["委员工作站"])                             # doctest: +SKIP
    >>> occ.groupby("part").size()                                              # doctest: +SKIP
    """
    table = token_table(corpus_or_tokens)
    if terms is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wanted = extract_terms(table, top=top, **term_options)["term"].tolist()
    else:
        wanted = [terms] if isinstance(terms, str) else [str(t) for t in terms]
        if any(not t.strip() for t in wanted):
            raise ParameterError("term_occurrences: a term is empty; give non-empty strings")
    table = table.reset_index(drop=True)
    found = list(_matches(table, wanted))
    if not found:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in OCCURRENCE_COLUMNS})
    first = np.array([f[2] for f in found])
    last = np.array([f[3] for f in found])
    cols = {}
    for col in ("doc_id", "year", "period", "part", "section_id", "para_id"):
        cols[col] = table[col].to_numpy()[first] if col in table.columns else pd.NA
    cols["start"] = table["start"].to_numpy()[first] if "start" in table.columns else pd.NA
    cols["end"] = table["end"].to_numpy()[last] if "end" in table.columns else pd.NA
    cols["term"] = [f[0] for f in found]
    out = pd.DataFrame(cols, columns=OCCURRENCE_COLUMNS)
    out["_row"] = first
    out = out.sort_values(["_row", "term"], kind="mergesort").drop(columns="_row").reset_index(drop=True)
    if "period" in table.columns:
        out["period"] = out["period"].astype(table["period"].dtype)
    return out


def term_tfidf(corpus_or_tokens, *, top: int = 20, sublinear: bool = True, **term_options) -> pd.DataFrame:
    """The report-level TF-IDF view: the terms most characteristic of each report against the others.

    Parameters
    ----------
    corpus_or_tokens : a Corpus or a token table with several reports.
    top : terms kept per report.
    sublinear : ``1 + log(tf)`` instead of raw counts.
    **term_options : passed to the term finder (see :func:`extract_terms`).

    Returns
    -------
    pandas.DataFrame
        doc_id, year, rank (1 = most characteristic), term, tf, doc_freq, tfidf.

    Examples
    --------
    >>> term_tfidf(corpus, top=3).query("year == 2016")                      # doctest: +SKIP
    """
    table = token_table(corpus_or_tokens)
    cands = _scored_candidates(table, by="doc_id", **term_options)
    cands = cands[cands["score"] > 0] if len(cands) else cands
    doc_year = table.drop_duplicates("doc_id").set_index("doc_id")["year"]
    n_docs = len(doc_year)
    rows = []
    for term, gf, df_ in zip(cands["term"], cands["group_freq"], cands["doc_freq"]):
        for doc, tf in gf.items():
            rows.append((doc, term, tf, df_))
    frame = pd.DataFrame(rows, columns=["doc_id", "term", "tf", "doc_freq"])
    if frame.empty:
        return pd.DataFrame(columns=["doc_id", "year", "rank", "term", "tf", "doc_freq", "tfidf"])
    frame["tfidf"] = tfidf(frame["tf"], frame["doc_freq"], n_docs, sublinear=sublinear)
    frame = frame.sort_values(["doc_id", "tfidf", "tf", "term"], ascending=[True, False, False, True],
                              kind="mergesort")
    frame["rank"] = frame.groupby("doc_id").cumcount() + 1
    frame = frame[frame["rank"] <= top]
    frame["year"] = frame["doc_id"].map(doc_year)
    return frame[["doc_id", "year", "rank", "term", "tf", "doc_freq", "tfidf"]].reset_index(drop=True)
