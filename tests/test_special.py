"""Γ, log|Γ|, ψ, ψ⁽ⁿ⁾ and x! (gradcalc/special.py, ops/gamma.py): the numbers against mpmath at many
points, golden values, every derivative against central differences, the poles (exit 3, caret), the
spellings pasted from PyTorch, JAX, TensorFlow, SciPy and math, Hessians and --order."""

import json
import math

import mpmath
import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from gradcalc import compute, special
from gradcalc.errors import MathError
from gradcalc.higher import hessian, taylor
from helpers import assert_error, numeric_gradients, run


def floats(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def mp_polygamma(n, x):
    with mpmath.workdps(40):
        return mpmath.polygamma(n, x)


def _scale(n, x):
    """What the kernel's rounding is relative to: |ψ⁽ⁿ⁾(x)|, or for x < 0 the reflection's two terms
    (ψ⁽ⁿ⁾ has roots there, where no relative accuracy is possible from them)."""
    with mpmath.workdps(40):
        value = mpmath.polygamma(n, x)
        if x >= 0:
            return abs(value)
        other = mpmath.polygamma(n, 1 - x)
        return abs(other) + abs(value - (-1) ** n * other)


POSITIVE = floats(1e-8, 30.0) | st.floats(30.0, 1e12)
NEGATIVE = floats(-40.0, -1e-8).filter(lambda x: not special.is_pole(x))


# -- the numbers -----------------------------------------------------------------------------------

@settings(max_examples=400, deadline=None)
@given(POSITIVE)
@example(1.4616321449683622)           # the root of ψ: relative accuracy beside it too
@example(1.4616321449683622 + 0.07)
@example(1e-300)
def test_digamma_matches_mpmath_for_positive_x(x):
    assert abs(special.digamma(x) - mp_polygamma(0, x)) <= 1e-13 * abs(mp_polygamma(0, x))


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 60), POSITIVE)
def test_polygamma_matches_mpmath_for_positive_x(n, x):
    exact = mp_polygamma(n, x)
    assume(1e-300 < abs(exact) < 1e300)
    assert abs(special.polygamma(n, x) - exact) <= 1e-13 * abs(exact)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 30), NEGATIVE)
@example(0, -0.5040830082644554)         # ψ's first negative root
@example(3, -1e-9)                       # beside a pole
def test_polygamma_reflected_for_negative_x_matches_mpmath(n, x):
    exact = mp_polygamma(n, x)
    assume(abs(exact) < 1e300)
    assert abs(special.polygamma(n, x) - exact) <= 1e-13 * _scale(n, x)


@settings(max_examples=200, deadline=None)
@given(floats(-40.0, 170.0).filter(lambda x: not special.is_pole(x)))
def test_gamma_and_lgamma_match_mpmath(x):
    with mpmath.workdps(40):
        exact_gamma, exact_lgamma = mpmath.gamma(x), mpmath.log(abs(mpmath.gamma(x)))
    assume(1e-300 < abs(exact_gamma) < 1e300)
    assert abs(special.gamma(x) - exact_gamma) <= 1e-13 * abs(exact_gamma)
    # log|Γ| has roots at 1 and 2 (and between the negative poles): there its error is absolute
    assert abs(special.lgamma(x) - exact_lgamma) <= 1e-13 * abs(exact_lgamma) + 1e-15 * (1 + abs(math.log(abs(x))))


@pytest.mark.parametrize("x", [1 + 2.0 ** -50, 1 - 2.0 ** -50, 2 - 2.0 ** -50, 2 + 2.0 ** -30, 0.76, 2.24, 1.2])
def test_lgamma_keeps_relative_accuracy_beside_its_roots_1_and_2(x):
    # CPython's math.lgamma(2 − 2⁻⁵⁰) is 159% off (absolute accuracy only); torch's C library is right
    with mpmath.workdps(40):
        exact = mpmath.log(abs(mpmath.gamma(x)))
    assert abs(special.lgamma(x) - exact) <= 1e-14 * abs(exact)


