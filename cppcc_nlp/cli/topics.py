"""The ``topics`` command: fit (or apply) a topic model and print its topics, shares, trends or units."""

from __future__ import annotations

import difflib
import sys

import numpy as np

from cppcc_nlp.cli._common import add_format, add_paths, add_topics, emit, load_corpus
from cppcc_nlp.errors import ParameterError
from cppcc_nlp.topics import METHODS, UNITS


def register(subparsers) -> None:
    """Add ``cppcc-nlp topics``."""
    p = subparsers.add_parser(
        "topics",
        help="topic clustering: labelled themes, shares per year, trends",
        description="Fit a topic model on the reports (or apply a saved one) and print the topics, or with "
        "--shares/--trends/--sections/--representative/--coherence the corresponding table.",
    )
    add_paths(p)
    add_topics(p)
    p.add_argument("--method", choices=METHODS, default="nmf", help="nmf (default) or lda")
    p.add_argument("--unit", choices=list(UNITS), default="paragraph", help="what is clustered (default paragraph)")
    p.add_argument("--seed", type=int, default=0, help="random_state (default 0)")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--shares", metavar="BY", help="print each topic's share of text per BY (year, period, doc_id …)")
    what.add_argument(
        "--trends",
        metavar="BY",
        nargs="?",
        const="period",
        help="print rising/stable/fading per topic across BY (default period)",
    )
    what.add_argument("--sections", action="store_true", help="print the topic of each section of each report")
    what.add_argument("--representative", metavar="N", type=int, help="print the N most representative units")
    what.add_argument("--coherence", action="store_true", help="print the NPMI coherence of each candidate k")
    what.add_argument("--units", action="store_true", help="print each unit's dominant topic")
    what.add_argument(
        "--formula-sentences",
        action="store_true",
        help="print the ritual sentences left out of the model (opening, address, thanks …)",
    )
    kept = p.add_mutually_exclusive_group()
    kept.add_argument(
        "--keep-formulae",
        action="store_true",
        help="keep the report formulae (default: left out, see cppcc_nlp/data/report_formulae.txt)",
    )
    kept.add_argument(
        "--formulae",
        metavar="FILE",
        help="leave out the formulae listed in FILE instead of the bundled list (same format)",
    )
    p.add_argument(
        "--min-chars",
        type=int,
        default=1000,
        help="with --trends: leave out groups with less text than this (default 1000)",
    )
    p.add_argument("--model", metavar="FILE", help="apply this saved model instead of fitting")
    p.add_argument("--save", metavar="FILE", help="save the fitted model to FILE (e.g. models/topics.zip)")
    add_format(p)
    p.set_defaults(func=run_topics)


