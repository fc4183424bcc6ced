"""Tables fit the terminal's width without losing a character; help is readable at 80 columns."""

from __future__ import annotations

import re

import pytest

from irsa_components.plan.run import StackSource, plan_stack

from .helpers import ROOT, invoke


def lines_of(columns: int, *args: str) -> list[str]:
    result = invoke("plan", "--stack", "prod", "--project-dir", str(ROOT), *args, columns=columns)
    assert result.exit_code == 0, result.output
    lines: list[str] = result.stdout.splitlines()
    return lines


@pytest.mark.parametrize("columns", [60, 80, 100, 160])
def test_plan_table_lines_fit_the_width_and_carry_no_padding(columns: int) -> None:
    lines = lines_of(columns)
    assert max(len(line) for line in lines) <= columns
    assert all(line == line.rstrip() for line in lines)


@pytest.mark.parametrize("columns", [60, 80])
def test_wrapping_keeps_every_arn_and_statement_whole_once_joined(columns: int) -> None:
    wide = "".join("".join(lines_of(10_000)).split())
    narrow = "".join("".join(lines_of(columns)).split())
    assert narrow == wide  # the same characters in the same order: only spaces and line breaks differ
    plan = plan_stack(StackSource(ROOT, stack="prod"))
    for service in plan.services.values():
        assert service.role.arn in narrow


def test_a_wide_terminal_gets_one_line_per_row() -> None:
    lines = lines_of(10_000)
    roles = [line for line in lines if re.match(r"^  role ", line)]
    assert len(roles) == 5 and all("arn:aws:iam::" in line and "max session" in line for line in roles)


@pytest.mark.parametrize("command", [[], ["plan"], ["diff"], ["explain"]])
def test_help_is_readable_at_80_columns(command: list[str]) -> None:
    result = invoke(*command, "--help", columns=80)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in result.stdout, result.stdout  # nothing cut off
