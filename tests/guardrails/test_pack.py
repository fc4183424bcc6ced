"""The pack as a whole: its policies, its entry point, and the real analyzer protocol end to end."""

from __future__ import annotations

import json
import runpy
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pulumi_policy
import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime import proto
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, Severity, StackValidationPolicy

from irsa_components.guardrails import PACK_NAME, POLICIES
from irsa_components.guardrails.values import UNKNOWN_STRING

from .helpers import ACCOUNT, ROLE, SERVICE_ACCOUNT, role_state, service_account, trust, web_statement

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "policypack"

EXPECTED = {
    "irsa-web-identity-trust": (ResourceValidationPolicy, EnforcementLevel.MANDATORY),
    "irsa-web-identity-namespace-wildcard": (ResourceValidationPolicy, EnforcementLevel.ADVISORY),
    "irsa-pod-identity-trust": (ResourceValidationPolicy, EnforcementLevel.MANDATORY),
    "irsa-pod-identity-pinning": (ResourceValidationPolicy, EnforcementLevel.ADVISORY),
    "irsa-workload-role-not-admin": (ResourceValidationPolicy, EnforcementLevel.MANDATORY),
    "irsa-workload-role-max-session": (ResourceValidationPolicy, EnforcementLevel.ADVISORY),
    "irsa-workload-role-not-admin-attached": (StackValidationPolicy, EnforcementLevel.MANDATORY),
    "irsa-service-account-trusted": (StackValidationPolicy, EnforcementLevel.MANDATORY),
    "irsa-pod-identity-association-trusted": (StackValidationPolicy, EnforcementLevel.MANDATORY),
    "irsa-oidc-provider-client-ids": (StackValidationPolicy, EnforcementLevel.MANDATORY),
}


def test_policies_kinds_and_levels() -> None:
    assert {p.name: (type(p), p.enforcement_level) for p in POLICIES} == EXPECTED
    assert len({p.name for p in POLICIES}) == len(POLICIES)


def test_every_policy_has_a_config_schema_with_defaults() -> None:
    for p in POLICIES:
        assert p.config_schema is not None, p.name
        assert "exempt" in p.config_schema.properties
        for key, schema in p.config_schema.properties.items():
            assert "default" in schema and "description" in schema and "type" in schema, (p.name, key)
        assert p.remediation_steps


def test_the_entry_point_only_assembles_the_policies(monkeypatch: pytest.MonkeyPatch) -> None:
    built: dict[str, Any] = {}

    def fake_pack(**kwargs: Any) -> None:
        built.update(kwargs)

    monkeypatch.setattr(pulumi_policy, "PolicyPack", fake_pack)
    runpy.run_path(str(PACK / "__main__.py"), run_name="__main__")
    assert built["name"] == PACK_NAME == "irsa-guardrails"
    assert [p.name for p in built["policies"]] == [p.name for p in POLICIES]


def test_the_pack_project_file_and_requirements() -> None:
    project = (PACK / "PulumiPolicy.yaml").read_text()
    assert "name: python" in project and "virtualenv: venv" in project
    requirements = (PACK / "requirements.txt").read_text().splitlines()
    # `-e ..` is resolved from the pack's folder, where the CLI and the README install it.
    assert "-e ..[policy]" in requirements and any(r.startswith("pulumi-policy==") for r in requirements)


# The analyzer protocol, end to end: the pack's own process, spoken to over gRPC as the engine does. ---


@pytest.fixture(scope="module")
def analyzer() -> Iterator[Any]:
    process = subprocess.Popen(
        [sys.executable, str(PACK / "__main__.py")],
        cwd=PACK,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = (process.stdout.readline() if process.stdout else "").strip()
        if not port.isdigit():
            process.kill()
            pytest.fail(f"the pack did not start: {process.communicate()[1]}")
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield proto.AnalyzerStub(channel)
    finally:
        process.terminate()
        process.communicate()


def _struct(props: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(json.loads(json.dumps(props)))
    return struct


def _urn(type_: str, name: str) -> str:
    return f"urn:pulumi:prod::irsa::{type_}::{name}"


def test_analyzer_info(analyzer: Any) -> None:
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == PACK_NAME and info.supportsConfig
    levels = {p.name: p.enforcementLevel for p in info.policies}
    assert levels["irsa-web-identity-trust"] == proto.MANDATORY
    assert levels["irsa-workload-role-max-session"] == proto.ADVISORY
    schema = next(p.configSchema for p in info.policies if p.name == "irsa-web-identity-trust")
    assert list(schema.properties["allowedAudiences"]["default"]) == ["sts.amazonaws.com"]


def test_analyze_reports_a_loose_trust_and_says_what_it_cannot_decide(analyzer: Any) -> None:
    loose = _struct({"name": "loose", "assumeRolePolicy": trust(web_statement(audience=None))})
    response = analyzer.Analyze(
        proto.AnalyzeRequest(urn=_urn(ROLE, "loose"), type=ROLE, name="loose", properties=loose)
    )
    diagnostics = [(d.policyName, d.enforcementLevel) for d in response.diagnostics]
    assert diagnostics == [("irsa-web-identity-trust", proto.MANDATORY)]
    assert "[aud-unexpected]" in response.diagnostics[0].message

    pending = _struct({"name": "pending", "assumeRolePolicy": UNKNOWN_STRING, "maxSessionDuration": 43200})
    response = analyzer.Analyze(
        proto.AnalyzeRequest(urn=_urn(ROLE, "pending"), type=ROLE, name="pending", properties=pending)
    )
    # Never a silent pass: each rule that cannot decide says so, as an advisory the preview shows.
    assert response.diagnostics
    assert {d.enforcementLevel for d in response.diagnostics} == {proto.ADVISORY}
    assert all("cannot decide" in d.message and "not known yet" in d.message for d in response.diagnostics)
    assert "irsa-workload-role-max-session" in {d.policyName for d in response.diagnostics}


def test_analyze_stack_connects_resources(analyzer: Any) -> None:
    arn = f"arn:aws:iam::{ACCOUNT}:role/prod-app"
    role = role_state(trust(web_statement("system:serviceaccount:payments:app")), name="prod-app")
    resources = [
        proto.AnalyzerResource(urn=_urn(ROLE, "app"), type=ROLE, name="app", properties=_struct(role)),
        proto.AnalyzerResource(
            urn=_urn(SERVICE_ACCOUNT, "app"),
            type=SERVICE_ACCOUNT,
            name="app",
            properties=_struct(service_account("orders", "app", arn)),
            dependencies=[_urn(ROLE, "app")],
        ),
    ]
    response = analyzer.AnalyzeStack(proto.AnalyzeStackRequest(resources=resources))
    assert [(d.policyName, d.urn) for d in response.diagnostics] == [
        ("irsa-service-account-trusted", _urn(SERVICE_ACCOUNT, "app"))
    ]


def test_severities() -> None:
    severities = {p.name: p.severity for p in POLICIES}
    assert all(severities.values())
    assert severities["irsa-workload-role-not-admin"] == Severity.CRITICAL
    assert severities["irsa-workload-role-not-admin-attached"] == Severity.CRITICAL
    assert severities["irsa-web-identity-trust"] == Severity.HIGH


def test_the_plain_rules_import_without_pulumi_policy() -> None:
    code = (
        "import sys; sys.modules['pulumi_policy'] = None\n"
        "from irsa_components.guardrails import rules, stack, Finding\n"
        "assert rules.web_identity_trust_findings('aws:iam/role:Role', 'r', {}).violations == []\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
