"""Term candidates: runs of tokens inside one sentence, cut by edge rules, counted with their neighbours.

A term is a run of tokens inside one sentence (never across punctuation) that neither starts nor ends with a
function word, a stop word or a number; the term string is the tokens concatenated, so 全面振兴新突破三年行动,
专门协商机构, 社情民意信息, 委员工作站 and 供给侧结构性改革 come out whole however the segmenter split them.

* the edge rules: :data:`EDGE_WORDS`, :data:`LEADING_WORDS`, :data:`ADVERB_OPENERS`, :data:`TRAILING_WORDS`,
  jieba's function-word tags (:data:`FUNCTION_TAGS`), numbers (:data:`NUMBER_RE`);
* bound words, learnt from the corpus at hand: words that never end (国际) or never start (设施) a phrase;
* :func:`token_runs` — the stretches of tokens candidates are taken from;
* :func:`count_candidates` — every candidate with its counts and component scores (C-value, PMI, branching
  entropy; see :mod:`cppcc_nlp.terms.termhood`) and its counts per document, year and group as sparse
  matrices, all from the per-document n-gram counts of :mod:`cppcc_nlp.tokens.ngrams` by array operations;
  ranked by :mod:`cppcc_nlp.terms.ranking`;
* :func:`term_candidates` — the same as one table, the per-year/document/group counts as dicts.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cppcc_nlp._text import CN_NUMERALS, DIGITS
from cppcc_nlp.errors import ParameterError
from cppcc_nlp.terms.shorthands import merge_shorthands
from cppcc_nlp.terms.variants import _token_codes, fold_variants
from cppcc_nlp.tokens.ngrams import NgramCounts, cached_counts_many, merge_counts
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
        import sys

        posseg = sys.modules.get("jieba.posseg")
        # jieba.posseg's table when it is loaded already; else the same table read here from the same file,
        # without importing jieba.posseg (its HMM tables and slower reader: about 1.5 s)
        _POS_CACHE = posseg.dt.word_tag_tab if posseg is not None else _read_word_tags()
    return _POS_CACHE.get(token)


def _read_word_tags() -> dict[str, str]:
    """word → tag of jieba's dictionary (``word freq tag`` per line), as ``jieba.posseg`` reads it."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    with jieba.dt.get_dict_file() as f:  # the file jieba.posseg reads its tags from
        content = f.read().decode("utf-8")
    fields = content.split()
    lines = [line for line in content.splitlines() if line.strip()]
    if len(fields) == 3 * len(lines):  # three fields on every line
        return dict(zip(fields[0::3], fields[2::3]))
    tags = {}
    for line in lines:
        word, _, tag = line.strip().split(" ")
        tags[word] = tag
    return tags


