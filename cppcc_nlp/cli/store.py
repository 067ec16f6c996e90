"""The ``add`` command: add reports to a corpus store."""

from __future__ import annotations

import shutil
import sys
import warnings
from pathlib import Path

from cppcc_nlp.cli._common import add_format, emit
from cppcc_nlp.corpus.store import CACHE, MANIFEST, REPORTS, CorpusStore


def register(subparsers) -> None:
    """Add the ``add`` subcommand."""
    p = subparsers.add_parser(
        "add", help="add reports to a corpus store (validated, duplicates refused, atomic)",
        description="Validate report files and add them to a corpus store folder (created if new or empty). "
                    "Exact duplicates are refused, likely duplicates (same organ, region, year) reported; "
                    "a failed add leaves the store as it was.")
    p.add_argument("files", nargs="+", metavar="FILE", help="report files to add")
    p.add_argument("--corpus", required=True, metavar="DIR", help="the corpus store folder")
    for name in ("year", "level", "region", "organ", "date", "speaker", "session", "title"):
        p.add_argument(f"--{name}", help=f"set {name} for every file added (overrides the text)")
    p.add_argument("--skip-duplicates", action="store_true", help="skip exact duplicates instead of failing")
    p.add_argument("--to-simplified", action="store_true", help="convert traditional characters (OpenCC)")
    add_format(p)
    p.set_defaults(func=run_add)


def run_add(args) -> int:
    folder = Path(args.corpus)
    folder_existed, store_existed = folder.exists(), (folder / MANIFEST).is_file()
    store = CorpusStore(args.corpus, create=True)
    overrides = {k: getattr(args, k) for k in ("year", "level", "region", "organ", "date", "speaker", "session",
                                               "title") if getattr(args, k) is not None}
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            df = store.add(args.files, overrides=overrides, skip_duplicates=args.skip_duplicates,
                           to_simplified=args.to_simplified)
    except BaseException:
        if not store_existed and len(store) == 0:  # the store this command created: leave no empty one behind
            for name in (MANIFEST, REPORTS, CACHE):
                target = folder / name
                if target.is_dir():
                    shutil.rmtree(target, ignore_errors=True)
                else:
                    target.unlink(missing_ok=True)
            if not folder_existed:
                shutil.rmtree(folder, ignore_errors=True)
        raise
    for w in caught:
        print(f"Warning: {w.message}", file=sys.stderr)
    emit(df, args.format)
    print(f"{(df.status != 'skipped-duplicate').sum()} added to {store.path} ({len(store)} reports)", file=sys.stderr)
    return 0
