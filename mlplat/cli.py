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
from mlplat.starter import DEFAULTS

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
        errors += [terraform.ManifestError, terraform.UnknownStackError, terraform.DependencyCycleError,
                   terraform.TerraformInputError]
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
          fmt: Annotated[str, typer.Option("--format", "-f", help="text, json, dot, mermaid (a flowchart for "
                                           "Markdown) or svg (a picture).")] = "text",
          output: Annotated[Path | None, typer.Option("--output", help="Write to this file instead of stdout.")] = None,
          ) -> None:
    """Show the stacks and the order they are applied in, without synthesizing. mermaid and svg draw the
    organization with them: OUs, accounts, lines of business, teams and environments."""
    if fmt not in ("text", "json", "dot", "mermaid", "svg"):
        _fail(EXIT_USAGE, f"error: --format {fmt!r}: use text, json, dot, mermaid or svg")
    if output is not None and output.is_dir():
        _fail(EXIT_USAGE, f"error: --output {output}: is a directory; name a file")
    if fmt in ("mermaid", "svg"):
        rendered = _run(lambda: api.picture(spec, fmt))
    else:
        rendered = getattr(_run(lambda: api.graph(spec)), f"to_{fmt}")()
    if output is None:
        typer.echo(rendered, nl=False)
    else:
        from mlplat.files import write_atomic

        write_atomic(output, rendered)
        typer.echo(f"wrote {output}")


@app.command()
def controls(spec: SpecArg,
             fmt: Annotated[str, typer.Option("--format", "-f", help="table, markdown or json.")] = "table",
             output: Annotated[Path | None, typer.Option("--output", help="Write to this file instead of stdout.")] = None,
             ) -> None:
    """List every control of the organization: preventive (each SCP statement), detective (Config rules,
    Security Hub standards, Macie) and proactive (the scan's checks), with where each is enforced and the
    accepted exceptions. Computed from the spec, without synthesizing."""
    from mlplat.controls import CONTROL_FORMATS, RENDERERS

    if fmt not in CONTROL_FORMATS:
        _fail(EXIT_USAGE, f"error: --format {fmt!r}: use {', '.join(CONTROL_FORMATS)}")
    if output is not None and output.is_dir():
        _fail(EXIT_USAGE, f"error: --output {output}: is a directory; name a file")
    rendered = RENDERERS[fmt](_run(lambda: api.controls(spec)))
    if output is None:
        typer.echo(rendered, nl=False)
    else:
        from mlplat.files import write_atomic

        write_atomic(output, rendered)
        typer.echo(f"wrote {output}")


def _at_terminal() -> bool:
    return sys.stdin.isatty()


