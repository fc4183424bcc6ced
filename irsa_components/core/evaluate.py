"""Evaluate IAM policy documents against a request, the way IAM does, with reasons.

The concrete half of the semantic engine: ``irsa explain`` and the stack guardrails evaluate exact
requests with it, and every witness the solver (``core.queries``) finds is checked against it; a
property test asserts the two agree. Semantics: statements are ORed and an explicit Deny wins; a
statement matches when its principal, action and (if given) resource match and every condition
passes; operators of a Condition block are ANDed, keys under an operator are ANDed, values of a key
are ORed (NORed for negated operators). A key missing from the request fails every positive
operator; negated operators, ``...IfExists`` and ``Null`` treat it differently; ``ForAllValues`` is
vacuously true on a missing key. ``"*"`` and ``{"AWS": "*"}`` are everyone.

What this evaluator does not understand (an unknown operator, a malformed block or principal) is
marked ``supported=False``/``unknown``: it fails closed here (never lets an Allow match, always lets a
Deny match), and the solver treats it as unknown rather than as either answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .documents import as_list
from .policy_values import (
    COMPARISONS,
    VARIABLES_VERSION,
    Char,
    Piece,
    Var,
    fold,
    literal,
    match_pieces,
    parse_address,
    parse_date,
    parse_network,
    parse_number,
    pieces,
    to_strings,
)
from .policy_values import glob_match as glob_match

ContextValue = str | bool | int | float | Sequence[str]

STRING_OPERATORS = ("StringEquals", "StringEqualsIgnoreCase", "StringLike")
ARN_OPERATORS = ("ArnEquals", "ArnLike")
NUMERIC_OPERATORS = (
    "NumericEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
)
DATE_OPERATORS = ("DateEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals")
POSITIVE_OPERATORS = frozenset(
    (*STRING_OPERATORS, *ARN_OPERATORS, *NUMERIC_OPERATORS, *DATE_OPERATORS, "Bool", "BinaryEquals", "IpAddress")
)
NEGATED_OPERATORS = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
    "BinaryNotEquals": "BinaryEquals",
}
PRINCIPAL_KINDS = ("AWS", "Federated", "Service", "CanonicalUser")


@dataclass(frozen=True)
class Operator:
    """A condition operator read into its parts: ``ForAllValues:StringNotLikeIfExists`` and friends."""

    name: str
    set_op: str
    """``ForAnyValue``, ``ForAllValues`` or ""."""
    base: str
    """The positive operator (``StringLike`` for ``StringNotLike``), or ``Null``."""
    negated: bool
    if_exists: bool
    supported: bool


def read_operator(name: str) -> Operator:
    set_op, base = "", name
    for prefix in ("ForAnyValue:", "ForAllValues:"):
        if base.startswith(prefix):
            set_op, base = prefix[:-1], base[len(prefix) :]
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    if base == "Null":
        return Operator(name, set_op, "Null", False, if_exists, True)
    negated = base in NEGATED_OPERATORS
    positive = NEGATED_OPERATORS.get(base, base)
    return Operator(name, set_op, positive, negated, if_exists, positive in POSITIVE_OPERATORS)


def absent_passes(op: Operator) -> bool:
    """What an operator says about a key missing from the request (or present with no values)."""
    return op.if_exists or op.set_op == "ForAllValues" or (op.negated and op.set_op != "ForAnyValue")


@dataclass(frozen=True)
class Request:
    """An API request as IAM sees it when evaluating a resource (trust) policy."""

    action: str
    principal_type: str
    """``Federated``, ``Service``, ``AWS`` or ``CanonicalUser``."""
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
    supported: bool = True
    """False when this evaluator does not understand the operator or block (it then fails closed)."""


@dataclass(frozen=True)
class StatementResult:
    index: int
    sid: str | None
    effect: str
    principal_matched: bool
    action_matched: bool
    resource_matched: bool
    conditions: tuple[ConditionResult, ...]
    unknown: tuple[str, ...] = ()
    """Parts of the statement this evaluator does not understand (Effect, Principal, Action, ...)."""

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


def resolve(parts: tuple[Piece, ...], context: Mapping[str, tuple[str, ...]]) -> tuple[Piece, ...] | None:
    """Substitute policy variables; None when one has no value (and no default)."""
    if not any(isinstance(p, Var) for p in parts):
        return parts
    out: list[Piece] = []
    for part in parts:
        if not isinstance(part, Var):
            out.append(part)
            continue
        values = context.get(part.key)
        if values and len(values) == 1:
            out.extend(Char(c) for c in values[0])
        elif part.default is not None:
            out.extend(Char(c) for c in part.default)
        else:
            return None
    return tuple(out)


def _compare(base: str, actual: str, expected: tuple[Piece, ...]) -> bool:
    """Positive comparison of one request value with one (resolved) policy value."""
    if base == "StringLike":
        return match_pieces(expected, actual)
    if base in ARN_OPERATORS:
        return match_pieces(expected, actual, arn=True)
    text = literal(expected)
    if base in ("StringEquals", "BinaryEquals"):
        return actual == text
    if base in ("StringEqualsIgnoreCase", "Bool"):
        return fold(actual) == fold(text)
    if base in NUMERIC_OPERATORS or base in DATE_OPERATORS:
        parse = parse_number if base.startswith("Numeric") else parse_date
        a, e = parse(actual), parse(text)
        if a is None or e is None:
            return False
        return bool(COMPARISONS[base.removeprefix("Numeric").removeprefix("Date")](a, e))
    if base == "IpAddress":
        address, network = parse_address(actual), parse_network(text)
        if address is None or network is None:
            return False
        return address[0] == network[0] and network[1] <= address[1] <= network[2]
    raise ValueError(f"unsupported operator {base}")


def _evaluate_condition(
    operator: str, key: str, expected_raw: Any, context: Mapping[str, tuple[str, ...]], variables: bool
) -> ConditionResult:
    expected = to_strings(expected_raw)
    actual = context.get(key.lower())
    op = read_operator(operator)

    def result(passed: bool, reason: str, supported: bool = True) -> ConditionResult:
        return ConditionResult(operator, key, expected, actual, passed, reason, supported)

    absent = actual is None or len(actual) == 0
    if op.base == "Null":
        want_absent = fold(expected[0]) == "true" if expected else True
        ok = want_absent == absent
        return result(
            ok,
            f"{key} is {'absent' if absent else 'present'}; Null requires it {'absent' if want_absent else 'present'}",
        )
    if not op.supported:
        return result(False, f"operator {operator} is not supported by this evaluator (treated as failing)", False)
    if absent:
        if absent_passes(op):
            return result(True, f"{key} is absent and {operator} passes on absent keys")
        return result(False, f"{key} is absent from the request; {operator} requires it")
    assert actual is not None

    resolved = [r for r in (resolve(pieces(e, variables), context) for e in expected) if r is not None]

    def value_ok(value: str) -> bool:
        matches = any(_compare(op.base, value, e) for e in resolved)
        return not matches if op.negated else matches

    if op.set_op == "ForAnyValue" or not (op.set_op or op.negated):
        ok = any(value_ok(v) for v in actual)
    else:
        ok = all(value_ok(v) for v in actual)

    shown = actual[0] if len(actual) == 1 else list(actual)
    wanted = expected[0] if len(expected) == 1 else list(expected)
    if ok:
        reason = f"{key} is {shown!r}; {operator} {wanted!r} holds"
    elif op.negated:
        reason = f"{key} is {shown!r}, which {operator} excludes ({wanted!r})"
    else:
        reason = f"{key} is {shown!r}, but {operator} requires {'one of ' if len(expected) > 1 else ''}{wanted!r}"
    return result(ok, reason)


def principal_unknown(principal: Any) -> bool:
    """A Principal this evaluator cannot read: neither "*" nor a block of known principal kinds."""
    if principal == "*":
        return False
    return not isinstance(principal, Mapping) or any(k not in PRINCIPAL_KINDS for k in principal)


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
        for value in (str(v) for v in as_list(values)):
            if kind == "AWS" and value == "*":
                return True  # {"AWS": "*"} is documented as the same as "*": everyone
            if kind != request.principal_type:
                continue
            if value == "*" or value == request.principal:
                return True
            if kind == "AWS" and same_account(value, request.principal):
                return True
    return False


def same_account(value: str, principal_arn: str) -> bool:
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


def _resource_matches(
    statement: Mapping[str, Any], resource: str | None, context: Mapping[str, tuple[str, ...]], variables: bool
) -> bool:
    if resource is None:
        return True

    def any_match(values: Any) -> bool:
        for value in as_list(values):
            parts = resolve(pieces(str(value), variables), context)
            if parts is not None and match_pieces(parts, resource):
                return True
        return False

    if "NotResource" in statement:
        return not any_match(statement["NotResource"])
    if "Resource" not in statement:
        return True
    return any_match(statement["Resource"])


def normalise_context(context: Mapping[str, ContextValue]) -> dict[str, tuple[str, ...]]:
    return {k.lower(): to_strings(v) for k, v in context.items()}


def statement_unknowns(statement: Mapping[str, Any], resource_policy: bool) -> tuple[str, ...]:
    """The parts of a statement IAM would reject as malformed; neither evaluator nor solver judges them."""
    out = []
    if statement.get("Effect") not in ("Allow", "Deny"):
        out.append("Effect")
    if ("Action" in statement) == ("NotAction" in statement) or _not_strings(statement, "Action", "NotAction"):
        out.append("Action")
    if "Principal" in statement and "NotPrincipal" in statement:
        out.append("Principal")
    for name in ("Principal", "NotPrincipal"):
        if name in statement and principal_unknown(statement[name]):
            out.append(name)
    if not resource_policy and (
        ("Resource" in statement) == ("NotResource" in statement) or _not_strings(statement, "Resource", "NotResource")
    ):
        out.append("Resource")
    return tuple(dict.fromkeys(out))


def _not_strings(statement: Mapping[str, Any], *fields: str) -> bool:
    """An entry that is not a string (a value not known yet): what it matches is unknown."""
    return any(not isinstance(v, str) for f in fields for v in as_list(statement.get(f)))


def evaluate_statement(
    index: int,
    statement: Mapping[str, Any],
    request: Request,
    variables: bool = True,
    context: Mapping[str, tuple[str, ...]] | None = None,
) -> StatementResult:
    context = normalise_context(request.context) if context is None else context
    effect = str(statement.get("Effect"))
    conditions: list[ConditionResult] = []
    block = statement.get("Condition") or {}
    if not isinstance(block, Mapping):
        # A Condition that is not a block of operators fails closed, like a malformed operator block.
        conditions.append(ConditionResult("", "", (), None, effect == "Deny", "malformed condition", False))
    else:
        for operator, keys in block.items():
            if not isinstance(keys, Mapping):
                conditions.append(
                    ConditionResult(str(operator), "", (), None, effect == "Deny", "malformed condition", False)
                )
                continue
            for key, expected in keys.items():
                outcome = _evaluate_condition(str(operator), str(key), expected, context, variables)
                if effect == "Deny" and not outcome.supported:
                    outcome = ConditionResult(
                        outcome.operator, outcome.key, outcome.expected, outcome.actual, True, outcome.reason, False
                    )  # fail closed: an unknown Deny still denies
                conditions.append(outcome)
    resource_policy = request.resource is None
    return StatementResult(
        index=index,
        sid=statement.get("Sid"),
        effect=effect,
        principal_matched=_principal_matches(statement, request),
        action_matched=_action_matches(statement, request.action),
        resource_matched=_resource_matches(statement, request.resource, context, variables),
        conditions=tuple(conditions),
        unknown=statement_unknowns(statement, resource_policy),
    )


def evaluate(policy: Mapping[str, Any], request: Request) -> Decision:
    """Evaluate one policy document (trust or permission) against ``request``."""
    statements = as_list(policy.get("Statement"))
    variables = policy.get("Version") == VARIABLES_VERSION
    context = normalise_context(request.context)
    results = tuple(
        evaluate_statement(i, s, request, variables, context)
        for i, s in enumerate(statements)
        if isinstance(s, Mapping)
    )
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
    association_arn: str | None = None,
) -> list[Request]:
    """The ``AssumeRole`` and ``TagSession`` requests EKS Pod Identity makes for one pod.

    EKS passes ``aws:SourceAccount`` and ``aws:SourceArn``, the ARN of the pod's association
    (``association_arn``; by default one for the cluster with a stand-in ID, see ``association_arn_of``).
    """
    context: dict[str, ContextValue] = {
        "aws:SourceAccount": account_id,
        "aws:SourceArn": association_arn or association_arn_of(cluster_arn, cluster_name),
    }
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


STAND_IN_ASSOCIATION_ID = "a-00000000000000000"


def association_arn_of(cluster_arn: str, cluster_name: str, association_id: str = STAND_IN_ASSOCIATION_ID) -> str:
    """``arn:<partition>:eks:<region>:<account>:podidentityassociation/<cluster>/<id>`` for a cluster ARN."""
    head, _, _ = cluster_arn.partition(":cluster/")
    return f"{head}:podidentityassociation/{cluster_name}/{association_id}"


def allows_all(policy: Mapping[str, Any], requests: Sequence[Request]) -> bool:
    """True when the policy allows every request (Pod Identity needs both AssumeRole and TagSession)."""
    return all(evaluate(policy, r).allowed for r in requests)
