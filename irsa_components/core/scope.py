"""Intended sets: what a trust document names, and "the request is inside this set" as a formula.

``named`` reads the literal values a trust names (providers, service accounts, audiences, accounts,
clusters, principals). These are only *candidates* for the set a role is meant to admit: whether the
document admits anything beyond them is decided by the solver (``core.analysis``), so a document that
names one service account but admits all of them through a wildcard, a variable, ``NotAction`` or an
open principal is caught however it is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import logic as L
from .documents import as_list
from .environment import ASSUME_ROLE, POD_IDENTITY_SERVICE, TAG_SESSION, WEB_IDENTITY, provider_host
from .evaluate import read_operator
from .logic import Formula
from .policy_values import to_strings
from .translate import value_term

SUBJECT_PREFIX = "system:serviceaccount:"
SOURCE_ACCOUNT = "aws:sourceaccount"
CLUSTER_ARN_TAG = "aws:requesttag/eks-cluster-arn"
CLUSTER_NAME_TAG = "aws:requesttag/eks-cluster-name"
NAMESPACE_TAG = "aws:requesttag/kubernetes-namespace"
SERVICE_ACCOUNT_TAG = "aws:requesttag/kubernetes-service-account"
PRINCIPAL_ARN = "aws:principalarn"
EXTERNAL_ID = "sts:externalid"
_NAMESPACE_PATTERN = re.compile(r"^system:serviceaccount:([a-z0-9]([-a-z0-9]*[a-z0-9])?):(.*)\Z", re.DOTALL)
_PINNING = ("StringEquals", "StringLike", "ArnEquals", "ArnLike", "StringEqualsIgnoreCase")


def is_literal(value: str) -> bool:
    """A value that stands for itself: no wildcard, no policy variable."""
    return "*" not in value and "?" not in value and "${" not in value


def _explicit(match: re.Match[str]) -> bool:
    """A namespace pattern: a literal namespace, then a wildcard for the service account (no variable)."""
    rest = match.group(3)
    return ("*" in rest or "?" in rest) and "${" not in match.group(0)


def is_web_provider(value: str) -> bool:
    return ":oidc-provider/" in value or (":" not in value and "." in value)


@dataclass(frozen=True)
class Named:
    """The literal values a trust document names (its Allow statements' principals and pins, and what its
    Deny statements exempt)."""

    providers: tuple[str, ...] = ()
    """Federated OIDC providers (ARNs, or hosts such as accounts.google.com)."""
    federated: tuple[str, ...] = ()
    """Other Federated principals (SAML providers)."""
    services: tuple[str, ...] = ()
    aws: tuple[str, ...] = ()
    """AWS principals (ARNs, account IDs and roots) and the aws:PrincipalArn values conditions pin."""
    subjects: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ()
    """Namespaces of ``system:serviceaccount:<namespace>:<pattern>`` subjects."""
    audiences: tuple[str, ...] = ()
    source_accounts: tuple[str, ...] = ()
    cluster_arns: tuple[str, ...] = ()
    cluster_names: tuple[str, ...] = ()
    pod_namespaces: tuple[str, ...] = ()
    pod_service_accounts: tuple[str, ...] = ()
    external_ids: tuple[str, ...] = ()
    statements: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    """Principal value -> the Allow statements naming it."""

    @property
    def pod_identity(self) -> bool:
        return POD_IDENTITY_SERVICE in self.services


def _pinned(condition: Any, deny: bool = False) -> dict[str, list[str]]:
    """Key (lower case) -> the values string/ARN operators pin it to: positive ones in an Allow, negated
    ones in a Deny (``Deny ... StringNotEquals sub X`` admits only X)."""
    out: dict[str, list[str]] = {}
    if not isinstance(condition, Mapping):
        return out
    for operator, block in condition.items():
        op = read_operator(str(operator))
        if op.negated != deny or op.base not in _PINNING or not isinstance(block, Mapping):
            continue
        for key, values in block.items():
            out.setdefault(str(key).lower(), []).extend(to_strings(values))
    return out


def named(document: Mapping[str, Any]) -> Named:
    found: dict[str, dict[str, None]] = {}
    statements: dict[str, list[int]] = {}

    def add(kind: str, values: Iterable[str]) -> None:
        bucket = found.setdefault(kind, {})
        for v in values:
            bucket.setdefault(v, None)

    for index, statement in enumerate(as_list(document.get("Statement"))):
        if not isinstance(statement, Mapping) or statement.get("Effect") not in ("Allow", "Deny"):
            continue
        deny = statement.get("Effect") == "Deny"
        principal = statement.get("Principal")
        if isinstance(principal, Mapping) and not deny:
            for kind, values in principal.items():
                for value in (str(v) for v in as_list(values)):
                    if value == "*":
                        continue
                    statements.setdefault(value, []).append(index)
                    if kind == "Federated":
                        add("providers" if is_web_provider(value) else "federated", [value])
                    elif kind == "Service":
                        add("services", [value])
                    elif kind == "AWS":
                        add("aws", [value])
        for key, values in _pinned(statement.get("Condition"), deny).items():
            literal = [v for v in values if is_literal(v)]
            if key.endswith(":sub"):
                add("subjects", (v for v in literal))
                add("namespaces", (m.group(1) for v in values if (m := _NAMESPACE_PATTERN.match(v)) and _explicit(m)))
            elif key.endswith(":aud"):
                add("audiences", literal)
            elif key == PRINCIPAL_ARN:
                add("aws", literal)
            else:
                kind = {
                    SOURCE_ACCOUNT: "source_accounts",
                    CLUSTER_ARN_TAG: "cluster_arns",
                    CLUSTER_NAME_TAG: "cluster_names",
                    NAMESPACE_TAG: "pod_namespaces",
                    SERVICE_ACCOUNT_TAG: "pod_service_accounts",
                    EXTERNAL_ID: "external_ids",
                }.get(key)
                if kind:
                    add(kind, literal)
    return Named(
        **{kind: tuple(values) for kind, values in found.items()},
        statements={k: tuple(v) for k, v in statements.items()},
    )


# "The request is inside" -----------------------------------------------------------------------------


def _key_in(key: str, values: Iterable[str], symbols: re.Pattern[str] | None) -> Formula:
    return L.and_(L.present(key), L.one_of(("k", key), (value_term(v, symbols) for v in values)))


def provider_keys(provider: str, symbols: re.Pattern[str] | None) -> tuple[str, str]:
    """The ``sub`` and ``aud`` condition keys of a provider's tokens (lower case, as formulas name keys)."""
    host = provider_host(value_term(provider, symbols, fixed=True)) or provider.lower()
    return f"{host}:sub", f"{host}:aud"


