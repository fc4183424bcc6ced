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
    program: Optional[str] = None
    """``module:function`` of the program to run; None: the stack program, or the project's main (see plan_stack)."""

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
        if not path.exists() and not source.config_file and _runs_own_program(source, defaults):
            return project, defaults, []  # a stack without config of its own (pulumi stack init writes no file)
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


def _uses_stack_config(config: Mapping[str, str]) -> bool:
    return any(key.startswith("irsa:") for key in config)


def _runs_own_program(source: StackSource, config: Mapping[str, str]) -> bool:
    """A program of the user's: named with --program, or the project's main when the config has no irsa: keys."""
    from ..offline.programs import STACK_PROGRAM

    if source.program is not None:
        return source.program != STACK_PROGRAM
    return (source.project_dir / "Pulumi.yaml").exists() and not _uses_stack_config(config)


def plan_of_own_program(
    program: Callable[[], None],
    config: Mapping[str, str],
    *,
    project: str,
    stack: str,
    secret_keys: Optional[list[str]] = None,
) -> Plan:
    """Run a program of the user's (built from the components) under the mocks and read its plan back."""
    from ..offline import CloudMocks, run_program
    from .programs import plan_of_program

    simulation = run_program(program, config=dict(config), project=project, stack=stack, secret_keys=secret_keys)
    account = CloudMocks(config).account
    facts = StackFacts(project=project, stack=stack, account=account, region=config.get("aws:region") or "us-east-1")
    return plan_of_program(simulation, facts)


def plan_stack(source: StackSource) -> Plan:
    """The plan of ``source``: the stack program when the config has ``irsa:`` keys, else the user's program.

    ``source.program`` (``module:function``) names the program; without it a project whose config has no
    ``irsa:`` keys runs its ``Pulumi.yaml`` main.
    """
    from ..offline.programs import module_program, project_program

    project, config, secrets = load_source(source)
    if not _runs_own_program(source, config):
        return plan_from_config(config, project=project, stack=source.stack_name, secret_keys=secrets)
    program = (
        module_program(source.program, source.project_dir)
        if source.program is not None
        else project_program(source.project_dir)
    )
    return plan_of_own_program(program, config, project=project, stack=source.stack_name, secret_keys=secrets)
