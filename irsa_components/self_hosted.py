"""IRSA for self-hosted (non-EKS) Kubernetes clusters, as plain data: OIDC discovery, JWKS, flags.

A self-hosted cluster signs projected service-account tokens with its own key; AWS STS verifies
them against a JWKS it fetches from the issuer's public ``/.well-known/openid-configuration``.
This module builds those two documents exactly as kube-apiserver would serve them (same key IDs),
the S3 bucket policy that publishes only them, and the kube-apiserver flags that go with them.

No Pulumi here: ``from irsa_components.self_hosted import discovery_document, jwks``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa, x448, x25519

from .core.documents import Document, document
from .core.trust import DEFAULT_AUDIENCE, issuer_url_problem

DISCOVERY_KEY = ".well-known/openid-configuration"
"""Object key (path under the issuer) of the OpenID Connect discovery document."""
JWKS_KEY = "openid/v1/jwks"
"""Object key of the JSON Web Key Set: the path kube-apiserver itself serves it at."""
CONTENT_TYPE = "application/json"
"""Content type of both objects (OIDC Discovery requires application/json for the discovery document)."""
SIGNING_ALGORITHM = "RS256"
MIN_RSA_BITS = 2048

DEFAULT_KEY_FILE = "/etc/kubernetes/pki/sa.pub"
"""kubeadm's path of the service-account public key(s) (--service-account-key-file)."""
DEFAULT_SIGNING_KEY_FILE = "/etc/kubernetes/pki/sa.key"
"""kubeadm's path of the service-account signing key (--service-account-signing-key-file)."""

_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")


class KeyProblem(ValueError):
    """A public key that cannot be published for IRSA (not RSA, too weak, private, unparsable)."""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _uint(value: int) -> bytes:
    """Big-endian unsigned bytes without leading zeros (RFC 7518 Base64urlUInt)."""
    return value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")


_KEY_KINDS: tuple[tuple[type, str], ...] = (
    (ec.EllipticCurvePublicKey, "an EC key"),
    (ed25519.Ed25519PublicKey, "an Ed25519 key"),
    (ed448.Ed448PublicKey, "an Ed448 key"),
    (dsa.DSAPublicKey, "a DSA key"),
    (x25519.X25519PublicKey, "an X25519 key"),
    (x448.X448PublicKey, "an X448 key"),
)


def load_rsa_public_key(pem: str) -> rsa.RSAPublicKey:
    """Parse one PEM public key and check it is an RSA key fit for RS256; raise KeyProblem otherwise."""
    if not isinstance(pem, str) or not pem.strip():
        raise KeyProblem("must be a PEM-encoded public key ('-----BEGIN PUBLIC KEY-----')")
    if "PRIVATE KEY" in pem:
        raise KeyProblem(
            "is a private key; pass only the public key (openssl rsa -in sa.key -pubout): "
            "the JWKS is public and the private key must never leave the control plane"
        )
    if "-----BEGIN " not in pem:
        raise KeyProblem("is not a PEM-encoded public key (no '-----BEGIN PUBLIC KEY-----' line)")
    if pem.count("-----BEGIN ") != 1:
        raise KeyProblem("must contain exactly one PEM block (pass each key of a rotation as its own entry)")
    try:
        key = serialization.load_pem_public_key(pem.strip().encode("ascii"))
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        raise KeyProblem(f"is not a PEM-encoded public key ({exc})") from None
    if not isinstance(key, rsa.RSAPublicKey):
        kind = next((label for cls, label in _KEY_KINDS if isinstance(key, cls)), type(key).__name__)
        if isinstance(key, ec.EllipticCurvePublicKey):
            kind = f"{kind} ({key.curve.name})"
        raise KeyProblem(f"is {kind}; IRSA service-account keys must be RSA (signed with {SIGNING_ALGORITHM})")
    if key.key_size < MIN_RSA_BITS:
        raise KeyProblem(f"is a {key.key_size}-bit RSA key; use at least {MIN_RSA_BITS} bits")
    return key


