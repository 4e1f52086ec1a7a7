"""``dossier import DRAFT.docx``: a Word draft as a dossier folder that builds at once —
metadata, one chapter file per Heading 1, footnotes, images, tables, Zotero citations."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ...config import METADATA_FILE
from ...errors import Collector, Diagnostic, DossierError, Location, display_path
from ...markup.reader import meta_text
from ...model import ast
from ...resolve.fragments import IMAGE_TYPES
from ...runtime import pandoc
from ...text.slugs import slugify
from .chapters import ChapterFile, chapter_files
from .citations import csl_json, readable_keys, rename
from .properties import read_properties
from .review import accept, text_boxes

READER = "docx+citations"
"""Pandoc's docx reader, with Zotero and Mendeley fields read as citations."""
ASSETS = "assets"
REFERENCES = "references.json"


@dataclass(frozen=True, slots=True)
class Imported:
    """The folder written, its files, and what could not be carried over."""

    folder: Path
    files: tuple[Path, ...]
    diagnostics: tuple[Diagnostic, ...]


def _read(draft: Path, media: Path, where: Location) -> tuple[ast.Json, list[str]]:
    """Pandoc's reading of the draft, tracked changes and comments shown as spans, its
    images extracted into ``media``."""
    args = ["-f", READER, "-t", "json", "--track-changes=all", f"--extract-media={media}"]
    out, warnings = pandoc.run([*args, str(draft)], "", where)
    document: ast.Json = json.loads(out)
    return document, warnings


def _open(draft: Path, where: Location) -> zipfile.ZipFile:
    if draft.suffix.lower() != ".docx":
        raise DossierError.at(where, "a Word draft is a .docx file")
    try:
        return zipfile.ZipFile(draft)
    except FileNotFoundError:
        raise DossierError.at(where, f"file not found: {display_path(draft)}") from None
    except (OSError, zipfile.BadZipFile) as exc:
        raise DossierError.at(where, f"not a Word (.docx) file: {exc}") from None


# ---- metadata ----------------------------------------------------------------------------------


def _iso(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def _list(text: str, separators: str) -> list[str]:
    for separator in separators:
        text = text.replace(separator, "\x00")
    return [part.strip() for part in text.split("\x00") if part.strip()]


def metadata(meta: ast.Json, properties: dict[str, str], fallback: str) -> dict[str, Any]:
    """dossier.yaml's keys: the draft's Title, Subtitle, Author and Date paragraphs first,
    then its document properties; the file's name when it has no title at all."""
    found: dict[str, Any] = {}
    found["title"] = meta_text(meta["title"]) if "title" in meta else ""
    found["title"] = found["title"] or properties.get("title", "") or fallback
    if "subtitle" in meta or "subtitle" in properties:
        found["subtitle"] = (
            meta_text(meta["subtitle"]) if "subtitle" in meta else properties["subtitle"]
        )
    people = meta.get("author")
    names = [
        meta_text(p)
        for p in (
            people["c"] if people and people["t"] == "MetaList" else [people] if people else []
        )
    ]
    names = [n for n in names if n] or _list(properties.get("creator", ""), ";")
    if names:
        found["author"] = names
    dates = [meta_text(meta["date"]) if "date" in meta else ""]
    dates += [properties.get(k, "") for k in ("date", "modified", "created")]
    if date := next((d for d in (_iso(text) for text in dates if text) if d), None):
        found["date"] = date
    for key in ("version", "classification", "publisher", "rights", "subject"):
        if properties.get(key):
            found[key] = properties[key]
    if properties.get("language"):
        found["lang"] = properties["language"]
    if properties.get("keywords"):
        found["keywords"] = _list(properties["keywords"], ",;")
    if properties.get("description"):
        found["description"] = properties["description"]
    return found


# ---- images and anchors ------------------------------------------------------------------------


def _images(
    blocks: tuple[ast.Block, ...], media: Path, collector: Collector, where: Location
) -> tuple[tuple[ast.Block, ...], dict[str, Path]]:
    """Images renamed ``assets/figure-01.png`` … in reading order; a kind no output can show
    (EMF, WMF, TIFF) is left out with a warning, its description kept as text."""
    files: dict[str, Path] = {}
    names: dict[str, str] = {}

    def fix(items: tuple[ast.Inline, ...]) -> tuple[ast.Inline, ...]:
        out: list[ast.Inline] = []
        for item in items:
            if not isinstance(item, ast.Image):
                out.append(item)
                continue
            path = Path(item.url).resolve()
            suffix = path.suffix.lower()
            if not path.is_relative_to(media.resolve()) or not path.is_file():
                out.append(item)  # a linked image, not part of the draft: kept as written
            elif suffix not in IMAGE_TYPES:
                collector.warning(
                    where,
                    f"image {path.name} ({suffix.lstrip('.').upper()}) "
                    "is left out: dossier shows PNG, JPEG, GIF, SVG and WebP "
                    "(save it as PNG in Word and import again)",
                )
                out += [ast.Span(ast.NO_ATTR, item.content)] if item.content else []
            else:
                if item.url not in names:
                    names[item.url] = f"{ASSETS}/figure-{len(names) + 1:02d}{suffix}"
                    files[names[item.url]] = path
                out.append(ast.Image(item.attr, item.content, names[item.url], item.title))
        return tuple(out)

    return ast.map_inlines(blocks, fix), files


def _no_stray_anchors(blocks: tuple[ast.Block, ...]) -> tuple[ast.Block, ...]:
    """Without the empty anchors Word leaves for bookmarks (``_Toc…``, ``_GoBack``) that no
    link of the draft points to: in Markdown they are noise such as ``[]{#_Toc12}``."""
    targets: set[str] = set()

    def look(items: tuple[ast.Inline, ...]) -> tuple[ast.Inline, ...]:
        targets.update(i.url[1:] for i in items if isinstance(i, ast.Link) and i.url[:1] == "#")
        return items

    def drop(items: tuple[ast.Inline, ...]) -> tuple[ast.Inline, ...]:
        return tuple(
            i
            for i in items
            if not (
                isinstance(i, ast.Span) and not i.content and i.attr.id and i.attr.id not in targets
            )
        )

    ast.map_inlines(blocks, look)
    return ast.map_inlines(blocks, drop)


# ---- writing -----------------------------------------------------------------------------------


def _yaml(meta: dict[str, Any], chapters: list[ChapterFile], references: bool, draft: str) -> str:
    data = dict(meta)
    if references:
        data["bibliography"] = REFERENCES
    data["chapters"] = [c.name for c in chapters]
    head = f"# Imported from {draft} by `dossier import`.\n"
    return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=96)


