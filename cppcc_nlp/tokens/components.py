"""The spaCy side of the pipeline: the lexicon-merge component and the spellings it keeps whole.

The domain lexicon (:mod:`cppcc_nlp.resources.lexicon`) reaches the pipeline through the registered component
``cppcc_merge_lexicon_v1`` (:class:`LexiconMerger`): it finds every entry in ``doc.text`` (leftmost, longest
match wins, no overlaps), splits any token that straddles a match boundary and merges the match into one token
flagged ``token._.in_lexicon``.  It holds whatever the tokenizer did, so ``两个确立`` stays one token where raw
pkuseg gives ``两 / 个 / 确立``.  Each entry is matched in its simplified and its traditional spelling
(:func:`spellings`).  :meth:`LexiconMerger.tokens_from_words` gives the same tokens from pkuseg's words on
character offsets, without a Doc (the fast path of :func:`~cppcc_nlp.tokens._parallel.segment_columns`).

>>> merger = LexiconMerger(entries=["两个确立", "确立"])
>>> merger.find("坚决拥护“两个确立”")
[(5, 9)]
>>> sorted(spellings("两个确立"))
['两个确立', '兩個確立']
"""

from __future__ import annotations

import re
from bisect import bisect_right
from pathlib import Path
from typing import Iterable

from cppcc_nlp._text import s2t_converter
from cppcc_nlp.resources.lexicon import Lexicon

#: registered name of the lexicon-merge component
MERGE_COMPONENT = "cppcc_merge_lexicon_v1"  # spaCy forbids "." in factory names
OPEN_QUOTES = "“‘「『\"'《"
CLOSE_QUOTES = "”’」』\"'》"


def register_components() -> None:
    """Register the merge component and the ``Token._.in_lexicon`` extension with spaCy (idempotent).

    :func:`~cppcc_nlp.tokens.pipeline.nlp` calls it; call it yourself before ``spacy.load`` of a pipeline saved with ``nlp.to_disk``.
    """
    from spacy.language import Language
    from spacy.tokens import Doc, Token

    if not Token.has_extension("in_lexicon"):
        Token.set_extension("in_lexicon", default=False)
    if not Doc.has_extension("lexicon_version"):
        Doc.set_extension("lexicon_version", default=None)
    if MERGE_COMPONENT not in Language.factories:
        Language.factory(MERGE_COMPONENT, default_config={"entries": []}, func=_make_merger)


def _make_merger(nlp, name: str, entries: list):
    return LexiconMerger(nlp, name, entries=entries)


