"""IAM resources through the real engine: preview, up, no-op preview, update, replacement, refresh, destroy."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from pulumi import automation as auto

from .support import ACCOUNT, Aws, Engine, allow, changes, outputs, trust


def iam_program(spec: dict[str, Any], seen: list[tuple[str, Any]]) -> Any:
    """A role with an inline policy, a managed policy attached, and the account looked up."""

    def program() -> None:
        role = aws.iam.Role(
            "app",
            name=spec.get("name"),
            path=spec.get("path"),
            assume_role_policy=spec["trust"],
            description=spec["description"],
            tags=spec.get("tags", {"team": "platform"}),
        )
        aws.iam.RolePolicy("app-inline", role=role.name, name="inline", policy=spec["inline"])
        managed = aws.iam.Policy("app-managed", policy=spec.get("managed", allow("sqs:SendMessage")), description="m")
        aws.iam.RolePolicyAttachment("app-attach", role=role.name, policy_arn=managed.arn)
        identity = aws.get_caller_identity_output()
        role.name.apply(lambda v: seen.append(("name", v)))
        role.arn.apply(lambda v: seen.append(("arn", v)))
        managed.arn.apply(lambda v: seen.append(("policy-arn", v)))
        pulumi.export("arn", role.arn)
        pulumi.export("name", role.name)
        pulumi.export("uniqueId", role.unique_id)
        pulumi.export("tagsAll", role.tags_all)
        pulumi.export("account", identity.account_id)
        pulumi.export("policyArn", managed.arn)

    return program


def base_spec() -> dict[str, Any]:
    return {"trust": trust(), "description": "first", "inline": allow("s3:GetObject")}


def test_first_preview_keeps_computed_outputs_unknown_and_creates_nothing(stand_in: Engine, cloud: Aws) -> None:
    seen: list[tuple[str, Any]] = []
    stack = stand_in.stack("first-preview", iam_program(base_spec(), seen))
    ops: list[str] = []

    def on_event(event: auto.EngineEvent) -> None:
        if event.resource_pre_event and event.resource_pre_event.metadata.type.startswith("aws:"):
            ops.append(event.resource_pre_event.metadata.op.value)

    result = stack.preview(on_event=on_event)

    assert changes(result.change_summary) == {"create": 5}  # the stack and four resources
    assert sorted(ops) == ["create"] * 4
    # The role's generated name is known at preview; its ARN and the policy's ARN are not.
    names = [v for k, v in seen if k == "name"]
    assert len(names) == 1 and names[0].startswith("app-") and len(names[0]) == len("app-") + 7
    assert not [v for k, v in seen if k in ("arn", "policy-arn")]
    # Nothing was created: the stand-in got previews only, and moto has no role.
    assert stand_in.calls("Create") and all(c["request"].get("preview") for c in stand_in.calls("Create"))
    assert names[0] not in [r["RoleName"] for r in cloud.client("iam").list_roles()["Roles"]]


def test_up_no_change_update_replace_destroy(stand_in: Engine, cloud: Aws) -> None:
    iam = cloud.client("iam")
    spec = {**base_spec(), "name": "lifecycle-app"}
    seen: list[tuple[str, Any]] = []
    stack = stand_in.stack("lifecycle", iam_program(spec, seen))

    up = stack.up()
    out = outputs(up)
    assert changes(up.summary.resource_changes) == {"create": 5}
    role = iam.get_role(RoleName="lifecycle-app")["Role"]
    assert out["arn"] == role["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/lifecycle-app"
    assert out["uniqueId"] == role["RoleId"]
    assert out["account"] == ACCOUNT
    assert out["tagsAll"] == {"team": "platform"}
    assert role["Description"] == "first"
    assert role["AssumeRolePolicyDocument"] == json.loads(spec["trust"])
    inline = iam.get_role_policy(RoleName="lifecycle-app", PolicyName="inline")["PolicyDocument"]
    assert inline == json.loads(spec["inline"])
    attached = iam.list_attached_role_policies(RoleName="lifecycle-app")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [out["policyArn"]]
    assert iam.get_policy(PolicyArn=out["policyArn"])["Policy"]["Description"] == "m"

    # Nothing changed: a second preview reports no changes.
    assert changes(stack.preview().change_summary) == {"same": 5}

    # In place: description, tags, the inline and the managed policy change; the role stays the same role.
    spec.update(
        description="second",
        inline=allow("s3:PutObject"),
        managed=allow("sqs:ReceiveMessage"),
        tags={"team": "payments", "tier": "1"},
    )
    preview = stack.preview()
    assert changes(preview.change_summary) == {"same": 2, "update": 3}
    up = stack.up()
    assert changes(up.summary.resource_changes) == {"same": 2, "update": 3}
    assert outputs(up)["tagsAll"] == {"team": "payments", "tier": "1"}
    role = iam.get_role(RoleName="lifecycle-app")["Role"]
    assert role["Description"] == "second" and role["RoleId"] == out["uniqueId"]
    tags = iam.list_role_tags(RoleName="lifecycle-app")["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("team", "payments"), ("tier", "1")]
    inline = iam.get_role_policy(RoleName="lifecycle-app", PolicyName="inline")["PolicyDocument"]
    assert inline["Statement"][0]["Action"] == "s3:PutObject"
    managed = iam.get_policy(PolicyArn=out["policyArn"])["Policy"]
    document = iam.get_policy_version(PolicyArn=out["policyArn"], VersionId=managed["DefaultVersionId"])
    assert document["PolicyVersion"]["Document"]["Statement"][0]["Action"] == "sqs:ReceiveMessage"
    assert managed["DefaultVersionId"] == "v2"

    # An equivalent trust policy (other key order, a list for a single action) is no change.
    spec["trust"] = json.dumps(
        {
            "Statement": [
                {"Action": ["sts:AssumeRole"], "Principal": {"Service": "ec2.amazonaws.com"}, "Effect": "Allow"}
            ],
            "Version": "2012-10-17",
        }
    )
    assert changes(stack.preview().change_summary) == {"same": 5}

    # A new name replaces the role (name is ForceNew), and with it what names the role.
    spec["name"] = "lifecycle-app-2"
    assert changes(stack.preview().change_summary) == {"same": 2, "replace": 3}
    up = stack.up()
    assert changes(up.summary.resource_changes) == {"same": 2, "replace": 3}
    names = [r["RoleName"] for r in iam.list_roles()["Roles"]]
    assert "lifecycle-app-2" in names and "lifecycle-app" not in names
    assert iam.list_attached_role_policies(RoleName="lifecycle-app-2")["AttachedPolicies"]
    assert outputs(up)["arn"].endswith(":role/lifecycle-app-2")

    destroy = stack.destroy()
    assert changes(destroy.summary.resource_changes) == {"delete": 5}
    assert "lifecycle-app-2" not in [r["RoleName"] for r in iam.list_roles()["Roles"]]
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_policy(PolicyArn=out["policyArn"])


def _role_ops(stack: auto.Stack) -> list[str]:
    ops: list[str] = []

    def on_event(event: auto.EngineEvent) -> None:
        pre = event.resource_pre_event
        if pre and pre.metadata.type == "aws:iam/role:Role":
            ops.append(pre.metadata.op.value)

    stack.up(on_event=on_event)
    return ops


@pytest.mark.parametrize("named", [True, False], ids=["set-name", "generated-name"])
def test_replacement_deletes_first_only_when_the_program_set_the_name(
    stand_in: Engine, cloud: Aws, named: bool
) -> None:
    # path is ForceNew. With the same set name the new role cannot exist beside the old one, so the
    # bridge replaces delete-first; a generated name gets a new one and the new role comes first.
    spec = {**base_spec(), "path": "/a/", **({"name": f"ordered-{named}"} if named else {})}
    stack = stand_in.stack(f"ordering-{named}", iam_program(spec, []))
    stack.up()
    spec["path"] = "/b/"
    ops = _role_ops(stack)
    assert sorted(ops) == ["create-replacement", "delete-replaced", "replace"]
    assert (ops.index("delete-replaced") < ops.index("create-replacement")) is named
    prefix = "ordered-" if named else "app-"
    roles = [r for r in cloud.client("iam").list_roles()["Roles"] if r["RoleName"].startswith(prefix)]
    assert [r["Path"] for r in roles] == ["/b/"]


def test_refresh_follows_changes_made_outside(stand_in: Engine, cloud: Aws) -> None:
    iam = cloud.client("iam")
    spec = {**base_spec(), "name": "refresh-app"}
    stack = stand_in.stack("refresh", iam_program(spec, []))
    stack.up()

    iam.update_role_description(RoleName="refresh-app", Description="changed by hand")
    iam.delete_role_policy(RoleName="refresh-app", PolicyName="inline")
    refresh = stack.refresh()
    assert changes(refresh.summary.resource_changes) == {"same": 3, "update": 1, "delete": 1}
    state = {r["urn"].split("::")[-1]: r for r in stack.export_stack().deployment["resources"]}
    assert state["app"]["outputs"]["description"] == "changed by hand"
    assert "app-inline" not in state

    # The program still says "first": the next up puts it back, and recreates the inline policy.
    assert changes(stack.preview().change_summary) == {"same": 3, "update": 1, "create": 1}
    stack.up()
    assert iam.get_role(RoleName="refresh-app")["Role"]["Description"] == "first"
    assert iam.get_role_policy(RoleName="refresh-app", PolicyName="inline")


def test_oidc_provider_client_ids_change_in_place_and_a_new_url_replaces_it(stand_in: Engine, cloud: Aws) -> None:
    iam = cloud.client("iam")
    spec = {"url": "https://issuer.example.com/one", "clients": ["sts.amazonaws.com"]}

    def program() -> None:
        provider = aws.iam.OpenIdConnectProvider(
            "issuer", url=spec["url"], client_id_lists=spec["clients"], thumbprint_lists=["a" * 40]
        )
        pulumi.export("arn", provider.arn)

    stack = stand_in.stack("oidc", program)
    arn = outputs(stack.up())["arn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:oidc-provider/issuer.example.com/one"

    spec["clients"] = ["sts.amazonaws.com", "other-audience"]
    up = stack.up()
    assert changes(up.summary.resource_changes) == {"same": 1, "update": 1}
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert sorted(got["ClientIDList"]) == ["other-audience", "sts.amazonaws.com"]

    spec["url"] = "https://issuer.example.com/two"
    up = stack.up()
    assert changes(up.summary.resource_changes) == {"same": 1, "replace": 1}
    listed = [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
    assert outputs(up)["arn"] in listed and arn not in listed
