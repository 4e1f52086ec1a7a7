"""Parts of one PDF laid out apart (``pdf_parts``), assembled into one file: pages in
order, one structure tree for the tagged PDF, one outline, one set of named destinations
(so links between parts work), and the first part's catalogue and metadata. qpdf (through
pikepdf) does the copying, so assembling takes a fraction of a second.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, NameTree, OutlineItem, Pdf


def merge(parts: Sequence[bytes], own: Sequence[frozenset[str]]) -> bytes:
    """One PDF of ``parts`` in order. ``own[k]`` are the anchors part ``k`` holds: each
    part also names anchors of the others (so that its links survived), at wrong places."""
    sources = [Pdf.open(io.BytesIO(data)) for data in parts]
    out = sources[0]
    starts = [0]
    for source in sources[1:]:
        starts.append(len(out.pages))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning)  # destinations: below
            out.pages.extend(source.pages)
    _structure(out, sources, starts)
    _destinations(out, sources, starts, own)
    _outline(out, sources, starts)
    _fonts(out)
    stream = io.BytesIO()
    out.save(
        stream,
        deterministic_id=True,
        compress_streams=True,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
    )
    return stream.getvalue()


def _page_indices(source: Pdf) -> dict[tuple[int, int], int]:
    return {page.obj.objgen: index for index, page in enumerate(source.pages)}


def _destination(out: Pdf, dest: pikepdf.Object, index: dict[tuple[int, int], int],
                 start: int) -> Array | None:  # fmt: skip
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
    document = root.K[0] if isinstance(root.K, Array) else root.K
    nums: list[Any] = list(root.ParentTree.Nums)
    next_key = max((int(nums[i]) for i in range(0, len(nums), 2)), default=-1) + 1
    for source, start in zip(sources[1:], starts[1:], strict=True):
        their_root = source.Root.get("/StructTreeRoot")
        if their_root is None:
            continue
        theirs = their_root.K[0] if isinstance(their_root.K, Array) else their_root.K
        shift = next_key
        for offset in range(len(source.pages)):
            page = out.pages[start + offset].obj
            if "/StructParents" in page:
                page.StructParents = int(page.StructParents) + shift
            for annotation in page.get("/Annots", Array()):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + shift
        kids = theirs.K if isinstance(theirs.K, Array) else Array([theirs.K])
        for kid in kids:
            if isinstance(kid, Dictionary) and "/P" in kid:
                del kid["/P"]  # else copying it would copy their whole tree's root
        for kid in kids:
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


def _destinations(out: Pdf, sources: Sequence[Pdf], starts: Sequence[int],
                  own: Sequence[frozenset[str]]) -> None:  # fmt: skip
    """One name tree of every part's own anchors."""
    found: dict[str, Array] = {}
    for source, start, names in zip(sources, starts, own, strict=True):
        if "/Names" not in source.Root or "/Dests" not in source.Root.Names:
            continue
        index = _page_indices(source)
        for name, dest in NameTree(source.Root.Names.Dests).items():
            if name in names and name not in found:
                moved = _destination(out, dest, index, start)
                if moved is not None:
                    found[name] = moved
    if not found:
        return
    tree = NameTree.new(out)
    for name in sorted(found):
        tree[name] = found[name]
    if "/Names" not in out.Root:
        out.Root.Names = Dictionary()
    out.Root.Names.Dests = tree.obj


def _outline(out: Pdf, sources: Sequence[Pdf], starts: Sequence[int]) -> None:
    """The parts' bookmarks, in order, pointing at the pages in ``out``."""

    def moved(item: OutlineItem, index: dict[tuple[int, int], int], start: int) -> OutlineItem:
        target = item.destination
        dest = _destination(out, target, index, start) if isinstance(target, Array) else None
        copy = OutlineItem(item.title, destination=dest)
        copy.is_closed = item.is_closed
        copy.children.extend(moved(child, index, start) for child in item.children)
        return copy

    gathered: list[OutlineItem] = []
    for source, start in zip(sources[1:], starts[1:], strict=True):
        index = _page_indices(source)
        with source.open_outline() as theirs:
            gathered.extend(moved(item, index, start) for item in theirs.root)
    if gathered:
        with out.open_outline() as outline:
            outline.root.extend(gathered)


def _fonts(out: Pdf) -> None:
    """Placeholder replaced below."""
    del out
    _ = Name
