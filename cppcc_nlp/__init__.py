"""cppcc-nlp: term extraction, topic clustering and slogan (提法) detection for Chinese political work reports.

Data flows one way: files → :class:`Corpus` → :func:`tokens` → analyses (slogans, terms, topics) → tables
and figures.  spaCy, scikit-learn, matplotlib and jieba are imported only when first used, so
``import cppcc_nlp`` takes well under a second.

Examples
--------
>>> import cppcc_nlp as cn
>>> corpus = cn.Corpus.from_path("corpora")                   # doctest: +SKIP
>>> corpus.documents[["doc_id", "year", "level", "region"]]   # doctest: +SKIP
>>> cn.detect_slogans(corpus).head()                          # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

# Public names are imported eagerly: a module named like its main function (tokens, keyness, analyze,
# normalise) would otherwise replace the function as a package attribute once the module is imported.
from . import errors  # noqa: E402
from .analyze import analyze  # noqa: E402
from .corpus import Corpus, Document  # noqa: E402
from .keyness import keyness, new_terms  # noqa: E402
from .lexicon import lexicon_coverage, load_lexicon, save_lexicon  # noqa: E402
from .normalise import normalise  # noqa: E402
from .reading import read_report  # noqa: E402
from .slogan_lexicon import load_slogan_lexicon  # noqa: E402
from .slogans import (detect_slogans, slogan_candidates, slogan_concordance, slogan_cooccurrence,  # noqa: E402
                      slogan_families, slogan_summary, track_slogans)
from .store import CorpusStore  # noqa: E402
from .terms import extract_terms, term_frequencies, term_occurrences, term_tfidf  # noqa: E402
from .tokens import nlp, token_lists, tokens  # noqa: E402
from .topics import TopicModel  # noqa: E402

__all__ = [
    "Corpus", "CorpusStore", "Document", "TopicModel", "__version__", "analyze", "detect_slogans", "errors",
    "extract_terms", "keyness", "lexicon_coverage", "load_lexicon", "load_slogan_lexicon", "new_terms", "nlp",
    "normalise", "read_report", "slogan_candidates", "slogan_concordance", "slogan_cooccurrence",
    "save_lexicon", "slogan_families", "slogan_summary", "term_frequencies", "term_occurrences", "term_tfidf",
    "token_lists", "tokens", "track_slogans",
]


def __getattr__(name):
    if name == "plot":  # matplotlib only when figures are asked for
        import importlib

        return importlib.import_module(".plot", __name__)
    raise AttributeError(f"module 'cppcc_nlp' has no attribute {name!r}")
