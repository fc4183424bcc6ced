"""Helpers for component inputs that may be plain values or Pulumi Outputs."""

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Optional, TypeVar

import pulumi

T = TypeVar("T")


def is_known(value: object) -> bool:
    """True for plain values (no Output anywhere inside): those are validated at preview time."""
    if isinstance(value, pulumi.Output):
        return False
    if isinstance(value, Mapping):
        return all(is_known(v) for v in value.values()) and all(is_known(k) for k in value)
    if isinstance(value, list | tuple):
        return all(is_known(v) for v in value)
    return True


def with_placeholders(value: Any, placeholder: str = "*") -> Any:
    """A copy of ``value`` with every Output replaced by ``placeholder``, for structural checks."""
    if isinstance(value, pulumi.Output):
        return placeholder
    if isinstance(value, Mapping):
        return {k: with_placeholders(v, placeholder) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [with_placeholders(v, placeholder) for v in value]
    return value


def plain_list(value: object) -> Optional[list[Any]]:
    """The list when ``value`` is a plain sequence (elements may still be Outputs); None otherwise."""
    if value is None:
        return []
    if isinstance(value, pulumi.Output) or isinstance(value, str) or not isinstance(value, Sequence):
        return None
    return list(value)


def as_output(value: pulumi.Input[T]) -> pulumi.Output[T]:
    """``value`` as an Output; an Output as it is (``Output.from_input`` would chain an apply onto it)."""
    return value if isinstance(value, pulumi.Output) else pulumi.Output.from_input(value)


def subject(component: str, name: str) -> str:
    return f"{component} {name!r}"


class LazyOutputs:
    """Mixin for component outputs built on first read.

    Every Output costs the SDK futures and bookkeeping, and a stack of a thousand services reads few of
    them (a ServiceAccount's name, an association list's ARNs). Such outputs stay declared as class
    annotations (the schema comes from those); ``_defer`` leaves a recipe that runs when one is read.
    """

    def _defer(self, **recipes: Callable[[], Any]) -> None:
        self.__dict__.setdefault("_lazy_outputs", {}).update(recipes)

    def __getattr__(self, name: str) -> Any:  # only reached when the attribute is not set
        recipes = self.__dict__.get("_lazy_outputs")
        if recipes and name in recipes:
            value = self.__dict__[name] = recipes.pop(name)()
            return value
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
