"""The stand-in's names are pulumi-aws's: checked against the installed pulumi_aws SDK (7.51.1). No engine."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path
from typing import Any

import pulumi._types as pulumi_types
import pulumi_aws
import pytest

from tests.fixtures.aws_provider import config
from tests.fixtures.aws_provider.invokes import INVOKES
from tests.fixtures.aws_provider.resources import HANDLERS
from tests.fixtures.aws_provider.schema import PULUMI_AWS_VERSION, Prop


def _registered_classes() -> dict[str, tuple[str, str]]:
    """token -> (module, class), from the SDK's own registration of its resource modules."""
    import json

    from tests.core.test_core_is_pure import parse  # ast.parse with the collector off (see there)

    tree = parse(Path(pulumi_aws.__file__))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "register":
            for kw in node.keywords:
                if kw.arg == "resource_modules":
                    modules = json.loads(ast.literal_eval(kw.value))
                    return {tok: (m["fqn"], cls) for m in modules for tok, cls in m["classes"].items()}
    raise AssertionError("pulumi_aws registers no resource modules")


CLASSES = _registered_classes()


def _sdk(token: str) -> Any:
    module, name = CLASSES[token]
    return getattr(importlib.import_module(module), name)


def _inputs(cls: Any) -> set[str]:
    wire = pulumi_types._py_to_pulumi_names_from_py_properties(cls)
    params = inspect.signature(cls._internal_init).parameters
    return {wire[p] for p in params if p not in ("__self__", "resource_name", "opts", "__props__")}


def _properties(cls: Any) -> set[str]:
    return set(pulumi_types._py_to_pulumi_names_from_py_properties(cls).values())


def test_the_pinned_sdk_is_the_version_the_stand_in_reports() -> None:
    from importlib.metadata import version

    assert version("pulumi_aws") == PULUMI_AWS_VERSION


@pytest.mark.parametrize("token", sorted(HANDLERS))
def test_every_sdk_input_is_served_or_refused_and_no_other_name_is_accepted(token: str) -> None:
    assert token in CLASSES, f"{token} is not a pulumi-aws resource type"
    assert set(HANDLERS[token].spec.props) == _inputs(_sdk(token))


@pytest.mark.parametrize("token", sorted(HANDLERS))
def test_outputs_are_the_sdk_outputs(token: str) -> None:
    cls = _sdk(token)
    computed_only = _properties(cls) - _inputs(cls)
    # Every output the SDK declares is returned; an output that is also an input (etag) may be listed too.
    assert computed_only <= set(HANDLERS[token].spec.outputs) <= _properties(cls)


@pytest.mark.parametrize("token", sorted(HANDLERS))
def test_every_replacement_rule_says_where_it_comes_from(token: str) -> None:
    spec = HANDLERS[token].spec
    force_new = [k for k, p in spec.props.items() if p.force_new and k != "region"]
    assert spec.replace_source.startswith("hashicorp/terraform-provider-aws ")
    for key in force_new:
        snake = pulumi_types._py_to_pulumi_names_from_py_properties(_sdk(token))
        tf_name = next(py for py, wire in snake.items() if wire == key)
        assert tf_name in spec.replace_source, f"{token}: {key} forces replacement but its source does not say so"


NESTED = {
    ("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "rule"): pulumi_aws.s3.BucketOwnershipControlsRuleArgs,
    (
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "rules",
    ): pulumi_aws.s3.BucketServerSideEncryptionConfigurationRuleArgs,
    (
        "aws:s3/bucketVersioning:BucketVersioning",
        "versioningConfiguration",
    ): pulumi_aws.s3.BucketVersioningVersioningConfigurationArgs,
}


@pytest.mark.parametrize(("token", "prop"), sorted(NESTED))
def test_nested_objects_have_the_sdk_field_names(token: str, prop: str) -> None:
    spec: Prop = HANDLERS[token].spec.props[prop]
    fields = spec.item.fields if spec.item is not None else spec.fields
    assert set(fields) == set(pulumi_types.input_type_py_to_pulumi_names(NESTED[token, prop]).values())


def test_the_nested_encryption_default_has_the_sdk_field_names() -> None:
    token = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    rule = HANDLERS[token].spec.props["rules"].item
    assert rule is not None
    by_default = pulumi_aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs
    names = set(pulumi_types.input_type_py_to_pulumi_names(by_default).values())
    assert set(rule.fields["applyServerSideEncryptionByDefault"].fields) == names


@pytest.mark.parametrize("token", sorted(INVOKES))
def test_invoke_arguments_are_the_sdk_arguments(token: str) -> None:
    module_name, _, function = token.split(":")[1].partition("/")
    module = pulumi_aws if module_name == "index" else importlib.import_module(f"pulumi_aws.{module_name}")
    snake = "".join("_" + c.lower() if c.isupper() else c for c in function)
    params = inspect.signature(getattr(module, snake)).parameters
    wire = {"".join(w.capitalize() if i else w for i, w in enumerate(p.split("_"))) for p in params if p != "opts"}
    assert set(INVOKES[token].args) == wire


def test_config_keys_are_the_provider_inputs() -> None:
    known = config.STRING_KEYS | config.BOOL_KEYS | config.STRUCTURED_KEYS | config.UNSUPPORTED_KEYS
    assert known == set(pulumi_types.input_type_py_to_pulumi_names(pulumi_aws.ProviderArgs).values())
    assert not (config.STRING_KEYS | config.BOOL_KEYS | config.STRUCTURED_KEYS) & config.UNSUPPORTED_KEYS


def test_endpoint_and_assume_role_keys_are_the_sdk_ones() -> None:
    endpoints = set(pulumi_types.input_type_py_to_pulumi_names(pulumi_aws.ProviderEndpointArgs).values())
    assert set(config.ENDPOINT_SERVICES) <= endpoints
    assume = set(pulumi_types.input_type_py_to_pulumi_names(pulumi_aws.ProviderAssumeRoleArgs).values())
    assert config.ASSUME_ROLE_KEYS == assume
