"""irsa-service-account-trusted: annotated ServiceAccounts against their role's trust, with the core evaluator."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel

from irsa_components.guardrails.values import UNKNOWN_OBJECT, UNKNOWN_STRING

from .helpers import (
    ACCOUNT,
    HOST_B,
    PROVIDER_ARN_B,
    ROLE,
    SERVICE_ACCOUNT,
    Res,
    pod_statement,
    policy,
    role_state,
    stack_args,
    trust,
    violations,
    web_statement,
)

POLICY = "irsa-service-account-trusted"
ARN = f"arn:aws:iam::{ACCOUNT}:role/workloads/prod-payments-api"
SUBJECT = "system:serviceaccount:payments:payments-api"


def role(doc: str | None = None, **extra: object) -> Res:
    return Res(ROLE, "payments-api", role_state(doc or trust(web_statement(SUBJECT)), path="/workloads/", **extra))


def sa(namespace: str | None = "payments", name: str = "payments-api", arn: object = ARN, **kw: object) -> Res:
    from .helpers import service_account

    return Res(SERVICE_ACCOUNT, f"{name}-blue", service_account(namespace, name, arn, **kw))  # type: ignore[arg-type]


def found(*resources: Res, config: dict[str, object] | None = None) -> list[tuple[str, str | None]]:
    return violations(policy(POLICY), stack_args(resources, config=config))


def test_level() -> None:
    assert policy(POLICY).enforcement_level == EnforcementLevel.MANDATORY


def test_an_admitted_service_account_passes() -> None:
    assert found(role(), sa()) == []


def test_a_service_account_of_another_namespace_or_name_is_reported_with_the_evaluators_reasons() -> None:
    for account in (sa(namespace="orders"), sa(name="payments-worker")):
        result = found(role(), account)
        assert len(result) == 1
        message, urn = result[0]
        assert urn == account.urn
        assert "[service-account-not-trusted]" in message and "Fix: " in message
        assert "aws:iam/role:Role 'payments-api'" in message
        assert f"{SUBJECT}" in message  # the evaluator's reason quotes what the trust requires


def test_the_namespace_defaults_to_the_providers_then_default() -> None:
    account = sa(namespace=None)
    assert len(found(role(), account)) == 1  # "default" namespace is not admitted
    account.provider_props = {"namespace": "payments"}
    assert found(role(), account) == []


def test_the_audience_annotation_must_match_the_trusts_aud() -> None:
    assert len(found(role(), sa(audience="vault"))) == 1
    assert found(role(trust(web_statement(SUBJECT, ["sts.amazonaws.com", "vault"]))), sa(audience="vault")) == []
    # A webhook configured with another default audience.
    custom = role(trust(web_statement(SUBJECT, "vault")))
    assert len(found(custom, sa())) == 1
    assert found(custom, sa(), config={"defaultAudience": "vault"}) == []


def test_any_of_the_roles_providers_may_admit_it() -> None:
    doc = trust(
        web_statement("system:serviceaccount:x:y"), web_statement(SUBJECT, provider_arn=PROVIDER_ARN_B, host=HOST_B)
    )
    assert found(role(doc), sa()) == []


def test_a_role_without_web_identity_trust_is_reported() -> None:
    result = found(role(trust(pod_statement())), sa())
    assert len(result) == 1 and "[service-account-role-not-web-identity]" in result[0][0]


def test_roles_outside_the_stack_and_unannotated_accounts_are_ignored() -> None:
    assert found(role(), sa(arn=f"arn:aws:iam::{ACCOUNT}:role/other")) == []
    assert found(role(), sa(arn=f"arn:aws:iam::{ACCOUNT}:role/prod-payments-api")) == []  # path differs
    plain = Res(SERVICE_ACCOUNT, "plain", {"metadata": {"name": "x", "namespace": "payments"}})
    assert found(role(), plain) == []


def test_before_the_roles_arn_is_known_it_is_matched_by_path_and_name() -> None:
    unknown_arn = role(arn=UNKNOWN_STRING)
    assert len(found(unknown_arn, sa(namespace="orders"))) == 1


def test_unknown_annotations_are_connected_through_property_dependencies() -> None:
    account = sa(namespace="orders", arn=UNKNOWN_STRING)
    assert found(role(), account) == []  # cannot tell which role
    account.property_dependencies = {"metadata": ["payments-api"]}
    assert len(found(role(), account)) == 1


def test_unknowns_are_undecided_never_violations_nor_silent_passes() -> None:
    def undecided(*resources: Res) -> bool:
        return [m[:12] for m, _ in found(*resources)] == ["[undecided] "]

    assert undecided(role(UNKNOWN_STRING), sa(namespace="orders"))
    partly = {"Version": "2012-10-17", "Statement": [{**web_statement(SUBJECT), "Condition": UNKNOWN_OBJECT}]}
    assert undecided(Res(ROLE, "payments-api", role_state(partly, path="/workloads/")), sa(namespace="orders"))
    assert found(role(), Res(SERVICE_ACCOUNT, "x", {"metadata": UNKNOWN_OBJECT})) == []  # not connected to a role
    assert undecided(role(), sa(audience=UNKNOWN_STRING))


def test_exemptions_by_namespace_and_name() -> None:
    assert found(role(), sa(namespace="orders"), config={"exempt": ["orders/payments-api"]}) == []
