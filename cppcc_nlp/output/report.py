"""``report.html``: one self-contained page (figures inline as PNG data URIs, tables as HTML) to open or mail.

:func:`render` turns a list of :class:`Section` into the page; the sections of the main job (their prose,
figures and tables) are built in :mod:`cppcc_nlp.output._sections`.

Rows of tables with a ``series`` and a ``year`` (or ``period``) column can be filtered in the page (a few lines
of inline JavaScript: no network, the page stays one file); slogans and terms get collapsible lists of their
contexts (``<details>``).

The page embeds a subset of the bundled Noto Sans CJK SC font (only the characters it uses: 390 KB for the
bundled corpus's page of 1,524 characters), so its Chinese headings and tables show real glyphs on a machine
without any CJK font.  :func:`font_face` makes it from a smaller *base font* when one holds the page's
characters: the one shipped with the package (GB2312's characters, :data:`SHIPPED_BASE`), or one of the
corpus's characters that :func:`prepare_font` made in the user cache.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cppcc_nlp._version import __version__

CSS = """
body { font-family: "cppcc-cjk", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; max-width: 1200px;
       margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.5; }
h1 { border-bottom: 3px solid #c0392b; padding-bottom: .3em; }
h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
.scroll { max-width: 100%; overflow-x: auto; max-height: 36em; overflow-y: auto; margin: 1em 0; }
table { border-collapse: collapse; font-size: 12px; table-layout: auto; }
th, td { border: 1px solid #ddd; padding: 3px 6px; text-align: left; vertical-align: top; word-break: normal;
         overflow-wrap: normal; }
th { background: #f5f5f5; position: sticky; top: 0; white-space: nowrap; }
td.num { text-align: right; white-space: nowrap; }
td.short { white-space: nowrap; }
td.long { min-width: 12em; max-width: 36em; overflow-wrap: anywhere; }
td.few { color: #999; font-style: italic; }
img { max-width: 100%; border: 1px solid #eee; margin: .5em 0; }
.note { color: #666; font-size: 13px; }
details { margin: .3em 0; }
summary { cursor: pointer; }
#filter { position: sticky; top: 0; background: #fff8e7; border: 1px solid #e0c080; padding: .4em .8em; z-index: 2;
          font-size: 13px; }
#filter select, #filter input { font: inherit; margin: 0 .6em 0 .2em; }
"""

#: the table filter: rows carrying data-series / data-year are hidden unless they match the choice
SCRIPT = """
function cppccFilter() {
  var s = document.getElementById('f-series').value;
  var a = parseInt(document.getElementById('f-from').value, 10), b = parseInt(document.getElementById('f-to').value, 10);
  var shown = 0, rows = document.querySelectorAll('tr[data-series], tr[data-year]');
  rows.forEach(function (tr) {
    var ok = true, y = parseInt(tr.getAttribute('data-year'), 10), rs = tr.getAttribute('data-series');
    if (s && rs !== null && rs.split(' + ').indexOf(s) < 0) ok = false;
    if (!isNaN(y) && ((!isNaN(a) && y < a) || (!isNaN(b) && y > b))) ok = false;
    tr.style.display = ok ? '' : 'none';
    if (ok) shown++;
  });
  document.getElementById('f-count').textContent = shown + ' of ' + rows.length + ' rows shown';
}
"""

#: a rate cell resting on fewer occurrences than this is marked (class ``few``, shown grey with †)
FEW = 5


@dataclass
class Section:
    """One part of the report: a heading, a few sentences, figures, tables and lists of contexts.

    ``figures`` maps a file name (``"slogan_timeline"``) to a matplotlib Figure, in the order shown; the main
    job saves each as ``figures/<name>.png`` and ``.svg``.  ``tables`` holds ``(caption, DataFrame)`` pairs.
    ``contexts`` holds ``(caption, {label: DataFrame})`` pairs: each label (a slogan, a term) becomes a
    collapsible ``<details>`` list of its keyword-in-context rows.  Paragraphs of ``text`` are separated by a
    blank line.
    """

    title: str
    text: str = ""
    figures: dict = field(default_factory=dict)
    tables: list = field(default_factory=list)
    contexts: list = field(default_factory=list)


#: resolution of the figures inlined in the page
REPORT_DPI = 110


def figure_to_data_uri(fig, dpi: int = REPORT_DPI) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def png_img(png: bytes, dpi: int, alt: str, to_dpi: int = REPORT_DPI) -> str:
    """An ``<img>`` of a PNG file drawn at ``dpi``, inlined as it is and shown at its size at ``to_dpi``: the
    page reuses the figure file instead of drawing the figure again.  The browser scales it (scaling it here
    took a decode, a Lanczos resample and an encode per figure, and gave larger PNGs than the files)."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:  # (reads the header only)
        width = max(1, round(image.width * to_dpi / dpi))
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return f"<img alt='{html.escape(alt)}' width='{width}' src='{uri}'>"


LONG_TEXT = 24  # a text column with longer values wraps; shorter ones (terms, names) never break


def _cell(value, column_kind: str) -> str:
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return "<td></td>"
    if isinstance(value, float):
        return f"<td class='num'>{value:.3g}</td>"
    if isinstance(value, (int,)) or column_kind == "num":
        return f"<td class='num'>{html.escape(str(value))}</td>"
    text = str(value)
    if text.endswith(" †"):
        return f"<td class='few num'>{html.escape(text)}</td>"
    return f"<td class='{column_kind}'>{html.escape(text)}</td>"


def table_html(df: pd.DataFrame, max_rows: int = 30) -> str:
    """An HTML table; rows carry ``data-series`` and ``data-year`` (from a ``series`` and a ``year`` or
    ``period`` column) so that the page's filter can hide them; long text wraps, short text never does."""
    shown = df.head(max_rows)
    kinds = {}
    for c in shown.columns:
        col = shown[c]
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            kinds[c] = "num"
        else:
            longest = col.dropna().astype(str).str.len().max() if col.notna().any() else 0
            kinds[c] = "long" if longest > LONG_TEXT else "short"
    year_col = "year" if "year" in shown.columns else "period" if "period" in shown.columns else None
    rows = []
    columns = shown.columns.tolist()  # (not the Index itself: iterating an Arrow-backed one costs per row)
    for record in shown.itertuples(index=False, name=None):
        values = dict(zip(columns, record))
        attrs = ""
        if "series" in values and isinstance(values["series"], str):
            attrs += f" data-series='{html.escape(values['series'], quote=True)}'"
        if year_col is not None and not pd.isna(values[year_col]):
            attrs += f" data-year='{int(values[year_col])}'"
        rows.append(f"<tr{attrs}>" + "".join(_cell(v, kinds[c]) for c, v in values.items()) + "</tr>")
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    out = f"<div class='scroll'><table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    if len(df) > max_rows:
        out += f'<p class="note">… {len(df) - max_rows} more rows in the CSV/Parquet files.</p>'
    return out


def contexts_html(label: str, rows: pd.DataFrame, max_rows: int = 40) -> str:
    """One collapsible list: ``label — N contexts in K reports``, then the keyword-in-context table."""
    n_docs = rows["doc_id"].nunique() if "doc_id" in rows else 0
    years = sorted(int(y) for y in rows["year"].dropna().unique()) if "year" in rows else []
    span = f", {years[0]}–{years[-1]}" if len(years) > 1 else f", {years[0]}" if years else ""
    summary = f"{label} — {len(rows)} context(s) in {n_docs} report(s){span}"
    shown = _spread_over_years(rows, max_rows).drop(columns=["doc_id"], errors="ignore")
    return f"<details><summary>{html.escape(summary)}</summary>{table_html(shown, max_rows=max_rows)}</details>"


def _spread_over_years(rows: pd.DataFrame, n: int) -> pd.DataFrame:
    """At most ``n`` rows, each year's first ones before any year's second, in the original order: the
    page's year filter then finds contexts of every year, not only of the earliest ones."""
    if len(rows) <= n or "year" not in rows.columns:
        return rows.head(n)
    turn = rows.groupby(rows["year"].fillna(-1), sort=False).cumcount()
    keep = turn.sort_values(kind="stable").index[:n]
    return rows.loc[rows.index.isin(keep)]


def _filter_bar(series: list[str], years: list[int]) -> str:
    options = "".join(f"<option>{html.escape(s)}</option>" for s in series)
    first, last = (years[0], years[-1]) if years else ("", "")
    return (
        "<div id='filter'>Filter the tables: series <select id='f-series' onchange='cppccFilter()'>"
        f"<option value=''>all</option>{options}</select> years <input id='f-from' type='number' size='5' "
        f"value='{first}' oninput='cppccFilter()'>–<input id='f-to' type='number' size='5' value='{last}' "
        "oninput='cppccFilter()'> <span id='f-count' class='note'></span></div>"
    )


@dataclass
class RenderedSection:
    """A :class:`Section` turned into HTML (figures inline): what the page needs of it, and what a warm run of
    the main job keeps (:mod:`cppcc_nlp.output.step_cache`).  ``html`` is everything below the heading;
    ``text`` the characters shown (for the embedded font's subset)."""

    title: str
    html: str
    text: str


def render_section(section: Section, *, pngs=None, dpi: int = 150) -> RenderedSection:
    """The HTML of one section below its heading: prose, figures as PNG data URIs, tables, lists of contexts.

    ``pngs`` maps figure names to PNG files already drawn at ``dpi``: the page shows those (at the size of
    :data:`REPORT_DPI`) instead of drawing the figures again.
    """
    parts = []
    if section.text:
        parts.extend(f"<p>{html.escape(p)}</p>" for p in section.text.split("\n\n"))
    for name, fig in section.figures.items():
        png = (pngs or {}).get(name)
        if png is not None:
            parts.append(png_img(png, dpi, section.title))
        else:
            parts.append(f"<img alt='{html.escape(section.title)}' src='{figure_to_data_uri(fig)}'>")
    for caption, df in section.tables:
        parts.append(f"<h3>{html.escape(caption)}</h3>{table_html(df, max_rows=200 if _filterable(df) else 30)}")
    for caption, groups in section.contexts:
        parts.append(f"<h3>{html.escape(caption)}</h3>")
        parts.extend(contexts_html(label, rows) for label, rows in groups.items())
    shown = "".join(p for p in parts if "base64," not in p)
    return RenderedSection(section.title, "\n".join(parts), shown)


def render(title: str, sections: list, *, subtitle: str = "", series=(), years=()) -> str:
    """The whole page as a string; with ``series`` or ``years``, a filter bar above the sections.

    ``sections`` holds :class:`Section` or :class:`RenderedSection` objects (the main job renders each
    section once, as its step ends, and keeps it for the next run).
    """
    rendered = [s if isinstance(s, RenderedSection) else render_section(s) for s in sections]
    parts = [
        f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
        "<style>{FONT}" + CSS + f"</style><script>{SCRIPT}</script></head><body><h1>{html.escape(title)}</h1>",
    ]
    if subtitle:
        parts.append(f"<p class='note'>{html.escape(subtitle)}</p>")
    if len(series) or len(years):
        parts.append(_filter_bar(sorted(series), sorted(years)))
    parts.append(
        "<ul>"
        + "".join(f"<li><a href='#s{i}'>{html.escape(s.title)}</a></li>" for i, s in enumerate(rendered))
        + "</ul>"
    )
    visible = "".join(parts)
    for i, section in enumerate(rendered):
        parts.append(f"<h2 id='s{i}'>{html.escape(section.title)}</h2>")
        visible += parts[-1] + section.text
        if section.html:
            parts.append(section.html)
    parts.append(f"<p class='note'>Made by cppcc-nlp {__version__}.</p></body></html>")
    visible += parts[-1]
    page = "\n".join(parts)
    return page.replace("{FONT}", font_face(visible), 1)


def _filterable(df: pd.DataFrame) -> bool:
    return "series" in df.columns or "year" in df.columns or "period" in df.columns


def font_face(text: str) -> str:
    """A CSS ``@font-face`` rule embedding the bundled CJK font, subset to the characters of ``text``.

    Subsetting the 16 MB font takes seconds, so the rule is kept in the user cache
    (``$CPPCC_NLP_CACHE/fonts/``), keyed by the font file and the set of characters.  The subset keeps the whole
    font's bounding boxes (``recalcBBoxes=False``): bounds of a superset are valid, and computing them from every
    kept glyph's outline was a third of the subsetting (4.1 → 2.6 s for a page of 1,534 characters).

    When a base font holds every character of ``text`` (the shipped one, :data:`SHIPPED_BASE`, else one that
    :func:`prepare_font` made in the cache), the rule is subset from it: the same bytes in about a third of the
    time (1.3 → 0.5 s for a page of 1,530 characters).
    """
    from cppcc_nlp._cache import cache_dir, cache_key, read_verified_bytes, write_verified_bytes
    from cppcc_nlp.output.plot import cjk_font_path

    font_file = cjk_font_path()
    characters = "".join(sorted(set(text)))
    key = cache_key("font-face-3", str(font_file), str(font_file.stat().st_size), characters)
    path = cache_dir() / "fonts" / f"{key}.css"
    kept = read_verified_bytes(path, inputs=key)
    if kept is not None:
        return kept.decode("utf-8")
    rule = _subset_font_face(font_file, characters, base=_base_for(font_file, characters))
    try:
        write_verified_bytes(path, rule.encode("utf-8"), inputs=key)
    except OSError:  # a cache that cannot be written only costs the next page its seconds
        pass
    return rule


# -- base fonts ------------------------------------------------------------------------------------------------
# Most of a subset's time goes to reading the 16 MB font's tables and taking the hints out of every kept glyph.
# A *base* is the bundled font subset, without hints, to a larger set of characters (a corpus's, made in the
# background while the analyses run); a page whose characters it holds is subset from it with the hints kept
# (there are none), which gives the bytes of a subset of the whole font (tests/output/test_report.py).

#: what a base holds beside the characters it is made for: what the page's own words and tables may print (ASCII
#: and Latin-1, general punctuation, super- and subscripts, arrows, mathematical operators, CJK symbols and
#: punctuation, full-width forms), where the font has them: 614 glyphs of the bundled font
BASE_BLOCKS = ((0x20, 0xFF), (0x2000, 0x209F), (0x2190, 0x22FF), (0x3000, 0x303F), (0xFF00, 0xFFEF))

#: how many base fonts the user cache keeps: the most recently used (one of a 2,200-character corpus: 0.5 MB)
KEPT_BASES = 4

#: the base font shipped with the package (``data/fonts/``, made by ``tools/make_font_base.py``): the bundled
#: font subset, without hints, to :func:`gb2312_characters` (7,445: every character of the shared corpora but
#: eight rare or traditional ones) and :data:`BASE_BLOCKS`, 1.6 MB.  Its ``.json`` names the font it was made
#: from (size and SHA-256; another font leaves it unused), its characters and its own SHA-256.
SHIPPED_BASE = Path(__file__).resolve().parent.parent / "data" / "fonts" / "NotoSansCJKsc-Regular-gb2312.otf"


def gb2312_characters() -> str:
    """The 7,445 characters of GB 2312 (6,763 hanzi, 682 symbols), sorted: those of the shipped base font."""
    characters = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                characters.add(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return "".join(sorted(characters))


def shipped_base_characters() -> str:
    """What :data:`SHIPPED_BASE` is made for: :func:`gb2312_characters`, :data:`BASE_BLOCKS` and the three
    whitespace controls (which no font draws, so that a page's line breaks do not leave it), sorted."""
    return "".join(sorted(set(gb2312_characters()) | _block_characters() | set("\t\n\r")))


def make_shipped_base(font_file) -> tuple[bytes, dict]:
    """The bytes of :data:`SHIPPED_BASE` made from ``font_file`` and the record written beside it (5 s)."""
    font_file = Path(font_file)
    characters = shipped_base_characters()
    font = _subset(font_file, characters, hinting=False)
    record = {
        "made_from": {"file": font_file.name, "size": font_file.stat().st_size, "sha256": _file_sha256(font_file)},
        "sha256": hashlib.sha256(font).hexdigest(),
        "characters": characters,
    }
    return font, record


@functools.cache
def _file_sha256(font_file) -> str:
    return hashlib.sha256(Path(font_file).read_bytes()).hexdigest()


@functools.cache
def _shipped_base(font_file) -> tuple[bytes, frozenset] | None:
    """The shipped base font's bytes and characters when it was made from ``font_file`` and is sound, else None."""
    try:
        record = json.loads(SHIPPED_BASE.with_suffix(".json").read_text(encoding="utf-8"))
        font = SHIPPED_BASE.read_bytes()
        made_from = record["made_from"]
        if (
            made_from["size"] != Path(font_file).stat().st_size
            or hashlib.sha256(font).hexdigest() != record["sha256"]
            or made_from["sha256"] != _file_sha256(font_file)
        ):
            return None
        return font, frozenset(record["characters"])
    except (OSError, ValueError, KeyError, TypeError):  # (absent, or damaged: the cache's bases and the whole font)
        return None


def _base_for(font_file, characters: str) -> bytes | None:
    """The base font to subset ``characters`` from: the shipped one when it holds them, else a cached one
    (:func:`_covering_base`), else None (the whole font)."""
    shipped = _shipped_base(font_file)
    if shipped is not None and set(characters) <= shipped[1]:
        return shipped[0]
    return _covering_base(font_file, characters)


def prepare_font(text: str) -> bool:
    """Make sure the user cache holds a base font for ``text``, from which :func:`font_face` subsets any page
    whose characters are those of ``text``, of the package's own words (its sources and data files: titles,
    headings, indicator and slogan names) or of :data:`BASE_BLOCKS`, in a third of the time, with the same bytes.

    The main job calls it in the background with the text of the corpus (``analyze --jobs 2``), so that a page
    with characters new to the cached rules (a refresh adding a report) does not wait 1–2 s for its font.
    Returns True when a base was made, False when one held these characters already: the shipped base
    (:data:`SHIPPED_BASE`) when it holds those of ``text``, as it does for most corpora, or a cached one.

    >>> prepare_font("两个确立，四个意识")  # doctest: +SKIP
    True
    """
    from cppcc_nlp._cache import cache_dir, cache_key, write_verified_bytes
    from cppcc_nlp.output.plot import cjk_font_path

    font_file = cjk_font_path()
    shipped = _shipped_base(font_file)
    if shipped is not None and set(text) <= shipped[1]:
        return False
    wanted = set(text) | _own_characters() | _block_characters()
    characters = "".join(sorted(wanted - {"\x00"}))  # (NUL ends the list of characters in the cache entry)
    if _covering_base(font_file, characters) is not None:
        return False
    font = _subset(font_file, characters, hinting=False)
    key = cache_key("font-base-1", _font_id(font_file), characters)
    payload = f"{_font_id(font_file)}\n{characters}".encode("utf-8") + b"\x00" + font
    folder = cache_dir() / "fonts"
    write_verified_bytes(folder / f"base-{key}.bin", payload, inputs=key)
    for stale in _bases(folder)[KEPT_BASES:]:
        _remove(stale)
    return True


def _block_characters() -> frozenset:
    """Every character of :data:`BASE_BLOCKS`, which every base font holds."""
    return frozenset(chr(c) for low, high in BASE_BLOCKS for c in range(low, high + 1))


@functools.cache
def _own_characters() -> frozenset:
    """Every character of the package's own sources and data files: the page's titles, headings and notes, the
    names of indicators and slogans (1,300 beyond ASCII)."""
    root = Path(__file__).resolve().parent.parent
    characters = set()
    for path in sorted(root.rglob("*")):
        if path.parent == SHIPPED_BASE.parent:  # (the shipped base's record lists GB2312, not the page's words)
            continue
        if path.suffix in {".py", ".txt", ".yaml", ".csv", ".json"} and path.is_file():
            characters.update(path.read_text(encoding="utf-8", errors="replace"))
    return frozenset(characters)


def _font_id(font_file) -> str:
    return f"{font_file}|{font_file.stat().st_size}"


def _bases(folder) -> list:
    """The base fonts in ``folder``, the most recently used first."""
    found = []
    for path in folder.glob("base-*.bin"):
        try:
            found.append((path.stat().st_mtime, path))
        except OSError:  # (removed meanwhile by another process)
            pass
    return [path for _, path in sorted(found, key=lambda item: item[0], reverse=True)]


def _covering_base(font_file, characters: str) -> bytes | None:
    """The bytes of a cached base font of ``font_file`` holding every one of ``characters`` (marked as used), or
    None."""
    from cppcc_nlp._cache import cache_dir, read_verified_bytes

    wanted, font_id = set(characters), _font_id(font_file)
    for path in _bases(cache_dir() / "fonts"):
        payload = read_verified_bytes(path, inputs=path.stem.removeprefix("base-"))
        if payload is None:
            continue
        head, _, font = payload.partition(b"\x00")
        made_for, _, held = head.decode("utf-8").partition("\n")
        if made_for == font_id and wanted <= set(held):
            try:
                os.utime(path)
            except OSError:  # (a read-only cache: the base is only removed sooner)
                pass
            return font
    return None


def _remove(path) -> None:
    try:
        path.unlink()
    except OSError:  # (removed meanwhile by another process)
        pass


def _subset_font_face(font_file, characters: str, *, cff_closure: bool = False, base: bytes | None = None) -> str:
    """The ``@font-face`` rule of ``font_file`` subset to ``characters``; from ``base`` (a base font of
    ``font_file`` holding them) when given."""
    if base is None:
        font = _subset(font_file, characters, hinting=False, cff_closure=cff_closure)
    else:  # (a base has no hints left to take out)
        font = _subset(io.BytesIO(base), characters, hinting=True, cff_closure=cff_closure)
    data = base64.b64encode(font).decode("ascii")
    return f"@font-face {{ font-family: 'cppcc-cjk'; src: url(data:font/otf;base64,{data}) format('opentype'); }}"


def _subset(source, characters: str, *, hinting: bool, cff_closure: bool = False) -> bytes:
    """The OpenType bytes of the font ``source`` (a path or a file object) subset to ``characters``, without
    layout features, with or without its hints."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.hinting = hinting
    options.layout_features = []
    # (the same characters give the same bytes, any day; the bounding boxes are the whole font's)
    font = TTFont(source if isinstance(source, io.IOBase) else str(source), recalcTimestamp=False, recalcBBoxes=False)
    if not cff_closure and "CFF " in font and hasattr(font["CFF "].cff.topDictIndex[0], "ROS"):
        # A CID-keyed CFF font (the bundled one) names its glyphs by CID, so the CFF closure, which runs every
        # kept glyph's program to add the StandardEncoding accents of seac-style glyphs, can add none: skipped,
        # the same bytes (tests) a fifth faster.
        font["CFF "].closure_glyphs = lambda subsetter: None
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()
