"""What changed between two versions of a dossier: paragraphs, sources, players, positions;
printed by ``dossier diff`` and set as a "Changes since" chapter by ``build --changes-since``."""

from __future__ import annotations

import difflib
import io
import re
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DossierError, Location, display_path
from .loader import load
from .model import Chapter, Dossier
from .slugs import slugify


@dataclass(frozen=True, slots=True)
class Paragraph:
    chapter: str
    text: str
    location: Location


@dataclass(slots=True)
class Changes:
    """Differences from an old version to a new one."""

    old_version: str
    new_version: str
    added: list[Paragraph] = field(default_factory=list)
    removed: list[Paragraph] = field(default_factory=list)
    changed: list[tuple[Paragraph, Paragraph]] = field(default_factory=list)
    sources: dict[str, list[str]] = field(default_factory=lambda: {"+": [], "-": [], "~": []})
    players: dict[str, list[str]] = field(default_factory=lambda: {"+": [], "-": [], "~": []})
    positions: dict[str, list[str]] = field(default_factory=lambda: {"+": [], "-": [], "~": []})

    def keyed(self) -> Iterator[tuple[str, str, str]]:
        """(``sources``/``players``/``positions``, ``+``/``-``/``~``, key) for each change."""
        for kind, block in (("sources", self.sources), ("players", self.players),
                            ("positions", self.positions)):  # fmt: skip
            for sign, keys in block.items():
                yield from ((kind, sign, key) for key in keys)

    @property
    def empty(self) -> bool:
        blocks = (self.sources, self.players, self.positions)
        return not (self.added or self.removed or self.changed or any(
            v for b in blocks for v in b.values()))  # fmt: skip


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


def _compare(old: dict[str, str], new: dict[str, str], into: dict[str, list[str]]) -> None:
    into["+"] += [k for k in new if k not in old]
    into["-"] += [k for k in old if k not in new]
    into["~"] += [k for k in new if k in old and new[k] != old[k]]


def compare(old: Dossier, new: Dossier) -> Changes:
    changes = Changes(old.version or "earlier", new.version or "current")
    before, after = paragraphs(old), paragraphs(new)
    matcher = difflib.SequenceMatcher(
        a=[p.text for p in before], b=[p.text for p in after], autojunk=False
    )
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op in ("replace",):
            pairs = min(a2 - a1, b2 - b1)
            changes.changed += list(
                zip(before[a1 : a1 + pairs], after[b1 : b1 + pairs], strict=True)
            )
            changes.removed += before[a1 + pairs : a2]
            changes.added += after[b1 + pairs : b2]
        elif op == "delete":
            changes.removed += before[a1:a2]
        elif op == "insert":
            changes.added += after[b1:b2]
    _compare({s.id: repr(sorted(s.data.items())) for s in old.sources},
             {s.id: repr(sorted(s.data.items())) for s in new.sources},
             changes.sources)  # fmt: skip
    _compare({p.name: f"{p.role}|{p.party}|{p.position.text}" for p in old.players},
             {p.name: f"{p.role}|{p.party}|{p.position.text}" for p in new.players},
             changes.players)  # fmt: skip
    _compare({f"{i.issue} / {s.party}": s.text.text for i in old.positions for s in i.stances},
             {f"{i.issue} / {s.party}": s.text.text for i in new.positions for s in i.stances},
             changes.positions)  # fmt: skip
    return changes


def _quote(text: str, size: int = 90) -> str:
    return f"“{text if len(text) <= size else text[: size - 1].rstrip() + '…'}”"


def difference(old: str, new: str) -> str:
    """What changed inside a paragraph: ``“old words” -> “new words”`` (the first change)."""
    a, b = old.split(), new.split()
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op != "equal":
            before, after = " ".join(a[a1:a2]) or "…", " ".join(b[b1:b2]) or "…"
            return f"{_quote(before, 60)} -> {_quote(after, 60)}"
    return "(spacing only)"


def summary(changes: Changes) -> list[str]:
    """The changes as lines for a terminal."""
    lines = [f"Changes from version {changes.old_version} to {changes.new_version}:"]
    for sign, items in (("+", changes.added), ("-", changes.removed)):
        lines += [f"  {sign} {p.location}: {_quote(p.text)}" for p in items]
    lines += [f"  ~ {new.location}: {difference(old.text, new.text)}"
              for old, new in changes.changed]  # fmt: skip
    lines += [f"  {sign} {kind.rstrip('s')} {key}" for kind, sign, key in changes.keyed()]
    if changes.empty:
        lines.append("  (no changes)")
    return lines


def _escape(text: str) -> str:
    """Markdown text shown literally (a quoted paragraph must not cite or link anything)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|@<>~^:&\"])", r"\\\1", text)


def chapter(changes: Changes, terms: dict[str, str]) -> Chapter:
    """A "Changes since version X" chapter, with links to the chapters that changed."""
    title = f"{terms['changes-since']} {changes.old_version}"
    lines = [f"# {_escape(title)} {{#changes .uncited-ok}}", ""]

    def link(p: Paragraph) -> str:
        return f"[{_escape(p.chapter)}](#{slugify(p.chapter)})"

    for label, items in ((terms["added"], changes.added), (terms["removed"], changes.removed)):
        lines += [f"- {label}, {link(p)}: {_escape(_quote(p.text))}" for p in items]
    lines += [f"- {terms['changed']}, {link(new)}: {_escape(_quote(new.text))}"
              for _, new in changes.changed]  # fmt: skip
    words = {"+": terms["added"], "-": terms["removed"], "~": terms["changed"]}
    lines += [f"- {words[sign]}: {_escape(terms[kind])} — {_escape(key)}"
              for kind, sign, key in changes.keyed()]  # fmt: skip
    if changes.empty:
        lines.append(_escape(terms["no-changes"]))
    return Chapter("\n".join(lines) + "\n", Location("<changes>"))


@contextmanager
def at_revision(revision: str, path: Path) -> Iterator[Path]:
    """The dossier at ``path`` as it was at git ``revision``, in a temporary folder."""
    folder = path if path.is_dir() else path.parent
    where = Location(display_path(path))
    try:
        top = subprocess.run(["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
        relative = folder.resolve().relative_to(Path(top).resolve()).as_posix() or "."
        archive = subprocess.run(["git", "-C", top, "archive", revision, "--", relative],
                                 capture_output=True, check=True).stdout  # fmt: skip
    except (OSError, ValueError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", b"") or str(exc)
        text = detail.decode(errors="replace") if isinstance(detail, bytes) else detail
        raise DossierError.at(where, f"cannot read revision '{revision}': {text.strip()}") from None
    with tempfile.TemporaryDirectory() as temporary:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(temporary, filter="data")
        old = Path(temporary) / relative
        yield old if path.is_dir() else old / path.name


def against(old_spec: str, new: Path) -> Changes:
    """Changes from ``old_spec`` (a path, or a git revision of ``new``) to ``new``."""
    current = load(new)
    if Path(old_spec).exists():
        return compare(load(old_spec), current)
    with at_revision(old_spec, new) as old_path:
        old = load(old_path)
    changes = compare(old, current)
    if not old.version:
        changes.old_version = old_spec
    return changes
