"""The package schema of the components, inferred in-process by Pulumi's component analyzer.

Other Pulumi languages consume this schema. ``python -m irsa_components.schema`` rewrites the committed
snapshot (tests/snapshots/schema.json); the tests compare against it, so a change to a component's inputs
or outputs shows up as a reviewable diff.
"""

import gc
import inspect
import json
import re
import sys
from pathlib import Path
from typing import Any

from pulumi.provider.experimental.component import ComponentProvider

import irsa_components

from .components import COMPONENTS

PACKAGE = "irsa-components"
SNAPSHOT = Path(__file__).resolve().parent.parent / "tests" / "snapshots" / "schema.json"

# "/aws/v7.51.1/schema.json#/..." -> "/aws/v7/schema.json#/...": patch and minor upgrades of the
# dependencies do not change the schema's shape, so they should not churn the snapshot.
_REF_VERSION = re.compile(r"^/(?P<package>[^/]+)/v(?P<major>\d+)(\.[^/]*)?/schema\.json#")


def _normalise_ref(ref: str) -> str:
    return _REF_VERSION.sub(lambda m: f"/{m['package']}/v{m['major']}/schema.json#", ref)


def _normalise(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _normalise_ref(v) if k == "$ref" and isinstance(v, str) else _normalise(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_normalise(v) for v in node]
    return node


def _clean_descriptions(node: Any, nested: bool = False) -> Any:
    """Docstrings as the other languages' docs want them.

    ``inspect.cleandoc`` drops Python's indentation. The analyzer also repeats a property's description
    on its ``items`` and ``additionalProperties``, where Pulumi's schema has no description (the engine
    drops them): served without them, the schema is the one every language's tooling sees.
    """
    if isinstance(node, dict):
        return {
            k: inspect.cleandoc(v)
            if k == "description" and isinstance(v, str)
            else _clean_descriptions(v, k in _TYPE_ONLY)
            for k, v in node.items()
            if not (nested and k == "description")
        }
    if isinstance(node, list):
        return [_clean_descriptions(v) for v in node]
    return node


_TYPE_ONLY = frozenset({"items", "additionalProperties"})


def component_provider() -> ComponentProvider:
    """The provider that serves ``COMPONENTS`` (provider/, ``irsa_components.provider``), its schema inferred."""
    # The analyzer reads docstrings with ast.parse; a garbage collection inside it (a finalizer of an
    # abandoned Pulumi coroutine) makes CPython 3.11 fail there, and the analyzer then drops the docstring.
    collecting = gc.isenabled()
    gc.disable()
    try:
        provider = ComponentProvider(list(COMPONENTS), PACKAGE, version=irsa_components.__version__)
    finally:
        if collecting:
            gc.enable()
    assert provider.schema is not None
    provider.schema = json.dumps(_clean_descriptions(json.loads(provider.schema)))
    return provider


def normalise(schema: dict[str, Any]) -> dict[str, Any]:
    """A served schema as the snapshot records it: dependency versions reduced to their major version."""
    out: dict[str, Any] = _normalise(schema)
    for dependency in out.get("dependencies", []):
        dependency["version"] = str(dependency["version"]).split(".")[0]
    # What the engine fills in when it reads a schema: not a difference.
    if out.get("config") == {}:
        del out["config"]
    for resource in out.get("resources", {}).values():
        if resource.get("requiredInputs") == []:
            del resource["requiredInputs"]
    return out


def build_schema() -> dict[str, Any]:
    """The package schema of ``COMPONENTS``, as the snapshot records it (``normalise``)."""
    served = component_provider().schema
    assert served is not None
    return normalise(json.loads(served))


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def _type(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        return str(prop["$ref"]).rsplit("/", 1)[-1].replace("%2F", "/")
    kind = str(prop.get("type", "any"))
    if kind == "array":
        return f"list[{_type(prop.get('items', {}))}]"
    if kind == "object" and "additionalProperties" in prop:
        return f"map[{_type(prop['additionalProperties'])}]"
    return kind


def reference(schema: dict[str, Any]) -> str:
    """Inputs and outputs of every component, as Markdown tables (docs/components.md)."""
    lines = [
        "# Component reference",
        "",
        "Generated from the package schema by `python -m irsa_components.schema --docs`; do not edit by hand.",
        "Names are the schema's (camelCase); in Python the args are the snake_case keys of each `...Args` TypedDict.",
        "",
    ]
    for token, resource in sorted(schema["resources"].items()):
        name = token.rsplit(":", 1)[-1]
        required = set(resource.get("requiredInputs", []))
        lines += [f"## {name}", "", f"`{token}`", "", " ".join(resource["description"].split()), ""]
        lines += ["| input | type | required | description |", "|---|---|---|---|"]
        for key, prop in resource["inputProperties"].items():
            lines.append(
                f"| `{key}` | `{_type(prop)}` | {'yes' if key in required else ''} | {prop.get('description', '')} |"
            )
        lines += ["", "| output | type | description |", "|---|---|---|"]
        for key, prop in resource["properties"].items():
            lines.append(f"| `{key}` | `{_type(prop)}` | {prop.get('description', '')} |")
        lines.append("")
    for token, type_ in sorted(schema.get("types", {}).items()):
        required = set(type_.get("required", []))
        lines += [f"## {token.rsplit(':', 1)[-1]} (type)", "", f"`{token}`", ""]
        lines += [" ".join(type_.get("description", "").split()), ""]
        lines += ["| field | type | required | description |", "|---|---|---|---|"]
        for key, prop in type_.get("properties", {}).items():
            lines.append(
                f"| `{key}` | `{_type(prop)}` | {'yes' if key in required else ''} | {prop.get('description', '')} |"
            )
        lines.append("")
    return "\n".join(lines)


DOCS = Path(__file__).resolve().parent.parent / "docs" / "components.md"


def main(argv: list[str]) -> int:
    schema = build_schema()
    if argv[:1] == ["--docs"]:
        DOCS.write_text(reference(schema))
        print(f"wrote {DOCS}")
        return 0
    target = Path(argv[0]) if argv else SNAPSHOT
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(schema))
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
