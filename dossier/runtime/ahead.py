"""Work started ahead of need on one background thread: a build spends a third of its short
runs waiting for pandoc, time in which the writers it will use can be imported and what they
draw from the metadata alone (the EPUB's cover, the templates) can be made. Work that holds
Python's lock throughout (drawing) can go to a forked process instead (``apart``), where it
takes none of this process's time.

Results are keyed by their inputs, so what was made ahead is used only when it is exactly
what the caller would make now (:func:`result` makes it otherwise): the output never depends
on the timing. :func:`settle` waits for everything started, before forking (a process forked
while a thread imports could wait for the import lock forever), and :func:`forget` also drops
the results at the end of a build."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from . import limits

T = TypeVar("T")

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_started: dict[Hashable, Future[Any] | _Apart] = {}


class _Apart:
    """``make(*args)`` going on in a forked child (``limits.spawn``)."""

    def __init__(self, make: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.make, self.args = make, args
        self.child = limits.spawn(lambda _channel: _behind(make, args), limits.Limits())

    def result(self) -> Any:
        ended = self.child.outcome(time.monotonic() + limits.SECONDS)
        if isinstance(ended, limits.Returned):
            return ended.value
        # Whatever stopped the child (the work's own error included), the work is done here,
        # where an error is raised as the caller would see it without work ahead.
        return self.make(*self.args)

    def cancel(self) -> None:
        self.child.stop()


def _behind(make: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    """``make(*args)`` at a lower priority: work ahead takes a core only when the build (and
    the pandoc it waits for) leaves one free."""
    with contextlib.suppress(OSError):
        os.nice(10)
    return make(*args)


def start(key: Hashable, make: Callable[..., Any], *args: Any, apart: bool = False) -> None:
    """Begin ``make(*args)`` on the background thread, unless ``key`` is already started;
    ``apart``: in a forked child instead, if this process has no other thread (a process
    forked while a thread holds a lock would find it held forever) and can fork. The
    result of work apart must pickle."""
    global _pool
    with _lock:
        if key in _started:
            return
        if apart and hasattr(os, "fork") and threading.active_count() == 1:
            try:
                _started[key] = _Apart(make, args)
                return
            except OSError:  # no process to be had: the thread does it
                pass
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dossier-ahead")
        _started[key] = _pool.submit(make, *args)


def result(key: Hashable, make: Callable[..., T], *args: Any) -> T:
    """What ``make(*args)`` returns: made ahead under ``key`` if it was started (its
    exception, if it raised), else made now."""
    with _lock:
        future = _started.pop(key, None)
    if future is None:
        return make(*args)
    done: T = future.result()
    return done


def settle() -> None:
    """Wait for all work started ahead and stop the thread; the results stay."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True)


def forget() -> None:
    """Settle, and drop the results nobody asked for (at the end of a build); children
    still at work are ended."""
    settle()
    with _lock:
        dropped = list(_started.values())
        _started.clear()
    for work in dropped:
        if isinstance(work, _Apart):
            work.cancel()
