"""Arithmetic and the functions people paste: each one entry of forward, one derivative rule, names, docs.

A rule `d` is written once against the builder m (ops/rules.py): `lambda m, a, out: m.cos(a)`.
Kinks and ties follow PyTorch (and JAX where they agree): the subgradient at a kink is the one
documented in README.md's table of functions.
"""

from __future__ import annotations

import math
import operator

from .. import xp
from ..xp import np
from .core import OPS, InputError, Op, several, unary
from .rules import PI, as_value, call_text, cases, condition, constant, function, root, sigmoid, words

_any = xp.any_


def _mask(compare):
    """A comparison as numbers: 1.0 where it holds, else 0.0 (a float stays a float)."""
    def apply(a, b):
        held = compare(a, b)
        return (1.0 if held else 0.0) if type(held) is bool else _choose(held, 1.0, 0.0)
    return apply


def _where(condition, a, b):
    if type(condition) is float and type(a) is float and type(b) is float:
        return a if condition != 0.0 else b
    out = np.where(np.asarray(condition) != 0, a, b)
    return out if out.ndim else np.float64(out)


def _mask_only(a):
    """A mask's values, checked to be 0 and 1 (True and False): ~ of other numbers is Python's bitwise not."""
    if not _any((a != 0) & (a != 1)):
        return a
    raise InputError("~ is read as the logical not of a mask (True and False, 0 and 1), and this value holds other "
                     "numbers (~ of a whole number n is its bitwise not, −n − 1)",
                     hint="write ~ before a comparison, ~(x > 0), or 1 - m for a mask m of 0s and 1s")


def _compare(symbol: str, compare) -> Op:
    return Op(symbol, f"{{0}} {symbol} {{1}}", _mask(compare),
              (lambda m, a, b, out: 0.0 * out, lambda m, a, b, out: 0.0 * out),
              piece=lambda a, b, out: out, elementwise=True, floats=True, keeps_finite=True, flat=(0, 1),
              normal=lambda t, a, b, _s=symbol: t.call(_s, a, b))


def _choose(condition, if_true, otherwise):
    """np.where that keeps a scalar a scalar (np.where always returns an array)."""
    if type(condition) is bool:     # Python floats compared: a float stays a Python float
        chosen = if_true if condition else otherwise
        return chosen if type(chosen) is float else np.float64(chosen)
    if np.ndim(condition) == 0:
        return np.float64(if_true if condition else otherwise)
    return np.where(condition, if_true, otherwise)


# Numeric forms whose numbers differ from the rule on purpose -----------------------------------------

def _pow_base_local(m, a, b, out):
    # x**0 is constant: its derivative is 0 even at x = 0, where b·a^(b−1) would be 0·inf.
    return _choose(b == 0, 0.0, b * xp.power(a, b - 1))


def _pow_exponent_local(m, a, b, out):
    # d(a^b)/db = a^b · log a; where a^b is 0 (a = 0, b > 0) the one-sided limit is 0.
    return _choose(out == 0, 0.0, out * xp.log(a))


# Why a forward value is not finite ---------------------------------------------------------------

def _explain_div(a, b):
    return "division by zero" if _any(b == 0) else None


def _explain_log(a):
    return "log of a non-positive number" if _any(a <= 0) else None


def _explain_sqrt(a):
    return "square root of a negative number" if _any(a < 0) else None


def _explain_pow(a, b):
    if _any((a == 0) & (b < 0)):
        return "zero raised to a negative power"
    if _any((a < 0) & (b != xp.rint(b))):
        return "a negative number raised to a fractional power"
    return None


def _outside(name: str, condition, domain: str):
    def explain(*args):
        return f"{name} is defined for {domain}" if _any(condition(*args)) else None
    return explain


def _side_of_zero(a, out=None):
    return np.sign(a)


# The derivative builder's simplifications (g is higher.NodeBuilder): x + 0 → x, x·1 → x, x·0 → 0, …
# Each keeps a node only where it already has the result's shape (g.keep); x·0 becomes zeros of it.

