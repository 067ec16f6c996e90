"""Factorising a unit × term matrix into topics, and a unit's topic weights under fitted topics.

* NMF of the sparse TF-IDF matrix (Frobenius loss, coordinate descent; :func:`nmf` is the one call of the
  solver), the best of several seeded random starts by reconstruction error; for the k search, one fit per k
  along a warm-started path (:func:`nmf_path`: each k starts from the previous k's topics plus new ones seeded
  from the residual, :func:`grow`); weights of a unit by non-negative least squares on the topic-term matrix.
* LDA of counts (variational Bayes, batch); weights by the variational E-step (as scikit-learn's
  ``transform``), so that a loaded model needs no scikit-learn object.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # (annotations only: the command line imports this room without SciPy, 0.12 s)
    import scipy.sparse as sp

METHODS = ("nmf", "lda")
"""The factorisations: NMF on TF-IDF, LDA on counts."""


def seeds(random_state, n: int) -> list[int]:
    """``n`` seeds for the random starts, drawn from ``random_state``."""
    rng = np.random.RandomState(random_state)
    return [int(s) for s in rng.randint(0, 2**31 - 1, size=n)]


def one_thread():
    """A context in which BLAS runs on one thread.

    The products inside NMF and NNLS are small (k × n_terms by n_terms × k), so a second thread gains little;
    on a busy machine a second OpenBLAS thread made a k = 20 fit 25 times slower (35 s instead of 1.4 s on 495
    paragraphs, two loaded cores)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


SETTLE_EVERY = 10
"""A refit from earlier topics (:func:`warm_fit`) looks every this many iterations whether its topics still move."""
SETTLE_TOL = 1e-4
"""... and stops when they moved by at most this share of their norm over those iterations (:func:`settled`)."""


def settled(h_before: np.ndarray, h_after: np.ndarray) -> bool:
    """True when the topic-term matrix moved by at most :data:`SETTLE_TOL` of its norm:
    ``‖h_after - h_before‖_F <= SETTLE_TOL · ‖h_after‖_F``.

    The stopping rule of a refit from earlier topics, checked every :data:`SETTLE_EVERY` iterations.
    scikit-learn's rule (the coordinate-descent violation below ``tol`` times that of the first iteration) suits
    a random start, whose first violation is large; a refit starts close to its solution, so its first violation
    is small and the rule waits for a share of an already small number: on the shared corpora and 4 times them, a
    refit after one report was added ran 135 and 216 iterations; by this rule it stops after 100 and 90, with
    the same top terms, labels and NPMI (docs/topics.md, "Known limits").
    """
    return bool(np.linalg.norm(h_after - h_before) <= SETTLE_TOL * np.linalg.norm(h_after))


def nmf(x: sp.csr_matrix, k: int, *, seed: int, max_iter: int, h0: np.ndarray | None = None, settle: bool = False):
    """One NMF fit of the sparse ``x`` (the only place the solver runs): ``(w, h, reconstruction_error)``.

    Starts from a seeded random start, or from ``h0`` (a k × n_terms topic-term matrix) with the units'
    non-negative least-squares weights on it (``init="custom"``).  ``x`` stays sparse.  Stops by
    scikit-learn's rule (``tol=1e-4``) or after ``max_iter`` iterations; with ``settle`` (a start from ``h0``),
    when the topics stop moving instead (:func:`settled`, looked at every :data:`SETTLE_EVERY` iterations) or
    after ``max_iter``.
    """
    if h0 is None:
        return _coordinate_descent(x, k, seed=seed, max_iter=max_iter, tol=1e-4)
    h = np.ascontiguousarray(h0, dtype=float)
    w = nnls_weights(x, h)
    if not settle:
        return _coordinate_descent(x, k, seed=seed, max_iter=max_iter, tol=1e-4, w=w, h=h)
    done = 0
    while True:
        # rounds of the solver continued from the last (w, h): with tol=0 the same iterations as one longer run
        rounds = min(SETTLE_EVERY, max_iter - done)
        w, h_next, error = _coordinate_descent(x, k, seed=seed, max_iter=rounds, tol=0, w=w, h=h)
        done += rounds
        if done >= max_iter or settled(h, h_next):
            return w, h_next, error
        h = h_next


