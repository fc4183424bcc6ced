"""Evaluate IAM policy documents against a request, the way IAM does, with reasons.

Used to prove what a trust policy admits (tests, ``irsa explain``, the guardrails). Semantics:
statements are ORed and an explicit Deny wins; a statement matches when its principal, action and
(if given) resource match and every condition passes; operators of a Condition block are ANDed,
keys under an operator are ANDed, values of a key are ORed (NORed for negated operators). A key
missing from the request fails every positive operator; negated operators, ``...IfExists`` and
``Null`` treat it differently; ``ForAllValues`` is vacuously true on a missing key. Unsupported
operators fail closed: they never let an Allow match, and always let a Deny match.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Literal

from .documents import as_list

ContextValue = str | bool | int | float | Sequence[str]

_SUPPORTED = frozenset(
    {
        "StringEquals",
        "StringEqualsIgnoreCase",
        "StringLike",
        "ArnEquals",
        "ArnLike",
        "Bool",
        "BinaryEquals",
        "NumericEquals",
        "NumericLessThan",
        "NumericLessThanEquals",
        "NumericGreaterThan",
        "NumericGreaterThanEquals",
        "IpAddress",
    }
)

_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
    "NumericNotEquals": "NumericEquals",
    "NotIpAddress": "IpAddress",
    "BinaryNotEquals": "BinaryEquals",
}


@dataclass(frozen=True)
class Request:
    """An API request as IAM sees it when evaluating a resource (trust) policy."""

    action: str
    principal_type: str
    """``Federated``, ``Service`` or ``AWS``."""
    principal: str
    context: Mapping[str, ContextValue] = field(default_factory=dict)
    """Condition keys present in the request (key names are case-insensitive)."""
    resource: str | None = None


@dataclass(frozen=True)
class ConditionResult:
    operator: str
    key: str
    expected: tuple[str, ...]
    actual: tuple[str, ...] | None
    """The request's values for the key; None when the key is absent."""
    passed: bool
    reason: str


@dataclass(frozen=True)
class StatementResult:
    index: int
    sid: str | None
    effect: str
    principal_matched: bool
    action_matched: bool
    resource_matched: bool
    conditions: tuple[ConditionResult, ...]

    @property
    def conditions_passed(self) -> bool:
        return all(c.passed for c in self.conditions)

    @property
    def matched(self) -> bool:
        return self.principal_matched and self.action_matched and self.resource_matched and self.conditions_passed

    @property
    def failed_conditions(self) -> tuple[ConditionResult, ...]:
        return tuple(c for c in self.conditions if not c.passed)


@dataclass(frozen=True)
class Decision:
    outcome: Literal["allow", "explicit-deny", "implicit-deny"]
    statements: tuple[StatementResult, ...]

    @property
    def allowed(self) -> bool:
        return self.outcome == "allow"


# ${*} and ${?} stand for a literal '*' and '?' (IAM's special policy variables): they are marked with
# private-use characters while substituting, matched literally by patterns, and unmarked for other operators.
_LITERAL_MARKS = {"*": "\ue000", "?": "\ue001"}
_UNMARK = str.maketrans({mark: char for char, mark in _LITERAL_MARKS.items()})


@lru_cache(maxsize=4096)
def _glob(pattern: str, case_sensitive: bool = True) -> re.Pattern[str]:
    """IAM wildcards: ``*`` any run of characters (``:`` and ``/`` included), ``?`` exactly one."""
    parts = [".*" if c == "*" else "." if c == "?" else re.escape(c.translate(_UNMARK)) for c in pattern]
    # \Z, not $ (which also matches before a trailing newline); DOTALL so '*' spans any character.
    return re.compile("^" + "".join(parts) + r"\Z", re.DOTALL | (0 if case_sensitive else re.IGNORECASE))


def glob_match(pattern: str, value: str, case_sensitive: bool = True) -> bool:
    return _glob(pattern, case_sensitive).match(value) is not None


def _arn_match(pattern: str, value: str) -> bool:
    # ArnLike/ArnEquals compare the six ARN fields separately; wildcards do not cross field 1-5 colons.
    p_parts, v_parts = pattern.split(":", 5), value.split(":", 5)
    if len(p_parts) != 6 or len(v_parts) != 6:
        return False
    return all(glob_match(p, v) for p, v in zip(p_parts, v_parts, strict=True))


def _to_strings(value: Any) -> tuple[str, ...]:
    out = []
    for item in as_list(value):
        if isinstance(item, bool):
            out.append("true" if item else "false")
        else:
            out.append(str(item))
    return tuple(out)


_VARIABLE = re.compile(r"\$\{([^}]+)\}")


