"""What the engine says about bad input and unsafe programs: one list of problems, mandatory violations.

Real: the Pulumi CLI and engine (project config declared in Pulumi.yaml, typed by the engine), the
stack program, the irsa-guardrails policy pack loaded by the engine (its executable form, see
tests/fixtures/bin/irsa-guardrails-analyzer). Stand-in: pulumi-aws over moto.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from pulumi import automation as auto

from tests.fixtures import automation
from tests.fixtures.moto_server import MotoServer

from .support import ROOT, Project

ANALYZER = str(ROOT / "tests" / "fixtures" / "bin" / "irsa-guardrails-analyzer")
STACK = "checks"


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    with MotoServer(log=tmp_path_factory.mktemp("moto") / "moto.log") as server:
        yield server


def _project(tmp: Path, moto: MotoServer, command: auto.PulumiCommand, config: dict[str, Any]) -> Project:
    project = Project.copy(tmp, moto.url, command, ())
    project.write_config(STACK, config)
    project.point_at_moto(STACK)
    return project


def _failure(run: Any) -> str:
    with pytest.raises(auto.CommandError) as failed:
        run()
    return str(failed.value)


def test_a_bad_stack_config_fails_the_preview_with_every_problem_and_no_traceback(
    moto: MotoServer, command: auto.PulumiCommand, tmp_path: Path
) -> None:
    config = {
        "aws:region": "eu-west-1",
        "irsa:environment": "checks",
        "irsa:clusters": {"main": {"name": "checks-main"}},
        "irsa:services": {
            "payments-api": {"namespace": "Payments", "identty": "irsa"},
            "reports": {"namespace": "analytics", "maxSessionDuration": 99},
        },
    }
    project = _project(tmp_path, moto, command, config)
    message = _failure(lambda: project.stack(STACK).preview(on_output=lambda _: None))
    assert "Traceback" not in message
    for expected in ("payments-api", "identty", "did you mean", "Payments", "reports", "maxSessionDuration", "99"):
        assert expected in message, (expected, message[-3000:])


def test_the_engine_types_the_project_config_declared_in_pulumi_yaml(
    moto: MotoServer, command: auto.PulumiCommand, tmp_path: Path
) -> None:
    config = {
        "aws:region": "eu-west-1",
        "irsa:environment": "checks",
        "irsa:maxSessionDuration": "an hour",  # declared an integer in Pulumi.yaml
        "irsa:clusters": {"main": {"name": "checks-main"}},
        "irsa:services": {"payments-api": {"namespace": "payments"}},
    }
    project = _project(tmp_path, moto, command, config)
    message = _failure(lambda: project.stack(STACK).preview(on_output=lambda _: None))
    assert "irsa:maxSessionDuration" in message and "integer" in message, message[-2000:]


def _unsafe_program() -> None:
    """A hand-written program, outside the library: a role any web identity of the cluster may assume."""
    issuer = "oidc.eks.eu-west-1.amazonaws.com/id/AAAABBBBCCCCDDDDEEEEFFFF00001111"
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::123456789012:oidc-provider/{issuer}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
            }
        ],
    }
    role = aws.iam.Role("open", assume_role_policy=json.dumps(trust))
    pulumi.export("arn", role.arn)


def test_the_policy_pack_stops_an_unsafe_program_with_a_mandatory_violation(
    moto: MotoServer, command: auto.PulumiCommand, tmp_path: Path
) -> None:
    env = {
        **automation.engine_env(tmp_path / "state", tmp_path / "home"),
        "IRSA_PYTHON": __import__("sys").executable,
    }
    stack = automation.inline_stack(
        "unsafe", "dev", _unsafe_program, command, env, tmp_path / "work", automation.aws_config(moto.url, "eu-west-1")
    )
    message = _failure(lambda: stack.preview(on_output=lambda _: None, policy_packs=[ANALYZER]))
    assert "mandatory" in message, message[-3000:]
    assert "irsa-guardrails" in message and "sub" in message, message[-3000:]
