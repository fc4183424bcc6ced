"""Inputs nobody declared are refused by every component, nested ones too, with the right hint."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from irsa_components.components import (
    COMPONENTS,
    AddonArgs,
    AnnotatedServiceAccountArgs,
    CrossAccountPodIdentityArgs,
    CrossAccountRoleArgs,
    IrsaRoleArgs,
    OidcProviderArgs,
    PodIdentityAssociationArgs,
    PodIdentityWebhookArgs,
    SelfHostedOidcIssuerArgs,
)
from irsa_components.components._keys import declared
from irsa_components.core.errors import InputError
from irsa_components.schema import build_schema
from tests.self_hosted.keys import UPSTREAM_PUBLIC_KEY

from .support import ACCOUNT, CONFIG, ISSUER, PROVIDER_ARN, Simulate

SOURCE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/source"

# A valid, minimal set of inputs per component (extra keys are added to these).
VALID: dict[str, dict[str, Any]] = {
    "OidcProvider": {"issuer_url": ISSUER},
    "IrsaRole": {"service_accounts": ["payments/api"], "oidc_provider_arns": [PROVIDER_ARN]},
    "PodIdentityAssociation": {"cluster_names": ["blue"], "namespace": "payments", "service_account": "api"},
    "AnnotatedServiceAccount": {"namespace": "payments"},
    "CrossAccountRole": {"source_type": "irsa", "source_role_arn": SOURCE_ROLE},
    "CrossAccountPodIdentity": {"cluster_names": ["blue"], "namespace": "payments", "service_account": "api"},
    "SelfHostedOidcIssuer": {"bucket_name": "issuer-bucket", "public_keys": [UPSTREAM_PUBLIC_KEY]},
    "PodIdentityWebhook": {},
}
ARGS: dict[str, Any] = {
    "OidcProvider": OidcProviderArgs,
    "IrsaRole": IrsaRoleArgs,
    "PodIdentityAssociation": PodIdentityAssociationArgs,
    "AnnotatedServiceAccount": AnnotatedServiceAccountArgs,
    "CrossAccountRole": CrossAccountRoleArgs,
    "CrossAccountPodIdentity": CrossAccountPodIdentityArgs,
    "SelfHostedOidcIssuer": SelfHostedOidcIssuerArgs,
    "PodIdentityWebhook": PodIdentityWebhookArgs,
}
BY_NAME = {c.__name__: c for c in COMPONENTS}


def refused(simulate: Simulate, component: str, args: Any) -> InputError:
    """Build ``component`` with ``args``: it must raise InputError before registering anything of its own."""
    caught: list[InputError] = []

    def program() -> None:
        given = dict(args) if isinstance(args, dict) else args
        if component == "CrossAccountPodIdentity":
            given["target_provider"] = aws.Provider("target", region="eu-west-1")
        try:
            BY_NAME[component](component.lower(), given)
        except InputError as exc:
            caught.append(exc)

    sim = simulate(program, config=CONFIG)
    assert caught, f"{component} accepted {sorted(args)}"
    assert [r.type for r in sim.resources if not r.type.startswith("pulumi:providers:")] == []
    return caught[0]


def test_every_component_is_covered() -> None:
    assert sorted(VALID) == sorted(BY_NAME) == sorted(ARGS)


@pytest.mark.parametrize("component", sorted(VALID))
def test_the_valid_minimum_is_accepted(simulate: Simulate, component: str) -> None:
    def program() -> None:
        given = dict(VALID[component])
        if component == "CrossAccountPodIdentity":
            given["target_provider"] = aws.Provider("target", region="eu-west-1")
        BY_NAME[component](component.lower(), given)

    assert simulate(program, config=CONFIG).resources


@pytest.mark.parametrize("component", sorted(VALID))
def test_known_inputs_are_the_typed_dicts_and_the_schemas(component: str) -> None:
    """One source of truth: the args TypedDict; the package schema declares exactly those inputs."""
    args_type = ARGS[component]
    assert declared(args_type) == set(args_type.__annotations__)
    schema = build_schema()
    resource = schema["resources"][f"irsa-components:index:{component}"]
    camel = {"".join(w.capitalize() if i else w for i, w in enumerate(k.split("_"))) for k in declared(args_type)}
    assert set(resource.get("inputProperties", {})) == camel


def _typo(key: str) -> str:
    """Two neighbouring letters swapped in the middle of the key (a typing slip)."""
    i = len(key) // 2
    return key[: i - 1] + key[i] + key[i - 1] + key[i + 1 :] if key[i] != key[i - 1] else key + "s"


@pytest.mark.parametrize("component", sorted(VALID))
def test_a_misspelt_input_is_refused_with_the_input_it_stands_for(simulate: Simulate, component: str) -> None:
    for key in sorted(declared(ARGS[component])):
        typo = _typo(key)
        error = refused(simulate, component, {**VALID[component], typo: None if key in VALID[component] else "x"})
        (problem,) = [p for p in error.problems if p.field == typo]
        assert problem.subject == f"{component} {component.lower()!r}"
        assert problem.message.startswith(f"is not an input of {component}"), problem.message
        assert f"did you mean {key!r}?" in problem.message, (key, problem.message)


def test_a_misspelt_required_input_is_reported_as_the_typo_not_as_missing(simulate: Simulate) -> None:
    args = {"cluster_name": ["blue"], "namespace": "payments", "service_account": "api"}
    error = refused(simulate, "PodIdentityAssociation", args)
    assert [(p.field, p.value) for p in error.problems] == [("cluster_name", ["blue"])]
    assert "cluster_names" in error.problems[0].message
    error = refused(simulate, "IrsaRole", {"service_account": ["payments/api"], "oidc_provider_arns": [PROVIDER_ARN]})
    assert [p.field for p in error.problems] == ["service_account"]
    assert "did you mean 'service_accounts'?" in error.problems[0].message
    error = refused(simulate, "IrsaRole", {"service_accounts": ["payments/api"], "oidc_provider_arn": PROVIDER_ARN})
    assert [p.field for p in error.problems] == ["oidc_provider_arn"]  # not also "the role trusts nobody"


def test_a_singular_policy_statement_never_makes_a_role_without_permissions(simulate: Simulate) -> None:
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    error = refused(
        simulate, "PodIdentityAssociation", {**VALID["PodIdentityAssociation"], "policy_statement": [statement]}
    )
    (problem,) = error.problems
    assert problem.field == "policy_statement" and "did you mean 'policy_statements'?" in problem.message


def test_a_misspelt_permissions_boundary_never_deploys_a_role_without_it(simulate: Simulate) -> None:
    boundary = f"arn:aws:iam::{ACCOUNT}:policy/boundary"
    error = refused(simulate, "IrsaRole", {**VALID["IrsaRole"], "permission_boundary": boundary})
    assert [(p.field, p.value) for p in error.problems] == [("permission_boundary", boundary)]
    assert "did you mean 'permissions_boundary'?" in error.problems[0].message


@pytest.mark.parametrize(
    ("key", "value", "hint"),
    [
        ("attach_external_dns_policy", True, "addons: [{'name': 'external-dns'}]"),
        ("attach_load_balancer_controller_policy", True, "addons: [{'name': 'aws-load-balancer-controller'}]"),
        ("attach_karpenter_controller_policy", True, "addons: [{'name': 'karpenter'}]"),
        ("attach_ebs_csi_policy", True, "addons: [{'name': 'ebs-csi'}]"),
        ("external_dns_hosted_zone_arns", ["arn:aws:route53:::hostedzone/Z1"], "'name': 'external-dns', 'scope'"),
        ("role_policy_arns", {"s3": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}, "here: managed_policy_arns"),
        ("oidc_providers", {"main": {"provider_arn": PROVIDER_ARN}}, "here: oidc_provider_arns"),
        ("role_permissions_boundary_arn", f"arn:aws:iam::{ACCOUNT}:policy/b", "here: permissions_boundary"),
        ("role_path", "/irsa/", "here: path"),
        ("namespace_service_accounts", ["payments:api"], "here: service_accounts"),
    ],
)
def test_terraform_module_inputs_name_their_equivalent(simulate: Simulate, key: str, value: Any, hint: str) -> None:
    error = refused(simulate, "IrsaRole", {**VALID["IrsaRole"], key: value})
    (problem,) = error.problems
    assert problem.field == key and problem.value == value
    assert "Terraform-module" in problem.message and hint in problem.message, problem.message


def test_terraform_hints_only_where_the_component_has_the_equivalent(simulate: Simulate) -> None:
    error = refused(simulate, "OidcProvider", {**VALID["OidcProvider"], "attach_external_dns_policy": True})
    assert "Terraform" not in error.problems[0].message  # OidcProvider has no add-ons
    error = refused(simulate, "OidcProvider", {"client_id_list": ["sts.amazonaws.com"], "url": ISSUER})
    assert {p.field: p.message.split("here: ")[-1] for p in error.problems} == {
        "client_id_list": "client_ids)",
        "url": "issuer_url: the issuer URL with https://)",
    }


def test_the_terraform_add_on_names_are_built_in_add_ons() -> None:
    from irsa_components.addons import CATALOGUE
    from irsa_components.components._keys import _ADDON_STEMS

    assert set(_ADDON_STEMS.values()) <= set(CATALOGUE)


def test_unknown_keys_are_reported_with_every_other_problem(simulate: Simulate) -> None:
    error = refused(simulate, "IrsaRole", {**VALID["IrsaRole"], "role_nmae": "x", "path": "nope"})
    assert sorted(p.field for p in error.problems) == ["path", "role_nmae"]


def test_unknown_add_on_settings_and_scope_inputs_are_refused(simulate: Simulate) -> None:
    addon: AddonArgs = {"name": "external-dns", "scope": {"hosted_zone_arn": ["x"]}}
    typo: dict[str, Any] = {"name": "cluster-autoscaler", "scop": {"cluster_name": "blue"}}
    error = refused(simulate, "IrsaRole", {**VALID["IrsaRole"], "addons": [addon, typo]})
    messages = {p.field: p.message for p in error.problems}
    assert "did you mean 'hosted_zone_arns'?" in messages["addons[0].scope.hosted_zone_arn"]
    assert messages["addons[1].scop"] == "is not an add-on setting (did you mean 'scope'?)"


def test_statement_elements_are_judged_as_iam_does(simulate: Simulate) -> None:
    statement = {"Effect": "Allow", "Actions": ["s3:GetObject"], "Resource": "*", "Principal": "*"}
    error = refused(simulate, "IrsaRole", {**VALID["IrsaRole"], "policy_statements": [statement]})
    messages = {p.field: p.message for p in error.problems}
    assert messages == {
        "policy_statements[0].Actions": "is not a permission statement field (did you mean 'Action'?)",
        "policy_statements[0].Principal": "is not a permission statement field (Principal belongs in trust policies)",
    }


def test_args_that_are_not_a_mapping_are_refused(simulate: Simulate) -> None:
    error = refused(simulate, "IrsaRole", ["payments/api"])
    assert [p.field for p in error.problems] == ["(args)"]


def test_nested_component_inputs_are_checked_too(simulate: Simulate) -> None:
    """CrossAccountPodIdentity forwards the target role's inputs to CrossAccountRole: all of them known."""

    def program() -> None:
        target = aws.Provider("target", region="eu-west-1")
        BY_NAME["CrossAccountPodIdentity"](
            "orders",
            {**VALID["CrossAccountPodIdentity"], "target_provider": target, "role_name": "orders", "tags": {"a": "b"}},
            opts=pulumi.ResourceOptions(),
        )

    assert simulate(program, config=CONFIG).of_type("irsa-components:index:CrossAccountRole")
