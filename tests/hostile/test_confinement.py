"""Nothing outside the dossier folder and the theme is read; nothing is fetched."""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

import pytest

from dossier.config import BuildOptions
from dossier.pipeline import build_one

from .conftest import build, dossier, messages, no_partial_files


def test_chapter_outside_the_folder(tmp_path: Path, canary: Path, opened: Path) -> None:
    folder = dossier(tmp_path / "d", "# A\n", f"chapters: [01.md, ../{canary.name}]\n")
    result = build(folder, tmp_path / "out")
    assert result.failed
    assert "is outside the dossier folder" in messages(result.diagnostics)[0]
    assert str(canary) not in opened.read_text()
    assert not (tmp_path / "out").exists()


def test_symlinked_chapter_escaping(tmp_path: Path, canary: Path, opened: Path) -> None:
    folder = dossier(tmp_path / "d", "# A\n")
    (folder / "02.md").symlink_to(canary)
    result = build(folder, tmp_path / "out")
    assert result.failed
    assert "is outside the dossier folder" in " ".join(messages(result.diagnostics))
    assert str(canary) not in opened.read_text()


@pytest.mark.parametrize(
    "src",
    ["../canary-secret.txt", "/etc/passwd", "file:///etc/passwd", "assets/../../canary-secret.txt"],
)
def test_images_outside_the_folder(tmp_path: Path, canary: Path, opened: Path, src: str) -> None:
    folder = dossier(tmp_path / "d", f"# A\n\n![Map]({src})\n")
    result = build(folder, tmp_path / "out", ("epub", "html"))
    assert result.failed
    expected = "is not a local file" if src.startswith("file:") else "image not found in the"
    assert expected in " ".join(messages(result.diagnostics))
    assert str(canary) not in opened.read_text()
    assert "/etc/passwd" not in opened.read_text()


def test_remote_images_are_not_fetched(tmp_path: Path, server: tuple[str, list[str]]) -> None:
    url, hits = server
    folder = dossier(tmp_path / "d", f"# A\n\n![Map]({url}/map.png)\n")
    result = build(folder, tmp_path / "out")
    assert messages(result.diagnostics) == [
        f"{folder / '01.md'}:3: warning: image '{url}/map.png' is not fetched (remote images "
        "need --allow-remote); its description is shown instead"
    ]
    assert [a.format for a in result.artifacts] == ["pdf", "epub"]
    assert hits == []


def test_stylesheets_cannot_reach_out(
    tmp_path: Path,
    canary: Path,
    opened: Path,
    server: tuple[str, list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, hits = server
    styles = tmp_path / "styles" / "default"
    styles.mkdir(parents=True)
    (styles / "custom.css").write_text(
        f"@import url({url}/x.css);\n@import url(file://{canary});\n"
        f"body {{ background: url({url}/bg.png); }}\n"
        "h1::before { content: url(file:///etc/passwd); }\n"
    )
    monkeypatch.chdir(tmp_path)
    result = build(dossier(tmp_path / "d", "# A\n\nText.\n"), tmp_path / "out", ("pdf",))
    assert not result.failed
    assert hits == []
    log = opened.read_text()
    assert str(canary) not in log and "/etc/passwd" not in log


def test_a_fifo_does_not_hang_the_build(tmp_path: Path) -> None:
    folder = dossier(tmp_path / "d", "# A\n", "chapters: [01.md, pipe.md]\n")
    os.mkfifo(folder / "pipe.md")
    result = build(folder, tmp_path / "out")
    assert f"{folder / 'dossier.yaml'}:3: error: not a regular file: {folder / 'pipe.md'}" in (
        messages(result.diagnostics)
    )


def test_a_device_as_an_image(tmp_path: Path) -> None:
    folder = dossier(tmp_path / "d", "# A\n\n![Zero](zero.png)\n")
    (folder / "zero.png").symlink_to("/dev/zero")
    result = build(folder, tmp_path / "out")
    assert result.failed
    assert "image not found in the dossier folder: zero.png" in " ".join(
        messages(result.diagnostics)
    )


def test_oversized_source_file(tmp_path: Path) -> None:
    folder = dossier(tmp_path / "d", "# A\n" + "x" * (17 * 1024 * 1024))
    result = build(folder, tmp_path / "out")
    assert messages(result.diagnostics)[0].endswith("error: file is too large (17825796 bytes)")
    no_partial_files(tmp_path / "out")


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("escape", "&lt;script&gt;"),
        # Pandoc reads a <script> element as a raw block of its own, between paragraphs.
        ("sanitize", "<span>world</span>."),
    ],
)
def test_raw_html_never_reaches_the_renderer(tmp_path: Path, mode: str, expected: str) -> None:
    chapter = (
        '# A\n\nHello <script>alert(1)</script> <span onclick="x()">world</span>.\n\n'
        '<base href="file:///etc/">\n<iframe src="file:///etc/passwd"></iframe>\n'
        '<object data="x"></object><embed src="y"><link rel="attachment" href="/etc/passwd">\n'
    )
    folder = dossier(tmp_path / "d", chapter, f"raw-html: {mode}\n")
    result = build(folder, tmp_path / "out", ("html",))
    assert not result.failed, result.diagnostics
    html = result.artifacts[0].path.read_text()
    body = html[html.index("<main") :]
    for tag in ("<script", "<iframe", "<base", "<object", "<embed", "<link"):
        assert tag not in body
    assert not re.search(r"<[^>]*\sonclick", body)
    assert expected in body


