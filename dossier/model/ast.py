"""Pandoc's document model (pandoc-types 1.23) as frozen dataclasses, to and from its JSON.

Every block and inline Pandoc's Markdown reader can produce has a type here, so a dossier's
content is typed values (the Python API can build them directly) and nothing Pandoc read is
lost on the way: what dossier cannot render is reported where it is rendered.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

Json = Any


@dataclass(frozen=True, slots=True)
class Attr:
    """``{#id .class key=value}``."""

    id: str = ""
    classes: tuple[str, ...] = ()
    attrs: tuple[tuple[str, str], ...] = ()

    def get(self, key: str, default: str = "") -> str:
        return next((v for k, v in self.attrs if k == key), default)


NO_ATTR = Attr()


# ---- inlines -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Str:
    text: str


@dataclass(frozen=True, slots=True)
class Space:
    pass


@dataclass(frozen=True, slots=True)
class SoftBreak:
    pass


@dataclass(frozen=True, slots=True)
class LineBreak:
    pass


@dataclass(frozen=True, slots=True)
class Styled:
    """Emphasis and the other inlines that only wrap inlines; ``kind`` is Pandoc's name."""

    kind: str
    """``Emph``, ``Underline``, ``Strong``, ``Strikeout``, ``Superscript``, ``Subscript``
    or ``SmallCaps``."""
    content: tuple[Inline, ...]


STYLED = ("Emph", "Underline", "Strong", "Strikeout", "Superscript", "Subscript", "SmallCaps")


@dataclass(frozen=True, slots=True)
class Quoted:
    double: bool
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Citation:
    """One cited source inside a citation, as Pandoc reads ``[see @key, p. 3]``."""

    id: str
    prefix: tuple[Inline, ...] = ()
    suffix: tuple[Inline, ...] = ()
    mode: str = "NormalCitation"
    """``NormalCitation``, ``AuthorInText`` or ``SuppressAuthor``."""
    note_num: int = 0
    hash: int = 0


@dataclass(frozen=True, slots=True)
class Cite:
    citations: tuple[Citation, ...]
    content: tuple[Inline, ...]
    """The text as written before citeproc; the formatted citation after it."""


@dataclass(frozen=True, slots=True)
class Code:
    attr: Attr
    text: str


@dataclass(frozen=True, slots=True)
class Math:
    display: bool
    text: str


@dataclass(frozen=True, slots=True)
class RawInline:
    format: str
    text: str


@dataclass(frozen=True, slots=True)
class Link:
    attr: Attr
    content: tuple[Inline, ...]
    url: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class Image:
    attr: Attr
    content: tuple[Inline, ...]
    """The description (alt text)."""
    url: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class Note:
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Span:
    attr: Attr
    content: tuple[Inline, ...]


Inline = (
    Str
    | Space
    | SoftBreak
    | LineBreak
    | Styled
    | Quoted
    | Cite
    | Code
    | Math
    | RawInline
    | Link
    | Image
    | Note
    | Span
)


# ---- blocks ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plain:
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Para:
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class LineBlock:
    lines: tuple[tuple[Inline, ...], ...]


@dataclass(frozen=True, slots=True)
class CodeBlock:
    attr: Attr
    text: str


@dataclass(frozen=True, slots=True)
class RawBlock:
    format: str
    text: str


@dataclass(frozen=True, slots=True)
class BlockQuote:
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class OrderedList:
    items: tuple[tuple[Block, ...], ...]
    start: int = 1
    style: str = "DefaultStyle"
    """``Decimal``, ``LowerRoman``, ``UpperAlpha``, ``Example`` …"""
    delim: str = "DefaultDelim"


@dataclass(frozen=True, slots=True)
class BulletList:
    items: tuple[tuple[Block, ...], ...]


@dataclass(frozen=True, slots=True)
class DefinitionList:
    items: tuple[tuple[tuple[Inline, ...], tuple[tuple[Block, ...], ...]], ...]
    """(term, definitions) pairs."""


@dataclass(frozen=True, slots=True)
class Header:
    level: int
    attr: Attr
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class HorizontalRule:
    pass


@dataclass(frozen=True, slots=True)
class Caption:
    short: tuple[Inline, ...] | None = None
    blocks: tuple[Block, ...] = ()


@dataclass(frozen=True, slots=True)
class ColSpec:
    align: str = "AlignDefault"
    width: float | None = None
    """A fraction of the text width, or None for the default."""


@dataclass(frozen=True, slots=True)
class Cell:
    blocks: tuple[Block, ...]
    attr: Attr = NO_ATTR
    align: str = "AlignDefault"
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True, slots=True)
class Row:
    cells: tuple[Cell, ...]
    attr: Attr = NO_ATTR


