"""Transparent huge pages off for the heavy work, on a virtual machine that hands free memory back to its host.

numpy and Arrow ask Linux for transparent huge pages (2 MB) for their large arrays.  On a virtual machine whose
balloon device reports free memory to its host (``VIRTIO_BALLOON_F_REPORTING``, as Firecracker and Cloud
Hypervisor microVMs do), memory freed by a process goes back to the host within seconds, and each huge page
asked for after that is faulted back from the host and zeroed there.  On the project's machine (2 cores, such
a VM) touching 512 MiB of new array took 6.2–6.6 s that way, against 0.08 s when the memory was freed less
than a second before and 0.3–0.5 s in 4 KB pages, however long ago it was freed.  The analyses allocate and
free arrays of hundreds of MB step after step, so most of their huge pages came back from the host: on 16
copies of the shared corpora, ``extract_terms`` took 19–23 s with huge pages and 9 s without, its kernel time
10.7–12.3 s against 1.5–1.7 s (benchmarks/README.md, "Twelfth stop").

:func:`huge_pages_off` turns them off for this process and the children it forks (Linux's per-process switch,
``prctl(PR_SET_THP_DISABLE)``) while a heavy call runs (``analyze``, ``tokens``, ``nlp``), and puts the switch
back as it found it.  It does so only where the balloon reports free memory (:func:`free_page_reporting`): on
other machines huge pages cost nothing of the kind and save page faults.  ``CPPCC_NLP_HUGE_PAGES=on`` keeps them
everywhere, ``off`` turns them off wherever Linux allows.

Examples
--------
>>> with huge_pages_off():      # doctest: +SKIP
...     table = build_a_large_table()
"""

from __future__ import annotations

import functools
import os
import sys
from contextlib import contextmanager
from pathlib import Path

#: ``on``: keep transparent huge pages; ``off``: turn them off for the heavy calls; unset or ``auto``: off only
#: on a virtual machine whose balloon reports free memory to its host
ENVIRONMENT_VARIABLE = "CPPCC_NLP_HUGE_PAGES"
#: the virtio balloon devices (Linux sysfs)
BALLOON_DEVICES = Path("/sys/bus/virtio/drivers/virtio_balloon")
#: the feature bit of free page reporting in a virtio device's ``features`` (the virtio specification, 5.5.3)
VIRTIO_BALLOON_F_REPORTING = 5
#: prctl options (linux/prctl.h)
PR_SET_THP_DISABLE, PR_GET_THP_DISABLE = 41, 42


def free_page_reporting(devices: Path = BALLOON_DEVICES) -> bool:
    """True when a virtio balloon device reports free memory to the host: its ``features`` (one ``0``/``1``
    per feature bit) have bit :data:`VIRTIO_BALLOON_F_REPORTING` set."""
    try:
        for device in sorted(devices.glob("virtio*")):
            bits = (device / "features").read_text().strip()
            if len(bits) > VIRTIO_BALLOON_F_REPORTING and bits[VIRTIO_BALLOON_F_REPORTING] == "1":
                return True
    except OSError:
        return False
    return False


def huge_pages_wanted() -> bool:
    """Whether the heavy calls keep transparent huge pages: :data:`ENVIRONMENT_VARIABLE`, else not where the
    machine reports free memory to its host (:func:`free_page_reporting`)."""
    setting = os.environ.get(ENVIRONMENT_VARIABLE, "auto").strip().lower()
    if setting in ("on", "1", "yes", "true"):
        return True
    if setting in ("off", "0", "no", "false"):
        return False
    return not _reports_free_memory()


@functools.cache
def _reports_free_memory() -> bool:
    return free_page_reporting()


@functools.cache
def _prctl():
    """libc's ``prctl``, or None (not Linux, or no libc); looked up once."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def huge_pages_disabled() -> bool | None:
    """Whether transparent huge pages are off for this process (``PR_GET_THP_DISABLE``); None where that cannot
    be asked."""
    prctl = _prctl()
    if prctl is None:
        return None
    state = prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0)
    return None if state < 0 else bool(state)


@contextmanager
def huge_pages_off():
    """Transparent huge pages off for this process, and the children it forks meanwhile, inside the block, unless
    :func:`huge_pages_wanted`; the switch is put back as it was at the end.  Also a decorator.  Nothing happens
    where Linux has no such switch (other systems, kernels before 3.15)."""
    prctl = None if huge_pages_wanted() else _prctl()
    before = huge_pages_disabled() if prctl is not None else None
    changed = before is False and prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0
    try:
        yield
    finally:
        if changed:
            prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0)
