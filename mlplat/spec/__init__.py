"""The spec: YAML in, a validated :class:`~mlplat.spec.models.Spec` out, or every problem at once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from mlplat.spec import validators
from mlplat.spec.loader import Positions, load_file, load_yaml
from mlplat.spec.models import Spec
from mlplat.spec.problems import Problem, SpecError
from mlplat.spec.report import Collector, problems_from_validation

__all__ = ["LoadedSpec", "Problem", "Spec", "SpecError", "load", "parse"]


@dataclass(frozen=True)
class LoadedSpec:
    """A spec that passed the model and cross-reference checks, with the positions of its values."""

    spec: Spec
    positions: Positions


def _validate(data: object, positions: Positions) -> LoadedSpec:
    if not isinstance(data, dict):
        raise SpecError([Problem(positions.file, 1, 1, "", "the spec must be a mapping with at least 'organization'")])
    try:
        spec = Spec.model_validate(data)
    except ValidationError as exc:
        raise SpecError(problems_from_validation(exc, Spec, data, positions)) from None
    report = Collector(positions)
    validators.check(spec, report)
    report.raise_if_any()
    return LoadedSpec(spec, positions)


def load(path: Path) -> LoadedSpec:
    """Load and validate a spec file; raises :class:`SpecError` listing every problem."""
    data, positions = load_file(Path(path))
    return _validate(data, positions)


def parse(text: str, file: str = "<spec>") -> LoadedSpec:
    """Validate spec text (for tests and tools that hold the text already)."""
    data, positions = load_yaml(text, file)
    return _validate(data, positions)
