"""The print PDF: WeasyPrint layout, a check that every note sits on its call's page, output."""

from __future__ import annotations

import logging
import re
import subprocess
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from weasyprint import HTML
from weasyprint.document import Document

from ...config import BuildOptions
from ...engine import notes as engine_fixes
from ...errors import Diagnostic, DossierError, Level, Location, display_path
from ...render.documents import Rendered
from ...render.themes import THEME_URL_PREFIX, Theme
from ...runtime import timings
from ...runtime.files import atomic_write
from ...runtime.limits import LimitExceeded, run_limited
from ...runtime.timings import Span
from ..base import Artifact
from .fetcher import ConfinedFetcher

if TYPE_CHECKING:
    from .parts import Split

MAX_REPAIRS = 4
"""Layout passes spent moving paragraphs so that notes land on their call's page."""


class _Records(logging.Handler):
    """Collects WeasyPrint's warnings (bad CSS, missing resources) for our diagnostics."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _weasyprint_warnings() -> Iterator[_Records]:
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


_WARM_UP = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>-</title>
<link rel="stylesheet" href="_theme/print.css"></head><body><main><section class="chapter">
<h1 id="w">Warm-up</h1><p>Text <em>in</em> <strong>styles</strong>, <a href="#w">a link</a>
<span class="footnote" id="fn-1">A note.</span></p><table><tr><th>A</th><td>1</td></tr></table>
</section></main></body></html>"""
_warmed = False


def warm_up() -> None:
    """Lay out and draw a few lines with the built-in theme, once per process, before any
    layout process is forked: what WeasyPrint does only the first time in a process (its C
    types declared, fonts set up, modules imported on first use: about 0.15 s) is then done
    once, in the build process while it waits for pandoc, instead of in every part's process.
    Nothing of it reaches a document: each has its own fonts and style sheets."""
    global _warmed
    if _warmed:
        return
    _warmed = True
    from ...render.themes import load_theme

    theme = load_theme("default")
    root = theme.dirs[-1]
    fetcher = ConfinedFetcher(root, theme)
    with _weasyprint_warnings():  # the built-in theme's, not the user's: never shown
        document = HTML(string=_WARM_UP, base_url=f"{root}/", url_fetcher=fetcher).render()
        document.write_pdf(pdf_variant="pdf/ua-1")


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
        with _weasyprint_warnings() as records:
            CSS(filename=str(path), url_fetcher=fetcher, font_config=FontConfiguration())
        for message in records.messages:
            match = _AT_LINE.search(message)
            at = Location(display_path(path), int(match.group(1)) if match else 0)
            found.append(Diagnostic(at, Level.WARNING, f"CSS: {message}"))
    return found


def note_pages(document: Document) -> dict[str, int]:
    """0-based page index of every anchor (``fn-N``, ``fnref-N``, chapter ids …)."""
    pages: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            pages.setdefault(anchor, index)
    return pages


def misplaced_notes(document: Document, numbers: Iterable[int]) -> list[int]:
    """Numbers of notes whose text is missing or not on the page of their call."""
    pages = note_pages(document)
    return [
        n for n in numbers if f"fn-{n}" not in pages or pages[f"fn-{n}"] != pages.get(f"fnref-{n}")
    ]


def _box_text(box: Any) -> str:
    text = getattr(box, "text", None)
    if isinstance(text, str):
        return text
    return "".join(_box_text(child) for child in getattr(box, "children", None) or [])


def _letters(text: str) -> str:
    """Text without spaces and hyphens, to compare laid-out text with the source."""
    return "".join(ch for ch in text if not ch.isspace() and ch not in "-\u00ad\u2010")


