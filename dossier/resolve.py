"""Markdown to HTML fragments in document order, numbering every note on the way."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import OptionsDict
from markupsafe import escape

from . import cite_styles
from .citations import Notes, grade_mark
from .csl_style import CslStyle
from .errors import Collector, DossierError, Location
from .lints import (
    CREDIBILITY,
    GRADE,
    OPT_OUT,
    RELIABILITY,
    factual_sentence,
    grade,
    lint_key_points,
    lint_players,
    lint_sources,
)
from .markdown import normalize, parser
from .model import (
    BLOCK_MARK,
    BibEntry,
    Dossier,
    Heading,
    Issue,
    Markdown,
    ResolvedChapter,
    ResolvedDossier,
    ResolvedEvent,
    ResolvedIssue,
    ResolvedPlayer,
)
from .sanitize import sanitize
from .slugs import slugify
from .terms import terms as terms_for
from .textio import NOT_XML

BLOCKS = ("players", "positions", "timeline", "refs")
"""Ids of fenced divs that mark where a generated block goes (``::: {#refs}`` as in Pandoc)."""
RESERVED_IDS = {
    "cover",
    "key-points",
    "contents",
    "refs",
    "players",
    "positions",
    "timeline",
    "last-page",
}
_IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}


def _plain(tokens: Sequence[Token]) -> str:
    """The text of inline tokens, without markup or citations."""
    out = []
    for token in tokens:
        if token.type in ("text", "code_inline"):
            out.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif token.children:
            out.append(_plain(token.children))
    return "".join(out).strip()


@dataclass
class _Walk:
    """State of one pass over the dossier in reading order."""

    dossier: Dossier
    collector: Collector
    notes: Notes
    ids: set[str] = field(default_factory=lambda: set(RESERVED_IDS))
    placed: dict[str, str] = field(default_factory=dict)
    """Names of the generated blocks placed so far."""
    headings: list[Heading] = field(default_factory=list)
    assets: set[str] = field(default_factory=set)
    allow_remote: bool = False
    remote: dict[str, Location] = field(default_factory=dict)
    """Remote images to fetch (with --allow-remote), and where each is first used."""
    blocks: int = 0
    """Blocks numbered so far (see ``_Renderer._number``)."""
    players: tuple[ResolvedPlayer, ...] = ()
    parties: tuple[str, ...] = ()
    positions: tuple[ResolvedIssue, ...] = ()
    timeline: tuple[ResolvedEvent, ...] = ()

    def unique_id(self, wanted: str) -> str:
        candidate, n = wanted, 1
        while candidate in self.ids:
            candidate = f"{wanted}-{n}"
            n += 1
        self.ids.add(candidate)
        return candidate


class _Renderer(RendererHTML):
    """HTML for our tokens; note calls become placeholders numbered in reading order."""

    def _walk(self, env: dict[str, Any]) -> _Walk:
        walk: _Walk = env["walk"]
        return walk

    def _at(self, token: Token, env: dict[str, Any]) -> Location:
        location: Location = env["location"]
        return location.shifted(int(token.meta.get("line", 0)))

    def cite(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any) -> str:
        token = tokens[idx]
        walk = self._walk(env)
        return walk.notes.cite(token.meta["group"], self._at(token, env), env.get("in_note", False))

    def footnote_ref(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
    ) -> str:
        token = tokens[idx]
        body = env["footnote_bodies"].get(token.meta["id"], [])
        inner = {**env, "in_note": True}
        html = self.render(body, options, inner)
        return self._walk(env).notes.add(html, self._at(token, env))

    def _number(self, token: Token, env: Any) -> None:
        """``data-b``: the same block number in print and EPUB, so that print pages can be
        mapped into the EPUB (page-list) and layout repairs can name a block."""
        if not env.get("in_note"):
            walk = self._walk(env)
            walk.blocks += 1
            token.attrSet("data-b", str(walk.blocks))

    def list_item_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
    ) -> str:
        self._number(tokens[idx], env)
        return self.renderToken(tokens, idx, options, env)

    def heading_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
    ) -> str:
        token = tokens[idx]
        walk = self._walk(env)
        self._number(token, env)
        text = _plain(tokens[idx + 1].children or [])
        token.attrSet("id", walk.unique_id(str(token.attrGet("id") or slugify(text))))
        walk.headings.append(Heading(int(token.tag[1]), str(token.attrGet("id")), text))
        return self.renderToken(tokens, idx, options, env)

    def div_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any) -> str:
        attrs = dict(tokens[idx].meta["attrs"])
        name = attrs.get("id", "")
        if name in BLOCKS:
            span = tokens[idx].map
            line = span[0] if span else 0
            _place(self._walk(env), name, env["location"].shifted(line))
            return f'<div class="block-{name}">' + BLOCK_MARK.format(name)
        if "class" in attrs and "role" not in attrs:
            attrs["role"] = "note"
        rendered = "".join(f' {k}="{escape(v)}"' for k, v in sorted(attrs.items()))
        return f"<div{rendered}>\n"

    def _raw(self, tokens: Sequence[Token], idx: int, env: Any) -> str:
        token = tokens[idx]
        walk = self._walk(env)
        if walk.dossier.raw_html == "refuse":
            line = token.map[0] if token.map else int(token.meta.get("line", 0))
            walk.collector.error(
                env["location"].shifted(line),
                "raw HTML is not allowed here (raw-html: refuse); write Markdown instead",
            )
            return str(escape(token.content))
        return token.content  # sanitised with the whole fragment, see render_markdown

    def html_block(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any) -> str:
        return self._raw(tokens, idx, env)

    def html_inline(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any) -> str:
        return self._raw(tokens, idx, env)

    def div_close(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any) -> str:
        return "</div>\n"

    def paragraph_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
    ) -> str:
        if tokens[idx].meta.get("figure"):
            return '<figure class="figure">'
        self._number(tokens[idx], env)
        return self.renderToken(tokens, idx, options, env)

    def paragraph_close(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
    ) -> str:
        if tokens[idx].meta.get("figure"):
            return "</figure>\n"
        return self.renderToken(tokens, idx, options, env)

    def image(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any) -> str:
        token = tokens[idx]
        walk = self._walk(env)
        at = self._at(token, env)
        src = _check_image(walk, str(token.attrGet("src") or ""), at)
        alt = _plain(token.children or [])
        if not alt:
            walk.collector.warning(at, f"image '{src}' has no description (alt text)")
        attrs, style = "", ""
        for key, value in sorted(token.attrs.items()):
            if key in ("width", "height") and not str(value).isdigit():
                style += f"{key}: {value}; "  # Pandoc's width=60% is a style, not an attribute
            elif key in ("width", "height", "id", "class"):
                attrs += f' {key}="{escape(value)}"'
        if style:
            attrs += f' style="{escape(style.strip())}"'

        img = f'<img src="{escape(src)}" alt="{escape(alt)}"{attrs}/>'
        if token.meta.get("figure") and token.children:
            caption = self.renderInline(token.children, options, env)
            return f"{img}<figcaption>{caption}</figcaption>"
        return img


