"""Citations to numbered notes: one series for citation groups and Markdown footnotes."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from . import cite_styles
from .csl_style import CslStyle
from .errors import Collector, Location
from .lints import grade
from .markdown import CitationGroup, CitationItem
from .model import NOTE_MARK, Note, Source
from .slugs import slugify
from .terms import terms as terms_for


def note_inline_html(block_html: str) -> str:
    """Note content as phrasing HTML on one line (print footnotes are inline boxes)."""
    html = block_html.strip()
    for tag in ("p", "ul", "ol", "li", "blockquote", "pre", "div", "h2", "h3", "h4"):
        html = html.replace(f"<{tag}>", f'<span class="fn-{tag}">').replace(f"</{tag}>", "</span>")
        html = html.replace(f"<{tag} ", f'<span class="fn-{tag}" ')
    # WeasyPrint prints every source line break inside a footnote as a line break.
    return " ".join(html.split("\n"))


@dataclass(slots=True)
class Notes:
    """Numbers notes in document order and formats citations with the built-in note style."""

    sources: Sequence[Source]
    lang: str
    collector: Collector
    notes: list[Note] = field(default_factory=list)
    cited: list[str] = field(default_factory=list)
    """Keys in order of first citation."""
    log: list[str] = field(default_factory=list)
    """Every key cited, in order (to know what one passage cites)."""
    style: CslStyle | None = None
    """A CSL style; None for the built-in note style."""
    collecting: bool = False
    """First pass with a CSL style: only register citations (see ``CslStyle``)."""
    by_key: dict[str, Source] = field(default_factory=dict)
    _last_key: str = ""

    def __post_init__(self) -> None:
        self.by_key = {s.id: s for s in self.sources}

    @property
    def terms(self) -> Mapping[str, str]:
        return terms_for(self.lang)

    def add(self, block_html: str, location: Location, cites: bool = False) -> str:
        """A new note with this content; returns the placeholder for its call."""
        if not cites:
            self._last_key = ""  # "Ibid." only right after a note citing that one source
        number = len(self.notes) + 1
        self.notes.append(Note(number, block_html, note_inline_html(block_html), location))
        return NOTE_MARK.format(number)

    def source(self, item: CitationItem, location: Location, written: str) -> Source | None:
        """The source an item cites, or None (with an error) when there is none."""
        if item.key.startswith("#"):
            index = int(item.key[1:])
            if 1 <= index <= len(self.sources):
                return self.sources[index - 1]
            self.collector.error(
                location,
                f"citation {written} refers to source {index}, but the bibliography "
                f"has {len(self.sources)}",
            )
            return None
        found = self.by_key.get(item.key)
        if found is None:
            self.collector.error(location, f"unknown citation key '{item.key}' in {written}")
        return found

    def format(self, group: CitationGroup, location: Location) -> list[Markup]:
        """Each item of a group as note text: full on first citation, short after."""
        parts = []
        for item in group.items:
            source = self.source(item, location, group.source)
            if source is None:
                continue
            href = f"#ref-{slugify(source.id)}"
            self.log.append(source.id)
            if source.id not in self.cited:
                self.cited.append(source.id)
                text = cite_styles.full_note(source.data, item, self.terms, href)
            elif source.id == self._last_key and len(group.items) == 1:
                text = Markup('<a class="to-ref" href="{}">{}</a>').format(href, self._ibid(item))
            else:
                text = cite_styles.short_note(source.data, item, self.terms, href)
            self._last_key = source.id if len(group.items) == 1 else ""
            parts.append(
                Markup('<span class="citation" data-key="{}">{}</span>{}').format(
                    source.id, text, grade_mark([source])
                )
            )
        return parts

    def _ibid(self, item: CitationItem) -> Markup:
        loc = cite_styles.locator(item, self.lang)
        ibid = self.terms["ibid"]
        return escape(f"{ibid[:-1]}, {loc}" if loc and ibid.endswith(".") else ibid)

    def _csl(self, group: CitationGroup, location: Location, in_note: bool) -> str:
        """A citation group in the CSL style: a note (note styles) or text (in-text styles)."""
        assert self.style is not None
        found = [self.source(item, location, group.source) for item in group.items]
        if any(s is None for s in found):
            return str(escape(group.source))
        keys = [s.id for s in found if s is not None]
        self.log += keys
        for key in keys:
            if key not in self.cited:
                self.cited.append(key)
        if self.collecting:
            self.style.register(group, keys)
            return ""
        text = self.style.cite()
        lead = ""
        if group.in_text and found[0] is not None:
            names = cite_styles.in_text_authors(found[0].data, self.terms)
            lead = str(escape(names)) + " "
            text = _without_author(text, names) if self.style.in_text else text
        elif group.items[0].suppress_author and found[0] is not None:
            text = _without_author(text, cite_styles.in_text_authors(found[0].data, self.terms))
        if in_note and not self.style.in_text:
            text = text.removesuffix(".")  # the note's own sentence ends it
        linked = f'<a class="citation" href="#ref-{slugify(keys[0])}">{text}</a>'
        linked += str(grade_mark([s for s in found if s is not None]))
        if self.style.in_text or in_note:
            return lead + linked
        return lead.rstrip() + self.add(f"<p>{linked}</p>", location, cites=True)

    def cite(self, group: CitationGroup, location: Location, in_note: bool) -> str:
        """HTML for a citation group where it is written: a note call, or text inside a note."""
        if self.style is not None:
            return self._csl(group, location, in_note)
        parts = self.format(group, location)
        if not parts:
            return escape(group.source)
        text = Markup("; ").join(parts)
        if in_note:
            return str(text)
        lead = ""
        if group.in_text:
            source = self.source(group.items[0], location, group.source)
            if source is not None and not group.items[0].suppress_author:
                lead = str(escape(cite_styles.in_text_authors(source.data, self.terms)))
        plain = re.sub(r"<[^>]+>", "", str(text))
        end = "" if plain.endswith((".", "?", "!")) else "."
        return lead + self.add(f"<p>{text}{end}</p>", location, cites=True)

    def new_chapter(self) -> None:
        """A chapter starts: its first note about a source is never "Ibid."."""
        self._last_key = ""

    def mark_uncited(self, keys: Sequence[str]) -> None:
        """``nocite`` keys join the bibliography without a note (``*`` means every source)."""
        wanted = [s.id for s in self.sources] if "*" in keys or "@*" in keys else keys
        new = []
        for key in wanted:
            key = key.lstrip("@")
            if key in self.by_key and key not in self.cited:
                self.cited.append(key)
                new.append(key)
        if self.style is not None and self.collecting:
            self.style.register_uncited(new)


def _without_author(text: str, names: str) -> str:
    """A CSL citation without its author names (``[-@key]``, or an in-text ``@key`` whose
    names are already in the sentence): citeproc-py has no suppress-author."""
    if match := re.match(r"^\(([^()]*?), (.*)$", text, re.DOTALL):
        return "(" + match.group(2)  # author-date: "(Doe & Roe, 2020, p. 3)" -> "(2020, p. 3)"
    for candidate in (names + ", ", names + " ", names):
        if candidate and candidate in text:
            return text.replace(candidate, "", 1)
    return text


def grade_mark(sources: Sequence[Source]) -> Markup:
    """`` [B2]`` after a citation: the sources' NATO/Admiralty grades, when they have one."""
    grades = [g for g in (grade(s) for s in sources) if g]
    if not grades:
        return Markup("")
    return Markup(' <span class="grade" title="{0}">[{0}]</span>').format("; ".join(grades))
