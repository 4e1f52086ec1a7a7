"""Reading a laid-out document: where notes and elements landed, which notes are cut off, the
paragraph that ends a page. The only code that reads WeasyPrint's boxes; they are told apart
with WeasyPrint's own classes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

from weasyprint.formatting_structure import boxes


class Page(Protocol):
    """What is read of a ``weasyprint.Page``: its anchors, and its laid-out boxes."""

    @property
    def anchors(self) -> Mapping[str, object]: ...

    @property
    def _page_box(self) -> Any: ...


class Document(Protocol):
    """What is read of a ``weasyprint.Document``: its pages."""

    @property
    def pages(self) -> Sequence[Page]: ...


def _page_box(page: Page) -> Any:
    """The root box of a laid-out page (a ``PageBox``)."""
    box = page._page_box
    assert isinstance(box, boxes.PageBox)
    return box


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
    if isinstance(box, boxes.TextBox):
        return str(box.text)
    return "".join(_box_text(child) for child in box.children)


def _letters(text: str) -> str:
    """Text without spaces and hyphens, to compare laid-out text with the source."""
    return "".join(ch for ch in text if not ch.isspace() and ch not in "-\u00ad\u2010")


def cut_notes(document: Document) -> list[int]:
    """Numbers of footnotes cut off: laid-out text shorter than their content, or a note
    area running past the bottom of the page (WeasyPrint does not split notes)."""
    cut = []
    for page in document.pages:
        page_box = _page_box(page)
        bottom = page_box.content_box_y() + page_box.height
        for area in page_box.children:
            if not isinstance(area, boxes.FootnoteAreaBox):
                continue
            overflow = area.position_y + area.margin_height() > bottom + 0.5
            for box in area.children:
                element = box.element
                if element is None or not element.get("id", "").startswith("fn-"):
                    continue
                note_id = element.get("id")
                shown = len(_letters(_box_text(box)))
                if overflow or shown < len(_letters("".join(element.itertext()))):
                    cut.append(int(note_id[3:]))
    return sorted(set(cut))


def _starts(box: Any, seen: set[str]) -> Iterator[str]:
    """Keys (``b:<data-b>``, ``id:<id>``) of elements whose first fragment is in ``box``."""
    if isinstance(box, boxes.FootnoteAreaBox):
        return
    element = box.element
    if element is not None and box.element_tag.isalnum():
        block, name = element.get("data-b"), element.get("id")
        for key in (f"b:{block}" if block else "", f"id:{name}" if name else ""):
            if key and key not in seen:
                seen.add(key)
                yield key
    for child in box.children:
        yield from _starts(child, seen)


def page_starts(document: Document) -> list[str]:
    """For each page, the first element that starts on it (empty when none does)."""
    seen: set[str] = set()
    starts = []
    for page in document.pages:
        starts.append(next(_starts(_page_box(page), seen), ""))
        for _ in _starts(_page_box(page), seen):
            pass  # mark the rest as seen: only first fragments count on later pages
    return starts


def _last_text_block(box: Any) -> Any:
    """The innermost last block of a page's flow that holds lines of text."""
    if any(isinstance(child, boxes.LineBox) for child in box.children):
        return box
    for child in reversed(box.children):
        if isinstance(child, boxes.FootnoteAreaBox):
            continue
        found = _last_text_block(child)
        if found is not None:
            return found
    return None


def block_ending_page(document: Document, page_index: int) -> str | None:
    """The ``data-b`` number of the paragraph whose first line ends page ``page_index``.

    WeasyPrint keeps a paragraph's first line at the foot of a page by moving an earlier
    note to the next page; starting that paragraph on the next page keeps the note with its
    call. None when there is no such paragraph (nothing that moving would fix).
    """
    block = _last_text_block(_page_box(document.pages[page_index]).children[0])
    element = getattr(block, "element", None)
    if element is None or element.get("data-b") is None:
        return None
    if page_index > 0:
        previous = _last_text_block(_page_box(document.pages[page_index - 1]).children[0])
        if getattr(previous, "element", None) is element:
            return None  # the paragraph began on an earlier page; moving it would not help
    number: str = element.get("data-b")
    return number
