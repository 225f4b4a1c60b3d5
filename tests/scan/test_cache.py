"""The scan's result cache: a stack unchanged since its last scan is not scanned again, and the report is the same."""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any, Iterator

import pytest
from typer.testing import CliRunner

import mlplat
from mlplat import api, cli
from mlplat.report import scan_json, scan_junit, scan_sarif, scan_text
from mlplat.scan import ScanReport, scan
from mlplat.scan import cache as result_cache
from mlplat.scan import runner

from .conftest import BATCH_WAIVERS, STACKS, write_stacks

TEMPLATES = "cloudformation"
# One stack fails to parse: its parsing error is a result like any other.
FIXTURE = {**STACKS, "broken": '{"resource": {'}


Runs = list[list[tuple[str, tuple[str, ...]]]]


def record_runs(monkeypatch: pytest.MonkeyPatch) -> Runs:
    """Every time the scan starts checkov: the framework and stacks of each process it starts."""
    calls: Runs = []
    real = runner._run_checkovs

    def recording(runs: list[runner.CheckovRun], timeout: float | None) -> Any:
        calls.append([(run.framework, run.stacks) for run in runs])
        return real(runs, timeout)

    monkeypatch.setattr(runner, "_run_checkovs", recording)
    return calls


def everything(report: ScanReport) -> str:
    """Every field of the report and of each finding (a Finding's equality looks at stack, resource and check
    only), without how the findings were obtained."""
    return repr(replace(report, stacks_scanned=(), stacks_reused=(), templates_reused=None))


def renderings(report: ScanReport) -> tuple[str, str, str]:
    return scan_json(report), scan_sarif(report, Path("out"), Path.cwd()), scan_junit(report)


def entries(out: Path) -> list[str]:
    return sorted(p.name for p in (out / ".mlplat" / "scan-cache").iterdir())


def entry_of(out: Path, stack: str) -> Path:
    """The cache entry holding ``stack``'s findings."""
    for path in (out / ".mlplat" / "scan-cache").glob("stack-*.json"):
        value = json.loads(path.read_text())["value"]
        if any(f["stack"] == stack for f in value["failed"] + value["passed"]) or \
                any(e.startswith(f"stacks/{stack}/") for e in value["parsing_errors"]):
            return path
    raise AssertionError(f"no entry for {stack}")


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, ScanReport, ScanReport, Runs]]:
    """A scan of the fixture with an empty cache, then a second one: (out, cold report, warm report, checkov runs)."""
    out = write_stacks(tmp_path_factory.mktemp("scan-cache") / "out", FIXTURE)
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(result_cache.CACHE_DIR_ENV, raising=False)  # the default place, beside the stacks
        runs = record_runs(patch)
        cold = scan(out, BATCH_WAIVERS, jobs=1)
        again = scan(out, BATCH_WAIVERS, jobs=1)
        yield out, cold, again, runs


@pytest.fixture
def default_cache(monkeypatch: pytest.MonkeyPatch) -> Runs:
    monkeypatch.delenv(result_cache.CACHE_DIR_ENV, raising=False)
    return record_runs(monkeypatch)


def test_a_second_scan_reuses_every_stack_and_gives_the_identical_report(warm) -> None:
    out, cold, again, runs = warm
    assert runs == [[(runner.FRAMEWORK, ("broken", "ml-bad", "ml-good")), (TEMPLATES, ())]]  # the second ran no checkov
    assert everything(again) == everything(cold)
    assert renderings(again) == renderings(cold)
    assert cold.parsing_errors == ["stacks/broken/cdk.tf.json"] and cold.failed and cold.waived and cold.passed
    # the report says where its findings came from
    assert (cold.stacks_scanned, cold.stacks_reused, cold.templates_reused) == (("broken", "ml-bad", "ml-good"), (), False)
    assert (again.stacks_scanned, again.stacks_reused, again.templates_reused) == ((), ("broken", "ml-bad", "ml-good"), True)
    assert "\nstacks: 3 scanned by checkov (broken, ml-bad, ml-good), 0 reused from the scan cache; " \
           "product templates scanned\n" in scan_text(cold)
    assert "\nstacks: 0 scanned by checkov, 3 reused from the scan cache; product templates reused\n" in scan_text(again)
    # one small file per stack and one for the templates, beside the stacks
    names = entries(out)
    assert len(names) == 4 and sum(n.startswith("stack-") for n in names) == 3
    assert all(os.path.getsize(out / ".mlplat" / "scan-cache" / n) < 200_000 for n in names)


