"""The review copy for Word (``--format docx``): real footnotes numbered as in the PDF, Word's
heading styles, tables with header rows, the dossier's dates and styles, and a file that
LibreOffice opens and prints."""

from __future__ import annotations

import html
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from dossier.config import BuildOptions
from dossier.errors import display_path
from dossier.pipeline import Result, build_one
from dossier.render.themes import builtin_styles
from dossier.writers.manifest import file_digest, load_manifest

from .conftest import FIXTURES, GRADED, SAMPLE, SAMPLE_CHAPTERS, Built
from .wordfiles import W, footnotes, libreoffice_pdf, listed, paragraphs, part, pdf_text, tables


def _docx(result: Result) -> Path:
    assert not result.failed, result.diagnostics
    return next(a.path for a in result.artifacts if a.format == "docx")


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("review")
    result = build_one(SAMPLE, BuildOptions(formats=("docx",), out=out))
    assert result.warnings == ()
    return _docx(result)


def _pdf_notes(sample: Built) -> list[str]:
    """Each note's text in the HTML the PDF was laid out from, by its number."""
    page = sample.path("html").read_text(encoding="utf-8")
    found = re.findall(
        r'<span class="footnote" id="fn-(\d+)".*?<span class="fn-body">(.*?)</span></span>', page
    )
    assert [int(n) for n, _ in found] == list(range(1, len(found) + 1))
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", "", body)).split()) for _, body in found]


def test_the_samples_44_notes_are_word_footnotes_numbered_as_in_the_pdf(
    review: Path, sample: Built
) -> None:
    words = footnotes(review)
    assert len(words) == 44
    assert words == _pdf_notes(sample)
    # Each note once, each a real footnote: no endnotes, no notes typed as text.
    assert len(part(review, "word/footnotes.xml").findall(f"{W}footnote")) == 44 + 2  # separators
    with zipfile.ZipFile(review) as archive:
        assert "word/endnotes.xml" not in archive.namelist()


_LONG_NOTE = (
    "Це дуже довга примітка, яка містить детальне пояснення методології, джерел даних, "
    "обмежень аналізу та застережень щодо тлумачення результатів."
)

# The notes each fixture's sources call for, in order, as the notes style prints them.
NOTES = {
    "pandoc-brief/brief.md": [
        "International Maritime Organization, Maritime Security in the Black Sea: Situation "
        "Report (IMO, 1 September 2023), https://example.org/imo-black-sea-2023.",
        "Erin Example, ‘War-risk premiums for Black Sea voyages’, Lloyd’s List, 3 October 2023, "
        "pp. 4–6, https://example.org/lloyds-list/war-risk; see also International Maritime "
        "Organization, Maritime Security in the Black Sea: Situation Report, ch. 2.",
        "Premiums are quoted per voyage, not per tonne (Example, ‘War-risk premiums for Black "
        "Sea voyages’, p. 7).",
        "Review of Maritime Transport 2024 (United Nations, 2024), p. 12, "
        "https://doi.org/10.18356/example.",
        "Review of Maritime Transport 2024.",
        "Ibid.",
        "Example, ‘War-risk premiums for Black Sea voyages’.",
        "A plain footnote, with emphasis.",
    ],
    "uk-arabic": [
        "Міністерство інфраструктури, Огляд морської безпеки (Київ, Листопад 2023).",
        "Там само, с. 4.",
        "Γιώργος Παπαδόπουλος, Ασφάλεια στη Μαύρη Θάλασσα (Αθήνα, 2022).",
        "علي الحسن, «الأمن البحري في البحر الأسود», الصحيفة, 03, Лютий 2024, "
        "https://example.org/ar/maritime.",
        "Оцінки буде уточнено в наступному випуску.",
        "Міністерство інфраструктури, Огляд морської безпеки.",  # the figure's caption
        *(f"Там само, с. {n}." for n in range(1, 25)),  # the table's 24 rows
        " ".join([_LONG_NOTE] * 40),
    ],
    "graded.md": [
        "“Strong report,” Agency, 2024. [A1]",
        "Ibid. [A1]",
        "“Rumour,” 2024, https://example.org/r. [E5]",
    ],
}


