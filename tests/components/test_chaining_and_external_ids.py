"""IrsaRole's assume_role_arns (role chaining from an IRSA role) and PodIdentityAssociation's external_ids."""

from __future__ import annotations

import gc
import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from pulumi.runtime.settings import SETTINGS

from irsa_components.components import CrossAccountRole, IrsaRole, PodIdentityAssociation
from irsa_components.core.evaluate import Request, evaluate
from irsa_components.offline import Simulation

from .support import (
    ACCOUNT,
    ASSOCIATION,
    CONFIG,
    IRSA_ROLE,
    POD_IDENTITY,
    PROVIDER_ARN,
    ROLE_POLICY,
    Simulate,
    children,
    input_error,
    only,
    problem_fields,
)

SOURCE = f"arn:aws:iam::{ACCOUNT}:role/reports"
TARGET = "arn:aws:iam::222233334444:role/reports-reader"
OTHER_TARGET = "arn:aws:iam::222233334444:role/ledger-writer"
READ = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}


def _role(**extra: Any) -> Any:
    return {"service_accounts": ["analytics/reports"], "oidc_provider_arns": [PROVIDER_ARN], **extra}


def _inline(sim: Simulation, name: str = "reports") -> dict[str, Any]:
    policy: dict[str, Any] = json.loads(only(sim, IRSA_ROLE, name, ROLE_POLICY).inputs["policy"])
    return policy


def _may_assume(policy: dict[str, Any], target: str, action: str = "sts:AssumeRole") -> bool:
    return evaluate(policy, Request(action, "AWS", SOURCE, resource=target)).allowed


# assume_role_arns ----------------------------------------------------------------------------------------


