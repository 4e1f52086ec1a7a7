"""Print layout beyond the sample: scripts, per-passage direction, notes in tables, long notes."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pypdf
import pytest

from .conftest import FIXTURES, Built, _build


@pytest.fixture
def uk(uk_arabic: Built) -> Built:
    """Ukrainian dossier with Arabic and Greek passages, a long table and an over-long note
    (the session's one build of it, ``conftest.uk_arabic``)."""
    return uk_arabic


def pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def destinations(path: Path) -> dict[str, int]:
    reader = pypdf.PdfReader(path)
    return {k: reader.get_destination_page_number(v) for k, v in reader.named_destinations.items()}


def test_builds_without_warnings(uk: Built) -> None:
    assert uk.result.warnings == ()


def test_cyrillic_arabic_and_greek_text_is_extracted_intact(uk: Built) -> None:
    text = " ".join(pdftotext(uk.path("pdf")).split())
    assert "Переговори про безпеку в Чорноморському регіоні" in text
    assert "الأمن البحري مسؤولية مشتركة" in text
    assert "Ασφάλεια στη Μαύρη Θάλασσα" in text
    html = uk.path("html").read_text(encoding="utf-8")
    assert '<span lang="ar" dir="rtl">«الأمن البحري مسؤولية مشتركة»</span>' in html
    assert '<html lang="uk" dir="ltr">' in html


def test_every_glyph_comes_from_embedded_theme_fonts(uk: Built) -> None:
    rows = subprocess.run(
        ["pdffonts", str(uk.path("pdf"))], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    names = {row.split()[0].split("+")[-1] for row in rows}
    assert "Dossier-Arabic" in names
    assert all(name.startswith("Dossier") for name in names), names
    assert all(row.split()[-5] == "yes" for row in rows)


def test_notes_in_a_table_that_breaks_across_pages(uk: Built) -> None:
    pages = destinations(uk.path("pdf"))
    html = uk.path("html").read_text(encoding="utf-8")
    calls = r'<td[^>]*>[^<]*<a class="fnref" id="fnref-(\d+)"'
    in_table = [int(n) for n in re.findall(calls, html)]
    assert len(in_table) == 24
    assert {pages[f"fn-{n}"] for n in in_table} != {pages[f"fn-{in_table[0]}"]}  # table breaks
    for n in in_table:
        assert pages[f"fn-{n}"] == pages[f"fnref-{n}"], n
    text = pdftotext(uk.path("pdf")).split("\f")
    header_pages = [i for i, page in enumerate(text) if "Маршрут Частка Джерело" in " ".join(
        page.split())]  # fmt: skip
    assert len(header_pages) >= 2, "the header row repeats on every page of the table"


def test_over_long_note_moves_to_the_end_with_a_pointer(uk: Built) -> None:
    pages = destinations(uk.path("pdf"))
    html = uk.path("html").read_text(encoding="utf-8")
    number = int(re.search(r'href="#en-(\d+)"', html).group(1))  # type: ignore[union-attr]
    assert pages[f"fn-{number}"] == pages[f"fnref-{number}"]
    assert pages[f"en-{number}"] > pages[f"fnref-{number}"]
    text = pdftotext(uk.path("pdf"), "-layout")
    pointer_page = " ".join(text.split("\f")[pages[f"fn-{number}"]].split())
    assert f"{number} Повний текст примітки наведено в кінці, сторінка" in pointer_page
    full = " ".join(text.split("\f")[pages[f"en-{number}"]].split())
    assert full.count("Це дуже довга примітка") >= 10


def test_front_matter_in_roman_numbers_body_from_one(tmp_path: Path) -> None:
    # The fixture is short (a brief, numbered from 1 on page 1): front matter is the report's.
    uk = _build(FIXTURES / "uk-arabic", tmp_path, layout="report")
    pages = pdftotext(uk.path("pdf"), "-layout").split("\f")
    assert pages[1].split()[-1] == "ii"
    body = [p for p in pages if "Сторінка" in p]
    total = len(body)
    assert f"Сторінка 1 з {total}" in " ".join(body[0].split())
    assert f"Сторінка {total} з {total}" in " ".join(body[-1].split())
