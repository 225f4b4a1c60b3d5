"""``mlplat init``: the new repository validates as written, and its pipeline is one GitHub runs."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from mlplat.cli import app
from mlplat.starter import DEFAULTS, Answers, LineOfBusiness, Team, complete, render_repository

# the only actions the pipeline may use, each pinned to a released major version
ALLOWED_ACTIONS = {
    "actions/checkout@v7",
    "actions/setup-python@v7",
    "actions/cache/restore@v6",
    "actions/cache/save@v6",
    "github/codeql-action/upload-sarif@v4",
    "aws-actions/configure-aws-credentials@v6",
}
# what each action needs of the job's token, besides contents: read
ACTION_PERMISSIONS = {
    "github/codeql-action/upload-sarif@v4": {"security-events": "write", "actions": "read"},
    "aws-actions/configure-aws-credentials@v6": {"id-token": "write"},
}
INSTALL = ["python", "-m", "pip", "install", "-r", "requirements.txt"]
SUBCOMMANDS = set(typer.main.get_command(app).commands)
FILES = {"mlplat.yaml", "README.md", ".gitignore", "requirements.txt"}
WORKFLOWS = {"s3": ".github/workflows/mlplat.yml", "cloud": ".github/workflows/mlplat-tfc.yml"}


def invoke(*args: str, **kwargs):
    return CliRunner().invoke(app, list(args), **kwargs)


def written(directory: Path) -> set[str]:
    return {str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file()}


@pytest.fixture(params=["s3", "cloud"])
def repository(request, tmp_path: Path) -> tuple[Path, str]:
    state = request.param
    args = ["init", str(tmp_path), "--name", "globex", "--management-account-id", "123456789012",
            "--region", "us-east-1", "--allowed-region", "us-west-2", "--email-domain", "globex.example",
            "--line-of-business", "retail:CC-1", "--line-of-business", "risk", "--team", "churn",
            "--team", "fraud:risk", "--state", state]
    if state == "cloud":
        args += ["--terraform-cloud-organization", "globex-tfc"]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return tmp_path, state


def load_workflow(path: Path) -> dict:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["on"] = document.pop(True, document.get("on"))  # YAML 1.1 reads the key `on` as true
    return document


def test_init_writes_a_repository_whose_spec_validates(repository) -> None:
    directory, state = repository
    assert written(directory) == FILES | {WORKFLOWS[state]}
    result = invoke("validate", str(directory / "mlplat.yaml"))
    assert result.exit_code == 0, result.output
    assert "Organization globex: " in result.stdout and " accounts (2 teams)" in result.stdout
    assert "regions us-east-1, us-west-2" in result.stdout
    spec = yaml.safe_load((directory / "mlplat.yaml").read_text())
    assert spec["teams"] == [{"name": "churn", "line_of_business": "retail"},
                             {"name": "fraud", "line_of_business": "risk"}]
    assert spec["lines_of_business"][1] == {"name": "risk", "cost_center": "risk"}
    assert spec["state"] == ({"backend": "cloud", "organization": "globex-tfc"} if state == "cloud" else
                             {"backend": "s3", "bucket": "globex-mlplat-state-123456789012", "region": "us-east-1"})
    assert (directory / "requirements.txt").read_text().splitlines()[-1].startswith("mlplat==")


def test_the_workflow_has_the_structure_github_requires(repository) -> None:
    directory, state = repository
    workflow = load_workflow(directory / WORKFLOWS[state])
    assert set(workflow) == {"name", "on", "permissions", "jobs"}
    assert workflow["on"] == {"pull_request": {"branches": ["main"]}, "push": {"branches": ["main"]}}
    assert set(workflow["jobs"]) == {"check", "plan", "apply"}
    for name, job in workflow["jobs"].items():
        assert job["runs-on"] == "ubuntu-latest", name
        assert set(job) <= {"name", "needs", "if", "runs-on", "environment", "concurrency", "permissions", "env",
                            "steps"}, name
        assert job.get("needs", "check") in workflow["jobs"] and job.get("needs") != name
        assert isinstance(job["steps"], list) and job["steps"], name
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step
            assert set(step) <= {"uses", "run", "with", "if", "name", "id", "env"}, step
    assert workflow["jobs"]["plan"]["if"].startswith("${{ github.event_name == 'pull_request'")
    assert workflow["jobs"]["apply"]["if"] == "${{ github.event_name == 'push' }}"
    assert workflow["jobs"]["apply"]["environment"] == "production"
    assert workflow["jobs"]["apply"]["concurrency"] == {"group": "mlplat-apply", "cancel-in-progress": False}


def test_the_workflow_uses_only_pinned_released_actions(repository) -> None:
    directory, state = repository
    workflow = load_workflow(directory / WORKFLOWS[state])
    used = {step["uses"] for job in workflow["jobs"].values() for step in job["steps"] if "uses" in step}
    assert used <= ALLOWED_ACTIONS, used - ALLOWED_ACTIONS
    assert used == ALLOWED_ACTIONS
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            if step.get("uses") == "aws-actions/configure-aws-credentials@v6":
                assert step["with"]["role-to-assume"] == "${{ vars.MLPLAT_AWS_ROLE_ARN }}"
                assert step["with"]["aws-region"] == "us-east-1"
            if step.get("uses") == "actions/checkout@v7":
                assert step["with"] == {"persist-credentials": False}


def test_the_workflow_grants_each_job_only_what_its_steps_use(repository) -> None:
    directory, state = repository
    workflow = load_workflow(directory / WORKFLOWS[state])
    assert workflow["permissions"] == {}
    for name, job in workflow["jobs"].items():
        expected = {"contents": "read"}
        for step in job["steps"]:
            expected |= ACTION_PERMISSIONS.get(step.get("uses"), {})
        assert job["permissions"] == expected, name
    tokens = {name: job.get("env", {}) for name, job in workflow["jobs"].items()}
    if state == "cloud":
        # the cloud backend reads TF_TOKEN_<host>; the bootstrap stack's tfe provider reads TFE_TOKEN
        both = {"TF_TOKEN_app_terraform_io": "${{ secrets.TF_API_TOKEN }}", "TFE_TOKEN": "${{ secrets.TF_API_TOKEN }}"}
        assert tokens == {"check": {}, "plan": both, "apply": both}
    else:
        assert tokens == {"check": {}, "plan": {}, "apply": {}}


def test_the_workflow_runs_only_mlplat_commands_that_exist(repository) -> None:
    directory, state = repository
    workflow = load_workflow(directory / WORKFLOWS[state])
    commands = {}
    for name, job in workflow["jobs"].items():
        commands[name] = []
        for step in job["steps"]:
            for line in step.get("run", "").splitlines():
                argv = shlex.split(line, comments=True)
                if not argv:
                    continue
                if argv[0] == "mlplat":
                    assert argv[1] in SUBCOMMANDS, line
                    commands[name].append(line)
                else:
                    assert argv == INSTALL, line
    assert (directory / "requirements.txt").is_file()
    assert commands == {
        "check": ["mlplat validate mlplat.yaml", "mlplat synth mlplat.yaml --out out",
                  "mlplat scan out --format sarif --output mlplat.sarif"],
        "plan": ["mlplat synth mlplat.yaml --out out", "mlplat plan out --changed"],
        "apply": ["mlplat synth mlplat.yaml --out out", "mlplat apply out --changed --auto-approve"],
    }
    check = workflow["jobs"]["check"]["steps"]
    upload = next(s for s in check if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert upload["with"]["sarif_file"] == "mlplat.sarif"
    assert check.index(upload) == len(check) - 1 and "!cancelled()" in upload["if"]
    for name in ("plan", "apply"):  # credentials only after the checks, right before Terraform runs
        steps = workflow["jobs"][name]["steps"]
        terraform = next(i for i, step in enumerate(steps) if step.get("run", "").startswith(f"mlplat {name} "))
        assert steps[terraform - 1]["uses"] == "aws-actions/configure-aws-credentials@v6"


def test_the_records_of_the_last_apply_go_from_one_run_to_the_next(repository) -> None:
    directory, state = repository
    jobs = load_workflow(directory / WORKFLOWS[state])["jobs"]
    records = "out/stacks/*/.mlplat/applied.json"
    for name in ("plan", "apply"):
        steps = jobs[name]["steps"]
        synth = next(i for i, step in enumerate(steps) if step.get("run", "").startswith("mlplat synth "))
        restore = next(i for i, step in enumerate(steps) if step.get("uses") == "actions/cache/restore@v6")
        terraform = next(i for i, step in enumerate(steps) if step.get("run", "").startswith(f"mlplat {name} "))
        assert synth < restore < terraform, "restored into the synthesized stacks, read by --changed"
        assert steps[restore]["with"]["path"] == records
        assert steps[restore]["with"]["restore-keys"] == "mlplat-applied-"
    save = jobs["apply"]["steps"][-1]
    assert save["uses"] == "actions/cache/save@v6" and save["with"]["path"] == records
    assert save["with"]["key"].startswith("mlplat-applied-${{ github.run_id }}") and "!cancelled()" in save["if"]
    assert not any(step.get("uses") == "actions/cache/save@v6" for step in jobs["plan"]["steps"])


def test_the_readme_and_gitignore_say_what_the_repository_needs(repository) -> None:
    directory, state = repository
    readme = (directory / "README.md").read_text()
    for command in ("validate", "synth", "scan", "plan", "apply"):
        assert f"mlplat {command} " in readme
    assert WORKFLOWS[state] in readme and "MLPLAT_AWS_ROLE_ARN" in readme
    assert ("TF_API_TOKEN" in readme) == (state == "cloud")
    assert ("globex-mlplat-state-123456789012" in readme) == (state == "s3")
    named = set(re.findall(r"(?:^|`)mlplat ([a-z][a-z-]*)", readme, re.MULTILINE))  # in code, not prose
    assert {"validate", "synth", "scan", "plan", "apply", "bootstrap" if state == "s3" else "graph"} <= named
    assert named <= SUBCOMMANDS, named - SUBCOMMANDS
    ignored = (directory / ".gitignore").read_text().splitlines()
    for pattern in ("/out/", ".venv/", ".terraform/", "*.tfplan", "*.tfstate", "*.log", "mlplat.sarif"):
        assert pattern in ignored


def test_init_without_options_writes_the_defaults_and_validates(tmp_path: Path) -> None:
    result = invoke("init", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert written(tmp_path) == FILES | {WORKFLOWS["s3"]}
    assert result.stdout.startswith(f"wrote {tmp_path / 'mlplat.yaml'}, ")
    assert invoke("validate", str(tmp_path / "mlplat.yaml")).exit_code == 0


def test_init_asks_at_a_terminal_for_what_the_options_do_not_give(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("mlplat.cli._at_terminal", lambda: True)
    typed = ["initech", "210987654321", "eu-central-1", "eu-west-1, eu-north-1", "initech.example",
             "lending:CC-7, cards", "cloud", "initech"]
    result = invoke("init", str(tmp_path), "--team", "scoring", "--team", "rewards:cards",
                    input="\n".join(typed) + "\n")
    assert result.exit_code == 0, result.output
    assert "ML teams" not in result.output, "teams were given as options"
    spec = yaml.safe_load((tmp_path / "mlplat.yaml").read_text())
    assert spec["organization"]["allowed_regions"] == ["eu-central-1", "eu-west-1", "eu-north-1"]
    assert spec["lines_of_business"] == [{"name": "lending", "cost_center": "CC-7"},
                                         {"name": "cards", "cost_center": "cards"}]
    assert spec["teams"] == [{"name": "scoring", "line_of_business": "lending"},
                             {"name": "rewards", "line_of_business": "cards"}]
    assert spec["state"] == {"backend": "cloud", "organization": "initech"}
    assert (tmp_path / WORKFLOWS["cloud"]).is_file()
    assert invoke("validate", str(tmp_path / "mlplat.yaml")).exit_code == 0


def test_init_asks_again_after_a_bad_typed_answer() -> None:
    asked: list[str] = []
    replies = iter(["maybe", "s3"])

    def ask(question: str, default: str) -> str:
        asked.append(question)
        return next(replies) if question.startswith("Where Terraform") else default

    warnings: list[str] = []
    answers = complete({}, ask=ask, warn=warnings.append)
    assert answers == DEFAULTS
    assert asked.count("Where Terraform keeps state: s3 or cloud (Terraform Cloud)") == 2
    assert warnings == ["--state 'maybe': use s3 or cloud"]


def test_complete_defaults_a_team_to_the_first_line_of_business() -> None:
    answers = complete({"lines_of_business": ["payments:CC-9"]})
    assert answers.lines_of_business == (LineOfBusiness("payments", "CC-9"),)
    assert answers.teams == (Team("first-team", "payments"),)
    assert isinstance(answers, Answers) and answers.state == "s3"


@pytest.mark.parametrize(("args", "message"), [
    (["--team", "a:b:c"], "error: --team 'a:b:c': use NAME or NAME:LINE_OF_BUSINESS\n"),
    (["--line-of-business", ":x"], "error: --line-of-business ':x': use NAME or NAME:COST_CENTER\n"),
    (["--state", "consul"], "error: --state 'consul': use s3 or cloud\n"),
    (["--state", "cloud"], "error: --terraform-cloud-organization '': with --state cloud, name the Terraform Cloud "
                           "organization (letters, digits, - and _)\n"),
    (["--default-branch", "a..b"], "error: --default-branch 'a..b': not a branch name\n"),
])
def test_fails_to_init_with_a_bad_option_and_writes_nothing(tmp_path: Path, args: list[str], message: str) -> None:
    result = invoke("init", str(tmp_path), *args)
    assert result.exit_code == 2
    assert result.stderr == message
    assert written(tmp_path) == set()


def test_fails_to_init_a_team_of_an_unknown_line_of_business_and_writes_nothing(tmp_path: Path) -> None:
    result = invoke("init", str(tmp_path), "--team", "churn:retail")
    assert result.exit_code == 2
    assert "teams[0].line_of_business" in result.stderr and "'retail'" in result.stderr
    assert result.stderr.endswith("nothing was written\n")
    assert written(tmp_path) == set()


@pytest.mark.parametrize("existing", ["README.md", ".gitignore", ".github/workflows/mlplat.yml"])
def test_fails_to_init_over_any_existing_file_and_writes_nothing(tmp_path: Path, existing: str) -> None:
    (tmp_path / existing).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / existing).write_text("keep me")
    result = invoke("init", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr == f"error: {tmp_path / existing} exists; not overwriting it\n"
    assert written(tmp_path) == {existing}
    assert (tmp_path / existing).read_text() == "keep me"


def test_the_templates_render_for_every_state_and_branch() -> None:
    for state in ("s3", "cloud"):
        answers = Answers(state=state, terraform_cloud_organization="acme" if state == "cloud" else None,
                          default_branch="release/2026")
        files = render_repository(answers)
        workflow = yaml.safe_load(files[WORKFLOWS[state]])
        assert workflow[True]["push"]["branches"] == ["release/2026"]
        assert not [path for path, text in files.items() if "[[" in text or "[%" in text], "every tag rendered"
