"""The EPUB 3: one XHTML file per chapter, pop-up footnotes, nav + NCX, reproducible zip."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import uuid
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

from ebooklib import epub

from ...config import BuildOptions
from ...model import ResolvedDossier
from ...render.cover import drawn_cover
from ...render.dates import build_date
from ...render.documents import EpubDocument, Rendered
from ...render.themes import Theme
from ...runtime.files import atomic_write
from ...sources.remote import local_name
from ...text import media
from ...text.terms import terms
from ..base import Artifact
from ..zips import repack
from .a11y import accessibility_facts
from .links import name_links
from .pages import CONTENT, PageMap, add_print_pages

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XHTML = media.TYPES[".xhtml"]
"""The pages' media type, given: ebooklib would guess it (``mimetypes``) for each page."""
EPOCH = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)
"""Timestamp for a dossier with neither ``date`` nor ``SOURCE_DATE_EPOCH`` (zip's minimum)."""


def identifier(rendered: Rendered) -> str:
    """The dossier's ``identifier``, else a UUID derived from its content (stable per edition)."""
    given = rendered.resolved.dossier.identifier
    if given:
        return given
    # From the resolved content, not from one output's markup: the same edition has the
    # same identifier whichever formats a build writes.
    resolved = rendered.resolved
    parts = [resolved.dossier.title, str(resolved.dossier.date), *resolved.summary]
    parts += [c.html for c in resolved.chapters] + [n.html for n in resolved.notes]
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'dossier:' + digest)}"


def _timestamp(resolved: ResolvedDossier) -> dt.datetime:
    date = build_date(resolved.dossier)
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
    date = build_date(rendered.resolved.dossier)
    if date:
        book.add_metadata("DC", "date", date.isoformat())
    for keyword in d.keywords:
        book.add_metadata("DC", "subject", keyword)
    for key, value in (
        ("publisher", d.publisher),
        ("rights", d.rights),
        ("description", d.abstract),
    ):
        if value:
            book.add_metadata("DC", key, value)
    _accessibility(book, rendered)
    if d.subtitle:
        book.add_metadata("DC", "title", d.subtitle, {"id": "subtitle"})
        book.add_metadata(
            None, "meta", "subtitle", {"refines": "#subtitle", "property": "title-type"}
        )


def _accessibility(book: epub.EpubBook, rendered: Rendered) -> None:
    """schema.org accessibility metadata, stating only what is true of this book."""
    facts = accessibility_facts(rendered)
    for name, value in facts:
        attributes = {"property": f"schema:{name}"}
        if name == "accessibilitySummary" and not rendered.resolved.dossier.lang.startswith("en"):
            # The summary is English whatever the book's language: say so.
            attributes[XML_LANG] = "en"
        book.add_metadata(None, "meta", value, attributes)


def _cover(book: epub.EpubBook, rendered: Rendered, theme: Theme) -> tuple[epub.EpubHtml, str]:
    """The cover image (the dossier's, fetched if remote, or one drawn from it) and a page
    that shows it; and the name of the dossier's image in the book ("" for a drawn one)."""
    d = rendered.resolved.dossier
    if d.cover_image in dict(rendered.resolved.remote):
        name = local_name(d.cover_image)
        content = rendered.remote_files[name]
    elif d.cover_image and d.root is not None:
        name = Path(d.cover_image).as_posix()
        content = (d.root / name).read_bytes()
    else:
        name = "cover.png"
        content = drawn_cover(d, theme)
    # What ``set_cover`` does, with the media type from dossier's table: ebooklib would
    # guess it with ``mimetypes``, which reads the system's own table (see text.media).
    image = epub.EpubCover(file_name=name)
    image.media_type, image.content = media.media_type(name), content
    book.add_item(image)
    book.add_metadata(None, "meta", "", {"name": "cover", "content": image.get_id()})
    page = epub.EpubHtml(
        title=terms(d.lang)["cover"],
        file_name="cover.xhtml",
        media_type=XHTML,
        lang=d.lang,
        uid="cover-page",
    )
    page.content = (
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">'
        f'<body><section epub:type="cover" class="cover-image"><img src="{escape(name)}" '
        f'alt="{escape(d.title)}"/></section></body></html>'
    )
    page.add_link(href="style.css", rel="stylesheet", type="text/css")
    book.add_item(page)
    return page, name if d.cover_image else ""


def _toc(documents: tuple[EpubDocument, ...], rendered: Rendered) -> list[Any]:
    """The title page (with the key points), then the chapters with their second-level
    headings, as ebooklib's nested toc. The title page comes first so that every dossier,
    even one whose chapters have no headings, has a contents list with an entry in it."""
    resolved = rendered.resolved
    front = next(doc for doc in documents if doc.kind == "front")
    title_page = epub.Link(front.file_name, resolved.dossier.title, "toc-title-page")
    toc: list[Any] = [title_page]
    if "key-points" in front.ids:
        label = terms(resolved.dossier.lang)["key-points"]
        points = epub.Link(f"{front.file_name}#key-points", label, "toc-key-points")
        toc = [(epub.Section(title_page.title, title_page.href), [points])]
    by_id = {c.id: c for c in resolved.chapters}
    for doc in documents:
        chapter = next((by_id[i] for i in doc.ids if i in by_id), None)
        # A chapter without a heading continues the reading order without an entry, as in
        # the print contents; the body landmark still reaches the first one.
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


