"""What the build shows while it runs: a progress bar on a terminal, one line per artifact
otherwise (CI logs)."""

from __future__ import annotations

import sys
from types import TracebackType

import typer

from .pipeline import Result


class Progress:
    """Call ``update`` with each finished task's result."""

    def __init__(self) -> None:
        self.live = sys.stderr.isatty()
        self._bar: object | None = None

    def __enter__(self) -> Progress:
        if self.live:
            from rich.progress import Progress as Bar

            bar = Bar(transient=True)
            bar.start()
            self._task = bar.add_task("building", total=None)
            self._bar = bar
        return self

    def update(self, result: Result) -> None:
        for artifact in result.artifacts:
            pages = f" ({artifact.pages} pages)" if artifact.pages else ""
            line = f"wrote {artifact.path}{pages}"
            if self._bar is not None:
                self._bar.console.print(line)  # type: ignore[attr-defined]
                self._bar.advance(self._task)  # type: ignore[attr-defined]
            else:
                typer.echo(line)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()  # type: ignore[attr-defined]
