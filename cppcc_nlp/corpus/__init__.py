"""The corpus: :class:`Document`, :class:`Corpus` (tables with docvars), the corpus store and the
parsed-document cache."""

from cppcc_nlp.corpus.corpus import Corpus, Document
from cppcc_nlp.corpus.store import CorpusStore

__all__ = ["Corpus", "CorpusStore", "Document"]
