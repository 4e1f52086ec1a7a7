"""Where a build's time goes, for ``dossier build --timings``: spans of wall time measured with
the monotonic clock, which forked processes share, so that a layout process's spans line up
with the build's. Nothing written depends on them."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """One stretch of work (or of waiting) in one process."""

    what: str
    start: float
    end: float
    busy: bool = True
    """Whether a core worked (layout, drawing) rather than waited."""

    @property
    def seconds(self) -> float:
        return self.end - self.start


def now() -> float:
    return time.monotonic()


@contextmanager
def spans(found: list[Span], what: str) -> Iterator[None]:
    """Appends the span of the ``with`` block to ``found``."""
    start = now()
    try:
        yield
    finally:
        found.append(Span(what, start, now()))


def busy_share(spans: Iterable[Span], width: int, start: float, end: float) -> float:
    """Share of ``width`` cores kept busy by ``spans`` between ``start`` and ``end``."""
    if end <= start or width < 1:
        return 0.0
    busy = sum(min(s.end, end) - max(s.start, start) for s in spans if s.busy and s.end > start)
    return busy / (width * (end - start))


def lines(spans: Iterable[Span], origin: float) -> list[str]:
    """One line per span, in order of start: seconds from ``origin``, and how long."""
    ordered = sorted(spans, key=lambda s: (s.start, s.end, s.what))
    width = max((len(s.what) for s in ordered), default=0)
    return [
        f"{s.what:<{width}}  {s.start - origin:7.2f} → {s.end - origin:7.2f}  {s.seconds:6.2f} s"
        + ("" if s.busy else "  (waiting)")
        for s in ordered
    ]
