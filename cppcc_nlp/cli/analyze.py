"""The ``analyze`` command of the command line."""

from __future__ import annotations

import sys
from cppcc_nlp import workflow
from cppcc_nlp.workflow import analyze


def register_cli(subparsers) -> None:
    parser = subparsers.add_parser("analyze", help="run everything and write tables, figures and report.html",
                                   description=workflow.__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", metavar="PATH", help="report files or folders")
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--force", action="store_true", help="write into an existing folder (deletes nothing)")
    parser.add_argument("--jobs", type=int, default=1, help="segmentation processes (-1: every core)")
    parser.add_argument("-k", "--topics", type=int, default=None, help="number of topics (default: by coherence)")
    parser.add_argument("--top-terms", type=int, default=200, help="terms kept in terms.csv")
    parser.add_argument("--lexicon", action="append", help="extra domain lexicon file (repeatable)")
    parser.add_argument("--slogan-lexicon", action="append", help="extra slogan lexicon file (repeatable)")
    parser.add_argument("--strict", action="store_true", help="fail on the first bad file")
    parser.add_argument("--manifest", help="manifest file (CSV or YAML) overriding metadata")
    parser.add_argument("--to-simplified", action="store_true", help="convert traditional characters (OpenCC)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=_run_cli)


def _run_cli(args) -> int:
    result = analyze(args.paths, args.out, force=args.force, n_process=args.jobs, progress=not args.quiet,
                     top_terms=args.top_terms, n_topics=args.topics, strict=args.strict, manifest=args.manifest,
                     to_simplified=args.to_simplified, lexicon=args.lexicon, slogan_lexicons=args.slogan_lexicon)
    for note in result.notes:
        print(note, file=sys.stderr)
    print(f"Wrote {len(result.tables)} tables, {len(result.figures)} figure files and {result.report} "
          f"in {result.timings['total']} s", file=sys.stderr)
    print(result.report)
    return 0

