"""The stand-in's types are pulumi-aws's: each spec's shape, nested type token and required-ness, against pulumi_aws.

``test_specs_match_the_sdk.py`` checks the names; this checks what the package schema adds to them
(``package_schema.py`` generates it from the specs): the type of every property, field, function
argument and result and configuration key, which of them are always set, and the tokens of the
nested object types, read off the SDK's classes (``pulumi_aws.s3.outputs.BucketOwnershipControlsRule``
is ``aws:s3/BucketOwnershipControlsRule:BucketOwnershipControlsRule``). No engine.
"""

from __future__ import annotations

import collections.abc
import importlib
import inspect
import re
import typing
from typing import Any

import pulumi
import pulumi._types as pulumi_types
import pulumi_aws
import pytest

from tests.fixtures.aws_provider import config
from tests.fixtures.aws_provider.invokes import INVOKES
from tests.fixtures.aws_provider.package_schema import config_token, output_required, provider_outputs, served
from tests.fixtures.aws_provider.resources import HANDLERS
from tests.fixtures.aws_provider.schema import Prop

from .test_specs_match_the_sdk import _sdk

# pulumi-aws 7.51.1 declares BucketObjectv2's key optional; the stand-in requires it (it fills in no key).
STRICTER = {("aws:s3/bucketObjectv2:BucketObjectv2", "key")}
_KINDS = {str: "string", bool: "bool", int: "int"}


def _unwrap(hint: Any) -> tuple[Any, bool]:
    """The type inside Output[...]/Input[...] unions, and whether it is Optional."""
    optional = False
    while True:
        origin = typing.get_origin(hint)
        if origin is pulumi.Output:
            hint = typing.get_args(hint)[0]
        elif origin is typing.Union:
            members = []
            for member in typing.get_args(hint):
                if member is type(None):
                    optional = True
                elif typing.get_origin(member) not in (collections.abc.Awaitable, pulumi.Output):
                    members.append(member)
            assert len(members) == 1, f"a union the stand-in does not model: {hint}"
            hint = members[0]
        else:
            return hint, optional


def token_of(cls: type) -> str:
    """The schema token of a pulumi_aws type class, by the SDK generator's naming rules."""
    module = cls.__module__.removeprefix("pulumi_aws").strip(".").rsplit(".", 1)[0] or "index"
    module = "index" if module in ("_inputs", "outputs") else module
    name = cls.__name__
    if name.endswith("Result"):  # a function's result type: getCluster<Field>
        name = name[0].lower() + name[1:].removesuffix("Result")
    elif module == "config":  # a configuration type: named after the key
        name = name[0].lower() + name[1:]
    name = name.removesuffix("Args")
    return f"aws:{module}/{name}:{name}"


def assert_shape(prop: Prop, hint: Any, path: str) -> None:
    """The spec ``prop`` has the type of the SDK's ``hint`` (nested fields too, with their required-ness)."""
    base, _ = _unwrap(hint)
    origin = typing.get_origin(base)
    if prop.kind == "list":
        assert origin is collections.abc.Sequence, f"{path}: the SDK has {base}, not a list"
        assert prop.item is not None
        assert_shape(prop.item, typing.get_args(base)[0], f"{path}[]")
    elif prop.kind == "map":
        assert origin is collections.abc.Mapping and _unwrap(typing.get_args(base)[1])[0] is str, f"{path}: {base}"
    elif prop.kind == "object":
        assert isinstance(base, type), f"{path}: the SDK has {base}, not an object type"
        assert prop.token == token_of(base), f"{path}: {prop.token} is {base.__module__}.{base.__name__} in the SDK"
        assert_fields(prop.fields, pulumi_types._raw_return_hints(base), path)
    else:
        assert _KINDS.get(base) == prop.kind, f"{path}: the spec has a {prop.kind}, the SDK {base}"


def assert_fields(fields: typing.Mapping[str, Prop], hints: dict[str, Any], path: str) -> None:
    for key, field in served(fields).items():
        assert key in hints, f"{path}.{key} is not a field of the SDK's type"
        assert_shape(field, hints[key], f"{path}.{key}")
        assert field.required == (not _unwrap(hints[key])[1]), f"{path}.{key}: required differs from the SDK"


