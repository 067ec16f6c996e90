"""Slogans (提法): the lexicon match, discovery by named rules, occurrences, tracking across years and the
spaCy component (``cppcc_nlp.slogans.component``, imported on demand: it needs spaCy)."""

from cppcc_nlp.slogans.detection import detect_slogans, slogan_candidates, slogan_concordance
from cppcc_nlp.slogans.tracking import slogan_cooccurrence, slogan_families, slogan_summary, track_slogans

__all__ = [
    "detect_slogans",
    "slogan_candidates",
    "slogan_concordance",
    "slogan_cooccurrence",
    "slogan_families",
    "slogan_summary",
    "track_slogans",
]
