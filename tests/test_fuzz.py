"""Fuzzing with hypothesis: random programs from the grammar, random text, random mutations, random argv.

(a) Well-formed programs (every operator and function, unary signs, typographic forms, parentheses,
    assignments, fan-out) are printed with the fewest parentheses Python's precedence needs, then run
    through the CLI: each gives a value equal to an independent evaluation of the same tree and a
    gradient equal to central differences where the function is smooth there — or exit 3 with a message.
(b) Random text, mutations of valid programs and random command lines: each ends with exit 0, 2 or 3
    (1 only with a check option), a message on stderr, nothing on stdout on failure, no traceback.
(c) The rich tables (which the CLI draws only on a terminal) draw every random program.

Bounded by the hypothesis profile in tests/conftest.py; `HYPOTHESIS_PROFILE=long` runs far more examples.
"""

from __future__ import annotations

import functools
import json
import math

import numpy as np
from click.testing import CliRunner
from hypothesis import Phase, assume, event, example, given, settings
from hypothesis import strategies as st

from gradcalc.cli import main
from helpers import assert_json_error

INPUTS = ("x", "y", "w")
# The explain phase re-runs a failure hundreds of times to annotate it: minutes, for no new finding.
NO_EXPLAIN = [Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink]
ASSIGNED = ("t", "u_1", "hidden", "a2", "_v")


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


# An evaluation of each function independent of gradcalc's op table (same float64 arithmetic).
FUNCTIONS = {"exp": np.exp, "log": np.log, "ln": np.log, "sqrt": np.sqrt, "sin": np.sin, "cos": np.cos,
             "tan": np.tan, "tanh": np.tanh, "sigmoid": _sigmoid, "relu": lambda a: np.maximum(a, 0.0),
             "abs": np.abs, "sign": np.sign,
             # issue 13's functions of one argument (kinks and poles: exit 3 or compared as relu is)
             "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan, "sinh": np.sinh, "cosh": np.cosh,
             "asinh": np.arcsinh, "acosh": np.arccosh, "atanh": np.arctanh, "log2": np.log2,
             "log10": np.log10, "log1p": np.log1p, "expm1": np.expm1, "exp2": np.exp2, "cbrt": np.cbrt,
             "softplus": lambda a: np.logaddexp(0.0, a), "erf": np.vectorize(math.erf),
             "erfc": np.vectorize(math.erfc), "silu": lambda a: a * _sigmoid(a),
             "elu": lambda a: np.where(a > 0, a, np.expm1(np.minimum(a, 0.0)))}
BINARY = {"+": np.add, "-": np.subtract, "−": np.subtract, "*": np.multiply, "×": np.multiply,
          "·": np.multiply, "/": np.divide, "÷": np.divide, "**": np.power, "^": np.power}
LEVEL = {"+": 1, "-": 1, "−": 1, "*": 2, "×": 2, "·": 2, "/": 2, "÷": 2, "**": 4, "^": 4}
UNARY = {"-": np.negative, "−": np.negative, "+": np.positive}
CONSTANTS = {"pi": math.pi, "e": math.e}


# --- (a) programs as trees --------------------------------------------------------------------

def _number_text(value: float, style: int) -> str:
    if style == 0:
        return str(int(value))
    if style == 1:
        return f"{value:.3f}".rstrip("0") or "0"          # "2.5", "3."
    if style == 2:
        return f"{value:.2e}"                              # "2.50e+00"
    return f"{value:.3f}"[1:] if value < 1 else f"{value:.3f}"  # ".250"


numbers = st.builds(lambda v, s: ("num", _number_text(v, s)),
                    st.floats(0, 9, allow_nan=False), st.integers(0, 3))


def _leaves(names):
    return st.one_of(numbers, st.sampled_from([("const", c) for c in CONSTANTS]),
                     st.sampled_from([("var", n) for n in names]))


def _grow(children):
    return st.one_of(
        st.tuples(st.just("bin"), st.sampled_from(sorted(BINARY)), children, children),
        st.tuples(st.just("un"), st.sampled_from(sorted(UNARY)), children),
        st.tuples(st.just("call"), st.sampled_from(sorted(FUNCTIONS)), children),
        st.tuples(st.just("paren"), children),
    )


@functools.lru_cache(maxsize=None)  # building a recursive strategy is slow: once per set of names
def trees(names):
    return st.recursive(_leaves(names), _grow, max_leaves=8)


