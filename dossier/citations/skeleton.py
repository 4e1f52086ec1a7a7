"""What citeproc reads of a dossier: its citations and the words around them.

Pandoc's citeproc formats each citation from the citations before it (their order and note
numbers, which pandoc's reader has written into each citation), and changes the text only
next to a citation: the space before a note citation is dropped, and punctuation is moved
across it (into a quotation, after the note) or checked (a capital after an author-in-text
citation in a note). Everything else passes through unchanged, and its bulk is most of
citeproc's time on a long dossier (pandoc's JSON both ways and its walks over the whole
document): two thirds of it for a report of 188 pages.

So citeproc is given a skeleton of the blocks: a block without a citation becomes an empty
``Plain`` (headings and divs stay, for pandoc's sections), and in a paragraph with citations
the runs of inlines away from any citation become empty spans standing for them; ``restore``
puts the dossier's own blocks and runs back into what citeproc returned. A citation keeps
``BEFORE`` inlines before it and, after it, every space and punctuation-only inline, then
``AFTER`` more: a margin over what citeproc's rules look at. Anything that holds a citation
is kept whole. A document with one of the spans or divs citeproc treats specially wherever
they are (``csl-note``, ``csl-quoted``, ``refs``) is given whole (``skeleton`` returns None),
and so is one whose skeleton does not come back in its shape (``Mismatch``: a citeproc that
changes more than dossier knows of).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace

from ..model import ast

BEFORE = 3
AFTER = 2
RUN = "dossier-citeproc-run-"
"""The id of the span standing for a run of inlines (``RUN`` + its index)."""
_EMPTY = ast.Plain(())
_SPECIAL = frozenset({"csl-note", "csl-quoted"})
_LEAVES = frozenset({ast.Str, ast.Space, ast.SoftBreak, ast.LineBreak, ast.Code, ast.Math})


class _Whole(Exception):
    """The document holds something citeproc treats wherever it is: give it whole."""


@dataclass(frozen=True, slots=True)
class Skeleton:
    """The blocks citeproc is given, and the runs of inlines they stand for."""

    blocks: tuple[ast.Block, ...]
    runs: list[tuple[ast.Inline, ...]]


def skeleton(blocks: tuple[ast.Block, ...]) -> Skeleton | None:
    """The skeleton of ``blocks`` for citeproc, or None when they must be given whole."""
    runs: list[tuple[ast.Inline, ...]] = []
    try:
        thin = tuple(_block(b, runs) for b in blocks)
    except _Whole:
        return None
    return Skeleton(thin, runs)


class Mismatch(ValueError):
    """What citeproc returned is not the skeleton's shape: a pandoc whose citeproc changes
    more than the text next to citations (the caller formats the whole dossier instead)."""


def restore(
    original: tuple[ast.Block, ...],
    formatted: tuple[ast.Block, ...],
    runs: list[tuple[ast.Inline, ...]],
) -> tuple[ast.Block, ...]:
    """The blocks citeproc returned for a skeleton of ``original``, with the original blocks
    and runs put back (citeproc's blocks after them, its bibliography, kept); ``Mismatch``
    unless every block is where it was and every run is put back once."""
    used: set[int] = set()
    out = _restore(original, formatted, runs, used)
    if len(used) != len(runs):
        raise Mismatch("a run of the skeleton did not come back")
    return (*out, *formatted[len(original) :])


def _restore(
    original: tuple[ast.Block, ...],
    formatted: tuple[ast.Block, ...],
    runs: list[tuple[ast.Inline, ...]],
    used: set[int],
) -> list[ast.Block]:
    if len(formatted) < len(original):
        raise Mismatch("blocks of the skeleton did not come back")
    out: list[ast.Block] = []
    for before, after in zip(original, formatted, strict=False):
        if after == _EMPTY:
            out.append(before)
        elif type(before) is not type(after):
            raise Mismatch(f"a {type(before).__name__} came back as a {type(after).__name__}")
        elif isinstance(after, ast.Div | ast.BlockQuote):
            assert isinstance(before, ast.Div | ast.BlockQuote)  # the same type, as checked
            inner = _restore(before.blocks, after.blocks, runs, used)
            out.append(replace(after, blocks=(*inner, *after.blocks[len(before.blocks) :])))
        elif isinstance(after, ast.Para | ast.Plain):
            out.append(type(after)(_put_back(after.content, runs, used)))
        else:
            out.append(after)
    return out


def _put_back(
    items: tuple[ast.Inline, ...], runs: list[tuple[ast.Inline, ...]], used: set[int]
) -> tuple[ast.Inline, ...]:
    out: list[ast.Inline] = []
    for item in items:
        if type(item) is ast.Span and item.attr.id.startswith(RUN) and not item.content:
            index = int(item.attr.id.removeprefix(RUN))
            if index in used or index >= len(runs):
                raise Mismatch("a run of the skeleton came back twice, or one it never had")
            used.add(index)
            out.extend(runs[index])
        else:
            out.append(item)
    return tuple(out)


def _block(block: ast.Block, runs: list[tuple[ast.Inline, ...]]) -> ast.Block:
    """The block as citeproc is given it (``_Whole`` if it holds a special span or div)."""
    match block:
        case ast.Div(attr, blocks):
            _ordinary(attr)
            return replace(block, blocks=tuple(_block(b, runs) for b in blocks))
        case ast.BlockQuote(blocks):
            return replace(block, blocks=tuple(_block(b, runs) for b in blocks))
        case ast.Para(content) | ast.Plain(content):
            bearing = [_cites(i) for i in content]
            return type(block)(_thin(content, bearing, runs)) if any(bearing) else _EMPTY
        case ast.Header():
            _cites_in(block.content)  # for the special spans; kept for pandoc's sections
            return block
    return block if _cites_in_block(block) else _EMPTY


def _thin(
    items: tuple[ast.Inline, ...], bearing: list[bool], runs: list[tuple[ast.Inline, ...]]
) -> tuple[ast.Inline, ...]:
    """The inlines with the runs away from every citation replaced by spans."""
    keep = [False] * len(items)
    for index, cites in enumerate(bearing):
        if not cites:
            continue
        for k in range(max(0, index - BEFORE), index + 1):
            keep[k] = True
        end = index + 1
        while end < len(items) and _light(items[end]):
            end += 1
        for k in range(index + 1, min(len(items), end + AFTER)):
            keep[k] = True
    out: list[ast.Inline] = []
    start = None
    for index, item in enumerate((*items, None)):
        if index < len(items) and not keep[index]:
            start = index if start is None else start
            continue
        if start is not None:
            out.append(ast.Span(ast.Attr(f"{RUN}{len(runs)}"), ()))
            runs.append(items[start:index])
            start = None
        if item is not None:
            out.append(item)
    return tuple(out)


def _ordinary(attr: ast.Attr) -> None:
    """``_Whole`` for a div citeproc fills (``refs``) or a span class it changes anywhere."""
    if attr.id == "refs" or attr.id.endswith("__refs") or _SPECIAL & set(attr.classes):
        raise _Whole


def _light(item: ast.Inline) -> bool:
    """A space, or an inline whose text is punctuation only (or nothing): what citeproc looks
    past after a citation."""
    if type(item) in (ast.Space, ast.SoftBreak, ast.LineBreak):
        return True
    return all(unicodedata.category(c).startswith("P") for c in ast.stringify((item,)))


def _cites(item: ast.Inline) -> bool:
    """Whether the inline is or holds a citation (every span inside it checked)."""
    if type(item) in _LEAVES:
        return False
    match item:
        case ast.Cite(_, content):
            _cites_in(content)
            return True
        case ast.Span(attr, content):
            if attr.id.startswith(RUN):
                raise _Whole  # a span of the dossier's own would be taken for a run
            _ordinary(attr)
            return _cites_in(content)
        case ast.Note(blocks):
            return _cites_in_blocks(blocks)
        case ast.Styled(_, content) | ast.Quoted(_, content) | ast.Link(_, content, _, _):
            return _cites_in(content)
        case ast.Image(_, content, _, _):
            return _cites_in(content)
    return False  # raw inlines


def _cites_in(items: tuple[ast.Inline, ...]) -> bool:
    found = False
    for item in items:
        found = _cites(item) or found
    return found


def _cites_in_blocks(blocks: tuple[ast.Block, ...]) -> bool:
    found = False
    for block in blocks:
        found = _cites_in_block(block) or found
    return found


def _cites_in_block(block: ast.Block) -> bool:
    """Whether the block holds a citation (every span and div inside it checked)."""
    match block:
        case ast.Plain(content) | ast.Para(content) | ast.Header(_, _, content):
            return _cites_in(content)
        case ast.LineBlock(lines):
            return any([_cites_in(line) for line in lines])
        case ast.BlockQuote(blocks):
            return _cites_in_blocks(blocks)
        case ast.Div(attr, blocks):
            _ordinary(attr)
            return _cites_in_blocks(blocks)
        case ast.OrderedList(items) | ast.BulletList(items):
            return any([_cites_in_blocks(item) for item in items])
        case ast.DefinitionList(items):
            return any(
                [_cites_in(term) | any([_cites_in_blocks(d) for d in defs]) for term, defs in items]
            )
        case ast.Figure(_, caption, blocks):
            return _caption(caption) | _cites_in_blocks(blocks)
        case ast.Table():
            rows = (
                *block.head,
                *(r for b in block.bodies for r in (*b.head, *b.rows)),
                *block.foot,
            )
            cells = [_cites_in_blocks(c.blocks) for r in rows for c in r.cells]
            return _caption(block.caption) | any(cells)
    return False  # code, raw blocks, rules


def _caption(caption: ast.Caption) -> bool:
    short = _cites_in(caption.short) if caption.short else False
    return short | _cites_in_blocks(caption.blocks)
