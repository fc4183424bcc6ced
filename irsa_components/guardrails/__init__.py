"""Guardrails for EKS workload identity in any Pulumi program: a pulumi-policy pack's policies.

``POLICIES`` (and ``PACK_NAME``) is what ``policypack/__main__.py`` serves; it needs the ``policy``
extra (pulumi-policy) and is imported on first use, so the plain rules stay importable without it:
``rules`` (one resource), ``stack`` (resources that refer to each other), ``resources`` and
``values`` (reading property dicts). ``offline`` runs the pack over a program executed under the
SDK's mocks (tests; ``python -m irsa_components.guardrails --stack <stack>``).
"""

from typing import TYPE_CHECKING, Any

from .rules import Finding

if TYPE_CHECKING:
    from .policies import PACK_NAME, POLICIES

__all__ = ["PACK_NAME", "POLICIES", "Finding"]


def __getattr__(name: str) -> Any:
    if name in ("PACK_NAME", "POLICIES"):
        from . import policies

        return getattr(policies, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
