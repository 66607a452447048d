"""Every operator's local derivative and gradient against central differences, at many points."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradcalc import compute
from gradcalc.ops import FUNCTIONS, OPS, sum_to
from helpers import EARLIER   # the functions added later are tested in test_functions.py


def central_difference(text, point, name, h=1e-6):
    plus, minus = dict(point), dict(point)
    plus[name] += h
    minus[name] -= h
    return (float(compute(text, plus).value) - float(compute(text, minus).value)) / (2 * h)


def assert_gradient_matches(text, point):
    result = compute(text, point)
    for name in point:
        numeric = central_difference(text, point, name)
        assert float(result.gradient[name]) == pytest.approx(numeric, rel=1e-5, abs=1e-6), (text, point, name)


def floats(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


# Each function with a range of inputs where it is smooth (kinks and poles kept away from).
UNARY_DOMAINS = {
    "exp": floats(-20, 20), "log": floats(0.01, 1e3), "sqrt": floats(0.01, 1e3),
    "sin": floats(-10, 10), "cos": floats(-10, 10), "tan": floats(-1.4, 1.4), "tanh": floats(-5, 5),
    "sigmoid": floats(-20, 20), "relu": floats(0.01, 10) | floats(-10, -0.01),
    "abs": floats(0.01, 10) | floats(-10, -0.01), "ln": floats(0.01, 1e3),
    "sign": floats(0.01, 10) | floats(-10, -0.01),
}


# Functions of whole arrays (reductions, softmax, the matrix product): tested in test_arrays.py.
ARRAY_FUNCTIONS = {"transpose", "sum", "mean", "max", "softmax", "logsumexp", "cross_entropy"}


def test_every_function_has_a_domain_test():
    assert set(UNARY_DOMAINS) == EARLIER <= set(FUNCTIONS)


@pytest.mark.parametrize("function", sorted(UNARY_DOMAINS))
def test_function_gradient_matches_central_difference(function):
    @given(UNARY_DOMAINS[function])
    def check(x):
        assert_gradient_matches(f"{function}(x)", {"x": x})
        if abs(x / 4 + 0.5) > 1e-3:   # x*x + 0.5*x is 0 at x/4 = −0.5: a kink of relu, abs, sign
            assert_gradient_matches(f"{function}(x*x + 0.5*x)", {"x": x / 4})  # composed: chain rule

    check()


BINARY_DOMAINS = {
    "+": (floats(-1e3, 1e3), floats(-1e3, 1e3)),
    "-": (floats(-1e3, 1e3), floats(-1e3, 1e3)),
    "*": (floats(-1e2, 1e2), floats(-1e2, 1e2)),
    "/": (floats(-1e2, 1e2), floats(0.1, 1e2) | floats(-1e2, -0.1)),
    "**": (floats(0.1, 10), floats(-3, 3)),
}


@pytest.mark.parametrize("operator", sorted(BINARY_DOMAINS))
def test_operator_gradient_matches_central_difference(operator):
    @given(*BINARY_DOMAINS[operator])
    def check(x, y):
        assert_gradient_matches(f"x {operator} y", {"x": x, "y": y})

    check()


@given(floats(-5, 5), floats(-5, 5))
def test_unary_minus_and_plus(x, y):
    assert_gradient_matches("-x*y + +x", {"x": x, "y": y})


@pytest.mark.parametrize("function, x, expected", [
    ("relu", 0.0, 0.0), ("abs", 0.0, 0.0),  # subgradient 0 at the kink, as frameworks do
    ("relu", 2.0, 1.0), ("relu", -2.0, 0.0), ("abs", -3.0, -1.0),
])
def test_kinks_take_the_documented_subgradient(function, x, expected):
    assert float(compute(f"{function}(x)", x=x).gradient["x"]) == expected


def test_op_table_is_consistent():
    for name, op in OPS.items():
        assert len(op.vjp or op.local) == op.arity, name
        # one rule: a local derivative or a vector-Jacobian rule
        assert not op.vjp or all(rule is None for rule in op.d), name


@pytest.mark.parametrize("text, point, expected", [
    ("x*y", {"x": 3, "y": 4}, {"x": "y", "y": "x"}),
    ("x/y", {"x": 3, "y": 4}, {"x": "1/y", "y": "−z/y"}),
    ("x**2", {"x": 3}, {"x": "2·x"}),
    ("x**3", {"x": 3}, {"x": "3·x²"}),
    ("x**-2", {"x": 3}, {"x": "−2·x^(−3)"}),
    ("x**y", {"x": 3, "y": 2}, {"x": "y·x^(y − 1)", "y": "z·log(x)"}),
    ("exp(x)", {"x": 1}, {"x": "z"}),
    ("tanh(x)", {"x": 1}, {"x": "1 − z²"}),
    ("relu(x)", {"x": 1}, {"x": "1 if x > 0 else 0"}),
    ("erf(x)", {"x": 1}, {"x": "2/√π·exp(−x²)"}),
    ("clip(x, 0, 2)", {"x": 1}, {"x": "(1 − [0 > x])·(1 − [x > 2])"}),
    ("sigmoid(x)", {"x": 1}, {"x": "z·(1 − z)"}),
    ("x - y", {"x": 1, "y": 1}, {"x": "1", "y": "−1"}),
])
def test_formula_text(text, point, expected):
    from gradcalc.render.rows import local_formula

    result = compute(text, point)
    shown = {result.labels[step.input]: local_formula(result, step) for step in result.steps}
    assert shown == expected


def test_formula_text_matches_local_value_for_pow():
    # The shown formula 2·x must agree with the shown local value.
    result = compute("x**2", x=3)
    (step,) = result.steps
    assert float(step.local) == 6.0


@pytest.mark.parametrize("grad_shape, shape, expected", [
    ((2, 3), (3,), [2.0, 2.0, 2.0]),
    ((2, 3), (2, 1), [[3.0], [3.0]]),
    ((2, 3), (), 6.0),
    ((2, 3), (1, 3), [[2.0, 2.0, 2.0]]),
])
def test_sum_to_undoes_broadcasting(grad_shape, shape, expected):
    reduced = sum_to(np.ones(grad_shape), shape)
    assert np.shape(reduced) == shape
    np.testing.assert_array_equal(reduced, expected)


def test_pow_exponent_derivative_at_zero_base_is_zero():
    result = compute("x**y", x=0.0, y=2.0)
    assert float(result.gradient["y"]) == 0.0 and float(result.gradient["x"]) == 0.0


def test_constants_pi_and_e():
    result = compute("sin(pi*x) + e**x", x=1)
    assert float(result.value) == pytest.approx(math.sin(math.pi) + math.e)
    assert float(result.gradient["x"]) == pytest.approx(math.pi * math.cos(math.pi) + math.e)


@pytest.fixture
def cube(monkeypatch):
    """A made-up function added the way a new one is: one entry (forward, one rule, names, domain and
    kink text), here patched into the table for one test."""
    from gradcalc import ops

    entry = ops.unary("cube", lambda a: a * a * a, lambda m, a, out: 3.0 * a * a, names=("cube", "cubed"),
                      domain="every x (made up)", kink="none (made up)", floats=True)
    monkeypatch.setitem(OPS, "cube", entry)
    for name, by_arity in ops.callables().items():
        monkeypatch.setitem(ops.CALLS, name, by_arity)
    return entry


def test_a_new_function_is_one_entry_in_the_table(cube):
    # One entry reaches the parser, the trace, --symbolic, the Hessian, forward mode and batches of points.
    from gradcalc.batch import evaluate_points
    from gradcalc.higher import beyond
    from gradcalc.parse import parse

    result = compute("cubed(x) + y*cube(x)", x=2.0, y=1.0)
    assert float(result.value) == 16.0 and float(result.gradient["x"]) == 24.0
    found = beyond(result, hessian_wanted=True, symbolic=True, mode="forward")
    assert found.hessian.matrix[0].tolist() == [24.0, 12.0]
    assert found.symbolic.pretty[("gradient", "x")] == "3·x^2·y + 3·x^2"
    assert found.symbolic.pretty[("gradient", "y")] == "cube(x)"
    assert float(found.forward.gradient["x"]) == 24.0
    value, gradient, errors = evaluate_points(parse("cube(x)"), {"x": np.array([1.0, 2.0])}, 2)
    assert value.tolist() == [1.0, 8.0] and gradient["x"].tolist() == [3.0, 12.0] and not errors


def test_a_new_function_reaches_every_output_of_the_command_line(cube, tmp_path):
    import json

    from helpers import run

    trace = run("cube(x)", "--x", "2", "--plain")
    assert trace.exit_code == 0 and "3·x²" in trace.stdout and "12" in trace.stdout
    assert " & $3 x^{2}$ & $12$ & " in run("cube(x)", "--x", "2", "--latex").stdout     # the trace's LaTeX
    data = json.loads(run("cube(x)", "--x", "2", "--json").stdout)
    assert data["gradient"]["x"] == 12.0
    symbolic = run("cube(x)", "--x", "2", "--symbolic")
    assert symbolic.exit_code == 0 and "3·x^2" in symbolic.stdout
    latex = run("cube(x)*y", "--x", "2", "--y", "1", "--symbolic", "--latex")
    assert latex.exit_code == 0 and r"&= \operatorname{cube}\left(x\right)" in latex.stdout, latex.stdout
    assert "&= 3 x^{2} y" in latex.stdout
    hessian = json.loads(run("cube(x)*y", "--x", "2", "--y", "1", "--hessian", "--json").stdout)
    assert hessian["hessian"]["matrix"] == [[12.0, 12.0], [12.0, 0.0]]
    order = json.loads(run("cube(x)", "--x", "2", "--order", "30", "--json").stdout)
    assert order["derivative"]["value"] == 0.0
    third = json.loads(run("cube(sin(x))", "--x", "0.5", "--order", "3", "--json").stdout)
    x = 0.5   # (sin³)‴ = 6cos³ − 21 sin² cos
    expected = 6 * math.cos(x) ** 3 - 21 * math.sin(x) ** 2 * math.cos(x)
    assert third["derivative"]["value"] == pytest.approx(expected, rel=1e-12)
    forward = json.loads(run("cube(x)*y", "--x", "2", "--y", "3", "--mode", "forward", "--json").stdout)
    assert forward["gradient"] == {"x": 36.0, "y": 8.0}
    points = tmp_path / "points.csv"
    points.write_text("x\n1\n2\n-1\n", encoding="utf-8")
    batch = run("cube(x)", "--points", str(points))
    assert batch.exit_code == 0, batch.output
    rows = [line.split(",") for line in batch.stdout.splitlines()]
    assert [float(row[-1]) for row in rows[1:]] == [3.0, 12.0, 3.0]
    shown = run("--help").stdout
    assert "  cube(x) cubed: 3·x²; every x (made up); none (made up)" in shown


def test_every_op_knows_where_it_is_used():
    for key, op in OPS.items():
        if op.names and not op.vjp and op.arity == 1:
            assert op.normal is not None, key           # --symbolic reads it
    assert ops_called("sum") == {1: "sum", 2: "sum_axis"}   # the axis form, by its number of arguments
    assert OPS["sum_axis"].literal == (False, True)


def ops_called(name):
    from gradcalc.ops import CALLS

    return CALLS[name]


# Points for the ops whose numeric local differs from their rule on purpose, away from where it must
# differ (pow at 0, a zero element of prod, the norm at 0).
OVERRIDE_POINTS = {
    **{key: st.tuples(floats(-1e6, 1e6), floats(-1e6, 1e6)) for key in ("add", "sub")},   # constants
    **{key: st.tuples(floats(-1e6, 1e6)) for key in ("identity", "neg", "pos")},
    "pow": st.tuples(floats(0.1, 5), floats(-3, 3)),
    "tanh": st.tuples(floats(-4, 4)),          # beyond, 1 − tanh² loses the digits the override keeps
    "sigmoid": st.tuples(floats(-8, 8)),
    "asinh": st.tuples(floats(-1e6, 1e6)),
    "norm": st.tuples(st.lists(floats(-5, 5).filter(lambda v: abs(v) > 0.1), min_size=1, max_size=6)
                      .map(np.array)),
    "prod": st.tuples(st.lists(floats(-3, 3).filter(lambda v: abs(v) > 0.1), min_size=1, max_size=6)
                      .map(np.array)),
}


def test_every_numeric_override_is_listed():
    overridden = {key for key, op in OPS.items() if op.local != op.d}
    assert overridden == set(OVERRIDE_POINTS)


@pytest.mark.parametrize("key", sorted(OVERRIDE_POINTS))
@given(data=st.data())
def test_numeric_override_agrees_with_its_rule(key, data):
    from gradcalc.ops.rules import NUMBERS, numbers_local

    op = OPS[key]
    args = [np.float64(a) if np.ndim(a) == 0 else a for a in data.draw(OVERRIDE_POINTS[key])]
    out = op.forward(*args)
    for k, (numeric, rule) in enumerate(zip(op.local, op.d)):
        np.testing.assert_allclose(numbers_local(numeric, args, out), rule(NUMBERS, *args, out), rtol=1e-10,
                                   atol=1e-300, err_msg=f"{key}, input {k}")