def show(tree) -> tuple[str, int]:
    """The tree as text with only the parentheses precedence needs: (text, level of its top)."""
    kind = tree[0]
    if kind == "num":
        return tree[1], 5
    if kind in ("const", "var"):
        return tree[1], 5
    if kind == "paren":
        return f"({show(tree[1])[0]})", 5
    if kind == "call":
        return f"{tree[1]}({show(tree[2])[0]})", 5
    if kind == "un":
        return tree[1] + _wrap(tree[2], 3), 3
    op, level = tree[1], LEVEL[tree[1]]
    if level == 4:  # ** is right-associative and binds tighter than a unary sign on its left
        return f"{_wrap(tree[2], 5)}{op}{_wrap(tree[3], 3)}", 4
    return f"{_wrap(tree[2], level)} {op} {_wrap(tree[3], level + 1)}", level


def _wrap(tree, need: int) -> str:
    text, level = show(tree)
    return text if level >= need else f"({text})"


def value_of(tree, env):
    kind = tree[0]
    if kind == "num":
        return np.float64(float(tree[1]))
    if kind == "const":
        return np.float64(CONSTANTS[tree[1]])
    if kind == "var":
        return env[tree[1]]
    if kind == "paren":
        return value_of(tree[1], env)
    if kind == "call":
        return FUNCTIONS[tree[1]](value_of(tree[2], env))
    if kind == "un":
        return UNARY[tree[1]](value_of(tree[2], env))
    return BINARY[tree[1]](value_of(tree[2], env), value_of(tree[3], env))


def is_literal(tree) -> bool:
    """A number, constant, or signs and parentheses around one: gradcalc folds it to a constant."""
    while tree[0] in ("un", "paren"):
        tree = tree[-1]
    return tree[0] in ("num", "const")


def used_names(tree, found=None) -> set[str]:
    found = set() if found is None else found
    if tree[0] == "var":
        found.add(tree[1])
    for child in tree[1:]:
        if isinstance(child, tuple):
            used_names(child, found)
    return found


@st.composite
def programs(draw):
    """Statements `name = tree` (later ones may use earlier names: fan-out), the last one the output."""
    count = draw(st.integers(1, 3))
    statements, names = [], list(INPUTS)
    for i in range(count):
        tree = draw(trees(tuple(names)))
        name = ASSIGNED[i] if i < count - 1 or draw(st.booleans()) else None
        statements.append((name, tree))
        if name:
            names.append(name)
    separators = draw(st.lists(st.sampled_from(["; ", "\n", " ;\n", "  # note\n", "\n\n"]),
                               min_size=count, max_size=count))
    text = ""
    for (name, tree), sep in zip(statements, separators):
        shown = show(tree)[0]
        if not name and shown[:1] in "+-−" and text.endswith("\n"):
            # `t = 0` then a line `-x` is refused as ambiguous (it may continue t = 0 - x): the output
            # is put in parentheses, as a program meaning it would write it.
            shown = f"({shown})"
        text += (f"{name} = " if name else "") + shown + sep
    return statements, text.rstrip("\n; ") if draw(st.booleans()) else text


def reference(statements, values):
    """Every statement's value, in order, like gradcalc's forward pass (which evaluates them all)."""
    env, results = dict(values), []
    with np.errstate(all="ignore"):
        for name, tree in statements:
            # `t = 3` makes t an input whose default is 3: a value given for t wins.
            given = name in env and is_literal(tree)
            result = env[name] if given else value_of(tree, env)
            results.append(result)
            if name:
                env[name] = result
    return results


def inputs_of(statements):
    """The program's inputs: variables it uses, and names assigned a bare literal (inputs with defaults)."""
    used, defaults = set(), {}
    assigned = {name for name, _ in statements if name}
    for name, tree in statements:
        used |= used_names(tree) - assigned
        if name and is_literal(tree):
            defaults[name] = reference([(name, tree)], {})[0]
    return sorted(used & set(INPUTS)), defaults


def run(args):
    return CliRunner().invoke(main, args)


def assert_failed_cleanly(result, codes=(2, 3)):
    assert result.exit_code in codes, (result.exit_code, result.stdout, result.stderr)
    assert_json_error(result)   # the programs run with --json: the error is one JSON object on stdout too
    assert result.stderr.startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


point = st.floats(-4, 4, allow_nan=False, allow_infinity=False)
# For comparing with central differences: 0, or at least 1e-3 in size. At 1e-112 the steps straddle
# poles at 0 while every value is tiny (y/x at x = 1.7e-112, y = 7e-121: ∂/∂x = -2.6e103 is right, but
# both step sizes say ~0 and agree); tiny and subnormal values are tested in test_hostile.py and below.
moderate = st.just(0.0) | st.builds(lambda size, sign: sign * size, st.floats(1e-3, 4),
                                     st.sampled_from([1.0, -1.0]))


