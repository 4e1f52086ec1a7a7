"""Reading source files as text: UTF-8 (with or without BOM), confined, size-capped."""

from __future__ import annotations

import re
from pathlib import Path

from .errors import DossierError, Location, display_path

MAX_SOURCE_BYTES = 16 * 1024 * 1024
"""Largest text file read; a briefing's chapter is a few hundred kilobytes at most."""

# Characters that XML 1.0 forbids (the EPUB would be invalid); tab, LF and CR are allowed.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def confined(path: Path, root: Path, location: Location) -> Path:
    """``path`` resolved, if it stays inside ``root`` (no ``..`` or symlink escapes)."""
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise DossierError.at(location, f"'{path}' is outside the dossier folder '{root}'")
    return resolved


def read_text(path: Path, location: Location | None = None) -> str:
    """The text of a source file, or a DossierError saying why it cannot be read."""
    where = location or Location(display_path(path))
    own = display_path(path)
    if not path.exists():
        raise DossierError.at(where, f"file not found: {display_path(path)}")
    if not path.is_file():
        raise DossierError.at(where, f"not a regular file: {display_path(path)}")
    size = path.stat().st_size
    if size > MAX_SOURCE_BYTES:
        raise DossierError.at(where, f"file is too large ({size} bytes)")
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise DossierError.at(
                Location(own, line), "not valid UTF-8 text (save the file as UTF-8)"
            ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = NOT_XML.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise DossierError.at(
            Location(own, line),
            f"character U+{ord(bad.group()):04X} is not allowed in a document",
        )
    return text
