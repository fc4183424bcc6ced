"""The offline mocks answer each AWS provider as the account it works in (what irsa plan shows as ARNs)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws

from irsa_components.offline import PLACEHOLDER_ACCOUNT, Simulation

Simulate = Callable[..., Simulation]
STACK = "111122223333"
OTHER = "444455556666"
ROLE = "aws:iam/role:Role"


def _program(providers: dict[str, dict[str, Any]]) -> Callable[[], None]:
    def program() -> None:
        for name, settings in {"default": {}, **providers}.items():
            opts = None
            if name != "default":
                opts = pulumi.ResourceOptions(provider=aws.Provider(name, region="eu-west-1", **settings))
                invoke = pulumi.InvokeOptions(provider=opts.provider)
            else:
                invoke = None
            aws.iam.Role(f"role-{name}", name=f"role-{name}", assume_role_policy="{}", opts=opts)
            aws.iam.OpenIdConnectProvider(
                f"oidc-{name}", url="https://issuer.example.com", client_id_lists=["sts.amazonaws.com"], opts=opts
            )
            pulumi.export(f"caller-{name}", aws.get_caller_identity(opts=invoke).account_id)

    return program


def _role_account(sim: Simulation, name: str) -> str:
    return str(sim.named(ROLE, f"role-{name}").state["arn"]).split(":")[4]


def test_a_provider_that_assumes_a_role_answers_as_that_roles_account(simulate: Simulate) -> None:
    sim = simulate(
        _program({"other": {"assume_roles": [{"role_arn": f"arn:aws:iam::{OTHER}:role/deployer"}]}}),
        config={"aws:allowedAccountIds": json.dumps([STACK])},
    )
    assert _role_account(sim, "other") == OTHER and sim.outputs["caller-other"] == OTHER
    oidc = sim.named("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "oidc-other").state["arn"]
    assert oidc == f"arn:aws:iam::{OTHER}:oidc-provider/issuer.example.com"
    # The default provider stays the stack's account.
    assert _role_account(sim, "default") == STACK and sim.outputs["caller-default"] == STACK


def test_other_providers_answer_as_the_stack_or_their_one_allowed_account(simulate: Simulate) -> None:
    sim = simulate(
        _program({"plain": {}, "pinned": {"allowed_account_ids": [OTHER]}}),
        config={"aws:allowedAccountIds": json.dumps([STACK])},
    )
    assert _role_account(sim, "plain") == STACK
    assert _role_account(sim, "pinned") == OTHER


def test_an_unknown_account_stays_a_placeholder(simulate: Simulate) -> None:
    sim = simulate(
        _program({"odd": {"assume_roles": [{"role_arn": "arn:aws:iam::not-an-account:role/x"}]}}),
        config={"aws:allowedAccountIds": json.dumps([STACK])},
    )
    assert _role_account(sim, "odd") == PLACEHOLDER_ACCOUNT
    unknown = simulate(_program({"other": {"assume_roles": [{"role_arn": f"arn:aws:iam::{OTHER}:role/d"}]}}))
    assert _role_account(unknown, "default") == PLACEHOLDER_ACCOUNT  # no aws:allowedAccountIds
    assert _role_account(unknown, "other") == OTHER
