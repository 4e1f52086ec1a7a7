"""A Word file's document properties (File > Info in Word): the Dublin Core ones in
docProps/core.xml and the custom ones in docProps/custom.xml. Pandoc's docx reader takes its
metadata from styled paragraphs (Title, Subtitle, Author, Date) only, not from these."""

from __future__ import annotations

import zipfile

from lxml import etree

CORE = "docProps/core.xml"
CUSTOM = "docProps/custom.xml"
_CORE_NAMES = {
    "{http://purl.org/dc/elements/1.1/}title": "title",
    "{http://purl.org/dc/elements/1.1/}subject": "subject",
    "{http://purl.org/dc/elements/1.1/}creator": "creator",
    "{http://purl.org/dc/elements/1.1/}description": "description",
    "{http://purl.org/dc/elements/1.1/}language": "language",
    "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}keywords": "keywords",
    "{http://purl.org/dc/terms/}created": "created",
    "{http://purl.org/dc/terms/}modified": "modified",
}
_CUSTOM = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}property"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
"""No entities, no network: the file is someone else's."""


def _xml(archive: zipfile.ZipFile, name: str) -> etree._Element | None:
    try:
        return etree.fromstring(archive.read(name), _PARSER)
    except (KeyError, etree.XMLSyntaxError):
        return None  # a document without (readable) properties has none


def read_properties(archive: zipfile.ZipFile) -> dict[str, str]:
    """Core properties by short name (``title``, ``creator``, ``keywords``, ``modified`` …),
    then custom properties by their own names (a core name wins)."""
    found: dict[str, str] = {}
    core = _xml(archive, CORE)
    for node in core if core is not None else ():
        name = _CORE_NAMES.get(str(node.tag))
        if name and (node.text or "").strip():
            found[name] = " ".join(node.text.split())  # type: ignore[union-attr]
    custom = _xml(archive, CUSTOM)
    for node in custom.iter(_CUSTOM) if custom is not None else ():
        name = node.get("name", "").strip().lower()
        text = " ".join("".join(str(t) for t in node.itertext()).split())
        if name and text:
            found.setdefault(name, text)
    return found
