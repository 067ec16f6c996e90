"""Work done in forked child processes, its result (or its exception) coming back pickled.

A forked child inherits its parent's memory copy-on-write, so the arguments of the work are not copied, and
whatever the child loads or builds (the pkuseg model, a topic model's matrices) is gone when it exits.  Two
users: segmentation (``tokens(isolate=True)`` loads the model in a child, :mod:`cppcc_nlp.tokens._parallel`)
and ``analyze``, which runs its independent analysis steps side by side, one child per step.

Where ``fork`` is not available (Windows) callers do the work in their own process.

Examples
--------
>>> run_in_fork(sum, [1, 2, 3])                                     # doctest: +SKIP
6
>>> calls = [Forked(sum, [1, 2]), Forked(max, [1, 2])]              # doctest: +SKIP
>>> [call.result() for call in wait_any(calls)]                     # doctest: +SKIP
"""

from __future__ import annotations

import gc
import multiprocessing
import pickle
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path


def fork_available() -> bool:
    """True where child processes can be forked (not on Windows)."""
    return "fork" in multiprocessing.get_all_start_methods()


@contextmanager
def frozen_heap():
    """Fork children inside this block: the objects that exist when it starts are moved out of the garbage
    collector's reach for the children (``gc.freeze``), and back within it for this process at its end.

    A child's collections then never walk what it inherited (a corpus's records, a loaded model), and so never
    write to those pages, which would copy them (copy-on-write) into the child's own memory."""
    ours = gc.get_freeze_count() == 0  # (a caller's own freeze is left as it is)
    gc.freeze()
    try:
        yield
    finally:
        if ours:
            gc.unfreeze()


class Forked:
    """``function(*args)`` running in a forked child process from the moment this object is made.

    :meth:`result` waits for it and returns its value or raises its exception; a child that dies without an
    answer (killed, out of memory) raises :class:`ChildProcessError` naming its exit code.  :meth:`cancel`
    stops it.  ``name`` names the process (``ps`` shows it) and the failure.
    """

    def __init__(self, function, *args, name: str = "cppcc-nlp-child"):
        self.name = name
        self._tmp = Path(tempfile.mkdtemp(prefix="cppcc-nlp-fork-"))
        self._answer = self._tmp / "answer.pkl"
        self._child = multiprocessing.get_context("fork").Process(
            target=_answer, args=(self._answer, function, args), name=name
        )
        with frozen_heap():
            self._child.start()

    @property
    def sentinel(self):
        """What :func:`multiprocessing.connection.wait` waits on."""
        return self._child.sentinel

    def done(self) -> bool:
        return not self._child.is_alive()

    def result(self):
        try:
            self._child.join()
            if not self._answer.is_file():
                raise ChildProcessError(
                    f"{self.name}: the child process ended without an answer (exit code {self._child.exitcode})"
                )
            try:
                with self._answer.open("rb") as fh:
                    ok, value = pickle.load(fh)
            except Exception as exc:  # an exception class that cannot be rebuilt from its pickle
                raise ChildProcessError(f"{self.name}: its answer could not be read back ({exc})") from None
        finally:
            self.cancel()
        if not ok:
            raise value
        return value

    def cancel(self) -> None:
        """Stop the child if it still runs (an interrupted parent leaves none working) and remove its files."""
        if self._child.is_alive():
            self._child.terminate()
            self._child.join()
        shutil.rmtree(self._tmp, ignore_errors=True)


def run_in_fork(function, *args, name: str = "cppcc-nlp-child", meanwhile=None):
    """``function(*args)`` computed in a forked child process; its result (or its exception) comes back pickled.

    The caller waits, after calling ``meanwhile()`` (when given) while the child works; an interruption or a
    failure of ``meanwhile`` stops the child (:meth:`Forked.result`).
    """
    call = Forked(function, *args, name=name)
    try:
        if meanwhile is not None:
            meanwhile()
    except BaseException:
        call.cancel()
        raise
    return call.result()


def run_side_by_side(
    work: list, lanes: int, *, started: dict | None = None, on_change=None, prefix: str = "cppcc-nlp-"
) -> dict:
    """Compute each ``(key, function, args)`` of ``work`` in a forked child, up to ``lanes`` at once in the order
    given, and collect the calls already ``started`` (``{key: Forked}``, which do not count against ``lanes``):
    ``{key: result}``.  A child is named ``prefix`` + its key.

    ``on_change(running, finished)`` follows the progress: after children start (``finished`` None) and after
    each finishes (``finished`` its key), with the keys still running.  The first failure is raised and every
    call still running is stopped.
    """
    running = {call: key for key, call in (started or {}).items()}
    extra = set(running)
    waiting, done = list(work), {}
    try:
        while waiting or running:
            while waiting and sum(call not in extra for call in running) < lanes:
                key, function, args = waiting.pop(0)
                running[Forked(function, *args, name=f"{prefix}{key}")] = key
            if on_change is not None:
                on_change(list(running.values()), None)
            for call in wait_any(list(running)):
                key = running.pop(call)
                done[key] = call.result()
                if on_change is not None:
                    on_change(list(running.values()), key)
    finally:
        for call in running:
            call.cancel()
    return done


def wait_any(calls: list[Forked]) -> list[Forked]:
    """Block until at least one of ``calls`` has finished; those that have, in the order given."""
    from multiprocessing.connection import wait

    wait([call.sentinel for call in calls])
    return [call for call in calls if call.done()]


def _answer(path: Path, function, args) -> None:
    """In the forked child: run ``function(*args)`` and pickle ``(True, result)`` or ``(False, exception)``."""
    try:
        outcome = (True, function(*args))
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
        outcome = (False, exc)
    try:
        data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # an exception that cannot be pickled: its type and message
        data = pickle.dumps((False, RuntimeError(f"{type(outcome[1]).__name__}: {outcome[1]} ({exc})")))
    tmp = path.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.replace(path)
