"""IAM quotas and ranges the library checks before anything is applied."""

from __future__ import annotations

from dataclasses import dataclass

ROLE_NAME_MAX = 64
ROLE_PATH_MAX = 512
DESCRIPTION_MAX = 1000
MIN_SESSION_DURATION = 3600
MAX_SESSION_DURATION = 43200
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
OIDC_URL_MAX = 255
OIDC_THUMBPRINTS_MAX = 5
OIDC_CLIENT_ID_MAX = 255


@dataclass(frozen=True)
class Quotas:
    """Account quotas; the defaults are AWS's defaults. Raise them where your account's are raised."""

    trust_policy_chars: int = 2048
    """Role trust policy size (non-whitespace characters). Default 2048, raisable to 4096."""
    managed_policies_per_role: int = 10
    """Managed policies attached to one role. Default 10, raisable."""
    inline_policy_chars: int = 10240
    """Total size of one role's inline policies."""
    managed_policy_chars: int = 6144
    """Size of one customer managed policy."""
    tags_per_resource: int = 50
