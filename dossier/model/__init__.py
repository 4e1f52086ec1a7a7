"""The content of a briefing as frozen, typed values: what loaders produce and writers consume."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Diagnostic, Location

if TYPE_CHECKING:  # the AST's classes are imported by what reads or walks blocks, not here:
    # a dossier is loaded (and its Markdown sent to pandoc) before they are needed
    from .ast import Block

MEMORY = Location("<python>")
"""Where content built in Python code comes from, for diagnostics."""


def _freeze(obj: object, name: str, kind: type[Any]) -> None:
    """Turn a list given by a caller into a tuple of ``kind`` (str -> Markdown etc.)."""
    value = getattr(obj, name)
    items = tuple(value)
    object.__setattr__(obj, name, tuple(kind(i) if isinstance(i, str) else i for i in items))


@dataclass(frozen=True, slots=True)
class Markdown:
    """A piece of Markdown (with citations) and where it was written; once read, also the
    blocks Pandoc read from it and the line each top-level block starts on."""

    text: str
    location: Location = MEMORY
    blocks: tuple[Block, ...] = ()
    lines: tuple[int, ...] = ()


def as_markdown(value: str | Markdown) -> Markdown:
    return Markdown(value) if isinstance(value, str) else value


@dataclass(frozen=True, slots=True)
class Author:
    """A person or body credited on the cover and in the metadata."""

    name: str
    affiliation: str = ""
    email: str = ""


@dataclass(frozen=True, slots=True)
class Source:
    """One bibliography entry; ``data`` is the item in CSL-JSON form."""

    id: str
    data: Mapping[str, Any] = field(default_factory=dict)
    location: Location = MEMORY

    @property
    def title(self) -> str:
        return str(self.data.get("title", ""))


@dataclass(frozen=True, slots=True)
class Chapter:
    """A chapter file's Markdown, or typed blocks built in code. Each ``# Heading`` starts a
    chapter of the output; ``title`` gives one to content without a leading heading."""

    markdown: str = ""
    location: Location = MEMORY
    """Where the first line of ``markdown`` is."""
    title: str = ""
    """A title for content that has no leading ``# Heading``."""
    blocks: tuple[Block, ...] = ()
    """The content as Pandoc blocks: given in code, or read from ``markdown``."""
    lines: tuple[int, ...] = ()
    """The line each top-level block starts on (read from ``markdown``)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "blocks", tuple(self.blocks))


Section = Chapter
"""The name the Python API also accepts for a chapter."""


@dataclass(frozen=True, slots=True)
class Player:
    """A key player: who they are, which party they stand with, and their position."""

    name: str
    role: str = ""
    party: str = ""
    position: Markdown = Markdown("")
    location: Location = MEMORY

    def __post_init__(self) -> None:
        object.__setattr__(self, "position", as_markdown(self.position))


@dataclass(frozen=True, slots=True)
class Stance:
    """What one party holds on one issue."""

    party: str
    text: Markdown

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", as_markdown(self.text))


@dataclass(frozen=True, slots=True)
class Issue:
    """One row of the positions matrix: an issue and each party's stance on it."""

    issue: str
    stances: tuple[Stance, ...] = ()
    location: Location = MEMORY

    def __post_init__(self) -> None:
        object.__setattr__(self, "stances", tuple(self.stances))


@dataclass(frozen=True, slots=True)
class Event:
    """A dated entry of the timeline; ``date`` is free text such as ``2022`` or ``2025-03-11``."""

    date: str
    event: Markdown
    location: Location = MEMORY

    def __post_init__(self) -> None:
        object.__setattr__(self, "event", as_markdown(self.event))


@dataclass(frozen=True, slots=True)
class Dossier:
    """A whole briefing: metadata, front matter, chapters and sources."""

    title: str
    chapters: Sequence[Chapter] = ()
    sources: Sequence[Source] = ()
    subtitle: str = ""
    authors: Sequence[Author] = ()
    date: dt.date | None = None
    lang: str = "en"
    dir: str = "ltr"
    keywords: Sequence[str] = ()
    subject: str = ""
    abstract: str = ""
    publisher: str = ""
    rights: str = ""
    identifier: str = ""
    version: str = ""
    classification: str = ""
    summary: Sequence[Markdown] = ()
    """Key points, shown before the contents."""
    players: Sequence[Player] = ()
    positions: Sequence[Issue] = ()
    timeline: Sequence[Event] = ()
    numeric_citations: bool = False
    """``[1]``, ``[2, 5]`` cite the n-th source in file order."""
    nocite: Sequence[str] = ()
    """Keys to list in the bibliography though not cited; ``*`` lists all."""
    csl: str = ""
    """A CSL style file for notes and bibliography (the built-in note style when empty)."""
    cover_image: str = ""
    paper: str = "A4"
    lint_ignore: Sequence[str] = ()
    """Dossier-wide lints to skip: ``uncited-stance``, ``player-party``."""
    raw_html: str = "sanitize"
    """Raw HTML in Markdown: ``escape`` (shown as text), ``sanitize`` (kept through an
    allow-list) or ``refuse`` (an error)."""
    mirror_margins: bool = False
    """Wider inner margins on facing pages, for printing on both sides."""
    layout: str = "auto"
    """Print layout: ``brief``, ``report`` or ``auto`` (by size, see ``layouts``)."""
    theme: str = "default"
    slug: str = ""
    """Name of the output folder and files; derived from the title when empty."""
    root: Path | None = None
    """Folder that images and other assets are relative to (and confined to)."""
    location: Location = MEMORY
    """Where the metadata was written."""
    places: Mapping[str, Location] = field(default_factory=dict)
    """Where each metadata key was written, for messages about its value."""
    diagnostics: Sequence[Diagnostic] = ()
    """Warnings found while loading."""

    def at(self, key: str) -> Location:
        """Where the metadata key ``key`` was written (else where the metadata was)."""
        return self.places.get(key, self.location)

    def __post_init__(self) -> None:
        _freeze(self, "chapters", Chapter)
        _freeze(self, "sources", Source)
        _freeze(self, "authors", Author)
        _freeze(self, "keywords", str)
        _freeze(self, "summary", Markdown)
        _freeze(self, "players", Player)
        _freeze(self, "positions", Issue)
        _freeze(self, "timeline", Event)
        _freeze(self, "nocite", str)
        _freeze(self, "lint_ignore", str)
        _freeze(self, "diagnostics", Diagnostic)


