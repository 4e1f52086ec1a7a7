"""Source lines for what Pandoc read: its Markdown reader keeps no positions, so each block is
found by searching its first words in the source, block after block, in order."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import ast

_WORD = re.compile(r"\w+")
_BLANK = re.compile(r"\n[ \t]*\n")


def _probe(block: ast.Block) -> re.Pattern[str] | None:
    """A pattern for the first words of a block, markup allowed between them."""
    match block:
        case ast.CodeBlock(_, text) | ast.RawBlock(_, text):
            first = next((line.strip() for line in text.splitlines() if line.strip()), "")
            return re.compile(re.escape(first)) if first else None
        case ast.HorizontalRule():
            return re.compile(r"^[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*$", re.MULTILINE)
        case ast.Div():
            return re.compile(r"^[ \t]*:::", re.MULTILINE)
        case ast.Figure(_, _, content):
            images = [i for b in content if isinstance(b, ast.Plain | ast.Para) for i in b.content]
            url = next((i.url for i in images if isinstance(i, ast.Image)), "")
            return re.compile(re.escape(url)) if url else None
    words = _first_words(block, 3)
    if not words:
        return None
    return re.compile(r"\W+".join(re.escape(w) for w in words))


def _first_words(block: ast.Block, count: int) -> list[str]:
    """The block's first ``count`` words, from the start of its text only (a list or a table
    can hold pages of it)."""
    text = ast.leading_text((block,), _LEADING)
    found = [m for _, m in zip(range(count), _WORD.finditer(text), strict=False)]
    if len(text) >= _LEADING and (len(found) < count or found[-1].end() == len(text)):
        found = [
            m for _, m in zip(range(count), _WORD.finditer(ast.stringify((block,))), strict=False)
        ]
    return [m.group() for m in found]


_LEADING = 300
"""Characters of a block's text read for its first words (all of it when they run on)."""


@dataclass(slots=True)
class Locator:
    """Lines in one piece of Markdown whose first line is ``first_line`` (1-based)."""

    text: str
    first_line: int
    _chunks: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        start = 0
        for gap in _BLANK.finditer(self.text):
            self._chunks.append((start, gap.start()))
            start = gap.end()
        self._chunks.append((start, len(self.text)))

    def line_at(self, offset: int) -> int:
        return self.first_line + self.text.count("\n", 0, offset)

    def block_lines(self, blocks: tuple[ast.Block, ...]) -> tuple[int, ...]:
        """The line each top-level block starts on, in order (the previous one's line when a
        block cannot be found)."""
        lines, cursor, line = [], 0, self.first_line
        for block in blocks:
            pattern = _probe(block)
            found = self._search(pattern, cursor) if pattern else None
            if found is not None:
                cursor = found.end()
                line = self.line_at(found.start())
            lines.append(line)
        return tuple(lines)

    def _search(self, pattern: re.Pattern[str], cursor: int) -> re.Match[str] | None:
        """The first match on the first line of a blank-line separated chunk after ``cursor``
        or on the line after the cursor's (a paragraph right under a heading); failing that,
        the first match at all: a block's words may recur inside the block before it."""
        next_line = self.text.find("\n", cursor)
        starts = [next_line + 1] if next_line >= 0 else []
        starts += [start for start, _ in self._chunks if start >= cursor]
        for start in sorted(set(starts)):
            end = self.text.find("\n", start)
            match = pattern.search(self.text, start, len(self.text) if end < 0 else end)
            if match:
                return match
        return pattern.search(self.text, cursor)

    def locate(self, block: ast.Block, from_line: int) -> int:
        """The line of a nested block (a paragraph in a list), searched from ``from_line``."""
        pattern = _probe(block)
        start = self._offset(from_line)
        found = pattern.search(self.text, start) if pattern else None
        return self.line_at(found.start()) if found else from_line

    def _offset(self, line: int) -> int:
        offset = 0
        for _ in range(max(line - self.first_line, 0)):
            offset = self.text.find("\n", offset) + 1
            if offset == 0:
                return len(self.text)
        return offset

    def find(self, needle: str, from_line: int) -> int:
        """The line of ``needle`` at or after ``from_line``, else ``from_line``."""
        lines = self.text.split("\n")
        for index in range(max(from_line - self.first_line, 0), len(lines)):
            if needle in lines[index]:
                return self.first_line + index
        return from_line
