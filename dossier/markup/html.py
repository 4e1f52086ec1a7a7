"""Pandoc blocks and inlines as HTML that is also well-formed XHTML (the EPUB's), with hooks
for what dossier decides: notes, citations, images, raw content, identifiers, divs."""

from __future__ import annotations

import re

from markupsafe import escape

from ..model import ast

ALLOWED_ATTRS = ("lang", "dir", "width", "height", "title")
"""Key-value attributes kept as they are from ``{...}``: enough for language and size, nothing
that runs, fetches or styles; the others become ``data-`` attributes, as Pandoc's HTML writer
makes them (ids and classes are kept too)."""
_NAME = re.compile(r"^[A-Za-z_][\w.-]*$")
_STYLED = {
    "Emph": "em",
    "Strong": "strong",
    "Underline": "u",
    "Strikeout": "del",
    "Superscript": "sup",
    "Subscript": "sub",
}
_LIST_TYPES = {
    "LowerRoman": "i",
    "UpperRoman": "I",
    "LowerAlpha": "a",
    "UpperAlpha": "A",
    "Decimal": "1",
}
_ALIGN = {"AlignLeft": "left", "AlignRight": "right", "AlignCenter": "center"}
_SAFE_SCHEMES = ("http:", "https:", "mailto:", "tel:", "ftp:")
ATTRIBUTION = ("—", "–", "―")
"""Dashes that open the last paragraph of a block quote naming who said it."""


def attributes(attr: ast.Attr, *extra_classes: str, own_id: str | None = None) -> str:
    """``attr`` as HTML attributes; ``own_id`` replaces the id."""
    pairs: dict[str, str] = {}
    ident = attr.id if own_id is None else own_id
    if ident:
        pairs["id"] = ident
    classes = [*extra_classes, *attr.classes]
    if classes:
        pairs["class"] = " ".join(dict.fromkeys(classes))
    for key, value in attr.attrs:
        if key in ALLOWED_ATTRS:
            pairs[key] = value
        elif _NAME.match(key) and not key.lower().startswith("on"):  # no event handlers
            pairs[key if key.startswith("data-") else f"data-{key.lower()}"] = value
    # Pandoc's order: id, classes, then the attributes as written.
    return "".join(f' {k}="{escape(v)}"' for k, v in pairs.items())


def safe_url(url: str) -> bool:
    """Relative, fragment and ordinary scheme links; never ``javascript:`` and the like."""
    head = url.split("/", 1)[0].split("#", 1)[0].split("?", 1)[0]
    return ":" not in head or url.lower().startswith(_SAFE_SCHEMES)


