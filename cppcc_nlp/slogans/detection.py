"""Slogans (提法): find them, classify them, track them across years.

What analysts of work reports track first: which formulations a report uses, how often, in which section, when
each first and last appears, which rise and which fade, which go together.

* :func:`detect_slogans` — every occurrence in a corpus, from the curated lexicon (``data/slogans.yaml`` plus the
  user's files) **and** from discovery of slogans in no lexicon (quoted phrases accepted by the rules of
  :mod:`cppcc_nlp.slogans.discovery`, and their later unquoted uses).
* :func:`slogan_candidates` — every quoted candidate with the decision and the rule that made it.
* :func:`slogan_concordance` — keywords in context for one slogan.
* tracking across years (:func:`track_slogans`, :func:`slogan_summary`, :func:`slogan_families`,
  :func:`slogan_cooccurrence`) is :mod:`cppcc_nlp.slogans.tracking`.
* the spaCy component ``cppcc_slogans_v1`` (:mod:`cppcc_nlp.slogans.component`) writes ``doc.spans["slogans"]``.

Slogans are matched on the normalised text, not on tokens: general segmenters split them (``两 / 个 / 确立``),
and the quote marks around a slogan are evidence the token table does not keep.  Offsets point into
``Document.text`` so that ``doc.text[start:end] == text``.

Examples
--------
>>> import cppcc_nlp as cn
>>> corpus = cn.Corpus.from_path("corpora")                           # doctest: +SKIP
>>> occ = cn.detect_slogans(corpus)                                    # doctest: +SKIP
>>> occ[["text", "canonical", "kind", "quoted"]].head(3)              # doctest: +SKIP
       text canonical      kind  quoted
0  同心政协  同心政协   branded    True
1  两个确立  两个确立  numbered    True
2  四个意识  四个意识  numbered    True
"""

from __future__ import annotations

import bisect
import json
import re
from collections import defaultdict
from functools import lru_cache

import pandas as pd

from cppcc_nlp._text import simplified_view
from cppcc_nlp.errors import ParameterError
from cppcc_nlp.resources.slogan_lexicon import SloganLexicon, load_slogan_lexicon
from cppcc_nlp.slogans.discovery import (
    QUOTE_PAIRS,
    classify_text,
    clean_candidate,
    decide_corpus,
    is_framed,
    note_paragraphs,
    scan_quotes,
)
from cppcc_nlp.slogans.unquoted import decide_unquoted, unquoted_positions
from cppcc_nlp.tokens.inputs import as_corpus

OCCURRENCE_COLUMNS = [
    "doc_id",
    "year",
    "period",
    "section_id",
    "para_id",
    "start",
    "end",
    "text",
    "canonical",
    "kind",
    "in_lexicon",
    "quoted",
    "sentence",
]
CANDIDATE_COLUMNS = [
    "candidate",
    "decision",
    "rule",
    "found",
    "n_quoted",
    "n_unquoted",
    "n_docs",
    "first_year",
    "last_year",
    "doc_id",
    "para_id",
    "start",
    "end",
    "sentence",
]
CONCORDANCE_COLUMNS = [
    "doc_id",
    "year",
    "period",
    "section_id",
    "para_id",
    "start",
    "end",
    "left",
    "match",
    "right",
    "canonical",
    "quoted",
]

#: discovered slogans shorter than this are not searched for unquoted (二字 forms such as “六地” are too
#: ambiguous without their quotes); number-led forms need 3 characters
MIN_UNQUOTED_CHARS = 4


# ------------------------------------------------------------------------------------------------ helpers


@lru_cache(maxsize=16)
def _form_regex(forms: tuple[str, ...]):
    return re.compile("|".join(re.escape(f) for f in forms)) if forms else None


def _lexicon_regex(lexicon: SloganLexicon):
    """One alternation of every form, longest first, so that a match is the longest form at its position."""
    return _longest_first_regex(tuple(lexicon.form_index))


@lru_cache(maxsize=16)
def _longest_first_regex(forms: tuple[str, ...]):
    # (cached on the forms as they are: the sort is not made again for each document)
    return _form_regex(tuple(sorted(forms, key=lambda f: (-len(f), f))))


