"""The review copy as one Pandoc document, for Pandoc's docx writer: the title block, key
points, chapters, key players, positions, timeline and sources, built from the blocks the PDF
was made from, so that Word numbers the notes exactly as the PDF does."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ...citations.grades import CREDIBILITY, GRADE, RELIABILITY, grade
from ...markup.html import safe_url
from ...model import Dossier, FormattedBlocks, ResolvedDossier, Source, ast
from ...render.dates import build_date, long_date
from ...resolve.fragments import PLACED
from ...sources.remote import local_name
from ...text.media import media_type
from ...text.terms import terms

Json = ast.Json
_TAG = re.compile(r"<[^>]*>")


def _text(text: str) -> tuple[ast.Inline, ...]:
    return ast.text_inlines(" ".join(text.split()))


def _para(text: str) -> ast.Para:
    return ast.Para(_text(text))


def _styled(style: str, *blocks: ast.Block) -> ast.Div:
    """Blocks in a named paragraph style of the reference document."""
    return ast.Div(ast.Attr("", (), (("custom-style", style),)), blocks)


def _cell(blocks: tuple[ast.Block, ...]) -> ast.Cell:
    # A lone paragraph as Plain: Pandoc gives it the compact style tables want.
    if len(blocks) == 1 and isinstance(blocks[0], ast.Para):
        blocks = (ast.Plain(blocks[0].content),)
    return ast.Cell(blocks)


def _table(
    head: tuple[str, ...],
    rows: Sequence[Sequence[tuple[ast.Block, ...]]],
    widths: tuple[float, ...],
) -> ast.Table:
    """A table with a header row (Word repeats it on every page)."""
    header = ast.Row(tuple(_cell((ast.Plain(_text(h)),)) for h in head))
    body = ast.TableBody(tuple(ast.Row(tuple(_cell(c) for c in row)) for row in rows))
    specs = tuple(ast.ColSpec("AlignLeft", w) for w in widths)
    return ast.Table(ast.Caption(), specs, (header,), (body,))


def _plain(text: str) -> tuple[ast.Block, ...]:
    return (ast.Plain(_text(text)),) if text else ()


@dataclass
class _Builder:
    """One walk over the resolved dossier in reading order."""

    resolved: ResolvedDossier
    image: Callable[[str], str | None]
    """An image's URL in the dossier -> a ``data:`` URL of its bytes (None: not available)."""
    t: dict[str, str] = field(init=False)
    placed: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.t = terms(self.resolved.dossier.lang)

    @property
    def dossier(self) -> Dossier:
        return self.resolved.dossier

    @property
    def blocks(self) -> FormattedBlocks:
        return self.resolved.blocks

    # ---- the generated blocks ------------------------------------------------------------------

    def players(self) -> list[ast.Block]:
        t = self.t
        rows = [
            (_plain(p.name), _plain(p.role), _plain(p.party), position)
            for p, position in zip(self.dossier.players, self.blocks.players, strict=True)
        ]
        head = (t["player"], t["role"], t["party"], t["position"])
        return [self._title("players"), _table(head, rows, (0.18, 0.2, 0.14, 0.48))]

    def positions(self) -> list[ast.Block]:
        parties = self.resolved.parties
        rows = []
        for issue, stances in zip(self.dossier.positions, self.blocks.stances, strict=True):
            by_party = dict(stances)
            rows.append((_plain(issue.issue), *(by_party.get(p, ()) for p in parties)))
        share = 0.84 / max(len(parties), 1)
        table = _table((self.t["issue"], *parties), rows, (0.16, *(share for _ in parties)))
        return [self._title("positions"), table]

    def timeline(self) -> list[ast.Block]:
        rows = [
            (_plain(e.date), event)
            for e, event in zip(self.dossier.timeline, self.blocks.timeline, strict=True)
        ]
        return [
            self._title("timeline"),
            _table((self.t["date"], self.t["event"]), rows, (0.2, 0.8)),
        ]

    def _title(self, name: str) -> ast.Header:
        return ast.Header(2, ast.Attr(name), _text(self.t[name]))

    def sources(self) -> list[ast.Block]:
        by_key = {s.id: s for s in self.dossier.sources}
        entries: list[ast.Block] = []
        for key, blocks in self.blocks.bibliography:
            mark = _grades([by_key[key]]) if key in by_key else ""
            entries.append(ast.Div(ast.Attr(f"ref-{key}", ("csl-entry",)), _append(blocks, mark)))
        if self.dossier.numeric_citations:
            return [ast.OrderedList(tuple((e,) for e in entries), 1, "Decimal", "Period")]
        return [ast.Div(ast.Attr("refs", ("references", "csl-bib-body")), tuple(entries))]

    def grades(self) -> list[ast.Block]:
        """The "sources by grade" table of the PDF, for graded sources, best first."""
        by_key = {s.id: s for s in self.dossier.sources}
        rows = []
        for key, blocks in self.blocks.bibliography:
            value = grade(by_key[key]) if key in by_key else ""
            if match := GRADE.match(value):
                reliability, credibility = RELIABILITY[match[1]], CREDIBILITY[match[2]]
                rows.append(
                    (value, (_plain(value), _plain(reliability), _plain(credibility), blocks))
                )
        if not rows:
            return []
        t = self.t
        head = (t["grade"], t["reliability"], t["credibility"], t["source"])
        table = _table(head, [r for _, r in sorted(rows, key=lambda r: r[0])], (0.1, 0.2, 0.2, 0.5))
        return [_heading(t["grades"], "sources-by-grade"), table]

    # ---- the document --------------------------------------------------------------------------

    def block(self, name: str) -> list[ast.Block]:
        self.placed.add(name)
        makers = {
            "players": self.players,
            "positions": self.positions,
            "timeline": self.timeline,
            "refs": self.sources,
        }
        return makers[name]()

    def chapters(self, blocks: tuple[ast.Block, ...] | None = None) -> list[ast.Block]:
        """The chapters with each placed block where its div is (only its first place)."""
        out: list[ast.Block] = []
        for item in self.blocks.chapters if blocks is None else blocks:
            if not isinstance(item, ast.Div):
                out.append(item)
            elif item.attr.id in PLACED:
                out += [] if item.attr.id in self.placed else self.block(item.attr.id)
            else:
                out.append(ast.Div(item.attr, tuple(self.chapters(item.blocks))))
        return out

    def front(self) -> list[ast.Block]:
        d, t = self.dossier, self.t
        out: list[ast.Block] = []
        edition = [f"{t['version']} {d.version}"] if d.version else []
        edition += [f"{t['topics']}: {', '.join(d.keywords)}"] if d.keywords else []
        if edition:
            out.append(_styled("Edition", *(_para(line) for line in edition)))
        if d.classification:
            out.append(_styled("Classification", _para(d.classification)))
        if self.blocks.summary:
            items = tuple(tuple(points) for points in self.blocks.summary)
            out += [_heading(t["key-points"], "key-points"), ast.BulletList(items)]
        return out

    def back(self) -> list[ast.Block]:
        """What no div placed: players, positions and timeline in an appendix, then sources."""
        d, t = self.dossier, self.t
        present = {"players": d.players, "positions": d.positions, "timeline": d.timeline}
        missing = [name for name, items in present.items() if items and name not in self.placed]
        out: list[ast.Block] = []
        if missing:
            out.append(_heading(t["appendix"], "players-and-positions"))
            for name in missing:
                out += self.block(name)
        if self.blocks.bibliography and "refs" not in self.placed:
            out += [_heading(t["bibliography"], "refs-title"), *self.block("refs")]
        return [*out, *self.grades()]

    def body(self) -> tuple[ast.Block, ...]:
        blocks = (*self.front(), *self.chapters(), *self.back())
        return _for_word(blocks, self.dossier, self.resolved, self.image)


