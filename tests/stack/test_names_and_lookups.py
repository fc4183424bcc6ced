"""Role names are deterministic and bounded; lookups do not grow with the number of services."""

from __future__ import annotations

from irsa_components.core.names import role_name

from .crafted import ISSUER_BLUE, base_config, run
from .helpers import role_of


def test_long_keys_are_shortened_stably_and_never_collide() -> None:
    # Same first 60 characters once prefixed with the environment: only the hash tells them apart.
    a, b = "a" * 35 + "-one1", "a" * 35 + "-two2"
    services = {a: {"namespace": "pay", "serviceAccount": "one"}, b: {"namespace": "pay", "serviceAccount": "two"}}
    env = "production-eu-central-1-blue-green"
    config = {**base_config(**services), "environment": env}
    sim = run(config)
    names = {key: role_of(sim, key).inputs["name"] for key in services}
    assert all(len(n) <= 64 for n in names.values())
    assert len(set(names.values())) == 2
    again = run(config)
    assert {key: role_of(again, key).inputs["name"] for key in services} == names
    assert names[a] == role_name(env, a)


def test_invokes_do_not_grow_with_services() -> None:
    def tokens(n: int) -> list[str]:
        services = {
            f"svc-{i}": {"namespace": "apps", "serviceAccount": f"sa-{i}", "identity": "both"} for i in range(n)
        }
        sim = run(base_config(**services))
        return sorted(i.token for i in sim.invokes)

    assert tokens(1) == tokens(25)


def test_known_issuer_and_kubeconfig_mean_no_cluster_lookup() -> None:
    config = base_config()
    config["clusters"] = {"blue": {"name": "prod-blue", "oidcIssuerUrl": ISSUER_BLUE, "kubeconfig": "{}"}}
    sim = run(config)
    assert not [i for i in sim.invokes if i.token == "aws:eks/getCluster:getCluster"]


def test_issuer_is_looked_up_once_per_cluster_when_unknown() -> None:
    config = base_config(**{f"s{i}": {"namespace": "apps", "serviceAccount": f"a{i}"} for i in range(5)})
    config["clusters"] = {"blue": {"name": "prod-blue"}, "green": {"name": "prod-green"}}
    sim = run(config)
    looked_up = sorted(i.args["name"] for i in sim.invokes if i.token == "aws:eks/getCluster:getCluster")
    assert looked_up == ["prod-blue", "prod-green"]


def test_created_oidc_provider_is_a_protected_child_of_its_component() -> None:
    config = base_config()
    config["clusters"]["blue"]["createOidcProvider"] = True
    sim = run(config)
    provider = sim.named("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "blue")
    assert provider.protect
    assert provider.parent == sim.named("irsa-components:index:OidcProvider", "blue").urn
    assert provider.inputs["clientIdLists"] == ["sts.amazonaws.com"]
    assert sim.outputs["oidcProviders"]["blue"] == provider.state["arn"]


def test_rendered_clusters_need_no_kubeconfig_and_no_lookup() -> None:
    config = base_config()
    config["clusters"] = {"blue": {"name": "prod-blue", "oidcIssuerUrl": ISSUER_BLUE, "renderYamlToDirectory": "out"}}
    sim = run(config)
    assert not [i for i in sim.invokes if i.token == "aws:eks/getCluster:getCluster"]
    provider = sim.named("pulumi:providers:kubernetes", "blue")
    assert provider.inputs["renderYamlToDirectory"] == "out"
    assert "kubeconfig" not in provider.inputs
