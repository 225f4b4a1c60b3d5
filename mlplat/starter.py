"""``mlplat init``: a new platform repository rendered from templates (``templates/init/``).

It holds the spec (``mlplat.yaml``), a README saying how to run and connect it, a ``.gitignore``, the
mlplat release it is built with (``requirements.txt``) and the CI pipeline: a GitHub Actions workflow
that validates, synthesizes and scans every pull request (SARIF to code scanning), plans the changed
stacks, and applies them on merge, with AWS credentials through OIDC. The spec is validated before
anything is written, no existing file is overwritten, and each file is written atomically.

This module stays light to import (the CLI reads :data:`DEFAULTS` for its help); jinja2 and the spec
are imported when a repository is rendered.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SPEC_FILE = "mlplat.yaml"
STATES = ("s3", "cloud")
PYTHON_VERSION = "3.12"  # of the pipeline's runners
APPLY_ENVIRONMENT = "production"  # the GitHub environment the apply job runs in (approvals, OIDC subject)
TERRAFORM_CLOUD_HOST = "app.terraform.io"

# the files of the new repository: (template in templates/init/, path); the workflow's path says its state backend
_WORKFLOW = {"s3": ".github/workflows/mlplat.yml", "cloud": ".github/workflows/mlplat-tfc.yml"}
_FILES = ((SPEC_FILE + ".j2", SPEC_FILE), ("README.md.j2", "README.md"), ("gitignore.j2", ".gitignore"),
          ("requirements.txt.j2", "requirements.txt"), ("workflow.yml.j2", None))

_BRANCH_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
_TERRAFORM_CLOUD_ORG_RE = re.compile(r"^[A-Za-z0-9_-]+$")
_PLAIN_RE = re.compile(r"^[A-Za-z][A-Za-z0-9._-]*$")
_YAML_WORDS = {"y", "n", "yes", "no", "true", "false", "on", "off", "null"}


class InitError(ValueError):
    """An answer that cannot be used (its option and what is allowed are in the message)."""


@dataclass(frozen=True)
class LineOfBusiness:
    name: str
    cost_center: str


@dataclass(frozen=True)
class Team:
    name: str
    line_of_business: str


@dataclass(frozen=True)
class Answers:
    """What ``mlplat init`` asks; the defaults make a repository that validates as written."""

    name: str = "example"
    management_account_id: str = "111111111111"
    region: str = "eu-west-1"
    allowed_regions: tuple[str, ...] = ()  # besides the home region
    email_domain: str = "example.com"
    lines_of_business: tuple[LineOfBusiness, ...] = (LineOfBusiness("analytics", "CC-0001"),)
    teams: tuple[Team, ...] = (Team("first-team", "analytics"),)
    state: str = "s3"
    terraform_cloud_organization: str | None = None
    default_branch: str = "main"


DEFAULTS = Answers()

# (answer, question, option) in the order they are asked
QUESTIONS = (
    ("name", "Organization short name (lowercase, hyphens)", "--name"),
    ("management_account_id", "Management account id (12 digits)", "--management-account-id"),
    ("region", "Home region", "--region"),
    ("allowed_regions", "Other regions workloads may use (comma-separated, empty for none)", "--allowed-region"),
    ("email_domain", "Domain of the account root emails", "--email-domain"),
    ("lines_of_business", "Lines of business (NAME or NAME:COST_CENTER, comma-separated)", "--line-of-business"),
    ("teams", "ML teams (NAME or NAME:LINE_OF_BUSINESS, comma-separated)", "--team"),
    ("state", "Where Terraform keeps state: s3 or cloud (Terraform Cloud)", "--state"),
    ("terraform_cloud_organization", "Terraform Cloud organization", "--terraform-cloud-organization"),
)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_line_of_business(text: str) -> LineOfBusiness:
    """``NAME`` or ``NAME:COST_CENTER``; the cost center defaults to the name."""
    name, _, cost_center = text.strip().partition(":")
    if not name or ":" in cost_center:
        raise InitError(f"--line-of-business {text!r}: use NAME or NAME:COST_CENTER")
    return LineOfBusiness(name.strip(), cost_center.strip() or name.strip())


def parse_team(text: str, lines_of_business: Sequence[LineOfBusiness]) -> Team:
    """``NAME`` or ``NAME:LINE_OF_BUSINESS``; the line of business defaults to the first one."""
    name, _, line = text.strip().partition(":")
    if not name or ":" in line:
        raise InitError(f"--team {text!r}: use NAME or NAME:LINE_OF_BUSINESS")
    if not line and not lines_of_business:
        raise InitError(f"--team {text!r}: name its line of business (NAME:LINE_OF_BUSINESS)")
    return Team(name.strip(), line.strip() or lines_of_business[0].name)


def _text(value: Any) -> str:
    """The default shown at a prompt."""
    if isinstance(value, tuple):
        return ", ".join(
            f"{v.name}:{v.cost_center}" if isinstance(v, LineOfBusiness)
            else f"{v.name}:{v.line_of_business}" if isinstance(v, Team) else str(v) for v in value)
    return "" if value is None else str(value)


def complete(given: dict[str, Any], ask: Callable[[str, str], str] | None = None,
             warn: Callable[[str], None] | None = None) -> Answers:
    """The answers: those ``given`` (option values: strings, lists of strings for the repeatable
    ones), then, for each missing one, ``ask(question, default)`` when given, else the default.
    A bad answer raises :class:`InitError`; a bad typed answer is reported to ``warn`` and asked again."""
    values: dict[str, Any] = {}
    for key, question, option in QUESTIONS:
        if key == "terraform_cloud_organization" and values["state"] != "cloud":
            continue
        default = getattr(DEFAULTS, key)
        if key == "teams":  # one team, in the first line of business
            lines = values["lines_of_business"]
            default = (Team("first-team", lines[0].name),) if lines else ()
        raw = given.get(key)
        while True:
            typed = raw is None and ask is not None
            if typed:
                text = ask(question, _text(default))
                value: Any = _split(text) if isinstance(default, tuple) else text.strip()
            elif raw is None:
                value = default
            else:
                value = raw
            try:
                values[key] = _answer(key, value, values, option)
                break
            except InitError as exc:
                if not typed:
                    raise
                (warn or (lambda message: None))(str(exc))
    branch = given.get("default_branch") or DEFAULTS.default_branch
    if not _BRANCH_RE.match(branch) or ".." in branch:
        raise InitError(f"--default-branch {branch!r}: not a branch name")
    return Answers(**values, default_branch=branch)


def _answer(key: str, value: Any, values: dict[str, Any], option: str) -> Any:
    if key == "allowed_regions":
        return tuple(str(v).strip() for v in value)
    if key == "lines_of_business":
        return tuple(v if isinstance(v, LineOfBusiness) else parse_line_of_business(v) for v in value)
    if key == "teams":
        return tuple(v if isinstance(v, Team) else parse_team(v, values["lines_of_business"]) for v in value)
    if key == "state" and value not in STATES:
        raise InitError(f"{option} {value!r}: use {' or '.join(STATES)}")
    if key == "terraform_cloud_organization" and not (value and _TERRAFORM_CLOUD_ORG_RE.match(value)):
        raise InitError(f"{option} {value or ''!r}: with --state cloud, name the Terraform Cloud organization "
                        "(letters, digits, - and _)")
    return value


def _scalar(value: Any) -> str:
    """A YAML scalar: plain when it reads as the same string, else double-quoted."""
    text = str(value)
    return text if _PLAIN_RE.match(text) and text.lower() not in _YAML_WORDS else json.dumps(text)


def _context(answers: Answers) -> dict[str, Any]:
    from mlplat import __version__

    if answers.state not in STATES:
        raise InitError(f"--state {answers.state!r}: use {' or '.join(STATES)}")
    regions = [answers.region] + [r for r in answers.allowed_regions if r != answers.region]
    bucket = f"{answers.name}-mlplat-state-{answers.management_account_id}".lower()
    return {
        **{name: getattr(answers, name) for name in Answers.__dataclass_fields__},
        "file_name": SPEC_FILE,
        "allowed_regions": list(dict.fromkeys(regions)),
        "branches": [answers.default_branch],
        "state_bucket": re.sub(r"[^a-z0-9-]+", "-", bucket),  # a bad name is reported once, as the name
        "workflow_path": _WORKFLOW[answers.state],
        "applied_records": "out/stacks/*/.mlplat/applied.json",  # see mlplat.terraform.records
        "environment": APPLY_ENVIRONMENT,
        "python_version": PYTHON_VERSION,
        "token_variable": "TF_TOKEN_" + TERRAFORM_CLOUD_HOST.replace("-", "__").replace(".", "_"),
        "mlplat_version": __version__,
    }


def render_repository(answers: Answers) -> dict[str, str]:
    """Each file of the new repository (path relative to its root) and its text."""
    from importlib import resources

    import jinja2

    # GitHub's own expressions are ${{ ... }}: the templates use [[ ... ]] and [% ... %]
    environment = jinja2.Environment(
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False,
        variable_start_string="[[", variable_end_string="]]", block_start_string="[%", block_end_string="%]",
        comment_start_string="[#", comment_end_string="#]",
    )
    environment.filters.update(scalar=_scalar, quoted=lambda value: json.dumps(str(value)),
                               flow=lambda values: "[" + ", ".join(_scalar(v) for v in values) + "]")
    context = _context(answers)
    folder = resources.files("mlplat.templates") / "init"
    return {target or _WORKFLOW[answers.state]:
            environment.from_string((folder / template).read_text(encoding="utf-8")).render(**context)
            for template, target in _FILES}


def write_repository(directory: Path, answers: Answers = DEFAULTS) -> list[Path]:
    """Write the new repository into ``directory``; returns the files written.

    Refuses (and writes nothing) when any of the files exists, or when the spec would not validate:
    the answers end up in the spec, so a bad one is reported like any spec error.
    """
    from mlplat import spec
    from mlplat.files import write_atomic

    directory = Path(directory)
    texts = render_repository(answers)
    paths = {relative: directory / relative for relative in texts}
    existing = [str(path) for path in paths.values() if path.exists() or path.is_symlink()]
    if len(existing) == 1:
        raise FileExistsError(f"{existing[0]} exists; not overwriting it")
    if existing:
        raise FileExistsError(f"{', '.join(existing)} exist; not overwriting them")
    spec.parse(texts[SPEC_FILE], str(paths[SPEC_FILE]))
    written: list[Path] = []
    try:
        for relative, text in texts.items():
            write_atomic(paths[relative], text)
            written.append(paths[relative])
    except BaseException:
        for path in written:  # all or nothing
            path.unlink(missing_ok=True)
        raise
    return written
