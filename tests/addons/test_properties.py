"""Properties over generated scopes: any valid combination resolves within limits; any garbage is an InputError."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from irsa_components.addons import CATALOGUE, MANAGED_POLICY_CHARS, Addon, resolve
from irsa_components.core.arns import parse_arn
from irsa_components.core.documents import size
from irsa_components.core.errors import InputError

from . import checks
from .samples import ACCOUNT, PLACES, Place, kubernetes_identity, minimal_scope, sample_values
from .test_documents import arns_in

ADDONS = [a for a in CATALOGUE.values() if a.build is not None]


@st.composite
def valid_requests(draw: st.DrawFn) -> tuple[Addon, Place, dict[str, Any], bool]:
    addon = draw(st.sampled_from(ADDONS))
    place = draw(st.sampled_from(PLACES))
    scope = minimal_scope(addon, place)
    for item in addon.optional_inputs:
        if draw(st.booleans()):
            value = sample_values(item.kind, place)
            scope[item.name] = draw(st.booleans()) if item.kind.flag else value[: draw(st.integers(1, len(value)))]
    for group in addon.require_any:  # keep at least one member of each group switched on
        if not any(scope.get(n) for n in group):
            scope[group[0]] = sample_values(addon.input(group[0]).kind, place)
    located = addon.needs_region or draw(st.booleans())
    return addon, place, scope, located


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_requests())
def test_valid_scopes_always_resolve_to_checked_documents(request: tuple[Addon, Place, dict[str, Any], bool]) -> None:
    addon, place, scope, located = request
    resolved = resolve(
        addon.name,
        scope,
        partition=place.partition,
        region=place.region if located else None,
        account_id=ACCOUNT if located else None,
        **kubernetes_identity(addon),
    )
    assert resolved.documents and all(size(d) <= MANAGED_POLICY_CHARS for d in resolved.documents)
    assert all(parse_arn(a).partition == place.partition for a in arns_in(list(resolved.statements)))
    assert checks.unknown_actions(resolved.statements) == []
    assert checks.mismatched_resources(resolved.statements) == []
    assert checks.unexplained_wildcard_resources(resolved.statements, addon.wildcard_resource_reasons) == []


garbage = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=40),
    st.lists(st.one_of(st.text(max_size=40), st.integers(), st.none()), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(list(CATALOGUE.values())),
    st.dictionaries(st.text(min_size=1, max_size=25), garbage, max_size=3),
    st.sampled_from(["aws", "aws-cn", "nope"]),
)
def test_garbage_is_an_input_error_never_a_crash(addon: Addon, junk: dict[str, Any], partition: str) -> None:
    names = list(addon.input_names)
    scope = {names[i % len(names)] if names and i % 2 else key: v for i, (key, v) in enumerate(junk.items())}
    try:
        resolve(addon.name, scope, partition=partition, region="eu-west-1", namespace="ns", service_account="sa")
    except InputError as exc:
        assert exc.problems and all(p.subject == f"add-on {addon.name!r}" for p in exc.problems)
