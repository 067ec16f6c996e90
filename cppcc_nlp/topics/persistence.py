"""Saving a fitted :class:`~cppcc_nlp.topics.model.TopicModel` to one zip file, and reading it back.

The zip holds ``meta.json`` (library, format version, parameters, vocabulary, LDA prior, the units of the k
search, section headings, the formula list), ``arrays.npz`` (IDF, term probabilities, topic-term matrices, raw unit weights) and one
Parquet file per table (topics, terms, coherence, doc_topics, section_topics, formula_sentences, texts).
A file of another :data:`FORMAT_VERSION` is refused with a message that says to refit.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from cppcc_nlp._version import __version__
from cppcc_nlp.errors import OutputError, SavedModelError
from cppcc_nlp.resources.formulae import Formulae
from cppcc_nlp.topics._units import formula_sentences

FORMAT_VERSION = 1
"""Version of the saved-model layout; a file with another version is refused by :func:`load_model`."""

DEFAULT_NAME = "topic-model.zip"  # the file written into, or read from, a folder


def _to_parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def save_model(model, path) -> Path:
    """Write a fitted model to one zip file (a folder gets ``topic-model.zip``), replacing it atomically."""
    path = Path(path)
    if path.is_dir():
        path = path / DEFAULT_NAME
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{path.parent}: cannot create the folder for the model ({exc.strerror})") from None
    params = model.get_params()
    params.pop("n_jobs", None)  # how it was fitted, not what it is: the same model from any number of processes
    params["k_range"] = list(params["k_range"]) if params["k_range"] is not None else None
    if isinstance(params["formulae"], Path):
        params["formulae"] = str(params["formulae"])
    formulae = model.formulae_
    meta = {
        "library": "cppcc-nlp",
        "library_version": __version__,
        "format_version": FORMAT_VERSION,
        "params": params,
        "n_topics": model.n_topics_,
        "vocabulary": model.vocabulary_,
        "doc_topic_prior": model.doc_topic_prior_,
        "coherence_reference": model.coherence_reference_,
        "search_units": model.search_units_,
        "headings": model._headings,
        "formulae": {"sentences": list(formulae.sentences), "words": sorted(formulae.words), "source": formulae.source},
    }
    arrays = io.BytesIO()
    np.savez(
        arrays,
        idf=model.idf_,
        term_prob=model.term_prob_,
        components=model.components_,
        raw_components=model.raw_components_,
        raw_weights=model._raw_weights,
    )
    texts = pd.DataFrame({"unit": list(model._texts), "text": list(model._texts.values())})
    tmp = path.with_name(path.name + ".tmp")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            _put(zf, "meta.json", json.dumps(meta, ensure_ascii=False, indent=1).encode("utf-8"))
            _put(zf, "arrays.npz", arrays.getvalue())
            for name, frame in (
                ("topics", model.topics_),
                ("terms", model.terms_),
                ("coherence", model.coherence_),
                ("doc_topics", model.doc_topics_),
                ("section_topics", model.section_topics_),
                ("formula_sentences", model.formula_sentences_),
                ("texts", texts),
            ):
                if frame is not None:
                    _put(zf, f"{name}.parquet", _to_parquet(frame))
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write the model ({exc.strerror})") from None
    return path


def _put(zf, name: str, data: bytes) -> None:
    """One member of the model file, dated 1980-01-01: the same model gives the same bytes on every run.

    Parquet members are stored as they are: they are compressed already (Snappy), and deflating them again
    took half of the save for a tenth of their size (a 16x corpus's model: 1.8 -> 0.8 s, 23.1 -> 25.6 MB)."""
    compression = zipfile.ZIP_STORED if name.endswith(".parquet") else zipfile.ZIP_DEFLATED
    zf.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data, compress_type=compression)


def _read(path: Path, tables: bool = True) -> tuple[dict, dict, dict]:
    """meta.json, the arrays and the tables of a saved model (``tables=False``: no tables, ``{}``)."""
    try:
        with zipfile.ZipFile(path) as zf:
            meta = json.loads(zf.read("meta.json").decode("utf-8"))
            if meta.get("library") != "cppcc-nlp":
                raise SavedModelError(f"{path}: not a cppcc-nlp topic model")
            if meta.get("format_version") != FORMAT_VERSION:
                raise SavedModelError(
                    f"{path}: saved by cppcc-nlp {meta.get('library_version', '?')} in model format "
                    f"{meta.get('format_version')!r}, but cppcc-nlp {__version__} reads format {FORMAT_VERSION}: "
                    "refit the model on its corpus with this version (TopicModel(...).fit(corpus).save(path))"
                )
            arrays = dict(np.load(io.BytesIO(zf.read("arrays.npz"))))
            names = [n for n in zf.namelist() if n.endswith(".parquet")] if tables else []
            frames = {n[:-8]: pd.read_parquet(io.BytesIO(zf.read(n))) for n in names}
    except SavedModelError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise SavedModelError(
            f"{path}: not a readable saved topic model ({exc}); save it again with TopicModel.save(path)"
        ) from None
    return meta, arrays, frames


def _search_units_before(model) -> int | None:
    """``search_units_`` of a model saved before the k search could run on a sample: every unit that carries a
    term when there was a search (several rows in ``coherence_``), None otherwise."""
    if len(model.coherence_) < 2:
        return None
    return int((model.doc_topics_["n_terms"] > 0).sum())


def load_model(cls, path, *, tables: bool = True):
    """A ``cls`` (TopicModel) instance restored from a file written by :func:`save_model` (``tables=False``: its
    tables are None, as :meth:`TopicModel.load` says)."""
    path = Path(path)
    if path.is_dir():
        path = path / DEFAULT_NAME
    if not path.is_file():
        raise SavedModelError(f"{path}: no saved topic model there (save one with TopicModel.save(path))")
    meta, arrays, frames = _read(path, tables)
    params = meta["params"]
    if params.get("k_range") is not None:
        params["k_range"] = tuple(params["k_range"])
    model = cls(**params)
    model.vocabulary_ = list(meta["vocabulary"])
    model.n_topics_ = int(meta["n_topics"])
    model.doc_topic_prior_ = meta["doc_topic_prior"]
    model.coherence_reference_ = meta["coherence_reference"]
    model._headings = meta.get("headings") or {}
    stored = meta.get("formulae")  # absent in files saved before formulae existed: nothing was filtered
    if stored is None:
        model.formulae = False
        model.formulae_ = Formulae()
    else:
        model.formulae_ = Formulae(tuple(stored["sentences"]), frozenset(stored["words"]), stored["source"])
    model.idf_ = arrays["idf"]
    model.term_prob_ = arrays["term_prob"]
    model.components_ = arrays["components"]
    model.raw_components_ = arrays["raw_components"]
    model._raw_weights = arrays["raw_weights"]
    model.library_version_ = meta.get("library_version")
    if not tables:
        model.topics_ = model.terms_ = model.coherence_ = model.doc_topics_ = None
        model.section_topics_ = model.formula_sentences_ = None
        model.search_units_, model._texts = meta.get("search_units"), {}
        return model
    model.topics_ = frames["topics"]
    model.terms_ = frames["terms"]
    model.coherence_ = frames["coherence"]
    model.doc_topics_ = frames["doc_topics"]
    model.search_units_ = meta["search_units"] if "search_units" in meta else _search_units_before(model)
    model.section_topics_ = frames.get("section_topics")
    model.formula_sentences_ = frames.get("formula_sentences", formula_sentences(pd.DataFrame(), Formulae()))
    texts = frames["texts"]
    model._texts = dict(zip(texts["unit"].tolist(), texts["text"].tolist()))
    return model