def cut_notes(document: Document) -> list[int]:
    """Numbers of footnotes cut off: laid-out text shorter than their content, or a note
    area running past the bottom of the page (WeasyPrint does not split notes)."""
    cut = []
    for page in document.pages:
        page_box = page._page_box
        bottom = page_box.content_box_y() + page_box.height
        for area in page_box.children:
            if type(area).__name__ != "FootnoteAreaBox":
                continue
            overflow = area.position_y + area.margin_height() > bottom + 0.5
            for box in area.children:
                element = getattr(box, "element", None)
                if element is None or not element.get("id", "").startswith("fn-"):
                    continue
                note_id = element.get("id")
                shown = len(_letters(_box_text(box)))
                if overflow or shown < len(_letters("".join(element.itertext()))):
                    cut.append(int(note_id[3:]))
    return sorted(set(cut))


def _roman(number: int) -> str:
    numerals = (
        ("m", 1000), ("cm", 900), ("d", 500), ("cd", 400), ("c", 100), ("xc", 90),
        ("l", 50), ("xl", 40), ("x", 10), ("ix", 9), ("v", 5), ("iv", 4), ("i", 1),
    )  # fmt: skip
    out = ""
    for letters, value in numerals:
        while number >= value:
            out, number = out + letters, number - value
    return out


def _starts(box: Any, seen: set[str]) -> Iterator[str]:
    """Keys (``b:<data-b>``, ``id:<id>``) of elements whose first fragment is in ``box``."""
    if type(box).__name__ == "FootnoteAreaBox":
        return
    element = getattr(box, "element", None)
    if element is not None and getattr(box, "element_tag", "").isalnum():
        for key in (f"b:{element.get('data-b')}" if element.get("data-b") else "",
                    f"id:{element.get('id')}" if element.get("id") else ""):  # fmt: skip
            if key and key not in seen:
                seen.add(key)
                yield key
    for child in getattr(box, "children", None) or []:
        yield from _starts(child, seen)


def page_starts(document: Document) -> list[str]:
    """For each page, the first element that starts on it (empty when none does)."""
    seen: set[str] = set()
    starts = []
    for page in document.pages:
        starts.append(next(_starts(page._page_box, seen), ""))
        for _ in _starts(page._page_box, seen):
            pass  # mark the rest as seen: only first fragments count on later pages
    return starts


def page_labels(starts: Sequence[str], body: int) -> tuple[tuple[str, str], ...]:
    """Each page's printed label (roman before page index ``body``) with its first start:
    where the EPUB's page-list points."""
    return tuple(
        (_roman(index + 1) if index < body else str(index - body + 1), first)
        for index, first in enumerate(starts)
    )


def page_map(document: Document, body_anchor: str) -> tuple[tuple[str, str], ...]:
    """``page_labels`` of a document whose body starts at ``body_anchor``."""
    return page_labels(page_starts(document), note_pages(document).get(body_anchor, 0))


def _last_text_block(box: Any) -> Any:
    """The innermost last block of a page's flow that holds lines of text."""
    children = getattr(box, "children", None) or []
    if any(type(child).__name__ == "LineBox" for child in children):
        return box
    for child in reversed(children):
        if type(child).__name__ in ("FootnoteAreaBox",) or not hasattr(child, "children"):
            continue
        found = _last_text_block(child)
        if found is not None:
            return found
    return None


def _block_ending_page(document: Document, page_index: int) -> str | None:
    """The ``data-b`` number of the paragraph whose first line ends page ``page_index``.

    WeasyPrint keeps a paragraph's first line at the foot of a page by moving an earlier
    note to the next page; starting that paragraph on the next page keeps the note with its
    call. None when there is no such paragraph (nothing that moving would fix).
    """
    page_box = document.pages[page_index]._page_box
    block = _last_text_block(page_box.children[0])
    element = getattr(block, "element", None)
    if element is None or element.get("data-b") is None:
        return None
    if page_index > 0:
        previous = _last_text_block(document.pages[page_index - 1]._page_box.children[0])
        if getattr(previous, "element", None) is element:
            return None  # the paragraph began on an earlier page; moving it would not help
    number: str = element.get("data-b")
    return number


