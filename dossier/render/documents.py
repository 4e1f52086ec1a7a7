"""Resolved dossier to strings: the print HTML, and the EPUB's XHTML documents and CSS."""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import jinja2

from ..config import LAYOUTS
from ..errors import DossierError
from ..model import Note, ResolvedChapter, ResolvedDossier
from ..runtime import ahead
from ..text.terms import terms
from ..version import __version__
from .dates import build_date, long_date
from .layouts import choose
from .themes import TEMPLATES_AHEAD, THEME_URL_PREFIX, Theme

TEMPLATES = Path(__file__).parent / "templates"
_NOTE = re.compile("\x00n:(\\d+)\x00")
_BLOCK = re.compile("\x00block:(\\w+)\x00")


@cache
def _environment(template_dirs: tuple[Path, ...]) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([*template_dirs, TEMPLATES]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
    )


def environment(theme: Theme) -> jinja2.Environment:
    """Jinja with the theme's template overrides first, autoescaping, strict undefined."""
    return _environment(tuple(theme.template_dirs))


_USED = {
    "print": ("print.html.j2", "print-brief.html.j2", "print-report.html.j2",
              "title-band.html.j2", "key-points.html.j2", "cover.html.j2", "blocks.html.j2"),
    "epub": ("epub-front.xhtml.j2", "epub-chapter.xhtml.j2", "cover.html.j2", "blocks.html.j2"),
}  # fmt: skip
"""The templates each rendering uses (``render``), included ones too."""


def compile_templates(theme: Theme, print_html: bool, epub: bool) -> None:
    """Compile the templates of the renderings asked for into the theme's environment's
    cache, ahead of rendering (``runtime.ahead``); a template that does not compile is
    reported when it is used."""
    env = environment(theme)
    wanted = {*(_USED["print"] if print_html else ()), *(_USED["epub"] if epub else ())}
    for name in sorted(wanted):
        with contextlib.suppress(jinja2.TemplateError):
            env.get_template(name)


@dataclass(frozen=True, slots=True)
class EpubDocument:
    """One XHTML file of the EPUB."""

    file_name: str
    title: str
    xhtml: str
    kind: str
    ids: tuple[str, ...]
    """Element ids in this file, so links from other files can be pointed here."""


@dataclass(frozen=True, slots=True)
class Rendered:
    """A dossier as strings, ready for the writers."""

    resolved: ResolvedDossier
    print_html: str
    print_stylesheets: tuple[str, ...]
    epub_documents: tuple[EpubDocument, ...]
    epub_css: str
    page_map: tuple[tuple[str, str], ...] = ()
    """Print page labels and where each page starts, once the PDF is laid out."""
    layout_hints: dict[str, int] = field(default_factory=dict)
    """Page numbers the previous build found for anchors (parallel layout's first guesses)."""
    remote_files: dict[str, bytes] = field(default_factory=dict)
    """Fetched remote images by their name in the outputs (``remote/…``)."""
    layout: str = "report"
    """The print layout chosen (``layouts.choose``): ``brief`` or ``report``."""
    body_anchor: str = ""
    """The id where print pages start counting 1, 2… (before it: i, ii…); empty when the
    first page is page 1."""


def preamble(chapters: tuple[ResolvedChapter, ...]) -> int:
    """How many chapters without a title open the dossier before a titled one: text written
    before the first heading, which the report prints with the front matter rather than
    alone on a page."""
    for index, chapter in enumerate(chapters):
        if chapter.title:
            return index
    return 0


def _context(resolved: ResolvedDossier, layout: str = "report") -> dict[str, object]:
    d = resolved.dossier
    date = build_date(resolved.dossier)
    lead = preamble(resolved.chapters)
    return {
        "layout": layout,
        "preamble": resolved.chapters[:lead],
        "body_chapters": resolved.chapters[lead:],
        "d": d,
        "t": terms(d.lang),
        "version": __version__,
        "date": date.isoformat() if date else "",
        "long_date": long_date(date, d.lang),
        "summary": resolved.summary,
        "chapters": resolved.chapters,
        "cover_image": d.cover_image,
    }


def _expand_blocks(html: str, resolved: ResolvedDossier, env: jinja2.Environment) -> str:
    blocks = env.get_template("blocks.html.j2").module
    t = terms(resolved.dossier.lang)
    makers: dict[str, Callable[[], str]] = {
        "players": lambda: str(blocks.players(resolved.players, t)),  # type: ignore[attr-defined]
        "positions": lambda: str(
            blocks.positions(resolved.parties, resolved.positions, t)  # type: ignore[attr-defined]
        ),
        "timeline": lambda: str(blocks.timeline(resolved.timeline, t)),  # type: ignore[attr-defined]
        "grades": lambda: str(blocks.grades(resolved.graded, t)),  # type: ignore[attr-defined]
        "refs": lambda: str(
            blocks.bibliography(  # type: ignore[attr-defined]
                resolved.bibliography, resolved.dossier.numeric_citations
            )
        ),
    }
    return _BLOCK.sub(lambda m: makers[m.group(1)](), html)


