"""irsa-web-identity-trust and irsa-web-identity-namespace-wildcard, called as the analyzer calls them."""

from __future__ import annotations

import json

import pytest
from pulumi_policy import EnforcementLevel

from irsa_components.core.kubernetes import ServiceAccountRef
from irsa_components.core.trust import trust_policy, web_identity_statement
from irsa_components.guardrails.values import UNKNOWN_OBJECT, UNKNOWN_STRING

from .helpers import (
    HOST,
    HOST_B,
    PROVIDER_ARN,
    PROVIDER_ARN_B,
    ROLE,
    codes,
    messages,
    policy,
    resource_args,
    role_props,
    trust,
    web_statement,
)

POLICY = "irsa-web-identity-trust"
WILDCARD = "irsa-web-identity-namespace-wildcard"


def check(trust_policy_: object, config: dict[str, object] | None = None, type_: str = ROLE) -> list[str]:
    return messages(POLICY, resource_args(type_, role_props(trust_policy_), name="payments-api", config=config))


def test_enforcement_levels() -> None:
    assert policy(POLICY).enforcement_level == EnforcementLevel.MANDATORY
    assert policy(WILDCARD).enforcement_level == EnforcementLevel.ADVISORY


def test_a_trust_built_by_the_library_passes() -> None:
    sas = [ServiceAccountRef("payments", "payments-api"), ServiceAccountRef("payments", "worker")]
    doc = trust_policy([web_identity_statement(PROVIDER_ARN, sas), web_identity_statement(PROVIDER_ARN_B, sas)])
    assert check(json.dumps(doc)) == []


def test_a_trust_given_as_an_object_is_read_too() -> None:
    assert check(json.loads(trust(web_statement()))) == []
    assert check(json.loads(trust(web_statement(audience=None))))


@pytest.mark.parametrize(
    ("statement", "code"),
    [
        (web_statement(audience=None), "aud-unexpected"),
        (
            {**web_statement(), "Condition": {"StringEquals": {f"{HOST}:aud": "sts.amazonaws.com"}}},
            "sub-unpinned",
        ),
        ({**web_statement(), "Condition": {}}, "sub-unpinned"),
        ({k: v for k, v in web_statement().items() if k != "Condition"}, "sub-unpinned"),
        (web_statement("system:serviceaccount:*", operator="StringLike"), "sub-unpinned"),
        (web_statement("system:serviceaccount:team-*:*", operator="StringLike"), "sub-unpinned"),
        (web_statement(audience="my-app"), "aud-unexpected"),
        ({**web_statement(), "Principal": "*"}, "provider-unpinned"),
        ({**web_statement(), "Principal": {"Federated": "*"}}, "provider-unpinned"),
        # {"AWS": "*"} is everyone, exactly as "*" (issue 12).
        ({**web_statement(), "Principal": {"AWS": "*"}}, "provider-unpinned"),
        # The policy variable ${<issuer>:sub} compares sub with itself: every service account (issue 12).
        (web_statement("${" + HOST + ":sub}"), "sub-unpinned"),
        # NotAction sts:AssumeRole allows AssumeRoleWithWebIdentity: every token of the provider (issue 12).
        (
            {"Effect": "Allow", "Principal": {"Federated": PROVIDER_ARN}, "NotAction": "sts:AssumeRole"},
            "sub-unpinned",
        ),
    ],
)
def test_each_unsafe_statement_is_a_violation_naming_the_rule_the_witness_and_the_fix(
    statement: dict[str, object], code: str
) -> None:
    found = check(trust(statement))
    assert any(f"[{code}]" in m for m in found), found
    message = next(m for m in found if f"[{code}]" in m)
    assert "aws:iam/role:Role 'payments-api' (IAM role prod-payments-api)" in message
    assert "statement 0" in message
    assert ", e.g. " in message  # the witness: a request the trust admits
    assert "Fix: " in message


def test_the_witness_is_a_request_outside_what_the_trust_names() -> None:
    (message,) = [m for m in check(trust(web_statement(audience="my-app"))) if "[aud-unexpected]" in m]
    assert "'system:serviceaccount:payments:payments-api' via " + PROVIDER_ARN in message
    (message,) = [m for m in check(trust({**web_statement(), "Condition": {}})) if "[sub-unpinned]" in m]
    assert "system:serviceaccount:payments:payments-api'" not in message.split(", e.g. ", 1)[1]


