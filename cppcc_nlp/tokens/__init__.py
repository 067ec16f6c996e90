"""Tokens: the spaCy + pkuseg pipeline with the domain lexicon kept whole, the token cache and the token table."""

from cppcc_nlp.tokens.pipeline import nlp, token_lists, tokens

__all__ = ["nlp", "token_lists", "tokens"]
