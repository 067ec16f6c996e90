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
from cppcc_nlp.slogans.unquoted import find_unquoted
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
    return _form_regex(tuple(sorted(lexicon.form_index, key=lambda f: (-len(f), f))))


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
    """Sentence lookup by paragraph and offset."""

    def __init__(self, corpus):
        self.by_para: dict[str, tuple[list[int], list[str]]] = {}
        for doc in corpus.docs:
            for s in doc.sentences:
                starts, texts = self.by_para.setdefault(s.para_id, ([], []))
                starts.append(s.start)
                texts.append(s.text)

    def __call__(self, para_id: str, offset: int, fallback: str) -> str:
        found = self.by_para.get(para_id)
        if not found:
            return fallback
        starts, texts = found
        k = bisect.bisect_right(starts, offset) - 1
        return texts[max(k, 0)]


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


def _discover(paragraphs: list[_Para], lexicon: SloganLexicon, views: dict | None = None):
    """Quoted candidates of the paragraphs and the decision on each (``views``: para_id → the simplified view of
    the paragraph, when already made).

    Returns
    -------
    uses : list of dict (one per quoted use: paragraph, start, end, candidate, key, is_title, framed)
    decisions : dict key → (decision, rule); the key is the candidate, or 《candidate》 for a title
    """
    uses = []
    for p in paragraphs:
        quotes, _unbalanced = scan_quotes(p.text)
        view = p.text if not quotes else views[p.para_id] if views is not None else _simplified(p.text)
        for q in quotes:
            cand = clean_candidate(view[q.start : q.end])
            if not cand:
                continue
            if not q.is_title and lexicon.lookup(cand) is not None:
                continue  # a lexicon formulation: found by the lexicon pass
            uses.append(
                {
                    "para": p,
                    "start": q.start,
                    "end": q.end,
                    "candidate": cand,
                    "is_title": q.is_title,
                    "key": ("《" + cand + "》") if q.is_title else cand,
                    "framed": is_framed(view, q.start, q.end),
                }
            )
    notes = note_paragraphs(paragraphs)
    decisions: dict[str, tuple[str, str]] = {}
    pending: dict[str, dict] = {}
    body: dict[str, set] = defaultdict(set)  # key → documents where it is quoted outside the notes
    for u in uses:
        key = u["key"]
        if key not in decisions:
            decisions[key] = classify_text(u["candidate"], is_title=u["is_title"])
        u["note"] = u["para"].para_id in notes
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
    return uses, decisions


def _discover_unquoted(
    paragraphs: list[_Para], lexicon: SloganLexicon, quoted: set[str], views: dict | None = None, matches=None
):
    """Unquoted candidates (:mod:`cppcc_nlp.slogans.unquoted`) outside quotes and lexicon matches; candidates
    that are also quoted candidates are left to the quoted rules.  ``views`` (para_id → simplified view) and
    ``matches`` (para_id → spans of every lexicon form) are made here unless the caller has them."""
    regex = _lexicon_regex(lexicon)
    if views is None:
        views = {p.para_id: _simplified(p.text) for p in paragraphs}
    masks = {}
    for p in paragraphs:
        view = views[p.para_id]
        mask = [False] * len(view)
        for q in scan_quotes(view)[0]:
            mask[max(0, q.start - 1) : q.end + 1] = [True] * (q.end + 1 - max(0, q.start - 1))
        if matches is not None:
            spans = matches.get(p.para_id, ())
        else:
            spans = [m.span() for m in regex.finditer(p.text)] if regex is not None else ()
        for start, end in spans:
            mask[start:end] = [True] * (end - start)
        masks[p.para_id] = mask
    uses, decisions = find_unquoted(paragraphs, masks, views)
    uses = [u for u in uses if u["candidate"] not in quoted]
    return uses, {c: d for c, d in decisions.items() if c not in quoted}


