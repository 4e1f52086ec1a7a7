"""Links in a briefing lead somewhere in both outputs, or are printed as text with a warning:
an ``#anchor`` no element has, a path to a file beside the sources (not beside the PDF a
reader was sent, and outside the EPUB's container), a scheme that is not allowed."""

from __future__ import annotations

from pathlib import Path

from dossier.config import BuildOptions
from dossier.pipeline import build_one

from .conftest import epub_files, epubcheck

BRIEF = """\
---
title: Links
---
# One

See [the second](#two), [nowhere](#nowhere) and [the annex](annex.pdf).

Also [a site](https://example.org/x) and [mail](mailto:desk@example.org).[^n]

# Two {#two}

Text.

[^n]: Back to [the first](#one), or [nowhere](#nowhere).
"""


def test_dead_and_relative_links_are_text_with_warnings(tmp_path: Path) -> None:
    source = tmp_path / "links.md"
    source.write_text(BRIEF, encoding="utf-8")
    result = build_one(source, BuildOptions(formats=("epub", "html"), out=tmp_path / "out"))
    said = [str(d) for d in result.diagnostics]
    assert said == [
        f"{source}:6: warning: link to 'annex.pdf' is printed as text: a link leads to a web "
        "address, mailto: or #an-anchor in the dossier",
        f"{source}:6: warning: link to '#nowhere' is printed as text: no heading or element "
        "has that id",
        f"{source}:14: warning: link to '#nowhere' is printed as text: no heading or element "
        "has that id",
    ]
    epub = next(a.path for a in result.artifacts if a.format == "epub")
    check = epubcheck(epub)
    assert check.returncode == 0, check.stdout + check.stderr
    chapters = b"".join(v for k, v in sorted(epub_files(epub).items()) if "chapter-" in k)
    text = chapters.decode()
    assert '<a href="chapter-02.xhtml#two">the second</a>, nowhere and the annex.' in text
    assert '<a href="https://example.org/x">a site</a>' in text
    assert '<a href="mailto:desk@example.org">mail</a>' in text
    assert 'Back to <a href="#one">the first</a>, or nowhere.' in text
    html = next(a.path for a in result.artifacts if a.format == "html").read_text()
    assert 'href="#nowhere"' not in html and "annex.pdf" not in html
    assert '<a href="#two">the second</a>' in html
