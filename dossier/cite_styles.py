"""The built-in note style: full note on first citation, short note after, and bibliography."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

from .markdown import CitationItem
from .terms import format_date, locator_label

Csl = Mapping[str, Any]

# Types whose title is a whole work (italic); the rest are parts of a work (in quotes).
_WHOLE_WORKS = {
    "book", "report", "thesis", "document", "dataset", "legislation", "map",
    "motion_picture", "software", "standard", "pamphlet", "manuscript", "bill",
}  # fmt: skip
_STOPWORDS = {"the", "a", "an", "of", "in", "on", "for", "and", "to", "at", "by", "with"}


def _name(person: Any, inverted: bool = False) -> str:
    if not isinstance(person, Mapping):
        return str(person)
    if "literal" in person:
        return str(person["literal"])
    family = " ".join(
        str(p) for p in (person.get("non-dropping-particle"), person.get("family")) if p
    )
    given = str(person.get("given", ""))
    if not given:
        return family
    return f"{family}, {given}" if inverted else f"{given} {family}"


def _family(person: Any) -> str:
    if isinstance(person, Mapping):
        return str(person.get("literal") or person.get("family") or person.get("given", ""))
    return str(person)


def _join(names: Sequence[str], terms: Mapping[str, str]) -> str:
    if len(names) > 3:
        return f"{names[0]} {terms['et-al']}"
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {terms['and']} {names[-1]}"


def _creators(data: Csl) -> list[Any]:
    for role in ("author", "editor", "director", "interviewer", "composer"):
        people = data.get(role)
        if isinstance(people, list) and people:
            return people
        if isinstance(people, str) and people:
            return [{"literal": people}]
    return []


def authors(data: Csl, terms: Mapping[str, str], short: bool = False) -> str:
    """Creator names as a note prints them: ``Given Family`` or, short, ``Family``."""
    people = _creators(data)
    names = [_family(p) if short else _name(p) for p in people]
    return _join(names, terms)


def _date_parts(value: Any) -> list[int]:
    if isinstance(value, Mapping):
        parts = value.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list):
            return [int(p) for p in parts[0] if str(p).lstrip("-").isdigit()]
        value = value.get("raw") or value.get("literal") or ""
    match = re.match(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", str(value))
    return [int(g) for g in match.groups() if g] if match else []


def date(value: Any, lang: str = "en") -> str:
    """A CSL date as ``2024``, ``March 2024`` or ``3 March 2024``; empty when absent."""
    parts = _date_parts(value)
    if not parts:
        return str(value.get("literal", "")) if isinstance(value, Mapping) else ""
    return format_date(parts, lang)


def year(data: Csl, terms: Mapping[str, str]) -> str:
    parts = _date_parts(data.get("issued"))
    return str(parts[0]) if parts else terms["no-date"]


def _title(data: Csl, short: bool = False, href: str = "") -> Markup:
    title = str(data.get("title-short") or _shorten(str(data.get("title", "")))) if short else ""
    title = title or str(data.get("title", ""))
    if str(data.get("type", "")) in _WHOLE_WORKS:
        text = Markup("<cite>{}</cite>").format(title)
    else:
        text = Markup("“{}”").format(title)
    # In a note, the title links to the source's entry in the bibliography.
    return Markup('<a class="to-ref" href="{}">{}</a>').format(href, text) if href else text


def _shorten(title: str) -> str:
    """The first words of a title before any colon, as a short title (Chicago's habit)."""
    words = title.split(":")[0].split()
    if len(words) <= 5:
        return " ".join(words)
    words = words[:4]
    while len(words) > 1 and words[-1].lower() in _STOPWORDS:
        words.pop()
    return " ".join(words)


def _link(data: Csl, terms: Mapping[str, str], sentence: bool = False) -> Markup:
    """Where to find the source: DOI or URL (with the accessed date), and an archived copy."""
    if doi := data.get("DOI"):
        url = f"https://doi.org/{doi}"
    elif not (url := str(data.get("URL", ""))):
        return Markup("")
    link = Markup('<a class="url" href="{0}">{0}</a>').format(url)
    accessed = date(data.get("accessed"), terms["lang"])
    if accessed and not data.get("DOI"):
        lead = terms["accessed"].capitalize() if sentence else terms["accessed"]
        link = Markup("{} {}{} {}").format(lead, accessed, "." if sentence else ",", link)
    archive = data.get("archive_url") or data.get("archive-url")
    if archive:
        link = Markup('{} ({} <a class="url" href="{}">{}</a>)').format(
            link, terms["archived"], archive, archive
        )
    return link


def locator(item: CitationItem, lang: str = "en") -> str:
    if not item.locator:
        return ""
    label = locator_label(item.label, lang, bool(re.search(r"[-–,&]", item.locator)))
    # Ranges take an en dash: pp. 4–6.
    value = re.sub(r"(?<=\d)-(?=\d)", "–", item.locator)
    return f"{label} {value}".strip()


def _wrap(body: Markup, item: CitationItem, lang: str) -> Markup:
    loc = locator(item, lang)
    if loc:
        body = Markup("{}, {}").format(body, loc)
    if item.prefix:
        body = Markup("{} {}").format(item.prefix, body)
    if item.suffix:
        suffix = item.suffix
        body = Markup("{}{}{}").format(body, "" if suffix[0] in ",.;:" else " ", suffix)
    return body


def full_note(data: Csl, item: CitationItem, terms: Mapping[str, str], href: str = "") -> Markup:
    """The first citation of a source: everything a reader needs to find it."""
    parts: list[Markup] = []
    who = "" if item.suppress_author else authors(data, terms)
    if who:
        parts.append(escape(who))
    parts.append(_title(data, href=href))
    container = data.get("container-title")
    if container:
        parts.append(Markup("<cite>{}</cite>").format(container))
    where = ", ".join(str(data[k]) for k in ("publisher", "publisher-place") if data.get(k))
    when = date(data.get("issued"), terms["lang"])
    if str(data.get("type", "")) in _WHOLE_WORKS and (where or when):
        parts[-1] = Markup("{} ({})").format(parts[-1], ", ".join(p for p in (where, when) if p))
    else:
        parts += [escape(p) for p in (where, when) if p]
    body = _wrap(Markup(", ").join(parts), item, terms["lang"])
    link = _link(data, terms)
    return Markup("{}, {}").format(body, link) if link else body


def short_note(data: Csl, item: CitationItem, terms: Mapping[str, str], href: str = "") -> Markup:
    """A later citation of a source: author's family name and a short title."""
    who = "" if item.suppress_author else authors(data, terms, short=True)
    title = _title(data, short=True, href=href)
    body = Markup("{}, {}").format(who, title) if who else title
    return _wrap(body, item, terms["lang"])


def in_text_authors(data: Csl, terms: Mapping[str, str]) -> str:
    """The names an in-text ``@key`` puts in the sentence (the note carries the rest)."""
    return authors(data, terms, short=True) or _shorten(str(data.get("title", "")))


def bibliography_entry(data: Csl, terms: Mapping[str, str]) -> Markup:
    """One entry of the bibliography, inverted first author first."""
    people = _creators(data)
    names = [_name(p, inverted=(i == 0)) for i, p in enumerate(people)]
    parts: list[Markup] = []
    if names:
        parts.append(escape(_join(names, terms) if len(names) <= 3 else names[0] + ", et al"))
    parts.append(_title(data))
    if data.get("container-title"):
        parts.append(Markup("<cite>{}</cite>").format(data["container-title"]))
    for key in ("publisher", "publisher-place"):
        if data.get(key):
            parts.append(escape(str(data[key])))
    parts.append(escape(date(data.get("issued"), terms["lang"]) or terms["no-date"]))
    link = _link(data, terms, sentence=True)
    if link:
        parts.append(link)
    text = Markup(". ").join(p for p in parts if p)
    return text if text.endswith(".") else text + Markup(".")
