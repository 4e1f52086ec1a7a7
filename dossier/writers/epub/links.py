"""Every link in the EPUB gets an accessible name. A link with no text (``[](https://…)`` or
``[](#id)`` in the Markdown, or an image without a description inside a link) shows nothing
and tells a screen reader nothing: it is named after where it leads, as Ace requires."""

from __future__ import annotations

import dataclasses
import re

from lxml import etree

from ...render.documents import EpubDocument

XHTML = "{http://www.w3.org/1999/xhtml}"
_MAYBE_EMPTY = re.compile(r"<a\b[^>]*\bhref=[^>]*>(?:\s|<img\b[^>]*>|<(\w+)[^>]*>\s*</\1>)*</a>")
"""A cheap first look, so that only documents that may hold such a link are parsed."""
LONGEST = 80
"""Characters of a target's text kept in a name (a heading, usually; a paragraph, rarely)."""


def _text(element: etree._Element) -> str:
    return " ".join("".join(str(part) for part in element.itertext()).split())


def _named(link: etree._Element) -> bool:
    if link.get("aria-label", "").strip() or _text(link):
        return True
    return any(image.get("alt", "").strip() for image in link.iter(f"{XHTML}img"))


def _name(target: str) -> str:
    return target if len(target) <= LONGEST else target[: LONGEST - 1].rstrip() + "…"


def name_links(documents: tuple[EpubDocument, ...]) -> tuple[EpubDocument, ...]:
    """The documents, with ``aria-label`` on each link that has no text of its own: the text
    of the element it points at in the book, else its address."""
    suspects = {doc.file_name for doc in documents if _MAYBE_EMPTY.search(doc.xhtml)}
    if not suspects:
        return documents
    roots = {doc.file_name: etree.fromstring(doc.xhtml.encode("utf-8")) for doc in documents}
    targets: dict[str, str] = {}
    for root in roots.values():
        for element in root.iter(etree.Element):
            if (anchor := element.get("id")) and anchor not in targets:
                targets[anchor] = _text(element)
    named = []
    for doc in documents:
        if doc.file_name not in suspects:
            named.append(doc)
            continue
        root = roots[doc.file_name]
        for link in root.iter(f"{XHTML}a"):
            href = link.get("href")
            if href is None or _named(link):
                continue
            anchor = href.partition("#")[2] if "#" in href and "://" not in href else ""
            link.set("aria-label", _name(targets.get(anchor) or href))
        named.append(dataclasses.replace(doc, xhtml=etree.tostring(root, encoding="unicode")))
    return tuple(named)
