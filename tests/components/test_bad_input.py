"""Bad input: one InputError listing every problem (component, field, value), raised before registration."""

from __future__ import annotations

from typing import Any

import pytest

from irsa_components.components import AnnotatedServiceAccount, IrsaRole, OidcProvider, PodIdentityAssociation
from irsa_components.core.errors import InputError

from .support import ACCOUNT, CONFIG, ISSUER, PROVIDER_ARN, REGION_IN, Simulate, input_error, problem_fields

IRSA: dict[str, Any] = {"service_accounts": ["payments/api"], "oidc_provider_arns": [PROVIDER_ARN]}
PODS: dict[str, Any] = {"cluster_names": ["blue"], "namespace": "payments", "service_account": "api"}
MANY_SAS = [f"namespace-{i:02d}/service-account-{i:02d}" for i in range(40)]


def irsa(simulate: Simulate, **changes: Any) -> InputError:
    return input_error(simulate, lambda: IrsaRole("payments", {**IRSA, **changes}), config=CONFIG)  # type: ignore[typeddict-item]


@pytest.mark.parametrize(
    ("changes", "field", "value"),
    [
        ({"service_accounts": ["Payments/api"]}, "service_accounts[0]", "Payments/api"),
        ({"service_accounts": ["payments/api_v2"]}, "service_accounts[0]", "payments/api_v2"),
        ({"service_accounts": ["payments/" + "a" * 254]}, "service_accounts[0]", "payments/" + "a" * 254),
        ({"service_accounts": ["payments/*"]}, "service_accounts[0]", "payments/*"),
        ({"service_accounts": []}, "service_accounts", []),
        ({"role_name": "r" * 65}, "role_name", "r" * 65),
        ({"role_name": "payments api"}, "role_name", "payments api"),
        ({"path": "irsa/"}, "path", "irsa/"),
        ({"path": "/irsa//x/"}, "path", "/irsa//x/"),
        ({"max_session_duration": 900}, "max_session_duration", 900),
        ({"max_session_duration": 43201}, "max_session_duration", 43201),
        (
            {"oidc_provider_arns": ["arn:aws:iam::123:oidc-provider/x"]},
            "oidc_provider_arns[0]",
            "arn:aws:iam::123:oidc-provider/x",
        ),
        (
            {"oidc_provider_arns": ["arn:aws:iam::123456789012:role/x"]},
            "oidc_provider_arns[0]",
            "arn:aws:iam::123456789012:role/x",
        ),
        (
            {"oidc_provider_arns": ["arn:gcp:iam::123456789012:oidc-provider/x"]},
            "oidc_provider_arns[0]",
            "arn:gcp:iam::123456789012:oidc-provider/x",
        ),
        ({"oidc_provider_arns": []}, "oidc_provider_arns", []),
        ({"permissions_boundary": "boundary"}, "permissions_boundary", "boundary"),
        ({"managed_policy_arns": ["arn:aws:s3:::bucket"]}, "managed_policy_arns[0]", "arn:aws:s3:::bucket"),
        ({"audiences": ["sts.*"]}, "audiences[0]", "sts.*"),
        ({"pod_identity_cluster_names": ["blue cluster"]}, "pod_identity_cluster_names[0]", "blue cluster"),
        ({"tags": {"aws:owner": "me"}}, "tags.aws:owner", "aws:owner"),
        ({"policy_statements": [{"Effect": "Allow", "Action": "s3:GetObject"}]}, "policy_statements[0].Resource", None),
    ],
)
def test_irsa_role_problem(simulate: Simulate, changes: dict[str, Any], field: str, value: Any) -> None:
    error = irsa(simulate, **changes)
    matching = [p for p in error.problems if p.field == field]
    assert matching, problem_fields(error)
    assert matching[0].value == value
    assert matching[0].subject == "IrsaRole 'payments'"
    assert f"IrsaRole 'payments': {field}={value!r}" in str(error)


def test_every_problem_is_listed_at_once(simulate: Simulate) -> None:
    error = irsa(
        simulate,
        service_accounts=["Bad/api", "payments/ok", "payments/ok"],
        role_name="x" * 70,
        path="nope",
        max_session_duration=10,
        managed_policy_arns=["bogus"],
    )
    assert problem_fields(error) == [
        "service_accounts[0]",
        "service_accounts[2]",
        "role_name",
        "path",
        "max_session_duration",
        "managed_policy_arns[0]",
    ]
    assert str(error).startswith("6 invalid inputs:")