@dataclass(frozen=True, slots=True)
class TableBody:
    rows: tuple[Row, ...]
    head: tuple[Row, ...] = ()
    row_head_columns: int = 0
    attr: Attr = NO_ATTR


@dataclass(frozen=True, slots=True)
class Table:
    caption: Caption
    colspecs: tuple[ColSpec, ...]
    head: tuple[Row, ...]
    bodies: tuple[TableBody, ...]
    foot: tuple[Row, ...] = ()
    attr: Attr = NO_ATTR
    head_attr: Attr = NO_ATTR
    foot_attr: Attr = NO_ATTR


@dataclass(frozen=True, slots=True)
class Figure:
    attr: Attr
    caption: Caption
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Div:
    attr: Attr
    blocks: tuple[Block, ...]


Block = (
    Plain
    | Para
    | LineBlock
    | CodeBlock
    | RawBlock
    | BlockQuote
    | OrderedList
    | BulletList
    | DefinitionList
    | Header
    | HorizontalRule
    | Table
    | Figure
    | Div
)


# ---- from JSON ---------------------------------------------------------------------------------


def attr(j: Json) -> Attr:
    return Attr(j[0], tuple(j[1]), tuple((k, v) for k, v in j[2]))


def inlines(j: Json) -> tuple[Inline, ...]:
    return tuple([inline(i) for i in j])


def blocks(j: Json) -> tuple[Block, ...]:
    return tuple(block(b) for b in j)


_SPACE, _SOFT, _BREAK = Space(), SoftBreak(), LineBreak()
"""The inlines with no content, shared: a long dossier has hundreds of thousands of spaces."""

_INLINES: dict[str, Callable[[Json], Inline]] = {
    "Str": Str,
    "Space": lambda c: _SPACE,
    "SoftBreak": lambda c: _SOFT,
    "LineBreak": lambda c: _BREAK,
    "Quoted": lambda c: Quoted(c[0]["t"] == "DoubleQuote", inlines(c[1])),
    "Cite": lambda c: Cite(tuple(_citation(x) for x in c[0]), inlines(c[1])),
    "Code": lambda c: Code(attr(c[0]), c[1]),
    "Math": lambda c: Math(c[0]["t"] == "DisplayMath", c[1]),
    "RawInline": lambda c: RawInline(c[0], c[1]),
    "Link": lambda c: Link(attr(c[0]), inlines(c[1]), c[2][0], c[2][1]),
    "Image": lambda c: Image(attr(c[0]), inlines(c[1]), c[2][0], c[2][1]),
    "Note": lambda c: Note(_nested(blocks, c)),
    "Span": lambda c: Span(attr(c[0]), inlines(c[1])),
}


def _styled(kind: str) -> Callable[[Json], Inline]:
    return lambda c: Styled(kind, inlines(c))


_INLINES.update({kind: _styled(kind) for kind in STYLED})


def inline(j: Json) -> Inline:
    make = _INLINES.get(j["t"])
    if make is None:
        raise ValueError(f"unknown Pandoc inline {j['t']!r}")
    return make(j.get("c"))


def _citation(j: Json) -> Citation:
    return Citation(
        j["citationId"],
        inlines(j["citationPrefix"]),
        inlines(j["citationSuffix"]),
        j["citationMode"]["t"],
        j["citationNoteNum"],
        j["citationHash"],
    )


def _caption(j: Json) -> Caption:
    return Caption(None if j[0] is None else inlines(j[0]), blocks(j[1]))


def _rows(j: Json) -> tuple[Row, ...]:
    return tuple(
        Row(tuple(Cell(blocks(c[4]), attr(c[0]), c[1]["t"], c[2], c[3]) for c in r[1]), attr(r[0]))
        for r in j
    )


def _width(j: Json) -> float | None:
    return None if j["t"] == "ColWidthDefault" else float(j["c"])


CONTAINERS = frozenset({"BulletList", "OrderedList", "BlockQuote", "Div", "DefinitionList"})


