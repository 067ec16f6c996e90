"""The parameters of :class:`~cppcc_nlp.topics.model.TopicModel`: defaults and the checks made by ``fit``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from cppcc_nlp.errors import ParameterError
from cppcc_nlp.topics._factorise import METHODS
from cppcc_nlp.topics._units import UNITS
from cppcc_nlp.topics.coherence import check_window

DEFAULT_K_RANGE = (6, 8, 10, 12, 14, 16, 18, 20)


def _positive_int(name, value, allow_none=False):
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ParameterError(
            f"{name}={value!r}: must be a positive integer" + (" or None (choose k by coherence)" if allow_none else "")
        )


def validate_params(p: dict) -> None:
    """Raise :class:`ParameterError`, naming the parameter and what to give, for the first value that cannot
    work (``p`` as returned by ``TopicModel.get_params()``)."""
    _positive_int("n_topics", p["n_topics"], allow_none=True)
    if p["method"] not in METHODS:
        raise ParameterError(f"method={p['method']!r}: use one of {', '.join(METHODS)}")
    if p["unit"] not in UNITS:
        raise ParameterError(f"unit={p['unit']!r}: use one of {', '.join(UNITS)}")
    seed = p["random_state"]
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise ParameterError(f"random_state={seed!r}: give an int seed")
    if p["n_topics"] is None:
        ks = list(p["k_range"]) if isinstance(p["k_range"], Iterable) else []
        if not ks:
            raise ParameterError(f"k_range={p['k_range']!r}: give a non-empty list of positive ints")
        for k in ks:
            _positive_int("k_range value", k)
    for name in ("top_n", "min_df", "min_chars", "n_init"):
        _positive_int(name, p[name])
    _positive_int("max_iter", p["max_iter"], allow_none=True)
    n_jobs = p.get("n_jobs")
    if n_jobs is not None and n_jobs != -1:
        _positive_int("n_jobs", n_jobs)
    max_df = p["max_df"]
    if (
        isinstance(max_df, bool)
        or not isinstance(max_df, (int, float, np.integer, np.floating))
        or max_df <= 0
        or (isinstance(max_df, (float, np.floating)) and max_df > 1)
    ):
        raise ParameterError(f"max_df={max_df!r}: a share in (0, 1] or a count of units >= 1")
    if p["coherence_window"] is not None:
        check_window(p["coherence_window"])
    if p["token_options"] is not None and not isinstance(p["token_options"], dict):
        raise ParameterError(f"token_options={p['token_options']!r}: give a dict of token_lists arguments")
    if not isinstance(p["formulae"], (bool, str, Path)):
        raise ParameterError(
            f"formulae={p['formulae']!r}: give True (the bundled list), False (keep "
            "everything) or the path of a formulae file"
        )
