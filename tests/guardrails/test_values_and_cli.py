"""The engine's sentinels, and the offline command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pulumi_policy import proxy

from irsa_components.guardrails import values
from irsa_components.guardrails.__main__ import main

ROOT = Path(__file__).resolve().parents[2]


def test_sentinels_are_the_engines() -> None:
    assert values.UNKNOWNS == {
        proxy.UNKNOWN_BOOLEAN_VALUE,
        proxy.UNKNOWN_NUMBER_VALUE,
        proxy.UNKNOWN_STRING_VALUE,
        proxy.UNKNOWN_ARRAY_VALUE,
        proxy.UNKNOWN_ASSET_VALUE,
        proxy.UNKNOWN_ARCHIVE_VALUE,
        proxy.UNKNOWN_OBJECT_VALUE,
    }


def test_reading_values() -> None:
    assert values.has_unknown({"a": [1, {"b": values.UNKNOWN_STRING}]})
    assert not values.has_unknown({"a": [1, {"b": "c"}]})
    assert values.read_document('{"Statement": []}') == {"Statement": []}
    assert values.read_document("not json") is None
    assert values.read_document(values.UNKNOWN_STRING) is None
    assert values.string_list(["a", values.UNKNOWN_STRING]) == (["a"], True)
    assert values.string_list(values.UNKNOWN_ARRAY) == ([], True)
    assert values.get_path({"a": values.UNKNOWN_OBJECT}, "a", "b") == values.UNKNOWN_OBJECT


def test_the_command_line_checks_a_stack(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--stack", "prod", "--project-dir", str(ROOT)]) == 0
    out = capsys.readouterr().out
    assert "[advisory] irsa-workload-role-max-session" in out and "0 mandatory" in out


def test_the_command_line_fails_on_mandatory_violations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "policy-config.json"
    config.write_text(json.dumps({"irsa-workload-role-max-session": {"enforcementLevel": "mandatory"}}))
    assert main(["--stack", "prod", "--project-dir", str(ROOT), "--policy-config", str(config)]) == 1
    assert "[mandatory] irsa-workload-role-max-session" in capsys.readouterr().out