LONG_NOTE = 1500
"""Characters beyond which a print footnote becomes an endnote with a pointer: WeasyPrint
cannot split a footnote across pages, and a note taller than the space left is cut off."""


def _plain_length(html: str) -> int:
    return len(re.sub(r"<[^>]+>", "", html))


def _endnotes(notes: tuple[Note, ...], t: dict[str, str]) -> str:
    """The section that holds over-long notes in print, at the end of the body."""
    long = [note for note in notes if _plain_length(note.inline_html) > LONG_NOTE]
    if not long:
        return ""
    items = "".join(
        f'<li id="en-{note.number}"><a class="fnback" href="#fnref-{note.number}">'
        f"{note.number}</a>{note.html}</li>\n"
        for note in long
    )
    return (
        f'<section class="chapter endnotes" id="endnotes"><h1>{t["notes"]}</h1>\n'
        f'<ol class="endnotes">\n{items}</ol></section>\n'
    )


def _print_notes(html: str, notes: tuple[Note, ...], t: dict[str, str]) -> str:
    """Note calls as links followed by the note itself, floated to the page foot."""

    def call(match: re.Match[str]) -> str:
        n = int(match.group(1))
        note = notes[n - 1]
        content = note.inline_html
        if _plain_length(content) > LONG_NOTE:
            content = f'<a class="endnote-ref" href="#en-{n}">{t["endnote"]}</a>'
        # A word joiner after the comma too: "29," and "30" of one group stay on one line.
        sep = '<span class="fn-sep">,</span>\u2060' if _follows_note(html, match.start()) else ""
        return (
            # U+2060 WORD JOINER: a call never starts a line on its own.
            f'\u2060{sep}<a class="fnref" id="fnref-{n}" href="#fn-{n}" role="doc-noteref">{n}</a>'
            f'<span class="footnote" id="fn-{n}" data-n="{n}" role="doc-footnote">'
            f'<a class="fnback" href="#fnref-{n}" role="doc-backlink">{n}</a>'
            f'<span class="fn-body">{content}</span></span>'
        )

    return _NOTE.sub(call, html)


_ROW = re.compile(r"<tr\b([^>]*)>(.*?)</tr>", re.DOTALL)
_CELL = re.compile(r"<(t[dh])\b")


def _number_rows(html: str) -> str:
    """``data-row`` on every table row and its cells: when a row must move to the next page
    to keep its notes there (``engine.notes``), the cell being laid out names its row, and
    the print HTML can carry that page break."""
    numbers = itertools.count(1)

    def row(match: re.Match[str]) -> str:
        n = next(numbers)
        cells = _CELL.sub(lambda cell: f'<{cell.group(1)} data-row="{n}"', match.group(2))
        return f'<tr data-row="{n}"{match.group(1)}>{cells}</tr>'

    return _ROW.sub(row, html)


def _follows_note(html: str, position: int) -> bool:
    """Whether a note placeholder ends right where the next begins (``[1][3]``)."""
    return html.endswith("\x00", 0, position)


def _nothing(theme: Theme) -> None:
    """Nothing to wait for: the templates compile as they are first used."""


def render(
    resolved: ResolvedDossier,
    theme: Theme,
    layout: str | None = None,
    *,
    print_html: bool = True,
    epub: bool = True,
) -> Rendered:
    """The print HTML (in ``layout``, else the dossier's) and the EPUB documents, all from
    the same resolved fragments. A build that writes no PDF or HTML passes
    ``print_html=False``, one that writes no EPUB ``epub=False``: that part is left empty
    (``""``, no documents) instead of rendered for nothing."""
    if (layout or resolved.dossier.layout) not in LAYOUTS:
        raise DossierError.at(resolved.dossier.location, f"'layout' is one of {', '.join(LAYOUTS)}")
    chosen = choose(resolved, layout)
    # The templates being compiled ahead, if the build started that: waited for, not
    # compiled a second time beside it.
    ahead.result((TEMPLATES_AHEAD, theme), _nothing, theme)
    env = environment(theme)
    context = _context(resolved, chosen)
    stylesheets = tuple(
        f"{THEME_URL_PREFIX}{name}" for name in ("print.css", "custom.css") if theme.find(name)
    )
    html = _print_html(resolved, env, context, chosen, stylesheets) if print_html else ""
    epub_css_path = theme.find("epub.css") if epub else None
    epub_css = epub_css_path.read_text(encoding="utf-8") if epub_css_path else ""
    lead = preamble(resolved.chapters)
    body = resolved.chapters[lead].id if chosen == "report" and resolved.chapters else ""
    documents = _epub_documents(resolved, env, context) if epub else ()
    return Rendered(resolved, html, stylesheets, documents, epub_css, layout=chosen,
                    body_anchor=body)  # fmt: skip


