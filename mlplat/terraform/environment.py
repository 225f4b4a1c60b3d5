"""The environment Terraform runs with: the caller's, a CLI configuration, one shared plugin cache."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Mapping

_CLI_CONFIG_TEXT = (
    "# Terraform CLI configuration written by mlplat because none was set or found.\n"
    "# Set TF_CLI_CONFIG_FILE (or create ~/.terraformrc) to use your own, for example one with a\n"
    "# provider_installation { filesystem_mirror { ... } } block.\n"
)
_PLUGIN_CACHE_SETTING = re.compile(r"^\s*plugin_cache_dir\s*=", re.MULTILINE)


def default_cli_config_path(env: Mapping[str, str]) -> Path | None:
    """Where Terraform looks for its CLI configuration when TF_CLI_CONFIG_FILE is not set."""
    if os.name == "nt":
        appdata = env.get("APPDATA")
        return Path(appdata) / "terraform.rc" if appdata else None
    home = env.get("HOME")
    return Path(home) / ".terraformrc" if home else None


def default_plugin_cache(env: Mapping[str, str]) -> Path | None:
    """mlplat's provider plugin cache, shared by every stack and every run of this user."""
    if os.name == "nt":
        base = env.get("LOCALAPPDATA")
        return Path(base) / "mlplat" / "terraform-plugins" if base else None
    if env.get("XDG_CACHE_HOME"):
        return Path(env["XDG_CACHE_HOME"]) / "mlplat" / "terraform-plugins"
    home = env.get("HOME")
    return Path(home) / ".cache" / "mlplat" / "terraform-plugins" if home else None


def _cli_config_sets_plugin_cache(config: Path | None) -> bool:
    try:
        return config is not None and bool(_PLUGIN_CACHE_SETTING.search(config.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError):
        return False


def terraform_env(
    config_dir: Path,
    base: Mapping[str, str] | None = None,
    overrides: Mapping[str, str] | None = None,
    notes: list[str] | None = None,
) -> dict[str, str]:
    """The environment Terraform runs with: the caller's (AWS credentials, TF_PLUGIN_CACHE_DIR,
    TF_TOKEN_* ... pass through), plus ``overrides``.

    Terraform warns on every command when its CLI configuration file is missing. When no
    configuration is in effect (TF_CLI_CONFIG_FILE and the legacy TERRAFORM_CONFIG unset and no
    default ~/.terraformrc, or TF_CLI_CONFIG_FILE naming a file that does not exist),
    TF_CLI_CONFIG_FILE names an empty configuration written in ``config_dir`` instead; Terraform
    then behaves the same, without the warning. A configuration file that exists is always used
    as it is. Replacing a TF_CLI_CONFIG_FILE that names a missing file is recorded in ``notes``.

    Providers are installed once for all stacks: unless TF_PLUGIN_CACHE_DIR is set or the CLI
    configuration names a ``plugin_cache_dir``, TF_PLUGIN_CACHE_DIR is mlplat's cache
    (:func:`default_plugin_cache`). With a cache in use, TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE
    is set (unless the caller set it): synthesized stacks have no lock file, and without it Terraform
    would download each provider again for every stack's first init.
    """
    env = dict(os.environ if base is None else base)
    env.update(overrides or {})
    explicit = env.get("TF_CLI_CONFIG_FILE") or env.get("TERRAFORM_CONFIG")
    if explicit:
        configured: Path | None = Path(explicit).expanduser()
    else:
        configured = default_cli_config_path(env)
    if configured is None or not configured.is_file():
        config_dir.mkdir(parents=True, exist_ok=True)
        config = config_dir / "terraform.tfrc"
        config.write_text(_CLI_CONFIG_TEXT, encoding="utf-8")
        env.pop("TERRAFORM_CONFIG", None)
        env["TF_CLI_CONFIG_FILE"] = str(config)
        if explicit and notes is not None:
            notes.append(
                f"the Terraform CLI configuration {explicit} (from TF_CLI_CONFIG_FILE) does not "
                "exist; Terraform ran without a CLI configuration"
            )
        configured = None
    cache_configured = _cli_config_sets_plugin_cache(configured)
    if not env.get("TF_PLUGIN_CACHE_DIR") and not cache_configured:
        cache = default_plugin_cache(env)
        if cache is not None:
            try:
                cache.mkdir(parents=True, exist_ok=True)
                env["TF_PLUGIN_CACHE_DIR"] = str(cache)
            except OSError as exc:
                if notes is not None:
                    notes.append(f"no provider plugin cache: {cache} cannot be created ({exc})")
    if env.get("TF_PLUGIN_CACHE_DIR") or cache_configured:
        env.setdefault("TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE", "true")
    env.setdefault("TF_IN_AUTOMATION", "1")
    env.setdefault("TF_INPUT", "0")
    return env
