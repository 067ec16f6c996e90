"""Figures with Chinese text, drawn with matplotlib; every function returns the :class:`~matplotlib.figure.Figure`.

Every function takes ``ax=``: a matplotlib Axes to draw on (a panel of the user's own figure); the Figure
returned is then ``ax.figure``.  Without it a new figure of a fitting size is made.  Figures of several panels
(:func:`corpus_overview`, :func:`topic_shares` of several series) take a sequence of Axes, one per panel.

Tables with a ``series`` column (organ × level × region, :mod:`cppcc_nlp.corpus.series`) are drawn one line
per series (line charts), one block of columns per series (the slogan timeline) or one panel per series
(topic shares), never pooled on one year axis.

The CJK font comes with the project's own dependencies: the ``mplfonts`` package ships *Noto Sans CJK SC*
(SIL Open Font License), which :func:`use_cjk_font` registers with matplotlib.  Nothing is looked up on the
system, so figures show real glyphs on a fresh machine.  Every plotting function calls it first.

Inputs are the tidy tables the analyses return (column names are parameters with the library's defaults),
so a notebook can pass them straight through:

>>> from cppcc_nlp import plot
>>> fig = plot.slogan_timeline(track_slogans(occurrences, corpus))   # doctest: +SKIP
>>> fig.savefig("slogans.png")                                        # doctest: +SKIP
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import os
import pickle
import time
from importlib import metadata, resources
from pathlib import Path

import matplotlib
import matplotlib.axes
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib import cbook, font_manager
from matplotlib.figure import Figure
from matplotlib.transforms import TransformNode

from cppcc_nlp._cache import cache_key
from cppcc_nlp.errors import CppccError, ParameterError
from cppcc_nlp.output.derived_cache import DerivedCache, source_fingerprint

CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"
CJK_FONT_NAME = "Noto Sans CJK SC"


def cjk_font_path() -> Path:
    """Path of the bundled CJK font file (from the ``mplfonts`` package)."""
    try:
        path = Path(str(resources.files("mplfonts") / "fonts" / CJK_FONT_FILE))
    except ModuleNotFoundError as exc:  # pragma: no cover - it is a hard dependency
        raise CppccError("the CJK font package is missing: pip install mplfonts") from exc
    if not path.is_file():  # pragma: no cover
        raise CppccError(
            f"{path}: the CJK font file is missing; reinstall with `pip install --force-reinstall mplfonts`"
        )
    return path


@functools.cache
def use_cjk_font() -> str:
    """Register the bundled Noto Sans CJK SC font and make it matplotlib's default sans-serif family.

    Returns the family name.  Safe to call many times (cached).
    """
    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    name = font_manager.FontProperties(fname=str(path)).get_name()
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [name] + [f for f in matplotlib.rcParams["font.sans-serif"] if f != name]
    matplotlib.rcParams["axes.unicode_minus"] = False  # the CJK font has no U+2212 in some versions
    matplotlib.rcParams["svg.fonttype"] = "path"  # SVGs carry outlines: they render anywhere
    return name


def _figure(width=9.0, height=5.0, ax=None):
    """A new figure and its axes, or the figure of ``ax`` when the caller gives one."""
    use_cjk_font()
    if ax is not None:
        if not isinstance(ax, matplotlib.axes.Axes):
            raise ParameterError(f"ax={ax!r}: give a matplotlib Axes (e.g. from plt.subplots()), or None")
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    return fig, ax


def _panels(n: int, ax, *, what: str, width=9.0, height=3.0, sharex=False):
    """A figure of ``n`` stacked panels, or the ``n`` Axes the caller gives (``ax``: a sequence of Axes)."""
    use_cjk_font()
    if ax is None:
        fig, axes = plt.subplots(n, 1, figsize=(width, height * n), sharex=sharex, layout="constrained", squeeze=False)
        return fig, list(axes[:, 0])
    axes = [ax] if isinstance(ax, matplotlib.axes.Axes) else list(np.ravel(np.asarray(ax, dtype=object)))
    if len(axes) != n or not all(isinstance(a, matplotlib.axes.Axes) for a in axes):
        raise ParameterError(f"{what}: ax= must be {n} matplotlib Axes (one per panel), got {ax!r}")
    return axes[0].figure, axes


def _series_names(table: pd.DataFrame) -> list:
    """The series of a table, in order of first year (one entry, None, when it has no ``series`` column)."""
    if "series" not in table.columns:
        return [None]
    return list(table["series"].dropna().unique()) or [None]


def _lines(ax, table: pd.DataFrame, items, *, item: str, year: str, value: str) -> None:
    """One line per item, or per (item, series) when the table holds several series: colour by item, dash by
    series."""
    series = _series_names(table)
    styles = ["-", "--", ":", "-."]
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, name in enumerate(items):
        of_item = table[table[item] == name]
        # (split by series once per item: a mask over the whole table per item and series grew with both)
        by_series = {None: of_item} if series == [None] else dict(iter(of_item.groupby("series", sort=False)))
        for j, ser in enumerate(series):
            rows = by_series.get(ser, of_item.iloc[:0])
            if rows.empty or (len(series) > 1 and not rows[value].astype(float).any()):
                continue  # a slogan never used in a series gets no flat line of zeros there
            line = rows.groupby(year)[value].sum().sort_index()
            label = str(name) if len(series) == 1 else f"{name} · {ser}"
            ax.plot(
                line.index,
                line.to_numpy(),
                marker="o",
                label=label,
                color=colors[i % len(colors)],
                linestyle=styles[j % 4],
            )


def _require(df: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ParameterError(f"{what}: the table lacks column(s) {missing}; it has {list(df.columns)}")


def _legend_outside(ax) -> None:
    """The legend to the right of the axes, never over the data (the figure's constrained layout makes room)."""
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)


