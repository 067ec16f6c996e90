"""Slogan detection on a Dask cluster: ``detect_slogans(corpus, client=client)`` (see docs/scale.md).

What detection finds in one document alone (:func:`~cppcc_nlp.slogans.detection.document_pieces`: the lexicon
hits, the quoted candidates, the positions of unquoted ones) is made on the workers, documents in batches, and
comes back in document order.  Discovery decides on the corpus as a whole (a quoted phrase is a slogan by how
many reports quote it; an unquoted formulation is one wherever it recurs), so it runs on the client, on those
pieces: the occurrences are those of ``detect_slogans(corpus)``.
"""

from __future__ import annotations

from cppcc_nlp._dask import map_ordered

#: documents per task
BATCH_DOCS = 8


def _batch_pieces(documents: list, document_pieces, lexicon, discover: bool, unquoted: bool) -> list[dict]:
    """On a worker: the pieces of each document of a batch."""
    return [document_pieces(ps, lexicon, discover=discover, unquoted=unquoted) for ps in documents]


def pieces_on_cluster(
    client, documents: list, document_pieces, lexicon, discover: bool, unquoted: bool, *, batch_docs: int = BATCH_DOCS
) -> list[dict]:
    """``document_pieces`` of each document (a list of engine paragraphs) on the cluster, in document order."""
    batches = [documents[i : i + batch_docs] for i in range(0, len(documents), batch_docs)]
    results = map_ordered(client, _batch_pieces, batches, document_pieces, lexicon, discover, unquoted)
    return [piece for pieces in results for piece in pieces]
