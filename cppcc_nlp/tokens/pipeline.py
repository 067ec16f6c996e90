"""Tokens: a spaCy + pkuseg Chinese pipeline that keeps the domain vocabulary whole, cached and parallel.

Every analysis (slogans, terms, topics, keyness) reads the token table made here; none segments text itself.

The pipeline
------------
:func:`nlp` returns a blank spaCy ``zh`` pipeline whose tokenizer is pkuseg with its pretrained ``default``
model (research use only, see the pkuseg licence), loaded offline from the installed ``pkuseg`` package
(``<site-packages>/pkuseg/models/default``).  Point to another pkuseg model folder with ``pkuseg_model=`` or
the environment variable ``CPPCC_NLP_PKUSEG_MODEL``.

The domain lexicon (:mod:`cppcc_nlp.resources.lexicon`) goes in twice:

1. into pkuseg's user dictionary (``nlp.tokenizer.pkuseg_update_user_dict``), which forces the segmenter to
   cut around every entry (leftmost, longest match first), and
2. through the registered component ``cppcc_merge_lexicon_v1``, which finds every entry in ``doc.text``
   (leftmost, longest match wins, no overlaps), splits any token that straddles a match boundary and merges
   the match into one token flagged ``token._.in_lexicon``.  The component is the guarantee: it also holds
   when the tokenizer is not pkuseg, or when pkuseg's whitespace handling shifts a boundary.

So ``两个确立``, ``四个意识``, ``全过程人民民主``, ``专门协商机构`` and ``习近平新时代中国特色社会主义思想`` are one
token each, where raw pkuseg gives ``两 / 个 / 确立``.

The token table
---------------
:func:`tokens` segments every paragraph of a :class:`~cppcc_nlp.corpus.Corpus` (``nlp.pipe`` with
``n_process`` worker processes) and returns one row per token, in text order, with the columns of
:data:`TOKEN_COLUMNS`; ``start``/``end`` are offsets into ``Document.text``, so
``doc.text[start:end] == token``.  Results are cached as Parquet under ``cache_dir()/tokens``, keyed by the
paragraph text hash, the pipeline version and the lexicon version; a second run over an unchanged corpus does
no segmentation.  When the lexicon changes, a cached paragraph is kept unless one of the added or removed
entries occurs in its text, so only what must be redone is redone.

Examples
--------
>>> import cppcc_nlp as cn
>>> [t.text for t in cn.nlp()("做到“两个维护”，发展全过程人民民主")]
['做到', '“', '两个维护', '”', '，', '发展', '全过程人民民主']
>>> table = cn.tokens(cn.Corpus.from_path("corpora"))                        # doctest: +SKIP
>>> cn.token_lists(table, unit="paragraph", keep_boilerplate=False)          # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import os
import re
import time
import uuid
from bisect import bisect_right
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from cppcc_nlp._version import __version__
from cppcc_nlp.errors import InputError, ModelError, ParameterError
from cppcc_nlp.resources.lexicon import Lexicon, load_lexicon
from cppcc_nlp.resources.stopwords import boilerplate, is_num_text, is_punct_text, stopwords

#: registered name of the lexicon-merge component
MERGE_COMPONENT = "cppcc_merge_lexicon_v1"  # spaCy forbids "." in factory names
#: bump when the layout of cached token rows or the segmentation procedure changes
TOKEN_FORMAT = 2  # 2: traditional-character spellings of the entries are merged too
#: paragraphs longer than this are segmented in pieces cut at sentence ends (pkuseg's memory grows with length)
MAX_CHUNK_CHARS = 20_000
MODEL_ENV = "CPPCC_NLP_PKUSEG_MODEL"
PKUSEG_INSTALL = ("install it with `pip install numpy cython setuptools wheel && "
                  "pip install --no-build-isolation pkuseg==0.0.25`, or point CPPCC_NLP_PKUSEG_MODEL "
                  "(or nlp(pkuseg_model=...)) to a pkuseg model folder holding features.pkl and weights.npz")

#: columns of the token table, in order
TOKEN_COLUMNS = ["doc_id", "para_id", "section_id", "year", "period", "part", "i", "sent", "token",
                 "start", "end", "is_punct", "is_stop", "is_num", "in_lexicon"]
#: columns of the cached rows (one paragraph text, offsets relative to it)
_CACHE_COLUMNS = ["text_hash", "lexicon_version", "i", "token", "start", "end", "is_punct", "in_lexicon"]
_UNITS = {"paragraph": "para_id", "sentence": "sent_id", "section": "section_id", "document": "doc_id"}
OPEN_QUOTES = "“‘「『\"'《"
CLOSE_QUOTES = "”’」』\"'》"
_SENT_END = re.compile(r"[。！？!?；;…]+[”’」』）)]*")

# ----------------------------------------------------------------------------------------------------------
# model and pipeline


def default_model_dir() -> Path:
    """The pkuseg model folder used when none is given.

    ``$CPPCC_NLP_PKUSEG_MODEL`` when set, else ``models/default`` inside the installed ``pkuseg`` package.

    Raises
    ------
    ModelError
        The ``pkuseg`` package is not installed (the message says how to install it).
    """
    env = os.environ.get(MODEL_ENV)
    if env:
        return Path(env).expanduser()
    spec = importlib.util.find_spec("pkuseg")
    if spec is None or not spec.origin:
        raise ModelError(f"the pkuseg package, which ships the pretrained segmentation model, is not installed; "
                         f"{PKUSEG_INSTALL}")
    return Path(spec.origin).resolve().parent / "models" / "default"


def _check_model_dir(folder: Path) -> Path:
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise ModelError(f"{folder}: no pkuseg model folder here; {PKUSEG_INSTALL}")
    has_features = (folder / "features.pkl").is_file() or (folder / "features.msgpack").is_file()
    if not has_features or not (folder / "weights.npz").is_file():
        raise ModelError(f"{folder}: not a pkuseg model folder (features.pkl and weights.npz are needed); "
                         f"{PKUSEG_INSTALL}")
    return folder.resolve()


def _model_id(folder: Path) -> str:
    parts = []
    for name in ("features.pkl", "features.msgpack", "weights.npz"):
        p = folder / name
        if p.is_file():
            parts.append(f"{name}:{p.stat().st_size}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:12]


def pipeline_version(model_dir: Path | str | None = None) -> str:
    """The version string of the segmentation pipeline, a part of every token cache key.

    It changes with cppcc-nlp's version, spaCy's version, the merge component, the token row format and the
    pkuseg model (its file sizes).  The lexicon has its own version (:attr:`Lexicon.version`).
    """
    import spacy

    folder = _check_model_dir(Path(model_dir) if model_dir else default_model_dir())
    return f"cppcc{__version__}-spacy{spacy.__version__}-{MERGE_COMPONENT}-f{TOKEN_FORMAT}-m{_model_id(folder)}"


def register_components() -> None:
    """Register the merge component and the ``Token._.in_lexicon`` extension with spaCy (idempotent).

    :func:`nlp` calls it; call it yourself before ``spacy.load`` of a pipeline saved with ``nlp.to_disk``.
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

    def set_entries(self, entries: Iterable[str], version: str | None = None, *,
                    quoted_only: Iterable[str] = (), exclude: dict[str, Iterable[str]] | None = None) -> None:
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
        """
        if self._regex is None:
            return []
        spans = []
        for m in self._regex.finditer(text):
            term = m.group()
            if term in self._blockers:
                continue
            s, e = m.span()
            if term in self.quoted_only and not (s > 0 and text[s - 1] in OPEN_QUOTES and e < len(text)
                                                 and text[e] in CLOSE_QUOTES):
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

    def to_disk(self, path, *, exclude=()):
        import json

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        data = {"entries": list(self.entries), "version": self.version, "quoted_only": sorted(self.quoted_only),
                "exclude": {k: list(v) for k, v in sorted(self.exclude.items())}}
        (path / "lexicon.json").write_text(json.dumps(data, ensure_ascii=False, indent=0), encoding="utf-8")

    def from_disk(self, path, *, exclude=()):
        import json

        data = json.loads((Path(path) / "lexicon.json").read_text(encoding="utf-8"))
        self.set_entries(data["entries"], data.get("version"), quoted_only=data.get("quoted_only", ()),
                         exclude=data.get("exclude") or {})
        return self


def spellings(term: str) -> set[str]:
    """``term`` and its traditional-character spelling (OpenCC ``s2t``): 两个确立 → {两个确立, 兩個確立}.

    The pipeline keeps both whole, so a traditional-character report read without ``to_simplified`` still has
    its formulations as single tokens (the token is the text as written).
    """
    converter = _s2t()
    return {term, converter.convert(term)} if converter is not None else {term}


@lru_cache(maxsize=1)
def _s2t():
    try:
        import opencc
    except ImportError:  # optional: without OpenCC only the simplified spellings are merged
        return None
    return opencc.OpenCC("s2t")


def _with_traditional(lex: Lexicon) -> tuple[list[str], frozenset[str], dict[str, tuple[str, ...]]]:
    """The entries plus their traditional spellings, with the context rules carried over."""
    entries, quoted_only, exclude = set(), set(), {}
    for term in lex.entries:
        forms = spellings(term)
        entries |= forms
        if term in lex.quoted_only:
            quoted_only |= forms
    for term, blockers in lex.exclude.items():
        converter = _s2t()
        for form in spellings(term):
            exclude[form] = tuple(blockers) if form == term or converter is None else tuple(
                converter.convert(b) for b in blockers)
    return sorted(entries), frozenset(quoted_only), exclude


_NLP_CACHE: dict[tuple, object] = {}
_SEGMENTERS: dict[str, object] = {}  # model folder -> loaded pkuseg segmenter with the default user dictionary


def _copy_segmenter(seg):
    """A pkuseg segmenter sharing ``seg``'s model but with its own copy of the user dictionary."""
    import copy

    new = copy.copy(seg)
    new.preprocesser = copy.deepcopy(seg.preprocesser)
    return new


