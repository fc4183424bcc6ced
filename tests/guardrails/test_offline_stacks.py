"""This repository's stacks and examples, run under the mocks, pass the whole pack.

The simulation is turned into the arguments the engine would give the pack
(``irsa_components.guardrails.offline``), so these tests also pin down that conversion.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy import EnforcementLevel, ResourceValidationArgs

from irsa_components.guardrails.offline import (
    mandatory,
    resource_validation_args,
    run_policies,
    stack_validation_args,
)
from irsa_components.guardrails.values import SECRET_SIG, SIG_KEY
from irsa_components.offline import Registration, Simulation, load_stack_config, run_program
from irsa_components.stack.program import main

from .helpers import codes

ROOT = Path(__file__).resolve().parents[2]
STACKS = ["dev", "staging", "prod", "local"]
_cache: dict[str, tuple[Simulation, dict[str, str]]] = {}


def simulate(stack: str) -> tuple[Simulation, dict[str, str]]:
    if stack not in _cache:
        config, secrets = load_stack_config(ROOT, stack)
        _cache[stack] = (run_program(main, config=config, stack=stack, secret_keys=secrets), config)
    return _cache[stack]


@pytest.mark.parametrize("stack", STACKS)
def test_each_stack_passes_the_whole_pack(stack: str) -> None:
    simulation, config = simulate(stack)
    violations = run_policies(simulation, config=config)
    assert mandatory(violations) == []
    # Nothing was skipped for touching an unknown the engine's way (the pack reads unknowns itself).
    assert not [v for v in violations if "during preview" in v.message]


def test_prod_reports_exactly_the_long_session_it_chose() -> None:
    simulation, config = simulate("prod")
    violations = run_policies(simulation, config=config)
    assert [(v.policy, v.level) for v in violations] == [("irsa-workload-role-max-session", EnforcementLevel.ADVISORY)]
    assert violations[0].urn and violations[0].urn.endswith("aws:iam/role:Role::payments-api")
    assert "7200 seconds" in violations[0].message
    # The same advisory goes away with the ceiling raised in the pack's config, or the policy disabled.
    assert (
        run_policies(simulation, config=config, policy_config={"irsa-workload-role-max-session": {"maxSeconds": 7200}})
        == []
    )
    assert run_policies(simulation, config=config, policy_config={"irsa-workload-role-max-session": "disabled"}) == []


def _examples() -> list[str]:
    try:
        from examples import EXAMPLES
    except ImportError:
        return []
    return list(EXAMPLES)


@pytest.mark.parametrize("name", _examples() or [pytest.param("none", marks=pytest.mark.skip("no examples yet"))])
def test_each_example_passes_the_whole_pack(name: str) -> None:
    from examples import CONFIG, PROJECTS, program

    simulation = run_program(program(name), config=CONFIG[name], project=PROJECTS[name], stack="dev")
    assert simulation.of_type("aws:iam/role:Role")
    assert mandatory(run_policies(simulation, config=CONFIG[name])) == []


# The conversion ------------------------------------------------------------------------------------


def test_resource_args_are_the_inputs_with_the_engines_proxies_and_default_provider() -> None:
    simulation, config = simulate("prod")
    args = {a.urn: a for a in resource_validation_args(simulation, config=config)}
    role = simulation.named("aws:iam/role:Role", "payments-api")
    arg = args[role.urn]
    assert isinstance(arg, ResourceValidationArgs)
    assert arg.resource_type == "aws:iam/role:Role" and arg.name == "payments-api"
    assert json.loads(arg.props["assumeRolePolicy"]) == json.loads(role.inputs["assumeRolePolicy"])
    assert "arn" not in arg.props  # inputs, not outputs
    assert arg.opts.parent == role.parent
    assert arg.provider is not None and arg.provider.props["region"] == "eu-west-1"
    sa = simulation.named("kubernetes:core/v1:ServiceAccount", "payments-api-blue")
    kube = args[sa.urn].provider
    assert kube is not None and kube.resource_type == "pulumi:providers:kubernetes"
    assert kube.urn == simulation.named("pulumi:providers:kubernetes", "blue").urn


def test_secrets_arrive_unwrapped_like_the_engine_sends_them() -> None:
    secret = {SIG_KEY: SECRET_SIG, "value": "s3cr3t"}
    registration = Registration(
        urn="urn:pulumi:dev::irsa::custom:index:Thing::thing",
        type="custom:index:Thing",
        name="thing",
        parent="",
        custom=True,
        inputs={"token": secret, "nested": {"list": [secret]}},
        state={},
        id="thing-id",
        protect=False,
        retain_on_delete=False,
        provider="",
        providers={},
        aliases=(),
        dependencies=(),
    )
    (args,) = resource_validation_args(Simulation(resources=[registration]))
    assert args.props["token"] == "s3cr3t"
    assert args.props["nested"]["list"][0] == "s3cr3t"
    assert args.provider is not None and args.provider.resource_type == "pulumi:providers:custom"


def test_stack_args_carry_outputs_parents_and_dependencies() -> None:
    simulation, config = simulate("prod")
    resources = {r.urn: r for r in stack_validation_args(simulation, config=config).resources}
    role = simulation.named("aws:iam/role:Role", "payments-api")
    assert resources[role.urn].props["arn"] == "arn:aws:iam::111122223333:role/workloads/prod-payments-api"
    parent = resources[role.urn].parent
    assert parent is not None and parent.resource_type == "irsa-components:index:IrsaRole"
    sa = simulation.named("kubernetes:core/v1:ServiceAccount", "payments-api-blue")
    assert role.urn in [d.urn for d in resources[sa.urn].dependencies]


def test_values_only_the_cloud_knows_keep_their_placeholders_as_symbols() -> None:
    simulation, config = simulate("dev")  # no account or issuer in config
    role = simulation.named("aws:iam/role:Role", "payments-api")
    arg = next(a for a in resource_validation_args(simulation, config=config) if a.urn == role.urn)
    assert "<account-id>" in arg.props["assumeRolePolicy"]
    assert arg.props["name"] == "dev-payments-api"


def _with_role_change(stack: str, **inputs: Any) -> list[tuple[str, str]]:
    simulation, config = simulate(stack)
    role = simulation.named("aws:iam/role:Role", "payments-api")
    return _codes(_replace(simulation, role, inputs={**role.inputs, **inputs}), config)


def test_placeholders_are_not_a_reason_to_skip_admin_checks() -> None:
    # dev has neither aws:allowedAccountIds nor oidcIssuerUrl: its trusts hold placeholders (issue 12).
    admin = ["arn:aws:iam::aws:policy/AdministratorAccess"]
    assert _with_role_change("dev", managedPolicyArns=admin) == [
        ("irsa-workload-role-not-admin", "admin-managed-policy")
    ]
    star = [
        {
            "name": "all",
            "policy": json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
            ),
        }
    ]
    assert _with_role_change("dev", inlinePolicies=star) == [("irsa-workload-role-not-admin", "admin-inline-policy")]


def test_a_trust_with_placeholders_is_judged_too() -> None:
    simulation, _ = simulate("dev")
    role = simulation.named("aws:iam/role:Role", "payments-api")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    trust["Statement"][0]["Condition"] = {}
    assert _with_role_change("dev", assumeRolePolicy=json.dumps(trust)) == [
        ("irsa-web-identity-trust", "aud-unexpected"),
        ("irsa-web-identity-trust", "sub-unpinned"),
    ]


# The stack view connects real resources: break one link at a time --------------------------------


def _replace(simulation: Simulation, registration: Registration, **changes: Any) -> Simulation:
    new = dataclasses.replace(registration, **changes)
    return dataclasses.replace(simulation, resources=[new if r is registration else r for r in simulation.resources])


def _codes(simulation: Simulation, config: dict[str, str]) -> list[tuple[str, str]]:
    found = mandatory(run_policies(simulation, config=config))
    return sorted((v.policy, code) for v in found for code in codes([v.message]))


def test_a_service_account_moved_to_another_namespace_is_caught() -> None:
    simulation, config = simulate("prod")
    sa = simulation.named("kubernetes:core/v1:ServiceAccount", "payments-api-green")
    moved = {**sa.state, "metadata": {**sa.state["metadata"], "namespace": "orders"}}
    broken = _replace(simulation, sa, state=moved, inputs=moved)
    assert _codes(broken, config) == [("irsa-service-account-trusted", "service-account-not-trusted")]


def test_an_association_for_another_service_account_is_caught() -> None:
    simulation, config = simulate("staging")
    association = simulation.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")[0]
    changed = {**association.state, "serviceAccount": "someone-else"}
    broken = _replace(simulation, association, state=changed, inputs=changed)
    assert _codes(broken, config) == [("irsa-pod-identity-association-trusted", "association-not-trusted")]


def test_an_admin_attachment_to_a_stack_role_is_caught() -> None:
    simulation, config = simulate("staging")
    attachment = simulation.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")[0]
    admin = {**attachment.state, "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}
    broken = _replace(simulation, attachment, state=admin, inputs=admin)
    assert _codes(broken, config) == [("irsa-workload-role-not-admin-attached", "admin-attached")]


def test_an_oidc_provider_without_sts_is_caught() -> None:
    simulation, config = simulate("prod")
    provider = simulation.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider")[0]
    changed = {**provider.state, "clientIdLists": ["something-else"]}
    broken = _replace(simulation, provider, state=changed, inputs=changed)
    assert _codes(broken, config) == [("irsa-oidc-provider-client-ids", "client-id-missing")]
