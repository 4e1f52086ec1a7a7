"""Laying out each note of a page's footnote area once, not once per note added after it.

To learn how tall a page's footnote area has grown, WeasyPrint (70) lays out the whole area
again each time a note is added to the page, taken back or moved on
(``LayoutContext._update_footnote_area``), and once more for the page itself: a page with
n notes lays out n(n+1)/2 + n notes. On the note-dense pages of a briefing that is two fifths
of all layout time (13.7 s of 33 s for the large benchmark dossier, 5,038 note layouts for
1,081 notes).

Each of those layouts of the area lays out its notes one after the other
(``block._in_flow_layout`` calls ``block_level_layout`` for each), and every note but the
newest is given exactly what it was given the time before: the same box, at the same place,
after the same margins, on the same page. ``laying_out_notes_once`` remembers, for the page
being made, what ``block_level_layout`` returned for a note of the area and the arguments
and state it read, and hands back a copy of it when they come again; a note is laid out
again as soon as one of them differs. Nothing else changes: the page, its notes and the
bytes of the PDF are those of WeasyPrint alone.

Only notes whose layout leaves nothing behind but the box it returns are remembered: no
positioned, floated or running box, no table or columns, no note call, no named string or
bookmark inside, not broken across pages. Only used when this WeasyPrint is one it was made
for (``gate``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from . import gate

_MEMO = "_dossier_notes_laid_out"
"""The attribute of WeasyPrint's layout context that holds the page's remembered notes."""


@dataclass(frozen=True, slots=True)
class _Laid:
    """What laying out one note returned, and what it did to the margins it was given."""

    box: Any
    """A copy of the laid-out note, never handed out itself (the area moves its notes)."""
    next_page: dict[str, Any]
    margins_after: tuple[float, ...]
    """The adjoining margins given, as the layout left them (it appends to that list)."""
    next_margins: tuple[float, ...] | None
    """The margins it returned, or None when it returned the list it was given (a note
    its margins collapse through): the caller's later appends then reach both."""
    collapsing_through: bool
    max_lines: Any
    kept: tuple[Any, ...]
    """The styles, elements and images the key names by ``id``: kept alive, so that no
    other object can take one of their ``id``s while the entry exists."""


@dataclass
class _Page:
    number: int
    laid: dict[tuple[Any, ...], _Laid] = field(default_factory=dict)


def _descendants(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", ()):
        yield from _descendants(child)


def _shape(box: Any, tables: type) -> tuple[tuple[Any, ...], tuple[Any, ...]] | None:
    """What the note's layout depends on in the box itself, and the objects named in it by
    ``id``; None for a note whose layout may leave something behind (see the module)."""
    shape: list[tuple[Any, ...]] = []
    kept: list[Any] = []
    for found in _descendants(box):
        style = found.style
        if (
            isinstance(found, tables)  # its layout sets the table box's columns
            or style["column_count"] != "auto"  # columns change the page's bottom
            or style["column_width"] != "auto"
            or style["position"] not in ("static", "relative")
            or style["float"] != "none"
            or style["string_set"] not in ("none", ())
            or style["bookmark_level"] != "none"
            or getattr(found, "footnote", None) is not None
            or getattr(found, "bookmark_label", None)
            or getattr(found, "string_set", None) not in (None, "none", [])
        ):
            return None
        replacement = getattr(found, "replacement", None)
        shape.append(
            (
                type(found),
                id(style),
                getattr(found, "text", None),
                id(replacement),
                len(getattr(found, "children", ())),
            )
        )
        kept += (style, replacement)
    kept.append(box.element)
    return (id(box.element), *shape), tuple(kept)


def _remembering(original: Callable[..., Any], area_type: Any, tables: type) -> Callable[..., Any]:
    """``block_level_layout`` that remembers the notes of footnote areas (``area_type``)."""

    def block_level_layout(
        context: Any,
        box: Any,
        bottom_space: float,
        skip_stack: Any,
        containing_block: Any,
        page_is_empty: bool = True,
        absolute_boxes: list[Any] | None = None,
        fixed_boxes: list[Any] | None = None,
        adjoining_margins: list[float] | None = None,
        first_letter_style: Any = None,
        first_line_style: Any = None,
        discard: bool = False,
        max_lines: Any = None,
    ) -> Any:
        def lay_out() -> Any:
            return original(
                context, box, bottom_space, skip_stack, containing_block, page_is_empty,
                absolute_boxes, fixed_boxes, adjoining_margins, first_letter_style,
                first_line_style, discard, max_lines,
            )  # fmt: skip

        if (
            not isinstance(containing_block, area_type)
            or skip_stack is not None
            or adjoining_margins is None
            or first_letter_style is not None
            or first_line_style is not None
        ):
            return lay_out()
        found = _shape(box, tables)
        if found is None:
            return lay_out()
        shape, kept = found
        page = getattr(context, _MEMO, None)
        if page is None or page.number != context.current_page:
            page = _Page(context.current_page)
            setattr(context, _MEMO, page)
        key = (
            shape,
            box.position_x,
            box.position_y,
            bottom_space,
            id(containing_block.style),  # the area's style: its direction is read
            containing_block.width,
            containing_block.height,
            containing_block.position_x,
            containing_block.position_y,
            page_is_empty,
            tuple(adjoining_margins),
            discard,
            max_lines,
            context.current_page,
            context.forced_break,
            context.in_column,
            tuple(
                (id(s), s.position_x, s.position_y, s.margin_width(), s.margin_height())
                for s in context.excluded_shapes
            ),
        )
        laid = page.laid.get(key)
        if laid is not None:
            adjoining_margins[:] = laid.margins_after
            given = adjoining_margins if laid.next_margins is None else list(laid.next_margins)
            return (
                laid.box.deepcopy(),
                None,
                dict(laid.next_page),
                given,
                laid.collapsing_through,
                laid.max_lines,
            )
        counts = _counts(context, absolute_boxes, fixed_boxes)
        result = lay_out()
        new_box, resume_at, next_page, next_margins, through, lines = result
        if (
            new_box is not None
            and resume_at is None
            and _counts(context, absolute_boxes, fixed_boxes) == counts
        ):
            page.laid[key] = _Laid(
                new_box.deepcopy(),
                dict(next_page),
                tuple(adjoining_margins),
                None if next_margins is adjoining_margins else tuple(next_margins),
                through,
                lines,
                (*kept, containing_block.style, *context.excluded_shapes),
            )
        return result

    return block_level_layout


def _counts(context: Any, absolute_boxes: Any, fixed_boxes: Any) -> tuple[int, ...]:
    """Sizes of what a layout could add to besides its box: any change, and the note is not
    remembered."""
    return (
        len(absolute_boxes or ()),
        len(fixed_boxes or ()),
        len(context.footnotes),
        len(context.current_page_footnotes),
        len(context.reported_footnotes),
        len(context.broken_out_of_flow),
        sum(len(pages) for pages in context.running_elements.values()),
        len(context.excluded_shapes),
    )


@contextmanager
def laying_out_notes_once() -> Iterator[bool]:
    """``with laying_out_notes_once() as applies:`` the notes of footnote areas are laid out
    once per page and place (in this process, until the block ends); ``applies`` is False
    when this WeasyPrint is not one it was made for (``gate``): nothing is changed."""
    if not gate.support().areas:
        yield False
        return
    from weasyprint.formatting_structure.boxes import FootnoteAreaBox, TableBox
    from weasyprint.layout import block

    original = block.block_level_layout
    block.block_level_layout = _remembering(original, FootnoteAreaBox, TableBox)
    try:
        yield True
    finally:
        block.block_level_layout = original
