"""Choosing the number of topics k: one fit per candidate k, all random starts at the best few, NPMI coherence,
the one-standard-error rule, and the agreement of the starts as the tie-breaker.

With ``n_topics=None`` the k search has two rounds.  **Search**: one fit per k in ``k_range`` (NMF: a path along
k, the smallest k from the first seeded random start, each next k warm-started from the previous fit plus new
topics seeded from its residual, :func:`~cppcc_nlp.topics._factorise.nmf_path`), scored by the NPMI coherence
(:mod:`cppcc_nlp.topics.coherence`) of each topic's ``top_n`` terms, counted over the **paragraphs of the
fitted corpus** (two terms co-occur when they are in the same paragraph; ``coherence_window=n`` switches to
sliding windows of n tokens).  **Finalists**: the :data:`FINALISTS` k whose search fit scores best get the
other ``n_init - 1`` random starts (the search fit is the first start); their score is the mean NPMI over the
starts, with its standard error, and the chosen k is, among the finalists whose score is within one standard
error of the best (the one-standard-error rule), the one whose starts agree most (mean matched Jaccard of their
top terms, Greene et al. 2014); ties go to the smaller k.  This is the rule applied before to every k, now
applied to the best three (successive halving: a cheap evaluation of every candidate, the full one of the
promising few; Jamieson & Talwalkar 2016): 8 + 3 × 3 = 17 NMF fits instead of 8 × 4 = 32 for the default
``k_range`` and ``n_init``.  A theme chosen automatically should be carried by several units: k is at most one
topic per :data:`MIN_UNITS_PER_TOPIC` units that carry terms.

**A sample for a large corpus.**  The search's 17 fits factorise the whole unit × term matrix, so its cost grows
with the corpus (40 s of a 95 s ``analyze`` on 3,210 paragraphs, 562 s on 16 times that).  When more than
:data:`SEARCH_UNITS` units carry a vocabulary term, both rounds run on :func:`search_sample`, a seeded random
sample of that many of them, stratified by document; the vocabulary, the IDF (so each sampled row of the TF-IDF
matrix is the corpus's row) and the NPMI reference (every paragraph of the corpus, counted through a
:class:`~cppcc_nlp.topics.coherence.ReferenceIndex`) stay those of the whole corpus.  The model kept at the
chosen k is then fitted on every unit, started from the topics of the best start on the sample
(:func:`~cppcc_nlp.topics._factorise.final_fit`).  Below the cap nothing changes."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from cppcc_nlp.errors import ParameterError
from cppcc_nlp.topics._factorise import top_term_ids
from cppcc_nlp.topics.coherence import topic_coherence

MIN_UNITS_PER_TOPIC = 5  # automatic k: at most one topic per this many units that carry terms
FINALISTS = 3  # k search: the k whose single search fit scores best get all n_init random starts
SEARCH_UNITS = 4000
"""The k search runs on a sample of this many units when more units than this carry a vocabulary term.

