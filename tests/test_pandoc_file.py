"""A Pandoc-style single Markdown file builds unchanged: one note per citation and footnote."""

from __future__ import annotations

import re

import pypdf

from dossier import load

from .conftest import FIXTURES, Built, epub_files, epubcheck

SOURCE = FIXTURES / "pandoc-brief" / "brief.md"


def _expected_notes() -> int:
    """Citation groups and footnote references written in the file."""
    body = "\n".join(c.markdown for c in load(SOURCE).chapters)
    body = re.sub(r"^\[\^\w+\]:.*$", "", body, flags=re.MULTILINE)  # definitions
    groups = re.findall(r"\[[^\[\]]*@[\w:.-]+[^\[\]]*\](?!\()", body)
    in_text = re.findall(r"(?<![\w\[@-])@(\w+) \[", body)
    refs = re.findall(r"\[\^\w+\]", body)
    return len(groups) + len(in_text) + len(refs)


def test_one_note_per_citation_in_both_outputs(pandoc_brief: Built) -> None:
    expected = _expected_notes()
    assert expected == 8
    html = pandoc_brief.path("html").read_text(encoding="utf-8")
    assert len(re.findall(r'class="footnote" id="fn-\d+"', html)) == expected
    files = epub_files(pandoc_brief.path("epub"))
    asides = sum(
        data.count(b'epub:type="footnote"')
        for name, data in files.items()
        if name.endswith("xhtml")
    )
    assert asides == expected
    reader = pypdf.PdfReader(pandoc_brief.path("pdf"))
    names = set(reader.named_destinations)
    assert {f"fn-{n}" for n in range(1, expected + 1)} <= names


def test_figure_table_callout_and_bibliography(pandoc_brief: Built) -> None:
    html = pandoc_brief.path("html").read_text(encoding="utf-8")
    figure = '<figure id="fig-throughput" class="figure"><img src="assets/throughput.svg"'
    assert figure + ' alt="Port throughput' in html
    assert 'alt="Port throughput, 2022–2024" style="width: 60%;"/>' in html
    assert "<figcaption>Port throughput, 2022–2024" in html
    assert '<div class="note" role="note">' in html
    assert "<table>" in html and "<th" in html
    # ::: {#refs} places the bibliography inside the last chapter: no extra "Sources" chapter.
    assert html.count('class="bibliography') == 1
    assert 'id="ref-imo2023"' in html
    assert (pandoc_brief.folder / "brief" / "assets" / "throughput.svg").is_file()


def test_epubcheck_clean(pandoc_brief: Built) -> None:
    result = epubcheck(pandoc_brief.path("epub"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr
    files = epub_files(pandoc_brief.path("epub"))
    assert "EPUB/assets/throughput.svg" in files
