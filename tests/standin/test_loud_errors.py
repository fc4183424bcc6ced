"""What the stand-in does not know fails the preview, naming the type, the property or the key."""

from __future__ import annotations

from collections.abc import Callable

import pulumi
import pulumi_aws as aws
import pytest
from pulumi import automation as auto

from .support import Engine, allow, trust


def _failure(stand_in: Engine, name: str, program: Callable[[], None], **config: str) -> str:
    stack = stand_in.stack(name, program, {k: auto.ConfigValue(value=v) for k, v in config.items()})
    with pytest.raises(auto.errors.CommandError) as failed:
        stack.preview()
    return str(failed.value)


def test_an_unknown_property_fails_naming_the_type_and_the_property(stand_in: Engine) -> None:
    def program() -> None:
        pulumi.CustomResource("aws:iam/role:Role", "odd", {"assumeRolePolicy": trust(), "assumeRolePolicyy": trust()})

    message = _failure(stand_in, "unknown-property", program)
    assert "aws:iam/role:Role" in message and "'assumeRolePolicyy'" in message
    assert "no input property" in message


def test_a_property_pulumi_aws_has_but_the_stand_in_does_not_serve_fails(stand_in: Engine) -> None:
    def program() -> None:
        aws.iam.Role("exclusive", assume_role_policy=trust(), managed_policy_arns=["arn:aws:iam::aws:policy/x"])

    message = _failure(stand_in, "unserved-property", program)
    assert "'managedPolicyArns'" in message and "does not serve" in message


def test_a_nested_unknown_property_fails_with_its_path(stand_in: Engine) -> None:
    def program() -> None:
        pulumi.CustomResource(
            "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
            "nested",
            {"bucket": "b", "rule": {"objectOwnership": "BucketOwnerEnforced", "objectOwner": "x"}},
        )

    message = _failure(stand_in, "nested-property", program)
    assert "'rule.objectOwner'" in message


def test_an_invalid_value_fails_with_the_rule(stand_in: Engine) -> None:
    def program() -> None:
        aws.iam.Role("short", assume_role_policy=trust(), max_session_duration=60)

    message = _failure(stand_in, "invalid-value", program)
    assert "'maxSessionDuration' must be between 3600 and 43200, not 60" in message


def test_an_unknown_resource_type_fails_naming_it(stand_in: Engine) -> None:
    def program() -> None:
        pulumi.CustomResource("aws:iam/roleTypo:RoleTypo", "typo", {"name": "x"})

    message = _failure(stand_in, "unknown-type", program)
    assert "unknown resource type aws:iam/roleTypo:RoleTypo" in message


def test_a_real_resource_type_the_stand_in_does_not_serve_fails(stand_in: Engine) -> None:
    def program() -> None:
        aws.sqs.Queue("queue")

    message = _failure(stand_in, "unserved-type", program)
    assert "unknown resource type aws:sqs/queue:Queue" in message


def test_an_unknown_function_fails_naming_it(stand_in: Engine) -> None:
    def program() -> None:
        aws.get_availability_zones_output()

    message = _failure(stand_in, "unknown-invoke", program)
    assert "unknown function aws:index/getAvailabilityZones:getAvailabilityZones" in message


def test_an_unknown_function_argument_fails_naming_it(stand_in: Engine) -> None:
    def program() -> None:
        pulumi.export("x", pulumi.runtime.invoke("aws:eks/getCluster:getCluster", {"name": "c", "nam": "c"}).value)

    message = _failure(stand_in, "unknown-argument", program)
    assert "aws:eks/getCluster:getCluster has no argument 'nam'" in message


def test_an_unknown_config_key_fails_naming_it(stand_in: Engine) -> None:
    def program() -> None:
        aws.iam.Policy("p", policy=allow("s3:GetObject"))

    message = _failure(stand_in, "unknown-config", program, **{"aws:skipCredentialValidation": "true"})
    assert "unknown configuration key aws:skipCredentialValidation" in message


def test_an_endpoint_the_stand_in_does_not_serve_fails(stand_in: Engine) -> None:
    def program() -> None:
        aws.iam.Policy("p", policy=allow("s3:GetObject"))

    endpoints = f'[{{"iam": "{stand_in.moto_url}", "sqs": "{stand_in.moto_url}"}}]'
    message = _failure(stand_in, "unserved-endpoint", program, **{"aws:endpoints": endpoints})
    assert "'sqs' is not an endpoint this local stand-in serves" in message


def test_an_aws_error_fails_the_update_with_the_aws_message(stand_in: Engine) -> None:
    def program() -> None:
        aws.iam.RolePolicyAttachment("dangling", role="no-such-role", policy_arn="arn:aws:iam::aws:policy/Nope")

    stack = stand_in.stack("aws-error", program)
    stack.preview()  # nothing is called in a preview
    with pytest.raises(auto.errors.CommandError) as failed:
        stack.up()
    assert "creating urn:" in str(failed.value) and "NoSuchEntity" in str(failed.value)
