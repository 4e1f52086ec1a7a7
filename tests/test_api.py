"""The Python API: a Dossier built in code renders exactly as the same dossier in files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pypdf

import dossier
from dossier import Author, Chapter, Dossier, Event, Issue, Player, Source, Stance
from dossier.pipeline import prepare
from dossier.render.documents import render
from dossier.render.themes import load_theme

YAML = """\
title: Built in code
author: [{name: Ann Analyst, affiliation: Institute}]
date: 2025-03-04
lang: en
keywords: [security, diplomacy]
summary:
  - The first key point [@doe].
players:
  - name: A. Person
    role: Envoy
    party: Alpha
    position: Wants a deal [@doe, p. 2].
positions:
  - issue: Borders
    stances:
      Alpha: Keep them
      Beta: Move them [@doe]
timeline:
  - {date: "2024", event: Talks began.}
references:
  - {id: doe, type: book, title: A Book, author: [{family: Doe, given: Jo}], publisher: P}
"""
CHAPTER = "# Chapter one\n\nA claim [@doe, p. 1] and a note.[^a]\n\n[^a]: Plain note.\n"


def in_code() -> Dossier:
    return Dossier(
        title="Built in code",
        authors=[Author("Ann Analyst", "Institute")],
        date=dt.date(2025, 3, 4),
        lang="en",
        keywords=["security", "diplomacy"],
        summary=["The first key point [@doe]."],
        players=[Player("A. Person", "Envoy", "Alpha", "Wants a deal [@doe, p. 2].")],
        positions=[
            Issue("Borders", (Stance("Alpha", "Keep them"), Stance("Beta", "Move them [@doe]")))
        ],
        timeline=[Event("2024", "Talks began.")],
        sources=[
            Source(
                "doe",
                {
                    "id": "doe",
                    "type": "book",
                    "title": "A Book",
                    "author": [{"family": "Doe", "given": "Jo"}],
                    "publisher": "P",
                },
            )
        ],
        chapters=[Chapter(CHAPTER)],
        slug="built-in-code",
    )


def test_code_and_files_render_the_same(tmp_path: Path) -> None:
    folder = tmp_path / "built-in-code"
    folder.mkdir()
    (folder / "dossier.yaml").write_text(YAML, encoding="utf-8")
    (folder / "01.md").write_text(CHAPTER, encoding="utf-8")
    theme = load_theme("default")
    from_files = render(prepare(folder), theme)
    from_code = render(prepare(in_code()), theme)
    assert from_code.print_html == from_files.print_html
    assert [d.xhtml for d in from_code.epub_documents] == [
        d.xhtml for d in from_files.epub_documents
    ]
    assert "Wants a deal" in from_code.print_html
    assert len(prepare(in_code()).notes) == 5


def test_build_from_code_writes_pdf_and_epub(tmp_path: Path) -> None:
    artifacts = dossier.build(in_code(), out=tmp_path)
    assert sorted(a.path.name for a in artifacts) == ["built-in-code.epub", "built-in-code.pdf"]
    reader = pypdf.PdfReader(tmp_path / "built-in-code" / "built-in-code.pdf")
    assert reader.metadata is not None and reader.metadata.title == "Built in code"
    assert "Alpha" in "".join(page.extract_text() for page in reader.pages)
