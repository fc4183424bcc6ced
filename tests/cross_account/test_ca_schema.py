"""The cross-account components follow the component conventions the schema analyzer relies on."""

from __future__ import annotations

import pytest
from pulumi.provider.experimental.analyzer import Analyzer

from irsa_components.components import cross_account
from irsa_components.components.cross_account import CrossAccountPodIdentity, CrossAccountRole


@pytest.mark.parametrize(
    ("component", "token", "required", "outputs"),
    [
        (CrossAccountRole, cross_account.TYPE, {"sourceType", "sourceRoleArn"}, {"arn", "trustPolicy"}),
        (
            CrossAccountPodIdentity,
            cross_account.POD_IDENTITY_TYPE,
            {"targetProvider", "clusterNames", "namespace", "serviceAccount"},
            {"associationRoleArn", "targetRoleArn", "targetTrustPolicy", "externalIds"},
        ),
    ],
)
def test_the_schema_is_inferred_with_a_description_for_every_field(
    component: type, token: str, required: set[str], outputs: set[str]
) -> None:
    assert token == f"irsa-components:index:{component.__name__}"
    analyzed = Analyzer("irsa-components").analyze([component])
    definition = analyzed["component_definitions"][component.__name__]
    undocumented = [n for n, p in {**definition.inputs, **definition.outputs}.items() if not p.description]
    assert undocumented == []
    assert {n for n, p in definition.inputs.items() if not p.optional} == required
    assert outputs <= set(definition.outputs)
