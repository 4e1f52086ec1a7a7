"""Reading a dossier (a folder with dossier.yaml, or one Markdown file) into a ``Dossier``."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..config import LAYOUTS, METADATA_FILE, theme_name_problem
from ..errors import Collector, DossierError, Location, display_path
from ..model import Author, Chapter, Dossier, Event, Issue, Markdown, Player, Source, Stance
from .references import check_duplicates, load_references, sources_from_yaml
from .textio import confined, read_text
from .yamlio import LineDict, LineList, load_yaml

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


def load(path: str | Path) -> Dossier:
    """Read the dossier at ``path``: a folder holding dossier.yaml, or a Markdown file."""
    path = Path(path)
    if path.is_dir():
        return _load_folder(path)
    if path.is_file():
        return _load_file(path)
    raise DossierError.at(Location(display_path(path)), "no such dossier (file or folder)")


def _load_folder(folder: Path) -> Dossier:
    meta_path = folder / METADATA_FILE
    where = Location(display_path(meta_path), 1)
    collector = Collector()
    meta = _metadata(read_text(meta_path, collector, where), where, collector, METADATA_FILE)
    chapters: list[Chapter] = []
    for chapter_path, at in _chapter_files(folder, meta, where, collector):
        try:
            text = read_text(chapter_path, collector, at)
        except DossierError as exc:
            collector.diagnostics.extend(exc.diagnostics)
            continue
        if not text.strip():
            collector.warning(_file_start(chapter_path), "the chapter file is empty")
            continue
        chapters.append(Chapter(text, _file_start(chapter_path)))
    return _build(meta, where, folder, folder.resolve().name, chapters, collector)


def _load_file(path: Path) -> Dossier:
    where = _file_start(path)
    collector = Collector()
    text = read_text(path, collector, where)
    match = _FRONT_MATTER.match(text)
    meta = _no_metadata()
    body_line = 1
    if match:
        meta = _metadata(match.group(1) or "", where.shifted(1), collector, "front matter")
        body_line = text.count("\n", 0, match.end()) + 1
        text = text[match.end() :]
    if "chapters" in meta:
        collector.warning(_at(where, meta, "chapters"), "'chapters' is ignored in a single file")
    chapters = [Chapter(text, Location(where.path, body_line))] if text.strip() else []
    root = path.parent
    return _build(meta, where, root, path.stem, chapters, collector)


def _metadata(text: str, where: Location, collector: Collector, what: str) -> LineDict:
    """The metadata in ``text``; an error in it ends loading, with the warnings found so far
    (characters dropped while reading)."""
    try:
        meta = load_yaml(text, where, collector)
    except DossierError as exc:
        raise DossierError([*collector.diagnostics, *exc.diagnostics]) from None
    if meta is None:
        return _no_metadata()
    if not isinstance(meta, LineDict):
        collector.error(where, f"{what} must be a mapping of keys to values")
        raise DossierError(collector.diagnostics)
    return meta


def _no_metadata() -> LineDict:
    """What an empty dossier.yaml or front matter stands for."""
    meta = LineDict()
    meta.lines, meta.line = {}, 1
    return meta


def _file_start(path: Path) -> Location:
    return Location(display_path(path), 1)


def _at(where: Location, meta: LineDict, key: str) -> Location:
    return Location(where.path, meta.lines.get(key, meta.line))


def _chapter_files(
    folder: Path, meta: LineDict, where: Location, collector: Collector
) -> list[tuple[Path, Location]]:
    """Chapter files in order: the ``chapters:`` list, else every *.md sorted by name."""
    listed = meta.get("chapters")
    if listed is None:
        names = sorted(p.name for p in folder.glob("*.md") if p.name.lower() != "readme.md")
        found = []
        for name in names:
            at = Location(display_path(folder / name))
            try:
                found.append((confined(folder / name, folder, at), at))
            except DossierError as exc:
                collector.diagnostics.extend(exc.diagnostics)
        return found
    if not isinstance(listed, LineList) or not all(isinstance(n, str) for n in listed):
        collector.error(_at(where, meta, "chapters"), "'chapters' must be a list of file names")
        return []
    result, seen = [], set()
    for name, line in zip(listed, listed.lines, strict=True):
        at = Location(where.path, line)
        if name in seen:
            collector.error(at, f"chapter '{name}' is listed twice")
            continue
        seen.add(name)
        try:
            result.append((confined(folder / name, folder, at), at))
        except DossierError as exc:
            collector.diagnostics.extend(exc.diagnostics)
    return result


# ---- metadata ----------------------------------------------------------------------------------

Convert = Callable[[Any, Location, Collector], Any]


def _text(value: Any, at: Location, collector: Collector) -> str | None:
    if isinstance(value, bool | dict | list):
        collector.error(at, f"expected text, found {_kind(value)}")
        return None
    return "" if value is None else str(value)


def _texts(value: Any, at: Location, collector: Collector) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return tuple(str(v) for v in value)
    collector.error(at, f"expected a list of text, found {_kind(value)}")
    return None


def _bool(value: Any, at: Location, collector: Collector) -> bool | None:
    if isinstance(value, bool):
        return value
    collector.error(at, f"expected true or false, found {_kind(value)}")
    return None


def _date(value: Any, at: Location, collector: Collector) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    collector.error(at, f"expected a date as YYYY-MM-DD, found {value!r}")
    return None


def _authors(value: Any, at: Location, collector: Collector) -> tuple[Author, ...] | None:
    items = value if isinstance(value, list) else [value]
    authors = []
    for item in items:
        if isinstance(item, str):
            authors.append(Author(item))
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            extra = set(item) - {"name", "affiliation", "email"}
            if extra:
                collector.warning(at, f"unknown author field(s): {', '.join(sorted(extra))}")
            authors.append(
                Author(item["name"], str(item.get("affiliation", "")), str(item.get("email", "")))
            )
        else:
            collector.error(at, "an author is a name or a mapping with 'name'")
    return tuple(authors)


def _markdowns(value: Any, at: Location, collector: Collector) -> tuple[Markdown, ...] | None:
    if isinstance(value, str):
        return (Markdown(value, at),)
    if not isinstance(value, list):
        collector.error(at, f"expected a list of Markdown text, found {_kind(value)}")
        return None
    lines = value.lines if isinstance(value, LineList) else [at.line] * len(value)
    result = []
    for item, line in zip(value, lines, strict=True):
        where = Location(at.path, line)
        if isinstance(item, str | int | float) and not isinstance(item, bool):
            result.append(Markdown(str(item), where))
        else:
            collector.error(where, f"expected Markdown text, found {_kind(item)}")
    return tuple(result)


def _records(value: Any, at: Location, collector: Collector) -> list[tuple[LineDict, Location]]:
    if not isinstance(value, LineList):
        collector.error(at, f"expected a list of entries, found {_kind(value)}")
        return []
    result = []
    for item, line in zip(value, value.lines, strict=True):
        if isinstance(item, LineDict):
            result.append((item, Location(at.path, line)))
        else:
            collector.error(Location(at.path, line), f"expected an entry, found {_kind(item)}")
    return result


def _field(record: LineDict, key: str, at: Location, collector: Collector, required: bool) -> str:
    where = Location(at.path, record.lines.get(key, at.line))
    if key not in record:
        if required:
            collector.error(at, f"missing '{key}'")
        return ""
    return _text(record[key], where, collector) or ""


def _players(value: Any, at: Location, collector: Collector) -> tuple[Player, ...]:
    players = []
    for record, where in _records(value, at, collector):
        _unknown(record, {"name", "role", "party", "position"}, where, collector)
        position = _field(record, "position", where, collector, False)
        line = record.lines.get("position", where.line)
        players.append(
            Player(
                name=_field(record, "name", where, collector, True),
                role=_field(record, "role", where, collector, False),
                party=_field(record, "party", where, collector, False),
                position=Markdown(position, Location(at.path, line)),
                location=where,
            )
        )
    return tuple(players)


def _positions(value: Any, at: Location, collector: Collector) -> tuple[Issue, ...]:
    issues = []
    for record, where in _records(value, at, collector):
        _unknown(record, {"issue", "stances"}, where, collector)
        stances = record.get("stances")
        if not isinstance(stances, LineDict):
            collector.error(where, "'stances' must map each party to its stance")
            continue
        issues.append(
            Issue(
                issue=_field(record, "issue", where, collector, True),
                stances=tuple(
                    Stance(
                        party,
                        Markdown(
                            _text(text, where, collector) or "",
                            Location(at.path, stances.lines[party]),
                        ),
                    )
                    for party, text in stances.items()
                ),
                location=where,
            )
        )
    return tuple(issues)


def _timeline(value: Any, at: Location, collector: Collector) -> tuple[Event, ...]:
    events = []
    for record, where in _records(value, at, collector):
        _unknown(record, {"date", "event"}, where, collector)
        text = _field(record, "event", where, collector, True)
        line = record.lines.get("event", where.line)
        date = record.get("date")
        events.append(
            Event(
                date.isoformat() if isinstance(date, dt.date) else str(date or ""),
                Markdown(text, Location(at.path, line)),
                where,
            )
        )
    return tuple(events)


def _theme(value: Any, at: Location, collector: Collector) -> str | None:
    """A theme's name; the folder it names is looked up when the dossier is built."""
    name = _text(value, at, collector)
    if name is not None and (problem := theme_name_problem(name)):
        collector.error(at, problem)
        return None
    return name


