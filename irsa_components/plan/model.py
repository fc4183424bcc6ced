"""The plan: who can assume which role, with what permissions, as stable plain data.

``irsa plan --format json`` writes a :class:`Plan`; ``irsa diff`` and ``irsa explain`` read it back.
Every field is documented in ``docs/plan-format.md``. Keys are camelCase in JSON, written sorted.
"""

from __future__ import annotations

import json
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.alias_generators import to_camel

from ..core.errors import InputError, Problem

FORMAT_VERSION = 1
KIND = "irsa-plan"

Identity = Literal["irsa", "pod-identity", "both"]
Mechanism = Literal["irsa", "pod-identity", "other"]
ClusterKind = Literal["eks", "self-hosted"]
ANY = "*"
"""Stands for "not pinned" in principals (any cluster, namespace, service account)."""


class _Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True)


class Placeholder(_Model):
    """A value only the cloud knows, shown as a placeholder (e.g. ``<account-id>``)."""

    value: str
    meaning: str


class Cluster(_Model):
    """One cluster of the environment (``irsa:clusters.<key>``): an EKS cluster, or a self-hosted one."""

    kind: ClusterKind = "eks"
    name: Optional[str] = None
    """EKS cluster name; null for a self-hosted cluster."""
    arn: Optional[str] = None
    """EKS cluster ARN; null for a self-hosted cluster."""
    issuer_url: Optional[str] = None
    issuer_host: Optional[str] = None
    issuer_bucket: Optional[str] = None
    """Self-hosted: the S3 bucket publishing the issuer's documents."""
    oidc_provider_arn: Optional[str] = None
    oidc_provider: Optional[Literal["created", "adopted", "account"]] = None

    @property
    def label(self) -> str:
        """How people know the cluster: its EKS name, or "self-hosted"."""
        return self.name if self.kind == "eks" and self.name else "self-hosted"


class Account(_Model):
    """Another AWS account of the stack (``irsa:accounts.<key>``) that services can put their role in."""

    account_id: str
    role_arn: str
    """The role the deployment assumes there."""
    region: str
    create_oidc_providers: bool = True
    oidc_providers: dict[str, str] = Field(default_factory=dict)
    """Cluster key -> the IAM OIDC provider in this account its IRSA services trust (stack output
    ``accountOidcProviders``): created by the stack, or the account's existing one (``createOidcProviders: false``)."""


class Principal(_Model):
    """A Kubernetes identity the role's trust admits, at one cluster, through one mechanism."""

    mechanism: Mechanism
    cluster: str
    """Cluster key of the stack, or (when unknown) the issuer host / cluster ARN as written; ``*`` for any."""
    cluster_known: bool
    subject: str
    """``system:serviceaccount:<namespace>:<name>``, IAM wildcards when ``pattern``.

    For ``other`` principals: the statement's Principal as compact JSON.
    """
    namespace: str
    service_account: str
    pattern: bool
    audiences: Optional[list[str]] = None
    """IRSA: accepted token audiences; null when ``aud`` is not constrained (any audience)."""
    provider_arn: Optional[str] = None
    cluster_arn: Optional[str] = None
    source_accounts: list[str] = Field(default_factory=list)
    pinned_by: Literal["trust", "association"] = "trust"
    chained_through: Optional[str] = None
    """ARN of the role whose sessions the trust admits for this principal (a cross-account Pod Identity
    association role: EKS assumes it, then this role); null when the principal assumes the role itself."""
    external_id: Optional[str] = None
    """The ``sts:ExternalId`` that pins a chained principal (association with session tags off)."""
    statement: int

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.mechanism, self.cluster, self.subject)


class Weakness(_Model):
    code: str
    message: str
    statement: int
    """The statement of the document (``about``) that admits the witness; -1 when none does alone."""
    trust: Literal["role", "association-role"] = "role"
    """Which role's documents ``statement`` indexes: the service's role, or its association role."""
    about: Literal["trust", "permissions"] = "trust"
    """The role's trust policy, or its permissions (``statement`` indexes ``Permissions.statements()``)."""
    level: Literal["mandatory", "advisory", "undecided", "info"] = "mandatory"
    """How the guardrails treat it: a violation, advice, a question the solver could not settle, or a fact."""
    witness: Optional[str] = None
    """A request the document allows that shows the weakness (checked by the evaluator)."""


class PermissionStatement(_Model):
    """One inline permission statement, normalised to lists."""

    sid: Optional[str] = None
    effect: str
    actions: list[str] = Field(default_factory=list)
    not_actions: list[str] = Field(default_factory=list)
    resources: list[str] = Field(default_factory=list)
    not_resources: list[str] = Field(default_factory=list)
    condition: Optional[dict[str, Any]] = None


class CustomerManagedPolicy(_Model):
    """A managed policy the stack itself creates (e.g. an add-on's), shown with its statements."""

    name: str
    arn: str
    statements: list[PermissionStatement] = Field(default_factory=list)


class Permissions(_Model):
    managed_policies: list[str] = Field(default_factory=list)
    """Attached managed policies the stack does not create (AWS managed, or created elsewhere)."""
    inline: list[PermissionStatement] = Field(default_factory=list)
    customer_managed: list[CustomerManagedPolicy] = Field(default_factory=list)
    """Attached managed policies the stack creates, with their statements."""

    def statements(self) -> list[PermissionStatement]:
        """Every statement the role's identity policies hold that the plan can see."""
        return [*self.inline, *(s for p in self.customer_managed for s in p.statements)]


