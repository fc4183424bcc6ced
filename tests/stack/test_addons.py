"""Add-on services in the stack config: addon, addonScope, addonPolicy; defaults, trust, Pod Identity per SA."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from irsa_components.addons import resolve
from irsa_components.core.errors import InputError
from irsa_components.offline import Simulation
from irsa_components.stack.config import parse_stack_config

from .crafted import ACCOUNT, ISSUER_BLUE, ISSUER_GREEN, base_config, run
from .helpers import ASSOCIATION, IRSA_ROLE, SERVICE_ACCOUNT, admits_irsa, role_of, trust_of

POLICY = "aws:iam/policy:Policy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
POD_IDENTITY = "irsa-components:index:PodIdentityAssociation"
ZONE = "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"
FS = f"arn:aws:elasticfilesystem:eu-west-1:{ACCOUNT}:file-system/fs-0123456789abcdef0"
DNS: dict[str, Any] = {"addon": "external-dns", "addonScope": {"hostedZoneArns": [ZONE]}}
EFS: dict[str, Any] = {"addon": "efs-csi", "addonScope": {"fileSystemArns": [FS]}}
HOSTS = {"blue": ISSUER_BLUE.removeprefix("https://"), "green": ISSUER_GREEN.removeprefix("https://")}


def provider(cluster: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:oidc-provider/{HOSTS[cluster]}"


def problems(config: dict[str, Any], **extra: str) -> list[str]:
    with pytest.raises(InputError) as info:
        run(config, **extra)
    assert info.value.simulation.resources == []  # type: ignore[attr-defined]
    return [str(p) for p in info.value.problems]


def one(found: list[str], *needles: str) -> None:
    assert any(all(n in p for n in needles) for p in found), (needles, found)


def children_of(sim: Simulation, component_type: str, name: str, child_type: str) -> list[Any]:
    parent = sim.named(component_type, name)
    return [r for r in sim.children(parent.urn) if r.type == child_type]


# Defaults and what gets registered ----------------------------------------------------------------


def test_an_addon_service_gets_the_addons_policy_namespace_and_service_account() -> None:
    sim = run(base_config(dns=DNS))
    config = parse_stack_config(base_config(dns=DNS), region="eu-west-1")
    service = config.services["dns"]
    assert (service.namespace, config.service_account_of("dns")) == ("external-dns", "external-dns")
    assert service.create_service_account is False
    (policy,) = children_of(sim, IRSA_ROLE, "dns", POLICY)
    assert policy.inputs["name"] == "prod-dns-external-dns"
    expected = resolve("external-dns", DNS["addonScope"], partition="aws", region="eu-west-1", account_id=ACCOUNT)
    assert (policy.inputs["policy"],) == expected.policy_json()
    (attachment,) = children_of(sim, IRSA_ROLE, "dns", ATTACHMENT)
    assert attachment.inputs["policyArn"] == policy.state["arn"]
    # The chart creates the ServiceAccount: none here, and no Kubernetes provider is needed.
    assert sim.of_type(SERVICE_ACCOUNT) == []
    assert sim.of_type("pulumi:providers:kubernetes") == []
    doc = trust_of(sim, "dns")
    for cluster in ("blue", "green"):
        assert admits_irsa(doc, provider(cluster), HOSTS[cluster], "external-dns", "external-dns")
        assert not admits_irsa(doc, provider(cluster), HOSTS[cluster], "external-dns", "dns")


def test_overrides_and_explicit_service_account_creation() -> None:
    service = {**DNS, "namespace": "dns", "serviceAccount": "edns", "createServiceAccount": True}
    sim = run(base_config(dns=service))
    accounts = sim.of_type(SERVICE_ACCOUNT)
    assert {(a.inputs["metadata"]["namespace"], a.inputs["metadata"]["name"]) for a in accounts} == {("dns", "edns")}
    assert len(accounts) == 2
    doc = trust_of(sim, "dns")
    assert admits_irsa(doc, provider("blue"), HOSTS["blue"], "dns", "edns")
    assert not admits_irsa(doc, provider("blue"), HOSTS["blue"], "external-dns", "external-dns")


def test_irsa_trust_includes_the_addons_other_service_accounts() -> None:
    sim = run(base_config(efs=EFS))
    doc = trust_of(sim, "efs")
    for sa in ("efs-csi-controller-sa", "efs-csi-node-sa"):
        assert admits_irsa(doc, provider("green"), HOSTS["green"], "kube-system", sa)
    assert not admits_irsa(doc, provider("green"), HOSTS["green"], "kube-system", "efs")


def test_pod_identity_gets_one_association_per_service_account() -> None:
    sim = run(base_config(efs={**EFS, "identity": "pod-identity", "renamedFrom": ["storage"]}))
    components = {c.name: c for c in sim.of_type(POD_IDENTITY)}
    assert sorted(components) == ["efs", "efs-efs-csi-node-sa"]
    associations = {
        (a.inputs["clusterName"], a.inputs["serviceAccount"]): a.inputs["roleArn"] for a in sim.of_type(ASSOCIATION)
    }
    role_arn = role_of(sim, "efs").state["arn"]
    assert associations == {
        (cluster, sa): role_arn
        for cluster in ("prod-blue", "prod-green")
        for sa in ("efs-csi-controller-sa", "efs-csi-node-sa")
    }
    # The extra association is aliased like the service's own when the service is renamed.
    assert any("storage-efs-csi-node-sa" in alias for alias in components["efs-efs-csi-node-sa"].aliases)
    assert children_of(sim, POD_IDENTITY, "efs-efs-csi-node-sa", "aws:iam/role:Role") == []


def test_managed_policy_and_quota_counting() -> None:
    sim = run(base_config(efs={**EFS, "addonPolicy": "managed"}))
    (attachment,) = children_of(sim, IRSA_ROLE, "efs", ATTACHMENT)
    assert attachment.name == "efs-efs-csi-AmazonEFSCSIDriverPolicy"
    assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy"
    arns = [f"arn:aws:iam::{ACCOUNT}:policy/p{i}" for i in range(10)]
    found = problems(base_config(dns={**DNS, "managedPolicyArns": arns}))
    one(found, "service 'dns'", "addon='external-dns'", "11 managed policies", "quota of 10")


def test_non_addon_services_are_unchanged() -> None:
    config = base_config(**{"payments-api": {"namespace": "payments"}})
    parsed = parse_stack_config(config)
    assert parsed.services["payments-api"].create_service_account is True
    assert [str(s) for s in parsed.service_accounts_of("payments-api")] == ["payments/payments-api"]


# Config errors ------------------------------------------------------------------------------------


def test_every_addon_problem_is_reported_at_once_in_stack_spelling() -> None:
    config = base_config(
        dns={"addon": "external-dns", "addonScope": {"hostedZoneArns": ["nope"], "recordNamez": ["x"]}},
        velero={"addon": "velero", "addonPolicy": "aws"},
        kp={"addon": "karpenter", "addonScope": {"clusterName": "blue"}},
        typo={"addon": "external-dsn"},
        plain={"namespace": "apps", "addonScope": {"x": 1}},
    )
    found = problems(config)
    one(found, "service 'dns'", "addonScope.recordNamez", "is not an input of add-on 'external-dns'")
    one(found, "service 'dns'", "addonScope.hostedZoneArns[0]='nope'", "add-on 'external-dns'")
    one(found, "service 'velero'", "addonPolicy", "'aws'")
    one(found, "service 'kp'", "addonScope.nodeRoleArns", "requires node_role_arns (nodeRoleArns in stack config)")
    one(found, "service 'typo'", "addon='external-dsn'", "did you mean 'external-dns'")
    one(found, "service 'typo'", "namespace", "is required")
    one(found, "service 'plain'", "addonScope", "set addon too")


def test_the_scope_is_checked_in_the_partition_of_the_stacks_region() -> None:
    found = problems(base_config(dns=DNS), **{"aws:region": "cn-north-1"})
    one(found, "service 'dns'", "addonScope.hostedZoneArns[0]", "is in partition 'aws', but the role is in 'aws-cn'")
    # Without a region (e.g. a plan of the config alone), any partition the scope fits will do.
    parse_stack_config(base_config(dns=DNS))
    with pytest.raises(InputError):
        parse_stack_config(base_config(dns=DNS), region="cn-north-1")


def test_an_addon_without_a_default_service_account_needs_the_workloads() -> None:
    ascp = {"addon": "secrets-store-csi-provider-aws", "addonScope": {"secretArns": ["x"]}}
    found = problems(base_config(app=ascp))
    one(found, "service 'app'", "namespace", "is required")
    secret = f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:app/db-AbCdEf"
    sim = run(base_config(app={**ascp, "namespace": "apps", "addonScope": {"secretArns": [secret]}}))
    doc = trust_of(sim, "app")
    assert admits_irsa(doc, provider("blue"), HOSTS["blue"], "apps", "app")
    assert sim.of_type(SERVICE_ACCOUNT) == []


def test_addon_service_accounts_take_part_in_the_claim_check() -> None:
    found = problems(
        base_config(
            efs=EFS,
            node={"namespace": "kube-system", "serviceAccount": "efs-csi-node-sa"},
            dns=DNS,
            dns2=DNS,
        )
    )
    one(found, "service 'node'", "kube-system/efs-csi-node-sa", "also claimed by service 'efs'")
    one(found, "service 'dns2'", "external-dns/external-dns", "also claimed by service 'dns'")


def test_the_service_account_may_not_be_one_of_the_addons_other_ones() -> None:
    found = problems(base_config(efs={**EFS, "serviceAccount": "efs-csi-node-sa"}))
    one(found, "service 'efs'", "serviceAccount='efs-csi-node-sa'", "other service accounts")


def test_the_stack_example_in_the_docs_is_a_valid_service() -> None:
    import re

    import yaml

    text = (Path(__file__).resolve().parents[2] / "docs" / "addons.md").read_text()
    section = text.split("## Using an add-on", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```yaml\n(.*?)```", section, re.S)
    services = yaml.safe_load(block)["irsa:services"]
    config = parse_stack_config(base_config(**services), region="eu-west-1")
    assert config.services["external-dns"].addon == "external-dns"


def test_an_extra_association_may_not_take_another_services_name() -> None:
    found = problems(
        base_config(
            efs={**EFS, "identity": "pod-identity"},
            **{"efs-efs-csi-node-sa": {"namespace": "apps", "identity": "pod-identity"}},
        )
    )
    one(
        found,
        "service 'efs-efs-csi-node-sa'",
        "(key)",
        "like the Pod Identity association component",
        "of service 'efs'",
    )


def test_prod_stack_file_declares_an_addon_service() -> None:
    from tests.conftest import stack_config

    config_map, _ = stack_config("prod")
    services = json.loads(config_map["irsa:services"])
    addon_services = {k: v["addon"] for k, v in services.items() if "addon" in v}
    assert addon_services == {"external-dns": "external-dns"}
