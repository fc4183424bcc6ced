"""Build and run crafted stack configs."""

from __future__ import annotations

import json
from typing import Any

from irsa_components.offline import Simulation, run_program
from irsa_components.stack.program import main

ISSUER_BLUE = "https://oidc.eks.eu-west-1.amazonaws.com/id/AAAABBBBCCCCDDDDEEEEFFFF00001111"
ISSUER_GREEN = "https://oidc.eks.eu-west-1.amazonaws.com/id/9999888877776666555544443333AAAA"
ACCOUNT = "111122223333"


def base_config(**services: dict[str, Any]) -> dict[str, Any]:
    return {
        "environment": "prod",
        "clusters": {
            "blue": {"name": "prod-blue", "oidcIssuerUrl": ISSUER_BLUE},
            "green": {"name": "prod-green", "oidcIssuerUrl": ISSUER_GREEN},
        },
        "services": services or {"payments-api": {"namespace": "payments"}},
    }


def flat(irsa: dict[str, Any], **extra: str) -> dict[str, str]:
    out = {"aws:region": "eu-west-1", "aws:allowedAccountIds": json.dumps([ACCOUNT]), **extra}
    for key, value in irsa.items():
        out[f"irsa:{key}"] = value if isinstance(value, str) else json.dumps(value)
    return out


def run(irsa: dict[str, Any], **extra: str) -> Simulation:
    return run_program(main, config=flat(irsa, **extra), stack=str(irsa.get("environment", "prod")))
