"""What changed between two versions of a dossier: metadata, key points, chapter paragraphs,
key players field by field, positions' stances, timeline entries and sources."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import Location
from ..model import Chapter, Dossier

KINDS = ("metadata", "key-point", "player", "position", "timeline", "source")
"""The kinds of ``Change``, in the order a reader meets them in the briefing."""


@dataclass(frozen=True, slots=True)
class Paragraph:
    chapter: str
    text: str
    location: Location


@dataclass(frozen=True, slots=True)
class Change:
    """One item added (``+``), removed (``-``) or changed (``~``) outside the chapters'
    paragraphs; a changed item gives one ``Change`` per changed field."""

    kind: str
    """One of ``KINDS``."""
    sign: str
    name: str
    """Which one: ``title``, key point ``3``, ``Maria Zakharova``, ``Borders / Russia`` …"""
    field: str = ""
    """The field that changed (``role``, ``date`` …); empty for a whole text."""
    old: str = ""
    new: str = ""
    location: Location | None = None
    """Where it is in the new version (None for what was removed, and for metadata)."""
    prose: bool = False
    """Markdown text, shown by the words that changed rather than in full."""


@dataclass(slots=True)
class Changes:
    """Differences from an old version to a new one."""

    old_version: str
    new_version: str
    added: list[Paragraph] = field(default_factory=list)
    removed: list[Paragraph] = field(default_factory=list)
    changed: list[tuple[Paragraph, Paragraph]] = field(default_factory=list)
    items: list[Change] = field(default_factory=list)

    def of(self, kind: str) -> list[Change]:
        return [c for c in self.items if c.kind == kind]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.items)


def _title(chapter: Chapter) -> str:
    first = chapter.markdown.lstrip().splitlines()[0] if chapter.markdown.strip() else ""
    return re.sub(r"\s*\{[^}]*\}\s*$", "", first.lstrip("#").strip()) or chapter.title


def paragraphs(dossier: Dossier) -> list[Paragraph]:
    """Every prose block of the chapters (headings and fenced-div markers left out)."""
    found = []
    for chapter in dossier.chapters:
        title, line = _title(chapter), 0
        for block in re.split(r"\n\s*\n", chapter.markdown):
            start = chapter.markdown.find(block, line)
            line = max(start, 0)
            text = " ".join(block.split())
            if text and not text.startswith(("#", ":::")):
                at = chapter.location.shifted(chapter.markdown.count("\n", 0, max(start, 0)))
                found.append(Paragraph(title, text, at))
    return found


def _flat(text: str) -> str:
    return " ".join(text.split())


def _matched(
    old: Sequence[str], new: Sequence[str]
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Two sequences of texts lined up: (old, new) index pairs that changed, indexes only in
    the old one (removed) and only in the new one (added)."""
    changed: list[tuple[int, int]] = []
    removed: list[int] = []
    added: list[int] = []
    matcher = difflib.SequenceMatcher(a=list(old), b=list(new), autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "replace":
            pairs = min(a2 - a1, b2 - b1)
            changed += [(a1 + i, b1 + i) for i in range(pairs)]
            removed += list(range(a1 + pairs, a2))
            added += list(range(b1 + pairs, b2))
        elif op == "delete":
            removed += list(range(a1, a2))
        elif op == "insert":
            added += list(range(b1, b2))
    return changed, removed, added


def _paragraphs(old: Dossier, new: Dossier, changes: Changes) -> None:
    before, after = paragraphs(old), paragraphs(new)
    changed, removed, added = _matched([p.text for p in before], [p.text for p in after])
    changes.changed += [(before[a], after[b]) for a, b in changed]
    changes.removed += [before[i] for i in removed]
    changes.added += [after[i] for i in added]


def _metadata(old: Dossier, new: Dossier) -> list[Change]:
    def authors(d: Dossier) -> str:
        return "; ".join(
            a.name + (f" ({a.affiliation})" if a.affiliation else "") for a in d.authors
        )

    fields: dict[str, Callable[[Dossier], str]] = {
        "title": lambda d: d.title,
        "subtitle": lambda d: d.subtitle,
        "authors": authors,
        "date": lambda d: d.date.isoformat() if d.date else "",
        "version": lambda d: d.version,
        "classification": lambda d: d.classification,
        "topics": lambda d: ", ".join(d.keywords),
    }
    found = []
    for name, value in fields.items():
        before, after = value(old), value(new)
        if before != after:
            sign = "+" if not before else "-" if not after else "~"
            found.append(Change("metadata", sign, name, "", before, after))
    return found


def _key_points(old: Dossier, new: Dossier) -> list[Change]:
    before = [_flat(m.text) for m in old.summary]
    after = [_flat(m.text) for m in new.summary]
    changed, removed, added = _matched(before, after)
    found = [
        Change(
            "key-point",
            "~",
            str(b + 1),
            "",
            before[a],
            after[b],
            new.summary[b].location,
            prose=True,
        )
        for a, b in changed
    ]
    found += [Change("key-point", "-", str(a + 1), "", before[a], prose=True) for a in removed]
    found += [
        Change("key-point", "+", str(b + 1), "", "", after[b], new.summary[b].location, True)
        for b in added
    ]
    return sorted(found, key=lambda c: int(c.name))


def _timeline(old: Dossier, new: Dossier) -> list[Change]:
    before = [(e.date, _flat(e.event.text)) for e in old.timeline]
    after = [(e.date, _flat(e.event.text)) for e in new.timeline]
    changed, removed, added = _matched(
        [f"{d}\0{e}" for d, e in before], [f"{d}\0{e}" for d, e in after]
    )
    found = []
    for a, b in changed:
        where = new.timeline[b].location
        if before[a][0] != after[b][0]:
            found.append(
                Change("timeline", "~", after[b][0], "date", before[a][0], after[b][0], where)
            )
        if before[a][1] != after[b][1]:
            found.append(
                Change(
                    "timeline", "~", after[b][0], "", before[a][1], after[b][1], where, prose=True
                )
            )
    found += [Change("timeline", "-", before[a][0], "", before[a][1], prose=True) for a in removed]
    found += [
        Change("timeline", "+", after[b][0], "", "", after[b][1], new.timeline[b].location, True)
        for b in added
    ]
    return found


def _players(old: Dossier, new: Dossier) -> list[Change]:
    before = {p.name: p for p in old.players}
    found = []
    for player in new.players:
        was = before.get(player.name)
        if was is None:
            summary = ", ".join(v for v in (player.role, player.party) if v)
            found.append(Change("player", "+", player.name, "", "", summary, player.location))
            continue
        for name, then, now in (
            ("role", was.role, player.role),
            ("party", was.party, player.party),
            ("position", _flat(was.position.text), _flat(player.position.text)),
        ):
            if then != now:
                found.append(
                    Change(
                        "player",
                        "~",
                        player.name,
                        name,
                        then,
                        now,
                        player.location,
                        prose=name == "position",
                    )
                )
    names = {p.name for p in new.players}
    found += [Change("player", "-", p.name) for p in old.players if p.name not in names]
    return found


def _positions(old: Dossier, new: Dossier) -> list[Change]:
    def stances(d: Dossier) -> dict[str, tuple[str, Location]]:
        return {
            f"{i.issue} / {s.party}": (_flat(s.text.text), s.text.location)
            for i in d.positions
            for s in i.stances
        }

    before, after = stances(old), stances(new)
    found = []
    for key, (text, where) in after.items():
        if key not in before:
            found.append(Change("position", "+", key, "", "", text, where, prose=True))
        elif before[key][0] != text:
            found.append(Change("position", "~", key, "", before[key][0], text, where, True))
    found += [
        Change("position", "-", k, "", t, prose=True)
        for k, (t, _) in before.items()
        if k not in after
    ]
    return found


def _value(value: Any) -> str:
    """A CSL field as text: strings as they are, names and dates as compact JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


def _sources(old: Dossier, new: Dossier) -> list[Change]:
    before = {s.id: s for s in old.sources}
    found = []
    for source in new.sources:
        was = before.get(source.id)
        if was is None:
            found.append(Change("source", "+", source.id, "", "", source.title, source.location))
            continue
        for name in sorted(set(was.data) | set(source.data)):
            then, now = was.data.get(name), source.data.get(name)
            if then != now:
                found.append(
                    Change(
                        "source",
                        "~",
                        source.id,
                        name,
                        _value(then or ""),
                        _value(now or ""),
                        source.location,
                    )
                )
    ids = {s.id for s in new.sources}
    found += [Change("source", "-", s.id, "", s.title) for s in old.sources if s.id not in ids]
    return found


def compare(old: Dossier, new: Dossier) -> Changes:
    changes = Changes(old.version or "earlier", new.version or "current")
    _paragraphs(old, new, changes)
    for find in (_metadata, _key_points, _players, _positions, _timeline, _sources):
        changes.items += find(old, new)
    return changes
