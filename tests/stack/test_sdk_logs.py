"""The stack program keeps the SDK's per-registration debug messages from the engine, and only those.

Under the SDK's mocks, whose engine records what it is sent; tests/e2e/test_sdk_messages.py shows the same
under the real engine.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pulumi
import pytest
from pulumi.runtime import mocks as sdk_mocks
from pulumi.runtime.proto import engine_pb2

from benchmarks.synthetic import flat_config
from irsa_components.offline import run_program
from irsa_components.stack.program import main
from irsa_components.stack.sdk_logs import KEEP, SDK_REGISTRATION_MESSAGES, quiet_sdk_registration_logs


def _sent(program: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], int]:
    """(every log request the engine received, resources registered) for one run of ``program``."""
    sent: list[Any] = []
    monkeypatch.setattr(sdk_mocks.MockEngine, "Log", lambda self, request: sent.append(request))
    sim = run_program(program, config=flat_config("prod", 4), stack="prod")
    return sent, len(sim.resources)


def _registration_messages(sent: list[Any]) -> list[str]:
    return [r.message for r in sent if r.message.startswith(SDK_REGISTRATION_MESSAGES)]


def _beyond_the_stacks_own(messages: list[str], monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """``messages`` but those a program that registers nothing sends too: the stack's own, which come before
    the program starts (the stack's registration) and after it returns (its outputs)."""
    sent, registered = _sent(lambda: None, monkeypatch)
    assert registered == 0
    return Counter(messages) - Counter(_registration_messages(sent))


def test_the_stack_program_sends_none_of_the_sdks_registration_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEEP, raising=False)
    sent, registered = _sent(main, monkeypatch)
    assert registered > 30
    assert not _beyond_the_stacks_own(_registration_messages(sent), monkeypatch)


@pytest.mark.parametrize("value", ["1", "true"])
def test_irsa_sdk_debug_logs_sends_them_as_the_sdk_does(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEEP, value)
    sent, registered = _sent(main, monkeypatch)
    messages = _registration_messages(sent)
    # Each of the four for every resource registration, more for components' outputs.
    for prefix in SDK_REGISTRATION_MESSAGES:
        if prefix != "register resource outputs prepared: ":
            assert len([m for m in messages if m.startswith(prefix)]) >= registered, prefix
    assert len([m for m in messages if m.startswith("register resource outputs prepared: ")]) > 10
    assert all(r.severity == engine_pb2.DEBUG for r in sent if r.message.startswith(SDK_REGISTRATION_MESSAGES))


@pytest.mark.parametrize("value", ["", "0"])
def test_an_empty_or_zero_switch_keeps_them_quiet(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEEP, value)
    sent, _ = _sent(main, monkeypatch)
    assert not _beyond_the_stacks_own(_registration_messages(sent), monkeypatch)


def test_every_other_message_still_reaches_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEEP, raising=False)

    def program() -> None:
        assert quiet_sdk_registration_logs()
        assert not quiet_sdk_registration_logs()  # once per program: the engine is wrapped once
        pulumi.log.debug("registering resource: from the program, not the SDK, but worded alike")  # dropped
        pulumi.log.debug("a debug message of the program's own")
        pulumi.log.info("an info message")
        pulumi.log.warn("registering resource: a warning")
        pulumi.log.error("an error")
        pulumi.CustomResource("test:index:Thing", "thing")

    sent, _ = _sent(program, monkeypatch)
    kept = [(r.severity, r.message) for r in sent]
    assert (engine_pb2.DEBUG, "a debug message of the program's own") in kept
    assert (engine_pb2.INFO, "an info message") in kept
    assert (engine_pb2.WARNING, "registering resource: a warning") in kept
    assert (engine_pb2.ERROR, "an error") in kept
    debug = [r for r in sent if r.severity == engine_pb2.DEBUG]
    assert not _beyond_the_stacks_own(_registration_messages(debug), monkeypatch)


def test_nothing_changes_without_an_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEEP, raising=False)
    monkeypatch.setattr("irsa_components.stack.sdk_logs.settings.get_engine", lambda: None)
    assert quiet_sdk_registration_logs() is False
