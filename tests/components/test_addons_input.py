"""The addons input of IrsaRole and PodIdentityAssociation under the SDK mocks.

Policies are registered at preview (one per document, stable names), their documents are what the
catalogue's resolve() builds for the mocked account, partition and region, and they are attached with
the add-on's AWS managed policies. The trust admits the add-on's service accounts and nothing else.
Bad input is reported at preview, all at once, naming component, add-on and input; nothing is registered.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3  # type: ignore[import-untyped]
import pulumi
import pytest
from moto import mock_aws

from irsa_components.addons import resolve
from irsa_components.components import AddonArgs, IrsaRole, IrsaRoleArgs, PodIdentityAssociation
from irsa_components.core.analysis import analyse_trust
from irsa_components.core.errors import InputError
from irsa_components.core.evaluate import allows_all, evaluate, pod_identity_requests, web_identity_request
from irsa_components.offline import Simulation

from .support import (
    ACCOUNT,
    ATTACHMENT,
    CONFIG,
    HOST,
    IRSA_ROLE,
    POD_IDENTITY,
    PROVIDER_ARN,
    ROLE,
    Simulate,
    children,
    input_error,
    only,
    problem_fields,
    trust_of,
)

POLICY = "aws:iam/policy:Policy"
ZONE = "Z0123456789ABCDEFGHIJ"
DNS: AddonArgs = {"name": "external-dns", "scope": {"hostedZoneArns": [ZONE], "record_names": ["*.example.com"]}}
EFS: AddonArgs = {
    "name": "efs-csi",
    "scope": {"file_system_arns": [f"arn:aws:elasticfilesystem:eu-west-1:{ACCOUNT}:file-system/fs-0123456789abcdef0"]},
}
LBC: AddonArgs = {"name": "aws-load-balancer-controller", "scope": {"cluster_name": "blue", "vpcIds": ["vpc-0123abcd"]}}


def irsa(*addons: AddonArgs, **extra: Any) -> IrsaRoleArgs:
    args: dict[str, Any] = {"oidc_provider_arns": [PROVIDER_ARN], "addons": list(addons), **extra}
    return args  # type: ignore[return-value]


def policies_of(sim: Simulation, component: str, name: str) -> dict[str, Any]:
    return {p.name: p for p in children(sim, component, name).get(POLICY, [])}


def attachments_of(sim: Simulation, component: str, name: str) -> dict[str, Any]:
    return {a.name: a.inputs for a in children(sim, component, name).get(ATTACHMENT, [])}


def admitted(doc: dict[str, Any], namespace: str, sa: str) -> bool:
    subject = f"system:serviceaccount:{namespace}:{sa}"
    return evaluate(doc, web_identity_request(PROVIDER_ARN, HOST, subject)).allowed


def trusted_subjects(doc: dict[str, Any]) -> set[str]:
    return set(analyse_trust(doc).named.subjects)


# What gets registered ----------------------------------------------------------------------------


def test_policy_created_attached_and_equal_to_what_resolve_builds(simulate: Simulate) -> None:
    sim = simulate(lambda: IrsaRole("dns", irsa(DNS)), config=CONFIG)
    (policy,) = policies_of(sim, IRSA_ROLE, "dns").values()
    assert policy.name == "dns-external-dns"
    assert policy.inputs["name"] == "dns-external-dns" and policy.inputs["path"] == "/"
    expected = resolve(
        "external-dns", DNS["scope"], partition="aws", region="eu-west-1", account_id=ACCOUNT
    ).policy_json()
    assert (policy.inputs["policy"],) == expected
    assert attachments_of(sim, IRSA_ROLE, "dns") == {
        "dns-external-dns": {"role": "dns", "policyArn": f"arn:aws:iam::{ACCOUNT}:policy/dns-external-dns"}
    }
    assert policy.parent == sim.named(IRSA_ROLE, "dns").urn
    # The documents need the account, partition and region: one lookup each for the program.
    assert sorted(i.token for i in sim.invokes) == [
        "aws:index/getCallerIdentity:getCallerIdentity",
        "aws:index/getPartition:getPartition",
        "aws:index/getRegion:getRegion",
    ]


def test_trust_admits_the_addons_service_accounts_and_nothing_else(simulate: Simulate) -> None:
    sim = simulate(lambda: IrsaRole("storage", irsa(DNS, EFS)), config=CONFIG)
    doc = trust_of(only(sim, IRSA_ROLE, "storage", ROLE))
    expected = {
        "system:serviceaccount:external-dns:external-dns",
        "system:serviceaccount:kube-system:efs-csi-controller-sa",
        "system:serviceaccount:kube-system:efs-csi-node-sa",
    }
    assert trusted_subjects(doc) == expected
    for subject in expected:
        namespace, sa = subject.split(":")[2:]
        assert admitted(doc, namespace, sa)
    assert not admitted(doc, "kube-system", "external-dns")
    assert not admitted(doc, "external-dns", "efs-csi-node-sa")
    assert not admitted(doc, "kube-system", "default")


def test_service_accounts_given_with_addons_are_the_only_ones_trusted(simulate: Simulate) -> None:
    sim = simulate(lambda: IrsaRole("dns", irsa(EFS, service_accounts=["storage/efs"])), config=CONFIG)
    doc = trust_of(only(sim, IRSA_ROLE, "dns", ROLE))
    assert trusted_subjects(doc) == {"system:serviceaccount:storage:efs"}
    assert not admitted(doc, "kube-system", "efs-csi-controller-sa")
    assert len(policies_of(sim, IRSA_ROLE, "dns")) == 1


def test_namespace_and_service_account_overrides_move_the_trust(simulate: Simulate) -> None:
    addon: AddonArgs = {**EFS, "namespace": "storage", "service_account": "efs-controller"}
    sim = simulate(lambda: IrsaRole("efs", irsa(addon)), config=CONFIG)
    doc = trust_of(only(sim, IRSA_ROLE, "efs", ROLE))
    assert trusted_subjects(doc) == {
        "system:serviceaccount:storage:efs-controller",
        "system:serviceaccount:storage:efs-csi-node-sa",
    }


def test_several_documents_get_numbered_policies_each_attached(simulate: Simulate) -> None:
    sim = simulate(lambda: IrsaRole("lbc", irsa(LBC)), config=CONFIG)
    policies = policies_of(sim, IRSA_ROLE, "lbc")
    assert sorted(policies) == ["lbc-aws-load-balancer-controller-1", "lbc-aws-load-balancer-controller-2"]
    real = resolve(
        "aws-load-balancer-controller", LBC["scope"], partition="aws", region="eu-west-1", account_id=ACCOUNT
    )
    statements = [s for name in sorted(policies) for s in json.loads(policies[name].inputs["policy"])["Statement"]]
    assert statements == [dict(s) for s in real.statements]
    assert all(len("".join(p.inputs["policy"].split())) <= 6144 for p in policies.values())
    attachments = attachments_of(sim, IRSA_ROLE, "lbc")
    assert sorted(attachments) == sorted(policies)
    for name, policy in policies.items():
        assert attachments[name]["policyArn"] == policy.state["arn"]


def test_aws_managed_policies_are_attached_by_name_in_the_roles_partition(simulate: Simulate) -> None:
    addons: list[AddonArgs] = [
        {"name": "adot-collector", "policy": "managed"},
        {"name": "amazon-managed-prometheus", "policy": "managed", "scope": {"query": True}},
    ]
    china = PROVIDER_ARN.replace("arn:aws:", "arn:aws-cn:")  # a role's ARNs are in its partition
    sim = simulate(
        lambda: IrsaRole("otel", irsa(*addons, oidc_provider_arns=[china])),
        config={**CONFIG, "aws:region": "cn-north-1"},
    )
    assert policies_of(sim, IRSA_ROLE, "otel") == {}
    # AmazonPrometheusRemoteWriteAccess is needed by both add-ons: attached once.
    assert attachments_of(sim, IRSA_ROLE, "otel") == {
        f"otel-adot-collector-{name}": {"role": "otel", "policyArn": f"arn:aws-cn:iam::aws:policy/{name}"}
        for name in ("AmazonPrometheusRemoteWriteAccess", "AWSXrayWriteOnlyAccess", "CloudWatchAgentServerPolicy")
    } | {
        "otel-amazon-managed-prometheus-AmazonPrometheusQueryAccess": {
            "role": "otel",
            "policyArn": "arn:aws-cn:iam::aws:policy/AmazonPrometheusQueryAccess",
        }
    }


def test_documents_follow_the_partition_and_region_of_the_provider(simulate: Simulate) -> None:
    karpenter: AddonArgs = {
        "name": "karpenter",
        "scope": {"cluster_name": "blue", "node_role_arns": [f"arn:aws-us-gov:iam::{ACCOUNT}:role/KarpenterNode"]},
    }
    gov = PROVIDER_ARN.replace("arn:aws:", "arn:aws-us-gov:")
    sim = simulate(
        lambda: IrsaRole("kp", irsa(karpenter, oidc_provider_arns=[gov])),
        config={**CONFIG, "aws:region": "us-gov-west-1"},
    )
    policies = policies_of(sim, IRSA_ROLE, "kp")
    assert sorted(policies) == ["kp-karpenter-1", "kp-karpenter-2"]  # sized for the longest region at preview
    expected = resolve(
        "karpenter", karpenter["scope"], partition="aws-us-gov", region="us-gov-west-1", account_id=ACCOUNT
    )
    built = [json.loads(policies[n].inputs["policy"]) for n in sorted(policies)]
    assert [s for doc in built for s in doc["Statement"]] == [dict(s) for s in expected.statements]
    assert all("us-gov-west-1" in policies[n].inputs["policy"] for n in policies)


def test_an_unknown_account_shows_as_the_offline_placeholder(simulate: Simulate) -> None:
    sim = simulate(lambda: IrsaRole("lbc", irsa(LBC)), config={"aws:region": "eu-west-1"})
    docs = [p.inputs["policy"] for p in policies_of(sim, IRSA_ROLE, "lbc").values()]
    assert len(docs) == 2 and any(":<account-id>:" in d for d in docs)
    assert not any("000000000000" in d for d in docs)


def test_addon_settings_are_plain_inputs_and_role_settings_apply_to_the_policies(simulate: Simulate) -> None:
    sim = simulate(
        lambda: IrsaRole("dns", irsa(DNS, role_name="prod-dns", path="/workloads/", tags={"team": "platform"})),
        config=CONFIG,
    )
    (policy,) = policies_of(sim, IRSA_ROLE, "dns").values()
    assert policy.inputs["name"] == "prod-dns-external-dns"
    assert policy.inputs["path"] == "/workloads/"
    assert policy.inputs["tags"] == {"team": "platform"}
    assert policy.state["arn"] == f"arn:aws:iam::{ACCOUNT}:policy/workloads/prod-dns-external-dns"


# Pod Identity --------------------------------------------------------------------------------------


def test_pod_identity_defaults_to_the_addons_service_account(simulate: Simulate) -> None:
    sim = simulate(lambda: PodIdentityAssociation("dns", {"cluster_names": ["blue"], "addons": [DNS]}), config=CONFIG)
    kids = children(sim, POD_IDENTITY, "dns")
    (association,) = kids["aws:eks/podIdentityAssociation:PodIdentityAssociation"]
    assert (association.inputs["namespace"], association.inputs["serviceAccount"]) == ("external-dns", "external-dns")
    (role,) = kids[ROLE]
    requests = pod_identity_requests(
        account_id=ACCOUNT,
        cluster_arn=f"arn:aws:eks:eu-west-1:{ACCOUNT}:cluster/blue",
        cluster_name="blue",
        namespace="external-dns",
        service_account="external-dns",
    )
    assert allows_all(trust_of(role), requests)
    assert [p.name for p in kids[POLICY]] == ["dns-external-dns"]
    assert {a.name for a in kids[ATTACHMENT]} == {"dns-external-dns"}


def test_pod_identity_with_several_service_accounts_covers_the_primary_one(simulate: Simulate) -> None:
    sim = simulate(lambda: PodIdentityAssociation("efs", {"cluster_names": ["blue"], "addons": [EFS]}), config=CONFIG)
    (association,) = children(sim, POD_IDENTITY, "efs")["aws:eks/podIdentityAssociation:PodIdentityAssociation"]
    assert association.inputs["serviceAccount"] == "efs-csi-controller-sa"


# Errors at preview ------------------------------------------------------------------------------


def irsa_error(simulate: Simulate, args: IrsaRoleArgs) -> InputError:
    return input_error(simulate, lambda: IrsaRole("dns", args), config=CONFIG)


def test_every_addon_problem_is_reported_at_once_naming_component_addon_and_input(simulate: Simulate) -> None:
    error = irsa_error(
        simulate,
        irsa(
            {"name": "external-dsn"},
            {"name": "external-dns", "scope": {"hostedZoneArns": ["not-a-zone"], "recordNamez": ["x"]}},
            {"name": "karpenter", "scope": {"cluster_name": "blue"}, "policy": "aws"},
            {"name": "velero", "scope": {}},
            {"name": "keda", "scoep": {}},  # type: ignore[typeddict-unknown-key]
        ),
    )
    assert problem_fields(error) == [
        "addons[0].name",
        "addons[1].scope.recordNamez",
        "addons[1].scope.hosted_zone_arns[0]",
        "addons[2].policy",
        "addons[3].scope.bucket_arns",
        "addons[4].scoep",
    ]
    assert {p.subject for p in error.problems} == {"IrsaRole 'dns'"}
    assert "did you mean 'external-dns'" in error.problems[0].message
    assert "add-on 'external-dns'" in error.problems[2].message
    assert "add-on 'velero' requires bucket_arns (bucketArns in stack config)" in error.problems[4].message


def test_an_output_in_the_scope_is_refused_at_preview_naming_the_field(simulate: Simulate) -> None:
    def build() -> None:
        zone = pulumi.Output.from_input(ZONE)
        IrsaRole("dns", irsa({"name": "external-dns", "scope": {"hosted_zone_arns": [ZONE, zone]}}))

    error = input_error(simulate, build, config=CONFIG)
    assert problem_fields(error) == ["addons[0].scope.hosted_zone_arns[1]"]
    assert "is an Output" in str(error) and "plain values" in str(error)


@pytest.mark.parametrize(
    ("addons", "field", "message"),
    [
        ("external-dns", "addons", "must be a list"),
        ([DNS, DNS], "addons[1].name", "listed twice"),
        (["external-dns"], "addons[0]", "must be an add-on"),
        ([{"scope": {}}], "addons[0].name", "is required"),
        ([{**DNS, "namespace": "Bad_NS"}], "addons[0].namespace", "DNS-1123"),
        ([{"name": "secrets-store-csi-provider-aws", "scope": {"secret_arns": ["x"]}}], "addons[0].namespace", ""),
        ([], "service_accounts", "required unless addons are given"),
    ],
)
def test_bad_addons_input(simulate: Simulate, addons: Any, field: str, message: str) -> None:
    error = irsa_error(simulate, {"oidc_provider_arns": [PROVIDER_ARN], "addons": addons})
    matching = [p for p in error.problems if p.field == field]
    assert matching, problem_fields(error)
    assert message in matching[0].message


def test_addon_attachments_count_towards_the_managed_policy_quota(simulate: Simulate) -> None:
    user = [f"arn:aws:iam::{ACCOUNT}:policy/p{i}" for i in range(2)]
    error = irsa_error(simulate, irsa(LBC, DNS, managed_policy_arns=user, max_managed_policies=4))
    (problem,) = error.problems
    assert problem.field == "addons" and problem.value == 5
    assert "aws-load-balancer-controller: 2" in problem.message and "external-dns: 1" in problem.message
    sim = simulate(lambda: IrsaRole("dns", irsa(LBC, DNS, managed_policy_arns=user, max_managed_policies=5)))
    assert len(children(sim, IRSA_ROLE, "dns")[ATTACHMENT]) == 5


def test_a_user_attachment_repeating_an_addons_managed_policy_is_refused(simulate: Simulate) -> None:
    error = irsa_error(
        simulate,
        irsa(
            {"name": "efs-csi", "policy": "managed"},
            managed_policy_arns=["arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy"],
        ),
    )
    assert problem_fields(error) == ["managed_policy_arns[0]"]
    assert "add-on 'efs-csi'" in error.problems[0].message


def test_a_user_policy_named_like_the_addon_clashes(simulate: Simulate) -> None:
    error = irsa_error(simulate, irsa(DNS, managed_policy_arns=[f"arn:aws:iam::{ACCOUNT}:policy/external-dns"]))
    assert problem_fields(error) == ["managed_policy_arns"]


def test_pod_identity_addon_errors(simulate: Simulate) -> None:
    ambiguous = input_error(
        simulate,
        lambda: PodIdentityAssociation("both", {"cluster_names": ["blue"], "addons": [DNS, EFS]}),
        config=CONFIG,
    )
    assert problem_fields(ambiguous) == ["namespace"]
    assert "external-dns/external-dns, kube-system/efs-csi-controller-sa" in str(ambiguous)
    existing = input_error(
        simulate,
        lambda: PodIdentityAssociation(
            "dns",
            {"cluster_names": ["blue"], "addons": [DNS], "role_arn": f"arn:aws:iam::{ACCOUNT}:role/existing"},
        ),
        config=CONFIG,
    )
    assert problem_fields(existing) == ["addons"]
    chained = input_error(
        simulate,
        lambda: PodIdentityAssociation(
            "dns",
            {"cluster_names": ["blue"], "addons": [DNS], "target_role_arn": "arn:aws:iam::444455556666:role/t"},
        ),
        config=CONFIG,
    )
    assert problem_fields(chained) == ["addons"]
    missing = input_error(simulate, lambda: PodIdentityAssociation("x", {"cluster_names": ["blue"]}), config=CONFIG)
    assert problem_fields(missing) == ["namespace", "service_account"]


def test_a_scope_in_another_partition_than_the_roles_fails_once_known(simulate: Simulate) -> None:
    karpenter: AddonArgs = {
        "name": "karpenter",
        "scope": {"cluster_name": "blue", "node_role_arns": [f"arn:aws:iam::{ACCOUNT}:role/KarpenterNode"]},
    }
    with pytest.raises(Exception) as info:  # raised in an apply: the engine wraps it
        simulate(lambda: IrsaRole("kp", irsa(karpenter)), config={**CONFIG, "aws:region": "cn-north-1"})
    assert (
        "IrsaRole 'kp': addons[0].scope.node_role_arns[0]='arn:aws:iam::123456789012:role/KarpenterNode': "
        "add-on 'karpenter': is in partition 'aws', but the role is in 'aws-cn'"
    ) in str(info.value)


# moto accepts what the components send -----------------------------------------------------------


@pytest.fixture
def iam() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("iam", region_name="us-east-1")


def test_moto_accepts_the_generated_policies(simulate: Simulate, iam: Any) -> None:
    def program() -> None:
        IrsaRole("lbc", irsa(LBC, DNS, EFS, role_name="prod-lbc", path="/workloads/"))
        PodIdentityAssociation(
            "kp",
            {
                "cluster_names": ["blue"],
                "addons": [
                    {
                        "name": "karpenter",
                        "scope": {"cluster_name": "blue", "node_role_arns": [f"arn:aws:iam::{ACCOUNT}:role/Node"]},
                    }
                ],
            },
        )

    sim = simulate(program, config=CONFIG)
    policies = sim.of_type(POLICY)
    assert len(policies) == 6  # LBC, external-dns, EFS; Karpenter's (v1.14) needs two documents
    for policy in policies:
        created = iam.create_policy(
            PolicyName=policy.inputs["name"],
            Path=policy.inputs["path"],
            Description=policy.inputs["description"],
            PolicyDocument=policy.inputs["policy"],
        )
        assert created["Policy"]["Arn"] == policy.state["arn"]
