"""Running the pandoc executable (from the pypandoc-binary wheel) as a confined component.

Every run is ``--sandbox`` (pandoc reads only what it is given, and never the network), has a
time limit, and turns a failure or a warning into diagnostics instead of a traceback.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

from ..errors import DossierError, Location
from ..text.characters import describe

MINIMUM = (3, 1)
"""The oldest pandoc whose Markdown reader and citeproc dossier is tested against."""
TIMEOUT = 120.0
"""Seconds one pandoc run may take (a 500 KB dossier takes about one)."""
_WARNING = re.compile(r"^\[WARNING\] (.*)$")
_API_VERSION = re.compile(r'\{"pandoc-api-version":\[(\d+(?:,\d+)*)\]')
_api_version: list[int] = []


@cache
def executable() -> str:
    """The pandoc that ships with the pypandoc-binary wheel, else one on PATH
    (``DOSSIER_PANDOC`` names another)."""
    chosen = os.environ.get("DOSSIER_PANDOC", "")
    if chosen:
        return chosen
    # The wheel's binary, found without importing pypandoc: its import and its search (which
    # runs every pandoc it finds) cost more than a short command's whole work.
    spec = importlib.util.find_spec("pypandoc")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        bundled = Path(folder) / "files" / "pandoc"
        if bundled.is_file() and os.access(bundled, os.X_OK):
            return str(bundled)
    try:
        import pypandoc

        path = str(pypandoc.get_pandoc_path())
        if path and Path(path).is_file():
            return path
    except (ImportError, OSError):
        pass
    found = shutil.which("pandoc")
    if found:
        return found
    raise DossierError.at(
        Location("<pandoc>"), "pandoc was not found (install dossier's dependency pypandoc-binary)"
    )


@cache
def version() -> str:
    """pandoc's version, checked once per process: an error when it cannot run or is too old."""
    try:
        out = subprocess.run(
            [executable(), "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise DossierError.at(Location("<pandoc>"), f"pandoc cannot run: {exc}") from None
    match = re.match(r"pandoc\S*\s+(\d+(?:\.\d+)+)", out)
    found = match.group(1) if match else "unknown"
    numbers = tuple(int(n) for n in found.split(".")) if match else (0,)
    if numbers < MINIMUM:
        raise DossierError.at(
            Location("<pandoc>"),
            f"pandoc {found} is too old; dossier needs {'.'.join(map(str, MINIMUM))} or newer",
        )
    return found


def api_version() -> list[int]:
    """The JSON API version of this pandoc (its JSON reader wants its own): as the first run
    that wrote JSON (the Markdown reader's) gave it, else from a run on an empty document."""
    if not _api_version:
        out, _ = run(["-f", "markdown", "-t", "json"], "", Location("<pandoc>"))
        _api_version[:] = json.loads(out)["pandoc-api-version"]
    return list(_api_version)


def run(args: list[str], stdin: str, where: Location) -> tuple[str, list[str]]:
    """pandoc's output and its warnings, for ``args`` (always sandboxed) on ``stdin``."""
    version()
    command = [executable(), "--sandbox", *args]
    try:
        data = stdin.encode("utf-8")
    except UnicodeEncodeError as exc:
        # Sources lose them as they are read (``characters``); pandoc would read the bytes
        # of one as Latin-1, with a warning that says nothing about where.
        found = describe(exc.object[exc.start])
        raise DossierError.at(where, f"{found} cannot be given to pandoc") from None
    try:
        done = subprocess.run(
            command,
            input=data,
            capture_output=True,
            timeout=TIMEOUT,
            env={**os.environ, "LANG": "C.UTF-8"},
        )
    except subprocess.TimeoutExpired:
        raise DossierError.at(where, f"pandoc took longer than {TIMEOUT:.0f} s") from None
    except OSError as exc:
        raise DossierError.at(where, f"pandoc cannot run: {exc}") from None
    errors = done.stderr.decode("utf-8", "replace")
    if done.returncode != 0:
        message = " ".join(errors.split()) or f"exit status {done.returncode}"
        raise DossierError.at(where, f"pandoc failed: {message}")
    warnings = []
    for line in errors.splitlines():
        if match := _WARNING.match(line.strip()):
            warnings.append(match.group(1))
        elif line.strip() and warnings:
            warnings[-1] += " " + line.strip()  # a warning continued on the next line
    out = done.stdout.decode("utf-8")
    if not _api_version and (api := _API_VERSION.match(out)):
        _api_version[:] = [int(n) for n in api.group(1).split(",")]
    return out, warnings
