"""Decide ``core.logic`` formulas with z3 and read a satisfying request back.

Encoding, and why: strings are z3's string theory (sound and complete for what policies compare).
Wildcard patterns become ``prefixof``/``suffixof``/``contains``/equality wherever their shape allows;
only patterns that need more use a regular expression, because z3 decides the former far faster.
Case-insensitive action matching is folded away (the request's action is lower case, the patterns
too), which spares the case-insensitive regular expressions that dominate solving time otherwise.
A multi-valued key is a bounded set: with n quantified conditions on a key, n + 1 elements are enough
to realise every combination of their truth values, so the bound loses no request. Numbers and dates
are reals and addresses integers, beside (not derived from) a value's string: a witness that needs
both views of one value is checked by the evaluator like every other witness.
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import z3
from z3 import z3core

from .finite_values import numbering
from .logic import PRINCIPAL_TYPES, Formula, Term, walk
from .logic_eval import Point, holds
from .policy_values import fold, format_address, format_date, format_number, parse_address, parse_date, parse_number
from .translate import single_valued

_CTX = z3.main_ctx()
_RE = z3.ReSort(z3.StringSort())
_ALL = z3.AllChar(_RE)
_NOT_COLON = z3.Intersect(_ALL, z3.Complement(z3.Re(":")))
_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "Equals": lambda a, b: a == b,
    "LessThan": lambda a, b: a < b,
    "LessThanEquals": lambda a, b: a <= b,
    "GreaterThan": lambda a, b: a > b,
    "GreaterThanEquals": lambda a, b: a >= b,
}
TIMEOUT_MS = 10_000
# Typed atoms: (view, position of the key in the node).
_TYPED = {
    "isnum": ("num", 1),
    "num": ("num", 2),
    "isdate": ("date", 1),
    "date": ("date", 2),
    "isip": ("ip", 1),
    "ipin": ("ip", 1),
}


def string_value(text: str) -> z3.SeqRef:
    """A z3 string of exactly ``text``.

    ``z3.StringVal`` escapes non-printable characters itself but reads a backslash as the start of an
    escape, so text with a backslash is built from code points instead (z3 then keeps it as a sequence
    of characters, which it solves more slowly: only for such text)."""
    if "\\" not in text:
        return z3.StringVal(text)
    codes = (ctypes.c_uint * len(text))(*(ord(c) for c in text))
    return z3.SeqRef(z3core.Z3_mk_u32string(_CTX.ref(), len(text), codes), _CTX)


def python_string(value: z3.ExprRef) -> str:
    length = z3core.Z3_get_string_length(_CTX.ref(), value.as_ast())
    codes = (ctypes.c_uint * length)()
    z3core.Z3_get_string_contents(_CTX.ref(), value.as_ast(), length, codes)
    return "".join(chr(c) for c in codes)


@dataclass
class _Element:
    exists: z3.BoolRef
    text: z3.SeqRef
    typed: dict[str, Any] = field(default_factory=dict)
    index: z3.ArithRef | None = None
    """For a numbered key (``core.finite_values``): which of its constants the value is."""


@dataclass(frozen=True)
class Model:
    """A satisfying request, in plain values."""

    action: str
    principal_type: str
    principal: str
    resource: str
    context: Mapping[str, tuple[str, ...]]
    symbols: Mapping[str, str]
    lifted: tuple[str, ...]


class Compiler:
    """One formula's z3 encoding; ``domains`` constrains each symbol's value (a regular expression)."""

    def __init__(
        self,
        formula: Formula,
        *,
        domains: Mapping[str, str] | None = None,
        distinct: tuple[tuple[str, ...], ...] = (),
        sizes: Mapping[str, int] | None = None,
        actions: tuple[str, ...] | None = None,
    ) -> None:
        self.formula = formula
        # A query whose actions are a known finite set (a trust policy is evaluated for the STS actions
        # only) numbers them: comparisons of the action with constants are then decided in Python, not
        # by z3's string solver, which is far slower at case splits over string equalities.
        self.actions = actions
        self.action_index = z3.Int("action#")
        self.side: list[z3.BoolRef] = []
        self.weakened = False
        self.action: z3.SeqRef = z3.String("action")
        # The principal is one of the constants the formula compares it with, or another value: numbering
        # them lets comparisons with constants be decided in Python (as for actions); only "another
        # value" is a string z3 reasons about.
        self.principals = tuple(
            sorted(
                {
                    t[1]
                    for n in walk(formula)
                    if n[0] == "eq" and ("v", "principal") in n[1:]
                    for t in n[1:]
                    if t[0] in ("c", "C")
                }
            )
        )
        self.principal_index = z3.Int("principal#")
        self.other_principal = z3.String("principal")
        self.principal = self.other_principal
        for i in range(len(self.principals) - 1, -1, -1):
            self.principal = z3.If(self.principal_index == i, string_value(self.principals[i]), self.principal)
        self.resource = z3.String("resource")
        self.ptype = z3.Int("ptype")
        self.side.append(z3.And(self.ptype >= 0, self.ptype < len(PRINCIPAL_TYPES)))
        if actions is not None:
            self.side.append(z3.And(self.action_index >= 0, self.action_index < len(actions)))
            # The string, for the rare comparison of the action with something other than a constant.
            chosen = string_value(actions[-1])
            for i in range(len(actions) - 2, -1, -1):
                chosen = z3.If(self.action_index == i, string_value(actions[i]), chosen)
            self.action = chosen
        n = len(self.principals)
        self.side.append(z3.And(self.principal_index >= 0, self.principal_index <= n))
        # "Another value" may equal a named constant: its comparisons are exact either way, and a string
        # disequality would cost z3 an axiom per character.
        self.elements: dict[str, list[_Element]] = {}
        self.lifted: dict[int, z3.SeqRef] = {}
        self.symbols: dict[str, z3.SeqRef] = {}
        self.unknowns: dict[str, z3.BoolRef] = {}
        self._fresh = 0
        self._fields: tuple[z3.SeqRef, z3.SeqRef] | None = None
        self._principal_as: z3.SeqRef | None = None
        self._memo: dict[tuple[int, bool, tuple[tuple[str, int], ...]], z3.BoolRef] = {}
        self._keep: list[Any] = []
        counts: dict[str, int] = {}
        self.numbering = numbering(formula)
        self.string_keys: set[str] = set()
        self.typed_keys: dict[str, set[str]] = {}
        for node in walk(formula):
            if node[0] in ("some", "every"):
                counts[node[1]] = counts.get(node[1], 0) + 1
            elif node[0] in ("p", "k"):
                counts.setdefault(node[1], 0)
            if node[0] in ("k", "e"):
                self.string_keys.add(node[1])
            elif node[0] in _TYPED:
                kind, at = _TYPED[node[0]]
                self.typed_keys.setdefault(node[at], set()).add(kind)
        for key, count in counts.items():
            n = 1 if single_valued(key) else count + 1
            n = max(n, (sizes or {}).get(key, 0))
            self.elements[key] = [self._element(key, i) for i in range(n)]
        used = {n[1] for n in walk(formula) if n[0] == "s"}
        for token in sorted(used):
            domain = (domains or {}).get(token)
            if domain:
                self.side.append(z3.InRe(self._symbol(token), _regex(domain)))
        for group in distinct:
            present = [self._symbol(t) for t in group if t in used]
            if len(present) > 1:
                self.side.append(z3.Distinct(*present))
        self.top = self.compile(formula, True, ())

    # Variables ------------------------------------------------------------------------------------

    def _element(self, key: str, i: int) -> _Element:
        element = _Element(z3.Bool(f"in[{key}][{i}]"), z3.String(f"val[{key}][{i}]"))
        domain = self.numbering.keys.get(key)
        if domain is not None:
            element.index = z3.Int(f"num[{key}][{i}]")
            self.side.append(z3.And(element.index >= 0, element.index <= len(domain)))
        for kind in self.typed_keys.get(key, ()):
            if kind == "num" or kind == "date":
                element.typed[f"is{kind}"] = z3.Bool(f"is{kind}[{key}][{i}]")
                element.typed[kind] = z3.Real(f"{kind}[{key}][{i}]")
            else:
                isip, v6, ip = z3.Bool(f"isip[{key}][{i}]"), z3.Bool(f"v6[{key}][{i}]"), z3.Int(f"ip[{key}][{i}]")
                element.typed.update(isip=isip, v6=v6, ip=ip)
                self.side.append(z3.And(ip >= 0, ip <= z3.If(v6, z3.IntVal(2**128 - 1), z3.IntVal(2**32 - 1))))
        return element

    def _symbol(self, token: str) -> z3.SeqRef:
        if token not in self.symbols:
            self.symbols[token] = z3.String(f"sym[{token}]")
        return self.symbols[token]

    def fresh_string(self) -> z3.SeqRef:
        self._fresh += 1
        return z3.String(f"fresh!{self._fresh}")

    def _aws_fields(self) -> tuple[z3.SeqRef, z3.SeqRef]:
        """(partition, account) fields of an AWS principal, defined once: an AWS principal is an ARN,
        ``arn:<partition>:<service>:<region>:<account>:<resource>``. String equations over fresh parts
        are cheap for z3 where the principal is free; regular expressions over it are not."""
        if self._fields is None:
            part, acct = z3.String("principal.partition"), z3.String("principal.account")
            f0, f2, f3, rest = (self.fresh_string() for _ in range(4))
            colon = string_value(":")
            shape = z3.Concat(f0, colon, part, colon, f2, colon, f3, colon, acct, colon, rest)
            free = [z3.Not(z3.Contains(x, colon)) for x in (f0, part, f2, f3, acct)]
            aws = self.ptype == PRINCIPAL_TYPES.index("AWS")
            other = self.principal_index == len(self.principals)
            self.side.append(z3.Implies(z3.And(aws, other), z3.And(self.other_principal == shape, *free)))
            for i, named in enumerate(self.principals):
                if len(named.split(":")) < 6:
                    self.side.append(z3.Implies(self.principal_index == i, z3.Not(aws)))  # an AWS principal is an ARN
            self._fields = (part, acct)
        return self._fields

    def _field(self, index: int, term: Term, env: tuple[tuple[str, int], ...]) -> z3.BoolRef:
        """An AWS principal whose field ``index`` (1: partition, 4: account) is ``term``."""
        if term[0] in ("c", "C") and ":" in term[1]:
            return z3.BoolVal(False)  # a field never holds ':'
        part, acct = self._aws_fields()
        aws = self.ptype == PRINCIPAL_TYPES.index("AWS")
        value = self.term(term, env)
        options = [z3.And(self.principal_index == len(self.principals), (acct if index == 4 else part) == value)]
        for i, named in enumerate(self.principals):
            fields = named.split(":")
            if len(fields) >= 6:
                options.append(z3.And(self.principal_index == i, value == string_value(fields[index])))
        return z3.And(aws, z3.Or(*options))

    # Terms and formulas -----------------------------------------------------------------------------

    def term(self, t: Term, env: tuple[tuple[str, int], ...]) -> z3.SeqRef:
        tag = t[0]
        if tag in ("c", "C"):
            return string_value(t[1])
        if tag == "v":
            if t[1] == "principal":
                return self.principal if self._principal_as is None else self._principal_as
            return {"action": self.action, "resource": self.resource}[t[1]]
        if tag == "L":
            if t[1] not in self.lifted:
                self.lifted[t[1]] = z3.String(f"lift[{t[1]}]")
            return self.lifted[t[1]]
        if tag == "s":
            return self._symbol(t[1])
        if tag == "k":
            return self.elements[t[1]][0].text
        if tag == "e":
            return self.elements[t[1]][dict(env)[t[1]]].text
        if tag == "cat":
            return z3.Concat(*(self.term(x, env) for x in t[1:]))
        if tag == "ite":
            return z3.If(self.compile(t[1], True, env), self.term(t[2], env), self.term(t[3], env))
        raise ValueError(f"unknown term {t!r}")

    def compile(self, f: Formula, positive: bool, env: tuple[tuple[str, int], ...]) -> z3.BoolRef:
        key = (id(f), positive, env)
        found = self._memo.get(key)
        if found is None:
            self._keep.append(f)
            found = self._compile(f, positive, env)
            self._memo[key] = found
        return found

    def _compile(self, f: Formula, positive: bool, env: tuple[tuple[str, int], ...]) -> z3.BoolRef:
        tag = f[0]
        if tag == "eq" and self.numbering.simple(f):
            return self._numbered_eq(f, env)
        if tag in _ATOMS:
            if self.actions is not None and _only(f, "action"):
                holding = [i for i, a in enumerate(self.actions) if holds(f, Point(a, "AWS", "", "", {}, {}))]
                return z3.Or(*(self.action_index == i for i in holding)) if holding else z3.BoolVal(False)
            if self.principals and any(n == ("v", "principal") for n in walk(f)):
                return self._by_principal(f, positive, env)
        if tag == "T":
            return z3.BoolVal(True)
        if tag == "F":
            return z3.BoolVal(False)
        if tag == "and":
            return z3.And(*(self.compile(x, positive, env) for x in f[1:]))
        if tag == "or":
            return z3.Or(*(self.compile(x, positive, env) for x in f[1:]))
        if tag == "not":
            return z3.Not(self.compile(f[1], not positive, env))
        if tag in _ATOMS:
            return self._atom(f, positive, env)
        if tag == "pt":
            return self.ptype == f[1]
        if tag == "p":
            return z3.Or(*(e.exists for e in self.elements[f[1]]))
        if tag in ("some", "every"):
            parts = []
            for i, element in enumerate(self.elements[f[1]]):
                body = self.compile(f[2], positive, (*(x for x in env if x[0] != f[1]), (f[1], i)))
                parts.append(z3.And(element.exists, body) if tag == "some" else z3.Implies(element.exists, body))
            return z3.Or(*parts) if tag == "some" else z3.And(*parts)
        if tag in ("isnum", "isdate", "isip"):
            return self._typed(f[1], env)[tag]
        if tag in ("num", "date"):
            value = self._typed(f[2], env)[tag]
            return _OPS[f[1]](value, z3.RealVal(str(Fraction(f[3]))))
        if tag == "ipin":
            typed = self._typed(f[1], env)
            return z3.And(typed["v6"] == z3.BoolVal(f[2]), typed["ip"] >= f[3], typed["ip"] <= f[4])
        if tag in ("acct", "part"):
            return self._field(4 if tag == "acct" else 1, f[1], env)
        if tag == "u":
            if f[1] not in self.unknowns:
                self.unknowns[f[1]] = z3.Bool(f"unknown[{f[1]}]")
            return self.unknowns[f[1]]
        raise ValueError(f"unknown formula {f!r}")

    def _numbered_eq(self, f: Formula, env: tuple[tuple[str, int], ...]) -> z3.BoolRef:
        a, b = f[1], f[2]
        if a[0] == "L" and b[0] == "L":
            return z3.BoolVal(a[1] == b[1])  # lifted constants are distinct values
        slot, other = (a, b) if a[0] in ("k", "e") else (b, a)
        element = self.elements[slot[1]][0 if slot[0] == "k" else dict(env)[slot[1]]]
        domain = self.numbering.keys[slot[1]]
        value = other[1] if other[0] in ("c", "C") else int(other[1])
        assert element.index is not None
        return element.index == domain.index(value)

    def _by_principal(self, f: Formula, positive: bool, env: tuple[tuple[str, int], ...]) -> z3.BoolRef:
        """An atom on the principal, case by case: each named constant (decided in Python when the atom
        compares only constants), then "another value"."""
        only = _only(f, "principal")
        cases = []
        for i, named in enumerate(self.principals):
            if only:
                if holds(f, Point("", "AWS", named, "", {}, {})):
                    cases.append(self.principal_index == i)
                continue
            self._principal_as = string_value(named)
            try:
                cases.append(z3.And(self.principal_index == i, self._atom(f, positive, env)))
            finally:
                self._principal_as = None
        self._principal_as = self.other_principal
        try:
            cases.append(z3.And(self.principal_index == len(self.principals), self._atom(f, positive, env)))
        finally:
            self._principal_as = None
        return z3.Or(*cases)

    def _atom(self, f: Formula, positive: bool, env: tuple[tuple[str, int], ...]) -> z3.BoolRef:
        """A string comparison (the principal read as ``self._principal_as`` while that is set)."""
        tag = f[0]
        if tag == "eq":
            return self.term(f[1], env) == self.term(f[2], env)
        if tag == "pre":
            return z3.PrefixOf(self.term(f[1], env), self.term(f[2], env))
        if tag == "suf":
            return z3.SuffixOf(self.term(f[1], env), self.term(f[2], env))
        if tag == "has":
            return z3.Contains(self.term(f[1], env), self.term(f[2], env))
        if tag == "lenge":
            a, b = self.term(f[2], env), self.term(f[3], env)
            return z3.Length(self.term(f[1], env)) >= z3.Length(a) + z3.Length(b)
        if tag == "re":
            return z3.InRe(self.term(f[1], env), _pieces_regex(f[2]))
        return self._glob(f, positive, env)

    def _typed(self, key: str, env: tuple[tuple[str, int], ...]) -> dict[str, Any]:
        return self.elements[key][dict(env)[key]].typed

    def _glob(self, f: Formula, positive: bool, env: tuple[tuple[str, int], ...]) -> z3.BoolRef:
        """A glob with non-constant pieces: exact with fresh pieces where it occurs positively; where it
        occurs negatively (only refusing), taken as never matching, which admits more requests."""
        if not positive:
            self.weakened = True
            return z3.BoolVal(False)
        parts, side = [], []
        for item in f[2]:
            if item[0] == "t":
                parts.append(self.term(item[1], env))
                continue
            piece = self.fresh_string()
            parts.append(piece)
            if item[0] in ("?", "?nc"):
                side.append(z3.Length(piece) == 1)
            if item[0] in ("*nc", "?nc"):
                side.append(z3.Not(z3.Contains(piece, string_value(":"))))
        return z3.And(self.term(f[1], env) == z3.Concat(*parts), *side)

    # Solving -----------------------------------------------------------------------------------------

    def solve(self, extra: tuple[z3.BoolRef, ...] = (), timeout_ms: int = TIMEOUT_MS) -> tuple[str, Model | None]:
        """("sat", model), ("unsat", None) or ("unknown", None)."""
        facts = [self.top, *self.side, *extra]
        if len(self.lifted) > 1:
            # Lifted constants stand for constants of different texts: different strings (a fact of every
            # query the lifted formula stands for), which also keeps a lifted witness unambiguous.
            facts.append(z3.Distinct(*self.lifted.values()))
        # The principal case by case: one of the named constants, or another value different from each of
        # them (the two cases cover every principal). z3 settles each in milliseconds where the query as a
        # whole, with "another value" free to equal a named one, can take it seconds. Each case is a solver
        # of its own: a case added as a fact is simplified away before search, one assumed is not.
        # In the named case "another value" is never the principal: it is replaced by a constant, which
        # folds away every string atom on it before z3's string theory sees one.
        n = len(self.principals)
        other = z3.And(self.principal_index == n, *(self.other_principal != string_value(c) for c in self.principals))
        named = [z3.substitute(f, (self.other_principal, string_value(""))) for f in facts]
        cases = [(named, self.principal_index < n), (facts, other)] if n else [(facts, z3.BoolVal(True))]
        outcome = "unsat"
        for assertions, case in cases:
            solver = z3.Solver()  # its preprocessing makes string queries far steadier than SimpleSolver's
            solver.set("timeout", timeout_ms)
            solver.add(*assertions, case)
            result = solver.check()
            if result == z3.sat:
                return "sat", self._model(solver.model())
            if result != z3.unsat:
                outcome = "unknown"
        return outcome, None

    def _model(self, m: z3.ModelRef) -> Model:
        def text(x: z3.ExprRef) -> str:
            return python_string(m.eval(x, model_completion=True))

        context: dict[str, tuple[str, ...]] = {}
        for key, elements in self.elements.items():
            values = []
            for element in elements:
                if not z3.is_true(m.eval(element.exists, model_completion=True)):
                    continue
                values.append(self._element_value(key, element, m, text))
            if values:
                context[key] = tuple(dict.fromkeys(values))
        ptype = m.eval(self.ptype, model_completion=True).as_long()
        return Model(
            action=text(self.action)
            if self.actions is None
            else self.actions[m.eval(self.action_index, model_completion=True).as_long()],
            principal_type=PRINCIPAL_TYPES[ptype],
            principal=text(self.principal),  # the If-term evaluates to the chosen constant or the other value
            resource=text(self.resource),
            context=context,
            symbols={t: text(v) for t, v in self.symbols.items()},
            lifted=tuple(self._lifted_text(i, m) for i in range(self._lifted_count())),
        )

    def _lifted_count(self) -> int:
        return max((*self.lifted, *self.numbering.lifted), default=-1) + 1

    def _lifted_text(self, n: int, m: z3.ModelRef) -> str:
        if n in self.lifted:
            return python_string(m.eval(self.lifted[n], model_completion=True))
        return f"\ue000{n}"  # a numbered lifted constant: a text of its own (no other value is compared with it)

    def _element_value(self, key: str, element: _Element, m: z3.ModelRef, text: Callable[[Any], str]) -> str:
        """The string of one element: its own, unless only a typed view of the key is ever compared."""
        if element.index is not None:
            domain = self.numbering.keys[key]
            n = m.eval(element.index, model_completion=True).as_long()
            if n < len(domain):
                value = domain[n]
                return value if isinstance(value, str) else f"\ue000{value}"
            return _another(str(v) if isinstance(v, str) else f"\ue000{v}" for v in domain)
        kinds = self.typed_keys.get(key, set())
        if key in self.string_keys or not kinds:
            return text(element.text)
        typed = element.typed
        if "num" in kinds:
            if not z3.is_true(m.eval(typed["isnum"], model_completion=True)):
                return "not-a-number"
            return format_number(m.eval(typed["num"], model_completion=True).as_fraction())
        if "date" in kinds:
            if not z3.is_true(m.eval(typed["isdate"], model_completion=True)):
                return "not-a-date"
            return format_date(m.eval(typed["date"], model_completion=True).as_fraction())
        if not z3.is_true(m.eval(typed["isip"], model_completion=True)):
            return "not-an-address"
        v6 = z3.is_true(m.eval(typed["v6"], model_completion=True))
        return format_address(v6, m.eval(typed["ip"], model_completion=True).as_long())

    # A concrete request, for checking the encoding against the evaluator -------------------------------

    def pin(
        self,
        *,
        action: str,
        principal_type: str,
        principal: str,
        resource: str | None,
        context: Mapping[str, tuple[str, ...]],
        symbols: Mapping[str, str] | None = None,
    ) -> tuple[z3.BoolRef, ...]:
        """Constraints fixing every variable to one request (typed views read as the evaluator reads them)."""
        if self.actions is not None:
            if fold(action) not in self.actions:
                raise ValueError(f"{action} is not one of the actions the encoding numbers")
            out_action = self.action_index == self.actions.index(fold(action))
        else:
            out_action = self.action == string_value(fold(action))
        out = [
            out_action,
            self.ptype == PRINCIPAL_TYPES.index(principal_type),
            self.principal_index
            == (self.principals.index(principal) if principal in self.principals else len(self.principals)),
            self.principal == string_value(principal),
            self.resource == string_value(resource or ""),
        ]
        fields = principal.split(":")
        if self._fields is not None and principal_type == "AWS" and len(fields) >= 6:
            out += [self._fields[0] == string_value(fields[1]), self._fields[1] == string_value(fields[4])]
        for token, value in (symbols or {}).items():
            out.append(self._symbol(token) == string_value(value))
        for key, elements in self.elements.items():
            values = context.get(key, ())
            if len(values) > len(elements):
                raise ValueError(f"{key} has more values than the encoding holds; compile with sizes")
            for i, element in enumerate(elements):
                if i >= len(values):
                    out.append(z3.Not(element.exists))
                    continue
                value = values[i]
                out.append(element.exists)
                if element.index is not None:
                    domain = self.numbering.keys[key]
                    out.append(element.index == (domain.index(value) if value in domain else len(domain)))
                    continue
                out += [element.text == string_value(value)]
                out += _pinned_views(element, value)
        return tuple(out)


_ATOMS = frozenset({"eq", "pre", "suf", "has", "lenge", "re", "gx"})


def _another(taken: Any) -> str:
    """A value none of ``taken``: what a numbered key holds when it holds none of its constants."""
    used = set(taken)
    value = "other"
    while value in used:
        value += "-value"
    return value


def _only(f: Formula, field: str) -> bool:
    """Whether the atom compares only the request's ``field`` with constants."""
    leaves = [n for n in walk(f) if n[0] in ("v", "c", "C", "L", "s", "k", "e")]
    return ("v", field) in leaves and all(n == ("v", field) or n[0] in ("c", "C") for n in leaves)


