"""Benchmark: parsing a 10⁵-term sum written from paper (products without *, superscripts) against the
same sum written with * and **, and, with --against, this checkout's parse against another checkout's.

CPU time of parse() alone, in fresh processes taken in turns (A, B, A, B, …), each the best of a few
parses; the medians are compared as ratios, since the machine is shared and absolute times wander.

    python bench/notation.py                      # paper notation vs * and ** in this checkout
    python bench/notation.py --against ../main    # also: this checkout vs another on the * and ** text
    python bench/notation.py --terms 20000 --turns 5
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

CHILD = r"""
import gc, sys, time
sys.path.insert(0, sys.argv[1])
from gradcalc.parse import parse
text = open(sys.argv[2], encoding="utf-8").read()
parse("x")
best = float("inf")
for _ in range(int(sys.argv[3])):
    gc.collect()
    start = time.process_time()
    parse(text)
    best = min(best, time.process_time() - start)
print(best)
"""


def texts(n: int) -> dict[str, str]:
    """The same function twice: bench/run.py's terms, (x - k.5)**2 and c*x*y, then as written on paper."""
    starred = " + ".join(f"{i % 7 + 1}*x*y" if i % 2 else f"(x - {i}.5)**2" for i in range(n))
    paper = " + ".join(f"{i % 7 + 1}(x)(y)" if i % 2 else f"(x - {i}.5)²" for i in range(n))
    return {"with * and **": starred, "from paper": paper}


def time_parse(checkout: Path, path: Path, repeats: int) -> float:
    out = subprocess.run([sys.executable, "-c", CHILD, str(checkout), str(path), str(repeats)],
                         capture_output=True, text=True, check=True, cwd="/")
    return float(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--terms", type=int, default=100_000)
    parser.add_argument("--turns", type=int, default=7, help="processes per variant, taken in turns")
    parser.add_argument("--repeats", type=int, default=3, help="parses per process (the best counts)")
    parser.add_argument("--against", type=Path, help="another checkout of gradcalc to compare parse with")
    args = parser.parse_args()

    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for name, text in texts(args.terms).items():
            files[name] = Path(tmp) / f"{len(files)}.gc"
            files[name].write_text(text, encoding="utf-8")
        runs = {("this checkout", name): (HERE, path) for name, path in files.items()}
        if args.against:
            runs[("--against", "with * and **")] = (args.against.resolve(), files["with * and **"])
        times = {key: [] for key in runs}
        for _ in range(args.turns):
            for key, (checkout, path) in runs.items():
                times[key].append(time_parse(checkout, path, args.repeats))

    median = {key: statistics.median(values) for key, values in times.items()}
    print(f"parse of a {args.terms}-term sum: CPU time, median over {args.turns} processes "
          f"(best of {args.repeats} parses each)\n")
    print("| checkout | written | parse | ratio |")
    print("| --- | --- | --- | --- |")
    base = median[("this checkout", "with * and **")]
    for (checkout, name), value in median.items():
        print(f"| {checkout} | {name} | {value * 1000:.0f} ms | {value / base:.3f}× |")


if __name__ == "__main__":
    main()