def find_slogans(
    paragraphs: list[_Para],
    lexicon: SloganLexicon,
    *,
    discover: bool = True,
    unquoted: bool = True,
    lexicon_hits: list | None = None,
) -> list[tuple]:
    """The detection engine behind :func:`detect_slogans` and the spaCy component.

    ``lexicon_hits``: the hits of the lexicon pass when already made (on a cluster, see
    :mod:`cppcc_nlp.slogans._distributed`); the engine then runs only the discovery passes.

    Returns
    -------
    list of (paragraph, start, end, canonical, kind, in_lexicon, quoted), offsets paragraph-relative.
    """
    regex = _lexicon_regex(lexicon)
    hits: list[tuple] = []
    taken: dict[str, list[tuple[int, int]]] = defaultdict(list)  # para_id → spans already reported
    matches = None  # para_id → spans of every lexicon form, kept for the unquoted pass (which masks them)

    def add(p, s, e, canonical, kind, in_lexicon, quoted):
        hits.append((p, s, e, canonical, kind, in_lexicon, quoted))
        taken[p.para_id].append((s, e))

    if lexicon_hits is not None:
        for hit in lexicon_hits:
            add(*hit)
    elif regex is not None:
        matches = {}
        for p in paragraphs:
            matches[p.para_id] = spans = []
            for m in regex.finditer(p.text):
                entry = lexicon.form_index[m.group()]
                s, e = m.span()
                spans.append((s, e))
                quoted = _quoted_at(p.text, s, e)
                if entry.quoted_only and not quoted:
                    continue
                if entry.exclude and _excluded(p.text, s, e, entry.exclude):
                    continue
                add(p, s, e, entry.canonical, entry.kind, True, quoted)
    if not discover:
        return hits
    views = {p.para_id: _simplified(p.text) for p in paragraphs}  # (made once for the three passes)
    uses, decisions = _discover(paragraphs, lexicon, views)
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
        rx = re.compile("|".join(re.escape(f) for f in forms)) if forms else None
        for p in paragraphs if rx is not None else ():
            for m in rx.finditer(views[p.para_id]):
                s, e = m.span()
                if any(a <= s < b or a < e <= b for a, b in taken[p.para_id]) or _quoted_at(p.text, s, e):
                    continue
                add(p, s, e, m.group(), accepted[m.group()], False, False)
    if unquoted:
        plain_uses, plain = _discover_unquoted(paragraphs, lexicon, {u["candidate"] for u in uses}, views, matches)
        for u in plain_uses:
            kind = plain[u["candidate"]][0]
            p, s, e = u["para"], u["start"], u["end"]
            if kind != "rejected" and not any(a < e and s < b for a, b in taken[p.para_id]):
                add(p, s, e, u["candidate"], kind, False, False)
    return hits


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
    paragraphs = _corpus_paragraphs(corpus)
    uses, decisions = _discover(paragraphs, lexicon)
    sentences = _Sentences(corpus)
    by_key: dict[str, list] = defaultdict(list)
    for u in uses:
        by_key[u["key"]].append(u)
    plain_uses, plain = (
        _discover_unquoted(paragraphs, lexicon, {u["candidate"] for u in uses}) if unquoted else ([], {})
    )
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
                    "sentence": sentences(p.para_id, p.start + first["start"], p.text),
                }
            )
    df = pd.DataFrame(rows, columns=CANDIDATE_COLUMNS)
    df["_n"] = df["n_quoted"] + df["n_unquoted"]
    return df.sort_values(["_n", "candidate"], ascending=[False, True], ignore_index=True).drop(columns="_n")


# ------------------------------------------------------------------------------------------------ detection


def detect_slogans(
    corpus, *, lexicons=None, discover: bool = True, include_default: bool = True, unquoted: bool = True, client=None
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
        Run the lexicon pass on a Dask cluster (:mod:`cppcc_nlp.slogans._distributed`); same table.

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
    sentences = _Sentences(corpus)
    paragraphs = _corpus_paragraphs(corpus)
    found = None
    if client is not None:
        from cppcc_nlp.slogans._distributed import lexicon_hits

        found = lexicon_hits(client, paragraphs, lexicon, find_slogans)
    hits = find_slogans(paragraphs, lexicon, discover=discover, unquoted=unquoted, lexicon_hits=found)
    rows = [
        {
            "doc_id": p.doc_id,
            "year": p.year,
            "period": p.period,
            "section_id": p.section_id,
            "para_id": p.para_id,
            "start": p.start + s,
            "end": p.start + e,
            "text": p.text[s:e],
            "canonical": canonical,
            "kind": kind,
            "in_lexicon": in_lexicon,
            "quoted": quoted,
            "sentence": sentences(p.para_id, p.start + s, p.text),
        }
        for p, s, e, canonical, kind, in_lexicon, quoted in hits
    ]
    df = pd.DataFrame(rows, columns=OCCURRENCE_COLUMNS)
    df["year"] = df["year"].astype("int64")
    df["period"] = df["period"].astype("Int64")
    for col in ("start", "end"):
        df[col] = df[col].astype("int64")
    for col in ("in_lexicon", "quoted"):
        df[col] = df[col].astype(bool)
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
