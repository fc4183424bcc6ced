"""A platform team's own Pulumi program built from irsa-components (what docs/testing.md tests)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from irsa_components import AnnotatedServiceAccount, IrsaRole, OidcProvider, PodIdentityAssociation


@dataclass
class Platform:
    oidc: OidcProvider
    reports: IrsaRole
    exporter: PodIdentityAssociation


def build() -> Platform:
    config = pulumi.Config()
    cluster = config.require("clusterName")
    oidc = OidcProvider("cluster", {"cluster_name": cluster})  # the issuer is looked up once
    reports = IrsaRole(
        "reports",
        {
            "service_accounts": ["analytics/report-generator"],
            "oidc_provider_arns": [oidc.arn],
            "managed_policy_arns": ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
        },
    )
    AnnotatedServiceAccount("report-generator", {"namespace": "analytics", "role_arn": reports.arn})
    exporter = PodIdentityAssociation(
        "ledger-exporter",
        {
            "cluster_names": [cluster],
            "namespace": "payments",
            "service_account": "ledger-exporter",
            "policy_statements": [
                {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "arn:aws:s3:::ledger-exports/*"}
            ],
        },
    )
    pulumi.export("reportsRoleArn", reports.arn)
    return Platform(oidc, reports, exporter)
