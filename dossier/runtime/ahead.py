"""Work started ahead of need on one background thread: a build spends a third of its short
runs waiting for pandoc, time in which the writers it will use can be imported and what they
draw from the metadata alone (the EPUB's cover, the templates) can be made.

Results are keyed by their inputs, so what was made ahead is used only when it is exactly
what the caller would make now (:func:`result` makes it otherwise): the output never depends
on the timing. :func:`settle` waits for everything started, before forking (a process forked
while a thread imports could wait for the import lock forever), and :func:`forget` also drops
the results at the end of a build."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_started: dict[Hashable, Future[Any]] = {}


def start(key: Hashable, make: Callable[..., Any], *args: Any) -> None:
    """Begin ``make(*args)`` on the background thread, unless ``key`` is already started."""
    global _pool
    with _lock:
        if key in _started:
            return
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
    """Settle, and drop the results nobody asked for (at the end of a build)."""
    settle()
    with _lock:
        _started.clear()
