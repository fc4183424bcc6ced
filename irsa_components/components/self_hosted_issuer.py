"""SelfHostedOidcIssuer: a public OIDC issuer in S3 and the IAM OIDC provider for a self-hosted cluster."""

import json
from collections.abc import Mapping, Sequence
from typing import Optional, Required, TypedDict

import pulumi
import pulumi_aws as aws

from ..core import documents
from ..core.errors import InputError, Problems
from ..core.limits import OIDC_CLIENT_ID_MAX, Quotas
from ..core.trust import DEFAULT_AUDIENCE, issuer_host, issuer_url_problem
from ..core.validate import check_tags
from ..self_hosted import (
    CONTENT_TYPE,
    DEFAULT_KEY_FILE,
    DEFAULT_SIGNING_KEY_FILE,
    DISCOVERY_KEY,
    JWKS_KEY,
    bucket_name_problem,
    discovery_document,
    jwks,
    key_problems,
    kube_apiserver_flags,
    public_key_bundle,
    public_read_bucket_policy,
    s3_issuer_url,
)
from ._inputs import is_known, plain_list, subject
from ._keys import check_keys
from ._lookups import aws_environment, aws_provider_of
from .oidc_provider import OidcProvider, OidcProviderArgs

TYPE = "irsa-components:index:SelfHostedOidcIssuer"
CACHE_CONTROL = "max-age=300"
"""Short enough that a key rotation reaches anything caching the objects within minutes."""


class SelfHostedOidcIssuerArgs(TypedDict, total=False):
    """Inputs of SelfHostedOidcIssuer."""

    bucket_name: Required[str]
    """Name of the S3 bucket to create (globally unique, no dots). The issuer URL derives from it and must never change."""
    public_keys: Required[Sequence[pulumi.Input[str]]]
    """PEM public keys (RSA, 2048 bits or more) of the cluster's service-account signing keys. List several during a rotation."""
    issuer_url: str
    """Issuer URL to publish under, if the bucket is served elsewhere (e.g. a CDN). Default https://<bucket>.s3.<region>.amazonaws.com."""
    client_ids: Sequence[str]
    """Audiences the IAM OIDC provider accepts. Default ['sts.amazonaws.com'] (the pod identity webhook's token audience)."""
    api_audiences: Sequence[str]
    """Value of kube-apiserver --api-audiences in the flags output. Default: the issuer URL (kube-apiserver's own default)."""
    service_account_key_file: str
    """Path on the control plane of the PEM file holding all public_keys (--service-account-key-file). Default /etc/kubernetes/pki/sa.pub."""
    service_account_signing_key_file: str
    """Path on the control plane of the current private signing key (--service-account-signing-key-file). Default /etc/kubernetes/pki/sa.key."""
    tags: Mapping[str, str]
    """Tags for the bucket and the IAM OIDC provider."""
    protect: bool
    """Protect the bucket and the IAM OIDC provider from deletion: every IRSA role of the cluster depends on them. Default true."""


def _path_problem(value: object) -> Optional[str]:
    if not isinstance(value, str) or not value.startswith("/") or any(c.isspace() or c == "," for c in value):
        return "must be an absolute path without spaces or commas"
    return None


def _jwks_json(label: str, pems: Sequence[str]) -> str:
    problems = Problems(label)
    for i, message in key_problems(pems):
        problems.add(f"public_keys[{i}]" if i >= 0 else "public_keys", "(PEM)", message)
    if problems:
        raise InputError(problems)
    return documents.to_json(jwks(pems))