def test_an_open_aws_principal_next_to_a_pinned_web_identity_is_mandatory() -> None:
    open_statement = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    found = check(trust(web_statement(), open_statement))
    assert codes(found) == ["open-principal"] and "statement 1" in found[0]
    pinned = {
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
        "Action": "sts:AssumeRole",
        "Condition": {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::444455556666:role/deployer"}},
    }
    assert check(trust(web_statement(), pinned)) == []


@pytest.mark.parametrize(
    "statement",
    [
        # Statements that admit nothing (the provider's tokens never carry the keys they pin) widen nothing.
        {**web_statement(), "Principal": {"Federated": "accounts.google.com"}},
        web_statement(provider_arn=PROVIDER_ARN_B),
    ],
)
def test_statements_that_admit_nothing_are_not_violations(statement: dict[str, object]) -> None:
    assert check(trust(statement)) == []


def test_only_the_weak_statement_of_several_is_reported() -> None:
    found = check(trust(web_statement(), web_statement(audience=None, provider_arn=PROVIDER_ARN_B, host=HOST_B)))
    assert len(found) == 1
    assert "statement 1" in found[0]


def test_an_audience_allowed_by_config_passes() -> None:
    statement = web_statement(audience="my-app")
    assert check(trust(statement), {"allowedAudiences": ["sts.amazonaws.com", "my-app"]}) == []
    assert check(trust(web_statement()), {"allowedAudiences": ["my-app"]})


def test_a_namespace_wildcard_is_advisory_not_mandatory() -> None:
    for pattern in ("system:serviceaccount:payments:*", "system:serviceaccount:payments:api-*"):
        doc = trust(web_statement(pattern, operator="StringLike"))
        assert check(doc) == [], pattern
        advisory = messages(WILDCARD, resource_args(ROLE, role_props(doc)))
        assert len(advisory) == 1 and "[sub-namespace-wildcard]" in advisory[0] and "'payments'" in advisory[0]
        allowed = resource_args(ROLE, role_props(doc), config={"allowedNamespaces": ["payments"]})
        assert messages(WILDCARD, allowed) == []


def test_exact_subjects_are_not_wildcards() -> None:
    assert messages(WILDCARD, resource_args(ROLE, role_props(trust(web_statement())))) == []


def test_roles_that_workloads_cannot_assume_are_not_judged() -> None:
    ec2 = {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    assert check(trust(ec2)) == []
    assert messages(POLICY, resource_args("aws:s3/bucket:Bucket", {"bucket": "b"})) == []


def test_unknown_values_are_undecided_never_a_silent_pass() -> None:
    assert codes(check(UNKNOWN_STRING)) == ["undecided"]
    partly = {"Version": "2012-10-17", "Statement": [{**web_statement(), "Condition": UNKNOWN_OBJECT}]}
    assert codes(check(partly)) == ["undecided"]
    principal = {
        "Version": "2012-10-17",
        "Statement": [{**web_statement(), "Principal": {"Federated": UNKNOWN_STRING}}],
    }
    assert codes(check(principal)) == ["undecided"]
    value = web_statement([UNKNOWN_STRING], audience=UNKNOWN_STRING)
    assert codes(check({"Version": "2012-10-17", "Statement": [value]})) == ["undecided"]


def test_what_does_not_depend_on_unknowns_is_still_judged() -> None:
    # An open statement next to one whose condition is unknown: the open one admits everyone whatever
    # the unknown condition says.
    unknown = {**web_statement(), "Condition": UNKNOWN_OBJECT}
    open_statement = {**web_statement(), "Principal": "*", "Condition": {}}
    found = check({"Version": "2012-10-17", "Statement": [unknown, open_statement]})
    assert "provider-unpinned" in codes(found)
    # Principal "*" next to an unknown condition: whether it admits anyone depends on the condition.
    statement = {**web_statement(), "Principal": "*", "Condition": UNKNOWN_OBJECT}
    assert codes(check({"Version": "2012-10-17", "Statement": [statement]})) == ["undecided"]


def test_aws_native_roles_are_checked_too() -> None:
    props = {"roleName": "native", "assumeRolePolicyDocument": json.loads(trust(web_statement(audience=None)))}
    found = messages(POLICY, resource_args("aws-native:iam:Role", props, name="native"))
    assert len(found) == 1 and "[aud-unexpected]" in found[0] and "aws-native:iam:Role 'native'" in found[0]


def test_exempt_resources_are_skipped() -> None:
    doc = trust(web_statement(audience=None))
    assert check(doc, {"exempt": ["prod-payments-api"]}) == []
    assert check(doc, {"exempt": ["payments-api"]}) == []
    assert check(doc, {"exempt": ["someone-else"]})
