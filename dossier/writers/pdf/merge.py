"""Parts of one PDF laid out apart (``parts``), assembled into one file: pages in
order, one structure tree for the tagged PDF, one outline, one set of named destinations
(so links between parts work), and the first part's catalogue and metadata. qpdf (through
pikepdf) does the copying, so assembling takes a fraction of a second.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import os
import pickle
import re
import subprocess
import sys
import warnings
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, OutlineItem, Pdf


class Merger:
    """``merge`` in a fresh Python process, started before the parts are laid out so that
    its start-up (pikepdf, fontTools) costs no time at the end. Each part is handed over as
    soon as it is drawn (:meth:`offer`), and the process readies it (opens it, makes its
    element ids unique) while the others are still drawn: only the assembling is left for
    the end. Fresh rather than forked: the build process holds the loaded dossier, and
    merging a long report takes as much memory again; apart, neither process grows past the
    largest layout process."""

    def __init__(self) -> None:
        package = Path(__file__).resolve().parents[3]  # the folder that holds ``dossier``
        path = os.pathsep.join(p for p in (str(package), os.environ.get("PYTHONPATH")) if p)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dossier.writers.pdf.merge"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": path},
        )
        assert self.process.stdin is not None
        with contextlib.suppress(AttributeError, OSError):  # Linux: room for a part or two,
            # so that handing one over does not wait for the process to finish the last
            fcntl.fcntl(self.process.stdin, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)

    def _send(self, message: tuple[Any, ...]) -> None:
        stdin = self.process.stdin
        if stdin is None:
            return
        try:
            pickle.dump(message, stdin, protocol=pickle.HIGHEST_PROTOCOL)
            stdin.flush()
        except BrokenPipeError:
            self.process.stdin = None  # the process failed: ``merge`` reports it

    def offer(self, index: int, data: bytes, own: frozenset[str]) -> None:
        """Hand over part ``index`` (again, if it was laid out again: the last one counts)."""
        self._send(("part", index, data, own))

    def merge(self, count: int, timeout: float) -> bytes:
        """The PDF merged from parts ``0 … count-1`` as last offered; an error (as
        ``RuntimeError``) if the process failed."""
        self._send(("end", count))
        if self.process.stdin is not None:
            with contextlib.suppress(BrokenPipeError):
                self.process.stdin.close()
            self.process.stdin = None  # closed: ``communicate`` has nothing more to send
        try:
            out, err = self.process.communicate(None, timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise
        if self.process.returncode != 0:
            raise RuntimeError(f"merging the PDF's parts failed: {err.decode(errors='replace')}")
        return out

    def stop(self) -> None:
        """End the process unused (the layout failed)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate()


_PIPE_BYTES = 1 << 20


def _serve() -> None:
    """The merging process: parts on stdin as they come (pickled by the build), each readied
    on arrival; the PDF on stdout once told how many there are."""
    import fontTools.ttLib  # noqa: F401 -- imported while the parts are laid out

    ready: dict[int, _Part] = {}
    stdin = sys.stdin.buffer
    while True:
        message = pickle.load(stdin)
        if message[0] == "part":
            _, index, data, own = message
            ready[index] = prepare(index, data, own)
        else:
            count = message[1]
            break
    sys.stdout.buffer.write(assemble([ready[k] for k in range(count)]))
    sys.stdout.buffer.flush()


@dataclass(frozen=True, slots=True)
class _Part:
    """A part opened and readied for the assembly."""

    pdf: Pdf
    own: frozenset[str]
    """The anchors it holds (it also names the others', at wrong places)."""
    pages: dict[tuple[int, int], int]
    """Its pages' indices by object."""


def prepare(index: int, data: bytes, own: frozenset[str]) -> _Part:
    """Part ``index`` opened, its structure elements' ids made unique in the whole (see
    ``_prefix_ids``) and its top elements cut from their parent (the assembly gives them
    the first part's)."""
    pdf = Pdf.open(io.BytesIO(data))
    root = pdf.Root.get("/StructTreeRoot")
    if index and root is not None:
        kids = _kids(_document(root))
        _prefix_ids(kids, f"p{index}-")
        for kid in kids:
            if isinstance(kid, Dictionary) and "/P" in kid:
                del kid["/P"]  # else copying it would copy their whole tree's root
    _read_fonts(pdf)
    return _Part(pdf, own, _page_indices(pdf))


