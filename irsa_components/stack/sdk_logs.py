"""Keep the SDK's per-registration debug messages off the wire unless they are asked for (pulumi 3.x, Python).

The Python SDK (3.272, and upstream today) sends four debug messages to the engine for every resource it
registers and three for every component's outputs ("registering resource: ...", "... prepared",
"beginning rpc ...", "... successful"). Each is a synchronous Log RPC, and the engine shows debug messages
only to ``pulumi up --debug``. The program and the CLI pay for them on every run: a preview of 1,000
services took 41 s without them and 84 s with them (docs/benchmarks.md, "Found: the SDK's debug messages").

``quiet_sdk_registration_logs`` drops exactly those messages before they are sent; every other message,
debug ones included, still goes to the engine. Set ``IRSA_SDK_DEBUG_LOGS=1`` to keep them (with
``--debug``); the engine's own verbose log (``-v=9``) records every registration either way.
"""

import os
from typing import Any

from pulumi.runtime import settings
from pulumi.runtime.proto import engine_pb2

KEEP = "IRSA_SDK_DEBUG_LOGS"
"""Environment variable: set (to anything but empty or 0) to send the SDK's registration messages as usual."""

SDK_REGISTRATION_MESSAGES = (
    "registering resource: ",
    "resource registration prepared: ",
    "resource registration successful: ",
    "register resource outputs prepared: ",
    "beginning rpc register resource",
)
"""How the SDK's per-registration debug messages begin (pulumi/runtime/resource.py and rpc_manager.py)."""


class _QuietEngine:
    """The engine client, without the SDK's registration messages; everything else is passed on."""

    def __init__(self, engine: Any) -> None:
        self._engine = engine

    def Log(self, request: engine_pb2.LogRequest, *args: Any, **kwargs: Any) -> Any:
        if request.severity == engine_pb2.DEBUG and request.message.startswith(SDK_REGISTRATION_MESSAGES):
            return None  # the SDK does not read the answer
        return self._engine.Log(request, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)


def quiet_sdk_registration_logs() -> bool:
    """At the start of a program: the SDK's registration messages are no longer sent. Whether it took effect.

    Does nothing when ``IRSA_SDK_DEBUG_LOGS`` is set, when there is no engine, or when it already took
    effect in this program.
    """
    if os.environ.get(KEEP, "") not in ("", "0"):
        return False
    engine = settings.get_engine()
    if engine is None or isinstance(engine, _QuietEngine):
        return False
    settings.SETTINGS.engine = _QuietEngine(engine)
    return True
