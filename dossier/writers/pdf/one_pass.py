"""Laying out one WeasyPrint document with every note on its call's page: the whole print
HTML, or one part of it (``parts``).

WeasyPrint, changed in the layout process (``engine.notes``), moves a paragraph rather than
the notes above it; each paragraph it moved is given a page break in the print HTML, so that
WeasyPrint alone reproduces the PDF. Where a note still lands away from its call (or the
change does not apply to this WeasyPrint), the paragraph that pushed it gets a page break
and the document is laid out again.

The layout process also lays out each note of a page's footnote area once rather than once
per note added after it (``engine.areas``): the same pages, in less time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from weasyprint import HTML
from weasyprint.document import Document

from ...engine.areas import laying_out_notes_once
from ...engine.notes import keep_notes_with_calls
from ...engine.pages import block_ending_page, cut_notes, misplaced_notes, note_pages

MAX_REPAIRS = 4
"""Layout passes spent moving paragraphs so that notes land on their call's page."""


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


def lay_out_keeping_notes(
    print_html: str, make_html: Callable[[str], HTML], notes: Iterable[int]
) -> tuple[Document, list[int], set[str]]:
    """Lay out; while notes moved off their call's page, break before the paragraph that
    pushed them and lay out again. Returns the document, notes still misplaced or cut off,
    and the blocks given a page break (``with_breaks`` of them is what ``--format html``
    writes). Runs in a layout process: WeasyPrint is changed for the time of the call."""
    notes = list(notes)
    with keep_notes_with_calls() as moved, laying_out_notes_once():

        def render(html: str) -> tuple[Document, set[str]]:
            if moved is not None:
                moved.clear()
            document = make_html(html).render()
            return document, set(moved or ())

        document, blocks = render(print_html)
        for _ in range(MAX_REPAIRS):
            bad = misplaced_notes(document, notes)
            if not bad:
                break
            pages = note_pages(document)
            found = {
                block_ending_page(document, pages[f"fnref-{n}"])
                for n in bad
                if f"fnref-{n}" in pages
            }
            new = {b for b in found if b is not None} - blocks
            if not new:
                break
            blocks |= new
            document, moved_now = render(with_breaks(print_html, blocks))
            blocks |= moved_now
    bad = sorted(set(misplaced_notes(document, notes)) | set(cut_notes(document)))
    return document, bad, blocks
