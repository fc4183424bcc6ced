"""Roles for the workloads of an existing EKS cluster; Kubernetes objects go through the ambient kubeconfig."""

import pulumi

from irsa_components import AnnotatedServiceAccount, IrsaRole, OidcProvider, PodIdentityAssociation

config = pulumi.Config()
cluster_name = config.require("clusterName")
existing_provider = config.get("oidcProviderArn")

# Adopt the cluster's IAM OIDC provider if it has one, else create it (looked up once, protected).
oidc = OidcProvider(
    "cluster",
    {"existing_provider_arn": existing_provider} if existing_provider else {"cluster_name": cluster_name},
)

# One role reused by two service accounts of the same team (each listed exactly; no wildcard).
reports = IrsaRole(
    "reports",
    {
        "service_accounts": ["analytics/report-generator", "analytics/report-mailer"],
        "oidc_provider_arns": [oidc.arn],
        "managed_policy_arns": ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
        "max_session_duration": 3600,
        "tags": {"team": "analytics"},
    },
)
for name in ("report-generator", "report-mailer"):
    AnnotatedServiceAccount(
        name,
        {"namespace": "analytics", "role_arn": reports.arn, "sts_regional_endpoints": True},
    )

# A Pod Identity workload of the same cluster.
exporter = PodIdentityAssociation(
    "ledger-exporter",
    {
        "cluster_names": [cluster_name],
        "namespace": "payments",
        "service_account": "ledger-exporter",
        "policy_statements": [
            {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "arn:aws:s3:::ledger-exports/*"}
        ],
    },
)
AnnotatedServiceAccount("ledger-exporter", {"namespace": "payments"})

pulumi.export("oidcProviderArn", oidc.arn)
pulumi.export("reportsRoleArn", reports.arn)
pulumi.export("ledgerExporterRoleArn", exporter.role_arn)
