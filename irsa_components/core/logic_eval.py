"""Evaluate a ``core.logic`` formula on one concrete request: how a witness's non-policy part is checked.

Policies are checked with ``core.evaluate`` (an independent reading); what a query adds around them
(the intended set, the request's environment) is checked here, so a witness the solver reports always
satisfies the whole query as plain Python reads it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .logic import PRINCIPAL_TYPES, Formula, Term
from .policy_values import COMPARISONS, fold, parse_address, parse_date, parse_number


@dataclass(frozen=True)
class Point:
    """One request as plain values (the action folded to lower case, as formulas read it)."""

    action: str
    principal_type: str
    principal: str
    resource: str
    context: Mapping[str, tuple[str, ...]]
    symbols: Mapping[str, str]
    constants: tuple[str, ...] = ()
    """Values of lifted constants (``("L", n)``), when evaluating a lifted formula."""


def holds(formula: Formula, point: Point) -> bool:
    return _formula(formula, point, {})


def _term(t: Term, point: Point, env: Mapping[str, str]) -> str:
    tag = t[0]
    if tag in ("c", "C"):
        return str(t[1])
    if tag == "v":
        return {"action": fold(point.action), "principal": point.principal, "resource": point.resource}[t[1]]
    if tag == "L":
        return point.constants[t[1]]
    if tag == "s":
        return point.symbols[t[1]]
    if tag == "k":
        values = point.context.get(t[1], ())
        return values[0] if values else ""
    if tag == "e":
        return env[t[1]]
    if tag == "cat":
        return "".join(_term(x, point, env) for x in t[1:])
    if tag == "ite":
        return _term(t[2] if _formula(t[1], point, env) else t[3], point, env)
    raise ValueError(f"unknown term {t!r}")


def _regex(items: tuple[tuple[str, ...], ...]) -> str:
    out = []
    for item in items:
        tag = item[0]
        if tag == "lit":
            out.append(re.escape(item[1]))
        elif tag == "ci":
            out.append(
                "".join(f"[{c}{c.upper()}]" if c.isascii() and c.isalpha() else re.escape(c) for c in fold(item[1]))
            )
        else:
            out.append({"any": ".", "anync": "[^:]", "star": ".*", "starnc": "[^:]*", "upper": "[A-Z]"}[tag])
    return "^" + "".join(out) + r"\Z"


def _glob(items: tuple[Any, ...], point: Point, env: Mapping[str, str]) -> str:
    out = []
    for item in items:
        if item[0] == "t":
            out.append(re.escape(_term(item[1], point, env)))
        else:
            out.append({"*": ".*", "*nc": "[^:]*", "?": ".", "?nc": "[^:]"}[item[0]])
    return "^" + "".join(out) + r"\Z"


def _formula(f: Formula, point: Point, env: Mapping[str, str]) -> bool:
    tag = f[0]
    if tag == "T":
        return True
    if tag == "F":
        return False
    if tag == "and":
        return all(_formula(x, point, env) for x in f[1:])
    if tag == "or":
        return any(_formula(x, point, env) for x in f[1:])
    if tag == "not":
        return not _formula(f[1], point, env)
    if tag == "eq":
        return _term(f[1], point, env) == _term(f[2], point, env)
    if tag == "pre":
        return _term(f[2], point, env).startswith(_term(f[1], point, env))
    if tag == "suf":
        return _term(f[2], point, env).endswith(_term(f[1], point, env))
    if tag == "has":
        return _term(f[2], point, env) in _term(f[1], point, env)
    if tag == "lenge":
        return len(_term(f[1], point, env)) >= len(_term(f[2], point, env)) + len(_term(f[3], point, env))
    if tag == "re":
        return re.match(_regex(f[2]), _term(f[1], point, env), re.DOTALL) is not None
    if tag == "gx":
        return re.match(_glob(f[2], point, env), _term(f[1], point, env), re.DOTALL) is not None
    if tag == "pt":
        return bool(PRINCIPAL_TYPES.index(point.principal_type) == f[1])
    if tag == "p":
        return bool(point.context.get(f[1]))
    if tag in ("some", "every"):
        values = point.context.get(f[1], ())
        results = (_formula(f[2], point, {**env, f[1]: v}) for v in values)
        return any(results) if tag == "some" else all(results)
    if tag in ("acct", "part"):
        fields = point.principal.split(":")
        is_aws = point.principal_type == "AWS" and len(fields) >= 6
        return is_aws and fields[4 if tag == "acct" else 1] == _term(f[1], point, env)
    if tag in ("isnum", "isdate", "isip", "num", "date", "ipin"):
        return _typed(f, env)
    raise ValueError(f"cannot evaluate {f!r}")


def _typed(f: Formula, env: Mapping[str, str]) -> bool:
    tag = f[0]
    if tag in ("isnum", "num"):
        value: Fraction | None = parse_number(env[f[1] if tag == "isnum" else f[2]])
    elif tag in ("isdate", "date"):
        value = parse_date(env[f[1] if tag == "isdate" else f[2]])
    else:
        address = parse_address(env[f[1]])
        if tag == "isip":
            return address is not None
        return address is not None and address[0] == f[2] and f[3] <= address[1] <= f[4]
    if tag.startswith("is"):
        return value is not None
    return value is not None and bool(COMPARISONS[f[1]](value, Fraction(f[3])))
