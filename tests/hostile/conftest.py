"""Hostile-input fixtures: a canary outside the dossier, an audit log of every file opened and
folder listed (also from forked layout processes), and a loopback HTTP server that counts
requests."""

from __future__ import annotations

import http.server
import io
import json
import os
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pypdf
import pytest
from PIL import Image

from dossier.config import BuildOptions
from dossier.errors import Diagnostic
from dossier.pipeline import Result, build_one

_LOG: list[int] = []  # the fd of the current audit log, if any


_READS = {"open", "os.scandir", "os.listdir"}
"""Files opened and folders listed (walking a folder lists it)."""


def _audit(event: str, args: tuple[object, ...]) -> None:
    if event in _READS and _LOG and args and isinstance(args[0], str | bytes | os.PathLike):
        os.write(_LOG[0], os.fsencode(args[0]) + b"\n")


sys.addaudithook(_audit)


@pytest.fixture
def opened(tmp_path: Path) -> Iterator[Path]:
    """A file listing every path Python opens or lists during the test, forked children
    included."""
    log = tmp_path / "opened.log"
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    _LOG.append(fd)
    try:
        yield log
    finally:
        _LOG.remove(fd)
        os.close(fd)


@pytest.fixture
def canary(tmp_path: Path) -> Path:
    """A secret outside every dossier: no build may read it."""
    path = tmp_path / "canary-secret.txt"
    path.write_text("CANARY-7d1f")
    return path


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 24), "#1d3557").save(out, format="PNG")
    return out.getvalue()


PNG = _png()
"""What the server answers: a real image, so that an EPUB holding it can be validated."""


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(PNG)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """http://127.0.0.1:PORT and the list of paths requested from it."""
    _Counter.hits = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", _Counter.hits
    finally:
        httpd.shutdown()


def dossier(
    folder: Path, chapter: str, meta: str = "", files: dict[str, bytes] | None = None
) -> Path:
    """A folder dossier with one chapter."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dossier.yaml").write_text(f"title: Hostile\ndate: 2025-01-01\n{meta}")
    (folder / "01.md").write_text(chapter)
    for name, data in (files or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def build(source: Path, out: Path, formats: tuple[str, ...] = ("pdf", "epub")) -> Result:
    return build_one(source, BuildOptions(formats=formats, out=out))


def messages(diagnostics: tuple[Diagnostic, ...]) -> list[str]:
    return [str(d) for d in diagnostics]


def no_partial_files(out: Path) -> None:
    """Nothing half-written: no temporary files, and every file is complete (a PDF ends with
    its end-of-file marker and opens, a zip container reads whole, JSON parses, HTML closes)."""
    if not out.exists():
        return
    assert [p for p in out.rglob(".*") if p.is_file()] == []
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".pdf":
            assert data.rstrip().endswith(b"%%EOF"), path
            assert len(pypdf.PdfReader(path).pages) > 0, path
        elif path.suffix in (".epub", ".docx"):
            with zipfile.ZipFile(path) as container:
                assert container.testzip() is None, path
        elif path.suffix == ".json":
            json.loads(data)
        elif path.suffix == ".html":
            assert data.rstrip().endswith(b"</html>"), path
