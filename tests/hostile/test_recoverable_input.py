"""Input a build recovers from: a warning with ``path:line`` and the rest of the document (an
error under ``--strict``), never a refused dossier."""

from __future__ import annotations

from pathlib import Path

import pypdf
from typer.testing import CliRunner

from dossier.cli import app

from ..conftest import epub_files
from .conftest import dossier

runner = CliRunner()


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
    result = runner.invoke(app, ["build", str(folder), "--out", str(tmp_path / "out"), "-f",
                                 "html"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"{folder / '02.md'}:3: warning: lone surrogate U+D800 dropped",
        f"{folder / '03.md'}:3: warning: lone surrogate U+DC00 dropped",
    ]
    html = (tmp_path / "out" / "d" / "d.html").read_text()
    assert "Lone." in html and "Surrogate." in html
