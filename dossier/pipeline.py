"""The readable top-to-bottom build: load, resolve, render, write; for one dossier or many,
in parallel processes, skipping what is up to date, and recording it all in a manifest."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, Future, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .config import FORMATS, METADATA_FILE, BuildOptions
from .errors import (
    Collector,
    Diagnostic,
    DossierError,
    Level,
    Location,
    display_path,
    parse_warning,
)
from .render.themes import TEMPLATES_AHEAD, Theme, theme_for
from .runtime import ahead, converted, pandoc, timings
from .text.characters import drop_forbidden
from .text.slugs import slugify
from .writers.base import get_writer, warm
from .writers.manifest import (
    Entry,
    file_digest,
    input_digest,
    is_current,
    load_manifest,
    write_manifest,
)

# Loading, resolving and rendering are imported where they run: ``check`` renders nothing,
# and a rebuild with everything up to date loads nothing.
if TYPE_CHECKING:
    from .model import Dossier, ResolvedDossier
    from .render.documents import Rendered
    from .runtime.timings import Span
    from .writers.base import Artifact

    Source = Dossier | str | Path

SOURCES = Path("sources")
"""Where ``dossier build`` without a path looks for dossiers."""


@dataclass(frozen=True, slots=True)
class Result:
    """What building one dossier gave: files written, and every diagnostic on the way."""

    source: str
    artifacts: tuple[Artifact, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    current: tuple[Entry, ...] = ()
    """Artifacts that were up to date and not rebuilt."""
    inputs: str = ""
    """Digest of the inputs (empty for a ``Dossier`` built in code)."""
    timings: tuple[Span, ...] = ()
    """Where the build's time went (``--timings``)."""

    @property
    def failed(self) -> bool:
        return any(d.level is Level.ERROR for d in self.diagnostics)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.level is Level.WARNING)


def discover(paths: Sequence[Path] = ()) -> list[Path]:
    """The dossiers to build: the given paths, or every dossier folder and Markdown file
    directly under ``./sources/``, sorted by name. A given folder of dossiers (no
    ``dossier.yaml`` of its own, dossier folders in it, as ``sources/``) stands for the
    dossiers in it, so that ``dossier build sources`` builds what ``dossier build`` does."""
    if paths:
        return [found for path in paths for found in _collection(path) or [path]]
    if not SOURCES.is_dir():
        raise DossierError.at(Location(str(SOURCES)), "no dossier given and no sources/ folder")
    found = _dossiers_in(SOURCES)
    if not found:
        raise DossierError.at(Location(str(SOURCES)), "no dossiers found in sources/")
    return found


def _dossiers_in(folder: Path) -> list[Path]:
    return [
        p
        for p in sorted(folder.iterdir())
        if (p.is_dir() and (p / METADATA_FILE).is_file()) or (p.is_file() and p.suffix == ".md")
    ]


def _collection(path: Path) -> list[Path]:
    """The dossiers in ``path`` if it is a folder of dossiers, else nothing. A folder of
    chapters whose ``dossier.yaml`` is missing holds no dossier folder: it stays one dossier,
    and its missing file is reported."""
    if not path.is_dir() or (path / METADATA_FILE).is_file():
        return []
    found = _dossiers_in(path)
    return found if any(p.is_dir() for p in found) else []


def shard(sources: Sequence[Path], k: int, n: int) -> list[Path]:
    """Shard ``k`` of ``n`` (1-based): the sources sorted by path, dealt round-robin. Every CI
    matrix job sees the same checkout, so they agree without talking to each other, and
    the shares differ by at most one dossier."""
    return [s for i, s in enumerate(sorted(sources)) if i % n == k - 1]


def prepare(
    source: Source,
    allow_remote: bool = False,
    loaded: Callable[[Dossier], None] | None = None,
    conversions: converted.Conversions | None = None,
) -> ResolvedDossier:
    """Load (unless given a ``Dossier``) and resolve; raises DossierError on any error.
    ``loaded`` is called with the dossier before it is resolved (to start work ahead).
    Pandoc's conversions are looked up in (and added to) ``conversions``, which a build keeps
    (``kept_conversions``)."""
    from .citations.styles import BUILTIN

    # Pandoc starts first, and readies citeproc, while the modules below are imported and
    # the dossier is loaded (unless a previous build's conversions may spare it); it is
    # ended once the dossier is resolved (before any writer forks processes of its own).
    converting = conversions is None or not conversions.path.is_file()
    if converting:
        pandoc.start(warm=BUILTIN)
    try:
        from .sources.loader import load

        with converted.using(conversions):
            dossier = load(source) if isinstance(source, str | Path) else source
            if converting and dossier.lang:
                pandoc.ready_citations(BUILTIN, dossier.lang)
            if loaded is not None:
                loaded(dossier)  # before any thread of the reading below: it may fork
            if converting:
                from .markup.pieces import read_ahead

                read_ahead(dossier)  # pandoc reads while the resolving stage is imported
            from .resolve.stage import resolve

            if not dossier.slug:
                # From the title as it is shown: without the characters ``resolve`` drops.
                title = drop_forbidden(dossier.title)[0]
                dossier = dataclasses.replace(dossier, slug=slugify(title))
            resolved = resolve(dossier, allow_remote)
    finally:
        pandoc.close()
    Collector(list(resolved.diagnostics)).raise_if_errors()
    return resolved


