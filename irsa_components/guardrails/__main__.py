"""Run the guardrails over a stack offline: ``python -m irsa_components.guardrails --stack dev``.

The stack program runs under the SDK's mocks (no Pulumi CLI, no cloud credentials); the pack then
sees it as ``pulumi preview --policy-pack policypack`` would, with values only the cloud knows
(account, cluster issuer) treated as unknown. Exit status 1 when a mandatory policy is violated.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pulumi_policy import EnforcementLevel

from ..offline import load_stack_config, run_program
from ..offline.stackfile import project_defaults
from .offline import mandatory, run_policies


def _program(spec: str) -> Callable[[], None]:
    module, _, function = spec.partition(":")
    program: Callable[[], None] = getattr(importlib.import_module(module), function or "main")
    return program


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m irsa_components.guardrails", description=__doc__)
    parser.add_argument("--stack", required=True, help="stack name (reads <stackConfigDir>/Pulumi.<stack>.yaml)")
    parser.add_argument("--project-dir", type=Path, default=Path.cwd(), help="directory of Pulumi.yaml")
    parser.add_argument(
        "--program", default="irsa_components.stack.program:main", help="module:function of the program"
    )
    parser.add_argument("--policy-config", type=Path, help="JSON file, as for pulumi --policy-pack-config")
    args = parser.parse_args(argv)

    project, _, _ = project_defaults(args.project_dir / "Pulumi.yaml")
    config, secrets = load_stack_config(args.project_dir, args.stack)
    policy_config = json.loads(args.policy_config.read_text()) if args.policy_config else None
    simulation = run_program(
        _program(args.program), config=config, project=project, stack=args.stack, secret_keys=secrets
    )
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
