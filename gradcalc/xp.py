"""Array namespaces: numpy imported only when a value or an op needs an array, and the elementwise
functions ops call on a Python float (with `math`) or on numpy values, with numpy's results either way.

Two pieces, used as in SciPy's `_lib/_array_api.py`, but chosen by the values themselves:

* `np` is numpy, imported on first use. Modules on the scalar path write `from .xp import np` instead
  of `import numpy as np`. The functions the table of ops names at import time (`np.tanh`, listed in
  `_DEFERRABLE`) stay deferred until called, so building `OPS` imports nothing; any other name (a
  type such as `np.uint8`, a constant, a function named inside a function) imports numpy at once. So
  a deferred object is only ever called, never taken for a dtype or a type.
* `exp`, `log`, `divide`, `power`, … take a Python float to a Python float through `math`, with the
  values numpy gives where `math` raises (1/0 is inf, log(-1) is nan, exp(1000) is inf), and pass
  anything else (np.float64, arrays) to numpy. An op whose forward and local derivatives only use these
  (and + − ×) sets `Op.floats`; evaluate.forward then runs a program whose inputs are all numbers and
  whose ops all have `floats` on Python floats, without numpy (`floats_path`), and every other
  program on numpy as before. tests/test_xp.py checks both paths give the same digits.
"""

from __future__ import annotations

import math
import sys

# The numpy functions that modules on the scalar path name at import time (the table of ops). Only
# these are deferred; tests/test_xp.py checks each is a numpy function, and that a plain question
# imports no numpy (a name missing here would import it: slower, never wrong).
_DEFERRABLE = frozenset({"hypot", "mean", "multiply", "sum", "tanh"})
_UFUNC_METHODS = frozenset({"outer", "reduce", "accumulate", "reduceat", "at"})   # np.multiply.outer


def _numpy():
    import numpy

    return numpy


class _Deferred:
    """numpy.<path>, looked up when first called (then kept)."""

    __slots__ = ("_path", "_target")

    def __init__(self, path: str):
        self._path, self._target = path, None

    def _resolve(self):
        if self._target is None:
            target = _numpy()
            for part in self._path.split("."):
                target = getattr(target, part)
            self._target = target
        return self._target

    def __call__(self, *args, **kwargs):
        return (self._target or self._resolve())(*args, **kwargs)

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        if "numpy" in sys.modules or name not in _UFUNC_METHODS:
            return getattr(self._resolve(), name)
        return _Deferred(f"{self._path}.{name}")   # np.multiply.outer, named at import time

    def __repr__(self) -> str:
        return f"<numpy.{self._path}, imported when called>"


class _LazyNumpy:
    """The numpy module, imported on first use (see the module docstring)."""

    def __getattr__(self, name: str):
        if "numpy" not in sys.modules and name in _DEFERRABLE:
            return _Deferred(name)
        numpy = _numpy()
        self.__dict__.update(vars(numpy))   # from now on an attribute is found without __getattr__
        return getattr(numpy, name)

    def __repr__(self) -> str:
        return "<numpy, imported on first use>"


np = _LazyNumpy()


# Elementwise functions: math on a Python float (numpy's value where math raises), numpy otherwise.
# `type(a) is float` is exact: np.float64 is a subclass of float and goes to numpy, so an evaluation
# on numpy values stays on numpy.

_INF, _NAN = math.inf, math.nan


def exp(a):
    if type(a) is float:
        try:
            return math.exp(a)
        except OverflowError:
            return _INF
    return np.exp(a)


def log(a):
    if type(a) is float:
        if a > 0.0:
            return math.log(a)
        return -_INF if a == 0.0 else _NAN
    return np.log(a)


def sqrt(a):
    if type(a) is float:
        return math.sqrt(a) if a >= 0.0 else _NAN   # sqrt(-0.0) is -0.0 in both
    return np.sqrt(a)


def _trig(name: str):
    function = getattr(math, name)

    def apply(a):
        if type(a) is float:
            try:
                return function(a)
            except ValueError:   # inf: numpy says nan
                return _NAN
        return getattr(np, name)(a)
    apply.__name__ = name
    return apply


sin, cos, tan = _trig("sin"), _trig("cos"), _trig("tan")


def _nan(_a):
    return _NAN


def _signed_inf(a):
    return math.copysign(_INF, a)


def _inf(_a):
    return _INF


def _log_edge(a):
    """numpy's log2/log10 where math raises: -inf at ±0, nan below."""
    return -_INF if a == 0.0 else _NAN


def _libm(name: str, numpy_name: str, overflow=_inf, domain=_nan):
    """math.<name> on a Python float, with numpy's value where math raises (`overflow(a)` for
    OverflowError, `domain(a)` for ValueError); numpy.<numpy_name> on anything else. Both call the
    C library's function on this machine: bench/floats_agree.py counts the points where they differ."""
    function, on_numpy = getattr(math, name), []   # numpy's ufunc, looked up on first use

    def apply(a):
        if type(a) is float:
            try:
                return function(a)
            except OverflowError:
                return overflow(a)
            except ValueError:
                return domain(a)
        if not on_numpy:
            on_numpy.append(getattr(_numpy(), numpy_name))
        return on_numpy[0](a)
    apply.__name__ = name
    return apply


