"""Input a build recovers from: a warning with ``path:line`` and the rest of the document (an
error under ``--strict``), never a refused dossier."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest
from lxml import etree
from typer.testing import CliRunner

from dossier.cli import app

from ..ace import ace
from ..conftest import epub_files, epubcheck
from .conftest import PNG, dossier

runner = CliRunner()
XHTML = {"x": "http://www.w3.org/1999/xhtml"}
OPF = {"opf": "http://www.idpf.org/2007/opf"}


def test_control_characters_are_dropped_with_one_warning_per_file(tmp_path: Path) -> None:
    folder = dossier(
        tmp_path / "d",
        "# Head\x01ing\n\nA ve\x0brtical tab from Word.\n\nPas\x02ted \ufffffrom a PDF.\n",
        # The file's own control character, and one written as a YAML escape.
        'subtitle: "Sub\\x07title"\nrights: Ri\x1fghts\n',
    )
    out = tmp_path / "out"
    built = runner.invoke(app, ["build", str(folder), "--out", str(out), "-f", "pdf,epub,html"])
    assert built.exit_code == 0, built.output
    assert built.stderr.splitlines() == [
        f"{folder / '01.md'}:1: warning: control character U+0001 dropped (and 3 more in this "
        "file)",
        f"{folder / 'dossier.yaml'}:3: warning: control character U+0007 dropped (and 1 more in "
        "this file)",
    ]
    # Dropped, not replaced: nothing else in the text changes.
    pdf = "\n".join(page.extract_text() for page in pypdf.PdfReader(out / "d" / "d.pdf").pages)
    for kept in ("Heading", "A vertical tab from Word.", "Pasted from a PDF.", "Subtitle"):
        assert kept in pdf
    files = epub_files(out / "d" / "d.epub")
    text = b"".join(v for k, v in files.items() if k.endswith((".xhtml", ".opf"))).decode()
    for kept in ("Heading", "A vertical tab from Word.", "Pasted from a PDF.", ">Rights<"):
        assert kept in text
    html = (out / "d" / "d.html").read_text()
    assert "Heading" in html and "Subtitle" in html
    strict = runner.invoke(app, ["build", str(folder), "--out", str(out), "--strict"])
    assert strict.exit_code == 1
    assert f"failed: {folder}" in strict.stderr
    assert "Traceback" not in strict.output
    assert runner.invoke(app, ["check", str(folder)]).exit_code == 0
    assert runner.invoke(app, ["check", str(folder), "--strict"]).exit_code == 1


def test_lone_surrogates_and_utf16_files(tmp_path: Path) -> None:
    folder = dossier(tmp_path / "d", "# A\n\nText.\n")
    # A careless tool's UTF-8 with a lone surrogate in it, and UTF-16 with another.
    (folder / "02.md").write_bytes("# B\n\nLo\ud800ne.\n".encode("utf-8", "surrogatepass"))
    utf16 = "# C\n\nSur\udc00rogate.\n".encode("utf-16-le", "surrogatepass")
    (folder / "03.md").write_bytes(b"\xff\xfe" + utf16)
    result = runner.invoke(
        app, ["build", str(folder), "--out", str(tmp_path / "out"), "-f", "html"]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"{folder / '02.md'}:3: warning: lone surrogate U+D800 dropped",
        f"{folder / '03.md'}:3: warning: lone surrogate U+DC00 dropped",
    ]
    html = (tmp_path / "out" / "d" / "d.html").read_text()
    assert "Lone." in html and "Surrogate." in html


def _valid(epub: Path, tmp_path: Path) -> None:
    checked = epubcheck(epub)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "ERROR" not in checked.stdout + checked.stderr
    assert "WARNING" not in checked.stdout + checked.stderr
    assert ace(epub, tmp_path / "ace").violations == []


def test_a_remote_image_shows_its_description(
    tmp_path: Path, server: tuple[str, list[str]]
) -> None:
    url, hits = server
    chapter = (
        "# A\n\nBefore the chart.\n\n"
        f"![Gas flows through Ukraine, 2020 to 2024]({url}/chart.png)\n\n"
        f"A badge ![build passing]({url}/badge.svg) in the text.\n\n"
        f'<p>Raw <img src="{url}/raw.png" alt="a raw map"> here.</p>\n\n'
        f"![]({url}/nothing.png)\n\nAfter.\n"
    )
    folder = dossier(tmp_path / "d", chapter, "raw-html: sanitize\n")
    out = tmp_path / "out"
    built = runner.invoke(app, ["build", str(folder), "--out", str(out), "-f", "pdf,epub,html"])
    assert built.exit_code == 0, built.output
    need = "is not fetched (remote images need --allow-remote)"
    at = folder / "01.md"
    assert built.stderr.splitlines() == [
        f"{at}:5: warning: image '{url}/chart.png' {need}; its description is shown instead",
        f"{at}:7: warning: image '{url}/badge.svg' {need}; its description is shown instead",
        f"{at}:9: warning: image '{url}/raw.png' {need}; its description is shown instead",
        f"{at}:11: warning: image '{url}/nothing.png' has no description (alt text)",
        f"{at}:11: warning: image '{url}/nothing.png' {need}; it is left out",
    ]
    assert hits == []
    # The figure keeps its caption; its description stands where the image was.
    html = (out / "d" / "d.html").read_text()
    assert re.search(
        r'<figure class="figure"><span class="image-placeholder">Gas flows through Ukraine, '
        r"2020 to 2024</span><figcaption>Gas flows through Ukraine, 2020 to 2024</figcaption>"
        r"</figure>",
        html,
    )
    assert '<span class="image-placeholder">build passing</span> in the text.' in html
    assert '<span class="image-placeholder">a raw map</span>' in html
    assert url not in html
    reader = pypdf.PdfReader(out / "d" / "d.pdf")
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert text.count("Gas flows through Ukraine, 2020 to 2024") == 2  # description, caption
    assert "A badge build passing in the text." in text
    assert all(not page.images for page in reader.pages)
    epub = out / "d" / "d.epub"
    files = epub_files(epub)
    chapter_xhtml = etree.fromstring(files["EPUB/chapter-01.xhtml"])
    figure = chapter_xhtml.xpath("//x:figure", namespaces=XHTML)[0]
    assert figure.xpath("x:span[@class='image-placeholder']/text()", namespaces=XHTML) == [
        "Gas flows through Ukraine, 2020 to 2024"
    ]
    assert figure.xpath("x:figcaption/text()", namespaces=XHTML) == [
        "Gas flows through Ukraine, 2020 to 2024"
    ]
    assert not any(url.encode() in data for data in files.values())
    _valid(epub, tmp_path)
    strict = runner.invoke(app, ["build", str(folder), "--out", str(out), "--strict"])
    assert strict.exit_code == 1
    assert f"failed: {folder}" in strict.stderr
    assert hits == []


def _cover(epub: Path) -> tuple[str, bytes]:
    """The name and bytes of the EPUB's cover image."""
    files = epub_files(epub)
    opf = etree.fromstring(files["EPUB/content.opf"])
    item = opf.xpath("//opf:item[@properties='cover-image']", namespaces=OPF)
    assert len(item) == 1
    return item[0].get("href"), files["EPUB/" + item[0].get("href")]


