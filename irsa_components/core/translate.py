"""Translate IAM policy documents (trust and permission) into formulas over one request (``core.logic``).

The translation mirrors ``core.evaluate`` rule for rule (both read values through ``policy_values``),
so that "the solver finds a request" and "the evaluator allows that request" mean the same thing; a
property test holds them to it. What it cannot translate exactly it still translates soundly, never as
safe: an unknown operator, a malformed block or principal becomes an unknown (a free Boolean that may
take either value), a glob with policy variables in an unusual shape is exact where it can grant and
weakened where it can only refuse, and each such place is listed in ``Translation.notes``.

Multi-valued condition keys (``aws:TagKeys``, a token's ``amr``) are sets; every other key IAM
documents as single-valued holds one value. A key this module does not know is taken to be
multi-valued: that admits more requests, never fewer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from . import logic as L
from .documents import as_list
from .evaluate import (
    ARN_OPERATORS,
    DATE_OPERATORS,
    NUMERIC_OPERATORS,
    PRINCIPAL_KINDS,
    absent_passes,
    read_operator,
)
from .logic import Formula, Term
from .policy_values import (
    VARIABLES_VERSION,
    Char,
    Piece,
    Text,
    Var,
    fold,
    literal,
    parse_date,
    parse_network,
    parse_number,
    pieces,
    to_strings,
)

Kind = Literal["trust", "permissions"]
_WILD = re.compile(r"[*?]")
_WILD_SPLIT = re.compile(r"([*?])")

# Keys IAM documents as multi-valued (and the OIDC ``amr`` claim); the rest of aws:*, sts:* and OIDC
# claims are single-valued. Anything else may be either, and is taken as a set.
MULTI_VALUED = frozenset(
    {
        "aws:tagkeys",
        "aws:calledvia",
        "aws:principalservicenameslist",
        "aws:principalorgpaths",
        "aws:resourceorgpaths",
        "sts:transitivetagkeys",
    }
)
_SINGLE_PREFIXES = ("aws:", "sts:")


def is_claim_key(key: str) -> bool:
    """``<issuer host>:<claim>`` keys of a web-identity token (the host has a dot; service prefixes do not)."""
    prefix, sep, _ = key.rpartition(":")
    return bool(sep) and "." in prefix


def claim_host(key: str) -> str:
    return key.rpartition(":")[0]


def single_valued(key: str) -> bool:
    if key in MULTI_VALUED:
        return False
    if is_claim_key(key):
        return not key.endswith(":amr")
    return key.startswith(_SINGLE_PREFIXES)


@dataclass
class _Context:
    tag: str
    kind: Kind
    variables: bool
    symbols: re.Pattern[str] | None
    notes: list[str] = field(default_factory=list)
    unknowns: int = 0

    def unknown(self, where: str, what: str) -> Formula:
        self.unknowns += 1
        self.notes.append(f"{where}: {what}")
        return ("u", f"{self.tag}#{self.unknowns}")


@dataclass(frozen=True)
class Translation:
    allows: Formula
    """The request is allowed: some Allow statement matches and no Deny statement does."""
    notes: tuple[str, ...]
    """What was not translated exactly (each is an unknown, or a weakened glob, in ``allows``)."""


def translate(
    document: Mapping[str, Any],
    *,
    kind: Kind,
    tag: str = "d",
    action: Term = L.ACTION,
    symbols: re.Pattern[str] | None = None,
) -> Translation:
    """The formula of "``document`` allows the request". ``tag`` keeps the unknowns of documents apart."""
    ctx = _Context(tag, kind, document.get("Version") == VARIABLES_VERSION, symbols)
    allows: list[Formula] = []
    denies: list[Formula] = []
    for index, statement in enumerate(as_list(document.get("Statement"))):
        where = f"statement {index}"
        if not isinstance(statement, Mapping):
            allows.append(ctx.unknown(where, "is not a statement object"))
            denies.append(ctx.unknown(where, "is not a statement object"))
            continue
        effect = statement.get("Effect")
        match = _statement(statement, where, ctx, action)
        if effect not in ("Allow", "Deny"):
            # Neither an Allow nor a Deny: IAM rejects it; whether it grants or refuses is unknown.
            allows.append(L.and_(match, ctx.unknown(where, f"Effect {effect!r} is neither Allow nor Deny")))
            denies.append(L.and_(match, ctx.unknown(where, f"Effect {effect!r} is neither Allow nor Deny")))
            continue
        (allows if effect == "Allow" else denies).append(match)
    formula = L.and_(L.or_(*allows), L.not_(L.or_(*denies)))
    return Translation(formula, tuple(ctx.notes))


def _statement(statement: Mapping[str, Any], where: str, ctx: _Context, action: Term) -> Formula:
    parts = [_principal_part(statement, where, ctx), _action_part(statement, where, ctx, action)]
    if ctx.kind == "permissions":
        parts.append(_resource_part(statement, where, ctx))
    parts.append(_conditions(statement.get("Condition"), where, ctx, statement.get("Effect") == "Deny"))
    return L.and_(*parts)


# Principals ---------------------------------------------------------------------------------------


def _principal_part(statement: Mapping[str, Any], where: str, ctx: _Context) -> Formula:
    if "Principal" in statement and "NotPrincipal" in statement:
        return ctx.unknown(where, "has both Principal and NotPrincipal")
    if "NotPrincipal" in statement:
        return L.not_(_principal(statement["NotPrincipal"], f"{where} NotPrincipal", ctx))
    if "Principal" in statement:
        return _principal(statement["Principal"], f"{where} Principal", ctx)
    return L.TRUE  # identity policies apply to the identity they are attached to


def _principal(principal: Any, where: str, ctx: _Context) -> Formula:
    if principal == "*":
        return L.TRUE
    if not isinstance(principal, Mapping):
        return ctx.unknown(where, f"{principal!r} is neither '*' nor a block of principals")
    strange = [k for k in principal if k not in PRINCIPAL_KINDS]
    if strange:
        return ctx.unknown(where, f"unknown principal type {strange[0]!r}")
    options: list[Formula] = []
    for kind, values in principal.items():
        for value in (str(v) for v in as_list(values)):
            if kind == "AWS" and value == "*":
                return L.TRUE  # {"AWS": "*"} is everyone, exactly like "*"
            is_kind = L.principal_type(kind)
            if value == "*":
                options.append(is_kind)
                continue
            # Principals are shared by many roles (a cluster's provider, an account): kept out of lifting.
            term = L.fix(_text_term(value, ctx))
            named = [L.eq(L.PRINCIPAL, term)]
            if kind == "AWS":
                named += _account_forms(value, ctx)
            options.append(L.and_(is_kind, L.or_(*named)))
    return L.or_(*options)


def _account_forms(value: str, ctx: _Context) -> list[Formula]:
    """An AWS principal value also names every principal of an account: its ID, or its root ARN."""
    out = [("acct", L.fix(_text_term(value, ctx)))]
    fields = _split_keeping_symbols(value, ctx)
    if len(fields) == 6 and fields[5] == L.const("root"):
        out.append(L.and_(("acct", L.fix(fields[4])), ("part", L.fix(fields[1]))))
    return out


def _split_keeping_symbols(value: str, ctx: _Context) -> list[Term]:
    """``value`` split on ':' into terms, a symbol (which never holds ':') kept whole."""
    if ctx.symbols is None or not ctx.symbols.search(value):
        return [L.const(f) for f in value.split(":")]
    fields: list[list[Term]] = [[]]
    for term in _symbol_terms(value, ctx):
        if term[0] == "s":
            fields[-1].append(term)
            continue
        chunks = term[1].split(":")
        fields[-1].append(L.const(chunks[0]))
        fields.extend([L.const(c)] for c in chunks[1:])
    return [L.cat(*f) for f in fields]


# Actions and resources ----------------------------------------------------------------------------


def _action_part(statement: Mapping[str, Any], where: str, ctx: _Context, action: Term) -> Formula:
    if ("Action" in statement) == ("NotAction" in statement):
        return ctx.unknown(where, "needs exactly one of Action and NotAction")
    name = "NotAction" if "NotAction" in statement else "Action"
    if any(not isinstance(a, str) for a in as_list(statement[name])):
        return ctx.unknown(where, f"{name} holds a value that is not a string (not known yet)")
    # IAM matches actions ignoring case: the request's action is lower case, and so are the patterns.
    matches = L.or_(*(glob(action, (Text(fold(str(a))),), ctx, where) for a in as_list(statement[name])))
    matches = L.fix(matches)  # actions are the same in every role: lifting them would only lose precision
    return L.not_(matches) if name == "NotAction" else matches


def _resource_part(statement: Mapping[str, Any], where: str, ctx: _Context) -> Formula:
    if ("Resource" in statement) == ("NotResource" in statement):
        return ctx.unknown(where, "needs exactly one of Resource and NotResource")
    negate = "NotResource" in statement
    values = statement["NotResource" if negate else "Resource"]
    if any(not isinstance(r, str) for r in as_list(values)):
        return ctx.unknown(where, "a Resource that is not a string (not known yet)")
    found = L.or_(*(_resolved_glob(L.RESOURCE, str(r), ctx, where) for r in as_list(values)))
    return L.not_(found) if negate else found


# Conditions ---------------------------------------------------------------------------------------


def _conditions(block: Any, where: str, ctx: _Context, deny: bool) -> Formula:
    if not block:
        return L.TRUE
    if not isinstance(block, Mapping):
        return ctx.unknown(where, "Condition is not a block of operators")
    out: list[Formula] = []
    for operator, keys in block.items():
        if not isinstance(keys, Mapping):
            out.append(ctx.unknown(where, f"Condition operator {operator!r} does not map keys to values"))
            continue
        for key, expected in keys.items():
            out.append(_condition(str(operator), str(key).lower(), to_strings(expected), f"{where} {operator}", ctx))
    return L.and_(*out)


def _condition(operator: str, key: str, expected: tuple[str, ...], where: str, ctx: _Context) -> Formula:
    op = read_operator(operator)
    if op.base == "Null":
        want_absent = fold(expected[0]) == "true" if expected else True
        return L.not_(L.present(key)) if want_absent else L.present(key)
    if not op.supported:
        return ctx.unknown(where, f"operator {operator} is not understood")
    element: Term = ("e", key)
    matches = L.or_(*(_compare(op.base, key, element, value, ctx, f"{where} {key}") for value in expected))
    value_ok = L.not_(matches) if op.negated else matches
    existential = op.set_op == "ForAnyValue" or not (op.set_op or op.negated)
    if value_ok in (L.TRUE, L.FALSE):
        when_present = value_ok  # with the key present, "some" and "every" of a constant are that constant
    else:
        when_present = ("some" if existential else "every", key, value_ok)
    absent = absent_passes(op)
    if existential and when_present != L.TRUE:
        # "some value ..." already needs the key present.
        return L.or_(when_present, L.not_(L.present(key))) if absent else when_present
    return L.or_(L.and_(L.present(key), when_present), L.and_(L.not_(L.present(key)), L.TRUE if absent else L.FALSE))


def _compare(base: str, key: str, element: Term, value: str, ctx: _Context, where: str) -> Formula:
    """A positive comparison of the key's element with one policy value (policy variables resolved)."""
    if base == "StringLike":
        return _resolved_glob(element, value, ctx, where)
    if base in ARN_OPERATORS:
        return _resolved_glob(element, value, ctx, where, arn=True)
    parts = pieces(value, ctx.variables)
    if base in ("StringEquals", "BinaryEquals", "StringEqualsIgnoreCase", "Bool"):
        case_insensitive = base in ("StringEqualsIgnoreCase", "Bool")
        return _with_variables(parts, ctx, where, lambda r: _equals(element, r, ctx, where, case_insensitive))
    if any(isinstance(p, Var) for p in parts):
        return ctx.unknown(where, f"policy variable in a {base} value")
    text = literal(parts)
    if base in NUMERIC_OPERATORS or base in DATE_OPERATORS:
        numeric = base in NUMERIC_OPERATORS
        number = parse_number(text) if numeric else parse_date(text)
        if number is None:
            return L.FALSE
        op = base.removeprefix("Numeric").removeprefix("Date")
        kind = "num" if numeric else "date"
        return L.and_((f"is{kind}", key), (kind, op, key, str(number)))
    if base == "IpAddress":
        network = parse_network(text)
        if network is None:
            return L.FALSE
        return L.and_(("isip", key), ("ipin", key, *network))
    return ctx.unknown(where, f"operator {base} is not understood")


