"""Ace by DAISY on a built EPUB, through ``scripts/ace`` (the command the README gives), and
what its JSON report says."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "ace"
CLI = ROOT / ".tools" / "ace" / "node_modules" / "@daisy" / "ace-cli" / "bin" / "ace.js"
VERSION = "1.4.6"


@dataclass(frozen=True)
class AceReport:
    violations: list[str]
    """Each violation as ``impact rule document: html``."""
    documents: set[str]
    """The documents Ace checked (the package document and each XHTML file)."""
    raw: dict[str, Any]


def ace(book: Path, out: Path) -> AceReport:
    """Run Ace on ``book``, with its report (and Ace's and Chromium's settings) under ``out``."""
    installed = CLI.is_file() and shutil.which("node") and Path("/usr/bin/chromium").exists()
    assert installed, "Ace by DAISY (Node.js, Chromium, .tools/ace) is missing: run scripts/setup"
    # Ace's settings and Chromium's crash folder go to the test's folder, not the home.
    env = {**os.environ, "XDG_CONFIG_HOME": str(out / "config")}
    report = out / "report"
    result = subprocess.run(
        [str(SCRIPT), str(book), str(report)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    # 0: no violation, 1: violations (read from the report below); anything else: Ace failed.
    assert result.returncode in (0, 1), result.stdout + result.stderr
    data = json.loads((report / "report.json").read_text(encoding="utf-8"))
    assert data["earl:assertedBy"]["doap:release"]["doap:revision"] == VERSION
    violations, documents = [], set()
    for subject in data["assertions"]:
        documents.add(subject["earl:testSubject"]["url"])
        for found in subject["assertions"]:
            test, where = found["earl:test"], found["earl:result"]
            violations.append(
                f"{test['earl:impact']} {test['dct:title']} {subject['earl:testSubject']['url']}: "
                f"{where.get('html', '')[:300]}"
            )
    # scripts/ace says the same as the report: exit 1 with violations, 0 without.
    assert result.returncode == (1 if violations else 0), result.stdout + result.stderr
    return AceReport(violations, documents, data)