def _document(root: pikepdf.Object) -> pikepdf.Object:
    """A structure tree's document element."""
    return root.K[0] if isinstance(root.K, Array) else root.K


def _kids(element: pikepdf.Object) -> pikepdf.Object:
    """An element's children, as an array even when it has one."""
    return element.K if isinstance(element.K, Array) else Array([element.K])


def assemble(parts: Sequence[_Part]) -> bytes:
    """One PDF of the readied ``parts``, in order, the first one's catalogue kept."""
    sources = [part.pdf for part in parts]
    out = sources[0]
    indices = [part.pages for part in parts]
    own = [part.own for part in parts]
    starts = [0]
    for source in sources[1:]:
        starts.append(len(out.pages))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning)  # destinations: below
            out.pages.extend(source.pages)
    _structure(out, sources, starts)
    _destinations(out, sources, starts, indices, own)
    _outline(out, sources, starts, indices)
    _fonts(out)
    _LOADED.clear()
    stream = io.BytesIO()
    out.save(
        stream,
        deterministic_id=True,
        fix_metadata_version=False,  # the metadata stays what WeasyPrint wrote
        compress_streams=True,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
    )
    return stream.getvalue()


def _page_indices(source: Pdf) -> dict[tuple[int, int], int]:
    return {page.obj.objgen: index for index, page in enumerate(source.pages)}


def _destination(
    out: Pdf, dest: pikepdf.Object, index: dict[tuple[int, int], int], start: int
) -> Array | None:
    """``dest`` (a page and a position in a part) pointing at the page in ``out``."""
    if not isinstance(dest, Array) or len(dest) == 0:
        return None
    page = index.get(dest[0].objgen)
    if page is None:
        return None
    return Array([out.pages[start + page].obj, *list(dest)[1:]])


def _structure(out: Pdf, sources: Sequence[Pdf], starts: Sequence[int]) -> None:
    """The parts' structure trees as one: the body parts' top elements under the first
    part's document element, their parent-tree keys moved past the first part's."""
    root = out.Root.get("/StructTreeRoot")
    if root is None:
        return
    document = _document(root)
    nums: list[Any] = list(root.ParentTree.Nums)
    next_key = max((int(nums[i]) for i in range(0, len(nums), 2)), default=-1) + 1
    for source, start in zip(sources[1:], starts[1:], strict=True):
        their_root = source.Root.get("/StructTreeRoot")
        if their_root is None:
            continue
        theirs = _document(their_root)
        shift = next_key
        for offset in range(len(source.pages)):
            page = out.pages[start + offset].obj
            if "/StructParents" in page:
                page.StructParents = int(page.StructParents) + shift
            for annotation in page.get("/Annots", Array()):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + shift
        for kid in _kids(theirs):
            copied = out.copy_foreign(kid) if kid.is_indirect else kid
            if isinstance(copied, Dictionary):
                copied.P = document
            document.K.append(copied)

        def mapped(value: pikepdf.Object, theirs: pikepdf.Object) -> pikepdf.Object:
            if value.is_indirect and value.objgen == theirs.objgen:
                return document
            if value.is_indirect:
                return out.copy_foreign(value)
            if isinstance(value, Array):
                return Array([mapped(item, theirs) for item in value])
            return value

        their_nums = list(their_root.ParentTree.Nums)
        for i in range(0, len(their_nums), 2):
            key = int(their_nums[i]) + shift
            nums.extend([key, mapped(their_nums[i + 1], theirs)])
            next_key = max(next_key, key + 1)
    root.ParentTree = out.make_indirect(Dictionary(Nums=Array(nums)))
    if "/ParentTreeNextKey" in root:
        root.ParentTreeNextKey = next_key


