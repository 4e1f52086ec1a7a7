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
    return _BACK.sub(lambda m: f"\x00{m.group(1)}\x00", clean)
