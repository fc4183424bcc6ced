"""Outputs the components share or build late: the same values and dependencies as built one by one."""

from __future__ import annotations

import json

import pulumi
import pytest

from irsa_components.components import IrsaRole, OidcProvider, PodIdentityAssociation
from irsa_components.components._inputs import LazyOutputs
from irsa_components.components._lookups import combined

from .support import (
    ACCOUNT,
    ASSOCIATION,
    CONFIG,
    GREEN_ARN,
    GREEN_HOST,
    IRSA_ROLE,
    ISSUER,
    POD_IDENTITY,
    PROVIDER_ARN,
    ROLE,
    Simulate,
    children,
    only,
    trust_of,
)


def test_roles_trusting_the_same_provider_outputs_each_get_their_own_exact_trust(simulate: Simulate) -> None:
    """Two roles, one shared pair of provider-ARN Outputs (as the stack passes them): combined once, exact trusts."""
    seen: dict[str, object] = {}

    def program() -> None:
        blue = OidcProvider("blue", {"issuer_url": ISSUER})
        green = pulumi.Output.from_input(GREEN_ARN)
        arns = [blue.arn, green]
        seen["first"], seen["again"] = combined(arns), combined([blue.arn, green])
        seen["other"] = combined([green, blue.arn])
        for name in ("api", "worker"):
            IrsaRole(
                name,
                {
                    "service_accounts": [f"payments/{name}"],
                    "oidc_provider_arns": arns,
                    "pod_identity_cluster_names": ["prod-blue"] if name == "worker" else [],
                },
            )

    sim = simulate(program, config=CONFIG)
    assert seen["first"] is seen["again"]  # the same objects: one Output.all for the run
    assert seen["other"] is not seen["first"]  # other values (here: another order): another one
    provider = sim.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider")[0]
    for name in ("api", "worker"):
        role = only(sim, IRSA_ROLE, name, ROLE)
        doc = trust_of(role)
        web = [s for s in doc["Statement"] if s["Action"] == "sts:AssumeRoleWithWebIdentity"]
        assert [s["Principal"]["Federated"] for s in web] == [PROVIDER_ARN, GREEN_ARN]
        assert {s["Condition"]["StringEquals"][f"{GREEN_HOST}:sub"] for s in web[1:]} == {
            f"system:serviceaccount:payments:{name}"
        }
        pods = [s for s in doc["Statement"] if s not in web]
        assert len(pods) == (1 if name == "worker" else 0)
        if pods:
            assert pods[0]["Condition"]["StringEquals"]["aws:SourceAccount"] == ACCOUNT
        # The trust still depends on the OIDC provider it names, property and all.
        assert provider.urn in role.property_dependencies["assumeRolePolicy"]


def test_lazy_outputs_are_built_once_on_first_read_and_resolve_as_before(simulate: Simulate) -> None:
    built: dict[str, object] = {}

    def program() -> None:
        pia = PodIdentityAssociation(
            "payments",
            {"cluster_names": ["prod-blue", "prod-green"], "namespace": "payments", "service_account": "api"},
        )
        assert "association_arns" not in vars(pia)  # nothing built until read
        built["first"], built["again"] = pia.association_arns, pia.association_arns
        pulumi.export("association_arns", pia.association_arns)
        pulumi.export("external_ids", pia.external_ids)

    sim = simulate(program, config=CONFIG)
    assert built["first"] is built["again"]
    associations = children(sim, POD_IDENTITY, "payments")[ASSOCIATION]
    assert sorted(sim.outputs["association_arns"]) == sorted(a.state["associationArn"] for a in associations)
    assert len(sim.outputs["external_ids"]) == 2


def test_a_missing_attribute_is_still_an_attribute_error() -> None:
    class Thing(LazyOutputs):
        pass

    thing = Thing()
    thing._defer(value=lambda: 42)
    assert thing.value == 42  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="'Thing' object has no attribute 'other'"):
        _ = thing.other  # type: ignore[attr-defined]
    assert json.dumps(vars(thing)["value"]) == "42"
