"""The two print layouts: a short dossier reads like a brief (a title band and the key points
on page 1, sections that flow), a long one like a report (cover, front matter, chapters on
new pages); ``auto`` chooses by size, ``--layout`` and ``layout:`` choose outright."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest
from lxml import etree
from typer.testing import CliRunner

from benchmarks.generate import write as write_synthetic
from dossier import Chapter, Dossier
from dossier.cli import app
from dossier.config import BuildOptions
from dossier.pipeline import build_one, prepare
from dossier.render.documents import render
from dossier.render.layouts import choose
from dossier.render.themes import load_theme
from dossier.writers.pdf import parts as pdf_parts

from .conftest import (
    FIXTURES,
    NS,
    SAMPLE_KEYWORDS,
    SAMPLE_NOTES,
    SAMPLE_SUBTITLE,
    SAMPLE_TITLE,
    Built,
    epub_files,
)
from .pdflines import TOP_MARGIN, body_lines, fullness, lines


def _destinations(path: Path) -> dict[str, tuple[int, float]]:
    """Each named destination's page index and its top (points from the top of the page)."""
    reader = pypdf.PdfReader(path)
    found = {}
    for name, dest in reader.named_destinations.items():
        page = reader.get_destination_page_number(dest)
        height = float(reader.pages[page].mediabox.height)
        found[name] = (page, height - float(dest.top or 0))
    return found


def _words(text: str) -> str:
    return " ".join(text.split())


def _chapter_ids(html: Path) -> list[str]:
    pattern = r'<section class="chapter[^"]*"[^>]*>\s*<h1 [^>]*id="([^"]+)"'
    return re.findall(pattern, html.read_text())


# ---- the sample, a brief ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def brief(sample: Built) -> pypdf.PdfReader:
    return pypdf.PdfReader(sample.path("pdf"))


def test_the_sample_is_a_brief_of_at_most_four_full_pages(
    sample: Built, brief: pypdf.PdfReader
) -> None:
    assert 'class="paper-a4 layout-brief"' in sample.path("html").read_text()
    assert sample.result.warnings == ()
    assert 2 <= len(brief.pages) <= 4
    for number, page in enumerate(brief.pages[:-1], 1):
        assert fullness(page) >= 0.5, f"page {number} is {fullness(page):.0%} full"


def test_page_one_holds_the_title_band_and_the_key_points(brief: pypdf.PdfReader) -> None:
    first = _words(brief.pages[0].extract_text())
    for text in (SAMPLE_TITLE, SAMPLE_SUBTITLE, "PUBLIC", "1 September 2025", "1.0"):
        assert text in first, text
    for keyword in SAMPLE_KEYWORDS:
        assert keyword in first, keyword
    assert "KEY POINTS" in first
    # The openings of the six key points in dossier.yaml.
    for opening in (
        "Russia demands that any peace agreement",
        "The territorial disputes remain a major",
        "Russia continues to reject immediate",
        "European countries have proposed a",
        "Lifting sanctions on Russia is part of",
        "Without substantial concessions from",
    ):
        assert _words(opening) in first, opening
    # The title is the page's largest text, above the key points.
    sizes = {ln.text: ln.size for ln in lines(brief.pages[0])}
    assert max(sizes, key=lambda t: sizes[t]).startswith("Russia resists")
    assert "Contents" not in _words(" ".join(p.extract_text() for p in brief.pages))


def test_sections_flow_and_no_heading_is_left_at_a_page_foot(sample: Built) -> None:
    pdf, html = sample.path("pdf"), sample.path("html")
    destinations = _destinations(pdf)
    chapters = _chapter_ids(html)
    assert len(chapters) >= 8
    pages = [destinations[c][0] for c in chapters]
    assert len(set(pages)) < len(pages)  # several sections share a page
    _no_heading_alone_at_a_foot(pdf, html)


def _no_heading_alone_at_a_foot(pdf: Path, html: Path) -> None:
    """Every heading has body text below it on its page."""
    destinations = _destinations(pdf)
    reader = pypdf.PdfReader(pdf)
    headings = re.findall(r'<h[12] [^>]*id="([^"]+)"', html.read_text())
    assert headings
    for name in headings:
        page, top = destinations[name]
        below = [ln for ln in body_lines(reader.pages[page]) if ln.y > top + 30]
        assert below, f"heading {name} stands alone at the foot of page {page + 1}"


def test_bookmarks_stay_without_a_contents_page(sample: Built, brief: pypdf.PdfReader) -> None:
    titles = [item.title for item in brief.outline if not isinstance(item, list)]
    assert titles[0] == "Key points"
    for name in ("Overview", "Security Guarantees", "Outlook", "Sources"):
        assert name in titles
    assert "contents" not in _destinations(sample.path("pdf"))


def test_every_note_is_on_its_calls_page(sample: Built) -> None:
    destinations = _destinations(sample.path("pdf"))
    notes = [n for n in destinations if n.startswith("fn-")]
    assert len(notes) == SAMPLE_NOTES
    for note in notes:
        assert destinations[note][0] == destinations["fnref-" + note[3:]][0], note


