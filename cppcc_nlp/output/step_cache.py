"""What each step of ``analyze`` wrote, kept so that a rerun on unchanged input copies it back.

A step's *outputs* are its tables, its figure files (PNG and SVG), its other files (``topic_model.zip``), its
notes and its report section rendered to HTML (:class:`~cppcc_nlp.output.report.RenderedSection`, figures
inline).  Drawing the figures and rendering the page cost more than reading the derived results back
(:mod:`cppcc_nlp.output.derived_cache`), and building the token table costs more still; so a second
``analyze`` of an unchanged corpus with the same options reads each step's outputs back, writes them to its
folder and never loads the pkuseg model, segments, scores or draws.

Each step is keyed by a *fingerprint* (:func:`cppcc_nlp.output.derived_cache.fingerprint`: the corpus, the
library version, a hash of its source files) plus the step's own options and the tokens' versions; the main job
builds the key (``workflow._step_cache``).  The entries live beside the derived results under
``<cache root>/derived/``: a manifest (``<key>-step.bin``, JSON, written last, so that a step stored halfway
is never read), the tables as Arrow IPC files (``DerivedCache.put_frame``) and every file as verified bytes.  A
damaged or missing piece makes the whole step run again.

Examples
--------
>>> cache = DerivedCache(cache_root(corpus), fingerprint(corpus, "step", "terms", 200))   # doctest: +SKIP
>>> stored = load_step(cache)                                                           # doctest: +SKIP
>>> stored.tables["terms"].head(3)                                                      # doctest: +SKIP
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from cppcc_nlp.output.report import RenderedSection

#: bump when the layout of stored steps changes
STEP_FORMAT = 1


@dataclass
class StoredStep:
    """A step's outputs as kept: tables by name, notes, the rendered section and files (path in the output
    folder → bytes)."""

    tables: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    section: RenderedSection | None = None
    files: dict = field(default_factory=dict)


def load_step(cache) -> StoredStep | None:
    """The outputs stored under ``cache`` (a :class:`~cppcc_nlp.output.derived_cache.DerivedCache`), or None
    unless every piece is there and intact."""
    data = cache.data("step")
    if data is None:
        return None
    manifest = json.loads(data)
    stored = StoredStep(notes=list(manifest["notes"]))
    if manifest["section"] is not None:
        stored.section = RenderedSection(**manifest["section"])
    for i, name in enumerate(manifest["tables"]):
        stored.tables[name] = cache.frame(f"step-table{i}")
        if stored.tables[name] is None:
            return None
    for i, path in enumerate(manifest["files"]):
        stored.files[path] = cache.data(f"step-file{i}")
        if stored.files[path] is None:
            return None
    return stored


def store_step(cache, stored: StoredStep) -> None:
    """Keep ``stored`` under ``cache``; the manifest goes last."""
    for i, table in enumerate(stored.tables.values()):
        cache.put_frame(f"step-table{i}", table)
    for i, data in enumerate(stored.files.values()):
        cache.put_data(f"step-file{i}", data)
    section = None
    if stored.section is not None:
        section = {"title": stored.section.title, "html": stored.section.html, "text": stored.section.text}
    manifest = {
        "format": STEP_FORMAT,
        "tables": list(stored.tables),
        "files": [Path(p).as_posix() for p in stored.files],
        "notes": [str(n) for n in stored.notes],
        "section": section,
    }
    cache.put_data("step", json.dumps(manifest, ensure_ascii=False).encode("utf-8"))


__all__ = ["STEP_FORMAT", "StoredStep", "load_step", "store_step"]
