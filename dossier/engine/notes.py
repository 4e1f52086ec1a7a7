"""Keeping every footnote on its call's page, inside WeasyPrint's own line layout.

When a paragraph's first lines overflow a page, WeasyPrint (70) moves notes of earlier lines
to the next page to make room, instead of moving the paragraph: notes then land a page after
their calls (about 1 % of notes on note-dense pages). Laying out again with the paragraph
forced to the next page fixes it, at the price of a second layout. Here the one decision that
causes it is changed in the layout process itself: the paragraph moves, the notes stay. Each
paragraph moved is recorded, so that the print HTML written next to the PDF carries the same
page breaks as CSS, and WeasyPrint alone still reproduces the PDF from it.

The decision is one line of ``weasyprint.layout.block._linebox_layout``::

    report = not context.in_column and can_break_now and not could_break_before

``keep_notes_with_calls`` lays out with a copy of that function, compiled from WeasyPrint's
own source with only that line's value handed to ``_keep`` (an edit of its syntax tree that
keeps WeasyPrint's file and line numbers, so tracebacks point at the right lines), and puts
the original back on leaving. It is only entered in the processes that lay out.

If WeasyPrint's function is not the one this was made from (``gate``), nothing is
changed and the build falls back to laying out again (``writers.pdf.one_pass``).
"""

from __future__ import annotations

import ast
import functools
import inspect
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from . import gate

DECISION = "not context.in_column and can_break_now and not could_break_before"
"""The value of ``report`` in ``_linebox_layout``: move the page's last notes to the next
page to make room for the line."""
_HOOK = "_dossier_keep"
"""The name ``_keep`` has inside the edited function (a closure variable, not a global)."""


def _original() -> Any:
    from weasyprint.layout import block

    return block._linebox_layout


@functools.cache
def _edited_code() -> types.CodeType | None:
    """``_linebox_layout`` compiled with ``report = _dossier_keep(<decision>, page_is_empty,
    box)``: WeasyPrint's file and line numbers, ``_dossier_keep`` a free variable."""
    try:
        function = _original()
        lines, first = inspect.getsourcelines(function)
    except (ImportError, AttributeError, OSError, TypeError):
        return None
    tree = ast.parse("".join(lines))
    decision = ast.dump(ast.parse(DECISION, mode="eval").body)
    ast.increment_lineno(tree, first - 1)
    found = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and [ast.unparse(t) for t in node.targets] == ["report"]
        and ast.dump(node.value) == decision
    ]
    if len(found) != 1:
        return None
    assign = found[0]
    call = ast.Call(
        func=ast.Name(_HOOK, ast.Load()),
        args=[assign.value, ast.Name("page_is_empty", ast.Load()), ast.Name("box", ast.Load())],
        keywords=[],
    )
    assign.value = ast.copy_location(call, assign.value)
    ast.fix_missing_locations(assign)
    # def _maker(_dossier_keep): <the function>; return it -- so that the hook is a closure
    # variable of the copy, and WeasyPrint's module gains no name.
    maker = ast.FunctionDef(
        name="_maker",
        args=ast.arguments(
            posonlyargs=[], args=[ast.arg(_HOOK)], kwonlyargs=[], kw_defaults=[], defaults=[]
        ),
        body=[*tree.body, ast.Return(ast.Name(function.__name__, ast.Load()))],
        decorator_list=[],
    )
    ast.copy_location(maker, tree.body[0])
    module = ast.fix_missing_locations(ast.Module(body=[maker], type_ignores=[]))
    code = compile(module, function.__code__.co_filename, "exec")
    maker_code = next(c for c in code.co_consts if isinstance(c, types.CodeType))
    edited = next(
        c
        for c in maker_code.co_consts
        if isinstance(c, types.CodeType) and c.co_name == function.__name__
    )
    return edited if edited.co_freevars == (_HOOK,) else None


def prepare() -> None:
    """Compile the changed function now, changing nothing: processes forked afterwards
    (one per part of a long document) find it compiled."""
    if gate.support().notes:
        _edited_code()


def _keep(moved: list[str]) -> Callable[[bool, bool, Any], bool]:
    """The decision as changed: never move notes; record the paragraph (or table row) that
    moves to the next page instead, when WeasyPrint would have moved notes for it."""

    def keep(report: bool, page_is_empty: bool, box: Any) -> bool:
        element = box.element
        if report and not page_is_empty and element is not None:
            row = element.get("data-row")
            block = element.get("data-b") or (f"row-{row}" if row else None)
            if block:
                moved.append(block)
        return False

    return keep


@contextmanager
def keep_notes_with_calls() -> Iterator[list[str] | None]:
    """``with keep_notes_with_calls() as moved:`` WeasyPrint keeps notes on their call's page
    (in this process, until the block ends). ``moved`` collects the ``data-b`` numbers of
    the paragraphs moved to the next page instead, and ``row-N`` for table rows (``data-row``
    on a row and its cells: a row whose cell overflows moves whole, and plain WeasyPrint
    would still have moved the notes of the rows above it). None when the fix does not
    apply to this WeasyPrint (``gate``): nothing is changed."""
    code = _edited_code() if gate.support().notes else None
    if code is None:
        yield None
        return
    from weasyprint.layout import block

    original = block._linebox_layout
    moved: list[str] = []
    edited = types.FunctionType(
        code,
        block.__dict__,
        original.__name__,
        original.__defaults__,
        (types.CellType(_keep(moved)),),
    )
    edited.__kwdefaults__ = original.__kwdefaults__
    edited.__qualname__ = original.__qualname__
    edited.__doc__ = original.__doc__
    block._linebox_layout = edited
    try:
        yield moved
    finally:
        block._linebox_layout = original
