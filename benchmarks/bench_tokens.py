"""Benchmark of the token pipeline on the shared corpora, all in one run.

Speed and memory: raw pkuseg (the spacy-pkuseg segmenter on its own), jieba, and cppcc-nlp's ``tokens()``
cold with 1 process, cold with all cores, and warm (a second run reading the Parquet cache).  Each method runs
in its own fresh Python process over the same paragraph texts (the normalised paragraphs of the corpus), so
that peak memory (``ru_maxrss``) belongs to that method alone; model loading is timed apart and is not in
chars/s.  Ratios are against raw pkuseg measured in the same run.

Quality: on the 200 hand-annotated sentences of ``tests/data/segmentation_gold.jsonl`` (taken from the shared
corpora; the gold domain terms are what a reader of these reports marks as one term, whether or not it is in
our lexicon), the share of gold term occurrences that come out as one token, for raw pkuseg, jieba and ours,
split into terms that are in the bundled lexicon and terms that are not; and for ours with the lexicon grown
by the two-pass workflow (the top 1000 terms of ``extract_terms`` on the same corpus added with
``save_lexicon``; no gold involved, the overlap with the gold is printed).

Usage::

    .venv/bin/python benchmarks/bench_tokens.py [CORPUS_DIR] [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GOLD = ROOT / "tests" / "data" / "segmentation_gold.jsonl"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora"

METHODS = ["raw pkuseg", "jieba", "ours cold, 1 process", "ours cold, all cores", "ours warm (cache)"]


def _peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, kids


def worker(method: str, data_file: str, cache: str) -> dict:
    """Run one method in this process; return timings and peak memory."""
    import pandas as pd

    paras = pd.read_parquet(data_file)
    texts = paras["text"].tolist()
    t0 = time.perf_counter()
    if method == "raw pkuseg":
        import contextlib
        import io

        import spacy_pkuseg

        from cppcc_nlp.tokens.pipeline import default_model_dir

        with contextlib.redirect_stdout(io.StringIO()):
            seg = spacy_pkuseg.pkuseg(str(default_model_dir()))
        load = time.perf_counter() - t0
        t1 = time.perf_counter()
        n_tokens = sum(len(seg.cut(t)) for t in texts)
    elif method == "jieba":
        import jieba

        jieba.setLogLevel(60)
        jieba.initialize()
        load = time.perf_counter() - t0
        t1 = time.perf_counter()
        n_tokens = sum(sum(1 for w in jieba.cut(t) if w.strip()) for t in texts)
    else:
        import cppcc_nlp as cn

        pipe = cn.nlp()
        load = time.perf_counter() - t0
        n_process = -1 if "all cores" in method else 1
        if method.startswith("ours warm"):
            cn.tokens(paras, nlp=pipe, cache_dir=cache)  # fill the cache (not timed)
        t1 = time.perf_counter()
        table = cn.tokens(paras, nlp=pipe, n_process=n_process, cache=True, cache_dir=cache)
        n_tokens = len(table)
    seconds = time.perf_counter() - t1
    own, kids = _peak_mb()
    return {
        "method": method,
        "load_s": load,
        "seconds": seconds,
        "n_tokens": n_tokens,
        "chars": int(sum(len(t) for t in texts)),
        "peak_mb": own,
        "peak_worker_mb": kids,
    }


def quality(corpus, grow_top: int = 1000):
    import importlib

    import jieba
    import pandas as pd

    import cppcc_nlp as cn

    tk = importlib.import_module("cppcc_nlp.tokens.pipeline")
    from cppcc_nlp.resources.lexicon import load_lexicon

    jieba.setLogLevel(60)
    gold = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    pipe = cn.nlp()
    lex = load_lexicon()
    raw = tk._copy_segmenter(tk._SEGMENTERS[str(tk.default_model_dir().resolve())])  # pkuseg, default dict only
    # the two-pass workflow: the corpus's own best terms (extract_terms, no gold involved) added to the lexicon
    from cppcc_nlp.resources.lexicon import save_lexicon

    grown_file = Path(tempfile.mkdtemp()) / "grown.txt"
    terms = cn.extract_terms(cn.tokens(corpus, nlp=pipe))
    written = save_lexicon(terms, grown_file, top=grow_top)
    grown = cn.nlp(lexicon=[grown_file])
    gold_terms = {t for g in gold for t in g["terms"]}
    n_gold_in_grown = len(gold_terms & set(written.loc[written["written"], "term"]))
    segmenters = {
        "raw pkuseg": raw.cut,
        "jieba": lambda s: list(jieba.cut(s)),
        "ours": lambda s: [t.text for t in pipe(s)],
        f"ours + top {grow_top} extract_terms": lambda s: [t.text for t in grown(s)],
    }

    def spans(words, text):
        out, pos = set(), 0
        for w in words:
            i = text.find(w, pos)
            if i >= 0:
                out.add((i, i + len(w)))
                pos = i + len(w)
        return out

    rows = []
    for name, seg in segmenters.items():
        counts = {True: [0, 0], False: [0, 0]}
        for g in gold:
            s = g["sentence"]
            got = spans(seg(s), s)
            for term in g["terms"]:
                at = s.find(term)
                while at >= 0:
                    c = counts[term in lex]
                    c[1] += 1
                    c[0] += (at, at + len(term)) in got
                    at = s.find(term, at + 1)
        whole = counts[True][0] + counts[False][0]
        total = counts[True][1] + counts[False][1]
        rows.append(
            {
                "segmenter": name,
                "whole/all": f"{whole}/{total}",
                "share_all": whole / total,
                "whole/in_lexicon": f"{counts[True][0]}/{counts[True][1]}",
                "share_in_lexicon": counts[True][0] / max(1, counts[True][1]),
                "whole/not_in_lexicon": f"{counts[False][0]}/{counts[False][1]}",
                "share_not_in_lexicon": counts[False][0] / max(1, counts[False][1]),
            }
        )
    note = (
        f"grown lexicon: {int(written['written'].sum())} terms from the top {grow_top} of extract_terms on the "
        f"corpus ({n_gold_in_grown} of the {len(gold_terms)} distinct gold terms among them); 'in lexicon' "
        f"below means the bundled lexicon"
    )
    return pd.DataFrame(rows), len(gold), sum(len(g["terms"]) for g in gold), note


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS))
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    ap.add_argument("--cache", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.data, args.cache)))
        return 0

    import pandas as pd

    import cppcc_nlp as cn

    t0 = time.perf_counter()
    corpus = cn.Corpus.from_path(args.corpus)
    paras = corpus.paragraphs[["doc_id", "para_id", "section_id", "year", "period", "part", "start", "end", "text"]]
    print(
        f"corpus: {args.corpus}: {len(corpus)} documents, {len(paras)} paragraphs, "
        f"{int(paras['text'].str.len().sum()):,} characters (read in {time.perf_counter() - t0:.1f} s); "
        f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "paras.parquet"
        paras.to_parquet(data, index=False)
        for method in METHODS:
            cache = Path(tmp) / ("cache-warm" if "warm" in method else f"cache-{len(results)}")
            out = subprocess.run(
                [sys.executable, __file__, "--worker", method, "--data", str(data), "--cache", str(cache)],
                capture_output=True,
                text=True,
                check=False,
            )
            if out.returncode:
                print(f"{method}: failed\n{out.stderr[-2000:]}", file=sys.stderr)
                return 1
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
            r = results[-1]
            print(
                f"  {method}: {r['chars'] / r['seconds']:,.0f} chars/s ({r['seconds']:.1f} s, load "
                f"{r['load_s']:.1f} s), peak {r['peak_mb']:,.0f} MB",
                flush=True,
            )
    speed = pd.DataFrame(results)
    speed["chars_per_s"] = speed["chars"] / speed["seconds"]
    base = speed.loc[speed["method"] == "raw pkuseg", "chars_per_s"].iloc[0]
    speed["x raw pkuseg"] = speed["chars_per_s"] / base
    show = speed[
        ["method", "load_s", "seconds", "chars_per_s", "x raw pkuseg", "n_tokens", "peak_mb", "peak_worker_mb"]
    ]
    with pd.option_context("display.width", 200, "display.max_columns", None, "display.unicode.east_asian_width", True):
        print(
            "\nspeed and peak memory (chars/s excludes model loading; peak_mb is the method's own process, "
            "peak_worker_mb its largest worker process)"
        )
        print(show.to_string(index=False, float_format=lambda v: f"{v:,.1f}"))
        qual, n_sent, n_terms, note = quality(corpus)
        print(
            f"\nsegmentation quality: {n_sent} hand-annotated sentences, {n_terms} gold domain terms; share of "
            f"gold term occurrences output as one token"
        )
        print(qual.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        print(note)
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"speed": speed.to_dict("records"), "quality": qual.to_dict("records")}, indent=1, ensure_ascii=False
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
