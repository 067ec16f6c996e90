"""The bundled data files (``cppcc_nlp/data``) and the one reader of each user-file format:
domain term lexicons, slogan lexicons, stop words and report formulae."""

from cppcc_nlp.resources.lexicon import lexicon_coverage, load_lexicon, save_lexicon
from cppcc_nlp.resources.slogan_lexicon import load_slogan_lexicon

__all__ = ["lexicon_coverage", "load_lexicon", "load_slogan_lexicon", "save_lexicon"]
