"""Every function of one argument in the table, its value and its local derivative, against mpmath in
the tails (|x| up to 40 and beyond where the function is still finite) and next to the ends of its
domain, on Python floats and on numpy arrays: a textbook form that cancels there (1 − tanh², σ(1 − σ),
1 + erf for gelu, 1 − x² beside ±1) shows up as a relative error far above a few ulp."""

import math

import mpmath
import numpy as np
import pytest

from gradcalc import compute
from gradcalc.ops import OPS
from gradcalc.ops.rules import NUMBERS, numbers_local

mpmath.mp.dps = 60
mpf = mpmath.mpf


def _sigmoid(x):
    return 1 / (1 + mpmath.exp(-x))


def _cdf(x):
    return mpmath.ncdf(x)


def _pdf(x):
    return mpmath.npdf(x)


def _whole(x):
    return x >= 0 and x == int(x)


def _no_value():
    raise ValueError("outside the domain")


# key in OPS → (value, derivative, domain of the derivative), each in mpmath.
REFERENCE = {
    "exp": (mpmath.exp, mpmath.exp, None),
    "log": (mpmath.log, lambda x: 1 / x, lambda x: x > 0),
    "sqrt": (mpmath.sqrt, lambda x: 1 / (2 * mpmath.sqrt(x)), lambda x: x > 0),
    "sin": (mpmath.sin, mpmath.cos, None),
    "cos": (mpmath.cos, lambda x: -mpmath.sin(x), None),
    "tan": (mpmath.tan, lambda x: 1 / mpmath.cos(x) ** 2, None),
    "tanh": (mpmath.tanh, lambda x: 1 / mpmath.cosh(x) ** 2, None),
    "sigmoid": (_sigmoid, lambda x: _sigmoid(x) * _sigmoid(-x), None),
    "relu": (lambda x: max(x, 0), lambda x: 1 if x > 0 else 0, None),
    "abs": (abs, mpmath.sign, None),
    "sign": (mpmath.sign, lambda x: 0, None),
    "asin": (mpmath.asin, lambda x: 1 / mpmath.sqrt(1 - x * x), lambda x: abs(x) < 1),
    "acos": (mpmath.acos, lambda x: -1 / mpmath.sqrt(1 - x * x), lambda x: abs(x) < 1),
    "atan": (mpmath.atan, lambda x: 1 / (1 + x * x), None),
    "sinh": (mpmath.sinh, mpmath.cosh, None),
    "cosh": (mpmath.cosh, mpmath.sinh, None),
    "asinh": (mpmath.asinh, lambda x: 1 / mpmath.sqrt(x * x + 1), None),
    "acosh": (mpmath.acosh, lambda x: 1 / mpmath.sqrt(x * x - 1), lambda x: x > 1),
    "atanh": (mpmath.atanh, lambda x: 1 / (1 - x * x), lambda x: abs(x) < 1),
    "log2": (lambda x: mpmath.log(x, 2), lambda x: 1 / (x * mpmath.log(2)), lambda x: x > 0),
    "log10": (mpmath.log10, lambda x: 1 / (x * mpmath.log(10)), lambda x: x > 0),
    "log1p": (mpmath.log1p, lambda x: 1 / (1 + x), lambda x: x > -1),
    "expm1": (mpmath.expm1, mpmath.exp, None),
    "exp2": (lambda x: mpmath.power(2, x), lambda x: mpmath.power(2, x) * mpmath.log(2), None),
    "cbrt": (mpmath.cbrt, lambda x: 1 / (3 * mpmath.cbrt(x) ** 2), None),
    "softplus": (lambda x: mpmath.log1p(mpmath.exp(x)), _sigmoid, None),
    "erf": (mpmath.erf, lambda x: 2 / mpmath.sqrt(mpmath.pi) * mpmath.exp(-x * x), None),
    "erfc": (mpmath.erfc, lambda x: -2 / mpmath.sqrt(mpmath.pi) * mpmath.exp(-x * x), None),
    "gelu": (lambda x: x * _cdf(x), lambda x: _cdf(x) + x * _pdf(x), None),
    "elu": (lambda x: x if x > 0 else mpmath.expm1(x), lambda x: 1 if x > 0 else mpmath.exp(x), None),
    "silu": (lambda x: x * _sigmoid(x), lambda x: _sigmoid(x) * (1 + x * _sigmoid(-x)), None),
    "leaky_relu_default": (lambda x: x if x > 0 else x / 100, lambda x: 1 if x > 0 else mpf(1) / 100, None),
    "stop_gradient": (lambda x: x, lambda x: 0, None),    # the value passes, no gradient (dialects)
    "sec": (mpmath.sec, lambda x: mpmath.sec(x) * mpmath.tan(x), None),
    "csc": (mpmath.csc, lambda x: -mpmath.csc(x) * mpmath.cot(x), None),
    "cot": (mpmath.cot, lambda x: -mpmath.csc(x) ** 2, None),
    "asec": (mpmath.asec,
             lambda x: 1 / (abs(x) * mpmath.sqrt(x * x - 1)), lambda x: abs(x) > 1),
    "acsc": (mpmath.acsc,
             lambda x: -1 / (abs(x) * mpmath.sqrt(x * x - 1)), lambda x: abs(x) > 1),
    "acot": (mpmath.acot, lambda x: -1 / (1 + x * x), None),
    "sech": (mpmath.sech, lambda x: -mpmath.sech(x) * mpmath.tanh(x), None),
    "csch": (mpmath.csch, lambda x: -mpmath.csch(x) * mpmath.coth(x), None),
    "coth": (mpmath.coth, lambda x: -mpmath.csch(x) ** 2, None),
    # Γ's kin (mpmath raises at the poles: no reference there); x! at whole x ≥ 0 only
    "gamma": (mpmath.gamma, lambda x: mpmath.gamma(x) * mpmath.digamma(x), None),
    "lgamma": (lambda x: mpmath.log(abs(mpmath.gamma(x))), mpmath.digamma, None),
    "digamma": (mpmath.digamma, lambda x: mpmath.polygamma(1, x), None),
    "factorial": (lambda x: mpmath.gamma(x + 1) if _whole(x) else _no_value(),
                  lambda x: mpmath.gamma(x + 1) * mpmath.digamma(x + 1), None),
}

