"""Taylor mode (--order): every function's 30th derivative against mpmath, low orders against the
graph-built derivatives, arrays elementwise, and the errors at points where a derivative is infinite."""

import json
import math

import mpmath
import pytest
from click.testing import CliRunner
from hypothesis import given, settings

from gradcalc import compute
from gradcalc.cli import main
from gradcalc.errors import GradcalcError, MathError
from gradcalc.higher import nth_derivative
from gradcalc.ops import FUNCTIONS
from gradcalc.higher import taylor
from random_expressions import evaluate_at, expressions, points

K = 30

# Each function as mpmath computes it, at points away from kinks and poles; several points each.
MP = {
    "exp": (mpmath.exp, (-1.3, 0.4, 2.0)),
    "log": (mpmath.log, (0.3, 1.0, 2.5)),
    "ln": (mpmath.log, (0.7,)),
    "sqrt": (mpmath.sqrt, (0.2, 1.0, 3.0)),
    "sin": (mpmath.sin, (-0.9, 0.5, 2.0)),
    "cos": (mpmath.cos, (-0.9, 0.5, 2.0)),
    "tan": (mpmath.tan, (-0.7, 0.3, 1.2)),
    "tanh": (mpmath.tanh, (-1.1, 0.3, 0.8)),
    "sigmoid": (lambda x: 1 / (1 + mpmath.exp(-x)), (-2.0, 0.5, 1.7)),
    "relu": (lambda x: max(x, 0), (-1.0, 0.5)),
    "abs": (abs, (-1.0, 0.5)),
    "sign": (mpmath.sign, (-1.0, 0.5)),
    # The functions of the language issue (#13): each from its derivative in OPS, no rule of its own.
    "asin": (mpmath.asin, (-0.4, 0.6)), "acos": (mpmath.acos, (0.3,)), "atan": (mpmath.atan, (0.5, 1.5)),
    "sinh": (mpmath.sinh, (0.7,)), "cosh": (mpmath.cosh, (0.7,)), "asinh": (mpmath.asinh, (0.7,)),
    "acosh": (mpmath.acosh, (1.6,)), "atanh": (mpmath.atanh, (0.4,)),
    "log2": (lambda x: mpmath.log(x, 2), (1.5,)), "log10": (mpmath.log10, (1.5,)),
    "log1p": (lambda x: mpmath.log(1 + x), (0.5,)), "expm1": (lambda x: mpmath.exp(x) - 1, (0.5,)),
    "exp2": (lambda x: 2 ** x, (0.5,)), "cbrt": (mpmath.cbrt, (1.7,)),
    "softplus": (lambda x: mpmath.log(1 + mpmath.exp(x)), (0.3, -1.2)),
    "erf": (mpmath.erf, (0.4,)), "erfc": (mpmath.erfc, (0.4,)),
    "gelu": (lambda x: x * (1 + mpmath.erf(x / mpmath.sqrt(2))) / 2, (0.6,)),
    "silu": (lambda x: x / (1 + mpmath.exp(-x)), (0.6,)),
}

# Compositions the issue names, and the operators.
COMPOSED = {
    "exp(sin(x))": (lambda x: mpmath.exp(mpmath.sin(x)), (0.3, 0.8, 1.7)),
    "x**x": (lambda x: x ** x, (0.4, 1.3, 2.2)),
    "sigmoid(2*x - 1)": (lambda x: 1 / (1 + mpmath.exp(1 - 2 * x)), (0.1, 0.9)),
    "tanh(x)**2 + x/3": (lambda x: mpmath.tanh(x) ** 2 + x / 3, (0.3, 1.4)),
    "1/(1 + x*x)": (lambda x: 1 / (1 + x * x), (0.5, 1.7)),
    "x**-2.5 - x**3": (lambda x: x ** -2.5 - x ** 3, (0.6, 1.9)),
    "2**x * log(x)": (lambda x: 2 ** x * mpmath.log(x), (0.8, 2.0)),
    "sqrt(1 + x**2) / (2 - x)": (lambda x: mpmath.sqrt(1 + x ** 2) / (2 - x), (0.3, 1.1)),
    "sin(x)**3 * cos(x)": (lambda x: mpmath.sin(x) ** 3 * mpmath.cos(x), (0.4, 2.1)),
    "exp(-x**2/2)": (lambda x: mpmath.exp(-x ** 2 / 2), (0.3, 1.2)),
}


