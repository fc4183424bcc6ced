"""Changes to a deployed stack under the real engine: renames, identity switches, removals, protection.

Real: the Pulumi CLI and engine (alias resolution, protect, retainOnDelete, replacement decisions),
the stack config as the engine reads it, the stack program, pulumi-kubernetes rendering YAML.
Stand-in: pulumi-aws over moto (its replacement rules are pulumi-aws's; tests/fixtures/README.md).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from pulumi import automation as auto

from tests.fixtures.moto_server import MotoServer

from .support import Cloud, Project, ops

STACK = "life"
ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/AAAABBBBCCCCDDDDEEEEFFFF00001111"


@pytest.fixture
def project(command: auto.PulumiCommand, tmp_path: Any) -> Iterator[tuple[Project, Cloud]]:
    with MotoServer(log=tmp_path / "moto.log") as moto:
        project = Project.copy(tmp_path, moto.url, command, ())
        project.write_config(STACK, _config({"payments-api": {"namespace": "payments"}}))
        yield project, project.point_at_moto(STACK)


def _config(services: dict[str, Any], **settings: Any) -> dict[str, Any]:
    return {
        "aws:region": "eu-west-1",
        "irsa:environment": "life",
        "irsa:clusters": {"main": {"name": "life-main", "oidcIssuerUrl": ISSUER}},
        "irsa:services": services,
        **settings,
    }


def _change(project: Project, change: Any) -> None:
    config = copy.deepcopy(project.config(STACK))
    change(config)
    project.write_config(STACK, config)


def _preview_ops(stack: auto.Stack) -> dict[str, list[str]]:
    events: list[Any] = []
    stack.preview(on_event=events.append)
    return {op: ops(events, op) for op in ("create", "update", "replace", "delete", "same")}


def test_renamed_from_moves_every_resource_without_a_replacement(project: tuple[Project, Cloud]) -> None:
    proj, cloud = project
    stack = proj.stack(STACK)
    stack.up(on_output=lambda _: None)
    role = cloud.role("life-payments-api")
    assert role is not None

    def rename(config: dict[str, Any]) -> None:
        entry = config["irsa:services"].pop("payments-api")
        config["irsa:services"]["payments"] = {**entry, "renamedFrom": ["payments-api"]}

    _change(proj, rename)
    planned = _preview_ops(stack)
    assert planned["replace"] == [] and planned["delete"] == [] and planned["create"] == [], planned
    stack.up(on_output=lambda _: None)
    after = cloud.role("life-payments-api")
    assert after is not None and after["RoleId"] == role["RoleId"], "the role was recreated"


def test_switching_identity_never_replaces_the_role(project: tuple[Project, Cloud]) -> None:
    proj, cloud = project
    stack = proj.stack(STACK)
    stack.up(on_output=lambda _: None)
    role_id = cloud.role("life-payments-api")["RoleId"]
    for identity in ("both", "pod-identity", "irsa"):
        _change(proj, lambda c, i=identity: c["irsa:services"]["payments-api"].update(identity=i))
        planned = _preview_ops(stack)
        assert not [u for u in planned["replace"] + planned["delete"] if "aws:iam/role:Role" in u], (identity, planned)
        stack.up(on_output=lambda _: None)
        assert cloud.role("life-payments-api")["RoleId"] == role_id, identity
        associations = cloud.client("eks").list_pod_identity_associations(clusterName="life-main")["associations"]
        assert bool(associations) == (identity != "irsa"), identity


def test_removing_a_service_deletes_its_resources(project: tuple[Project, Cloud]) -> None:
    proj, cloud = project
    _change(proj, lambda c: c["irsa:services"].update(reports={"namespace": "analytics", "identity": "both"}))
    stack = proj.stack(STACK)
    stack.up(on_output=lambda _: None)
    assert cloud.role("life-reports") is not None
    _change(proj, lambda c: c["irsa:services"].pop("reports"))
    stack.up(on_output=lambda _: None)
    assert cloud.role("life-reports") is None
    assert cloud.client("eks").list_pod_identity_associations(clusterName="life-main")["associations"] == []
    assert cloud.role("life-payments-api") is not None


def test_retain_on_delete_keeps_the_role_in_aws_and_drops_it_from_the_state(project: tuple[Project, Cloud]) -> None:
    proj, cloud = project
    _change(proj, lambda c: c["irsa:services"].update(reports={"namespace": "analytics", "retainOnDelete": True}))
    stack = proj.stack(STACK)
    stack.up(on_output=lambda _: None)
    _change(proj, lambda c: c["irsa:services"].pop("reports"))
    events: list[Any] = []
    stack.up(on_output=lambda _: None, on_event=events.append)
    assert [u for u in ops(events, "delete") if u.endswith("aws:iam/role:Role::reports")], "not removed from state"
    kept = cloud.role("life-reports")
    assert kept is not None, "retainOnDelete: the role must stay in AWS"
    state = stack.export_stack().deployment
    assert not [r for r in state["resources"] if r["urn"].endswith("::reports")]


def test_a_created_oidc_provider_stops_destroy_until_unprotected(project: tuple[Project, Cloud]) -> None:
    proj, cloud = project
    iam = cloud.client("iam")
    for existing in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]:  # now the stack creates it
        iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=existing["Arn"])
    _change(proj, lambda c: c["irsa:clusters"]["main"].update(createOidcProvider=True))
    stack = proj.stack(STACK)
    stack.up(on_output=lambda _: None)
    provider = [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
    assert any(arn.endswith(ISSUER.removeprefix("https://")) for arn in provider)
    with pytest.raises(auto.CommandError) as refused:
        stack.destroy(on_output=lambda _: None)
    assert "protect" in str(refused.value)
    urn = next(r["urn"] for r in stack.export_stack().deployment["resources"] if "openIdConnectProvider" in r["type"])
    stack.workspace.pulumi_command.run(
        ["state", "unprotect", urn, "--yes", "--stack", STACK], str(proj.dir), dict(stack.workspace.env_vars)
    )
    stack.destroy(on_output=lambda _: None)
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []
    assert cloud.role("life-payments-api") is None
