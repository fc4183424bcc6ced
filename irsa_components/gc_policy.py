"""How often the garbage collector runs while a stack program registers its resources.

A large stack allocates millions of short-lived objects (futures, coroutines, Outputs) beside hundreds
of thousands of live ones. With the interpreter's default thresholds the collector's full passes grow
with the stack and took up to a third of a run; young collections every 100,000 allocations still took
a sixth of a 1,000-service run (docs/benchmarks.md). Collecting young objects every million allocations
and leaving the old ones alone keeps the collector out of the way; turning it off instead is slower (the
cyclic garbage of futures and tasks piles up). The stack program under ``pulumi up`` (``__main__.py``)
and the offline runner (tests, ``irsa plan``, the benchmarks) use the same policy. No Pulumi here.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager

THRESHOLDS = (1_000_000, 50, 1000)


def apply() -> None:
    """Use the policy for the rest of the process (a ``pulumi up`` program run)."""
    gc.set_threshold(*THRESHOLDS)


@contextmanager
def applied() -> Iterator[None]:
    """Use the policy inside the block, then restore the thresholds in force before."""
    previous = gc.get_threshold()
    gc.set_threshold(*THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
