"""The ``dossier`` command: the only place that prints, and maps problems to exit codes."""

from __future__ import annotations

import gc
import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from .config import FORMATS, LAYOUTS, PDF_VARIANTS, BuildOptions
from .errors import Diagnostic, DossierError, Level, Location
from .pipeline import (
    SOURCES,
    Result,
    build_many,
    default_jobs,
    discover,
    kept_conversions,
    prepare,
)
from .pipeline import shard as shard_of
from .progress import Progress
from .runtime.limits import MEMORY_MB, SECONDS, Limits
from .version import __version__

_SETTINGS: dict[str, Any] = {
    "help": "Build policy briefings (Markdown + YAML) into a print PDF and an EPUB.",
    "no_args_is_help": True,
    "add_completion": False,
    "pretty_exceptions_enable": False,
}
"""The application's, and a command's alone (``_only``)."""
app = typer.Typer(**_SETTINGS)

Paths = Annotated[
    list[Path] | None,
    typer.Argument(help="Dossier folders or Markdown files. Default: every dossier in sources/."),
]
Strict = Annotated[bool, typer.Option("--strict", help="Exit 1 on warnings too.")]


def _err(message: str) -> None:
    typer.echo(message, err=True)


def _formats(value: str) -> tuple[str, ...]:
    formats = tuple(f.strip().lower() for f in value.split(",") if f.strip())
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise typer.BadParameter(f"choose from {', '.join(FORMATS)} (comma-separated)")
    return formats


def _report(diagnostics: tuple[Diagnostic, ...]) -> None:
    for diagnostic in sorted(set(diagnostics), key=lambda d: (d.location, d.message)):
        _err(str(diagnostic))


def _shard(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    k, _, n = value.partition("/")
    if not (k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise typer.BadParameter("give K/N with 1 <= K <= N, e.g. 1/4", param_hint="--shard")
    return int(k), int(n)


@app.command()
def build(
    paths: Paths = None,
    format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="Comma-separated: pdf, epub, html, docx (a review copy for Word).",
        ),
    ] = "pdf,epub",
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("build"),
    strict: Strict = False,
    theme: Annotated[str | None, typer.Option(help="Theme name or folder.")] = None,
    pdf_variant: Annotated[
        str, typer.Option(help=f"One of {', '.join(PDF_VARIANTS)}.")
    ] = "pdf/ua-1",
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Worker processes (default: cores); one long PDF is laid out on them in parts.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option(help="Rebuild artifacts that are up to date.")] = False,
    shard: Annotated[
        str | None, typer.Option(help="Build only share K of N of the dossiers (CI matrix).")
    ] = None,
    allow_remote: Annotated[
        bool, typer.Option(help="Fetch http(s) images (public addresses only).")
    ] = False,
    changes_since: Annotated[
        str | None,
        typer.Option(help="Add a 'Changes since' chapter against a git revision or older copy."),
    ] = None,
    pdf_timeout: Annotated[
        float, typer.Option(min=1, help="Seconds one PDF's layout may take.")
    ] = SECONDS,
    pdf_memory: Annotated[
        int, typer.Option(min=64, help="Megabytes one PDF's layout may use.")
    ] = MEMORY_MB,
    one_pass: Annotated[
        bool, typer.Option(help="Lay out every PDF in one pass, never in parallel parts.")
    ] = False,
    layout: Annotated[
        str | None,
        typer.Option(help="Print layout: brief, report or auto; overrides the metadata."),
    ] = None,
    timings: Annotated[
        bool, typer.Option("--timings", help="Print where the time went, on stderr.")
    ] = False,
) -> None:
    """Build dossiers into build/<slug>/<slug>.pdf, .epub (and .html, .docx)."""
    began = time.monotonic()
    if layout is not None and layout not in LAYOUTS:
        raise typer.BadParameter(f"choose from {', '.join(LAYOUTS)}", param_hint="--layout")
    if pdf_variant not in PDF_VARIANTS:
        raise typer.BadParameter(
            f"choose from {', '.join(PDF_VARIANTS)}", param_hint="--pdf-variant"
        )
    selected = _shard(shard)
    options = BuildOptions(
        formats=_formats(format),
        out=out,
        strict=strict,
        theme=theme,
        pdf_variant=pdf_variant,
        jobs=jobs or default_jobs(),
        force=force,
        allow_remote=allow_remote,
        changes_since=changes_since,
        one_pass=one_pass,
        layout=layout,
        limits=Limits(pdf_timeout, pdf_memory),
    )
    try:
        sources = discover(paths or [])
    except DossierError as exc:
        _report(exc.diagnostics)
        raise typer.Exit(1) from None
    if selected:
        sources = shard_of(sources, *selected)
    with Progress() as progress:
        results = build_many(sources, options, progress=progress.update)
    for result in results:
        _report(result.diagnostics)
        for entry in result.current:
            typer.echo(f"up to date: {options.out / entry.path}")
    if timings:
        _timings(results, began)
    raise typer.Exit(_exit_code(results, strict))


