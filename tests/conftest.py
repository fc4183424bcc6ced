"""Shared test helpers: run programs offline under the Pulumi SDK's mocks."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from irsa_components.offline import Simulation, load_stack_config, run_program

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def simulate() -> Callable[..., Simulation]:
    """``simulate(program, config={...})`` runs ``program`` as ``pulumi up`` would, offline."""

    def run(program: Callable[[], None], config: Mapping[str, str] | None = None, **kwargs: Any) -> Simulation:
        return run_program(program, config={"aws:region": "eu-west-1", **(config or {})}, **kwargs)

    return run


def stack_config(stack: str) -> tuple[dict[str, str], list[str]]:
    return load_stack_config(ROOT, stack)


def policy(doc: str | Mapping[str, Any]) -> dict[str, Any]:
    return json.loads(doc) if isinstance(doc, str) else dict(doc)
