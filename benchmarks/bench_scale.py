"""How `analyze` grows with the corpus: cold, warm and a yearly refresh at 1×, 4× and 16× the shared corpora.

    .venv/bin/python benchmarks/bench_scale.py [--scales 1,4,16] [--jobs -1] [--quick] [--refresh-up-to S] [--keep DIR]

For each scale, a scale corpus (benchmarks/_scale_corpora.py: copy 0 is ../shared/corpora, every other copy
the same reports rewritten as another region's, sentences resampled among reports of the same level and
neighbouring years) is added to a new corpus store (not timed), then, each in a fresh Python process so that
its peak memory is its own:

1. **cold**: ``analyze(STORE)`` with an empty cache;
2. **warm**: the same again (token cache and derived results cached);
3. **refresh**: ``cppcc-nlp add NEW --corpus STORE`` of one new report (another region's), then ``analyze``;
4. **alone**: the cold tokens step of the new report by itself (``nlp()`` + ``tokens()``, empty cache), the
   refresh's baseline together with the warm run;
5. just before and just after each cold run, **raw pkuseg** (the spacy-pkuseg segmenter alone, model loading not
   timed) on every third paragraph of the shared corpora: this VM's speed drifts by up to 25% within an hour,
   so each scale's tokens step is compared with the mean of the two measured around it.

Printed: the step times of every run (as ``AnalysisResult.timings`` records them; ``tokens`` includes loading
the pipeline; with ``--jobs`` > 1 the analysis steps run side by side, so ``total``, the wall time, is less than
their sum) and the ratios of issue 11, as Markdown tables for benchmarks/README.md:

* warm total ÷ cold tokens step; cold total ÷ cold tokens step;
* cold tokens chars/s ÷ (raw pkuseg chars/s around that cold run × cores), cores = the processes ``--jobs`` gives;
* time(S×) ÷ time(smallest scale), cold and warm, beside the ratio of characters;
* refresh (``add`` wall time, process start included, + ``analyze``) ÷ (alone + warm total);
* peak memory: the analyze process and its largest worker, as max RSS (``ru_maxrss``, shared pages of forked
  workers included) and as peak USS (memory the process alone holds, sampled every 0.2 s with psutil).
* CPU time of each ``analyze`` run, its children included, in user mode and in the kernel (on a virtual machine
  that hands freed memory back to its host, new memory shows as kernel time: ``bench_memory.py``).

``--refresh-up-to 4`` skips the refresh (and its baseline) at larger scales, where a cold run alone takes
most of an hour on 2 cores.  ``--quick`` is ``--scales 1``: a check that the script runs (about 5 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

STEPS = ("reading", "tokens", "slogans", "terms", "keyness", "indicators", "topics", "report")


# --- what runs in the child processes ---------------------------------------------------------------------------


class _PeakUSS:
    """Samples the peak USS of this process, of its children and of their children, every 0.2 s with psutil.

    Reading a process's USS makes the kernel walk its page tables (``/proc/PID/smaps_rollup``: 25–40 ms for a
    process holding the 1 GB model), so the sampling thread runs at the lowest priority (nice 19): it samples
    when a core is idle and does not take a core from the measured run (it cost that run about 10% of its time
    at normal priority).

    A child of ``analyze`` is the segmenting process (it loads the model and forks the segmentation workers: a
    child that had children of its own) or, with ``--jobs`` > 1, an analysis step computed in a forked child;
    the grandchildren are segmentation workers."""

    def __init__(self):
        self.own = self.worker = 0
        self._children = {}  # pid -> [peak USS, had children]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def segmenter(self) -> int:
        return max((uss for uss, parent in self._children.values() if parent), default=0)

    @property
    def step(self) -> int:
        return max((uss for uss, parent in self._children.values() if not parent), default=0)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self):
        try:
            import psutil
        except ImportError:
            return
        with contextlib.suppress(OSError):  # (Linux: the priority of this thread alone)
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        me = psutil.Process()
        while not self._stop.wait(1.0):
            try:
                self.own = max(self.own, me.memory_full_info().uss)
                for child in me.children(recursive=True):
                    uss = child.memory_full_info().uss
                    if child.ppid() == me.pid:
                        seen = self._children.setdefault(child.pid, [0, False])
                        seen[0] = max(seen[0], uss)
                        seen[1] = seen[1] or bool(child.children())
                    else:
                        self.worker = max(self.worker, uss)
            except (psutil.Error, OSError):
                continue


def _memory(peak: _PeakUSS) -> dict:
    mib = 1024 * 1024
    return {
        "rss_main_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "uss_main_mb": peak.own / mib,
        "uss_segmenter_mb": peak.segmenter / mib,
        "uss_step_mb": peak.step / mib,
        "uss_worker_mb": peak.worker / mib,
    }


def _cpu_times() -> dict:
    """CPU seconds of this process and of its children (all waited for: the segmenter, its workers, the step
    children), in user mode and in the kernel: on a VM that hands memory back to its host, new memory shows as
    kernel time (benchmarks/README.md, "Twelfth stop")."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"cpu_user_s": own.ru_utime + children.ru_utime, "cpu_kernel_s": own.ru_stime + children.ru_stime}


