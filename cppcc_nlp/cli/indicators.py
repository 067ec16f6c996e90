"""The ``indicators``, ``targets`` and ``promises`` commands of the command line."""

from __future__ import annotations

from cppcc_nlp.indicators import indicators, promises, target_outcomes


def register(subparsers) -> None:
    """Add ``cppcc-nlp indicators``, ``cppcc-nlp targets`` and ``cppcc-nlp promises``."""
    from cppcc_nlp.cli._common import add_format, add_paths

    p = subparsers.add_parser(
        "indicators",
        help="quantitative statements: indicator, value, unit, qualifier, target/outcome",
        description="One row per number in the reports (GDP growth, new urban jobs, CPI, proposals filed …) with "
        "its indicator name, unit, qualifier (左右, 以上 …) and kind: target (plan part), outcome "
        "(review part) or other.",
    )
    add_paths(p)
    add_format(p)
    _add_names(p)
    p.add_argument("--kind", choices=("target", "outcome", "other"), help="only this kind")
    p.add_argument(
        "--indicator", action="append", metavar="NAME", help="only this indicator (repeatable), e.g. 国内生产总值增长"
    )
    p.add_argument("--named", action="store_true", help="drop the numbers no indicator name fits")
    p.set_defaults(func=run_indicators)

    p = subparsers.add_parser(
        "targets",
        help="target of each period beside the next report's outcome, and whether it was met",
        description="One row per series (organ/level/region), indicator and period: the target set in the plan "
        "part beside the outcome the next report gives, with met = True/False/NA.",
    )
    add_paths(p)
    add_format(p)
    _add_names(p)
    p.add_argument("--indicator", action="append", metavar="NAME", help="only this indicator (repeatable)")
    p.add_argument(
        "--tolerance", type=float, default=0.5, help="percentage points a 左右 target may be missed by (default 0.5)"
    )
    p.set_defaults(func=run_targets)

    p = subparsers.add_parser(
        "promises",
        help="plan task sentences of year N and what the review of N+1 says of them",
        description="Plan-part commitments (要…, 加快…, 推进…) of year N, each with the most similar review "
        "sentence of the next report (TF-IDF cosine over tokens), its score and the shared words; "
        "status reported / not mentioned.  Segments the reports (pkuseg; cached).",
    )
    add_paths(p)
    add_format(p)
    p.add_argument("--year", type=int, required=True, help="the planned year N")
    p.add_argument("--threshold", type=float, default=0.2, help="score from which a promise is reported (0.2)")
    p.set_defaults(func=run_promises)


def _add_names(p) -> None:
    p.add_argument(
        "--names",
        action="append",
        default=[],
        metavar="FILE",
        help="your indicator names YAML, added to the bundled one (repeatable)",
    )


def run_indicators(args) -> int:
    from cppcc_nlp.cli._common import emit, load_corpus

    df = indicators(
        load_corpus(args), names=args.names or None, kind=args.kind, indicator=args.indicator, named_only=args.named
    )
    emit(df.drop(columns=["sentence"]) if args.format == "table" else df, args.format, out=args.out_file)
    return 0


def run_targets(args) -> int:
    from cppcc_nlp.cli._common import emit, load_corpus

    ind = indicators(load_corpus(args), names=args.names or None, indicator=args.indicator, named_only=True)
    df = target_outcomes(ind, names=args.names or None, tolerance=args.tolerance)
    emit(
        df.drop(columns=["target_sentence", "outcome_sentence"]) if args.format == "table" else df,
        args.format,
        out=args.out_file,
    )
    return 0


def run_promises(args) -> int:
    from cppcc_nlp.cli._common import emit, load_corpus

    df = promises(load_corpus(args), year=args.year, threshold=args.threshold)
    emit(df, args.format, out=args.out_file)
    return 0