def test_assume_role_arns_grants_exactly_sts_assume_role_on_exactly_those_roles(simulate: Simulate) -> None:
    sim = simulate(
        lambda: IrsaRole("reports", _role(assume_role_arns=[TARGET], policy_statements=[READ])), config=CONFIG
    )
    policy = _inline(sim)
    assert policy["Statement"] == [READ, {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": TARGET}]
    assert _may_assume(policy, TARGET)
    assert not _may_assume(policy, OTHER_TARGET)
    assert not _may_assume(policy, TARGET + "-admin")
    assert not _may_assume(policy, TARGET, "sts:TagSession")
    assert not _may_assume(policy, TARGET, "sts:AssumeRoleWithWebIdentity")
    # The trust is untouched: chaining is a permission of this role, not a way into it.
    trust = json.loads(children(sim, IRSA_ROLE, "reports")["aws:iam/role:Role"][0].inputs["assumeRolePolicy"])
    assert [s["Action"] for s in trust["Statement"]] == ["sts:AssumeRoleWithWebIdentity"]


def test_several_targets_are_one_statement_and_no_other_policy_is_needed(simulate: Simulate) -> None:
    sim = simulate(lambda: IrsaRole("reports", _role(assume_role_arns=[TARGET, OTHER_TARGET])), config=CONFIG)
    policy = _inline(sim)
    assert policy["Statement"] == [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": [TARGET, OTHER_TARGET]}]
    assert _may_assume(policy, TARGET) and _may_assume(policy, OTHER_TARGET)


def test_without_assume_role_arns_nothing_changes(simulate: Simulate) -> None:
    sim = simulate(lambda: IrsaRole("reports", _role()), config=CONFIG)
    assert ROLE_POLICY not in children(sim, IRSA_ROLE, "reports")


def test_output_arns_are_granted_once_known(simulate: Simulate) -> None:
    """The usual case: the target is a CrossAccountRole created in the same program, with another provider."""

    def program() -> None:
        data = aws.Provider("data", region="eu-west-1")
        target = CrossAccountRole(
            "reports-reader",
            {"source_type": "irsa", "source_role_arn": SOURCE, "policy_statements": [READ]},
            opts=pulumi.ResourceOptions(provider=data),
        )
        IrsaRole("reports", _role(assume_role_arns=[target.arn]))
        pulumi.export("target", target.arn)

    sim = simulate(program, config=CONFIG)
    target = sim.outputs["target"]
    assert target == f"arn:aws:iam::{ACCOUNT}:role/reports-reader"
    policy = _inline(sim)
    assert policy["Statement"] == [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": target}]
    assert _may_assume(policy, target)
    assert not _may_assume(policy, OTHER_TARGET)


@pytest.mark.parametrize(
    "arn",
    [
        f"arn:aws:iam::{ACCOUNT}:user/reports",
        f"arn:aws:iam::{ACCOUNT}:policy/reports",
        "arn:aws:s3:::reports",
        "reports-reader",
        "arn:aws:iam::123:role/x",
    ],
)
def test_non_role_arns_are_refused_before_anything_is_registered(simulate: Simulate, arn: str) -> None:
    error = input_error(simulate, lambda: IrsaRole("reports", _role(assume_role_arns=[TARGET, arn])), config=CONFIG)
    assert problem_fields(error) == ["assume_role_arns[1]"]
    assert error.problems[0].value == arn


def test_a_role_listed_twice_or_a_non_list_is_refused(simulate: Simulate) -> None:
    twice = input_error(simulate, lambda: IrsaRole("reports", _role(assume_role_arns=[TARGET, TARGET])), config=CONFIG)
    assert problem_fields(twice) == ["assume_role_arns"]
    assert "twice" in twice.problems[0].message
    one = input_error(simulate, lambda: IrsaRole("reports", _role(assume_role_arns=TARGET)), config=CONFIG)
    assert problem_fields(one) == ["assume_role_arns"]


def test_an_output_that_is_not_a_role_arn_is_refused_once_known(simulate: Simulate) -> None:
    user = f"arn:aws:iam::{ACCOUNT}:user/reports"

    def program() -> None:
        IrsaRole("reports", _role(assume_role_arns=[pulumi.Output.from_input(user)]))

    with pytest.raises(Exception) as info:  # raised in an apply: the engine wraps it
        simulate(program, config=CONFIG)
    message = str(info.value)
    del info
    _finalize_failed_run()
    assert f"IrsaRole 'reports': assume_role_arns[0]='{user}': is not an IAM role ARN" in message


def _finalize_failed_run() -> None:
    """Drop what a failed run left in the SDK and finalize it now.

    The failed registration leaves futures whose exception nobody retrieved. Collected later, inside an
    unrelated ast.parse (pytest rewriting the next module it imports), their finalizer's logging makes
    CPython 3.11.7 raise "SystemError: AST constructor recursion depth mismatch".
    """
    SETTINGS.rpc_manager.clear()
    SETTINGS.outputs.clear()
    gc.collect()


def test_the_chain_statement_counts_towards_the_inline_policy_limit(simulate: Simulate) -> None:
    big = [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::b/{'x' * 480}{i}"} for i in range(20)
    ]
    error = input_error(
        simulate, lambda: IrsaRole("reports", _role(policy_statements=big, assume_role_arns=[TARGET])), config=CONFIG
    )
    assert problem_fields(error) == ["policy_statements"]


# PodIdentityAssociation.external_ids ---------------------------------------------------------------------


def test_external_ids_are_the_associations_reported_external_ids_in_cluster_order(simulate: Simulate) -> None:
    def program() -> None:
        pia = PodIdentityAssociation(
            "reports",
            {
                "cluster_names": ["blue", "green"],
                "namespace": "analytics",
                "service_account": "reports",
                "target_role_arn": TARGET,
                "disable_session_tags": True,
            },
        )
        pulumi.export("external_ids", pia.external_ids)

    sim = simulate(program, config=CONFIG)
    associations = children(sim, POD_IDENTITY, "reports")[ASSOCIATION]
    by_cluster = {a.inputs["clusterName"]: a.state["externalId"] for a in associations}
    assert sim.outputs["external_ids"] == [by_cluster["blue"], by_cluster["green"]]
    assert len(set(sim.outputs["external_ids"])) == 2 and all(sim.outputs["external_ids"])


def test_external_ids_with_session_tags_are_what_the_associations_report(simulate: Simulate) -> None:
    def program() -> None:
        role = IrsaRole("reports", {"service_accounts": ["analytics/reports"], "pod_identity_cluster_names": ["blue"]})
        pia = PodIdentityAssociation(
            "reports",
            {"cluster_names": ["blue"], "namespace": "analytics", "service_account": "reports", "role_arn": role.arn},
        )
        pulumi.export("external_ids", pia.external_ids)

    sim = simulate(program, config=CONFIG)
    (association,) = children(sim, POD_IDENTITY, "reports")[ASSOCIATION]
    assert sim.outputs["external_ids"] == [association.state["externalId"]]
