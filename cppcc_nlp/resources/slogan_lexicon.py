"""The slogan lexicon: curated formulations (提法) with their kind, official expansion and first year.

The package ships ``cppcc_nlp/data/slogans.yaml`` (national formulations 1949–2025).  Users add their own files
of local slogans, in the same YAML shape or as CSV with a header row::

    canonical,variants,kind,expansion,since,note
    同心政协,,branded,,2023,阜新县政协品牌
    两市四区,两市、四区,numbered,,2023,

(CSV ``variants`` are separated by ``|`` or ``;``.)  A malformed file raises :class:`~cppcc_nlp.errors.LexiconError`
naming the file, the line and what to fix.

Matching forms
--------------
Each entry matches its ``canonical`` form and every ``variants`` entry, plus the forms the code derives:

* 两/二: a form starting with ``两`` also matches with ``二`` (``二个确立`` in OCR'd or older texts), and back;
* full-width/half-width ``+``: ``互联网+`` also matches ``互联网＋``;
* series punctuation: ``把方向、管大局、保落实`` also matches with ``，`` between its parts;
* traditional characters (OpenCC ``s2t``): ``兩個確立`` in an unconverted traditional report is 两个确立
  (the canonical form stays simplified; ``text`` keeps what is written).

Quotes are never part of a form: the detector looks at the characters around a match to set ``quoted``.
An entry with ``quoted_only: true`` matches only inside quotes (“十五” the plan, not 十五届 the session), and
``exclude`` lists longer strings in which a match is not the entry (新发展理念 inside 创新发展理念).

Examples
--------
>>> from cppcc_nlp.resources.slogan_lexicon import load_slogan_lexicon
>>> lex = load_slogan_lexicon()
>>> lex["两个确立"].kind, lex["两个确立"].since
('numbered', 2022)
>>> lex.lookup("三个代表重要思想").canonical
'三个代表'
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd

from cppcc_nlp.errors import LexiconError

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_LEXICON = DATA_DIR / "slogans.yaml"

#: the four kinds of slogan (see docs/slogans.md)
KINDS = ("numbered", "branded", "series", "standing")
KEYS = {"canonical", "variants", "kind", "expansion", "since", "note", "quoted_only", "exclude"}
REQUIRED = ("canonical", "kind")
MIN_YEAR, MAX_YEAR = 1921, 2100
QUOTE_CHARS = set("“”「」『』\"'‘’《》")

LEXICON_COLUMNS = ["canonical", "kind", "expansion", "since", "variants", "note", "quoted_only", "exclude",
                   "source", "line"]


@dataclass(frozen=True)
class SloganEntry:
    """One formulation of a slogan lexicon.

    Attributes
    ----------
    canonical : the form results report, e.g. ``"两个确立"``.
    kind : ``"numbered" | "branded" | "series" | "standing"``.
    variants : other written forms of the same formulation (without quotes).
    expansion : the official expansion, or None.
    since : the year the formulation entered official use, or None.
    note : free text, or None.
    quoted_only : match only inside quotes.
    exclude : longer strings in which a match is not this formulation.
    source : the file the entry came from.
    line : the line of the entry in that file (1-based).
    """

    canonical: str
    kind: str
    variants: tuple[str, ...] = ()
    expansion: str | None = None
    since: int | None = None
    note: str | None = None
    quoted_only: bool = False
    exclude: tuple[str, ...] = ()
    source: str = ""
    line: int = 0

    def forms(self) -> list[str]:
        """Every written form this entry matches, longest first (the derived forms included)."""
        out: list[str] = []
        for form in (self.canonical, *self.variants):
            for derived in derived_forms(form):
                for f in (derived, _traditional(derived)):
                    if f not in out:
                        out.append(f)
        return sorted(out, key=lambda f: (-len(f), f))


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def _traditional(form: str) -> str:
    """The traditional-character spelling of ``form`` (OpenCC ``s2t``): 两个确立 → 兩個確立."""
    return _s2t().convert(form)


def derived_forms(form: str) -> list[str]:
    """The forms matched for one written form: itself, its 两/二 twin, its ＋/+ twin, its ，/、 twin."""
    forms = [form]
    if form[:1] == "两":
        forms.append("二" + form[1:])
    elif form[:1] == "二" and len(form) > 2 and form[1] in "个项大":
        forms.append("两" + form[1:])
    for a, b in (("+", "＋"), ("＋", "+"), ("、", "，"), ("，", "、")):
        forms.extend(f.replace(a, b) for f in list(forms) if a in f)
    return list(dict.fromkeys(forms))


class SloganLexicon:
    """A set of :class:`SloganEntry`, looked up by canonical or by any written form.

    Build one with :func:`load_slogan_lexicon`.  Later files override earlier ones entry by entry (same
    ``canonical``), so a user file can correct the bundled ``since`` or add variants.

    Attributes
    ----------
    entries : list of SloganEntry, in file order.
    sources : list of str, the files read.
    """

    def __init__(self, entries: Iterable[SloganEntry] = (), sources: Iterable[str] = ()):
        self.entries: list[SloganEntry] = []
        self._by_canonical: dict[str, SloganEntry] = {}
        self.sources = list(sources)
        for entry in entries:
            self.add(entry)

    def add(self, entry: SloganEntry) -> None:
        """Add ``entry``, replacing an entry with the same canonical form."""
        if entry.canonical in self._by_canonical:
            self.entries = [e for e in self.entries if e.canonical != entry.canonical]
        self.entries.append(entry)
        self._by_canonical[entry.canonical] = entry
        self.__dict__.pop("_form_index", None)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[SloganEntry]:
        return iter(self.entries)

    def __contains__(self, canonical: str) -> bool:
        return canonical in self._by_canonical

    def __getitem__(self, canonical: str) -> SloganEntry:
        try:
            return self._by_canonical[canonical]
        except KeyError:
            raise KeyError(f"{canonical!r} is not a canonical form of this slogan lexicon") from None

    @property
    def form_index(self) -> dict[str, SloganEntry]:
        """Written form → entry; when two entries share a form, the later file wins."""
        index = self.__dict__.get("_form_index")
        if index is None:
            index = {}
            for entry in self.entries:
                for form in entry.forms():
                    index[form] = entry
            self.__dict__["_form_index"] = index
        return index

    def lookup(self, form: str) -> SloganEntry | None:
        """The entry that ``form`` (quotes stripped) belongs to, or None."""
        return self.form_index.get(strip_quotes(form))

    def to_frame(self) -> pd.DataFrame:
        """The lexicon as a DataFrame with columns :data:`LEXICON_COLUMNS` (variants joined by ``|``)."""
        rows = [{"canonical": e.canonical, "kind": e.kind, "expansion": e.expansion,
                 "since": e.since, "variants": "|".join(e.variants), "note": e.note,
                 "quoted_only": e.quoted_only, "exclude": "|".join(e.exclude),
                 "source": e.source, "line": e.line} for e in self.entries]
        frame = pd.DataFrame(rows, columns=LEXICON_COLUMNS)
        frame["since"] = frame["since"].astype("Int64")
        return frame

    def __repr__(self) -> str:
        return f"SloganLexicon({len(self)} entries from {len(self.sources)} file(s))"


def strip_quotes(text: str) -> str:
    """``text`` without surrounding quote marks and spaces: ``“两个确立”`` → ``两个确立``."""
    text = text.strip()
    while len(text) >= 2 and text[0] in QUOTE_CHARS and text[-1] in QUOTE_CHARS:
        text = text[1:-1].strip()
    return text


# ------------------------------------------------------------------------------------------------- reading


def _yaml_items(path: Path, text: str) -> list[tuple[dict, int, dict[str, int]]]:
    """Parse a YAML list of mappings, keeping the line of each item and of each key."""
    import yaml

    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise LexiconError(path, line, f"not valid YAML: {problem} (check indentation and the ':' after each "
                                       "key)") from None
    if root is None:
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise LexiconError(path, root.start_mark.line + 1,
                           "a slogan lexicon must be a YAML list of mappings (each item starting with '- ')")
    items = []
    for node in root.value:
        line = node.start_mark.line + 1
        if not isinstance(node, yaml.MappingNode):
            raise LexiconError(path, line, "each item must be a mapping with at least 'canonical' and 'kind'")
        key_lines = {k.value: k.start_mark.line + 1 for k, _ in node.value}
        try:
            value = yaml.safe_load(yaml.serialize(node))
        except yaml.YAMLError as exc:  # pragma: no cover - composed already
            raise LexiconError(path, line, f"not valid YAML: {exc}") from None
        items.append((value, line, key_lines))
    return items


def _csv_items(path: Path, text: str) -> list[tuple[dict, int, dict[str, int]]]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "canonical" not in [f.strip() for f in reader.fieldnames]:
        raise LexiconError(path, 1, "a CSV slogan lexicon needs a header row with at least 'canonical' and "
                                    "'kind' (optional: variants, expansion, since, note, quoted_only, exclude)")
    unknown = [f for f in reader.fieldnames if f and f.strip() not in KEYS]
    if unknown:
        raise LexiconError(path, 1, f"unknown column(s) {unknown}; allowed: {sorted(KEYS)}")
    items = []
    for row in reader:
        line = reader.line_num
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        if None in row:
            raise LexiconError(path, line, f"more fields than header columns: {row[None]!r} (quote fields that "
                                           "contain commas)")
        value: dict = {}
        for key, raw in row.items():
            key = key.strip()
            raw = (raw or "").strip()
            if key in ("variants", "exclude"):
                value[key] = [v.strip() for v in re.split(r"[|;]", raw) if v.strip()]
            elif key == "quoted_only":
                value[key] = raw.lower() in ("1", "true", "yes", "y")
            elif key == "since":
                value[key] = raw or None
            else:
                value[key] = raw or None
        items.append((value, line, {k: line for k in value}))
    return items


def _entry(path: Path, item: dict, line: int, key_lines: dict[str, int]) -> SloganEntry:
    def fail(key: str | None, problem: str):
        raise LexiconError(path, key_lines.get(key, line) if key else line, problem)

    unknown = sorted(set(item) - KEYS)
    if unknown:
        fail(unknown[0], f"unknown key {unknown[0]!r}; allowed keys: {', '.join(sorted(KEYS))}")
    for key in REQUIRED:
        if not item.get(key):
            fail(None, f"item has no {key!r}; every entry needs 'canonical' and 'kind'")
    canonical = item["canonical"]
    if not isinstance(canonical, str):
        fail("canonical", f"'canonical' must be a string, not {canonical!r}")
    canonical = canonical.strip()
    if strip_quotes(canonical) != canonical or any(c in QUOTE_CHARS for c in canonical):
        fail("canonical", f"canonical {canonical!r} contains quote marks; write it without quotes (the detector "
                          "handles quoted and unquoted uses)")
    if len(canonical) < 2:
        fail("canonical", f"canonical {canonical!r} is too short (at least 2 characters)")
    kind = item["kind"]
    if kind not in KINDS:
        fail("kind", f"kind {kind!r} of {canonical!r} is not one of {', '.join(KINDS)}")
    variants = item.get("variants") or []
    if isinstance(variants, str):
        variants = [variants]
    if not isinstance(variants, list) or not all(isinstance(v, str) and v.strip() for v in variants):
        fail("variants", f"'variants' of {canonical!r} must be a list of non-empty strings")
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
    exclude = item.get("exclude") or []
    if isinstance(exclude, str):
        exclude = [exclude]
    if not isinstance(exclude, list) or not all(isinstance(v, str) for v in exclude):
        fail("exclude", f"'exclude' of {canonical!r} must be a list of strings")
    quoted_only = item.get("quoted_only", False)
    if not isinstance(quoted_only, bool):
        fail("quoted_only", f"'quoted_only' of {canonical!r} must be true or false")
    variants = [v.strip() for v in variants if v.strip() != canonical]
    return SloganEntry(canonical=canonical, kind=kind, variants=tuple(dict.fromkeys(variants)),
                       expansion=expansion.strip() if isinstance(expansion, str) else None,
                       since=since, note=str(note).strip() if note is not None else None,
                       quoted_only=quoted_only, exclude=tuple(e.strip() for e in exclude if e.strip()),
                       source=str(path), line=line)


def read_slogan_file(path) -> list[SloganEntry]:
    """Read and validate one slogan lexicon file (``.yaml``/``.yml`` or ``.csv``).

    Raises
    ------
    LexiconError
        The file is missing, not UTF-8, not a list of mappings, or an entry is malformed (names the line).
    """
    path = Path(path)
    if not path.is_file():
        raise LexiconError(path, None, "no such slogan lexicon file (give a .yaml or .csv path)")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise LexiconError(path, line, "not UTF-8 text; save the lexicon as UTF-8") from None
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        items = _yaml_items(path, text)
    elif suffix == ".csv":
        items = _csv_items(path, text)
    else:
        raise LexiconError(path, None, f"unsupported lexicon format {suffix or '(none)'!r}; use .yaml or .csv")
    entries, seen = [], {}
    for item, line, key_lines in items:
        entry = _entry(path, item, line, key_lines)
        if entry.canonical in seen:
            raise LexiconError(path, line, f"{entry.canonical!r} is listed twice (first at line "
                                           f"{seen[entry.canonical]}); merge the two entries")
        seen[entry.canonical] = line
        entries.append(entry)
    return entries


@lru_cache(maxsize=8)
def _default_entries() -> tuple[SloganEntry, ...]:
    return tuple(read_slogan_file(DEFAULT_LEXICON))


def load_slogan_lexicon(paths=None, *, include_default: bool = True) -> SloganLexicon:
    """The bundled slogan lexicon plus the user's files.

    Parameters
    ----------
    paths : path, SloganLexicon or list of paths, optional
        User lexicon files (YAML or CSV); later files override earlier ones entry by entry.  A
        :class:`SloganLexicon` is returned as it is.
    include_default : bool, default True
        Start from the bundled ``cppcc_nlp/data/slogans.yaml``.

    Returns
    -------
    SloganLexicon

    Examples
    --------
    >>> lex = load_slogan_lexicon()
    >>> len(lex) >= 120
    True
    """
    if isinstance(paths, SloganLexicon):
        return paths
    if paths is None:
        paths = []
    elif isinstance(paths, (str, Path)):
        paths = [paths]
    lexicon = SloganLexicon(_default_entries() if include_default else (),
                            [str(DEFAULT_LEXICON)] if include_default else [])
    for path in paths:
        for entry in read_slogan_file(path):
            lexicon.add(entry)
        lexicon.sources.append(str(path))
    return lexicon
