"""``dossier preview``: the dossier as HTML on localhost, rebuilt and reloaded on every save."""

from __future__ import annotations

import http.server
import tempfile
import threading
import time
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from ..config import BuildOptions
from ..errors import DossierError
from ..pipeline import build_one, prepare
from ..render.documents import render
from ..render.themes import THEME_URL_PREFIX, Theme, load_theme, theme_for
from ..text.media import media_type

SCREEN = """<style>
/* Preview only: browsers have no page floats, so each note sits under its line, numbered. */
body { max-width: 46em; margin: 2em auto; padding: 0 1em; }
.footnote { display: block; margin: .2em 0 .6em 1.5em; padding-left: .6em; font-size: .85em;
            border-left: 2px solid #b8c2cc; color: #333; }
section.cover { height: auto; padding: 2em; }
section.chapter { border-top: 1px solid #ddd; margin-top: 2em; }
</style>
<script>
(function () {
  let seen = null;
  setInterval(async () => {
    try {
      const now = await (await fetch('/__version', {cache: 'no-store'})).text();
      if (seen !== null && now !== seen) location.reload();
      seen = now;
    } catch (e) {}
  }, 700);
})();
</script>
"""


@dataclass
class Preview:
    """What the server shows: the latest HTML (or the errors), and a version that changes."""

    source: Path
    theme_name: str | None = None
    pdf: bool = False
    html: str = ""
    version: int = 0
    pdf_bytes: bytes | None = None
    theme: Theme | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def rebuild(self) -> None:
        try:
            resolved = prepare(self.source)
            theme = theme_for(resolved.dossier, self.theme_name)
            html = render(resolved, theme, epub=False).print_html
            problems = [str(d) for d in resolved.diagnostics]
        except DossierError as exc:
            theme, problems = self.theme or load_theme("default"), [str(d) for d in exc.diagnostics]
            html = "<!DOCTYPE html><html><head><title>Errors</title></head><body></body></html>"
        banner = ""
        if problems:
            items = "".join(f"<li><code>{escape(p)}</code></li>" for p in problems)
            banner = (
                f'<aside style="background:#fdecea;border:1px solid #a8332b;padding:1em">'
                f"<strong>dossier check</strong><ul>{items}</ul></aside>"
            )
        html = html.replace("</head>", SCREEN + "</head>", 1).replace(
            "<body", "<body data-preview", 1
        )
        html = _after_body(html, banner)
        with self.lock:
            self.html, self.theme = html, theme
            self.version += 1
        if self.pdf:
            threading.Thread(target=self._pdf, daemon=True).start()

    def _pdf(self) -> None:
        with tempfile.TemporaryDirectory() as out:
            result = build_one(
                self.source, BuildOptions(formats=("pdf",), out=Path(out), theme=self.theme_name)
            )
            if result.artifacts:
                data = result.artifacts[0].path.read_bytes()
                with self.lock:
                    self.pdf_bytes = data
                    self.version += 1


def _after_body(html: str, banner: str) -> str:
    start = html.find("<body")
    end = html.find(">", start) + 1
    return html[:end] + banner + html[end:] if start >= 0 else html


def _handler(preview: Preview) -> type[http.server.BaseHTTPRequestHandler]:
    root = (preview.source if preview.source.is_dir() else preview.source.parent).resolve()

    class Handler(http.server.BaseHTTPRequestHandler):
        def _send(self, body: bytes, kind: str, status: int = 200) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path.split("?")[0].lstrip("/")
            with preview.lock:
                html, version, pdf, theme = (
                    preview.html,
                    preview.version,
                    preview.pdf_bytes,
                    preview.theme,
                )
            if path in ("", "index.html"):
                return self._send(html.encode(), "text/html; charset=utf-8")
            if path == "__version":
                return self._send(str(version).encode(), "text/plain")
            if path.endswith(".pdf") and pdf is not None:
                return self._send(pdf, "application/pdf")
            if path.startswith(THEME_URL_PREFIX) and theme is not None:
                found = theme.find(path.removeprefix(THEME_URL_PREFIX))
            else:
                candidate = (root / path).resolve()
                found = (
                    candidate if candidate.is_relative_to(root) and candidate.is_file() else None
                )
            if found is None:
                return self._send(b"not found", "text/plain", 404)
            kind = media_type(found.name)
            return self._send(found.read_bytes(), kind)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


def serve(preview: Preview, host: str, port: int, exit_after: float | None = None) -> None:
    """Serve until interrupted (or for ``exit_after`` seconds), rebuilding on every save."""
    from watchfiles import watch

    preview.rebuild()
    server = http.server.ThreadingHTTPServer((host, port), _handler(preview))
    stop = threading.Event()
    folders = [preview.source if preview.source.is_dir() else preview.source.parent]
    if preview.theme is not None:
        folders += [d for d in preview.theme.dirs if d.is_dir()]

    def watcher() -> None:
        for _ in watch(*folders, stop_event=stop, debounce=200, step=50):
            preview.rebuild()

    threading.Thread(target=watcher, daemon=True).start()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        deadline = time.monotonic() + exit_after if exit_after else None
        while deadline is None or time.monotonic() < deadline:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.shutdown()
