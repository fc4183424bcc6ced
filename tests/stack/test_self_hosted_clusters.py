"""Self-hosted clusters in the stack config: selfHosted instead of an EKS name, treated like any other issuer."""

from __future__ import annotations

import json
from typing import Any

import pytest

from irsa_components.components.pod_identity_webhook import CHART_VERSION
from irsa_components.core import arns, trust
from irsa_components.core.errors import InputError
from irsa_components.offline import Simulation
from irsa_components.self_hosted import jwks
from tests.self_hosted.keys import UPSTREAM_KEY_ID, signing_key, weak_rsa_public_pem

from .crafted import ACCOUNT, ISSUER_BLUE
from .helpers import admits_irsa
from .multi_account import (
    LAB_KEY,
    LAB_KUBECONFIG,
    OIDC,
    ROLE,
    SERVICE_ACCOUNT,
    SHARED,
    component,
    config,
    provider_urn,
    run,
    uses,
)

LAB_ISSUER = "https://acme-lab-oidc.s3.eu-west-1.amazonaws.com"
LAB_HOST = trust.issuer_host(LAB_ISSUER)
LAB_PROVIDER = arns.oidc_provider_arn("aws", ACCOUNT, LAB_HOST)
BLUE_HOST = trust.issuer_host(ISSUER_BLUE)
CHART = "kubernetes:helm.sh/v4:Chart"
SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"  # how the SDK marks a serialized secret
K8S_PROVIDER = "pulumi:providers:kubernetes"
SERVICES: dict[str, Any] = {
    "backup": {"namespace": "velero", "serviceAccount": "velero-server", "clusters": ["lab"]},
    "reports": {"namespace": "analytics", "clusters": ["blue", "lab"]},
}


@pytest.fixture(scope="module")
def sim() -> Simulation:
    return run(config(SERVICES))