class TooDeep(ValueError):
    """Containers (and notes) nested deeper than the reader's limit."""


class _Depth:
    limit = 10**9
    now = 0


def nesting_limit(limit: int) -> Callable[[Json], tuple[Block, ...]]:
    """A decoder of blocks that raises ``TooDeep`` past ``limit`` nested containers."""

    def decode(j: Json) -> tuple[Block, ...]:
        _Depth.limit, _Depth.now = limit, 0
        try:
            return blocks(j)
        finally:
            _Depth.limit, _Depth.now = 10**9, 0

    return decode


def _nested(decode: Callable[[Json], Any], c: Json) -> Any:
    _Depth.now += 1
    try:
        if _Depth.now > _Depth.limit:
            raise TooDeep(_Depth.now)
        return decode(c)
    finally:
        _Depth.now -= 1


def block(j: Json) -> Block:
    t, c = j["t"], j.get("c")
    if t in CONTAINERS:
        return _nested(lambda c: _block(t, c), c)  # type: ignore[no-any-return]
    return _block(t, c)


def _block(t: str, c: Json) -> Block:
    match t:
        case "Plain":
            return Plain(inlines(c))
        case "Para":
            return Para(inlines(c))
        case "LineBlock":
            return LineBlock(tuple(inlines(line) for line in c))
        case "CodeBlock":
            return CodeBlock(attr(c[0]), c[1])
        case "RawBlock":
            return RawBlock(c[0], c[1])
        case "BlockQuote":
            return BlockQuote(blocks(c))
        case "OrderedList":
            start, style, delim = c[0]
            return OrderedList(tuple(blocks(i) for i in c[1]), start, style["t"], delim["t"])
        case "BulletList":
            return BulletList(tuple(blocks(i) for i in c))
        case "DefinitionList":
            return DefinitionList(
                tuple((inlines(term), tuple(blocks(d) for d in defs)) for term, defs in c)
            )
        case "Header":
            return Header(c[0], attr(c[1]), inlines(c[2]))
        case "HorizontalRule":
            return HorizontalRule()
        case "Table":
            table_attr, caption, specs, head, bodies, foot = c
            return Table(
                caption=_caption(caption),
                colspecs=tuple(ColSpec(s[0]["t"], _width(s[1])) for s in specs),
                head=_rows(head[1]),
                bodies=tuple(TableBody(_rows(b[3]), _rows(b[2]), b[1], attr(b[0])) for b in bodies),
                foot=_rows(foot[1]),
                attr=attr(table_attr),
                head_attr=attr(head[0]),
                foot_attr=attr(foot[0]),
            )
        case "Figure":
            return Figure(attr(c[0]), _caption(c[1]), blocks(c[2]))
        case "Div":
            return Div(attr(c[0]), blocks(c[1]))
    raise ValueError(f"unknown Pandoc block {t!r}")


# ---- to JSON -----------------------------------------------------------------------------------


def _node(t: str, c: Json = None) -> Json:
    return {"t": t} if c is None else {"t": t, "c": c}


def attr_json(a: Attr) -> Json:
    return [a.id, list(a.classes), [list(kv) for kv in a.attrs]]


def inlines_json(items: tuple[Inline, ...]) -> Json:
    return [inline_json(i) for i in items]


def blocks_json(items: tuple[Block, ...]) -> Json:
    return [block_json(b) for b in items]


def inline_json(i: Inline) -> Json:
    match i:
        case Str(text):
            return _node("Str", text)
        case Space():
            return _node("Space")
        case SoftBreak():
            return _node("SoftBreak")
        case LineBreak():
            return _node("LineBreak")
        case Styled(kind, content):
            return _node(kind, inlines_json(content))
        case Quoted(double, content):
            kind = "DoubleQuote" if double else "SingleQuote"
            return _node("Quoted", [_node(kind), inlines_json(content)])
        case Cite(citations, content):
            return _node("Cite", [[_citation_json(x) for x in citations], inlines_json(content)])
        case Code(a, text):
            return _node("Code", [attr_json(a), text])
        case Math(display, text):
            return _node("Math", [_node("DisplayMath" if display else "InlineMath"), text])
        case RawInline(fmt, text):
            return _node("RawInline", [fmt, text])
        case Link(a, content, url, title):
            return _node("Link", [attr_json(a), inlines_json(content), [url, title]])
        case Image(a, content, url, title):
            return _node("Image", [attr_json(a), inlines_json(content), [url, title]])
        case Note(content_blocks):
            return _node("Note", blocks_json(content_blocks))
        case Span(a, content):
            return _node("Span", [attr_json(a), inlines_json(content)])
    raise TypeError(f"not a Pandoc inline: {i!r}")