def nlp(*, lexicon=None, pkuseg_model=None):
    """The Chinese pipeline: pkuseg segmentation with the domain lexicon kept whole.

    Cached per arguments: loading the pkuseg model takes a few seconds, so the same object is returned for
    the same lexicon files (and contents) and model folder.

    Parameters
    ----------
    lexicon : path, list of paths or :class:`~cppcc_nlp.resources.lexicon.Lexicon`, optional
        Extra lexicon files added to the bundled lexicon (see :func:`~cppcc_nlp.resources.lexicon.load_lexicon`), or a
        ready Lexicon used as it is.
    pkuseg_model : path, optional
        A pkuseg model folder (``features.pkl`` + ``weights.npz``).  Default: ``$CPPCC_NLP_PKUSEG_MODEL``, else
        ``models/default`` of the installed ``pkuseg`` package.

    Returns
    -------
    spacy.Language
        With the component ``cppcc_merge_lexicon_v1``; ``nlp.meta["cppcc_nlp"]`` holds the pipeline version,
        the lexicon version and the model folder.

    Raises
    ------
    ModelError
        The model folder is missing or corrupt (the message says how to install the model).
    LexiconError
        A malformed lexicon file (the message names file and line).

    Examples
    --------
    >>> pipe = nlp()
    >>> [t.text for t in pipe("坚决拥护“两个确立”，自觉增强“四个意识”")]
    ['坚决', '拥护', '“', '两个确立', '”', '，', '自觉', '增强', '“', '四个意识', '”']
    """
    lex = lexicon if isinstance(lexicon, Lexicon) else load_lexicon(lexicon)
    folder = _check_model_dir(Path(pkuseg_model) if pkuseg_model else default_model_dir())
    key = (str(folder), lex.version)
    cached = _NLP_CACHE.get(key)
    if cached is not None:
        return cached
    import spacy

    register_components()
    pipe = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "pkuseg"}}})
    base = _SEGMENTERS.get(str(folder))
    if base is None:
        try:
            # pkuseg prints "features.msgpack does not exist …" while loading; keep it off the user's terminal
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                pipe.tokenizer.initialize(pkuseg_model=str(folder))
        except Exception as exc:  # pickle, zip, numpy or file errors from a damaged model
            raise ModelError(f"{folder}: the pkuseg model cannot be loaded ({type(exc).__name__}: {exc}); "
                             f"the folder may be corrupt; {PKUSEG_INSTALL}") from None
        base = _SEGMENTERS[str(folder)] = _copy_segmenter(pipe.tokenizer.pkuseg_seg)
    # the loaded model (~1 GB in memory) is shared by every pipeline on the same folder; each pipeline has
    # its own user dictionary
    pipe.tokenizer.pkuseg_seg = _copy_segmenter(base)
    # entries that are words only in some contexts stay out of pkuseg's user dictionary (it would force them
    # everywhere); the merge component handles them
    entries, quoted_only, exclude = _with_traditional(lex)
    special = quoted_only | set(exclude)
    pipe.tokenizer.pkuseg_update_user_dict([e for e in entries if e not in special])
    merger = pipe.add_pipe(MERGE_COMPONENT)
    merger.set_entries(entries, lex.version, quoted_only=quoted_only, exclude=exclude)
    pipe.max_length = 10 ** 8  # long paragraphs are cut into pieces by tokens(); spaCy's own check is not needed
    pipe.meta["cppcc_nlp"] = {"pipeline_version": pipeline_version(folder), "lexicon_version": lex.version,
                              "pkuseg_model": str(folder), "n_lexicon_entries": len(lex)}
    pipe._cppcc_lexicon = lex  # the Lexicon object, for cache invalidation
    _NLP_CACHE[key] = pipe
    return pipe


