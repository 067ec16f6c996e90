"""The house rules of the package layout (ARCHITECTURE.md), read from the source with ``ast``.

1. No import cycle between modules, imports inside functions included.
2. Layers import downwards only; nothing outside ``cli/`` imports the CLI.
3. One input coercer: analyses do not duck-type corpora themselves.
4. The parse-cache fingerprint lists every parsing module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "cppcc_nlp"

#: rooms from the bottom up; a module may import its own room, lower layers, and peers named together
LAYERS = [
    {"errors", "_version", "_text", "_cache", "_dask", "_fork", "_hugepages", "_heap"},
    {"resources"},
    {"io"},
    {"corpus"},
    {"tokens"},
    {"slogans", "terms", "topics", "indicators", "dictionary"},
    {"output"},
    {"workflow"},
    {"cli"},
]
RANK = {room: i for i, layer in enumerate(LAYERS) for room in layer}


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path, modules: dict[str, Path]) -> set[str]:
    """Every package module that ``path`` imports, at any depth of the file (functions included)."""
    name = module_name(path)
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            # `from pkg import mod` depends on pkg.mod; `from mod import name` on mod
            targets = [f"{mod}.{a.name}" if f"{mod}.{a.name}" in modules else mod for a in node.names]
        else:
            continue
        for target in targets:
            if not target.startswith("cppcc_nlp"):
                continue
            while target and target not in modules:  # cppcc_nlp.tokens.pipeline.nlp → the module
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def room_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None  # None: the package root (re-exports only)


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = all_modules()
    return {m: imports_of(p, modules) for m, p in modules.items()}


def test_every_module_sits_in_a_known_room(graph):
    unknown = sorted({room_of(m) for m in graph} - set(RANK) - {None})
    assert unknown == [], f"rooms missing from LAYERS (and ARCHITECTURE.md): {unknown}"


def test_no_module_imports_the_package_root(graph):
    # the root re-exports everything; a module importing it would import every room
    offenders = sorted(m for m, deps in graph.items() if "cppcc_nlp" in deps and m != "cppcc_nlp")
    assert offenders == []


def test_layers_import_downwards_only(graph):
    upward = []
    for mod, deps in graph.items():
        room = room_of(mod)
        if room is None:
            continue
        for dep in deps:
            dep_room = room_of(dep)
            if dep_room is None or dep_room == room:
                continue
            if RANK[dep_room] > RANK[room] or (RANK[dep_room] == RANK[room] and RANK[room] > 0):
                upward.append(f"{mod} -> {dep}")  # upwards, or sideways between peer analyses
    assert upward == []


def test_only_the_cli_imports_the_cli(graph):
    offenders = sorted(
        f"{m} -> {d}" for m, deps in graph.items() for d in deps if room_of(d) == "cli" and room_of(m) != "cli"
    )
    assert offenders == []


def test_no_import_cycle(graph):
    # Tarjan's strongly connected components over the module graph
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    # a package's __init__ importing its own modules is not a cycle unless a module imports the __init__ back
    assert cycles == []


def test_the_layering_check_catches_an_upward_import(tmp_path):
    # the check itself can fail: an io module importing the CLI is reported
    fake = {"cppcc_nlp.io.reading": {"cppcc_nlp.cli"}, "cppcc_nlp.cli": set()}
    upward = [f"{m} -> {d}" for m, deps in fake.items() for d in deps if RANK[room_of(d)] > RANK[room_of(m)]]
    assert upward == ["cppcc_nlp.io.reading -> cppcc_nlp.cli"]


def test_parser_fingerprint_covers_every_parsing_module():
    from cppcc_nlp.corpus._document_cache import PARSER_MODULES

    listed = set(PARSER_MODULES)
    parsing = {f"io/{p.name}" for p in (PACKAGE / "io").glob("*.py") if p.name != "__init__.py"}
    parsing |= {"corpus/document.py", "corpus/corpus.py"}
    if (PACKAGE / "_text.py").exists():
        parsing.add("_text.py")
    assert parsing <= listed, f"missing from PARSER_MODULES: {sorted(parsing - listed)}"
    assert all((PACKAGE / rel).is_file() for rel in listed), "PARSER_MODULES names a file that does not exist"


def test_architecture_names_every_module():
    """ARCHITECTURE.md is the map of the house: every module file appears in it by name."""
    text = (PACKAGE.parent / "ARCHITECTURE.md").read_text(encoding="utf-8")
    modules = [p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py"]
    missing = sorted(str(p.relative_to(PACKAGE)) for p in modules if p.name not in text)
    assert not missing, f"not named in ARCHITECTURE.md: {missing}"
