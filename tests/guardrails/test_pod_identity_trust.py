"""irsa-pod-identity-trust (mandatory) and irsa-pod-identity-pinning (advisory)."""

from __future__ import annotations

from irsa_components.core.kubernetes import ServiceAccountRef
from irsa_components.core.trust import pod_identity_statement, trust_policy
from irsa_components.guardrails.values import UNKNOWN_OBJECT, UNKNOWN_STRING

from .helpers import ACCOUNT, CLUSTER_ARN, ROLE, codes, messages, pod_statement, resource_args, role_props, trust

TRUST = "irsa-pod-identity-trust"
PINNING = "irsa-pod-identity-pinning"


def run(name: str, doc: object, config: dict[str, object] | None = None) -> list[str]:
    return messages(name, resource_args(ROLE, role_props(doc), name="ledger-exporter", config=config))


def test_a_trust_built_by_the_library_passes_both() -> None:
    doc = trust_policy([pod_identity_statement(ACCOUNT, [CLUSTER_ARN], ServiceAccountRef("payments", "exporter"))])
    assert run(TRUST, doc) == []
    assert run(PINNING, doc) == []


def test_without_tag_session_is_mandatory() -> None:
    found = run(TRUST, trust(pod_statement(actions=["sts:AssumeRole"])))
    assert len(found) == 1 and "[missing-tag-session]" in found[0] and "sts:TagSession" in found[0]
    assert "aws:iam/role:Role 'ledger-exporter'" in found[0]


def test_without_source_account_is_mandatory() -> None:
    found = run(TRUST, trust(pod_statement(account=None)))
    assert len(found) == 1 and "[account-unpinned]" in found[0] and "aws:SourceAccount" in found[0]
    assert ", e.g. EKS Pod Identity for 'payments'/'ledger-exporter'" in found[0]


def test_source_account_and_tags_pinned_with_a_wildcard_are_not_pinned() -> None:
    # StringLike "*" on aws:SourceAccount and the session tags pins nothing (issue 12).
    stars = {
        "aws:SourceAccount": "*",
        "aws:RequestTag/eks-cluster-arn": "*",
        "aws:RequestTag/kubernetes-namespace": "*",
        "aws:RequestTag/kubernetes-service-account": "*",
    }
    statement = {**pod_statement(), "Condition": {"StringLike": stars}}
    assert codes(run(TRUST, trust(statement))) == ["account-unpinned"]
    assert codes(run(PINNING, trust(statement))) == ["cluster-unpinned", "namespace-unpinned"]


def test_source_accounts_can_be_restricted_by_config() -> None:
    doc = trust(pod_statement())
    assert run(TRUST, doc, {"allowedSourceAccounts": [ACCOUNT]}) == []
    found = run(TRUST, doc, {"allowedSourceAccounts": ["444455556666"]})
    assert len(found) == 1 and "[source-account-not-allowed]" in found[0]


def test_pinning_is_advisory_and_names_what_is_missing() -> None:
    assert run(TRUST, trust(pod_statement(namespace=None, service_account=None, cluster_arn=None))) == []
    found = run(PINNING, trust(pod_statement(namespace=None, service_account=None, cluster_arn=None)))
    assert codes(found) == ["cluster-unpinned", "namespace-unpinned"]
    only_sa = run(PINNING, trust(pod_statement(service_account=None)))
    assert len(only_sa) == 1 and "kubernetes-service-account" in only_sa[0]


def test_cluster_pinning_can_be_relaxed_by_config() -> None:
    doc = trust(pod_statement(cluster_arn=None))
    assert run(PINNING, doc)
    assert run(PINNING, doc, {"requireCluster": False}) == []


def test_unknown_conditions_are_undecided_never_a_silent_pass() -> None:
    statement = {**pod_statement(), "Condition": UNKNOWN_OBJECT}
    doc = {"Version": "2012-10-17", "Statement": [statement]}
    assert codes(run(TRUST, doc)) == ["undecided"]
    assert codes(run(PINNING, doc)) == ["undecided"]
    assert codes(run(TRUST, UNKNOWN_STRING)) == ["undecided"]
