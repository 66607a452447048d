"""Start-up: one scalar question answered by gradcalc beside qalc's symbolic derivative, wall time.

    python bench/startup.py                      # 21 rounds (each command once per round, in a random order)
    python bench/startup.py --rounds 41 --baseline 3dad6f0   # also time array programs on that commit
    python bench/startup.py --write              # also put the results into BENCHMARKS.md (its own section)
    python bench/startup.py --venv ../bench-venv # gradcalc as a fresh install runs it (made if missing)

Every command is a fresh process, run the way an installed `gradcalc` runs (the console script's
`from gradcalc.__main__ import run`), with this checkout first on the path. A shell loop or a grader
calls gradcalc once per question, so this wall time is its speed. The machine is shared and noisy:
commands are interleaved round by round and each figure is a median; the load average is printed
beside it. The rich table runs in a pseudo-terminal of 100 columns, as a person at a terminal sees it.

`--venv DIR` runs the installed `DIR/bin/gradcalc` script of a virtual environment into which this
checkout is installed (`python -m venv DIR && DIR/bin/pip install -e .`, done here if DIR does not
exist): Python's start-up as on a fresh machine, without the .pth files of this interpreter's
site-packages (on the machine this was written on, one of them imports certifi at every start).
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import random
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SECTION_START, SECTION_END = "<!-- bench/startup.py: start -->", "<!-- bench/startup.py: end -->"
QUESTION = ["(x+y)**2", "--x", "1", "--y", "2"]
ARRAY_QUESTION = ["sum(relu(X @ W + b))", "--X", json.dumps([[0.5, -1.0, 2.0]] * 4),
                  "--W", json.dumps([[1.0, 0.5], [-0.5, 2.0], [0.25, -1.0]]), "--b", "[0.1, -0.2]"]
# Run from a directory with no gradcalc in it: `python -c` puts the working directory first on the path.
NEUTRAL = tempfile.gettempdir()
ENTRY = "import sys; from gradcalc.__main__ import run; sys.exit(run())"   # as the console script does
OLD_ENTRY = "import sys; from gradcalc.cli import main; sys.exit(main())"   # the script before 2026-11-30


def env_for(path: Path) -> dict:
    # .pyc files may be written and used, as an installed gradcalc has them.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "NO_COLOR")}
    return {**env, "PYTHONPATH": str(path), "COLUMNS": "100", "TERM": "xterm-256color"}


def run_piped(argv: list[str], env: dict) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=NEUTRAL)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{argv} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return elapsed


def run_on_terminal(argv: list[str], env: dict) -> float:
    """Wall time with stdout a pseudo-terminal of 24 × 100 (rich draws its tables)."""
    import fcntl
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=follower, stderr=subprocess.PIPE, env=env, cwd=NEUTRAL)
    os.close(follower)
    while True:   # drain the terminal, or the child blocks on a full buffer
        try:
            if not os.read(leader, 65536):
                break
        except OSError:   # EIO: the child closed its side
            break
    code = child.wait()
    elapsed = time.perf_counter() - start
    os.close(leader)
    if code != 0:
        raise SystemExit(f"{argv} failed on a terminal ({code}): {child.stderr.read().decode()[-500:]}")
    return elapsed


def checkout(rev: str) -> Path:
    """The package at `rev` (git archive into a temporary directory), to time it beside this one."""
    where = Path(tempfile.mkdtemp(prefix="gradcalc-baseline-"))
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "gradcalc", "grammar"],
                             stdout=subprocess.PIPE, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(where)], input=archive, check=True)
    return where


def make_venv(where: Path) -> None:
    subprocess.run([PY, "-m", "venv", str(where)], check=True)
    subprocess.run([str(where / "bin" / "pip"), "install", "-q", "-e", str(ROOT)], check=True)


def commands(baseline: Path | None, venv: Path | None = None) -> dict[str, tuple]:
    here = env_for(ROOT)
    if venv is not None:   # the venv's own gradcalc script and Python, nothing of this interpreter's
        here.pop("PYTHONPATH")
        python, gradcalc = [str(venv / "bin" / "python")], [str(venv / "bin" / "gradcalc")]
    else:
        python, gradcalc = [PY], [PY, "-c", ENTRY]
    found = {
        "python -c pass": (run_piped, [*python, "-c", "pass"], here),
        "python -I -c pass": (run_piped, [*python, "-I", "-c", "pass"], here),
        "python -S -c pass": (run_piped, [*python, "-S", "-c", "pass"], here),
        "scalar --json": (run_piped, [*gradcalc, *QUESTION, "--json"], here),
        "piped table": (run_piped, [*gradcalc, *QUESTION], here),
        "rich table (terminal)": (run_on_terminal, [*gradcalc, *QUESTION], here),
        "array program --json": (run_piped, [*gradcalc, *ARRAY_QUESTION, "--json"], here),
    }
    # Without site (-S): what the site module's .pth files (certifi's, here) cost every Python start.
    site_packages = [p for p in sys.path if p.endswith("site-packages")]
    if site_packages and venv is None:
        bare = {**here, "PYTHONPATH": os.pathsep.join([str(ROOT), *site_packages])}
        found["scalar --json, python -S"] = (run_piped, [PY, "-S", "-c", ENTRY, *QUESTION, "--json"], bare)
    if baseline is not None:
        before = env_for(baseline)
        found["scalar --json (baseline)"] = (run_piped, [*python, "-c", OLD_ENTRY, *QUESTION, "--json"], before)
        found["array program --json (baseline)"] = (
            run_piped, [*python, "-c", OLD_ENTRY, *ARRAY_QUESTION, "--json"], before)
    qalc = shutil.which("qalc")
    if qalc:
        found["qalc -t \"diff((x+y)^2, x)\""] = (run_piped, [qalc, "-t", "diff((x+y)^2, x)"], here)
    return found


def measure(rounds: int, baseline: Path | None, venv: Path | None) -> tuple[dict[str, float], tuple, tuple]:
    todo = commands(baseline, venv)
    for how, argv, env in todo.values():   # warm the page cache and write .pyc files
        how(argv, env)
    times: dict[str, list[float]] = {name: [] for name in todo}
    load_before = os.getloadavg()
    for _ in range(rounds):
        order = list(todo)
        random.shuffle(order)
        for name in order:
            how, argv, env = todo[name]
            times[name].append(how(argv, env))
    return {name: statistics.median(t) for name, t in times.items()}, load_before, os.getloadavg()


GOALS = [("scalar --json", 1.0), ("piped table", 1.2), ("rich table (terminal)", 1.6)]


def report(medians: dict[str, float], load_before, load_after, rounds: int, venv: Path | None) -> str:
    qalc = next((v for k, v in medians.items() if k.startswith("qalc")), None)
    how = (f"gradcalc installed in a fresh venv ({venv.name}/bin/gradcalc)" if venv is not None else
           "gradcalc run by this interpreter (python -c, as the console script)")
    lines = [f"{rounds} rounds, each command once per round in a random order; medians of wall time; {how}. "
             f"Load average {load_before[0]:.1f} before, {load_after[0]:.1f} after "
             f"({os.cpu_count()} CPUs), Python {sys.version.split()[0]}.", "",
             "| command | median | × qalc |", "|---|---:|---:|"]
    for name, value in medians.items():
        ratio = f"{value / qalc:.2f}" if qalc else "—"
        lines.append(f"| {name} | {value * 1000:.1f} ms | {ratio} |")
    lines.append("")
    if qalc:
        for name, goal in GOALS:
            ratio = medians[name] / qalc
            lines.append(f"- {name}: {ratio:.2f}× qalc, goal ≤ {goal}× — {'met' if ratio <= goal else 'MISSED'}")
    else:
        lines.append("- qalc is not installed (apt-get install qalc): no ratios")
    if "array program --json (baseline)" in medians:
        ratio = medians["array program --json"] / medians["array program --json (baseline)"]
        lines.append(f"- array program: {ratio:.2f}× the baseline's time (goal: no slower, ≤ 1.05 allowing noise)")
    return "\n".join(lines) + "\n"


def write(text: str) -> None:
    path = ROOT / "BENCHMARKS.md"
    current = path.read_text(encoding="utf-8")
    block = f"{SECTION_START}\n{text}{SECTION_END}"
    if SECTION_START in current:
        head, rest = current.split(SECTION_START, 1)
        current = head + block + rest.split(SECTION_END, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n## Start-up (bench/startup.py)\n\n" + block + "\n"
    path.write_text(current, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--baseline", metavar="REV", help="also time this git revision's gradcalc")
    parser.add_argument("--write", action="store_true", help="put the results into BENCHMARKS.md")
    parser.add_argument("--venv", metavar="DIR", type=Path,
                        help="time DIR/bin/gradcalc, a venv with this checkout installed (made if missing)")
    args = parser.parse_args()
    if args.venv is not None and not (args.venv / "bin" / "gradcalc").exists():
        make_venv(args.venv)
    baseline = checkout(args.baseline) if args.baseline else None
    try:
        text = report(*measure(args.rounds, baseline, args.venv), args.rounds, args.venv)
    finally:
        if baseline is not None:
            shutil.rmtree(baseline, ignore_errors=True)
    print(text)
    if args.write:
        write(text)


if __name__ == "__main__":
    main()
