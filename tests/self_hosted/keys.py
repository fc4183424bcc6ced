"""Key material and a kube-apiserver-shaped token signer for the self-hosted tests (test-only keys)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from joserfc import jwt
from joserfc.jwk import RSAKey

# kube-apiserver's own test vector (kubernetes pkg/serviceaccount/jwt_test.go): this public key
# and the kid the API server derives for it.
UPSTREAM_PUBLIC_KEY = """-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA249XwEo9k4tM8fMxV7zx
OhcrP+WvXn917koM5Qr2ZXs4vo26e4ytdlrV0bQ9SlcLpQVSYjIxNfhTZdDt+ecI
zshKuv1gKIxbbLQMOuK1eA/4HALyEkFgmS/tleLJrhc65tKPMGD+pKQ/xhmzRuCG
51RoiMgbQxaCyYxGfNLpLAZK9L0Tctv9a0mJmGIYnIOQM4kC1A1I1n3EsXMWmeJU
j7OTh/AjjCnMnkgvKT2tpKxYQ59PgDgU8Ssc7RDSmSkLxnrv+OrN80j6xrw0OjEi
B4Ycr0PqfzZcvy8efTtFQ/Jnc4Bp1zUtFXt7+QeevePtQ2EcyELXE0i63T1CujRM
WwIDAQAB
-----END PUBLIC KEY-----
"""
UPSTREAM_KEY_ID = "JHJehTTTZlsspKHT-GaJxK7Kd1NQgZJu3fyK6K_QDYU"

NOW = 1_750_000_000
"""A fixed clock for signing and verifying, so no test depends on the wall clock."""


@dataclass(frozen=True)
class SigningKey:
    private: rsa.RSAPrivateKey

    @property
    def public_pem(self) -> str:
        return (
            self.private.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )

    @property
    def jose_key(self) -> RSAKey:
        pem = self.private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return RSAKey.import_key(pem)


@cache
def signing_key(label: str, bits: int = 2048) -> SigningKey:
    """One RSA key per label, generated once per test process."""
    del label  # only distinguishes cache entries
    return SigningKey(rsa.generate_private_key(public_exponent=65537, key_size=bits))


def weak_rsa_public_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def ec_public_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def ed25519_public_pem() -> str:
    key = ed25519.Ed25519PrivateKey.generate()
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def private_pem(key: SigningKey) -> str:
    return key.private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    ).decode()


def service_account_token(
    key: SigningKey,
    *,
    kid: str,
    issuer: str,
    namespace: str,
    service_account: str,
    audience: str = "sts.amazonaws.com",
    issued_at: int = NOW,
    lifetime: int = 86400,
) -> str:
    """A projected service-account token shaped like kube-apiserver's (header alg/kid, claims, kubernetes.io)."""
    claims: dict[str, Any] = {
        "aud": [audience],
        "exp": issued_at + lifetime,
        "iat": issued_at,
        "iss": issuer,
        "jti": str(uuid.uuid4()),
        "kubernetes.io": {
            "namespace": namespace,
            "node": {"name": "node-1", "uid": str(uuid.uuid4())},
            "pod": {"name": f"{service_account}-7d9f8b6c5-x2k4q", "uid": str(uuid.uuid4())},
            "serviceaccount": {"name": service_account, "uid": str(uuid.uuid4())},
        },
        "nbf": issued_at,
        "sub": f"system:serviceaccount:{namespace}:{service_account}",
    }
    return jwt.encode({"alg": "RS256", "kid": kid}, claims, key.jose_key)
