"""The solver's questions: no new access (CheckNoNewAccess), equivalence, admitted requests; each answer
is a witness the evaluator confirms, or a proof that there is none."""

from __future__ import annotations

from typing import Any

import pytest

from irsa_components.core import logic as L
from irsa_components.core import scope as S
from irsa_components.core.evaluate import evaluate
from irsa_components.core.kubernetes import ServiceAccountRef
from irsa_components.core.queries import allows_some, equivalent, no_new_access
from irsa_components.core.trust import workload_trust_policy

HOST = "oidc.eks.eu-west-1.amazonaws.com/id/ABC"
PROVIDER = f"arn:aws:iam::111122223333:oidc-provider/{HOST}"
OTHER_HOST = "oidc.eks.eu-west-1.amazonaws.com/id/DEF"
OTHER_PROVIDER = f"arn:aws:iam::111122223333:oidc-provider/{OTHER_HOST}"
API = ServiceAccountRef("payments", "api")


def permissions(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: Any, resource: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # '?' becoming '*': the old pattern is not a literal the new one covers (issue 12).
        (allow("s3:GetObject", "arn:aws:s3:::data-?/*"), allow("s3:GetObject", "arn:aws:s3:::data-*/*")),
        (allow("s3:GetObjec?", "*"), allow("s3:GetObjec*", "*")),
        (allow("s3:GetObject", "*", Condition={"Bool": {"aws:SecureTransport": "true"}}), allow("s3:GetObject", "*")),
        (allow("s3:GetObject", "arn:aws:s3:::b/x"), allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::b/x")),
        (allow("s3:*", "*"), {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
    ],
)
def test_wider_permissions_have_a_witness(old: dict[str, Any], new: dict[str, Any]) -> None:
    a, b = permissions(old), permissions(new)
    found = no_new_access(a, b, kind="permissions")
    assert found.witness is not None, found
    request = found.witness.request
    assert evaluate(b, request).allowed and not evaluate(a, request).allowed


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (allow("s3:*", "*"), allow("s3:GetObject", "arn:aws:s3:::b/*")),
        (allow("s3:GetObject", "arn:aws:s3:::data-*/*"), allow("s3:GetObject", "arn:aws:s3:::data-?/*")),
        # Written differently, the same access: case of actions, order, a redundant statement.
        (allow(["s3:GetObject", "s3:PutObject"], "*"), allow(["S3:putobject", "s3:getobject"], "*")),
    ],
)
def test_narrower_or_equal_permissions_allow_nothing_new(old: dict[str, Any], new: dict[str, Any]) -> None:
    assert no_new_access(permissions(old), permissions(new), kind="permissions").none


def test_equivalence_in_both_directions() -> None:
    a = permissions(allow(["s3:GetObject", "s3:PutObject"], "*"))
    b = permissions(allow("s3:GetObject", "*"), allow("s3:PutObject", "*"))
    wider, narrower = equivalent(a, b, kind="permissions")
    assert wider.none and narrower.none
    c = permissions(allow("s3:GetObject", "*"))
    wider, narrower = equivalent(a, c, kind="permissions")
    assert wider.none and narrower.witness is not None and narrower.witness.request.action == "s3:PutObject"


def test_a_removed_deny_is_new_access() -> None:
    base = allow("s3:*", "*")
    deny = {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}
    found = no_new_access(permissions(base, deny), permissions(base), kind="permissions")
    assert found.witness is not None and found.witness.request.action == "s3:DeleteBucket"


def test_a_trust_pointed_at_another_cluster_admits_new_tokens() -> None:
    old = workload_trust_policy([API], [PROVIDER])
    new = workload_trust_policy([API], [OTHER_PROVIDER])
    found = no_new_access(old, new, kind="trust", role_account="111122223333")
    assert found.witness is not None
    assert found.witness.request.principal == OTHER_PROVIDER
    assert found.witness.describe() == (
        f"'system:serviceaccount:payments:api' via {OTHER_PROVIDER}, aud='sts.amazonaws.com'"
    )


def test_a_provider_in_another_account_than_the_role_admits_nothing() -> None:
    trust = workload_trust_policy([API], [PROVIDER])
    assert allows_some(trust, kind="trust", role_account="111122223333").witness is not None
    assert allows_some(trust, kind="trust", role_account="999988887777").none


def test_admits_outside_an_intended_set() -> None:
    trust = workload_trust_policy([API, ServiceAccountRef("payments", "worker")], [PROVIDER])
    inside = L.and_(
        S.web_identity(PROVIDER, None),
        S.subject_in(PROVIDER, [API.subject], [], None),
        S.audience_in(PROVIDER, ["sts.amazonaws.com"], None),
    )
    found = allows_some(trust, kind="trust", where=L.not_(inside))
    assert found.witness is not None
    assert found.witness.describe().startswith("'system:serviceaccount:payments:worker' via ")
    wider = L.or_(inside, S.subject_in(PROVIDER, [], ["payments"], None))
    assert allows_some(trust, kind="trust", where=L.not_(wider)).none


def test_unknown_constructs_are_never_taken_as_safe() -> None:
    old = permissions(allow("s3:GetObject", "*"))
    new = permissions(allow("s3:*", "*", Condition={"StringEqualz": {"k": "v"}}))
    found = no_new_access(old, new, kind="permissions")
    assert found.witness is None and not found.decided  # neither "no new access" nor a false witness
    assert found.notes and "StringEqualz" in found.notes[0]