def _simplify_add(g, a, b):
    return g.keep(b, a, b) if g.is_const(a, 0) else g.keep(a, a, b) if g.is_const(b, 0) else None


def _simplify_sub(g, a, b):
    if g.is_const(b, 0):
        return g.keep(a, a, b)
    return g("neg", b) if g.is_const(a, 0) and g.keep(b, a, b) is not None else None


def _simplify_mul(g, a, b):
    if g.is_const(a, 0) or g.is_const(b, 0):
        return g.filled(0.0, a, b)
    if g.is_const(a, 1) or g.is_const(b, 1):
        return g.keep(b, a, b) if g.is_const(a, 1) else g.keep(a, a, b)
    if g.is_const(a, -1) and g.keep(b, a, b) is not None:
        return g("neg", b)
    if g.is_const(b, -1) and g.keep(a, a, b) is not None:
        return g("neg", a)
    return None


def _simplify_div(g, a, b):
    return g.keep(a, a, b) if g.is_const(b, 1) else g.filled(0.0, a, b) if g.is_const(a, 0) else None


def _simplify_pow(g, a, b):
    if g.is_const(b, 1):
        return g.keep(a, a, b)
    return g.filled(1.0, a, b) if g.is_const(b, 0) else None


def _simplify_neg(g, a):
    inner = g.graph.nodes[a]
    return inner.inputs[0] if inner.op == "neg" else None


def _passed_on(g, a):
    return a


def _same(table, a):
    return a


def _one(m, *inputs):
    return 1.0


def _minus_one(m, *inputs):
    return -1.0


# Numeric forms that must differ from their rule (kept as the graph form and the formula text) in the
# tails, where the rule's form cancels: 1 − tanh² is 0 from |x| ≈ 19 on and σ(1 − σ) from x ≈ 37 on,
# where the derivatives are still 1e-17 and 1e-16 (tests/test_tails.py).

def _tanh_local(m, a, out):
    """sech²(a) = 4t/(1 + t)² with t = exp(−2|a|): no 1 − tanh² to cancel."""
    t = xp.exp(-2.0 * xp.absolute(a))
    return 4.0 * t / ((1.0 + t) * (1.0 + t))


def _sigmoid_local(m, a, out):
    """σ(a)·σ(−a), the same as σ(1 − σ) without its 1 − σ."""
    return out * sigmoid(-a)


def _asinh_local(m, a, out):
    """1/sqrt(a² + 1), scaled by s = 1/max(|a|, 1) so that a² never overflows (it does past 1e154)."""
    s = xp.divide(1.0, xp.maximum(xp.absolute(a), 1.0))
    scaled = a * s
    return xp.divide(s, xp.sqrt(scaled * scaled + s * s))


