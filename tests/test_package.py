"""The package surface: public names, and what `import cppcc_nlp` loads."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_public_names_stay_functions_after_their_modules_are_imported():
    code = (
        "import cppcc_nlp as cn, cppcc_nlp.workflow, cppcc_nlp.tokens.pipeline, cppcc_nlp.terms.keyness, cppcc_nlp.io.normalise;"
        "import types; bad = [n for n in cn.__all__ if isinstance(getattr(cn, n), types.ModuleType)"
        " and n != 'errors']; print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("module", ["cppcc_nlp", "cppcc_nlp.cli"])
def test_import_does_not_load_the_heavy_libraries(module):
    """Neither the library nor the command line (whose every command, ``add`` included, starts by importing all
    of it: a refresh's ``add`` took 0.12 s more with SciPy) loads them before they are used."""
    code = (
        f"import sys, {module}; print(sorted(m for m in ('spacy', 'sklearn', 'scipy', 'matplotlib', 'jieba', 'torch')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_every_public_name_is_documented():
    import cppcc_nlp as cn

    undocumented = [n for n in cn.__all__ if n not in ("__version__",) and not (getattr(cn, n).__doc__ or "").strip()]
    assert undocumented == []
