"""Reading on a Dask cluster: ``Corpus.from_path(paths, client=client)`` (see docs/scale.md).

The client lists the files and matches the manifests (as a single-machine run does); each worker reads,
normalises and structures a batch of files (:meth:`Document.from_file`) and sends back the documents, or, for a
file it cannot read, the message of the :class:`~cppcc_nlp.errors.ReportFileError`.  The results come back in
file order, so the corpus, its problems and its warnings are the single-machine ones.  The files must be at the
same path on every worker (a shared folder).
"""

from __future__ import annotations

from cppcc_nlp._dask import map_ordered
from cppcc_nlp.corpus.document import Document
from cppcc_nlp.errors import ReportFileError

#: files per task
BATCH_FILES = 8


def _read_batch(jobs: list[tuple], to_simplified: bool) -> list[tuple]:
    """On a worker: ``[(Document, None) or (None, message), ...]`` for ``[(file, manifest_row), ...]``."""
    out = []
    for f, row in jobs:
        try:
            out.append((Document.from_file(f, manifest_row=row, to_simplified=to_simplified), None))
        except ReportFileError as err:
            out.append((None, str(err)))
    return out


def read_documents(
    client, jobs: list[tuple], *, to_simplified: bool = False, batch_files: int = BATCH_FILES
) -> list[tuple]:
    """``[(Document or None, error message or None), ...]`` for ``[(file, manifest_row), ...]``, in order."""
    batches = [jobs[i : i + batch_files] for i in range(0, len(jobs), batch_files)]
    results = map_ordered(client, _read_batch, batches, to_simplified)
    return [r for batch in results for r in batch]