def _quoted_at(text: str, start: int, end: int) -> bool:
    """The span is wrapped in a matching pair of quote marks."""
    if start == 0 or end >= len(text):
        return False
    opener = text[start - 1]
    return opener in QUOTE_PAIRS and text[end] == QUOTE_PAIRS[opener]


def _excluded(text: str, start: int, end: int, exclude) -> bool:
    for ex in exclude:
        i = text.find(ex, max(0, start - len(ex)), end + len(ex))
        while i != -1 and i <= start:
            if i + len(ex) >= end:
                return True
            i = text.find(ex, i + 1, end + len(ex))
    return False


class _Sentences:
    """The sentence of a paragraph around an offset; a document's sentences are indexed when first asked for."""

    def __init__(self, corpus):
        self.corpus = corpus
        self.by_doc: dict[str, tuple[list[int], list[str], list]] = {}

    def __call__(self, p: _Para, offset: int) -> str:
        """The sentence of ``p`` that starts last at or before ``offset`` (its first one when none does; the
        paragraph's text when it has no sentence)."""
        if p.doc_id not in self.by_doc:
            found = self.corpus[p.doc_id].sentences  # (in text order)
            self.by_doc[p.doc_id] = [s.start for s in found], [s.para_id for s in found], found
        starts, para_ids, found = self.by_doc[p.doc_id]
        k = bisect.bisect_right(starts, offset) - 1
        if k < 0 or para_ids[k] != p.para_id:  # before the first sentence of its paragraph, if any
            k += 1
            if k == len(found) or para_ids[k] != p.para_id:
                return p.text
        return found[k].text


class _Para:
    """A paragraph for the engine: where it belongs and its text (offsets are paragraph-relative)."""

    __slots__ = ("doc_id", "year", "period", "section_id", "para_id", "start", "text")

    def __init__(self, doc_id, year, period, section_id, para_id, start, text):
        self.doc_id, self.year, self.period, self.section_id = doc_id, year, period, section_id
        self.para_id, self.start, self.text = para_id, start, text


def _corpus_paragraphs(corpus) -> list[_Para]:
    out = []
    for doc in corpus.docs:
        year = int(doc.meta.get("year") or 0)
        for p in doc.paragraphs:
            out.append(_Para(doc.doc_id, year, p.period, p.section_id, p.para_id, p.start, p.text))
    return out


def text_paragraphs(text: str, doc_id: str = "text") -> list[_Para]:
    """The lines of a raw text as engine paragraphs, offsets into ``text`` itself (no normalisation)."""
    out, pos = [], 0
    for n, line in enumerate(text.split("\n")):
        if line.strip():
            out.append(_Para(doc_id, 0, None, f"{doc_id}/s00", f"{doc_id}/p{n:04d}", pos, line))
        pos += len(line) + 1
    return out


def _simplified(text: str) -> str:
    """A paragraph in simplified characters, offset for offset (:func:`cppcc_nlp._text.simplified_view`: the text
    itself when a conversion would change its length).  Discovery decides on this view, so that a traditional
    report gets the same decisions and simplified canonical forms; occurrences keep the characters as written."""
    return simplified_view(text)


def _read_pieces(cache, doc_id: str, name: str) -> dict | None:
    """A document's pieces kept by an earlier run (:func:`detect_slogans`' ``cache``), or None."""
    data = cache[doc_id].data(name) if cache is not None else None
    return json.loads(data) if data is not None else None


def _documents(paragraphs: list[_Para]) -> list[list[_Para]]:
    """Engine paragraphs (in corpus order) grouped by document."""
    documents: list[list[_Para]] = []
    for p in paragraphs:
        if not documents or documents[-1][0].doc_id != p.doc_id:
            documents.append([])
        documents[-1].append(p)
    return documents


