"""The sample's EPUB: valid under EPUBCheck 5, pop-up footnotes, navigation, metadata."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from .conftest import (
    NS,
    SAMPLE_CHAPTERS,
    SAMPLE_KEYWORDS,
    SAMPLE_NOTES,
    SAMPLE_TITLE,
    Built,
    epub_files,
    epubcheck,
)

EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


@pytest.fixture(scope="module")
def files(sample: Built) -> dict[str, bytes]:
    return epub_files(sample.path("epub"))


def _documents(files: dict[str, bytes]) -> dict[str, etree._Element]:
    return {
        name: etree.fromstring(data)
        for name, data in files.items()
        if name.endswith(".xhtml") and not name.endswith("nav.xhtml")
    }


def test_epubcheck_reports_nothing(sample: Built) -> None:
    result = epubcheck(sample.path("epub"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ERROR" not in result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr


def test_mimetype_first_and_stored(files: dict[str, bytes], sample: Built) -> None:
    import zipfile

    with zipfile.ZipFile(sample.path("epub")) as archive:
        first = archive.infolist()[0]
    assert first.filename == "mimetype"
    assert first.compress_type == zipfile.ZIP_STORED
    assert files["mimetype"] == b"application/epub+zip"


def test_noterefs_point_to_footnotes_in_the_same_file(files: dict[str, bytes]) -> None:
    seen = []
    for name, root in _documents(files).items():
        for ref in root.iter("{http://www.w3.org/1999/xhtml}a"):
            if ref.get(EPUB_TYPE) != "noteref":
                continue
            assert ref.getparent().tag == "{http://www.w3.org/1999/xhtml}sup", name
            target = ref.get("href")
            assert target.startswith("#fn-"), (name, target)
            number = int(target[4:])
            asides = root.xpath(f"//x:aside[@id='fn-{number}']", namespaces=NS)
            assert len(asides) == 1, (name, number)
            aside = asides[0]
            assert aside.get(EPUB_TYPE) == "footnote"
            assert aside.get("role") == "doc-footnote"
            first_link = aside.xpath(".//x:a", namespaces=NS)[0]
            assert first_link.get("href") == f"#fnref-{number}", "backlink must come first"
            assert ref.get("id") == f"fnref-{number}"
            seen.append(number)
    assert sorted(seen) == list(range(1, len(seen) + 1))
    assert len(seen) == SAMPLE_NOTES


def test_notes_count_matches_pdf(files: dict[str, bytes], sample: Built) -> None:
    html = sample.path("html").read_text(encoding="utf-8")
    pdf_notes = len(re.findall(r'class="footnote" id="fn-\d+"', html))
    epub_notes = sum(
        len(root.xpath("//x:aside[@epub:type='footnote']", namespaces=NS))
        for root in _documents(files).values()
    )
    assert pdf_notes == epub_notes == SAMPLE_NOTES


def test_one_file_per_chapter_and_navigation(files: dict[str, bytes]) -> None:
    nav = etree.fromstring(files["EPUB/nav.xhtml"])
    toc_titles = [a.text for a in nav.xpath("//x:nav[@epub:type='toc']//x:a", namespaces=NS)]
    for title in SAMPLE_CHAPTERS:
        assert title in toc_titles
    landmarks = nav.xpath("//x:nav[@epub:type='landmarks']//x:a/@epub:type", namespaces=NS)
    assert {"cover", "toc", "bodymatter", "bibliography"} <= set(landmarks)
    chapter_files = [n for n in files if re.match(r"EPUB/chapter-\d\d\.xhtml$", n)]
    assert len(chapter_files) >= len(SAMPLE_CHAPTERS)
    ncx = etree.fromstring(files["EPUB/toc.ncx"])
    assert len(ncx.xpath("//ncx:navPoint", namespaces=NS)) >= len(SAMPLE_CHAPTERS)
    # Every internal link resolves to an id in the file it names.
    ids = {
        name.removeprefix("EPUB/"): set(root.xpath("//@id"))
        for name, root in _documents(files).items()
    }
    for name, root in _documents(files).items():
        for href in root.xpath("//x:a/@href", namespaces=NS):
            if href.startswith("http"):
                continue
            file_part, _, anchor = href.partition("#")
            target = file_part or name.removeprefix("EPUB/")
            assert target in ids, (name, href)
            assert not anchor or anchor in ids[target], (name, href)


def test_metadata(files: dict[str, bytes]) -> None:
    opf = etree.fromstring(files["EPUB/content.opf"])
    assert opf.xpath("//dc:title/text()", namespaces=NS)[0] == SAMPLE_TITLE
    assert opf.xpath("//dc:language/text()", namespaces=NS) == ["en-GB"]
    assert set(opf.xpath("//dc:subject/text()", namespaces=NS)) == set(SAMPLE_KEYWORDS)
    assert opf.xpath("//dc:date/text()", namespaces=NS) == ["2025-09-01"]
    modified = opf.xpath("//opf:meta[@property='dcterms:modified']/text()", namespaces=NS)
    assert modified == ["2025-09-01T00:00:00Z"]
    identifier = opf.xpath("//dc:identifier/text()", namespaces=NS)[0]
    assert identifier.startswith("urn:uuid:")
