"""Read a role's trust policy into the principals it admits, named by the stack's cluster keys.

This is the only place that turns trust documents into principals: the plan builds its access map
with it and the diff re-derives principals from the trust documents a plan carries, so a plan edited
by hand is judged by its documents. The principals listed are what each statement names (checked with
the evaluator); whether the trust admits anything beyond them is decided by the solver
(``core.analysis.analyse_trust``), and each such request is a weakness with its witness.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..core import arns
from ..core import logic as L
from ..core import scope as S
from ..core.analysis import analyse_trust
from ..core.cross_account import (
    ASSUME_ROLE,
    EXTERNAL_ID_KEY,
    pod_identity_chained_requests,
    pod_identity_external_id,
)
from ..core.documents import as_list
from ..core.evaluate import Request, evaluate, glob_match, web_identity_request
from ..core.kubernetes import service_account_from_subject
from ..core.logic import Formula
from ..core.permissions import admin_grants, admin_managed_policies
from ..core.queries import Clause, search
from ..core.scope import StatementNames, statements_named
from ..core.trust import (
    DEFAULT_AUDIENCE,
    SOURCE_ACCOUNT_KEY,
    TAG_CLUSTER_ARN,
    TAG_CLUSTER_NAME,
    TAG_NAMESPACE,
    TAG_SERVICE_ACCOUNT,
    request_tag,
)
from .model import (
    ANY,
    Account,
    Cluster,
    Permissions,
    PermissionStatement,
    PodIdentityAssociation,
    Principal,
    Service,
    Weakness,
)

SUBJECT_PREFIX = "system:serviceaccount:"
_PLACEHOLDER = re.compile(r"<[^<>]+>")


@dataclass
class ClusterIndex:
    """Lookups from what trust documents name (issuer hosts, cluster ARNs and names) to cluster keys."""

    by_host: dict[str, str] = field(default_factory=dict)
    by_name: dict[str, str] = field(default_factory=dict)
    by_arn: dict[str, str] = field(default_factory=dict)
    arns: dict[str, str] = field(default_factory=dict)
    """Cluster key -> EKS cluster ARN."""

    @classmethod
    def of(cls, clusters: Mapping[str, Cluster], accounts: Mapping[str, Account] | None = None) -> ClusterIndex:
        index = cls()
        for key, cluster in clusters.items():
            if cluster.issuer_host:
                index.by_host.setdefault(cluster.issuer_host, key)
            if cluster.oidc_provider_arn and ":oidc-provider/" in cluster.oidc_provider_arn:
                index.by_host.setdefault(cluster.oidc_provider_arn.split(":oidc-provider/", 1)[1], key)
            if cluster.name:
                index.by_name.setdefault(cluster.name, key)
            if cluster.arn:
                index.by_arn.setdefault(cluster.arn, key)
                index.arns[key] = cluster.arn
        for account in (accounts or {}).values():
            for key, arn in account.oidc_providers.items():
                if key in clusters and ":oidc-provider/" in arn:
                    index.by_host.setdefault(arn.split(":oidc-provider/", 1)[1], key)
        return index

    def of_host(self, host: str) -> tuple[str, bool]:
        key = self.by_host.get(host)
        return (key, True) if key is not None else (host or ANY, False)

    def of_cluster_arn(self, arn: str) -> tuple[str, bool]:
        key = self.by_arn.get(arn)
        if key is None and ":cluster/" in arn:
            key = self.by_name.get(arn.rsplit(":cluster/", 1)[1])
        return (key, True) if key is not None else (arn, False)

    def of_cluster_name(self, name: str) -> tuple[str, bool]:
        key = self.by_name.get(name)
        return (key, True) if key is not None else (name, False)


def subject_of(namespace: str, service_account: str) -> str:
    return f"{SUBJECT_PREFIX}{namespace}:{service_account}"


def _has_wildcard(value: str) -> bool:
    return "*" in value or "?" in value


def _split_subject(subject: str) -> tuple[str, str]:
    ref = service_account_from_subject(subject)
    if ref is not None:
        return ref.namespace, ref.name
    if subject.startswith(SUBJECT_PREFIX):
        # A pattern such as system:serviceaccount:team-* (the '*' spans the rest).
        rest = subject[len(SUBJECT_PREFIX) :]
        namespace, _, name = rest.partition(":")
        return namespace, name or ANY
    return "", ""


def _host(provider: str) -> str:
    return provider.split(":oidc-provider/", 1)[1] if ":oidc-provider/" in provider else provider


def _web_identity_principals(
    names: StatementNames, provider: str, index: ClusterIndex, trust: Mapping[str, Any]
) -> list[Principal]:
    host = _host(provider) if provider != ANY else ""
    cluster, known = index.of_host(host) if provider != ANY else (ANY, False)
    pinned = names.pinned(f"{host}:sub") if host else ()
    subjects: Sequence[str] = pinned or (subject_of(ANY, ANY),)
    audiences = sorted(set(names.pinned(f"{host}:aud"))) if host and names.pinned(f"{host}:aud") else None
    out = []
    for subject in subjects:
        pattern = _has_wildcard(subject) or not pinned
        if not pattern and provider != ANY:
            # A subject the statement names but the trust refuses (a Deny, another condition) is not listed.
            request = web_identity_request(provider, host, subject, (audiences or [DEFAULT_AUDIENCE])[0])
            if not evaluate(trust, request).allowed:
                continue
        namespace, name = _split_subject(subject)
        out.append(
            Principal(
                mechanism="irsa",
                cluster=cluster,
                cluster_known=known,
                subject=subject,
                namespace=namespace,
                service_account=name,
                pattern=pattern,
                audiences=audiences,
                provider_arn=provider,
                statement=names.index,
            )
        )
    return out


def _pod_identity_principals(
    names: StatementNames, index: ClusterIndex, associations: Sequence[PodIdentityAssociation]
) -> list[Principal]:
    clusters: list[tuple[str, bool, str | None]] = []
    for arn in names.pinned(request_tag(TAG_CLUSTER_ARN)):
        key, known = index.of_cluster_arn(arn)
        clusters.append((key, known, arn))
    for name in names.pinned(request_tag(TAG_CLUSTER_NAME)):
        key, known = index.of_cluster_name(name)
        clusters.append((key, known, None))
    namespaces = list(names.pinned(request_tag(TAG_NAMESPACE)))
    service_accounts = list(names.pinned(request_tag(TAG_SERVICE_ACCOUNT)))
    accounts = sorted(set(names.pinned(SOURCE_ACCOUNT_KEY)))

    def principal(cluster: str, known: bool, arn: str | None, ns: str, sa: str, pinned_by: str) -> Principal:
        subject = subject_of(ns, sa)
        return Principal(
            mechanism="pod-identity",
            cluster=cluster,
            cluster_known=known,
            subject=subject,
            namespace=ns,
            service_account=sa,
            pattern=_has_wildcard(subject),
            cluster_arn=arn,
            source_accounts=accounts,
            pinned_by="trust" if pinned_by == "trust" else "association",
            statement=names.index,
        )

    if clusters and namespaces and service_accounts:
        return [
            principal(c, known, arn, ns, sa, "trust")
            for c, known, arn in clusters
            for ns in namespaces
            for sa in service_accounts
        ]
    # Not fully pinned by the trust: the associations of this role are what binds it.
    out = []
    for a in associations:
        cluster_ok = not clusters or any(c == a.cluster for c, _, _ in clusters)
        if cluster_ok and (not namespaces or a.namespace in namespaces):
            if not service_accounts or a.service_account in service_accounts:
                key, known = index.of_cluster_name(a.cluster_name)
                out.append(principal(key, known, None, a.namespace, a.service_account, "association"))
    if out:
        return out
    cluster_list = clusters or [(ANY, False, None)]
    return [
        principal(c, known, arn, ns, sa, "trust")
        for c, known, arn in cluster_list
        for ns in (namespaces or [ANY])
        for sa in (service_accounts or [ANY])
    ]


def _other_principal(names: StatementNames) -> tuple[Principal, Weakness]:
    shown = json.dumps(names.principal, sort_keys=True, separators=(",", ":"))
    principal = Principal(
        mechanism="other",
        cluster=ANY,
        cluster_known=False,
        subject=shown,
        namespace="",
        service_account="",
        pattern=ANY in shown,
        statement=names.index,
    )
    weakness = Weakness(
        code="other-principal",
        message=f"admits {shown} to {', '.join(names.actions) or 'the actions it does not exclude'}: not an EKS "
        "workload identity",
        statement=names.index,
        level="info",
    )
    return principal, weakness


def _sorted(principals: Iterable[Principal], weaknesses: Iterable[Weakness]) -> tuple[list[Principal], list[Weakness]]:
    unique = {(p.key, p.statement): p for p in principals}
    ordered = sorted(unique.values(), key=lambda p: (p.mechanism, p.cluster, p.subject, p.statement))
    return ordered, sorted(set(weaknesses), key=lambda w: (w.trust, w.statement, w.code, w.message))


def _admits_others(statement: Mapping[str, Any]) -> bool:
    """Whether an open statement ("*") also admits an assume-role by an AWS principal, not only tokens."""
    request = Request("sts:AssumeRole", "AWS", "arn:aws:iam::000000000000:role/any", {})
    return evaluate({"Statement": [statement]}, request).allowed


def trust_weaknesses(
    trust: Mapping[str, Any], audiences_allowed: Iterable[str], role_account: str | None = None
) -> list[Weakness]:
    """What the trust admits beyond what it names (``core.analysis``), as plan weaknesses with witnesses."""
    allowed = tuple(sorted({DEFAULT_AUDIENCE, *audiences_allowed}))
    analysis = analyse_trust(trust, audiences=allowed, role_account=role_account or None)
    return [
        Weakness(
            code=w.code,
            message=w.message,
            statement=-1 if w.statement is None else w.statement,
            level=w.level,
            witness=w.witness.describe() if w.witness is not None else None,
        )
        for w in analysis.weaknesses
    ]


def _read_trust(
    trust: Mapping[str, Any],
    index: ClusterIndex,
    associations: Sequence[PodIdentityAssociation],
    audiences_allowed: Iterable[str],
    chain: _Chain | None = None,
    role_account: str | None = None,
    judge: bool = True,
) -> tuple[list[Principal], list[Weakness]]:
    principals: list[Principal] = []
    weaknesses = trust_weaknesses(trust, audiences_allowed, role_account) if judge else []
    statements = [s if isinstance(s, Mapping) else {} for s in as_list(trust.get("Statement"))]
    chained: list[int] = []
    for names in statements_named(trust):
        for provider in names.providers:
            principals.extend(_web_identity_principals(names, provider, index, trust))
        if names.pod_identity:
            principals.extend(_pod_identity_principals(names, index, associations))
        if names.other and "*" not in names.providers:
            if chain is not None and chain.admits_only_the_source(statements[names.index]):
                chained.append(names.index)
                continue
            principal, weakness = _other_principal(names)
            principals.append(principal)
            weaknesses.append(weakness)
        elif names.other and _admits_others(statements[names.index]):
            principals.append(_other_principal(names)[0])
    if chain is not None:
        found, chain_weaknesses = chain.admitted(trust, statements, chained, index)
        principals.extend(found)
        weaknesses.extend(chain_weaknesses)
    return principals, weaknesses


def principals_from_trust(
    trust: Mapping[str, Any],
    index: ClusterIndex,
    associations: Sequence[PodIdentityAssociation] = (),
    audiences_allowed: Iterable[str] = (),
    role_account: str | None = None,
    judge: bool = True,
) -> tuple[list[Principal], list[Weakness]]:
    """(principals, weaknesses) of one trust document, sorted for stable output; with ``judge`` false only the
    principals (and the weaknesses read without the solver: other principals)."""
    return _sorted(*_read_trust(trust, index, associations, audiences_allowed, role_account=role_account, judge=judge))


# Role chaining: a cross-account Pod Identity target role -------------------------------------------


def _pinned_values(condition: Any, key: str) -> tuple[str, ...]:
    """Values a StringEquals/StringLike/ArnEquals/ArnLike block pins ``key`` to (case-insensitive key)."""
    if not isinstance(condition, Mapping):
        return ()
    out: list[str] = []
    for operator in ("StringEquals", "StringLike", "ArnEquals", "ArnLike"):
        block = condition.get(operator)
        if isinstance(block, Mapping):
            for k, v in block.items():
                if str(k).lower() == key.lower():
                    out.extend(str(x) for x in as_list(v))
    return tuple(out)


@dataclass(frozen=True)
class _Candidate:
    """One concrete service account at one cluster whose chained requests are put to the target trust."""

    cluster: str
    known: bool
    cluster_arn: str
    namespace: str
    service_account: str
    session_tags: bool
    source: Principal


@dataclass
class _Chain:
    """The association role of a cross-account Pod Identity service, whose sessions the target trust admits."""

    role_arn: str
    sources: list[Principal]
    """Who may assume the association role (read from its own trust and the associations)."""
    associations: Sequence[PodIdentityAssociation]

    def _account(self) -> str:
        parts = self.role_arn.split(":")
        return parts[4] if len(parts) >= 6 else ""

    def _session(self) -> Formula:
        """The request comes from the association role's sessions.

        The chain's questions (does this statement name exactly that role's sessions, does it pin every
        pod) read an offline plan's placeholders (``<account-id>``) as the literal values they are in both
        the role ARN and the trust (``symbols=None``): one account the plan runs in, equal to nothing else.
        As symbols, z3's string theory times out splitting the role ARN around them."""
        return L.and_(L.principal_type("AWS"), L.eq(L.PRINCIPAL, L.fixed(self.role_arn)))

    def admits_only_the_source(self, statement: Mapping[str, Any]) -> bool:
        """Whether a statement admits the association role's sessions and no other principal (the solver)."""
        if statement.get("Effect") != "Allow":
            return False
        alone = {"Version": "2012-10-17", "Statement": [statement]}
        source = self._session()
        if search([Clause(alone)], kind="trust", where=source, symbols=None).witness is None:
            return False
        return search([Clause(alone)], kind="trust", where=L.not_(source), symbols=None).none

    def _external_id_pins(self, statement: Mapping[str, Any]) -> list[tuple[str, str, str]]:
        """(cluster ARN, namespace, service account) of each documented external ID the statement pins."""
        out = []
        partition = self.role_arn.split(":")[1] if self.role_arn.count(":") >= 5 else "aws"
        for value in _pinned_values(statement.get("Condition"), EXTERNAL_ID_KEY):
            parts = value.split("/")
            if len(parts) == 5 and all(parts):
                region, account, cluster, namespace, sa = parts
                out.append((arns.eks_cluster_arn(partition, region, account, cluster), namespace, sa))
        return out

    def _statement_pins(self, statement: Mapping[str, Any], index: ClusterIndex) -> list[tuple[str, str, str]]:
        condition = statement.get("Condition")
        cluster_arns = list(_pinned_values(condition, request_tag(TAG_CLUSTER_ARN)))
        for name in _pinned_values(condition, request_tag(TAG_CLUSTER_NAME)):
            key = index.by_name.get(name)
            if key is not None and key in index.arns:
                cluster_arns.append(index.arns[key])
        namespaces = _pinned_values(condition, request_tag(TAG_NAMESPACE))
        accounts = _pinned_values(condition, request_tag(TAG_SERVICE_ACCOUNT))
        pins = [(c, ns, sa) for c in cluster_arns for ns in namespaces for sa in accounts]
        return pins + self._external_id_pins(statement)

    def _unpinned(self, statement: Mapping[str, Any]) -> str | None:
        """A session of the association role the statement admits for a pod it does not pin (session tags,
        or sts:ExternalId), as a witness description; None when it pins every one it admits."""
        names = statements_named({"Statement": [statement]})
        if not names:
            return None
        n = names[0]
        arns_, cluster_names = n.pinned(request_tag(TAG_CLUSTER_ARN)), n.pinned(request_tag(TAG_CLUSTER_NAME))
        namespaces, accounts = n.pinned(request_tag(TAG_NAMESPACE)), n.pinned(request_tag(TAG_SERVICE_ACCOUNT))
        external = n.pinned(EXTERNAL_ID_KEY)
        pinned = L.or_(
            L.and_(
                S.cluster_in(arns_, cluster_names, None),
                S.pod_service_account_in(namespaces, accounts, None),
            ),
            L.and_(
                L.present(EXTERNAL_ID_KEY.lower()),
                L.one_of(("k", EXTERNAL_ID_KEY.lower()), map(L.const, external)),
            ),
        )
        source = self._session()
        alone = {"Version": "2012-10-17", "Statement": [statement]}
        found = search(
            [Clause(alone, True, ASSUME_ROLE)], kind="trust", where=L.and_(source, L.not_(pinned)), symbols=None
        )
        if found.witness is not None:
            return found.witness.describe()
        return None if found.decided else f"cannot decide ({found.reason})"

    def _candidates(
        self, statements: Sequence[Mapping[str, Any]], chained: Sequence[int], index: ClusterIndex
    ) -> list[_Candidate]:
        tags = {(a.cluster, a.namespace, a.service_account): a.session_tags for a in self.associations}
        out: list[_Candidate] = []
        for p in self.sources:
            if p.mechanism != "pod-identity":
                continue
            if not p.pattern and p.cluster != ANY:
                arn = p.cluster_arn or index.arns.get(p.cluster) or p.cluster
                found = tags.get((p.cluster, p.namespace, p.service_account), True)
                out.append(_Candidate(p.cluster, p.cluster_known, arn, p.namespace, p.service_account, found, p))
                continue
            for i in chained:  # a pattern: the concrete service accounts the target trust pins, within it
                for arn, namespace, sa in self._statement_pins(statements[i], index):
                    key, known = index.of_cluster_arn(arn)
                    concrete = p.model_copy(
                        update={
                            "cluster": key,
                            "subject": subject_of(namespace, sa),
                            "pattern": False,
                            "namespace": namespace,
                            "service_account": sa,
                        }
                    )
                    if subject_covers(p, concrete):
                        session_tags = tags.get((key, namespace, sa), True)
                        out.append(_Candidate(key, known, arn, namespace, sa, session_tags, p))
        return out

    def admitted(
        self,
        trust: Mapping[str, Any],
        statements: Sequence[Mapping[str, Any]],
        chained: Sequence[int],
        index: ClusterIndex,
    ) -> tuple[list[Principal], list[Weakness]]:
        """The service accounts that reach the target through the association role, proved with core.evaluate."""
        found: list[Principal] = []
        weaknesses: list[Weakness] = []
        if not chained:
            return found, weaknesses
        for c in self._candidates(statements, chained, index):
            external_id = None
            if not c.session_tags:
                try:
                    arn = arns.parse_arn(c.cluster_arn)
                except ValueError:
                    continue
                external_id = _external_id_of(arn, c.namespace, c.service_account)
            requests = pod_identity_chained_requests(
                self.role_arn,
                cluster_arn=c.cluster_arn,
                namespace=c.namespace,
                service_account=c.service_account,
                session_tags=c.session_tags,
                external_id=external_id,
            )
            decisions = [evaluate(trust, r) for r in requests]
            if not all(d.allowed for d in decisions):
                continue
            matched = [s.index for s in decisions[0].statements if s.matched and s.effect == "Allow"]
            statement = min((i for i in matched if i in chained), default=min(matched))
            pinned = self._unpinned(statements[statement]) is None or c.source.pinned_by == "trust"
            found.append(
                Principal(
                    mechanism="pod-identity",
                    cluster=c.cluster,
                    cluster_known=c.known,
                    subject=subject_of(c.namespace, c.service_account),
                    namespace=c.namespace,
                    service_account=c.service_account,
                    pattern=False,
                    cluster_arn=c.cluster_arn if c.cluster_arn.startswith("arn:") else None,
                    source_accounts=c.source.source_accounts,
                    pinned_by="trust" if pinned else "association",
                    chained_through=self.role_arn,
                    external_id=external_id,
                    statement=statement,
                )
            )
        for i in chained:
            actions = [str(a) for a in as_list(statements[i].get("Action"))]
            assumes = any(glob_match(a, ASSUME_ROLE, case_sensitive=False) for a in actions)
            if assumes and not self._statement_pins(statements[i], index):
                # Nothing concrete to put to the trust: a pattern of the association role passes as it is.
                found += [
                    p.model_copy(update={"chained_through": self.role_arn, "statement": i})
                    for p in self.sources
                    if p.mechanism == "pod-identity" and (p.pattern or p.cluster == ANY)
                ]
            witness = self._unpinned(statements[i]) if assumes else None
            if witness is not None:
                weaknesses.append(
                    Weakness(
                        code="chain-unpinned",
                        message=f"admits sessions of the association role {self.role_arn} for pods it does not pin "
                        "(session tags or sts:ExternalId), e.g. " + witness + ": only that role's own trust and its "
                        "associations bind it",
                        statement=i,
                        level="advisory",
                        witness=witness,
                    )
                )
        return found, weaknesses


