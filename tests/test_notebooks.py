"""Every notebook runs without error on the bundled corpus (the 26 reports of ../shared/corpora), and on
../shared/corpora too when that differs from the bundled one (otherwise once: CI has two cores)."""

from __future__ import annotations

import hashlib
import importlib.util

import pytest

from conftest import BUNDLED, ROOT, SHARED, needs_shared

pytestmark = pytest.mark.slow

_spec = importlib.util.spec_from_file_location("run_notebooks", ROOT / "tools" / "run_notebooks.py")
run_notebooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run_notebooks)

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _fingerprint(folder) -> set:
    return {hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*.txt")}


SAME_AS_BUNDLED = SHARED.is_dir() and _fingerprint(SHARED) == _fingerprint(BUNDLED)


def test_the_notebooks_present_findings():
    """Each opens with a research question and parameters, states what it finds, ends with caveats, never
    silences warnings, and is committed with the outputs of the bundled corpus."""
    import nbformat

    assert [p.name for p in NOTEBOOKS] == [
        "01_corpus.ipynb",
        "02_slogans.ipynb",
        "03_terms.ipynb",
        "04_topics.ipynb",
        "05_targets.ipynb",
        "06_cppcc_report.ipynb",
    ]
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
        assert "**Question.**" in nb.cells[0].source, path.name
        assert "parameters" in nb.cells[1].metadata.get("tags", []) and "CORPUS" in nb.cells[1].source
        headings = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown"]
        assert "## What this shows" in headings and headings[-1] == "## Caveats", path.name
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        assert "simplefilter" not in code and "filterwarnings" not in code, path.name
        assert "series" in code, path.name
        # committed with outputs from the bundled corpus, so that they read as a report when opened
        outputs = [
            cell.get("outputs")
            for cell in nb.cells
            if cell.cell_type == "code" and "parameters" not in cell.metadata.get("tags", [])
        ]
        assert all(outputs), path.name
        assert "26 report(s)" in _outputs_text(nb), path.name


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
    assert "26 report(s)" in text and "2000–2024" in text and "3 series" in text


@needs_shared
@pytest.mark.skipif(SAME_AS_BUNDLED, reason="../shared/corpora holds the same reports as corpora/: run once")
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_on_the_shared_corpora(path):
    nb = run_notebooks.execute(path, {"CORPUS": str(SHARED)})
    assert "26 report(s)" in _outputs_text(nb)
