"""Themes layer by file name; PDF variants; small print features that a theme relies on."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest

from dossier.config import BuildOptions
from dossier.pipeline import build_one

from .conftest import SAMPLE, Built


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(SAMPLE, tmp_path / "sources" / SAMPLE.name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_user_styles_layer_over_the_builtin_theme(project: Path) -> None:
    styles = project / "styles" / "default"
    (styles / "templates").mkdir(parents=True)
    (styles / "custom.css").write_text(
        ":root { --accent: #0b6e4f; }\n"
        "@page { @top-left { content: url(logo.svg) ' ' string(doc-title); } }\n"
    )
    (styles / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="20" '
        'height="10" fill="#0b6e4f"/></svg>'
    )
    builtin = SAMPLE.parent.parent / "dossier" / "render" / "templates"
    cover = (builtin / "cover.html.j2").read_text()
    (styles / "templates" / "cover.html.j2").write_text(
        cover.replace(
            '<h1 class="title">', '<p class="house-mark">House edition</p>\n<h1 class="title">'
        )
    )
    # The cover is the report's (the brief's title band is checked in test_layouts).
    options = BuildOptions(formats=("pdf", "html"), layout="report")
    result = build_one(Path("sources") / SAMPLE.name, options)
    assert result.warnings == ()
    html = (project / "build" / SAMPLE.name / f"{SAMPLE.name}.html").read_text()
    assert '<link rel="stylesheet" href="_theme/custom.css">' in html
    assert "House edition" in html
    assert (project / "build" / SAMPLE.name / "_theme" / "logo.svg").is_file()
    text = pypdf.PdfReader(project / "build" / SAMPLE.name / f"{SAMPLE.name}.pdf").pages[0]
    assert "House edition" in text.extract_text()


def test_pdf_a_variant(project: Path) -> None:
    options = BuildOptions(formats=("pdf",), pdf_variant="pdf/a-3u")
    result = build_one(Path("sources") / SAMPLE.name, options)
    reader = pypdf.PdfReader(result.artifacts[0].path)
    assert "/OutputIntents" in reader.trailer["/Root"]
    assert "pdfaid" in reader.xmp_metadata.rdf_root.toxml()  # type: ignore[union-attr]


def test_raster_and_svg_figures_are_embedded(uk_arabic: Built, tmp_path: Path) -> None:
    listing = subprocess.run(
        ["pdfimages", "-list", str(uk_arabic.path("pdf"))],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "240   120" in listing  # the PNG figure, at its own resolution
    # An SVG is drawn as vectors: its fill, a colour no theme uses, is in the page's drawing.
    (tmp_path / "mark.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="90" height="60">'
        '<rect width="90" height="60" fill="#123456"/></svg>'
    )
    source = tmp_path / "svg.md"
    source.write_text("---\ntitle: SVG\n---\n\n# A\n\n![A mark](mark.svg)\n")
    result = build_one(source, BuildOptions(formats=("pdf",), out=tmp_path / "out"))
    assert not result.failed, result.diagnostics
    drawing = pypdf.PdfReader(result.artifacts[0].path).pages[0].get_contents()
    assert drawing is not None
    assert b"0.070588 0.203922 0.337255 rg" in drawing.get_data()  # #123456


def test_mirror_margins_and_attribution(tmp_path: Path) -> None:
    source = tmp_path / "q.md"
    source.write_text(
        "---\ntitle: Q\nmirror-margins: true\n---\n\n# A\n\n> Not acceptable.\n>\n"
        "> --- A spokesperson\n"
    )
    result = build_one(source, BuildOptions(formats=("html",), out=tmp_path / "out"))
    html = result.artifacts[0].path.read_text()
    assert "@page :left { margin-left: 18mm; margin-right: 26mm; }" in html
    assert re.search(r'<p class="attribution" data-b="\d+">— A spokesperson</p>', html)
