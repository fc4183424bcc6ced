"""Questions about policies, answered by the solver with a concrete request as witness.

``search`` finds a request that each given document allows (or refuses) and that satisfies an extra
condition; everything else is built on it: ``allows_some``, ``no_new_access`` (IAM Access Analyzer's
``CheckNoNewAccess``), ``equivalent``, and in ``core.scope`` "admits outside the intended set".

Sound by construction: an answer "no such request" is an unsatisfiable formula that over-approximates
every request IAM could see (unknown constructs are free, symbols range over their domains); every
witness is re-checked by the concrete evaluator (``core.evaluate``, in three-valued logic, so a
statement it does not understand decides nothing) before it is reported. When neither holds
(timeout, an unknown construct the witness depends on) the answer says it could not decide.

Cost: translating and solving are cached by document and by formula. A formula is first solved
*lifted* (every constant a variable, ``logic.lift``): thousands of roles built from one template
lift to the same formula, so one solver call proves all of them; a lifted witness is carried back to
each role's constants and checked by the evaluator, and only when that fails is the role solved on its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from . import logic as L
from .documents import as_list
from .environment import TRUST_ACTIONS, environment_of
from .evaluate import Decision, Request, evaluate
from .logic import Formula
from .logic_eval import Point, holds
from .policy_values import fold
from .solver import Compiler, Model
from .translate import Kind, Translation, single_valued, translate

# Placeholders for values only the cloud knows (the offline plan's), solved as symbols over these domains.
DEFAULT_SYMBOLS = re.compile(r"<account-id>|<issuer-id:[^>]*>|<endpoint-of-[^>]*>")
_CACHE_LIMIT = 50_000


def symbol_domain(token: str) -> str | None:
    """The values a symbol ranges over; None: any string. Every symbol ranges over any string: a domain
    (12 digits for an account) would only sharpen a few answers, and z3's string solver is much slower
    with a regular expression on a value it must also split."""
    return None


@dataclass(frozen=True)
class Clause:
    """``document`` allows (``allowed``) or refuses the request; ``action`` overrides the request's action."""

    document: Mapping[str, Any]
    allowed: bool = True
    action: str | None = None


@dataclass(frozen=True)
class Witness:
    """A request with the property asked for, confirmed by the evaluator."""

    request: Request
    symbols: Mapping[str, str] = field(default_factory=dict)
    """Values the witness needs for placeholders (``<account-id>``) of the documents."""

    def describe(self) -> str:
        return describe_request(self.request, self.symbols)


@dataclass(frozen=True)
class Search:
    witness: Witness | None
    decided: bool
    """False: no witness, and no proof that there is none (see ``reason``)."""
    notes: tuple[str, ...] = ()
    """Constructs of the documents translated inexactly (never taken as safe)."""
    reason: str = ""

    @property
    def none(self) -> bool:
        """Proved: no request has the property."""
        return self.decided and self.witness is None


# Translation and solving caches ------------------------------------------------------------------

_translations: dict[tuple[str, str, str, str | None, str | None], Translation] = {}
_lifted: dict[Any, tuple[str, Model | None]] = {}
_concrete: dict[Any, tuple[str, Model | None, bool]] = {}
STATS = {"queries": 0, "lifted_hits": 0, "lifted_solves": 0, "concrete_solves": 0, "transfers": 0}


def document_key(document: Mapping[str, Any]) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)


def translation(
    document: Mapping[str, Any], kind: Kind, tag: str, action: str | None, symbols: re.Pattern[str] | None
) -> Translation:
    key = (document_key(document), kind, tag, action, symbols.pattern if symbols else None)
    found = _translations.get(key)
    if found is None:
        if len(_translations) > _CACHE_LIMIT:
            _translations.clear()
        term = L.ACTION if action is None else L.const(fold(action))
        found = translate(document, kind=kind, tag=tag, action=term, symbols=symbols)
        _translations[key] = found
    return found


