"""cppcc-nlp: term extraction, topic clustering and slogan (提法) detection for Chinese political work reports.

Data flows one way: files → :class:`Corpus` → :func:`tokens` → analyses (slogans, terms, topics) → tables
and figures.  Public names are imported lazily, so ``import cppcc_nlp`` stays fast and spaCy is loaded only
when the token pipeline is first used.

Examples
--------
>>> import cppcc_nlp as cn
>>> corpus = cn.Corpus.from_path("corpora")            # doctest: +SKIP
>>> corpus.documents[["doc_id", "year", "level", "region"]]  # doctest: +SKIP
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "Corpus": "corpus",
    "Document": "corpus",
    "read_report": "reading",
    "normalise": "normalise",
    "CorpusStore": "store",
    "nlp": "tokens",
    "tokens": "tokens",
    "token_lists": "tokens",
    "load_lexicon": "lexicon",
    "lexicon_coverage": "lexicon",
    "detect_slogans": "slogans",
    "track_slogans": "slogans",
    "slogan_summary": "slogans",
    "slogan_families": "slogans",
    "slogan_cooccurrence": "slogans",
    "slogan_concordance": "slogans",
    "slogan_candidates": "slogans",
    "load_slogan_lexicon": "slogan_lexicon",
    "extract_terms": "terms",
    "term_frequencies": "terms",
    "term_occurrences": "terms",
    "term_tfidf": "terms",
    "keyness": "keyness",
    "new_terms": "keyness",
    "TopicModel": "topics",
    "analyze": "analyze",
}

__all__ = sorted(_EXPORTS) + ["errors", "__version__"]


def __getattr__(name):
    if name == "errors":
        return importlib.import_module(".errors", __name__)
    if name == "plot":
        return importlib.import_module(".plot", __name__)
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'cppcc_nlp' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)


def __dir__():
    return __all__
