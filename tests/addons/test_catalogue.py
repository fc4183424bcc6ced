"""The catalogue's definitions: coverage, recorded chart defaults, sources, managed policies, the docs table."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from moto.iam.aws_managed_policies import aws_managed_policies_data

from irsa_components.addons import CATALOGUE, Addon, ScopeInput, catalogue_table, kinds
from irsa_components.addons.docs import catalogue_sections

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "addons.md"
PACKAGE = ROOT / "irsa_components" / "addons"

# Recorded from each chart's values.yaml / helpers (or the EKS add-on, or the install guide where the chart
# leaves the name to the release): namespace, service account.
EXPECTED_DEFAULTS: dict[str, tuple[str | None, str | None]] = {
    "aws-load-balancer-controller": ("kube-system", "aws-load-balancer-controller"),
    "aws-load-balancer-controller-tgb": ("kube-system", "aws-load-balancer-controller"),
    "external-dns": ("external-dns", "external-dns"),
    "cert-manager": ("cert-manager", "cert-manager"),
    "aws-privateca-issuer": ("aws-privateca-issuer", "aws-privateca-issuer"),
    "cluster-autoscaler": ("kube-system", "cluster-autoscaler"),
    "karpenter": ("kube-system", "karpenter"),
    "aws-node-termination-handler": ("kube-system", "aws-node-termination-handler"),
    "keda": ("keda", "keda-operator"),
    "ebs-csi": ("kube-system", "ebs-csi-controller-sa"),
    "efs-csi": ("kube-system", "efs-csi-controller-sa"),
    "fsx-lustre-csi": ("kube-system", "fsx-csi-controller-sa"),
    "fsx-openzfs-csi": ("kube-system", "fsx-openzfs-csi-controller-sa"),
    "mountpoint-s3-csi": ("kube-system", "s3-csi-driver-sa"),
    "velero": ("velero", "velero-server"),
    "external-secrets": ("external-secrets", "external-secrets"),
    "secrets-store-csi-provider-aws": (None, None),
    "vpc-cni": ("kube-system", "aws-node"),
    "aws-gateway-controller": ("aws-application-networking-system", "gateway-api-controller"),
    "amazon-managed-prometheus": ("prometheus", "amp-iamproxy-ingest-service-account"),
    "cloudwatch-observability": ("amazon-cloudwatch", "cloudwatch-agent"),
    "adot-collector": ("opentelemetry-operator-system", "adot-col-prom-metrics"),
    "aws-for-fluent-bit": ("kube-system", "aws-for-fluent-bit"),
    "loki": ("loki", "loki"),
}

REQUIRED_BY_THE_BRIEF = {
    "aws-load-balancer-controller",
    "aws-load-balancer-controller-tgb",
    "external-dns",
    "cert-manager",
    "cluster-autoscaler",
    "karpenter",
    "ebs-csi",
    "efs-csi",
    "fsx-lustre-csi",
    "fsx-openzfs-csi",
    "mountpoint-s3-csi",
    "external-secrets",
    "velero",
    "vpc-cni",
    "aws-node-termination-handler",
    "amazon-managed-prometheus",
    "cloudwatch-observability",
    "aws-gateway-controller",
    "aws-privateca-issuer",
    "secrets-store-csi-provider-aws",
    "adot-collector",
}

ADDONS = list(CATALOGUE.values())


def test_the_catalogue_covers_at_least_twenty_addons_including_the_required_ones() -> None:
    assert len(CATALOGUE) >= 20
    assert REQUIRED_BY_THE_BRIEF <= set(CATALOGUE)
    assert set(CATALOGUE) == set(EXPECTED_DEFAULTS)


@pytest.mark.parametrize("addon", ADDONS, ids=lambda a: a.name)
def test_defaults_match_the_recorded_chart_values(addon: Addon) -> None:
    assert (addon.namespace, addon.service_account) == EXPECTED_DEFAULTS[addon.name]


@pytest.mark.parametrize("addon", ADDONS, ids=lambda a: a.name)
def test_definitions_are_complete(addon: Addon) -> None:
    assert addon.source.url.startswith("https://") and not any(c.isspace() for c in addon.source.url)
    assert addon.source.version.strip()
    assert addon.description.strip() and addon.chart.strip()
    assert addon.build is not None or addon.default_policy == "managed"
    if addon.build is not None:
        assert addon.tighter, "say how the built-in policy compares with upstream"
    for item in addon.inputs:
        assert isinstance(item, ScopeInput) and isinstance(item.kind, kinds.ScopeKind)
        assert item.description.strip()
        if item.kind.flag:
            assert item.default is None or isinstance(item.default, bool)
        else:
            assert item.default is None or isinstance(item.default, tuple)


@pytest.mark.parametrize("addon", [a for a in ADDONS if a.managed_policies], ids=lambda a: a.name)
def test_managed_policies_exist_under_their_path(addon: Addon) -> None:
    published = json.loads(aws_managed_policies_data)
    for name in addon.managed_policies:
        path, _, policy = name.rpartition("/")
        assert policy in published, f"{policy} is not an AWS managed policy"
        assert published[policy]["Path"] == f"/{path}/" if path else "/"


def test_definitions_are_frozen() -> None:
    addon = CATALOGUE["external-dns"]
    with pytest.raises(AttributeError):
        addon.namespace = "elsewhere"  # type: ignore[misc]
    with pytest.raises(TypeError):
        CATALOGUE["mine"] = addon  # type: ignore[index]


def test_the_docs_table_is_generated_from_the_catalogue() -> None:
    text = DOCS.read_text()
    assert catalogue_table() in text, "regenerate the table in docs/addons.md with catalogue_table()"
    assert catalogue_sections() in text, "regenerate the sections in docs/addons.md with catalogue_sections()"


@pytest.mark.parametrize("addon", ADDONS, ids=lambda a: a.name)
def test_the_docs_record_source_and_version(addon: Addon) -> None:
    text = DOCS.read_text()
    section = text.split(f"### `{addon.name}`", 1)
    assert len(section) == 2, f"docs/addons.md has no section for {addon.name}"
    body = section[1].split("\n### ", 1)[0]
    assert addon.source.url in body and addon.source.version in body
    for line in addon.tighter:
        assert line in body


def test_the_functional_core_does_not_import_pulumi() -> None:
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n.split(".")[0] in ("pulumi", "pulumi_aws", "pulumi_kubernetes") for n in names), path


def test_wildcard_comments_accompany_unscoped_statements() -> None:
    """Every statement on Resource '*' in the source is preceded by a comment saying why (no silent '*')."""
    checked = 0
    for path in sorted(PACKAGE.glob("*.py")):
        lines = path.read_text().splitlines()
        opened = -1
        for i, line in enumerate(lines):
            if "allow(" in line and "def allow" not in line:
                opened = i
            if re.search(r"(^|[\s(,])ANY[,)]", line) and opened >= 0:
                before = [lines[j].strip() for j in range(max(0, opened - 2), opened + 1)]
                assert any(b.startswith("#") or "  # " in b for b in before), f"{path.name}:{i + 1} has no reason"
                checked += 1
    assert checked >= 20
