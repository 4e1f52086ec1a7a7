"""BibTeX and BibLaTeX files to CSL items, through pybtex (a maintained BibTeX parser)."""

from __future__ import annotations

import re
from typing import Any

from .errors import Collector, Location

# BibTeX/BibLaTeX entry types -> CSL types, as Pandoc maps them.
TYPES = {
    "article": "article-journal", "book": "book", "mvbook": "book", "booklet": "pamphlet",
    "inbook": "chapter", "incollection": "chapter", "inproceedings": "paper-conference",
    "conference": "paper-conference", "proceedings": "book", "manual": "report",
    "report": "report", "techreport": "report", "thesis": "thesis", "phdthesis": "thesis",
    "mastersthesis": "thesis", "online": "webpage", "www": "webpage", "misc": "document",
    "unpublished": "manuscript", "dataset": "dataset", "software": "software",
    "legislation": "legislation", "jurisdiction": "legal_case", "newsarticle": "article-newspaper",
}  # fmt: skip
FIELDS = {
    "title": "title", "shorttitle": "title-short", "journal": "container-title",
    "journaltitle": "container-title", "booktitle": "container-title",
    "publisher": "publisher", "institution": "publisher", "organization": "publisher",
    "school": "publisher", "address": "publisher-place", "location": "publisher-place",
    "pages": "page", "volume": "volume", "number": "issue", "edition": "edition",
    "doi": "DOI", "url": "URL", "isbn": "ISBN", "issn": "ISSN", "note": "note",
    "abstract": "abstract", "language": "language", "series": "collection-title",
    "archiveprefix": "archive", "eprint": "number",
}  # fmt: skip
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, start=1)}


def _text(value: str) -> str:
    """LaTeX markup and escapes to plain Unicode (``{\\"u}`` -> ``ü``, braces dropped)."""
    from pybtex.richtext import Text

    try:
        return str(Text.from_latex(value).render_as("text")).strip()
    except Exception:
        return value.replace("{", "").replace("}", "").strip()


def _person(person: Any) -> dict[str, str]:
    raw = str(person)
    if raw.startswith("{") and raw.endswith("}") and raw.count("{") == 1:
        return {"literal": _text(raw)}  # {United Nations}: a body, never split into names
    name = {
        "family": _text(" ".join(person.last_names)),
        "given": _text(" ".join([*person.first_names, *person.middle_names])),
    }
    if person.prelast_names:
        name["non-dropping-particle"] = _text(" ".join(person.prelast_names))
    if person.lineage_names:
        name["suffix"] = _text(" ".join(person.lineage_names))
    return {k: v for k, v in name.items() if v}


def _date(fields: Any, key: str) -> dict[str, Any] | None:
    value = fields.get(key)
    if value:
        parts = [int(p) for p in re.findall(r"\d+", value.split("/")[0])[:3]]
        return {"date-parts": [parts]} if parts else {"literal": _text(value)}
    return None


def _issued(fields: Any) -> dict[str, Any] | None:
    found = _date(fields, "date")
    if found or not fields.get("year"):
        return found
    parts = [int(y) for y in re.findall(r"\d{4}", fields["year"])[:1]]
    month = str(fields.get("month", "")).strip().lower()[:3]
    if parts and (month in MONTHS or month.isdigit()):
        parts.append(MONTHS.get(month) or int(month))
        if str(fields.get("day", "")).isdigit():
            parts.append(int(fields["day"]))
    return {"date-parts": [parts]} if parts else {"literal": fields["year"]}


def entry_to_csl(key: str, entry: Any) -> dict[str, Any]:
    """One pybtex entry as a CSL item."""
    kind = TYPES.get(entry.type.lower(), "document")
    subtype = entry.fields.get("entrysubtype", "").strip().lower()
    if kind == "article-journal" and subtype in ("newspaper", "magazine"):
        kind = f"article-{subtype}"  # BibLaTeX's way of marking press articles
    item: dict[str, Any] = {"id": key, "type": kind}
    for name, value in entry.fields.items():
        csl = FIELDS.get(name.lower())
        if csl and csl not in item:
            item[csl] = value.strip() if csl in ("URL", "DOI") else _text(value)
    for role in ("author", "editor"):
        if role in entry.persons:
            item[role] = [_person(p) for p in entry.persons[role]]
    if issued := _issued(entry.fields):
        item["issued"] = issued
    if accessed := _date(entry.fields, "urldate"):
        item["accessed"] = accessed
    if entry.type.lower() == "phdthesis":
        item.setdefault("genre", "PhD thesis")
    return item


def parse_bibtex(
    text: str, where: Location, collector: Collector
) -> list[tuple[str, dict[str, Any], int]]:
    """(key, CSL item, line) for each entry of a .bib file."""
    from pybtex.database import parse_string
    from pybtex.scanner import PybtexError

    try:
        database = parse_string(text, "bibtex")
    except PybtexError as exc:
        line = getattr(exc, "lineno", None) or 1
        collector.error(Location(where.path, int(line)), f"invalid BibTeX: {exc}")
        return []
    lines = {m.group(1): text.count("\n", 0, m.start()) + 1
             for m in re.finditer(r"@\w+\s*[{(]\s*([^,\s]+)\s*,", text)}  # fmt: skip
    return [(key, entry_to_csl(key, entry), lines.get(key, 1))
            for key, entry in database.entries.items()]  # fmt: skip
