"""Which of dossier's layout fixes apply to the WeasyPrint installed.

The fixes (``engine.notes``, ``engine.parts``, ``engine.areas``) change private WeasyPrint
functions; they were made for the versions in ``MADE_FOR`` and check, besides, that the code
they change is the code they were made from. When one does not apply, the build still works,
more slowly: notes are placed by laying out again, long documents are laid out in one pass,
footnote areas are laid out again for each note; ``warning`` says so once per build, and
``dossier version`` shows it.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
from dataclasses import dataclass

MADE_FOR = ("70.",)
"""Prefixes of the WeasyPrint versions the fixes were made for."""


@dataclass(frozen=True, slots=True)
class Support:
    """What applies to this WeasyPrint."""

    version: str
    notes: bool
    """``engine.notes``: each note kept on its call's page inside WeasyPrint's line layout."""
    parts: bool
    """``engine.parts``: one document laid out in parts, in parallel."""
    areas: bool
    """``engine.areas``: each note of a footnote area laid out once per page."""

    def warning(self) -> str | None:
        """One sentence for the build when a fix does not apply; None when all do."""
        if self.notes and self.parts and self.areas:
            return None
        fallbacks = []
        if not self.notes:
            fallbacks.append("notes are placed by laying out again")
        if not self.parts:
            fallbacks.append("parts in one pass")
        if not self.areas:
            fallbacks.append("footnote areas laid out again for each note")
        return (
            f"WeasyPrint {self.version} is not one dossier's layout fixes were made for: "
            + ", ".join(fallbacks)
        )

    def summary(self) -> str:
        """For ``dossier version``."""
        said = {True: "apply", False: "do not apply (slower fallback)"}
        return (
            f"layout fixes: notes {said[self.notes]}, parts {said[self.parts]}, "
            f"footnote areas {said[self.areas]}"
        )


def version() -> str:
    """The installed WeasyPrint's version, or ``unknown``."""
    try:
        import weasyprint
    except ImportError:
        return "unknown"
    return str(getattr(weasyprint, "__version__", "unknown"))


def made_for(found: str) -> bool:
    """Whether ``found`` is a WeasyPrint version the fixes were made for."""
    return found.startswith(MADE_FOR)


def source_hash(function: object) -> str | None:
    """SHA-256 of a function's source, or None when it cannot be read."""
    try:
        source = inspect.getsource(function)  # type: ignore[arg-type]
    except (OSError, TypeError):
        return None
    return hashlib.sha256(source.encode()).hexdigest()


LINEBOX_LAYOUT_MADE_FROM = frozenset(
    {"e07bbe000974787ee370be1f419a01a21b327a1a1e3025a65afd47589060883d"}
)
"""SHA-256 of the source of ``weasyprint.layout.block._linebox_layout`` in the versions
``engine.notes`` was made for (70.0): the function it lays out with a copy of."""


def notes_apply() -> bool:
    """Whether WeasyPrint's ``_linebox_layout`` is the one ``engine.notes`` was made from."""
    try:
        from weasyprint.layout import block

        function = block._linebox_layout
    except (ImportError, AttributeError):
        return False
    return source_hash(function) in LINEBOX_LAYOUT_MADE_FROM


LAYOUT_DOCUMENT_CALLS = (
    "make_all_pages(context, root_box, html, pages)",
    "make_margin_boxes(context, page, state)",
    "context.page_maker[context.current_page][3]",
)
"""What ``weasyprint.layout.layout_document`` must call, as ``engine.parts`` expects."""


def parts_apply() -> bool:
    """Whether this WeasyPrint has the functions ``engine.parts`` wraps, called as it
    expects."""
    try:
        import weasyprint.layout as layout_module
        from weasyprint.css import targets

        source = inspect.getsource(layout_module.layout_document)
    except (ImportError, AttributeError, OSError, TypeError):
        return False
    collector = targets.TargetCollector
    return (
        all(text in source for text in LAYOUT_DOCUMENT_CALLS)
        and all(
            name in vars(collector)
            for name in ("__init__", "lookup_target", "cache_target_page_counters")
        )
        and hasattr(targets, "TargetLookupItem")
        and all(name in vars(layout_module) for name in ("make_all_pages", "make_margin_boxes"))
    )


AREAS_MADE_FROM = {
    "block_level_layout": "c1301dde9284e24519ee0432b508d6cd79768018d2564d4066f0fdf103982dd6",
    "_in_flow_layout": "c2537262836dd9812b584633bee887846dba6de921b3b31bff299c5ba29e6dca",
    "_update_footnote_area": "2e317e4b066fb80cb369a41cd6f054a127722f9961c18ef4d6e1eef93673c4c1",
}
"""SHA-256 of the sources ``engine.areas`` relies on, in the versions it was made for (70.0):
the function it wraps (its arguments, and the margins list it appends to), the one that
calls it for each note of an area, and the one that lays out a page's area for each note."""


def areas_apply() -> bool:
    """Whether WeasyPrint lays out footnote areas as ``engine.areas`` expects."""
    try:
        from weasyprint.formatting_structure import boxes
        from weasyprint.layout import LayoutContext, block

        functions = {
            "block_level_layout": block.block_level_layout,
            "_in_flow_layout": block._in_flow_layout,
            "_update_footnote_area": LayoutContext._update_footnote_area,
        }
    except (ImportError, AttributeError):
        return False
    return hasattr(boxes, "FootnoteAreaBox") and all(
        source_hash(function) == AREAS_MADE_FROM[name] for name, function in functions.items()
    )


@functools.cache
def support() -> Support:
    """What applies here (read once per process; nothing is changed)."""
    found = version()
    ours = made_for(found)
    return Support(found, ours and notes_apply(), ours and parts_apply(), ours and areas_apply())
