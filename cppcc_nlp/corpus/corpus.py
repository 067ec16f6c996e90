"""The :class:`Corpus`: reports read, repaired, structured and described, as pandas tables.

The quanteda idea in Python: a corpus of documents with document variables (docvars) carried on every row of
every table, so any result can be grouped by ``doc_id``, ``year``, ``period``, ``part`` or ``section_id``.

Examples
--------
>>> import cppcc_nlp as cn
>>> corpus = cn.Corpus.from_path("corpora")                        # doctest: +SKIP
>>> corpus.documents[["doc_id", "year", "level", "region"]]         # doctest: +SKIP
>>> corpus.sections[["section_id", "heading", "part", "period"]]     # doctest: +SKIP
>>> corpus.kwic("同心政协", window=10)                                # doctest: +SKIP
"""

from __future__ import annotations

import re
import warnings
from operator import attrgetter
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from cppcc_nlp._text import simplified_view
from cppcc_nlp.corpus import _store_format
from cppcc_nlp.corpus.document import Document
from cppcc_nlp.corpus.series import series_label
from cppcc_nlp.errors import NoReportsError, ParameterError, ReportFileError, UnsupportedFormatError
from cppcc_nlp.io.metadata import FIELDS, find_manifest, manifest_entry, read_manifest
from cppcc_nlp.io.reading import EXTENSIONS
from cppcc_nlp.io.structure import Paragraph

#: docvars carried on every row of the sections/paragraphs/sentences tables (after the table's own columns)
DOCVARS = ("year", "level", "region", "organ", "series")
DOCUMENT_COLUMNS = [
    "doc_id",
    "path",
    "title",
    "organ",
    "level",
    "region",
    "session",
    "date",
    "year",
    "speaker",
    "abridged",
    "series",
    "n_chars",
    "n_sections",
    "n_paragraphs",
    "encoding",
    "format",
    "sha256",
]
SECTION_COLUMNS = [
    "doc_id",
    "section_id",
    "heading",
    "depth",
    "kind",
    "part",
    "period",
    "start",
    "end",
    "n_chars",
    "period_start",
    "period_end",
]
PARAGRAPH_COLUMNS = [
    "doc_id",
    "para_id",
    "section_id",
    "part",
    "period",
    "start",
    "end",
    "text",
    "period_start",
    "period_end",
]
SENTENCE_COLUMNS = [
    "doc_id",
    "para_id",
    "sent_id",
    "section_id",
    "part",
    "period",
    "start",
    "end",
    "text",
    "period_start",
    "period_end",
]
KWIC_COLUMNS = [
    "doc_id",
    "year",
    "series",
    "period",
    "part",
    "section_id",
    "para_id",
    "start",
    "end",
    "left",
    "match",
    "right",
]

# files met in report folders that are not reports: skipped silently when a folder is read
_NOT_REPORTS = {".md", ".csv", ".yaml", ".yml", ".json", ".py", ".ipynb", ".parquet", ".pkl", ".log", ".tsv"}