def _equals(element: Term, parts: tuple[Piece | Term, ...], ctx: _Context, where: str, fold_case: bool) -> Formula:
    terms = [_piece_term(p, ctx) for p in parts]
    value = L.cat(*terms)
    if not fold_case:
        return L.eq(element, value)
    if not L.is_constant(value):
        return ctx.unknown(where, "a case-insensitive comparison with a policy variable or unknown value")
    if L.is_constant(element):
        return L.TRUE if fold(element[1]) == fold(value[1]) else L.FALSE
    return ("re", element, (("ci", value[1]),))


# Globs --------------------------------------------------------------------------------------------


def _resolved_glob(term: Term, value: str, ctx: _Context, where: str, arn: bool = False) -> Formula:
    parts = pieces(value, ctx.variables)
    return _with_variables(parts, ctx, where, lambda r: glob(term, r, ctx, where, arn=arn))


def _with_variables(parts: tuple[Piece, ...], ctx: _Context, where: str, build: Any) -> Formula:
    """``build`` over the pieces with each policy variable replaced by its value, or its default.

    As in IAM: a variable whose key is missing from the request (and that has no default) makes the
    value match nothing; a multi-valued key has no single value to substitute.
    """
    variables = [p for p in parts if isinstance(p, Var)]
    if not variables:
        return build(parts)  # type: ignore[no-any-return]
    needs: list[Formula] = []
    resolved: list[Piece | Term] = []
    for part in parts:
        if not isinstance(part, Var):
            resolved.append(part)
            continue
        if not single_valued(part.key):
            return ctx.unknown(where, f"policy variable ${{{part.key}}} of a multi-valued key")
        value: Term = ("k", part.key)
        if part.default is None:
            needs.append(L.present(part.key))
        else:
            value = ("ite", L.present(part.key), value, L.const(part.default))
        resolved.append(value)
    return L.and_(*needs, build(tuple(resolved)))