def document_pieces(paragraphs: list[_Para], lexicon: SloganLexicon, *, discover=True, unquoted=True) -> dict:
    """What detection finds in one document alone (its paragraphs, in order), paragraphs given by their index k.

    Returns a JSON-able dict:

    * ``lexicon``: every lexicon hit, ``[k, start, end, canonical, kind, quoted]`` (leftmost-longest: the
      ``quoted_only`` and ``exclude`` conditions of an entry are checked here);
    * ``quoted`` (``discover``): every quoted candidate no lexicon knows, ``[k, start, end, candidate,
      is_title, framed, note]`` (``framed``: :func:`~cppcc_nlp.slogans.discovery.is_framed`; ``note``: in the
      notes of the report, :func:`~cppcc_nlp.slogans.discovery.note_paragraphs`);
    * ``plain`` (``discover`` and ``unquoted``): every position of an unquoted candidate, outside quotes and
      lexicon matches, ``[k, shape, spans, side]`` (:func:`~cppcc_nlp.slogans.unquoted.unquoted_positions`);
    * ``converted``: some paragraph reads otherwise in simplified characters (discovery reads that view).

    Whether a candidate is a slogan is decided on the corpus as a whole (:func:`_find`): these pieces can be
    made on any worker, and kept from one run to the next.
    """
    regex = _lexicon_regex(lexicon)
    notes = note_paragraphs(paragraphs) if discover else set()
    found = {"lexicon": [], "quoted": [], "plain": [], "converted": False}
    for k, p in enumerate(paragraphs):
        spans = []  # of every lexicon form, kept or not: the unquoted pass masks them
        for m in regex.finditer(p.text) if regex is not None else ():
            entry = lexicon.form_index[m.group()]
            s, e = m.span()
            spans.append((s, e))
            quoted = _quoted_at(p.text, s, e)
            if (entry.quoted_only and not quoted) or (entry.exclude and _excluded(p.text, s, e, entry.exclude)):
                continue
            found["lexicon"].append([k, s, e, entry.canonical, entry.kind, quoted])
        if not discover:
            continue
        view = _simplified(p.text)
        for q in scan_quotes(p.text)[0]:
            cand = clean_candidate(view[q.start : q.end])
            if not cand or (not q.is_title and lexicon.lookup(cand) is not None):
                continue  # a lexicon formulation: found by the lexicon pass
            note = p.para_id in notes
            found["quoted"].append([k, q.start, q.end, cand, q.is_title, is_framed(view, q.start, q.end), note])
        if unquoted:
            mask = [False] * len(view)
            for q in scan_quotes(view)[0]:
                mask[max(0, q.start - 1) : q.end + 1] = [True] * (q.end + 1 - max(0, q.start - 1))
            for s, e in spans:
                mask[s:e] = [True] * (e - s)
            found["plain"].extend([k, *position] for position in unquoted_positions(view, mask))
            found["converted"] = found["converted"] or view != p.text
    return found


def _quoted_uses(documents: list[list[_Para]], pieces: list[dict]) -> list[dict]:
    """The quoted candidates of every document, one dict per use (paragraph, start, end, candidate, is_title, key,
    framed, note); the key is the candidate, or 《candidate》 for a title."""
    return [
        {
            "para": paragraphs[k],
            "start": start,
            "end": end,
            "candidate": cand,
            "is_title": is_title,
            "key": ("《" + cand + "》") if is_title else cand,
            "framed": framed,
            "note": note,
        }
        for paragraphs, piece in zip(documents, pieces)
        for k, start, end, cand, is_title, framed, note in piece["quoted"]
    ]


def _decide_quoted(uses: list[dict]) -> dict[str, tuple[str, str]]:
    """The decision on each quoted candidate (key → (decision, rule)), from its uses across the corpus."""
    decisions: dict[str, tuple[str, str]] = {}
    pending: dict[str, dict] = {}
    body: dict[str, set] = defaultdict(set)  # key → documents where it is quoted outside the notes
    for u in uses:
        key = u["key"]
        if key not in decisions:
            decisions[key] = classify_text(u["candidate"], is_title=u["is_title"])
        if u["note"]:
            continue
        body[key].add(u["para"].doc_id)
        if decisions[key][0] is None:
            info = pending.setdefault(
                key,
                {"paras": set(), "docs": set(), "framed": set(), "numbered": decisions[key][1] == "pending_numbered"},
            )
            info["paras"].add(u["para"].para_id)
            info["docs"].add(u["para"].doc_id)
            if u["framed"]:
                info["framed"].add(u["framed"])
    for key, (decision, _rule) in decisions.items():
        if decision != "rejected" and key not in body:
            decisions[key] = ("rejected", "endnote")  # quoted in the notes of a report only
    members = {k: body[k] for k, (d, _) in decisions.items() if d != "rejected"}
    decisions.update(decide_corpus(pending, members))
    return decisions


