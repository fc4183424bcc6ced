"""Which string variables of a formula the solver may number instead of reasoning about as strings.

A condition key whose values a formula only ever tests for equality with constants (``StringEquals``
against literal values, the commonest condition there is) can only tell those constants apart from
each other and from "any other value": all other strings satisfy exactly the same atoms. So such a key's
value is one of ``n`` constants or "another value", an integer in ``0..n``, and z3 decides the query
with integers instead of its string theory, whose axioms for each disequality with a long constant
(an issuer URL, a service-account subject) cost it seconds on queries it otherwise settles in
milliseconds. Nothing is approximated: the numbered encoding has a model exactly when the string one
has.

A lifted constant (``("L", n)``, see ``logic.lift``) compared only with such keys (or with other lifted
constants) is numbered too: lifted constants are distinct values (the solver asserts so), so it is one
more constant of the keys it is compared with.

Keys with typed views (numbers, dates, addresses) stay strings, so that a value's views stay one value.
"""

from __future__ import annotations

from dataclasses import dataclass

from .logic import Formula, walk

ATOMS = frozenset({"eq", "pre", "suf", "has", "lenge", "re", "gx"})
_TYPED = frozenset({"isnum", "num", "isdate", "date", "isip", "ipin"})
_LEAVES = frozenset({"v", "c", "C", "L", "s", "k", "e"})

Value = str | int
"""A constant's text, or the number of a lifted constant."""


@dataclass(frozen=True)
class Numbering:
    keys: dict[str, tuple[Value, ...]]
    """Each numbered key's constants (its value is one of them by position, or ``len`` for another)."""
    lifted: frozenset[int]
    """The lifted constants numbered (never given a string)."""

    def simple(self, atom: Formula) -> bool:
        """Whether ``atom`` is an equality the numbering decides: a numbered key with a constant, or two
        lifted constants (equal exactly when they are the same one)."""
        if atom[0] != "eq":
            return False
        a, b = atom[1], atom[2]
        if a[0] == "L" and b[0] == "L":
            return True
        return any(t[0] in ("k", "e") for t in (a, b)) and all(_numbered(self, t) for t in (a, b))


def _numbered(numbering: Numbering, term: tuple[object, ...]) -> bool:
    tag = term[0]
    if tag in ("k", "e"):
        return term[1] in numbering.keys
    if tag == "L":
        return term[1] in numbering.lifted
    return tag in ("c", "C")


def numbering(formula: Formula) -> Numbering:
    """The keys and lifted constants of ``formula`` that can be numbered, with each key's constants."""
    strings: set[tuple[str, object]] = set()  # ("k", key) / ("L", n) that must stay strings
    links: list[tuple[tuple[str, object], tuple[str, object]]] = []
    constants: dict[str, list[Value]] = {}
    for node in walk(formula):
        tag = node[0]
        if tag in _TYPED:
            strings.add(("k", node[2] if tag in ("num", "date") else node[1]))
            continue
        if tag not in ATOMS:
            continue
        slots = {_slot(n) for n in walk(node) if n[0] in ("k", "e", "L")}
        if tag == "eq" and all(t[0] in _LEAVES for t in node[1:3]):
            a, b = _slot(node[1]), _slot(node[2])
            if a is not None and b is not None:
                if a[0] == "k" and b[0] == "k":
                    strings.update((a, b))  # two keys' values: whether they are equal is a string question
                elif a[0] == "L" and b[0] == "L":
                    pass
                else:
                    links.append((a, b))
                    key, other = (a, b) if a[0] == "k" else (b, a)
                    constants.setdefault(str(key[1]), []).append(int(str(other[1])))
                continue
            one, term = (a, node[2]) if a is not None else (b, node[1])
            if one is not None and term[0] in ("c", "C") and one[0] == "k":
                constants.setdefault(str(one[1]), []).append(str(term[1]))
                continue
        strings.update(s for s in slots if s is not None)
    changed = True
    while changed:  # a string on one side of a link makes the other side a string
        changed = False
        for a, b in links:
            if (a in strings) != (b in strings):
                strings.update((a, b))
                changed = True
    keys = {key: tuple(dict.fromkeys(values)) for key, values in constants.items() if ("k", key) not in strings}
    lifted = {int(str(s[1])) for n in walk(formula) if n[0] == "L" for s in [_slot(n)] if s and s not in strings}
    return Numbering(keys, frozenset(lifted))


def _slot(term: tuple[object, ...]) -> tuple[str, object] | None:
    if term[0] in ("k", "e"):
        return ("k", term[1])
    if term[0] == "L":
        return ("L", term[1])
    return None