def _symbol_terms(text: str, ctx: _Context) -> list[Term]:
    if ctx.symbols is None:
        return [L.const(text)]
    out: list[Term] = []
    position = 0
    for match in ctx.symbols.finditer(text):
        if match.start() > position:
            out.append(L.const(text[position : match.start()]))
        out.append(("s", match.group(0)))
        position = match.end()
    if position < len(text):
        out.append(L.const(text[position:]))
    return out or [L.const("")]


def _text_term(text: str, ctx: _Context) -> Term:
    return L.cat(*_symbol_terms(text, ctx))


def action_matches(patterns: Iterable[str], action: Term = L.ACTION) -> Formula:
    """The (lower-case) action matches one of ``patterns``, as an Action element matches it."""
    ctx = _Context("", "permissions", False, None)
    formula: Formula = L.fix(L.or_(*(glob(action, (Text(fold(p)),), ctx, "") for p in patterns)))
    return formula


def value_term(text: str, symbols: re.Pattern[str] | None, *, fixed: bool = False) -> Term:
    """A policy value as a term, its placeholders as symbols (``fixed``: a constant ``lift`` keeps)."""
    term = _text_term(text, _Context("", "trust", False, symbols))
    return L.fix(term) if fixed else term


def _piece_term(piece: Piece | Term, ctx: _Context) -> Term:
    if isinstance(piece, Text):
        return _text_term(piece.text, ctx)
    if isinstance(piece, Char):
        return L.const(piece.char)
    assert isinstance(piece, tuple)
    return piece


