"""The EPUB's schema.org accessibility metadata, worked out from the documents themselves so
that it states only what holds for this book (values from the W3C / DAISY vocabulary)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from lxml import etree

from ...render.documents import Rendered

XHTML = "{http://www.w3.org/1999/xhtml}"
ANIMATED = {".gif", ".webp", ".apng"}
"""Image formats that may move or flash: a book showing one cannot promise no hazard."""
HEADINGS = {f"{XHTML}h{n}" for n in range(1, 7)}
CHECKED = (
    "Automated checks only: dossier's test suite checks the EPUBs it makes from its test "
    "dossiers with EPUBCheck 5 (no errors or warnings) and Ace by DAISY 1.4.6 (no "
    "violations); this book itself was not checked by a person."
)
PRINT_PAGES = "The page numbers of the print edition are marked and listed."
"""Added to the summary with the page list, when the PDF's pages are known."""


@dataclass(frozen=True, slots=True)
class _Survey:
    headings: bool
    described: bool
    tables: int
    headed: bool
    notes: bool
    roles: bool


def _survey(rendered: Rendered) -> _Survey:
    headings = notes = roles = False
    tables = 0
    described = headed = True
    for doc in rendered.epub_documents:
        root = etree.fromstring(doc.xhtml.encode("utf-8"))
        for element in root.iter(etree.Element):
            tag = element.tag
            headings |= tag in HEADINGS
            roles |= element.get("role") is not None
            notes |= element.get("role") == "doc-footnote"
            if tag == f"{XHTML}img":
                described &= bool((element.get("alt") or "").strip())
            elif tag == f"{XHTML}table":
                tables += 1
                headed &= bool(element.findall(f".//{XHTML}th"))
    return _Survey(headings, described, tables, headed, notes, roles)


def accessibility_facts(rendered: Rendered) -> list[tuple[str, str]]:
    """(schema.org property, value) pairs for the OPF, in a fixed order."""
    survey = _survey(rendered)
    # The cover page always shows an image (the dossier's or one drawn from it), described
    # by the title: the visual mode is always there.
    described = survey.described
    features = ["tableOfContents", "readingOrder"]
    if survey.headings:
        features.insert(0, "structuralNavigation")
    # The stylesheet sets no fixed fonts or sizes: the reader's settings apply.
    features.append("displayTransformability")
    if described:
        features.append("alternativeText")
    if survey.roles:
        features.append("ARIA")
    facts = [("accessMode", "textual")]
    facts += [("accessMode", "visual")]
    facts += [("accessModeSufficient", "textual" if described else "textual,visual")]
    facts += [("accessibilityFeature", feature) for feature in features]
    files = [*rendered.resolved.assets, *rendered.remote_files]
    if any(PurePosixPath(name).suffix.lower() in ANIMATED for name in files):
        # Motion is left unstated (unknown) rather than named: Ace 1.4.6 knows the term
        # "unknownMotionSimulationHazard" only misspelt, and would flag the right one.
        hazards = ["unknownFlashingHazard", "noSoundHazard"]
    else:
        hazards = ["none"]
    facts += [("accessibilityHazard", hazard) for hazard in hazards]
    facts.append(("accessibilitySummary", _summary(survey, described)))
    return facts


def _summary(survey: _Survey, described: bool) -> str:
    sentences = ["Reflowable text with a table of contents"]
    sentences[0] += " and headings in reading order." if survey.headings else "."
    if survey.notes:
        sentences.append("Each note call links to its footnote and each footnote back to it.")
    sentences.append(
        "Every image has a text description."
        if described
        else "Some images have no text description."
    )
    if survey.tables:
        sentences.append(
            "Every table has header cells."
            if survey.headed
            else "Some tables have no header cells."
        )
    sentences.append(CHECKED)
    return " ".join(sentences)
