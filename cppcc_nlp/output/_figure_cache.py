"""Saved figure files kept by the figure's content, so that a figure drawn before is copied instead of drawn.

After a refresh (one report added) most figures of a step are the same as before (the target/outcome chart of
a series the new report is not in); drawing and saving them costs more than anything else in the step.  The
key of a figure (:func:`figure_key`) is a digest of its pickle, which holds every artist with its data, text,
colours, limits, size and layout engine, together with what the pickle does not hold but the saved files
depend on: matplotlib's settings (``rcParams``: fonts and their fallbacks, SVG and PNG options), the save
options, the versions of matplotlib, the font package, Pillow and numpy, the library version and the source
fingerprint (:func:`~cppcc_nlp.output.derived_cache.source_fingerprint`, which covers the saving code).

The pickle is made deterministic for the key: what the standard pickle of a figure holds that is no content
(the ids of the transforms that depend on a transform, the figure's number in pyplot, the next id of a callback
registry, sets of grouped Axes in the order of their ids) is left out or put in a fixed order.  A figure that cannot be pickled (a formatter
that is a local function) gets no key and is always drawn.

Entries are verified files beside the derived results (``<cache root>/derived/<key>-figure-<format>.bin``,
:class:`~cppcc_nlp.output.derived_cache.DerivedCache`), written atomically.  A hit touches its entries; entries
not used for :data:`KEEP_DAYS` days are deleted, once per process, when a figure is stored.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import os
import pickle
import time
from importlib import metadata
from pathlib import Path

import matplotlib
from matplotlib import cbook
from matplotlib.figure import Figure
from matplotlib.transforms import TransformNode

from cppcc_nlp._cache import cache_key
from cppcc_nlp.output.derived_cache import DerivedCache, source_fingerprint

#: bump when the key or the layout of kept figures changes
FIGURE_FORMAT = 1

#: kept figure files not used (drawn or copied) for this many days are deleted
KEEP_DAYS = 30

#: the packages whose code turns a figure into bytes
_DRAWING_PACKAGES = ("matplotlib", "mplfonts", "pillow", "numpy")


class _ContentPickler(pickle.Pickler):
    """A pickler whose output depends only on what a figure shows (see the module docstring)."""

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


def figure_key(fig, *settings) -> str | None:
    """The key of ``fig`` saved with ``settings`` (formats, dpi, save options); None when it cannot be pickled."""
    digest = _Digest()
    try:
        _ContentPickler(digest, protocol=5).dump(fig)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None
    rc = sorted((name, repr(value)) for name, value in matplotlib.rcParams.items() if name != "backend")
    return cache_key(
        digest.hash.hexdigest(),
        f"figure{FIGURE_FORMAT}",
        source_fingerprint(),
        repr(_drawing_versions()),
        repr(rc),
        repr(settings),
    )


@functools.cache
def _drawing_versions() -> tuple:
    return tuple(metadata.version(name) for name in _DRAWING_PACKAGES)


def copy_kept(root, key: str, paths: list[Path]) -> bool:
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


def keep(root, key: str, paths: list[Path]) -> None:
    """Keep the saved files ``paths`` under ``key``; first, once per process, delete entries unused for
    :data:`KEEP_DAYS` days."""
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
    """Delete the figure entries in ``folder`` not used for :data:`KEEP_DAYS` days (once per process)."""
    oldest = time.time() - KEEP_DAYS * 86400
    for path in folder.glob("*-figure-*.bin"):
        try:
            if path.stat().st_mtime < oldest:
                path.unlink()
        except OSError:  # (pruned by another process at the same time)
            pass
