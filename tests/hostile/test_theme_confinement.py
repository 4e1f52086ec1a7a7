"""A theme named in a dossier's metadata stays inside the dossier's folder or ``styles/``;
``--theme`` on the command line may still name any folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dossier.cli import app
from dossier.render.themes import builtin_styles

from .conftest import build, dossier, messages, no_partial_files

runner = CliRunner()
HOUSE = "/* house style 5e1a */\n"


def theme_folder(folder: Path, leak: Path | None = None) -> Path:
    """A complete theme (the default's print.css, marked) and, if given, a link to ``leak``."""
    folder.mkdir(parents=True)
    (folder / "print.css").write_text(
        (builtin_styles() / "default" / "print.css").read_text() + HOUSE
    )
    if leak is not None:
        (folder / "leak.txt").symlink_to(leak)
    return folder


@pytest.fixture
def outside(tmp_path: Path, canary: Path) -> Path:
    """A theme folder outside every dossier, holding the canary."""
    folder = theme_folder(tmp_path / "outside")
    (folder / canary.name).write_text(canary.read_text())
    return folder


def reads_of(opened: Path, folder: Path) -> list[str]:
    """Files opened or folders listed in or below ``folder``."""
    return [p for p in opened.read_text().splitlines() if Path(p).is_relative_to(folder)]


@pytest.mark.parametrize("named", ["../outside", "OUTSIDE", "../../../../../../../etc", "a\\b"])
def test_a_path_in_the_metadata_is_refused(
    tmp_path: Path, outside: Path, opened: Path, named: str
) -> None:
    named = str(outside) if named == "OUTSIDE" else named
    folder = dossier(tmp_path / "d", "# A\n\nText.\n", f"theme: '{named}'\n")
    result = build(folder, tmp_path / "out", ("pdf", "epub", "html"))
    assert messages(result.diagnostics) == [
        f"{folder / 'dossier.yaml'}:3: error: theme '{named}' is not a theme's name: a dossier "
        "names a built-in theme or a theme folder in its own folder or in styles/ (only --theme "
        "may name a folder elsewhere)"
    ]
    assert reads_of(opened, outside) == []
    assert "/etc" not in opened.read_text().splitlines()  # /etc is never listed
    assert not (tmp_path / "out").exists()


def test_check_reports_it_too(tmp_path: Path) -> None:
    folder = dossier(tmp_path / "d", "# A\n\nText.\n", "theme: ../../etc\n")
    result = runner.invoke(app, ["check", str(folder)])
    assert result.exit_code == 1
    assert f"{folder / 'dossier.yaml'}:3: error: theme '../../etc' is not" in result.stderr


def test_front_matter_names_the_line(tmp_path: Path, outside: Path, opened: Path) -> None:
    source = tmp_path / "sources" / "brief.md"  # its folder is sources/
    source.parent.mkdir()
    source.write_text("---\ntitle: T\n\ntheme: ../outside\n---\n\n# A\n\nText.\n")
    result = runner.invoke(app, ["build", str(source), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert f"{source}:4: error: theme '../outside' is not a theme's name" in result.stderr
    assert "Traceback" not in result.output
    assert reads_of(opened, outside) == []


def test_a_symlink_out_of_the_dossier_folder(tmp_path: Path, outside: Path, opened: Path) -> None:
    folder = dossier(tmp_path / "d", "# A\n\nText.\n", "theme: house\n")
    (folder / "house").symlink_to(outside)
    result = build(folder, tmp_path / "out", ("html",))
    assert messages(result.diagnostics) == [
        f"{folder / 'dossier.yaml'}:3: error: theme folder 'house' leads outside the dossier's "
        "folder"
    ]
    assert reads_of(opened, outside) == []
    no_partial_files(tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_symlink_out_of_styles(
    tmp_path: Path, outside: Path, opened: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "styles").mkdir()
    (tmp_path / "styles" / "house").symlink_to(outside)
    folder = dossier(tmp_path / "d", "# A\n\nText.\n", "theme: house\n")
    monkeypatch.chdir(tmp_path)
    result = build(folder, tmp_path / "out", ("html",))
    assert messages(result.diagnostics) == [
        "d/dossier.yaml:3: error: theme folder 'house' leads outside styles/"
    ]
    assert reads_of(opened, outside) == []


def test_an_unknown_theme_names_its_line(tmp_path: Path) -> None:
    folder = dossier(tmp_path / "d", "# A\n\nText.\n", "theme: nowhere\n")
    result = build(folder, tmp_path / "out", ("epub",))
    assert messages(result.diagnostics) == [
        f"{folder / 'dossier.yaml'}:3: error: unknown theme 'nowhere' (known: default)"
    ]


def test_a_theme_in_the_dossier_folder(tmp_path: Path, canary: Path, opened: Path) -> None:
    folder = dossier(tmp_path / "d", "# A\n\nText.\n", "theme: house\n")
    theme_folder(folder / "house", leak=canary)
    result = build(folder, tmp_path / "out", ("pdf", "html"))
    assert not result.failed, result.diagnostics
    copied = tmp_path / "out" / "d" / "_theme"
    assert (copied / "print.css").read_text().endswith(HOUSE)
    # A link inside the theme that leads out is not one of its files.
    assert not (copied / "leak.txt").exists()
    assert str(canary) not in opened.read_text()


def test_a_theme_in_styles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    theme_folder(tmp_path / "styles" / "house")
    folder = dossier(tmp_path / "d", "# A\n\nText.\n", "theme: house\n")
    monkeypatch.chdir(tmp_path)
    result = build(folder, tmp_path / "out", ("html",))
    assert not result.failed, result.diagnostics
    assert (tmp_path / "out" / "d" / "_theme" / "print.css").read_text().endswith(HOUSE)


def test_the_command_line_may_name_any_folder(tmp_path: Path, outside: Path) -> None:
    folder = dossier(tmp_path / "d", "# A\n\nText.\n", "theme: default\n")
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["build", str(folder), "--format", "pdf,html", "--out", str(out), "--theme", str(outside)],
    )
    assert result.exit_code == 0, result.output
    assert (out / "d" / "_theme" / "print.css").read_text().endswith(HOUSE)
    assert (out / "d" / "d.pdf").read_bytes().startswith(b"%PDF")