def _time_column(table: pd.DataFrame, year):
    """The column given, else ``period`` when the table has it (track_slogans' default), else ``year``."""
    if year is not None:
        return year
    return "period" if "period" in table.columns else "year"


def corpus_overview(documents: pd.DataFrame, *, year="year", level="level", size="n_chars", ax=None):
    """Documents and characters per year, coloured by level (the corpus at a glance).

    ``documents`` is :attr:`Corpus.documents`; ``ax``: two Axes (documents, characters), or None.
    """
    _require(documents, [year, level, size], "corpus_overview")
    fig, (ax_docs, ax_chars) = _panels(2, ax, what="corpus_overview", height=3.0, sharex=True)
    counts = documents.pivot_table(index=year, columns=level, values=size, aggfunc="count", fill_value=0)
    chars = documents.pivot_table(index=year, columns=level, values=size, aggfunc="sum", fill_value=0) / 10_000
    counts.plot.bar(stacked=True, ax=ax_docs, width=0.8)
    chars.plot.bar(stacked=True, ax=ax_chars, width=0.8, legend=False)
    ax_docs.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax_docs.set_ylabel("报告数 (documents)")
    ax_chars.set_ylabel("字数 (万字, 10k chars)")
    ax_chars.set_xlabel("年份 (year delivered)")
    ax_docs.set_title("语料概览 Corpus overview")
    ax_docs.legend(title="级别 level", fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


#: the widest a slogan timeline gets, in inches: beyond it the columns narrow instead of the figure growing (8 series
#: of 25 periods took 93 inches, a PNG 14,557 pixels wide that took 4.8 s to draw; now 24 inches, 3,600 pixels)
MAX_TIMELINE_WIDTH = 24.0


def slogan_timeline(
    table: pd.DataFrame,
    *,
    slogan="canonical",
    year=None,
    value="per_10k_chars",
    top=30,
    min_chars=None,
    title="提法时间线 Slogan timeline",
    ax=None,
):
    """Heat map of slogans × years; with a ``series`` column, one block of years per series.

    Parameters
    ----------
    table : long table with one row per (slogan, year): the output of ``track_slogans``.
    year : the time column; default ``"period"`` when the table has one (``track_slogans(by="period")``, the
        default), else ``"year"``.
    value : the column to colour by: a rate (``"per_10k_chars"``, per 10,000 characters) or ``"count"``.
    top : keep the ``top`` slogans by total ``value``.
    min_chars : leave out years whose text (column ``n_chars``) is shorter: a rate over a few hundred
        characters (e.g. the short plan part of one report) would dominate the colour scale.
    ax : a matplotlib Axes to draw on (the colour bar goes beside it), or None for a new figure.

    A table of ``track_slogans`` holds a ``series`` column: the years of each series are a block of columns
    of their own, named above the block and set apart by a line, so that the national 2019 and Shanghai's 2020
    are never read as one history.  The figure grows with the columns up to :data:`MAX_TIMELINE_WIDTH`.
    """
    year = _time_column(table, year)
    _require(table, [slogan, year, value], "slogan_timeline")
    if min_chars is not None:
        _require(table, ["n_chars"], "slogan_timeline(min_chars=…)")
        table = table[table["n_chars"] >= min_chars]
    columns = ["series", year] if _series_names(table) != [None] else year
    wide = table.pivot_table(index=slogan, columns=columns, values=value, aggfunc="sum", fill_value=0)
    if wide.empty:
        raise ParameterError("slogan_timeline: no slogans to draw")
    wide = wide.loc[wide.sum(axis=1).sort_values(ascending=False).index[:top]]
    if isinstance(wide.columns, pd.MultiIndex):  # series blocks in the order of their first year
        first_year = table.groupby("series")[year].min()
        wide = wide[sorted(wide.columns, key=lambda c: (first_year[c[0]], c[0], c[1]))]
    # order rows by first year of use, so the picture reads as a history
    first = (wide > 0).values.argmax(axis=1)
    wide = wide.iloc[np.argsort(first, kind="stable")]
    width, ticks = max(6.0, 0.45 * wide.shape[1] + 3), {}
    if width > MAX_TIMELINE_WIDTH:  # narrower columns, their labels in a smaller font (at most 10 pt, the default)
        width = MAX_TIMELINE_WIDTH
        ticks = {"fontsize": min(10.0, 0.8 * 72 * (width - 3) / wide.shape[1])}
    fig, ax = _figure(width, max(3.0, 0.28 * len(wide) + 1.5), ax)
    # ("none": the SVG holds the cells as a small image of one pixel each, not one resampled to the figure's
    # size; the PNG is the same as with "nearest")
    image = ax.imshow(wide.values, aspect="auto", cmap="YlOrRd", interpolation="none")
    ax.set_yticks(range(len(wide)), wide.index)
    if isinstance(wide.columns, pd.MultiIndex):
        ax.set_xticks(range(wide.shape[1]), [str(c[1]) for c in wide.columns], rotation=90, **ticks)
        names = wide.columns.get_level_values(0)
        starts = [i for i in range(len(names)) if i == 0 or names[i] != names[i - 1]]
        for i, start in enumerate(starts):
            end = starts[i + 1] if i + 1 < len(starts) else len(names)
            if start:
                ax.axvline(start - 0.5, color="black", linewidth=1.5)
            ax.annotate(
                str(names[start]),
                ((start + end - 1) / 2, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(0, 3 + 8 * (i % 2)),  # alternate heights: names of narrow blocks do not overlap
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=7,
            )
    else:
        ax.set_xticks(range(wide.shape[1]), [str(c) for c in wide.columns], rotation=90, **ticks)
    ax.set_xlabel("年份 year")
    ax.set_title(title, pad=22 if isinstance(wide.columns, pd.MultiIndex) else 6)
    fig.colorbar(image, ax=ax, label="每万字次数 per 10k chars" if value.startswith("rate") else value)
    return fig


def slogan_lifecycle(table: pd.DataFrame, slogans, *, slogan="canonical", year=None, value="per_10k_chars", ax=None):
    """Line chart of one or more slogans' use over the years (first use, peak, fading).

    ``table`` is the output of ``track_slogans``; ``year`` defaults as in :func:`slogan_timeline`.  With a
    ``series`` column, one line per slogan and series (colour: slogan; dash: series).  ``ax``: an Axes to draw
    on, or None.
    """
    year = _time_column(table, year)
    _require(table, [slogan, year, value], "slogan_lifecycle")
    slogans = [slogans] if isinstance(slogans, str) else list(slogans)
    known = set(table[slogan].unique())
    absent = [s for s in slogans if s not in known]
    if absent:
        raise ParameterError(f"slogan_lifecycle: {absent} not in the table")
    fig, ax = _figure(ax=ax)
    _lines(ax, table, slogans, item=slogan, year=year, value=value)
    _legend_outside(ax)
    ax.set_xlabel("年份 year")
    ax.set_ylabel("每万字次数 per 10k chars" if value.startswith("rate") else value)
    ax.set_title("提法生命周期 Slogan lifecycle: " + "、".join(slogans), loc="left")
    return fig


def term_trends(per_year: pd.DataFrame, terms, *, term="term", year=None, value="freq", ax=None):
    """Line chart of chosen terms' frequency per year (long table term, year, value: ``term_frequencies``).

    ``year`` defaults to ``"period"`` when the table has it (``term_frequencies(by="period")``), else ``"year"``.
    With a ``series`` column, one line per term and series.  ``ax``: an Axes to draw on, or None.
    """
    year = _time_column(per_year, year)
    _require(per_year, [term, year, value], "term_trends")
    terms = [terms] if isinstance(terms, str) else list(terms)
    rows = per_year[per_year[term].isin(terms)]
    if rows.empty:
        raise ParameterError(f"term_trends: none of {terms} in the table")
    fig, ax = _figure(ax=ax)
    present = set(rows[term].unique())
    _lines(ax, rows, [t for t in terms if t in present], item=term, year=year, value=value)
    _legend_outside(ax)
    ax.set_xlabel("年份 year")
    ax.set_ylabel(value)
    ax.set_title("术语趋势 Term trends")
    return fig


def keyness_bars(
    table: pd.DataFrame,
    *,
    term="term",
    score="g2",
    effect="log_ratio",
    n=15,
    target_label="target",
    reference_label="reference",
    ax=None,
):
    """Horizontal bars of the most over- and under-represented terms (signed G², as quanteda's textplot_keyness).

    ``score`` may be signed already (``keyness()``'s ``g2``: negative = under-represented), and then its sign is
    the direction; an unsigned score takes the sign of ``effect`` (the log ratio).  ``ax``: an Axes to draw
    on, or None.
    """
    _require(table, [term, score, effect], "keyness_bars")
    values = table[score].astype(float)
    if (values < 0).any():  # signed already: multiplying by the sign of the effect would flip the under-used
        signed = table.assign(_signed=values)
    else:
        signed = table.assign(_signed=np.sign(table[effect]) * values)
    top = signed[signed["_signed"] >= 0].nlargest(n, "_signed")  # each term once: over-used here, under below
    bottom = signed[signed["_signed"] < 0].nsmallest(n, "_signed")
    both = pd.concat([top, bottom.iloc[::-1]]).iloc[::-1]
    fig, ax = _figure(9, max(4.0, 0.25 * len(both) + 1.5), ax)
    colors = ["#c0392b" if v > 0 else "#7f8c8d" for v in both["_signed"]]
    ax.barh(range(len(both)), both["_signed"], color=colors)
    ax.set_yticks(range(len(both)), both[term])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(f"signed G² ({target_label} vs {reference_label})")
    ax.set_title(f"关键性 Keyness: {target_label} vs {reference_label}")
    return fig


def topic_shares(shares: pd.DataFrame, *, labels=None, title="主题占比 Topic shares by year", ax=None):
    """Stacked area of each topic's share per group (rows = groups such as years, columns = topics).

    ``shares`` may also be the table of ``TopicModel.shares(by)`` as returned (a group column, ``n_units``,
    ``n_chars``, ``topic_0`` …): its ``topic_*`` columns are drawn against its group column.  The table of
    ``TopicModel.shares(by=["series", "year"])`` (a ``series`` column) is drawn one panel per series, since
    shares of different sources on one axis would read as change over time.

    ``ax``: an Axes to draw on, or a sequence of Axes, one per series; None for a new figure.
    """
    if shares.empty:
        raise ParameterError("topic_shares: the share table is empty")
    data = shares.copy()
    topic_cols = [c for c in data.columns if str(c).startswith("topic_")]
    groups = [c for c in data.columns if c not in topic_cols and c not in ("n_units", "n_chars")]
    series = _series_names(data) if topic_cols and "series" in groups else [None]
    panels = [data[data["series"] == name] for name in series] if series != [None] else [data]
    fig, axes = _panels(len(panels), ax, what="topic_shares", width=10, height=5.5 if len(panels) == 1 else 3.2)
    for axis, name, panel in zip(axes, series, panels):
        rest = [g for g in groups if g != "series"]
        if topic_cols and len(topic_cols) < panel.shape[1]:  # not only topics: the counts are no shares
            panel = panel.set_index(rest[0])[topic_cols] if rest else panel[topic_cols]
        if labels is not None:
            panel = panel.rename(columns=labels)
        _stack(axis, panel)
        axis.set_title(title if name is None else f"{name}", fontsize=10 if name is not None else None)
    if series != [None]:
        fig.suptitle(title)
    axes[0].legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return fig


def _stack(ax, data: pd.DataFrame) -> None:
    """Stacked shares of ``data`` (rows: groups, columns: topics) on ``ax``."""
    x = np.arange(len(data))
    n = data.shape[1]  # one colour per topic: the default cycle has 10, so topic 0 and topic 10 looked alike
    cmap = plt.get_cmap("tab10" if n <= 10 else "tab20" if n <= 20 else "turbo")
    colors = [cmap(i) for i in range(n)] if n <= 20 else [cmap(i / (n - 1)) for i in range(n)]
    ax.stackplot(x, data.T.values, labels=[str(c) for c in data.columns], colors=colors)
    ax.set_xticks(x, [str(i) for i in data.index], rotation=90 if len(x) > 12 else 0)
    ax.set_xlim(0, max(len(x) - 1, 1))
    ax.set_ylim(0, 1)
    ax.set_ylabel("文本占比 share of text")


def coherence_by_k(coherence: pd.DataFrame, *, k="k", score="coherence", chosen=None, ax=None):
    """NPMI coherence for each number of topics (``TopicModel.coherence_``), with the chosen k marked.

    ``ax``: an Axes to draw on, or None.
    """
    _require(coherence, [k, score], "coherence_by_k")
    fig, ax = _figure(7, 4, ax)
    ax.plot(coherence[k], coherence[score], marker="o")
    if chosen is not None:
        ax.axvline(chosen, color="#c0392b", linestyle="--", label=f"k = {chosen}")
        ax.legend()
    ax.set_xlabel("主题数 k (number of topics)")
    ax.set_ylabel("NPMI 一致性 coherence")
    ax.set_title("选择主题数 Choosing k")
    return fig


#: savefig options per format: an SVG without a date; PNGs at zlib level 3 instead of 6 (on the figures of 4
#: copies of the shared corpora: encoding 2.0 -> 1.2 s, files 9% larger)
_SAVE_OPTIONS = {"svg": {"metadata": {"Date": None}}, "png": {"pil_kwargs": {"compress_level": 3}}}


def save(fig, path_stem, *, formats=("png", "svg"), dpi=150, cache=None) -> list[Path]:
    """Save ``fig`` as ``<path_stem>.png`` and ``.svg`` (or ``formats``); returns the paths written.

    The same figure gives the same bytes on every run: the SVG carries no date and its element ids come from a
    fixed salt.  The layout is computed once, at ``dpi``, and kept for every format.

    ``cache``: a cache root (:func:`~cppcc_nlp.output.derived_cache.cache_root`) where the files are kept by the
    figure's content (:func:`_figure_key`): a figure saved before with the same content and options is copied
    from there, byte for byte, instead of drawn.  None: always drawn, nothing kept.
    """
    paths = [Path(f"{path_stem}.{fmt}") for fmt in formats]
    key = _figure_key(fig, tuple(formats), dpi, _SAVE_OPTIONS) if cache is not None else None
    if key is not None and _copy_kept(cache, key, paths):
        return paths
    _draw(fig, paths, dpi)
    if key is not None:
        _keep(cache, key, paths)
    return paths


def _draw(fig, paths: list[Path], dpi) -> None:
    """Save ``fig`` to each of ``paths`` (the format is the suffix), laid out once at ``dpi``."""
    import matplotlib.pyplot as plt

    engine = fig.get_layout_engine()
    # (rc: set_layout_engine(None) means "no engine" only when these are off)
    rc = {"svg.hashsalt": "cppcc-nlp", "figure.autolayout": False, "figure.constrained_layout.use": False}
    try:
        with plt.rc_context(rc):
            if engine is not None:
                # savefig with an engine, even "none", first draws the whole figure without output to lay it
                # out, for every format: the engine run once at the saving dpi gives the same positions
                _lay_out(fig, engine, dpi)
                fig.set_layout_engine(None)
            for path in paths:
                fmt = path.suffix.lstrip(".")
                fig.savefig(path, dpi=dpi, format=fmt, **_SAVE_OPTIONS.get(fmt, {}))
    finally:
        if engine is not None:
            fig.set_layout_engine(engine)


def _lay_out(fig, engine, dpi) -> None:
    """Run the layout ``engine`` on ``fig`` as drawn at ``dpi`` (text extents depend on it)."""
    shown_dpi = fig.dpi
    fig.dpi = dpi
    try:
        engine.execute(fig)
    finally:
        fig.dpi = shown_dpi


# -- figures kept by their content ---------------------------------------------------------------------------------
# After a refresh (one report added) most figures are the same as before (the target/outcome chart of a series
# the new report is not in), and drawing them costs more than anything else in their step: ``save(cache=)``
# copies the files of a figure saved before.  The key (:func:`_figure_key`) is a digest of the figure's pickle,
# which holds every artist with its data, text, colours, limits, size and layout engine, with what the saved
# files depend on beside it: ``rcParams`` (fonts and their fallbacks, SVG and PNG settings), the save options,
# the versions of matplotlib, the font package, Pillow and numpy, the library version and the source
# fingerprint (:func:`~cppcc_nlp.output.derived_cache.source_fingerprint`, which covers this saving code).
# What the standard pickle holds that is no content is left out or put in a fixed order (the ids of the
# transforms that depend on a transform, the figure's number in pyplot, the next id of a callback registry, sets
# of grouped Axes in the order of their ids), so the key is the same in every process.  A figure that cannot be
# pickled (a formatter that is a local function) gets no key and is always drawn.
# Entries are verified files beside the derived results (``<cache root>/derived/<key>-figure-<format>.bin``),
# written atomically; a copy touches its entries, and entries unused for KEPT_FIGURE_DAYS days are deleted (once
# per process, when a figure is stored).

#: bump when the key or the layout of kept figures changes
KEPT_FIGURE_FORMAT = 1

#: kept figure files not used (drawn or copied) for this many days are deleted
KEPT_FIGURE_DAYS = 30

#: the packages whose code turns a figure into bytes
_DRAWING_PACKAGES = ("matplotlib", "mplfonts", "pillow", "numpy")


class _ContentPickler(pickle.Pickler):
    """A pickler whose output depends only on what a figure shows (see "figures kept by their content")."""

    def reducer_override(self, obj):
        state = _content_state(type(obj))
        return NotImplemented if state is None else (type(obj), (), state(obj))


def _transform_state(node: TransformNode) -> dict:
    # (_parents: {id(parent): parent}, the transforms to invalidate when this one changes)
    return {k: v for k, v in node.__getstate__().items() if k != "_parents"}


def _figure_state(fig: Figure) -> dict:
    return {k: v for k, v in fig.__getstate__().items() if k != "_number"}  # (its number in pyplot)


def _grouper_state(grouper: cbook.Grouper) -> dict:
    state = grouper.__getstate__()  # (sets of Axes, in the order of their ids: in the order they were joined)
    order = state["_ordering"].__getitem__
    return {**state, "_mapping": {k: sorted(v, key=order) for k, v in state["_mapping"].items()}}


def _callbacks_state(registry: cbook.CallbackRegistry) -> dict:
    # (its __getstate__ takes the next connection id from the registry's counter: put back, and left out, so
    # that the key of a figure does not change each time it is taken)
    state = registry.__getstate__()
    registry._cid_gen = itertools.count(state["_cid_gen"])
    return {**state, "_cid_gen": None}


@functools.cache
def _content_state(cls):
    """How the key pickles an object of class ``cls``: a function giving its state, or None for the standard
    pickle (found once per class: the pickler asks for each object)."""
    for base, state in (
        (TransformNode, _transform_state),
        (Figure, _figure_state),
        (cbook.Grouper, _grouper_state),
        (cbook.CallbackRegistry, _callbacks_state),
    ):
        if issubclass(cls, base):
            return state
    return None


class _Digest:
    """A file-like object that hashes what is written to it (the pickle is never held whole)."""

    def __init__(self):
        self.hash = hashlib.blake2b(digest_size=16)

    def write(self, data) -> None:
        self.hash.update(data)


def _figure_key(fig, *settings) -> str | None:
    """The key of ``fig`` saved with ``settings`` (formats, dpi, save options); None when it cannot be pickled."""
    digest = _Digest()
    try:
        _ContentPickler(digest, protocol=5).dump(fig)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None
    rc = sorted((name, repr(value)) for name, value in matplotlib.rcParams.items() if name != "backend")
    return cache_key(
        digest.hash.hexdigest(),
        f"figure{KEPT_FIGURE_FORMAT}",
        source_fingerprint(),
        repr(_drawing_versions()),
        repr(rc),
        repr(settings),
    )


@functools.cache
def _drawing_versions() -> tuple:
    return tuple(metadata.version(name) for name in _DRAWING_PACKAGES)


def _copy_kept(root, key: str, paths: list[Path]) -> bool:
    """Write the files kept under ``key`` to ``paths`` (one per format, named by its suffix); False, writing
    nothing, unless every one is kept and intact."""
    cache = DerivedCache(root, key)
    kept = [cache.data(_entry(path)) for path in paths]
    if any(data is None for data in kept):
        return False
    for path, data in zip(paths, kept):
        path.write_bytes(data)
        _touch(cache.folder / f"{key}-{_entry(path)}.bin")
    return True


def _keep(root, key: str, paths: list[Path]) -> None:
    """Keep the saved files ``paths`` under ``key``; first, once per process, delete entries unused for
    :data:`KEPT_FIGURE_DAYS` days."""
    cache = DerivedCache(root, key)
    _prune(cache.folder)
    for path in paths:
        cache.put_data(_entry(path), path.read_bytes())


def _entry(path: Path) -> str:
    return f"figure-{path.suffix.lstrip('.')}"


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:  # (deleted meanwhile, or a read-only cache: the entry is only pruned sooner)
        pass


@functools.cache
def _prune(folder: Path) -> None:
    """Delete the figure entries in ``folder`` not used for :data:`KEPT_FIGURE_DAYS` days (once per process)."""
    oldest = time.time() - KEPT_FIGURE_DAYS * 86400
    for path in folder.glob("*-figure-*.bin"):
        try:
            if path.stat().st_mtime < oldest:
                path.unlink()
        except OSError:  # (pruned by another process at the same time)
            pass


def target_outcome_chart(chain: pd.DataFrame, indicator: str, *, series=None, period="period", ax=None):
    """Target band against outcome points over the years, for one indicator of ``cn.target_outcomes``.

    The band spans each period's target (``target_low``–``target_high``; a single target is drawn as a short
    bar), its qualifier written beside it (左右, 以上 …); the outcomes are points, filled when the target was met,
    hollow when missed, grey when ``met`` is NA.

    Parameters
    ----------
    chain : DataFrame from :func:`cppcc_nlp.target_outcomes`.
    indicator : the indicator to draw, e.g. ``"国内生产总值增长"``.
    series : which series (``"国务院/national/全国"``); default: the one with most periods.
    ax : an Axes to draw on, or None for a new figure.
    """
    from matplotlib.patches import Rectangle

    _require(
        chain,
        ["series", "indicator", period, "target_low", "target_high", "target_qualifier", "outcome_value", "met"],
        "target_outcome_chart",
    )
    data = chain[chain["indicator"] == indicator]
    if data.empty:
        raise ParameterError(
            f"target_outcome_chart: no rows for indicator {indicator!r}; choose one of "
            f"{sorted(chain['indicator'].dropna().unique())[:10]}"
        )
    if series is None:
        series = data["series"].value_counts().index[0]
    data = data[data["series"] == series].sort_values(period)
    if data.empty:
        raise ParameterError(f"target_outcome_chart: no rows for series {series!r}")
    unit = data["target_unit"].dropna().iloc[0] if data["target_unit"].notna().any() else ""
    fig, ax = _figure(9, 4.5, ax)
    x = data[period].astype(int).to_numpy()
    bounds, starts = [], []  # (the bounds of every band are one collection: one per band cost as much as a band)
    for xi, lo, hi, q in zip(x, data["target_low"], data["target_high"], data["target_qualifier"]):
        if pd.isna(lo):
            continue
        # (add_artist, not add_patch: the bounds below span each band exactly and set the data limits once)
        ax.add_artist(
            Rectangle((xi - 0.35, lo), 0.7, max(hi - lo, 0.0) or 0.0, color="#9ecae1", alpha=0.6, linewidth=0)
        )
        bounds += [lo, hi]
        starts += [xi - 0.35, xi - 0.35]
        if isinstance(q, str) and q:
            ax.annotate(q, (xi + 0.37, hi), fontsize=7, color="#3182bd", va="center")
    if bounds:
        ax.hlines(bounds, starts, [start + 0.7 for start in starts], color="#3182bd", linewidth=2)
    met = data["met"].astype("object")
    for flag, style in (
        (True, dict(color="#2ca25f", label="达到 met")),
        (False, dict(facecolors="none", edgecolors="#de2d26", label="未达到 missed")),
        (None, dict(color="#999999", label="无法判断 NA")),
    ):
        mask = met.isna() if flag is None else (met == flag)
        mask &= data["outcome_value"].notna()
        if mask.any():
            ax.scatter(x[mask.to_numpy()], data.loc[mask, "outcome_value"], zorder=3, s=40, **style)
    ax.plot([], [], color="#3182bd", linewidth=6, alpha=0.6, label="目标 target")
    ax.set_xticks(x, [str(v) for v in x], rotation=90 if len(x) > 12 else 0)
    ax.set_ylabel(f"{indicator} ({unit})" if unit else indicator)
    ax.set_title(f"{indicator}: 目标与实际 target vs outcome — {series}")
    _legend_outside(ax)
    return fig
