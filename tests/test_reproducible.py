"""Identical inputs give identical bytes, across processes, hash seeds and folders."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import SAMPLE


def _build(workdir: Path, seed: str) -> dict[str, str]:
    shutil.copytree(SAMPLE, workdir / "sources" / SAMPLE.name)
    env = {**os.environ, "PYTHONHASHSEED": seed}
    subprocess.run(
        [sys.executable, "-m", "dossier.cli", "build"], cwd=workdir, env=env, check=True,
        capture_output=True, timeout=300,
    )  # fmt: skip
    out = workdir / "build" / SAMPLE.name
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir())}


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    first = _build(tmp_path / "one", "1")
    second = _build(tmp_path / "two", "2")
    assert set(first) == {"ukraine-talks.pdf", "ukraine-talks.epub"}
    assert first == second
