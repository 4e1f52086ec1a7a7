"""Keeping every footnote on its call's page, inside WeasyPrint's own line layout.

When a paragraph's first lines overflow a page, WeasyPrint (70) moves notes of earlier lines
to the next page to make room, instead of moving the paragraph: notes then land a page after
their calls (about 1 % of notes on note-dense pages). Laying out again with the paragraph
forced to the next page fixes it, at the price of a second layout. Here the one decision that
causes it is changed in the layout process itself: the paragraph moves, the notes stay. Each
paragraph moved is recorded, so that the print HTML written next to the PDF carries the same
page breaks as CSS, and WeasyPrint alone still reproduces the PDF from it.

If WeasyPrint's code is not the one this was written for, nothing is changed and the build
falls back to laying out again (``writers.pdf.layout``).
"""

from __future__ import annotations

import inspect

ORIGINAL = "report = not context.in_column and can_break_now and not could_break_before"
REPLACEMENT = """report = False
            if (not context.in_column and can_break_now and not could_break_before
                    and not page_is_empty and box.element is not None
                    and (box.element.get('data-b') or box.element.get('data-row'))):
                _dossier_moved.append(box.element.get('data-b')
                                      or 'row-' + box.element.get('data-row'))"""

moved: list[str] = []
"""``data-b`` numbers of the paragraphs moved to the next page by the last layout, and
``row-N`` for table rows (``data-row`` on a row and its cells): a row whose cell overflows
moves whole (rows do not break inside), and plain WeasyPrint would still have moved the notes
of the rows above it."""
_applied: bool | None = None


def keep_notes_with_calls() -> bool:
    """Change WeasyPrint's line layout as described above (once); whether it was possible."""
    global _applied
    if _applied is not None:
        return _applied
    try:
        from weasyprint.layout import block

        source = inspect.getsource(block._linebox_layout)
    except (ImportError, AttributeError, OSError, TypeError):
        _applied = False
        return False
    if source.count(ORIGINAL) != 1:
        _applied = False
        return False
    patched = source.replace(ORIGINAL, REPLACEMENT)
    block.__dict__["_dossier_moved"] = moved
    exec(compile(patched, block.__file__, "exec"), block.__dict__)
    _applied = True
    return True
