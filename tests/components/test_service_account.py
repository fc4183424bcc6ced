"""AnnotatedServiceAccount under the SDK mocks: the ServiceAccount and its annotations."""

from __future__ import annotations

import pulumi
import pytest

from irsa_components.components import AnnotatedServiceAccount, IrsaRole
from irsa_components.core.errors import InputError

from .support import ACCOUNT, CONFIG, K8S_SERVICE_ACCOUNT, PROVIDER_ARN, SERVICE_ACCOUNT, Simulate, children, only

ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/payments"


def test_annotated_with_the_role_of_an_irsa_role(simulate: Simulate) -> None:
    def program() -> None:
        role = IrsaRole("payments", {"service_accounts": ["payments/api"], "oidc_provider_arns": [PROVIDER_ARN]})
        sa = AnnotatedServiceAccount("api", {"namespace": "payments", "role_arn": role.arn})
        pulumi.export("name", sa.name)
        pulumi.export("namespace", sa.namespace)
        pulumi.export("role_arn", sa.role_arn)

    sim = simulate(program, config=CONFIG)
    account = only(sim, SERVICE_ACCOUNT, "api", K8S_SERVICE_ACCOUNT)
    assert account.name == "api"
    assert account.inputs["apiVersion"] == "v1" and account.inputs["kind"] == "ServiceAccount"
    assert account.inputs["metadata"] == {
        "name": "api",
        "namespace": "payments",
        "annotations": {"eks.amazonaws.com/role-arn": ROLE_ARN},
    }
    assert sim.outputs == {"name": "api", "namespace": "payments", "role_arn": ROLE_ARN}


def test_without_a_role_it_has_no_annotations(simulate: Simulate) -> None:
    sim = simulate(lambda: AnnotatedServiceAccount("api", {"namespace": "payments"}), config=CONFIG)
    metadata = only(sim, SERVICE_ACCOUNT, "api", K8S_SERVICE_ACCOUNT).inputs["metadata"]
    assert metadata == {"name": "api", "namespace": "payments"}


def test_other_annotations_labels_and_name(simulate: Simulate) -> None:
    sim = simulate(
        lambda: AnnotatedServiceAccount(
            "payments-api",
            {
                "namespace": "payments",
                "service_account_name": "api",
                "role_arn": ROLE_ARN,
                "audience": "custom-aud",
                "sts_regional_endpoints": True,
                "token_expiration": 3600,
                "annotations": {"team": "payments"},
                "labels": {"app.kubernetes.io/name": "api"},
                "automount_service_account_token": False,
            },
        ),
        config=CONFIG,
    )
    kids = children(sim, SERVICE_ACCOUNT, "payments-api")
    (account,) = kids[K8S_SERVICE_ACCOUNT]
    assert account.name == "payments-api"
    assert account.inputs["metadata"] == {
        "name": "api",
        "namespace": "payments",
        "annotations": {
            "team": "payments",
            "eks.amazonaws.com/role-arn": ROLE_ARN,
            "eks.amazonaws.com/audience": "custom-aud",
            "eks.amazonaws.com/sts-regional-endpoints": "true",
            "eks.amazonaws.com/token-expiration": "3600",
        },
        "labels": {"app.kubernetes.io/name": "api"},
    }
    assert account.inputs["automountServiceAccountToken"] is False


def test_annotation_keys_follow_the_kubernetes_key_syntax(simulate: Simulate) -> None:
    def program() -> None:
        AnnotatedServiceAccount(
            "api", {"namespace": "apps", "annotations": {"has space": "x", "example.com/ok": "y", "/bad": "z"}}
        )

    with pytest.raises(InputError) as info:
        simulate(program)
    fields = {p.field for p in info.value.problems}
    assert fields == {"annotations.has space", "annotations./bad"}
