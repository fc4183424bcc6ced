"""The published documents: JWKS exactly as kube-apiserver computes it, discovery document, flags, names."""

from __future__ import annotations

import base64
import json

import pytest
from joserfc.jwk import KeySet, RSAKey

from irsa_components.self_hosted import (
    DISCOVERY_KEY,
    JWKS_KEY,
    KeyProblem,
    bucket_name_problem,
    discovery_document,
    jwk,
    jwks,
    key_id,
    kube_apiserver_flags,
    public_key_bundle,
    s3_issuer_url,
)

from .keys import (
    UPSTREAM_KEY_ID,
    UPSTREAM_PUBLIC_KEY,
    ec_public_pem,
    ed25519_public_pem,
    private_pem,
    signing_key,
    weak_rsa_public_pem,
)

ISSUER = "https://lab-oidc.s3.eu-west-1.amazonaws.com"


def _b64url_int(value: str) -> int:
    assert "=" not in value, "base64url values in a JWK carry no padding"
    return int.from_bytes(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)), "big")


def test_key_id_matches_kube_apiservers_own_test_vector() -> None:
    assert key_id(UPSTREAM_PUBLIC_KEY) == UPSTREAM_KEY_ID


def test_key_id_is_not_the_rfc7638_thumbprint() -> None:
    # A JWKS built with a JOSE library's default kid would not match the kid in the cluster's tokens.
    thumbprint = RSAKey.import_key(UPSTREAM_PUBLIC_KEY).thumbprint()
    assert key_id(UPSTREAM_PUBLIC_KEY) != thumbprint


def test_jwk_carries_the_rsa_public_numbers() -> None:
    key = signing_key("primary")
    entry = jwk(key.public_pem)
    numbers = key.private.public_key().public_numbers()
    assert entry["kty"] == "RSA"
    assert entry["alg"] == "RS256"
    assert entry["use"] == "sig"
    assert entry["kid"] == key_id(key.public_pem)
    assert _b64url_int(entry["n"]) == numbers.n
    assert _b64url_int(entry["e"]) == numbers.e
    assert entry["e"] == "AQAB"
    # n has no leading zero octet (RFC 7518 Base64urlUInt): 2048 bits are 256 bytes.
    assert len(base64.urlsafe_b64decode(entry["n"] + "==")) == 256


def test_jwks_lists_every_key_of_a_rotation_in_order_and_a_jose_library_reads_it() -> None:
    current, nxt = signing_key("primary"), signing_key("next")
    doc = json.loads(json.dumps(jwks([current.public_pem, nxt.public_pem])))
    assert [k["kid"] for k in doc["keys"]] == [key_id(current.public_pem), key_id(nxt.public_pem)]
    key_set = KeySet.import_key_set(doc)
    assert len(key_set.keys) == 2
    imported = key_set.get_by_kid(key_id(nxt.public_pem))
    assert isinstance(imported, RSAKey)
    assert imported.as_dict(private=False)["n"] == doc["keys"][1]["n"]


@pytest.mark.parametrize(
    ("pem", "fragment"),
    [
        pytest.param(ec_public_pem, "EC key (secp256r1)", id="ec"),
        pytest.param(ed25519_public_pem, "Ed25519", id="ed25519"),
        pytest.param(weak_rsa_public_pem, "1024-bit RSA key", id="weak-rsa"),
        pytest.param(lambda: private_pem(signing_key("primary")), "is a private key", id="private"),
        pytest.param(lambda: "not a key", "not a PEM-encoded public key", id="garbage"),
        pytest.param(lambda: "", "must be a PEM-encoded public key", id="empty"),
        pytest.param(
            lambda: signing_key("primary").public_pem + signing_key("next").public_pem,
            "exactly one PEM block",
            id="two-in-one",
        ),
    ],
)
def test_unusable_keys_are_refused_with_a_clear_reason(pem: object, fragment: str) -> None:
    value = str(pem() if callable(pem) else pem)
    with pytest.raises(KeyProblem, match=r"public_keys\[0\]") as raised:
        jwks([value])
    assert fragment in str(raised.value)


