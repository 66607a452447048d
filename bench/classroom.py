"""Benchmark: grading a class, `gradcalc check SHEET --answers ANSWERS.csv`, 1 000 students × 20 answers.

Two classes of the same size are graded:
- typical: each answer drawn from a handful of texts per question (right formulas written several
  ways, right and wrong numbers, a formula right only at the point, malformed text, blanks), as a
  real class writes them: ~150 distinct answers;
- all distinct: every student writes every formula differently (`(2*(x+y))*1.0042/1.0042`), the
  worst case for the grader, which judges each distinct text once: 20 000 distinct formulas.

For each, the whole command is timed as a process (start-up, reading, grading, the gradebook on
stdout), then with --json, then with --report DIR --solutions: the best and median wall time of
`--rounds` runs, and the median CPU time (user + system), which a loaded machine disturbs less.

    python bench/classroom.py
    python bench/classroom.py --students 300 --rounds 1
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SHEET = '''title = "Benchmark sheet"

[[problem]]
id = "sq"
expression = "(x+y)**2"
at = { x = 1, y = 2 }
answers = ["x", "y", "z"]

[[problem]]
id = "shop"
expression = """
apple_price = apple*apple_num
orange_price = orange*orange_num
price = (apple_price + orange_price)*tax
"""
at = { apple = 100, apple_num = 2, orange = 150, orange_num = 3, tax = 1.1 }
answers = ["price", "apple", "apple_num", "orange", "orange_num", "tax", "apple_price"]

[[problem]]
id = "neuron"
expression = "sigmoid(w*x + b)"
at = { w = 0.5, x = 2, b = -1 }
answers = ["w", "x", "b", "z"]

[[problem]]
id = "chain"
expression = "t = x*y; u = sin(t); z = u*exp(x)"
at = { x = 0.5, y = 2 }
answers = ["x", "y", "t", "u", "z"]

[[problem]]
id = "log"
expression = "log(x)*y"
at = { x = 2, y = 3 }
answers = ["x"]
'''

# Per column: texts a class writes (right ones several ways, wrong ones, malformed, blank).
POOLS = {
    "sq.x": ["2*(x+y)", "2*x+2*y", "6", "x+y+3", "2*(x+", "", "3", "2*(x + y)"],
    "sq.y": ["2*(x+y)", "6", "2*y+2*x", "y+4", "", "(x+y)*2", "2*y", "sqrt(36)"],
    "sq.z": ["9", "(x+y)**2", "", "8", "x*x+2*x*y+y*y", "3**2"],
    "shop.price": ["715", "715.0", "(apple*apple_num+orange*orange_num)*tax", "650", "", "7l5"],
    "shop.apple": ["2.2", "apple_num*tax", "2", "tax*2", "", "apple_num*"],
    "shop.apple_num": ["110", "apple*tax", "100", "", "110.00"],
    "shop.orange": ["3.3", "orange_num*tax", "3", "", "3.3000001"],
    "shop.orange_num": ["165", "orange*tax", "150", "", "165."],
    "shop.tax": ["650", "apple_price + orange_price", "apple*apple_num+orange*orange_num", "715", ""],
    "shop.apple_price": ["1.1", "tax", "1", "", "tax*1"],
    "neuron.w": ["sigmoid(w*x+b)*(1-sigmoid(w*x+b))*x", "0.5", "x/4", "z*(1-z)*x", "", "0.25"],
    "neuron.x": ["sigmoid(w*x+b)*(1-sigmoid(w*x+b))*w", "0.125", "w/4", "", "0.5"],
    "neuron.b": ["sigmoid(w*x+b)*(1-sigmoid(w*x+b))", "0.25", "1/4", "", "sigmoid(b)"],
    "neuron.z": ["0.5", "sigmoid(w*x+b)", "", "1/2", "0"],
    "chain.x": ["cos(x*y)*y*exp(x) + sin(x*y)*exp(x)", "exp(x)*(y*cos(t)+u)", "u*exp(x)", "", "1.5"],
    "chain.y": ["cos(t)*x*exp(x)", "x*cos(x*y)*exp(x)", "cos(t)", "", "0.445"],
    "chain.t": ["cos(t)*exp(x)", "cos(x*y)*exp(x)", "exp(x)", "", "cos(t"],
    "chain.u": ["exp(x)", "1.6487212707", "1", "", "e**x"],
    "chain.z": ["sin(1)*exp(0.5)", "u*exp(x)", "1.387", "", "sin(t)*exp(x)"],
    "log.x": ["y/x", "1.5", "3/x", "1/x", "", "y/x/"],
}


def write_class(folder: Path, students: int, distinct: bool, seed: int = 0) -> tuple[Path, Path]:
    rng = random.Random(seed)
    sheet, answers = folder / "sheet.toml", folder / "answers.csv"
    sheet.write_text(SHEET)
    with answers.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["student"] + list(POOLS))
        for i in range(students):
            row = [f"Student {i:04d}"]
            for column, pool in POOLS.items():
                if distinct:   # a right formula, written differently by every student
                    row.append(f"({pool[1] if column.endswith(('.z', 'price')) else pool[0]})"
                               f"*1.{i:04d}/1.{i:04d}")
                else:
                    row.append(rng.choice(pool))
            out.writerow(row)
    return sheet, answers


def time_command(args: list[str], rounds: int) -> tuple[list[float], list[float]]:
    """Wall times and CPU times (user + system of the process) of `rounds` runs."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    walls, cpus = [], []
    for _ in range(rounds):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "gradcalc", *args], env=env, capture_output=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            raise SystemExit(f"gradcalc {' '.join(args)} exited {done.returncode}:\n{done.stderr.decode()}")
    return walls, cpus


def measure(students: int = 1000, rounds: int = 3) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for distinct in (False, True):
            folder = Path(tmp) / ("distinct" if distinct else "typical")
            folder.mkdir()
            sheet, answers = write_class(folder, students, distinct)
            base = ["check", str(sheet), "--answers", str(answers)]
            for label, extra in (("gradebook", []), ("--json", ["--json"]),
                                 ("--report --solutions", ["--report", str(folder / "r"), "--solutions"])):
                walls, cpus = time_command(base + extra, rounds)
                rows.append({"class": "all distinct" if distinct else "typical", "output": label,
                             "best_s": min(walls), "median_s": statistics.median(walls),
                             "cpu_s": statistics.median(cpus)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    print(f"{options.students} students × {len(POOLS)} answers, whole process: wall time (best, median) "
          f"and CPU time (median) of {options.rounds} runs; load average {os.getloadavg()[0]:.1f}")
    print(f"  {'class':<13} {'output':<22} {'best':>8} {'median':>8} {'CPU':>8}")
    for row in measure(options.students, options.rounds):
        print(f"  {row['class']:<13} {row['output']:<22} {row['best_s']:7.2f}s {row['median_s']:7.2f}s "
              f"{row['cpu_s']:7.2f}s")


if __name__ == "__main__":
    main()
