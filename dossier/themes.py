"""Themes: folders of CSS, fonts and template overrides, layered by file name."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import DossierError, Location

THEME_URL_PREFIX = "_theme/"
"""Where the print HTML finds theme files, relative to itself (see ``fetcher``)."""


def builtin_styles() -> Path:
    """The built-in ``styles/`` folder: packaged in the wheel, or the source checkout's."""
    packaged = Path(__file__).parent / "_styles"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "styles"


@dataclass(frozen=True, slots=True)
class Theme:
    """A theme's folders, highest priority first (the user's ``styles/<name>`` over ours)."""

    name: str
    dirs: tuple[Path, ...]

    def find(self, relative: str) -> Path | None:
        """The first file of that name in the theme's folders, if any."""
        for folder in self.dirs:
            candidate = (folder / relative).resolve()
            if candidate.is_relative_to(folder.resolve()) and candidate.is_file():
                return candidate
        return None

    def files(self) -> dict[str, Path]:
        """Every file of the theme by relative name, upper layers winning, sorted by name."""
        found: dict[str, Path] = {}
        for folder in reversed(self.dirs):
            for path in sorted(folder.rglob("*")):
                if path.is_file() and "templates" not in path.relative_to(folder).parts:
                    found[path.relative_to(folder).as_posix()] = path
        return dict(sorted(found.items()))

    @property
    def template_dirs(self) -> list[Path]:
        return [d / "templates" for d in self.dirs if (d / "templates").is_dir()]


def load_theme(name: str, user_styles: Path | None = None, where: Location | None = None) -> Theme:
    """The theme called ``name`` (or a path to a theme folder)."""
    as_path = Path(name)
    if as_path.is_dir() and (as_path / "print.css").is_file():
        base = builtin_styles() / "default"
        return Theme(as_path.name, (as_path.resolve(), base.resolve()))
    dirs: list[Path] = []
    builtin = builtin_styles() / name
    user = (user_styles or Path.cwd() / "styles") / name
    if user.is_dir() and user.resolve() != builtin.resolve():
        dirs.append(user.resolve())
    if builtin.is_dir():
        dirs.append(builtin.resolve())
    if not dirs:
        known = sorted(p.name for p in builtin_styles().iterdir() if p.is_dir())
        raise DossierError.at(
            where or Location("<theme>"), f"unknown theme '{name}' (known: {', '.join(known)})"
        )
    if name != "default":
        dirs.append((builtin_styles() / "default").resolve())
    return Theme(name, tuple(dirs))
