"""Stop words and token filters shared by every analysis (slogans, terms, topics, keyness).

Three independent kinds of token are filtered, each by its own explicit option so that a result can say what
it dropped:

* **function words** (``stopwords.txt``): particles, pronouns, conjunctions, prepositions, auxiliaries, linking
  adverbs and common measure words (的, 和, 在, 对, 我们, 进一步, 次, 件 …).  ``drop_stop``.
* **boilerplate** (``boilerplate.txt``): the verbs and adverbs that open most sentences of a work report
  (坚持, 推进, 加强, 深化, 落实, 全面, 切实 …).  They are content words, so they are *kept* unless
  ``keep_boilerplate=False``; topic models and keyness usually drop them, term extraction keeps them because
  they begin many terms.
* **punctuation** and **numbers**, recognised by character class (:func:`is_punct_text`, :func:`is_num_text`):
  ``，`` ``——`` ``“`` are punctuation; ``18`` ``87.1%`` ``6万`` ``2024年`` ``十五`` are numbers.  ``drop_punct``
  and ``drop_num``.

Lexicon entries (``两个确立``, ``十四五``) are never stop words, numbers or boilerplate, whatever they contain.

Examples
--------
>>> from cppcc_nlp.resources.stopwords import filter_tokens
>>> filter_tokens(["坚持", "以", "习近平新时代中国特色社会主义思想", "为", "指导", "，"])
['坚持', '习近平新时代中国特色社会主义思想', '指导']
>>> filter_tokens(["坚持", "以", "习近平新时代中国特色社会主义思想", "为", "指导"], keep_boilerplate=False)
['习近平新时代中国特色社会主义思想', '指导']
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import pandas as pd

from cppcc_nlp._text import CN_NUMERALS, DIGITS
from cppcc_nlp.errors import InputError, LexiconError

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
STOPWORDS_FILE = DATA_DIR / "stopwords.txt"
BOILERPLATE_FILE = DATA_DIR / "boilerplate.txt"

_CN_DIGITS = "零〇" + CN_NUMERALS + "百千万亿两几"
_NUM_RE = re.compile(
    r"^(?:[+\-−]?[" + DIGITS + r"]+(?:[.,．，][" + DIGITS + r"]+)*"  # 18, 87.1, 1,000
    r"|[" + _CN_DIGITS + r"]+"  # 十五, 两
    r"|[" + DIGITS + r"]+[" + _CN_DIGITS + r"]+"  # 6万
    r")(?:[%％‰]|个百分点|[年月日号时])?$"  # 87.1%, 2024年
)


def _read_word_file(path: Path) -> frozenset[str]:
    words = set()
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise LexiconError(path, None, "no such word list (give the path of a UTF-8 file, one word per line)") from None
    except UnicodeDecodeError:
        raise LexiconError(path, None, "the file is not valid UTF-8 (save the word list as UTF-8)") from None
    for number, line in enumerate(lines, start=1):
        word = line.split("#", 1)[0].strip()
        if not word:
            continue
        if any(ch.isspace() for ch in word):
            raise LexiconError(path, number, f"{word!r} contains whitespace (write one word per line)")
        words.add(unicodedata.normalize("NFC", word))
    return frozenset(words)


@lru_cache(maxsize=None)
def stopwords() -> frozenset[str]:
    """The bundled function words (``cppcc_nlp/data/stopwords.txt``)."""
    return _read_word_file(STOPWORDS_FILE)


@lru_cache(maxsize=None)
def boilerplate() -> frozenset[str]:
    """The bundled boilerplate verbs and adverbs (``cppcc_nlp/data/boilerplate.txt``)."""
    return _read_word_file(BOILERPLATE_FILE)


def load_stopwords(extra=None, *, include_default: bool = True) -> frozenset[str]:
    """Function words: the bundled list plus user word lists or words.

    Parameters
    ----------
    extra : path, list of paths or iterable of words, optional
        Files with one word per line (``#`` comments), or the words themselves.
    include_default : bool, default True
        Start from the bundled list.
    """
    words = set(stopwords()) if include_default else set()
    if extra is None:
        return frozenset(words)
    if isinstance(extra, (str, Path)):
        extra = [extra]
    for item in extra:
        if isinstance(item, Path) or (isinstance(item, str) and (Path(item).suffix or "/" in item)):
            words |= _read_word_file(Path(item))
        else:
            words.add(str(item))
    return frozenset(words)


def stopword_table() -> pd.DataFrame:
    """Every bundled filter word with its kind: DataFrame ``word, kind`` (``stop`` or ``boilerplate``)."""
    rows = [(w, "stop") for w in sorted(stopwords())] + [(w, "boilerplate") for w in sorted(boilerplate())]
    return pd.DataFrame(rows, columns=["word", "kind"])


def is_punct_text(text: str) -> bool:
    """True when every character of ``text`` is punctuation or a symbol (``，`` ``——`` ``“`` ``（``)."""
    return bool(text) and all(unicodedata.category(ch)[0] in "PSZ" for ch in text)


def is_num_text(text: str) -> bool:
    """True for a number token: ``18``, ``87.1%``, ``6万``, ``2024年``, ``十五``, ``两``."""
    return bool(_NUM_RE.match(text))


def is_stop_text(text: str, words: frozenset[str] | None = None) -> bool:
    """True when ``text`` is a function word (bundled list, or ``words`` when given)."""
    return text in (stopwords() if words is None else words)


def filter_tokens(
    tokens: Iterable[str],
    *,
    drop_stop: bool = True,
    drop_punct: bool = True,
    drop_num: bool = True,
    keep_boilerplate: bool = True,
    keep: Iterable[str] = (),
    stop: frozenset[str] | None = None,
) -> list[str]:
    """Filter a list of token strings with the shared rules.

    Parameters
    ----------
    tokens : iterable of str
    drop_stop, drop_punct, drop_num : bool
        Drop function words, punctuation, numbers.
    keep_boilerplate : bool, default True
        Keep the boilerplate verbs (坚持, 推进 …); ``False`` drops them.
    keep : iterable of str
        Words never dropped (the pipeline passes the lexicon entries here).
    stop : frozenset of str, optional
        The function words to use instead of the bundled list.
    """
    if isinstance(tokens, str):
        raise InputError(
            f"filter_tokens() needs a list of tokens, not the string {tokens[:20]!r} "
            "(segment it first: cppcc_nlp.tokens or cppcc_nlp.nlp())"
        )
    if isinstance(keep, str):
        raise InputError(f"filter_tokens(keep={keep[:20]!r}): give a list of words, e.g. keep=[{keep[:20]!r}]")
    stop = stopwords() if stop is None else stop
    bp = boilerplate()
    keep = set(keep)
    out = []
    for tok in tokens:
        if tok in keep:
            out.append(tok)
            continue
        if not tok or tok.isspace():
            continue
        if drop_punct and is_punct_text(tok):
            continue
        if drop_num and is_num_text(tok):
            continue
        if drop_stop and tok in stop:
            continue
        if not keep_boilerplate and tok in bp:
            continue
        out.append(tok)
    return out
