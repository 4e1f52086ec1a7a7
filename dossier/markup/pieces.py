"""The dossier's Markdown as pandoc reads it: every chapter file and metadata fragment joined
in reading order, each followed by a marker (``reader`` cuts pandoc's blocks there). Apart
from the reader so that the text can go to pandoc as soon as the dossier is loaded, before
the modules that read pandoc's answer (and the AST's classes) are imported."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import Location
from ..model import Dossier, Markdown
from ..runtime import pandoc

FORMAT = "markdown"
"""Pandoc's Markdown with its default extensions: what users' Pandoc files are written in."""
MARKER = "<!--dossier:piece:{}-->"


@dataclass(frozen=True, slots=True)
class Piece:
    """One chapter file or metadata fragment in the text pandoc reads."""

    text: str
    location: Location
    first: int
    """The line of the piece's first line in the text given to pandoc."""


def _fragments(dossier: Dossier) -> Iterator[Markdown]:
    """Every Markdown value of the metadata, in reading order."""
    yield from dossier.summary
    for player in dossier.players:
        yield player.position
    for issue in dossier.positions:
        for stance in issue.stances:
            yield stance.text
    for event in dossier.timeline:
        yield event.event


def reading(dossier: Dossier) -> tuple[list[Piece], str, str] | None:
    """What pandoc reads of the dossier: its pieces, their text joined, and the reader."""
    texts = [(c.markdown, c.location) for c in dossier.chapters if not c.blocks]
    texts += [(m.text, m.location) for m in _fragments(dossier) if not m.blocks]
    if not texts:
        return None
    pieces, source = _join(texts)
    # Pandoc reads <div> and <span> as its own divs and spans (attributes filtered when they
    # are written); under ``raw-html: refuse`` they stay raw HTML, so that they are refused.
    reader = FORMAT + ("-native_divs-native_spans" if dossier.raw_html == "refuse" else "")
    return pieces, source, reader


def read_ahead(dossier: Dossier) -> None:
    """Have pandoc start reading the dossier just loaded (``pandoc.convert_ahead``), while
    the resolving stage is imported and begins: ``reader.read`` takes the answer if the text
    it reads is the same (unless characters were dropped, it is)."""
    if found := reading(dossier):
        _, source, reader = found
        pandoc.convert_ahead(source, reader, "json", dossier.location)


def _join(texts: list[tuple[str, Location]]) -> tuple[list[Piece], str]:
    """One Markdown text of all pieces, each followed by its marker (after, not before: a
    title block is only read at the very start)."""
    pieces, parts, line = [], [], 1
    for index, (text, location) in enumerate(texts):
        body = text.rstrip("\n")
        pieces.append(Piece(body, location, line))
        part = f"{body}\n\n{MARKER.format(index)}\n\n"
        parts.append(part)
        line += part.count("\n")
    return pieces, "".join(parts)
