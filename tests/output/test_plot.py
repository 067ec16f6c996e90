"""Figures show Chinese text with real glyphs: drawing any figure must not make matplotlib report a missing glyph."""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest

from cppcc_nlp import plot
from cppcc_nlp.errors import ParameterError

SLOGANS = pd.DataFrame(
    {
        "canonical": ["两个确立", "四个意识", "同心政协", "两个确立", "全过程人民民主"],
        "year": [2021, 2017, 2024, 2022, 2024],
        "count": [3, 5, 2, 4, 1],
        "per_10k_chars": [1.0, 2.0, 0.5, 0.7, 0.2],
    }
)


def _draw_without_missing_glyphs(fig):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
        fig.savefig(__import__("io").BytesIO(), format="svg")
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    matplotlib.pyplot.close(fig)
    assert not missing, missing


def test_bundled_font_is_a_cjk_font_from_our_dependencies():
    path = plot.cjk_font_path()
    assert "mplfonts" in str(path) and path.stat().st_size > 1_000_000
    assert plot.use_cjk_font() == plot.CJK_FONT_NAME
    assert matplotlib.rcParams["font.sans-serif"][0] == plot.CJK_FONT_NAME


def test_the_missing_glyph_check_catches_a_font_without_cjk():
    """Control: without our font matplotlib's DejaVu Sans reports missing glyphs, so the check can fail."""
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"font.family": "DejaVu Sans"}):
        fig, ax = plt.subplots()
        ax.set_title("两个确立")
        with pytest.raises(AssertionError, match="missing from"):
            _draw_without_missing_glyphs(fig)


@pytest.mark.parametrize(
    "draw",
    [
        lambda: plot.slogan_timeline(SLOGANS),
        lambda: plot.slogan_lifecycle(SLOGANS, ["两个确立", "四个意识"]),
        lambda: plot.term_trends(
            pd.DataFrame(
                {"term": ["高质量发展", "乡村振兴", "高质量发展"], "year": [2018, 2018, 2019], "freq": [3, 1, 8]}
            ),
            ["高质量发展", "乡村振兴"],
        ),
        lambda: plot.keyness_bars(
            pd.DataFrame(
                {
                    "term": ["供给侧结构性改革", "去产能", "西部大开发"],
                    "G2": [40.0, 25.0, 12.0],
                    "log_ratio": [3.0, 2.0, -1.5],
                }
            ),
            score="G2",
            target_label="2016",
            reference_label="2000–2015",
        ),
        lambda: plot.topic_shares(pd.DataFrame({"党的建设": [0.3, 0.2], "协商议政": [0.7, 0.8]}, index=[2023, 2024])),
        lambda: plot.coherence_by_k(pd.DataFrame({"k": [4, 6, 8], "coherence": [0.05, 0.09, 0.07]}), chosen=6),
        lambda: plot.corpus_overview(
            pd.DataFrame(
                {"year": [2023, 2024, 2024], "level": ["县级", "省级", "county"], "n_chars": [5000, 18000, 5311]}
            )
        ),
    ],
    ids=["timeline", "lifecycle", "term_trends", "keyness", "topic_shares", "coherence", "overview"],
)
def test_figures_render_chinese_glyphs(draw):
    _draw_without_missing_glyphs(draw())


def test_bad_tables_get_clear_errors():
    with pytest.raises(ParameterError, match="lacks column"):
        plot.slogan_timeline(pd.DataFrame({"x": [1]}))
    with pytest.raises(ParameterError, match="not in the table"):
        plot.slogan_lifecycle(SLOGANS, "八项规定")


def test_timeline_can_leave_out_years_with_little_text():
    table = SLOGANS.assign(n_chars=[5000, 300, 5000, 5000, 5000])  # 2017 has 300 characters of text
    fig = plot.slogan_timeline(table, min_chars=1000)
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert "2017" not in labels and "2024" in labels
    matplotlib.pyplot.close(fig)


def _bars(fig):
    ax = fig.axes[0]
    bars = {label.get_text(): patch.get_width() for label, patch in zip(ax.get_yticklabels(), ax.patches)}
    labels = [label.get_text() for label in ax.get_yticklabels()]
    matplotlib.pyplot.close(fig)
    return bars, labels


