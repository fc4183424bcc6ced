"""Every committed stack file, run through the real program under the SDK's mocks."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from irsa_components.core.kubernetes import ROLE_ARN_ANNOTATION
from irsa_components.offline import Simulation, run_program
from irsa_components.stack.config import StackConfig, decode_config, parse_stack_config
from irsa_components.stack.program import main, read_config
from tests.conftest import stack_config

from .helpers import (
    ASSOCIATION,
    SERVICE_ACCOUNT,
    Env,
    admits_irsa,
    admits_pod_identity,
    cluster_arn,
    env_of,
    issuer_host,
    provider_arn,
    role_of,
    trust_of,
)

STACKS = ["dev", "staging", "prod", "local"]


@dataclass(frozen=True)
class Stack:
    name: str
    sim: Simulation
    config: StackConfig
    env: Env


def _run(stack: str) -> Stack:
    config_map, secrets = stack_config(stack)
    sim = run_program(main, config=config_map, stack=stack, secret_keys=secrets)
    return Stack(stack, sim, parse_stack_config(decode_config(config_map)), env_of(config_map))


@pytest.fixture(scope="module", params=STACKS)
def stack(request: pytest.FixtureRequest) -> Stack:
    return _run(request.param)


def test_one_role_per_service_named_after_environment_and_key(stack: Stack) -> None:
    sim, config = stack.sim, stack.config
    roles = {key: role_of(sim, key) for key in config.services}
    assert len(sim.of_type("aws:iam/role:Role")) == len(config.services)
    for key, role in roles.items():
        assert role.inputs["name"] == f"{config.environment}-{key}"
        assert role.inputs["path"] == config.role_path
        assert role.inputs["tags"]["environment"] == config.environment
        assert role.inputs["tags"]["service"] == key
    assert set(sim.outputs["roles"]) == set(config.services)


def test_trust_admits_exactly_the_declared_identities(stack: Stack) -> None:
    sim, config, env = stack.sim, stack.config, stack.env
    identities = {(s.namespace, config.service_account_of(k)) for k, s in config.services.items()}
    # Also probe near misses of every declared identity.
    probes = set(identities)
    for ns, sa in identities:
        probes |= {(ns, sa + "x"), (ns, sa[:-1]), (ns + "-x", sa), ("default", sa), ("kube-system", sa)}
    for key, service in config.services.items():
        doc = trust_of(sim, key)
        mine = (service.namespace, config.service_account_of(key))
        for cluster_key, (ns, sa) in itertools.product(config.clusters, probes):
            expected_irsa = config.uses_irsa(key) and cluster_key in config.clusters_of(key) and (ns, sa) == mine
            got = admits_irsa(
                doc, provider_arn(config, env, cluster_key), issuer_host(config, env, cluster_key), ns, sa
            )
            assert got == expected_irsa, (key, cluster_key, ns, sa)
            expected_pod = config.uses_pod_identity(key) and cluster_key in config.clusters_of(key) and (ns, sa) == mine
            got = admits_pod_identity(
                doc, env, cluster_arn(config, env, cluster_key), config.clusters[cluster_key].name, ns, sa
            )
            assert got == expected_pod, (key, cluster_key, ns, sa)
        # Never another audience, never another account.
        for cluster_key in config.clusters_of(key):
            assert not admits_irsa(
                doc,
                provider_arn(config, env, cluster_key),
                issuer_host(config, env, cluster_key),
                *mine,
                audience="sts.amazonaws.com.evil",
            )
            assert not admits_pod_identity(
                doc,
                env,
                cluster_arn(config, env, cluster_key),
                config.clusters[cluster_key].name,
                *mine,
                account="999999999999",
            )


def test_service_accounts_are_annotated_with_their_role_exactly_where_expected(stack: Stack) -> None:
    sim, config = stack.sim, stack.config
    accounts = {r.name: r for r in sim.of_type(SERVICE_ACCOUNT)}
    expected = {
        f"{k}-{c}" for k, s in config.services.items() if s.create_service_account for c in config.clusters_of(k)
    }
    assert set(accounts) == expected
    for key in config.services:
        role = role_of(sim, key)
        for cluster_key in config.clusters_of(key):
            sa = accounts.get(f"{key}-{cluster_key}")
            if sa is None:
                continue
            metadata = sa.inputs["metadata"]
            assert metadata["name"] == config.service_account_of(key)
            assert metadata["namespace"] == config.services[key].namespace
            annotations = metadata.get("annotations", {})
            if config.uses_irsa(key):
                assert annotations[ROLE_ARN_ANNOTATION] == role.state["arn"]
            else:
                assert ROLE_ARN_ANNOTATION not in annotations


def test_associations_exist_exactly_for_pod_identity_services(stack: Stack) -> None:
    sim, config = stack.sim, stack.config
    got = {
        (a.inputs["clusterName"], a.inputs["namespace"], a.inputs["serviceAccount"], a.inputs["roleArn"])
        for a in sim.of_type(ASSOCIATION)
    }
    expected = {
        (config.clusters[c].name, s.namespace, config.service_account_of(k), role_of(sim, k).state["arn"])
        for k, s in config.services.items()
        if config.uses_pod_identity(k)
        for c in config.clusters_of(k)
    }
    assert got == expected


def test_kubernetes_objects_go_to_their_own_cluster(stack: Stack) -> None:
    sim, config = stack.sim, stack.config
    providers = {r.name: r.urn for r in sim.of_type("pulumi:providers:kubernetes")}
    for sa in sim.of_type(SERVICE_ACCOUNT):
        cluster_key = next(c for c in config.clusters if sa.name.endswith(f"-{c}"))
        assert sa.provider.startswith(providers[cluster_key] + "::")


def test_lookups_are_made_once_per_stack_and_cluster(stack: Stack) -> None:
    sim, config = stack.sim, stack.config
    tokens = [i.token for i in sim.invokes]
    assert tokens.count("aws:index/getCallerIdentity:getCallerIdentity") == 1
    assert tokens.count("aws:index/getPartition:getPartition") == 1
    assert tokens.count("aws:index/getRegion:getRegion") == 1
    looked_up = [i.args["name"] for i in sim.invokes if i.token == "aws:eks/getCluster:getCluster"]
    assert len(looked_up) == len(set(looked_up)) <= len(config.clusters)


def test_oidc_providers_created_only_where_asked_and_protected(stack: Stack) -> None:
    sim, config, env = stack.sim, stack.config, stack.env
    created = {r.name: r for r in sim.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider")}
    assert set(created) == {k for k, c in config.clusters.items() if c.create_oidc_provider}
    assert all(r.protect for r in created.values())
    for key in config.clusters:
        if any(config.uses_irsa(s) and key in config.clusters_of(s) for s in config.services):
            assert sim.outputs["oidcProviders"][key] == provider_arn(config, env, key)


def test_read_config_decodes_objects() -> None:
    import pulumi

    pulumi.runtime.set_all_config(
        {"irsa:environment": "dev", "irsa:services": '{"a": {"namespace": "x"}}', "aws:region": "eu-west-1"}
    )
    assert read_config() == {"environment": "dev", "services": {"a": {"namespace": "x"}}}