def test_only_the_changed_stack_is_scanned_again(warm, tmp_path: Path, default_cache: Runs) -> None:
    source, cold, _, _ = warm
    out = tmp_path / "moved"
    shutil.copytree(source, out)  # the cache travels with the output directory, wherever it is
    stack = out / "stacks" / "ml-good" / "cdk.tf.json"
    stack.write_text(stack.read_text().replace('"studio"', '"studio" ', 1))  # whitespace inside the JSON
    report = scan(out, BATCH_WAIVERS, jobs=1)
    assert default_cache == [[(runner.FRAMEWORK, ("ml-good",))]]
    assert report.stacks_scanned == ("ml-good",) and report.stacks_reused == ("broken", "ml-bad")
    assert everything(report) == everything(cold) and renderings(report) == renderings(cold)
    assert len(entries(out)) == 4  # the entry of the stack's previous content is gone

    # a change of verdict: the notebook instance is now open to the internet
    document = json.loads(stack.read_text())
    document["resource"]["aws_sagemaker_notebook_instance"]["locked"]["direct_internet_access"] = "Enabled"
    stack.write_text(json.dumps(document, indent=2))
    changed = scan(out, BATCH_WAIVERS, jobs=1)
    assert default_cache[1:] == [[(runner.FRAMEWORK, ("ml-good",))]]
    assert ("ml-good", "aws_sagemaker_notebook_instance.locked", "CKV_MLP_003") in {
        (f.stack, f.resource, f.check_id) for f in changed.failed}
    assert "stacks: 1 scanned by checkov (ml-good), 2 reused from the scan cache; product templates reused" \
        in scan_text(changed)
    uncached = scan(out, BATCH_WAIVERS, jobs=1, cache=False)
    assert default_cache[2:] == [[(runner.FRAMEWORK, ("broken", "ml-bad", "ml-good")), (TEMPLATES, ())]]
    assert everything(changed) == everything(uncached) and renderings(changed) == renderings(uncached)


def test_waivers_apply_to_reused_findings_as_to_new_ones(warm, default_cache: Runs) -> None:
    out, cold, _, _ = warm
    report = scan(out, [], jobs=1)
    assert default_cache == []
    (waived,) = cold.waived
    assert report.waived == [] and report.unused_waivers == []
    assert sorted([*cold.failed, waived.finding]) == report.failed


def test_a_damaged_entry_is_a_miss_and_is_overwritten(warm, tmp_path: Path, default_cache: Runs) -> None:
    source, cold, _, _ = warm
    out = tmp_path / "out"
    shutil.copytree(source, out)
    by_stack = {stack: entry_of(out, stack) for stack in ("ml-bad", "ml-good")}
    by_stack["ml-bad"].write_text(by_stack["ml-bad"].read_text()[:100])  # cut short
    entry = json.loads(by_stack["ml-good"].read_text())
    entry["value"]["failed"][0]["lines"] = "everywhere"  # valid JSON, not a finding
    by_stack["ml-good"].write_text(json.dumps(entry))
    report = scan(out, BATCH_WAIVERS, jobs=1)
    assert default_cache == [[(runner.FRAMEWORK, ("ml-bad", "ml-good"))]]
    assert everything(report) == everything(cold)
    assert json.loads(by_stack["ml-bad"].read_text())["key"] == by_stack["ml-bad"].stem.split("-", 1)[1]
    assert scan(out, BATCH_WAIVERS, jobs=1).stacks_reused == ("broken", "ml-bad", "ml-good")
    assert len(default_cache) == 1


def test_without_the_cache_nothing_is_read_or_written(tmp_path: Path, default_cache: Runs) -> None:
    out = write_stacks(tmp_path / "out", {"ml-plain": STACKS["ml-good"]})
    report = scan(out, [], templates=False, cache=False)
    assert default_cache == [[(runner.FRAMEWORK, ("ml-plain",))]]
    assert not (out / ".mlplat").exists()
    assert (report.stacks_scanned, report.stacks_reused, report.templates_reused) == (("ml-plain",), (), None)
    assert "product templates" not in scan_text(report)


def test_the_cli_scans_without_the_cache_on_request(monkeypatch: pytest.MonkeyPatch, warm) -> None:
    out, cold, _, _ = warm
    asked = []
    monkeypatch.setattr(api, "scan", lambda out, cache=True: asked.append(cache) or cold)
    for args, expected in ((["scan", str(out)], True), (["scan", str(out), "--no-cache"], False)):
        result = CliRunner().invoke(cli.app, args)
        assert result.exit_code == 1 and asked[-1] is expected
    assert "stacks: 3 scanned by checkov (broken, ml-bad, ml-good)" in result.output


def test_a_cache_that_cannot_be_written_does_not_stop_the_scan(tmp_path: Path, default_cache: Runs) -> None:
    out = write_stacks(tmp_path / "out", {"ml-plain": STACKS["ml-good"]})
    (tmp_path / "not-a-directory").write_text("")
    report = scan(out, [], templates=False, cache_dir=tmp_path / "not-a-directory")
    assert report.stacks_scanned == ("ml-plain",) and report.passed


