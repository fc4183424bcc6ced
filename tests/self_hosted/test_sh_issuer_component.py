"""SelfHostedOidcIssuer under the SDK mocks: what is published, to whom, and what the cluster is told."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from irsa_components.components.irsa_role import IrsaRole
from irsa_components.components.self_hosted_issuer import SelfHostedOidcIssuer, SelfHostedOidcIssuerArgs
from irsa_components.core import evaluate
from irsa_components.core.errors import InputError
from irsa_components.offline import Registration, Simulation
from irsa_components.self_hosted import discovery_document, jwks, key_id

from .keys import ec_public_pem, signing_key

Simulate = Callable[..., Simulation]
CONFIG = {"aws:region": "eu-west-1", "aws:allowedAccountIds": '["111122223333"]'}
BUCKET = "lab-oidc-issuer"
ISSUER = f"https://{BUCKET}.s3.eu-west-1.amazonaws.com"
BUCKET_ARN = f"arn:aws:s3:::{BUCKET}"
COMPONENT = "irsa-components:index:SelfHostedOidcIssuer"


def _args(**overrides: Any) -> SelfHostedOidcIssuerArgs:
    args: dict[str, Any] = {"bucket_name": BUCKET, "public_keys": [signing_key("primary").public_pem]}
    args.update(overrides)
    return args  # type: ignore[return-value]


def _run(simulate: Simulate, **overrides: Any) -> Simulation:
    def program() -> None:
        issuer = SelfHostedOidcIssuer("lab", _args(**overrides))
        pulumi.export("issuer_url", issuer.issuer_url)
        pulumi.export("provider_arn", issuer.provider_arn)
        pulumi.export("flags", issuer.kube_apiserver_flags)
        pulumi.export("key_ids", issuer.key_ids)
        pulumi.export("bundle", issuer.public_key_bundle)

    return simulate(program, config=CONFIG)


def _one(sim: Simulation, type_: str) -> Registration:
    found = sim.of_type(type_)
    assert len(found) == 1, [r.name for r in found]
    return found[0]


@pytest.fixture
def sim(simulate: Simulate) -> Simulation:
    return _run(simulate)


def _policy(sim: Simulation) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(_one(sim, "aws:s3/bucketPolicy:BucketPolicy").inputs["policy"])
    return parsed


def _anonymous(action: str, resource: str, *, secure: bool = True) -> evaluate.Request:
    return evaluate.Request(
        action=action,
        principal_type="AWS",
        principal="*",
        resource=resource,
        context={"aws:SecureTransport": secure},
    )


@pytest.mark.parametrize("key", [".well-known/openid-configuration", "openid/v1/jwks"])
def test_the_two_documents_are_public_over_https(sim: Simulation, key: str) -> None:
    decision = evaluate.evaluate(_policy(sim), _anonymous("s3:GetObject", f"{BUCKET_ARN}/{key}"))
    assert decision.outcome == "allow"


@pytest.mark.parametrize(
    "key",
    [
        "keys.json",
        "openid/v1/jwks.bak",
        "openid/v1/jwks/x",
        ".well-known/openid-configuration2",
        ".well-known/other",
        "sa.key",
        "private/secrets.json",
        "",
    ],
)
def test_every_other_object_stays_private(sim: Simulation, key: str) -> None:
    decision = evaluate.evaluate(_policy(sim), _anonymous("s3:GetObject", f"{BUCKET_ARN}/{key}"))
    assert not decision.allowed


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("s3:ListBucket", BUCKET_ARN),
        ("s3:PutObject", f"{BUCKET_ARN}/openid/v1/jwks"),
        ("s3:DeleteObject", f"{BUCKET_ARN}/.well-known/openid-configuration"),
        ("s3:GetObjectVersion", f"{BUCKET_ARN}/openid/v1/jwks"),
        ("s3:GetBucketPolicy", BUCKET_ARN),
    ],
)
def test_anonymous_callers_can_do_nothing_else(sim: Simulation, action: str, resource: str) -> None:
    assert not evaluate.evaluate(_policy(sim), _anonymous(action, resource)).allowed


def test_plain_http_reads_are_denied_explicitly(sim: Simulation) -> None:
    decision = evaluate.evaluate(_policy(sim), _anonymous("s3:GetObject", f"{BUCKET_ARN}/openid/v1/jwks", secure=False))
    assert decision.outcome == "explicit-deny"


def test_acls_are_disabled_and_only_the_policy_may_publish(sim: Simulation) -> None:
    ownership = _one(sim, "aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs
    assert ownership["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    block = _one(sim, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs
    assert block["blockPublicAcls"] is True
    assert block["ignorePublicAcls"] is True
    assert block["blockPublicPolicy"] is False
    assert block["restrictPublicBuckets"] is False
    policy = _one(sim, "aws:s3/bucketPolicy:BucketPolicy")
    # The policy is put only once the public access block and ownership controls are in place.
    assert set(policy.dependencies) >= {
        _one(sim, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").urn,
        _one(sim, "aws:s3/bucketOwnershipControls:BucketOwnershipControls").urn,
    }


def test_objects_are_encrypted_with_s3_managed_keys_and_versioned(sim: Simulation) -> None:
    sse = _one(sim, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    assert sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"
    versioning = _one(sim, "aws:s3/bucketVersioning:BucketVersioning")
    assert versioning.inputs["versioningConfiguration"]["status"] == "Enabled"


def test_the_bucket_is_protected_and_named_as_asked(sim: Simulation) -> None:
    bucket = _one(sim, "aws:s3/bucket:Bucket")
    assert bucket.inputs["bucket"] == BUCKET
    assert bucket.protect


def test_the_objects_are_the_discovery_document_and_the_jwks_as_json(sim: Simulation) -> None:
    objects = {r.inputs["key"]: r.inputs for r in sim.of_type("aws:s3/bucketObjectv2:BucketObjectv2")}
    assert set(objects) == {".well-known/openid-configuration", "openid/v1/jwks"}
    assert all(o["contentType"] == "application/json" for o in objects.values())
    assert json.loads(objects[".well-known/openid-configuration"]["content"]) == discovery_document(ISSUER)
    assert json.loads(objects["openid/v1/jwks"]["content"]) == jwks([signing_key("primary").public_pem])


def test_the_iam_oidc_provider_is_for_the_bucket_issuer_protected_and_created_after_publishing(
    sim: Simulation,
) -> None:
    provider = _one(sim, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert provider.protect
    assert provider.inputs["url"] == ISSUER
    assert provider.inputs["clientIdLists"] == ["sts.amazonaws.com"]
    wrapper = _one(sim, "irsa-components:index:OidcProvider")
    published = {r.urn for r in sim.of_type("aws:s3/bucketObjectv2:BucketObjectv2")}
    assert published <= set(wrapper.dependencies)
    assert sim.outputs["provider_arn"] == f"arn:aws:iam::111122223333:oidc-provider/{BUCKET}.s3.eu-west-1.amazonaws.com"


def test_outputs_tell_the_cluster_how_to_sign(sim: Simulation) -> None:
    assert sim.outputs["issuer_url"] == ISSUER
    assert sim.outputs["flags"] == [
        f"--service-account-issuer={ISSUER}",
        f"--service-account-jwks-uri={ISSUER}/openid/v1/jwks",
        "--service-account-key-file=/etc/kubernetes/pki/sa.pub",
        "--service-account-signing-key-file=/etc/kubernetes/pki/sa.key",
        f"--api-audiences={ISSUER}",
    ]
    assert sim.outputs["key_ids"] == [key_id(signing_key("primary").public_pem)]


def test_every_child_is_parented_to_the_component_and_prefixed(sim: Simulation) -> None:
    component = _one(sim, COMPONENT)
    descendants: list[Registration] = []
    frontier = [component.urn]
    while frontier:
        children = [r for urn in frontier for r in sim.children(urn)]
        descendants += children
        frontier = [c.urn for c in children]
    assert {r.type for r in descendants} >= {
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketObjectv2:BucketObjectv2",
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    }
    assert len(descendants) == len(sim.resources) - 1
    assert all(r.name.startswith("lab-") for r in descendants)


def test_rotation_publishes_every_key(simulate: Simulate) -> None:
    keys = [signing_key("primary").public_pem, signing_key("next").public_pem]
    sim = _run(simulate, public_keys=keys)
    objects = {r.inputs["key"]: r.inputs for r in sim.of_type("aws:s3/bucketObjectv2:BucketObjectv2")}
    published = json.loads(objects["openid/v1/jwks"]["content"])
    assert [k["kid"] for k in published["keys"]] == [key_id(k) for k in keys]
    assert sim.outputs["key_ids"] == [key_id(k) for k in keys]
    assert sim.outputs["bundle"].count("BEGIN PUBLIC KEY") == 2


def test_public_keys_may_be_outputs(simulate: Simulate) -> None:
    pem = signing_key("primary").public_pem

    def program() -> None:
        issuer = SelfHostedOidcIssuer("lab", _args(public_keys=[pulumi.Output.from_input(pem)]))
        pulumi.export("key_ids", issuer.key_ids)

    sim = simulate(program, config=CONFIG)
    assert sim.outputs["key_ids"] == [key_id(pem)]


def test_protection_can_be_turned_off(simulate: Simulate) -> None:
    sim = _run(simulate, protect=False)
    assert not _one(sim, "aws:s3/bucket:Bucket").protect
    assert not _one(sim, "aws:iam/openIdConnectProvider:OpenIdConnectProvider").protect


def test_custom_paths_and_api_audiences_reach_the_flags(simulate: Simulate) -> None:
    sim = _run(
        simulate,
        service_account_key_file="/etc/k8s/sa-keys.pem",
        service_account_signing_key_file="/etc/k8s/sa-2026.key",
        api_audiences=["https://kubernetes.default.svc", "sts.amazonaws.com"],
    )
    flags = sim.outputs["flags"]
    assert "--service-account-key-file=/etc/k8s/sa-keys.pem" in flags
    assert "--service-account-signing-key-file=/etc/k8s/sa-2026.key" in flags
    assert "--api-audiences=https://kubernetes.default.svc,sts.amazonaws.com" in flags


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"public_keys": []}, "public_keys"),
        ({"public_keys": ["-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----\n"]}, "public_keys[0]"),
        ({"bucket_name": "lab.oidc"}, "bucket_name"),
        ({"issuer_url": "https://oidc.example.com/"}, "issuer_url"),
        ({"client_ids": []}, "client_ids"),
        ({"service_account_key_file": "sa.pub"}, "service_account_key_file"),
        ({"api_audiences": ["a,b"]}, "api_audiences[0]"),
    ],
)
def test_invalid_inputs_fail_before_anything_is_registered(
    simulate: Simulate, overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(InputError) as raised:
        _run(simulate, **overrides)
    assert field in {p.field for p in raised.value.problems}


def test_a_non_rsa_key_is_refused_naming_the_key(simulate: Simulate) -> None:
    with pytest.raises(InputError) as raised:
        _run(simulate, public_keys=[signing_key("primary").public_pem, ec_public_pem()])
    (problem,) = raised.value.problems
    assert problem.field == "public_keys[1]"
    assert "RSA" in problem.message


def test_an_irsa_role_trusts_the_self_hosted_issuer(simulate: Simulate) -> None:
    def program() -> None:
        issuer = SelfHostedOidcIssuer("lab", _args())
        role = IrsaRole("payments", {"service_accounts": ["payments/api"], "oidc_provider_arns": [issuer.provider_arn]})
        pulumi.export("trust", role.trust_policy)
        pulumi.export("provider_arn", issuer.provider_arn)

    sim = simulate(program, config=CONFIG)
    trust = json.loads(sim.outputs["trust"])
    host = f"{BUCKET}.s3.eu-west-1.amazonaws.com"
    admitted = evaluate.web_identity_request(sim.outputs["provider_arn"], host, "system:serviceaccount:payments:api")
    refused = evaluate.web_identity_request(sim.outputs["provider_arn"], host, "system:serviceaccount:payments:other")
    assert evaluate.evaluate(trust, admitted).allowed
    assert not evaluate.evaluate(trust, refused).allowed