def run_topics(args) -> int:
    from cppcc_nlp.topics.model import TopicModel  # scikit-learn: only when the command runs

    _check(args)
    corpus = load_corpus(args)
    if args.model:
        if args.keep_formulae or args.formulae:
            print(
                "Note: a saved model filters new reports with the formulae it was fitted with; "
                "--keep-formulae/--formulae are ignored",
                file=sys.stderr,
            )
        model = TopicModel.load(args.model)
        doc_topics = model.transform(corpus)
        table = model.coherence_.round(3) if args.coherence else None
    else:
        formulae = False if args.keep_formulae else (args.formulae or True)
        model = TopicModel(
            n_topics=args.n_topics, method=args.method, unit=args.unit, random_state=args.seed, formulae=formulae
        )
        model.fit(corpus)
        doc_topics = model.doc_topics_
        table = model.coherence_.round(3) if args.coherence else None
        with_terms = int((doc_topics["n_terms"] > 0).sum())
        sampled = model.search_units_ is not None and model.search_units_ < with_terms
        note = (
            f" (k searched on a sample of {model.search_units_:,} of the {with_terms:,} with terms)" if sampled else ""
        )
        print(f"k = {model.n_topics_} topics over {len(doc_topics)} {model.unit}s{note}", file=sys.stderr)
    if args.save:
        print(f"Saved: {model.save(args.save)}", file=sys.stderr)
    if table is not None:
        pass
    elif args.shares:
        table = model.shares(by=args.shares, doc_topics=doc_topics)
        table = table.rename(
            columns={f"topic_{t}": f"{t}:{lab}" for t, lab in zip(model.topics_["topic_id"], model.topics_["label"])}
        )
        for col in table.columns[3:]:
            table[col] = table[col].round(3)
    elif args.trends:
        table = model.trends(by=args.trends, doc_topics=doc_topics, min_chars=args.min_chars)
        table = table.round({"share_first": 3, "share_last": 3, "mean_share": 3, "slope": 4, "tau": 2, "p_value": 3})
    elif args.sections:
        table = model.section_topics(doc_topics if args.model else None)
        table = table[
            [
                c
                for c in (
                    "doc_id",
                    "year",
                    "period",
                    "section_id",
                    "heading",
                    "dominant_topic",
                    "dominant_label",
                    "dominant_weight",
                )
                if c in table
            ]
        ].round(3)
    elif args.representative is not None:  # --representative 0 is an error, not the topics table
        if args.model:
            print("Note: representative units come from the corpus the saved model was fitted on", file=sys.stderr)
        table = model.representative(n=args.representative).round(3)
        if args.format == "table":
            table["text"] = [t if not isinstance(t, str) or len(t) <= 60 else t[:60] + "…" for t in table["text"]]
    elif args.formula_sentences:
        if args.model:
            print("Note: formula sentences come from the corpus the saved model was fitted on", file=sys.stderr)
        table = model.formula_sentences_
        if args.format == "table":
            table = table.assign(text=[t if len(t) <= 60 else t[:60] + "…" for t in table["text"]])
    elif args.units:
        id_col = UNITS[model.unit]
        table = doc_topics[
            [
                c
                for c in dict.fromkeys(
                    [
                        id_col,
                        "doc_id",
                        "year",
                        "period",
                        "section_id",
                        "n_chars",
                        "dominant_topic",
                        "dominant_label",
                        "dominant_weight",
                    ]
                )
                if c in doc_topics
            ]
        ].round(3)
    else:
        table = model.topics_.drop(columns="weights").round(3)
        if args.model:
            dt = doc_topics
            mass = (dt[model._topic_columns()].to_numpy() * dt["n_chars"].to_numpy(dtype=float)[:, None]).sum(0)
            table["share"] = np.round(mass / mass.sum(), 3) if mass.sum() > 0 else 0.0
            table["n_units"] = [int((dt["dominant_topic"] == t).sum()) for t in table["topic_id"]]
    emit(table, args.format, out=args.out_file)
    return 0


#: what ``--shares BY`` may group by: the docvars of every unit table
SHARE_KEYS = ("year", "period", "part", "doc_id", "section_id", "level", "region", "organ", "series")
#: what ``--trends BY`` may run along: numeric docvars
TREND_KEYS = ("year", "period")


def _check(args) -> None:
    """Refuse bad values before the corpus is read and the model fitted (a bad --shares used to fail only
    after the fit), with the library's messages."""
    if args.shares is not None and args.shares not in SHARE_KEYS:
        close = difflib.get_close_matches(args.shares, SHARE_KEYS, 1)
        raise ParameterError(
            f"--shares {args.shares!r}: group by one of {', '.join(SHARE_KEYS)}"
            + (f" (did you mean {close[0]!r}?)" if close else "")
        )
    if args.trends is not None and args.trends not in TREND_KEYS:
        raise ParameterError(f"--trends {args.trends!r}: trends run along 'year' or 'period' (a numeric docvar)")
    if args.min_chars < 0:
        raise ParameterError(f"--min-chars {args.min_chars}: give a number of characters >= 0")
    if args.n_topics is not None and args.n_topics < 1 and not args.model:  # a saved model has its k
        raise ParameterError(f"n_topics={args.n_topics!r}: must be a positive integer or None (choose k by coherence)")
    if args.representative is not None and args.representative < 1:
        raise ParameterError(f"n={args.representative!r}: give a positive number of units per topic")
