"""irsa-pod-identity-association-trusted: each association's role must admit EKS's request for it."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel

from irsa_components.core.kubernetes import ServiceAccountRef
from irsa_components.core.trust import pod_identity_statement, trust_policy
from irsa_components.guardrails.values import UNKNOWN_BOOLEAN, UNKNOWN_STRING

from .helpers import (
    ACCOUNT,
    ASSOCIATION,
    CLUSTER_ARN,
    ROLE,
    Res,
    pod_statement,
    policy,
    role_state,
    stack_args,
    trust,
    violations,
    web_statement,
)

POLICY = "irsa-pod-identity-association-trusted"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/prod-ledger-exporter"


def role(doc: object = None, **extra: object) -> Res:
    return Res(ROLE, "ledger-exporter", role_state(doc or trust(pod_statement()), name="prod-ledger-exporter", **extra))


def association(**props: object) -> Res:
    base: dict[str, object] = {
        "clusterName": "prod-blue",
        "namespace": "payments",
        "serviceAccount": "ledger-exporter",
        "roleArn": ROLE_ARN,
    }
    base.update(props)
    return Res(ASSOCIATION, "ledger-exporter-prod-blue", base)


def found(*resources: Res) -> list[tuple[str, str | None]]:
    return violations(policy(POLICY), stack_args(resources))


def test_level() -> None:
    assert policy(POLICY).enforcement_level == EnforcementLevel.MANDATORY


def test_a_matching_association_passes() -> None:
    assert found(role(), association()) == []
    doc = trust_policy([pod_identity_statement(ACCOUNT, [CLUSTER_ARN], ServiceAccountRef("payments", "*"))])
    assert found(role(doc), association()) == []


def test_another_namespace_service_account_or_cluster_is_refused() -> None:
    for wrong in (
        association(namespace="orders"),
        association(serviceAccount="x"),
        association(clusterName="prod-green"),
    ):
        result = found(role(), wrong)
        assert len(result) == 1, wrong.props
        message, urn = result[0]
        assert urn == wrong.urn and "[association-not-trusted]" in message and "Fix: " in message
        assert "sts:AssumeRole" in message


def test_disabling_session_tags_breaks_a_trust_pinned_by_tags() -> None:
    result = found(role(), association(disableSessionTags=True))
    assert len(result) == 1 and "without session tags" in result[0][0]
    unpinned = role(trust(pod_statement(namespace=None, service_account=None, cluster_arn=None)))
    assert found(unpinned, association(disableSessionTags=True)) == []


def test_a_role_without_pod_identity_trust_is_reported() -> None:
    result = found(role(trust(web_statement())), association())
    assert len(result) == 1 and "[association-role-not-pod-identity]" in result[0][0]


def test_missing_tag_session_is_caught_by_evaluation() -> None:
    result = found(role(trust(pod_statement(actions=["sts:AssumeRole"]))), association())
    assert len(result) == 1 and "sts:TagSession" in result[0][0]


def test_the_region_comes_from_the_association_or_its_provider() -> None:
    # Another region than the one the trust pins: refused.
    moved = association(region="us-east-1")
    assert len(found(role(), moved)) == 1
    other_provider = association()
    other_provider.provider_props = {"region": "us-east-1"}
    assert len(found(role(), other_provider)) == 1


def test_before_arns_are_known_it_connects_by_property_dependencies_and_the_pinned_cluster() -> None:
    unknown = role(arn=UNKNOWN_STRING)
    pending = association(roleArn=UNKNOWN_STRING)
    pending.provider_props = {}
    assert found(unknown, pending) == []  # not connected: skipped
    pending.property_dependencies = {"roleArn": ["ledger-exporter"]}
    assert found(unknown, pending) == []
    wrong = association(roleArn=UNKNOWN_STRING, namespace="orders")
    wrong.provider_props = {}
    wrong.property_dependencies = {"roleArn": ["ledger-exporter"]}
    assert len(found(unknown, wrong)) == 1


def test_unknowns_are_undecided_never_violations_nor_silent_passes() -> None:
    def undecided(*resources: Res) -> bool:
        return [m[:12] for m, _ in found(*resources)] == ["[undecided] "]

    assert undecided(role(UNKNOWN_STRING), association(namespace="orders"))
    assert undecided(role(), association(namespace=UNKNOWN_STRING))
    assert undecided(role(), association(disableSessionTags=UNKNOWN_BOOLEAN))
    assert found(role(), association(roleArn=f"arn:aws:iam::{ACCOUNT}:role/elsewhere", namespace="orders")) == []
