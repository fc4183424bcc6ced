"""The graph of a diff: what is new, wider, narrowed or gone, on a pull request of the prod stack."""

from __future__ import annotations

import pytest

from irsa_components.plan.diff import Change, PlanDiff, diff_plans
from irsa_components.plan.graph import GONE, NEW, AccessGraph, Edge, Node
from irsa_components.plan.graph_diff import RETAINED_LINE, diff_graph, marks
from irsa_components.plan.model import Plan
from tests.cli.helpers import base_irsa, edited, plan_of

from .support import prod_pull_request, stack_plan

ACCOUNT = "111122223333"


@pytest.fixture(scope="module")
def pr() -> tuple[Plan, Plan, PlanDiff]:
    base, head = stack_plan("prod"), stack_plan("prod", prod_pull_request())
    return base, head, diff_plans(base, head, "base.json", "head.json")


def _node(graph: AccessGraph, node_id: str) -> Node:
    [node] = [n for n in graph.nodes if n.id == node_id]
    return node


def _edge(graph: AccessGraph, source: str, target: str, kind: str) -> Edge:
    [edge] = [e for e in graph.edges if (e.source, e.target, e.kind) == (source, target, kind)]
    return edge


def test_a_new_cluster_is_a_new_edge_and_a_wider_role(pr: tuple[Plan, Plan, PlanDiff]) -> None:
    graph = diff_graph(*pr)
    at = _edge(graph, "cluster:green", "sa:payments/ledger-exporter", "at")
    assert at.status == "added"
    assert _edge(graph, "cluster:blue", "sa:payments/ledger-exporter", "at").status == "same"
    assert _node(graph, "cluster:green").status == "same"  # the cluster itself is not new
    assert _node(graph, f"role:{ACCOUNT}/prod-ledger-exporter").status == "wider"


def test_wider_and_narrower_permissions(pr: tuple[Plan, Plan, PlanDiff]) -> None:
    graph = diff_graph(*pr)
    reports = _node(graph, f"perm:{ACCOUNT}/prod-reports")
    assert reports.status == "wider"
    assert reports.lines == (
        f"{NEW}s3: GetObject, PutObject +2 more",
        f"{GONE}s3: GetObject, PutObject, ListBucket",
    )
    payments = _node(graph, f"perm:{ACCOUNT}/prod-payments-api")
    assert payments.status == "narrowed"
    assert payments.lines == ("managed AmazonS3ReadOnlyAccess", "secretsmanager: GetSecretValue", f"{GONE}kms: Decrypt")


def test_a_dropped_mechanism_is_a_removed_edge(pr: tuple[Plan, Plan, PlanDiff]) -> None:
    graph = diff_graph(*pr)
    role = f"role:{ACCOUNT}/prod-orders-worker"
    irsa = _edge(graph, "sa:orders/worker", role, "irsa")
    assert (irsa.status, irsa.label) == ("removed", "removed: IRSA")
    assert _edge(graph, "sa:orders/worker", role, "pod-identity").status == "same"
    assert _node(graph, role).status == "narrowed"


def test_a_new_service_is_new_everywhere_with_its_weaknesses(pr: tuple[Plan, Plan, PlanDiff]) -> None:
    graph = diff_graph(*pr)
    for node_id in ("sa:audit/reader", f"role:{ACCOUNT}/prod-audit-reader", f"perm:{ACCOUNT}/prod-audit-reader"):
        assert _node(graph, node_id).status == "added"
    assert {f.category for f in _node(graph, f"perm:{ACCOUNT}/prod-audit-reader").flags} == {"admin"}
    edge = _edge(graph, "sa:audit/reader", f"role:{ACCOUNT}/prod-audit-reader", "irsa")
    assert (edge.status, edge.label) == ("added", "new: IRSA")


def test_changed_services_first_unchanged_ones_left_out(pr: tuple[Plan, Plan, PlanDiff]) -> None:
    graph = diff_graph(*pr)
    assert graph.shown_services == ["audit-reader", "ledger-exporter", "reports", "orders-worker", "payments-api"]
    assert graph.total_services == 6 and "external-dns" not in graph.shown_services
    assert "role:111122223333/prod-external-dns" not in {n.id for n in graph.nodes}
    everything = diff_graph(*pr, unchanged=True)
    assert everything.shown_services[-1] == "external-dns"
    assert _node(everything, "role:111122223333/prod-external-dns").status == "same"
    capped = diff_graph(*pr, max_nodes=4)
    assert capped.shown_services == ["audit-reader"] and capped.hidden_services[0] == "ledger-exporter"