UNARY = [key for key, op in OPS.items() if op.arity == 1 and op.names and op.elementwise]

# The tails (|x| to 40, and on to where exp overflows), and the ends of the domains: 1 − 2⁻ᵏ beside
# ±1 (asin, acos, atanh), 1 + 2⁻ᵏ (acosh), −1 + 2⁻ᵏ (log1p), 2⁻ᵏ and huge (log, sqrt, cbrt, asinh).
MAGNITUDES = [0.5, 1.0, 2.0, 5.0, 8.0, 10.0, 15.0, 19.0, 20.0, 25.0, 30.0, 35.0, 37.0, 40.0,
              60.0, 100.0, 300.0, 700.0]
EDGES = [1 - 2.0 ** -k for k in (10, 20, 30, 40, 50)] + [1 + 2.0 ** -k for k in (10, 20, 30, 40, 50)]
POINTS = sorted({s * m for m in MAGNITUDES + EDGES + [2.0 ** -40, 1e-200, 1e20, 1e160, 1e300]
                 for s in (1.0, -1.0)} | {-1 + 2.0 ** -k for k in (10, 30, 50)})

# Below the smallest normal float the relative error of any result grows (subnormals have fewer bits).
TINY = 1e-300
RTOL = 1e-12


def test_every_function_of_one_argument_has_a_reference():
    assert set(UNARY) == set(REFERENCE)


def _exact(f, x):
    try:
        value = f(mpf(x))
    except (ValueError, ZeroDivisionError, OverflowError):   # mpmath's erfc gives up near 1e300
        return None
    if isinstance(value, mpmath.mpc) or not mpmath.isfinite(value):
        return None
    return value


def _close(got, true) -> bool:
    if abs(true) > 1.7e308:   # the true value overflows a float: inf is right
        return math.isinf(got) and (got > 0) == (true > 0)
    return abs(mpf(float(got)) - true) <= RTOL * abs(true) + TINY


@pytest.mark.parametrize("key", UNARY)
def test_value_and_local_derivative_against_mpmath_in_the_tails(key):
    value_of, derivative_of, smooth = REFERENCE[key]
    op = OPS[key]
    wrong = []
    for x in POINTS:
        true_value = _exact(value_of, x)
        if true_value is None:
            continue        # outside the domain
        on_floats = op.forward(x)
        with np.errstate(all="ignore"):
            on_arrays = op.forward(np.array([x, x]))
        for path, got in (("floats", on_floats), ("numpy", on_arrays[0])):
            if not _close(got, true_value):
                wrong.append(f"{key}({x!r}) = {got!r} on {path}, mpmath {mpmath.nstr(true_value, 17)}")
        if smooth is not None and not smooth(mpf(x)):
            continue
        true_local = _exact(derivative_of, x)
        if true_local is None or not math.isfinite(float(on_floats)):
            continue
        for path, got in (("floats", numbers_local(op.local[0], [x], on_floats)),
                          ("numpy", op.local[0](NUMBERS, np.array([x, x]), on_arrays)[0])):
            if not _close(got, true_local):
                wrong.append(f"{key}′({x!r}) = {got!r} on {path}, mpmath {mpmath.nstr(true_local, 17)}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("text, x, value, derivative", [
    # The numbers issue 21 found: gelu(−8) was 1.8% off, tanh′(20) and σ′(40) printed 0.
    ("gelu(x)", -8.0, "-4.9767684594174271e-15", "-3.9796072610867959e-14"),
    ("tanh(x)", 20.0, "1", "1.6993417021166355e-17"),
    ("tanh(x)", -25.0, "-1", "7.7149993918556713e-22"),
    ("sigmoid(x)", 40.0, "1", "4.2483542552915889e-18"),
    ("asin(x)", 1 - 2.0 ** -40, None, None),
])
def test_the_tails_issue_21_found(text, x, value, derivative):
    key = text.split("(")[0]
    value_of, derivative_of, _ = REFERENCE[key]
    result = compute(text, {"x": x})
    assert _close(result.value, value_of(mpf(x)))
    assert _close(result.gradient["x"], derivative_of(mpf(x)))
    if value is not None:
        assert float(result.value) == pytest.approx(float(value), rel=1e-13)
        assert float(result.gradient["x"]) == pytest.approx(float(derivative), rel=1e-13)


@pytest.mark.parametrize("x", [-8.0, -20.0, -37.0])
def test_gelu_higher_derivatives_in_its_tail(x):
    """The graph form of gelu′ (Hessians, --order) uses erfc too."""
    values = compute("gelu(x)", {"x": x}).derivative(3)["values"]
    f = REFERENCE["gelu"][0]
    for k, got in enumerate(values, start=1):
        assert abs(mpf(got) - mpmath.diff(f, mpf(x), k)) <= 1e-10 * abs(mpmath.diff(f, mpf(x), k)) + TINY, k
