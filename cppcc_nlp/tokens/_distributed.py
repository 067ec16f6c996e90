"""Segmentation on a Dask cluster: ``tokens(corpus, client=client)`` (see docs/scale.md).

The client keeps everything that needs the whole corpus: the paragraph table, the token cache (looked up before
and written after, with the same keys as a single-machine run) and the assembly of the table.  Only the
paragraphs the cache lacks travel: in batches of about :data:`BATCH_CHARS` characters, in corpus order; each
worker segments its batch with its own pipeline and sends back the cache rows (token, offsets, flags).  The
batches come back in order and are concatenated, so the table is the one ``tokens(corpus)`` makes.

Each worker builds the pipeline once: :class:`PkusegPlugin` loads the pkuseg model when the worker starts (or
joins), and :func:`cppcc_nlp.tokens.pipeline.nlp` keeps it per process; a task carries only its paragraphs and
the lexicon (a few kB), never the model.
"""

from __future__ import annotations

import pyarrow as pa
from distributed import WorkerPlugin  # this module is imported only when a client is given

from cppcc_nlp._dask import map_ordered
from cppcc_nlp.errors import ModelError
from cppcc_nlp.tokens._token_cache import cache_schema
from cppcc_nlp.tokens.pipeline import default_model_dir, lexicon_of, nlp

#: characters of paragraph text per task (about a second of pkuseg per task: small enough to spread a
#: corpus over many workers and to lose little when a worker dies, large enough to keep the overhead low)
BATCH_CHARS = 200_000
#: the name the worker plugin is registered under
PLUGIN_NAME = "cppcc-nlp-pkuseg"


class PkusegPlugin(WorkerPlugin):
    """Worker plugin: load the pkuseg pipeline when a worker starts, once per worker process.

    ``model`` is the model folder as the workers see it (None: each worker's installed default).
    """

    name = PLUGIN_NAME

    def __init__(self, model: str | None = None):
        self.model = model

    def setup(self, worker=None):
        nlp(pkuseg_model=self.model)

    def teardown(self, worker=None):
        pass


def _model_for_workers(pipe) -> str | None:
    """None when ``pipe`` uses the installed default model (workers use theirs), else its folder."""
    folder = pipe.meta["cppcc_nlp"]["pkuseg_model"]
    return None if str(default_model_dir()) == folder else folder


def ensure_plugin(client, model: str | None = None) -> None:
    """Register :class:`PkusegPlugin` on the cluster (idempotent: same name, same model)."""
    plugin = PkusegPlugin(model)
    if hasattr(client, "register_plugin"):
        client.register_plugin(plugin, name=PLUGIN_NAME)
    else:  # distributed < 2023.9
        client.register_worker_plugin(plugin, name=PLUGIN_NAME)


def _batches(texts: dict[str, str], limit: int) -> list[dict[str, str]]:
    out, batch, size = [], {}, 0
    for h, t in texts.items():
        if batch and size + len(t) > limit:
            out.append(batch)
            batch, size = {}, 0
        batch[h] = t
        size += len(t)
    if batch:
        out.append(batch)
    return out


def _segment_batch(
    texts: dict[str, str], segment_texts, lexicon, model: str | None, pipeline_version: str, batch_size: int
) -> pa.Table:
    """On a worker: the cache rows of one batch (the pipeline comes from the per-process cache of ``nlp``)."""
    pipe = nlp(lexicon=lexicon, pkuseg_model=model)
    mine = pipe.meta["cppcc_nlp"]["pipeline_version"]
    if mine != pipeline_version:
        raise ModelError(
            f"a worker's pkuseg model ({pipe.meta['cppcc_nlp']['pkuseg_model']}, pipeline {mine}) "
            f"differs from the client's (pipeline {pipeline_version}); install the same pkuseg on "
            "every worker, or set CPPCC_NLP_PKUSEG_MODEL to one shared model folder"
        )
    return segment_texts(pipe, texts, n_process=1, batch_size=batch_size)


def segment(
    client, pipe, texts: dict[str, str], segment_texts, *, batch_size: int = 64, batch_chars: int = BATCH_CHARS
) -> pa.Table:
    """The cache rows of ``texts`` ``{text_hash: text}`` (an Arrow table), segmented on the cluster, in the
    order of ``texts``.

    ``segment_texts(pipe, texts, n_process=, batch_size=)`` is the local segmenter each worker runs on its batch
    (``cppcc_nlp.tokens.table._segment``).
    """
    if not texts:
        return cache_schema().empty_table()
    model = _model_for_workers(pipe)
    ensure_plugin(client, model)
    lexicon = lexicon_of(pipe)  # by value, not scattered: scattered data dies with its worker, a task's args do not
    parts = map_ordered(
        client,
        _segment_batch,
        _batches(texts, batch_chars),
        segment_texts,
        lexicon,
        model,
        pipe.meta["cppcc_nlp"]["pipeline_version"],
        batch_size,
    )
    return pa.concat_tables(parts)  # (each part's strings dictionary-encoded with a dictionary of its own)