def kept_conversions(out: Path, source: Source) -> converted.Conversions | None:
    """Pandoc's conversions for ``source`` kept in the output folder ``out`` by its last
    build: one file per dossier source (none for a ``Dossier`` built in code)."""
    if not isinstance(source, str | Path):
        return None
    where = Path(source).resolve()
    name = slugify(where.name)[:40] or "dossier"
    digest = hashlib.sha256(str(where).encode()).hexdigest()[:12]
    return converted.Conversions(out / ".cache" / f"{name}-{digest}.json")


def with_changes(path: Path, since: str) -> Dossier:
    """The dossier at ``path`` with a first chapter listing what changed since ``since``."""
    from .changes.report import chapter
    from .changes.revisions import against
    from .sources.loader import load
    from .text.terms import terms

    current = load(path)
    changes = chapter(against(since, path), terms(current.lang))
    return dataclasses.replace(current, chapters=(changes, *current.chapters))


def with_remote(rendered: Rendered) -> Rendered:
    """Fetch remote images (allowed with --allow-remote) and point the outputs at copies."""
    if not rendered.resolved.remote:
        return rendered
    from markupsafe import escape

    from .sources.remote import fetch, local_name

    collector, files = Collector(), {}
    print_html, documents = rendered.print_html, list(rendered.epub_documents)
    for url, location in rendered.resolved.remote:
        try:
            files[local_name(url)] = fetch(url, location)
        except DossierError as exc:
            collector.diagnostics.extend(exc.diagnostics)
            continue
        old, new = f'src="{escape(url)}"', f'src="{local_name(url)}"'
        print_html = print_html.replace(old, new)
        documents = [dataclasses.replace(d, xhtml=d.xhtml.replace(old, new)) for d in documents]
    collector.raise_if_errors()
    return dataclasses.replace(
        rendered, print_html=print_html, epub_documents=tuple(documents), remote_files=files
    )


def _name(source: Source) -> str:
    return display_path(Path(source)) if isinstance(source, str | Path) else source.title


def write(
    source: Source,
    formats: Sequence[str],
    options: BuildOptions,
    page_map: tuple[tuple[str, str], ...] = (),
    layout_hints: dict[str, int] | None = None,
) -> Result:
    """Load, resolve, render and write ``formats`` (in the order pdf, epub, html, docx: the
    PDF's final HTML and page numbers feed the EPUB and the HTML)."""
    spans: list[Span] = []
    try:
        with timings.spans(spans, "loaded and resolved"):
            if options.changes_since and isinstance(source, str | Path):
                source = with_changes(Path(source), options.changes_since)
            kept = kept_conversions(options.out, source)
            resolved = prepare(source, options.allow_remote, _ahead(formats, options), kept)
        theme = theme_for(resolved.dossier, options.theme)
        hints = layout_hints or {}
        from .render.documents import render

        with timings.spans(spans, "rendered"):
            # Only what the formats written use: an EPUB or Word build renders no print
            # HTML, a PDF or HTML build no EPUB documents (Word takes the resolved blocks).
            rendered = render(
                resolved,
                theme,
                options.layout,
                print_html=_prints(formats),
                epub="epub" in formats,
            )
        rendered = with_remote(dataclasses.replace(rendered, page_map=page_map, layout_hints=hints))
        folder = options.out / resolved.dossier.slug
        written: list[Artifact] = []
        with timings.spans(spans, "work ahead settled"):
            ahead.settle()
        for fmt in (f for f in FORMATS if f in formats):
            with timings.spans(spans, f"{fmt} written"):
                artifact = get_writer(fmt)(rendered, theme, folder, options)
            spans.extend(dataclasses.replace(t, what=f"{fmt} {t.what}") for t in artifact.timings)
            if artifact.print_html is not None:
                rendered = dataclasses.replace(
                    rendered, print_html=artifact.print_html, page_map=artifact.page_map
                )
            written.append(artifact)
        if kept is not None:
            kept.save()
    except DossierError as exc:
        return Result(_name(source), diagnostics=exc.diagnostics)
    finally:
        ahead.forget()
    found = [*resolved.diagnostics, *(d for a in written for d in a.diagnostics)]
    return Result(_name(source), tuple(written), tuple(found), timings=tuple(spans))