def _grades(sources: list[Source]) -> str:
    """``[B2]``, said after a citation or an entry as the PDF prints ``grades.grade_mark``."""
    found = [g for g in (grade(s) for s in sources) if g]
    return f"[{'; '.join(found)}]" if found else ""


def _heading(text: str, ident: str) -> ast.Header:
    return ast.Header(1, ast.Attr(ident), _text(text))


def _append(blocks: tuple[ast.Block, ...], text: str) -> tuple[ast.Block, ...]:
    """``text`` at the end of the last paragraph of ``blocks``, after a space."""
    if not text:
        return blocks
    last = blocks[-1] if blocks else None
    if isinstance(last, ast.Para | ast.Plain):
        return (*blocks[:-1], type(last)((*last.content, ast.Space(), *_text(text))))
    return (*blocks, ast.Para(_text(text)))


def _for_word(
    blocks: tuple[ast.Block, ...],
    dossier: Dossier,
    resolved: ResolvedDossier,
    image: Callable[[str], str | None],
) -> tuple[ast.Block, ...]:
    """Inlines as the PDF shows them: grades after citations, raw content as the
    ``raw-html`` policy shows it, images embedded, unsafe links as text."""
    by_key = {s.id: s for s in dossier.sources}

    def fix(items: tuple[ast.Inline, ...]) -> tuple[ast.Inline, ...]:
        out: list[ast.Inline] = []
        for item in items:
            match item:
                case ast.Cite(citations, content):
                    mark = _grades([by_key[c.id] for c in citations if c.id in by_key])
                    out.append(ast.Cite(citations, _graded(content, mark)))
                case ast.RawInline(fmt, text):
                    out += _raw(fmt, text, dossier.raw_html)
                case ast.Image(attr, alt, url, title):
                    data = image(url)
                    out.append(
                        ast.Image(attr, alt, data, title) if data else ast.Span(ast.NO_ATTR, alt)
                    )
                case ast.Link(attr, content, url, title) if not safe_url(url):
                    out += content
                case _:
                    out.append(item)
        return _separated(out)

    return _raw_blocks(ast.map_inlines(blocks, fix), dossier.raw_html)


