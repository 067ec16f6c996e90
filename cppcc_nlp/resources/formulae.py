"""The report formulae: the genre's ritual sentences and words, left out of a topic model.

The bundled list is ``cppcc_nlp/data/report_formulae.txt``: the opening "现在，我代表…向大会报告…请予审议",
forms of address, thanks, "…领导的结果", the title block, the genre's own headings, and words such as 各位,
今年, 回顾.  A user list has the same format (see :func:`load_formulae`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from cppcc_nlp.errors import LexiconError

__all__ = ["FORMULAE_FILE", "Formulae", "load_formulae", "resolve_formulae"]

FORMULAE_FILE = Path(__file__).resolve().parent.parent / "data" / "report_formulae.txt"
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Formulae:
    """The genre's ritual: sentences and words left out of a topic model (see :func:`load_formulae`).

    Attributes
    ----------
    sentences : tuple of str
        Regular expressions; a sentence (its tokens joined without spaces) that matches one is left out.
    words : frozenset of str
        Words left out of the topic vocabulary.
    source : str
        Where the list came from (a file path, ``"bundled"`` or ``"none"``).
    """

    sentences: tuple = ()
    words: frozenset = frozenset()
    source: str = "none"

    def __post_init__(self):
        object.__setattr__(
            self, "_regex", re.compile("|".join(f"(?:{p})" for p in self.sentences)) if self.sentences else None
        )

    def is_formula(self, sentence: str) -> bool:
        """True when ``sentence`` matches one of the formula patterns."""
        return self._regex is not None and self._regex.search(_SPACE.sub("", sentence)) is not None


def load_formulae(path=None) -> Formulae:
    """Read a list of report formulae (default: the bundled ``cppcc_nlp/data/report_formulae.txt``).

    The file has two sections: ``[sentences]`` (one regular expression per line, searched in each sentence)
    and ``[words]`` (one word per line); ``#`` starts a comment.

    Raises
    ------
    LexiconError
        The file is missing or not UTF-8, an entry comes before any section, a pattern is not a valid
        regular expression, or a word holds whitespace (the message names the file and line).

    Examples
    --------
    >>> f = load_formulae()
    >>> f.is_formula("现在，我代表国务院，向大会报告政府工作，请予审议，并请全国政协委员提出意见。")
    True
    >>> f.is_formula("各位代表！"), f.is_formula("政协委员积极建言献策。")
    (True, False)
    >>> "各位" in f.words and "委员" not in f.words
    True
    """
    path = FORMULAE_FILE if path is None else Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise LexiconError(
            path,
            None,
            "no such formulae file (give a UTF-8 file with [sentences] and [words] "
            "sections, or formulae=True for the bundled list)",
        ) from None
    except UnicodeDecodeError:
        raise LexiconError(path, None, "the file is not valid UTF-8 (save the formulae list as UTF-8)") from None
    section, sentences, words = None, [], set()
    for number, line in enumerate(lines, start=1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        if entry in ("[sentences]", "[words]"):
            section = entry[1:-1]
            continue
        if section is None:
            raise LexiconError(
                path, number, f"{entry!r} comes before any section: start the file with [sentences] or [words]"
            )
        if section == "sentences":
            try:
                re.compile(entry)
            except re.error as exc:
                raise LexiconError(path, number, f"{entry!r} is not a valid regular expression ({exc})") from None
            sentences.append(entry)
        else:
            if any(ch.isspace() for ch in entry):
                raise LexiconError(path, number, f"{entry!r} contains whitespace (write one word per line)")
            words.add(entry)
    source = "bundled" if path == FORMULAE_FILE else str(path)
    return Formulae(tuple(sentences), frozenset(words), source)


def resolve_formulae(option) -> Formulae:
    """The formulae named by a ``formulae=`` option: True, the bundled list; False or None, none; a path, that
    file."""
    if option is True:
        return load_formulae()
    if option is False or option is None:
        return Formulae()
    return load_formulae(option)