# Arithmetic uses Python's operators, not np.add & co.: on numpy scalars (np.float64, the common case)
# they give the same result about 10× faster, and on arrays they call the same ufuncs.
OPS.update({
    # + and − take their constant locals as numbers: the backward pass then calls nothing on their
    # edges (a long sum is mostly +; calling the rule cost it ~5%).
    "add": Op("+", "{0} + {1}", operator.add, (_one, _one), numeric=(1.0, 1.0), elementwise=True,
              normal=lambda t, a, b: t.add(a, b), simplify=_simplify_add, floats=True),
    "sub": Op("−", "{0} − {1}", operator.sub, (_one, _minus_one), numeric=(1.0, -1.0), elementwise=True,
              normal=lambda t, a, b: t.add(a, t.neg(b)), simplify=_simplify_sub, floats=True),
    "mul": Op("×", "{0} × {1}", operator.mul, (lambda m, a, b, out: b, lambda m, a, b, out: a),
              elementwise=True, normal=lambda t, a, b: t.mul(a, b), simplify=_simplify_mul, floats=True),
    "div": Op("÷", "{0} / {1}", xp.divide, (lambda m, a, b, out: 1.0 / b, lambda m, a, b, out: -out / b),
              explain=_explain_div, elementwise=True,
              normal=lambda t, a, b: t.mul(a, t.power(b, t.number(-1.0))), simplify=_simplify_div,
              floats=True),
    "pow": Op("^", "{0}^{1}", xp.power,
              (lambda m, a, b, out: b * m.pow(a, b - 1.0), lambda m, a, b, out: out * m.log(a)),
              numeric=(_pow_base_local, _pow_exponent_local), explain=_explain_pow, elementwise=True,
              normal=lambda t, a, b: t.power(a, b), simplify=_simplify_pow, names=("pow", "power"),
              domain="x > 0, or x < 0 with a whole y; ∂/∂y needs x > 0",
              kink="x**0 has derivative 0, at x = 0 too", floats=True),
    # `t = x`: a named copy, so t shows in the trace.
    "identity": Op("=", "{0}", lambda a: a, (_one,), numeric=(1.0,), elementwise=True, normal=_same,
                   simplify=_passed_on,
                   floats=True, keeps_finite=True),
    "neg": unary("−", operator.neg, _minus_one, numeric=-1.0, show="−{0}", names=(),
                 normal=lambda t, a: t.neg(a), simplify=_simplify_neg, floats=True, keeps_finite=True),
    "pos": unary("+", operator.pos, _one, numeric=1.0, show="+{0}", names=(), normal=_same, simplify=_passed_on,
                 floats=True, keeps_finite=True),
    "exp": unary("exp", xp.exp, lambda m, a, out: out, floats=True),
    "log": unary("log", xp.log, lambda m, a, out: 1.0 / a, explain=_explain_log, names=("log", "ln"),
                 domain="x > 0", floats=True),
    "sqrt": unary("sqrt", xp.sqrt, lambda m, a, out: 0.5 / out, explain=_explain_sqrt,
                  domain="x ≥ 0; derivative x > 0", floats=True,
                  # a power, so sqrt(x)³ and x^(3/2) are one form; printed sqrt(x) again
                  normal=lambda t, a: t.power(a, t.number(0.5))),
    "sin": unary("sin", xp.sin, lambda m, a, out: m.cos(a), floats=True, keeps_finite=True),
    "cos": unary("cos", xp.cos, lambda m, a, out: -m.sin(a), floats=True, keeps_finite=True),
    "tan": unary("tan", xp.tan, lambda m, a, out: 1.0 + out * out, domain="x ≠ π/2 + kπ", floats=True),
    "tanh": unary("tanh", np.tanh, lambda m, a, out: 1.0 - out * out, numeric=_tanh_local, keeps_finite=True),
    "sigmoid": unary("sigmoid", sigmoid, lambda m, a, out: out * (1.0 - out), numeric=_sigmoid_local,
                     names=("sigmoid", "logistic"),
                     floats=True, keeps_finite=True),
    # relu and abs at 0 take the subgradient 0, as the common frameworks do.
    "relu": unary("relu", xp.relu, lambda m, a, out: m.where(a, 1.0, 0.0), piece=_side_of_zero,
                  kink="0 at x = 0", floats=True, keeps_finite=True),
    "abs": unary("abs", xp.absolute, lambda m, a, out: m.sign(a), piece=_side_of_zero,
                 names=("abs", "fabs", "absolute"), kink="0 at x = 0", floats=True, keeps_finite=True),
    # sign is what abs and relu differentiate to; flat on both sides of 0.
    "sign": unary("sign", xp.sign, lambda m, a, out: 0.0 * a, piece=_side_of_zero,
                  kink="derivative 0 everywhere", floats=True, keeps_finite=True),
})

_LN2, _LN10 = math.log(2.0), math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_INV_SQRT_2, _INV_SQRT_2PI = 1.0 / math.sqrt(2.0), 1.0 / math.sqrt(2.0 * math.pi)
# How a rule names them (m.named): formulas each printing style spells, log(2) or \ln\left(2\right).
_LN2_TEXT, _LN10_TEXT = call_text("log", 2.0), call_text("log", 10.0)
_TWO_OVER_SQRT_PI_TEXT = 2.0 / root(PI)
_INV_SQRT_2_TEXT, _INV_SQRT_2PI_TEXT = 1.0 / root(2.0), 1.0 / root(2.0 * PI)


