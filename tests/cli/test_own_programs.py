"""irsa plan and irsa diff on users' own programs: Pulumi.yaml main, --program module:function."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from irsa_components.plan.model import plan_from_json

from .helpers import ROOT, invoke

EXAMPLES = ROOT / "examples"
STACK_FILE = {
    "new-cluster": "config:\n  aws:region: eu-west-1\n",
    "existing-cluster": "config:\n  aws:region: eu-west-1\n  irsa-example-existing-cluster:clusterName: prod-blue\n",
    "self-hosted-and-cross-account": textwrap.dedent(
        """\
        config:
          aws:region: eu-west-1
          irsa-example-self-hosted-and-cross-account:issuerBucket: acme-lab-oidc
          irsa-example-self-hosted-and-cross-account:clusterName: prod-blue
          irsa-example-self-hosted-and-cross-account:dataAccountRoleArn: arn:aws:iam::222233334444:role/irsa-deployer
        """
    ),
}


def project(tmp_path: Path, example: str, main: str | None = None) -> Path:
    """A copy of an example as a platform repo of its own, with a dev stack file."""
    repo = tmp_path / example
    shutil.copytree(EXAMPLES / example, repo)
    (repo / "Pulumi.dev.yaml").write_text(STACK_FILE[example])
    if main is not None:
        text = (repo / "Pulumi.yaml").read_text()
        (repo / "Pulumi.yaml").write_text(text + f"main: {main}\n")
    return repo


def plan_json(*args: str | Path) -> dict[str, object]:
    result = invoke("plan", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    parsed: dict[str, object] = json.loads(result.stdout)
    return parsed


@pytest.mark.parametrize("example", sorted(STACK_FILE))
def test_a_projects_main_is_planned(tmp_path: Path, example: str) -> None:
    repo = project(tmp_path, example)
    plan = plan_from_json(json.dumps(plan_json("--project-dir", repo, "--stack", "dev")), "plan")
    assert plan.services and plan.project == f"irsa-example-{example}"
    for key, service in plan.services.items():
        assert service.principals, f"{key} admits nobody"
        assert service.weaknesses == [], (key, service.weaknesses)


def test_who_each_role_admits_is_read_from_its_trust(tmp_path: Path) -> None:
    plan = plan_from_json(
        json.dumps(plan_json("--project-dir", project(tmp_path, "existing-cluster"), "--stack", "dev")), "plan"
    )
    assert sorted(plan.services) == ["ledger-exporter", "reports"]
    reports = plan.services["reports"]
    assert reports.identity == "irsa" and reports.clusters == ["cluster"]
    assert sorted(p.subject for p in reports.principals) == [
        "system:serviceaccount:analytics:report-generator",
        "system:serviceaccount:analytics:report-mailer",
    ]
    assert {(s.namespace, s.name) for s in reports.kubernetes.service_accounts} == {
        ("analytics", "report-generator"),
        ("analytics", "report-mailer"),
    }
    exporter = plan.services["ledger-exporter"]
    assert exporter.identity == "pod-identity"
    assert [
        (a.cluster_name, a.namespace, a.service_account) for a in exporter.kubernetes.pod_identity_associations
    ] == [("prod-blue", "payments", "ledger-exporter")]


def test_main_may_name_a_file_or_a_directory(tmp_path: Path) -> None:
    repo = project(tmp_path, "existing-cluster")
    (repo / "infra").mkdir()
    shutil.move(repo / "__main__.py", repo / "infra" / "__main__.py")
    (repo / "Pulumi.yaml").write_text((repo / "Pulumi.yaml").read_text() + "main: infra/\n")
    assert "reports" in plan_json("-p", repo, "-s", "dev")["services"]  # type: ignore[operator]


def test_program_names_a_function(tmp_path: Path) -> None:
    repo = project(tmp_path, "existing-cluster")
    (repo / "platform_roles.py").write_text(
        textwrap.dedent(
            """\
            from irsa_components import IrsaRole

            ARN = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789"


            def build():
                IrsaRole("billing", {"service_accounts": ["billing/api"], "oidc_provider_arns": [ARN]})
            """
        )
    )
    plan = plan_json("-p", repo, "-s", "dev", "--program", "platform_roles:build")
    assert list(plan["services"]) == ["billing"]  # type: ignore[call-overload]


def test_a_program_that_cannot_be_found_is_a_clean_error(tmp_path: Path) -> None:
    repo = project(tmp_path, "existing-cluster")
    for spec, message in (("nope:build", "cannot import module 'nope'"), ("__main__:missing", "has no function")):
        result = invoke("plan", "-p", repo, "-s", "dev", "--program", spec)
        assert result.exit_code == 2, result.output
        assert message in result.stderr and "Traceback" not in result.output + result.stderr


def test_diff_reads_plans_of_own_programs(tmp_path: Path) -> None:
    repo = project(tmp_path, "existing-cluster")
    base = tmp_path / "base.json"
    head = tmp_path / "head.json"
    assert invoke("plan", "-p", repo, "-s", "dev", "-f", "json", "-o", base).exit_code == 0
    main = repo / "__main__.py"
    main.write_text(main.read_text().replace('"analytics/report-mailer"', '"analytics/report-mailer", "analytics/x"'))
    assert invoke("plan", "-p", repo, "-s", "dev", "-f", "json", "-o", head).exit_code == 0
    result = invoke("diff", base, head, "--fail-on-widening")
    assert result.exit_code == 1, result.output
    assert "system:serviceaccount:analytics:x" in result.stdout


def test_this_repositorys_stacks_still_run_the_stack_program() -> None:
    plan = plan_json("--stack", "dev", "--project-dir", ROOT)
    assert plan["environment"] == "dev"


def test_a_failing_program_says_what_and_where_without_a_traceback(tmp_path: Path) -> None:
    repo = project(tmp_path, "existing-cluster")
    main = repo / "__main__.py"
    main.write_text(main.read_text().replace('config.require("clusterName")', 'config.require("clusterNam")'))
    result = invoke("plan", "-p", repo, "-s", "dev")
    assert result.exit_code == 2
    assert "ConfigMissingError" in result.stderr and f"{main}:" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_a_stack_file_that_is_not_yaml_is_a_clean_error(tmp_path: Path) -> None:
    bad = tmp_path / "Pulumi.bad.yaml"
    bad.write_text("config: [\n")
    result = invoke("plan", "--config-file", bad, "-p", tmp_path)
    assert result.exit_code == 2
    assert "is not valid YAML" in result.stderr and "Traceback" not in result.output + result.stderr
