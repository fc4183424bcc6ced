"""Tests of a user's own program with irsa_components.testing: the example of docs/testing.md."""

from __future__ import annotations

import json

import pulumi
import pytest

from irsa_components import InputError, IrsaRole, testing

from . import platform_roles

ACCOUNT = "111122223333"
CONFIG = {
    "aws:region": "eu-west-1",
    "aws:allowedAccountIds": json.dumps([ACCOUNT]),  # else the account shows as <account-id>
    "project:clusterName": "prod-blue",
}


def test_the_roles_admit_exactly_their_service_accounts() -> None:
    sim = testing.run(platform_roles.build, config=CONFIG)
    reports = sim.named("aws:iam/role:Role", "reports")
    assert testing.admits_irsa(reports, "analytics", "report-generator")
    assert not testing.admits_irsa(reports, "analytics", "someone-else")
    exporter = sim.named("aws:iam/role:Role", "ledger-exporter")
    assert testing.admits_pod_identity(
        exporter, "payments", "ledger-exporter", cluster_name="prod-blue", account_id=ACCOUNT, region="eu-west-1"
    )
    assert not testing.admits_pod_identity(
        exporter, "payments", "ledger-exporter", cluster_name="prod-green", account_id=ACCOUNT, region="eu-west-1"
    )


def test_outputs_are_what_aws_would_compute() -> None:
    sim = testing.run(platform_roles.build, config=CONFIG)
    assert sim.outputs["reportsRoleArn"] == f"arn:aws:iam::{ACCOUNT}:role/reports"
    (sa,) = sim.of_type("kubernetes:core/v1:ServiceAccount")
    assert testing.role_arn_annotation(sa) == f"arn:aws:iam::{ACCOUNT}:role/reports"
    provider = sim.named("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "cluster")
    assert provider.inputs["url"] == testing.placeholder_issuer_url("eu-west-1", "prod-blue")
    # Lookups are made once, not per component.
    assert sorted(i.token for i in sim.invokes) == [
        "aws:eks/getCluster:getCluster",
        "aws:index/getCallerIdentity:getCallerIdentity",
        "aws:index/getPartition:getPartition",
        "aws:index/getRegion:getRegion",
    ]


def test_without_an_account_the_placeholder_shows() -> None:
    sim = testing.run(platform_roles.build, config={**CONFIG, "aws:allowedAccountIds": "[]"})
    exporter = sim.named("aws:iam/role:Role", "ledger-exporter")
    trust = testing.trust_of(exporter)
    assert trust["Statement"][0]["Condition"]["StringEquals"]["aws:SourceAccount"] == testing.PLACEHOLDER_ACCOUNT


def test_a_mistake_is_an_input_error_before_anything_is_registered() -> None:
    def program() -> None:
        IrsaRole("x", {"service_accounts": ["a/b"], "oidc_provider_arn": "arn:aws:iam::1:oidc-provider/x"})  # type: ignore[typeddict-unknown-key]

    with pytest.raises(InputError) as raised:
        testing.run(program, config=CONFIG)
    assert "oidc_provider_arns" in str(raised.value)
    assert raised.value.simulation.resources == []  # type: ignore[attr-defined]


@pulumi.runtime.test
def test_in_pulumis_own_style() -> pulumi.Output[None]:
    testing.set_mocks(config=CONFIG)
    platform = platform_roles.build()

    def check(values: list[str]) -> None:
        arn, trust = values
        assert arn == f"arn:aws:iam::{ACCOUNT}:role/reports"
        statement = json.loads(trust)["Statement"][0]
        assert statement["Principal"]["Federated"].startswith(
            f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.eks.eu-west-1"
        )

    return pulumi.Output.all(platform.reports.arn, platform.reports.trust_policy).apply(check)


def test_naive_mocks_get_a_clear_error_instead_of_arn_none() -> None:
    from pulumi.runtime import mocks

    from irsa_components import PodIdentityAssociation

    class Naive(mocks.Mocks):
        def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str, dict[str, object]]:
            return f"{args.name}-id", dict(args.inputs)

        def call(self, args: mocks.MockCallArgs) -> tuple[dict[str, object], list[tuple[str, str]]]:
            return {}, []

    mocks.set_mocks(Naive(), preview=False)

    @pulumi.runtime.test
    def build() -> pulumi.Output[str]:
        pods = PodIdentityAssociation("x", {"cluster_names": ["c1"], "namespace": "a", "service_account": "b"})
        return pods.role_arn

    with pytest.raises(Exception, match=r"the AWS lookup \w+ answered no \w+ .*irsa_components\.testing"):
        build()
