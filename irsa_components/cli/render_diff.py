"""The plan diff as a pull-request comment (Markdown) or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..plan.changes import Change, PlanDiff
from .render_plan import code, md_mixed

_KIND_LABELS = {
    "service-added": "new role",
    "service-permissions": "new role permissions",
    "service-removed": "role deleted",
    "role-retained": "role retained (unmanaged)",
    "access-kept": "access kept",
    "service-renamed": "service renamed",
    "role-replaced": "role replaced",
    "principal-added": "principal admitted",
    "principal-removed": "principal dropped",
    "trust-aud-dropped": "`aud` dropped",
    "trust-aud-changed": "`aud` changed",
    "trust-pinning-changed": "trust pinning",
    "trust-source-account-changed": "source account",
    "trust-chain-changed": "role chain",
    "trust-widened": "trust widened",
    "trust-narrowed": "trust narrowed",
    "trust-rewritten": "trust rewritten",
    "trust-undecided": "trust: cannot decide",
    "permissions-widened": "permissions widened",
    "permissions-narrowed": "permissions narrowed",
    "permissions-rewritten": "permissions rewritten",
    "permissions-undecided": "permissions: cannot decide",
    "admin-granted": "**administrator-like**",
    "trust-weakened": "trust weakened",
    "trust-strengthened": "trust strengthened",
    "managed-policy-attached": "managed policy added",
    "managed-policy-detached": "managed policy removed",
    "boundary-removed": "boundary removed",
    "boundary-added": "boundary added",
    "boundary-changed": "boundary changed",
    "max-session-duration-changed": "credential lifetime",
    "description-changed": "description",
    "tags-changed": "tags",
    "identity-changed": "identity mode",
    "service-account-created": "ServiceAccount created",
    "service-account-deleted": "ServiceAccount deleted",
    "annotation-changed": "annotation",
    "association-created": "association created",
    "association-deleted": "association deleted",
    "association-changed": "association changed",
    "cluster-added": "cluster added",
    "cluster-removed": "cluster removed",
    "cluster-changed": "cluster changed",
    "oidc-provider-released": "OIDC provider released",
    "account-added": "account added",
    "account-removed": "account removed",
    "account-changed": "account changed",
}
_CLASS = {"widening": "**widening**", "narrowing": "narrowing", "neutral": "neutral"}


def _value(value: str | None) -> str:
    return code(value) if value else "(none)"


def _details(change: Change) -> str:
    text = md_mixed(change.summary)
    if change.before is not None or change.after is not None:
        text += f" ({_value(change.before)} → {_value(change.after)})"
    return text


def summary_line(diff: PlanDiff) -> str:
    w, n, u = diff.count("widening"), diff.count("narrowing"), diff.count("neutral")
    if not diff.changes:
        return "irsa diff: no changes to roles, trust, permissions or Kubernetes objects"
    parts = [f"{w} widening", f"{n} narrowing", f"{u} neutral"]
    replaced = len(diff.replacements)
    if replaced:
        parts.append(f"{replaced} role replacement{'s' if replaced != 1 else ''}")
    retained = len(diff.retained)
    if retained:
        parts.append(f"{retained} role{'s' if retained != 1 else ''} retained")
    mark = "⚠️ " if w else ""
    return f"{mark}irsa diff: " + " · ".join(parts)


def diff_markdown(diff: PlanDiff, graph: Sequence[str] = ()) -> str:
    """The diff as a PR comment; ``graph``: Markdown lines of its graph (``render_graph.diff_mermaid``)."""
    lines = [f"### {summary_line(diff)}", "", f"{code(diff.base)} → {code(diff.head)}"]
    if diff.replacements:
        lines += ["", "> **Role replacements**: IAM deletes and recreates these roles; their ARNs change."]
        for c in diff.replacements:
            lines.append(f"> - {code(c.service)}: {_value(c.before)} → {_value(c.after)}")
    if diff.retained:
        lines += [
            "",
            "> **Retained roles** (`retainOnDelete`): these roles leave the stack but stay in AWS, unmanaged, with "
            "their trust and permissions. An IRSA role stays assumable by the service accounts its trust admits "
            "(see *access kept*); delete it, or narrow its trust, once the workload is gone.",
        ]
        for c in diff.retained:
            lines.append(f"> - {code(c.service)}: {_value(c.before)}")
    if graph:
        lines += ["", *graph]
    if diff.changes:
        lines += ["", "| Class | Service | Change | Details |", "|---|---|---|---|"]
        for c in diff.changes:
            service = code(c.service) if c.service else "(stack)"
            label = _KIND_LABELS.get(c.kind, c.kind)
            lines.append(f"| {_CLASS[c.classification]} | {service} | {md_mixed(label)} | {_details(c)} |")
    return "\n".join(lines) + "\n"


def diff_json(diff: PlanDiff) -> str:
    return json.dumps(diff.to_data(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
