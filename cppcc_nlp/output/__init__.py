"""Outputs: result tables to files and streams, figures with a CJK font (``cppcc_nlp.output.plot``, imported
on demand: it needs matplotlib) and the HTML report."""
