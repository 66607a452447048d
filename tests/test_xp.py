"""The scalar path: Python floats through gradcalc.xp give the same digits, messages and exit codes
as numpy, and a scalar question imports neither numpy nor rich."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from gradcalc import GradcalcError, compute
from gradcalc.evaluate import floats_path
from gradcalc.ops import OPS
from gradcalc.render.json import render_json
from gradcalc.render.plain import render_plain

ROOT = Path(__file__).resolve().parent.parent

# Every op that runs on floats, on points that reach its edges: poles, kinks, overflow, domains.
_leaves = st.sampled_from(["a", "b", "c", "0", "0.5", "1", "2", "3", "1e300", "1e-320"])
_unary = st.sampled_from(["exp({})", "log({})", "sqrt({})", "sin({})", "cos({})", "tan({})",
                          "sigmoid({})", "relu({})", "abs({})", "sign({})", "-({})", "+({})",
                          "asin({})", "acos({})", "atan({})", "sinh({})", "cosh({})", "asinh({})",
                          "acosh({})", "atanh({})", "log2({})", "log10({})", "log1p({})", "expm1({})",
                          "exp2({})", "cbrt({})", "softplus({})", "erf({})", "erfc({})", "gelu({})",
                          "elu({})", "silu({})", "leaky_relu({})", "clip({}, -1, 2)"])
_binary = st.sampled_from(["({}) + ({})", "({}) - ({})", "({}) * ({})", "({}) / ({})", "({}) ** ({})",
                           "atan2({}, {})", "log({}, {})", "max({}, {})", "min({}, {})",
                           "leaky_relu({}, {})", "clip({}, {}, c)"])
expressions = st.recursive(
    _leaves, lambda children: st.one_of(
        st.tuples(_unary, children).map(lambda t: t[0].format(t[1])),
        st.tuples(_binary, children, children).map(lambda t: t[0].format(t[1], t[2]))),
    max_leaves=6)
numbers = st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 710.0, -710.0, 1e-300, 1e300, 1e-320,
                          -1e-320, 5e-324, 1.0000000000000002, 0.9999999999999999, -0.9999999999999999,
                          1.7976931348623157e308, 2.2250738585072014e-308, 37.0, -37.0, 1e16])
points = st.fixed_dictionaries({name: numbers | st.floats(-20, 20) for name in "abc"})


def _numpy_has_its_own_simd_math() -> bool:
    """numpy replaces the C library's exp, log, sinh, cbrt, … with its own AVX-512 code where the
    processor has it (not on the machines this was written on: bench/floats_agree.py counts 0
    differences there); the float path always uses the C library."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__
    except ImportError:   # numpy 1.x
        from numpy.core._multiarray_umath import __cpu_features__
    return bool(__cpu_features__.get("AVX512F") or __cpu_features__.get("AVX512_SKX"))


NUMPY_HAS_ITS_OWN_SIMD_MATH = _numpy_has_its_own_simd_math()


def outcome(text: str, point: dict, number) -> tuple:
    """What gradcalc says about the program at the point, with each value made by `number`."""
    from gradcalc.parse import parse

    used = parse(text).variables
    try:
        result = compute(text, {name: number(v) for name, v in point.items() if name in used})
    except GradcalcError as error:
        return type(error).__name__, error.exit_code, error.render()
    return render_json(result), render_plain(result, 17, 0), type(result.value)


def test_float_ops_are_the_elementwise_ones():
    # tanh stays on numpy: math.tanh and numpy's differ in the last digit at a third of all points;
    # hypot too: Python's math.hypot is not the C library's (bench/floats_agree.py counts both).
    floats = {k for k, op in OPS.items() if op.floats}
    assert {"add", "mul", "div", "pow", "exp", "log", "sqrt", "sin", "asinh", "sinh", "atanh", "log1p",
            "atan2", "log_base", "maximum", "minimum", "clip", "erf", "gelu", "softplus"} <= floats
    assert not {"tanh", "hypot", "matmul", "sum", "max", "min", "norm", "softmax"} & floats
    assert all(op.elementwise for op in OPS.values() if op.floats)


