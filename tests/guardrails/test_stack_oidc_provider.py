"""irsa-oidc-provider-client-ids: the provider must accept the audiences of IRSA tokens."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel

from irsa_components.guardrails.values import UNKNOWN_ARRAY

from .helpers import (
    HOST,
    OIDC_PROVIDER,
    PROVIDER_ARN,
    ROLE,
    Res,
    codes,
    policy,
    role_state,
    stack_args,
    trust,
    violations,
)
from .helpers import web_statement as statement

POLICY = "irsa-oidc-provider-client-ids"


def provider(client_ids: object, url: str = f"https://{HOST}", arn: str | None = PROVIDER_ARN) -> Res:
    props: dict[str, object] = {"url": url, "clientIdLists": client_ids}
    if arn:
        props["arn"] = arn
    return Res(OIDC_PROVIDER, "blue", props)


def found(*resources: Res, config: dict[str, object] | None = None) -> list[tuple[str, str | None]]:
    return violations(policy(POLICY), stack_args(resources, config=config))


def test_level() -> None:
    assert policy(POLICY).enforcement_level == EnforcementLevel.MANDATORY


def test_sts_is_required() -> None:
    assert found(provider(["sts.amazonaws.com"])) == []
    result = found(provider(["something-else"]))
    assert len(result) == 1
    message, urn = result[0]
    assert urn == provider([]).urn and "[client-id-missing]" in message and "'sts.amazonaws.com'" in message


def test_audiences_the_roles_pin_must_be_client_ids() -> None:
    role = Res(ROLE, "app", role_state(trust(statement(audience="vault"))))
    result = found(provider(["sts.amazonaws.com"]), role)
    assert len(result) == 1 and "[audience-not-client-id]" in result[0][0] and "'vault'" in result[0][0]
    assert found(provider(["sts.amazonaws.com", "vault"]), role) == []


def test_providers_that_are_not_for_irsa_are_left_alone() -> None:
    github = provider(["my-client"], url="https://token.actions.githubusercontent.com", arn=None)
    assert found(github) == []


def test_a_non_eks_issuer_trusted_for_service_accounts_is_an_irsa_provider() -> None:
    host = "oidc.example.com/cluster"
    self_hosted = provider(["my-client"], url=f"https://{host}", arn=None)
    role = Res(
        ROLE,
        "app",
        role_state(trust(statement(provider_arn=f"arn:aws:iam::111122223333:oidc-provider/{host}", host=host))),
    )
    assert codes(found(self_hosted, role)) == ["client-id-missing"]


def test_config_and_unknowns() -> None:
    assert found(provider(["sts.amazonaws.com"]), config={"requiredClientIds": ["sts.amazonaws.com", "x"]})
    assert found(provider(UNKNOWN_ARRAY)) == []
    assert found(provider(["x"]), config={"exempt": ["blue"]}) == []