def _citation_json(c: Citation) -> Json:
    return {
        "citationId": c.id,
        "citationPrefix": inlines_json(c.prefix),
        "citationSuffix": inlines_json(c.suffix),
        "citationMode": _node(c.mode),
        "citationNoteNum": c.note_num,
        "citationHash": c.hash,
    }


def _caption_json(c: Caption) -> Json:
    return [None if c.short is None else inlines_json(c.short), blocks_json(c.blocks)]


def _rows_json(rows: tuple[Row, ...]) -> Json:
    return [
        [
            attr_json(r.attr),
            [
                [attr_json(c.attr), _node(c.align), c.rowspan, c.colspan, blocks_json(c.blocks)]
                for c in r.cells
            ],
        ]
        for r in rows
    ]


def _width_json(width: float | None) -> Json:
    return _node("ColWidthDefault") if width is None else _node("ColWidth", width)


def block_json(b: Block) -> Json:
    match b:
        case Plain(content):
            return _node("Plain", inlines_json(content))
        case Para(content):
            return _node("Para", inlines_json(content))
        case LineBlock(lines):
            return _node("LineBlock", [inlines_json(line) for line in lines])
        case CodeBlock(a, text):
            return _node("CodeBlock", [attr_json(a), text])
        case RawBlock(fmt, text):
            return _node("RawBlock", [fmt, text])
        case BlockQuote(content):
            return _node("BlockQuote", blocks_json(content))
        case OrderedList(items, start, style, delim):
            return _node(
                "OrderedList",
                [[start, _node(style), _node(delim)], [blocks_json(i) for i in items]],
            )
        case BulletList(items):
            return _node("BulletList", [blocks_json(i) for i in items])
        case DefinitionList(items):
            return _node(
                "DefinitionList",
                [[inlines_json(t), [blocks_json(d) for d in defs]] for t, defs in items],
            )
        case Header(level, a, content):
            return _node("Header", [level, attr_json(a), inlines_json(content)])
        case HorizontalRule():
            return _node("HorizontalRule")
        case Table():
            return _node(
                "Table",
                [
                    attr_json(b.attr),
                    _caption_json(b.caption),
                    [[_node(s.align), _width_json(s.width)] for s in b.colspecs],
                    [attr_json(b.head_attr), _rows_json(b.head)],
                    [
                        [
                            attr_json(t.attr),
                            t.row_head_columns,
                            _rows_json(t.head),
                            _rows_json(t.rows),
                        ]
                        for t in b.bodies
                    ],
                    [attr_json(b.foot_attr), _rows_json(b.foot)],
                ],
            )
        case Figure(a, caption, content):
            return _node("Figure", [attr_json(a), _caption_json(caption), blocks_json(content)])
        case Div(a, content):
            return _node("Div", [attr_json(a), blocks_json(content)])
    raise TypeError(f"not a Pandoc block: {b!r}")


def stringify(items: tuple[Inline, ...] | tuple[Block, ...]) -> str:
    """Plain text, as Pandoc's ``stringify``: no notes, quotes as typographic marks."""
    out: list[str] = []
    _text(items, out)
    return "".join(out)


def leading_text(items: tuple[Inline, ...] | tuple[Block, ...], chars: int) -> str:
    """The start of ``stringify(items)``: at least its first ``chars`` characters (all of it
    when shorter), without walking the rest of a long block."""
    out = _Bounded(chars)
    with contextlib.suppress(_Enough):
        _text(items, out)
    return "".join(out)


class _Enough(Exception):
    pass


class _Bounded(list[str]):
    def __init__(self, chars: int) -> None:
        super().__init__()
        self.left = chars

    def append(self, text: str) -> None:
        super().append(text)
        self.left -= len(text)
        if self.left <= 0:
            raise _Enough