@pytest.mark.slow
def test_keyness_bars_keep_the_sign_of_keyness_g2(sample_corpus):
    """keyness() returns a signed g2; the figure must draw under-used terms below zero, each term once
    (the plan of the sample report, period 2025, against its review, period 2024)."""
    import cppcc_nlp as cn
    from cppcc_nlp.terms.keyness import keyness

    k = keyness(cn.tokens(sample_corpus), target=2025, by="period")
    row = k.set_index("term")
    assert row.loc["调研报告", "direction"] == "under" and row.loc["调研报告", "g2"] < -4
    bars, labels = _bars(plot.keyness_bars(k, score="g2", effect="log_ratio", n=5))
    assert len(labels) == len(set(labels)) == 10
    assert bars["调研报告"] == pytest.approx(row.loc["调研报告", "g2"])  # under-used: a negative bar
    assert bars["保障民生"] == pytest.approx(row.loc["保障民生", "g2"]) and bars["保障民生"] > 0  # over-used
    assert all((bars[t] < 0) == (row.loc[t, "direction"] == "under") for t in bars)


def test_keyness_bars_with_an_unsigned_score_take_the_sign_of_the_effect():
    table = pd.DataFrame(
        {"term": ["供给侧结构性改革", "去产能", "西部大开发"], "G2": [40.0, 25.0, 12.0], "log_ratio": [3.0, 2.0, -1.5]}
    )
    bars, labels = _bars(plot.keyness_bars(table, score="G2"))
    assert sorted(labels) == sorted(table["term"])  # 西部大开发 once, not twice
    assert bars == {"供给侧结构性改革": 40.0, "去产能": 25.0, "西部大开发": -12.0}


@pytest.mark.slow
def test_the_library_tables_plot_with_the_default_column_names(sample_corpus):
    """What track_slogans, keyness and TopicModel return is drawn without naming any column."""
    import cppcc_nlp as cn
    from cppcc_nlp.terms.keyness import keyness
    from cppcc_nlp.topics.model import TopicModel

    tracking = cn.track_slogans(cn.detect_slogans(sample_corpus), sample_corpus)  # by="period"
    fig = plot.slogan_timeline(tracking)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["2024", "2025"]  # review 2024, plan 2025
    matplotlib.pyplot.close(fig)
    fig = plot.slogan_lifecycle(tracking, ["两个确立", "同心政协"])
    assert sorted(line.get_label() for line in fig.axes[0].get_lines()) == ["两个确立", "同心政协"]
    matplotlib.pyplot.close(fig)
    table = cn.tokens(sample_corpus)
    per_period = cn.term_frequencies(table, ["政协委员", "乡村振兴"], by="period")
    fig = plot.term_trends(per_period, ["政协委员", "乡村振兴"])
    lines = {line.get_label(): list(line.get_ydata()) for line in fig.axes[0].get_lines()}
    matplotlib.pyplot.close(fig)
    assert set(lines) == {"政协委员", "乡村振兴"}
    assert sum(lines["政协委员"]) == per_period.loc[per_period["term"] == "政协委员", "freq"].sum() == 10
    bars, _ = _bars(plot.keyness_bars(keyness(table, target=2025, by="period"), n=3))
    assert bars["调研报告"] < 0 < bars["保障民生"]
    model = TopicModel(random_state=0, k_range=(2, 4)).fit(sample_corpus, tokens=table)
    assert model.coherence_["k"].tolist() == [2, 4]
    fig = plot.coherence_by_k(model.coherence_, chosen=model.n_topics_)
    assert list(fig.axes[0].get_lines()[0].get_ydata()) == model.coherence_["coherence"].tolist()
    matplotlib.pyplot.close(fig)
    shares = model.shares("period")  # period, n_units, n_chars, topic_0 …
    fig = plot.topic_shares(shares)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [f"topic_{i}" for i in range(model.n_topics_)]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2024", "2025"]
    assert ax.get_ylim() == (0, 1) and len(ax.collections) == model.n_topics_  # counts are not stacked
    matplotlib.pyplot.close(fig)


