"""A draft's blocks as chapter files: one per Heading 1, written as Markdown by Pandoc in a
single run, so that footnote labels (``[^1]`` … ``[^n]``) run through the whole dossier and
never clash when the files are read together again."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TypeGuard

from ...errors import DossierError, Location
from ...model import ast
from ...runtime import pandoc
from ...text.slugs import slugify

MARKER = "<!--dossier:import:{}-->"
_MARKER = re.compile(r"^<!--dossier:import:\d+-->\n\n?", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class ChapterFile:
    name: str
    title: str
    markdown: str


def _is_chapter(block: ast.Block) -> TypeGuard[ast.Header]:
    return isinstance(block, ast.Header) and block.level == 1


def _marked(blocks: tuple[ast.Block, ...]) -> tuple[ast.Block, ...]:
    """A marker right after each Heading 1. After, not before: with notes at the end of each
    section, Pandoc writes a chapter's notes just before the next heading."""
    out: list[ast.Block] = []
    for index, block in enumerate(blocks):
        out.append(block)
        if _is_chapter(block):
            out.append(ast.RawBlock("markdown", MARKER.format(index)))
    return tuple(out)


def _cut(text: str, where: Location) -> list[str]:
    """The Markdown cut before each marked heading (the line above its marker's blank line:
    Pandoc writes a heading on one line), markers removed; text before the first heading
    opens the first piece."""
    starts = []
    for match in _MARKER.finditer(text):
        before = text[: match.start()].rstrip("\n")
        heading = before.rfind("\n") + 1
        if not before.startswith("# ", heading):
            raise DossierError.at(where, "pandoc wrote a chapter heading dossier cannot find")
        starts.append(heading)
    pieces = [text[a:b] for a, b in zip([0, *starts], [*starts, len(text)], strict=True)]
    if len(pieces) > 1:
        pieces[:2] = [pieces[0] + pieces[1]]
    return [_MARKER.sub("", p).strip("\n") + "\n" for p in pieces if p.strip()]


def chapter_files(
    blocks: tuple[ast.Block, ...], api_version: list[int], where: Location
) -> list[ChapterFile]:
    """Chapter files named ``01-<heading>.md`` …, in the draft's order; text before the
    first heading opens the first file."""
    document = {
        "pandoc-api-version": api_version,
        "meta": {},
        "blocks": ast.blocks_json(_marked(blocks)),
    }
    args = ["-f", "json", "-t", "markdown", "--reference-location=section", "--wrap=auto"]
    text, _ = pandoc.run(args, json.dumps(document), where)
    titles = [ast.stringify(b.content).strip() for b in blocks if _is_chapter(b)]
    files = []
    for number, markdown in enumerate(_cut(text, where), 1):
        title = titles[number - 1] if number <= len(titles) else ""
        stem = slugify(title)[:40].rstrip("-._") if title else "text"
        files.append(ChapterFile(f"{number:02d}-{stem}.md", title, markdown))
    return files