def _pinned_views(element: _Element, value: str) -> list[z3.BoolRef]:
    typed, out = element.typed, []
    for kind, parse in (("num", parse_number), ("date", parse_date)):
        if kind in typed:
            number = parse(value)
            out.append(typed[f"is{kind}"] == (number is not None))
            if number is not None:
                out.append(typed[kind] == z3.RealVal(str(number)))
    if "ip" in typed:
        address = parse_address(value)
        out.append(typed["isip"] == (address is not None))
        if address is not None:
            out += [typed["v6"] == address[0], typed["ip"] == address[1]]
    return out


def _pieces_regex(items: tuple[tuple[str, ...], ...]) -> z3.ReRef:
    parts = []
    for item in items:
        tag = item[0]
        if tag == "lit":
            parts.append(z3.Re(string_value(item[1])))
        elif tag == "ci":
            parts += [_case_insensitive(c) for c in item[1]] or [z3.Re(string_value(""))]
        elif tag == "any":
            parts.append(_ALL)
        elif tag == "anync":
            parts.append(_NOT_COLON)
        elif tag == "star":
            parts.append(z3.Star(_ALL))
        elif tag == "starnc":
            parts.append(z3.Star(_NOT_COLON))
        elif tag == "upper":
            parts.append(z3.Range("A", "Z"))
    if not parts:
        return z3.Re(string_value(""))
    return parts[0] if len(parts) == 1 else z3.Concat(*parts)


def _case_insensitive(char: str) -> z3.ReRef:
    lower, upper = fold(char), char.upper() if char.isascii() else char
    if lower == upper or not char.isascii() or not char.isalpha():
        return z3.Re(string_value(char))
    return z3.Union(z3.Re(string_value(lower)), z3.Re(string_value(upper)))


def _regex(pattern: str) -> z3.ReRef:
    """A symbol's domain: a tiny regular-expression language (``[0-9]{12}``, ``[0-9A-Za-z]+``)."""
    match = re.fullmatch(r"\[([^\]]+)\](\{(\d+)\}|\+)", pattern)
    if match is None:
        raise ValueError(f"unsupported symbol domain {pattern!r}")
    ranges = re.findall(r"(.)-(.)", match.group(1))
    charset = z3.Union(*(z3.Range(a, b) for a, b in ranges)) if len(ranges) > 1 else z3.Range(*ranges[0])
    if match.group(3):
        return z3.Loop(charset, int(match.group(3)), int(match.group(3)))
    return z3.Plus(charset)