def mp_derivatives(f, x: float, order: int = K) -> list[float]:
    """f′(x) … f⁽ᴷ⁾(x) from mpmath's Taylor coefficients at 40 digits."""
    with mpmath.workdps(40):
        coefficients = mpmath.taylor(f, mpmath.mpf(x), order)
        return [float(c * mpmath.factorial(k)) for k, c in enumerate(coefficients) if k]


def assert_close(found, exact, rel=1e-6):
    for k, (a, b) in enumerate(zip(found, exact), start=1):
        assert abs(a - b) <= rel * abs(b) + 1e-300, f"order {k}: {a} vs {b}"


ARRAY_ONLY = {"transpose", "sum", "mean", "max", "min", "softmax", "logsumexp", "cross_entropy",
              "norm", "prod", "var", "std", "dot", "matmul"}


# polygamma's first argument is its order, written in the call, and factorial is defined at whole
# numbers only: tests/test_special.py checks Γ's kin against mpmath (from their exact derivatives:
# mpmath's series of digamma takes minutes at order 30).
@pytest.mark.parametrize("name", sorted(set(FUNCTIONS) - ARRAY_ONLY - set(MP) - {"polygamma", "factorial"}))
def test_functions_without_an_mpmath_reference_yet_at_order_30(name):
    # A function new to the language gets its Taylor rule from its derivative in OPS: order 30 runs,
    # is finite, and its first orders equal the graph-built derivatives (add it to MP for more).
    from gradcalc.ops import CALLS

    arity = min(CALLS[name])
    for x in (0.5, 1.5, -0.5, 2.5):
        try:
            result = compute(f"{name}({', '.join(['x'] + ['0.7'] * (arity - 1))})", x=x)
            built = nth_derivative(result, "x", 3)
        except GradcalcError:
            continue
        found = taylor(result, "x", K).derivatives
        assert all(math.isfinite(v) for v in found)
        for a, node in zip(found, built.nodes):
            assert a == pytest.approx(built.builder.values[node], rel=1e-8, abs=1e-12)
        return
    pytest.skip(f"{name} is not differentiable three times at any of the points tried")


@pytest.mark.parametrize("name, x", [(name, x) for name, (_, xs) in MP.items() for x in xs])
def test_every_function_at_order_30_matches_mpmath(name, x):
    f, _ = MP[name]
    found = taylor(compute(f"{name}(x)", x=x), "x", K).derivatives
    assert_close(found, mp_derivatives(f, x))


@pytest.mark.parametrize("text, x", [(text, x) for text, (_, xs) in COMPOSED.items() for x in xs])
def test_compositions_at_order_30_match_mpmath(text, x):
    found = taylor(compute(text, x=x), "x", K).derivatives
    assert_close(found, mp_derivatives(COMPOSED[text][0], x))


