"""Analyst workflow: scaffold, live preview, uncited-claim lint, what changed between versions."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pypdf
import pytest
from typer.testing import CliRunner

from dossier.cli import app
from dossier.config import BuildOptions
from dossier.pipeline import build_one, prepare

from .conftest import SAMPLE, epub_files

runner = CliRunner()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_new_scaffolds_dossiers_that_build_without_warnings(project: Path) -> None:
    assert runner.invoke(app, ["new", "my-briefing"]).exit_code == 0
    assert runner.invoke(app, ["new", "quick-note", "--single-file"]).exit_code == 0
    folder = project / "sources" / "my-briefing"
    assert {p.name for p in folder.iterdir()} == {
        "dossier.yaml",
        "01-introduction.md",
        "references.yaml",
        "assets",
    }
    assert "# subtitle" not in (folder / "dossier.yaml").read_text()  # keys are live or commented
    result = runner.invoke(app, ["build", "--strict", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert (project / "build" / "quick-note" / "quick-note.pdf").is_file()
    again = runner.invoke(app, ["new", "my-briefing"])
    assert again.exit_code == 1
    assert "sources/my-briefing already exists" in again.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


def _wait(check, seconds: float = 20.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if found := check():
                return found
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_preview_serves_and_reloads_after_a_change(project: Path) -> None:
    shutil.copytree(SAMPLE, project / "sources" / "talks")
    port = _free_port()
    thread = threading.Thread(
        target=runner.invoke,
        args=(app, ["preview", "sources/talks", "--port", str(port), "--exit-after", "25"]),
        daemon=True,
    )
    thread.start()
    base = f"http://127.0.0.1:{port}"
    first = _wait(lambda: _get(base + "/"))
    assert "Russia resists NATO military presence in Ukraine" in first
    assert 'class="footnote"' in first and "/__version" in first
    version = _get(base + "/__version")
    assert "text/css" in urllib.request.urlopen(base + "/_theme/print.css").headers["Content-Type"]
    chapter = project / "sources" / "talks" / "08-outlook.md"
    chapter.write_text(chapter.read_text() + "\nA freshly written closing sentence.\n")
    _wait(lambda: _get(base + "/__version") != version)
    assert "A freshly written closing sentence." in _get(base + "/")
    chapter.write_text(chapter.read_text() + "\nBroken [@nokey].\n")
    errors = _wait(lambda: (page := _get(base + "/")) and "nokey" in page and page)
    assert "unknown citation key" in errors  # errors show in the page, the server lives on
    thread.join(30)


def test_preview_asks_which_dossier_when_there_are_several(project: Path) -> None:
    for name in ("talks", "talks-2"):
        shutil.copytree(SAMPLE, project / "sources" / name)
    for args in ([], ["sources"]):
        result = runner.invoke(app, ["preview", *args, "--port", "0", "--exit-after", "1"])
        assert result.exit_code == 1, result.output
        assert "2 dossiers here; preview one: sources/talks, sources/talks-2" in result.stderr
        assert "previewing" not in result.stdout


def test_uncited_claims_are_flagged_and_cited_ones_not(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "dossier.yaml").write_text(
        "title: T\nreferences: [{id: k, title: K, publisher: P, issued: {date-parts: [[2024]]}}]\n"
    )
    (folder / "01.md").write_text(
        "# Facts\n\nTroops numbered 40,000 in March.\n\nTroops numbered 40,000 [@k].\n\n"
        "The talks went badly, said Maria Zakharova.\n\n"
        "::: {.uncited-ok}\nIn 2025 we think so.\n:::\n\n"
        "A general remark with no facts in it.\n\n"
        "# Analysis {.analysis}\n\nIn 2026 it will change.\n"
    )
    warnings = [str(d) for d in prepare(folder).diagnostics]
    check = runner.invoke(app, ["check", str(folder), "--strict"])
    assert check.exit_code == 1
    assert "warning: uncited claim: “Troops numbered 40,000 in March.”" in check.stderr
    assert warnings == [
        f"{folder / '01.md'}:3: warning: uncited claim: “Troops numbered 40,000 in March.” "
        "(cite a source, or mark the passage ::: {.uncited-ok})",
        f"{folder / '01.md'}:7: warning: uncited claim: “The talks went badly, said Maria "
        "Zakharova.” (cite a source, or mark the passage ::: {.uncited-ok})",
    ]


def test_players_and_positions_stay_in_sync(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "dossier.yaml").write_text(
        "title: T\nreferences: [{id: k, title: K, publisher: P, issued: {date-parts: [[2024]]}}]\n"
        "players:\n  - {name: A, party: Alpha, position: 'Wants X [@k].'}\n"
        "  - {name: B, party: Gamma, position: 'Wants Y [@k].'}\n"
        "positions:\n  - issue: Borders\n    stances:\n      Alpha: Keep [@k]\n      Beta: Move\n"
    )
    (folder / "01.md").write_text("# A\n\nText [@k].\n")
    warnings = [str(d) for d in prepare(folder).diagnostics]
    yaml = folder / "dossier.yaml"
    assert warnings == [
        f"{yaml}:5: warning: player 'B': party 'Gamma' has no column in the positions matrix",
        f"{yaml}:10: warning: the stance of 'Beta' on 'Borders' cites nothing",
    ]


def _edition(base: Path, name: str) -> Path:
    target = base / name / "talks"
    shutil.copytree(SAMPLE, target)
    return target


def _plant_changes(folder: Path) -> None:
    yaml = folder / "dossier.yaml"
    text = yaml.read_text().replace('version: "1.0"', 'version: "1.1"')
    text = text.replace("  - name: Donald Trump\n", "  - name: Donald Trump\n    # changed\n")
    text = text.replace("role: U.S. President", "role: President of the United States")
    yaml.write_text(text)
    (folder / "03-territorial-issues.md").write_text(
        (folder / "03-territorial-issues.md").read_text() + "\nA new paragraph on maps [2].\n"
    )
    overview = folder / "01-overview.md"
    overview.write_text(overview.read_text().replace("third and a half year", "fourth year"))
    refs = folder / "references.yaml"
    refs.write_text(
        refs.read_text() + '\n- id: source-6\n  type: document\n  title: "Source [6]"\n'
        "  lint-ignore: [missing-date, unfindable, unused]\n"
    )


def test_diff_lists_exactly_the_planted_changes(tmp_path: Path) -> None:
    old, new = _edition(tmp_path, "old"), _edition(tmp_path, "new")
    _plant_changes(new)
    result = runner.invoke(app, ["diff", str(old), str(new)], terminal_width=200)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Changes from version 1.0 to 1.1:"
    assert lines[1:] == [
        "  ~ version: “1.0” -> “1.1”",
        f"  + {new / '03-territorial-issues.md'}:9: “A new paragraph on maps [2].”",
        f"  ~ {new / '01-overview.md'}:3: “third and a half” -> “fourth”",
        f"  ~ {new / 'dossier.yaml'}:83: player Donald Trump: role “U.S. President” -> "
        "“President of the United States”",
        f"  + {new / 'references.yaml'}:40: source source-6: “Source [6]”",
    ]


def test_diff_against_a_git_revision_and_a_changes_page(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    folder = _edition(repo, "sources")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "1.0"], check=True)
    _plant_changes(folder)
    result = runner.invoke(app, ["diff", "HEAD", str(folder)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert f"  + {folder / 'references.yaml'}:40: source source-6: “Source [6]”" in result.stdout
    built = build_one(
        folder,
        BuildOptions(formats=("pdf", "epub", "html"), out=tmp_path / "out", changes_since="HEAD"),
    )
    assert not built.failed, built.diagnostics
    html = next(a.path for a in built.artifacts if a.format == "html").read_text()
    assert re.search(r'<h1 [^>]*id="changes"[^>]*>Changes since version 1\.0</h1>', html)
    assert 'href="#territorial-issues">Territorial Issues</a>' in html
    pdf = next(a.path for a in built.artifacts if a.format == "pdf")
    reader = pypdf.PdfReader(pdf)
    pages = {k: reader.get_destination_page_number(v) for k, v in reader.named_destinations.items()}
    assert pages["changes"] <= pages["overview"]  # the first chapter
    assert "Changes since version 1.0" in reader.pages[pages["changes"]].extract_text()
    epub = next(a.path for a in built.artifacts if a.format == "epub")
    chapters = {n: d for n, d in epub_files(epub).items() if n.startswith("EPUB/chapter-")}
    assert b"Changes since version 1.0" in chapters["EPUB/chapter-01.xhtml"]
    assert b'href="chapter-04.xhtml#territorial-issues"' in chapters["EPUB/chapter-01.xhtml"]
    bad = runner.invoke(app, ["diff", "no-such-revision", str(folder)])
    assert bad.exit_code == 1
    assert "cannot read revision 'no-such-revision'" in bad.stderr