def _coordinate_descent(x, k: int, *, seed: int, max_iter: int, tol: float, w=None, h=None):
    """scikit-learn's NMF (Frobenius loss, coordinate descent) from a random start or from ``(w, h)``."""
    from sklearn.decomposition import NMF

    model = NMF(
        n_components=k,
        init="random" if h is None else "custom",
        solver="cd",
        beta_loss="frobenius",
        max_iter=max_iter,
        tol=tol,
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Maximum number of iterations")
        w = model.fit_transform(x) if h is None else model.fit_transform(x, W=w, H=h)
    return w, model.components_.copy(), float(model.reconstruction_err_)


def fit_nmf(x: sp.csr_matrix, k: int, *, seeds: Sequence[int], max_iter: int, first=None):
    """Best NMF (lowest reconstruction error) over random starts with the given seeds, and every start's topics.

    ``first``, a ``(w, h, error)`` fit already made at this k (the k search's), counts as one of the starts
    and takes the place of the first seed.
    """
    fits = [first] if first is not None else []
    fits += [nmf(x, k, seed=s, max_iter=max_iter) for s in seeds[len(fits) :]]
    starts = [h for _, h, _ in fits]
    errors = [e for _, _, e in fits]
    best = int(np.argmin(np.round(errors, 12)))
    return starts[best], errors[best], starts


def grow(x: sp.csr_matrix, w: np.ndarray, h: np.ndarray, k: int, *, seed: int) -> np.ndarray:
    """``h`` with ``k - len(h)`` new topics seeded from what it leaves unexplained.

    The new rows are the NNDSVD start (Boutsidis & Gallopoulos 2008) of the residual ``x - w h``: its leading
    singular vectors (ARPACK on an operator, so the residual is never formed), each cut to the sign with the
    larger positive part.  A warm start along k: the topics found at the smaller k are kept as they were, the
    new ones start where the fit is worst.
    """
    from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, svds

    extra = k - h.shape[0]
    if extra <= 0:
        return h[:k].copy()
    residual = LinearOperator(
        x.shape,
        matvec=lambda v: x @ v - w @ (h @ v),
        rmatvec=lambda u: x.T @ u - h.T @ (w.T @ u),
        dtype=float,
    )
    v0 = np.random.RandomState(seed).uniform(-1, 1, size=min(x.shape))
    scale = np.sqrt(x.sum() / (x.shape[0] * x.shape[1]) / k)  # scikit-learn's scale of a random start
    try:
        u, s, vt = svds(residual, k=extra, v0=v0)
    except ArpackNoConvergence:  # pragma: no cover - a random start for the new topics instead
        return np.vstack([h, scale * np.abs(np.random.RandomState(seed).standard_normal((extra, h.shape[1])))])
    new = np.zeros((extra, h.shape[1]))
    for j in range(extra):
        a, b = u[:, j], vt[j]
        pos = np.linalg.norm(np.maximum(a, 0)) * np.linalg.norm(np.maximum(b, 0))
        neg = np.linalg.norm(np.maximum(-a, 0)) * np.linalg.norm(np.maximum(-b, 0))
        side = np.maximum(b, 0) if pos >= neg else np.maximum(-b, 0)
        norm = np.linalg.norm(side)
        if norm > 0:
            new[j] = np.sqrt(s[j] * max(pos, neg)) * side / norm
    new[new == 0] = scale * 1e-3  # a topic of zeros would stay zero
    return np.vstack([h, new])


def nmf_path(x: sp.csr_matrix, ks: Sequence[int], *, seed: int, max_iter: int) -> list:
    """One NMF fit per k (``ks`` ascending): a seeded random start at the first k, then each k warm-started
    from the previous fit plus new topics (:func:`grow`).  Returns a ``(w, h, error)`` per k."""
    fits, previous = [], None
    for k in ks:
        if previous is None or previous[1].shape[0] > k:
            fit = nmf(x, k, seed=seed, max_iter=max_iter)
        else:
            fit = nmf(x, k, seed=seed, max_iter=max_iter, h0=grow(x, previous[0], previous[1], k, seed=seed))
        fits.append(fit)
        previous = fit
    return fits


def fit_lda(counts: sp.csr_matrix, k: int, *, random_state, max_iter: int) -> tuple[np.ndarray, float]:
    """LDA topic-term pseudo-counts and the document-topic prior."""
    from sklearn.decomposition import LatentDirichletAllocation

    model = LatentDirichletAllocation(
        n_components=k, learning_method="batch", max_iter=max_iter, random_state=random_state
    )
    model.fit(counts)
    return model.components_.copy(), float(model.doc_topic_prior_)


def nnls_weights(x: sp.csr_matrix, components: np.ndarray) -> np.ndarray:
    """Unit × topic weights: non-negative least squares of each TF-IDF row on the topic-term matrix.

    With ``H = components`` and the Cholesky factor ``L`` of ``H Hᵀ``, row r's problem ``min ‖x_r - w H‖`` is
    ``min ‖Lᵀ w - L⁻¹ H x_r‖`` (k × k instead of k × n_terms).  What does not depend on the row (the factor, the
    triangular solver, ``Lᵀ`` in the layout ``nnls`` wants) is made once, not once per row: the rows' results
    are those of ``solve_triangular`` and ``nnls`` called per row, bit for bit (tests).
    """
    from scipy.linalg import cholesky, get_lapack_funcs

    solve = _nnls_routine()
    k = components.shape[0]
    gram = components @ components.T
    gram[np.diag_indices(k)] += 1e-12 * max(np.trace(gram), 1.0)
    lower = np.asfortranarray(cholesky(gram, lower=True))
    upper = np.ascontiguousarray(lower.T)
    b = np.asarray((x @ components.T))  # (n, k) = H x
    # the LAPACK routine solve_triangular calls, without its per-call checks (a batched solve of all rows at
    # once differs in the last bit)
    trtrs = get_lapack_funcs("trtrs", (lower, b))
    out = np.zeros((x.shape[0], k))
    nonempty = np.diff(x.indptr) > 0
    for r in np.flatnonzero(nonempty):
        y = trtrs(lower, b[r], lower=1)[0]  # (never singular: a Cholesky factor's diagonal is positive)
        out[r] = solve(upper, y)
    return out


def _nnls_routine():
    """``solve(A, b) -> x``: scipy's ``nnls(A, b)[0]``, called without the public function's per-call checks
    where this scipy allows it.

    The public ``scipy.optimize.nnls`` checks and converts its arguments, then calls one compiled routine (in
    recent scipy, 1.17 here: ``scipy.optimize._slsqplib.nnls(A, b, maxiter)``); the rows here are float64,
    C-ordered and finite by construction, so calling that routine itself gives the same results, bit for bit,
    without the checks: the weights of 51,000 units (a 16x corpus) in 1.3-1.9 s instead of 2.6-2.8 s.  Where
    the public function calls anything else (another scipy), it is used as it is.
    """
    from scipy.optimize import _nnls, nnls

    routine = getattr(_nnls, "_nnls", None)
    try:
        from scipy.optimize._slsqplib import nnls as compiled
    except ImportError:
        compiled = None
    if routine is None or routine is not compiled:
        return lambda a, b: nnls(a, b)[0]

    def solve(a, b):
        x, _, info = compiled(a, b, 3 * a.shape[1])  # (the public default: maxiter = 3 n)
        if info == 3:
            raise RuntimeError("Maximum number of iterations reached.")  # (as the public function)
        return x

    return solve


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


def carried_topics(components: np.ndarray, vocabulary: Sequence[str], new_vocabulary: Sequence[str]) -> np.ndarray:
    """A fitted topic-term matrix carried over to another vocabulary: the weights of the terms both share, 0 for
    the new terms (the solver raises them where the new text needs it)."""
    old_cols = pd.Index(vocabulary).get_indexer(pd.Index(new_vocabulary))  # (-1: a new term)
    out = np.zeros((components.shape[0], len(old_cols)))
    new_cols = np.flatnonzero(old_cols >= 0)
    out[:, new_cols] = components[:, old_cols[new_cols]]
    return out


def warm_fit(x: sp.csr_matrix, h0: np.ndarray, k: int, *, random_state, max_iter: int | None) -> np.ndarray:
    """One NMF fit at k started from the topics ``h0`` (more topics than ``h0`` has are seeded by :func:`grow`),
    until the topics settle (:func:`settled`) or after ``max_iter`` (default 400) iterations: topic i of the
    result continues topic i of ``h0``."""
    seed = seeds(random_state, 1)[0]
    if k > h0.shape[0]:
        h0 = grow(x, nnls_weights(x, h0), h0, k, seed=seed)
    return nmf(x, k, seed=seed, max_iter=max_iter or 400, h0=h0, settle=True)[1]


def final_fit(
    method: str, x, counts, k: int, components: np.ndarray, *, random_state, max_iter: int | None
) -> tuple[np.ndarray, float | None]:
    """The model kept after a k search on a sample, fitted on every unit: ``(components, prior)``.

    NMF: one fit at k started from ``components``, the kept start of the search at k (:func:`warm_fit`, so that
    topic i continues that start's topic i, until the topics settle); terms the sample lacked start at 0 and are
    raised where the whole corpus needs them.  LDA (scikit-learn's has no custom start): one fit at k from ``random_state``.
    """
    if method == "nmf":
        return warm_fit(x, components, k, random_state=random_state, max_iter=max_iter), None
    return fit_lda(counts, k, random_state=random_state, max_iter=max_iter or 20)


def search_fits(method: str, x, counts, ks: Sequence[int], *, random_state, max_iter: int | None) -> list:
    """One fit per candidate k, for the k search: ``(components, prior, fit)`` per k.

    NMF: the warm-started path along k (:func:`nmf_path`) from the first of the ``n_init`` seeds, so that the
    smallest k is fitted exactly as the first random start of :func:`starts_at`; ``fit`` is handed back to
    :func:`starts_at` as one of the starts.  LDA: one fit per k (its only start).
    """
    if method == "nmf":
        path = nmf_path(x, sorted(ks), seed=seeds(random_state, 1)[0], max_iter=max_iter or 400)
        by_k = {h.shape[0]: (h, None, (w, h, err)) for w, h, err in path}
        return [by_k[k] for k in ks]
    out = []
    for k in ks:
        components, prior = fit_lda(counts, k, random_state=random_state, max_iter=max_iter or 20)
        out.append((components, prior, (components, prior)))
    return out


def starts_at(
    method: str, x, counts, k: int, *, random_state, n_init: int, max_iter: int | None, first=None
) -> tuple[np.ndarray, float | None, list]:
    """The kept topic-term matrix at k, LDA's document-topic prior (None for NMF) and the topics of every random
    start (LDA has one start: the search's fit when given).

    NMF: the best of ``n_init`` starts by reconstruction error; ``first``, the k search's fit at this k (a
    ``fit`` of :func:`search_fits`), is the first of them, so only ``n_init - 1`` more are fitted.
    """
    if method == "nmf":
        components, _, starts = fit_nmf(x, k, seeds=seeds(random_state, n_init), max_iter=max_iter or 400, first=first)
        return components, None, starts
    if first is None:
        first = fit_lda(counts, k, random_state=random_state, max_iter=max_iter or 20)
    components, prior = first
    return components, prior, [components]


def unit_weights(
    method: str, counts: sp.csr_matrix, x: sp.csr_matrix, components: np.ndarray, doc_topic_prior: float | None
) -> np.ndarray:
    """Unnormalised unit × topic weights under fitted (raw) topics: NNLS for NMF, the E-step for LDA."""
    if method == "nmf":
        return nnls_weights(x, components)
    return lda_gamma(counts, components, doc_topic_prior)
