"""Crafted stack configs, plans built from them by the real program, and plan-JSON surgery."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from irsa_components.cli.main import app
from irsa_components.plan.model import Plan, plan_from_data, plan_to_data
from irsa_components.plan.run import plan_from_config

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
STACKS = ("dev", "staging", "prod", "local")

ACCOUNT = "111122223333"
ISSUER_BLUE = "https://oidc.eks.eu-west-1.amazonaws.com/id/AAAABBBBCCCCDDDDEEEEFFFF00001111"
ISSUER_GREEN = "https://oidc.eks.eu-west-1.amazonaws.com/id/9999888877776666555544443333AAAA"
HOST_BLUE = ISSUER_BLUE.removeprefix("https://")
HOST_GREEN = ISSUER_GREEN.removeprefix("https://")
PROVIDER_BLUE = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{HOST_BLUE}"
CLUSTER_BLUE_ARN = f"arn:aws:eks:eu-west-1:{ACCOUNT}:cluster/prod-blue"


def base_irsa(**services: dict[str, Any]) -> dict[str, Any]:
    """A two-cluster prod environment with known issuers and account."""
    return {
        "environment": "prod",
        "clusters": {
            "blue": {"name": "prod-blue", "oidcIssuerUrl": ISSUER_BLUE},
            "green": {"name": "prod-green", "oidcIssuerUrl": ISSUER_GREEN},
        },
        "services": services
        or {
            "payments-api": {
                "namespace": "payments",
                "policyStatements": [
                    {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::payments/*"}
                ],
                "tags": {"team": "payments"},
            }
        },
    }


def flat(irsa: dict[str, Any], **extra: str) -> dict[str, str]:
    out = {"aws:region": "eu-west-1", "aws:allowedAccountIds": json.dumps([ACCOUNT]), **extra}
    for key, value in irsa.items():
        out[f"irsa:{key}"] = value if isinstance(value, str) else json.dumps(value)
    return out


def plan_of(irsa: dict[str, Any], **extra: str) -> Plan:
    """Run the real stack program on a crafted config and return its plan."""
    return plan_from_config(flat(irsa, **extra), stack=str(irsa.get("environment", "prod")))


def edited(plan: Plan, change: Callable[[dict[str, Any]], None]) -> Plan:
    """A copy of ``plan`` with its JSON data changed by ``change`` (then validated again)."""
    data = copy.deepcopy(plan_to_data(plan))
    change(data)
    return plan_from_data(data)


def write_plan(path: Path, plan: Plan) -> Path:
    path.write_text(json.dumps(plan_to_data(plan), sort_keys=True, indent=2))
    return path


def runner() -> CliRunner:
    return CliRunner()


def invoke(*args: str, columns: int = 1000) -> Any:
    """The command line's result; tables are as wide as ``columns`` (pytest-xdist's workers set COLUMNS=80)."""
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": str(columns)})
