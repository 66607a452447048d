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

`--diagnosis` times what naming the mistakes costs instead (issue 24): the same sheet, 1 000
students × 20 answers of which 30% are wrong, graded in this process with and without the
diagnosis step (grade_class(..., diagnose=False) for the baseline: no wrong answer's mistake
named, no follow-through judged), CPU time of grade_class, min of `--rounds`. Two classes: wrong answers drawn from a few plausible wrong numbers per question (the
slips students make, and two others), and every wrong answer a number of its own (the worst case:
no two students' wrong answers alike, so no pass is judged twice).

    python bench/classroom.py
    python bench/classroom.py --students 300 --rounds 1
    python bench/classroom.py --diagnosis
    python bench/classroom.py --variants

`--variants` times the typical class on the same sheet with one point for all and with a point per
student (issue 25): ranges and choices shared by several students, and every student's point distinct.
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

# Scratch files go under bench/results/ (git ignores it), never the machine's shared temp dir.
SCRATCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
os.makedirs(SCRATCH, exist_ok=True)

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

# The same sheet with a point per student (issue 25): ranges and choices, 245 distinct problem
# points in all (15 + 96 + 63 + 30 + 41), so 1 000 students share most; WIDE draws every student a
# point of their own (3 decimals in wide ranges): the worst case, nothing shared.
VARIANTS = {
    "at = { x = 1, y = 2 }": "at = { x = { range = [1, 5] }, y = { choices = [1, 2, 3] } }",
    "at = { apple = 100, apple_num = 2, orange = 150, orange_num = 3, tax = 1.1 }":
        "at = { apple = { choices = [100, 120, 150] }, apple_num = { range = [1, 4] }, orange = 150, "
        "orange_num = { range = [2, 5] }, tax = { choices = [1.05, 1.1] } }",
    "at = { w = 0.5, x = 2, b = -1 }": "at = { w = { range = [-1, 1], decimals = 1 }, x = { choices = [1, 2, 3] }, b = -1 }",
    "at = { x = 0.5, y = 2 }": "at = { x = { range = [0.1, 1], decimals = 1 }, y = { range = [1, 3] } }",
    "at = { x = 2, y = 3 }": "at = { x = { range = [1, 5], decimals = 1 }, y = 3 }",
}
WIDE = {fixed: spec.replace("decimals = 1", "decimals = 3").replace("range = [1, 5] }", "range = [1, 5], decimals = 3 }")
        .replace("range = [1, 4] }", "range = [1, 4], decimals = 3 }")
        for fixed, spec in VARIANTS.items()}


def variant_sheet(wide: bool = False) -> str:
    text = "seed = 2026\n" + SHEET
    for fixed, spec in (WIDE if wide else VARIANTS).items():
        assert fixed in text
        text = text.replace(fixed, spec, 1)
    return text


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


def write_class(folder: Path, students: int, distinct: bool, seed: int = 0,
                own: dict | None = None) -> tuple[Path, Path]:
    """The sheet and a class's answers; with `own` (student → column → their own right value, for a
    sheet with a point per student) a number that is right at the sheet's point is written as the
    right number at the student's own point, as a student who got it right would."""
    rng = random.Random(seed)
    sheet, answers = folder / "sheet.toml", folder / "answers.csv"
    sheet.write_text(SHEET)
    right = _right_numbers() if own else {}
    with answers.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["student"] + list(POOLS))
        for i in range(students):
            name = f"Student {i:04d}"
            row = [name]
            for column, pool in POOLS.items():
                if distinct:   # a right formula, written differently by every student
                    row.append(f"({pool[1] if column.endswith(('.z', 'price')) else pool[0]})"
                               f"*1.{i:04d}/1.{i:04d}")
                else:
                    text = rng.choice(pool)
                    row.append(repr(own[name][column]) if own and text in right.get(column, ()) else text)
            out.writerow(row)
    return sheet, answers


def _right_numbers() -> dict[str, set[str]]:
    """Per column, the texts of its pool that are right numbers at the sheet's own point."""
    sys.path.insert(0, str(ROOT))
    from gradcalc.answer_key import sheet_key
    from gradcalc.classroom import load_class_sheet

    values = {e.column: float(e.value) for kp in sheet_key(load_class_sheet(SHEET), 0).problems for e in kp.entries}
    found = {}
    for column, pool in POOLS.items():
        for text in pool:
            try:
                number = float(text)
            except ValueError:
                continue
            if abs(number - values[column]) <= 1e-6 * abs(values[column]) + 1e-12:
                found.setdefault(column, set()).add(text)
    return found


