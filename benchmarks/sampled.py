#!/usr/bin/env python3
"""Where the program's time goes beside the floor's, from two wall-clock samplings (py-spy's raw format).

    pip install py-spy   # a sampler outside the interpreter: it does not slow what it measures much
    py-spy record -r 250 -f raw -o program.raw -- .venv/bin/python benchmarks/run.py --worker program \
        --env prod --services 1000 /tmp/prod.pickle
    py-spy record -r 250 -f raw -o floor.raw -- .venv/bin/python benchmarks/run.py --worker floor \
        --env prod --services 1000 /tmp/prod.pickle
    python benchmarks/sampled.py program.raw floor.raw

Only samples inside ``run_program`` count (the timed part; the SDK's executor threads and the imports are
left out). Each sample goes to the first of these that its stack contains: the SDK recording the
registration's stack (``_get_stack_trace``), the SDK reading a resource class's annotations
(``resource_types``), the library's own code (its innermost frame, or standard-library code it called,
with no SDK frame in between), and the rest of the SDK. cProfile (``profiling.py``) counts calls
exactly but inflates small functions; this splits the wall clock.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Iterable

CATEGORIES = ("stack traces", "annotations", "library", "SDK, rest")


def category(frames: list[str]) -> str:
    """The category of one sampled stack (outermost frame first)."""
    if any(f.startswith("_get_stack_trace ") for f in frames):
        return "stack traces"
    if any(f.startswith("resource_types ") for f in frames):
        return "annotations"
    library = [i for i, f in enumerate(frames) if "irsa_components/" in f and "irsa_components/offline/" not in f]
    if library and not any("pulumi" in f for f in frames[library[-1] + 1 :]):
        return "library"
    return "SDK, rest"


def summarise(lines: Iterable[str]) -> Counter[str]:
    """Samples per category, from py-spy's raw lines ("frame;frame;... count")."""
    counts: Counter[str] = Counter()
    for line in lines:
        line = line.rstrip()
        if not line:
            continue
        stack, _, n = line.rpartition(" ")
        frames = stack.split(";")
        if any(f.startswith("run_program ") for f in frames):
            counts[category(frames)] += int(n)
    return counts


def report(program: Counter[str], floor: Counter[str]) -> str:
    gap = sum(program.values()) - sum(floor.values())
    rows = [f"{'':14} {'program':>8} {'floor':>8} {'diff':>8} {'of gap':>7}"]
    for name in CATEGORIES:
        diff = program[name] - floor[name]
        share = f"{diff / gap:7.0%}" if gap else f"{'-':>7}"
        rows.append(f"{name:14} {program[name]:8d} {floor[name]:8d} {diff:8d} {share}")
    rows.append(f"{'total':14} {sum(program.values()):8d} {sum(floor.values()):8d} {gap:8d}")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("program", help="py-spy raw output of the program's run")
    parser.add_argument("floor", help="py-spy raw output of the floor's run")
    args = parser.parse_args()
    with open(args.program) as p, open(args.floor) as f:
        print(report(summarise(p), summarise(f)))


if __name__ == "__main__":
    main()
