"""Citations of a Word draft: the Zotero and Mendeley fields Pandoc's docx reader turns into
citations (``+citations``), given keys a writer can read (``@smith2020`` rather than the
reference manager's ``@7``), and their items as CSL-JSON through Pandoc's csljson writer."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import replace
from typing import Any

from ...errors import Location
from ...model import ast
from ...runtime import pandoc


def csl_json(document: ast.Json, where: Location) -> list[dict[str, Any]]:
    """The ``references`` of Pandoc's document as CSL-JSON items (empty when none)."""
    if "references" not in document.get("meta", {}):
        return []
    out, _ = pandoc.run(["-f", "json", "-t", "csljson"], json.dumps(document), where)
    items: list[dict[str, Any]] = json.loads(out) if out.strip() else []
    return items


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def _year(item: dict[str, Any]) -> str:
    for name in ("issued", "original-date", "accessed"):
        parts = (item.get(name) or {}).get("date-parts") or [[]]
        if parts and parts[0]:
            return str(parts[0][0])
    return ""


def _name(item: dict[str, Any]) -> str:
    for role in ("author", "editor", "director"):
        people = item.get(role) or []
        if people and isinstance(people[0], dict):
            first = people[0]
            return _ascii(str(first.get("family") or first.get("literal") or ""))
    words = str(item.get("title", "")).split()
    return _ascii(words[0]) if words else ""


def readable_keys(items: list[dict[str, Any]]) -> dict[str, str]:
    """Each item's id -> a key from its first author (or title) and year, unique:
    ``smith2020``, ``smith2020a``, ``smith2020b`` …"""
    keys: dict[str, str] = {}
    taken: set[str] = set()
    for item in items:
        base = (_name(item) or "source") + _year(item)
        key, n = base, 0
        while key in taken:
            key = base + chr(ord("a") + n) if n < 26 else f"{base}-{n}"
            n += 1
        taken.add(key)
        keys[str(item.get("id", ""))] = key
    return keys


def rename(blocks: tuple[ast.Block, ...], keys: dict[str, str]) -> tuple[ast.Block, ...]:
    """Citations with the new keys; the space Pandoc leaves after a locator trimmed."""

    def trim(items: tuple[ast.Inline, ...]) -> tuple[ast.Inline, ...]:
        end = len(items)
        while end and isinstance(items[end - 1], ast.Space | ast.SoftBreak):
            end -= 1
        return items[:end]

    def key(c: ast.Citation) -> ast.Citation:
        return replace(c, id=keys.get(c.id, c.id), suffix=trim(c.suffix))

    def fix(items: tuple[ast.Inline, ...]) -> tuple[ast.Inline, ...]:
        return tuple(
            ast.Cite(tuple(key(c) for c in i.citations), i.content)
            if isinstance(i, ast.Cite)
            else i
            for i in items
        )

    return ast.map_inlines(blocks, fix)
