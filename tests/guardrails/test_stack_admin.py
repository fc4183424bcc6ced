"""irsa-workload-role-not-admin-attached: admin permissions reaching a workload role through other resources."""

from __future__ import annotations

import json

from pulumi_policy import EnforcementLevel

from irsa_components.guardrails.values import UNKNOWN_STRING

from .helpers import ACCOUNT, ROLE, Res, policy, role_state, stack_args, trust, violations, web_statement

POLICY = "irsa-workload-role-not-admin-attached"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
EXCLUSIVE = "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive"
POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment"
MANAGED = "aws:iam/policy:Policy"
ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
S3_ARN = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
EVERYTHING = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
READ = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
)
EC2 = trust({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})


def workload(name: str = "app", doc: str | None = None, **extra: object) -> Res:
    return Res(ROLE, name, role_state(doc or trust(web_statement()), name=f"prod-{name}", **extra))


def found(*resources: Res, config: dict[str, object] | None = None) -> list[tuple[str, str | None]]:
    return violations(policy(POLICY), stack_args(resources, config=config))


def test_level() -> None:
    assert policy(POLICY).enforcement_level == EnforcementLevel.MANDATORY


def test_an_admin_attachment_by_role_name_is_reported_on_the_attachment() -> None:
    attachment = Res(ATTACHMENT, "app-admin", {"role": "prod-app", "policyArn": ADMIN_ARN})
    result = found(workload(), attachment, Res(ATTACHMENT, "app-s3", {"role": "prod-app", "policyArn": S3_ARN}))
    assert len(result) == 1
    message, urn = result[0]
    assert urn == attachment.urn
    assert "aws:iam/role:Role 'app' (IAM role prod-app)" in message and ADMIN_ARN in message
    assert f"{ATTACHMENT} 'app-admin'" in message and "[admin-attached]" in message and "Fix: " in message


def test_the_role_is_found_through_property_dependencies_while_its_name_is_unknown() -> None:
    role = workload()
    role.props["name"] = UNKNOWN_STRING
    attachment = Res(
        ATTACHMENT, "a", {"role": UNKNOWN_STRING, "policyArn": ADMIN_ARN}, property_dependencies={"role": ["app"]}
    )
    assert len(found(role, attachment)) == 1
    assert found(role, Res(ATTACHMENT, "b", {"role": UNKNOWN_STRING, "policyArn": ADMIN_ARN})) == []


def test_every_attaching_resource_type_is_covered() -> None:
    cases = [
        Res(ROLE_POLICY, "inline", {"role": "prod-app", "name": "x", "policy": EVERYTHING}),
        Res(EXCLUSIVE, "exclusive", {"roleName": "prod-app", "policyArns": [S3_ARN, ADMIN_ARN]}),
        Res(POLICY_ATTACHMENT, "shared", {"roles": ["other", "prod-app"], "policyArn": ADMIN_ARN}),
        Res(ATTACHMENT, "iam", {"role": "prod-app", "policyArn": "arn:aws:iam::aws:policy/IAMFullAccess"}),
    ]
    for attacher in cases:
        result = found(workload(), attacher)
        assert len(result) == 1, attacher.type
        assert result[0][1] == attacher.urn


def test_customer_managed_policies_of_the_stack_are_read() -> None:
    arn = f"arn:aws:iam::{ACCOUNT}:policy/everything"
    admin_policy = Res(MANAGED, "everything", {"name": "everything", "path": "/", "arn": arn, "policy": EVERYTHING})
    read_policy = Res(MANAGED, "read", {"name": "read", "arn": f"arn:aws:iam::{ACCOUNT}:policy/read", "policy": READ})
    attachment = Res(ATTACHMENT, "att", {"role": "prod-app", "policyArn": arn})
    result = found(workload(), admin_policy, read_policy, attachment)
    assert len(result) == 1 and f"{MANAGED} 'everything'" in result[0][0]
    # Named by the role's own managedPolicyArns: reported on the role.
    role = workload(managedPolicyArns=[arn])
    result = found(role, admin_policy)
    assert len(result) == 1 and result[0][1] == role.urn
    # Before the policy's ARN is known: through the attachment's property dependencies, or its path and name.
    unknown = Res(MANAGED, "everything", {"name": "everything", "arn": UNKNOWN_STRING, "policy": EVERYTHING})
    deps = Res(ATTACHMENT, "att", {"role": "prod-app", "policyArn": UNKNOWN_STRING}, {}, {"policyArn": ["everything"]})
    assert len(found(workload(), unknown, deps)) == 1
    assert len(found(workload(), unknown, attachment)) == 1


def test_roles_workloads_cannot_assume_and_roles_outside_the_stack_are_not_judged() -> None:
    assert found(workload(doc=EC2), Res(ATTACHMENT, "a", {"role": "prod-app", "policyArn": ADMIN_ARN})) == []
    assert found(workload(), Res(ATTACHMENT, "a", {"role": "elsewhere", "policyArn": ADMIN_ARN})) == []
    pending = found(workload(doc=UNKNOWN_STRING), Res(ATTACHMENT, "a", {"role": "prod-app", "policyArn": ADMIN_ARN}))
    assert [m[:12] for m, _ in pending] == ["[undecided] "]  # said, not passed


def test_the_same_grant_is_reported_once() -> None:
    attachments = [Res(ATTACHMENT, f"a{i}", {"role": "prod-app", "policyArn": ADMIN_ARN}) for i in range(2)]
    assert len(found(workload(), *attachments)) == 1


def test_config_extends_what_is_forbidden_and_exempts() -> None:
    power = Res(ATTACHMENT, "power", {"role": "prod-app", "policyArn": "arn:aws:iam::aws:policy/PowerUserAccess"})
    assert found(workload(), power) == []
    assert len(found(workload(), power, config={"additionalForbiddenManagedPolicies": ["PowerUserAccess"]})) == 1
    admin = Res(ATTACHMENT, "admin", {"role": "prod-app", "policyArn": ADMIN_ARN})
    assert found(workload(), admin, config={"exempt": ["admin"]}) == []


def test_policy_attachments_reach_every_role_they_depend_on() -> None:
    first, second = workload("one"), workload("two")
    shared = Res(
        POLICY_ATTACHMENT,
        "shared",
        {"roles": [UNKNOWN_STRING, UNKNOWN_STRING], "policyArn": ADMIN_ARN},
        property_dependencies={"roles": ["one", "two"]},
    )
    result = found(first, second, shared)
    assert len(result) == 2
    assert {"'one'" in m for m, _ in result} == {True, False}
