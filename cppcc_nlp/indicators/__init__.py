"""Indicators: quantitative statements (targets, outcomes, counts), the target/outcome chain across reports,
and plan promises followed into the next review.

* :func:`indicators` (``extract.py``): one row per number with its indicator, unit, qualifier and kind;
* :func:`target_outcomes` (``chain.py``): the target of each period beside the outcome the next report gives;
* :func:`promises` (``promises.py``): plan task sentences of year N aligned to review sentences of year N+1;
* ``numbers.py``: numbers as written (full-width, Chinese numerals, 万亿, ranges); ``names.py``: the names file.
"""

from cppcc_nlp.indicators.chain import target_outcomes
from cppcc_nlp.indicators.extract import indicators
from cppcc_nlp.indicators.names import load_indicator_names
from cppcc_nlp.indicators.promises import promises

__all__ = ["indicators", "load_indicator_names", "promises", "target_outcomes"]
