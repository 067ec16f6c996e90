"""What the analyses accept, turned into what they read: a Corpus, or the paragraphs a token table is made from.

One place decides which objects count as a corpus and what the error says when they do not:

* :func:`as_corpus` — a :class:`~cppcc_nlp.corpus.Corpus` or raw report text → a Corpus (slogan detection);
* :func:`as_paragraphs` — a Corpus, a paragraph table or text → the paragraphs :func:`cppcc_nlp.tokens` segments;
* :func:`is_corpus` — the one test of "is this a corpus" (a Corpus, or an object with ``docs`` and
  ``documents``).

The token-table coercer, :func:`cppcc_nlp.tokens.table.as_token_table` (a Corpus → ``tokens(corpus)``, a token
table → itself), sits next to :func:`~cppcc_nlp.tokens.table.tokens`, which it calls; it tests its input with
:func:`is_corpus` from here.

>>> as_corpus("一、2023年工作回顾\\n成绩显著。", what="detecting slogans").documents[["doc_id", "year"]].values.tolist()
[['text', 2023]]
"""

from __future__ import annotations

import os
import re

import numpy as np
import pandas as pd

from cppcc_nlp.corpus.corpus import Corpus
from cppcc_nlp.corpus.document import Document
from cppcc_nlp.errors import EmptyCorpusError, InputError

#: columns a paragraph table needs (those of ``Corpus.paragraphs``)
PARA_COLUMNS = ["doc_id", "para_id", "section_id", "year", "period", "part", "start", "end", "text"]


def is_corpus(obj) -> bool:
    """True for a :class:`~cppcc_nlp.corpus.Corpus`, or an object shaped like one (``docs`` and ``documents``);
    never for a DataFrame."""
    if isinstance(obj, Corpus):
        return True
    return not isinstance(obj, pd.DataFrame) and hasattr(obj, "documents") and hasattr(obj, "docs")


def as_corpus(obj, *, what: str) -> Corpus:
    """A Corpus from a Corpus or a str (one document of raw report text, its year the latest ``YYYY年`` in it).

    Parameters
    ----------
    obj : Corpus or str
    what : what the caller is about to do, for the message on an empty corpus (``"detecting slogans"``).

    Raises
    ------
    EmptyCorpusError
        The corpus has no documents.
    InputError
        ``obj`` is the path of a file or folder (read it with ``Corpus.from_path``), or neither a Corpus nor a str.
    """
    if isinstance(obj, Corpus):
        if len(obj) == 0:
            raise EmptyCorpusError(
                "the corpus has no documents: give report files or a folder that holds some "
                f"(Corpus.from_path) before {what}"
            )
        return obj
    if isinstance(obj, str):
        if "\n" not in obj and len(obj) < 4096 and os.path.exists(obj):
            raise InputError(
                f"{obj!r} is the path of a file or folder, not report text: read it with "
                f"cppcc_nlp.Corpus.from_path({obj!r}) and pass the corpus"
            )
        doc = Document.from_text(obj, doc_id="text", manifest_row={"year": _guess_year(obj)})
        return Corpus([doc])
    raise InputError(
        f"expected a cppcc_nlp.Corpus or a str, got {type(obj).__name__}; build one with "
        "cppcc_nlp.Corpus.from_path(...)"
    )


def _guess_year(text: str) -> int:
    years = [int(y) for y in re.findall(r"(?<!\d)(19[5-9]\d|20\d\d)(?=\s*年)", text)]
    return max(years) if years else 0


def as_paragraphs(obj) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The paragraph table (and the sentence table when known) that :func:`cppcc_nlp.tokens` segments.

    A Corpus gives ``corpus.paragraphs`` and :func:`sentence_starts`; a DataFrame is taken as a paragraph
    table; a string (or list of strings) is one paragraph of a document ``text`` (``text0``, ``text1`` … for
    several).

    Raises
    ------
    InputError
        ``obj`` is none of these, or the paragraph table lacks columns of :data:`PARA_COLUMNS`.

    Examples
    --------
    >>> paras, sents = as_paragraphs(["推进改革", "扩大开放"])
    >>> paras[["doc_id", "para_id", "text"]].values.tolist()
    [['text0', 'text0/p0000', '推进改革'], ['text1', 'text1/p0000', '扩大开放']]
    >>> is_corpus(paras), sents is None
    (False, True)
    """
    if is_corpus(obj):
        paras, sents = obj.paragraphs, sentence_starts(obj)
    elif isinstance(obj, pd.DataFrame):
        paras, sents = obj, None
    elif isinstance(obj, str) or (isinstance(obj, (list, tuple)) and all(isinstance(t, str) for t in obj)):
        texts = [obj] if isinstance(obj, str) else list(obj)
        rows = []
        for n, text in enumerate(texts):
            doc_id = f"text{n}" if len(texts) > 1 else "text"
            rows.append((doc_id, f"{doc_id}/p0000", f"{doc_id}/s00", pd.NA, pd.NA, "other", 0, len(text), text))
        paras, sents = pd.DataFrame(rows, columns=PARA_COLUMNS), None
    else:
        raise InputError(f"tokens() needs a Corpus, a paragraph DataFrame or text, not {type(obj).__name__}")
    missing = [c for c in PARA_COLUMNS if c not in paras.columns]
    if missing:
        raise InputError(f"the paragraph table lacks the columns {missing} (expected {PARA_COLUMNS})")
    return paras, sents


def sentence_starts(corpus) -> pd.DataFrame:
    """``para_id``, ``sent`` (its number in the paragraph: ``…/p0003/02`` → 2) and ``start`` of every sentence of a
    corpus, read from its documents: what a token's sentence is found from, without building the sentence table
    (its text and docvars, 200 MB for 400 reports).

    >>> sentence_starts(Corpus.from_texts({"national_2024": "一、回顾\\n成绩显著。困难不少。"})).values.tolist()
    [['national_2024/p0000', 0, 0], ['national_2024/p0001', 0, 5], ['national_2024/p0001', 1, 10]]
    """
    para_ids, numbers, starts = [], [], []
    for doc in corpus.docs:
        for s in doc.sentences:
            para_ids.append(s.para_id)
            numbers.append(int(s.sent_id.rsplit("/", 1)[-1]))
            starts.append(s.start)
    return pd.DataFrame(
        {
            "para_id": pd.array(para_ids, dtype=object),  # (the records' own strings, not copied)
            "sent": np.array(numbers, dtype=np.int64),
            "start": np.array(starts, dtype=np.int64),
        }
    )