def _plain_uses(documents: list[list[_Para]], pieces: list[dict], quoted: set[str]):
    """Unquoted candidates (:func:`~cppcc_nlp.slogans.unquoted.decide_unquoted`) and their decisions; candidates
    that are also quoted candidates are left to the quoted rules."""
    positions = [
        (paragraphs[k], shape, spans, side)
        for paragraphs, piece in zip(documents, pieces)
        for k, shape, spans, side in piece["plain"]
    ]
    uses, decisions = decide_unquoted(positions)
    uses = [u for u in uses if u["candidate"] not in quoted]
    return uses, {c: d for c, d in decisions.items() if c not in quoted}


def _update_form_matches(paragraphs: list[_Para], piece: dict, forms: list[str]) -> bool:
    """Make sure that ``piece["form_matches"]`` (``[k, start, end, form]``) are the leftmost-longest matches of
    ``forms`` in the simplified view of the document; True when they were searched again.

    The matches of the forms ``piece["forms"]`` they were searched with are those of ``forms`` when no form in
    only one of the two lists stands in the document (a form that never matches changes nothing in the
    alternation): a refresh searches again only the reports where a slogan accepted (or dropped) thanks to the
    new one is written."""
    earlier = piece.get("forms")
    if earlier == forms:
        return False
    views = [_simplified(p.text) for p in paragraphs] if piece["converted"] else [p.text for p in paragraphs]
    if earlier is not None:
        text = "\n".join(views)  # (no form has a line break)
        if not any(f in text for f in set(forms).symmetric_difference(earlier)):
            return False
    regex = _form_regex(tuple(forms))
    piece["form_matches"] = [[k, *m.span(), m.group()] for k, view in enumerate(views) for m in regex.finditer(view)]
    piece["forms"] = forms
    return True


def _find(documents: list[list[_Para]], pieces: list[dict], *, discover: bool, unquoted: bool):
    """The detection engine over the documents and their pieces (:func:`document_pieces`): the corpus-level
    decisions, then the hits.  Returns the hits (as :func:`find_slogans`) and the indices of the documents whose
    pieces changed (their form matches searched again, :func:`_update_form_matches`)."""
    hits = [
        (paragraphs[k], s, e, canonical, kind, True, quoted)
        for paragraphs, piece in zip(documents, pieces)
        for k, s, e, canonical, kind, quoted in piece["lexicon"]
    ]
    taken: dict[str, list[tuple[int, int]]] = defaultdict(list)  # para_id → spans already reported
    for hit in hits:
        taken[hit[0].para_id].append(hit[1:3])

    def add(p, s, e, canonical, kind, in_lexicon, quoted):
        hits.append((p, s, e, canonical, kind, in_lexicon, quoted))
        taken[p.para_id].append((s, e))

    changed: set[int] = set()
    if not discover:
        return hits, changed
    uses = _quoted_uses(documents, pieces)
    decisions = _decide_quoted(uses)
    accepted: dict[str, str] = {}
    for u in uses:
        decision, _rule = decisions[u["key"]]
        if decision in (None, "rejected") or u["is_title"]:
            continue
        accepted[u["candidate"]] = decision
        add(u["para"], u["start"], u["end"], u["candidate"], decision, False, True)
    if unquoted and accepted:
        forms = sorted(
            (c for c, k in accepted.items() if len(c) >= MIN_UNQUOTED_CHARS or (k == "numbered" and len(c) >= 3)),
            key=lambda c: (-len(c), c),
        )
        for i, (paragraphs, piece) in enumerate(zip(documents, pieces) if forms else ()):
            if _update_form_matches(paragraphs, piece, forms):
                changed.add(i)
            for k, s, e, form in piece["form_matches"]:
                p = paragraphs[k]
                if _quoted_at(p.text, s, e) or any(a <= s < b or a < e <= b for a, b in taken[p.para_id]):
                    continue
                add(p, s, e, form, accepted[form], False, False)
    if unquoted:
        plain_uses, plain = _plain_uses(documents, pieces, {u["candidate"] for u in uses})
        for u in plain_uses:
            kind = plain[u["candidate"]][0]
            p, s, e = u["para"], u["start"], u["end"]
            if kind != "rejected" and not any(a < e and s < b for a, b in taken[p.para_id]):
                add(p, s, e, u["candidate"], kind, False, False)
    return hits, changed


