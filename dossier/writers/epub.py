"""The EPUB 3: one XHTML file per chapter, pop-up footnotes, nav + NCX, reproducible zip."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import mimetypes
import uuid
import zipfile
from pathlib import Path
from typing import Any

from ebooklib import epub

from ..config import BuildOptions
from ..model import ResolvedDossier
from ..render import EpubDocument, Rendered, build_date
from ..terms import terms
from ..themes import Theme
from .base import Artifact, atomic_write

EPOCH = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)
"""Timestamp for a dossier with neither ``date`` nor ``SOURCE_DATE_EPOCH`` (zip's minimum)."""


def identifier(rendered: Rendered) -> str:
    """The dossier's ``identifier``, else a UUID derived from its content (stable per edition)."""
    given = rendered.resolved.dossier.identifier
    if given:
        return given
    digest = hashlib.sha256(rendered.print_html.encode("utf-8")).hexdigest()
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'dossier:' + digest)}"


def _timestamp(resolved: ResolvedDossier) -> dt.datetime:
    date = build_date(resolved)
    return dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC) if date else EPOCH


def _metadata(book: epub.EpubBook, rendered: Rendered) -> None:
    d = rendered.resolved.dossier
    book.set_identifier(identifier(rendered))
    book.set_title(d.title)
    book.set_language(d.lang)
    if d.dir == "rtl":
        book.set_direction("rtl")
    for index, author in enumerate(d.authors, 1):
        book.add_author(author.name, uid=f"creator-{index}")
    date = build_date(rendered.resolved)
    if date:
        book.add_metadata("DC", "date", date.isoformat())
    for keyword in d.keywords:
        book.add_metadata("DC", "subject", keyword)
    for key, value in (("publisher", d.publisher), ("rights", d.rights),
                       ("description", d.abstract)):  # fmt: skip
        if value:
            book.add_metadata("DC", key, value)
    if d.subtitle:
        book.add_metadata("DC", "title", d.subtitle, {"id": "subtitle"})
        book.add_metadata(None, "meta", "subtitle", {"refines": "#subtitle",
                                                    "property": "title-type"})  # fmt: skip


def _toc(documents: tuple[EpubDocument, ...], rendered: Rendered) -> list[Any]:
    """Chapters with their second-level headings, as ebooklib's nested toc."""
    by_id = {c.id: c for c in rendered.resolved.chapters}
    toc: list[Any] = []
    for doc in documents:
        chapter = next((by_id[i] for i in doc.ids if i in by_id), None)
        if chapter is None or not chapter.title:
            continue
        link = epub.Link(f"{doc.file_name}#{chapter.id}", chapter.title, f"toc-{chapter.id}")
        subs = [
            epub.Link(f"{doc.file_name}#{h.id}", h.text, f"toc-{h.id}")
            for h in chapter.headings
            if h.level == 2
        ]
        toc.append((epub.Section(chapter.title, link.href), subs) if subs else link)
    return toc


def _book(rendered: Rendered) -> epub.EpubBook:
    resolved = rendered.resolved
    d = resolved.dossier
    book = epub.EpubBook()
    _metadata(book, rendered)
    css = epub.EpubItem(uid="style", file_name="style.css", media_type="text/css",
                        content=rendered.epub_css.encode("utf-8"))  # fmt: skip
    book.add_item(css)
    items = []
    for index, doc in enumerate(rendered.epub_documents):
        item = epub.EpubHtml(title=doc.title or d.title, file_name=doc.file_name, lang=d.lang,
                             uid=f"doc-{index:03d}", direction=d.dir)  # fmt: skip
        item.content = doc.xhtml
        item.add_link(href="style.css", rel="stylesheet", type="text/css")
        book.add_item(item)
        items.append(item)
    cover = d.cover_image and Path(d.cover_image).as_posix()
    if cover and d.root is not None:
        book.set_cover(cover, (d.root / cover).read_bytes(), create_page=False)
    for index, asset in enumerate(a for a in resolved.assets if a != cover):
        media_type = mimetypes.guess_type(asset)[0] or "application/octet-stream"
        assert d.root is not None  # assets exist only for dossiers with a folder
        content = (d.root / asset).read_bytes()
        book.add_item(
            epub.EpubItem(uid=f"asset-{index:03d}", file_name=asset, media_type=media_type,
                          content=content)
        )  # fmt: skip
    book.toc = _toc(rendered.epub_documents, rendered)
    book.add_item(epub.EpubNcx())
    nav = epub.EpubNav(title=terms(d.lang)["contents"])
    nav.add_link(href="style.css", rel="stylesheet", type="text/css")
    book.add_item(nav)
    book.spine = [items[0], nav, *items[1:]]
    book.guide = _landmarks(rendered.epub_documents, terms(d.lang))
    return book


def _landmarks(documents: tuple[EpubDocument, ...], t: dict[str, str]) -> list[dict[str, str]]:
    guide = [{"type": "cover", "href": documents[0].file_name, "title": t["cover"]},
             {"type": "toc", "href": "nav.xhtml", "title": t["contents"]}]  # fmt: skip
    body = next((doc for doc in documents if doc.kind == "chapter"), None)
    if body:
        guide.append({"type": "bodymatter", "href": body.file_name, "title": body.title})
    bib = next((doc for doc in documents if doc.kind == "bibliography"), None)
    if bib:
        guide.append({"type": "bibliography", "href": bib.file_name, "title": bib.title})
    return guide


def repack(data: bytes, when: dt.datetime) -> bytes:
    """The same zip with fixed entry times, ``mimetype`` first and stored: reproducible bytes."""
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        order = {name: index for index, name in enumerate(source.namelist())}
        for name in sorted(order, key=lambda n: (n != "mimetype", order[n])):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            target.writestr(info, source.read(name), compresslevel=9)
    return out.getvalue()


def write_epub(rendered: Rendered, theme: Theme, folder: Path, options: BuildOptions) -> Artifact:
    resolved = rendered.resolved
    when = _timestamp(resolved)
    buffer = io.BytesIO()
    epub.write_epub(
        buffer,
        _book(rendered),
        {"epub3_pages": False, "raise_exceptions": True, "mtime": when,
         "landmark_title": terms(resolved.dossier.lang)["contents"]},
    )  # fmt: skip
    target = folder / f"{resolved.dossier.slug}.epub"
    atomic_write(target, repack(buffer.getvalue(), when))
    return Artifact(resolved.dossier.slug, "epub", target)
