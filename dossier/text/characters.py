"""Characters a document cannot hold (XML 1.0 forbids them, so the EPUB would be invalid):
C0 controls other than tab and newline, U+FFFE/U+FFFF and lone surrogates. They carry no
text (a control character pasted from a PDF, a vertical tab from Word), so they are dropped
wherever text comes from, with a warning, and nothing else in the text changes."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from ..errors import Collector, Location

NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
"""Tab, LF and CR are allowed (CR is read as a line end before this applies)."""
DROPPED = "dropped-characters"
"""The kind of the one warning per file about them (see ``Collector.once_per_file``)."""
Found = list[tuple[str, str, int]]
"""(where, the first character dropped there, how many were) for each place with some."""


def describe(char: str) -> str:
    """One of these characters as messages name it."""
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        kind = "lone surrogate"
    elif code >= 0xFFFE:
        kind = "noncharacter"
    else:
        kind = "control character"
    return f"{kind} U+{code:04X}"


def drop_forbidden(text: str) -> tuple[str, int, str, int]:
    """``text`` without them; the line (1-based) of the first, the first, and how many there
    were (0: the text is unchanged)."""
    first = NOT_XML.search(text)
    if first is None:
        return text, 0, "", 0
    cleaned, count = NOT_XML.subn("", text)
    return cleaned, text.count("\n", 0, first.start()) + 1, first.group(), count


def report_dropped(collector: Collector, location: Location, char: str, count: int) -> None:
    """The one warning per file: where the first was, which it was, how many more."""

    def message(more: int) -> str:
        rest = f" (and {more} more in this file)" if more else ""
        return f"{describe(char)} dropped{rest}"

    collector.once_per_file(DROPPED, location, message, count)


def drop_everywhere(value: Any, name: str, found: Found, skip: frozenset[str] = frozenset()) -> Any:
    """``value`` with them dropped from every string inside it (mappings, sequences and
    dataclasses but their fields in ``skip``, which hold no text); each place they were
    dropped from is added to ``found`` named as ``name.field[index]``. Unchanged values are
    returned as they are."""
    before = len(found)
    result: Any = value
    if isinstance(value, str):
        result, _, char, count = drop_forbidden(value)
        if count:
            found.append((name, char, count))
    elif isinstance(value, Mapping):
        result = {
            drop_everywhere(key, name, found): drop_everywhere(item, f"{name}.{key}", found, skip)
            for key, item in value.items()
        }
    elif isinstance(value, list | tuple):
        items = [drop_everywhere(v, f"{name}[{i}]", found, skip) for i, v in enumerate(value)]
        result = items if isinstance(value, list) else tuple(items)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            field.name: drop_everywhere(
                getattr(value, field.name), f"{name}.{field.name}", found, skip
            )
            for field in dataclasses.fields(value)
            if field.name not in skip
        }
        if len(found) > before:
            result = dataclasses.replace(value, **changes)
    return result if len(found) > before else value
