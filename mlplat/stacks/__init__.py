"""Placing the modules' constructs into one stack per account."""

from __future__ import annotations

from typing import Any

from mlplat.resolve.model import Org
from mlplat.stacks.context import Shared, StackHandle, StackSet

__all__ = ["Shared", "StackHandle", "StackSet", "build"]


def build(app: Any, org: Org, only: set[str] | None = None) -> StackSet:
    """Create every stack of ``org`` in ``app`` and place every module's constructs in them (in those named
    in ``only``, when given: the others stay empty, and synth keeps only the files of the built ones)."""
    from mlplat.stacks import (
        cost,
        data_lake,
        feature_store,
        foundations,
        ml_development,
        ml_operations,
        ml_platform,
        observability,
        terraform_cloud,
    )

    stacks = StackSet(app, org, only)
    foundations.place(stacks)
    data_lake.place(stacks)
    feature_store.place(stacks)
    ml_platform.place(stacks)
    ml_development.place(stacks)
    ml_operations.place(stacks)
    observability.place(stacks)
    cost.place(stacks)
    terraform_cloud.place(stacks)  # the workspaces of every stack above (cloud backend only)
    stacks.check_exports()
    return stacks