def _lexicon_of(pipe) -> Lexicon:
    lex = getattr(pipe, "_cppcc_lexicon", None)
    if lex is None:
        raise ParameterError("the nlp object was not made by cppcc_nlp.nlp(); build it with cppcc_nlp.nlp(...)")
    return lex


# ----------------------------------------------------------------------------------------------------------
# input: paragraphs


_PARA_COLUMNS = ["doc_id", "para_id", "section_id", "year", "period", "part", "start", "end", "text"]


def _paragraphs_of(corpus) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The paragraph table (and the sentence table when known) of a Corpus, DataFrame, string or strings."""
    if hasattr(corpus, "paragraphs") and hasattr(corpus, "docs"):
        paras = corpus.paragraphs
        sents = getattr(corpus, "sentences", None)
    elif isinstance(corpus, pd.DataFrame):
        paras, sents = corpus, None
    elif isinstance(corpus, str) or (isinstance(corpus, (list, tuple)) and all(isinstance(t, str) for t in corpus)):
        texts = [corpus] if isinstance(corpus, str) else list(corpus)
        rows = []
        for n, text in enumerate(texts):
            doc_id = f"text{n}" if len(texts) > 1 else "text"
            rows.append((doc_id, f"{doc_id}/p0000", f"{doc_id}/s00", pd.NA, pd.NA, "other", 0, len(text), text))
        paras, sents = pd.DataFrame(rows, columns=_PARA_COLUMNS), None
    else:
        raise InputError(f"tokens() needs a Corpus, a paragraph DataFrame or text, not {type(corpus).__name__}")
    missing = [c for c in _PARA_COLUMNS if c not in paras.columns]
    if missing:
        raise InputError(f"the paragraph table lacks the columns {missing} (expected {_PARA_COLUMNS})")
    return paras, sents


def text_hash(text: str) -> str:
    """The cache key of a paragraph's text (blake2b, 32 hex digits)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _chunks(text: str, limit: int = MAX_CHUNK_CHARS, find=None) -> list[tuple[int, str]]:
    """Cut a long text into pieces of at most ``limit`` characters: ``[(offset, piece), ...]``.

    Cuts fall after the last sentence end of each window, else after whitespace or a comma, else at the
    window's end; never inside a lexicon match (``find(text) -> [(start, end), ...]``), so no entry is split.
    """
    if len(text) <= limit:
        return [(0, text)]
    matches = find(text) if find is not None else []
    starts = [s for s, _ in matches]
    pieces, pos = [], 0
    while len(text) - pos > limit:
        window = text[pos: pos + limit]
        cut = 0
        for m in _SENT_END.finditer(window):
            cut = m.end()
        if cut < limit // 2:
            ws = max(window.rfind(" "), window.rfind("\n"), window.rfind("\u3000"), window.rfind("，"))
            cut = ws + 1 if ws >= limit // 2 else limit
        k = bisect_right(starts, pos + cut - 1) - 1  # the last match starting before the cut
        if k >= 0 and matches[k][0] > pos and matches[k][1] > pos + cut:
            cut = matches[k][0] - pos  # move the cut back to the start of the straddling match
        pieces.append((pos, text[pos: pos + cut]))
        pos += cut
    pieces.append((pos, text[pos:]))
    return pieces


