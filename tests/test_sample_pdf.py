"""The sample's print PDF: real page-bottom footnotes, links both ways, outline, metadata."""

from __future__ import annotations

import subprocess

import pypdf
import pytest

from .conftest import (
    SAMPLE_CHAPTERS,
    SAMPLE_KEYWORDS,
    SAMPLE_NOTES,
    SAMPLE_TITLE,
    Built,
    sample_markers,
)
from .pdflines import running_heads


@pytest.fixture(scope="module")
def reader(sample: Built) -> pypdf.PdfReader:
    return pypdf.PdfReader(sample.path("pdf"))


def _links(reader: pypdf.PdfReader) -> dict[str, int]:
    """Internal link target name -> page index of the link (first occurrence)."""
    found: dict[str, int] = {}
    for index, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or []:
            dest = annotation.get_object().get("/Dest")
            if dest is not None:
                found.setdefault(str(dest), index)
    return found


def test_the_sample_writes_as_many_markers_as_the_tests_expect_notes() -> None:
    assert sample_markers() == SAMPLE_NOTES


def test_every_citation_marker_is_a_footnote_on_its_calls_page(
    sample: Built, reader: pypdf.PdfReader
) -> None:
    assert sample.result.warnings == ()
    destinations = {
        name: reader.get_destination_page_number(dest)
        for name, dest in reader.named_destinations.items()
    }
    links = _links(reader)
    for n in range(1, SAMPLE_NOTES + 1):
        assert f"fn-{n}" in destinations, f"note {n} has no destination"
        assert f"fnref-{n}" in destinations, f"call {n} has no destination"
        # The call links to the note, the note links back to the call, on one page.
        assert links[f"fn-{n}"] == destinations[f"fnref-{n}"]
        assert links[f"fnref-{n}"] == destinations[f"fn-{n}"]
        assert destinations[f"fn-{n}"] == destinations[f"fnref-{n}"], f"note {n} moved"
    assert f"fn-{SAMPLE_NOTES + 1}" not in destinations


def test_notes_sit_at_the_bottom_of_the_page(sample: Built, reader: pypdf.PdfReader) -> None:
    text = subprocess.run(
        ["pdftotext", "-layout", str(sample.path("pdf")), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pages = text.split("\f")
    page = next(p for p in pages if "Security Guarantees" in p and "not named" in p)
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    body_end = max(i for i, line in enumerate(lines) if "NATO" in line and "Source" not in line)
    note_lines = [i for i, line in enumerate(lines) if "not named in the original report" in line]
    assert note_lines and min(note_lines) > body_end


def test_outline_has_every_chapter(sample: Built, reader: pypdf.PdfReader) -> None:
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    for heading in SAMPLE_CHAPTERS:
        assert heading in titles
    assert "Sources" in titles


def test_metadata_comes_from_the_dossier(reader: pypdf.PdfReader) -> None:
    info = reader.metadata
    assert info is not None
    assert info.title == SAMPLE_TITLE
    assert info["/CreationDate"].startswith("D:20250901")
    assert info["/ModDate"] == info["/CreationDate"]
    for keyword in SAMPLE_KEYWORDS:
        assert keyword in info["/Keywords"]
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in reader.trailer["/Root"]


def test_fonts_are_embedded_from_the_theme(sample: Built) -> None:
    output = subprocess.run(
        ["pdffonts", str(sample.path("pdf"))], capture_output=True, text=True, check=True
    ).stdout
    rows = output.splitlines()[2:]
    assert rows
    for row in rows:
        name, embedded = row.split()[0], row.split()[-5]
        assert "Dossier" in name, row
        assert embedded == "yes", row


def test_running_heads_and_page_numbers(sample: Built, reader: pypdf.PdfReader) -> None:
    # The sample is short, so it is a brief: page 1 is page 1, and its title band stands in
    # for the running heads there.
    pages = len(reader.pages)
    title = SAMPLE_TITLE
    titles = [*SAMPLE_CHAPTERS, "Sources"]
    for number, page in enumerate(reader.pages, 1):
        assert f"Page {number} of {pages}" in page.extract_text()
        heads = " ".join(" ".join(running_heads(page)).split())
        assert "PUBLIC" in heads  # the classification on every page
        if number == 1:
            assert title not in heads  # the title band, not a running head
            continue
        assert title in heads
        assert any(heads.endswith(t) for t in titles), heads  # the running head's chapter


def test_running_heads_and_page_numbers_in_the_report(sample_report: Built) -> None:
    reader = pypdf.PdfReader(sample_report.path("pdf"))
    front = 2  # cover, then key points and contents on page ii
    body_pages = len(reader.pages) - front
    last = reader.pages[-1].extract_text()
    assert f"Page {body_pages} of {body_pages}" in last
    assert SAMPLE_TITLE in last
    assert "PUBLIC" in last  # the classification on every page
    first_body = reader.pages[front].extract_text()
    assert f"Page 1 of {body_pages}" in first_body
    assert "Overview" in first_body  # the running head names the chapter
