"""Laying out one part of a document (a run of chapters) as WeasyPrint would inside the
whole: page numbers, named strings and ``target-counter()`` values that come from the
other parts.

Layout itself never depends on those values, except through ``target-counter()`` in the
text (a contents line, "see p. 12"). So the part is laid out with guesses for what the
text refers to; once its pages are made and before its running heads and footers are
(WeasyPrint makes those last, in ``layout_document``), the part reports what it found and
waits to be told the real values: the page offset, the named strings set before it, and
the page of every anchor elsewhere. Its text's guesses are reported too, so that a part
whose text used a wrong one can be laid out again (``writers.pdf_parts``).

All of this only touches WeasyPrint in the process that lays out the part.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Outside:
    """What a part is told about the rest of the document."""

    offset: int
    """Pages of the part's page group before it: added to its page counter."""
    total: int
    """Pages in the whole document (``counter(pages)``)."""
    strings: dict[str, str]
    """Each named string's last value before the part."""
    anchors: dict[str, int]
    """Page counter value of every anchor in other parts."""


@dataclass(frozen=True, slots=True)
class Paginated:
    """What a part reports once its pages are made."""

    pages: int
    strings: dict[str, str]
    """Each named string's last value in the part."""
    anchors: dict[str, int]
    """Page counter value (the part's own, from 1) of each of its anchors."""
    used: dict[str, int]
    """Page values its text took from ``target-counter()``, as laid out."""


@dataclass
class Part:
    """The part being laid out in this process, and how it learns about the others."""

    guesses: Outside
    """What the text is laid out with."""
    told: Callable[[Paginated], Outside]
    """Reports the pagination and returns the real values (may block)."""
    own: frozenset[str]
    """Anchors (ids) of this part."""
    given: Outside | None = None
    """What it was told for its last layout."""
    report: Paginated | None = None
    """What it reported for its last layout."""
    # Per layout:
    pages: list[Any] = field(default_factory=list)
    fakes: dict[int, tuple[str, Any]] = field(default_factory=dict)
    used: dict[str, int] = field(default_factory=dict)
    in_margins: bool = False


_part: Part | None = None
_installed = False


class _Elsewhere:
    """Stands for a box in another part: ``target-counter()`` reads its page counter."""

    def __init__(self, page: int) -> None:
        self.cached_counter_values = {"page": [page]}

    def extract_text(self, style: Any) -> str:
        return ""


def _shift(counters: dict[str, list[int]], by: int) -> dict[str, list[int]]:
    shifted = dict(counters)
    if by and shifted.get("page"):
        shifted["page"] = [*shifted["page"][:-1], shifted["page"][-1] + by]
    return shifted


def supported() -> bool:
    """Whether this WeasyPrint has the functions wrapped here, called as expected: if not,
    dossier lays out in one pass."""
    try:
        import inspect

        import weasyprint.layout as layout_module
        from weasyprint.css import targets

        source = inspect.getsource(layout_module.layout_document)
    except (ImportError, AttributeError, OSError, TypeError):
        return False
    needed = (
        "make_all_pages(context, root_box, html, pages)",
        "make_margin_boxes(context, page, state)",
        "context.page_maker[context.current_page][3]",
    )
    collector = targets.TargetCollector
    return (
        all(text in source for text in needed)
        and hasattr(collector, "lookup_target")
        and hasattr(collector, "cache_target_page_counters")
        and hasattr(targets, "TargetLookupItem")
        and hasattr(layout_module, "make_all_pages")
    )


