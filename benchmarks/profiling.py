#!/usr/bin/env python3
"""Profile one environment's stack program (or its SDK floor) under the SDK's mocks, as the benchmark runs it.

    python benchmarks/profiling.py --services 1000                 # cProfile of the program, top 40 by own time
    python benchmarks/profiling.py --services 1000 --floor         # the same for the floor (the replay)
    python benchmarks/profiling.py --services 300 --sort cumulative --top 60
    python benchmarks/profiling.py --services 1000 --out prog.pstats   # keep the profile for pstats/snakeviz

Source positions are captured as in the benchmark (``source_positions=True``). The figures docs/benchmarks.md
quotes came from this script.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.floor import replay_program  # noqa: E402
from benchmarks.synthetic import flat_config  # noqa: E402
from irsa_components.offline import run_program  # noqa: E402
from irsa_components.stack.program import main  # noqa: E402


def main_cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--env", default="prod")
    parser.add_argument("--floor", action="store_true", help="profile the replay of the program's registrations")
    parser.add_argument("--sort", default="tottime", choices=["tottime", "cumulative"])
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--out", help="write the raw profile here")
    args = parser.parse_args()
    config = flat_config(args.env, args.services)
    program: Callable[[], None] = main
    if args.floor:
        program = replay_program(run_program(main, config=config, stack=args.env))
    gc.collect()
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    sim = run_program(program, config=config, stack=args.env, source_positions=True)
    profiler.disable()
    print(f"{len(sim.resources)} registrations in {time.perf_counter() - start:.1f} s (under the profiler)")
    stats = pstats.Stats(profiler)
    if args.out:
        stats.dump_stats(args.out)
    stats.sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main_cli()
