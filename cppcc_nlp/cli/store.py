"""The store commands of the command line: ``add`` (the yearly refresh) and ``store check``."""

from __future__ import annotations

import sys
import warnings

from cppcc_nlp.cli._common import add_format, emit
from cppcc_nlp.corpus.store import CorpusStore


def register(subparsers) -> None:
    """Add the ``add`` subcommand and the ``store`` group (``store check``)."""
    p = subparsers.add_parser(
        "add",
        help="add reports to a corpus store (validated, duplicates refused, atomic)",
        description="Validate report files and add them to a corpus store folder (created if new or empty). "
        "Exact duplicates are refused, likely duplicates (same organ, region, year) reported; "
        "a failed or killed add leaves the store as it was.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="report files to add")
    p.add_argument("--corpus", required=True, metavar="DIR", help="the corpus store folder")
    for name in ("year", "level", "region", "organ", "date", "speaker", "session", "title"):
        p.add_argument(f"--{name}", help=f"set {name} for every file added (overrides the text)")
    p.add_argument("--skip-duplicates", action="store_true", help="skip exact duplicates instead of failing")
    p.add_argument("--to-simplified", action="store_true", help="convert traditional characters (OpenCC)")
    add_format(p)
    p.set_defaults(func=run_add)

    group = subparsers.add_parser(
        "store",
        help="check a corpus store (store check STORE [--repair])",
        description="Commands on a corpus store folder.",
    )
    sub = group.add_subparsers(dest="store_command", metavar="COMMAND")
    c = sub.add_parser(
        "check",
        help="verify the manifest, every report's SHA-256 and every cache entry",
        description="Verify a corpus store: the manifest's checksum line and rows, every report against the "
        "SHA-256 in the manifest, every cache entry against its own checksum, and what an "
        "interrupted add left.  Exit 0 when nothing needs attention, 1 otherwise.",
    )
    c.add_argument("store", metavar="STORE", help="the corpus store folder")
    c.add_argument(
        "--repair",
        action="store_true",
        help="remove leftovers of interrupted adds and damaged cache entries, rebuild parsed documents; "
        "says what cannot be repaired (missing or changed reports, a damaged manifest)",
    )
    c.add_argument(
        "--accept-manifest",
        action="store_true",
        help="trust manifest.csv as it now is and re-seal it (after removing lines by hand)",
    )
    add_format(c)
    c.set_defaults(func=run_check)
    group.set_defaults(func=run_store, store_parser=group)


def run_store(args) -> int:
    """``cppcc-nlp store`` without a subcommand: its help on stderr, exit 2."""
    args.store_parser.print_help(sys.stderr)
    return 2


def run_add(args) -> int:
    store = CorpusStore(args.corpus, create=True)
    overrides = {
        k: getattr(args, k)
        for k in ("year", "level", "region", "organ", "date", "speaker", "session", "title")
        if getattr(args, k) is not None
    }
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            df = store.add(
                args.files, overrides=overrides, skip_duplicates=args.skip_duplicates, to_simplified=args.to_simplified
            )
    except BaseException:
        store.discard_if_empty()  # a store this command created and could not fill: only what it made goes
        raise
    for w in caught:
        print(f"Warning: {w.message}", file=sys.stderr)
    emit(df, args.format, out=args.out_file)
    print(f"{(df.status != 'skipped-duplicate').sum()} added to {store.path} ({len(store)} reports)", file=sys.stderr)
    return 0


def run_check(args) -> int:
    store = CorpusStore(args.store)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        findings = store.check(repair=args.repair, accept_manifest=args.accept_manifest)
    for w in caught:
        print(f"Warning: {w.message}", file=sys.stderr)
    emit(findings, args.format, out=args.out_file)
    problems = CorpusStore.problems(findings)
    if len(problems):
        print(
            f"{len(problems)} problem(s) in {store.path}"
            + ("" if args.repair else " (run with --repair to fix what can be fixed)"),
            file=sys.stderr,
        )
        return 1
    print(f"{store.path}: sound" + (" (repaired)" if (findings.status == "repaired").any() else ""), file=sys.stderr)
    return 0