def glob(term: Term, parts: tuple[Piece | Term, ...], ctx: _Context, where: str, arn: bool = False) -> Formula:
    """``term`` matches the pattern: ``*``/``?`` in Text pieces are wildcards, other pieces literal.

    With ``arn``, wildcards before the pattern's fifth colon do not match ':' and a pattern with fewer
    than five colons matches nothing (as ``policy_values.glob_regex``).
    """
    if not arn and len(parts) == 1 and isinstance(parts[0], Text) and not _WILD.search(parts[0].text):
        return L.eq(term, _text_term(parts[0].text, ctx))  # the common case: no wildcard at all
    items: list[Term] = []  # ("t", term) | ("*",) | ("*nc",) | ("?",) | ("?nc",)
    colons = 0
    unsure_colons = False
    for part in parts:
        if isinstance(part, Text):
            for chunk in _symbol_terms(part.text, ctx):
                if chunk[0] == "s":
                    items.append(("t", chunk))  # a symbol never holds ':'
                    continue
                for run in _WILD_SPLIT.split(chunk[1]):
                    if run in ("*", "?"):
                        items.append((run + "nc",) if arn and colons < 5 else (run,))
                    elif run:
                        colons += run.count(":")
                        items.append(("t", L.const(run)))
        elif isinstance(part, Char):
            colons += part.char == ":"
            items.append(("t", L.const(part.char)))
        else:
            if arn and colons < 5:
                unsure_colons = True  # a variable's value may hold ':' and move the ARN's fields
            items.append(("t", part))
    if arn and unsure_colons:
        return ctx.unknown(where, "a policy variable before the fifth colon of an ARN pattern")
    if arn and colons < 5:
        return L.FALSE
    return _glob_formula(term, _merge(items), ctx)


