"""Safe YAML loading that remembers where every value came from.

The document is composed into nodes (no tag can run code: only the standard YAML tags are
constructed), duplicate keys are an error, and alias expansion is capped so that a "billion laughs"
document is refused quickly. Every value's position is kept in a :class:`Positions` index keyed by
its path, so that later errors can point at ``file:line:column``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from mlplat.spec.problems import Problem, SpecError

# A spec of several hundred teams has well under 100k values; a document that expands past this
# through aliases is refused rather than built.
MAX_NODES = 200_000
MAX_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 40

PathKey = tuple[str | int, ...]


@dataclass
class Positions:
    """Where each path of the document starts (1-based line and column)."""

    file: str
    at: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: PathKey) -> tuple[int, int] | None:
        """The position of ``path`` or of its nearest ancestor that the document has."""
        path = tuple(path)
        while True:
            if path in self.at:
                return self.at[path]
            if not path:
                return None
            path = path[:-1]


class _Composer(yaml.SafeLoader):
    """SafeLoader that only composes; construction is done by :func:`_build`.

    PyYAML composes nested collections recursively, so a small file nested thousands of levels
    deep would exhaust Python's stack; nesting is refused at ``MAX_DEPTH`` while composing.
    """

    depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH + 1:
                mark = self.peek_event().start_mark
                raise _TooDeep(mark.line + 1, mark.column + 1)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _TooDeep(Exception):
    def __init__(self, line: int, column: int) -> None:
        super().__init__(line, column)
        self.line, self.column = line, column


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder:
    def __init__(self, file: str, constructor: SafeConstructor) -> None:
        self.positions = Positions(file)
        self.constructor = constructor
        self.count = 0
        self.file = file

    def build(self, node: Node, path: PathKey) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise SpecError(
                [Problem(self.file, *_mark(node), "", f"the document expands to more than {MAX_NODES} values "
                         "(aliases are expanded); it is refused")]
            )
        if len(path) > MAX_DEPTH:
            raise SpecError([Problem(self.file, *_mark(node), _dotted(path[:MAX_DEPTH]),
                                     f"the document nests deeper than {MAX_DEPTH} levels (a recursive alias?)")])
        self.positions.at.setdefault(path, _mark(node))
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                raise SpecError([Problem(self.file, *_mark(node), _dotted(path), f"unsupported YAML tag {node.tag!r}")])
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        if isinstance(node, ScalarNode):
            try:
                return self.constructor.construct_object(node, deep=True)
            except ConstructorError as exc:
                raise SpecError([Problem(self.file, *_mark(node), _dotted(path),
                                         f"unsupported YAML tag {node.tag!r}: {exc.problem}")]) from None
        raise SpecError([Problem(self.file, *_mark(node), _dotted(path), "unsupported YAML node")])

    def _mapping(self, node: MappingNode, path: PathKey) -> dict[str, Any]:
        if node.tag not in ("tag:yaml.org,2002:map",):
            raise SpecError([Problem(self.file, *_mark(node), _dotted(path), f"unsupported YAML tag {node.tag!r}")])
        result: dict[str, Any] = {}
        problems: list[Problem] = []
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                problems.append(Problem(self.file, *_mark(key_node), _dotted(path),
                                        "merge keys ('<<') are not supported; write the keys out"))
                continue
            if not isinstance(key_node, ScalarNode):
                problems.append(Problem(self.file, *_mark(key_node), _dotted(path), "a key must be a plain string"))
                continue
            key = str(self.constructor.construct_object(key_node))
            if key in result:
                first = self.positions.at.get(path + (key,), (0, 0))
                problems.append(Problem(self.file, *_mark(key_node), _dotted(path + (key,)),
                                        f"duplicate key {key!r} (first at line {first[0]})"))
                continue
            self.positions.at[path + (key,)] = _mark(key_node)
            result[key] = self.build(value_node, path + (key,))
        if problems:
            raise SpecError(problems)
        return result


def _dotted(path: PathKey) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_yaml(text: str, file: str) -> tuple[Any, Positions]:
    """Parse YAML text into plain Python values plus the position of every path."""
    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        raise SpecError([Problem(file, 1, 1, "", f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB")])
    loader = _Composer(text)
    try:
        node = loader.get_single_node()
    except _TooDeep as exc:
        raise SpecError([Problem(file, exc.line, exc.column, "",
                                 f"the document nests deeper than {MAX_DEPTH} levels; it is refused")]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise SpecError([Problem(file, line, col, "", f"not valid YAML: {exc.problem or exc.context}")]) from None
    except yaml.YAMLError as exc:
        raise SpecError([Problem(file, 1, 1, "", f"not valid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    if node is None:
        return {}, Positions(file)
    builder = _Builder(file, SafeConstructor())
    return builder.build(node, ()), builder.positions


def load_file(path: Path) -> tuple[Any, Positions]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError([Problem(str(path), 0, 0, "", "no such file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError([Problem(str(path), 0, 0, "", f"cannot read the file: {exc}")]) from None
    return load_yaml(text, str(path))


dotted = _dotted