@pytest.mark.parametrize("partition", ["aws", "aws-cn", "aws-us-gov"])
def test_partitions_are_accepted_in_every_arn_input(simulate: Simulate, partition: str) -> None:
    def program() -> None:
        IrsaRole(
            "payments",
            {
                "service_accounts": ["payments/api"],
                "oidc_provider_arns": [PROVIDER_ARN.replace("arn:aws:", f"arn:{partition}:")],
                "permissions_boundary": f"arn:{partition}:iam::{ACCOUNT}:policy/boundary",
                "managed_policy_arns": [f"arn:{partition}:iam::aws:policy/ReadOnlyAccess"],
            },
        )
        PodIdentityAssociation("pods", {**PODS, "target_role_arn": f"arn:{partition}:iam::{ACCOUNT}:role/target"})  # type: ignore[typeddict-item]
        AnnotatedServiceAccount("api", {"namespace": "payments", "role_arn": f"arn:{partition}:iam::{ACCOUNT}:role/x"})
        OidcProvider("adopted", {"existing_provider_arn": PROVIDER_ARN.replace("arn:aws:", f"arn:{partition}:")})

    assert simulate(program, config={**CONFIG, "aws:region": REGION_IN[partition]}).resources


def test_managed_policy_quota_default_and_configurable(simulate: Simulate) -> None:
    arns = [f"arn:aws:iam::aws:policy/Policy{i}" for i in range(11)]
    error = irsa(simulate, managed_policy_arns=arns)
    (problem,) = error.problems
    assert (problem.field, problem.value) == ("managed_policy_arns", 11)
    assert "quota of 10" in problem.message
    sim = simulate(lambda: IrsaRole("payments", {**IRSA, "managed_policy_arns": arns, "max_managed_policies": 20}))  # type: ignore[typeddict-item]
    assert len(sim.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")) == 11


def test_trust_size_quota_default_and_configurable(simulate: Simulate) -> None:
    error = irsa(simulate, service_accounts=MANY_SAS)
    (problem,) = error.problems
    assert problem.field == "service_accounts"
    chars = int(problem.value.split()[0])
    assert 2048 < chars <= 4096 and "2048-character" in problem.message
    sim = simulate(lambda: IrsaRole("payments", {**IRSA, "service_accounts": MANY_SAS, "trust_policy_max_chars": 4096}))  # type: ignore[typeddict-item]
    assert sim.of_type("aws:iam/role:Role")


def test_trust_size_is_reported_with_the_other_problems(simulate: Simulate) -> None:
    error = irsa(simulate, service_accounts=MANY_SAS, role_name="bad name")
    assert problem_fields(error) == ["role_name", "service_accounts"]


def test_trust_size_is_checked_once_provider_arns_are_known(simulate: Simulate) -> None:
    # Fits with a typical EKS issuer as the estimate, but this issuer is much longer.
    long_issuer = "https://" + "issuer-" * 30 + ".example.com/id"
    sas = MANY_SAS[:25]

    def program() -> None:
        provider = OidcProvider("custom", {"issuer_url": long_issuer})
        IrsaRole("payments", {"service_accounts": sas, "oidc_provider_arns": [provider.arn]})

    with pytest.raises(Exception) as info:
        simulate(program, config=CONFIG)
    assert "IrsaRole 'payments': service_accounts=" in str(info.value)
    assert "trust-policy quota" in str(info.value)


@pytest.mark.parametrize(
    ("args", "field", "value"),
    [
        ({"issuer_url": "http://oidc.example.com/id/x"}, "issuer_url", "http://oidc.example.com/id/x"),
        ({"issuer_url": "https://oidc.example.com:8443/x"}, "issuer_url", "https://oidc.example.com:8443/x"),
        ({}, "issuer_url", None),
        ({"issuer_url": ISSUER, "cluster_name": "blue"}, "cluster_name", "blue"),
        ({"cluster_name": "-blue"}, "cluster_name", "-blue"),
        (
            {"existing_provider_arn": "arn:aws:iam::123456789012:role/x"},
            "existing_provider_arn",
            "arn:aws:iam::123456789012:role/x",
        ),
        (
            {"existing_provider_arn": PROVIDER_ARN, "issuer_url": "https://other.example.com"},
            "issuer_url",
            "https://other.example.com",
        ),
        ({"issuer_url": ISSUER, "thumbprints": ["abc"]}, "thumbprints[0]", "abc"),
        ({"issuer_url": ISSUER, "client_ids": []}, "client_ids", []),
        ({"issuer_url": ISSUER, "client_ids": ["x" * 256]}, "client_ids[0]", "x" * 256),
    ],
)
def test_oidc_provider_problem(simulate: Simulate, args: dict[str, Any], field: str, value: Any) -> None:
    error = input_error(simulate, lambda: OidcProvider("blue", args))  # type: ignore[arg-type]
    assert any(p.field == field and p.value == value and p.subject == "OidcProvider 'blue'" for p in error.problems), (
        error.problems
    )


@pytest.mark.parametrize(
    ("changes", "field", "value"),
    [
        ({"namespace": "Payments"}, "namespace", "Payments"),
        ({"service_account": "api_v2"}, "service_account", "api_v2"),
        ({"cluster_names": []}, "cluster_names", []),
        ({"cluster_names": ["blue", "blue"]}, "cluster_names", ["blue", "blue"]),
        ({"cluster_names": ["blue.cluster"]}, "cluster_names[0]", "blue.cluster"),
        ({"role_arn": "arn:aws:iam::123456789012:user/x"}, "role_arn", "arn:aws:iam::123456789012:user/x"),
        ({"target_role_arn": "role/x"}, "target_role_arn", "role/x"),
        ({"role_arn": f"arn:aws:iam::{ACCOUNT}:role/x", "role_name": "x"}, "role_name", "x"),
        (
            {"session_policy_statements": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]},
            "session_policy_statements",
            "(set)",
        ),
        ({"max_session_duration": 100}, "max_session_duration", 100),
        ({"association_tags": {"aws:x": "y"}}, "association_tags.aws:x", "aws:x"),
    ],
)
def test_pod_identity_problem(simulate: Simulate, changes: dict[str, Any], field: str, value: Any) -> None:
    error = input_error(simulate, lambda: PodIdentityAssociation("pods", {**PODS, **changes}), config=CONFIG)  # type: ignore[typeddict-item]
    assert any(p.field == field and p.value == value for p in error.problems), error.problems
    assert all(p.subject == "PodIdentityAssociation 'pods'" for p in error.problems)


