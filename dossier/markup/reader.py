"""Reading a dossier's Markdown with Pandoc: every chapter file and metadata fragment in one
pandoc run, so that notes, link references and citations resolve across the whole dossier
exactly as ``pandoc`` resolves them for the same files in the same order."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import sys
from collections.abc import Callable, Iterator
from typing import Any

from ..errors import Collector, Location
from ..model import Author, Chapter, Dossier, Event, Issue, Markdown, Stance, ast
from ..runtime import pandoc
from .locate import Locator
from .pieces import Piece, reading

_MARKER = re.compile(r"^<!--dossier:piece:(\d+)-->$")
_AT_LINE = re.compile(r"\s*at (?:\S+ )?line (\d+) column \d+")
_TITLE_BLOCK = {"title", "author", "date"}


def read(dossier: Dossier, collector: Collector) -> Dossier:
    """The dossier with every chapter's and fragment's blocks (and their lines) read."""
    found = reading(dossier)
    if found is None:
        return dossier
    pieces, source, reader = found
    out, warnings = pandoc.convert(source, reader, "json", dossier.location)
    document = _load(out)
    try:
        # Deep nesting is rare: the JSON is only walked for it when decoding finds some.
        read_blocks = ast.nesting_limit(MAX_DEPTH)(document["blocks"])
    except (ast.TooDeep, RecursionError):
        _flatten_deep(document["blocks"])
        collector.warning(
            dossier.location,
            f"lists, quotes, divs, notes, links or emphasis nested over {MAX_DEPTH} deep are "
            "printed as plain text below that depth",
        )
        read_blocks = ast.blocks(document["blocks"])
    parsed = _split(read_blocks, pieces, collector)
    for warning in warnings:
        collector.warning(*_locate_warning(warning, pieces, dossier.location))
    read_pieces = iter(
        (blocks, _lines(piece, blocks)) for piece, blocks in zip(pieces, parsed, strict=True)
    )
    dossier = _with_blocks(dossier, read_pieces)
    return _with_metadata(dossier, document.get("meta", {}), collector)


MAX_DEPTH = 40
"""Elements nested in one another (lists, quotes, divs, notes, links, emphasis…) kept as they
are; deeper ones are flattened to their text. Every later stage walks the blocks recursively,
readers and XML parsers have limits of their own, and no briefing needs more."""
_NESTING_BLOCKS = {"Plain", "Para", "LineBlock", "BlockQuote", "OrderedList", "BulletList",
                   "DefinitionList", "Header", "Table", "Figure", "Div"}  # fmt: skip
_NESTING_INLINES = {"Quoted", "Cite", "Link", "Image", "Note", "Span", *ast.STYLED}


def _load(text: str) -> ast.Json:
    """pandoc's JSON, however deeply a hostile file nests it (the decoder is recursive)."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20 * text.count("[") + 1000))
    try:
        return json.loads(text)
    finally:
        sys.setrecursionlimit(limit)


