"""The concrete evaluator and the solver agree: on generated policies and requests, the translation pinned
to a request is satisfiable exactly when the evaluator allows it, and every answer the queries give holds."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from irsa_components.core import logic as L
from irsa_components.core.environment import environment
from irsa_components.core.evaluate import Request, evaluate, normalise_context
from irsa_components.core.logic_eval import Point, holds
from irsa_components.core.queries import Clause, kleene_allowed, no_new_access, search
from irsa_components.core.solver import Compiler
from irsa_components.core.translate import translate

from .policy_strategies import cases, documents, requests


def solver_allows(document: dict[str, Any], request: Request, kind: str) -> bool | None:
    """Whether the translation holds of ``request``; None when the translation is inexact for it."""
    translation = translate(document, kind=kind)  # type: ignore[arg-type]
    context = normalise_context(request.context)
    compiler = Compiler(translation.allows, sizes={k: len(v) for k, v in context.items()})
    pinned = compiler.pin(
        action=request.action,
        principal_type=request.principal_type,
        principal=request.principal,
        resource=request.resource,
        context=context,
    )
    unknowns = tuple(compiler.unknowns.values())
    status, _ = compiler.solve(pinned)
    assert status != "unknown", "z3 gave up on a fully concrete request"
    if unknowns or compiler.weakened:
        return None
    return status == "sat"


def in_environment(request: Request, kind: str, formula: Any) -> bool:
    context = normalise_context(request.context)
    point = Point(
        request.action.lower(), request.principal_type, request.principal, request.resource or "", context, {}
    )
    return holds(environment(formula, kind), point)  # type: ignore[arg-type]


@settings(max_examples=300)
@given(st.sampled_from(("trust", "permissions")).flatmap(cases))
def test_translation_agrees_with_the_evaluator(case: tuple[str, dict[str, Any], Request]) -> None:
    kind, document, request = case
    expected = kleene_allowed(document, request)
    found = solver_allows(document, request, kind)
    if expected is None or found is None:
        return  # an unknown construct decides it: neither side claims an answer
    assert found is expected, (document, request)
    assert evaluate(document, request).allowed is expected


@settings(max_examples=60)
@given(
    st.sampled_from(("trust", "permissions")).flatmap(
        lambda k: st.tuples(st.just(k), documents(k), documents(k), st.lists(requests(k), min_size=5, max_size=5))
    )
)
def test_search_answers_hold_for_every_request(
    case: tuple[str, dict[str, Any], dict[str, Any], list[Request]],
) -> None:
    kind, old, new, sample = case
    allowed = search([Clause(new)], kind=kind)  # type: ignore[arg-type]
    if allowed.witness is not None:
        assert evaluate(new, allowed.witness.request).allowed
    widening = no_new_access(old, new, kind=kind)  # type: ignore[arg-type]
    if widening.witness is not None:
        assert kleene_allowed(new, widening.witness.request) is True
        assert kleene_allowed(old, widening.witness.request) is False
    formula = L.and_(translate(new, kind=kind).allows, L.not_(translate(old, kind=kind, tag="o").allows))  # type: ignore[arg-type]
    for request in sample:
        if not in_environment(request, kind, formula):
            continue  # a request IAM would never evaluate (e.g. a trust policy asked about s3:GetObject)
        if allowed.none:
            assert kleene_allowed(new, request) is not True, request
        if widening.none:
            assert not (kleene_allowed(new, request) is True and kleene_allowed(old, request) is False), request