@settings(phases=NO_EXPLAIN)
@given(programs(), st.lists(moderate, min_size=3, max_size=3))
# Found by the long run: gradients of 1e153 that cancel exactly in math leave a rounding residue.
@example(program=([("t", ("num", "0")),
                   (None, ("bin", "/", ("var", "y"), ("bin", "*", ("var", "y"), ("num", "8.75"))))],
                  "t = 0; y / (y * 8.75); "), point_values=[0.0, 4.286518911435561e-155, 0.0])
@example(program=([("t", ("bin", "**", ("const", "pi"), ("bin", "*", ("const", "pi"), ("num", "6")))),
                   (None, ("bin", "+", ("var", "x"), ("var", "t")))], "t = pi**(pi * 6); x + t; "),
         point_values=[0.0, 0.0, 0.0])
def test_random_programs_match_reference_and_central_differences(program, point_values):
    statements, text = program
    variables, defaults = inputs_of(statements)
    values = dict(zip(INPUTS, point_values))
    given_values = {name: values[name] for name in variables}
    # The program comes on stdin: as an argument, text such as "--x" would read as an option.
    args = ["-f", "-", "--json"] + [a for n, v in given_values.items() for a in (f"--{n}", repr(v))]
    result = CliRunner().invoke(main, args, input=text)

    env = {**{n: np.float64(v) for n, v in given_values.items()}, **defaults}
    expected = reference(statements, env)
    if not all(np.isfinite(v) for v in expected):
        event("non-finite forward: exit 3")
        assert_failed_cleanly(result, codes=(3,))
        return
    if result.exit_code == 3:      # finite forward, but a derivative is infinite or overflows
        event("non-finite backward: exit 3")
        assert_failed_cleanly(result, codes=(3,))
        return
    assert result.exit_code == 0, (text, args, result.stderr)
    data = json.loads(result.stdout)
    assert math.isclose(data["value"], expected[-1], rel_tol=1e-9, abs_tol=1e-12), (text, data["value"])
    assert set(data["gradient"]) == set(variables) | set(defaults)

    def f(name, at):
        with np.errstate(all="ignore"):
            return reference(statements, {**env, name: np.float64(at)})[-1]

    for name, grad in data["gradient"].items():
        x0 = float(env[name])
        scale = max(1.0, abs(x0))
        h = 1e-5 * scale
        right, left = f(name, x0 + h), f(name, x0 - h)
        estimates = [(f(name, x0 + 10 * h) - f(name, x0 - 10 * h)) / (20 * h), (right - left) / (2 * h)]
        one_sided = [(right - expected[-1]) / h, (expected[-1] - left) / h]
        # Only where the function is smooth near the point: two step sizes agree, and so do the
        # one-sided slopes (at a kink such as abs(x) at 0 central differences would say 0 and agree).
        if not all(np.isfinite(estimates + one_sided)) or \
                abs(estimates[0] - estimates[1]) > 1e-5 * (1 + abs(estimates[1])) or \
                abs(one_sided[0] - one_sided[1]) > 1e-3 * (1 + abs(estimates[1])):
            event("gradient not checked: not smooth there")
            continue
        event("gradient checked against central differences")
        # Rounding: contributions of 1e153 that cancel to 0 leave ~1e137 (y/(y*8.75) at y = 4e-155).
        rounding = 1e-12 * sum(abs(edge["contribution"]) for node in data["nodes"] for edge in node["local"])
        # ...and the difference quotient is only good to ε·|f|/h (x + 2.5e9: ±0.02 at h = 1e-5).
        rounding += 8 * np.finfo(float).eps * max(abs(right), abs(left), abs(expected[-1])) / h
        assert abs(grad - estimates[1]) <= 1e-4 * (1 + abs(estimates[1])) + rounding, \
            (text, name, grad, estimates)


# --- (b) random and mutated text through the CLI ------------------------------------------------

HOSTILE = "xyzw0123456789.eE+-*/^()=;,#@ _\n\t\r\"'[]{}<>!$%&|~`\\:?" \
          "−×·÷х–—∗⋅²√πｘ١\x00\x1b\u200b\ufeff\udcff"

texts = st.text(alphabet=st.sampled_from(HOSTILE), max_size=40) | st.text(max_size=40)


def check_any_outcome(result, codes=(0, 2, 3)):
    assert result.exit_code in codes, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    if result.exit_code == 0:   # notes only (a value the expression does not use)
        assert result.stdout and all(line.startswith("note: ") for line in result.stderr.splitlines())
    else:
        assert result.stdout == "" and result.stderr.strip(), (result.stdout, result.stderr)