def _order(block: str) -> tuple[int, int]:
    """Paragraphs (``N``) first, then table rows (``row-N``), each in document order."""
    row = block.startswith("row-")
    return (row, int(block.removeprefix("row-")))


def _selector(block: str) -> str:
    if block.startswith("row-"):
        return f'tr[data-row="{block.removeprefix("row-")}"]'
    return f'[data-b="{block}"]'


def with_breaks(html: str, blocks: set[str]) -> str:
    """The print HTML with page breaks before these blocks, as a rule in its own head."""
    if not blocks:
        return html
    selectors = ", ".join(_selector(b) for b in sorted(blocks, key=_order))
    rule = f"<style>{selectors} {{ break-before: page; }}</style>\n</head>"
    return html.replace("</head>", rule, 1)


def layout(
    print_html: str, make_html: Callable[[str], HTML], notes: Iterable[int]
) -> tuple[Document, list[int], set[str]]:
    """Lay out; while notes moved off their call's page, break before the paragraph that
    pushed them and lay out again. Returns the document, notes still misplaced, and the
    blocks given a page break (``with_breaks`` of them is what ``--format html`` writes)."""
    notes = list(notes)
    engine_fixes.keep_notes_with_calls()
    engine_fixes.moved.clear()
    html = print_html
    document = make_html(html).render()
    blocks: set[str] = set(engine_fixes.moved)
    html = with_breaks(print_html, blocks)
    for _ in range(MAX_REPAIRS):
        bad = misplaced_notes(document, notes)
        if not bad:
            break
        pages = note_pages(document)
        found = {_block_ending_page(document, pages[f"fnref-{n}"]) for n in bad
                 if f"fnref-{n}" in pages}  # fmt: skip
        new = {b for b in found if b is not None} - blocks
        if not new:
            break
        blocks |= new
        html = with_breaks(print_html, blocks)
        engine_fixes.moved.clear()
        document = make_html(html).render()
        blocks |= set(engine_fixes.moved)
        html = with_breaks(print_html, blocks)
    bad = sorted(set(misplaced_notes(document, notes)) | set(cut_notes(document)))
    return document, bad, blocks


@dataclass(frozen=True, slots=True)
class _Laid:
    """What the layout child sends back: small, picklable."""

    data: bytes
    pages: int
    diagnostics: tuple[Diagnostic, ...]
    print_html: str
    page_map: tuple[tuple[str, str], ...]
    hints: tuple[tuple[str, int], ...] = ()
    spans: tuple[Span, ...] = ()


def _lay_out(rendered: Rendered, theme: Theme, options: BuildOptions) -> _Laid:
    """Layout and PDF bytes (runs in the limited child process)."""
    resolved = rendered.resolved
    dossier = resolved.dossier
    root = dossier.root or theme.dirs[-1]
    fetcher = ConfinedFetcher(root, theme, rendered.remote_files)
    diagnostics = stylesheet_warnings(rendered, theme, fetcher)
    known = {d.message.removeprefix("CSS: ") for d in diagnostics}

    def make_html(text: str) -> HTML:
        return HTML(string=text, base_url=f"{root}/", url_fetcher=fetcher)

    spans: list[Span] = []
    with _weasyprint_warnings() as records:
        numbers = range(1, len(resolved.notes) + 1)
        with timings.spans(spans, "one pass: layout"):
            document, bad, blocks = layout(rendered.print_html, make_html, numbers)
        variant = None if options.pdf_variant == "none" else options.pdf_variant
        with timings.spans(spans, "one pass: drawing"):
            data = document.write_pdf(pdf_variant=variant)
    diagnostics += _engine_diagnostics(rendered, known, records.messages, bad)
    return _Laid(data, len(document.pages), tuple(diagnostics),
                 with_breaks(rendered.print_html, blocks),
                 page_map(document, rendered.body_anchor), spans=tuple(spans))  # fmt: skip


