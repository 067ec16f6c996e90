"""Topics: :class:`TopicModel` (a thin front over units, vectorising, factorising, choosing k, coherence,
result tables and persistence)."""

from cppcc_nlp.topics.model import TopicModel

__all__ = ["TopicModel"]
