"""OidcProvider under the SDK mocks: created and protected, looked up by cluster, or adopted."""

from __future__ import annotations

import pulumi

from irsa_components.components import OidcProvider

from .support import ACCOUNT, CONFIG, HOST, ISSUER, OIDC, OIDC_PROVIDER, PROVIDER_ARN, Simulate, children, only

THUMBPRINT = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"


def export(provider: OidcProvider) -> None:
    pulumi.export("arn", provider.arn)
    pulumi.export("issuer_url", provider.issuer_url)
    pulumi.export("issuer_host", provider.issuer_host)


def test_creates_a_protected_provider_for_the_issuer(simulate: Simulate) -> None:
    sim = simulate(lambda: export(OidcProvider("blue", {"issuer_url": ISSUER})), config=CONFIG)
    provider = only(sim, OIDC_PROVIDER, "blue", OIDC)
    assert provider.name == "blue"
    assert provider.protect is True
    assert provider.inputs["url"] == ISSUER
    assert provider.inputs["clientIdLists"] == ["sts.amazonaws.com"]
    assert "thumbprintLists" not in provider.inputs
    assert sim.outputs == {"arn": PROVIDER_ARN, "issuer_url": ISSUER, "issuer_host": HOST}
    assert sim.invokes == []


def test_protection_can_be_turned_off(simulate: Simulate) -> None:
    sim = simulate(lambda: OidcProvider("blue", {"issuer_url": ISSUER, "protect": False}), config=CONFIG)
    assert only(sim, OIDC_PROVIDER, "blue", OIDC).protect is False


def test_client_ids_thumbprints_and_tags(simulate: Simulate) -> None:
    sim = simulate(
        lambda: OidcProvider(
            "blue",
            {
                "issuer_url": ISSUER,
                "client_ids": ["sts.amazonaws.com", "custom"],
                "thumbprints": [THUMBPRINT],
                "tags": {"cluster": "blue"},
            },
        ),
        config=CONFIG,
    )
    inputs = only(sim, OIDC_PROVIDER, "blue", OIDC).inputs
    assert inputs["clientIdLists"] == ["sts.amazonaws.com", "custom"]
    assert inputs["thumbprintLists"] == [THUMBPRINT]
    assert inputs["tags"] == {"cluster": "blue"}


def test_issuer_is_looked_up_by_cluster_name(simulate: Simulate) -> None:
    sim = simulate(lambda: export(OidcProvider("blue", {"cluster_name": "blue-cluster"})), config=CONFIG)
    (invoke,) = sim.invokes
    assert invoke.token == "aws:eks/getCluster:getCluster" and invoke.args == {"name": "blue-cluster"}
    url = only(sim, OIDC_PROVIDER, "blue", OIDC).inputs["url"]
    assert url.startswith("https://oidc.eks.eu-west-1.amazonaws.com/id/")
    assert sim.outputs["issuer_url"] == url
    assert sim.outputs["issuer_host"] == url.removeprefix("https://")
    assert sim.outputs["arn"] == f"arn:aws:iam::{ACCOUNT}:oidc-provider/{sim.outputs['issuer_host']}"


def test_adopting_an_existing_provider_registers_no_iam_resource(simulate: Simulate) -> None:
    sim = simulate(lambda: export(OidcProvider("blue", {"existing_provider_arn": PROVIDER_ARN})), config=CONFIG)
    assert children(sim, OIDC_PROVIDER, "blue") == {}
    assert [r.type for r in sim.resources] == [OIDC_PROVIDER]
    assert sim.outputs == {"arn": PROVIDER_ARN, "issuer_url": ISSUER, "issuer_host": HOST}
    assert sim.invokes == []


def test_adopting_with_a_matching_issuer_url(simulate: Simulate) -> None:
    sim = simulate(
        lambda: export(OidcProvider("blue", {"existing_provider_arn": PROVIDER_ARN, "issuer_url": ISSUER + "/"})),
        config=CONFIG,
    )
    assert children(sim, OIDC_PROVIDER, "blue") == {}
    assert sim.outputs["issuer_host"] == HOST
