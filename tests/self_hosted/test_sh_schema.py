"""The self-hosted components follow the component conventions the schema analyzer relies on."""

from __future__ import annotations

import pytest
from pulumi.provider.experimental.analyzer import Analyzer

from irsa_components.components import pod_identity_webhook, self_hosted_issuer
from irsa_components.components.pod_identity_webhook import PodIdentityWebhook
from irsa_components.components.self_hosted_issuer import SelfHostedOidcIssuer


@pytest.mark.parametrize(
    ("component", "token", "required"),
    [
        (SelfHostedOidcIssuer, self_hosted_issuer.TYPE, {"bucketName", "publicKeys"}),
        (PodIdentityWebhook, pod_identity_webhook.TYPE, set()),
    ],
)
def test_the_schema_is_inferred_with_a_description_for_every_field(
    component: type, token: str, required: set[str]
) -> None:
    assert token == f"irsa-components:index:{component.__name__}"
    analyzed = Analyzer("irsa-components").analyze([component])
    definition = analyzed["component_definitions"][component.__name__]
    undocumented = [n for n, p in {**definition.inputs, **definition.outputs}.items() if not p.description]
    assert undocumented == []
    assert {n for n, p in definition.inputs.items() if not p.optional} == required