def _timings(results: list[Result], began: float) -> None:
    from .runtime.timings import lines

    _err(f"timings (seconds since the build started; {time.monotonic() - began:.2f} s in all):")
    for result in results:
        for line in lines(result.timings, began):
            _err(f"  {result.source}: {line}")


def _exit_code(results: list[Result], strict: bool) -> int:
    failed = [r for r in results if r.failed or (strict and r.warnings)]
    for result in failed:
        _err(f"failed: {result.source}")
    return 1 if failed else 0


@app.command()
def check(
    paths: Paths = None,
    strict: Strict = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")] = False,
) -> None:
    """Load and resolve dossiers without rendering; report every problem."""
    found: list[tuple[str, tuple[Diagnostic, ...]]] = []
    try:
        sources = discover(paths or [])
    except DossierError as exc:
        _report(exc.diagnostics)
        raise typer.Exit(1) from None
    for source in sources:
        try:
            # A build's conversions are used; ``check`` writes nothing, them included.
            resolved = prepare(source, conversions=kept_conversions(BuildOptions().out, source))
            found.append((str(source), resolved.diagnostics))
        except DossierError as exc:
            found.append((str(source), exc.diagnostics))
    diagnostics = tuple(d for _, ds in found for d in ds)
    bad = any(d.level is Level.ERROR or strict for d in diagnostics)
    if as_json:
        typer.echo(json.dumps(_as_json(found), indent=2, ensure_ascii=False))
    else:
        _report(diagnostics)
    raise typer.Exit(1 if bad else 0)


def _as_json(found: list[tuple[str, tuple[Diagnostic, ...]]]) -> dict[str, object]:
    return {
        "version": 1,
        "dossiers": [
            {
                "source": source,
                "diagnostics": [
                    {
                        "path": d.location.path,
                        "line": d.location.line,
                        "level": d.level.value,
                        "message": d.message,
                    }
                    for d in sorted(set(ds), key=lambda d: (d.location, d.message))
                ],
            }
            for source, ds in found
        ],
    }


@app.command("merge-manifests")
def merge_manifests(
    manifests: Annotated[list[Path], typer.Argument(help="manifest.json files (CI shards).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Merged manifest.")] = Path(
        "build/manifest.json"
    ),
) -> None:
    """Merge the manifests of several shards into one."""
    from .writers.manifest import merge

    documents = [json.loads(path.read_text(encoding="utf-8")) for path in manifests]
    out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(merge(documents), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    out.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {out}")


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="The older version: a path, or a git revision.")],
    new: Annotated[Path, typer.Argument(help="The newer version (a dossier path).")],
) -> None:
    """What changed: metadata, key points, paragraphs, players, stances, timeline, sources."""
    from .changes.report import summary
    from .changes.revisions import against

    try:
        changes = against(old, new)
    except DossierError as exc:
        _report(exc.diagnostics)
        raise typer.Exit(1) from None
    for line in summary(changes):
        typer.echo(line)


