"""Dictionaries: categories of words and patterns counted in the text (quanteda's ``dictionary()`` and
``tokens_lookup()``, cntext's dictionaries).

Examples
--------
>>> import cppcc_nlp as cn
>>> green = cn.Dictionary({"生态": ["生态文明", "绿水青山", "碳*"], "开放": ["对外开放", "re:自由贸易(试验区|港)"]})
>>> cn.dictionary_counts(corpus, green, by="year")                 # doctest: +SKIP
"""

from cppcc_nlp.dictionary.counting import dictionary_counts, dictionary_matches
from cppcc_nlp.dictionary.model import Dictionary

__all__ = ["Dictionary", "dictionary_counts", "dictionary_matches"]
