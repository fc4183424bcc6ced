"""Bad configs fail before anything is registered, naming the service, the field and the value."""

from __future__ import annotations

from typing import Any

import pytest

from irsa_components.core.errors import InputError

from .crafted import base_config, run


def _problems(config: dict[str, Any], **extra: str) -> list[str]:
    with pytest.raises(InputError) as info:
        run(config, **extra)
    simulation = info.value.simulation  # type: ignore[attr-defined]
    assert simulation.resources == [], "nothing may be registered when the config is invalid"
    return [str(p) for p in info.value.problems]


def _one(problems: list[str], *needles: str) -> None:
    assert any(all(n in p for n in needles) for p in problems), (needles, problems)


def test_every_problem_is_reported_at_once() -> None:
    config = base_config(
        **{
            "payments-api": {"namespace": "Payments", "identity": "irsaa", "clusters": ["bleu"]},
            "orders": {
                "namespace": "orders",
                "maxSessionDuration": 100,
                "managedPolicyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess", "not-an-arn"],
            },
            "reports": {"namespace": "orders", "serviceAccount": "orders"},
        }
    )
    problems = _problems(config)
    _one(problems, "service 'payments-api'", "namespace", "'Payments'", "DNS-1123")
    _one(problems, "service 'payments-api'", "identity", "'irsaa'")
    _one(problems, "service 'payments-api'", "clusters[0]", "'bleu'", "did you mean 'blue'")
    _one(problems, "service 'orders'", "maxSessionDuration", "100")
    _one(problems, "service 'orders'", "managedPolicyArns", "not-an-arn")
    _one(problems, "service 'reports'", "orders/orders", "also claimed by service 'orders'")


def test_missing_environment() -> None:
    config = base_config()
    del config["environment"]
    _one(_problems(config), "irsa:environment", "required")


@pytest.mark.parametrize(
    ("service", "needles"),
    [
        ({"namespace": "a" * 64}, ("namespace", "63")),
        ({"namespace": "apps", "serviceAccount": "Bad_Name"}, ("serviceAccount", "DNS-1123")),
        ({"namespace": "apps", "roleName": "x" * 65}, ("roleName", "64")),
        ({"namespace": "apps", "roleName": "bad name"}, ("roleName", "characters")),
        ({"namespace": "apps", "permissionsBoundary": "arn:aws:iam::123:policy/x"}, ("permissionsBoundary", "12")),
        (
            {"namespace": "apps", "managedPolicyArns": [f"arn:aws:iam::aws:policy/P{i}" for i in range(11)]},
            ("managedPolicyArns", "quota"),
        ),
        (
            {
                "namespace": "apps",
                "policyStatements": [{"Effect": "Permit", "Action": "s3:GetObject", "Resource": "*"}],
            },
            ("policyStatements[0].Effect", "Permit"),
        ),
        ({"namespace": "apps", "identity": "pod-identity", "audience": "custom"}, ("audience", "pod-identity")),
        ({"namespace": "apps", "namesapce": "x"}, ("namesapce", "did you mean 'namespace'")),
    ],
)
def test_service_field_problems(service: dict[str, Any], needles: tuple[str, ...]) -> None:
    _one(_problems(base_config(api=service)), "service 'api'", *needles)


@pytest.mark.parametrize(
    ("cluster", "needles"),
    [
        ({"name": "prod-blue", "oidcIssuerUrl": "http://oidc.example.com"}, ("oidcIssuerUrl", "https")),
        ({"name": "bad name!"}, ("name", "EKS cluster name")),
        ({"name": "prod-blue", "oidcProviderArn": "arn:aws:iam::111122223333:role/x"}, ("oidcProviderArn",)),
        (
            {
                "name": "prod-blue",
                "oidcProviderArn": "arn:aws:iam::111122223333:oidc-provider/x",
                "createOidcProvider": True,
            },
            ("createOidcProvider",),
        ),
    ],
)
def test_cluster_field_problems(cluster: dict[str, Any], needles: tuple[str, ...]) -> None:
    config = base_config()
    config["clusters"]["blue"] = cluster
    _one(_problems(config), "cluster 'blue'", *needles)


def test_role_name_collision_ignoring_case() -> None:
    config = base_config(one={"namespace": "a", "roleName": "Shared"}, two={"namespace": "b", "roleName": "shared"})
    _one(_problems(config), "service 'two'", "roleName", "collides")


def test_trust_too_large_for_the_quota_is_reported_before_apply() -> None:
    clusters = {f"c{i}": {"name": f"prod-c{i}"} for i in range(12)}
    config = {**base_config(api={"namespace": "apps"}), "clusters": clusters}
    _one(_problems(config), "service 'api'", "trust-policy quota")
    config["trustPolicyMaxChars"] = 4096  # a raised limit is honoured
    for extra in ("c11", "c10", "c9", "c8", "c7", "c6", "c5", "c4"):
        del config["clusters"][extra]
    run(config)
    _one(_problems({**config, "trustPolicyMaxChars": 5000}), "irsa:trustPolicyMaxChars", "5000", "4096")


def test_unknown_top_level_setting_is_named() -> None:
    _one(_problems({**base_config(), "servics": {}}), "irsa:servics", "did you mean 'services'")
