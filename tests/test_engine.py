"""The contract between dossier and the WeasyPrint installed (``dossier.engine``): on a version
the layout fixes were made for, each of them changes what it should and nothing else, only
for the time of its block, and never in the build's own process. On any other version, the
gate says so and the build warns."""

from __future__ import annotations

import ast
import contextlib
import inspect
import io
import os
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest
import weasyprint.layout as layout_module
from typer.testing import CliRunner
from weasyprint import HTML
from weasyprint.css import targets
from weasyprint.formatting_structure.boxes import FootnoteAreaBox
from weasyprint.layout import block

import dossier
from benchmarks.generate import write_dossier
from dossier.cli import app
from dossier.engine import areas, gate, notes
from dossier.engine.pages import misplaced_notes, note_pages
from dossier.engine.parts import PageContext, Paginated, Part, laying_out
from dossier.writers.pdf import parts as pdf_parts

SUPPORTED = gate.made_for(gate.version())
made_for_this_version = pytest.mark.skipif(
    not SUPPORTED, reason=f"WeasyPrint {gate.version()}: the layout fixes were not made for it"
)


def _wrapped() -> dict[str, object]:
    """The WeasyPrint callables the fixes replace, as they are now."""
    collector = targets.TargetCollector
    return {
        "_linebox_layout": block._linebox_layout,
        "block_level_layout": block.block_level_layout,
        "TargetCollector.__init__": collector.__dict__["__init__"],
        "lookup_target": collector.__dict__["lookup_target"],
        "cache_target_page_counters": collector.__dict__["cache_target_page_counters"],
        "make_all_pages": layout_module.make_all_pages,
        "make_margin_boxes": layout_module.make_margin_boxes,
    }


ORIGINALS = _wrapped()
"""Taken when this module is imported, before any test enters a fix."""


# -- The gate ---------------------------------------------------------------------------------


@made_for_this_version
def test_every_fix_applies_to_a_version_it_was_made_for() -> None:
    support = gate.support()
    assert support.notes and support.parts and support.areas, support
    assert support.warning() is None


@made_for_this_version
def test_linebox_layout_is_the_one_the_notes_fix_was_made_from() -> None:
    assert gate.source_hash(block._linebox_layout) in gate.LINEBOX_LAYOUT_MADE_FROM


