"""The print PDF: laid out in child processes, in one pass (``one_pass``) or in parts
(``parts``, ``merge``), with every note on its call's page; written here."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pyphen
from weasyprint import HTML

from ...config import BuildOptions
from ...engine import notes
from ...engine.pages import note_pages, page_starts
from ...errors import Diagnostic, DossierError
from ...render.documents import Rendered
from ...render.themes import Theme
from ...runtime import timings
from ...runtime.files import atomic_write
from ...runtime.limits import LimitExceeded, OutOfTime, failure, run_limited
from ...runtime.timings import Span
from ..base import Artifact
from . import parts as pdf_parts
from .diagnostics import fixes_warning, layout_warnings, stylesheet_warnings, weasyprint_warnings
from .fetcher import ConfinedFetcher
from .labels import page_labels
from .one_pass import lay_out_keeping_notes, with_breaks

_WARM_UP = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>-</title>
<link rel="stylesheet" href="_theme/print.css"></head><body><main><section class="chapter">
<h1 id="w">Warm-up</h1><p>Text <em>in</em> <strong>styles</strong>, <a href="#w">a link</a>
<span class="footnote" id="fn-1">A note.</span></p><table><tr><th>A</th><td>1</td></tr></table>
</section></main></body></html>"""
_warmed = False


def warm_up(lang: str = "") -> None:
    """Lay out and draw a few lines with the built-in theme, once per process, before any
    layout process is forked: what WeasyPrint does only the first time in a process (its C
    types declared, fonts set up, modules imported on first use: about 0.15 s) is then done
    once, in the build process while it waits for pandoc, instead of in every part's process.
    Nothing of it reaches a document: each has its own fonts and style sheets. WeasyPrint
    itself is not changed: the layout fixes are entered in the layout processes only.

    The hyphenation patterns of ``lang`` (the dossier's language) are loaded too: pyphen
    keeps them per process (about 0.09 s for English), and every layout process hyphenates."""
    _warm_up_engine()
    found = pyphen.language_fallback(lang) if lang else None
    if found:
        pyphen.Pyphen(lang=found)  # WeasyPrint's Pyphen for this language finds them loaded


def _warm_up_engine() -> None:
    global _warmed
    if _warmed:
        return
    _warmed = True
    from ...render.themes import load_theme

    theme = load_theme("default")
    root = theme.dirs[-1]
    fetcher = ConfinedFetcher(root, theme)
    with weasyprint_warnings():  # the built-in theme's, not the user's: never shown
        document = HTML(string=_WARM_UP, base_url=f"{root}/", url_fetcher=fetcher).render()
        document.write_pdf(pdf_variant="pdf/ua-1")


@dataclass(frozen=True, slots=True)
class LaidOut:
    """The PDF and what the build reports about it; sent back by the layout child: small,
    picklable."""

    data: bytes
    pages: int
    diagnostics: tuple[Diagnostic, ...]
    print_html: str
    page_map: tuple[tuple[str, str], ...]
    hints: tuple[tuple[str, int], ...] = ()
    spans: tuple[Span, ...] = ()


def lay_out_one_pass(rendered: Rendered, theme: Theme, options: BuildOptions) -> LaidOut:
    """Layout and PDF bytes of the whole document at once (runs in the limited child)."""
    resolved = rendered.resolved
    dossier = resolved.dossier
    root = dossier.root or theme.dirs[-1]
    fetcher = ConfinedFetcher(root, theme, rendered.remote_files)
    diagnostics = stylesheet_warnings(rendered, theme, fetcher)
    known = {d.message.removeprefix("CSS: ") for d in diagnostics}

    def make_html(text: str) -> HTML:
        return HTML(string=text, base_url=f"{root}/", url_fetcher=fetcher)

    spans: list[Span] = []
    with weasyprint_warnings() as records:
        numbers = range(1, len(resolved.notes) + 1)
        with timings.spans(spans, "one pass: layout"):
            document, bad, blocks = lay_out_keeping_notes(rendered.print_html, make_html, numbers)
        variant = None if options.pdf_variant == "none" else options.pdf_variant
        with timings.spans(spans, "one pass: drawing"):
            data = document.write_pdf(pdf_variant=variant)
    diagnostics += layout_warnings(rendered, known, records.messages, bad)
    body = note_pages(document).get(rendered.body_anchor, 0)
    return LaidOut(
        data,
        len(document.pages),
        tuple(diagnostics),
        with_breaks(rendered.print_html, blocks),
        page_labels(page_starts(document), body),
        spans=tuple(spans),
    )


