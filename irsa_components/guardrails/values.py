"""Property values as the policy engine hands them over: plain data in which unknowns are sentinels.

During ``pulumi preview`` a property that depends on another resource's output is not known yet; the
engine sends it as one of the sentinel strings below (the same ones ``pulumi_policy.proxy`` uses). A
rule must never turn an unknown into a violation: it skips what it cannot decide, and the same rule
runs again with known values during ``pulumi up``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

UNKNOWN_BOOLEAN = "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7"
UNKNOWN_NUMBER = "3eeb2bf0-c639-47a8-9e75-3b44932eb421"
UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
UNKNOWN_ARRAY = "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2"
UNKNOWN_ASSET = "030794c1-ac77-496b-92df-f27374a8bd58"
UNKNOWN_ARCHIVE = "e48ece36-62e2-4504-bad9-02848725956a"
UNKNOWN_OBJECT = "dd056dcd-154b-4c76-9bd3-c8f88648b5ff"
UNKNOWNS = frozenset(
    {UNKNOWN_BOOLEAN, UNKNOWN_NUMBER, UNKNOWN_STRING, UNKNOWN_ARRAY, UNKNOWN_ASSET, UNKNOWN_ARCHIVE, UNKNOWN_OBJECT}
)

# The engine's wire form of secrets (``{<sig key>: <secret sig>, "value": ...}``); policies see the value.
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


def is_unknown(value: object) -> bool:
    return isinstance(value, str) and value in UNKNOWNS


def has_unknown(value: object) -> bool:
    """True when ``value`` is, or contains anywhere, a value not known yet."""
    if is_unknown(value):
        return True
    if isinstance(value, Mapping):
        return any(has_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(has_unknown(v) for v in value)
    return False


def known_str(value: object) -> str | None:
    """``value`` when it is a known, non-empty string; None otherwise."""
    return value if isinstance(value, str) and value and not is_unknown(value) else None


def known_number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def unwrap_secrets(value: Any) -> Any:
    """Replace wire-form secrets by their values, as the engine does before calling a policy."""
    if isinstance(value, Mapping):
        if value.get(SIG_KEY) == SECRET_SIG and "value" in value:
            return unwrap_secrets(value["value"])
        return {k: unwrap_secrets(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [unwrap_secrets(v) for v in value]
    return value


def get_path(props: Mapping[str, Any], *path: str) -> Any:
    """``props[a][b]...``; None when a step is missing; the sentinel itself when a step is unknown."""
    value: Any = props
    for key in path:
        if is_unknown(value):
            return value
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def read_document(value: object) -> dict[str, Any] | None:
    """A policy document given as JSON text or as an object; None when absent, unknown or not a document."""
    if value is None or is_unknown(value):
        return None
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            return None
        return parsed if isinstance(parsed, dict) else None
    if isinstance(value, Mapping):
        return dict(value)
    return None


def string_list(value: object) -> tuple[list[str], bool]:
    """(the known strings of a list property, whether any part of it is unknown)."""
    if value is None:
        return [], False
    if is_unknown(value):
        return [], True
    items = list(value) if isinstance(value, list | tuple) else [value]
    known = [v for v in items if isinstance(v, str) and not is_unknown(v)]
    return known, any(is_unknown(v) for v in items)
