"""The Writer protocol, the name -> writer registry, and atomic file writing."""

from __future__ import annotations

import contextlib
import importlib
import os
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..errors import Diagnostic, DossierError, Location, display_path

if TYPE_CHECKING:  # the manifest writes files with atomic_write, never renders
    from ..config import BuildOptions
    from ..render import Rendered
    from ..themes import Theme
    from ..timings import Span


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
    "pdf": "dossier.writers.pdf:write_pdf",
    "epub": "dossier.writers.epub:write_epub",
    "html": "dossier.writers.html:write_html",
    "docx": "dossier.writers.docx:write_docx",
}


def warm(names: Iterable[str]) -> Callable[[], None]:
    """Import these writers (and their engines: WeasyPrint takes most of a second) in a thread
    while the caller loads the sources, which mostly waits for pandoc, and run a writer's
    ``warm_up`` if it has one (the PDF writer's readies WeasyPrint for the layout processes
    it forks). Returns the function that waits for all that to be over, to call before using
    a writer and before forking: a child forked during an import could wait for its lock
    forever."""
    modules = [WRITERS[name].partition(":")[0] for name in names if name in WRITERS]
    if not modules:
        return lambda: None

    def load() -> None:
        for module in modules:
            with contextlib.suppress(Exception):  # get_writer imports again and reports it
                warm_up = getattr(importlib.import_module(module), "warm_up", None)
                if warm_up is not None:
                    warm_up()

    thread = threading.Thread(target=load, name="dossier-warm", daemon=True)
    thread.start()
    return thread.join


def get_writer(name: str) -> Writer:
    module_name, _, attribute = WRITERS[name].partition(":")
    writer: Writer = getattr(importlib.import_module(module_name), attribute)
    return writer


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename: readers (and a
    crash or a full disk) never see a half-written file, and the last good one survives."""
    blocking = next((p for p in (path.parent, *path.parent.parents) if p.exists()), None)
    if blocking is not None and not blocking.is_dir():
        raise DossierError.at(
            Location(display_path(path)), f"cannot write here: {display_path(blocking)} is a file"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for stale in path.parent.glob(f".{path.name}.*"):  # left by a build that was killed
            stale.unlink(missing_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise DossierError.at(
            Location(display_path(path)), f"cannot write here: {exc.strerror or exc}"
        ) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as exc:  # a full disk, a quota: the last good file stays as it was
        Path(temporary).unlink(missing_ok=True)
        raise DossierError.at(
            Location(display_path(path)), f"cannot write the file: {exc.strerror or exc}"
        ) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