def _unknown(record: LineDict, known: set[str], at: Location, collector: Collector) -> None:
    for key in sorted(set(record) - known):
        where = Location(at.path, record.lines.get(key, at.line))
        collector.warning(where, f"unknown key '{key}' is ignored{_did_you_mean(key, known)}")


def _did_you_mean(key: str, known: set[str]) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    return f"{value!r}"


# key -> (Dossier field, converter)
_FIELDS: dict[str, tuple[str, Convert]] = {
    "title": ("title", _text),
    "subtitle": ("subtitle", _text),
    "author": ("authors", _authors),
    "date": ("date", _date),
    "lang": ("lang", _text),
    "dir": ("dir", _text),
    "keywords": ("keywords", _texts),
    "subject": ("subject", _text),
    "abstract": ("abstract", _text),
    "description": ("abstract", _text),
    "publisher": ("publisher", _text),
    "rights": ("rights", _text),
    "identifier": ("identifier", _text),
    "version": ("version", _text),
    "classification": ("classification", _text),
    "summary": ("summary", _markdowns),
    "players": ("players", _players),
    "positions": ("positions", _positions),
    "timeline": ("timeline", _timeline),
    "numeric-citations": ("numeric_citations", _bool),
    "nocite": ("nocite", _texts),
    "csl": ("csl", _text),
    "cover-image": ("cover_image", _text),
    "paper": ("paper", _text),
    "mirror-margins": ("mirror_margins", _bool),
    "layout": ("layout", _text),
    "raw-html": ("raw_html", _text),
    "lint-ignore": ("lint_ignore", _texts),
    "theme": ("theme", _theme),
    "slug": ("slug", _text),
}
_HANDLED_ELSEWHERE = {"bibliography", "references", "chapters"}
PAPER_SIZES = ("A4", "letter", "A5", "legal")


