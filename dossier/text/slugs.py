"""Identifiers from text, the way Pandoc makes them (for headings, anchors, file names)."""

from __future__ import annotations

import re
import unicodedata


def slugify(text: str) -> str:
    """Pandoc's identifier rule: lower case, letters/digits/-_. kept, spaces to hyphens."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[^\w\s.-]", "", text)
    text = re.sub(r"\s+", "-", text.strip())
    return text.lstrip("0123456789-_.") or "section"