class SelfHostedOidcIssuer(pulumi.ComponentResource):
    """A public OIDC issuer for a self-hosted cluster: discovery document and JWKS in S3, and its IAM OIDC provider.

    The bucket publishes exactly two objects (/.well-known/openid-configuration and /openid/v1/jwks)
    to anonymous HTTPS readers through its bucket policy; ACLs are disabled (BucketOwnerEnforced),
    public ACLs blocked, objects encrypted (SSE-S3) and versioned. kube_apiserver_flags lists the
    flags that make the cluster sign tokens for this issuer.
    """

    issuer_url: pulumi.Output[str]
    """The issuer URL (--service-account-issuer; the tokens' iss claim)."""
    issuer_host: pulumi.Output[str]
    """The issuer without https://: the prefix of IRSA trust condition keys (<host>:sub, <host>:aud)."""
    jwks_uri: pulumi.Output[str]
    """URL of the published JWKS."""
    provider_arn: pulumi.Output[str]
    """ARN of the IAM OIDC provider: the oidc_provider_arns entry of IrsaRole."""
    oidc_provider: aws.iam.OpenIdConnectProvider
    """The IAM OIDC provider (protected unless protect is false)."""
    bucket: aws.s3.Bucket
    """The S3 bucket serving the issuer documents."""
    bucket_policy: pulumi.Output[str]
    """The bucket policy JSON."""
    discovery_document: pulumi.Output[str]
    """The published OpenID Connect discovery document (JSON)."""
    jwks: pulumi.Output[str]
    """The published JSON Web Key Set (JSON)."""
    key_ids: pulumi.Output[list[str]]
    """The kid of each public key, in public_keys order (what kube-apiserver puts in token headers)."""
    public_key_bundle: pulumi.Output[str]
    """All public keys as one PEM file: the content of --service-account-key-file."""
    kube_apiserver_flags: pulumi.Output[list[str]]
    """kube-apiserver flags: --service-account-issuer, --service-account-jwks-uri, --service-account-key-file, --service-account-signing-key-file, --api-audiences."""

    def __init__(
        self, name: str, args: SelfHostedOidcIssuerArgs, opts: Optional[pulumi.ResourceOptions] = None
    ) -> None:
        label = subject("SelfHostedOidcIssuer", name)
        problems = Problems(label)
        if not check_keys(problems, args, SelfHostedOidcIssuerArgs):
            problems.raise_if_any()
        bucket_name = args.get("bucket_name")
        problems.check("bucket_name", bucket_name, bucket_name_problem(bucket_name))
        keys = plain_list(args.get("public_keys"))
        if keys is None or not keys:
            problems.add("public_keys", args.get("public_keys"), "give a list of at least one PEM public key")
            keys = []
        plain_keys = [k for k in keys if isinstance(k, str)]
        if len(plain_keys) == len(keys):
            for i, message in key_problems(plain_keys):
                problems.add(f"public_keys[{i}]" if i >= 0 else "public_keys", "(PEM)", message)
        url = args.get("issuer_url")
        if url is not None:
            problems.check("issuer_url", url, issuer_url_problem(url))
            if isinstance(url, str) and url.endswith("/"):
                problems.add("issuer_url", url, "must not end with '/': tokens' iss must match the issuer exactly")
        client_ids = plain_list(args.get("client_ids", [DEFAULT_AUDIENCE])) or []
        if not client_ids:
            problems.add("client_ids", args.get("client_ids"), "at least one client ID is required")
        for i, cid in enumerate(client_ids):
            if not isinstance(cid, str) or not 1 <= len(cid) <= OIDC_CLIENT_ID_MAX:
                problems.add(f"client_ids[{i}]", cid, f"must be 1-{OIDC_CLIENT_ID_MAX} characters")
        api_audiences = plain_list(args.get("api_audiences")) or []
        for i, aud in enumerate(api_audiences):
            if not isinstance(aud, str) or not aud or "," in aud or any(c.isspace() for c in aud):
                problems.add(f"api_audiences[{i}]", aud, "must be a non-empty audience without commas or spaces")
        key_file = args.get("service_account_key_file", DEFAULT_KEY_FILE)
        signing_key_file = args.get("service_account_signing_key_file", DEFAULT_SIGNING_KEY_FILE)
        problems.check("service_account_key_file", key_file, _path_problem(key_file))
        problems.check("service_account_signing_key_file", signing_key_file, _path_problem(signing_key_file))
        check_tags(problems, "tags", args.get("tags"), Quotas.tags_per_resource)
        problems.raise_if_any()
        assert isinstance(bucket_name, str)

        super().__init__(TYPE, name, None, opts)
        protect = bool(args.get("protect", True))
        tags = dict(args.get("tags") or {}) or None
        child = pulumi.ResourceOptions(parent=self)

        issuer: pulumi.Output[str]
        if isinstance(url, str):
            issuer = pulumi.Output.from_input(url)
        else:
            env = aws_environment(aws_provider_of(self))
            issuer = pulumi.Output.all(env.region, env.partition).apply(
                lambda v: s3_issuer_url(bucket_name, v[0], v[1])
            )
        self.issuer_url = issuer
        self.issuer_host = issuer.apply(issuer_host)
        self.jwks_uri = issuer.apply(lambda u: f"{u}/{JWKS_KEY}")
        self.discovery_document = issuer.apply(lambda u: documents.to_json(discovery_document(u)))
        self.jwks = (
            pulumi.Output.from_input(_jwks_json(label, plain_keys))
            if is_known(keys)
            else pulumi.Output.all(*keys).apply(lambda pems: _jwks_json(label, [str(p) for p in pems]))
        )
        self.key_ids = self.jwks.apply(lambda doc: [str(k["kid"]) for k in _parse(doc)["keys"]])
        self.public_key_bundle = pulumi.Output.all(*keys).apply(lambda pems: public_key_bundle([str(p) for p in pems]))
        self.kube_apiserver_flags = issuer.apply(
            lambda u: kube_apiserver_flags(
                u,
                key_file=str(key_file),
                signing_key_file=str(signing_key_file),
                api_audiences=[str(a) for a in api_audiences] or None,
            )
        )

        self.bucket = aws.s3.Bucket(
            f"{name}-bucket",
            bucket=bucket_name,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, protect=protect),
        )
        ownership = aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=self.bucket.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=child,
        )
        public_access = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access",
            bucket=self.bucket.id,
            block_public_acls=True,
            ignore_public_acls=True,
            # The bucket policy is what publishes the two documents: it must be allowed and honoured.
            block_public_policy=False,
            restrict_public_buckets=False,
            opts=child,
        )
        encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=self.bucket.id,
            # SSE-S3: anonymous readers (STS) cannot use a KMS key, so SSE-KMS would hide the documents.
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="AES256"
                    )
                )
            ],
            opts=child,
        )
        versioning = aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=self.bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=child,
        )
        self.bucket_policy = self.bucket.arn.apply(lambda arn: documents.to_json(public_read_bucket_policy(arn)))
        policy = aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=self.bucket.id,
            policy=self.bucket_policy,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[public_access, ownership]),
        )
        uploaded = []
        for suffix, key, content in (
            ("discovery", DISCOVERY_KEY, self.discovery_document),
            ("jwks", JWKS_KEY, self.jwks),
        ):
            uploaded.append(
                aws.s3.BucketObjectv2(
                    f"{name}-{suffix}",
                    bucket=self.bucket.id,
                    key=key,
                    content=content,
                    content_type=CONTENT_TYPE,
                    cache_control=CACHE_CONTROL,
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[ownership, encryption, versioning]),
                )
            )
        # IAM fetches the JWKS when the provider is created: publish the documents first.
        provider_args: OidcProviderArgs = {
            "issuer_url": issuer,
            "client_ids": [str(c) for c in client_ids],
            "protect": protect,
        }
        if tags:
            provider_args["tags"] = tags
        provider = OidcProvider(
            f"{name}-oidc",
            provider_args,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy, *uploaded]),
        )
        assert provider.provider is not None
        self.oidc_provider = provider.provider
        self.provider_arn = provider.arn
        self.register_outputs(
            {
                "issuer_url": self.issuer_url,
                "issuer_host": self.issuer_host,
                "jwks_uri": self.jwks_uri,
                "provider_arn": self.provider_arn,
                "oidc_provider": self.oidc_provider,
                "bucket": self.bucket,
                "bucket_policy": self.bucket_policy,
                "discovery_document": self.discovery_document,
                "jwks": self.jwks,
                "key_ids": self.key_ids,
                "public_key_bundle": self.public_key_bundle,
                "kube_apiserver_flags": self.kube_apiserver_flags,
            }
        )


def _parse(doc: str) -> dict[str, list[dict[str, str]]]:
    parsed: dict[str, list[dict[str, str]]] = json.loads(doc)
    return parsed


__all__ = ["SelfHostedOidcIssuer", "SelfHostedOidcIssuerArgs"]
