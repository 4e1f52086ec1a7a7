"""The only way WeasyPrint reads files: inside the dossier folder and the theme, nothing else."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from ...render.themes import THEME_URL_PREFIX, Theme
from ...text.media import media_type

MAX_RESOURCE_BYTES = 64 * 1024 * 1024
"""Largest image, font or stylesheet read (a guard against /dev/zero-like files)."""


class ConfinedFetcher(URLFetcher):  # type: ignore[misc]
    """Serves ``file:`` URLs below the dossier root, and ``_theme/`` from the theme layers.

    Network schemes are refused: a briefing built in CI must not reach out (SSRF) or leak
    local files into the PDF.
    """

    def __init__(self, root: Path, theme: Theme, files: dict[str, bytes] | None = None) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.root = root.resolve()
        self.theme = theme
        self.files = files or {}
        """Fetched remote images, served from memory under their ``remote/…`` names."""
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parts = urlsplit(url)
        if parts.scheme != "file":
            self.refused.append(url)
            raise ValueError(f"not fetched (only files of the dossier and theme are read): {url}")
        asked = Path(unquote(parts.path))
        if asked.is_relative_to(self.root):
            relative = asked.relative_to(self.root).as_posix()
            if relative in self.files:
                kind = media_type(relative)
                return URLFetcherResponse(
                    url, body=self.files[relative], headers={"Content-Type": kind}
                )
        path = self._local(asked)
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_RESOURCE_BYTES:
            raise ValueError(f"not a regular file of reasonable size: {path}")
        kind = media_type(path.name)
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": kind})

    def _local(self, path: Path) -> Path:
        resolved = path.resolve()
        theme_dir = self.root / THEME_URL_PREFIX.rstrip("/")
        if path.is_relative_to(theme_dir):
            found = self.theme.find(path.relative_to(theme_dir).as_posix())
            if found is not None:
                return found
        if resolved.is_relative_to(self.root):
            return resolved
        for folder in self.theme.dirs:
            if resolved.is_relative_to(folder):
                return resolved
        self.refused.append(str(path))
        raise ValueError(f"not fetched (outside the dossier folder and theme): {path}")
