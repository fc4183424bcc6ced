"""python -m irsa_components.guardrails: clean errors (exit 2), never a traceback."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from irsa_components.guardrails.__main__ import main

ROOT = Path(__file__).resolve().parents[2]


def project(tmp_path: Path, stack_text: str) -> Path:
    (tmp_path / "stacks").mkdir()
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    (tmp_path / "stacks" / "Pulumi.bad.yaml").write_text(stack_text)
    return tmp_path


def test_an_invalid_stack_lists_its_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = project(tmp_path, "config:\n  irsa:environment: Bad_Env\n  irsa:servcies: {}\n")
    assert main(["--stack", "bad", "--project-dir", str(repo)]) == 2
    err = capsys.readouterr().err
    assert "Invalid stack or program (bad): 2 problems" in err
    assert "irsa:servcies" in err and "did you mean 'services'?" in err
    assert "Traceback" not in err


def test_missing_files_are_clean_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--stack", "dev", "--project-dir", str(tmp_path)]) == 2
    assert "has no Pulumi.yaml" in capsys.readouterr().err
    assert main(["--stack", "nope", "--project-dir", str(ROOT)]) == 2
    assert "Pulumi.nope.yaml" in capsys.readouterr().err
    config = tmp_path / "policy.json"
    config.write_text("{not json")
    assert main(["--stack", "dev", "--project-dir", str(ROOT), "--policy-config", str(config)]) == 2
    assert "--policy-config" in capsys.readouterr().err


def test_a_program_that_cannot_be_imported_is_a_clean_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--stack", "dev", "--project-dir", str(ROOT), "--program", "no_such_module:main"]) == 2
    assert "cannot import module 'no_such_module'" in capsys.readouterr().err


def test_without_the_policy_extra_it_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "pulumi_policy", None)  # as if pulumi-policy were not installed
    assert main(["--stack", "dev", "--project-dir", str(ROOT)]) == 2
    assert "pip install 'irsa-components[policy]'" in capsys.readouterr().err


def test_the_module_runs_as_a_command_without_tracebacks(tmp_path: Path) -> None:
    repo = project(tmp_path, "config:\n  irsa:environment: dev\n  irsa:services: {a: {namespace: A}}\n")
    done = subprocess.run(
        [sys.executable, "-m", "irsa_components.guardrails", "--stack", "bad", "--project-dir", str(repo)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "namespace" in done.stderr and "Traceback" not in done.stderr + done.stdout


def test_a_projects_own_program_is_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "platform"
    shutil.copytree(ROOT / "examples" / "existing-cluster", repo)
    (repo / "Pulumi.dev.yaml").write_text(
        "config:\n  aws:region: eu-west-1\n  irsa-example-existing-cluster:clusterName: prod-blue\n"
    )
    assert main(["--stack", "dev", "--project-dir", str(repo)]) == 0
    assert "0 mandatory, stack dev" in capsys.readouterr().out