def _entries(node: pikepdf.Object) -> list[tuple[pikepdf.Object, pikepdf.Object]]:
    """A name tree's keys (as written: PDF strings) and values, walking its nodes."""
    found: list[tuple[pikepdf.Object, pikepdf.Object]] = []
    names = list(node.get("/Names", Array()))
    found.extend(zip(names[0::2], names[1::2], strict=True))
    for kid in node.get("/Kids", Array()):
        found.extend(_entries(kid))
    return found


def _prefix_ids(kids: pikepdf.Object, prefix: str) -> None:
    """Make the element ids of a part (table header cells, and the cells that name them)
    unique in the whole: WeasyPrint builds them from object numbers, which every part
    starts again."""

    def renamed(value: pikepdf.Object) -> pikepdf.String:
        return pikepdf.String(prefix + str(value))

    todo = list(kids)
    while todo:
        element = todo.pop()
        if not isinstance(element, Dictionary) or "/S" not in element:
            continue
        if "/ID" in element:
            element.ID = renamed(element.ID)
        attributes = element.get("/A", Array())
        for attribute in attributes if isinstance(attributes, Array) else [attributes]:
            if isinstance(attribute, Dictionary) and "/Headers" in attribute:
                attribute.Headers = Array([renamed(h) for h in attribute.Headers])
        children = element.get("/K", Array())
        todo.extend(children if isinstance(children, Array) else [children])


def _destinations(
    out: Pdf,
    sources: Sequence[Pdf],
    starts: Sequence[int],
    indices: Sequence[dict[tuple[int, int], int]],
    own: Sequence[frozenset[str]],
) -> None:
    """One name tree of every part's own anchors. Keys keep the bytes WeasyPrint wrote
    (UTF-16 for a non-ASCII id), which is what the links' ``/Dest`` compare with."""
    found: dict[bytes, tuple[pikepdf.Object, Array]] = {}
    for source, start, index, names in zip(sources, starts, indices, own, strict=True):
        if "/Names" not in source.Root or "/Dests" not in source.Root.Names:
            continue
        for key, dest in _entries(source.Root.Names.Dests):
            raw = bytes(key)
            if str(key) in names and raw not in found:
                moved = _destination(out, dest, index, start)
                if moved is not None:
                    found[raw] = (key, moved)
    if not found:
        return
    flat: list[Any] = []
    for raw in sorted(found):  # a name tree's keys are ordered by their bytes
        flat.extend(found[raw])
    if "/Names" not in out.Root:
        out.Root.Names = Dictionary()
    out.Root.Names.Dests = out.make_indirect(Dictionary(Names=Array(flat)))


def _outline(
    out: Pdf,
    sources: Sequence[Pdf],
    starts: Sequence[int],
    indices: Sequence[dict[tuple[int, int], int]],
) -> None:
    """The parts' bookmarks, in order, pointing at the pages in ``out``."""

    def moved(item: OutlineItem, index: dict[tuple[int, int], int], start: int) -> OutlineItem:
        target = item.destination
        dest = _destination(out, target, index, start) if isinstance(target, Array) else None
        copy = OutlineItem(item.title, destination=dest)
        copy.is_closed = item.is_closed
        copy.children.extend(moved(child, index, start) for child in item.children)
        return copy

    gathered: list[OutlineItem] = []
    for source, start, index in zip(sources[1:], starts[1:], indices[1:], strict=True):
        with source.open_outline() as theirs:
            gathered.extend(moved(item, index, start) for item in theirs.root)
    if gathered:
        with out.open_outline() as outline:
            outline.root.extend(gathered)


