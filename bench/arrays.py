"""Benchmark: the gradient of sum(relu(X@W + b)) by gradcalc vs the same passes written by hand in numpy.

Both sides run in this one process, interleaved, on the same arrays and the same BLAS, so the ratio
is what gradcalc's bookkeeping (graph, checks, the recorded backward trace) costs on top of the math.

    python bench/arrays.py                 # X 512×1024, W 1024×1024, 9 rounds
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


def _time(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=512, help="rows of X (default 512)")
    parser.add_argument("--d", type=int, default=1024, help="columns of X, and W is d×d (default 1024)")
    parser.add_argument("--rounds", type=int, default=9, help="timed rounds per side (default 9)")
    args = parser.parse_args()
    found = measure(args.n, args.d, args.rounds)
    n, d = found["X"]
    print(f"{found['expression']}   X {n}×{d}, W {d}×{d}, b ({d},), {found['rounds']} interleaved rounds")
    print("                   best     median")
    print(f"  numpy by hand  {found['numpy_best_s'] * 1e3:7.1f} ms  {found['numpy_median_s'] * 1e3:7.1f} ms")
    print(f"  gradcalc       {found['gradcalc_best_s'] * 1e3:7.1f} ms  {found['gradcalc_median_s'] * 1e3:7.1f} ms")
    target = "   (target at this size: within 1.5×)" if (n, d) == (512, 1024) else ""
    print(f"  ratio          {found['ratio_best']:7.2f}×    {found['ratio_median']:7.2f}×{target}")

if __name__ == "__main__":
    main()