def _engine_diagnostics(rendered: Rendered, known: set[str], messages: Iterable[str],
                        bad: Iterable[int]) -> list[Diagnostic]:  # fmt: skip
    """WeasyPrint's warnings (those not already reported per stylesheet), and the notes
    found cut off or away from their call."""
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


def _lay_out_parts(parts: Split, rendered: Rendered, theme: Theme, options: BuildOptions
                   ) -> _Laid | None:  # fmt: skip
    """The parallel path (``pdf_parts``); None when its parts did not settle."""
    from . import merge as pdf_merge
    from . import parts as pdf_parts

    resolved = rendered.resolved
    root = resolved.dossier.root or theme.dirs[-1]
    fetcher = ConfinedFetcher(root, theme, rendered.remote_files)
    spans: list[Span] = []
    engine_fixes.keep_notes_with_calls()  # before forking: every part inherits it
    start = timings.now()
    merger = pdf_merge.Merger()
    try:
        assembly = pdf_parts.lay_out(parts, rendered, theme, options, rendered.layout_hints)
    except BaseException:
        merger.stop()
        raise
    if assembly is None:
        merger.stop()
        return None
    end = timings.now()
    share = timings.busy_share(assembly.spans, options.layout_jobs, start, end)
    spans.append(Span(f"parts laid out ({assembly.layouts} layouts of {len(assembly.done)} "
                      f"parts; {share:.0%} of {options.layout_jobs} cores busy)", start, end,
                      busy=False))  # fmt: skip
    spans.extend(assembly.spans)
    done = assembly.done
    with timings.spans(spans, "parts merged"):
        merger.send([d.data for d in done], assembly.own)
        # Only diagnostics: checked while the merge runs, not before the parts are laid out.
        try:
            with timings.spans(spans, "style sheets checked"):
                diagnostics = stylesheet_warnings(rendered, theme, fetcher)
        except BaseException:
            merger.stop()
            raise
        remaining = max(1.0, start + options.limits.seconds - timings.now())
        try:
            data = merger.merge(None, assembly.own, remaining)
        except subprocess.TimeoutExpired:
            message = f"PDF layout did not finish within {options.limits.seconds:g} s"
            raise LimitExceeded(f"{message} (raise --pdf-timeout)") from None
    known = {d.message.removeprefix("CSS: ") for d in diagnostics}
    messages = [m for d in done for m in d.messages]
    diagnostics += _engine_diagnostics(rendered, known, messages, [n for d in done for n in d.bad])
    blocks = set().union(*(d.blocks for d in done))
    starts = [s for d in done for s in d.starts]
    final_html = with_breaks(rendered.print_html, blocks)
    labels = page_labels(starts, done[0].pages)
    hints = tuple(sorted(assembly.hints.items()))
    return _Laid(data, len(starts), tuple(diagnostics), final_html, labels, hints, tuple(spans))


def write_pdf(rendered: Rendered, theme: Theme, folder: Path, options: BuildOptions) -> Artifact:
    """Lay out in child processes under ``options.limits``, in parts when the dossier is
    long (``pdf_parts``); write the PDF atomically here."""
    from . import parts as pdf_parts

    dossier = rendered.resolved.dossier
    parts = pdf_parts.plan(rendered, theme, options)
    try:
        laid = _lay_out_parts(parts, rendered, theme, options) if parts else None
        if laid is None:
            laid = run_limited(lambda: _lay_out(rendered, theme, options), options.limits,
                               "PDF layout")  # fmt: skip
    except LimitExceeded as exc:
        raise DossierError.at(dossier.location, str(exc)) from None
    target = folder / f"{dossier.slug}.pdf"
    spans = list(laid.spans)
    with timings.spans(spans, "PDF written"):
        atomic_write(target, laid.data)
    return Artifact(dossier.slug, "pdf", target, laid.diagnostics, laid.pages, laid.print_html,
                    laid.page_map, laid.hints, timings=tuple(spans))  # fmt: skip
