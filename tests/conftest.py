"""Shared fixtures: the bundled sample report and, where present, ../shared/corpora."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "corpora"
SAMPLE = BUNDLED / "000_e661db7dabda7a33.txt"
SHARED = ROOT.parent / "shared" / "corpora"
DATA = Path(__file__).resolve().parent / "data"

# One token cache for the whole test run (and the notebook kernels it starts), inside the clone and ignored by
# git: the shared corpora are segmented once per run, not once per test module.  Tests of the cache itself use
# their own temporary folders.
os.environ["CPPCC_NLP_CACHE"] = str(ROOT / ".cache" / "tests")

needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"the shared corpora are not present at {SHARED} (reference data beside the clone)"
)


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"the shared corpora are not present at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def loaded_pipeline():
    """The default pipeline, loaded once in this test process.  ``analyze`` segments in a forked child only
    while no pipeline is loaded here (``tokens(isolate=True)``); with it loaded, tests that count or patch
    segmentation calls see them, and the model is not loaded again for every run."""
    from cppcc_nlp.tokens.pipeline import nlp

    return nlp()


@pytest.fixture(scope="session")
def sample_corpus():
    from cppcc_nlp import Corpus

    return Corpus.from_path(SAMPLE)


@pytest.fixture(scope="session")
def shared_corpus(shared_dir):
    from cppcc_nlp import Corpus

    return Corpus.from_path(shared_dir, strict=True)


def without_meta_key(model_file: Path, out: Path, key: str) -> Path:
    """A copy of a saved topic model whose ``meta.json`` lacks ``key``: a file saved before that key existed."""
    import json
    import zipfile

    with zipfile.ZipFile(model_file) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "meta.json":
                meta = json.loads(data)
                del meta[key]
                data = json.dumps(meta).encode()
            dst.writestr(name, data)
    return out


class DocumentStore:
    """One document's store of bytes, as a DerivedCache offers it (``data``, ``put_data``)."""

    def __init__(self, written: list, doc_id: str):
        self.entries, self.written, self.doc_id = {}, written, doc_id

    def data(self, name):
        return self.entries.get(name)

    def put_data(self, name, data):
        self.entries[name] = data
        self.written.append(self.doc_id)


class DocumentStores(dict):
    """A per-document cache (``detect_slogans(cache=)``, ``TopicModel.fit(units_cache=)``) in memory: doc_id → its
    store, made when first asked for; ``written`` lists the documents written, in order."""

    def __init__(self):
        super().__init__()
        self.written = []

    def __missing__(self, doc_id):
        self[doc_id] = DocumentStore(self.written, doc_id)
        return self[doc_id]