def test_a_remote_cover_image(
    tmp_path: Path, server: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from dossier.sources import remote

    url, hits = server
    folder = dossier(tmp_path / "d", "# A\n\nText.\n", f"cover-image: {url}/cover.png\n")
    out = tmp_path / "out"
    built = runner.invoke(app, ["build", str(folder), "--out", str(out), "-f", "epub,html"])
    assert built.exit_code == 0, built.output
    assert built.stderr.splitlines() == [
        f"{folder / 'dossier.yaml'}:3: warning: image '{url}/cover.png' is not fetched (remote "
        "images need --allow-remote); the cover is made without it"
    ]
    assert hits == []
    assert _cover(out / "d" / "d.epub")[0] == "cover.png"  # drawn from the dossier
    assert url not in (out / "d" / "d.html").read_text()
    monkeypatch.setattr(remote, "_check", lambda url: None)  # pretend it is public
    fetched = runner.invoke(
        app, ["build", str(folder), "--out", str(out), "-f", "epub", "--allow-remote", "--strict"]
    )
    assert fetched.exit_code == 0, fetched.output
    assert hits == ["/cover.png"]
    name, data = _cover(out / "d" / "d.epub")
    assert name.startswith("remote/") and data == PNG
    assert len(epub_files(out / "d" / "d.epub")) == len(set(epub_files(out / "d" / "d.epub")))
    checked = epubcheck(out / "d" / "d.epub")
    assert checked.returncode == 0, checked.stdout + checked.stderr
