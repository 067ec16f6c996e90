"""The timing loop the benchmark scripts share."""

from __future__ import annotations

import time


def best_of(fn, repeat: int = 3) -> tuple[float, object]:
    """The shortest time of ``repeat`` calls of ``fn`` (seconds), and what the last call returned."""
    times, value = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - started)
    return min(times), value
