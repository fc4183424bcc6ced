"""Read the resources the guardrails care about out of their property dicts (camelCase, as the engine sends them).

Plain data in, plain data out: no Pulumi imports, so the command line and the tests reuse it as is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..core.analysis import TrustAnalysis, analyse_trust
from ..core.documents import as_list
from ..core.trust import DEFAULT_AUDIENCE
from .values import has_unknown, is_unknown, known_str, read_document

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
    """A role's trust policy read back with the core analysis, knowing which parts are still unknown."""

    document: dict[str, Any] | None
    analysis: TrustAnalysis | None
    unknown: bool
    """The whole document, or some part of it, is not known yet (preview)."""

    @property
    def is_workload(self) -> bool:
        """Trusted by Kubernetes workloads: web identity (IRSA) or EKS Pod Identity."""
        return self.analysis is not None and bool(self.analysis.web_identity or self.analysis.pod_identity)

    def statement(self, index: int) -> Mapping[str, Any]:
        statements = as_list(self.document.get("Statement")) if self.document else []
        item = statements[index] if 0 <= index < len(statements) else None
        return item if isinstance(item, Mapping) else {}

    def decidable(self, index: int, *fields: str) -> bool:
        """Whether the named fields of statement ``index`` are fully known."""
        statement = self.statement(index)
        return not any(has_unknown(statement.get(f)) for f in fields)


def read_trust(value: object, audiences_allowed: Sequence[str] = (DEFAULT_AUDIENCE,)) -> TrustView:
    if is_unknown(value):
        return TrustView(None, None, True)
    document = read_document(value)
    if document is None:
        return TrustView(None, None, False)
    return TrustView(document, analyse_trust(document, tuple(audiences_allowed)), has_unknown(document))


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