def _merge(items: list[Term]) -> list[Term]:
    """Adjacent literal terms concatenated; a run of stars is one star (``*nc`` if all are)."""
    out: list[Term] = []
    for item in items:
        if item[0] == "t" and out and out[-1][0] == "t":
            out[-1] = ("t", L.cat(out[-1][1], item[1]))
        elif item[0] in ("*", "*nc") and out and out[-1][0] in ("*", "*nc"):
            out[-1] = ("*nc",) if item[0] == out[-1][0] == "*nc" else ("*",)
        else:
            out.append(item)
    return out


def _ground(items: Iterable[Term]) -> bool:
    return all(i[0] != "t" or L.is_constant(i[1]) for i in items)


def _glob_formula(term: Term, items: list[Term], ctx: _Context) -> Formula:
    stars = [i for i, item in enumerate(items) if item[0] in ("*", "*nc")]
    wild = [i for i, item in enumerate(items) if item[0] != "t"]
    if L.is_constant(term) and _ground(items):
        return L.TRUE if _ground_match(items, term[1]) else L.FALSE
    if not wild:
        return L.eq(term, L.cat(*(i[1] for i in items)))
    if items == [("*",)]:
        return L.TRUE
    only_stars = len(wild) == len(stars) and all(items[i] == ("*",) for i in stars)
    if only_stars and len(stars) == 1:
        head = L.cat(*(i[1] for i in items[: stars[0]]))
        tail = L.cat(*(i[1] for i in items[stars[0] + 1 :]))
        if tail == L.const(""):
            return ("pre", head, term)
        if head == L.const(""):
            return ("suf", tail, term)
        return L.and_(("pre", head, term), ("suf", tail, term), ("lenge", term, head, tail))
    if only_stars and len(stars) == 2 and stars == [0, len(items) - 1] and len(items) == 3:
        return ("has", term, items[1][1])
    if _ground(items):
        return ("re", term, tuple(_regex_piece(i) for i in items))
    return ("gx", term, tuple(items))


def _regex_piece(item: Term) -> tuple[str, ...]:
    if item[0] == "t":
        return ("lit", item[1][1])
    return {"*": ("star",), "*nc": ("starnc",), "?": ("any",), "?nc": ("anync",)}[item[0]]


def _ground_match(items: list[Term], value: str) -> bool:
    regex = ["^"]
    for item in items:
        if item[0] == "t":
            regex.append(re.escape(item[1][1]))
        else:
            regex.append({"*": ".*", "*nc": "[^:]*", "?": ".", "?nc": "[^:]"}[item[0]])
    return re.match("".join(regex) + r"\Z", value, re.DOTALL) is not None


__all__ = [
    "Kind",
    "Translation",
    "action_matches",
    "claim_host",
    "glob",
    "is_claim_key",
    "single_valued",
    "translate",
    "value_term",
]
