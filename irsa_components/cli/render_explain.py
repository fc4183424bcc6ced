"""An explanation for people (Rich) or machines (JSON)."""

from __future__ import annotations

import json

from rich.console import Console
from rich.text import Text

from ..plan.explain import Explanation


def print_explanation(explanation: Explanation, console: Console) -> None:
    """Long lines are left to the terminal (soft wrap): ARNs and keys stay whole."""
    console.soft_wrap = True
    caller = explanation.caller
    verdict = Text(
        "ALLOWED" if explanation.allowed else "DENIED", style="bold green" if explanation.allowed else "bold red"
    )
    who = f"system:serviceaccount:{caller['namespace']}:{caller['serviceAccount']}"
    if explanation.mechanism == "irsa":
        how = f" sts:AssumeRoleWithWebIdentity for {who}"
        context = f"issuer {caller['issuer']} · provider {caller['providerArn']} · audience {caller['audience']}"
    else:
        actions = "sts:AssumeRole + sts:TagSession" if caller["sessionTags"] == "on" else "sts:AssumeRole"
        how = f" EKS Pod Identity ({actions}) for {who}"
        context = f"cluster {caller['clusterArn']} · account {caller['account']} · session tags {caller['sessionTags']}"
        if "associationRoleArn" in caller:
            context += f" · through association role {caller['associationRoleArn']}"
    console.print(Text.assemble(verdict, how))
    console.print(Text("  " + context, style="dim"))
    if explanation.allowed:
        shown = ", ".join(str(i) for i in explanation.matched_statements)
        chain = ""
        if explanation.target_from is not None:
            first = ", ".join(str(i) for i in explanation.association_matched_statements)
            chain = f" of the target role's trust (association role's trust: statement {first})"
        console.print(Text(f"  admitted by statement {shown}{chain}"))
    if explanation.findings:
        console.print(Text("\nWhy", style="bold"))
        for f in explanation.findings:
            console.print(Text.assemble(("  ✗ ", "red"), (f.code, "bold"), f": {f.message}"))
            if f.hint:
                console.print(Text(f"    → {f.hint}", style="yellow"))
    if explanation.warnings:
        console.print(Text("\nNotes", style="bold"))
        for f in explanation.warnings:
            console.print(Text.assemble(("  ! ", "yellow"), (f.code, "bold"), f": {f.message}"))
    console.print(Text("\nStatements", style="bold"))
    chained = explanation.target_from is not None
    for i, (request, decision) in enumerate(explanation.evaluations):
        if chained and i in (0, explanation.target_from):
            console.print(Text("  association role" if i == 0 else "  target role", style="bold underline"))
        if len(explanation.evaluations) > 1:
            by = f" by {request.principal}" if chained else ""
            console.print(Text(f"  {request.action}{by}: {decision.outcome}", style="bold"))
        for s in decision.statements:
            mark = ("✓", "green") if s.matched else ("✗", "red")
            sid = f" ({s.sid})" if s.sid else ""
            console.print(
                Text.assemble(
                    ("  ", ""),
                    mark,
                    f" #{s.index}{sid} {s.effect}: principal {'✓' if s.principal_matched else '✗'}"
                    f" · action {'✓' if s.action_matched else '✗'}",
                )
            )
            if s.principal_matched and s.action_matched:
                for c in s.conditions:
                    sign = ("✓", "green") if c.passed else ("✗", "red")
                    console.print(Text.assemble("      ", sign, f" {c.reason}"))


def explanation_json(explanation: Explanation) -> str:
    return json.dumps(explanation.to_data(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
