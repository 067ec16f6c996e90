"""The ``terms`` command: multi-word terms ranked, per report (TF-IDF), or their occurrences."""

from __future__ import annotations

from cppcc_nlp.cli._common import add_format, add_paths, emit, load_corpus
from cppcc_nlp.errors import ParameterError
from cppcc_nlp.terms.counts import term_occurrences
from cppcc_nlp.terms.ranking import RANK_BY, extract_terms, term_tfidf


def register(subparsers) -> None:
    """Add ``cppcc-nlp terms``."""
    p = subparsers.add_parser(
        "terms",
        help="multi-word policy terms, ranked (C-value, PMI, branching entropy)",
        description="Rank the multi-word terms of the reports; see docs/terms.md.",
    )
    add_paths(p)
    add_format(p)
    p.add_argument("--top", type=int, default=30, help="number of terms (default 30)")
    p.add_argument("--max-len", type=int, default=8, help="longest candidate in tokens (default 8)")
    p.add_argument("--min-freq", type=int, default=2, help="minimum frequency (default 2)")
    p.add_argument("--rank-by", choices=RANK_BY, default="default", help="score to rank by (default: combined)")
    p.add_argument("--by-year", action="store_true", help="add one frequency column per delivery year")
    p.add_argument(
        "--per-report", action="store_true", help="the report-level TF-IDF view: the --top terms of each report instead"
    )
    p.add_argument(
        "--occurrences",
        nargs="+",
        metavar="TERM",
        help="list every use of these terms (doc_id, year, period, part, section_id, offsets) instead",
    )
    p.set_defaults(func=run_terms)


def run_terms(args) -> int:
    if args.top is not None and args.top < 1:
        raise ParameterError(f"--top {args.top}: give a positive number")
    corpus = load_corpus(args)
    if args.occurrences:
        df = term_occurrences(corpus, args.occurrences)
    elif args.per_report:
        df = term_tfidf(corpus, top=args.top, max_len=args.max_len, min_freq=args.min_freq)
    else:
        df = extract_terms(
            corpus,
            top=args.top,
            max_len=args.max_len,
            min_freq=args.min_freq,
            rank_by=args.rank_by,
            by_year=args.by_year,
        )
        df = df.round({"score": 3, "cvalue": 3, "pmi": 3, "left_entropy": 3, "right_entropy": 3, "specificity": 3})
        df.columns = [str(c) for c in df.columns]
    emit(df, args.format, out=args.out_file)
    return 0
