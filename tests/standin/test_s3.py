"""The S3 pieces of a self-hosted OIDC issuer through the real engine, checked in moto's S3."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from pulumi import automation as auto

from .support import REGION, Aws, Engine, changes, outputs

BUCKET = "standin-issuer"


def issuer_program(spec: dict[str, Any]) -> Any:
    def program() -> None:
        bucket = aws.s3.Bucket("issuer", bucket=BUCKET, tags={"purpose": "oidc"})
        ownership = aws.s3.BucketOwnershipControls(
            "ownership",
            bucket=bucket.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
        )
        public = aws.s3.BucketPublicAccessBlock(
            "public",
            bucket=bucket.id,
            block_public_acls=True,
            ignore_public_acls=True,
            block_public_policy=False,
            restrict_public_buckets=False,
        )
        encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            "encryption",
            bucket=bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="AES256"
                    )
                )
            ],
        )
        versioning = aws.s3.BucketVersioning(
            "versioning",
            bucket=bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
        )
        policy = bucket.arn.apply(
            lambda arn: json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{arn}/*"}
                    ],
                }
            )
        )
        aws.s3.BucketPolicy(
            "policy", bucket=bucket.id, policy=policy, opts=pulumi.ResourceOptions(depends_on=[public, ownership])
        )
        document = aws.s3.BucketObjectv2(
            "discovery",
            bucket=bucket.id,
            key=".well-known/openid-configuration",
            content=spec["discovery"],
            content_type="application/json",
            cache_control="max-age=300",
            opts=pulumi.ResourceOptions(depends_on=[ownership, encryption, versioning]),
        )
        pulumi.export("arn", bucket.arn)
        pulumi.export("domain", bucket.bucket_regional_domain_name)
        pulumi.export("region", bucket.region)
        pulumi.export("version", document.version_id)
        pulumi.export("etag", document.etag)

    return program


def test_issuer_bucket_round_trip(stand_in: Engine, cloud: Aws) -> None:
    s3 = cloud.client("s3")
    spec = {"discovery": json.dumps({"issuer": f"https://{BUCKET}.s3.{REGION}.amazonaws.com"})}
    stack = stand_in.stack("issuer", issuer_program(spec))

    assert changes(stack.preview().change_summary) == {"create": 8}
    assert BUCKET not in [b["Name"] for b in s3.list_buckets()["Buckets"]]

    up = stack.up()
    out = outputs(up)
    assert changes(up.summary.resource_changes) == {"create": 8}
    assert out["arn"] == f"arn:aws:s3:::{BUCKET}"
    assert out["domain"] == f"{BUCKET}.s3.{REGION}.amazonaws.com"
    assert out["region"] == REGION
    assert s3.get_bucket_tagging(Bucket=BUCKET)["TagSet"] == [{"Key": "purpose", "Value": "oidc"}]
    rules = s3.get_bucket_ownership_controls(Bucket=BUCKET)["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False,
    }
    sse = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert sse["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    statement = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])["Statement"][0]
    assert statement["Resource"] == f"arn:aws:s3:::{BUCKET}/*" and statement["Principal"] == "*"
    got = s3.get_object(Bucket=BUCKET, Key=".well-known/openid-configuration")
    assert got["Body"].read().decode() == spec["discovery"]
    assert (got["ContentType"], got["CacheControl"]) == ("application/json", "max-age=300")
    assert got["VersionId"] == out["version"] and got["ETag"].strip('"') == out["etag"]

    assert changes(stack.preview().change_summary) == {"same": 8}

    # New content: the object is rewritten in place, as a new version of the same key.
    spec["discovery"] = json.dumps({"issuer": "https://example.com"})
    up = stack.up()
    assert changes(up.summary.resource_changes) == {"same": 7, "update": 1}
    assert outputs(up)["version"] != out["version"]
    body = s3.get_object(Bucket=BUCKET, Key=".well-known/openid-configuration")["Body"].read().decode()
    assert body == spec["discovery"]

    # Destroy removes every version of the object, so the versioned bucket can go too.
    destroy = stack.destroy()
    assert changes(destroy.summary.resource_changes) == {"delete": 8}
    assert BUCKET not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_generated_bucket_names_are_lowercase(stand_in: Engine, cloud: Aws) -> None:
    def program() -> None:
        pulumi.export("name", aws.s3.Bucket("MixedCase").bucket)

    stack = stand_in.stack("bucket-name", program)
    name = outputs(stack.up())["name"]
    assert name.startswith("mixedcase-") and name == name.lower()
    assert name in [b["Name"] for b in cloud.client("s3").list_buckets()["Buckets"]]


def test_a_bucket_created_but_not_tagged_is_kept_in_the_state(stand_in: Engine, cloud: Aws) -> None:
    # S3 refuses "aws:" tags after the bucket exists: the engine must record the bucket (as the real
    # provider reports a resource that failed to initialize), and the next up updates it in place.
    tags = {"aws:reserved": "no"}

    def program() -> None:
        aws.s3.Bucket("half", bucket="standin-half-made", tags=tags)

    stack = stand_in.stack("half-made", program)
    with pytest.raises(auto.errors.CommandError) as failed:
        stack.up()
    assert "InvalidTag" in str(failed.value)
    state = [r for r in stack.export_stack().deployment["resources"] if r["type"] == "aws:s3/bucket:Bucket"]
    assert [r["id"] for r in state] == ["standin-half-made"] and state[0].get("initErrors")
    assert "standin-half-made" in [b["Name"] for b in cloud.client("s3").list_buckets()["Buckets"]]

    tags.clear()
    tags["purpose"] = "retry"
    up = stack.up()
    assert changes(up.summary.resource_changes) == {"same": 1, "update": 1}
    got = cloud.client("s3").get_bucket_tagging(Bucket="standin-half-made")["TagSet"]
    assert got == [{"Key": "purpose", "Value": "retry"}]