def _substitute(value: str, context: Mapping[str, tuple[str, ...]]) -> str | None:
    """Resolve policy variables (``${aws:username}``, ``${*}``); None when a variable has no value."""
    missing = False

    def resolve(match: re.Match[str]) -> str:
        nonlocal missing
        name = match.group(1)
        if name in ("*", "?", "$"):
            return _LITERAL_MARKS.get(name, name)
        name, _, default = name.partition(",")
        values = context.get(name.strip().lower())
        if values and len(values) == 1:
            return values[0]
        if default:
            return default.strip().strip("'")
        missing = True
        return ""

    result = _VARIABLE.sub(resolve, value)
    return None if missing else result


def _compare(base: str, actual: str, expected: str) -> bool | None:
    """Positive comparison of one request value with one policy value; None when unsupported."""
    if base not in ("StringLike", "ArnEquals", "ArnLike"):
        expected = expected.translate(_UNMARK)
    if base == "StringEquals":
        return actual == expected
    if base == "StringEqualsIgnoreCase":
        return actual.lower() == expected.lower()
    if base == "StringLike":
        return glob_match(expected, actual)
    if base in ("ArnEquals", "ArnLike"):
        return _arn_match(expected, actual)
    if base == "Bool":
        return actual.lower() == expected.lower()
    if base == "BinaryEquals":
        return actual == expected
    if base.startswith("Numeric"):
        try:
            a, e = float(actual), float(expected)
        except ValueError:
            return False
        return {
            "NumericEquals": a == e,
            "NumericLessThan": a < e,
            "NumericLessThanEquals": a <= e,
            "NumericGreaterThan": a > e,
            "NumericGreaterThanEquals": a >= e,
        }.get(base)
    if base == "IpAddress":
        try:
            return ipaddress.ip_address(actual) in ipaddress.ip_network(expected, strict=False)
        except ValueError:
            return False
    return None


def _evaluate_condition(
    operator: str, key: str, expected_raw: Any, context: Mapping[str, tuple[str, ...]]
) -> ConditionResult:
    expected = _to_strings(expected_raw)
    actual = context.get(key.lower())
    set_op = ""
    base = operator
    for prefix in ("ForAnyValue:", "ForAllValues:"):
        if base.startswith(prefix):
            set_op, base = prefix[:-1], base[len(prefix) :]
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")

    def result(passed: bool, reason: str) -> ConditionResult:
        return ConditionResult(operator, key, expected, actual, passed, reason)

    if base == "Null":
        want_absent = expected[0].lower() == "true" if expected else True
        absent = actual is None or len(actual) == 0
        ok = want_absent == absent
        return result(
            ok,
            f"{key} is {'absent' if absent else 'present'}; Null requires it {'absent' if want_absent else 'present'}",
        )

    negated = base in _NEGATED
    positive = _NEGATED.get(base, base)
    if positive not in _SUPPORTED:
        # Unsupported (e.g. Date operators): fail closed for Allow, caller flips for Deny.
        return result(False, f"operator {operator} is not supported by this evaluator (treated as failing)")

    if actual is None or len(actual) == 0:
        if if_exists:
            return result(True, f"{key} is absent and {operator} passes on absent keys")
        if set_op == "ForAllValues":
            return result(True, f"{key} is absent; ForAllValues is vacuously true")
        if negated and set_op != "ForAnyValue":
            return result(True, f"{key} is absent; negated operator {operator} passes")
        return result(False, f"{key} is absent from the request; {operator} requires it")

    resolved = [v for v in (_substitute(e, context) for e in expected) if v is not None]

    def matches(value: str) -> bool:
        return any(_compare(positive, value, e) is True for e in resolved)

    def value_ok(value: str) -> bool:
        return not matches(value) if negated else matches(value)

    if set_op == "ForAllValues":
        ok = all(value_ok(v) for v in actual)
    elif set_op == "ForAnyValue":
        ok = any(value_ok(v) for v in actual)
    elif negated:
        ok = all(value_ok(v) for v in actual)
    else:
        ok = any(value_ok(v) for v in actual)

    shown = actual[0] if len(actual) == 1 else list(actual)
    wanted = expected[0] if len(expected) == 1 else list(expected)
    if ok:
        reason = f"{key} is {shown!r}; {operator} {wanted!r} holds"
    elif negated:
        reason = f"{key} is {shown!r}, which {operator} excludes ({wanted!r})"
    else:
        reason = f"{key} is {shown!r}, but {operator} requires {'one of ' if len(expected) > 1 else ''}{wanted!r}"
    return result(ok, reason)


def _principal_matches(statement: Mapping[str, Any], request: Request) -> bool:
    if "NotPrincipal" in statement:
        return not _principal_in(statement["NotPrincipal"], request)
    if "Principal" not in statement:
        return True  # identity policies have no Principal: they apply to their attached identity
    return _principal_in(statement["Principal"], request)


def _principal_in(principal: Any, request: Request) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, Mapping):
        return False
    for kind, values in principal.items():
        if kind != request.principal_type:
            continue
        for value in as_list(values):
            if value == "*" or value == request.principal:
                return True
            if kind == "AWS" and _same_account(str(value), request.principal):
                return True
    return False


