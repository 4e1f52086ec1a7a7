"""markdown-it-py set-up: CommonMark, tables, footnotes, attributes, fenced divs and citations."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.attrs.parse import ParseError
from mdit_py_plugins.attrs.parse import parse as parse_attrs
from mdit_py_plugins.footnote import footnote_plugin

ALLOWED_ATTRS = ("id", "class", "width", "height", "lang", "dir")
"""Attributes a writer may set with ``{...}``: enough for layout, nothing that runs or fetches."""


@dataclass(frozen=True, slots=True)
class CitationItem:
    """One cited source inside a citation group, as Pandoc spells it."""

    key: str
    prefix: str = ""
    label: str = ""
    """CSL locator label (``page``, ``chapter`` …); empty when there is no locator."""
    locator: str = ""
    suffix: str = ""
    suppress_author: bool = False


@dataclass(frozen=True, slots=True)
class CitationGroup:
    """``[see @a, p. 3; @b]``, ``@a``, or a numeric ``[2, 5]``: one note's worth of citations."""

    items: tuple[CitationItem, ...]
    in_text: bool = False
    source: str = ""
    """The text as written, kept for messages."""


# Pandoc's citation keys: a word character, then word characters or inner punctuation.
_KEY = r"[\w](?:[\w]|[:.#$%&\-+?<>~/](?=[\w]))*"
_ITEM = re.compile(rf"^(?P<prefix>.*?)(?P<minus>-?)@(?P<key>{_KEY})(?P<rest>.*)$", re.DOTALL)
_NUMERIC = re.compile(r"\[(\d+(?:\s*[,;–-]\s*\d+)*)\]")
_LOCATORS = {
    "p": "page", "pp": "page", "page": "page", "pages": "page",
    "ch": "chapter", "chap": "chapter", "chapter": "chapter", "chapters": "chapter",
    "sec": "section", "section": "section", "§": "section", "§§": "section",
    "para": "paragraph", "paras": "paragraph", "¶": "paragraph",
    "fig": "figure", "figs": "figure", "figure": "figure",
    "vol": "volume", "vols": "volume", "n": "note", "nn": "note",
    "l": "line", "ll": "line", "col": "column", "no": "issue", "art": "article",
    "s": "page", "с": "page", "сс": "page", "стор": "page", "розд": "chapter", "гл": "chapter",
}  # fmt: skip
_LOCATOR = re.compile(
    r"^\s*(?P<label>[^\W\d_]+\.?|§§?|¶)\s*"
    r"(?P<value>\w+(?:[.:\-–]\w+)*(?:\s*[-–,&]\s*\w+(?:[.:]\w+)*)*)"
)


def parse_item(text: str) -> CitationItem | None:
    """One ``prefix @key, locator suffix`` item, or None when it holds no citation key."""
    match = _ITEM.match(text.strip())
    if not match:
        return None
    rest = match.group("rest")
    label = locator = ""
    if rest.startswith(","):
        rest = rest[1:]
        loc = _LOCATOR.match(rest)
        if loc and loc.group("label").rstrip(".").lower() in _LOCATORS:
            label = _LOCATORS[loc.group("label").rstrip(".").lower()]
            locator = loc.group("value").strip()
            rest = rest[loc.end() :]
        else:
            rest = "," + rest
    return CitationItem(
        key=match.group("key"),
        prefix=match.group("prefix").strip(),
        label=label,
        locator=locator,
        suffix=rest.strip(),
        suppress_author=bool(match.group("minus")),
    )


def parse_group(text: str) -> tuple[CitationItem, ...] | None:
    """Items of ``[...]`` content if every ``;``-separated part cites a key."""
    items = tuple(parse_item(part) for part in text.split(";"))
    if not items or any(item is None for item in items):
        return None
    return tuple(item for item in items if item is not None)


def numeric_items(text: str) -> tuple[CitationItem, ...]:
    """``2, 5`` or ``1-3`` as items whose keys are 1-based positions (resolved later)."""
    numbers: list[int] = []
    for part in re.split(r"\s*[,;]\s*", text):
        if m := re.fullmatch(r"(\d+)\s*[–-]\s*(\d+)", part):
            low, high = int(m.group(1)), int(m.group(2))
            numbers += range(low, high + 1) if high - low < 100 else [low, high]
        else:
            numbers.append(int(part))
    return tuple(CitationItem(key=f"#{n}") for n in numbers)


