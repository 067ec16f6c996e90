"""The ``dict`` command: dictionary counts (categories of words and patterns) per document, year, period …"""

from __future__ import annotations

from cppcc_nlp.dictionary import Dictionary, dictionary_counts, dictionary_matches


def register(subparsers) -> None:
    """Add ``cppcc-nlp dict`` to the command line."""
    from cppcc_nlp.cli._common import add_format, add_paths

    p = subparsers.add_parser(
        "dict",
        help="count a dictionary's categories (YAML, CSV or LIWC .dic) per document, year, period …",
        description="Count the categories of a dictionary in the reports, on the text: every occurrence, nested "
        "ones included (as str.count on the normalised text). Patterns: words, 碳* wildcards, "
        "re:regex. See docs/dictionaries.md.",
    )
    p.add_argument("dictionary", metavar="DICT", help="dictionary file: .yaml, .csv (category,pattern) or .dic")
    add_paths(p)
    add_format(p)
    p.add_argument(
        "--by",
        nargs="+",
        default=["document"],
        help="document (default), section, paragraph, corpus, or columns such as year period level",
    )
    p.add_argument("--per", choices=("category", "pattern"), default="category", help="count categories or patterns")
    p.add_argument("--mode", choices=("text", "tokens"), default="text", help="count on the text or whole tokens")
    p.add_argument("--matches", action="store_true", help="list every match (with offsets) instead of counts")
    p.set_defaults(func=run_dict)


def run_dict(args) -> int:
    from cppcc_nlp.cli._common import emit, load_corpus

    dictionary = Dictionary.from_file(args.dictionary)  # checked before the reports are read
    corpus = load_corpus(args)
    if args.matches:
        df = dictionary_matches(corpus, dictionary, mode=args.mode)
    else:
        by = args.by[0] if len(args.by) == 1 else args.by
        df = dictionary_counts(corpus, dictionary, by=by, per=args.per, mode=args.mode)
    emit(df, args.format, out=args.out_file)
    return 0