def search(
    clauses: Sequence[Clause],
    *,
    kind: Kind,
    where: Formula = L.TRUE,
    role_account: str | None = None,
    symbols: re.Pattern[str] | None = DEFAULT_SYMBOLS,
) -> Search:
    """A request satisfying every clause and ``where``, checked by the evaluator; or a proof there is none."""
    STATS["queries"] += 1
    parts, notes = [], []
    for i, clause in enumerate(clauses):
        t = translation(clause.document, kind, f"d{i}", clause.action, symbols)
        parts.append(t.allows if clause.allowed else L.not_(t.allows))
        notes += [f"document {i + 1}, {n}" if len(clauses) > 1 else n for n in t.notes]
    body = L.and_(*parts, where)
    seen = L.scan(body)
    facts = environment_of(seen, kind, role_account)
    formula = L.and_(body, facts)
    notes_t = tuple(dict.fromkeys(notes))
    if formula == L.FALSE:
        return Search(None, True, notes_t)
    domains, distinct = _symbol_domains(seen.symbols)
    check = _Checker(clauses, kind, L.and_(where, facts), symbols)

    # The environment's constants are fixed ones (actions, and principals the body names): lifting the
    # body alone lifts the formula.
    lifted_body, constants = L.lift(body)
    lifted = L.and_(lifted_body, facts)
    lifted_key = (lifted, domains, distinct)
    entry = _lifted.get(lifted_key)
    if entry is None:
        STATS["lifted_solves"] += 1
        status, model, _ = _solve(lifted, domains, distinct, kind)
        entry = (status, model)
        if status != "unknown":
            _remember(_lifted, lifted_key, entry)
    else:
        STATS["lifted_hits"] += 1
    if entry[0] == "unsat":
        return Search(None, True, notes_t)
    if entry[0] == "sat" and entry[1] is not None:
        carried = _carry(entry[1], constants)
        if check.confirms(carried):
            STATS["transfers"] += 1
            return Search(check.witness(check.readable(carried)), True, notes_t)

    concrete_key = (formula, domains, distinct)
    found = _concrete.get(concrete_key)
    if found is None:
        STATS["concrete_solves"] += 1
        found = _solve(formula, domains, distinct, kind)
        if found[0] != "unknown":
            _remember(_concrete, concrete_key, found)
    status, model, weakened = found
    if status == "unsat":
        return Search(None, True, notes_t)
    if status == "unknown" or model is None:
        return Search(None, False, notes_t, "the solver gave up (timeout)")
    if check.confirms(model):
        return Search(check.witness(check.readable(model)), True, notes_t)
    why = "; ".join(notes_t) or ("a pattern with policy variables" if weakened else "the encoding")
    return Search(None, False, notes_t, f"the evaluator does not confirm the solver's witness (it depends on {why})")


def _remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
    if len(cache) > _CACHE_LIMIT:
        cache.clear()
    cache[key] = value


def _solve(formula: Formula, domains: Any, distinct: Any, kind: Kind) -> tuple[str, Model | None, bool]:
    actions = TRUST_ACTIONS if kind == "trust" else None  # the environment allows no other (core.environment)
    compiler = Compiler(formula, domains=dict(domains), distinct=distinct, actions=actions)
    status, model = compiler.solve()
    return status, model, compiler.weakened


def _symbol_domains(used: frozenset[str]) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, ...], ...]]:
    tokens = sorted(used)
    domains = tuple((t, d) for t in tokens if (d := symbol_domain(t)) is not None)
    issuers = tuple(t for t in tokens if t.startswith("<issuer-id:"))
    return domains, ((issuers,) if len(issuers) > 1 else ())


def _carry(model: Model, constants: tuple[str, ...]) -> Model:
    """A lifted model with each value that is a lifted constant's replaced by that constant's value here."""
    index: dict[str, int] = {}
    for n, value in enumerate(model.lifted):
        index.setdefault(value, n)

    def carry(value: str) -> str:
        n = index.get(value)
        return constants[n] if n is not None and n < len(constants) else value

    return Model(
        action=carry(model.action),
        principal_type=model.principal_type,
        principal=carry(model.principal),
        resource=carry(model.resource),
        context={k: tuple(carry(v) for v in vs) for k, vs in model.context.items()},
        symbols={k: carry(v) for k, v in model.symbols.items()},
        lifted=constants,
    )


