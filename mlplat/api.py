"""mlplat's Python API: what the CLI does, callable from code and pipelines.

Every function raises :class:`~mlplat.spec.SpecError` for an invalid spec (all problems at once) and
returns plain result objects; nothing here prints. Functions that need no Terraform (validate,
schema, graph, init) never import the CDK engine.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlplat import resolve as _resolve
from mlplat import spec as _spec
from mlplat.resolve.model import Org

if TYPE_CHECKING:
    from mlplat.graph import StackGraph
    from mlplat.scan import ScanReport
    from mlplat.synth import SynthResult
    from mlplat.terraform import RunReport

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


def init(directory: Path, **answers: Any) -> Path:
    """Write a starter spec into ``directory``; see :func:`mlplat.starter.write_starter`."""
    from mlplat.starter import write_starter

    return write_starter(Path(directory), **answers)


def synth(path: Path, out: Path = DEFAULT_OUT, engine: str = "cdktn") -> SynthResult:
    """Validate a spec and synthesize one Terraform stack per account into ``out``."""
    from mlplat.synth import synthesize

    return synthesize(validate(path), Path(out), engine)


def scan(out: Path = DEFAULT_OUT) -> ScanReport:
    """Scan synthesized stacks with checkov and mlplat's ML policy pack, applying the waivers."""
    from mlplat.scan import scan as run_scan

    return run_scan(Path(out))


def plan(out: Path = DEFAULT_OUT, stacks: list[str] | None = None, on_event: Any = None) -> RunReport:
    """Run ``terraform init`` and ``plan`` on synthesized stacks, in dependency order."""
    from mlplat.terraform import run

    return run(Path(out), "plan", stacks=stacks, on_event=on_event)


def apply(out: Path = DEFAULT_OUT, stacks: list[str] | None = None, on_event: Any = None) -> RunReport:
    """Plan and apply synthesized stacks in dependency order, stopping at the first failure."""
    from mlplat.terraform import run

    return run(Path(out), "apply", stacks=stacks, on_event=on_event)