def lay_out_in_parts(
    split: pdf_parts.Split, rendered: Rendered, theme: Theme, options: BuildOptions
) -> LaidOut | None:
    """The parallel path (``parts``); None when its parts did not settle."""
    from . import merge as pdf_merge

    resolved = rendered.resolved
    root = resolved.dossier.root or theme.dirs[-1]
    fetcher = ConfinedFetcher(root, theme, rendered.remote_files)
    spans: list[Span] = []
    notes.prepare()  # compiled once here; entered in each part's process
    start = timings.now()
    merger = pdf_merge.Merger()
    try:
        assembly = pdf_parts.lay_out_parts(
            split,
            rendered,
            theme,
            options,
            rendered.layout_hints,
            lambda index, part: merger.offer(index, part.data, part.own),
        )
    except BaseException:
        merger.stop()
        raise
    if assembly is None:
        merger.stop()
        return None
    end = timings.now()
    share = timings.busy_share(assembly.spans, options.layout_jobs, start, end)
    what = (
        f"parts laid out ({assembly.layouts} layouts of {len(assembly.done)} parts; "
        f"{share:.0%} of {options.layout_jobs} cores busy)"
    )
    spans.append(Span(what, start, end, busy=False))
    spans.extend(assembly.spans)
    done = assembly.done
    with timings.spans(spans, "parts merged"):
        # Only diagnostics: checked while the merge runs, not before the parts are laid out.
        try:
            with timings.spans(spans, "style sheets checked"):
                diagnostics = stylesheet_warnings(rendered, theme, fetcher)
        except BaseException:
            merger.stop()
            raise
        remaining = max(1.0, start + options.limits.seconds - timings.now())
        try:
            data = merger.merge(len(done), remaining)
        except subprocess.TimeoutExpired:
            raise failure(OutOfTime(), "PDF layout", options.limits) from None
    known = {d.message.removeprefix("CSS: ") for d in diagnostics}
    messages = [m for d in done for m in d.messages]
    bad = [n for d in done for n in d.bad]
    diagnostics += layout_warnings(rendered, known, messages, bad)
    blocks = set().union(*(d.blocks for d in done))
    starts = [s for d in done for s in d.starts]
    final_html = with_breaks(rendered.print_html, blocks)
    labels = page_labels(starts, done[0].pages)
    hints = tuple(sorted(assembly.hints.items()))
    return LaidOut(data, len(starts), tuple(diagnostics), final_html, labels, hints, tuple(spans))


def write_pdf(rendered: Rendered, theme: Theme, folder: Path, options: BuildOptions) -> Artifact:
    """Lay out in child processes under ``options.limits``, in parts when the dossier is
    long (``parts``); write the PDF atomically here. WeasyPrint is never changed in this
    process: the layout fixes (``engine``) apply in the children only."""
    dossier = rendered.resolved.dossier
    split = pdf_parts.plan(rendered, theme, options)
    try:
        laid = lay_out_in_parts(split, rendered, theme, options) if split else None
        if laid is None:
            laid = run_limited(
                lambda: lay_out_one_pass(rendered, theme, options), options.limits, "PDF layout"
            )
    except LimitExceeded as exc:
        raise DossierError.at(dossier.location, str(exc)) from None
    target = folder / f"{dossier.slug}.pdf"
    spans = list(laid.spans)
    with timings.spans(spans, "PDF written"):
        atomic_write(target, laid.data)
    diagnostics = (*fixes_warning(rendered), *laid.diagnostics)
    return Artifact(
        dossier.slug,
        "pdf",
        target,
        diagnostics,
        laid.pages,
        laid.print_html,
        laid.page_map,
        laid.hints,
        timings=tuple(spans),
    )
