"""gradcalc against its peers on the same work, measured side by side in one run; prints ratios.

    python bench/run.py            # the full run (a few minutes on 2 cores)
    python bench/run.py --quick    # under a minute: fewer repeats, no 10⁵ peers
    python bench/run.py --write    # also put the results into BENCHMARKS.md (its own section only)

Peers are optional (`pip install -e '.[bench]'`: micrograd, sympy; torch if present); a missing peer is
skipped with a note. The machines are noisy and shared, so every number is a median over repeated runs
taken in turns (A, B, A, B, ...) and reported as a ratio to something measured in the same run.

Other benchmark scripts in bench/ (batch.py, arrays.py) are included when present: a module with
`run(quick: bool) -> list[tuple[str, str]]` gives rows of (what, result); any other script is run as
`python bench/NAME.py [--quick]` and its output is shown as it is.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # measure this checkout's gradcalc, not an installed one

PY = sys.executable
X, Y = 1.5, -0.5
# Child processes may write and use .pyc files, as an installed gradcalc has them (pip compiles on install);
# otherwise every start would also compile gradcalc's sources.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
SECTION_START, SECTION_END = "<!-- bench/run.py: start -->", "<!-- bench/run.py: end -->"


# -- the work: the same function for every tool -----------------------------------------------------

def sum_text(n: int) -> str:
    """n terms, alternating (x - k.5)**2 and c*x*y: every op micrograd also has."""
    return " + ".join(f"{i % 7 + 1}*x*y" if i % 2 else f"(x - {i}.5)**2" for i in range(n))


def sum_expected(n: int) -> tuple[float, float, float]:
    """Value, ∂/∂x, ∂/∂y of sum_text(n) at (X, Y), by plain Python."""
    value = dx = dy = 0.0
    for i in range(n):
        if i % 2:
            c = i % 7 + 1
            value, dx, dy = value + c * X * Y, dx + c * Y, dy + c * X
        else:
            k = i + 0.5
            value, dx = value + (X - k) ** 2, dx + 2 * (X - k)
    return value, dx, dy


def nest_text(depth: int) -> str:
    """x + (x + (x + ... (x + 1))): depth parentheses, one node per level; value depth·x + 1."""
    return "(x + " * depth + "1" + ")" * depth


def micrograd_sum(Value, n: int):
    x, y = Value(X), Value(Y)
    z = None
    for i in range(n):
        term = (i % 7 + 1) * x * y if i % 2 else (x - (i + 0.5)) ** 2
        z = term if z is None else z + term
    z.backward()
    return z.data, x.grad, y.grad


def micrograd_nest(Value, depth: int):
    x = Value(X)
    z = Value(1.0)
    for _ in range(depth):
        z = x + z
    z.backward()
    return z.data, x.grad


def in_big_stack(fn, *args):
    """micrograd sorts its graph recursively: give it the stack it needs (the peer, not gradcalc)."""
    result = []
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(10**7)
    threading.stack_size(1024 * 1024 * 1024)
    try:
        thread = threading.Thread(target=lambda: result.append(fn(*args)))
        thread.start()
        thread.join()
    finally:
        threading.stack_size(0)
        sys.setrecursionlimit(limit)
    return result[0] if result else None


# -- measuring ----------------------------------------------------------------------------------------

# CPU time (user + system) rather than wall time: other work on a shared machine stretches wall time
# but hardly the CPU time a process spends itself.
clock = time.process_time


def timed(fn, *args):
    start = clock()
    out = fn(*args)
    return clock() - start, out


def medians(tasks: dict, repeat: int) -> dict[str, float]:
    """Median time of each task, the tasks run in turns (shuffled each round) so noise hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in tasks}
    names = list(tasks)
    for _ in range(repeat):
        random.shuffle(names)
        for name in names:
            gc.collect()
            times[name].append(timed(tasks[name])[0])
    return {name: statistics.median(t) for name, t in times.items()}


def run_process(cmd: list[str], tty: bool = False) -> tuple[float, bytes]:
    """CPU time (user + system) and stdout of one process; on a pseudo-terminal when tty."""
    if tty:
        import pty

        master, slave = pty.openpty()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=slave, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, env=ENV)
        os.close(slave)
        out = b""
        try:
            while chunk := os.read(master, 65536):
                out += chunk
        except OSError:  # the child closed the terminal
            pass
        os.close(master)
    else:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, env=ENV)
        out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = usage.ru_utime + usage.ru_stime
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.read().decode()}")
    return elapsed, out


