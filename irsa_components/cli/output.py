"""Consoles, output files and the one way input problems are shown (exit status 2)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, NoReturn, Optional

import typer
from rich.console import Console
from rich.text import Text

from ..core.errors import Problem

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INPUT = 2
FILE_WIDTH = 160


def _columns() -> Optional[int]:
    value = os.environ.get("COLUMNS", "")
    return int(value) if value.isdigit() and int(value) > 0 else None


def console(file: Optional[IO[str]] = None, *, stderr: bool = False) -> Console:
    """A console for ``file`` (stdout by default): the terminal's width on terminals, else COLUMNS or 160."""
    target = file if file is not None else (sys.stderr if stderr else sys.stdout)
    probe = Console(file=target)
    if probe.is_terminal:
        return probe
    width = _columns() if file is None else None
    return Console(file=target, width=width or FILE_WIDTH, no_color=True, highlight=False, emoji=False)


def fail(problems: Iterable[Problem], header: str) -> NoReturn:
    """Print every problem on stderr (one line each, never folded) and exit with status 2."""
    items = list(problems)
    err = console(stderr=True)
    count = len(items)
    err.print(Text(f"{header}: {count} problem{'s' if count != 1 else ''}", style="bold red"), soft_wrap=True)
    for p in items:
        line = Text("  - ")
        line.append(p.subject, style="bold")
        line.append(": ")
        line.append(p.field, style="cyan")
        if p.value is not None:
            shown = repr(p.value)
            line.append(f" = {shown if len(shown) <= 200 else shown[:197] + '...'}")
        line.append(f": {p.message}")
        err.print(line, soft_wrap=True)
    raise typer.Exit(EXIT_INPUT)


def fail_program(exc: BaseException, header: str) -> NoReturn:
    """A program that failed with an exception of its own: what and where, in one problem (exit status 2)."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if "/site-packages/" not in f.filename and "/irsa_components/" not in f.filename]
    where = own[-1] if own else (frames[-1] if frames else None)
    at = f" (at {where.filename}:{where.lineno})" if where else ""
    message = " ".join(str(exc).split()) or type(exc).__name__
    fail([Problem("program", type(exc).__name__, None, f"{message}{at}")], header)


def write_text(text: str, output: Optional[Path]) -> None:
    """``text`` to ``output`` (UTF-8), or to stdout."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
