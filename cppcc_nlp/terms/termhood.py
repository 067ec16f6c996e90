"""Termhood and unithood scores for multi-word term candidates, one algorithm per function.

These are the building blocks of :func:`cppcc_nlp.extract_terms`; they work on plain counts, so they can be
checked by hand and reused on any token sequences.

* :func:`cvalue` — **termhood** of nested terms (Frantzi, Ananiadou & Mima 2000): frequent candidates that are
  not merely parts of a longer frequent candidate.
* :func:`pmi` — **cohesion** (unithood): pointwise mutual information of two parts; :func:`min_split_pmi`
  takes the weakest binary split of an n-gram, the "solidity" (凝固度) of Chinese new-word discovery.
* :func:`branching_entropy` — **boundary** strength (自由度): the entropy of the tokens seen just left or just
  right of a candidate (Tanaka-Ishii 2005; Jin & Tanaka-Ishii 2006).  A whole term is preceded and followed
  by many different tokens; a fragment (政协委, 委员工作) is always followed by the same one.
* :func:`log_likelihood` — Dunning's G² for a 2×2 table, used by :mod:`cppcc_nlp.terms.keyness`.
* :func:`tfidf` — the report-level TF-IDF weight.
* :func:`specificity` — **domain specificity** against general language: how rare the words a term is made
  of are in a general-language reference (jieba's bundled IDF table), a contrastive weight in the spirit of
  Ahmad et al.'s "weirdness" (1999).

All logarithms are base 2 (bits) unless said otherwise.
"""

from __future__ import annotations

import io
import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cppcc_nlp.errors import ParameterError

__all__ = [
    "cvalue",
    "pmi",
    "npmi",
    "min_split_pmi",
    "branching_entropy",
    "log_likelihood",
    "log_ratio",
    "tfidf",
    "specificity",
    "general_idf",
]


def _subsequences(term: Sequence[Hashable]):
    """Every proper contiguous sub-sequence of ``term`` (as tuples), each once."""
    n = len(term)
    seen = set()
    for length in range(1, n):
        for start in range(0, n - length + 1):
            sub = tuple(term[start : start + length])
            if sub not in seen:
                seen.add(sub)
                yield sub


def cvalue(freq: Mapping[tuple, int], *, length: Mapping[tuple, float] | None = None) -> pd.Series:
    """C-value of every candidate (Frantzi, Ananiadou & Mima 2000), nested candidates discounted.

    ``C(a) = log2(1 + |a|) * f(a)`` when ``a`` is not nested in any other candidate, else
    ``C(a) = log2(1 + |a|) * (f(a) - sum(f(b) for b in T_a) / |T_a|)``, where ``T_a`` is the set of longer
    candidates that contain ``a`` as a contiguous part.  The original uses ``log2 |a|``, which is zero for
    one-word candidates; ``log2(1 + |a|)`` (Barrón-Cedeño et al. 2009) keeps single words rankable, which
    Chinese needs because the segmenter often returns a whole term as one token (政协委员).

    Parameters
    ----------
    freq : mapping from a candidate (tuple of tokens) to its frequency.  Nesting is looked up among the keys.
    length : optional mapping from a candidate to its length ``|a|``; the number of tokens by default.
        :func:`cppcc_nlp.extract_terms` passes the length in characters, which does not depend on how the
        segmenter happened to split a word.

    Returns
    -------
    pandas.Series
        C-value indexed like ``freq`` (same order).

    Examples
    --------
    >>> f = {("社情", "民意"): 10, ("社情", "民意", "信息"): 10}
    >>> cvalue(f).round(3).tolist()     # 社情民意 only ever appears inside 社情民意信息
    [0.0, 20.0]
    """
    keys = list(freq)
    if not keys:
        return pd.Series([], dtype=float)
    nested_sum: Counter = Counter()
    nested_n: Counter = Counter()
    for term in keys:
        if len(term) < 2:
            continue
        f = freq[term]
        for sub in _subsequences(term):
            if sub in freq:
                nested_sum[sub] += f
                nested_n[sub] += 1
    values = np.empty(len(keys))
    for k, term in enumerate(keys):
        size = len(term) if length is None else length[term]
        if size <= 0:
            raise ParameterError(f"cvalue: the length of candidate {term!r} is {size}; lengths must be positive")
        f = float(freq[term])
        if nested_n[term]:
            f -= nested_sum[term] / nested_n[term]
        values[k] = math.log2(1 + size) * f
    return pd.Series(values, index=pd.Index(keys, tupleize_cols=False), dtype=float)


