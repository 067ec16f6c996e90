"""Factorising a unit × term matrix into topics, and a unit's topic weights under fitted topics.

* NMF of TF-IDF (Frobenius loss, coordinate descent), the best of several seeded random starts by
  reconstruction error; weights of a unit by non-negative least squares on the topic-term matrix.
* LDA of counts (variational Bayes, batch); weights by the variational E-step (as scikit-learn's
  ``transform``), so that a loaded model needs no scikit-learn object.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

METHODS = ("nmf", "lda")
"""The factorisations: NMF on TF-IDF, LDA on counts."""


def seeds(random_state, n: int) -> list[int]:
    """``n`` seeds for the random starts, drawn from ``random_state``."""
    rng = np.random.RandomState(random_state)
    return [int(s) for s in rng.randint(0, 2**31 - 1, size=n)]


def fit_nmf(x: sp.csr_matrix, k: int, *, seeds: Sequence[int], max_iter: int) -> tuple[np.ndarray, float, list]:
    """Best NMF (lowest reconstruction error) over random starts with the given seeds, and every start's topics."""
    from sklearn.decomposition import NMF

    best, best_err, starts = None, np.inf, []
    for seed in seeds:
        model = NMF(
            n_components=k,
            init="random",
            solver="cd",
            beta_loss="frobenius",
            max_iter=max_iter,
            tol=1e-4,
            random_state=seed,
        )
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Maximum number of iterations")
            model.fit(x)
        starts.append(model.components_.copy())
        if model.reconstruction_err_ < best_err - 1e-12:
            best, best_err = starts[-1], float(model.reconstruction_err_)
    return best, best_err, starts


def fit_lda(counts: sp.csr_matrix, k: int, *, random_state, max_iter: int) -> tuple[np.ndarray, float]:
    """LDA topic-term pseudo-counts and the document-topic prior."""
    from sklearn.decomposition import LatentDirichletAllocation

    model = LatentDirichletAllocation(
        n_components=k, learning_method="batch", max_iter=max_iter, random_state=random_state
    )
    model.fit(counts)
    return model.components_.copy(), float(model.doc_topic_prior_)


def nnls_weights(x: sp.csr_matrix, components: np.ndarray) -> np.ndarray:
    """Unit × topic weights: non-negative least squares of each TF-IDF row on the topic-term matrix."""
    from scipy.linalg import cholesky, solve_triangular
    from scipy.optimize import nnls

    k = components.shape[0]
    gram = components @ components.T
    gram[np.diag_indices(k)] += 1e-12 * max(np.trace(gram), 1.0)
    lower = cholesky(gram, lower=True)
    b = np.asarray((x @ components.T))  # (n, k) = H x
    out = np.zeros((x.shape[0], k))
    nonempty = np.diff(x.indptr) > 0
    for r in np.flatnonzero(nonempty):
        y = solve_triangular(lower, b[r], lower=True)
        out[r], _ = nnls(lower.T, y)
    return out


def lda_gamma(
    counts: sp.csr_matrix, components: np.ndarray, doc_topic_prior: float, max_iter: int = 100, tol: float = 1e-3
) -> np.ndarray:
    """Variational E-step of LDA (as scikit-learn's ``transform``, constant start): unnormalised γ per unit."""
    from scipy.special import psi

    exp_beta = np.exp(psi(components) - psi(components.sum(axis=1))[:, None])
    eps = np.finfo(float).eps
    n, k = counts.shape[0], components.shape[0]
    gamma = np.zeros((n, k))
    start = np.exp(psi(np.ones(k)) - psi(float(k)))
    for d in range(n):
        ids = counts.indices[counts.indptr[d] : counts.indptr[d + 1]]
        if not len(ids):
            continue
        cnts = counts.data[counts.indptr[d] : counts.indptr[d + 1]]
        beta_d = exp_beta[:, ids]
        doc_topic = np.ones(k)
        exp_doc_topic = start.copy()
        for _ in range(max_iter):
            last = doc_topic
            norm_phi = exp_doc_topic @ beta_d + eps
            doc_topic = exp_doc_topic * ((cnts / norm_phi) @ beta_d.T) + doc_topic_prior
            exp_doc_topic = np.exp(psi(doc_topic) - psi(doc_topic.sum()))
            if np.mean(np.abs(last - doc_topic)) < tol:
                break
        gamma[d] = doc_topic
    return gamma


def normalise_rows(m: np.ndarray) -> np.ndarray:
    """Rows scaled to sum to 1 (a zero row stays zero)."""
    sums = m.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(sums > 0, m / np.where(sums > 0, sums, 1.0), 0.0)
    return out


def top_term_ids(components: np.ndarray, n: int) -> np.ndarray:
    """Column ids of each topic's ``n`` heaviest terms (ties in column order)."""
    n = min(n, components.shape[1])
    return np.argsort(-components, axis=1, kind="stable")[:, :n]


def factorise(
    method: str, x: sp.csr_matrix, counts: sp.csr_matrix, k: int, *, random_state, n_init: int, max_iter: int | None
) -> tuple[np.ndarray, float | None, list]:
    """The kept topic-term matrix, LDA's document-topic prior (None for NMF) and the topics of every random start
    (LDA has one start)."""
    if method == "nmf":
        components, _, starts = fit_nmf(x, k, seeds=seeds(random_state, n_init), max_iter=max_iter or 400)
        return components, None, starts
    components, prior = fit_lda(counts, k, random_state=random_state, max_iter=max_iter or 20)
    return components, prior, [components]


def unit_weights(
    method: str, counts: sp.csr_matrix, x: sp.csr_matrix, components: np.ndarray, doc_topic_prior: float | None
) -> np.ndarray:
    """Unnormalised unit × topic weights under fitted (raw) topics: NNLS for NMF, the E-step for LDA."""
    if method == "nmf":
        return nnls_weights(x, components)
    return lda_gamma(counts, components, doc_topic_prior)
