"""Reading source files as text: UTF-8 (with or without BOM), confined, size-capped, without
the characters a document cannot hold."""

from __future__ import annotations

from pathlib import Path

from ..errors import Collector, DossierError, Location, display_path
from ..text.characters import drop_forbidden, report_dropped

MAX_SOURCE_BYTES = 16 * 1024 * 1024
"""Largest text file read; a briefing's chapter is a few hundred kilobytes at most."""


def confined(path: Path, root: Path, location: Location) -> Path:
    """``path`` resolved, if it stays inside ``root`` (no ``..`` or symlink escapes)."""
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise DossierError.at(location, f"'{path}' is outside the dossier folder '{root}'")
    return resolved


def read_text(path: Path, collector: Collector, location: Location | None = None) -> str:
    """The text of a source file, or a DossierError saying why it cannot be read. Characters
    that carry no text and that a document cannot hold (C0 controls, U+FFFE/U+FFFF, lone
    surrogates) are dropped with a warning in ``collector``."""
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
    # surrogatepass: a lone surrogate (written by a careless tool) is dropped below like
    # the control characters, rather than making the whole file unreadable.
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16", "surrogatepass")
        else:
            text = data.decode("utf-8-sig", "surrogatepass")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        encoding = "UTF-16" if exc.encoding.startswith("utf-16") else "UTF-8"
        raise DossierError.at(
            Location(own, line), f"not valid {encoding} text (save the file as UTF-8)"
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text, line, char, count = drop_forbidden(text)
    if count:
        report_dropped(collector, Location(own, line), char, count)
    return text