def pmi(joint, left, right, total) -> np.ndarray | float:
    """Pointwise mutual information ``log2(p(xy) / (p(x) p(y)))`` from counts.

    Parameters
    ----------
    joint : count of the pair (the n-gram ``xy``).
    left, right : counts of ``x`` and ``y`` alone.
    total : the number of positions counted (tokens in the corpus).

    Returns
    -------
    float or numpy array (broadcast over array inputs); ``-inf`` where ``joint`` is 0.

    Examples
    --------
    >>> pmi(4, 4, 4, 64)       # x and y only ever occur together: log2(64 / 4)
    4.0
    """
    joint, left, right, total = (np.asarray(a, dtype=float) for a in (joint, left, right, total))
    if np.any(left <= 0) or np.any(right <= 0) or np.any(total <= 0):
        raise ParameterError("pmi: the counts of both parts and the total must be positive")
    with np.errstate(divide="ignore"):
        out = np.log2(joint * total / (left * right))
    return float(out) if out.ndim == 0 else out


def npmi(joint, left, right, total) -> np.ndarray | float:
    """Normalised PMI (Bouma 2009): ``pmi / -log2 p(xy)``, in [-1, 1]; 1 when the parts never occur apart.

    Examples
    --------
    >>> npmi(4, 4, 4, 64)
    1.0
    """
    p = np.asarray(joint, dtype=float) / np.asarray(total, dtype=float)
    value = np.asarray(pmi(joint, left, right, total)) / -np.log2(p)
    return float(value) if value.ndim == 0 else value


def min_split_pmi(term: Sequence[Hashable], count: Mapping[tuple, int], total: int) -> float:
    """Cohesion of an n-gram: the smallest PMI over its binary splits (``AB|C`` and ``A|BC`` for ``ABC``).

    A term is only as solid as its weakest joint: 委员|工作站 may be cohesive while 工作站|建设 is not.
    One-token candidates have no split and get ``nan``.

    Parameters
    ----------
    term : the n-gram, a sequence of tokens.
    count : counts of n-grams (tuples), which must include every prefix and suffix of ``term``.
    total : number of tokens in the corpus.

    Examples
    --------
    >>> c = {("委员",): 8, ("工作站",): 4, ("委员", "工作站"): 4}
    >>> min_split_pmi(("委员", "工作站"), c, 64)    # log2(4 * 64 / (8 * 4))
    3.0
    """
    term = tuple(term)
    if len(term) < 2:
        return float("nan")
    joint = count.get(term, 0)
    best = math.inf
    for k in range(1, len(term)):
        left, right = count.get(term[:k], 0), count.get(term[k:], 0)
        if left <= 0 or right <= 0:
            raise ParameterError(f"min_split_pmi: no count for a part of {term!r}; count every sub-n-gram")
        best = min(best, pmi(joint, left, right, total))
    return float(best)


