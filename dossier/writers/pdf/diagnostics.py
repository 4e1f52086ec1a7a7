"""What the print PDF's build reports: WeasyPrint's warnings (per theme stylesheet, with its
file and line, and while laying out), notes cut off or away from their call, and layout fixes
that do not apply to the WeasyPrint installed."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from ...engine import gate
from ...errors import Diagnostic, Level, Location, display_path
from ...render.documents import Rendered
from ...render.themes import THEME_URL_PREFIX, Theme


class _Records(logging.Handler):
    """Collects WeasyPrint's warnings (bad CSS, missing resources) for our diagnostics."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def weasyprint_warnings() -> Iterator[_Records]:
    """``with weasyprint_warnings() as records:`` WeasyPrint's warnings go to
    ``records.messages`` instead of the log."""
    logger = logging.getLogger("weasyprint")
    handler = _Records()
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


_AT_LINE = re.compile(r" at (\d+):(\d+)")


def stylesheet_warnings(rendered: Rendered, theme: Theme, fetcher: Any) -> list[Diagnostic]:
    """WeasyPrint's complaints about each theme stylesheet, with that file's path and line:
    the same messages come again, without a file name, when the document is laid out."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    found = []
    for href in rendered.print_stylesheets:
        path = theme.find(href.removeprefix(THEME_URL_PREFIX))
        if path is None:
            continue
        with weasyprint_warnings() as records:
            CSS(filename=str(path), url_fetcher=fetcher, font_config=FontConfiguration())
        for message in records.messages:
            match = _AT_LINE.search(message)
            at = Location(display_path(path), int(match.group(1)) if match else 0)
            found.append(Diagnostic(at, Level.WARNING, f"CSS: {message}"))
    return found


def layout_warnings(
    rendered: Rendered, known: set[str], messages: Iterable[str], bad: Iterable[int]
) -> list[Diagnostic]:
    """WeasyPrint's warnings while laying out (those not already reported per stylesheet),
    and the notes found cut off or away from their call."""
    resolved = rendered.resolved
    found = [
        Diagnostic(resolved.dossier.location, Level.WARNING, f"PDF: {message}")
        for message in dict.fromkeys(messages)
        if message not in known
    ]
    for n in sorted(set(bad)):
        message = f"PDF: note {n} is cut off or not on its call's page"
        found.append(Diagnostic(resolved.notes[n - 1].location, Level.WARNING, message))
    return found


def fixes_warning(rendered: Rendered) -> list[Diagnostic]:
    """One warning when a layout fix does not apply to this WeasyPrint (``engine.gate``)."""
    message = gate.support().warning()
    if message is None:
        return []
    return [Diagnostic(rendered.resolved.dossier.location, Level.WARNING, f"PDF: {message}")]
