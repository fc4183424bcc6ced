"""An association onto a role whose trust cannot admit Pod Identity for its service account is an error."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from irsa_components.components import IrsaRole, PodIdentityAssociation
from irsa_components.core.errors import InputError

from .support import ASSOCIATION, CONFIG, PROVIDER_ARN, Simulate

PODS: dict[str, Any] = {"cluster_names": ["blue"], "namespace": "payments", "service_account": "api"}


def role(**extra: Any) -> IrsaRole:
    return IrsaRole("payments", {"service_accounts": ["payments/api"], "oidc_provider_arns": [PROVIDER_ARN], **extra})  # type: ignore[typeddict-item]


def refusal(simulate: Simulate, build: Any) -> InputError:
    with pytest.raises(InputError) as raised:
        simulate(build, config=CONFIG)
    registered = raised.value.simulation.resources  # type: ignore[attr-defined]
    assert ASSOCIATION not in {r.type for r in registered}, "an association was registered"
    (problem,) = raised.value.problems
    assert (problem.subject, problem.field) == ("PodIdentityAssociation 'pods'", "role_arn")
    assert problem.value == "IrsaRole 'payments'.arn"
    return raised.value


def test_an_irsa_only_role_is_refused_naming_the_role_and_the_fix(simulate: Simulate) -> None:
    error = refusal(simulate, lambda: PodIdentityAssociation("pods", {**PODS, "role_arn": role().arn}))
    assert error.problems[0].message == (
        "is the role of IrsaRole 'payments', whose trust does not admit EKS Pod Identity for payments/api on cluster "
        "'blue': pods would get AccessDenied; set pod_identity_cluster_names on IrsaRole 'payments' (and "
        "pod_identity_session_tags like the association's session tags) and list the service account in its "
        "service_accounts"
    )


def test_a_cluster_the_role_does_not_trust_is_named(simulate: Simulate) -> None:
    def program() -> None:
        r = role(pod_identity_cluster_names=["blue"])
        PodIdentityAssociation("pods", {**PODS, "cluster_names": ["blue", "green"], "role_arn": r.arn})

    assert "on cluster 'green':" in refusal(simulate, program).problems[0].message


def test_another_service_account_is_refused(simulate: Simulate) -> None:
    def program() -> None:
        r = role(pod_identity_cluster_names=["blue"])
        PodIdentityAssociation("pods", {**PODS, "service_account": "worker", "role_arn": r.arn})

    assert "for payments/worker on cluster 'blue'" in refusal(simulate, program).problems[0].message


def test_session_tags_off_on_the_association_but_pinned_in_the_trust_is_refused(simulate: Simulate) -> None:
    def program() -> None:
        r = role(pod_identity_cluster_names=["blue"])
        PodIdentityAssociation("pods", {**PODS, "disable_session_tags": True, "role_arn": r.arn})

    assert "Pod Identity without session tags" in refusal(simulate, program).problems[0].message


def test_a_role_in_another_region_than_the_cluster_is_refused(simulate: Simulate) -> None:
    def program() -> None:
        virginia = aws.Provider("virginia", region="us-east-1")
        r = role(pod_identity_cluster_names=["blue"])  # trusts blue in eu-west-1
        PodIdentityAssociation("pods", {**PODS, "role_arn": r.arn}, opts=pulumi.ResourceOptions(provider=virginia))

    refusal(simulate, program)


@pytest.mark.parametrize("session_tags", [True, False])
def test_a_role_that_admits_the_service_account_is_accepted(simulate: Simulate, session_tags: bool) -> None:
    def program() -> None:
        r = role(pod_identity_cluster_names=["blue", "green"], pod_identity_session_tags=session_tags)
        PodIdentityAssociation(
            "pods",
            {**PODS, "cluster_names": ["blue", "green"], "disable_session_tags": not session_tags, "role_arn": r.arn},
        )

    sim = simulate(program, config=CONFIG)
    assert len(sim.of_type(ASSOCIATION)) == 2


def test_roles_from_elsewhere_cannot_be_checked_and_pass(simulate: Simulate) -> None:
    def program() -> None:
        other = aws.iam.Role("other", assume_role_policy="{}")
        PodIdentityAssociation("pods", {**PODS, "role_arn": other.arn})
        PodIdentityAssociation("plain", {**PODS, "service_account": "x", "role_arn": role().arn.apply(str)})

    assert len(simulate(program, config=CONFIG).of_type(ASSOCIATION)) == 2
