"""Indicators on a Dask cluster: ``indicators(corpus, client=client)`` (see docs/scale.md).

Every statement is read within its own document (the span sections, the look-back paragraphs and the kinds
are decided document by document), so the corpus is split into batches of documents, each worker extracts the
indicators of its batch, and the tables are concatenated in document order: the table ``indicators(corpus)``
makes.
"""

from __future__ import annotations

import pandas as pd

from cppcc_nlp._dask import map_ordered
from cppcc_nlp.corpus.corpus import Corpus

#: documents per task
BATCH_DOCS = 4


def _batch(docs: list, extract, names, options: dict) -> pd.DataFrame:
    """On a worker: the indicators of a few documents (``extract`` is :func:`~cppcc_nlp.indicators.indicators`)."""
    return extract(Corpus(docs), names=names, **options)


def indicators_on(client, corpus, extract, concat, *, names, batch_docs: int = BATCH_DOCS, **options) -> pd.DataFrame:
    """``extract(corpus, names=names, **options)`` computed on the cluster, batch by batch of documents, the
    batches' tables joined by ``concat`` (:func:`~cppcc_nlp.indicators.extract.concat_indicators`)."""

    docs = list(corpus.docs)
    batches = [docs[i : i + batch_docs] for i in range(0, len(docs), batch_docs)]
    return concat(map_ordered(client, _batch, batches, extract, names, options))
