"""Benchmark: value and gradient at 10⁷ points — one `--points` process vs Dask on a local cluster.

Both read the same CSV file (x, y, z) and write CSV with the same columns (the inputs, value, df/dx,
df/dy, df/dz; the output is f, as z is an input):
  1. `gradcalc EXPR --points FILE > OUT` — one process, chunk by chunk;
  2. `dd.read_csv(FILE).map_partitions(gradcalc.vectorize(EXPR), meta=…).to_csv(DIR)` on a
     LocalCluster of worker processes (one per core by default), one CSV file per partition;
  3. the same Dask graph written as Parquet instead (the format one would pick at this scale);
  4. the same Dask graph reduced to one sum per column instead of written out (what a sensitivity
     study over many points would keep), to show how much of the time is writing text.
The rows of (1) and (2) are counted and their value columns summed, to show they are the same work.

    python bench/dask_batch.py                  # 10⁷ rows, 2 workers
    python bench/dask_batch.py --rows 1000000   # quicker
    python bench/dask_batch.py --workers 4

Needs the `dask` extra (pip install -e '.[dask]'). The machine's load average is printed before and
after: on a shared machine the numbers move with it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))   # the gradcalc of this checkout

import gradcalc  # noqa: E402

# Scratch files go under bench/results/ (git ignores it), never the machine's shared temp dir.
SCRATCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
os.makedirs(SCRATCH, exist_ok=True)

EXPRESSION = "sin(x)*exp(-y) + log(x*y) + sqrt(x + y + z)/(1 + x**2) + tanh(y*z)"


def write_points(path: Path, rows: int, seed: int = 0) -> None:
    """x, y, z uniform in [0.5, 2], six decimals, written in blocks so memory stays small."""
    rng = np.random.default_rng(seed)
    with open(path, "w") as out:
        out.write("x,y,z\n")
        block = 1_000_000
        for start in range(0, rows, block):
            points = rng.uniform(0.5, 2, (min(block, rows - start), 3))
            np.savetxt(out, points, fmt="%.6f", delimiter=",")


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def run_points(points: Path, out: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    with open(out, "wb") as sink:
        subprocess.run([sys.executable, "-m", "gradcalc", EXPRESSION, "--points", str(points)],
                       stdout=sink, check=True, env=env)
    return time.perf_counter() - start


def run_dask(points: Path, out_dir: Path, workers: int, blocksize: str) -> dict:
    import dask.dataframe as dd
    from dask.distributed import Client, LocalCluster

    numbers = {}
    start = time.perf_counter()
    import dask

    # The workers' spill files and locks go beside the output (under bench/results/), not in Dask's
    # default, the shared temp dir's dask-scratch-space.
    dask.config.set({"temporary-directory": str(out_dir.parent / "dask-scratch")})
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster, Client(cluster):
        numbers["cluster start"] = time.perf_counter() - start
        f = gradcalc.vectorize(EXPRESSION)
        table = dd.read_csv(str(points), blocksize=blocksize)
        rows = table.map_partitions(f, meta=f.meta(table))
        numbers["partitions"] = table.npartitions
        start = time.perf_counter()
        rows.head(1)   # the workers import pandas and gradcalc and parse the expression once
        numbers["warm-up"] = time.perf_counter() - start
        start = time.perf_counter()
        rows.to_csv(str(out_dir / "part-*.csv"), index=False)
        numbers["to_csv"] = time.perf_counter() - start
        start = time.perf_counter()
        rows.to_parquet(str(out_dir / "parquet"), write_index=False)
        numbers["to_parquet"] = time.perf_counter() - start
        start = time.perf_counter()
        sums = rows[list(rows.columns[3:])].sum().compute()   # value and the three gradients
        numbers["sum"] = time.perf_counter() - start
        numbers["value sum"] = float(sums["value"])
    return numbers


def count_and_sum(paths: list[Path]) -> tuple[int, float]:
    """Rows and the sum of the value column over CSV files with gradcalc's header."""
    import pandas as pd

    rows, total = 0, 0.0
    for path in paths:
        for chunk in pd.read_csv(path, usecols=["value"], chunksize=2_000_000):
            rows += len(chunk)
            total += float(chunk["value"].sum())
    return rows, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--blocksize", default="32MB", help="Dask's bytes of CSV per partition")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=SCRATCH, prefix="gradcalc-dask-") as tmp:
        tmp = Path(tmp)
        points = tmp / "points.csv"
        start = time.perf_counter()
        write_points(points, args.rows)
        size = points.stat().st_size
        print(EXPRESSION)
        print(f"  {args.rows:,} rows, {size / 1e6:.0f} MB of CSV (written in "
              f"{time.perf_counter() - start:.0f} s); {os.cpu_count()} cores; load {load()}")

        out = tmp / "points-out.csv"
        seconds = run_points(points, out)
        rows, total = count_and_sum([out])
        out.unlink()
        print("\n1. gradcalc EXPR --points FILE > OUT (one process)")
        print(f"  {seconds:8.1f} s   {1e6 * seconds / args.rows:6.2f} µs/row   {rows:,} rows   "
              f"Σ value = {total:.6f}   load {load()}")

        out_dir = tmp / "dask-out"
        out_dir.mkdir()
        numbers = run_dask(points, out_dir, args.workers, args.blocksize)
        rows_dask, total_dask = count_and_sum(sorted(out_dir.glob("part-*.csv")))
        shutil.rmtree(out_dir)
        print(f"\n2. Dask LocalCluster, {args.workers} worker processes × 1 thread, "
              f"{numbers['partitions']} partitions of {args.blocksize}")
        print(f"  cluster start  {numbers['cluster start']:6.1f} s, workers' first task "
              f"{numbers['warm-up']:.1f} s (imports), not counted below")
        print("  read_csv → map_partitions(vectorize) → to_csv")
        print(f"  {numbers['to_csv']:8.1f} s   {1e6 * numbers['to_csv'] / args.rows:6.2f} µs/row   "
              f"{rows_dask:,} rows   Σ value = {total_dask:.6f}   load {load()}")
        print(f"  ratio          {seconds / numbers['to_csv']:6.2f}× the one process's speed")
        print("\n3. the same Dask graph written as Parquet (pyarrow) instead of CSV")
        print(f"  {numbers['to_parquet']:8.1f} s   {1e6 * numbers['to_parquet'] / args.rows:6.2f} µs/row"
              f"   load {load()}")
        print("\n4. the same Dask graph reduced to one sum per column (nothing written)")
        print(f"  {numbers['sum']:8.1f} s   {1e6 * numbers['sum'] / args.rows:6.2f} µs/row   "
              f"Σ value = {numbers['value sum']:.6f}   load {load()}")
        same = rows == rows_dask and abs(total - total_dask) <= 1e-9 * abs(total)
        print(f"\n{'same' if same else 'DIFFERENT'} rows and Σ value from --points and Dask")


if __name__ == "__main__":
    main()
