"""Dask helpers: the optional cluster backend of the steps that scale (see docs/scale.md).

Everything here needs the ``dask`` extra (``pip install 'cppcc-nlp[dask]'``, i.e. ``dask[distributed]``);
nothing imports :mod:`distributed` until a ``client=`` or ``--scheduler`` asks for it.

* :func:`require_distributed` imports ``distributed`` or raises :class:`~cppcc_nlp.errors.ParameterError` with
  :data:`MISSING_EXTRA`;
* :func:`connect` turns ``--scheduler`` (``tcp://HOST:8786`` or ``local:N``) into a ``distributed.Client``;
* :func:`map_ordered` runs one function over a list of work items on the cluster, with retries for a lost
  worker, and returns the results in the order of the items (so merged tables equal the single-machine ones);
  Ctrl-C cancels the futures before the interrupt goes on.

>>> parse_scheduler("local:4")
('local', 4)
>>> parse_scheduler("tcp://10.0.0.5:8786")
('address', 'tcp://10.0.0.5:8786')
"""

from __future__ import annotations

import re

from cppcc_nlp.errors import ParameterError

#: the message when the extra is not installed (the CLI prints it after ``Error: `` and exits 2)
MISSING_EXTRA = "--scheduler needs the dask extra (pip install 'cppcc-nlp[dask]')"
#: how often a task lost with its worker is run again
RETRIES = 2

_LOCAL = re.compile(r"local:(\d+)")


def require_distributed():
    """The ``distributed`` module; ParameterError with :data:`MISSING_EXTRA` when the extra is missing."""
    try:
        import distributed
    except ImportError:
        raise ParameterError(MISSING_EXTRA) from None
    return distributed


def parse_scheduler(spec: str) -> tuple[str, object]:
    """``("local", n_workers)`` for ``local:N``, ``("address", spec)`` for a scheduler address.

    Raises
    ------
    ParameterError
        Neither form (``local:0`` included).
    """
    m = _LOCAL.fullmatch(spec.strip())
    if m:
        n = int(m.group(1))
        if n < 1:
            raise ParameterError(f"--scheduler {spec!r}: local:N needs at least one worker")
        return "local", n
    if "://" in spec or re.fullmatch(r"[\w.\-]+:\d+", spec.strip()):
        return "address", spec.strip()
    raise ParameterError(
        f"--scheduler {spec!r}: give a scheduler address (tcp://HOST:8786) or local:N "
        "(N worker processes on this machine)"
    )


def connect(spec: str):
    """A ``distributed.Client`` for ``--scheduler``; ``local:N`` starts a LocalCluster of N single-threaded
    worker processes (closed with the client: ``client.close(); client.cluster.close()`` or :func:`close`)."""
    distributed = require_distributed()
    kind, value = parse_scheduler(spec)
    if kind == "local":
        cluster = distributed.LocalCluster(
            n_workers=value, threads_per_worker=1, processes=True, dashboard_address=None
        )
        return distributed.Client(cluster)
    try:
        return distributed.Client(value, timeout="20s")
    except OSError as exc:
        raise ParameterError(
            f"--scheduler {value}: no scheduler answers there ({exc}); start one with "
            "`dask scheduler` and workers with `dask worker ADDRESS`"
        ) from None


def close(client) -> None:
    """Close a client from :func:`connect`, and its LocalCluster when it started one."""
    cluster = getattr(client, "cluster", None)
    client.close()
    if cluster is not None and type(cluster).__name__ == "LocalCluster":
        cluster.close()


def map_ordered(client, func, items: list, *args, **kwargs) -> list:
    """``[func(item, *args, **kwargs) for item in items]`` on the cluster, in the order of ``items``.

    Each item is one task (``pure=False``: equal items are still separate tasks), retried up to
    :data:`RETRIES` times when its worker dies.  A task that raises re-raises here.  On Ctrl-C (or any error)
    the futures still pending are cancelled, so nothing keeps running on the cluster.
    """
    if not items:
        return []
    futures = client.map(func, items, *[[a] * len(items) for a in args], retries=RETRIES, pure=False, **kwargs)
    try:
        return client.gather(futures)
    except BaseException:
        client.cancel(futures)
        raise