def test_the_key_changes_with_everything_that_can_change_a_verdict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checks = tmp_path / "checks"
    shutil.copytree(runner.CHECKS_DIR, checks, ignore=shutil.ignore_patterns("__pycache__"))
    code = [Path(runner.__file__)]

    def key(name: str = "ml-a", files: dict[str, bytes] | None = None, framework: str = runner.FRAMEWORK,
            env: dict[str, str] | None = None) -> str:
        context = result_cache.verdict_context(framework, checks, code, env or {"HOME": "/somewhere"})
        return result_cache.ScanCache.key("stack", name, files or {"ml-a/cdk.tf.json": b"{}"}, context)

    base = key()
    assert key() == base
    assert key(env={"HOME": "/elsewhere", "LOG_LEVEL": "DEBUG"}) == base  # what checkov does not read
    variants = {
        "stack name": key(name="ml-b"),
        "content": key(files={"ml-a/cdk.tf.json": b"{} "}),
        "file name": key(files={"ml-a/main.tf.json": b"{}"}),
        "framework": key(framework="terraform"),
        "checkov's environment": key(env={"CKV_RUN_SCA_PACKAGE_SCAN_V2": "true"}),
    }
    (checks / "CKV_MLP_001.py").write_text((checks / "CKV_MLP_001.py").read_text() + "\n")
    variants["ML policy pack"] = key()
    monkeypatch.setattr(result_cache, "checkov_version", lambda: "0.0.1")
    variants["checkov version"] = key()
    monkeypatch.setattr(mlplat, "__version__", "0.0.0-other")
    variants["mlplat version"] = key()
    assert len({base, *variants.values()}) == len(variants) + 1, variants


def test_there_is_no_key_without_checkov(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> str:
        raise result_cache.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(result_cache.metadata, "version", missing)
    assert result_cache.verdict_context(runner.FRAMEWORK, runner.CHECKS_DIR, [], {}) is None


def test_the_cache_lives_beside_the_stacks_unless_mlplat_cache_dir_is_set(tmp_path: Path) -> None:
    assert result_cache.cache_location(tmp_path / "out", {}) == (tmp_path / "out" / ".mlplat" / "scan-cache", timedelta(0))
    shared = result_cache.cache_location(tmp_path / "out", {"MLPLAT_CACHE_DIR": str(tmp_path / "cache")})
    assert shared == (tmp_path / "cache" / "scan", result_cache.SHARED_KEEP)


def test_entries_a_scan_did_not_use_are_removed(tmp_path: Path) -> None:
    week_ago = time.time() - timedelta(days=8).total_seconds()

    def store(keep: timedelta) -> result_cache.ScanCache:
        cache = result_cache.ScanCache(tmp_path / str(keep.days), keep)
        for kind, key, old in (("stack", "a" * 64, False), ("stack", "b" * 64, False), ("stack", "c" * 64, True),
                               ("templates", "d" * 64, True)):
            cache.write(kind, key, {"n": key})
            if old:
                os.utime(cache.directory / f"{kind}-{key}.json", (week_ago, week_ago))
        (cache.directory / ".stack-x.json.interrupted").write_text("")
        os.utime(cache.directory / ".stack-x.json.interrupted", (week_ago, week_ago))
        return result_cache.ScanCache(cache.directory, keep)

    own = store(timedelta(0))  # the output's own cache: exactly what this scan used
    assert own.read("stack", "a" * 64) == {"n": "a" * 64}
    own.prune(["stack"])
    assert sorted(p.name for p in own.directory.iterdir()) == [f"stack-{'a' * 64}.json", f"templates-{'d' * 64}.json"]

    shared = store(result_cache.SHARED_KEEP)  # shared by several outputs: what no scan used for a week
    shared.prune(["stack", "templates"])
    assert sorted(p.name for p in shared.directory.iterdir()) == [f"stack-{'a' * 64}.json", f"stack-{'b' * 64}.json"]


def test_an_entry_is_only_trusted_under_its_own_name(tmp_path: Path) -> None:
    cache = result_cache.ScanCache(tmp_path)
    cache.write("stack", "a" * 64, {"n": 1})
    (tmp_path / f"stack-{'b' * 64}.json").write_bytes((tmp_path / f"stack-{'a' * 64}.json").read_bytes())
    (tmp_path / f"stack-{'c' * 64}.json").write_bytes(b"\xff\xfe not json")
    assert cache.read("stack", "a" * 64) == {"n": 1}
    assert cache.read("templates", "a" * 64) is None
    assert cache.read("stack", "b" * 64) is None and cache.read("stack", "c" * 64) is None
