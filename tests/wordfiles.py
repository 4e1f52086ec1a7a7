"""Reading Word files in the tests: footnotes in the order Word numbers them, paragraphs with
their styles, tables, and LibreOffice's own rendering of the file."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(name), etree.XMLParser(huge_tree=True))


def text(node: etree._Element) -> str:
    return " ".join("".join(t.text or "" for t in node.iter(f"{W}t")).split())


def footnotes(path: Path) -> list[str]:
    """The text of every footnote, in the order of their calls in the body: the order Word
    numbers them in."""
    notes = {n.get(f"{W}id"): n for n in part(path, "word/footnotes.xml").iter(f"{W}footnote")}
    calls = part(path, "word/document.xml").iter(f"{W}footnoteReference")
    return [text(notes[call.get(f"{W}id")]) for call in calls]


def paragraphs(path: Path) -> list[tuple[str, str]]:
    """(style id, text) of every paragraph of the body, tables included."""
    body = part(path, "word/document.xml")
    found = []
    for paragraph in body.iter(f"{W}p"):
        style = paragraph.find(f"{W}pPr/{W}pStyle")
        found.append((style.get(f"{W}val") if style is not None else "", text(paragraph)))
    return found


def listed(path: Path) -> list[str]:
    """The text of every list item's paragraph (Word lists are numbered paragraphs)."""
    body = part(path, "word/document.xml")
    return [text(p) for p in body.iter(f"{W}p") if p.find(f"{W}pPr/{W}numPr") is not None]


def tables(path: Path) -> list[list[list[str]]]:
    """Each table as rows of cell texts; a header row first, marked ``*`` in its first cell."""
    found = []
    for table in part(path, "word/document.xml").iter(f"{W}tbl"):
        rows = []
        for row in table.iter(f"{W}tr"):
            cells = [text(c) for c in row.iter(f"{W}tc")]
            if row.find(f"{W}trPr/{W}tblHeader") is not None:
                cells[0] = "*" + cells[0]
            rows.append(cells)
        found.append(rows)
    return found


def soffice() -> str:
    found = shutil.which("soffice")
    assert found, (
        "LibreOffice is a test dependency (scripts/setup installs libreoffice-writer-nogui)"
    )
    return found


def libreoffice_pdf(path: Path, work: Path) -> Path:
    """``path`` opened by LibreOffice (headless, with a profile of its own) and printed to PDF."""
    profile = (work / "lo-profile").resolve().as_uri()
    out = work / "lo-out"
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    printed = out / f"{path.stem}.pdf"
    assert printed.is_file(), f"LibreOffice did not convert {path.name}"
    return printed


def pdf_text(path: Path) -> str:
    """The PDF's text as poppler's ``pdftotext`` reads it (scripts/setup installs it)."""
    found = shutil.which("pdftotext")
    assert found, "poppler-utils is a test dependency (scripts/setup installs it)"
    done = subprocess.run([found, str(path), "-"], check=True, capture_output=True, timeout=60)
    return done.stdout.decode("utf-8")