# ---- after resolution: HTML fragments and numbered notes --------------------------------------

NOTE_MARK = "\x00n:{}\x00"
"""Placeholder for the call of note N in resolved HTML; each writer puts its own markup there."""
BLOCK_MARK = "\x00block:{}\x00"
"""Placeholder for a generated block (players, positions, timeline, refs) in resolved HTML."""


@dataclass(frozen=True, slots=True)
class Note:
    """A numbered footnote: a citation group or a Markdown footnote."""

    number: int
    html: str
    """Block HTML (paragraphs), for EPUB asides."""
    inline_html: str
    """The same content as phrasing HTML with no line breaks, for print footnotes."""
    location: Location


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading inside a chapter, for the contents and bookmarks."""

    level: int
    id: str
    text: str


@dataclass(frozen=True, slots=True)
class ResolvedChapter:
    """A chapter as HTML with note and block placeholders."""

    id: str
    title: str
    title_html: str
    html: str
    headings: tuple[Heading, ...] = ()
    kind: str = "chapter"
    """``chapter``, or ``appendix`` / ``bibliography`` for generated ones."""


@dataclass(frozen=True, slots=True)
class ResolvedPlayer:
    name: str
    role: str
    party: str
    position_html: str


@dataclass(frozen=True, slots=True)
class ResolvedIssue:
    issue: str
    cells: tuple[str, ...]
    """HTML per party, in the order of ``ResolvedDossier.parties``; empty when not stated."""


@dataclass(frozen=True, slots=True)
class ResolvedEvent:
    date: str
    html: str


@dataclass(frozen=True, slots=True)
class BibEntry:
    """A formatted bibliography entry; ``id`` is the anchor (``ref-<key>``)."""

    id: str
    key: str
    html: str


@dataclass(frozen=True, slots=True)
class FormattedBlocks:
    """The content as Pandoc blocks with every citation formatted, for a writer that hands one
    whole document to Pandoc (the DOCX). Walked in this order (positions row by row, in the
    columns' order), their notes come in the order the PDF numbers them."""

    summary: tuple[tuple[Block, ...], ...] = ()
    chapters: tuple[Block, ...] = ()
    """Every chapter's blocks in one stream; a level-1 heading starts a chapter."""
    players: tuple[tuple[Block, ...], ...] = ()
    """Each player's position."""
    stances: tuple[tuple[tuple[str, tuple[Block, ...]], ...], ...] = ()
    """Per issue, (party, stance) in the order of ``ResolvedDossier.parties``."""
    timeline: tuple[tuple[Block, ...], ...] = ()
    bibliography: tuple[tuple[str, tuple[Block, ...]], ...] = ()
    """(source id, entry) in the order of ``ResolvedDossier.bibliography``."""


@dataclass(frozen=True, slots=True)
class ResolvedDossier:
    """Everything the renderer needs: metadata, HTML fragments and notes in document order."""

    dossier: Dossier
    summary: tuple[str, ...]
    chapters: tuple[ResolvedChapter, ...]
    players: tuple[ResolvedPlayer, ...]
    parties: tuple[str, ...]
    positions: tuple[ResolvedIssue, ...]
    timeline: tuple[ResolvedEvent, ...]
    notes: tuple[Note, ...]
    bibliography: tuple[BibEntry, ...]
    assets: tuple[str, ...]
    """Files (images) the HTML refers to, relative to the dossier folder."""
    remote: tuple[tuple[str, Location], ...]
    """Remote image URLs (allowed with --allow-remote) and where each is first used."""
    diagnostics: tuple[Diagnostic, ...]
    graded: tuple[tuple[str, str, str, str], ...] = ()
    """(grade, reliability, credibility, entry HTML) for graded sources, best first."""
    blocks: FormattedBlocks = FormattedBlocks()
    """The same content as Pandoc blocks (for the DOCX)."""