def test_a_version_not_made_for_is_left_alone(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """WeasyPrint as another version: the gate closes, nothing is changed in the layout
    processes, the build warns once and still writes the PDF (laid out in one pass)."""
    monkeypatch.setattr(gate, "version", lambda: "71.0")
    gate.support.cache_clear()
    try:
        support = gate.support()
        assert not support.notes and not support.parts and not support.areas
        with notes.keep_notes_with_calls() as moved, areas.laying_out_notes_once() as applies:
            assert moved is None and not applies
            assert _wrapped() == ORIGINALS
        source = write_dossier(
            tmp_path / "src", chapters=3, paragraphs=4, cite_rate=0.35, tables=1, seed=3
        )
        with (source / "dossier.yaml").open("a") as settings:
            settings.write("layout: report\n")
        monkeypatch.setattr(pdf_parts, "MIN_BODY_CHARS", 0)
        artifacts = dossier.build(source, tmp_path / "out", formats=("pdf",))
    finally:
        gate.support.cache_clear()
    pdf = next(a for a in artifacts if a.format == "pdf")
    assert pdf.layout_hints == ()  # one pass: the parts hooks did not apply
    warnings = [d.message for d in pdf.diagnostics if "71.0" in d.message]
    assert len(warnings) == 1 and "not one dossier's layout fixes were made for" in warnings[0]
    assert len(pypdf.PdfReader(pdf.path).pages) > 1
    assert _wrapped() == ORIGINALS


def test_another_version_is_named_in_one_warning() -> None:
    assert not gate.made_for("71.0")
    message = gate.Support("71.0", notes=False, parts=False, areas=False).warning()
    assert message == (
        "WeasyPrint 71.0 is not one dossier's layout fixes were made for: "
        "notes are placed by laying out again, parts in one pass, "
        "footnote areas laid out again for each note"
    )
    only_notes = gate.Support("71.0", notes=False, parts=True, areas=True).warning()
    assert only_notes is not None and only_notes.endswith("notes are placed by laying out again")


def test_the_build_warns_when_the_fixes_do_not_apply(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Gate closed: no fix is entered, notes are placed by laying out again, and the build
    says so once."""
    monkeypatch.setattr(gate, "support", lambda: gate.Support("71.0", False, False, False))
    sample = Path(__file__).parent.parent / "sources" / "ukraine-talks"
    artifacts = dossier.build(sample, tmp_path, formats=("pdf",))
    messages = [d.message for a in artifacts for d in a.diagnostics]
    assert messages[0] == (
        "PDF: WeasyPrint 71.0 is not one dossier's layout fixes were made for: "
        "notes are placed by laying out again, parts in one pass, "
        "footnote areas laid out again for each note"
    )
    # Laying out again does not place every note of the sample: the fix is what does.
    assert all(m.startswith("PDF: note ") for m in messages[1:]), messages
    with notes.keep_notes_with_calls() as moved, areas.laying_out_notes_once() as applies:
        assert moved is None and not applies
        assert _wrapped() == ORIGINALS
    with pytest.raises(RuntimeError), laying_out(_part(PageContext(0, 0, {}, {}))):
        pass
    assert _wrapped() == ORIGINALS


def test_dossier_version_says_whether_the_fixes_apply() -> None:
    result = CliRunner().invoke(app, ["version"])
    assert result.exit_code == 0, result.output
    assert gate.support().summary() in result.output
    if SUPPORTED:
        assert "layout fixes: notes apply, parts apply, footnote areas apply" in result.output


# -- Notes kept on their call's page ----------------------------------------------------------

NOTES_CSS = """@page { size: 100mm 80mm; margin: 10mm; }
body { font: 10pt/12pt sans-serif; margin: 0 }
p { margin: 0 0 6pt; orphans: 2; widows: 2 }
.fn { float: footnote; font-size: 8pt; line-height: 10pt }
"""


def _notes_document() -> str:
    """Three paragraphs with a note each: the third's first lines reach the foot of page 1,
    where plain WeasyPrint makes room for them by moving that paragraph's note on."""
    paragraphs = []
    for n, words in enumerate((10, 20, 40), 1):
        note = f'<span class="fn" id="fn-{n}">Note {n} {"text " * 12}</span>'
        paragraphs.append(
            f'<p data-b="{n}">Call {note}<a id="fnref-{n}"></a> {"word " * words}</p>'
        )
    return f"<html><head><style>{NOTES_CSS}</style></head><body>{''.join(paragraphs)}</body></html>"


@made_for_this_version
def test_plain_weasyprint_moves_a_note_off_its_calls_page() -> None:
    document = HTML(string=_notes_document()).render()
    assert misplaced_notes(document, [1, 2, 3]) == [3]


@made_for_this_version
def test_the_fix_keeps_the_note_and_moves_the_paragraph() -> None:
    with notes.keep_notes_with_calls() as moved:
        assert moved is not None
        document = HTML(string=_notes_document()).render()
    assert misplaced_notes(document, [1, 2, 3]) == []
    assert moved == ["3"]
    pages = note_pages(document)
    assert pages["fnref-3"] == pages["fn-3"] == 1


@made_for_this_version
def test_leaving_the_notes_fix_puts_weasyprint_back() -> None:
    with notes.keep_notes_with_calls():
        assert block._linebox_layout is not ORIGINALS["_linebox_layout"]
    assert _wrapped() == ORIGINALS
    with pytest.raises(KeyError), notes.keep_notes_with_calls():
        raise KeyError("a layout that fails")
    assert _wrapped() == ORIGINALS
    assert "_dossier_keep" not in vars(block)  # WeasyPrint's module gains no name


@made_for_this_version
def test_the_changed_function_keeps_weasyprints_file_and_lines() -> None:
    """A traceback through the changed function shows WeasyPrint's own lines."""
    original = ORIGINALS["_linebox_layout"]
    assert isinstance(original, type(test_plain_weasyprint_moves_a_note_off_its_calls_page))
    with notes.keep_notes_with_calls():
        changed = block._linebox_layout
    assert changed.__code__.co_filename == original.__code__.co_filename
    assert changed.__code__.co_firstlineno == original.__code__.co_firstlineno

    def lines(code: Any) -> set[int]:
        return {line for *_, line in code.co_lines() if line is not None}

    assert lines(changed.__code__) == lines(original.__code__)
    source, first = inspect.getsourcelines(original)
    decision = next(
        node.lineno
        for node in ast.walk(ast.parse("".join(source)))
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "report"
    )
    assert "report = not context.in_column" in source[decision - 1]
    assert first + decision - 1 in lines(changed.__code__)


# -- Parts that learn each other's pages ------------------------------------------------------

PARTS_CSS = """@page { size: 100mm 60mm; margin: 10mm 10mm 15mm;
  @bottom-center { content: "page " counter(page) " of " counter(pages) } }
body { font: 10pt/12pt sans-serif; margin: 0 }
a.ref::after { content: " p. " target-counter(attr(href), page) }
"""


def _part_html(body: str) -> str:
    return f"<html><head><style>{PARTS_CSS}</style></head><body>{body}</body></html>"


FIRST = _part_html('<p id="a">Part one.</p><p>See <a class="ref" href="#b">B</a></p>')
SECOND = _part_html(
    '<p>Part two.</p><p style="break-before: page" id="b">Its second page.</p>'
    '<p>See <a class="ref" href="#a">A</a></p>'
)


def _part(guesses: PageContext, actual: PageContext | None = None) -> Part:
    return Part(guesses, lambda report: actual or guesses, frozenset())


def _texts(document: Any) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(document.write_pdf()))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


@made_for_this_version
def test_parts_learn_each_others_pages() -> None:
    """The second part, laid out first with a wrong guess for the first's anchor, finds its
    own anchor on its second page, and is told it follows a one-page part; the first, laid
    out with that page, reports its own anchor; the second, laid out again, uses it."""
    reported: list[Paginated] = []

    def lay_out(html: str, guesses: PageContext, actual: PageContext, own: str) -> Any:
        def report_and_wait(report: Paginated) -> PageContext:
            reported.append(report)
            return actual

        with laying_out(Part(guesses, report_and_wait, frozenset({own}))):
            return HTML(string=html).render()

    whole = PageContext(1, 3, {}, {"a": 1})
    second = lay_out(SECOND, PageContext(1, 0, {}, {"a": 0}), whole, "b")
    assert reported[-1] == Paginated(2, {}, {"b": 2}, {"a": 0})  # a wrong guess, reported
    assert _texts(second)[1] == "Its second page. See A p. 0 page 3 of 3"
    guesses = PageContext(0, 0, {}, {"b": reported[-1].anchors["b"] + 1})
    first = lay_out(FIRST, guesses, PageContext(0, 3, {}, {"b": 3}), "a")
    assert reported[-1] == Paginated(1, {}, {"a": 1}, {"b": 3})
    assert _texts(first) == ["Part one. See B p. 3 page 1 of 3"]
    second = lay_out(SECOND, PageContext(1, 3, {}, reported[-1].anchors), whole, "b")
    assert reported[-1] == Paginated(2, {}, {"b": 2}, {"a": 1})
    assert _texts(second) == [
        "Part two. page 2 of 3",
        "Its second page. See A p. 1 page 3 of 3",
    ]
    # Plain WeasyPrint, for comparison: the part alone.
    assert _texts(HTML(string=FIRST).render()) == ["Part one. See B p. page 1 of 1"]


@made_for_this_version
def test_leaving_the_parts_hooks_puts_weasyprint_back() -> None:
    with laying_out(_part(PageContext(0, 0, {}, {}))):
        assert _wrapped() != ORIGINALS
    assert _wrapped() == ORIGINALS
    with pytest.raises(KeyError), laying_out(_part(PageContext(0, 0, {}, {}))):
        raise KeyError("a layout that fails")
    assert _wrapped() == ORIGINALS


# -- Each note of a footnote area laid out once -----------------------------------------------

AREA_CSS = """@page { size: 110mm 90mm; margin: 10mm 10mm 12mm;
  @footnote { border-top: 0.5pt solid; padding-top: 2pt; margin-top: 4pt } }
body { font: 10pt/12pt serif; margin: 0 }
p { margin: 0 0 6pt }
.fn { float: footnote; font-size: 8pt; line-height: 10pt; margin: 1pt 0 2pt }
.fn em { font-style: italic }
"""


PIXEL = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4"
    "2mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
"""A one-pixel PNG."""


EMPTY = "(empty)"


def _dense_document(unusual: str = "") -> tuple[str, int]:
    """Paragraphs with one to three notes each, of varied lengths (several notes on every
    page, some pages full of them), and ``unusual`` inside every fifth note (``EMPTY``: that
    note empty); and the number of notes."""
    chooser = random.Random(7)
    paragraphs, count = [], 0
    for n in range(1, 31):
        calls = []
        for _ in range(chooser.randint(1, 3)):
            count += 1
            words = " ".join(
                chooser.choice(("source", "report", "talks", "p."))
                for _ in range(chooser.randint(3, 40))
            )
            text = f'Note {count}, <em>{words}</em> <a href="https://example.org/{count}">link</a>'
            if count % 5 == 0:
                text = "" if unusual == EMPTY else unusual + text
            calls.append(
                f'<span class="fn" id="fn-{count}">{text}</span><a id="fnref-{count}"></a>'
            )
        text = " ".join("word" for _ in range(chooser.randint(20, 90)))
        paragraphs.append(f"<p>Paragraph {n} {' '.join(calls)} {text}</p>")
    body = "".join(paragraphs)
    return f"<html><head><style>{AREA_CSS}</style></head><body>{body}</body></html>", count


def _note_layouts(html: str, once: bool) -> tuple[bytes, int, int]:
    """The PDF, its pages and how many times a note of a footnote area was laid out."""
    laid: list[int] = []
    assert gate.support().areas  # read before WeasyPrint is changed below
    original = block.block_level_layout

    def counting(context: Any, box: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(args[2], FootnoteAreaBox):
            laid.append(1)
        return original(context, box, *args, **kwargs)

    block.block_level_layout = counting
    try:
        with areas.laying_out_notes_once() if once else contextlib.nullcontext():
            document = HTML(string=html).render()
    finally:
        block.block_level_layout = original
    return document.write_pdf(), len(document.pages), len(laid)


@made_for_this_version
def test_each_note_of_an_area_is_laid_out_once_and_the_pdf_is_the_same() -> None:
    """Plain WeasyPrint lays out a page's notes again for each note added after them; with
    the fix each note is laid out about once, and the PDF is the same, byte for byte."""
    html, count = _dense_document()
    plain, pages, plain_layouts = _note_layouts(html, once=False)
    fixed, fixed_pages, fixed_layouts = _note_layouts(html, once=True)
    assert fixed == plain and fixed_pages == pages >= 6
    # Once per page a note is tried on: some notes are moved on to the next page.
    assert count <= fixed_layouts <= 1.6 * count
    assert plain_layouts >= 2 * fixed_layouts


@pytest.mark.parametrize(
    "unusual",
    [
        '<span style="float: left; width: 8pt">F</span>',
        '<span style="position: absolute; top: 0; left: 0">*</span>',
        '<span style="string-set: last-note content()">named</span>',
        '<span style="display: inline-table"><span style="display: table-cell">a</span></span>',
        '<span style="position: relative; top: 1pt">raised</span>',
        EMPTY,
        f'<img src="data:image/png;base64,{PIXEL}" style="width: 6pt" alt="">',
        '<span style="display: list-item; margin-left: 12pt">an item</span>',
    ],
    ids=["float", "absolute", "string-set", "table", "relative", "empty", "image", "list item"],
)
@made_for_this_version
def test_notes_that_leave_something_behind_are_laid_out_each_time(unusual: str) -> None:
    """A note holding a float, a positioned box, a named string, a table or a list item
    (whose marker is placed out of the flow) is laid out as plain WeasyPrint lays it out,
    every time; one holding a relatively positioned box or an image is remembered, and so is
    an empty one. The PDF is the same either
    way."""
    html, count = _dense_document(unusual)
    plain, pages, plain_layouts = _note_layouts(html, once=False)
    fixed, fixed_pages, fixed_layouts = _note_layouts(html, once=True)
    assert fixed == plain and fixed_pages == pages
    if "relative" in unusual or "<img" in unusual or unusual == EMPTY:
        assert fixed_layouts <= 1.6 * count
    else:  # the notes without it are remembered
        assert 1.6 * count < fixed_layouts < plain_layouts


@made_for_this_version
def test_leaving_the_areas_fix_puts_weasyprint_back() -> None:
    with areas.laying_out_notes_once() as applies:
        assert applies and block.block_level_layout is not ORIGINALS["block_level_layout"]
    assert _wrapped() == ORIGINALS
    with pytest.raises(KeyError), areas.laying_out_notes_once():
        raise KeyError("a layout that fails")
    assert _wrapped() == ORIGINALS


# -- Never in the build's own process ---------------------------------------------------------


@pytest.fixture
def entered(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, int]]]:
    """Where each fix was entered, as seen from this process: a layout child's entries stay
    in the child's copy of the list."""
    found: list[tuple[str, int]] = []
    keep, enter, once = (
        notes.keep_notes_with_calls,
        laying_out.__enter__,
        areas.laying_out_notes_once,
    )

    def spy_keep() -> Any:
        found.append(("notes", os.getpid()))
        return keep()

    def spy_once() -> Any:
        found.append(("areas", os.getpid()))
        return once()

    def spy_enter(self: laying_out) -> Part:
        found.append(("parts", os.getpid()))
        return enter(self)

    monkeypatch.setattr(notes, "keep_notes_with_calls", spy_keep)
    monkeypatch.setattr("dossier.writers.pdf.one_pass.keep_notes_with_calls", spy_keep)
    monkeypatch.setattr(areas, "laying_out_notes_once", spy_once)
    monkeypatch.setattr("dossier.writers.pdf.one_pass.laying_out_notes_once", spy_once)
    monkeypatch.setattr(laying_out, "__enter__", spy_enter)
    yield found


@pytest.mark.parametrize("parallel", [False, True], ids=["one pass", "in parts"])
def test_a_build_leaves_weasyprint_unchanged(
    parallel: bool,
    entered: list[tuple[str, int]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    source = write_dossier(
        tmp_path / "src", chapters=3, paragraphs=4, cite_rate=0.35, tables=1, seed=3
    )
    if parallel:  # short, but in chapters: laid out in parts all the same
        with (source / "dossier.yaml").open("a") as settings:
            settings.write("layout: report\n")
        monkeypatch.setattr(pdf_parts, "MIN_BODY_CHARS", 0)
    artifacts = dossier.build(source, tmp_path / "out", formats=("pdf",))
    pdf = next(a for a in artifacts if a.format == "pdf")
    assert bool(pdf.layout_hints) is parallel  # the path meant was taken
    assert pdf.diagnostics == () or not SUPPORTED
    assert entered == []
    assert _wrapped() == ORIGINALS
