"""Synthesis: the resolved organization → Terraform JSON, one stack per account, written atomically.

Only what changed is synthesized again. Each stack's inputs (the resolved organization, less the other
teams' own settings for a team's account stack, and mlplat's own code and engine) have a digest, kept
in ``synth-record.json`` beside the stacks with the digest of each file written. A stack whose inputs
and files are those of the record keeps its files; the others are built, in worker processes when
there are several and more than one core (``jobs``), each building its share in an App of its own:
the values stacks share are declared outputs and remote states (:mod:`mlplat.stacks.exports`), so a
stack is the same built alone, with some others, or with all. ``full`` builds every stack.

The workers write into fresh temporary directories beside the output; only when synthesis has fully
succeeded are the files moved into place (each with an atomic rename, ``manifest.json`` last), and
stacks that no longer exist are removed. A failed synthesis leaves the previous output untouched.
The ``state/`` folder of the local backend, and Terraform's working files, are never touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mlplat.resolve.model import Org

MANIFEST = "manifest.json"
# per stack: the digest of its inputs and of each file written, and its size (to share out the work)
RECORD = "synth-record.json"
RECORD_VERSION = 1
# a team's own settings, read by the team's account stacks alone: changing them builds those stacks again
TEAM_OWN_FIELDS = ("members", "instance_types", "idle_timeout_minutes", "experiment_tracking")
# The organization's accepted scan failures (spec controls.suppressions), read by `mlplat scan OUT`.
SUPPRESSIONS = "scan-suppressions.json"


class OutputError(Exception):
    """The output directory cannot be written safely."""


@dataclass(frozen=True)
class StackSummary:
    name: str
    account: str
    resources: int
    data_sources: int
    dependencies: tuple[str, ...]
    resource_types: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SynthResult:
    out: Path
    engine: str
    stacks: tuple[StackSummary, ...]
    built: tuple[str, ...] = ()  # the stacks synthesized by this run (the others were unchanged)
    workers: int = 1  # processes that built them

    @property
    def resources(self) -> int:
        return sum(s.resources for s in self.stacks)

    def resource_types(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for stack in self.stacks:
            total.update(stack.resource_types)
        return total


def check_output_dir(out: Path) -> None:
    """Refuse to write into a directory that holds something other than an mlplat output."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise OutputError(f"{out} is not empty and holds no {MANIFEST}: refusing to write into it; choose another --out")


def synthesize(org: Org, out: Path, engine_name: str = "cdktn", *, jobs: int | None = None,
               full: bool = False) -> SynthResult:
    """Render the stacks of ``org`` into ``out`` (the standard layout: manifest.json, stacks/<name>/cdk.tf.json):
    those whose inputs changed since the last synth into ``out`` (every stack with ``full``), in up to
    ``jobs`` processes (default: the cores)."""
    from mlplat import engine

    out = Path(out).absolute()
    check_output_dir(out)
    engine.select(engine_name)
    inputs = stack_inputs(org, engine_name)
    recorded = _read_record(out)
    previous = {} if full else _reusable(out, inputs, recorded)
    to_build = [s.name for s in org.stacks if s.name not in previous]
    if jobs is None and engine.loaded():
        jobs = 1  # this process has started the engine already: building here costs no start at all
    weights = _weights(recorded, org)
    groups = _share_out(to_build, weights, _workers(jobs, to_build, weights))
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.synth-", dir=out.parent))
    try:
        built_dirs = _build(org, engine_name, groups, staging)
        entries, files = _assemble(org, out, staging, built_dirs, previous)
        write_suppressions(staging, org)
        summary = summarize(staging, org, {name: counts for name, (_, _, counts) in previous.items()})
        _write_record(staging, inputs, files, summary)
        _publish(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return SynthResult(out=out, engine=engine_name, stacks=summary, built=tuple(to_build), workers=len(groups))


# -- what changed --------------------------------------------------------------------------------------


def stack_inputs(org: Org, engine_name: str) -> dict[str, str]:
    """Stack name -> the digest of everything its synthesized files depend on.

    A team's account stacks read the team's own settings (:data:`TEAM_OWN_FIELDS`); no other stack does.
    Every other input is the resolved organization without those settings, and mlplat's code and engine.
    """
    document = org.model_dump(mode="json")
    own = {}
    for team in document["teams"]:
        own[team["name"]] = {name: team.pop(name) for name in TEAM_OWN_FIELDS}
    common = _digest(code_digest(engine_name), json.dumps(document, sort_keys=True))
    result = {}
    for stack in org.stacks:
        team = org.account(stack.account).team if stack.kind == "account" else None
        result[stack.name] = _digest(common, json.dumps(own[team], sort_keys=True)) if team else common
    return result


def code_digest(engine_name: str) -> str:
    """The digest of mlplat's code, templates and policy data, and of the engine's packages' versions."""
    import importlib.metadata
    import importlib.util

    from mlplat import engine

    digest = hashlib.sha256()
    roots = []
    for package in ("mlplat", "mlplat.modules", "mlplat.templates"):
        spec = importlib.util.find_spec(package)
        roots += [Path(p) for p in (spec.submodule_search_locations or [])] if spec else []
    for root in sorted(set(roots)):
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".j2", ".yaml", ".json") and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    spec = engine.ENGINES[engine_name]
    for distribution in (spec.core_module, spec.aws_module.replace("_", "-"), "jsii", "constructs"):
        try:
            version = importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{distribution}={version}\0".encode())
    return digest.hexdigest()


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_record(out: Path) -> dict[str, tuple[dict, dict]]:
    """Stack name -> (its record, its manifest entry), from the last synth into ``out`` (nothing if unreadable)."""
    try:
        record = json.loads((out / RECORD).read_text(encoding="utf-8"))
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(record, dict) or record.get("version") != RECORD_VERSION:
        return {}
    stacks, entries = record.get("stacks"), manifest.get("stacks") if isinstance(manifest, dict) else None
    if not isinstance(stacks, dict) or not isinstance(entries, dict):
        return {}
    return {name: (value, entries[name]) for name, value in stacks.items()
            if isinstance(value, dict) and isinstance(entries.get(name), dict)}


