"""Printed page labels (roman numbers for the front matter, then 1, 2 …) with the element each
page starts with: where the EPUB's page-list points."""

from __future__ import annotations

from collections.abc import Sequence


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


def page_labels(starts: Sequence[str], body: int) -> tuple[tuple[str, str], ...]:
    """Each page's printed label (roman before page index ``body``) with its first start."""
    return tuple(
        (_roman(index + 1) if index < body else str(index - body + 1), first)
        for index, first in enumerate(starts)
    )
