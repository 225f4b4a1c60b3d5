"""mlplat's Python API: what the CLI does, callable from code and pipelines.

Every function raises :class:`~mlplat.spec.SpecError` for an invalid spec (all problems at once) and
returns plain result objects; nothing here prints. Functions that need no Terraform (validate,
schema, graph, picture, init) never import the CDK engine.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlplat import resolve as _resolve
from mlplat import spec as _spec
from mlplat.resolve.model import Org

if TYPE_CHECKING:
    from mlplat.controls import ControlsReport
    from mlplat.graph import StackGraph
    from mlplat.scan import ScanReport
    from mlplat.starter import Answers
    from mlplat.synth import SynthResult
    from mlplat.terraform import PlannedStack, RunReport, Selection
    from mlplat.terraform.bootstrap import BootstrapReport
    from mlplat.terraform.doctor import DoctorReport

DEFAULT_OUT = Path("cdktf.out")


def validate(path: Path) -> Org:
    """Load, validate and resolve a spec file into the organization it describes."""
    return _resolve.resolve(_spec.load(Path(path)))


def schema() -> dict[str, Any]:
    """The JSON Schema of the spec file, for editors."""
    from mlplat.spec.models import Spec

    document = Spec.model_json_schema(mode="validation")
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "mlplat organization spec"
    return document


def graph(path: Path) -> StackGraph:
    """The stacks of a spec and the order they are applied in, without synthesizing."""
    from mlplat.graph import stack_graph

    return stack_graph(validate(path))


def picture(path: Path, fmt: str = "svg") -> str:
    """The organization of a spec and its stack graph drawn as ``svg`` or ``mermaid``, without synthesizing."""
    from mlplat.picture import render

    return render(validate(path), fmt)


def controls(path: Path) -> ControlsReport:
    """Every control of the organization a spec describes, and the accepted exceptions, without synthesizing."""
    from mlplat.controls import controls_report

    return controls_report(validate(path))


def init(directory: Path, answers: Answers | None = None, **given: Any) -> list[Path]:
    """Write a new platform repository into ``directory``; returns its files, the spec first. See
    :mod:`mlplat.starter`. Either ``answers``, or answers by name as the CLI's options give them
    (``name="acme"``, ``teams=["churn:retail"]``, ...), the others taking their defaults."""
    from mlplat.starter import complete, write_repository

    if answers is not None and given:
        raise TypeError("give either answers or answers by name, not both")
    return write_repository(Path(directory), answers if answers is not None else complete(given))


def synth(path: Path, out: Path = DEFAULT_OUT, engine: str = "cdktn", *, jobs: int | None = None,
          full: bool = False) -> SynthResult:
    """Validate a spec and synthesize one Terraform stack per account into ``out``: the stacks whose inputs
    changed since the last synth into ``out`` (all with ``full``), in up to ``jobs`` processes (default: the cores)."""
    from mlplat.synth import synthesize

    return synthesize(validate(path), Path(out), engine, jobs=jobs, full=full)


def scan(out: Path = DEFAULT_OUT, cache: bool = True) -> ScanReport:
    """Scan synthesized stacks with checkov and mlplat's ML policy pack, applying the waivers. With ``cache``,
    a stack unchanged since a scan of it is not scanned again: its findings come from the result cache."""
    from mlplat.scan import scan as run_scan

    return run_scan(Path(out), cache=cache)


def plan(out: Path = DEFAULT_OUT, stacks: list[str] | None = None, on_event: Any = None, **options: Any) -> RunReport:
    """``terraform init`` and ``plan`` of the synthesized stacks, dependencies first, each plan saved for
    :func:`apply`. ``stacks``: names or globs; ``options``: ``parallelism``, ``changed``,
    ``with_dependencies``, ``terraform``, ``env`` (see :func:`mlplat.terraform.run`)."""
    from mlplat.terraform import run

    return run(Path(out), "plan", stacks=stacks, on_event=on_event, **options)


def apply(out: Path = DEFAULT_OUT, stacks: list[str] | None = None, on_event: Any = None, **options: Any) -> RunReport:
    """Apply the saved plans of the synthesized stacks (refusing those whose stack changed since), and plan
    then apply the stacks without one, dependencies first; a failed stack blocks only its dependents."""
    from mlplat.terraform import run

    return run(Path(out), "apply", stacks=stacks, on_event=on_event, **options)


def destroy(out: Path = DEFAULT_OUT, stacks: list[str] | None = None, on_event: Any = None, **options: Any) -> RunReport:
    """Destroy the synthesized stacks, dependents first. The organization, log archive and security tooling
    stacks are left alone unless each is named in ``stacks``."""
    from mlplat.terraform import run

    return run(Path(out), "destroy", stacks=stacks, on_event=on_event, **options)


def select_stacks(out: Path, action: str, stacks: list[str] | None = None, **options: Any) -> Selection:
    """The stacks a plan, apply or destroy would cover, and those it would leave out with why."""
    from mlplat.terraform import select_stacks as select

    return select(Path(out), action, stacks, **options)  # type: ignore[arg-type]


def preview_apply(selection: Selection) -> list[PlannedStack]:
    """What an apply of ``selection`` would do with each stack's saved plan: apply it, plan the stack during
    the apply, or refuse it."""
    from mlplat.terraform import preview_apply as preview

    return preview(selection)


def terraform(out: Path, stack: str, args: list[str], program: str | None = None) -> int:
    """Run Terraform (``program``: a binary, default the embedded one) with ``args`` in one stack's working
    directory, with mlplat's environment, its output to this process's terminal; Terraform's exit code."""
    from mlplat.terraform.passthrough import run_in_stack

    return run_in_stack(Path(out), stack, args, program)


def bootstrap(path: Path) -> BootstrapReport:
    """Create (or bring up to standard) the S3 bucket that holds the Terraform state of a spec."""
    from mlplat.terraform.bootstrap import bootstrap_state_bucket

    return bootstrap_state_bucket(validate(path).state)


def doctor(path: Path | None = None, terraform: str | None = None) -> DoctorReport:
    """Check what plan and apply need (credentials, Terraform, Node.js, providers, the state backend)."""
    from mlplat.terraform.doctor import diagnose

    return diagnose(validate(path).state if path is not None else None, terraform)