def own_values(sheet_text: str, students: int) -> dict:
    """Each student's right value of every column at their own point (gradcalc's answer key)."""
    sys.path.insert(0, str(ROOT))
    from gradcalc.answer_key import student_keys
    from gradcalc.classroom import load_class_sheet

    names = [f"Student {i:04d}" for i in range(students)]
    return {key.student: {e.column: float(e.value) for kp in key.problems for e in kp.entries}
            for key in student_keys(load_class_sheet(sheet_text), names, 0)}


def time_command(args: list[str], rounds: int) -> tuple[list[float], list[float]]:
    """Wall times and CPU times (user + system of the process) of `rounds` runs."""
    # .pyc files written and used, as an installed gradcalc has them (pip compiles on install): a
    # machine that sets PYTHONDONTWRITEBYTECODE would otherwise time compiling every module too.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"PYTHONPATH": str(ROOT)}
    walls, cpus = [], []
    subprocess.run([sys.executable, "-m", "gradcalc", *args], env=env, capture_output=True)   # warm-up
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
    with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
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


def diagnosis_class(students: int, distinct: bool, wrong_share: float = 0.3, seed: int = 0) -> str:
    """An answers CSV where `wrong_share` of the answers are wrong numbers, the others right numbers."""
    sys.path.insert(0, str(ROOT))
    from gradcalc.classroom import load_class_sheet
    from gradcalc.diagnose import Diagnoser

    rng = random.Random(seed)
    sheet = load_class_sheet(SHEET)
    right, wrong = {}, {}
    for problem in sheet.problems:
        result = problem.result
        graph = result.graph
        targets = [graph.node_of(a.name) for a in problem.asked
                   if graph.node_of(a.name) not in (None, graph.output)]
        diagnoser = Diagnoser(graph, result.values, targets)
        for asked in problem.asked:
            column = asked.column
            node = graph.node_of(asked.name)
            if node in (None, graph.output):   # the output's value
                value = float(result.values[graph.output])
                slips = []
            else:
                value = float(diagnoser.correct(node))
                slips = sorted({round(float(slip.grads[node]), 12) for slip in diagnoser.slips
                                if slip.grads[node] is not None and abs(slip.grads[node] - value) > 1e-6})
            right[column] = value
            wrong[column] = (slips[:4] + [value * 1.5 + 1, -value - 2])
    lines = ["student," + ",".join(right)]
    for i in range(students):
        row = [f"Student {i:04d}"]
        for column, value in right.items():
            if rng.random() >= wrong_share:
                row.append(repr(value))
            elif distinct:
                row.append(repr(value + 0.013 * (i + 1) + 0.5))
            else:
                row.append(repr(rng.choice(wrong[column])))
        lines.append(",".join(row))
    return "\n".join(lines) + "\n"


def time_grading(answers: str, diagnose: bool, rounds: int) -> float:
    """CPU seconds (min of `rounds`) of grade_class on the answers, with or without the diagnosis."""
    from gradcalc.classroom import grade_class, load_class_sheet, read_answers

    times = []
    for _ in range(rounds):
        sheet = load_class_sheet(SHEET)   # fresh: its keys keep their nearby points
        table = read_answers(answers, sheet)
        start = time.process_time()
        book = grade_class(sheet, table, diagnose=diagnose)
        times.append(time.process_time() - start)
    named = sum(1 for s in book.students for m in s.marks
                if m.entry is not None and m.entry.diagnosis is not None and m.entry.diagnosis.mistake)
    wrong = sum(1 for s in book.students for m in s.marks if m.verdict is not None and not m.ok)
    return min(times), named, wrong


# The command as a process, graded without the diagnosis step for the baseline.
WITHOUT = ("import sys, functools; import gradcalc.classroom as c; "
           "c.grade_class = functools.partial(c.grade_class, diagnose=False); "
           "from gradcalc.cli import main; sys.argv[0] = 'gradcalc'; main()")
WITH = "import sys; from gradcalc.cli import main; sys.argv[0] = 'gradcalc'; main()"


