"""irsa:accounts: a service's role in another AWS account, by IRSA straight into it or a Pod Identity target role."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from irsa_components.core import arns, evaluate, trust
from irsa_components.core.cross_account import chained_request, pod_identity_chained_requests
from irsa_components.core.errors import InputError
from irsa_components.guardrails.offline import run_policies
from irsa_components.offline import PLACEHOLDER_ACCOUNT, Simulation, run_program
from irsa_components.offline.sharded import run_stack_program
from irsa_components.stack.program import main

from .crafted import ACCOUNT, ISSUER_BLUE, ISSUER_GREEN, flat
from .helpers import Env, admits_irsa, admits_pod_identity
from .multi_account import (
    ASSOCIATION,
    AWS_PROVIDER,
    DATA,
    DATA_DEPLOYER,
    OIDC,
    ROLE,
    ROLE_POLICY,
    SERVICE_ACCOUNT,
    SHARED,
    SHARED_DEPLOYER,
    component,
    config,
    descendants,
    on_default_provider,
    provider_urn,
    run,
    uses,
)

HOST_BLUE = trust.issuer_host(ISSUER_BLUE)
HOST_GREEN = trust.issuer_host(ISSUER_GREEN)
ENV = Env(ACCOUNT, "aws", "eu-west-1")
READ = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-reports/*"}
IRSA_INTO_SHARED: dict[str, Any] = {
    "reports": {
        "namespace": "analytics",
        "account": "shared",
        "clusters": ["blue", "green"],
        "policyStatements": [READ],
    },
    "mailer": {"namespace": "analytics", "account": "shared", "clusters": ["blue"]},
    "local": {"namespace": "payments", "clusters": ["blue"]},
}
CHAINED: dict[str, Any] = {
    "exporter": {
        "namespace": "payments",
        "serviceAccount": "ledger-exporter",
        "identity": "pod-identity",
        "account": "data",
        "clusters": ["blue"],
        "policyStatements": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::ledger/*"}],
    }
}


def provider_arn(account: str, host: str) -> str:
    return arns.oidc_provider_arn("aws", account, host)


def role_trust(sim: Simulation, name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(sim.named(ROLE, name).inputs["assumeRolePolicy"])
    return doc


@pytest.fixture(scope="module")
def irsa_sim() -> Simulation:
    return run(config(IRSA_INTO_SHARED, lab=False))


@pytest.fixture(scope="module")
def chained_sim() -> Simulation:
    return run(config(CHAINED, lab=False))


# The account's provider --------------------------------------------------------------------------------


def test_one_provider_per_used_account_assuming_its_role(irsa_sim: Simulation) -> None:
    providers = {p.name: p for p in irsa_sim.of_type(AWS_PROVIDER) if not p.name.startswith("default")}
    assert list(providers) == ["account-shared"]  # "data" is declared but unused: no provider
    shared = providers["account-shared"].inputs
    assert json.loads(shared["assumeRoles"]) == [{"roleArn": SHARED_DEPLOYER, "sessionName": "irsa-prod-shared"}]
    assert shared["region"] == "eu-west-1"  # the stack's aws:region, given explicitly


def test_an_account_region_overrides_the_stacks() -> None:
    irsa = config(IRSA_INTO_SHARED)
    irsa["accounts"]["shared"]["region"] = "us-east-2"
    sim = run(irsa)
    assert sim.named(AWS_PROVIDER, "account-shared").inputs["region"] == "us-east-2"


def test_the_stacks_aws_profile_is_passed_on() -> None:
    sim = run(config(IRSA_INTO_SHARED), **{"aws:profile": "deployer"})
    assert sim.named(AWS_PROVIDER, "account-shared").inputs["profile"] == "deployer"


# IRSA straight into another account -----------------------------------------------------------------------


def test_the_role_and_its_permissions_are_created_with_the_accounts_provider(irsa_sim: Simulation) -> None:
    shared = provider_urn(irsa_sim, "account-shared")
    irsa_role = component(irsa_sim, "IrsaRole", "reports")
    children = descendants(irsa_sim, irsa_role.urn)
    assert {c.type for c in children} == {ROLE, ROLE_POLICY}
    assert all(uses(c, shared) for c in children)
    assert irsa_sim.named(ROLE, "reports").state["arn"] == f"arn:aws:iam::{SHARED}:role/prod-reports"
    assert irsa_sim.outputs["roles"]["reports"] == {
        "arn": f"arn:aws:iam::{SHARED}:role/prod-reports",
        "name": "prod-reports",
        "account": "shared",
    }
    # A service without account stays in the stack's own account.
    assert on_default_provider(irsa_sim.named(ROLE, "local"))
    assert "account" not in irsa_sim.outputs["roles"]["local"]


def test_one_protected_oidc_provider_per_account_and_cluster(irsa_sim: Simulation) -> None:
    shared = provider_urn(irsa_sim, "account-shared")
    providers = irsa_sim.of_type(OIDC)
    assert sorted(p.name for p in providers) == ["blue-shared", "green-shared"]  # shared by reports and mailer
    for p in providers:
        assert uses(p, shared) and p.protect
        assert p.inputs["clientIdLists"] == ["sts.amazonaws.com"]
    assert irsa_sim.named(OIDC, "blue-shared").inputs["url"] == ISSUER_BLUE
    assert irsa_sim.outputs["accountOidcProviders"] == {
        "shared/blue": provider_arn(SHARED, HOST_BLUE),
        "shared/green": provider_arn(SHARED, HOST_GREEN),
    }


def test_the_trust_admits_the_service_account_only_through_the_accounts_provider(irsa_sim: Simulation) -> None:
    doc = role_trust(irsa_sim, "reports")
    for host in (HOST_BLUE, HOST_GREEN):
        assert admits_irsa(doc, provider_arn(SHARED, host), host, "analytics", "reports")
        # The same token through the cluster account's provider: not this role's account, refused.
        assert not admits_irsa(doc, provider_arn(ACCOUNT, host), host, "analytics", "reports")
        assert not admits_irsa(doc, provider_arn(DATA, host), host, "analytics", "reports")
        assert not admits_irsa(doc, provider_arn(SHARED, host), host, "analytics", "mailer")
        assert not admits_irsa(doc, provider_arn(SHARED, host), host, "payments", "reports")
    assert sorted(s["Principal"]["Federated"] for s in doc["Statement"]) == sorted(
        [provider_arn(SHARED, HOST_BLUE), provider_arn(SHARED, HOST_GREEN)]
    )


def test_the_service_account_is_annotated_with_the_role_in_the_other_account(irsa_sim: Simulation) -> None:
    sa = irsa_sim.named(SERVICE_ACCOUNT, "reports-blue").inputs["metadata"]
    assert sa["annotations"]["eks.amazonaws.com/role-arn"] == f"arn:aws:iam::{SHARED}:role/prod-reports"
    assert irsa_sim.named(SERVICE_ACCOUNT, "reports-blue").provider.startswith(
        irsa_sim.named("pulumi:providers:kubernetes", "blue").urn
    )


def test_the_cluster_account_gets_no_oidc_provider_for_another_accounts_service() -> None:
    sim = run(config({"reports": {"namespace": "analytics", "account": "shared", "clusters": ["blue"]}}, lab=False))
    assert [p.name for p in sim.of_type(OIDC)] == ["blue-shared"]
    assert "blue" not in sim.outputs.get("oidcProviders", {})


def test_an_account_can_use_its_existing_oidc_providers() -> None:
    irsa = config(IRSA_INTO_SHARED, lab=False)
    irsa["accounts"]["shared"]["createOidcProviders"] = False
    sim = run(irsa)
    assert sim.of_type(OIDC) == []
    doc = role_trust(sim, "reports")
    assert admits_irsa(doc, provider_arn(SHARED, HOST_BLUE), HOST_BLUE, "analytics", "reports")
    assert not admits_irsa(doc, provider_arn(ACCOUNT, HOST_BLUE), HOST_BLUE, "analytics", "reports")
    # The account's ID comes from its provider's caller identity: one lookup of that provider.
    shared = provider_urn(sim, "account-shared")
    assert [i.token for i in sim.invokes if i.provider.startswith(shared)] == [
        "aws:index/getCallerIdentity:getCallerIdentity",
        "aws:index/getPartition:getPartition",
        "aws:index/getRegion:getRegion",
    ]


def test_a_cluster_known_only_by_its_provider_arn_needs_no_lookup() -> None:
    irsa = config({"reports": {"namespace": "analytics", "account": "shared", "clusters": ["green"]}})
    irsa["clusters"]["green"] = {
        "name": "prod-green",
        "oidcProviderArn": provider_arn(ACCOUNT, HOST_GREEN),
        "kubeconfig": "{}",
    }
    sim = run(irsa)
    assert sim.named(OIDC, "green-shared").inputs["url"] == ISSUER_GREEN
    assert not [i for i in sim.invokes if i.token == "aws:eks/getCluster:getCluster"]


def test_an_eks_cluster_without_issuer_is_looked_up_once_for_every_account() -> None:
    irsa = config(
        {
            "reports": {"namespace": "analytics", "account": "shared", "clusters": ["blue"]},
            "exporter": {"namespace": "payments", "account": "data", "clusters": ["blue"]},
            "local": {"namespace": "orders", "clusters": ["blue"]},
        },
        lab=False,
    )
    irsa["clusters"]["blue"] = {"name": "prod-blue"}
    sim = run(irsa)
    lookups = [i for i in sim.invokes if i.token == "aws:eks/getCluster:getCluster"]
    assert [i.args["name"] for i in lookups] == ["prod-blue"]
    assert {p.inputs["url"] for p in sim.of_type(OIDC)} == {
        "https://oidc.eks.eu-west-1.amazonaws.com/id/<issuer-id:prod-blue>"
    }
    assert sorted(p.name for p in sim.of_type(OIDC)) == ["blue-data", "blue-shared"]


def test_every_invoke_is_made_once_per_provider() -> None:
    sim = run(config({**IRSA_INTO_SHARED, **CHAINED}))
    counts = Counter((i.token, i.provider.rsplit("::", 1)[0], json.dumps(i.args, sort_keys=True)) for i in sim.invokes)
    assert counts and all(n == 1 for n in counts.values()), counts
    per_provider = Counter((i.token, i.provider.rsplit("::", 1)[0]) for i in sim.invokes)
    assert all(n == 1 for (token, _), n in per_provider.items() if token != "aws:eks/getCluster:getCluster")


# Pod Identity into another account --------------------------------------------------------------------


def test_the_association_role_is_in_the_cluster_account_and_the_target_role_in_the_other(
    chained_sim: Simulation,
) -> None:
    data = provider_urn(chained_sim, "account-data")
    association_role = chained_sim.named(ROLE, "exporter-pod-identity")
    target = chained_sim.named(ROLE, "exporter-target")
    assert on_default_provider(association_role)
    assert association_role.state["arn"] == f"arn:aws:iam::{ACCOUNT}:role/prod-exporter-pod-identity"
    assert uses(target, data)
    assert target.state["arn"] == f"arn:aws:iam::{DATA}:role/prod-exporter"
    assert uses(chained_sim.named(ROLE_POLICY, "exporter-target-inline"), data)
    assert chained_sim.outputs["roles"]["exporter"] == {
        "arn": f"arn:aws:iam::{DATA}:role/prod-exporter",
        "name": "prod-exporter",
        "account": "data",
    }
    assert chained_sim.of_type(OIDC) == []  # Pod Identity needs no OIDC provider anywhere


def test_the_associations_carry_the_target_role(chained_sim: Simulation) -> None:
    (association,) = chained_sim.of_type(ASSOCIATION)
    assert on_default_provider(association)
    assert association.inputs["clusterName"] == "prod-blue"
    assert (association.inputs["namespace"], association.inputs["serviceAccount"]) == ("payments", "ledger-exporter")
    assert association.inputs["roleArn"] == f"arn:aws:iam::{ACCOUNT}:role/prod-exporter-pod-identity"
    assert association.inputs["targetRoleArn"] == f"arn:aws:iam::{DATA}:role/prod-exporter"
    assert association.inputs["tags"]["service"] == "exporter"


def test_the_target_trust_admits_exactly_the_association_role_with_the_session_tags(chained_sim: Simulation) -> None:
    doc = role_trust(chained_sim, "exporter-target")
    source = f"arn:aws:iam::{ACCOUNT}:role/prod-exporter-pod-identity"
    blue = arns.eks_cluster_arn("aws", "eu-west-1", ACCOUNT, "prod-blue")

    def admits(
        role: str = source, cluster: str = blue, namespace: str = "payments", sa: str = "ledger-exporter"
    ) -> bool:
        requests = pod_identity_chained_requests(role, cluster_arn=cluster, namespace=namespace, service_account=sa)
        return evaluate.allows_all(doc, requests)

    assert admits()
    assert not admits(cluster=arns.eks_cluster_arn("aws", "eu-west-1", ACCOUNT, "prod-green"))  # not its cluster
    assert not admits(namespace="orders")
    assert not admits(sa="other")
    assert not admits(role=f"arn:aws:iam::{ACCOUNT}:role/prod-other-pod-identity")
    assert not admits(role="arn:aws:iam::999988887777:role/prod-exporter-pod-identity")  # same name, other account
    assert not admits(cluster=arns.eks_cluster_arn("aws", "eu-west-1", "999988887777", "prod-blue"))


def test_the_association_role_is_pinned_and_may_assume_only_the_target(chained_sim: Simulation) -> None:
    doc = role_trust(chained_sim, "exporter-pod-identity")
    blue = arns.eks_cluster_arn("aws", "eu-west-1", ACCOUNT, "prod-blue")
    assert admits_pod_identity(doc, ENV, blue, "prod-blue", "payments", "ledger-exporter")
    assert not admits_pod_identity(doc, ENV, blue, "prod-blue", "payments", "other")
    assert not admits_pod_identity(doc, ENV, blue, "prod-blue", "payments", "ledger-exporter", account="999988887777")
    chain = json.loads(chained_sim.named(ROLE_POLICY, "exporter-pod-identity-chain").inputs["policy"])
    source = f"arn:aws:iam::{ACCOUNT}:role/prod-exporter-pod-identity"
    target = f"arn:aws:iam::{DATA}:role/prod-exporter"
    for action in ("sts:AssumeRole", "sts:TagSession"):
        assert evaluate.evaluate(chain, evaluate.Request(action, "AWS", source, resource=target)).allowed
    other = evaluate.Request("sts:AssumeRole", "AWS", source, resource=f"arn:aws:iam::{DATA}:role/prod-other")
    assert not evaluate.evaluate(chain, other).allowed


def test_the_service_account_of_a_chained_service_has_no_role_annotation(chained_sim: Simulation) -> None:
    sa = chained_sim.named(SERVICE_ACCOUNT, "exporter-blue").inputs["metadata"]
    assert "eks.amazonaws.com/role-arn" not in (sa.get("annotations") or {})


def test_without_session_tags_the_target_pins_the_external_id() -> None:
    sim = run(config({"exporter": {**CHAINED["exporter"], "disableSessionTags": True}}))
    (association,) = sim.of_type(ASSOCIATION)
    assert association.inputs["disableSessionTags"] is True
    doc = role_trust(sim, "exporter-target")
    source = f"arn:aws:iam::{ACCOUNT}:role/prod-exporter-pod-identity"
    expected = f"eu-west-1/{ACCOUNT}/prod-blue/payments/ledger-exporter"
    assert evaluate.allows_all(doc, [chained_request("sts:AssumeRole", source, external_id=expected)])
    assert not evaluate.allows_all(doc, [chained_request("sts:AssumeRole", source, external_id=expected + "x")])


def test_renamed_chained_service_keeps_its_resources_through_aliases() -> None:
    sim = run(config({"ledger-exporter": {**CHAINED["exporter"], "renamedFrom": ["exporter"]}}))
    cap = component(sim, "CrossAccountPodIdentity", "ledger-exporter")
    assert any(a.endswith("::exporter") or a == "exporter" for a in cap.aliases)
    assert sim.named(ROLE, "ledger-exporter-target").inputs["name"] == "prod-exporter"  # the role keeps its name


# Config errors ---------------------------------------------------------------------------------------------


def problems(irsa: dict[str, Any], **extra: str) -> list[str]:
    with pytest.raises(InputError) as info:
        run(irsa, **extra)
    assert info.value.simulation.resources == []  # type: ignore[attr-defined]
    return [str(p) for p in info.value.problems]


def one(found: list[str], *needles: str) -> None:
    assert any(all(n in p for n in needles) for p in found), (needles, found)


def test_account_config_errors_are_reported_at_once() -> None:
    irsa = config(
        {
            "a": {"namespace": "a", "account": "sharde"},
            "b": {"namespace": "b", "identity": "both", "account": "shared", "clusters": ["blue"]},
            "c": {
                "namespace": "c",
                "identity": "pod-identity",
                "account": "data",
                "clusters": ["blue"],
                "addon": "cert-manager",
            },
            "d": {
                "namespace": "d",
                "account": "shared",
                "clusters": ["blue"],
                "permissionsBoundary": f"arn:aws:iam::{ACCOUNT}:policy/boundary",
            },
        }
    )
    irsa["accounts"]["copy"] = {"roleArn": SHARED_DEPLOYER.replace("irsa-deployer", "other")}
    irsa["accounts"]["bad"] = {"roleArn": "arn:aws:iam::1234:user/x", "regoin": "eu-west-1"}
    irsa["accounts"]["Bad_Key"] = {"roleArn": DATA_DEPLOYER.replace("555566667777", "121212121212")}
    found = problems(irsa)
    one(found, "service 'a'", "account='sharde'", "did you mean 'shared'")
    one(found, "service 'b'", "identity='both'", "cannot span accounts")
    one(found, "service 'c'", "addon='cert-manager'", "cross-account Pod Identity target role")
    one(found, "service 'd'", "permissionsBoundary=", f"policy of account {ACCOUNT}", "'shared' (222233334444)")
    one(found, "account 'copy'", "roleArn=", "is in AWS account 222233334444, like account 'shared'")
    one(found, "account 'bad'", "roleArn=", "role")
    one(found, "account 'bad'", "regoin", "did you mean 'region'")
    one(found, "account 'Bad_Key'", "(key)", "lowercase")


def test_an_account_in_the_stacks_own_account_is_refused() -> None:
    irsa = config({"a": {"namespace": "a", "clusters": ["blue"]}})
    irsa["accounts"]["self"] = {"roleArn": f"arn:aws:iam::{ACCOUNT}:role/deployer"}
    one(problems(irsa), "account 'self'", "roleArn=", "stack's own account 111122223333")


def test_the_environment_boundary_must_exist_in_each_account_its_roles_use() -> None:
    boundary = f"arn:aws:iam::{ACCOUNT}:policy/workload-boundary"
    services = {"a": {"namespace": "a", "account": "shared", "clusters": ["blue"]}}
    one(
        problems(config(services, permissionsBoundary=boundary)),
        "account 'shared'",
        "permissionsBoundary=None",
        "service 'a'",
    )
    # Fixed on the account: its boundary is used for its roles, the environment's for the others.
    irsa = config({**services, "b": {"namespace": "b", "clusters": ["blue"]}}, permissionsBoundary=boundary)
    irsa["accounts"]["shared"]["permissionsBoundary"] = f"arn:aws:iam::{SHARED}:policy/workload-boundary"
    sim = run(irsa)
    assert sim.named(ROLE, "a").inputs["permissionsBoundary"] == f"arn:aws:iam::{SHARED}:policy/workload-boundary"
    assert sim.named(ROLE, "b").inputs["permissionsBoundary"] == boundary
    # An AWS managed policy exists in every account.
    aws_managed = "arn:aws:iam::aws:policy/PowerUserAccess"
    assert run(config(services, permissionsBoundary=aws_managed)).named(ROLE, "a").inputs["permissionsBoundary"] == (
        aws_managed
    )


def test_role_names_are_unique_per_account() -> None:
    same = {"roleName": "reports"}
    ok = config(
        {
            "a": {"namespace": "a", "clusters": ["blue"], **same},
            "b": {"namespace": "b", "account": "shared", "clusters": ["blue"], **same},
            "c": {"namespace": "c", "account": "data", "clusters": ["blue"], **same},
        }
    )
    sim = run(ok)
    assert sorted(r.inputs["name"] for r in sim.of_type(ROLE)) == ["reports", "reports", "reports"]
    clash = config(
        {
            "a": {"namespace": "a", "account": "shared", "clusters": ["blue"], **same},
            "b": {"namespace": "b", "account": "shared", "clusters": ["blue"], "roleName": "Reports"},
        }
    )
    one(problems(clash), "service 'b'", "roleName='Reports'", "collides", "service 'a' in account 'shared'")


def test_a_chained_association_role_must_not_collide_in_the_cluster_account() -> None:
    irsa = config(
        {**CHAINED, "other": {"namespace": "o", "clusters": ["blue"], "roleName": "prod-exporter-pod-identity"}}
    )
    one(problems(irsa), "service 'other'", "roleName=", "collides", "Pod Identity association role")


def test_an_accounts_oidc_provider_must_not_take_a_clusters_name() -> None:
    irsa = config({"reports": {"namespace": "analytics", "account": "shared", "clusters": ["blue"]}})
    irsa["clusters"]["blue-shared"] = {
        "name": "prod-blue-shared",
        "oidcIssuerUrl": "https://oidc.eks.eu-west-1.amazonaws.com/id/00000000000000000000000000000000",
        "createOidcProvider": True,
    }
    one(
        problems(irsa),
        "account 'shared': (key)='blue-shared'",
        "the OIDC provider of cluster 'blue' in account 'shared' would be registered as 'blue-shared', like the OIDC "
        "provider of cluster 'blue-shared' of cluster 'blue-shared'",
        "rename the cluster or the account key",
    )


def test_the_offline_plan_run_works_without_account_ids() -> None:
    """irsa plan runs the program under the plain mocks, often without aws:allowedAccountIds: placeholders."""
    irsa = config({**IRSA_INTO_SHARED, **CHAINED, "exporter": {**CHAINED["exporter"], "disableSessionTags": True}})
    flat_config = {
        "aws:region": "eu-west-1",
        **{f"irsa:{k}": json.dumps(v) for k, v in irsa.items() if k != "environment"},
    }
    flat_config["irsa:environment"] = "prod"
    sim = run_program(main, config=flat_config, stack="prod")
    trust_doc = json.dumps(role_trust(sim, "exporter-target"))
    assert PLACEHOLDER_ACCOUNT in trust_doc


def test_a_split_run_registers_the_same_account_and_cluster_resources_as_one_process() -> None:
    """Large stacks run over several processes (irsa plan): shared resources must come out identical."""
    services = {
        **IRSA_INTO_SHARED,
        **CHAINED,
        "backup": {"namespace": "velero", "clusters": ["lab"]},
        "late-shared": {"namespace": "late", "account": "shared", "clusters": ["green"]},
    }
    flat_config = flat(config(services))
    one = run_stack_program(flat_config, stack="prod", workers=1)
    two = run_stack_program(flat_config, stack="prod", workers=3)
    assert sorted(r.urn for r in two.resources) == sorted(r.urn for r in one.resources)
    by_urn = {r.urn: r for r in one.resources}
    assert all(r.inputs == by_urn[r.urn].inputs for r in two.resources)
    assert two.outputs == one.outputs


def test_the_guardrails_pass_a_stack_with_accounts_and_a_self_hosted_cluster() -> None:
    services = {**IRSA_INTO_SHARED, **CHAINED, "backup": {"namespace": "velero", "clusters": ["lab"]}}
    irsa = config(services, retainOnDelete=True)
    assert run_policies(run(irsa), config=flat(irsa)) == []
