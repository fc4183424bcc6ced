"""Under the real engine, the stack program sends none of the SDK's per-registration debug messages.

Real: the Pulumi CLI and engine, the stack program inline, pulumi-kubernetes rendering YAML. Stand-in:
pulumi-aws over moto. The preview runs with ``--debug``, so every debug message the program sends comes
back as a diagnostic event (irsa_components/stack/sdk_logs.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from irsa_components.stack.sdk_logs import KEEP, SDK_REGISTRATION_MESSAGES
from tests.fixtures.moto_server import MotoServer

from .support import Project

pytestmark = pytest.mark.xdist_group("sdk-messages")


def _debug_messages(tmp: Path, command: auto.PulumiCommand) -> tuple[list[str], int]:
    """The debug messages of a ``--debug`` preview of the dev stack, and how many resources it would create."""
    tmp.mkdir()
    with MotoServer(log=tmp / "moto.log") as moto:
        project = Project.copy(tmp, moto.url, command, ("dev",))
        project.point_at_moto("dev")
        events: list[Any] = []
        preview = project.stack("dev").preview(on_event=events.append, debug=True)
    messages = [
        e.diagnostic_event.message
        for e in events
        if e.diagnostic_event is not None and e.diagnostic_event.severity == "debug"
    ]
    return messages, int(preview.change_summary.get(auto.OpType.CREATE, 0))


def _sdk_registration_messages(messages: list[str]) -> list[str]:
    return [m for m in messages if m.lstrip().startswith(SDK_REGISTRATION_MESSAGES)]


STACKS_OWN = 7
"""The most the stack's own registration (4 messages, sent before the program starts) and its outputs (3, sent
after it returns) can add."""


def test_the_sdks_registration_messages_stay_in_the_program(
    command: auto.PulumiCommand, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEEP, raising=False)
    messages, created = _debug_messages(tmp_path / "quiet", command)
    assert created > 10
    assert len(_sdk_registration_messages(messages)) <= STACKS_OWN, _sdk_registration_messages(messages)


def test_irsa_sdk_debug_logs_keeps_them(
    command: auto.PulumiCommand, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same preview with the switch set: what --debug shows without quiet_sdk_registration_logs, 4 per
    # resource registration (so the test above can fail).
    monkeypatch.setenv(KEEP, "1")
    messages, created = _debug_messages(tmp_path / "kept", command)
    assert len(_sdk_registration_messages(messages)) >= 4 * created
