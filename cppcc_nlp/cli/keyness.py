"""The ``keyness`` command: terms over- and under-used in a target year against a reference."""

from __future__ import annotations

from cppcc_nlp.cli._common import add_format, add_paths, emit, load_corpus
from cppcc_nlp.errors import ParameterError
from cppcc_nlp.terms.keyness import keyness, new_terms


def register(subparsers) -> None:
    """Add ``cppcc-nlp keyness``."""
    p = subparsers.add_parser(
        "keyness",
        help="terms over/under-used in a target year against earlier years (G²)",
        description="Keyness of terms (G² log-likelihood and Log Ratio) for a target "
        "year, period or report against a reference; see docs/terms.md.",
    )
    add_paths(p)
    add_format(p)
    p.add_argument(
        "--target",
        required=True,
        nargs="+",
        help="target value(s) of --by (2016), an inclusive range (2014-2018) or a series label (国务院/national/全国)",
    )
    p.add_argument(
        "--reference",
        nargs="+",
        help="reference value(s), range or series (default: all earlier years of the target's series)",
    )
    p.add_argument(
        "--series",
        default="same",
        help="'same' (default: compare within the target's series), a series label, or 'all' to mix series (warns)",
    )
    p.add_argument("--by", default="year", help="year (default), period, doc_id, part …")
    p.add_argument("--top", type=int, default=20, help="most over- and most under-represented terms (default 20)")
    p.add_argument("--min-freq", type=int, default=2, help="minimum frequency (default 2)")
    p.add_argument("--new", action="store_true", help="only the terms new in the target (absent from reference)")
    p.set_defaults(func=run_keyness)


def run_keyness(args) -> int:
    if args.top < 1:
        raise ParameterError(f"--top {args.top}: give a positive number")
    corpus = load_corpus(args)
    target = args.target if len(args.target) > 1 else args.target[0]
    reference = args.reference if not args.reference or len(args.reference) > 1 else args.reference[0]
    series = None if args.series == "all" else args.series
    if args.new:
        df = new_terms(corpus, target=target, reference=reference, by=args.by, series=series, min_freq=args.min_freq)
        df = df.head(args.top)
    else:
        df = keyness(
            corpus, target=target, reference=reference, by=args.by, series=series, min_freq=args.min_freq, top=args.top
        )
    df = df.drop(columns=["target", "reference"]).round(
        {"target_per_10k_chars": 2, "reference_per_10k_chars": 2, "g2": 3, "log_ratio": 3, "term_score": 3}
    )
    df["p"] = df["p"].map(lambda v: float(f"{v:.3g}"))
    emit(df, args.format, out=args.out_file)
    return 0
