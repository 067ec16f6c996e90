"""Bytes → text: report files in any of the formats and encodings met in practice.

:func:`read_report` takes a ``.txt``, ``.docx``, ``.pdf``, ``.html``/``.htm`` file and returns a
:class:`RawReport`: the decoded text (line breaks kept, layout not yet repaired), the detected encoding,
the format and the SHA-256 of the file's bytes.  Plain-text encodings are *detected* from the bytes, never
guessed from the extension: a byte-order mark first (UTF-8/UTF-16/UTF-32), then UTF-16 without a BOM
(NUL-byte pattern), then strict UTF-8, then GB18030 (a superset of GBK and GB2312), then
``charset-normalizer`` as the last resort.

Traditional characters are converted to simplified on request (OpenCC ``t2s``); the text before conversion
is kept in :attr:`RawReport.original_text`.

Examples
--------
>>> from cppcc_nlp.io.reading import read_report
>>> raw = read_report("corpora/000_e661db7dabda7a33.txt")   # doctest: +SKIP
>>> raw.encoding, raw.format                                  # doctest: +SKIP
('utf-8', 'txt')
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from cppcc_nlp._text import to_simplified_text
from cppcc_nlp.errors import (
    BinaryFileError,
    DecodingError,
    EmptyFileError,
    NoTextLayerError,
    ReportFileError,
    UnsupportedFormatError,
)

#: file extensions read as reports, mapped to their format name
EXTENSIONS = {".txt": "txt", ".text": "txt", ".docx": "docx", ".pdf": "pdf", ".html": "html", ".htm": "html"}

_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass
class RawReport:
    """A report file read into text, before layout repair.

    Attributes
    ----------
    path : Path
    text : str
        Decoded text (simplified characters when converted).
    original_text : str or None
        The text before OpenCC conversion, ``None`` when not converted.
    encoding : str
        Detected encoding (``utf-8``, ``utf-8-sig``, ``utf-16-le``, ``gb18030`` …), or the container format
        for ``docx``/``pdf``.
    format : str
        ``txt``, ``docx``, ``pdf`` or ``html``.
    sha256 : str
        Hex digest of the file's bytes (the content hash used by the store and the caches).
    """

    path: Path
    text: str
    original_text: str | None
    encoding: str
    format: str
    sha256: str


def read_report(path, *, to_simplified: bool = False) -> RawReport:
    """Read one report file into text.

    Parameters
    ----------
    path : str or Path
        A ``.txt``, ``.docx``, ``.pdf``, ``.html`` or ``.htm`` file.
    to_simplified : bool
        Convert traditional characters to simplified (OpenCC ``t2s``), keeping the original text.

    Returns
    -------
    RawReport

    Raises
    ------
    UnsupportedFormatError, EmptyFileError, BinaryFileError, DecodingError, NoTextLayerError
        Each names the file and what to do.

    Examples
    --------
    >>> raw = read_report("national_2000.txt", to_simplified=True)   # doctest: +SKIP
    >>> raw.text[:4], raw.original_text[:4]                           # doctest: +SKIP
    """
    path = Path(path)
    fmt = EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise UnsupportedFormatError(
            path,
            f"unsupported file type {path.suffix or '(no extension)'!r}",
            "convert it to .txt, .docx, .pdf or .html, or leave it out",
        )
    if not path.is_file():
        raise ReportFileError(path, "no such file", "check the path")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReportFileError(path, f"cannot be read: {exc.strerror or exc}", "check its permissions") from exc
    if not data.strip():
        raise EmptyFileError(path, "the file is empty", "remove it or put the report's text in it")
    sha = hashlib.sha256(data).hexdigest()
    if fmt == "txt":
        text, encoding = decode_bytes(data, path)
    elif fmt == "html":
        html, encoding = decode_bytes(data, path, allow_markup=True)
        text = _html_text(html, path)
    elif fmt == "docx":
        text, encoding = _docx_text(data, path), "docx"
    else:
        text, encoding = _pdf_text(data, path), "pdf"
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = text.replace("\ufeff", "")
    if not text.strip():
        raise EmptyFileError(path, "no text in the file", "remove it or put the report's text in it")
    original = None
    if to_simplified:
        converted = to_simplified_text(text)
        if converted != text:
            original, text = text, converted
    return RawReport(path=path, text=text, original_text=original, encoding=encoding, format=fmt, sha256=sha)


def decode_bytes(data: bytes, path=None, *, allow_markup: bool = False) -> tuple[str, str]:
    """Decode ``data`` as text, detecting the encoding; return ``(text, encoding)``.

    Order: BOM → UTF-16 without BOM → strict UTF-8 → GB18030 → Big5 → charset-normalizer.  Raises
    :class:`BinaryFileError` for binary data and :class:`DecodingError` when nothing decodes cleanly.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding.replace("-sig", "")), encoding
            except UnicodeDecodeError as exc:
                raise DecodingError(
                    path,
                    f"starts with a {encoding} byte-order mark but byte {exc.start + len(bom)} is not valid {encoding}",
                    "re-save the file as UTF-8",
                ) from exc
    utf16 = _sniff_utf16(data)
    if utf16:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError:
            pass
    if b"\x00" in data or _looks_binary(data):
        raise BinaryFileError(path, "binary data, not text", "give the report as .txt, .docx, .pdf or .html")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        bad_at = utf8_error.start
    # GB18030 first (GBK/GB2312, mainland files); Big5 (traditional, Taiwan/Hong Kong copies) when the GB18030
    # reading is mojibake: Big5 bytes decode as GB18030 without error, but into private-use characters
    for encoding in ("gb18030", "big5"):
        try:
            text = data.decode(encoding)
            if _plausible_chinese(text):
                return text, encoding
        except UnicodeDecodeError:
            pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # pragma: no cover - defensive: the detector itself failed
        best = None
    if best is not None and best.encoding and _plausible_chinese(str(best)):
        return str(best), best.encoding
    raise DecodingError(
        path,
        f"undecodable bytes (not UTF-8 at byte {bad_at}, and not GB18030, UTF-16 or any "
        "encoding charset-normalizer recognises)",
        "re-save the file as UTF-8",
    )