def find_slogans(
    paragraphs: list[_Para], lexicon: SloganLexicon, *, discover: bool = True, unquoted: bool = True
) -> list[tuple]:
    """The detection engine behind :func:`detect_slogans` and the spaCy component.

    Returns
    -------
    list of (paragraph, start, end, canonical, kind, in_lexicon, quoted), offsets paragraph-relative.
    """
    documents = _documents(paragraphs)
    pieces = [document_pieces(ps, lexicon, discover=discover, unquoted=unquoted) for ps in documents]
    return _find(documents, pieces, discover=discover, unquoted=unquoted)[0]


def slogan_candidates(corpus, *, lexicons=None, include_default: bool = True, unquoted: bool = True) -> pd.DataFrame:
    """Every quoted candidate that no lexicon knows, with the decision and the rule that made it.

    The table behind discovery: use it to see why a phrase was (not) taken as a slogan and to measure the
    rules (``decision`` is a kind or ``"rejected"``; the rules are described in
    :mod:`cppcc_nlp.slogans.discovery`).  《…》 titles are listed as ``《title》``.

    Parameters
    ----------
    corpus : Corpus or str
    lexicons : path or list of paths, optional
        User slogan lexicons (their forms are not candidates).
    include_default : bool, default True
        Use the bundled lexicon too.

    Returns
    -------
    DataFrame
        candidate, decision, rule, n_quoted, n_docs, first_year, last_year, and doc_id, para_id, start, end,
        sentence of its first use; one row per distinct candidate, most frequent first.

    Examples
    --------
    >>> cands = slogan_candidates(corpus)                                      # doctest: +SKIP
    >>> cands.loc[cands.candidate == "赏石艺术杯", ["decision", "rule"]]        # doctest: +SKIP
      decision   rule
    0 rejected  event
    """
    corpus = as_corpus(corpus, what="detecting slogans")
    lexicon = load_slogan_lexicon(lexicons, include_default=include_default)
    documents = _documents(_corpus_paragraphs(corpus))
    pieces = [document_pieces(ps, lexicon, unquoted=unquoted) for ps in documents]
    uses = _quoted_uses(documents, pieces)
    decisions = _decide_quoted(uses)
    sentences = _Sentences(corpus)
    by_key: dict[str, list] = defaultdict(list)
    for u in uses:
        by_key[u["key"]].append(u)
    plain_uses, plain = _plain_uses(documents, pieces, {u["candidate"] for u in uses}) if unquoted else ([], {})
    plain_by_key: dict[str, list] = defaultdict(list)
    for u in plain_uses:
        plain_by_key[u["candidate"]].append(u)
    rows = []
    for found, groups, decided in (("quoted", by_key, decisions), ("unquoted", plain_by_key, plain)):
        for key, us in groups.items():
            first = us[0]
            p = first["para"]
            decision, rule = decided[key]
            years = [u["para"].year for u in us]
            rows.append(
                {
                    "candidate": key,
                    "decision": decision,
                    "rule": rule,
                    "found": found,
                    "n_quoted": len(us) if found == "quoted" else 0,
                    "n_unquoted": len(us) if found == "unquoted" else 0,
                    "n_docs": len({u["para"].doc_id for u in us}),
                    "first_year": min(years),
                    "last_year": max(years),
                    "doc_id": p.doc_id,
                    "para_id": p.para_id,
                    "start": p.start + first["start"],
                    "end": p.start + first["end"],
                    "sentence": sentences(p, p.start + first["start"]),
                }
            )
    df = pd.DataFrame(rows, columns=CANDIDATE_COLUMNS)
    df["_n"] = df["n_quoted"] + df["n_unquoted"]
    return df.sort_values(["_n", "candidate"], ascending=[False, True], ignore_index=True).drop(columns="_n")


