"""Pandoc's conversions kept beside a build's outputs (``<out>/.cache/``), each under a digest
of all it depends on: which pandoc, the request, its input, and the content of every file it
names. A rebuild, or a ``check`` after a build, then converts only text that changed; the
outputs are the same bytes either way (pandoc gives the same output for the same input). A file
holds the conversions of one dossier's last resolving, no more: it never grows."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

from ..errors import DossierError
from .files import atomic_write

FORMAT = 1
Entry = tuple[str, list[str]]
"""pandoc's output and its warnings."""


class Conversions:
    """The conversions kept in ``path`` (read on first use), and those used or made since."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.known: dict[str, list[object]] | None = None
        self.used: dict[str, list[object]] = {}
        self.made = False

    def _known(self) -> dict[str, list[object]]:
        if self.known is None:
            self.known = {}
            with contextlib.suppress(OSError, ValueError):
                data = json.loads(self.path.read_bytes())
                if isinstance(data, dict) and data.get("format") == FORMAT:
                    entries = data.get("entries")
                    self.known = entries if isinstance(entries, dict) else {}
        return self.known

    def get(self, key: str) -> Entry | None:
        found = self._known().get(key)
        match found:
            case [str(out), list(warnings)] if all(isinstance(w, str) for w in warnings):
                self.used[key] = found
                return out, [str(w) for w in warnings]
        return None

    def put(self, key: str, out: str, warnings: list[str]) -> None:
        self.used[key] = [out, warnings]
        self.made = True

    def save(self) -> None:
        """Keep what was used since, if it differs from what was kept (a build calls this
        once it has written its files: a failed one leaves its output folder as it was); a
        folder that cannot be written only means the next build converts again."""
        if not self.made and len(self.used) == len(self._known()):
            return
        data = {"format": FORMAT, "entries": self.used}
        # Never a build's failure: the PDF's and the EPUB's processes may save the same
        # file at once (the same content), and one of them may lose its rename.
        with contextlib.suppress(OSError, ValueError, DossierError):
            text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            atomic_write(self.path, text.encode("utf-8"))


_current: list[Conversions] = []


@contextlib.contextmanager
def using(conversions: Conversions | None) -> Iterator[None]:
    """Conversions in this block are looked up in (and added to) ``conversions``."""
    if conversions is None:
        yield
        return
    _current.append(conversions)
    try:
        yield
    finally:
        _current.remove(conversions)


def current() -> Conversions | None:
    return _current[-1] if _current else None


def digest(parts: list[str], files: list[Path], data: bytes) -> str:
    """The key of a conversion: its parts (which pandoc, the request), the content of the files
    it reads, and its input."""
    h = hashlib.sha256(json.dumps(parts).encode())
    for path in files:
        h.update(hashlib.sha256(path.read_bytes()).digest())
    h.update(data)
    return h.hexdigest()
