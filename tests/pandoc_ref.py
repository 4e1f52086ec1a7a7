"""What a document contains, read two ways: from Pandoc's JSON AST and from dossier's EPUB.

Both readers return an ``Outline``: the same facts, each in document order, so that a test can
compare them field by field. Pandoc (the ``pypandoc-binary`` executable) is the reference; its
AST is walked here, never its HTML. Text is compared after whitespace normalisation only
(every run of whitespace, no-break spaces included, becomes one space).

Conventions shared by both readers:

- *body* means the chapters' content: not the notes, not the bibliography. In the EPUB, the
  chapters are the ``section.chapter`` elements of the ``chapter-NN.xhtml`` files in spine order
  (dossier's front file, its notes sections and its generated chapters are not body); in the
  AST, every block outside ``Note`` inlines and outside the ``refs`` div.
- A note is read at its call: the AST's ``Note`` inline where it stands, the EPUB's ``aside``
  that a note call (``epub:type="noteref"``) links to. The call's number (the link's text) is
  kept with the note's text, which starts after the note's backlink.
- ``Para`` is a paragraph (``p``); ``Plain`` (tight list items, table cells) is not, as in
  Pandoc's own HTML writer. Paragraphs inside tables and figures are not counted.
- An image contributes no text (its description is alt text, not text); a line break is a
  space except inside a line block, where it separates the lines; a task-list box is "☐"/"☒".
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pypandoc  # type: ignore[import-untyped]
from lxml import etree

from dossier.config import BuildOptions
from dossier.pipeline import Result, build_one

XHTML = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
OPF = "http://www.idpf.org/2007/opf"
BREAK = "\u2028"  # a line break, until whitespace is normalised
Json = Any


Attributes = tuple[str, str, frozenset[str], tuple[tuple[str, str], ...]]


def norm(text: str) -> str:
    return " ".join(text.replace(BREAK, " ").split())


def lines(text: str) -> tuple[str, ...]:
    return tuple(norm(line) for line in text.split(BREAK))


@dataclass
class Outline:
    headings: list[tuple[int, str]] = field(default_factory=list)
    heading_ids: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    # (ul|ol, start, HTML list type "1"/"a"/"A"/"i"/"I" or "" for ul, item texts)
    lists: list[tuple[str, int, str, tuple[str, ...]]] = field(default_factory=list)
    # (caption, rows of cell texts: head rows, body rows, foot rows)
    tables: list[tuple[str, tuple[tuple[str, ...], ...]]] = field(default_factory=list)
    # (term, definition texts)
    definitions: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    code: list[str] = field(default_factory=list)
    line_blocks: list[tuple[str, ...]] = field(default_factory=list)
    quotes: int = 0
    # (kind, text): emph, strong, superscript, subscript, strikeout, smallcaps, underline, code
    inlines: list[tuple[str, str]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    # (number, text), in the order of the calls
    notes: list[tuple[int, str]] = field(default_factory=list)
    # (keys, text), body and notes in reading order
    citations: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    # (id, text) in the bibliography's order
    bibliography: list[tuple[str, str]] = field(default_factory=list)
    # per table, each column's (alignment "left"/"right"/"center" or "", width in % or None)
    columns: list[tuple[tuple[str, float | None], ...]] = field(default_factory=list)
    # (kind "heading"/"div"/"span", id, classes, key-value attributes) in the body
    attributes: list[Attributes] = field(default_factory=list)


def _finish(outline: Outline) -> Outline:
    """Formatting nested around the same words (``***both***``) is listed in a fixed order, as
    ``<em><strong>`` and ``<strong><em>`` mean the same."""
    runs: list[list[tuple[str, str]]] = []
    for kind, text in outline.inlines:
        if runs and runs[-1][0][1] == text:
            runs[-1].append((kind, text))
        else:
            runs.append([(kind, text)])
    outline.inlines = [item for run in runs for item in sorted(run)]
    return outline


# --------------------------------------------------------------------------- Pandoc's side


@cache
def pandoc_executable() -> str:
    """The executable of the ``pypandoc-binary`` wheel (Pandoc 3), never a system one."""
    path = str(pypandoc.get_pandoc_path())
    version = subprocess.run([path, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("pandoc 3."), version.stdout.splitlines()[0]
    return path


def pandoc_json(source: Path, *options: str) -> Json:
    """``pandoc -f markdown -t json [options] source``, run in the source's folder."""
    result = subprocess.run(
        [pandoc_executable(), "-f", "markdown", "-t", "json", *options, source.name],
        cwd=source.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


_LIST_TYPES = {"Decimal": "1", "DefaultStyle": "1", "Example": "1", "LowerAlpha": "a",
               "UpperAlpha": "A", "LowerRoman": "i", "UpperRoman": "I"}  # fmt: skip
_INLINE_KINDS = {"Emph": "emph", "Strong": "strong", "Superscript": "superscript",
                 "Subscript": "subscript", "Strikeout": "strikeout", "SmallCaps": "smallcaps",
                 "Underline": "underline"}  # fmt: skip
_QUOTES = {"DoubleQuote": ("“", "”"), "SingleQuote": ("‘", "’")}


def _raw_html_text(fmt: str, text: str) -> str:
    """What a raw passage shows in HTML: the text of HTML, nothing of other formats."""
    if fmt.lower() != "html":
        return ""
    return html.unescape(re.sub(r"<[^>]*>", "", text))


def inline_text(inlines: Sequence[Json]) -> str:
    out: list[str] = []
    for node in inlines:
        kind, content = node["t"], node.get("c")
        if kind == "Str":
            out.append(content)
        elif kind in ("Space", "SoftBreak"):
            out.append(" ")
        elif kind == "LineBreak":
            out.append(BREAK)
        elif kind in ("Code", "Math"):
            out.append(content[1])
        elif kind == "RawInline":
            out.append(_raw_html_text(content[0], content[1]))
        elif kind in _INLINE_KINDS:
            out.append(inline_text(content))
        elif kind == "Quoted":
            opening, closing = _QUOTES[content[0]["t"]]
            out.append(opening + inline_text(content[1]) + closing)
        elif kind == "Cite":
            out.append(inline_text(content[1]))
        elif kind in ("Link", "Span"):
            text = inline_text(content[1])
            classes = content[0][1]
            out.append(text + (" " if "csl-left-margin" in classes else ""))
        elif kind in ("Image", "Note"):
            pass
        else:
            raise AssertionError(f"inline {kind} not handled")
    return "".join(out)


def block_text(blocks: Sequence[Json]) -> str:
    parts: list[str] = []
    for block in blocks:
        kind, content = block["t"], block.get("c")
        if kind in ("Plain", "Para"):
            parts.append(inline_text(content))
        elif kind == "Header":
            parts.append(inline_text(content[2]))
        elif kind == "CodeBlock":
            parts.append(content[1])
        elif kind == "RawBlock":
            parts.append(_raw_html_text(content[0], content[1]))
        elif kind == "BlockQuote":
            parts.append(block_text(content))
        elif kind == "Div":
            parts.append(block_text(content[1]))
        elif kind == "LineBlock":
            parts.append(" ".join(inline_text(line) for line in content))
        elif kind == "BulletList":
            parts.extend(block_text(item) for item in content)
        elif kind == "OrderedList":
            parts.extend(block_text(item) for item in content[1])
        elif kind == "DefinitionList":
            for term, definitions in content:
                parts.append(inline_text(term))
                parts.extend(block_text(d) for d in definitions)
        elif kind == "Figure":
            parts.append(block_text(content[1][1]))
            parts.append(block_text(content[2]))
        elif kind == "Table":
            parts.append(block_text(content[1][1]))
            parts.extend(" ".join(cells) for cells in _table_rows(content))
        elif kind == "HorizontalRule":
            pass
        else:
            raise AssertionError(f"block {kind} not handled")
    return norm(" ".join(parts))


def _rows(rows: Sequence[Json]) -> list[tuple[str, ...]]:
    return [tuple(block_text(cell[4]) for cell in row[1]) for row in rows]


def _table_rows(table: Json) -> list[tuple[str, ...]]:
    _attr, _caption, _specs, head, bodies, foot = table
    rows = _rows(head[1])
    for body in bodies:
        rows += _rows(body[2]) + _rows(body[3])
    return rows + _rows(foot[1])


class _AstReader:
    def __init__(self) -> None:
        self.outline = Outline()

    def blocks(self, blocks: Sequence[Json], body: bool) -> None:
        for block in blocks:
            self.block(block, body)

    def block(self, block: Json, body: bool) -> None:
        o = self.outline
        kind, content = block["t"], block.get("c")
        if kind == "Para":
            if body:
                o.paragraphs.append(norm(inline_text(content)))
            self.inlines(content, body)
        elif kind == "Plain":
            self.inlines(content, body)
        elif kind == "Header":
            if body:
                o.headings.append((content[0], norm(inline_text(content[2]))))
                o.heading_ids.append(content[1][0])
                o.attributes.append(_attributes("heading", content[1]))
            self.inlines(content[2], body)
        elif kind == "CodeBlock":
            if body:
                o.code.append(norm(content[1]))
        elif kind == "BlockQuote":
            o.quotes += body
            self.blocks(content, body)
        elif kind == "Div":
            attr = content[0]
            if attr[0] == "refs":
                for entry in content[1]:
                    if entry["t"] == "Div" and "csl-entry" in entry["c"][0][1]:
                        o.bibliography.append((entry["c"][0][0], block_text(entry["c"][1])))
                return
            if body:
                o.attributes.append(_attributes("div", attr))
            self.blocks(content[1], body)
        elif kind == "LineBlock":
            if body:
                o.line_blocks.append(tuple(norm(inline_text(line)) for line in content))
            for line in content:
                self.inlines(line, body)
        elif kind in ("BulletList", "OrderedList"):
            items = content if kind == "BulletList" else content[1]
            if body:
                if kind == "BulletList":
                    start, style = 1, ""
                else:
                    start, style = content[0][0], _LIST_TYPES[content[0][1]["t"]]
                tag = "ul" if kind == "BulletList" else "ol"
                o.lists.append((tag, start, style, tuple(block_text(i) for i in items)))
            for item in items:
                self.blocks(item, body)
        elif kind == "DefinitionList":
            if body:
                for term, definitions in content:
                    texts = tuple(block_text(d) for d in definitions)
                    o.definitions.append((norm(inline_text(term)), texts))
            for term, definitions in content:
                self.inlines(term, body)
                for definition in definitions:
                    self.blocks(definition, body)
        elif kind == "Figure":
            if body:
                o.figures.append(block_text(content[1][1]))
            self.nested(content[1][1], body)
            self.nested(content[2], body)
        elif kind == "Table":
            if body:
                o.tables.append((block_text(content[1][1]), tuple(_table_rows(content))))
                o.columns.append(tuple(_column(spec) for spec in content[2]))
            self.nested(content[1][1], body)
            for row in _all_rows(content):
                for cell in row[1]:
                    self.nested(cell[4], body)
        elif kind in ("RawBlock", "HorizontalRule"):
            pass
        else:
            raise AssertionError(f"block {kind} not handled")

    def nested(self, blocks: Sequence[Json], body: bool) -> None:
        """Blocks inside a table or figure: their inlines count, their paragraphs do not."""
        for block in blocks:
            if block["t"] in ("Para", "Plain"):
                self.inlines(block["c"], body)
            else:
                self.block(block, body)

    def inlines(self, inlines: Sequence[Json], body: bool, in_cite: bool = False) -> None:
        o = self.outline
        for node in inlines:
            kind, content = node["t"], node.get("c")
            if kind == "Note":
                o.notes.append((len(o.notes) + 1, block_text(content)))
                self.blocks(content, body=False)
            elif kind == "Cite":
                keys = tuple(c["citationId"] for c in content[0])
                o.citations.append((keys, norm(inline_text(content[1]))))
                self.inlines(content[1], body, in_cite=True)
            elif kind in _INLINE_KINDS:
                if body and not in_cite:
                    o.inlines.append((_INLINE_KINDS[kind], norm(inline_text(content))))
                self.inlines(content, body, in_cite)
            elif kind == "Code":
                if body and not in_cite:
                    o.inlines.append(("code", norm(content[1])))
            elif kind == "Link":
                if body and not in_cite:
                    o.links.append((norm(inline_text(content[1])), content[2][0]))
                self.inlines(content[1], body, in_cite)
            elif kind in ("Quoted", "Span"):
                if kind == "Span" and body and not in_cite:
                    o.attributes.append(_attributes("span", content[0]))
                self.inlines(content[1], body, in_cite)


def _attributes(kind: str, attr: Json) -> Attributes:
    ident, classes, pairs = attr
    return kind, ident, frozenset(classes), tuple((k, v) for k, v in pairs)


_ALIGN = {"AlignLeft": "left", "AlignRight": "right", "AlignCenter": "center", "AlignDefault": ""}


def _column(spec: Json) -> tuple[str, float | None]:
    align, width = spec
    percent = float(width["c"] * 100) if width["t"] == "ColWidth" else None
    return _ALIGN[align["t"]], percent


def _all_rows(table: Json) -> list[Json]:
    _attr, _caption, _specs, head, bodies, foot = table
    rows = list(head[1])
    for body in bodies:
        rows += body[2] + body[3]
    return rows + list(foot[1])


def pandoc_outline(source: Path, *options: str) -> Outline:
    reader = _AstReader()
    reader.blocks(pandoc_json(source, *options)["blocks"], body=True)
    return _finish(reader.outline)


# --------------------------------------------------------------------------- dossier's EPUB


def _q(tag: str) -> str:
    return f"{{{XHTML}}}{tag}"


def _classes(element: etree._Element) -> set[str]:
    return set(str(element.get("class", "")).split())


def _epub_types(element: etree._Element) -> set[str]:
    return set(str(element.get(f"{{{EPUB_NS}}}type", "")).split())


def _is_noteref(element: etree._Element) -> bool:
    return element.tag == _q("a") and "noteref" in _epub_types(element)


def _is_call(element: etree._Element) -> bool:
    """A note call and what only marks it: the link, its ``sup``, a separator between calls."""
    if _is_noteref(element):
        return True
    if element.tag == _q("sup"):
        if "fn-sep" in _classes(element):
            return True
        return any(_is_noteref(e) for e in element.iter(_q("a")))
    return False


_HTML_KINDS = {"em": "emph", "i": "emph", "strong": "strong", "b": "strong",
               "sup": "superscript", "sub": "subscript", "del": "strikeout", "s": "strikeout",
               "strike": "strikeout", "u": "underline", "ins": "underline"}  # fmt: skip


def _inline_kind(element: etree._Element) -> str | None:
    local = etree.QName(element).localname
    classes = _classes(element)
    style = str(element.get("style", "")).replace(" ", "")
    if "smallcaps" in classes or "small-caps" in classes or "font-variant:small-caps" in style:
        return "smallcaps"
    if "underline" in classes:
        return "underline"
    return _HTML_KINDS.get(local)


def element_text(element: etree._Element, with_tail: bool = False) -> str:
    """The text a reader sees, without note calls and note backlinks."""
    tail = (element.tail or "") if with_tail else ""
    if not isinstance(element.tag, str):  # comments, processing instructions
        return tail
    if _is_call(element) or element.get("role") == "doc-backlink":
        return tail
    local = etree.QName(element).localname
    if local == "br":
        return BREAK + tail
    if local == "input" and element.get("type") == "checkbox":
        return ("☒ " if element.get("checked") is not None else "☐ ") + tail
    inner = (element.text or "") + "".join(element_text(c, True) for c in element)
    if "csl-left-margin" in _classes(element):
        inner += " "
    return inner + tail


def _text(element: etree._Element) -> str:
    return norm(element_text(element))


def _inside(element: etree._Element, stop: etree._Element, tags: set[str]) -> bool:
    parent = element.getparent()
    while parent is not None and parent is not stop:
        if parent.tag in tags:
            return True
        parent = parent.getparent()
    return False


def _in_citation(element: etree._Element, stop: etree._Element) -> bool:
    parent = element.getparent()
    while parent is not None and parent is not stop:
        if "citation" in _classes(parent):
            return True
        parent = parent.getparent()
    return False


class _EpubReader:
    def __init__(self, files: dict[str, bytes]) -> None:
        self.outline = Outline()
        self.chapters: list[etree._Element] = []
        self.asides: dict[tuple[str, str], etree._Element] = {}
        opf = etree.fromstring(files["EPUB/content.opf"])
        hrefs = {i.get("id"): i.get("href") for i in opf.iter(f"{{{OPF}}}item")}
        for ref in opf.iter(f"{{{OPF}}}itemref"):
            href = str(hrefs[ref.get("idref")])
            if not re.fullmatch(r"chapter-\d+\.xhtml", href):
                continue
            root = etree.fromstring(files[f"EPUB/{href}"])
            for aside in root.iter(_q("aside")):
                if "footnote" in _epub_types(aside):
                    self.asides[(href, str(aside.get("id")))] = aside
            for section in root.iter(_q("section")):
                if "chapter" in _classes(section):
                    self.chapters.append(section)
                    self.current = href
                    self.walk(section, section, body=True)
                elif "bibliography" in _classes(section):
                    for entry in section.iter(_q("li")):
                        if "csl-entry" in _classes(entry):
                            item = (str(entry.get("id")), _text(entry))
                            self.outline.bibliography.append(item)

    def walk(self, element: etree._Element, top: etree._Element, body: bool) -> None:
        o = self.outline
        for child in element:
            if not isinstance(child.tag, str):
                continue
            local = etree.QName(child).localname
            if _is_noteref(child):
                target = str(child.get("href", ""))
                name, _, ident = target.partition("#")
                aside = self.asides[(name or self.current, ident)]
                number = int(norm("".join(str(t) for t in child.itertext())))
                o.notes.append((number, _text(aside)))
                self.walk(aside, aside, body=False)
                continue
            if "citation" in _classes(child) and child.get("data-cites") is not None:
                keys = tuple(str(child.get("data-cites")).split())
                o.citations.append((keys, _text(child)))
                self.walk(child, top, body)
                continue
            tables_figures = {_q("table"), _q("figure")}
            if body:
                if local in ("h1", "h2", "h3", "h4", "h5", "h6"):
                    o.headings.append((int(local[1]), _text(child)))
                    o.heading_ids.append(str(child.get("id", "")))
                    o.attributes.append(_element_attributes("heading", child))
                elif local == "p" and not _inside(child, top, tables_figures):
                    o.paragraphs.append(_text(child))
                elif local in ("ul", "ol"):
                    items = tuple(_text(li) for li in child if li.tag == _q("li"))
                    if local == "ul":
                        o.lists.append(("ul", 1, "", items))
                    else:
                        start = int(child.get("start", "1"))
                        o.lists.append(("ol", start, str(child.get("type", "1")), items))
                elif local == "dl":
                    self.definition_list(child)
                elif local == "table":
                    self.table(child)
                elif local == "figure":
                    caption = child.find(_q("figcaption"))
                    o.figures.append("" if caption is None else _text(caption))
                elif local == "pre":
                    o.code.append(_text(child))
                elif local == "div" and "line-block" in _classes(child):
                    o.line_blocks.append(lines(element_text(child)))
                elif local in ("div", "span") and not _in_citation(child, top):
                    o.attributes.append(_element_attributes(local, child))
                elif local == "blockquote":
                    o.quotes += 1
                elif local == "a" and child.get("role") != "doc-backlink":
                    if not _in_citation(child, top):
                        href = re.sub(r"^chapter-\d+\.xhtml(?=#)", "", str(child.get("href")))
                        o.links.append((_text(child), href))
                elif local == "code" and not _inside(child, top, {_q("pre")}):
                    counted = not _in_citation(child, top)
                    o.inlines += [("code", _text(child))] if counted else []
                kind = _inline_kind(child)
                if kind and not _is_call(child) and not _in_citation(child, top):
                    o.inlines.append((kind, _text(child)))
            if local == "pre":
                continue
            self.walk(child, top, body)

    def definition_list(self, dl: etree._Element) -> None:
        entries: list[tuple[str, list[str]]] = []
        for child in dl:
            if child.tag == _q("dt"):
                entries.append((_text(child), []))
            elif child.tag == _q("dd") and entries:
                entries[-1][1].append(_text(child))
        self.outline.definitions += [(term, tuple(dds)) for term, dds in entries]

    def table(self, table: etree._Element) -> None:
        caption = table.find(_q("caption"))
        rows = tuple(
            tuple(_text(cell) for cell in row if cell.tag in (_q("th"), _q("td")))
            for row in _iter_rows(table)
        )
        self.outline.tables.append(("" if caption is None else _text(caption), rows))
        self.outline.columns.append(_html_columns(table))


def _element_attributes(kind: str, element: etree._Element) -> Attributes:
    pairs = []
    for name, value in element.attrib.items():
        key = etree.QName(name).localname if str(name).startswith("{") else str(name)
        if key not in ("id", "class"):
            pairs.append((key, str(value)))
    return kind, str(element.get("id", "")), frozenset(_classes(element)), tuple(pairs)


def _alignment(element: etree._Element | None) -> str:
    """An element's alignment: ``text-align`` in its style, ``align``, or a class saying it."""
    if element is None:
        return ""
    style = re.search(r"text-align:\s*(left|right|center)", str(element.get("style", "")))
    if style:
        return style.group(1)
    if element.get("align") in ("left", "right", "center"):
        return str(element.get("align"))
    for name in _classes(element):
        for side in ("left", "right", "center"):
            if name in (side, f"align-{side}", f"text-{side}"):
                return side
    return ""


def _width(col: etree._Element | None) -> float | None:
    if col is None:
        return None
    found = re.search(r"width:\s*([\d.]+)%", str(col.get("style", "")))
    value = found.group(1) if found else str(col.get("width", "")).removesuffix("%")
    return float(value) if re.fullmatch(r"[\d.]+", value) else None


def _html_columns(table: etree._Element) -> tuple[tuple[str, float | None], ...]:
    """Each column's alignment (from the first row with a cell per column, else the ``col``)
    and width (from the ``col`` elements)."""
    cols = [c for group in table.iter(_q("colgroup")) for c in group if c.tag == _q("col")]
    rows = [[c for c in row if c.tag in (_q("th"), _q("td"))] for row in _iter_rows(table)]
    count = max([len(cols)] + [sum(int(c.get("colspan", "1")) for c in r) for r in rows])
    full = next((r for r in rows if len(r) == count), [None] * count)
    columns = []
    for index in range(count):
        col = cols[index] if index < len(cols) else None
        columns.append((_alignment(full[index]) or _alignment(col), _width(col)))
    return tuple(columns)


def _iter_rows(table: etree._Element) -> Iterator[etree._Element]:
    for child in table:
        if child.tag == _q("tr"):
            yield child
        elif child.tag in (_q("thead"), _q("tbody"), _q("tfoot")):
            yield from (row for row in child if row.tag == _q("tr"))


def epub_outline(path: Path) -> Outline:
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return _finish(_EpubReader(files).outline)


def style_is_note(style: Path) -> bool:
    """Whether a CSL style puts citations in notes (its ``class`` attribute)."""
    root = etree.parse(str(style)).getroot()
    return root.get("class") == "note"


def carries(actual: Attributes, expected: Attributes) -> bool:
    """Whether an element carries an AST node's attributes: same kind, the same id (when the
    node has one), every class, and every key-value pair (as ``key`` or ``data-key``)."""
    kind, ident, classes, pairs = expected
    a_kind, a_ident, a_classes, a_pairs = actual
    present = dict(a_pairs)
    return (
        kind == a_kind
        and (not ident or ident == a_ident)
        and classes <= a_classes
        and all(present.get(k, present.get(f"data-{k}")) == v for k, v in pairs)
    )


def missing_in_order(expected: Sequence[Attributes], actual: Sequence[Attributes]) -> list[Any]:
    """The expected nodes not found, in order, among the actual elements (empty: all found)."""
    position = 0
    for index, node in enumerate(expected):
        while position < len(actual) and not carries(actual[position], node):
            position += 1
        if position == len(actual):
            return list(expected[index:])
        position += 1
    return []


Columns = tuple[tuple[str, float | None], ...]


def same_columns(actual: Sequence[Columns], expected: Sequence[Columns]) -> bool:
    """Same alignments, and widths within one percentage point (writers round differently)."""

    def close(a: float | None, b: float | None) -> bool:
        return a is b is None or (a is not None and b is not None and abs(a - b) <= 1.0)

    if [len(x) for x in actual] != [len(y) for y in expected]:
        return False
    pairs = [
        (p, q) for x, y in zip(actual, expected, strict=True) for p, q in zip(x, y, strict=True)
    ]
    return all(p[0] == q[0] and close(p[1], q[1]) for p, q in pairs)


@dataclass(frozen=True)
class Case:
    """A Markdown file built to EPUB by dossier, and both outlines to compare."""

    source: Path
    result: Result
    epub: Outline
    pandoc: Outline
    in_text: bool = False
    """An in-text citation style (else notes)."""


def build_case(source: Path, out: Path, *pandoc_options: str, in_text: bool = False) -> Case:
    """``source`` built to EPUB into ``out``, read back, and read by Pandoc with the options."""
    result = build_one(source, BuildOptions(formats=("epub",), out=out))
    epubs = [a.path for a in result.artifacts if a.format == "epub"]
    assert epubs, [str(d) for d in result.diagnostics]
    return Case(
        source, result, epub_outline(epubs[0]), pandoc_outline(source, *pandoc_options), in_text
    )
