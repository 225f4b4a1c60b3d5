"""``make bench``: wall time and peak memory of validate and synth, next to the engine's floor.

Each measurement is the median of three runs, each in a fresh process; peak memory is the largest sum of resident memory over
the process and its children (Python plus the Node.js runtime of the CDK engine), sampled every
20 ms. The floor is a bare CDK app that imports the same AWS provider bindings as the synth it is
compared with and synthesizes one empty stack: what any CDK program of that size pays.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENTERPRISE = ROOT / "examples" / "enterprise" / "mlplat.yaml"


@dataclass
class Measure:
    label: str
    seconds: float
    peak_mib: float


def _tree_rss_kib(pid: int) -> int:
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    pending += [int(c) for c in children.read().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


REPEAT = 3


def measure(label: str, code: str, repeat: int = REPEAT) -> Measure:
    """The median wall time and peak memory of ``repeat`` fresh runs (machine noise is ~10 %)."""
    runs = sorted((_run_once(label, code) for _ in range(repeat)), key=lambda m: m.seconds)
    peaks = sorted(m.peak_mib for m in runs)
    return Measure(label, runs[len(runs) // 2].seconds, peaks[len(peaks) // 2])


def _run_once(label: str, code: str) -> Measure:
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss_kib(process.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - start
    stop.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{label} failed:\n{stderr}{stdout}")
    return Measure(label, seconds, peak / 1024)


def generated_spec(teams: int) -> str:
    lobs = max(1, teams // 10)
    lines = [
        "version: 1",
        "organization:",
        "  name: bench",
        '  management_account_id: "123456789012"',
        "  home_region: eu-west-1",
        "  allowed_regions: [eu-west-1, eu-central-1]",
        '  account_email: "aws+{account}@bench.example"',
        "lines_of_business:",
    ]
    lines += [f"  - {{name: lob{i:02d}, cost_center: CC-{i:04d}}}" for i in range(lobs)]
    lines.append("teams:")
    lines += [f"  - {{name: team{i:03d}, line_of_business: lob{i % lobs:02d}}}" for i in range(teams)]
    lines.append("data_domains:")
    lines += [f"  - {{name: domain{i:02d}, producers: [team{i:03d}], consumers: [team{(i + 1) % teams:03d}]}}"
              for i in range(lobs)]
    return "\n".join(lines) + "\n"


def _validate_code(spec: Path) -> str:
    return textwrap.dedent(f"""
        from mlplat import api
        org = api.validate({str(spec)!r})
        assert len(org.accounts) > 300 or 'enterprise' in {str(spec)!r}
    """)


def _synth_code(spec: Path, out: Path, modules_file: Path) -> str:
    return textwrap.dedent(f"""
        import json, sys
        from mlplat import api
        api.synth({str(spec)!r}, {str(out)!r})
        used = sorted(m for m in sys.modules if m.startswith("cdktn_provider_aws."))
        open({str(modules_file)!r}, "w").write(json.dumps(used))
    """)


def _floor_code(out: Path, modules_file: Path) -> str:
    return textwrap.dedent(f"""
        import importlib, json
        from mlplat import engine
        engine.prepare_runtime()  # the same Node.js as mlplat's own synth
        for name in json.loads(open({str(modules_file)!r}).read()):
            importlib.import_module(name)
        app = engine.new_app({str(out)!r})
        engine.core.TerraformStack(app, "empty")
        app.synth()
    """)


def row(measure: Measure, floor: Measure | None = None) -> str:
    ratio = f"{measure.seconds / floor.seconds:5.2f}x  {measure.peak_mib / floor.peak_mib:5.2f}x" if floor else ""
    return f"{measure.label:<40} {measure.seconds:8.2f} s {measure.peak_mib:9.0f} MiB   {ratio}"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="mlplat-bench-") as tmp:
        work = Path(tmp)
        big = work / "org-100-teams.yaml"
        big.write_text(generated_spec(100))
        print(f"{'measure (median of ' + str(REPEAT) + ' runs)':<40} {'wall':>10} {'peak memory':>13}   vs floor (time, memory)")
        validate_big = measure("validate: generated 100-team spec", _validate_code(big))
        print(row(validate_big))
        validate_ent = measure("validate: enterprise example", _validate_code(ENTERPRISE))
        print(row(validate_ent))
        modules_file = work / "enterprise.modules.json"
        synth = measure("synth: enterprise example", _synth_code(ENTERPRISE, work / "out-enterprise", modules_file))
        floor = measure("floor: bare app, same bindings", _floor_code(work / "floor-enterprise", modules_file))
        print(row(floor))
        print(row(synth, floor) + f"   ({_size(work / 'out-enterprise')})")
        # growth with the number of teams: each size once more against one floor (the same bindings)
        floor = None
        for teams in GROWTH:
            spec = work / f"org-{teams}-teams.yaml"
            spec.write_text(generated_spec(teams))
            modules_file = work / f"org-{teams}.modules.json"
            synth = measure(f"synth: generated {teams}-team org", _synth_code(spec, work / f"out-{teams}", modules_file))
            if floor is None:
                floor = measure("floor: bare app, same bindings", _floor_code(work / "floor-generated", modules_file))
                print(row(floor))
            print(row(synth, floor) + f"   ({_size(work / f'out-{teams}')}, "
                  f"{(synth.seconds - floor.seconds) / teams * 1000:.0f} ms per team above the floor)")


GROWTH = (10, 50, 100)


def _size(out: Path) -> str:
    manifest = json.loads((out / "manifest.json").read_text())
    resources = sum(len(items) for stack in manifest["stacks"].values()
                    for items in json.loads((out / stack["synthesizedStackPath"]).read_text()).get("resource", {}).values())
    return f"{len(manifest['stacks'])} stacks, {resources} resources"


if __name__ == "__main__":
    main()
