"""Start-up of a question that uses the functions of #13, on two checkouts, beside `python -c pass`.

    python bench/floats_startup.py BEFORE_DIR [AFTER_DIR]     # AFTER_DIR: this checkout
    python bench/floats_startup.py /tmp/before --rounds 21 -- "asinh(x)*sinh(x)" --x 0.5 --json

Each round runs every command once, as a fresh process, in a random order (the machine is shared and
noisy); each figure is the median wall time over the rounds, with the load average beside it. A
checkout directory is put first on PYTHONPATH and run as the console script does
(`from gradcalc.__main__ import run`). Whether numpy was imported is read off `-X importtime`.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENTRY = "import sys; from gradcalc.__main__ import run; sys.exit(run())"
QUESTION = ["asinh(x)*sinh(x)", "--x", "0.5", "--json"]


def env_for(path: Path | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "NO_COLOR")}
    return {**env, "PYTHONPATH": str(path)} if path else env


def timed(argv: list[str], env: dict) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                          cwd=tempfile.gettempdir())
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{argv} failed ({done.returncode})")
    return elapsed


def imports_numpy(path: Path, question: list[str]) -> bool:
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", ENTRY, *question], env=env_for(path),
                          capture_output=True, text=True, cwd=tempfile.gettempdir())
    return any(line.rsplit("|", 1)[-1].strip() == "numpy" for line in done.stderr.splitlines())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path, nargs="?", default=ROOT)
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("question", nargs="*", default=QUESTION)
    options = parser.parse_args(argv)
    commands = {"python -c pass": ([sys.executable, "-c", "pass"], env_for(None))}
    for label, path in (("before", options.before), ("after", options.after)):
        commands[f"{label} ({path})"] = ([sys.executable, "-c", ENTRY, *options.question], env_for(path))
    for argv_, env in commands.values():   # warm: .pyc files written, disk cache filled
        timed(argv_, env)
    times: dict[str, list[float]] = {label: [] for label in commands}
    loads = []
    for _ in range(options.rounds):
        order = list(commands)
        random.shuffle(order)
        for label in order:
            times[label].append(timed(*commands[label]))
        loads.append(os.getloadavg()[0])
    print(f"question: gradcalc {' '.join(options.question)}; {options.rounds} rounds; "
          f"load average {min(loads):.2f}–{max(loads):.2f}")
    for label, values in times.items():
        path = options.before if label.startswith("before") else options.after if label.startswith("after") else None
        numpy = "" if path is None else ("  imports numpy" if imports_numpy(path, options.question) else "  no numpy")
        print(f"  {label:<45} median {1000 * statistics.median(values):6.1f} ms"
              f"  (min {1000 * min(values):6.1f}){numpy}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