def _page_list(epub: Path) -> list[tuple[str, str]]:
    files = epub_files(epub)
    nav = etree.fromstring(files["EPUB/nav.xhtml"])
    links = nav.xpath("//x:nav[@epub:type='page-list']//x:a", namespaces=NS)
    found = []
    for link in links:
        file_name, _, anchor = link.get("href").partition("#")
        document = etree.fromstring(files[f"EPUB/{file_name}"])
        marker = document.xpath(f"//*[@id='{anchor}']")
        assert marker and marker[0].get("{http://www.idpf.org/2007/ops}type") == "pagebreak"
        found.append((link.text, file_name))
    return found


def test_the_epub_page_list_follows_the_brief(sample: Built, brief: pypdf.PdfReader) -> None:
    pages = _page_list(sample.path("epub"))
    assert [label for label, _ in pages] == [str(n) for n in range(1, len(brief.pages) + 1)]
    # Page 1 holds the key points, which the EPUB has at its start.
    assert pages[0][1] == "front.xhtml"


# ---- the sample as a report ------------------------------------------------------------------


def test_layout_report_on_the_sample_gives_the_cover(sample_report: Built) -> None:
    pdf = sample_report.path("pdf")
    reader = pypdf.PdfReader(pdf)
    assert 'layout-report"' in sample_report.path("html").read_text()
    assert sample_report.result.warnings == ()
    cover = _words(reader.pages[0].extract_text())
    assert SAMPLE_TITLE in cover and SAMPLE_SUBTITLE in cover and "PUBLIC" in cover
    assert "Key points" not in cover and "Page" not in cover  # a page of its own
    destinations = _destinations(pdf)
    assert destinations["key-points"][0] == destinations["contents"][0] == 1
    chapters = _chapter_ids(sample_report.path("html"))
    pages = [destinations[c][0] for c in chapters]
    assert pages[0] == 2 and pages == sorted(set(pages))  # each chapter on a new page
    for name in chapters:
        assert destinations[name][1] < TOP_MARGIN + 30  # at the top of its page
    labels = [label for label, _ in _page_list(sample_report.path("epub"))]
    assert labels == ["i", "ii", *(str(n) for n in range(1, len(reader.pages) - 1))]


# ---- choosing ----------------------------------------------------------------------------------


def _dossier(words: int, notes: int = 0, tables: int = 0, **meta: str) -> Dossier:
    body = " ".join(["word"] * (words - 1 - notes))
    body += "".join(f" claim^[Note {n}.]" for n in range(notes))
    body += "".join("\n\n| a | b |\n|---|---|\n| c | d |\n" for _ in range(tables))
    return Dossier(title="Size", chapters=[Chapter(f"# One\n\n{body}\n")], **meta)


def test_auto_is_the_brief_up_to_the_documented_size() -> None:
    # README: brief when at most 3,000 words, 100 notes and 4 tables; else report.
    def layout(dossier: Dossier) -> str:
        return choose(prepare(dossier))

    assert layout(_dossier(3000)) == "brief"
    assert layout(_dossier(3001)) == "report"
    assert layout(_dossier(2000, notes=100)) == "brief"
    assert layout(_dossier(2000, notes=101)) == "report"
    assert layout(_dossier(1000, tables=4)) == "brief"
    assert layout(_dossier(1000, tables=5)) == "report"
    assert layout(_dossier(3001, layout="brief")) == "brief"
    assert layout(_dossier(100, layout="report")) == "report"
    assert choose(prepare(_dossier(100, layout="report")), "brief") == "brief"  # --layout wins


def test_layout_in_the_metadata_and_on_the_command_line(tmp_path: Path) -> None:
    source = tmp_path / "short.md"
    source.write_text("---\ntitle: Short\nlayout: report\n---\n\n# One\n\nText.\n")
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(source), "-f", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out / "short" / "short.html"
    assert "layout-report" in html.read_text()
    again = ["build", str(source), "-f", "html", "-o", str(out), "--layout", "brief"]
    result = runner.invoke(app, again)
    assert result.exit_code == 0, result.output
    assert "layout-brief" in html.read_text()  # rebuilt: the option is part of the inputs
    bad = runner.invoke(app, [*again[:-1], "tiny"])
    assert bad.exit_code == 2
    source.write_text("---\ntitle: Short\nlayout: tiny\n---\n\n# One\n\nText.\n")
    result = runner.invoke(app, ["check", str(source)])
    assert result.exit_code == 1
    assert f"{source}:3: error: 'layout' is 'brief', 'report' or 'auto'" in result.output


