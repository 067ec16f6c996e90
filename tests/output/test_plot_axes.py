"""Every figure draws on an Axes the caller gives (``ax=``), and tables with a ``series`` column are drawn one
line, block or panel per series."""

from __future__ import annotations

import inspect

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from cppcc_nlp import plot
from cppcc_nlp.errors import ParameterError

NATIONAL = "国务院/national/全国"
SHANGHAI = "上海市人民政府/provincial/上海市"
HELPERS = {"use_cjk_font", "cjk_font_path", "save"}


def _figures():
    return [
        name
        for name, f in inspect.getmembers(plot, inspect.isfunction)
        if f.__module__ == plot.__name__ and not name.startswith("_") and name not in HELPERS
    ]


def test_every_figure_function_takes_ax():
    names = _figures()
    assert {"slogan_timeline", "topic_shares", "target_outcome_chart"} <= set(names)
    assert [n for n in names if "ax" not in inspect.signature(getattr(plot, n)).parameters] == []


TRACKING = pd.DataFrame(
    {
        "canonical": ["高质量发展"] * 4 + ["三个代表"] * 4,
        "series": [NATIONAL, NATIONAL, SHANGHAI, SHANGHAI] * 2,
        "period": [2018, 2019, 2020, 2021] * 2,
        "count": [5, 9, 12, 10, 3, 1, 0, 0],
        "n_chars": [20000, 15000, 18000, 18000] * 2,
        "per_10k_chars": [2.5, 6.0, 6.7, 5.6, 1.5, 0.67, 0.0, 0.0],
    }
)
CHAIN = pd.DataFrame(
    {
        "series": [NATIONAL] * 2,
        "indicator": ["国内生产总值增长"] * 2,
        "period": [2018, 2019],
        "target_low": [6.5, 6.0],
        "target_high": [6.5, 6.5],
        "target_unit": ["%", "%"],
        "target_qualifier": ["左右", ""],
        "outcome_value": [6.6, 6.1],
        "met": [True, True],
    }
)
DRAW = {
    "slogan_timeline": lambda ax: plot.slogan_timeline(TRACKING, ax=ax),
    "slogan_lifecycle": lambda ax: plot.slogan_lifecycle(TRACKING, ["高质量发展"], value="count", ax=ax),
    "term_trends": lambda ax: plot.term_trends(
        TRACKING.rename(columns={"canonical": "term"}), ["高质量发展"], value="count", ax=ax
    ),
    "keyness_bars": lambda ax: plot.keyness_bars(
        pd.DataFrame({"term": ["去产能", "西部大开发"], "g2": [25.0, -12.0], "log_ratio": [2.0, -1.5]}), ax=ax
    ),
    "topic_shares": lambda ax: plot.topic_shares(
        pd.DataFrame({"year": [2023, 2024], "topic_0": [0.3, 0.2], "topic_1": [0.7, 0.8]}), ax=ax
    ),
    "coherence_by_k": lambda ax: plot.coherence_by_k(pd.DataFrame({"k": [4, 6], "coherence": [0.05, 0.09]}), ax=ax),
    "target_outcome_chart": lambda ax: plot.target_outcome_chart(CHAIN, "国内生产总值增长", ax=ax),
}


@pytest.mark.parametrize("name", sorted(DRAW))
def test_a_figure_draws_on_the_axes_given(name):
    fig, (left, right) = plt.subplots(1, 2)
    try:
        assert DRAW[name](right) is fig
        drawn = len(right.lines) + len(right.patches) + len(right.collections) + len(right.images)
        assert drawn > 0 and not (left.lines or left.patches or left.collections or left.images)
    finally:
        plt.close(fig)


def test_every_single_panel_figure_is_covered():
    assert set(_figures()) - set(DRAW) == {"corpus_overview"}


def test_panels_take_one_axes_each():
    docs = pd.DataFrame({"year": [2023, 2024, 2024], "level": ["county", "provincial", "county"], "n_chars": [5, 8, 3]})
    fig, axes = plt.subplots(2, 1)
    assert plot.corpus_overview(docs, ax=axes) is fig
    assert all(len(a.patches) > 0 for a in axes)
    with pytest.raises(ParameterError, match="2 matplotlib Axes"):
        plot.corpus_overview(docs, ax=axes[0])
    with pytest.raises(ParameterError, match="matplotlib Axes"):
        plot.coherence_by_k(pd.DataFrame({"k": [4], "coherence": [0.1]}), ax="left")
    plt.close("all")


def test_lines_and_blocks_per_series():
    fig = plot.slogan_lifecycle(TRACKING, ["高质量发展", "三个代表"])
    lines = {line.get_label(): (list(line.get_xdata()), list(line.get_ydata())) for line in fig.axes[0].get_lines()}
    plt.close(fig)
    assert lines[f"高质量发展 · {NATIONAL}"] == ([2018, 2019], [2.5, 6.0])
    assert lines[f"高质量发展 · {SHANGHAI}"] == ([2020, 2021], [6.7, 5.6])
    # never one line running from the national 2019 into Shanghai's 2020; no flat line where a slogan is unused
    assert set(lines) == {f"高质量发展 · {NATIONAL}", f"高质量发展 · {SHANGHAI}", f"三个代表 · {NATIONAL}"}
    fig = plot.slogan_timeline(TRACKING)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2018", "2019", "2020", "2021"]
    names = [t.get_text() for t in ax.texts]
    image = ax.images[0].get_array()
    plt.close(fig)
    assert sorted(names) == sorted([NATIONAL, SHANGHAI])
    assert np.isclose(np.asarray(image).sum(), TRACKING["per_10k_chars"].sum())


def test_topic_shares_one_panel_per_series():
    shares = pd.DataFrame(
        {
            "series": [NATIONAL, NATIONAL, SHANGHAI, SHANGHAI],
            "year": [2018, 2019, 2020, 2021],
            "n_units": [10, 10, 8, 8],
            "n_chars": [100, 100, 80, 80],
            "topic_0": [0.2, 0.3, 0.6, 0.5],
            "topic_1": [0.8, 0.7, 0.4, 0.5],
        }
    )
    fig = plot.topic_shares(shares)
    titles = [a.get_title() for a in fig.axes]
    ticks = [[t.get_text() for t in a.get_xticklabels()] for a in fig.axes]
    plt.close(fig)
    assert titles == [NATIONAL, SHANGHAI] and ticks == [["2018", "2019"], ["2020", "2021"]]
    fig, axes = plt.subplots(1, 2)
    assert plot.topic_shares(shares, ax=axes) is fig and all(len(a.collections) == 2 for a in axes)
    with pytest.raises(ParameterError, match="2 matplotlib Axes"):
        plot.topic_shares(shares, ax=axes[0])
    plt.close("all")