# Checking witnesses --------------------------------------------------------------------------------


def kleene_allowed(document: Mapping[str, Any], request: Request) -> bool | None:
    """Whether ``document`` allows ``request``; None when that depends on a part the evaluator does not know."""
    decision: Decision = evaluate(document, request)
    results = {s.index: s for s in decision.statements}
    allows: list[bool | None] = []
    denies: list[bool | None] = []
    for index, statement in enumerate(as_list(document.get("Statement"))):
        result = results.get(index)
        if result is None or not isinstance(statement, Mapping):
            allows.append(None)
            denies.append(None)
            continue
        unknown = set(result.unknown)
        parts: list[bool | None] = [
            None if unknown & {"Principal", "NotPrincipal"} else result.principal_matched,
            None if "Action" in unknown else result.action_matched,
            None if "Resource" in unknown else result.resource_matched,
            *(c.passed if c.supported else None for c in result.conditions),
        ]
        match = _and(parts)
        if "Effect" in unknown:
            allows.append(_and([match, None]))
            denies.append(_and([match, None]))
        elif result.effect == "Allow":
            allows.append(match)
        else:
            denies.append(match)
    allow, deny = _or(allows), _or(denies)
    return _and([allow, None if deny is None else not deny])


def _and(values: Sequence[bool | None]) -> bool | None:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _or(values: Sequence[bool | None]) -> bool | None:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def substitute_symbols(value: Any, values: Mapping[str, str], pattern: re.Pattern[str] | None) -> Any:
    """``value`` with each placeholder replaced (in string values; key names are names, left alone)."""
    if pattern is None or not values:
        return value
    if isinstance(value, str):
        return pattern.sub(lambda m: values.get(m.group(0), m.group(0)), value)
    if isinstance(value, Mapping):
        return {k: substitute_symbols(v, values, pattern) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [substitute_symbols(v, values, pattern) for v in value]
    return value


class _Checker:
    """Confirms a model: ``rest`` (the query's condition and the environment) as plain Python reads it,
    and each clause by the evaluator."""

    def __init__(self, clauses: Sequence[Clause], kind: Kind, rest: Formula, symbols: re.Pattern[str] | None) -> None:
        self.clauses, self.kind, self.rest, self.symbols = clauses, kind, rest, symbols
        self.spelling = _spellings(c.document for c in clauses)

    def request(self, model: Model, action: str | None = None) -> Request:
        context: dict[str, Any] = {}
        for key, values in model.context.items():
            context[key] = values[0] if single_valued(key) and len(values) == 1 else list(values)
        chosen = fold(action) if action is not None else model.action
        return Request(
            action=self.spelling.get(chosen, chosen),
            principal_type=model.principal_type,
            principal=model.principal,
            context=context,
            resource=model.resource if self.kind == "permissions" else None,
        )

    def confirms(self, model: Model) -> bool:
        point = Point(model.action, model.principal_type, model.principal, model.resource, model.context, model.symbols)
        try:
            if not holds(self.rest, point):
                return False
        except (KeyError, IndexError, ValueError):
            return False
        for clause in self.clauses:
            document = substitute_symbols(clause.document, model.symbols, self.symbols)
            if kleene_allowed(document, self.request(model, clause.action)) is not clause.allowed:
                return False
        return True

    def readable(self, model: Model) -> Model:
        """The model with values shaped like real ones wherever the checker still confirms it.

        The solver picks whatever satisfies the formula ('!0!' for an account's principal); each value
        is tried against a few realistic ones, and a replacement is kept only if the whole witness is
        still confirmed, so readability never costs correctness.
        """
        for _ in range(2):  # a second pass for values whose good replacement depends on another's
            for field_name, candidates in _readable_values(model, self.kind == "permissions"):
                for candidate in candidates:
                    trial = _replace(model, field_name, candidate)
                    if trial != model and self.confirms(trial):
                        model = trial
                        break
        return model

    def witness(self, model: Model) -> Witness:
        return Witness(self.request(model, self.clauses[0].action if self.clauses else None), dict(model.symbols))


_SHAPED = re.compile(r"^[a-z0-9][a-zA-Z0-9:/._@=,+-]*\Z")


def _readable_values(model: Model, resource: bool) -> list[tuple[tuple[str, ...], list[str]]]:
    """(field, candidate values) for each value that does not look like a real one."""
    out: list[tuple[tuple[str, ...], list[str]]] = []

    def odd(value: str) -> bool:
        return _SHAPED.match(value) is None or value.startswith("!")

    principals = {
        "AWS": ["arn:aws:iam::000000000000:role/app", "arn:aws:iam::000000000000:root"],
        "Federated": ["arn:aws:iam::000000000000:oidc-provider/oidc.example.com"],
        "Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"],
        "CanonicalUser": ["0" * 64],
    }
    if model.principal_type == "Federated" and ":oidc-provider/" in model.principal:
        issuer = model.principal.split(":oidc-provider/", 1)[1]
        if not model.principal.startswith("arn:"):
            out.append((("principal",), [f"arn:aws:iam::000000000000:oidc-provider/{issuer}"]))
    elif odd(model.principal) or (model.principal_type == "AWS" and not model.principal.startswith("arn:")):
        out.append((("principal",), principals[model.principal_type]))
    if not re.fullmatch(r"[a-z0-9-]+:[a-z0-9]+", model.action):
        out.append((("action",), ["ec2:runinstances", "iam:createuser", "s3:deletebucket", "sts:assumerole"]))
    if resource and odd(model.resource):
        out.append((("resource",), ["arn:aws:s3:::bucket/object", "*"]))
    account = next(iter(model.context.get("aws:sourceaccount", ())), "000000000000")
    for key, values in model.context.items():
        for i, value in enumerate(values):
            if key.endswith(":sub") and not value.startswith("system:serviceaccount:"):
                wanted = ["system:serviceaccount:kube-system:app", "system:serviceaccount:default:app"]
            elif key in ("aws:sourceaccount", "aws:principalaccount") and not re.fullmatch(r"[0-9]{12}", value):
                wanted = ["000000000000", "111111111111"]
            elif key.endswith("/eks-cluster-arn") and not value.startswith("arn:"):
                wanted = [
                    f"arn:aws:eks:us-east-1:{account}:cluster/other",
                    "arn:aws:eks:us-east-1:000000000000:cluster/other",
                ]
            elif odd(value):
                wanted = ["other", "app", "x"]
            else:
                continue
            out.append((("context", key, str(i)), wanted))
    return out


