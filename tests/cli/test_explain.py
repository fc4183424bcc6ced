"""irsa explain: the verdict of core.evaluate, and a diagnosis of each way a caller can be refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from irsa_components.core.kubernetes import ServiceAccountRef
from irsa_components.core.trust import workload_trust_policy
from irsa_components.plan.explain import explain_pod_identity, explain_web_identity

from .helpers import ACCOUNT, CLUSTER_BLUE_ARN, GOLDEN, ISSUER_BLUE, ISSUER_GREEN, PROVIDER_BLUE, invoke

SA = ServiceAccountRef("payments", "payments-api")
IRSA_TRUST = workload_trust_policy([SA], [PROVIDER_BLUE])
POD_TRUST = workload_trust_policy([SA], [], pod_identity_cluster_arns=[CLUSTER_BLUE_ARN], account_id=ACCOUNT)
BOTH_TRUST = workload_trust_policy(
    [SA], [PROVIDER_BLUE], pod_identity_cluster_arns=[CLUSTER_BLUE_ARN], account_id=ACCOUNT
)


def bare(doc: dict[str, Any]) -> str:
    return json.dumps(doc)


def get_role(doc: dict[str, Any]) -> str:
    """`aws iam get-role` output, as the CLI prints it (document decoded)."""
    return json.dumps(
        {"Role": {"RoleName": "r", "Arn": "arn:aws:iam::111122223333:role/r", "AssumeRolePolicyDocument": doc}}
    )


def get_role_encoded(doc: dict[str, Any]) -> str:
    """The raw IAM API shape: the document URL-encoded."""
    return json.dumps({"Role": {"RoleName": "r", "AssumeRolePolicyDocument": quote(json.dumps(doc))}})


FORMATS: dict[str, Callable[[dict[str, Any]], str]] = {
    "bare": bare,
    "get-role": get_role,
    "get-role-url-encoded": get_role_encoded,
}


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "trust.json"
    path.write_text(text)
    return path


def _irsa(tmp_path: Path, doc: dict[str, Any], fmt: str, *args: str) -> Any:
    path = _file(tmp_path, FORMATS[fmt](doc))
    return invoke("explain", "--trust-policy", path, "--format", "json", *args)


def _codes(result: Any) -> list[str]:
    return [f["code"] for f in json.loads(result.stdout)["findings"]]


# IRSA, from each accepted input format ------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_irsa_allowed(tmp_path: Path, fmt: str) -> None:
    result = _irsa(tmp_path, IRSA_TRUST, fmt, "--issuer", ISSUER_BLUE, "-n", "payments", "-a", "payments-api")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["allowed"] is True and data["matchedStatements"] == [0] and data["findings"] == []
    assert data["caller"]["providerArn"] == PROVIDER_BLUE


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_irsa_wrong_namespace(tmp_path: Path, fmt: str) -> None:
    result = _irsa(tmp_path, IRSA_TRUST, fmt, "--issuer", ISSUER_BLUE, "-n", "billing", "-a", "payments-api")
    assert result.exit_code == 1
    [finding] = json.loads(result.stdout)["findings"]
    assert finding["code"] == "wrong-namespace" and "'payments'" in finding["message"]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_irsa_service_account_typo_suggests_the_admitted_name(tmp_path: Path, fmt: str) -> None:
    result = _irsa(tmp_path, IRSA_TRUST, fmt, "--issuer", ISSUER_BLUE, "-n", "payments", "-a", "payment-api")
    assert result.exit_code == 1
    [finding] = json.loads(result.stdout)["findings"]
    assert finding["code"] == "service-account-mismatch"
    assert "did you mean 'payments-api'?" in finding["hint"]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_irsa_wrong_audience(tmp_path: Path, fmt: str) -> None:
    args = ("--issuer", ISSUER_BLUE, "-n", "payments", "-a", "payments-api", "--audience", "vault")
    result = _irsa(tmp_path, IRSA_TRUST, fmt, *args)
    assert result.exit_code == 1
    [finding] = json.loads(result.stdout)["findings"]
    assert finding["code"] == "audience-mismatch" and "'vault'" in finding["message"]
    assert "eks.amazonaws.com/audience" in finding["hint"]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_irsa_wrong_issuer(tmp_path: Path, fmt: str) -> None:
    result = _irsa(tmp_path, IRSA_TRUST, fmt, "--issuer", ISSUER_GREEN, "-n", "payments", "-a", "payments-api")
    assert result.exit_code == 1
    assert _codes(result) == ["issuer-not-trusted"]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_irsa_wrong_provider_account(tmp_path: Path, fmt: str) -> None:
    other = PROVIDER_BLUE.replace(ACCOUNT, "999988887777")
    args = ("--issuer", ISSUER_BLUE, "-n", "payments", "-a", "payments-api", "--provider-arn", other)
    result = _irsa(tmp_path, IRSA_TRUST, fmt, *args)
    assert result.exit_code == 1
    # With the role's ARN known (get-role output), STS itself refuses a provider of another account.
    assert _codes(result) == ["provider-in-another-account" if fmt == "get-role" else "wrong-provider-arn"]


def test_irsa_provider_of_another_issuer(tmp_path: Path) -> None:
    other = PROVIDER_BLUE.replace(ISSUER_BLUE.removeprefix("https://"), ISSUER_GREEN.removeprefix("https://"))
    args = ("--issuer", ISSUER_BLUE, "-n", "payments", "-a", "payments-api", "--provider-arn", other)
    result = _irsa(tmp_path, IRSA_TRUST, "bare", *args)
    assert result.exit_code == 1
    assert _codes(result)[0] == "provider-issuer-mismatch"


def test_irsa_text_output_names_the_failing_condition(tmp_path: Path) -> None:
    path = _file(tmp_path, bare(IRSA_TRUST))
    result = invoke("explain", "-t", path, "--issuer", ISSUER_BLUE, "-n", "payments", "-a", "payment-api")
    assert result.exit_code == 1
    out = result.stdout
    assert out.startswith("DENIED")
    assert "service-account-mismatch" in out and "did you mean 'payments-api'?" in out
    assert ":sub is 'system:serviceaccount:payments:payment-api'" in out


def test_irsa_condition_keyed_on_another_issuer() -> None:
    doc = json.loads(json.dumps(IRSA_TRUST).replace(":sub", "X").replace(f"{ISSUER_BLUE[8:]}X", "oidc.other/id/1:sub"))
    result = explain_web_identity(doc, issuer=ISSUER_BLUE, namespace="payments", service_account="payments-api")
    assert not result.allowed
    assert [f.code for f in result.findings] == ["condition-issuer-mismatch"]


def test_irsa_explicit_deny_wins() -> None:
    deny = {
        "Effect": "Deny",
        "Principal": {"Federated": PROVIDER_BLUE},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringLike": {f"{ISSUER_BLUE[8:]}:sub": "system:serviceaccount:payments:*"}},
    }
    doc = {**IRSA_TRUST, "Statement": [*IRSA_TRUST["Statement"], deny]}
    result = explain_web_identity(doc, issuer=ISSUER_BLUE, namespace="payments", service_account="payments-api")
    assert not result.allowed and [f.code for f in result.findings] == ["explicit-deny"]


def test_irsa_allowed_with_an_unpinned_sub_warns_with_a_witness() -> None:
    doc = json.loads(json.dumps(IRSA_TRUST))
    del doc["Statement"][0]["Condition"]["StringEquals"][f"{ISSUER_BLUE[8:]}:sub"]
    result = explain_web_identity(doc, issuer=ISSUER_BLUE, namespace="anything", service_account="anyone")
    assert result.allowed
    (warning,) = [w for w in result.warnings if w.code == "sub-unpinned"]
    assert "e.g. 'system:serviceaccount:" in warning.message


def test_irsa_against_a_pod_identity_only_trust() -> None:
    result = explain_web_identity(POD_TRUST, issuer=ISSUER_BLUE, namespace="payments", service_account="payments-api")
    [finding] = result.findings
    assert finding.code == "no-web-identity-statement" and "--pod-identity" in (finding.hint or "")


# Pod Identity -------------------------------------------------------------------------------------


def _pod(tmp_path: Path, doc: dict[str, Any], fmt: str, *args: str) -> Any:
    path = _file(tmp_path, FORMATS[fmt](doc))
    return invoke("explain", "-t", path, "--pod-identity", "--account", ACCOUNT, "--format", "json", *args)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_pod_identity_allowed(tmp_path: Path, fmt: str) -> None:
    result = _pod(tmp_path, BOTH_TRUST, fmt, "--cluster-arn", CLUSTER_BLUE_ARN, "-n", "payments", "-a", "payments-api")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["allowed"] and [r["action"] for r in data["requests"]] == ["sts:AssumeRole", "sts:TagSession"]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_pod_identity_wrong_cluster(tmp_path: Path, fmt: str) -> None:
    other = CLUSTER_BLUE_ARN.replace("prod-blue", "prod-green")
    result = _pod(tmp_path, POD_TRUST, fmt, "--cluster-arn", other, "-n", "payments", "-a", "payments-api")
    assert result.exit_code == 1
    assert _codes(result) == ["wrong-cluster"]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_pod_identity_wrong_namespace(tmp_path: Path, fmt: str) -> None:
    result = _pod(tmp_path, POD_TRUST, fmt, "--cluster-name", "prod-blue", "-n", "payment", "-a", "payments-api")
    assert result.exit_code == 1
    [finding] = json.loads(result.stdout)["findings"]
    assert finding["code"] == "wrong-namespace" and "did you mean 'payments'?" in finding["hint"]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_pod_identity_service_account_typo(tmp_path: Path, fmt: str) -> None:
    result = _pod(tmp_path, POD_TRUST, fmt, "--cluster-name", "prod-blue", "-n", "payments", "-a", "paymets-api")
    assert result.exit_code == 1
    [finding] = json.loads(result.stdout)["findings"]
    assert finding["code"] == "service-account-mismatch" and "did you mean 'payments-api'?" in finding["hint"]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_pod_identity_missing_tag_session(tmp_path: Path, fmt: str) -> None:
    doc = json.loads(json.dumps(POD_TRUST))
    doc["Statement"][0]["Action"] = "sts:AssumeRole"
    result = _pod(tmp_path, doc, fmt, "--cluster-arn", CLUSTER_BLUE_ARN, "-n", "payments", "-a", "payments-api")
    assert result.exit_code == 1
    [finding] = json.loads(result.stdout)["findings"]
    assert finding["code"] == "missing-tag-session" and "sts:TagSession" in finding["hint"]


def test_pod_identity_session_tags_disabled(tmp_path: Path) -> None:
    args = ("--cluster-arn", CLUSTER_BLUE_ARN, "-n", "payments", "-a", "payments-api", "--no-session-tags")
    result = _pod(tmp_path, POD_TRUST, "bare", *args)
    assert result.exit_code == 1
    assert _codes(result) == ["session-tags-disabled"]
    untagged = workload_trust_policy([SA], [], account_id=ACCOUNT, session_tags=False)
    assert _pod(tmp_path, untagged, "bare", *args).exit_code == 0


def test_pod_identity_wrong_account() -> None:
    result = explain_pod_identity(
        POD_TRUST,
        account="999988887777",
        cluster_arn=CLUSTER_BLUE_ARN,
        namespace="payments",
        service_account="payments-api",
    )
    assert [f.code for f in result.findings] == ["wrong-account"]


def test_pod_identity_against_an_irsa_only_trust() -> None:
    result = explain_pod_identity(
        IRSA_TRUST, account=ACCOUNT, cluster_name="prod-blue", namespace="payments", service_account="payments-api"
    )
    [finding] = result.findings
    assert finding.code == "no-pod-identity-statement" and "--issuer" in (finding.hint or "")


# What issue 12 found explain getting wrong ---------------------------------------------------------


def test_the_not_action_trust_is_explained_allowed_without_a_provider_arn() -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Federated": PROVIDER_BLUE}, "NotAction": "sts:AssumeRole"}],
    }
    result = explain_web_identity(trust, issuer=ISSUER_BLUE, namespace="kube-system", service_account="anything")
    assert result.allowed and result.caller["providerArn"] == PROVIDER_BLUE
    assert {"sub-unpinned", "aud-unexpected"} <= {w.code for w in result.warnings}


def test_a_provider_in_another_account_than_the_role_is_denied() -> None:
    trust = workload_trust_policy([SA], [PROVIDER_BLUE])
    role = "arn:aws:iam::999988887777:role/payments-api"
    result = explain_web_identity(
        trust, issuer=ISSUER_BLUE, namespace="payments", service_account="payments-api", role_arn=role
    )
    assert not result.allowed and [f.code for f in result.findings] == ["provider-in-another-account"]
    same = f"arn:aws:iam::{ACCOUNT}:role/payments-api"
    assert explain_web_identity(
        trust, issuer=ISSUER_BLUE, namespace="payments", service_account="payments-api", role_arn=same
    ).allowed


def test_the_region_given_is_the_region_of_the_cluster() -> None:
    # The trust pins prod-blue in eu-west-1; the same name in another region is another cluster.
    result = explain_pod_identity(
        POD_TRUST,
        account=ACCOUNT,
        cluster_name="prod-blue",
        region="us-east-1",
        namespace="payments",
        service_account="payments-api",
    )
    assert result.caller["clusterArn"] == f"arn:aws:eks:us-east-1:{ACCOUNT}:cluster/prod-blue"
    assert not result.allowed and "wrong-cluster" in [f.code for f in result.findings]


def test_a_trust_pinned_on_the_association_arn_is_explained_allowed() -> None:
    association = f"arn:aws:eks:eu-west-1:{ACCOUNT}:podidentityassociation/prod-blue/a-1234567890abcdefg"
    trust = workload_trust_policy([SA], [], pod_identity_cluster_arns=[CLUSTER_BLUE_ARN], account_id=ACCOUNT)
    trust["Statement"][0]["Condition"]["ArnEquals"] = {"aws:SourceArn": association}
    result = explain_pod_identity(
        trust, account=ACCOUNT, cluster_arn=CLUSTER_BLUE_ARN, namespace="payments", service_account="payments-api"
    )
    assert result.allowed
    assert all(r.context["aws:SourceArn"] == association for r, _ in result.evaluations)


def test_pod_identity_cluster_name_resolves_to_the_pinned_arn() -> None:
    result = explain_pod_identity(
        POD_TRUST, account=ACCOUNT, cluster_name="prod-blue", namespace="payments", service_account="payments-api"
    )
    assert result.allowed and result.caller["clusterArn"] == CLUSTER_BLUE_ARN


# Plans as input -----------------------------------------------------------------------------------


def test_plan_input_with_service_and_cluster_keys() -> None:
    plan = GOLDEN / "prod.json"
    result = invoke("explain", "-t", plan, "--service", "payments-api", "--cluster", "green")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ALLOWED")
    result = invoke("explain", "-t", plan, "--service", "payments-api", "--cluster", "green", "-a", "payments-ap")
    assert result.exit_code == 1 and "did you mean 'payments-api'?" in result.stdout
    result = invoke("explain", "-t", plan, "--service", "ledger-exporter", "--cluster", "blue", "--pod-identity")
    assert result.exit_code == 0, result.output
    result = invoke("explain", "-t", plan, "--service", "ledger-exporter", "--cluster", "green", "--pod-identity")
    assert result.exit_code == 1 and "wrong-cluster" in result.stdout


def test_plan_input_with_explicit_caller() -> None:
    plan = GOLDEN / "staging.json"
    args = ("--issuer", "https://oidc.eks.eu-west-1.amazonaws.com/id/5C8E3B1A9D2F4E6B8A0C1D3E5F7A9B2C")
    result = invoke("explain", "-t", plan, "--service", "reports", *args, "-n", "analytics", "-a", "report-generator")
    assert result.exit_code == 0, result.output
    result = invoke("explain", "-t", plan, "--service", "reports", *args, "-n", "analytics", "-a", "reports")
    assert result.exit_code == 1 and "report-generator" in result.stdout


def test_plan_input_needs_a_known_service() -> None:
    result = invoke("explain", "-t", GOLDEN / "prod.json", "--issuer", ISSUER_BLUE, "-n", "a", "-a", "b")
    assert result.exit_code == 2 and "--service" in result.stderr and "payments-api" in result.stderr
    result = invoke("explain", "-t", GOLDEN / "prod.json", "--service", "payment-api")
    assert result.exit_code == 2 and "did you mean 'payments-api'?" in result.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    path = _file(tmp_path, bare(IRSA_TRUST))
    result = invoke("explain", "-t", path, "-n", "payments")
    assert result.exit_code == 2
    assert "--service-account" in result.stderr and "--issuer" in result.stderr
    result = invoke("explain", "-t", path, "--pod-identity", "-n", "payments", "-a", "x")
    assert result.exit_code == 2 and "--account" in result.stderr and "--cluster-name" in result.stderr
    assert invoke("explain", "-t", tmp_path / "missing.json", "--issuer", "x", "-n", "a", "-a", "b").exit_code == 2
    junk = tmp_path / "junk.json"
    junk.write_text('{"hello": 1}')
    result = invoke("explain", "-t", junk, "--issuer", ISSUER_BLUE, "-n", "a", "-a", "b")
    assert result.exit_code == 2 and "get-role" in result.stderr


def test_placeholders_of_an_offline_plan_are_not_reported_as_weaknesses() -> None:
    result = invoke(
        "explain", "-t", GOLDEN / "dev.json", "--service", "payments-api", "--cluster", "main", "-f", "json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["allowed"] and data["warnings"] == []
    assert data["caller"]["issuer"].endswith("<issuer-id:dev-main>")


def test_explain_and_the_guardrails_agree_on_a_sub_that_is_a_policy_variable() -> None:
    from irsa_components.guardrails.rules import web_identity_trust_findings

    host = ISSUER_BLUE.removeprefix("https://")
    trust = workload_trust_policy([SA], [PROVIDER_BLUE])
    trust["Statement"][0]["Condition"]["StringEquals"][f"{host}:sub"] = "${" + host + ":sub}"
    explained = explain_web_identity(trust, issuer=ISSUER_BLUE, namespace="kube-system", service_account="anyone")
    assert explained.allowed  # anyone's token, as IAM would say
    props = {"name": "r", "assumeRolePolicy": json.dumps(trust)}
    found = web_identity_trust_findings("aws:iam/role:Role", "r", props).violations
    assert [f.code for f in found] == ["sub-unpinned"]  # and the guardrails now say so too