@pytest.mark.parametrize("text, expected", [
    ("gamma(x)", 24.0), ("factorial(x - 1)", 24.0), ("math.factorial(x - 1)", 24.0),
    ("lgamma(x)", math.log(24.0)), ("digamma(x)", 1 + 1 / 2 + 1 / 3 + 1 / 4 - 0.5772156649015329),
])
def test_golden_values_at_5(text, expected):
    assert compute(text, x=5.0).value == pytest.approx(expected, rel=1e-15)


def test_golden_values():
    euler_gamma = 0.5772156649015329
    assert compute("gamma(x)", x=0.5).value == pytest.approx(math.sqrt(math.pi), rel=1e-15)
    assert compute("digamma(x)", x=1.0).value == pytest.approx(-euler_gamma, rel=1e-15)
    assert compute("polygamma(1, x)", x=1.0).value == pytest.approx(math.pi ** 2 / 6, rel=1e-15)
    assert compute("polygamma(2, x)", x=1.0).value == pytest.approx(-2 * 1.2020569031595942, rel=1e-15)
    assert compute("digamma(x)", x=0.5).value == pytest.approx(-euler_gamma - 2 * math.log(2), rel=1e-15)
    assert compute("gamma(x)", x=-0.5).value == pytest.approx(-2 * math.sqrt(math.pi), rel=1e-15)
    assert compute("lgamma(x)", x=-0.5).value == pytest.approx(math.log(2 * math.sqrt(math.pi)), rel=1e-15)
    # x! is math.factorial's number, correctly rounded: 25! has more digits than a float holds
    assert compute("factorial(x)", x=25.0).value == float(math.factorial(25))


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["gamma(x)", "lgamma(x)", "digamma(x)", "polygamma(3, x)", "polygamma(0, x)"]),
       floats(-30.0, 60.0).filter(lambda x: not special.is_pole(x)))
def test_floats_and_numpy_give_the_same_digits(text, x):
    try:
        on_float = compute(text, x=x)
    except MathError as error:          # Γ(1e-300)'s derivative overflows: numpy's say so too
        with pytest.raises(MathError) as on_numpy:
            compute(text, x=np.float64(x))
        assert str(on_numpy.value) == str(error)
        with pytest.raises(MathError):
            compute(text, x=np.array([x, 2.0]))
        return
    on_numpy, on_array = compute(text, x=np.float64(x)), compute(text, x=np.array([x, 2.0]))
    assert on_numpy.value == on_float.value == on_array.value[0]
    assert on_numpy.gradient["x"] == on_float.gradient["x"] == on_array.gradient["x"][0]


# -- derivatives -----------------------------------------------------------------------------------

FUNCTIONS = {
    "gamma(x)": floats(0.05, 8) | floats(-3.9, -0.1).filter(lambda x: abs(x - round(x)) > 0.05),
    "tgamma(x)": floats(0.05, 8),
    "lgamma(x)": floats(0.05, 40) | floats(-3.9, -0.1).filter(lambda x: abs(x - round(x)) > 0.05),
    "gammaln(x)": floats(0.05, 40),
    "digamma(x)": floats(0.05, 40) | floats(-3.9, -0.1).filter(lambda x: abs(x - round(x)) > 0.05),
    "polygamma(0, x)": floats(0.1, 40),
    "polygamma(1, x)": floats(0.1, 40) | floats(-3.9, -0.1).filter(lambda x: abs(x - round(x)) > 0.1),
    "polygamma(2, x)": floats(0.2, 40),
    "polygamma(4, x)": floats(0.3, 40),
}


@pytest.mark.parametrize("text", sorted(FUNCTIONS))
def test_derivative_matches_central_differences(text):
    @settings(max_examples=40, deadline=None)
    @given(FUNCTIONS[text])
    def check(x):
        for program in (text, f"{text} * x"):
            found = compute(program, x=x).gradient["x"]
            numeric = float(numeric_gradients(program, {"x": x})["x"])
            assert found == pytest.approx(numeric, rel=1e-5, abs=1e-6), (program, x)

    check()


