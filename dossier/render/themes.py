"""Themes: folders of CSS, fonts and template overrides, layered by file name."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import theme_name_problem
from ..errors import DossierError, Location

if TYPE_CHECKING:  # the model is imported where dossiers are loaded, not by every command
    from ..model import Dossier

THEME_URL_PREFIX = "_theme/"
"""Where the print HTML finds theme files, relative to itself (see ``fetcher``)."""


def builtin_styles() -> Path:
    """The built-in ``styles/`` folder: packaged in the wheel, or the source checkout's."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "_styles"
    return packaged if packaged.is_dir() else package.parent / "styles"


TEMPLATES_AHEAD = "templates"
"""The ``runtime.ahead`` key (with the theme) of its templates compiled while pandoc runs."""


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
        """Every file of the theme by relative name, upper layers winning, sorted by name;
        as in ``find``, a symlink leading out of its folder is not a file of the theme."""
        found: dict[str, Path] = {}
        for folder in reversed(self.dirs):
            for path in sorted(folder.rglob("*")):
                if (
                    path.is_file()
                    and "templates" not in path.relative_to(folder).parts
                    and path.resolve().is_relative_to(folder.resolve())
                ):
                    found[path.relative_to(folder).as_posix()] = path
        return dict(sorted(found.items()))

    @property
    def template_dirs(self) -> list[Path]:
        return [d / "templates" for d in self.dirs if (d / "templates").is_dir()]


def load_theme(name: str, user_styles: Path | None = None, where: Location | None = None) -> Theme:
    """The theme called ``name``, or the theme folder at that path: what the command line and
    the Python API's ``theme=`` choose (their user may name any folder)."""
    as_path = Path(name)
    if as_path.is_dir() and (as_path / "print.css").is_file():
        return _folder_theme(as_path)
    return _named(name, user_styles, where or Location("<theme>"))


def dossier_theme(
    name: str, root: Path | None, user_styles: Path | None = None, where: Location | None = None
) -> Theme:
    """The theme a dossier's metadata names. The metadata is untrusted and a theme's files are
    read, hashed and copied into the outputs: the name is a built-in theme, or a theme folder
    in the dossier's folder or in the project's ``styles/``, never a path or a symlink out."""
    at = where or Location("<theme>")
    if problem := theme_name_problem(name):
        raise DossierError.at(at, problem)
    if root is not None:
        own = root / name
        if own.is_dir():
            _stays_in(own, root, "the dossier's folder", at)
            if (own / "print.css").is_file():
                return _folder_theme(own)
    styles = user_styles or Path.cwd() / "styles"
    if (styles / name).is_dir():
        _stays_in(styles / name, styles, "styles/", at)
    return _named(name, styles, at)


def theme_for(dossier: Dossier, chosen: str | None = None) -> Theme:
    """The theme a build uses: ``chosen`` on the command line, else the dossier's own."""
    if chosen:
        return load_theme(chosen, where=dossier.at("theme"))
    return dossier_theme(dossier.theme, dossier.root, where=dossier.at("theme"))


def _stays_in(folder: Path, base: Path, said: str, where: Location) -> None:
    if not folder.resolve().is_relative_to(base.resolve()):
        raise DossierError.at(where, f"theme folder '{folder.name}' leads outside {said}")


def _folder_theme(folder: Path) -> Theme:
    base = builtin_styles() / "default"
    return Theme(folder.name, (folder.resolve(), base.resolve()))


def _named(name: str, user_styles: Path | None, where: Location) -> Theme:
    dirs: list[Path] = []
    builtin = builtin_styles() / name
    user = (user_styles or Path.cwd() / "styles") / name
    if user.is_dir() and user.resolve() != builtin.resolve():
        dirs.append(user.resolve())
    if builtin.is_dir():
        dirs.append(builtin.resolve())
    if not dirs:
        known = sorted(p.name for p in builtin_styles().iterdir() if p.is_dir())
        raise DossierError.at(where, f"unknown theme '{name}' (known: {', '.join(known)})")
    if name != "default":
        dirs.append((builtin_styles() / "default").resolve())
    return Theme(name, tuple(dirs))