@pytest.mark.parametrize("name", sorted(MP))
def test_cli_order_30_on_every_function(name):
    f, xs = MP[name]
    result = CliRunner().invoke(main, [f"{name}(x)", "--x", str(xs[-1]), "--order", "30", "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)["derivative"]
    assert data["order"] == 30 and len(data["values"]) == 30
    assert_close(data["values"], mp_derivatives(f, xs[-1]))
    assert data["value"] == data["values"][-1]


# Array functions: the series of z(x + t·1), every element moving together, against mpmath.
X, M, LABEL = (0.3, -0.8, 1.1), ((1, 2, 3), (0, 1, 0)), (0, 1, 0)
ARRAYS = {
    "sum(sin(x))": lambda t: sum(mpmath.sin(v + t) for v in X),
    "mean(exp(x))": lambda t: sum(mpmath.exp(v + t) for v in X) / 3,
    "max(x*x)": lambda t: (1.1 + t) ** 2,
    "logsumexp(2*x)": lambda t: mpmath.log(sum(mpmath.exp(2 * (v + t)) for v in X)),
    "softmax(x*x) @ x": lambda t: _softmax_dot(t),
    "cross_entropy(x*x, L)": lambda t: -mpmath.log(_softmax([(v + t) ** 2 for v in X])[1]),
    "sum(M @ transpose(x*M))": lambda t: sum(M[i][k] * (X[k] + t) * M[j][k]
                                             for i in range(2) for j in range(2) for k in range(3)),
    "sum(x, 0) + mean(tanh(x), 0)": lambda t: sum(v + t + mpmath.tanh(v + t) / 3 for v in X),
    "(M @ sigmoid(x)) @ w": lambda t: _matvec(t),
    "prod(x)": lambda t: (X[0] + t) * (X[1] + t) * (X[2] + t),
    "norm(x)": lambda t: mpmath.sqrt(sum((v + t) ** 2 for v in X)),
    "std(x*x)": lambda t: mpmath.sqrt(_variance([(v + t) ** 2 for v in X])),
    "var(exp(x))": lambda t: _variance([mpmath.exp(v + t) for v in X]),
    "min(x*x)": lambda t: (X[0] + t) ** 2,
}


def _variance(values):
    mean = sum(values) / len(values)
    return sum((v - mean) ** 2 for v in values) / len(values)


def _softmax(values):
    exps = [mpmath.exp(v) for v in values]
    return [e / sum(exps) for e in exps]


def _softmax_dot(t):
    xs = [v + t for v in X]
    return sum(s * v for s, v in zip(_softmax([v * v for v in xs]), xs))


def _matvec(t):
    s = [1 / (1 + mpmath.exp(-(v + t))) for v in X]
    return (s[0] + 2 * s[1] + 3 * s[2]) - s[1]


@pytest.mark.parametrize("text", sorted(ARRAYS))
def test_array_functions_at_order_30_along_ones(text):
    extra = {name: value for name, value in (("M", M), ("L", LABEL), ("w", (1, -1))) if name in text}
    result = compute(text, x=list(X), **{k: [list(r) if isinstance(r, tuple) else r for r in v]
                                          for k, v in extra.items()})
    found = taylor(result, "x", K, directional=True).derivatives
    exact = mp_derivatives(ARRAYS[text], 0.0)
    for k, (a, b) in enumerate(zip(found, exact), start=1):   # rounding of c_k, times k!
        assert abs(a - b) <= 1e-6 * abs(b) + 1e-12 * math.factorial(k), f"order {k}: {a} vs {b}"


def test_array_input_is_elementwise():
    values = [0.3, -0.8, 1.1]
    found = taylor(compute("sin(x) * exp(x)", x=values), "x", 12).derivatives
    for i, v in enumerate(values):
        exact = mp_derivatives(lambda x: mpmath.sin(x) * mpmath.exp(x), v, 12)
        assert_close([d[i] for d in found], exact)


def test_array_input_of_a_reduction_is_refused():
    with pytest.raises(GradcalcError, match="elementwise"):
        taylor(compute("sum(x*x)", x=[1.0, 2.0]), "x", 3)


@settings(max_examples=60, deadline=None)
@given(expressions, points)
def test_low_orders_equal_the_graph_built_derivatives(text, point):
    result = evaluate_at(text, point)
    for name in result.graph.variables:
        found = taylor(result, name, 3).derivatives
        built = nth_derivative(result, name, 3)
        values = [built.builder.values[node] for node in built.nodes]
        for a, b in zip(found, values):
            assert a == pytest.approx(b, rel=1e-7, abs=1e-9), text


def test_polynomials_end_in_zeros():
    found = taylor(compute("x**3 - 2*x", x=0.0), "x", 6).derivatives
    assert [float(v) for v in found] == [-2.0, 0.0, 6.0, 0.0, 0.0, 0.0]


def test_power_of_zero_below_its_exponent_is_zero_and_beyond_is_an_error():
    assert float(taylor(compute("x**2.5", x=0.0), "x", 2).derivatives[-1]) == 0.0
    with pytest.raises(MathError, match="3rd derivative of a power 2.5 of 0 is infinite"):
        taylor(compute("x**2.5", x=0.0), "x", 3)


def test_an_infinite_derivative_is_a_math_error_with_a_caret():
    result = CliRunner().invoke(main, ["1 + x**1.5", "--x", "0", "--order", "2"])
    assert result.exit_code == 3
    assert "not finite" in result.stderr and "1 + x**1.5\n      ^^^^^^" in result.stderr


def test_overflowing_derivatives_are_a_math_error():
    result = CliRunner().invoke(main, ["exp(x**2)", "--x", "20", "--order", "100"])
    assert result.exit_code == 3
    assert "the 83rd derivative of z is too large for a float" in result.stderr


def test_order_100_of_sigmoid():
    found = taylor(compute("sigmoid(x)", x=0.5), "x", 100).derivatives
    assert_close(found[:40], mp_derivatives(lambda x: 1 / (1 + mpmath.exp(-x)), 0.5, 40))
    assert all(math.isfinite(v) for v in found)


def test_long_expression_at_high_order_is_refused(monkeypatch):
    # The budget keeps any request to seconds; here made small to test it cheaply. Before planning,
    # at least one step a node and order; after it, each rule's own cost (about order²/2 for sin).
    import gradcalc.taylor

    monkeypatch.setattr(gradcalc.taylor, "MAX_WORK", 2000)
    text = " + ".join(["sin(x)"] * 60)
    assert taylor(compute(text, x=0.5), "x", 5).derivatives[-1] == pytest.approx(60 * math.cos(0.5))
    result = CliRunner().invoke(main, [text, "--x", "0.5", "--order", "30"])
    assert result.exit_code == 2
    assert "order 30 of this expression would take at least 3,600 coefficient steps, more than 2,000" \
        in result.stderr
    # 10 sines: 20 nodes × 30 orders passes the first look, but each sin and its cos sum k terms at
    # order k (a sum of sines at order 30 once ran for minutes under a nodes × order budget)
    few = " + ".join(f"sin({i}*x)" for i in range(1, 11))
    result = CliRunner().invoke(main, [few, "--x", "0.5", "--order", "30"])
    assert result.exit_code == 2
    assert "order 30 of this expression would take" in result.stderr
    assert "order²/2" in result.stderr


def test_the_fifty_digit_check_is_skipped_past_its_budget(monkeypatch):
    # Past PRECISE_WORK the carried bound stands alone: the digits shown are still right, maybe fewer.
    import gradcalc.taylor

    calls = []
    measured = gradcalc.taylor._Plan.measured_errors
    monkeypatch.setattr(gradcalc.taylor._Plan, "measured_errors",
                        lambda self, output: calls.append(output) or measured(self, output))
    exact = mp_derivatives(lambda x: 1 / (1 + x * x), 0.5, 40)
    checked = taylor(compute("1/(1 + x**2)", x=0.5), "x", 40)
    assert calls
    monkeypatch.setattr(gradcalc.taylor, "PRECISE_WORK", 0)
    calls.clear()
    alone = taylor(compute("1/(1 + x**2)", x=0.5), "x", 40)
    assert not calls
    for series in (checked, alone):
        for k, (found, bound, right) in enumerate(zip(series.derivatives, series.bounds[1:], exact), 1):
            assert abs(found - right) <= bound * math.factorial(k) + 1e-9 * abs(right)


def test_a_whole_power_of_a_variable_that_is_zero():
    found = taylor(compute("(x - 1)**4 * exp(x)", x=1.0), "x", 5).derivatives
    assert_close(found, mp_derivatives(lambda x: (x - 1) ** 4 * mpmath.exp(x), 1.0, 5))


def test_values_are_the_same_as_before_for_low_orders_in_the_cli():
    out = CliRunner().invoke(main, ["x**3", "--x", "2", "--order", "3", "--plain"]).stdout
    assert "Derivatives of z with respect to x, by Taylor-mode propagation" in out
    assert "  1      dz/dx       12\n  2      d²z/dx²     12\n  3      d³z/dx³     6\n" in out