# A fork of this (large) process would report this process's peak RSS as the child's: Linux keeps the
# high-water mark across fork and exec. A small go-between process starts the command and reports it.
_PEAK_RSS = ("import os, subprocess, sys; p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL); "
             "_, status, usage = os.wait4(p.pid, 0); print(usage.ru_maxrss)")


def peak_rss_mb(cmd: list[str]) -> float:
    out = subprocess.run([PY, "-c", _PEAK_RSS, *cmd], cwd=ROOT, env=ENV, capture_output=True,
                         text=True, check=True).stdout
    return int(out) / 1024


def process_medians(cmds: dict[str, tuple[list[str], bool]], repeat: int) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in cmds}
    names = list(cmds)
    for name in names:  # warm up: .pyc files and Lark's grammar cache written once, as after an install
        run_process(*cmds[name])
    for _ in range(repeat):
        random.shuffle(names)
        for name in names:
            times[name].append(run_process(*cmds[name])[0])
    return {name: statistics.median(t) for name, t in times.items()}


def gradcalc_cmd(*args: str) -> list[str]:
    return [PY, "-m", "gradcalc", *args]


# -- report -------------------------------------------------------------------------------------------

class Report:
    def __init__(self):
        self.lines: list[str] = []
        self.goals: list[tuple[str, str, str]] = []

    def out(self, line: str = "") -> None:
        print(line, flush=True)
        self.lines.append(line)

    def table(self, columns: tuple[str, ...], rows: list[tuple]) -> None:
        self.out("| " + " | ".join(columns) + " |")
        self.out("|" + "|".join(" --- " for _ in columns) + "|")
        for row in rows:
            self.out("| " + " | ".join(str(c) for c in row) + " |")
        self.out()

    def goal(self, what: str, measured: float, limit: float, unit: str = "×") -> None:
        verdict = "met" if measured <= limit else f"missed by {measured / limit:.2f}×"
        self.goals.append((what, f"{measured:.3g}{unit}", f"≤ {limit:g}{unit}", verdict))


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "–"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.3g} ms"


def peer(name: str):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


# -- workloads ----------------------------------------------------------------------------------------

def bench_startup(report: Report, repeat: int) -> None:
    report.out("## 1. Cold start (CPU time of the whole process, median of %d runs taken in turns)" % repeat)
    report.out()
    example = ["(x+y)**2", "--x", "1", "--y", "2"]
    cmds = {
        "python -c pass": ([PY, "-c", "pass"], False),
        "floor: import numpy, click, lark, rich": ([PY, "-c", "import numpy, click, lark, rich"], False),
        "--json": (gradcalc_cmd(*example, "--json"), False),
        "table on a terminal (rich)": (gradcalc_cmd(*example), True),
        "table piped (plain)": (gradcalc_cmd(*example), False),
        "-q": (gradcalc_cmd(*example, "-q"), False),
    }
    found = process_medians(cmds, repeat)
    floor = found["floor: import numpy, click, lark, rich"]
    rows = [(name, ratio(t, floor), ms(t)) for name, t in found.items()]
    report.table(("command", "× floor", "median"), rows)
    report.goal("cold start --json vs import floor", found["--json"] / floor, 1.0)
    report.goal("cold start table (rich) vs import floor", found["table on a terminal (rich)"] / floor, 1.1)


def _tree_parser():
    from lark import Lark

    from gradcalc.parse import grammar_text

    return Lark(grammar_text(), parser="lalr", maybe_placeholders=True)


