"""Topic clustering: labelled themes of paragraphs, sections or documents, and their share of text over years.

:class:`TopicModel` follows scikit-learn's contract (keyword-only parameters stored verbatim, validation in
:meth:`~TopicModel.fit`, learned state in attributes ending in ``_``, ``fit`` returns ``self``).  It reads the
token pipeline's output (:func:`cppcc_nlp.token_lists`: stop words, punctuation and numbers dropped, domain
terms and formulations kept whole), keeps words of two or more characters that occur in at least ``min_df``
units and at most ``max_df`` of them, and factorises the unit × term matrix:

* ``method="nmf"`` (default): non-negative matrix factorisation of sublinear TF-IDF with l2-normalised rows
  (Frobenius loss, coordinate descent), the best of ``n_init`` seeded random starts by reconstruction error;
* ``method="lda"``: latent Dirichlet allocation on raw counts (variational Bayes, batch).

Choosing the number of topics
-----------------------------
With ``n_topics=None`` a model is fitted for every k in ``k_range`` and scored by NPMI coherence
(:mod:`cppcc_nlp.topics.coherence`) of each topic's ``top_n`` terms, counted over the **paragraphs of the fitted
corpus** (two terms co-occur when they are in the same paragraph; ``coherence_window=n`` switches to sliding
windows of n tokens).  The score of k is the mean NPMI over the ``n_init`` random starts (not only the start
that is kept), with its standard error.  The chosen k is, among the k whose score is within one standard error
of the best (the one-standard-error rule), the one whose random starts agree most (mean matched Jaccard of
their top terms, Greene et al. 2014); ties go to the smaller k.  The per-k figures are in ``coherence_`` for
plotting.

Report formulae
---------------
The ritual of the genre (the opening "现在，我代表…向大会报告…请予审议", forms of address, thanks, "…领导的结果",
title block, the genre's own headings) is left out by default (``formulae=True``, the list in
``cppcc_nlp/data/report_formulae.txt``, read by :func:`load_formulae`): matching sentences are dropped and listed
words (各位, 代表, 今年, 回顾 …) leave the vocabulary.  Without it, these sentences form topics of their own
(各位·代表·市长, 请予·现在·报告, 行政区·表示·感谢).  ``formula_sentences_`` lists what was left out.

Labels and representative units
-------------------------------
A topic is labelled by its three most *distinctive* terms: relevance
``λ·log p(w|t) + (1-λ)·log(p(w|t)/p(w))`` with λ = 0.6 (Sievert & Shirley 2014), so that terms frequent
everywhere (发展, 工作) do not name every topic.  :meth:`TopicModel.representative` returns the units whose
text is most devoted to a topic.

Shares and trends
-----------------
:meth:`TopicModel.shares` gives each topic's share of the **text** of each group (units weighted by their
number of characters; rows sum to 1).  :meth:`TopicModel.trends` calls a topic *rising* or *fading* when its
share moves monotonically with the group (Kendall's τ, two-sided p < ``alpha``) and *stable* otherwise, and
reports the Theil–Sen slope in share points per year.

Stability and persistence
-------------------------
The same input and ``random_state`` give identical tables.  :meth:`TopicModel.stability` refits with other
seeds and matches topics one-to-one (Hungarian algorithm on the cosine similarity of topic-term vectors).
:meth:`TopicModel.save` writes one zip file (vocabulary, IDF, topic-term matrix, tables, library version);
:meth:`TopicModel.load` reads it back and :meth:`TopicModel.transform` applies it to new reports without
refitting.

Examples
--------
>>> import cppcc_nlp as cn
>>> corpus = cn.Corpus.from_path(["corpora", "../shared/corpora/gwr-shanghai"])   # doctest: +SKIP
>>> model = cn.TopicModel(random_state=0).fit(corpus)                             # doctest: +SKIP
>>> model.topics_[["topic_id", "label", "top_terms"]]                            # doctest: +SKIP
   topic_id           label                         top_terms
0         0  政协·委员·协商   政协 委员 协商 提案 履职 …
>>> model.shares(by="year")                                                      # doctest: +SKIP
"""

from __future__ import annotations

import io
import json
import math
import re
import warnings
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from cppcc_nlp.topics.coherence import topic_coherence
from cppcc_nlp.errors import EmptyCorpusError, InputError, ModelError, ParameterError, SavedModelError

__all__ = ["TopicModel", "match_topics", "load_formulae", "Formulae"]

FORMAT_VERSION = 1
"""Version of the saved-model layout; a file with another version is refused by :meth:`TopicModel.load`."""

METHODS = ("nmf", "lda")
UNITS = {"paragraph": "para_id", "section": "section_id", "document": "doc_id"}
MIN_UNITS_PER_TOPIC = 5  # automatic k: at most one topic per this many units that carry terms
DEFAULT_K_RANGE = (6, 8, 10, 12, 14, 16, 18, 20)
LABEL_TERMS = 3
RELEVANCE_LAMBDA = 0.6
_COUNT = re.compile(r"[0-9０-９.．%％]+[\u4e00-\u9fff]?")
_STANDARD = ["doc_id", "year", "period", "part", "section_id"]
# token-level columns of the token table (ARCHITECTURE.md) that are not docvars
_TOKEN_COLUMNS = {"i", "sent", "token", "start", "end", "is_punct", "is_stop", "is_num", "in_lexicon", "sent_id",
                  "lemma", "pos", "tag", "norm"}

FORMULAE_FILE = Path(__file__).resolve().parent.parent / "data" / "report_formulae.txt"


@dataclass(frozen=True)
class Formulae:
    """The genre's ritual: sentences and words left out of a topic model (see :func:`load_formulae`).

    Attributes
    ----------
    sentences : tuple of str
        Regular expressions; a sentence (its tokens joined without spaces) that matches one is left out.
    words : frozenset of str
        Words left out of the topic vocabulary.
    source : str
        Where the list came from (a file path, ``"bundled"`` or ``"none"``).
    """

    sentences: tuple = ()
    words: frozenset = frozenset()
    source: str = "none"

    def __post_init__(self):
        object.__setattr__(self, "_regex", re.compile("|".join(f"(?:{p})" for p in self.sentences))
                           if self.sentences else None)

    def is_formula(self, sentence: str) -> bool:
        """True when ``sentence`` matches one of the formula patterns."""
        return self._regex is not None and self._regex.search(re.sub(r"\s+", "", sentence)) is not None


