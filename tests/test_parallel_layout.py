"""One PDF laid out in parallel parts is the document one pass gives: same pages, same text
on every page, same destinations, outline and links, one valid structure tree."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pikepdf
import pypdf
import pytest
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from benchmarks.generate import write_dossier
from dossier.config import BuildOptions
from dossier.pipeline import Result, build_many, build_one
from dossier.render.documents import render
from dossier.render.themes import load_theme
from dossier.resolve.stage import resolve
from dossier.runtime.limits import Limits
from dossier.sources.loader import load
from dossier.writers.pdf import parts as pdf_parts

LONG_NOTE = " ".join(["This over-long note moves to the Notes section at the end."] * 40)


def _source(folder: Path) -> Path:
    """Nine chapters with dense notes, tables, a figure, and a note long enough to become an
    endnote: its pointer in chapter 3 gives a page in the last part."""
    source = write_dossier(folder, chapters=9, paragraphs=16, cite_rate=0.35, tables=3, seed=7,
                           title="Parallel layout")  # fmt: skip
    chapter = folder / "03.md"
    chapter.write_text(
        chapter.read_text() + f"\nA claim with a long comment[^long].\n\n[^long]: {LONG_NOTE}\n"
    )
    # A non-ASCII anchor, linked from the contents in another part.
    chapter = folder / "06.md"
    chapter.write_text(chapter.read_text() + "\n## Überblick der Lage\n\nKurz gesagt.\n")
    return source


def _parallel(source: Path, out: Path, **options: Any) -> Result:
    settings: dict[str, Any] = {"formats": ("pdf", "html"), "out": out, "jobs": 2, **options}
    result = build_many([source], BuildOptions(**settings))[0]
    assert not result.failed, result.diagnostics
    return result


@dataclasses.dataclass(frozen=True)
class Pair:
    single: Path
    parallel: Path
    single_html: Path
    parallel_html: Path
    hints: tuple[tuple[str, int], ...]
    warm: Path
    page_maps: tuple[Any, Any]
    layouts: tuple[list[str], list[str]]
    """The parts laid out by the first (cold) and the second (warm) build, in order."""


def _paths(result: Result) -> dict[str, Path]:
    return {a.format: a.path for a in result.artifacts}


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Pair:
    folder = tmp_path_factory.mktemp("parallel")
    source = _source(folder / "src")
    single = build_one(
        source, BuildOptions(formats=("pdf", "html"), out=folder / "one", one_pass=True)
    )
    assert not single.failed and single.warnings == (), single.diagnostics
    cold = _parallel(source, folder / "par")
    assert cold.warnings == (), cold.warnings
    first = _paths(cold)["pdf"].read_bytes()
    cold_html = folder / "cold.html"  # the warm build below writes the same path again
    cold_html.write_bytes(_paths(cold)["html"].read_bytes())
    # Again in the same folder: the guesses now come from the manifest (a warm build).
    warm = _parallel(source, folder / "par", force=True)
    (folder / "warm.pdf").write_bytes(_paths(warm)["pdf"].read_bytes())
    _paths(cold)["pdf"].write_bytes(first)
    pdf = next(a for a in cold.artifacts if a.format == "pdf")
    one = next(a for a in single.artifacts if a.format == "pdf")
    return Pair(_paths(single)["pdf"], pdf.path, _paths(single)["html"], cold_html,
                pdf.layout_hints, folder / "warm.pdf", (one.page_map, pdf.page_map),
                (_layouts(cold), _layouts(warm)))  # fmt: skip


def _layouts(result: Result) -> list[str]:
    """The part of each layout the build made (``front``, ``run 2 …``), from its timings."""
    found = [s for s in result.timings if s.what.startswith("pdf ") and ": layout" in s.what]
    found.sort(key=lambda s: s.start)
    return [s.what.removeprefix("pdf ").partition(":")[0] for s in found]


def _texts(path: Path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


def _destinations(path: Path) -> dict[str, int]:
    reader = pypdf.PdfReader(path)
    return {k: reader.get_destination_page_number(v) for k, v in reader.named_destinations.items()}


def _outline(path: Path) -> list[tuple[int, str, int]]:
    reader = pypdf.PdfReader(path)
    found: list[tuple[int, str, int]] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return found


def _links(path: Path) -> list[tuple[int, str, str, list[float]]]:
    found = []
    for index, page in enumerate(pypdf.PdfReader(path).pages):
        for annotation in page.get("/Annots", []) or []:
            a = annotation.get_object()
            uri = a.get("/A", {}).get("/URI")
            rect = [round(float(x), 1) for x in a["/Rect"]]
            found.append((index, str(a.get("/Dest")), str(uri), rect))
    return found


def test_the_parallel_path_was_taken(pair: Pair) -> None:
    # Only a parallel build records where anchors fell, for the next build's guesses.
    names = {name for name, _ in pair.hints}
    assert any(n.startswith("en-") for n in names)  # the endnote the pointer refers to
    assert "chapter-1" in names and "refs" in names  # the contents' targets


def test_no_part_is_laid_out_twice_for_want_of_guesses(pair: Pair) -> None:
    cold, warm = pair.layouts
    # First build, no pages from a previous one: the front matter is laid out once, last,
    # when the body's pages are known. Only the run whose text gives the page of the
    # over-long note (at the end of the body) had to guess, and is laid out again.
    assert cold.count("front") == 1 and cold[-2] == "front"
    assert [name for name in cold if name.endswith(" again")] == [cold[-1]]
    assert cold[-1].startswith("run 1 (chapters 1–")  # chapter 3 is in the first run
    # Second build: every guess from the first build's pages was right.
    assert len(warm) == len(set(warm)) == len(cold) - 1
    assert not any(name.endswith(" again") for name in warm)


def test_same_pages_and_same_text_on_every_page(pair: Pair) -> None:
    single, parallel = _texts(pair.single), _texts(pair.parallel)
    assert len(single) > 30
    assert len(parallel) == len(single)
    for number, (one, other) in enumerate(zip(single, parallel, strict=True), 1):
        assert other == one, f"page {number} differs"


def test_footers_and_running_heads_count_the_whole_document(pair: Pair) -> None:
    texts = _texts(pair.parallel)
    body_pages = sum(1 for t in texts if " of " in t and "Page" in t)
    last = texts[-1]
    assert f"Page {body_pages} of {body_pages}" in last
    assert all("Parallel layout" in t for t in texts[1:])  # the title set on the cover


def test_same_destinations_outline_and_links(pair: Pair) -> None:
    destinations = _destinations(pair.parallel)
    assert destinations == _destinations(pair.single)
    notes = [n for n in destinations if n.startswith("fn-")]
    assert len(notes) > 150
    for note in notes:
        assert destinations[note] == destinations["fnref-" + note[3:]], note
    assert _outline(pair.parallel) == _outline(pair.single)
    links = _links(pair.parallel)
    assert links == _links(pair.single)
    assert all(dest in destinations for _, dest, uri, _ in links if uri == "None")


def test_every_link_finds_its_destination_byte_for_byte(pair: Pair) -> None:
    # Viewers compare a link's name with the name tree's keys as bytes (UTF-16 when not ASCII).
    with pikepdf.open(pair.parallel) as pdf:
        keys, todo = set(), [pdf.Root.Names.Dests]
        while todo:
            node = todo.pop()
            keys.update(bytes(k) for k in list(node.get("/Names", []))[0::2])
            todo.extend(node.get("/Kids", []))
        links = [bytes(a.Dest) for page in pdf.pages for a in page.get("/Annots", [])
                 if "/Dest" in a]  # fmt: skip
    assert any(not link.isascii() for link in links)  # "Überblick der Lage" in the contents
    assert links and all(link in keys for link in links)


def test_same_metadata(pair: Pair) -> None:
    one, other = pypdf.PdfReader(pair.single), pypdf.PdfReader(pair.parallel)
    assert other.metadata == one.metadata
    assert other.xmp_metadata is not None and one.xmp_metadata is not None
    assert other.trailer["/Root"]["/Metadata"].get_data() == (
        one.trailer["/Root"]["/Metadata"].get_data()
    )
    for key in ("/Lang", "/MarkInfo", "/ViewerPreferences"):
        assert other.trailer["/Root"][key] == one.trailer["/Root"][key]


def _elements(reader: pypdf.PdfReader) -> list[DictionaryObject]:
    root = reader.trailer["/Root"]["/StructTreeRoot"]
    found, todo = [], list(_kids(root))
    while todo:
        element = todo.pop()
        if isinstance(element, DictionaryObject) and "/S" in element:
            found.append(element)
            todo.extend(_kids(element))
    return found


def _kids(element: DictionaryObject) -> list[Any]:
    kids = element.get("/K")
    if kids is None:
        return []
    kids = kids.get_object()
    items = kids if isinstance(kids, ArrayObject) else [kids]
    return [k.get_object() if isinstance(k, IndirectObject) else k for k in items]


def _parent_tree(reader: pypdf.PdfReader) -> dict[int, Any]:
    nums = reader.trailer["/Root"]["/StructTreeRoot"]["/ParentTree"].get_object()["/Nums"]
    return {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}


def _is(reference: Any, element: DictionaryObject) -> bool:
    """Whether ``reference`` is (an indirect reference to) the very object ``element``."""
    return isinstance(reference, IndirectObject) and (
        reference.idnum == element.indirect_reference.idnum
    )


def test_one_structure_tree_with_a_consistent_parent_tree(pair: Pair) -> None:
    reader = pypdf.PdfReader(pair.parallel)
    root = reader.trailer["/Root"]["/StructTreeRoot"]
    documents = _kids(root)
    assert len(documents) == 1 and documents[0]["/S"] == "/Document"
    tree = _parent_tree(reader)
    page_keys = [int(page["/StructParents"]) for page in reader.pages]
    assert len(set(page_keys)) == len(page_keys)
    key_of = {page.indirect_reference.idnum: int(page["/StructParents"]) for page in reader.pages}
    marked = annotated = 0
    for element in _elements(reader):
        page = element.get("/Pg")
        for kid in _kids(element):
            if isinstance(kid, int):  # a marked-content id on the element's page
                entry = tree[key_of[page.idnum]].get_object()
                assert _is(entry[kid], element)
                marked += 1
            elif isinstance(kid, DictionaryObject) and kid.get("/Type") == "/OBJR":
                annotation = kid["/Obj"].get_object()
                assert _is(tree[int(annotation["/StructParent"])], element)
                annotated += 1
            elif isinstance(kid, DictionaryObject) and kid.get("/Type") == "/MCR":
                entry = tree[key_of[kid["/Pg"].idnum]].get_object()
                assert _is(entry[int(kid["/MCID"])], element)
                marked += 1
        if element is not documents[0]:
            assert element["/P"].get_object() is not None
    assert marked > 1000 and annotated > 300
    ids = [str(e["/ID"]) for e in _elements(reader) if "/ID" in e]
    assert ids and len(set(ids)) == len(ids)  # table headers, one id each
    named = {str(h) for e in _elements(reader) for h in e.get("/A", {}).get("/Headers", [])}
    assert named and named <= set(ids)
    single = pypdf.PdfReader(pair.single)
    kinds = sorted(str(e["/S"]) for e in _elements(reader))
    assert kinds == sorted(str(e["/S"]) for e in _elements(single))
    assert len(ids) == sum(1 for e in _elements(single) if "/ID" in e)


def _fonts(path: Path) -> dict[int, str]:
    found = {}
    for page in pypdf.PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            found[font.idnum] = str(font.get_object()["/BaseFont"])
    return found


def test_one_font_per_face_as_in_one_pass(pair: Pair) -> None:
    fonts = _fonts(pair.parallel)
    assert sorted(fonts.values()) == sorted(_fonts(pair.single).values())
    assert len(set(fonts.values())) == len(fonts)  # the parts' subsets were united


def test_same_print_page_labels_for_the_epub(pair: Pair) -> None:
    single, parallel = pair.page_maps
    assert parallel == single
    assert parallel[0][0] == "i" and "1" in [label for label, _ in parallel]


def test_print_html_is_the_same(pair: Pair) -> None:
    assert pair.parallel_html.read_bytes() == pair.single_html.read_bytes()


def test_guesses_from_the_manifest_give_the_same_bytes(pair: Pair) -> None:
    assert pair.warm.read_bytes() == pair.parallel.read_bytes()


def test_repeated_parallel_builds_are_byte_identical(pair: Pair, tmp_path: Path) -> None:
    source = pair.parallel.parent.parent.parent / "src"
    again = _paths(_parallel(source, tmp_path))["pdf"]
    assert again.read_bytes() == pair.parallel.read_bytes()


def test_one_process_gives_the_same_bytes(pair: Pair, tmp_path: Path) -> None:
    source = pair.parallel.parent.parent.parent / "src"
    serial = _paths(_parallel(source, tmp_path, jobs=1))["pdf"]
    assert serial.read_bytes() == pair.parallel.read_bytes()


def _plan(source: Path, **options: Any) -> pdf_parts.Split | None:
    resolved = resolve(load(source), False)
    theme = load_theme(resolved.dossier.theme)
    return pdf_parts.plan(render(resolved, theme), theme, BuildOptions(**options))


def test_when_the_parallel_path_is_used(pair: Pair, tmp_path: Path) -> None:
    source = pair.parallel.parent.parent.parent / "src"
    parts = _plan(source, layout_jobs=2)
    assert parts is not None and len(parts.chapters) == 10  # 9 and the references (+ notes)
    assert _plan(source, layout_jobs=1) is not None  # the same parts, one after the other
    assert _plan(source, one_pass=True) is None
    # Pages that depend on their side (here: mirrored margins) are laid out in one pass.
    mirrored = tmp_path / "mirrored"
    _source(mirrored)
    meta = mirrored / "dossier.yaml"
    meta.write_text(meta.read_text() + "mirror-margins: true\n")
    assert _plan(mirrored, layout_jobs=2) is None
    short = write_dossier(tmp_path / "short", chapters=3, paragraphs=3, cite_rate=0.3, tables=0,
                          seed=1)  # fmt: skip
    assert _plan(short, layout_jobs=2) is None


def _children() -> set[int]:
    """Process ids of this process's children, zombies included (Linux)."""
    found: set[int] = set()
    for task in Path("/proc/self/task").iterdir():
        found.update(int(pid) for pid in (task / "children").read_text().split())
    return found