RepeatOpt = Optional[list[str]]


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Where to write the new repository.")] = Path("."),
    name: Annotated[Optional[str], typer.Option(help="Organization short name (lowercase, hyphens).",
                                                show_default=DEFAULTS.name)] = None,
    management_account_id: Annotated[Optional[str], typer.Option(
        help="Management account id (12 digits).", show_default=DEFAULTS.management_account_id)] = None,
    region: Annotated[Optional[str], typer.Option(help="Home region.", show_default=DEFAULTS.region)] = None,
    allowed_region: Annotated[RepeatOpt, typer.Option(
        "--allowed-region", help="Another region workloads may use (repeatable); default: the home region only.",
        show_default=False)] = None,
    email_domain: Annotated[Optional[str], typer.Option(help="Domain of the account root emails.",
                                                        show_default=DEFAULTS.email_domain)] = None,
    line_of_business: Annotated[RepeatOpt, typer.Option(
        "--line-of-business", help="A line of business, NAME or NAME:COST_CENTER (repeatable).",
        show_default="analytics:CC-0001")] = None,
    team: Annotated[RepeatOpt, typer.Option(
        "--team", help="An ML team, NAME or NAME:LINE_OF_BUSINESS (repeatable); default line of business: "
        "the first.", show_default="first-team")] = None,
    state: Annotated[Optional[str], typer.Option(
        help="Where Terraform keeps state: s3 (a bucket in the management account) or cloud (Terraform Cloud).",
        show_default=DEFAULTS.state)] = None,
    terraform_cloud_organization: Annotated[Optional[str], typer.Option(
        help="Terraform Cloud organization (with --state cloud).", show_default=False)] = None,
    default_branch: Annotated[str, typer.Option(
        help="The branch the pipeline applies from.")] = DEFAULTS.default_branch,
    no_input: Annotated[bool, typer.Option(
        "--no-input", help="Never ask: use the defaults for what is not given.")] = False,
) -> None:
    """Write a new platform repository: mlplat.yaml, a README, .gitignore, requirements.txt and the CI
    pipeline (GitHub Actions: validate, synth and scan with SARIF on pull requests, plan the changed
    stacks, apply them on merge; AWS credentials through OIDC). At a terminal, asks for what the options
    do not give. The spec is validated first; no existing file is overwritten."""
    from mlplat.starter import InitError, complete

    given = {"name": name, "management_account_id": management_account_id, "region": region,
             "allowed_regions": allowed_region or None, "email_domain": email_domain,
             "lines_of_business": line_of_business or None, "teams": team or None, "state": state,
             "terraform_cloud_organization": terraform_cloud_organization, "default_branch": default_branch}
    ask = None if no_input or not _at_terminal() else (
        lambda question, default: typer.prompt(question, default=default))
    try:
        answers = complete(given, ask=ask, warn=lambda message: _err(f"error: {message}"))
    except InitError as exc:
        _fail(EXIT_USAGE, f"error: {exc}")
    written = _run(lambda: api.init(directory, answers))
    spec_path = written[0]
    typer.echo("wrote " + ", ".join(str(path) for path in written))
    typer.echo(f"next: mlplat validate {spec_path}; then connect the pipeline ({directory / 'README.md'})")