class Role(_Model):
    name: str
    arn: str
    path: str
    urn: str
    description: Optional[str] = None
    max_session_duration: int = 3600
    permissions_boundary: Optional[str] = None
    tags: dict[str, str] = Field(default_factory=dict)
    trust_policy: dict[str, Any]
    account_id: str = ""
    """The AWS account the role lives in (from its ARN)."""
    retain_on_delete: bool = False
    """Kept in AWS, unmanaged, when it leaves the stack or is replaced (Pulumi ``retainOnDelete``)."""

    @model_validator(mode="before")
    @classmethod
    def _account_from_arn(cls, data: Any) -> Any:
        """A plan written before ``accountId`` existed: the account is the one of the role's ARN."""
        if isinstance(data, dict) and not data.get("accountId") and not data.get("account_id"):
            return {**data, "accountId": role_account(str(data.get("arn") or ""))}
        return data


def role_account(arn: str) -> str:
    """The account of an IAM ARN (``arn:<partition>:iam::<account>:...``); "" when it has none."""
    parts = arn.split(":")
    return parts[4] if len(parts) >= 6 and parts[0] == "arn" else ""


class AssociationRole(Role):
    """A cross-account Pod Identity association role: in the cluster's account, EKS assumes it, then the target role."""

    permissions: Permissions = Field(default_factory=lambda: Permissions())
    """Its own permissions: the chain permission (``sts:AssumeRole`` + ``sts:TagSession`` on the target role)."""


class ServiceAccount(_Model):
    """A Kubernetes ServiceAccount the stack creates."""

    cluster: str
    namespace: str
    name: str
    role_arn: Optional[str] = None
    """The ``eks.amazonaws.com/role-arn`` annotation (null for Pod Identity only)."""
    annotations: dict[str, str] = Field(default_factory=dict)
    """Every ``eks.amazonaws.com/*`` annotation."""


class PodIdentityAssociation(_Model):
    cluster: str
    cluster_name: str
    namespace: str
    service_account: str
    role_arn: str
    target_role_arn: Optional[str] = None
    session_tags: bool = True


class Kubernetes(_Model):
    service_accounts: list[ServiceAccount] = Field(default_factory=list)
    pod_identity_associations: list[PodIdentityAssociation] = Field(default_factory=list)


class ChartValue(_Model):
    """A Helm value the add-on's chart must be given so that the controller stays within the role's scope."""

    key: str
    """The value's path in the chart's values.yaml, e.g. ``zoneIdFilters``."""
    value: Any
    reason: str


class AddonSettings(_Model):
    """What a built-in add-on service needs on the chart's side (docs/addons/<addon>.md)."""

    name: str
    chart: str
    chart_values: list[ChartValue] = Field(default_factory=list)
    """In the add-on's order; empty when its chart needs nothing set for the scope (or with AWS managed policies)."""
    problem: Optional[str] = None
    """Why the chart values could not be worked out (they are then unknown, not absent)."""


class Service(_Model):
    """One service: its role, who may assume it, what it may do, and the Kubernetes side."""

    identity: Identity
    clusters: list[str]
    namespace: str
    service_account: str
    token_audience: str
    renamed_from: list[str] = Field(default_factory=list)
    account: Optional[str] = None
    """Key of ``irsa:accounts`` the role lives in; null for the stack's own account."""
    role: Role
    association_role: Optional[AssociationRole] = None
    """Cross-account Pod Identity: the association role EKS assumes before ``role`` (the target role)."""
    principals: list[Principal] = Field(default_factory=list)
    weaknesses: list[Weakness] = Field(default_factory=list)
    permissions: Permissions
    kubernetes: Kubernetes
    addon: Optional[AddonSettings] = None
    """The built-in add-on the service runs (``addon``), with the chart values it needs; null otherwise."""


class Plan(_Model):
    format_version: int = FORMAT_VERSION
    kind: Literal["irsa-plan"] = "irsa-plan"
    project: str
    stack: str
    environment: str
    account: str
    """The stack's own account: its EKS clusters, their OIDC providers, roles of services without ``account``."""
    partition: str
    region: str
    accounts: dict[str, Account] = Field(default_factory=dict)
    clusters: dict[str, Cluster] = Field(default_factory=dict)
    services: dict[str, Service] = Field(default_factory=dict)
    placeholders: list[Placeholder] = Field(default_factory=list)


def plan_to_data(plan: Plan) -> dict[str, Any]:
    data: dict[str, Any] = plan.model_dump(mode="json", by_alias=True)
    return data


def plan_to_json(plan: Plan) -> str:
    """Stable JSON: sorted keys, two-space indent, trailing newline."""
    return json.dumps(plan_to_data(plan), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def is_plan_data(data: object) -> bool:
    return isinstance(data, dict) and data.get("kind") == KIND and "services" in data


def plan_from_data(data: object, source: str = "plan") -> Plan:
    """Validate plan JSON data; raise InputError naming every problem."""
    if not isinstance(data, dict):
        raise InputError([Problem(source, "(document)", type(data).__name__, "is not a plan (a JSON object)")])
    if data.get("kind") != KIND:
        raise InputError([Problem(source, "kind", data.get("kind"), f"is not {KIND!r}: not written by `irsa plan`")])
    version = data.get("formatVersion")
    if not isinstance(version, int) or version > FORMAT_VERSION or version < 1:
        raise InputError(
            [Problem(source, "formatVersion", version, f"is not supported (this irsa reads version {FORMAT_VERSION})")]
        )
    try:
        return Plan.model_validate(data)
    except ValidationError as exc:
        raise InputError(
            [
                Problem(source, ".".join(str(p) for p in e["loc"]) or "(document)", e.get("input"), str(e["msg"]))
                for e in exc.errors()
            ]
        ) from None


def plan_from_json(text: str, source: str = "plan") -> Plan:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError([Problem(source, "(document)", text[:40], f"is not JSON: {exc}")]) from None
    return plan_from_data(data, source)
