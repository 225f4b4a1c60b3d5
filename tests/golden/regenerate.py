"""``make golden``: synthesize every example into tests/golden/<example>/ (review the diff before committing)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from conftest import EXAMPLES, example_spec  # noqa: E402

from mlplat import api  # noqa: E402
from mlplat.synth import RECORD  # noqa: E402


def main() -> None:
    for name in EXAMPLES:
        target = ROOT / "tests" / "golden" / name
        if target.exists():
            shutil.rmtree(target)
        result = api.synth(example_spec(name), target, full=True)
        (target / RECORD).unlink()  # digests of mlplat's own code: not a reviewable output
        print(f"{name}: {len(result.stacks)} stacks, {result.resources} resources -> {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
