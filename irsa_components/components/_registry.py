"""The roles this program's components created, so an association can check the role it is given.

``PodIdentityAssociation(..., {"role_arn": irsa_role.arn})`` gets only an ARN; looking the role's
trust up would be an invoke per association. Instead each component that creates a workload role
records its ARN Output (the very object it exposes) with the trust it builds, and the association
finds it by identity. Roles from elsewhere (a plain ARN, another resource's Output) are not known here.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Optional

import pulumi
from pulumi.runtime.settings import get_root_resource


@dataclass
class KnownRole:
    label: str
    """The component that created the role, e.g. ``IrsaRole 'payments'``."""
    arn: pulumi.Output[str]
    build_trust: Callable[[], pulumi.Input[str]]
    """Builds the role's trust (JSON) for Pod Identity questions: only when an association asks, so roles
    nothing associates cost nothing. JSON, not a dict: the SDK would lift every value of a dict into an Output."""
    hint: str
    """How to make the role admit Pod Identity, for the error message."""
    _trust: Optional[pulumi.Output[str]] = field(default=None, repr=False)

    @property
    def trust(self) -> pulumi.Output[str]:
        if self._trust is None:
            self._trust = pulumi.Output.from_input(self.build_trust())
        return self._trust


def _roles() -> dict[int, KnownRole]:
    root = get_root_resource()
    if root is None:
        return {}
    roles: dict[int, KnownRole] = root.__dict__.setdefault("_irsa_known_roles", {})
    return roles


def remember_role(label: str, arn: pulumi.Output[str], build_trust: Callable[[], pulumi.Input[str]], hint: str) -> None:
    _roles()[id(arn)] = KnownRole(label, arn, build_trust, hint)


def known_role(arn: object) -> Optional[KnownRole]:
    """The role behind ``arn`` when a component of this program created it and exposed this Output."""
    if not isinstance(arn, pulumi.Output):
        return None
    found = _roles().get(id(arn))
    return found if found is not None and found.arn is arn else None


__all__ = ["KnownRole", "known_role", "remember_role"]