def test_a_slogan_timeline_of_many_series_and_periods_keeps_every_column_in_a_capped_width():
    """8 series of 25 periods: 200 columns, each drawn and labelled, in a figure of MAX_TIMELINE_WIDTH inches (it
    was 93 inches wide); a timeline of few columns keeps its width and the default label size."""
    rng = np.random.default_rng(0)
    rows = [
        {"canonical": s, "series": f"地区{g}", "period": 2000 + y, "per_10k_chars": rng.random()}
        for g in range(8)
        for y in range(25)
        for s in ("两个确立", "四个意识", "同心政协")
    ]
    fig = plot.slogan_timeline(pd.DataFrame(rows))
    labels = fig.axes[0].get_xticklabels()
    assert fig.get_size_inches()[0] == plot.MAX_TIMELINE_WIDTH
    assert fig.axes[0].get_images()[0].get_array().shape == (3, 200) and len(labels) == 200
    assert 4 < labels[0].get_fontsize() < 10
    matplotlib.pyplot.close(fig)
    fig = plot.slogan_timeline(pd.DataFrame(rows[:30]))  # one series, 10 periods
    assert fig.get_size_inches()[0] == 0.45 * 10 + 3
    assert fig.axes[0].get_xticklabels()[0].get_fontsize() == matplotlib.rcParams["font.size"]
    matplotlib.pyplot.close(fig)


@pytest.mark.parametrize("n_topics", [4, 18, 25])
def test_topic_shares_give_every_topic_its_own_colour(n_topics):
    """18 topics (the k chosen on the 26 shared reports) used to share the 10 colours of the default cycle."""
    shares = pd.DataFrame(
        np.full((3, n_topics), 1 / n_topics), index=[2022, 2023, 2024], columns=[f"{i}: 主题" for i in range(n_topics)]
    )
    fig = plot.topic_shares(shares)
    colours = {tuple(np.round(c.get_facecolor()[0], 4)) for c in fig.axes[0].collections}
    matplotlib.pyplot.close(fig)
    assert len(colours) == n_topics


def test_save_lays_out_once_and_draws_what_savefig_draws(tmp_path, monkeypatch):
    """``save`` runs the layout engine itself, once, then draws each format once (savefig alone draws every
    format twice: once without output, to lay it out); its PNG is savefig's, pixel for pixel."""
    from PIL import Image

    table = SLOGANS.assign(series=["国务院", "国务院", "上海市", "国务院", "上海市"])
    expected = tmp_path / "savefig.png"
    fig = plot.slogan_timeline(table)
    fig.savefig(expected, dpi=150)
    matplotlib.pyplot.close(fig)
    fig = plot.slogan_timeline(table)
    engine = fig.get_layout_engine()
    draws, draw = [], matplotlib.figure.Figure.draw
    monkeypatch.setattr(
        matplotlib.figure.Figure, "draw", lambda self, renderer: draws.append(1) or draw(self, renderer)
    )
    png, svg = plot.save(fig, tmp_path / "saved", dpi=150)
    assert len(draws) == 2 and svg.suffix == ".svg"
    assert np.array_equal(np.asarray(Image.open(png)), np.asarray(Image.open(expected)))
    assert fig.get_layout_engine() is engine
    matplotlib.pyplot.close(fig)


def test_the_timeline_svg_holds_one_pixel_per_cell(tmp_path):
    """The SVG embeds the heat map at its own resolution (one pixel per slogan and year, drawn unsmoothed), not
    an image resampled to the size of the figure."""
    import base64
    import io
    import re

    from PIL import Image

    fig = plot.slogan_timeline(SLOGANS)
    svg = plot.save(fig, tmp_path / "timeline", formats=("svg",))[0].read_text(encoding="utf-8")
    matplotlib.pyplot.close(fig)
    images = [Image.open(io.BytesIO(base64.b64decode(data))) for data in re.findall(r"base64,\s*([\w+/=]+)", svg)]
    n_years, n_slogans = SLOGANS["year"].nunique(), SLOGANS["canonical"].nunique()
    assert (n_years, n_slogans) in [image.size for image in images]
    assert "image-rendering:pixelated" in svg
