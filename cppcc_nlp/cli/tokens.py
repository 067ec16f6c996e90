"""The ``tokens`` and ``lexicon`` commands: the token table, and the domain lexicon the tokenizer keeps whole."""

from __future__ import annotations

import pandas as pd

from cppcc_nlp.cli._common import add_format, add_jobs, add_paths, check_jobs, emit, load_corpus
from cppcc_nlp.resources.lexicon import lexicon_coverage, load_lexicon
from cppcc_nlp.tokens.pipeline import MODEL_ENV, nlp
from cppcc_nlp.tokens.table import UNITS, token_lists, tokens


def register(subparsers) -> None:
    """Add the ``tokens`` and ``lexicon`` subcommands."""
    p = subparsers.add_parser(
        "tokens",
        help="segment reports into tokens (pkuseg + domain lexicon, cached)",
        description="One row per token with its document variables and offsets.",
    )
    add_paths(p)
    add_format(p)
    p.add_argument("--lexicon", action="append", metavar="FILE", help="extra lexicon file (repeatable)")
    p.add_argument(
        "--pkuseg-model",
        metavar="DIR",
        help=f"pkuseg model folder (default: ${MODEL_ENV} or the installed pkuseg package's models/default)",
    )
    p.add_argument("--unit", choices=sorted(UNITS), help="print filtered token lists per unit instead of rows")
    p.add_argument("--drop-boilerplate", action="store_true", help="with --unit: drop 坚持/推进/加强 …")
    add_jobs(p)
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the token cache")
    p.set_defaults(func=run_tokens)

    q = subparsers.add_parser(
        "lexicon",
        help="list the domain lexicon (bundled terms, slogans, your files)",
        description="The words the token pipeline keeps whole, and where each comes from; "
        "with report PATHs, how often each occurs as a token.",
    )
    q.add_argument("paths", nargs="*", metavar="PATH", help="report files or folders: show each entry's frequency")
    q.add_argument("--strict", action="store_true", help="fail on the first bad file instead of skipping it")
    q.add_argument("--manifest", help="manifest file (CSV or YAML) overriding metadata")
    q.add_argument("--to-simplified", action="store_true", help="convert traditional characters (OpenCC)")
    add_format(q)
    q.add_argument("--lexicon", action="append", metavar="FILE", help="extra lexicon file (repeatable)")
    q.add_argument("--no-defaults", action="store_true", help="leave out the bundled lexicon")
    q.set_defaults(func=run_lexicon)


def run_tokens(args) -> int:
    check_jobs(args.jobs)
    corpus = load_corpus(args)
    pipe = nlp(lexicon=args.lexicon, pkuseg_model=args.pkuseg_model)
    table = tokens(corpus, nlp=pipe, n_process=args.jobs, cache=not args.no_cache)
    if args.unit:
        lists = token_lists(table, unit=args.unit, keep_boilerplate=not args.drop_boilerplate)
        table = pd.DataFrame(
            {
                lists.index.name: lists.index,
                "n_tokens": lists.map(len).to_numpy(),
                "tokens": lists.map(" ".join).to_numpy(),
            }
        )
    emit(table, args.format, out=args.out_file)
    return 0


def run_lexicon(args) -> int:
    lex = load_lexicon(args.lexicon, defaults=not args.no_defaults)
    if args.paths:
        corpus = load_corpus(args)
        table = tokens(corpus, nlp=nlp(lexicon=lex))
        emit(lexicon_coverage(table, lex), args.format, out=args.out_file)
    else:
        emit(lex.to_frame(), args.format, out=args.out_file)
    return 0