def _der(key: rsa.RSAPublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def key_id(pem: str) -> str:
    """The ``kid`` kube-apiserver puts in tokens signed with this key's private half.

    base64url (no padding) of SHA-256 over the DER-encoded PKIX SubjectPublicKeyInfo, as
    ``keyIDFromPublicKey`` in kubernetes/pkg/serviceaccount computes it.
    """
    return _b64url(hashlib.sha256(_der(load_rsa_public_key(pem))).digest())


def jwk(pem: str) -> dict[str, str]:
    """One JSON Web Key (RFC 7517) for an RSA public key, as kube-apiserver publishes it."""
    key = load_rsa_public_key(pem)
    numbers = key.public_numbers()
    return {
        "use": "sig",
        "kty": "RSA",
        "kid": _b64url(hashlib.sha256(_der(key)).digest()),
        "alg": SIGNING_ALGORITHM,
        "n": _b64url(_uint(numbers.n)),
        "e": _b64url(_uint(numbers.e)),
    }


def key_problems(public_key_pems: Sequence[str]) -> list[tuple[int, str]]:
    """(index, message) for every key that cannot be published, and for keys listed twice."""
    problems: list[tuple[int, str]] = []
    if isinstance(public_key_pems, str) or not isinstance(public_key_pems, Sequence):
        return [(-1, "must be a list of PEM-encoded public keys")]
    if not public_key_pems:
        return [(-1, "at least one public key is required")]
    seen: dict[str, int] = {}
    for i, pem in enumerate(public_key_pems):
        try:
            kid = key_id(pem)
        except KeyProblem as exc:
            problems.append((i, str(exc)))
            continue
        if kid in seen:
            problems.append((i, f"is the same key as public_keys[{seen[kid]}] (kid {kid})"))
        seen.setdefault(kid, i)
    return problems


def jwks(public_key_pems: Sequence[str]) -> dict[str, list[dict[str, str]]]:
    """The JSON Web Key Set for the cluster's service-account public keys, in the order given.

    List every key whose tokens may still be in use: the current signing key and, during a
    rotation, the next and the previous one. Raises KeyProblem naming each bad key.
    """
    problems = key_problems(public_key_pems)
    if problems:
        raise KeyProblem(
            "; ".join(f"public_keys[{i}] {message}" if i >= 0 else f"public_keys {message}" for i, message in problems)
        )
    return {"keys": [jwk(pem) for pem in public_key_pems]}


def discovery_document(issuer_url: str, *, jwks_uri: str | None = None) -> dict[str, Any]:
    """The OpenID Connect discovery document STS reads at ``<issuer>/.well-known/openid-configuration``.

    Field for field what kube-apiserver serves (``issuer``, ``jwks_uri``, ``response_types_supported``,
    ``subject_types_supported``, ``id_token_signing_alg_values_supported``), plus ``claims_supported``
    listing the claims IAM can test. ``jwks_uri`` defaults to ``<issuer>/openid/v1/jwks``.
    """
    problem = issuer_url_problem(issuer_url)
    if problem:
        raise ValueError(f"issuer_url {issuer_url!r} {problem}")
    if issuer_url.endswith("/"):
        raise ValueError(f"issuer_url {issuer_url!r} must not end with '/': the token's iss must match it exactly")
    return {
        "issuer": issuer_url,
        "jwks_uri": jwks_uri or f"{issuer_url}/{JWKS_KEY}",
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [SIGNING_ALGORITHM],
        "claims_supported": ["sub", "aud", "iss", "exp", "iat"],
    }


# Hosting in S3 ---------------------------------------------------------------------------------------


def bucket_name_problem(name: object) -> str | None:
    """Problems S3 (or TLS on the virtual-hosted endpoint) would have with this bucket name, or None."""
    if not isinstance(name, str) or not name:
        return "must be a non-empty string"
    if "." in name:
        return (
            "must not contain '.': the issuer is served over HTTPS at <bucket>.s3.<region>.amazonaws.com, "
            "whose wildcard certificate does not cover dotted bucket names"
        )
    if not 3 <= len(name) <= 63:
        return f"is {len(name)} characters; S3 bucket names are 3-63"
    if not _BUCKET_RE.match(name):
        return "must be lowercase letters, digits and '-', starting and ending with a letter or digit"
    if name.startswith(("xn--", "sthree-", "amzn-s3-demo-")) or name.endswith(("-s3alias", "--ol-s3", "--x-s3")):
        return "uses a prefix or suffix S3 reserves"
    return None


def s3_dns_suffix(partition: str) -> str:
    return "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"


def s3_issuer_url(bucket: str, region: str, partition: str = "aws") -> str:
    """The issuer URL of a bucket served from S3's regional virtual-hosted endpoint."""
    return f"https://{bucket}.s3.{region}.{s3_dns_suffix(partition)}"


def object_arns(bucket_arn: str, keys: Sequence[str] = (DISCOVERY_KEY, JWKS_KEY)) -> list[str]:
    return [f"{bucket_arn}/{k}" for k in keys]


def public_read_bucket_policy(bucket_arn: str, keys: Sequence[str] = (DISCOVERY_KEY, JWKS_KEY)) -> Document:
    """A bucket policy publishing exactly ``keys`` to anyone, over HTTPS only; everything else stays private.

    Anonymous ``s3:GetObject`` is allowed on the two object ARNs and nothing else (no listing, no other
    key); every request over plain HTTP is denied.
    """
    return document(
        [
            {
                "Sid": "PublicOidcDiscovery",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": object_arns(bucket_arn, keys),
            },
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [bucket_arn, f"{bucket_arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ]
    )


def kube_apiserver_flags(
    issuer_url: str,
    *,
    jwks_uri: str | None = None,
    key_file: str = DEFAULT_KEY_FILE,
    signing_key_file: str = DEFAULT_SIGNING_KEY_FILE,
    api_audiences: Sequence[str] | None = None,
) -> list[str]:
    """The kube-apiserver flags for this issuer.

    ``key_file`` may hold several PEM public keys (kube-apiserver reads them all), so one file carries a
    whole rotation. ``api_audiences`` are the audiences the API server itself accepts; the default is
    the issuer URL (kube-apiserver's own default when the flag is unset). The pod identity webhook
    requests tokens for ``sts.amazonaws.com`` explicitly, which works whatever this flag says; adding
    ``sts.amazonaws.com`` here would make tokens minted for AWS valid against the Kubernetes API too.
    """
    audiences = list(api_audiences) if api_audiences else [issuer_url]
    return [
        f"--service-account-issuer={issuer_url}",
        f"--service-account-jwks-uri={jwks_uri or f'{issuer_url}/{JWKS_KEY}'}",
        f"--service-account-key-file={key_file}",
        f"--service-account-signing-key-file={signing_key_file}",
        f"--api-audiences={','.join(audiences)}",
    ]


def public_key_bundle(public_key_pems: Sequence[str]) -> str:
    """All public keys in one PEM file, the content of ``--service-account-key-file``."""
    return "".join(pem.strip() + "\n" for pem in public_key_pems)


__all__ = [
    "CONTENT_TYPE",
    "DEFAULT_AUDIENCE",
    "DISCOVERY_KEY",
    "JWKS_KEY",
    "KeyProblem",
    "bucket_name_problem",
    "discovery_document",
    "jwk",
    "jwks",
    "key_id",
    "key_problems",
    "kube_apiserver_flags",
    "public_key_bundle",
    "public_read_bucket_policy",
    "s3_issuer_url",
]