class HtmlWriter:
    """One walk over blocks, in document order; subclasses fill in the hooks."""

    # ---- hooks ---------------------------------------------------------------------------------

    def note(self, note: ast.Note) -> str:
        """A note's call (the note itself is dossier's to number and place)."""
        return ""

    def cite(self, cite: ast.Cite) -> str:
        keys = escape(" ".join(c.id for c in cite.citations))
        return f'<span class="citation" data-cites="{keys}">{self.inlines(cite.content)}</span>'

    def image(self, image: ast.Image, figure: bool) -> str:
        alt = escape(ast.stringify(image.content))
        return f'<img src="{escape(image.url)}" alt="{alt}"{attributes(image.attr)}/>'

    def raw(self, fmt: str, text: str, block: bool) -> str:
        return ""

    def math(self, math: ast.Math) -> str:
        delimiter = "$$" if math.display else "$"
        return f'<code class="math">{escape(delimiter + math.text + delimiter)}</code>'

    _in_link = False

    def link(self, link: ast.Link) -> str:
        if not safe_url(link.url) or self._in_link:
            return self.inlines(link.content)  # no link in a link: HTML forbids it
        title = f' title="{escape(link.title)}"' if link.title else ""
        opening = f'<a href="{escape(link.url)}"{title}{attributes(link.attr)}>'
        # Citeproc links a whole citation to its entry, URLs inside it included: the outer
        # link pauses around each inner one.
        parts: list[str] = []
        run: list[ast.Inline] = []
        for item in link.content:
            if isinstance(item, ast.Link) and safe_url(item.url):
                parts.append(self._linked(opening, tuple(run)))
                parts.append(self.link(item))
                run = []
            else:
                run.append(item)
        if run or not parts:
            parts.append(self._linked(opening, tuple(run), empty_ok=not parts))
        return "".join(parts)

    def _linked(self, opening: str, content: tuple[ast.Inline, ...], empty_ok: bool = False) -> str:
        if not content and not empty_ok:
            return ""
        self._in_link = True
        try:
            return f"{opening}{self.inlines(content)}</a>"
        finally:
            self._in_link = False

    def text(self, text: str) -> str:
        return str(escape(text))

    def header(self, header: ast.Header) -> str:
        level = min(header.level, 6)
        return (
            f"<h{level}{attributes(header.attr)}{self.number()}>"
            f"{self.inlines(header.content)}</h{level}>\n"
        )

    def div(self, div: ast.Div) -> str:
        return f"<div{attributes(div.attr)}>\n{self.blocks(div.blocks)}</div>\n"

    def number(self) -> str:
        """Extra attributes for a paragraph, heading or list item (a block number)."""
        return ""

    # ---- inlines -------------------------------------------------------------------------------

    def inlines(self, items: tuple[ast.Inline, ...]) -> str:
        return "".join(self.inline(i) for i in items)

    def inline(self, item: ast.Inline) -> str:
        match item:
            case ast.Str(text):
                return self.text(text)
            case ast.Space() | ast.SoftBreak():
                return " "
            case ast.LineBreak():
                return "<br/>"
            case ast.Styled("SmallCaps", content):
                return f'<span class="smallcaps">{self.inlines(content)}</span>'
            case ast.Styled(kind, content):
                tag = _STYLED[kind]
                return f"<{tag}>{self.inlines(content)}</{tag}>"
            case ast.Quoted(double, content):
                left, right = ("“", "”") if double else ("‘", "’")
                return f"{left}{self.inlines(content)}{right}"
            case ast.Cite():
                return self.cite(item)
            case ast.Code(attr, text):
                return f"<code{attributes(attr)}>{escape(text)}</code>"
            case ast.Math():
                return self.math(item)
            case ast.RawInline(fmt, text):
                return self.raw(fmt, text, block=False)
            case ast.Link():
                return self.link(item)
            case ast.Image():
                return self.image(item, figure=False)
            case ast.Note():
                return self.note(item)
            case ast.Span(attr, content):
                tag = "mark" if "mark" in attr.classes else "span"
                return f"<{tag}{attributes(attr)}>{self.inlines(content)}</{tag}>"
        raise TypeError(f"not an inline: {item!r}")

    # ---- blocks --------------------------------------------------------------------------------

    def blocks(self, items: tuple[ast.Block, ...]) -> str:
        return "".join(self.block(b) for b in items)

    def block(self, item: ast.Block) -> str:
        match item:
            case ast.Plain(content):
                return self.inlines(content)
            case ast.Para(content):
                return f"<p{self.number()}>{self.inlines(content)}</p>\n"
            case ast.LineBlock(lines):
                body = "<br/>".join(self.inlines(line) for line in lines)
                return f'<div class="line-block">{body}</div>\n'
            case ast.CodeBlock(attr, text):
                return f"<pre><code{attributes(attr)}>{escape(text)}</code></pre>\n"
            case ast.RawBlock(fmt, text):
                return self.raw(fmt, text, block=True)
            case ast.BlockQuote(content):
                return f"<blockquote>\n{self._quote(content)}</blockquote>\n"
            case ast.OrderedList():
                return self._ordered(item)
            case ast.BulletList(entries):
                return f"<ul>\n{self._items(entries)}</ul>\n"
            case ast.DefinitionList(entries):
                return self._definitions(entries)
            case ast.Header():
                return self.header(item)
            case ast.HorizontalRule():
                return "<hr/>\n"
            case ast.Table():
                return self._table(item)
            case ast.Figure(attr, caption, content):
                images = self.blocks(content)
                text = self.blocks(caption.blocks)
                figcaption = f"<figcaption>{text}</figcaption>" if text else ""
                return f"<figure{attributes(attr, 'figure')}>{images}{figcaption}</figure>\n"
            case ast.Div():
                return self.div(item)
        raise TypeError(f"not a block: {item!r}")

    def _quote(self, content: tuple[ast.Block, ...]) -> str:
        last = content[-1] if content else None
        if (
            len(content) > 1
            and isinstance(last, ast.Para)
            and ast.stringify(last.content).lstrip().startswith(ATTRIBUTION)
        ):
            head = self.blocks(content[:-1])
            return f'{head}<p class="attribution"{self.number()}>{self.inlines(last.content)}</p>\n'
        return self.blocks(content)

    def _items(self, entries: tuple[tuple[ast.Block, ...], ...]) -> str:
        return "".join(f"<li{self.number()}>{self.blocks(e).strip()}</li>\n" for e in entries)

    def _ordered(self, item: ast.OrderedList) -> str:
        attrs = f' start="{item.start}"' if item.start != 1 else ""
        if kind := _LIST_TYPES.get(item.style):
            attrs += f' type="{kind}"'
        if item.style == "Example":
            attrs += ' class="example"'
        return f"<ol{attrs}>\n{self._items(item.items)}</ol>\n"

    def _definitions(
        self, entries: tuple[tuple[tuple[ast.Inline, ...], tuple[tuple[ast.Block, ...], ...]], ...]
    ) -> str:
        parts = []
        for term, definitions in entries:
            parts.append(f"<dt>{self.inlines(term)}</dt>\n")
            parts += [f"<dd>{self.blocks(d).strip()}</dd>\n" for d in definitions]
        return f"<dl>\n{''.join(parts)}</dl>\n"

    def _table(self, table: ast.Table) -> str:
        parts = [f"<table{attributes(table.attr)}>\n"]
        caption = self.blocks(table.caption.blocks).strip()
        if caption:
            parts.append(f"<caption>{caption}</caption>\n")
        if any(spec.width for spec in table.colspecs):
            cols = "".join(
                f'<col style="width: {spec.width * 100:.0f}%"/>' if spec.width else "<col/>"
                for spec in table.colspecs
            )
            parts.append(f"<colgroup>{cols}</colgroup>\n")
        aligns = [spec.align for spec in table.colspecs]
        if table.head:
            parts.append(f"<thead>\n{self._rows(table.head, aligns, 0, header=True)}</thead>\n")
        for body in table.bodies:
            rows = self._rows(body.head, aligns, 0, header=True)
            rows += self._rows(body.rows, aligns, body.row_head_columns, header=False)
            parts.append(f"<tbody>\n{rows}</tbody>\n")
        if table.foot:
            parts.append(f"<tfoot>\n{self._rows(table.foot, aligns, 0, header=False)}</tfoot>\n")
        parts.append("</table>\n")
        return "".join(parts)

    def _rows(self, rows: tuple[ast.Row, ...], aligns: list[str], heads: int, header: bool) -> str:
        out = []
        for row in rows:
            cells, column = [], 0
            for index, cell in enumerate(row.cells):
                is_head = header or index < heads
                tag = "th" if is_head else "td"
                attrs = f' scope="{"col" if header else "row"}"' if is_head else ""
                align = (
                    cell.align
                    if cell.align != "AlignDefault"
                    else (aligns[column] if column < len(aligns) else "AlignDefault")
                )
                if align in _ALIGN:
                    attrs += f' style="text-align: {_ALIGN[align]}"'
                if cell.rowspan > 1:
                    attrs += f' rowspan="{cell.rowspan}"'
                if cell.colspan > 1:
                    attrs += f' colspan="{cell.colspan}"'
                cells.append(f"<{tag}{attrs}>{self.blocks(cell.blocks).strip()}</{tag}>")
                column += cell.colspan
            out.append(f"<tr{attributes(row.attr)}>{''.join(cells)}</tr>\n")
        return "".join(out)
