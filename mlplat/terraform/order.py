"""The synthesized app's manifest.json, validated, and the order its stacks deploy in.

Stacks are grouped in *waves*: every stack in a wave depends only on stacks of earlier waves, so
the stacks of one wave may run at the same time. Waves and the names within a wave are sorted,
so the order is the same on every run. Destroying goes through the waves backwards.
"""

from __future__ import annotations

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