# ----------------------------------------------------------------------------------------------------------
# cache


def _default_cache_dir() -> Path:
    try:
        from cppcc_nlp._cache import cache_dir
    except ImportError:  # TODO(integration): cppcc_nlp._cache is owned by the corpus engineer
        env = os.environ.get("CPPCC_NLP_CACHE")
        return Path(env).expanduser() if env else Path.home() / ".cache" / "cppcc-nlp"
    return Path(cache_dir())


class TokenCache:
    """Parquet store of segmented paragraphs under ``<cache_dir>/tokens/<pipeline version hash>/``.

    Rows: ``text_hash, lexicon_version, i, token, start, end, is_punct, in_lexicon`` (offsets relative to the
    paragraph).  Each run that segments something appends one ``part-*.parquet`` file (written atomically);
    the parts are compacted into one when there are many.  The entries of every lexicon version seen are kept
    in ``lexicons/<version>.txt`` so that a lexicon change invalidates only the paragraphs containing an added
    or removed entry.
    """

    MAX_PARTS = 24

    def __init__(self, root: Path | str, pipeline: str):
        self.pipeline = pipeline
        digest = hashlib.sha256(pipeline.encode()).hexdigest()[:16]
        self.folder = Path(root) / "tokens" / digest
        self.lexicon_folder = Path(root) / "tokens" / "lexicons"

    def _parts(self) -> list[Path]:
        return sorted(self.folder.glob("part-*.parquet")) if self.folder.is_dir() else []

    def remember_lexicon(self, lex: Lexicon) -> None:
        path = self.lexicon_folder / f"{lex.version}.txt"
        if not path.is_file():
            self.lexicon_folder.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
            tmp.write_text("\n".join(lex.signatures()), encoding="utf-8")
            os.replace(tmp, path)

    def _lexicon_entries(self, version: str) -> frozenset[str] | None:
        path = self.lexicon_folder / f"{version}.txt"
        try:
            return frozenset(e for e in path.read_text(encoding="utf-8").split("\n") if e)
        except OSError:
            return None

    def lookup(self, texts: dict[str, str], lex: Lexicon) -> pd.DataFrame:
        """Cached rows for the paragraphs ``{text_hash: text}`` still valid under ``lex`` (others are absent)."""
        parts = self._parts()
        if not parts or not texts:
            return pd.DataFrame(columns=_CACHE_COLUMNS)
        import pyarrow.dataset as ds

        wanted = list(texts)
        frames = []
        for part in parts:
            try:
                table = ds.dataset(part, format="parquet").to_table(filter=ds.field("text_hash").isin(wanted))
            except Exception as exc:  # a damaged part: warn and ignore it (it is re-made on demand)
                import warnings

                warnings.warn(f"{part}: unreadable token cache part ignored ({exc})", stacklevel=3)
                continue
            if table.num_rows:
                frames.append(table.to_pandas())
        if not frames:
            return pd.DataFrame(columns=_CACHE_COLUMNS)
        rows = pd.concat(frames, ignore_index=True)
        # choose, per paragraph, one lexicon version whose rows are valid under the current lexicon
        versions = rows[["text_hash", "lexicon_version"]].drop_duplicates()
        chosen = {}
        diff_cache: dict[str, frozenset[str] | None] = {}
        for h, v in versions.itertuples(index=False):
            if chosen.get(h) == lex.version:
                continue
            if v == lex.version:
                chosen[h] = v
                continue
            if h in chosen:
                continue
            if v not in diff_cache:
                old = self._lexicon_entries(v)
                diff_cache[v] = None if old is None else lex.changed_entries(old)
            changed = diff_cache[v]
            if changed is not None and not any(form in texts[h] for term in changed for form in spellings(term)):
                chosen[h] = v
        if not chosen:
            return pd.DataFrame(columns=_CACHE_COLUMNS)
        keep = pd.Series(list(chosen.values()), index=list(chosen.keys()))
        rows = rows[rows["lexicon_version"].to_numpy() == keep.reindex(rows["text_hash"]).to_numpy()]
        return rows.drop_duplicates(["text_hash", "i"]).reset_index(drop=True)

    def store(self, rows: pd.DataFrame) -> None:
        """Append segmented rows (one new part file), compacting when there are many parts."""
        if rows.empty:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"part-{time.time_ns()}-{os.getpid()}-{uuid.uuid4().hex[:8]}.parquet"
        tmp = self.folder / (name + ".tmp")
        rows[_CACHE_COLUMNS].to_parquet(tmp, index=False)
        os.replace(tmp, self.folder / name)
        parts = self._parts()
        if len(parts) > self.MAX_PARTS:
            self._compact(parts)

    def _compact(self, parts: list[Path]) -> None:
        frames = []
        for p in parts:
            try:
                frames.append(pd.read_parquet(p))
            except Exception:
                continue
        merged = pd.concat(frames, ignore_index=True).drop_duplicates(["text_hash", "lexicon_version", "i"])
        name = f"part-{time.time_ns()}-{os.getpid()}-compact.parquet"
        tmp = self.folder / (name + ".tmp")
        merged.to_parquet(tmp, index=False)
        os.replace(tmp, self.folder / name)
        for p in parts:
            with contextlib.suppress(OSError):
                p.unlink()


