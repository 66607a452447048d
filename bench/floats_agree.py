"""Do the scalar functions on Python floats (gradcalc.xp, through `math`) give numpy's bits?

For every op of gradcalc.ops (with `floats` set, and the elementwise ones kept on numpy for this
reason), evaluate its forward and each local derivative on N random points, once point by point on
Python floats and once on a numpy array, and count the points where the two differ bit for bit (any
two NaNs count as equal: gradcalc prints them alike). The points mix the function's own domain,
magnitudes from 1e-320 to 1e308 of either sign, the edges of the domain and special values
(0, -0.0, ±1, ±inf, nan, subnormals).

    python bench/floats_agree.py            # N = 1 000 000 per op
    python bench/floats_agree.py -n 100000 asinh sinh

A nonzero count for an op with `floats` set means its Python-float path does not give numpy's digits
on this machine. Two causes, told apart by a second run: gradcalc computing differently on the two
paths (its fault: take the op off the float path), or numpy's SIMD loops for this CPU giving other
last bits than the C library that `math` calls (numpy 2.4's AVX-512 exp, log, tan, pow, …, within
0.65 ulp of the exact value, as `math` is within 0.55). So where numpy dispatches AVX-512 loops and
something differs, the script runs again with them off (NPY_DISABLE_CPU_FEATURES), numpy then taking
the loops that match the C library: what still differs there is gradcalc's, and sets the exit code.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import time

import numpy as np

from gradcalc.ops import OPS
from gradcalc.ops.rules import NUMBERS, numbers_local

SPECIAL = np.array([0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, np.inf, -np.inf, np.nan, 5e-324, -5e-324,
                    2.2250738585072014e-308, 1.7976931348623157e308, -1.7976931348623157e308,
                    0.9999999999999999, 1.0000000000000002, -0.9999999999999999, -1.0000000000000002,
                    709.782712893384, 710.0, -745.2, 1024.0, -1075.0, 37.0, -37.0])
# Where each function does its work (uniform samples there); default [-20, 20].
DOMAIN = {"asin": (-1, 1), "acos": (-1, 1), "atanh": (-1, 1), "acosh": (1, 50), "log2": (0, 100),
          "log10": (0, 100), "log1p": (-1, 10), "exp2": (-1100, 1100), "cbrt": (-1000, 1000),
          "sinh": (-720, 720), "cosh": (-720, 720), "expm1": (-50, 720), "tanh": (-20, 20),
          "erf": (-6, 6), "erfc": (-6, 30), "softplus": (-750, 750)}
# The elementwise ops kept on numpy because math gives other digits: their forward is measured
# against the math function a float path would call.
KEPT_ON_NUMPY = {"tanh": math.tanh, "hypot": math.hypot}
SCALARS = 2000   # of the N points, how many are also compared on np.float64 scalars (gradcalc's numpy path)


def points(rng, n: int, lo: float, hi: float) -> np.ndarray:
    quarter = n // 4
    magnitudes = np.sign(rng.uniform(-1, 1, quarter)) * 10.0 ** rng.uniform(-320, 308, quarter)
    edges = rng.choice([lo, hi, 0.0, 1.0, -1.0], n - 3 * quarter - len(SPECIAL)) * \
        (1 + rng.normal(0, 1e-12, n - 3 * quarter - len(SPECIAL)))
    return np.concatenate([rng.uniform(lo, hi, 2 * quarter), magnitudes, edges, SPECIAL])


def differ(on_floats: list, on_numpy: np.ndarray) -> int:
    a = np.asarray(on_floats, dtype=np.float64)
    b = np.broadcast_to(np.asarray(on_numpy, dtype=np.float64), a.shape)
    same = (a.view(np.int64) == b.view(np.int64)) | (np.isnan(a) & np.isnan(b))
    return int(np.sum(~same))


def measure(key: str, n: int, rng) -> tuple[int, ...]:
    op = OPS[key]
    lo, hi = DOMAIN.get(key, (-20, 20))
    args = [points(rng, n, lo, hi) for _ in range(op.arity)]
    if key == "clip":                 # bounds in order, as clip requires
        args[1], args[2] = np.minimum(args[1], args[2]), np.maximum(args[1], args[2])
        keep = ~(args[1] > args[2])
        args = [a[keep] for a in args]
    columns = [a.tolist() for a in args]
    with np.errstate(all="ignore"):
        forward_numpy = op.forward(*args)
        if key in KEPT_ON_NUMPY:
            function = KEPT_ON_NUMPY[key]
            return [differ([function(*p) for p in zip(*columns)], forward_numpy)]
        forward_floats = [op.forward(*p) for p in zip(*columns)]
        # gradcalc's numpy path on one point (np.float64 scalars) against an array, on a sample: numpy's
        # scalar and array loops can differ too (pow on AVX-512)
        scalars = [op.forward(*map(np.float64, p)) for p in list(zip(*columns))[-SCALARS:]]
        counts = [differ(forward_floats, forward_numpy), differ(scalars, forward_numpy[-SCALARS:])]
        out_columns = np.asarray(forward_floats, dtype=np.float64)
        for local in op.local:
            if local is None:
                continue
            local_numpy = local(NUMBERS, *args, out_columns)
            # as the backward pass reads it: a Python float divided by 0 is read again on numpy scalars
            local_floats = [numbers_local(local, p, out) for p, out in zip(zip(*columns), forward_floats)]
            counts.append(differ(local_floats, local_numpy))
    return counts


def avx512_loops() -> list[str]:
    """The AVX-512 targets numpy dispatches to on this CPU (none where it has none, or they are off)."""
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    return [name for name in __cpu_dispatch__ if ("AVX512" in name or name == "X86_V4")
            and __cpu_features__.get(name)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=1_000_000, help="points per op (default 10^6)")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("ops", nargs="*", help="op keys (default: every float op, and tanh, hypot)")
    options = parser.parse_args(argv)
    keys = options.ops or [k for k, op in OPS.items() if op.floats and op.names] + list(KEPT_ON_NUMPY)
    off = os.environ.get("NPY_DISABLE_CPU_FEATURES")
    print(f"numpy {np.__version__}" + (f", its loops for {off} off" if off else f", AVX-512 loops: "
                                       f"{' '.join(avx512_loops()) or 'none'}")
          + "; differing points out of N per op, bit for bit (nan = nan)")
    rng = np.random.default_rng(options.seed)
    bad = []
    print(f"{'op':<20} {'floats':>6} {'points':>9}  differing: forward, np.float64 of {SCALARS}, each local   "
          f"seconds")
    for key in keys:
        start = time.perf_counter()
        counts = measure(key, options.n, rng)
        took = time.perf_counter() - start
        print(f"{key:<20} {str(OPS[key].floats):>6} {options.n:>9}  {', '.join(map(str, counts)):<30} {took:6.1f}",
              flush=True)
        if key not in KEPT_ON_NUMPY and any(counts):
            bad.append(key)
    if bad:
        print(f"float path differs from numpy for: {', '.join(bad)}")
    loops = avx512_loops()
    if bad and loops and not off:
        print("\nagain with numpy's AVX-512 loops off (the C library's digits), so that what differs is "
              "gradcalc's:\n", flush=True)
        again = [sys.executable, __file__, "-n", str(options.n), "--seed", str(options.seed), *bad]
        return subprocess.run(again, env={**os.environ, "NPY_DISABLE_CPU_FEATURES": " ".join(loops)}).returncode
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