def _fonts(out: Pdf) -> None:
    """One font per face instead of one per part: each part embeds its own subset of a font,
    under the same subset name; the subsets keep the font's glyph ids, so their union is a
    subset too. Fonts that are not plain TrueType subsets are left as they are."""
    groups: dict[str, list[pikepdf.Object]] = {}
    seen: set[tuple[int, int]] = set()
    for resources in _all_resources(out):
        for font in resources.get("/Font", Dictionary()).values():
            if font.objgen not in seen:
                seen.add(font.objgen)
                groups.setdefault(str(font.get("/BaseFont", "")), []).append(font)
    replace: dict[tuple[int, int], pikepdf.Object] = {}
    for fonts in groups.values():
        if len(fonts) > 1 and all(_mergeable(f) for f in fonts):
            _union(out, fonts)
            replace.update((f.objgen, fonts[0]) for f in fonts[1:])
    if not replace:
        return
    for resources in _all_resources(out):
        table = resources.get("/Font")
        if table is None:
            continue
        for key in list(table.keys()):
            if table[key].objgen in replace:
                table[key] = replace[table[key].objgen]


def _all_resources(out: Pdf) -> list[pikepdf.Object]:
    """Resource dictionaries of the pages and of the forms they draw."""
    found: list[pikepdf.Object] = []
    todo = [page.obj.get("/Resources") for page in out.pages]
    seen: set[tuple[int, int]] = set()
    while todo:
        resources = todo.pop()
        if not isinstance(resources, Dictionary):
            continue
        key = resources.objgen if resources.is_indirect else (id(resources), 0)
        if key in seen:
            continue
        seen.add(key)
        found.append(resources)
        for xobject in resources.get("/XObject", Dictionary()).values():
            if "/Resources" in xobject:
                todo.append(xobject.Resources)
    return found


def _mergeable(font: pikepdf.Object) -> bool:
    if font.get("/Subtype") != Name.Type0 or font.get("/Encoding") != Name("/Identity-H"):
        return False
    descendant = font.DescendantFonts[0]
    return (
        descendant.get("/Subtype") == Name.CIDFontType2
        and descendant.get("/CIDToGIDMap") == Name.Identity
        and "/FontFile2" in descendant.FontDescriptor
        and "/ToUnicode" in font
    )


_BFBLOCK = re.compile(rb"beginbfchar(.*?)endbfchar", re.DOTALL)
_BFCHAR = re.compile(rb"<([0-9a-fA-F]+)> <([0-9a-fA-F]+)>")


