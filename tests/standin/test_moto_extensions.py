"""The moto server's additions (EKS Pod Identity, OIDC client IDs), through boto3 only: no engine."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.fixtures.moto_server import MotoServer

from .support import ACCOUNT, REGION, Aws, trust

CLUSTER = "ext-cluster"


@pytest.fixture(scope="module")
def setup(cloud: Aws) -> dict[str, str]:
    iam = cloud.client("iam")
    role = iam.create_role(RoleName="ext-pods", AssumeRolePolicyDocument=trust("pods.eks.amazonaws.com"))["Role"]
    other = iam.create_role(RoleName="ext-other", AssumeRolePolicyDocument=trust("pods.eks.amazonaws.com"))["Role"]
    cloud.client("eks").create_cluster(name=CLUSTER, roleArn=role["Arn"], resourcesVpcConfig={})
    return {"role": role["Arn"], "other": other["Arn"]}


def _code(e: pytest.ExceptionInfo[ClientError]) -> str:
    return str(e.value.response["Error"]["Code"])


def test_create_describe_list_update_delete(cloud: Aws, setup: dict[str, str]) -> None:
    eks = cloud.client("eks")
    created = eks.create_pod_identity_association(
        clusterName=CLUSTER, namespace="ns", serviceAccount="crud", roleArn=setup["role"], tags={"a": "1"}
    )["association"]
    id = created["associationId"]
    assert created["associationArn"] == f"arn:aws:eks:{REGION}:{ACCOUNT}:podidentityassociation/{CLUSTER}/{id}"
    assert created["disableSessionTags"] is False and "externalId" not in created
    assert eks.describe_pod_identity_association(clusterName=CLUSTER, associationId=id)["association"] == created

    summaries = eks.list_pod_identity_associations(clusterName=CLUSTER, serviceAccount="crud")["associations"]
    assert summaries == [
        {k: created[k] for k in ("clusterName", "namespace", "serviceAccount", "associationArn", "associationId")}
    ]

    updated = eks.update_pod_identity_association(
        clusterName=CLUSTER, associationId=id, roleArn=setup["other"], targetRoleArn=setup["role"]
    )["association"]
    assert updated["roleArn"] == setup["other"] and updated["targetRoleArn"] == setup["role"]
    assert updated["externalId"] and updated["modifiedAt"] >= created["modifiedAt"]
    cleared = eks.update_pod_identity_association(clusterName=CLUSTER, associationId=id, targetRoleArn="")
    assert "targetRoleArn" not in cleared["association"] and "externalId" not in cleared["association"]

    eks.tag_resource(resourceArn=created["associationArn"], tags={"b": "2"})
    eks.untag_resource(resourceArn=created["associationArn"], tagKeys=["a"])
    assert eks.list_tags_for_resource(resourceArn=created["associationArn"])["tags"] == {"b": "2"}

    deleted = eks.delete_pod_identity_association(clusterName=CLUSTER, associationId=id)["association"]
    assert deleted["associationId"] == id
    with pytest.raises(ClientError) as gone:
        eks.describe_pod_identity_association(clusterName=CLUSTER, associationId=id)
    assert _code(gone) == "ResourceNotFoundException"


def test_one_association_per_service_account_per_cluster(cloud: Aws, setup: dict[str, str]) -> None:
    eks = cloud.client("eks")
    eks.create_pod_identity_association(
        clusterName=CLUSTER, namespace="ns", serviceAccount="once", roleArn=setup["role"]
    )
    with pytest.raises(ClientError) as twice:
        eks.create_pod_identity_association(
            clusterName=CLUSTER, namespace="ns", serviceAccount="once", roleArn=setup["other"]
        )
    assert _code(twice) == "ResourceInUseException"
    # The same name in another namespace is another service account.
    eks.create_pod_identity_association(
        clusterName=CLUSTER, namespace="ns2", serviceAccount="once", roleArn=setup["role"]
    )


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        ({"clusterName": "nope"}, "ResourceNotFoundException", "No cluster found for name: nope."),
        ({"roleArn": f"arn:aws:iam::{ACCOUNT}:role/nope"}, "InvalidParameterException", "does not exist"),
        ({"roleArn": "arn:aws:iam::999999999999:role/ext-pods"}, "InvalidParameterException", "cluster's account"),
        ({"targetRoleArn": "arn:aws:iam::999999999999:role/nope"}, "InvalidParameterException", "Target role"),
        ({"policy": "{}"}, "InvalidParameterException", "disableSessionTags"),
    ],
)
def test_create_refuses(cloud: Aws, setup: dict[str, str], change: dict[str, Any], code: str, message: str) -> None:
    request = {"clusterName": CLUSTER, "namespace": "ns", "serviceAccount": "refused", "roleArn": setup["role"]}
    with pytest.raises(ClientError) as refused:
        cloud.client("eks").create_pod_identity_association(**{**request, **change})
    assert _code(refused) == code and message in str(refused.value)


def test_requests_are_validated_against_the_service_model(moto: MotoServer, setup: dict[str, str]) -> None:
    # boto3 validates before sending; switch that off to see what the server does with a bad request.
    raw = boto3.client(
        "eks",
        endpoint_url=moto.url,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(parameter_validation=False),
    )
    with pytest.raises(ClientError) as missing:
        raw.create_pod_identity_association(clusterName=CLUSTER, serviceAccount="x", roleArn=setup["role"])
    assert _code(missing) == "InvalidParameterException" and "namespace" in str(missing.value)
    with pytest.raises(ClientError) as wrong_type:
        raw.create_pod_identity_association(
            clusterName=CLUSTER, namespace="n", serviceAccount="x", roleArn=setup["role"], tags={"a": 1}
        )
    assert _code(wrong_type) == "InvalidParameterException"
    with pytest.raises(ClientError) as too_many:
        raw.list_pod_identity_associations(clusterName=CLUSTER, maxResults=101)
    assert _code(too_many) == "InvalidParameterException" and "maxResults" in str(too_many.value)


def test_list_pages(cloud: Aws, setup: dict[str, str]) -> None:
    eks = cloud.client("eks")
    for i in range(5):
        eks.create_pod_identity_association(
            clusterName=CLUSTER, namespace="paged", serviceAccount=f"sa-{i}", roleArn=setup["role"]
        )
    pages = eks.get_paginator("list_pod_identity_associations").paginate(
        clusterName=CLUSTER, namespace="paged", PaginationConfig={"PageSize": 2}
    )
    sizes = [len(p["associations"]) for p in pages]
    assert sizes == [2, 2, 1]


def test_oidc_provider_client_ids_change_in_place(cloud: Aws) -> None:
    iam = cloud.client("iam")
    arn = iam.create_open_id_connect_provider(
        Url="https://issuer.example.com/ext", ClientIDList=["sts.amazonaws.com"], ThumbprintList=["a" * 40]
    )["OpenIDConnectProviderArn"]
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="other")
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="other")  # idempotent
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="sts.amazonaws.com")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="absent")
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ClientIDList"] == ["other"]
    with pytest.raises(ClientError) as missing:
        iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn + "x", ClientID="x")
    assert _code(missing) == "NoSuchEntity"
    # The rest is moto's own IAM, untouched.
    assert json.loads(json.dumps(iam.list_open_id_connect_providers()["OpenIDConnectProviderList"])) == [{"Arn": arn}]
