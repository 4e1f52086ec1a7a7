"""Writing files atomically: through a temporary file beside the target and a rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import DossierError, Location, display_path


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename: readers (and a
    crash or a full disk) never see a half-written file, and the last good one survives."""
    blocking = next((p for p in (path.parent, *path.parent.parents) if p.exists()), None)
    if blocking is not None and not blocking.is_dir():
        raise DossierError.at(
            Location(display_path(path)), f"cannot write here: {display_path(blocking)} is a file"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for stale in path.parent.glob(f".{path.name}.*"):  # left by a build that was killed
            stale.unlink(missing_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise DossierError.at(
            Location(display_path(path)), f"cannot write here: {exc.strerror or exc}"
        ) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as exc:  # a full disk, a quota: the last good file stays as it was
        Path(temporary).unlink(missing_ok=True)
        raise DossierError.at(
            Location(display_path(path)), f"cannot write the file: {exc.strerror or exc}"
        ) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
