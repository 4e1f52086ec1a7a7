"""Release builds for CI: manifest, incremental and parallel builds, shards, strict, JSON."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from dossier.cli import app
from dossier.config import BuildOptions
from dossier.pipeline import build_many, discover, shard

from .conftest import FIXTURES, SAMPLE

runner = CliRunner()
SCHEMA = SAMPLE.parent.parent / "dossier" / "schemas" / "check.schema.json"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """sources/ with the sample and the Pandoc fixture, as the working directory."""
    shutil.copytree(SAMPLE, tmp_path / "sources" / SAMPLE.name)
    shutil.copytree(FIXTURES / "pandoc-brief", tmp_path / "sources", dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_manifest_lists_every_artifact_with_matching_digests(project: Path) -> None:
    result = runner.invoke(app, ["build", "--jobs", "2"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((project / "build" / "manifest.json").read_text())
    assert set(manifest["tool"]) >= {"dossier", "weasyprint", "ebooklib"}
    found = {(a["slug"], a["format"]) for a in manifest["artifacts"]}
    assert found == {(s, f) for s in ("brief", "ukraine-talks") for f in ("pdf", "epub")}
    for artifact in manifest["artifacts"]:
        path = project / "build" / artifact["path"]
        assert artifact["sha256"] == sha(path)
        assert artifact["bytes"] == path.stat().st_size
        assert (artifact["pages"] is not None) == (artifact["format"] == "pdf")
        assert len(artifact["inputs"]) == 64
    text = (project / "build" / "manifest.json").read_text()
    assert text == json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_second_build_rebuilds_nothing_and_force_does(project: Path) -> None:
    assert runner.invoke(app, ["build", "-j", "1"]).exit_code == 0
    pdf = project / "build" / "ukraine-talks" / "ukraine-talks.pdf"
    stamp = pdf.stat().st_mtime_ns
    again = runner.invoke(app, ["build", "-j", "1"])
    assert again.exit_code == 0
    assert "wrote" not in again.stdout
    assert "up to date: build/ukraine-talks/ukraine-talks.pdf" in again.stdout
    assert pdf.stat().st_mtime_ns == stamp
    chapter = project / "sources" / "ukraine-talks" / "08-outlook.md"
    chapter.write_text(chapter.read_text() + "\nOne more sentence.\n")
    changed = runner.invoke(app, ["build", "-j", "1"])
    assert "wrote build/ukraine-talks/ukraine-talks.pdf" in changed.stdout
    assert "up to date: build/brief/brief.pdf" in changed.stdout
    forced = runner.invoke(app, ["build", "-j", "1", "--force", "sources/brief.md"])
    assert "wrote build/brief/brief.pdf" in forced.stdout


def test_parallel_and_serial_builds_give_the_same_bytes(project: Path) -> None:
    serial = build_many(discover(), BuildOptions(out=Path("serial"), jobs=1))
    parallel = build_many(discover(), BuildOptions(out=Path("parallel"), jobs=2))
    assert not any(r.failed for r in serial + parallel)
    for name in (
        "ukraine-talks/ukraine-talks.pdf",
        "ukraine-talks/ukraine-talks.epub",
        "brief/brief.pdf",
        "brief/brief.epub",
        "manifest.json",
    ):
        assert sha(project / "serial" / name) == sha(project / "parallel" / name), name


def test_shards_build_each_dossier_exactly_once(project: Path) -> None:
    for n in range(5):
        shutil.copy(FIXTURES / "pandoc-brief" / "brief.md", project / "sources" / f"copy{n}.md")
    everything = discover()
    halves = [shard(everything, k, 2) for k in (1, 2)]
    assert sorted(halves[0] + halves[1]) == sorted(everything)
    assert not set(halves[0]) & set(halves[1])
    for k in (1, 2):
        result = runner.invoke(
            app, ["build", "--format", "epub", "--shard", f"{k}/2", "--out", f"shard{k}"]
        )
        assert result.exit_code == 0, (result.output, result.exception)
    built = sorted(p.name for k in (1, 2) for p in (project / f"shard{k}").glob("*/*.epub"))
    assert built == sorted(f"{p.stem if p.is_file() else p.name}.epub" for p in everything)
    merged = runner.invoke(
        app, ["merge-manifests", "shard1/manifest.json", "shard2/manifest.json", "-o", "all.json"]
    )
    assert merged.exit_code == 0
    assert len(json.loads((project / "all.json").read_text())["artifacts"]) == len(everything)
    assert runner.invoke(app, ["build", "--shard", "3/2"]).exit_code == 2


def test_strict_reports_warnings_after_writing(project: Path) -> None:
    brief = project / "sources" / "brief.md"
    brief.write_text(brief.read_text().replace("lang: en-GB", "lang: en-GB\ncolour: red"))
    result = runner.invoke(app, ["build", "sources/brief.md", "--strict"])
    assert result.exit_code == 1
    assert "sources/brief.md:10: warning: unknown key 'colour' is ignored" in result.stderr
    assert "failed: sources/brief.md" in result.stderr
    assert (project / "build" / "brief" / "brief.pdf").is_file()
    # An up-to-date artifact still carries its warnings.
    again = runner.invoke(app, ["build", "sources/brief.md", "--strict"])
    assert again.exit_code == 1
    assert "unknown key 'colour'" in again.stderr


def test_check_json_follows_its_schema(project: Path) -> None:
    brief = project / "sources" / "brief.md"
    brief.write_text(brief.read_text().replace("[@imo2023]", "[@nokey]"))
    result = runner.invoke(app, ["check", "--json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    jsonschema.validate(document, json.loads(SCHEMA.read_text()))
    problems = [d for entry in document["dossiers"] for d in entry["diagnostics"]]
    assert {
        "path": "sources/brief.md",
        "line": 17,
        "level": "error",
        "message": "unknown citation key 'nokey' in [@nokey]",
    } in problems


def test_build_many_on_a_dask_cluster(project: Path) -> None:
    import distributed  # a test dependency (the [test] extra): this test never skips

    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    try:
        with distributed.Client(cluster) as client:
            results = build_many(
                discover(), BuildOptions(out=Path("dask")), executor=client.get_executor()
            )
    finally:
        cluster.close()
    assert not any(r.failed for r in results)
    local = build_many(discover(), BuildOptions(out=Path("local"), jobs=1))
    assert not any(r.failed for r in local)
    assert sha(project / "dask" / "brief" / "brief.epub") == sha(
        project / "local" / "brief" / "brief.epub"
    )


def test_stylesheet_warnings_name_the_stylesheet(project: Path) -> None:
    styles = project / "styles" / "default"
    styles.mkdir(parents=True)
    (styles / "custom.css").write_text(":root { --accent: #123456; }\nh1 { colour: red; }\n")
    result = runner.invoke(app, ["build", "sources/brief.md", "--format", "pdf", "--strict"])
    assert result.exit_code == 1
    assert (
        "styles/default/custom.css:2: warning: CSS: Ignored `colour: red` at 2:6" in result.stderr
    )
    assert result.stderr.count("colour: red") == 1
