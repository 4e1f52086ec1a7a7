"""``dossier import DRAFT.docx``: a Word draft made here (by Pandoc, then given what Word and
Zotero write: citation fields, comments, tracked changes, a text box) becomes a dossier
folder that builds at once, with every note."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from dossier.cli import app
from dossier.config import BuildOptions
from dossier.model import ast
from dossier.pipeline import build_one, prepare
from dossier.runtime import pandoc

from .conftest import FIXTURES, SAMPLE
from .wordfiles import footnotes, pdf_text

runner = CliRunner()
CHART = FIXTURES / "pandoc-conformance" / "chart.png"
DRAFT = """\
---
title: Grain Corridor Draft
subtitle: A working paper
author: [Ann Analyst, Ben Writer]
date: 2025-05-04
---

Opening words before any heading.[^opening]

[^opening]: A note before the first chapter.

# Background

The corridor opened in 2022.[^opened] Exports rose CITATION quickly.

| Year | Tonnes |
|------|--------|
| 2022 | 33     |
| 2023 | 30     |

: Exports by year

![Map of the routes](chart.png)

[^opened]: The first cargo left Odesa, with *emphasis*.

# Outlook

Talks continue.[^talks] REVIEW And more.

[^talks]: Talks are held in Istanbul.
"""
NOTES = [
    "A note before the first chapter.",
    "The first cargo left Odesa, with emphasis.",
    "Talks are held in Istanbul.",
]
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
ZOTERO = {
    "citationID": "x1",
    "properties": {"formattedCitation": "(Smith 2020, 12)", "plainCitation": "(Smith 2020, 12)"},
    "citationItems": [{
        "id": 7, "uris": ["http://zotero.org/users/1/items/ABCD1234"], "locator": "12",
        "label": "page",
        "itemData": {"id": 7, "type": "book", "title": "A Book on Grain", "publisher": "Pub",
                     "author": [{"family": "Smith", "given": "Jo"}],
                     "issued": {"date-parts": [["2020"]]}},
    }],
    "schema": "https://github.com/citation-style-language/schema/raw/master/csl-citation.json",
}  # fmt: skip


def _field(instruction: str, shown: str) -> str:
    """A Word field (what Zotero's plugin writes): its code, then its displayed result."""
    return (
        '</w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r>'
        f'<w:instrText xml:space="preserve"> {instruction}</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f'<w:r><w:t>{shown}</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
        '<w:r><w:t xml:space="preserve">'
    )


REVIEW = (
    "</w:t></w:r>"
    '<w:ins w:id="101" w:author="Ed Itor" w:date="2025-01-02T00:00:00Z"><w:r>'
    '<w:t xml:space="preserve">Freshly inserted words. </w:t></w:r></w:ins>'
    '<w:del w:id="102" w:author="Ed Itor" w:date="2025-01-02T00:00:00Z"><w:r>'
    '<w:delText xml:space="preserve">Words struck out. </w:delText></w:r></w:del>'
    '<w:commentRangeStart w:id="0"/><w:r><w:t xml:space="preserve">Commented.</w:t></w:r>'
    '<w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r>'
    '<w:r><w:pict><v:shape id="box1"><v:textbox><w:txbxContent><w:p><w:r>'
    "<w:t>A boxed aside</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
    '<w:r><w:t xml:space="preserve"> '
)
COMMENTS = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:comments {W}>'
    '<w:comment w:id="0" w:author="Rev Iewer" w:date="2025-01-03T00:00:00Z" w:initials="RI">'
    "<w:p><w:r><w:t>Which year?</w:t></w:r></w:p></w:comment></w:comments>"
)