@app.command()
def new(
    slug: Annotated[str, typer.Argument(help="Folder name under sources/ (letters, digits, -).")],
    single_file: Annotated[
        bool, typer.Option(help="One Markdown file instead of a folder.")
    ] = False,
) -> None:
    """Scaffold a dossier in sources/ that builds at once."""
    from .workflow.scaffold import scaffold

    try:
        created = scaffold(Path("sources"), slug, single_file)
    except DossierError as exc:
        _report(exc.diagnostics)
        raise typer.Exit(1) from None
    for path in created:
        typer.echo(f"created {path}")


@app.command("import")
def import_(
    draft: Annotated[Path, typer.Argument(help="The Word file (.docx).")],
    into: Annotated[
        Path | None, typer.Option(help="Folder to create. Default: sources/<slug of its title>.")
    ] = None,
) -> None:
    """Turn a Word draft into a dossier folder that builds at once; never overwrites one."""
    from .workflow.importer import import_docx

    try:
        imported = import_docx(draft, into)
    except DossierError as exc:
        _report(exc.diagnostics)
        raise typer.Exit(1) from None
    _report(imported.diagnostics)
    for path in imported.files:
        typer.echo(f"created {path}")


@app.command()
def preview(
    path: Annotated[
        Path | None, typer.Argument(help="Dossier (default: the only one in sources/).")
    ] = None,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8000,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    pdf: Annotated[bool, typer.Option(help="Also rebuild the PDF in the background.")] = False,
    theme: Annotated[str | None, typer.Option(help="Theme name or folder.")] = None,
    exit_after: Annotated[float | None, typer.Option(hidden=True)] = None,
) -> None:
    """Serve the dossier as HTML on localhost; it reloads on every save."""
    from .workflow.preview import Preview, serve

    try:
        found = discover([path] if path else [])
        if len(found) > 1:
            # Which one was meant is for the user to say, not the first by name.
            names = ", ".join(str(p) for p in found)
            where = Location(str(path or SOURCES))
            raise DossierError.at(where, f"{len(found)} dossiers here; preview one: {names}")
    except DossierError as exc:
        _report(exc.diagnostics)
        raise typer.Exit(1) from None
    source = found[0]
    typer.echo(f"previewing {source} at http://{host}:{port}/ (Ctrl-C to stop)")
    serve(Preview(source, theme, pdf), host, port, exit_after)


@app.command()
def version() -> None:
    """Print the versions of dossier and its engines."""
    from importlib.metadata import version as package_version

    from .engine import gate
    from .errors import DossierError
    from .runtime import pandoc

    typer.echo(f"dossier {__version__}")
    for name in ("weasyprint", "ebooklib"):
        typer.echo(f"{name} {package_version(name)}")
    typer.echo(gate.support().summary())
    try:
        typer.echo(f"pandoc {pandoc.version()} ({pandoc.executable()})")
    except DossierError as exc:
        typer.echo(f"pandoc: {exc}", err=True)


def main() -> None:
    """Console entry point: usage errors exit 2 (Click), content errors 1."""
    try:
        sys.exit(_only(sys.argv[1:2])())
    finally:
        # Everything is written and the process ends: spare the interpreter's last
        # collection walking every object the build made (a fifth of a short command).
        gc.freeze()


def _only(first: list[str]) -> typer.Typer:
    """The application with only the command named first, if one is: before running any,
    Typer makes a Click command of every registered one (reading their signatures and
    evaluating their annotations), a tenth of what ``check`` takes. Help, an unknown name
    and options before the name get the whole application."""
    named = [c for c in app.registered_commands if first and _command_name(c) == first[0]]
    if not named:
        return app
    single = typer.Typer(**_SETTINGS)
    single.registered_commands = named
    # A callback keeps it a group, as the whole application is: with one command and none,
    # Typer would run the command itself and read its name as an argument.
    single.callback()(_group)
    return single


def _group() -> None:
    pass  # nothing of its own: the group's help is the settings'


def _command_name(command: typer.models.CommandInfo) -> str:
    if command.name:
        return command.name
    callback = command.callback
    return typer.main.get_command_name(callback.__name__) if callback else ""


if __name__ == "__main__":
    main()