def _edge_note(item: ast.Inline, last: bool) -> bool:
    """Whether ``item`` starts (or ends, with ``last``) with a note call."""
    if isinstance(item, ast.Note):
        return True
    if isinstance(item, ast.Cite) and item.content:
        return isinstance(item.content[-1 if last else 0], ast.Note)
    return False


def _separated(items: list[ast.Inline]) -> tuple[ast.Inline, ...]:
    """A superscript comma between note calls side by side (``[1][3]``), as the PDF prints
    them: Word would run ¹ and ³ together into what reads as note 13."""
    out: list[ast.Inline] = []
    for item in items:
        if item == ast.Str(""):
            continue  # citeproc leaves these between calls; the PDF prints nothing for them
        if out and _edge_note(out[-1], last=True) and _edge_note(item, last=False):
            out.append(ast.Styled("Superscript", (ast.Str(","),)))
        out.append(item)
    return tuple(out)


def _graded(content: tuple[ast.Inline, ...], mark: str) -> tuple[ast.Inline, ...]:
    """A citation's grade at the end of its note (note styles) or after it."""
    if not mark:
        return content
    if len(content) == 1 and isinstance(content[0], ast.Note):
        return (ast.Note(_append(content[0].blocks, mark)),)
    return (*content, ast.Space(), *_text(mark))


def _raw(fmt: str, text: str, policy: str) -> list[ast.Inline]:
    """Raw HTML as text (``escape``) or its text without tags (``sanitize``: Word has no
    HTML); other raw formats are left out, as in the PDF. Raw OpenXML never reaches Pandoc."""
    if fmt.lower() not in ("html", "html4", "html5"):
        return []
    shown = text if policy != "sanitize" else _TAG.sub("", text)
    return [ast.Str(shown)] if shown else []