def _text(items: Any, out: list[str]) -> None:
    for item in items:
        match item:
            case Str(text) | Code(_, text) | Math(_, text):
                out.append(text)
            case Space() | SoftBreak() | LineBreak():
                out.append(" ")
            case Quoted(double, content):
                out.append("“" if double else "‘")
                _text(content, out)
                out.append("”" if double else "’")
            case Note() | RawInline() | RawBlock():
                pass
            case Styled(_, content) | Cite(_, content) | Link(_, content) | Span(_, content):
                _text(content, out)
            case Image(_, content):
                _text(content, out)
            case Plain(content) | Para(content) | Header(_, _, content):
                _text(content, out)
                out.append(" ")
            case BlockQuote(content) | Div(_, content) | Figure(_, _, content):
                _text(content, out)
            case CodeBlock(_, text):
                out.append(text + " ")
            case LineBlock(lines):
                for line in lines:
                    _text(line, out)
                    out.append(" ")
            case BulletList(entries) | OrderedList(entries):
                for entry in entries:
                    _text(entry, out)
            case DefinitionList(entries):
                for term, definitions in entries:
                    _text(term, out)
                    out.append(" ")
                    for definition in definitions:
                        _text(definition, out)
            case Table():
                for row in (*item.head, *(r for b in item.bodies for r in (*b.head, *b.rows))):
                    for cell in row.cells:
                        _text(cell.blocks, out)


# ---- transforming ------------------------------------------------------------------------------

InlineMap = Callable[[tuple[Inline, ...]], tuple[Inline, ...]]


def map_inlines(items: tuple[Block, ...], f: InlineMap) -> tuple[Block, ...]:
    """Blocks with ``f`` applied to every list of inlines, innermost first (notes included).
    What ``f`` leaves alone is returned as it was (the same objects), so that a walk that only
    looks costs no copies."""
    mapped = tuple(_map_block(b, f) for b in items)
    return items if _same(mapped, items) else mapped


def _same(new: tuple[Any, ...], old: tuple[Any, ...]) -> bool:
    return all(a is b for a, b in zip(new, old, strict=True))


_LEAVES = frozenset({Str, Space, SoftBreak, LineBreak, Code, Math, RawInline})


def _map_list(items: tuple[Inline, ...], f: InlineMap) -> tuple[Inline, ...]:
    if all(type(i) in _LEAVES for i in items):
        return f(items)  # most lists of inlines: words and spaces only
    mapped = tuple([_map_inline(i, f) for i in items])
    return f(items if _same(mapped, items) else mapped)


def _map_inline(item: Inline, f: InlineMap) -> Inline:
    if type(item) in _LEAVES:
        return item
    match item:
        case Styled() | Quoted() | Cite() | Link() | Image() | Span():
            content = _map_list(item.content, f)
            return item if content is item.content else replace(item, content=content)
        case Note(content_blocks):
            mapped = map_inlines(content_blocks, f)
            return item if mapped is content_blocks else Note(mapped)
    return item


def _map_caption(caption: Caption, f: InlineMap) -> Caption:
    short = None if caption.short is None else _map_list(caption.short, f)
    blocks = map_inlines(caption.blocks, f)
    if short is caption.short and blocks is caption.blocks:
        return caption
    return Caption(short, blocks)


def _map_rows(rows: tuple[Row, ...], f: InlineMap) -> tuple[Row, ...]:
    mapped = tuple(_map_row(r, f) for r in rows)
    return rows if _same(mapped, rows) else mapped


def _map_row(row: Row, f: InlineMap) -> Row:
    cells = tuple(_map_cell(c, f) for c in row.cells)
    return row if _same(cells, row.cells) else Row(cells, row.attr)


def _map_cell(cell: Cell, f: InlineMap) -> Cell:
    blocks = map_inlines(cell.blocks, f)
    return cell if blocks is cell.blocks else replace(cell, blocks=blocks)


def _map_items(items: tuple[tuple[Block, ...], ...], f: InlineMap) -> tuple[tuple[Block, ...], ...]:
    mapped = tuple(map_inlines(e, f) for e in items)
    return items if _same(mapped, items) else mapped


