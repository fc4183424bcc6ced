"""irsa-workload-role-not-admin (mandatory) and irsa-workload-role-max-session (advisory)."""

from __future__ import annotations

import json

import pytest

from irsa_components.guardrails.values import UNKNOWN_NUMBER, UNKNOWN_STRING

from .helpers import ROLE, messages, pod_statement, resource_args, role_props, trust, web_statement

ADMIN = "irsa-workload-role-not-admin"
SESSION = "irsa-workload-role-max-session"
IRSA = trust(web_statement())
POD = trust(pod_statement())
EC2 = trust({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})


def inline(*actions: str, effect: str = "Allow") -> dict[str, str]:
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": effect, "Action": list(actions), "Resource": "*"}]}
    return {"name": "inline", "policy": json.dumps(doc)}


def admin(doc: str, config: dict[str, object] | None = None, **props: object) -> list[str]:
    return messages(ADMIN, resource_args(ROLE, role_props(doc, **props), name="payments-api", config=config))


@pytest.mark.parametrize("doc", [IRSA, POD])
@pytest.mark.parametrize("name", ["AdministratorAccess", "IAMFullAccess"])
def test_admin_managed_policies_on_a_workload_role_are_mandatory(doc: str, name: str) -> None:
    arn = f"arn:aws:iam::aws:policy/{name}"
    found = admin(doc, managedPolicyArns=["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", arn])
    assert len(found) == 1 and arn in found[0] and "[admin-managed-policy]" in found[0] and "Fix: " in found[0]


@pytest.mark.parametrize(
    ("statement", "what"),
    [
        ({"Effect": "Allow", "Action": ["s3:GetObject", "*"], "Resource": "*"}, "actions of services it never names"),
        ({"Effect": "Allow", "Action": "*:*", "Resource": "*"}, "actions of services it never names"),
        ({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, "actions of services it never names"),
        ({"Effect": "Allow", "Action": "iam:*", "Resource": "*"}, "IAM actions (beyond reading) it never names"),
        ({"Effect": "Allow", "Action": "s?:*", "Resource": "*"}, "actions of services it never names"),
    ],
)
def test_admin_like_inline_statements_are_mandatory_decided_by_what_they_allow(
    statement: dict[str, object], what: str
) -> None:
    policy = {"name": "inline", "policy": json.dumps({"Version": "2012-10-17", "Statement": [statement]})}
    found = admin(IRSA, inlinePolicies=[policy])
    assert len(found) == 1 and "[admin-inline-policy]" in found[0] and what in found[0] and ", e.g. " in found[0]


def test_least_privilege_and_deny_statements_pass() -> None:
    assert admin(IRSA, managedPolicyArns=["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]) == []
    assert admin(IRSA, inlinePolicies=[inline("s3:GetObject"), inline("*", effect="Deny")]) == []


def test_roles_workloads_cannot_assume_may_be_admins() -> None:
    assert admin(EC2, managedPolicyArns=["arn:aws:iam::aws:policy/AdministratorAccess"]) == []
    # Not known yet whether workloads can assume it: said, not passed.
    (undecided,) = admin(UNKNOWN_STRING, managedPolicyArns=["arn:aws:iam::aws:policy/AdministratorAccess"])
    assert undecided.startswith("[undecided]") and "AdministratorAccess" in undecided


def test_config_extends_what_is_forbidden() -> None:
    power = ["arn:aws:iam::aws:policy/PowerUserAccess"]
    assert admin(IRSA, managedPolicyArns=power) == []
    assert admin(IRSA, {"additionalForbiddenManagedPolicies": ["PowerUserAccess"]}, managedPolicyArns=power)
    s3 = [inline("s3:*")]
    assert admin(IRSA, inlinePolicies=s3) == []
    (found,) = admin(IRSA, {"additionalForbiddenActions": ["s3:DeleteBucket"]}, inlinePolicies=s3)
    assert "'s3:DeleteBucket'" in found


def test_unknown_policy_values_are_undecided_never_a_silent_pass() -> None:
    (found,) = admin(IRSA, managedPolicyArns=[UNKNOWN_STRING], inlinePolicies=[{"name": "x", "policy": UNKNOWN_STRING}])
    assert found.startswith("[undecided]") and "managed policies" in found and "inline policy 'x'" in found


def session(doc: str, seconds: object, config: dict[str, object] | None = None) -> list[str]:
    props = role_props(doc, maxSessionDuration=seconds)
    if seconds is None:
        del props["maxSessionDuration"]
    return messages(SESSION, resource_args(ROLE, props, config=config))


def test_long_sessions_of_workload_roles_are_advisory() -> None:
    found = session(IRSA, 7200)
    assert len(found) == 1 and "7200 seconds" in found[0] and "[max-session-duration]" in found[0]
    assert session(POD, 43200)
    assert session(IRSA, 3600) == []
    assert session(IRSA, None) == []  # AWS's default is one hour


def test_the_ceiling_is_configurable() -> None:
    assert session(IRSA, 7200, {"maxSeconds": 7200}) == []
    assert session(IRSA, 7200, {"maxSeconds": 7200.0}) == []  # numbers arrive as floats from the engine
    assert session(IRSA, 14400, {"maxSeconds": 7200})


def test_session_rule_ignores_other_roles_and_unknowns() -> None:
    assert session(EC2, 43200) == []
    assert session(IRSA, UNKNOWN_NUMBER) == []


def test_not_action_allows_everything_else() -> None:
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}
    found = admin(IRSA, inlinePolicies=[{"name": "broad", "policy": json.dumps(doc)}])
    assert len(found) == 1 and "NotAction" in found[0]


def test_a_not_action_trust_is_a_workload_role_for_the_admin_and_session_rules() -> None:
    # Filed as "other" by the shape-based reading, it escaped both rules (issue 12).
    from .helpers import PROVIDER_ARN

    not_action = trust({"Effect": "Allow", "Principal": {"Federated": PROVIDER_ARN}, "NotAction": "sts:AssumeRole"})
    found = admin(not_action, managedPolicyArns=["arn:aws:iam::aws:policy/AdministratorAccess"])
    assert len(found) == 1 and "[admin-managed-policy]" in found[0]
    assert session(not_action, 43200)
