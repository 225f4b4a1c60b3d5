"""Which stacks a plan, apply or destroy covers, which it leaves out and why, and what an apply
would do with the saved plans."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mlplat.terraform import records
from mlplat.terraform.errors import TerraformInputError
from mlplat.terraform.order import Manifest, closure, dependents, flatten, load_manifest, named_exactly, select, waves
from mlplat.terraform.protect import protected_stacks

Action = Literal["plan", "apply", "destroy"]
ACTIONS: tuple[str, ...] = ("plan", "apply", "destroy")


@dataclass(frozen=True)
class Selection:
    """The stacks a run covers (``stacks``, in the order they run) and those it leaves out, with why."""

    manifest: Manifest
    action: Action
    stacks: list[str]
    excluded: dict[str, str]
    notes: list[str]

    @property
    def listed(self) -> list[str]:
        """Every stack of the report, in dependency order (reversed for destroy)."""
        return flatten(waves(self.manifest, [*self.stacks, *self.excluded], reverse=self.action == "destroy"))


def select_stacks(
    out_dir: Path,
    action: Action,
    stacks: list[str] | None = None,
    *,
    changed: bool = False,
    with_dependencies: bool = False,
    manifest: Manifest | None = None,
) -> Selection:
    """Which stacks a run of ``action`` covers.

    ``stacks``: names or fnmatch globs (all stacks for None); each must match a stack.
    ``with_dependencies``: add what they depend on (for destroy: the stacks that depend on them,
    which must go first). ``changed`` (plan, apply): keep only the stacks whose ``cdk.tf.json``
    differs from the one last applied successfully, and the stacks depending on them.
    Destroy leaves out the protected stacks (:mod:`mlplat.terraform.protect`) not named exactly,
    and what they depend on.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}")
    manifest = manifest or load_manifest(Path(out_dir))
    destroying = action == "destroy"
    chosen = select(manifest, stacks, with_dependencies=with_dependencies and not destroying,
                    with_dependents=with_dependencies and destroying)
    excluded: dict[str, str] = {}
    notes: list[str] = []
    graph = {name: info.dependencies for name, info in manifest.stacks.items()}
    if destroying:
        if changed:
            raise TerraformInputError("--changed selects stacks to plan or apply; destroy takes --stack")
        explicit = named_exactly(manifest, stacks)
        protected = protected_stacks(manifest)
        kept = sorted(n for n in chosen if n in protected and n not in explicit)
        for name in kept:
            excluded[name] = (f"protected ({protected[name]}): destroyed only when named with --stack {name}")
        for name in sorted(closure(graph, kept).intersection(chosen) - set(kept)):
            readers = sorted(closure(dependents(manifest), [name]).intersection(kept))
            excluded[name] = f"kept: the protected stack {', '.join(readers)} depends on it"
        if chosen and set(chosen) <= set(excluded):
            raise TerraformInputError("nothing to destroy: " + "; ".join(f"{n} is {excluded[n]}" for n in excluded))
    if changed:
        touched = [n for n, info in manifest.stacks.items() if records.changed_since_applied(info)]
        affected = closure(dependents(manifest), touched)
        for name in chosen:
            if name not in affected:
                excluded[name] = "unchanged since its last successful apply"
    running = [n for n in chosen if n not in excluded]
    if destroying:
        users = dependents(manifest)
        for name in running:
            left = [u for u in users[name] if u not in running]
            if left:
                notes.append(f"{', '.join(left)} still read{'s' if len(left) == 1 else ''} outputs of {name}, "
                             "which this run destroys")
    ordered = flatten(waves(manifest, running, reverse=destroying))
    return Selection(manifest, action, ordered, excluded, notes)


@dataclass(frozen=True)
class PlannedStack:
    """What an apply will do with one stack: apply its ``saved`` plan, plan it ``during`` the apply
    (no usable saved plan; ``reason`` says why), or ``refuse`` it (changed since it was planned)."""

    name: str
    record: records.PlanRecord | None
    plan: Literal["saved", "during", "refuse"]
    reason: str = ""


def preview_apply(selection: Selection) -> list[PlannedStack]:
    """Stack by stack, what an apply of ``selection`` will do with the saved plans."""
    manifest = selection.manifest
    saved = {name: records.read_plan(manifest.stacks[name]) for name in selection.stacks}
    moving = {name for name, record in saved.items() if record is not None and record.outputs_change}
    found = []
    for name in selection.stacks:
        record = saved[name]
        info = manifest.stacks[name]
        if record is None:
            found.append(PlannedStack(name, None, "during", "no saved plan"))
        elif record.status == "blocked":
            found.append(PlannedStack(name, record, "during", "its plan waits for the stacks it depends on"))
        elif record.digest != records.digest(info):
            found.append(PlannedStack(name, record, "refuse", "changed since it was planned: plan again"))
        elif moving.intersection(info.dependencies):
            found.append(PlannedStack(name, record, "during", f"{', '.join(sorted(moving.intersection(info.dependencies)))} "
                                      "change outputs it reads"))
        else:
            found.append(PlannedStack(name, record, "saved"))
    return found