def _from_math(function):
    """A function of Python's math module (erf, erfc: the C library's, correctly rounded to a few
    ulp) applied to a scalar or to each element of an array."""
    each = []   # np.vectorize(function), made on first use: building OPS imports no numpy

    def apply(a):
        if type(a) is float:
            return function(a)
        if np.ndim(a) == 0:
            return np.float64(function(a))
        if not each:
            each.append(np.vectorize(function, otypes=[np.float64]))
        return each[0](a)
    return apply


_erf, _erfc = _from_math(math.erf), _from_math(math.erfc)
function("erf", _erf)
function("erfc", _erfc)


def _normal_cdf(a):
    """Φ(a) = erfc(−a/√2)/2: 1 + erf(a/√2) cancels for negative a (gelu(−8) was 1.8% off)."""
    return 0.5 * _erfc(-a * _INV_SQRT_2)


def _gelu(a):
    return a * _normal_cdf(a)


def _gelu_local(m, a, out):
    """Φ(x) + x·φ(x), Φ as _normal_cdf."""
    return 0.5 * m.erfc(-a * m.named(_INV_SQRT_2, _INV_SQRT_2_TEXT)) + \
        a * m.named(_INV_SQRT_2PI, _INV_SQRT_2PI_TEXT) * m.exp(-0.5 * a * a)


def _silu_local(m, a, out):
    s = m.sigmoid(a)
    return s * (1.0 + a * (1.0 - s))


def _maximum(a, b):
    out = xp.maximum(a, b)
    return out if type(out) is float else as_value(out)


def _minimum(a, b):
    out = xp.minimum(a, b)
    return out if type(out) is float else as_value(out)


def _leaky_relu(a, slope):
    if type(a) is float and type(slope) is float:
        return a if a > 0.0 else slope * a
    return as_value(np.where(a > 0, a, slope * a))


def _elu(a):
    if type(a) is float:
        return a if a > 0.0 else xp.expm1(_minimum(a, 0.0))
    return as_value(np.where(a > 0, a, np.expm1(np.minimum(a, 0.0))))


def _clip(x, lo, hi):
    if type(x) is float and type(lo) is float and type(hi) is float:
        if lo > hi:
            raise InputError("clip needs lo ≤ hi", hint="write clip(x, lo, hi) with the smaller bound first")
        return xp.minimum(xp.maximum(x, lo), hi)
    if _any(np.asarray(lo) > np.asarray(hi)):
        raise InputError("clip needs lo ≤ hi", hint="write clip(x, lo, hi) with the smaller bound first")
    return as_value(np.minimum(np.maximum(x, lo), hi))


def _clip_piece(x, lo, hi, out):
    return np.sign(x - lo) + 3 * np.sign(x - hi)


def _pick(a, b):
    """∂max(a, b)/∂a: 1 where a wins, ½ at a tie (as PyTorch and JAX), 0 where b wins."""
    return _choose(a > b, 1.0, 0.0) + _choose(a == b, 0.5, 0.0)


# In the graph (1 + sign(a − b))/2.
function("wins", _pick, graph=lambda g, a, b: g("mul", g.const(0.5), g("add", g.const(1.0), g("sign", g("sub", a, b)))),
         text=lambda a, b: cases(((1.0, condition(a, ">", b)), (constant("½"), words("equal"))), 0.0))


def _log_base(x, b):
    """log(x)/log(b), undefined (nan, so refused by _log_base_explain) for a base of 0 too, where the
    quotient log(x)/−inf would be a finite 0 with a finite gradient."""
    out = xp.divide(xp.log(x), xp.log(b))
    if type(b) is float:
        return math.nan if b == 0.0 else out
    return np.where(b == 0, np.nan, out) if _any(b == 0) else out