def _write(target: Path, files: dict[str, bytes], where: Location) -> list[Path]:
    """Every file into a new folder beside ``target``, then the folder renamed into place:
    nothing half-written is left, and an existing folder is never touched."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for name, data in files.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_bytes(data)
        os.rename(staging, target)  # fails when target exists (a non-empty folder)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise DossierError.at(where, f"cannot write {display_path(target)}: {exc}") from None
    return [target / name for name in files]


def _target(into: Path | None, sources: Path, title: str, stem: str) -> Path:
    return (
        into if into is not None else sources / (slugify(title)[:60].rstrip("-._") or slugify(stem))
    )


def import_docx(draft: Path, into: Path | None = None, sources: Path = Path("sources")) -> Imported:
    """Write the dossier folder for ``draft``: ``into``, else ``sources/<slug of title>``.
    Raises DossierError (writing nothing) when the folder exists or the draft is unreadable."""
    where = Location(display_path(draft))
    collector = Collector()
    with _open(draft, where) as archive:
        properties = read_properties(archive)
        boxes = text_boxes(archive)
    with tempfile.TemporaryDirectory(prefix="dossier-import-") as temporary:
        media = Path(temporary)
        document, warnings = _read(draft, media, where)
        for warning in warnings:
            collector.warning(where, f"pandoc: {warning}")
        blocks, marks = accept(ast.blocks(document["blocks"]))
        if not blocks:
            raise DossierError.at(where, "the draft has no text to import")
        items = csl_json(document, where)
        keys = readable_keys(items)
        blocks = _no_stray_anchors(rename(blocks, keys))
        blocks, images = _images(blocks, media, collector, where)
        meta = metadata(document.get("meta", {}), properties, draft.stem)
        target = _target(into, sources, meta["title"], draft.stem)
        if target.exists():
            raise DossierError.at(
                where,
                f"{display_path(target)} already exists; nothing "
                "was written (give another folder with --into)",
            )
        chapters = chapter_files(blocks, pandoc.api_version(), where)
        files = {c.name: c.markdown.encode() for c in chapters}
        if items:
            for item in items:
                item["id"] = keys.get(str(item.get("id", "")), item.get("id"))
            text = json.dumps(items, indent=2, ensure_ascii=False) + "\n"
            files[REFERENCES] = text.encode()
        files[METADATA_FILE] = _yaml(meta, chapters, bool(items), draft.name).encode()
        files.update({name: path.read_bytes() for name, path in images.items()})
        written = _write(target, files, where)
    for mark in (*marks, *boxes):
        collector.warning(where, f"in {mark.where}: {mark.message}")
    return Imported(target, tuple(written), tuple(collector.diagnostics))
