"""A build killed at any moment never leaves a truncated artifact or loses the last good one."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pypdf

from ..conftest import SAMPLE


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_kill_during_a_build_keeps_the_last_good_artifacts(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(SAMPLE, project / "sources" / SAMPLE.name)
    command = [sys.executable, "-m", "dossier.cli", "build", "--jobs", "1", "--force"]
    subprocess.run(command, cwd=project, check=True, capture_output=True, timeout=300)
    out = project / "build" / SAMPLE.name
    pdf, epub = out / f"{SAMPLE.name}.pdf", out / f"{SAMPLE.name}.epub"
    good = {pdf: _sha(pdf), epub: _sha(epub)}
    first_pdf = good[pdf]
    pages = len(pypdf.PdfReader(pdf).pages)  # the sample's brief; the new edition has no fewer
    assert pages >= 2
    chapter = project / "sources" / SAMPLE.name / "08-outlook.md"
    chapter.write_text(chapter.read_text() + "\nA new paragraph for the next edition.\n")
    for delay in (0.2, 0.6, 1.0, 1.4, 1.8):
        process = subprocess.Popen(
            command,
            cwd=project,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGKILL)  # the layout child too
        process.wait()
        # Each file is either the last good one or a complete new one, never a fragment.
        assert len(pypdf.PdfReader(pdf).pages) >= pages
        with zipfile.ZipFile(epub) as archive:
            assert archive.testzip() is None
        if delay < 0.7:  # too early for the new PDF to be complete: the old one is untouched
            assert _sha(pdf) == first_pdf
        for path, digest in good.items():
            if _sha(path) != digest:
                good[path] = _sha(path)  # a complete newer edition replaced it: fine
    # The next build cleans what killed builds left behind.
    subprocess.run(command, cwd=project, check=True, capture_output=True, timeout=300)
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []
