"""Short commands import only what they use: ``check`` no renderer or writer, an EPUB build no
PDF engine, a rebuild with everything up to date not even the loader; an EPUB build
renders no print HTML."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, SAMPLE

# Runs the command line as ``dossier`` does, then prints the modules it imported.
_PROBE = """
import atexit, json, runpy, sys
atexit.register(lambda: print(json.dumps(sorted(sys.modules)), file=sys.stderr))
sys.argv = ["dossier", *sys.argv[1:]]
runpy.run_module("dossier.cli", run_name="__main__")
"""
PDF_ENGINE = {"weasyprint", "pikepdf", "fontTools", "pydyf", "dossier.writers.pdf.writer"}
WRITERS = PDF_ENGINE | {"ebooklib", "PIL", "dossier.writers.epub.writer", "dossier.render.cover"}
RENDERING = {"jinja2", "dossier.render.documents"}
READING = {
    "dossier.sources.loader",
    "dossier.resolve.stage",
    "dossier.model.ast",
    "yaml",
    "lxml",
    "nh3",
}


def _imported(*args: str, says: str = "") -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert says in done.stdout
    modules: list[str] = json.loads(done.stderr.strip().splitlines()[-1])
    # A package counts as imported when any of its modules is.
    return {name for module in modules for name in (module, module.partition(".")[0])}


def test_check_reads_and_resolves_but_renders_and_writes_nothing() -> None:
    imported = _imported("check", str(SAMPLE))
    assert "dossier.resolve.stage" in imported
    assert not imported & (WRITERS | RENDERING)
    assert "pypandoc" not in imported  # the wheel's pandoc is found without importing it
    assert "concurrent.futures.process" not in imported  # no pool of processes


def test_an_epub_build_never_imports_the_pdf_engine(tmp_path: Path) -> None:
    imported = _imported("build", str(SAMPLE), "--out", str(tmp_path), "-f", "epub")
    assert "ebooklib" in imported and (tmp_path / "ukraine-talks" / "ukraine-talks.epub").is_file()
    assert not imported & PDF_ENGINE


def test_a_rebuild_with_nothing_to_do_reads_no_source(tmp_path: Path) -> None:
    _imported("build", str(SAMPLE), "--out", str(tmp_path), "-f", "epub,html")
    imported = _imported(
        "build", str(SAMPLE), "--out", str(tmp_path), "-f", "epub,html", says="up to date"
    )
    assert "dossier.writers.manifest" in imported
    assert not imported & (WRITERS | RENDERING | READING)


def test_an_epub_build_renders_no_print_html(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dossier.config import BuildOptions
    from dossier.pipeline import build_one
    from dossier.render import documents as render

    def unwanted(*args: object) -> str:
        raise AssertionError("the print HTML was rendered for an EPUB build")

    monkeypatch.setattr(render, "_print_html", unwanted)
    options = BuildOptions(formats=("epub",), out=tmp_path, force=True)
    result = build_one(SAMPLE, options)
    assert not result.failed and [a.format for a in result.artifacts] == ["epub"]


def test_engine_versions_read_from_folder_names_are_the_installed_ones() -> None:
    """The input digest's versions come from the ``.dist-info`` folders' names (opening each
    one's metadata costs more than a no-op rebuild): they are what importlib.metadata says."""
    from importlib.metadata import version

    from dossier.writers import manifest

    found = manifest.versions()
    for name in manifest.ENGINES:
        assert manifest._installed().get(manifest._normal(name)) == version(name), name
        assert found[name] == version(name)
