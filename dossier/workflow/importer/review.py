"""What a Word draft holds that a dossier cannot: comments, tracked changes nobody accepted,
text boxes. Each is reported with where it was; the text goes on as if the changes were
accepted (Pandoc's default), so what is imported reads as the draft's latest state."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from lxml import etree

from ...model import ast

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_SILENT = {"comment-end", "paragraph-insertion", "paragraph-deletion"}
"""Classes of Pandoc's ``--track-changes=all`` that only mark a place or a paragraph mark."""


@dataclass(frozen=True, slots=True)
class Mark:
    """Something left out or changed, and where in the draft it was."""

    where: str
    message: str


def _quote(inlines: tuple[ast.Inline, ...] | str, size: int = 80) -> str:
    text = " ".join((inlines if isinstance(inlines, str) else ast.stringify(inlines)).split())
    return f"“{text if len(text) <= size else text[: size - 1].rstrip() + '…'}”"


def _by(span: ast.Span) -> str:
    author = span.attr.get("author")
    return f" by {author}" if author else ""


def _review(span: ast.Span, found: list[str]) -> tuple[ast.Inline, ...] | None:
    """A review span's replacement (None: not a review span), noting what it was."""
    classes = set(span.attr.classes)
    if "insertion" in classes:
        found.append(
            f"an insertion{_by(span)} that was not accepted is kept: {_quote(span.content)}"
        )
        return span.content
    if "deletion" in classes:
        found.append(f"a deletion{_by(span)} that was not accepted is made: {_quote(span.content)}")
        return ()
    if "comment-start" in classes:
        found.append(f"a comment{_by(span)} is left out: {_quote(span.content)}")
        return ()
    if classes & _SILENT:
        return ()
    return None


def _clean(block: ast.Block, found: list[str]) -> ast.Block:
    def fix(items: tuple[ast.Inline, ...]) -> tuple[ast.Inline, ...]:
        out: list[ast.Inline] = []
        for item in items:
            replaced = _review(item, found) if isinstance(item, ast.Span) else None
            out += [item] if replaced is None else list(replaced)
        return tuple(out)

    return ast.map_inlines((block,), fix)[0]


def accept(blocks: tuple[ast.Block, ...]) -> tuple[tuple[ast.Block, ...], list[Mark]]:
    """The blocks without comments and with every tracked change accepted; what was there,
    each placed by its chapter (Heading 1) and paragraph."""
    marks: list[Mark] = []
    out: list[ast.Block] = []
    chapter, paragraph = "", 0
    for block in blocks:
        found: list[str] = []
        block = _clean(block, found)
        if isinstance(block, ast.Header) and block.level == 1:
            chapter, paragraph = ast.stringify(block.content).strip(), 0
            where = f"heading “{chapter}”"
        else:
            paragraph += 1
            where = f"“{chapter}”, paragraph {paragraph}" if chapter else f"paragraph {paragraph}"
        marks += [Mark(where, message) for message in found]
        out.append(block)
    return tuple(out), marks


def text_boxes(archive: zipfile.ZipFile) -> list[Mark]:
    """Text boxes in the document body, which Pandoc's reader leaves out, with the
    paragraph each is anchored in. A box Word saved twice (a drawing and its VML fallback
    for older readers) is reported once."""
    try:
        root = etree.fromstring(archive.read("word/document.xml"), _PARSER)
    except (KeyError, etree.XMLSyntaxError):
        return []
    marks = []
    for box in root.iter(f"{{{_W}}}txbxContent"):
        if any(a.tag == f"{{{_MC}}}Fallback" for a in box.iterancestors()):
            continue
        anchor = next(box.iterancestors(f"{{{_W}}}p"), None)  # the paragraph it sits in
        context = _outside_text(anchor) if anchor is not None else ""
        where = f"the paragraph {_quote(context, 60)}" if context else "a paragraph of its own"
        text = " ".join("".join(t.text or "" for t in box.iter(f"{{{_W}}}t")).split())
        marks.append(Mark(where, f"a text box is left out: {_quote(text)}"))
    return marks


def _outside_text(paragraph: etree._Element) -> str:
    """The paragraph's own text, without that of the boxes anchored in it."""
    box = f"{{{_W}}}txbxContent"
    return "".join(
        t.text or ""
        for t in paragraph.iter(f"{{{_W}}}t")
        if not any(a.tag == box for a in t.iterancestors())
    )
