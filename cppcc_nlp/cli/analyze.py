"""The ``analyze`` command: the main job (:func:`cppcc_nlp.workflow.analyze`)."""

from __future__ import annotations

import sys

from cppcc_nlp import workflow
from cppcc_nlp.cli._common import add_jobs, add_paths, add_topics


def register(subparsers) -> None:
    """Add ``cppcc-nlp analyze``."""
    p = subparsers.add_parser(
        "analyze",
        help="run everything and write tables, figures and report.html",
        description=workflow.__doc__.split("\n\n")[0],
    )
    add_paths(p)
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--force", action="store_true", help="write into an existing folder (deletes nothing)")
    add_jobs(p, "processes for segmentation and for the analysis steps side by side")
    add_topics(p)
    p.add_argument("--top-terms", type=int, default=200, help="terms kept in terms.csv")
    p.add_argument("--lexicon", action="append", help="extra domain lexicon file (repeatable)")
    p.add_argument("--slogan-lexicon", action="append", help="extra slogan lexicon file (repeatable)")
    p.add_argument(
        "--rechoose-k",
        action="store_true",
        help="search the number of topics again after reports were added (default: keep the earlier "
        "k unless the corpus grew by more than 20%% of its characters)",
    )
    p.add_argument(
        "--refit-topics",
        action="store_true",
        help="fit the topics again (at the earlier k) after reports were added (default: fold the added reports "
        "into the earlier model, its topics kept, unless the corpus grew by more than 2%% of its characters since "
        "it was fitted)",
    )
    p.add_argument(
        "--target", type=int, nargs="+", metavar="YEAR", help="keyness target year(s) (default: the latest year)"
    )
    p.add_argument(
        "--reference",
        type=int,
        nargs="+",
        metavar="YEAR",
        help="keyness reference year(s) (default: the years before the target)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run reading, tokens and slogans on a Dask cluster: tcp://HOST:8786, or local:N for N "
        "worker processes here (needs the dask extra; see docs/scale.md)",
    )
    p.set_defaults(func=run_analyze)


def _years(values):
    """``--target 2019`` → 2019; ``--target 2018 2019`` → [2018, 2019]; absent → None."""
    if not values:
        return None
    return values[0] if len(values) == 1 else list(values)


def run_analyze(args) -> int:
    if getattr(args, "scheduler", None):
        from cppcc_nlp import _dask

        client = _dask.connect(args.scheduler)  # ParameterError (exit 2) without the dask extra
        try:
            return _run(args, client)
        finally:
            _dask.close(client)
    return _run(args, None)


def _run(args, client) -> int:
    result = workflow.analyze(
        args.paths,
        args.out,
        force=args.force,
        n_process=args.jobs,
        progress=not args.quiet,
        top_terms=args.top_terms,
        n_topics=args.n_topics,
        strict=args.strict,
        manifest=args.manifest,
        to_simplified=args.to_simplified,
        lexicon=args.lexicon,
        slogan_lexicons=args.slogan_lexicon,
        client=client,
        rechoose_k=args.rechoose_k,
        refit_topics=args.refit_topics,
        target=_years(args.target),
        reference=_years(args.reference),
    )
    for note in result.notes:
        print(note, file=sys.stderr)
    total = result.n_read + len(result.skipped)
    print(
        f"{result.n_read} of {total} files read; {len(result.skipped)} skipped"
        + (" (see above)" if result.skipped else ""),
        file=sys.stderr,
    )
    print(
        f"Wrote {len(result.tables)} tables, {len(result.figures)} figure files and {result.report} "
        f"in {result.timings['total']} s",
        file=sys.stderr,
    )
    print(result.report)
    return 0
