"""``dossier new``: a dossier to start from, with every metadata key explained."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import DossierError, Location, display_path
from ..runtime.files import atomic_write

METADATA = """\
# {title} — every key of dossier.yaml, with what it does. Delete what you do not need.

title: {title}
subtitle: What the briefing is about, in one line
author:
  - name: Your Name
    affiliation: Your organisation
date: {date}                  # YYYY-MM-DD: the date printed, and the PDF and EPUB dates
version: "0.1"                # the edition, on the cover; `dossier diff` compares editions
lang: en                      # BCP 47: hyphenation, quotation marks, the words dossier prints
# dir: rtl                    # for right-to-left languages
classification: PUBLIC        # banner on the cover and on every page; delete for none
keywords: [Security, Diplomacy]   # the topics: PDF keywords, EPUB subjects, cover tags
# subject: One-line subject for the PDF metadata
# abstract: A short description for catalogues (PDF and EPUB metadata)
# publisher: Your organisation
# rights: © Your organisation
# identifier: urn:isbn:…      # else one is derived from the content
# cover-image: assets/cover.jpg

bibliography: references.yaml  # CSL-YAML; also CSL-JSON (Zotero) or BibTeX, or a list of files
# csl: chicago-notes-bibliography  # a CSL style name or a .csl file; default: built-in notes
# nocite: ['@*']               # list sources never cited too
# numeric-citations: true      # [1], [2, 5] cite the n-th source of the bibliography

summary:                      # key points, before the contents (Markdown, with citations)
  - The one thing a reader must take away [@example-report].

# players:                    # key players: who they are and what they hold
#   - name: A. Person
#     role: Envoy
#     party: Party A
#     position: Wants a settlement [@example-report, p. 2].
# positions:                  # the matrix: issues × parties
#   - issue: Security guarantees
#     stances:
#       Party A: Wants binding guarantees [@example-report].
# timeline:
#   - date: "2025"
#     event: Talks resumed [@example-report].

# chapters: [01-introduction.md]  # chapter order; else the .md files sorted by name
# paper: A4                   # or letter, A5, legal
# mirror-margins: false       # wider inner margins for printing on both sides
# theme: default              # or a folder of CSS, fonts and templates
# raw-html: sanitize          # raw HTML in Markdown: sanitize, escape or refuse
"""

CHAPTER = """\
# Introduction

Write the briefing here. Cite a source where you state a fact [@example-report, p. 3], and
use footnotes for remarks that need no source.[^remark]

[^remark]: A footnote: it shares its numbering with the citations.

::: {.note}
A callout, for what a reader should not miss.
:::
"""

REFERENCES = """\
# Sources in CSL-YAML (Zotero exports CSL-JSON, which works too, as does BibTeX).
- id: example-report
  type: report
  title: An example report
  author:
    - literal: Example Institute
  publisher: Example Institute
  issued: {date-parts: [[2025]]}
  URL: https://example.org/report
"""


def scaffold(sources: Path, slug: str, single_file: bool = False) -> list[Path]:
    """Write a new dossier under ``sources/``; refuses to overwrite anything."""
    where = Location(display_path(sources / slug))
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        raise DossierError.at(where, "a slug is lower-case letters, digits and hyphens")
    target = sources / (f"{slug}.md" if single_file else slug)
    if target.exists():
        raise DossierError.at(where, f"{display_path(target)} already exists")
    title = slug.replace("-", " ").capitalize()
    metadata = METADATA.format(title=title, date="2025-01-01")
    if single_file:
        references = "references:\n" + "\n".join(
            "  " + line for line in REFERENCES.splitlines()[1:]
        )
        front = metadata.replace(
            "bibliography: references.yaml  # CSL-YAML; also CSL-JSON (Zotero) or BibTeX, "
            "or a list of files",
            references,
        )
        atomic_write(target, f"---\n{front}---\n\n{CHAPTER}".encode())
        return [target]
    files = {
        target / "dossier.yaml": metadata,
        target / "01-introduction.md": CHAPTER,
        target / "references.yaml": REFERENCES,
        target / "assets" / "README.md": "Images for the chapters go here.\n",
    }
    for path, text in files.items():
        atomic_write(path, text.encode())
    return list(files)
