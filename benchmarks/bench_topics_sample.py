"""The k search on a sample (issue 11): fit time and chosen k with and without the cap on the search's units.

Run from the repository root (needs ../shared/corpora; reads the token cache, segments only when it is cold):

    .venv/bin/python benchmarks/bench_topics_sample.py [--corpus ../shared/corpora] [--copies 4] [--cap 1000]
        [--skip none|1x|copies-off]

One quiet run, each fit once, ``TopicModel(random_state=0)`` with the default ``k_range`` (6-20) and
``n_init`` (4).  Printed, one row per fit: the units, the cap (``SEARCH_UNITS``; "off" = above any corpus),
the units the search fitted (``search_units_``), the chosen k, the NMF fits and solver iterations (counted by
wrapping ``_factorise.nmf``), the NPMI mean of the kept topics over the corpus's paragraphs, the time of the fit
and, for a capped fit, the time of its last NMF fit (the final model on every unit).

* **1x**: the shared corpora (3,210 paragraphs), cap off and cap ``--cap`` (1,000 by default: a corpus three
  times the cap).
* **Nx synthetic duplicate** (``--copies N``, 0 to skip): the token table of the shared corpora repeated N
  times under new ``doc_id``/``para_id``/``section_id`` (``<id>#c<i>``): units are paragraphs, each N times,
  so N x 3,210 units with the same text; cap off and the default cap (4,000).  The vocabulary of the copies is
  larger (a term of one paragraph passes ``min_df=2``) and no paragraph is new: a timing corpus, not a
  quality one.

Also printed: the cost of NPMI counting over the whole corpus as the capped search does it (one
``ReferenceIndex`` built once, then one ``topic_coherence`` call for 104 topics, the size of the search's first
call) against the same call over the token lists.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cppcc_nlp import Corpus, tokens  # noqa: E402
from cppcc_nlp.topics import _choose_k  # noqa: E402
from cppcc_nlp.topics import _factorise as F  # noqa: E402
from cppcc_nlp.topics.coherence import ReferenceIndex, topic_coherence  # noqa: E402
from cppcc_nlp.topics.model import TopicModel  # noqa: E402

OFF = 10**9


def copies(table: pd.DataFrame, n: int) -> pd.DataFrame:
    """The token table ``n`` times under new document, section, paragraph and sentence ids."""
    parts = []
    for i in range(n):
        part = table.copy()
        for col in ("doc_id", "section_id", "para_id", "sent_id"):
            if col in part:
                part[col] = part[col].astype(str) + f"#c{i}"
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def fit(X, cap: int, table=None) -> dict:
    calls = []
    real = F.nmf

    def counting(x, k, **kwargs):
        t = time.perf_counter()
        out = real(x, k, **kwargs)
        calls.append((x.shape[0], time.perf_counter() - t))
        return out

    F.nmf = counting
    _choose_k.SEARCH_UNITS = cap
    iterations = []
    from sklearn.decomposition import NMF

    real_fit = NMF.fit_transform

    def fit_transform(self, *a, **kw):
        out = real_fit(self, *a, **kw)
        iterations.append(self.n_iter_)
        return out

    NMF.fit_transform = fit_transform
    try:
        t = time.perf_counter()
        model = TopicModel(random_state=0).fit(X, tokens=table) if table is not None else TopicModel().fit(X)
        elapsed = time.perf_counter() - t
    finally:
        F.nmf, NMF.fit_transform = real, real_fit
    units = len(model.doc_topics_)
    final = model.search_units_ is not None and model.search_units_ < (model.doc_topics_["n_terms"] > 0).sum()
    return {
        "units": units,
        "cap": "off" if cap == OFF else f"{cap:,}",
        "search_units_": model.search_units_,
        "k": model.n_topics_,
        "NMF fits": len(calls),
        "iterations": int(sum(iterations)),
        "NPMI mean": round(float(model.topics_["coherence"].mean()), 3),
        "fit s": round(elapsed, 1),
        "final fit s": round(calls[-1][1], 1) if final else None,
        "final iterations": iterations[-1] if final else None,
    }


def npmi_cost(table: pd.DataFrame, label: str) -> dict:
    from cppcc_nlp.resources.formulae import resolve_formulae
    from cppcc_nlp.topics._units import collect_units
    from cppcc_nlp.topics._vectorise import build_vocabulary

    model = TopicModel()
    units = collect_units(table, "paragraph", model._token_options(), None, resolve_formulae(True))
    vocab, _ = build_vocabulary(units.tokens, min_df=2, max_df=0.3, min_chars=2)
    rng = np.random.default_rng(0)
    tops = [list(rng.choice(vocab, 10, replace=False)) for _ in range(104)]
    t = time.perf_counter()
    index = ReferenceIndex(units.reference, vocab)
    build = time.perf_counter() - t
    row = {"corpus": label, "paragraphs": len(units.reference), "index build s": round(build, 2)}
    for window in (None, 10):
        t = time.perf_counter()
        a = topic_coherence(tops, index, window=window)
        row[f"index call s (window={window})"] = round(time.perf_counter() - t, 3)
        t = time.perf_counter()
        b = topic_coherence(tops, units.reference, window=window)
        row[f"lists call s (window={window})"] = round(time.perf_counter() - t, 3)
        assert a.equals(b)
    return row


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpora"))
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--cap", type=int, default=1000)
    parser.add_argument(
        "--skip",
        choices=("none", "1x", "copies-off"),
        default="none",
        help="1x: only the copies; copies-off: the copies with the default cap only (a 16x search "
        "on every unit takes most of 10 minutes)",
    )
    args = parser.parse_args(argv)
    default_cap = _choose_k.SEARCH_UNITS
    corpus = Corpus.from_path(args.corpus)
    table = tokens(corpus)
    rows, cost = [], []
    if args.skip != "1x":
        rows += [fit(corpus, OFF, table), fit(corpus, args.cap, table)]
        cost.append(npmi_cost(table, "1x"))
    if args.copies > 1:
        big = copies(table, args.copies)
        rows += ([] if args.skip == "copies-off" else [fit(big, OFF)]) + [fit(big, default_cap)]
        cost.append(npmi_cost(big, f"{args.copies}x duplicate"))
    pd.set_option("display.width", 250)
    print(pd.DataFrame(rows).to_string(index=False))
    print()
    print(pd.DataFrame(cost).to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
