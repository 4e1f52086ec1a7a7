"""Citation syntax and numbering: one note series, full then short notes, locators, errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dossier import Chapter, Dossier, DossierError, Source
from dossier.errors import Location
from dossier.pipeline import prepare

BOOK = Source(
    "doe",
    {
        "type": "book",
        "title": "Security Orders: A History",
        "author": [{"family": "Doe", "given": "Jane"}],
        "issued": {"date-parts": [[2020]]},
        "publisher": "Press",
    },
)
ARTICLE = Source(
    "roe",
    {
        "type": "article-journal",
        "title": "Ceasefires",
        "container-title": "Journal of Peace",
        "author": [{"family": "Roe"}],
        "issued": {"date-parts": [[2021, 3]]},
        "DOI": "10.1/x",
    },
)


def resolve(markdown: str, numeric: bool = False, **extra: object):  # type: ignore[no-untyped-def]
    chapter = Chapter(markdown, Location("brief.md", 10))
    dossier = Dossier(
        title="T", chapters=[chapter], sources=[BOOK, ARTICLE], numeric_citations=numeric, **extra
    )  # type: ignore[arg-type]
    return prepare(dossier)


def text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_one_series_in_document_order_full_then_short() -> None:
    resolved = resolve(
        "# One\n\nFirst [@doe, p. 3]. A note[^x]. Again [@roe; @doe].\n\n"
        "[^x]: Inside a note [@roe, p. 9].\n"
    )
    notes = [text(n.html) for n in resolved.notes]
    assert len(notes) == 3
    assert notes[0] == "Jane Doe, Security Orders: A History (Press, 2020), p. 3."
    # Inside a footnote, a note style's citation is text in parentheses (Pandoc's citeproc).
    assert notes[1] == (
        "Inside a note (Roe, “Ceasefires,” Journal of Peace, March 2021, p. 9, "
        "https://doi.org/10.1/x)."
    )
    assert notes[2] == "Roe, “Ceasefires”; Doe, Security Orders: A History."
    html = resolved.chapters[0].html
    # No space before a call, and the full stop moves in front of it.
    assert "First.\x00n:1\x00" in html
    assert "A note\x00n:2\x00." in html


def test_ibid_for_the_same_source_in_consecutive_notes() -> None:
    resolved = resolve("# One\n\nA [@doe, p. 3]. B [@doe, p. 4]. C [@doe]. D [@doe].\n")
    # CSL: after a note with a locator, one without it is not "Ibid." (it would say the
    # same page); the one after that is.
    assert [text(n.html) for n in resolved.notes][1:] == [
        "Ibid., p. 4.",
        "Doe, Security Orders: A History.",
        "Ibid.",
    ]


def test_in_text_citation_names_the_author_and_adds_a_note() -> None:
    resolved = resolve("# One\n\nAs @roe [p. 2] argues, and @nobody@example.org says.\n")
    html = resolved.chapters[0].html
    assert 'As <span class="citation" data-cites="roe">Roe\x00n:1\x00</span> argues' in html
    assert "@nobody@example.org" in html
    assert text(resolved.notes[0].html) == (
        "“Ceasefires,” Journal of Peace, March 2021, p. 2, https://doi.org/10.1/x."
    )
    messages = [str(d) for d in resolved.diagnostics]
    assert "brief.md:12: warning: '@nobody' is not a citation key; it is printed as text" in (
        messages
    )


def test_numeric_markers_cite_sources_in_file_order() -> None:
    resolved = resolve("# One\n\nClaim [1][2]. Other [2, 1].\n", numeric=True)
    assert len(resolved.notes) == 3
    assert "Claim.\x00n:1\x00\x00n:2\x00" in resolved.chapters[0].html
    assert text(resolved.notes[2].html) == "Ibid.; Doe, Security Orders: A History."
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
