"""EPUB on every fixture: EPUBCheck clean, Ace by DAISY without a violation, notes and
page-list that resolve, accessibility metadata that holds, a second reader."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from benchmarks.generate import write as write_synthetic
from dossier.config import BuildOptions
from dossier.pipeline import build_one

from .ace import ace
from .conftest import FIXTURES, GRADED, NS, SAMPLE, SAMPLE_NOTES, Built, epub_files, epubcheck


@pytest.fixture(scope="module")
def long_dossier(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """About 200 print pages and 1,000 notes (EPUB only: the print layout is the slow part)."""
    folder = tmp_path_factory.mktemp("long")
    source = write_synthetic(folder / "src", "large")
    result = build_one(source, BuildOptions(formats=("epub",), out=folder / "build"))
    assert not result.failed, result.diagnostics
    return source, result.artifacts[0].path


@pytest.fixture(scope="module")
def uk(uk_arabic: Built) -> Path:
    assert not uk_arabic.result.warnings, uk_arabic.result.diagnostics
    return uk_arabic.path("epub")


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Graded sources: grades in the notes and the bibliography, a "Sources by grade" table."""
    folder = tmp_path_factory.mktemp("graded")
    source = folder / "graded.md"
    source.write_text(GRADED)
    result = build_one(source, BuildOptions(formats=("epub",), out=folder / "build"))
    assert not result.failed and not result.warnings, result.diagnostics
    assert b'class="grades"' in epub_files(result.artifacts[0].path)["EPUB/chapter-03.xhtml"]
    return result.artifacts[0].path


@pytest.fixture(scope="module")
def changes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample opened by a "Changes since version 1.0" chapter (``--changes-since``)."""
    folder = tmp_path_factory.mktemp("changes")
    old, new = folder / "old" / "talks", folder / "new" / "talks"
    shutil.copytree(SAMPLE, old)
    shutil.copytree(SAMPLE, new)
    yaml = new / "dossier.yaml"
    text = yaml.read_text().replace('version: "1.0"', 'version: "1.1"')
    # A key point and a player's role too: their lines link to the key points and the players.
    text = text.replace("Russia continues to reject", "Russia still rejects")
    yaml.write_text(text.replace("role: U.S. President", "role: President of the United States"))
    chapter = new / "03-territorial-issues.md"
    chapter.write_text(chapter.read_text() + "\nA new paragraph on maps [2].\n")
    options = BuildOptions(formats=("epub",), out=folder / "build", changes_since=str(old))
    result = build_one(new, options)
    assert not result.failed, result.diagnostics
    first = epub_files(result.artifacts[0].path)["EPUB/chapter-01.xhtml"]
    assert b"Changes since version 1.0" in first
    assert b'href="front.xhtml#key-points"' in first and b'#players"' in first
    return result.artifacts[0].path


@pytest.fixture(scope="module")
def citations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 32 varied BibTeX entries (scripts, DOIs, URLs, archived copies) as one dossier."""
    folder = tmp_path_factory.mktemp("citations")
    source = folder / "src"
    source.mkdir()
    shutil.copy(FIXTURES / "citations" / "references.bib", source)
    shutil.copy(FIXTURES / "citations" / "chapter.md", source / "01.md")
    (source / "dossier.yaml").write_text(
        "title: Sources\ndate: 2025-01-01\nbibliography: references.bib\n"
    )
    result = build_one(source, BuildOptions(formats=("epub",), out=folder / "build"))
    assert not result.failed, result.diagnostics
    return result.artifacts[0].path


def _epub(book: Built | Path | tuple[Path, Path]) -> Path:
    if isinstance(book, Built):
        return book.path("epub")
    return book[1] if isinstance(book, tuple) else book


BOOKS = ["sample", "pandoc_brief", "uk", "long_dossier", "graded", "changes", "citations"]