def _raw_blocks(blocks: tuple[ast.Block, ...], policy: str) -> tuple[ast.Block, ...]:
    """Raw blocks wherever they are (notes and table cells too), shown as ``_raw`` says."""

    def fix(items: tuple[ast.Block, ...]) -> tuple[ast.Block, ...]:
        out: list[ast.Block] = []
        for item in items:
            if isinstance(item, ast.RawBlock):
                content = tuple(_raw(item.format, item.text.strip(), policy))
                out += [ast.Para(content)] if content else []
            else:
                out.append(item)
        return tuple(out)

    return ast.map_blocks(blocks, fix)


def count_notes(blocks: tuple[ast.Block, ...]) -> int:
    """Notes Word will number: every Note inline, except inside image descriptions (which
    are alt text, in Word as in the PDF)."""
    found = 0

    def look(items: tuple[ast.Inline, ...]) -> tuple[ast.Inline, ...]:
        nonlocal found
        found += sum(isinstance(i, ast.Note) for i in items)
        return items

    def strip_alt(items: tuple[ast.Inline, ...]) -> tuple[ast.Inline, ...]:
        return tuple(
            ast.Image(i.attr, (), i.url, i.title) if isinstance(i, ast.Image) else i for i in items
        )

    ast.map_inlines(ast.map_inlines(blocks, strip_alt), look)
    return found


def _meta(resolved: ResolvedDossier) -> dict[str, Json]:
    """Title block and document properties: Pandoc writes the first five as the title, and
    the rest into docProps (core and custom properties)."""
    d = resolved.dossier
    date = build_date(resolved.dossier)

    def inlines(text: str) -> Json:
        return {"t": "MetaInlines", "c": ast.inlines_json(_text(text))}

    def string(text: str) -> Json:
        return {"t": "MetaString", "c": text}

    meta: dict[str, Json] = {"title": inlines(d.title), "lang": string(d.lang)}
    if d.subtitle:
        meta["subtitle"] = inlines(d.subtitle)
    if d.authors:
        meta["author"] = {"t": "MetaList", "c": [inlines(a.name) for a in d.authors]}
    if date:
        meta["date"] = inlines(long_date(date, d.lang))
    if d.dir == "rtl":
        meta["dir"] = string("rtl")
    if d.keywords:
        # As inlines: Pandoc writes MetaStrings in a list as empty keywords.
        meta["keywords"] = {"t": "MetaList", "c": [inlines(k) for k in d.keywords]}
    for key, value in (
        ("subject", d.subject),
        ("description", d.abstract),
        ("version", d.version),
        ("classification", d.classification),
        ("publisher", d.publisher),
        ("rights", d.rights),
        ("identifier", d.identifier),
    ):
        if value:
            meta[key] = string(value)
    return meta


def document(
    resolved: ResolvedDossier, image: Callable[[str], str | None], api_version: list[int]
) -> tuple[Json, int]:
    """The Pandoc JSON document of the review copy, and how many notes it has."""
    body = _Builder(resolved, image).body()
    json = {
        "pandoc-api-version": api_version,
        "meta": _meta(resolved),
        "blocks": ast.blocks_json(body),
    }
    return json, count_notes(body)


def data_url(data: bytes, name: str) -> str:
    kind = media_type(name)
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def images(resolved: ResolvedDossier, remote: Mapping[str, bytes]) -> Callable[[str], str | None]:
    """An image's URL -> its bytes as a ``data:`` URL: only files the build checked (in the
    dossier folder, or fetched with --allow-remote). Pandoc runs sandboxed and reads nothing."""
    root = resolved.dossier.root
    checked = set(resolved.assets)

    def find(url: str) -> str | None:
        if url.startswith(("http://", "https://")):
            name = local_name(url)
            return data_url(remote[name], name) if name in remote else None
        if root is None:
            return None
        path = (root / url).resolve()
        if not path.is_relative_to(root) or path.relative_to(root).as_posix() not in checked:
            return None
        return data_url(path.read_bytes(), Path(url).name)

    return find