def _flatten_deep(blocks: ast.Json) -> bool:
    """Replace every element nested ``MAX_DEPTH`` deep that holds more elements by its text
    (a paragraph for a block, a string for an inline), walking the JSON without recursion;
    whether any was."""
    changed = False
    stack: list[tuple[ast.Json, int]] = [(blocks, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            stack.extend((value, depth) for value in node.values())  # a citation's parts
            continue
        if not isinstance(node, list):
            continue
        for index, child in enumerate(node):
            kind = child.get("t") if isinstance(child, dict) else None
            if kind not in _NESTING_BLOCKS and kind not in _NESTING_INLINES:
                stack.append((child, depth))
            elif depth < MAX_DEPTH or not _nests(child.get("c")):
                stack.append((child.get("c"), depth + 1))
            else:
                text = {"t": "Str", "c": _all_text(child)}
                node[index] = text if kind in _NESTING_INLINES else {"t": "Para", "c": [text]}
                changed = True
    return changed


def _nests(content: ast.Json) -> bool:
    """Whether an element is inside ``content``: one at the deepest level kept may hold only
    text (the paragraph in the 40th quote)."""
    stack = [content]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("t") in _NESTING_BLOCKS or item.get("t") in _NESTING_INLINES:
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _all_text(node: ast.Json) -> str:
    words: list[str] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("t") == "Str":
                words.append(item["c"])
            else:
                stack.append(item.get("c"))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return " ".join(words)


def _split(
    blocks: tuple[ast.Block, ...], pieces: list[Piece], collector: Collector
) -> list[tuple[ast.Block, ...]]:
    """The top-level blocks of each piece, cut at the markers."""
    found: list[tuple[ast.Block, ...]] = [() for _ in pieces]
    current: list[ast.Block] = []
    seen = set()
    for block in blocks:
        match = _MARKER.match(block.text.strip()) if isinstance(block, ast.RawBlock) else None
        if match is None:
            current.append(block)
            continue
        index = int(match.group(1))
        found[index], current = tuple(current), []
        seen.add(index)
    for index in sorted(set(range(len(pieces))) - seen):
        # The piece's end was swallowed by an open block: pandoc would run on into the next.
        collector.error(
            pieces[index].location,
            "this text ends inside an open block (an unclosed ``` code fence, ::: div or "
            "raw HTML element?), which would swallow what follows",
        )
    return found


def _lines(piece: Piece, blocks: tuple[ast.Block, ...]) -> tuple[int, ...]:
    if not piece.location.line:
        return tuple(0 for _ in blocks)
    return Locator(piece.text, piece.location.line).block_lines(blocks)


def _locate_warning(message: str, pieces: list[Piece], default: Location) -> tuple[Location, str]:
    """pandoc's ``… at line N column M`` as the line of the piece it falls in."""
    match = _AT_LINE.search(message)
    if not match:
        return default, f"pandoc: {message}"
    line = int(match.group(1))
    text = (message[: match.start()] + message[match.end() :]).strip()
    piece = next((p for p in reversed(pieces) if p.first <= line), None)
    if piece is None:
        return default, f"pandoc: {text}"
    return piece.location.shifted(line - piece.first), text


Read = Iterator[tuple[tuple[ast.Block, ...], tuple[int, ...]]]


def _with_blocks(dossier: Dossier, parsed: Read) -> Dossier:
    """The dossier with the blocks read put back in the values they were read from, in the
    order ``read`` gave them to pandoc."""

    def chapter(c: Chapter) -> Chapter:
        if c.blocks:
            return c
        blocks, lines = next(parsed)
        return dataclasses.replace(c, blocks=blocks, lines=lines)

    chapters = tuple(chapter(c) for c in dossier.chapters)

    def md(m: Markdown) -> Markdown:
        if m.blocks:
            return m
        blocks, lines = next(parsed)
        return dataclasses.replace(m, blocks=blocks, lines=lines)

    each: Callable[[Markdown], Markdown] = md
    return dataclasses.replace(
        dossier,
        chapters=chapters,
        summary=tuple(each(m) for m in dossier.summary),
        players=tuple(dataclasses.replace(p, position=each(p.position)) for p in dossier.players),
        positions=tuple(
            Issue(i.issue, tuple(Stance(s.party, each(s.text)) for s in i.stances), i.location)
            for i in dossier.positions
        ),
        timeline=tuple(Event(e.date, each(e.event), e.location) for e in dossier.timeline),
    )


def meta_text(value: ast.Json) -> str:
    match value.get("t"):
        case "MetaInlines":
            return ast.stringify(ast.inlines(value["c"]))
        case "MetaBlocks":
            return ast.stringify(ast.blocks(value["c"])).strip()
        case "MetaString":
            return str(value["c"])
    return ""


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None  # a title block's free-text date ("Spring 2025") gives no build date


def _with_metadata(dossier: Dossier, meta: ast.Json, collector: Collector) -> Dossier:
    """A Pandoc title block (``% Title``) fills what the metadata leaves out; YAML blocks inside
    chapter files are not dossier metadata, and saying so beats ignoring them quietly."""
    changes: dict[str, Any] = {}
    if "title" in meta and not dossier.title:
        changes["title"] = meta_text(meta["title"])
    if "date" in meta and dossier.date is None:
        changes["date"] = _date(meta_text(meta["date"]))
    if "author" in meta and not dossier.authors:
        people = meta["author"]["c"] if meta["author"]["t"] == "MetaList" else [meta["author"]]
        changes["authors"] = tuple(Author(meta_text(p)) for p in people if meta_text(p))
    for key in sorted(set(meta) - _TITLE_BLOCK):
        collector.warning(
            dossier.location,
            f"metadata '{key}' in a chapter file is ignored (put it in the dossier's metadata)",
        )
    if not dossier.title and not changes.get("title"):
        changes["title"] = dossier.slug or "Untitled"
        collector.warning(
            dossier.location,
            f"the dossier has no title: '{changes['title']}' (its file or folder name) is "
            "used; give it a 'title'",
        )
    return dataclasses.replace(dossier, **changes) if changes else dossier
