"""The package schema inferred from the components: snapshot, tokens, descriptions, required inputs."""

from __future__ import annotations

import json
import re
import typing
from typing import Any

import pytest

from irsa_components.components import COMPONENTS
from irsa_components.schema import SNAPSHOT, build_schema, render

Schema = dict[str, Any]


@pytest.fixture(scope="module")
def schema() -> Schema:
    return build_schema()


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def args_type(component: type) -> Any:
    return typing.get_type_hints(component.__init__)["args"]  # type: ignore[misc]


def test_schema_matches_the_committed_snapshot(schema: Schema) -> None:
    committed = json.loads(SNAPSHOT.read_text())
    assert schema == committed, "the schema changed: review it, then run `python -m irsa_components.schema`"
    assert render(schema) == SNAPSHOT.read_text()


def test_one_resource_per_component_with_the_index_token(schema: Schema) -> None:
    assert schema["name"] == "irsa-components"
    assert sorted(schema["resources"]) == sorted(f"irsa-components:index:{c.__name__}" for c in COMPONENTS)
    for resource in schema["resources"].values():
        assert resource["isComponent"] is True and resource["description"]


@pytest.mark.parametrize("component", COMPONENTS, ids=lambda c: c.__name__)
def test_every_input_is_declared_and_described(schema: Schema, component: type) -> None:
    resource = schema["resources"][f"irsa-components:index:{component.__name__}"]
    args = args_type(component)
    declared = {camel(field) for field in args.__required_keys__ | args.__optional_keys__}
    assert set(resource["inputProperties"]) == declared
    undocumented = [name for name, prop in resource["inputProperties"].items() if not prop.get("description")]
    assert not undocumented
    assert all(prop.get("description") for prop in resource["properties"].values())


@pytest.mark.parametrize(
    ("component", "required"),
    [
        ("OidcProvider", []),
        # Service accounts may come from the add-ons (addons) instead.
        ("IrsaRole", []),
        ("PodIdentityAssociation", ["clusterNames"]),
        ("AnnotatedServiceAccount", ["namespace"]),
    ],
)
def test_required_inputs(schema: Schema, component: str, required: list[str]) -> None:
    resource = schema["resources"][f"irsa-components:index:{component}"]
    assert sorted(resource.get("requiredInputs", [])) == sorted(required)
    # The schema follows the TypedDict: Required[...] fields and nothing else.
    args = args_type(next(c for c in COMPONENTS if c.__name__ == component))
    assert sorted(camel(f) for f in args.__required_keys__) == sorted(required)


def test_outputs(schema: Schema) -> None:
    role = schema["resources"]["irsa-components:index:IrsaRole"]
    assert sorted(role["required"]) == ["arn", "name", "role", "trustPolicy"]
    assert role["properties"]["role"]["$ref"] == "/aws/v7/schema.json#/resources/aws:iam%2Frole:Role"
    provider = schema["resources"]["irsa-components:index:OidcProvider"]
    assert "provider" in provider["properties"] and "provider" not in provider["required"]


def test_dependency_versions_are_reduced_to_the_major_version(schema: Schema) -> None:
    assert {d["name"]: d["version"] for d in schema["dependencies"]} == {"aws": "7", "kubernetes": "4"}
    refs = re.findall(r'"\$ref": "(/[^"]+)"', json.dumps(schema))
    assert refs and all(re.match(r"^/(aws|kubernetes)/v\d+/schema\.json#/", ref) for ref in refs)


def test_component_reference_docs_are_generated_from_the_schema(schema: Schema) -> None:
    from irsa_components.schema import DOCS, reference

    assert DOCS.read_text() == reference(schema), "run `python -m irsa_components.schema --docs`"
