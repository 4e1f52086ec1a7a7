"""Print page numbers inside an EPUB: page-break markers, the nav's page-list, and the
``pageBreakSource`` metadata. Applied to a written EPUB, so that a PDF laid out in another
process (or an earlier build) can still give its pages to the EPUB."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from html import escape

from .a11y import PRINT_PAGES

PageMap = Sequence[Sequence[str]]
"""(label, first element starting on the page) per print page; see ``pdf.page_map``."""

CONTENT = "EPUB/"


def _marker(label: str) -> str:
    safe = escape(label)
    return (
        f'<span id="page-{safe}" epub:type="pagebreak" role="doc-pagebreak" '
        f'aria-label="{safe}"></span>'
    )


def _element(key: str) -> re.Pattern[str]:
    kind, _, value = key.partition(":")
    attribute = "data-b" if kind == "b" else "id"
    return re.compile(rf'<[a-zA-Z][\w-]*[^<>]*\s{attribute}="{re.escape(value)}"')


_KEYS = re.compile(r'\s(data-b|id)="([^"]+)"')


def _homes(documents: dict[str, str], order: Sequence[str]) -> dict[str, str]:
    """Which document holds each ``b:N`` / ``id:X`` (one scan, not one per page)."""
    home: dict[str, str] = {}
    for name in order:
        for attribute, value in _KEYS.findall(documents[name]):
            home.setdefault(f"{'b' if attribute == 'data-b' else 'id'}:{value}", name)
    return home


def mark_pages(
    documents: dict[str, str], order: Sequence[str], pages: PageMap
) -> list[tuple[str, str]]:
    """Insert a page-break marker before the element each print page starts with (in place),
    and return the page list as (label, href). A page on which no element starts (a
    paragraph running over it) is marked just before the next page's marker."""
    found: list[tuple[str, str]] = []
    pending: list[str] = []
    home = _homes(documents, order)
    for label, key in pages:
        pending.append(label)
        if not key or key not in home:
            continue
        name = home[key]
        match = _element(key).search(documents[name])
        if match:
            text = documents[name]
            markers = "".join(_marker(p) for p in pending)
            documents[name] = text[: match.start()] + markers + text[match.start() :]
            found += [(p, f"{name.removeprefix(CONTENT)}#page-{p}") for p in pending]
            pending = []
    if pending and order:
        last = order[-1]
        markers = "".join(_marker(p) for p in pending)
        documents[last] = documents[last].replace("</body>", markers + "</body>", 1)
        found += [(p, f"{last.removeprefix(CONTENT)}#page-{p}") for p in pending]
    return found


def _page_list(nav: str, pages: Sequence[tuple[str, str]], title: str) -> str:
    items = "".join(
        f'<li><a href="{escape(href)}">{escape(label)}</a></li>' for label, href in pages
    )
    block = (
        f'<nav epub:type="page-list" role="doc-pagelist" hidden="hidden">'
        f"<h2>{escape(title)}</h2><ol>{items}</ol></nav>"
    )
    return nav.replace("</body>", block + "</body>", 1)


_SUMMARY = re.compile(r'(<meta property="schema:accessibilitySummary"[^>]*>)(.*?)(</meta>)', re.S)


def _metadata(opf: str, source: str) -> str:
    # pageBreakMarkers is the vocabulary's current name for printPageNumbers.
    extra = (
        f'<meta property="pageBreakSource">{escape(source)}</meta>'
        '<meta property="schema:accessibilityFeature">pageNavigation</meta>'
        '<meta property="schema:accessibilityFeature">pageBreakMarkers</meta>'
    )
    # The summary says so too, now that it holds.
    opf = _SUMMARY.sub(lambda m: f"{m.group(1)}{m.group(2)} {PRINT_PAGES}{m.group(3)}", opf, 1)
    return opf.replace("</metadata>", extra + "</metadata>", 1)


def add_print_pages(
    data: bytes,
    pages: PageMap,
    source: str,
    title: str,
    when: dt.datetime,
    repack: Callable[[bytes, dt.datetime, dict[str, Callable[[bytes], bytes]]], bytes],
) -> bytes:
    """The EPUB ``data`` with the print edition's pages marked and listed."""
    import zipfile
    from io import BytesIO

    with zipfile.ZipFile(BytesIO(data)) as archive:
        names = archive.namelist()
        order = [n for n in names if n.endswith(".xhtml") and n != f"{CONTENT}nav.xhtml"]
        documents = {n: archive.read(n).decode("utf-8") for n in order}
    found = mark_pages(documents, order, pages)

    def replace(text: str) -> Callable[[bytes], bytes]:
        return lambda _old: text.encode("utf-8")

    edits = {name: replace(text) for name, text in documents.items()}
    edits[f"{CONTENT}nav.xhtml"] = lambda nav: _page_list(nav.decode(), found, title).encode()
    edits[f"{CONTENT}content.opf"] = lambda opf: _metadata(opf.decode(), source).encode()
    return repack(data, when, edits)
