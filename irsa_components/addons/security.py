"""Certificate and secret add-ons: cert-manager, the AWS Private CA issuer, External Secrets, the ASCP."""

from __future__ import annotations

from . import kinds
from ._build import ANY, allow
from .model import Addon, Scope, ScopeInput, Source, Statement

_HOSTED_ZONES = ScopeInput(
    "hosted_zone_arns",
    kinds.HOSTED_ZONE,
    "The hosted zones of the domains certificates are issued for",
    required=True,
)
_SECRETS = ScopeInput("secret_arns", kinds.SECRET, "Secrets Manager secrets it may read")
_PARAMETERS = ScopeInput("ssm_parameter_arns", kinds.SSM_PARAMETER, "SSM parameters it may read")
_KMS_KEYS = ScopeInput(
    "kms_key_arns",
    kinds.KMS_KEY,
    "Customer managed KMS keys the secrets or SecureString parameters are encrypted with",
)

# --------------------------------------------------------------------------------------------------
# cert-manager (ACME DNS-01 with Route 53)
# --------------------------------------------------------------------------------------------------


def _cert_manager(scope: Scope) -> list[Statement]:
    zones = scope["hosted_zone_arns"]
    return [
        allow("GetChange", ["route53:GetChange"], scope.arn("route53", "change/*", regional=False, in_account=False)),
        allow("ListRecords", ["route53:ListResourceRecordSets"], zones),
        allow(
            "ChallengeRecords",
            ["route53:ChangeResourceRecordSets"],
            zones,
            {
                "ForAllValues:StringEquals": {
                    "route53:ChangeResourceRecordSetsRecordTypes": "TXT",
                    "route53:ChangeResourceRecordSetsActions": ["UPSERT", "DELETE"],
                },
                "ForAllValues:StringLike": {
                    "route53:ChangeResourceRecordSetsNormalizedRecordNames": list(scope["challenge_record_names"]),
                },
            },
        ),
        # ListHostedZonesByName has no resource-level permissions (not needed when issuers set hostedZoneID).
        allow("FindZones", ["route53:ListHostedZonesByName"], ANY),
    ]


CERT_MANAGER = Addon(
    name="cert-manager",
    description="cert-manager solving ACME DNS-01 challenges in Route 53.",
    namespace="cert-manager",
    service_account="cert-manager",
    chart="jetstack/cert-manager",
    source=Source("https://cert-manager.io/docs/configuration/acme/dns01/route53/", "cert-manager docs v1.18"),
    build=_cert_manager,
    inputs=(
        _HOSTED_ZONES,
        ScopeInput(
            "challenge_record_names",
            kinds.DNS_NAME_PATTERN,
            "Challenge record names it may write (with CNAME delegation: the delegated names)",
            default=("_acme-challenge.*",),
        ),
    ),
    tighter=(
        "Record changes are limited to the given zones (upstream: `hostedzone/*`), to TXT records named "
        "`_acme-challenge.*`, and to UPSERT and DELETE.",
    ),
)

# --------------------------------------------------------------------------------------------------
# AWS Private CA issuer for cert-manager
# --------------------------------------------------------------------------------------------------

# The templates the issuer chooses from a certificate's usages (README: "Mapping Cert-Manager Usage Types").
_PCA_TEMPLATES = (
    "CodeSigningCertificate/V1",
    "EndEntityClientAuthCertificate/V1",
    "EndEntityServerAuthCertificate/V1",
    "OCSPSigningCertificate/V1",
    "EndEntityCertificate/V1",
    "BlankEndEntityCertificate_APICSRPassthrough/V1",
)


def _privateca_issuer(scope: Scope) -> list[Statement]:
    authorities = scope["certificate_authority_arns"]
    templates = [f"arn:{scope.partition}:acm-pca:::template/{t}" for t in _PCA_TEMPLATES]
    return [
        allow(
            "ReadAuthorities",
            ["acm-pca:DescribeCertificateAuthority", "acm-pca:GetCertificate"],
            authorities,
        ),
        allow(
            "IssueEndEntityCertificates",
            ["acm-pca:IssueCertificate"],
            authorities,
            {"StringEquals": {"acm-pca:TemplateArn": templates}},
        ),
    ]


AWS_PRIVATECA_ISSUER = Addon(
    name="aws-privateca-issuer",
    description="AWS Private CA issuer for cert-manager (EKS add-on aws-privateca-connector-for-kubernetes).",
    namespace="aws-privateca-issuer",
    service_account="aws-privateca-issuer",
    chart="awspca/aws-privateca-issuer (release named aws-privateca-issuer)",
    source=Source(
        "https://github.com/cert-manager/aws-privateca-issuer/blob/041390b79134f346f6ba2a14d64c849d0b939ce4/README.md",
        "README at commit 041390b (v1.x)",
    ),
    build=_privateca_issuer,
    inputs=(
        ScopeInput(
            "certificate_authority_arns",
            kinds.PRIVATE_CA,
            "The private CAs AWSPCAIssuers and AWSPCAClusterIssuers name",
            required=True,
        ),
    ),
    managed_policies=("AWSPrivateCAConnectorForKubernetesPolicy",),
    tighter=(
        "`acm-pca:IssueCertificate` is limited to the end-entity templates the issuer uses "
        "(`acm-pca:TemplateArn`): the role cannot issue subordinate CA certificates.",
        "The managed policy allows every CA of every account; the built-in policy only the given CAs.",
    ),
)

# --------------------------------------------------------------------------------------------------
# External Secrets Operator
# --------------------------------------------------------------------------------------------------

