"""The graph of a plan: nodes, edges, weaknesses highlighted, grouping and the node cap."""

from __future__ import annotations

import json
from typing import Any

import pytest

from irsa_components.plan.graph import AccessGraph, Edge, Node, flag_category, permission_items
from irsa_components.plan.graph_view import MORE_ID, plan_graph
from irsa_components.plan.model import Permissions, PermissionStatement, Plan, plan_from_json
from tests.cli.helpers import ACCOUNT, GOLDEN, HOST_BLUE, base_irsa, edited, plan_of
from tests.stack.multi_account import DATA, SHARED, config


def _golden(stack: str) -> Plan:
    return plan_from_json((GOLDEN / f"{stack}.json").read_text())


def _node(graph: AccessGraph, node_id: str) -> Node:
    [node] = [n for n in graph.nodes if n.id == node_id]
    return node


def _edges(graph: AccessGraph, kind: str | None = None) -> set[tuple[str, str, str]]:
    return {(e.source, e.target, e.label) for e in graph.edges if kind is None or e.kind == kind}


def _edge(graph: AccessGraph, source: str, target: str) -> Edge:
    [edge] = [e for e in graph.edges if (e.source, e.target) == (source, target)]
    return edge


def test_dev_plan_as_a_graph() -> None:
    graph = plan_graph(_golden("dev"))
    role = "role:<account-id>/dev-payments-api"
    assert {n.id for n in graph.nodes} == {
        "cluster:main",
        "sa:payments/payments-api",
        "sa:orders/worker",
        "sa:analytics/report-generator",
        role,
        "role:<account-id>/dev-orders-worker",
        "role:<account-id>/dev-reports",
        "perm:<account-id>/dev-payments-api",
        "perm:<account-id>/dev-orders-worker",
        "perm:<account-id>/dev-reports",
    }
    assert _edges(graph, "irsa") == {
        ("sa:payments/payments-api", role, "IRSA"),
        ("sa:analytics/report-generator", "role:<account-id>/dev-reports", "IRSA"),
    }
    assert _edges(graph, "pod-identity") == {
        ("sa:orders/worker", "role:<account-id>/dev-orders-worker", "Pod Identity")
    }
    assert ("cluster:main", "sa:payments/payments-api", "") in _edges(graph, "at")
    assert _node(graph, role).title == "role dev-payments-api"
    assert _node(graph, role).lines == ("account <account-id>",)
    assert _node(graph, "perm:<account-id>/dev-payments-api").lines == (
        "managed AmazonS3ReadOnlyAccess",
        "secretsmanager: GetSecretValue",
    )
    assert _node(graph, "cluster:main").lines == ("dev-main",)
    assert graph.groups == {
        "namespace orders": "namespace orders",
        "namespace payments": "namespace payments",
        "namespace analytics": "namespace analytics",
    }
    assert _node(graph, role).group == "namespace payments" and _node(graph, "cluster:main").group == ""
    assert not any(n.flags for n in graph.nodes)  # the dev stack has no weakness


def test_both_mechanisms_are_two_edges_and_a_partial_one_names_its_clusters() -> None:
    prod = plan_graph(_golden("prod"))
    worker = "role:111122223333/prod-orders-worker"
    assert {e.label for e in prod.edges if e.target == worker and e.source == "sa:orders/worker"} == {
        "IRSA",
        "Pod Identity",
    }
    # An extra trust statement admitting the worker on blue only, by IRSA, to a Pod Identity role.
    plan = edited(
        plan_of(base_irsa(payments={"namespace": "payments", "identity": "pod-identity"})),
        lambda d: d["services"]["payments"]["role"]["trustPolicy"]["Statement"].append(
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{HOST_BLUE}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{HOST_BLUE}:sub": "system:serviceaccount:payments:payments",
                        f"{HOST_BLUE}:aud": "sts.amazonaws.com",
                    }
                },
            }
        ),
    )
    graph = plan_graph(plan)
    labels = {e.label for e in graph.edges if e.source == "sa:payments/payments"}
    assert labels == {"Pod Identity", "IRSA at blue"}


