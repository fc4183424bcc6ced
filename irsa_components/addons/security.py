"""Certificate and secret add-ons: cert-manager, the AWS Private CA issuer, External Secrets, the ASCP.

Each definition's upstream release and published policy are recorded in ``upstream/<add-on>.json``, with
every difference from the statements built here and the controller code that justifies it.
"""

from __future__ import annotations

from . import kinds
from ._build import ANY, allow, one
from ._kms import kms_via
from .model import Addon, Scope, ScopeInput, Statement
from .records import source

_SECRETS = ScopeInput("secret_arns", kinds.SECRET, "Secrets Manager secrets it may read")
_PARAMETERS = ScopeInput(
    "ssm_parameter_arns",
    kinds.SSM_PARAMETER,
    "SSM parameters it may read (a path's parameters: ...:parameter/app/prod/*)",
)
_KMS_KEYS = ScopeInput(
    "kms_key_arns",
    kinds.KMS_KEY,
    "Customer managed KMS keys of the secrets or SecureString parameters (any region: each key is used through "
    "the service in its own region)",
)


def _assume_roles(what: str) -> ScopeInput:
    return ScopeInput("assume_role_arns", kinds.ROLE, f"Roles it may assume: {what}")


def _assume(roles: tuple[str, ...], *, tag_session: bool = False) -> list[Statement]:
    if not roles:
        return []
    actions = ["sts:AssumeRole", "sts:TagSession"] if tag_session else ["sts:AssumeRole"]
    return [allow("AssumeRoles", actions, roles)]


# --------------------------------------------------------------------------------------------------
# cert-manager (ACME DNS-01 with Route 53)
# --------------------------------------------------------------------------------------------------


