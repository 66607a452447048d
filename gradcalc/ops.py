"""One table of operations: forward, local derivatives, how they chain, and their formula text.

Everything else — evaluation, tables, pictures, JSON — reads `OPS`. Adding an operator means adding
one entry here (and grammar only if it needs new syntax).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

Formula = str | Callable[..., str]


@dataclass(frozen=True)
class Op:
    symbol: str                           # drawn inside a graph node: "+", "×", "exp"
    show: str                             # the node's definition from input labels: "{0} + {1}"
    forward: Callable
    local: tuple[Callable, ...]           # ∂out/∂input_k, called with (*inputs, out)
    formula: tuple[Formula, ...]          # text of each local derivative, from labels {0}, {1}, {out}
    chain: tuple[Callable, ...] = ()      # (upstream, local) → flowing; empty means upstream * local
    explain: Callable[..., str | None] | None = None   # why a forward result is not finite
    # Each local derivative again, built from graph ops so it can be differentiated in turn (Hessians,
    # symbolic formulas): called with (builder, *input ids, out id), returns the id of its node.
    # Empty: this op has no graph form yet, so higher derivatives stop here with a clear error.
    derivative: tuple[Callable, ...] = ()

    @property
    def arity(self) -> int:
        return len(self.local)

    def formula_text(self, k: int, labels: list[str], out: str) -> str:
        template = self.formula[k]
        if callable(template):
            return template(*labels, out=out)
        return template.format(*labels, out=out)


def _any(condition) -> bool:
    return bool(np.any(condition))


def _choose(condition, if_true, otherwise):
    """np.where that keeps a scalar a scalar (np.where always returns an array)."""
    if np.ndim(condition) == 0:
        return np.float64(if_true if condition else otherwise)
    return np.where(condition, if_true, otherwise)


# Local derivatives -------------------------------------------------------------------------------

def _pow_base_local(a, b, out):
    # x**0 is constant: its derivative is 0 even at x = 0, where b·a^(b−1) would be 0·inf.
    return _choose(b == 0, 0.0, b * a ** (b - 1))


def _pow_exponent_local(a, b, out):
    # d(a^b)/db = a^b · log a; where a^b is 0 (a = 0, b > 0) the one-sided limit is 0.
    return _choose(out == 0, 0.0, out * np.log(a))


def _pow_base_formula(a, b, out):
    try:
        exponent = float(b.strip("()"))
    except ValueError:
        return f"{b}·{a}^({b} − 1)"
    if exponent == 2:
        return f"2·{a}"
    lowered = exponent - 1
    lowered_text = f"{lowered:g}" if lowered >= 0 else f"({lowered:g})"
    return f"{b}·{a}^{lowered_text}"


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
    if _any((a < 0) & (b != np.round(b))):
        return "a negative number raised to a fractional power"
    return None


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _relu(a):
    return np.maximum(a, 0.0)


def _unary(symbol: str, forward, local, formula: str, derivative, explain=None,
           show: str | None = None) -> Op:
    return Op(symbol, show or f"{symbol}({{0}})", forward, (local,), (formula,), explain=explain,
              derivative=(derivative,))


# Graph forms of the constant local derivatives (g is the node builder of gradcalc.higher).
def _one(g, *ids):
    return g.const(1.0)


def _minus_one(g, *ids):
    return g.const(-1.0)


OPS: dict[str, Op] = {
    "add": Op("+", "{0} + {1}", np.add, (lambda a, b, out: 1.0, lambda a, b, out: 1.0), ("1", "1"),
              derivative=(_one, _one)),
    "sub": Op("−", "{0} − {1}", np.subtract, (lambda a, b, out: 1.0, lambda a, b, out: -1.0),
              ("1", "−1"), derivative=(_one, _minus_one)),
    "mul": Op("×", "{0} × {1}", np.multiply, (lambda a, b, out: b, lambda a, b, out: a),
              ("{1}", "{0}"), derivative=(lambda g, a, b, out: b, lambda g, a, b, out: a)),
    "div": Op("÷", "{0} / {1}", np.divide, (lambda a, b, out: 1.0 / b, lambda a, b, out: -out / b),
              ("1/{1}", "−{0}/{1}²"), explain=_explain_div,
              derivative=(lambda g, a, b, out: g("div", g.const(1.0), b),
                          lambda g, a, b, out: g("neg", g("div", out, b)))),
    "pow": Op("^", "{0}^{1}", np.power, (_pow_base_local, _pow_exponent_local),
              (_pow_base_formula, "{out}·log({0})"), explain=_explain_pow,
              derivative=(lambda g, a, b, out: g("mul", b, g("pow", a, g("sub", b, g.const(1.0)))),
                          lambda g, a, b, out: g("mul", out, g("log", a)))),
    # `t = x`: a named copy, so t shows in the trace.
    "identity": Op("=", "{0}", lambda a: a, (lambda a, out: 1.0,), ("1",), derivative=(_one,)),
    "neg": _unary("−", np.negative, lambda a, out: -1.0, "−1", _minus_one, show="−{0}"),
    "pos": _unary("+", np.positive, lambda a, out: 1.0, "1", _one, show="+{0}"),
    "exp": _unary("exp", np.exp, lambda a, out: out, "exp({0})", lambda g, a, out: out),
    "log": _unary("log", np.log, lambda a, out: 1.0 / a, "1/{0}",
                  lambda g, a, out: g("div", g.const(1.0), a), explain=_explain_log),
    "sqrt": _unary("sqrt", np.sqrt, lambda a, out: 0.5 / out, "1/(2·sqrt({0}))",
                   lambda g, a, out: g("div", g.const(0.5), out), explain=_explain_sqrt),
    "sin": _unary("sin", np.sin, lambda a, out: np.cos(a), "cos({0})", lambda g, a, out: g("cos", a)),
    "cos": _unary("cos", np.cos, lambda a, out: -np.sin(a), "−sin({0})",
                  lambda g, a, out: g("neg", g("sin", a))),
    "tan": _unary("tan", np.tan, lambda a, out: 1.0 + out * out, "1 + tan({0})²",
                  lambda g, a, out: g("add", g.const(1.0), g("mul", out, out))),
    "tanh": _unary("tanh", np.tanh, lambda a, out: 1.0 - out * out, "1 − tanh({0})²",
                   lambda g, a, out: g("sub", g.const(1.0), g("mul", out, out))),
    "sigmoid": _unary("sigmoid", _sigmoid, lambda a, out: out * (1.0 - out), "{out}·(1 − {out})",
                      lambda g, a, out: g("mul", out, g("sub", g.const(1.0), out))),
    # relu and abs at 0 take the subgradient 0, as the common frameworks do.
    "relu": _unary("relu", _relu, lambda a, out: (a > 0) * 1.0, "1 if {0} > 0 else 0",
                   lambda g, a, out: g("sign", out)),
    "abs": _unary("abs", np.abs, lambda a, out: np.sign(a) * 1.0, "sign({0})",
                  lambda g, a, out: g("sign", a)),
    # sign is what abs and relu differentiate to; flat on both sides of 0.
    "sign": _unary("sign", lambda a: np.sign(a) * 1.0, lambda a, out: 0.0 * a, "0",
                   lambda g, a, out: g.const(0.0)),
    # Not callable from a program: the graph form of undoing broadcasting, sum_to(grad, like) sums
    # grad down to like's shape; its own derivative spreads the upstream back out (× ones).
    "sum_to": Op("sum_to", "sum_to({0}, shape of {1})", lambda a, like: sum_to(a, np.shape(like)),
                 (lambda a, like, out: np.ones_like(a), lambda a, like, out: 0.0), ("1", "0"),
                 derivative=(lambda g, a, like, out: g.ones_like(a), lambda g, a, like, out: g.const(0.0))),
}

# The names a program can call, and the op each one means.
FUNCTIONS: dict[str, str] = {name: name for name in
                             ("exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "abs",
                               "sign")}
FUNCTIONS["ln"] = "log"

CONSTANTS: dict[str, float] = {"pi": float(np.pi), "e": float(np.e)}

# Infix operators as written → op names (typographic forms pasted from notes included).
BINARY = {"+": "add", "-": "sub", "−": "sub", "*": "mul", "×": "mul", "·": "mul",
          "/": "div", "÷": "div", "**": "pow", "^": "pow", "@": "matmul"}
UNARY = {"-": "neg", "−": "neg", "+": "pos"}


def sum_to(grad, shape: tuple[int, ...]):
    """Undo numpy broadcasting: sum `grad` down to `shape`, the shape of the input it flows into."""
    if np.shape(grad) == shape:
        return grad
    grad = np.asarray(grad)
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, size in enumerate(shape) if size == 1 and grad.shape[extra + i] != 1)
    summed = grad.sum(axis=axes, keepdims=True) if axes else grad
    if extra:
        summed = summed.reshape(summed.shape[extra:])
    return summed.reshape(shape) if shape else np.float64(summed.reshape(()))
