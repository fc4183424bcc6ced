"""The stand-in's package schema says what its specs say: the same types, properties, shapes and required ones.

The specs are what Check, Diff and Invoke run on; the schema is generated from them. Each check here
reads the schema back (its JSON, as the CLI gets it) and compares it with the specs. No engine.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.fixtures.aws_provider import config
from tests.fixtures.aws_provider.invokes import INVOKES
from tests.fixtures.aws_provider.package_schema import config_token, schema_json
from tests.fixtures.aws_provider.resources import HANDLERS
from tests.fixtures.aws_provider.schema import PULUMI_AWS_VERSION, Prop

from .schema_shapes import of_prop, of_schema

SCHEMA: dict[str, Any] = json.loads(schema_json())
TYPES: dict[str, Any] = SCHEMA["types"]


def _shapes(properties: dict[str, Any]) -> dict[str, Any]:
    return {k: of_schema(p, TYPES) for k, p in properties.items()}


def _served(props: dict[str, Prop]) -> dict[str, Prop]:
    return {k: p for k, p in props.items() if not p.unsupported}


def test_the_package_is_pulumi_aws_at_the_pinned_version() -> None:
    assert (SCHEMA["name"], SCHEMA["version"]) == ("aws", PULUMI_AWS_VERSION)
    assert SCHEMA["meta"]["moduleFormat"] == "(.*)(?:/[^/]*)"  # aws:iam/role:Role is module iam
    assert SCHEMA["language"]["nodejs"]["packageName"] == "@pulumi/aws"
    assert SCHEMA["language"]["python"]["packageName"] == "pulumi_aws"
    assert SCHEMA["language"]["go"]["importBasePath"] == "github.com/pulumi/pulumi-aws/sdk/v7/go/aws"


def test_it_declares_exactly_the_resource_types_and_functions_the_stand_in_serves() -> None:
    assert set(SCHEMA["resources"]) == set(HANDLERS)
    assert set(SCHEMA["functions"]) == set(INVOKES)


@pytest.mark.parametrize("token", sorted(HANDLERS))
def test_resource_inputs_are_the_served_spec_inputs(token: str) -> None:
    spec, resource = HANDLERS[token].spec, SCHEMA["resources"][token]
    served = _served(dict(spec.props))
    assert _shapes(resource["inputProperties"]) == {k: of_prop(p) for k, p in served.items()}
    assert set(resource.get("requiredInputs", [])) == {k for k, p in served.items() if p.required}


@pytest.mark.parametrize("token", sorted(HANDLERS))
def test_resource_outputs_are_the_served_inputs_and_the_computed_outputs(token: str) -> None:
    spec, resource = HANDLERS[token].spec, SCHEMA["resources"][token]
    served = _served(dict(spec.props))
    outputs = {**served, **spec.outputs}
    assert _shapes(resource["properties"]) == {k: of_prop(p) for k, p in outputs.items()}
    # Always set: computed outputs, and inputs that are required or computed (as the Terraform bridge has it).
    always = set(spec.outputs) | {k for k, p in served.items() if p.required or p.computed}
    assert set(resource["required"]) == always
    assert _shapes(resource["stateInputs"]["properties"]) == _shapes(resource["properties"])
    assert [a["type"] for a in resource.get("aliases", [])] == list(spec.aliases)


@pytest.mark.parametrize("token", sorted(HANDLERS))
def test_what_the_stand_in_refuses_is_left_out_and_said(token: str) -> None:
    spec, resource = HANDLERS[token].spec, SCHEMA["resources"][token]
    refused = sorted(k for k, p in spec.props.items() if p.unsupported)
    assert not set(refused) & set(resource["inputProperties"])
    for key in refused:
        assert key in resource["description"], f"{token}: the description does not name the unserved {key}"


def test_a_role_name_may_be_given_as_a_role() -> None:
    for token in ("aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment"):
        resource = SCHEMA["resources"][token]
        assert resource["inputProperties"]["role"]["oneOf"] == [
            {"type": "string"},
            {"type": "string", "$ref": "#/types/aws:iam/role:Role"},
        ]
        assert resource["properties"]["role"] == {"type": "string"}  # the output is the name


@pytest.mark.parametrize("token", sorted(INVOKES))
def test_function_arguments_and_results_are_the_specs(token: str) -> None:
    function, declared = INVOKES[token], SCHEMA["functions"][token]
    assert _shapes(declared["inputs"]["properties"]) == {k: of_prop(p) for k, p in function.args.items()}
    assert set(declared["inputs"].get("required", [])) == {k for k, p in function.args.items() if p.required}
    assert _shapes(declared["outputs"]["properties"]) == {k: of_prop(p) for k, p in function.result.items()}
    assert set(declared["outputs"]["required"]) == set(function.result)


def test_the_provider_takes_the_served_configuration_and_nothing_it_refuses() -> None:
    served = _served(config.CONFIG)
    provider = SCHEMA["provider"]
    assert _shapes(provider["inputProperties"]) == {k: of_prop(p) for k, p in served.items()}
    assert set(provider["properties"]) == {k for k, p in served.items() if p.kind == "string"}
    for key in config.UNSUPPORTED_KEYS:
        assert key in provider["description"]
    secrets = {k for k, p in provider["inputProperties"].items() if p.get("secret")}
    assert secrets == {"accessKey", "secretKey", "token"}


def test_configuration_variables_are_the_served_keys_with_their_config_types() -> None:
    variables = SCHEMA["config"]["variables"]
    served = _served(config.CONFIG)
    assert set(variables) == set(served)
    for key, prop in served.items():
        shape = of_schema(variables[key], TYPES)
        expected = of_prop(prop)
        if prop.kind == "object" or (prop.item is not None and prop.item.kind == "object"):
            # The same fields, under the bridge's config type token (aws:config/endpoints:endpoints).
            inner, inner_expected = (shape[1], expected[1]) if prop.kind == "list" else (shape, expected)
            assert inner[1] == config_token(key)
            assert inner[2] == inner_expected[2]
        else:
            assert shape == expected


def _refs(value: Any) -> set[str]:
    if isinstance(value, dict):
        found = {value["$ref"]} if isinstance(value.get("$ref"), str) else set()
        return found.union(*(_refs(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_refs(v) for v in value))
    return set()


def test_every_declared_type_is_used_and_every_reference_is_declared() -> None:
    referenced = {ref.removeprefix("#/types/") for ref in _refs(SCHEMA)}
    or_types = {"aws:iam/role:Role"}  # token types: strings the SDKs also take as a Role (see iam.py)
    assert referenced - or_types == set(TYPES)
