"""Who can do what, before and after: the diff's trust and permission comparisons, decided by the solver.

A role's trust widens exactly when ``core.queries.no_new_access(old, new)`` finds a request the new
trust admits and the old one does not; its permissions widen likewise (IAM Access Analyzer's
``CheckNoNewAccess``). The witness is in the change. Retargeted clusters, ``?`` becoming ``*``, a dropped
condition, a removed Deny, a new principal are all a request newly allowed, found without code for
each. When the solver cannot decide, the change says so and counts as widening: the CI gate fails
closed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..core.queries import DEFAULT_SYMBOLS, Search, document_key, no_new_access
from ..core.translate import Kind
from .access import permission_document, permission_weaknesses
from .changes import Change, Classification
from .model import Permissions


@dataclass(frozen=True)
class Comparison:
    """What a new document allows that the old one does not (``wider``), and the reverse (``narrower``)."""

    wider: Search
    narrower: Search
    same_text: bool

    @property
    def widens(self) -> bool:
        return self.wider.witness is not None or not self.wider.decided

    @property
    def narrows(self) -> bool:
        return self.narrower.witness is not None


def compare(old: Mapping[str, Any], new: Mapping[str, Any], kind: Kind, role_account: str | None) -> Comparison:
    if document_key(old) == document_key(new):
        nothing = Search(None, True)
        return Comparison(nothing, nothing, True)
    return Comparison(_new_access(old, new, kind, role_account), _new_access(new, old, kind, role_account), False)


def _new_access(old: Mapping[str, Any], new: Mapping[str, Any], kind: Kind, role_account: str | None) -> Search:
    """A request ``new`` allows and ``old`` does not: first with each placeholder an opaque value of its own,
    then, if there is none, with placeholders ranging over every value (a widening for some value of an
    unknown account or issuer is still a widening)."""
    generic = no_new_access(old, new, kind=kind, role_account=role_account, symbols=None)
    text = document_key(old) + document_key(new)
    if generic.witness is not None or not DEFAULT_SYMBOLS.search(text):
        return generic
    return no_new_access(old, new, kind=kind, role_account=role_account, symbols=DEFAULT_SYMBOLS)


def _witness(found: Search) -> str | None:
    return found.witness.describe() if found.witness is not None else None


def document_changes(key: str, what: str, comparison: Comparison, kind_prefix: str) -> list[Change]:
    """The change(s) one document's comparison makes: widened (with witness), narrowed, or rewritten."""
    if comparison.same_text:
        return []
    out = []
    wider, narrower = comparison.wider, comparison.narrower
    if wider.witness is not None:
        witness = _witness(wider)
        out.append(Change("widening", f"{kind_prefix}-widened", key, f"{what} now allows {witness}", witness=witness))
    elif not wider.decided:
        out.append(
            Change(
                "widening",
                f"{kind_prefix}-undecided",
                key,
                f"cannot prove {what} did not widen ({wider.reason}); review it",
            )
        )
    if narrower.witness is not None:
        witness = _witness(narrower)
        out.append(
            Change("narrowing", f"{kind_prefix}-narrowed", key, f"{what} no longer allows {witness}", witness=witness)
        )
    if not out:
        out.append(Change("neutral", f"{kind_prefix}-rewritten", key, f"{what} changed, allowing exactly the same"))
    return out


def reclassify(changes: Sequence[Change], comparison: Comparison) -> list[Change]:
    """Detail changes (a principal added, an audience changed) classified by what the solver found: a detail
    widens only when the document does, narrows only when it does; otherwise it changes nothing."""
    out = []
    for change in changes:
        cls: Classification = change.classification
        if cls == "widening" and not comparison.widens:
            cls = "neutral"
        elif cls == "narrowing" and not comparison.narrows:
            cls = "neutral"
        out.append(change if cls == change.classification else _neutral(change))
    return out


def _neutral(change: Change) -> Change:
    return Change(
        "neutral",
        change.kind,
        change.service,
        f"{change.summary} (no request is allowed or refused because of it)",
        change.before,
        change.after,
        change.replacement,
    )


def permission_changes(
    key: str, base: Permissions, head: Permissions, role_account: str | None, who: str = ""
) -> tuple[list[Change], Comparison]:
    """Managed policies attached or detached (opaque: by ARN), the statements' new access (the solver), and
    administrator-like grants that appear (listed first by the diff)."""
    changes: list[Change] = []
    old_m, new_m = set(base.managed_policies), set(head.managed_policies)
    for arn in sorted(new_m - old_m):
        changes.append(Change("widening", "managed-policy-attached", key, f"{who}managed policy `{arn}` attached"))
    for arn in sorted(old_m - new_m):
        changes.append(Change("narrowing", "managed-policy-detached", key, f"{who}managed policy `{arn}` detached"))
    old_doc, new_doc = permission_document(base.statements()), permission_document(head.statements())
    comparison = compare(old_doc, new_doc, "permissions", role_account)
    changes += document_changes(key, f"{who}the role's permissions", comparison, "permissions")
    if comparison.widens or new_m - old_m:
        before = {w.code for w in permission_weaknesses(base)}
        for weakness in permission_weaknesses(head):
            if weakness.code not in before and weakness.code != "undecided":
                changes.append(
                    Change(
                        "widening",
                        "admin-granted",
                        key,
                        f"{who}administrator-like permissions: {weakness.message}",
                        witness=weakness.witness,
                    )
                )
    return changes, comparison


def new_role_admin(key: str, permissions: Permissions) -> list[Change]:
    return [
        Change("widening", "admin-granted", key, f"administrator-like permissions: {w.message}", witness=w.witness)
        for w in permission_weaknesses(permissions)
        if w.code != "undecided"
    ]
