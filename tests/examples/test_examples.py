"""Every example runs under the SDK's mocks, and what it registers is right."""

from __future__ import annotations

import json

import pytest

from examples import CONFIG, EXAMPLES, PROJECTS, program
from irsa_components.core import evaluate
from irsa_components.offline import Simulation, run_program


def _run(name: str, **extra: str) -> Simulation:
    return run_program(program(name), config={**CONFIG[name], **extra}, project=PROJECTS[name], stack="dev")


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_runs_and_every_service_account_is_admitted_by_its_role(name: str) -> None:
    sim = _run(name)
    roles = {r.state["arn"]: json.loads(r.inputs["assumeRolePolicy"]) for r in sim.of_type("aws:iam/role:Role")}
    annotated = [
        sa
        for sa in sim.of_type("kubernetes:core/v1:ServiceAccount")
        if "eks.amazonaws.com/role-arn" in sa.inputs["metadata"].get("annotations", {})
    ]
    assert annotated, "each example has at least one IRSA workload"
    for sa in annotated:
        meta = sa.inputs["metadata"]
        doc = roles[meta["annotations"]["eks.amazonaws.com/role-arn"]]
        statement = next(s for s in doc["Statement"] if "Federated" in s["Principal"])
        provider = statement["Principal"]["Federated"]
        host = provider.split(":oidc-provider/", 1)[1]
        subject = f"system:serviceaccount:{meta['namespace']}:{meta['name']}"
        assert evaluate.evaluate(doc, evaluate.web_identity_request(provider, host, subject)).allowed
        other = f"system:serviceaccount:{meta['namespace']}:{meta['name']}-other"
        assert not evaluate.evaluate(doc, evaluate.web_identity_request(provider, host, other)).allowed


def test_new_cluster_adopts_the_pulumi_eks_provider_instead_of_creating_one() -> None:
    sim = _run("new-cluster")
    assert sim.of_type("eks:index:Cluster")
    assert not sim.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    associations = sim.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert [(a.inputs["clusterName"], a.inputs["namespace"], a.inputs["serviceAccount"]) for a in associations] == [
        ("irsa-demo", "media", "thumbnailer")
    ]
    kube = sim.named("pulumi:providers:kubernetes", "demo")
    for sa in sim.of_type("kubernetes:core/v1:ServiceAccount"):
        assert sa.provider.startswith(kube.urn)


def test_existing_cluster_creates_a_protected_provider_unless_one_is_given() -> None:
    created = _run("existing-cluster")
    provider = created.named("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "cluster")
    assert provider.protect
    lookups = [i for i in created.invokes if i.token == "aws:eks/getCluster:getCluster"]
    assert [i.args["name"] for i in lookups] == ["prod-blue"]
    arn = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789"
    adopted = _run("existing-cluster", **{"irsa-example-existing-cluster:oidcProviderArn": arn})
    assert not adopted.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    trust = json.loads(adopted.named("aws:iam/role:Role", "reports").inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"]["Federated"] == arn


def test_self_hosted_and_cross_account_wires_issuer_webhook_and_both_cross_account_ways() -> None:
    sim = _run("self-hosted-and-cross-account")
    lab = sim.named("pulumi:providers:kubernetes", "lab")
    data = sim.named("pulumi:providers:aws", "data")
    issuer_provider = sim.named("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "lab-oidc")
    assert (
        issuer_provider.protect and issuer_provider.inputs["url"] == "https://acme-lab-oidc.s3.eu-west-1.amazonaws.com"
    )
    assert sim.named("kubernetes:helm.sh/v4:Chart", "lab-chart").providers["kubernetes"].startswith(lab.urn)
    assert sim.named("kubernetes:core/v1:ServiceAccount", "velero-server").provider.startswith(lab.urn)
    assert (
        "--service-account-issuer=https://acme-lab-oidc.s3.eu-west-1.amazonaws.com"
        in (sim.outputs["labKubeApiserverFlags"])
    )
    # IRSA straight into the other account: its own OIDC provider for the EKS issuer, the role next to it.
    in_data = sim.named("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "eks-in-data")
    reports = sim.named("aws:iam/role:Role", "reports")
    assert in_data.provider.startswith(data.urn) and reports.provider.startswith(data.urn)
    # Pod Identity into the other account: the target role there, the association role and association here.
    assert sim.named("aws:iam/role:Role", "ledger-exporter-target").provider.startswith(data.urn)
    assert not sim.named("aws:iam/role:Role", "ledger-exporter-pod-identity").provider.startswith(data.urn)
    (association,) = sim.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert association.inputs["targetRoleArn"] == sim.outputs["ledgerExporterTargetRoleArn"]
    # Roles and their policies are retained on delete; the bindings are not.
    assert all(r.retain_on_delete for r in sim.of_type("aws:iam/role:Role"))
    assert not association.retain_on_delete