def _reusable(out: Path, inputs: dict[str, str],
              recorded: dict[str, tuple[dict, dict]]) -> dict[str, tuple[dict, dict[str, str], dict]]:
    """Stack name -> (its manifest entry, its files' digests, its counts), for the stacks of ``out`` whose
    inputs are unchanged and whose files are those written (a file edited or removed since is written again)."""
    reusable = {}
    for name, (record, entry) in recorded.items():
        files, types = record.get("files"), record.get("resource_types")
        if (record.get("inputs") != inputs.get(name) or not isinstance(files, dict) or not files
                or not isinstance(types, dict) or not isinstance(record.get("data_sources"), int)):
            continue
        try:
            if all(_file_digest(_inside(out, relative)) == digest for relative, digest in files.items()):
                reusable[name] = (entry, dict(files), {"resource_types": types, "data_sources": record["data_sources"]})
        except (OSError, ValueError):
            continue
    return reusable


def _inside(out: Path, relative: str) -> Path:
    path = (out / relative).resolve()
    if out.resolve() not in path.parents:
        raise ValueError(f"{relative} is outside {out}")
    return path


# -- building, in workers ------------------------------------------------------------------------------


# Each worker process starts the engine and imports the provider bindings (the floor of any synth, a
# few seconds of CPU): a worker pays for itself only with about this many resources to build.
RESOURCES_PER_WORKER = 1500


def _workers(jobs: int | None, names: list[str], weights: dict[str, int]) -> int:
    if jobs is not None and jobs < 1:
        raise ValueError("jobs must be at least 1")
    worth = -(-sum(weights.get(n, 0) for n in names) // RESOURCES_PER_WORKER)
    return max(1, min(jobs or os.cpu_count() or 1, len(names), worth))


def _weights(recorded: dict[str, tuple[dict, dict]], org: Org) -> dict[str, int]:
    """Stack name -> its size in resources at the last synth (``recorded``), or a guess from the organization."""
    sizes = {name: record.get("resources") for name, (record, _) in recorded.items()}
    teams = max(1, len(org.teams))
    guess = {"organization": 20 * teams, "account": 60}
    return {s.name: sizes[s.name] if isinstance(sizes.get(s.name), int) else guess.get(s.kind, 60) for s in org.stacks}


def _share_out(names: list[str], weights: dict[str, int], workers: int) -> list[list[str]]:
    """The stacks in ``workers`` groups of about equal size (largest first, each to the lightest group)."""
    if not names:
        return []
    groups: list[list[str]] = [[] for _ in range(workers)]
    loads = [0] * workers
    for name in sorted(names, key=lambda n: (-weights.get(n, 0), n)):
        lightest = loads.index(min(loads))
        groups[lightest].append(name)
        loads[lightest] += weights.get(name, 0)
    return [g for g in groups if g]


def _build(org: Org, engine_name: str, groups: list[list[str]], staging: Path) -> dict[str, Path]:
    """Build each group in an App of its own; stack name -> the directory its App wrote."""
    directories = [staging / f".worker-{i}" for i in range(len(groups))]
    if len(groups) == 1:
        build_group(org, engine_name, groups[0], directories[0])
    elif groups:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # a fresh interpreter per worker: each starts the engine's JavaScript runtime of its own
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=len(groups), mp_context=context) as pool:
            for future in [pool.submit(build_group, org, engine_name, g, d) for g, d in zip(groups, directories)]:
                future.result()
    return {name: directory for group, directory in zip(groups, directories) for name in group}


