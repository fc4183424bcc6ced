"""irsa plan: golden JSON plans of the committed stacks, formats, placeholders, config errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from irsa_components.plan.access import ClusterIndex, principals_from_trust
from irsa_components.plan.model import plan_from_json, plan_to_json
from irsa_components.plan.run import StackSource, plan_stack

from .helpers import (
    ACCOUNT,
    GOLDEN,
    HOST_BLUE,
    ROOT,
    STACKS,
    base_irsa,
    invoke,
    plan_of,
)

UPDATE = os.environ.get("IRSA_UPDATE_GOLDEN") == "1"


@pytest.mark.parametrize("stack", STACKS)
def test_golden_plan(stack: str) -> None:
    """`irsa plan --format json` of each committed stack matches tests/golden/<stack>.json.

    Regenerate after an intended program change: IRSA_UPDATE_GOLDEN=1 pytest tests/cli -k golden
    """
    text = plan_to_json(plan_stack(StackSource(ROOT, stack=stack)))
    golden = GOLDEN / f"{stack}.json"
    if UPDATE or not golden.exists():
        golden.write_text(text)
        if not UPDATE:
            pytest.fail(f"{golden} did not exist; written now: review and commit it")
    assert json.loads(text) == json.loads(golden.read_text()), (
        f"plan of {stack} differs from {golden}; if intended, run IRSA_UPDATE_GOLDEN=1 pytest tests/cli -k golden"
    )


def test_golden_files_are_what_the_cli_writes(tmp_path: Path) -> None:
    out = tmp_path / "dev.json"
    result = invoke("plan", "--stack", "dev", "--project-dir", ROOT, "--format", "json", "--output", out)
    assert result.exit_code == 0, result.output
    assert out.read_text() == (GOLDEN / "dev.json").read_text()
    data = json.loads(out.read_text())
    assert data["formatVersion"] == 1 and data["kind"] == "irsa-plan"
    assert list(data) == sorted(data)


def test_plan_reads_back() -> None:
    for stack in STACKS:
        text = (GOLDEN / f"{stack}.json").read_text()
        assert plan_to_json(plan_from_json(text)) == text


def test_dev_access_map_from_trust_documents() -> None:
    plan = plan_from_json((GOLDEN / "dev.json").read_text())
    payments = plan.services["payments-api"]
    assert payments.identity == "irsa"
    assert payments.role.name == "dev-payments-api"
    assert payments.role.arn == "arn:aws:iam::<account-id>:role/dev-payments-api"
    [p] = payments.principals
    assert (p.mechanism, p.cluster, p.cluster_known) == ("irsa", "main", True)
    assert p.subject == "system:serviceaccount:payments:payments-api"
    assert p.audiences == ["sts.amazonaws.com"]
    assert payments.weaknesses == []  # placeholders do not make the provider ARN look malformed
    assert payments.permissions.managed_policies == ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]
    [statement] = payments.permissions.inline
    assert statement.actions == ["secretsmanager:GetSecretValue"] and statement.sid == "ReadPaymentSecrets"
    [sa] = payments.kubernetes.service_accounts
    assert (sa.cluster, sa.namespace, sa.name, sa.role_arn) == ("main", "payments", "payments-api", payments.role.arn)
    orders = plan.services["orders-worker"]
    [p] = orders.principals
    assert (p.mechanism, p.cluster, p.subject) == ("pod-identity", "main", "system:serviceaccount:orders:worker")
    [association] = orders.kubernetes.pod_identity_associations
    assert (association.cluster, association.cluster_name, association.session_tags) == ("main", "dev-main", True)
    assert orders.kubernetes.service_accounts[0].role_arn is None
    values = {ph.value for ph in plan.placeholders}
    assert values == {"<account-id>", "<issuer-id:dev-main>"}


def test_prod_blue_green_and_migration_window() -> None:
    plan = plan_from_json((GOLDEN / "prod.json").read_text())
    assert plan.account == "111122223333" and plan.placeholders == []
    assert plan.clusters["blue"].oidc_provider == "created"
    assert plan.clusters["green"].oidc_provider == "adopted"
    orders = plan.services["orders-worker"]
    admitted = {(p.mechanism, p.cluster) for p in orders.principals}
    assert admitted == {("irsa", "blue"), ("irsa", "green"), ("pod-identity", "blue"), ("pod-identity", "green")}
    ledger = plan.services["ledger-exporter"]
    assert {(p.mechanism, p.cluster) for p in ledger.principals} == {("pod-identity", "blue")}
    assert plan.services["payments-api"].role.path == "/workloads/"
    annotations = plan.services["payments-api"].kubernetes.service_accounts[0].annotations
    assert annotations["eks.amazonaws.com/sts-regional-endpoints"] == "true"


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_human_formats_show_the_access_map_and_placeholder_footnote(fmt: str) -> None:
    result = invoke("plan", "--stack", "dev", "--project-dir", ROOT, "--format", fmt)
    assert result.exit_code == 0, result.output
    out = result.stdout
    for expected in (
        "dev-payments-api",
        "system:serviceaccount:payments:payments-api",
        "system:serviceaccount:orders:worker",
        "secretsmanager:GetSecretValue",
        "AmazonS3ReadOnlyAccess",
        "eks.amazonaws.com/role-arn",
        "<issuer-id:dev-main>",
        "Placeholders",
        "aws:allowedAccountIds",
    ):
        assert expected in out, expected


def test_markdown_escapes_placeholders_outside_code() -> None:
    result = invoke("plan", "--stack", "dev", "--project-dir", ROOT, "--format", "markdown")
    assert result.exit_code == 0
    for line in result.stdout.splitlines():
        outside_code = "".join(part for i, part in enumerate(line.split("`")) if i % 2 == 0)
        assert "<account-id>" not in outside_code, line


def test_config_file_option(tmp_path: Path) -> None:
    config = tmp_path / "Pulumi.crafted.yaml"
    config.write_text(
        "config:\n"
        "  aws:region: eu-west-1\n"
        "  irsa:environment: crafted\n"
        "  irsa:clusters:\n"
        "    main: {name: crafted-main}\n"
        "  irsa:services:\n"
        "    api: {namespace: web}\n"
    )
    result = invoke("plan", "--config-file", config, "--project-dir", ROOT, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["stack"] == "crafted"
    assert data["services"]["api"]["role"]["name"] == "crafted-api"
    assert data["services"]["api"]["principals"][0]["subject"] == "system:serviceaccount:web:api"


def test_config_errors_list_every_problem_and_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "Pulumi.bad.yaml"
    config.write_text(
        "config:\n"
        "  irsa:environment: Bad_Env\n"
        "  irsa:clusters:\n"
        "    main: {name: x}\n"
        "  irsa:services:\n"
        "    api: {namespace: Not-Valid, clusters: [mian], identiy: irsa}\n"
    )
    result = invoke("plan", "--config-file", config, "--project-dir", ROOT)
    assert result.exit_code == 2
    err = result.stderr
    assert "irsa:environment" in err
    assert "namespace" in err and "Not-Valid" in err
    assert "mian" in err and "did you mean 'main'" in err
    assert "identiy" in err


def test_missing_stack_and_usage_errors_exit_2(tmp_path: Path) -> None:
    result = invoke("plan", "--stack", "nope", "--project-dir", ROOT)
    assert result.exit_code == 2 and "does not exist" in result.stderr
    result = invoke("plan", "--project-dir", ROOT)
    assert result.exit_code == 2 and "exactly one" in result.stderr
    result = invoke("plan", "--stack", "dev", "--project-dir", tmp_path)
    assert result.exit_code == 2 and "Pulumi.yaml" in result.stderr


def test_output_file_for_table(tmp_path: Path) -> None:
    out = tmp_path / "plan.txt"
    result = invoke("plan", "--stack", "prod", "--project-dir", ROOT, "--output", out)
    assert result.exit_code == 0 and result.stdout == ""
    text = out.read_text()
    assert "prod-ledger-exporter" in text and "\x1b[" not in text


def test_placeholders_disappear_when_config_gives_the_values() -> None:
    plan = plan_of(base_irsa())
    assert plan.placeholders == []
    assert plan.account == ACCOUNT
    assert plan.clusters["blue"].issuer_host == HOST_BLUE


def test_unknown_issuer_is_shown_as_written() -> None:
    irsa = base_irsa()
    plan = plan_of(irsa)
    unknown = "oidc.eks.us-east-1.amazonaws.com/id/FFFF"
    trust = plan.services["payments-api"].role.trust_policy
    [blue] = [s for s in trust["Statement"] if HOST_BLUE in json.dumps(s)]
    statement = json.loads(json.dumps(blue).replace(HOST_BLUE, unknown))
    principals, _ = principals_from_trust({"Statement": [statement]}, ClusterIndex.of(plan.clusters))
    [p] = principals
    assert (p.cluster, p.cluster_known) == (unknown, False)


def test_pod_identity_without_session_tags_is_bound_by_associations() -> None:
    irsa = base_irsa(worker={"namespace": "jobs", "identity": "pod-identity", "disableSessionTags": True})
    plan = plan_of(irsa)
    service = plan.services["worker"]
    assert {(p.cluster, p.subject, p.pinned_by) for p in service.principals} == {
        ("blue", "system:serviceaccount:jobs:worker", "association"),
        ("green", "system:serviceaccount:jobs:worker", "association"),
    }
    assert {w.code for w in service.weaknesses} == {"cluster-unpinned", "namespace-unpinned"}
    assert all(w.level == "advisory" and w.witness for w in service.weaknesses)
    assert all(not a.session_tags for a in service.kubernetes.pod_identity_associations)


def test_associations_of_an_addons_other_service_accounts_belong_to_the_service() -> None:
    import json as _json

    from irsa_components.plan.run import plan_from_config

    issuer = "https://oidc.eks.eu-west-1.amazonaws.com/id/AAAABBBBCCCCDDDDEEEEFFFF00001111"
    scope = {"fileSystemArns": ["arn:aws:elasticfilesystem:eu-west-1:111122223333:file-system/fs-0123456789abcdef0"]}
    config = {
        "aws:region": "eu-west-1",
        "aws:allowedAccountIds": '["111122223333"]',
        "irsa:environment": "prod",
        "irsa:clusters": _json.dumps({"blue": {"name": "prod-blue", "oidcIssuerUrl": issuer}}),
        "irsa:services": _json.dumps({"efs": {"addon": "efs-csi", "identity": "pod-identity", "addonScope": scope}}),
    }
    service = plan_from_config(config, stack="prod").services["efs"]
    associations = {(a.namespace, a.service_account) for a in service.kubernetes.pod_identity_associations}
    assert associations == {("kube-system", "efs-csi-controller-sa"), ("kube-system", "efs-csi-node-sa")}


def test_admin_like_permissions_are_plan_weaknesses() -> None:
    # Not "Trust weaknesses: none" and nothing else for a role that may do everything (issue 12).
    from irsa_components.cli.render_plan import plan_markdown

    irsa = base_irsa()
    irsa["services"]["payments-api"]["policyStatements"] = [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
    plan = plan_of(irsa)
    weaknesses = [w for w in plan.services["payments-api"].weaknesses if w.about == "permissions"]
    assert {w.code for w in weaknesses} == {"all-actions", "iam-wildcard"}
    assert all(w.witness and w.level == "mandatory" for w in weaknesses)
    text = plan_markdown(plan)
    section = text.split("### `payments-api`", 1)[1]
    assert "**Permission weaknesses**: \n" in section and "`all-actions`" in section