class Corpus:
    """A collection of :class:`Document` with tidy tables.

    Build one with :meth:`from_path`.  Tables (pandas DataFrames, built on first use):

    ``documents``   one row per document: doc_id, path, title, organ, level, region, session, date, year,
                    speaker, abridged, series, n_chars, n_sections, n_paragraphs, encoding, format, sha256
    ``sections``    doc_id, section_id, heading, depth, kind, part, period, start, end, n_chars + docvars
    ``paragraphs``  doc_id, para_id, section_id, part, period, start, end, text + docvars
    ``sentences``   doc_id, para_id, sent_id, section_id, part, period, start, end, text + docvars

    ``period`` is a nullable ``Int64`` column; docvars are year (int), level, region, organ and series (the run
    of reports a document belongs to, ``国务院/national/全国``: see :mod:`cppcc_nlp.corpus.series`).
    ``problems`` lists ``(path, message)`` for files skipped in non-strict reading.
    """

    def __init__(self, docs: list[Document] | None = None, problems: list | None = None, *, cache_dir=None):
        docs = list(docs or [])
        seen: dict[str, int] = {}
        for doc in docs:  # unique ids: national_2019, national_2019-2, …
            n = seen.get(doc.doc_id, 0) + 1
            seen[doc.doc_id] = n
            if n > 1:
                _rename(doc, f"{doc.doc_id}-{n}")
        self.docs: list[Document] = docs
        self.problems: list[tuple[str, str]] = list(problems or [])
        #: where derived results (tokens) are cached: a corpus store's ``cache/`` folder, or None for the user
        #: cache (:func:`cppcc_nlp._cache.cache_dir`); passed explicitly, kept by :meth:`subset`
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self._by_id = {d.doc_id: d for d in docs}
        self._tables: dict[str, pd.DataFrame] = {}
        self._views: dict[int, tuple[str, str]] = {}
        self._paragraph_spans: dict[int, tuple] = {}
        self._joined: tuple | None = None  # (see _joined_view)

    # -- construction ----------------------------------------------------------------------------------------
    @classmethod
    def from_path(
        cls, path_or_paths, *, manifest=None, to_simplified: bool = False, strict: bool = False, client=None
    ) -> "Corpus":
        """Read report files and folders into a corpus.

        Parameters
        ----------
        path_or_paths : str, Path or list of them
            Files (``.txt .docx .pdf .html .htm``) and folders (searched recursively; a ``manifest.csv`` /
            ``manifest.yaml`` in a folder applies to the reports under it).
        manifest : str or Path, optional
            A manifest (CSV or YAML) overriding metadata; entries matched by file name or relative path.
        to_simplified : bool
            Convert traditional characters to simplified (OpenCC), keeping ``Document.original_text``.
        strict : bool
            Raise on the first bad file instead of skipping it (skipped files are in ``corpus.problems`` and
            reported with a warning).
        client : distributed.Client, optional
            Read the files on a Dask cluster (:mod:`cppcc_nlp.corpus._distributed`; the files must be at the same
            path on every worker); the same corpus, problems and warnings.  A corpus store is read here.

        Raises
        ------
        NoReportsError
            No readable report in the paths.
        ReportFileError (subclasses)
            A bad file, in strict mode or when it is the only file named.

        Examples
        --------
        >>> corpus = Corpus.from_path("corpora/000_e661db7dabda7a33.txt")     # doctest: +SKIP
        >>> corpus.documents.loc[0, ["level", "region", "date", "speaker"]].tolist()  # doctest: +SKIP
        ['county', '阜新蒙古族自治县', '2024-12-25', '陈忠民']
        """
        if isinstance(path_or_paths, (str, Path)):
            paths = [Path(path_or_paths)]
        else:
            paths = [Path(p) for p in path_or_paths]
        if not paths:
            raise NoReportsError("no paths given: name report files or folders")
        if len(paths) == 1 and manifest is None and _store_format.is_store(paths[0]):
            # a corpus store (`cppcc-nlp add`): its manifest, its parsed-document cache and its token cache
            docs, problems = _store_format.read_store(paths[0], to_simplified=to_simplified, strict=strict)
            for _, message in problems:
                warnings.warn(f"skipped: {message}", stacklevel=2)
            return cls(docs, problems, cache_dir=_store_format.cache_folder(paths[0]))
        explicit = None
        if manifest is not None:
            explicit = (Path(manifest), read_manifest(manifest))
        files: list[tuple[Path, bool]] = []  # (file, named explicitly)
        problems: list[tuple[str, str]] = []
        for p in paths:
            if p.is_dir():
                found = sorted(f for f in p.rglob("*") if f.is_file() and not _hidden(f, p))
                for f in found:
                    suffix = f.suffix.lower()
                    if suffix in EXTENSIONS:
                        files.append((f, False))
                    elif suffix not in _NOT_REPORTS and f.name not in ("README", "LICENSE"):
                        err = UnsupportedFormatError(
                            f,
                            f"unsupported file type {suffix or '(no extension)'!r}",
                            "convert it to .txt, .docx, .pdf or .html, or move it out",
                        )
                        if strict:
                            raise err
                        problems.append((str(f), str(err)))
            elif p.exists():
                files.append((p, True))
            else:
                err = ReportFileError(p, "no such file or folder", "check the path")
                if strict or len(paths) == 1:
                    raise err
                problems.append((str(p), str(err)))
        unique, seen = [], set()
        for f, named in files:  # a folder and a file inside it, or a folder named twice: read each file once
            key = f.resolve()
            if key not in seen:
                seen.add(key)
                unique.append((f, named))
        files = unique
        manifests: dict[Path, tuple[Path, dict]] = {}
        docs = []
        used: set[int] = set()
        if client is not None:
            from cppcc_nlp.corpus._distributed import read_documents

            jobs = [(f, _manifest_row(f, paths, explicit, manifests, used)) for f, _ in files]
            read = read_documents(client, jobs, to_simplified=to_simplified)
            for (f, named), (_, row), (doc, message) in zip(files, jobs, read):
                if doc is not None:
                    docs.append(doc)
                elif strict or (named and len(files) == 1):
                    Document.from_file(f, manifest_row=row, to_simplified=to_simplified)  # raises the error here
                else:
                    problems.append((str(f), message))
            files = []
        for f, named in files:
            row = _manifest_row(f, paths, explicit, manifests, used)
            try:
                docs.append(Document.from_file(f, manifest_row=row, to_simplified=to_simplified))
            except ReportFileError as err:
                if strict or (named and len(files) == 1):
                    raise
                problems.append((str(f), str(err)))
        for _, message in problems:
            warnings.warn(f"skipped: {message}", stacklevel=2)
        first_with: dict[str, Path] = {}
        for doc in docs:  # a byte-identical copy is a second document: say so, or its counts double silently
            sha = doc.meta.get("sha256")
            if sha in first_with:
                warnings.warn(
                    f"{doc.path}: the same bytes as {first_with[sha]}; both are read (leave one out, "
                    "or the report counts twice)",
                    stacklevel=2,
                )
            else:
                first_with[sha] = doc.path
        # a folder manifest is read only for a folder read whole, so each line should name a report read
        for folder, (mpath, entries) in manifests.items():
            for name, entry in entries.items():
                if mpath is not None and id(entry) not in used:
                    warnings.warn(
                        f"{mpath}: the line for {name!r} matches no report read from {folder} (check the file name)",
                        stacklevel=2,
                    )
        if not docs:
            where = ", ".join(str(p) for p in paths)
            detail = f"; {len(problems)} file(s) skipped, first: {problems[0][1]}" if problems else ""
            raise NoReportsError(f"{where}: no readable report (.txt .docx .pdf .html .htm){detail}")
        return cls(docs, problems)

    @classmethod
    def from_texts(cls, texts, *, meta: dict | None = None) -> "Corpus":
        """A corpus from texts in memory: ``{name: text}`` (the name plays the file name: ``national_2019``
        gives level and year by the file-name rule) or a list of texts (named ``text0``, ``text1`` …).

        ``meta`` maps a name to docvars overriding the text's, as a manifest entry would.

        Examples
        --------
        >>> c = Corpus.from_texts({"county-彰武县_2023": "一、2022年工作回顾\\n成绩显著。\\n二、2023年主要任务\\n一要学习。"})
        >>> c.sections[["heading", "part", "period"]].values.tolist()
        [['一、2022年工作回顾', 'review', 2022], ['二、2023年主要任务', 'plan', 2023], ['一要学习。', 'plan', 2023]]
        """
        if isinstance(texts, str):
            raise ParameterError("from_texts() takes a dict {name: text} or a list of texts, not one string")
        items = texts.items() if isinstance(texts, dict) else ((f"text{i}", t) for i, t in enumerate(texts))
        meta = meta or {}
        docs = [Document.from_text(text, path=f"{name}.txt", manifest_row=meta.get(name)) for name, text in items]
        if not docs:
            raise NoReportsError("from_texts(): no texts given")
        return cls(docs)

    # -- access ----------------------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.docs)

    def __iter__(self) -> Iterator[Document]:
        return iter(self.docs)

    def __getitem__(self, doc_id: str) -> Document:
        try:
            return self._by_id[doc_id]
        except KeyError:
            raise ParameterError(
                f"no document {doc_id!r} in the corpus; ids are: "
                f"{', '.join(list(self._by_id)[:10])}{' …' if len(self._by_id) > 10 else ''}"
            ) from None

    def __contains__(self, doc_id) -> bool:
        return doc_id in self._by_id

    def __repr__(self) -> str:
        years = sorted({d.meta["year"] for d in self.docs})
        span = f"{years[0]}–{years[-1]}" if years else "no years"
        return f"<Corpus: {len(self.docs)} documents, {span}, {sum(len(d.text) for d in self.docs)} chars>"

    # -- tables ----------------------------------------------------------------------------------------------
    @property
    def documents(self) -> pd.DataFrame:
        """One row per document (see the class docstring for the columns)."""
        if "documents" not in self._tables:
            rows = []
            for d in self.docs:
                m = d.meta
                rows.append(
                    {
                        "doc_id": d.doc_id,
                        "path": str(d.path),
                        **{k: m.get(k) for k in FIELDS},
                        "series": series_label(m),
                        # the paragraphs kept (all of them, or a period subset's): the whole text less
                        # its line breaks for a full document
                        "n_chars": sum(len(p.text) for p in d.paragraphs),
                        "n_sections": len(d.sections),
                        "n_paragraphs": len(d.paragraphs),
                        "encoding": m.get("encoding"),
                        "format": m.get("format"),
                        "sha256": m.get("sha256"),
                    }
                )
            df = pd.DataFrame(rows, columns=DOCUMENT_COLUMNS)
            df["year"] = df["year"].astype("int64")
            df["abridged"] = df["abridged"].astype(bool)
            for col in ("n_chars", "n_sections", "n_paragraphs"):
                df[col] = df[col].astype("int64")
            self._tables["documents"] = df
        return self._tables["documents"]

    def _table(self, name: str, attr: str, columns: list[str]) -> pd.DataFrame:
        if name not in self._tables:
            # column by column (a dict per row took half of reading a large store from the cache)
            per_doc = [getattr(d, attr) for d in self.docs]
            items = [item for records in per_doc for item in records]
            data = {c: list(map(attrgetter(c), items)) for c in columns}
            for k in DOCVARS:
                values = [series_label(d.meta) if k == "series" else d.meta.get(k) for d in self.docs]
                data[k] = [v for v, records in zip(values, per_doc) for _ in range(len(records))]
            df = pd.DataFrame(data, columns=columns + list(DOCVARS))
            for col in ("period", "period_start", "period_end"):
                df[col] = df[col].astype("Int64")
            df["year"] = df["year"].astype("int64")
            for col in ("start", "end") + (("depth", "n_chars") if name == "sections" else ()):
                df[col] = df[col].astype("int64")
            self._tables[name] = df
        return self._tables[name]

    @property
    def sections(self) -> pd.DataFrame:
        """One row per section: doc_id, section_id, heading, depth, kind, part, period, start, end, n_chars,
        year, level, region, organ, series."""
        return self._table("sections", "sections", SECTION_COLUMNS)

    @property
    def paragraphs(self) -> pd.DataFrame:
        """One row per paragraph: doc_id, para_id, section_id, part, period, start, end, text, year, level,
        region, organ, series."""
        return self._table("paragraphs", "paragraphs", PARAGRAPH_COLUMNS)

    @property
    def sentences(self) -> pd.DataFrame:
        """One row per sentence: doc_id, para_id, sent_id, section_id, part, period, start, end, text, year,
        level, region, organ."""
        return self._table("sentences", "sentences", SENTENCE_COLUMNS)

    def iter_paragraphs(self) -> Iterator[Paragraph]:
        """Paragraphs in corpus order, as :class:`~cppcc_nlp.io.structure.Paragraph` (doc_id, para_id,
        section_id, part, period, start, end, text): the stream downstream steps read."""
        for d in self.docs:
            yield from d.paragraphs

    # -- subset and concordance ------------------------------------------------------------------------------
    def subset(
        self, *, year=None, period=None, part=None, level=None, region=None, organ=None, series=None, doc_id=None
    ) -> "Corpus":
        """Documents matching every given docvar; ``period`` and ``part`` also restrict their sections.

        Each argument takes one value, a list of values (those values), or, for ``year`` and ``period``, a
        range: ``year=(2014, 2018)`` is the **inclusive** range 2014–2018, as is ``year=range(2014, 2019)``
        (Python's range stops before its end).  Give a list, ``[2014, 2018]``, for two single years.

        ``period`` keeps the documents that have a section about that year **and restricts their sections to
        it** (paragraphs outside are dropped): a section is about year Y when its span contains Y
        (``period_start <= Y <= period_end``), so a review of ``过去五年`` (2013–2017) is kept by ``period=2015``.
        ``part`` (``"review"``, ``"plan"`` …) keeps the sections of that part in the same way.

        Raises
        ------
        ParameterError
            A value that is in no document of the corpus (``level="nationl"``, ``region="上海"``): the message
            lists the close matches and the values present.  A year that is not a whole number.

        Examples
        --------
        >>> corpus.subset(level="county", year=[2023, 2024])          # doctest: +SKIP
        >>> corpus.subset(series="国务院/national/全国", year=(2014, 2018))  # doctest: +SKIP
        >>> corpus.subset(period=2018, part="review")   # the review of 2018 (national_2019)  # doctest: +SKIP
        """
        years = _year_values("year", year)
        periods = _year_values("period", period)
        docvars = {"level": level, "region": region, "organ": organ, "series": series, "doc_id": doc_id}
        present = {name: {_docvar(d, name) for d in self.docs} for name in docvars}
        wanted = {
            name: _check_values(name, value, present[name]) for name, value in docvars.items() if value is not None
        }
        if years is not None and not isinstance(year, (tuple, range)):
            _check_values("year", years, {d.meta.get("year") for d in self.docs})
        parts = None
        if part is not None:
            parts = _check_values("part", part, {s.part for d in self.docs for s in d.sections})
        keep = [
            d
            for d in self.docs
            if (years is None or d.meta.get("year") in years)
            and all(_docvar(d, name) in values for name, values in wanted.items())
        ]
        if periods is not None or parts is not None:
            keep = [_restrict_sections(d, periods, parts) for d in keep]
            keep = [d for d in keep if d is not None]
        out = Corpus.__new__(Corpus)
        out.docs, out.problems, out.cache_dir = keep, list(self.problems), self.cache_dir
        out._by_id = {d.doc_id: d for d in keep}
        out._tables = {}
        # keyed by the text and the paragraph list themselves, so shared safely
        out._views, out._paragraph_spans = self._views, self._paragraph_spans
        out._joined = None
        return out

    def kwic(self, pattern: str, window: int = 20, regex: bool = False) -> pd.DataFrame:
        """Keywords in context over the whole corpus.

        Parameters
        ----------
        pattern : str
            Literal text (default) or a regular expression (``regex=True``).
        window : int
            Characters of context on each side, within the paragraph.

        Pattern and text are compared in simplified characters (OpenCC ``t2s``, offset for offset), so ``两个确立``
        also finds ``兩個確立`` in a traditional report read without ``to_simplified``; ``match`` is the text as
        written.

        Returns
        -------
        DataFrame
            doc_id, year, series, period, part, section_id, para_id, start, end, left, match, right;
            ``start``/``end`` are offsets into ``Document.text`` (``doc.text[start:end] == match``).

        Examples
        --------
        >>> corpus.kwic("两个确立", window=8)[["left", "match", "right"]]    # doctest: +SKIP
        """
        if not isinstance(pattern, str) or not pattern:
            raise ParameterError("kwic() needs a non-empty pattern string")
        if not isinstance(window, int) or window < 0:
            raise ParameterError(f"kwic(window={window!r}): give a number of characters >= 0")
        # matched in simplified characters on both sides (offset for offset), quoted as written: 两个确立 finds
        # 兩個確立 in a traditional report read without to_simplified, and the other way round
        key = simplified_view(pattern)
        try:
            rx = re.compile(key if regex else re.escape(key))
        except re.error as exc:
            raise ParameterError(f"kwic pattern {pattern!r} is not a valid regular expression: {exc}") from exc
        rows = []
        holding = None if regex else self._holding(key)
        for k, d in enumerate(self.docs):
            paragraphs = d.paragraphs if regex else holding.get(k, [])
            if not paragraphs:
                continue
            view = self._simplified_view(d.text)
            series = series_label(d.meta)
            for p in paragraphs:
                searched = p.text if view is d.text else view[p.start : p.end]
                for m in rx.finditer(searched):
                    a, b = m.span()
                    if a == b:
                        continue
                    # (a tuple in the order of KWIC_COLUMNS)
                    rows.append(
                        (
                            d.doc_id,
                            d.meta["year"],
                            series,
                            p.period,
                            p.part,
                            p.section_id,
                            p.para_id,
                            p.start + a,
                            p.start + b,
                            p.text[max(0, a - window) : a],
                            p.text[a:b],
                            p.text[b : b + window],
                        )
                    )
        df = pd.DataFrame(rows, columns=KWIC_COLUMNS)
        df["period"] = df["period"].astype("Int64")
        df["year"] = df["year"].astype("int64")
        return df

    def _simplified_view(self, text: str) -> str:
        """:func:`simplified_view` of a document's text, converted once per corpus: kwic runs once per term of a
        report, and OpenCC over every document each time was most of its time."""
        cached = self._views.get(id(text))
        if cached is None:  # (the entry holds the text, so its id is never reused by another)
            cached = self._views[id(text)] = (text, simplified_view(text))
        return cached[1]

    def _holding(self, key: str) -> dict[int, list[Paragraph]]:
        """``{k: the paragraphs of self.docs[k] whose span of the simplified view holds the literal key}``: every
        place of ``key`` in the corpus's joined view is found at once, then each paragraph is tested against the
        first place at or after its start (a place across two documents lies inside no paragraph)."""
        joined, starts, ends, doc_of, paragraphs = self._joined_view()
        places = []
        at = joined.find(key)
        while at >= 0:
            places.append(at)
            at = joined.find(key, at + 1)
        if not places:
            return {}
        places = np.array(places, np.int64)
        first = np.searchsorted(places, starts).clip(0, len(places) - 1)  # the first place at or after each start
        inside = (places[first] >= starts) & (places[first] + len(key) <= ends)
        out: dict[int, list[Paragraph]] = {}
        for j in np.flatnonzero(inside).tolist():
            out.setdefault(doc_of[j], []).append(paragraphs[j])
        return out

    def _joined_view(self) -> tuple:
        """The simplified views of every document joined (one separator between two), with each paragraph's
        start and end in it, its document's index and the paragraph itself: made once per corpus, for kwic of a
        literal (looking document by document cost a tenth of a second per term on a corpus of 400 reports)."""
        if self._joined is None:
            views = [self._simplified_view(d.text) for d in self.docs]
            offsets = np.cumsum([0] + [len(v) + 1 for v in views[:-1]], dtype=np.int64)
            spans = [self._spans(d.paragraphs) for d in self.docs]
            starts = np.concatenate([s + o for (s, _), o in zip(spans, offsets)]) if spans else np.zeros(0, np.int64)
            ends = np.concatenate([e + o for (_, e), o in zip(spans, offsets)]) if spans else np.zeros(0, np.int64)
            doc_of = [k for k, d in enumerate(self.docs) for _ in d.paragraphs]
            paragraphs = [p for d in self.docs for p in d.paragraphs]
            self._joined = ("\n".join(views), starts, ends, doc_of, paragraphs)
        return self._joined

    def _spans(self, paragraphs: list[Paragraph]) -> tuple[np.ndarray, np.ndarray]:
        """The start and end offsets of a document's paragraphs, as arrays made once per corpus (kwic)."""
        cached = self._paragraph_spans.get(id(paragraphs))
        if cached is None:  # (the entry holds the list, so its id is never reused by another)
            spans = np.array([(p.start, p.end) for p in paragraphs], np.int64).reshape(-1, 2)
            cached = self._paragraph_spans[id(paragraphs)] = (paragraphs, spans[:, 0], spans[:, 1])
        return cached[1], cached[2]


