"""dossier: briefings in Markdown + YAML to a print PDF and an EPUB, every claim footnoted."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .version import __version__

if TYPE_CHECKING:
    from .errors import Diagnostic, DossierError, Location
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
    from .sources.loader import load

# Imported on first use: every command starts by importing this package, and most need
# only a part of it (``check`` writes nothing, a rebuild with nothing to do reads nothing).
_HOMES = {
    "Diagnostic": "errors",
    "DossierError": "errors",
    "Location": "errors",
    "load": "sources.loader",
    "build": "pipeline",
    **dict.fromkeys(
        ("Author", "Chapter", "Dossier", "Event", "Issue", "Markdown", "Player", "Section",
         "Source", "Stance"),
        "model",
    ),
}  # fmt: skip


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


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