def _same_account(value: str, principal_arn: str) -> bool:
    """``"111122223333"`` or ``arn:...:iam::111122223333:root`` names every principal of that account."""
    parts = principal_arn.split(":")
    if len(parts) < 6:
        return False
    account = parts[4]
    if value == account:
        return True
    vparts = value.split(":")
    return len(vparts) == 6 and vparts[5] == "root" and vparts[4] == account and vparts[1] == parts[1]


def _action_matches(statement: Mapping[str, Any], action: str) -> bool:
    if "NotAction" in statement:
        return not any(glob_match(str(a), action, case_sensitive=False) for a in as_list(statement["NotAction"]))
    return any(glob_match(str(a), action, case_sensitive=False) for a in as_list(statement.get("Action")))


def _resource_matches(statement: Mapping[str, Any], resource: str | None) -> bool:
    if resource is None:
        return True
    if "NotResource" in statement:
        return not any(glob_match(str(r), resource) for r in as_list(statement["NotResource"]))
    if "Resource" not in statement:
        return True
    return any(glob_match(str(r), resource) for r in as_list(statement["Resource"]))


def normalise_context(context: Mapping[str, ContextValue]) -> dict[str, tuple[str, ...]]:
    return {k.lower(): _to_strings(v) for k, v in context.items()}


def evaluate_statement(index: int, statement: Mapping[str, Any], request: Request) -> StatementResult:
    context = normalise_context(request.context)
    effect = str(statement.get("Effect"))
    conditions: list[ConditionResult] = []
    block = statement.get("Condition") or {}
    if not isinstance(block, Mapping):
        # A Condition that is not a block of operators fails closed, like a malformed operator block.
        conditions.append(ConditionResult("", "", (), None, effect == "Deny", "malformed condition"))
    else:
        for operator, keys in block.items():
            if not isinstance(keys, Mapping):
                conditions.append(ConditionResult(operator, "", (), None, effect == "Deny", "malformed condition"))
                continue
            for key, expected in keys.items():
                outcome = _evaluate_condition(str(operator), str(key), expected, context)
                if effect == "Deny" and "not supported" in outcome.reason:
                    outcome = replace(outcome, passed=True)  # fail closed: an unknown Deny still denies
                conditions.append(outcome)
    return StatementResult(
        index=index,
        sid=statement.get("Sid"),
        effect=effect,
        principal_matched=_principal_matches(statement, request),
        action_matched=_action_matches(statement, request.action),
        resource_matched=_resource_matches(statement, request.resource),
        conditions=tuple(conditions),
    )


def evaluate(policy: Mapping[str, Any], request: Request) -> Decision:
    """Evaluate one policy document (trust or permission) against ``request``."""
    statements = as_list(policy.get("Statement"))
    results = tuple(evaluate_statement(i, s, request) for i, s in enumerate(statements) if isinstance(s, Mapping))
    if any(r.matched and r.effect == "Deny" for r in results):
        return Decision("explicit-deny", results)
    if any(r.matched and r.effect == "Allow" for r in results):
        return Decision("allow", results)
    return Decision("implicit-deny", results)


# Requests the two EKS identity mechanisms make -------------------------------------------------


def web_identity_request(
    provider_arn: str, issuer_host: str, subject: str, audience: str = "sts.amazonaws.com"
) -> Request:
    """What STS evaluates for ``AssumeRoleWithWebIdentity`` with a projected service-account token."""
    return Request(
        action="sts:AssumeRoleWithWebIdentity",
        principal_type="Federated",
        principal=provider_arn,
        context={f"{issuer_host}:sub": subject, f"{issuer_host}:aud": audience},
    )


def pod_identity_requests(
    *,
    account_id: str,
    cluster_arn: str,
    cluster_name: str,
    namespace: str,
    service_account: str,
    session_tags: bool = True,
) -> list[Request]:
    """The ``AssumeRole`` and ``TagSession`` requests EKS Pod Identity makes for one pod."""
    context: dict[str, ContextValue] = {"aws:SourceAccount": account_id}
    if session_tags:
        tags = {
            "eks-cluster-arn": cluster_arn,
            "eks-cluster-name": cluster_name,
            "kubernetes-namespace": namespace,
            "kubernetes-service-account": service_account,
            "kubernetes-pod-name": "pod",
            "kubernetes-pod-uid": "00000000-0000-0000-0000-000000000000",
        }
        context.update({f"aws:RequestTag/{k}": v for k, v in tags.items()})
        context["aws:TagKeys"] = list(tags)
    actions = ["sts:AssumeRole", "sts:TagSession"] if session_tags else ["sts:AssumeRole"]
    return [Request(a, "Service", "pods.eks.amazonaws.com", context) for a in actions]


def allows_all(policy: Mapping[str, Any], requests: Sequence[Request]) -> bool:
    """True when the policy allows every request (Pod Identity needs both AssumeRole and TagSession)."""
    return all(evaluate(policy, r).allowed for r in requests)
