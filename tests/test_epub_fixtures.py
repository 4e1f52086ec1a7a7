"""EPUB on every fixture: EPUBCheck clean, notes and page-list that resolve, a second reader."""

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
from dossier.pipeline import build_one, prepare

from .conftest import FIXTURES, SAMPLE, Built, epub_files, epubcheck

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}  # fmt: skip


@pytest.fixture(scope="module")
def long_dossier(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """About 200 print pages and 1,000 notes (EPUB only: the print layout is the slow part)."""
    folder = tmp_path_factory.mktemp("long")
    source = write_synthetic(folder / "src", "large")
    result = build_one(source, BuildOptions(formats=("epub",), out=folder / "build"))
    assert not result.failed, result.diagnostics
    return source, result.artifacts[0].path


@pytest.fixture(scope="module")
def uk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("uk-epub")
    result = build_one(FIXTURES / "uk-arabic", BuildOptions(formats=("pdf", "epub"), out=folder))
    assert not result.failed and not result.warnings, result.diagnostics
    return result.artifacts[1].path


def _check(path: Path) -> None:
    result = epubcheck(path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "ERROR" not in output and "WARNING" not in output, output


def test_long_dossier_is_valid(long_dossier: tuple[Path, Path]) -> None:
    source, epub = long_dossier
    assert len(prepare(source).notes) >= 1000
    _check(epub)


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
    assert "printPageNumbers" in opf


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
    cover = nav.xpath("//x:nav[@epub:type='landmarks']//x:a[@epub:type='cover']/@href",
                      namespaces=NS)  # fmt: skip
    assert cover == ["cover.xhtml"]


def test_accessibility_metadata(sample: Built) -> None:
    opf = etree.fromstring(epub_files(sample.path("epub"))["EPUB/content.opf"])

    def values(name: str) -> list[str]:
        return opf.xpath(f"//opf:meta[@property='schema:{name}']/text()", namespaces=NS)

    assert set(values("accessMode")) == {"textual", "visual"}
    assert values("accessModeSufficient") == ["textual"]
    assert {"structuralNavigation", "tableOfContents", "alternativeText"} <= set(
        values("accessibilityFeature")
    )
    assert values("accessibilityHazard") == ["none"]
    assert values("accessibilitySummary")


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
    assert notes == len(prepare(SAMPLE).notes)
    assert meta["language"]["c"][0]["c"] == "en-GB"
    assert "subject" in meta and "title" in meta
