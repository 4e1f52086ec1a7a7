"""Numeric markers (``[1]``, ``[1][3]``, ``[2, 5]``, ``[1-3]``) as citations of the n-th source,
turned into Pandoc citations on the AST before citeproc runs (``numeric-citations: true``)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..model import ast

_MARKER = re.compile(r"\[(\d+(?:\s*[,;–-]\s*\d+)*)\]")


def numbers(text: str) -> list[int]:
    """``2, 5`` or ``1-3`` as the numbers they name (a range of over 100 is its two ends)."""
    found: list[int] = []
    for part in re.split(r"\s*[,;]\s*", text):
        if m := re.fullmatch(r"(\d+)\s*[–-]\s*(\d+)", part):
            low, high = int(m.group(1)), int(m.group(2))
            found += range(low, high + 1) if high - low < 100 else [low, high]
        else:
            found.append(int(part))
    return found


def convert(
    blocks: tuple[ast.Block, ...], ids: Sequence[str], bad: list[str]
) -> tuple[ast.Block, ...]:
    """The blocks with every numeric marker as a citation; markers beyond the list of
    sources stay text and are added to ``bad``."""

    def run(items: tuple[ast.Inline, ...]) -> tuple[ast.Inline, ...]:
        if not any(isinstance(i, ast.Str) and "[" in i.text for i in items):
            return items  # no marker: the same objects, so the walk copies nothing
        out: list[ast.Inline] = []
        text: list[str] = []

        def flush() -> None:
            if text:
                out.extend(_cited("".join(text), ids, bad))
                text.clear()

        for item in items:
            if isinstance(item, ast.Str):
                text.append(item.text)
            elif isinstance(item, ast.Space):
                text.append(" ")
            else:
                flush()
                out.append(item)
        flush()
        return tuple(out)

    return ast.map_inlines(blocks, run)


def _cited(text: str, ids: Sequence[str], bad: list[str]) -> list[ast.Inline]:
    out: list[ast.Inline] = []
    position = 0
    for match in _MARKER.finditer(text):
        wanted = numbers(match.group(1))
        if any(not 1 <= n <= len(ids) for n in wanted):
            bad.append(match.group(0))
            continue
        out.extend(ast.text_inlines(text[position : match.start()]))
        # One citation per bracketed marker, as Pandoc gives one per ``[@a; @b]``.
        citations = tuple(ast.Citation(ids[n - 1]) for n in wanted)
        out.append(ast.Cite(citations, (ast.Str(match.group(0)),)))
        position = match.end()
    out.extend(ast.text_inlines(text[position:]))
    return out