def _log_base_explain(x, b):
    if _any(x <= 0):
        return "log of a non-positive number"
    bad = (b <= 0) | (b == 1)
    if not _any(bad):
        return None
    base = float(b if not np.ndim(b) else np.broadcast_to(b, np.shape(bad))[bad][0])
    # the base is what is wrong: the value it gives (nan, inf) would only repeat it
    return (f"invalid base {base:g} of a logarithm (a base must be positive and not 1)",
            "write a base > 0 other than 1, as log(x, 2) or log(x, 10); log(x) alone is the natural logarithm")


# The functions people paste ----------------------------------------------------------------------
OPS.update({
    # sqrt(1 − a²) as sqrt(1 − a)·sqrt(1 + a): 1 − a is exact near ±1, where 1 − a·a loses digits.
    "asin": unary("asin", xp.asin, lambda m, a, out: 1.0 / (m.sqrt(1.0 - a) * m.sqrt(1.0 + a)),
                  explain=_outside("asin", lambda a: abs(a) > 1, "−1 ≤ x ≤ 1"),
                  names=("asin", "arcsin"), domain="−1 ≤ x ≤ 1; derivative −1 < x < 1", floats=True),
    "acos": unary("acos", xp.acos, lambda m, a, out: -1.0 / (m.sqrt(1.0 - a) * m.sqrt(1.0 + a)),
                  explain=_outside("acos", lambda a: abs(a) > 1, "−1 ≤ x ≤ 1"),
                  names=("acos", "arccos"), domain="−1 ≤ x ≤ 1; derivative −1 < x < 1", floats=True),
    "atan": unary("atan", xp.atan, lambda m, a, out: 1.0 / (1.0 + a * a), names=("atan", "arctan"),
                  floats=True, keeps_finite=True),
    "sinh": unary("sinh", xp.sinh, lambda m, a, out: m.cosh(a), floats=True),
    "cosh": unary("cosh", xp.cosh, lambda m, a, out: m.sinh(a), floats=True),
    "asinh": unary("asinh", xp.asinh, lambda m, a, out: 1.0 / m.sqrt(a * a + 1.0), numeric=_asinh_local,
                   names=("asinh", "arcsinh"), floats=True),
    "acosh": unary("acosh", xp.acosh, lambda m, a, out: 1.0 / (m.sqrt(a - 1.0) * m.sqrt(a + 1.0)),
                   explain=_outside("acosh", lambda a: a < 1, "x ≥ 1"), names=("acosh", "arccosh"),
                   domain="x ≥ 1; derivative x > 1", floats=True),
    "atanh": unary("atanh", xp.atanh, lambda m, a, out: 1.0 / ((1.0 - a) * (1.0 + a)),
                   explain=_outside("atanh", lambda a: abs(a) >= 1, "−1 < x < 1"),
                   names=("atanh", "arctanh"), domain="−1 < x < 1", floats=True),
    "log2": unary("log2", xp.log2, lambda m, a, out: 1.0 / (a * m.named(_LN2, _LN2_TEXT)),
                  explain=_explain_log, domain="x > 0", floats=True),
    "log10": unary("log10", xp.log10, lambda m, a, out: 1.0 / (a * m.named(_LN10, _LN10_TEXT)),
                   explain=_explain_log, domain="x > 0", floats=True),
    "log1p": unary("log1p", xp.log1p, lambda m, a, out: 1.0 / (1.0 + a),
                   explain=_outside("log1p", lambda a: a <= -1, "x > −1"), domain="x > −1", floats=True),
    "expm1": unary("expm1", xp.expm1, lambda m, a, out: m.exp(a), floats=True),
    "exp2": unary("exp2", xp.exp2, lambda m, a, out: out * m.named(_LN2, _LN2_TEXT), floats=True),
    "cbrt": unary("cbrt", xp.cbrt, lambda m, a, out: 1.0 / (3.0 * out * out), domain="derivative x ≠ 0",
                  floats=True),
    "softplus": unary("softplus", xp.softplus, lambda m, a, out: m.sigmoid(a), floats=True),
    "erf": unary("erf", _erf, lambda m, a, out: m.named(_TWO_OVER_SQRT_PI, _TWO_OVER_SQRT_PI_TEXT) * m.exp(-(a * a)),
                 floats=True, keeps_finite=True),
    "erfc": unary("erfc", _erfc,
                  lambda m, a, out: m.named(-_TWO_OVER_SQRT_PI, -_TWO_OVER_SQRT_PI_TEXT) * m.exp(-(a * a)),
                  floats=True, keeps_finite=True),
    # gelu is the exact x·Φ(x) (PyTorch's default, approximate='none').
    "gelu": unary("gelu", _gelu, _gelu_local, floats=True, keeps_finite=True),
    # elu with α = 1: x for x > 0, exp(x) − 1 below; its derivative exp(min(x, 0)) is continuous.
    "elu": unary("elu", _elu, lambda m, a, out: m.exp(m.minimum(a, 0.0)), piece=_side_of_zero,
                 kink="α = 1: derivative 1 at x = 0 (continuous)", floats=True, keeps_finite=True),
    "silu": unary("silu", lambda a: a * sigmoid(a), _silu_local, names=("silu", "swish"), floats=True, keeps_finite=True),
    "atan2": several("atan2", xp.atan2, (lambda m, y, x, out: x / (x * x + y * y),
                                         lambda m, y, x, out: -y / (x * x + y * y)),
                     names=("atan2", "arctan2"), domain="derivative (x, y) ≠ (0, 0)", floats=True),
    "hypot": several("hypot", np.hypot, (lambda m, a, b, out: a / out, lambda m, a, b, out: b / out),
                     domain="derivative (x, y) ≠ (0, 0)"),
    # log(x, base) = log(x)/log(base), as Python's math.log
    "log_base": several("log", _log_base,
                        (lambda m, x, b, out: 1.0 / (x * m.log(b)),
                         lambda m, x, b, out: -out / (b * m.log(b))),
                        explain=_log_base_explain,
                        normal=lambda t, x, b: t.mul(t.call("log", x), t.power(t.call("log", b), t.number(-1.0))),
                        domain="x > 0, base > 0, base ≠ 1", floats=True),
    # max(a, b) and min(a, b) (numpy's maximum and minimum): a tie shares the gradient, ½ each.
    "maximum": several("maximum", _maximum, (lambda m, a, b, out: m.wins(a, b),
                                             lambda m, a, b, out: m.wins(b, a)),
                       piece=lambda a, b, out: np.sign(a - b), names=("maximum", "max", "fmax"), variadic=True,
                       kink="a tie gives ½ to each (PyTorch, JAX); max(a, b, c) is max(max(a, b), c)",
                       floats=True, keeps_finite=True),
    "minimum": several("minimum", _minimum, (lambda m, a, b, out: m.wins(b, a),
                                             lambda m, a, b, out: m.wins(a, b)),
                       piece=lambda a, b, out: np.sign(a - b), names=("minimum", "min", "fmin"), variadic=True,
                       kink="a tie gives ½ to each (PyTorch, JAX); min(a, b, c) is min(min(a, b), c)",
                       floats=True, keeps_finite=True),
    # leaky_relu(x, slope): slope·x below 0 and at 0 (PyTorch), x above; slope 0.01 if not given.
    "leaky_relu": several("leaky_relu", _leaky_relu, (lambda m, a, s, out: m.where(a, 1.0, s),
                                                      lambda m, a, s, out: m.minimum(a, 0.0)),
                          piece=lambda a, s, out: np.sign(a), kink="slope at x = 0 (PyTorch)", floats=True),
    "leaky_relu_default": unary("leaky_relu", lambda a: _leaky_relu(a, 0.01),
                                lambda m, a, out: m.where(a, 1.0, 0.01), piece=_side_of_zero,
                                normal=lambda t, a: t.call("leaky_relu", a, t.number(0.01)),
                                kink="slope 0.01; 0.01 at x = 0 (PyTorch)", floats=True, keeps_finite=True),
    # stop_gradient (JAX; PyTorch's detach, TensorFlow's stop_gradient): the value passes, no gradient
    # does.
    "stop_gradient": unary("stop_gradient", lambda a: a, lambda m, a, out: 0.0 * a,
                           kink="no gradient passes (detach, stop_gradient)", floats=True, keeps_finite=True,
                           flat=(0,)),
    # Comparisons (the dialects' masks): 1 where they hold, else 0, flat on both sides, so no gradient.
    "less": _compare("<", operator.lt), "greater": _compare(">", operator.gt),
    "less_equal": _compare("≤", operator.le), "greater_equal": _compare("≥", operator.ge),
    "equal": _compare("==", operator.eq), "not_equal": _compare("≠", operator.ne),
    # isnan(x) (torch.isnan, tf.math.is_nan): 1 where x is nan, else 0, flat (no gradient): where(isnan(x), 0, x)
    # passes x's gradient where x is a number (nan only in the branch not taken)
    "isnan": Op("isnan", "isnan({0})", lambda a: _choose(a != a, 1.0, 0.0), (lambda m, a, out: 0.0 * out,),
                piece=lambda a, out: out, elementwise=True, keeps_finite=True, flat=(0,), names=(),
                normal=lambda t, a: t.call("isnan", a)),
    # ~m: the logical not of a mask (NumPy's and PyTorch's ~ of booleans), flat; of other numbers refused
    "invert": Op("~", "~{0}", lambda a: _choose(_mask_only(a) == 0, 1.0, 0.0), (lambda m, a, out: 0.0 * out,),
                 piece=lambda a, out: out, elementwise=True, keeps_finite=True, flat=(0,), names=(),
                 normal=lambda t, a: t.call("invert", a)),
    # where(c, a, b), `a if c else b`: the gradient flows only into the branch taken (c ≠ 0: c² > 0).
    "where": several("where", _where, (lambda m, c, a, b, out: 0.0 * out,
                                       lambda m, c, a, b, out: m.where(c * c, 1.0, 0.0),
                                       lambda m, c, a, b, out: m.where(c * c, 0.0, 1.0)),
                     piece=lambda c, a, b, out: c, names=("where",), flat=(0,),
                     kink="the gradient flows into the branch taken only", floats=True),
    # clip(x, lo, hi), PyTorch's clamp: x's gradient passes on lo ≤ x ≤ hi (bounds included).
    "clip": several("clip", _clip, (lambda m, x, lo, hi, out: (1.0 - m.step(lo - x)) * (1.0 - m.step(x - hi)),
                                    lambda m, x, lo, hi, out: m.step(lo - x),
                                    lambda m, x, lo, hi, out: m.step(x - hi)),
                    piece=_clip_piece, names=("clip", "clamp"), domain="lo ≤ hi",
                    kink="x's gradient passes on lo ≤ x ≤ hi, bounds included (PyTorch's clamp)", floats=True, keeps_finite=True),
})