def test_raw_html_is_sanitised_by_default_and_what_is_removed_is_said(tmp_path: Path) -> None:
    chapter = (
        "# A\n\nFirst paragraph.\n\n"
        '<table class="raw"><tr><td>Cell</td></tr></table>\n\n'
        'Hello <script>alert(1)</script> <span onclick="x()">world</span>.\n\n'
        "A [link](javascript:alert(2)) here.\n"
    )
    folder = dossier(tmp_path / "d", chapter)
    result = build(folder, tmp_path / "out", ("html",))
    assert not result.failed, result.diagnostics
    body = result.artifacts[0].path.read_text()
    body = body[body.index("<main") :]
    # Pandoc reads the raw table as six raw blocks around the cell's text: kept whole.
    assert re.search(r'<table class="raw">\s*<tbody>\s*<tr[^>]*>\s*<td[^>]*>\s*Cell</td>', body)
    assert "<span>world</span>." in body
    assert "alert(1)" not in body and "<script" not in body and "onclick" not in body
    said = [m for m in messages(result.diagnostics) if "left out" in m]
    assert said == [
        f"{folder / '01.md'}:7: warning: raw HTML <script> is left out: sanitize keeps text "
        "and structure",
        f"{folder / '01.md'}:7: warning: attribute onclick= is left out: no scripts",
    ]
    assert "A link here." in body and "javascript" not in body
    assert (
        f"{folder / '01.md'}:9: warning: link to 'javascript:alert(2)' is printed as text: "
        "its scheme is not allowed" in messages(result.diagnostics)
    )


def test_raw_html_refused_with_its_line(tmp_path: Path) -> None:
    folder = dossier(
        tmp_path / "d", '# A\n\nText.\n\n<div onclick="x">Hi</div>\n', "raw-html: refuse\n"
    )
    result = build(folder, tmp_path / "out")
    assert messages(result.diagnostics) == [
        f"{folder / '01.md'}:5: error: raw HTML is not allowed here (raw-html: refuse); "
        "write Markdown instead"
    ]


def test_metadata_is_text_never_markup(tmp_path: Path) -> None:
    folder = dossier(tmp_path / "d", "# A\n", 'subtitle: "<img src=x onerror=alert(1)>"\n')
    result = build(folder, tmp_path / "out", ("html",))
    html = result.artifacts[0].path.read_text()
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x" not in html


def test_allow_remote_still_refuses_private_addresses(
    tmp_path: Path, server: tuple[str, list[str]]
) -> None:
    url, hits = server
    folder = dossier(tmp_path / "d", f"# A\n\n![Map]({url}/map.png)\n")
    result = build_one(
        folder, BuildOptions(formats=("epub",), out=tmp_path / "out", allow_remote=True)
    )
    assert messages(result.diagnostics) == [
        f"{folder / '01.md'}:3: error: image '{url}/map.png' not fetched: 127.0.0.1 is a "
        "private or local address (127.0.0.1)"
    ]
    assert hits == []


def test_allow_remote_embeds_public_images(
    tmp_path: Path, server: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from dossier.sources import remote

    url, hits = server
    monkeypatch.setattr(remote, "_check", lambda url: None)  # pretend it is public
    folder = dossier(tmp_path / "d", f"# A\n\n![Map]({url}/map.png)\n")
    result = build_one(
        folder, BuildOptions(formats=("epub", "html"), out=tmp_path / "out", allow_remote=True)
    )
    assert not result.failed, result.diagnostics
    assert hits == ["/map.png"]
    html = result.artifacts[1].path.read_text()
    name = re.search(r'src="(remote/[0-9a-f]+\.png)"', html).group(1)  # type: ignore[union-attr]
    assert (result.artifacts[1].path.parent / name).read_bytes().startswith(b"\x89PNG")
    with zipfile.ZipFile(result.artifacts[0].path) as archive:
        assert f"EPUB/{name}" in archive.namelist()
