"""The slogan lexicon: curated formulations (提法) with their kind, official expansion and first year.

The package ships ``cppcc_nlp/data/slogans.yaml`` (national formulations 1949–2025).  Users add their own files
of local slogans, in the same YAML shape or as CSV with a header row::

    canonical,variants,kind,expansion,since,note
    同心政协,,branded,,2023,阜新县政协品牌
    两市四区,两市、四区,numbered,,2023,

(CSV ``variants`` are separated by ``|`` or ``;``.)  A malformed file raises :class:`~cppcc_nlp.errors.LexiconError`
naming the file, the line and what to fix.  Files are read by :mod:`cppcc_nlp.resources._lexicon_file`, the
reader the token lexicon (``--lexicon``) uses too: a file is accepted or refused the same way by both.

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

from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd

from cppcc_nlp._text import to_traditional_text

# KINDS, KEYS and QUOTE_CHARS are re-exported: the reader defines them for both lexicons
from cppcc_nlp.resources._lexicon_file import KEYS, KINDS, QUOTE_CHARS, read_lexicon_file, strip_quotes  # noqa: F401

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_LEXICON = DATA_DIR / "slogans.yaml"


LEXICON_COLUMNS = [
    "canonical",
    "kind",
    "expansion",
    "since",
    "variants",
    "note",
    "quoted_only",
    "exclude",
    "source",
    "line",
]


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


def _traditional(form: str) -> str:
    """The traditional-character spelling of ``form`` (OpenCC ``s2t``): 两个确立 → 兩個確立."""
    return to_traditional_text(form)


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
        rows = [
            {
                "canonical": e.canonical,
                "kind": e.kind,
                "expansion": e.expansion,
                "since": e.since,
                "variants": "|".join(e.variants),
                "note": e.note,
                "quoted_only": e.quoted_only,
                "exclude": "|".join(e.exclude),
                "source": e.source,
                "line": e.line,
            }
            for e in self.entries
        ]
        frame = pd.DataFrame(rows, columns=LEXICON_COLUMNS)
        frame["since"] = frame["since"].astype("Int64")
        return frame

    def __repr__(self) -> str:
        return f"SloganLexicon({len(self)} entries from {len(self.sources)} file(s))"


# ------------------------------------------------------------------------------------------------- reading


def read_slogan_file(path) -> list[SloganEntry]:
    """Read and validate one slogan lexicon file (``.yaml``/``.yml`` or ``.csv``); every entry needs a ``kind``.

    The file is read by :func:`cppcc_nlp.resources._lexicon_file.read_lexicon_file`, the reader
    :func:`cppcc_nlp.resources.lexicon.load_lexicon` uses too.

    Raises
    ------
    LexiconError
        The file is missing, not UTF-8, not a list of mappings, or an entry is malformed (names the line).
    """
    return [SloganEntry(**asdict(item)) for item in read_lexicon_file(path, require_kind=True)]


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
    lexicon = SloganLexicon(
        _default_entries() if include_default else (), [str(DEFAULT_LEXICON)] if include_default else []
    )
    for path in paths:
        for entry in read_slogan_file(path):
            lexicon.add(entry)
        lexicon.sources.append(str(path))
    return lexicon
