"""Multi-word policy terms: the candidates of :mod:`cppcc_nlp.terms.candidates`, scored and ranked.

Counts per year and occurrences of ranked terms are in :mod:`cppcc_nlp.terms.counts`.

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

import warnings

import numpy as np
import pandas as pd

from cppcc_nlp.errors import ParameterError
from cppcc_nlp.terms.candidates import Candidates, count_candidates, with_counters
from cppcc_nlp.terms.termhood import log_likelihood, specificity, tfidf
from cppcc_nlp.tokens.table import as_token_table

__all__ = ["extract_terms", "scored_candidates", "term_tfidf", "year_view", "GENRE_PHRASES", "RANK_BY", "TERM_COLUMNS"]

#: columns of :func:`extract_terms`, in order (per-year frequency columns follow when ``by_year=True``)
TERM_COLUMNS = [
    "term",
    "score",
    "freq",
    "doc_freq",
    "n_tokens",
    "first_year",
    "last_year",
    "cvalue",
    "pmi",
    "left_entropy",
    "right_entropy",
    "n_chars",
    "specificity",
    "burst",
    "peak_year",
    "year_rank",
]

#: G² (1 d.f.) from which a year's over-use of a term counts as a burst: p < 0.001
BURST_MIN_G2 = 10.83

# Whole phrases that every report carries but that are no policy vocabulary: forms of address, the speaker's
# organ, persons.  extract_terms(exclude=...) replaces the list; exclude=() keeps everything.
GENRE_PHRASES = frozenset(
    """
