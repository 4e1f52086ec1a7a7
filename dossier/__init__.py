"""dossier: briefings in Markdown + YAML to a print PDF and an EPUB, every claim footnoted."""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import Diagnostic, DossierError, Location
from .loader import load
from .model import (
    Author,
    Chapter,
    Dossier,
    Event,
    Issue,
    Markdown,
    Player,
    Section,
    Source,
    Stance,
)
from .pipeline import build

__all__ = [
    "Author",
    "Chapter",
    "Diagnostic",
    "Dossier",
    "DossierError",
    "Event",
    "Issue",
    "Location",
    "Markdown",
    "Player",
    "Section",
    "Source",
    "Stance",
    "__version__",
    "build",
    "load",
]
