"""The plan for people: a Rich table view for terminals and Markdown for pull requests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.console import Console, Group, RenderableType
from rich.text import Text

from ..plan.model import ANY, AddonSettings, Cluster, PermissionStatement, Plan, Principal, Role, Service, Weakness

_VIA = {"irsa": "IRSA", "pod-identity": "Pod Identity", "other": "other"}


def _cluster(p: Principal) -> str:
    if p.cluster == ANY:
        return "any cluster"
    return p.cluster if p.cluster_known else f"{p.cluster} (not a cluster of this stack)"


def principal_detail(p: Principal) -> str:
    parts = [_VIA[p.mechanism]]
    if p.chained_through:
        parts.append(f"through association role {p.chained_through}")
    if p.mechanism == "irsa":
        parts.append("aud " + (", ".join(p.audiences) if p.audiences is not None else "ANY (not pinned)"))
    if p.mechanism == "pod-identity":
        if p.external_id:
            parts.append(f"pinned by external ID {p.external_id}")
        else:
            parts.append("pinned by session tags" if p.pinned_by == "trust" else "bound by the association only")
        if p.source_accounts:
            parts.append("account " + ", ".join(p.source_accounts))
    if p.pattern:
        parts.append("PATTERN")
    return " · ".join(parts)


def cluster_line(c: Cluster) -> tuple[str, str]:
    """(what, issuer) of one cluster."""
    if c.kind == "self-hosted":
        what = "self-hosted" + (f" (bucket {c.issuer_bucket})" if c.issuer_bucket else "")
    else:
        what = c.name or "-"
    return what, c.issuer_url or "-"


def provider_line(c: Cluster) -> str:
    return f"{c.oidc_provider} {c.oidc_provider_arn}" if c.oidc_provider else "(none in the stack's account)"


def account_note(plan: Plan, service: Service) -> str:
    """``account shared (222233334444)``, or ``account 111122223333`` for the stack's own."""
    if service.account:
        return f"account {service.account} ({service.role.account_id or '?'})"
    return f"account {service.role.account_id or plan.account}"


def _role_settings(role: Role) -> list[str]:
    settings = [f"path {role.path}", f"max session {role.max_session_duration}s"]
    if role.permissions_boundary:
        settings.append(f"boundary {role.permissions_boundary}")
    if role.retain_on_delete:
        settings.append("retained on delete (stays in AWS, unmanaged, when removed or replaced)")
    return settings


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


def service_rows(service: Service) -> list[tuple[str, str, str, str, str]]:
    """(section, cluster, what, detail, style) rows of one service."""
    role = service.role
    rows: list[tuple[str, str, str, str, str]] = [("role", "", role.arn, ", ".join(_role_settings(role)), "")]
    chain = service.association_role
    if chain is not None:
        rows.append(("via", "", chain.arn, "association role (EKS assumes it, then the role above)", ""))
        rows += [("", "", *statement_line(s), "") for s in chain.permissions.statements()]

    def section(label: str, items: Iterable[tuple[str, str, str]], style: str = "") -> None:
        for i, (cluster, what, detail) in enumerate(items):
            rows.append((label if i == 0 else "", cluster, what, detail, style))

    section(
        "admits", [(_cluster(p), p.subject, principal_detail(p)) for p in service.principals] or [("", "nobody", "")]
    )
    section("weakness", [("", w.code, weakness_line(w)) for w in service.weaknesses], "red")
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
    if service.addon is not None:
        section("add-on", addon_rows(service.addon))
    return rows


def chart_setting(value: object) -> str:
    """A chart value as it would go into values.yaml (JSON for lists and booleans)."""
    import json

    return value if isinstance(value, str) else json.dumps(value)


def addon_rows(addon: AddonSettings) -> list[tuple[str, str, str]]:
    """(cluster, what, detail) rows: the add-on and chart, then each chart value to set and why."""
    rows = [("", addon.name, f"chart {addon.chart}")]
    if addon.problem:
        rows.append(("", "chart values unknown", addon.problem))
    elif not addon.chart_values:
        rows.append(("", "no chart values needed", "for this scope"))
    rows += [("", f"set {v.key}={chart_setting(v.value)}", v.reason) for v in addon.chart_values]
    return rows


def _where(trust: str) -> str:
    return "association role trust, " if trust == "association-role" else ""


def weakness_line(w: Weakness) -> str:
    """Where the weakness is (trust or permissions, which statement) and what it is, witness included."""
    document = "permissions" if w.about == "permissions" else "trust"
    where = _where(w.trust) if document == "trust" else ("association role " if w.trust == "association-role" else "")
    statement = f" statement {w.statement}" if w.statement >= 0 else ""
    level = "" if w.level == "mandatory" else f" ({w.level})"
    return f"{where}{document}{statement}{level}: {w.message}"


