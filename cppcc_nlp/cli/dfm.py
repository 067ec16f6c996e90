"""The ``dfm`` command: a document-feature matrix written as Matrix Market + features + docvars."""

from __future__ import annotations

import sys
from pathlib import Path

from cppcc_nlp.output.dfm import UNITS, dfm


def register(subparsers) -> None:
    """Add ``cppcc-nlp dfm`` to the command line."""
    from cppcc_nlp.cli._common import add_paths

    p = subparsers.add_parser(
        "dfm",
        help="document-feature matrix → DIR/matrix.mtx, features.txt, docvars.csv (R, scikit-learn)",
        description="Build a document-feature matrix (tokens, terms or dictionary categories per document, "
        "section or paragraph) and write it as Matrix Market with its features and docvars.",
    )
    add_paths(p)
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.add_argument("--unit", choices=sorted(UNITS), default="document", help="rows (default: document)")
    p.add_argument(
        "--features", default="tokens", help="tokens (default), terms, or a dictionary file (.yaml .csv .dic)"
    )
    p.add_argument("--top-terms", type=int, default=500, help="terms kept with --features terms (default 500)")
    p.set_defaults(func=run_dfm)


def run_dfm(args) -> int:
    from cppcc_nlp.cli._common import load_corpus
    from cppcc_nlp.errors import ParameterError

    features = args.features
    if features not in ("tokens", "terms"):
        if not Path(features).is_file():
            raise ParameterError(f"--features {features}: not 'tokens', 'terms' or an existing dictionary file")
    corpus = load_corpus(args)
    m = dfm(corpus, unit=args.unit, features=features, top_terms=args.top_terms)
    folder = m.save(args.out)
    print(f"{m!r} written to {folder}/ (matrix.mtx, features.txt, docvars.csv)", file=sys.stderr)
    return 0
