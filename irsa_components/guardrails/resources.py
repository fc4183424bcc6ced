"""Read the resources the guardrails care about out of their property dicts (camelCase, as the engine sends them).

Plain data in, plain data out: no Pulumi imports, so the command line and the tests reuse it as is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..core.analysis import TrustAnalysis, analyse_trust
from ..core.documents import as_list
from ..core.queries import DEFAULT_SYMBOLS
from ..core.trust import DEFAULT_AUDIENCE
from .values import UNKNOWN_OBJECT, UNKNOWN_STRING, has_unknown, is_unknown, known_str, read_document

ROLE = "aws:iam/role:Role"
NATIVE_ROLE = "aws-native:iam:Role"
ROLE_TYPES = (ROLE, NATIVE_ROLE)
POLICY = "aws:iam/policy:Policy"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ROLE_POLICY_ATTACHMENTS_EXCLUSIVE = "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive"
POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment"
OIDC_PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
POD_IDENTITY_ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
SERVICE_ACCOUNT_TYPES = ("kubernetes:core/v1:ServiceAccount", "kubernetes:core/v1:ServiceAccountPatch")


@dataclass(frozen=True)
class RoleView:
    """An IAM role, whichever provider declares it."""

    type: str
    logical_name: str
    role_name: str | None
    """The IAM name when known (explicit, or auto-named by the provider)."""
    path: str | None
    arn: str | None
    trust: Any
    """The trust policy as given: JSON text, an object, an unknown sentinel or None."""
    managed_policy_arns: Any
    inline_policies: list[tuple[str, Any]]
    """(name, document as given) of the role's own inline policies."""
    max_session_duration: Any

    @property
    def label(self) -> str:
        physical = f" (IAM role {self.role_name})" if self.role_name and self.role_name != self.logical_name else ""
        return f"{self.type} {self.logical_name!r}{physical}"


def role_view(resource_type: str, logical_name: str, props: Mapping[str, Any]) -> RoleView | None:
    """The role described by ``props``; None for other resource types."""
    if resource_type == ROLE:
        inline = [
            (str(p.get("name") or ""), p.get("policy"))
            for p in as_list(props.get("inlinePolicies"))
            if isinstance(p, Mapping) and p.get("policy")
        ]
        name = known_str(props.get("name"))
        return RoleView(
            type=resource_type,
            logical_name=logical_name,
            role_name=name,
            path=known_str(props.get("path")) or ("/" if props.get("path") is None else None),
            arn=known_str(props.get("arn")),
            trust=props.get("assumeRolePolicy"),
            managed_policy_arns=props.get("managedPolicyArns"),
            inline_policies=inline,
            max_session_duration=props.get("maxSessionDuration"),
        )
    if resource_type == NATIVE_ROLE:
        inline = [
            (str(p.get("policyName") or ""), p.get("policyDocument"))
            for p in as_list(props.get("policies"))
            if isinstance(p, Mapping) and p.get("policyDocument")
        ]
        return RoleView(
            type=resource_type,
            logical_name=logical_name,
            role_name=known_str(props.get("roleName")),
            path=known_str(props.get("path")) or ("/" if props.get("path") is None else None),
            arn=known_str(props.get("arn")),
            trust=props.get("assumeRolePolicyDocument"),
            managed_policy_arns=props.get("managedPolicyArns"),
            inline_policies=inline,
            max_session_duration=props.get("maxSessionDuration"),
        )
    return None


@dataclass(frozen=True)
class TrustView:
    """A role's trust policy read back with the core analysis; values not known yet are symbols in it."""

    document: dict[str, Any] | None
    """The document as the analysis reads it (unknown values replaced, see ``symbolic``); None when the
    whole document is not known yet."""
    analysis: TrustAnalysis | None
    unknown: bool
    """The whole document, or some part of it, is not known yet (preview)."""

    @property
    def is_workload(self) -> bool | None:
        """Assumable by Kubernetes workloads (web identity or EKS Pod Identity); None: cannot tell yet."""
        if self.analysis is None:
            return None if self.unknown else False
        return self.analysis.workload