def web_identity(provider: str, symbols: re.Pattern[str] | None) -> Formula:
    """An AssumeRoleWithWebIdentity with a token of ``provider``."""
    return L.and_(
        L.principal_type("Federated"),
        L.eq(L.ACTION, L.fixed(WEB_IDENTITY)),
        L.eq(L.PRINCIPAL, value_term(provider, symbols, fixed=True)),
    )


def any_web_identity() -> Formula:
    return L.and_(L.principal_type("Federated"), L.eq(L.ACTION, L.fixed(WEB_IDENTITY)))


def subject_in(
    provider: str, subjects: Iterable[str], namespaces: Iterable[str], symbols: re.Pattern[str] | None
) -> Formula:
    sub, _ = provider_keys(provider, symbols)
    exact = L.one_of(("k", sub), (value_term(s, symbols) for s in subjects))
    within = L.or_(*(("pre", L.const(f"{SUBJECT_PREFIX}{ns}:"), ("k", sub)) for ns in namespaces))
    return L.and_(L.present(sub), L.or_(exact, within))


def audience_in(provider: str, audiences: Iterable[str], symbols: re.Pattern[str] | None) -> Formula:
    _, aud = provider_keys(provider, symbols)
    return _key_in(aud, audiences, symbols)


def pod_identity() -> Formula:
    """An AssumeRole (or its TagSession) by EKS Pod Identity."""
    return L.and_(
        L.principal_type("Service"),
        L.eq(L.PRINCIPAL, L.fixed(POD_IDENTITY_SERVICE)),
        L.one_of(L.ACTION, (L.fixed(ASSUME_ROLE), L.fixed(TAG_SESSION))),
    )