# ------------------------------------------------------------------------------------------------ detection


def detect_slogans(
    corpus,
    *,
    lexicons=None,
    discover: bool = True,
    include_default: bool = True,
    unquoted: bool = True,
    client=None,
    cache=None,
) -> pd.DataFrame:
    """Every slogan occurrence in the corpus: lexicon matches and discovered slogans.

    Three passes over each paragraph of the normalised text:

    1. **Lexicon**: every form of every lexicon entry (:mod:`cppcc_nlp.resources.slogan_lexicon`), quoted or not,
       leftmost-longest (``习近平新时代中国特色社会主义思想`` is one occurrence, not two).  ``quoted_only``
       entries need their quotes; ``exclude`` strings veto a match (新发展理念 inside 创新发展理念).
    2. **Quoted discovery** (``discover=True``): quoted phrases in no lexicon, kept when the rules of
       :mod:`cppcc_nlp.slogans.discovery` accept them (kind numbered, branded or series), rejected otherwise
       (titles, events, labels, codes, scare quotes: see :func:`slogan_candidates`).
    3. **Unquoted recurrence** (``discover=True, unquoted=True``): every discovered slogan of four or more
       characters (three for number-led ones) is also found where it stands without quotes, anywhere in the
       corpus: a formulation once marked by quotes is the same formulation when later used plainly.

    Parameters
    ----------
    corpus : Corpus or str
        A :class:`~cppcc_nlp.corpus.Corpus`, or the raw text of one report (doc_id ``"text"``; its year is the
        latest ``20xx年`` the text mentions, 0 when it mentions none).
    lexicons : path, list of paths or SloganLexicon, optional
        The user's slogan lexicons (YAML or CSV, see :func:`~cppcc_nlp.resources.slogan_lexicon.load_slogan_lexicon`).
    discover : bool, default True
        Find slogans in no lexicon.
    include_default : bool, default True
        Use the bundled national lexicon.
    unquoted : bool, default True
        Also find unquoted uses of discovered slogans.
    client : distributed.Client, optional
        Read the documents on a Dask cluster (:mod:`cppcc_nlp.slogans._distributed`); same table.
    cache : mapping, optional
        doc_id → a store of bytes for that document (``data(name)``, ``put_data(name, data)``: a
        :class:`~cppcc_nlp.output.derived_cache.DerivedCache`), keyed by the document, the lexicons and the
        version of this code.  What is found in one document alone (:func:`document_pieces`) is kept there and
        read back, so that after a refresh only the new reports are read; the table is the same.

    Returns
    -------
    DataFrame
        One row per occurrence, in text order: doc_id, year, period, section_id, para_id, start, end (offsets
        into ``Document.text``: ``doc.text[start:end] == text``), text (as written, quotes excluded),
        canonical, kind (numbered | branded | series | standing), in_lexicon, quoted, sentence.

    Raises
    ------
    EmptyCorpusError
        The corpus has no documents.

    Examples
    --------
    >>> occ = detect_slogans("2024年，坚决拥护“两个确立”，构建“同心政协”。")
    >>> occ[["text", "canonical", "kind", "in_lexicon", "quoted"]].to_dict("records")[0]
    {'text': '两个确立', 'canonical': '两个确立', 'kind': 'numbered', 'in_lexicon': True, 'quoted': True}
    """
    corpus = as_corpus(corpus, what="detecting slogans")
    lexicon = load_slogan_lexicon(lexicons, include_default=include_default)
    documents = _documents(_corpus_paragraphs(corpus))
    name = f"slogans-{discover:d}{unquoted:d}{include_default:d}"
    pieces = [_read_pieces(cache, ps[0].doc_id, name) for ps in documents]
    missing = [i for i, piece in enumerate(pieces) if piece is None]
    if client is not None:
        from cppcc_nlp.slogans._distributed import pieces_on_cluster

        made = pieces_on_cluster(client, [documents[i] for i in missing], document_pieces, lexicon, discover, unquoted)
    else:
        made = [document_pieces(documents[i], lexicon, discover=discover, unquoted=unquoted) for i in missing]
    for i, piece in zip(missing, made):
        pieces[i] = piece
    hits, changed = _find(documents, pieces, discover=discover, unquoted=unquoted)
    for i in sorted(set(missing) | changed) if cache is not None else ():
        cache[documents[i][0].doc_id].put_data(name, json.dumps(pieces[i], ensure_ascii=False).encode())
    sentences = _Sentences(corpus)
    paras = [hit[0] for hit in hits]
    starts = [p.start + hit[1] for p, hit in zip(paras, hits)]
    df = pd.DataFrame(
        {
            "doc_id": [p.doc_id for p in paras],
            "year": pd.array([p.year for p in paras], dtype="int64"),
            "period": pd.array([p.period for p in paras], dtype="Int64"),
            "section_id": [p.section_id for p in paras],
            "para_id": [p.para_id for p in paras],
            "start": pd.array(starts, dtype="int64"),
            "end": pd.array([p.start + hit[2] for p, hit in zip(paras, hits)], dtype="int64"),
            "text": [p.text[hit[1] : hit[2]] for p, hit in zip(paras, hits)],
            "canonical": [hit[3] for hit in hits],
            "kind": [hit[4] for hit in hits],
            "in_lexicon": pd.array([hit[5] for hit in hits], dtype=bool),
            "quoted": pd.array([hit[6] for hit in hits], dtype=bool),
            "sentence": [sentences(p, start) for p, start in zip(paras, starts)],
        },
        columns=OCCURRENCE_COLUMNS,
    )
    order = {d.doc_id: i for i, d in enumerate(corpus.docs)}
    df["_o"] = df["doc_id"].map(order)
    return df.sort_values(["_o", "start", "end"], ignore_index=True).drop(columns="_o")


