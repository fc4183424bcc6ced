"""The formulas policies translate to: plain, hashable tuples over the variables of one IAM request.

``translate`` builds them, ``solver`` hands them to z3. Keeping them plain data lets a query be
canonicalised and cached before a single z3 object exists (building z3 terms is most of a query's
cost), and lets ``lift`` abstract the constants of a query so that thousands of roles written to the
same template share one solver call (see ``lift``).

Terms (string-valued):
    ("v", "action"|"principal"|"resource")   request fields; the action is lower case (IAM ignores its case)
    ("c", text)                              a constant
    ("C", text)                              a constant ``lift`` keeps (actions, service names: shared by all roles)
    ("s", token)                             a symbol: a value only the cloud knows (``<account-id>``)
    ("L", n)                                 a lifted constant (see ``lift``)
    ("k", key)                               the value of a single-valued condition key
    ("e", key)                               the element of ``key`` a quantifier ranges over
    ("cat", t, ...)                          concatenation
    ("ite", formula, t, t)                   if-then-else
Formulas:
    ("T",) ("F",) ("and", f, ...) ("or", f, ...) ("not", f)
    ("eq", t, t) ("pre", prefix, t) ("suf", suffix, t) ("has", t, infix) ("lenge", t, a, b): len t >= len a + len b
    ("re", t, pieces)         t in a ground regular expression: pieces ("lit", s) ("ci", s) ("any",) ("anync",)
                              ("star",) ("starnc",) ("upper",) (``nc``: not matching ':'; upper: A-Z)
    ("gx", t, pieces)         t matches a glob with non-constant pieces ("t", term) ("*",) ("*nc",) ("?",) ("?nc",);
                              exact where it occurs positively, weakened where negatively (``solver``)
    ("pt", n)                 the principal's type is n (see PRINCIPAL_TYPES)
    ("p", key)                the key is present in the request
    ("some", key, body) ("every", key, body)   some / every value of a (possibly multi-valued) key satisfies body
    ("isnum", key) ("num", op, key, value) ("isdate", key) ("date", op, key, value)
    ("isip", key) ("ipin", key, v6, first, last)   typed views of the quantified element
    ("acct", t) ("part", t)   an AWS principal (an ARN) whose account (partition) field is t
    ("u", id)                 unknown: a construct the translation does not understand (a free Boolean)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

Term = tuple[Any, ...]
Formula = tuple[Any, ...]

TRUE: Formula = ("T",)
FALSE: Formula = ("F",)
ACTION: Term = ("v", "action")
PRINCIPAL: Term = ("v", "principal")
RESOURCE: Term = ("v", "resource")
PRINCIPAL_TYPES = ("AWS", "Federated", "Service", "CanonicalUser")


def const(text: str) -> Term:
    return ("c", text)


def fixed(text: str) -> Term:
    return ("C", text)


def is_constant(term: Term) -> bool:
    return term[0] in ("c", "C")


def cat(*terms: Term) -> Term:
    """Concatenation with adjacent constants (of the same kind) merged."""
    out: list[Term] = []
    for term in terms:
        parts = term[1:] if term[0] == "cat" else (term,)
        for part in parts:
            if part[0] in ("c", "C") and out and out[-1][0] == part[0]:
                out[-1] = (part[0], out[-1][1] + part[1])
            elif part not in (("c", ""), ("C", "")):
                out.append(part)
    if not out:
        return ("c", "")
    return out[0] if len(out) == 1 else ("cat", *out)


def and_(*formulas: Formula) -> Formula:
    out: list[Formula] = []
    for f in formulas:
        if f == FALSE:
            return FALSE
        if f == TRUE:
            continue
        out.extend(f[1:] if f[0] == "and" else (f,))
    if not out:
        return TRUE
    return out[0] if len(out) == 1 else ("and", *dict.fromkeys(out))


def or_(*formulas: Formula) -> Formula:
    out: list[Formula] = []
    for f in formulas:
        if f == TRUE:
            return TRUE
        if f == FALSE:
            continue
        out.extend(f[1:] if f[0] == "or" else (f,))
    if not out:
        return FALSE
    return out[0] if len(out) == 1 else ("or", *dict.fromkeys(out))


def not_(f: Formula) -> Formula:
    if f == TRUE:
        return FALSE
    if f == FALSE:
        return TRUE
    if f[0] == "not":
        return f[1]  # type: ignore[no-any-return]
    return ("not", f)


def implies(a: Formula, b: Formula) -> Formula:
    return or_(not_(a), b)


def eq(a: Term, b: Term) -> Formula:
    if a[0] in ("c", "C") and b[0] in ("c", "C"):
        return TRUE if a[1] == b[1] else FALSE
    if a == b:
        return TRUE
    return ("eq", a, b) if repr(a) <= repr(b) else ("eq", b, a)


def one_of(term: Term, values: Iterable[Term]) -> Formula:
    return or_(*(eq(term, v) for v in values))


def fix(node: Any) -> Any:
    """``node`` with every constant made one that ``lift`` keeps."""
    if not isinstance(node, tuple) or not node or not isinstance(node[0], str):
        return node
    if node[0] == "c":
        return ("C", node[1])
    if node[0] == "re":
        return node
    return (node[0], *(fix(x) for x in node[1:]))


def ground(node: Any) -> Any:
    """``node`` with every symbol replaced by a constant of its own text (an opaque value of its own)."""
    if not isinstance(node, tuple) or not node or not isinstance(node[0], str):
        return node
    tag = node[0]
    if tag == "s":
        return ("c", node[1])
    if tag == "cat":
        parts = [ground(x) for x in node[1:]]
        if all(p[0] in ("c", "C") for p in parts):
            kind = "C" if any(p[0] == "C" for p in parts) else "c"
            return (kind, "".join(p[1] for p in parts))
        return cat(*parts)
    if tag in ("c", "C", "re"):
        return node
    rebuilt = (tag, *(ground(x) for x in node[1:]))
    if tag == "eq":
        return eq(rebuilt[1], rebuilt[2])
    return rebuilt


def present(key: str) -> Formula:
    return ("p", key)


def principal_type(name: str) -> Formula:
    return ("pt", PRINCIPAL_TYPES.index(name))


def walk(node: Any) -> Iterator[tuple[Any, ...]]:
    """Every tuple inside a formula or term, the node itself first."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple) and item and isinstance(item[0], str):
            yield item
            stack.extend(x for x in item[1:] if isinstance(x, tuple))


