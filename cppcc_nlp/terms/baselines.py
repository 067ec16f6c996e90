"""Baselines users compare us with: jieba.analyse keyword extraction (TF-IDF and TextRank).

Used by the terms notebook and ``benchmarks/bench_terms.py`` to show, on the same texts, what a general
keyword extractor returns beside :func:`cppcc_nlp.extract_terms`.

>>> jieba_keywords("全过程人民民主是社会主义民主政治的本质属性。", top=3)     # doctest: +SKIP
['民主', '全过程', '属性']
"""

from __future__ import annotations

import logging

from cppcc_nlp.errors import ParameterError

METHODS = ("tfidf", "textrank")


def _text_of(corpus_or_text) -> str:
    if isinstance(corpus_or_text, str):
        return corpus_or_text
    if isinstance(corpus_or_text, (list, tuple)):
        return "\n".join(corpus_or_text)
    return "\n".join(corpus_or_text.paragraphs["text"])


def jieba_keywords(corpus_or_text, *, method: str = "tfidf", top: int = 20) -> list[str]:
    """The ``top`` keywords of jieba.analyse over the whole text (one string, as jieba's users call it).

    Parameters
    ----------
    corpus_or_text : Corpus, str or list of str
    method : ``"tfidf"`` (``jieba.analyse.extract_tags``, jieba's bundled IDF table) or ``"textrank"``
        (``jieba.analyse.textrank``, nouns and verbs, window 5).
    top : how many keywords.
    """
    if method not in METHODS:
        raise ParameterError(f"method={method!r}: choose one of {METHODS}")
    import jieba
    import jieba.analyse

    jieba.setLogLevel(logging.WARNING)
    text = _text_of(corpus_or_text)
    if method == "tfidf":
        return list(jieba.analyse.extract_tags(text, topK=top))
    return list(jieba.analyse.textrank(text, topK=top))
