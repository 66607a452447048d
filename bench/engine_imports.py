"""The engine's imports for a plain question, each run a fresh process: what they cost, and which.

    python bench/engine_imports.py                         # this checkout, 21 rounds
    python bench/engine_imports.py --baseline 3d7e4f0      # beside that commit (git archive to a temp dir)
    python bench/engine_imports.py --modules               # also list the modules a question imports

The engine of a plain question is what the quick path loads besides itself: gradcalc.result's
compute, gradcalc.values' parse_value and the JSON and plain renderers. Each round runs, in a random
order, `python -c pass`, the imports alone, and the imports with one question answered and rendered,
with and without -S. `python -S` with site-packages on PYTHONPATH is a fresh venv's interpreter: no
.pth file has imported anything yet (this sandbox's certifi .pth preloads typing, re, pathlib…).
Printed: median wall time per process, and median time the imports (and question) took inside it.
bench/startup.py times the whole command beside qalc.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMPORTS = ("from gradcalc.result import compute; from gradcalc.values import parse_value; "
           "from gradcalc.render.json import render_json; from gradcalc.render.plain import render_plain")
QUESTION = "render_json(compute('(x+y)**2', {'x': parse_value('x', '1'), 'y': parse_value('y', '2')}))"


def timed(code: str) -> str:
    return f"import time; t = time.perf_counter(); {code}; print(time.perf_counter() - t)"


def export(revision: str, into: str) -> str:
    """The tree of `revision` written to a new directory (not a worktree: nothing registered in git)."""
    os.mkdir(into)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "gradcalc", "grammar"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", into], input=archive, check=True)
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--baseline", help="a commit to time beside this checkout")
    parser.add_argument("--modules", action="store_true", help="list the modules a question imports")
    args = parser.parse_args()
    site_packages = sysconfig.get_paths()["purelib"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}   # .pyc as installed
    with tempfile.TemporaryDirectory() as temp:
        checkouts = {"this checkout": str(ROOT)}
        if args.baseline:
            checkouts[args.baseline] = export(args.baseline, os.path.join(temp, "baseline"))
        # Run from an empty directory: `python -c` puts the working directory first on the path.
        temp = os.path.join(temp, "empty")
        os.mkdir(temp)
        commands = {}
        for flag in ([], ["-S"]):
            mode = " ".join(flag) or "  "
            commands[f"{mode} python -c pass"] = ([sys.executable, *flag, "-c", timed("pass")], env)
            for label, path in checkouts.items():
                paths = {**env, "PYTHONPATH": os.pathsep.join([path, site_packages])}
                commands[f"{mode} imports, {label}"] = ([sys.executable, *flag, "-c", timed(IMPORTS)], paths)
                commands[f"{mode} imports + question, {label}"] = (
                    [sys.executable, *flag, "-c", timed(f"{IMPORTS}; {QUESTION}")], paths)
        for argv, run_env in commands.values():   # writes the .pyc files; not timed
            subprocess.run(argv, env=run_env, check=True, stdout=subprocess.DEVNULL, cwd=temp)
        wall = {key: [] for key in commands}
        inside = {key: [] for key in commands}
        for _ in range(args.rounds):
            order = list(commands)
            random.shuffle(order)
            for key in order:
                argv, run_env = commands[key]
                start = time.perf_counter()
                done = subprocess.run(argv, env=run_env, check=True, capture_output=True, text=True, cwd=temp)
                wall[key].append(time.perf_counter() - start)
                inside[key].append(float(done.stdout))
        print(f"{args.rounds} rounds, load average {os.getloadavg()[0]:.2f}, Python {sys.version.split()[0]}")
        print("   wall   inside (ms, medians)")
        for key in commands:
            print(f"{statistics.median(wall[key]) * 1e3:7.1f}  {statistics.median(inside[key]) * 1e3:7.1f}  {key}")
        if args.modules:
            for label, path in checkouts.items():
                code = f"{IMPORTS}; {QUESTION}; import sys; print(' '.join(sorted(sys.modules)))"
                found = subprocess.run([sys.executable, "-S", "-c", code], check=True, capture_output=True,
                                       text=True, cwd=temp,
                                       env={**env, "PYTHONPATH": os.pathsep.join([path, site_packages])})
                names = [m for m in found.stdout.split() if not m.startswith(("gradcalc", "_", "encodings"))]
                print(f"\n{label}: {len(names)} standard modules: {' '.join(names)}")


if __name__ == "__main__":
    main()
