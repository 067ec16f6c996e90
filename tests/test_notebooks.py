"""Every notebook runs without error on the bundled corpus, and again on ../shared/corpora when present."""

from __future__ import annotations

import importlib.util

import pytest
from conftest import BUNDLED, ROOT, SHARED, needs_shared

pytestmark = pytest.mark.slow

_spec = importlib.util.spec_from_file_location("run_notebooks", ROOT / "tools" / "run_notebooks.py")
run_notebooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run_notebooks)

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_the_four_notebooks_exist_and_open_with_a_statement_and_parameters():
    import nbformat

    assert [p.name for p in NOTEBOOKS] == ["01_corpus.ipynb", "02_slogans.ipynb", "03_terms.ipynb",
                                           "04_topics.ipynb", "05_targets.ipynb"]
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
        assert "parameters" in nb.cells[1].metadata.get("tags", []) and "CORPUS" in nb.cells[1].source
        # committed with outputs from the bundled corpus, so that they read as a report when opened
        assert any(cell.get("outputs") for cell in nb.cells if cell.cell_type == "code"), path.name


def _outputs_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.extend(str(v) for k, v in out.get("data", {}).items() if k.startswith("text/"))
    return "\n".join(parts)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_on_the_bundled_corpus(path):
    nb = run_notebooks.execute(path, {"CORPUS": str(BUNDLED)})
    text = _outputs_text(nb)
    assert "1 report(s)" in text and "2024" in text


@needs_shared
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_on_the_shared_corpora(path):
    nb = run_notebooks.execute(path, {"CORPUS": str(SHARED)})
    assert "26 report(s)" in _outputs_text(nb)
