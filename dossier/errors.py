"""Diagnostics with source locations, and the one error type a user can cause."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Level(StrEnum):
    """How bad a diagnostic is: errors stop a build, warnings stop it only under --strict."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A place in a source file; ``line`` is 1-based, 0 when unknown."""

    path: str
    """Path as the user gave it (relative to the working directory where possible)."""
    line: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def shifted(self, lines: int) -> Location:
        """The same file, ``lines`` further down (for text embedded at an offset)."""
        return Location(self.path, self.line + lines if self.line else 0)


def display_path(path: Path) -> str:
    """A path relative to the working directory when it lies below it: short, stable messages."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    """One problem found in the sources, shown as ``path:line: level: message``."""

    location: Location
    level: Level
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.level.value}: {self.message}"


def parse_warning(text: str) -> Diagnostic:
    """A warning back from its ``path:line: warning: message`` form (as the manifest keeps it)."""
    where, _, message = text.partition(": warning: ")
    path, _, line = where.rpartition(":")
    if not line.isdigit():
        path, line = where, "0"
    return Diagnostic(Location(path, int(line)), Level.WARNING, message)


class DossierError(Exception):
    """Problems in the sources that stop a stage; carries every diagnostic of that stage."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))

    @classmethod
    def at(cls, location: Location, message: str) -> DossierError:
        """A single error at ``location``."""
        return cls([Diagnostic(location, Level.ERROR, message)])


@dataclass(slots=True)
class Collector:
    """Gathers diagnostics through a stage, so all problems are reported together."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    _once: dict[tuple[str, str], tuple[int, Location, Callable[[int], str], int]] = field(
        default_factory=dict, init=False, repr=False
    )
    """Per (file, kind) of ``once_per_file``: index of its warning, first place, its
    message, how many were found."""

    def error(self, location: Location, message: str) -> None:
        self.diagnostics.append(Diagnostic(location, Level.ERROR, message))

    def warning(self, location: Location, message: str) -> None:
        self.diagnostics.append(Diagnostic(location, Level.WARNING, message))

    def once_per_file(
        self, kind: str, location: Location, message: Callable[[int], str], count: int = 1
    ) -> None:
        """One warning of ``kind`` per file however often it is found (a file is read, then
        its YAML or JSON is): at the first place, ``message(how many more)``."""
        key = (location.path, kind)
        if key in self._once:
            index, first, said, total = self._once[key]
            if location < first:
                first, said = location, message
            total += count
        else:
            index, first, said, total = len(self.diagnostics), location, message, count
            self.diagnostics.append(Diagnostic(first, Level.WARNING, ""))
        self.diagnostics[index] = Diagnostic(first, Level.WARNING, said(total - 1))
        self._once[key] = (index, first, said, total)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level is Level.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level is Level.WARNING]

    def raise_if_errors(self) -> None:
        """End the stage with every diagnostic so far if any of them is an error."""
        if self.errors:
            raise DossierError(self.diagnostics)
