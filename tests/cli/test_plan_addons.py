"""``irsa plan`` shows, for a built-in add-on service, the chart values its controller needs for the scope."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console

from irsa_components.cli.render_plan import plan_markdown, print_plan
from irsa_components.plan.model import plan_from_json, plan_to_json

from .helpers import ACCOUNT, base_irsa, edited, plan_of

ZONE = "Z0123456789ABCDEFGHIJ"
QUEUE = f"arn:aws:sqs:eu-west-1:{ACCOUNT}:nth-events"


def _plan() -> Any:
    return plan_of(
        base_irsa(
            dns={"addon": "external-dns", "addonScope": {"hostedZoneArns": [f"arn:aws:route53:::hostedzone/{ZONE}"]}},
            ca={"addon": "cluster-autoscaler", "addonScope": {"clusterName": "prod-blue"}},
            nth={"addon": "aws-node-termination-handler", "addonScope": {"queueArns": [QUEUE]}},
            cni={"addon": "vpc-cni", "addonPolicy": "managed"},
            plain={"namespace": "apps"},
        )
    )


def _values(plan: Any, key: str) -> dict[str, Any]:
    addon = plan.services[key].addon
    assert addon is not None and addon.problem is None
    return {v.key: v.value for v in addon.chart_values}


def test_addon_services_carry_their_chart_values() -> None:
    plan = _plan()
    assert _values(plan, "dns") == {"serviceAccount.name": "external-dns", "extraArgs.zone-id-filter": [ZONE]}
    assert _values(plan, "ca") == {
        "rbac.serviceAccount.name": "cluster-autoscaler",
        "autoDiscovery.clusterName": "prod-blue",
        "awsRegion": "eu-west-1",
    }
    nth = _values(plan, "nth")
    assert nth["queueURL"] == f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/nth-events"
    assert nth["checkTagBeforeDraining"] is True and nth["managedTag"] == "aws-node-termination-handler/managed"
    # AWS's managed policies are not scoped: nothing to match (vpc-cni names no service account value).
    assert _values(plan, "cni") == {}
    assert plan.services["plain"].addon is None
    assert plan.services["dns"].addon is not None and plan.services["dns"].addon.name == "external-dns"


def test_chart_values_survive_the_json_round_trip_and_older_plans_read_back() -> None:
    plan = _plan()
    assert plan_from_json(plan_to_json(plan)) == plan
    older = edited(plan, lambda data: [s.pop("addon") for s in data["services"].values()])
    assert all(s.addon is None for s in older.services.values())


def test_table_and_markdown_show_the_values_to_set() -> None:
    plan = _plan()
    out = io.StringIO()
    print_plan(plan, Console(file=out, width=400, no_color=True))
    table = out.getvalue()
    assert f'set extraArgs.zone-id-filter=["{ZONE}"]' in table
    assert "set autoDiscovery.clusterName=prod-blue" in table
    assert "no chart values needed" in table  # the managed-policy vpc-cni service
    markdown = plan_markdown(plan)
    assert "**Add-on** `cluster-autoscaler`" in markdown
    assert "| `rbac.serviceAccount.name` | `cluster-autoscaler` |" in markdown
    assert "| `checkTagBeforeDraining` | `true` |" in markdown


def test_values_that_cannot_be_worked_out_are_reported_as_unknown(monkeypatch: Any) -> None:
    from irsa_components.core.errors import InputError, Problem
    from irsa_components.plan import extract

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise InputError([Problem("add-on 'external-dns'", "region", "x", "is not a region")])

    monkeypatch.setattr(extract.addons, "resolve", refuse)
    plan = plan_of(base_irsa(dns={"addon": "external-dns", "addonScope": {"hostedZoneArns": [ZONE]}}))
    addon = plan.services["dns"].addon
    assert addon is not None and addon.chart_values == [] and "is not a region" in (addon.problem or "")
    out = io.StringIO()
    print_plan(plan, Console(file=out, width=400, no_color=True))
    assert "chart values unknown" in out.getvalue()
    assert "unknown: " in plan_markdown(plan)
