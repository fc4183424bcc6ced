"""The stack program lets the SDK start its registrations before the SDK waits for them.

Without that one turn of the event loop the SDK finds no registration tracked when the program returns
and waits on every pending Output instead, in a loop that is quadratic under the real engine
(irsa_components/stack/registrations.py). Under the SDK's mocks the same code decides which wait runs.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi.runtime.stack as sdk_stack
import pytest

from benchmarks.synthetic import flat_config
from irsa_components.offline import run_program
from irsa_components.stack.program import main
from irsa_components.stack.registrations import let_registrations_start


def _tracked_when_waiting(program: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """(registrations the SDK tracks when it starts waiting, registrations made)."""
    seen: list[int] = []
    original = sdk_stack.wait_for_rpcs

    async def recording(*args: Any, **kwargs: Any) -> None:
        seen.append(len(sdk_stack._get_rpc_manager().rpcs))
        await original(*args, **kwargs)

    monkeypatch.setattr(sdk_stack, "wait_for_rpcs", recording)
    sim = run_program(program, config=flat_config("prod", 4), stack="prod")
    return seen[0], len(sim.resources)


def test_every_registration_is_tracked_when_the_sdk_starts_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    tracked, registered = _tracked_when_waiting(main, monkeypatch)
    assert registered > 30
    assert tracked >= registered  # registrations, and the lookups' invokes


def test_without_the_turn_the_sdk_would_track_almost_none(monkeypatch: pytest.MonkeyPatch) -> None:
    # The same program with the turn undone: what the SDK would see, and why the turn is there. (Under
    # the mocks the stack's own registration has started; under the engine nothing had, 0 of 1,803 at
    # N = 200.)
    monkeypatch.setattr("irsa_components.stack.program.let_registrations_start", lambda: None)
    tracked, registered = _tracked_when_waiting(main, monkeypatch)
    assert registered > 30
    assert tracked <= 2


def test_the_turn_is_skipped_by_sdks_without_pulumi_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(pulumi, "run")
    let_registrations_start()  # no error, no program needed
