"""What every command shares: the PATH arguments, ``--format``, loading the corpus, printing tables."""

from __future__ import annotations

import argparse
import sys

from cppcc_nlp.output.tables import FORMATS, emit

__all__ = ["FORMATS", "add_format", "add_paths", "emit", "load_corpus"]


def add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")


def add_paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="report files or folders")
    parser.add_argument("--strict", action="store_true", help="fail on the first bad file instead of skipping it")
    parser.add_argument("--manifest", help="manifest file (CSV or YAML) overriding metadata")
    parser.add_argument("--to-simplified", action="store_true", help="convert traditional characters (OpenCC)")


def load_corpus(args):
    """The corpus named by a subcommand's PATH arguments; skipped files are reported on stderr."""
    from cppcc_nlp.corpus.corpus import Corpus

    corpus = Corpus.from_path(args.paths, manifest=args.manifest, strict=args.strict,
                              to_simplified=args.to_simplified)
    for path, message in corpus.problems:
        print(f"Skipped: {message}", file=sys.stderr)
    return corpus
