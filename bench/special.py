"""gradcalc/special.py's digamma and polygamma: accuracy against mpmath and speed beside math.gamma.

    python bench/special.py [--points N]

Accuracy: the largest error at N seeded points per range, in units of the float's spacing at the
result (ulp) for x > 0, and relative to the reflection's two terms for x < 0 (ψ⁽ⁿ⁾ has roots there).
Speed: µs per call on a Python float, and per element on an array (the same kernel, np.vectorize).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import mpmath  # noqa: E402
import numpy as np  # noqa: E402

from gradcalc import special  # noqa: E402
from gradcalc.ops.gamma import _digamma  # noqa: E402


def accuracy(points: int) -> None:
    rng = random.Random(7)
    mpmath.mp.dps = 40
    print("accuracy against mpmath (40 digits), worst of", points, "points each")
    for n in (0, 1, 2, 5, 30):
        worst_pos, worst_neg = 0.0, 0.0
        for _ in range(points):
            x = math.exp(rng.uniform(-8, 8))
            exact = mpmath.polygamma(n, x)
            if 1e-300 < abs(exact) < 1e300:
                ulp = math.ulp(float(exact))
                worst_pos = max(worst_pos, float(abs(special.polygamma(n, x) - exact)) / ulp)
            x = -rng.uniform(0, 30)
            if special.is_pole(x):
                continue
            exact, other = mpmath.polygamma(n, x), mpmath.polygamma(n, 1 - x)
            scale = abs(other) + abs(exact - (-1) ** n * other)
            if abs(exact) < 1e300:
                worst_neg = max(worst_neg, float(abs(special.polygamma(n, x) - exact) / scale))
        print(f"  n = {n:2}: x > 0 {worst_pos:5.1f} ulp    x < 0 {worst_neg:.1e} of the terms")


def speed() -> None:
    def per_call(f, rounds=20000):
        start = time.perf_counter()
        for _ in range(rounds):
            f()
        return (time.perf_counter() - start) / rounds * 1e6

    print("µs per call on a Python float")
    for label, f in [("math.gamma(3.7)", lambda: math.gamma(3.7)),
                     ("special.digamma(3.7)", lambda: special.digamma(3.7)),
                     ("special.digamma(-3.7)", lambda: special.digamma(-3.7)),
                     ("special.polygamma(5, 3.7)", lambda: special.polygamma(5, 3.7))]:
        print(f"  {label:28} {per_call(f):6.1f}")
    x = np.random.default_rng(0).uniform(0.1, 50, 100_000)
    start = time.perf_counter()
    _digamma(x)
    print(f"digamma on 100 000 elements: {time.perf_counter() - start:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=300)
    args = parser.parse_args()
    accuracy(args.points)
    speed()


if __name__ == "__main__":
    main()
