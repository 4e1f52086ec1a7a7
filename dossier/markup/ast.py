"""Pandoc's document model (pandoc-types 1.23) as frozen dataclasses, to and from its JSON.

Every block and inline Pandoc's Markdown reader can produce has a type here, so a dossier's
content is typed values (the Python API can build them directly) and nothing Pandoc read is
lost on the way: what dossier cannot render is reported where it is rendered.
"""

from __future__ import annotations

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
    return tuple(inline(i) for i in j)


def blocks(j: Json) -> tuple[Block, ...]:
    return tuple(block(b) for b in j)


def inline(j: Json) -> Inline:
    t, c = j["t"], j.get("c")
    match t:
        case "Str":
            return Str(c)
        case "Space":
            return Space()
        case "SoftBreak":
            return SoftBreak()
        case "LineBreak":
            return LineBreak()
        case "Quoted":
            return Quoted(c[0]["t"] == "DoubleQuote", inlines(c[1]))
        case "Cite":
            return Cite(tuple(_citation(x) for x in c[0]), inlines(c[1]))
        case "Code":
            return Code(attr(c[0]), c[1])
        case "Math":
            return Math(c[0]["t"] == "DisplayMath", c[1])
        case "RawInline":
            return RawInline(c[0], c[1])
        case "Link":
            return Link(attr(c[0]), inlines(c[1]), c[2][0], c[2][1])
        case "Image":
            return Image(attr(c[0]), inlines(c[1]), c[2][0], c[2][1])
        case "Note":
            return Note(blocks(c))
        case "Span":
            return Span(attr(c[0]), inlines(c[1]))
        case _ if t in STYLED:
            return Styled(t, inlines(c))
    raise ValueError(f"unknown Pandoc inline {t!r}")


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


def block(j: Json) -> Block:
    t, c = j["t"], j.get("c")
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
    """Blocks with ``f`` applied to every list of inlines, innermost first (notes included)."""
    return tuple(_map_block(b, f) for b in items)


def _map_list(items: tuple[Inline, ...], f: InlineMap) -> tuple[Inline, ...]:
    return f(tuple(_map_inline(i, f) for i in items))


def _map_inline(item: Inline, f: InlineMap) -> Inline:
    match item:
        case Styled(kind, content):
            return Styled(kind, _map_list(content, f))
        case Quoted(double, content):
            return Quoted(double, _map_list(content, f))
        case Cite(citations, content):
            return Cite(citations, _map_list(content, f))
        case Link(a, content, url, title):
            return Link(a, _map_list(content, f), url, title)
        case Image(a, content, url, title):
            return Image(a, _map_list(content, f), url, title)
        case Note(content_blocks):
            return Note(map_inlines(content_blocks, f))
        case Span(a, content):
            return Span(a, _map_list(content, f))
    return item


def _map_caption(caption: Caption, f: InlineMap) -> Caption:
    short = None if caption.short is None else _map_list(caption.short, f)
    return Caption(short, map_inlines(caption.blocks, f))


def _map_rows(rows: tuple[Row, ...], f: InlineMap) -> tuple[Row, ...]:
    return tuple(
        Row(tuple(replace(c, blocks=map_inlines(c.blocks, f)) for c in r.cells), r.attr)
        for r in rows
    )


def _map_block(item: Block, f: InlineMap) -> Block:
    match item:
        case Plain(content):
            return Plain(_map_list(content, f))
        case Para(content):
            return Para(_map_list(content, f))
        case LineBlock(lines):
            return LineBlock(tuple(_map_list(line, f) for line in lines))
        case BlockQuote(content):
            return BlockQuote(map_inlines(content, f))
        case OrderedList(entries):
            return replace(item, items=tuple(map_inlines(e, f) for e in entries))
        case BulletList(entries):
            return BulletList(tuple(map_inlines(e, f) for e in entries))
        case DefinitionList(entries):
            return DefinitionList(
                tuple(
                    (_map_list(term, f), tuple(map_inlines(d, f) for d in defs))
                    for term, defs in entries
                )
            )
        case Header(level, a, content):
            return Header(level, a, _map_list(content, f))
        case Table():
            return replace(
                item,
                caption=_map_caption(item.caption, f),
                head=_map_rows(item.head, f),
                bodies=tuple(
                    replace(b, head=_map_rows(b.head, f), rows=_map_rows(b.rows, f))
                    for b in item.bodies
                ),
                foot=_map_rows(item.foot, f),
            )
        case Figure(a, caption, content):
            return Figure(a, _map_caption(caption, f), map_inlines(content, f))
        case Div(a, content):
            return Div(a, map_inlines(content, f))
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
            return Figure(a, replace(caption, blocks=map_blocks(caption.blocks, f)),
                          map_blocks(content, f))  # fmt: skip
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