def _build(
    meta: LineDict,
    where: Location,
    root: Path,
    slug: str,
    chapters: list[Chapter],
    collector: Collector,
) -> Dossier:
    values: dict[str, Any] = {"slug": slug, "title": ""}
    values["places"] = {key: _at(where, meta, key) for key in meta}
    for key, value in meta.items():
        at = _at(where, meta, key)
        if key in _FIELDS:
            name, convert = _FIELDS[key]
            converted = convert(value, at, collector)
            if converted is not None:
                values[name] = converted
        elif key not in _HANDLED_ELSEWHERE:
            known = set(_FIELDS) | _HANDLED_ELSEWHERE
            collector.warning(at, f"unknown key '{key}' is ignored{_did_you_mean(key, known)}")
    _check_choices(values, meta, where, collector)
    sources = _sources(meta, where, root, collector)
    if not chapters and not collector.errors:
        collector.error(where, "the dossier has no chapters")
    collector.raise_if_errors()
    return Dossier(
        chapters=chapters,
        sources=sources,
        root=root.resolve(),
        location=where,
        diagnostics=collector.diagnostics,
        **values,
    )


def _check_choices(values: dict[str, Any], meta: LineDict, where: Location, c: Collector) -> None:
    if values.get("dir", "ltr") not in ("ltr", "rtl"):
        c.error(_at(where, meta, "dir"), "'dir' is 'ltr' or 'rtl'")
    if values.get("raw_html", "sanitize") not in ("escape", "sanitize", "refuse"):
        c.error(_at(where, meta, "raw-html"), "'raw-html' is 'escape', 'sanitize' or 'refuse'")
    if values.get("layout", "auto") not in LAYOUTS:
        c.error(_at(where, meta, "layout"), "'layout' is 'brief', 'report' or 'auto'")
    paper = values.get("paper")
    if paper is not None:
        match = [p for p in PAPER_SIZES if p.lower() == paper.lower()]
        if match:
            values["paper"] = match[0]
        else:
            c.error(_at(where, meta, "paper"), f"'paper' is one of {', '.join(PAPER_SIZES)}")


def _sources(meta: LineDict, where: Location, root: Path, collector: Collector) -> list[Source]:
    sources: list[Source] = []
    bibliography = meta.get("bibliography")
    if bibliography is not None:
        at = _at(where, meta, "bibliography")
        names = _texts(bibliography, at, collector) or ()
        for name in names:
            try:
                path = confined(root / name, root, at)
            except DossierError as exc:
                collector.diagnostics.extend(exc.diagnostics)
                continue
            sources += load_references(path, at, collector)
    if "references" in meta:
        sources += sources_from_yaml(meta["references"], _at(where, meta, "references"), collector)
    return check_duplicates(sources, collector)
