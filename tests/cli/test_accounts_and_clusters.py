"""irsa plan / diff / explain on stacks with irsa:accounts, self-hosted clusters and retainOnDelete.

Crafted stacks (tests/stack/multi_account.py): EKS clusters blue and green and the self-hosted lab in
the stack's account 111122223333, and the accounts shared (222233334444) and data (555566667777).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from irsa_components.core import arns, trust
from irsa_components.core.cross_account import pod_identity_external_id
from irsa_components.plan.access import ClusterIndex, chained_principals, service_principals
from irsa_components.plan.diff import Change, PlanDiff, diff_plans
from irsa_components.plan.explain import explain_chained_pod_identity
from irsa_components.plan.model import Plan, Principal, Weakness, plan_from_json, plan_to_json
from tests.stack.multi_account import DATA, DATA_DEPLOYER, SHARED, SHARED_DEPLOYER, config

from .helpers import ACCOUNT, HOST_BLUE, HOST_GREEN, edited, invoke, plan_of, write_plan

BLUE_ARN = arns.eks_cluster_arn("aws", "eu-west-1", ACCOUNT, "prod-blue")
GREEN_ARN = arns.eks_cluster_arn("aws", "eu-west-1", ACCOUNT, "prod-green")
LAB_ISSUER = "https://acme-lab-oidc.s3.eu-west-1.amazonaws.com"
LAB_HOST = trust.issuer_host(LAB_ISSUER)
READ = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-reports/*"}
WRITE = {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::ledger/*"}
REPORTS: dict[str, Any] = {"namespace": "analytics", "clusters": ["blue", "green"], "policyStatements": [READ]}
EXPORTER: dict[str, Any] = {
    "namespace": "payments",
    "serviceAccount": "ledger-exporter",
    "identity": "pod-identity",
    "clusters": ["blue"],
    "policyStatements": [WRITE],
}
ASSOCIATION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/prod-exporter-pod-identity"


def provider(account: str, host: str) -> str:
    return arns.oidc_provider_arn("aws", account, host)


def role(account: str, name: str) -> str:
    return arns.iam_role_arn("aws", account, name)


def services(**entries: dict[str, Any]) -> dict[str, Any]:
    return {key: copy.deepcopy(value) for key, value in entries.items()}


@pytest.fixture(scope="module")
def plan() -> Plan:
    """IRSA into shared, Pod Identity into data (retained), a local service and one on the self-hosted lab."""
    return plan_of(
        config(
            services(
                reports={**REPORTS, "account": "shared"},
                exporter={**EXPORTER, "account": "data", "retainOnDelete": True},
                local={"namespace": "orders", "clusters": ["blue"]},
                backup={"namespace": "velero", "serviceAccount": "velero-server", "clusters": ["lab"]},
            )
        )
    )


def derived(plan: Plan, key: str) -> tuple[list[Principal], list[Weakness]]:
    """Principals and weaknesses as the diff reads them: from the trust documents the plan carries."""
    return service_principals(plan.services[key], ClusterIndex.of(plan.clusters, plan.accounts))


def _only(diff: PlanDiff, kind: str) -> list[Change]:
    return [c for c in diff.changes if c.kind == kind]


# The plan: accounts ------------------------------------------------------------------------------------------


def test_every_account_with_its_id_and_the_oidc_providers_the_stack_uses_there(plan: Plan) -> None:
    assert plan.account == ACCOUNT
    assert set(plan.accounts) == {"shared", "data"}
    shared, data = plan.accounts["shared"], plan.accounts["data"]
    assert (shared.account_id, shared.role_arn, shared.region) == (SHARED, SHARED_DEPLOYER, "eu-west-1")
    assert (data.account_id, data.role_arn) == (DATA, DATA_DEPLOYER)
    # accountOidcProviders: one provider per account and cluster its IRSA services use, in that account.
    assert shared.oidc_providers == {"blue": provider(SHARED, HOST_BLUE), "green": provider(SHARED, HOST_GREEN)}
    assert data.oidc_providers == {}  # Pod Identity needs none
    assert shared.create_oidc_providers


def test_an_irsa_service_in_another_account(plan: Plan) -> None:
    reports = plan.services["reports"]
    assert reports.account == "shared"
    assert reports.role.arn == role(SHARED, "prod-reports") and reports.role.account_id == SHARED
    assert reports.association_role is None
    found = {(p.mechanism, p.cluster, p.subject, p.provider_arn) for p in reports.principals}
    assert found == {
        ("irsa", "blue", "system:serviceaccount:analytics:reports", provider(SHARED, HOST_BLUE)),
        ("irsa", "green", "system:serviceaccount:analytics:reports", provider(SHARED, HOST_GREEN)),
    }
    assert all(p.cluster_known and p.chained_through is None for p in reports.principals)
    assert reports.weaknesses == []
    assert {sa.role_arn for sa in reports.kubernetes.service_accounts} == {reports.role.arn}
    assert [s.actions for s in reports.permissions.inline] == [["s3:GetObject"]]


def test_a_service_without_account_stays_in_the_stacks_account(plan: Plan) -> None:
    local = plan.services["local"]
    assert local.account is None
    assert local.role.arn == role(ACCOUNT, "prod-local") and local.role.account_id == ACCOUNT
    [p] = local.principals
    assert p.provider_arn == provider(ACCOUNT, HOST_BLUE)
    # The cluster's own provider is the stack account's; green has no IRSA role of this account.
    assert plan.clusters["blue"].oidc_provider_arn == provider(ACCOUNT, HOST_BLUE)
    assert plan.clusters["green"].oidc_provider is None and plan.clusters["green"].oidc_provider_arn is None


def test_an_account_with_existing_oidc_providers() -> None:
    irsa = config(services(reports={**REPORTS, "account": "shared"}), lab=False)
    irsa["accounts"]["shared"]["createOidcProviders"] = False
    shared = plan_of(irsa).accounts["shared"]
    assert not shared.create_oidc_providers
    assert shared.oidc_providers == {"blue": provider(SHARED, HOST_BLUE), "green": provider(SHARED, HOST_GREEN)}


def test_a_cluster_whose_issuer_is_looked_up_is_known_through_the_accounts_provider() -> None:
    irsa = config(services(reports={**REPORTS, "account": "shared", "clusters": ["blue"]}), lab=False)
    irsa["clusters"]["blue"] = {"name": "prod-blue"}
    plan = plan_of(irsa)
    host = "oidc.eks.eu-west-1.amazonaws.com/id/<issuer-id:prod-blue>"
    assert plan.clusters["blue"].issuer_host == host
    [p] = plan.services["reports"].principals
    assert (p.cluster, p.cluster_known, p.provider_arn) == ("blue", True, provider(SHARED, host))


# The plan: Pod Identity into another account -----------------------------------------------------------------


def test_a_cross_account_pod_identity_service_is_in_the_plan(plan: Plan) -> None:
    exporter = plan.services["exporter"]
    assert exporter.account == "data" and exporter.identity == "pod-identity"
    assert exporter.role.arn == role(DATA, "prod-exporter") and exporter.role.account_id == DATA
    assert [s.actions for s in exporter.permissions.inline] == [["s3:PutObject"]]  # the target role's
    chain = exporter.association_role
    assert chain is not None
    assert chain.arn == ASSOCIATION_ROLE and chain.account_id == ACCOUNT
    [statement] = chain.permissions.statements()
    assert (statement.actions, statement.resources) == (["sts:AssumeRole", "sts:TagSession"], [exporter.role.arn])
    [association] = exporter.kubernetes.pod_identity_associations
    assert (association.cluster, association.role_arn, association.target_role_arn) == (
        "blue",
        ASSOCIATION_ROLE,
        exporter.role.arn,
    )


def test_the_target_trust_admits_the_service_account_at_the_cluster_through_the_association_role(
    plan: Plan,
) -> None:
    exporter = plan.services["exporter"]
    [p] = exporter.principals
    assert (p.mechanism, p.cluster, p.cluster_known, p.subject) == (
        "pod-identity",
        "blue",
        True,
        "system:serviceaccount:payments:ledger-exporter",
    )
    assert p.chained_through == ASSOCIATION_ROLE
    assert (p.pinned_by, p.cluster_arn, p.source_accounts, p.external_id) == ("trust", BLUE_ARN, [ACCOUNT], None)
    # Not "another principal": the AWS principal of the target trust is the association role, pinned.
    assert exporter.weaknesses == []


def test_without_session_tags_the_external_id_pins_each_cluster() -> None:
    irsa = config(
        services(exporter={**EXPORTER, "account": "data", "clusters": ["blue", "green"], "disableSessionTags": True}),
        lab=False,
    )
    exporter = plan_of(irsa).services["exporter"]
    by_cluster = {p.cluster: p for p in exporter.principals}
    assert set(by_cluster) == {"blue", "green"}
    for cluster, name in (("blue", "prod-blue"), ("green", "prod-green")):
        p = by_cluster[cluster]
        assert p.external_id == pod_identity_external_id("eu-west-1", ACCOUNT, name, "payments", "ledger-exporter")
        assert p.pinned_by == "trust" and p.chained_through == ASSOCIATION_ROLE
    assert {a.session_tags for a in exporter.kubernetes.pod_identity_associations} == {False}
    # The association role's own trust pins only the account (as for any untagged association role).
    assert {(w.trust, w.code) for w in exporter.weaknesses} == {
        ("association-role", "cluster-unpinned"),
        ("association-role", "namespace-unpinned"),
    }


def test_the_principals_are_what_the_target_trust_admits(plan: Plan) -> None:
    """Judged by the documents: a target trust pinning another namespace admits nobody."""

    def other_namespace(data: dict[str, Any]) -> None:
        condition = data["services"]["exporter"]["role"]["trustPolicy"]["Statement"][0]["Condition"]
        condition["StringEquals"]["aws:RequestTag/kubernetes-namespace"] = "other"

    narrowed = edited(plan, other_namespace)
    assert derived(narrowed, "exporter") == ([], [])
    assert derived(plan, "exporter") == (plan.services["exporter"].principals, [])
    diff = diff_plans(plan, narrowed)
    [removed] = _only(diff, "principal-removed")
    assert removed.classification == "narrowing" and "through role" in removed.summary


def test_a_target_trust_admitting_the_whole_account_is_another_principal(plan: Plan) -> None:
    def unpinned(data: dict[str, Any]) -> None:
        del data["services"]["exporter"]["role"]["trustPolicy"]["Statement"][0]["Condition"]["ArnEquals"]

    widened = edited(plan, unpinned)
    principals, weaknesses = derived(widened, "exporter")
    assert [(p.mechanism, p.subject) for p in principals] == [
        ("other", json.dumps({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, separators=(",", ":")))
    ]
    assert [w.code for w in weaknesses] == ["other-principal"]
    diff = diff_plans(plan, widened)
    assert diff.widening
    assert any(c.kind == "principal-added" and ACCOUNT in c.summary for c in diff.changes)


def test_a_target_trust_without_the_session_tags_is_weak(plan: Plan) -> None:
    def untagged(data: dict[str, Any]) -> None:
        condition = data["services"]["exporter"]["role"]["trustPolicy"]["Statement"][0]["Condition"]
        del condition["StringEquals"]

    weak = edited(plan, untagged)
    [p], weaknesses = derived(weak, "exporter")  # still bound by the association role's own trust
    assert p.pinned_by == "trust" and p.chained_through == ASSOCIATION_ROLE
    assert [w.code for w in weaknesses] == ["chain-unpinned"]
    [weakened] = _only(diff_plans(plan, weak), "trust-weakened")
    assert weakened.classification == "widening"


# The plan: self-hosted clusters and retained roles -------------------------------------------------------------


def test_a_self_hosted_cluster(plan: Plan) -> None:
    lab = plan.clusters["lab"]
    assert (lab.kind, lab.name, lab.arn) == ("self-hosted", None, None)
    assert (lab.issuer_bucket, lab.issuer_url, lab.issuer_host) == ("acme-lab-oidc", LAB_ISSUER, LAB_HOST)
    assert (lab.oidc_provider, lab.oidc_provider_arn) == ("created", provider(ACCOUNT, LAB_HOST))
    assert plan.clusters["blue"].kind == "eks" and plan.clusters["blue"].issuer_bucket is None
    [p] = plan.services["backup"].principals
    assert (p.cluster, p.cluster_known, p.subject) == ("lab", True, "system:serviceaccount:velero:velero-server")


def test_a_self_hosted_cluster_behind_its_own_issuer_url_and_used_by_another_account() -> None:
    irsa = config(services(backup={"namespace": "velero", "clusters": ["lab"], "account": "shared"}))
    irsa["clusters"]["lab"]["selfHosted"]["issuerUrl"] = "https://oidc.lab.example.com"
    plan = plan_of(irsa)
    lab = plan.clusters["lab"]
    assert lab.issuer_url == "https://oidc.lab.example.com" and lab.issuer_bucket == "acme-lab-oidc"
    shared = provider(SHARED, "oidc.lab.example.com")
    assert plan.accounts["shared"].oidc_providers == {"lab": shared}
    [p] = plan.services["backup"].principals
    assert (p.cluster, p.cluster_known, p.provider_arn) == ("lab", True, shared)


def test_retain_on_delete_is_recorded_per_role(plan: Plan) -> None:
    exporter = plan.services["exporter"]
    assert exporter.role.retain_on_delete
    assert exporter.association_role is not None and exporter.association_role.retain_on_delete
    assert not plan.services["reports"].role.retain_on_delete
    everything = plan_of(config(services(local={"namespace": "orders", "clusters": ["blue"]}), retainOnDelete=True))
    assert everything.services["local"].role.retain_on_delete


def test_the_plan_reads_back_and_renders(plan: Plan, tmp_path: Path) -> None:
    text = plan_to_json(plan)
    assert plan_to_json(plan_from_json(text)) == text
    assert plan.placeholders == []
    path = write_plan(tmp_path / "plan.json", plan)
    data = json.loads(path.read_text())
    assert data["clusters"]["lab"]["kind"] == "self-hosted" and data["clusters"]["lab"]["name"] is None
    assert data["services"]["exporter"]["associationRole"]["arn"] == ASSOCIATION_ROLE
    assert data["services"]["exporter"]["principals"][0]["chainedThrough"] == ASSOCIATION_ROLE


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_human_formats_show_accounts_chains_self_hosted_clusters_and_retention(fmt: str, tmp_path: Path) -> None:
    irsa = config(
        services(
            reports={**REPORTS, "account": "shared"},
            exporter={**EXPORTER, "account": "data", "retainOnDelete": True},
            backup={"namespace": "velero", "clusters": ["lab"]},
        )
    )
    stack = tmp_path / "Pulumi.prod.yaml"
    settings = {
        "aws:region": "eu-west-1",
        "aws:allowedAccountIds": [ACCOUNT],
        **{f"irsa:{k}": v for k, v in irsa.items()},
    }
    stack.write_text(yaml.safe_dump({"config": settings}))
    result = invoke("plan", "--config-file", stack, "--project-dir", tmp_path, "--format", fmt)
    assert result.exit_code == 0, result.output
    for expected in (
        DATA_DEPLOYER,
        "self-hosted",
        "acme-lab-oidc",
        ASSOCIATION_ROLE,
        "retained on delete",
        provider(SHARED, HOST_BLUE),
        f"account shared ({SHARED})",
    ):
        assert expected in result.stdout, expected


def test_a_plan_written_before_accounts_existed_reads_with_the_same_meaning(plan: Plan) -> None:
    data = json.loads(plan_to_json(plan))
    for service in data["services"].values():
        for key in ("account", "associationRole"):
            service.pop(key)
        service["role"].pop("accountId")
        service["role"].pop("retainOnDelete")
    old = Plan.model_validate(data)
    assert old.services["reports"].role.account_id == SHARED  # from the ARN
    assert not old.services["exporter"].role.retain_on_delete


# irsa diff -------------------------------------------------------------------------------------------------------


def test_moving_an_irsa_service_into_an_account_replaces_its_role_and_readmits_its_principals() -> None:
    base = plan_of(config(services(reports=REPORTS), lab=False))
    head = plan_of(config(services(reports={**REPORTS, "account": "shared"}), lab=False))
    diff = diff_plans(base, head)
    [replaced] = diff.replacements
    assert (replaced.kind, replaced.classification) == ("role-replaced", "neutral")
    assert (replaced.before, replaced.after) == (role(ACCOUNT, "prod-reports"), role(SHARED, "prod-reports"))
    assert "account" in replaced.summary and "`shared`" in replaced.summary and "deleted" in replaced.summary
    added, removed = _only(diff, "principal-added"), _only(diff, "principal-removed")
    assert len(added) == len(removed) == 2  # blue and green
    assert {c.classification for c in added} == {"widening"} and all(SHARED in c.summary for c in added)
    assert {c.classification for c in removed} == {"narrowing"} and all(ACCOUNT in c.summary for c in removed)
    assert diff.widening and not diff.retained
    assert not _only(diff, "action-added")  # the same permissions, now in the other account
    assert {c.kind for c in diff.changes if c.service == ""} == {"account-changed"}  # its OIDC providers there


def test_moving_a_pod_identity_service_into_an_account_chains_through_an_association_role() -> None:
    base = plan_of(config(services(exporter=EXPORTER), lab=False))
    head = plan_of(config(services(exporter={**EXPORTER, "account": "data"}), lab=False))
    diff = diff_plans(base, head)
    [replaced] = diff.replacements
    assert replaced.after == role(DATA, "prod-exporter")
    [added] = _only(diff, "principal-added")
    assert added.classification == "widening" and "through role" in added.summary and DATA in added.summary
    [removed] = _only(diff, "principal-removed")
    assert removed.classification == "narrowing" and "through role" not in removed.summary
    changed = {c.summary.rsplit(": ", 1)[-1] for c in _only(diff, "association-changed")}
    assert changed == {"role", "target role"}


def test_removing_a_retained_irsa_service_keeps_its_access() -> None:
    base = plan_of(config(services(reports={**REPORTS, "retainOnDelete": True}, keep={"namespace": "k"}), lab=False))
    head = plan_of(config(services(keep={"namespace": "k"}), lab=False))
    diff = diff_plans(base, head)
    assert not _only(diff, "service-removed")
    [retained] = diff.retained
    assert (retained.classification, retained.service) == ("neutral", "reports")
    assert "stays in AWS, unmanaged" in retained.summary
    kept = _only(diff, "access-kept")
    assert len(kept) == 2 and {c.classification for c in kept} == {"neutral"}
    assert all("can still assume" in c.summary for c in kept)
    assert diff.count("narrowing") == 0 and not diff.widening


def test_removing_a_retained_pod_identity_service_removes_access_with_its_associations() -> None:
    base = plan_of(config(services(exporter={**EXPORTER, "account": "data", "retainOnDelete": True}), lab=False))
    head = plan_of(config(services(other={"namespace": "k", "clusters": ["blue"]}), lab=False))
    diff = diff_plans(base, head)
    [retained] = diff.retained
    assert "association role" in retained.summary
    [removed] = _only(diff, "principal-removed")
    assert removed.classification == "narrowing" and "association is deleted" in removed.summary
    assert not _only(diff, "access-kept") and not _only(diff, "service-removed")


def test_removing_a_service_that_is_not_retained_deletes_its_role() -> None:
    base = plan_of(config(services(reports=REPORTS, keep={"namespace": "k"}), lab=False))
    head = plan_of(config(services(keep={"namespace": "k"}), lab=False))
    diff = diff_plans(base, head)
    [removed] = _only(diff, "service-removed")
    assert removed.classification == "narrowing" and not diff.retained


def test_moving_a_retained_service_leaves_the_old_role_assumable() -> None:
    base = plan_of(config(services(reports={**REPORTS, "retainOnDelete": True}), lab=False))
    head = plan_of(config(services(reports={**REPORTS, "retainOnDelete": True, "account": "shared"}), lab=False))
    diff = diff_plans(base, head)
    [replaced] = diff.replacements
    assert "retained" in replaced.summary
    assert len(diff.retained) == 1 and len(_only(diff, "access-kept")) == 2
    assert not _only(diff, "principal-removed")
    assert len(_only(diff, "principal-added")) == 2


def test_renaming_a_retained_role_notes_the_role_left_behind() -> None:
    base = plan_of(config(services(reports={**REPORTS, "retainOnDelete": True}), lab=False))
    head = plan_of(config(services(reports={**REPORTS, "retainOnDelete": True, "roleName": "reports-v2"}), lab=False))
    diff = diff_plans(base, head)
    assert [c.kind for c in diff.replacements] == ["role-replaced"]
    [retained] = diff.retained
    assert retained.before == role(ACCOUNT, "prod-reports")
    assert not diff.widening


def test_diff_outputs_name_retained_roles(tmp_path: Path) -> None:
    kept = plan_of(config(services(reports={**REPORTS, "retainOnDelete": True}), lab=False))
    base = write_plan(tmp_path / "a.json", kept)
    head = write_plan(tmp_path / "b.json", plan_of(config(services(backup={"namespace": "v", "clusters": ["lab"]}))))
    markdown = invoke("diff", base, head, "--fail-on-widening")
    assert markdown.exit_code == 1, markdown.output  # the new backup service widens
    lines = markdown.stdout.splitlines()
    assert "1 role retained" in lines[0]
    assert any("Retained roles" in line for line in lines)
    assert any("access kept" in line and "can still assume" in line for line in lines)
    data = json.loads(invoke("diff", base, head, "--format", "json").stdout)
    assert data["summary"]["retained"] == 1
    assert any(c["kind"] == "cluster-added" and "self-hosted" in c["summary"] for c in data["changes"])


def test_the_same_stack_diffs_empty(plan: Plan) -> None:
    assert diff_plans(plan, plan_from_json(plan_to_json(plan))).changes == []


# irsa explain ------------------------------------------------------------------------------------------------------


def test_explain_a_cross_account_irsa_service(plan: Plan, tmp_path: Path) -> None:
    path = write_plan(tmp_path / "plan.json", plan)
    result = invoke("explain", "-t", path, "--service", "reports", "--cluster", "green", "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["allowed"] and data["caller"]["providerArn"] == provider(SHARED, HOST_GREEN)
    result = invoke("explain", "-t", path, "--service", "reports", "--cluster", "blue", "-a", "report")
    assert result.exit_code == 1 and "did you mean 'reports'?" in result.stdout


def test_explain_a_cross_account_pod_identity_service_through_both_roles(plan: Plan, tmp_path: Path) -> None:
    path = write_plan(tmp_path / "plan.json", plan)
    result = invoke("explain", "-t", path, "--service", "exporter", "--cluster", "blue", "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["allowed"] and data["mechanism"] == "pod-identity"
    assert data["caller"]["associationRoleArn"] == ASSOCIATION_ROLE
    principals = [r["principal"] for r in data["requests"]]
    assert principals == ["pods.eks.amazonaws.com"] * 2 + [ASSOCIATION_ROLE] * 2  # EKS's two hops
    assert data["matchedStatements"] == [0] and data["associationRoleMatchedStatements"] == [0]
    text = invoke("explain", "-t", path, "--service", "exporter", "--cluster", "blue")
    assert text.exit_code == 0 and text.stdout.startswith("ALLOWED") and "through association role" in text.stdout
    denied = invoke("explain", "-t", path, "--service", "exporter", "--cluster", "green")
    assert denied.exit_code == 1 and "wrong-cluster" in denied.stdout
    denied = invoke("explain", "-t", path, "--service", "exporter", "--cluster", "blue", "-n", "payment")
    assert denied.exit_code == 1 and "wrong-namespace" in denied.stdout


def test_explain_an_untagged_chain_with_the_documented_external_id(tmp_path: Path) -> None:
    irsa = config(services(exporter={**EXPORTER, "account": "data", "disableSessionTags": True}), lab=False)
    path = write_plan(tmp_path / "plan.json", plan_of(irsa))
    result = invoke("explain", "-t", path, "--service", "exporter", "--cluster", "blue", "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    expected = pod_identity_external_id("eu-west-1", ACCOUNT, "prod-blue", "payments", "ledger-exporter")
    assert data["caller"]["sessionTags"] == "off" and data["caller"]["externalId"] == expected


def test_explain_says_why_the_target_refuses_the_association_role(plan: Plan) -> None:
    exporter = plan.services["exporter"]
    assert exporter.association_role is not None
    other = ASSOCIATION_ROLE.replace("prod-exporter", "prod-other")
    result = explain_chained_pod_identity(
        exporter.role.trust_policy,
        association_role_arn=other,
        association_document=exporter.association_role.trust_policy,
        account=ACCOUNT,
        namespace="payments",
        service_account="ledger-exporter",
        cluster_arn=BLUE_ARN,
    )
    assert not result.allowed
    assert [f.code for f in result.findings] == ["wrong-source-role"]
    assert result.association_matched_statements == [0]  # the first hop is fine


# Reading chained trusts by hand -----------------------------------------------------------------------------------


def _association_trust(**tags: str) -> dict[str, Any]:
    pinned = {f"aws:RequestTag/{k.replace('_', '-')}": v for k, v in tags.items()}
    return {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "pods.eks.amazonaws.com"},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT, **pinned}},
            }
        ]
    }


def _target_trust(**tags: str) -> dict[str, Any]:
    condition: dict[str, Any] = {"ArnEquals": {"aws:PrincipalArn": ASSOCIATION_ROLE}}
    if tags:
        condition["StringEquals"] = {f"aws:RequestTag/{k.replace('_', '-')}": v for k, v in tags.items()}
    return {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Condition": condition,
            }
        ]
    }


def test_a_pattern_of_the_association_role_is_narrowed_by_the_target_trust(plan: Plan) -> None:

    index = ClusterIndex.of(plan.clusters, plan.accounts)
    source = _association_trust(eks_cluster_arn=BLUE_ARN, kubernetes_namespace="payments")  # any service account
    target = _target_trust(eks_cluster_arn=BLUE_ARN, kubernetes_namespace="payments", kubernetes_service_account="a")
    [p], weaknesses = chained_principals(target, ASSOCIATION_ROLE, source, index)
    assert (p.cluster, p.subject, p.pattern, p.chained_through) == (
        "blue",
        "system:serviceaccount:payments:a",
        False,
        ASSOCIATION_ROLE,
    )
    assert [(w.trust, w.code) for w in weaknesses] == [("association-role", "service-account-unpinned")]
    # A target trust that pins nothing passes the pattern on, and says so.
    [p], weaknesses = chained_principals(_target_trust(), ASSOCIATION_ROLE, source, index)
    assert (p.subject, p.pattern, p.chained_through) == ("system:serviceaccount:payments:*", True, ASSOCIATION_ROLE)
    assert ("role", "chain-unpinned") in {(w.trust, w.code) for w in weaknesses}
