"""Benchmark: forward mode vs reverse mode on one expression with 1, 10, 100, 300 inputs.

The expression is z = Σ sin(x_i)·x_(i+1) (a ring, so every input is used twice). Both modes run in
this one process, interleaved round by round, on the same graph and point; the script first checks
that they give the same gradient. It prints the operations each mode executed (as --compare-modes
counts them) and the time each took, and the forward/reverse ratio of both.

    python bench/modes.py
    python bench/modes.py --sizes 1 10 100 --rounds 5

`measure()` returns the numbers, so a combined benchmark runner can import this file.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # the gradcalc of this checkout

from gradcalc.evaluate import backward, forward  # noqa: E402
from gradcalc.forward_mode import forward_mode  # noqa: E402
from gradcalc.parse import parse  # noqa: E402


def program(n: int) -> str:
    return " + ".join(f"sin(x{i})*x{(i + 1) % n}" for i in range(n))


def measure(n: int, rounds: int = 5) -> dict:
    """Operations and best time of each mode for n inputs."""
    graph = parse(program(n))
    inputs = {name: np.float64(0.01 * i) for i, name in enumerate(graph.variables)}

    def reverse():
        values = forward(graph, inputs)
        return values, backward(graph, values)[1]

    values, steps = reverse()
    reverse_ops = sum(node.op is not None for node in graph.nodes) + len(steps)
    found = forward_mode(graph, inputs)
    grads = backward(graph, values)[0]
    for name, node in graph.variables.items():
        assert np.isclose(found.gradient[name], grads[node]), name
    times = {"forward": [], "reverse": []}
    for _ in range(rounds):
        for mode, run in (("forward", lambda: forward_mode(graph, inputs)), ("reverse", reverse)):
            start = time.perf_counter()
            run()
            times[mode].append(time.perf_counter() - start)
    return {"n": n, "forward_ops": found.operations, "reverse_ops": reverse_ops,
            "forward_s": min(times["forward"]), "reverse_s": min(times["reverse"]),
            "forward_median_s": statistics.median(times["forward"]),
            "reverse_median_s": statistics.median(times["reverse"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100, 300])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"z = sum of sin(x_i)*x_(i+1), best of {args.rounds} interleaved rounds")
    print(f"  {'inputs':>6}  {'forward ops':>11}  {'reverse ops':>11}  {'ratio':>7}"
          f"  {'forward':>10}  {'reverse':>10}  {'ratio':>7}")
    for n in args.sizes:
        m = measure(n, args.rounds)
        print(f"  {n:>6}  {m['forward_ops']:>11}  {m['reverse_ops']:>11}"
              f"  {m['forward_ops'] / m['reverse_ops']:>6.0f}×"
              f"  {m['forward_s'] * 1e3:>7.2f} ms  {m['reverse_s'] * 1e3:>7.2f} ms"
              f"  {m['forward_s'] / m['reverse_s']:>6.1f}×")


if __name__ == "__main__":
    main()