def _book(rendered: Rendered, theme: Theme) -> epub.EpubBook:
    resolved = rendered.resolved
    d = resolved.dossier
    book = epub.EpubBook()
    _metadata(book, rendered)
    css = epub.EpubItem(
        uid="style",
        file_name="style.css",
        media_type="text/css",
        content=rendered.epub_css.encode("utf-8"),
    )
    book.add_item(css)
    cover_page, cover = _cover(book, rendered, theme)
    items = []
    for index, doc in enumerate(name_links(rendered.epub_documents)):
        item = epub.EpubHtml(
            title=doc.title or d.title,
            file_name=doc.file_name,
            media_type=XHTML,
            lang=d.lang,
            uid=f"doc-{index:03d}",
            direction=d.dir,
        )
        item.content = doc.xhtml
        item.add_link(href="style.css", rel="stylesheet", type="text/css")
        book.add_item(item)
        items.append(item)
    for index, asset in enumerate(a for a in resolved.assets if a != cover):
        media_type = media.media_type(asset)
        assert d.root is not None  # assets exist only for dossiers with a folder
        content = (d.root / asset).read_bytes()
        book.add_item(
            epub.EpubItem(
                uid=f"asset-{index:03d}", file_name=asset, media_type=media_type, content=content
            )
        )
    remote = ((name, data) for name, data in rendered.remote_files.items() if name != cover)
    for index, (name, data) in enumerate(sorted(remote)):
        media_type = media.media_type(name)
        book.add_item(
            epub.EpubItem(
                uid=f"remote-{index:03d}", file_name=name, media_type=media_type, content=data
            )
        )
    book.toc = _toc(rendered.epub_documents, rendered)
    book.add_item(epub.EpubNcx())
    nav = epub.EpubNav(title=terms(d.lang)["contents"])
    nav.add_link(href="style.css", rel="stylesheet", type="text/css")
    book.add_item(nav)
    book.spine = [cover_page, items[0], nav, *items[1:]]
    book.guide = _landmarks(rendered.epub_documents, terms(d.lang), d.title)
    return book


def _landmarks(
    documents: tuple[EpubDocument, ...], t: dict[str, str], book_title: str
) -> list[dict[str, str]]:
    """Cover, contents, start of the body, sources. Every link needs text (EPUBCheck, and a
    screen reader's name for it): a body starting without a heading is named by the book."""
    guide = [
        {"type": "cover", "href": "cover.xhtml", "title": t["cover"]},
        {"type": "toc", "href": "nav.xhtml", "title": t["contents"]},
    ]
    body = next((doc for doc in documents if doc.kind == "chapter"), None)
    if body:
        guide.append(
            {"type": "bodymatter", "href": body.file_name, "title": body.title or book_title}
        )
    bib = next((doc for doc in documents if doc.kind == "bibliography"), None)
    if bib:
        guide.append({"type": "bibliography", "href": bib.file_name, "title": bib.title})
    return guide


def _page_source(rendered: Rendered) -> tuple[str, str]:
    """What names the print edition in ``pageBreakSource``, and the page-list's heading."""
    source = f"{identifier(rendered)} print edition (PDF)"
    return source, terms(rendered.resolved.dossier.lang)["pages"]


def _package_lang(lang: str) -> Callable[[bytes], bytes]:
    """The OPF ``package`` element with ``xml:lang`` (ebooklib writes none): it is the
    language of the metadata, which Ace requires."""

    def edit(opf: bytes) -> bytes:
        attribute = f' xml:lang="{escape(lang)}"'.encode()
        return re.sub(rb"<package\b", lambda m: m.group(0) + attribute, opf, count=1)

    return edit


def write_epub(rendered: Rendered, theme: Theme, folder: Path, options: BuildOptions) -> Artifact:
    resolved = rendered.resolved
    when = _timestamp(resolved)
    buffer = io.BytesIO()
    epub.write_epub(
        buffer,
        _book(rendered, theme),
        {
            "epub3_pages": False,
            "raise_exceptions": True,
            "mtime": when,
            "landmark_title": terms(resolved.dossier.lang)["contents"],
        },
    )
    target = folder / f"{resolved.dossier.slug}.epub"
    raw = buffer.getvalue()
    opf = f"{CONTENT}content.opf"
    package_lang = _package_lang(resolved.dossier.lang)

    def repack_fixed(
        data: bytes, when: dt.datetime, edits: dict[str, Callable[[bytes], bytes]] | None = None
    ) -> bytes:
        # One re-pack either way: the OPF fix joins the print pages' edits.
        edits = dict(edits or {})
        then = edits.get(opf)
        edits[opf] = lambda content: then(package_lang(content)) if then else package_lang(content)
        return repack(data, when, edits)

    source, title = _page_source(rendered)
    if rendered.page_map:
        data = add_print_pages(raw, rendered.page_map, source, title, when, repack_fixed)
    else:
        data = repack_fixed(raw, when)
    atomic_write(target, data)
    return Artifact(
        resolved.dossier.slug, "epub", target, page_source=(source, title, when.isoformat())
    )


def add_pages_later(path: Path, pages: PageMap, page_source: tuple[str, ...]) -> None:
    """Give an EPUB written earlier the print pages of a PDF laid out elsewhere."""
    source, title, when = page_source
    data = add_print_pages(
        path.read_bytes(), pages, source, title, dt.datetime.fromisoformat(when), repack
    )
    atomic_write(path, data)
