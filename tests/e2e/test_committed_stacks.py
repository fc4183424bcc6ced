"""Every committed stack, from an empty state, under the real engine: preview, up, outputs, no drift, plan.

Real: the Pulumi CLI and engine (built from Go modules), the project's Pulumi.yaml and stack files
as the engine reads them, the stack program, the irsa-guardrails policy pack loaded by the engine,
the pulumi-kubernetes provider (rendering YAML). Stand-in: pulumi-aws (tests/fixtures/aws_provider)
over moto. One moto server per stack, in the stack's own account (aws:allowedAccountIds).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from pulumi import automation as auto

from irsa_components.plan.access import permission_statements
from tests.fixtures.moto_server import MotoServer

from .support import MOTO_ACCOUNT, ROOT, Cloud, Project, ops, planned_inputs, unknown_inputs

# One xdist group per stack: its tests share one deployment (python3 tasks.py test runs --dist loadgroup).
STACKS = [
    pytest.param(name, marks=pytest.mark.xdist_group(f"stack-{name}")) for name in ("dev", "staging", "prod", "local")
]
ANALYZER = ROOT / "tests" / "fixtures" / "bin" / "irsa-guardrails-analyzer"


@dataclass
class Deployed:
    project: Project
    cloud: Cloud
    stack: auto.Stack
    name: str
    first_preview: list[Any]
    first_output: str
    first_summary: dict[str, int]
    outputs: dict[str, Any]
    account: str


def _account(config: dict[str, Any]) -> str:
    allowed = config.get("aws:allowedAccountIds")
    return str(allowed[0]) if allowed else MOTO_ACCOUNT


@pytest.fixture(scope="module", params=STACKS)
def deployed(
    request: pytest.FixtureRequest, command: auto.PulumiCommand, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployed]:
    name: str = request.param
    tmp = tmp_path_factory.mktemp(name)
    account = _account(yaml.safe_load((ROOT / "stacks" / f"Pulumi.{name}.yaml").read_text())["config"])
    with MotoServer(log=tmp / "moto.log", account_id=account) as moto:
        project = Project.copy(tmp, moto.url, command, (name,))
        cloud = project.point_at_moto(name)
        stack = project.stack(name)
        events: list[Any] = []
        preview = stack.preview(on_event=events.append, policy_packs=[str(ANALYZER)])
        up = stack.up(on_output=lambda _: None)
        outputs = {k: v.value for k, v in up.outputs.items()}
        yield Deployed(
            project, cloud, stack, name, events, preview.stdout, dict(preview.change_summary), outputs, account
        )


def test_the_first_preview_creates_everything_with_values_still_unknown(deployed: Deployed) -> None:
    assert set(deployed.first_summary) == {"create"}, deployed.first_summary
    unknown = unknown_inputs(deployed.first_preview)
    assert unknown, "the first preview of a new stack knew every value"
    # Whatever needs a role's ARN, or a created OIDC provider's, waits for AWS: the engine says "unknown".
    for urn, inputs in planned_inputs(deployed.first_preview).items():
        if "kubernetes:core/v1:ServiceAccount" in urn and "eks.amazonaws.com/role-arn" in str(inputs):
            assert ".metadata.annotations.eks.amazonaws.com/role-arn" in unknown[urn], urn
        if "aws:eks/podIdentityAssociation" in urn:
            assert ".roleArn" in unknown[urn], urn


def test_the_policy_pack_loaded_and_passed(deployed: Deployed) -> None:
    # The engine ran the first preview with the pack (a mandatory violation fails a preview), and says so.
    assert "irsa-guardrails@" in deployed.first_output, deployed.first_output[-2000:]
    violations = [e.policy_event for e in deployed.first_preview if getattr(e, "policy_event", None) is not None]
    assert not [v for v in violations if v.enforcement_level == "mandatory"], violations


def test_stack_outputs_are_as_documented(deployed: Deployed) -> None:
    config = deployed.project.config(deployed.name)
    roles = deployed.outputs["roles"]
    assert set(roles) == set(config["irsa:services"])
    for key, role in roles.items():
        found = deployed.cloud.role(role["name"])
        assert found is not None, f"{key}: role {role['name']} not in AWS"
        assert role["arn"] == found["Arn"]
    clusters = config["irsa:clusters"]
    providers = deployed.outputs.get("oidcProviders", {})
    assert set(providers) <= set(clusters)
    listed = {
        p["Arn"] for p in deployed.cloud.client("iam").list_open_id_connect_providers()["OpenIDConnectProviderList"]
    }
    assert set(providers.values()) <= listed


def test_a_second_preview_changes_nothing(deployed: Deployed) -> None:
    events: list[Any] = []
    summary = dict(deployed.stack.preview(on_event=events.append).change_summary)
    assert set(summary) == {"same"}, (summary, ops(events, "update"), ops(events, "replace"))


def _fill(text: str, account: str, issuers: dict[str, str]) -> str:
    text = text.replace("<account-id>", account)
    for key, ident in issuers.items():
        text = text.replace(f"<issuer-id:{key}>", ident)
    return text


def _statements(document: Any) -> list[dict[str, Any]]:
    doc = json.loads(document) if isinstance(document, str) else document
    return [s.model_dump(by_alias=True) for s in permission_statements(doc)]


def test_the_offline_plan_agrees_with_what_the_engine_created(deployed: Deployed) -> None:
    """irsa plan (mocks) against moto and the rendered manifests: roles, trust, permissions, SAs, associations."""
    iam, eks = deployed.cloud.client("iam"), deployed.cloud.client("eks")
    config = deployed.project.config(deployed.name)
    issuers = {  # the plan's <issuer-id:CLUSTER> placeholders, as moto's clusters answer them
        c["name"]: eks.describe_cluster(name=c["name"])["cluster"]["identity"]["oidc"]["issuer"].rsplit("/", 1)[-1]
        for c in config["irsa:clusters"].values()
        if c.get("name")
    }
    plan = json.loads(_fill(json.dumps(deployed.project.plan(deployed.name)), deployed.account, issuers))
    for key, service in plan["services"].items():
        role = service["role"]
        found = iam.get_role(RoleName=role["name"])["Role"]
        assert found["Arn"] == role["arn"], key
        assert found["Path"] == role["path"], key
        assert found["MaxSessionDuration"] == role["maxSessionDuration"], key
        assert (found.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn") == role["permissionsBoundary"], (
            key
        )
        assert found["AssumeRolePolicyDocument"] == role["trustPolicy"], key
        assert {t["Key"]: t["Value"] for t in found.get("Tags", [])} == role["tags"], key
        inline = []
        for name in sorted(iam.list_role_policies(RoleName=role["name"])["PolicyNames"]):
            inline += _statements(iam.get_role_policy(RoleName=role["name"], PolicyName=name)["PolicyDocument"])
        assert inline == service["permissions"]["inline"], key
        attached = {p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=role["name"])["AttachedPolicies"]}
        created = {p["arn"]: p for p in service["permissions"]["customerManaged"]}
        assert attached == set(service["permissions"]["managedPolicies"]) | set(created), key
        for arn, policy in created.items():
            version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
            document = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
            assert _statements(document) == policy["statements"], (key, arn)
        for sa in service["kubernetes"]["serviceAccounts"]:
            manifest = _manifest(deployed.project.manifests(deployed.name, sa["cluster"]), sa["namespace"], sa["name"])
            assert (manifest["metadata"].get("annotations") or {}) == sa["annotations"], (key, sa)
        for association in service["kubernetes"]["podIdentityAssociations"]:
            cluster = association["clusterName"]
            listed = eks.list_pod_identity_associations(
                clusterName=cluster, namespace=association["namespace"], serviceAccount=association["serviceAccount"]
            )["associations"]
            assert len(listed) == 1, (key, association)
            found_assoc = eks.describe_pod_identity_association(
                clusterName=cluster, associationId=listed[0]["associationId"]
            )["association"]
            assert found_assoc["roleArn"] == association["roleArn"], key
            assert found_assoc.get("targetRoleArn") == association["targetRoleArn"], key
            assert bool(found_assoc.get("disableSessionTags")) == (not association["sessionTags"]), key


def _manifest(folder: Path, namespace: str, name: str) -> dict[str, Any]:
    for path in folder.rglob("*.yaml"):
        for doc in yaml.safe_load_all(path.read_text()):
            meta = (doc or {}).get("metadata", {})
            if (
                doc
                and doc.get("kind") == "ServiceAccount"
                and (meta.get("namespace"), meta.get("name")) == (namespace, name)
            ):
                return dict(doc)
    raise AssertionError(f"no ServiceAccount {namespace}/{name} rendered in {folder}")
