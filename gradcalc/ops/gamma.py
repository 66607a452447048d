"""Γ, log|Γ|, ψ, ψ⁽ⁿ⁾ and x!: each one entry of forward, one derivative rule, names and docs.

Their numbers come from gradcalc/special.py on each element, so a Python float and a numpy array give
the same digits. ψ⁽ⁿ⁾'s derivative is ψ⁽ⁿ⁺¹⁾, so Hessians and --order of any of them never end in a
function gradcalc lacks; taylor.py takes ψ⁽ⁿ⁾'s series from all its derivatives at once (defseries).
"""

from __future__ import annotations

from functools import partial

from .. import xp
from ..xp import np
from .core import OPS, InputError, several, unary
from .rules import function


def _each(name: str, *first):
    """special.<name> (a function of Python floats, given the arguments `first` before x) on a float, an
    np.float64 or each element of an array."""
    made = []     # the kernel, then np.vectorize of it, made on first use: building OPS imports neither
    # special.py nor numpy (a question that names no Γ pays for neither)

    def apply(a):
        if not made:
            from .. import special

            made.append(partial(getattr(special, name), *first) if first else getattr(special, name))
        if type(a) is float:
            return made[0](a)
        if np.ndim(a) == 0:
            return np.float64(made[0](float(a)))
        if len(made) == 1:
            made.append(np.vectorize(made[0], otypes=[np.float64]))
        return made[1](a)
    return apply


_gamma, _lgamma, _digamma, _factorial = _each("gamma"), _each("lgamma"), _each("digamma"), _each("factorial")
_ORDERS: dict[int, object] = {}     # n → ψ⁽ⁿ⁾ on each element


# ψ⁽ⁿ⁾ past this order is refused: its value overflows a float at every x below about n/e, and the
# reflection for x < 0 builds a polynomial of degree n + 1 in exact integers (a cost per element that a
# hand-in could multiply).
MAX_ORDER = 400


def _order(n) -> int:
    """The order n of ψ⁽ⁿ⁾ as an int: a whole number ≥ 0 (as torch, SciPy and JAX require)."""
    if xp.ndim(n) != 0 or not 0 <= float(n) < 2 ** 31 or float(n) != int(float(n)):
        raise InputError(f"polygamma's order n must be a whole number ≥ 0, got {float(n):g}",
                         hint="write polygamma(n, x) with n = 0 (digamma), 1 (trigamma), 2, …")
    if float(n) > MAX_ORDER:
        raise InputError(f"polygamma's order n is at most {MAX_ORDER} here, got {float(n):g}",
                         hint=f"ψ⁽ⁿ⁾ of a larger order overflows a float for every x below about n/e; "
                              f"write an order up to {MAX_ORDER}")
    return int(float(n))


def _polygamma(n, a):
    order = _order(n)
    each = _ORDERS.get(order)
    if each is None:
        each = _ORDERS[order] = _each("polygamma", order)
    return each(a)


def _poles(name: str):
    def explain(*args):
        from .. import special

        a = args[-1]
        if xp.any_(special.is_pole(a) if type(a) is float else np.vectorize(special.is_pole)(a)):
            return f"{name} has a pole at every whole number ≤ 0"
        return None
    return explain


def _explain_factorial(a):
    # nan where math.factorial raises (a negative or fractional x); inf past 170! is an overflow
    if xp.any_(np.isnan(_factorial(a))):
        return "factorial is defined for whole numbers x ≥ 0, as math.factorial; between them, write gamma(x + 1)"
    return None


function("digamma", _digamma)
function("polygamma", _polygamma)

_POLES = "x ≠ 0, −1, −2, …"
OPS.update({
    "gamma": unary("gamma", _gamma, lambda m, a, out: out * m.digamma(a), explain=_poles("gamma"),
                   names=("gamma", "tgamma"), domain=_POLES, floats=True),
    # log|Γ(x)|, as torch.lgamma, scipy.special.gammaln and math.lgamma: defined for negative x too.
    "lgamma": unary("lgamma", _lgamma, lambda m, a, out: m.digamma(a), explain=_poles("lgamma"),
                    names=("lgamma", "gammaln"), domain=_POLES + " (the log of Γ's absolute value, as torch and SciPy)", floats=True),
    "digamma": unary("digamma", _digamma, lambda m, a, out: m.polygamma(1.0, a), explain=_poles("digamma"),
                     domain=_POLES, floats=True),
    # polygamma(n, x), the n-th derivative of digamma; n a whole number written in the call.
    "polygamma": several("polygamma", _polygamma, (None, lambda m, n, a, out: m.polygamma(n + 1.0, a)),
                         explain=_poles("polygamma"), domain=_POLES + "; n = 0, 1, 2, … written in the call",
                         floats=True),
    # x! = Γ(x + 1) at whole x ≥ 0, the number math.factorial gives; its derivative is Γ(x + 1)'s.
    "factorial": unary("factorial", _factorial, lambda m, a, out: out * m.digamma(a + 1.0),
                       explain=_explain_factorial, domain="whole x ≥ 0 (math.factorial); derivative "
                       "that of Γ(x + 1)", floats=True),
})

# Rounding of special.polygamma, in ulp of the terms it sums (polygamma_scale): tests/test_special.py
# finds at most ~20 against mpmath.
_ULPS = 32 * 2.0 ** -53


def psi_derivatives(n, u0, count: int) -> tuple[list, list]:
    """ψ⁽ⁿ⁺ᵐ⁾(u₀) for m = 0 … count − 1 (ψ⁽ⁿ⁾'s derivatives at u₀, for taylor.py), and a bound on the
    rounding error of each; u₀ a float or an array."""
    order = _order(n)
    values, bounds = [], []
    for m in range(count):
        values.append(_polygamma(order + m, u0))
        bounds.append(_ULPS * _each("polygamma_scale", order + m)(u0))
    return values, bounds


def lgamma_derivatives(u0, count: int) -> tuple[list, list]:
    """log|Γ|'s derivatives at u₀: log|Γ(u₀)|, then ψ⁽ᵐ⁻¹⁾(u₀), with rounding bounds."""
    values, bounds = psi_derivatives(0, u0, count - 1)
    first = _lgamma(u0)
    return [first] + values, [4 * 2.0 ** -53 * abs(first)] + bounds
