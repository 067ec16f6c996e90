"""Topic clustering: labelled themes of paragraphs, sections or documents, and their share of text over years.

:class:`TopicModel` follows scikit-learn's contract (keyword-only parameters stored verbatim, validation in
:meth:`~TopicModel.fit`, learned state in attributes ending in ``_``, ``fit`` returns ``self``).  It reads the
token pipeline's output (:func:`cppcc_nlp.token_lists`: stop words, punctuation and numbers dropped, domain
terms and formulations kept whole), keeps words of two or more characters that occur in at least ``min_df``
units and at most ``max_df`` of them, and factorises the unit × term matrix:

* ``method="nmf"`` (default): non-negative matrix factorisation of sublinear TF-IDF with l2-normalised rows
  (a scipy sparse matrix throughout; Frobenius loss, coordinate descent), the best of ``n_init`` seeded random
  starts by reconstruction error;
* ``method="lda"``: latent Dirichlet allocation on raw counts (variational Bayes, batch).

Choosing the number of topics
-----------------------------
With ``n_topics=None`` every k in ``k_range`` is fitted once (NMF: warm-started along k) and scored by the NPMI
coherence (:mod:`cppcc_nlp.topics.coherence`) of each topic's ``top_n`` terms over the **paragraphs of the
fitted corpus**; the three best k get all ``n_init`` random starts, and among them, within one standard error of
the best start-averaged score, the one whose starts agree most is chosen (:mod:`cppcc_nlp.topics._choose_k`).
The per-k figures are in ``coherence_`` for plotting.

On a large corpus (more than ``SEARCH_UNITS`` = 4,000 units that carry a vocabulary term,
:data:`cppcc_nlp.topics._choose_k.SEARCH_UNITS`) the k search runs on a seeded random sample of 4,000 of them,
stratified by document, with the vocabulary, IDF and NPMI reference of the whole corpus; the model kept at the
chosen k is then fitted on every unit, started from the topics of the sample's best start at k (topic i
continues its topic i).  ``coherence_`` then describes the search on the sample (``search_units_`` says how many
units it fitted) and ``topics_["coherence"]`` the kept model.  The search's cost no longer grows with the
corpus; what does (vocabulary, one fit, the units' weights, NPMI counting) grows linearly.  Smaller corpora
(the 3,210 paragraphs of the shared corpora) are searched on every unit, as before.

A yearly refresh: ``fit(corpus, warm_start=last_years_model)`` keeps the earlier k and starts one NMF fit from
the earlier topics, so that topic i of the new model continues topic i of the old one.  This fit, like the final
fit after a search on a sample, stops when the topics stop moving (:func:`~cppcc_nlp.topics._factorise.settled`).
A smaller one: ``last_years_model.fold_in(corpus)`` keeps the topics and weights every unit of the larger corpus
under them (what ``analyze`` does while the corpus has grown by at most 2% since the model was fitted).

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

Where the work is done
----------------------
:class:`TopicModel` is a thin front: units are collected in :mod:`~cppcc_nlp.topics._units`, vectorised in
:mod:`~cppcc_nlp.topics._vectorise`, factorised in :mod:`~cppcc_nlp.topics._factorise`, k is chosen in
:mod:`~cppcc_nlp.topics._choose_k`, tables are made in :mod:`~cppcc_nlp.topics._results` and files written by
:mod:`~cppcc_nlp.topics.persistence`.

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

import itertools
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from cppcc_nlp.corpus.series import EACH_SERIES, choose_series
from cppcc_nlp.errors import EmptyCorpusError, ModelError, ParameterError
from cppcc_nlp.resources.formulae import Formulae, load_formulae, resolve_formulae
from cppcc_nlp.topics import _choose_k, _results
from cppcc_nlp.topics._choose_k import (
    MIN_UNITS_PER_TOPIC,
    candidate_ks,
    fit_candidates,
    search_sample,
    start_coherence,
)
from cppcc_nlp.topics._factorise import (
    METHODS,
    carried_topics,
    final_fit,
    normalise_rows,
    one_thread,
    search_fits,
    starts_at,
    unit_weights,
    warm_fit,
)
from cppcc_nlp.topics._params import DEFAULT_K_RANGE, validate_params
from cppcc_nlp.topics._results import match_topics, topic_columns
from cppcc_nlp.topics._units import UNITS, collect_units, formula_sentences
from cppcc_nlp.topics._vectorise import count_matrix, smooth_idf, tfidf, vocabulary_and_counts
from cppcc_nlp.topics.coherence import ReferenceIndex
from cppcc_nlp.topics.persistence import FORMAT_VERSION, load_model, save_model

__all__ = [
    "TopicModel",
    "NotFittedModelError",
    "match_topics",
    "load_formulae",
    "Formulae",
    "METHODS",
    "UNITS",
    "FORMAT_VERSION",
    "MIN_UNITS_PER_TOPIC",
    "DEFAULT_K_RANGE",
]


class NotFittedModelError(ModelError, NotFittedError):
    """A fitted-only method called on a model that is not fitted: both the project's
    :class:`~cppcc_nlp.errors.ModelError` and scikit-learn's :class:`~sklearn.exceptions.NotFittedError` (so
    also a ``ValueError`` and an ``AttributeError``)."""


class TopicModel(BaseEstimator):
    """Topics of paragraphs, sections or documents, with labels, shares per group and trends.

    A scikit-learn estimator: :func:`sklearn.base.clone`, ``get_params`` and ``set_params`` work, and a
    fitted-only method on an unfitted model raises :class:`NotFittedModelError` (a
    :class:`sklearn.exceptions.NotFittedError`).

    Parameters
    ----------
    n_topics : int or None, default None
        Number of topics k; None chooses k from ``k_range`` by NPMI coherence (see the module notes; on more
        than 4,000 units that carry terms, the search runs on a sample of 4,000 and the kept model on all).
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
        NMF random starts at a given k, and at the three best k of a k search; the one with the lowest
        reconstruction error is kept.
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
    n_jobs : int or None, default None
        Processes for the k search's finalists (their random starts fitted side by side in forked children;
        -1: every core; None: 1).  The same model either way; not saved with it.

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
        ``k, coherence, coherence_se, coherence_best, coherence_min, coherence_std, diversity, agreement,
        chosen``: mean NPMI per candidate k (over the random starts at the finalists of a k search, of the one
        search fit elsewhere, where ``coherence_se`` and ``agreement`` are NaN), the kept fit's mean, worst and
        spread of the topics' NPMI, topic diversity (share of distinct terms among the top terms; 1 = no
        overlap) and the agreement of the random starts.  When the search ran on a sample
        (``search_units_`` below the units that carry terms), these are the fits on the sample, scored over
        the paragraphs of the whole corpus; the kept model is the refit on every unit, so its NPMI
        (``topics_["coherence"]``) differs a little from ``coherence_best`` at the chosen k.
    search_units_ : int or None
        The units the k search fitted: every unit that carries a vocabulary term, or ``SEARCH_UNITS`` (4,000)
        of them when there are more (a sample stratified by document, drawn from ``random_state``); None when
        there was no search (``n_topics`` given, ``warm_start``).
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

    def __init__(
        self,
        *,
        n_topics=None,
        method="nmf",
        unit="paragraph",
        random_state=0,
        k_range=DEFAULT_K_RANGE,
        top_n=10,
        min_df=2,
        max_df=0.3,
        min_chars=2,
        n_init=4,
        max_iter=None,
        coherence_window=None,
        token_options=None,
        formulae=True,
        n_jobs=None,
    ):
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
        self.n_jobs = n_jobs

    # -- parameters -------------------------------------------------------------------------------------------
    def set_params(self, **params) -> "TopicModel":
        """Set parameters (as scikit-learn's); an unknown name raises :class:`ParameterError`."""
        valid = self.get_params()
        for name in params:
            if name not in valid:
                raise ParameterError(f"TopicModel has no parameter {name!r}; valid: {', '.join(valid)}")
        return super().set_params(**params)

    def _token_options(self) -> dict:
        options = {"keep_boilerplate": False}
        options.update(self.token_options or {})
        return options

    def _features(self, counts, idf):
        """What is factorised: TF-IDF for NMF, counts for LDA."""
        return tfidf(counts, idf) if self.method == "nmf" else counts

    # -- fitting ----------------------------------------------------------------------------------------------
    def fit(
        self,
        X,
        y=None,
        *,
        tokens: pd.DataFrame | None = None,
        warm_start: "TopicModel | None" = None,
        units_cache=None,
    ) -> "TopicModel":
        """Learn the topics of ``X``.

        Parameters
        ----------
        X : Corpus, path(s) to reports, token table (from :func:`cppcc_nlp.tokens`) or unit table
            (a DataFrame with one row per unit: the unit id column, ``tokens`` as lists of str, docvars).
        y : ignored.
        tokens : DataFrame, optional
            The token table of ``X`` when ``X`` is a Corpus and the table is already at hand (a notebook that
            also extracts terms and slogans); default: ``cppcc_nlp.tokens(X)``.
        warm_start : TopicModel, optional
            A model fitted (or loaded) earlier on part of ``X``, e.g. last year's corpus: a yearly refresh.  No k
            search: k is the earlier model's (or ``n_topics`` when given, at least as many), and one NMF fit
            starts from the earlier topics over the terms both vocabularies share, so that topic i continues
            topic i.  Fit without it to search k again.
        units_cache : optional
            Where each document's units (its token lists and formula sentences) are kept, for a Corpus ``X``:
            a mapping doc_id → a store of bytes (``data(name) -> bytes | None``, ``put_data(name, data)``: a
            :class:`~cppcc_nlp.output.derived_cache.DerivedCache` per document), keyed by the caller so that a changed document or token pipeline finds nothing (``analyze``: the derived cache
            under :func:`~cppcc_nlp.output.derived_cache.document_fingerprints`).  The units of the documents
            found are read back, the others computed from ``tokens`` and put; the same units either way.

        Returns
        -------
        self

        Raises
        ------
        EmptyCorpusError
            No units, or no term left after the frequency filters.
        ParameterError
            A bad parameter, ``n_topics`` larger than the number of units that have terms, or a ``warm_start``
            that is not a fitted NMF model of the same unit with at most ``n_topics`` topics.
        """
        validate_params(self.get_params())
        self._check_warm_start(warm_start)
        formulae = resolve_formulae(self.formulae)
        units = collect_units(X, self.unit, self._token_options(), tokens, formulae, units_cache)
        vocab, df, counts = vocabulary_and_counts(
            units.tokens, min_df=self.min_df, max_df=self.max_df, min_chars=self.min_chars
        )
        if not vocab:
            raise EmptyCorpusError(
                f"no term occurs in at least min_df={self.min_df} of the {len(units.tokens)} {self.unit}s and in at "
                f"most max_df={self.max_df} of them: lower min_df, raise max_df or give more text"
            )
        idf = smooth_idf(df, counts.shape[0])
        x = self._features(counts, idf)
        carries_terms = np.diff(counts.indptr) > 0
        usable = int(carries_terms.sum())
        if usable < 2:
            raise EmptyCorpusError(
                f"only {usable} {self.unit}(s) contain a vocabulary term: give more text, a "
                "smaller unit or lower min_df"
            )
        if warm_start is not None and not set(warm_start.vocabulary_) & set(vocab):
            raise ParameterError(
                "warm_start shares no term with the vocabulary of this corpus (another unit, language or "
                "segmentation?): fit without warm_start"
            )
        n_topics = self.n_topics if warm_start is None else (self.n_topics or warm_start.n_topics_)
        candidates = candidate_ks(n_topics, self.k_range, usable=usable, n_terms=len(vocab), unit=self.unit)
        term_prob = np.asarray(counts.sum(axis=0)).ravel()
        # a k search on a large corpus runs on a sample of its units (rows of the corpus's own TF-IDF matrix) and
        # scores NPMI over the corpus's paragraphs through an index (see _choose_k)
        sample = None
        if len(candidates) > 1:
            sample = search_sample(
                units.meta["doc_id"], carries_terms, _choose_k.SEARCH_UNITS, random_state=self.random_state
            )
        if sample is None:
            xs, cs, reference = x, counts, units.reference
        else:
            xs, cs = x[sample], counts[sample]
            reference = ReferenceIndex(units.reference, vocab)

        def search(ks):
            return search_fits(self.method, xs, cs, ks, random_state=self.random_state, max_iter=self.max_iter)

        def starts(k, first):
            if warm_start is not None:
                h0 = carried_topics(warm_start.raw_components_, warm_start.vocabulary_, vocab)
                h = warm_fit(x, h0, k, random_state=self.random_state, max_iter=self.max_iter)
                return h, None, [h]
            return starts_at(
                self.method,
                xs,
                cs,
                k,
                random_state=self.random_state,
                n_init=self.n_init,
                max_iter=self.max_iter,
                first=first,
            )

        with one_thread():
            scores, (k, components, prior, coh) = fit_candidates(
                search,
                starts,
                candidates,
                vocab,
                reference,
                top_n=self.top_n,
                window=self.coherence_window,
                n_jobs=self.n_jobs or 1,
            )
            if sample is not None:  # the kept model: every unit, from the topics of the sample's best start at k
                components, prior = final_fit(
                    self.method, x, counts, k, components, random_state=self.random_state, max_iter=self.max_iter
                )
                coh = start_coherence([components], vocab, reference, top_n=self.top_n, window=self.coherence_window)[0]
        self.vocabulary_ = vocab
        self.formulae_ = formulae
        self.formula_sentences_ = (
            units.dropped if units.dropped is not None else formula_sentences(pd.DataFrame(), formulae)
        )
        self.idf_ = idf
        self.term_prob_ = term_prob / term_prob.sum()
        self.components_ = normalise_rows(components)
        self.raw_components_ = components
        self.doc_topic_prior_ = prior
        self.n_topics_ = k
        self.coherence_ = scores
        self.search_units_ = None if len(candidates) == 1 else (usable if sample is None else len(sample))
        self.coherence_reference_ = units.reference_name
        self._headings = units.headings
        topics, self.terms_ = _results.topic_tables(self.components_, self.term_prob_, vocab, self.top_n, coh)
        self.doc_topics_, self._raw_weights = self._unit_table(units, counts, x, topics["label"])
        self._texts = dict(zip(self.doc_topics_[UNITS[self.unit]], units.texts))
        self.topics_ = _results.with_shares(topics, self.doc_topics_, k)
        self.section_topics_ = self._section_topics(self.doc_topics_) if self.unit in ("paragraph", "section") else None
        return self

    def _check_warm_start(self, previous) -> None:
        if previous is None:
            return
        if not isinstance(previous, TopicModel) or not hasattr(previous, "components_"):
            raise ParameterError(
                f"warm_start={type(previous).__name__}: give a fitted TopicModel (e.g. TopicModel.load(path))"
            )
        if self.method != "nmf" or previous.method != "nmf":
            raise ParameterError(
                f"warm_start works for method='nmf' only (this model: {self.method!r}, the earlier one: "
                f"{previous.method!r}): fit without warm_start"
            )
        if previous.unit != self.unit:
            raise ParameterError(
                f"warm_start was fitted on {previous.unit}s and this model fits {self.unit}s: give unit="
                f"{previous.unit!r} or fit without warm_start"
            )
        if self.n_topics is not None and self.n_topics < previous.n_topics_:
            raise ParameterError(
                f"n_topics={self.n_topics} but warm_start has {previous.n_topics_} topics: a warm start keeps them "
                "all; give n_topics >= that, or fit without warm_start"
            )

    def fit_transform(self, X, y=None, *, tokens: pd.DataFrame | None = None) -> pd.DataFrame:
        """Fit and return ``doc_topics_``."""
        return self.fit(X, tokens=tokens).doc_topics_

    def _unit_table(self, units, counts, x, labels) -> tuple[pd.DataFrame, np.ndarray]:
        with one_thread():
            weights = unit_weights(self.method, counts, x, self.raw_components_, self.doc_topic_prior_)
        return _results.unit_table(units.meta, self.unit, _row_sums(counts), weights, labels.to_numpy()), weights

    def _section_topics(self, doc_topics: pd.DataFrame) -> pd.DataFrame:
        return _results.section_topics(
            doc_topics, k=self.n_topics_, labels=self.topics_["label"].to_numpy(), headings=self._headings
        )

    def _topic_columns(self) -> list[str]:
        return topic_columns(self.n_topics_)

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "components_")

    def _check_fitted(self):
        try:
            check_is_fitted(self)
        except NotFittedError:
            raise NotFittedModelError(
                "this TopicModel is not fitted yet: call fit(corpus) or TopicModel.load(path) first"
            ) from None

    # -- applying ---------------------------------------------------------------------------------------------
    def transform(self, X, *, tokens: pd.DataFrame | None = None) -> pd.DataFrame:
        """Topic distribution of each unit of ``X`` under the fitted topics (no refitting).

        Terms outside the fitted vocabulary are ignored (``n_terms`` counts those that are kept).

        Returns
        -------
        pandas.DataFrame
            The columns of ``doc_topics_``.

        Raises
        ------
        NotFittedModelError
            The model is neither fitted nor loaded.
        """
        self._check_fitted()
        units = collect_units(X, self.unit, self._token_options(), tokens, self.formulae_)
        counts = count_matrix(units.tokens, self.vocabulary_)
        return self._unit_table(units, counts, self._features(counts, self.idf_), self.topics_["label"])[0]

    def fold_in(self, X, *, tokens: pd.DataFrame | None = None, units_cache=None) -> "TopicModel":
        """A copy of this model whose unit tables cover ``X``, its corpus with reports added; the topics stay.

        Folding in (as in LDA's "folding-in" or BERTopic's ``transform``): the vocabulary, IDF, topic-term
        matrix, labels, ``terms_`` and ``coherence_`` are this model's; every unit of ``X`` gets the distribution
        :meth:`transform` gives it, so the units of the fitted reports keep theirs to the bit, and ``topics_``'s
        ``share`` and ``n_units``, ``section_topics_`` and the texts of :meth:`representative` are those of
        ``X``.  Terms that only the added reports bring are outside the vocabulary until the next fit.  Only the
        added units are counted and weighted: the others' weights and ``n_terms`` are this model's, the same bits
        (each unit is weighted on its own; at 16 copies of the shared corpora 0.003 s instead of 0.95 s).

        ``analyze`` folds a refresh in when the corpus has grown by at most ``FOLD_IN_GROWTH`` (2%) of its
        characters since the model was fitted (:mod:`cppcc_nlp.output.derived_cache`): on 16 copies of the
        shared corpora with one report added (0.25% more text), the warm-started refit it saves kept every
        label and top-10 list and moved the dominant topic of 0.2% of the units.

        ``tokens`` and ``units_cache`` are those of :meth:`fit`.

        Examples
        --------
        >>> last_year = TopicModel.load("out/topic_model.zip")                          # doctest: +SKIP
        >>> this_year = last_year.fold_in(corpus)          # corpus: last year's reports and this year's
        >>> this_year.shares(by="year").tail(1)                                         # doctest: +SKIP
        """
        self._check_fitted()
        if self.topics_ is None:
            raise ParameterError(
                "fold_in needs the model's tables: load it with TopicModel.load(path) (tables=True, the default)"
            )
        units = collect_units(X, self.unit, self._token_options(), tokens, self.formulae_, units_cache)
        model = clone(self)
        topics_as_fitted = (
            "vocabulary_", "formulae_", "idf_", "term_prob_", "components_", "raw_components_", "doc_topic_prior_",
            "n_topics_", "coherence_", "search_units_", "coherence_reference_", "terms_",
        )  # fmt: skip
        for name in topics_as_fitted:
            setattr(model, name, getattr(self, name))
        model.formula_sentences_ = (
            units.dropped if units.dropped is not None else formula_sentences(pd.DataFrame(), self.formulae_)
        )
        model._headings = units.headings
        model._raw_weights, n_terms = self._folded_weights(units)
        model.doc_topics_ = _results.unit_table(
            units.meta, self.unit, n_terms, model._raw_weights, self.topics_["label"].to_numpy()
        )
        model._texts = dict(zip(model.doc_topics_[UNITS[self.unit]].tolist(), units.texts))
        model.topics_ = _results.with_shares(self.topics_, model.doc_topics_, self.n_topics_)
        model.section_topics_ = (
            model._section_topics(model.doc_topics_) if self.unit in ("paragraph", "section") else None
        )
        return model

    def _folded_weights(self, units) -> tuple[np.ndarray, np.ndarray]:
        """The unit weights and ``n_terms`` of :meth:`fold_in`: the fitted units' are this model's (each unit is
        weighted on its own, so weighting them again gives the same bits: tests); only the others are counted
        and weighted (16 copies of the shared corpora and one report: 96 of 51,426 units)."""
        # (lists and a set: pandas' isin on Arrow strings took 0.57 s for 51,426 ids)
        ids, fitted_ids = units.meta[UNITS[self.unit]].tolist(), self.doc_topics_[UNITS[self.unit]].tolist()
        known = set(fitted_ids)
        fitted = np.fromiter((i in known for i in ids), dtype=bool, count=len(ids))
        kept = getattr(self, "_raw_weights", None)
        if kept is None or list(itertools.compress(ids, fitted)) != fitted_ids:
            fitted[:] = False  # (not the units this model weighted, in its order: all weighted again)
        weights = np.zeros((len(ids), self.n_topics_))
        n_terms = np.zeros(len(ids), np.int64)
        if fitted.any():
            weights[fitted] = kept
            n_terms[fitted] = self.doc_topics_["n_terms"].to_numpy()
        new = np.flatnonzero(~fitted)
        counts = count_matrix([units.tokens[i] for i in new], self.vocabulary_)
        with one_thread():
            weights[new] = unit_weights(
                self.method, counts, self._features(counts, self.idf_), self.raw_components_, self.doc_topic_prior_
            )
        n_terms[new] = _row_sums(counts)
        return weights, n_terms

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
        return _results.shares(dt, by, k=self.n_topics_, unit=self.unit, topics=self.topics_, wide=wide)

    def trends(
        self,
        by="period",
        *,
        series=EACH_SERIES,
        alpha: float = 0.05,
        min_chars: int = 1000,
        doc_topics: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """Is each topic's share rising, stable or fading across ``by`` (a numeric docvar such as year)?

        Trends are computed within each series by default (``series="each"``: organ × level × region,
        :mod:`cppcc_nlp.corpus.series`), so that a switch from the State Council's reports to Shanghai's is
        no trend; a label or list of labels keeps those series; ``None`` pools every series (warns once).

        A topic is ``rising`` (``fading``) when Kendall's τ between the group value and the topic's share is
        positive (negative) with two-sided p < ``alpha``; otherwise ``stable``.  With fewer than 3 groups the
        trend is ``undetermined``.  ``slope`` is the Theil–Sen slope of the share per unit of ``by`` (per year).
        Groups with fewer than ``min_chars`` characters of topical text are left out (a plan section of a
        single short report would otherwise decide the last point); ``n_groups`` counts the groups used.

        Returns
        -------
        pandas.DataFrame
            ``series, topic_id, label, n_groups, first, last, share_first, share_last, mean_share, slope, tau,
            p_value, trend``: one row per topic and series (``series`` is left out for a unit table without
            one, such as that of a model saved before series existed).
        """
        if not 0 < alpha < 1:
            raise ParameterError(f"alpha={alpha!r}: give a significance level between 0 and 1")
        if isinstance(min_chars, bool) or not isinstance(min_chars, (int, np.integer)) or min_chars < 0:
            raise ParameterError(f"min_chars={min_chars!r}: give a number of characters >= 0")
        dt = self.doc_topics_ if doc_topics is None else doc_topics
        if "series" in dt.columns:
            dt = choose_series(dt, series, f"TopicModel.trends(series={series!r})")
        keys = ["series", by] if "series" in dt.columns and isinstance(by, str) else by
        table = self.shares(by=keys, doc_topics=dt)
        table = table[table["n_chars"] >= min_chars].reset_index(drop=True)
        return _results.trends(table, by, topics=self.topics_, alpha=alpha)

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
            raise ParameterError(
                "section topics need unit='paragraph' or unit='section' (this model was fitted on whole documents)"
            )
        table = self.section_topics_ if doc_topics is None else self._section_topics(doc_topics)
        return _results.section_topics_wide(table, self.topics_) if wide else table

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
        ids = (
            list(range(self.n_topics_))
            if topic_id is None
            else ([topic_id] if isinstance(topic_id, (int, np.integer)) else list(topic_id))
        )
        for t in ids:
            if not 0 <= t < self.n_topics_:
                raise ParameterError(f"topic_id={t!r}: this model has topics 0 … {self.n_topics_ - 1}")
        return _results.representative(
            self.doc_topics_,
            ids,
            unit=self.unit,
            labels=self.topics_["label"].tolist(),
            raw_weights=getattr(self, "_raw_weights", None),
            texts=self._texts,
            n=n,
            min_terms=min_terms,
        )

    def stability(
        self, X, *, seeds: Sequence[int] = (0, 1, 2, 3, 4), tokens: pd.DataFrame | None = None
    ) -> pd.DataFrame:
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
        fits = {
            seed: clone(self).set_params(n_topics=self.n_topics_, random_state=seed).fit(X, tokens=tokens)
            for seed in seeds
        }
        rows = []
        for i, a in enumerate(seeds):
            for b in seeds[i + 1 :]:
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
        self._check_fitted()
        return save_model(self, path)

    @classmethod
    def load(cls, path, *, tables: bool = True) -> "TopicModel":
        """Read a model written by :meth:`save`.

        ``tables=False`` reads the parameters, vocabulary and matrices only, what ``fit(warm_start=...)`` needs:
        the tables (``topics_``, ``terms_``, ``doc_topics_``, ``coherence_``, ...) are None.  A yearly refresh
        warm-starts so (the 25 MB model of 16 copies of the shared corpora: 0.14-0.30 s instead of 0.40-0.50 s;
        the rest is the units' tables and texts).

        Raises
        ------
        SavedModelError
            (a :class:`~cppcc_nlp.errors.ModelError`) The file is missing, not a saved topic model, or from an
            incompatible format version.
        """
        return load_model(cls, path, tables=tables)


def _row_sums(counts) -> np.ndarray:
    """Each row's sum of a unit × term count matrix: the units' ``n_terms``."""
    return np.asarray(counts.sum(axis=1)).ravel()
