"""The spaCy pipeline component ``cppcc_slogans_v1``: slogan spans on a Doc.

(The design card names it ``cppcc.slogans.v1``; spaCy refuses ``.`` in factory names (error E853), so the
registered name spells the same version with underscores, like the token pipeline's ``cppcc_merge_lexicon_v1``.)

Importing this module registers the factory (spaCy itself is imported here, not by :mod:`cppcc_nlp.slogans`, so
that the library and the CLI stay quick to start).  The component runs the same engine as
:func:`~cppcc_nlp.slogans.detect_slogans` on ``doc.text`` (each line a paragraph; no normalisation, so the spans
point into the Doc as it is) and writes ``doc.spans["slogans"]``: one :class:`~spacy.tokens.Span` per occurrence,
``span.label_`` the kind, ``span.kb_id_`` the canonical form, and the extension attributes ``span._.slogan``
(canonical), ``span._.in_lexicon`` and ``span._.quoted``.  A span whose edges fall inside a token is widened to
whole tokens (the token pipeline keeps lexicon slogans whole, so this only happens with other
tokenizers).

Patterns (the lexicon entries the component holds: the bundled ones unless ``include_default=False``, the files
given in ``lexicons``, and those added with :meth:`SloganRecognizer.add_slogans`) are saved by ``to_disk`` and
read back by ``from_disk``, so a pipeline saved with ``nlp.to_disk`` detects the same slogans when loaded.

Examples
--------
>>> import spacy
>>> import cppcc_nlp.slogans.component  # registers cppcc_slogans_v1
>>> nlp = spacy.blank("zh")
>>> _ = nlp.add_pipe("cppcc_slogans_v1")
>>> doc = nlp("坚决拥护“两个确立”，构建“同心政协”。")
>>> [(s.text, s.label_, s._.in_lexicon) for s in doc.spans["slogans"]]
[('两个确立', 'numbered', True), ('同心政协', 'branded', False)]
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import ensure_path

from cppcc_nlp.errors import ModelError
from cppcc_nlp.resources.slogan_lexicon import SloganEntry, SloganLexicon, load_slogan_lexicon
from cppcc_nlp.slogans.detection import find_slogans, text_paragraphs

FACTORY = "cppcc_slogans_v1"
SPAN_KEY = "slogans"
PATTERNS_FILE = "slogan_patterns.jsonl"
CONFIG_FILE = "cfg.json"

for _attr in ("slogan", "in_lexicon", "quoted"):
    if not Span.has_extension(_attr):
        Span.set_extension(_attr, default=None)


class SloganRecognizer:
    """Writes ``doc.spans["slogans"]`` (see the module docstring).

    Parameters
    ----------
    nlp : the Language.
    name : the component name.
    lexicons : list of str, paths of the user's slogan lexicons (YAML or CSV).
    include_default : bool, use the bundled national lexicon.
    discover : bool, also find quoted slogans in no lexicon (decided per Doc: recurrence and families are
        judged within the Doc).
    span_key : str, the ``doc.spans`` key (default ``"slogans"``).
    """

    def __init__(
        self,
        nlp: Language,
        name: str = FACTORY,
        *,
        lexicons=(),
        include_default: bool = True,
        discover: bool = True,
        span_key: str = SPAN_KEY,
    ):
        self.name = name
        self.discover = discover
        self.span_key = span_key
        self.include_default = include_default
        self.lexicon: SloganLexicon = load_slogan_lexicon(list(lexicons or []), include_default=include_default)

    def add_slogans(self, entries) -> None:
        """Add entries: :class:`SloganEntry` objects, or mappings with the keys of a lexicon file."""
        for entry in entries:
            if isinstance(entry, dict):
                entry = SloganEntry(
                    canonical=entry["canonical"],
                    kind=entry["kind"],
                    variants=tuple(entry.get("variants") or ()),
                    expansion=entry.get("expansion"),
                    since=entry.get("since"),
                    note=entry.get("note"),
                    quoted_only=bool(entry.get("quoted_only", False)),
                    exclude=tuple(entry.get("exclude") or ()),
                    source="added",
                )
            self.lexicon.add(entry)

    def __call__(self, doc: Doc) -> Doc:
        hits = find_slogans(text_paragraphs(doc.text), self.lexicon, discover=self.discover)
        spans = []
        for p, s, e, canonical, kind, in_lexicon, quoted in hits:
            span = doc.char_span(p.start + s, p.start + e, label=kind, kb_id=canonical, alignment_mode="expand")
            if span is None:
                continue
            span._.slogan = canonical
            span._.in_lexicon = in_lexicon
            span._.quoted = quoted
            spans.append(span)
        spans.sort(key=lambda sp: (sp.start_char, sp.end_char))
        doc.spans[self.span_key] = spans
        return doc

    # -- serialisation --------------------------------------------------------------------------------------
    def to_disk(self, path, *, exclude=tuple()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        with (path / PATTERNS_FILE).open("w", encoding="utf-8") as f:
            for entry in self.lexicon:
                f.write(json.dumps(asdict(entry), ensure_ascii=False) + "\n")
        cfg = {"discover": self.discover, "span_key": self.span_key, "include_default": self.include_default}
        (path / CONFIG_FILE).write_text(json.dumps(cfg), encoding="utf-8")

    def from_disk(self, path, *, exclude=tuple()) -> "SloganRecognizer":
        path = ensure_path(path)
        patterns = path / PATTERNS_FILE
        if not patterns.is_file():
            raise ModelError(f"{patterns}: no slogan patterns file; save the pipeline with nlp.to_disk() again")
        entries = []
        for n, line in enumerate(patterns.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                data["variants"] = tuple(data.get("variants") or ())
                data["exclude"] = tuple(data.get("exclude") or ())
                entries.append(SloganEntry(**data))
            except (ValueError, TypeError) as exc:
                raise ModelError(
                    f"{patterns}, line {n}: not a slogan pattern ({exc}); save the pipeline again"
                ) from None
        self.lexicon = SloganLexicon(entries, [str(patterns)])
        cfg_path = path / CONFIG_FILE
        if cfg_path.is_file():
            cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
            self.discover = cfg.get("discover", self.discover)
            self.span_key = cfg.get("span_key", self.span_key)
            self.include_default = cfg.get("include_default", self.include_default)
        return self


@Language.factory(
    FACTORY, default_config={"lexicons": [], "include_default": True, "discover": True, "span_key": SPAN_KEY}
)
def make_slogan_recognizer(
    nlp: Language, name: str, lexicons: list, include_default: bool, discover: bool, span_key: str
) -> SloganRecognizer:
    """The factory behind ``nlp.add_pipe("cppcc_slogans_v1", config={...})``."""
    return SloganRecognizer(
        nlp,
        name,
        lexicons=[str(Path(p)) for p in lexicons],
        include_default=include_default,
        discover=discover,
        span_key=span_key,
    )
