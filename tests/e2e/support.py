"""The real engine on this repository's Pulumi project: a copy of it pointed at a moto server.

A ``Project`` is ``Pulumi.yaml`` and the stack files of ``stacks/``, copied into a temporary folder
and changed only where the machine differs from AWS: the AWS provider reaches moto, EKS clusters and
their existing OIDC providers are created in moto first (as eksctl would have), and Kubernetes
objects are rendered as YAML (``renderYamlToDirectory``) instead of applied to a cluster. The engine
then reads the project and the stack config itself (``stackConfigDir``, the declared project config),
and runs the stack program as an Automation API inline program.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import boto3
import yaml
from pulumi import automation as auto

from irsa_components.stack.program import main as stack_program
from tests.fixtures import automation

ROOT = Path(__file__).resolve().parents[2]
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's marker for a value not known yet
MOTO_ACCOUNT = "123456789012"
IRSA = str(Path(sys.executable).parent / "irsa")


def engine_bin() -> Path:
    """Where the build step put the engine's plugins (the Kubernetes provider, the YAML host)."""
    value = os.environ.get("IRSA_ENGINE_BIN")
    if not value or not Path(value, "pulumi-resource-kubernetes").exists():
        raise RuntimeError("$IRSA_ENGINE_BIN must name .engine/bin (python3 tasks.py test builds and sets it)")
    return Path(value)


@dataclass
class Cloud:
    """boto3 on the project's moto server, in the stack's account."""

    url: str
    region: str

    def client(self, service: str) -> Any:
        return boto3.client(
            service, endpoint_url=self.url, region_name=self.region, aws_access_key_id="test", aws_secret_access_key="t"
        )

    def create_cluster(self, name: str) -> str:
        """An EKS cluster in moto; returns its OIDC issuer URL."""
        eks = self.client("eks")
        try:
            cluster = eks.describe_cluster(name=name)["cluster"]
        except eks.exceptions.ResourceNotFoundException:
            account = self.client("sts").get_caller_identity()["Account"]
            cluster = eks.create_cluster(
                name=name, roleArn=f"arn:aws:iam::{account}:role/eks-cluster", resourcesVpcConfig={}
            )["cluster"]
        return str(cluster["identity"]["oidc"]["issuer"])

    def create_oidc_provider(self, issuer_url: str) -> None:
        iam = self.client("iam")
        host = issuer_url.removeprefix("https://")
        if not any(
            p["Arn"].endswith("/" + host) for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
        ):
            iam.create_open_id_connect_provider(Url=issuer_url, ClientIDList=["sts.amazonaws.com"])

    def role(self, name: str) -> Optional[dict[str, Any]]:
        iam = self.client("iam")
        try:
            return dict(iam.get_role(RoleName=name)["Role"])
        except iam.exceptions.NoSuchEntityException:
            return None