def test_a_part_out_of_memory_is_a_clear_error(pair: Pair, tmp_path: Path) -> None:
    source = pair.parallel.parent.parent.parent / "src"
    options = BuildOptions(formats=("pdf",), out=tmp_path, jobs=2,
                           limits=Limits(memory_mb=200))  # fmt: skip
    before = _children()
    result = build_many([source], options)[0]
    assert result.failed
    messages = [d.message for d in result.diagnostics]
    assert any("PDF layout" in m and "200 MB" in m for m in messages), messages
    assert not list(tmp_path.rglob("*.pdf"))
    assert _children() <= before  # every part's process was stopped and reaped


def test_a_run_never_starts_at_a_chapter_without_title() -> None:
    titled = '\n<section class="chapter">\n<h1 id="c{0}">C{0}</h1>\n<p>{1}</p>\n</section>\n'
    untitled = '\n<section class="chapter">\n<p id="u{0}">{1}</p>\n</section>\n'
    chapters = tuple((untitled if i % 2 else titled).format(i, "text " * 2000) for i in range(12))
    parts = pdf_parts.Split("<html><body>", "", "<main>", chapters, "</main></body></html>")
    jobs = pdf_parts.make_jobs(parts, {})
    assert len(jobs) > 2
    for job in jobs[1:]:
        body = job.html.split("<main>", 1)[1]
        assert body.lstrip().startswith('<section class="chapter">\n<h1'), body[:80]


