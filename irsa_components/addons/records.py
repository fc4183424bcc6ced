"""Upstream records: ``irsa_components/addons/upstream/<addon>.json``, one per add-on.

Each file is the one place that holds an add-on's upstream version. It records facts, with their
source: the controller's release, its published IAM policy documents (verbatim), the chart's defaults,
and every difference between the built-in documents and the upstream ones, with the reason and the
evidence. A definition reads its :class:`Source` from here (:func:`source`); ``irsa addons versions``
prints :func:`versions`; ``tests/addons/test_upstream.py`` compares the documents.

:func:`source` reads only what a definition needs, with the standard library, so importing the
catalogue stays cheap; :func:`record` validates the whole file (pydantic) on first use.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.alias_generators import to_camel

from ..core.errors import InputError, Problem
from .model import Source

DIRECTORY = Path(__file__).resolve().parent / "upstream"
"""Where the records live (shipped with the package)."""

DifferenceKind = Literal["omitted", "narrowed", "added"]


class _Strict(BaseModel):
    """camelCase keys in JSON; a key nobody declared is an error."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)


class ChartRecord(_Strict):
    """The chart (or EKS add-on) the add-on's default namespace and service account come from."""

    name: str
    """Repository/name of the chart, or the EKS add-on's name."""
    version: Optional[str] = None
    """Chart version whose defaults were read."""
    namespace: Optional[str]
    """The namespace the install instructions use (null when it is the workload's own)."""
    service_account: Optional[str]
    """The service account the chart creates with default values (null when it is the workload's own)."""
    service_account_from_release: Optional[str] = None
    """How the release name changes the service account (null when the name is fixed)."""


class PolicyRecord(_Strict):
    """One upstream policy document and the scope with which the built-in one is built to compare."""

    name: str
    built_with: dict[str, Any] = Field(default_factory=dict)
    """Scope inputs (snake_case, as ``resolve()`` takes them); built in ``aws``, ``eu-west-1``, ``111122223333``."""
    variables: dict[str, str] = Field(default_factory=dict)
    """Values for the template variables of ``document`` (``${ClusterName}`` -> ``prod-1``) besides the
    ``${AWS::Partition}``, ``${AWS::Region}``, ``${AWS::AccountId}`` and ``${AWS::URLSuffix}`` the test fills."""
    source: Optional[str] = None
    """Where this document is published when it is not the record's ``source``."""
    document: dict[str, Any]
    """The upstream document, verbatim (template variables left as published)."""

    @field_validator("document")
    @classmethod
    def _is_a_policy(cls, value: dict[str, Any]) -> dict[str, Any]:
        statements = value.get("Statement")
        if not isinstance(statements, list) or not statements:
            raise ValueError("must be a policy document with a non-empty Statement list")
        if not all(isinstance(s, dict) for s in statements):
            raise ValueError("every statement must be an object")
        return value


