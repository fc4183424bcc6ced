"""What every request IAM evaluates satisfies, whatever the policy: the facts a query adds to the formula.

Each fact narrows the requests a query ranges over to ones IAM can really see, so witnesses are real
requests (an AssumeRoleWithWebIdentity carries the token's ``sub`` and ``aud`` under its own issuer's
keys, not another's). Each is a documented property of STS or of the request context; a fact that
were too strong would hide requests, so only those are here, and each says where it comes from.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from . import logic as L
from .logic import Formula, Scan, Term, scan
from .translate import Kind, claim_host, is_claim_key

WEB_IDENTITY = "sts:assumerolewithwebidentity"
SAML = "sts:assumerolewithsaml"
ASSUME_ROLE = "sts:assumerole"
TAG_SESSION = "sts:tagsession"
SOURCE_IDENTITY = "sts:setsourceidentity"
SET_CONTEXT = "sts:setcontext"
# The actions a role's trust policy is evaluated for (IAM User Guide, "Role trust policies").
TRUST_ACTIONS = (ASSUME_ROLE, WEB_IDENTITY, SAML, TAG_SESSION, SOURCE_IDENTITY, SET_CONTEXT)
POD_IDENTITY_SERVICE = "pods.eks.amazonaws.com"
EKS_TAGS = (
    "aws:requesttag/eks-cluster-arn",
    "aws:requesttag/eks-cluster-name",
    "aws:requesttag/kubernetes-namespace",
    "aws:requesttag/kubernetes-service-account",
    "aws:requesttag/kubernetes-pod-name",
    "aws:requesttag/kubernetes-pod-uid",
)


def _action_in(actions: Iterable[str]) -> Formula:
    return L.one_of(L.ACTION, (L.fixed(a) for a in actions))


def provider_host(term: Term) -> str | None:
    """The issuer host an OIDC provider principal stands for (lower case, symbols kept as written)."""
    text = _text(term)
    if ":oidc-provider/" in text:
        return text.split(":oidc-provider/", 1)[1].lower()
    if text and ":" not in text and "." in text:
        return text.lower()  # accounts.google.com, cognito-identity.amazonaws.com, ...
    return None


def provider_account(term: Term) -> str | None:
    text = _text(term)
    parts = text.split(":")
    return parts[4] if text.startswith("arn:") and len(parts) >= 6 and ":oidc-provider/" in text else None


def environment(formula: Formula, kind: Kind, role_account: str | None = None) -> Formula:
    """The facts about the requests ``formula`` can be true of."""
    return environment_of(scan(formula), kind, role_account)


@lru_cache(maxsize=4096)
def environment_of(seen: Scan, kind: Kind, role_account: str | None) -> Formula:
    """The facts about the requests a formula that mentions what ``seen`` lists can be true of."""
    facts: list[Formula] = []
    if kind == "trust":
        facts.append(_TRUST_ACTIONS)
        facts += _web_identity(seen.keys, seen.principals, role_account)
        facts += _pod_identity(seen.keys)
    else:
        facts.append(_LOWER_CASE_ACTION)
    facts += _aws_principal(seen.keys)
    return L.and_(*facts)


def _trust_actions() -> Formula:
    fed, service = L.principal_type("Federated"), L.principal_type("Service")
    return L.and_(
        _action_in(TRUST_ACTIONS),
        # Federated principals only come with a token or an assertion (STS API reference).
        L.implies(fed, _action_in((WEB_IDENTITY, SAML, TAG_SESSION, SOURCE_IDENTITY))),
        L.implies(_action_in((WEB_IDENTITY, SAML)), fed),
        L.implies(service, _action_in((ASSUME_ROLE, TAG_SESSION, SOURCE_IDENTITY, SET_CONTEXT))),
        L.implies(L.eq(L.ACTION, L.fixed(ASSUME_ROLE)), L.or_(L.principal_type("AWS"), service)),
    )


_TRUST_ACTIONS = _trust_actions()
# Formulas compare actions folded to lower case; the request's action is lower case too.
_LOWER_CASE_ACTION = L.not_(("re", L.ACTION, (("star",), ("upper",), ("star",))))


def _web_identity(keys: frozenset[str], principals: frozenset[Term], role_account: str | None) -> list[Formula]:
    """A token's claims are keys under its own issuer's host, and every token has ``sub`` and ``aud``.

    An issuer's host is compared as the providers that name it write it (IAM lower-cases condition keys,
    so two issuers differing only in case would share keys; EKS and every real issuer have one spelling).
    """
    facts: list[Formula] = []
    fed, web = L.principal_type("Federated"), L.eq(L.ACTION, L.fixed(WEB_IDENTITY))
    providers = {p: provider_host(p) for p in principals if provider_host(p) is not None}
    spelled: dict[str, set[Term]] = {}
    for provider, host in providers.items():
        spelled.setdefault(str(host), set()).add(_issuer_term(provider))
    unnamed = L.and_(*(L.not_(L.eq(L.PRINCIPAL, p)) for p in providers))
    for key in (k for k in keys if is_claim_key(k)):
        host = claim_host(key)
        own = [L.eq(L.PRINCIPAL, p) for p, h in providers.items() if h == host]
        # Another provider for the same issuer: in another account, or not named by the documents.
        spellings = spelled.get(host) or {L.fixed(host)}
        other = L.and_(
            unnamed,
            L.or_(
                *(("suf", L.cat(L.fixed(":oidc-provider/"), h), L.PRINCIPAL) for h in spellings),
                *(L.eq(L.PRINCIPAL, h) for h in spellings if L.is_constant(h) and not set(":/") & set(h[1])),
            ),
        )
        facts.append(
            L.implies(
                L.present(key),
                L.and_(fed, _action_in((WEB_IDENTITY, TAG_SESSION, SOURCE_IDENTITY)), L.or_(*own, other)),
            )
        )
    for provider, host in providers.items():
        through = L.and_(fed, web, L.eq(L.PRINCIPAL, provider))
        facts.append(L.implies(through, L.and_(L.present(f"{host}:sub"), L.present(f"{host}:aud"))))
        # A token of an OIDC provider is only good for AssumeRoleWithWebIdentity (and its session's tags).
        facts.append(
            L.implies(
                L.and_(fed, L.eq(L.PRINCIPAL, provider)), _action_in((WEB_IDENTITY, TAG_SESSION, SOURCE_IDENTITY))
            )
        )
        account = provider_account(provider)
        if role_account is not None and account is not None and account != role_account:
            # STS accepts web identities only through an OIDC provider in the role's own account.
            facts.append(L.not_(through))
    if role_account is not None:
        in_account = ("has", L.PRINCIPAL, L.fixed(f":iam::{role_account}:oidc-provider/"))
        well_known = [L.eq(L.PRINCIPAL, p) for p, h in providers.items() if ":oidc-provider/" not in _text(p)]
        facts.append(L.implies(L.and_(fed, web, unnamed), L.or_(in_account, *well_known)))
    return facts


def _issuer_term(provider: Term) -> Term:
    """The issuer part of a provider principal (after ``:oidc-provider/``), symbols kept as terms."""
    parts = provider[1:] if provider[0] == "cat" else (provider,)
    for i, part in enumerate(parts):
        if part[0] in ("c", "C") and ":oidc-provider/" in part[1]:
            rest = part[1].split(":oidc-provider/", 1)[1]
            return L.cat(L.fixed(rest), *parts[i + 1 :])
    return provider  # a well-known provider (accounts.google.com) is its own issuer


def _text(term: Term) -> str:
    return "".join(str(t[1]) for t in (term[1:] if term[0] == "cat" else (term,)) if t[0] in ("c", "C", "s"))


def _pod_identity(keys: frozenset[str]) -> list[Formula]:
    """EKS Pod Identity passes aws:SourceAccount and, unless disabled, all of its session tags together."""
    pods = L.and_(L.principal_type("Service"), L.eq(L.PRINCIPAL, L.fixed(POD_IDENTITY_SERVICE)))
    facts: list[Formula] = []
    if "aws:sourceaccount" in keys:
        facts.append(L.implies(pods, L.present("aws:sourceaccount")))
    tags = [t for t in EKS_TAGS if t in keys]
    for other in tags[1:]:
        same = L.or_(
            L.and_(L.present(tags[0]), L.present(other)), L.and_(L.not_(L.present(tags[0])), L.not_(L.present(other)))
        )
        facts.append(L.implies(pods, same))
    # That the cluster ARN tag ends with the cluster name tag, in the SourceAccount, is true too, but as
    # string equations between request values it costs z3 more than it sharpens witnesses: left out
    # (leaving a fact out admits more requests, never fewer).
    return facts


def _aws_principal(keys: frozenset[str]) -> list[Formula]:
    """aws:PrincipalArn and aws:PrincipalAccount are the calling principal's ARN and account (global keys,
    present for every IAM principal); a federated or service principal has no ARN."""
    aws = L.principal_type("AWS")
    facts: list[Formula] = []
    if "aws:principalarn" in keys:
        facts.append(
            L.implies(aws, L.and_(L.present("aws:principalarn"), L.eq(("k", "aws:principalarn"), L.PRINCIPAL)))
        )
        others = L.or_(L.principal_type("Federated"), L.principal_type("Service"))
        facts.append(L.implies(others, L.not_(L.present("aws:principalarn"))))
    if "aws:principalaccount" in keys:
        facts.append(
            L.implies(
                aws,
                L.and_(L.present("aws:principalaccount"), ("acct", ("k", "aws:principalaccount"))),
            )
        )
    return facts
