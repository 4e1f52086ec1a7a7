"""Property-based tests: whatever the Markdown, front matter or references, a build gives
valid outputs or a DossierError, never a crash; whatever the text, Pandoc's reader gives typed
blocks or diagnostics, and the fragments made from them are well-formed XML.

CI runs a bounded number of examples (profile ``ci``); for a longer run, e.g. nightly:
``HYPOTHESIS_PROFILE=nightly .venv/bin/pytest tests/hostile/test_fuzz.py``.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from dossier.config import BuildOptions
from dossier.errors import Collector, DossierError, Location
from dossier.markup.reader import read
from dossier.model import NOTE_MARK, Chapter, Dossier, Markdown, Player, ast
from dossier.pipeline import write
from dossier.resolve.stage import resolve
from dossier.runtime import pandoc

settings.register_profile(
    "ci",
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "nightly",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

PIECES = [
    "# ", "## ", "\n", "\n\n", "[@k1]", "[@k2, p. 3]", "[-@k1]", "@k2", "[see @k1; @k2]", "[1]",
    "[^a]", "[^a]: note", "::: {.note}\n", ":::\n", "::: {#refs}\n", "::: {#players}\n",
    "|a|b|\n|-|-|\n|1|2|\n",
    "![alt](img.png)", "![](missing.png)", "*", "**", "`", "```\ncode\n```\n", "> ", "- ", "1. ",
    "<b>", "</b>", "<script>", "&amp;", "\\", "{#id .c}", "[text]{lang=ar dir=rtl}", "https://x.y",
    "\u202e", "\u200b", "عربي", "Україна", "😀", "\t", "    ", "---\n", "***",
]  # fmt: skip
markdown = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=20)), max_size=40).map(
    "".join
)
scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=15))
metadata = st.fixed_dictionaries(
    {"title": st.one_of(st.text(max_size=30), scalar)},
    optional={
        "date": st.one_of(st.dates().map(str), scalar),
        "keywords": st.one_of(st.lists(st.text(max_size=10), max_size=4), scalar),
        "numeric-citations": scalar,
        "summary": st.one_of(st.lists(markdown, max_size=3), scalar),
        "players": st.lists(
            st.fixed_dictionaries({"name": st.text(max_size=10)}, optional={"position": markdown}),
            max_size=2,
        ),
        "raw-html": st.sampled_from(["escape", "sanitize", "refuse", "other"]),
        "lang": st.sampled_from(["en", "uk", "ar", "", "xx-YY"]),
    },
)
reference = st.fixed_dictionaries(
    {"id": st.sampled_from(["k1", "k2", "k3"])},
    optional={
        "title": st.text(max_size=30),
        "type": st.sampled_from(["book", "report", "x"]),
        "author": st.lists(st.fixed_dictionaries({"family": st.text(max_size=8)}), max_size=3),
        "issued": st.one_of(
            st.fixed_dictionaries({"date-parts": st.just([[2024, 13]])}), st.text(max_size=8)
        ),
        "URL": st.text(max_size=20),
    },
)


def _valid_epub(path: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        assert archive.namelist()[0] == "mimetype"
        for name in archive.namelist():
            if name.endswith((".xhtml", ".opf", ".ncx")):
                etree.fromstring(archive.read(name))  # well-formed XML or it raises


@given(body=markdown, meta=metadata, refs=st.lists(reference, max_size=4))
def test_any_dossier_builds_or_fails_cleanly(tmp_path_factory, body, meta, refs) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("fuzz")
    text = yaml.safe_dump({**meta, "references": refs}, allow_unicode=True)
    (folder / "dossier.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
    (folder / "01.md").write_text("# Chapter\n\n" + body, encoding="utf-8", errors="surrogatepass")
    result = write(folder, ("epub", "html"), BuildOptions(out=folder / "out"))
    if result.failed:
        assert result.artifacts == ()
        assert all(d.message and d.location.path for d in result.diagnostics)
        return
    epub = next(a.path for a in result.artifacts if a.format == "epub")
    _valid_epub(epub)


# ---- Pandoc's reader --------------------------------------------------------------------------

NESTABLE = [
    ("> ", "", 400), ("*", "*", 400), ("**", "**", 400), ("_", "_", 400), ("~~", "~~", 300),
    ("^", "^", 400), ("~", "~", 400), ('"', '"', 400), ("'", "'", 400), ("*a ", " a*", 400),
    ("::: {.c}\n", "\n:::\n", 300), ("<div>\n", "\n</div>\n", 300),
]  # fmt: skip
"""Openers and closers that nest, and how deep to go (past ``reader.MAX_DEPTH`` and past
Python's recursion limit); these may be left open."""
BALANCED = [("^[", "]", 60), ("^[a ", " b]", 60), ("<span>", "</span>", 80),
            ("[", "]{.c}", 5), ("[", "](u)", 5)]  # fmt: skip
"""These are always closed: Pandoc's time grows exponentially with open or nested brackets
and open spans (jgm/pandoc#1735, #5023); a dossier doing that ends at pandoc's time limit,
with an error."""
PANDOC_SECONDS = 10
"""The time limit for one pandoc run in these tests: an unlucky mix of brackets ends as the
error a user would see, sooner."""


@st.composite
def nested(draw: st.DrawFn) -> str:
    opener, closer, deepest = draw(st.sampled_from(NESTABLE + BALANCED))
    depth = draw(st.integers(0, deepest))
    inside = draw(st.text(max_size=5))
    closed = depth if (opener, closer, deepest) in BALANCED else draw(st.integers(0, depth))
    return opener * depth + inside + closer * closed


nested_list = st.integers(0, 150).map(lambda n: "".join("  " * i + "- a\n" for i in range(n)))
# Any character at all: C0 controls, noncharacters, lone surrogates, right-to-left marks.
anything = st.text(st.characters(exclude_categories=()), max_size=30)
hostile_text = st.lists(
    st.one_of(st.sampled_from(PIECES), anything, nested(), nested_list), max_size=12
).map("".join)


def _piece(text: str, path: str) -> Markdown:
    return Markdown(text, Location(path, 1))


@given(chapter=hostile_text, point=hostile_text, position=hostile_text)
def test_the_reader_gives_blocks_or_diagnostics(
    chapter: str, point: str, position: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pandoc, "TIMEOUT", PANDOC_SECONDS)
    dossier = Dossier(
        title="T",
        chapters=[Chapter(chapter, Location("a.md", 1))],
        summary=[_piece(point, "dossier.yaml")],
        players=[Player("P", position=_piece(position, "dossier.yaml"))],
    )
    collector = Collector()
    try:
        done = read(dossier, collector)
    except DossierError as error:
        assert error.diagnostics and all(d.message and d.location.path for d in error.diagnostics)
        return
    assert all(d.message and d.location.path for d in collector.diagnostics)
    for blocks, lines in [(c.blocks, c.lines) for c in done.chapters] + [
        (m.blocks, m.lines) for m in (*done.summary, done.players[0].position)
    ]:
        assert len(lines) == len(blocks)
        # Typed values that go back to Pandoc (for citeproc) as they came.
        assert ast.blocks(ast.blocks_json(blocks)) == blocks


_MARKS = re.compile("\x00[^\x00]*\x00")


def _well_formed(html: str) -> None:
    etree.fromstring(f"<div>{_MARKS.sub('', html)}</div>".encode())  # or it raises


@given(chapter=hostile_text, point=hostile_text, raw=st.sampled_from(["escape", "sanitize"]))
def test_any_text_gives_well_formed_fragments(
    chapter: str, point: str, raw: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pandoc, "TIMEOUT", PANDOC_SECONDS)
    dossier = Dossier(
        title="T",
        raw_html=raw,
        chapters=[Chapter(chapter, Location("a.md", 1))],
        summary=[_piece(point, "dossier.yaml")],
    )
    resolved = resolve(dossier)
    assert all(d.message and d.location.path for d in resolved.diagnostics)
    if any(d.level.value == "error" for d in resolved.diagnostics):
        return
    for html in [*resolved.summary, *(c.html for c in resolved.chapters)]:
        _well_formed(html)
    for note in resolved.notes:
        _well_formed(note.html)
        _well_formed(note.inline_html)
        assert NOTE_MARK.split(":")[0] not in note.html  # no note's call inside a note
