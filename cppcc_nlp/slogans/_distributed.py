"""Slogan detection on a Dask cluster: ``detect_slogans(corpus, client=client)`` (see docs/scale.md).

The lexicon pass (every form of every entry, in every paragraph) reads one paragraph at a time, so it runs on
the workers, documents in batches; the hits come back in document order.  Discovery decides on the corpus as a
whole (a quoted phrase is a slogan by how many reports quote it; an unquoted formulation is one wherever it
recurs), so it runs on the client, on the same paragraphs, after the lexicon hits: the occurrences are those of
``detect_slogans(corpus)``.
"""

from __future__ import annotations

from cppcc_nlp._dask import map_ordered

#: documents per task
BATCH_DOCS = 8


def _lexicon_pass(paragraphs: list, find_slogans, lexicon) -> list[tuple]:
    """On a worker: the lexicon hits of a batch, ``(para_id, start, end, canonical, kind, in_lexicon, quoted)``."""
    return [(p.para_id, *rest) for p, *rest in find_slogans(paragraphs, lexicon, discover=False)]


def lexicon_hits(client, paragraphs: list, lexicon, find_slogans, *, batch_docs: int = BATCH_DOCS) -> list[tuple]:
    """The lexicon pass of :func:`~cppcc_nlp.slogans.detection.find_slogans` over ``paragraphs`` (engine
    paragraphs in corpus order), on the cluster: ``[(paragraph, start, end, canonical, kind, in_lexicon,
    quoted), ...]`` in the order the local pass gives."""
    batches, current, docs = [], [], 0
    for i, p in enumerate(paragraphs):
        if i and p.doc_id != paragraphs[i - 1].doc_id:
            docs += 1
            if docs % batch_docs == 0:
                batches.append(current)
                current = []
        current.append(p)
    if current:
        batches.append(current)
    by_id = {p.para_id: p for p in paragraphs}
    results = map_ordered(client, _lexicon_pass, batches, find_slogans, lexicon)
    return [(by_id[pid], *rest) for hits in results for pid, *rest in hits]
