"""Execute the notebooks papermill-style: the cell tagged ``parameters`` is followed by an injected cell.

    python tools/run_notebooks.py                 # execute every notebook on the bundled corpus, save outputs
    python tools/run_notebooks.py --corpus ../shared/corpora --no-save

Used by the test suite (tests/test_notebooks.py) and to refresh the committed outputs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def inject_parameters(nb, parameters: dict) -> None:
    """Insert a cell tagged ``injected-parameters`` after the ``parameters`` cell (as papermill does)."""
    if not parameters:
        return
    index = next((i for i, cell in enumerate(nb.cells) if "parameters" in cell.metadata.get("tags", [])), None)
    if index is None:
        raise ValueError("the notebook has no cell tagged 'parameters'")
    source = "# Parameters injected by tools/run_notebooks.py\n" + "\n".join(
        f"{name} = {value!r}" for name, value in parameters.items()
    )
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    nb.cells.insert(index + 1, cell)


def execute(path: Path, parameters: dict | None = None, timeout: int = 900):
    """Execute the notebook at ``path`` in its own folder and return it (raises on any cell error)."""
    nb = nbformat.read(path, as_version=4)
    inject_parameters(nb, parameters or {})
    NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    return nb


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="notebook file names (default: all)")
    parser.add_argument("--corpus", help="corpus path to inject as CORPUS (default: the notebook's own)")
    parser.add_argument("--no-save", action="store_true", help="execute only; do not write outputs back")
    args = parser.parse_args(argv)
    paths = [NOTEBOOKS / n for n in args.names] or sorted(NOTEBOOKS.glob("*.ipynb"))
    for path in paths:
        params = {"CORPUS": str(Path(args.corpus).resolve())} if args.corpus else {}
        nb = execute(path, params)
        if not args.no_save:
            nbformat.write(nb, path)
        print(f"ok  {path.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