def load_formulae(path=None) -> Formulae:
    """Read a list of report formulae (default: the bundled ``cppcc_nlp/data/report_formulae.txt``).

    The file has two sections: ``[sentences]`` (one regular expression per line, searched in each sentence)
    and ``[words]`` (one word per line); ``#`` starts a comment.

    Examples
    --------
    >>> f = load_formulae()
    >>> f.is_formula("现在，我代表国务院，向大会报告政府工作，请予审议，并请全国政协委员提出意见。")
    True
    >>> f.is_formula("各位代表！"), f.is_formula("政协委员积极建言献策。")
    (True, False)
    >>> "各位" in f.words and "委员" not in f.words
    True
    """
    from cppcc_nlp.errors import LexiconError

    path = FORMULAE_FILE if path is None else Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise LexiconError(path, None, "no such formulae file (give a UTF-8 file with [sentences] and [words] "
                                       "sections, or formulae=True for the bundled list)") from None
    except UnicodeDecodeError:
        raise LexiconError(path, None, "the file is not valid UTF-8 (save the formulae list as UTF-8)") from None
    section, sentences, words = None, [], set()
    for number, line in enumerate(lines, start=1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        if entry in ("[sentences]", "[words]"):
            section = entry[1:-1]
            continue
        if section is None:
            raise LexiconError(path, number, f"{entry!r} comes before any section: start the file with "
                                             "[sentences] or [words]")
        if section == "sentences":
            try:
                re.compile(entry)
            except re.error as exc:
                raise LexiconError(path, number, f"{entry!r} is not a valid regular expression ({exc})") from None
            sentences.append(entry)
        else:
            if any(ch.isspace() for ch in entry):
                raise LexiconError(path, number, f"{entry!r} contains whitespace (write one word per line)")
            words.add(entry)
    source = "bundled" if path == FORMULAE_FILE else str(path)
    return Formulae(tuple(sentences), frozenset(words), source)


def _resolve_formulae(option) -> Formulae:
    if option is True:
        return load_formulae()
    if option is False or option is None:
        return Formulae()
    return load_formulae(option)


def _formula_sentences(table: pd.DataFrame, formulae: Formulae) -> pd.DataFrame:
    """The sentences of a token table that are formulae: doc_id, para_id, sent, text."""
    columns = ["doc_id", "para_id", "sent", "text"]
    if formulae._regex is None or table.empty or "sent" not in table or "para_id" not in table:
        return pd.DataFrame(columns=columns)
    text = table.groupby(["doc_id", "para_id", "sent"], sort=False)["token"].agg("".join).reset_index(name="text")
    hit = text["text"].map(formulae.is_formula).astype(bool)
    return text[hit].reset_index(drop=True)[columns]


def _drop_sentences(table: pd.DataFrame, dropped: pd.DataFrame) -> pd.DataFrame:
    if dropped.empty:
        return table
    keys = pd.MultiIndex.from_frame(dropped[["para_id", "sent"]])
    mask = pd.MultiIndex.from_frame(table[["para_id", "sent"]]).isin(keys)
    return table[~mask]


def _drop_words(lists: list, words: frozenset) -> list:
    if not words:
        return lists
    return [[t for t in toks if t not in words] for toks in lists]


# --------------------------------------------------------------------------------------------------------------
# units: one row per paragraph / section / document with its docvars and its token list

@dataclass
class _Units:
    meta: pd.DataFrame                       # one row per unit, RangeIndex; id column, docvars, n_chars
    tokens: list                             # list[list[str]] aligned with meta
    texts: list                              # list[str | None] aligned with meta
    reference: list                          # token lists for coherence (paragraphs where available)
    reference_name: str
    headings: dict = field(default_factory=dict)   # section_id -> heading
    dropped: pd.DataFrame | None = None            # formula sentences left out (doc_id, para_id, sent, text)


def _token_lists_of(source, unit: str, token_options: dict) -> pd.Series:
    from cppcc_nlp.tokens.pipeline import token_lists

    return token_lists(source, unit=unit, **token_options)


def _as_lists(series: pd.Series, ids: Iterable) -> list:
    mapping = series.to_dict()
    return [list(mapping.get(i, []) or []) for i in ids]


def _units_from_corpus(corpus, unit: str, token_options: dict, table: pd.DataFrame | None = None,
                       formulae: Formulae = Formulae()) -> _Units:
    id_col = UNITS[unit]
    if table is None:
        from cppcc_nlp.tokens.pipeline import tokens as token_table

        table = token_table(corpus)
    elif not isinstance(table, pd.DataFrame) or "token" not in table.columns:
        raise InputError("tokens= must be the token table of this corpus (cppcc_nlp.tokens(corpus))")
    else:
        unknown = set(table["doc_id"].unique()) - set(corpus.documents["doc_id"])
        if unknown:
            raise InputError(f"tokens= holds documents that are not in the corpus ({sorted(unknown)[0]!r} …): "
                             "pass the token table made from this corpus")
    if len(corpus.paragraphs) == 0:
        raise EmptyCorpusError("the corpus has no paragraphs: nothing to cluster (check the input files)")
    if unit == "paragraph":
        meta = corpus.paragraphs.copy()
        texts = meta["text"].astype(str).tolist()
        meta["n_chars"] = [len(t) for t in texts]
    elif unit == "section":
        meta = corpus.sections.copy()
        doc_text = {d.doc_id: d.text for d in corpus.docs}
        texts = [doc_text[d][s:e] for d, s, e in zip(meta["doc_id"], meta["start"], meta["end"])]
        if "n_chars" not in meta:
            meta["n_chars"] = [len(t) for t in texts]
    else:
        meta = corpus.documents.copy()
        doc_text = {d.doc_id: d.text for d in corpus.docs}
        texts = [doc_text[d] for d in meta["doc_id"]]
        meta["n_chars"] = [len(t) for t in texts]
        for col in ("period", "section_id", "part"):
            if col not in meta:
                meta[col] = pd.Series([pd.NA] * len(meta), dtype="Int64" if col == "period" else "object")
    meta = meta.drop(columns=[c for c in ("text", "path", "sha256") if c in meta]).reset_index(drop=True)
    dropped = _formula_sentences(table, formulae)
    table = _drop_sentences(table, dropped)
    lists = _drop_words(_as_lists(_token_lists_of(table, unit, token_options), meta[id_col]), formulae.words)
    if unit == "paragraph":
        reference, name = lists, "paragraphs"
    else:
        reference = _drop_words(_token_lists_of(table, "paragraph", token_options).tolist(), formulae.words)
        name = "paragraphs"
    headings = {}
    sections = corpus.sections
    if "heading" in sections:
        headings = dict(zip(sections["section_id"], sections["heading"]))
    return _Units(meta, lists, texts, [list(r) for r in reference], name, headings, dropped)


def _units_from_token_table(table: pd.DataFrame, unit: str, token_options: dict,
                            formulae: Formulae = Formulae()) -> _Units:
    id_col = UNITS[unit]
    if id_col not in table:
        raise InputError(f"the token table has no {id_col!r} column, needed for unit={unit!r} "
                         "(pass the table returned by cppcc_nlp.tokens(corpus))")
    if table.empty:
        raise EmptyCorpusError("the token table is empty: nothing to cluster")
    docvars = [c for c in table.columns if c not in _TOKEN_COLUMNS and c != id_col]
    if unit == "document":
        docvars = [c for c in docvars if c not in ("para_id", "section_id", "part", "period")]
    grouped = table.groupby(id_col, sort=False)
    meta = grouped[docvars].first().reset_index() if docvars else grouped.size().reset_index()[[id_col]]
    spans = grouped.agg(_s=("start", "min"), _e=("end", "max")).reset_index(drop=True)
    meta["n_chars"] = (spans["_e"] - spans["_s"]).to_numpy()
    for col in ("period", "section_id", "part"):
        if col not in meta:
            meta[col] = pd.Series([pd.NA] * len(meta), dtype="Int64" if col == "period" else "object")
    dropped = _formula_sentences(table, formulae)
    table = _drop_sentences(table, dropped)
    lists = _drop_words(_as_lists(_token_lists_of(table, unit, token_options), meta[id_col]), formulae.words)
    if unit == "paragraph" or "para_id" not in table:
        reference, name = lists, f"{unit}s"
    else:
        reference = _drop_words(_token_lists_of(table, "paragraph", token_options).tolist(), formulae.words)
        name = "paragraphs"
    return _Units(meta, lists, [None] * len(meta), [list(r) for r in reference], name, dropped=dropped)


def _units_from_unit_table(table: pd.DataFrame, unit: str, formulae: Formulae = Formulae()) -> _Units:
    id_col = UNITS[unit]
    if id_col not in table:
        raise InputError(f"the unit table has no {id_col!r} column, needed for unit={unit!r}; give one row per "
                         f"{unit} with {id_col!r}, 'tokens' (list of str) and the docvars")
    if table.empty:
        raise EmptyCorpusError("the unit table is empty: nothing to cluster")
    bad = [i for i, t in zip(table[id_col], table["tokens"]) if not isinstance(t, (list, tuple, np.ndarray))]
    if bad:
        raise InputError(f"unit {bad[0]!r}: the 'tokens' column must hold lists of strings, "
                         f"got {type(table.loc[table[id_col] == bad[0], 'tokens'].iloc[0]).__name__}")
    meta = table.drop(columns=["tokens"]).reset_index(drop=True)
    texts = meta["text"].astype(str).tolist() if "text" in meta else [None] * len(meta)
    if "n_chars" not in meta:
        meta["n_chars"] = [len(t) for t in texts] if "text" in meta else [
            sum(len(x) for x in toks) for toks in table["tokens"]]
    meta = meta.drop(columns=[c for c in ("text",) if c in meta])
    for col in _STANDARD:
        if col not in meta:
            meta[col] = pd.Series([pd.NA] * len(meta), dtype="Int64" if col in ("year", "period") else "object")
    lists = _drop_words([list(t) for t in table["tokens"]], formulae.words)  # no sentences here: words only
    return _Units(meta, lists, texts, lists, f"{unit}s")


def _collect_units(X, unit: str, token_options: dict, table: pd.DataFrame | None = None,
                   formulae: Formulae = Formulae()) -> _Units:
    if isinstance(X, pd.DataFrame):
        if "tokens" in X.columns:
            return _units_from_unit_table(X, unit, formulae)
        if "token" in X.columns:
            return _units_from_token_table(X, unit, token_options, formulae)
        raise InputError("a DataFrame given to TopicModel must be a token table (column 'token', from "
                         "cppcc_nlp.tokens) or a unit table (column 'tokens' holding lists of str); got columns "
                         f"{list(X.columns)[:8]}")
    if isinstance(X, (str, Path)) or (isinstance(X, (list, tuple)) and X and isinstance(X[0], (str, Path))):
        from cppcc_nlp.corpus.corpus import Corpus

        X = Corpus.from_path(X)
    if hasattr(X, "paragraphs") and hasattr(X, "documents"):
        if len(X) == 0:
            raise EmptyCorpusError("the corpus has no documents: nothing to cluster")
        return _units_from_corpus(X, unit, token_options, table, formulae)
    raise InputError(f"TopicModel cannot read a {type(X).__name__}: give a Corpus, report paths, a token table "
                     "from cppcc_nlp.tokens, or a unit table with a 'tokens' column")


# --------------------------------------------------------------------------------------------------------------
# vocabulary and matrices

def _is_term(token: str, min_chars: int) -> bool:
    if len(token) < min_chars:
        return False
    if not any("\u4e00" <= ch <= "\u9fff" or ch.isalpha() for ch in token):
        return False  # numbers, percentages, punctuation runs
    return _COUNT.fullmatch(token) is None  # 2023年, 24个, 3.5万: a number with its measure word


def _build_vocabulary(lists, *, min_df, max_df, min_chars) -> tuple[list, np.ndarray]:
    n_units = len(lists)
    df = Counter()
    for toks in lists:
        df.update(set(toks))
    max_count = max_df if isinstance(max_df, (int, np.integer)) and not isinstance(max_df, bool) else \
        math.floor(max_df * n_units)
    vocab = sorted(t for t, c in df.items() if c >= min_df and c <= max(max_count, min_df) and _is_term(t, min_chars))
    return vocab, np.array([df[t] for t in vocab], dtype=float)


def _count_matrix(lists, index: dict) -> sp.csr_matrix:
    rows, cols = [], []
    for r, toks in enumerate(lists):
        for t in toks:
            j = index.get(t)
            if j is not None:
                rows.append(r)
                cols.append(j)
    data = np.ones(len(rows), dtype=float)
    matrix = sp.csr_matrix((data, (rows, cols)), shape=(len(lists), len(index)))
    matrix.sum_duplicates()
    matrix.sort_indices()
    return matrix


def _tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    x = counts.copy().astype(float)
    x.data = 1.0 + np.log(x.data)
    x = x @ sp.diags(idf)
    x = sp.csr_matrix(x)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ x)


