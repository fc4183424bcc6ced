"""Run the guardrails over a stack offline: ``python -m irsa_components.guardrails --stack dev``.

The program runs under the SDK's mocks (no Pulumi CLI, no cloud credentials); the pack then sees it as
``pulumi preview --policy-pack policypack`` would, with values only the cloud knows (account, cluster
issuer) treated as unknown. The program is this library's stack program when the stack config has
``irsa:`` keys, else the project's ``Pulumi.yaml`` main; ``--program module:function`` names another.
Exit status: 0 no mandatory violation; 1 a mandatory policy is violated; 2 bad input (every problem listed).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..core.errors import InputError, Problem

EXIT_INPUT = 2


def _problems(header: str, problems: Sequence[Problem]) -> int:
    print(f"{header}: {len(problems)} problem{'s' if len(problems) != 1 else ''}", file=sys.stderr)
    for p in problems:
        value = "" if p.value is None else f" = {p.value!r}"
        print(f"  - {p.subject}: {p.field}{value}: {p.message}", file=sys.stderr)
    return EXIT_INPUT


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m irsa_components.guardrails",
        description="Run the irsa-guardrails policy pack over a stack, offline (no Pulumi CLI, no AWS).",
        epilog="Exit status: 0 no mandatory violation, 1 a mandatory violation, 2 bad input.",
    )
    parser.add_argument("--stack", required=True, help="stack name: reads <stackConfigDir>/Pulumi.<stack>.yaml")
    parser.add_argument("--project-dir", type=Path, default=Path.cwd(), help="directory of Pulumi.yaml")
    parser.add_argument(
        "--program",
        help="module:function of the program to run (default: the stack program when the stack config has irsa: "
        "keys, else the project's Pulumi.yaml main)",
    )
    parser.add_argument("--policy-config", type=Path, help="JSON file, as for pulumi --policy-pack-config")
    return parser


def _program(args: argparse.Namespace, config: dict[str, str]) -> Callable[[], None]:
    from ..offline.programs import STACK_PROGRAM, module_program, project_program

    if args.program is None and not any(k.startswith("irsa:") for k in config):
        return project_program(args.project_dir)
    return module_program(args.program or STACK_PROGRAM, args.project_dir)


def _policy_config(path: Path | None) -> Any:
    if path is None:
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError([Problem(str(path), "--policy-config", None, f"is not a readable JSON file: {exc}")]) from None


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        from pulumi_policy import EnforcementLevel

        from .offline import mandatory, run_policies
    except ImportError as exc:
        print(
            f"The guardrails need pulumi-policy ({exc}): pip install 'irsa-components[policy]'",
            file=sys.stderr,
        )
        return EXIT_INPUT
    from ..offline import load_stack_config, run_program
    from ..offline.stackfile import project_defaults

    try:
        project_file = args.project_dir / "Pulumi.yaml"
        if not project_file.exists():
            raise InputError([Problem("project", "--project-dir", str(args.project_dir), "has no Pulumi.yaml")])
        try:
            project, _, stack_dir = project_defaults(project_file)
            stack_file = stack_dir / f"Pulumi.{args.stack}.yaml"
            if not stack_file.exists():
                raise InputError([Problem("stack config", "--stack", str(stack_file), "does not exist")])
            config, secrets = load_stack_config(args.project_dir, args.stack)
        except (OSError, ValueError, KeyError) as exc:
            if isinstance(exc, InputError):
                raise
            raise InputError([Problem("stack config", "(file)", args.stack, str(exc))]) from None
        policy_config = _policy_config(args.policy_config)
        simulation = run_program(
            _program(args, config), config=config, project=project, stack=args.stack, secret_keys=secrets
        )
    except InputError as exc:
        return _problems(f"Invalid stack or program ({args.stack})", exc.problems)
    violations = run_policies(simulation, config=config, policy_config=policy_config)
    for v in violations:
        level = "mandatory" if v.level == EnforcementLevel.MANDATORY else v.level.value
        where = f"  ({v.urn})" if v.urn else ""
        message = v.message.replace("\n", "\n    ")
        print(f"[{level}] {v.policy}{where}\n    {message}")
    blocking = mandatory(violations)
    print(f"{len(violations)} violation(s), {len(blocking)} mandatory, stack {args.stack}")
    return 1 if blocking else 0


if __name__ == "__main__":
    sys.exit(main())
