"""Benchmark: what a hostile or just very large class costs the grader (issue 21's resources).

- memory: a class of N students who each write a short answer no one else writes (`x*1.000123` …):
  every distinct answer is judged once, and what is kept of it must stay small; the peak resident
  memory of the whole `gradcalc check SHEET --answers CSV` process (goal: under 300 MB at 60 000);
- names: N students named almost alike ("Student", "student", "Student-2", …) written with
  --report DIR: the file names are made unique (goal: under 5 s at 40 000), timed in-process (the
  names alone) and as the whole command;
- long answers: one cell of 200 000 characters among ordinary ones is that student's failure,
  never the class's (exit 0), and how long it takes.

    python bench/grader.py
    python bench/grader.py --students 60000 --names 40000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Scratch files go under bench/results/ (git ignores it), never the machine's shared temp dir.
SCRATCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
os.makedirs(SCRATCH, exist_ok=True)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHEET = '''title = "Benchmark: a large class"

[[problem]]
id = "p"
expression = "x*y + sin(x)"
at = { x = 1, y = 2 }
answers = ["x", "y"]
'''


def run(args: list[str]) -> tuple[float, float, int]:
    """Wall time, peak resident memory (MB) and exit code of one gradcalc process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # ru_maxrss of RUSAGE_CHILDREN is the largest child so far: each measurement runs in a fresh
    # python that only starts gradcalc and reports its own child's peak.
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)"
             ".returncode; wall = time.perf_counter() - t; "
             "print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)")
    done = subprocess.run([sys.executable, "-c", probe, sys.executable, "-m", "gradcalc", *args],
                          env=env, capture_output=True, text=True, check=True)
    wall, kb, code = done.stdout.split()
    return float(wall), int(kb) / 1024, int(code)


def memory(folder: Path, students: int) -> None:
    sheet, answers = folder / "sheet.toml", folder / "answers.csv"
    sheet.write_text(SHEET)
    with answers.open("w") as out:
        out.write("student,p.x,p.y\n")
        for i in range(students):   # short and distinct: right formulas, each written once
            out.write(f"s{i},y*1.{i:06d}/1.{i:06d}+cos(x),{i % 7}\n")
    for label, extra in (("gradebook", []), ("--json", ["--json"])):
        wall, mb, code = run(["check", str(sheet), "--answers", str(answers), *extra])
        print(f"  memory: {students:,} students, {students + 7:,} distinct answers, {label}: peak "
              f"{mb:,.0f} MB, {wall:.1f} s wall, exit {code}")


# Digits written as marks a file name drops: "Student 17" → "Student !(", whose file stem is Student.
_MARKS = str.maketrans("0123456789", ".!?()[]{}~")


def names(folder: Path, count: int) -> None:
    from gradcalc.classroom import Student
    from gradcalc.render.classroom import file_names

    alike = ["Student", "student", "Student-2", "STUDENT", "Student 2", "Student_"]
    students = [Student(alike[i % len(alike)], i + 2, []) for i in range(count)]
    start = time.perf_counter()
    made = file_names(students)
    took = time.perf_counter() - start
    assert len({name.lower() for name in made}) == count
    print(f"  names: {count:,} near-identical names made unique in {took:.2f} s (in-process)")
    sheet, answers = folder / "names.toml", folder / "names.csv"
    sheet.write_text(SHEET)
    with answers.open("w") as out:
        out.write("student,p.x,p.y\n")
        for i in range(count):
            # names differ (a student appears once) but all reduce to the same file stem
            out.write(f"{alike[i % len(alike)]} {str(i).translate(_MARKS)},y+cos(x),{i % 3}\n")
    wall, mb, code = run(["check", str(sheet), "--answers", str(answers), "--report", str(folder / "r")])
    print(f"  names: {count:,} students whose names make one file stem, --report: {wall:.1f} s wall, "
          f"peak {mb:,.0f} MB, exit {code}")


def long_answer(folder: Path) -> None:
    sheet, answers = folder / "long.toml", folder / "long.csv"
    sheet.write_text(SHEET)
    answers.write_text("student,p.x,p.y\nAda,y+cos(x),1\nBen," + "x+" * 100_000 + "x,1\nCy,2,1\n")
    wall, mb, code = run(["check", str(sheet), "--answers", str(answers)])
    print(f"  long answer: a 200 001-character cell among ordinary ones: exit {code}, {wall:.1f} s wall, "
          f"peak {mb:,.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=60_000)
    parser.add_argument("--names", type=int, default=40_000)
    options = parser.parse_args()
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
        memory(Path(tmp), options.students)
        names(Path(tmp), options.names)
        long_answer(Path(tmp))


if __name__ == "__main__":
    main()