class LexiconMerger:
    """spaCy component ``cppcc_merge_lexicon_v1``: every lexicon entry in the text becomes one token.

    Matches are found on the characters of ``doc.text`` (leftmost first; at one position the longest entry
    wins; matches do not overlap), so an entry is found even when the tokenizer cut inside it or across its
    edges: tokens straddling a match edge are split there, then the match is merged into one token with
    ``token._.in_lexicon = True``.

    Parameters
    ----------
    nlp : the pipeline.
    name : the component's name in the pipeline.
    entries : the words to keep whole.
    """

    def __init__(self, nlp=None, name: str = MERGE_COMPONENT, *, entries: Iterable[str] = ()):
        self.name = name
        self.set_entries(entries)

    def set_entries(
        self,
        entries: Iterable[str],
        version: str | None = None,
        *,
        quoted_only: Iterable[str] = (),
        exclude: dict[str, Iterable[str]] | None = None,
    ) -> None:
        """Replace the entries.

        Parameters
        ----------
        entries : the words to keep whole.
        version : the lexicon version, written to ``doc._.lexicon_version``.
        quoted_only : entries merged only when they stand inside quotes (“十五”).
        exclude : ``{entry: longer strings}``; inside such a string the entry is not matched
            (新发展理念 inside 创新发展理念).
        """
        self.entries = tuple(sorted(set(entries)))
        self.version = version
        self.quoted_only = frozenset(quoted_only) & frozenset(self.entries)
        self.exclude = {k: tuple(v) for k, v in (exclude or {}).items() if k in self.entries and v}
        self._blockers = frozenset(b for v in self.exclude.values() for b in v) - frozenset(self.entries)
        ordered = sorted(set(self.entries) | self._blockers, key=lambda t: (-len(t), t))
        self._regex = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def find(self, text: str) -> list[tuple[int, int]]:
        """Character spans ``(start, end)`` of the lexicon matches in ``text``.

        Scanning left to right, the longest entry (or exclusion string) starting at a position wins and
        matches do not overlap; a match of an exclusion string, or of a quoted-only entry outside quotes,
        is consumed but not reported.

        >>> m = LexiconMerger(entries=["十五"])
        >>> m.set_entries(["十五"], quoted_only=["十五"])
        >>> m.find("“十五”计划，十五个项目")
        [(1, 3)]
        """
        if self._regex is None:
            return []
        spans = []
        for m in self._regex.finditer(text):
            term = m.group()
            if term in self._blockers:
                continue
            s, e = m.span()
            if term in self.quoted_only and not (
                s > 0 and text[s - 1] in OPEN_QUOTES and e < len(text) and text[e] in CLOSE_QUOTES
            ):
                continue
            spans.append((s, e))
        return spans

    def __call__(self, doc):
        doc._.lexicon_version = self.version
        matches = self.find(doc.text)
        if not matches:
            return doc
        starts = [t.idx for t in doc]
        # pass 1: split tokens that a match edge falls inside
        cuts: dict[int, list[int]] = {}
        for s, e in matches:
            for edge in (s, e):
                k = bisect_right(starts, edge) - 1
                if k >= 0 and starts[k] != edge and edge < starts[k] + len(doc[k].text):
                    cuts.setdefault(k, []).append(edge - starts[k])
        if cuts:
            with doc.retokenize() as retokenizer:
                for k, offsets in cuts.items():
                    token = doc[k]
                    bounds = [0, *sorted(set(offsets)), len(token.text)]
                    orths = [token.text[a:b] for a, b in zip(bounds, bounds[1:])]
                    retokenizer.split(token, orths, heads=[(token, 0)] * len(orths))
        # pass 2: merge each match into one token
        spans = []
        for s, e in matches:
            span = doc.char_span(s, e, alignment_mode="strict")
            if span is not None:
                spans.append(span)
        with doc.retokenize() as retokenizer:
            for span in spans:
                if len(span) > 1:
                    retokenizer.merge(span)
        for s, e in matches:
            span = doc.char_span(s, e, alignment_mode="strict")
            if span is not None and len(span) == 1:
                span[0]._.in_lexicon = True
        return doc

    def tokens_from_words(self, text: str, words: list[str]) -> list[tuple[str, int, bool]] | None:
        """``(text, offset, in_lexicon)`` of the tokens that are not whitespace, exactly as spaCy's Chinese
        tokenizer (pkuseg) followed by this component gives them, computed on character offsets.

        ``words`` is ``pkuseg_seg.cut(text)``.  It exists for speed: the Doc, its Token objects, the retokenizer
        and the ``_.in_lexicon`` extension added 37% to pkuseg's own time on the shared reports.  The
        tokens are laid out as :func:`spacy.util.get_words_and_spaces` lays them out (:func:`doc_bounds`),
        then :meth:`__call__` is replayed: split at match edges, merge each match that ``char_span(...,
        alignment_mode="strict")`` finds, flag it.  None where spaCy would raise (words that do not align
        with the text) or an empty word: the caller then takes the spaCy path.
        """
        bounds = doc_bounds(words, text)
        if bounds is None:
            return None
        matches = self.find(text)
        if matches:
            bounds, flagged = self._merge_bounds(bounds, matches)
        else:
            flagged = ()
        return [(tok, s, (s, e) in flagged) for s, e in bounds if not (tok := text[s:e]).isspace()]

    @staticmethod
    def _merge_bounds(bounds, matches):
        """:meth:`__call__` on token extents ``[(start, end), ...]``: the extents after the splits and merges,
        and the set of match spans that became one token (``in_lexicon``)."""
        starts = [s for s, _ in bounds]
        # pass 1: split tokens that a match edge falls inside
        cuts: dict[int, set[int]] = {}
        for s, e in matches:
            for edge in (s, e):
                k = bisect_right(starts, edge) - 1
                if k >= 0 and starts[k] != edge and edge < bounds[k][1]:
                    cuts.setdefault(k, set()).add(edge)
        if cuts:
            split = []
            for k, (s, e) in enumerate(bounds):
                if k in cuts:
                    edges = [s, *sorted(cuts[k]), e]
                    split.extend(zip(edges, edges[1:]))
                else:
                    split.append((s, e))
            bounds = split
        # pass 2: a match is a span when it starts at a token start and ends at a token end (strict char_span);
        # merge it into one token.  Merging only removes boundaries, so the spans found here are exactly the
        # matches that are one token afterwards (pass 3, the flags).
        first = {s: i for i, (s, _) in enumerate(bounds)}
        last = {e: i for i, (_, e) in enumerate(bounds)}
        merged_from: dict[int, int] = {}  # first token index -> last token index of a merged span
        flagged = set()
        for s, e in matches:
            i, j = first.get(s), last.get(e)
            if i is None or j is None or j < i:
                continue
            flagged.add((s, e))
            if j > i:
                merged_from[i] = j
        if merged_from:
            out, k = [], 0
            while k < len(bounds):
                j = merged_from.get(k)
                if j is None:
                    out.append(bounds[k])
                    k += 1
                else:
                    out.append((bounds[k][0], bounds[j][1]))
                    k = j + 1
            bounds = out
        return bounds, flagged

    def to_disk(self, path, *, exclude=()):
        import json

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        data = {
            "entries": list(self.entries),
            "version": self.version,
            "quoted_only": sorted(self.quoted_only),
            "exclude": {k: list(v) for k, v in sorted(self.exclude.items())},
        }
        (path / "lexicon.json").write_text(json.dumps(data, ensure_ascii=False, indent=0), encoding="utf-8")

    def from_disk(self, path, *, exclude=()):
        import json

        data = json.loads((Path(path) / "lexicon.json").read_text(encoding="utf-8"))
        self.set_entries(
            data["entries"],
            data.get("version"),
            quoted_only=data.get("quoted_only", ()),
            exclude=data.get("exclude") or {},
        )
        return self


