"""Text lines of a PDF page with their positions and sizes, read with pypdf: how full a page
is, what stands at its foot, what its running heads say."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MM = 72 / 25.4
TOP_MARGIN, BOTTOM_MARGIN = 24 * MM, 26 * MM
"""The default theme's page margins: the text area lies between them."""
BODY_SIZE = 8.0
"""Points: body text, headings and tables are at least this size; notes, running heads and
page numbers are smaller."""


@dataclass(frozen=True)
class Line:
    text: str
    y: float
    """Baseline, in points from the top of the page."""
    size: float
    """Font size in points."""


def lines(page: Any) -> list[Line]:
    height = float(page.mediabox.height)
    found: list[Line] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if text.strip():
            y = height - (cm[3] * tm[5] + cm[5])
            found.append(Line(text.strip(), y, size * abs(tm[3]) * abs(cm[3])))

    page.extract_text(visitor_text=visit)
    return found


def body_lines(page: Any) -> list[Line]:
    """Lines of body text in the text area (not notes, running heads or page numbers)."""
    bottom = float(page.mediabox.height) - BOTTOM_MARGIN
    return [ln for ln in lines(page) if ln.size >= BODY_SIZE and ln.y <= bottom]


def fullness(page: Any) -> float:
    """How far down the text area the body text reaches: 0 empty, 1 down to the bottom
    margin (notes, which sit at the foot of every page that has some, do not count)."""
    bottom = float(page.mediabox.height) - BOTTOM_MARGIN
    body = body_lines(page)
    lowest = max((ln.y for ln in body), default=TOP_MARGIN)
    return (lowest - TOP_MARGIN) / (bottom - TOP_MARGIN)


def running_heads(page: Any) -> list[str]:
    """The small text above the text area: classification and running heads."""
    return [ln.text for ln in lines(page) if ln.y < TOP_MARGIN and ln.size < BODY_SIZE]