# ----------------------------------------------------------------------------------------------------------
# segmentation


def _segment(pipe, texts: dict[str, str], *, n_process: int, batch_size: int) -> pd.DataFrame:
    """Segment the paragraphs ``{text_hash: text}``; rows with offsets relative to each paragraph."""
    lex = _lexicon_of(pipe)
    find = pipe.get_pipe(MERGE_COMPONENT).find if MERGE_COMPONENT in pipe.pipe_names else None
    jobs = []  # (text_hash, offset of the piece in the paragraph, piece)
    for h, text in texts.items():
        for offset, piece in _chunks(text, find=find):
            if piece.strip():
                jobs.append((h, offset, piece))
    columns = {c: [] for c in _CACHE_COLUMNS}
    if not jobs:
        return pd.DataFrame(columns)
    if n_process in (None, -1, 0):
        n_process = os.cpu_count() or 1
    n_process = max(1, min(int(n_process), len(jobs)))
    docs = pipe.pipe((piece for _, _, piece in jobs), n_process=n_process, batch_size=batch_size)
    counters: dict[str, int] = {}
    punct: dict[str, bool] = {}
    for (h, offset, _piece), doc in zip(jobs, docs):
        i = counters.get(h, 0)
        for tok in doc:
            if tok.is_space:
                continue
            text = tok.text
            columns["text_hash"].append(h)
            columns["i"].append(i)
            columns["token"].append(text)
            columns["start"].append(offset + tok.idx)
            columns["end"].append(offset + tok.idx + len(text))
            flag = punct.get(text)
            if flag is None:
                flag = punct[text] = is_punct_text(text)
            columns["is_punct"].append(flag)
            columns["in_lexicon"].append(bool(tok._.in_lexicon))
            i += 1
        counters[h] = i
    columns["lexicon_version"] = [lex.version] * len(columns["token"])
    frame = pd.DataFrame(columns)
    return frame.astype({"i": "int32", "start": "int64", "end": "int64"})


