"""Which print layout a dossier gets: ``brief`` (sections flow from a title band on page 1)
or ``report`` (cover, front matter, chapters on new pages). ``auto`` decides from the
resolved dossier's size alone, so the same sources always get the same layout."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI reads LAYOUTS without loading the model
    from ..model import ResolvedDossier


BRIEF_WORDS = 3000
"""Words of text at most for ``auto`` to choose the brief: about six printed pages."""
BRIEF_NOTES = 100
"""Notes at most: a page holds some fifteen short notes under its text."""
BRIEF_TABLES = 4
"""Tables at most (the key players and the positions matrix count as one each)."""

_TAG = re.compile(r"<[^>]+>|\x00[^\x00]*\x00")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Size:
    """What ``auto`` looks at."""

    words: int
    notes: int
    tables: int


def _words(html: str) -> int:
    return len(_WORD.findall(_TAG.sub(" ", html)))


def size(resolved: ResolvedDossier) -> Size:
    """Words of the key points, chapters, players, positions and timeline (the notes and
    the sources list not included), notes, and tables."""
    texts = [*resolved.summary]
    texts += [c.html for c in resolved.chapters if c.kind != "bibliography"]
    texts += [p.position_html for p in resolved.players]
    texts += [cell for issue in resolved.positions for cell in issue.cells]
    texts += [event.html for event in resolved.timeline]
    tables = sum(c.html.count("<table") for c in resolved.chapters)
    tables += bool(resolved.players) + bool(resolved.positions)
    return Size(sum(map(_words, texts)), len(resolved.notes), tables)


def choose(resolved: ResolvedDossier, override: str | None = None) -> str:
    """``brief`` or ``report``: ``override`` (``--layout``) wins over the metadata's
    ``layout``; ``auto`` is the brief when the dossier is short on every count."""
    wanted = override or resolved.dossier.layout
    if wanted != "auto":
        return wanted
    found = size(resolved)
    short = (
        found.words <= BRIEF_WORDS and found.notes <= BRIEF_NOTES and found.tables <= BRIEF_TABLES
    )
    return "brief" if short else "report"