def _map_block(item: Block, f: InlineMap) -> Block:
    match item:
        case Plain() | Para() | Header():
            content = _map_list(item.content, f)
            return item if content is item.content else replace(item, content=content)
        case LineBlock(lines):
            mapped_lines = tuple(_map_list(line, f) for line in lines)
            return item if _same(mapped_lines, lines) else LineBlock(mapped_lines)
        case BlockQuote() | Div():
            blocks = map_inlines(item.blocks, f)
            return item if blocks is item.blocks else replace(item, blocks=blocks)
        case OrderedList() | BulletList():
            entries = _map_items(item.items, f)
            return item if entries is item.items else replace(item, items=entries)
        case DefinitionList(entries):
            mapped = tuple((_map_list(term, f), _map_items(defs, f)) for term, defs in entries)
            unchanged = all(
                a[0] is b[0] and a[1] is b[1] for a, b in zip(mapped, entries, strict=True)
            )
            return item if unchanged else DefinitionList(mapped)
        case Table():
            caption = _map_caption(item.caption, f)
            head, foot = _map_rows(item.head, f), _map_rows(item.foot, f)
            bodies = tuple(
                replace(b, head=_map_rows(b.head, f), rows=_map_rows(b.rows, f))
                for b in item.bodies
            )
            same_bodies = all(
                a.head is b.head and a.rows is b.rows
                for a, b in zip(bodies, item.bodies, strict=True)
            )
            if caption is item.caption and head is item.head and foot is item.foot and same_bodies:
                return item
            return replace(item, caption=caption, head=head, bodies=bodies, foot=foot)
        case Figure(a, caption, content):
            new_caption, blocks = _map_caption(caption, f), map_inlines(content, f)
            if new_caption is caption and blocks is content:
                return item
            return Figure(a, new_caption, blocks)
    return item


BlockMap = Callable[[tuple[Block, ...]], tuple[Block, ...]]


def map_blocks(items: tuple[Block, ...], f: BlockMap) -> tuple[Block, ...]:
    """Blocks with ``f`` applied to every list of blocks, innermost first: list items, quotes,
    divs, table cells, captions and notes included."""
    return f(tuple(_map_block_children(b, f) for b in items))


def _map_notes(items: tuple[Block, ...], f: BlockMap) -> tuple[Block, ...]:
    """The notes inside these blocks' own inlines, with ``f`` applied to their blocks."""

    def notes(inner: tuple[Inline, ...]) -> tuple[Inline, ...]:
        return tuple(Note(map_blocks(i.blocks, f)) if isinstance(i, Note) else i for i in inner)

    return map_inlines(items, notes)


def _inline_notes(items: tuple[Inline, ...], f: BlockMap) -> tuple[Inline, ...]:
    done = _map_notes((Plain(items),), f)[0]
    return done.content if isinstance(done, Plain) else items


def _map_cells(rows: tuple[Row, ...], f: BlockMap) -> tuple[Row, ...]:
    return tuple(
        Row(tuple(replace(c, blocks=map_blocks(c.blocks, f)) for c in r.cells), r.attr)
        for r in rows
    )


def _map_block_children(item: Block, f: BlockMap) -> Block:
    match item:
        case BlockQuote(content):
            return BlockQuote(map_blocks(content, f))
        case OrderedList(entries):
            return replace(item, items=tuple(map_blocks(e, f) for e in entries))
        case BulletList(entries):
            return BulletList(tuple(map_blocks(e, f) for e in entries))
        case DefinitionList(entries):
            return DefinitionList(
                tuple(
                    (_inline_notes(term, f), tuple(map_blocks(d, f) for d in defs))
                    for term, defs in entries
                )
            )
        case Table():
            caption = replace(item.caption, blocks=map_blocks(item.caption.blocks, f))
            return replace(
                item,
                caption=caption,
                head=_map_cells(item.head, f),
                bodies=tuple(
                    replace(b, head=_map_cells(b.head, f), rows=_map_cells(b.rows, f))
                    for b in item.bodies
                ),
                foot=_map_cells(item.foot, f),
            )
        case Figure(a, caption, content):
            return Figure(
                a, replace(caption, blocks=map_blocks(caption.blocks, f)), map_blocks(content, f)
            )
        case Div(a, content):
            return Div(a, map_blocks(content, f))
        case Plain() | Para() | Header() | LineBlock():
            return _map_notes((item,), f)[0]
    return item


def text_inlines(text: str) -> tuple[Inline, ...]:
    """Plain text as Pandoc's inlines: words and spaces."""
    out: list[Inline] = []
    for index, word in enumerate(text.split(" ")):
        if index:
            out.append(Space())
        if word:
            out.append(Str(word))
    return tuple(out)