def _xlogx(a):
    """t·log t, 0 at t = 0 (PyTorch's xlogy(t, t), the entropy's term); nan below 0 (refused by its explain)."""
    if type(a) is float:
        return 0.0 if a == 0.0 else a * xp.log(a) if a > 0.0 else math.nan
    with np.errstate(all="ignore"):
        return _choose(a == 0, 0.0, a * np.log(a))


# t·log t (kl_div's and optax.kl_divergence's target term): its derivative log t + 1 is −inf at t = 0, where
# PyTorch and JAX give nan: a gradient asked there is refused (exit 3), the value is 0
OPS["xlogx"] = unary("xlogx", _xlogx, lambda m, a, out: m.log(a) + 1.0, names=(),
                     explain=_outside("t·log t", lambda a: a < 0, "t ≥ 0"), domain="t ≥ 0; derivative t > 0",
                     normal=lambda t, a: t.mul(a, t.call("log", a)))


# `a if c else b`, Python's conditional: where(c, a, b), except that Python never evaluates the branch not
# taken, so no gradient path goes into it (evaluate._live): log(x) if x > 0 else 0 has gradient 0 at 0,
# as in PyTorch, where torch.where(x > 0, torch.log(x), 0) has nan.
OPS["if_else"] = several("where", _where, OPS["where"].d, piece=OPS["where"].piece, names=(), flat=(0,),
                         floats=True)


