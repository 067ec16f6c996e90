"""The one reader of lexicon files in the ``slogans.yaml`` shape: YAML lists of mappings and CSV tables.

Both the slogan lexicon (:func:`cppcc_nlp.resources.slogan_lexicon.load_slogan_lexicon`, ``--slogan-lexicon``)
and the domain lexicon of the token pipeline (:func:`cppcc_nlp.resources.lexicon.load_lexicon`, ``--lexicon``)
read ``.yaml``/``.yml``/``.csv`` files here, so a file is accepted or refused the same way by both, with the
same message naming the file and the exact line (YAML lines come from ``yaml.compose``).

An item is a mapping (YAML) or a row under a header (CSV) with the keys :data:`KEYS`::

    - canonical: 同心政协          # required: the form results report, without quote marks, 2+ characters
      variants: [同心政协品牌]      # other written forms (CSV: separated by | or ;)
      kind: branded               # numbered | branded | series | standing
      expansion: null             # the official expansion
      since: 2023                 # the year it entered official use, 1921-2100
      note: 阜新县政协品牌
      quoted_only: false          # match only inside quotes
      exclude: []                 # longer strings in which a match is not this entry

The rule for ``kind``: a slogan lexicon needs it on every item (``require_kind=True``); a term lexicon may leave
it out, since the plain-text term files it sits beside have no kind either.  When ``kind`` is given it is
checked the same way by both.  Every other check (YAML syntax, unknown keys, types, quote marks, years,
duplicates) is the same for both.  Plain-text term files (one term per line) have their own reader in
:mod:`cppcc_nlp.resources.lexicon`.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from cppcc_nlp.errors import LexiconError

#: the four kinds of slogan (see docs/slogans.md)
KINDS = ("numbered", "branded", "series", "standing")
KEYS = {"canonical", "variants", "kind", "expansion", "since", "note", "quoted_only", "exclude"}
MIN_YEAR, MAX_YEAR = 1921, 2100
#: quote marks that never belong to a lexicon form
QUOTE_CHARS = set("“”「」『』\"'‘’《》")
SUFFIXES = (".yaml", ".yml", ".csv")


@dataclass(frozen=True)
class LexiconItem:
    """One validated item of a lexicon file.

    Attributes
    ----------
    canonical : the form results report, stripped, e.g. ``"两个确立"``.
    kind : one of :data:`KINDS`, or ``None`` when the item has none (term lexicons only).
    variants : other written forms, stripped, without the canonical form and without repeats.
    expansion, note : text or ``None``.
    since : a year or ``None``.
    quoted_only : match only inside quotes.
    exclude : longer strings in which a match is not this entry.
    source : the file.
    line : the line on which the item starts (1-based).
    """

    canonical: str
    kind: str | None
    variants: tuple[str, ...] = ()
    expansion: str | None = None
    since: int | None = None
    note: str | None = None
    quoted_only: bool = False
    exclude: tuple[str, ...] = ()
    source: str = ""
    line: int = 0


def strip_quotes(text: str) -> str:
    """``text`` without surrounding quote marks and spaces: ``“两个确立”`` → ``两个确立``."""
    text = text.strip()
    while len(text) >= 2 and text[0] in QUOTE_CHARS and text[-1] in QUOTE_CHARS:
        text = text[1:-1].strip()
    return text


def read_lexicon_file(path, *, require_kind: bool = True) -> list[LexiconItem]:
    """Read and validate one ``.yaml``/``.yml``/``.csv`` lexicon file.

    Parameters
    ----------
    path : path of the file (UTF-8).
    require_kind : every item must have a ``kind`` (a slogan lexicon); ``False`` for a term lexicon.

    Returns
    -------
    list of LexiconItem, in file order.

    Raises
    ------
    LexiconError
        The file is missing, not UTF-8, not a list of mappings, or an item is malformed; the message names the
        file, the line and what to fix.
    """
    path = Path(path)
    if not path.is_file():
        raise LexiconError(path, None, "no such slogan lexicon file (give the path of a .yaml or .csv file)")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise LexiconError(path, line, "not UTF-8 text; save the lexicon as UTF-8") from None
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        raw_items = _yaml_items(path, text)
    elif suffix == ".csv":
        raw_items = _csv_items(path, text)
    else:
        raise LexiconError(path, None, f"unsupported lexicon format {suffix or '(none)'!r}; use .yaml or .csv")
    items, seen = [], {}
    for number, (raw, line, key_lines) in enumerate(raw_items, start=1):
        item = _item(path, number, raw, line, key_lines, require_kind)
        if item.canonical in seen:
            raise LexiconError(
                path,
                line,
                f"{item.canonical!r} is listed twice (first at line {seen[item.canonical]}); merge the two entries",
            )
        seen[item.canonical] = line
        items.append(item)
    return items


def _yaml_items(path: Path, text: str) -> list[tuple[dict, int, dict[str, int]]]:
    """The items of a YAML list of mappings, with the line of each item and of each key."""
    import yaml

    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml: ~10x faster
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise LexiconError(
            path, line, f"not valid YAML ({problem}; check indentation and the ':' after each key)"
        ) from None
    if root is None:
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise LexiconError(
            path, root.start_mark.line + 1, "a lexicon must be a YAML list of mappings (each item starting with '- ')"
        )
    constructor = yaml.SafeLoader("")
    items = []
    for number, node in enumerate(root.value, start=1):
        line = node.start_mark.line + 1
        if not isinstance(node, yaml.MappingNode):
            raise LexiconError(
                path, line, f"item {number} is not a mapping (each item is a mapping with at least 'canonical')"
            )
        value, key_lines = {}, {}
        for key_node, value_node in node.value:
            key, key_line = key_node.value, key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise LexiconError(path, key_line, f"item {number} has a key that is not a name")
            try:
                value[key] = constructor.construct_document(value_node)
            except yaml.YAMLError as exc:
                raise LexiconError(path, key_line, f"not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
            except (ValueError, TypeError) as exc:  # a value the loader cannot build, e.g. the date 2099-13-01
                raise LexiconError(
                    path, value_node.start_mark.line + 1, f"not valid YAML ({exc}; quote values that are not dates)"
                ) from None
            key_lines[key] = key_line
        items.append((value, line, key_lines))
    return items


def _csv_items(path: Path, text: str) -> list[tuple[dict, int, dict[str, int]]]:
    """The rows of a CSV lexicon with a header row, each with its line."""
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "canonical" not in [f.strip() for f in reader.fieldnames]:
        raise LexiconError(
            path,
            1,
            "a CSV lexicon needs a header row with at least 'canonical' (and 'kind' for a "
            "slogan lexicon; optional: variants, expansion, since, note, quoted_only, "
            "exclude); for one term per line, name the file .txt",
        )
    unknown = [f for f in reader.fieldnames if f and f.strip() not in KEYS]
    if unknown:
        raise LexiconError(path, 1, f"unknown column(s) {unknown}; allowed: {sorted(KEYS)}")
    items = []
    for row in reader:
        line = reader.line_num
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        if None in row:
            raise LexiconError(
                path, line, f"more fields than header columns: {row[None]!r} (quote fields that contain commas)"
            )
        value: dict = {}
        for key, raw in row.items():
            key = key.strip()
            raw = (raw or "").strip()
            if key in ("variants", "exclude"):
                value[key] = [v.strip() for v in re.split(r"[|;]", raw) if v.strip()]
            elif key == "quoted_only":
                value[key] = raw.lower() in ("1", "true", "yes", "y")
            else:
                value[key] = raw or None
        items.append((value, line, {k: line for k in value}))
    return items


def _item(path: Path, number: int, item: dict, line: int, key_lines: dict[str, int], require_kind: bool) -> LexiconItem:
    """Validate one raw item (a dict of constructed values)."""

    def fail(key: str | None, problem: str):
        raise LexiconError(path, key_lines.get(key, line) if key else line, problem)

    unknown = sorted(set(item) - KEYS, key=str)
    if unknown:
        fail(unknown[0], f"unknown key {unknown[0]!r}; allowed keys: {', '.join(sorted(KEYS))}")
    canonical = item.get("canonical")
    if canonical is None or canonical == "":
        fail(
            None,
            f"item {number} has no 'canonical' (each item is a mapping with 'canonical', 'kind' and "
            "optional 'variants', 'expansion', 'since', 'note', 'quoted_only', 'exclude')",
        )
    kind = item.get("kind")
    if (kind is None or kind == "") and require_kind:
        fail(
            None,
            f"item {number} ({canonical!r}) has no 'kind'; every slogan lexicon entry needs 'canonical' "
            f"and 'kind' (one of {', '.join(KINDS)})",
        )
    if not isinstance(canonical, str):
        fail("canonical", f"'canonical' must be a string, not {canonical!r}")
    canonical = canonical.strip()
    if strip_quotes(canonical) != canonical or any(c in QUOTE_CHARS for c in canonical):
        fail(
            "canonical",
            f"canonical {canonical!r} contains quote marks; write it without quotes (the detector "
            "handles quoted and unquoted uses)",
        )
    if len(canonical) < 2:
        fail("canonical", f"canonical {canonical!r} is too short (at least 2 characters)")
    if kind is None or kind == "":
        kind = None
    elif kind not in KINDS:
        fail("kind", f"kind {kind!r} of {canonical!r} is not one of {', '.join(KINDS)}")
    variants = _string_list(item, "variants", canonical, fail, non_empty=True)
    for v in variants:
        if any(c in QUOTE_CHARS for c in v):
            fail("variants", f"variant {v!r} of {canonical!r} contains quote marks; list it without quotes")
    since = item.get("since")
    if since is not None:
        try:
            since = int(str(since).strip())
        except ValueError:
            fail("since", f"'since' of {canonical!r} must be a year or null, not {since!r}")
        if not MIN_YEAR <= since <= MAX_YEAR:
            fail("since", f"'since' of {canonical!r} is {since}, outside {MIN_YEAR}-{MAX_YEAR}")
    expansion = item.get("expansion")
    if expansion is not None and not isinstance(expansion, str):
        fail("expansion", f"'expansion' of {canonical!r} must be text or null")
    note = item.get("note")
    exclude = _string_list(item, "exclude", canonical, fail, non_empty=False)
    quoted_only = item.get("quoted_only", False)
    if not isinstance(quoted_only, bool):
        fail("quoted_only", f"'quoted_only' of {canonical!r} must be true or false")
    variants = [v.strip() for v in variants if v.strip() != canonical]
    return LexiconItem(
        canonical=canonical,
        kind=kind,
        variants=tuple(dict.fromkeys(variants)),
        expansion=expansion.strip() if isinstance(expansion, str) else None,
        since=since,
        note=str(note).strip() if note is not None else None,
        quoted_only=quoted_only,
        exclude=tuple(e.strip() for e in exclude if e.strip()),
        source=str(path),
        line=line,
    )


def _string_list(item: dict, key: str, canonical: str, fail, *, non_empty: bool) -> list[str]:
    """``item[key]`` as a list of strings (a single string is a list of one)."""
    value = item.get(key) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and (v.strip() or not non_empty) for v in value):
        what = "non-empty strings" if non_empty else "strings"
        fail(key, f"'{key}' must be a list of {what}, not {item.get(key)!r} (entry {canonical!r})")
    return value
