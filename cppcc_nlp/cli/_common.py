"""What every command shares: the PATH arguments, ``--format``, option spellings, loading the corpus.

Each command module has ``register(subparsers)``, which adds its subcommand(s), and one ``run_<command>(args)``
per subcommand, which returns the exit status.  An option spelled two ways in different commands is added
with :func:`add_jobs` or :func:`add_topics`: every command accepts both spellings, ``--help`` shows one.
"""

from __future__ import annotations

import argparse
import sys

from cppcc_nlp.errors import ParameterError
from cppcc_nlp.output.tables import FORMATS, emit

__all__ = ["FORMATS", "add_format", "add_jobs", "add_paths", "add_topics", "check_jobs", "emit", "load_corpus"]


def add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format", choices=FORMATS, default="table", help="output format (default: table); parquet needs --out"
    )
    parser.add_argument(
        "--out",
        dest="out_file",
        metavar="FILE",
        help="write the table to FILE instead of stdout (required with --format parquet)",
    )


def add_paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="report files or folders")
    parser.add_argument("--strict", action="store_true", help="fail on the first bad file instead of skipping it")
    parser.add_argument("--manifest", help="manifest file (CSV or YAML) overriding metadata")
    parser.add_argument("--to-simplified", action="store_true", help="convert traditional characters (OpenCC)")


def _add_alias(parser: argparse.ArgumentParser, flag: str, dest: str, **kwargs) -> None:
    """Another spelling of an option: accepted, not shown in ``--help``, no default of its own."""
    parser.add_argument(flag, dest=dest, default=argparse.SUPPRESS, help=argparse.SUPPRESS, **kwargs)


def add_jobs(parser: argparse.ArgumentParser, what: str = "segmentation processes") -> None:
    """``-j/--jobs N`` (also ``--n-process``): worker processes for segmentation (``what`` says for what else);
    ``args.jobs``."""
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        dest="jobs",
        help=f"{what}, -1 for every core (default 1; also --n-process)",
    )
    _add_alias(parser, "--n-process", "jobs", type=int, metavar="N")


def add_topics(parser: argparse.ArgumentParser) -> None:
    """``-k/--topics K`` (also ``--n-topics``): the number of topics; ``args.n_topics``."""
    parser.add_argument(
        "-k",
        "--topics",
        type=int,
        default=None,
        metavar="K",
        dest="n_topics",
        help="number of topics (default: chosen by NPMI coherence; also --n-topics)",
    )
    _add_alias(parser, "--n-topics", "n_topics", type=int, metavar="K")


def check_jobs(jobs: int) -> None:
    """Refuse ``-j 0`` or ``-j -2`` before any work, as :func:`cppcc_nlp.tokens` would after reading."""
    if jobs == 0 or jobs < -1:
        raise ParameterError(f"n_process={jobs!r}: give a positive number of processes, or -1 for all cores")


def load_corpus(args):
    """The corpus named by a subcommand's PATH arguments; skipped files are reported on stderr."""
    from cppcc_nlp.corpus.corpus import Corpus

    corpus = Corpus.from_path(args.paths, manifest=args.manifest, strict=args.strict, to_simplified=args.to_simplified)
    for _path, message in corpus.problems:
        print(f"Skipped: {message}", file=sys.stderr)
    return corpus
