"""irsa diff: every change classified widening / narrowing / neutral, on crafted before/after plans."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from irsa_components.plan.diff import Change, PlanDiff, diff_plans
from irsa_components.plan.model import Plan

from .helpers import GOLDEN, HOST_BLUE, base_irsa, edited, invoke, plan_of, write_plan

BASE = base_irsa()


def _with(**service_changes: Any) -> dict[str, Any]:
    irsa = copy.deepcopy(BASE)
    irsa["services"]["payments-api"].update(service_changes)
    return irsa


@pytest.fixture(scope="module")
def base_plan() -> Plan:
    return plan_of(BASE)


def _kinds(diff: PlanDiff, classification: str) -> set[str]:
    return {c.kind for c in diff.changes if c.classification == classification}


def _only(diff: PlanDiff, kind: str) -> list[Change]:
    return [c for c in diff.changes if c.kind == kind]


def _blue_statement(data: dict[str, Any]) -> dict[str, Any]:
    trust = data["services"]["payments-api"]["role"]["trustPolicy"]
    [statement] = [s for s in trust["Statement"] if HOST_BLUE in json.dumps(s)]
    return statement  # type: ignore[no-any-return]


# Widening -----------------------------------------------------------------------------------------


def test_no_change_is_an_empty_diff(base_plan: Plan) -> None:
    diff = diff_plans(base_plan, plan_of(BASE))
    assert diff.changes == []


def test_new_namespace_widens_and_narrows(base_plan: Plan) -> None:
    diff = diff_plans(base_plan, plan_of(_with(namespace="payments-v2")))
    added = [c for c in _only(diff, "principal-added") if c.classification == "widening"]
    assert {c.summary.split("`")[1] for c in added} == {"system:serviceaccount:payments-v2:payments-api"}
    assert len(added) == 2  # blue and green
    removed = _only(diff, "principal-removed")
    assert {c.classification for c in removed} == {"narrowing"}
    assert diff.widening


def test_new_cluster_widens(base_plan: Plan) -> None:
    irsa = copy.deepcopy(BASE)
    irsa["clusters"]["red"] = {"name": "prod-red", "oidcIssuerUrl": "https://oidc.eks.eu-west-1.amazonaws.com/id/RED1"}
    diff = diff_plans(base_plan, plan_of(irsa))
    [added] = _only(diff, "principal-added")
    assert added.classification == "widening" and "cluster `red`" in added.summary
    assert _only(diff, "cluster-added")[0].classification == "neutral"


def test_wildcard_introduced_widens(base_plan: Plan) -> None:
    def widen(data: dict[str, Any]) -> None:
        condition = _blue_statement(data)["Condition"]
        condition["StringLike"] = {f"{HOST_BLUE}:sub": "system:serviceaccount:payments:*"}
        del condition["StringEquals"][f"{HOST_BLUE}:sub"]

    diff = diff_plans(base_plan, edited(base_plan, widen))
    [wild] = _only(diff, "trust-wildcard-introduced")
    assert wild.classification == "widening" and "system:serviceaccount:payments:*" in wild.summary
    # The exact subject is still admitted, through the pattern: not reported as a loss.
    assert {c.classification for c in _only(diff, "principal-removed")} == {"neutral"}


def test_sub_dropped_widens(base_plan: Plan) -> None:
    def drop(data: dict[str, Any]) -> None:
        del _blue_statement(data)["Condition"]["StringEquals"][f"{HOST_BLUE}:sub"]

    diff = diff_plans(base_plan, edited(base_plan, drop))
    [dropped] = _only(diff, "trust-sub-dropped")
    assert dropped.classification == "widening" and "cluster `blue`" in dropped.summary


def test_aud_dropped_widens(base_plan: Plan) -> None:
    def drop(data: dict[str, Any]) -> None:
        del _blue_statement(data)["Condition"]["StringEquals"][f"{HOST_BLUE}:aud"]

    diff = diff_plans(base_plan, edited(base_plan, drop))
    [dropped] = _only(diff, "trust-aud-dropped")
    assert dropped.classification == "widening"
    assert (dropped.before, dropped.after) == ("sts.amazonaws.com", "any audience")


def test_aud_changed_widens(base_plan: Plan) -> None:
    diff = diff_plans(base_plan, plan_of(_with(audience="vault")))
    changed = _only(diff, "trust-aud-changed")
    assert len(changed) == 2 and {c.classification for c in changed} == {"widening"}
    assert changed[0].after == "vault"
    assert {c.kind for c in diff.changes if c.kind == "annotation-changed"}  # eks.amazonaws.com/audience


def test_new_action_widens(base_plan: Plan) -> None:
    statements = [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::payments/*"}
    ]
    diff = diff_plans(base_plan, plan_of(_with(policyStatements=statements)))
    [added] = diff.changes
    assert (added.classification, added.kind) == ("widening", "permissions-widened")
    # The witness: a request the new permissions allow and the old ones do not.
    assert added.witness is not None and added.witness.startswith("s3:PutObject on 'arn:aws:s3:::payments/")


def test_new_resource_and_managed_policy_widen(base_plan: Plan) -> None:
    statements = [
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::payments/*", "arn:aws:s3:::other/*"]}
    ]
    diff = diff_plans(
        base_plan,
        plan_of(_with(policyStatements=statements, managedPolicyArns=["arn:aws:iam::aws:policy/ReadOnlyAccess"])),
    )
    assert _kinds(diff, "widening") == {"permissions-widened", "managed-policy-attached"}
    [widened] = _only(diff, "permissions-widened")
    assert widened.witness is not None and "arn:aws:s3:::other/" in widened.witness


def test_action_covered_by_wildcard_is_neutral() -> None:
    wide = [{"Effect": "Allow", "Action": ["s3:*"], "Resource": "arn:aws:s3:::payments/*"}]
    both = [*wide, {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::payments/*"}]
    diff = diff_plans(plan_of(_with(policyStatements=wide)), plan_of(_with(policyStatements=both)))
    [change] = diff.changes
    assert (change.classification, change.kind) == ("neutral", "permissions-rewritten")
    assert "exactly the same" in change.summary


def test_new_service_widens_and_fails_the_gate(base_plan: Plan, tmp_path: Path) -> None:
    irsa = copy.deepcopy(BASE)
    irsa["services"]["ledger"] = {
        "namespace": "ledger",
        "identity": "pod-identity",
        "clusters": ["blue"],
        "policyStatements": [{"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "arn:aws:s3:::ledger/*"}],
    }
    head = plan_of(irsa)
    diff = diff_plans(base_plan, head)
    [added] = _only(diff, "service-added")
    assert added.classification == "widening" and added.service == "ledger"
    assert "system:serviceaccount:ledger:ledger" in added.summary and "Pod Identity" in added.summary
    [perms] = _only(diff, "service-permissions")
    assert "s3:PutObject" in perms.summary
    base_file, head_file = write_plan(tmp_path / "base.json", base_plan), write_plan(tmp_path / "head.json", head)
    result = invoke("diff", base_file, head_file, "--fail-on-widening")
    assert result.exit_code == 1
    assert invoke("diff", base_file, head_file).exit_code == 0


def test_identity_both_adds_pod_identity_principals(base_plan: Plan) -> None:
    diff = diff_plans(base_plan, plan_of(_with(identity="both")))
    added = [c for c in _only(diff, "principal-added") if "Pod Identity" in c.summary]
    assert len(added) == 2 and {c.classification for c in added} == {"widening"}
    assert _only(diff, "identity-changed")[0].classification == "neutral"


def test_session_tags_off_weakens_the_trust() -> None:
    base = plan_of(_with(identity="pod-identity"))
    head = plan_of(_with(identity="pod-identity", disableSessionTags=True))
    diff = diff_plans(base, head)
    assert "trust-weakened" in _kinds(diff, "widening")
    assert "trust-pinning-changed" in _kinds(diff, "widening")
    assert any(c.kind == "association-changed" and c.classification == "neutral" for c in diff.changes)


def test_boundary_removed_widens() -> None:
    boundary = "arn:aws:iam::111122223333:policy/boundary"
    diff = diff_plans(plan_of(_with(permissionsBoundary=boundary)), plan_of(BASE))
    [change] = _only(diff, "boundary-removed")
    assert change.classification == "widening"


# Narrowing ----------------------------------------------------------------------------------------


def test_removed_cluster_of_a_service_narrows(base_plan: Plan) -> None:
    diff = diff_plans(base_plan, plan_of(_with(clusters=["blue"])))
    [removed] = _only(diff, "principal-removed")
    assert removed.classification == "narrowing" and "cluster `green`" in removed.summary
    assert not diff.widening
    assert _only(diff, "service-account-deleted")[0].classification == "neutral"


def test_removed_service_account_from_trust_narrows(base_plan: Plan) -> None:
    def two(data: dict[str, Any]) -> None:
        equals = _blue_statement(data)["Condition"]["StringEquals"]
        equals[f"{HOST_BLUE}:sub"] = [
            "system:serviceaccount:payments:payments-api",
            "system:serviceaccount:payments:cron",
        ]

    before = edited(base_plan, two)
    diff = diff_plans(before, base_plan)
    [narrowed] = _only(diff, "trust-narrowed")
    assert narrowed.witness is not None and "'system:serviceaccount:payments:cron'" in narrowed.witness
    [removed] = _only(diff, "principal-removed")
    assert removed.classification == "narrowing" and "system:serviceaccount:payments:cron" in removed.summary
    assert not diff.widening


def test_removed_action_narrows(base_plan: Plan) -> None:
    statements = [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::payments/*"}
    ]
    diff = diff_plans(plan_of(_with(policyStatements=statements)), base_plan)
    [removed] = diff.changes
    assert (removed.classification, removed.kind) == ("narrowing", "permissions-narrowed")
    assert removed.witness is not None and removed.witness.startswith("s3:PutObject")


def test_removed_service_narrows(base_plan: Plan) -> None:
    irsa = copy.deepcopy(BASE)
    irsa["services"]["extra"] = {"namespace": "extra"}
    diff = diff_plans(plan_of(irsa), base_plan)
    [removed] = diff.changes
    assert (removed.classification, removed.kind, removed.service) == ("narrowing", "service-removed", "extra")


# Neutral and replacements -------------------------------------------------------------------------


def test_tag_change_is_neutral(base_plan: Plan, tmp_path: Path) -> None:
    head = plan_of(_with(tags={"team": "billing"}))
    diff = diff_plans(base_plan, head)
    [change] = diff.changes
    assert (change.classification, change.kind) == ("neutral", "tags-changed")
    result = invoke(
        "diff", write_plan(tmp_path / "a.json", base_plan), write_plan(tmp_path / "b.json", head), "--fail-on-widening"
    )
    assert result.exit_code == 0, result.output
    assert "0 widening" in result.stdout


@pytest.mark.parametrize(("change", "what"), [({"roleName": "payments-api-v2"}, "name"), ({}, "path")])
def test_role_name_or_path_change_is_a_replacement(base_plan: Plan, change: dict[str, Any], what: str) -> None:
    irsa = _with(**change)
    if what == "path":
        irsa["rolePath"] = "/workloads/"
    diff = diff_plans(base_plan, plan_of(irsa))
    [replaced] = _only(diff, "role-replaced")
    assert replaced.replacement and replaced.classification == "neutral"
    assert f"role {what} changes" in replaced.summary
    assert replaced.before != replaced.after
    assert diff.replacements == [replaced]
    assert not diff.widening  # who and what are unchanged; annotations follow the new ARN
    assert any(c.kind == "annotation-changed" for c in diff.changes)


def test_rename_with_renamed_from_keeps_the_role(base_plan: Plan) -> None:
    irsa = copy.deepcopy(BASE)
    irsa["services"] = {"payments": {**irsa["services"]["payments-api"], "renamedFrom": ["payments-api"]}}
    irsa["services"]["payments"]["serviceAccount"] = "payments-api"
    diff = diff_plans(base_plan, plan_of(irsa))
    assert [c.kind for c in diff.changes if c.kind.startswith("service-")] == ["service-renamed"]
    assert not diff.replacements and not diff.widening


# Output -------------------------------------------------------------------------------------------


def test_markdown_puts_widening_first_with_a_summary(base_plan: Plan, tmp_path: Path) -> None:
    irsa = _with(roleName="payments-api-v2", clusters=["blue"])
    irsa["services"]["new-svc"] = {"namespace": "new"}
    base_file = write_plan(tmp_path / "base.json", base_plan)
    head_file = write_plan(tmp_path / "head.json", plan_of(irsa))
    result = invoke("diff", base_file, head_file)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("### ") and "widening" in lines[0] and "1 role replacement" in lines[0]
    assert any("Role replacements" in line for line in lines)
    rows = [line for line in lines if line.startswith("| ") and not line.startswith("| Class")]
    classes = [row.split("|")[1].strip() for row in rows]
    order = {"**widening**": 0, "narrowing": 1, "neutral": 2}
    assert classes == sorted(classes, key=order.__getitem__)
    assert classes[0] == "**widening**"


def test_json_format(base_plan: Plan, tmp_path: Path) -> None:
    head = plan_of(_with(clusters=["blue"]))
    result = invoke(
        "diff", write_plan(tmp_path / "a.json", base_plan), write_plan(tmp_path / "b.json", head), "--format", "json"
    )
    data = json.loads(result.stdout)
    assert data["formatVersion"] == 1
    assert data["summary"] == {"narrowing": 2, "neutral": 1, "replacements": 0, "retained": 0, "widening": 0}
    assert {c["kind"] for c in data["changes"] if c["classification"] == "narrowing"} == {
        "trust-narrowed",
        "principal-removed",
    }
    assert all("witness" in c for c in data["changes"])


def test_committed_goldens_diff_cleanly() -> None:
    result = invoke("diff", GOLDEN / "staging.json", GOLDEN / "prod.json", "--fail-on-widening")
    assert result.exit_code == 1  # prod grants more than staging: new clusters, new service
    assert "ledger-exporter" in result.stdout


def test_bad_plan_files_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"Version": "2012-10-17", "Statement": []}')
    result = invoke("diff", bad, tmp_path / "missing.json")
    assert result.exit_code == 2
    assert "irsa-plan" in result.stderr and "missing.json" in result.stderr


def test_statements_of_stack_created_policies_are_compared_like_inline_ones() -> None:
    data = json.loads((GOLDEN / "prod.json").read_text())
    head = Plan.model_validate(data)
    policy = data["services"]["external-dns"]["permissions"]["customerManaged"][0]
    policy["statements"] = [s for s in policy["statements"] if "route53:ChangeResourceRecordSets" not in s["actions"]]
    diff = diff_plans(Plan.model_validate(data), head)
    widened = [c for c in diff.changes if c.classification == "widening"]
    assert [c.kind for c in widened] == ["permissions-widened"]
    assert widened[0].witness is not None and widened[0].witness.startswith("route53:ChangeResourceRecordSets")
    assert not [c for c in diff.changes if c.kind == "managed-policy-attached"]


# What issue 12 found irsa diff --fail-on-widening letting through ------------------------------------


def _trust_edit(base_plan: Plan, edit: Any) -> PlanDiff:
    return diff_plans(base_plan, edited(base_plan, edit))


def test_a_cluster_key_pointed_at_another_cluster_widens(base_plan: Plan) -> None:
    other = "oidc.eks.eu-west-1.amazonaws.com/id/0000000000000000000000000000AAAA"

    def retarget(data: dict[str, Any]) -> None:
        data["clusters"]["blue"]["name"] = "prod-purple"
        text = json.dumps(data["services"]).replace(HOST_BLUE, other)
        data["services"] = json.loads(text)

    diff = _trust_edit(base_plan, retarget)
    [widened] = _only(diff, "trust-widened")
    assert widened.classification == "widening" and widened.witness is not None
    assert other in widened.witness and "payments-api" in widened.witness
    assert diff.widening


@pytest.mark.parametrize("field", ["actions", "resources"])
def test_a_question_mark_becoming_a_star_widens(field: str) -> None:
    old = {"Effect": "Allow", "Action": ["s3:GetObjec?"], "Resource": "arn:aws:s3:::data-?/*"}
    new = dict(old)
    if field == "actions":
        new["Action"] = ["s3:GetObjec*"]
    else:
        new["Resource"] = "arn:aws:s3:::data-*/*"
    diff = diff_plans(plan_of(_with(policyStatements=[old])), plan_of(_with(policyStatements=[new])))
    [widened] = _only(diff, "permissions-widened")
    assert widened.witness is not None


def test_dropping_the_condition_of_a_statement_for_another_principal_widens(base_plan: Plan) -> None:
    chain = {
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
        "Action": "sts:AssumeRole",
        "Condition": {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::444455556666:role/deployer"}},
    }

    def add(data: dict[str, Any]) -> None:
        data["services"]["payments-api"]["role"]["trustPolicy"]["Statement"].append(copy.deepcopy(chain))

    def add_open(data: dict[str, Any]) -> None:
        add(data)
        del data["services"]["payments-api"]["role"]["trustPolicy"]["Statement"][-1]["Condition"]

    before = edited(base_plan, add)
    diff = diff_plans(before, edited(base_plan, add_open))
    [widened] = _only(diff, "trust-widened")
    assert widened.witness is not None and "444455556666" in widened.witness and "deployer" not in widened.witness


def test_removing_a_deny_from_a_trust_widens(base_plan: Plan) -> None:
    deny = {
        "Effect": "Deny",
        "Principal": {
            "Federated": _blue_statement(json.loads(base_plan.model_dump_json(by_alias=True)))["Principal"]["Federated"]
        },
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringNotEquals": {f"{HOST_BLUE}:aud": "sts.amazonaws.com"}},
    }

    def loosen(data: dict[str, Any]) -> None:
        statement = _blue_statement(data)
        del statement["Condition"]["StringEquals"][f"{HOST_BLUE}:aud"]

    def loosen_with_deny(data: dict[str, Any]) -> None:
        loosen(data)
        data["services"]["payments-api"]["role"]["trustPolicy"]["Statement"].append(copy.deepcopy(deny))

    guarded, bare = edited(base_plan, loosen_with_deny), edited(base_plan, loosen)
    assert not diff_plans(base_plan, guarded).widening  # the Deny keeps aud pinned: the same access
    [widened] = _only(diff_plans(guarded, bare), "trust-widened")
    assert widened.witness is not None and "aud=" in widened.witness and "sts.amazonaws.com'" not in widened.witness


def test_a_longer_session_widens_credential_lifetime(base_plan: Plan) -> None:
    diff = diff_plans(base_plan, plan_of(_with(maxSessionDuration=43200)))
    [change] = _only(diff, "max-session-duration-changed")
    assert change.classification == "widening" and "credential lifetime widened" in change.summary
    assert (change.before, change.after) == ("3600", "43200")
    assert (
        _only(diff_plans(plan_of(_with(maxSessionDuration=43200)), base_plan), "max-session-duration-changed")[
            0
        ].classification
        == "narrowing"
    )


def test_roles_are_matched_by_identity_not_by_service_key(base_plan: Plan) -> None:
    def swap(data: dict[str, Any]) -> None:
        data["services"]["payments"] = data["services"].pop("payments-api")

    diff = diff_plans(base_plan, edited(base_plan, swap))
    assert [c.kind for c in diff.changes] == ["service-renamed"]  # the same IAM role: nothing else changed


def test_admin_like_grants_are_listed_first(base_plan: Plan) -> None:
    admin = [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]
    irsa = _with(policyStatements=admin, maxSessionDuration=7200)
    diff = diff_plans(base_plan, plan_of(irsa))
    assert diff.changes[0].kind == "admin-granted" and diff.changes[0].classification == "widening"
    assert "actions of services it never names" in diff.changes[0].summary