@pytest.mark.parametrize(
    ("chapters", "runs_by_size", "expected"),
    [
        (12, 1, 2),  # never fewer than two
        (12, 2, 2),
        (12, 3, 4),  # odd: one more
        (12, 5, 6),
        (40, 7, 8),
        (40, 12, 8),  # never more than RUNS
        (9, 5, 6),
        (5, 3, 4),
        (5, 7, 5),  # one per chapter: no chapter for a sixth run
        (3, 3, 3),
        (2, 12, 2),
    ],
)
def test_an_even_number_of_runs_where_the_chapters_allow(
    chapters: int, runs_by_size: int, expected: int
) -> None:
    # Equal chapters adding up to ``runs_by_size`` runs' worth of HTML.
    size = runs_by_size * pdf_parts.RUN_CHARS // chapters + 1
    text = '\n<section class="chapter">\n<h1 id="c{0}">C{0}</h1>\n<p>{1}</p>\n</section>\n'
    made = tuple(text.format(i, "x" * size) for i in range(chapters))
    parts = pdf_parts.Split("<html><body>", "", "<main>", made, "</main></body></html>")
    bounds = pdf_parts.cuts(parts)
    assert len(bounds) == expected, bounds
    # Consecutive, covering every chapter once.
    assert [a for a, _ in bounds] == [0, *(b for _, b in bounds[:-1])]
    assert bounds[-1][1] == chapters