def test_no_change_no_graph() -> None:
    plan = plan_of(base_irsa())
    graph = diff_graph(plan, plan, diff_plans(plan, plan))
    assert graph.nodes == [] and graph.shown_services == []


def test_removed_service_is_struck_but_a_retained_role_stays() -> None:
    keep = {"namespace": "payments", "retainOnDelete": True}
    base = plan_of(base_irsa(kept=keep, gone={"namespace": "jobs"}, stays={"namespace": "web"}))
    head = plan_of(base_irsa(stays={"namespace": "web"}))
    graph = diff_graph(base, head, diff_plans(base, head))
    assert _node(graph, "role:111122223333/prod-gone").status == "removed"
    assert _node(graph, "sa:jobs/gone").status == "removed"
    assert _edge(graph, "sa:jobs/gone", "role:111122223333/prod-gone", "irsa").label == "removed: IRSA"
    kept = _node(graph, "role:111122223333/prod-kept")
    assert kept.status == "changed" and RETAINED_LINE in kept.lines
    edge = _edge(graph, "sa:payments/kept", "role:111122223333/prod-kept", "irsa")
    assert (edge.status, edge.label) == ("same", "IRSA (retained role)")  # still assumable: the trust is the grant
    assert _node(graph, "sa:payments/kept").status == "same"


def test_a_renamed_service_keeps_its_role_node() -> None:
    same = {"namespace": "payments", "serviceAccount": "api", "roleName": "prod-payments"}
    base = plan_of(base_irsa(old=same))
    head = plan_of(base_irsa(new={**same, "renamedFrom": ["old"]}))
    graph = diff_graph(base, head, diff_plans(base, head))
    role = _node(graph, "role:111122223333/prod-payments")
    assert role.status == "changed" and set(role.services) == {"new"}  # neutral: renamed
    assert {n.status for n in graph.nodes if n.id != role.id} == {"same"}


def test_the_adapter_places_every_change_kind() -> None:
    m = marks(
        [
            Change("widening", "action-added", "a", "`s3:PutObject` on `x`"),
            Change("narrowing", "managed-policy-detached", "b", "association role: managed policy detached"),
            Change("widening", "a-kind-from-the-future", "c", "something wider"),
            Change("narrowing", "trust-strengthened", "c", "fixed"),
            Change("neutral", "cluster-changed", "", "cluster `blue`: name changed"),
            Change("widening", "cluster-retargeted", "", "cluster `green` now names another cluster"),
        ]
    )
    assert m.permissions == {"a": "wider"}
    assert m.association_permissions == {"b": "narrowed"}
    assert m.role == {"c": "wider"}  # an unknown kind is never dropped: it marks the role
    assert m.clusters == {"blue": "changed", "green": "wider"}
    assert m.severity == {"a": 0, "b": 1, "c": 0}


def test_an_edge_that_loses_its_audience_pin_is_wider() -> None:
    base = plan_of(base_irsa())

    def no_aud(data: dict) -> None:  # type: ignore[type-arg]
        for statement in data["services"]["payments-api"]["role"]["trustPolicy"]["Statement"]:
            condition = statement["Condition"]["StringEquals"]
            for key in [k for k in condition if k.endswith(":aud")]:
                del condition[key]

    head = edited(base, no_aud)
    graph = diff_graph(base, head, diff_plans(base, head))
    edge = _edge(graph, "sa:payments/payments-api", f"role:{ACCOUNT}/prod-payments-api", "irsa")
    assert edge.status == "wider" and "missing-aud" in {f.code for f in edge.flags}
    assert _node(graph, f"role:{ACCOUNT}/prod-payments-api").status == "wider"
    back = diff_graph(head, base, diff_plans(head, base))
    assert _edge(back, "sa:payments/payments-api", f"role:{ACCOUNT}/prod-payments-api", "irsa").status == "narrowed"
