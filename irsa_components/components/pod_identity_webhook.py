"""PodIdentityWebhook: amazon-eks-pod-identity-webhook in a self-hosted cluster, from a pinned Helm chart.

The chart is rendered by the Kubernetes provider (``kubernetes.helm.v4.Chart``): every object it
contains becomes a Pulumi resource of its own, so previews and diffs show exactly which Deployment,
MutatingWebhookConfiguration or RBAC object changes, no Helm release state lives in the cluster, and
no helm binary is needed where the program runs. Pass the cluster's Kubernetes provider through
``opts`` (``provider=`` or ``providers=``).
"""

import re
from collections.abc import Mapping
from typing import Any, Optional, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from ..core.arns import region_problem
from ..core.errors import Problems
from ..core.kubernetes import namespace_problem, token_expiration_problem
from ..core.trust import DEFAULT_AUDIENCE
from ._inputs import subject
from ._keys import check_keys

TYPE = "irsa-components:index:PodIdentityWebhook"

CHART = "amazon-eks-pod-identity-webhook"
CHART_REPOSITORY = "https://jkroepke.github.io/helm-charts/"
CHART_VERSION = "2.4.2"
"""Pinned chart version (app version v0.6.4 of amazon-eks-pod-identity-webhook). Bump deliberately."""
DEFAULT_NAMESPACE = "pod-identity-webhook"
RELEASE_NAME = "amazon-eks-pod-identity-webhook"
_FAILURE_POLICIES = ("Ignore", "Fail")
_EXACT_VERSION = re.compile(r"^v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$")


class PodIdentityWebhookArgs(TypedDict, total=False):
    """Inputs of PodIdentityWebhook."""

    namespace: str
    """Namespace to install the webhook into. Default 'pod-identity-webhook'."""
    create_namespace: bool
    """Create the namespace. Default true; set false to install into an existing one (e.g. kube-system)."""
    chart_version: str
    """Version of the amazon-eks-pod-identity-webhook chart (jkroepke/helm-charts). Default: the version this library pins."""
    chart_repository: str
    """Helm repository URL of the chart. Default https://jkroepke.github.io/helm-charts/ (override for a mirror)."""
    aws_default_region: str
    """AWS_REGION / AWS_DEFAULT_REGION injected into mutated pods (the region of the STS endpoint they use)."""
    token_audience: str
    """Audience of the projected tokens. Default 'sts.amazonaws.com'; must be a client ID of the IAM OIDC provider."""
    sts_regional_endpoints: bool
    """Inject AWS_STS_REGIONAL_ENDPOINTS=regional into mutated pods. Default true."""
    token_expiration: int
    """Lifetime of the projected tokens in seconds (at least 600). Default 86400."""
    replicas: int
    """Webhook replicas. Default 2, so pod admission does not depend on a single pod."""
    failure_policy: str
    """failurePolicy of the MutatingWebhookConfiguration: 'Ignore' (pods start without AWS credentials if the webhook is down) or 'Fail'. Default 'Ignore'."""
    cert_manager: bool
    """Issue the webhook's serving certificate with cert-manager (which must be installed). Default true."""
    cert_manager_issuer: str
    """Name of an existing cert-manager ClusterIssuer to use instead of the chart's self-signed one."""
    tls_secret_name: str
    """Without cert-manager: an existing kubernetes.io/tls Secret (in the namespace) holding the serving certificate."""
    ca_bundle: pulumi.Input[str]
    """Without cert-manager: PEM of the CA that signed tls_secret_name, for the webhook configuration's caBundle."""
    values: Mapping[str, Any]
    """Further chart values, merged over the ones this component sets."""


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def chart_values(args: PodIdentityWebhookArgs) -> dict[str, Any]:
    """The chart values for ``args`` (pure; the caller validates first)."""
    config: dict[str, Any] = {
        "tokenAudience": args.get("token_audience", DEFAULT_AUDIENCE),
        "stsRegionalEndpoint": bool(args.get("sts_regional_endpoints", True)),
        "tokenExpiration": int(args.get("token_expiration", 86400)),
    }
    if "aws_default_region" in args:
        config["defaultAwsRegion"] = args["aws_default_region"]
    pki: dict[str, Any]
    if args.get("cert_manager", True):
        cert_manager: dict[str, Any] = {"enabled": True}
        if "cert_manager_issuer" in args:
            cert_manager["existingIssuer"] = {
                "enabled": True,
                "name": args["cert_manager_issuer"],
                "kind": "ClusterIssuer",
            }
        pki = {"certManager": cert_manager}
    else:
        pki = {
            "certManager": {"enabled": False},
            "existingSecret": args.get("tls_secret_name"),
            "caBundle": args.get("ca_bundle"),
        }
    values: dict[str, Any] = {
        "replicaCount": int(args.get("replicas", 2)),
        "config": config,
        "mutatingWebhook": {"failurePolicy": args.get("failure_policy", "Ignore")},
        "pki": pki,
    }
    return _merge(values, args.get("values") or {})