各位代表 各位委员 各位 同志们 全国各族人民 各族人民 人民群众 广大人民群众 国务院 政府工作 政府工作报告 工作报告
习近平 习近平同志 习近平总书记 表示诚挚感谢 表示诚挚的感谢 致以崇高的敬意 衷心感谢
""".split()
)

#: default share of the top positions the per-year view may claim (see extract_terms)
YEAR_SHARE = 0.2

#: the rankings of extract_terms(rank_by=...)
RANK_BY = ("default", "cvalue", "pmi", "entropy", "tfidf", "freq", "specificity")
#: lexicon kinds that are slogans rather than terms: kept whole, not given the lexicon boost
SLOGAN_KINDS = ("numbered", "branded", "series")


def _rank_scores(
    cands: pd.DataFrame,
    rank_by: str,
    *,
    entropy_floor: float,
    pmi_scale: float,
    n_docs: int,
    n_years: int = 0,
    lexicon_boost: float = 1.0,
    specificity_scale: float = 8.0,
) -> pd.Series:
    boundary = np.minimum(cands["left_entropy"], cands["right_entropy"])
    # genericness is spread across years: a phrase of every year's report is stock vocabulary, a phrase every
    # region uses in one year is that year's term (未来产业 in the 31 provincial reports of 2025); the idf counts
    # the years a term is used in (reports when the years are unknown)
    if n_years:
        idf = np.log((1.0 + n_years) / (1.0 + cands["n_years"])) + 1.0
    else:
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
    # domain specificity against general language; its weight is 1/n_years: with many years the idf factor
    # already contrasts a term with the other years, with one year general language is the only contrast
    specific = np.clip(cands["specificity"].to_numpy(dtype=float) / specificity_scale, 0.0, 1.0) ** (
        1.0 / (n_years or n_docs)
    )
    # a candidate mostly used inside one longer candidate is a fragment of it (经济社会 in 经济社会发展, 设施建设 in
    # 基础设施建设): C-value averages over all containers and misses a single dominant one; count its other uses
    independent = 1.0 - cands["nested_share"].to_numpy(dtype=float)
    # the factors that judge a candidate as a term, whatever its frequency: the per-year view reuses them
    cands["_quality"] = boundary_factor * cohesion_factor * boost * specific * independent
    return cands["cvalue"].clip(lower=0) * idf * cands["_quality"]


_SLOGANS: frozenset | None = None


def _slogan_entries() -> frozenset:
    """Entries of the bundled lexicon whose kind is a slogan (numbered, branded, series), loaded once."""
    global _SLOGANS
    if _SLOGANS is None:
        from cppcc_nlp.resources.lexicon import load_lexicon

        frame = load_lexicon().to_frame()
        _SLOGANS = frozenset(frame.loc[frame["kind"].isin(SLOGAN_KINDS), "term"].astype(str))
    return _SLOGANS


def year_view(
    cands: pd.DataFrame, year_sizes: pd.Series, *, min_g2: float = BURST_MIN_G2, counts: np.ndarray | None = None
) -> pd.DataFrame:
    """Each candidate's burst: the year that over-uses it most against the other years, and its rank there.

    For every year ``y`` a candidate's keyness is Dunning's G² of its count in ``y`` against its count in the
    other years (as :func:`cppcc_nlp.keyness` with ``target=y`` and every other year as reference); the
    year's list ranks the candidates that ``y`` over-uses with G² ≥ ``min_g2`` by ``G² × quality`` (the
    termhood factors of the score other than frequency and idf: boundary, cohesion, specificity,
    independence, lexicon boost).

    Parameters
    ----------
    cands : candidates of :func:`scored_candidates` (columns ``year_freq`` and ``_quality``).
    year_sizes : words per year (:func:`cppcc_nlp.terms.counts.group_sizes`).
    min_g2 : smallest G² counted as a burst (10.83: p < 0.001).
    counts : each candidate's count in each year of ``year_sizes`` (rows like ``cands``); read from the column
        ``year_freq`` when not given.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``cands``: ``burst`` (G² in the peak year, 0 when no year over-uses the term),
        ``peak_year`` (Int64, NA without a burst), ``year_rank`` (the candidate's best rank in any year's list;
        NA without a burst).

    Examples
    --------
    A term said in 2016 only (供给侧结构性改革 in a 2015–2016 corpus) has its burst in 2016 and ranks first there.
    """
    years = [y for y in year_sizes.index if year_sizes[y] > 0]
    out = pd.DataFrame(
        {
            "burst": 0.0,
            "peak_year": pd.array([pd.NA] * len(cands), dtype="Int64"),
            "year_rank": pd.array([pd.NA] * len(cands), dtype="Int64"),
        },
        index=cands.index,
    )
    if len(years) < 2 or len(cands) == 0:
        return out
    sizes = np.array([float(year_sizes[y]) for y in years])
    if counts is None:
        counts = np.array([[yf.get(y, 0) for y in years] for yf in cands["year_freq"]], dtype=float)
    else:
        counts = np.asarray(counts, dtype=float)[:, [k for k, y in enumerate(year_sizes.index) if year_sizes[y] > 0]]
    rest = counts.sum(axis=1, keepdims=True) - counts
    g2 = log_likelihood(counts, rest, np.maximum(sizes - counts, 0), np.maximum(sizes.sum() - sizes - rest, 0))
    quality = cands["_quality"].to_numpy(dtype=float)[:, None]
    year_score = np.where(g2 >= min_g2, g2 * quality, 0.0)
    peak = year_score.argmax(axis=1)
    has = year_score.max(axis=1) > 0
    # rank within each year's list (1 = the year's most over-used term); 0-scored entries get no rank
    ranks = pd.DataFrame(year_score).rank(axis=0, ascending=False, method="first").to_numpy()
    ranks = np.where(year_score > 0, ranks, np.inf)
    best = ranks.min(axis=1)
    out["burst"] = np.where(has, g2[np.arange(len(cands)), peak], 0.0)
    out["peak_year"] = pd.array([int(years[k]) if h else pd.NA for k, h in zip(peak, has)], dtype="Int64")
    out["year_rank"] = pd.array([int(b) if np.isfinite(b) else pd.NA for b in best], dtype="Int64")
    return out


def _lift_by_year(score: pd.Series, year_rank: pd.Series, n_years: int, year_share: float) -> pd.Series:
    """The per-year view merged into one list: a term ranked k-th in its best year's list gets at least the
    score of position ``ceil(k × n_years / year_share)`` of the corpus-wide ranking."""
    if year_share <= 0 or n_years < 2 or len(score) == 0:
        return score
    ordered = np.sort(score.to_numpy(dtype=float))[::-1]
    rank = year_rank.to_numpy(dtype=float, na_value=np.nan)
    position = np.ceil(rank * n_years / year_share)
    ok = np.isfinite(position) & (position <= len(ordered))
    floor = np.zeros(len(score))
    floor[ok] = ordered[position[ok].astype(int) - 1]
    return pd.Series(np.maximum(score.to_numpy(dtype=float), floor), index=score.index)


def _empty_terms() -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series(dtype=float) for c in TERM_COLUMNS})
    out["term"] = out["term"].astype(str)
    for col in ("freq", "doc_freq", "n_tokens", "n_chars"):
        out[col] = out[col].astype(int)
    for col in ("first_year", "last_year", "peak_year", "year_rank"):
        out[col] = out[col].astype("Int64")
    return out


def scored_candidates(corpus_or_tokens, **options) -> pd.DataFrame:
    """Every candidate that passes the term filters, with its ``specificity`` and ``score``; unsorted.

    The common first step of :func:`extract_terms`, :func:`term_tfidf`,
    :func:`~cppcc_nlp.terms.counts.term_frequencies` and :func:`~cppcc_nlp.terms.keyness.keyness`.

    Parameters
    ----------
    corpus_or_tokens : a :class:`cppcc_nlp.Corpus` or the token table of :func:`cppcc_nlp.tokens`.
    by : a token-table column to count occurrences by (column ``group_freq``, see
        :func:`~cppcc_nlp.terms.candidates.term_candidates`).
    **options : max_len, min_freq, min_chars, max_chars, min_pmi, entropy_floor, pmi_scale, lexicon_boost,
        rank_by, single_token_min_chars, exclude, specificity_scale and client, as for :func:`scored_counts`
        and :func:`extract_terms`.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`~cppcc_nlp.terms.candidates.term_candidates` plus ``specificity`` and ``score``;
        ``attrs`` keeps ``n_tokens``, ``doc_ids`` and ``years`` of the token table.
    """
    return with_counters(scored_counts(corpus_or_tokens, **options))


def scored_counts(
    corpus_or_tokens,
    *,
    max_len=8,
    min_freq=2,
    min_chars=2,
    max_chars=16,
    min_pmi=1.0,
    entropy_floor=2.0,
    pmi_scale=8.0,
    lexicon_boost=2.0,
    rank_by="default",
    single_token_min_chars=3,
    exclude=GENRE_PHRASES,
    by=None,
    specificity_scale=8.0,
    client=None,
) -> Candidates:
    """:func:`scored_candidates` with the counts per document, year and group as sparse matrices
    (:class:`~cppcc_nlp.terms.candidates.Candidates`): what extract_terms, keyness and the frequency tables
    read, without building a dict per candidate.  ``client``: count the documents on a Dask cluster
    (:func:`~cppcc_nlp.terms.candidates.count_candidates`)."""
    _check_scores(rank_by, entropy_floor, pmi_scale, lexicon_boost, min_pmi, specificity_scale)
    found = count_candidates(
        corpus_or_tokens,
        max_len=max_len,
        min_freq=min_freq,
        min_chars=min_chars,
        max_chars=max_chars,
        by=by,
        shorthands=True,
        client=client,
    )
    cands = found.frame
    if len(cands):
        # a two-character entry of the lexicon is a known whole (两新, 两重), not a general word
        keep = (cands["n_tokens"] > 1) | (cands["n_chars"] >= single_token_min_chars) | cands["in_lexicon"]
        keep &= ~(cands["pmi"] < min_pmi)
        if exclude:
            keep &= ~cands["term"].isin(set(exclude))
        found = found.take(np.flatnonzero(keep.to_numpy()))
        cands = found.frame
    if len(cands):
        cands["specificity"] = specificity(cands["term"]).to_numpy()
        cands["score"] = _rank_scores(
            cands,
            rank_by,
            entropy_floor=entropy_floor,
            pmi_scale=pmi_scale,
            n_docs=len(found.doc_ids) or 1,
            n_years=len(found.years),
            lexicon_boost=lexicon_boost,
            specificity_scale=specificity_scale,
        )
    else:
        cands["specificity"] = pd.Series(dtype=float)
        cands["score"] = pd.Series(dtype=float)
    return found


def _check_scores(rank_by, entropy_floor, pmi_scale, lexicon_boost, min_pmi, specificity_scale) -> None:
    if rank_by not in RANK_BY:
        raise ParameterError(f"rank_by={rank_by!r}: choose one of {', '.join(RANK_BY)}")
    for name, value in (
        ("entropy_floor", entropy_floor),
        ("pmi_scale", pmi_scale),
        ("lexicon_boost", lexicon_boost),
        ("min_pmi", min_pmi),
        ("specificity_scale", specificity_scale),
    ):
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float, np.integer, np.floating))
            or (name != "min_pmi" and (value < 0 or (name in ("pmi_scale", "specificity_scale") and value == 0)))
        ):
            raise ParameterError(f"{name}={value!r}: give a positive number")


def extract_terms(
    corpus_or_tokens,
    *,
    top: int | None = None,
    max_len: int = 8,
    min_freq: int = 2,
    min_chars: int = 2,
    max_chars: int = 16,
    min_pmi: float = 1.0,
    entropy_floor: float = 2.0,
    pmi_scale: float = 8.0,
    lexicon_boost: float = 2.0,
    rank_by: str = "default",
    single_token_min_chars: int = 3,
    exclude=GENRE_PHRASES,
    by_year: bool = False,
    specificity_scale: float = 8.0,
    year_share: float = YEAR_SHARE,
    client=None,
) -> pd.DataFrame:
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
    year_share : the share of the top positions the per-year view may claim (default 0.2; 0 turns it off): a
        term ranked k-th in its peak year's keyness list (:func:`year_view`) gets at least the score of
        position ``ceil(k × n_years / year_share)`` of the plain ranking, so that a term of one year (抗击非典,
        2004) enters a corpus-wide list; with 20 years and 0.2, each year's first two lie within the top 200.
    specificity_scale : general-language specificity (mean IDF of the term's words, nats) from which a term
        counts as fully domain-specific; below it the score shrinks in proportion (see Notes).
    client : a ``distributed.Client``: the per-document counts the cache lacks are made on its Dask cluster;
        the ranking reads their sum here, so the table is the one a run without it gives (docs/scale.md).

    Returns
    -------
    pandas.DataFrame
        One row per term with a positive score (default ranking), best first: term, score, freq, doc_freq,
        n_tokens, first_year, last_year, cvalue, pmi, left_entropy, right_entropy, n_chars, specificity
        burst, peak_year, year_rank (:func:`year_view`) [, one int column per year].  A part never said apart
        from one longer candidate (二十届历次全会 always in …精神) is folded into it (not listed).

    Notes
    -----
    The default ``score`` is ``cvalue × boundary × cohesion × idf × specificity × independence``
    (× ``lexicon_boost`` for entries of the domain lexicon that are terms, not slogans):

    * ``cvalue`` (termhood): frequency, minus what is owed to longer candidates containing the term;
    * ``boundary = min(1, min(left_entropy, right_entropy) / entropy_floor)``: fragments of a longer word
      (委员工作 in 委员工作站) have one fixed neighbour and drop out;
    * ``cohesion = clip(pmi / pmi_scale, 0, 1)``: free combinations of very common words (经济发展, 工作取得)
      have a low PMI and are pushed down, fixed expressions (简政放权, 人民币汇率) are not;
    * ``idf = log((1 + n_years) / (1 + years used)) + 1`` (reports instead of years when the years are unknown):
      genericness is spread across years, so a phrase every region says in one year is no stock phrase; a
      phrase used in every year is more likely the
      genre's stock vocabulary than a policy term; 1 for a single report;
    * ``specificity = clip(s / specificity_scale, 0, 1) ** (1 / n_years)``, ``s`` the mean general-language IDF
      of the term's words (:func:`cppcc_nlp.terms.termhood.specificity`): the general side of a weirdness ratio
      (Ahmad et al. 1999), whose domain side is the frequency already in C-value.  Its weight is ``1/n_years``:
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
    if (
        isinstance(year_share, bool)
        or not isinstance(year_share, (int, float, np.integer, np.floating))
        or (year_share < 0)
    ):
        raise ParameterError(f"year_share={year_share!r}: give a share between 0 (no per-year view) and 1")
    table = as_token_table(corpus_or_tokens)
    found = scored_counts(
        table,
        max_len=max_len,
        min_freq=min_freq,
        min_chars=min_chars,
        max_chars=max_chars,
        min_pmi=min_pmi,
        entropy_floor=entropy_floor,
        pmi_scale=pmi_scale,
        lexicon_boost=lexicon_boost,
        rank_by=rank_by,
        single_token_min_chars=single_token_min_chars,
        exclude=exclude,
        specificity_scale=specificity_scale,
        client=client,
    )
    cands = found.frame
    if rank_by == "default" and len(cands):
        # 0: a fragment (nested only, or one fixed neighbour); enclosed_share 1: a part never said apart from
        # one whole (党的二十大和二十届历次全会 always in …精神), folded into it
        found = found.take(np.flatnonzero(((cands["score"] > 0) & (cands["enclosed_share"] < 1)).to_numpy()))
        cands = found.frame
    if len(cands):
        words = table[["year"]][~table["is_punct"].to_numpy(dtype=bool)]  # (one column, not the whole table)
        year_sizes = words.groupby(pd.to_numeric(words["year"], errors="coerce")).size()
        if "_quality" not in cands.columns:
            cands = cands.assign(_quality=1.0)
        counts = _year_columns(found, list(year_sizes.index))
        cands = pd.concat([cands, year_view(cands, year_sizes, counts=counts)], axis=1)
        if rank_by == "default":
            cands["score"] = _lift_by_year(cands["score"], cands["year_rank"], len(year_sizes), year_share)
    if len(cands) == 0:
        warnings.warn(
            "no term candidate survived: the text is too short or only holds stop words and numbers "
            f"(min_freq={min_freq}); lower min_freq or give more reports",
            stacklevel=2,
        )
        return _empty_terms()
    order = np.lexsort((cands["term"].to_numpy(dtype=str), -cands["freq"].to_numpy(), -cands["score"].to_numpy()))
    if top is not None:
        order = order[:top]
    out = cands.iloc[order][TERM_COLUMNS].reset_index(drop=True)
    for col in ("freq", "doc_freq", "n_tokens", "n_chars"):
        out[col] = out[col].astype(int)
    if by_year:
        per_year = _year_columns(found, found.years)[order]
        for k, year in enumerate(found.years):
            out[year] = per_year[:, k].astype(int)
    return out


def _year_columns(found: Candidates, years: list) -> np.ndarray:
    """Each candidate's count in each of ``years`` (dense: candidates × years, small)."""
    index = {int(y): k for k, y in enumerate(found.years)}
    cols = [index.get(int(y), -1) if not pd.isna(y) else -1 for y in years]
    dense = found.year_counts.toarray() if len(found.years) else np.zeros((len(found.frame), 0), np.int64)
    out = np.zeros((len(found.frame), len(years)), np.int32)
    for k, col in enumerate(cols):
        if col >= 0:
            out[:, k] = dense[:, col]
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
    table = as_token_table(corpus_or_tokens)
    found = scored_counts(table, by="doc_id", **term_options)
    if len(found.frame):
        found = found.take(np.flatnonzero((found.frame["score"] > 0).to_numpy()))
    doc_year = table.drop_duplicates("doc_id").set_index("doc_id")["year"]
    n_docs = len(doc_year)
    counts = found.group_counts.tocoo()
    frame = pd.DataFrame(
        {
            "doc_id": np.asarray(found.groups, dtype=object)[counts.col] if len(found.groups) else [],
            "term": found.frame["term"].to_numpy(dtype=object)[counts.row],
            "tf": counts.data.astype(int),
            "doc_freq": found.frame["doc_freq"].to_numpy()[counts.row],
        }
    )
    if frame.empty:
        return pd.DataFrame(columns=["doc_id", "year", "rank", "term", "tf", "doc_freq", "tfidf"])
    frame["tfidf"] = tfidf(frame["tf"], frame["doc_freq"], n_docs, sublinear=sublinear)
    frame = frame.sort_values(["doc_id", "tfidf", "tf", "term"], ascending=[True, False, False, True], kind="mergesort")
    frame["rank"] = frame.groupby("doc_id").cumcount() + 1
    frame = frame[frame["rank"] <= top]
    frame["year"] = frame["doc_id"].map(doc_year)
    return frame[["doc_id", "year", "rank", "term", "tf", "doc_freq", "tfidf"]].reset_index(drop=True)
