"""Formatting every citation of a dossier with Pandoc's citeproc, in reading order: one pandoc
run over the whole dossier's blocks, so positions (first, subsequent, ibid), numbering and
disambiguation follow the document as Pandoc would for the same text."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import Location
from ..model import Source, ast
from ..runtime import pandoc
from .skeleton import Mismatch, restore, skeleton

_MARKER = "dossier:segment:{}"
_MARKER_RE = re.compile(r"^dossier:segment:(\d+)$")


@dataclass(frozen=True, slots=True)
class Formatted:
    """The segments with their citations formatted, the bibliography, and pandoc's warnings."""

    segments: tuple[tuple[ast.Block, ...], ...]
    bibliography: tuple[tuple[str, tuple[ast.Block, ...]], ...]
    """(source id, entry blocks) in the style's order."""
    warnings: tuple[str, ...]


def _nocite(keys: Sequence[str]) -> ast.Json:
    ids = [k.lstrip("@") for k in keys]
    citations = tuple(ast.Citation(i) for i in ids)
    cite = ast.Cite(citations, ast.text_inlines(" ".join(f"@{i}" for i in ids)))
    return {"t": "MetaInlines", "c": [ast.inline_json(cite)]}


def format_citations(
    segments: Sequence[tuple[ast.Block, ...]],
    sources: Sequence[Source],
    style: Path,
    lang: str,
    nocite: Sequence[str],
    where: Location,
) -> Formatted:
    """Run citeproc over the segments (in reading order) with these sources and style."""
    blocks: list[ast.Block] = []
    for index, segment in enumerate(segments):
        blocks += (*segment, ast.Div(ast.Attr(_MARKER.format(index)), ()))
    whole = tuple(blocks)
    meta: dict[str, ast.Json] = {
        "lang": {"t": "MetaString", "c": lang},
        "link-citations": {"t": "MetaBool", "c": True},
    }
    if nocite:
        meta["nocite"] = _nocite(nocite)
    with tempfile.TemporaryDirectory(prefix="dossier-") as folder:
        references = Path(folder) / "references.json"
        entries = [{**s.data, "id": s.id} for s in sources]
        references.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
        files = pandoc.Citeproc(style, references)

        def run(given: tuple[ast.Block, ...]) -> tuple[tuple[ast.Block, ...], list[str]]:
            json_blocks = ast.blocks_json(given)
            document = {
                "pandoc-api-version": pandoc.api_version(),
                "meta": meta,
                "blocks": json_blocks,
            }
            text = json.dumps(document, ensure_ascii=False)
            out, warnings = pandoc.convert(text, "json", "json", where, files)
            return ast.blocks(json.loads(out)["blocks"]), warnings

        thin = skeleton(whole)
        result, warnings = run(thin.blocks if thin else whole)
        if thin:
            try:
                result = restore(whole, result, thin.runs)
            except Mismatch:
                result, warnings = run(whole)  # as citeproc formats it without the skeleton
    formatted, trailing = _split(result, len(segments))
    entries_found = _entries(trailing) or _entries(tuple(b for s in formatted for b in s))
    return Formatted(tuple(formatted), entries_found, tuple(warnings))


def _split(
    blocks: tuple[ast.Block, ...], count: int
) -> tuple[list[tuple[ast.Block, ...]], tuple[ast.Block, ...]]:
    segments: list[tuple[ast.Block, ...]] = [() for _ in range(count)]
    current: list[ast.Block] = []
    for block in blocks:
        match = _MARKER_RE.match(block.attr.id) if isinstance(block, ast.Div) else None
        if match:
            segments[int(match.group(1))], current = tuple(current), []
        else:
            current.append(block)
    return segments, tuple(current)


def _entries(blocks: tuple[ast.Block, ...]) -> tuple[tuple[str, tuple[ast.Block, ...]], ...]:
    """The entries of the ``refs`` div citeproc filled, wherever it is."""
    for block in blocks:
        if not isinstance(block, ast.Div):
            continue
        if block.attr.id == "refs":
            return tuple(
                (entry.attr.id.removeprefix("ref-"), entry.blocks)
                for entry in block.blocks
                if isinstance(entry, ast.Div) and entry.attr.id.startswith("ref-")
            )
        if found := _entries(block.blocks):
            return found
    return ()