@given(expressions, points)
@example("a / b", {"a": 0.0, "b": 0.0, "c": 0.0})
@example("a / b", {"a": -1.0, "b": -0.0, "c": 0.0})
@example("log(a)", {"a": -0.0, "b": 0.0, "c": 0.0})
@example("a ** b", {"a": -8.0, "b": 1 / 3, "c": 0.0})
@example("a ** b", {"a": -0.0, "b": -3.0, "c": 0.0})
@example("a ** b", {"a": -10.0, "b": 309.0, "c": 0.0})
@example("b * a ** c", {"a": 0.0, "b": 1.0, "c": 0.5})
@example("exp(a) * 0", {"a": 710.0, "b": 0.0, "c": 0.0})
@example("relu(a) + abs(b) + sign(c)", {"a": -0.0, "b": -0.0, "c": -0.0})
@example("sqrt(a)", {"a": 0.0, "b": 0.0, "c": 0.0})
@example("tan(a)", {"a": 1e300, "b": 0.0, "c": 0.0})
@example("acosh(a) + atanh(b) + atanh(c)", {"a": 1.0, "b": 1.0, "c": 0.0})
@example("atanh(a)", {"a": -1.0, "b": 0.0, "c": 0.0})
@example("acosh(a)", {"a": 0.9999999999999999, "b": 0.0, "c": 0.0})
@example("asin(a) + acos(b)", {"a": 1.0, "b": -1.0, "c": 0.0})
@example("asin(a)", {"a": 1.0000000000000002, "b": 0.0, "c": 0.0})
@example("log2(a) + log10(b)", {"a": -0.0, "b": 1e-320, "c": 0.0})
@example("log10(a)", {"a": -1e-320, "b": 0.0, "c": 0.0})
@example("log1p(a)", {"a": -1.0, "b": 0.0, "c": 0.0})
@example("log1p(a) + expm1(b)", {"a": -0.0, "b": -0.0, "c": 0.0})
@example("sinh(a) * cosh(b)", {"a": -710.0, "b": 710.0, "c": 0.0})
@example("sinh(a)", {"a": -1e300, "b": 0.0, "c": 0.0})
@example("expm1(a) + exp2(b)", {"a": 710.0, "b": 1024.0, "c": 0.0})
@example("exp2(a)", {"a": -1075.0, "b": 0.0, "c": 0.0})
@example("cbrt(a)", {"a": -0.0, "b": 0.0, "c": 0.0})
@example("cbrt(a) + asinh(b)", {"a": 5e-324, "b": 1e300, "c": 0.0})
@example("softplus(a) + softplus(b) + softplus(c)", {"a": 0.0, "b": -710.0, "c": 1e300})
@example("softplus(a)", {"a": -0.0, "b": 0.0, "c": 0.0})
@example("elu(a) + elu(b)", {"a": -0.0, "b": -1e300, "c": 0.0})
@example("gelu(a) + silu(b) + erfc(c)", {"a": -37.0, "b": -710.0, "c": 1e300})
@example("atan2(a, b)", {"a": 0.0, "b": 0.0, "c": 0.0})
@example("atan2(a, b) + atan2(b, a)", {"a": -0.0, "b": -0.0, "c": 0.0})
@example("log(a, b)", {"a": 2.0, "b": 1.0, "c": 0.0})
@example("log(a, b)", {"a": -0.0, "b": 0.5, "c": 0.0})
@example("max(a, b) + min(b, a)", {"a": 0.0, "b": -0.0, "c": 0.0})
@example("max(a, b) * min(a, b)", {"a": 2.0, "b": 2.0, "c": 0.0})
@example("leaky_relu(a) + leaky_relu(b, c)", {"a": -0.0, "b": -0.0, "c": 0.5})
@example("clip(a, b, c)", {"a": 1.0, "b": 2.0, "c": 1.0})
@example("clip(a, b, c)", {"a": -0.0, "b": 0.0, "c": 0.0})
def test_floats_and_numpy_say_the_same(text, point):
    if NUMPY_HAS_ITS_OWN_SIMD_MATH:
        pytest.skip("numpy computes exp, log, sinh, … with its own AVX-512 code on this processor, whose "
                    "last digit can differ from the C library's that the float path uses (README, Start-up)")
    on_floats = outcome(text, point, float)
    on_numpy = outcome(text, point, np.float64)
    assert on_floats[:2] == on_numpy[:2]
    if isinstance(on_floats[2], type):
        assert on_floats[2] is float and on_numpy[2] is float   # the API hands out Python floats


