"""The report page's pieces: lists of contexts."""

from __future__ import annotations

import re

import pytest

from cppcc_nlp import Corpus
from cppcc_nlp.output.report import contexts_html

from conftest import BUNDLED


@pytest.fixture(scope="module")
def bundled():
    return Corpus.from_path(BUNDLED)


def test_a_context_list_holds_every_year_before_a_second_context_of_any(bundled):
    """改革开放 is said hundreds of times over 2000–2024; the 40 contexts shown must reach every year (so the
    page's year filter never empties an opened list), in reading order, and the summary counts them all."""
    rows = bundled.kwic("改革开放")
    years = sorted(rows["year"].dropna().astype(int).unique())
    assert len(rows) > 40 and len(years) > 20
    html = contexts_html("改革开放", rows, max_rows=40)
    shown = [int(y) for y in re.findall(r"data-year='(\d+)'", html)]
    assert len(shown) == 40 and set(shown) == set(years)
    assert shown == sorted(shown)  # kwic's order is by document, and documents are in year order
    assert f"改革开放 — {len(rows)} context(s)" in html


def test_a_figure_file_is_inlined_as_it_is_at_the_size_of_the_page(tmp_path):
    """The page holds the figure's PNG file itself (no second drawing, no rescaling), shown at the width it has
    at REPORT_DPI."""
    import base64
    import io

    import matplotlib.pyplot as plt
    import pandas as pd
    from PIL import Image

    from cppcc_nlp import plot
    from cppcc_nlp.output.report import REPORT_DPI, Section, render_section

    fig = plot.coherence_by_k(pd.DataFrame({"k": [4, 6, 8], "coherence": [0.05, 0.09, 0.07]}), chosen=6)
    png = plot.save(fig, tmp_path / "coherence", formats=("png",), dpi=150)[0].read_bytes()
    section = Section("主题 Topics", figures={"coherence": fig})
    rendered = render_section(section, pngs={"coherence": png}, dpi=150)
    plt.close(fig)
    width = Image.open(io.BytesIO(png)).width
    assert f"width='{round(width * REPORT_DPI / 150)}'" in rendered.html
    assert base64.b64encode(png).decode("ascii") in rendered.html
    assert "base64" not in rendered.text


def test_slogan_figures_draw_at_most_max_figure_series(shared_corpus, monkeypatch):
    """A corpus of many series draws the slogan figures for the series with the most text only, and says so;
    the shared corpora (3 series) draw them all."""
    import matplotlib.pyplot as plt

    import cppcc_nlp as cn
    from cppcc_nlp.output import _sections

    occ = cn.detect_slogans(shared_corpus)
    tracking = cn.track_slogans(occ, shared_corpus, by="period")
    summary = cn.slogan_summary(occ, shared_corpus, by="period")
    cooc = cn.slogan_cooccurrence(occ, shared_corpus)
    every = _sections.slogan_section(occ, tracking, summary, cooc)
    assert "series with the most text" not in every.text
    monkeypatch.setattr(_sections, "MAX_FIGURE_SERIES", 1)
    capped = _sections.slogan_section(occ, tracking, summary, cooc)
    shown = tracking[tracking["n_chars"] >= _sections.TIMELINE_MIN_CHARS]
    chars = shown.drop_duplicates(["series", "period"]).groupby("series")["n_chars"].sum()
    largest = chars.idxmax()
    assert f"The figures show the 1 series with the most text, of 3 ({largest})" in capped.text
    # the heat map has one column per period of that series only (3 blocks of columns before)
    n_columns = capped.figures["slogan_timeline"].axes[0].get_images()[0].get_array().shape[1]
    assert n_columns == shown.loc[shown["series"] == largest, "period"].nunique()
    assert every.figures["slogan_timeline"].axes[0].get_images()[0].get_array().shape[1] > n_columns
    for fig in [*every.figures.values(), *capped.figures.values()]:
        plt.close(fig)


def _outline(font, character: str) -> list:
    """The drawing commands of ``character``'s glyph in ``font`` (a fontTools TTFont): its outline, hints aside."""
    from fontTools.pens.recordingPen import RecordingPen

    pen = RecordingPen()
    font.getGlyphSet()[font.getBestCmap()[ord(character)]].draw(pen)
    return pen.value


