"""Zip containers (EPUB, DOCX) re-packed with fixed entry times: the same bytes every build."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable

Edits = dict[str, Callable[[bytes], bytes]]


def repack(data: bytes, when: dt.datetime, edits: Edits | None = None) -> bytes:
    """The same zip with fixed entry times, ``mimetype`` first and stored (EPUB's rule; a DOCX
    has none), every entry's content passed through ``edits`` by name: reproducible bytes."""
    # Zip (DOS) times run from 1980 to 2107.
    stamp = (min(max(when.year, 1980), 2107), when.month, when.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        order = {name: index for index, name in enumerate(source.namelist())}
        for name in sorted(order, key=lambda n: (n != "mimetype", order[n])):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            content = source.read(name)
            if edits and name in edits:
                content = edits[name](content)
            target.writestr(info, content, compresslevel=9)
    return out.getvalue()
