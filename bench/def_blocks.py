"""Benchmark: what reading def blocks in the grammar costs (gradcalc/indent.py, the def rules).

CPU time of parse() alone, in fresh processes taken in turns (this checkout, then --against's, …),
each the best of a few parses; medians are printed, since the machine is shared and times wander.

- `pasted`: a JAX-style program of two defs, a docstring and a print (the common case);
- `defs N`: N defs, each after an assignment and called once (the time should grow as N, not N²);
- `sum`: a 10⁵-term sum with no def, which the indentation pass must leave alone (it pays a look
  for a def line).

    python bench/def_blocks.py                     # this checkout
    python bench/def_blocks.py --against ../main   # and another checkout, in turns
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

CHILD = r"""
import gc, sys, time
sys.path.insert(0, sys.argv[1])
from gradcalc.parse import parse
text = open(sys.argv[2], encoding="utf-8").read()
parse("x")
best = float("inf")
for _ in range(int(sys.argv[3])):
    gc.collect()
    start = time.process_time()
    try:
        parse(text)
    except Exception as error:      # an older checkout may refuse a text: say so, not a time
        print("refused:", str(error).splitlines()[0])
        raise SystemExit
    best = min(best, time.process_time() - start)
print(best)
"""

PASTED = ('import jax\nimport jax.numpy as jnp\n\ndef sigmoid(z):\n    """The logistic."""\n    return 1/(1+jnp.exp(-z))\n\n'
          'def loss(w, b):\n    h = sigmoid(w*x + b)\n    return (h - y)**2\n\nprint(jax.grad(loss)(0.5, 0.1))\n')


def many_defs(n: int) -> str:
    return "".join(f"a{i} = x*{i}\ndef f{i}(t):\n    return t*a{i}\n" for i in range(n)) + \
        "out = " + " + ".join(f"f{i}(x)" for i in range(n))


def texts() -> dict[str, tuple[str, int]]:
    """name → (text, parses per process)."""
    return {"pasted": (PASTED, 200), "defs 500": (many_defs(500), 3), "defs 2000": (many_defs(2000), 2),
            "sum": (" + ".join(f"{i % 7 + 1}*x*y" for i in range(100_000)), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, help="another checkout to time in turns with this one")
    parser.add_argument("--turns", type=int, default=3)
    args = parser.parse_args()
    roots = [HERE] + ([args.against.resolve()] if args.against else [])
    with tempfile.TemporaryDirectory() as scratch:
        for name, (text, repeat) in texts().items():
            path = Path(scratch) / f"{name.replace(' ', '_')}.txt"
            path.write_text(text, encoding="utf-8")
            print(f"{name:10s}  " + "   ".join(_timed(roots, path, repeat, args.turns)))


def _timed(roots: list[Path], path: Path, repeat: int, turns: int) -> list[str]:
    """Each checkout's median time for the text at `path` (or why it refused it)."""
    times: dict[Path, list] = {root: [] for root in roots}
    for _ in range(turns):
        for root in roots:
            out = subprocess.run([sys.executable, "-c", CHILD, str(root), str(path), str(repeat)],
                                 capture_output=True, text=True, check=True).stdout.strip()
            times[root].append(out)
    shown = []
    for root in roots:
        numbers = [float(t) for t in times[root] if not t.startswith("refused")]
        shown.append(f"{root.name}: " + (f"{statistics.median(numbers) * 1e3:9.2f} ms" if numbers
                                          else times[root][0]))
    return shown


if __name__ == "__main__":
    main()
