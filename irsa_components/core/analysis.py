"""Who a trust policy admits beyond what it names, decided by the solver, with a witness for each finding.

The plan's weaknesses, the guardrails' trust rules and ``irsa explain``'s warnings all come from
``analyse_trust``, so a document written by hand (or by another tool) is judged exactly like the ones
this library builds, and by its meaning, not its shape.

The intended set is what the document names (``core.scope.named``): its OIDC providers, the service
accounts its ``sub`` conditions list, the namespaces of its explicit ``system:serviceaccount:<ns>:*``
patterns, the given audiences, its ``aws:SourceAccount`` values, its other principals. A finding is a
request the document admits outside that set, found by ``core.queries`` and checked by the evaluator:

- mandatory: ``provider-unpinned`` (a token of a provider it does not name), ``sub-unpinned`` (a service
  account it does not name, outside its explicit namespaces), ``aud-unexpected``, ``account-unpinned``
  (Pod Identity from an account it does not name), ``open-principal`` (a principal it does not name),
  ``admits-outside`` (anything else outside), ``missing-tag-session`` (EKS Pod Identity cannot assume it);
- advisory: ``sub-namespace-wildcard`` (every matching service account of an explicit namespace),
  ``cluster-unpinned``, ``namespace-unpinned``, ``service-account-unpinned`` (Pod Identity not pinned by
  session tags; the association then binds it);
- ``undecided``: a question the solver could not settle (never read as safe).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from . import logic as L
from . import scope as S
from .documents import as_list
from .environment import POD_IDENTITY_SERVICE
from .evaluate import Request, evaluate, statement_unknowns
from .logic import Formula
from .queries import DEFAULT_SYMBOLS, Clause, Search, Witness, document_key, kleene_allowed, search
from .scope import Named, named
from .trust import DEFAULT_AUDIENCE

Level = Literal["mandatory", "advisory", "undecided"]
_STAND_IN_SUBJECT = "system:serviceaccount:default:default"


@dataclass(frozen=True)
class Weakness:
    code: str
    message: str
    level: Level = "mandatory"
    witness: Witness | None = None
    statement: int | None = None
    """The Allow statement that admits the witness."""


@dataclass(frozen=True)
class TrustAnalysis:
    named: Named
    web_identity: bool | None
    """Admits some AssumeRoleWithWebIdentity (None: could not decide)."""
    pod_identity: bool | None
    """Admits some EKS Pod Identity AssumeRole."""
    weaknesses: tuple[Weakness, ...]
    notes: tuple[str, ...]
    """Constructs translated inexactly."""

    @property
    def workload(self) -> bool | None:
        """Assumable by Kubernetes workloads (None: could not decide)."""
        if self.web_identity or self.pod_identity:
            return True
        if self.web_identity is None or self.pod_identity is None:
            return None
        return False

    def of(self, level: Level) -> tuple[Weakness, ...]:
        return tuple(w for w in self.weaknesses if w.level == level)


def analyse_trust(
    document: Mapping[str, Any],
    *,
    audiences: Sequence[str] = (DEFAULT_AUDIENCE,),
    allowed_namespaces: Sequence[str] = (),
    allowed_accounts: Sequence[str] = (),
    role_account: str | None = None,
    symbols: re.Pattern[str] | None = DEFAULT_SYMBOLS,
) -> TrustAnalysis:
    """Read a trust policy: whether workloads can assume it, and every request it admits beyond what it names.

    ``allowed_accounts`` (when given) replaces the named ``aws:SourceAccount`` values as the accounts
    Pod Identity may come from; ``allowed_namespaces`` are namespaces whose every service account is
    intended; ``role_account`` (when known) is the role's account (STS refuses web identities of
    providers in other accounts).
    """
    return _analyse(
        document_key(document),
        tuple(sorted(set(audiences))),
        tuple(sorted(set(allowed_namespaces))),
        tuple(sorted(set(allowed_accounts))),
        role_account,
        symbols,
    )


@lru_cache(maxsize=8192)
def _analyse(
    key: str,
    audiences: tuple[str, ...],
    allowed_namespaces: tuple[str, ...],
    allowed_accounts: tuple[str, ...],
    role_account: str | None,
    symbols: re.Pattern[str] | None,
) -> TrustAnalysis:
    import json

    document = json.loads(key)
    return _Reader(document, audiences, allowed_namespaces, allowed_accounts, role_account, symbols).read()


class _Reader:
    def __init__(
        self,
        document: dict[str, Any],
        audiences: tuple[str, ...],
        allowed_namespaces: tuple[str, ...],
        allowed_accounts: tuple[str, ...],
        role_account: str | None,
        symbols: re.Pattern[str] | None,
    ) -> None:
        self.document = document
        self.n = named(document)
        self.audiences = audiences
        self.allowed_namespaces = allowed_namespaces
        self.accounts = allowed_accounts or self.n.source_accounts
        self.role_account = role_account
        self.symbols = symbols
        self.weaknesses: list[Weakness] = []
        self.notes: list[str] = []
        self.has_symbols = symbols is not None and symbols.search(document_key(document)) is not None

    # Asking -------------------------------------------------------------------------------------------

    def ask(self, where: Formula, clauses: Sequence[Clause] | None = None) -> Search:
        """A witness, a proof there is none (for every value of the document's unknowns), or undecided.

        Unknowns (``<account-id>``) are first taken as opaque values of their own, the values they have
        unless one happens to equal another value the document names: a witness then is a finding. With
        none, the unknowns range over every value: no witness then is a proof, and a witness that needs
        particular values of them makes the answer depend on them, and say so.
        """
        clauses = clauses or [Clause(self.document)]
        generic = search(clauses, kind="trust", where=L.ground(where), role_account=self.role_account, symbols=None)
        self.notes += [n for n in generic.notes if n not in self.notes]
        if not self.has_symbols or generic.witness is not None:
            return generic
        free = search(clauses, kind="trust", where=where, role_account=self.role_account, symbols=self.symbols)
        if free.witness is None:
            return free
        tokens = ", ".join(sorted(free.witness.symbols))
        return Search(None, False, free.notes, f"it depends on {tokens}, not known yet")

    def statement(self, witness: Witness) -> int | None:
        decision = evaluate(self.document, witness.request)
        return next((s.index for s in decision.statements if s.matched and s.effect == "Allow"), None)

    def found(self, code: str, level: Level, message: str, result: Search) -> bool:
        """Record the finding ``result`` holds (a witness, or an undecided question); True when it does."""
        if result.witness is not None:
            text = f"{message}, e.g. {result.witness.describe()}"
            self.weaknesses.append(Weakness(code, text, level, result.witness, self.statement(result.witness)))
            return True
        if not result.decided:
            self.weaknesses.append(
                Weakness(
                    code, f"cannot decide whether it {message.removeprefix('admits ')} ({result.reason})", "undecided"
                )
            )
            return True
        return False

    def admits(self, where: Formula, candidate: Request | None, kind: str, principal: str) -> bool | None:
        """Whether the document admits some request ``where`` holds of: a candidate the evaluator allows
        settles it yes, and no Allow statement whose principal can match ``kind`` principals settles it no,
        both without the solver (a principal that matches is necessary for any statement to allow)."""
        if candidate is not None and kleene_allowed(self.document, candidate) is True:
            return True
        if not self._principal_may_match(kind, principal):
            return False
        result = self.ask(where)
        if result.witness is not None:
            return True
        return False if result.decided else None

    # Reading ------------------------------------------------------------------------------------------

    def read(self) -> TrustAnalysis:
        n = self.n
        web = self.admits(S.any_web_identity(), self._web_candidate(), "Federated", "arn:aws:iam::0:oidc-provider/x")
        pods = self.admits(S.pod_assume_role(), self._pod_candidate(), "Service", POD_IDENTITY_SERVICE)
        for what, value in (("a web identity", web), ("EKS Pod Identity", pods)):
            if value is None:
                self.weaknesses.append(
                    Weakness("undecided", f"cannot decide whether {what} can assume the role", "undecided")
                )
        if web or pods or web is None or pods is None:
            self._mandatory()
            if web is not False:
                self._namespace_wildcards()
            if pods is not False:
                self._pod_pinning()
                self._tag_session()
        return TrustAnalysis(n, web, pods, tuple(self.weaknesses), tuple(self.notes))

    def _inside(self) -> Formula:
        n, symbols = self.n, self.symbols
        web = [
            L.and_(
                S.web_identity(p, symbols),
                S.subject_in(p, n.subjects, (*n.namespaces, *self.allowed_namespaces), symbols),
                S.audience_in(p, self.audiences, symbols),
            )
            for p in n.providers
        ]
        pods = L.and_(S.pod_identity(), S.account_in(self.accounts, symbols))
        return L.or_(*web, pods, S.principal_in(n, symbols))

    def _mandatory(self) -> None:
        outside = self.ask(L.not_(self._inside()))
        if outside.none:
            return
        n, symbols = self.n, self.symbols
        namespaces = (*n.namespaces, *self.allowed_namespaces)
        named_provider = L.or_(*(S.web_identity(p, symbols) for p in n.providers))
        checks = [
            (
                "provider-unpinned",
                "admits web identities of a provider it does not name",
                L.and_(S.any_web_identity(), L.not_(named_provider)),
            ),
            (
                "sub-unpinned",
                "admits service accounts it does not name",
                L.or_(
                    *(
                        L.and_(S.web_identity(p, symbols), L.not_(S.subject_in(p, n.subjects, namespaces, symbols)))
                        for p in n.providers
                    )
                ),
            ),
            (
                "aud-unexpected",
                f"admits tokens for an audience other than {', '.join(self.audiences) or 'none'}",
                L.or_(
                    *(
                        L.and_(S.web_identity(p, symbols), L.not_(S.audience_in(p, self.audiences, symbols)))
                        for p in n.providers
                    )
                ),
            ),
            (
                "account-unpinned",
                "admits EKS Pod Identity from an account "
                + ("outside the allowed ones" if self.accounts != n.source_accounts else "it does not name")
                + " (aws:SourceAccount)",
                L.and_(S.pod_identity(), L.not_(S.account_in(self.accounts, symbols))),
            ),
            (
                "open-principal",
                "admits a principal it does not name",
                L.and_(L.not_(S.any_web_identity()), L.not_(S.pod_identity()), L.not_(S.principal_in(n, symbols))),
            ),
        ]
        found = False
        for code, message, where in checks:
            if where != L.FALSE:
                found |= self.found(code, "mandatory", message, self.ask(where))
        if not found:
            self.found(
                "admits-outside",
                "mandatory",
                "admits a request outside the providers, service accounts, audiences, accounts and principals it names",
                outside,
            )

    def _namespace_wildcards(self) -> None:
        n, symbols = self.n, self.symbols
        for namespace in n.namespaces:
            if namespace in self.allowed_namespaces:
                continue
            where = L.or_(
                *(
                    L.and_(
                        S.web_identity(p, symbols),
                        S.subject_in(p, (), (namespace,), symbols),
                        L.not_(S.subject_in(p, n.subjects, self.allowed_namespaces, symbols)),
                    )
                    for p in n.providers
                )
            )
            self.found(
                "sub-namespace-wildcard",
                "advisory",
                f"admits every matching service account anyone can create in namespace {namespace!r}",
                self.ask(where),
            )

    def _pod_pinning(self) -> None:
        n, symbols = self.n, self.symbols
        cluster = S.cluster_in(n.cluster_arns, n.cluster_names, symbols)
        namespace = S.pod_service_account_in(n.pod_namespaces, None, symbols)
        account = S.pod_service_account_in(n.pod_namespaces, n.pod_service_accounts, symbols)
        pinned = L.and_(cluster, account)
        if self.ask(L.and_(S.pod_assume_role(), L.not_(pinned))).none:
            return
        checks = [
            ("cluster-unpinned", "is not pinned to the clusters it names", L.not_(cluster)),
            ("namespace-unpinned", "is not pinned to the namespaces it names", L.not_(namespace)),
            (
                "service-account-unpinned",
                "is not pinned to the service accounts it names",
                L.and_(namespace, L.not_(account)),
            ),
        ]
        for code, message, where in checks:
            self.found(
                code,
                "advisory",
                f"admits EKS Pod Identity for pods it does not name: it {message}",
                self.ask(L.and_(S.pod_assume_role(), where)),
            )

    def _tag_session(self) -> None:
        """EKS Pod Identity calls AssumeRole and TagSession with the same session tags: a trust that admits
        the first for some pod but never both cannot be assumed through EKS Pod Identity."""
        pods = L.and_(
            L.principal_type("Service"), L.eq(L.PRINCIPAL, L.fixed(POD_IDENTITY_SERVICE)), L.present(S.NAMESPACE_TAG)
        )
        candidate = self._pod_candidate()
        if candidate is not None and kleene_allowed(self.document, candidate) is True:
            tag = Request("sts:TagSession", candidate.principal_type, candidate.principal, candidate.context)
            if kleene_allowed(self.document, tag) is True:
                return  # a pod the trust names can do both
        assume = self.ask(pods, [Clause(self.document, True, "sts:AssumeRole")])
        if assume.witness is None:
            return
        both = [Clause(self.document, True, "sts:AssumeRole"), Clause(self.document, True, "sts:TagSession")]
        if self.ask(pods, both).none:
            self.found(
                "missing-tag-session",
                "mandatory",
                "allows sts:AssumeRole but never sts:TagSession for the same pod: EKS Pod Identity passes session "
                "tags, so the role cannot be assumed through it",
                assume,
            )

    def _principal_may_match(self, kind: str, principal: str) -> bool:
        """Whether some Allow statement's principal may match a ``kind`` principal: when its principal is
        not understood, or (for another principal of the same kind than those named) names every one."""
        for statement in as_list(self.document.get("Statement")):
            if not isinstance(statement, Mapping):
                return True
            if statement.get("Effect") == "Deny":
                continue
            if statement_unknowns(statement, True):
                return True
            if "NotPrincipal" in statement or "Principal" not in statement:
                return True
            value = statement["Principal"]
            if value == "*" or not isinstance(value, Mapping):
                return True
            for k, v in value.items():
                values = [str(x) for x in as_list(v)]
                if (k == "AWS" and "*" in values) or (
                    k == kind and ("*" in values or kind != "Service" or principal in values)
                ):
                    return True
        return False

    # Candidates (a request the evaluator can settle without the solver) -----------------------------

    def _web_candidate(self) -> Request | None:
        n = self.n
        if not n.providers:
            return None
        provider = n.providers[0]
        sub, aud = S.provider_keys(provider, self.symbols)
        subject = n.subjects[0] if n.subjects else _STAND_IN_SUBJECT
        audience = self.audiences[0] if self.audiences else (n.audiences[0] if n.audiences else DEFAULT_AUDIENCE)
        return Request("sts:AssumeRoleWithWebIdentity", "Federated", provider, {sub: subject, aud: audience})

    def _pod_candidate(self) -> Request | None:
        n = self.n
        if not n.pod_identity:
            return None
        account = self.accounts[0] if self.accounts else "000000000000"
        arn = n.cluster_arns[0] if n.cluster_arns else f"arn:aws:eks:us-east-1:{account}:cluster/c"
        name = arn.rsplit("/", 1)[-1]
        tags = {
            "eks-cluster-arn": arn,
            "eks-cluster-name": n.cluster_names[0] if n.cluster_names else name,
            "kubernetes-namespace": n.pod_namespaces[0] if n.pod_namespaces else "default",
            "kubernetes-service-account": n.pod_service_accounts[0] if n.pod_service_accounts else "default",
            "kubernetes-pod-name": "pod",
            "kubernetes-pod-uid": "00000000-0000-0000-0000-000000000000",
        }
        context: dict[str, Any] = {f"aws:RequestTag/{k}": v for k, v in tags.items()}
        context.update({"aws:SourceAccount": account, "aws:TagKeys": list(tags)})
        return Request("sts:AssumeRole", "Service", POD_IDENTITY_SERVICE, context)