@pytest.mark.parametrize("k", [0, 1, 3, 7, 12])
def test_factorial_derivative_is_that_of_gamma_at_whole_numbers(k):
    # math.factorial has no derivative; Γ(x + 1)'s, the number torch.lgamma(k + 1) differentiates to
    found = compute("factorial(x)", x=float(k)).gradient["x"]
    with mpmath.workdps(30):
        exact = mpmath.diff(lambda t: mpmath.gamma(t + 1), k)
    assert found == pytest.approx(float(exact), rel=1e-13)


@pytest.mark.parametrize("text, x", [("gamma(x)", 2.5), ("lgamma(x*x + 1)", 0.7), ("digamma(x)", -0.3),
                                     ("polygamma(2, x) * x", 1.2), ("gamma(x) / factorial(4)", 3.3)])
def test_hessian_matches_mpmath(text, x):
    functions = {"gamma(x)": mpmath.gamma, "lgamma(x*x + 1)": lambda t: mpmath.loggamma(t * t + 1),
                 "digamma(x)": mpmath.digamma, "polygamma(2, x) * x": lambda t: mpmath.polygamma(2, t) * t,
                 "gamma(x) / factorial(4)": lambda t: mpmath.gamma(t) / 24}
    h = hessian(compute(text, x=x)).matrix[0, 0]
    with mpmath.workdps(30):
        exact = float(mpmath.diff(functions[text], x, 2))
    assert h == pytest.approx(exact, rel=1e-11)


# Exact derivatives: ψ⁽ⁿ⁾'s k-th is ψ⁽ⁿ⁺ᵏ⁾; Γ's and the compositions' from mpmath's Taylor series at
# 60 digits (at 40 its numerical differentiation was off in the 11th digit at order 8).
EXACT = {
    "digamma(x)": (lambda x, k: mpmath.polygamma(k, x), (0.3, 1.4616321449683622, 7.0, -0.7)),
    "lgamma(x)": (lambda x, k: mpmath.polygamma(k - 1, x), (0.3, 3.0, 12.0, -2.5)),
    "polygamma(1, x)": (lambda x, k: mpmath.polygamma(1 + k, x), (0.6, 5.0, -3.2)),
    "polygamma(5, x)": (lambda x, k: mpmath.polygamma(5 + k, x), (2.0,)),
}
SERIES = {
    "gamma(x)": (mpmath.gamma, (0.5, -1.5)),
    "factorial(x)": (lambda t: mpmath.gamma(t + 1), (3.0,)),
    "lgamma(x*x + 1)": (lambda t: mpmath.log(mpmath.gamma(t * t + 1)), (0.7,)),
    "digamma(exp(x)) * x": (lambda t: mpmath.digamma(mpmath.exp(t)) * t, (0.4,)),
}


def exact_derivatives(text, x, order):
    with mpmath.workdps(60):
        if text in EXACT:
            return [float(EXACT[text][0](mpmath.mpf(x), k)) for k in range(1, order + 1)]
        coefficients = mpmath.taylor(SERIES[text][0], mpmath.mpf(x), order)
        return [float(c * mpmath.factorial(k)) for k, c in enumerate(coefficients) if k]


@pytest.mark.parametrize("text, x", [(text, x) for table in (EXACT, SERIES) for text, (_, xs) in table.items()
                                     for x in xs])
def test_order_matches_mpmath(text, x):
    order = 30 if text in EXACT else 12        # mpmath's series of a composition is slow
    series = taylor(compute(text, x=x), "x", order)
    # digamma(exp(x)) from ψ⁽ᵐ⁾ at e^0.4 cancels (terms ~1e6 times the result at order 12): the
    # digits --order claims are right, and it claims them all up to order 5
    for k, (a, b, right) in enumerate(zip(series.derivatives, exact_derivatives(text, x, order), series.digits),
                                      start=1):
        assert right is None or k > 5, f"order {k}: {right} digits"
        if right == 0:
            continue                # --order refuses it (exit 3)
        tolerance = 1e-12 if right is None else 10.0 ** -right
        assert abs(a - b) <= tolerance * abs(b) + 1e-300, f"order {k}: {a} vs {b}"