@settings(phases=NO_EXPLAIN)
@given(texts, st.sampled_from([[], ["--x", "1.5"], ["--x", "0"], ["--x", "1", "--y", "-2", "--w", "3"]]))
def test_random_text(text, values):
    result = run([*values, "-q", "--", text])
    check_any_outcome(result)
    if result.exit_code:
        assert result.stderr.startswith("error: ")


@st.composite
def mutations(draw):
    statements, text = draw(programs())
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.integers(0, 4))
        if kind == 0:                      # delete a slice
            text = text[:at] + text[at + draw(st.integers(1, 5)):]
        elif kind == 1:                    # insert hostile characters
            text = text[:at] + draw(st.text(st.sampled_from(HOSTILE), min_size=1, max_size=3)) + text[at:]
        elif kind == 2:                    # duplicate a slice
            text = text[:at] + text[at:at + draw(st.integers(1, 8))] + text[at:]
        elif kind == 3:                    # swap two characters
            if 0 < at < len(text):
                text = text[:at - 1] + text[at] + text[at - 1] + text[at + 1:]
        else:                              # nest it deeper or cut it short
            text = "(" * at + text if draw(st.booleans()) else text[:at]
    return text


@settings(phases=NO_EXPLAIN)
@given(mutations(), st.lists(point, min_size=3, max_size=3))
def test_mutated_programs(text, point_values):
    args = [a for n, v in zip(INPUTS, point_values) if n in text for a in (f"--{n}", repr(v))]
    result = run([*args, "-q", "--", text])
    check_any_outcome(result)
    if result.exit_code:
        assert result.stderr.startswith("error: ")


ARGS = ["--x", "--y", "--X", "--var", "x=1", "X=[1,2]", "--wrt", "x", "y", "X", "--json", "--plain", "-q",
        "--precision", "--max-rows", "0", "3", "-1e-3", "1e999", "nan", "[1,2]", "[[1],[2]]", "[]",
        "[[1,2],[3,4]]", "-f", "-", "--limit", "nodes=2", "elements=1", "--", "x*y", "sin(x)", "x**",
        "sum(X)", "X@X", "X.T", "softmax(X)", "cross_entropy(X, X)", "max(X)", "mean(X, 0)", "", "@",
        "@/nonexistent.npy", "@-", "--x=2", "-qq", "--expect", "x=2", "z=1", "x=2*x", "--check",
        "--hessian", "--order", "2", "30", "--symbolic", "--mode", "forward", "--compare-modes",
        "--upstream", "--rtol", "--atol", "--points", "--keep-going", "check", "-x"]
STDIN = ["x*2", "x,y\n1,2\n3,x\n", '{"x": 1}\n{"x": "a"}\n', "[problem]\nexpression = 'x'\n", "",
         "\x00\xff", "x\n1\n2\n"]


@settings(phases=NO_EXPLAIN)
@given(st.lists(st.sampled_from(ARGS) | texts, max_size=8), st.sampled_from(STDIN))
def test_random_command_lines(argv, stdin):
    assume("--help" not in argv and "-h" not in argv)
    result = CliRunner().invoke(main, argv, input=stdin)
    # Check options (--expect, --check) may exit 1; click's own usage errors start with "Usage:".
    assert result.exit_code in (0, 1, 2, 3), (argv, result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, (argv, result.stderr)
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), \
        (argv, repr(result.exception))
    if result.exit_code not in (0, 1):
        assert result.stderr.strip(), (argv, result.stdout, result.stderr)
        if "--json" in (argv[:argv.index("--")] if "--" in argv else argv):
            # stdout is JSON: the error as one object, or the --points rows written before it stopped
            first = json.loads(result.stdout.splitlines()[0])
            if "error" in first and "line" not in first:
                assert_json_error(result)
            else:
                assert all(json.loads(line) for line in result.stdout.splitlines())
        else:
            assert result.stdout == "", (argv, result.stdout, result.stderr)


@settings(phases=NO_EXPLAIN)
@given(programs(), point)
def test_rich_tables_draw_any_program(program, at):
    # CliRunner is not a terminal, so the CLI tests above never reach the rich renderer: draw it here.
    import io

    from rich.console import Console

    from gradcalc import GradcalcError, compute
    from gradcalc.render.rich import render_result

    statements, text = program
    try:
        result = compute(text, {name: at for name in inputs_of(statements)[0]})
    except GradcalcError:
        return
    console = Console(file=io.StringIO(), width=100, color_system="truecolor")
    console.print(render_result(result))
    assert "Backward" in console.file.getvalue() or not result.steps