def branching_entropy(neighbours: Mapping[Hashable, int] | Iterable[int], *, unique: int = 0) -> float:
    """Shannon entropy (bits) of the tokens seen on one side of a candidate.

    Parameters
    ----------
    neighbours : a mapping neighbour → count, or just the counts.
    unique : occurrences whose neighbour is a sentence boundary or punctuation.  Each one counts as a
        distinct neighbour seen once: a boundary is the strongest evidence that a term ends there, and
        pooling them into one symbol would punish terms that open or close clauses (高质量发展，…).

    Returns
    -------
    float
        0.0 when the candidate always has the same neighbour, ``log2(n)`` when its ``n`` occurrences all
        have different neighbours; 0.0 for no occurrence at all.

    Examples
    --------
    >>> branching_entropy({"建设": 4})                 # 委员工作 is always followed by 站 / 建设
    0.0
    >>> branching_entropy({"推进": 1, "加强": 1, "完善": 1, "建设": 1})
    2.0
    >>> branching_entropy({"推进": 2}, unique=2)        # counts 2, 1, 1
    1.5
    """
    counts = list(neighbours.values()) if isinstance(neighbours, Mapping) else list(neighbours)
    if unique < 0 or any(c < 0 for c in counts):
        raise ParameterError("branching_entropy: counts must not be negative")
    counts = [c for c in counts if c > 0] + [1] * int(unique)
    total = float(sum(counts))
    if total == 0:
        return 0.0
    p = np.asarray(counts, dtype=float) / total
    return float(abs(-(p * np.log2(p)).sum()))


def log_likelihood(a, b, c, d, *, correction: bool = False) -> np.ndarray | float:
    """Dunning's log-likelihood G² for the 2×2 table ``[[a, b], [c, d]]``, signed.

    For keyness ``a`` is the term's count in the target, ``b`` its count in the reference, ``c`` and ``d``
    the counts of all other tokens in the target and the reference.  The value equals
    ``scipy.stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")[0]`` and is signed
    positive when the term is relatively more frequent in the target (over-represented), negative when
    under-represented, as quanteda's ``textstat_keyness(measure = "lr")`` reports it.

    Parameters
    ----------
    a, b, c, d : counts (scalars or arrays broadcast together).
    correction : apply Yates' continuity correction (each observed count moved 0.5 towards its expected
        count), as quanteda does by default for 2×2 tables.  Off by default.

    Examples
    --------
    >>> round(log_likelihood(10, 2, 990, 998), 4)
    5.8543
    """
    a, b, c, d = (np.asarray(x, dtype=float) for x in (a, b, c, d))
    if any(np.any(x < 0) for x in (a, b, c, d)):
        raise ParameterError("log_likelihood: counts must not be negative")
    n = a + b + c + d
    row1, row2, col1, col2 = a + b, c + d, a + c, b + d
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = [row1 * col1 / n, row1 * col2 / n, row2 * col1 / n, row2 * col2 / n]
        observed = [a, b, c, d]
        if correction:
            observed = [
                np.where(o > e, np.maximum(o - 0.5, e), np.minimum(o + 0.5, e)) for o, e in zip(observed, expected)
            ]
        g2 = np.zeros(np.broadcast(a, b, c, d).shape)
        for o, e in zip(observed, expected):
            g2 = g2 + np.where(o > 0, o * np.log(np.where(o > 0, o, 1.0) / np.where(e > 0, e, 1.0)), 0.0)
        g2 = 2.0 * g2
        over = a * col2 >= b * col1  # a/col1 >= b/col2 without dividing by zero
    g2 = np.where(over, g2, -g2)
    g2 = np.where(np.abs(g2) < 1e-12, 0.0, g2)
    return float(g2) if g2.ndim == 0 else g2


def log_ratio(a, b, size_a, size_b, *, smoothing: float = 0.5) -> np.ndarray | float:
    """Effect size: Hardie's Log Ratio, ``log2((a / size_a) / (b / size_b))`` with ``smoothing`` added to
    ``a`` and ``b`` so that a term absent from one side gets a finite value.  1 means twice as frequent.

    Examples
    --------
    >>> log_ratio(8, 2, 1000, 1000, smoothing=0)
    2.0
    """
    a, b, size_a, size_b = (np.asarray(x, dtype=float) for x in (a, b, size_a, size_b))
    if np.any(size_a <= 0) or np.any(size_b <= 0):
        raise ParameterError("log_ratio: both corpus sizes must be positive")
    with np.errstate(divide="ignore"):
        out = np.log2(((a + smoothing) / size_a) / ((b + smoothing) / size_b))
    return float(out) if out.ndim == 0 else out


