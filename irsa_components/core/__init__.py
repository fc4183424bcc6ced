"""The functional core: plain, typed functions with no Pulumi imports.

Trust and permission documents, role names, input validation and IAM evaluation live here; the
components, the stack program, the command line and the policy pack are thin shells over it.
"""

from .arns import Arn, parse_arn, partition_for_region
from .errors import InputError, Problem, Problems
from .evaluate import Decision, Request
from .kubernetes import ServiceAccountRef, parse_service_account
from .limits import Quotas
from .names import role_name
from .trust import (
    DEFAULT_AUDIENCE,
    POD_IDENTITY_PRINCIPAL,
    issuer_host,
    issuer_host_from_provider_arn,
    pod_identity_statement,
    trust_policy,
    web_identity_statement,
)

__all__ = [
    "DEFAULT_AUDIENCE",
    "POD_IDENTITY_PRINCIPAL",
    "Arn",
    "Decision",
    "InputError",
    "Problem",
    "Problems",
    "Quotas",
    "Request",
    "ServiceAccountRef",
    "issuer_host",
    "issuer_host_from_provider_arn",
    "parse_arn",
    "parse_service_account",
    "partition_for_region",
    "pod_identity_statement",
    "role_name",
    "trust_policy",
    "web_identity_statement",
]