def _external_id_of(cluster_arn: arns.Arn, namespace: str, service_account: str) -> str:
    """The ``sts:ExternalId`` EKS documents for an association with session tags off (see core.cross_account)."""
    cluster = cluster_arn.resource.removeprefix("cluster/")
    return pod_identity_external_id(cluster_arn.region, cluster_arn.account, cluster, namespace, service_account)


def chained_principals(
    trust: Mapping[str, Any],
    association_role_arn: str,
    association_trust: Mapping[str, Any],
    index: ClusterIndex,
    associations: Sequence[PodIdentityAssociation] = (),
    audiences_allowed: Iterable[str] = (),
    judge: bool = True,
) -> tuple[list[Principal], list[Weakness]]:
    """(principals, weaknesses) of a target role that an association role's sessions assume (role chaining).

    Who may assume the association role is read from its own trust (and the associations); each of those
    service accounts is admitted to the target when ``core.evaluate`` allows the requests EKS makes with
    the association role's session (``core.cross_account.pod_identity_chained_requests``). Other principals
    of the association role are shown as chained through it; the association role's weaknesses carry
    ``trust: association-role``.
    """
    source, source_weaknesses = _read_trust(association_trust, index, associations, audiences_allowed, judge=judge)
    chain = _Chain(association_role_arn, source, associations)
    principals, weaknesses = _read_trust(trust, index, (), audiences_allowed, chain, judge=judge)
    for p in source:
        if p.mechanism != "pod-identity":
            principals.append(p.model_copy(update={"chained_through": association_role_arn}))
    weaknesses += [w.model_copy(update={"trust": "association-role"}) for w in source_weaknesses]
    return _sorted(principals, weaknesses)


