"""Broken input: a ``path:line: message`` for every problem of a stage, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from dossier import Chapter, Dossier, DossierError, Source
from dossier import build as build_api
from dossier.cli import app
from dossier.model import ast

from ..conftest import epub_files, epubcheck
from .conftest import build, dossier, messages, no_partial_files

runner = CliRunner()
XHTML = "{http://www.w3.org/1999/xhtml}"


def errors_of(folder: Path, tmp_path: Path) -> list[str]:
    result = build(folder, tmp_path / "out")
    assert result.failed
    no_partial_files(tmp_path / "out")
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").rglob("*.pdf"))
    return [m for m in messages(result.diagnostics) if ": error: " in m]


@pytest.mark.parametrize(
    ("meta", "line", "message"),
    [
        ("subtitle: [unclosed\n", 4, "error: invalid YAML: "),
        ("a: &x [1, 2]\nb: [*x, *x]\n", 4, "error: YAML aliases (*name) are not supported"),
        ("subtitle: !!python/object/apply:os.system [echo]\n", 3, "error: YAML tags such as"),
        ("subtitle: A\nsubtitle: B\n", 4, "error: duplicate key 'subtitle'"),
        ("keywords: 5\n", 3, "error: expected a list of text, found 5"),
        ("numeric-citations: maybe\n", 3, "error: expected true or false, found 'maybe'"),
        ("author: [{affiliation: X}]\n", 3, "error: an author is a name or a mapping with 'name'"),
        ("paper: A3\n", 3, "error: 'paper' is one of A4, letter, A5, legal"),
        ("subtitle: " + "[" * 5000 + "]" * 5000 + "\n", 1, "error: invalid YAML: lists or"),
        ("subtitle: " + "{a: " * 3000 + "}" * 3000 + "\n", 1, "error: invalid YAML: lists or"),
    ],
)
def test_bad_metadata(tmp_path: Path, meta: str, line: int, message: str) -> None:
    folder = dossier(tmp_path / "d", "# A\n", meta)
    found = errors_of(folder, tmp_path)
    assert any(m.startswith(f"{folder / 'dossier.yaml'}:{line}: {message}") for m in found), found


def test_unknown_key_is_a_warning_with_a_suggestion(tmp_path: Path) -> None:
    folder = dossier(tmp_path / "d", "# A\n", "clasification: PUBLIC\n")
    result = build(folder, tmp_path / "out", ("epub",))
    assert messages(result.diagnostics) == [
        f"{folder / 'dossier.yaml'}:3: warning: unknown key 'clasification' is ignored "
        "(did you mean 'classification'?)"
    ]


def test_empty_and_binary_files(tmp_path: Path) -> None:
    empty = dossier(tmp_path / "empty", "# A\n")
    (empty / "dossier.yaml").write_text("")
    untitled = build(empty, tmp_path / "out1", ("epub",))
    assert messages(untitled.diagnostics) == [
        f"{empty / 'dossier.yaml'}:1: warning: the dossier has no title: 'empty' (its file or "
        "folder name) is used; give it a 'title'"
    ]
    blank = dossier(tmp_path / "blank", "# A\n")
    (blank / "02.md").write_text("\n\n")
    result = build(blank, tmp_path / "out2", ("epub",))
    assert messages(result.diagnostics) == [
        f"{blank / '02.md'}:1: warning: the chapter file is empty"
    ]
    binary = dossier(tmp_path / "bin", "# A\n")
    (binary / "02.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    assert errors_of(binary, tmp_path) == [
        f"{binary / '02.md'}:1: error: not valid UTF-8 text (save the file as UTF-8)"
    ]


def test_encodings(tmp_path: Path) -> None:
    utf16 = dossier(tmp_path / "utf16", "# A\n")
    (utf16 / "01.md").write_bytes("# Заголовок\n\nТекст.\n".encode("utf-16"))
    assert not build(utf16, tmp_path / "out", ("epub",)).failed
    bom = dossier(tmp_path / "bom", "# A\n")
    (bom / "01.md").write_bytes("\ufeff# Title\n\nText.\n".encode())
    result = build(bom, tmp_path / "out", ("html",))
    assert '<h1 id="title" data-b="1">Title</h1>' in result.artifacts[0].path.read_text()
    latin = dossier(tmp_path / "latin", "# A\n")
    (latin / "01.md").write_bytes("# A\n\nCaf\xe9.\n".encode("latin-1"))
    assert errors_of(latin, tmp_path) == [
        f"{latin / '01.md'}:3: error: not valid UTF-8 text (save the file as UTF-8)"
    ]


def test_characters_xml_forbids_are_dropped(tmp_path: Path) -> None:
    folder = dossier(tmp_path / "d", "# A\n\nBel\x07l ri\x01ngs.\n\nNul\x00l.\n")
    result = build(folder, tmp_path / "out", ("html",))
    assert messages(result.diagnostics) == [
        f"{folder / '01.md'}:3: warning: control character U+0007 dropped (and 2 more in this file)"
    ]
    html = result.artifacts[0].path.read_text()
    assert "Bell rings." in html and "Null." in html
    refs = {"refs.json": b'[{"id": "k", "title": "Bad\\u0001title"}]'}
    json_escape = dossier(tmp_path / "j", "# A\n\n[@k]\n", "bibliography: refs.json\n", refs)
    result = build(json_escape, tmp_path / "out2", ("html",))
    assert f"{json_escape / 'refs.json'}:1: warning: control character U+0001 dropped" in (
        messages(result.diagnostics)
    )
    assert "Badtitle" in result.artifacts[0].path.read_text()


def test_lone_surrogates_from_python(tmp_path: Path) -> None:
    # Blocks built in code have no Markdown to read: they lose theirs too.
    para = ast.Para((ast.Str("be\x07ll"),))
    dossier = Dossier(
        title="T\x0bitle",
        summary=["a \x07 bell"],
        chapters=[Chapter("# A\n\nbad\ud800 here [@k]"), Chapter(title="B", blocks=[para])],
        sources=[Source("k", {"title": "Ti\ud800tle \uffff", "publisher": "P", "issued": "2024"})],
    )
    with pytest.raises(DossierError) as caught:  # --strict: an error, after writing
        build_api(dossier, out=tmp_path, formats=("epub",), strict=True)
    assert [str(d) for d in caught.value.diagnostics] == [
        "<python>: warning: dossier.title: control character U+000B dropped",
        "<python>: warning: dossier.chapters[0].markdown: lone surrogate U+D800 dropped",
        "<python>: warning: dossier.chapters[1].blocks[0].content[0].text: control character "
        "U+0007 dropped",
        "<python>: warning: dossier.summary[0].text: control character U+0007 dropped",
        "<python>: warning: k.title: lone surrogate U+D800 dropped (and 1 more in this field)",
    ]
    epub = tmp_path / "title" / "title.epub"
    text = b"".join(v for k, v in epub_files(epub).items() if k.endswith((".xhtml", ".opf")))
    for kept in ("<dc:title>Title</dc:title>", "bad here", "bell", "Title"):
        assert kept in text.decode("utf-8")
    assert epubcheck(epub).returncode == 0
    lenient = build_api(dossier, out=tmp_path / "lenient", formats=("epub",))  # warnings only
    assert [a.format for a in lenient] == ["epub"]


def test_missing_things(tmp_path: Path) -> None:
    folder = dossier(
        tmp_path / "d",
        "# A\n\n![Chart](chart.png) and [@nokey].\n",
        "chapters: [01.md, 02.md, 01.md]\nbibliography: refs.yaml\n",
    )
    found = errors_of(folder, tmp_path)
    assert f"{folder / 'dossier.yaml'}:3: error: file not found: {folder / '02.md'}" in found
    assert f"{folder / 'dossier.yaml'}:3: error: chapter '01.md' is listed twice" in found
    assert f"{folder / 'dossier.yaml'}:4: error: file not found: {folder / 'refs.yaml'}" in found


def test_unknown_citation_and_missing_image_together(tmp_path: Path) -> None:
    folder = dossier(tmp_path / "d", "# A\n\n![Chart](chart.png)\n\nClaim [@nokey].\n")
    assert errors_of(folder, tmp_path) == [
        f"{folder / '01.md'}:3: error: image not found in the dossier folder: chart.png",
        f"{folder / '01.md'}:5: error: unknown citation key 'nokey' in [@nokey]",
    ]


def test_a_one_megabyte_paragraph(tmp_path: Path) -> None:
    words = ("alpha beta gamma delta epsilon zeta eta theta " * 23000)[:1_000_000]
    folder = dossier(tmp_path / "d", f"# A\n\n{words}\n")
    result = build(folder, tmp_path / "out", ("pdf", "epub"))
    assert not result.failed, result.diagnostics
    assert result.artifacts[0].pages and result.artifacts[0].pages > 100


def test_twenty_thousand_notes(tmp_path: Path) -> None:
    refs = "".join(f"- id: k{i}\n  title: Source {i}\n" for i in range(50))
    body = "\n\n".join(
        " ".join(f"Claim {i} [@k{i % 50}]." for i in range(j, j + 100))
        for j in range(0, 20000, 100)
    )
    folder = dossier(
        tmp_path / "d",
        f"# A\n\n{body}\n",
        "bibliography: refs.yaml\n",
        {"refs.yaml": refs.encode()},
    )
    result = build(folder, tmp_path / "out", ("epub",))
    assert not result.failed, result.diagnostics
    check = runner.invoke(app, ["check", str(folder)])
    assert check.exit_code == 0


def test_lists_nested_a_thousand_deep(tmp_path: Path) -> None:
    nested = "".join("  " * i + "- item\n" for i in range(1000))
    quotes = ">" * 1000 + " deep\n"
    folder = dossier(tmp_path / "d", f"# A\n\n{nested}\n\n{quotes}")
    result = build(folder, tmp_path / "out", ("epub", "html"))
    assert not result.failed, result.diagnostics
    assert any(
        "nested over 40 deep are printed as plain text" in m for m in messages(result.diagnostics)
    )


@pytest.mark.parametrize(("depth", "flattened"), [(40, False), (41, True)])
def test_nesting_is_kept_to_forty_deep(tmp_path: Path, depth: int, flattened: bool) -> None:
    quotes = ">" * depth + " deep\n"
    folder = dossier(tmp_path / "d", f"# A\n\n{quotes}")
    result = build(folder, tmp_path / "out", ("html",))
    said = any("printed as plain text" in m for m in messages(result.diagnostics))
    assert said is flattened
    html = result.artifacts[0].path.read_text()
    assert html.count("<blockquote") == 40
    assert "deep" in html


def test_inlines_nested_deep_and_notes_in_notes(tmp_path: Path) -> None:
    emphasis = "*a _" * 600 + "x" + "_ a*" * 600
    notes = "^[" * 60 + "x" + "]" * 60
    chapter = f"# A\n\n{emphasis}\n\nText.^[Outer ^[inner] note.]\n\n{notes}\n"
    folder = dossier(tmp_path / "d", chapter)
    result = build(folder, tmp_path / "out", ("epub", "html"))
    assert not result.failed, result.diagnostics
    found = messages(result.diagnostics)
    assert (
        f"{folder / 'dossier.yaml'}:1: warning: lists, quotes, divs, notes, links or emphasis "
        "nested over 40 deep are printed as plain text below that depth"
    ) in found
    assert (
        f"{folder / '01.md'}:5: warning: a note inside a note is printed in it, in parentheses"
        in (found)
    )
    xhtml = etree.fromstring(epub_files(result.artifacts[0].path)["EPUB/chapter-01.xhtml"])
    asides = [" ".join("".join(a.itertext()).split()) for a in xhtml.iter(f"{XHTML}aside")]
    assert "1. Outer (inner) note." in asides


def test_unwritable_output_folder(tmp_path: Path) -> None:
    folder = dossier(tmp_path / "d", "# A\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "d").write_text("a file where a folder must go")
    result = build(folder, out, ("epub",))
    assert messages(result.diagnostics) == [
        f"{out / 'd' / 'd.epub'}: error: cannot write here: {out / 'd'} is a file"
    ]


def test_one_failing_dossier_does_not_stop_the_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = dossier(tmp_path / "sources" / "good", "# A\n")
    dossier(tmp_path / "sources" / "bad", "# A [@nokey]\n")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["build", "--format", "epub", "--jobs", "2"])
    assert result.exit_code == 1
    assert "failed: sources/bad" in result.stderr
    assert "Traceback" not in result.output
    assert (tmp_path / "build" / "good" / "good.epub").is_file()
    assert good.is_dir()


def test_layout_time_and_memory_limits(tmp_path: Path) -> None:
    from dossier.config import BuildOptions
    from dossier.pipeline import build_one
    from dossier.runtime.limits import Limits

    words = ("alpha beta gamma delta epsilon zeta eta theta " * 23000)[:1_000_000]
    folder = dossier(tmp_path / "d", f"# A\n\n{words}\n")
    # The layout of this paragraph (some 130 pages) takes about a minute: 2 s of wall clock
    # end it on any machine, and its CPU limit (3 s) cannot come first, however loaded.
    options = BuildOptions(formats=("pdf",), out=tmp_path / "o1", limits=Limits(seconds=2))
    slow = build_one(folder, options)
    assert messages(slow.diagnostics) == [
        f"{folder / 'dossier.yaml'}:1: error: PDF layout did not finish within 2 s "
        "(raise --pdf-timeout)"
    ]
    # An address space smaller than the layout child inherits (Python, WeasyPrint and the
    # document: over 200 MB at the fork): out of memory before it starts. (With a limit just
    # above that, where an allocation fails, and how, would depend on the tests run before.)
    limits = Limits(memory_mb=32)
    options = BuildOptions(formats=("pdf",), out=tmp_path / "o2", limits=limits)
    hungry = build_one(folder, options)
    assert messages(hungry.diagnostics) == [
        f"{folder / 'dossier.yaml'}:1: error: PDF layout needed more than 32 MB "
        "(raise --pdf-memory)"
    ]
    no_partial_files(tmp_path / "o1")
    no_partial_files(tmp_path / "o2")
    assert not list(tmp_path.rglob("*.pdf"))
