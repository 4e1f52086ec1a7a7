"""Laying out one part of a document (a run of chapters) as WeasyPrint would inside the
whole: page numbers, named strings and ``target-counter()`` values that come from the
other parts.

Layout itself never depends on those values, except through ``target-counter()`` in the
text (a contents line, "see p. 12"). So the part is laid out with guesses for what the
text refers to; once its pages are made and before its running heads and footers are
(WeasyPrint makes those last, in ``layout_document``), the part reports what it found and
waits to be told the real values: the page offset, the named strings set before it, and
the page of every anchor elsewhere. Its text's guesses are reported too, so that a part
whose text used a wrong one can be laid out again (``writers.pdf.parts``). Only used when
this WeasyPrint is one it was made for (``gate``).

``laying_out(part)`` wraps the five WeasyPrint callables involved for the time of its block,
in the process that lays out the part, and puts the originals back on leaving.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from . import gate


@dataclass(frozen=True, slots=True)
class PageContext:
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

    guesses: PageContext
    """What the text is laid out with."""
    report_and_wait: Callable[[Paginated], PageContext]
    """Reports the pagination and returns the real values (may block)."""
    own: frozenset[str]
    """Anchors (ids) of this part."""
    actual: PageContext | None = None
    """The real values it was told for its last layout."""
    report: Paginated | None = None
    """What it reported for its last layout."""
    # Per layout:
    pages: list[Any] = field(default_factory=list)
    fakes: dict[int, tuple[str, Any]] = field(default_factory=dict)
    used: dict[str, int] = field(default_factory=dict)
    in_margins: bool = False


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


class laying_out:
    """``with laying_out(part):`` WeasyPrint lays out ``part`` (in this process): the
    target collector, ``make_all_pages`` and ``make_margin_boxes`` are wrapped for the time
    of the block, and put back on leaving."""

    def __init__(self, part: Part) -> None:
        self.part = part
        self._restore: list[tuple[object, str, object]] = []

    def __enter__(self) -> Part:
        if not gate.support().parts:
            raise RuntimeError(f"dossier cannot lay out parts with WeasyPrint {gate.version()}")
        import weasyprint.layout as layout_module
        from weasyprint.css import targets

        hooks = _Hooks(self.part, layout_module, targets)
        collector = targets.TargetCollector
        wrapped = (
            (collector, "__init__", hooks.init),
            (collector, "lookup_target", hooks.lookup),
            (collector, "cache_target_page_counters", hooks.cache),
            (layout_module, "make_all_pages", hooks.make_all_pages),
            (layout_module, "make_margin_boxes", hooks.make_margin_boxes),
        )
        for owner, name, hook in wrapped:
            self._restore.append((owner, name, owner.__dict__[name]))
            setattr(owner, name, hook)
        return self.part

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        while self._restore:
            owner, name, original = self._restore.pop()
            setattr(owner, name, original)


class _Hooks:
    """The wrappers, for one part: WeasyPrint's originals, and what they learn."""

    def __init__(self, part: Part, layout_module: Any, targets: Any) -> None:
        self.part = part
        self.targets = targets
        collector = targets.TargetCollector
        self.original_init = collector.__init__
        self.original_lookup = collector.lookup_target
        self.original_cache = collector.cache_target_page_counters
        self.original_pages = layout_module.make_all_pages
        self.original_margins = layout_module.make_margin_boxes
        self.names: dict[int, dict[int, str]] = {}
        """For each collector, the anchor name of each of its items."""
        # Methods of the collector: bound here to the hooks, given the collector.
        hooks = self

        def init(collector: Any) -> None:
            hooks._init(collector)

        def lookup(collector: Any, *args: Any) -> Any:
            return hooks._lookup(collector, *args)

        def cache(collector: Any, anchor: str, values: Any, index: int, page_maker: Any) -> None:
            hooks._cache(collector, anchor, values, index, page_maker)

        self.init, self.lookup, self.cache = init, lookup, cache

    def _init(self, collector: Any) -> None:
        self.original_init(collector)
        part = self.part
        # A new collector is a new layout of the part.
        part.pages, part.fakes, part.used, part.in_margins = [], {}, {}, False
        for name, page in part.guesses.anchors.items():
            if name in part.own:
                continue
            item = self.targets.TargetLookupItem("up-to-date")
            item.target_box = _Elsewhere(page)
            collector.target_lookup_items[name] = item
            part.fakes[id(item)] = (name, item)

    def _lookup(self, collector: Any, *args: Any) -> Any:
        item = self.original_lookup(collector, *args)
        part = self.part
        if not part.in_margins and item.state == "up-to-date":
            fake = part.fakes.get(id(item))
            if fake is not None:
                part.used[fake[0]] = item.target_box.cached_counter_values["page"][-1]
            else:
                value = (item.cached_page_counter_values or {}).get("page")
                name = self._name_of(collector, item)
                if value and name:
                    part.used[name] = value[-1]
        return item

    def _cache(self, collector: Any, anchor: str, values: Any, index: int, page_maker: Any) -> None:
        # The text of the part sees its own pages numbered as guessed for the whole.
        if self.part.guesses.offset:
            values = _shift(values, self.part.guesses.offset)
        self.original_cache(collector, anchor, values, index, page_maker)

    def make_all_pages(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        pages = []
        for page in self.original_pages(*args, **kwargs):
            pages.append(page)
            yield page
        self.part.pages = pages

    def make_margin_boxes(self, context: Any, page: Any, state: Any) -> Any:
        part = self.part
        if not part.in_margins:
            part.in_margins = True
            part.report = _paginated(part, context)
            part.actual = part.report_and_wait(part.report)
            _tell(part, part.actual, context)
        actual = part.actual
        assert actual is not None
        counters = _shift(state[1], actual.offset)
        counters["pages"] = [actual.total]
        return self.original_margins(context, page, (state[0], counters, *state[2:]))

    def _name_of(self, collector: Any, item: Any) -> str | None:
        names = self.names.get(id(collector))
        if names is None or len(names) != len(collector.target_lookup_items):
            names = {id(v): k for k, v in collector.target_lookup_items.items()}
            self.names = {id(collector): names}  # one layout's collector at a time
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


def _tell(part: Part, actual: PageContext, context: Any) -> None:
    """Make the running heads and footers, which come next, use the real values."""
    for name, item in part.fakes.values():
        if name in actual.anchors:
            item.target_box.cached_counter_values = {"page": [actual.anchors[name]]}
    fakes = {id(item) for _, item in part.fakes.values()}
    for item in context.target_collector.target_lookup_items.values():
        if id(item) not in fakes and item.cached_page_counter_values:
            item.cached_page_counter_values = _shift(
                item.cached_page_counter_values, actual.offset - part.guesses.offset
            )
    strings = actual.strings
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
