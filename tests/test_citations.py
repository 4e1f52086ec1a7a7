"""Citation syntax and numbering: one note series, full then short notes, locators, errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dossier import Chapter, Dossier, DossierError, Source
from dossier.errors import Location
from dossier.markdown import CitationItem, parse_group, parse_item
from dossier.pipeline import prepare

BOOK = Source("doe", {"type": "book", "title": "Security Orders: A History",
                      "author": [{"family": "Doe", "given": "Jane"}],
                      "issued": {"date-parts": [[2020]]}, "publisher": "Press"})  # fmt: skip
ARTICLE = Source("roe", {"type": "article-journal", "title": "Ceasefires",
                         "container-title": "Journal of Peace", "author": [{"family": "Roe"}],
                         "issued": {"date-parts": [[2021, 3]]}, "DOI": "10.1/x"})  # fmt: skip


def resolve(markdown: str, numeric: bool = False, **extra: object):  # type: ignore[no-untyped-def]
    chapter = Chapter(markdown, Location("brief.md", 10))
    dossier = Dossier(title="T", chapters=[chapter], sources=[BOOK, ARTICLE],
                      numeric_citations=numeric, **extra)  # type: ignore[arg-type]  # fmt: skip
    return prepare(dossier)


def text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("@doe", CitationItem("doe")),
        ("see @doe, p. 12", CitationItem("doe", "see", "page", "12")),
        ("@doe, pp. 33-35 and passim", CitationItem("doe", "", "page", "33-35", "and passim")),
        ("-@doe, ch. 2", CitationItem("doe", "", "chapter", "2", "", True)),
        ("@doe, sec. 4.2", CitationItem("doe", "", "section", "4.2")),
        ("@doe, para. 7", CitationItem("doe", "", "paragraph", "7")),
        ("@doe, with a comment", CitationItem("doe", "", "", "", ", with a comment")),
        ("@un:2024.a", CitationItem("un:2024.a")),
    ],
)
def test_pandoc_citation_items(written: str, expected: CitationItem) -> None:
    assert parse_item(written) == expected


def test_group_needs_a_key_in_every_item() -> None:
    assert parse_group("@a; see @b, p. 3") is not None
    assert parse_group("a link text") is None
    assert parse_group("@a; no key here") is None


def test_one_series_in_document_order_full_then_short() -> None:
    resolved = resolve(
        "# One\n\nFirst [@doe, p. 3]. A note[^x]. Again [@roe; @doe].\n\n"
        "[^x]: Inside a note [@roe, p. 9].\n"
    )
    notes = [text(n.html) for n in resolved.notes]
    assert len(notes) == 3
    assert notes[0] == "Jane Doe, Security Orders: A History (Press, 2020), p. 3."
    assert notes[1].startswith(
        "Inside a note Roe, “Ceasefires”, Journal of Peace, March 2021, p. 9"
    )
    assert notes[2] == "Roe, “Ceasefires”; Doe, Security Orders."
    html = resolved.chapters[0].html
    # No space before a call, and the full stop moves in front of it.
    assert "First.\x00n:1\x00" in html
    assert "A note\x00n:2\x00." in html


def test_ibid_for_the_same_source_in_consecutive_notes() -> None:
    resolved = resolve("# One\n\nA [@doe, p. 3]. B [@doe, p. 4]. C [@doe].\n")
    assert [text(n.html) for n in resolved.notes][1:] == ["Ibid, p. 4.", "Ibid."]


def test_in_text_citation_names_the_author_and_adds_a_note() -> None:
    resolved = resolve("# One\n\nAs @roe [p. 2] argues, and @nobody@example.org says.\n")
    assert "As Roe\x00n:1\x00 argues" in resolved.chapters[0].html
    assert "@nobody@example.org" in resolved.chapters[0].html
    assert "March 2021, p. 2, https://doi.org/10.1/x" in text(resolved.notes[0].html)


def test_numeric_markers_cite_sources_in_file_order() -> None:
    resolved = resolve("# One\n\nClaim [1][2]. Other [2, 1].\n", numeric=True)
    assert len(resolved.notes) == 3
    assert "Claim.\x00n:1\x00\x00n:2\x00" in resolved.chapters[0].html
    assert text(resolved.notes[2].html) == "Roe, “Ceasefires”; Doe, Security Orders."
    assert [b.key for b in resolved.bibliography] == ["doe", "roe"]


def test_numeric_markers_are_plain_text_unless_enabled() -> None:
    resolved = resolve("# One\n\nClaim [1].\n")
    assert resolved.notes == ()
    assert "Claim [1]." in resolved.chapters[0].html


def test_unknown_key_and_marker_beyond_the_list_are_errors_with_lines() -> None:
    with pytest.raises(DossierError) as caught:
        resolve("# One\n\nFine [@doe].\nBad [@nope].\n\nAlso [7].\n", numeric=True)
    messages = [str(d) for d in caught.value.diagnostics]
    assert "brief.md:13: error: unknown citation key 'nope' in [@nope]" in messages
    assert (
        "brief.md:15: error: citation [7] refers to source 7, but the bibliography has 2"
        in messages
    )


def test_bibliography_lists_cited_sources_sorted_by_author() -> None:
    resolved = resolve("# One\n\nA [@roe]. B [@doe].\n")
    assert [b.key for b in resolved.bibliography] == ["doe", "roe"]
    assert (
        text(resolved.bibliography[0].html) == "Doe, Jane. Security Orders: A History. Press. 2020."
    )
    assert resolved.chapters[-1].kind == "bibliography"


def test_nocite_star_lists_every_source() -> None:
    resolved = resolve("# One\n\nNo citations.\n", nocite=["*"])
    assert [b.key for b in resolved.bibliography] == ["doe", "roe"]


def test_locations_point_into_the_file(tmp_path: Path) -> None:
    with pytest.raises(DossierError) as caught:
        resolve("# One\n\nText\nmore text [@missing] here.\n")
    assert str(caught.value.diagnostics[0]).startswith("brief.md:13:")
