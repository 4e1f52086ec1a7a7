"""Changes as text: lines for ``dossier diff`` in a terminal, and the "Changes since" chapter
that ``build --changes-since`` opens the briefing with."""

from __future__ import annotations

import difflib
import re

from ..errors import Location
from ..model import Chapter
from ..text.slugs import slugify
from .compare import Change, Changes, Paragraph

LABELS = {
    "metadata": "", "key-point": "key point", "player": "player", "position": "position",
    "timeline": "timeline", "source": "source",
}  # fmt: skip
"""How ``dossier diff`` names each kind of change."""
ANCHORS = {"key-point": "key-points", "player": "players", "position": "positions",
           "timeline": "timeline"}  # fmt: skip
"""Where the "Changes since" chapter links each kind to (sources may have no list)."""


def _quote(text: str, size: int = 90) -> str:
    return f"“{text if len(text) <= size else text[: size - 1].rstrip() + '…'}”"


def difference(old: str, new: str, arrow: str = "->") -> str:
    """What changed inside a text: ``“old words” -> “new words”`` (the first change)."""
    a, b = old.split(), new.split()
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        if op != "replace":  # words only added or only taken out: show one beside them
            if a1 > 0:
                a1, b1 = a1 - 1, b1 - 1
            elif a2 < len(a) and b2 < len(b):
                a2, b2 = a2 + 1, b2 + 1
        before, after = " ".join(a[a1:a2]) or "…", " ".join(b[b1:b2]) or "…"
        return f"{_quote(before, 60)} {arrow} {_quote(after, 60)}"
    return "(spacing only)"


def detail(change: Change, arrow: str = "->") -> str:
    """What a change says: the text added or removed, or old and new (the words that
    changed, for prose)."""
    if change.sign == "+":
        text = _quote(change.new) if change.new else ""
    elif change.sign == "-":
        text = _quote(change.old) if change.old else ""
    elif change.prose:
        text = difference(change.old, change.new, arrow)
    else:
        text = f"{_quote(change.old)} {arrow} {_quote(change.new)}"
    return f"{change.field} {text}".strip() if change.field else text


def _line(change: Change) -> str:
    label = " ".join(p for p in (LABELS[change.kind], change.name) if p)
    where = f"{change.location}: " if change.location and change.location.line else ""
    text = detail(change)
    return f"  {change.sign} {where}{label}" + (f": {text}" if text else "")


def summary(changes: Changes) -> list[str]:
    """The changes as lines for a terminal: metadata and key points, the chapters'
    paragraphs, then players, positions, timeline and sources."""
    lines = [f"Changes from version {changes.old_version} to {changes.new_version}:"]
    front = [c for c in changes.items if c.kind in ("metadata", "key-point")]
    lines += [_line(c) for c in front]
    for sign, items in (("+", changes.added), ("-", changes.removed)):
        lines += [f"  {sign} {p.location}: {_quote(p.text)}" for p in items]
    lines += [
        f"  ~ {new.location}: {difference(old.text, new.text)}" for old, new in changes.changed
    ]
    lines += [_line(c) for c in changes.items if c not in front]
    if changes.empty:
        lines.append("  (no changes)")
    return lines


def _escape(text: str) -> str:
    """Markdown text shown literally (a quoted paragraph must not cite or link anything)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|@<>~^:&\"])", r"\\\1", text)


def _item(change: Change, terms: dict[str, str]) -> str:
    """One line of the chapter: what kind, which one (linked to its block), and the change."""
    words = {"+": terms["added"], "-": terms["removed"], "~": terms["changed"]}
    kind = terms[change.kind] if change.kind != "metadata" else terms[change.name]
    anchor = ANCHORS.get(change.kind) if change.sign != "-" else None
    where = f"[{_escape(kind)}](#{anchor})" if anchor else _escape(kind)
    name = "" if change.kind == "metadata" else f" — {_escape(change.name)}"
    text = detail(change, "→")
    return f"- {words[change.sign]}, {where}{name}" + (f": {_escape(text)}" if text else "")


def chapter(changes: Changes, terms: dict[str, str]) -> Chapter:
    """A "Changes since version X" chapter, with links to what changed."""
    title = f"{terms['changes-since']} {changes.old_version}"
    lines = [f"# {_escape(title)} {{#changes .uncited-ok}}", ""]

    def link(p: Paragraph) -> str:
        return f"[{_escape(p.chapter)}](#{slugify(p.chapter)})"

    front = [c for c in changes.items if c.kind in ("metadata", "key-point")]
    lines += [_item(c, terms) for c in front]
    for label, items in ((terms["added"], changes.added), (terms["removed"], changes.removed)):
        lines += [f"- {label}, {link(p)}: {_escape(_quote(p.text))}" for p in items]
    lines += [
        f"- {terms['changed']}, {link(new)}: {_escape(_quote(new.text))}"
        for _, new in changes.changed
    ]
    lines += [_item(c, terms) for c in changes.items if c not in front]
    if changes.empty:
        lines.append(_escape(terms["no-changes"]))
    return Chapter("\n".join(lines) + "\n", Location("<changes>"))
