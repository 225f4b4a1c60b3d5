"""The ``mlplat`` command: parses options, calls :mod:`mlplat.api`, formats results, maps errors to exit codes.

Exit codes: 0 ok; 1 findings or a failed Terraform run; 2 bad input or usage.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn, Optional

import typer

from mlplat import api
from mlplat.spec import SpecError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

app = typer.Typer(
    name="mlplat",
    help="A governed multi-account ML platform on AWS from one YAML spec: validate, synth, scan, plan, apply.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

SpecArg = Annotated[Path, typer.Argument(help="The organization spec (mlplat.yaml).", show_default=False)]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Directory of the synthesized stacks.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
StackOpt = Annotated[Optional[list[str]], typer.Option("--stack", "-s", help="Only this stack (repeatable).")]


def _err(message: str) -> None:
    typer.echo(message, err=True)


def _fail(code: int, message: str) -> NoReturn:
    _err(message)
    raise typer.Exit(code)


def _input_errors() -> tuple[type[BaseException], ...]:
    """Errors that mean the user's input or environment is wrong (exit 2), not a failed run."""
    errors: list[type[BaseException]] = [FileExistsError]
    from mlplat.synth import OutputError

    errors.append(OutputError)
    if "mlplat.engine" in sys.modules:
        errors.append(sys.modules["mlplat.engine"].EngineUnavailable)
    if "mlplat.scan" in sys.modules:
        errors.append(sys.modules["mlplat.scan"].WaiverError)
    if "mlplat.terraform" in sys.modules:
        terraform = sys.modules["mlplat.terraform"]
        errors += [terraform.ManifestError, terraform.UnknownStackError, terraform.DependencyCycleError]
    return tuple(errors)


def _run_errors() -> tuple[type[BaseException], ...]:
    """Errors that mean a scan or Terraform run could not finish (exit 1)."""
    errors: list[type[BaseException]] = []
    if "mlplat.scan" in sys.modules:
        errors.append(sys.modules["mlplat.scan"].ScanError)
    if "mlplat.terraform" in sys.modules:
        errors.append(sys.modules["mlplat.terraform"].TerraformRunError)
    return tuple(errors)


def _run(call: Any) -> Any:
    try:
        return call()
    except SpecError as exc:
        for problem in exc.problems:
            _err(str(problem))
        noun = "problem" if len(exc.problems) == 1 else "problems"
        _fail(EXIT_USAGE, f"error: the spec is not valid ({len(exc.problems)} {noun}); nothing was written")
    except Exception as exc:
        if isinstance(exc, _input_errors()):
            _fail(EXIT_USAGE, f"error: {exc}")
        if isinstance(exc, _run_errors()):
            _fail(EXIT_FINDINGS, f"error: {exc}")
        raise


@app.command()
def validate(spec: SpecArg, as_json: JsonOpt = False) -> None:
    """Validate a spec and show the organization it resolves to."""
    org = _run(lambda: api.validate(spec))
    if as_json:
        typer.echo(org.model_dump_json(indent=2))
        return
    teams = sorted({a.team for a in org.accounts if a.team})
    typer.echo(f"{spec}: valid. Organization {org.name}: {len(org.organizational_units)} OUs, "
               f"{len(org.accounts)} accounts ({len(teams)} teams), {len(org.stacks)} stacks, "
               f"{len(org.groups)} Identity Center groups, regions {', '.join(org.allowed_regions)}.")


@app.command()
def schema(out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write to this file instead of stdout.")] = None) -> None:
    """Print the JSON Schema of the spec file (for editor completion and checks)."""
    text = json.dumps(api.schema(), indent=2, sort_keys=True) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        from mlplat.files import write_atomic

        write_atomic(out, text)


@app.command()
def graph(spec: SpecArg,
          fmt: Annotated[str, typer.Option("--format", "-f", help="text, json or dot.")] = "text") -> None:
    """Show the stacks and the order they are applied in, without synthesizing."""
    if fmt not in ("text", "json", "dot"):
        _fail(EXIT_USAGE, f"error: --format {fmt!r}: use text, json or dot")
    result = _run(lambda: api.graph(spec))
    typer.echo(getattr(result, f"to_{fmt}")(), nl=False)


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Where to write mlplat.yaml.")] = Path("."),
    name: Annotated[str, typer.Option(help="Organization short name (lowercase, hyphens).")] = "example",
    management_account_id: Annotated[str, typer.Option(help="Management account id (12 digits).")] = "111111111111",
    region: Annotated[str, typer.Option(help="Home region.")] = "eu-west-1",
    email_domain: Annotated[str, typer.Option(help="Domain of the account root emails.")] = "example.com",
) -> None:
    """Write a starter spec (one line of business, one team) that validates as written."""
    path = _run(lambda: api.init(directory, name=name, management_account_id=management_account_id,
                                 region=region, email_domain=email_domain))
    typer.echo(f"wrote {path}; next: mlplat validate {path}")


