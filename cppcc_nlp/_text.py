"""Character classes and script conversion shared by every room.

One place for what several modules need alike:

* :data:`DIGITS` — ASCII and full-width digits, as the body of a regex character class (``[{DIGITS}]``);
  :data:`FULLWIDTH_DIGITS` — the :meth:`str.translate` table ``０-９`` → ``0-9``.
* :data:`CN_NUMERALS` — the Chinese numerals one to ten (一 … 十) that number headings, sessions and
  enumerations (``第十四届``, ``（三）``); modules add 百, 千, 两, 零 … where they need them.
* :data:`QUOTE_PAIRS` and :data:`TITLE_PAIRS` — opening mark → closing mark of quotes and titles.
* OpenCC converters (:func:`t2s_converter`, :func:`s2t_converter`), each built once, and
  :func:`to_simplified_text`, :func:`to_traditional_text`, :func:`simplified_view`.

Imports only the standard library; OpenCC is imported when a converter is first asked for.

>>> "２０２４".translate(FULLWIDTH_DIGITS)
'2024'
>>> to_simplified_text("工作報告"), to_traditional_text("两个确立")
('工作报告', '兩個確立')
"""

from __future__ import annotations

from functools import lru_cache

#: ASCII and full-width digits, the body of a regex character class: ``re.compile(rf"[{DIGITS}]+")``
DIGITS = "0-9０-９"
#: :meth:`str.translate` table, full-width digits → ASCII: ``"２０２４".translate(FULLWIDTH_DIGITS)`` → ``"2024"``
FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
#: Chinese numerals one to ten (characters, usable inside a regex class: ``[{CN_NUMERALS}百]``)
CN_NUMERALS = "一二三四五六七八九十"

#: quote marks, opening mark → closing mark; straight double quotes open and close alike
QUOTE_PAIRS = {"“": "”", "「": "」", "『": "』", "‘": "’", "〝": "〞", "＂": "＂", '"': '"'}
#: title marks, opening mark → closing mark (《政府工作报告》)
TITLE_PAIRS = {"《": "》", "〈": "〉"}


@lru_cache(maxsize=1)
def t2s_converter():
    """The OpenCC traditional → simplified converter (``t2s``), built once."""
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def s2t_converter():
    """The OpenCC simplified → traditional converter (``s2t``), built once."""
    import opencc

    return opencc.OpenCC("s2t")


def to_simplified_text(text: str) -> str:
    """Traditional → simplified characters with OpenCC ``t2s``.

    >>> to_simplified_text("國務院政府工作報告")
    '国务院政府工作报告'
    """
    return t2s_converter().convert(text)


def to_traditional_text(text: str) -> str:
    """Simplified → traditional characters with OpenCC ``s2t``: 两个确立 → 兩個確立."""
    return s2t_converter().convert(text)


def simplified_view(text: str) -> str:
    """``text`` in simplified characters for matching, offset for offset (OpenCC ``t2s``).

    The text itself when it is already simplified, when OpenCC is missing, or when a conversion would change the
    length of a line (so offsets found in the view always hold in ``text``).

    >>> simplified_view("2024年工作回顧\\n工作報告")
    '2024年工作回顾\\n工作报告'
    """
    try:
        view = to_simplified_text(text)
    except ImportError:  # OpenCC absent: match the text as it is
        return text
    if view == text or [len(x) for x in view.split("\n")] != [len(x) for x in text.split("\n")]:
        return text
    return view