def child_analyze(store: str, out: str, jobs: int) -> dict:
    from cppcc_nlp.workflow import analyze

    with _PeakUSS() as peak:
        result = analyze(store, out, force=True, progress=False, n_process=jobs)
    return {
        "timings": result.timings,
        **_cpu_times(),
        "n_docs": int(len(result.tables["documents"])),
        "n_chars": int(result.tables["documents"]["n_chars"].sum()),
        "notes": result.notes,
        **_memory(peak),
    }


def child_store(store: str, entries: list) -> dict:
    """Add the scale corpus to a new store: copy 0 as the files say, each copy with its docvars."""
    import warnings

    from cppcc_nlp.corpus.store import CorpusStore

    st = CorpusStore(store, create=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        st.add([e["file"] for e in entries if not e["overrides"]])
        for e in entries:
            if e["overrides"]:
                st.add([e["file"]], overrides=e["overrides"])
    return {"n_reports": len(st)}


def child_alone(file: str, overrides: dict, cache: str, jobs: int) -> dict:
    """The cold tokens step of one report by itself: pipeline loading + segmentation, empty cache."""
    from cppcc_nlp.corpus.corpus import Corpus
    from cppcc_nlp.corpus.document import Document
    from cppcc_nlp.tokens.pipeline import nlp
    from cppcc_nlp.tokens.table import tokens

    corpus = Corpus([Document.from_file(file, manifest_row=overrides)])
    started = time.perf_counter()
    table = tokens(corpus, nlp=nlp(), n_process=jobs, cache_dir=cache)
    return {"seconds": time.perf_counter() - started, "n_tokens": len(table)}


def child_raw(source: str, every: int = 1) -> dict:
    """Raw pkuseg (the spacy-pkuseg segmenter alone) over every ``every``-th paragraph of ``source``; loading
    not timed."""
    import io

    import spacy_pkuseg

    from cppcc_nlp.corpus.corpus import Corpus
    from cppcc_nlp.tokens.pipeline import default_model_dir

    texts = Corpus.from_path(source).paragraphs["text"].tolist()[::every]
    with contextlib.redirect_stdout(io.StringIO()):
        seg = spacy_pkuseg.pkuseg(str(default_model_dir()))
    started = time.perf_counter()
    for t in texts:
        seg.cut(t)
    seconds = time.perf_counter() - started
    chars = sum(len(t) for t in texts)
    return {"seconds": seconds, "chars": chars, "chars_per_s": chars / seconds}


CHILDREN = {"analyze": child_analyze, "store": child_store, "alone": child_alone, "raw": child_raw}


# --- the parent --------------------------------------------------------------------------------------------------


def _child(kind: str, env: dict, **kwargs) -> dict:
    """Run ``CHILDREN[kind](**kwargs)`` in a fresh Python process; its JSON answer, plus its wall time."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--child", kind, json.dumps(kwargs, default=str)],
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"bench_scale: the {kind} step failed (exit {proc.returncode})")
    answer = json.loads(proc.stdout.strip().splitlines()[-1])
    answer["wall_s"] = wall
    return answer


def _env(cache: Path) -> dict:
    env = dict(os.environ)
    env["CPPCC_NLP_CACHE"] = str(cache)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def _cores(jobs: int) -> int:
    return len(os.sched_getaffinity(0)) if jobs == -1 else jobs


def run_scale(scale: int, work: Path, jobs: int, say, *, refresh: bool = True) -> dict:
    import _scale_corpora

    here = work / f"x{scale}"
    shutil.rmtree(here, ignore_errors=True)  # a --keep folder of an earlier run: start from nothing
    env = _env(here / "user-cache")
    say(f"{scale}×: building the scale corpus")
    sc = _scale_corpora.build(here / "reports", scale)
    entries = [{"file": str(e["file"]), "overrides": e["overrides"]} for e in sc.entries]
    store = here / "store"
    say(f"{scale}×: {len(entries)} reports into a store (distinct paragraph text {sc.distinct_paragraphs:.1%})")
    _child("store", env, store=str(store), entries=entries)
    runs = {}
    raw = {}
    for label in ("cold", "warm"):
        if label == "cold":
            say(f"{scale}×: raw pkuseg before the cold run")
            raw["before"] = _raw(work)
        say(f"{scale}×: analyze {label}")
        runs[label] = _child("analyze", env, store=str(store), out=str(here / "out"), jobs=jobs)
        if label == "cold":
            say(f"{scale}×: raw pkuseg after the cold run")
            raw["after"] = _raw(work)
    raw["chars_per_s"] = (raw["before"]["chars_per_s"] + raw["after"]["chars_per_s"]) / 2
    if not refresh:
        return {"scale": scale, "runs": runs, "alone": None, "distinct": sc.distinct_paragraphs, "raw": raw}
    new = _scale_corpora.new_report(here / "new", scale)
    say(f"{scale}×: the new report's tokens alone")
    alone = _child(
        "alone", env, file=str(new["file"]), overrides=new["overrides"], cache=str(here / "alone-cache"), jobs=jobs
    )
    say(f"{scale}×: refresh (add + analyze)")
    flags = [x for k, v in new["overrides"].items() for x in (f"--{k}", str(v))]
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "cppcc_nlp.cli", "add", str(new["file"]), "--corpus", str(store), *flags],
        env=env,
        check=True,
        capture_output=True,
    )
    add_s = time.perf_counter() - started
    runs["refresh"] = _child("analyze", env, store=str(store), out=str(here / "out"), jobs=jobs)
    runs["refresh"]["add_s"] = add_s
    return {"scale": scale, "runs": runs, "alone": alone, "distinct": sc.distinct_paragraphs, "raw": raw}


def _raw(work: Path) -> dict:
    """Raw pkuseg chars/s on every third paragraph of the shared corpora (160k characters), in a fresh process."""
    import _scale_corpora

    return _child("raw", _env(work / "raw-cache"), source=str(_scale_corpora.SHARED), every=3)


def _f(x, digits=2) -> str:
    return f"{x:,.{digits}f}"


def report(results: list, jobs: int) -> str:
    """The Markdown tables: step times per run, then the ratios of issue 11."""
    cores = _cores(jobs)
    lines = [
        "Raw pkuseg, chars/s on every third paragraph of the shared corpora, just before and after each cold run: "
        + "; ".join(
            f"{r['scale']}× {r['raw']['before']['chars_per_s']:,.0f} / {r['raw']['after']['chars_per_s']:,.0f}"
            for r in results
        )
        + f". `--jobs {jobs}` = {cores} process(es).",
        "",
        "| corpus | run | " + " | ".join(STEPS) + " | total | CPU user / kernel s | peak RSS main / largest child MB "
        "| peak USS main / segmenter / step child / worker MB |",
        "|---|---|" + "---:|" * (len(STEPS) + 4),
    ]
    for r in results:
        cold = r["runs"]["cold"]
        corpus = f"{r['scale']}× ({cold['n_docs']} reports, {cold['n_chars'] / 1e6:.2f} M chars)"
        for label, run in r["runs"].items():
            t = run["timings"]
            total = t["total"] + run.get("add_s", 0.0)
            steps = " | ".join(_f(t.get(s, float("nan"))) for s in STEPS)
            name = f"refresh (add {run['add_s']:.1f} s + analyze)" if label == "refresh" else label
            lines.append(
                f"| {corpus} | {name} | {steps} | {_f(total)} | {_f(run.get('cpu_user_s', float('nan')), 1)} / "
                f"{_f(run.get('cpu_kernel_s', float('nan')), 1)} | {run['rss_main_mb']:,.0f} / "
                f"{run['rss_worker_mb']:,.0f} | {run['uss_main_mb']:,.0f} / {run.get('uss_segmenter_mb', 0):,.0f} / "
                f"{run.get('uss_step_mb', 0):,.0f} / {run['uss_worker_mb']:,.0f} |"
            )
            corpus = ""
    lines += ["", "| figure | " + " | ".join(f"{r['scale']}×" for r in results) + " | goal |"]
    lines.append("|---|" + "---:|" * (len(results) + 1))

    def row(name, values, goal):
        lines.append(f"| {name} | " + " | ".join(values) + f" | {goal} |")

    cold = [r["runs"]["cold"] for r in results]
    warm = [r["runs"]["warm"] for r in results]
    row(
        "warm total ÷ cold tokens step",
        [_f(w["timings"]["total"] / c["timings"]["tokens"]) for c, w in zip(cold, warm)],
        "≤ 0.3",
    )
    row("cold total ÷ cold tokens step", [_f(c["timings"]["total"] / c["timings"]["tokens"]) for c in cold], "≤ 1.3")
    row(
        "cold tokens chars/s ÷ (raw pkuseg chars/s × cores)",
        [_f(c["n_chars"] / c["timings"]["tokens"] / (r["raw"]["chars_per_s"] * cores)) for c, r in zip(cold, results)],
        "≥ 0.8",
    )
    base = results[0]
    row(
        "characters ÷ smallest scale's",
        [_f(r["runs"]["cold"]["n_chars"] / base["runs"]["cold"]["n_chars"]) for r in results],
        "",
    )
    for label in ("cold", "warm"):
        row(
            f"time ÷ smallest scale's, {label}",
            [_f(r["runs"][label]["timings"]["total"] / base["runs"][label]["timings"]["total"]) for r in results],
            "≤ 18 at 16×",
        )
    refresh = []
    for r in results:
        ref, w = r["runs"].get("refresh"), r["runs"]["warm"]
        if ref is None:  # --refresh-up-to: not run at this scale
            refresh.append("—")
            continue
        refresh.append(_f((ref["add_s"] + ref["timings"]["total"]) / (r["alone"]["seconds"] + w["timings"]["total"])))
    row("refresh ÷ (new report's cold tokens alone + warm total)", refresh, "≤ 1.5")
    peak = [max(r["runs"].values(), key=lambda run: run["rss_main_mb"]) for r in results]
    row("peak RSS main process, MB", [f"{p['rss_main_mb']:,.0f}" for p in peak], "≤ 1,500 at 16×")
    row(
        "peak USS per worker, MB",
        [f"{max(run['uss_worker_mb'] for run in r['runs'].values()):,.0f}" for r in results],
        "≤ 300",
    )
    row(
        "peak USS of the segmenting process (holds the model), MB",
        [f"{max(run.get('uss_segmenter_mb', 0) for run in r['runs'].values()):,.0f}" for r in results],
        "",
    )
    row(
        "peak USS of an analysis step's child (--jobs > 1), MB",
        [f"{max(run.get('uss_step_mb', 0) for run in r['runs'].values()):,.0f}" for r in results],
        "",
    )
    row("distinct paragraph text (share of chars)", [f"{r['distinct']:.1%}" for r in results], "")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,4,16", help="comma-separated multiples of the shared corpora")
    parser.add_argument("--jobs", type=int, default=-1, help="segmentation processes (analyze --jobs); -1: all cores")
    parser.add_argument("--quick", action="store_true", help="1× only: check that the script runs")
    parser.add_argument("--keep", metavar="DIR", help="build in DIR and keep it (default: a temporary folder)")
    parser.add_argument("--json", metavar="FILE", help="also write every figure measured as JSON")
    parser.add_argument(
        "--refresh-up-to", type=int, metavar="S", help="run the refresh only at scales up to S (default: every scale)"
    )
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, kwargs = args.child
        print(json.dumps(CHILDREN[kind](**json.loads(kwargs))))
        return 0
    import _scale_corpora

    if not _scale_corpora.SHARED.is_dir():
        print(f"skipped: {_scale_corpora.SHARED} is not present", file=sys.stderr)
        return 0
    scales = [1] if args.quick else sorted({int(s) for s in args.scales.split(",")})
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_scale-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    def say(msg):
        print(f"[{time.perf_counter() - started:7.1f} s] {msg}", file=sys.stderr, flush=True)

    try:
        results = []
        for scale in scales:
            refresh = args.refresh_up_to is None or scale <= args.refresh_up_to
            results.append(run_scale(scale, work, args.jobs, say, refresh=refresh))
            if args.json:  # written after each scale: a failure at 16× keeps the smaller scales' figures
                Path(args.json).write_text(json.dumps({"results": results}, indent=1), encoding="utf-8")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(report(results, args.jobs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
