"""The plan for people: a Rich table view for terminals and Markdown for pull requests."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console, Group, RenderableType
from rich.text import Text

from ..plan.model import ANY, PermissionStatement, Plan, Principal, Service

_VIA = {"irsa": "IRSA", "pod-identity": "Pod Identity", "other": "other"}


def _cluster(p: Principal) -> str:
    if p.cluster == ANY:
        return "any cluster"
    return p.cluster if p.cluster_known else f"{p.cluster} (not a cluster of this stack)"


def principal_detail(p: Principal) -> str:
    parts = [_VIA[p.mechanism]]
    if p.mechanism == "irsa":
        parts.append("aud " + (", ".join(p.audiences) if p.audiences is not None else "ANY (not pinned)"))
    if p.mechanism == "pod-identity":
        parts.append("pinned by session tags" if p.pinned_by == "trust" else "bound by the association only")
        if p.source_accounts:
            parts.append("account " + ", ".join(p.source_accounts))
    if p.pattern:
        parts.append("PATTERN")
    return " · ".join(parts)


def statement_line(s: PermissionStatement) -> tuple[str, str]:
    """(what, on what) of one permission statement."""
    if s.not_actions:
        what = f"{s.effect} every action except {', '.join(s.not_actions)}"
    else:
        what = f"{s.effect} {', '.join(s.actions)}"
    if s.not_resources:
        where = "every resource except " + ", ".join(s.not_resources)
    else:
        where = ", ".join(s.resources) or "*"
    if s.condition:
        where += f" when {_condition(s.condition)}"
    if s.sid:
        what = f"[{s.sid}] {what}"
    return what, where


def _condition(condition: dict[str, object]) -> str:
    import json

    return json.dumps(condition, sort_keys=True, separators=(",", ":"))


def role_line(service: Service) -> str:
    role = service.role
    bits = [f"path {role.path}", f"max session {role.max_session_duration}s"]
    if role.permissions_boundary:
        bits.append(f"boundary {role.permissions_boundary}")
    return f"{role.arn} ({', '.join(bits)})"


def service_rows(service: Service) -> list[tuple[str, str, str, str, str]]:
    """(section, cluster, what, detail, style) rows of one service."""
    role = service.role
    settings = [f"path {role.path}", f"max session {role.max_session_duration}s"]
    if role.permissions_boundary:
        settings.append(f"boundary {role.permissions_boundary}")
    rows: list[tuple[str, str, str, str, str]] = [("role", "", role.arn, ", ".join(settings), "")]

    def section(label: str, items: Iterable[tuple[str, str, str]], style: str = "") -> None:
        for i, (cluster, what, detail) in enumerate(items):
            rows.append((label if i == 0 else "", cluster, what, detail, style))

    section(
        "admits", [(_cluster(p), p.subject, principal_detail(p)) for p in service.principals] or [("", "nobody", "")]
    )
    section("weakness", [("", w.code, f"statement {w.statement}: {w.message}") for w in service.weaknesses], "red")
    perms = [("", "managed policy", arn) for arn in service.permissions.managed_policies]
    perms += [("", *statement_line(s)) for s in service.permissions.inline]
    for policy in service.permissions.customer_managed:
        perms.append(("", "managed policy (this stack)", policy.arn))
        perms += [("", *statement_line(s)) for s in policy.statements]
    section("permissions", perms or [("", "none", "")])
    k8s = [
        (
            sa.cluster,
            f"ServiceAccount {sa.namespace}/{sa.name}",
            ", ".join(f"{k}={v}" for k, v in sa.annotations.items()) or "(no eks.amazonaws.com annotations)",
        )
        for sa in service.kubernetes.service_accounts
    ]
    k8s += [
        (
            a.cluster,
            f"PodIdentityAssociation {a.namespace}/{a.service_account}",
            f"role {a.role_arn}"
            + ("" if a.session_tags else " · session tags off")
            + (f" · target {a.target_role_arn}" if a.target_role_arn else ""),
        )
        for a in service.kubernetes.pod_identity_associations
    ]
    section("kubernetes", k8s or [("", "nothing created", "")])
    return rows


def _service_text(key: str, service: Service) -> Text:
    """One service as aligned lines (plain Text renders much faster than a Table per service)."""
    text = Text.assemble(
        ("\n" + key, "bold cyan"),
        "  role ",
        (service.role.name, "bold"),
        f" · identity {service.identity} · clusters {', '.join(service.clusters)}\n",
    )
    rows = service_rows(service)
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for i, (section, cluster, what, detail, style) in enumerate(rows):
        text.append(f"  {section:<{widths[0]}}  ", style="bold")
        text.append(f"{cluster:<{widths[1]}}  ")
        text.append(f"{what:<{widths[2]}}  ", style=style)
        text.append(detail + ("\n" if i < len(rows) - 1 else ""), style=style or "dim")
    return text


def plan_renderables(plan: Plan) -> list[RenderableType]:
    header = Text.assemble(
        ("Access plan", "bold"),
        f" of stack {plan.stack} (project {plan.project}) · environment {plan.environment} · "
        f"account {plan.account} · {plan.region} ({plan.partition}) · {len(plan.services)} service(s)",
    )
    clusters = Text("\nClusters\n", style="bold")
    rows = [
        (
            key,
            c.name,
            c.issuer_url or "-",
            f"{c.oidc_provider} {c.oidc_provider_arn}" if c.oidc_provider else "(no IRSA)",
        )
        for key, c in plan.clusters.items()
    ]
    widths = [max((len(r[i]) for r in rows), default=0) for i in range(3)]
    for key, name, issuer, provider in rows:
        clusters.append(f"  {key:<{widths[0]}}  ", style="bold")
        clusters.append(f"{name:<{widths[1]}}  {issuer:<{widths[2]}}  {provider}\n")
    clusters.rstrip()
    out: list[RenderableType] = [header, clusters]
    out += [_service_text(key, service) for key, service in plan.services.items()]
    if plan.placeholders:
        notes = Text("\nPlaceholders (values only the cloud knows):\n", style="dim")
        for ph in plan.placeholders:
            notes.append(f"  {ph.value}: {ph.meaning}\n", style="dim")
        notes.rstrip()
        out.append(notes)
    return out


def print_plan(plan: Plan, console: Console) -> None:
    """Long lines are left to the terminal (soft wrap): ARNs stay whole and copyable."""
    console.print(Group(*plan_renderables(plan)), soft_wrap=True)


# Markdown -----------------------------------------------------------------------------------------


def md(value: object) -> str:
    """Plain text for a Markdown table cell: markup characters escaped, newlines flattened."""
    text = str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    for char in "*_[]":
        text = text.replace(char, "\\" + char)
    return text.replace("<", "&lt;").replace(">", "&gt;")


def md_mixed(text: str) -> str:
    """Text with `code spans`: plain parts escaped with ``md``, code spans kept (pipes escaped)."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # unbalanced: treat everything as plain text
        return md(text)
    return "".join(md(p) if i % 2 == 0 else code(p) for i, p in enumerate(parts))