# --------------------------------------------------------------------------------------------------------------
# factorisation and inference

def _seeds(random_state, n: int) -> list[int]:
    rng = np.random.RandomState(random_state)
    return [int(s) for s in rng.randint(0, 2**31 - 1, size=n)]


def _fit_nmf(x: sp.csr_matrix, k: int, *, seeds: Sequence[int], max_iter: int) -> tuple[np.ndarray, float, list]:
    """Best NMF (lowest reconstruction error) over random starts with the given seeds, and every start's topics."""
    from sklearn.decomposition import NMF

    best, best_err, starts = None, np.inf, []
    for seed in seeds:
        model = NMF(n_components=k, init="random", solver="cd", beta_loss="frobenius", max_iter=max_iter,
                    tol=1e-4, random_state=seed)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Maximum number of iterations")
            model.fit(x)
        starts.append(model.components_.copy())
        if model.reconstruction_err_ < best_err - 1e-12:
            best, best_err = starts[-1], float(model.reconstruction_err_)
    return best, best_err, starts


def _fit_lda(counts: sp.csr_matrix, k: int, *, random_state, max_iter: int) -> tuple[np.ndarray, float]:
    from sklearn.decomposition import LatentDirichletAllocation

    model = LatentDirichletAllocation(n_components=k, learning_method="batch", max_iter=max_iter,
                                      random_state=random_state)
    model.fit(counts)
    return model.components_.copy(), float(model.doc_topic_prior_)


def _nnls_weights(x: sp.csr_matrix, components: np.ndarray) -> np.ndarray:
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


def _lda_gamma(counts: sp.csr_matrix, components: np.ndarray, doc_topic_prior: float,
               max_iter: int = 100, tol: float = 1e-3) -> np.ndarray:
    """Variational E-step of LDA (as scikit-learn's ``transform``, constant start): unnormalised γ per unit."""
    from scipy.special import psi

    exp_beta = np.exp(psi(components) - psi(components.sum(axis=1))[:, None])
    eps = np.finfo(float).eps
    n, k = counts.shape[0], components.shape[0]
    gamma = np.zeros((n, k))
    start = np.exp(psi(np.ones(k)) - psi(float(k)))
    for d in range(n):
        ids = counts.indices[counts.indptr[d]:counts.indptr[d + 1]]
        if not len(ids):
            continue
        cnts = counts.data[counts.indptr[d]:counts.indptr[d + 1]]
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


def _normalise_rows(m: np.ndarray) -> np.ndarray:
    sums = m.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(sums > 0, m / np.where(sums > 0, sums, 1.0), 0.0)
    return out


def match_topics(a: np.ndarray, b: np.ndarray) -> pd.DataFrame:
    """Match the topics of two models one-to-one by cosine similarity of their topic-term vectors.

    Parameters
    ----------
    a, b : arrays of shape (k_a, n_terms) and (k_b, n_terms) over the same vocabulary (e.g. two models'
        ``components_``).

    Returns
    -------
    pandas.DataFrame
        ``topic_a, topic_b, cosine``: the assignment maximising total similarity (Hungarian algorithm,
        :func:`scipy.optimize.linear_sum_assignment`), one row per matched pair (min(k_a, k_b) rows).
    """
    from scipy.optimize import linear_sum_assignment

    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ParameterError(f"topic-term matrices must share a vocabulary: got shapes {a.shape} and {b.shape}")
    na = np.linalg.norm(a, axis=1, keepdims=True)
    nb = np.linalg.norm(b, axis=1, keepdims=True)
    sim = (a / np.where(na > 0, na, 1)) @ (b / np.where(nb > 0, nb, 1)).T
    rows, cols = linear_sum_assignment(-sim)
    return pd.DataFrame({"topic_a": rows, "topic_b": cols, "cosine": sim[rows, cols]})


# --------------------------------------------------------------------------------------------------------------
# the model