# sec, csc, cot and their inverses, as calculus books write them (#23). The inverses go through atan of
# sqrt(|x| − 1)·sqrt(|x| + 1), exact near |x| = 1 where acos(1/x) loses half its digits.
def _inverse_secant_root(a):
    return xp.sqrt(xp.absolute(a) - 1.0) * xp.sqrt(xp.absolute(a) + 1.0)


def _asec(a):
    angle = xp.atan(_inverse_secant_root(a))
    if type(a) is float:
        return angle if a > 0.0 else math.pi - angle
    return np.where(a > 0.0, angle, math.pi - angle)


def _acsc(a):
    return xp.sign(a) * xp.atan(xp.divide(1.0, _inverse_secant_root(a)))


def _asec_local(m, a, out):
    size = a * m.sign(a)     # |x|
    return 1.0 / (size * m.sqrt(size - 1.0) * m.sqrt(size + 1.0))


def _acsc_local(m, a, out):
    size = a * m.sign(a)
    return -1.0 / (size * m.sqrt(size - 1.0) * m.sqrt(size + 1.0))


OPS.update({
    "sec": unary("sec", lambda a: xp.divide(1.0, xp.cos(a)), lambda m, a, out: out * out * m.sin(a),
                 domain="x ≠ π/2 + kπ", floats=True),
    "csc": unary("csc", lambda a: xp.divide(1.0, xp.sin(a)), lambda m, a, out: -(out * out) * m.cos(a),
                 names=("csc", "cosec"),
                 explain=_outside("csc", lambda a: xp.sin(a) == 0, "x ≠ kπ"), domain="x ≠ kπ", floats=True),
    "cot": unary("cot", lambda a: xp.divide(xp.cos(a), xp.sin(a)), lambda m, a, out: -(1.0 + out * out),
                 explain=_outside("cot", lambda a: xp.sin(a) == 0, "x ≠ kπ"), domain="x ≠ kπ", floats=True),
    # The hyperbolic reciprocals, their rules written so no inf meets a 0 far out (cosh(800) is inf,
    # sech(800) 0): sech′ = −sech·tanh, csch′ = −csch/tanh, coth′ = −1/sinh².
    "sech": unary("sech", lambda a: xp.divide(1.0, xp.cosh(a)), lambda m, a, out: -out * m.tanh(a),
                  keeps_finite=True),
    "csch": unary("csch", lambda a: xp.divide(1.0, xp.sinh(a)), lambda m, a, out: -out / m.tanh(a),
                  names=("csch", "cosech"), explain=_outside("csch", lambda a: a == 0, "x ≠ 0"), domain="x ≠ 0"),
    "coth": unary("coth", lambda a: xp.divide(1.0, np.tanh(a)), lambda m, a, out: -1.0 / (m.sinh(a) * m.sinh(a)),
                  explain=_outside("coth", lambda a: a == 0, "x ≠ 0"), domain="x ≠ 0"),
    "asec": unary("asec", _asec, _asec_local, names=("asec", "arcsec"),
                  explain=_outside("asec", lambda a: abs(a) < 1, "|x| ≥ 1"),
                  domain="|x| ≥ 1; derivative |x| > 1", floats=True),
    "acsc": unary("acsc", _acsc, _acsc_local, names=("acsc", "arccsc"),
                  explain=_outside("acsc", lambda a: abs(a) < 1, "|x| ≥ 1"),
                  domain="|x| ≥ 1; derivative |x| > 1", floats=True),
    # acot(x) = atan(1/x), as SymPy and mpmath define it: it jumps from −π/2 to π/2 at x = 0.
    "acot": unary("acot", lambda a: xp.atan(xp.divide(1.0, a)), lambda m, a, out: -1.0 / (1.0 + a * a),
                  names=("acot", "arccot"), kink="jumps from −π/2 to π/2 at x = 0 (atan(1/x)); "
                  "derivative −1/(1 + x²) on both sides", floats=True),
})