@dataclass(frozen=True)
class Scan:
    """What a formula mentions, gathered in one pass."""

    keys: frozenset[str]
    principals: frozenset[Term]
    """Terms the principal is compared with."""
    symbols: frozenset[str]


def scan(formula: Formula) -> Scan:
    keys: set[str] = set()
    principals: set[Term] = set()
    symbols: set[str] = set()

    def go(node: tuple[Any, ...]) -> None:
        tag = node[0]
        if tag in ("p", "k"):
            keys.add(node[1])
            return
        if tag in ("some", "every"):
            keys.add(node[1])
            go(node[2])
            return
        if tag == "s":
            symbols.add(node[1])
            return
        if tag in (
            "c",
            "C",
            "L",
            "v",
            "pt",
            "u",
            "re",
            "num",
            "date",
            "ipin",
            "isnum",
            "isdate",
            "isip",
            "acct",
            "part",
        ):
            if tag == "re":
                go(node[1])
            return
        if tag == "eq" and PRINCIPAL in node[1:]:
            principals.add(node[2] if node[1] == PRINCIPAL else node[1])
        for child in node[1:]:
            if isinstance(child, tuple) and child and isinstance(child[0], str):
                go(child)

    go(formula)
    return Scan(frozenset(keys), frozenset(principals), frozenset(symbols))


# Lifting ------------------------------------------------------------------------------------------


def lift(formula: Formula) -> tuple[Formula, tuple[str, ...]]:
    """Replace every constant term by a numbered variable ``("L", n)`` (first occurrence first).

    The lifted formula is weaker: a request satisfying the original satisfies it with each ``L`` set to
    its constant. So when the lifted formula is unsatisfiable, so is the original, for whatever
    constants. Two roles whose trust differs only in its constants (service account names, account IDs,
    provider ARNs) lift to the same formula: one solver call answers both. Constants inside regular
    expressions stay (they are part of the formula's shape). Returns the formula and the constants in
    the order of their numbers.
    """
    numbers: dict[str, int] = {}

    def go(node: Any) -> Any:
        if not isinstance(node, tuple) or not node or not isinstance(node[0], str):
            return node
        tag = node[0]
        if tag == "c":
            n = numbers.setdefault(node[1], len(numbers))
            return ("L", n)
        if tag in (
            "C",
            "re",
            "num",
            "date",
            "ipin",
            "u",
            "pt",
            "p",
            "isnum",
            "isdate",
            "isip",
            "v",
            "s",
            "k",
            "e",
            "acct",
            "part",
        ):
            if tag == "re":
                return (tag, go(node[1]), node[2])
            return node
        return (tag, *(go(x) for x in node[1:]))

    lifted = go(formula)
    return lifted, tuple(sorted(numbers, key=numbers.__getitem__))