def pod_assume_role() -> Formula:
    return L.and_(
        L.principal_type("Service"),
        L.eq(L.PRINCIPAL, L.fixed(POD_IDENTITY_SERVICE)),
        L.eq(L.ACTION, L.fixed(ASSUME_ROLE)),
    )


def account_in(accounts: Iterable[str], symbols: re.Pattern[str] | None) -> Formula:
    return _key_in(SOURCE_ACCOUNT, accounts, symbols)


def cluster_in(arns: Iterable[str], names: Iterable[str], symbols: re.Pattern[str] | None) -> Formula:
    return L.or_(_key_in(CLUSTER_ARN_TAG, arns, symbols), _key_in(CLUSTER_NAME_TAG, names, symbols))


def pod_service_account_in(
    namespaces: Iterable[str], service_accounts: Iterable[str] | None, symbols: re.Pattern[str] | None
) -> Formula:
    """The session tags name one of ``namespaces`` and (unless None: any) one of ``service_accounts``."""
    inside = _key_in(NAMESPACE_TAG, namespaces, symbols)
    if service_accounts is None:
        return inside
    return L.and_(inside, _key_in(SERVICE_ACCOUNT_TAG, service_accounts, symbols))


def principal_in(n: Named, symbols: re.Pattern[str] | None) -> Formula:
    """Named other principals: an AWS principal (or every principal of an account it names), a service
    other than EKS Pod Identity, or a Federated principal that is not an OIDC provider."""
    aws = []
    for value in n.aws:
        term = value_term(value, symbols, fixed=True)
        aws += [L.eq(L.PRINCIPAL, term), ("acct", term)]
        fields = value.split(":")
        if len(fields) == 6 and fields[5] == "root":
            aws.append(("acct", value_term(fields[4], symbols, fixed=True)))
    return L.or_(
        L.and_(L.principal_type("AWS"), L.or_(*aws)),
        L.and_(
            L.principal_type("Service"),
            L.one_of(
                L.PRINCIPAL, (value_term(s, symbols, fixed=True) for s in n.services if s != POD_IDENTITY_SERVICE)
            ),
        ),
        L.and_(
            L.principal_type("Federated"),
            L.one_of(L.PRINCIPAL, (value_term(f, symbols, fixed=True) for f in n.federated)),
        ),
    )


# What each statement names (the plan lists principals statement by statement) -----------------------


@dataclass(frozen=True)
class StatementNames:
    """The literal values one Allow statement names: candidates for who it admits (checked by the caller)."""

    index: int
    principal: Any
    """The statement's Principal as written."""
    providers: tuple[str, ...]
    """Federated OIDC providers ("*" for an open principal that may carry web identities)."""
    pod_identity: bool
    other: bool
    """Names a principal that is neither a web-identity provider nor EKS Pod Identity."""
    pins: Mapping[str, tuple[str, ...]]
    """Condition key (lower case) -> the values positive string/ARN operators pin it to (patterns included)."""
    actions: tuple[str, ...]

    def pinned(self, key: str) -> tuple[str, ...]:
        return self.pins.get(key.lower(), ())


def statements_named(document: Mapping[str, Any]) -> list[StatementNames]:
    out = []
    for index, statement in enumerate(as_list(document.get("Statement"))):
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal", statement.get("NotPrincipal"))
        providers: list[str] = []
        pods = other = False
        if principal == "*" or "NotPrincipal" in statement:
            providers.append("*")
            other = True
        elif isinstance(principal, Mapping):
            for kind, values in principal.items():
                for value in (str(v) for v in as_list(values)):
                    if kind == "AWS" and value == "*":
                        providers.append("*")
                        other = True
                    elif kind == "Federated" and (value == "*" or is_web_provider(value)):
                        providers.append(value)
                    elif kind == "Service" and value == POD_IDENTITY_SERVICE:
                        pods = True
                    else:
                        other = True
        actions = tuple(str(a) for a in as_list(statement.get("Action")))
        pins = {k: tuple(dict.fromkeys(v)) for k, v in _pinned(statement.get("Condition")).items()}
        out.append(StatementNames(index, principal, tuple(dict.fromkeys(providers)), pods, other, pins, actions))
    return out
