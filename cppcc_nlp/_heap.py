"""A forked analysis step keeps the memory it frees, instead of handing it back to Linux and faulting it in again.

glibc's ``malloc`` gives a large block (over 128 KB, up to 32 MB as it adapts) its own mapping, unmapped as soon
as it is freed, and trims the top of its heap.  numpy's arrays are such blocks: a step that builds and drops
arrays of hundreds of MB, as the terms step's count table does, asks Linux for new pages again and again, and
each first touch of a 4 KB page is a page fault (zeroed by the kernel; on a virtual machine whose balloon has
reported the memory free, also faulted back from the host: :mod:`cppcc_nlp._hugepages`).  A 16× refresh's terms
child took 620,000 page faults and 1.8–5.3 s of kernel time (benchmarks/README.md, "Fourteenth stop").

:func:`keep_freed_memory` sets glibc's ``malloc`` of this process to serve every block from its heap and never
to trim it: what a step frees is reused by its next arrays, and is given back when the child exits.  It is meant
for short-lived forked children only (``analyze``'s step children): in a long-lived process the heap would
keep its peak, and in a parent the heap's pages are shared copy-on-write with its children, which then copy
them as they reuse them (the twelfth stop measured a 16× refresh's kernel time rising from 25 to 51 s with the
same settings in every process).  Nothing happens where ``mallopt`` is not glibc's (other systems, musl).

Examples
--------
>>> keep_freed_memory()     # doctest: +SKIP
True
"""

from __future__ import annotations

import functools
import sys

#: ``mallopt`` parameters (glibc's malloc.h)
M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_MAX = -1, -2, -4
#: free memory at the top of the heap that glibc may give back; past this much, it still trims
TRIM_THRESHOLD = 1 << 30
#: how much more than asked the heap grows by at a time (fewer ``brk`` calls)
TOP_PAD = 64 << 20


@functools.cache
def _mallopt():
    """glibc's ``mallopt``, or None (not Linux, not glibc); looked up once."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes
    import platform

    if platform.libc_ver()[0] != "glibc":
        return None
    try:
        return ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return None


def keep_freed_memory() -> bool:
    """Serve every ``malloc`` block of this process from its heap (no block of its own mapping) and keep the heap's
    free top up to :data:`TRIM_THRESHOLD`, grown :data:`TOP_PAD` at a time; True if glibc took all three settings.
    Only in a short-lived forked child."""
    mallopt = _mallopt()
    if mallopt is None:
        return False
    settings = ((M_MMAP_MAX, 0), (M_TRIM_THRESHOLD, TRIM_THRESHOLD), (M_TOP_PAD, TOP_PAD))
    return all([mallopt(option, value) == 1 for option, value in settings])  # (a list: every setting is made)