def _check_image(walk: _Walk, src: str, at: Location) -> str:
    """The image's path relative to the dossier folder; errors for remote or missing files."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", src):
        if walk.allow_remote and src.startswith(("http://", "https://")):
            walk.remote[src] = at
        else:
            hint = "only http(s) with --allow-remote" if walk.allow_remote else "see --allow-remote"
            walk.collector.error(
                at, f"image '{src}' is not a local file (remote images are not fetched; {hint})"
            )
        return src
    root = walk.dossier.root
    if root is None:
        walk.collector.error(at, f"image '{src}' needs a dossier folder to be found in")
        return src
    path = (root / src).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        walk.collector.error(at, f"image not found in the dossier folder: {src}")
    elif path.suffix.lower() not in _IMAGE_TYPES:
        walk.collector.error(at, f"'{src}' is not a supported image type")
    else:
        walk.assets.add(path.relative_to(root).as_posix())
    return Path(src).as_posix()


_RENDERER = _Renderer()
_LONE_PARAGRAPH = re.compile(r"<p[^>]*>(.*)</p>", re.DOTALL)


def _uncited_claims(walk: _Walk, tokens: Sequence[Token], location: Location) -> None:
    """Warn about body paragraphs that state facts without citing anything."""
    exempt: list[bool] = []
    for index, token in enumerate(tokens):
        classes = set(str(token.attrGet("class") or "").split()) | set(
            str(token.meta.get("attrs", {}).get("class", "")).split()
        )
        if token.type == "heading_open" and token.tag == "h1" and classes & OPT_OUT:
            return  # the whole chapter is analysis
        if token.type == "div_open":
            exempt.append(bool(classes & OPT_OUT))
        elif token.type == "div_close" and exempt:
            exempt.pop()
        if token.type != "inline" or tokens[index - 1].type != "paragraph_open" or any(exempt):
            continue
        children = token.children or []
        nested = [c for child in children for c in (child, *(child.children or []))]
        if tokens[index - 1].meta.get("figure") or not token.map:
            continue  # a figure's caption describes the image
        if any(c.type in ("cite", "footnote_ref") for c in nested):
            continue
        if sentence := factual_sentence(_plain(children)):
            walk.collector.warning(
                location.shifted(token.map[0]),
                f"uncited claim: “{sentence}” (cite a source, or mark the passage "
                "::: {.uncited-ok})",
            )


def render_markdown(
    walk: _Walk, text: Markdown, inline: bool = False, chapter: bool = False
) -> str:
    """HTML for one piece of Markdown; ``inline`` drops a lone wrapping paragraph."""
    env: dict[str, Any] = {
        "walk": walk,
        "location": text.location,
        "keys": {s.id for s in walk.dossier.sources},
        "numeric_citations": walk.dossier.numeric_citations,
        "notes": walk.notes.style is None or not walk.notes.style.in_text,
    }
    if bad := NOT_XML.search(text.text):
        line = text.text.count("\n", 0, bad.start())
        walk.collector.error(
            text.location.shifted(line),
            f"character U+{ord(bad.group()):04X} is not allowed in a document",
        )
        return ""
    raw = walk.dossier.raw_html
    md = parser(html=raw != "escape")
    tokens = md.parse(normalize(text.text), env)
    _line_numbers(tokens)
    body, bodies = _split_footnotes(tokens)
    if chapter and not walk.notes.collecting:
        _uncited_claims(walk, body, text.location)
    env["footnote_bodies"] = bodies
    html = _RENDERER.render(body, md.options, env)
    if raw == "sanitize":
        html = sanitize(html)
        for src in re.findall(r'<img[^>]*\ssrc="([^"]*)"', html):
            _check_image(walk, src, text.location)  # raw images obey the same rules
    if inline:
        match = _LONE_PARAGRAPH.fullmatch(html.strip())
        if match and "<p" not in match.group(1):
            return match.group(1)
    return html


def _line_numbers(tokens: Sequence[Token]) -> None:
    """Give inline tokens the 0-based line they sit on, for ``path:line`` messages."""
    for block in tokens:
        if block.type != "inline" or not block.map:
            continue
        line = block.map[0]
        for child in block.children or []:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            child.meta["line"] = line
            for grandchild in child.children or []:
                grandchild.meta["line"] = line


def _split_footnotes(tokens: Sequence[Token]) -> tuple[list[Token], dict[int, list[Token]]]:
    """Body tokens, and each footnote's content tokens by footnote id."""
    body: list[Token] = []
    bodies: dict[int, list[Token]] = {}
    current: list[Token] | None = None
    for token in tokens:
        if token.type == "footnote_open":
            current = bodies.setdefault(int(token.meta["id"]), [])
        elif token.type == "footnote_close":
            current = None
        elif token.type in ("footnote_block_open", "footnote_block_close", "footnote_anchor"):
            continue
        elif current is not None:
            current.append(token)
        else:
            body.append(token)
    return body, bodies