def code(value: object) -> str:
    """A code span for a Markdown table cell (only pipes need escaping inside)."""
    text = str(value).replace("|", "\\|").replace("\n", " ").replace("`", "'")
    return f"`{text}`" if text else ""


def plan_markdown(plan: Plan) -> str:
    lines = [
        f"# Access plan: stack `{plan.stack}` (project `{plan.project}`)",
        "",
        f"Environment `{plan.environment}` · account `{plan.account}` · region `{plan.region}` · "
        f"partition `{plan.partition}` · {len(plan.services)} service(s)",
        "",
        "## Clusters",
        "",
        "| Key | Name | Issuer | OIDC provider |",
        "|---|---|---|---|",
    ]
    for key, c in plan.clusters.items():
        provider = f"{c.oidc_provider}: {code(c.oidc_provider_arn)}" if c.oidc_provider else "(no IRSA)"
        lines.append(f"| {code(key)} | {code(c.name)} | {code(c.issuer_url or '-')} | {provider} |")
    lines += ["", "## Services"]
    for key, s in plan.services.items():
        lines += [
            "",
            f"### {code(key)} → role {code(s.role.name)}",
            "",
            f"{code(s.role.arn)} · identity `{s.identity}` · clusters {', '.join(code(c) for c in s.clusters)} · "
            f"path {code(s.role.path)} · max session {s.role.max_session_duration} s"
            + (f" · boundary {code(s.role.permissions_boundary)}" if s.role.permissions_boundary else ""),
            "",
            "**Admitted principals**",
            "",
            "| Via | Cluster | Subject | Details |",
            "|---|---|---|---|",
        ]
        for p in s.principals:
            lines.append(
                f"| {_VIA[p.mechanism]} | {code(_cluster(p))} | {code(p.subject)} | {md(principal_detail(p))} |"
            )
        if not s.principals:
            lines.append("| - | - | nobody | |")
        lines += ["", "**Trust weaknesses**: " + ("none" if not s.weaknesses else "")]
        for w in s.weaknesses:
            lines.append(f"- `{w.code}` (statement {w.statement}): {md(w.message)}")
        lines += ["", "**Permissions**", ""]
        if s.permissions.managed_policies:
            lines.append("Managed policies: " + ", ".join(code(a) for a in s.permissions.managed_policies))
            lines.append("")
        if s.permissions.customer_managed:
            lines.append(
                "Managed policies created by this stack (statements below): "
                + ", ".join(code(p.arn) for p in s.permissions.customer_managed)
            )
            lines.append("")
        if s.permissions.statements():
            lines += ["| Sid | Effect | Actions | Resources | Condition |", "|---|---|---|---|---|"]
            for st in s.permissions.statements():
                actions = ", ".join(code(a) for a in st.actions)
                if st.not_actions:
                    actions = "every action except " + ", ".join(code(a) for a in st.not_actions)
                resources = ", ".join(code(r) for r in st.resources)
                if st.not_resources:
                    resources = "every resource except " + ", ".join(code(r) for r in st.not_resources)
                condition = code(_condition(st.condition)) if st.condition else ""
                lines.append(f"| {md(st.sid or '')} | {st.effect} | {actions} | {resources} | {condition} |")
        elif not s.permissions.managed_policies and not s.permissions.customer_managed:
            lines.append("none")
        lines += ["", "**Kubernetes**", ""]
        k8s = s.kubernetes
        if k8s.service_accounts or k8s.pod_identity_associations:
            lines += ["| Cluster | Object | Details |", "|---|---|---|"]
            for sa in k8s.service_accounts:
                notes = ", ".join(f"{code(k + '=' + v)}" for k, v in sa.annotations.items()) or "no role annotation"
                lines.append(f"| {code(sa.cluster)} | ServiceAccount {code(sa.namespace + '/' + sa.name)} | {notes} |")
            for a in k8s.pod_identity_associations:
                notes = f"role {code(a.role_arn)}" + ("" if a.session_tags else ", session tags off")
                lines.append(
                    f"| {code(a.cluster)} | Pod Identity association {code(a.namespace + '/' + a.service_account)} "
                    f"| {notes} |"
                )
        else:
            lines.append("nothing created")
    if plan.placeholders:
        lines += ["", "---", "", "Placeholders (values only the cloud knows):", ""]
        lines += [f"- {code(ph.value)}: {md(ph.meaning)}" for ph in plan.placeholders]
    return "\n".join(lines) + "\n"
