"""Reading references into ``Source`` values: CSL-JSON and CSL-YAML (and inline ``references:``)
as data, BibTeX and BibLaTeX converted to CSL-JSON by Pandoc itself."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import Collector, DossierError, Location, display_path
from ..model import Source
from ..runtime import pandoc
from ..text.characters import Found, drop_everywhere, report_dropped
from .textio import read_text
from .yamlio import LineDict, LineList, load_yaml

BIBTEX = {".bib": "biblatex", ".bibtex": "bibtex"}
"""Pandoc's readers for these files, chosen by suffix as ``pandoc --bibliography`` does."""


def load_references(path: Path, location: Location, collector: Collector) -> list[Source]:
    """Every entry of one bibliography file, in file order."""
    where = Location(display_path(path), 1)
    try:
        text = read_text(path, collector, location)
        suffix = path.suffix.lower()
        if suffix == ".json":
            return _from_json(text, where, collector)
        if suffix in BIBTEX:
            return _from_bibtex(text, BIBTEX[suffix], where, collector)
        if suffix in (".yaml", ".yml"):
            data = load_yaml(text, where, collector)
            if isinstance(data, dict) and "references" in data:
                data = data["references"]
            return sources_from_yaml(data, where, collector)
    except DossierError as exc:
        collector.diagnostics.extend(exc.diagnostics)
        return []
    collector.error(
        location,
        f"unsupported bibliography format '{path.suffix}' "
        "(use CSL-JSON .json, CSL-YAML .yaml, BibLaTeX .bib or BibTeX .bibtex)",
    )
    return []


def _from_json(
    text: str, where: Location, collector: Collector, lines: dict[str, int] | None = None
) -> list[Source]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        collector.error(Location(where.path, exc.lineno), f"invalid JSON: {exc.msg}")
        return []
    if not isinstance(data, list):
        collector.error(where, "a CSL-JSON file holds a list of entries")
        return []
    lines = _json_id_lines(text) if lines is None else lines
    sources = []
    for index, item in enumerate(data):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str | int):
            collector.error(where, f"entry {index + 1} has no 'id'")
            continue
        key = str(item["id"])
        at = Location(where.path, lines.get(key, 1))
        # The file's own characters were dropped when it was read; these are escapes.
        found: Found = []
        item = drop_everywhere(item, key, found)
        for _, char, count in found:
            report_dropped(collector, at, char, count)
        sources.append(Source(str(item["id"]), _clean(item), at))
    return sources


def _from_bibtex(text: str, reader: str, where: Location, collector: Collector) -> list[Source]:
    """Entries of a .bib file as CSL-JSON, converted by pandoc (LaTeX accents, braces,
    particles, dates and entry types as Pandoc's citeproc reads them)."""
    out, warnings = pandoc.convert(text, reader, "csljson", where)
    lines = {
        m.group(1): text.count("\n", 0, m.start()) + 1
        for m in re.finditer(r"@\w+\s*[{(]\s*([^,\s]+)\s*,", text)
    }
    for warning in warnings:
        collector.warning(where, f"pandoc: {warning}")
    return _from_json(out, where, collector, lines)


def _json_id_lines(text: str) -> dict[str, int]:
    """Line of each ``"id": "key"`` in a JSON file (json.loads keeps no positions)."""
    lines: dict[str, int] = {}
    for match in re.finditer(r'"id"\s*:\s*"?([^",}\s]+)', text):
        lines.setdefault(match.group(1), text.count("\n", 0, match.start()) + 1)
    return lines


def sources_from_yaml(data: Any, where: Location, collector: Collector) -> list[Source]:
    """Sources from CSL-YAML entries already parsed by ``load_yaml``."""
    if not isinstance(data, list):
        collector.error(where, "references must be a list of entries")
        return []
    sources = []
    lines = data.lines if isinstance(data, LineList) else [where.line] * len(data)
    for item, line in zip(data, lines, strict=True):
        at = Location(where.path, line)
        if not isinstance(item, dict) or "id" not in item:
            collector.error(at, "a reference entry needs an 'id'")
            continue
        sources.append(Source(str(item["id"]), _clean(item), at))
    return sources


def _clean(item: dict[str, Any]) -> dict[str, Any]:
    """A plain-dict copy of a CSL item (dates from YAML become ISO strings)."""

    def plain(value: Any) -> Any:
        if isinstance(value, LineDict | dict):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, LineList | list):
            return [plain(v) for v in value]
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return value

    result: dict[str, Any] = plain(item)
    return result


def check_duplicates(sources: Iterable[Source], collector: Collector) -> list[Source]:
    """Sources with unique keys; a key seen twice is an error at its second place."""
    seen: dict[str, Source] = {}
    for source in sources:
        if source.id in seen:
            first = seen[source.id].location
            collector.warning(
                source.location,
                f"duplicate reference key '{source.id}': the entry at {first} is used",
            )
            continue
        seen[source.id] = source
    return list(seen.values())
