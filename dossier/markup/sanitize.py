"""Raw HTML written in Markdown, kept only through an allow-list (``raw-html: sanitize``)."""

from __future__ import annotations

import re

import nh3

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "div", "dl",
    "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "dossier-mark", "colgroup",
    "col",
}  # fmt: skip
"""Text and structure only: no script, style, base, object, embed, iframe, form or link."""
GLOBAL = {"id", "class", "lang", "dir", "title", "role", "data-b", "data-key"}
ATTRIBUTES = {
    "*": GLOBAL,
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "style"},
    "td": {"style", "colspan", "rowspan"},
    "th": {"style", "colspan", "rowspan", "scope"},
    "dossier-mark": {"v"},
    "col": {"style"},
    "ol": {"start", "type"},
}
STYLES = {"width", "height", "text-align"}
"""The only CSS allowed in a style attribute: no positioning (it loses footnotes), no URLs."""

_TAG = re.compile(r"<([A-Za-z][\w-]*)([^>]*)>")
_CLOSE = re.compile(r"</([A-Za-z][\w-]*)\s*>")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip
_EVENT = re.compile(r"\s(on[a-z]+)\s*=", re.IGNORECASE)
_MARK = re.compile("\x00([^\x00]+)\x00")
_BACK = re.compile(r'<dossier-mark v="([^"]+)"></dossier-mark>')


def sanitize(html: str) -> str:
    """``html`` with everything outside the allow-list removed; our placeholders survive."""
    protected = _MARK.sub(lambda m: f'<dossier-mark v="{m.group(1)}"></dossier-mark>', html)
    clean = nh3.clean(
        protected,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        filter_style_properties=STYLES,
        link_rel=None,
        generic_attribute_prefixes={"data-"},
        strip_comments=True,
    )
    return _BACK.sub(lambda m: f"\x00{m.group(1)}\x00", _xhtml(clean))


def _xhtml(html: str) -> str:
    """nh3 writes HTML (``<hr>``, ``&nbsp;``); the EPUB's documents are XML."""
    if "<" not in html and "&" not in html:
        return html
    # Imported here: most dossiers hold no raw HTML, and lxml takes 20 ms to import.
    import lxml.html
    from lxml import etree

    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for element in root.iter():
        if element.tag not in VOID and element.text is None and not len(element):
            element.text = ""  # <p></p>, not <p/>: the print HTML is read as HTML
    inner = etree.tostring(root, method="xml", encoding="unicode")
    return inner[inner.index(">") + 1 : inner.rindex("<")]


def removed(html: str) -> list[str]:
    """What :func:`sanitize` takes out of ``html``, to be said, not dropped quietly: each
    element outside the allow-list and each event attribute, once, in order of appearance."""
    found: list[str] = []
    for match in _TAG.finditer(html):
        name = match.group(1).lower()
        if name not in TAGS:
            found.append(f"<{name}>")
        found += [f"{a.lower()}=" for a in _EVENT.findall(" " + match.group(2))]
    return list(dict.fromkeys(found))


def depth(html: str) -> int:
    """How many elements ``html`` opens and leaves open (negative: closes earlier ones)."""
    opened = sum(
        1
        for m in _TAG.finditer(html)
        if m.group(1).lower() not in VOID and not m.group(2).rstrip().endswith("/")
    )
    return opened - len(_CLOSE.findall(html))
