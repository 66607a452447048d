"""Benchmark: the gradient of sum(relu(X@W + b)) by gradcalc vs the same passes written by hand in numpy.

Both sides run in this one process, interleaved, on the same arrays and the same BLAS, so the ratio
is what gradcalc's bookkeeping (graph, checks, the recorded backward trace) costs on top of the math.

    python bench/arrays.py                 # X 512×1024, W 1024×1024, 9 rounds; and 64×128 beside it
    python bench/arrays.py --runs 3        # three runs in a row (issue #27: each within 1.2×)
    python bench/arrays.py --rounds 15 --n 256 --d 512

`measure()` returns the numbers, so bench/run.py can import this file and report them with the rest.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # the gradcalc of this checkout

import gradcalc  # noqa: E402

EXPRESSION = "sum(relu(X@W + b))"


def by_hand(X, W, b):
    """Forward and backward of sum(relu(X@W + b)) as one would write them in numpy."""
    A = X @ W + b
    Y = np.maximum(A, 0.0)
    L = Y.sum()
    dA = (A > 0) * 1.0                   # ∂L/∂Y is ones, so ∂L/∂A is relu's local derivative
    return L, {"X": dA @ W.T, "W": X.T @ dA, "b": dA.sum(axis=0)}


def by_gradcalc(X, W, b):
    result = gradcalc.compute(EXPRESSION, X=X, W=W, b=b)
    return result.value, result.gradient


CLOCK = [time.perf_counter]   # --clock cpu: time.process_time, this process's CPU time


def _time(function, *args) -> float:
    clock = CLOCK[0]
    start = clock()
    function(*args)
    return clock() - start


def measure(n: int = 512, d: int = 1024, rounds: int = 9, seed: int = 0) -> dict:
    """Seconds per forward+backward for each side (best and median), interleaved round by round."""
    rng = np.random.default_rng(seed)
    X, W, b = rng.normal(size=(n, d)), rng.normal(size=(d, d)) / np.sqrt(d), rng.normal(size=d)
    value, grads = by_gradcalc(X, W, b)               # warm up (parser, BLAS threads) and check
    hand_value, hand_grads = by_hand(X, W, b)
    assert np.isclose(value, hand_value), (value, hand_value)
    for name in grads:
        assert np.allclose(grads[name], hand_grads[name]), name
    hand, ours = [], []
    for _ in range(rounds):
        hand.append(_time(by_hand, X, W, b))
        ours.append(_time(by_gradcalc, X, W, b))
    # The best round is each side's cost with the least interference from other processes; the
    # median shows what a loaded machine gives. Both ratios are printed.
    return {"expression": EXPRESSION, "X": (n, d), "W": (d, d), "rounds": rounds,
            "numpy_best_s": min(hand), "gradcalc_best_s": min(ours), "ratio_best": min(ours) / min(hand),
            "numpy_median_s": statistics.median(hand), "gradcalc_median_s": statistics.median(ours),
            "ratio_median": statistics.median(ours) / statistics.median(hand)}


TARGET = 1.2     # issue #27: within 1.2× of the same passes by hand at 512×1024×1024
SMALL = (64, 128)


def _report(found: dict) -> None:
    n, d = found["X"]
    print(f"{found['expression']}   X {n}×{d}, W {d}×{d}, b ({d},), {found['rounds']} interleaved rounds")
    print("                   best     median")
    print(f"  numpy by hand  {found['numpy_best_s'] * 1e3:7.2f} ms  {found['numpy_median_s'] * 1e3:7.2f} ms")
    print(f"  gradcalc       {found['gradcalc_best_s'] * 1e3:7.2f} ms  {found['gradcalc_median_s'] * 1e3:7.2f} ms")
    target = f"   (target at this size: within {TARGET}×)" if (n, d) == (512, 1024) else ""
    print(f"  ratio          {found['ratio_best']:7.2f}×    {found['ratio_median']:7.2f}×{target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=512, help="rows of X (default 512)")
    parser.add_argument("--d", type=int, default=1024, help="columns of X, and W is d×d (default 1024)")
    parser.add_argument("--rounds", type=int, default=9, help="timed rounds per side (default 9)")
    parser.add_argument("--runs", type=int, default=1, help="runs in a row, each reported (default 1)")
    parser.add_argument("--small-rounds", type=int, default=201,
                        help=f"timed rounds at the small size {SMALL[0]}×{SMALL[1]} (default 201; 0: skip)")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="wall time (default), or this process's CPU time: on a machine shared with "
                             "other work, time spent waiting for a core is not counted (use with "
                             "OPENBLAS_NUM_THREADS=1, as a BLAS thread's time adds up otherwise)")
    args = parser.parse_args()
    if args.clock == "cpu":
        CLOCK[0] = time.process_time
    ratios = []
    for run in range(args.runs):
        if args.runs > 1:
            print(f"run {run + 1} of {args.runs}")
        found = measure(args.n, args.d, args.rounds)
        _report(found)
        ratios.append(found["ratio_best"])
        if args.small_rounds:
            _report(measure(*SMALL, args.small_rounds))
    if args.runs > 1:
        within = all(r <= TARGET for r in ratios)
        print(f"best-of ratios in a row: {', '.join(f'{r:.2f}×' for r in ratios)}"
              f" — {'all' if within else 'not all'} within {TARGET}×")


if __name__ == "__main__":
    main()
