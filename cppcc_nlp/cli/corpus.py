"""The ``corpus``, ``sections`` and ``kwic`` commands: the documents, their sections, a concordance."""

from __future__ import annotations

import sys
import warnings

from cppcc_nlp.cli._common import add_format, add_paths, emit, load_corpus
from cppcc_nlp.corpus.corpus import Corpus
from cppcc_nlp.errors import ParameterError


def register(subparsers) -> None:
    """Add the ``corpus``, ``sections`` and ``kwic`` subcommands."""
    p = subparsers.add_parser(
        "corpus",
        help="one row per document: docvars and sizes",
        description="Read reports and list one row per document.",
    )
    add_paths(p)
    add_format(p)
    p.set_defaults(func=run_corpus)

    p = subparsers.add_parser(
        "sections",
        help="one row per section: heading, depth, part, period",
        description="List the sections of each report with their part and period.",
    )
    add_paths(p)
    add_format(p)
    p.set_defaults(func=run_sections)

    p = subparsers.add_parser(
        "kwic",
        help="keywords in context (concordance)",
        description="Concordance: every occurrence of PATTERN with its context.",
    )
    p.add_argument("pattern", metavar="PATTERN", help="text to find (a regular expression with --regex)")
    add_paths(p)
    p.add_argument("--window", type=int, default=20, help="characters of context on each side (default 20)")
    p.add_argument("--regex", action="store_true", help="PATTERN is a regular expression")
    add_format(p)
    p.set_defaults(func=run_kwic)


def run_corpus(args) -> int:
    corpus = _load(args)
    cols = [
        "doc_id",
        "path",
        "title",
        "organ",
        "level",
        "region",
        "session",
        "date",
        "year",
        "speaker",
        "abridged",
        "n_chars",
        "n_sections",
        "n_paragraphs",
    ]
    emit(corpus.documents[cols], args.format, out=args.out_file)
    return 0


def run_sections(args) -> int:
    corpus = _load(args)
    cols = ["doc_id", "section_id", "heading", "depth", "kind", "part", "period", "n_chars"]
    emit(corpus.sections[cols], args.format, out=args.out_file)
    return 0


def run_kwic(args) -> int:
    if args.window < 0:
        raise ParameterError(f"--window {args.window}: give a number of characters >= 0")
    corpus = _load(args)
    df = corpus.kwic(args.pattern, window=args.window, regex=args.regex)
    emit(df[["doc_id", "year", "period", "section_id", "left", "match", "right"]], args.format, out=args.out_file)
    return 0


def _load(args) -> Corpus:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        corpus = load_corpus(args)
    for w in caught:  # skipped files are printed by load_corpus; anything else (manifest lines) here
        if not str(w.message).startswith("skipped: "):
            print(f"Warning: {w.message}", file=sys.stderr)
    return corpus