def bench_sizes(report: Report, title: str, sizes: list[int], make_text, expected, micrograd_fn,
                repeat: int, peers_up_to: int, sympy_up_to: int, kind: str) -> dict:
    import numpy as np

    from gradcalc.evaluate import backward, forward
    from gradcalc.parse import parse

    report.out(title)
    report.out()
    tree_parser = _tree_parser()
    micrograd = peer("micrograd.engine")
    sympy = peer("sympy")
    if micrograd is None:
        report.out("note: micrograd is not installed (pip install -e '.[bench]'): its column is skipped")
    if sympy is None:
        report.out("note: sympy is not installed (pip install -e '.[bench]'): its column is skipped")
    inputs = {"x": np.float64(X), "y": np.float64(Y)}
    rows, found = [], {}
    for n in sizes:
        text = make_text(n)
        graph = parse(text)
        names = [name for name in ("x", "y") if name in graph.variables]
        inputs_n = {name: inputs[name] for name in names}
        values = forward(graph, inputs_n)
        grads, _ = backward(graph, values)
        got = (float(values[graph.output]), *(float(grads[graph.variables[v]]) for v in names))
        want = expected(n)
        assert np.allclose(got, want, rtol=1e-9), (n, got, want)
        graph = values = grads = None    # freed before the timings

        reps = repeat if n < 10**5 else max(3, repeat // 2)   # a median of at least 3
        tasks = {
            "parse": lambda: parse(text),
            "lark tree": lambda: tree_parser.parse(text),
        }
        graph = parse(text)
        values = forward(graph, inputs_n)
        tasks["forward"] = lambda: forward(graph, inputs_n)
        tasks["backward"] = lambda: backward(graph, values)
        if micrograd is not None and n <= peers_up_to:
            tasks["micrograd"] = lambda: in_big_stack(micrograd_fn, micrograd.Value, n)
        t = medians(tasks, reps)
        if sympy is not None and n <= sympy_up_to:
            t["sympy"] = min(timed(sympy_sum, sympy, n)[0] for _ in range(1 if n > 1000 or repeat < 5 else 3))
        fwd_bwd = t["forward"] + t["backward"]
        found[n] = dict(t, nodes=len(graph.nodes), fwd_bwd=fwd_bwd)
        rows.append((
            f"10^{len(str(n)) - 1}", len(graph.nodes), ms(t["parse"]), ratio(t["parse"], t["lark tree"]),
            ms(t["forward"]), ms(t["backward"]), ratio(t["backward"], t["forward"]),
            ratio(fwd_bwd, t["micrograd"]) if "micrograd" in t else "skipped",
            ratio(t["parse"] + fwd_bwd, t["sympy"]) if "sympy" in t else "skipped",
        ))
        graph = values = None    # the next size is parsed with this one freed
    report.table((kind, "nodes", "parse", "parse ÷ lark tree", "forward", "backward", "bwd ÷ fwd",
                  "fwd+bwd ÷ micrograd", "parse+fwd+bwd ÷ sympy"), rows)
    report.out("Times are CPU time, medians; absolute times are for scale only: compare the ratios.")
    report.out()
    big = max(sizes)
    if big // 10 in found:
        for phase in ("parse", "fwd_bwd"):
            growth = found[big][phase] / found[big // 10][phase]
            report.out(f"growth of {phase.replace('_', '+')} from {big // 10} to {big} {kind}: "
                       f"{growth:.1f}× (linear is 10×)")
        report.out()
    return found


def sympy_sum(sympy, n: int):
    """The same sum built with SymPy's own objects (sympify of 10⁴ terms overflows Python's compiler)."""
    x, y = sympy.symbols("x y")
    z = sympy.Add(*[(i % 7 + 1) * x * y if i % 2 else (x - sympy.Float(i + 0.5)) ** 2
                    for i in range(n)])
    point = {x: X, y: Y}
    return float(z.subs(point)), float(z.diff(x).subs(point)), float(z.diff(y).subs(point))


def bench_whole(report: Report, title: str, cases: dict[str, tuple[str, tuple]], repeat: int) -> dict:
    """Whole-process time and peak memory of `gradcalc -f FILE ... -q`, vs the import floor."""
    report.out(title)
    report.out()
    cmds = {"floor": ([PY, "-c", "import numpy, click, lark, rich"], False)}
    with tempfile.TemporaryDirectory() as tmp:
        for label, (text, bindings) in cases.items():
            path = Path(tmp) / f"{label.replace(' ', '_')}.gc"
            path.write_text(text)
            cmds[label] = (gradcalc_cmd("-f", str(path), *bindings, "-q"), False)
        found = process_medians(cmds, repeat)
        rss = {label: peak_rss_mb(cmd) for label, (cmd, _) in cmds.items()}
    rows = [(label, ms(t), ratio(t, found["floor"]), f"{rss[label]:.0f} MB") for label, t in found.items()]
    report.table(("gradcalc -f FILE -q", "median", "× floor", "peak RSS"), rows)
    return {label: (t, rss[label]) for label, t in found.items()}


def bench_plugins(report: Report, quick: bool) -> dict:
    """bench/batch.py and bench/arrays.py, written by other helpers: each has measure() -> dict."""
    report.out("## 4. Batches and arrays (bench/batch.py, bench/arrays.py)")
    report.out()
    # Smaller work for --quick; the process-per-point part of batch.py starts a process per call.
    settings = {"batch": dict(points=10**5, calls=2, rounds=3) if quick else dict(points=10**6, calls=10),
                "arrays": dict(n=128, d=256, rounds=5) if quick else {}}
    found = {}
    for name, kwargs in settings.items():
        path = ROOT / "bench" / f"{name}.py"
        if not path.exists():
            report.out(f"note: bench/{name}.py is not there: skipped")
            report.out()
            continue
        spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
            found[name] = measured = module.measure(**kwargs)
        except Exception as error:  # another helper's script: report it, do not stop the run
            report.out(f"note: bench/{name}.py failed ({error!r}): skipped")
            report.out()
            continue
        args = " ".join(f"{k}={v}" for k, v in kwargs.items())
        report.out(f"### bench/{name}.py: measure({args})")
        report.out()
        report.out("```")
        report.out(module.report(measured) if hasattr(module, "report") else
                   "\n".join(f"{k}: {v}" for k, v in measured.items()))
        report.out("```")
        report.out()
    if "batch" in found:
        m = found["batch"]
        report.goal(f"batch of {m['points']:,} points vs hand-written numpy (medians)",
                    m["batch_median"] / m["numpy_median"], 2)
    return found


# -- main ---------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and sizes: under a minute")
    parser.add_argument("--write", action="store_true", help="write the results into BENCHMARKS.md")
    parser.add_argument("--only", default="startup,sums,nesting,whole,plugins",
                        help="comma-separated sections to run (default: all)")
    args = parser.parse_args()
    only = set(args.only.split(","))
    quick = args.quick
    report = Report()
    command = "python bench/run.py" + (" --quick" if quick else "")
    load = os.getloadavg()[0]
    report.out(f"Command: `{command}` · {time.strftime('%Y-%m-%d %H:%M')} · Python "
               f"{platform.python_version()} · {os.cpu_count()} cores, load {load:.1f} at start")
    report.out()
    if "startup" in only:
        bench_startup(report, 7 if quick else 25)
    sums = nests = whole = {}
    sizes = [10**3, 10**4] + ([] if quick else [10**5])
    if "sums" in only:
        sums = bench_sizes(report, "## 2. Long sums: n terms of `(x - k.5)**2` and `c*x*y`, read with -f",
                           sizes, sum_text, sum_expected, micrograd_sum, 3 if quick else 5,
                           peers_up_to=10**4 if quick else 10**5,
                           sympy_up_to=10**3 if quick else 10**4, kind="terms")
    if "nesting" in only:
        nests = bench_sizes(report, "## 3. Deep nesting: `(x + (x + (… (x + 1))))`", sizes, nest_text,
                            lambda d: (d * X + 1.0, float(d)), micrograd_nest, 3 if quick else 5,
                            peers_up_to=10**4 if quick else 10**5, sympy_up_to=0, kind="depth")
    big = 10**4 if quick else 10**5
    if "whole" in only:
        whole = bench_whole(report, "## Whole process and peak memory", {
            f"sum of {big} terms": (sum_text(big), ("--x", str(X), "--y", str(Y))),
            f"nesting depth {big}": (nest_text(big), ("--x", str(X))),
        }, 3 if quick else 5)
    if "plugins" in only:
        bench_plugins(report, quick)

    if 10**5 in sums:
        top = sums[10**5]
        report.goal("parse vs lark's own parse into a tree, 10^5 terms", top["parse"] / top["lark tree"], 0.8)
        report.goal("parse growth 10^4 → 10^5 terms", top["parse"] / sums[10**4]["parse"], 12)
        if "micrograd" in top:
            report.goal("forward+backward vs micrograd, 10^5 terms", top["fwd_bwd"] / top["micrograd"], 1 / 20)
        report.goal("backward vs forward, 10^5 terms", top["backward"] / top["forward"], 2)
    if 10**5 in nests:
        report.goal("parse vs lark tree, nesting 10^5", nests[10**5]["parse"] / nests[10**5]["lark tree"], 0.8)
    if 10**5 in sums and 10**5 in nests:
        report.goals.append(("10^5-term sum and depth-10^5 nesting: correct values, default recursion "
                             f"limit ({sys.getrecursionlimit()})", "correct", "correct", "met"))
    if whole and not quick:
        report.goal("peak RSS, 10^5 terms", whole[f"sum of {big} terms"][1], 300, unit=" MB")
    report.out("## Goals (issue #8)")
    report.out()
    report.table(("goal", "measured", "target", "verdict"), report.goals)

    if args.write:
        write_section(ROOT / "BENCHMARKS.md", report.lines)


def write_section(path: Path, lines: list[str]) -> None:
    """Replace this script's own section of BENCHMARKS.md, leaving the other scripts' sections alone."""
    # The section sits under "### Now" in BENCHMARKS.md: its headings go two levels down.
    lines = ["##" + line if line.startswith("#") else line for line in lines]
    body = "\n".join([SECTION_START, *lines, SECTION_END])
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    if SECTION_START in text and SECTION_END in text:
        head, rest = text.split(SECTION_START, 1)
        text = head + body + rest.split(SECTION_END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + body + "\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