def _ahead(formats: Sequence[str], options: BuildOptions) -> Callable[[Dossier], None]:
    """What to start once the dossier is loaded, while it is resolved (mostly a wait for
    pandoc): import the writers (and warm WeasyPrint up), compile the templates, draw the
    EPUB's cover. Only the starting happens here, on the build's own path; nothing started
    reports: the build does the same work again if it failed."""

    def start(dossier: Dossier) -> None:
        # The cover first, drawn in a child of its own while this process has no other
        # thread (forking is safe then); the rest in turn on one thread.
        # A theme or a date that fails here fails again where the build uses it, and is
        # reported there, with its location.
        theme = None
        with contextlib.suppress(Exception):
            theme = theme_for(dossier, options.theme)
            if "epub" in formats:
                from .render.cover import draw_ahead

                draw_ahead(dossier, theme)
        warm(formats, dossier.lang)
        if theme is not None:
            ahead.start((TEMPLATES_AHEAD, theme), _compile_templates, theme, formats)

    return start


def _compile_templates(theme: Theme, formats: Sequence[str]) -> None:
    """Imported here, on the thread ahead: Jinja's import is part of the work."""
    from .render.documents import compile_templates

    compile_templates(theme, print_html=_prints(formats), epub="epub" in formats)


def _prints(formats: Sequence[str]) -> bool:
    """Whether the formats use the print HTML."""
    return "pdf" in formats or "html" in formats


@dataclass(frozen=True, slots=True)
class _Plan:
    """One dossier's work: formats to write, grouped into tasks that may run in parallel."""

    source: Source
    inputs: str
    current: tuple[Entry, ...]
    tasks: tuple[tuple[str, ...], ...]
    page_map: tuple[tuple[str, str], ...]
    layout_hints: dict[str, int] = dataclasses.field(default_factory=dict)


def _plan(source: Source, options: BuildOptions, manifest: dict[tuple[str, str], Entry]) -> _Plan:
    wanted = [f for f in FORMATS if f in options.formats]
    if not isinstance(source, str | Path):
        return _Plan(source, "", (), _split(wanted, options), ())
    name = display_path(Path(source))
    try:
        inputs = input_digest(Path(source), options, _user_styles())
    except OSError:  # missing or unreadable: the build reports it with its location
        return _Plan(source, "", (), _split(wanted, options), ())
    # Remote images and older revisions are not part of the input digest: always rebuild.
    entries = [
        manifest.get((name, fmt))
        for fmt in wanted
        if not options.allow_remote and not options.changes_since
    ]
    current = tuple(
        e
        for e in entries
        if e is not None and not options.force and is_current(e, inputs, options.out)
    )
    todo = [f for f in wanted if f not in {e.format for e in current}]
    pdf = next((e for e in current if e.format == "pdf"), None)
    page_map = tuple((p[0], p[1]) for p in pdf.page_map) if pdf else ()
    previous = manifest.get((name, "pdf"))
    hints = dict(previous.layout_hints) if previous else {}
    return _Plan(source, inputs, current, _split(todo, options), page_map, hints)


def _split(formats: Sequence[str], options: BuildOptions) -> tuple[tuple[str, ...], ...]:
    """With several jobs, the PDF (+ HTML) and the EPUB of one dossier run in parallel:
    WeasyPrint uses one core."""
    if not formats:
        return ()
    if options.jobs > 1 and "epub" in formats and len(formats) > 1:
        return (tuple(f for f in formats if f != "epub"), ("epub",))
    return (tuple(formats),)


def _user_styles() -> Path | None:
    styles = Path.cwd() / "styles"
    return styles if styles.is_dir() else None


