"""Let the SDK start a program's registrations before it waits for them (pulumi 3.x, Python).

After a program returns, the SDK's ``wait_for_rpcs`` awaits the registrations it tracks one by one, then
every Output still pending. A registration is tracked only once its task has started, and no task starts
while a synchronous program runs. A program that never yields (no synchronous invoke, no ``await``)
therefore reaches ``wait_for_rpcs`` with no registration tracked. The SDK then waits on all its pending
Outputs instead, with ``asyncio.wait(..., FIRST_COMPLETED)`` in a loop. Each call goes over every pending
Output again, and under the real engine, where answers arrive a few at a time, that is quadratic. At
1,000 services it cost the engine preview of the stack program about a fifth of its time
(docs/benchmarks.md). One turn of the event loop before the SDK waits starts every queued registration,
and the SDK then waits on them as it intends.
"""

import asyncio

import pulumi


async def _one_turn() -> None:
    await asyncio.sleep(0)


def let_registrations_start() -> None:
    """At the end of a synchronous program: one turn of the event loop once the program returns.

    Uses ``pulumi.run`` (SDK 3.272 and later, once per program); with an older SDK it does nothing.
    """
    run = getattr(pulumi, "run", None)
    if run is not None:
        run(_one_turn)
