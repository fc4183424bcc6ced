"""Shapes to compare the stand-in's specs, its package schema and the pulumi_aws SDK by: one form for all three.

A shape is ``("string",)``, ``("bool",)``, ``("int",)``, ``("map",)`` (of strings), ``("list", item)`` or
``("object", token, {field: (shape, required)})``.
"""

from __future__ import annotations

from typing import Any

from tests.fixtures.aws_provider.schema import Prop

Shape = tuple[Any, ...]
_PRIMITIVE = {"string": ("string",), "boolean": ("bool",), "integer": ("int",)}


def of_prop(prop: Prop) -> Shape:
    """The shape of a spec (what Check accepts), without what the stand-in refuses."""
    if prop.kind == "list":
        assert prop.item is not None
        return ("list", of_prop(prop.item))
    if prop.kind == "object":
        fields = {k: (of_prop(f), f.required) for k, f in prop.fields.items() if not f.unsupported}
        return ("object", prop.token, fields)
    return (prop.kind,)


def of_schema(spec: dict[str, Any], types: dict[str, Any]) -> Shape:
    """The shape of a property of the package schema (its type, its object type's declaration)."""
    if "$ref" in spec:
        token = spec["$ref"].removeprefix("#/types/")
        declared = types[token]
        required = set(declared.get("required", []))
        fields = {k: (of_schema(p, types), k in required) for k, p in declared["properties"].items()}
        return ("object", token, fields)
    if spec["type"] == "array":
        return ("list", of_schema(spec["items"], types))
    if spec["type"] == "object":
        assert spec["additionalProperties"] == {"type": "string"}, spec
        return ("map",)
    return _PRIMITIVE[spec["type"]]
