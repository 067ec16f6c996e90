"""One report: :class:`Document`, read, repaired, structured and described.

Examples
--------
>>> doc = Document.from_text("2024年工作回顾\n一年来，我们……", path="county-阜新_2025.txt")   # doctest: +SKIP
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from cppcc_nlp.errors import EmptyFileError, MissingMetadataError
from cppcc_nlp.io.metadata import extract_with_sources, resolve_with_sources
from cppcc_nlp.io.normalise import Removed, normalise
from cppcc_nlp.io.reading import read_report
from cppcc_nlp.io.structure import (
    Paragraph,
    Section,
    Sentence,
    _year_of,
    heading_kind,
    parse_structure,
    simplified_view,
)


@dataclass
class Document:
    """One report: normalised text, structure and docvars.

    Attributes
    ----------
    doc_id : str
        File stem, made unique with ``-2``, ``-3`` … in a corpus.
    path : Path
    text : str
        Normalised text, one paragraph per line; every offset points into it.
    original_text : str or None
        Normalised text before OpenCC conversion (same layout and offsets), ``None`` if not converted.
    meta : dict
        Docvars: title, organ, level, region, session, date, year, speaker, abridged, encoding, format, sha256.
    sections, paragraphs, sentences : list
        :class:`~cppcc_nlp.io.structure.Section`, ``Paragraph``, ``Sentence`` records.
    removed : list of Removed
        Clutter cut out of the raw text by :func:`~cppcc_nlp.io.normalise.normalise`.
    meta_sources : dict
        Where each docvar came from: ``text:date-line``, ``text:title``, ``text:session``, ``text:review-year``,
        ``text:opening``, ``text:byline``, ``text:year-mentions`` (a weak guess), ``file-name`` or ``manifest``.
    layout : str
        Layout detected in the raw text (``wrapped``, ``lines``, ``spaced``).
    """

    doc_id: str
    path: Path
    text: str
    meta: dict
    sections: list[Section] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    original_text: str | None = None
    layout: str = "lines"
    meta_sources: dict = field(default_factory=dict)

    @property
    def year(self) -> int:
        return self.meta["year"]

    def __repr__(self) -> str:
        return (
            f"Document({self.doc_id!r}, year={self.meta.get('year')}, level={self.meta.get('level')!r}, "
            f"region={self.meta.get('region')!r}, {len(self.text)} chars, {len(self.sections)} sections)"
        )

    @classmethod
    def from_file(
        cls, path, *, doc_id: str | None = None, manifest_row: dict | None = None, to_simplified: bool = False
    ) -> "Document":
        """Read, normalise, describe and structure one report file.

        Raises a :class:`~cppcc_nlp.errors.ReportFileError` subclass for a bad file, and
        :class:`~cppcc_nlp.errors.MissingMetadataError` when no year can be found.
        """
        path = Path(path)
        raw = read_report(path, to_simplified=to_simplified)
        return cls.from_text(
            raw.text,
            path=path,
            doc_id=doc_id,
            manifest_row=manifest_row,
            encoding=raw.encoding,
            fmt=raw.format,
            sha256=raw.sha256,
            original_text=raw.original_text,
        )

    @classmethod
    def from_text(
        cls,
        text: str,
        *,
        path="<text>",
        doc_id: str | None = None,
        manifest_row: dict | None = None,
        encoding: str = "str",
        fmt: str = "txt",
        sha256: str | None = None,
        original_text: str | None = None,
    ) -> "Document":
        """A document from raw text already in memory (``path`` used for the id, the file-name rule, messages)."""
        import hashlib

        path = Path(path)
        norm = normalise(text)
        original = None
        if original_text is not None:
            # the text before OpenCC, repaired with the same layout; t2s maps character for character in
            # practice, so its offsets match Document.text (a phrase conversion could shift them)
            original = normalise(original_text, layout=norm.layout).text
        if not norm.text.strip():
            raise EmptyFileError(path, "no text left after layout repair", "check that the file holds the report")
        # read in simplified characters (offset for offset): a traditional report not converted on reading still
        # has its title block, date and headings recognised; docvars come out simplified, as grouping keys
        view = simplified_view(norm.text)
        text_meta, text_sources, fallback = extract_with_sources(view)
        if text_sources.get("year") in (None, "text:review-year"):
            from_headings = _infer_year(view)  # 一、1999年国内工作回顾 → 2000
            if from_headings is not None:
                text_meta["year"], text_sources["year"] = from_headings, "text:review-year"
        meta, meta_sources, conflicts = resolve_with_sources(
            text_meta, path, manifest_row, text_sources=text_sources, fallback=fallback
        )
        for message in conflicts:
            warnings.warn(message, stacklevel=3)
        month = int(meta["date"][5:7]) if meta.get("date") else None
        if meta["year"] is None:
            raise MissingMetadataError(
                path,
                "no delivery year in the text (no date line such as '——2024年12月25日在…会议上', no session, "
                "title or year named in it) nor in the file name",
                "put the year in the file name (county-阜新_2024.txt) or add a manifest.csv line: file,year",
            )
        doc_id = doc_id or path.stem
        structure = parse_structure(norm.text, doc_id=doc_id, year=meta["year"], month=month)
        meta.update(encoding=encoding, format=fmt, sha256=sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest())
        return cls(
            doc_id=doc_id,
            path=path,
            text=norm.text,
            meta=meta,
            sections=structure.sections,
            paragraphs=structure.paragraphs,
            sentences=structure.sentences,
            removed=norm.removed,
            original_text=original,
            layout=norm.layout,
            meta_sources=meta_sources,
        )


def _infer_year(text: str) -> int | None:
    """Delivery year from a plan heading (``2019年政府工作任务`` → 2019) or a review heading (+1)."""
    for para in text.split("\n"):
        kind = heading_kind(para)
        if kind and kind[0] in ("part", "numbered"):
            year = _year_of(para)
            if year is None:
                continue
            if re.search(r"回顾", para):
                return year + 1
            if re.search(r"安排|任务|部署|要求", para):
                return year
    return None
