"""Keys are DNS-1123 labels up to 63 characters; derived names fit their limits and never collide."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from irsa_components.core.errors import InputError
from irsa_components.core.names import role_name_problem
from irsa_components.offline import Simulation
from irsa_components.stack import naming
from irsa_components.stack.config import decode_config, parse_stack_config
from tests.conftest import stack_config

from .crafted import ACCOUNT, ISSUER_BLUE, ISSUER_GREEN, base_config, flat, run

COVERED = {
    naming.OIDC_PROVIDER,
    f"{naming.OIDC_PROVIDER}${naming.OPENID_PROVIDER}",
    naming.POD_IDENTITY,
    f"{naming.POD_IDENTITY}${naming.ASSOCIATION}",
    naming.SERVICE_ACCOUNT,
    f"{naming.SERVICE_ACCOUNT}${naming.K8S_SERVICE_ACCOUNT}",
    f"{naming.IRSA_ROLE}${naming.ATTACHMENT}",
    f"{naming.IRSA_ROLE}${naming.POLICY}",
    f"{naming.CROSS_ACCOUNT_POD_IDENTITY}${naming.POD_IDENTITY}${naming.ASSOCIATION}",
    f"{naming.CROSS_ACCOUNT_POD_IDENTITY}${naming.CROSS_ACCOUNT_ROLE}${naming.ATTACHMENT}",
}


def problems(config: dict[str, Any]) -> list[str]:
    with pytest.raises(InputError) as info:
        run(config)
    assert info.value.simulation.resources == []  # type: ignore[attr-defined]
    return [str(p) for p in info.value.problems]


def engine_urns(sim: Simulation) -> set[tuple[str, str]]:
    """(URN type, name) of every registration as the engine forms them: every ancestor's type chained."""
    by_urn = {r.urn: r for r in sim.resources}

    def chain(urn: str) -> str:
        r = by_urn[urn]
        return f"{chain(r.parent)}${r.type}" if r.parent in by_urn else r.type

    return {(chain(r.urn), r.name) for r in sim.resources}


def planned_of(flat_config: dict[str, str]) -> set[tuple[str, str]]:
    config = parse_stack_config(decode_config(flat_config), region=flat_config.get("aws:region"))
    from irsa_components.stack.checks import addon_checks

    layouts: dict[str, Any] = {}
    raw = json.loads(flat_config["irsa:services"])
    for key, entry in raw.items():
        addon_checks(key, entry, None, layouts)
    return {(p.urn_type, p.name) for p in naming.planned(config, layouts)}


# Keys ---------------------------------------------------------------------------------------------


def test_a_service_key_may_be_any_dns_label_up_to_63_characters() -> None:
    key = "a" + "-b" * 31  # 63 characters
    sim = run(base_config(**{key: {"namespace": "payments", "serviceAccount": "api"}}))
    (role,) = sim.of_type("aws:iam/role:Role")
    name = role.inputs["name"]
    assert len(name) <= 64 and role_name_problem(name) is None and name.startswith("prod-a-b-b")
    assert {r.name for r in sim.of_type(naming.SERVICE_ACCOUNT)} == {f"{key}-blue", f"{key}-green"}


def test_a_key_too_long_says_how_long_it_is() -> None:
    found = problems(base_config(**{"x" * 64: {"namespace": "payments"}}))
    assert any("(key)='" + "x" * 64 + "': is 64 characters; keys are DNS-1123 labels of at most 63" in p for p in found)


@pytest.mark.parametrize("key", ["Payments", "-api", "api-", "api_v2", "api.v2"])
def test_a_key_that_is_no_dns_label_is_refused(key: str) -> None:
    found = problems(base_config(**{key: {"namespace": "payments"}}))
    assert any(f"(key)={key!r}: is not a DNS-1123 label" in p for p in found), found


def test_derived_names_stay_within_their_limits() -> None:
    assert len(naming.session_name("e" * 40, "a" * 63)) == 64
    assert naming.session_name("prod", "shared") == "irsa-prod-shared"  # unchanged where it fits


# Collisions ---------------------------------------------------------------------------------------


def test_service_accounts_of_two_services_on_two_clusters_cannot_meet() -> None:
    config = base_config(
        **{
            "a": {"namespace": "one", "clusters": ["b-c"]},
            "a-b": {"namespace": "two", "clusters": ["c"]},
        }
    )
    config["clusters"] = {
        "b-c": {"name": "prod-bc", "oidcIssuerUrl": ISSUER_BLUE},
        "c": {"name": "prod-c", "oidcIssuerUrl": ISSUER_GREEN},
    }
    (found,) = problems(config)
    assert found == (
        "service 'a-b': (key)='a-b-c': the ServiceAccount two/a-b on cluster 'c' would be registered as 'a-b-c', like "
        "the ServiceAccount one/a on cluster 'b-c' of service 'a': keys joined with '-' meet here, and Pulumi refuses "
        "two resources of one type with one name; rename one of the services (renamedFrom keeps a deployed service's "
        "resources)"
    )


