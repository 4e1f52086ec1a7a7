"""Loading dossiers: folder and single file, every metadata key, errors with path:line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dossier import DossierError, load
from dossier.errors import Level
from dossier.pipeline import prepare

from .conftest import FIXTURES, SAMPLE, SAMPLE_KEYWORDS


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def errors(path: Path) -> list[str]:
    with pytest.raises(DossierError) as caught:
        load(path)
    return [str(d) for d in caught.value.diagnostics if d.level is Level.ERROR]


def test_sample_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(SAMPLE.parent.parent)
    dossier = load(SAMPLE)
    assert dossier.slug == "ukraine-talks"
    assert dossier.numeric_citations is True
    assert len(dossier.sources) == 5
    assert all("not named in the original report" in s.title for s in dossier.sources)
    assert tuple(dossier.keywords) == SAMPLE_KEYWORDS
    names = {p.name for p in dossier.players}
    assert {"Maria Zakharova", "Keir Starmer", "Steve Witkoff"} <= names
    assert {s.party for i in dossier.positions for s in i.stances} >= {"Russia", "Ukraine"}
    assert dossier.chapters[0].location.path.endswith("01-overview.md")
    assert dossier.chapters[0].location.line == 1
    assert dossier.diagnostics == ()


def test_single_file_with_front_matter() -> None:
    dossier = load(FIXTURES / "pandoc-brief" / "brief.md")
    assert dossier.title == "Grain corridors after the Black Sea Initiative"
    assert [a.name for a in dossier.authors] == ["Test Author", "Second Author"]
    assert dossier.authors[0].affiliation == "Fixture Institute"
    assert dossier.date == dt.date(2024, 5, 17)
    assert dossier.lang == "en-GB"
    # The body after the front matter is one piece of Markdown; chapters are cut at the
    # headings Pandoc reads in it.
    assert len(dossier.chapters) == 1
    assert dossier.chapters[0].markdown.lstrip().startswith("# Background")
    # The body starts right after the front matter's closing line (13): line numbers are the
    # file's.
    assert dossier.chapters[0].location.line == 14
    titles = [c.title for c in prepare(dossier).chapters if c.kind == "chapter"]
    assert titles == ["Background", "Outlook"]
    assert {s.id for s in dossier.sources} == {"imo2023", "lloyds2023", "unctad2024"}


def test_chapters_follow_the_list_else_file_names(tmp_path: Path) -> None:
    base = {"b.md": "# B\n", "a.md": "# A\n", "c.md": "# C\n\n```\n# not a chapter\n```\n"}
    listed = write(
        tmp_path / "listed", {**base, "dossier.yaml": "title: T\nchapters: [c.md, a.md]\n"}
    )
    assert [c.markdown[:3] for c in load(listed).chapters] == ["# C", "# A"]
    sorted_ = write(tmp_path / "sorted", {**base, "dossier.yaml": "title: T\n"})
    assert [c.markdown[:3] for c in load(sorted_).chapters] == ["# A", "# B", "# C"]


def test_every_metadata_key(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "all",
        {
            "dossier.yaml": (
                "title: T\nsubtitle: S\nauthor: [{name: A, affiliation: B, email: a@b.c}]\n"
                "date: 2025-01-02\nlang: uk\ndir: ltr\nkeywords: x, y\nsubject: Sub\n"
                "description: D\npublisher: P\nrights: R\nidentifier: urn:isbn:1\nversion: 2\n"
                "classification: RESTRICTED\nsummary: [one, two]\nnumeric-citations: false\n"
                "nocite: ['@*']\ncover-image: c.png\npaper: letter\ntheme: default\n"
                "references: [{id: k, title: Inline}]\n"
                "timeline: [{date: 2024-03-01, event: Happened}]\n"
            ),
            "a.md": "# A\n",
        },
    )
    d = load(folder)
    assert (d.subtitle, d.lang, d.subject, d.abstract, d.publisher, d.rights) == (
        "S",
        "uk",
        "Sub",
        "D",
        "P",
        "R",
    )
    assert (d.identifier, d.version, d.classification, d.paper) == (
        "urn:isbn:1",
        "2",
        "RESTRICTED",
        "letter",
    )
    assert d.keywords == ("x", "y")
    assert [m.text for m in d.summary] == ["one", "two"]
    assert d.authors[0].email == "a@b.c"
    assert d.sources[0].title == "Inline"
    assert d.timeline[0].date == "2024-03-01"
    assert d.nocite == ("@*",)


def test_problems_are_reported_together_with_lines(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "bad",
        {
            "dossier.yaml": (
                "title: T\n"
                "date: tomorrow\n"
                "numeric-citations: yes please\n"
                "keywords: {a: 1}\n"
                "chapters: [a.md, missing.md, a.md]\n"
            ),
            "a.md": "# A\n",
        },
    )
    found = errors(folder)
    path = str(folder / "dossier.yaml")
    assert f"{path}:2: error: expected a date as YYYY-MM-DD, found 'tomorrow'" in found
    assert f"{path}:3: error: expected true or false, found 'yes please'" in found
    assert f"{path}:4: error: expected a list of text, found a mapping" in found
    assert f"{path}:5: error: chapter 'a.md' is listed twice" in found
    assert any(e.startswith(f"{path}:5: error: file not found") for e in found)


def test_unknown_key_is_a_warning_with_a_suggestion(tmp_path: Path) -> None:
    folder = write(tmp_path / "typo", {"dossier.yaml": "title: T\nsubtitel: S\n", "a.md": "# A\n"})
    dossier = load(folder)
    assert [str(d) for d in dossier.diagnostics] == [
        f"{folder / 'dossier.yaml'}:2: warning: unknown key 'subtitel' is ignored "
        "(did you mean 'subtitle'?)"
    ]


@pytest.mark.parametrize(
    ("yaml_text", "line", "message"),
    [
        ("title: [unclosed\n", 2, "invalid YAML"),
        ("title: T\ntitle: U\n", 2, "duplicate key 'title'"),
        ("title: !!python/object:os.system x\n", 1, "YAML tags such as !!python/object"),
        ("a: &x [1]\nb: *x\ntitle: T\n", 2, "YAML aliases (*name) are not supported"),
    ],
)
def test_bad_yaml(tmp_path: Path, yaml_text: str, line: int, message: str) -> None:
    folder = write(tmp_path / "y", {"dossier.yaml": yaml_text, "a.md": "# A\n"})
    found = errors(folder)
    assert len(found) == 1
    assert found[0].startswith(f"{folder / 'dossier.yaml'}:{line}: error: {message}")


def test_front_matter_lines_count_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "one.md"
    path.write_text("---\ntitle: T\ndate: soon\n---\n\n# A\n", encoding="utf-8")
    assert errors(path) == [f"{path}:3: error: expected a date as YYYY-MM-DD, found 'soon'"]


def test_text_that_is_not_utf8_or_not_allowed(tmp_path: Path) -> None:
    latin = write(tmp_path / "latin", {"dossier.yaml": "title: T\n"})
    (latin / "a.md").write_bytes("# A\n\ncaf\xe9\n".encode("latin-1"))
    assert errors(latin) == [
        f"{latin / 'a.md'}:3: error: not valid UTF-8 text (save the file as UTF-8)"
    ]
    control = write(tmp_path / "control", {"dossier.yaml": "title: T\n", "a.md": "# A\n\nx\x01y\n"})
    dossier = load(control)
    assert [str(d) for d in dossier.diagnostics] == [
        f"{control / 'a.md'}:3: warning: control character U+0001 dropped"
    ]
    assert dossier.chapters[0].markdown == "# A\n\nxy\n"


def test_odd_utf16_is_an_error_with_its_line(tmp_path: Path) -> None:
    folder = write(tmp_path / "d", {"dossier.yaml": "title: T\n"})
    (folder / "a.md").write_bytes("# A\n\nx".encode("utf-16") + b"\x00")  # half a character
    assert errors(folder) == [
        f"{folder / 'a.md'}:3: error: not valid UTF-16 text (save the file as UTF-8)"
    ]


def test_files_outside_the_folder_are_refused(tmp_path: Path) -> None:
    write(tmp_path, {"secret.md": "# Secret\n"})
    folder = write(tmp_path / "d", {"dossier.yaml": "title: T\nchapters: [../secret.md]\n"})
    found = errors(folder)
    assert "is outside the dossier folder" in found[0]


# Documents both YAML paths read: libyaml's (when PyYAML has it) must give exactly what the
# reference loader gives, lines and warnings included, or leave the document to it.
_BOTH_READ = [
    "title: T\nsummary:\n  - one\n  - two\n",
    "a: &x 1\nb: 2\n",  # an anchor without an alias
    'title: "bell \\a and \\ud800 escaped"\n',  # characters dropped, with a warning
    "date: 2025-01-02\nn: 3\nf: 1.5\nyes: yes\nempty:\n",
    "a: 1\na: 2\n",  # a duplicate key: an error with its line
    "title: T\n  bad: indent\n",  # invalid: the reference's message and line
    "a: &x [1]\nb: *x\n",  # an alias: refused, at its line
    "- a\n- b: [1, {c: d}]\n",
    "",
]


@pytest.mark.parametrize("text", _BOTH_READ)
def test_libyaml_reads_as_the_reference_loader(text: str) -> None:
    from dossier.errors import Collector, Location
    from dossier.sources import yamlio

    def read(fast: bool) -> tuple[object, list[str], list[str]]:
        collector = Collector()
        saved = yamlio._CLoader
        if not fast:
            yamlio._CLoader = None
        try:
            data = yamlio.load_yaml(text, Location("x.yaml", 3), collector)
            errors: list[str] = []
        except DossierError as exc:
            data, errors = None, [str(d) for d in exc.diagnostics]
        finally:
            yamlio._CLoader = saved
        lines = getattr(data, "lines", None)
        return (data, lines), [str(d) for d in collector.diagnostics], errors  # type: ignore[return-value]

    assert yamlio._CLoader is not None, "PyYAML without libyaml: the fast path is not tested"
    fast = read(fast=True)
    assert fast == read(fast=False)
    # libyaml reads what it can; the reference the rest (errors, aliases, and escapes of
    # characters libyaml refuses but the reference reads, to drop them with a warning).
    left = (bool(fast[2]) and "duplicate" not in fast[2][0]) or "\\ud800" in text
    assert (yamlio._fast(text, 2) is None) == left


def test_a_block_is_found_by_the_start_of_its_text() -> None:
    """Lines of blocks come from their first words, read from the start of their text only:
    ``leading_text`` is a prefix of ``stringify``, long enough for the words (a first word
    longer than what is read falls back to the whole text)."""
    from dossier.markup.locate import Locator
    from dossier.model import ast

    words = tuple(w for i in range(400) for w in (ast.Str(f"word{i}"), ast.Space()))
    long_list = ast.BulletList(tuple((ast.Plain(words),) for _ in range(50)))
    full = ast.stringify((long_list,))
    start = ast.leading_text((long_list,), 300)
    assert full.startswith(start) and 300 <= len(start) < len(full) // 10
    huge_word = ast.Para((ast.Str("x" * 500), ast.Space(), ast.Str("tail")))
    text = "Intro line.\n\n- word0 word1 word2\n\n" + "x" * 500 + " tail\n"
    lines = Locator(text, 10).block_lines((ast.Para((ast.Str("Intro"),)), long_list, huge_word))
    assert lines == (10, 12, 14)