def _empty_table() -> pd.DataFrame:
    frame = pd.DataFrame({c: [] for c in TOKEN_COLUMNS})
    return frame.astype({"year": "Int64", "period": "Int64", "i": "int32", "sent": "int32", "start": "int64",
                         "end": "int64", "is_punct": bool, "is_stop": bool, "is_num": bool, "in_lexicon": bool,
                         "doc_id": object, "para_id": object, "section_id": object, "part": object,
                         "token": object})


def tokens(corpus, *, nlp=None, n_process: int = 1, cache: bool = True, cache_dir=None,
           batch_size: int = 64) -> pd.DataFrame:
    """The token table of a corpus: one row per token, in text order, with docvars and offsets.

    Parameters
    ----------
    corpus : Corpus, DataFrame or str
        A :class:`~cppcc_nlp.corpus.Corpus`; or a paragraph table with the columns of ``Corpus.paragraphs``;
        or a string (or list of strings), each taken as one paragraph of a document ``text`` (``text0`` …).
    nlp : spacy.Language, optional
        A pipeline from :func:`nlp`; default ``nlp()``.
    n_process : int, default 1
        Worker processes for ``nlp.pipe``; ``-1`` uses every core.
    cache : bool, default True
        Read and write the token cache.
    cache_dir : path, optional
        Cache root; default the corpus's own ``cache_dir`` attribute when it has one (a corpus store's
        ``<store>/cache``), else ``cppcc_nlp._cache.cache_dir()`` (``$CPPCC_NLP_CACHE`` or
        ``~/.cache/cppcc-nlp``).  Token rows live under ``<root>/tokens/``.
    batch_size : int, default 64
        Paragraphs per ``nlp.pipe`` batch.

    Returns
    -------
    pandas.DataFrame
        Columns ``doc_id, para_id, section_id, year, period, part, i, sent, token, start, end, is_punct,
        is_stop, is_num, in_lexicon``.  ``i`` is the token's index in its paragraph and ``sent`` the index of
        its sentence in the paragraph; ``start``/``end`` are offsets into ``Document.text``.  Whitespace is not
        a token.  Lexicon entries are never flagged stop word or number.

    Raises
    ------
    InputError
        ``corpus`` is not a corpus, a paragraph table or text.
    ModelError, LexiconError
        From :func:`nlp`.

    Examples
    --------
    >>> t = tokens("坚决拥护“两个确立”", cache=False)
    >>> t[["token", "start", "end", "in_lexicon"]].values.tolist()
    [['坚决', 0, 2, False], ['拥护', 2, 4, False], ['“', 4, 5, False], ['两个确立', 5, 9, True], ['”', 9, 10, False]]
    """
    if not isinstance(n_process, int) or n_process == 0 or n_process < -1:
        raise ParameterError(f"n_process={n_process!r}: give a positive number of processes, or -1 for all cores")
    paras, sents = _paragraphs_of(corpus)
    if paras.empty:
        return _empty_table()
    pipe = nlp if nlp is not None else globals()["nlp"]()
    lex = _lexicon_of(pipe)
    texts_col = paras["text"].fillna("").astype(str)
    hashes = [text_hash(t) for t in texts_col]
    unique = {}
    for h, t in zip(hashes, texts_col):
        if h not in unique and t.strip():
            unique[h] = t

    store = None
    found = pd.DataFrame(columns=_CACHE_COLUMNS)
    if cache:
        root = cache_dir or getattr(corpus, "cache_dir", None) or _default_cache_dir()
        store = TokenCache(Path(root), pipe.meta["cppcc_nlp"]["pipeline_version"])
        try:
            found = store.lookup(unique, lex)
        except OSError as exc:
            import warnings

            warnings.warn(f"token cache at {store.folder} unreadable ({exc}); segmenting anew", stacklevel=2)
    done = set(found["text_hash"])
    todo = {h: t for h, t in unique.items() if h not in done}
    fresh = _segment(pipe, todo, n_process=n_process, batch_size=batch_size)
    if store is not None and not fresh.empty:
        try:
            store.remember_lexicon(lex)
            store.store(fresh)
        except OSError as exc:
            import warnings

            warnings.warn(f"token cache at {store.folder} not writable ({exc}); results not cached", stacklevel=2)
    rows = pd.concat([f for f in (found, fresh) if not f.empty], ignore_index=True) if (
        not found.empty or not fresh.empty) else pd.DataFrame(columns=_CACHE_COLUMNS)
    return _assemble(paras, sents, hashes, rows, lex)


