"""Pictures of the graph: each format's time beside the plain tables' on the same Result, and dot's layout time.

    python bench/pictures.py            # 10³, 10⁴, 10⁵ nodes; dot on 50 to 250 arrows (a few minutes)
    python bench/pictures.py --quick    # 10³ and 10⁴ nodes; dot on 50 to 150 arrows

Part 1 renders one Result in every format, interleaved round by round, and prints each one's median
as a ratio to the plain tables (every row shown). Part 2 times Graphviz's `dot -Tsvg` on the DOT of
graphs with more and more arrows, which is why --render refuses more than 150.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's gradcalc

from gradcalc import compute  # noqa: E402
from gradcalc.render.dot import render_dot  # noqa: E402
from gradcalc.render.mermaid import render_mermaid  # noqa: E402
from gradcalc.render.plain import render_plain  # noqa: E402
from gradcalc.render.tree import render_tree_plain  # noqa: E402

FORMATS = {
    "tables (--plain --max-rows 0)": lambda r: render_plain(r, max_rows=0),
    "--dot": render_dot,
    "--mermaid": render_mermaid,
    "--tree (--max-rows 0)": lambda r: render_tree_plain(r, max_nodes=0),
}


def formats(terms: int, rounds: int) -> list[str]:
    """Each format's median time on one Result of about 3·terms nodes, as a ratio to the tables."""
    result = compute(" + ".join(f"{i % 7 + 1}*x*y" for i in range(terms)), x=1.5, y=-0.5)
    times: dict[str, list[float]] = {name: [] for name in FORMATS}
    for _ in range(rounds):
        for name, render in FORMATS.items():
            start = time.perf_counter()
            render(result)
            times[name].append(time.perf_counter() - start)
    base = statistics.median(times[next(iter(FORMATS))])
    lines = [f"{len(result.graph.nodes)} nodes, median of {rounds} interleaved rounds"]
    for name, measured in times.items():
        median = statistics.median(measured)
        lines.append(f"  {name:30} {median * 1000:9.1f} ms   {median / base:5.2f}×")
    return lines


def layout(terms: int) -> str:
    """dot -Tsvg on a graph where 7 inputs and y feed `terms` products (the slow case: fan-out)."""
    program = " + ".join(f"sin(x{i % 7})*y" for i in range(terms))
    result = compute(program, {f"x{k}": 1 for k in range(7)}, y=2)
    text = render_dot(result)
    arrows = text.count(" -> ") - text.count("dir=back")
    start = time.perf_counter()
    try:
        subprocess.run(["dot", "-Tsvg", "-o", "/dev/null"], input=text.encode(), check=True, timeout=120)
        took = f"{time.perf_counter() - start:6.1f} s"
    except subprocess.TimeoutExpired:
        took = "> 120 s (stopped)"
    return f"  {arrows:4} arrows  {took}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer rounds")
    args = parser.parse_args()
    for terms in (333, 3333) if args.quick else (333, 3333, 33333):
        print("\n".join(formats(terms, 5 if args.quick else 7 if terms < 30000 else 3)))
    if shutil.which("dot") is None:
        print("dot layout: skipped (Graphviz is not installed)")
        return
    print("dot -Tsvg layout time, inputs shared by every term:")
    for terms in (17, 33, 50) if args.quick else (17, 33, 50, 66, 83):
        print(layout(terms))


if __name__ == "__main__":
    main()
