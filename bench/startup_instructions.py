"""Start-up counted in instructions (valgrind), this checkout against another: a figure the load of a
shared machine does not move, where wall and CPU time of a 30 ms process swing by ±15% (issue 22).

    python bench/startup_instructions.py /path/to/checkout-of-e725b9f
    python bench/startup_instructions.py BASELINE -- "sin(x)" --x 1 --json     # another question

Each command runs once per checkout under `valgrind --tool=cachegrind --cache-sim=no` (the count is
the same run after run, to a few thousand), after one run that writes the .pyc files (bytecode
cached, as an installed gradcalc has it), from a directory with no gradcalc in it (`python -m` puts
the working directory first on the path). Rows: Python alone, the engine's imports (what a plain
question imports before it parses), and the whole question. Instructions are not time: Python's own
start-up (exec, mapping the interpreter) costs time they do not count, so the ratio of wall times
is closer to 1 than theirs.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTION = ["(x+y)**2", "--x", "1", "--y", "2", "--json"]
NEUTRAL = tempfile.gettempdir()   # only the working directory: nothing is written there
IMPORTS = "import os, gradcalc.cli.quick, gradcalc.values, gradcalc.result; os._exit(0)"


def instructions(tree: Path, args: list[str]) -> int:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(tree)
    argv = [sys.executable, *args]
    subprocess.run(argv, env=env, cwd=NEUTRAL, capture_output=True)     # writes the .pyc files
    done = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                           *argv], env=env, cwd=NEUTRAL, capture_output=True, text=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if found is None:
        raise SystemExit(f"valgrind gave no count for {argv}: {done.stderr[-500:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("baseline", type=Path, help="a checkout to compare with (a git worktree of the commit)")
    parser.add_argument("question", nargs="*", help="gradcalc's arguments (after --)")
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


if __name__ == "__main__":
    main()