def test_a_theme_overrides_either_layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "short.md"
    source.write_text("---\ntitle: Short\n---\n\n# One\n\nText.\n")
    templates = tmp_path / "styles" / "default" / "templates"
    templates.mkdir(parents=True)
    builtin = Path(__file__).parent.parent / "dossier" / "render" / "templates"
    band = (builtin / "title-band.html.j2").read_text()
    (templates / "title-band.html.j2").write_text(
        band.replace('<div class="band">', '<div class="band">\n<p>House brief</p>')
    )
    report = (builtin / "print-report.html.j2").read_text()
    (templates / "print-report.html.j2").write_text(
        report.replace('<main class="body">', '<main class="body">\n<p>House report</p>')
    )
    monkeypatch.chdir(tmp_path)
    resolved = prepare(source)
    theme = load_theme("default")
    as_brief = render(resolved, theme).print_html
    as_report = render(resolved, theme, "report").print_html
    assert "House brief" in as_brief and "House report" not in as_brief
    assert "House report" in as_report and "House brief" not in as_report


# ---- long dossiers ---------------------------------------------------------------------------

PREAMBLE = "A foreword written before the first heading, which opens the report."


@pytest.fixture(scope="module")
def long_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The benchmarks' medium dossier (about 30 pages, 200 notes), with a preamble."""
    folder = tmp_path_factory.mktemp("long")
    source = write_synthetic(folder / "src", "medium")
    (source / "00-foreword.md").write_text(f"{PREAMBLE}\n")
    return source


def test_a_long_report_keeps_chapters_on_new_pages(long_source: Path, tmp_path: Path) -> None:
    options = BuildOptions(formats=("pdf", "html"), out=tmp_path, jobs=2)
    result = build_one(long_source, options)
    assert not result.failed and result.warnings == (), result.diagnostics
    pdf = next(a for a in result.artifacts if a.format == "pdf")
    html = next(a for a in result.artifacts if a.format == "html").path
    assert "layout-report" in html.read_text()
    assert pdf.layout_hints  # laid out in parallel parts, as before
    destinations = _destinations(pdf.path)
    chapters = _chapter_ids(html)
    pages = [destinations[c][0] for c in chapters]
    assert len(chapters) == 9 and pages == sorted(set(pages))
    for name in chapters:
        assert destinations[name][1] < TOP_MARGIN + 30, name
    # The preamble shares page ii with the key points instead of standing alone.
    reader = pypdf.PdfReader(pdf.path)
    key_points = destinations["key-points"][0]
    assert PREAMBLE in _words(reader.pages[key_points].extract_text())
    assert destinations["contents"][0] == key_points
    assert all(PREAMBLE not in _words(p.extract_text()) for p in reader.pages[key_points + 1 :])


def test_layout_brief_on_a_long_dossier(long_source: Path, tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(long_source, source)
    meta = source / "dossier.yaml"
    meta.write_text(meta.read_text() + "layout: brief\n")
    resolved = prepare(source)
    theme = load_theme("default")
    assert pdf_parts.plan(render(resolved, theme, "report"), theme, BuildOptions()) is not None
    assert pdf_parts.plan(render(resolved, theme), theme, BuildOptions()) is None  # one pass
    result = build_one(source, BuildOptions(formats=("pdf", "html"), out=tmp_path / "out"))
    assert not result.failed and result.warnings == (), result.diagnostics
    pdf = next(a for a in result.artifacts if a.format == "pdf")
    assert pdf.layout_hints == ()  # one pass records no guesses for parts
    destinations = _destinations(pdf.path)
    notes = [n for n in destinations if n.startswith("fn-")]
    # One note per citation the generator wrote: in the chapters, the tables, the figure's
    # caption and the key point.
    written = [*source.glob("*.md"), source / "dossier.yaml"]
    cited = sum(len(re.findall(r"\[@s\d+", p.read_text())) for p in written)
    assert len(notes) == cited > 150
    for note in notes:
        assert destinations[note][0] == destinations["fnref-" + note[3:]][0], note
    reader = pypdf.PdfReader(pdf.path)
    assert len(reader.pages) > 15
    for number, page in enumerate(reader.pages[:-1], 1):
        assert fullness(page) >= 0.5, f"page {number} is {fullness(page):.0%} full"
        assert f"Page {number} of {len(reader.pages)}" in page.extract_text()
    first = _words(reader.pages[0].extract_text())
    assert "Synthetic medium briefing" in first and "KEY POINTS" in first
    assert PREAMBLE in first  # the preamble follows the key points in the flow
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert [f"Chapter {n}" for n in range(1, 9)] == [t for t in titles if t.startswith("Chap")]
    _no_heading_alone_at_a_foot(
        pdf.path, next(a for a in result.artifacts if a.format == "html").path
    )


def test_the_brief_prints_the_cover_image_in_its_title_band(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    shutil.copy(FIXTURES / "uk-arabic" / "assets" / "routes.png", tmp_path / "assets")
    source = tmp_path / "m.md"
    source.write_text(
        "---\ntitle: With a cover image\ncover-image: assets/routes.png\nmirror-margins: true\n"
        "---\n\n# One\n\nText.\n"
    )
    result = build_one(source, BuildOptions(formats=("pdf",), out=tmp_path / "out"))
    assert not result.failed and result.warnings == (), result.diagnostics
    listing = subprocess.run(
        ["pdfimages", "-list", "-f", "1", "-l", "1", str(result.artifacts[0].path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "240   120" in listing  # the image, on page 1 of the brief