class DifferenceRecord(_Strict):
    """One explained difference between a built document and the upstream one."""

    policy: str
    action: str
    """``service:Action``; a wildcard (``ec2:Describe*``) explains every action it matches."""
    resource_types: Optional[list[str]] = None
    """Only these resource types of the action differ (null: the action itself, or its conditions)."""
    kind: DifferenceKind
    reason: str
    evidence: str

    @field_validator("action")
    @classmethod
    def _action(cls, value: str) -> str:
        service, sep, name = value.partition(":")
        if not sep or not service or not name:
            raise ValueError("must be service:Action")
        return value

    @field_validator("resource_types")
    @classmethod
    def _types(cls, value: Optional[list[str]]) -> Optional[list[str]]:
        if value is not None and (not value or len(set(value)) != len(value)):
            raise ValueError("must list at least one resource type, each once (or be omitted)")
        return value

    @field_validator("reason", "evidence")
    @classmethod
    def _said(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must say something")
        return value


class UpstreamRecord(_Strict):
    """Everything recorded about one add-on's upstream policy."""

    addon: str
    controller: str
    """The upstream project (owner/name) or AWS's published policy it follows."""
    version: str
    """The controller release (or managed policy version) the record was checked against."""
    source: str
    """URL of the published policy at that version."""
    recorded: date
    verified: Optional[str] = None
    """How the version was verified when that is not obvious (e.g. the newest release a snapshot held)."""
    chart: ChartRecord
    policies: list[PolicyRecord]
    differences: list[DifferenceRecord] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    @field_validator("source")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith("https://") or any(c.isspace() for c in value):
            raise ValueError("must be an https:// URL without spaces")
        return value

    @field_validator("version", "controller")
    @classmethod
    def _non_empty(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> UpstreamRecord:
        names = [p.name for p in self.policies]
        if len(set(names)) != len(names):
            raise ValueError("two policies share a name")
        unknown = sorted({d.policy for d in self.differences} - set(names))
        if unknown:
            raise ValueError(f"differences name unknown policies {unknown} (policies: {names})")
        return self

    def policy(self, name: str) -> PolicyRecord:
        for item in self.policies:
            if item.name == name:
                return item
        raise KeyError(name)

    def differences_of(self, policy: str) -> list[DifferenceRecord]:
        return [d for d in self.differences if d.policy == policy]


def path_of(addon: str) -> Path:
    return DIRECTORY / f"{addon}.json"


def recorded_addons() -> tuple[str, ...]:
    """The add-ons that have a record, sorted."""
    return tuple(sorted(p.stem for p in DIRECTORY.glob("*.json")))


def _problem(addon: str, field: str, value: object, message: str) -> InputError:
    return InputError([Problem(f"upstream record {path_of(addon).name}", field, value, message)])


@functools.cache
def _raw(addon: str) -> Mapping[str, Any]:
    path = path_of(addon)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _problem(addon, "(file)", str(path), "does not exist: every add-on records its upstream here") from None
    except json.JSONDecodeError as exc:
        raise _problem(addon, "(file)", str(path), f"is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise _problem(addon, "(document)", type(data).__name__, "must be a JSON object")
    return data


def source(addon: str) -> Source:
    """The definition's source (URL and version), read from the add-on's record: the one place for both."""
    data = _raw(addon)
    problems = []
    if data.get("addon") != addon:
        problems.append(Problem(f"upstream record {addon}.json", "addon", data.get("addon"), f"must be {addon!r}"))
    for key in ("source", "version"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            problems.append(Problem(f"upstream record {addon}.json", key, data.get(key), "must be a non-empty string"))
    if problems:
        raise InputError(problems)
    return Source(data["source"], data["version"])


@functools.cache
def record(addon: str) -> UpstreamRecord:
    """The add-on's whole record, validated; InputError naming the file, every field and value otherwise."""
    data = _raw(addon)
    try:
        parsed = UpstreamRecord.model_validate(data)
    except ValidationError as exc:
        raise InputError(
            [
                Problem(
                    f"upstream record {addon}.json",
                    ".".join(str(p) for p in e["loc"]) or "(document)",
                    e.get("input"),
                    str(e["msg"]),
                )
                for e in exc.errors()
            ]
        ) from None
    if parsed.addon != addon:
        raise _problem(addon, "addon", parsed.addon, f"must be {addon!r} (the file's name)")
    return parsed


@dataclass(frozen=True)
class VersionRow:
    """One line of ``irsa addons versions``: what a release check compares with the controller's releases."""

    addon: str
    controller: Optional[str]
    version: str
    source: str
    recorded: Optional[date]
    chart: Optional[str]
    chart_version: Optional[str]

    @property
    def has_record(self) -> bool:
        return self.recorded is not None


def versions() -> list[VersionRow]:
    """Every add-on of the catalogue with its recorded upstream version (or its definition's, marked unrecorded)."""
    from .catalogue import CATALOGUE  # the catalogue imports this module

    have = set(recorded_addons())
    rows = []
    for name, addon in CATALOGUE.items():
        if name in have:
            found = record(name)
            rows.append(
                VersionRow(
                    name,
                    found.controller,
                    found.version,
                    found.source,
                    found.recorded,
                    found.chart.name,
                    found.chart.version,
                )
            )
        else:
            rows.append(VersionRow(name, None, addon.source.version, addon.source.url, None, None, None))
    return rows
