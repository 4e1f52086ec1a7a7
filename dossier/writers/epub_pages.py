"""Print page numbers inside the EPUB: page-break markers and the nav's page-list."""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

from ..render import EpubDocument

PageMap = Sequence[tuple[str, str]]


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


def mark_pages(
    documents: Sequence[EpubDocument], pages: PageMap
) -> tuple[list[EpubDocument], list[tuple[str, str]]]:
    """Documents with a page-break marker before the element each print page starts with,
    and the page list as (label, href). A page on which no element starts (a paragraph
    running over it) is marked just before the next page's marker."""
    xhtml = [doc.xhtml for doc in documents]
    found: list[tuple[str, str]] = []
    pending: list[str] = []
    for label, key in pages:
        pending.append(label)
        if not key:
            continue
        for index, text in enumerate(xhtml):
            match = _element(key).search(text)
            if match:
                xhtml[index] = (
                    text[: match.start()]
                    + "".join(_marker(p) for p in pending)
                    + text[match.start() :]
                )
                found += [(p, f"{documents[index].file_name}#page-{p}") for p in pending]
                pending = []
                break
    if pending and xhtml:
        last = len(xhtml) - 1
        xhtml[last] = xhtml[last].replace(
            "</body>", "".join(_marker(p) for p in pending) + "</body>", 1
        )
        found += [(p, f"{documents[last].file_name}#page-{p}") for p in pending]
    marked = [
        EpubDocument(doc.file_name, doc.title, text, doc.kind, doc.ids)
        for doc, text in zip(documents, xhtml, strict=True)
    ]
    return marked, found


def add_page_list(nav: bytes, pages: Sequence[tuple[str, str]], title: str) -> bytes:
    """``nav.xhtml`` with a hidden ``page-list`` nav (readers show it as "go to page")."""
    if not pages:
        return nav
    items = "".join(
        f'<li><a href="{escape(href)}">{escape(label)}</a></li>' for label, href in pages
    )
    block = (
        f'<nav epub:type="page-list" role="doc-pagelist" hidden="hidden">'
        f"<h2>{escape(title)}</h2><ol>{items}</ol></nav>"
    )
    text = nav.decode("utf-8")
    return text.replace("</body>", block + "</body>", 1).encode("utf-8")