def tfidf(tf, df, n_docs, *, sublinear: bool = True) -> np.ndarray | float:
    """Report-level TF-IDF: ``(1 + log tf) * log((1 + n_docs) / (1 + df)) + 1)`` (scikit-learn's smooth idf).

    Parameters
    ----------
    tf : the term's count in the report.  df : number of reports containing it.  n_docs : number of reports.
    sublinear : use ``1 + log(tf)`` instead of ``tf`` (on by default: a term said 40 times is not 40 times
        as characteristic of a report as one said once).

    Examples
    --------
    >>> round(tfidf(1, 1, 1), 4)
    1.0
    """
    tf, df = np.asarray(tf, dtype=float), np.asarray(df, dtype=float)
    if np.any(df > n_docs) or n_docs <= 0:
        raise ParameterError(f"tfidf: document frequencies must lie between 0 and n_docs={n_docs}")
    with np.errstate(divide="ignore"):
        weight = np.where(tf > 0, 1 + np.log(np.where(tf > 0, tf, 1.0)), 0.0) if sublinear else tf
    idf = np.log((1.0 + n_docs) / (1.0 + df)) + 1.0
    out = weight * idf
    return float(out) if out.ndim == 0 else out


_GENERAL_IDF: tuple | None = None


def general_idf() -> tuple[dict, float, "object"]:
    """The general-language reference: jieba's bundled IDF table (about 270,000 words with their inverse
    document frequency in a large general Chinese collection, natural log), its median (jieba's value for an
    unseen word), and a private tokenizer on jieba's bundled dictionary.  Loaded once, lazily (about 1 s);
    nothing is downloaded."""
    global _GENERAL_IDF
    if _GENERAL_IDF is None:
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        idf, median = _read_idf_table()
        # a tokenizer of our own with jieba's general dictionary only: words a user adds to jieba's global
        # tokenizer (jieba.add_word, load_userdict) must not change what counts as general language
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        _GENERAL_IDF = (idf, median, tokenizer)
    return _GENERAL_IDF


def _idf_path() -> Path:
    """jieba's bundled general-language IDF table (``jieba/analyse/idf.txt``)."""
    import jieba

    return Path(jieba.__file__).parent / "analyse" / "idf.txt"


