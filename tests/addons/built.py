"""Every built-in add-on resolved in every way the tests check: partitions, scope variants, region/account."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from irsa_components.addons import Addon, ResolvedAddon, resolve

from .samples import ACCOUNT, CUSTOM_ADDONS, PLACES, Place, kubernetes_identity, scope_variants


@dataclass(frozen=True)
class Built:
    addon: Addon
    place: Place
    located: bool
    """Built with the role's region and account (otherwise ARNs use '*' there)."""
    variant: int
    resolved: ResolvedAddon

    @property
    def id(self) -> str:
        where = "located" if self.located else "unlocated"
        return f"{self.addon.name}-{self.place.partition}-{where}-v{self.variant}"


@functools.cache
def built() -> tuple[Built, ...]:
    out = []
    for addon in CUSTOM_ADDONS:
        for place in PLACES:
            for located in (True, False):
                if addon.needs_region and not located:
                    continue
                for i, scope in enumerate(scope_variants(addon, place)):
                    resolved = resolve(
                        addon.name,
                        scope,
                        partition=place.partition,
                        region=place.region if located else None,
                        account_id=ACCOUNT if located else None,
                        **kubernetes_identity(addon),
                    )
                    out.append(Built(addon, place, located, i, resolved))
    return tuple(out)
