"""A user's own program (examples/existing-cluster), previewed with the policy pack and deployed by the engine.

Real: the Pulumi CLI and engine, the example's Pulumi.yaml and its declared config, the example
program importing the components, the irsa-guardrails policy pack, pulumi-kubernetes (the default
provider, rendering YAML instead of reaching a cluster). Stand-in: pulumi-aws over moto.

Not run here: examples/new-cluster needs the pulumi-eks plugin, and self-hosted-and-cross-account
installs the pod identity webhook's Helm chart from its repository; neither can be fetched on this
machine. Both run under the SDK's mocks (tests/examples) and the offline guardrails (tests/guardrails).
"""

from __future__ import annotations

import runpy
import shutil
from pathlib import Path
from typing import Any

import yaml
from pulumi import automation as auto

from tests.fixtures import automation
from tests.fixtures.moto_server import MotoServer

from .support import ROOT, Cloud, Project, ops

EXAMPLE = ROOT / "examples" / "existing-cluster"
ANALYZER = str(ROOT / "tests" / "fixtures" / "bin" / "irsa-guardrails-analyzer")


def _program() -> None:
    runpy.run_path(str(EXAMPLE / "__main__.py"), run_name="__main__")


def test_the_existing_cluster_example_deploys_and_passes_the_policy_pack(
    command: auto.PulumiCommand, tmp_path: Path
) -> None:
    with MotoServer(log=tmp_path / "moto.log") as moto:
        project = Project(tmp_path / "project", moto.url, command, tmp_path / "standin.log")
        project.dir.mkdir()
        for name in ("Pulumi.yaml", "__main__.py"):
            shutil.copyfile(EXAMPLE / name, project.dir / name)
        cloud = Cloud(moto.url, "eu-west-1")
        issuer = cloud.create_cluster("shop")
        manifests = tmp_path / "manifests"
        stack = project.stack("dev", _program)
        stack.set_all_config(
            {
                **automation.aws_config(moto.url, "eu-west-1"),
                "clusterName": auto.ConfigValue("shop"),
                # the default Kubernetes provider (the example's ambient kubeconfig) renders YAML here
                "kubernetes:renderYamlToDirectory": auto.ConfigValue(str(manifests)),
            }
        )
        first: list[Any] = []
        preview = stack.preview(on_event=first.append, policy_packs=[ANALYZER])
        assert set(preview.change_summary) == {"create"}
        assert "irsa-guardrails@" in preview.stdout
        up = stack.up(on_output=lambda _: None)
        outputs = {k: v.value for k, v in up.outputs.items()}
        iam = cloud.client("iam")
        providers = [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
        assert outputs["oidcProviderArn"] in providers
        assert outputs["oidcProviderArn"].endswith(issuer.removeprefix("https://"))
        reports = iam.get_role(RoleName=outputs["reportsRoleArn"].rsplit("/", 1)[-1])["Role"]
        subjects = str(reports["AssumeRolePolicyDocument"])
        assert "system:serviceaccount:analytics:report-generator" in subjects
        assert "system:serviceaccount:analytics:report-mailer" in subjects
        rendered = {
            (d["metadata"]["namespace"], d["metadata"]["name"]): d["metadata"].get("annotations", {})
            for path in manifests.rglob("*.yaml")
            for d in yaml.safe_load_all(path.read_text())
            if d and d.get("kind") == "ServiceAccount"
        }
        assert rendered[("analytics", "report-generator")]["eks.amazonaws.com/role-arn"] == reports["Arn"]
        assert "eks.amazonaws.com/role-arn" not in rendered[("payments", "ledger-exporter")]
        associations = cloud.client("eks").list_pod_identity_associations(clusterName="shop")["associations"]
        assert [(a["namespace"], a["serviceAccount"]) for a in associations] == [("payments", "ledger-exporter")]
        again: list[Any] = []
        assert set(stack.preview(on_event=again.append).change_summary) == {"same"}, ops(again, "update")