def time_process(code: str, args: list[str], rounds: int) -> float:
    """Median CPU time (user + system) of the whole command run `rounds` times."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cpus = []
    for _ in range(rounds):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            raise SystemExit(f"gradcalc {' '.join(args)} exited {done.returncode}:\n{done.stderr.decode()}")
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(cpus)


def diagnosis_main(students: int, rounds: int) -> None:
    print(f"{students} students × {len(POOLS)} answers, 30% wrong, with and without naming the mistakes; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"  CPU time of grade_class in this process (min of {rounds}):")
    print(f"  {'wrong answers':<26} {'without':>9} {'with':>9} {'ratio':>7}  named")
    classes = {}
    for distinct in (False, True):
        answers = classes[distinct] = diagnosis_class(students, distinct)
        without, _, wrong = time_grading(answers, False, rounds)
        with_, named, _ = time_grading(answers, True, rounds)
        label = "each a number of its own" if distinct else "a few per question"
        print(f"  {label:<26} {without:8.2f}s {with_:8.2f}s {with_ / without:6.2f}×  {named} of {wrong}")
    print(f"  the whole command, gradebook and --json (median CPU time of {rounds} processes):")
    print(f"  {'wrong answers':<26} {'output':<10} {'without':>9} {'with':>9} {'ratio':>7}")
    with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
        sheet = Path(tmp) / "sheet.toml"
        sheet.write_text(SHEET)
        for distinct, answers in classes.items():
            path = Path(tmp) / f"answers-{distinct}.csv"
            path.write_text(answers)
            label = "each a number of its own" if distinct else "a few per question"
            for output, extra in (("gradebook", []), ("--json", ["--json"])):
                args = ["check", str(sheet), "--answers", str(path), *extra]
                without = time_process(WITHOUT, args, rounds)
                with_ = time_process(WITH, args, rounds)
                print(f"  {label:<26} {output:<10} {without:8.2f}s {with_:8.2f}s {with_ / without:6.2f}×")


def variants_main(students: int, rounds: int) -> None:
    """The typical class graded on today's sheet (one point) and on the same sheet with a point per
    student, runs interleaved: median wall and CPU time of the whole command, and their ratio."""
    print(f"{students} students × {len(POOLS)} answers, one point for all vs a point per student; "
          f"median of {rounds} interleaved runs; load average {os.getloadavg()[0]:.1f}")
    print(f"  {'output':<22} {'sheet':<26} {'wall':>8} {'CPU':>8} {'CPU ratio':>10}")
    with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
        folder = Path(tmp)
        sheet, answers = write_class(folder, students, distinct=False)
        sheets = {"one point": (sheet, answers)}
        for label, wide in (("a point per student", False), ("every point distinct", True)):
            own = folder / ("wide" if wide else "variants")
            own.mkdir()
            text = variant_sheet(wide)
            # The same class, each right number written as the right number at the student's point.
            _, own_answers = write_class(own, students, distinct=False, own=own_values(text, students))
            path = own / "variants.toml"
            path.write_text(text)
            sheets[label] = (path, own_answers)
        for output, extra in (("gradebook", []), ("--report --solutions", ["--report", str(folder / "r"), "--solutions"])):
            times = {label: ([], []) for label in sheets}
            for _ in range(rounds):
                for label, (path, answers) in sheets.items():
                    walls, cpus = time_command(["check", str(path), "--answers", str(answers), *extra], 1)
                    times[label][0].append(walls[0])
                    times[label][1].append(cpus[0])
            base = statistics.median(times["one point"][1])
            for label, (walls, cpus) in times.items():
                print(f"  {output:<22} {label:<26} {statistics.median(walls):7.2f}s {statistics.median(cpus):7.2f}s "
                      f"{statistics.median(cpus) / base:9.2f}×")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--diagnosis", action="store_true",
                        help="time grading with and without naming the wrong answers' mistakes")
    parser.add_argument("--variants", action="store_true",
                        help="time the class on the sheet with one point and with a point per student")
    options = parser.parse_args()
    if options.variants:
        variants_main(options.students, options.rounds)
        return
    if options.diagnosis:
        diagnosis_main(options.students, options.rounds)
        return
    print(f"{options.students} students × {len(POOLS)} answers, whole process: wall time (best, median) "
          f"and CPU time (median) of {options.rounds} runs; load average {os.getloadavg()[0]:.1f}")
    print(f"  {'class':<13} {'output':<22} {'best':>8} {'median':>8} {'CPU':>8}")
    for row in measure(options.students, options.rounds):
        print(f"  {row['class']:<13} {row['output']:<22} {row['best_s']:7.2f}s {row['median_s']:7.2f}s "
              f"{row['cpu_s']:7.2f}s")


if __name__ == "__main__":
    main()
