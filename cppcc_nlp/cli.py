"""The ``cppcc-nlp`` command line: a thin layer over the library.

Each subcommand builds a DataFrame and hands it to :func:`emit` (``--format table|csv|json``).
Library errors become one ``Error: …`` line on stderr; exit status 2 for bad input or usage, 1 for other
failures.  Output goes to stdout, diagnostics (warnings, skipped files, progress) to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings

import pandas as pd

from . import __version__
from .errors import CppccError

FORMATS = ("table", "csv", "json")


def emit(df: pd.DataFrame, fmt: str = "table", stream=None) -> None:
    """Write ``df`` to ``stream`` (stdout) as an aligned table, CSV or JSON records (UTF-8, no escaping)."""
    stream = stream or sys.stdout
    if fmt == "csv":
        df.to_csv(stream, index=False)
    elif fmt == "json":
        # pandas escapes "/" as "\\/"; going through json writes ids and paths as they are (…/s01)
        records = json.loads(df.to_json(orient="records", force_ascii=False, date_format="iso"))
        json.dump(records, stream, ensure_ascii=False, indent=1)
        stream.write("\n")
    else:
        with pd.option_context("display.max_rows", None, "display.max_columns", None,
                               "display.width", 250, "display.max_colwidth", 60,
                               "display.unicode.east_asian_width", True):
            stream.write(df.to_string(index=False) if len(df) else "(no rows)")
            stream.write("\n")


def add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")


def add_paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="report files or folders")
    parser.add_argument("--strict", action="store_true", help="fail on the first bad file instead of skipping it")
    parser.add_argument("--manifest", help="manifest file (CSV or YAML) overriding metadata")
    parser.add_argument("--to-simplified", action="store_true", help="convert traditional characters (OpenCC)")


def load_corpus(args):
    """The corpus named by a subcommand's PATH arguments; skipped files are reported on stderr."""
    from .corpus import Corpus

    corpus = Corpus.from_path(args.paths, manifest=args.manifest, strict=args.strict,
                              to_simplified=args.to_simplified)
    for path, message in corpus.problems:
        print(f"Skipped: {message}", file=sys.stderr)
    return corpus


# Each analysis module registers its subcommands here: a function (subparsers) -> None that adds parsers
# whose `func` attribute takes the parsed args and returns an exit status.
_REGISTRARS = [
    "cppcc_nlp.corpus:register_cli",
    "cppcc_nlp.store:register_cli",
    "cppcc_nlp.tokens:register_cli",
    "cppcc_nlp.slogans:register_cli",
    "cppcc_nlp.terms:register_cli",
    "cppcc_nlp.keyness:register_cli",
    "cppcc_nlp.topics:register_cli",
    "cppcc_nlp.analyze:register_cli",
]


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = argparse.ArgumentParser(
        prog="cppcc-nlp",
        description="Slogans, terms and topics of Chinese political work reports, across years.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for spec in _REGISTRARS:
        module_name, func_name = spec.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:  # a module not written yet
            if exc.name == module_name:
                continue
            raise
        register = getattr(module, func_name, None)
        if register is not None:
            register(subparsers)
    return parser




def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        try:
            return int(args.func(args) or 0)
        except CppccError as err:
            print(f"Error: {err}", file=sys.stderr)
            return err.exit_status
        except BrokenPipeError:
            return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
