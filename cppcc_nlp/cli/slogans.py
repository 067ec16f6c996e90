"""The ``slogans`` command: slogan (提法) occurrences, tracking, summary, families, candidates, concordance."""

from __future__ import annotations

import argparse
import sys

from cppcc_nlp.cli._common import add_format, add_paths, emit, load_corpus
from cppcc_nlp.errors import ParameterError
from cppcc_nlp.resources.slogan_lexicon import load_slogan_lexicon
from cppcc_nlp.slogans.detection import detect_slogans, slogan_candidates, slogan_concordance
from cppcc_nlp.slogans.tracking import slogan_cooccurrence, slogan_families, slogan_summary, track_slogans


def register(subparsers) -> None:
    """Add ``cppcc-nlp slogans``."""
    p = subparsers.add_parser(
        "slogans",
        help="slogan (提法) occurrences, tracking across years, candidates",
        description="Find slogans (提法) in reports: the bundled national lexicon, your lexicons, and discovery "
        "of quoted formulations in no lexicon.  Default output: one row per occurrence.",
    )
    add_paths(p)
    add_format(p)
    p.add_argument(
        "--lexicon", action="append", default=[], metavar="FILE", help="your slogan lexicon (YAML or CSV; repeatable)"
    )
    p.add_argument("--no-default-lexicon", action="store_true", help="do not use the bundled national lexicon")
    p.add_argument("--no-discover", action="store_true", help="lexicon matches only")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--track",
        action="store_true",
        help="the tracking table: slogan x series x year (--by) counts, rates per 10,000 characters, reports",
    )
    mode.add_argument("--by-year", action="store_true", help=argparse.SUPPRESS)  # deprecated: --track --by year
    mode.add_argument("--summary", action="store_true", help="one row per slogan and series: first/last/peak, trend")
    mode.add_argument("--families", action="store_true", help="families of slogans sharing a head or pattern")
    mode.add_argument("--cooccurrence", action="store_true", help="pairs of slogans in the same paragraph")
    mode.add_argument(
        "--candidates", action="store_true", help="every quoted candidate with the decision and the rule that made it"
    )
    mode.add_argument("--kwic", metavar="SLOGAN", help="concordance of one slogan")
    p.add_argument(
        "--by",
        choices=("period", "year"),
        default=None,
        help="time axis of --track/--summary: period (the year a section speaks about; default) or year "
        "(the year delivered); --by alone gives the tracking table",
    )
    p.add_argument(
        "--series",
        metavar="LABEL",
        default="each",
        help="with --track/--summary: 'each' (default: every series on its own rows), a series label such as "
        "国务院/national/全国, or 'all' to pool every series on one time axis (warns)",
    )
    p.add_argument("--window", type=int, default=20, help="with --kwic: characters of context (default 20)")
    p.set_defaults(func=run_slogans)


def _check(args) -> None:
    """Resolve --by/--by-year before any file is read: one time axis, said once."""
    if args.by_year:
        if args.by == "period":
            raise ParameterError("--by-year --by period: --by-year (deprecated) means --track --by year; give one")
        print("Note: --by-year is deprecated; use --track --by year", file=sys.stderr)
        args.track, args.by = True, "year"
    if args.by is not None and not (args.track or args.summary):
        if args.families or args.cooccurrence or args.candidates or args.kwic is not None:
            raise ParameterError("--by applies to --track and --summary only")
        args.track = True  # --by alone: the tracking table
    args.by = args.by or "period"


def run_slogans(args) -> int:
    _check(args)
    corpus = load_corpus(args)
    lex = load_slogan_lexicon(args.lexicon, include_default=not args.no_default_lexicon)
    if args.candidates:
        cands = slogan_candidates(corpus, lexicons=lex).drop(columns=["para_id", "start", "end"])
        emit(cands.drop(columns=["sentence"]) if args.format == "table" else cands, args.format, out=args.out_file)
        return 0
    if args.kwic is not None:  # an empty --kwic '' is an error, not the occurrence listing
        emit(slogan_concordance(corpus, args.kwic, window=args.window, lexicons=lex), args.format, out=args.out_file)
        return 0
    occ = detect_slogans(corpus, lexicons=lex, discover=not args.no_discover)
    series = None if args.series == "all" else args.series
    if args.track:
        df = track_slogans(occ, corpus, by=args.by, series=series)
    elif args.summary:
        df = slogan_summary(occ, corpus, by=args.by, series=series, lexicons=lex)
    elif args.families:
        df = slogan_families(occ)
    elif args.cooccurrence:
        df = slogan_cooccurrence(occ, corpus)
    else:
        df = occ.drop(columns=["sentence"]) if args.format == "table" else occ
    emit(df, args.format, out=args.out_file)
    return 0
