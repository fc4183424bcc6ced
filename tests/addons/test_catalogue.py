"""The catalogue's definitions: coverage, recorded chart defaults, sources, managed policies, the docs table."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from moto.iam.aws_managed_policies import aws_managed_policies_data

from irsa_components.addons import CATALOGUE, Addon, ScopeInput, catalogue_table, kinds
from irsa_components.addons.docs import END, addon_page, catalogue_links, write_pages

from .groups import pending_and_missing

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "addons.md"
PAGES = ROOT / "docs" / "addons"
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


def test_the_docs_table_and_links_are_generated_from_the_catalogue() -> None:
    text = DOCS.read_text()
    assert catalogue_table() in text, "regenerate the table in docs/addons.md with catalogue_table()"
    assert catalogue_links() in text, "regenerate the list of pages in docs/addons.md with catalogue_links()"


def _page(addon: Addon) -> str | None:
    path = PAGES / f"{addon.name}.md"
    return path.read_text() if path.exists() else None


def test_every_addon_has_a_page() -> None:
    present = tuple(a.name for a in ADDONS if _page(a) is not None)
    assert {p.stem for p in PAGES.glob("*.md")} <= set(CATALOGUE), "pages of unknown add-ons"
    pending, missing = pending_and_missing(present)
    assert not missing, f"add-ons without a page docs/addons/<addon>.md: {missing}"
    if pending:
        pytest.xfail(f"{len(pending)} add-on page(s) not landed yet (groups B and C): {', '.join(pending)}")


@pytest.mark.parametrize("addon", [a for a in ADDONS if _page(a) is not None], ids=lambda a: a.name)
def test_the_page_is_generated_from_the_catalogue_and_the_record(addon: Addon) -> None:
    page = _page(addon)
    assert page is not None and page.startswith(addon_page(addon)), (
        f"regenerate docs/addons/{addon.name}.md: python -m irsa_components.addons.write_docs {addon.name}"
    )
    assert addon.source.url in page and addon.source.version in page
    for line in addon.tighter:
        assert line in page
    for value in addon.chart_values:
        assert f"`{value.key}`" in page


def test_regenerating_a_page_keeps_hand_written_text(tmp_path: Path) -> None:
    addon = CATALOGUE["aws-load-balancer-controller"]
    (tmp_path / f"{addon.name}.md").write_text("stale generated part\n" + END + "\n\nHand-written.\n")
    assert write_pages(tmp_path, [addon.name]) == [tmp_path / f"{addon.name}.md"]
    text = (tmp_path / f"{addon.name}.md").read_text()
    assert text == addon_page(addon) + "\nHand-written.\n"
    assert write_pages(tmp_path, [addon.name]) == []  # nothing to change


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