def test_the_embedded_font_draws_every_character_of_the_page_with_the_bundled_glyphs(bundled):
    """font_face: the subset maps every character of the text to the bundled font's own glyph (same outline),
    and keeps the whole font's bounding box (recalcBBoxes=False: the bounds of a superset)."""
    import base64
    import io

    from fontTools.ttLib import TTFont

    from cppcc_nlp.output.plot import cjk_font_path
    from cppcc_nlp.output.report import _subset_font_face

    text = bundled.docs[0].text[:400] + "两个确立，四个意识。ABC 2024年"
    rule = _subset_font_face(cjk_font_path(), "".join(sorted(set(text))))
    subset = TTFont(io.BytesIO(base64.b64decode(re.search(r"base64,([^)]+)\)", rule).group(1))))
    whole = TTFont(str(cjk_font_path()))
    cmap, whole_cmap = subset.getBestCmap(), whole.getBestCmap()
    for ch in set(text) - {"\n"}:
        assert ord(ch) in cmap, ch
        assert _outline(subset, ch) == _outline(whole, ch), ch
    assert [getattr(subset["head"], f) for f in ("xMin", "yMin", "xMax", "yMax")] == [
        getattr(whole["head"], f) for f in ("xMin", "yMin", "xMax", "yMax")
    ]
    assert len(cmap) < len(whole_cmap) / 50  # a subset, not the 16 MB font


def test_the_subset_is_the_same_without_the_cff_closure(bundled):
    """The bundled font is CID-keyed: the CFF closure (seac accents by StandardEncoding name) adds no glyph, so
    skipping it (report._subset_font_face) writes the same bytes."""
    from fontTools.ttLib import TTFont

    from cppcc_nlp.output.plot import cjk_font_path
    from cppcc_nlp.output.report import _subset_font_face

    assert hasattr(TTFont(str(cjk_font_path()))["CFF "].cff.topDictIndex[0], "ROS")
    characters = "".join(sorted(set(bundled.docs[0].text[:3000] + "两个确立，四个意识。ABC 2024年éü")))
    assert _subset_font_face(cjk_font_path(), characters) == _subset_font_face(
        cjk_font_path(), characters, cff_closure=True
    )


# -- base fonts: a page's font subset from a smaller font without hints, made beforehand (report.prepare_font)


def _page(bundled) -> str:
    """The characters of a page: a national report's opening, a Shanghai one's, and the page's own words."""
    national, shanghai = bundled.docs[0], bundled.docs[-1]
    words = "提法时间线 Slogan timeline † under 5 occurrences … ² 2024–2025 → ≥ ×"
    return "".join(sorted(set(national.text[:2000] + shanghai.text[:2000] + words)))


def test_a_page_subset_from_a_base_font_has_the_bytes_of_a_subset_of_the_whole_font(bundled, tmp_path, monkeypatch):
    """prepare_font makes a base from the corpus's text (here two reports' whole text) and the page's own symbols;
    a page whose characters it holds is subset from it, byte for byte what the 16 MB font gives; a character it
    lacks (a rare one, in no report) leaves the page to the whole font, with the same result as before."""
    from cppcc_nlp.output import report
    from cppcc_nlp.output.plot import cjk_font_path

    monkeypatch.setenv("CPPCC_NLP_CACHE", str(tmp_path))
    monkeypatch.setattr(report, "_shipped_base", lambda font_file: None)  # (as for characters beyond GB 2312)
    font, page = cjk_font_path(), _page(bundled)
    assert report._covering_base(font, page) is None
    assert report.prepare_font(bundled.docs[0].text + bundled.docs[-1].text) is True
    assert report.prepare_font(bundled.docs[0].text[:100]) is False  # the base holds these already
    base = report._covering_base(font, page)
    assert base is not None and len(base) < 1_000_000
    assert report._subset_font_face(font, page, base=base) == report._subset_font_face(font, page)

    subsets = []
    real = report._subset_font_face
    monkeypatch.setattr(report, "_subset_font_face", lambda f, c, **kw: subsets.append(kw["base"]) or real(f, c, **kw))
    assert report.font_face(page) == real(font, page)
    rare = page + "龘"  # in no report: the base lacks it
    assert report._covering_base(font, rare) is None
    assert report.font_face(rare) == real(font, rare)
    assert subsets[0] is not None and subsets[1] is None


def test_a_damaged_base_font_is_never_used_and_the_cache_keeps_the_most_recent_bases(bundled, tmp_path, monkeypatch):
    from cppcc_nlp._cache import CacheWarning
    from cppcc_nlp.output import report
    from cppcc_nlp.output.plot import cjk_font_path

    monkeypatch.setenv("CPPCC_NLP_CACHE", str(tmp_path))
    monkeypatch.setattr(report, "_shipped_base", lambda font_file: None)
    font, page = cjk_font_path(), _page(bundled)
    report.prepare_font(page)
    (path,) = (tmp_path / "fonts").glob("base-*.bin")
    raw = bytearray(path.read_bytes())
    raw[-100] ^= 0xFF  # one glyph's byte flipped
    path.write_bytes(bytes(raw))
    with pytest.warns(CacheWarning, match="does not match its SHA-256"):
        assert report._covering_base(font, page) is None
    assert not path.exists()

    monkeypatch.setattr(report, "KEPT_BASES", 2)
    for i in range(3):  # three corpora, each with one character the others lack
        assert report.prepare_font(page + "龘鱻麤"[i])
    assert len(list((tmp_path / "fonts").glob("base-*.bin"))) == 2
    assert report._covering_base(font, page + "龘") is None  # the oldest was removed
    assert report._covering_base(font, page + "麤") is not None


