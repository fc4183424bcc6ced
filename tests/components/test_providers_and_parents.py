"""Children are parented to their component, explicit providers reach children and invokes, invokes are shared."""

from __future__ import annotations

from collections import Counter

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pytest

from irsa_components.components import AnnotatedServiceAccount, IrsaRole, OidcProvider, PodIdentityAssociation
from irsa_components.offline import Simulation

from .support import COMPONENT_TYPES, CONFIG, ISSUER, Simulate, provider_ref

AWS_PROVIDER = "pulumi:providers:aws"
K8S_PROVIDER = "pulumi:providers:kubernetes"
LOOKUPS = {
    "aws:index/getCallerIdentity:getCallerIdentity",
    "aws:index/getPartition:getPartition",
    "aws:index/getRegion:getRegion",
}


def every_component(suffix: str = "", aws_opts: pulumi.ResourceOptions | None = None) -> None:
    provider = OidcProvider(f"cluster{suffix}", {"issuer_url": f"{ISSUER}{suffix}"}, opts=aws_opts)
    role = IrsaRole(
        f"api{suffix}",
        {
            "service_accounts": ["payments/api"],
            "oidc_provider_arns": [provider.arn],
            "pod_identity_cluster_names": ["blue"],
            "managed_policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
            "policy_statements": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
        },
        opts=aws_opts,
    )
    PodIdentityAssociation(
        f"worker{suffix}",
        {"cluster_names": ["blue"], "namespace": "payments", "service_account": f"worker{suffix}"},
        opts=aws_opts,
    )
    AnnotatedServiceAccount(f"api{suffix}", {"namespace": "payments", "role_arn": role.arn})


def test_every_child_is_parented_to_its_component_and_prefixed_with_its_name(simulate: Simulate) -> None:
    sim = simulate(every_component, config=CONFIG)
    components = {r.urn: r for r in sim.resources if r.type in COMPONENT_TYPES}
    assert Counter(r.type for r in components.values()) == Counter(COMPONENT_TYPES)
    others = [r for r in sim.resources if r.urn not in components]
    assert len(others) == 7  # provider; role, attachment, inline policy; role, association; ServiceAccount
    for child in others:
        assert child.parent in components, f"{child.urn} is parented to {child.parent}"
        assert child.name.startswith(components[child.parent].name)
    stack = {r.parent for r in components.values()}
    assert len(stack) == 1 and "pulumi:pulumi:Stack" in stack.pop()


def check_aws_provider(sim: Simulation, ref: str) -> None:
    aws_children = [r for r in sim.resources if r.custom and r.type.startswith("aws:")]
    assert aws_children and all(r.provider == ref for r in aws_children)
    assert sim.invokes and all(i.provider == ref for i in sim.invokes)


@pytest.mark.parametrize("style", ["provider", "providers"])
def test_explicit_aws_provider_reaches_children_and_invokes(simulate: Simulate, style: str) -> None:
    def program() -> None:
        east = aws.Provider("east", region="us-east-1")
        opts = (
            pulumi.ResourceOptions(provider=east) if style == "provider" else pulumi.ResourceOptions(providers=[east])
        )
        OidcProvider("looked-up", {"cluster_name": "blue"}, opts=opts)
        every_component(aws_opts=opts)

    sim = simulate(program, config=CONFIG)
    ref = provider_ref(sim, AWS_PROVIDER, "east")
    check_aws_provider(sim, ref)
    assert {i.token for i in sim.invokes} == {*LOOKUPS, "aws:eks/getCluster:getCluster"}
    # The provider's region reaches the trust: the Pod Identity cluster ARN is in us-east-1.
    role = next(r for r in sim.resources if r.type == "aws:iam/role:Role" and r.name == "api")
    assert "arn:aws:eks:us-east-1:" in role.inputs["assumeRolePolicy"]


def test_explicit_kubernetes_provider_reaches_the_service_account(simulate: Simulate) -> None:
    def program() -> None:
        cluster = k8s.Provider("blue", kubeconfig="{}")
        AnnotatedServiceAccount("api", {"namespace": "payments"}, opts=pulumi.ResourceOptions(provider=cluster))

    sim = simulate(program, config=CONFIG)
    ref = provider_ref(sim, K8S_PROVIDER, "blue")
    (account,) = sim.of_type("kubernetes:core/v1:ServiceAccount")
    assert account.provider == ref


def lookup_counts(sim: Simulation) -> Counter[str]:
    return Counter(i.token for i in sim.invokes if i.token in LOOKUPS)


def test_invokes_do_not_grow_with_the_number_of_components(simulate: Simulate) -> None:
    one = simulate(every_component, config=CONFIG)

    def many() -> None:
        for i in range(5):
            every_component(f"-{i}")

    five = simulate(many, config=CONFIG)
    assert lookup_counts(one) == lookup_counts(five) == Counter(LOOKUPS)
    assert len(five.invokes) == len(one.invokes)


def test_lookups_are_made_once_per_provider(simulate: Simulate) -> None:
    def program() -> None:
        east = aws.Provider("east", region="us-east-1")
        west = aws.Provider("west", region="us-west-2")
        for i, provider in enumerate([east, west, east, None, west, None]):
            opts = pulumi.ResourceOptions(provider=provider) if provider else None
            every_component(f"-{i}", opts)

    sim = simulate(program, config=CONFIG)
    by_provider = Counter((i.provider, i.token) for i in sim.invokes)
    assert set(by_provider.values()) == {1}
    assert len({p for p, _ in by_provider}) == 3
    assert lookup_counts(sim) == Counter({token: 3 for token in LOOKUPS})
