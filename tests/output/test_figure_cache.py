"""Figures kept by their content (``plot.save(cache=)``): a figure saved before is copied, byte for byte, instead of
drawn; any change of what it shows, or of how it is saved, draws it again."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd
import pytest

from cppcc_nlp import plot
from cppcc_nlp.workflow import analyze

from conftest import ROOT

CHAIN = pd.DataFrame(
    {
        "series": ["国务院/national/全国"] * 3,
        "indicator": ["国内生产总值增长"] * 3,
        "period": [2018, 2019, 2020],
        "target_low": [6.5, 6.0, np.nan],
        "target_high": [6.5, 6.5, np.nan],
        "target_qualifier": ["左右", "", None],
        "target_unit": ["%"] * 3,
        "outcome_value": [6.6, 6.1, 2.3],
        "met": [True, False, None],
    }
)


def _chart(chain=CHAIN):
    return plot.target_outcome_chart(chain, "国内生产总值增长")


@pytest.fixture
def draws(monkeypatch) -> list:
    """The figures drawn (not copied from the cache) by ``plot.save``."""
    drawn, draw = [], plot._draw
    monkeypatch.setattr(plot, "_draw", lambda fig, paths, dpi: (drawn.append(paths), draw(fig, paths, dpi)))
    return drawn


def _save(fig, folder: Path, cache: Path, **options) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    paths = plot.save(fig, folder / "chart", cache=cache, **options)
    plt.close(fig)
    return {path.name: path.read_bytes() for path in paths}


def test_the_same_figure_is_copied_with_the_bytes_that_drawing_writes(tmp_path, draws):
    drawn = _save(_chart(), tmp_path / "plain", cache=None)
    first = _save(_chart(), tmp_path / "first", cache=tmp_path / "cache")
    again = _save(_chart(), tmp_path / "again", cache=tmp_path / "cache")
    assert len(draws) == 2  # without a cache, and the first time with it; the third is a copy
    assert set(drawn) == {"chart.png", "chart.svg"}
    assert again == first == drawn


#: changes of what the chart shows (each made on a fresh chart): every one must give another key
CHANGES = {
    "data": lambda ax: ax.collections[1].set_offsets(ax.collections[1].get_offsets() + 0.01),
    "a label": lambda ax: ax.set_ylabel("国内生产总值增长 (百分比)"),
    "the title": lambda ax: ax.set_title("另一个标题"),
    "a colour": lambda ax: ax.collections[1].set_color("#000000"),
    "a limit": lambda ax: ax.set_ylim(0, 10),
    "the size": lambda ax: ax.figure.set_size_inches(9, 5),
    "a tick formatter": lambda ax: ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter()),
    "a line width": lambda ax: ax.collections[0].set_linewidth(3),  # (the bounds of the target bands)
}


def test_any_change_of_the_figure_gives_another_key():
    key = plot._figure_key(_chart(), ("png",), 150)
    assert key == plot._figure_key(_chart(), ("png",), 150)  # another figure of the same content
    seen = {key}
    for what, change in CHANGES.items():
        fig = _chart()
        change(fig.axes[0])
        changed = plot._figure_key(fig, ("png",), 150)
        assert changed not in seen, what
        seen.add(changed)
    plt.close("all")


def test_other_data_a_setting_or_save_options_give_another_key():
    fig = _chart()
    key = plot._figure_key(fig, ("png", "svg"), 150)
    assert plot._figure_key(fig, ("png", "svg"), 300) != key  # dpi
    assert plot._figure_key(fig, ("png",), 150) != key  # formats
    with matplotlib.rc_context({"font.sans-serif": ["DejaVu Sans"]}):  # fonts are looked up when drawing
        assert plot._figure_key(fig, ("png", "svg"), 150) != key
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        assert plot._figure_key(fig, ("png", "svg"), 150) != key
    other = CHAIN.assign(outcome_value=[6.6, 6.1, 2.2])
    assert plot._figure_key(_chart(other), ("png", "svg"), 150) != key
    assert plot._figure_key(fig, ("png", "svg"), 150) == key  # (taking a key changes nothing in the figure)
    plt.close("all")


def test_a_changed_figure_is_drawn_again(tmp_path, draws):
    cache = tmp_path / "cache"
    _save(_chart(), tmp_path / "a", cache=cache)
    other = _save(_chart(CHAIN.assign(outcome_value=[6.6, 6.1, 2.2])), tmp_path / "b", cache=cache)
    larger = _save(_chart(), tmp_path / "c", cache=cache, dpi=200)
    assert len(draws) == 3
    assert other != larger


def test_a_figure_that_cannot_be_pickled_is_drawn_every_time(tmp_path, draws):
    def local_formatter():
        fig = _chart()
        fig.axes[0].yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:.0f}%"))
        return fig

    assert plot._figure_key(local_formatter(), ("png",), 150) is None
    _save(local_formatter(), tmp_path / "a", cache=tmp_path / "cache")
    _save(local_formatter(), tmp_path / "b", cache=tmp_path / "cache")
    assert len(draws) == 2


def test_the_key_is_the_same_in_another_process_with_another_hash_seed():
    """The plain pickle of a figure holds ids (memory addresses) and the figure's pyplot number, and sets ordered
    by hash: the key leaves them out, so two processes (each run of analyze is one) give the same key.  Both are
    fresh processes: this one's rcParams may have been changed by earlier tests, and rcParams are in the key."""

    def key_in_a_process(hash_seed: str, figures_before: int) -> str:
        code = (
            "import sys; sys.path.insert(0, 'tests'); import matplotlib.pyplot as plt; "
            "from output.test_figure_cache import _chart; from cppcc_nlp.output.plot import _figure_key; "
            f"[plt.subplots() for _ in range({figures_before})]; print(_figure_key(_chart(), ('png', 'svg'), 150))"
        )
        env = dict(os.environ, PYTHONHASHSEED=hash_seed, PYTHONPATH=str(ROOT))
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    first, second = key_in_a_process("7", 1), key_in_a_process("11", 3)
    assert len(first) == 32 and first == second


