"""Synthetic platform configurations: N services in each of 3 environments with 2 clusters each."""

from __future__ import annotations

import json
from typing import Any

ENVIRONMENTS = ("dev", "staging", "prod")
ACCOUNTS = {"dev": "111111111111", "staging": "222222222222", "prod": "333333333333"}
MODES = ("irsa", "irsa", "pod-identity", "both")  # most platforms are still mostly IRSA


def issuer(env: str, cluster: str) -> str:
    ident = (env + cluster).encode().hex().upper().ljust(32, "0")[:32]
    return f"https://oidc.eks.eu-west-1.amazonaws.com/id/{ident}"


def service(i: int, env: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "namespace": f"team-{i % 25}",
        "serviceAccount": f"svc-{i}",
        "identity": MODES[i % len(MODES)],
        "tags": {"team": f"team-{i % 25}"},
    }
    if i % 2 == 0:
        entry["managedPolicyArns"] = ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]
    entry["policyStatements"] = [
        {
            "Effect": "Allow",
            "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"],
            "Resource": f"arn:aws:sqs:eu-west-1:{ACCOUNTS[env]}:{env}-queue-{i}",
        },
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"arn:aws:s3:::{env}-bucket-{i}/*"},
    ]
    return entry


def stack_config(env: str, services: int) -> dict[str, Any]:
    """The ``irsa:`` config of one environment."""
    return {
        "environment": env,
        "tags": {"cost-center": "platform"},
        "clusters": {
            c: {"name": f"{env}-{c}", "oidcIssuerUrl": issuer(env, c), "kubeconfig": "{}"} for c in ("blue", "green")
        },
        "services": {f"service-{i}": service(i, env) for i in range(services)},
    }


def flat_config(env: str, services: int) -> dict[str, str]:
    """The flat config map the engine would hand the program."""
    return _flat(env, stack_config(env, services))


def uniform_flat_config(env: str, services: int, mode: str) -> dict[str, str]:
    """``flat_config`` with every service in identity ``mode`` (for counting registrations per mode)."""
    config = stack_config(env, services)
    for entry in config["services"].values():
        entry["identity"] = mode
    return _flat(env, config)


def _flat(env: str, config: dict[str, Any]) -> dict[str, str]:
    out = {"aws:region": "eu-west-1", "aws:allowedAccountIds": json.dumps([ACCOUNTS[env]])}
    for key, value in config.items():
        out[f"irsa:{key}"] = value if isinstance(value, str) else json.dumps(value)
    return out


def stack_file(env: str, services: int) -> dict[str, Any]:
    """A stack file (for ``irsa plan --config-file``)."""
    return {
        "config": {
            "aws:region": "eu-west-1",
            "aws:allowedAccountIds": [ACCOUNTS[env]],
            **{f"irsa:{k}": v for k, v in stack_config(env, services).items()},
        }
    }
