"""Built-in least-privilege IAM policies for the add-ons every EKS platform runs.

Functional core: plain data and functions, no Pulumi. ``CATALOGUE`` maps add-on names to their
definitions; :func:`resolve` turns a name and its scope inputs into managed policy ARNs, policy
documents that fit IAM's managed policy size, and the namespace and service accounts to trust.
"""

from __future__ import annotations

from . import kinds
from .catalogue import CATALOGUE
from .docs import catalogue_table
from .kinds import ScopeKind
from .model import (
    DNS_SUFFIXES,
    Addon,
    ChartSetting,
    ChartValue,
    PolicySource,
    Scope,
    ScopeInput,
    ScopeValue,
    Source,
    Statement,
)
from .resolve import MANAGED_POLICY_CHARS, ResolvedAddon, addon_names, check, get, resolve

__all__ = [
    "CATALOGUE",
    "DNS_SUFFIXES",
    "MANAGED_POLICY_CHARS",
    "Addon",
    "ChartSetting",
    "ChartValue",
    "PolicySource",
    "ResolvedAddon",
    "Scope",
    "ScopeInput",
    "ScopeKind",
    "ScopeValue",
    "Source",
    "Statement",
    "addon_names",
    "catalogue_table",
    "check",
    "get",
    "kinds",
    "resolve",
]