def doc_bounds(words: list[str], text: str) -> list[tuple[int, int]] | None:
    """``(start, end)`` of each token of the Doc that spaCy's ``ChineseTokenizer`` builds from ``words``
    (``Doc(words=..., spaces=...)`` from :func:`spacy.util.get_words_and_spaces`), without building it.

    Whitespace words are dropped and the words found in ``text`` in order; the text between two words becomes a
    token of its own (whitespace tokens: newlines, full-width or repeated spaces), except one ``" "`` right
    after a word, which is that token's trailing space and belongs to no token.  None where
    ``get_words_and_spaces`` would raise (the words are not the text's), or for an empty word.
    """
    if "".join("".join(words).split()) != "".join(text.split()):
        return None
    bounds = []
    pos, n = 0, len(text)
    for word in words:
        if word.isspace():
            continue
        if not word:
            return None
        start = text.find(word, pos)
        if start < 0:
            return None
        if start > pos:
            bounds.append((pos, start))
        pos = start + len(word)
        bounds.append((start, pos))
        if pos < n and text[pos] == " ":
            pos += 1
    if pos < n:
        bounds.append((pos, n))
    return bounds


def spellings(term: str) -> set[str]:
    """``term`` and its traditional-character spelling (OpenCC ``s2t``): 两个确立 → {两个确立, 兩個確立}.

    The pipeline keeps both whole, so a traditional-character report read without ``to_simplified`` still has
    its formulations as single tokens (the token is the text as written).
    """
    converter = _s2t()
    return {term, converter.convert(term)} if converter is not None else {term}


def _s2t():
    """The shared OpenCC ``s2t`` converter, or None without OpenCC (then only the simplified spellings are
    merged)."""
    try:
        return s2t_converter()
    except ImportError:
        return None


def with_traditional(lex: Lexicon) -> tuple[list[str], frozenset[str], dict[str, tuple[str, ...]]]:
    """The entries of ``lex`` plus their traditional spellings, with the context rules carried over:
    ``(entries, quoted_only, exclude)`` as :meth:`LexiconMerger.set_entries` takes them."""
    entries, quoted_only, exclude = set(), set(), {}
    for term in lex.entries:
        forms = spellings(term)
        entries |= forms
        if term in lex.quoted_only:
            quoted_only |= forms
    for term, blockers in lex.exclude.items():
        converter = _s2t()
        for form in spellings(term):
            exclude[form] = (
                tuple(blockers) if form == term or converter is None else tuple(converter.convert(b) for b in blockers)
            )
    return sorted(entries), frozenset(quoted_only), exclude
