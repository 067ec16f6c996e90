"""cppcc-nlp: term extraction, topic clustering and slogan (提法) detection for Chinese political work reports.

Data flows one way: files → :class:`Corpus` → :func:`tokens` → analyses (slogans, terms, topics) → tables
and figures.  spaCy, scikit-learn, SciPy, matplotlib and jieba are imported only when first used, so
``import cppcc_nlp`` takes well under a second.

Examples
--------
>>> import cppcc_nlp as cn
>>> corpus = cn.Corpus.from_path("corpora")                   # doctest: +SKIP
>>> corpus.documents[["doc_id", "year", "level", "region"]]   # doctest: +SKIP
>>> cn.detect_slogans(corpus).head()                          # doctest: +SKIP
"""

from __future__ import annotations

# The rooms, in the order data flows through them.  ``tokens`` is both a room and its main function: the
# room is imported first, so the function is what ``cppcc_nlp.tokens`` names.
from cppcc_nlp import errors
from cppcc_nlp._version import __version__
from cppcc_nlp.corpus import Corpus, CorpusStore, Document
from cppcc_nlp.dictionary import Dictionary, dictionary_counts, dictionary_matches
from cppcc_nlp.indicators import indicators, promises, target_outcomes
from cppcc_nlp.io import normalise, read_report
from cppcc_nlp.output.dfm import DFM, dfm
from cppcc_nlp.resources import lexicon_coverage, load_lexicon, load_slogan_lexicon, save_lexicon
from cppcc_nlp.slogans import (
    detect_slogans,
    slogan_candidates,
    slogan_concordance,
    slogan_cooccurrence,
    slogan_families,
    slogan_summary,
    track_slogans,
)
from cppcc_nlp.terms import extract_terms, keyness, new_terms, term_frequencies, term_occurrences, term_tfidf
from cppcc_nlp.tokens import nlp, token_lists, tokens
from cppcc_nlp.workflow import analyze

__all__ = [
    "analyze",
    "Corpus",
    "CorpusStore",
    "detect_slogans",
    "DFM",
    "dfm",
    "Dictionary",
    "dictionary_counts",
    "dictionary_matches",
    "Document",
    "errors",
    "extract_terms",
    "indicators",
    "keyness",
    "lexicon_coverage",
    "load_lexicon",
    "load_slogan_lexicon",
    "new_terms",
    "nlp",
    "normalise",
    "promises",
    "read_report",
    "save_lexicon",
    "slogan_candidates",
    "slogan_concordance",
    "slogan_cooccurrence",
    "slogan_families",
    "slogan_summary",
    "target_outcomes",
    "term_frequencies",
    "term_occurrences",
    "term_tfidf",
    "token_lists",
    "tokens",
    "TopicModel",
    "track_slogans",
    "__version__",
]


def __getattr__(name):
    if name == "TopicModel":  # a scikit-learn estimator: scikit-learn only when topics are asked for
        from cppcc_nlp.topics.model import TopicModel

        return TopicModel
    if name == "plot":  # matplotlib only when figures are asked for
        import importlib

        return importlib.import_module("cppcc_nlp.output.plot")
    raise AttributeError(f"module 'cppcc_nlp' has no attribute {name!r}")
