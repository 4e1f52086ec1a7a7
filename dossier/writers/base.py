"""The Writer protocol, the name -> writer registry, and atomic file writing."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..errors import Diagnostic
from ..runtime import ahead

if TYPE_CHECKING:  # the manifest writes files with atomic_write, never renders
    from ..config import BuildOptions
    from ..render.documents import Rendered
    from ..render.themes import Theme
    from ..runtime.timings import Span


@dataclass(frozen=True, slots=True)
class Artifact:
    """A file a writer produced, and what it noticed while producing it."""

    slug: str
    format: str
    path: Path
    diagnostics: tuple[Diagnostic, ...] = ()
    pages: int | None = None
    print_html: str | None = None
    """For the PDF: the HTML finally laid out, with any page breaks added to keep notes
    with their calls; the HTML output writes exactly this."""
    page_map: tuple[tuple[str, str], ...] = ()
    """For the PDF: each page's label and the first element starting on it (see pdf.py)."""
    layout_hints: tuple[tuple[str, int], ...] = ()
    """For the PDF laid out in parts: pages of anchors, for the next build's guesses."""
    page_source: tuple[str, ...] = ()
    """For an EPUB built without the PDF's pages: what ``epub_pages.add_print_pages`` needs
    to add them afterwards (source label, page-list title, ISO timestamp)."""
    timings: tuple[Span, ...] = ()
    """Where the writer's time went (``--timings``)."""


class Writer(Protocol):
    """Turns a rendered dossier into one output file under ``folder``."""

    def __call__(
        self, rendered: Rendered, theme: Theme, folder: Path, options: BuildOptions
    ) -> Artifact: ...


# Writers are imported on first use: the EPUB path never pays for importing WeasyPrint.
WRITERS: dict[str, str] = {
    "pdf": "dossier.writers.pdf.writer:write_pdf",
    "epub": "dossier.writers.epub.writer:write_epub",
    "html": "dossier.writers.html:write_html",
    "docx": "dossier.writers.docx.writer:write_docx",
}


def warm(names: Iterable[str], lang: str = "") -> None:
    """Start importing these writers (and their engines: WeasyPrint takes most of a second)
    ahead (``runtime.ahead``), and running a writer's ``warm_up(lang)`` if it has one (the
    PDF writer's readies WeasyPrint, and hyphenation in the dossier's language ``lang``, for
    the layout processes it forks). ``ahead.settle()`` waits for it, before a writer is used
    and before forking."""
    for name in names:
        if name in WRITERS:
            module = WRITERS[name].partition(":")[0]
            ahead.start(("writer", module, lang), _import_and_warm_up, module, lang)


def _import_and_warm_up(module: str, lang: str) -> None:
    with contextlib.suppress(Exception):  # get_writer imports again and reports it
        warm_up = getattr(importlib.import_module(module), "warm_up", None)
        if warm_up is not None:
            warm_up(lang)


def get_writer(name: str) -> Writer:
    module_name, _, attribute = WRITERS[name].partition(":")
    writer: Writer = getattr(importlib.import_module(module_name), attribute)
    return writer