def test_cli_order_100_of_digamma():
    # ψ⁽¹⁰⁰⁾(2.5) ≈ 1e140: the series rule asks ψ⁽ⁿ⁺ᵐ⁾ directly, where the derivative rule would add
    # polygamma(1), polygamma(2), … without end
    result = run("digamma(x)", "--x", "2.5", "--order", "100", "--json")
    assert result.exit_code == 0, result.stderr
    values = json.loads(result.stdout)["derivative"]["values"]
    assert values[-1] == pytest.approx(float(mp_polygamma(100, 2.5)), rel=1e-12)


# -- a Poisson likelihood pasted from PyTorch ------------------------------------------------------

POISSON = """import torch
lam = torch.tensor(3.5, requires_grad=True)
k = torch.tensor([2., 4., 7., 3.])
log_likelihood = (k * torch.log(lam) - lam - torch.lgamma(k + 1)).sum()
log_likelihood.backward()
"""


def test_poisson_log_likelihood_from_torch():
    result = run(POISSON, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    ks = [2.0, 4.0, 7.0, 3.0]
    expected = sum(k * math.log(3.5) - 3.5 - math.log(math.factorial(int(k))) for k in ks)
    assert data["value"] == pytest.approx(expected, rel=1e-14)
    assert data["gradient"]["lam"] == pytest.approx(sum(ks) / 3.5 - 4, rel=1e-14)


def test_poisson_log_likelihood_as_math_text_with_factorial():
    result = run("k*log(λ) - λ - log(factorial(k))", "--k", "3", "--λ", "2", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["value"] == pytest.approx(3 * math.log(2) - 2 - math.log(6), rel=1e-14)
    assert data["gradient"]["λ"] == pytest.approx(3 / 2 - 1, rel=1e-14)
    # ∂/∂k of log Γ(k + 1) is ψ(k + 1) = 1 + 1/2 + 1/3 − γ
    assert data["gradient"]["k"] == pytest.approx(math.log(2) - (1 + 1 / 2 + 1 / 3 - 0.5772156649015329),
                                                  rel=1e-14)


# -- spellings, poles, orders ----------------------------------------------------------------------

@pytest.mark.parametrize("text, same", [
    ("torch.lgamma(x)", "lgamma(x)"), ("jax.scipy.special.gammaln(x)", "lgamma(x)"),
    ("tf.math.lgamma(x)", "lgamma(x)"), ("math.lgamma(x)", "lgamma(x)"), ("x.lgamma()", "lgamma(x)"),
    ("scipy.special.gamma(x)", "gamma(x)"), ("math.gamma(x)", "gamma(x)"), ("jax.scipy.special.gamma(x)", "gamma(x)"),
    ("torch.special.digamma(x)", "digamma(x)"), ("torch.special.psi(x)", "digamma(x)"),
    ("scipy.special.psi(x)", "digamma(x)"), ("torch.digamma(x)", "digamma(x)"), ("tf.math.digamma(x)", "digamma(x)"),
    ("torch.special.polygamma(2, x)", "polygamma(2, x)"), ("torch.polygamma(2, x)", "polygamma(2, x)"),
    ("x.polygamma(2)", "polygamma(2, x)"), ("scipy.special.polygamma(2, x)", "polygamma(2, x)"),
    ("tf.math.polygamma(2., x)", "polygamma(2, x)"), ("math.factorial(x)", "factorial(x)"),
    ("torch.special.gammaln(x)", "lgamma(x)"),
])
def test_spellings_pasted_from_the_libraries(text, same):
    a, b = compute(text, x=3.0), compute(same, x=3.0)
    assert (a.value, a.gradient["x"]) == (b.value, b.gradient["x"])


@pytest.mark.parametrize("text, x, message", [
    ("gamma(x)", "0", "gamma has a pole at every whole number ≤ 0: gamma(0)"),
    ("gamma(x)", "-3", "gamma has a pole at every whole number ≤ 0: gamma(-3)"),
    ("torch.lgamma(x)", "-2", "lgamma has a pole at every whole number ≤ 0"),
    ("digamma(x)", "0", "digamma has a pole"),
    ("polygamma(1, x)", "-1", "polygamma has a pole"),
    ("factorial(x)", "2.5", "factorial is defined for whole numbers x ≥ 0, as math.factorial"),
    ("factorial(x)", "-1", "factorial is defined for whole numbers x ≥ 0"),
])
def test_a_pole_is_a_math_error_with_a_caret(text, x, message):
    result = run(f"1 + {text}", "--x", x)
    assert_error(result, 3, message, caret_line="      " + "^" * len(text))


def test_a_pole_in_an_array_names_it():
    result = run("sum(gamma(x))", "--x", "[1.5, -2, 3]")
    assert_error(result, 3, "gamma has a pole at every whole number ≤ 0")


@pytest.mark.parametrize("text, message, caret", [
    ("polygamma(1.5, x)", "polygamma's order n must be a whole number ≥ 0, got 1.5", "^^^^^^^^^^^^^^^^^"),
    ("polygamma(-1, x)", "polygamma's order n must be a whole number ≥ 0, got -1", "^^^^^^^^^^^^^^^^"),
    ("polygamma(y, x)", "the order n of polygamma must be a number written in the expression", "          ^"),
])
def test_polygamma_order_is_a_whole_number_written_in_the_call(text, message, caret):
    result = run(text, "--x", "2", "--y", "1")
    assert_error(result, 2, message, caret_line="  " + caret)


def test_gamma_given_a_value_is_the_variable_where_it_is_not_called():
    # as norm and var: `gamma * (x + 1)` is the product, `gamma(x + 1)` the function (and --gamma unused)
    assert run("gamma*(x+1)", "--gamma", "2", "--x", "1", "-q").stdout.split() == ["4", "2", "2"]
    result = run("gamma(x+1)", "--gamma", "2", "--x", "1", "-q")
    assert result.exit_code == 0 and result.stdout.split() == ["1", "0.4227843351"]
    assert "--gamma is not used" in result.stderr


def test_formula_text_and_latex():
    result = run("lgamma(x)", "--x", "3", "--plain")
    assert "digamma(x)" in result.stdout
    result = run("polygamma(1, x)", "--x", "3", "--plain")
    assert "polygamma(2, x)" in result.stdout
    result = run("gamma(x) + polygamma(2, x) + lgamma(x)", "--x", "3", "--latex", "--symbolic")
    assert result.exit_code == 0, result.stderr
    assert r"\Gamma\left(x\right)" in result.stdout and r"\psi^{(3)}\left(x\right)" in result.stdout
    assert r"\psi\left(x\right)" in result.stdout


# -- n! in math text -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, values, expected", [
    ("n!", {"n": 4.0}, 24.0), ("(n + 1)!/n!", {"n": 3.0}, 4.0), ("3!", {}, 6.0),
    ("k*log(λ) - λ - log(k!)", {"k": 3.0, "λ": 2.0}, 3 * math.log(2) - 2 - math.log(6)),
    ("λ^k e^(-λ)/k!", {"k": 2.0, "λ": 1.5}, 1.5 ** 2 * math.exp(-1.5) / 2),     # the Poisson pmf
    ("x != 2", {"x": 3.0}, 1.0),                                                  # no factorial in !=
])
def test_factorial_written_with_an_exclamation_mark(text, values, expected):
    assert compute(text, values).value == pytest.approx(expected, rel=1e-14)