def _closing_bracket(src: str, start: int) -> int:
    """Index of the ``]`` closing the ``[`` at ``start`` (escapes honoured), or -1."""
    depth, pos = 0, start
    while pos < len(src):
        char = src[pos]
        if char == "\\":
            pos += 2
            continue
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return pos
        pos += 1
    return -1


def _cite_bracket(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if src[pos] != "[" or src.startswith("[^", pos):
        return False
    if state.env.get("numeric_citations") and (m := _NUMERIC.match(src, pos)):
        end = m.end()
        if not src.startswith("(", end) and not src.startswith(":", end):
            if not silent:
                _push(state, CitationGroup(numeric_items(m.group(1)), source=m.group(0)))
            state.pos = end
            return True
    if "@" not in src[pos : pos + 2000]:
        return False
    close = _closing_bracket(src, pos)
    if close < 0 or src.startswith("(", close + 1):
        return False
    items = parse_group(src[pos + 1 : close])
    if items is None:
        return False
    if not silent:
        _push(state, CitationGroup(items, source=src[pos : close + 1]))
    state.pos = close + 1
    return True


_IN_TEXT = re.compile(rf"(-?)@({_KEY})")
_IN_TEXT_LOCATOR = re.compile(r" \[([^\[\]@]*)\]")


def _cite_in_text(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if src[pos] not in "@-" or (pos > 0 and (src[pos - 1].isalnum() or src[pos - 1] in "_@.")):
        return False
    match = _IN_TEXT.match(src, pos)
    if not match or match.group(2) not in state.env.get("keys", ()):
        return False
    end = match.end()
    item = CitationItem(key=match.group(2), suppress_author=bool(match.group(1)))
    if loc := _IN_TEXT_LOCATOR.match(src, end):
        parsed = parse_item(f"@{item.key}, {loc.group(1)}")
        if parsed:
            item = CitationItem(item.key, "", parsed.label, parsed.locator, parsed.suffix)
            end = loc.end()
    if not silent:
        _push(state, CitationGroup((item,), in_text=True, source=src[pos:end]))
    state.pos = end
    return True


def _push(state: StateInline, group: CitationGroup) -> None:
    token = state.push("cite", "", 0)
    token.meta = {"group": group}


# ---- Pandoc fenced divs: ::: {#id .class} or ::: class … ::: -----------------------------------

_DIV_OPEN = re.compile(r"^(:{3,})\s*(\{[^}]*\}|[\w-]+)?\s*:*\s*$")
_DIV_CLOSE = re.compile(r"^(:{3,})\s*$")


def _div_attrs(spec: str | None) -> dict[str, str]:
    if not spec:
        return {}
    if not spec.startswith("{"):
        return {"class": spec}
    try:
        _, attrs = parse_attrs(spec)
    except ParseError:
        return {}
    return {k: v for k, v in attrs.items() if k in ALLOWED_ATTRS}


def _fenced_div(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    line = state.src[state.bMarks[start] + state.tShift[start] : state.eMarks[start]]
    opening = _DIV_OPEN.match(line)
    if not opening or (opening.group(2) is None and _DIV_CLOSE.match(line)):
        return False
    if silent:
        return True
    depth, close = 1, start + 1
    while close < end:
        text = state.src[state.bMarks[close] + state.tShift[close] : state.eMarks[close]]
        if state.sCount[close] < state.blkIndent:
            break
        if _DIV_CLOSE.match(text):
            depth -= 1
            if depth == 0:
                break
        elif (m := _DIV_OPEN.match(text)) and m.group(2) is not None:
            depth += 1
        close += 1
    old_parent, old_max = state.parentType, state.lineMax
    state.parentType = "div"
    state.lineMax = close
    token = state.push("div_open", "div", 1)
    token.map = [start, close]
    token.meta = {"attrs": _div_attrs(opening.group(2))}
    state.md.block.tokenize(state, start + 1, close)
    state.push("div_close", "div", -1)
    state.parentType, state.lineMax = old_parent, old_max
    state.line = min(close + 1, end)
    return True


# ---- heading attributes {#id .class} and implicit figures --------------------------------------

_TRAILING_ATTRS = re.compile(r"\s*(\{[^{}]*\})\s*$")


def _heading_attrs(state: StateCore) -> None:
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[index + 1]
        match = _TRAILING_ATTRS.search(inline.content)
        if not match:
            continue
        try:
            _, attrs = parse_attrs(match.group(1))
        except ParseError:
            continue
        inline.content = inline.content[: match.start()]
        if inline.children and inline.children[-1].type == "text":
            last = inline.children[-1]
            last.content = _TRAILING_ATTRS.sub("", last.content)
        for key, value in attrs.items():
            if key in ALLOWED_ATTRS:
                token.attrSet(key, value)


def _figures(state: StateCore) -> None:
    """A paragraph holding only an image is a figure captioned by the image's description."""
    tokens = state.tokens
    for index, token in enumerate(tokens[:-2]):
        if token.type != "paragraph_open" or tokens[index + 2].type != "paragraph_close":
            continue
        children = [c for c in tokens[index + 1].children or [] if c.type != "softbreak"]
        if len(children) == 1 and children[0].type == "image":
            token.meta["figure"] = True
            tokens[index + 2].meta["figure"] = True
            children[0].meta["figure"] = True


_PUNCTUATION = re.compile(r"^[.,;:!?]+")


def _is_note(token: Token) -> bool:
    return token.type == "cite" and not token.meta["group"].in_text


def _note_placement(state: StateCore) -> None:
    """As Pandoc does for note styles: no space before a note call, and sentence
    punctuation that follows a citation moves before the call (``text [@a].`` -> ``text.¹``)."""
    if not state.env.get("notes", True):
        return  # an in-text citation style: the citation stays where it was written
    in_footnote = False
    for block in state.tokens:
        if block.type in ("footnote_open", "footnote_close"):
            in_footnote = block.type == "footnote_open"
        if in_footnote:
            continue  # inside a note a citation is text, not a call
        children = block.children or []
        index = 0
        while index < len(children):
            if not _is_note(children[index]):
                index += 1
                continue
            end = index
            while end < len(children) and _is_note(children[end]):
                end += 1
            start = index
            while start > 0 and children[start - 1].type == "softbreak":
                start -= 1  # "text\n[@key]": the line break goes, like a space would
                children[start].type, children[start].content = "text", ""
            before = children[start - 1] if start else None
            after = children[end] if end < len(children) else None
            if before is not None and before.type == "text":
                before.content = before.content.rstrip()
                match = (
                    _PUNCTUATION.match(after.content) if after and after.type == "text" else None
                )
                if after is not None and match:
                    before.content += match.group()
                    after.content = after.content[match.end() :]
            index = end


_PERCENT = re.compile(r"(\{[^{}\n]*?\b[\w-]+=)(\d+(?:\.\d+)?%)")


def normalize(text: str) -> str:
    """Pandoc accepts ``{width=60%}``; the attributes parser reads ``%`` as a comment."""
    if "%}" not in text and "% " not in text:
        return text
    previous = None
    while previous != text:
        previous, text = text, _PERCENT.sub(r'\1"\2"', text)
    return text


_ATTRIBUTION = ("—", "–", "―")


def _attributions(state: StateCore) -> None:
    """The last paragraph of a block quote that starts with a dash names who said it."""
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "blockquote_close" or index < 3:
            continue
        close, inline, opening = tokens[index - 1], tokens[index - 2], tokens[index - 3]
        if (
            close.type == "paragraph_close"
            and opening.type == "paragraph_open"
            and inline.children
            and inline.children[0].content.lstrip().startswith(_ATTRIBUTION)
        ):
            opening.attrSet("class", "attribution")


@cache
def parser(html: bool = False) -> MarkdownIt:
    """The Markdown parser. Raw HTML is text unless ``html`` (then the caller sanitises it
    or refuses it, see ``RAW_HTML``)."""
    md = MarkdownIt("commonmark", {"html": html, "typographer": True})
    md.enable(["table", "strikethrough", "replacements", "smartquotes"])
    md.use(footnote_plugin)
    md.use(attrs_plugin, spans=True, allowed=ALLOWED_ATTRS)
    md.inline.ruler.before("link", "cite_bracket", _cite_bracket)
    md.inline.ruler.push("cite_in_text", _cite_in_text)
    md.block.ruler.before(
        "fence", "fenced_div", _fenced_div, {"alt": ["paragraph", "blockquote", "list"]}
    )
    md.core.ruler.push("heading_attrs", _heading_attrs)
    md.core.ruler.push("figures", _figures)
    md.core.ruler.push("note_placement", _note_placement)
    md.core.ruler.push("attributions", _attributions)
    return md