class TopicModel:
    """Topics of paragraphs, sections or documents, with labels, shares per group and trends.

    Parameters
    ----------
    n_topics : int or None, default None
        Number of topics k; None chooses k from ``k_range`` by NPMI coherence (see the module notes).
    method : {"nmf", "lda"}, default "nmf"
        NMF on sublinear TF-IDF, or LDA on counts.
    unit : {"paragraph", "section", "document"}, default "paragraph"
        What is clustered; each result row is one such unit.
    random_state : int, default 0
        Seed of the random starts; the same input and seed give identical results.
    k_range : sequence of int, default (6, 8, …, 20)
        Candidate k when ``n_topics`` is None; values above one topic per ``MIN_UNITS_PER_TOPIC`` (5) usable
        units are dropped, with a warning (a single short report gets a few topics, not twenty).
    top_n : int, default 10
        Top terms per topic kept in ``topics_`` and scored for coherence.
    min_df : int, default 2
        A term must occur in at least this many units.
    max_df : float or int, default 0.3
        A term in more than this share (float) or number (int) of units is dropped as carrying no theme.
    min_chars : int, default 2
        Shortest term kept (2 drops single characters such as 年, 县).
    n_init : int, default 4
        NMF random starts; the one with the lowest reconstruction error is kept.
    max_iter : int, default 400 (NMF) / 20 (LDA)
        Iterations of the solver.
    coherence_window : None or int, default None
        None: two terms co-occur when they are in the same paragraph; int n: in a sliding window of n tokens.
    token_options : dict, optional
        Keyword arguments passed to :func:`cppcc_nlp.token_lists` (default: stop words, punctuation and
        numbers dropped).
    formulae : bool or path, default True
        The genre's ritual left out of the model (:func:`load_formulae`): True, the bundled list
        (``cppcc_nlp/data/report_formulae.txt``: the opening "现在，我代表…请予审议", forms of address, thanks,
        "…领导的结果", title block, the genre's own headings, and words such as 各位, 今年, 回顾); a path, your
        own list in the same format; False, keep everything.  Sentences that match are dropped from the token
        lists (a paragraph made only of them carries no topic); listed words are dropped from the vocabulary.

    Attributes
    ----------
    n_topics_ : int
        The k used.
    topics_ : pandas.DataFrame
        ``topic_id, label, top_terms, weights, share, n_units, coherence``: the label (three most distinctive
        terms joined by ``·``), the ``top_n`` terms by weight (space separated) and their weights in the
        topic-term distribution, the topic's share of all text, the units it dominates and its NPMI.
    terms_ : pandas.DataFrame
        ``topic_id, rank, term, weight, relevance``: the ``top_n`` terms of every topic, long form.
    doc_topics_ : pandas.DataFrame
        One row per unit: the unit id (``para_id`` / ``section_id`` / ``doc_id``), ``doc_id, year, period,
        part, section_id`` and the other docvars, ``n_chars``, ``n_terms`` (tokens in the vocabulary),
        ``dominant_topic`` (Int64, NA when the unit has no vocabulary term), ``dominant_label``,
        ``dominant_weight`` and ``topic_0 … topic_{k-1}`` (the unit's topic distribution, summing to 1).
    section_topics_ : pandas.DataFrame or None
        ``doc_id, year, period, part, section_id, heading, n_chars, dominant_topic, dominant_label,
        dominant_weight`` (paragraph or section units): the topic of each section of each report.
    coherence_ : pandas.DataFrame
        ``k, coherence, coherence_min, coherence_std, diversity, chosen``: mean, worst and spread of the topics'
        NPMI per candidate k, and topic diversity (share of distinct terms among the top terms; 1 = no overlap).
    vocabulary_ : list of str
    formulae_ : Formulae
        The formula list used (kept with a saved model, so :meth:`transform` filters new reports alike).
    formula_sentences_ : pandas.DataFrame
        ``doc_id, para_id, sent, text``: the sentences of the fitted corpus left out as formulae.
    components_ : numpy.ndarray, shape (n_topics_, n_terms)
        Topic-term weights (rows sum to 1).

    Examples
    --------
    >>> units = pd.DataFrame({"para_id": ["a/p0", "a/p1", "a/p2", "a/p3"], "doc_id": "a", "year": 2024,
    ...     "tokens": [["政协", "协商", "委员"], ["政协", "协商", "提案"], ["经济", "增长", "产业"],
    ...                ["经济", "产业", "增长"]]})
    >>> model = TopicModel(n_topics=2, min_df=1, max_df=1.0).fit(units)
    >>> model.doc_topics_["dominant_topic"].tolist()[:2] == [model.doc_topics_["dominant_topic"][0]] * 2
    True
    >>> model.doc_topics_["dominant_topic"].nunique()
    2
    """

    def __init__(self, *, n_topics=None, method="nmf", unit="paragraph", random_state=0, k_range=DEFAULT_K_RANGE,
                 top_n=10, min_df=2, max_df=0.3, min_chars=2, n_init=4, max_iter=None, coherence_window=None,
                 token_options=None, formulae=True):
        self.n_topics = n_topics
        self.method = method
        self.unit = unit
        self.random_state = random_state
        self.k_range = k_range
        self.top_n = top_n
        self.min_df = min_df
        self.max_df = max_df
        self.min_chars = min_chars
        self.n_init = n_init
        self.max_iter = max_iter
        self.coherence_window = coherence_window
        self.token_options = token_options
        self.formulae = formulae

    # -- parameters -------------------------------------------------------------------------------------------
    def get_params(self, deep=True) -> dict:
        names = ["n_topics", "method", "unit", "random_state", "k_range", "top_n", "min_df", "max_df",
                 "min_chars", "n_init", "max_iter", "coherence_window", "token_options", "formulae"]
        return {n: getattr(self, n) for n in names}

    def set_params(self, **params) -> "TopicModel":
        valid = self.get_params()
        for name, value in params.items():
            if name not in valid:
                raise ParameterError(f"TopicModel has no parameter {name!r}; valid: {', '.join(valid)}")
            setattr(self, name, value)
        return self

    def __repr__(self):
        changed = {k: v for k, v in self.get_params().items() if v != TopicModel().get_params()[k]}
        return "TopicModel(" + ", ".join(f"{k}={v!r}" for k, v in changed.items()) + ")"

    def _validate(self):
        def positive_int(name, value, allow_none=False):
            if value is None and allow_none:
                return
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
                raise ParameterError(f"{name}={value!r}: must be a positive integer"
                                     + (" or None (choose k by coherence)" if allow_none else ""))

        positive_int("n_topics", self.n_topics, allow_none=True)
        if self.method not in METHODS:
            raise ParameterError(f"method={self.method!r}: use one of {', '.join(METHODS)}")
        if self.unit not in UNITS:
            raise ParameterError(f"unit={self.unit!r}: use one of {', '.join(UNITS)}")
        if self.random_state is not None and (isinstance(self.random_state, bool)
                                              or not isinstance(self.random_state, (int, np.integer))):
            raise ParameterError(f"random_state={self.random_state!r}: give an int seed")
        if self.n_topics is None:
            ks = list(self.k_range) if isinstance(self.k_range, Iterable) else []
            if not ks:
                raise ParameterError(f"k_range={self.k_range!r}: give a non-empty list of positive ints")
            for k in ks:
                positive_int("k_range value", k)
        positive_int("top_n", self.top_n)
        positive_int("min_df", self.min_df)
        positive_int("min_chars", self.min_chars)
        positive_int("n_init", self.n_init)
        positive_int("max_iter", self.max_iter, allow_none=True)
        if isinstance(self.max_df, bool) or not isinstance(self.max_df, (int, float, np.integer, np.floating)) \
                or self.max_df <= 0 or (isinstance(self.max_df, (float, np.floating)) and self.max_df > 1):
            raise ParameterError(f"max_df={self.max_df!r}: a share in (0, 1] or a count of units >= 1")
        if self.coherence_window is not None:
            from cppcc_nlp.topics.coherence import _check_window
            _check_window(self.coherence_window)
        if self.token_options is not None and not isinstance(self.token_options, dict):
            raise ParameterError(f"token_options={self.token_options!r}: give a dict of token_lists arguments")
        if not isinstance(self.formulae, (bool, str, Path)):
            raise ParameterError(f"formulae={self.formulae!r}: give True (the bundled list), False (keep "
                                 "everything) or the path of a formulae file")

    def _token_options(self) -> dict:
        options = {"keep_boilerplate": False}
        options.update(self.token_options or {})
        return options

    # -- fitting ----------------------------------------------------------------------------------------------
    def fit(self, X, y=None, *, tokens: pd.DataFrame | None = None) -> "TopicModel":
        """Learn the topics of ``X``.

        Parameters
        ----------
        X : Corpus, path(s) to reports, token table (from :func:`cppcc_nlp.tokens`) or unit table
            (a DataFrame with one row per unit: the unit id column, ``tokens`` as lists of str, docvars).
        y : ignored.
        tokens : DataFrame, optional
            The token table of ``X`` when ``X`` is a Corpus and the table is already at hand (a notebook that
            also extracts terms and slogans); default: ``cppcc_nlp.tokens(X)``.

        Returns
        -------
        self

        Raises
        ------
        EmptyCorpusError
            No units, or no term left after the frequency filters.
        ParameterError
            A bad parameter, or ``n_topics`` larger than the number of units that have terms.
        """
        self._validate()
        formulae = _resolve_formulae(self.formulae)
        units = _collect_units(X, self.unit, self._token_options(), tokens, formulae)
        vocab, df = _build_vocabulary(units.tokens, min_df=self.min_df, max_df=self.max_df,
                                      min_chars=self.min_chars)
        if not vocab:
            raise EmptyCorpusError(
                f"no term occurs in at least min_df={self.min_df} of the {len(units.tokens)} {self.unit}s and in at "
                f"most max_df={self.max_df} of them: lower min_df, raise max_df or give more text")
        index = {t: i for i, t in enumerate(vocab)}
        counts = _count_matrix(units.tokens, index)
        n_units = counts.shape[0]
        idf = np.log((1.0 + n_units) / (1.0 + df)) + 1.0
        x = _tfidf(counts, idf) if self.method == "nmf" else counts
        usable = int((np.diff(counts.indptr) > 0).sum())
        if usable < 2:
            raise EmptyCorpusError(f"only {usable} {self.unit}(s) contain a vocabulary term: give more text, a "
                                   "smaller unit or lower min_df")
        limit = min(usable - 1, len(vocab))
        if self.n_topics is not None:
            if self.n_topics > limit:
                raise ParameterError(
                    f"n_topics={self.n_topics} but only {usable} {self.unit}s carry terms (at most {limit} topics "
                    f"fit): lower n_topics, use n_topics=None to choose it, or use a smaller unit than "
                    f"{self.unit!r}")
            candidates = [int(self.n_topics)]
        else:
            # a theme chosen automatically should be carried by several units: at most one topic per
            # MIN_UNITS_PER_TOPIC units (a 37-paragraph report gets at most 7 topics, not 20)
            auto_limit = min(limit, max(2, usable // MIN_UNITS_PER_TOPIC))
            wanted = sorted({int(k) for k in self.k_range})
            candidates = [k for k in wanted if k <= auto_limit]
            if not candidates:
                candidates = [max(1, min(auto_limit, wanted[0]))]
            if len(candidates) < len(wanted):
                warnings.warn(f"only {usable} {self.unit}s carry terms (at most one topic per "
                              f"{MIN_UNITS_PER_TOPIC}): k_range reduced to {candidates}", UserWarning, stacklevel=2)
        lexicon_prob = np.asarray(counts.sum(axis=0)).ravel()
        lexicon_prob = lexicon_prob / lexicon_prob.sum()

        results, rows = [], []
        for k in candidates:
            components, prior, err, starts = self._fit_components(x, counts, k)
            kept = next(i for i, c in enumerate(starts) if c is components)
            per_start = self._coherence(starts, vocab, units)       # one NPMI table per random start
            coh = per_start[kept]
            results.append((k, components, prior, err, coh))
            means = np.array([c["coherence"].mean() for c in per_start])
            se = float(means.std(ddof=1) / math.sqrt(len(means))) if len(means) > 1 else float("nan")
            rows.append((k, float(means.mean()), se, float(coh["coherence"].mean()), float(coh["coherence"].min()),
                         float(coh["coherence"].std(ddof=0)), _diversity(components, self.top_n),
                         _agreement(starts, self.top_n)))
        scores = pd.DataFrame(rows, columns=["k", "coherence", "coherence_se", "coherence_best", "coherence_min",
                                             "coherence_std", "diversity", "agreement"])
        best = _choose_k(scores)
        scores["chosen"] = np.arange(len(scores)) == best
        k, components, prior, err, coh = results[best]

        self.vocabulary_ = vocab
        self.formulae_ = formulae
        self.formula_sentences_ = units.dropped if units.dropped is not None else _formula_sentences(
            pd.DataFrame(), formulae)
        self.idf_ = idf
        self.term_prob_ = lexicon_prob
        self.components_ = _normalise_rows(components)
        self.raw_components_ = components
        self.doc_topic_prior_ = prior
        self.n_topics_ = k
        self.coherence_ = scores
        self.coherence_reference_ = units.reference_name
        self._headings = units.headings
        self._build_topic_tables(coh)
        self.doc_topics_, self._raw_weights = self._unit_table(units, counts, x)
        self._texts = dict(zip(self.doc_topics_[UNITS[self.unit]], units.texts))
        self._finish_topic_tables()
        return self

    def fit_transform(self, X, y=None, *, tokens: pd.DataFrame | None = None) -> pd.DataFrame:
        """Fit and return ``doc_topics_``."""
        return self.fit(X, tokens=tokens).doc_topics_

    def _fit_components(self, x, counts, k):
        """The kept topic-term matrix, LDA's prior, NMF's error, and the topics of every random start."""
        if self.method == "nmf":
            components, err, starts = _fit_nmf(x, k, seeds=_seeds(self.random_state, self.n_init),
                                               max_iter=self.max_iter or 400)
            return components, None, err, starts
        components, prior = _fit_lda(counts, k, random_state=self.random_state, max_iter=self.max_iter or 20)
        return components, prior, np.nan, [components]

    def _coherence(self, starts, vocab, units) -> list:
        """NPMI of each start's topics (one pass over the reference for all starts together)."""
        tops = [[[vocab[j] for j in row] for row in _top_term_ids(c, self.top_n)] for c in starts]
        table = topic_coherence([t for top in tops for t in top], units.reference, window=self.coherence_window)
        out, at = [], 0
        for top in tops:
            part = table.iloc[at:at + len(top)].reset_index(drop=True)
            part["topic_id"] = np.arange(len(top))
            out.append(part)
            at += len(top)
        return out

    def _weights(self, counts, x) -> np.ndarray:
        if self.method == "nmf":
            return _nnls_weights(x, self.raw_components_)
        return _lda_gamma(counts, self.raw_components_, self.doc_topic_prior_)

    def _build_topic_tables(self, coh: pd.DataFrame):
        comp = self.components_
        top = _top_term_ids(comp, self.top_n)
        with np.errstate(divide="ignore"):
            relevance = RELEVANCE_LAMBDA * np.log(comp) + (1 - RELEVANCE_LAMBDA) * np.log(
                comp / self.term_prob_[None, :])
        rows, labels, top_terms, weights = [], [], [], []
        for t in range(comp.shape[0]):
            # label: most distinctive among the topic's 30 heaviest terms (relevance ranks rare terms too high)
            pool = np.argsort(-comp[t], kind="stable")[:max(30, self.top_n)]
            pool = pool[comp[t, pool] > 0]
            order = pool[np.argsort(-relevance[t, pool], kind="stable")]
            labels.append("·".join(self.vocabulary_[j] for j in order[:LABEL_TERMS]))
            top_terms.append(" ".join(self.vocabulary_[j] for j in top[t]))
            weights.append(" ".join(f"{comp[t, j]:.4f}" for j in top[t]))
            for rank, j in enumerate(top[t], start=1):
                rows.append((t, rank, self.vocabulary_[j], float(comp[t, j]), float(relevance[t, j])))
        self.terms_ = pd.DataFrame(rows, columns=["topic_id", "rank", "term", "weight", "relevance"])
        self.topics_ = pd.DataFrame({"topic_id": np.arange(comp.shape[0]), "label": labels, "top_terms": top_terms,
                                     "weights": weights, "coherence": coh["coherence"].to_numpy()})

    def _unit_table(self, units: _Units, counts, x) -> pd.DataFrame:
        weights = self._weights(counts, x)
        theta = _normalise_rows(weights)
        has = theta.sum(axis=1) > 0
        dominant = pd.array(np.where(has, theta.argmax(axis=1), 0), dtype="Int64")
        dominant[~has] = pd.NA
        labels = self.topics_["label"].to_numpy()
        meta = units.meta.copy()
        id_col = UNITS[self.unit]
        front = [id_col] + [c for c in _STANDARD if c != id_col and c in meta]
        meta = meta[front + [c for c in meta.columns if c not in front and c != "n_chars"] + ["n_chars"]]
        meta["n_terms"] = np.asarray(counts.sum(axis=1)).ravel().astype(int)
        meta["dominant_topic"] = dominant
        meta["dominant_label"] = [labels[d] if h else None for d, h in zip(theta.argmax(axis=1), has)]
        meta["dominant_weight"] = np.where(has, theta.max(axis=1), np.nan)
        topic_cols = pd.DataFrame(theta, columns=[f"topic_{t}" for t in range(theta.shape[1])])
        return pd.concat([meta.reset_index(drop=True), topic_cols], axis=1), weights

    def _finish_topic_tables(self):
        dt = self.doc_topics_
        theta = dt[self._topic_columns()].to_numpy()
        chars = dt["n_chars"].to_numpy(dtype=float)
        mass = (theta * chars[:, None]).sum(axis=0)
        self.topics_["share"] = mass / mass.sum() if mass.sum() > 0 else 0.0
        counts = dt["dominant_topic"].value_counts()
        self.topics_["n_units"] = [int(counts.get(t, 0)) for t in self.topics_["topic_id"]]
        self.topics_ = self.topics_[["topic_id", "label", "top_terms", "weights", "share", "n_units", "coherence"]]
        self.section_topics_ = self._section_topics(dt) if self.unit in ("paragraph", "section") else None

    def _topic_columns(self) -> list[str]:
        return [f"topic_{t}" for t in range(self.n_topics_)]

    def _check_fitted(self):
        if not hasattr(self, "components_"):
            raise ModelError("this TopicModel is not fitted yet: call fit(corpus) or TopicModel.load(path) first")

    # -- applying ---------------------------------------------------------------------------------------------
    def transform(self, X, *, tokens: pd.DataFrame | None = None) -> pd.DataFrame:
        """Topic distribution of each unit of ``X`` under the fitted topics (no refitting).

        Terms outside the fitted vocabulary are ignored (``n_terms`` counts those that are kept).

        Returns
        -------
        pandas.DataFrame
            The columns of ``doc_topics_``.
        """
        self._check_fitted()
        units = _collect_units(X, self.unit, self._token_options(), tokens, self.formulae_)
        index = {t: i for i, t in enumerate(self.vocabulary_)}
        counts = _count_matrix(units.tokens, index)
        x = _tfidf(counts, self.idf_) if self.method == "nmf" else counts
        return self._unit_table(units, counts, x)[0]

    # -- reading results --------------------------------------------------------------------------------------
    def shares(self, by="year", *, doc_topics: pd.DataFrame | None = None, wide: bool = True) -> pd.DataFrame:
        """Each topic's share of the text of each group.

        Parameters
        ----------
        by : str or list of str, default "year"
            Docvar(s) to group by: ``"year"`` (delivery year), ``"period"`` (year the section speaks about),
            ``"doc_id"``, ``"level"``, ``"region"`` … .
        doc_topics : DataFrame, optional
            Unit distributions to summarise (e.g. the result of :meth:`transform` on new reports);
            default ``doc_topics_``.
        wide : bool, default True
            True: one row per group with ``n_units, n_chars`` and ``topic_0 … topic_{k-1}`` summing to 1.
            False: tidy rows ``<by>, topic_id, label, share, n_chars``.

        Notes
        -----
        A unit counts with its number of characters spread over its topic distribution; units with no
        vocabulary term (headings, one-line formulae) carry no topic and are left out of ``n_chars``.  Units
        whose group value is missing (a section with no known period) are left out with a warning.
        """
        self._check_fitted()
        dt = self.doc_topics_ if doc_topics is None else doc_topics
        keys = [by] if isinstance(by, str) else list(by)
        missing = [k for k in keys if k not in dt.columns]
        if missing:
            raise ParameterError(f"by={by!r}: no column {missing[0]!r} in the unit table; group by one of "
                                 f"{', '.join(c for c in dt.columns if not c.startswith('topic_'))}")
        cols = self._topic_columns()
        valid = dt["dominant_topic"].notna()
        missing_key = dt[keys].isna().any(axis=1) & valid
        if missing_key.any():
            bad = [k for k in keys if dt.loc[valid, k].isna().any()][0]
            if missing_key.sum() == valid.sum():
                raise ParameterError(f"by={by!r}: column {bad!r} is missing for every {self.unit} (with "
                                     f"unit={self.unit!r}; period is only known per paragraph or section)")
            warnings.warn(f"shares by {by!r}: {int(missing_key.sum())} {self.unit}(s) with no {bad!r} left out "
                          f"({int(dt.loc[missing_key, 'n_chars'].sum())} characters)", UserWarning, stacklevel=2)
            valid &= ~missing_key
        sub = dt.loc[valid, keys + cols + ["n_chars"]].copy()
        mass = sub[cols].to_numpy() * sub["n_chars"].to_numpy(dtype=float)[:, None]
        mass = pd.DataFrame(mass, columns=cols)
        for k in keys:
            mass[k] = sub[k].to_numpy()
        grouped = mass.groupby(keys, sort=True)
        total = grouped[cols].sum()
        out = total.div(total.sum(axis=1).replace(0, np.nan), axis=0)
        out.insert(0, "n_chars", sub.groupby(keys, sort=True)["n_chars"].sum().to_numpy())
        out.insert(0, "n_units", sub.groupby(keys, sort=True).size().to_numpy())
        out = out.reset_index()
        if wide:
            return out
        long = out.melt(id_vars=keys + ["n_units", "n_chars"], value_vars=cols, var_name="topic_id",
                        value_name="share")
        long["topic_id"] = long["topic_id"].str.slice(6).astype(int)
        long["label"] = long["topic_id"].map(dict(zip(self.topics_["topic_id"], self.topics_["label"])))
        return long.sort_values(keys + ["topic_id"]).reset_index(drop=True)[
            keys + ["topic_id", "label", "share", "n_units", "n_chars"]]

    def trends(self, by="period", *, alpha: float = 0.05, min_chars: int = 1000,
               doc_topics: pd.DataFrame | None = None) -> pd.DataFrame:
        """Is each topic's share rising, stable or fading across ``by`` (a numeric docvar such as year)?

        A topic is ``rising`` (``fading``) when Kendall's τ between the group value and the topic's share is
        positive (negative) with two-sided p < ``alpha``; otherwise ``stable``.  With fewer than 3 groups the
        trend is ``undetermined``.  ``slope`` is the Theil–Sen slope of the share per unit of ``by`` (per year).
        Groups with fewer than ``min_chars`` characters of topical text are left out (a plan section of a
        single short report would otherwise decide the last point); ``n_groups`` counts the groups used.

        Returns
        -------
        pandas.DataFrame
            ``topic_id, label, n_groups, first, last, share_first, share_last, mean_share, slope, tau, p_value,
            trend``.
        """
        from scipy.stats import kendalltau, theilslopes

        if not 0 < alpha < 1:
            raise ParameterError(f"alpha={alpha!r}: give a significance level between 0 and 1")
        if isinstance(min_chars, bool) or not isinstance(min_chars, (int, np.integer)) or min_chars < 0:
            raise ParameterError(f"min_chars={min_chars!r}: give a number of characters >= 0")
        table = self.shares(by=by, doc_topics=doc_topics)
        table = table[table["n_chars"] >= min_chars].reset_index(drop=True)
        try:
            x = table[by].astype(float).to_numpy()
        except (TypeError, ValueError):
            raise ParameterError(f"by={by!r}: trends need a numeric docvar such as 'year' or 'period'") from None
        rows = []
        for t, label in zip(self.topics_["topic_id"], self.topics_["label"]):
            y = table[f"topic_{t}"].to_numpy(dtype=float)
            n = len(y)
            if n < 3:
                slope, tau, p, trend = np.nan, np.nan, np.nan, "undetermined"
            else:
                slope = float(theilslopes(y, x)[0])
                res = kendalltau(x, y)
                tau, p = float(res.statistic), float(res.pvalue)
                if np.isnan(tau):
                    trend = "stable"
                elif p < alpha:
                    trend = "rising" if tau > 0 else "fading"
                else:
                    trend = "stable"
            rows.append((t, label, n, x[0] if n else np.nan, x[-1] if n else np.nan, y[0] if n else np.nan,
                         y[-1] if n else np.nan, float(y.mean()) if n else np.nan, slope, tau, p, trend))
        out = pd.DataFrame(rows, columns=["topic_id", "label", "n_groups", "first", "last", "share_first",
                                          "share_last", "mean_share", "slope", "tau", "p_value", "trend"])
        for col in ("first", "last"):
            out[col] = out[col].astype("Int64")
        return out

    def _section_topics(self, dt: pd.DataFrame) -> pd.DataFrame:
        cols = self._topic_columns()
        valid = dt[dt["dominant_topic"].notna() & dt["section_id"].notna()]
        if valid.empty:
            return pd.DataFrame(columns=["doc_id", "year", "period", "part", "section_id", "heading", "n_chars",
                                         "dominant_topic", "dominant_label", "dominant_weight"] + cols)
        mass = valid[cols].to_numpy() * valid["n_chars"].to_numpy(dtype=float)[:, None]
        frame = pd.DataFrame(mass, columns=cols)
        frame["section_id"] = valid["section_id"].to_numpy()
        summed = frame.groupby("section_id", sort=False)[cols].sum()
        theta = _normalise_rows(summed.to_numpy())
        first = valid.groupby("section_id", sort=False)[[c for c in ("doc_id", "year", "period", "part")
                                                          if c in valid]].first()
        out = first.reset_index()
        out["heading"] = out["section_id"].map(self._headings) if self._headings else None
        out["n_chars"] = valid.groupby("section_id", sort=False)["n_chars"].sum().to_numpy()
        out["dominant_topic"] = pd.array(theta.argmax(axis=1), dtype="Int64")
        out["dominant_label"] = self.topics_["label"].to_numpy()[theta.argmax(axis=1)]
        out["dominant_weight"] = theta.max(axis=1)
        out = pd.concat([out, pd.DataFrame(theta, columns=cols)], axis=1)
        front = [c for c in ("doc_id", "year", "period", "part", "section_id", "heading") if c in out]
        return out[front + [c for c in out.columns if c not in front]]

    def section_topics(self, doc_topics: pd.DataFrame | None = None, *, wide: bool = False) -> pd.DataFrame:
        """The topic of each section of each report, so that like sections of different years line up.

        Parameters
        ----------
        doc_topics : DataFrame, optional
            Unit distributions (e.g. from :meth:`transform`); default ``doc_topics_``.
        wide : bool, default False
            False: one row per section (the columns of ``section_topics_``).  True: one row per topic and one
            column per document (ordered by year), each cell the headings of that document's sections
            dominated by the topic, joined by `` | ``.
        """
        self._check_fitted()
        if self.unit == "document":
            raise ParameterError("section topics need unit='paragraph' or unit='section' (this model was fitted "
                                 "on whole documents)")
        table = self.section_topics_ if doc_topics is None else self._section_topics(doc_topics)
        if not wide:
            return table
        order = table.sort_values(["year", "doc_id"])["doc_id"].drop_duplicates().tolist()
        text = table.assign(heading=table["heading"].fillna(table["section_id"]) if "heading" in table
                            else table["section_id"])
        cells = text.groupby(["dominant_topic", "doc_id"])["heading"].agg(lambda s: " | ".join(map(str, s)))
        wide_table = cells.unstack("doc_id").reindex(columns=order)
        wide_table = wide_table.reindex(self.topics_["topic_id"]).reset_index().rename(
            columns={"dominant_topic": "topic_id"})
        wide_table.columns.name = None
        wide_table.insert(1, "label", self.topics_["label"].to_numpy())
        return wide_table

    def representative(self, topic_id=None, *, n: int = 3, min_terms: int = 8) -> pd.DataFrame:
        """The units most devoted to each topic, with their text.

        Units are ranked by their share of the topic (ties broken by the raw weight); units with fewer than
        ``min_terms`` vocabulary tokens are skipped, so a one-line heading does not represent a theme.

        Returns
        -------
        pandas.DataFrame
            ``topic_id, label, rank, <unit id>, doc_id, year, period, section_id, weight, text``.
        """
        self._check_fitted()
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n <= 0:
            raise ParameterError(f"n={n!r}: give a positive number of units per topic")
        ids = list(range(self.n_topics_)) if topic_id is None else (
            [topic_id] if isinstance(topic_id, (int, np.integer)) else list(topic_id))
        for t in ids:
            if not 0 <= t < self.n_topics_:
                raise ParameterError(f"topic_id={t!r}: this model has topics 0 … {self.n_topics_ - 1}")
        dt = self.doc_topics_
        id_col = UNITS[self.unit]
        long_enough = dt["n_terms"] >= min(min_terms, int(dt["n_terms"].median()))
        rows = []
        for t in ids:
            cand = dt[long_enough & dt["dominant_topic"].notna()]
            score = cand[f"topic_{t}"].to_numpy()
            raw = self._raw_weights[cand.index.to_numpy(), t] if hasattr(self, "_raw_weights") and \
                len(self._raw_weights) == len(dt) else np.zeros(len(cand))
            order = np.lexsort((-raw, -score))[:n]
            for rank, pos in enumerate(order, start=1):
                row = cand.iloc[pos]
                rows.append((t, self.topics_["label"].iloc[t], rank, row[id_col], row["doc_id"], row["year"],
                             row["period"], row["section_id"], float(score[pos]), self._texts.get(row[id_col])))
        out = pd.DataFrame(rows, columns=["topic_id", "label", "rank", "_unit", "doc_id", "year", "period",
                                          "section_id", "weight", "text"])
        if id_col in out.columns:  # unit is a document or a section: its id is already a column
            return out.drop(columns="_unit")
        return out.rename(columns={"_unit": id_col})

    def stability(self, X, *, seeds: Sequence[int] = (0, 1, 2, 3, 4),
                  tokens: pd.DataFrame | None = None) -> pd.DataFrame:
        """Refit with each seed (k fixed to ``n_topics_``) and compare the topics of every pair of fits.

        Returns
        -------
        pandas.DataFrame
            ``seed_a, seed_b, mean_cosine, min_cosine``: for each pair of seeds, the mean and the worst cosine
            similarity of topic-term vectors over the best one-to-one matching (:func:`match_topics`).  The
            mean of ``mean_cosine`` is the figure to report (1 = the same topics).
        """
        self._check_fitted()
        seeds = list(seeds)
        if len(seeds) < 2:
            raise ParameterError(f"seeds={seeds!r}: give at least two seeds to compare")
        fits = {}
        for seed in seeds:
            model = TopicModel(**{**self.get_params(), "n_topics": self.n_topics_, "random_state": seed})
            fits[seed] = model.fit(X, tokens=tokens)
        rows = []
        for i, a in enumerate(seeds):
            for b in seeds[i + 1:]:
                if fits[a].vocabulary_ != fits[b].vocabulary_:  # pragma: no cover - vocabulary is seed-free
                    raise ModelError("two fits of one corpus have different vocabularies")
                m = match_topics(fits[a].components_, fits[b].components_)
                rows.append((a, b, float(m["cosine"].mean()), float(m["cosine"].min())))
        return pd.DataFrame(rows, columns=["seed_a", "seed_b", "mean_cosine", "min_cosine"])

    # -- persistence ------------------------------------------------------------------------------------------
    def save(self, path) -> Path:
        """Write the fitted model to one zip file (a folder gets ``topic-model.zip`` inside it).

        The file holds the vocabulary, IDF, topic-term matrix, parameters, tables and the library version;
        :meth:`load` restores an identical model.  Existing files are replaced atomically.

        Returns
        -------
        pathlib.Path
            The file written.
        """
        from cppcc_nlp._version import __version__

        self._check_fitted()
        path = Path(path)
        if path.is_dir():
            path = path / "topic-model.zip"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            from cppcc_nlp.errors import OutputError
            raise OutputError(f"{path.parent}: cannot create the folder for the model ({exc.strerror})") from None
        params = self.get_params()
        params["k_range"] = list(params["k_range"]) if params["k_range"] is not None else None
        if isinstance(params["formulae"], Path):
            params["formulae"] = str(params["formulae"])
        meta = {"library": "cppcc-nlp", "library_version": __version__, "format_version": FORMAT_VERSION,
                "params": params, "n_topics": self.n_topics_, "vocabulary": self.vocabulary_,
                "doc_topic_prior": self.doc_topic_prior_, "coherence_reference": self.coherence_reference_,
                "headings": self._headings,
                "formulae": {"sentences": list(self.formulae_.sentences), "words": sorted(self.formulae_.words),
                             "source": self.formulae_.source}}
        arrays = io.BytesIO()
        np.savez(arrays, idf=self.idf_, term_prob=self.term_prob_, components=self.components_,
                 raw_components=self.raw_components_, raw_weights=self._raw_weights)
        texts = pd.DataFrame({"unit": list(self._texts), "text": list(self._texts.values())})
        tmp = path.with_name(path.name + ".tmp")
        try:
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                zf.writestr("meta.json", json.dumps(meta, ensure_ascii=False, indent=1))
                zf.writestr("arrays.npz", arrays.getvalue())
                for name, frame in (("topics", self.topics_), ("terms", self.terms_), ("coherence", self.coherence_),
                                    ("doc_topics", self.doc_topics_), ("section_topics", self.section_topics_),
                                    ("formula_sentences", self.formula_sentences_), ("texts", texts)):
                    if frame is not None:
                        zf.writestr(f"{name}.parquet", _to_parquet(frame))
            tmp.replace(path)
        except OSError as exc:
            from cppcc_nlp.errors import OutputError
            tmp.unlink(missing_ok=True)
            raise OutputError(f"{path}: cannot write the model ({exc.strerror})") from None
        return path

    @classmethod
    def load(cls, path) -> "TopicModel":
        """Read a model written by :meth:`save`.

        Raises
        ------
        SavedModelError
            (a :class:`~cppcc_nlp.errors.ModelError`) The file is missing, not a saved topic model, or from an incompatible format version.
        """
        from cppcc_nlp._version import __version__

        path = Path(path)
        if path.is_dir():
            path = path / "topic-model.zip"
        if not path.is_file():
            raise SavedModelError(f"{path}: no saved topic model there (save one with TopicModel.save(path))")
        try:
            with zipfile.ZipFile(path) as zf:
                meta = json.loads(zf.read("meta.json").decode("utf-8"))
                if meta.get("library") != "cppcc-nlp":
                    raise SavedModelError(f"{path}: not a cppcc-nlp topic model")
                if meta.get("format_version") != FORMAT_VERSION:
                    raise SavedModelError(
                        f"{path}: saved by cppcc-nlp {meta.get('library_version', '?')} in model format "
                        f"{meta.get('format_version')!r}, but cppcc-nlp {__version__} reads format {FORMAT_VERSION}: "
                        "refit the model on its corpus with this version (TopicModel(...).fit(corpus).save(path))")
                arrays = np.load(io.BytesIO(zf.read("arrays.npz")))
                frames = {n[:-8]: pd.read_parquet(io.BytesIO(zf.read(n))) for n in zf.namelist()
                          if n.endswith(".parquet")}
        except SavedModelError:
            raise
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise SavedModelError(f"{path}: not a readable saved topic model ({exc}); save it again with "
                             "TopicModel.save(path)") from None
        params = meta["params"]
        if params.get("k_range") is not None:
            params["k_range"] = tuple(params["k_range"])
        model = cls(**params)
        model.vocabulary_ = list(meta["vocabulary"])
        model.n_topics_ = int(meta["n_topics"])
        model.doc_topic_prior_ = meta["doc_topic_prior"]
        model.coherence_reference_ = meta["coherence_reference"]
        model._headings = meta.get("headings") or {}
        stored = meta.get("formulae")  # absent in files saved before formulae existed: nothing was filtered
        if stored is None:
            model.formulae = False
            model.formulae_ = Formulae()
        else:
            model.formulae_ = Formulae(tuple(stored["sentences"]), frozenset(stored["words"]), stored["source"])
        model.idf_ = arrays["idf"]
        model.term_prob_ = arrays["term_prob"]
        model.components_ = arrays["components"]
        model.raw_components_ = arrays["raw_components"]
        model._raw_weights = arrays["raw_weights"]
        model.topics_ = frames["topics"]
        model.terms_ = frames["terms"]
        model.coherence_ = frames["coherence"]
        model.doc_topics_ = frames["doc_topics"]
        model.section_topics_ = frames.get("section_topics")
        model.formula_sentences_ = frames.get("formula_sentences", _formula_sentences(pd.DataFrame(), Formulae()))
        texts = frames["texts"]
        model._texts = dict(zip(texts["unit"], texts["text"]))
        model.library_version_ = meta.get("library_version")
        return model


def _to_parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def _diversity(components: np.ndarray, n: int) -> float:
    """Topic diversity (Dieng, Ruiz & Blei 2020): share of distinct terms among all topics' top ``n``."""
    top = _top_term_ids(components, n)
    return float(len(np.unique(top)) / top.size)


def _choose_k(scores: pd.DataFrame) -> int:
    """Row of the chosen k: the best mean NPMI over the random starts, and among the k whose score is within one
    standard error of it (indistinguishable given the spread of the starts), the k whose starts agree most.

    The one-standard-error rule (Breiman et al. 1984; Hastie, Tibshirani & Friedman 2009, 7.10) with start
    agreement (Greene et al. 2014) as the tie-breaker; ties of agreement go to the smaller k.  Without a
    standard error (one start: LDA, n_init=1) it is the best mean NPMI, the smaller k on a tie at 3 decimals.
    """
    coherence = np.round(scores["coherence"].to_numpy(dtype=float), 3)
    if np.isnan(coherence).all():   # no k has a measurable NPMI (too few units share terms): the smallest k
        return int(np.argmin(scores["k"].to_numpy()))
    best = int(np.nanargmax(coherence))
    se = float(scores["coherence_se"].iloc[best])
    agreement = scores["agreement"].to_numpy(dtype=float)
    if not np.isfinite(se) or np.isnan(agreement).all():
        return best
    near = np.flatnonzero(scores["coherence"].to_numpy(dtype=float) >= scores["coherence"].iloc[best] - se)
    return int(near[np.nanargmax(np.round(agreement[near], 3))])


def _agreement(starts: list, n: int) -> float:
    """Agreement of random starts (Greene, O'Callaghan & Cunningham 2014): for every pair of starts, the mean
    Jaccard similarity of their topics' top ``n`` term sets under the best one-to-one matching; averaged over
    the pairs.  1 = every start finds the same topics; NaN with a single start (LDA)."""
    from scipy.optimize import linear_sum_assignment

    if len(starts) < 2:
        return float("nan")
    sets = [[set(row) for row in _top_term_ids(c, n)] for c in starts]
    values = []
    for i in range(len(sets)):
        for j in range(i + 1, len(sets)):
            sim = np.array([[len(a & b) / len(a | b) for b in sets[j]] for a in sets[i]])
            r, c = linear_sum_assignment(-sim)
            values.append(sim[r, c].mean())
    return float(np.mean(values))


def _top_term_ids(components: np.ndarray, n: int) -> np.ndarray:
    n = min(n, components.shape[1])
    return np.argsort(-components, axis=1, kind="stable")[:, :n]


# --------------------------------------------------------------------------------------------------------------
# command line
