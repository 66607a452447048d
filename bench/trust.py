"""Inputs that once took quadratic time or gigabytes before a limit refused them (issue 17).

    python bench/trust.py            # the full sizes of the issue: 60 000 columns, 99 MB files
    python bench/trust.py --quick    # a tenth of the sizes

Each case runs `python -m gradcalc` in a child process and reports its wall time, CPU time and peak
memory (the child's maximum resident set); the figures before the fix are those the issue reported.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


# A fresh parent per case, so the children's peak memory is this case's alone.
_MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run([sys.executable, "-m", "gradcalc", *sys.argv[1:]], stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, done.returncode)
"""


def _child(args: list[str], cwd: str) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds, peak MB and exit code of `python -m gradcalc ARGS`."""
    done = subprocess.run([sys.executable, "-c", _MEASURE, *args], cwd=cwd, env=ENV,
                          capture_output=True, text=True, check=True)
    wall, cpu, peak, code = done.stdout.split()
    return float(wall), float(cpu), float(peak), int(code)


def cases(folder: Path, scale: float) -> list[tuple[str, list[str], str]]:
    columns = int(60_000 * scale)
    names = [f"v{i}" for i in range(columns)]
    (folder / "wide.gc").write_text(" + ".join(names))
    (folder / "wide.csv").write_text(",".join(names) + "\n" + ",".join("1" for _ in names) + "\n")
    megabytes = int(99 * scale)
    row = ",".join(["1.25"] * 20) + "\n"
    with open(folder / "big.csv", "w") as out:
        out.write(row * (megabytes * 1_000_000 // len(row)))
    with open(folder / "big.toml", "w") as out:
        out.write("# a comment line of a large sheet, padding it out to the size asked for\n"
                  * (megabytes * 1_000_000 // 73))
    (folder / "four.gc").write_text("x*2")
    return [
        (f"--points header naming {columns:,} variables", ["-f", "wide.gc", "--points", "wide.csv"],
         "42 s in _header (60 000 columns)"),
        (f"{megabytes} MB @file.csv (1.25 in rows of 20)", ["sum(W)", "--W", "@big.csv"],
         "11 s and 2.9 GB before the limit refused it (99 MB)"),
        (f"{megabytes} MB sheet with no problems", ["check", "big.toml"],
         "35 s and 1.1 GB before 'has no problems' (99 MB)"),
        ("a 4-byte program with --limit file=1e12", ["-f", "four.gc", "--x", "1", "--limit", "file=1e12"],
         "out of memory: read() reserved the whole limit"),
    ]


def run(quick: bool) -> list[tuple[str, str]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for what, args, before in cases(Path(tmp), 0.1 if quick else 1.0):
            wall, cpu, peak, code = _child(args, tmp)
            rows.append((what, f"{wall:.2f} s wall, {cpu:.2f} s CPU, peak {peak:.0f} MB, exit {code} "
                               f"(before: {before})"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    options = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for what, result in run(options.quick):
        print(f"{what}: {result}")


if __name__ == "__main__":
    main()
