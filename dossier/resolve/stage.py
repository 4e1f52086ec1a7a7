"""The resolve stage, top to bottom (``resolve``): the dossier's Markdown read by pandoc
(``markup.reader``), its citations formatted by citeproc over the whole dossier in reading
order (``citations``), every note numbered in one series while the blocks become HTML
fragments (``fragments``), the lints (``checks``), and the bibliography; diagnostics sorted
in the order of the files."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from markupsafe import escape

from ..checks.lints import (
    OPT_OUT,
    lint_key_points,
    lint_players,
    lint_sources,
)
from ..citations import citeproc, numeric
from ..citations.grades import CREDIBILITY, GRADE, RELIABILITY, grade, grade_mark
from ..citations.styles import style_path
from ..errors import Collector, Diagnostic, DossierError, Level, Location
from ..markup.reader import read
from ..model import (
    BLOCK_MARK,
    BibEntry,
    Chapter,
    Dossier,
    FormattedBlocks,
    Issue,
    Markdown,
    Note,
    ResolvedChapter,
    ResolvedDossier,
    ResolvedEvent,
    ResolvedIssue,
    ResolvedPlayer,
    Stance,
    ast,
)
from ..text.characters import Found, describe, drop_everywhere
from ..text.slugs import slugify
from ..text.terms import terms as terms_for
from .fragments import Place, Writer

BLOCKS = ("players", "positions", "timeline")
"""Ids of fenced divs that place a generated block (``::: {#refs}`` places the bibliography)."""


# ---- reading order -----------------------------------------------------------------------------


@dataclass(slots=True)
class _Unit:
    """Blocks formatted together in reading order, each with where it was written."""

    key: tuple[Any, ...]
    blocks: tuple[ast.Block, ...]
    places: tuple[Place, ...]


def _places(text: str, location: Location, lines: tuple[int, ...], count: int) -> tuple[Place, ...]:
    from ..markup.locate import Locator

    locator = Locator(text, location.line) if text and location.line else None
    return tuple(
        Place(Location(location.path, lines[i] if i < len(lines) else location.line), locator)
        for i in range(count)
    )


def _fragment(key: tuple[Any, ...], md: Markdown) -> _Unit:
    return _Unit(key, md.blocks, _places(md.text, md.location, md.lines, len(md.blocks)))


def _chapter_stream(dossier: Dossier) -> tuple[tuple[ast.Block, ...], tuple[Place, ...]]:
    """Every chapter file's blocks, one stream: Pandoc concatenates files the same way."""
    blocks: list[ast.Block] = []
    places: list[Place] = []
    for chapter in dossier.chapters:
        own = list(chapter.blocks)
        where = _places(chapter.markdown, chapter.location, chapter.lines, len(own))
        if chapter.title and not (own and isinstance(own[0], ast.Header) and own[0].level == 1):
            own.insert(0, _title_header(chapter))
            where = (Place(chapter.location, None), *where)
        blocks += own
        places += where
    return tuple(blocks), tuple(places)


def _title_header(chapter: Chapter) -> ast.Header:
    return ast.Header(1, ast.Attr(slugify(chapter.title)), ast.text_inlines(chapter.title))


def parties(dossier: Dossier) -> tuple[str, ...]:
    """The columns of the positions matrix: every party with a stance, first seen first."""
    return tuple(dict.fromkeys(s.party for i in dossier.positions for s in i.stances))


def _in_columns(dossier: Dossier, issue: Issue) -> list[tuple[int, Stance]]:
    """An issue's stances (with their index) in the order of the matrix's columns: the order
    a reader meets them, so their notes are numbered in it."""
    column = {party: index for index, party in enumerate(parties(dossier))}
    return sorted(enumerate(issue.stances), key=lambda pair: column[pair[1].party])


def _fragment_units(dossier: Dossier, name: str) -> list[_Unit]:
    if name == "players":
        return [_fragment(("players", i), p.position) for i, p in enumerate(dossier.players)]
    if name == "positions":
        return [
            _fragment(("positions", i, j), s.text)
            for i, issue in enumerate(dossier.positions)
            for j, s in _in_columns(dossier, issue)
        ]
    return [_fragment(("timeline", i), e.event) for i, e in enumerate(dossier.timeline)]


def _units(dossier: Dossier) -> list[_Unit]:
    """Key points, then the chapters with each placed block's fragments where it is placed,
    then the fragments of blocks placed nowhere (they go in an appendix)."""
    units = [_fragment(("summary", i), m) for i, m in enumerate(dossier.summary)]
    blocks, places = _chapter_stream(dossier)
    start, part, placed = 0, 0, set()
    for index, block in enumerate(blocks):
        name = block.attr.id if isinstance(block, ast.Div) else ""
        if name in BLOCKS and name not in placed:
            units.append(
                _Unit(("chapters", part), blocks[start : index + 1], places[start : index + 1])
            )
            units += _fragment_units(dossier, name)
            start, part = index + 1, part + 1
            placed.add(name)
    units.append(_Unit(("chapters", part), blocks[start:], places[start:]))
    for name in BLOCKS:
        if name not in placed:
            units += _fragment_units(dossier, name)
    return units


# ---- citations ---------------------------------------------------------------------------------


def _check_keys(units: list[_Unit], dossier: Dossier, collector: Collector) -> None:
    """Numeric markers as citations; unknown keys: an error in brackets, text in running
    prose (``@handle`` is often not meant as a citation)."""
    ids = [s.id for s in dossier.sources]
    known = set(ids)
    for unit in units:
        new_blocks = []
        for block, place in zip(unit.blocks, unit.places, strict=True):
            if dossier.numeric_citations:
                bad: list[str] = []
                block = numeric.convert((block,), ids, bad)[0]
                for marker in bad:
                    n = max(numeric.numbers(marker.strip("[]")))
                    collector.error(
                        place.find(marker),
                        f"citation {marker} refers to source {n}, but the bibliography has "
                        f"{len(ids)}",
                    )
            new_blocks.append(_known_only(block, known, place, collector))
        unit.blocks = tuple(new_blocks)


def _known_only(block: ast.Block, known: set[str], place: Place, c: Collector) -> ast.Block:
    def check(items: tuple[ast.Inline, ...]) -> tuple[ast.Inline, ...]:
        if not any(isinstance(i, ast.Cite) for i in items):
            return items
        out: list[ast.Inline] = []
        for item in items:
            unknown = (
                [x.id for x in item.citations if x.id not in known]
                if isinstance(item, ast.Cite)
                else []
            )
            if not unknown or not isinstance(item, ast.Cite):
                out.append(item)
            elif item.citations[0].mode == "AuthorInText" and len(item.citations) == 1:
                c.warning(
                    place.find("@" + unknown[0]),
                    f"'@{unknown[0]}' is not a citation key; it is printed as text",
                )
                out.extend(item.content)
            else:
                written = ast.stringify(item.content)
                for key in unknown:
                    c.error(place.find("@" + key), f"unknown citation key '{key}' in {written}")
                out.extend(item.content)
        return tuple(out)

    return ast.map_inlines((block,), check)[0]


def _has_citations(units: list[_Unit]) -> bool:
    found = False

    def look(items: tuple[ast.Inline, ...]) -> tuple[ast.Inline, ...]:
        nonlocal found
        found = found or any(isinstance(i, ast.Cite) for i in items)
        return items

    for unit in units:
        ast.map_inlines(unit.blocks, look)
    return found


def _format(
    units: list[_Unit], dossier: Dossier, collector: Collector
) -> tuple[tuple[str, tuple[ast.Block, ...]], ...]:
    """Citations formatted in place (units updated); the bibliography entries."""
    if not dossier.sources or not (_has_citations(units) or dossier.nocite):
        return ()
    style = style_path(dossier.csl, dossier.root, dossier.location)
    done = citeproc.format_citations(
        [u.blocks for u in units],
        dossier.sources,
        style,
        dossier.lang,
        dossier.nocite,
        dossier.location,
    )
    for unit, blocks in zip(units, done.segments, strict=True):
        blocks = ast.map_inlines(blocks, _adjacent_notes)
        if len(blocks) == len(unit.blocks):
            unit.blocks = blocks
        else:  # a fragment's blocks may change in number; keep their first place
            unit.places = tuple(unit.places[:1]) * len(blocks) if unit.places else ()
            unit.blocks = blocks
    for warning in done.warnings:
        collector.warning(dossier.location, f"citeproc: {warning.removeprefix('Citeproc: ')}")
    return done.bibliography


def _adjacent_notes(items: tuple[ast.Inline, ...]) -> tuple[ast.Inline, ...]:
    """Citeproc moves the punctuation after ``[1][3].`` in front of each of the two note
    calls; it belongs before the first only ("Claim.¹,³")."""
    if not any(isinstance(i, ast.Cite) for i in items[1:]):
        return items
    out = list(items)
    for index in range(1, len(out)):
        item, before = out[index], out[index - 1]
        if (
            isinstance(item, ast.Cite)
            and isinstance(before, ast.Cite)
            and len(item.content) == 2
            and isinstance(item.content[0], ast.Str)
            and item.content[0].text in (".", ",", ";", ":", "!", "?")
            and isinstance(item.content[1], ast.Note)
            and before.content
            and isinstance(before.content[-1], ast.Note)
        ):
            out[index] = ast.Cite(item.citations, item.content[1:])
    return tuple(out)


# ---- the walk ----------------------------------------------------------------------------------


@dataclass
class _Output:
    chapters: list[ResolvedChapter] = field(default_factory=list)
    players: tuple[ResolvedPlayer, ...] = ()
    parties: tuple[str, ...] = ()
    positions: tuple[ResolvedIssue, ...] = ()
    timeline: tuple[ResolvedEvent, ...] = ()


def _render_fragment(writer: Writer, unit: _Unit) -> str:
    """A fragment as phrasing HTML when it is a single paragraph, else as blocks."""
    blocks = unit.blocks
    if len(blocks) == 1 and isinstance(blocks[0], ast.Para | ast.Plain):
        writer.at(unit.places[0] if unit.places else None)
        return writer.inlines(blocks[0].content)
    return writer.render(blocks, unit.places)


def _placer(
    writer: Writer, dossier: Dossier, by_key: Mapping[tuple[Any, ...], _Unit], out: _Output
) -> None:
    """What the writer calls on ``::: {#players}`` etc.: render that block's fragments there,
    so their notes are numbered in reading order."""

    def place(name: str) -> None:
        if name == "players":
            out.players = tuple(
                ResolvedPlayer(
                    p.name, p.role, p.party, _render_fragment(writer, by_key[("players", i)])
                )
                for i, p in enumerate(dossier.players)
            )
        elif name == "positions":
            out.parties = parties(dossier)
            rows = []
            for i, issue in enumerate(dossier.positions):
                cells = {
                    s.party: _render_fragment(writer, by_key[("positions", i, j)])
                    for j, s in _in_columns(dossier, issue)
                }
                rows.append(
                    ResolvedIssue(issue.issue, tuple(cells.get(p, "") for p in out.parties))
                )
            out.positions = tuple(rows)
        elif name == "timeline":
            out.timeline = tuple(
                ResolvedEvent(e.date, _render_fragment(writer, by_key[("timeline", i)]))
                for i, e in enumerate(dossier.timeline)
            )

    writer.place = place


def _split_chapters(
    writer: Writer, blocks: tuple[ast.Block, ...], places: tuple[Place, ...]
) -> list[ResolvedChapter]:
    """Chapters of the output: each level-1 heading starts one; text before the first heading
    is an untitled chapter."""
    chapters: list[ResolvedChapter] = []
    groups: list[tuple[ast.Header | None, list[int]]] = []
    for index, block in enumerate(blocks):
        if isinstance(block, ast.Header) and block.level == 1:
            groups.append((block, [index]))
        elif groups:
            groups[-1][1].append(index)
        else:
            groups.append((None, [index]))
    for header, indexes in groups:
        exempt = header is not None and bool(set(header.attr.classes) & OPT_OUT)
        first = len(writer.headings)
        writer.lint_claims = not exempt
        html = writer.render(tuple(blocks[i] for i in indexes), tuple(places[i] for i in indexes))
        writer.lint_claims = False
        headings = tuple(writer.headings[first:])
        if header is None:
            chapters.append(ResolvedChapter(writer.unique_id("chapter"), "", "", html, headings))
            continue
        top = headings[0]
        title_html = writer.title_html.get(top.id, str(escape(top.text)))
        chapters.append(ResolvedChapter(top.id, top.text, title_html, html, headings))
    return chapters


def _generated(writer: Writer, dossier: Dossier, placed: set[str], out: _Output) -> None:
    """Players, positions and timeline that no div placed, in an appendix after the chapters."""
    present = {
        "players": dossier.players,
        "positions": dossier.positions,
        "timeline": dossier.timeline,
    }
    missing = [name for name, items in present.items() if items and name not in placed]
    if not missing:
        return
    title = terms_for(dossier.lang)["appendix"]
    chapter_id = writer.unique_id("players-and-positions")
    html = f'<h1 id="{chapter_id}">{escape(title)}</h1>\n'
    for name in missing:
        writer.place(name)
        html += f'<div class="block-{name}">{BLOCK_MARK.format(name)}</div>\n'
    out.chapters.append(
        ResolvedChapter(chapter_id, title, str(escape(title)), html, kind="appendix")
    )


# ---- the stage ---------------------------------------------------------------------------------


def resolve(dossier: Dossier, allow_remote: bool = False) -> ResolvedDossier:
    """Every fragment of the dossier as HTML, with notes numbered in reading order."""
    collector = Collector()
    dossier = _without_forbidden(dossier, collector)
    try:
        dossier = read(dossier, collector)
        if collector.errors:
            raise DossierError(collector.diagnostics)
        units = _units(dossier)
        _check_keys(units, dossier, collector)  # errors, but the walk goes on to find more
        entries = _format(units, dossier, collector)
    except DossierError as exc:
        extra = [d for d in exc.diagnostics if d not in collector.diagnostics]
        found = sorted([*collector.diagnostics, *extra], key=_order)
        return _failed(dossier, DossierError([*dossier.diagnostics, *found]))
    resolved = _resolved(dossier, units, entries, collector, allow_remote)
    # In the order of the files, as a reader goes through them.
    found = sorted(resolved.diagnostics, key=_order)
    return dataclasses.replace(resolved, diagnostics=(*dossier.diagnostics, *found))


def _order(diagnostic: Diagnostic) -> tuple[bool, Location]:
    """Errors first, each kind in the order of the files."""
    return (diagnostic.level is not Level.ERROR, diagnostic.location)


def _resolved(
    dossier: Dossier,
    units: list[_Unit],
    entries: tuple[tuple[str, tuple[ast.Block, ...]], ...],
    collector: Collector,
    allow_remote: bool,
) -> ResolvedDossier:
    by_key = {u.key: u for u in units}
    writer = Writer(dossier, collector, allow_remote)
    out = _Output()
    _placer(writer, dossier, by_key, out)
    if dossier.cover_image:
        at, instead = dossier.at("cover-image"), "the cover is made without it"
        if writer.check_image(dossier.cover_image, at, instead) is None:
            dossier = dataclasses.replace(dossier, cover_image="")
    summary, cited_by_point = [], []
    for i, point in enumerate(dossier.summary):
        start = len(writer.log)
        summary.append(_render_fragment(writer, by_key[("summary", i)]))
        cited_by_point.append((point, writer.log[start:]))
    chapter_units = sorted((u for u in units if u.key[0] == "chapters"), key=lambda u: u.key)
    blocks = tuple(b for u in chapter_units for b in u.blocks)
    places = tuple(p for u in chapter_units for p in u.places)
    out.chapters = _split_chapters(writer, blocks, places)
    _generated(writer, dossier, writer.placed, out)
    lint_sources(dossier, [*writer.log, *(k.lstrip("@") for k in dossier.nocite)], collector)
    lint_key_points(dossier, cited_by_point, collector)
    lint_players(dossier, collector)
    bibliography = _bibliography(writer, dossier, entries)
    graded = _graded(dossier, bibliography)
    t = terms_for(dossier.lang)
    if bibliography and "refs" not in writer.placed:
        html = f'<h1 id="refs">{escape(t["bibliography"])}</h1>\n' + BLOCK_MARK.format("refs")
        out.chapters.append(
            ResolvedChapter(
                "refs", t["bibliography"], str(escape(t["bibliography"])), html, kind="bibliography"
            )
        )
    if graded:
        chapter_id = writer.unique_id("sources-by-grade")
        html = f'<h1 id="{chapter_id}">{escape(t["grades"])}</h1>\n' + BLOCK_MARK.format("grades")
        out.chapters.append(
            ResolvedChapter(
                chapter_id, t["grades"], str(escape(t["grades"])), html, kind="appendix"
            )
        )
    summary, out.chapters, notes = _dead_anchors(writer, summary, out.chapters, bibliography)
    return ResolvedDossier(
        dossier=dossier,
        summary=tuple(summary),
        chapters=tuple(out.chapters),
        players=out.players,
        parties=out.parties,
        positions=out.positions,
        timeline=out.timeline,
        notes=notes,
        bibliography=bibliography,
        assets=tuple(sorted(writer.assets)),
        remote=tuple(sorted(writer.remote.items())),
        diagnostics=tuple(collector.diagnostics),
        graded=graded,
        blocks=_formatted(dossier, by_key, blocks, entries, bibliography),
    )


def _formatted(
    dossier: Dossier,
    by_key: Mapping[tuple[Any, ...], _Unit],
    chapters: tuple[ast.Block, ...],
    entries: tuple[tuple[str, tuple[ast.Block, ...]], ...],
    bibliography: tuple[BibEntry, ...],
) -> FormattedBlocks:
    """The blocks the HTML was made from, for writers that give Pandoc the whole document."""
    entry_blocks = dict(entries)
    return FormattedBlocks(
        summary=tuple(by_key[("summary", i)].blocks for i in range(len(dossier.summary))),
        chapters=chapters,
        players=tuple(by_key[("players", i)].blocks for i in range(len(dossier.players))),
        stances=tuple(
            tuple(
                (s.party, by_key[("positions", i, j)].blocks)
                for j, s in _in_columns(dossier, issue)
            )
            for i, issue in enumerate(dossier.positions)
        ),
        timeline=tuple(by_key[("timeline", i)].blocks for i in range(len(dossier.timeline))),
        bibliography=tuple((e.key, entry_blocks.get(e.key, ())) for e in bibliography),
    )


_ID = re.compile(r'\sid="([^"]+)"')


def _dead_anchors(
    writer: Writer,
    summary: list[str],
    chapters: list[ResolvedChapter],
    bibliography: tuple[BibEntry, ...],
) -> tuple[list[str], list[ResolvedChapter], tuple[Note, ...]]:
    """``#anchor`` links whose anchor no element has are printed as their text, with a
    warning: followed, they lead nowhere in the PDF and make the EPUB invalid."""
    texts = [*summary, *(c.html for c in chapters), *(n.html for n in writer.notes)]
    known = set(writer.ids) | {e.id for e in bibliography}
    known |= {m for text in texts for m in _ID.findall(text)}
    known |= {f"{kind}-{n.number}" for n in writer.notes for kind in ("fn", "fnref")}
    dead = {}
    for anchor, where in dict.fromkeys(writer.anchors):
        if anchor not in known:
            writer.collector.warning(
                where, f"link to '#{anchor}' is printed as text: no heading or element has that id"
            )
            dead[anchor] = re.compile(f'<a href="#{re.escape(str(escape(anchor)))}"[^>]*>(.*?)</a>')
    if not dead:
        return summary, chapters, tuple(writer.notes)

    def unlinked(html: str) -> str:
        for pattern in dead.values():
            html = pattern.sub(r"\1", html)
        return html

    notes = tuple(
        dataclasses.replace(n, html=unlinked(n.html), inline_html=unlinked(n.inline_html))
        for n in writer.notes
    )
    chapters = [dataclasses.replace(c, html=unlinked(c.html)) for c in chapters]
    return [unlinked(text) for text in summary], chapters, notes


def _bibliography(
    writer: Writer, dossier: Dossier, entries: tuple[tuple[str, tuple[ast.Block, ...]], ...]
) -> tuple[BibEntry, ...]:
    by_key = {s.id: s for s in dossier.sources}
    if dossier.numeric_citations:
        order = {s.id: i for i, s in enumerate(dossier.sources)}
        entries = tuple(sorted(entries, key=lambda e: order.get(e[0], len(order))))
    result = []
    for key, blocks in entries:
        html = writer.entry(blocks)
        mark = grade_mark([by_key[key]]) if key in by_key else ""
        result.append(BibEntry(f"ref-{slugify(key)}", key, html + str(mark)))
    return tuple(result)


def _graded(
    dossier: Dossier, entries: tuple[BibEntry, ...]
) -> tuple[tuple[str, str, str, str], ...]:
    """Rows of the "sources by grade" table: cited sources with a valid grade, best first."""
    by_key = {s.id: s for s in dossier.sources}
    rows = []
    for entry in entries:
        value = grade(by_key[entry.key]) if entry.key in by_key else ""
        if match := GRADE.match(value):
            rows.append(
                (value, RELIABILITY[match.group(1)], CREDIBILITY[match.group(2)], entry.html)
            )
    return tuple(sorted(rows, key=lambda row: row[0]))


def _failed(dossier: Dossier, error: DossierError) -> ResolvedDossier:
    return ResolvedDossier(dossier, (), (), (), (), (), (), (), (), (), (), error.diagnostics)


_NOT_TEXT = frozenset(("location", "places", "diagnostics", "root", "sources", "lines"))
"""Fields of the model that hold no text (``sources`` are cleaned one by one, with theirs)."""


def _without_forbidden(dossier: Dossier, collector: Collector) -> Dossier:
    """Characters XML forbids (they break the EPUB) dropped wherever text came from: files
    lose theirs as they are read, but Python strings (and blocks built in code) bypass that.
    One warning per field, named, as there is no file and line to name."""
    found: Found = []
    cleaned = drop_everywhere(dossier, "dossier", found, _NOT_TEXT)
    _report(found, dossier.location, collector)
    sources, changed = [], False
    for source in dossier.sources:
        found = []
        key = drop_everywhere(source.id, f"{source.id!r}", found)
        data = drop_everywhere(source.data, key, found)
        _report(found, source.location, collector)
        sources.append(dataclasses.replace(source, id=key, data=data) if found else source)
        changed |= bool(found)
    return cast(Dossier, dataclasses.replace(cleaned, sources=sources) if changed else cleaned)


def _report(found: Found, location: Location, collector: Collector) -> None:
    for name, char, count in found:
        more = f" (and {count - 1} more in this field)" if count > 1 else ""
        collector.warning(location, f"{name}: {describe(char)} dropped{more}")