def _cert_manager(scope: Scope) -> list[Statement]:
    statements: list[Statement] = []
    if zones := scope["hosted_zone_arns"]:
        statements += [
            allow(
                "GetChange", ["route53:GetChange"], scope.arn("route53", "change/*", regional=False, in_account=False)
            ),
            # route53.go writes only TXT records, with UPSERT (Present) and DELETE (CleanUp).
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
    return statements + _assume(scope["assume_role_arns"])


CERT_MANAGER = Addon(
    name="cert-manager",
    description="cert-manager solving ACME DNS-01 challenges in Route 53.",
    namespace="cert-manager",
    service_account="cert-manager",
    chart="jetstack/cert-manager",
    service_account_value="serviceAccount.name",
    source=source("cert-manager"),
    build=_cert_manager,
    inputs=(
        ScopeInput(
            "hosted_zone_arns",
            kinds.HOSTED_ZONE,
            "The hosted zones of the domains certificates are issued for (in this role's account)",
        ),
        ScopeInput(
            "challenge_record_names",
            kinds.DNS_NAME_PATTERN,
            "Challenge record names it may write (with CNAME delegation: the delegated names)",
            default=("_acme-challenge.*",),
        ),
        _assume_roles("the route53.role of issuers whose zones are in another account"),
    ),
    require_any=(("hosted_zone_arns", "assume_role_arns"),),
    tighter=(
        "Record changes are limited to the given zones (upstream: `hostedzone/*`), to TXT records named "
        "`_acme-challenge.*`, and to UPSERT and DELETE.",
        "`route53:ListResourceRecordSets` is not granted: cert-manager never calls it.",
    ),
)

# --------------------------------------------------------------------------------------------------
# AWS Private CA issuer for cert-manager
# --------------------------------------------------------------------------------------------------

# The templates buildTemplateArn (pkg/aws/pca.go) picks from a certificate's usages when neither the
# issuer's spec.pcaTemplate nor the certificate's isCA chooses another.
_USAGE_TEMPLATES = (
    "CodeSigningCertificate/V1",
    "EndEntityClientAuthCertificate/V1",
    "EndEntityServerAuthCertificate/V1",
    "OCSPSigningCertificate/V1",
    "EndEntityCertificate/V1",
    "BlankEndEntityCertificate_APICSRPassthrough/V1",
)


def _privateca_issuer(scope: Scope) -> list[Statement]:
    statements: list[Statement] = []
    if authorities := scope["certificate_authority_arns"]:
        templates = [f"arn:{scope.partition}:acm-pca:::template/{t}" for t in scope["template_names"]]
        statements += [
            allow(
                "ReadAuthorities",
                ["acm-pca:DescribeCertificateAuthority", "acm-pca:GetCertificate"],
                authorities,
            ),
            allow(
                "IssueCertificates",
                ["acm-pca:IssueCertificate"],
                authorities,
                {"StringEquals": {"acm-pca:TemplateArn": one(templates)}},
            ),
        ]
    return statements + _assume(scope["assume_role_arns"])


AWS_PRIVATECA_ISSUER = Addon(
    name="aws-privateca-issuer",
    description="AWS Private CA issuer for cert-manager (EKS add-on aws-privateca-connector-for-kubernetes).",
    namespace="aws-privateca-issuer",
    service_account="aws-privateca-issuer",
    chart="EKS add-on aws-privateca-connector-for-kubernetes, or awspca/aws-privateca-issuer",
    service_account_value="serviceAccount.name",
    source=source("aws-privateca-issuer"),
    build=_privateca_issuer,
    inputs=(
        ScopeInput(
            "certificate_authority_arns",
            kinds.PRIVATE_CA,
            "The private CAs AWSPCAIssuers and AWSPCAClusterIssuers name (spec.arn)",
        ),
        ScopeInput(
            "template_names",
            kinds.PCA_TEMPLATE,
            "Templates it may issue with: add SubordinateCACertificate_PathLen0/V1 for Certificates with isCA, "
            "and each issuer's spec.pcaTemplate.defaultTemplateName",
            default=_USAGE_TEMPLATES,
        ),
        _assume_roles("the spec.role of issuers (CAs in another account without RAM sharing)"),
    ),
    require_any=(("certificate_authority_arns", "assume_role_arns"),),
    managed_policies=("AWSPrivateCAConnectorForKubernetesPolicy",),
    tighter=(
        "`acm-pca:IssueCertificate` is limited to the templates in `template_names` (`acm-pca:TemplateArn`); "
        "by default the end-entity templates the issuer picks from a certificate's usages, so the role cannot "
        "issue CA certificates unless asked to.",
        "The managed policy allows every CA of every account; the built-in policy only the given CAs.",
    ),
)

# --------------------------------------------------------------------------------------------------
# External Secrets Operator
# --------------------------------------------------------------------------------------------------

# ESO tags what PushSecret creates with managed-by=external-secrets and refuses to update or delete
# anything without that tag (isManagedByESO in both AWS providers), so conditioning on it refuses nothing
# the controller does.
_MANAGED_BY_KEY = "managed-by"
_MANAGED_BY = {f"aws:ResourceTag/{_MANAGED_BY_KEY}": "external-secrets"}
_TAGGED_BY_ESO = {f"aws:RequestTag/{_MANAGED_BY_KEY}": "external-secrets"}
_KEEPS_MANAGED_BY = {"ForAllValues:StringNotEquals": {"aws:TagKeys": _MANAGED_BY_KEY}}


def _parameter_paths(parameters: tuple[str, ...]) -> list[str]:
    """``.../parameter/app/prod/*`` -> ``.../parameter/app/prod``: GetParametersByPath is authorised on the path.

    Only for patterns that cover the path's whole subtree, so the path grants nothing the pattern does not.
    """
    paths = [p.removesuffix("/*") for p in parameters if p.endswith("/*")]
    return [p for p in paths if "*" not in p and "?" not in p and not p.endswith(":parameter")]


def _external_secrets_reads(scope: Scope) -> list[Statement]:
    secrets, parameters = scope["secret_arns"], scope["ssm_parameter_arns"]
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
        # GetParameter (values, WithDecryption), GetParametersByPath (find with a path), ListTagsForResource
        # (metadataPolicy: Fetch, and PushSecret's ownership check).
        statements.append(
            allow(
                "ReadParameters",
                ["ssm:GetParameter", "ssm:GetParametersByPath", "ssm:ListTagsForResource"],
                parameters,
            )
        )
        if paths := _parameter_paths(parameters):
            statements.append(allow("ReadParameterPaths", ["ssm:GetParametersByPath"], paths))
    if scope.flag("find") and (secrets or parameters):
        listing = []
        if secrets:
            listing += ["secretsmanager:ListSecrets", "secretsmanager:BatchGetSecretValue"]
        if parameters:
            listing.append("ssm:DescribeParameters")
        # Listing has no resource-level permissions; BatchGetSecretValue still needs GetSecretValue per secret.
        statements.append(allow("FindSecrets", listing, ANY))
    return statements


def _external_secrets_pushes(scope: Scope) -> list[Statement]:
    secrets, parameters = scope["secret_arns"], scope["ssm_parameter_arns"]
    statements: list[Statement] = []
    if secrets:
        statements += [
            allow("CreatePushedSecrets", ["secretsmanager:CreateSecret"], secrets, {"StringEquals": _TAGGED_BY_ESO}),
            # CreateSecret with tags and patchTags both send every desired tag, managed-by included.
            allow("TagPushedSecrets", ["secretsmanager:TagResource"], secrets, {"StringEquals": _TAGGED_BY_ESO}),
            allow(
                "UpdatePushedSecrets",
                [
                    "secretsmanager:PutSecretValue",
                    "secretsmanager:PutResourcePolicy",
                    # Called on every update whose metadata sets no resourcePolicy (since v0.20.4).
                    "secretsmanager:DeleteResourcePolicy",
                    "secretsmanager:RemoveRegionsFromReplication",
                    "secretsmanager:DeleteSecret",
                ],
                secrets,
                {"StringEquals": _MANAGED_BY},
            ),
            allow(
                "UntagPushedSecrets",
                ["secretsmanager:UntagResource"],
                secrets,
                {"StringEquals": _MANAGED_BY, **_KEEPS_MANAGED_BY},
            ),
            # Also authorised as part of CreateSecret (replicationLocations), before the secret carries its tags.
            allow(
                "ReplicatePushedSecrets",
                ["secretsmanager:ReplicateSecretToRegions"],
                secrets,
                {"StringEqualsIfExists": _MANAGED_BY},
            ),
        ]
    if parameters:
        statements += [
            allow("WritePushedParameters", ["ssm:PutParameter", "ssm:AddTagsToResource"], parameters),
            allow(
                "UntagPushedParameters",
                ["ssm:RemoveTagsFromResource"],
                parameters,
                {"StringEquals": _MANAGED_BY, **_KEEPS_MANAGED_BY},
            ),
            allow("DeletePushedParameters", ["ssm:DeleteParameter"], parameters, {"StringEquals": _MANAGED_BY}),
        ]
    return statements


def _external_secrets(scope: Scope) -> list[Statement]:
    push = scope.flag("push")
    statements = _external_secrets_reads(scope)
    if push:
        statements += _external_secrets_pushes(scope)
    services = [
        name
        for name, given in (("secretsmanager", scope["secret_arns"]), ("ssm", scope["ssm_parameter_arns"]))
        if given
    ]
    # Pushing encrypts: Secrets Manager with GenerateDataKey (and Encrypt for replica keys), Parameter Store
    # with Encrypt (standard SecureString) or GenerateDataKey (advanced).
    kms_actions = ["kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"] if push else ["kms:Decrypt"]
    statements += kms_via(scope, "KmsThroughSecretStores", kms_actions, scope["kms_key_arns"], services)
    return statements + _assume(scope["assume_role_arns"], tag_session=True)


EXTERNAL_SECRETS = Addon(
    name="external-secrets",
    description="External Secrets Operator: Secrets Manager and SSM Parameter Store into Kubernetes Secrets.",
    namespace="external-secrets",
    service_account="external-secrets",
    chart="external-secrets/external-secrets",
    service_account_value="serviceAccount.name",
    source=source("external-secrets"),
    build=_external_secrets,
    inputs=(
        _SECRETS,
        _PARAMETERS,
        _KMS_KEYS,
        ScopeInput("find", kinds.FLAG, "Allow dataFrom.find (list secrets and parameters by name or tag)"),
        ScopeInput(
            "push",
            kinds.FLAG,
            "Allow PushSecret to create, update and delete the given secrets and parameters (tags, resource "
            "policies and replication included)",
        ),
        _assume_roles("SecretStores' spec.provider.aws.role, with session tags"),
    ),
    require_any=(("secret_arns", "ssm_parameter_arns", "assume_role_arns"),),
    tighter=(
        "Listing (`ListSecrets`, `BatchGetSecretValue`, `DescribeParameters`) is granted only with `find`, "
        "writing only with `push`.",
        "Pushed secrets must be created with, and are only updated or deleted while carrying, the "
        "`managed-by: external-secrets` tag ESO puts on them and checks before every write (upstream: delete only).",
        "KMS only through Secrets Manager or SSM (`kms:ViaService`) in each key's own region.",
        "`ssm:GetParameters` and `ssm:GetParameterHistory` (in upstream's `ssm:GetParameter*`) are not granted: "
        "ESO never calls them.",
    ),
)

# --------------------------------------------------------------------------------------------------
# Secrets Store CSI driver provider for AWS (ASCP)
# --------------------------------------------------------------------------------------------------


def _secrets_store_csi(scope: Scope) -> list[Statement]:
    secrets, parameters = scope["secret_arns"], scope["ssm_parameter_arns"]
    statements: list[Statement] = []
    if secrets:
        statements.append(
            allow("ReadSecrets", ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], secrets)
        )
    if parameters:
        statements.append(allow("ReadParameters", ["ssm:GetParameters"], parameters))
    services = [n for n, given in (("secretsmanager", secrets), ("ssm", parameters)) if given]
    return statements + kms_via(scope, "DecryptWithKeys", ["kms:Decrypt"], scope["kms_key_arns"], services)


SECRETS_STORE_CSI_PROVIDER_AWS = Addon(
    name="secrets-store-csi-provider-aws",
    description=(
        "AWS Secrets and Configuration Provider (ASCP) for the Secrets Store CSI driver. The role belongs to the "
        "workload that mounts the secrets: give its namespace and service account."
    ),
    namespace=None,
    service_account=None,
    chart="aws-secrets-manager/secrets-store-csi-driver-provider-aws (the provider itself needs no role)",
    source=source("secrets-store-csi-provider-aws"),
    build=_secrets_store_csi,
    inputs=(
        ScopeInput(
            _SECRETS.name,
            _SECRETS.kind,
            "Secrets Manager secrets the SecretProviderClass names (with failoverRegion: the replicas too)",
        ),
        ScopeInput(_PARAMETERS.name, _PARAMETERS.kind, "SSM parameters the SecretProviderClass names"),
        _KMS_KEYS,
    ),
    require_any=(("secret_arns", "ssm_parameter_arns"),),
    tighter=("KMS decryption only through Secrets Manager or SSM (`kms:ViaService`) in each key's own region.",),
    notes=('With EKS Pod Identity, set usePodIdentity: "true" in the SecretProviderClass.',),
)