def _rename(doc: Document, new_id: str) -> None:
    old = doc.doc_id
    doc.doc_id = new_id

    def fix(s: str) -> str:
        return new_id + s[len(old) :] if s.startswith(old + "/") else s

    for sec in doc.sections:
        sec.doc_id, sec.section_id = new_id, fix(sec.section_id)
    for p in doc.paragraphs:
        p.doc_id, p.para_id, p.section_id = new_id, fix(p.para_id), fix(p.section_id)
    for s in doc.sentences:
        s.doc_id, s.para_id, s.sent_id, s.section_id = new_id, fix(s.para_id), fix(s.sent_id), fix(s.section_id)


def _docvar(doc: Document, name: str):
    if name == "doc_id":
        return doc.doc_id
    if name == "series":
        return series_label(doc.meta)
    return doc.meta.get(name)


def _year_values(name: str, value) -> set[int] | None:
    """The years meant by a ``year``/``period`` argument: an int, a list of ints, a ``(first, last)`` tuple
    (inclusive) or a ``range``."""
    if value is None:
        return None
    if isinstance(value, tuple):
        if len(value) != 2:
            raise ParameterError(
                f"subset({name}={value!r}): a tuple is an inclusive range (first, last), such as "
                f"(2014, 2018); give a list for single years"
            )
        first, last = (_as_year(name, v) for v in value)
        if first > last:
            raise ParameterError(f"subset({name}={value!r}): the range ends before it starts")
        return set(range(first, last + 1))
    items = value if isinstance(value, (list, set, frozenset, range)) else [value]
    return {_as_year(name, v) for v in items}