def install() -> None:
    """Wrap the four WeasyPrint functions involved (once per process); they behave as
    before unless a part is set with ``laying_out``."""
    global _installed
    if _installed:
        return
    import weasyprint.layout as layout_module
    from weasyprint.css import targets

    original_init = targets.TargetCollector.__init__
    original_lookup = targets.TargetCollector.lookup_target
    original_cache = targets.TargetCollector.cache_target_page_counters
    original_pages = layout_module.make_all_pages
    original_margins = layout_module.make_margin_boxes

    def init(self: Any) -> None:
        original_init(self)
        part = _part
        if part is None:
            return
        # A new collector is a new layout of the part.
        part.pages, part.fakes, part.used, part.in_margins = [], {}, {}, False
        for name, page in part.guesses.anchors.items():
            if name in part.own:
                continue
            item = targets.TargetLookupItem("up-to-date")
            item.target_box = _Elsewhere(page)
            self.target_lookup_items[name] = item
            part.fakes[id(item)] = (name, item)

    def lookup(self: Any, *args: Any) -> Any:
        item = original_lookup(self, *args)
        part = _part
        if part is not None and not part.in_margins and item.state == "up-to-date":
            fake = part.fakes.get(id(item))
            if fake is not None:
                part.used[fake[0]] = item.target_box.cached_counter_values["page"][-1]
            else:
                value = (item.cached_page_counter_values or {}).get("page")
                name = _name_of(self, item)
                if value and name:
                    part.used[name] = value[-1]
        return item

    def cache(self: Any, anchor: str, values: Any, index: int, page_maker: Any) -> None:
        # The text of the part sees its own pages numbered as guessed for the whole.
        part = _part
        if part is not None and part.guesses.offset:
            values = _shift(values, part.guesses.offset)
        original_cache(self, anchor, values, index, page_maker)

    def make_all_pages(*args: Any, **kwargs: Any) -> Iterator[Any]:
        pages = []
        for page in original_pages(*args, **kwargs):
            pages.append(page)
            yield page
        if _part is not None:
            _part.pages = pages

    def make_margin_boxes(context: Any, page: Any, state: Any) -> Any:
        part = _part
        if part is None:
            return original_margins(context, page, state)
        if not part.in_margins:
            part.in_margins = True
            part.report = _paginated(part, context)
            part.given = part.told(part.report)
            _tell(part, part.given, context)
        given = part.given
        assert given is not None
        counters = _shift(state[1], given.offset)
        counters["pages"] = [given.total]
        return original_margins(context, page, (state[0], counters, *state[2:]))

    targets.TargetCollector.__init__ = init
    targets.TargetCollector.lookup_target = lookup
    targets.TargetCollector.cache_target_page_counters = cache
    layout_module.make_all_pages = make_all_pages
    layout_module.make_margin_boxes = make_margin_boxes
    _installed = True


def _name_of(collector: Any, item: Any) -> str | None:
    names: dict[int, str] | None = getattr(collector, "_dossier_names", None)
    if names is None or len(names) != len(collector.target_lookup_items):
        names = {id(v): k for k, v in collector.target_lookup_items.items()}
        collector._dossier_names = names
    return names.get(id(item))


def _paginated(part: Part, context: Any) -> Paginated:
    strings = {}
    for name, by_page in context.string_set.items():
        assigned = [page for page, values in by_page.items() if values]
        if assigned:
            strings[name] = by_page[max(assigned)][-1]
    anchors = {}
    fakes = {id(item) for _, item in part.fakes.values()}
    for name, item in context.target_collector.target_lookup_items.items():
        if id(item) in fakes or item.state != "up-to-date" or item.page_maker_index is None:
            continue
        page = (item.cached_page_counter_values or {}).get("page")
        if page:
            anchors[name] = page[-1] - part.guesses.offset
    return Paginated(len(part.pages), strings, anchors, dict(part.used))


def _tell(part: Part, given: Outside, context: Any) -> None:
    """Make the running heads and footers, which come next, use the real values."""
    for name, item in part.fakes.values():
        if name in given.anchors:
            item.target_box.cached_counter_values = {"page": [given.anchors[name]]}
    fakes = {id(item) for _, item in part.fakes.values()}
    for item in context.target_collector.target_lookup_items.values():
        if id(item) not in fakes and item.cached_page_counter_values:
            item.cached_page_counter_values = _shift(
                item.cached_page_counter_values, given.offset - part.guesses.offset
            )
    strings = given.strings
    if not strings:
        return
    original = context.get_string_or_element_for

    def string_or_element(store: Any, page: Any, name: str, keyword: str) -> Any:
        found = original(store, page, name, keyword)
        if found or store is not context.string_set or name not in strings:
            return found
        if keyword == "all-once" or (
            keyword == "first-except" and context.current_page in store[name]
        ):
            return found
        return (strings[name],)

    context.get_string_or_element_for = string_or_element


class laying_out:
    """``with laying_out(part):`` WeasyPrint lays out ``part`` (in this process)."""

    def __init__(self, part: Part) -> None:
        self.part = part

    def __enter__(self) -> Part:
        global _part
        install()
        _part = self.part
        return self.part

    def __exit__(self, *exc: object) -> None:
        global _part
        _part = None
