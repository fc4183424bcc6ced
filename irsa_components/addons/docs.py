"""The catalogue as Markdown: the table in docs/addons.md is generated here (a test keeps them equal)."""

from __future__ import annotations

from .catalogue import CATALOGUE
from .model import Addon, ScopeInput


def _inputs(addon: Addon) -> str:
    required = [f"`{i.name}`" for i in addon.required_inputs]
    any_of = [" or ".join(f"`{n}`" for n in group) for group in addon.require_any]
    parts = required + [f"one of {g}" if " or " in g else g for g in any_of]
    return ", ".join(parts) or "none"


def _policy(addon: Addon) -> str:
    managed = ", ".join(n.rsplit("/", 1)[-1] for n in addon.managed_policies)
    if addon.build is None:
        return f"managed only: {managed}"
    if managed:
        return f"custom (default); managed: {managed}"
    return "custom"


def _service_account(addon: Addon) -> str:
    if addon.namespace is None or addon.service_account is None:
        return "the workload's own"
    extra = "".join(f", `{addon.namespace}/{sa}`" for sa in addon.extra_service_accounts)
    return f"`{addon.namespace}/{addon.service_account}`{extra}"


def catalogue_table() -> str:
    """One row per add-on: name, default service account(s), policy source, required scope inputs."""
    rows = [
        "| add-on | default namespace/service account | policy | required scope inputs |",
        "|---|---|---|---|",
    ]
    for addon in CATALOGUE.values():
        rows.append(f"| `{addon.name}` | {_service_account(addon)} | {_policy(addon)} | {_inputs(addon)} |")
    return "\n".join(rows) + "\n"


def _input_default(item: ScopeInput) -> str:
    if item.required:
        return "required" if item.multiple else "required, one value"
    if item.kind.flag:
        return f"default {'true' if item.default else 'false'}"
    if isinstance(item.default, tuple) and item.default:
        return "default " + ", ".join(f"`{d}`" for d in item.default)
    return "optional"


def addon_section(addon: Addon) -> str:
    """The add-on's section of docs/addons.md: source and version, service accounts, inputs, scoping notes."""
    lines = [f"### `{addon.name}`", "", addon.description, ""]
    lines.append(f"- Source followed: {addon.source.url} ({addon.source.version})")
    lines.append(f"- Chart / add-on: {addon.chart}")
    if addon.namespace and addon.service_account:
        accounts = (addon.service_account, *addon.extra_service_accounts)
        lines.append("- Trusts: " + ", ".join(f"`{addon.namespace}/{sa}`" for sa in accounts))
    else:
        lines.append("- Trusts: the workload's own service account (give `namespace` and `service_account`)")
    if addon.managed_policies:
        names = ", ".join(f"`{m}`" for m in addon.managed_policies)
        how = "default" if addon.default_policy == "managed" else 'opt in with `policy="managed"`'
        lines.append(f"- AWS managed: {names} ({how})")
    if addon.inputs:
        lines.append("- Scope inputs:")
        for item in addon.inputs:
            lines.append(
                f"  - `{item.name}` / `{item.config_key}` ({item.kind.name}, {_input_default(item)}): "
                f"{item.description}."
            )
    for group in addon.require_any:
        lines.append("- At least one of " + ", ".join(f"`{n}`" for n in group) + ".")
    if addon.needs_region:
        lines.append("- Needs the role's `region`.")
    if addon.tighter:
        lines.append("- Scoped tighter than upstream:")
        lines.extend(f"  - {line}" for line in addon.tighter)
    lines.extend(f"- Note: {note}" for note in addon.notes)
    return "\n".join(lines) + "\n"


def catalogue_sections() -> str:
    """Every add-on's section, in catalogue order."""
    return "\n".join(addon_section(addon) for addon in CATALOGUE.values())
