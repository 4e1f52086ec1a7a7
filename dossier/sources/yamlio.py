"""Safe YAML reading that remembers the line of every key and item, for ``path:line`` messages."""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import Collector, DossierError, Location
from ..text.characters import drop_forbidden, report_dropped


class LineDict(dict[str, Any]):
    """A mapping from YAML that knows the 1-based line of each key."""

    lines: dict[str, int]
    line: int


class LineList(list[Any]):
    """A sequence from YAML that knows the 1-based line of each item."""

    lines: list[int]
    line: int


class _Lines:
    """Constructors of line-aware containers, and the state they report through."""

    problems: list[tuple[int, str]]
    dropped: list[tuple[int, str, int]]
    """(line, first, count) of characters a document cannot hold that escapes such as
    ``"\\a"`` or ``"\\ud800"`` wrote (the file's own were dropped when it was read)."""
    offset: int
    """Lines before the YAML text in its file (front matter starts on line 2)."""

    def construct_line_mapping(self, node: MappingNode) -> LineDict:
        result = LineDict()
        result.lines = {}
        result.line = self.offset + node.start_mark.line + 1
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)  # type: ignore[attr-defined]
            line = self.offset + key_node.start_mark.line + 1
            if not isinstance(key, str):
                key = str(key)
            if key in result:
                self.problems.append((line, f"duplicate key '{key}'"))
            result[key] = self.construct_object(value_node, deep=True)  # type: ignore[attr-defined]
            result.lines[key] = line
        return result

    def construct_clean_str(self, node: ScalarNode) -> str:
        text, _, char, count = drop_forbidden(self.construct_scalar(node))  # type: ignore[attr-defined]
        if count:
            self.dropped.append((self.offset + node.start_mark.line + 1, char, count))
        return text

    def construct_line_sequence(self, node: SequenceNode) -> LineList:
        result = LineList(
            self.construct_object(child, deep=True)  # type: ignore[attr-defined]
            for child in node.value
        )
        result.lines = [self.offset + child.start_mark.line + 1 for child in node.value]
        result.line = self.offset + node.start_mark.line + 1
        return result


class _Loader(_Lines, yaml.SafeLoader):
    """SafeLoader without aliases (no billion-laughs) and with line-aware containers: the
    reference for what dossier accepts, and for the wording and line of every error."""

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.MarkedYAMLError(
                None, None, "YAML aliases (*name) are not supported", event.start_mark
            )
        return super().compose_node(parent, index)


_FAST = getattr(yaml, "CSafeLoader", None)
"""libyaml's parser, when PyYAML has it: the same documents in a tenth of the time."""


def _with_constructors(loader: type[Any]) -> None:
    loader.add_constructor("tag:yaml.org,2002:map", _Lines.construct_line_mapping)
    loader.add_constructor("tag:yaml.org,2002:seq", _Lines.construct_line_sequence)
    loader.add_constructor("tag:yaml.org,2002:str", _Lines.construct_clean_str)


_with_constructors(_Loader)
_CLoader: type[Any] | None = None
if _FAST is not None:
    _CLoader = type("_CLoader", (_Lines, _FAST), {})
    _with_constructors(_CLoader)


def _shared(node: Node) -> bool:
    """Whether a node appears twice in the graph (what an alias composes to)."""
    seen: set[int] = set()
    todo = [node]
    while todo:
        item = todo.pop()
        if id(item) in seen:
            return True
        seen.add(id(item))
        if isinstance(item, MappingNode):
            todo.extend(part for pair in item.value for part in pair)
        elif isinstance(item, SequenceNode):
            todo.extend(item.value)
    return False


def _fast(text: str, offset: int) -> tuple[Any, _Lines] | None:
    """The document read with libyaml, or None when the reference loader must read it:
    no libyaml, or a document it would refuse (an error or an alias), whose message and
    line the reference gives."""
    if _CLoader is None:
        return None
    loader = _CLoader(text)
    loader.problems, loader.dropped, loader.offset = [], [], offset
    try:
        node = loader.get_single_node()
        if node is not None and "&" in text and _shared(node):  # an alias needs an anchor
            return None
        data = loader.construct_document(node) if node is not None else None
    except (yaml.YAMLError, RecursionError):
        return None
    finally:
        loader.dispose()
    return data, loader


def load_yaml(text: str, location: Location, collector: Collector) -> Any:
    """Parse YAML text that starts at ``location``; raise DossierError with every problem.
    Characters a document cannot hold, written as escapes, are dropped with a warning in
    ``collector``."""
    offset = max(location.line - 1, 0)
    fast = _fast(text, offset)
    if fast is not None:
        data, lines = fast
    else:
        data, lines = _reference(text, location, offset)
    for line, char, count in lines.dropped:
        report_dropped(collector, Location(location.path, line), char, count)
    if lines.problems:
        collector = Collector()
        for line, message in lines.problems:
            collector.error(Location(location.path, line), message)
        collector.raise_if_errors()
    return data


def _reference(text: str, location: Location, offset: int) -> tuple[Any, _Lines]:
    loader = _Loader(text)
    loader.problems, loader.dropped, loader.offset = [], [], offset
    try:
        return loader.get_single_data(), loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        problem = exc.problem or exc.context or "invalid YAML"
        raise DossierError.at(location.shifted(line - 1 if line else 0), _say(problem)) from None
    except yaml.YAMLError as exc:
        raise DossierError.at(location, f"invalid YAML: {exc}") from None
    except RecursionError:
        # Lists or mappings nested hundreds deep: PyYAML reads them recursively.
        raise DossierError.at(location, "invalid YAML: lists or mappings nested too deep") from None
    finally:
        loader.dispose()


def _say(problem: str) -> str:
    """YAML's messages, made to read as ours."""
    if problem.startswith("YAML aliases"):
        return problem
    if problem.startswith("could not determine a constructor"):
        return "YAML tags such as !!python/object are not allowed: " + problem
    return "invalid YAML: " + problem
