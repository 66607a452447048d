"""Benchmark: how many single slips on random graphs gradcalc.diagnose names (issue 24's ≥ 90%).

Random smooth expressions over a, b, c (tests/random_expressions.py, the property tests' own) at
random points, drawn by hypothesis with a fixed seed (derandomize) so a run is repeatable. On each
graph every single slip it admits (tests/random_slips.py: each made by a backward pass of its own,
not by the catalogue) is made, and for each input whose gradient it changes, the wrong number is
diagnosed; a slip is named when its mistake is among those the diagnosis gives. The right answer of
every input, and the right answer rounded to 1–4 decimals (the rounding mistake), are checked too:
a right answer diagnosed at all is a false diagnosis. mean-as-sum is made on random array programs
(the 1/n of each mean dropped, in gradcalc.diagnose.walk's loop); the matrix-product slips need
two matrices, which neither generator makes.

    python bench/diagnose_rate.py
    python bench/diagnose_rate.py --graphs 1000
"""

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from hypothesis import HealthCheck, given, settings  # noqa: E402

from gradcalc import compute  # noqa: E402
from gradcalc.diagnose import Diagnoser, close, seed_of, walk  # noqa: E402
from gradcalc.evaluate import needs_grad  # noqa: E402
from random_expressions import ARRAY_POINT, array_programs, evaluate_at, expressions, points  # noqa: E402
from random_slips import backward_with, mean_slips, rounded, single_slips  # noqa: E402

RTOL, ATOL = 1e-6, 1e-12


def measure(graphs: int) -> tuple[Counter, Counter, Counter, int]:
    tried, named, unmatched = Counter(), Counter(), Counter()
    false = [0]

    @settings(max_examples=graphs, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(text=expressions, point=points)
    def run(text, point):
        result = evaluate_at(text, point)
        graph, values = result.graph, result.values
        if not result.steps:
            return
        base = backward_with(graph, values)
        slips = [(mistake, backward_with(graph, values, **how)) for mistake, how in single_slips(graph, values)]
        for name, node in graph.variables.items():
            diagnoser = Diagnoser(graph, values, [node], result.upstream)
            right = float(result.grad_of(name))
            if diagnoser.diagnose(name, right, RTOL, ATOL) is not None:
                false[0] += 1
            wrongs = [(mistake, right + (grads[node] - base[node])) for mistake, grads in slips]
            wrongs += [("rounding", rounded(right, d)) for d in range(1, 5)]
            for mistake, wrong in wrongs:
                if wrong is None or abs(wrong - right) <= RTOL * abs(right) + ATOL:
                    continue   # this slip changes nothing here: not a wrong answer
                found = diagnoser.diagnose(name, wrong, RTOL, ATOL)
                tried[mistake] += 1
                if found is not None and mistake in (found.mistake,) + found.others:
                    named[mistake] += 1
                elif found is None or found.mistake is None:
                    unmatched[mistake] += 1
    run()

    # mean-as-sum needs a mean: random array programs over x (3,), M (2, 3) and s at one point.
    @settings(max_examples=graphs, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(text=array_programs)
    def arrays(text):
        result = compute(text, {n: v for n, v in ARRAY_POINT.items() if n in text})
        graph, values = result.graph, result.values
        needs, seed = needs_grad(graph), seed_of(graph, values, result.upstream)
        for mistake, edits in mean_slips(graph, values):
            grads = walk(graph, values, needs, seed, edits)
            for name, node in graph.variables.items():
                right, wrong = result.grad_of(name), grads[node]
                diagnoser = Diagnoser(graph, values, [node], result.upstream)
                if diagnoser.diagnose(name, right, RTOL, ATOL) is not None:
                    false[0] += 1
                if wrong is None or close(wrong, right, RTOL, ATOL):
                    continue
                found = diagnoser.diagnose(name, wrong, RTOL, ATOL)
                tried[mistake] += 1
                if found is not None and mistake in (found.mistake,) + found.others:
                    named[mistake] += 1
                elif found is None or found.mistake is None:
                    unmatched[mistake] += 1
    arrays()
    return tried, named, unmatched, false[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graphs", type=int, default=500, help="random graphs drawn (default 500)")
    args = parser.parse_args()
    start = time.perf_counter()
    tried, named, unmatched, false = measure(args.graphs)
    print(f"{'mistake':34} {'named':>7} {'of':>7} {'rate':>7} {'no match':>9}")
    for mistake in sorted(tried, key=lambda m: named[m] / tried[m]):
        print(f"{mistake:34} {named[mistake]:7} {tried[mistake]:7} {named[mistake] / tried[mistake]:7.1%} "
              f"{unmatched[mistake]:9}")
    total, hit = sum(tried.values()), sum(named.values())
    print(f"{'all single slips':34} {hit:7} {total:7} {hit / total:7.1%} {sum(unmatched.values()):9}")
    print(f"right answers diagnosed (false diagnoses): {false}")
    print(f"{args.graphs} graphs in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
