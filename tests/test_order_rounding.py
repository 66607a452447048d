"""--order never prints a derivative that rounding has eaten: Taylor mode carries an error bound beside
each coefficient (roundoff.Bounded; a scalar program is measured again with 50 digits), rounds a value
to the digits the bound leaves right, says so, and refuses (exit 3) an order with no right digit.
Every claim is checked against mpmath: the digits shown are right, and good derivatives are not refused."""

import json
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from gradcalc import MathError, compute
from gradcalc.cli import main
from gradcalc.roundoff import Bounded, significant_digits

mpmath.mp.dps = 50


def true_derivatives(f, x: float, order: int) -> list:
    coefficients = mpmath.taylor(f, mpmath.mpf(x), order)
    return [coefficients[k] * mpmath.factorial(k) for k in range(1, order + 1)]


# Closed forms of every order (mpmath.taylor at order 100 takes seconds each).
def _sin_exp(x, order):      # dⁿ/dxⁿ sin(x)·eˣ = 2^(n/2)·eˣ·sin(x + nπ/4)
    x = mpmath.mpf(x)
    return [mpmath.mpf(2) ** (mpmath.mpf(n) / 2) * mpmath.exp(x) * mpmath.sin(x + n * mpmath.pi / 4)
            for n in range(1, order + 1)]


def _lorentzian(x, order):   # 1/(1 + x²) = Im 1/(x − i): dⁿ = (−1)ⁿ·n!·Im (x − i)^−(n+1)
    z = mpmath.mpc(x, -1)
    return [(-1) ** n * mpmath.factorial(n) * mpmath.im(z ** -(n + 1)) for n in range(1, order + 1)]


def _atan(x, order):         # atan′ = 1/(1 + x²)
    return [1 / (1 + mpmath.mpf(x) ** 2)] + _lorentzian(x, order - 1)


def assert_digits_right(text: str, f, x: float, order: int, exact=None) -> list:
    """Every value --order gives is right to the digits it claims (12 where it claims none)."""
    found = compute(text, {"x": x}).derivative(order)
    digits = found.get("digits", [None] * order)
    truth = exact(x, order) if exact else true_derivatives(f, x, order)
    for k, (value, right, true) in enumerate(zip(found["values"], digits, truth), start=1):
        allowed = 10.0 ** (1 - right) if right is not None else 1e-11
        if right == 0:     # 0 within rounding: shown as 0, the bound below 1e-12 of the largest
            assert value == 0 and abs(true) <= 1e-12 * max(map(abs, found["values"])), (text, x, k)
            continue
        # (mpmath's own noise where the derivative is 0: 1e-48 for sigmoid(2x − 1)'s even orders)
        assert abs(mpmath.mpf(value) - true) <= allowed * abs(true) + 1e-30, (text, x, k, value, right, true)
    return digits


# The three of issue 21's "Done when", at order 100 and x = 0.5 ------------------------------------

@pytest.mark.parametrize("text", ["exp(x)*exp(-x)", "sin(x)**2+cos(x)**2"])
def test_identities_whose_derivatives_are_zero_are_refused_at_order_100(text):
    """Their true derivatives are 0; float64 gave −1.34e12 and 1.2e14 at order 100 with exit 0."""
    result = CliRunner().invoke(main, [text, "--x", "0.5", "--order", "100"])
    assert result.exit_code == 3, result.output
    assert "cannot be computed in 64-bit floats" in result.stderr
    assert "rounding errors" in result.stderr and "hint: " in result.stderr
    assert "--order " in result.stderr      # the orders that are right, named
    assert result.stdout == ""


def test_the_orders_below_a_refusal_are_right():
    """The hint names the order up to which every derivative has a right digit; that order works."""
    result = CliRunner().invoke(main, ["exp(x)*exp(-x)", "--x", "0.5", "--order", "100"])
    good = int(result.stderr.split("ask for --order ")[1].split()[0])
    assert good >= 1
    found = compute("exp(x)*exp(-x)", {"x": 0.5}).derivative(good)
    assert all(value == 0.0 for value in found["values"])     # 0 exactly: e^x·e^−x = 1


