"""Helpers of the stand-in tests: stacks on the module's engine, boto3 on its moto, documents."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import boto3
from pulumi import automation as auto

from tests.fixtures import automation as engine

REGION = engine.REGION
ACCOUNT = "123456789012"  # moto's default account


@dataclass
class Engine:
    """Stacks of inline programs on this module's file backend, against this module's moto server."""

    root: Path
    command: auto.PulumiCommand
    moto_url: str
    log: Path
    project: str = "standin"
    stacks: list[auto.Stack] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        return engine.engine_env(self.root / "state", self.root / "home", self.log)

    def stack(
        self,
        name: str,
        program: Callable[[], Any],
        config: Optional[dict[str, auto.ConfigValue]] = None,
    ) -> auto.Stack:
        stack = engine.inline_stack(
            self.project,
            name,
            program,
            self.command,
            self.env,
            self.root / "work" / name,
            {**engine.aws_config(self.moto_url), **(config or {})},
        )
        self.stacks.append(stack)
        return stack

    def calls(self, method: str) -> list[dict[str, Any]]:
        """The stand-in's logged calls of ``method`` (each with its request), oldest first."""
        if not self.log.exists():
            return []
        entries = [json.loads(line) for line in self.log.read_text().splitlines()]
        return [e for e in entries if e["method"] == method and "error" not in e]


class Aws:
    """boto3 against the module's moto server, in moto's default account or with other credentials."""

    def __init__(self, url: str, credentials: Optional[dict[str, str]] = None) -> None:
        self.url = url
        self.credentials = credentials or {"aws_access_key_id": "test", "aws_secret_access_key": "test"}

    def client(self, service: str, region: str = REGION) -> Any:
        return boto3.client(service, endpoint_url=self.url, region_name=region, **self.credentials)

    def assumed(self, role_arn: str) -> Aws:
        creds = self.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="test")["Credentials"]
        return Aws(
            self.url,
            {
                "aws_access_key_id": creds["AccessKeyId"],
                "aws_secret_access_key": creds["SecretAccessKey"],
                "aws_session_token": creds["SessionToken"],
            },
        )


def trust(service: str = "ec2.amazonaws.com") -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
        }
    )


def allow(action: str, resource: str = "*") -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}
    )


def changes(summary: Optional[dict[str, int]]) -> dict[str, int]:
    """A change summary without the stack itself (and without zero counts)."""
    return {k: v for k, v in (summary or {}).items() if v}


def outputs(result: auto.UpResult) -> dict[str, Any]:
    return {k: v.value for k, v in result.outputs.items()}