# math raises ValueError outside the domain (numpy: nan), OverflowError past the largest float
# (numpy: ±inf), and at the poles of atanh and the logarithms (numpy: ±inf).
asin, acos, atan = _libm("asin", "arcsin"), _libm("acos", "arccos"), _libm("atan", "arctan")
sinh, cosh = _libm("sinh", "sinh", overflow=_signed_inf), _libm("cosh", "cosh")
asinh, acosh = _libm("asinh", "arcsinh"), _libm("acosh", "arccosh")
atanh = _libm("atanh", "arctanh", domain=lambda a: math.copysign(_INF, a) if abs(a) == 1.0 else _NAN)
log2, log10 = _libm("log2", "log2", domain=_log_edge), _libm("log10", "log10", domain=_log_edge)
log1p = _libm("log1p", "log1p", domain=lambda a: -_INF if a == -1.0 else _NAN)
expm1, exp2, cbrt = _libm("expm1", "expm1"), _libm("exp2", "exp2"), _libm("cbrt", "cbrt")
# hypot stays on numpy: Python's math.hypot is its own algorithm, not the C library's, and differs
# from np.hypot in the last digit at about 1 point in 1000 (bench/floats_agree.py).


def atan2(y, x):
    if type(y) is float and type(x) is float:
        return math.atan2(y, x)    # never raises: inf and signed zeros as C's atan2, numpy's too
    return np.arctan2(y, x)


_LOGE2 = math.log(2.0)


def softplus(a):
    """np.logaddexp(0.0, a), step by step as numpy's npy_logaddexp computes it."""
    if type(a) is float:
        if a == 0.0:
            return _LOGE2
        shift = 0.0 - a
        if shift > 0.0:
            return 0.0 + math.log1p(math.exp(a))
        if shift <= 0.0:
            return a + math.log1p(math.exp(shift))
        return shift      # nan
    return np.logaddexp(0.0, a)


def maximum(a, b):
    """np.maximum: nan if either is nan, else the larger, the second operand on a tie (so
    maximum(0.0, -0.0) is -0.0, as numpy)."""
    if type(a) is float and type(b) is float:
        return a if a > b or a != a else b
    return np.maximum(a, b)


def minimum(a, b):
    """np.minimum: nan if either is nan, else the smaller, the second operand on a tie."""
    if type(a) is float and type(b) is float:
        return a if a < b or a != a else b
    return np.minimum(a, b)


def divide(a, b):
    """a / b with numpy's rules for a zero divisor: ±inf, or nan for 0/0."""
    if type(a) is float and type(b) is float:
        try:
            return a / b
        except ZeroDivisionError:
            if a == 0.0 or a != a:
                return _NAN
            return math.copysign(_INF, a) * math.copysign(1.0, b)
    return a / b


def power(a, b):
    """a ** b as np.power gives it: inf for 0 to a negative power, nan for a negative base to a
    fractional power, ±inf on overflow (never Python's complex numbers or exceptions)."""
    if type(a) is float and type(b) is float:
        try:
            return math.pow(a, b)
        except OverflowError:
            odd = b == math.floor(b) and math.fmod(b, 2.0) != 0.0
            return -_INF if a < 0.0 and odd else _INF
        except ValueError:
            if a == 0.0:     # zero to a negative power: ±inf, the sign of -0.0 kept for odd powers
                odd = b == math.floor(b) and math.fmod(b, 2.0) != 0.0
                return math.copysign(_INF, a) if odd else _INF
            return _NAN      # a negative number to a fractional power
    return a ** b


def sign(a):
    """-1.0, 0.0 or 1.0 (never -0.0), as np.sign(a) * 1.0."""
    if type(a) is float:
        return 1.0 if a > 0.0 else -1.0 if a < 0.0 else 0.0 if a == 0.0 else _NAN
    return np.sign(a) * 1.0


def relu(a):
    """np.maximum(a, 0.0): a where a > 0, else 0.0 (numpy returns the second operand on a tie)."""
    if type(a) is float:
        return a if a > 0.0 else (0.0 if a == a else a)
    return np.maximum(a, 0.0)


def step(a):
    """np.heaviside(a, 0.0): 1.0 where a > 0, else 0.0."""
    if type(a) is float:
        return 1.0 if a > 0.0 else (0.0 if a == a else a)
    return np.heaviside(a, 0.0)


def absolute(a):
    return abs(a) if type(a) is float else np.abs(a)


def any_(condition) -> bool:
    """True if the condition holds anywhere (a bool, or an array of them)."""
    return condition if type(condition) is bool else bool(np.any(condition))


def rint(a):
    """The nearest whole number, ties to even, as a float (np.rint)."""
    return float(round(a)) if type(a) is float else np.rint(a)


_PLAIN = frozenset({float, int, bool, str, type(None)})   # no axes, and no numpy needed to say so


def ndim(a) -> int:
    return 0 if type(a) in _PLAIN else np.ndim(a)


def shape(a) -> tuple[int, ...]:
    return () if type(a) in _PLAIN else np.shape(a)


def size(a) -> int:
    return 1 if type(a) in _PLAIN else np.size(a)