def test_a_damaged_entry_is_drawn_again(tmp_path, draws):
    cache = tmp_path / "cache"
    first = _save(_chart(), tmp_path / "a", cache=cache)
    entry = next((cache / "derived").glob("*-figure-png.bin"))
    entry.write_bytes(entry.read_bytes()[:-10])
    with pytest.warns(UserWarning, match="cache entry ignored"):
        again = _save(_chart(), tmp_path / "b", cache=cache)
    assert len(draws) == 2 and again == first


def test_entries_unused_for_keep_days_are_pruned_and_a_copy_keeps_its_entries(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    _save(_chart(), tmp_path / "a", cache=cache)
    _save(_chart(CHAIN.assign(outcome_value=[1.0, 2.0, 3.0])), tmp_path / "b", cache=cache)
    entries = sorted((cache / "derived").glob("*-figure-*.bin"))
    assert len(entries) == 4
    old = time.time() - (plot.KEPT_FIGURE_DAYS + 1) * 86400
    for entry in entries:
        os.utime(entry, (old, old))
    _save(_chart(), tmp_path / "c", cache=cache)  # a copy: its two entries are used again
    monkeypatch.setattr(plot, "_prune", plot._prune.__wrapped__)  # (once per process)
    _save(_chart(CHAIN.assign(outcome_value=[4.0, 5.0, 6.0])), tmp_path / "d", cache=cache)
    left = sorted((cache / "derived").glob("*-figure-*.bin"))
    assert len(left) == 4  # the copied chart's two, the new chart's two; the unused chart's two are gone
    assert not set(left) & (set(entries) - set(left)) and len(set(entries) & set(left)) == 2


# ---------------------------------------------------------------------------------------------------------
# analyze: a refresh copies the figures that did not change, and writes what a cold run writes


@pytest.fixture(scope="module")
def reports(shared_dir):
    national = sorted((shared_dir / "gwr-national").glob("national_201[5-9].txt"))
    shanghai = sorted((shared_dir / "gwr-shanghai").glob("provincial-shanghai_202*.txt"))
    if len(national) < 5 or len(shanghai) < 5:
        pytest.skip(f"{shared_dir} lacks the national reports 2015-2019 or the Shanghai reports 2020-2024")
    return national + shanghai


def _fresh_cache(folder: Path) -> Path:
    """A cache root holding only the test run's token cache (the reports are not segmented again)."""
    shutil.copytree(ROOT / ".cache" / "tests" / "tokens", folder / "tokens")
    return folder


@pytest.mark.slow
@pytest.mark.usefixtures("loaded_pipeline")
def test_a_refresh_copies_unchanged_figures_and_writes_the_files_of_a_cold_run(reports, tmp_path, monkeypatch, draws):
    """National 2015-2019 and Shanghai 2020-2023, analysed; Shanghai 2024 added and analysed again: the figures of
    the national series are copied, not drawn, and every figure file is that of a cold run on the ten reports."""
    monkeypatch.setenv("CPPCC_NLP_CACHE", str(_fresh_cache(tmp_path / "cache")))
    analyze(reports[:-1], tmp_path / "before", progress=False, n_topics=3)
    drawn_before = len(draws)
    refreshed = analyze(reports, tmp_path / "refreshed", progress=False, n_topics=3)
    copied = len(refreshed.figures) // 2 - (len(draws) - drawn_before)
    monkeypatch.setenv("CPPCC_NLP_CACHE", str(_fresh_cache(tmp_path / "cold-cache")))
    cold = analyze(reports, tmp_path / "cold", progress=False, n_topics=3)
    assert copied > 0
    assert sorted(p.name for p in refreshed.figures) == sorted(p.name for p in cold.figures)
    for path in cold.figures:
        assert (refreshed.out / "figures" / path.name).read_bytes() == path.read_bytes(), path.name
    assert (refreshed.out / "report.html").read_bytes() == (cold.out / "report.html").read_bytes()