def trust_of(sim: Simulation, name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(sim.named(ROLE, name).inputs["assumeRolePolicy"])
    return doc


def test_the_issuer_is_published_and_its_provider_created_protected(sim: Simulation) -> None:
    issuer = component(sim, "SelfHostedOidcIssuer", "lab")
    assert issuer.name == "lab"
    bucket = sim.named("aws:s3/bucket:Bucket", "lab-bucket")
    assert bucket.inputs["bucket"] == "acme-lab-oidc" and bucket.protect
    jwks_object = sim.named("aws:s3/bucketObjectv2:BucketObjectv2", "lab-jwks")
    assert json.loads(jwks_object.inputs["content"]) == jwks([LAB_KEY])
    assert json.loads(jwks_object.inputs["content"])["keys"][0]["kid"] == UPSTREAM_KEY_ID
    provider = sim.named(OIDC, "lab-oidc")
    assert provider.inputs["url"] == LAB_ISSUER and provider.protect
    assert sim.outputs["oidcProviders"]["lab"] == LAB_PROVIDER


def test_irsa_trusts_the_self_hosted_issuer_like_any_other(sim: Simulation) -> None:
    doc = trust_of(sim, "backup")
    assert [s["Principal"]["Federated"] for s in doc["Statement"]] == [LAB_PROVIDER]
    assert admits_irsa(doc, LAB_PROVIDER, LAB_HOST, "velero", "velero-server")
    assert not admits_irsa(doc, LAB_PROVIDER, LAB_HOST, "velero", "restic")
    assert not admits_irsa(doc, LAB_PROVIDER, LAB_HOST, "default", "velero-server")
    blue_provider = arns.oidc_provider_arn("aws", ACCOUNT, BLUE_HOST)
    assert not admits_irsa(doc, blue_provider, BLUE_HOST, "velero", "velero-server")
    # One role across an EKS and a self-hosted cluster: one statement per issuer.
    both = trust_of(sim, "reports")
    assert admits_irsa(both, LAB_PROVIDER, LAB_HOST, "analytics", "reports")
    assert admits_irsa(both, blue_provider, BLUE_HOST, "analytics", "reports")


def test_service_accounts_go_through_the_clusters_kubeconfig(sim: Simulation) -> None:
    lab = sim.named(K8S_PROVIDER, "lab")
    kubeconfig = lab.inputs["kubeconfig"]  # kept a secret
    assert kubeconfig[SECRET_SIGNATURE] and kubeconfig["value"] == LAB_KUBECONFIG
    sa = sim.named(SERVICE_ACCOUNT, "backup-lab")
    assert sa.provider.startswith(lab.urn)
    assert sa.inputs["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] == (
        f"arn:aws:iam::{ACCOUNT}:role/prod-backup"
    )


def test_a_self_hosted_cluster_is_never_looked_up(sim: Simulation) -> None:
    lookups = [i.args["name"] for i in sim.invokes if i.token == "aws:eks/getCluster:getCluster"]
    assert lookups == ["prod-blue"]  # blue, for its kubeconfig; nothing for lab


def test_the_issuer_url_and_kube_apiserver_flags_are_stack_outputs(sim: Simulation) -> None:
    lab = sim.outputs["selfHostedClusters"]["lab"]
    assert lab["issuerUrl"] == LAB_ISSUER
    assert lab["oidcProviderArn"] == LAB_PROVIDER
    assert lab["jwksUri"] == f"{LAB_ISSUER}/openid/v1/jwks"
    assert f"--service-account-issuer={LAB_ISSUER}" in lab["kubeApiserverFlags"]
    assert "--service-account-key-file=/etc/kubernetes/pki/sa.pub" in lab["kubeApiserverFlags"]
    assert lab["publicKeyBundle"].strip() == LAB_KEY.strip()


def test_issuer_settings_are_passed_on() -> None:
    second = signing_key("stack-rotation").public_pem
    irsa = config({"backup": SERVICES["backup"]})
    irsa["clusters"]["lab"]["selfHosted"] = {
        "signingKeyPublicPems": [LAB_KEY, second],
        "bucketName": "acme-lab-oidc",
        "issuerUrl": "https://oidc.lab.example.com",
        "apiAudiences": ["https://kubernetes.default.svc"],
        "serviceAccountKeyFile": "/etc/k3s/sa.pub",
        "serviceAccountSigningKeyFile": "/etc/k3s/sa.key",
    }
    sim = run(irsa)
    assert json.loads(sim.named("aws:s3/bucketObjectv2:BucketObjectv2", "lab-jwks").inputs["content"]) == jwks(
        [LAB_KEY, second]
    )
    flags = sim.outputs["selfHostedClusters"]["lab"]["kubeApiserverFlags"]
    assert "--service-account-issuer=https://oidc.lab.example.com" in flags
    assert "--api-audiences=https://kubernetes.default.svc" in flags
    assert "--service-account-signing-key-file=/etc/k3s/sa.key" in flags
    doc = trust_of(sim, "backup")
    provider = arns.oidc_provider_arn("aws", ACCOUNT, "oidc.lab.example.com")
    assert admits_irsa(doc, provider, "oidc.lab.example.com", "velero", "velero-server")


def test_the_bucket_name_defaults_to_environment_and_key() -> None:
    irsa = config({"backup": SERVICES["backup"]})
    del irsa["clusters"]["lab"]["selfHosted"]["bucketName"]
    sim = run(irsa)
    assert sim.named("aws:s3/bucket:Bucket", "lab-bucket").inputs["bucket"] == "irsa-prod-lab-oidc"
    assert (
        sim.outputs["selfHostedClusters"]["lab"]["issuerUrl"] == "https://irsa-prod-lab-oidc.s3.eu-west-1.amazonaws.com"
    )


def test_the_webhook_is_installed_with_the_clusters_kubernetes_provider() -> None:
    irsa = config({"backup": SERVICES["backup"]})
    irsa["clusters"]["lab"]["selfHosted"]["installWebhook"] = True
    sim = run(irsa)
    hook = component(sim, "PodIdentityWebhook", "lab")
    lab = sim.named(K8S_PROVIDER, "lab")
    chart = sim.named(CHART, "lab-chart")
    assert chart.parent == hook.urn
    assert chart.inputs["version"] == CHART_VERSION
    assert chart.inputs["values"]["config"]["defaultAwsRegion"] == "eu-west-1"  # the stack's region
    assert chart.inputs["values"]["config"]["tokenAudience"] == "sts.amazonaws.com"
    for r in (chart, sim.named("kubernetes:core/v1:Namespace", "lab-namespace")):
        assert r.providers.get("kubernetes", r.provider).startswith(lab.urn)


def test_webhook_settings_are_passed_on() -> None:
    irsa = config({"backup": SERVICES["backup"]})
    irsa["clusters"]["lab"]["selfHosted"].update(
        installWebhook=True,
        webhook={
            "namespace": "kube-system",
            "createNamespace": False,
            "replicas": 3,
            "failurePolicy": "Fail",
            "awsDefaultRegion": "eu-central-1",
            "certManager": False,
            "tlsSecretName": "webhook-tls",
            "caBundle": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        },
    )
    sim = run(irsa)
    chart = sim.named(CHART, "lab-chart")
    values = chart.inputs["values"]
    assert chart.inputs["namespace"] == "kube-system"
    assert sim.of_type("kubernetes:core/v1:Namespace") == []
    assert values["replicaCount"] == 3
    assert values["mutatingWebhook"]["failurePolicy"] == "Fail"
    assert values["config"]["defaultAwsRegion"] == "eu-central-1"
    assert values["pki"]["certManager"] == {"enabled": False}
    assert values["pki"]["existingSecret"] == "webhook-tls"


def test_a_cluster_without_services_still_publishes_its_issuer() -> None:
    sim = run(config({"reports": {"namespace": "analytics", "clusters": ["blue"]}}))
    assert sim.named(OIDC, "lab-oidc").inputs["url"] == LAB_ISSUER
    assert [p.name for p in sim.of_type(K8S_PROVIDER)] == ["blue"]  # nothing goes into lab: no provider


def test_irsa_from_a_self_hosted_cluster_into_another_account() -> None:
    sim = run(config({"backup": {**SERVICES["backup"], "account": "shared"}}))
    shared = provider_urn(sim, "account-shared")
    provider = sim.named(OIDC, "lab-shared")
    assert uses(provider, shared) and provider.protect
    assert provider.inputs["url"] == LAB_ISSUER
    # Created after the issuer's documents are published (IAM reads the JWKS's host when it creates one).
    oidc_component = sim.named("irsa-components:index:OidcProvider", "lab-shared")
    published = {r.urn for r in sim.resources if r.name in ("lab-jwks", "lab-discovery", "lab-policy")}
    assert published <= set(oidc_component.dependencies) | set(provider.dependencies)
    doc = trust_of(sim, "backup")
    in_shared = arns.oidc_provider_arn("aws", SHARED, LAB_HOST)
    assert admits_irsa(doc, in_shared, LAB_HOST, "velero", "velero-server")
    assert not admits_irsa(doc, LAB_PROVIDER, LAB_HOST, "velero", "velero-server")


# Config errors ------------------------------------------------------------------------------------------


def problems(irsa: dict[str, Any], **extra: str) -> list[str]:
    with pytest.raises(InputError) as info:
        run(irsa, **extra)
    assert info.value.simulation.resources == []  # type: ignore[attr-defined]
    return [str(p) for p in info.value.problems]


def one(found: list[str], *needles: str) -> None:
    assert any(all(n in p for n in needles) for p in found), (needles, found)


def test_pod_identity_on_a_self_hosted_cluster_is_refused() -> None:
    found = problems(
        config(
            {
                "a": {"namespace": "a", "identity": "pod-identity", "clusters": ["blue", "lab"]},
                "b": {"namespace": "b", "identity": "both"},
            }
        )
    )
    one(found, "service 'a'", "identity='pod-identity'", "only on EKS clusters", "'lab' is self-hosted")
    one(found, "service 'b'", "identity='both'", "'lab' is self-hosted")
    # The environment's default identity counts too, and is named.
    defaulted = problems(config({"c": {"namespace": "c"}}, defaultIdentity="pod-identity"))
    one(defaulted, "service 'c'", "identity='pod-identity'", "(irsa:defaultIdentity)")


def test_service_accounts_on_a_self_hosted_cluster_need_its_kubeconfig() -> None:
    irsa = config({"backup": SERVICES["backup"]})
    del irsa["clusters"]["lab"]["kubeconfig"]
    one(problems(irsa), "cluster 'lab'", "kubeconfig=None", "service 'backup'", "createServiceAccount")
    # Without ServiceAccounts to create, no kubeconfig is needed.
    irsa["services"]["backup"]["createServiceAccount"] = False
    sim = run(irsa)
    assert sim.of_type(K8S_PROVIDER) == [] and sim.of_type(SERVICE_ACCOUNT) == []
    irsa["clusters"]["lab"]["selfHosted"]["installWebhook"] = True
    one(problems(irsa), "cluster 'lab'", "kubeconfig=None", "pod identity webhook")


@pytest.mark.parametrize(
    ("cluster", "needles"),
    [
        (
            {"name": "lab", "selfHosted": {"signingKeyPublicPem": LAB_KEY}, "kubeconfig": "{}"},
            ("name='lab'", "not both"),
        ),
        (
            {"selfHosted": {"signingKeyPublicPem": LAB_KEY}, "oidcIssuerUrl": "https://x.example.com"},
            ("oidcIssuerUrl=", "does not apply to a self-hosted cluster"),
        ),
        (
            {"selfHosted": {"signingKeyPublicPem": LAB_KEY}, "createOidcProvider": True},
            ("createOidcProvider=True", "does not apply"),
        ),
        (
            {
                "selfHosted": {"signingKeyPublicPem": LAB_KEY},
                "oidcProviderArn": f"arn:aws:iam::{ACCOUNT}:oidc-provider/x.example.com",
            },
            ("oidcProviderArn=", "does not apply"),
        ),
        ({"selfHosted": {}}, ("selfHosted.signingKeyPublicPems=None", "is required")),
        (
            {"selfHosted": {"signingKeyPublicPem": LAB_KEY, "signingKeyPublicPems": [LAB_KEY]}},
            ("selfHosted.signingKeyPublicPem=", "not both"),
        ),
        (
            {"selfHosted": {"signingKeyPublicPems": [LAB_KEY, weak_rsa_public_pem()]}},
            ("selfHosted.signingKeyPublicPems[1]='(PEM)'", "2048"),
        ),
        (
            {"selfHosted": {"signingKeyPublicPems": [LAB_KEY, LAB_KEY]}},
            ("selfHosted.signingKeyPublicPems[1]", "same key as signingKeyPublicPems[0]"),
        ),
        ({"selfHosted": {"signingKeyPublicPem": "not a key"}}, ("selfHosted.signingKeyPublicPem='(PEM)'", "PEM")),
        (
            {"selfHosted": {"signingKeyPublicPem": LAB_KEY, "bucketName": "acme.lab"}},
            ("selfHosted.bucketName='acme.lab'", "'.'"),
        ),
        (
            {"selfHosted": {"signingKeyPublicPem": LAB_KEY, "bucketNmae": "x"}},
            ("selfHosted.bucketNmae", "did you mean 'bucketName'"),
        ),
        (
            {"selfHosted": {"signingKeyPublicPem": LAB_KEY, "webhook": {"replicas": 2}}},
            ("selfHosted.webhook", "installWebhook: true"),
        ),
        (
            {"selfHosted": {"signingKeyPublicPem": LAB_KEY, "installWebhook": True, "webhook": {"replica": 2}}},
            ("selfHosted.webhook.replica", "did you mean 'replicas'"),
        ),
        (
            {
                "selfHosted": {
                    "signingKeyPublicPem": LAB_KEY,
                    "installWebhook": True,
                    "webhook": {"certManager": False},
                },
                "kubeconfig": "{}",
            },
            ("selfHosted.webhook", "tlsSecretName"),
        ),
        (
            {"selfHosted": {"signingKeyPublicPem": LAB_KEY, "issuerUrl": "https://oidc.example.com/"}},
            ("selfHosted.issuerUrl", "must not end with '/'"),
        ),
        ({}, ("name=None", "is required", "selfHosted")),
    ],
)
def test_cluster_entry_problems(cluster: dict[str, Any], needles: tuple[str, ...]) -> None:
    irsa = config({"a": {"namespace": "a", "clusters": ["blue"]}})
    irsa["clusters"]["lab"] = cluster
    one(problems(irsa), "cluster 'lab'", *needles)


def test_two_clusters_cannot_share_an_issuer() -> None:
    irsa = config({"a": {"namespace": "a", "clusters": ["blue"]}})
    irsa["clusters"]["lab2"] = {"selfHosted": {"signingKeyPublicPem": LAB_KEY, "bucketName": "acme-lab-oidc"}}
    one(problems(irsa), "cluster 'lab2'", "selfHosted.bucketName='acme-lab-oidc'", "issuer bucket of cluster 'lab'")


def test_a_default_bucket_name_past_s3s_limit_is_hash_shortened() -> None:
    from irsa_components.self_hosted import bucket_name_problem
    from irsa_components.stack.models import default_bucket_name

    long_ones = [default_bucket_name("e" * 40, "l" * 30), default_bucket_name("e" * 40, "l" * 29 + "m")]
    assert all(len(b) == 63 and bucket_name_problem(b) is None for b in long_ones)
    assert long_ones[0] != long_ones[1] and long_ones[0] == default_bucket_name("e" * 40, "l" * 30)
    assert default_bucket_name("prod", "lab") == "irsa-prod-lab-oidc"  # unchanged where it fits


def test_one_service_account_per_self_hosted_cluster_is_claimed_once() -> None:
    irsa = config(
        {
            "a": {"namespace": "velero", "serviceAccount": "server", "clusters": ["lab"]},
            "b": {"namespace": "velero", "serviceAccount": "server", "clusters": ["lab"]},
        }
    )
    one(problems(irsa), "service 'b'", "velero/server", "also claimed by service 'a'")
    # Two self-hosted clusters are two clusters: the same service account on each is no conflict.
    irsa = config(
        {
            "a": {"namespace": "velero", "serviceAccount": "server", "clusters": ["lab"]},
            "b": {"namespace": "velero", "serviceAccount": "server", "clusters": ["lab2"]},
        }
    )
    second = signing_key("second-lab").public_pem
    irsa["clusters"]["lab2"] = {
        "selfHosted": {"signingKeyPublicPem": second, "bucketName": "acme-lab2-oidc"},
        "kubeconfig": LAB_KUBECONFIG,
    }
    assert sorted(c.name for c in run(irsa).of_type("irsa-components:index:SelfHostedOidcIssuer")) == ["lab", "lab2"]
