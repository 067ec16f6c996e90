"""The ``tokens`` command of the command line."""

from __future__ import annotations

from cppcc_nlp.resources.lexicon import load_lexicon
import pandas as pd
from cppcc_nlp.tokens.pipeline import MODEL_ENV, _UNITS, nlp, token_lists, tokens
from cppcc_nlp.cli import _common as cli


def register_cli(subparsers) -> None:
    """Add the ``tokens`` and ``lexicon`` subcommands."""
    p = subparsers.add_parser("tokens", help="segment reports into tokens (pkuseg + domain lexicon, cached)",
                              description="One row per token with its document variables and offsets.")
    cli.add_paths(p)
    cli.add_format(p)
    p.add_argument("--lexicon", action="append", metavar="FILE", help="extra lexicon file (repeatable)")
    p.add_argument("--pkuseg-model", metavar="DIR", help=f"pkuseg model folder (default: ${MODEL_ENV} or the "
                                                         f"installed pkuseg package's models/default)")
    p.add_argument("--unit", choices=sorted(_UNITS), help="print filtered token lists per unit instead of rows")
    p.add_argument("--drop-boilerplate", action="store_true", help="with --unit: drop 坚持/推进/加强 …")
    p.add_argument("-j", "--n-process", type=int, default=1, help="worker processes, -1 for all cores")
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the token cache")
    p.set_defaults(func=_cli_tokens)

    q = subparsers.add_parser("lexicon", help="list the domain lexicon (bundled terms, slogans, your files)",
                              description="The words the token pipeline keeps whole, and where each comes from; "
                                          "with report PATHs, how often each occurs as a token.")
    q.add_argument("paths", nargs="*", metavar="PATH", help="report files or folders: show each entry's frequency")
    q.add_argument("--strict", action="store_true", help="fail on the first bad file instead of skipping it")
    q.add_argument("--manifest", help="manifest file (CSV or YAML) overriding metadata")
    q.add_argument("--to-simplified", action="store_true", help="convert traditional characters (OpenCC)")
    cli.add_format(q)
    q.add_argument("--lexicon", action="append", metavar="FILE", help="extra lexicon file (repeatable)")
    q.add_argument("--no-defaults", action="store_true", help="leave out the bundled lexicon")
    q.set_defaults(func=_cli_lexicon)


def _cli_tokens(args) -> int:
    corpus = cli.load_corpus(args)
    pipe = nlp(lexicon=args.lexicon, pkuseg_model=args.pkuseg_model)
    table = tokens(corpus, nlp=pipe, n_process=args.n_process, cache=not args.no_cache)
    if args.unit:
        lists = token_lists(table, unit=args.unit, keep_boilerplate=not args.drop_boilerplate)
        table = pd.DataFrame({lists.index.name: lists.index, "n_tokens": lists.map(len).to_numpy(),
                              "tokens": lists.map(" ".join).to_numpy()})
    cli.emit(table, args.format)
    return 0


def _cli_lexicon(args) -> int:
    lex = load_lexicon(args.lexicon, defaults=not args.no_defaults)
    if args.paths:
        from cppcc_nlp.resources.lexicon import lexicon_coverage

        corpus = cli.load_corpus(args)
        table = tokens(corpus, nlp=nlp(lexicon=lex))
        cli.emit(lexicon_coverage(table, lex), args.format)
    else:
        cli.emit(lex.to_frame(), args.format)
    return 0

