"""retainOnDelete: environment-wide and per service, on exactly the IAM resources; Pulumi.yaml's defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from irsa_components.core.errors import InputError
from irsa_components.offline import Registration, Simulation, run_program
from irsa_components.stack.config import StackConfig, parse_stack_config
from irsa_components.stack.program import main
from tests.conftest import stack_config

from .multi_account import config, run

ROOT = Path(__file__).resolve().parent.parent.parent
IAM = {
    "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/policy:Policy",
}
ZONE = "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"
SERVICES: dict[str, Any] = {
    "reports": {
        "namespace": "analytics",
        "clusters": ["blue", "green"],
        "managedPolicyArns": ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
        "policyStatements": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::r/*"}],
    },
    "orders": {"namespace": "orders", "identity": "pod-identity", "clusters": ["blue"]},
    "migrating": {"namespace": "billing", "identity": "both", "clusters": ["blue"]},
    "dns": {"addon": "external-dns", "addonScope": {"hostedZoneArns": [ZONE]}, "clusters": ["blue"]},
    "shared-reports": {"namespace": "analytics", "account": "shared", "clusters": ["blue"]},
    "exporter": {"namespace": "payments", "identity": "pod-identity", "account": "data", "clusters": ["blue"]},
    "backup": {"namespace": "velero", "clusters": ["lab"]},
}


def iam_of(sim: Simulation) -> list[Registration]:
    return [r for r in sim.resources if r.type in IAM]


def retained(sim: Simulation) -> list[Registration]:
    return [r for r in sim.resources if r.retain_on_delete]


@pytest.fixture(scope="module")
def everything_retained() -> Simulation:
    return run(config(SERVICES, retainOnDelete=True))


def test_by_default_nothing_is_retained() -> None:
    sim = run(config(SERVICES))
    assert retained(sim) == []


def test_environment_wide_every_iam_resource_of_every_service_is_retained(everything_retained: Simulation) -> None:
    iam = iam_of(everything_retained)
    assert {r.type for r in iam} == IAM  # roles, inline policies, attachments, add-on policies
    assert all(r.retain_on_delete for r in iam), [r.name for r in iam if not r.retain_on_delete]
    names = {r.name for r in iam}
    # The cross-account roles too: the target role in the other account, the association role and its chain.
    assert {"exporter-target", "exporter-pod-identity", "exporter-pod-identity-chain", "shared-reports"} <= names


def test_what_is_not_retained(everything_retained: Simulation) -> None:
    kept = {r.type for r in retained(everything_retained)}
    assert kept == IAM
    others = {r.type for r in everything_retained.resources if not r.retain_on_delete and r.custom}
    # Deleted on removal: the bindings (ServiceAccounts, associations); protected instead: OIDC providers, issuer.
    assert "kubernetes:core/v1:ServiceAccount" in others
    assert "aws:eks/podIdentityAssociation:PodIdentityAssociation" in others
    for r in everything_retained.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider"):
        assert r.protect and not r.retain_on_delete
    assert everything_retained.named("aws:s3/bucket:Bucket", "lab-bucket").protect


def test_a_service_overrides_the_environment() -> None:
    services = {
        "keep": {"namespace": "a", "clusters": ["blue"], "retainOnDelete": True},
        "drop": {"namespace": "b", "clusters": ["blue"], "retainOnDelete": False},
        "default": {"namespace": "c", "clusters": ["blue"]},
    }
    for environment, expected in ((False, {"keep"}), (True, {"keep", "default"})):
        sim = run(config(services, lab=False, retainOnDelete=environment))
        assert {r.name for r in retained(sim)} == expected


def test_the_committed_stacks_retain_nothing() -> None:
    for stack in ("dev", "staging", "prod", "local"):
        flat, secrets = stack_config(stack)
        sim = run_program(main, config=flat, stack=stack, secret_keys=secrets)
        assert retained(sim) == [], stack


def test_retain_on_delete_must_be_a_boolean() -> None:
    with pytest.raises(InputError) as info:
        parse_stack_config(config({"a": {"namespace": "a", "retainOnDelete": "sometimes"}}, retainOnDelete="often"))
    fields = {(p.subject, p.field) for p in info.value.problems}
    assert ("service 'a'", "retainOnDelete") in fields
    assert ("stack config", "retainOnDelete") in fields


# Pulumi.yaml declares the environment-wide settings with the model's defaults ------------------------------


def _declared() -> dict[str, Any]:
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    return {k.removeprefix("irsa:"): v for k, v in project["config"].items() if k.startswith("irsa:")}


def test_pulumi_yaml_declares_retain_on_delete_as_a_boolean_defaulting_to_false() -> None:
    declared = _declared()["retainOnDelete"]
    assert declared["type"] == "boolean" and declared["default"] is False
    assert StackConfig.model_fields["retain_on_delete"].default is False


def test_pulumi_yaml_defaults_are_the_models() -> None:
    """Every default Pulumi.yaml gives parses to what the model assumes when the key is absent."""
    defaults = {k: v["default"] for k, v in _declared().items() if isinstance(v, dict) and "default" in v}
    assert "retainOnDelete" in defaults
    by_alias = {f.alias or n: f for n, f in StackConfig.model_fields.items()}
    for key, value in defaults.items():
        field = by_alias[key]
        model_default = field.get_default(call_default_factory=True)
        # An empty string is how Pulumi.yaml says "none" for an optional string.
        assert (value if value != "" else None) == model_default, key
    bare = parse_stack_config({"environment": "dev"})
    # Pulumi hands typed config to the program as strings: parse them as it would see them.
    as_strings = {k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in defaults.items()}
    assert parse_stack_config({"environment": "dev", **as_strings}).model_dump() == {
        **bare.model_dump(),
        "permissions_boundary": "",
    }