# -- the base font shipped with the package (report.SHIPPED_BASE, tools/make_font_base.py)


def _shipped_record() -> dict:
    import json

    from cppcc_nlp.output.report import SHIPPED_BASE

    return json.loads(SHIPPED_BASE.with_suffix(".json").read_text(encoding="utf-8"))


def _installed_font_is_the_shipped_base_s(font) -> bool:
    from cppcc_nlp.output.report import _file_sha256

    return _shipped_record()["made_from"]["sha256"] == _file_sha256(font)


def test_the_shipped_base_font_is_the_bundled_font_subset_to_gb2312():
    """tools/make_font_base.py, run again on the installed font, makes the shipped record (GB 2312's 7,445
    characters and the symbol blocks); the shipped base maps each of them that the whole font maps, and draws
    them with the whole font's outlines (every 7th character; compared by outline, not bytes, so that another
    fontTools release, which may write the same glyphs in other bytes, leaves the test meaningful)."""
    import io

    from fontTools.ttLib import TTFont

    from cppcc_nlp.output import report
    from cppcc_nlp.output.plot import cjk_font_path

    font = cjk_font_path()
    if not _installed_font_is_the_shipped_base_s(font):
        pytest.skip("mplfonts' font is not the one the shipped base was made from: run tools/make_font_base.py")
    record = _shipped_record()
    assert len(report.gb2312_characters()) == 7445 and set(report.gb2312_characters()) <= set(record["characters"])
    assert {"两", "确", "协", "，", "→", "²", "—"} <= set(record["characters"])
    made, made_record = report.make_shipped_base(font)
    assert {k: v for k, v in made_record.items() if k != "sha256"} == {k: v for k, v in record.items() if k != "sha256"}
    shipped = report.SHIPPED_BASE.read_bytes()
    assert 1_000_000 < len(shipped) < 2_000_000 and len(made) < 2_000_000
    whole = TTFont(str(font), lazy=True)
    whole_cmap = whole.getBestCmap()
    for base in (TTFont(io.BytesIO(shipped)), TTFont(io.BytesIO(made))):
        cmap = base.getBestCmap()
        assert set(cmap) == {ord(c) for c in record["characters"]} & set(whole_cmap)
        for ch in record["characters"][::7]:
            if ord(ch) in whole_cmap:
                assert _outline(base, ch) == _outline(whole, ch), ch


def test_a_page_is_subset_from_the_shipped_base_when_it_holds_the_page(bundled, tmp_path, monkeypatch):
    """A page of the bundled corpus (GB 2312's characters) is subset from the shipped base, byte for byte what the
    16 MB font gives, and prepare_font makes no base of its own for reports whose characters it holds (all of
    the bundled corpus's but Shanghai 2024, which names the 蕰藻浜); a page with a character beyond GB 2312 (蕰,
    龘, 個) is left to the cache's bases or the whole font; a shipped base that does not match its record
    (damaged) is never used."""
    from cppcc_nlp.output import report
    from cppcc_nlp.output.plot import cjk_font_path

    font, page = cjk_font_path(), _page(bundled)
    if not _installed_font_is_the_shipped_base_s(font):
        pytest.skip("mplfonts' font is not the one the shipped base was made from: run tools/make_font_base.py")
    monkeypatch.setenv("CPPCC_NLP_CACHE", str(tmp_path))
    shipped = report.SHIPPED_BASE.read_bytes()
    assert report._base_for(font, page) == shipped
    assert report._subset_font_face(font, page, base=shipped) == report._subset_font_face(font, page)
    assert report.prepare_font("".join(doc.text for doc in bundled.docs[:-1])) is False
    assert not (tmp_path / "fonts").exists()
    assert all(report._base_for(font, page + c) is None for c in "蕰龘個")
    assert report.prepare_font("".join(doc.text for doc in bundled.docs)) is True  # 蕰: a base of its own
    assert report._base_for(font, page + "蕰") not in (None, shipped)

    damaged = tmp_path / "base.otf"
    damaged.write_bytes(shipped[:-1] + bytes([shipped[-1] ^ 0xFF]))
    (tmp_path / "base.json").write_text(report.SHIPPED_BASE.with_suffix(".json").read_text("utf-8"), "utf-8")
    monkeypatch.setattr(report, "SHIPPED_BASE", damaged)
    report._shipped_base.cache_clear()
    try:
        assert report._shipped_base(font) is None
        assert report._base_for(font, page) != damaged.read_bytes()  # (the cache's base of the corpus)
    finally:
        report._shipped_base.cache_clear()
