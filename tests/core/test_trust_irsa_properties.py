"""Properties: an IRSA trust built by core.trust admits exactly its service accounts, judged by core.evaluate."""

from __future__ import annotations

from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from irsa_components.core.evaluate import Request, evaluate, web_identity_request
from irsa_components.core.kubernetes import ServiceAccountRef
from irsa_components.core.trust import irsa_statements, trust_policy, workload_trust_policy

from .strategies import accounts, labels, providers, service_account_sets, service_accounts, subdomains


def admits(
    doc: dict[str, Any], provider: tuple[str, str], sa: ServiceAccountRef, audience: str = "sts.amazonaws.com"
) -> bool:
    arn, host = provider
    return evaluate(doc, web_identity_request(arn, host, sa.subject, audience)).allowed


@given(service_account_sets, providers())
def test_admits_every_declared_service_account(sas: list[ServiceAccountRef], provider: tuple[str, str]) -> None:
    doc = workload_trust_policy(sas, [provider[0]])
    assert all(admits(doc, provider, sa) for sa in sas)


@given(service_account_sets, providers(), service_accounts)
def test_refuses_any_other_service_account(
    sas: list[ServiceAccountRef], provider: tuple[str, str], other: ServiceAccountRef
) -> None:
    assume(other not in sas)
    assert not admits(workload_trust_policy(sas, [provider[0]]), provider, other)


@given(service_account_sets, providers(), st.data())
def test_refuses_extensions_and_prefixes_of_names(
    sas: list[ServiceAccountRef], provider: tuple[str, str], data: st.DataObject
) -> None:
    doc = workload_trust_policy(sas, [provider[0]])
    sa = data.draw(st.sampled_from(sas))
    variants = [
        ServiceAccountRef(sa.namespace, sa.name + "2"),
        ServiceAccountRef(sa.namespace, sa.name + "-x"),
        ServiceAccountRef(sa.namespace + "2", sa.name),
        ServiceAccountRef(sa.namespace.upper(), sa.name),
        ServiceAccountRef(sa.namespace, sa.name.upper()),
    ]
    if len(sa.name) > 1:
        variants.append(ServiceAccountRef(sa.namespace, sa.name[:-1]))
    if len(sa.namespace) > 1:
        variants.append(ServiceAccountRef(sa.namespace[:-1], sa.name))
    for variant in variants:
        if variant not in sas:
            assert not admits(doc, provider, variant), variant


@given(service_account_sets, providers())
def test_namespace_and_name_are_not_mixed_across_declared_accounts(
    sas: list[ServiceAccountRef], provider: tuple[str, str]
) -> None:
    doc = workload_trust_policy(sas, [provider[0]])
    for a in sas:
        for b in sas:
            crossed = ServiceAccountRef(a.namespace, b.name)
            assert admits(doc, provider, crossed) == (crossed in sas)


@given(service_account_sets, providers(), providers())
def test_refuses_tokens_of_another_issuer(
    sas: list[ServiceAccountRef], provider: tuple[str, str], other: tuple[str, str]
) -> None:
    assume(other[1] != provider[1])
    doc = workload_trust_policy(sas, [provider[0]])
    sa = sas[0]
    assert not admits(doc, other, sa)
    # The trusted provider as principal, but the token's claims come from another issuer.
    assert not admits(doc, (provider[0], other[1]), sa)


@given(service_account_sets, providers(), accounts)
def test_refuses_the_same_issuer_registered_in_another_account(
    sas: list[ServiceAccountRef], provider: tuple[str, str], account: str
) -> None:
    arn, host = provider
    parts = arn.split(":")
    assume(parts[4] != account)
    elsewhere = ":".join([*parts[:4], account, parts[5]])
    assert not admits(workload_trust_policy(sas, [arn]), (elsewhere, host), sas[0])


@given(service_account_sets, providers(), st.sampled_from(["sts.amazonaws.com.cn", "STS.amazonaws.com", "", "other"]))
def test_refuses_other_audiences(sas: list[ServiceAccountRef], provider: tuple[str, str], audience: str) -> None:
    assert not admits(workload_trust_policy(sas, [provider[0]]), provider, sas[0], audience)


@given(service_account_sets, providers(), st.lists(labels, min_size=1, max_size=3, unique=True))
def test_custom_audiences_replace_the_default(
    sas: list[ServiceAccountRef], provider: tuple[str, str], audiences: list[str]
) -> None:
    doc = workload_trust_policy(sas, [provider[0]], audiences)
    assert all(admits(doc, provider, sas[0], a) for a in audiences)
    assert admits(doc, provider, sas[0]) == ("sts.amazonaws.com" in audiences)


@given(service_account_sets, providers(), st.sampled_from(["Service", "AWS"]))
def test_refuses_other_principal_types_and_actions(
    sas: list[ServiceAccountRef], provider: tuple[str, str], principal_type: str
) -> None:
    arn, host = provider
    doc = workload_trust_policy(sas, [arn])
    context = {f"{host}:sub": sas[0].subject, f"{host}:aud": "sts.amazonaws.com"}
    assert not evaluate(doc, Request("sts:AssumeRoleWithWebIdentity", principal_type, arn, context)).allowed
    assert not evaluate(doc, Request("sts:AssumeRole", "Federated", arn, context)).allowed
    assert not evaluate(doc, Request("sts:TagSession", "Federated", arn, context)).allowed


@given(service_account_sets, st.lists(providers(), min_size=2, max_size=4, unique_by=lambda p: p[1]))
def test_several_providers_each_admit_the_same_accounts(
    sas: list[ServiceAccountRef], clusters: list[tuple[str, str]]
) -> None:
    trusted, untrusted = clusters[:-1], clusters[-1]
    doc = workload_trust_policy(sas, [arn for arn, _ in trusted])
    assert len(doc["Statement"]) == len(trusted)
    for provider in trusted:
        assert all(admits(doc, provider, sa) for sa in sas)
        assert not admits(doc, provider, ServiceAccountRef(sas[0].namespace, sas[0].name + "x"))
    assert not admits(doc, untrusted, sas[0])


@given(labels, providers(), subdomains, labels)
def test_namespace_wildcard_admits_the_namespace_only(
    namespace: str, provider: tuple[str, str], name: str, other_namespace: str
) -> None:
    doc = trust_policy(irsa_statements([provider[0]], [ServiceAccountRef(namespace, "*")]))
    assert admits(doc, provider, ServiceAccountRef(namespace, name))
    for elsewhere in (f"{namespace}-other", f"{namespace}2", namespace[:-1], other_namespace):
        if elsewhere and elsewhere != namespace:
            assert not admits(doc, provider, ServiceAccountRef(elsewhere, name)), elsewhere


@given(labels, providers(), service_accounts)
def test_wildcard_and_exact_entries_combine(
    namespace: str, provider: tuple[str, str], exact: ServiceAccountRef
) -> None:
    doc = workload_trust_policy([ServiceAccountRef(namespace, "*"), exact], [provider[0]])
    assert admits(doc, provider, exact)
    assert admits(doc, provider, ServiceAccountRef(namespace, "anything"))
    if exact.namespace != namespace:
        assert not admits(doc, provider, ServiceAccountRef(exact.namespace, exact.name + "x"))
