"""Benchmark: --points's reading and writing of one 60 000-row chunk, by file layout, for this checkout
and optionally another one (a baseline) side by side.

Layouts: plain `x,y,z`; an `id` column carried through; `;`-separated with decimal commas (a
decimal-comma locale's spreadsheet). For each: CPU time (time.process_time, so other jobs on a shared
machine disturb it less than wall time) of reading the chunk's numbers (`batch._csv_numbers`), and of
writing its CSV lines (`render.batch.csv_chunk`), the minimum of `--repeat` runs, in a fresh process
per checkout.

    python bench/batch_columns.py                       # this checkout
    python bench/batch_columns.py --baseline /path/to/other/checkout
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXPRESSION = "sin(x)*exp(-y) + log(x*y) + sqrt(x + y + z)/(1 + x**2) + tanh(y*z)"
ROWS = 60_000

_CHILD = r"""
import io, json, sys, time, timeit
import numpy as np
from gradcalc import batch
from gradcalc.parse import parse
from gradcalc.render import batch as out

expression, rows, repeat, layouts = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
graph = parse(expression)
rng = np.random.default_rng(0)
x, y, z = (rng.uniform(0.5, 2, rows).tolist() for _ in range(3))
TEXT = {
    "plain x,y,z": "x,y,z\n" + "".join(f"{a!r},{b!r},{c!r}\n" for a, b, c in zip(x, y, z)),
    "id,x,y,z": "id,x,y,z\n" + "".join(f"r{i},{a!r},{b!r},{c!r}\n" for i, (a, b, c) in enumerate(zip(x, y, z))),
    "x;y;z, decimal commas": "x;y;z\n" + "".join(f"{a!r};{b!r};{c!r}\n".replace(".", ",") for a, b, c in zip(x, y, z)),
}
import gradcalc
result = {"module": gradcalc.__file__}
for layout in layouts:
    data = TEXT[layout].encode()
    try:
        points = batch.open_points(io.BytesIO(data), graph)
    except Exception as error:   # a checkout that refuses the layout
        result[layout] = f"refused: {error}"
        continue
    lines, texts = next(batch._raw_chunks(points, 1 << 23, 1 << 23))
    new = hasattr(batch, "_csv_fast")
    read = (lambda: batch._csv_numbers(lines, texts, points)) if new else \
        (lambda: batch._csv_numbers(lines, texts, points.columns))
    chunk = next(batch.run(batch.open_points(io.BytesIO(data), graph), graph, first=1 << 23, largest=1 << 23))
    write = (lambda: out.csv_chunk(chunk, points, False)) if new else \
        (lambda: out.csv_chunk(chunk, points.columns, points.format, False))
    result[layout] = {name: min(timeit.repeat(f, number=1, repeat=repeat, timer=time.process_time))
                      for name, f in (("read", read), ("write", write))}
print(json.dumps(result))
"""

LAYOUTS = ["plain x,y,z", "id,x,y,z", "x;y;z, decimal commas"]


def measure(checkout: Path, repeat: int = 25) -> dict:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    done = subprocess.run([sys.executable, "-c", _CHILD, EXPRESSION, str(ROWS), str(repeat), *LAYOUTS],
                          capture_output=True, text=True, env=env, check=True, cwd="/")   # not this directory
    result = json.loads(done.stdout)
    assert Path(result.pop("module")).resolve().is_relative_to(Path(checkout).resolve()), "wrong gradcalc"
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="another checkout to measure beside this one")
    parser.add_argument("--repeat", type=int, default=25)
    args = parser.parse_args()
    checkouts = [("this checkout", ROOT)] + ([("baseline", args.baseline)] if args.baseline else [])
    print(f"{EXPRESSION}\n  one chunk of {ROWS:,} rows; CPU ms, minimum of {args.repeat} runs\n")
    print(f"  {'layout':26}" + "".join(f"{name:>30}" for name, _ in checkouts))
    results = [measure(path, args.repeat) for _, path in checkouts]
    for layout in LAYOUTS:
        cells = []
        for result in results:
            got = result[layout]
            cells.append(f"{got[:28]:>30}" if isinstance(got, str) else
                         f"{'read %.0f, write %.0f' % (got['read'] * 1e3, got['write'] * 1e3):>30}")
        print(f"  {layout:26}" + "".join(cells))


if __name__ == "__main__":
    main()
