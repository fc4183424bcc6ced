"""CrossAccountRole and CrossAccountPodIdentity under the SDK mocks, with one AWS provider per account."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, cast

import pulumi
import pulumi_aws as aws
import pytest

from irsa_components.components.cross_account import (
    CrossAccountPodIdentity,
    CrossAccountPodIdentityArgs,
    CrossAccountRole,
    CrossAccountRoleArgs,
)
from irsa_components.components.irsa_role import IrsaRole
from irsa_components.components.oidc_provider import OidcProvider
from irsa_components.components.pod_identity import PodIdentityAssociation
from irsa_components.core import evaluate
from irsa_components.core.cross_account import (
    irsa_chained_requests,
    pod_identity_chained_requests,
    pod_identity_external_id,
)
from irsa_components.core.errors import InputError
from irsa_components.offline import Registration, Simulation

Simulate = Callable[..., Simulation]
ACCOUNT = "111122223333"
CONFIG = {"aws:region": "eu-west-1", "aws:allowedAccountIds": f'["{ACCOUNT}"]'}
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
IRSA_SOURCE = f"arn:aws:iam::{ACCOUNT}:role/orders-irsa"
ASSOCIATION_SOURCE = f"arn:aws:iam::{ACCOUNT}:role/orders-pod-identity"
PROD = f"arn:aws:eks:eu-west-1:{ACCOUNT}:cluster/prod"
READ = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}


def _providers() -> tuple[aws.Provider, aws.Provider]:
    """Two explicit providers: the cluster account and the target account."""
    cluster = aws.Provider("cluster-account", region="eu-west-1", allowed_account_ids=[ACCOUNT])
    target = aws.Provider("target-account", region="eu-west-1", allowed_account_ids=["222233334444"])
    return cluster, target


def _provider_urn(sim: Simulation, name: str) -> str:
    (provider,) = [r for r in sim.of_type("pulumi:providers:aws") if r.name == name]
    return provider.urn


def _uses(registration: Registration, provider_urn: str) -> bool:
    return registration.provider.startswith(provider_urn + "::")


def _descendants(sim: Simulation, urn: str) -> list[Registration]:
    out: list[Registration] = []
    frontier = [urn]
    while frontier:
        children = [r for parent in frontier for r in sim.children(parent)]
        out += children
        frontier = [c.urn for c in children]
    return out


def _component(sim: Simulation, type_: str, name: str) -> Registration:
    return sim.named(f"irsa-components:index:{type_}", name)


# CrossAccountRole ------------------------------------------------------------------------------------------


def _target(simulate: Simulate, args: dict[str, Any], *, with_source_provider: bool = False) -> Simulation:
    def program() -> None:
        cluster, target = _providers()
        full = dict(args)
        if with_source_provider:
            full["source_provider"] = cluster
        role = CrossAccountRole(
            "orders-reports", cast(CrossAccountRoleArgs, full), opts=pulumi.ResourceOptions(provider=target)
        )
        pulumi.export("trust", role.trust_policy)
        pulumi.export("arn", role.arn)

    return simulate(program, config=CONFIG)


POD_ARGS: dict[str, Any] = {
    "source_type": "pod-identity",
    "source_role_arn": ASSOCIATION_SOURCE,
    "cluster_arns": [PROD],
    "namespace": "orders",
    "service_account": "api",
    "policy_statements": [READ],
    "managed_policy_arns": ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
}


def test_the_target_role_and_its_permissions_are_created_with_the_target_accounts_provider(
    simulate: Simulate,
) -> None:
    sim = _target(simulate, POD_ARGS)
    target = _provider_urn(sim, "target-account")
    component = _component(sim, "CrossAccountRole", "orders-reports")
    assert component.providers.get("aws", "").startswith(target + "::")
    children = _descendants(sim, component.urn)
    assert {c.type for c in children} == {ROLE, ROLE_POLICY, ATTACHMENT}
    assert all(_uses(c, target) for c in children)
    assert all(c.name.startswith("orders-reports") for c in children)


def test_the_target_trust_admits_exactly_the_association_for_its_service_account(simulate: Simulate) -> None:
    trust = json.loads(_target(simulate, POD_ARGS).outputs["trust"])
    ok = pod_identity_chained_requests(ASSOCIATION_SOURCE, cluster_arn=PROD, namespace="orders", service_account="api")
    staging = pod_identity_chained_requests(
        ASSOCIATION_SOURCE, cluster_arn=PROD.replace("prod", "staging"), namespace="orders", service_account="api"
    )
    other_role = pod_identity_chained_requests(IRSA_SOURCE, cluster_arn=PROD, namespace="orders", service_account="api")
    assert evaluate.allows_all(trust, ok)
    assert not evaluate.allows_all(trust, staging)
    assert not evaluate.allows_all(trust, other_role)


def test_an_irsa_target_with_source_provider_grants_the_chain_on_the_source_role(simulate: Simulate) -> None:
    sim = _target(
        simulate,
        {
            "source_type": "irsa",
            "source_role_arn": IRSA_SOURCE,
            "external_id": "orders-reports",
            "role_name": "reports",
        },
        with_source_provider=True,
    )
    trust = json.loads(sim.outputs["trust"])
    assert evaluate.allows_all(trust, irsa_chained_requests(IRSA_SOURCE, external_id="orders-reports"))
    assert not evaluate.allows_all(trust, irsa_chained_requests(IRSA_SOURCE))
    (grant,) = [p for p in sim.of_type(ROLE_POLICY) if p.name == "orders-reports-source-permission"]
    assert _uses(grant, _provider_urn(sim, "cluster-account"))
    assert grant.inputs["role"] == "orders-irsa"
    assert grant.inputs["name"] == "assume-reports"
    policy = json.loads(grant.inputs["policy"])
    assume = evaluate.Request("sts:AssumeRole", "AWS", IRSA_SOURCE, resource=sim.outputs["arn"])
    elsewhere = evaluate.Request("sts:AssumeRole", "AWS", IRSA_SOURCE, resource=sim.outputs["arn"] + "x")
    assert evaluate.evaluate(policy, assume).allowed
    assert not evaluate.evaluate(policy, elsewhere).allowed


def test_the_source_role_arn_may_be_an_output(simulate: Simulate) -> None:
    def program() -> None:
        cluster, target = _providers()
        irsa = IrsaRole(
            "orders",
            {
                "service_accounts": ["orders/api"],
                "oidc_provider_arns": [f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/A1"],
            },
            opts=pulumi.ResourceOptions(provider=cluster),
        )
        role = CrossAccountRole(
            "orders-reports",
            {"source_type": "irsa", "source_role_arn": irsa.arn, "source_provider": cluster},
            opts=pulumi.ResourceOptions(provider=target),
        )
        pulumi.export("trust", role.trust_policy)
        pulumi.export("irsa", irsa.arn)

    sim = simulate(program, config=CONFIG)
    trust = json.loads(sim.outputs["trust"])
    assert evaluate.allows_all(trust, irsa_chained_requests(sim.outputs["irsa"]))
    # The trust is rendered from the IRSA role's ARN, so the target role is written after that role exists.
    assert sim.named(ROLE, "orders").urn in sim.named(ROLE, "orders-reports").dependencies


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"source_type": "web"}, "source_type"),
        ({"source_role_arn": "arn:aws:iam::111122223333:user/bob"}, "source_role_arn"),
        ({"cluster_arns": []}, "cluster_arns"),
        ({"cluster_arns": ["arn:aws:eks:eu-west-1:999988887777:cluster/prod"]}, "cluster_arns[0]"),
        ({"cluster_arns": ["prod"]}, "cluster_arns[0]"),
        ({"external_ids": ["eu-west-1/111122223333/prod/orders/api"]}, "external_ids"),
        ({"session_tags": False}, "external_ids"),
        ({"session_tags": False, "external_ids": ["x"]}, "external_ids[0]"),
        ({"namespace": "Orders"}, "namespace"),
        ({"external_id": "abc"}, "external_id"),
        ({"trust_principal": "anyone"}, "trust_principal"),
        ({"role_name": "x" * 65}, "role_name"),
        ({"trust_policy_max_chars": 5000}, "trust_policy_max_chars"),
    ],
)
def test_invalid_pod_identity_targets_are_refused(simulate: Simulate, overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as raised:
        _target(simulate, {**POD_ARGS, **overrides})
    assert field in {p.field for p in raised.value.problems}
    assert "CrossAccountRole 'orders-reports'" in str(raised.value)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"namespace": "orders"}, "namespace"),
        ({"cluster_arns": [PROD]}, "cluster_arns"),
        ({"external_id": "x"}, "external_id"),
    ],
)
def test_invalid_irsa_targets_are_refused(simulate: Simulate, overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as raised:
        _target(simulate, {"source_type": "irsa", "source_role_arn": IRSA_SOURCE, **overrides})
    assert field in {p.field for p in raised.value.problems}


def test_a_trust_too_large_for_the_quota_is_refused_before_deploying(simulate: Simulate) -> None:
    clusters = [f"arn:aws:eks:eu-west-1:{ACCOUNT}:cluster/cluster-{i:02d}-{'x' * 30}" for i in range(30)]
    with pytest.raises(InputError, match="trust-policy quota"):
        _target(simulate, {**POD_ARGS, "cluster_arns": clusters})


# CrossAccountPodIdentity ------------------------------------------------------------------------------------


def _chain(simulate: Simulate, **overrides: Any) -> Simulation:
    def program() -> None:
        cluster, target = _providers()
        args: dict[str, Any] = {
            "target_provider": target,
            "cluster_names": ["prod"],
            "namespace": "orders",
            "service_account": "api",
            "policy_statements": [READ],
            "role_name": "orders-reports",
        }
        args.update(overrides)
        chain = CrossAccountPodIdentity(
            "orders",
            args,  # type: ignore[arg-type]
            opts=pulumi.ResourceOptions(provider=cluster),
        )
        pulumi.export("target_trust", chain.target_trust_policy)
        pulumi.export("association_role_arn", chain.association_role_arn)
        pulumi.export("target_role_arn", chain.target_role_arn)
        pulumi.export("external_ids", chain.external_ids)

    return simulate(program, config=CONFIG)


def test_each_resource_lands_in_its_account(simulate: Simulate) -> None:
    sim = _chain(simulate)
    cluster, target = _provider_urn(sim, "cluster-account"), _provider_urn(sim, "target-account")
    component = _component(sim, "CrossAccountPodIdentity", "orders")
    target_component = _component(sim, "CrossAccountRole", "orders-target")
    on_target = {r.urn for r in _descendants(sim, target_component.urn)}
    custom = [r for r in _descendants(sim, component.urn) if r.custom]
    assert on_target, "the target role has children"
    for registration in custom:
        expected = target if registration.urn in on_target else cluster
        assert _uses(registration, expected), (registration.type, registration.name, registration.provider)
    assert {r.type for r in custom if r.urn not in on_target} == {ROLE, ROLE_POLICY, ASSOCIATION}
    assert all(r.name.startswith("orders-") for r in _descendants(sim, component.urn))


def test_the_association_role_is_trusted_by_eks_for_this_service_account_only(simulate: Simulate) -> None:
    sim = _chain(simulate)
    association_role = sim.named(ROLE, "orders-pod-identity")
    trust = json.loads(association_role.inputs["assumeRolePolicy"])
    ok = evaluate.pod_identity_requests(
        account_id=ACCOUNT, cluster_arn=PROD, cluster_name="prod", namespace="orders", service_account="api"
    )
    other = evaluate.pod_identity_requests(
        account_id=ACCOUNT, cluster_arn=PROD, cluster_name="prod", namespace="orders", service_account="worker"
    )
    assert evaluate.allows_all(trust, ok)
    assert not evaluate.allows_all(trust, other)


def test_the_association_role_may_only_assume_the_target_role(simulate: Simulate) -> None:
    sim = _chain(simulate)
    (chain,) = [p for p in sim.of_type(ROLE_POLICY) if p.name == "orders-pod-identity-chain"]
    policy = json.loads(chain.inputs["policy"])
    target_arn = sim.outputs["target_role_arn"]
    source = sim.outputs["association_role_arn"]
    for action in ("sts:AssumeRole", "sts:TagSession"):
        assert evaluate.evaluate(policy, evaluate.Request(action, "AWS", source, resource=target_arn)).allowed
    assert not evaluate.evaluate(
        policy, evaluate.Request("sts:AssumeRole", "AWS", source, resource=target_arn + "-admin")
    ).allowed
    # No other permission rides on the association role.
    assert not [a for a in sim.of_type(ATTACHMENT) if a.name.startswith("orders-pod-identity")]


def test_the_associations_chain_to_the_target_role(simulate: Simulate) -> None:
    sim = _chain(simulate, cluster_names=["prod", "staging"])
    associations = sim.of_type(ASSOCIATION)
    assert {a.inputs["clusterName"] for a in associations} == {"prod", "staging"}
    for association in associations:
        assert association.inputs["roleArn"] == sim.outputs["association_role_arn"]
        assert association.inputs["targetRoleArn"] == sim.outputs["target_role_arn"]
        assert association.inputs["namespace"] == "orders"
        assert association.inputs["serviceAccount"] == "api"
        assert "disableSessionTags" not in association.inputs
    composed = _component(sim, "PodIdentityAssociation", "orders-association")
    assert composed.parent == _component(sim, "CrossAccountPodIdentity", "orders").urn


def test_the_target_trust_admits_the_chain_from_each_cluster_and_nothing_else(simulate: Simulate) -> None:
    sim = _chain(simulate, cluster_names=["prod", "staging"])
    trust = json.loads(sim.outputs["target_trust"])
    source = sim.outputs["association_role_arn"]
    for cluster in ("prod", "staging"):
        arn = f"arn:aws:eks:eu-west-1:{ACCOUNT}:cluster/{cluster}"
        assert evaluate.allows_all(
            trust, pod_identity_chained_requests(source, cluster_arn=arn, namespace="orders", service_account="api")
        )
    dev = f"arn:aws:eks:eu-west-1:{ACCOUNT}:cluster/dev"
    assert not evaluate.allows_all(
        trust, pod_identity_chained_requests(source, cluster_arn=dev, namespace="orders", service_account="api")
    )
    assert not evaluate.allows_all(
        trust, pod_identity_chained_requests(IRSA_SOURCE, cluster_arn=PROD, namespace="orders", service_account="api")
    )


def test_without_session_tags_the_target_pins_the_documented_external_id(
    simulate: Simulate, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        sim = _chain(simulate, disable_session_tags=True)
    trust = json.loads(sim.outputs["target_trust"])
    source = sim.outputs["association_role_arn"]
    documented = pod_identity_external_id("eu-west-1", ACCOUNT, "prod", "orders", "api")
    assert evaluate.allows_all(
        trust,
        pod_identity_chained_requests(
            source,
            cluster_arn=PROD,
            namespace="orders",
            service_account="api",
            session_tags=False,
            external_id=documented,
        ),
    )
    (association,) = sim.of_type(ASSOCIATION)
    assert association.inputs["disableSessionTags"] is True
    # The offline mocks report a different externalId than the documented format: the component says so.
    reported = sim.outputs["external_ids"][0]
    assert reported != documented
    assert any(reported in r.getMessage() and documented in r.getMessage() for r in caplog.records)


def test_external_ids_can_be_set_to_what_the_associations_report(
    simulate: Simulate, caplog: pytest.LogCaptureFixture
) -> None:
    reported = _chain(simulate, disable_session_tags=True).outputs["external_ids"]
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        sim = _chain(simulate, disable_session_tags=True, external_ids=reported)
    trust = json.loads(sim.outputs["target_trust"])
    assert trust["Statement"][0]["Condition"]["StringEquals"] == {"sts:ExternalId": reported[0]}
    assert not [r for r in caplog.records if "externalId" in r.getMessage()]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"cluster_names": []}, "cluster_names"),
        ({"cluster_names": ["prod", "prod"]}, "cluster_names"),
        ({"service_account": "API"}, "service_account"),
        ({"external_ids": ["eu-west-1/111122223333/prod/orders/api"]}, "external_ids"),
        ({"disable_session_tags": True, "external_ids": ["a-b", "c-d"]}, "external_ids"),
        ({"trust_principal": "everyone"}, "trust_principal"),
        ({"association_role_name": "bad name"}, "role_name"),
        ({"max_session_duration": 60}, "max_session_duration"),
    ],
)
def test_invalid_chains_are_refused(simulate: Simulate, overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as raised:
        _chain(simulate, **overrides)
    assert field in {p.field for p in raised.value.problems}


def test_a_missing_target_provider_is_refused(simulate: Simulate) -> None:
    def program() -> None:
        args: CrossAccountPodIdentityArgs = {
            "cluster_names": ["prod"],
            "namespace": "orders",
            "service_account": "api",
        }  # type: ignore[typeddict-item]
        CrossAccountPodIdentity("orders", args)

    with pytest.raises(InputError) as raised:
        simulate(program, config=CONFIG)
    assert "target_provider" in {p.field for p in raised.value.problems}


# IRSA directly into another account: an OIDC provider for cluster A's issuer in account B -----------------


def test_irsa_into_another_account_creates_provider_and_role_with_that_accounts_provider(
    simulate: Simulate,
) -> None:
    issuer = "https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"

    def program() -> None:
        cluster, target = _providers()
        in_target = pulumi.ResourceOptions(provider=target)
        provider = OidcProvider("cluster-a-in-b", {"issuer_url": issuer}, opts=in_target)
        role = IrsaRole(
            "orders", {"service_accounts": ["orders/api"], "oidc_provider_arns": [provider.arn]}, opts=in_target
        )
        # The workload's own Pod Identity role stays in the cluster account, to show both coexist.
        PodIdentityAssociation(
            "orders-local",
            {"cluster_names": ["prod"], "namespace": "orders", "service_account": "local"},
            opts=pulumi.ResourceOptions(provider=cluster),
        )
        pulumi.export("trust", role.trust_policy)
        pulumi.export("provider_arn", provider.arn)

    sim = simulate(program, config=CONFIG)
    cluster, target = _provider_urn(sim, "cluster-account"), _provider_urn(sim, "target-account")
    for name in ("cluster-a-in-b", "orders"):
        component = next(r for r in sim.resources if r.name == name and r.type.startswith("irsa-components:index:"))
        descendants = [r for r in _descendants(sim, component.urn) if r.custom]
        assert descendants
        assert all(_uses(r, target) for r in descendants), [(r.name, r.provider) for r in descendants]
    local = [r for r in _descendants(sim, _component(sim, "PodIdentityAssociation", "orders-local").urn) if r.custom]
    assert local and all(_uses(r, cluster) for r in local)
    trust = json.loads(sim.outputs["trust"])
    host = issuer.removeprefix("https://")
    assert trust["Statement"][0]["Principal"] == {"Federated": sim.outputs["provider_arn"]}
    ok = evaluate.web_identity_request(sim.outputs["provider_arn"], host, "system:serviceaccount:orders:api")
    other = evaluate.web_identity_request(sim.outputs["provider_arn"], host, "system:serviceaccount:orders:worker")
    assert evaluate.evaluate(trust, ok).allowed
    assert not evaluate.evaluate(trust, other).allowed
