"""NATO/Admiralty grades of sources (``B2``) shown after their citations and entries."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from ..lints import grade
from ..model import Source


def grade_mark(sources: Sequence[Source]) -> Markup:
    """`` [B2]`` after a citation: the sources' grades, when they have one."""
    grades = [g for g in (grade(s) for s in sources) if g]
    if not grades:
        return Markup("")
    return Markup(' <span class="grade" title="{0}">[{0}]</span>').format("; ".join(grades))
