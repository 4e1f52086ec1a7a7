"""Pandoc blocks as dossier's HTML fragments: notes numbered in reading order (placeholders
that each writer fills), images checked, raw content by the ``raw-html`` policy, unique ids,
placed blocks, and the uncited-claim lint; every problem a diagnostic with ``path:line``."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape as html_unescape
from pathlib import Path

from markupsafe import escape

from ..checks.lints import factual_sentence
from ..citations.grades import grade_mark
from ..errors import Collector, Location
from ..markup.html import HtmlWriter, attributes, safe_url
from ..markup.locate import Locator
from ..markup.sanitize import depth, removed, sanitize
from ..model import BLOCK_MARK, NOTE_MARK, Dossier, Heading, Note, ast
from ..text.slugs import slugify

_RAW_ID = re.compile(r"""\s(id)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
"""An id in a raw HTML tag: made unique like every other id (Pandoc's test files repeat one)."""
_FOLLOWABLE = re.compile(r"#|[A-Za-z][A-Za-z0-9+.-]*:")
"""A fragment, or an address with a scheme (which ``safe_url`` has allowed)."""
RESERVED_IDS = {
    "cover",
    "key-points",
    "contents",
    "refs",
    "players",
    "positions",
    "timeline",
    "last-page",
    "endnotes",
}
PLACED = ("players", "positions", "timeline", "refs")
IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}
_UNDEFINED_NOTE = re.compile(r"\[\^[^\]\s]+\]")
_HTML = ("html", "html4", "html5")


def note_inline_html(block_html: str) -> str:
    """Note content as phrasing HTML on one line (print footnotes are inline boxes)."""
    html = block_html.strip()
    for tag in (
        "p",
        "ul",
        "ol",
        "li",
        "blockquote",
        "pre",
        "div",
        "h2",
        "h3",
        "h4",
        "dl",
        "dt",
        "dd",
        "table",
        "tr",
        "td",
        "th",
        "tbody",
        "thead",
        "figure",
        "figcaption",
    ):
        html = html.replace(f"<{tag}>", f'<span class="fn-{tag}">').replace(f"</{tag}>", "</span>")
        html = html.replace(f"<{tag} ", f'<span class="fn-{tag}" ')
    # WeasyPrint prints every source line break inside a footnote as a line break.
    return " ".join(html.split("\n"))


@dataclass(frozen=True, slots=True)
class Place:
    """Where a top-level block was written, and the source to search for what is inside it."""

    location: Location
    locator: Locator | None = None

    def find(self, needle: str) -> Location:
        if self.locator is None or not self.location.line:
            return self.location
        return Location(self.location.path, self.locator.find(needle, self.location.line))

    def locate(self, block: ast.Block) -> Location:
        if self.locator is None or not self.location.line:
            return self.location
        return Location(self.location.path, self.locator.locate(block, self.location.line))


def _contains(items: tuple[ast.Inline, ...], kinds: tuple[type, ...]) -> bool:
    found = False

    def look(inner: tuple[ast.Inline, ...]) -> tuple[ast.Inline, ...]:
        nonlocal found
        found = found or any(isinstance(i, kinds) for i in inner)
        return inner

    ast.map_inlines((ast.Plain(items),), look)
    return found