@app.command()
def synth(
    spec: SpecArg,
    out: OutOpt = api.DEFAULT_OUT,
    engine: Annotated[str, typer.Option(help="CDK engine: cdktn (CDK Terrain) or cdktf.")] = "cdktn",
    as_json: JsonOpt = False,
) -> None:
    """Validate a spec and write one Terraform stack per account (manifest.json, stacks/<name>/cdk.tf.json)."""
    if engine not in ("cdktn", "cdktf"):
        _fail(EXIT_USAGE, f"error: --engine {engine!r}: use cdktn or cdktf")
    result = _run(lambda: api.synth(spec, out, engine))
    if as_json:
        typer.echo(json.dumps({
            "out": str(result.out), "engine": result.engine, "resources": result.resources,
            "stacks": [{"name": s.name, "account": s.account, "resources": s.resources,
                        "data_sources": s.data_sources, "dependencies": list(s.dependencies)} for s in result.stacks],
        }, indent=2))
        return
    from mlplat.report import synth_summary

    typer.echo(synth_summary(result), nl=False)


@app.command()
def scan(out: Annotated[Path, typer.Argument(help="Directory of the synthesized stacks.")] = api.DEFAULT_OUT,
         as_json: JsonOpt = False,
         fmt: Annotated[str, typer.Option("--format", help="table, json, sarif (code scanning) or junitxml.")] = "table",
         output: Annotated[Path | None, typer.Option("--output", help="Write the report to this file "
                                                     "(the table is printed too).")] = None,
         fail_on: Annotated[str, typer.Option("--fail-on", help="Exit 1 only on unwaived failures of this severity "
                                              "or above: low (any failure), medium, high or critical.")] = "low") -> None:
    """Scan the synthesized stacks with checkov and the ML policy pack; exit 1 on unwaived failures.

    mlplat's own design decisions are waived with their reasons; the organization's accepted failures
    come from the spec (controls.suppressions), written beside the stacks by synth. Every report lists
    what was waived or suppressed and why, and the suppressions that expired or matched nothing.
    """
    from mlplat.report import SCAN_FORMATS, scan_json, scan_junit, scan_sarif, scan_text
    from mlplat.scan.severity import parse_severity

    fmt = "json" if as_json else fmt
    if fmt not in SCAN_FORMATS:
        _fail(EXIT_USAGE, f"error: --format {fmt!r}: use {', '.join(SCAN_FORMATS)}")
    try:
        threshold = parse_severity(fail_on)
    except ValueError as exc:
        _fail(EXIT_USAGE, f"error: --fail-on: {exc}")
    if output is not None and output.is_dir():
        _fail(EXIT_USAGE, f"error: --output {output}: is a directory; name a file")
    report = _run(lambda: api.scan(out))
    rendered = {"table": lambda: scan_text(report, threshold), "json": lambda: scan_json(report, threshold),
                "sarif": lambda: scan_sarif(report, out, Path.cwd()), "junitxml": lambda: scan_junit(report)}[fmt]()
    if output is None:
        typer.echo(rendered, nl=False)
    else:
        from mlplat.files import write_atomic

        write_atomic(output, rendered)
        typer.echo(scan_text(report, threshold), nl=False)
    if not report.passes(threshold):
        raise typer.Exit(EXIT_FINDINGS)


def _terraform(action: str, out: Path, stacks: list[str] | None, skip_scan: bool) -> None:
    from mlplat.report import scan_text, stack_event_line, run_text

    if not skip_scan:
        report = _run(lambda: api.scan(out))
        if not report.ok:
            typer.echo(scan_text(report), nl=False)
            _fail(EXIT_FINDINGS, f"error: the scan found {len(report.failed)} unwaived failures; "
                  f"nothing was {'planned' if action == 'plan' else 'applied'} (see mlplat scan)")
    call = api.plan if action == "plan" else api.apply
    result = _run(lambda: call(out, stacks, on_event=lambda event: _err(stack_event_line(event))))
    typer.echo(run_text(result), nl=False)
    if not result.ok:
        raise typer.Exit(EXIT_FINDINGS)


SkipScanOpt = Annotated[bool, typer.Option("--skip-scan", help="Do not run the policy scan first.")]


@app.command()
def plan(out: Annotated[Path, typer.Argument(help="Directory of the synthesized stacks.")] = api.DEFAULT_OUT,
         stack: StackOpt = None, skip_scan: SkipScanOpt = False) -> None:
    """Scan, then terraform init and plan every stack in dependency order."""
    _terraform("plan", out, stack, skip_scan)


@app.command()
def apply(out: Annotated[Path, typer.Argument(help="Directory of the synthesized stacks.")] = api.DEFAULT_OUT,
          stack: StackOpt = None, skip_scan: SkipScanOpt = False,
          auto_approve: Annotated[bool, typer.Option("--auto-approve", help="Apply without asking.")] = False) -> None:
    """Scan, then plan and apply every stack in dependency order, stopping at the first failure."""
    if not auto_approve:
        if not sys.stdin.isatty():
            _fail(EXIT_USAGE, "error: apply changes real accounts; pass --auto-approve when not at a terminal")
        if not typer.confirm(f"Apply the stacks in {out}?"):
            _fail(EXIT_USAGE, "aborted: nothing was applied")
    _terraform("apply", out, stack, skip_scan)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