@pytest.mark.parametrize(
    ("name", "built"),
    [("pandoc-brief/brief.md", "pandoc_brief"), ("uk-arabic", "uk_arabic"), ("graded.md", "")],
)
def test_every_note_is_a_footnote_with_the_text_the_pdf_prints(
    name: str, built: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    source = FIXTURES / name
    if name == "graded.md":
        source = tmp_path / name
        source.write_text(GRADED)
    docx = _docx(build_one(source, BuildOptions(formats=("docx",), out=tmp_path / "out")))
    assert footnotes(docx) == NOTES[name]
    if built:  # the notes the PDF was laid out with (its HTML), from the session's build
        printed = _pdf_notes(request.getfixturevalue(built))
        # The PDF prints an over-long note at the end, with a pointer to it in its place.
        short = [n for n in NOTES[name] if len(n) < 1000]
        assert [n for n, e in zip(printed, NOTES[name], strict=True) if len(e) < 1000] == short


def test_chapters_have_word_heading_styles_and_a_title_block(review: Path) -> None:
    styled = paragraphs(review)
    by_style = lambda style: [t for s, t in styled if s == style]  # noqa: E731
    assert by_style("Title") == ["Russia resists NATO military presence in Ukraine"]
    assert by_style("Subtitle")[0].startswith("International negotiations on the core demands")
    assert by_style("Date") == ["1 September 2025"]
    assert by_style("Classification") == ["PUBLIC"]
    assert by_style("Edition")[0] == "Version 1.0"
    assert by_style("Heading1") == ["Key points", *SAMPLE_CHAPTERS, "Sources"]
    assert by_style("Heading2") == ["Timeline", "Key players", "Positions"]
    assert [t[:20] for t in listed(review)[:6]] == [
        "Russia demands that ",
        "The territorial disp",
        "Russia continues to ",
        "European countries h",
        "Lifting sanctions on",
        "Without substantial ",
    ]


def test_players_positions_and_timeline_are_tables_with_header_rows(review: Path) -> None:
    found = {rows[0][0]: rows for rows in tables(review)}
    assert set(found) == {"*Date", "*Player", "*Issue"}
    players = found["*Player"]
    assert players[0] == ["*Player", "Role", "Party", "Position"]
    assert players[1][:3] == ["Maria Zakharova", "Spokeswoman, Russian Foreign Ministry", "Russia"]
    assert len(players) == 1 + 6
    positions = found["*Issue"]
    assert positions[0] == ["*Issue", "Russia", "Ukraine", "United States", "European allies"]
    assert [row[0] for row in positions[1:]] == [
        "Security guarantees",
        "Territory",
        "Ceasefire",
        "Sanctions",
    ]
    assert positions[2][3] == positions[2][4] == ""  # no stance stated
    assert [row[0] for row in found["*Date"][1:]] == ["2022", "2025"]


def test_dates_and_properties_come_from_the_dossier(review: Path) -> None:
    core = part(review, "docProps/core.xml")
    terms = "{http://purl.org/dc/terms/}"
    assert core.findtext(f"{terms}created") == "2025-09-01T00:00:00Z"
    assert core.findtext(f"{terms}modified") == "2025-09-01T00:00:00Z"
    assert core.findtext("{http://purl.org/dc/elements/1.1/}title") == (
        "Russia resists NATO military presence in Ukraine"
    )
    keywords = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}keywords"
    assert core.findtext(keywords) == "Community policy, Employment policy, Politics, General news"
    custom = {
        p.get("name"): "".join(p.itertext())
        for p in part(review, "docProps/custom.xml").iter(
            "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}property"
        )
    }
    assert custom["version"] == "1.0" and custom["classification"] == "PUBLIC"
    with zipfile.ZipFile(review) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2025, 9, 1, 0, 0, 0)}


def test_styles_come_from_the_themes_reference_document(review: Path) -> None:
    styles = part(review, "word/styles.xml")
    ids = {s.get(f"{W}styleId") for s in styles.iter(f"{W}style")}
    assert {"Classification", "Edition", "Heading1", "FootnoteText"} <= ids
    section = part(review, "word/document.xml").find(f"{W}body/{W}sectPr")
    assert section is not None
    restart = section.find(f"{W}footnotePr/{W}numRestart")
    assert restart is not None and restart.get(f"{W}val") == "continuous"
    size = section.find(f"{W}pgSz")
    assert size is not None and (size.get(f"{W}w"), size.get(f"{W}h")) == ("11906", "16838")