def _place(walk: _Walk, name: str, at: Location) -> None:
    """Render a generated block where it is placed, so its notes get numbers in reading order."""
    if name in walk.placed:
        walk.collector.warning(at, f"'{name}' is placed twice; only the first place is used")
        return
    walk.placed[name] = name
    dossier = walk.dossier
    if name == "players":
        walk.players = tuple(
            ResolvedPlayer(p.name, p.role, p.party, render_markdown(walk, p.position, True))
            for p in dossier.players
        )
    elif name == "positions":
        walk.parties = tuple(dict.fromkeys(s.party for i in dossier.positions for s in i.stances))
        walk.positions = tuple(_issue(walk, issue) for issue in dossier.positions)
    elif name == "timeline":
        walk.timeline = tuple(
            ResolvedEvent(e.date, render_markdown(walk, e.event, True)) for e in dossier.timeline
        )


def _issue(walk: _Walk, issue: Issue) -> ResolvedIssue:
    stances = {s.party: s.text for s in issue.stances}
    cells = tuple(
        render_markdown(walk, stances[party], True) if party in stances else ""
        for party in walk.parties
    )
    return ResolvedIssue(issue.issue, cells)


def _appendix(walk: _Walk) -> ResolvedChapter | None:
    """Players, positions and timeline that no ``::: {#name}`` div placed, after the chapters."""
    dossier = walk.dossier
    present = {"players": dossier.players, "positions": dossier.positions,
               "timeline": dossier.timeline}  # fmt: skip
    missing = [name for name, items in present.items() if items and name not in walk.placed]
    if not missing:
        return None
    title = terms_for(dossier.lang)["appendix"]
    chapter_id = walk.unique_id("players-and-positions")
    html = f'<h1 id="{chapter_id}">{escape(title)}</h1>\n'
    for name in missing:
        _place(walk, name, dossier.location)
        html += f'<div class="block-{name}">{BLOCK_MARK.format(name)}</div>\n'
    return ResolvedChapter(chapter_id, title, str(escape(title)), html, kind="appendix")


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every string inside metadata values (dataclasses, mappings, sequences), with a name.
    Markdown is left out: ``render_markdown`` checks it, with its exact location."""
    if isinstance(value, Markdown):
        return
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(item, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}[{index}]")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            if item.name not in ("location", "diagnostics", "chapters", "root", "sources"):
                yield from _strings(getattr(value, item.name), f"{where}.{item.name}")


def _check_text(dossier: Dossier, collector: Collector) -> None:
    """Characters XML forbids break the EPUB: refuse them wherever text came from (JSON
    escapes and Python strings bypass the check made when files are read)."""
    for name, text in _strings(dossier, "dossier"):
        if bad := NOT_XML.search(text):
            collector.error(
                dossier.location,
                f"{name}: character U+{ord(bad.group()):04X} is not allowed in a document",
            )
    for source in dossier.sources:
        for name, text in _strings(source.data, source.id):
            if bad := NOT_XML.search(text):
                collector.error(
                    source.location,
                    f"{name}: character U+{ord(bad.group()):04X} is not allowed in a document",
                )


def resolve(dossier: Dossier, allow_remote: bool = False) -> ResolvedDossier:
    """Every fragment of the dossier as HTML, with notes numbered in reading order."""
    style = None
    if dossier.csl:
        try:
            style = CslStyle(dossier.csl, dossier.sources, dossier.root, dossier.lang,
                             dossier.location)  # fmt: skip
        except DossierError as exc:
            return _failed(dossier, exc)
        # First pass: meet every citation in reading order, so the style can number them.
        _resolve(dossier, allow_remote, Notes(dossier.sources, dossier.lang, Collector(),
                                              style=style, collecting=True))  # fmt: skip
    notes = Notes(dossier.sources, dossier.lang, Collector(list(dossier.diagnostics)), style=style)
    return _resolve(dossier, allow_remote, notes)


def _failed(dossier: Dossier, error: DossierError) -> ResolvedDossier:
    return ResolvedDossier(dossier, (), (), (), (), (), (), (), (), (), (), error.diagnostics)


def _resolve(dossier: Dossier, allow_remote: bool, notes: Notes) -> ResolvedDossier:
    collector = notes.collector
    _check_text(dossier, collector)
    walk = _Walk(dossier, collector, notes)
    walk.allow_remote = allow_remote
    if dossier.cover_image:
        _check_image(walk, dossier.cover_image, dossier.location)
    summary_html, cited_by_point = [], []
    for point in dossier.summary:
        start = len(walk.notes.log)
        summary_html.append(render_markdown(walk, point, inline=True))
        cited_by_point.append((point, walk.notes.log[start:]))
    summary = tuple(summary_html)
    chapters = [_chapter(walk, chapter.markdown, chapter.location, chapter.title)
                for chapter in dossier.chapters]  # fmt: skip
    if appendix := _appendix(walk):
        chapters.append(appendix)
    walk.notes.mark_uncited(dossier.nocite)
    if not walk.notes.collecting:
        lint_sources(dossier, walk.notes.log, collector)
        lint_key_points(dossier, cited_by_point, collector)
        lint_players(dossier, collector)
    bibliography = _bibliography(walk)
    graded = _graded(dossier, bibliography)
    if bibliography and "refs" not in walk.placed:
        title = terms_for(dossier.lang)["bibliography"]
        walk.placed["refs"] = "refs"
        html = f'<h1 id="refs">{escape(title)}</h1>\n' + BLOCK_MARK.format("refs")
        chapters.append(
            ResolvedChapter("refs", title, str(escape(title)), html, kind="bibliography")
        )
    if graded:
        title = terms_for(dossier.lang)["grades"]
        chapter_id = walk.unique_id("sources-by-grade")
        html = f'<h1 id="{chapter_id}">{escape(title)}</h1>\n' + BLOCK_MARK.format("grades")
        chapters.append(
            ResolvedChapter(chapter_id, title, str(escape(title)), html, kind="appendix")
        )
    return ResolvedDossier(
        dossier=dossier,
        summary=summary,
        chapters=tuple(chapters),
        players=walk.players,
        parties=walk.parties,
        positions=walk.positions,
        timeline=walk.timeline,
        notes=tuple(walk.notes.notes),
        bibliography=bibliography,
        assets=tuple(sorted(walk.assets)),
        remote=tuple(sorted(walk.remote.items())),
        diagnostics=tuple(collector.diagnostics),
        graded=graded,
    )


def _chapter(walk: _Walk, text: str, location: Location, title: str) -> ResolvedChapter:
    walk.notes.new_chapter()
    first = len(walk.headings)
    if title and not text.lstrip().startswith("#"):
        text = f"# {title}\n\n{text}"
        location = location.shifted(-2)
    html = render_markdown(walk, Markdown(text, location), chapter=True)
    headings = tuple(walk.headings[first:])
    top = next((h for h in headings if h.level == 1), None)
    if top is None:
        chapter_id = walk.unique_id("chapter")
        return ResolvedChapter(chapter_id, "", "", html, headings)
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.DOTALL)
    title_html = match.group(1) if match else str(escape(top.text))
    return ResolvedChapter(top.id, top.text, title_html, html, headings)


def _graded(
    dossier: Dossier, entries: tuple[BibEntry, ...]
) -> tuple[tuple[str, str, str, str], ...]:
    """Rows of the "sources by grade" table: cited sources with a valid grade, best first."""
    by_key = {s.id: s for s in dossier.sources}
    rows = []
    for entry in entries:
        value = grade(by_key[entry.key]) if entry.key in by_key else ""
        if match := GRADE.match(value):
            rows.append((value, RELIABILITY[match.group(1)], CREDIBILITY[match.group(2)],
                         entry.html))  # fmt: skip
    return tuple(sorted(rows, key=lambda row: row[0]))


def _bibliography(walk: _Walk) -> tuple[BibEntry, ...]:
    style = walk.notes.style
    if style is not None:
        if walk.notes.collecting:
            return ()
        return tuple(BibEntry(f"ref-{slugify(key)}", key, html + str(_mark(walk, key)))
                     for key, html in style.bibliography())  # fmt: skip
    by_key = {s.id: s for s in walk.dossier.sources}
    terms = walk.notes.terms
    keys = list(walk.notes.cited)
    if not walk.dossier.numeric_citations:
        keys.sort(key=lambda k: _sort_key(by_key[k].data))
    else:
        order = {s.id: i for i, s in enumerate(walk.dossier.sources)}
        keys.sort(key=order.__getitem__)
    return tuple(
        BibEntry(f"ref-{slugify(key)}", key,
                 str(cite_styles.bibliography_entry(by_key[key].data, terms))
                 + str(_mark(walk, key)))
        for key in keys
    )  # fmt: skip


def _mark(walk: _Walk, key: str) -> str:
    source = walk.notes.by_key.get(key)
    return str(grade_mark([source])) if source else ""


def _sort_key(data: Any) -> tuple[str, str, str]:
    names = cite_styles.authors(data, {"and": "and", "et-al": ""}, short=True)
    title = str(data.get("title", "")).casefold()
    return (names.casefold() or title, cite_styles.year(data, {"no-date": ""}), title)
