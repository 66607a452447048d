"""The functions and aliases people paste (asin … clip, max/min of several arguments, norm, prod, var,
std): every derivative against central differences, SymPy, forward mode and the Hessian; the value at
every kink as documented; a point outside a domain exits 3 with a caret; every feature reaches them."""

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradcalc import compute
from gradcalc.higher import beyond, hessian
from gradcalc.ops import CALLS
from helpers import EARLIER, assert_error, numeric_gradients, run


def floats(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


AWAY_FROM_0 = floats(0.05, 4) | floats(-4, -0.05)

# Every new function of one argument, with a range where it is smooth (kinks and poles kept away).
UNARY = {
    "asin": floats(-0.95, 0.95), "acos": floats(-0.95, 0.95), "atan": floats(-20, 20),
    "arcsin": floats(-0.95, 0.95), "arccos": floats(-0.95, 0.95), "arctan": floats(-20, 20),
    "sinh": floats(-5, 5), "cosh": floats(-5, 5), "asinh": floats(-20, 20), "arcsinh": floats(-20, 20),
    "acosh": floats(1.05, 20), "arccosh": floats(1.05, 20), "atanh": floats(-0.95, 0.95),
    "arctanh": floats(-0.95, 0.95), "log2": floats(0.01, 1e3), "log10": floats(0.01, 1e3),
    "log1p": floats(-0.95, 1e3), "expm1": floats(-20, 20), "exp2": floats(-20, 20),
    "cbrt": AWAY_FROM_0, "softplus": floats(-20, 20), "erf": floats(-4, 4), "erfc": floats(-4, 4),
    "gelu": floats(-6, 6), "elu": AWAY_FROM_0, "silu": floats(-10, 10), "swish": floats(-10, 10),
    "leaky_relu": AWAY_FROM_0, "fabs": AWAY_FROM_0, "absolute": AWAY_FROM_0,
    # sec, csc, cot and their inverses (#23), away from their poles and from |x| = 1
    "sec": floats(-1.4, 1.4), "csc": floats(0.1, 3.0), "cot": floats(0.1, 3.0),
    "asec": floats(1.05, 20) | floats(-20, -1.05), "arcsec": floats(1.05, 20) | floats(-20, -1.05),
    "acsc": floats(1.05, 20) | floats(-20, -1.05), "arccsc": floats(1.05, 20) | floats(-20, -1.05),
    "acot": AWAY_FROM_0, "arccot": AWAY_FROM_0,
    # the hyperbolic reciprocals and the other names books give csc and the sigmoid
    "sech": floats(-30, 30), "csch": AWAY_FROM_0, "cosech": AWAY_FROM_0, "coth": AWAY_FROM_0,
    "cosec": floats(0.1, 3.0), "logistic": floats(-30, 30),
}
# Functions of several arguments: a strategy per argument, kept off kinks and ties.
SEVERAL = {
    "atan2": (AWAY_FROM_0, AWAY_FROM_0), "arctan2": (AWAY_FROM_0, AWAY_FROM_0),
    "hypot": (AWAY_FROM_0, AWAY_FROM_0), "pow": (floats(0.1, 5), floats(-3, 3)),
    "power": (floats(0.1, 5), floats(-3, 3)), "log": (floats(0.05, 100), floats(1.5, 20)),
    "leaky_relu": (AWAY_FROM_0, floats(0, 1)), "maximum": (floats(-5, -0.1), floats(0.1, 5)),
    "minimum": (floats(-5, -0.1), floats(0.1, 5)), "max": (floats(-5, -0.1), floats(0.1, 5)),
    "min": (floats(-5, -0.1), floats(0.1, 5)), "fmax": (floats(-5, -0.1), floats(0.1, 5)),
    "fmin": (floats(-5, -0.1), floats(0.1, 5)),
    "clip": (floats(-1, 1), floats(-5, -2), floats(2, 5)), "clamp": (floats(-1, 1), floats(-5, -2), floats(2, 5)),
}
ARRAY = {"norm", "prod", "var", "std", "dot", "matmul", "transpose", "sum", "mean", "max", "min",
         "softmax", "logsumexp", "cross_entropy"}

# Tested in tests/test_dialects.py (its gradient is 0 by design, not the derivative of its value).
DIALECTS = {"stop_gradient", "where"}
# Tested in tests/test_special.py (their numbers against mpmath, their poles).
GAMMA = {"gamma", "tgamma", "lgamma", "gammaln", "digamma", "polygamma", "factorial"}


def test_every_callable_name_is_tested():
    assert set(CALLS) == set(UNARY) | set(SEVERAL) | ARRAY | EARLIER | DIALECTS | GAMMA


def assert_matches_differences(text, point):
    result = compute(text, point)
    numeric = numeric_gradients(text, point)
    for name in point:
        assert result.gradient[name] == pytest.approx(float(numeric[name]), rel=1e-5, abs=1e-6), \
            (text, point, name)
    return result


def assert_second_order(text, point):
    """Forward mode equals reverse mode, and the Hessian is symmetric and equals differences of the
    gradient (the properties test_higher.py checks on random expressions)."""
    result = compute(text, point)
    found = beyond(result, mode="forward")
    for name in point:
        assert found.forward.gradient[name] == pytest.approx(result.gradient[name], rel=1e-9, abs=1e-12)
    h = hessian(result)
    np.testing.assert_allclose(h.matrix, h.matrix.T, rtol=1e-7, atol=1e-9)
    step = 1e-5
    names = list(result.graph.variables)
    for j, name in enumerate(names):
        plus = {n: v + (step if n == name else 0) for n, v in point.items()}
        minus = {n: v - (step if n == name else 0) for n, v in point.items()}
        g_plus, g_minus = compute(text, plus).gradient, compute(text, minus).gradient
        column = [(g_plus[n] - g_minus[n]) / (2 * step) for n in names]
        np.testing.assert_allclose(h.matrix[:, j], column, rtol=1e-4, atol=1e-5, err_msg=text)


@pytest.mark.parametrize("function", sorted(UNARY))
def test_unary_function_against_central_differences_forward_mode_and_hessian(function):
    @settings(max_examples=40, deadline=None)
    @given(UNARY[function])
    def check(x):
        assert_matches_differences(f"{function}(x)", {"x": x})
        assert_matches_differences(f"{function}(x) * x", {"x": x})            # product and chain rule
        assert_second_order(f"{function}(x) * x", {"x": x})

    check()


@pytest.mark.parametrize("function", sorted(SEVERAL))
def test_function_of_several_arguments_against_differences_forward_mode_and_hessian(function):
    names = "xyw"[:len(SEVERAL[function])]

    @settings(max_examples=40, deadline=None)
    @given(st.tuples(*SEVERAL[function]))
    def check(args):
        point = dict(zip(names, args))
        text = f"{function}({', '.join(names)})"
        assert_matches_differences(text, point)
        assert_second_order(f"{text} * x", point)

    check()


@pytest.mark.parametrize("text, values", [
    ("norm(v)", {"v": [3.0, -4.0, 1.5]}), ("prod(v)", {"v": [3.0, -4.0, 1.5]}),
    ("prod(v)", {"v": [3.0, 0.0, 1.5]}), ("var(v)", {"v": [3.0, -4.0, 1.5]}),
    ("std(v)", {"v": [3.0, -4.0, 1.5]}), ("dot(v, w)", {"v": [3.0, -4.0], "w": [0.5, 2.0]}),
    ("norm(M)", {"M": [[1.0, 2.0], [3.0, -4.0]]}), ("var(M) + std(M)", {"M": [[1.0, 2.0], [3.0, -4.0]]}),
    ("min(v) + max(v)", {"v": [3.0, -4.0, 1.5]}), ("norm(v)**3 + prod(v)*var(v)", {"v": [0.3, -0.8, 1.1]}),
])
def test_reductions_against_numpy_and_differences(text, values):
    result = compute(text, values)
    numeric = numeric_gradients(text, values)
    for name in values:
        np.testing.assert_allclose(result.gradient[name], numeric[name], rtol=1e-6, atol=1e-7)
    found = beyond(result, mode="forward")
    for name in values:
        np.testing.assert_allclose(found.forward.gradient[name], result.gradient[name], rtol=1e-9, atol=1e-12)


def test_reductions_match_numpy_values():
    v = np.array([3.0, -4.0, 1.5])
    assert compute("norm(v)", v=v).value == pytest.approx(np.linalg.norm(v))
    assert compute("prod(v)", v=v).value == pytest.approx(np.prod(v))
    assert compute("var(v)", v=v).value == pytest.approx(np.var(v))        # divides by n, as numpy
    assert compute("std(v)", v=v).value == pytest.approx(np.std(v))
    assert compute("min(v)", v=v).value == -4.0


def test_reductions_hessians():
    for text in ("norm(v)**2", "var(v)", "std(v)", "prod(v)"):
        result = compute(text, v=[0.3, -0.8, 1.1])
        h = hessian(result).matrix
        step = 1e-5
        for j in range(3):
            plus, minus = np.array([0.3, -0.8, 1.1]), np.array([0.3, -0.8, 1.1])
            plus[j] += step
            minus[j] -= step
            column = (compute(text, v=plus).gradient["v"] - compute(text, v=minus).gradient["v"]) / (2 * step)
            np.testing.assert_allclose(h[:, j], column, rtol=1e-4, atol=1e-6, err_msg=text)


SYMPY = {"asin": "asin", "acos": "acos", "atan": "atan", "sinh": "sinh", "cosh": "cosh", "asinh": "asinh",
         "acosh": "acosh", "atanh": "atanh", "erf": "erf", "erfc": "erfc", "cbrt": "cbrt",
         "sec": "sec", "csc": "csc", "cot": "cot", "asec": "asec", "acsc": "acsc", "acot": "acot"}


@pytest.mark.parametrize("text, point", [
    ("asin(x) * acos(y)", {"x": 0.3, "y": -0.6}), ("atan(x*y) + sinh(x) * cosh(y)", {"x": 0.3, "y": 1.2}),
    ("asinh(x) + acosh(y) + atanh(x/2)", {"x": 0.3, "y": 1.7}), ("log2(x) + log10(y) + log(x, y)", {"x": 0.3, "y": 1.7}),
    ("log1p(x*y) + expm1(x) + exp2(y)", {"x": 0.3, "y": 1.7}), ("cbrt(x + y) * erf(x) + erfc(y)", {"x": 0.3, "y": 1.7}),
    ("softplus(x*y) + silu(x) + gelu(y)", {"x": 0.3, "y": -1.7}), ("atan2(y, x) + hypot(x, y) + pow(x, y)", {"x": 0.3, "y": 1.7}),
    ("elu(x - y) + leaky_relu(x - y, 0.2)", {"x": 0.3, "y": 1.7}), ("max(x, y) * min(x, y, 1)", {"x": 0.3, "y": 1.7}),
    ("clip(x, 0, y) + clip(y, 0, x)", {"x": 0.3, "y": 1.7}),
    ("sec(x*y) + csc(y) * cot(x)", {"x": 0.3, "y": 1.7}), ("asec(y) + acsc(-y - x) + acot(x)", {"x": 0.3, "y": 1.7}),
    ("acot(-x*y)", {"x": 0.3, "y": 1.7}),
])
def test_gradients_and_symbolic_formulas_against_sympy(text, point):
    sympy = pytest.importorskip("sympy")
    x, y = sympy.symbols("x y")
    # SymPy's spellings of gradcalc's functions (trusted test strings, not user input)
    erf = sympy.erf
    names = {"x": x, "y": y, "log2": lambda a: sympy.log(a, 2), "log10": lambda a: sympy.log(a, 10),
             "log": lambda a, b=None: sympy.log(a) if b is None else sympy.log(a) / sympy.log(b),
             "log1p": lambda a: sympy.log(1 + a), "expm1": lambda a: sympy.exp(a) - 1,
             "exp2": lambda a: 2 ** a, "cbrt": lambda a: a ** sympy.Rational(1, 3),   # x + y > 0 where it is used
             "softplus": lambda a: sympy.log(1 + sympy.exp(a)), "sigmoid": lambda a: 1 / (1 + sympy.exp(-a)),
             "silu": lambda a: a / (1 + sympy.exp(-a)), "gelu": lambda a: a * (1 + erf(a / sympy.sqrt(2))) / 2,
             "atan2": sympy.atan2, "hypot": lambda a, b: sympy.sqrt(a ** 2 + b ** 2), "pow": lambda a, b: a ** b,
             "elu": lambda a: sympy.Piecewise((a, a > 0), (sympy.exp(a) - 1, True)),
             "leaky_relu": lambda a, s: sympy.Piecewise((a, a > 0), (s * a, True)),
             "max": sympy.Max, "min": sympy.Min, "clip": lambda a, lo, hi: sympy.Min(sympy.Max(a, lo), hi),
             "minimum": sympy.Min, "maximum": sympy.Max, "sign": sympy.sign, "relu": lambda a: sympy.Max(a, 0),
             "exp": sympy.exp, "sqrt": sympy.sqrt, "erf": erf, "erfc": sympy.erfc,
             **{ours: getattr(sympy, theirs) for ours, theirs in SYMPY.items() if ours not in ("erf", "erfc", "cbrt")}}
    original = sympy.sympify(text, locals=names)
    result = compute(text, point)
    found = beyond(result, symbolic=True).symbolic
    at = {x: point["x"], y: point["y"]}
    for name, symbol in (("x", x), ("y", y)):
        exact = float(sympy.diff(original, symbol).subs(at).evalf())
        assert result.gradient[name] == pytest.approx(exact, rel=1e-9, abs=1e-12), (text, name)
        formula = found.ascii[("gradient", name)]
        assert compute(formula, {n: v for n, v in point.items() if n in formula}).value == \
            pytest.approx(exact, rel=1e-9, abs=1e-12), (text, name, formula)


# -- conventions at kinks and ties (PyTorch's; README's table) ------------------------------------

@pytest.mark.parametrize("text, point, expected", [
    ("max(x, y)", {"x": 2.0, "y": 2.0}, {"x": 0.5, "y": 0.5}),
    ("min(x, y)", {"x": 2.0, "y": 2.0}, {"x": 0.5, "y": 0.5}),
    ("maximum(0, x)", {"x": 0.0}, {"x": 0.5}),
    ("max(x, y)", {"x": 3.0, "y": 2.0}, {"x": 1.0, "y": 0.0}),
    ("clip(x, y, w)", {"x": 1.0, "y": 1.0, "w": 2.0}, {"x": 1.0, "y": 0.0, "w": 0.0}),
    ("clip(x, y, w)", {"x": 2.0, "y": 1.0, "w": 2.0}, {"x": 1.0, "y": 0.0, "w": 0.0}),
    ("clip(x, y, w)", {"x": 3.0, "y": 1.0, "w": 2.0}, {"x": 0.0, "y": 0.0, "w": 1.0}),
    ("clip(x, y, w)", {"x": 0.0, "y": 1.0, "w": 2.0}, {"x": 0.0, "y": 1.0, "w": 0.0}),
    ("leaky_relu(x)", {"x": 0.0}, {"x": 0.01}),
    ("leaky_relu(x, y)", {"x": 0.0, "y": 0.2}, {"x": 0.2, "y": 0.0}),
    ("elu(x)", {"x": 0.0}, {"x": 1.0}),
    ("relu(x)", {"x": 0.0}, {"x": 0.0}), ("abs(x)", {"x": 0.0}, {"x": 0.0}),
])
def test_kinks_and_ties_take_the_documented_value(text, point, expected):
    assert compute(text, point).gradient == pytest.approx(expected)


def test_norm_at_zero_takes_the_subgradient_zero():
    assert compute("norm(v)", v=[0.0, 0.0]).gradient["v"].tolist() == [0.0, 0.0]


def test_max_of_several_arguments_folds_from_the_left():
    result = compute("max(x, y, w)", x=1.0, y=5.0, w=3.0)
    assert result.value == 5.0 and result.gradient == {"x": 0.0, "y": 1.0, "w": 0.0}
    assert compute("max(0, x)", x=-2.0).value == 0.0     # the two-argument max people paste


# -- domains: exit 3 with a caret -----------------------------------------------------------------

@pytest.mark.parametrize("expression, value, message", [
    ("asin(x)", "2", "asin is defined for −1 ≤ x ≤ 1"), ("acos(x)", "-1.5", "acos is defined"),
    ("acosh(x)", "0.5", "acosh is defined for x ≥ 1"), ("atanh(x)", "1", "atanh is defined for −1 < x < 1"),
    ("log2(x)", "0", "log of a non-positive number"), ("log10(x)", "-1", "log of a non-positive number"),
    ("log1p(x)", "-1", "log1p is defined for x > −1"), ("log(x, 1)", "2", "invalid base 1 of a logarithm"),
    ("log(x, 2)", "-1", "log of a non-positive number"), ("cbrt(x)", "0", "the derivative of cbrt(0)"),
    ("asin(x)", "1", "the derivative of asin(1)"), ("hypot(x, 0)", "0", "the derivative of hypot"),
    ("atan2(x, 0)", "0", "the derivative of atan2"), ("exp2(x)", "2000", "overflow"),
    ("sinh(x)", "1000", "overflow"),
])
def test_outside_a_domain_is_exit_3_with_caret(expression, value, message):
    assert_error(run(expression, "--x", value), 3, message, "  " + "^" * len(expression))


@pytest.mark.parametrize("base", ["0", "1", "-2", "0.0"])
def test_a_base_of_0_or_1_or_below_is_exit_3_written_or_given(base):
    # log(x, 0) is log x / −inf, a finite 0 with a gradient of 0: it was exit 0, and --check passed
    # said as what it is, the base, and how to write one: not "log(2, 0) = nan"
    said = f"invalid base {float(base):g} of a logarithm (a base must be positive and not 1): log(2, "
    for args in ((f"log(x, {base})",), ("log(x, b)", "--b", base), (f"log(x, {base})", "--check")):
        result = run(*args[:1], "--x", "2", *args[1:])
        assert_error(result, 3, said, "  " + "^" * len(args[0]))
        assert "= nan" not in result.stderr and "= inf" not in result.stderr
        assert "hint: write a base > 0 other than 1, as log(x, 2)" in result.stderr
    found = run("log(x, b)", "--x", "[2, 3]", "--b", f"[2, {base}]", "-q")
    assert found.exit_code == 3 and f"invalid base {float(base):g} of a logarithm" in found.stderr


def test_the_derivative_of_a_logarithm_by_its_base():
    b, x = 0.5, 3.0
    found = compute("log(x, b)", x=x, b=b).gradient
    assert found["b"] == pytest.approx(-math.log(x) / (b * math.log(b) ** 2), rel=1e-12)
    assert found["x"] == pytest.approx(1 / (x * math.log(b)), rel=1e-12)


def test_std_of_equal_elements_is_exit_3():
    assert_error(run("std(v)", "--v", "[1, 1]"), 3, "the derivative of std([1, 1]) is [nan, nan]", "  ^^^^^^")


def test_clip_with_crossed_bounds_is_exit_2():
    assert_error(run("clip(x, 2, 1)", "--x", "0"), 2, "clip needs lo ≤ hi", "  ^^^^^^^^^^^^^")


def test_wrong_number_of_arguments():
    assert_error(run("atan2(x)", "--x", "1"), 2, "atan2 takes 2 arguments, got 1")
    assert_error(run("max()", "--x", "1"), 2, "max takes 1 or 2 or more arguments, got 0")
    assert_error(run("clip(x, 1)", "--x", "1"), 2, "clip takes 3 arguments, got 2")


# -- every feature reaches the new functions ------------------------------------------------------

def test_trace_shows_each_local_formula():
    out = run("atan2(y, x) + log(x, 2) + max(x, y)", "--x", "1", "--y", "2").stdout
    for formula in ("x/(x² + y²)", "−y/(x² + y²)", "1/(x·log(2))", "1 if x > y, ½ if equal, else 0"):
        assert formula in out, formula


def test_json_expect_check_symbolic_order_and_pictures():
    args = ["asinh(x) * erf(y) + hypot(x, y)", "--x", "0.5", "--y", "-0.3"]
    data = json.loads(run(*args, "--json").stdout)
    assert data["value"] == pytest.approx(math.asinh(0.5) * math.erf(-0.3) + math.hypot(0.5, -0.3))
    assert run(*args, "--check").exit_code == 0
    dx = math.erf(-0.3) / math.sqrt(1.25) + 0.5 / math.hypot(0.5, -0.3)
    assert run(*args, "--expect", f"x={dx!r}").exit_code == 0
    assert run(*args, "--expect", "x=1").exit_code == 1
    assert run(*args, "--symbolic").exit_code == 0
    assert run(*args, "--hessian", "--json").exit_code == 0
    assert run("erf(x)", "--x", "0.3", "--order", "4").exit_code == 0
    assert "erf" in run(*args, "--dot").stdout
    assert run(*args, "--mode", "forward").exit_code == 0


def test_points_batch_through_elementwise_functions():
    result = run("atan2(y, x) + clip(x, 0, 1) + max(x, y)", "--points", "-", "--json",
                 input="x,y\n0.5,1\n2,-1\n")
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[0]["value"] == pytest.approx(math.atan2(1, 0.5) + 0.5 + 1)


def test_reductions_refuse_a_batch():
    assert run("norm(x)", "--points", "-", input="x\n1\n2\n").exit_code == 2


@pytest.mark.parametrize("text", ["np.arcsin(x)", "numpy.arctan2(x, 1)", "math.erf(x)", "torch.clamp(x, 0, 1)",
                                  "np.linalg.norm([x, 1] * 1)" if False else "np.maximum(0, x)",
                                  "math.log(x, 2)", "math.pow(x, 2)", "torch.nn" if False else "np.hypot(x, 1)"])
def test_prefixed_names(text):
    assert run(text, "--x", "0.5").exit_code == 0


def test_a_function_used_as_a_name_is_refused():
    assert_error(run("erf + 1"), 2, "erf is a function")


def test_help_lists_every_function_as_the_table_does():
    # The README's copy is written by tools/readme_tables.py (tests/test_readme_tables.py).
    from gradcalc.ops import function_table

    listed = {name.split("(")[0] for names, *_ in function_table() for name in names}
    assert listed == set(CALLS)
    shown = " ".join(run("--help").stdout.split())   # --help wraps an entry to the terminal's width
    for names, derivative, domain, _ in function_table():
        assert " ".join(f"{' '.join(names)}: {derivative}; {domain}".split()) in shown


@pytest.mark.parametrize("written, value, slope", [
    ("sech(x)", lambda x: 1 / math.cosh(x), lambda x: -math.tanh(x) / math.cosh(x)),
    ("csch(x)", lambda x: 1 / math.sinh(x), lambda x: -math.cosh(x) / math.sinh(x) ** 2),
    ("coth(x)", lambda x: math.cosh(x) / math.sinh(x), lambda x: -1 / math.sinh(x) ** 2),
])
def test_hyperbolic_reciprocals_far_out_stay_finite(written, value, slope):
    # cosh(800) is inf: the rules are written so no inf meets a 0 (sech(800) = 0, its slope −0).
    for x in (0.7, -2.5, 30.0):
        found = compute(written, {"x": x})
        assert found.value == pytest.approx(value(x), rel=1e-13)
        assert found.gradient["x"] == pytest.approx(slope(x), rel=1e-12, abs=1e-300)
    far = compute(written, {"x": 800.0})
    assert math.isfinite(far.value) and math.isfinite(far.gradient["x"]) and abs(far.gradient["x"]) < 1e-300


@pytest.mark.parametrize("written, other", [
    ("relu6(x)", "relu"), ("hardtanh(x)", "arctanh"), ("mish(x)", "swish"),
    ("F.softmin(x)", "softsign"), ("softmin(x)", "fmin"), ("torch.special.xlog1py(x, x)", "xlogy"),
    ("lg(x)", "log"), ("sqr(x)", "sqrt"), ("ln2(x)", "ln"), ("sech2(x)", "cosech"), ("tanhh(x)", "atanh"),
])
def test_a_hint_never_offers_another_function(written, other):
    result = run(written, "--x", "0.5")
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert f"did you mean {other}" not in result.stderr and f".{other}(" not in result.stderr


@pytest.mark.parametrize("written, meant", [
    ("sigmod(x)", "sigmoid"), ("tanhh(x)", "tanh"), ("np.sinn(x)", "np.sin(...)"), ("arctn(x)", "arctan"),
    ("F.rellu(x)", "F.relu(...)"), ("np.expp(x)", "np.exp(...)"),
])
def test_a_slip_of_a_function_name_is_still_corrected(written, meant):
    result = run(written, "--x", "0.5")
    assert_error(result, 2, "unknown function")
    assert f"hint: did you mean {meant}?" in result.stderr
