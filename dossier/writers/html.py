"""The print HTML with its theme files and assets beside it, as WeasyPrint reads it."""

from __future__ import annotations

from pathlib import Path

from ..config import BuildOptions
from ..render.documents import Rendered
from ..render.themes import THEME_URL_PREFIX, Theme
from ..runtime.files import atomic_write
from .base import Artifact


def write_html(rendered: Rendered, theme: Theme, folder: Path, options: BuildOptions) -> Artifact:
    """``<slug>.html`` plus ``_theme/`` and the images, so ``weasyprint <slug>.html`` works."""
    dossier = rendered.resolved.dossier
    for name, source in theme.files().items():
        atomic_write(folder / THEME_URL_PREFIX / name, source.read_bytes())
    if dossier.root is not None:
        for asset in rendered.resolved.assets:
            atomic_write(folder / asset, (dossier.root / asset).read_bytes())
    for name, data in rendered.remote_files.items():
        atomic_write(folder / name, data)
    target = folder / f"{dossier.slug}.html"
    atomic_write(target, rendered.print_html.encode("utf-8"))
    return Artifact(dossier.slug, "html", target)