def test_oidc_providers_of_two_accounts_cannot_meet() -> None:
    config = base_config(
        **{
            "x": {"namespace": "x", "account": "c", "clusters": ["a-b"]},
            "y": {"namespace": "y", "account": "b-c", "clusters": ["a"]},
        }
    )
    config["clusters"] = {
        "a-b": {"name": "prod-ab", "oidcIssuerUrl": ISSUER_BLUE, "kubeconfig": "{}"},
        "a": {"name": "prod-a", "oidcIssuerUrl": ISSUER_GREEN, "kubeconfig": "{}"},
    }
    config["accounts"] = {
        "c": {"roleArn": "arn:aws:iam::222233334444:role/deploy"},
        "b-c": {"roleArn": "arn:aws:iam::333344445555:role/deploy"},
    }
    found = problems(config)
    assert [p.split(": ")[1] for p in found] == ["(key)='a-b-c'"]
    assert "the OIDC provider of cluster 'a-b' in account 'c'" in found[0]
    assert "rename the cluster or the account key" in found[0]


def test_attachments_of_two_services_cannot_meet() -> None:
    found = problems(
        base_config(
            orders={"namespace": "orders", "managedPolicyArns": [f"arn:aws:iam::{ACCOUNT}:policy/api-reader"]},
            **{"orders-api": {"namespace": "orders", "managedPolicyArns": [f"arn:aws:iam::{ACCOUNT}:policy/reader"]}},
        )
    )
    assert [p.split(": ")[0] for p in found] == ["service 'orders-api'"]
    assert "like the attachment of arn:aws:iam::111122223333:policy/api-reader of service 'orders'" in found[0]


def test_associations_of_two_services_cannot_meet() -> None:
    config = base_config(
        a={"namespace": "a", "identity": "pod-identity", "clusters": ["blue"]},
        **{"a-x": {"namespace": "b", "identity": "pod-identity", "clusters": ["green"]}},
    )
    config["clusters"]["blue"]["name"] = "x-main"
    config["clusters"]["green"]["name"] = "main"
    found = problems(config)
    assert any("service 'a-x': (key)='a-x-main': the association of b/a-x on cluster 'main'" in p for p in found), found


def test_the_offline_run_refuses_duplicate_urns_like_the_engine(simulate: Any) -> None:
    from irsa_components.components import IrsaRole

    arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"

    def program() -> None:
        IrsaRole("a", {"service_accounts": ["a/b"], "oidc_provider_arns": [arn], "managed_policy_arns": [f"{P}b-X"]})
        IrsaRole("a-b", {"service_accounts": ["a/c"], "oidc_provider_arns": [arn], "managed_policy_arns": [f"{P}X"]})

    with pytest.raises(InputError) as raised:
        simulate(program)
    (problem,) = raised.value.problems
    assert problem.value == "irsa-components:index:IrsaRole$aws:iam/rolePolicyAttachment:RolePolicyAttachment::a-b-X"
    assert "the Pulumi engine refuses duplicate URNs" in problem.message


P = "arn:aws:iam::aws:policy/"
EFS = f"arn:aws:elasticfilesystem:eu-west-1:{ACCOUNT}:file-system/fs-0123456789abcdef0"


# The list of names is exactly what the program registers --------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "staging", "prod", "local"])
def test_the_planned_names_are_the_registered_ones_for_the_committed_stacks(stack: str) -> None:
    from irsa_components.offline import run_program
    from irsa_components.stack.program import main

    config, secrets = stack_config(stack)
    sim = run_program(main, config=config, stack=stack, secret_keys=secrets)
    registered = {u for u in engine_urns(sim) if u[0] in COVERED}
    assert planned_of(config) == registered


def _crafted() -> dict[str, Any]:
    config = base_config(
        api={"namespace": "payments", "identity": "both", "managedPolicyArns": [f"{P}ReadOnlyAccess"]},
        efs={"addon": "efs-csi", "identity": "pod-identity", "addonScope": {"fileSystemArns": [EFS]}},
        dns={"addon": "external-dns", "addonScope": {"hostedZoneArns": ["arn:aws:route53:::hostedzone/Z1"]}},
        far={"namespace": "far", "account": "shared", "identity": "pod-identity", "managedPolicyArns": [f"{P}X"]},
        near={"namespace": "near", "account": "shared", "clusters": ["blue"]},
    )
    config["clusters"]["green"]["createOidcProvider"] = True
    config["accounts"] = {"shared": {"roleArn": "arn:aws:iam::222233334444:role/deploy"}}
    return config


def test_the_planned_names_are_the_registered_ones_for_every_kind_of_service() -> None:
    config = _crafted()
    sim = run(config)
    registered = {u for u in engine_urns(sim) if u[0] in COVERED}
    assert {t for t, _ in registered} == COVERED  # every kind is exercised
    assert planned_of(flat(config)) == registered


KEYS = st.sampled_from(["a", "b", "a-b", "b-a", "a-b-a", "ab"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    services=st.dictionaries(KEYS, st.sampled_from(["irsa", "pod-identity", "both"]), min_size=1, max_size=4),
    clusters=st.lists(KEYS, min_size=1, max_size=3, unique=True),
)
def test_the_check_finds_exactly_the_duplicates_the_engine_would(services: dict[str, str], clusters: list[str]) -> None:
    config = base_config(**{k: {"namespace": f"ns-{i}", "identity": v} for i, (k, v) in enumerate(services.items())})
    config["clusters"] = {
        c: {"name": c, "oidcIssuerUrl": f"{ISSUER_BLUE[: -len(c) - 1]}{i}{c}"} for i, c in enumerate(clusters)
    }
    try:
        sim = run(config)
    except InputError as exc:
        assert any("keys joined with '-' meet here" in p.message for p in exc.problems), exc
        assert exc.simulation.resources == []  # type: ignore[attr-defined]
        return
    urns = [u for u in engine_urns(sim)]
    assert len(urns) == len(sim.resources), "two registrations share an engine URN"