def build_many(
    sources: Iterable[Source],
    options: BuildOptions,
    executor: Executor | None = None,
    progress: Callable[[Result], None] | None = None,
) -> list[Result]:
    """Build every dossier; one failing does not stop the others. Tasks run on ``executor``
    (any ``concurrent.futures.Executor``: a process pool, a Dask or Ray pool), or on a
    process pool of ``options.jobs`` workers, or in this process when ``jobs`` is 1.
    Writes ``<out>/manifest.json``."""
    manifest = load_manifest(options.out)
    plans = [_plan(source, options, manifest) for source in sources]
    tasks = [(i, formats) for i, plan in enumerate(plans) for formats in plan.tasks]
    if sum(1 for _, formats in tasks if "pdf" in formats) == 1:
        # One PDF to lay out: its chapters may use the processes (writers.pdf.parts).
        options = dataclasses.replace(options, layout_jobs=max(options.jobs, 1))
    outcomes: dict[int, list[Result]] = {i: [] for i in range(len(plans))}
    pool = executor
    if pool is None and options.jobs > 1 and len(tasks) > 1:
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(max_workers=min(options.jobs, len(tasks)))
    try:
        if pool is None:
            for i, formats in tasks:
                outcomes[i].append(
                    write(
                        plans[i].source, formats, options, plans[i].page_map, plans[i].layout_hints
                    )
                )
                if progress:
                    progress(outcomes[i][-1])
        else:
            futures: dict[Future[Result], int] = {
                pool.submit(
                    write,
                    plans[i].source,
                    formats,
                    options,
                    plans[i].page_map,
                    plans[i].layout_hints,
                ): i
                for i, formats in tasks
            }
            for future in as_completed(futures):
                outcomes[futures[future]].append(future.result())
                if progress:
                    progress(outcomes[futures[future]][-1])
    finally:
        if pool is not None and executor is None:
            pool.shutdown()
    results = [_combine(plan, outcomes[i]) for i, plan in enumerate(plans)]
    _record(results, manifest, options)
    return results


def _combine(plan: _Plan, outcomes: list[Result]) -> Result:
    """One dossier's task results as one; an EPUB built beside its PDF gets its pages now."""
    artifacts = [a for r in outcomes for a in r.artifacts]
    diagnostics = tuple(dict.fromkeys(d for r in outcomes for d in r.diagnostics))
    pdf = next((a for a in artifacts if a.format == "pdf"), None)
    epub = next((a for a in artifacts if a.format == "epub"), None)
    if pdf and epub and epub.page_source and len(outcomes) > 1:
        from .writers.epub.writer import add_pages_later

        add_pages_later(epub.path, pdf.page_map, epub.page_source)
    source = outcomes[0].source if outcomes else _name(plan.source)
    remembered = tuple(parse_warning(w) for e in plan.current for w in e.warnings)
    diagnostics = tuple(dict.fromkeys((*diagnostics, *remembered)))
    spans = tuple(t for r in outcomes for t in r.timings)
    return Result(source, tuple(artifacts), diagnostics, plan.current, plan.inputs, spans)


def _record(
    results: list[Result], manifest: dict[tuple[str, str], Entry], options: BuildOptions
) -> None:
    entries = dict(manifest)
    for result in results:
        for artifact in result.artifacts:
            if not result.inputs or result.failed:
                continue
            entries[(result.source, artifact.format)] = Entry(
                source=result.source,
                slug=artifact.slug,
                format=artifact.format,
                path=artifact.path.relative_to(options.out).as_posix(),
                bytes=artifact.path.stat().st_size,
                sha256=file_digest(artifact.path),
                inputs=result.inputs,
                pages=artifact.pages,
                warnings=[str(d) for d in result.warnings],
                page_map=[list(p) for p in artifact.page_map],
                layout_hints=dict(artifact.layout_hints),
            )
    if entries or options.out.is_dir():
        write_manifest(options.out, entries.values())


def build_one(source: Source, options: BuildOptions) -> Result:
    """Build one dossier in every requested format (in this process)."""
    return build_many([source], dataclasses.replace(options, jobs=1))[0]


def build(
    source: Source,
    out: str | Path = "build",
    formats: Sequence[str] = ("pdf", "epub"),
    strict: bool = False,
    theme: str | None = None,
) -> list[Artifact]:
    """Build one dossier (a ``Dossier`` value or a path) into ``out/<slug>/``.

    Returns the files written. Raises DossierError on errors, and under ``strict`` also
    on warnings (after writing, so every problem is reported at once).
    """
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown format(s): {', '.join(unknown)}")
    options = BuildOptions(
        formats=tuple(formats), out=Path(out), strict=strict, theme=theme, force=True
    )
    result = build_one(source, options)
    if result.failed or (strict and result.warnings):
        raise DossierError(result.diagnostics)
    return list(result.artifacts)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
