"""The ``cppcc-nlp`` command line: a thin layer over the library, one module per command.

Each command builds a DataFrame and hands it to :func:`cppcc_nlp.output.tables.emit` (``--format
table|csv|json``).  Library errors become one ``Error: …`` line on stderr; exit status 2 for bad input or
usage, 1 for other failures.  Output goes to stdout, diagnostics (warnings, skipped files, progress) to stderr.
The library never imports this package.  To add a command: a module here with ``register(subparsers)`` and
``run_<command>(args)``, listed in :data:`COMMANDS`.
"""

from __future__ import annotations

import argparse
import sys
import warnings

from cppcc_nlp._version import __version__
from cppcc_nlp.cli import analyze, corpus, dfm, dictionary, indicators, keyness, slogans, store, terms, tokens, topics
from cppcc_nlp.errors import CppccError

# One module per command group, in the order of ``cppcc-nlp --help``; each has register(subparsers), and
# run_<command>(args) for each command it adds (see cli/_common.py).
COMMANDS = (corpus, store, tokens, slogans, terms, keyness, topics, dictionary, dfm, indicators, analyze)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cppcc-nlp", description="Slogans, terms and topics of Chinese political work reports, across years."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """One line per warning on stderr, ``Warning: <file>: <problem>`` as the library words it, without the
    Python source line that :func:`warnings.showwarning` would add."""
    text = " ".join(str(message).split())
    print(f"Warning: {text}", file=sys.stderr if file is None else file)


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    if getattr(args, "format", None) == "parquet" and not getattr(args, "out_file", None):
        print("Error: --format parquet writes a file: give it with --out FILE", file=sys.stderr)
        return 2  # before any report is read
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        warnings.showwarning = show_warning
        try:
            return int(args.func(args) or 0)
        except CppccError as err:
            print(f"Error: {err}", file=sys.stderr)
            return err.exit_status
        except BrokenPipeError:
            return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
