"""IAM role names and paths: validation and stable, deterministic derivation."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from .limits import ROLE_NAME_MAX, ROLE_PATH_MAX

_ROLE_NAME_RE = re.compile(r"^[A-Za-z0-9_+=,.@-]+\Z")
_ROLE_PATH_RE = re.compile(r"^/([\x21-\x7e]*/)?\Z")
_HASH_LEN = 8


def role_name_problem(name: object) -> str | None:
    if not isinstance(name, str) or not name:
        return "must be a non-empty string"
    if len(name) > ROLE_NAME_MAX:
        return f"is {len(name)} characters; IAM role names are at most {ROLE_NAME_MAX}"
    if not _ROLE_NAME_RE.match(name):
        bad = sorted({c for c in name if not _ROLE_NAME_RE.match(c)})
        return f"has characters IAM does not allow in role names: {''.join(bad)!r} (allowed: A-Z a-z 0-9 _+=,.@-)"
    return None


def role_path_problem(path: object) -> str | None:
    if not isinstance(path, str) or not path:
        return "must be a non-empty string"
    if len(path) > ROLE_PATH_MAX:
        return f"is {len(path)} characters; role paths are at most {ROLE_PATH_MAX}"
    if not _ROLE_PATH_RE.match(path) or "//" in path:
        return "must be '/' or start and end with '/' (e.g. /irsa/prod/), printable ASCII only"
    return None


def stable_hash(text: str, length: int = _HASH_LEN) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def shorten(name: str, max_length: int = ROLE_NAME_MAX) -> str:
    """``name`` if it fits, else its head plus a hash of the whole name: stable and collision-resistant."""
    if len(name) <= max_length:
        return name
    head = name[: max_length - _HASH_LEN - 1].rstrip("-_.")
    return f"{head}-{stable_hash(name)}"


def role_name(*parts: str, max_length: int = ROLE_NAME_MAX) -> str:
    """The deterministic role name for ``parts`` (e.g. environment and service), at most 64 characters.

    Characters IAM refuses are replaced by '-'; a name that is too long keeps its head and ends in
    an 8-character hash of the full name, so two long names never share a role name.
    """
    joined = "-".join(p for p in parts if p)
    cleaned = re.sub(r"[^A-Za-z0-9_+=,.@-]", "-", joined)
    if cleaned != joined:
        # Keep distinct inputs distinct even after the replacement.
        cleaned = f"{cleaned}-{stable_hash(joined)}"
    return shorten(cleaned, max_length)


# Child resource names ---------------------------------------------------------------------------
# A component names its children "<component>-<suffix>" (Pulumi's convention: aliases of a renamed
# component carry over to them). The components and the stack config's collision check both derive
# the names here.


def child_name(parent: str, *suffixes: str) -> str:
    return "-".join((parent, *suffixes))


def attachment_names(parent: str, policy_arns: Sequence[str | None]) -> list[str]:
    """Names of the RolePolicyAttachments of ``policy_arns`` (None: an ARN not known at preview).

    The policy's name when the ARN is known (hash-suffixed when two attached policies share a name),
    else its position: stable across runs, and unique within the component.
    """
    known = [a for a in policy_arns if a is not None]
    short = {a: a.rsplit("/", 1)[-1] for a in known}
    counts: dict[str, int] = {}
    for given in known:
        counts[short[given]] = counts.get(short[given], 0) + 1
    names = []
    for i, arn in enumerate(policy_arns):
        if arn is None:
            names.append(child_name(parent, "policy", str(i)))
        elif counts[short[arn]] > 1:
            names.append(child_name(parent, short[arn], stable_hash(arn, 6)))
        else:
            names.append(child_name(parent, short[arn]))
    return names


def addon_policy_names(parent: str, addon: str, documents: int) -> list[str]:
    """Names of an add-on's customer managed policies (and of their attachments): one per document."""
    if documents == 1:
        return [child_name(parent, addon)]
    return [child_name(parent, addon, str(k + 1)) for k in range(documents)]


def addon_managed_attachment_name(parent: str, addon: str, managed_policy: str) -> str:
    """Name of the attachment of an AWS managed policy (``path/Name``) an add-on needs."""
    return child_name(parent, addon, managed_policy.rsplit("/", 1)[-1])