def _as_year(name: str, v) -> int:
    if isinstance(v, bool) or isinstance(v, str) or not hasattr(v, "__int__") or int(v) != v:
        raise ParameterError(f"subset({name}={v!r}): a year is an int such as 2024")
    return int(v)


def _check_values(name: str, value, present: set) -> set:
    """``value`` (one or a list) as a set, every item in ``present``; else a ParameterError with close matches."""
    import difflib

    items = value if isinstance(value, (list, tuple, set, frozenset, range)) else [value]
    items = set(items)
    present = {p for p in present if p is not None}
    unknown = sorted((v for v in items if v not in present), key=str)
    if unknown:
        names = sorted(map(str, present))
        hints = []
        for v in unknown:
            if not isinstance(v, str):  # a year: the list of years says enough
                hints.append(repr(v))
                continue
            close = difflib.get_close_matches(str(v), names, n=3, cutoff=0.4)
            close += [n for n in names if str(v) and str(v) in n and n not in close]  # 上海 → 上海市
            hints.append(f"{v!r}" + (f" (did you mean {', '.join(map(repr, close[:3]))}?)" if close else ""))
        shown = ", ".join(names[:12]) + (" …" if len(names) > 12 else "")
        raise ParameterError(
            f"subset({name}=…): {', '.join(hints)} is in no document of the corpus; its {name} values are: {shown}"
        )
    return items


