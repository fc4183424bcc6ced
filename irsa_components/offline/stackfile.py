"""Read a Pulumi project and stack file into the flat config map the engine would give the program."""

import json
from pathlib import Path
from typing import Any

import yaml

# libyaml's loader when PyYAML was built with it: a stack of a thousand services loads 10x faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(text: str) -> Any:
    """The document in ``text``; ValueError saying where when it is not YAML."""
    try:
        return yaml.load(text, Loader=_LOADER)  # a safe loader (SafeLoader or its C twin)
    except yaml.YAMLError as exc:
        raise ValueError(f"is not valid YAML: {' '.join(str(exc).split())}") from None


SECRET_PLACEHOLDER = "[secret]"
"""Stands in for ``secure:`` values, which cannot be decrypted offline."""


def _mask_secrets(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER
        return {k: _mask_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_secrets(v) for v in value]
    return value


def _as_config_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _full_key(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def flatten(project: str, raw: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """(config map, secret keys) from a stack file's ``config:`` block."""
    config: dict[str, str] = {}
    secrets: list[str] = []
    for key, value in (raw or {}).items():
        full = _full_key(project, key)
        masked = _mask_secrets(value)
        if masked != value:
            secrets.append(full)
        config[full] = _as_config_string(masked)
    return config, secrets


def project_defaults(project_file: Path) -> tuple[str, dict[str, str], Path]:
    """(project name, defaults declared in Pulumi.yaml, stack config dir)."""
    project = _load_yaml(project_file.read_text())
    name = str(project["name"])
    defaults: dict[str, str] = {}
    for key, decl in (project.get("config") or {}).items():
        if isinstance(decl, dict):
            if "default" in decl:
                defaults[_full_key(name, key)] = _as_config_string(decl["default"])
            elif "value" in decl:
                defaults[_full_key(name, key)] = _as_config_string(decl["value"])
        else:
            defaults[_full_key(name, key)] = _as_config_string(decl)
    stack_dir = project_file.parent / str(project.get("stackConfigDir") or ".")
    return name, defaults, stack_dir


def load_config_file(
    path: Path, project: str = "irsa", defaults: dict[str, str] | None = None
) -> tuple[dict[str, str], list[str]]:
    """Config map and secret keys of one stack-style YAML file (``config:`` at the top)."""
    data = _load_yaml(path.read_text()) or {}
    config, secrets = flatten(project, data.get("config") or {})
    return {**(defaults or {}), **config}, secrets


def load_stack_config(project_dir: Path, stack: str) -> tuple[dict[str, str], list[str]]:
    """Config of ``stack`` as ``pulumi up`` would see it: project defaults, then the stack file."""
    name, defaults, stack_dir = project_defaults(project_dir / "Pulumi.yaml")
    return load_config_file(stack_dir / f"Pulumi.{stack}.yaml", name, defaults)