def _output_hints(token: str) -> dict[str, Any]:
    return dict(pulumi_types._raw_return_hints(_sdk(token)))


@pytest.mark.parametrize("token", sorted(HANDLERS))
def test_every_output_has_the_sdk_type_and_is_always_set_where_the_sdk_says(token: str) -> None:
    spec, hints = HANDLERS[token].spec, _output_hints(token)
    outputs = {**served(spec.props), **spec.outputs}
    for key, prop in outputs.items():
        assert_shape(prop, hints[key], f"{token}.{key}")
        always = key in spec.outputs or output_required(prop)
        assert always == (not _unwrap(hints[key])[1]), f"{token}.{key}: set always in one and not the other"


@pytest.mark.parametrize("token", sorted(HANDLERS))
def test_required_inputs_are_the_sdk_ones(token: str) -> None:
    cls = _sdk(token)
    wire = pulumi_types._py_to_pulumi_names_from_py_properties(cls)
    source = inspect.getsource(cls._internal_init)
    sdk = {wire[py] for py in re.findall(r"Missing required property '(\w+)'", source)}
    spec = {k for k, p in HANDLERS[token].spec.props.items() if p.required}
    assert spec == sdk | {key for t, key in STRICTER if t == token}


@pytest.mark.parametrize("token", sorted(HANDLERS))
def test_aliases_are_the_sdk_ones(token: str) -> None:
    source = inspect.getsource(_sdk(token)._internal_init)
    assert set(HANDLERS[token].spec.aliases) == set(re.findall(r'Alias\(type_="([^"]+)"\)', source))


def _function(token: str) -> Any:
    module_name, _, name = token.split(":")[1].partition("/")
    module = pulumi_aws if module_name == "index" else importlib.import_module(f"pulumi_aws.{module_name}")
    return getattr(module, re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower())


@pytest.mark.parametrize("token", sorted(INVOKES))
def test_function_results_and_arguments_have_the_sdk_types(token: str) -> None:
    hints = typing.get_type_hints(_function(token))
    result_cls = _unwrap(hints.pop("return"))[0].__mro__[1]  # Awaitable<Name>Result -> <Name>Result
    result_hints = pulumi_types._raw_return_hints(result_cls)
    assert set(INVOKES[token].result) == set(result_hints)
    assert_fields(INVOKES[token].result, result_hints, token)
    for key, arg in INVOKES[token].args.items():
        assert_shape(arg, hints[re.sub(r"(?<!^)([A-Z])", r"_\1", key).lower()], f"{token}({key})")


def test_provider_inputs_have_the_sdk_types_and_nested_types() -> None:
    hints = pulumi_types._raw_return_hints(pulumi_aws.ProviderArgs)
    for key, prop in served(config.CONFIG).items():
        assert_shape(prop, hints[key], f"Provider.{key}")


def test_configuration_types_are_the_sdk_config_types() -> None:
    for key, prop in served(config.CONFIG).items():
        inner = prop.item if prop.kind == "list" else prop
        if inner is None or inner.kind != "object":
            continue
        cls = getattr(pulumi_aws.config.outputs, config_token(key).rsplit(":", 1)[1][0].upper() + key[1:])
        assert token_of(cls) == config_token(key)
        assert_fields(inner.fields, pulumi_types._raw_return_hints(cls), f"aws:{key}")


def test_provider_outputs_are_the_sdk_ones_the_stand_in_serves() -> None:
    sdk = set(pulumi_types._raw_return_hints(pulumi_aws.Provider))
    assert set(provider_outputs()) <= sdk
    assert sdk - set(provider_outputs()) <= config.UNSUPPORTED_KEYS


def test_secret_settings_are_the_sdk_secret_ones() -> None:
    source = inspect.getsource(pulumi_aws.Provider._internal_init)
    wire = pulumi_types._py_to_pulumi_names_from_py_properties(pulumi_aws.ProviderArgs)
    sdk = {wire[py] for py in re.findall(r"pulumi\.Output\.secret\((\w+)\)", source)}
    assert {k for k, p in config.CONFIG.items() if p.secret} == sdk
