"""The readable top-to-bottom build: load, resolve, render, write; for one dossier or many."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .config import FORMATS, BuildOptions
from .errors import Collector, Diagnostic, DossierError, Level, Location, display_path
from .loader import METADATA_FILE, load
from .model import Dossier, ResolvedDossier
from .render import render
from .resolve import resolve, slugify
from .themes import load_theme
from .writers.base import Artifact, get_writer

SOURCES = Path("sources")
"""Where ``dossier build`` without a path looks for dossiers."""


@dataclass(frozen=True, slots=True)
class Result:
    """What building one dossier gave: files written, and every diagnostic on the way."""

    source: str
    artifacts: tuple[Artifact, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def failed(self) -> bool:
        return any(d.level is Level.ERROR for d in self.diagnostics)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.level is Level.WARNING)


def discover(paths: Sequence[Path] = ()) -> list[Path]:
    """The dossiers to build: the given paths, or every dossier folder and Markdown file
    directly under ``./sources/``, sorted by name."""
    if paths:
        return list(paths)
    if not SOURCES.is_dir():
        raise DossierError.at(Location(str(SOURCES)), "no dossier given and no sources/ folder")
    found = [
        p
        for p in sorted(SOURCES.iterdir())
        if (p.is_dir() and (p / METADATA_FILE).is_file()) or (p.is_file() and p.suffix == ".md")
    ]
    if not found:
        raise DossierError.at(Location(str(SOURCES)), "no dossiers found in sources/")
    return found


def prepare(source: Dossier | str | Path) -> ResolvedDossier:
    """Load (unless given a ``Dossier``) and resolve; raises DossierError on any error."""
    dossier = source if isinstance(source, Dossier) else load(source)
    if not dossier.slug:
        dossier = dataclasses.replace(dossier, slug=slugify(dossier.title))
    resolved = resolve(dossier)
    Collector(list(resolved.diagnostics)).raise_if_errors()
    return resolved


def build_one(source: Dossier | str | Path, options: BuildOptions) -> Result:
    """Build one dossier in every requested format; problems come back as diagnostics."""
    name = source.title if isinstance(source, Dossier) else display_path(Path(source))
    try:
        resolved = prepare(source)
        theme = load_theme(options.theme or resolved.dossier.theme, where=resolved.dossier.location)
        rendered = render(resolved, theme)
        folder = options.out / resolved.dossier.slug
        written: list[Artifact] = []
        for fmt in (f for f in FORMATS if f in options.formats):
            artifact = get_writer(fmt)(rendered, theme, folder, options)
            if artifact.print_html is not None:
                rendered = dataclasses.replace(
                    rendered, print_html=artifact.print_html, page_map=artifact.page_map
                )
            written.append(artifact)
        artifacts = tuple(written)
    except DossierError as exc:
        return Result(name, diagnostics=exc.diagnostics)
    found = [*resolved.diagnostics, *(d for a in artifacts for d in a.diagnostics)]
    return Result(name, artifacts, tuple(found))


def build_many(sources: Iterable[Dossier | str | Path], options: BuildOptions) -> list[Result]:
    """Build each dossier; one failing does not stop the others."""
    return [build_one(source, options) for source in sources]


def build(
    source: Dossier | str | Path,
    out: str | Path = "build",
    formats: Sequence[str] = ("pdf", "epub"),
    strict: bool = False,
    theme: str | None = None,
) -> list[Artifact]:
    """Build one dossier (a ``Dossier`` value or a path) into ``out/<slug>/``.

    Returns the files written. Raises DossierError on errors, and under ``strict`` also
    on warnings (after writing, so every problem is reported at once).
    """
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown format(s): {', '.join(unknown)}")
    options = BuildOptions(formats=tuple(formats), out=Path(out), strict=strict, theme=theme)
    result = build_one(source, options)
    if result.failed or (strict and result.warnings):
        raise DossierError(result.diagnostics)
    return list(result.artifacts)