def test_factorial_in_math_text_has_gamma_s_derivative_and_its_caret():
    found = compute("log(k!)", k=3.0).gradient["k"]
    assert found == pytest.approx(1 + 1 / 2 + 1 / 3 - 0.5772156649015329, rel=1e-14)
    assert_error(run("log(k!)", "--k", "2.5"), 3, "factorial is defined for whole numbers", caret_line="      ^^")


def test_an_exclamation_mark_twice_or_after_nothing_is_refused():
    assert_error(run("n!!", "--n", "3"), 2, "n!! (the double factorial) is not read", caret_line="    ^")
    result = run("2 + !x", "--x", "1")      # no factorial: the parser's own word on `!`
    assert_error(result, 2, "unexpected character '!'", caret_line="      ^")
    assert "for not (x > 0), write 1 - (x > 0)" in result.stderr


# -- large orders: an answer in bounded time ----------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.integers(61, 400), st.floats(0.5, 3.0))
def test_polygamma_of_a_large_order_matches_mpmath_where_it_is_a_float(n, ratio):
    # x near n/e·ratio: the narrow band where ψ⁽ⁿ⁾ of a large order is neither inf nor 0
    x = n / math.e * ratio
    exact = mp_polygamma(n, x)
    value = special.polygamma(n, x)
    if abs(exact) > 1.7976931348623157e308:
        assert value == math.copysign(math.inf, exact)
    elif abs(exact) < 2.0 ** -1075:
        assert value == 0.0
    elif abs(exact) > 1e-300:
        assert abs(value - exact) <= 1e-13 * abs(exact)


