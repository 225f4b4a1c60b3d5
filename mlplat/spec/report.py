"""Turning findings about spec paths into positioned :class:`Problem` s."""

from __future__ import annotations

import types
import typing
from typing import Any, Union

from pydantic import BaseModel, ValidationError

from mlplat.spec.loader import PathKey, Positions, dotted
from mlplat.spec.problems import Problem, SpecError


class Collector:
    """Collects problems against spec paths; :meth:`raise_if_any` fails once with all of them."""

    def __init__(self, positions: Positions) -> None:
        self.positions = positions
        self.problems: list[Problem] = []

    def add(self, path: PathKey, message: str, at: PathKey | None = None) -> None:
        """Report ``message`` against ``path``; ``at`` is where to point when the document lacks ``path``
        (a value derived from another field, such as a default account name from organization.name)."""
        located = self.positions.at.get(tuple(path)) if at is not None else None
        line, column = located or self.positions.locate(at if at is not None else path) or (0, 0)
        self.problems.append(Problem(self.positions.file, line, column, dotted(path), message))

    def raise_if_any(self) -> None:
        if self.problems:
            raise SpecError(self.problems)


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types an annotation may hold (Optional, Annotated and unions opened)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [t for arg in typing.get_args(annotation) for t in _unwrap(arg) if t is not type(None)]
    return [annotation]


def _fields_at(root: type[BaseModel], loc: tuple[Any, ...]) -> list[str] | None:
    """Field names of the model found by walking ``loc`` from ``root``, or None if not a model."""
    current: list[Any] = [root]
    for part in loc:
        following: list[Any] = []
        for candidate in current:
            origin = typing.get_origin(candidate)
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                field = candidate.model_fields.get(str(part))
                if field is not None:
                    following += _unwrap(field.annotation)
                else:  # a discriminated union's tag in the location
                    following.append(candidate)
            elif origin in (list, dict):
                following += _unwrap(typing.get_args(candidate)[-1])
        current = []
        for candidate in following:
            current += _unwrap(candidate)
        models = [c for c in current if isinstance(c, type) and issubclass(c, BaseModel)]
        # a union member named by its tag: keep the member whose literal matches
        tagged = [m for m in models if "backend" in m.model_fields and str(part) in typing.get_args(
            m.model_fields["backend"].annotation)]
        if tagged:
            current = tagged
    models = [c for c in current if isinstance(c, type) and issubclass(c, BaseModel)]
    if len(models) == 1:
        return list(models[0].model_fields)
    return None


def _clean_loc(loc: tuple[Any, ...], data: Any) -> tuple[Any, ...]:
    """Drop pydantic's union-member tags and '[key]' markers so the path matches the document."""
    out: list[Any] = []
    node = data
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(node, dict) and part in node:
            node = node[part]
            out.append(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            out.append(part)
        elif isinstance(node, dict) and node.get("backend") == part:
            continue  # the tag pydantic adds for a discriminated union member
        else:
            out.append(part)
            node = None
    return tuple(out)


def problems_from_validation(error: ValidationError, root: type[BaseModel], data: Any, positions: Positions) -> list[Problem]:
    collector = Collector(positions)
    for item in error.errors(include_url=False):
        loc = _clean_loc(tuple(item["loc"]), data)
        kind = item["type"]
        message = item["msg"]
        if kind == "extra_forbidden":
            allowed = _fields_at(root, loc[:-1]) or []
            message = f"unknown field {loc[-1]!r}" + (f"; allowed: {', '.join(allowed)}" if allowed else "")
        elif kind == "missing":
            message = "required field is missing"
        elif message.startswith("Value error, "):
            message = message[len("Value error, "):]
        elif kind in ("string_type", "int_type", "float_type", "bool_type", "list_type", "dict_type", "model_type"):
            message = f"{message} (got {type(item.get('input')).__name__} {item.get('input')!r})"
        elif kind == "union_tag_invalid":
            context = item.get("ctx", {})
            loc = loc + (context.get("discriminator", "").strip("'"),)
            message = f"{context.get('tag')!r} is not one of: {context.get('expected_tags', '').replace(chr(39), '')}"
        collector.add(loc, message)
    return collector.problems