def _assemble(paras: pd.DataFrame, sents, hashes: list[str], rows: pd.DataFrame, lex: Lexicon) -> pd.DataFrame:
    if rows.empty:
        return _empty_table()
    rows = rows[["text_hash", "i", "token", "start", "end", "is_punct", "in_lexicon"]].astype(
        {"i": "int32", "start": "int64", "end": "int64", "is_punct": bool, "in_lexicon": bool})
    p = paras[["doc_id", "para_id", "section_id", "year", "period", "part", "start"]].rename(
        columns={"start": "para_start"}).reset_index(drop=True)
    p["text_hash"] = hashes
    p["_order"] = np.arange(len(p))
    table = p.merge(rows, on="text_hash", how="inner").sort_values(["_order", "i"], kind="stable")
    table["start"] = table["start"] + table["para_start"].astype("int64")
    table["end"] = table["end"] + table["para_start"].astype("int64")
    table = table.reset_index(drop=True)
    table["sent"] = _sentence_index(table, sents)
    words = pd.Series(table["token"].unique())
    stop_words = stopwords()
    num = dict(zip(words, (is_num_text(w) for w in words)))
    in_lex = table["in_lexicon"].to_numpy()
    table["is_stop"] = table["token"].isin(stop_words).to_numpy() & ~in_lex
    table["is_num"] = table["token"].map(num).astype(bool).to_numpy() & ~in_lex
    table["is_punct"] = table["is_punct"].to_numpy() & ~in_lex
    table["year"] = table["year"].astype("Int64")
    table["period"] = table["period"].astype("Int64")
    table["sent"] = table["sent"].astype("int32")
    return table[TOKEN_COLUMNS]


