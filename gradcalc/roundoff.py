"""Rounding-error bounds carried beside values (running error analysis, as in Wilkinson and Higham's
"Accuracy and Stability of Numerical Algorithms", §3.3): a `Bounded` is a float (or array) and a
bound on how far it may be from the exact result of the same formula on the same inputs.

Each + − × ÷ propagates its inputs' bounds to first order (and the product of two bounds, so the
bound holds beyond first order for × as well) and adds half an ulp of its own result, U·|result|.
Taylor mode (taylor.py) runs its recurrences on these, so a coefficient that is a sum of large terms
cancelling to a small one (exp(x)·exp(−x) at order 100: terms near 2¹⁰⁰/100!, sum 0) carries a bound
as large as the terms, and --order can say how many of its digits are right, or refuse.
"""

from __future__ import annotations

from .xp import np

U = 2.0 ** -53          # the unit roundoff of float64: |fl(a ∘ b) − a ∘ b| ≤ U·|fl(a ∘ b)|·(1 + U)
_U = U * (1 + 2.0 ** -50)   # U·(1 + U) and then some: the bound's own arithmetic rounds too
# A library function (exp, sin, erf …) is within a few ulp of the exact value (numpy and the C library
# promise ≤ 1 ulp for most, a few for erf and the Bessel-like ones); counted as 2 ulp = 4·U.
LIBRARY = 4 * U


def _zero_like(value):
    return np.zeros_like(value) if np.ndim(value) else np.float64(0.0)


class Bounded:
    """`value` and `bound` ≥ |value − the exact result of the same formula| (same shape)."""

    __slots__ = ("value", "bound")
    __array_ufunc__ = None      # numpy scalars and arrays defer to the reflected operators below

    def __init__(self, value, bound=None):
        self.value = value
        self.bound = _zero_like(value) if bound is None else bound

    def __repr__(self) -> str:
        return f"Bounded({self.value!r} ± {self.bound!r})"

    def __add__(self, other):
        b, e = parts(other)
        v = self.value + b
        return Bounded(v, self.bound + e + _U * abs(v))

    __radd__ = __add__

    def __sub__(self, other):
        b, e = parts(other)
        v = self.value - b
        return Bounded(v, self.bound + e + _U * abs(v))

    def __rsub__(self, other):
        b, e = parts(other)
        v = b - self.value
        return Bounded(v, self.bound + e + _U * abs(v))

    def __neg__(self):
        return Bounded(-self.value, self.bound)

    def __pos__(self):
        return self

    def __mul__(self, other):
        b, e = parts(other)
        v = self.value * b
        return Bounded(v, abs(self.value) * e + self.bound * abs(b) + self.bound * e + _U * abs(v))

    __rmul__ = __mul__

    def __truediv__(self, other):
        b, e = parts(other)
        return _divide(self.value, self.bound, b, e)

    def __rtruediv__(self, other):
        b, e = parts(other)
        return _divide(b, e, self.value, self.bound)


def parts(x):
    """(value, bound) of a Bounded; a plain number in a rule (k, j, r) is exact."""
    if type(x) is Bounded:
        return x.value, x.bound
    return x, 0.0


def _divide(a, ea, b, eb):
    """|a/b − â/b̂| ≤ (ea + |â/b̂|·eb)/(|b̂| − eb) when |b̂| > eb; no bound (inf) when b may be 0."""
    v = a / b
    margin = abs(b) - eb
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = (ea + abs(v) * eb) / margin
    spread = np.where(margin > 0, spread, np.inf) if np.ndim(margin) else \
        (spread if margin > 0 else np.float64(np.inf))
    return Bounded(v, spread + _U * abs(v))


def linear(forward, x, rest=(), summed: int = 1):
    """forward(x, *rest) for an op that adds, averages or moves x's elements (sum, mean, transpose,
    an index): the bound moves the same way, plus the rounding of `summed` additions per element."""
    if type(x) is Precise:    # the precise run is of scalar programs: every such op passes a scalar on
        return x
    v, e = parts(x)
    out = forward(v, *rest)
    bound = abs(forward(e, *rest)) if np.ndim(e) or e else _zero_like(out)
    if summed > 1:
        bound = bound + (summed * _U) * abs(forward(abs(v), *rest))
    return Bounded(out, bound + _U * abs(out))


def bilinear(forward, a, b, inner: int = 1):
    """forward(a, b) for an op linear in each input (×, @, outer); `inner` products are summed per
    element (the length of the contracted axis for @)."""
    if type(a) is Precise or type(b) is Precise:
        return (a if type(a) is Precise else Precise(a)) * b     # scalars: × is the only such op
    av, ae = parts(a)
    bv, be = parts(b)
    out = forward(av, bv)
    ae = ae if np.ndim(ae) == np.ndim(av) else _zero_like(av)
    be = be if np.ndim(be) == np.ndim(bv) else _zero_like(bv)
    bound = forward(abs(av), be) + forward(ae, abs(bv)) + forward(ae, be) \
        + (inner * _U) * forward(abs(av), abs(bv))
    return Bounded(out, bound + _U * abs(out))


