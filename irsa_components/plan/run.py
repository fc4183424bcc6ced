"""Run the real stack program offline and build its plan: the only Pulumi-facing function of ``plan``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .. import gc_policy
from ..core.errors import InputError, Problem
from ..stack.config import StackConfig, decode_config, parse_stack_config
from .extract import StackFacts, build_plan
from .model import Plan


@dataclass(frozen=True)
class StackSource:
    """Where the config comes from: a stack of a project, or a stack-style config file."""

    project_dir: Path
    stack: Optional[str] = None
    config_file: Optional[Path] = None

    @property
    def stack_name(self) -> str:
        if self.stack:
            return self.stack
        assert self.config_file is not None
        name = self.config_file.name
        match = name.removeprefix("Pulumi.").removesuffix(".yaml").removesuffix(".yml")
        return match or "stack"


def load_source(source: StackSource) -> tuple[str, dict[str, str], list[str]]:
    """(project name, flat config, secret keys); InputError when a file is missing or unreadable."""
    from ..offline.stackfile import load_config_file, project_defaults

    project_file = source.project_dir / "Pulumi.yaml"
    try:
        if project_file.exists():
            project, defaults, stack_dir = project_defaults(project_file)
        elif source.stack:
            raise InputError([Problem("project", "--project-dir", str(source.project_dir), "has no Pulumi.yaml")])
        else:
            project, defaults, stack_dir = "irsa", {}, source.project_dir
        path = source.config_file or stack_dir / f"Pulumi.{source.stack}.yaml"
        if not path.exists():
            where = "--config-file" if source.config_file else "--stack"
            raise InputError([Problem("stack config", where, str(path), "does not exist")])
        config, secrets = load_config_file(path, project, defaults)
    except (OSError, ValueError, KeyError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(
            [Problem("stack config", "(file)", str(source.config_file or source.stack), str(exc))]
        ) from None
    return project, config, secrets


def plan_from_config(
    config: Mapping[str, str],
    *,
    project: str = "irsa",
    stack: str = "dev",
    secret_keys: Optional[list[str]] = None,
    program: Optional[Callable[[], None]] = None,
    workers: Optional[int] = None,
) -> Plan:
    """Validate ``config``, run the stack program under the mocks and build the plan.

    Raises InputError (every problem) when the config is invalid, before anything runs. A large stack
    runs over several processes (``workers``; default by size and cores), with the same result.
    """
    from ..offline import CloudMocks, run_program
    from ..offline.sharded import run_stack_program

    # Merging the shares and building the plan walk as many objects as the program made.
    with gc_policy.applied():
        stack_config: StackConfig = parse_stack_config(decode_config(config), region=config.get("aws:region"))
        if program is not None:
            simulation = run_program(
                program, config=dict(config), project=project, stack=stack, secret_keys=secret_keys
            )
        else:
            simulation = run_stack_program(
                config, project=project, stack=stack, secret_keys=secret_keys, workers=workers
            )
        region = config.get("aws:region") or "us-east-1"
        account = CloudMocks(config).account  # the account the mocks answered with (or its placeholder)
        facts = StackFacts(project=project, stack=stack, account=account, region=region)
        return build_plan(stack_config, simulation, facts)


def plan_stack(source: StackSource) -> Plan:
    project, config, secrets = load_source(source)
    return plan_from_config(config, project=project, stack=source.stack_name, secret_keys=secrets)