def _sniff_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM, by decoding both ways and scoring: the byte order whose text reads as Chinese.

    The NUL bytes alone cannot decide it: ``一`` (U+4E00) and the ideographic space (U+3000) put a zero in the
    low byte, ASCII digits and line breaks in the high byte, and a report holds many of both.  Each byte order
    is decoded (``errors="replace"``) and scored by its share of CJK, ASCII and common punctuation characters;
    the better one is taken when it is plausible Chinese with at least 30 % Han characters.
    """
    n = len(data) - len(data) % 2
    if n < 4:
        return None
    if b"\x00" not in data[:n]:
        try:
            data.decode("utf-8")
            return None  # valid UTF-8 is the likelier reading
        except UnicodeDecodeError:
            pass
    best, best_score = None, 0.0
    for encoding in ("utf-16-le", "utf-16-be"):
        text = data[:n].decode(encoding, errors="replace")
        if "\ufffd" in text[:-1] or not _plausible_chinese(text):
            continue
        han = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
        if han / max(len(text), 1) <= 0.3:
            continue
        score = sum(1 for c in text if _CJK.match(c) or c.isascii()) / len(text)
        if score > best_score:
            best, best_score = encoding, score
    return best


def _looks_binary(data: bytes) -> bool:
    sample = data[:8000]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls / max(len(sample), 1) > 0.05


def _plausible_chinese(text: str) -> bool:
    """Text decoded by a fallback encoding is accepted only if it reads as Chinese, not mojibake."""
    if _CONTROL.search(text[:5000]):
        return False
    visible = [c for c in text if not c.isspace()]
    if not visible:
        return False
    cjk = sum(1 for c in visible if _CJK.match(c))
    private = sum(1 for c in visible if "\ue000" <= c <= "\uf8ff")  # none in real text; a third in mis-decoded Big5
    return cjk / len(visible) > 0.3 and private / len(visible) < 0.01


# -- containers --------------------------------------------------------------------------------------------


def _docx_text(data: bytes, path) -> str:
    import io
    import zipfile

    try:
        import docx
    except ImportError as exc:  # pragma: no cover
        raise UnsupportedFormatError(path, "reading .docx needs python-docx", "pip install python-docx") from exc
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise BinaryFileError(
            path,
            f"not a valid .docx file ({exc.__class__.__name__})",
            "open and re-save it in a word processor, or export it as .txt",
        ) from exc
    except Exception as exc:  # python-docx raises assorted errors on corrupt packages
        raise BinaryFileError(
            path, f"not a readable .docx file ({exc})", "open and re-save it in a word processor, or export it as .txt"
        ) from exc
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    blocks = []  # paragraphs and table rows in document order (never reordered)
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            blocks.append(Paragraph(child, document).text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                blocks.append("\t".join(cell.text for cell in row.cells))
    return "\n\n".join(b for b in blocks if b.strip())


def _pdf_text(data: bytes, path) -> str:
    import io

    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError as exc:  # pragma: no cover
        raise UnsupportedFormatError(path, "reading .pdf needs pypdf", "pip install pypdf") from exc
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise BinaryFileError(path, f"not a readable PDF ({exc})", "re-export it as PDF with text, or as .txt") from exc
    text = "\n\n".join(pages)
    visible = re.sub(r"\s", "", text)
    han = sum(1 for c in visible if "\u4e00" <= c <= "\u9fff")
    # a scan may still carry page numbers or a stamp: no Chinese and a few characters a page is no text layer
    if not visible or (han == 0 and len(visible) < 50 * max(len(pages), 1)):
        found = f" (only {len(visible)} non-Chinese characters)" if visible else ""
        raise NoTextLayerError(
            path,
            f"PDF with {len(pages)} page(s) and no text layer{found} (scanned images?)",
            "run OCR on it first (e.g. ocrmypdf --language chi_sim) or supply a .txt",
        )
    return text


_CLUTTER_ATTR = re.compile(
    r"(?:^|[-_\s])(?:nav|navbar|menu|breadcrumb|footer|share|comment|sidebar|related|"
    r"advert|ads|banner|toolbar)(?:$|[-_\s])",
    re.I,
)
_BLOCK_TAGS = (
    "p",
    "div",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "section",
    "article",
    "blockquote",
    "pre",
    "table",
    "ul",
    "ol",
    "header",
    "footer",
)


def _html_text(html: str, path) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "iframe", "svg", "head"]):
        tag.decompose()
    for tag in soup(["nav", "aside", "footer", "form", "button"]):  # menus, side bars, footers: web clutter
        tag.decompose()
    for tag in soup.find_all(attrs={"class": _CLUTTER_ATTR}) + soup.find_all(attrs={"id": _CLUTTER_ATTR}):
        if not tag.decomposed:
            tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    for tag in root.find_all("br"):
        tag.replace_with("\n")  # a line break, not necessarily a paragraph end
    for tag in root.find_all(_BLOCK_TAGS):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    text = root.get_text()
    text = re.sub(r"[ \t\u00a0]*\n[ \t\u00a0\n]*\n", "\n\n", text)
    if not text.strip():
        raise EmptyFileError(path, "the HTML page has no text", "save the report's page itself, or a .txt")
    return text.strip()