_MANAGED_BY = {"aws:ResourceTag/managed-by": "external-secrets"}


def _external_secrets(scope: Scope) -> list[Statement]:
    secrets = scope["secret_arns"]
    parameters = scope["ssm_parameter_arns"]
    keys = scope["kms_key_arns"]
    push = scope.flag("push")
    statements: list[Statement] = []
    if secrets:
        statements.append(
            allow(
                "ReadSecrets",
                [
                    "secretsmanager:GetSecretValue",
                    "secretsmanager:DescribeSecret",
                    "secretsmanager:ListSecretVersionIds",
                    "secretsmanager:GetResourcePolicy",
                ],
                secrets,
            )
        )
    if parameters:
        statements.append(
            allow(
                "ReadParameters",
                ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:ListTagsForResource"],
                parameters,
            )
        )
    if scope.flag("find"):
        listing = []
        if secrets:
            listing += ["secretsmanager:ListSecrets", "secretsmanager:BatchGetSecretValue"]
        if parameters:
            listing.append("ssm:DescribeParameters")
        # Listing has no resource-level permissions; BatchGetSecretValue still needs GetSecretValue per secret.
        statements.append(allow("FindSecrets", listing, ANY))
    if push and secrets:
        statements += [
            allow(
                "CreatePushedSecrets",
                ["secretsmanager:CreateSecret"],
                secrets,
                {"StringEquals": {"aws:RequestTag/managed-by": "external-secrets"}},
            ),
            allow(
                "UpdatePushedSecrets",
                ["secretsmanager:PutSecretValue", "secretsmanager:TagResource", "secretsmanager:DeleteSecret"],
                secrets,
                {"StringEquals": _MANAGED_BY},
            ),
        ]
    if push and parameters:
        statements += [
            allow(
                "WritePushedParameters",
                ["ssm:PutParameter", "ssm:AddTagsToResource"],
                parameters,
            ),
            allow("DeletePushedParameters", ["ssm:DeleteParameter"], parameters, {"StringEquals": _MANAGED_BY}),
        ]
    if keys:
        services = [name for name, given in (("secretsmanager", secrets), ("ssm", parameters)) if given]
        kms_actions = ["kms:Decrypt", "kms:GenerateDataKey"] if push else ["kms:Decrypt"]
        statements.append(allow("DecryptWithKeys", kms_actions, keys, scope.via(*services)))
    return statements


EXTERNAL_SECRETS = Addon(
    name="external-secrets",
    description="External Secrets Operator: Secrets Manager and SSM Parameter Store into Kubernetes Secrets.",
    namespace="external-secrets",
    service_account="external-secrets",
    chart="external-secrets/external-secrets",
    source=Source(
        "https://external-secrets.io/latest/provider/aws-secrets-manager/",
        "external-secrets docs 2025 (v0.1x): AWS Secrets Manager and Parameter Store provider pages",
    ),
    build=_external_secrets,
    inputs=(
        _SECRETS,
        _PARAMETERS,
        _KMS_KEYS,
        ScopeInput("find", kinds.FLAG, "Allow dataFrom.find (list secrets and parameters by name or tag)"),
        ScopeInput("push", kinds.FLAG, "Allow PushSecret to create, update and delete the given secrets"),
    ),
    require_any=(("secret_arns", "ssm_parameter_arns"),),
    tighter=(
        "Listing (`ListSecrets`, `BatchGetSecretValue`, `DescribeParameters`) is granted only with `find`, "
        "writing only with `push`.",
        "Pushed secrets must be created with, and are only updated or deleted while carrying, the "
        "`managed-by: external-secrets` tag ESO puts on them (upstream Terraform: delete only).",
        "KMS decryption only through Secrets Manager or SSM (`kms:ViaService`).",
    ),
)

# --------------------------------------------------------------------------------------------------
# Secrets Store CSI driver provider for AWS (ASCP)
# --------------------------------------------------------------------------------------------------


def _secrets_store_csi(scope: Scope) -> list[Statement]:
    statements: list[Statement] = []
    if secrets := scope["secret_arns"]:
        statements.append(
            allow("ReadSecrets", ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], secrets)
        )
    if parameters := scope["ssm_parameter_arns"]:
        statements.append(allow("ReadParameters", ["ssm:GetParameters"], parameters))
    if keys := scope["kms_key_arns"]:
        services = [n for n, given in (("secretsmanager", scope["secret_arns"]), ("ssm", parameters)) if given]
        statements.append(allow("DecryptWithKeys", ["kms:Decrypt"], keys, scope.via(*services)))
    return statements


SECRETS_STORE_CSI_PROVIDER_AWS = Addon(
    name="secrets-store-csi-provider-aws",
    description=(
        "AWS Secrets and Configuration Provider (ASCP) for the Secrets Store CSI driver. The role belongs to the "
        "workload that mounts the secrets: give its namespace and service account."
    ),
    namespace=None,
    service_account=None,
    chart="aws-secrets-manager/secrets-store-csi-driver-provider-aws (the provider itself needs no role)",
    source=Source(
        "https://github.com/aws/secrets-store-csi-driver-provider-aws/blob/main/README.md",
        "README on main (v1.x / v2.x)",
    ),
    build=_secrets_store_csi,
    inputs=(_SECRETS, _PARAMETERS, _KMS_KEYS),
    require_any=(("secret_arns", "ssm_parameter_arns"),),
    tighter=("KMS decryption only through Secrets Manager or SSM (`kms:ViaService`).",),
    notes=('With EKS Pod Identity, set usePodIdentity: "true" in the SecretProviderClass.',),
)