def _edge_flags(table: pd.DataFrame, codes: np.ndarray, vocab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which tokens may start and which may end a candidate (see EDGE_WORDS, LEADING_WORDS); the tokens are
    ``vocab[codes]`` (:func:`_token_codes`).

    The word lists are looked up once per distinct token, then spread over the rows.
    """
    flags = np.array([_token_flags(str(t)) for t in vocab], bool).reshape(-1, 4)[codes]
    bad = table["is_stop"].to_numpy(dtype=bool) | table["is_num"].to_numpy(dtype=bool) | flags[:, 0]
    lead = flags[:, 1]
    # an opener used attributively stays (积极的财政政策, 稳健的货币政策)
    next_de = np.zeros(len(codes), bool)
    next_de[:-1] = (vocab == "的")[codes[1:]]
    # nor does an adverb that modifies a following opener (全面|贯彻落实…, 积极|推进…)
    adverb = flags[:, 2]
    next_lead = np.zeros(len(codes), bool)
    next_lead[:-1] = lead[1:] & adverb[:-1]
    can_start = ~bad & ~(lead & ~next_de) & ~next_lead
    can_end = ~bad & ~flags[:, 3]
    return can_start, can_end


_TOKEN_FLAGS: dict[str, tuple[bool, bool, bool, bool]] = {}


def _token_flags(token: str) -> tuple[bool, bool, bool, bool]:
    """(never at an edge, an opener, an adverb opener, a trailing word) for one token; looked up once per process."""
    flags = _TOKEN_FLAGS.get(token)
    if flags is None:
        flags = (
            token in EDGE_WORDS
            or _function_word(token)
            or bool(NUMBER_RE.match(token))
            or not any(ch.isalpha() for ch in token),
            token in LEADING_WORDS,
            token in ADVERB_OPENERS or _pos_tag(token) == "ad",
            token in TRAILING_WORDS,
        )
        _TOKEN_FLAGS[token] = flags
    return flags


def _separators(table: pd.DataFrame, codes: np.ndarray, vocab: np.ndarray) -> np.ndarray:
    """Tokens that end a run and belong to none: punctuation, whitespace, clause-making prepositions."""
    per_token = np.array([not str(t).strip() or t in INNER_BREAK_WORDS for t in vocab], bool)
    return table["is_punct"].to_numpy(dtype=bool) | per_token[codes]


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
    codes, vocab = _token_codes(table)
    tok = vocab[codes]
    punct = _separators(table, codes, vocab)
    can_start, can_end = _edge_flags(table, codes, vocab)
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


@dataclass
class Candidates:
    """Candidates with their counts per year, document and group, as sparse matrices (rows: ``frame``'s rows).

    Attributes
    ----------
    frame : one row per term string (the columns of :func:`term_candidates` without the dict columns, plus
        ``n_years``, the number of years it is used in).
    n_tokens : tokens in runs (the total of PMI).
    doc_ids, years, groups : the column labels of ``doc_counts``, ``year_counts`` and ``group_counts``
        (``groups`` is empty without ``by``).
    doc_counts, year_counts, group_counts : ``scipy.sparse.csr_array`` of int64 counts.
    """

    frame: pd.DataFrame
    n_tokens: int
    doc_ids: list
    years: list
    groups: list
    doc_counts: object
    year_counts: object
    group_counts: object

    def take(self, rows) -> Candidates:
        """The candidates at positions ``rows`` (an integer array), matrices included."""
        rows = np.asarray(rows, dtype=np.int64)
        return Candidates(
            frame=self.frame.iloc[rows].reset_index(drop=True),
            n_tokens=self.n_tokens,
            doc_ids=self.doc_ids,
            years=self.years,
            groups=self.groups,
            doc_counts=self.doc_counts[rows],
            year_counts=self.year_counts[rows],
            group_counts=self.group_counts[rows],
        )

    def counters(self, which: str) -> list[Counter]:
        """One ``Counter`` label → count per row, from ``doc_counts``/``year_counts``/``group_counts``."""
        matrix = getattr(self, f"{which}_counts").tocsr()
        labels = {"doc": range(len(self.doc_ids)), "year": self.years, "group": self.groups}[which]
        labels = np.asarray(list(labels), dtype=object)
        out = []
        for r in range(matrix.shape[0]):
            a, b = matrix.indptr[r], matrix.indptr[r + 1]
            out.append(Counter(dict(zip(labels[matrix.indices[a:b]].tolist(), matrix.data[a:b].tolist()))))
        return out


def _check_options(max_len, min_freq, min_chars, max_chars) -> None:
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
        left_entropy, right_entropy, nested_share, enclosed_share, in_lexicon, n_years, year_freq (Counter
        year → count), doc_counts (Counter), group_freq (Counter value of ``by`` → count); one row per term
        string.  :func:`count_candidates` gives the same counts as sparse matrices.
    """
    found = count_candidates(
        corpus_or_tokens, max_len=max_len, min_freq=min_freq, min_chars=min_chars, max_chars=max_chars, by=by
    )
    return with_counters(found)


def with_counters(found: Candidates) -> pd.DataFrame:
    """``found.frame`` with the dict columns year_freq, doc_counts and group_freq, and the corpus in ``attrs``."""
    out = found.frame.copy()
    out["year_freq"] = found.counters("year")
    out["doc_counts"] = found.counters("doc")
    out["group_freq"] = found.counters("group")
    out.attrs["n_tokens"] = found.n_tokens
    out.attrs["doc_ids"] = list(found.doc_ids)
    out.attrs["years"] = list(found.years)
    return out


def count_candidates(
    corpus_or_tokens,
    *,
    max_len: int = 8,
    min_freq: int = 2,
    min_chars: int = 2,
    max_chars: int = 16,
    by: str | None = None,
    cache=True,
    shorthands: bool = False,
    client=None,
) -> Candidates:
    """The candidates of :func:`term_candidates` and their counts, from the shared n-gram counts.

    Each document is counted once, as folded, by :func:`cppcc_nlp.tokens.ngrams.cached_counts` (read back from the
    cache when what is counted is unchanged), per section (and per value of ``by``); every corpus-level figure is a
    sum or an array operation over those counts:

    * ``freq``, ``doc_freq``, years, groups: sums of the per-unit counts;
    * which grams are candidates: the edge flags of their uses, the words the corpus shows never to start or
      end a phrase (from the one-token counts), the length and digit rules;
    * ``cvalue``: every proper part of every longer candidate, found by following prefix and suffix links;
    * ``pmi``: the weakest binary split, the parts found the same way;
    * entropies, ``nested_share``, ``enclosed_share``: the one-token extensions (the ``n + 1``-grams whose suffix
      or prefix the candidate is).

    ``shorthands``: join numbered shorthands first (五个中心: :func:`~cppcc_nlp.terms.shorthands.merge_shorthands`),
    as :func:`~cppcc_nlp.terms.ranking.extract_terms` does.

    ``cache``: True (the corpus's own cache folder when given a corpus that has one, a store's ``cache/``; else
    :func:`cppcc_nlp._cache.cache_dir`), a folder, or False (count without caching).

    ``client``: a ``distributed.Client``: the documents the cache lacks are counted on its cluster; the cache
    (same keys), the merge and everything after it stay here (docs/scale.md).
    """
    _check_options(max_len, min_freq, min_chars, max_chars)
    if cache is True and getattr(corpus_or_tokens, "cache_dir", None) is not None:
        cache = corpus_or_tokens.cache_dir
    table = as_token_table(corpus_or_tokens)
    if by is not None and by not in table.columns:
        raise ParameterError(
            f"by={by!r} is not a column of the token table; choose one of {', '.join(map(str, table.columns))}"
        )
    counts, units = _count_table(table, max_len + 1, by, cache, shorthands, client)
    doc_ids = list(pd.unique(table["doc_id"]))
    years = sorted(int(y) for y in pd.unique(pd.to_numeric(table["year"], errors="coerce")) if not pd.isna(y))
    groups = [] if by is None else sorted(pd.unique(units["group"]).tolist(), key=lambda v: (str(type(v)), str(v)))
    return _candidates(
        counts, units, max_len=max_len, min_freq=min_freq, min_chars=min_chars, max_chars=max_chars
    ).with_axes(doc_ids, years, groups)


#: the token-table columns that merge_shorthands, fold_variants and the count inputs read or rewrite
REWRITE_COLUMNS = ("doc_id", "para_id", "sent", "token", "start", "end", "is_punct", "is_stop", "is_num", "in_lexicon")


def _count_table(
    table: pd.DataFrame, max_n: int, by: str | None, cache, shorthands: bool = False, client=None
) -> tuple[NgramCounts, pd.DataFrame]:
    """The n-gram counts of ``table`` with its variants folded (:func:`fold_variants`; numbered shorthands
    joined first with ``shorthands``), and a table of units (one row per unit: doc, year, group).

    Folding and joining depend on the whole corpus (大众创业万众创新 written as one word in some other report, a
    shorthand recurring in two reports), so the whole table is rewritten first; then each document is counted as
    rewritten, through the cache (keyed by what is counted).  A new report thus invalidates the cached counts of
    only the documents whose rewriting it changes (a variant it writes as one word, a shorthand it makes recur);
    the others, and every document that nothing folds, are read back.
    """
    n = len(table)
    table = table.reset_index(drop=True)
    # (only the columns that joining, folding and the count inputs read: each rewrite copies the table, and the
    # docvars would be half of it)
    narrow = table[[c for c in REWRITE_COLUMNS if c in table.columns]].assign(_row=np.arange(n))
    # (the tokens as a categorical: the rewrites take and set codes, not Arrow strings)
    codes, vocab = _token_codes(narrow)
    narrow["token"] = pd.Categorical.from_codes(codes, categories=pd.Index(vocab, dtype=object))
    folded = merge_shorthands(narrow) if shorthands else narrow
    folded = fold_variants(folded)  # 大众创业、万众创新 = 大众创业万众创新
    rows = folded["_row"].to_numpy()  # rows of ``table`` kept
    none = pd.Series(np.zeros(n, np.int8))
    new_doc = _changes(table["doc_id"])
    new_para = _changes(table["para_id"])
    sentence = np.cumsum(new_doc | new_para | _changes(table["sent"] if "sent" in table.columns else none))
    section = _changes(table["section_id"]) if "section_id" in table.columns else new_para
    unit = np.cumsum(new_doc | section | _changes(table[by] if by is not None else none)) - 1
    codes, vocab = _token_codes(folded)
    can_start, can_end = _edge_flags(folded, codes, vocab)
    marked = folded["in_lexicon"].to_numpy(dtype=bool) if "in_lexicon" in folded.columns else np.zeros(len(rows), bool)
    counted = {
        "tokens": vocab[codes],
        "separator": _separators(folded, codes, vocab),
        "ok_start": can_start,
        "ok_end": can_end,
        "marked": marked,
        "sentence": sentence[rows],
        "unit": unit[rows],
    }
    # one piece per document: its rewritten rows (positions are rows of the rewritten table, in text order)
    doc = (np.cumsum(new_doc) - 1)[rows]
    bounds = np.append(np.flatnonzero(np.diff(doc, prepend=-1) != 0), len(rows))
    spans = list(zip(bounds[:-1].tolist(), bounds[1:].tolist()))
    del narrow, folded, codes, rows, doc  # (what is counted is in ``counted``: the rewritten tables go)
    merged = _merged_counts(counted, spans, max_n, cache, client)
    first_row = np.flatnonzero(np.diff(np.append(-1, unit)) != 0)
    year = pd.to_numeric(table["year"], errors="coerce").to_numpy(dtype=float)
    group = table[by].iloc[first_row].to_numpy(dtype=object) if by is not None else np.zeros(len(first_row), object)
    units = pd.DataFrame(
        {"doc": table["doc_id"].iloc[first_row].to_numpy(dtype=object), "year": year[first_row], "group": group}
    )
    return merged, units


#: documents whose counts are read (or counted) and merged at a time by :func:`_merged_counts`
MERGE_BATCH = 32


def _merged_counts(counted: dict, spans: list, max_n: int, cache, client) -> NgramCounts:
    """The n-gram counts of each document (``counted`` sliced by ``spans``, through the cache), merged.

    The documents are read and merged :data:`MERGE_BATCH` at a time, then the batches are merged: the same
    counts, array for array, as one merge of every document (grams are united and rows concatenated in the
    same order; tests), without holding every document's own counts at once, most of them gram tables that the
    merge unites.  On 16 copies of the shared corpora (417 documents) the count table's allocations peak at
    1.1 GB instead of 1.7 GB (tracemalloc), and the terms step's peak RSS is 2.0 GB instead of 2.5 GB
    (benchmarks/README.md).  With a Dask ``client`` every document goes to :func:`cached_counts_many` at once,
    so that the cluster counts the uncached ones side by side.
    """
    size = len(spans) if client is not None else MERGE_BATCH
    merged = []
    for at in range(0, len(spans), max(size, 1)):
        batch = spans[at : at + size]
        documents = [{k: v[s:e] for k, v in counted.items()} for s, e in batch]
        pieces = cached_counts_many(documents, max_n=max_n, cache=cache, client=client)
        units = [np.unique(counted["unit"][s:e]) for s, e in batch]
        merged.append(merge_counts(pieces, units=units, positions=[s for s, _ in batch]))
        del documents, pieces  # (before the next batch is read)
    if len(merged) == 1:
        return merged[0]
    # (each batch's units and positions are the table's already)
    return merge_counts(merged, units=[np.arange(part.n_units) for part in merged])


def _changes(column: pd.Series) -> np.ndarray:
    """True where a value differs from the one before (and on the first row); two missing values are equal."""
    before = column.shift()
    differ = column.ne(before).fillna(True) & ~(column.isna() & before.isna())
    out = differ.to_numpy(dtype=bool, copy=True)
    if len(out):
        out[0] = True
    return out


def _chain(link: np.ndarray, start: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """``link`` applied ``steps`` times (per element) from ``start``."""
    cur = start.copy()
    for k in range(int(steps.max(initial=0))):
        move = steps > k
        cur[move] = link[cur[move]]
    return cur


def _distinct(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` of an int64 array by sorting: numpy's hash table is some 50 times slower on these keys
    (1.4 s for the million (part, whole) pairs of a 4x corpus)."""
    values = np.sort(values)
    keep = np.ones(len(values), bool)
    keep[1:] = values[1:] != values[:-1]
    return values[keep]


def _candidates(counts: NgramCounts, units: pd.DataFrame, *, max_len, min_freq, min_chars, max_chars) -> _Draft:
    """The candidates of ``counts`` (see :func:`count_candidates`)."""
    c = counts
    G = len(c.gram)
    count = np.bincount(c.ref, weights=c.count, minlength=G).astype(np.int64)
    at_start = np.bincount(c.ref, weights=c.at_start, minlength=G).astype(np.int64)
    at_end = np.bincount(c.ref, weights=c.at_end, minlength=G).astype(np.int64)
    # uses that may start and end, per (first-token mark, last-token mark): as a bit set 1, 2, 4, 8
    by_bucket = np.bincount(
        c.ref[c.edge_row].astype(np.int64) * 4 + c.edge_bucket, weights=c.edge_count, minlength=4 * G
    ).reshape(G, 4)
    edge = ((by_bucket > 0) * np.array([1, 2, 4, 8])).sum(axis=1)
    n = c.n.astype(np.int64)
    multi = n > 1

    gram_index = pd.Index(c.gram)

    def index_of(hashes: np.ndarray) -> np.ndarray:
        return gram_index.get_indexer(hashes)

    prefix = np.where(multi, index_of(c.prefix), np.arange(G))
    suffix = np.where(multi, index_of(c.suffix), np.arange(G))
    last = index_of(c.last)
    first_tok = np.arange(G)
    for level in range(2, int(n.max(initial=1)) + 1):
        at = np.flatnonzero(n == level)
        first_tok[at] = first_tok[prefix[at]]
    # the text of each token, on the one-token grams
    vocab_at = np.searchsorted(c.vocab, c.gram).clip(0, max(len(c.vocab) - 1, 0))
    text = np.where(~multi & (c.vocab[vocab_at] == c.gram), c.vocab_text[vocab_at].astype(object), None)
    marked = np.where(~multi, c.vocab_marked[vocab_at] > 0, False)
    digit = np.zeros(G, bool)
    one = np.flatnonzero(~multi)
    digit[one] = [bool(t) and bool(_DIGIT_RE.search(t)) for t in text[one].tolist()]
    for level in range(2, int(n.max(initial=1)) + 1):
        at = np.flatnonzero(n == level)
        digit[at] = digit[prefix[at]] | digit[last[at]]
    # words the corpus shows never to start or end a phrase (see _bound_words), from the one-token counts
    enough = ~multi & (count >= BOUND_MIN_COUNT)
    bad_start = enough & (at_start < BOUND_MAX_RATE * count)
    bad_end = enough & (at_end < BOUND_MAX_RATE * count)
    vs, ve = ~bad_start[first_tok], ~bad_end[last]
    valid = (edge & 8 > 0) | ((edge & 4 > 0) & ve) | ((edge & 2 > 0) & vs) | ((edge & 1 > 0) & vs & ve)
    before_last = np.where(n >= 3, last[prefix], -1)
    de_tail = (n >= 3) & (text[before_last.clip(0)] == "的")
    is_cand = (
        valid
        & (count > 0)
        & (n <= max_len)
        & (c.n_chars >= min_chars)
        & (c.n_chars <= max_chars)
        & ~de_tail
        & ~digit
        & ((count >= min_freq) | (~multi & marked))
    )
    cand = np.flatnonzero(is_cand)
    # in the order of first use (as the text is read: position, then length)
    cand = cand[np.lexsort((n[cand], c.first[cand]))]
    nc = len(cand)
    cn = n[cand]
    # token positions of each candidate, from the right: last token, then the prefix's last token …
    tok_idx = np.full((nc, max_len), -1, np.int64)
    cur = cand.copy()
    rows = np.arange(nc)
    for j in range(max_len):
        move = cn - 1 - j >= 0
        tok_idx[rows[move], (cn - 1 - j)[move]] = last[cur[move]]
        cur[move] = prefix[cur[move]]
    token_text = text[tok_idx.clip(0)]
    token_rows = token_text.tolist()
    term = ["".join(t[:k]) for t, k in zip(token_rows, cn.tolist())]
    # C-value: every proper part of every longer candidate, each (part, whole) pair once
    subs, wholes = [], []
    for s in range(max_len):
        has = cn - s >= 1
        x = _chain(suffix, cand[has], np.full(has.sum(), s))
        whole = cand[has]
        left = cn[has] - s
        for drop in range(max_len):
            ok = left - drop >= 1
            if drop == 0 and s == 0:
                continue
            if not ok.any():
                break
            subs.append(_chain(prefix, x[ok], np.full(ok.sum(), drop)))
            wholes.append(whole[ok])
    sub = np.concatenate(subs) if subs else np.zeros(0, np.int64)
    whole = np.concatenate(wholes) if wholes else np.zeros(0, np.int64)
    inside = is_cand[sub]
    pair = _distinct(sub[inside] * max(G, 1) + whole[inside])
    sub, whole = pair // max(G, 1), pair % max(G, 1)
    nested_sum = np.bincount(sub, weights=count[whole], minlength=G)
    nested_n = np.bincount(sub, minlength=G)
    f = count[cand].astype(float)
    f = np.where(nested_n[cand] > 0, f - nested_sum[cand] / np.maximum(nested_n[cand], 1), f)
    cvalue = np.log2(1.0 + c.n_chars[cand]) * f
    # PMI of the weakest binary split
    total = int(count[~multi].sum())
    pmi = np.full(nc, np.inf)
    for k in range(1, max_len):
        has = cn > k
        if not has.any():
            break
        left_part = _chain(prefix, cand[has], cn[has] - k)
        right_part = _chain(suffix, cand[has], np.full(has.sum(), k))
        with np.errstate(divide="ignore"):
            value = np.log2(count[cand[has]] * float(total) / (count[left_part] * count[right_part]).astype(float))
        pmi[has] = np.minimum(pmi[has], value)
    pmi[cn < 2] = np.nan
    # one-token extensions: left (suffix is a candidate) and right (prefix is a candidate)
    row_of = np.full(G, -1, np.int64)
    row_of[cand] = rows
    ext = np.flatnonzero(multi & (count > 0))
    left_of, right_of = row_of[suffix[ext]], row_of[prefix[ext]]
    is_left, is_right = left_of >= 0, right_of >= 0
    ext_cand = is_cand[ext]
    max_extension = np.zeros(nc, np.int64)
    np.maximum.at(max_extension, left_of[is_left & ext_cand], count[ext[is_left & ext_cand]])
    max_enclosing = max_extension.copy()
    np.maximum.at(max_enclosing, right_of[is_right & ext_cand], count[ext[is_right & ext_cand]])
    # one row per term string: segmentations of the same string (政协委员 | 政协/委员) are one term
    term_id, term_text = pd.factorize(pd.Series(term, dtype=object))
    nt = len(term_text)
    freq = count[cand]
    order = np.lexsort((rows, -freq, term_id))  # per term: most frequent first, then first used
    lead = np.zeros(nt, np.int64)
    is_first = np.ones(nc, bool)
    is_first[1:] = term_id[order][1:] != term_id[order][:-1]
    lead[term_id[order][is_first]] = order[is_first]

    def per_term(values, how="sum"):
        if how == "sum":
            return np.bincount(term_id, weights=values, minlength=nt)
        out = np.full(nt, -np.inf if how == "max" else np.inf)
        (np.maximum if how == "max" else np.minimum).at(out, term_id, values)
        return out

    t_freq = per_term(freq).astype(np.int64)
    t_lb = per_term(at_start[cand]).astype(np.int64)
    t_rb = per_term(at_end[cand]).astype(np.int64)
    single = per_term((cn < 2).astype(float), "max") > 0
    t_pmi = np.where(single, np.nan, per_term(np.nan_to_num(pmi, nan=-np.inf), "max"))
    t_lex = per_term((~(cn > 1) & marked[cand]).astype(float), "max") > 0
    t_ext = per_term(max_extension.astype(float), "max").astype(np.int64)
    t_enc = per_term(max_enclosing.astype(float), "max").astype(np.int64)
    t_cvalue = np.zeros(nt)
    np.add.at(t_cvalue, term_id, cvalue)
    left_entropy = _entropy(term_id[left_of[is_left]], first_tok[ext[is_left]], count[ext[is_left]], t_lb, nt)
    right_entropy = _entropy(term_id[right_of[is_right]], last[ext[is_right]], count[ext[is_right]], t_rb, nt)
    frame = pd.DataFrame(
        {
            "term": pd.array(term_text.astype(str), dtype=str),
            "tokens": pd.Series([tuple(token_rows[k][: cn[k]]) for k in lead.tolist()], dtype=object),
            "n_tokens": cn[lead],
            "n_chars": c.n_chars[cand][lead].astype(np.int64),
            "freq": t_freq,
            "cvalue": t_cvalue,
            "pmi": t_pmi,
            "left_entropy": left_entropy,
            "right_entropy": right_entropy,
            "nested_share": np.clip(t_ext / np.maximum(t_freq, 1), 0.0, 1.0),
            "enclosed_share": np.clip(t_enc / np.maximum(t_freq, 1), 0.0, 1.0),
            "in_lexicon": t_lex,
        }
    )
    # counts per unit of each term
    unit_term = row_of[c.ref]
    keep = unit_term >= 0
    return _Draft(frame, term_id[unit_term[keep]], c.unit[keep], c.count[keep], units, total)


def _entropy(rows: np.ndarray, neighbour: np.ndarray, counts: np.ndarray, unique: np.ndarray, size: int) -> np.ndarray:
    """Branching entropy (bits) per row from (row, neighbour, count) triples and the boundary uses of each row,
    each a distinct neighbour seen once (see :func:`cppcc_nlp.terms.termhood.branching_entropy`)."""
    frame = pd.DataFrame({"row": rows, "nb": neighbour, "n": counts}).groupby(["row", "nb"], sort=False)["n"].sum()
    row = frame.index.get_level_values("row").to_numpy()
    value = frame.to_numpy(dtype=float)
    total = np.bincount(row, weights=value, minlength=size).astype(float) + unique
    with np.errstate(divide="ignore", invalid="ignore"):
        p = value / total[row]
        h = np.bincount(row, weights=-(p * np.log2(p)), minlength=size).astype(float)
        q = 1.0 / total
        h += np.where(unique > 0, -unique * q * np.log2(q), 0.0)
    return np.abs(np.where(total > 0, h, 0.0))


@dataclass
class _Draft:
    """Candidates and their per-unit counts, before the axes (documents, years, groups) are named."""

    frame: pd.DataFrame
    row: np.ndarray
    unit: np.ndarray
    count: np.ndarray
    units: pd.DataFrame
    n_tokens: int

    def with_axes(self, doc_ids: list, years: list, groups: list) -> Candidates:
        from scipy import sparse

        nt = len(self.frame)

        def matrix(labels: list, unit_label: np.ndarray) -> object:
            code = pd.Index(labels, dtype=object).get_indexer(pd.Index(unit_label, dtype=object))
            col = code[self.unit]
            ok = col >= 0
            return sparse.csr_array(
                (self.count[ok].astype(np.int64), (self.row[ok], col[ok])), shape=(nt, max(len(labels), 0))
            )

        year_label = np.array([int(y) if not np.isnan(y) else None for y in self.units["year"]], dtype=object)
        docs = matrix(doc_ids, self.units["doc"].to_numpy(dtype=object))
        yearly = matrix(years, year_label)
        grouped = matrix(groups, self.units["group"].to_numpy(dtype=object))
        for m in (docs, yearly, grouped):
            m.sum_duplicates()
            m.eliminate_zeros()  # (a piece of counts may hold a use taken out: NgramCounts.negated)
            m.sort_indices()
        frame = self.frame
        n_years = np.diff(yearly.indptr)
        has = n_years > 0
        # columns are sorted years and each row's indices sorted: its first and last entries are its years
        year_of = np.append(np.asarray(years, dtype=np.int64), 0)[np.append(yearly.indices, len(years))]
        first = np.where(has, year_of[np.minimum(yearly.indptr[:-1], len(yearly.indices))], 0)
        last = np.where(has, year_of[np.maximum(yearly.indptr[1:] - 1, 0)], 0)
        frame.insert(5, "doc_freq", np.diff(docs.indptr).astype(np.int64))
        frame.insert(6, "first_year", pd.arrays.IntegerArray(first.astype(np.int64), ~has))
        frame.insert(7, "last_year", pd.arrays.IntegerArray(last.astype(np.int64), ~has))
        frame["n_years"] = n_years.astype(np.int64)
        return Candidates(
            frame=frame,
            n_tokens=self.n_tokens,
            doc_ids=doc_ids,
            years=years,
            groups=groups,
            doc_counts=docs,
            year_counts=yearly,
            group_counts=grouped,
        )