def test_libreoffice_opens_the_review_copy_and_prints_every_note(
    review: Path, tmp_path: Path
) -> None:
    printed = pdf_text(libreoffice_pdf(review, tmp_path))
    flat = " ".join(printed.split())
    assert "Russia resists NATO military presence in Ukraine" in flat
    assert "Key players" in flat and "Maria Zakharova" in flat
    for note in footnotes(review):
        assert note in flat, f"LibreOffice did not print the note “{note}”"
    # Numbered 1 to 44 through the whole document, as in the PDF (not again in each chapter).
    numbers = [int(n) for n in re.findall(r"^(\d+)$", printed, re.MULTILINE) if int(n) < 100]
    assert sorted(set(numbers)) == list(range(1, 45))


def test_figures_keep_captions_and_images_and_tables_their_header_row(tmp_path: Path) -> None:
    source = FIXTURES / "pandoc-brief" / "brief.md"
    docx = _docx(build_one(source, BuildOptions(formats=("docx",), out=tmp_path)))
    styled = paragraphs(docx)
    assert ("ImageCaption", "Port throughput, 2022–2024") in styled
    with zipfile.ZipFile(docx) as archive:
        media = [n for n in archive.namelist() if n.startswith("word/media/")]
        assert len(media) == 1 and media[0].endswith(".svg")
        svg = archive.read(media[0])
    assert svg == (FIXTURES / "pandoc-brief" / "assets" / "throughput.svg").read_bytes()
    rows = next(t for t in tables(docx) if t[0][0] == "*Route")
    assert rows == [["*Route", "Share"], ["Odesa", "62 %"], ["Danube", "38 %"]]
    notes = footnotes(docx)
    assert len(notes) == len(NOTES["pandoc-brief/brief.md"])
    assert notes[2].startswith("Premiums are quoted per voyage")  # a footnote citing inside


def test_a_themes_reference_document_overrides_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = tmp_path / "styles" / "default" / "reference.docx"
    ours.parent.mkdir(parents=True)
    with (
        zipfile.ZipFile(builtin_styles() / "default" / "reference.docx") as source,
        zipfile.ZipFile(ours, "w") as target,
    ):
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/styles.xml":
                data = data.replace(b'w:val="1D3557"', b'w:val="00AA00"')
            target.writestr(item, data)
    monkeypatch.chdir(tmp_path)
    shutil.copytree(SAMPLE, tmp_path / "talks")
    docx = _docx(build_one(Path("talks"), BuildOptions(formats=("docx",), out=Path("out"))))
    heading = part(docx, "word/styles.xml").find(f"{W}style[@{W}styleId='Heading1']")
    assert heading is not None
    assert heading.find(f"{W}rPr/{W}color").get(f"{W}val") == "00AA00"  # type: ignore[union-attr]


def test_raw_word_markup_in_markdown_never_reaches_the_document(tmp_path: Path) -> None:
    source = tmp_path / "raw.md"
    source.write_text(
        "---\ntitle: Raw\n---\n\n# One\n\n```{=openxml}\n"
        "<w:p><w:r><w:t>INJECTED</w:t></w:r></w:p>\n```\n\n"
        "Text with `<w:t>ALSO</w:t>`{=openxml} and <b>bold</b> HTML.\n"
    )
    docx = _docx(build_one(source, BuildOptions(formats=("docx",), out=tmp_path / "out")))
    texts = [t for _, t in paragraphs(docx)]
    assert not any("INJECTED" in t or "ALSO" in t for t in texts)
    # Raw HTML is sanitised by default: its text stays, Word has no HTML for its tags.
    assert "Text with and bold HTML." in texts


def test_the_review_copy_is_listed_in_the_manifest(review: Path) -> None:
    out = review.parent.parent
    entry = load_manifest(out)[(display_path(SAMPLE), "docx")]
    assert entry.path == "ukraine-talks/ukraine-talks.docx"
    assert entry.sha256 == file_digest(review) and entry.bytes == review.stat().st_size
    assert entry.pages is None


def test_two_builds_give_the_same_bytes(review: Path, tmp_path: Path) -> None:
    again = _docx(build_one(SAMPLE, BuildOptions(formats=("docx",), out=tmp_path)))
    assert again.read_bytes() == review.read_bytes()
