"""A real round trip: kube-apiserver-shaped tokens verified through the published discovery document and JWKS.

The verifier below does what STS does with a web-identity token: read the discovery document at
``<iss>/.well-known/openid-configuration``, fetch ``jwks_uri``, pick the key by ``kid``, check the
RS256 signature and the iss/aud/exp/nbf claims. It then asks the IAM evaluator whether the IRSA
trust built for that issuer admits the token's sub and aud.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

import pytest
from joserfc import jwt
from joserfc.errors import BadSignatureError, ExpiredTokenError, InvalidClaimError, InvalidKeyIdError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from irsa_components.core import evaluate
from irsa_components.core.arns import oidc_provider_arn
from irsa_components.core.kubernetes import ServiceAccountRef
from irsa_components.core.trust import issuer_host, workload_trust_policy
from irsa_components.self_hosted import DISCOVERY_KEY, discovery_document, jwks, key_id

from .keys import NOW, SigningKey, service_account_token, signing_key

ISSUER = "https://lab-oidc.s3.eu-west-1.amazonaws.com"
ACCOUNT = "111122223333"


class PublishedIssuer:
    """The two public objects, as bytes, keyed by URL: what STS can fetch from the bucket."""

    def __init__(self, issuer: str, public_pems: list[str]) -> None:
        discovery = discovery_document(issuer)
        self.objects = {
            f"{issuer}/{DISCOVERY_KEY}": json.dumps(discovery).encode(),
            discovery["jwks_uri"]: json.dumps(jwks(public_pems)).encode(),
        }

    def fetch(self, url: str) -> Mapping[str, Any]:
        parsed: Mapping[str, Any] = json.loads(self.objects[url])
        return parsed


def verify(token: str, published: PublishedIssuer, *, now: int = NOW) -> dict[str, Any]:
    """Verify like STS: discovery -> JWKS -> signature by kid -> iss, aud, exp, nbf."""
    unverified_iss = json.loads(_segment(token, 1))["iss"]
    discovery = published.fetch(f"{unverified_iss}/{DISCOVERY_KEY}")
    assert discovery["issuer"] == unverified_iss
    key_set = KeySet.import_key_set(published.fetch(discovery["jwks_uri"]))  # type: ignore[arg-type]
    decoded = jwt.decode(token, key_set, algorithms=discovery["id_token_signing_alg_values_supported"])
    JWTClaimsRegistry(
        now=now,
        iss={"essential": True, "value": discovery["issuer"]},
        aud={"essential": True, "value": "sts.amazonaws.com"},
        sub={"essential": True},
        exp={"essential": True},
    ).validate(decoded.claims)
    return dict(decoded.claims)


def _segment(token: str, index: int) -> bytes:
    part = token.split(".")[index]
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _token(key: SigningKey, namespace: str = "payments", service_account: str = "api", **kwargs: Any) -> str:
    kid = kwargs.pop("kid", key_id(key.public_pem))
    return service_account_token(
        key,
        kid=kid,
        issuer=kwargs.pop("issuer", ISSUER),
        namespace=namespace,
        service_account=service_account,
        **kwargs,
    )


@pytest.fixture(scope="module")
def current() -> SigningKey:
    return signing_key("primary")


@pytest.fixture(scope="module")
def upcoming() -> SigningKey:
    return signing_key("next")


def test_a_token_signed_by_the_cluster_key_verifies(current: SigningKey) -> None:
    published = PublishedIssuer(ISSUER, [current.public_pem])
    claims = verify(_token(current), published)
    assert claims["sub"] == "system:serviceaccount:payments:api"
    assert claims["kubernetes.io"]["serviceaccount"]["name"] == "api"


def test_the_token_header_names_the_key_by_the_published_kid(current: SigningKey) -> None:
    header = json.loads(_segment(_token(current), 0))
    assert header["alg"] == "RS256"
    assert header["kid"] == key_id(current.public_pem)


def test_rotation_tokens_of_both_keys_verify_while_both_are_published(
    current: SigningKey, upcoming: SigningKey
) -> None:
    published = PublishedIssuer(ISSUER, [current.public_pem, upcoming.public_pem])
    assert verify(_token(current), published)["sub"].endswith(":api")
    assert verify(_token(upcoming, service_account="worker"), published)["sub"].endswith(":worker")


def test_after_rotation_the_retired_key_no_longer_verifies(current: SigningKey, upcoming: SigningKey) -> None:
    published = PublishedIssuer(ISSUER, [upcoming.public_pem])
    with pytest.raises(InvalidKeyIdError):
        verify(_token(current), published)


def test_a_token_from_an_unknown_key_fails(current: SigningKey) -> None:
    stranger = signing_key("stranger")
    published = PublishedIssuer(ISSUER, [current.public_pem])
    with pytest.raises(InvalidKeyIdError):
        verify(_token(stranger), published)


def test_a_token_claiming_a_published_kid_but_signed_by_another_key_fails(current: SigningKey) -> None:
    stranger = signing_key("stranger")
    published = PublishedIssuer(ISSUER, [current.public_pem])
    with pytest.raises(BadSignatureError):
        verify(_token(stranger, kid=key_id(current.public_pem)), published)


def test_a_token_for_another_audience_fails(current: SigningKey) -> None:
    published = PublishedIssuer(ISSUER, [current.public_pem])
    with pytest.raises(InvalidClaimError):
        verify(_token(current, audience="https://kubernetes.default.svc"), published)


def test_an_expired_token_fails(current: SigningKey) -> None:
    published = PublishedIssuer(ISSUER, [current.public_pem])
    with pytest.raises(ExpiredTokenError):
        verify(_token(current, lifetime=600), published, now=NOW + 3600)


def test_a_token_from_another_issuer_is_not_verified_against_this_jwks(current: SigningKey) -> None:
    published = PublishedIssuer(ISSUER, [current.public_pem])
    with pytest.raises(KeyError):
        verify(_token(current, issuer="https://other-oidc.s3.eu-west-1.amazonaws.com"), published)


# The IRSA trust for this issuer, evaluated with what STS extracted from the verified token ------------


def _trust_and_provider() -> tuple[dict[str, Any], str]:
    provider_arn = oidc_provider_arn("aws", ACCOUNT, issuer_host(ISSUER))
    trust = workload_trust_policy([ServiceAccountRef("payments", "api")], [provider_arn])
    return trust, provider_arn


def _admitted(claims: Mapping[str, Any]) -> bool:
    trust, provider_arn = _trust_and_provider()
    audience = claims["aud"][0] if isinstance(claims["aud"], list) else claims["aud"]
    request = evaluate.web_identity_request(provider_arn, issuer_host(ISSUER), claims["sub"], audience)
    return evaluate.evaluate(trust, request).allowed


def test_the_irsa_trust_admits_the_verified_tokens_service_account(current: SigningKey) -> None:
    claims = verify(_token(current), PublishedIssuer(ISSUER, [current.public_pem]))
    assert _admitted(claims)


def test_the_irsa_trust_refuses_a_verified_token_of_another_service_account(current: SigningKey) -> None:
    published = PublishedIssuer(ISSUER, [current.public_pem])
    assert not _admitted(verify(_token(current, service_account="intruder"), published))
    assert not _admitted(verify(_token(current, namespace="other", service_account="api"), published))


def test_the_irsa_trust_pins_the_issuer_host_of_the_bucket(current: SigningKey) -> None:
    trust, provider_arn = _trust_and_provider()
    statement = trust["Statement"][0]
    assert statement["Principal"] == {"Federated": provider_arn}
    assert statement["Condition"]["StringEquals"] == {
        "lab-oidc.s3.eu-west-1.amazonaws.com:sub": "system:serviceaccount:payments:api",
        "lab-oidc.s3.eu-west-1.amazonaws.com:aud": "sts.amazonaws.com",
    }
