"""Synthesis: the resolved organization → Terraform JSON, one stack per account, written atomically.

The App writes into a fresh temporary directory beside the output; only when synthesis has fully
succeeded are its files moved into place (each with an atomic rename, ``manifest.json`` last), and
stacks that no longer exist are removed. A failed synthesis leaves the previous output untouched.
The ``state/`` folder of the local backend, and Terraform's working files, are never touched.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from mlplat.resolve.model import Org

MANIFEST = "manifest.json"
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


def synthesize(org: Org, out: Path, engine_name: str = "cdktn") -> SynthResult:
    """Render every stack of ``org`` into ``out`` (the standard layout: manifest.json, stacks/<name>/cdk.tf.json)."""
    from mlplat import engine, stacks

    out = Path(out).absolute()
    check_output_dir(out)
    engine.select(engine_name)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.synth-", dir=out.parent))
    try:
        app = engine.new_app(staging)
        stacks.build(app, org)
        app.synth()
        write_suppressions(staging, org)
        summary = summarize(staging, org)
        _publish(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return SynthResult(out=out, engine=engine_name, stacks=summary)


def write_suppressions(out: Path, org: Org) -> None:
    """``OUT/scan-suppressions.json``: the spec's suppressions, so that a scan of OUT applies them."""
    entries = [{"check_id": s.check_id, "stack": s.stack, "resource": s.resource, "justification": s.justification,
                "expires": s.expires.isoformat() if s.expires else None, "source": s.source}
               for s in org.controls.suppressions]
    (out / SUPPRESSIONS).write_text(json.dumps({"suppressions": entries}, indent=2, sort_keys=True) + "\n",
                                    encoding="utf-8")


def summarize(out: Path, org: Org) -> tuple[StackSummary, ...]:
    manifest = json.loads((out / MANIFEST).read_text())
    account_of = {s.name: s.account for s in org.stacks}
    result = []
    for stack in org.stacks:
        entry = manifest["stacks"][stack.name]
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
