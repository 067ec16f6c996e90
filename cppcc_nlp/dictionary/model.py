"""The :class:`Dictionary`: named categories, each a list of patterns, read from Python, YAML, CSV or LIWC files.

Pattern syntax (one string per pattern):

* a plain word or phrase, matched literally: ``生态文明`` (every occurrence, also inside 生态文明建设);
* ``*`` for any run of Chinese characters, letters or digits (greedy, possibly empty): ``碳*`` matches 碳达峰,
  碳中和, 碳排放权…; ``*`` alone or at both ends of a pattern is refused (it would match everything);
* ``re:`` followed by a Python regular expression: ``re:自由贸易(试验区|港)``.

Matching is done in simplified characters (a traditional report read without ``to_simplified`` is matched
through its simplified view, offset for offset), so ``两个确立`` also finds ``兩個確立``.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from cppcc_nlp.errors import LexiconError

#: what ``*`` stands for: a run of Han characters, Latin letters or digits (no punctuation, no space)
WILDCARD = r"[\u3400-\u9fff\uf900-\ufaffA-Za-z0-9０-９]*"


@dataclass(frozen=True)
class Pattern:
    """One pattern of a category: its source string and the compiled regular expression."""

    category: str
    source: str
    regex: re.Pattern

    @property
    def is_literal(self) -> bool:
        return not self.source.startswith("re:") and "*" not in self.source


def _fail(path, line, problem: str, hint: str) -> LexiconError:
    """A :class:`LexiconError` naming the dictionary (file or ``<dict>``), the line and what to do."""
    return LexiconError(path if path is not None else "<dict>", line, f"{problem} ({hint})")


def compile_pattern(source: str, where=None, category: str | None = None) -> re.Pattern:
    """The regular expression of one dictionary pattern (see the module docstring)."""
    if category is not None:
        source_label = f"category {category!r}: "
    else:
        source_label = ""
    text = source.strip()
    if not text:
        raise _fail(where, None, f"{source_label}an empty pattern", "remove it or write a word")
    if text.startswith("re:"):
        try:
            return re.compile(text[3:])
        except re.error as exc:
            raise _fail(
                where,
                None,
                f"{source_label}pattern {source!r} is not a valid regular expression ({exc})",
                "fix the expression after 're:'",
            ) from exc
    if "*" in text:
        core = text.strip("*")
        if not core or (text.startswith("*") and text.endswith("*")):
            raise _fail(
                where,
                None,
                f"{source_label}pattern {source!r} would match almost anything",
                "anchor the wildcard to a word: 碳* or *政协",
            )
        return re.compile(WILDCARD.join(re.escape(part) for part in text.split("*")))
    return re.compile(re.escape(text))


class Dictionary:
    """Categories → patterns.

    Parameters
    ----------
    categories : dict
        ``{category: [pattern, ...]}``; a nested dict gives categories named ``parent.child``.

    Examples
    --------
    >>> d = Dictionary({"生态": ["生态文明", "碳*"]})
    >>> d.categories
    ['生态']
    >>> d.to_frame().pattern.tolist()
    ['生态文明', '碳*']
    """

    def __init__(self, categories: dict, *, source: str = "<dict>"):
        if not isinstance(categories, dict) or not categories:
            raise _fail(
                source,
                None,
                "a dictionary needs at least one category with patterns",
                "give {category: [pattern, ...]}",
            )
        self.source = source
        self.patterns: list[Pattern] = []
        for name, items in _flatten(categories, source):
            for item in items:
                if not isinstance(item, str):
                    raise _fail(
                        source,
                        None,
                        f"category {name!r}: pattern {item!r} is not a string",
                        "write each pattern as text",
                    )
                self.patterns.append(Pattern(name, item.strip(), compile_pattern(item, source, name)))

    @property
    def categories(self) -> list[str]:
        """Category names, in order of first appearance."""
        return list(dict.fromkeys(p.category for p in self.patterns))

    def __len__(self) -> int:
        return len(self.categories)

    def __repr__(self) -> str:
        return f"<Dictionary {self.source}: {len(self)} categories, {len(self.patterns)} patterns>"

    def to_frame(self):
        """One row per pattern: category, pattern, kind (literal, wildcard, regex)."""
        import pandas as pd

        rows = [
            {
                "category": p.category,
                "pattern": p.source,
                "kind": "regex" if p.source.startswith("re:") else "wildcard" if "*" in p.source else "literal",
            }
            for p in self.patterns
        ]
        return pd.DataFrame(rows, columns=["category", "pattern", "kind"])

    # -- reading files ---------------------------------------------------------------------------------------
    @classmethod
    def from_file(cls, path) -> "Dictionary":
        """Read a dictionary from YAML (``category: [patterns]``), CSV (``category,pattern``) or LIWC ``.dic``.

        Raises
        ------
        LexiconError
            A file that cannot be read or parsed, naming the file and the line.
        """
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError as exc:
            raise _fail(path, None, "no such dictionary file", "check the path") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise _fail(path, None, f"cannot be read as UTF-8 text ({exc})", "save it as UTF-8") from exc
        suffix = path.suffix.lower()
        if suffix in (".yaml", ".yml"):
            return cls(_read_yaml(path, text), source=str(path))
        if suffix == ".csv":
            return cls(_read_csv(path, text), source=str(path))
        if suffix == ".dic":
            return cls(_read_liwc(path, text), source=str(path))
        raise _fail(
            path,
            None,
            f"unknown dictionary format {suffix or '(no extension)'!r}",
            "use .yaml, .csv (category,pattern) or a LIWC .dic file",
        )


def as_dictionary(value) -> Dictionary:
    """A :class:`Dictionary` from a Dictionary, a dict, or a file path."""
    if isinstance(value, Dictionary):
        return value
    if isinstance(value, dict):
        return Dictionary(value)
    if isinstance(value, (str, Path)):
        return Dictionary.from_file(value)
    raise _fail(
        None,
        None,
        f"a dictionary is a Dictionary, a dict or a file path, not {type(value).__name__}",
        "build one with cn.Dictionary({...}) or Dictionary.from_file(path)",
    )


def _flatten(categories: dict, source: str, prefix: str = ""):
    for key, value in categories.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flatten(value, source, prefix=f"{name}.")
        elif isinstance(value, str):
            yield name, [value]
        elif isinstance(value, (list, tuple)) and value:
            yield name, list(value)
        else:
            raise _fail(source, None, f"category {name!r} has no patterns", "list at least one pattern")


def _read_yaml(path: Path, text: str) -> dict:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise _fail(
            path,
            mark.line + 1 if mark else None,
            f"not valid YAML ({getattr(exc, 'problem', exc)})",
            "write category: [pattern, ...]",
        ) from exc
    if not isinstance(data, dict):
        raise _fail(path, None, "a YAML dictionary is a mapping of category: [patterns]", "e.g.  生态: [生态文明, 碳*]")
    return data


def _read_csv(path: Path, text: str) -> dict:
    reader = csv.reader(io.StringIO(text))
    rows = list(reader)
    if not rows:
        raise _fail(path, None, "empty file", "write a header line category,pattern and one row per pattern")
    header = [h.strip().lower() for h in rows[0]]
    if header[:2] != ["category", "pattern"]:
        raise _fail(
            path,
            1,
            f"the header must be category,pattern (got {','.join(rows[0])})",
            "add the header line category,pattern",
        )
    out: dict[str, list[str]] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not row or not "".join(row).strip():
            continue
        if len(row) != 2 or not row[0].strip() or not row[1].strip():
            raise _fail(path, number, f"expected two fields category,pattern (got {row})", "fix or remove the line")
        out.setdefault(row[0].strip(), []).append(row[1].strip())
    if not out:
        raise _fail(path, None, "no category,pattern rows", "add one row per pattern")
    return out


def _read_liwc(path: Path, text: str) -> dict:
    """LIWC ``.dic``: a header of ``id<TAB>category`` lines between two ``%`` lines, then ``word<TAB>ids``."""
    lines = text.splitlines()
    marks = [i for i, line in enumerate(lines) if line.strip() == "%"]
    if len(marks) < 2:
        raise _fail(
            path,
            None,
            "not a LIWC dictionary (no header between two '%' lines)",
            "start the file with %, one 'id<TAB>category' line per category, then %",
        )
    names: dict[str, str] = {}
    for number in range(marks[0] + 1, marks[1]):
        parts = lines[number].split()
        if not parts:
            continue
        if len(parts) < 2:
            raise _fail(path, number + 1, "expected 'id<TAB>category'", "fix the header line")
        names[parts[0]] = parts[1]
    out: dict[str, list[str]] = {name: [] for name in names.values()}
    for number in range(marks[1] + 1, len(lines)):
        parts = lines[number].split()
        if not parts:
            continue
        word, ids = parts[0], parts[1:]
        if not ids:
            raise _fail(path, number + 1, f"{word!r} has no category id", "add its category ids")
        for cid in ids:
            if cid not in names:
                raise _fail(path, number + 1, f"unknown category id {cid!r}", "declare it in the header")
            out[names[cid]].append(word)
    return {name: words for name, words in out.items() if words}