def _sentence_index(table: pd.DataFrame, sents) -> np.ndarray:
    """Index of each token's sentence within its paragraph."""
    if sents is not None and len(sents) and {"para_id", "sent_id", "start"} <= set(sents.columns):
        s = sents[["para_id", "sent_id", "start"]].copy()
        s["sent"] = s["sent_id"].astype(str).str.rsplit("/", n=1).str[-1].astype("int64")
        s = s.sort_values("start", kind="stable")
        t = table[["para_id", "start"]].copy()
        t["_row"] = np.arange(len(t))
        t = t.sort_values("start", kind="stable")
        merged = pd.merge_asof(t, s[["para_id", "start", "sent"]], on="start", by="para_id", direction="backward")
        merged["sent"] = merged["sent"].fillna(0)
        return merged.sort_values("_row")["sent"].to_numpy().astype("int64")
    # no sentence table: a sentence ends after a token made of sentence-final punctuation
    is_end = table["token"].str.fullmatch(r"[。！？!?；;…]+").fillna(False).astype("int64")
    before = is_end.groupby(table["para_id"], sort=False).cumsum() - is_end
    return before.to_numpy()


# ----------------------------------------------------------------------------------------------------------
# token lists


def token_lists(corpus_or_token_table, *, unit: str = "paragraph", drop_stop: bool = True,
                drop_punct: bool = True, drop_num: bool = True, keep_boilerplate: bool = True,
                **tokens_kwargs) -> pd.Series:
    """Token strings per unit, filtered by the shared stop-word rules (:mod:`cppcc_nlp.resources.stopwords`).

    Parameters
    ----------
    corpus_or_token_table : Corpus or DataFrame
        A corpus (segmented with :func:`tokens`, passing ``tokens_kwargs``) or a token table from it.
    unit : {"paragraph", "sentence", "section", "document"}
        Grouping; the Series is indexed by ``para_id``, ``sent_id`` (``f"{para_id}/{sent:02d}"``),
        ``section_id`` or ``doc_id``, in text order.  Units whose tokens are all filtered give ``[]``.
    drop_stop, drop_punct, drop_num : bool, default True
        Drop function words, punctuation, numbers.
    keep_boilerplate : bool, default True
        ``False`` also drops the boilerplate verbs (坚持, 推进, 加强 …).  Lexicon entries are always kept.

    Returns
    -------
    pandas.Series of list of str, named ``tokens``.

    Examples
    --------
    >>> token_lists(tokens("坚持以习近平新时代中国特色社会主义思想为指导"), keep_boilerplate=False)  # doctest: +SKIP
    para_id
    text/p0000    [习近平新时代中国特色社会主义思想, 指导]
    Name: tokens, dtype: object
    """
    if unit not in _UNITS:
        raise ParameterError(f"unit={unit!r}: choose one of {sorted(_UNITS)}")
    table = corpus_or_token_table
    if not isinstance(table, pd.DataFrame) or "token" not in table.columns:
        table = tokens(table, **tokens_kwargs)
    missing = [c for c in ("doc_id", "para_id", "section_id", "sent", "token", "is_punct", "is_stop", "is_num",
                           "in_lexicon") if c not in table.columns]
    if missing:
        raise InputError(f"the token table lacks the columns {missing}; make it with cppcc_nlp.tokens()")
    key = _UNITS[unit]
    if key == "sent_id":
        ids = table["para_id"].astype(str) + "/" + table["sent"].astype(int).map("{:02d}".format)
    else:
        ids = table[key]
    mask = np.ones(len(table), dtype=bool)
    if drop_stop:
        mask &= ~table["is_stop"].to_numpy(dtype=bool)
    if drop_punct:
        mask &= ~table["is_punct"].to_numpy(dtype=bool)
    if drop_num:
        mask &= ~table["is_num"].to_numpy(dtype=bool)
    if not keep_boilerplate:
        mask &= ~(table["token"].isin(boilerplate()).to_numpy() & ~table["in_lexicon"].to_numpy(dtype=bool))
    order = pd.unique(ids)
    grouped = table["token"][mask].groupby(ids[mask], sort=False).agg(list)
    result = grouped.reindex(order)
    result = result.apply(lambda v: v if isinstance(v, list) else [])
    result.index.name = key
    result.name = "tokens"
    return result


# ----------------------------------------------------------------------------------------------------------
# CLI