def make_draft(folder: Path, zotero: bool = False, review: bool = False) -> Path:
    """A Word file with footnotes, two Heading 1 sections, a table and an image, written by
    Pandoc from Markdown; with ``zotero`` a Zotero citation field, with ``review`` a
    comment, an insertion, a deletion and a text box, as Word writes them."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(CHART, folder / "chart.png")
    markdown = DRAFT.replace("CITATION ", "CITATION " if zotero else "")
    markdown = markdown.replace("REVIEW ", "REVIEW " if review else "")
    (folder / "draft.md").write_text(markdown, encoding="utf-8")
    plain = folder / "plain.docx"
    subprocess.run([pandoc.executable(), "draft.md", "-o", plain.name], cwd=folder, check=True)
    citation = _field(f"ADDIN ZOTERO_ITEM CSL_CITATION {json.dumps(ZOTERO)}", "(Smith 2020, 12)")
    draft = folder / "draft.docx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(draft, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                text = data.decode().replace("CITATION", citation).replace("REVIEW", REVIEW)
                data = text.encode()
            elif item.filename == "word/comments.xml" and review:
                data = COMMENTS.encode()
            target.writestr(item, data)
    return draft


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _import(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["import", *args], terminal_width=200)
    return result.exit_code, result.stdout, result.stderr


def test_a_word_draft_imports_and_builds_with_every_note(project: Path) -> None:
    draft = make_draft(project / "drafts")
    code, out, err = _import(str(draft))
    assert code == 0, err
    assert err == ""
    folder = project / "sources" / "grain-corridor-draft"
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        "01-background.md",
        "02-outlook.md",
        "assets/figure-01.png",
        "dossier.yaml",
    ]
    assert out.splitlines()[0] == "created sources/grain-corridor-draft/01-background.md"
    assert (folder / "assets" / "figure-01.png").read_bytes() == CHART.read_bytes()
    meta = yaml.safe_load((folder / "dossier.yaml").read_text())
    assert meta["title"] == "Grain Corridor Draft" and meta["subtitle"] == "A working paper"
    assert meta["author"] == ["Ann Analyst", "Ben Writer"]
    assert str(meta["date"]) == "2025-05-04"
    assert meta["chapters"] == ["01-background.md", "02-outlook.md"]
    first = (folder / "01-background.md").read_text()
    assert first.startswith("Opening words before any heading.[^1]")
    assert "\n# Background\n" in first and "[^2]: The first cargo left Odesa" in first
    assert "# Outlook" in (folder / "02-outlook.md").read_text()

    resolved = prepare(folder)
    assert resolved.diagnostics == ()
    notes = [
        " ".join(n.inline_html.replace("<em>", "").replace("</em>", "").split())
        for n in resolved.notes
    ]
    assert [n.removeprefix('<span class="fn-p">').removesuffix("</span>") for n in notes] == NOTES
    table = next(b for b in resolved.blocks.chapters if isinstance(b, ast.Table))
    assert [ast.stringify(c.blocks).strip() for c in table.head[0].cells] == ["Year", "Tonnes"]
    assert len(table.bodies[0].rows) == 2
    figure = next(b for b in resolved.blocks.chapters if isinstance(b, ast.Figure))
    assert ast.stringify(figure.caption.blocks).strip() == "Map of the routes"

    built = build_one(folder, BuildOptions(formats=("pdf", "docx"), out=project / "build"))
    assert not built.failed and built.warnings == (), built.diagnostics
    paths = {a.format: a.path for a in built.artifacts}
    printed = " ".join(pdf_text(paths["pdf"]).split())
    for note in NOTES:
        assert note in printed
    assert footnotes(paths["docx"]) == NOTES


def test_zotero_citations_are_keys_with_their_items_as_csl_json(project: Path) -> None:
    draft = make_draft(project, zotero=True)
    code, _, err = _import(str(draft), "--into", "sources/grain")
    assert code == 0, err
    folder = project / "sources" / "grain"
    written = " ".join((folder / "01-background.md").read_text().split())
    assert "Exports rose [@smith2020, page 12] quickly." in written
    items = json.loads((folder / "references.json").read_text())
    assert [(i["id"], i["title"], i["author"]) for i in items] == [
        ("smith2020", "A Book on Grain", [{"family": "Smith", "given": "Jo"}])
    ]
    assert yaml.safe_load((folder / "dossier.yaml").read_text())["bibliography"] == (
        "references.json"
    )
    resolved = prepare(folder)
    assert [s.id for s in resolved.dossier.sources] == ["smith2020"]
    cited = [n for n in resolved.notes if "A Book on Grain" in n.html]
    assert len(cited) == 1 and "p. 12" in cited[0].html
    assert len(resolved.notes) == len(NOTES) + 1


def test_what_cannot_carry_over_is_a_warning_with_where_it_was(project: Path) -> None:
    draft = make_draft(project, review=True)
    code, _, err = _import(str(draft))
    assert code == 0
    assert err.splitlines() == [
        # The paragraph as Word shows it, deletions struck (not in its text).
        "draft.docx: warning: in the paragraph “Talks continue. Freshly inserted words. "
        "Commented. And more.”: a text box is left out: “A boxed aside”",
        "draft.docx: warning: in “Outlook”, paragraph 1: a comment by Rev Iewer is left out: "
        "“Which year?”",
        "draft.docx: warning: in “Outlook”, paragraph 1: a deletion by Ed Itor that was not "
        "accepted is made: “Words struck out.”",
        "draft.docx: warning: in “Outlook”, paragraph 1: an insertion by Ed Itor that was not "
        "accepted is kept: “Freshly inserted words.”",
    ]
    text = (project / "sources" / "grain-corridor-draft" / "02-outlook.md").read_text()
    assert "Freshly inserted words." in text and "Commented." in text
    assert "struck out" not in text and "Which year" not in text and "boxed" not in text


def test_import_never_overwrites_a_folder(project: Path) -> None:
    draft = make_draft(project)
    folder = project / "sources" / "grain-corridor-draft"
    assert _import(str(draft))[0] == 0
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    (folder / "01-background.md").write_text("Edited by hand.\n")
    code, out, err = _import(str(draft))
    assert code == 1 and out == ""
    assert err == (
        "draft.docx: error: sources/grain-corridor-draft already exists; nothing was written "
        "(give another folder with --into)\n"
    )
    assert (folder / "01-background.md").read_text() == "Edited by hand.\n"
    assert {p for p in folder.rglob("*") if p.is_file()} == set(before)
    empty = project / "empty"
    empty.mkdir()
    assert _import(str(draft), "--into", "empty")[0] == 1  # even an empty one
    assert list(project.glob("sources/.grain*")) == [] and list(project.glob(".empty*")) == []


def test_a_file_that_is_not_a_word_draft_is_an_error(project: Path) -> None:
    (project / "notes.docx").write_text("not a zip")
    assert _import("notes.docx") == (
        1,
        "",
        "notes.docx: error: not a Word (.docx) file: File is not a zip file\n",
    )
    assert _import("missing.docx") == (1, "", "missing.docx: error: file not found: missing.docx\n")
    assert not (project / "sources").exists()


def test_the_review_copy_imports_back_with_its_properties_and_notes(project: Path) -> None:
    built = build_one(SAMPLE, BuildOptions(formats=("docx",), out=project / "build"))
    docx = next(a.path for a in built.artifacts)
    code, _, err = _import(str(docx), "--into", "again")
    assert code == 0, err
    meta = yaml.safe_load((project / "again" / "dossier.yaml").read_text())
    assert meta["title"] == "Russia resists NATO military presence in Ukraine"
    assert str(meta["date"]) == "2025-09-01"
    assert (meta["version"], meta["classification"]) == ("1.0", "PUBLIC")
    assert meta["keywords"] == ["Community policy", "Employment policy", "Politics", "General news"]
    assert meta["lang"] == "en-GB"
    again = prepare(project / "again")
    assert [" ".join(ast.stringify(n.blocks).split()) for n in _notes(again.blocks)] == (
        footnotes(docx)
    )


def _notes(blocks: object) -> list[ast.Note]:
    """Every note of the formatted blocks, in reading order (the dossier has only chapters)."""
    found: list[ast.Note] = []

    def look(items: tuple[ast.Inline, ...]) -> tuple[ast.Inline, ...]:
        found.extend(i for i in items if isinstance(i, ast.Note))
        return items

    ast.map_inlines(blocks.chapters, look)  # type: ignore[attr-defined]
    return found