@app.command()
def synth(
    spec: SpecArg,
    out: OutOpt = api.DEFAULT_OUT,
    engine: Annotated[str, typer.Option(help="CDK engine: cdktn (CDK Terrain) or cdktf.")] = "cdktn",
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Processes that build the stacks "
                                             "(default: the cores).")] = None,
    full: Annotated[bool, typer.Option("--full", help="Build every stack, not only those whose inputs "
                                       "changed since the last synth into --out.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Validate a spec and write one Terraform stack per account (manifest.json, stacks/<name>/cdk.tf.json).

    Only the stacks whose inputs changed since the last synth into --out are built again (their record is
    OUT/synth-record.json), in parallel processes; the output is the same as building every stack.
    """
    if engine not in ("cdktn", "cdktf"):
        _fail(EXIT_USAGE, f"error: --engine {engine!r}: use cdktn or cdktf")
    result = _run(lambda: api.synth(spec, out, engine, jobs=jobs, full=full))
    if as_json:
        typer.echo(json.dumps({
            "out": str(result.out), "engine": result.engine, "resources": result.resources,
            "built": list(result.built), "workers": result.workers,
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
                                              "or above: low (any failure), medium, high or critical.")] = "low",
         no_cache: Annotated[bool, typer.Option("--no-cache", help="Run checkov over every stack; the result "
                                                "cache is neither read nor written.")] = False) -> None:
    """Scan the synthesized stacks with checkov and the ML policy pack; exit 1 on unwaived failures.

    mlplat's own design decisions are waived with their reasons; the organization's accepted failures
    come from the spec (controls.suppressions), written beside the stacks by synth. Every report lists
    what was waived or suppressed and why, and the suppressions that expired or matched nothing.
    A stack unchanged since its last scan is not scanned again: its findings come from the result cache
    (OUT/.mlplat/scan-cache, or $MLPLAT_CACHE_DIR/scan); the table says how many.
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
    report = _run(lambda: api.scan(out, cache=not no_cache))
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


OutArg = Annotated[Path, typer.Argument(help="Directory of the synthesized stacks.")]
SkipScanOpt = Annotated[bool, typer.Option("--skip-scan", help="Do not run the policy scan first.")]
StacksOpt = Annotated[Optional[list[str]], typer.Option(
    "--stack", "-s", help="Only this stack: a name or a glob such as 'acme-churn-*' (repeatable).")]
WithDependenciesOpt = Annotated[bool, typer.Option(
    "--with-dependencies", help="Add the stacks the selected ones depend on (for destroy: the stacks that depend "
    "on them).")]
ChangedOpt = Annotated[bool, typer.Option(
    "--changed", help="Only the stacks whose cdk.tf.json differs from their last successful apply, and the stacks "
    "that depend on them.")]
ParallelismOpt = Annotated[Optional[int], typer.Option(
    "--parallelism", "-p", min=1, help="How many stacks run at once; default: the machine's cores.", show_default=False)]
TerraformOpt = Annotated[Optional[str], typer.Option(
    "--terraform", help="A terraform or tofu binary to run instead of the embedded Terraform (also MLPLAT_TERRAFORM).",
    show_default=False)]
AutoApproveOpt = Annotated[bool, typer.Option("--auto-approve", help="Do not ask for approval.")]


def _scan_first(out: Path, action: str) -> None:
    from mlplat.report import scan_text

    report = _run(lambda: api.scan(out))
    if not report.ok:
        typer.echo(scan_text(report), nl=False)
        _fail(EXIT_FINDINGS, f"error: the scan found {len(report.failed)} unwaived failures; "
              f"nothing was {'planned' if action == 'plan' else 'applied'} (see mlplat scan)")


def _deliver(action: str, out: Path, as_json: bool, **options: Any) -> None:
    """Run plan, apply or destroy with progress (a live view at a terminal, lines otherwise), then the report."""
    from mlplat.report import RunProgress, run_json, run_text, stack_event_line

    call = {"plan": api.plan, "apply": api.apply, "destroy": api.destroy}[action]
    try:
        if sys.stdout.isatty() and not as_json:
            with RunProgress(action) as progress:
                result = _run(lambda: call(out, on_event=progress, **options))
        else:
            def line(event: Any) -> None:
                if event.state != "waiting":
                    _err(stack_event_line(event))

            result = _run(lambda: call(out, on_event=line, **options))
    except KeyboardInterrupt:
        _fail(130, "interrupted")
    typer.echo(run_json(result) if as_json else run_text(result), nl=False)
    if result.interrupted:
        raise typer.Exit(130)
    if not result.ok:
        raise typer.Exit(EXIT_FINDINGS)


def _can_ask() -> bool:
    """Whether a person can answer a question (stdin is a terminal)."""
    return sys.stdin.isatty()


def _approval_possible(auto_approve: bool, action: str) -> None:
    if not auto_approve and not _can_ask():
        verb = "apply changes" if action == "apply" else "destroy removes resources in"
        _fail(EXIT_USAGE, f"error: {verb} real accounts; pass --auto-approve when not at a terminal")


@app.command()
def plan(out: OutArg = api.DEFAULT_OUT, stack: StacksOpt = None, with_dependencies: WithDependenciesOpt = False,
         changed: ChangedOpt = False, parallelism: ParallelismOpt = None, terraform: TerraformOpt = None,
         skip_scan: SkipScanOpt = False, as_json: JsonOpt = False) -> None:
    """Scan, then terraform init and plan the stacks, dependencies first, independent ones side by side; each
    plan is saved for apply. A failed stack blocks only the stacks that depend on it. Exit 1 if any failed."""
    selection = _run(lambda: api.select_stacks(out, "plan", stack, changed=changed, with_dependencies=with_dependencies))
    if not skip_scan and selection.stacks:
        _scan_first(out, "plan")
    _deliver("plan", out, as_json, selection=selection, parallelism=parallelism, terraform=terraform)


@app.command()
def apply(out: OutArg = api.DEFAULT_OUT, stack: StacksOpt = None, with_dependencies: WithDependenciesOpt = False,
          changed: ChangedOpt = False, parallelism: ParallelismOpt = None, terraform: TerraformOpt = None,
          skip_scan: SkipScanOpt = False, auto_approve: AutoApproveOpt = False, as_json: JsonOpt = False) -> None:
    """Scan, then apply the plans saved by mlplat plan, dependencies first (a stack changed since its plan is
    refused: plan again); stacks without a saved plan are planned once their dependencies are applied.
    Without --auto-approve, shows the saved plans and asks once. Exit 1 if any stack failed."""
    from mlplat.report import apply_preview_text

    _approval_possible(auto_approve, "apply")
    selection = _run(lambda: api.select_stacks(out, "apply", stack, changed=changed, with_dependencies=with_dependencies))
    if not skip_scan and selection.stacks:
        _scan_first(out, "apply")
    if not auto_approve and selection.stacks:
        typer.echo(apply_preview_text(api.preview_apply(selection), selection.excluded), nl=False)
        if not typer.confirm(f"Apply these {len(selection.stacks)} stacks?"):
            _fail(EXIT_USAGE, "aborted: nothing was applied")
    _deliver("apply", out, as_json, selection=selection, parallelism=parallelism, terraform=terraform)


@app.command()
def destroy(out: OutArg = api.DEFAULT_OUT, stack: StacksOpt = None, with_dependencies: WithDependenciesOpt = False,
            parallelism: ParallelismOpt = None, terraform: TerraformOpt = None, auto_approve: AutoApproveOpt = False,
            as_json: JsonOpt = False) -> None:
    """Destroy the stacks, dependents first. The organization, log archive and security tooling stacks are kept
    unless each is named with --stack (a glob does not count). Exit 1 if any stack failed."""
    from mlplat.report import destroy_preview_text

    _approval_possible(auto_approve, "destroy")
    selection = _run(lambda: api.select_stacks(out, "destroy", stack, with_dependencies=with_dependencies))
    if not auto_approve:
        typer.echo(destroy_preview_text(selection.stacks, selection.excluded), nl=False)
        if not typer.confirm(f"Destroy these {len(selection.stacks)} stacks?"):
            _fail(EXIT_USAGE, "aborted: nothing was destroyed")
    _deliver("destroy", out, as_json, selection=selection, parallelism=parallelism, terraform=terraform)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def terraform(stack_name: Annotated[str, typer.Argument(metavar="STACK", help="The stack (a name, or a glob "
                                                         "matching one stack).", show_default=False)],
              args: Annotated[Optional[list[str]], typer.Argument(help="Terraform's arguments, after --.",
                                                                  show_default=False)] = None,
              out: OutOpt = api.DEFAULT_OUT, terraform: TerraformOpt = None) -> None:
    """Run Terraform in one stack's directory with mlplat's environment: mlplat terraform STACK -- state list
    (or import, output, force-unlock LOCK_ID -force). Exits with Terraform's exit code."""
    raise typer.Exit(_run(lambda: api.terraform(out, stack_name, list(args or []), terraform)))


@app.command()
def bootstrap(spec: SpecArg) -> None:
    """Create the S3 bucket of the spec's state backend (versioned, KMS-encrypted, public access blocked,
    TLS only), or bring an existing one to that standard. Safe to run again."""
    from mlplat.report import bootstrap_text

    typer.echo(bootstrap_text(_run(lambda: api.bootstrap(spec))), nl=False)


@app.command()
def doctor(spec: Annotated[Optional[Path], typer.Argument(help="The spec, to check its state backend too.",
                                                          show_default=False)] = None,
           terraform: TerraformOpt = None) -> None:
    """Check what plan and apply need: AWS credentials, Terraform, Node.js, the AWS provider (registry, mirror
    or plugin cache) and the state backend; say how to fix what is missing. Exit 1 if something is."""
    from mlplat.report import doctor_text

    report = _run(lambda: api.doctor(spec, terraform))
    typer.echo(doctor_text(report), nl=False)
    if not report.ok:
        raise typer.Exit(EXIT_FINDINGS)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