@dataclass
class Project:
    """A copy of the repository's Pulumi project, run by the real CLI against one moto server."""

    dir: Path
    moto_url: str
    command: auto.PulumiCommand
    log: Path
    events: list[Any] = field(default_factory=list)

    @classmethod
    def copy(cls, tmp: Path, moto_url: str, command: auto.PulumiCommand, stacks: tuple[str, ...]) -> Project:
        project = tmp / "project"
        (project / "stacks").mkdir(parents=True)
        for name in ("Pulumi.yaml", "__main__.py"):  # the engine checks that the project's main exists
            shutil.copyfile(ROOT / name, project / name)
        for stack in stacks:
            shutil.copyfile(ROOT / "stacks" / f"Pulumi.{stack}.yaml", project / "stacks" / f"Pulumi.{stack}.yaml")
        return cls(project, moto_url, command, tmp / "standin.log")

    @property
    def env(self) -> dict[str, str]:
        env = automation.engine_env(self.dir.parent / "state", self.dir.parent / "home", self.log)
        env["PATH"] = os.pathsep.join([env["PATH"], str(engine_bin())])
        env["IRSA_PYTHON"] = sys.executable  # the policy-pack analyzer's interpreter
        # Explicit AWS providers (irsa:accounts) read no stack config: they find moto as the real provider
        # would, through the SDK's standard environment.
        env.update(AWS_ENDPOINT_URL=self.moto_url, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test")
        return env

    # --- the stack files -------------------------------------------------------------------------

    def stack_file(self, stack: str) -> Path:
        return self.dir / "stacks" / f"Pulumi.{stack}.yaml"

    def config(self, stack: str) -> dict[str, Any]:
        return dict(yaml.safe_load(self.stack_file(stack).read_text())["config"])

    def write_config(self, stack: str, config: dict[str, Any]) -> None:
        self.stack_file(stack).write_text(yaml.safe_dump({"config": config}, sort_keys=False))

    def manifests(self, stack: str, cluster: str) -> Path:
        return self.dir.parent / "manifests" / stack / cluster

    def point_at_moto(self, stack: str) -> Cloud:
        """Rewrite the stack file for this machine; create its clusters and adopted OIDC providers in moto."""
        config = self.config(stack)
        region = str(config.get("aws:region") or "us-east-1")
        values = {k: v.value for k, v in automation.aws_config(self.moto_url, region).items()}
        values["aws:endpoints"] = json.loads(values["aws:endpoints"])
        for key in ("aws:skipCredentialsValidation", "aws:skipRequestingAccountId", "aws:skipMetadataApiCheck"):
            values[key] = values[key] == "true"
        values["aws:s3UsePathStyle"] = True
        config.update(values)
        cloud = Cloud(self.moto_url, region)
        for key, cluster in (config.get("irsa:clusters") or {}).items():
            if cluster.get("selfHosted"):
                continue
            cluster["renderYamlToDirectory"] = str(self.manifests(stack, key))
            issuer = cloud.create_cluster(cluster["name"])
            if not cluster.get("createOidcProvider"):  # the stack adopts the account's provider
                adopted = cluster.get("oidcProviderArn", "").partition(":oidc-provider/")[2]
                cloud.create_oidc_provider(
                    cluster.get("oidcIssuerUrl") or ("https://" + adopted if adopted else issuer)
                )
        self.write_config(stack, config)
        return cloud

    # --- the engine ------------------------------------------------------------------------------

    def stack(self, name: str, program: Callable[[], None] = stack_program) -> auto.Stack:
        """The stack ``name`` of this project (created when new), running ``program`` inline."""
        return auto.create_or_select_stack(
            stack_name=name,
            project_name="irsa",
            program=program,
            opts=auto.LocalWorkspaceOptions(work_dir=str(self.dir), pulumi_command=self.command, env_vars=self.env),
        )

    def plan(self, stack: str) -> dict[str, Any]:
        """``irsa plan`` (offline, under the SDK's mocks) of the same stack file."""
        out = subprocess.run(
            [IRSA, "plan", "--project-dir", str(self.dir), "--stack", stack, "--format", "json"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert out.returncode == 0, out.stderr
        return dict(json.loads(out.stdout))


def steps(events: list[Any]) -> Iterator[tuple[str, str]]:
    """``(op, urn)`` of every resource step an operation reported."""
    for event in events:
        pre = getattr(event, "resource_pre_event", None)
        if pre is not None:
            yield pre.metadata.op.value, pre.metadata.urn


def ops(events: list[Any], op: str) -> list[str]:
    return [urn for o, urn in steps(events) if o == op]


def planned_inputs(events: list[Any]) -> dict[str, dict[str, Any]]:
    """The inputs each step of an operation planned for its resource, by URN."""
    out: dict[str, dict[str, Any]] = {}
    for event in events:
        pre = getattr(event, "resource_pre_event", None)
        if pre is not None and pre.metadata.new is not None:
            out[pre.metadata.urn] = dict(pre.metadata.new.inputs or {})
    return out


def _unknown_paths(value: Any, path: str = "") -> Iterator[str]:
    if value == UNKNOWN:
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _unknown_paths(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unknown_paths(item, f"{path}[{index}]")


def unknown_inputs(events: list[Any]) -> dict[str, list[str]]:
    """The input paths (``.metadata.annotations...``) the engine did not know yet, by URN."""
    found = {urn: list(_unknown_paths(inputs)) for urn, inputs in planned_inputs(events).items()}
    return {urn: paths for urn, paths in found.items() if paths}
