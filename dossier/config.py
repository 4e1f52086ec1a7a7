"""Build options: what to write, where, and how strictly."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .runtime.limits import Limits

FORMATS = ("pdf", "epub", "html", "docx")
METADATA_FILE = "dossier.yaml"
"""The file that makes a folder a dossier."""
PDF_VARIANTS = ("pdf/ua-1", "pdf/a-3u", "none")
LAYOUTS = ("brief", "report", "auto")
"""Print layouts: ``auto`` chooses ``brief`` or ``report`` from the dossier's size."""


def theme_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a theme named in a dossier's metadata, if it cannot."""
    # No separator, no "..", nothing hidden, nothing a file system reads as more than a name.
    if name.isprintable() and name and not name.startswith(".") and not set(name) & {"/", "\\"}:
        return None
    return (
        f"theme '{name}' is not a theme's name: a dossier names a built-in theme or a theme "
        "folder in its own folder or in styles/ (only --theme may name a folder elsewhere)"
    )


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """How ``build`` runs; the defaults are what ``dossier build`` does."""

    formats: tuple[str, ...] = ("pdf", "epub")
    out: Path = field(default_factory=lambda: Path("build"))
    strict: bool = False
    """Treat warnings as errors: nothing is written if there is one."""
    theme: str | None = None
    """Theme name or folder; overrides the dossier's ``theme:``."""
    pdf_variant: str = "pdf/ua-1"
    """Tagged PDF for accessibility by default; ``none`` for speed."""
    jobs: int = 1
    """Worker processes; 1 builds in this process."""
    layout_jobs: int = 1
    """Processes laying out one long PDF's parts side by side (``writers.pdf.parts``); the
    build sets it to ``jobs`` when it builds a single dossier. The parts, hence the bytes,
    do not depend on it."""
    layout: str | None = None
    """``brief``, ``report`` or ``auto``; overrides the dossier's ``layout:``."""
    one_pass: bool = False
    """Lay out every PDF in one pass, never in parts."""
    force: bool = False
    """Rebuild artifacts that are up to date."""
    changes_since: str | None = None
    """A git revision (or an older copy's path): add a "Changes since" chapter."""
    allow_remote: bool = False
    """Fetch http(s) images (public addresses only, with a timeout and a size cap)."""
    limits: Limits = field(default_factory=Limits)
    """Time and memory for laying out one PDF."""
