"""The command line: builds, exit codes, messages, nothing half-written."""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dossier.cli import app

from .conftest import FIXTURES, SAMPLE

runner = CliRunner()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with the Pandoc fixture as sources/brief.md, as the working directory."""
    sources = tmp_path / "sources"
    shutil.copytree(FIXTURES / "pandoc-brief", sources)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_build_without_paths_builds_every_dossier_in_sources(project: Path) -> None:
    result = runner.invoke(app, ["build", "--format", "epub,html"], terminal_width=100)
    assert result.exit_code == 0, result.output
    assert (project / "build" / "brief" / "brief.epub").is_file()
    assert (project / "build" / "brief" / "brief.html").is_file()
    assert (project / "build" / "brief" / "_theme" / "print.css").is_file()
    assert "wrote build/brief/brief.epub" in result.stdout


def test_content_errors_exit_1_with_locations_and_write_nothing(project: Path) -> None:
    brief = project / "sources" / "brief.md"
    text = brief.read_text(encoding="utf-8")
    brief.write_text(
        text.replace("[@imo2023]", "[@nosuchkey]").replace("date: 2024-05-17", "date: May")
    )
    result = runner.invoke(app, ["build", "sources/brief.md"], terminal_width=100)
    assert result.exit_code == 1
    assert "sources/brief.md:8: error: expected a date as YYYY-MM-DD, found 'May'" in result.stderr
    assert "Traceback" not in result.output
    assert not (project / "build").exists()
    brief.write_text(text.replace("[@imo2023]", "[@nosuchkey]"))
    result = runner.invoke(app, ["build", "sources/brief.md"], terminal_width=100)
    assert result.exit_code == 1
    assert "sources/brief.md:17: error: unknown citation key 'nosuchkey' in [@nosuchkey]" in (
        result.stderr
    )
    assert not (project / "build").exists()


def test_usage_errors_exit_2(project: Path) -> None:
    assert runner.invoke(app, ["build", "--format", "odt"]).exit_code == 2  # not a format
    assert runner.invoke(app, ["build", "--no-such-option"]).exit_code == 2


def test_missing_path_exits_1(project: Path) -> None:
    result = runner.invoke(app, ["build", "nowhere"])
    assert result.exit_code == 1
    assert "nowhere: error: no such dossier (file or folder)" in result.stderr


def test_strict_turns_warnings_into_exit_1(project: Path) -> None:
    brief = project / "sources" / "brief.md"
    brief.write_text(
        brief.read_text(encoding="utf-8").replace("lang: en-GB", "lang: en-GB\ncolour: red")
    )
    relaxed = runner.invoke(app, ["build", "--format", "epub"])
    assert relaxed.exit_code == 0
    assert "sources/brief.md:10: warning: unknown key 'colour' is ignored" in relaxed.stderr
    strict = runner.invoke(app, ["build", "--format", "epub", "--strict"])
    assert strict.exit_code == 1


def test_check_reports_without_building(project: Path) -> None:
    result = runner.invoke(app, ["check", "--json"])
    assert result.exit_code == 0, result.output
    assert '"diagnostics": []' in result.stdout
    assert not (project / "build").exists()


def test_a_folder_of_dossiers_stands_for_the_dossiers_in_it(project: Path) -> None:
    shutil.copytree(SAMPLE, project / "sources" / "talks")  # a folder dossier beside brief.md
    named = runner.invoke(app, ["check", "--json", "sources"])
    alone = runner.invoke(app, ["check", "--json"])
    assert named.exit_code == alone.exit_code == 0, named.output
    sources = [d["source"] for d in json.loads(named.stdout)["dossiers"]]
    assert [Path(s).name for s in sources] == ["brief.md", "talks"]
    assert sources == [d["source"] for d in json.loads(alone.stdout)["dossiers"]]
    # A folder of chapters without its dossier.yaml holds no dossier folder: it stays one
    # dossier, whose missing file is reported, not a dossier per chapter.
    chapters = project / "chapters"
    chapters.mkdir()
    (chapters / "01.md").write_text("# One\n\nText.\n", encoding="utf-8")
    missing = runner.invoke(app, ["check", "chapters"], terminal_width=100)
    assert missing.exit_code == 1
    assert "chapters/dossier.yaml" in missing.stderr, missing.stderr


def _dotfiles(folder: Path) -> list[Path]:
    return [p for p in folder.rglob(".*") if p.is_file()]


def test_no_leftover_temporary_files(project: Path) -> None:
    result = runner.invoke(app, ["build", "--format", "epub,html"])
    assert result.exit_code == 0, result.output
    out = project / "build" / "brief"
    assert (out / "brief.epub").is_file() and (out / "brief.html").is_file()
    assert _dotfiles(project / "build") == []


def test_a_write_that_fails_leaves_the_last_good_file_and_no_temporary_one(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert runner.invoke(app, ["build", "--format", "epub"]).exit_code == 0
    epub = project / "build" / "brief" / "brief.epub"
    good = epub.read_bytes()
    replace = os.replace

    def full_disk(source: str, target: str) -> None:
        if str(target).endswith(".epub"):  # the EPUB's temporary file is written, not renamed
            assert _dotfiles(epub.parent), "the EPUB is not written through a temporary file"
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        replace(source, target)

    monkeypatch.setattr(os, "replace", full_disk)
    result = runner.invoke(app, ["build", "--format", "epub", "--force", "--jobs", "1"])
    assert result.exit_code == 1
    assert "brief.epub: error: cannot write the file: No space left on device" in result.stderr
    assert epub.read_bytes() == good
    assert _dotfiles(project / "build") == []


@pytest.mark.parametrize(
    "args",
    [
        *([name, "--help"] for name in ("build", "check", "merge-manifests", "diff", "new")),
        ["import", "--help"],
        ["preview", "--help"],
        ["check", "--no-such-option"],
        ["build", "--format", "odt"],
        ["diff"],
    ],
)
def test_a_command_alone_answers_as_the_whole_application(args: list[str]) -> None:
    """``main`` gives Typer only the command named (the others are not made): its help,
    usage and errors are the whole application's."""
    from dossier.cli import _only

    alone = runner.invoke(_only(args[:1]), args, terminal_width=100, prog_name="dossier")
    whole = runner.invoke(app, args, terminal_width=100, prog_name="dossier")
    assert _only(args[:1]) is not app
    assert (alone.exit_code, alone.output) == (whole.exit_code, whole.output)
    assert alone.output.strip()


def test_without_a_known_command_the_whole_application_answers() -> None:
    from dossier.cli import _only

    assert _only([]) is app and _only(["--help"]) is app and _only(["bogus"]) is app
