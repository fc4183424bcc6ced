"""PodIdentityWebhook under the SDK mocks: a pinned chart, the values it is given, the provider it uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest

from irsa_components.components.pod_identity_webhook import (
    CHART_REPOSITORY,
    CHART_VERSION,
    PodIdentityWebhook,
    PodIdentityWebhookArgs,
)
from irsa_components.core.errors import InputError
from irsa_components.offline import Registration, Simulation

Simulate = Callable[..., Simulation]
CHART = "kubernetes:helm.sh/v4:Chart"
NAMESPACE = "kubernetes:core/v1:Namespace"


def _run(
    simulate: Simulate, args: dict[str, Any] | None = None, *, provider_style: str | None = "provider"
) -> Simulation:
    def program() -> None:
        opts = None
        if provider_style is not None:
            kube = k8s.Provider("lab-cluster", kubeconfig="{}")
            opts = (
                pulumi.ResourceOptions(provider=kube)
                if provider_style == "provider"
                else pulumi.ResourceOptions(providers={"kubernetes": kube})
            )
        webhook_args: PodIdentityWebhookArgs = args or {}  # type: ignore[assignment]
        hook = PodIdentityWebhook("irsa", webhook_args, opts=opts)
        pulumi.export("namespace", hook.namespace)
        pulumi.export("chart_version", hook.chart_version)

    return simulate(program)


def _one(sim: Simulation, type_: str) -> Registration:
    found = sim.of_type(type_)
    assert len(found) == 1, [r.name for r in found]
    return found[0]


def test_the_chart_is_pinned_and_comes_from_the_chart_repository(simulate: Simulate) -> None:
    sim = _run(simulate)
    chart = _one(sim, CHART).inputs
    assert chart["chart"] == "amazon-eks-pod-identity-webhook"
    assert chart["version"] == CHART_VERSION
    assert chart["repositoryOpts"] == {"repo": CHART_REPOSITORY}
    assert chart["namespace"] == "pod-identity-webhook"
    assert sim.outputs == {"namespace": "pod-identity-webhook", "chart_version": CHART_VERSION}


def test_the_webhook_mints_sts_tokens_and_uses_regional_sts(simulate: Simulate) -> None:
    values = _one(_run(simulate, {"aws_default_region": "eu-west-1"}), CHART).inputs["values"]
    assert values["config"]["tokenAudience"] == "sts.amazonaws.com"
    assert values["config"]["stsRegionalEndpoint"] is True
    assert values["config"]["defaultAwsRegion"] == "eu-west-1"
    assert values["config"]["tokenExpiration"] == 86400
    assert values["replicaCount"] == 2
    assert values["mutatingWebhook"]["failurePolicy"] == "Ignore"
    assert values["pki"] == {"certManager": {"enabled": True}}


@pytest.mark.parametrize("style", ["provider", "providers"])
def test_the_kubernetes_provider_is_honoured(simulate: Simulate, style: str) -> None:
    sim = _run(simulate, provider_style=style)
    kube = _one(sim, "pulumi:providers:kubernetes")
    for registration in (_one(sim, CHART), _one(sim, NAMESPACE)):
        assert registration.provider.startswith(kube.urn + "::"), registration.provider


def test_children_are_parented_and_prefixed(simulate: Simulate) -> None:
    sim = _run(simulate)
    component = _one(sim, "irsa-components:index:PodIdentityWebhook")
    children = sim.children(component.urn)
    assert {c.type for c in children} == {CHART, NAMESPACE}
    assert all(c.name.startswith("irsa-") for c in children)
    chart = _one(sim, CHART)
    assert _one(sim, NAMESPACE).urn in chart.dependencies
    assert _one(sim, NAMESPACE).inputs["metadata"]["name"] == "pod-identity-webhook"


def test_an_existing_namespace_is_used_as_is(simulate: Simulate) -> None:
    sim = _run(simulate, {"namespace": "kube-system", "create_namespace": False})
    assert sim.of_type(NAMESPACE) == []
    assert _one(sim, CHART).inputs["namespace"] == "kube-system"


def test_without_cert_manager_the_serving_certificate_comes_from_a_secret(simulate: Simulate) -> None:
    sim = _run(
        simulate,
        {"cert_manager": False, "tls_secret_name": "webhook-tls", "ca_bundle": "-----BEGIN CERTIFICATE-----..."},
    )
    pki = _one(sim, CHART).inputs["values"]["pki"]
    assert pki == {
        "certManager": {"enabled": False},
        "existingSecret": "webhook-tls",
        "caBundle": "-----BEGIN CERTIFICATE-----...",
    }


def test_an_existing_cluster_issuer_can_sign_the_certificate(simulate: Simulate) -> None:
    pki = _one(_run(simulate, {"cert_manager_issuer": "internal-ca"}), CHART).inputs["values"]["pki"]
    assert pki["certManager"]["existingIssuer"] == {"enabled": True, "name": "internal-ca", "kind": "ClusterIssuer"}


def test_extra_values_are_merged_over_the_components(simulate: Simulate) -> None:
    values = _one(
        _run(simulate, {"values": {"config": {"tokenExpiration": 3600}, "nodeSelector": {"role": "infra"}}}), CHART
    ).inputs["values"]
    assert values["config"]["tokenExpiration"] == 3600
    assert values["config"]["tokenAudience"] == "sts.amazonaws.com"
    assert values["nodeSelector"] == {"role": "infra"}


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"chart_version": "2.x"}, "chart_version"),
        ({"chart_version": ""}, "chart_version"),
        ({"chart_repository": "http://charts.example.com"}, "chart_repository"),
        ({"namespace": "Pod_Identity"}, "namespace"),
        ({"aws_default_region": "Europe"}, "aws_default_region"),
        ({"token_expiration": 300}, "token_expiration"),
        ({"replicas": 0}, "replicas"),
        ({"failure_policy": "Retry"}, "failure_policy"),
        ({"cert_manager": False}, "tls_secret_name"),
        ({"cert_manager": False, "tls_secret_name": "webhook-tls"}, "ca_bundle"),
        ({"tls_secret_name": "webhook-tls"}, "tls_secret_name"),
    ],
)
def test_invalid_inputs_are_refused(simulate: Simulate, args: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as raised:
        _run(simulate, args)
    assert field in {p.field for p in raised.value.problems}
