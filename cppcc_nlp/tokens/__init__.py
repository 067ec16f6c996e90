"""Tokens: the spaCy + pkuseg pipeline with the domain lexicon kept whole, the token cache and the token table.

* :mod:`~cppcc_nlp.tokens.pipeline` — :func:`nlp`, the pkuseg model lookup, the Language build;
* :mod:`~cppcc_nlp.tokens.components` — the spaCy lexicon-merge component;
* :mod:`~cppcc_nlp.tokens._token_cache` — the Parquet token cache;
* :mod:`~cppcc_nlp.tokens.table` — :func:`tokens`, :func:`token_lists`, :func:`~cppcc_nlp.tokens.table.as_token_table`;
* :mod:`~cppcc_nlp.tokens.inputs` — what the analyses accept (:func:`~cppcc_nlp.tokens.inputs.as_corpus`);
* :mod:`~cppcc_nlp.tokens.ngrams` — per-document n-gram counts, cached and mergeable (terms, keyness).

``tokens`` is both this room and its main function: the package root imports the room first, so
``cppcc_nlp.tokens`` names the function; reach the modules with ``importlib.import_module("cppcc_nlp.tokens.table")``.
"""

from cppcc_nlp.tokens.pipeline import nlp
from cppcc_nlp.tokens.table import token_lists, tokens

__all__ = ["nlp", "token_lists", "tokens"]