def test_every_bad_key_is_reported_at_once_and_duplicates_are_refused() -> None:
    good = signing_key("primary").public_pem
    with pytest.raises(KeyProblem) as raised:
        jwks([good, ec_public_pem(), good])
    message = str(raised.value)
    assert "public_keys[1] is an EC key" in message
    assert "public_keys[2] is the same key as public_keys[0]" in message


def test_an_empty_key_list_is_refused() -> None:
    with pytest.raises(KeyProblem, match="at least one public key"):
        jwks([])


def test_discovery_document_is_what_kube_apiserver_serves() -> None:
    doc = discovery_document(ISSUER)
    assert doc["issuer"] == ISSUER
    assert doc["jwks_uri"] == f"{ISSUER}/{JWKS_KEY}"
    assert doc["response_types_supported"] == ["id_token"]
    assert doc["subject_types_supported"] == ["public"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert {"sub", "aud", "iss"} <= set(doc["claims_supported"])


@pytest.mark.parametrize(
    "issuer",
    ["http://lab-oidc.s3.eu-west-1.amazonaws.com", f"{ISSUER}/", "https://host:8443/x", ""],
)
def test_discovery_document_refuses_issuers_sts_would_not_match(issuer: str) -> None:
    with pytest.raises(ValueError, match="issuer_url"):
        discovery_document(issuer)


def test_object_keys_are_the_paths_relying_parties_fetch() -> None:
    assert DISCOVERY_KEY == ".well-known/openid-configuration"
    assert JWKS_KEY == "openid/v1/jwks"


def test_kube_apiserver_flags() -> None:
    flags = kube_apiserver_flags(ISSUER)
    assert flags == [
        f"--service-account-issuer={ISSUER}",
        f"--service-account-jwks-uri={ISSUER}/openid/v1/jwks",
        "--service-account-key-file=/etc/kubernetes/pki/sa.pub",
        "--service-account-signing-key-file=/etc/kubernetes/pki/sa.key",
        f"--api-audiences={ISSUER}",
    ]
    custom = kube_apiserver_flags(
        ISSUER, key_file="/k/pub.pem", signing_key_file="/k/key.pem", api_audiences=["https://kubernetes.default.svc"]
    )
    assert "--service-account-key-file=/k/pub.pem" in custom
    assert "--service-account-signing-key-file=/k/key.pem" in custom
    assert "--api-audiences=https://kubernetes.default.svc" in custom


def test_public_key_bundle_holds_every_key_for_the_key_file() -> None:
    keys = [signing_key("primary").public_pem, signing_key("next").public_pem]
    bundle = public_key_bundle(keys)
    assert bundle.count("-----BEGIN PUBLIC KEY-----") == 2
    assert all(k.strip() in bundle for k in keys)


def test_s3_issuer_url_is_the_regional_virtual_hosted_endpoint() -> None:
    assert s3_issuer_url("lab-oidc", "eu-west-1") == ISSUER
    assert s3_issuer_url("lab-oidc", "cn-north-1", "aws-cn") == "https://lab-oidc.s3.cn-north-1.amazonaws.com.cn"


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("lab.oidc", "must not contain '.'"),
        ("ab", "3-63"),
        ("Lab-Oidc", "lowercase"),
        ("-lab", "lowercase"),
        ("xn--lab", "reserves"),
        ("lab-s3alias", "reserves"),
        ("a" * 64, "3-63"),
    ],
)
def test_bucket_names_s3_or_tls_would_refuse(name: str, fragment: str) -> None:
    problem = bucket_name_problem(name)
    assert problem is not None and fragment in problem


def test_a_plain_bucket_name_is_fine() -> None:
    assert bucket_name_problem("lab-oidc-issuer-7") is None