def _restrict_sections(doc: Document, periods: set[int] | None, parts: set | None) -> Document | None:
    """``doc`` with only the sections about one of ``periods`` and of one of ``parts`` (None: any)."""

    def about(s) -> bool:
        if parts is not None and s.part not in parts:
            return False
        if periods is None:
            return True
        lo = s.period_start if s.period_start is not None else s.period
        hi = s.period_end if s.period_end is not None else s.period
        if lo is None or hi is None:
            return s.period in periods
        return any(lo <= y <= hi for y in periods)

    sections = [s for s in doc.sections if about(s)]
    if not sections:
        return None
    if len(sections) == len(doc.sections):
        return doc
    ids = {s.section_id for s in sections}
    return Document(
        doc_id=doc.doc_id,
        path=doc.path,
        text=doc.text,
        meta=doc.meta,
        sections=sections,
        paragraphs=[p for p in doc.paragraphs if p.section_id in ids],
        sentences=[s for s in doc.sentences if s.section_id in ids],
        removed=doc.removed,
        original_text=doc.original_text,
        layout=doc.layout,
        meta_sources=doc.meta_sources,
    )


def _hidden(f: Path, root: Path) -> bool:
    return any(part.startswith(".") or part.startswith("~$") for part in f.relative_to(root).parts)


def _manifest_row(f: Path, roots, explicit, cache, used: set) -> dict:
    """The manifest fields of ``f``; ``used`` collects the ids of the folder-manifest entries applied."""
    row: dict = {}
    # folder manifests, nearest last so that it wins
    folders = [f.parent] + list(f.parent.parents)
    for folder in reversed(folders):
        if not any(_is_within(folder, r) for r in roots if r.is_dir()):
            continue
        if folder not in cache:
            found = find_manifest(folder)
            cache[folder] = (found, read_manifest(found)) if found else (None, {})
        mpath, entries = cache[folder]
        if mpath is not None:
            entry = manifest_entry(entries, mpath, f)
            if any(entry is e for e in entries.values()):  # not the {} of "no line for this file"
                used.add(id(entry))
            row.update(entry)
    if explicit is not None:
        row.update(manifest_entry(explicit[1], explicit[0], f))
    return row


def _is_within(folder: Path, root: Path) -> bool:
    try:
        folder.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


# -- CLI -------------------------------------------------------------------------------------------------------
