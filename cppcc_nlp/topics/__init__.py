"""Topics: :class:`TopicModel` (a thin front over units, vectorising, factorising, choosing k, coherence,
result tables and persistence).

``TopicModel`` is a scikit-learn estimator, so it is imported on first use: ``import cppcc_nlp`` does not load
scikit-learn.
"""

from cppcc_nlp.resources.formulae import Formulae, load_formulae
from cppcc_nlp.topics._factorise import METHODS
from cppcc_nlp.topics._results import match_topics
from cppcc_nlp.topics._units import UNITS

__all__ = ["Formulae", "METHODS", "NotFittedModelError", "TopicModel", "UNITS", "load_formulae", "match_topics"]

_LAZY = ("TopicModel", "NotFittedModelError")  # defined with scikit-learn's base classes


def __getattr__(name):
    if name in _LAZY:
        from cppcc_nlp.topics import model

        return getattr(model, name)
    raise AttributeError(f"module 'cppcc_nlp.topics' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