def test_the_path_is_chosen_once_per_evaluation():
    from gradcalc.parse import parse

    assert floats_path(parse("sin(x)*y"), {"x": 1.0, "y": 2.0})
    assert not floats_path(parse("tanh(x)*y"), {"x": 1.0, "y": 2.0})         # an op without floats
    assert not floats_path(parse("sin(x)*y"), {"x": np.float64(1), "y": 2.0})  # a numpy value
    assert not floats_path(parse("sum(x)"), {"x": np.ones(3)})
    assert not floats_path(parse("x*0 + [6]"), {"x": 1.0})                  # an array literal
    assert type(compute("sin(x)*y", x=1, y=2).values[-1]) is float
    assert type(compute("tanh(x)*y", x=1, y=2).values[-1]) is np.float64


def _imported(*args: str, terminal: bool = False, among=("numpy", "rich", "lark", "click")) -> dict:
    """Run the command as installed (`gradcalc.__main__:run`) in a fresh interpreter (its stdout a
    pseudo-terminal if `terminal`): its exit code, and which of the modules `among` (numpy, rich, lark
    and click) it imported (read off `-X importtime`, which reports each import as it happens: the
    quick path leaves with os._exit, so nothing can run after it)."""
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(PYTHONPATH=str(ROOT), TERM="xterm")
    argv = [sys.executable, "-X", "importtime", "-c", "from gradcalc.__main__ import run; run()", *args]
    if not terminal:
        done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
        code, stderr = done.returncode, done.stderr
    else:
        import pty

        leader, follower = pty.openpty()
        child = subprocess.Popen(argv, stdout=follower, stderr=subprocess.PIPE, text=True, env=env)
        os.close(follower)
        drawn = b""
        while True:   # read the terminal, or the child blocks on a full buffer
            try:
                piece = os.read(leader, 65536)
            except OSError:
                break
            if not piece:
                break
            drawn += piece
        stderr = child.communicate()[1]
        code = child.returncode
        os.close(leader)
        assert b"\x1b[" in drawn   # rich drew it
    loaded = {line.rsplit("|", 1)[1].strip() for line in stderr.splitlines() if line.startswith("import time:")}
    return {"exit": code, "modules": sorted(m for m in among if m in loaded)}


@pytest.mark.parametrize("args, modules", [
    (["(x+y)**2", "--x", "1", "--y", "2", "--json"], []),
    (["(x+y)**2", "--x", "1", "--y", "2"], []),                    # a piped table
    (["sin(x)*exp(-x)", "--x", "0.5", "-q"], []),
    (["x**2", "--x", "3", "--wrt", "x", "--precision", "4", "--plain"], []),
    (["log(x)", "--x", "0", "--json"], ["click"]),                  # a math error: click's command says it
    (["x", "--x", "1", "--hessian"], ["click", "numpy"]),           # an option beyond the plain question
    (["tanh(x)", "--x", "1", "--json"], ["numpy"]),                 # tanh's digits come from numpy
    (["asinh(x)*sinh(x) + clip(x, 0, 1)", "--x", "0.5", "--json"], []),   # #13's functions on floats
    (["lgamma(x) + polygamma(2, x) + factorial(y)", "--x", "2.5", "--y", "3", "--json"], []),   # Γ's kin
    (["hypot(x, 1)", "--x", "1", "--json"], ["numpy"]),             # hypot's digits come from numpy
    (["sum(x)", "--x", "[1, 2]", "--json"], ["numpy"]),
])
def test_a_scalar_question_imports_neither_numpy_nor_rich_nor_click(args, modules):
    found = _imported(*args)
    assert found["modules"] == modules and found["exit"] in (0, 3)