def weighted_sum(weights, x):
    """Σ weights·x over all elements, weights ≥ 0 (the chosen elements of max and min)."""
    if type(x) is Precise:
        return x * Precise(float(np.sum(weights)))
    v, e = parts(x)
    n = max(int(np.size(v)), 1)
    out = np.float64(np.sum(weights * v))
    return Bounded(out, np.float64(np.sum(weights * e) + n * _U * np.sum(weights * abs(v))) + _U * abs(out))


def product_series(series: list[list[Bounded]], k: int) -> Bounded:
    """Coefficient k of the product of several series (the elements of prod), with its bound: the
    Cauchy product taken one element at a time, as taylor._prod does on the values alone."""
    if any(type(c) is Precise for element in series for c in element):
        raise TypeError("prod has no precise run")
    value = np.zeros(k + 1)
    value[0] = 1.0
    bound = np.zeros(k + 1)
    for element in series:
        ev = np.array([float(parts(c)[0]) for c in element[:k + 1]])
        ee = np.array([float(parts(c)[1]) for c in element[:k + 1]])
        new = np.convolve(value, ev)[:k + 1]
        bound = (np.convolve(abs(value), ee) + np.convolve(bound, abs(ev)) + np.convolve(bound, ee)
                 + (k + 1) * _U * np.convolve(abs(value), abs(ev)))[:k + 1] + _U * abs(new)
        value = new
    return Bounded(np.float64(value[k]), np.float64(bound[k]))


def significant_digits(value, bound) -> int | None:
    """How many significant digits of `value` the bound leaves right: ⌊log10(|value|/bound)⌋, the
    fewest over an array's elements; None if every element is exact (bound 0) or good to 16 digits."""
    value, bound = np.abs(np.asarray(value, dtype=np.float64)), np.asarray(bound, dtype=np.float64)
    inexact = bound > 0
    if not np.any(inexact):
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(inexact, value / np.where(inexact, bound, 1.0), np.inf)
    worst = float(np.min(ratio))
    if worst >= 1e16:
        return None
    if not worst >= 1.0:     # includes nan: no digit is right
        return 0
    return int(np.floor(np.log10(worst)))


PRECISE_DIGITS = 50     # the second run's precision: 34 digits beyond a float's 16


class Precise:
    """A decimal number of PRECISE_DIGITS significant digits (the decimal module, in the context
    `precise_context` sets), for running the same recurrences again far more precisely: any float it
    meets is taken exactly (Decimal(0.1) is 0.1000000000000000055511151231257827…), so the result is
    the value of the formula on the same floats to ~50 digits, and |float result − precise| is the
    float run's own rounding error, measured to ~34 digits."""

    __slots__ = ("d",)
    __array_ufunc__ = None

    def __init__(self, d):
        from decimal import Decimal

        self.d = d if type(d) is Decimal else Decimal(d if type(d) is int else float(d))

    def __repr__(self) -> str:
        return f"Precise({self.d})"

    def __add__(self, other):
        return Precise(self.d + _decimal(other))

    __radd__ = __add__

    def __sub__(self, other):
        return Precise(self.d - _decimal(other))

    def __rsub__(self, other):
        return Precise(_decimal(other) - self.d)

    def __neg__(self):
        return Precise(-self.d)

    def __pos__(self):
        return self

    def __mul__(self, other):
        return Precise(self.d * _decimal(other))

    __rmul__ = __mul__

    def __truediv__(self, other):
        return Precise(self.d / _decimal(other))      # DivisionByZero: the caller keeps the bound

    def __rtruediv__(self, other):
        return Precise(_decimal(other) / self.d)


def precise_context():
    """The decimal context of a precise run (a `with` block): PRECISE_DIGITS digits, and an error for
    division by 0, overflow or an invalid operation (an ArithmeticError), never a silent nan."""
    import decimal

    return decimal.localcontext(decimal.Context(
        prec=PRECISE_DIGITS, traps=[decimal.DivisionByZero, decimal.InvalidOperation, decimal.Overflow]))


def _decimal(x):
    from decimal import Decimal

    if type(x) is Precise:
        return x.d
    if type(x) is int:
        return Decimal(x)
    if np.ndim(x):
        raise TypeError("the precise run takes scalars only")
    return Decimal(float(x))


def rounding_error(value, precise: Precise) -> float:
    """|value − precise| (value a float), rounded up to the next float."""
    import math
    from decimal import Decimal

    error = float(abs(Decimal(float(value)) - precise.d))
    return math.nextafter(error, math.inf) if error else 0.0
