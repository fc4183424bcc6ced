"""The plan: who can assume which role, with what permissions, as stable plain data.

``irsa plan --format json`` writes a :class:`Plan`; ``irsa diff`` and ``irsa explain`` read it back.
Every field is documented in ``docs/plan-format.md``. Keys are camelCase in JSON, written sorted.
"""

from __future__ import annotations

import json
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from ..core.errors import InputError, Problem

FORMAT_VERSION = 1
KIND = "irsa-plan"

Identity = Literal["irsa", "pod-identity", "both"]
Mechanism = Literal["irsa", "pod-identity", "other"]
ANY = "*"
"""Stands for "not pinned" in principals (any cluster, namespace, service account)."""


class _Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True)


class Placeholder(_Model):
    """A value only the cloud knows, shown as a placeholder (e.g. ``<account-id>``)."""

    value: str
    meaning: str


class Cluster(_Model):
    """One cluster of the environment (``irsa:clusters.<key>``)."""

    name: str
    arn: str
    issuer_url: Optional[str] = None
    issuer_host: Optional[str] = None
    oidc_provider_arn: Optional[str] = None
    oidc_provider: Optional[Literal["created", "adopted", "account"]] = None


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
    statement: int

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.mechanism, self.cluster, self.subject)


class Weakness(_Model):
    code: str
    message: str
    statement: int


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


class Service(_Model):
    """One service: its role, who may assume it, what it may do, and the Kubernetes side."""

    identity: Identity
    clusters: list[str]
    namespace: str
    service_account: str
    token_audience: str
    renamed_from: list[str] = Field(default_factory=list)
    role: Role
    principals: list[Principal] = Field(default_factory=list)
    weaknesses: list[Weakness] = Field(default_factory=list)
    permissions: Permissions
    kubernetes: Kubernetes


class Plan(_Model):
    format_version: int = FORMAT_VERSION
    kind: Literal["irsa-plan"] = "irsa-plan"
    project: str
    stack: str
    environment: str
    account: str
    partition: str
    region: str
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
