"""NATO/Admiralty grades of sources (``B2``) shown after their citations and entries."""

from __future__ import annotations

import re
from collections.abc import Sequence

from markupsafe import Markup

from ..model import Source

GRADE = re.compile(r"^([A-F])([1-6])$")
RELIABILITY = {
    "A": "completely reliable", "B": "usually reliable", "C": "fairly reliable",
    "D": "not usually reliable", "E": "unreliable", "F": "reliability unknown",
}  # fmt: skip
CREDIBILITY = {
    "1": "confirmed", "2": "probably true", "3": "possibly true",
    "4": "doubtfully true", "5": "improbable", "6": "truth cannot be judged",
}  # fmt: skip


def grade(source: Source) -> str:
    """The source's NATO/Admiralty grade (``B2``) from ``grade:`` or a ``grade: B2`` note line."""
    value = source.data.get("grade")
    if value is None:
        match = re.search(r"(?im)^\s*grade\s*:\s*(\S+)\s*$", str(source.data.get("note", "")))
        value = match.group(1) if match else None
    return str(value).strip().upper() if value is not None else ""


def grade_mark(sources: Sequence[Source]) -> Markup:
    """`` [B2]`` after a citation: the sources' grades, when they have one."""
    grades = [g for g in (grade(s) for s in sources) if g]
    if not grades:
        return Markup("")
    return Markup(' <span class="grade" title="{0}">[{0}]</span>').format("; ".join(grades))
