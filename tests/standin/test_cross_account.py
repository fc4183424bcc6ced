"""An explicit aws.Provider that assumes a role in another account acts in that account (moto's STS)."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pytest

from tests.fixtures import automation as engine

from .support import ACCOUNT, REGION, Aws, Engine, changes, outputs, trust

TARGET = "111111111111"
DEPLOYER = f"arn:aws:iam::{TARGET}:role/deployer"


@pytest.fixture(scope="module")
def target(cloud: Aws) -> Aws:
    """The deployer role in the target account, trusting this (moto's default) account."""
    inside = cloud.assumed(DEPLOYER)  # moto lets the first assumption in; the role it names is made here
    trusting = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}
        ],
    }
    inside.client("iam").create_role(RoleName="deployer", AssumeRolePolicyDocument=json.dumps(trusting))
    return inside


def test_resources_and_lookups_of_an_assumed_role_provider_are_in_its_account(
    stand_in: Engine, cloud: Aws, target: Aws
) -> None:
    def program() -> None:
        provider = aws.Provider(
            "target",
            region=REGION,
            access_key="test",
            secret_key="test",
            skip_credentials_validation=True,
            skip_metadata_api_check=True,
            s3_use_path_style=True,
            endpoints=[aws.ProviderEndpointArgs(**e) for e in engine.endpoints(stand_in.moto_url)],
            assume_roles=[aws.ProviderAssumeRoleArgs(role_arn=DEPLOYER, session_name="irsa-test")],
            allowed_account_ids=[TARGET],
        )
        opts = pulumi.ResourceOptions(provider=provider)
        role = aws.iam.Role("remote", name="remote-reader", assume_role_policy=trust(), opts=opts)
        here = aws.iam.Role("local", name="local-reader", assume_role_policy=trust())
        there = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(provider=provider))
        home = aws.get_caller_identity_output()
        pulumi.export("remote", role.arn)
        pulumi.export("local", here.arn)
        pulumi.export("there", there.account_id)
        pulumi.export("thereArn", there.arn)
        pulumi.export("home", home.account_id)

    stack = stand_in.stack("cross-account", program)
    up = stack.up()
    out = outputs(up)
    assert changes(up.summary.resource_changes) == {"create": 4}  # stack, provider, two roles
    assert out["there"] == TARGET and out["home"] == ACCOUNT
    assert out["thereArn"].startswith(f"arn:aws:sts::{TARGET}:assumed-role/deployer/irsa-test")
    assert out["remote"] == f"arn:aws:iam::{TARGET}:role/remote-reader"
    assert out["local"] == f"arn:aws:iam::{ACCOUNT}:role/local-reader"
    # The role is in the target account, not in the one the credentials belong to.
    assert target.client("iam").get_role(RoleName="remote-reader")["Role"]["Arn"] == out["remote"]
    home_roles = [r["RoleName"] for r in cloud.client("iam").list_roles()["Roles"]]
    assert "remote-reader" not in home_roles and "local-reader" in home_roles

    assert changes(stack.preview().change_summary) == {"same": 4}
    stack.destroy()
    assert [r["RoleName"] for r in target.client("iam").list_roles()["Roles"]] == ["deployer"]


def test_an_account_outside_allowed_account_ids_is_refused(stand_in: Engine, target: Aws) -> None:
    from pulumi import automation as auto

    def program() -> None:
        provider = aws.Provider(
            "guarded",
            region=REGION,
            access_key="test",
            secret_key="test",
            skip_credentials_validation=True,
            endpoints=[aws.ProviderEndpointArgs(**e) for e in engine.endpoints(stand_in.moto_url)],
            assume_roles=[aws.ProviderAssumeRoleArgs(role_arn=DEPLOYER, session_name="irsa-test")],
            allowed_account_ids=[ACCOUNT],
        )
        aws.iam.Role("never", assume_role_policy=trust(), opts=pulumi.ResourceOptions(provider=provider))

    stack = stand_in.stack("not-allowed", program)
    with pytest.raises(auto.errors.CommandError) as failed:
        stack.preview()
    assert f"AWS account ID not allowed: {TARGET}" in str(failed.value)
