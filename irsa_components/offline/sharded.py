"""Run the stack program over several processes, each with a share of the services.

The program's services are independent of one another (the config's cross-service checks run on the
whole config before anything is split), and the cluster-level resources every share registers are
identical, so merging the shares by URN gives exactly the single-process result. The SDK's
per-resource cost dominates a large stack and one Python process uses one core: this is what keeps
``irsa plan`` of a thousand services within its time budget on two cores.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_all_start_methods, get_context
from typing import Any, Optional

from .mocks import Simulation, run_program

SERVICES_KEY = "irsa:services"
PARALLEL_FROM = 150
"""Services from which ``workers=None`` splits the program (below that, starting processes costs more)."""


def default_workers(services: int) -> int:
    if services < PARALLEL_FROM:
        return 1
    return max(1, min(os.cpu_count() or 1, 4))


def _run_share(config: dict[str, str], project: str, stack: str, secret_keys: list[str]) -> Simulation:
    from ..stack.program import main

    return run_program(main, config=config, project=project, stack=stack, secret_keys=secret_keys)


def merge(shares: list[Simulation]) -> Simulation:
    """One Simulation from several: resources de-duplicated by URN, stack outputs merged per key."""
    seen: set[str] = set()
    merged = Simulation()
    for share in shares:
        for registration in share.resources:
            if registration.urn not in seen:
                seen.add(registration.urn)
                merged.resources.append(registration)
        merged.invokes.extend(share.invokes)
        for key, value in share.outputs.items():
            if isinstance(value, dict) and isinstance(merged.outputs.get(key), dict):
                merged.outputs[key] = {**merged.outputs[key], **value}
            else:
                merged.outputs.setdefault(key, value)
    return merged


def run_stack_program(
    config: Mapping[str, str],
    *,
    project: str = "irsa",
    stack: str = "dev",
    secret_keys: Optional[list[str]] = None,
    workers: Optional[int] = None,
) -> Simulation:
    """The stack program under the mocks, split over ``workers`` processes (default: by size and cores)."""
    services: dict[str, Any] = json.loads(config.get(SERVICES_KEY) or "{}")
    count = default_workers(len(services)) if workers is None else max(1, workers)
    keys = list(services)
    if count <= 1 or len(keys) < 2:
        return _run_share(dict(config), project, stack, list(secret_keys or []))
    size = -(-len(keys) // count)
    shares = [
        {**config, SERVICES_KEY: json.dumps({k: services[k] for k in keys[i : i + size]})}
        for i in range(0, len(keys), size)
    ]
    # fork is safe only while the parent runs no other thread (the command line has not run the SDK yet);
    # it saves each share re-importing the provider SDKs. Otherwise spawn.
    method = "fork" if threading.active_count() == 1 and "fork" in get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(len(shares), mp_context=get_context(method)) as pool:
        futures = [pool.submit(_run_share, share, project, stack, list(secret_keys or [])) for share in shares]
        return merge([f.result() for f in futures])