# Placeholders of an offline run (``<account-id>``) are symbols: values of their own the solver ranges
# over. A value the engine does not know yet (preview) is not even that: the part of the statement
# that holds it becomes a construct the analysis does not know, which decides nothing either way.
SYMBOLS = DEFAULT_SYMBOLS


def symbolic(document: Mapping[str, Any]) -> dict[str, Any]:
    """``document`` with each part holding a value not known yet made unknown to the analysis: a Principal
    that is neither "*" nor a block, an Action or Resource entry that is not a string, an operator block
    that is not a block. A finding must then hold whatever those values turn out to be."""

    def statement(raw: Any) -> Any:
        if not isinstance(raw, Mapping):
            return raw
        out = dict(raw)
        for field in ("Principal", "NotPrincipal"):
            if field in out and has_unknown(out[field]):
                out[field] = "<a principal not known yet>"
        for field in ("Action", "NotAction", "Resource", "NotResource"):
            if field in out and has_unknown(out[field]):
                out[field] = [{"unknown": True}]
        condition = out.get("Condition")
        if isinstance(condition, Mapping):
            out["Condition"] = {op: UNKNOWN_OBJECT if has_unknown(block) else block for op, block in condition.items()}
        if has_unknown(out.get("Effect")):
            out["Effect"] = UNKNOWN_STRING
        return out

    statements = document.get("Statement")
    if is_unknown(statements):
        return {**document, "Statement": [{"Effect": UNKNOWN_STRING}]}
    return {**document, "Statement": [statement(s) for s in as_list(statements)]}


_read: dict[tuple[Any, ...], TrustView] = {}


def read_trust(
    value: object,
    audiences_allowed: Sequence[str] = (DEFAULT_AUDIENCE,),
    *,
    allowed_namespaces: Sequence[str] = (),
    allowed_accounts: Sequence[str] = (),
    role_account: str | None = None,
) -> TrustView:
    """The trust read back (``core.analysis``); every policy of the pack reads the same roles, once each."""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    key = (text, tuple(audiences_allowed), tuple(allowed_namespaces), tuple(allowed_accounts), role_account)
    found = _read.get(key)
    if found is None:
        if len(_read) > 20_000:
            _read.clear()
        found = _read_trust(value, audiences_allowed, allowed_namespaces, allowed_accounts, role_account)
        _read[key] = found
    return found


def _read_trust(
    value: object,
    audiences_allowed: Sequence[str],
    allowed_namespaces: Sequence[str],
    allowed_accounts: Sequence[str],
    role_account: str | None,
) -> TrustView:
    if is_unknown(value):
        return TrustView(None, None, True)
    document = read_document(value)
    if document is None:
        return TrustView(None, None, False)
    unknown = has_unknown(document)
    readable = symbolic(document) if unknown else document
    analysis = analyse_trust(
        readable,
        audiences=tuple(audiences_allowed),
        allowed_namespaces=tuple(allowed_namespaces),
        allowed_accounts=tuple(allowed_accounts),
        role_account=role_account,
        symbols=SYMBOLS,
    )
    return TrustView(readable, analysis, unknown)


@dataclass(frozen=True)
class ServiceAccountView:
    namespace: Any
    name: Any
    annotations: Any
    """The annotations mapping, an unknown sentinel, or None."""


def service_account_view(props: Mapping[str, Any], default_namespace: str = "default") -> ServiceAccountView:
    metadata = props.get("metadata")
    if is_unknown(metadata):
        return ServiceAccountView(metadata, metadata, metadata)
    metadata = metadata if isinstance(metadata, Mapping) else {}
    namespace = metadata.get("namespace")
    return ServiceAccountView(
        namespace=default_namespace if namespace is None or namespace == "" else namespace,
        name=metadata.get("name"),
        annotations=metadata.get("annotations"),
    )