def service_principals(
    service: Service, index: ClusterIndex, judge: bool = True
) -> tuple[list[Principal], list[Weakness]]:
    """Who may assume the service's role (through its association role, for a cross-account Pod Identity
    service), and (``judge``) the weaknesses the solver finds in the trusts."""
    associations = service.kubernetes.pod_identity_associations
    audiences = (service.token_audience,)
    if service.association_role is None:
        return principals_from_trust(
            service.role.trust_policy,
            index,
            associations,
            audiences,
            role_account=service.role.account_id,
            judge=judge,
        )
    association = service.association_role
    return chained_principals(
        service.role.trust_policy,
        association.arn,
        association.trust_policy,
        index,
        associations,
        audiences,
        judge=judge,
    )


def subject_covers(pattern: Principal, other: Principal) -> bool:
    """Whether ``pattern`` admits everything ``other`` admits (same mechanism and cluster)."""
    if pattern.mechanism != other.mechanism:
        return False
    if pattern.cluster not in (other.cluster, ANY):
        return False
    if not (pattern.subject == other.subject or (pattern.pattern and glob_match(pattern.subject, other.subject))):
        return False
    if pattern.mechanism == "irsa":
        return audiences_cover(pattern.audiences, other.audiences)
    return True


def audiences_cover(outer: list[str] | None, inner: list[str] | None) -> bool:
    if outer is None:
        return True
    if inner is None:
        return False
    return all(any(a == b or glob_match(a, b) for a in outer) for b in inner)