# gradcalc's own modules a plain question need not load: each is imported where the text needs it.
ON_FIRST_USE = ("gradcalc.indent", "gradcalc.brackets", "gradcalc.dialects", "gradcalc.mathtext", "gradcalc.special")


@pytest.mark.parametrize("args, modules", [
    (["(x+y)**2", "--x", "1", "--y", "2", "--json"], []),
    (["t = x*y; t + 1 # a comment", "--x", "1", "--y", "2", "--json"], []),
    (["def f(x): return x**2\nf(y)", "--y", "3", "--json"], ["gradcalc.dialects", "gradcalc.indent"]),   # a def line
    (["f = lambda x: x**2\nf(y)", "--y", "3", "--json"], ["gradcalc.brackets", "gradcalc.dialects"]),   # a lambda
    ([">>> y = 3\n>>> y**2", "--json"], ["gradcalc.dialects"]),                         # a pasted session
    (["lgamma(x) * digamma(x)", "--x", "2.5", "--json"], ["gradcalc.special"]),            # Γ's kin
])
def test_a_plain_question_loads_the_readers_it_needs_only(args, modules):
    found = _imported(*args, among=ON_FIRST_USE)
    assert found == {"exit": 0, "modules": modules}


def test_the_hints_patterns_are_compiled_only_when_a_hint_needs_one():
    # In a fresh interpreter: a parse compiles only the comment's pattern (the text has a #); a hint
    # compiles its own on first use and finds what it did before.
    code = ("import sys\nfrom gradcalc.result import compute\nparse = sys.modules['gradcalc.parse']\n"
            "compute('t = (x+y)**2  # a comment\\nt', {'x': 1.0, 'y': 2.0})\n"
            "lazy = [n for n, v in vars(parse).items() if isinstance(v, parse._Pattern)]\n"
            "print(len(lazy), [n for n in lazy if len(vars(getattr(parse, n))) > 1])\n"
            "print(parse.leibniz('d/dx (x**2)', {'d', 'dx'}).message, sorted(vars(parse._LEIBNIZ)))")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert run.stdout.splitlines() == [
        "11 ['_COMMENT']", "d/dx is a derivative, which gradcalc computes rather than reads ['finditer', 'pattern']"]


def test_a_plain_question_runs_no_garbage_collection():
    # Its modules load and it is answered with the cyclic collector off (it would walk the modules'
    # objects a dozen times and find nothing); a question for the full command line turns it back on.
    code = ("import gc, os, sys\nimport gradcalc.cli\nfrom gradcalc import __main__ as main\n"
            "def leave(code):\n"
            "    print(sum(stats['collections'] for stats in gc.get_stats()) - before, gc.isenabled(), code)\n"
            "    sys.stdout.flush()\n"
            "    os._exit(0)\n"
            "main.leave, gradcalc.cli.main = leave, lambda **kwargs: leave(None)\n"
            "gc.collect()\n"   # the counts at zero: none falls due before run() turns the collector off
            "before = sum(stats['collections'] for stats in gc.get_stats())\nmain.run()")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for args, said in ((["(x+y)**2", "--x", "1", "--y", "2", "--json"], "0 False 0"),
                       (["(x+y)**2", "--x", "1", "--y", "2", "--hessian"], "True None")):
        run = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env)
        assert run.stdout.splitlines()[-1].endswith(said), run.stderr