def build_group(org: Org, engine_name: str, names: Iterable[str], outdir: Path) -> None:
    """Synthesize the stacks ``names`` of ``org`` into ``outdir`` (a worker's share)."""
    from mlplat import engine, stacks

    engine.select(engine_name)
    app = engine.new_app(outdir)
    stacks.build(app, org, set(names))
    app.synth()


def _assemble(org: Org, out: Path, staging: Path, built_dirs: dict[str, Path],
              previous: dict[str, tuple[dict, dict[str, str], dict]]) -> tuple[dict[str, dict], dict[str, dict[str, str]]]:
    """Move the files of the stacks built into ``staging`` (those kept stay where they are in ``out``) and
    write the manifest of every stack as the engine writes it; returns stack name -> manifest entry, and
    stack name -> its files' digests."""
    worker_entries: dict[Path, dict] = {}
    entries: dict[str, dict] = {}
    files: dict[str, dict[str, str]] = {}
    version = None
    for stack in org.stacks:
        name = stack.name
        if name not in built_dirs:
            entries[name], files[name], _ = previous[name]
            continue
        source_dir = built_dirs[name]
        if source_dir not in worker_entries:
            worker_manifest = json.loads((source_dir / MANIFEST).read_text(encoding="utf-8"))
            worker_entries[source_dir] = worker_manifest["stacks"]
            version = worker_manifest.get("version", version)
        entries[name] = entry = worker_entries[source_dir][name]
        working = source_dir / entry["workingDirectory"]
        files[name] = {}
        for path in sorted(p for p in working.rglob("*") if p.is_file()):  # what the engine wrote for it
            relative = str(path.relative_to(source_dir))
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
            files[name][relative] = _file_digest(target)
    if version is None:
        version = json.loads((out / MANIFEST).read_text(encoding="utf-8")).get("version")
    for directory in set(built_dirs.values()):
        shutil.rmtree(directory, ignore_errors=True)
    manifest = {"stacks": {name: entries[name] for name in sorted(entries)}, "version": version}
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
    return entries, files


def _write_record(staging: Path, inputs: dict[str, str], files: dict[str, dict[str, str]],
                  summary: tuple[StackSummary, ...]) -> None:
    counts = {s.name: s for s in summary}
    record = {"version": RECORD_VERSION, "stacks": {
        name: {"inputs": inputs[name], "files": files[name], "resources": counts[name].resources,
               "resource_types": counts[name].resource_types, "data_sources": counts[name].data_sources}
        for name in sorted(files)}}
    (staging / RECORD).write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def write_suppressions(out: Path, org: Org) -> None:
    """``OUT/scan-suppressions.json``: the spec's suppressions, so that a scan of OUT applies them."""
    entries = [{"check_id": s.check_id, "stack": s.stack, "resource": s.resource, "justification": s.justification,
                "expires": s.expires.isoformat() if s.expires else None, "source": s.source}
               for s in org.controls.suppressions]
    (out / SUPPRESSIONS).write_text(json.dumps({"suppressions": entries}, indent=2, sort_keys=True) + "\n",
                                    encoding="utf-8")


def summarize(out: Path, org: Org, known: dict[str, dict] | None = None) -> tuple[StackSummary, ...]:
    """The stacks of the manifest in ``out``, counted from their files (or taken from ``known``, the record
    of the stacks kept from the last synth)."""
    manifest = json.loads((out / MANIFEST).read_text())
    account_of = {s.name: s.account for s in org.stacks}
    result = []
    for stack in org.stacks:
        entry = manifest["stacks"][stack.name]
        if stack.name in (known or {}):
            types, data = dict(known[stack.name]["resource_types"]), known[stack.name]["data_sources"]
        else:
            document = json.loads((out / entry["synthesizedStackPath"]).read_text())
            types = {kind: len(items) for kind, items in sorted(document.get("resource", {}).items())}
            data = sum(len(items) for items in document.get("data", {}).values())
        result.append(StackSummary(name=stack.name, account=account_of[stack.name], resources=sum(types.values()),
                                   data_sources=data, dependencies=tuple(sorted(entry.get("dependencies", []))),
                                   resource_types=types))
    return tuple(result)


def _publish(staging: Path, out: Path) -> None:
    manifest = json.loads((staging / MANIFEST).read_text())
    new_stacks = {name for name in manifest["stacks"]}
    out.mkdir(parents=True, exist_ok=True)
    files = sorted(p.relative_to(staging) for p in staging.rglob("*") if p.is_file() and p.name != MANIFEST)
    for relative in files:
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / relative, target)
    old_stacks = out / "stacks"
    if old_stacks.is_dir():
        for stale in sorted(p for p in old_stacks.iterdir() if p.is_dir() and p.name not in new_stacks):
            shutil.rmtree(stale)
    os.replace(staging / MANIFEST, out / MANIFEST)
