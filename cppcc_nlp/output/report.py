"""``report.html``: one self-contained page (figures inline as PNG data URIs, tables as HTML) to open or mail.

:func:`render` turns a list of :class:`Section` into the page; the sections of the main job (their prose,
figures and tables) are built in :mod:`cppcc_nlp.output._sections`.

The page embeds a subset of the bundled Noto Sans CJK SC font (only the characters it uses, ~100 KB), so its
Chinese headings and tables show real glyphs on a machine without any CJK font.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field

import pandas as pd

from cppcc_nlp._version import __version__

CSS = """
body { font-family: "cppcc-cjk", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; max-width: 1100px;
       margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.5; }
h1 { border-bottom: 3px solid #c0392b; padding-bottom: .3em; }
h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 13px; margin: 1em 0; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f5f5f5; }
img { max-width: 100%; border: 1px solid #eee; margin: .5em 0; }
.note { color: #666; font-size: 13px; }
"""


@dataclass
class Section:
    """One part of the report: a heading, a few sentences, figures and tables.

    ``figures`` maps a file name (``"slogan_timeline"``) to a matplotlib Figure, in the order shown; the main
    job saves each as ``figures/<name>.png`` and ``.svg``.  ``tables`` holds ``(caption, DataFrame)`` pairs.
    Paragraphs of ``text`` are separated by a blank line.
    """

    title: str
    text: str = ""
    figures: dict = field(default_factory=dict)
    tables: list = field(default_factory=list)


def figure_to_data_uri(fig, dpi: int = 110) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def table_html(df: pd.DataFrame, max_rows: int = 30) -> str:
    shown = df.head(max_rows)
    out = shown.to_html(index=False, escape=True, border=0, na_rep="", float_format=lambda x: f"{x:.3g}")
    if len(df) > max_rows:
        out += f'<p class="note">… {len(df) - max_rows} more rows in the CSV/Parquet files.</p>'
    return out


def font_face(text: str) -> str:
    """A CSS ``@font-face`` rule embedding the bundled CJK font, subset to the characters of ``text``."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    from cppcc_nlp.output.plot import cjk_font_path

    options = subset.Options()
    options.hinting = False
    options.layout_features = []
    font = TTFont(str(cjk_font_path()))
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text))))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"@font-face {{ font-family: 'cppcc-cjk'; src: url(data:font/otf;base64,{data}) format('opentype'); }}"


def render(title: str, sections: list[Section], *, subtitle: str = "") -> str:
    """The whole page as a string."""
    parts = [f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
             "<style>{FONT}" + CSS + f"</style></head><body><h1>{html.escape(title)}</h1>"]
    if subtitle:
        parts.append(f"<p class='note'>{html.escape(subtitle)}</p>")
    parts.append("<ul>" + "".join(f"<li><a href='#s{i}'>{html.escape(s.title)}</a></li>"
                                 for i, s in enumerate(sections)) + "</ul>")
    for i, section in enumerate(sections):
        parts.append(f"<h2 id='s{i}'>{html.escape(section.title)}</h2>")
        if section.text:
            parts.extend(f"<p>{html.escape(p)}</p>" for p in section.text.split("\n\n"))
        for fig in section.figures.values():
            parts.append(f"<img alt='{html.escape(section.title)}' src='{figure_to_data_uri(fig)}'>")
        for caption, df in section.tables:
            parts.append(f"<h3>{html.escape(caption)}</h3>{table_html(df)}")
    parts.append(f"<p class='note'>Made by cppcc-nlp {__version__}.</p></body></html>")
    page = "\n".join(parts)
    visible = "".join(p for p in parts if "base64," not in p)
    return page.replace("{FONT}", font_face(visible), 1)
