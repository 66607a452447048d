"""Benchmark: value and gradient at 10⁶ points — gradcalc's batch vs numpy by hand vs a process per point.

Three comparisons, measured side by side in one run:
  1. the engine's batch call (`gradcalc.batch.evaluate_points`: one forward and one backward pass over
     arrays of all the points) against the same value and gradient written by hand in numpy;
  2. the whole command, `gradcalc EXPR --points FILE` (read CSV, compute chunk by chunk, write CSV),
     per point, against calling `gradcalc EXPR --x … --y … --z …` once per point (a few calls timed,
     the time per call is the time per point);
  3. peak memory of the command at 10⁵ and 10⁶ rows (it reads and writes in chunks, so it stays flat).

    python bench/batch.py              # 10⁶ points, 20 process calls
    python bench/batch.py --quick      # 10⁵ points, 5 process calls

`measure()` returns the numbers as a dict, so a combined runner (bench/run.py) can import this file.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

# Scratch files go under bench/results/ (git ignores it), never the machine's shared temp dir.
SCRATCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
os.makedirs(SCRATCH, exist_ok=True)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))   # the gradcalc of this checkout

from gradcalc.batch import evaluate_points  # noqa: E402
from gradcalc.parse import parse  # noqa: E402

EXPRESSION = "sin(x)*exp(-y) + log(x*y) + sqrt(x + y + z)/(1 + x**2) + tanh(y*z)"


def by_hand(x, y, z):
    """The value and gradient of EXPRESSION as one would write them in numpy, sharing subexpressions."""
    ex, sx, cx = np.exp(-y), np.sin(x), np.cos(x)
    r = np.sqrt(x + y + z)
    q = 1 + x * x
    t = np.tanh(y * z)
    value = sx * ex + np.log(x * y) + r / q + t
    dr = 0.5 / (r * q)                    # ∂(r/q)/∂s for s = x + y + z
    dt = 1 - t * t
    return value, {"x": cx * ex + 1 / x + dr - r * 2 * x / (q * q),
                   "y": -sx * ex + 1 / y + dr + z * dt,
                   "z": dr + y * dt}


def by_gradcalc(graph, x, y, z):
    value, gradient, errors = evaluate_points(graph, {"x": x, "y": y, "z": z}, len(x))
    assert not errors
    return value, gradient


def _best(function, *args, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function(*args)
        times.append(time.perf_counter() - start)
    return times


def _command(*args, stdout=subprocess.DEVNULL) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "gradcalc", EXPRESSION, *args], cwd=ROOT, check=True,
                   stdout=stdout)
    return time.perf_counter() - start


# Runs gradcalc in a fresh process and prints its own high-water mark: the kernel's ru_maxrss of a
# child also counts the parent's pages from before exec, which would measure this benchmark instead.
_PEAK = """
import sys
from gradcalc.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    status = open("/proc/self/status").read()
    print(next(l for l in status.splitlines() if l.startswith("VmHWM")).split()[1], file=sys.stderr)
"""


def _peak_rss_mb(*args) -> float:
    """Peak resident memory (VmHWM) of one gradcalc process."""
    done = subprocess.run([sys.executable, "-c", _PEAK, EXPRESSION, *args], cwd=ROOT, check=True,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return int(done.stderr.split()[-1]) / 1024   # kB


def measure(points: int = 10**6, calls: int = 20, rounds: int = 5, seed: int = 0) -> dict:
    graph = parse(EXPRESSION)
    rng = np.random.default_rng(seed)
    x, y, z = (rng.uniform(0.5, 2.0, points) for _ in range(3))

    # 1. the engine's batch call vs numpy by hand, interleaved round by round
    value, gradient = by_gradcalc(graph, x, y, z)
    hand_value, hand_gradient = by_hand(x, y, z)
    assert np.allclose(value, hand_value, rtol=1e-12)
    for name in "xyz":
        assert np.allclose(gradient[name], hand_gradient[name], rtol=1e-10), name
    hand, ours = [], []
    for _ in range(rounds):
        hand += _best(by_hand, x, y, z, rounds=1)
        ours += _best(by_gradcalc, graph, x, y, z, rounds=1)

    with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
        small, large = Path(tmp) / "small.csv", Path(tmp) / "points.csv"
        for path, n in ((small, points // 10), (large, points)):
            with open(path, "w") as handle:
                handle.write("x,y,z\n")
                np.savetxt(handle, np.column_stack([x[:n], y[:n], z[:n]]), delimiter=",", fmt="%.17g")
        # 2. one process for every point vs one process per point
        with open(os.devnull, "w") as sink:
            _command("--points", str(large), stdout=sink)              # warm the page cache
            whole = min(_command("--points", str(large), stdout=sink) for _ in range(2))
        per_call = [_command("--x", repr(float(x[i])), "--y", repr(float(y[i])), "--z", repr(float(z[i])),
                             "--json") for i in range(calls)]
        # 3. memory: flat in the number of rows
        rss_small = _peak_rss_mb("--points", str(small))
        rss_large = _peak_rss_mb("--points", str(large))

    return {
        "expression": EXPRESSION, "nodes": len(graph.nodes), "points": points,
        "numpy_best": min(hand), "numpy_median": statistics.median(hand),
        "batch_best": min(ours), "batch_median": statistics.median(ours),
        "command_seconds": whole, "command_per_point": whole / points,
        "process_per_point": statistics.median(per_call), "calls": calls,
        "rss_mb": {points // 10: rss_small, points: rss_large},
    }


def report(m: dict) -> str:
    us = 1e6
    lines = [
        f"{m['expression']}",
        f"  {m['nodes']} nodes, {m['points']:,} points (x, y, z uniform in [0.5, 2])",
        "",
        "1. one batch call (value + gradient at every point) vs numpy by hand",
        "                          best        median",
        f"  numpy by hand       {m['numpy_best'] * 1e3:8.1f} ms  {m['numpy_median'] * 1e3:8.1f} ms",
        f"  gradcalc batch      {m['batch_best'] * 1e3:8.1f} ms  {m['batch_median'] * 1e3:8.1f} ms",
        f"  ratio               {m['batch_best'] / m['numpy_best']:8.2f}×    "
        f"{m['batch_median'] / m['numpy_median']:8.2f}×     (goal: within 3×)",
        "",
        "2. the command line, per point",
        f"  gradcalc EXPR --points FILE (CSV in, CSV out)  {m['command_per_point'] * us:10.2f} µs "
        f"({m['command_seconds']:.2f} s for {m['points']:,} rows)",
        f"  gradcalc EXPR --x … --y … --z … --json        {m['process_per_point'] * us:10.0f} µs "
        f"(median of {m['calls']} calls)",
        f"  ratio                                         {m['process_per_point'] / m['command_per_point']:10.0f}× "
        f"faster per point with --points (goal: > 1000×)",
        "",
        "3. peak memory of the --points process",
    ]
    lines += [f"  {rows:>9,} rows  {mb:6.0f} MB" for rows, mb in m["rss_mb"].items()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=10**6)
    parser.add_argument("--calls", type=int, default=20, help="processes started, one point each")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="10⁵ points and 5 process calls")
    args = parser.parse_args()
    if args.quick:
        args.points, args.calls, args.rounds = 10**5, 5, 3
    print(report(measure(args.points, args.calls, args.rounds)))


if __name__ == "__main__":
    main()