def test_sin_times_exp_at_order_100_is_shown_to_its_right_digits():
    """d¹⁰⁰/dx¹⁰⁰ sin(x)·eˣ = 2⁵⁰·eˣ·sin(x + 25π) = −8.9e14 at 0.5; float64 has one digit of it."""
    digits = assert_digits_right("sin(x)*exp(x)", None, 0.5, 100, _sin_exp)
    assert digits[-1] is not None and 1 <= digits[-1] <= 3
    assert digits[9] is None                  # the 10th is good to every digit shown
    result = CliRunner().invoke(main, ["sin(x)*exp(x)", "--x", "0.5", "--order", "100"])
    assert result.exit_code == 0
    assert "fewer right digits" in result.stdout + result.stderr
    last = CliRunner().invoke(main, ["sin(x)*exp(x)", "--x", "0.5", "--order", "100", "-q"]).stdout.strip()
    true = float(_sin_exp(0.5, 100)[-1])
    assert len(last.split("e")[0].lstrip("-").replace(".", "")) == digits[-1]   # -9e14: one digit
    assert abs(float(last) - true) <= 10.0 ** (1 - digits[-1]) * abs(true)
    found = json.loads(CliRunner().invoke(main, ["sin(x)*exp(x)", "--x", "0.5", "--order", "100",
                                                 "--json"]).stdout)["derivative"]
    assert found["digits"][-1] == digits[-1] and found["digits"][0] is None


# Good derivatives stay: the bound is not so loose that it refuses them --------------------------------

@pytest.mark.parametrize("text, exact, x", [
    # a division's recurrence: the bound carried with absolute values says 0 digits from order 50
    # on; 14 are right, and the 50-digit run says so
    ("1/(1+x*x)", _lorentzian, 1.3), ("atan(x)", _atan, 1.3), ("atan(x)", _atan, 0.5),
])
def test_well_conditioned_derivatives_at_order_100_keep_their_digits(text, exact, x):
    digits = assert_digits_right(text, None, x, 100, exact)
    assert all(right is None or right >= 10 for right in digits), digits


@pytest.mark.parametrize("text, f, x", [
    ("tanh(x)", mpmath.tanh, 0.5), ("x**x", lambda x: x ** x, 1.3),
    ("sqrt(1 + x**2) / (2 - x)", lambda x: mpmath.sqrt(1 + x ** 2) / (2 - x), 0.3),
    ("gelu(x)", lambda x: x * mpmath.ncdf(x), 0.5),
])
def test_well_conditioned_derivatives_at_order_50_keep_their_digits(text, f, x):
    with mpmath.workdps(80):
        digits = assert_digits_right(text, f, x, 50)
    assert all(right is None or right >= 10 for right in digits), digits


