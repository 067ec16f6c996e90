"""Indicators on a Dask cluster: ``indicators(corpus, client=client)`` (see docs/scale.md).

Every statement is read within its own document (the span sections, the look-back paragraphs and the kinds
are decided document by document), so the corpus is split into batches of documents, each worker extracts the
indicators of its batch, and the tables are concatenated in document order: the table ``indicators(corpus)``
makes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cppcc_nlp._dask import map_ordered
from cppcc_nlp.corpus.corpus import Corpus

#: documents per task
BATCH_DOCS = 4


def _batch(docs: list, extract, names, options: dict) -> pd.DataFrame:
    """On a worker: the indicators of a few documents (``extract`` is :func:`~cppcc_nlp.indicators.indicators`)."""
    return extract(Corpus(docs), names=names, **options)


def indicators_on(client, corpus, extract, empty, *, names, batch_docs: int = BATCH_DOCS, **options) -> pd.DataFrame:
    """``extract(corpus, names=names, **options)`` computed on the cluster, batch by batch of documents;
    ``empty()`` when no batch has any."""

    docs = list(corpus.docs)
    batches = [docs[i : i + batch_docs] for i in range(0, len(docs), batch_docs)]
    frames = [f for f in map_ordered(client, _batch, batches, extract, names, options) if not f.empty]
    if not frames:
        return empty()
    df = pd.concat(frames, ignore_index=True)
    df["period"] = df["period"].astype("Int64")
    df["indicator"] = df["indicator"].astype(object).where(df["indicator"].notna(), np.nan)
    return df
