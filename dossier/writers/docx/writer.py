"""The review copy for Word: Pandoc's docx writer, styled by the theme's reference document,
with real footnotes numbered as in the PDF, the dossier's date, and the same bytes every build."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from ...config import BuildOptions
from ...errors import Collector
from ...render.dates import build_date
from ...render.documents import Rendered
from ...render.themes import Theme
from ...runtime import pandoc
from ...runtime.files import atomic_write
from ..base import Artifact
from ..zips import repack
from .document import document, images

REFERENCE = "reference.docx"
"""The theme file whose styles the review copy takes (``styles/<theme>/reference.docx``)."""
EPOCH = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
PIC = "http://schemas.openxmlformats.org/drawingml/2006/picture"
DCTERMS = "http://purl.org/dc/terms/"
PAPER = {"A4": (11906, 16838), "letter": (12240, 15840), "A5": (8391, 11906),
         "legal": (12240, 20160)}  # fmt: skip
"""Page sizes in twentieths of a point, as Word measures them."""


def _core_dates(date: dt.date | None) -> Callable[[bytes], bytes]:
    """docProps/core.xml with the dossier's date as created and modified. Pandoc in its
    sandbox has no clock and writes 1970; without a date, no dates at all."""

    def edit(xml: bytes) -> bytes:
        root = etree.fromstring(xml)
        for name in ("created", "modified"):
            for node in root.findall(f"{{{DCTERMS}}}{name}"):
                if date is None:
                    root.remove(node)
                else:
                    node.text = f"{date.isoformat()}T00:00:00Z"
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    return edit


def _body(paper: str) -> Callable[[bytes], bytes]:
    """word/document.xml with the dossier's paper size on its section (the reference
    document's is A4), and without a second copy of each image: Pandoc names a picture
    after its source, here the whole ``data:`` URL."""
    width, height = PAPER.get(paper, PAPER["A4"])

    def edit(xml: bytes) -> bytes:
        root = etree.fromstring(xml, etree.XMLParser(huge_tree=True))
        size = root.find(f"{{{W}}}body/{{{W}}}sectPr/{{{W}}}pgSz")
        if size is not None:
            size.set(f"{{{W}}}w", str(width))
            size.set(f"{{{W}}}h", str(height))
        for picture in root.iter(f"{{{PIC}}}cNvPr"):
            if picture.get("descr", "").startswith("data:"):
                picture.set("descr", "")
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    return edit


def write_docx(rendered: Rendered, theme: Theme, folder: Path, options: BuildOptions) -> Artifact:
    """``<slug>.docx``: one pandoc run on the whole review copy as Pandoc's JSON."""
    resolved = rendered.resolved
    dossier = resolved.dossier
    collector = Collector()
    source, notes = document(
        resolved, images(resolved, rendered.remote_files), pandoc.api_version()
    )
    if notes != len(resolved.notes):
        collector.warning(
            dossier.location,
            f"the Word copy has {notes} notes where the PDF has {len(resolved.notes)}: "
            "their numbers differ",
        )
    args = ["-f", "json", "-t", "docx"]
    reference = theme.find(REFERENCE)
    if reference is not None:
        args += ["--reference-doc", str(reference)]
    with tempfile.TemporaryDirectory(prefix="dossier-") as temporary:
        out = Path(temporary) / "review.docx"
        _, warnings = pandoc.run([*args, "-o", str(out)], json.dumps(source), dossier.location)
        raw = out.read_bytes()
    for warning in warnings:
        collector.warning(dossier.location, f"pandoc (docx): {warning}")
    date = build_date(resolved.dossier)
    when = dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC) if date else EPOCH
    edits = {"docProps/core.xml": _core_dates(date), "word/document.xml": _body(dossier.paper)}
    target = folder / f"{dossier.slug}.docx"
    atomic_write(target, repack(raw, when, edits))
    return Artifact(dossier.slug, "docx", target, tuple(collector.diagnostics))
