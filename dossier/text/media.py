"""A file's media type from its name, by one fixed table: the same name has the same type on
every machine (``mimetypes`` also reads the system's ``/etc/mime.types``, which adds types
Python's own table lacks, WebP and the font formats among them, where it is installed)."""

from __future__ import annotations

from pathlib import PurePosixPath

TYPES = {
    # Images a dossier may hold (``resolve.fragments.IMAGE_TYPES``): EPUB core media types.
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    # What themes and the outputs add (style sheets, fonts, the files preview serves).
    ".css": "text/css",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".html": "text/html",
    ".xhtml": "application/xhtml+xml",
    ".pdf": "application/pdf",
    ".epub": "application/epub+zip",
    ".json": "application/json",
    ".txt": "text/plain",
}
"""By lower-case extension; the first extension of a type is its usual one."""
UNKNOWN = "application/octet-stream"


def media_type(name: str) -> str:
    """The media type of a file named ``name`` (a path or a URL's path), else ``UNKNOWN``."""
    return TYPES.get(PurePosixPath(name).suffix.lower(), UNKNOWN)


def usual_extension(name: str) -> str:
    """The usual extension of the type of a file named ``name`` (``.jpg`` for ``.JPEG``), or
    ``""`` when its type is not known."""
    kind = media_type(name)
    return next((suffix for suffix, found in TYPES.items() if found == kind), "")