def test_a_table_on_a_terminal_imports_rich_but_not_numpy():
    found = _imported("(x+y)**2", "--x", "1", "--y", "2", terminal=True)
    assert found == {"exit": 0, "modules": ["rich"]}


# Standard modules a plain question's engine leaves alone: each costs milliseconds in a clean
# interpreter (dataclasses brings inspect, ast, dis and tokenize; pathlib brings urllib.parse), or
# a shared library to load (unicodedata: 0.6 M instructions, for names that are not ASCII).
HEAVY = ("dataclasses", "inspect", "typing", "pathlib", "csv", "tokenize", "ast", "threading",
         "contextlib", "numbers", "unicodedata")
ENGINE = ("from gradcalc.result import compute\nfrom gradcalc.values import parse_value\n"
          "from gradcalc.render.plain import render_plain\n")


def _clean_imports(code: str) -> set[str]:
    """The modules in sys.modules after `code`, run by `python -S` (as a fresh venv's Python: no .pth
    file of this environment has imported anything yet) with this checkout and site-packages on the
    path."""
    import site

    code += "\nimport sys\nprint(' '.join(sys.modules))"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *site.getsitepackages()])}
    run = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, env=env,
                         check=True)
    return set(run.stdout.splitlines()[-1].split())


def test_the_engine_of_a_plain_question_imports_no_heavy_standard_module():
    question = ("values = {name: parse_value(name, raw) for name, raw in (('x', '1'), ('y', ' 2.5'))}\n"
                "result = compute('t = (x+y)**2; t / 2', values, wrt=['x'])\n")
    as_json = _clean_imports(ENGINE + "from gradcalc.render.json import render_json\n" + question +
                             "render_json(result)")
    assert {"gradcalc.result", "gradcalc.render.json", "json"} <= as_json
    assert sorted(as_json & set(HEAVY)) == []
    as_table = _clean_imports(ENGINE + question + "render_plain(result, 10, 200)")
    assert "gradcalc.render.plain" in as_table and "numpy" not in as_table
    assert sorted(as_table & {*HEAVY, "json"}) == []   # no --json, no json
    from_python = _clean_imports("import gradcalc\n"
                                 "assert gradcalc.compute('x*y', x=2, y=3).gradient['x'] == 3")
    assert "gradcalc.api" in from_python and sorted(from_python & {*HEAVY, "json", "numpy"}) == []


def test_only_numpy_functions_are_deferred():
    # A deferred name is only ever called: a type (np.uint8 as a dtype) must import numpy at once.
    from gradcalc import xp

    for name in xp._DEFERRABLE:
        target = getattr(np, name)
        assert callable(target) and not isinstance(target, type), name
    for name in xp._UFUNC_METHODS:
        assert callable(getattr(np.multiply, name)), name


@pytest.mark.parametrize("args, expected", [
    (["sum(W)", "--W", "@examples/w.csv", "-q"], None),          # a CSV without spaces: read as bytes
    (["sum(W)", "--W", "@examples/weights.npy", "-q"], None),
    (["sum(x*u)", "--x", "[1, 2]", "--u", "[3, 4]", "-q"], "11\n[3, 4]\n[1, 2]\n"),
    (["x*2", "--x", "[1, 2]", "--upstream", "@examples/points.csv", "-q"], None),
])
def test_array_values_work_in_a_fresh_interpreter(args, expected):
    # In the test process numpy is already imported; a fresh one starts with the lazy `np`.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "gradcalc", *args], capture_output=True, text=True,
                         env=env, cwd=ROOT)
    in_process = subprocess.run([sys.executable, "-c", "import numpy, sys\nfrom gradcalc.cli import main\n"
                                 "main(sys.argv[1:])", *args], capture_output=True, text=True, env=env, cwd=ROOT)
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr, run.stderr
    assert (run.returncode, run.stdout, run.stderr) == (in_process.returncode, in_process.stdout, in_process.stderr)
    if expected is not None:
        assert run.stdout == expected