def test_hyphenation_patterns_are_loaded_before_the_layout_processes_fork(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import pyphen
    from weasyprint import HTML

    # The build loads its dossier's language in its own process (layout processes are forked
    # from it): here German, which nothing else in the build process hyphenates.
    source = write_dossier(tmp_path / "de", 3, 4, 0.2, 0, seed=3, figure=False)
    metadata = source / "dossier.yaml"
    metadata.write_text(metadata.read_text() + "lang: de-DE\n")
    monkeypatch.setattr(pyphen, "hdcache", {})
    result = build_one(source, BuildOptions(formats=("pdf",), out=tmp_path / "build"))
    assert not result.failed, result.diagnostics
    assert list(pyphen.hdcache) == [pyphen.LANGUAGES["de_DE"]]

    # WeasyPrint hyphenating de-DE text finds them loaded: reading them again fails here.
    def refuse(path: object) -> None:
        raise AssertionError(f"hyphenation patterns read again: {path}")

    monkeypatch.setattr(pyphen, "HyphDict", refuse)
    words = "Verhandlungen Friedensabkommen Sicherheitsgarantien " * 4
    page = f'<html lang="de-DE"><p style="width: 5em; hyphens: auto">{words}</p></html>'
    lines = []
    stack = [HTML(string=page).render().pages[0]._page_box]
    while stack:
        box = stack.pop()
        lines += [box.text] if hasattr(box, "text") else []
        stack += getattr(box, "children", [])
    assert any(line.endswith("\u2010") for line in lines), lines
