"""Terms: candidates, termhood scores (C-value, PMI, branching entropy), ranking, counts and keyness."""

from cppcc_nlp.terms.counts import term_frequencies, term_occurrences
from cppcc_nlp.terms.keyness import keyness, new_terms
from cppcc_nlp.terms.ranking import extract_terms, term_tfidf

__all__ = ["extract_terms", "keyness", "new_terms", "term_frequencies", "term_occurrences", "term_tfidf"]
