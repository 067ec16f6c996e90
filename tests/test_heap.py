"""A forked analysis step keeps the memory it frees (_heap): reused, not faulted in again."""

from __future__ import annotations

import os
import resource

import numpy as np
import pytest

from cppcc_nlp import _heap, _hugepages
from cppcc_nlp._fork import fork_available, run_in_fork

glibc = pytest.mark.skipif(
    _heap._mallopt() is None or not fork_available(), reason="glibc's mallopt and fork are needed (Linux, glibc)"
)

MB = 1 << 20


def _faults_of_a_second_array(keep: bool) -> tuple[int, int]:
    """In a forked child: the page faults of touching a 64 MB array, and of touching another after it was freed
    (in 4 KB pages where Linux lets a process turn huge pages off)."""
    os.environ[_hugepages.ENVIRONMENT_VARIABLE] = "off"  # (this child's own environment)
    if keep:
        assert _heap.keep_freed_memory()
    faults = []
    with _hugepages.huge_pages_off():
        for _ in range(2):
            before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            array = np.ones(64 * MB, dtype=np.uint8)  # (every page written)
            faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
            del array
    return faults[0], faults[1]


@glibc
def test_a_child_that_keeps_freed_memory_reuses_it_without_page_faults():
    first, second = run_in_fork(_faults_of_a_second_array, True)
    assert first > 1000 and second < first / 10  # (the second array reuses the first's pages)
    # without the setting glibc maps each 64 MB block on its own and unmaps it when freed: faulted in again
    # (in 4 KB pages 16,384 faults; fewer where Linux hands out 2 MB pages)
    first, second = run_in_fork(_faults_of_a_second_array, False)
    assert second > first / 2


def test_elsewhere_nothing_is_set(monkeypatch):
    monkeypatch.setattr(_heap, "_mallopt", lambda: None)
    assert _heap.keep_freed_memory() is False