Above the 3,210 paragraphs of the shared corpora (whose search is unchanged, bit for bit), and about the size at
which the search was designed and measured: its 17 fits on 4,000 paragraphs take about what they took on those
corpora, whatever the size of the corpus."""
_SAMPLE_STREAM = 0x5EA5C4  # mixed into random_state so that the sample's draws are not the NMF starts' seeds
SCORE_COLUMNS = [
    "k",
    "coherence",
    "coherence_se",
    "coherence_best",
    "coherence_min",
    "coherence_std",
    "diversity",
    "agreement",
]


def candidate_ks(n_topics, k_range, *, usable: int, n_terms: int, unit: str) -> list[int]:
    """The k to fit: ``[n_topics]``, or the values of ``k_range`` that the number of usable units allows.

    Raises :class:`ParameterError` when ``n_topics`` exceeds what the units carry; warns (at the caller of
    :meth:`TopicModel.fit`) when ``k_range`` is reduced.
    """
    limit = min(usable - 1, n_terms)
    if n_topics is not None:
        if n_topics > limit:
            raise ParameterError(
                f"n_topics={n_topics} but only {usable} {unit}s carry terms (at most {limit} topics "
                f"fit): lower n_topics, use n_topics=None to choose it, or use a smaller unit than {unit!r}"
            )
        return [int(n_topics)]
    # a theme chosen automatically should be carried by several units: at most one topic per
    # MIN_UNITS_PER_TOPIC units (a 37-paragraph report gets at most 7 topics, not 20)
    auto_limit = min(limit, max(2, usable // MIN_UNITS_PER_TOPIC))
    wanted = sorted({int(k) for k in k_range})
    candidates = [k for k in wanted if k <= auto_limit]
    if not candidates:
        candidates = [max(1, min(auto_limit, wanted[0]))]
    if len(candidates) < len(wanted):
        warnings.warn(
            f"only {usable} {unit}s carry terms (at most one topic per "
            f"{MIN_UNITS_PER_TOPIC}): k_range reduced to {candidates}",
            UserWarning,
            stacklevel=3,
        )
    return candidates


def search_sample(groups, carries_terms: np.ndarray, n: int, *, random_state) -> np.ndarray | None:
    """Row numbers (ascending) of the ``n`` units the k search fits, or None when at most ``n`` units carry a
    term (the search then fits them all).

    A seeded random sample of the units that carry a vocabulary term (``carries_terms``; a unit without one is a
    zero row, which weighs nothing in a factorisation), **stratified by** ``groups`` (the ``doc_id`` of each
    unit): each document gets its share of the ``n`` units, rounded by the largest remainder (ties in a random
    order), and its units are drawn at random without replacement.  So every report is in the sample in
    proportion to its size: a short report (a county report of 37 paragraphs beside thousands of national ones)
    cannot be left out or over-represented by chance, and the themes that belong to some reports or years keep their
    share of the search's matrix, which a simple random sample only keeps on average.  With one unit per
    document (``unit="document"``) every quota rounds to 0 or 1 and this is a simple random sample of the
    documents.  The draws come from ``random_state`` (None: not reproducible, as for the random starts).
    """
    carries_terms = np.asarray(carries_terms, dtype=bool)
    usable = np.flatnonzero(carries_terms)
    if len(usable) <= n:
        return None
    rng = np.random.default_rng(None if random_state is None else [_SAMPLE_STREAM, int(random_state)])
    codes, _ = pd.factorize(pd.Series(groups).iloc[usable].reset_index(drop=True), use_na_sentinel=False)
    sizes = np.bincount(codes)
    share = sizes * n  # each document's quota is share / len(usable), in exact integers
    take, remainder = share // len(usable), share % len(usable)
    left = n - int(take.sum())
    if left:
        order = rng.permutation(len(sizes))  # ties of the remainder in a random order
        take[order[np.argsort(-remainder[order], kind="stable")[:left]]] += 1
    members = np.split(usable[np.argsort(codes, kind="stable")], np.cumsum(sizes)[:-1])
    chosen = [rng.choice(m, size=int(t), replace=False) for m, t in zip(members, take)]
    return np.sort(np.concatenate(chosen))


def start_coherence(starts: list, vocabulary: list, reference, *, top_n: int, window) -> list:
    """NPMI of each start's topics (one count over the reference, token lists or a
    :class:`~cppcc_nlp.topics.coherence.ReferenceIndex`, for all starts together): one table per start."""
    tops = [[[vocabulary[j] for j in row] for row in top_term_ids(c, top_n)] for c in starts]
    table = topic_coherence([t for top in tops for t in top], reference, window=window)
    out, at = [], 0
    for top in tops:
        part = table.iloc[at : at + len(top)].reset_index(drop=True)
        part["topic_id"] = np.arange(len(top))
        out.append(part)
        at += len(top)
    return out


def fit_candidates(
    search: Callable,
    starts: Callable,
    candidates: Sequence[int],
    vocabulary: list,
    reference: list,
    *,
    top_n: int,
    window,
    n_jobs: int = 1,
) -> tuple[pd.DataFrame, tuple]:
    """Score every candidate k with one fit, fit all random starts at the :data:`FINALISTS` best, choose among them.

    ``search(ks)`` returns one ``(components, prior, fit)`` per k (NMF: the warm-started path along k);
    ``starts(k, first)`` returns ``(components, prior, starts)``, the kept topics and every random start at k,
    with ``first`` (a ``fit`` from ``search``, or None) as one of the starts.  With a single candidate (a given
    ``n_topics``) there is no search.  With ``n_jobs`` > 1 the finalists' starts are fitted side by side
    (:func:`finalist_starts`); the result is the same.

    Returns
    -------
    scores : DataFrame
        :data:`SCORE_COLUMNS` and ``chosen``, one row per k (``TopicModel.coherence_``); outside the finalists
        ``coherence`` is the search fit's mean NPMI and ``coherence_se`` and ``agreement`` are NaN.
    chosen : tuple
        ``(k, components, prior, coherence)`` of the chosen k, ``coherence`` the NPMI table of its kept start.
    """
    candidates = list(candidates)
    first, rows = {}, {}
    if len(candidates) > 1:
        fits = search(candidates)
        tables = start_coherence([c for c, _, _ in fits], vocabulary, reference, top_n=top_n, window=window)
        for k, (components, _, fit), coh in zip(candidates, fits, tables):
            first[k] = fit
            mean = float(coh["coherence"].mean())
            rows[k] = (k, mean, float("nan"), *_spread(coh), diversity(components, top_n), float("nan"))
    finalists = _finalists(rows, candidates)
    results = {}
    fitted = finalist_starts(starts, finalists, first, n_jobs)
    for k in finalists:
        components, prior, all_starts = fitted[k]
        kept = next(i for i, c in enumerate(all_starts) if c is components)
        per_start = start_coherence(all_starts, vocabulary, reference, top_n=top_n, window=window)
        coh = per_start[kept]
        results[k] = (k, components, prior, coh)
        means = np.array([c["coherence"].mean() for c in per_start])
        se = float(means.std(ddof=1) / math.sqrt(len(means))) if len(means) > 1 else float("nan")
        rows[k] = (
            k,
            float(means.mean()),
            se,
            *_spread(coh),
            diversity(components, top_n),
            agreement(all_starts, top_n),
        )
    scores = pd.DataFrame([rows[k] for k in candidates], columns=SCORE_COLUMNS)
    in_final = scores["k"].isin(finalists).to_numpy()
    best = int(np.flatnonzero(in_final)[choose_k(scores[in_final].reset_index(drop=True))])
    scores["chosen"] = np.arange(len(scores)) == best
    return scores, results[int(scores["k"].iloc[best])]


def finalist_starts(starts: Callable, finalists: list, first: dict, n_jobs: int) -> dict:
    """``{k: starts(k, first.get(k))}`` for the finalists: one after another, or with ``n_jobs`` > 1 (-1: every
    core) each k in a forked child, up to ``n_jobs`` at once, the largest k (the costliest) first.  Each k's
    starts are seeded as they are here, so the result is the same either way."""
    from cppcc_nlp._fork import fork_available, run_side_by_side
    from cppcc_nlp.tokens._parallel import cores

    lanes = min(cores(n_jobs), len(finalists)) if fork_available() else 1
    if lanes <= 1:
        return {k: starts(k, first.get(k)) for k in finalists}
    work = [(k, starts, (k, first.get(k))) for k in sorted(finalists, reverse=True)]
    return run_side_by_side(work, lanes, prefix="cppcc-nlp-topics-k")


def _spread(coh: pd.DataFrame) -> tuple[float, float, float]:
    """``coherence_best, coherence_min, coherence_std`` of one fit's NPMI table."""
    values = coh["coherence"]
    return float(values.mean()), float(values.min()), float(values.std(ddof=0))


