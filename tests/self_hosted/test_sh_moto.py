"""The issuer's S3 and IAM settings, replayed against moto with the same API calls Pulumi's provider makes."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from joserfc.jwk import KeySet
from moto import mock_aws

from irsa_components.components.self_hosted_issuer import SelfHostedOidcIssuer
from irsa_components.offline import Registration, Simulation
from irsa_components.self_hosted import DISCOVERY_KEY, key_id

from .keys import signing_key

Simulate = Callable[..., Simulation]
CONFIG = {"aws:region": "eu-west-1", "aws:allowedAccountIds": '["111122223333"]'}
BUCKET = "lab-oidc-issuer"


@pytest.fixture
def aws_clients() -> Iterator[tuple[Any, Any]]:
    with mock_aws():
        yield boto3.client("s3", region_name="eu-west-1"), boto3.client("iam", region_name="us-east-1")


def _one(sim: Simulation, type_: str) -> Registration:
    (found,) = sim.of_type(type_)
    return found


def test_the_bucket_settings_objects_and_provider_are_accepted(
    simulate: Simulate, aws_clients: tuple[Any, Any]
) -> None:
    s3, iam = aws_clients
    keys = [signing_key("primary").public_pem, signing_key("next").public_pem]
    sim = simulate(
        lambda: SelfHostedOidcIssuer("lab", {"bucket_name": BUCKET, "public_keys": keys}),
        config=CONFIG,
    )
    bucket = _one(sim, "aws:s3/bucket:Bucket").inputs["bucket"]
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})

    ownership = _one(sim, "aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs["rule"]
    s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": ownership["objectOwnership"]}]}
    )
    block = _one(sim, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": block["blockPublicAcls"],
            "IgnorePublicAcls": block["ignorePublicAcls"],
            "BlockPublicPolicy": block["blockPublicPolicy"],
            "RestrictPublicBuckets": block["restrictPublicBuckets"],
        },
    )
    sse = _one(sim, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    algorithm = sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"]
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": algorithm}}]
        },
    )
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for obj in sim.of_type("aws:s3/bucketObjectv2:BucketObjectv2"):
        s3.put_object(
            Bucket=bucket,
            Key=obj.inputs["key"],
            Body=obj.inputs["content"].encode(),
            ContentType=obj.inputs["contentType"],
            CacheControl=obj.inputs["cacheControl"],
        )

    assert s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": "BucketOwnerEnforced"}
    ]
    discovery_object = s3.get_object(Bucket=bucket, Key=DISCOVERY_KEY)
    assert discovery_object["ContentType"] == "application/json"
    discovery = json.loads(discovery_object["Body"].read())
    jwks_key = discovery["jwks_uri"].removeprefix(discovery["issuer"] + "/")
    jwks_object = s3.get_object(Bucket=bucket, Key=jwks_key)
    assert jwks_object["ContentType"] == "application/json"
    key_set = KeySet.import_key_set(json.loads(jwks_object["Body"].read()))
    assert {k.kid for k in key_set.keys} == {key_id(k) for k in keys}

    # The policy goes last: moto evaluates bucket policies on object calls and treats a statement whose
    # condition does not match (here the HTTPS-only Deny) as a deny, which S3 does not. The policy's
    # meaning is proved with core.evaluate in test_sh_issuer_component; here moto only has to accept it.
    policy = _one(sim, "aws:s3/bucketPolicy:BucketPolicy").inputs["policy"]
    s3.put_bucket_policy(Bucket=bucket, Policy=policy)
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == json.loads(policy)

    provider = _one(sim, "aws:iam/openIdConnectProvider:OpenIdConnectProvider").inputs
    created = iam.create_open_id_connect_provider(Url=provider["url"], ClientIDList=provider["clientIdLists"])
    expected = _one(sim, "aws:iam/openIdConnectProvider:OpenIdConnectProvider").state["arn"]
    # moto's account differs from the simulated one; the issuer part is what the IRSA trust keys on.
    assert created["OpenIDConnectProviderArn"].split(":oidc-provider/")[1] == expected.split(":oidc-provider/")[1]