def _replace(model: Model, field_path: tuple[str, ...], value: str) -> Model:
    if field_path[0] == "principal":
        return replace(model, principal=value)
    if field_path[0] == "resource":
        return replace(model, resource=value)
    if field_path[0] == "action":
        return replace(model, action=value)
    key, index = field_path[1], int(field_path[2])
    values = list(model.context[key])
    values[index] = value
    return replace(model, context={**model.context, key: tuple(values)})


def _spellings(documents: Any) -> dict[str, str]:
    """Lower-case action -> how the documents (or STS) spell it, for readable witnesses."""
    out = {a: "sts:" + a.split(":", 1)[1] for a in TRUST_ACTIONS}
    out.update(
        {
            "sts:assumerole": "sts:AssumeRole",
            "sts:assumerolewithwebidentity": "sts:AssumeRoleWithWebIdentity",
            "sts:assumerolewithsaml": "sts:AssumeRoleWithSAML",
            "sts:tagsession": "sts:TagSession",
            "sts:setsourceidentity": "sts:SetSourceIdentity",
            "sts:setcontext": "sts:SetContext",
        }
    )
    for document in documents:
        for statement in as_list(document.get("Statement")):
            if isinstance(statement, Mapping):
                for action in as_list(statement.get("Action")) + as_list(statement.get("NotAction")):
                    if isinstance(action, str) and "*" not in action and "?" not in action:
                        out[fold(action)] = action
    return out