def _finalists(rows: dict, candidates: list) -> list[int]:
    """The k whose search fit scored best (mean NPMI at 3 decimals; ties and NaN go to the smaller k), at most
    :data:`FINALISTS` of them, in ascending order; every candidate when there are no more than that."""
    if len(candidates) <= FINALISTS:
        return sorted(candidates)
    score = {k: rows[k][1] for k in candidates}
    ranked = sorted(candidates, key=lambda k: (-round(score[k], 3) if np.isfinite(score[k]) else np.inf, k))
    return sorted(ranked[:FINALISTS])


def diversity(components: np.ndarray, n: int) -> float:
    """Topic diversity (Dieng, Ruiz & Blei 2020): share of distinct terms among all topics' top ``n``."""
    top = top_term_ids(components, n)
    return float(len(np.unique(top)) / top.size)


def choose_k(scores: pd.DataFrame) -> int:
    """Row of the chosen k: the best mean NPMI over the random starts, and among the k whose score is within one
    standard error of it (indistinguishable given the spread of the starts), the k whose starts agree most.

    The one-standard-error rule (Breiman et al. 1984; Hastie, Tibshirani & Friedman 2009, 7.10) with start
    agreement (Greene et al. 2014) as the tie-breaker; ties of agreement go to the smaller k.  Without a
    standard error (one start: LDA, n_init=1) it is the best mean NPMI, the smaller k on a tie at 3 decimals.
    """
    coherence = np.round(scores["coherence"].to_numpy(dtype=float), 3)
    if np.isnan(coherence).all():  # no k has a measurable NPMI (too few units share terms): the smallest k
        return int(np.argmin(scores["k"].to_numpy()))
    best = int(np.nanargmax(coherence))
    se = float(scores["coherence_se"].iloc[best])
    agreement = scores["agreement"].to_numpy(dtype=float)
    if not np.isfinite(se) or np.isnan(agreement).all():
        return best
    near = np.flatnonzero(scores["coherence"].to_numpy(dtype=float) >= scores["coherence"].iloc[best] - se)
    return int(near[np.nanargmax(np.round(agreement[near], 3))])


def agreement(starts: list, n: int) -> float:
    """Agreement of random starts (Greene, O'Callaghan & Cunningham 2014): for every pair of starts, the mean
    Jaccard similarity of their topics' top ``n`` term sets under the best one-to-one matching; averaged over
    the pairs.  1 = every start finds the same topics; NaN with a single start (LDA)."""
    from scipy.optimize import linear_sum_assignment

    if len(starts) < 2:
        return float("nan")
    sets = [[set(row) for row in top_term_ids(c, n)] for c in starts]
    values = []
    for i in range(len(sets)):
        for j in range(i + 1, len(sets)):
            sim = np.array([[len(a & b) / len(a | b) for b in sets[j]] for a in sets[i]])
            r, c = linear_sum_assignment(-sim)
            values.append(sim[r, c].mean())
    return float(np.mean(values))