@pytest.mark.parametrize("name", BOOKS)
def test_ace_reports_no_violation(
    name: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    book = _epub(request.getfixturevalue(name))
    report = ace(book, tmp_path)
    assert report.violations == []
    assert report.raw["earl:result"]["earl:outcome"] == "pass"
    # Ace looked at the package document and at every XHTML document of the book.
    names = {n.removeprefix("EPUB/") for n in epub_files(book) if n.endswith(".xhtml")}
    assert names | {"EPUB/content.opf"} <= report.documents
    assert not report.raw["a11y-metadata"]["empty"]


def test_ace_finds_what_it_should(sample: Built, tmp_path: Path) -> None:
    """The same check fails on a book that lacks what Ace asks for: the sample's notes
    without their ARIA roles give one finding per note call and one per note."""
    import zipfile

    stripped = tmp_path / "stripped.epub"
    with zipfile.ZipFile(sample.path("epub")) as source, zipfile.ZipFile(stripped, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith(".xhtml"):
                data = re.sub(rb' role="doc-(noteref|footnote)"', b"", data)
            out.writestr(info, data)
    report = ace(stripped, tmp_path / "ace")
    assert len(report.violations) == 2 * SAMPLE_NOTES
    assert {
        v.split(" ")[:2] == ["moderate", "epub-type-has-matching-role"] for v in report.violations
    } == {True}


@pytest.mark.parametrize("name", ["graded", "changes", "citations"])
def test_more_shapes_are_valid(name: str, request: pytest.FixtureRequest) -> None:
    _check(request.getfixturevalue(name))


def _check(path: Path) -> None:
    result = epubcheck(path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "ERROR" not in output and "WARNING" not in output, output


def test_long_dossier_is_valid(long_dossier: tuple[Path, Path]) -> None:
    source, epub = long_dossier
    _check(epub)
    # A note per citation the generator wrote, each a footnote of the book.
    written = [*source.glob("*.md"), source / "dossier.yaml"]
    cited = sum(len(re.findall(r"\[@s\d+", p.read_text())) for p in written)
    footnotes = sum(
        len(re.findall(rb'<aside [^>]*epub:type="footnote"', data))
        for name, data in epub_files(epub).items()
        if name.endswith(".xhtml")
    )
    assert footnotes == cited >= 1000


def test_ukrainian_with_arabic_is_valid_and_marks_languages(uk: Path) -> None:
    _check(uk)
    files = epub_files(uk)
    opf = etree.fromstring(files["EPUB/content.opf"])
    assert opf.xpath("//dc:language/text()", namespaces=NS) == ["uk"]
    chapter = etree.fromstring(files["EPUB/chapter-01.xhtml"])
    assert chapter.get("lang") == "uk"
    assert chapter.get("{http://www.w3.org/XML/1998/namespace}lang") == "uk"
    arabic = chapter.xpath("//x:span[@lang='ar']", namespaces=NS)
    assert arabic and arabic[0].get("dir") == "rtl"
    for image in chapter.xpath("//x:img", namespaces=NS):
        assert image.get("alt")
    table = etree.fromstring(files["EPUB/chapter-02.xhtml"])
    assert table.xpath("//x:table/x:thead/x:tr/x:th", namespaces=NS)


def test_page_list_maps_the_print_pages(uk: Path) -> None:
    files = epub_files(uk)
    nav = etree.fromstring(files["EPUB/nav.xhtml"])
    links = nav.xpath("//x:nav[@epub:type='page-list']//x:a", namespaces=NS)
    labels = [a.text for a in links]
    # The fixture is short, a brief: its pages count from 1 on page 1 (the report's i, ii are
    # checked in test_layouts).
    assert labels == [str(n) for n in range(1, len(labels) + 1)]
    for link in links:
        file_name, _, anchor = link.get("href").partition("#")
        document = etree.fromstring(files[f"EPUB/{file_name}"])
        marker = document.xpath(f"//*[@id='{anchor}']")
        assert marker and marker[0].get("{http://www.idpf.org/2007/ops}type") == "pagebreak"
    opf = files["EPUB/content.opf"].decode()
    assert '<meta property="pageBreakSource">' in opf
    assert "pageBreakMarkers" in opf


def test_epub_only_build_has_no_page_list(long_dossier: tuple[Path, Path]) -> None:
    files = epub_files(long_dossier[1])
    assert b"page-list" not in files["EPUB/nav.xhtml"]
    assert b"pageBreakSource" not in files["EPUB/content.opf"]


def test_cover_image_is_drawn_when_none_is_given(sample: Built) -> None:
    files = epub_files(sample.path("epub"))
    assert files["EPUB/cover.png"].startswith(b"\x89PNG")
    opf = files["EPUB/content.opf"].decode()
    assert re.search(r'<item [^>]*properties="cover-image"', opf)
    nav = etree.fromstring(files["EPUB/nav.xhtml"])
    cover = nav.xpath(
        "//x:nav[@epub:type='landmarks']//x:a[@epub:type='cover']/@href", namespaces=NS
    )
    assert cover == ["cover.xhtml"]


def test_a_given_cover_image_is_the_cover(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    shutil.copy(FIXTURES / "uk-arabic" / "assets" / "routes.png", tmp_path / "assets")
    source = tmp_path / "c.md"
    source.write_text("---\ntitle: Covered\ncover-image: assets/routes.png\n---\n\n# A\n\nText.\n")
    result = build_one(source, BuildOptions(formats=("epub",), out=tmp_path / "out"))
    assert not result.failed, result.diagnostics
    files = epub_files(result.artifacts[0].path)
    opf = etree.fromstring(files["EPUB/content.opf"])
    cover = opf.xpath("//opf:item[@properties='cover-image']/@href", namespaces=NS)
    assert cover == ["assets/routes.png"]
    assert files["EPUB/assets/routes.png"] == (tmp_path / "assets" / "routes.png").read_bytes()
    front = etree.fromstring(files["EPUB/front.xhtml"])
    assert front.xpath("//x:img[@class='cover-image']/@src", namespaces=NS) == ["assets/routes.png"]
    _check(result.artifacts[0].path)


def test_media_types_in_the_book_are_dossiers_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cover image's and the pages' media types are given, not guessed by ebooklib with
    ``mimetypes`` (the system's table: a WebP cover was typed by whether it lists WebP)."""
    import mimetypes

    from PIL import Image

    (tmp_path / "assets").mkdir()
    with Image.open(FIXTURES / "uk-arabic" / "assets" / "routes.png") as image:
        image.convert("RGB").save(tmp_path / "assets" / "routes.webp", "WEBP")
    source = tmp_path / "c.md"
    source.write_text("---\ntitle: Covered\ncover-image: assets/routes.webp\n---\n\n# A\n\nText.\n")

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("mimetypes asked")

    for name in ("guess_type", "init"):
        monkeypatch.setattr(mimetypes, name, refused)
    result = build_one(source, BuildOptions(formats=("epub",), out=tmp_path / "out"))
    assert not result.failed, result.diagnostics
    opf = etree.fromstring(epub_files(result.artifacts[0].path)["EPUB/content.opf"])
    types = {i.get("href"): i.get("media-type") for i in opf.xpath("//opf:item", namespaces=NS)}
    assert types["assets/routes.webp"] == "image/webp"
    assert opf.xpath("//opf:item[@properties='cover-image']/@href", namespaces=NS) == [
        "assets/routes.webp"
    ]
    pages = [href for href in types if href.endswith(".xhtml")]
    assert {"cover.xhtml", "front.xhtml", "nav.xhtml"} <= set(pages)
    assert {types[href] for href in pages} == {"application/xhtml+xml"}
    _check(result.artifacts[0].path)


def _a11y(path: Path) -> tuple[etree._Element, dict[str, list[str]]]:
    opf = etree.fromstring(epub_files(path)["EPUB/content.opf"])
    values: dict[str, list[str]] = {}
    for meta in opf.xpath("//opf:meta[starts-with(@property, 'schema:')]", namespaces=NS):
        values.setdefault(meta.get("property").removeprefix("schema:"), []).append(meta.text)
    return opf, values


def test_accessibility_metadata(sample: Built) -> None:
    opf, values = _a11y(sample.path("epub"))
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-GB"
    assert values["accessMode"] == ["textual", "visual"]
    assert values["accessModeSufficient"] == ["textual"]
    # Headings, the nav, spine order, no fixed fonts, alt text on the cover and figures, DPUB
    # ARIA roles, and (built with the PDF) the print pages marked and listed.
    assert set(values["accessibilityFeature"]) == {
        "structuralNavigation",
        "tableOfContents",
        "readingOrder",
        "displayTransformability",
        "alternativeText",
        "ARIA",
        "pageNavigation",
        "pageBreakMarkers",
    }
    assert values["accessibilityHazard"] == ["none"]
    [summary] = values["accessibilitySummary"]
    for claim in (
        "table of contents",
        "footnote",
        "Every image has a text description",
        "Every table has header cells",
        "print edition",
        "Ace by DAISY",
    ):
        assert claim in summary, claim


def test_the_english_summary_of_a_ukrainian_book_says_it_is_english(uk: Path) -> None:
    opf, _ = _a11y(uk)
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "uk"
    summary = opf.xpath("//opf:meta[@property='schema:accessibilitySummary']", namespaces=NS)
    assert summary[0].get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_accessibility_metadata_claims_only_what_holds(tmp_path: Path) -> None:
    """An image without a description, and one that may be animated: no alternativeText, the
    text alone is not enough, and flashing is not ruled out."""
    from PIL import Image

    (tmp_path / "assets").mkdir()
    Image.new("RGB", (8, 8), "red").save(tmp_path / "assets" / "dot.gif", "GIF")
    source = tmp_path / "brief.md"
    source.write_text(
        "---\ntitle: Pictures\ndate: 2025-01-02\n---\n\n# Pictures\n\n"
        "A picture without words, by way of analysis.\n\n![](assets/dot.gif)\n"
    )
    result = build_one(source, BuildOptions(formats=("epub",), out=tmp_path / "out"))
    assert [d.message for d in result.warnings] == [
        "image 'assets/dot.gif' has no description (alt text)"
    ]
    _, values = _a11y(result.artifacts[0].path)
    assert "alternativeText" not in values["accessibilityFeature"]
    assert values["accessModeSufficient"] == ["textual,visual"]
    assert values["accessibilityHazard"] == ["unknownFlashingHazard", "noSoundHazard"]
    [summary] = values["accessibilitySummary"]
    assert "Some images have no text description." in summary
    assert "footnote" not in summary and "table has" not in summary and "print" not in summary


def _pandoc_notes(path: Path) -> tuple[int, dict[str, Any]]:
    assert shutil.which("pandoc"), "pandoc is a test dependency (scripts/setup installs it)"
    command = ["pandoc", "-f", "epub", "-t", "json", str(path)]
    data = json.loads(subprocess.run(command, capture_output=True, check=True, timeout=120).stdout)
    count = 0

    def walk(node: Any) -> None:
        nonlocal count
        if isinstance(node, dict):
            count += node.get("t") == "Note"
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(data["blocks"])
    return count, data["meta"]


def test_a_second_reader_sees_every_note_and_the_metadata(sample: Built) -> None:
    notes, meta = _pandoc_notes(sample.path("epub"))
    assert notes == SAMPLE_NOTES
    assert meta["language"]["c"][0]["c"] == "en-GB"
    assert "subject" in meta and "title" in meta
