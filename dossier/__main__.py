"""The ``dossier`` command (its console script, and ``python -m dossier``).

A command that reads dossiers (``build``, ``check``) has pandoc started first, before the
command line's modules are imported: pandoc's start-up, and citeproc readying its tables,
then overlap that import instead of waiting behind it (a sixth of a short build). Sessions a
command does not use (nothing to rebuild, conversions kept from a build) end with it."""

from __future__ import annotations

import contextlib
import sys

_READING = ("build", "check")


def main() -> None:
    if sys.argv[1:2] and sys.argv[1] in _READING and "--help" not in sys.argv:
        _start_pandoc()
    from .cli import main as command_line

    command_line()


def _start_pandoc() -> None:
    from .citations.styles import BUILTIN
    from .errors import DossierError
    from .runtime import pandoc

    # No pandoc to run: the command says so where it needs one, with the reason.
    with contextlib.suppress(DossierError):
        pandoc.start(warm=BUILTIN)


if __name__ == "__main__":
    main()
