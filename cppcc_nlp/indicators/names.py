"""The indicator names: which words name which indicator, in which units (``cppcc_nlp/data/indicators.yaml``).

One reader, :func:`load_indicator_names`, for the bundled file and users' files of the same shape (see the
comments at the top of ``indicators.yaml``).  A malformed file raises :class:`~cppcc_nlp.errors.LexiconError`
naming the file and the line.

Examples
--------
>>> names = load_indicator_names()
>>> names["城镇新增就业"].units
('万人', '人')
>>> [n.name for n in names.by_alias("国内生产总值")]
['国内生产总值增长', '国内生产总值']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cppcc_nlp.errors import LexiconError

DEFAULT_NAMES = Path(__file__).resolve().parent.parent / "data" / "indicators.yaml"
KEYS = {"name", "aliases", "units", "words", "level", "direction", "max_gap", "note"}
LEVELS = ("national", "regional")
DIRECTIONS = ("floor", "ceiling")
DEFAULT_MAX_GAP = 24


@dataclass(frozen=True)
class IndicatorName:
    """One indicator of the names file (see ``indicators.yaml`` for the meaning of each key)."""

    name: str
    aliases: tuple[str, ...]
    units: tuple[str, ...]
    words: tuple[str, ...] = ()
    level: str | None = None
    direction: str | None = None
    max_gap: int = DEFAULT_MAX_GAP
    note: str | None = None
    source: str = ""
    line: int = 0


@dataclass
class IndicatorNames:
    """The indicators, units and break words in force; build with :func:`load_indicator_names`."""

    indicators: dict[str, IndicatorName] = field(default_factory=dict)
    units: tuple[str, ...] = ()
    breaks: tuple[str, ...] = ()
    sources: list[str] = field(default_factory=list)

    def __getitem__(self, name: str) -> IndicatorName:
        return self.indicators[name]

    def __iter__(self):
        return iter(self.indicators.values())

    def __len__(self) -> int:
        return len(self.indicators)

    def by_alias(self, alias: str) -> list[IndicatorName]:
        """The indicators named by ``alias``, in file order."""
        return [ind for ind in self.indicators.values() if alias in ind.aliases]

    def aliases(self) -> list[str]:
        """Every alias, longest first."""
        return sorted({a for ind in self for a in ind.aliases}, key=lambda a: (-len(a), a))

    def all_units(self) -> tuple[str, ...]:
        """The units of the file and of every indicator (scales stripped)."""
        units = set(self.units)
        for ind in self:
            units.update(u.removeprefix("万亿").removeprefix("亿").removeprefix("万") or u for u in ind.units)
        return tuple(sorted(units))


def _string_list(path, value, line: int, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) and str(v).strip() for v in value):
        raise LexiconError(path, line, f"'{key}' must be a list of non-empty strings, got {value!r}")
    return tuple(str(v).strip() for v in value)


def _loader():
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _compose(path: Path, text: str):
    import yaml

    try:
        root = yaml.compose(text, Loader=_loader())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise LexiconError(
            path,
            mark.line + 1 if mark is not None else None,
            f"not valid YAML: {problem} (check indentation and the ':' after each key)",
        ) from None
    if root is None:
        raise LexiconError(path, None, "the file is empty (give a mapping with 'indicators:')")
    if not isinstance(root, yaml.MappingNode):
        raise LexiconError(
            path,
            root.start_mark.line + 1,
            "the file must be a mapping with the keys 'indicators' and optionally 'units', 'breaks'",
        )
    return root


def read_indicator_file(path) -> tuple[list[IndicatorName], tuple[str, ...], tuple[str, ...]]:
    """Read and validate one names file: its indicators, units and break words.

    Raises
    ------
    LexiconError
        The file is missing, not UTF-8, not YAML, or a row is malformed (names the line and what to fix).
    """
    import yaml

    path = Path(path)
    if not path.is_file():
        raise LexiconError(path, None, "no such indicator names file (give a .yaml path)")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise LexiconError(path, None, "not UTF-8 text (save the file as UTF-8)") from None
    root = _compose(path, text)
    data = yaml.load(text, Loader=_loader())  # the values; the nodes give the lines
    units: tuple[str, ...] = ()
    breaks: tuple[str, ...] = ()
    indicators: list[IndicatorName] = []
    for key_node, value_node in root.value:
        key, line = key_node.value, key_node.start_mark.line + 1
        value = data[key]
        if key == "units":
            units = _string_list(path, value, line, "units")
        elif key == "breaks":
            breaks = _string_list(path, value, line, "breaks")
        elif key == "indicators":
            if not isinstance(value_node, yaml.SequenceNode):
                raise LexiconError(
                    path, line, "'indicators' must be a list of mappings (each row starts with '- name:')"
                )
            for node, item in zip(value_node.value, value):
                indicators.append(_indicator(path, node, item))
        else:
            raise LexiconError(path, line, f"unknown key {key!r} (known: indicators, units, breaks)")
    return indicators, units, breaks


def _indicator(path: Path, node, item) -> IndicatorName:
    import yaml

    line = node.start_mark.line + 1
    if not isinstance(node, yaml.MappingNode) or not isinstance(item, dict):
        raise LexiconError(path, line, "each indicator must be a mapping with 'name', 'aliases' and 'units'")
    key_lines = {k.value: k.start_mark.line + 1 for k, _ in node.value}
    unknown = sorted(set(item) - KEYS)
    if unknown:
        raise LexiconError(
            path, key_lines[unknown[0]], f"unknown key {unknown[0]!r} (known: {', '.join(sorted(KEYS))})"
        )
    for key in ("name", "aliases", "units"):
        if not item.get(key):
            raise LexiconError(path, line, f"indicator without '{key}' (every row needs name, aliases and units)")
    name = item["name"]
    if not isinstance(name, str) or not name.strip():
        raise LexiconError(path, key_lines["name"], f"'name' must be a non-empty string, got {name!r}")
    level, direction = item.get("level"), item.get("direction")
    if level is not None and level not in LEVELS:
        raise LexiconError(path, key_lines["level"], f"'level' must be one of {LEVELS}, got {level!r}")
    if direction is not None and direction not in DIRECTIONS:
        raise LexiconError(path, key_lines["direction"], f"'direction' must be one of {DIRECTIONS}, got {direction!r}")
    max_gap = item.get("max_gap", DEFAULT_MAX_GAP)
    if not isinstance(max_gap, int) or isinstance(max_gap, bool) or max_gap < 0:
        raise LexiconError(path, key_lines["max_gap"], f"'max_gap' must be a whole number >= 0, got {max_gap!r}")
    return IndicatorName(
        name=name.strip(),
        aliases=_string_list(path, item["aliases"], key_lines["aliases"], "aliases"),
        units=_string_list(path, item["units"], key_lines["units"], "units"),
        words=_string_list(path, item["words"], key_lines["words"], "words") if item.get("words") else (),
        level=level,
        direction=direction,
        max_gap=max_gap,
        note=item.get("note"),
        source=str(path),
        line=line,
    )


def load_indicator_names(paths=None, *, include_default: bool = True) -> IndicatorNames:
    """The bundled indicator names plus the users' files ``paths`` (a path or a list; later files win).

    Parameters
    ----------
    paths : str, Path, list of them, an :class:`IndicatorNames` (returned as is) or None.
    include_default : bool
        Start from ``cppcc_nlp/data/indicators.yaml``.
    """
    if isinstance(paths, IndicatorNames):
        return paths
    if paths is None:
        paths = []
    elif isinstance(paths, (str, Path)):
        paths = [paths]
    files = ([DEFAULT_NAMES] if include_default else []) + [Path(p) for p in paths]
    names = IndicatorNames()
    units: list[str] = []
    breaks: list[str] = []
    for path in files:
        rows, file_units, file_breaks = read_indicator_file(path)
        for row in rows:
            names.indicators.pop(row.name, None)
            names.indicators[row.name] = row
        units.extend(file_units)
        breaks.extend(file_breaks)
        names.sources.append(str(path))
    names.units = tuple(dict.fromkeys(units))
    names.breaks = tuple(dict.fromkeys(breaks))
    return names
