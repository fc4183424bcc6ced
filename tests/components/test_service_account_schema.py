"""What AnnotatedServiceAccount registers validates against the Kubernetes API schema (offline)."""

from __future__ import annotations

from typing import Any

import kubernetes_validate
import pytest

from irsa_components.components import AnnotatedServiceAccount

from .support import ACCOUNT, CONFIG, K8S_SERVICE_ACCOUNT, Simulate

K8S_VERSION = "1.33"


@pytest.mark.parametrize(
    "args",
    [
        {"namespace": "payments"},
        {"namespace": "payments", "role_arn": f"arn:aws:iam::{ACCOUNT}:role/payments"},
        {
            "namespace": "payments",
            "service_account_name": "api.v2",
            "role_arn": f"arn:aws-cn:iam::{ACCOUNT}:role/irsa/payments",
            "audience": "sts.amazonaws.com",
            "sts_regional_endpoints": False,
            "token_expiration": 86400,
            "annotations": {"example.com/owner": "payments"},
            "labels": {"app.kubernetes.io/name": "api"},
            "automount_service_account_token": True,
        },
    ],
)
def test_registered_service_account_is_valid(simulate: Simulate, args: dict[str, Any]) -> None:
    sim = simulate(lambda: AnnotatedServiceAccount("api", args), config=CONFIG)  # type: ignore[arg-type]
    (account,) = sim.of_type(K8S_SERVICE_ACCOUNT)
    kubernetes_validate.validate(account.inputs, K8S_VERSION, strict=True)
    assert account.inputs["metadata"]["namespace"] == "payments"
