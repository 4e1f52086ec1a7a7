"""The older version ``dossier diff`` and ``build --changes-since`` compare with: a copy's
path, or a git revision of the dossier read with ``git archive`` into a temporary folder."""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import DossierError, Location, display_path
from ..sources.loader import load
from .compare import Changes, compare


@contextmanager
def at_revision(revision: str, path: Path) -> Iterator[Path]:
    """The dossier at ``path`` as it was at git ``revision``, in a temporary folder."""
    folder = path if path.is_dir() else path.parent
    where = Location(display_path(path))
    try:
        top = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        relative = folder.resolve().relative_to(Path(top).resolve()).as_posix() or "."
        archive = subprocess.run(
            ["git", "-C", top, "archive", revision, "--", relative], capture_output=True, check=True
        ).stdout
    except (OSError, ValueError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", b"") or str(exc)
        text = detail.decode(errors="replace") if isinstance(detail, bytes) else detail
        raise DossierError.at(where, f"cannot read revision '{revision}': {text.strip()}") from None
    with tempfile.TemporaryDirectory() as temporary:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(temporary, filter="data")
        old = Path(temporary) / relative
        yield old if path.is_dir() else old / path.name


def against(old_spec: str, new: Path) -> Changes:
    """Changes from ``old_spec`` (a path, or a git revision of ``new``) to ``new``."""
    current = load(new)
    if Path(old_spec).exists():
        return compare(load(old_spec), current)
    with at_revision(old_spec, new) as old_path:
        old = load(old_path)
    changes = compare(old, current)
    if not old.version:
        changes.old_version = old_spec
    return changes