def test_cross_account_pod_identity_chains_through_the_association_role() -> None:
    plan = plan_of(
        config(
            {
                "exporter": {
                    "namespace": "payments",
                    "serviceAccount": "ledger-exporter",
                    "identity": "pod-identity",
                    "clusters": ["blue"],
                    "account": "data",
                    "policyStatements": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::l/*"}],
                },
                "reports": {"namespace": "analytics", "account": "shared", "clusters": ["blue"]},
            },
            lab=False,
        )
    )
    graph = plan_graph(plan)
    target, association = f"role:{DATA}/prod-exporter", f"role:{ACCOUNT}/prod-exporter-pod-identity"
    assert _node(graph, target).lines == (f"account data ({DATA})",)
    assert _node(graph, association).title == "association role prod-exporter-pod-identity"
    assert _edge(graph, "sa:payments/ledger-exporter", association).label == "Pod Identity"
    assert _edge(graph, association, target).kind == "chain"
    assert _edge(graph, association, target).label == "role chaining (cross-account)"
    assert not [e for e in graph.edges if e.source == "sa:payments/ledger-exporter" and e.target == target]
    # The association role's only permission is the chain itself: no summary node for it.
    assert f"perm:{ACCOUNT}/prod-exporter-pod-identity" not in {n.id for n in graph.nodes}
    assert _node(graph, f"perm:{DATA}/prod-exporter").lines == ("s3: PutObject",)
    assert _node(graph, f"role:{SHARED}/prod-reports").lines == (f"account shared ({SHARED})",)


def test_role_chaining_granted_by_permissions() -> None:
    other = f"arn:aws:iam::{SHARED}:role/reader"
    irsa = base_irsa(
        payments={
            "namespace": "payments",
            "policyStatements": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": other}],
        },
        jobs={"namespace": "jobs", "policyStatements": [{"Effect": "Allow", "Action": "sts:*", "Resource": "*"}]},
        audit={
            "namespace": "audit",
            "policyStatements": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Resource": f"arn:aws:iam::{ACCOUNT}:role/prod-payments",
                    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
                }
            ],
        },
    )
    graph = plan_graph(plan_of(irsa))
    payments, jobs = f"role:{ACCOUNT}/prod-payments", f"role:{ACCOUNT}/prod-jobs"
    chain = _edge(graph, payments, f"ext:{other}")
    assert (chain.kind, chain.label) == ("chain", "role chaining (cross-account)")
    assert _node(graph, f"ext:{other}").lines == (f"account {SHARED}", "not in this stack")
    any_role = _node(graph, "ext:*")
    assert any_role.title == "any role (*)" and any_role.flags[0].category == "wildcard"
    assert _edge(graph, jobs, "ext:*").kind == "chain"
    # A conditional grant is still drawn (it can chain), and says so; into a role of the stack, its own node.
    assert _edge(graph, f"role:{ACCOUNT}/prod-audit", payments).label == "role chaining · conditional"


def test_principals_outside_the_stack_are_drawn_and_flagged() -> None:
    other = "oidc.eks.eu-west-1.amazonaws.com/id/0000000000000000000000000000FFFF"

    def foreign(data: dict[str, Any]) -> None:
        statement = next(
            s
            for s in data["services"]["payments-api"]["role"]["trustPolicy"]["Statement"]
            if HOST_BLUE in json.dumps(s)
        )
        statement["Principal"] = {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{other}"}
        statement["Condition"] = {"StringEquals": {f"{other}:sub": "system:serviceaccount:payments:payments-api"}}
        data["services"]["payments-api"]["role"]["trustPolicy"]["Statement"].append(
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{SHARED}:root"}, "Action": "sts:AssumeRole"}
        )

    graph = plan_graph(edited(plan_of(base_irsa()), foreign))
    unknown = _node(graph, f"cluster:?{other}")
    assert unknown.lines == ("not a cluster of this stack",) and unknown.flags[0].code == "unknown-cluster"
    assert _edge(graph, f"cluster:?{other}", "sa:payments/payments-api").kind == "at"
    aud = _edge(graph, "sa:payments/payments-api", f"role:{ACCOUNT}/prod-payments-api")
    assert "missing-aud" in {f.code for f in aud.flags}  # that statement pins no audience
    [other_principal] = [n for n in graph.nodes if n.kind == "principal"]
    assert SHARED in other_principal.lines[0] and other_principal.flags[0].code == "other-principal"
    assert _edge(graph, other_principal.id, f"role:{ACCOUNT}/prod-payments-api").label == "assume role"


def _wildcard_trust(data: dict[str, Any]) -> None:
    statement = next(
        s for s in data["services"]["payments-api"]["role"]["trustPolicy"]["Statement"] if HOST_BLUE in json.dumps(s)
    )
    statement["Condition"] = {
        "StringLike": {f"{HOST_BLUE}:sub": "system:serviceaccount:payments:*"},
        "StringEquals": {f"{HOST_BLUE}:aud": "sts.amazonaws.com"},
    }


def test_weaknesses_are_highlighted_where_they_are() -> None:
    plan = edited(plan_of(base_irsa()), _wildcard_trust)
    graph = plan_graph(plan)
    pattern = _node(graph, "sa:payments/*")
    assert [f.category for f in pattern.flags] == ["wildcard"]
    role = _node(graph, f"role:{ACCOUNT}/prod-payments-api")
    assert "sub-namespace-wildcard" in {f.code for f in role.flags}
    assert {f.category for f in role.flags} == {"wildcard"}
    assert graph.shown_services == ["payments-api"]


def test_admin_like_grants_and_permission_wildcards_are_flagged() -> None:
    irsa = base_irsa(
        admin={"namespace": "ops", "managedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"]},
        star={"namespace": "ops", "policyStatements": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
        s3={"namespace": "data", "policyStatements": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]},
        fine={
            "namespace": "data",
            "policyStatements": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::x/*"}],
        },
    )
    graph = plan_graph(plan_of(irsa))

    def codes(service: str) -> set[str]:
        return {f.code for f in _node(graph, f"perm:{ACCOUNT}/prod-{service}").flags}

    assert codes("admin") == {"admin-managed-policy"}
    assert codes("star") & {"all-actions", "iam-wildcard"}  # decided by the solver, with witnesses
    assert codes("s3") == {"action-wildcard", "resource-wildcard"}
    assert codes("fine") == set()
    assert _node(graph, f"perm:{ACCOUNT}/prod-star").lines == ("* (every action)",)
    # Services with weaknesses come first, so a node cap never hides them behind harmless ones.
    assert graph.shown_services[:3] == ["admin", "s3", "star"]


def test_weakness_codes_nobody_knows_yet_are_still_flagged() -> None:
    assert flag_category("admin-like-grant") == "admin"
    assert flag_category("sub-wildcard-broad") == "wildcard"
    assert flag_category("unpinned-namespace") == "unpinned"
    assert flag_category("missing-source-account") == "unpinned"
    assert flag_category("some-future-code") == "weak"


def test_permission_summary_groups_by_service_prefix() -> None:
    perms = Permissions(
        managed_policies=["arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"],
        inline=[
            PermissionStatement(effect="Allow", actions=["s3:GetObject", "s3:PutObject"], resources=["a"]),
            PermissionStatement(effect="Allow", actions=["s3:GetObject", "sqs:SendMessage"], resources=["b"]),
            PermissionStatement(effect="Deny", actions=["s3:DeleteObject"], resources=["*"]),
            PermissionStatement(effect="Allow", not_actions=["iam:*"], resources=["*"]),
            PermissionStatement(effect="Allow", actions=["ec2:A", "ec2:B", "ec2:C", "ec2:D", "ec2:E"], resources=["*"]),
        ],
    )
    assert permission_items(perms) == [
        "managed AmazonEBSCSIDriverPolicy",
        "Allow every action except iam:*",
        "s3: GetObject, PutObject",
        "sqs: SendMessage",
        "Deny s3: DeleteObject",
        "ec2: A, B +3 more",
    ]


@pytest.fixture(scope="module")
def many() -> Plan:
    return plan_of(base_irsa(**{f"svc-{i:02d}": {"namespace": f"team-{i % 3}"} for i in range(12)}))


def test_the_node_cap_keeps_whole_services_and_counts_the_rest(many: Plan) -> None:
    graph = plan_graph(many, max_nodes=12)
    # Each service: a workload, a role and its permissions (3 nodes); the two clusters are shared.
    assert graph.shown_services == ["svc-00", "svc-01", "svc-02"]
    assert len(graph.hidden_services) == 9 and graph.total_services == 12
    more = _node(graph, MORE_ID)
    assert more.title == "… 9 more services" and more.kind == "more"
    assert len([n for n in graph.nodes if n.kind != "more"]) <= 12
    shown = {s for n in graph.nodes for s in n.services}
    assert shown == {"svc-00", "svc-01", "svc-02"}
    # Every edge's ends are drawn.
    ids = {n.id for n in graph.nodes}
    assert all(e.source in ids and e.target in ids for e in graph.edges)
    assert plan_graph(many, max_nodes=1).shown_services == ["svc-00"]  # at least one service
    assert not plan_graph(many, max_nodes=1000).hidden_services


def test_grouping_by_team_or_not_at_all(many: Plan) -> None:
    prod = _golden("prod")
    by_team = plan_graph(prod, group_by="team")
    assert set(by_team.groups) == {"team payments", "team orders", "team analytics", "team platform"}
    assert _node(by_team, "role:111122223333/prod-ledger-exporter").group == "team payments"
    untagged = plan_graph(many, group_by="team")
    assert set(untagged.groups) == {"team (no team tag)"}
    flat = plan_graph(prod, group_by="none")
    assert flat.groups == {} and all(n.group == "" for n in flat.nodes)
