"""Backward-pass time of this checkout beside another one, on bench/run.py's long sum and deep nesting.

    python bench/backward_ab.py ../baseline-checkout           # 10⁵ terms and depth 10⁵, 15 rounds
    python bench/backward_ab.py ../baseline-checkout --rounds 31 --sizes 10000,100000

Each round runs both checkouts once each, in a fresh process, in a random order (the machine is
shared and noisy); each process parses and runs forward once, then times the backward pass (CPU time,
the best of 3). The figure is the median over rounds of this ÷ other: 1.00 is no change.
Both Python float inputs (the float path, as the command line runs a scalar question) and np.float64
inputs (the numpy path) are timed.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
sys.setrecursionlimit(10000)
from gradcalc.evaluate import backward, forward
from gradcalc.parse import parse
n, kind, floats = int(sys.argv[2]), sys.argv[3], sys.argv[4] == "floats"
if kind == "sum":
    text = " + ".join(f"{i % 7 + 1}*x*y" if i % 2 else f"(x - {i}.5)**2" for i in range(n))
else:
    text = "(x + " * n + "1" + ")" * n
graph = parse(text)
inputs = {name: 1.5 for name in graph.variables}
if not floats:
    import numpy as np
    inputs = {name: np.float64(v) for name, v in inputs.items()}
values = forward(graph, inputs)
best = float("inf")
for _ in range(3):
    start = time.process_time()
    backward(graph, values)
    best = min(best, time.process_time() - start)
print(json.dumps(best))
"""


def run(checkout: Path, n: int, kind: str, floats: str) -> float:
    out = subprocess.run([sys.executable, "-c", CHILD, str(checkout), str(n), kind, floats],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="the checkout to compare with (its root directory)")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--kinds", default="sum,nest", help="sum, nest or both")
    parser.add_argument("--paths", default="floats,numpy", help="floats, numpy or both")
    options = parser.parse_args()
    print(f"{'case':<28} {'this ms':>9} {'other ms':>9} {'this ÷ other':>13}")
    for n in map(int, options.sizes.split(",")):
        for kind in options.kinds.split(","):
            for floats in options.paths.split(","):
                ratios, mine, theirs = [], [], []
                for _ in range(options.rounds):
                    pair = [(ROOT, mine), (options.other.resolve(), theirs)]
                    random.shuffle(pair)
                    for checkout, into in pair:
                        into.append(run(checkout, n, kind, floats))
                    ratios.append(mine[-1] / theirs[-1])
                print(f"{kind} {n} ({floats}){'':<10} {1000 * statistics.median(mine):9.1f} "
                      f"{1000 * statistics.median(theirs):9.1f} {statistics.median(ratios):13.3f}",
                      flush=True)


if __name__ == "__main__":
    main()