class PodIdentityWebhook(pulumi.ComponentResource):
    """amazon-eks-pod-identity-webhook for a self-hosted cluster: mutates pods whose ServiceAccount has eks.amazonaws.com/role-arn.

    Installed from a pinned version of the amazon-eks-pod-identity-webhook Helm chart with
    kubernetes.helm.v4.Chart, into its own namespace, honouring the Kubernetes provider in opts.
    """

    chart: k8s.helm.v4.Chart
    """The rendered chart."""
    namespace: pulumi.Output[str]
    """Namespace the webhook runs in."""
    chart_version: pulumi.Output[str]
    """The chart version installed."""

    def __init__(self, name: str, args: PodIdentityWebhookArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        problems = Problems(subject("PodIdentityWebhook", name))
        if not check_keys(problems, args, PodIdentityWebhookArgs):
            problems.raise_if_any()
        namespace = args.get("namespace", DEFAULT_NAMESPACE)
        problems.check("namespace", namespace, namespace_problem(namespace))
        version = args.get("chart_version", CHART_VERSION)
        if not isinstance(version, str) or not _EXACT_VERSION.match(version):
            problems.add(
                "chart_version", version, "must be an exact chart version such as 2.4.2 (no ranges or wildcards)"
            )
        repository = args.get("chart_repository", CHART_REPOSITORY)
        if not isinstance(repository, str) or not repository.startswith(("https://", "oci://")):
            problems.add("chart_repository", repository, "must be an https:// or oci:// repository URL")
        if "aws_default_region" in args:
            problems.check("aws_default_region", args["aws_default_region"], region_problem(args["aws_default_region"]))
        audience = args.get("token_audience", DEFAULT_AUDIENCE)
        if not isinstance(audience, str) or not audience:
            problems.add("token_audience", audience, "must be a non-empty string")
        if "token_expiration" in args:
            problems.check(
                "token_expiration", args["token_expiration"], token_expiration_problem(args["token_expiration"])
            )
        replicas = args.get("replicas", 2)
        if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 1:
            problems.add("replicas", replicas, "must be a whole number of at least 1")
        policy = args.get("failure_policy", "Ignore")
        if policy not in _FAILURE_POLICIES:
            problems.add("failure_policy", policy, f"must be one of {', '.join(_FAILURE_POLICIES)}")
        if args.get("cert_manager", True):
            for field in ("tls_secret_name", "ca_bundle"):
                if field in args:
                    problems.add(field, "(set)", "is used only with cert_manager: false")
        else:
            if "cert_manager_issuer" in args:
                problems.add("cert_manager_issuer", args["cert_manager_issuer"], "is used only with cert_manager")
            secret = args.get("tls_secret_name")
            if not isinstance(secret, str) or not secret:
                problems.add(
                    "tls_secret_name", secret, "without cert-manager, name the kubernetes.io/tls Secret to serve with"
                )
            if args.get("ca_bundle") is None:
                problems.add("ca_bundle", None, "without cert-manager, give the PEM CA bundle that signed the Secret")
        extra = args.get("values")
        if extra is not None and not isinstance(extra, Mapping):
            problems.add("values", extra, "must be a mapping of chart values")
        problems.raise_if_any()

        super().__init__(TYPE, name, None, opts)
        depends_on: list[pulumi.Resource] = []
        if args.get("create_namespace", True):
            depends_on.append(
                k8s.core.v1.Namespace(
                    f"{name}-namespace",
                    metadata=k8s.meta.v1.ObjectMetaArgs(name=namespace),
                    opts=pulumi.ResourceOptions(parent=self),
                )
            )
        self.chart = k8s.helm.v4.Chart(
            f"{name}-chart",
            chart=CHART,
            version=version,
            repository_opts=k8s.helm.v4.RepositoryOptsArgs(repo=repository),
            name=RELEASE_NAME,
            namespace=namespace,
            values=chart_values(args),
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends_on),
        )
        self.namespace = pulumi.Output.from_input(str(namespace))
        self.chart_version = pulumi.Output.from_input(str(version))
        self.register_outputs({"chart": self.chart, "namespace": self.namespace, "chart_version": self.chart_version})