def _union(out: Pdf, fonts: Sequence[pikepdf.Object]) -> None:
    """Make ``fonts[0]`` hold the glyphs, widths and text of all ``fonts``."""
    first = fonts[0]
    descendant = first.DescendantFonts[0]
    descriptor = descendant.FontDescriptor
    subsets = [f.DescendantFonts[0].FontDescriptor.FontFile2.read_bytes() for f in fonts]
    program = _union_glyphs(subsets)
    descriptor.FontFile2.write(zlib.compress(program), filter=Name.FlateDecode)
    descriptor.FontFile2.Length1 = len(program)
    widths: dict[int, Any] = {}
    text: dict[int, bytes] = {}
    for font in fonts:
        array = list(font.DescendantFonts[0].get("/W", Array()))
        i = 0
        while i + 1 < len(array):
            start, run = int(array[i]), array[i + 1]
            for offset, width in enumerate(run):
                widths.setdefault(start + offset, width)
            i += 2
        for block in _BFBLOCK.findall(font.ToUnicode.read_bytes()):
            for gid, code in _BFCHAR.findall(block):
                text.setdefault(int(gid, 16), code)
    runs: list[Any] = []
    for gid in sorted(widths):
        if gid - 1 not in widths:
            runs.extend([gid, Array()])
        runs[-1].append(widths[gid])
    descendant.W = Array(runs)
    bbox = [float(x) for x in descriptor.FontBBox]
    bbox[2] = max(float(f.DescendantFonts[0].FontDescriptor.FontBBox[2]) for f in fonts)
    descriptor.FontBBox = Array(bbox)
    if "/CIDSet" in descriptor:
        bits = bytearray((max(widths) + 8) // 8)
        for gid in widths:
            bits[gid // 8] |= 0x80 >> (gid % 8)
        descriptor.CIDSet = out.make_stream(bytes(bits))
    first.ToUnicode = out.make_stream(_to_unicode(text))


def _to_unicode(text: dict[int, bytes]) -> bytes:
    """A ToUnicode CMap, as WeasyPrint writes them."""
    lines = [
        b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
        b"/CIDSystemInfo", b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0",
        b">> def", b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def",
        b"1 begincodespacerange", b"<0000> <ffff>", b"endcodespacerange",
    ]  # fmt: skip
    items = sorted(text.items())
    for start in range(0, len(items), 100):
        batch = items[start : start + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines.extend(b"<%04x> <%s>" % (gid, code) for gid, code in batch)
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)


def _union_glyphs(subsets: Sequence[bytes]) -> bytes:
    """One TrueType program with every glyph of ``subsets`` (subsets of one font that kept
    its glyph ids: a glyph is at the same index in each, or empty)."""
    fonts = [_LOADED.pop(hashlib.sha256(data).digest(), None) or _load(data) for data in subsets]
    base = max(fonts, key=lambda f: f["maxp"].numGlyphs)
    # Glyphs are compared and copied as the bytes they are stored as, never decoded: the
    # union of a long report's subsets then takes a fraction of the time, and the program
    # keeps each glyph exactly as the subset had it.
    glyphs, hmtx = base["glyf"].glyphs, base["hmtx"]
    for font in fonts:
        if font is base:
            continue
        their_glyphs, their_hmtx = font["glyf"].glyphs, font["hmtx"]
        for name in font.getGlyphOrder():
            glyph = their_glyphs[name]
            if _drawn(glyph) and not _drawn(glyphs[name]):
                glyphs[name] = glyph
                hmtx[name] = their_hmtx[name]
            elif hmtx[name][0] == 0 and their_hmtx[name][0] != 0:
                hmtx[name] = their_hmtx[name]  # a space: no outline, but an advance
        if "cmap" in base and "cmap" in font:
            for table, theirs in zip(base["cmap"].tables, font["cmap"].tables, strict=False):
                for code, name in theirs.cmap.items():
                    table.cmap.setdefault(code, name)
    maxp = base["maxp"]
    for field in (
        "maxPoints",
        "maxContours",
        "maxCompositePoints",
        "maxCompositeContours",
        "maxComponentElements",
        "maxComponentDepth",
    ):
        if hasattr(maxp, field):
            setattr(maxp, field, max(getattr(f["maxp"], field, 0) for f in fonts))
    stream = io.BytesIO()
    base.save(stream)
    return stream.getvalue()


_LOADED: dict[bytes, Any] = {}
"""Font subsets read ahead (``_read_fonts``), by the digest of their program."""


def _load(data: bytes) -> Any:
    """A font subset read for ``_union_glyphs``, with the tables it uses decoded."""
    from fontTools.ttLib import TTFont

    # As they are: bounding boxes and timestamp not recomputed (same bytes every time, and
    # the same header values as one pass gives).
    font = TTFont(io.BytesIO(data), recalcBBoxes=False, recalcTimestamp=False)
    count = font["maxp"].numGlyphs
    # Names by index, the same in every subset (their own names come from their cmaps).
    font.setGlyphOrder([f"g{i}" for i in range(count)])
    for tag in ("glyf", "hmtx", "cmap"):
        if tag in font:
            font[tag]  # decoded now, while the other parts are still drawn
    return font


def _read_fonts(pdf: Pdf) -> None:
    """Read a part's mergeable font subsets ahead of the assembly (see ``Merger``)."""
    for resources in _all_resources(pdf):
        for font in resources.get("/Font", Dictionary()).values():
            if _mergeable(font):
                data = font.DescendantFonts[0].FontDescriptor.FontFile2.read_bytes()
                digest = hashlib.sha256(data).digest()
                if digest not in _LOADED:
                    _LOADED[digest] = _load(data)


def _drawn(glyph: Any) -> bool:
    """Whether a glyph has an outline (or components), read without decoding it."""
    data = getattr(glyph, "data", None)
    return bool(data) if data is not None else glyph.numberOfContours != 0


if __name__ == "__main__":
    _serve()
