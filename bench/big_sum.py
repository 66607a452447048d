"""Benchmark: a 100 000-term sum `(x0+0)*x1 + (x1+1)*x2 + …` as a whole process, `gradcalc -f FILE -q`
beside bench/tape.py (plain Python: one regular expression, one forward and one backward loop over a
flat tape) on the same file, and `gradcalc -f FILE --json` (issue 27).

The file gives the 100 001 inputs their values in its first lines (`x0 = 0.5`, one a line: a command
line cannot hold 100 001 `--xN` options), then the sum. Each run is a fresh process, taken in turns
(gradcalc, reference, gradcalc --json, …); for each: CPU time (user + system, which a shared machine
disturbs less than wall time), wall time and peak resident memory, from the kernel's accounting of
that one child (os.wait4). The first run also checks that gradcalc and the reference print the same
numbers (to gradcalc's 10 significant digits).

    python bench/big_sum.py                   # 100 000 terms, 3 runs
    python bench/big_sum.py --terms 20000 --runs 5 --no-json
    python bench/big_sum.py --against ../main   # also another checkout's -q, in the same turns
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
# Children may write and use .pyc files, as an installed gradcalc has them (pip compiles on install);
# a machine that sets PYTHONDONTWRITEBYTECODE would otherwise time the compiling of every module too.
# The check's first runs are the warm-up that writes them.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def program(terms: int) -> str:
    values = "".join(f"x{i} = {0.5 + (i % 7) / 10:g}\n" for i in range(terms + 1))
    return values + " + ".join(f"(x{i}+{i})*x{i + 1}" for i in range(terms))


def run(command: list[str], out, cwd: Path = ROOT) -> tuple[float, float, int]:
    """CPU seconds, wall seconds and peak resident bytes of one child process (`python -m gradcalc`
    runs the checkout it is started in)."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE, cwd=cwd, env=ENV)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    error = child.stderr.read().decode()
    child.stderr.close()
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} … exited {child.returncode}: {error[:500]}")
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--terms", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-json", dest="json", action="store_false", help="skip the --json runs")
    parser.add_argument("--against", type=Path, help="another checkout of gradcalc: its -q joins the turns")
    args = parser.parse_args()

    text = program(args.terms)
    limit = ["--limit", f"length={len(text) + 1}"]
    with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
        path = Path(tmp) / "sum.gc"
        path.write_text(text, encoding="utf-8")
        commands = {
            "gradcalc -q": [sys.executable, "-m", "gradcalc", "-f", str(path), "-q", *limit],
            "reference": [sys.executable, str(ROOT / "bench" / "tape.py"), str(path)],
        }
        places = {name: ROOT for name in commands}
        if args.against:
            commands["--against -q"] = commands["gradcalc -q"]
            places["--against -q"] = args.against.resolve()
        if args.json:
            places["gradcalc --json"] = ROOT
            commands["gradcalc --json"] = [sys.executable, "-m", "gradcalc", "-f", str(path), "--json", *limit]
        check(commands, Path(tmp))
        rows = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                with open(os.devnull, "wb") as out:
                    rows[name].append(run(command, out, places[name]))

    load = os.getloadavg()
    print(f"{args.terms}-term sum, {len(text):,} characters, whole process, {args.runs} runs in turns; "
          f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} CPUs\n")
    print("| run | " + " | ".join(f"{name} CPU" for name in commands) + " | -q ÷ reference | "
          + " | ".join(f"{name} peak" for name in commands) + " |")
    print("|" + " --- |" * (2 * len(commands) + 2))
    for i in range(args.runs):
        cpu = [rows[name][i][0] for name in commands]
        peak = [rows[name][i][2] for name in commands]
        ratio = rows["gradcalc -q"][i][0] / rows["reference"][i][0]
        print(f"| {i + 1} | " + " | ".join(f"{c:.2f} s" for c in cpu) + f" | {ratio:.2f}× | "
              + " | ".join(f"{p / 1e6:.0f} MB" for p in peak) + " |")


def check(commands: dict[str, list[str]], tmp: Path) -> None:
    """gradcalc -q and the reference print the same numbers (gradcalc rounds to 10 digits)."""
    printed = {}
    for name in ("gradcalc -q", "reference"):
        with open(tmp / f"{len(printed)}.out", "wb") as out:
            run(commands[name], out)
        printed[name] = (tmp / f"{len(printed)}.out").read_text().split()
    ours, theirs = printed["gradcalc -q"], printed["reference"]
    assert len(ours) == len(theirs), (len(ours), len(theirs))
    for a, b in zip(ours, theirs):
        assert abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(b))), (a, b)


if __name__ == "__main__":
    main()
