"""New memory on this machine: touching a new array after a pause, with transparent huge pages and without.

    .venv/bin/python benchmarks/bench_memory.py [--mib 512] [--pause 3] [--repeat 3]

What ``cppcc_nlp._hugepages`` is about.  Each case runs in a fresh child process: allocate ``--mib`` MiB of
numpy array and write every byte (``np.ones``), either at once (memory the machine had just freed, still its
own) or after ``--pause`` seconds of a child that allocated and freed as much (time for a balloon with free
page reporting to hand it back to the host).  It prints the best of ``--repeat`` wall and kernel times per
case and their ratio to the baseline measured in the same run: huge pages on, no pause (memory recycled).
The machine's answer: whether a virtio balloon reports free memory (``free_page_reporting``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(mib: int, pause: float, huge_pages: bool) -> dict:
    """In a fresh process: free ``mib`` MiB, wait ``pause`` s, then time touching ``mib`` MiB of new array."""
    import numpy as np

    from cppcc_nlp import _hugepages

    # (the library's own switch: off as analyze turns it off, on as it is left elsewhere)
    os.environ[_hugepages.ENVIRONMENT_VARIABLE] = "on" if huge_pages else "off"
    n = mib * 2**20 // 8
    with _hugepages.huge_pages_off():
        freed = np.ones(n)
        del freed
        time.sleep(pause)
        before = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        touched = np.ones(n)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_SELF)
        del touched
    return {"wall": wall, "kernel": after.ru_stime - before.ru_stime, "faults": after.ru_minflt - before.ru_minflt}


def run_child(mib: int, pause: float, huge_pages: bool) -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    args = [sys.executable, __file__, "--child", json.dumps([mib, pause, huge_pages])]
    out = subprocess.run(args, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=512)
    parser.add_argument("--pause", type=float, default=3.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(*json.loads(args.child))))
        return 0
    from cppcc_nlp._hugepages import free_page_reporting

    print(f"a virtio balloon reports free memory to the host: {free_page_reporting()}")
    print(f"touching {args.mib} MiB of new array, best of {args.repeat} (each in a fresh process)")
    print(f"{'case':<42} {'wall s':>7} {'kernel s':>9} {'faults':>8} {'÷ baseline':>11}")
    baseline = None
    for huge_pages in (True, False):
        for pause in (0.0, args.pause):
            runs = [run_child(args.mib, pause, huge_pages) for _ in range(args.repeat)]
            best = min(runs, key=lambda r: r["wall"])
            baseline = baseline or best["wall"]
            case = f"huge pages {'on' if huge_pages else 'off'}, {'after a ' + str(pause) + ' s pause' if pause else 'at once'}"
            print(
                f"{case:<42} {best['wall']:>7.3f} {best['kernel']:>9.3f} {best['faults']:>8,} "
                f"{best['wall'] / baseline:>11.1f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
