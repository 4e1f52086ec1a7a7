"""Identical inputs give identical bytes: across processes, hash seeds, folders and clocks."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import SAMPLE


def _build(workdir: Path, seed: str, clock: str | None = None) -> dict[str, str]:
    shutil.copytree(SAMPLE, workdir / "sources" / SAMPLE.name)
    env = {**os.environ, "PYTHONHASHSEED": seed}
    command = [sys.executable, "-m", "dossier.cli", "build", "--jobs", "2", "-f", "pdf,epub,docx"]
    if clock:
        faketime = shutil.which("faketime")
        assert faketime, "faketime is a test dependency (scripts/setup installs it)"
        command = [faketime, clock, *command]
    subprocess.run(command, cwd=workdir, env=env, check=True, capture_output=True, timeout=300)
    out = workdir / "build"
    return {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        # Pandoc's kept conversions are not an output (and are named after the source's path).
        if p.is_file() and ".cache" not in p.relative_to(out).parts
    }


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    first = _build(tmp_path / "one", "1")
    second = _build(tmp_path / "elsewhere" / "two", "2", clock="2031-03-04 05:06:07")
    assert set(first) == {
        "manifest.json",
        "ukraine-talks/ukraine-talks.pdf",
        "ukraine-talks/ukraine-talks.epub",
        "ukraine-talks/ukraine-talks.docx",
    }
    assert first == second
