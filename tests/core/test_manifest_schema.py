"""ServiceAccount manifests built by core.kubernetes validate against the Kubernetes API schema (offline)."""

from __future__ import annotations

from typing import Any

import kubernetes_validate
import pytest

from irsa_components.core.kubernetes import service_account_annotations, service_account_manifest

K8S_VERSION = "1.33"


def check(manifest: dict[str, Any]) -> None:
    kubernetes_validate.validate(manifest, K8S_VERSION, strict=True)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"annotations": service_account_annotations(role_arn="arn:aws:iam::111122223333:role/app")},
        {
            "annotations": service_account_annotations(
                role_arn="arn:aws:iam::111122223333:role/app",
                audience="sts.amazonaws.com",
                sts_regional_endpoints=True,
                token_expiration=3600,
                extra={"team": "payments"},
            ),
            "labels": {"app.kubernetes.io/name": "api"},
            "automount_service_account_token": False,
        },
    ],
)
def test_manifest_is_a_valid_service_account(kwargs: dict[str, Any]) -> None:
    check(service_account_manifest("api", "payments", **kwargs))


def test_the_schema_check_can_fail() -> None:
    manifest = service_account_manifest("api", "payments", automount_service_account_token=False)
    with pytest.raises(kubernetes_validate.ValidationError):
        check({**manifest, "automountServiceAccountToken": "no"})
    with pytest.raises(kubernetes_validate.ValidationError):
        check({**manifest, "metadata": {**manifest["metadata"], "annotations": {"n": 3600}}})