class Writer(HtmlWriter):
    """One walk over a dossier's blocks in reading order."""

    def __init__(self, dossier: Dossier, collector: Collector, allow_remote: bool) -> None:
        self.dossier = dossier
        self.collector = collector
        self.allow_remote = allow_remote
        self.by_key = {s.id: s for s in dossier.sources}
        self.notes: list[Note] = []
        self.log: list[str] = []
        """Every key cited, in reading order."""
        self.ids = set(RESERVED_IDS)
        self.anchors: list[tuple[str, Location]] = []
        """Every ``#anchor`` link, with where it was written: checked once all ids exist."""
        self.headings: list[Heading] = []
        self.title_html: dict[str, str] = {}
        self.assets: set[str] = set()
        self.remote: dict[str, Location] = {}
        self.placed: set[str] = set()
        self.place: Callable[[str], None] = lambda name: None
        self.lint_claims = False
        self._place = Place(dossier.location)
        self._in_note = False
        self._exempt = 0
        self._blocks = 0
        self._raw = 0
        self._raw_depth = 0

    # ---- walking -------------------------------------------------------------------------------

    def at(self, place: Place | None) -> None:
        if place is not None:
            self._place = place

    @property
    def where(self) -> Location:
        return self._place.location

    def render(self, blocks: tuple[ast.Block, ...], places: tuple[Place, ...]) -> str:
        """Top-level blocks, each with its place; raw HTML sanitised block by block."""
        out: list[str] = []
        # Pandoc splits raw HTML written across blank lines (a <table> whose rows are apart)
        # into several blocks: they are sanitised together, until their elements are closed.
        run: list[str] = []
        depth = 0
        for index, block in enumerate(blocks):
            self.at(places[index] if index < len(places) else None)
            self._raw = 0
            html = self.block(block)
            if not (run or self._raw) or self.dossier.raw_html != "sanitize":
                out.append(html)
                continue
            run.append(html)
            depth += self._raw_depth
            self._raw_depth = 0
            if depth <= 0:
                out.append(self._sanitized("".join(run)))
                run, depth = [], 0
        if run:
            out.append(self._sanitized("".join(run)))
        return "".join(out)

    def _sanitized(self, html: str) -> str:
        # Raw images obey the same rules as Markdown ones.
        return _RAW_IMAGE.sub(self._raw_image, sanitize(html))

    def entry(self, blocks: tuple[ast.Block, ...]) -> str:
        """A bibliography entry as phrasing HTML."""
        if len(blocks) == 1 and isinstance(blocks[0], ast.Para | ast.Plain):
            return self.inlines(blocks[0].content)
        return self.blocks(blocks)

    def unique_id(self, wanted: str) -> str:
        candidate, n = wanted, 1
        while candidate in self.ids:
            candidate = f"{wanted}-{n}"
            n += 1
        self.ids.add(candidate)
        return candidate

    def number(self) -> str:
        """``data-b``: the same block number in print and EPUB, so that print pages can be
        mapped into the EPUB (page-list) and layout repairs can name a block."""
        if self._in_note:
            return ""
        self._blocks += 1
        return f' data-b="{self._blocks}"'

    # ---- blocks --------------------------------------------------------------------------------

    def block(self, item: ast.Block) -> str:
        if isinstance(item, ast.Para) and self.lint_claims and not self._in_note:
            self._claim(item)
        self._handlers(item)
        return super().block(item)

    def inline(self, item: ast.Inline) -> str:
        self._handlers(item)
        return super().inline(item)

    def _handlers(self, item: ast.Block | ast.Inline) -> None:
        """An event attribute (``{onclick=…}``, or one on an HTML span Pandoc read) is never
        written out; say so."""
        attr = getattr(item, "attr", None)
        for key, _ in attr.attrs if isinstance(attr, ast.Attr) else ():
            if key.lower().startswith("on"):
                self.collector.warning(self.where, f"attribute {key}= is left out: no scripts")

    def _claim(self, para: ast.Para) -> None:
        """Warn about a body paragraph that states facts without citing anything."""
        if self._exempt or _contains(para.content, (ast.Cite, ast.Note)):
            return
        if sentence := factual_sentence(ast.stringify(para.content)):
            self.collector.warning(
                self._place.locate(para),
                f"uncited claim: “{sentence}” (cite a source, or mark the passage "
                "::: {.uncited-ok})",
            )

    def header(self, header: ast.Header) -> str:
        text = ast.stringify(header.content).strip()
        if self._in_note:
            return super().header(header)
        wanted = header.attr.id or slugify(text)
        ident = self.unique_id(wanted)
        level = min(header.level, 6)
        self.headings.append(Heading(level, ident, text))
        inner = self.inlines(header.content)
        self.title_html[ident] = inner
        return (
            f"<h{level}{attributes(header.attr, own_id=ident)}{self.number()}>{inner}</h{level}>\n"
        )

    def div(self, div: ast.Div) -> str:
        name = div.attr.id
        if name in PLACED and not self._in_note:
            if name in self.placed:
                self.collector.warning(
                    self.where, f"'{name}' is placed twice; only the first place is used"
                )
                return ""
            self.placed.add(name)
            self.place(name)
            return f'<div class="block-{name}">{BLOCK_MARK.format(name)}</div>\n'
        exempt = bool(set(div.attr.classes) & {"uncited-ok", "analysis"})
        self._exempt += exempt
        body = self.blocks(div.blocks)
        self._exempt -= exempt
        role = ' role="note"' if div.attr.classes else ""
        ident = self.unique_id(div.attr.id) if div.attr.id else ""
        return f"<div{attributes(div.attr, own_id=ident)}{role}>\n{body}</div>\n"

    def raw(self, fmt: str, text: str, block: bool) -> str:
        if fmt.lower() not in _HTML:
            self.collector.warning(
                self.where, f"raw {fmt} content is left out: the PDF and EPUB are HTML"
            )
            return ""
        policy = self.dossier.raw_html
        if policy == "refuse":
            self.collector.error(
                self.where,
                "raw HTML is not allowed here (raw-html: refuse); write Markdown instead",
            )
        if policy != "sanitize":
            shown = str(escape(text.strip() if block else text))
            return f"<p>{shown}</p>\n" if block else shown
        self._raw += 1
        self._raw_depth += depth(text)
        text = _RAW_ID.sub(self._raw_id, text)
        for what in removed(text):
            why = "no scripts" if what.endswith("=") else "sanitize keeps text and structure"
            kind = "attribute" if what.endswith("=") else "raw HTML"
            self.collector.warning(self.where, f"{kind} {what} is left out: {why}")
        return text + ("\n" if block else "")

    def _raw_id(self, match: re.Match[str]) -> str:
        wanted = next(g for g in match.groups()[1:] if g is not None)
        return f' id="{escape(self.unique_id(html_unescape(wanted)))}"'

    # ---- inlines -------------------------------------------------------------------------------

    def text(self, text: str) -> str:
        if "[^" in text and (match := _UNDEFINED_NOTE.search(text)):
            self.collector.warning(
                self._place.find(match.group()),
                f"footnote {match.group()} has no definition (it is printed as text)",
            )
        return str(escape(text))

    def math(self, math: ast.Math) -> str:
        self.collector.warning(
            self._place.find(math.text[:20]),
            "TeX math is shown as its source: dossier cannot typeset math",
        )
        return super().math(math)

    def note(self, note: ast.Note, suffix: str = "") -> str:
        if self._in_note:
            # Pandoc reads ``^[a ^[b]]`` as a note in a note; a note has no place for calls
            # of its own, so the inner one's text goes in the outer one, in parentheses.
            self.collector.warning(
                self.where, "a note inside a note is printed in it, in parentheses"
            )
            return f"({note_inline_html(self.blocks(note.blocks))}{suffix})"
        outer, self._in_note = self._in_note, True
        html = self.blocks(note.blocks).strip()
        self._in_note = outer
        if suffix:
            html = _append(html, suffix)
        number = len(self.notes) + 1
        self.notes.append(Note(number, html, note_inline_html(html), self.where))
        return NOTE_MARK.format(number)

    def cite(self, cite: ast.Cite) -> str:
        keys = [c.id for c in cite.citations]
        self.log += keys
        mark = str(grade_mark([self.by_key[k] for k in keys if k in self.by_key]))
        content = cite.content
        if len(content) == 1 and isinstance(content[0], ast.Note):
            # A note style's citation: the call alone, so calls side by side can be joined.
            return self.note(content[0], mark)
        keys_text = escape(" ".join(keys))
        inner = self.inlines(content)
        return f'<span class="citation" data-cites="{keys_text}">{inner}</span>{mark}'

    def link(self, link: ast.Link) -> str:
        where = self._place.find(link.url[:20]) if link.url else self.where
        if not safe_url(link.url):
            self.collector.warning(
                where, f"link to {link.url[:40]!r} is printed as text: its scheme is not allowed"
            )
        elif not _FOLLOWABLE.match(link.url):
            # A file next to the sources is not next to the PDF a reader was sent, and is
            # outside the EPUB's container: nothing to follow.
            self.collector.warning(
                where,
                f"link to {link.url[:40]!r} is printed as text: a link leads to a web address, "
                "mailto: or #an-anchor in the dossier",
            )
            return self.inlines(link.content)
        elif link.url.startswith("#") and not link.url.startswith("#ref-"):
            self.anchors.append((link.url[1:], where))
        if link.url.startswith("#ref-"):
            # Bibliography entries carry ids made from their keys (keys may hold any character).
            link = ast.Link(link.attr, link.content, "#ref-" + slugify(link.url[5:]), link.title)
        return super().link(link)

    def _raw_image(self, match: re.Match[str]) -> str:
        src = re.search(r'\ssrc="([^"]*)"', match.group())
        alt = re.search(r'\salt="([^"]*)"', match.group())
        description = alt.group(1).strip() if alt else ""
        instead = "its description is shown instead" if description else "it is left out"
        if src is None:
            return match.group()
        if self.check_image(html_unescape(src.group(1)), self.where, instead) is not None:
            return match.group()
        return placeholder(description)

    def image(self, image: ast.Image, figure: bool) -> str:
        alt = ast.stringify(image.content).strip()
        instead = "its description is shown instead" if alt else "it is left out"
        src = self.check_image(image.url, self._place.find(image.url), instead)
        if not alt:
            self.collector.warning(
                self._place.find(image.url),
                f"image '{src or image.url}' has no description (alt text)",
            )
        if src is None:
            return placeholder(str(escape(alt)))
        attrs, style = "", ""
        for key, value in image.attr.attrs:
            if key in ("width", "height"):
                if value.isdigit():
                    attrs += f' {key}="{escape(value)}"'
                else:
                    style += f"{key}: {value}; "  # Pandoc's width=60% is a style
        if image.attr.id:
            attrs += f' id="{escape(self.unique_id(image.attr.id))}"'
        if image.attr.classes:
            attrs += f' class="{escape(" ".join(image.attr.classes))}"'
        if style:
            attrs += f' style="{escape(style.strip())}"'
        return f'<img src="{escape(src)}" alt="{escape(alt)}"{attrs}/>'

    def check_image(self, src: str, at: Location, instead: str) -> str | None:
        """The image's path relative to the dossier folder (errors for missing files), its
        address if remote and fetched, or None if remote and not fetched (a warning saying
        what is shown ``instead``)."""
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", src):
            remote = src.lower().startswith(("http://", "https://"))
            if remote and self.allow_remote:
                self.remote.setdefault(src, at)
            elif remote:
                # A badge or a chart pasted from the web: the rest of the document stands.
                self.collector.warning(
                    at,
                    f"image '{src}' is not fetched (remote images need --allow-remote); {instead}",
                )
                return None
            else:
                self.collector.error(
                    at,
                    f"image '{src}' is not a local file (only http(s) images are fetched, "
                    "with --allow-remote)",
                )
            return src
        root = self.dossier.root
        if root is None:
            self.collector.error(at, f"image '{src}' needs a dossier folder to be found in")
            return src
        path = (root / src).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            self.collector.error(at, f"image not found in the dossier folder: {src}")
        elif path.suffix.lower() not in IMAGE_TYPES:
            self.collector.error(at, f"'{src}' is not a supported image type")
        else:
            self.assets.add(path.relative_to(root).as_posix())
        return Path(src).as_posix()


_RAW_IMAGE = re.compile(r"<img\b[^>]*>")


def placeholder(description_html: str) -> str:
    """What stands in for an image that is not fetched: its description, as text that shows
    it stands for an image (``image-placeholder`` in the theme's CSS); nothing without one."""
    if not description_html:
        return ""
    return f'<span class="image-placeholder">{description_html}</span>'


def _append(html: str, suffix: str) -> str:
    """``suffix`` inside the last paragraph of ``html``."""
    index = html.rfind("</p>")
    return html[:index] + suffix + html[index:] if index >= 0 else html + suffix