@pytest.mark.parametrize("n", [171, 1000, 10**5, 2 * 10**9])
def test_polygamma_that_overflows_says_so_without_summing(n):
    # the bounds decide it: polygamma(10⁵, 0.5) summed for minutes before it said overflow
    assert special.polygamma(n, 0.5) == (math.inf if n % 2 else -math.inf)
    # and where both bounds are below the smallest float, 0; 1e6 is below n/e for the largest order
    far = special.polygamma(n, 1e6)
    assert far == (-math.inf if n == 2 * 10**9 else 0.0)


def test_an_order_past_the_highest_read_is_bad_input_with_a_caret():
    result = run("polygamma(2e9, x)", "--x", "0.5")
    assert_error(result, 2, "polygamma's order n is at most 400", "  " + "^" * len("polygamma(2e9, x)"))


def test_the_derivative_of_the_highest_order_is_bad_input_not_a_crash():
    # its derivative needs ψ⁽⁴⁰¹⁾: refused as bad input (exit 2), never an internal error (70)
    result = run("polygamma(400, x + 150)", "--x", "0.5")
    assert result.exit_code == 2
    assert "at most 400" in result.output and "internal error" not in result.output


def test_overflowing_order_is_a_math_error():
    result = run("polygamma(300, x)", "--x", "0.5")
    assert result.exit_code == 3 and "overflow" in result.output


def test_reflection_of_a_large_order_overflows_cleanly():
    # Pₙ's coefficient is an int past a float: the sign read off it, not math.copysign (which raised)
    assert special.polygamma(300, -0.5) == -math.inf


def test_a_class_answer_of_a_huge_order_is_malformed_and_the_class_is_graded(tmp_path):
    # one such answer stopped a whole class for minutes
    sheet = tmp_path / "class.toml"
    sheet.write_text('[[problem]]\nid = "square"\nexpression = "(x+y)**2"\nat = { x = 1, y = 2 }\n'
                     'answers = ["x", "y"]\n', encoding="utf-8")
    answers = tmp_path / "answers.csv"
    answers.write_text('student,square.x,square.y\nAda,6,6\nMal,"polygamma(2e9, x)",6\n'
                       'Zed,"polygamma(100000, x)",6\n', encoding="utf-8")
    result = run("check", str(sheet), "--answers", str(answers))
    assert result.exit_code == 0, result.output        # a gradebook, whatever the marks
    rows = {line.split(",")[0]: line for line in result.stdout.splitlines()}
    assert rows["Ada"].startswith("Ada,1,1,1")
    assert "malformed: square.x" in rows["Mal"] and "malformed: square.x" in rows["Zed"]