INDENT = 2
GAP = 2
MIN_COLUMN = 16


def _cell_lines(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width``: at spaces, else after '/', ':' or ',' (ARNs), else anywhere."""
    if len(text) <= width:
        return [text]
    lines: list[str] = []
    rest = text
    while len(rest) > width:
        cut = rest.rfind(" ", 0, width + 1)
        if cut <= 0:
            cut = max(rest.rfind(c, 0, width) for c in "/:,") + 1
            if cut <= 0:
                cut = width
            lines.append(rest[:cut])
            rest = rest[cut:]
        else:
            lines.append(rest[:cut])
            rest = rest[cut + 1 :]
    if rest:
        lines.append(rest)
    return lines


def _fitted(text: Text, width: int) -> Text:
    """``text`` wrapped at spaces to ``width``, without trailing spaces."""
    if text.cell_len <= width:
        return text
    lines = text.wrap(Console(width=width), width)
    out = Text()
    for i, line in enumerate(lines):
        line.rstrip()
        out.append_text(line)
        if i < len(lines) - 1:
            out.append("\n")
    return out


def _natural(rows: Sequence[Sequence[str]]) -> list[int]:
    count = len(rows[0]) if rows else 0
    return [max((len(r[i]) for r in rows), default=0) for i in range(count)]


def aligned(
    text: Text, rows: Sequence[Sequence[str]], styles: Sequence[Sequence[str]], width: int, fixed: int = 0
) -> None:
    """Append ``rows`` to ``text`` as aligned columns that fit ``width``; trailing cells are never padded.

    When the columns side by side are wider than ``width``, the columns after the first ``fixed`` + 1
    go on lines of their own under that column, each wrapped to the room left.
    """
    widths = _natural(rows)
    if not rows:
        return
    if INDENT + sum(widths) + GAP * (len(widths) - 1) <= width:
        for row, style in zip(rows, styles, strict=True):
            _line(text, list(row), list(style), widths)
        return
    head = widths[:fixed]
    body = max(MIN_COLUMN, width - INDENT - sum(head) - GAP * len(head))
    for row, style in zip(rows, styles, strict=True):
        first = True
        for column in range(fixed, len(row)):
            extra = 0 if column == fixed else 2  # what follows the main cell is indented under it
            for piece in _cell_lines(row[column], body - extra):
                cells = [c if first else "" for c in row[:fixed]] + [" " * extra + piece]
                _line(text, cells, [*style[:fixed], style[column]], [*head, body])
                first = False


def _line(text: Text, cells: list[str], styles: list[str], widths: list[int]) -> None:
    last = max((i for i, c in enumerate(cells) if c), default=0)
    text.append(" " * INDENT)
    for i in range(last + 1):
        text.append(cells[i] if i == last else cells[i].ljust(widths[i]) + " " * GAP, style=styles[i])
    text.append("\n")


def _service_text(plan: Plan, key: str, service: Service, width: int) -> Text:
    """One service as aligned lines wrapped to ``width`` (plain Text renders much faster than a Table per service)."""
    text = Text("\n")
    text.append_text(
        _fitted(
            Text.assemble(
                (key, "bold cyan"),
                "  role ",
                (service.role.name, "bold"),
                f" · {account_note(plan, service)} · identity {service.identity} · clusters "
                f"{', '.join(service.clusters)}",
            ),
            width,
        )
    )
    text.append("\n")
    rows = service_rows(service)
    styles = [("bold", "", style, style or "dim") for *_, style in rows]
    aligned(text, [r[:4] for r in rows], styles, width, fixed=2)
    text.rstrip()
    return text


def plan_renderables(plan: Plan, width: int = 160) -> list[RenderableType]:
    header = _fitted(
        Text.assemble(
            ("Access plan", "bold"),
            f" of stack {plan.stack} (project {plan.project}) · environment {plan.environment} · "
            f"account {plan.account} · {plan.region} ({plan.partition}) · {len(plan.services)} service(s)",
        ),
        width,
    )
    clusters = Text("\nClusters\n", style="bold")
    rows = [(key, *cluster_line(c), provider_line(c)) for key, c in plan.clusters.items()]
    aligned(clusters, rows, [("bold", "", "", "")] * len(rows), width, fixed=1)
    clusters.rstrip()
    out: list[RenderableType] = [header, clusters]
    if plan.accounts:
        accounts = Text("\nAccounts\n", style="bold")
        for key, a in plan.accounts.items():
            providers = ", ".join(f"{c}: {arn}" for c, arn in a.oidc_providers.items()) or "no IRSA OIDC provider"
            accounts.append(f"  {key}  ", style="bold")
            accounts.append(f"{a.account_id}  {a.region}  via {a.role_arn}  {providers}\n")
        accounts.rstrip()
        out.append(accounts)
    out += [_service_text(plan, key, service, width) for key, service in plan.services.items()]
    if plan.placeholders:
        notes = Text("\nPlaceholders (values only the cloud knows):\n", style="dim")
        for ph in plan.placeholders:
            notes.append(f"  {ph.value}: {ph.meaning}\n", style="dim")
        notes.rstrip()
        out.append(notes)
    return out


def print_plan(plan: Plan, console: Console) -> None:
    """Columns wrapped to the console's width (an ARN breaks after a '/' or ':' only when it must)."""
    console.print(Group(*plan_renderables(plan, console.width)))


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


def plan_markdown(plan: Plan, graph: Sequence[str] = ()) -> str:
    """The plan as Markdown; ``graph``: Markdown lines of the access map (``render_graph.plan_mermaid``)."""
    lines = [
        f"# Access plan: stack `{plan.stack}` (project `{plan.project}`)",
        "",
        f"Environment `{plan.environment}` · account `{plan.account}` · region `{plan.region}` · "
        f"partition `{plan.partition}` · {len(plan.services)} service(s)",
        "",
        *([*graph, ""] if graph else []),
        "## Clusters",
        "",
        "| Key | Name | Issuer | OIDC provider |",
        "|---|---|---|---|",
    ]
    for key, c in plan.clusters.items():
        provider = (
            f"{c.oidc_provider}: {code(c.oidc_provider_arn)}" if c.oidc_provider else "(none in the stack's account)"
        )
        what, issuer = cluster_line(c)
        lines.append(f"| {code(key)} | {code(what)} | {code(issuer)} | {provider} |")
    if plan.accounts:
        lines += ["", "## Accounts", "", "| Key | Account | Region | Deployment role | IAM OIDC providers |"]
        lines += ["|---|---|---|---|---|"]
        for key, account in plan.accounts.items():
            providers = ", ".join(f"{code(c)}: {code(arn)}" for c, arn in account.oidc_providers.items()) or "none"
            lines.append(
                f"| {code(key)} | {code(account.account_id)} | {code(account.region)} | {code(account.role_arn)} "
                f"| {providers} |"
            )
    lines += ["", "## Services"]
    for key, s in plan.services.items():
        lines += [
            "",
            f"### {code(key)} → role {code(s.role.name)}",
            "",
            f"{code(s.role.arn)} · {md(account_note(plan, s))} · identity `{s.identity}` · clusters "
            f"{', '.join(code(c) for c in s.clusters)} · path {code(s.role.path)} · max session "
            f"{s.role.max_session_duration} s"
            + (f" · boundary {code(s.role.permissions_boundary)}" if s.role.permissions_boundary else "")
            + (
                " · **retained on delete** (stays in AWS, unmanaged, when removed or replaced)"
                if s.role.retain_on_delete
                else ""
            ),
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
        if s.association_role is not None:
            chain = s.association_role
            lines += ["", f"Reached through the association role {code(chain.arn)} (EKS assumes it, then this role)"]
            lines += [
                f"- association role {md(' on '.join(statement_line(st)))}" for st in chain.permissions.statements()
            ]
        for title, about in (("Trust weaknesses", "trust"), ("Permission weaknesses", "permissions")):
            found = [w for w in s.weaknesses if w.about == about]
            lines += ["", f"**{title}**: " + ("none" if not found else "")]
            lines += [f"- `{w.code}`: {md(weakness_line(w))}" for w in found]
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
                notes += f", target {code(a.target_role_arn)}" if a.target_role_arn else ""
                lines.append(
                    f"| {code(a.cluster)} | Pod Identity association {code(a.namespace + '/' + a.service_account)} "
                    f"| {notes} |"
                )
        else:
            lines.append("nothing created")
        if s.addon is not None:
            lines += ["", f"**Add-on** {code(s.addon.name)} (chart {md(s.addon.chart)}): chart values to set", ""]
            if s.addon.problem:
                lines.append(f"unknown: {md(s.addon.problem)}")
            elif s.addon.chart_values:
                lines += ["| Value | Set to | Why |", "|---|---|---|"]
                lines += [
                    f"| {code(v.key)} | {code(chart_setting(v.value))} | {md_mixed(v.reason)} |"
                    for v in s.addon.chart_values
                ]
            else:
                lines.append("none needed for this scope")
    if plan.placeholders:
        lines += ["", "---", "", "Placeholders (values only the cloud knows):", ""]
        lines += [f"- {code(ph.value)}: {md(ph.meaning)}" for ph in plan.placeholders]
    return "\n".join(lines) + "\n"
