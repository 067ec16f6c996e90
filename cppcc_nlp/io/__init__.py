"""Files → document parts: reading bytes into text, layout repair, structure (sections, paragraphs,
sentences, part and period) and metadata (docvars)."""

from cppcc_nlp.io.normalise import normalise
from cppcc_nlp.io.reading import read_report

__all__ = ["normalise", "read_report"]