# ------------------------------------------------------------------------------------------------ tracking


def slogan_concordance(corpus, slogan: str, *, window: int = 20, lexicons=None) -> pd.DataFrame:
    """Keywords in context for one slogan, every written form of it (through :meth:`Corpus.kwic`).

    Parameters
    ----------
    corpus : Corpus
    slogan : a canonical form or any variant (``"三个代表重要思想"`` finds 三个代表 too); a slogan in no lexicon
        is searched as written.
    window : characters of context on each side.

    Returns
    -------
    DataFrame
        doc_id, year, period, section_id, para_id, start, end, left, match, right, canonical, quoted.
    """
    corpus = as_corpus(corpus, what="detecting slogans")
    if not isinstance(slogan, str) or not slogan.strip():
        raise ParameterError("slogan_concordance() needs a slogan, e.g. '两个确立'")
    lexicon = load_slogan_lexicon(lexicons)
    entry = lexicon.lookup(slogan)
    forms = entry.forms() if entry else [clean_candidate(slogan)]
    canonical = entry.canonical if entry else clean_candidate(slogan)
    pattern = "|".join(re.escape(f) for f in forms)
    kw = corpus.kwic(pattern, window=window, regex=True)
    if entry is not None and (entry.quoted_only or entry.exclude):
        keep = []
        for row in kw.itertuples():
            text = corpus[row.doc_id].text
            q = _quoted_at(text, row.start, row.end)
            keep.append((q or not entry.quoted_only) and not _excluded(text, row.start, row.end, entry.exclude))
        kw = kw[keep]
    kw = kw.assign(
        canonical=canonical,
        quoted=[_quoted_at(corpus[d].text, s, e) for d, s, e in zip(kw["doc_id"], kw["start"], kw["end"])],
    )
    return kw[[c for c in CONCORDANCE_COLUMNS]].reset_index(drop=True)


# ------------------------------------------------------------------------------------------------ CLI
