"""Start-up counted in instructions (valgrind), this checkout against another: a figure the load of a
shared machine does not move, where wall and CPU time of a 30 ms process swing by ±15% (issue 22).

    python bench/startup_instructions.py /path/to/checkout-of-e725b9f
    python bench/startup_instructions.py BASELINE -- "sin(x)" --x 1 --json     # another question
    python bench/startup_instructions.py BASELINE --cpu 41     # and CPU time, 41 runs each in turns

Each command runs once per checkout under `valgrind --tool=cachegrind --cache-sim=no` (the count is
the same run after run, to a few thousand), after one run that writes the .pyc files (bytecode
cached, as an installed gradcalc has it), from a directory with no gradcalc in it (`python -m` puts
the working directory first on the path). Rows: Python alone, the engine's imports (what a plain
question imports before it parses), and the whole question. Instructions are not time: Python's own
start-up (exec, mapping the interpreter) costs time they do not count, so the ratio of wall times
is closer to 1 than theirs.

`--cpu N` also times the whole question N times in each checkout, in turns (this, the baseline, this,
…, after one run of each that is not counted): user + system CPU seconds of each finished process (the
kernel's own accounting, os.wait4), their medians and the median of the N ratios of a pair, which
stays meaningful while a shared machine's speed drifts. CPU time counts what instructions do not
(page faults, cache misses), and on a loaded machine it swings by ±5% from call to call.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTION = ["(x+y)**2", "--x", "1", "--y", "2", "--json"]
NEUTRAL = tempfile.gettempdir()   # only the working directory: nothing is written there
IMPORTS = "import os, gradcalc.cli.quick, gradcalc.values, gradcalc.result; os._exit(0)"


def _environment(tree: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(tree)
    return env


def instructions(tree: Path, args: list[str]) -> int:
    env, argv = _environment(tree), [sys.executable, *args]
    subprocess.run(argv, env=env, cwd=NEUTRAL, capture_output=True)     # writes the .pyc files
    done = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                           *argv], env=env, cwd=NEUTRAL, capture_output=True, text=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if found is None:
        raise SystemExit(f"valgrind gave no count for {argv}: {done.stderr[-500:]}")
    return int(found.group(1).replace(",", ""))


def cpu_seconds(tree: Path, args: list[str]) -> float:
    """User + system CPU seconds of one run of `python ARGS` with `tree` first on the path."""
    child = subprocess.Popen([sys.executable, *args], env=_environment(tree), cwd=NEUTRAL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{args} failed in {tree}")
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("baseline", type=Path, help="a checkout to compare with (a git worktree of the commit)")
    parser.add_argument("question", nargs="*", help="gradcalc's arguments (after --)")
    parser.add_argument("--cpu", type=int, metavar="N", help="also time the question N times in each, in turns")
    options = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    question = options.question or QUESTION
    rows = [("python -c pass", ["-c", "pass"]), ("the engine's imports", ["-c", IMPORTS]),
            ("gradcalc " + " ".join(question), ["-m", "gradcalc", *question])]
    print(f"instructions (millions): this checkout ({ROOT}) against {options.baseline}")
    for name, args in rows:
        this, other = instructions(ROOT, args), instructions(options.baseline.resolve(), args)
        print(f"  {name:40s} {this / 1e6:8.1f} {other / 1e6:8.1f}   {this / other:.3f}×")
    if options.cpu:
        args, baseline = rows[-1][1], options.baseline.resolve()
        cpu_seconds(ROOT, args), cpu_seconds(baseline, args)
        pairs = [(cpu_seconds(ROOT, args), cpu_seconds(baseline, args)) for _ in range(options.cpu)]
        this, other = (statistics.median(times) for times in zip(*pairs))
        ratio = statistics.median(a / b for a, b in pairs)
        print(f"CPU time, median of {options.cpu} runs each in turns (load average {os.getloadavg()[0]:.1f}): "
              f"{this * 1e3:.1f} ms against {other * 1e3:.1f} ms, {ratio:.3f}× (median of the pairs' ratios)")


if __name__ == "__main__":
    main()