def _read_idf_table() -> tuple[dict, float]:
    """jieba's bundled IDF table and its median, read as ``jieba.analyse.TFIDF()`` reads it (a fresh copy:
    ``jieba.analyse.set_idf_path`` cannot change it), without importing ``jieba.analyse``, whose import builds
    a table of its own (about 1 s)."""
    idf = {}
    for line in _idf_path().read_bytes().decode("utf-8").splitlines():
        word, freq = line.strip().split(" ")
        idf[word] = float(freq)
    return idf, float(sorted(idf.values())[len(idf) // 2])


def specificity(terms: Iterable[str], *, reduce: str = "mean") -> pd.Series:
    """Domain specificity of each term string against general language (a contrastive "weirdness" weight).

    The term is cut into words with jieba's general dictionary (no HMM guessing, so the cut is fixed and does
    not depend on our domain lexicon or on pkuseg), and each word gets its IDF in jieba's general-language
    table (words absent from the table get the table's median, as jieba's own TF-IDF does).  The specificity
    is the mean IDF of the words (``reduce="mean"``) or the largest (``"max"``): high when the term is built
    from words that general text rarely uses (社情|民意 …, 工作站, 履职, 议政), low for combinations of
    everyday words (经济|发展, 建设|国际, 新|时代).  The mean, not the sum, so that length does not count twice
    (C-value already rewards it).

    Weirdness (Ahmad, Gillam & Tostevin 1999) is the ratio of a word's relative frequency in the domain to
    that in general language; its domain side is already the term's frequency in the ranking (C-value), so
    this function supplies the general side: ``-log`` of the share of general documents that use the word.

    Parameters
    ----------
    terms : term strings.
    reduce : ``"mean"`` or ``"max"`` over the term's words.

    Returns
    -------
    pandas.Series
        Specificity in nats, indexed by the term strings (same order).

    Examples
    --------
    >>> s = specificity(["社情民意信息", "经济发展"])
    >>> bool(s["社情民意信息"] > s["经济发展"])
    True
    """
    if reduce not in ("mean", "max"):
        raise ParameterError(f"specificity: reduce={reduce!r}; choose 'mean' or 'max'")
    terms = [str(t) for t in (terms.tolist() if hasattr(terms, "tolist") else terms)]  # (a Series: from a list)
    known = _WORD_WEIGHTS
    new = [t for t in dict.fromkeys(terms) if t not in known]
    if new and _load_saved_weights(known):
        new = [t for t in new if t not in known]
    if new:
        if len(new) < FEW_NEW_TERMS:
            freq, idf, median, log_total = _general_entries(new)
        else:
            idf, median, tokenizer = general_idf()
            freq, log_total = tokenizer.FREQ, math.log(tokenizer.total)
            _general_tables()  # saved while jieba's tables are at hand, for a later run with few new terms
        for term in new:
            weights = [idf.get(w, median) for w in _general_words(term, freq, log_total)] or [median]
            known[term] = (sum(weights) / len(weights), max(weights))
        _save_weights(known)
    column = 1 if reduce == "max" else 0
    values = np.fromiter((known[t][column] for t in terms), float, len(terms))
    return pd.Series(values, index=pd.Index(terms), dtype=float)


#: below this many terms to cut, jieba's tables are looked up in their saved form (:func:`_general_entries`, about
#: 30 µs a term) rather than loaded (about 2 s)
FEW_NEW_TERMS = 20_000
_GENERAL_TABLES: dict | None = None


def _general_tables() -> dict:
    """jieba's general dictionary (its prefix table: word → count, 0 for a prefix only) and IDF table as sorted
    64-bit hashes (:func:`_string_hashes`) with their values, the dictionary's total count, the IDF median and
    the longest dictionary entry.  Saved in the cache folder the first time (``terms/general-<key>.npz``), read
    back in a few milliseconds: a process with a few new terms to weigh (a refresh) then needs neither jieba's
    tokenizer (about 1 s to load) nor its IDF table (1 s)."""
    global _GENERAL_TABLES
    if _GENERAL_TABLES is None:
        from zipfile import BadZipFile

        from cppcc_nlp._cache import read_verified_bytes, write_verified_bytes

        path, key = _weights_entry("general")
        data = read_verified_bytes(path, inputs=key)
        tables = None
        if data is not None:
            try:
                with np.load(io.BytesIO(data), allow_pickle=False) as saved:
                    tables = {name: saved[name] for name in saved.files}
            except (ValueError, OSError, BadZipFile):  # a sound file of another layout: made again
                tables = None
        if tables is None:
            idf, median, tokenizer = general_idf()
            freq_keys, idf_keys = _string_hashes(list(tokenizer.FREQ)), _string_hashes(list(idf))
            freq_order, idf_order = np.argsort(freq_keys), np.argsort(idf_keys)
            tables = {
                "freq_keys": freq_keys[freq_order],
                "freq_values": np.fromiter(tokenizer.FREQ.values(), np.int64, len(freq_keys))[freq_order],
                "idf_keys": idf_keys[idf_order],
                "idf_values": np.fromiter(idf.values(), float, len(idf_keys))[idf_order],
                "total": np.int64(tokenizer.total),
                "median": np.float64(median),
                "longest": np.int64(max(map(len, tokenizer.FREQ), default=0)),
            }
            buffer = io.BytesIO()
            np.savez(buffer, **tables)
            try:
                write_verified_bytes(path, buffer.getvalue(), inputs=key)
            except OSError:  # a read-only cache still computes
                pass
        _GENERAL_TABLES = tables
    return _GENERAL_TABLES


def _string_hashes(strings: list[str]) -> np.ndarray:
    """The first 8 bytes of each string's blake2b digest, as uint64: two strings of jieba's tables sharing one
    has a probability of about 1e-8."""
    import hashlib

    digests = (hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest() for s in strings)
    return np.fromiter((int.from_bytes(d, "little") for d in digests), np.uint64, len(strings))


def _general_entries(terms: list[str]) -> tuple[dict, dict, float, float]:
    """What cutting and weighing ``terms`` looks up in jieba's tables (:func:`_general_words`): the dictionary
    count and the IDF of every substring of a term that they hold, the IDF median and the log of the
    dictionary's total count (as :func:`general_idf` gives them, for these terms only)."""
    tables = _general_tables()
    longest = int(tables["longest"])
    parts = list({t[i:j] for t in terms for i in range(len(t)) for j in range(i + 1, min(len(t), i + longest) + 1)})
    hashes = _string_hashes(parts)

    def held(keys: np.ndarray, values: np.ndarray) -> dict:
        if len(keys) == 0:
            return {}
        at = np.searchsorted(keys, hashes).clip(0, len(keys) - 1)
        found = np.flatnonzero(keys[at] == hashes)
        return dict(zip([parts[k] for k in found.tolist()], values[at[found]].tolist()))

    freq = held(tables["freq_keys"], tables["freq_values"])
    idf = held(tables["idf_keys"], tables["idf_values"])
    return freq, idf, float(tables["median"]), math.log(int(tables["total"]))


def _general_words(text: str, freq: dict, log_total: float) -> list[str]:
    """The words of ``text`` as ``jieba.Tokenizer.cut(text, HMM=False)`` cuts it, blanks left out.

    jieba's own algorithm, without its generators and per-call set-up (twice as fast on the 110,000 short
    candidates of a large corpus): runs of Han characters, Latin letters and digits (jieba's ``re_han_default``)
    take the most probable route through the dictionary ``freq`` (``log_total``: log of its total count), one
    Latin letter or digit after another making one word; any other character is a word of its own.  A test
    checks it against jieba on every candidate of the shared corpora.
    """
    import jieba  # (not ``from jieba import …``: this runs once per term)

    re_eng, re_han = jieba.re_eng, jieba.re_han_default
    if re_han.fullmatch(text) and not re_eng.search(text):  # one block without letters (most terms)
        return _best_route(text, freq, log_total)
    words = []
    for block in re_han.split(text):
        if not block:
            continue
        if not re_han.match(block):
            words += [ch for ch in block if ch.strip()]
            continue
        letters = ""
        for word in _best_route(block, freq, log_total):
            if len(word) == 1 and re_eng.match(word):
                letters += word
                continue
            if letters:
                words.append(letters)
                letters = ""
            words.append(word)
        if letters:
            words.append(letters)
    return words


def _best_route(block: str, freq: dict, log_total: float) -> list[str]:
    """The words of jieba's best route through ``block`` (its ``get_DAG`` and ``calc``): from the right, each
    position takes the dictionary word starting there (a character the dictionary lacks, by itself) that
    maximises the log probability of the rest; on a tie the longer word, as jieba's ``max`` over
    ``(score, end)`` does."""
    n = len(block)
    score = [0.0] * (n + 1)
    end_of = list(range(1, n + 2))
    for start in range(n - 1, -1, -1):
        best = None
        for end in range(start + 1, n + 1):
            count = freq.get(block[start:end])
            if count is None:  # no dictionary word goes on with this prefix
                break
            if count:
                value = math.log(count) - log_total + score[end]
                if best is None or value >= best:
                    best, end_of[start] = value, end
        # (the same sum as jieba's for a character alone: log(1) - log_total + …)
        score[start] = 0.0 - log_total + score[start + 1] if best is None else best
    words = []
    start = 0
    while start < n:
        words.append(block[start : end_of[start]])
        start = end_of[start]
    return words


#: term string → (mean, max) of its words' general-language IDF: each term is cut by jieba once per process,
#: and once per cache folder (:func:`_save_weights`)
_WORD_WEIGHTS: dict[str, tuple[float, float]] = {}
#: the cache files already read into _WORD_WEIGHTS by this process
_LOADED_FROM: set[str] = set()
#: version of the saved weights (bump when :func:`specificity` computes them otherwise)
WEIGHTS_FORMAT = "2"  # 2: npz instead of JSON


def _weights_entry(name: str = "specificity") -> tuple[Path, str]:
    """The cache file of the saved specificity weights (or of jieba's tables, ``name="general"``), and its key:
    jieba's version and the size and time of its dictionary and IDF table (what the weights are made from), the
    library version and WEIGHTS_FORMAT."""
    import jieba

    from cppcc_nlp._cache import cache_dir, cache_key

    stamps = []
    for path in (Path(jieba.__file__).parent / "dict.txt", _idf_path()):
        try:
            stat = path.stat()
            stamps.append(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}")
        except OSError:
            stamps.append(f"{path.name}:-")
    key = cache_key(f"jieba{jieba.__version__}", name, WEIGHTS_FORMAT, *stamps)
    return Path(cache_dir()) / "terms" / f"{name}-{key}.npz", key


def _load_saved_weights(known: dict) -> bool:
    """Fill ``known`` from the saved weights of the cache folder (once per process and folder): a fresh
    process then needs neither jieba's tokenizer (about 2 s to load) nor its IDF table (1 s).  True when
    something was read."""
    from zipfile import BadZipFile

    from cppcc_nlp._cache import read_verified_bytes

    path, key = _weights_entry()
    if str(path) in _LOADED_FROM:
        return False
    _LOADED_FROM.add(str(path))
    data = read_verified_bytes(path, inputs=key)
    if data is None:
        return False
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as saved:
            lengths, weights = saved["lengths"], saved["weights"]
            text = saved["text"].tobytes().decode("utf-8")
    except (ValueError, KeyError, OSError, BadZipFile):  # a sound file of another layout: computed again
        return False
    ends = np.cumsum(lengths).tolist()
    if weights.shape != (len(ends), 2) or (ends and ends[-1] != len(text)):
        return False
    starts = [0, *ends[:-1]]
    for start, end, value in zip(starts, ends, weights.tolist()):
        known.setdefault(text[start:end], tuple(value))
    return bool(ends)


def _save_weights(known: dict) -> None:
    """Write every weight known to this process to the cache folder: the terms as one UTF-8 text and their
    lengths, the weights as float64 (exact), in one ``.npz`` (no pickle; a tenth of the time of JSON)."""
    from cppcc_nlp._cache import write_verified_bytes

    path, key = _weights_entry()
    terms = list(known)
    buffer = io.BytesIO()
    np.savez(
        buffer,
        lengths=np.fromiter(map(len, terms), np.int64, len(terms)),
        text=np.frombuffer("".join(terms).encode("utf-8"), np.uint8),
        weights=np.array(list(known.values()), dtype=float).reshape(-1, 2),
    )
    try:
        write_verified_bytes(path, buffer.getvalue(), inputs=key)
    except OSError:  # a read-only cache still computes
        pass
    _LOADED_FROM.add(str(path))
