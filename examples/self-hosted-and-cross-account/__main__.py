"""A self-hosted cluster's IRSA, and EKS workloads whose roles live in another AWS account.

- The self-hosted cluster ("lab"): its OIDC issuer published from S3 with the IAM OIDC provider
  (SelfHostedOidcIssuer), the pod identity webhook (PodIdentityWebhook), and an IRSA role for Velero.
- The EKS cluster of this account, reaching into the "data" account two ways: IRSA straight into it
  (an OIDC provider for the cluster's issuer in that account, and the role next to it), and EKS Pod
  Identity with a target role there (CrossAccountPodIdentity).

Roles are kept in AWS if this program stops managing them (retain_on_delete; docs/removal.md).
"""

from pathlib import Path

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from irsa_components import (
    AnnotatedServiceAccount,
    CrossAccountPodIdentity,
    IrsaRole,
    OidcProvider,
    PodIdentityWebhook,
    SelfHostedOidcIssuer,
)

config = pulumi.Config()
region = pulumi.Config("aws").require("region")
key_file = Path(__file__).parent / (config.get("signingKeyPublicPemFile") or "sa.pub")

# The self-hosted cluster -------------------------------------------------------------------------------

issuer = SelfHostedOidcIssuer(
    "lab",
    {"bucket_name": config.require("issuerBucket"), "public_keys": [key_file.read_text()]},
)
lab = k8s.Provider("lab", context=config.get("labContext") or None)
on_lab = pulumi.ResourceOptions(providers={"kubernetes": lab})
PodIdentityWebhook("lab", {"aws_default_region": region}, opts=on_lab)

backup = IrsaRole(
    "velero",
    {
        "service_accounts": ["velero/velero-server"],
        "oidc_provider_arns": [issuer.provider_arn],
        "policy_statements": [
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"],
                "Resource": ["arn:aws:s3:::acme-lab-backups", "arn:aws:s3:::acme-lab-backups/*"],
            }
        ],
        "retain_on_delete": True,
    },
)
AnnotatedServiceAccount("velero-server", {"namespace": "velero", "role_arn": backup.arn}, opts=on_lab)

# The other account -------------------------------------------------------------------------------------

data = aws.Provider(
    "data",
    region=region,
    assume_roles=[aws.ProviderAssumeRoleArgs(role_arn=config.require("dataAccountRoleArn"), session_name="irsa")],
)
in_data = pulumi.ResourceOptions(providers={"aws": data})
cluster_name = config.require("clusterName")
eks = k8s.Provider("eks", context=config.get("eksContext") or None)
on_eks = pulumi.ResourceOptions(providers={"kubernetes": eks})

# IRSA straight into the data account: a trust can only name an OIDC provider of the role's own account,
# so the data account gets one for the EKS cluster's issuer (looked up here, with this account's provider).
cluster = aws.eks.get_cluster_output(name=cluster_name)
eks_in_data = OidcProvider("eks-in-data", {"issuer_url": cluster.identities[0].oidcs[0].issuer}, opts=in_data)
reports = IrsaRole(
    "reports",
    {
        "service_accounts": ["analytics/reports"],
        "oidc_provider_arns": [eks_in_data.arn],
        "managed_policy_arns": ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
        "retain_on_delete": True,
    },
    opts=in_data,
)
AnnotatedServiceAccount("reports", {"namespace": "analytics", "role_arn": reports.arn}, opts=on_eks)

# EKS Pod Identity into the data account: the association role here chains to the target role there.
exporter = CrossAccountPodIdentity(
    "ledger-exporter",
    {
        "target_provider": data,
        "cluster_names": [cluster_name],
        "namespace": "payments",
        "service_account": "ledger-exporter",
        "policy_statements": [
            {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "arn:aws:s3:::acme-ledger-exports/*"}
        ],
        "retain_on_delete": True,
    },
)
AnnotatedServiceAccount("ledger-exporter", {"namespace": "payments"}, opts=on_eks)

pulumi.export("labIssuerUrl", issuer.issuer_url)
pulumi.export("labKubeApiserverFlags", issuer.kube_apiserver_flags)
pulumi.export("veleroRoleArn", backup.arn)
pulumi.export("reportsRoleArn", reports.arn)
pulumi.export("ledgerExporterTargetRoleArn", exporter.target_role_arn)
