"""The synthesized app's manifest.json, validated, the order its stacks deploy in, and selection.

Stacks are grouped in *waves*: every stack in a wave depends only on stacks of earlier waves.
Waves and the names within a wave are sorted, so the order is the same on every run. Destroying
goes through the waves backwards. (The runner does not wait for a whole wave: it starts each stack
as soon as its own dependencies are done; waves are the depth of each stack in the graph.)

:func:`select` turns ``--stack`` names and globs into stack names, optionally with what they
depend on (or, for destroying, with what depends on them).
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from mlplat.terraform.errors import DependencyCycleError, ManifestError, UnknownStackError

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class StackInfo:
    """One stack of the manifest, with its paths made absolute."""

    name: str
    working_directory: Path
    synthesized_stack_path: Path
    dependencies: tuple[str, ...]


@dataclass(frozen=True)
class Manifest:
    """The validated content of ``OUT/manifest.json``."""

    out_dir: Path
    version: str | None
    stacks: dict[str, StackInfo]

    def names(self) -> list[str]:
        return sorted(self.stacks)


def _require_str(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise ManifestError(f"{where}: {key!r} must be a non-empty string, got {value!r}")
    return value


def _inside(out_dir: Path, relative: str, where: str, key: str) -> Path:
    if Path(relative).is_absolute():
        raise ManifestError(f"{where}: {key!r} must be relative to the output directory: {relative}")
    path = (out_dir / relative).resolve()
    if path != out_dir and out_dir not in path.parents:
        raise ManifestError(f"{where}: {key!r} points outside the output directory: {relative}")
    return path


def load_manifest(out_dir: Path, *, check_files: bool = True) -> Manifest:
    """Read and validate ``out_dir/manifest.json``.

    Checks that every stack names a working directory and synthesized file inside ``out_dir``
    (and, with ``check_files``, that they exist), that dependencies name known stacks, and that
    the dependencies have no cycle.
    """
    out_dir = Path(out_dir).resolve()
    path = out_dir / MANIFEST
    if not path.is_file():
        raise ManifestError(f"no {MANIFEST} in {out_dir}: synthesize the app first")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("stacks"), dict):
        raise ManifestError(f"{path}: expected an object with a 'stacks' object")
    version = raw.get("version")

    stacks: dict[str, StackInfo] = {}
    for key, entry in raw["stacks"].items():
        where = f"{path}: stack {key!r}"
        if not isinstance(entry, dict):
            raise ManifestError(f"{where}: expected an object")
        name = entry.get("name", key)
        if name != key:
            raise ManifestError(f"{where}: its 'name' is {name!r}; the two must match")
        working = _inside(out_dir, _require_str(entry, "workingDirectory", where), where, "workingDirectory")
        synthesized = _inside(
            out_dir, _require_str(entry, "synthesizedStackPath", where), where, "synthesizedStackPath"
        )
        deps = entry.get("dependencies", [])
        if not isinstance(deps, list) or not all(isinstance(d, str) for d in deps):
            raise ManifestError(f"{where}: 'dependencies' must be a list of stack names")
        if check_files and not synthesized.is_file():
            raise ManifestError(f"{where}: synthesized file {synthesized} is missing; synthesize again")
        stacks[key] = StackInfo(key, working, synthesized, tuple(sorted(set(deps))))

    for info in stacks.values():
        missing = [d for d in info.dependencies if d not in stacks]
        if missing:
            raise ManifestError(
                f"{path}: stack {info.name!r} depends on unknown stack(s) {', '.join(missing)}; "
                f"known stacks: {', '.join(sorted(stacks))}"
            )
    manifest = Manifest(out_dir, version if isinstance(version, str) else None, stacks)
    waves(manifest)  # raises DependencyCycleError
    return manifest


def _find_cycle(graph: dict[str, tuple[str, ...]], nodes: Iterable[str]) -> list[str]:
    """A dependency cycle among ``nodes`` (which are known to contain one), as a closed path."""
    remaining = set(nodes)
    for start in sorted(remaining):
        path: list[str] = []
        on_path: dict[str, int] = {}
        node = start
        # Every remaining node has a dependency that also remains, so this walk must loop.
        while node not in on_path:
            on_path[node] = len(path)
            path.append(node)
            node = min(d for d in graph[node] if d in remaining)
        return path[on_path[node] :] + [node]
    return []


def waves(
    manifest: Manifest, stacks: Iterable[str] | None = None, *, reverse: bool = False
) -> list[list[str]]:
    """The stacks in dependency order, grouped in waves (each sorted by name).

    ``stacks`` selects a subset by name: nothing else is pulled in (dependencies outside the
    subset are assumed to be deployed already), but unknown names are an error. ``reverse``
    gives the order for destroying.
    """
    graph = {name: info.dependencies for name, info in manifest.stacks.items()}
    level: dict[str, int] = {}
    pending = set(graph)
    while pending:
        ready = [n for n in pending if all(d in level for d in graph[n])]
        if not ready:
            raise DependencyCycleError(_find_cycle(graph, pending))
        for name in ready:
            level[name] = 1 + max((level[d] for d in graph[name]), default=-1)
        pending.difference_update(ready)

    if stacks is None:
        selected = set(graph)
    else:
        selected = set(stacks)
        unknown = selected - set(graph)
        if unknown:
            raise UnknownStackError(unknown, graph)

    grouped: dict[int, list[str]] = {}
    for name in selected:
        grouped.setdefault(level[name], []).append(name)
    result = [sorted(grouped[k]) for k in sorted(grouped)]
    return list(reversed(result)) if reverse else result


def flatten(ordered: list[list[str]]) -> list[str]:
    return [name for wave in ordered for name in wave]


def dependents(manifest: Manifest) -> dict[str, tuple[str, ...]]:
    """For each stack, the stacks that depend on it directly (sorted)."""
    found: dict[str, list[str]] = {name: [] for name in manifest.stacks}
    for info in manifest.stacks.values():
        for dependency in info.dependencies:
            found[dependency].append(info.name)
    return {name: tuple(sorted(names)) for name, names in found.items()}


def closure(graph: dict[str, tuple[str, ...]], start: Iterable[str]) -> set[str]:
    """``start`` and everything reachable from it through ``graph``."""
    seen: set[str] = set()
    pending = list(start)
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            pending.extend(graph[name])
    return seen


def _is_glob(pattern: str) -> bool:
    return any(c in pattern for c in "*?[")


def select(
    manifest: Manifest,
    patterns: Iterable[str] | None = None,
    *,
    with_dependencies: bool = False,
    with_dependents: bool = False,
) -> list[str]:
    """The stacks named by ``patterns`` (exact names or fnmatch globs), sorted; all stacks for ``None``.

    Every pattern must match at least one stack (otherwise :class:`UnknownStackError`, listing the
    known names). ``with_dependencies`` adds what the selected stacks depend on, transitively (what
    they need to be applied first); ``with_dependents`` adds the stacks that depend on them (what
    must be destroyed first).
    """
    names = manifest.names()
    if patterns is None:
        return names
    selected: set[str] = set()
    unmatched: list[str] = []
    for pattern in patterns:
        matched = fnmatch.filter(names, pattern) if _is_glob(pattern) else [pattern] if pattern in manifest.stacks else []
        if not matched:
            unmatched.append(pattern)
        selected.update(matched)
    if unmatched:
        raise UnknownStackError(unmatched, names)
    if with_dependencies:
        selected = closure({n: i.dependencies for n, i in manifest.stacks.items()}, selected)
    if with_dependents:
        selected = closure(dependents(manifest), selected)
    return sorted(selected)


def named_exactly(manifest: Manifest, patterns: Iterable[str] | None) -> set[str]:
    """The stacks that ``patterns`` name by their exact name (not through a glob)."""
    return {p for p in patterns or () if p in manifest.stacks}
