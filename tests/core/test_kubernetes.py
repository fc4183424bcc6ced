"""Kubernetes names, service-account references, annotations, labels and manifests."""

from __future__ import annotations

import pytest

from irsa_components.core import kubernetes as k
from irsa_components.core.kubernetes import ServiceAccountRef


@pytest.mark.parametrize("namespace", ["a", "default", "team-a", "0", "a" * 63, "kube-system"])
def test_valid_namespaces(namespace: str) -> None:
    assert k.namespace_problem(namespace) is None


@pytest.mark.parametrize(
    "namespace", ["", None, "A", "team_a", "team.a", "-a", "a-", "a" * 64, "ns\n", "ns ", "ünï", "a/b"]
)
def test_invalid_namespaces(namespace: object) -> None:
    assert k.namespace_problem(namespace) is not None


@pytest.mark.parametrize("name", ["api", "api.v1", "a-b.c-d", "0", "a" * 253])
def test_valid_service_account_names(name: str) -> None:
    assert k.service_account_name_problem(name) is None


@pytest.mark.parametrize("name", ["", None, "Api", "a_b", ".a", "a.", "a..b", "a" * 254, "api\n", "a*"])
def test_invalid_service_account_names(name: object) -> None:
    assert k.service_account_name_problem(name) is not None


def test_parse_service_account() -> None:
    ref = k.parse_service_account("payments/api")
    assert ref == ServiceAccountRef("payments", "api")
    assert ref.subject == "system:serviceaccount:payments:api"
    assert str(ref) == "payments/api" and not ref.is_wildcard


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("api", "namespace/name"),
        ("a/b/c", "namespace/name"),
        (None, "namespace/name"),
        ("Payments/api", "namespace 'Payments'"),
        ("payments/API", "name 'API'"),
        ("payments/api\n", "name 'api\\n'"),
        ("payments/*", "wildcard"),
        ("payments/api-*", "only as the whole name"),
        ("payments/ap?", "only as the whole name"),
        ("*/api", "namespace '*'"),
    ],
)
def test_parse_service_account_rejects(value: object, fragment: str) -> None:
    with pytest.raises(ValueError, match=None) as info:
        k.parse_service_account(value)
    assert fragment in str(info.value)


def test_namespace_wildcard_needs_opt_in() -> None:
    ref = k.parse_service_account("payments/*", allow_wildcard=True)
    assert ref.is_wildcard and ref.subject == "system:serviceaccount:payments:*"


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("system:serviceaccount:ns:sa", ServiceAccountRef("ns", "sa")),
        ("system:serviceaccount:ns:*", ServiceAccountRef("ns", "*")),
        ("system:serviceaccount:ns", None),
        ("system:node:ns:sa", None),
        ("system:serviceaccount:ns:sa:extra", None),
    ],
)
def test_service_account_from_subject(subject: str, expected: ServiceAccountRef | None) -> None:
    assert k.service_account_from_subject(subject) == expected


def test_subject_round_trips() -> None:
    ref = ServiceAccountRef("ns", "a.b")
    assert k.service_account_from_subject(ref.subject) == ref


@pytest.mark.parametrize(
    ("seconds", "ok"), [(600, True), (86400, True), (599, False), (0, False), (True, False), ("600", False)]
)
def test_token_expiration(seconds: object, ok: bool) -> None:
    assert (k.token_expiration_problem(seconds) is None) is ok


def test_annotations_use_the_webhook_keys_and_override_extra() -> None:
    annotations = k.service_account_annotations(
        role_arn="arn:aws:iam::111122223333:role/app",
        audience="sts.amazonaws.com",
        sts_regional_endpoints=True,
        token_expiration=3600,
        extra={"team": "payments", "eks.amazonaws.com/role-arn": "spoofed"},
    )
    assert annotations == {
        "team": "payments",
        "eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/app",
        "eks.amazonaws.com/audience": "sts.amazonaws.com",
        "eks.amazonaws.com/sts-regional-endpoints": "true",
        "eks.amazonaws.com/token-expiration": "3600",
    }
    assert k.service_account_annotations(sts_regional_endpoints=False) == {
        "eks.amazonaws.com/sts-regional-endpoints": "false"
    }
    assert k.service_account_annotations() == {}


def test_manifest() -> None:
    manifest = k.service_account_manifest(
        "api", "payments", annotations={"a": "b"}, labels={"app": "api"}, automount_service_account_token=False
    )
    assert manifest == {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": "api", "namespace": "payments", "annotations": {"a": "b"}, "labels": {"app": "api"}},
        "automountServiceAccountToken": False,
    }
    bare = k.service_account_manifest("api", "payments")
    assert bare == {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "api", "namespace": "payments"}}


@pytest.mark.parametrize(
    "labels",
    [
        {"app": "api"},
        {"app.kubernetes.io/name": "api"},
        {"example.com/team": ""},
        {"a": "A-b_c.9"},
        {"k": "v" * 63},
    ],
)
def test_valid_labels(labels: dict[str, str]) -> None:
    assert k.label_problems(labels) == []


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("", "v", "key name"),
        ("/app", "v", "prefix"),
        ("Example.com/app", "v", "prefix"),
        ("a/b/c", "v", "prefix"),
        ("example.com/", "v", "key name"),
        ("-app", "v", "key name"),
        ("a" * 64, "v", "key name"),
        ("app", "-v", "value"),
        ("app", "v" * 64, "value"),
        ("app", "has space", "value"),
        ("app", "v\n", "value"),
        ("app\n", "v", "key name"),
    ],
)
def test_invalid_labels(key: str, value: str, fragment: str) -> None:
    ((bad_key, bad_value, message),) = k.label_problems({key: value})
    assert (bad_key, bad_value) == (key, value)
    assert fragment in message


def test_eks_kubeconfig_uses_aws_eks_get_token() -> None:
    config = k.eks_kubeconfig("c", "https://endpoint", "Q0E=", "eu-west-1")
    user = config["users"][0]["user"]["exec"]
    assert user["command"] == "aws"
    assert user["args"] == ["eks", "get-token", "--cluster-name", "c", "--region", "eu-west-1", "--output", "json"]
    assert config["clusters"][0]["cluster"] == {"server": "https://endpoint", "certificate-authority-data": "Q0E="}
    assert config["current-context"] == "c"
