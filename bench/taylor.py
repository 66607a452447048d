"""Benchmark: --order K by Taylor mode, against repeated differentiation of the formula.

For each expression it times taylor() at K = 10, 30 and 100 (best of a few rounds, in this process,
after the expression is evaluated) and, for comparison, the graph-building passes of higher.py at the
same K (the method --order used before, still used by --symbolic), and reports the largest relative
error of the K = 30 derivatives against mpmath at 40 digits.

    python bench/taylor.py
    python bench/taylor.py --rounds 5
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import mpmath

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # the gradcalc of this checkout

from gradcalc import compute  # noqa: E402
from gradcalc.errors import GradcalcError  # noqa: E402
from gradcalc.higher import nth_derivative  # noqa: E402
from gradcalc.higher import taylor  # noqa: E402

CASES = {
    "sigmoid(x)": (0.5, lambda x: 1 / (1 + mpmath.exp(-x))),
    "tanh(x)": (0.5, mpmath.tanh),
    "exp(sin(x))": (0.7, lambda x: mpmath.exp(mpmath.sin(x))),
    "x**x": (1.3, lambda x: x ** x),
    "sqrt(1 + x**2) / (2 - x)": (0.3, lambda x: mpmath.sqrt(1 + x ** 2) / (2 - x)),
}


def best(call, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(rounds: int = 3) -> list[dict]:
    rows = []
    for text, (x, f) in CASES.items():
        result = compute(text, x=x)
        row = {"expression": text, "x": x}
        for k in (10, 30, 100):
            row[f"taylor_{k}_ms"] = 1000 * best(lambda: taylor(result, "x", k).derivatives, rounds)
        for k in (10, 30):
            try:
                row[f"repeated_{k}_ms"] = 1000 * best(lambda: nth_derivative(result, "x", k), 1)
            except GradcalcError as error:
                row[f"repeated_{k}_ms"] = f"refused: {str(error)[:40]}"
        found = taylor(result, "x", 30).derivatives
        with mpmath.workdps(40):
            exact = [c * mpmath.factorial(k) for k, c in enumerate(mpmath.taylor(f, mpmath.mpf(x), 30))][1:]
        row["worst_rel_error_30"] = max(float(abs((a - b) / b)) for a, b in zip(found, exact))
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    rows = measure(parser.parse_args().rounds)
    print("| expression | Taylor K=10 | K=30 | K=100 | repeated K=10 | repeated K=30 | worst rel. error at K=30 vs mpmath |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        cell = lambda v: f"{v:.1f} ms" if isinstance(v, float) else v  # noqa: E731
        print(f"| `{r['expression']}` | {cell(r['taylor_10_ms'])} | {cell(r['taylor_30_ms'])} | "
              f"{cell(r['taylor_100_ms'])} | {cell(r['repeated_10_ms'])} | {cell(r['repeated_30_ms'])} | "
              f"{r['worst_rel_error_30']:.1e} |")


if __name__ == "__main__":
    main()