_sigmoid = lambda x: 1 / (1 + mpmath.exp(-x))  # noqa: E731
# Functions and compositions with an mpmath reference, at a point inside their domain.
REFERENCES = {
    "exp(x)": (mpmath.exp, 0.4), "log(x)": (mpmath.log, 0.3), "sqrt(x)": (mpmath.sqrt, 0.2),
    "sin(x)": (mpmath.sin, 2.0), "tan(x)": (mpmath.tan, 1.2), "tanh(x)": (mpmath.tanh, -1.1),
    "sigmoid(x)": (_sigmoid, 1.7), "asin(x)": (mpmath.asin, 0.6), "acos(x)": (mpmath.acos, 0.3),
    "atan(x)": (mpmath.atan, 1.5), "sinh(x)": (mpmath.sinh, 0.7), "cosh(x)": (mpmath.cosh, 0.7),
    "asinh(x)": (mpmath.asinh, 0.7), "acosh(x)": (mpmath.acosh, 1.6), "atanh(x)": (mpmath.atanh, 0.4),
    "log1p(x)": (mpmath.log1p, 0.5), "expm1(x)": (mpmath.expm1, 0.5), "cbrt(x)": (mpmath.cbrt, 1.7),
    "softplus(x)": (lambda x: mpmath.log1p(mpmath.exp(x)), -1.2), "erf(x)": (mpmath.erf, 0.4),
    "erfc(x)": (mpmath.erfc, 0.4), "gelu(x)": (lambda x: x * mpmath.ncdf(x), -2.0),
    "silu(x)": (lambda x: x * _sigmoid(x), 0.6),
    "exp(sin(x))": (lambda x: mpmath.exp(mpmath.sin(x)), 1.7), "x**x": (lambda x: x ** x, 0.4),
    "sigmoid(2*x - 1)": (lambda x: _sigmoid(2 * x - 1), 0.5),     # even orders exactly 0
    "x**-2.5 - x**3": (lambda x: x ** -2.5 - x ** 3, 0.6),
    "2**x * log(x)": (lambda x: 2 ** x * mpmath.log(x), 2.0),
    "sin(x)**3 * cos(x)": (lambda x: mpmath.sin(x) ** 3 * mpmath.cos(x), 0.4),
    "sin(x)/x": (lambda x: mpmath.sin(x) / x, 0.1),               # a quotient whose terms cancel
    "(exp(x) - 1)/x": (lambda x: mpmath.expm1(x) / x, 0.01),
    "cosh(x) - sinh(x)": (lambda x: mpmath.exp(-x), 3.0),
}


@pytest.mark.parametrize("text", sorted(REFERENCES))
def test_every_function_and_composition_claims_only_right_digits_at_order_30(text):
    f, x = REFERENCES[text]
    for x in (x,):
        try:
            assert_digits_right(text, f, x, 30)
        except MathError as error:      # refused: then some order truly has no right digit
            assert "cannot be computed in 64-bit floats" in str(error)
            k = int(str(error).split("the ")[1].split()[0][:-2])
            value = compute(text, {"x": x})
            true = true_derivatives(f, x, k)[-1]
            from gradcalc.higher import taylor
            computed = taylor(value, "x", k).derivatives[-1]
            assert abs(mpmath.mpf(float(computed)) - true) > 1e-3 * abs(true), (text, x, k)


def test_an_array_input_carries_the_bound_elementwise():
    """No 50-digit run for arrays: the bound alone decides, element by element."""
    with pytest.raises(MathError, match="cannot be computed in 64-bit floats"):
        compute("exp(x)*exp(-x)", {"x": [0.5, 1.0]}).derivative(40)
    found = compute("sin(x)", {"x": [0.5, 1.0]}).derivative(40)
    assert "digits" not in found
    np.testing.assert_allclose(found["value"], np.sin([0.5, 1.0]), rtol=1e-12)


# The arithmetic beside the values -------------------------------------------------------------------

_finite = st.floats(-1e3, 1e3, allow_nan=False).filter(lambda v: abs(v) > 1e-3)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("+-*/"), _finite), min_size=1, max_size=30), _finite)
def test_the_bound_holds_against_exact_rationals(steps, start):
    """A chain of + − × ÷ on Bounded values: the exact result of the same chain on the same floats is
    within the bound (rationals, no rounding), and significant_digits never claims a wrong digit."""
    value, exact = Bounded(np.float64(start)), Fraction(start)
    for op, operand in steps:
        operand = np.float64(operand)
        if op == "+":
            value, exact = value + operand, exact + Fraction(float(operand))
        elif op == "-":
            value, exact = operand - value, Fraction(float(operand)) - exact
        elif op == "*":
            value, exact = value * Bounded(operand), exact * Fraction(float(operand))
        else:
            value, exact = value / operand, exact / Fraction(float(operand))
        if not math.isfinite(value.value):
            return
    error = abs(Fraction(float(value.value)) - exact)
    assert error <= Fraction(float(value.bound))
    right = significant_digits(value.value, value.bound)
    if right is not None and exact != 0:
        assert error / abs(exact) <= Fraction(10) ** (1 - right)