@pytest.mark.parametrize(
    ("args", "field", "value"),
    [
        ({"namespace": "payments_ns"}, "namespace", "payments_ns"),
        ({"namespace": "payments", "service_account_name": "API"}, "service_account_name", "API"),
        ({"namespace": "payments", "token_expiration": 300}, "token_expiration", 300),
        ({"namespace": "payments", "audience": ""}, "audience", ""),
        (
            {"namespace": "payments", "annotations": {"eks.amazonaws.com/role-arn": "x"}},
            "annotations.eks.amazonaws.com/role-arn",
            "x",
        ),
        ({"namespace": "payments", "labels": {"app": "has space"}}, "labels.app", "has space"),
        ({"namespace": "payments", "role_arn": "not-an-arn"}, "role_arn", "not-an-arn"),
        (
            {"namespace": "payments", "role_arn": "arn:aws:iam::123456789012:policy/x"},
            "role_arn",
            "arn:aws:iam::123456789012:policy/x",
        ),
    ],
)
def test_service_account_problem(simulate: Simulate, args: dict[str, Any], field: str, value: Any) -> None:
    error = input_error(simulate, lambda: AnnotatedServiceAccount("api", args))  # type: ignore[arg-type]
    assert [(p.field, p.value) for p in error.problems] == [(field, value)]
    assert error.problems[0].subject == "AnnotatedServiceAccount 'api'"


def test_default_service_account_name_must_be_valid(simulate: Simulate) -> None:
    error = input_error(simulate, lambda: AnnotatedServiceAccount("Payments_API", {"namespace": "payments"}))
    assert [(p.field, p.value) for p in error.problems] == [("service_account_name", "Payments_API")]


def test_pod_identity_trust_size_quota_default_and_configurable(simulate: Simulate) -> None:
    clusters = [f"cluster-number-{i:02d}" for i in range(30)]
    error = input_error(
        simulate,
        lambda: PodIdentityAssociation("pods", {**PODS, "cluster_names": clusters}),  # type: ignore[typeddict-item]
        config=CONFIG,
    )
    ((field, message),) = [(p.field, p.message) for p in error.problems]
    assert field == "cluster_names" and "2048-character" in message
    sim = simulate(
        lambda: PodIdentityAssociation("pods", {**PODS, "cluster_names": clusters, "trust_policy_max_chars": 4096}),  # type: ignore[typeddict-item]
        config=CONFIG,
    )
    assert len(sim.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")) == 30
