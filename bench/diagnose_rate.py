"""Benchmark: how many single slips on random graphs gradcalc.diagnose names (issue 24's ≥ 90%).

Random smooth expressions over a, b, c (tests/random_expressions.py, the property tests' own) at
random points, drawn by hypothesis with a fixed seed (derandomize) so a run is repeatable. On each
graph every single slip it admits (tests/random_slips.py: each made by a backward pass of its own,
not by the catalogue) is made, and for each input whose gradient it changes, the wrong number is
diagnosed; a slip is named when its mistake is among those the diagnosis gives. The right answer of
every input, and the right answer rounded to 1–4 decimals (the rounding mistake), are checked too:
a right answer diagnosed at all is a false diagnosis. mean-as-sum is made on random array programs
(the 1/n of each mean dropped, in gradcalc.diagnose.walk's loop), and the two matrix-product slips
(untransposed, wrong order) on random programs of matrix products, square ones included
(tests/random_slips.py's matrix_programs), their means' 1/n dropped too.

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
from random_slips import (MATRIX_POINT, backward_with, matmul_slips, matrix_programs, mean_slips,  # noqa: E402
                          rounded, single_slips)

RTOL, ATOL = 1e-6, 1e-12


class Tally:
    """Slips tried, named and unmatched per mistake, and right answers given a mistake."""

    def __init__(self):
        self.tried, self.named, self.unmatched, self.false = Counter(), Counter(), Counter(), 0

    def judge(self, result, name: str, node: int, right, wrongs: list) -> None:
        """Diagnose the right answer for ∂out/∂name (none is a false diagnosis) and each (mistake,
        wrong number) that differs from it."""
        diagnoser = Diagnoser(result.graph, result.values, [node], result.upstream)
        if diagnoser.diagnose(name, right, RTOL, ATOL) is not None:
            self.false += 1
        for mistake, wrong in wrongs:
            if wrong is None or close(wrong, right, RTOL, ATOL):
                continue   # this slip changes nothing here: not a wrong answer
            found = diagnoser.diagnose(name, wrong, RTOL, ATOL)
            self.tried[mistake] += 1
            if found is not None and mistake in (found.mistake,) + found.others:
                self.named[mistake] += 1
            elif found is None or found.mistake is None:
                self.unmatched[mistake] += 1


def drawn(graphs: int, run, **strategies) -> None:
    """Run `run` on `graphs` examples drawn from `strategies`, the same ones every time."""
    settings(max_examples=graphs, deadline=None, derandomize=True, database=None,
             suppress_health_check=list(HealthCheck))(given(**strategies)(run))()


def measure(graphs: int) -> Tally:
    tally = Tally()

    def scalar(text, point):   # every slip by tests/random_slips.py's own backward pass
        result = evaluate_at(text, point)
        graph, values = result.graph, result.values
        if not result.steps:
            return
        base = backward_with(graph, values)
        slips = [(mistake, backward_with(graph, values, **how)) for mistake, how in single_slips(graph, values)]
        for name, node in graph.variables.items():
            right = float(result.grad_of(name))
            wrongs = [(mistake, right + (grads[node] - base[node])) for mistake, grads in slips]
            tally.judge(result, name, node, right, wrongs + [("rounding", rounded(right, d)) for d in range(1, 5)])

    def edited(point: dict, slips_of):   # slips made as edits of the engine's backward loop
        def run(text):
            result = compute(text, {n: v for n, v in point.items() if n in text})
            graph, values = result.graph, result.values
            needs, seed = needs_grad(graph), seed_of(graph, values, result.upstream)
            made = [(mistake, walk(graph, values, needs, seed, edits)) for mistake, edits in slips_of(graph, values)]
            for name, node in graph.variables.items():
                if node != graph.output:   # the program `s`: an answer named s is its value, as check reads it
                    tally.judge(result, name, node, result.grad_of(name), [(m, grads[node]) for m, grads in made])
        return run

    drawn(graphs, scalar, text=expressions, point=points)
    # mean-as-sum needs a mean: random array programs over x (3,), M (2, 3) and s at one point
    drawn(graphs, edited(ARRAY_POINT, mean_slips), text=array_programs)
    # the matrix-product slips need products of matrices (and their means)
    drawn(graphs, edited(MATRIX_POINT, lambda graph, values: matmul_slips(graph, values) + mean_slips(graph, values)),
          text=matrix_programs)
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graphs", type=int, default=500, help="random graphs drawn (default 500)")
    args = parser.parse_args()
    start = time.perf_counter()
    tally = measure(args.graphs)
    tried, named, unmatched, false = tally.tried, tally.named, tally.unmatched, tally.false
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
