"""Expected values for tests/corpus/published.toml (and the held-out sampled.toml, heldout.toml and
heldout2.toml) from independent oracles: SymPy (exact formulas, differentiated symbolically), PyTorch and JAX
(the frameworks' own autograd, float64).

    .venv/bin/pip install sympy torch jax jaxlib
    .venv/bin/python tools/corpus_oracle.py          # writes tests/corpus/{published,sampled,heldout,heldout2}_oracle.json
    .venv/bin/python tools/corpus_oracle.py --all    # every problem again, not only new or edited ones

The output is committed, so the tests need none of these libraries. The code in the corpus file's
`torch`/`jax` fields is ours (written next to each problem), run here and never by gradcalc.
"""

from __future__ import annotations

import ast
import json
import sys
import tomllib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
# Each corpus file and its oracle file: the published corpus, and three sampled later from sources the
# ones before did not use (each held out from the readers' work when it was made).
CORPORA = [(ROOT / "tests" / "corpus" / f"{name}.toml", ROOT / "tests" / "corpus" / f"{name}_oracle.json")
           for name in ("published", "sampled", "heldout", "heldout2")]


def _split_output(code: str) -> tuple[str, str]:
    """The code before its last statement, and the last statement as an expression (an assignment's
    value, so `loss = ...` is the output as it would be in the program)."""
    tree = ast.parse(code.strip())
    last = tree.body[-1]
    body = ast.Module(body=tree.body[:-1], type_ignores=[])
    if isinstance(last, ast.Assign):
        expression = last.value
    elif isinstance(last, ast.Expr):
        expression = last.value
    else:
        raise SystemExit(f"the oracle's last line must be an expression or an assignment: {code!r}")
    return ast.unparse(body), ast.unparse(expression)


def _plain(value):
    array = np.asarray(value, dtype=float)
    return array.tolist()


def sympy_oracle(expression: str, point: dict) -> dict:
    import sympy as sp
    from sympy.parsing.sympy_parser import parse_expr

    symbols = {name: sp.Symbol(name, real=True) for name in point}   # real: d|x|/dx is sign(x)
    table = dict(symbols) | {"E": sp.E, "pi": sp.pi, "sec": sp.sec, "csc": sp.csc, "Max": sp.Max,
                             "Min": sp.Min, "Rational": sp.Rational}
    formula = parse_expr(expression, local_dict=table)
    at = {symbols[name]: sp.Float(value, 30) for name, value in point.items()}
    value = formula.subs(at).evalf(30)
    gradient = {name: float(sp.diff(formula, symbol).subs(at).evalf(30)) for name, symbol in symbols.items()}
    return {"value": float(value), "gradient": gradient}


def torch_oracle(code: str, point: dict, wrt: list[str], constant: list[str]) -> dict:
    import torch
    import torch.nn.functional as F

    torch.set_default_dtype(torch.float64)
    body, output = _split_output(code)
    namespace = {"torch": torch, "F": F}
    inputs = {}
    for name, value in point.items():
        if name in constant:     # held constant: a number as written, a list of floats as a tensor without a gradient
            floats = isinstance(value, list) and any(isinstance(v, float) for v in np.ravel(value).tolist())
            namespace[name] = torch.tensor(value, dtype=torch.float64) if floats else value
            continue
        inputs[name] = torch.tensor(value, dtype=torch.float64, requires_grad=True)
        namespace[name] = inputs[name]
    exec(body, namespace)   # our own oracle code, from the corpus file
    result = eval(output, namespace)
    inputs |= {name: namespace[name] for name in wrt}
    grads = torch.autograd.grad(result.sum(), list(inputs.values()), allow_unused=True)
    return {"value": _plain(result.detach()),
            "gradient": {name: _plain(torch.zeros_like(tensor) if grad is None else grad)
                         for (name, tensor), grad in zip(inputs.items(), grads)}}


def jax_oracle(code: str, point: dict) -> dict:
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    body, output = _split_output(code)
    names = list(point)

    def run(*values):
        namespace = {"jax": jax, "jnp": jnp} | dict(zip(names, values))
        exec(body, namespace)
        return eval(output, namespace)

    args = [jnp.asarray(point[name], dtype=jnp.float64) for name in names]
    value = run(*args)
    grads = jax.grad(lambda *a: jnp.sum(run(*a)), argnums=tuple(range(len(names))))(*args)
    return {"value": _plain(value), "gradient": {name: _plain(g) for name, g in zip(names, grads)}}


def expected(problem: dict) -> dict:
    point = dict(problem.get("at", {})) | dict(problem.get("sympy_at", {}))
    if "sympy" in problem:
        found = sympy_oracle(problem["sympy"], point)
        found["oracle"] = "sympy"
    elif "torch" in problem:
        found = torch_oracle(problem["torch"], point, problem.get("wrt", []), problem.get("no_gradient", []))
        found["oracle"] = "torch"
    elif "jax" in problem:
        found = jax_oracle(problem["jax"], point)
        found["oracle"] = "jax"
    else:
        raise SystemExit(f"{problem['id']}: no oracle (sympy, torch or jax)")
    for name in problem.get("no_gradient", []):
        found["gradient"].pop(name, None)
    found["fingerprint"] = fingerprint(problem)
    return found


def fingerprint(problem: dict) -> str:
    """What the expected values depend on (text, point, oracle), hashed: tests/test_published.py
    compares it, so an entry edited without running this script again is caught."""
    import hashlib

    keys = ("text", "at", "sympy_at", "wrt", "no_gradient", "sympy", "torch", "jax")
    data = json.dumps({key: problem.get(key) for key in keys}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()[:16]


def main() -> int:
    for corpus, output in CORPORA:
        write(corpus, output)
    return 0


def write(corpus: Path, output: Path) -> None:
    problems = tomllib.loads(corpus.read_text(encoding="utf-8"))["problem"]
    ids = [p["id"] for p in problems]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise SystemExit(f"ids used twice: {sorted(duplicates)}")
    # An entry whose fingerprint is unchanged keeps its expected values: only new and edited problems
    # need their oracle's library installed (--all computes every one again).
    known = {} if "--all" in sys.argv or not output.exists() else json.loads(output.read_text(encoding="utf-8"))
    table = {p["id"]: known[p["id"]] if known.get(p["id"], {}).get("fingerprint") == fingerprint(p) else expected(p)
             for p in problems}
    output.write_text(json.dumps(table, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(table)} problems: {output.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