# The questions ------------------------------------------------------------------------------------


def allows_some(
    document: Mapping[str, Any],
    *,
    kind: Kind,
    where: Formula = L.TRUE,
    role_account: str | None = None,
    symbols: re.Pattern[str] | None = DEFAULT_SYMBOLS,
) -> Search:
    """A request ``document`` allows (and ``where`` holds of)."""
    return search([Clause(document)], kind=kind, where=where, role_account=role_account, symbols=symbols)


def no_new_access(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    *,
    kind: Kind,
    role_account: str | None = None,
    symbols: re.Pattern[str] | None = DEFAULT_SYMBOLS,
) -> Search:
    """A request ``new`` allows and ``old`` does not: ``none`` is CheckNoNewAccess passing."""
    if document_key(old) == document_key(new):
        return Search(None, True)
    return search([Clause(new, True), Clause(old, False)], kind=kind, role_account=role_account, symbols=symbols)


def equivalent(
    a: Mapping[str, Any], b: Mapping[str, Any], *, kind: Kind, role_account: str | None = None
) -> tuple[Search, Search]:
    """(what ``b`` allows beyond ``a``, what ``a`` allows beyond ``b``): equivalent when both are ``none``."""
    return no_new_access(a, b, kind=kind, role_account=role_account), no_new_access(
        b, a, kind=kind, role_account=role_account
    )


# Describing requests --------------------------------------------------------------------------------


def describe_request(request: Request, symbols: Mapping[str, str] | None = None) -> str:
    context = {k.lower(): v for k, v in request.context.items()}
    if request.principal_type == "Federated":
        host = request.principal.split(":oidc-provider/", 1)[-1].lower()
        sub = context.get(f"{host}:sub")
        aud = context.get(f"{host}:aud")
        text = f"{_shown(sub) if sub is not None else 'a token without sub'} via {request.principal}"
        text += f", aud={_shown(aud)}" if aud is not None else ", no aud"
        if request.action.lower() != "sts:assumerolewithwebidentity":
            text += f" ({request.action})"
    elif request.principal_type == "Service" and request.principal == "pods.eks.amazonaws.com":
        tag = "aws:requesttag/"
        ns, sa = context.get(f"{tag}kubernetes-namespace"), context.get(f"{tag}kubernetes-service-account")
        cluster = context.get(f"{tag}eks-cluster-arn") or context.get(f"{tag}eks-cluster-name")
        who = f"{_shown(ns)}/{_shown(sa)}" if ns is not None or sa is not None else "a pod (no session tags)"
        text = f"EKS Pod Identity for {who}"
        if cluster is not None:
            text += f" on cluster {_shown(cluster)}"
        account = context.get("aws:sourceaccount")
        text += f", aws:SourceAccount {_shown(account)}" if account is not None else ", no aws:SourceAccount"
        text += f" ({request.action})"
    elif request.resource is not None:
        text = f"{request.action} on {request.resource!r}"
        if context:
            text += " with " + ", ".join(f"{k}={_shown(v)}" for k, v in sorted(context.items()))
    else:
        text = f"{request.principal_type} principal {request.principal!r} calling {request.action}"
        shown = {k: v for k, v in context.items() if k not in ("aws:principalarn", "aws:principalaccount")}
        if shown:
            text += " with " + ", ".join(f"{k}={_shown(v)}" for k, v in sorted(shown.items()))
    if symbols:
        text += " (with " + ", ".join(f"{k} = {v!r}" for k, v in sorted(symbols.items())) + ")"
    return text


def _shown(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "[" + ", ".join(repr(v) for v in value) + "]"
    return repr(value)
