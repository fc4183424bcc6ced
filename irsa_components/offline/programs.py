"""Which program an offline run executes: this library's stack program, a ``module:function``, or a project's main.

``irsa plan`` and the guardrails run users' own Pulumi programs too: the function named on the command
line, or what the project's ``Pulumi.yaml`` names as ``main`` (a file, or a directory holding
``__main__.py``; default ``__main__.py``), run the way the Python language host runs it: as
``__main__``, from the project directory, with the program's directory importable.
"""

from __future__ import annotations

import importlib
import os
import runpy
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional

import yaml

from ..core.errors import InputError, Problem

STACK_PROGRAM = "irsa_components.stack.program:main"


@contextmanager
def _importable(directory: Path) -> Iterator[None]:
    """``directory`` first on sys.path while the program is imported and runs."""
    entry = str(directory)
    sys.path.insert(0, entry)
    try:
        yield
    finally:
        if entry in sys.path:
            sys.path.remove(entry)


@contextmanager
def _working_directory(directory: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(before)


def module_program(spec: str, project_dir: Optional[Path] = None) -> Callable[[], None]:
    """The function ``module:function`` (``module`` alone: its ``main``), importable from ``project_dir``.

    InputError naming ``--program`` when the module or function cannot be found.
    """
    module_name, _, function = spec.partition(":")
    where = project_dir.resolve() if project_dir is not None else Path.cwd()
    try:
        with _importable(where):
            module = importlib.import_module(module_name)
    except ImportError as exc:
        raise InputError(
            [Problem("irsa plan", "--program", spec, f"cannot import module {module_name!r}: {exc}")]
        ) from None
    found: Any = getattr(module, function or "main", None)
    if not callable(found):
        raise InputError(
            [Problem("irsa plan", "--program", spec, f"module {module_name!r} has no function {function or 'main'!r}")]
        )

    def run() -> None:
        with _importable(where), _working_directory(where):
            found()

    return run


def project_main(project_dir: Path) -> Path:
    """The file the Python language host runs for the project in ``project_dir`` (Pulumi.yaml ``main``)."""
    project_file = project_dir / "Pulumi.yaml"
    try:
        project = yaml.safe_load(project_file.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InputError([Problem("project", "Pulumi.yaml", str(project_file), str(exc))]) from None
    main = project.get("main") if isinstance(project, dict) else None
    target = project_dir / str(main) if main else project_dir
    if target.is_dir():
        target = target / "__main__.py"
    if not target.is_file():
        raise InputError(
            [
                Problem(
                    "project",
                    "Pulumi.yaml main",
                    str(main or "."),
                    f"names no program: {target} does not exist (give main: a .py file or a directory with "
                    "__main__.py, or --program module:function)",
                )
            ]
        )
    return target


def project_program(project_dir: Path) -> Callable[[], None]:
    """The project's own program (Pulumi.yaml ``main``), run as ``__main__`` from the project directory."""
    main = project_main(project_dir).resolve()
    directory = project_dir.resolve()

    def run() -> None:
        with _importable(main.parent), _working_directory(directory):
            runpy.run_path(str(main), run_name="__main__")

    return run


__all__ = ["STACK_PROGRAM", "module_program", "project_main", "project_program"]