def _print_html(
    resolved: ResolvedDossier,
    env: jinja2.Environment,
    context: dict[str, object],
    layout: str,
    stylesheets: tuple[str, ...],
) -> str:
    # A theme overrides one layout with templates/print-<layout>.html.j2, both with
    # print.html.j2 (the document they extend).
    template = env.get_template(f"print-{layout}.html.j2")
    html = template.render(**context, stylesheets=stylesheets)
    html = _expand_blocks(html, resolved, env)
    t = terms(resolved.dossier.lang)
    html = html.replace('<div id="last-page"', _endnotes(resolved.notes, t) + '<div id="last-page"')
    return _number_rows(_print_notes(html, resolved.notes, t))


# ---- EPUB --------------------------------------------------------------------------------------


def _epub_notes(html: str, resolved: ResolvedDossier) -> tuple[str, list[dict[str, object]]]:
    """Note calls as ``noteref`` links; the notes of this file, each with its backlink first."""
    used: list[dict[str, object]] = []

    def call(match: re.Match[str]) -> str:
        n = int(match.group(1))
        note = resolved.notes[n - 1]
        back = f'<a class="fnback" href="#fnref-{n}" role="doc-backlink">{n}.</a> '
        body = note.html.strip()
        body = body.replace("<p>", "<p>" + back, 1) if body.startswith("<p>") else back + body
        used.append({"number": n, "body": body})
        sep = '<sup class="fn-sep">,</sup>' if _follows_note(html, match.start()) else ""
        return (
            f'{sep}<sup><a class="fnref" id="fnref-{n}" href="#fn-{n}" epub:type="noteref" '
            f'role="doc-noteref">{n}</a></sup>'
        )

    return _NOTE.sub(call, html), used


def _epub_documents(
    resolved: ResolvedDossier, env: jinja2.Environment, context: dict[str, object]
) -> tuple[EpubDocument, ...]:
    chapter_template = env.get_template("epub-chapter.xhtml.j2")
    t = terms(resolved.dossier.lang)
    front = env.get_template("epub-front.xhtml.j2").render(**context)
    parts: list[tuple[str, str, str, str]] = [
        ("front.xhtml", resolved.dossier.title, front, "front")
    ]
    for index, chapter in enumerate(resolved.chapters, 1):
        parts.append((_file_name(index, chapter), chapter.title, chapter.html, chapter.kind))
    documents = []
    for file_name, title, raw, kind in parts:
        body, notes = _epub_notes(_expand_blocks(raw, resolved, env), resolved)
        epub_type, role = _semantics(kind)
        xhtml = chapter_template.render(
            body=body, notes=notes, kind=kind, epub_type=epub_type, role=role, t=t
        )
        ids = tuple(re.findall(r'\bid="([^"]+)"', xhtml))
        documents.append(EpubDocument(file_name, title, xhtml, kind, ids))
    return _link_across(tuple(documents))


def _file_name(index: int, chapter: ResolvedChapter) -> str:
    # ASCII names: some readers and zip tools mishandle others (ids may be any script).
    return f"chapter-{index:02d}.xhtml"


def _semantics(kind: str) -> tuple[str, str]:
    return {
        "front": ("frontmatter", ""),
        # Each epub:type with an ARIA equivalent carries it as a role too (Ace asks for both).
        "chapter": ("bodymatter chapter", "doc-chapter"),
        "appendix": ("backmatter appendix", "doc-appendix"),
        "bibliography": ("backmatter bibliography", "doc-bibliography"),
    }.get(kind, ("", ""))


def _link_across(documents: tuple[EpubDocument, ...]) -> tuple[EpubDocument, ...]:
    """Point ``href="#id"`` at the file that holds ``id`` (chapters are separate files)."""
    home = {i: doc.file_name for doc in documents for i in doc.ids}

    def fix(doc: EpubDocument) -> EpubDocument:
        def link(match: re.Match[str]) -> str:
            target = match.group(1)
            file_name = home.get(target, doc.file_name)
            if file_name == doc.file_name:
                return match.group(0)
            return f'href="{file_name}#{target}"'

        xhtml = re.sub(r'href="#([^"]+)"', link, doc.xhtml)
        return EpubDocument(doc.file_name, doc.title, xhtml, doc.kind, doc.ids)

    return tuple(fix(doc) for doc in documents)