def permission_document(statements: Sequence[PermissionStatement]) -> dict[str, Any]:
    """The plan's permission statements back as one IAM policy document."""
    out = []
    for st in statements:
        statement: dict[str, Any] = {"Effect": st.effect}
        if st.sid:
            statement["Sid"] = st.sid
        if st.not_actions:
            statement["NotAction"] = st.not_actions
        else:
            statement["Action"] = st.actions
        if st.not_resources:
            statement["NotResource"] = st.not_resources
        else:
            statement["Resource"] = st.resources
        if st.condition:
            statement["Condition"] = st.condition
        out.append(statement)
    return {"Version": "2012-10-17", "Statement": out}


def permission_weaknesses(permissions: Permissions) -> list[Weakness]:
    """Administrator-like grants of a role's permissions (``core.permissions``), as plan weaknesses."""
    out = [
        Weakness(
            code="admin-managed-policy",
            message=f"managed policy {arn} gives administrator permissions",
            statement=-1,
            about="permissions",
        )
        for arn in admin_managed_policies(permissions.managed_policies)
    ]
    for grant in admin_grants(permission_document(permissions.statements())):
        out.append(
            Weakness(
                code=grant.code,
                message=grant.message,
                statement=-1 if grant.statement is None else grant.statement,
                about="permissions",
                level="undecided" if grant.code == "undecided" else "mandatory",
                witness=grant.witness.describe() if grant.witness is not None else None,
            )
        )
    return out


def permission_statements(document: Mapping[str, Any]) -> list[PermissionStatement]:
    """The statements of a permission document, normalised (lists everywhere, order kept)."""
    out = []
    for statement in as_list(document.get("Statement")):
        if not isinstance(statement, Mapping):
            continue
        condition = statement.get("Condition")
        out.append(
            PermissionStatement(
                sid=str(statement["Sid"]) if statement.get("Sid") else None,
                effect=str(statement.get("Effect", "")),
                actions=[str(a) for a in as_list(statement.get("Action"))],
                not_actions=[str(a) for a in as_list(statement.get("NotAction"))],
                resources=[str(r) for r in as_list(statement.get("Resource"))],
                not_resources=[str(r) for r in as_list(statement.get("NotResource"))],
                condition=dict(condition) if isinstance(condition, Mapping) and condition else None,
            )
        )
    return out
