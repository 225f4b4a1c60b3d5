"""``mlplat init``: a starter spec rendered from a template, checked before it is written."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import jinja2

from mlplat import spec
from mlplat.files import write_atomic

SPEC_FILE = "mlplat.yaml"


def render_starter(*, name: str, management_account_id: str, region: str, email_domain: str) -> str:
    template = (resources.files("mlplat.templates") / "init" / f"{SPEC_FILE}.j2").read_text(encoding="utf-8")
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)
    return environment.from_string(template).render(
        file_name=SPEC_FILE, name=name, management_account_id=management_account_id, region=region,
        email_domain=email_domain,
    )


def write_starter(directory: Path, **answers: str) -> Path:
    """Write ``directory/mlplat.yaml``; refuses to overwrite, and to write a spec that would not validate."""
    path = Path(directory) / SPEC_FILE
    if path.exists():
        raise FileExistsError(f"{path} exists; not overwriting it")
    text = render_starter(**answers)
    spec.parse(text, str(path))  # the answers end up in the spec: a bad one is reported like any spec error
    write_atomic(path, text)
    return path
