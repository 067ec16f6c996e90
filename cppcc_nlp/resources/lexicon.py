"""The domain lexicon: multi-word policy terms and formulations that the token pipeline keeps whole.

General-purpose segmenters split political vocabulary (pkuseg: ``两 / 个 / 确立``, ``全 / 过程 / 人民 / 民主``,
``审议县 / 政协``).  The lexicon lists the words that must come out as one token.  It is the union of

* the bundled term list ``cppcc_nlp/data/domain_terms.txt`` (one term per line, ``#`` starts a comment),
* every ``canonical`` form and every ``variants`` entry of the slogan lexicon ``cppcc_nlp/data/slogans.yaml``
  (when that file is present), and
* any files the user names: plain-text files in the same one-term-per-line format, or slogan lexicon files
  (``.yaml``/``.yml`` shaped like ``slogans.yaml``, or ``.csv`` with a header row), read and checked by
  :mod:`cppcc_nlp.resources._lexicon_file` exactly as the slogan lexicon reads them, except that ``kind`` may
  be left out (such items get the kind ``"slogan"``).

Only *words* can be tokens: an entry made of letters, digits and the joiners ``+ · -``.  Quoted series such as
``把方向、管大局、保落实`` are slogans but not words; when they come from a YAML slogan lexicon they are set aside
in :attr:`Lexicon.skipped` (the slogan detector matches them on the text), and in a plain-text term file they
are an error, since a term file should hold terms.

The lexicon carries a ``version``: a hash of its sorted entries.  The token cache is keyed by it, and
:meth:`Lexicon.changed_entries` tells the cache which paragraphs a lexicon change can affect.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd

from cppcc_nlp._text import to_simplified_text
from cppcc_nlp.errors import LexiconError
from cppcc_nlp.resources._lexicon_file import SUFFIXES as LEXICON_FILE_SUFFIXES
from cppcc_nlp.resources._lexicon_file import read_lexicon_file

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DOMAIN_TERMS = DATA_DIR / "domain_terms.txt"
SLOGANS = DATA_DIR / "slogans.yaml"

#: characters allowed inside an entry besides letters, digits and marks
JOINERS = frozenset("+＋·・-－")
MIN_CHARS = 2
MAX_CHARS = 40

LEXICON_COLUMNS = ["term", "n_chars", "kind", "quoted_only", "exclude", "source", "line"]


@dataclass(frozen=True)
class LexiconEntry:
    """One lexicon entry and where it came from.

    Attributes
    ----------
    term : the word kept whole, e.g. ``"全过程人民民主"``.
    kind : ``"term"`` for term files, the slogan ``kind`` (``"numbered"``, ``"branded"`` …) for YAML entries.
    source : the file the entry was read from.
    line : its line number in the file (1-based; for a YAML or CSV item, the line on which the item starts).
    quoted_only : kept whole only when it stands inside quotes (“十五” the plan, not 十五届 the session);
        from the YAML key ``quoted_only``.
    exclude : longer strings in which a match is not this entry (新发展理念 inside 创新发展理念); from the YAML
        key ``exclude``.
    """

    term: str
    kind: str
    source: str
    line: int
    quoted_only: bool = False
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lexicon:
    """A loaded domain lexicon: unique entries, where they came from, and a version hash.

    Attributes
    ----------
    entries : tuple of str, sorted, unique.  The words the pipeline keeps whole.
    records : tuple of :class:`LexiconEntry`, the first occurrence of each entry.
    sources : tuple of str, the files read, in order.
    skipped : tuple of (str, str, str), ``(text, source, reason)`` for YAML items that are not words.
    version : str, 16 hex digits hashing the sorted entries (independent of file order and comments).

    Examples
    --------
    >>> lex = load_lexicon()
    >>> "全过程人民民主" in lex
    True
    >>> len(lex.version)
    16
    """

    entries: tuple[str, ...]
    records: tuple[LexiconEntry, ...] = field(repr=False)
    sources: tuple[str, ...]
    skipped: tuple[tuple[str, str, str], ...] = field(default=(), repr=False)

    @cached_property
    def version(self) -> str:
        return lexicon_version(self.signatures())

    def signatures(self) -> tuple[str, ...]:
        """One line per entry: the term, plus its ``quoted_only`` and ``exclude`` settings when set.

        Two lexicons with the same signatures segment every text the same way.
        """
        return tuple(_signature(r) for r in self.records)

    @property
    def quoted_only(self) -> frozenset[str]:
        """Entries kept whole only inside quotes."""
        return frozenset(r.term for r in self.records if r.quoted_only)

    @property
    def exclude(self) -> dict[str, tuple[str, ...]]:
        """``{entry: longer strings in which it is not matched}`` for the entries that have such strings."""
        return {r.term: r.exclude for r in self.records if r.exclude}

    def __contains__(self, term: object) -> bool:
        return term in self._entry_set

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def _entry_set(self) -> frozenset[str]:
        cached = self.__dict__.get("_set")
        if cached is None:
            cached = frozenset(self.entries)
            object.__setattr__(self, "_set", cached)
        return cached

    def changed_entries(self, other: "Lexicon | Iterable[str]") -> frozenset[str]:
        """Terms added, removed or re-flagged between this lexicon and ``other``.

        ``other`` is a Lexicon or its :meth:`signatures`.  A paragraph in which none of these terms occurs is
        segmented identically under both lexicons, so the token cache can keep it.
        """
        theirs = frozenset(other.signatures() if isinstance(other, Lexicon) else other)
        return frozenset(sig.split("\t", 1)[0] for sig in frozenset(self.signatures()) ^ theirs)

    def to_frame(self) -> pd.DataFrame:
        """The entries as a DataFrame: ``term, n_chars, kind, quoted_only, exclude, source, line``."""
        rows = [
            (r.term, len(r.term), r.kind, r.quoted_only, "|".join(r.exclude), r.source, r.line) for r in self.records
        ]
        return pd.DataFrame(rows, columns=LEXICON_COLUMNS).sort_values("term", ignore_index=True)


def _signature(record: LexiconEntry) -> str:
    sig = record.term
    if record.quoted_only or record.exclude:
        sig += "\t" + ("quoted" if record.quoted_only else "") + "\t" + "|".join(record.exclude)
    return sig


def save_lexicon(
    terms, path, *, top: int | None = None, skip_known: bool = True, comment: str | None = None
) -> pd.DataFrame:
    """Write terms to a plain-text lexicon file that :func:`load_lexicon` and ``nlp(lexicon=[path])`` read.

    The usual source is :func:`cppcc_nlp.extract_terms` on your own corpus: adding its best terms makes the
    token pipeline keep them whole on the next run (a two-pass workflow; see ``docs/tokens.md`` for the
    measured effect).

    Parameters
    ----------
    terms : DataFrame with a ``term`` column (best first), or an iterable of str
    path : file to write (UTF-8, one term per line, replaced if it exists)
    top : keep the first ``top`` terms before filtering
    skip_known : leave out terms already in the bundled lexicon
    comment : a first line, written as ``# comment``

    Returns
    -------
    DataFrame
        ``term, written, reason`` for every term considered: ``reason`` says why a term was left out
        (not a single word, a duplicate, already bundled).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "mine.txt"
    >>> save_lexicon(["两市四区", "高质量发展", "把方向、管大局"], out)["written"].tolist()
    [True, False, False]
    >>> load_lexicon(out, defaults=False).entries
    ('两市四区',)
    """
    words = list(terms["term"]) if isinstance(terms, pd.DataFrame) else list(terms)
    if top is not None:
        words = words[:top]
    known = set(load_lexicon().entries) if skip_known else set()
    rows, kept, seen = [], [], set()
    for raw in words:
        term = unicodedata.normalize("NFC", str(raw).strip())
        reason = word_problem(term)
        if reason is None and term in seen:
            reason = "duplicate"
        if reason is None and term in known:
            reason = "already in the bundled lexicon"
        rows.append((term, reason is None, reason or ""))
        if reason is None:
            kept.append(term)
            seen.add(term)
    path = Path(path).expanduser()
    header = [f"# {line}" for line in (comment or "").splitlines() if line.strip()]
    try:
        path.write_text("\n".join(header + kept) + "\n", encoding="utf-8")
    except OSError as exc:
        from cppcc_nlp.errors import OutputError

        raise OutputError(f"{path}: cannot write the lexicon ({exc.strerror}); choose a writable path") from None
    return pd.DataFrame(rows, columns=["term", "written", "reason"])


def lexicon_coverage(token_table: pd.DataFrame, lexicon: Lexicon | None = None) -> pd.DataFrame:
    """How often each lexicon entry occurs as a token: which entries a corpus uses, and when.

    Parameters
    ----------
    token_table : DataFrame
        The table of :func:`cppcc_nlp.tokens`.
    lexicon : Lexicon, optional
        Default: the bundled lexicon.  Entries never seen get ``freq == 0``.

    Returns
    -------
    DataFrame
        ``term, kind, freq, n_docs, first_year, last_year`` sorted by ``freq`` (descending) then ``term``.
        A traditional spelling in the text counts for its simplified entry.
    """
    from cppcc_nlp.errors import InputError

    if not isinstance(token_table, pd.DataFrame):
        raise InputError(
            f"lexicon_coverage() needs the token table of cppcc_nlp.tokens(corpus), not "
            f"{type(token_table).__name__} (call cn.lexicon_coverage(cn.tokens(corpus)))"
        )
    missing = [c for c in ("doc_id", "year", "token", "in_lexicon") if c not in token_table.columns]
    if missing:
        raise InputError(
            f"lexicon_coverage(): the table lacks the column(s) {', '.join(map(repr, missing))} "
            "(pass the token table of cppcc_nlp.tokens(corpus))"
        )
    lex = lexicon if lexicon is not None else load_lexicon()
    kinds = {r.term: r.kind for r in lex.records}
    hits = token_table.loc[token_table["in_lexicon"].to_numpy(dtype=bool), ["token", "doc_id", "year"]].copy()
    if len(hits):
        simplified = {w: (w if w in kinds else to_simplified_text(w)) for w in hits["token"].unique()}
        hits["term"] = hits["token"].map(simplified)
    else:
        hits["term"] = pd.Series(dtype=object)
    hits = hits[hits["term"].isin(kinds)]
    grouped = hits.groupby("term").agg(
        freq=("doc_id", "size"), n_docs=("doc_id", "nunique"), first_year=("year", "min"), last_year=("year", "max")
    )
    out = grouped.reindex(sorted(kinds)).reset_index().rename(columns={"index": "term"})
    out["freq"] = out["freq"].fillna(0).astype("int64")
    out["n_docs"] = out["n_docs"].fillna(0).astype("int64")
    out["first_year"] = out["first_year"].astype("Int64")
    out["last_year"] = out["last_year"].astype("Int64")
    out.insert(1, "kind", out["term"].map(kinds))
    return out.sort_values(["freq", "term"], ascending=[False, True], ignore_index=True)


def lexicon_version(entries: Iterable[str]) -> str:
    """A 16-hex-digit hash of a set of entries or signatures (order and duplicates do not matter)."""
    text = "\n".join(sorted(set(entries)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def word_problem(term: str) -> str | None:
    """Why ``term`` cannot be a lexicon entry, or ``None`` when it can."""
    if len(term) < MIN_CHARS:
        return f"{term!r} is shorter than {MIN_CHARS} characters"
    if len(term) > MAX_CHARS:
        return f"{term[:20]!r}… is longer than {MAX_CHARS} characters"
    for ch in term:
        if ch.isspace():
            return f"{term!r} contains whitespace (write one term per line, no spaces inside a term)"
        cat = unicodedata.category(ch)
        if cat[0] in "LNM" or ch in JOINERS:
            continue
        if cat[0] == "C":
            return f"{term!r} contains the control character U+{ord(ch):04X}"
        return f"{term!r} contains the punctuation {ch!r}; a lexicon entry must be a single word"
    if all(unicodedata.category(ch)[0] == "N" for ch in term):
        return f"{term!r} is only digits"
    return None


def _read_text_file(path: Path) -> list[LexiconEntry]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise LexiconError(path, None, "no such lexicon file (give the path of a .txt or .yaml lexicon)") from None
    except OSError as exc:
        raise LexiconError(path, None, f"cannot read the file ({exc.strerror})") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    entries = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise LexiconError(path, number, "the line is not valid UTF-8 (save the lexicon as UTF-8)") from None
        term = unicodedata.normalize("NFC", line.split("#", 1)[0].strip())
        if not term:
            continue
        problem = word_problem(term)
        if problem:
            raise LexiconError(path, number, problem)
        entries.append(LexiconEntry(term, "term", str(path), number))
    return entries


def _read_yaml_file(path: Path) -> tuple[list[LexiconEntry], list[tuple[str, str, str]]]:
    """The word forms of a YAML or CSV lexicon, read by the reader the slogan lexicon uses (``kind`` optional)."""
    entries, skipped = [], []
    for item in read_lexicon_file(path, require_kind=False):
        kind = item.kind or "slogan"
        for form in (item.canonical, *item.variants):
            term = unicodedata.normalize("NFC", form.strip())
            if not term:
                continue
            problem = word_problem(term)
            if problem:
                skipped.append((term, str(path), problem))
            else:
                blockers = tuple(
                    sorted(
                        {
                            unicodedata.normalize("NFC", x.strip())
                            for x in item.exclude
                            if term in x and x.strip() != term
                        }
                    )
                )
                entries.append(LexiconEntry(term, kind, str(path), item.line, item.quoted_only, blockers))
    return entries, skipped


def _as_paths(paths) -> list[Path]:
    if paths is None:
        return []
    if isinstance(paths, (str, Path)):
        paths = [paths]
    return [Path(p).expanduser() for p in paths]


def load_lexicon(paths=None, *, defaults: bool = True) -> Lexicon:
    """Load the domain lexicon: the bundled terms and slogans plus any user files.

    Parameters
    ----------
    paths : path or list of paths, optional
        Extra lexicon files.  ``.yaml``/``.yml``/``.csv`` files are read as slogan lexicons (``canonical``,
        optional ``variants``, ``kind`` …; see :mod:`cppcc_nlp.resources._lexicon_file`); any other file as plain
        text, one term per line, ``#`` starting a comment, UTF-8.
    defaults : bool, default True
        Include the bundled ``domain_terms.txt`` and ``slogans.yaml``.

    Returns
    -------
    Lexicon

    Raises
    ------
    LexiconError
        A file that does not exist or cannot be read, or a malformed line (the message names file and line).

    Examples
    --------
    >>> lex = load_lexicon()
    >>> "两个确立" in lex and "专门协商机构" in lex
    True
    """
    return _load_cached(tuple(str(p) for p in _as_paths(paths)), defaults, _stamp(_as_paths(paths), defaults))


def _stamp(paths: list[Path], defaults: bool) -> tuple:
    """File sizes and modification times, so that an edited file is read again."""
    files = ([DOMAIN_TERMS, SLOGANS] if defaults else []) + paths
    stamp = []
    for p in files:
        try:
            st = p.stat()
            stamp.append((str(p), st.st_size, st.st_mtime_ns))
        except OSError:
            stamp.append((str(p), None, None))
    return tuple(stamp)


@lru_cache(maxsize=16)
def _load_cached(paths: tuple[str, ...], defaults: bool, stamp: tuple) -> Lexicon:
    files = ([DOMAIN_TERMS] + ([SLOGANS] if SLOGANS.is_file() else []) if defaults else []) + [Path(p) for p in paths]
    records: dict[str, LexiconEntry] = {}
    skipped: list[tuple[str, str, str]] = []
    for path in files:
        if path.suffix.lower() in LEXICON_FILE_SUFFIXES:
            found, skip = _read_yaml_file(path)
            skipped.extend(skip)
        else:
            found = _read_text_file(path)
        for entry in found:
            known = records.get(entry.term)
            if known is None:
                records[entry.term] = entry
            else:
                # the same word from two sources: a slogan kind (numbered, branded …) says more than "term";
                # it is kept whole unquoted if either source says so, and every source's exclusions apply
                first = entry if known.kind == "term" and entry.kind != "term" else known
                records[entry.term] = LexiconEntry(
                    known.term,
                    first.kind,
                    first.source,
                    first.line,
                    known.quoted_only and entry.quoted_only,
                    tuple(sorted(set(known.exclude) | set(entry.exclude))),
                )
    entries = tuple(sorted(records))
    return Lexicon(
        entries=entries,
        records=tuple(records[t] for t in entries),
        sources=tuple(str(p) for p in files),
        skipped=tuple(skipped),
    )
