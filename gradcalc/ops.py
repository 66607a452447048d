"""One table of operations: forward, local derivatives, how they chain, and their formula text.

Everything else — evaluation, tables, pictures, JSON — reads `OPS`. Adding an operator means adding
one entry here (and grammar only if it needs new syntax).
"""

from __future__ import annotations

import math
import operator

from . import xp
from .numbers import format_shape
from .xp import np

TYPE_CHECKING = False
if TYPE_CHECKING:   # annotations are text: typing is no import of a plain question
    from collections.abc import Callable

    Formula = str | Callable[..., str]


class Op:
    """One entry of the table: an operation's forward, local derivatives, chain rule and texts."""

    # A plain class, not a (frozen) dataclass: `dataclasses` costs a plain question ~15 ms of imports,
    # and the table below makes some sixty Ops at every start.
    __slots__ = ("symbol", "show", "forward", "local", "formula", "chain", "explain", "derivative", "rule",
                 "graph_chain", "tangent", "piece", "names", "variadic", "elementwise", "normal",
                 "simplify", "domain", "kink", "floats")

    def __init__(self, symbol: str, show: str, forward: Callable, local: tuple[Callable, ...],
                 formula: tuple[Formula, ...], *, chain: tuple[Callable, ...] = (),
                 explain: Callable[..., str | None] | None = None, derivative: tuple[Callable, ...] = (),
                 rule: tuple[str, ...] = (), graph_chain: tuple[Callable, ...] = (),
                 tangent: tuple[Callable | None, ...] = (), piece: Callable | None = None,
                 names: tuple[str, ...] = (), variadic: bool = False, elementwise: bool = False,
                 normal: Callable | None = None, simplify: Callable | None = None, domain: str = "",
                 kink: str = "", floats: bool = False):
        self.symbol = symbol            # drawn inside a graph node: "+", "×", "exp"
        self.show = show                # the node's definition from input labels: "{0} + {1}"
        self.forward = forward
        self.local = local              # ∂out/∂input_k, called with (*inputs, out)
        self.formula = formula          # text of each local derivative, from labels {0}, {1}, {out}
        self.chain = chain              # (upstream, local, *inputs) → flowing; empty: upstream * local
        self.explain = explain          # why a forward result is not finite
        # Each local derivative again, built from graph ops so it can be differentiated in turn
        # (Hessians, symbolic formulas): called with (builder, *input ids, out id), returns the id of
        # its node. Empty: this op has no graph form yet, so higher derivatives stop with a clear error.
        self.derivative = derivative
        self.rule = rule                # how a chained local combines with {up}stream, as text
        # For an op with `chain`: what flows to each input, built from graph ops, called with
        # (builder, upstream id, *input ids, out id); None where a shape is not covered yet.
        self.graph_chain = graph_chain
        # For an op with `chain`, forward mode's product instead of local × tangent: called with
        # (tangent of input k, *inputs, out), returns that input's part of the output's tangent.
        self.tangent = tangent
        # For an op with kinks or jumps (relu, abs, sign, max): which smooth piece it is on, called
        # with (*inputs, out). Points near the given one that land on another piece are not comparable.
        self.piece = piece
        # How a program calls it: its name, then the aliases people paste (`ln` for log). Empty for
        # operators and internal ops. Several ops may share a name if their arities differ (sum(x) and
        # sum(x, axis)); an input whose `local` is None must be a number written in the call (an axis).
        self.names = names
        # Called with two or more arguments, folded from the left: max(a, b, c) is max(max(a, b), c).
        self.variadic = variadic
        # Works element by element, so a batch of points (--points, one point per row) may go through it.
        self.elementwise = elementwise
        # The symbolic normal form (symbolic.py): called with (table, *input expressions), returns the
        # output's expression. None: --symbolic does not support the op.
        self.normal = normal
        # The derivative builder's simplification (higher.py): called with (builder, *input ids),
        # returns an existing node equal to the result (x·1 → x), or None to build the node as usual.
        self.simplify = simplify
        # For the table of functions (README, --help): where it is defined ("" for every real number),
        # and its value at kinks and ties, as the common frameworks take it.
        self.domain = domain
        self.kink = kink
        # forward and local work on Python floats without numpy, with numpy's digits (through
        # gradcalc.xp's functions): a program of such ops on numbers runs without importing numpy.
        self.floats = floats

    def __repr__(self) -> str:
        return f"<Op {self.symbol} {self.show!r}>"

    @property
    def arity(self) -> int:
        return len(self.local)

    @property
    def literal(self) -> tuple[bool, ...]:
        """Which inputs are numbers written in the expression (an axis), not differentiated."""
        return tuple(local is None for local in self.local)

    def formula_text(self, k: int, labels: list[str], out: str) -> str:
        template = self.formula[k]
        if callable(template):
            return template(*labels, out=out)
        return template.format(*labels, out=out)


class InputError(ValueError):
    """An op's own account of inputs it cannot take (shapes that do not fit, an axis out of range).

    A ValueError, like numpy's, so evaluation reports it at the node's place in the expression.
    """

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


_any = xp.any_


def _choose(condition, if_true, otherwise):
    """np.where that keeps a scalar a scalar (np.where always returns an array)."""
    if type(condition) is bool:     # Python floats compared: a float stays a Python float
        chosen = if_true if condition else otherwise
        return chosen if type(chosen) is float else np.float64(chosen)
    if np.ndim(condition) == 0:
        return np.float64(if_true if condition else otherwise)
    return np.where(condition, if_true, otherwise)


# Local derivatives -------------------------------------------------------------------------------

def _pow_base_local(a, b, out):
    # x**0 is constant: its derivative is 0 even at x = 0, where b·a^(b−1) would be 0·inf.
    return _choose(b == 0, 0.0, b * xp.power(a, b - 1))


def _pow_exponent_local(a, b, out):
    # d(a^b)/db = a^b · log a; where a^b is 0 (a = 0, b > 0) the one-sided limit is 0.
    return _choose(out == 0, 0.0, out * xp.log(a))


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
    if _any((a < 0) & (b != xp.rint(b))):
        return "a negative number raised to a fractional power"
    return None


def _sigmoid(a):
    return 1.0 / (1.0 + xp.exp(-a))


def _relu(a):
    return np.maximum(a, 0.0)


# Local derivatives that must differ from their textbook form (kept as the graph form and the
# formula text) in the tails, where the textbook form cancels: 1 − tanh² is 0 from |x| ≈ 19 on and
# σ(1 − σ) from x ≈ 37 on, where the derivatives are still 1e-17 and 1e-16 (tests/test_tails.py).

def _tanh_local(a, out):
    """sech²(a) = 4t/(1 + t)² with t = exp(−2|a|): no 1 − tanh² to cancel."""
    t = xp.exp(-2.0 * xp.absolute(a))
    return 4.0 * t / ((1.0 + t) * (1.0 + t))


def _sigmoid_local(a, out):
    """σ(a)·σ(−a), the same as σ(1 − σ) without its 1 − σ."""
    return out * _sigmoid(-a)


def _root_of_one_minus_square(a):
    """sqrt(1 − a²) as sqrt(1 − a)·sqrt(1 + a): 1 − a is exact near ±1, where 1 − a·a loses digits."""
    return xp.sqrt(1.0 - a) * xp.sqrt(1.0 + a)


def _asinh_local(a, out):
    """1/sqrt(a² + 1), scaled by s = 1/max(|a|, 1) so that a² never overflows (it does past 1e154)."""
    s = xp.divide(1.0, xp.maximum(xp.absolute(a), 1.0))
    scaled = a * s
    return xp.divide(s, xp.sqrt(scaled * scaled + s * s))


# Arrays ------------------------------------------------------------------------------------------
# Reductions and softmax work along the last axis (the classes of a batch of rows), as frameworks do.

def _as_value(a):
    """A scalar result as np.float64, as everywhere else in gradcalc; arrays unchanged."""
    return np.float64(a) if np.ndim(a) == 0 else a


def _swap(a):
    """The transpose of the last two axes (a stack of matrices stays a stack); a vector is itself."""
    return np.swapaxes(a, -1, -2) if np.ndim(a) >= 2 else a


def _need_array(name: str, a) -> None:
    if np.ndim(a) == 0:
        raise InputError(f"{name} needs a vector or a matrix, got a scalar",
                         hint=f"give {name} an array such as [1, 2, 3]")


def _matmul(x, w):
    if np.ndim(x) == 0 or np.ndim(w) == 0:
        raise InputError(f"@ multiplies vectors and matrices, not scalars: shapes "
                         f"{format_shape(np.shape(x))} and {format_shape(np.shape(w))}",
                         hint="use * to multiply by a number")
    try:
        return _as_value(np.matmul(x, w))
    except ValueError:
        pass
    inner_left = x.shape[-1]
    inner_right = w.shape[0] if w.ndim == 1 else w.shape[-2]
    if inner_left != inner_right:
        right = "length of the right vector" if w.ndim == 1 else "rows of the right operand"
        hint = (f"the columns of the left operand ({inner_left}) must equal the {right} "
                f"({inner_right}); transpose one of them with .T?")
    else:
        hint = "the leading (stacked) axes of the two operands must broadcast"
    raise InputError(f"shape mismatch: @ cannot multiply shapes {format_shape(x.shape)} and "
                     f"{format_shape(w.shape)}", hint=hint)


# The matrix product only says which side the local factor goes on: ∂L/∂X = ∂L/∂Y · Wᵀ and
# ∂L/∂W = Xᵀ · ∂L/∂Y. numpy treats a vector on the left as a row and on the right as a column and
# drops that axis from Y; these put the axis back for the product and take it out again.

def _matmul_chain_left(upstream, w_t, *inputs):
    if np.ndim(w_t) == 1:                    # W was a column: Y lost its last axis
        return np.multiply.outer(upstream, w_t)
    if np.ndim(upstream) < np.ndim(w_t):     # X was a row: Y lost its row axis
        return (upstream[..., None, :] @ w_t)[..., 0, :]
    return upstream @ w_t


def _matmul_chain_right(upstream, x_t, *inputs):
    if np.ndim(x_t) == 1:                    # X was a row: Y lost its row axis
        if np.ndim(upstream) == 0:           # vector · vector
            return upstream * x_t
        return x_t[:, None] * upstream[..., None, :]
    if np.ndim(upstream) < np.ndim(x_t):     # W was a column: Y lost its last axis
        return (x_t @ upstream[..., None])[..., 0]
    return x_t @ upstream


def _axis(name: str, x, axis) -> int:
    ndim = np.ndim(x)
    if axis != np.round(axis):
        raise InputError(f"the axis of {name} must be a whole number, got {float(axis):g}")
    if not -ndim <= axis < ndim:
        hint = f"the axes of shape {format_shape(np.shape(x))} are 0 to {ndim - 1}, or -{ndim} to -1" \
            if ndim else f"a scalar has no axes: write {name}(x)"
        raise InputError(f"axis {int(axis)} is out of range for {name} of shape "
                         f"{format_shape(np.shape(x))}", hint=hint)
    return int(axis)


def _reduce_along(name: str, reduce):
    """sum(x, axis) and mean(x, axis): forward, and the chain that spreads ∂L/∂out back along the axis."""
    def forward(x, axis):
        return _as_value(reduce(x, axis=_axis(name, x, axis)))

    def chain(upstream, local, x, axis):
        return np.expand_dims(upstream, _axis(name, x, axis)) * local
    return forward, chain


def _spread(number: float, like):
    """`number` at every element of `like`, as a read-only view: the trace keeps every local, and a
    copy of a large array per reduction would cost memory and time for nothing."""
    return np.broadcast_to(np.float64(number), np.shape(like))


def _max_local(x, out):
    # The gradient goes to the largest element; tied largest elements share it equally.
    at_max = (x == out) * 1.0
    return at_max / np.sum(at_max)


def _logsumexp(x):
    _need_array("logsumexp", x)
    top = np.max(x, axis=-1, keepdims=True)    # shift by the largest so exp never overflows
    return _as_value(np.log(np.sum(np.exp(x - top), axis=-1)) + top[..., 0])


def _softmax(x):
    _need_array("softmax", x)
    shifted = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return shifted / np.sum(shifted, axis=-1, keepdims=True)


def _log_softmax(y):
    return y - np.expand_dims(_logsumexp(y), -1)


def _rows(y) -> int:
    """N in cross_entropy: how many rows (examples) the loss is averaged over; 1 for a vector."""
    return y.size // y.shape[-1]


def _cross_entropy(y, t):
    _need_array("cross_entropy", y)
    if np.shape(y) != np.shape(t):
        raise InputError(f"shape mismatch: cross_entropy needs y and t of the same shape, got "
                         f"{format_shape(np.shape(y))} and {format_shape(np.shape(t))}",
                         hint="give t as one-hot rows (or probabilities), one per row of y")
    return np.float64(-np.sum(t * _log_softmax(y)) / _rows(y))


def _cross_entropy_y_derivative(g, y, t, out):
    """(softmax(y)·Σt − t)/N as graph nodes; Σt along rows is t @ ones (C, 1)."""
    totals = g("matmul", t, g.const(np.ones((np.shape(g.values[t])[-1], 1))))
    return g("div", g("sub", g("mul", g("softmax", y), totals), t), g.const(_rows(g.values[y])))


# Reductions whose sum or squares overflow (or underflow) where the result need not: each is computed
# as numpy does, and only a result that is not a normal finite float is computed again, scaled, so
# the digits of every ordinary case stay numpy's. norm([1e200, 1e200]) was inf, norm([1e-200]) 0.
_SMALLEST_NORMAL = 2.2250738585072014e-308


def _mean(x, axis=None):
    """np.mean, or the sum of x/n where the sum overflows but the mean does not ([1e308, 1e308])."""
    found = np.mean(x, axis=axis)
    if _any(np.isinf(found)) and np.all(np.isfinite(x)):
        n = np.size(x) if axis is None else np.shape(x)[axis]
        found = np.sum(np.asarray(x) / n, axis=axis)
    return found


def _largest(x):
    """max |x|, 1 where that is 0 (a scale to divide by)."""
    top = np.max(np.abs(x))
    return top if top > 0 else 1.0


def _norm(x):
    squares = np.sum(np.square(x))
    if not _SMALLEST_NORMAL <= squares < math.inf and np.all(np.isfinite(x)):
        top = _largest(x)
        return np.float64(top * np.sqrt(np.sum(np.square(np.asarray(x) / top))))
    return np.float64(np.sqrt(squares))


def _var(x):
    found = np.var(x)
    if not _SMALLEST_NORMAL <= found < math.inf and np.all(np.isfinite(x)):
        top = _largest(x)
        root = top * np.sqrt(np.var(np.asarray(x) / top))    # (top·√v)², as top² may overflow alone
        return np.float64(root * root)
    return np.float64(found)


def _std(x):
    found = np.std(x)
    if not _SMALLEST_NORMAL <= found * found < math.inf and np.all(np.isfinite(x)):
        top = _largest(x)
        return np.float64(top * np.std(np.asarray(x) / top))
    return np.float64(found)


_sum_along = _reduce_along("sum", np.sum)
_mean_along = _reduce_along("mean", _mean)


def _call(name: str):
    """The symbolic normal form of a function call: name(arguments), folded where they are numbers."""
    return lambda table, *args: table.call(name, *args)


def _unary(symbol: str, forward, local, formula: str, derivative=None, explain=None,
           show: str | None = None, piece=None, names: tuple[str, ...] | None = None,
           elementwise: bool = True, normal=None, simplify=None, domain: str = "", kink: str = "",
           floats: bool = False) -> Op:
    """A function of one input; by default called by its symbol (`exp(x)`), elementwise."""
    return Op(symbol, show or f"{symbol}({{0}})", forward, (local,), (formula,), explain=explain,
              derivative=(derivative,) if derivative else (), piece=piece,
              names=(symbol,) if names is None else names, elementwise=elementwise,
              normal=normal or _call(symbol), simplify=simplify, domain=domain, kink=kink,
              floats=floats)


def _side_of_zero(a, out):
    return np.sign(a)


# Graph forms of the chained derivatives (g is the node builder of gradcalc.higher): the same
# products as _matmul_chain_left/right, for vectors and matrices (stacks of matrices: not yet).

def _matmul_graph_left(g, upstream, x, w, out):
    x_dims, w_dims = np.ndim(g.values[x]), np.ndim(g.values[w])
    if max(x_dims, w_dims) > 2:
        return None
    if w_dims == 1:
        return g("mul", upstream, w) if x_dims == 1 else g("outer", upstream, w)
    return g("matmul", upstream, g("transpose", w))


def _matmul_graph_right(g, upstream, x, w, out):
    x_dims, w_dims = np.ndim(g.values[x]), np.ndim(g.values[w])
    if max(x_dims, w_dims) > 2:
        return None
    if x_dims == 1:
        return g("mul", upstream, x) if w_dims == 1 else g("outer", x, upstream)
    return g("matmul", g("transpose", x), upstream)


def _spread_graph(mean: bool):
    """sum(x, axis) and mean(x, axis) in graph form: the upstream spread back along the axis (an
    outer product with a column of ones, or of 1/n for the mean), for vectors and matrices."""
    def make(g, upstream, x, axis, out):
        shape = np.shape(g.values[x])
        along = _axis("mean" if mean else "sum", g.values[x], g.values[axis]) % len(shape)
        ones = g.const(np.full(shape[along], 1.0 / shape[along] if mean else 1.0))
        if len(shape) == 1:
            return g("mul", upstream, ones)
        if len(shape) == 2:
            return g("outer", ones, upstream) if along == 0 else g("outer", upstream, ones)
        return None
    return make


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


# Graph forms of the constant local derivatives.
def _one(g, *ids):
    return g.const(1.0)


def _minus_one(g, *ids):
    return g.const(-1.0)


# Arithmetic uses Python's operators, not np.add & co.: on numpy scalars (np.float64, the common case)
# they give the same result about 10× faster, and on arrays they call the same ufuncs.
OPS: dict[str, Op] = {
    "add": Op("+", "{0} + {1}", operator.add, (lambda a, b, out: 1.0, lambda a, b, out: 1.0),
              ("1", "1"), derivative=(_one, _one), elementwise=True,
              normal=lambda t, a, b: t.add(a, b), simplify=_simplify_add, floats=True),
    "sub": Op("−", "{0} − {1}", operator.sub, (lambda a, b, out: 1.0, lambda a, b, out: -1.0),
              ("1", "−1"), derivative=(_one, _minus_one), elementwise=True,
              normal=lambda t, a, b: t.add(a, t.neg(b)), simplify=_simplify_sub, floats=True),
    "mul": Op("×", "{0} × {1}", operator.mul, (lambda a, b, out: b, lambda a, b, out: a),
              ("{1}", "{0}"), derivative=(lambda g, a, b, out: b, lambda g, a, b, out: a),
              elementwise=True, normal=lambda t, a, b: t.mul(a, b), simplify=_simplify_mul, floats=True),
    "div": Op("÷", "{0} / {1}", xp.divide,
              (lambda a, b, out: xp.divide(1.0, b), lambda a, b, out: xp.divide(-out, b)),
              ("1/{1}", "−{0}/{1}²"), explain=_explain_div,
              derivative=(lambda g, a, b, out: g("div", g.const(1.0), b),
                          lambda g, a, b, out: g("neg", g("div", out, b))),
              elementwise=True, normal=lambda t, a, b: t.mul(a, t.power(b, t.number(-1.0))),
              simplify=_simplify_div, floats=True),
    "pow": Op("^", "{0}^{1}", xp.power, (_pow_base_local, _pow_exponent_local),
              (_pow_base_formula, "{out}·log({0})"), explain=_explain_pow,
              derivative=(lambda g, a, b, out: g("mul", b, g("pow", a, g("sub", b, g.const(1.0)))),
                          lambda g, a, b, out: g("mul", out, g("log", a))),
              elementwise=True, normal=lambda t, a, b: t.power(a, b), simplify=_simplify_pow,
              names=("pow", "power"), domain="x > 0, or x < 0 with a whole y; ∂/∂y needs x > 0", kink="x**0 has derivative 0, at x = 0 too", floats=True),
    # `t = x`: a named copy, so t shows in the trace.
    "identity": Op("=", "{0}", lambda a: a, (lambda a, out: 1.0,), ("1",), derivative=(_one,),
                   elementwise=True, normal=_same, simplify=_passed_on, floats=True),
    "neg": _unary("−", operator.neg, lambda a, out: -1.0, "−1", _minus_one, show="−{0}", names=(),
                  normal=lambda t, a: t.neg(a), simplify=_simplify_neg, floats=True),
    "pos": _unary("+", operator.pos, lambda a, out: 1.0, "1", _one, show="+{0}", names=(),
                  normal=_same, simplify=_passed_on, floats=True),
    "exp": _unary("exp", xp.exp, lambda a, out: out, "exp({0})", lambda g, a, out: out, floats=True),
    "log": _unary("log", xp.log, lambda a, out: xp.divide(1.0, a), "1/{0}",
                  lambda g, a, out: g("div", g.const(1.0), a), explain=_explain_log,
                  names=("log", "ln"), domain="x > 0", floats=True),
    "sqrt": _unary("sqrt", xp.sqrt, lambda a, out: xp.divide(0.5, out), "1/(2·sqrt({0}))",
                   lambda g, a, out: g("div", g.const(0.5), out), explain=_explain_sqrt, domain="x ≥ 0; derivative x > 0", floats=True,
                   # a power, so sqrt(x)³ and x^(3/2) are one form; printed sqrt(x) again
                   normal=lambda t, a: t.power(a, t.number(0.5))),
    "sin": _unary("sin", xp.sin, lambda a, out: xp.cos(a), "cos({0})", lambda g, a, out: g("cos", a), floats=True),
    "cos": _unary("cos", xp.cos, lambda a, out: -xp.sin(a), "−sin({0})",
                  lambda g, a, out: g("neg", g("sin", a)), floats=True),
    "tan": _unary("tan", xp.tan, lambda a, out: 1.0 + out * out, "1 + tan({0})²",
                  lambda g, a, out: g("add", g.const(1.0), g("mul", out, out)), domain="x ≠ π/2 + kπ", floats=True),
    "tanh": _unary("tanh", np.tanh, _tanh_local, "1 − tanh({0})²",
                   lambda g, a, out: g("sub", g.const(1.0), g("mul", out, out))),
    "sigmoid": _unary("sigmoid", _sigmoid, _sigmoid_local, "{out}·(1 − {out})",
                      lambda g, a, out: g("mul", out, g("sub", g.const(1.0), out)), floats=True),
    # relu and abs at 0 take the subgradient 0, as the common frameworks do.
    "relu": _unary("relu", xp.relu, lambda a, out: xp.step(a), "1 if {0} > 0 else 0",
                   lambda g, a, out: g("sign", out), piece=_side_of_zero, kink="0 at x = 0", floats=True),
    "abs": _unary("abs", xp.absolute, lambda a, out: xp.sign(a), "sign({0})",
                  lambda g, a, out: g("sign", a), piece=_side_of_zero, names=("abs", "fabs", "absolute"), kink="0 at x = 0", floats=True),
    # sign is what abs and relu differentiate to; flat on both sides of 0.
    "sign": _unary("sign", xp.sign, lambda a, out: 0.0 * a, "0",
                   lambda g, a, out: g.const(0.0), piece=_side_of_zero, kink="derivative 0 everywhere", floats=True),
    # Not callable from a program: the graph form of undoing broadcasting, sum_to(grad, like) sums
    # grad down to like's shape; its own derivative spreads the upstream back out (× ones).
    "sum_to": Op("sum_to", "sum_to({0}, shape of {1})", lambda a, like: sum_to(a, np.shape(like)),
                 (lambda a, like, out: np.ones_like(a), lambda a, like, out: 0.0), ("1", "0"),
                 derivative=(lambda g, a, like, out: g.ones_like(a), lambda g, a, like, out: g.const(0.0))),
    # Not callable either: the pieces the graph forms of @ and softmax are built from.
    "outer": Op("outer", "outer({0}, {1})", np.multiply.outer,
                (lambda a, b, out: b, lambda a, b, out: a), ("{1}", "{0}"),
                chain=(lambda upstream, local, a, b: upstream @ b,
                       lambda upstream, local, a, b: _swap(upstream) @ a),
                graph_chain=(lambda g, upstream, a, b, out: g("matmul", upstream, b),
                             lambda g, upstream, a, b, out: g("matmul", g("transpose", upstream), a)),
                tangent=(lambda t, a, b, out: np.multiply.outer(t, b),
                         lambda t, a, b, out: np.multiply.outer(a, t))),
    "sum_last": Op("sum_last", "sum of {0} along its last axis",
                   lambda x: np.sum(x, axis=-1, keepdims=True), (lambda x, out: np.ones_like(x),),
                   ("1",), derivative=(lambda g, x, out: g.ones_like(x),)),
    # Arrays. An input whose local is None is a constant argument (an axis): written as a number.
    "matmul": Op("@", "{0} @ {1}", _matmul, (lambda x, w, out: _swap(w), lambda x, w, out: _swap(x)),
                 ("{1}ᵀ", "{0}ᵀ"), chain=(_matmul_chain_left, _matmul_chain_right),
                 rule=("{up} · {local}", "{local} · {up}"),
                 graph_chain=(_matmul_graph_left, _matmul_graph_right),
                 tangent=(lambda t, x, w, out: _matmul(t, w), lambda t, x, w, out: _matmul(x, t)),
                 names=("dot", "matmul"), domain="inner sizes agree"),
    "transpose": Op("ᵀ", "{0}ᵀ", _swap, (lambda x, out: 1.0,), ("1",),
                    chain=(lambda upstream, local, x: _swap(upstream),), rule=("({up})ᵀ",),
                    graph_chain=(lambda g, upstream, x, out: g("transpose", upstream),),
                    tangent=(lambda t, x, out: _swap(t),), names=("transpose",)),
    "sum": _unary("sum", lambda x: _as_value(np.sum(x)), lambda x, out: _spread(1.0, x), "1",
                  lambda g, x, out: g.ones_like(x), elementwise=False),
    "mean": _unary("mean", lambda x: _as_value(_mean(x)),
                   lambda x, out: _spread(1.0 / np.size(x), x), "1/size({0})",
                   lambda g, x, out: g.const(np.full_like(g.values[x], 1.0 / np.size(g.values[x]))),
                   elementwise=False),
    "sum_axis": Op("sum", "sum({0}, {1})", _sum_along[0], (lambda x, axis, out: _spread(1.0, x), None),
                   ("1", ""), chain=(_sum_along[1], None), rule=("{up} repeated along axis {1}", ""),
                   graph_chain=(_spread_graph(mean=False), None),
                   tangent=(lambda t, x, axis, out: _sum_along[0](t, axis), None), names=("sum",), domain="axis a whole number written in the call"),
    "mean_axis": Op("mean", "mean({0}, {1})", _mean_along[0],
                    (lambda x, axis, out: _spread(1.0 / np.shape(x)[_axis("mean", x, axis)], x),
                     None), ("1/shape({0})[{1}]", ""), chain=(_mean_along[1], None),
                    rule=("{up} × {local}, repeated along axis {1}", ""),
                    graph_chain=(_spread_graph(mean=True), None),
                    tangent=(lambda t, x, axis, out: _mean_along[0](t, axis), None), names=("mean",), domain="axis a whole number written in the call"),
    "max": _unary("max", lambda x: _as_value(np.max(x)), _max_local,
                  "1 where {0} = {out} (ties share it), else 0",
                  lambda g, x, out: g.const(_max_local(g.values[x], g.values[out])),  # flat nearby
                  piece=lambda x, out: x == out, elementwise=False, kink="tied largest elements share the gradient equally"),
    "softmax": Op("softmax", "softmax({0})", _softmax, (lambda x, out: out,), ("{out}",),
                  chain=(lambda upstream, s, x: s * (upstream - np.sum(upstream * s, axis=-1,
                                                                       keepdims=True)),),
                  rule=("{local} ⊙ ({up} − Σ {up} ⊙ {local})",),
                  graph_chain=(lambda g, upstream, x, out: g("mul", out, g(
                      "sub", upstream, g("sum_last", g("mul", upstream, out)))),),
                  # softmax's Jacobian is symmetric: the tangent follows the same rule as the chain
                  tangent=(lambda t, x, out: out * (t - np.sum(t * out, axis=-1, keepdims=True)),),
                  names=("softmax",), kink="along the last axis"),
    "logsumexp": Op("logsumexp", "logsumexp({0})", _logsumexp,
                    (lambda x, out: np.exp(x - np.expand_dims(out, -1)),), ("softmax({0})",),
                    chain=(lambda upstream, local, x: np.expand_dims(upstream, -1) * local,),
                    rule=("{up} × {local}",),
                    graph_chain=(lambda g, upstream, x, out: g("mul", upstream, g("softmax", x))
                                 if np.ndim(g.values[x]) == 1 else None,),
                    tangent=(lambda t, x, out: np.sum(np.exp(x - np.expand_dims(out, -1)) * t, axis=-1),),
                    names=("logsumexp",), kink="along the last axis"),
    "cross_entropy": Op("cross_entropy", "cross_entropy({0}, {1})", _cross_entropy,
                        # Σt is each row's total, 1 for a one-hot or probability target; kept general
                        # so the function is differentiable in t as well (--check perturbs t too).
                        (lambda y, t, out: (_softmax(y) * np.sum(t, axis=-1, keepdims=True) - t) / _rows(y),
                         lambda y, t, out: -_log_softmax(y) / _rows(y)),
                        ("(softmax({0})·Σ{1} − {1})/N", "−log softmax({0})/N"),
                        derivative=(_cross_entropy_y_derivative,
                                    lambda g, y, t, out: g("div", g("neg", g("log", g("softmax", y))),
                                                           g.const(_rows(g.values[y])))),
                        names=("cross_entropy",), domain="same shapes; t one-hot or probabilities", kink="mean over rows"),
}



# The functions people paste ----------------------------------------------------------------------
# Each is one entry: forward, local derivative and its text, the derivative again as graph ops (for
# --hessian, --order and --symbolic), why a value is undefined, and for kinks which piece a point is
# on. Kinks and ties follow PyTorch (and JAX where they agree): the subgradient at a kink is the one
# documented in README.md's table of functions.

_LN2, _LN10 = math.log(2.0), math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_INV_SQRT_2, _INV_SQRT_2PI = 1.0 / math.sqrt(2.0), 1.0 / math.sqrt(2.0 * math.pi)


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


def _outside(name: str, condition, domain: str):
    def explain(*args):
        return f"{name} is defined for {domain}" if _any(condition(*args)) else None
    return explain


def _positive_piece(a, out=None):
    return np.sign(a)


def _normal_cdf(a):
    """Φ(a) = erfc(−a/√2)/2: 1 + erf(a/√2) cancels for negative a (gelu(−8) was 1.8% off)."""
    return 0.5 * _erfc(-a * _INV_SQRT_2)


def _gelu(a):
    return a * _normal_cdf(a)


def _gelu_local(a, out):
    return _normal_cdf(a) + a * _INV_SQRT_2PI * xp.exp(-0.5 * a * a)


def _gelu_derivative(g, a, out):
    cdf = g("mul", g.const(0.5), g("erfc", g("mul", a, g.const(-_INV_SQRT_2))))   # as _normal_cdf
    density = g("mul", g.const(_INV_SQRT_2PI), g("exp", g("mul", g.const(-0.5), g("mul", a, a))))
    return g("add", cdf, g("mul", a, density))


def _silu_local(a, out):
    s = _sigmoid(a)
    return s * (1.0 + a * (1.0 - s))


def _silu_derivative(g, a, out):
    s = g("sigmoid", a)
    return g("mul", s, g("add", g.const(1.0), g("mul", a, g("sub", g.const(1.0), s))))


def _positive(g, a):
    """1 where a > 0, else 0, as graph ops: sign(relu(a))."""
    return g("sign", g("relu", a))


def _half_step(g, a, b):
    """1 where a > b, ½ where a = b, 0 where a < b: (1 + sign(a − b))/2, as graph ops."""
    return g("mul", g.const(0.5), g("add", g.const(1.0), g("sign", g("sub", a, b))))


def _pick(a, b, larger: bool):
    """∂max(a, b)/∂a (or min): 1 where a wins, ½ at a tie (as PyTorch and JAX), 0 where b wins."""
    wins = (a > b) if larger else (a < b)
    return _choose(wins, 1.0, 0.0) + _choose(a == b, 0.5, 0.0)


def _maximum(a, b):
    out = xp.maximum(a, b)
    return out if type(out) is float else _as_value(out)


def _minimum(a, b):
    out = xp.minimum(a, b)
    return out if type(out) is float else _as_value(out)


def _below_zero(a):
    """min(a, 0) as np.minimum(a, 0.0) gives it (0.0 for -0.0: numpy keeps the second operand on a tie)."""
    return _minimum(a, 0.0)


def _leaky_relu(a, slope):
    if type(a) is float and type(slope) is float:
        return a if a > 0.0 else slope * a
    return _as_value(np.where(a > 0, a, slope * a))


def _leaky_relu_slope(a, slope):
    if type(a) is float or (xp.ndim(a) == 0 and xp.ndim(slope) == 0):
        return _choose(a > 0, 1.0, slope)
    return np.where(a > 0, 1.0, slope) * 1.0


def _elu(a):
    if type(a) is float:
        return a if a > 0.0 else xp.expm1(_below_zero(a))
    return _as_value(np.where(a > 0, a, np.expm1(np.minimum(a, 0.0))))


def _clip(x, lo, hi):
    if type(x) is float and type(lo) is float and type(hi) is float:
        if lo > hi:
            raise InputError("clip needs lo ≤ hi", hint="write clip(x, lo, hi) with the smaller bound first")
        return xp.minimum(xp.maximum(x, lo), hi)
    if _any(np.asarray(lo) > np.asarray(hi)):
        raise InputError("clip needs lo ≤ hi", hint="write clip(x, lo, hi) with the smaller bound first")
    return _as_value(np.minimum(np.maximum(x, lo), hi))


def _clip_piece(x, lo, hi, out):
    return np.sign(x - lo) + 3 * np.sign(x - hi)


def _inside_clip(g, x, lo, hi, out):
    """1 where lo ≤ x ≤ hi (PyTorch's clamp passes the gradient at the bounds), else 0."""
    below, above = g("sign", g("relu", g("sub", lo, x))), g("sign", g("relu", g("sub", x, hi)))
    return g("mul", g("sub", g.const(1.0), below), g("sub", g.const(1.0), above))


def _norm_local(x, out):
    # At x = 0 the norm has no gradient; PyTorch takes the subgradient 0 there, and so does gradcalc.
    if out == 0:
        return np.zeros_like(x) if np.ndim(x) else np.float64(0.0)
    return x / out


def _prod_local(x, out):
    """∂Πx/∂xᵢ = the product of the other elements (exact at zeros: no division)."""
    flat = np.ravel(np.asarray(x, dtype=np.float64))
    before = np.concatenate(([1.0], np.cumprod(flat[:-1])))
    after = np.concatenate((np.cumprod(flat[::-1][:-1])[::-1], [1.0]))
    others = before * after
    return others.reshape(np.shape(x)) if np.ndim(x) else np.float64(1.0)


def _std_local(x, out):
    return (x - _mean(x)) / out / np.size(x)     # n·out would overflow first: std([1e308, -1e308])


def _binary(symbol: str, forward, locals_, formulas, derivatives, explain=None, piece=None,
            names: tuple[str, ...] | None = None, elementwise: bool = True, variadic: bool = False,
            normal=None, domain: str = "", kink: str = "", floats: bool = False) -> Op:
    """A function of several inputs, called by its symbol (`atan2(y, x)`), elementwise by default."""
    inputs = ", ".join(f"{{{k}}}" for k in range(len(locals_)))
    return Op(symbol, f"{symbol}({inputs})", forward, locals_, formulas, explain=explain,
              derivative=derivatives, piece=piece, names=(symbol,) if names is None else names,
              variadic=variadic, elementwise=elementwise, normal=normal or _call(symbol),
              domain=domain, kink=kink, floats=floats)


OPS.update({
    "asin": _unary("asin", xp.asin, lambda a, out: xp.divide(1.0, _root_of_one_minus_square(a)), "1/sqrt(1 − {0}²)",
                   lambda g, a, out: g("div", g.const(1.0), g("sqrt", g("sub", g.const(1.0), g("mul", a, a)))),
                   explain=_outside("asin", lambda a: abs(a) > 1, "−1 ≤ x ≤ 1"),
                   names=("asin", "arcsin"), domain="−1 ≤ x ≤ 1; derivative −1 < x < 1", floats=True),
    "acos": _unary("acos", xp.acos, lambda a, out: xp.divide(-1.0, _root_of_one_minus_square(a)), "−1/sqrt(1 − {0}²)",
                   lambda g, a, out: g("neg", g("div", g.const(1.0),
                                                g("sqrt", g("sub", g.const(1.0), g("mul", a, a))))),
                   explain=_outside("acos", lambda a: abs(a) > 1, "−1 ≤ x ≤ 1"),
                   names=("acos", "arccos"), domain="−1 ≤ x ≤ 1; derivative −1 < x < 1", floats=True),
    "atan": _unary("atan", xp.atan, lambda a, out: xp.divide(1.0, 1.0 + a * a), "1/(1 + {0}²)",
                   lambda g, a, out: g("div", g.const(1.0), g("add", g.const(1.0), g("mul", a, a))),
                   names=("atan", "arctan"), floats=True),
    "sinh": _unary("sinh", xp.sinh, lambda a, out: xp.cosh(a), "cosh({0})", lambda g, a, out: g("cosh", a),
                   floats=True),
    "cosh": _unary("cosh", xp.cosh, lambda a, out: xp.sinh(a), "sinh({0})", lambda g, a, out: g("sinh", a),
                   floats=True),
    "asinh": _unary("asinh", xp.asinh, _asinh_local, "1/sqrt({0}² + 1)",
                    lambda g, a, out: g("div", g.const(1.0), g("sqrt", g("add", g("mul", a, a), g.const(1.0)))),
                    names=("asinh", "arcsinh"), floats=True),
    "acosh": _unary("acosh", xp.acosh, lambda a, out: xp.divide(1.0, xp.sqrt(a - 1.0) * xp.sqrt(a + 1.0)), "1/sqrt({0}² − 1)",
                    lambda g, a, out: g("div", g.const(1.0), g("sqrt", g("sub", g("mul", a, a), g.const(1.0)))),
                    explain=_outside("acosh", lambda a: a < 1, "x ≥ 1"), names=("acosh", "arccosh"), domain="x ≥ 1; derivative x > 1", floats=True),
    "atanh": _unary("atanh", xp.atanh, lambda a, out: xp.divide(1.0, (1.0 - a) * (1.0 + a)), "1/(1 − {0}²)",
                    lambda g, a, out: g("div", g.const(1.0), g("sub", g.const(1.0), g("mul", a, a))),
                    explain=_outside("atanh", lambda a: abs(a) >= 1, "−1 < x < 1"),
                    names=("atanh", "arctanh"), domain="−1 < x < 1", floats=True),
    "log2": _unary("log2", xp.log2, lambda a, out: xp.divide(1.0, a * _LN2), "1/({0}·log(2))",
                   lambda g, a, out: g("div", g.const(1.0 / _LN2), a), explain=_explain_log, domain="x > 0",
                   floats=True),
    "log10": _unary("log10", xp.log10, lambda a, out: xp.divide(1.0, a * _LN10), "1/({0}·log(10))",
                    lambda g, a, out: g("div", g.const(1.0 / _LN10), a), explain=_explain_log, domain="x > 0",
                    floats=True),
    "log1p": _unary("log1p", xp.log1p, lambda a, out: xp.divide(1.0, 1.0 + a), "1/(1 + {0})",
                    lambda g, a, out: g("div", g.const(1.0), g("add", g.const(1.0), a)),
                    explain=_outside("log1p", lambda a: a <= -1, "x > −1"), domain="x > −1", floats=True),
    "expm1": _unary("expm1", xp.expm1, lambda a, out: xp.exp(a), "exp({0})", lambda g, a, out: g("exp", a),
                    floats=True),
    "exp2": _unary("exp2", xp.exp2, lambda a, out: out * _LN2, "{out}·log(2)",
                   lambda g, a, out: g("mul", out, g.const(_LN2)), floats=True),
    "cbrt": _unary("cbrt", xp.cbrt, lambda a, out: xp.divide(1.0, 3.0 * out * out), "1/(3·cbrt({0})²)",
                   lambda g, a, out: g("div", g.const(1.0 / 3.0), g("mul", out, out)), domain="derivative x ≠ 0", floats=True),
    "softplus": _unary("softplus", xp.softplus, lambda a, out: _sigmoid(a), "sigmoid({0})",
                       lambda g, a, out: g("sigmoid", a), floats=True),
    "erf": _unary("erf", _erf, lambda a, out: _TWO_OVER_SQRT_PI * xp.exp(-a * a), "2/sqrt(pi)·exp(−{0}²)",
                  lambda g, a, out: g("mul", g.const(_TWO_OVER_SQRT_PI), g("exp", g("neg", g("mul", a, a)))),
                  floats=True),
    "erfc": _unary("erfc", _erfc, lambda a, out: -_TWO_OVER_SQRT_PI * xp.exp(-a * a), "−2/sqrt(pi)·exp(−{0}²)",
                   lambda g, a, out: g("mul", g.const(-_TWO_OVER_SQRT_PI), g("exp", g("neg", g("mul", a, a)))),
                   floats=True),
    # gelu is the exact x·Φ(x) (PyTorch's default, approximate='none').
    "gelu": _unary("gelu", _gelu, _gelu_local, "Φ({0}) + {0}·φ({0})", _gelu_derivative, floats=True),
    # elu with α = 1: x for x > 0, exp(x) − 1 below; its derivative exp(min(x, 0)) is continuous.
    "elu": _unary("elu", _elu, lambda a, out: xp.exp(_below_zero(a)), "exp(min({0}, 0))",
                  lambda g, a, out: g("exp", g("minimum", a, g.const(0.0))), piece=_positive_piece, kink="α = 1: derivative 1 at x = 0 (continuous)",
                  floats=True),
    "silu": _unary("silu", lambda a: a * _sigmoid(a), _silu_local, "σ({0})·(1 + {0}·(1 − σ({0})))",
                   _silu_derivative, names=("silu", "swish"), floats=True),
    "atan2": _binary("atan2", xp.atan2,
                     (lambda y, x, out: xp.divide(x, x * x + y * y), lambda y, x, out: xp.divide(-y, x * x + y * y)),
                     ("{1}/({0}² + {1}²)", "−{0}/({0}² + {1}²)"),
                     (lambda g, y, x, out: g("div", x, g("add", g("mul", x, x), g("mul", y, y))),
                      lambda g, y, x, out: g("neg", g("div", y, g("add", g("mul", x, x), g("mul", y, y))))),
                     names=("atan2", "arctan2"), domain="derivative (x, y) ≠ (0, 0)", floats=True),
    "hypot": _binary("hypot", np.hypot, (lambda a, b, out: a / out, lambda a, b, out: b / out),
                     ("{0}/{out}", "{1}/{out}"),
                     (lambda g, a, b, out: g("div", a, out), lambda g, a, b, out: g("div", b, out)), domain="derivative (x, y) ≠ (0, 0)"),
    # log(x, base) = log(x)/log(base), as Python's math.log
    "log_base": _binary("log", lambda x, b: xp.divide(xp.log(x), xp.log(b)),
                        (lambda x, b, out: xp.divide(1.0, x * xp.log(b)), lambda x, b, out: xp.divide(-out, b * xp.log(b))),
                        ("1/({0}·log({1}))", "−{out}/({1}·log({1}))"),
                        (lambda g, x, b, out: g("div", g.const(1.0), g("mul", x, g("log", b))),
                         lambda g, x, b, out: g("neg", g("div", out, g("mul", b, g("log", b))))),
                        explain=lambda x, b: "log of a non-positive number" if _any(x <= 0) else
                        "the base of a logarithm must be positive and not 1" if _any((b <= 0) | (b == 1))
                        else None,
                        normal=lambda t, x, b: t.mul(t.call("log", x), t.power(t.call("log", b), t.number(-1.0))), domain="x > 0, base > 0, base ≠ 1", floats=True),
    # max(a, b) and min(a, b) (numpy's maximum and minimum): a tie shares the gradient, ½ each.
    "maximum": _binary("maximum", _maximum, (lambda a, b, out: _pick(a, b, True), lambda a, b, out: _pick(b, a, True)),
                       ("1 if {0} > {1}, ½ if equal, else 0", "1 if {1} > {0}, ½ if equal, else 0"),
                       (lambda g, a, b, out: _half_step(g, a, b), lambda g, a, b, out: _half_step(g, b, a)),
                       piece=lambda a, b, out: np.sign(a - b), names=("maximum", "max", "fmax"), variadic=True, kink="a tie gives ½ to each (PyTorch, JAX); max(a, b, c) is max(max(a, b), c)", floats=True),
    "minimum": _binary("minimum", _minimum, (lambda a, b, out: _pick(a, b, False), lambda a, b, out: _pick(b, a, False)),
                       ("1 if {0} < {1}, ½ if equal, else 0", "1 if {1} < {0}, ½ if equal, else 0"),
                       (lambda g, a, b, out: _half_step(g, b, a), lambda g, a, b, out: _half_step(g, a, b)),
                       piece=lambda a, b, out: np.sign(a - b), names=("minimum", "min", "fmin"), variadic=True, kink="a tie gives ½ to each (PyTorch, JAX); min(a, b, c) is min(min(a, b), c)", floats=True),
    # leaky_relu(x, slope): slope·x below 0 and at 0 (PyTorch), x above; slope 0.01 if not given.
    "leaky_relu": _binary("leaky_relu", _leaky_relu,
                          (lambda a, s, out: _leaky_relu_slope(a, s), lambda a, s, out: _below_zero(a)),
                          ("1 if {0} > 0 else {1}", "min({0}, 0)"),
                          (lambda g, a, s, out: g("add", s, g("mul", g("sub", g.const(1.0), s), _positive(g, a))),
                           lambda g, a, s, out: g("minimum", a, g.const(0.0))),
                          piece=lambda a, s, out: np.sign(a), kink="slope at x = 0 (PyTorch)", floats=True),
    "leaky_relu_default": _unary("leaky_relu", lambda a: _leaky_relu(a, 0.01),
                                 lambda a, out: _leaky_relu_slope(a, 0.01),
                                 "1 if {0} > 0 else 0.01",
                                 lambda g, a, out: g("add", g.const(0.01), g("mul", g.const(0.99), _positive(g, a))),
                                 piece=_positive_piece, normal=lambda t, a: t.call("leaky_relu", a, t.number(0.01)), kink="slope 0.01; 0.01 at x = 0 (PyTorch)", floats=True),
    # clip(x, lo, hi), PyTorch's clamp: x's gradient passes on lo ≤ x ≤ hi (bounds included).
    "clip": _binary("clip", _clip,
                    (lambda x, lo, hi, out: ((x >= lo) & (x <= hi)) * 1.0,
                     lambda x, lo, hi, out: (x < lo) * 1.0, lambda x, lo, hi, out: (x > hi) * 1.0),
                    ("1 if {1} ≤ {0} ≤ {2} else 0", "1 if {0} < {1} else 0", "1 if {0} > {2} else 0"),
                    (_inside_clip, lambda g, x, lo, hi, out: g("sign", g("relu", g("sub", lo, x))),
                     lambda g, x, lo, hi, out: g("sign", g("relu", g("sub", x, hi)))),
                    piece=_clip_piece, names=("clip", "clamp"), domain="lo ≤ hi", kink="x's gradient passes on lo ≤ x ≤ hi, bounds included (PyTorch's clamp)", floats=True),
    # Reductions of a whole array (of every element, as sum and max).
    "min": _unary("min", lambda x: _as_value(np.min(x)), _max_local,
                  "1 where {0} = {out} (ties share it), else 0",
                  lambda g, x, out: g.const(_max_local(g.values[x], g.values[out])),
                  piece=lambda x, out: x == out, elementwise=False, kink="tied smallest elements share the gradient equally"),
    "norm": _unary("norm", _norm, _norm_local, "{0}/{out} (0 where {out} = 0)",
                   lambda g, x, out: g("div", x, out), elementwise=False, kink="0 at x = 0 (PyTorch)"),
    "prod": _unary("prod", lambda x: np.float64(np.prod(x)), _prod_local, "product of the other elements",
                   lambda g, x, out: g("div", out, x), elementwise=False, kink="exact at zeros (no division)"),
    # var and std divide by n (numpy's default, ddof = 0), not n − 1 (PyTorch's default).
    "var": _unary("var", _var,
                  lambda x, out: (x - _mean(x)) * (2.0 / np.size(x)), "2·({0} − mean({0}))/n",
                  lambda g, x, out: g("mul", g.const(2.0 / np.size(g.values[x])), g("sub", x, g("mean", x))),
                  elementwise=False, kink="divides by n, as numpy (PyTorch's default divides by n − 1)"),
    "std": _unary("std", _std, _std_local, "({0} − mean({0}))/(n·{out})",
                  lambda g, x, out: g("div", g("mul", g.const(1.0 / np.size(g.values[x])),
                                               g("sub", x, g("mean", x))), out),
                  elementwise=False, domain="derivative: elements not all equal", kink="divides by n, as numpy"),
})

# Pieces of the dialects (gradcalc/dialects.py) -----------------------------------------------------
# stop_gradient (JAX; PyTorch's detach, TensorFlow's stop_gradient): the value passes, no gradient
# does. expand_axis: keepdims=True, an axis of size 1 put back after a reduction along it.

def _expand_axis(x, axis):
    return np.expand_dims(x, int(axis))


OPS.update({
    "stop_gradient": _unary("stop_gradient", lambda a: a, lambda a, out: 0.0 * a, "0 (held constant)",
                            lambda g, a, out: g.const(0.0), names=("stop_gradient",),
                            kink="no gradient passes (detach, stop_gradient)", floats=True),
    "expand_axis": Op("keepdims", "{0} with axis {1} kept", _expand_axis,
                      (lambda x, axis, out: 1.0, None), ("1", ""),
                      chain=(lambda upstream, local, x, axis: np.reshape(upstream, np.shape(x)), None),
                      rule=("{up} without axis {1}", ""),
                      # summing over an axis of size 1 removes it, values unchanged
                      graph_chain=(lambda g, upstream, x, axis, out: g("sum_axis", upstream, axis), None),
                      tangent=(lambda t, x, axis, out: _expand_axis(np.broadcast_to(t, np.shape(x)), axis),
                               None)),
})

# Indexing ----------------------------------------------------------------------------------------
# x[0], x[1:], X[:, 0]: numpy's basic indexing with whole numbers written in the program. Each distinct
# index is an op of its own, made on first use and kept in OPS, so the trace, forward mode and the
# Hessian read it like any other entry. Its gradient puts the upstream back at the positions taken,
# zeros elsewhere ("scatter", itself an op whose gradient takes the same positions again).

Index = tuple[int | slice, ...]


def index_text(key: Index) -> str:
    """[1:], [:, 0], [::2]: the index as written in numpy, normalised."""
    def part(item):
        if isinstance(item, int):
            return str(item)
        text = ("" if item.start is None else str(item.start)) + ":" + \
            ("" if item.stop is None else str(item.stop))
        return text + (f":{item.step}" if item.step is not None else "")
    return "[" + ", ".join(map(part, key)) + "]"


def _check_index(x, key: Index, text: str) -> None:
    shape = np.shape(x)
    if not shape:
        raise InputError(f"cannot index a scalar: {text} needs an array",
                         hint="index a vector or a matrix, e.g. x[0] with --x [1,2,3]")
    if len(key) > len(shape):
        raise InputError(f"too many indices: {text} indexes {len(key)} axes, but the shape "
                         f"{format_shape(shape)} has {len(shape)}",
                         hint=f"give at most {len(shape)} ind{'ex' if len(shape) == 1 else 'ices'}")
    for axis, (item, size) in enumerate(zip(key, shape)):
        if isinstance(item, int) and not -size <= item < size:
            raise InputError(f"index {item} is out of range for axis {axis} of shape "
                             f"{format_shape(shape)}",
                             hint=f"indices of axis {axis} run from 0 to {size - 1}, or -{size} to -1")


def _scatter(upstream, shape, key: Index):
    grad = np.zeros(shape)
    grad[key] = upstream
    return grad


def index_op(key: Index) -> str:
    """The op taking x[key] (registered in OPS on first use); returns its key in OPS."""
    text = index_text(key)
    name, back = f"index{text}", f"scatter{text}"
    if name in OPS:
        return name

    def take(x):
        _check_index(x, key, text)
        return _as_value(np.array(np.asarray(x)[key]))

    def place(upstream, like):
        return _scatter(upstream, np.shape(like), key)

    def take_tangent(t, x, out):
        return _as_value(np.array(np.broadcast_to(t, np.shape(x))[key]))

    OPS[back] = Op("scatter", f"{{0}} placed at {text} in zeros shaped like {{1}}", place,
                   (lambda u, like, out: 1.0, lambda u, like, out: 0.0), ("1", "0"),
                   chain=(lambda up, local, u, like: _as_value(np.array(np.asarray(up)[key])),
                          lambda up, local, u, like: _spread(0.0, like)),
                   rule=(f"({{up}}){text}", "0"),
                   graph_chain=(lambda g, up, u, like, out: g(name, up),
                                lambda g, up, u, like, out: g.const(np.zeros(np.shape(g.values[like])))),
                   tangent=(lambda t, u, like, out: _scatter(t, np.shape(like), key),
                            lambda t, u, like, out: np.zeros(np.shape(like))))
    OPS[name] = Op(text, f"{{0}}{text}", take, (lambda x, out: 1.0,), (f"1 at {text}, else 0",),
                   chain=(lambda up, local, x: _scatter(up, np.shape(x), key),),
                   rule=(f"{{up}} placed at {text}, zeros elsewhere",),
                   graph_chain=(lambda g, up, x, out: g(back, up, x),),
                   tangent=(take_tangent,))
    return name


# The table of functions (README.md and --help), read off the entries ----------------------------

_ARGUMENTS = {1: ("x",), 2: ("x", "y"), 3: ("x", "lo", "hi")}
# Where the usual names of the arguments read better than x, y (the table only).
_ARGUMENT_NAMES = {"atan2": ("y", "x"), "log_base": ("x", "base"), "leaky_relu": ("x", "slope"),
                   "cross_entropy": ("y", "t"), "sum_axis": ("x", "axis"), "mean_axis": ("x", "axis"),
                   "maximum": ("a", "b"), "minimum": ("a", "b"), "matmul": ("a", "b")}


def function_table() -> list[tuple[tuple[str, ...], str, str, str]]:
    """One row per callable op: how it is called (then its aliases), each input's local derivative,
    where it is defined, and its value at kinks and ties."""
    rows = []
    for key, op in OPS.items():
        if not op.names:
            continue
        labels = _ARGUMENT_NAMES.get(key, _ARGUMENTS[op.arity])
        call = f"{op.names[0]}({', '.join(labels)})"
        out = "out" if "{out}" in "".join(f for f in op.formula if isinstance(f, str)) else call
        parts = []
        for k, (label, literal) in enumerate(zip(labels, op.literal)):
            if literal:
                continue
            text = op.formula_text(k, list(labels), out)
            if op.rule:
                text = op.rule[k].format(*labels, up="∂L/∂out", local=text)
            parts.append(text if op.arity == 1 else f"∂/∂{label}: {text}")
        if out == "out":
            parts.append(f"out = {call}")
        rows.append(((call,) + op.names[1:], "; ".join(parts), op.domain or "everywhere", op.kink))
    return rows


def function_table_markdown() -> str:
    lines = ["| function | derivative | defined for | at kinks and ties |", "| --- | --- | --- | --- |"]
    for names, derivative, domain, kink in function_table():
        lines.append(f"| {', '.join(f'`{name}`' for name in names)} | {derivative} | {domain} | {kink} |")
    return "\n".join(lines) + "\n"


def function_table_text() -> str:
    return "\n".join(f"  {' '.join(names)}: {derivative}; {domain}" + (f"; {kink}" if kink else "")
                      for names, derivative, domain, kink in function_table())


def _callables() -> dict[str, dict[int, str]]:
    calls: dict[str, dict[int, str]] = {}
    for key, op in OPS.items():
        for name in op.names:
            calls.setdefault(name, {})[op.arity] = key
    return calls


# The names a program can call → {number of arguments: op}, read off the `names` of each op.
CALLS: dict[str, dict[int, str]] = _callables()
# The names a program can call → the op of their first (usually only) form.
FUNCTIONS: dict[str, str] = {name: next(iter(by_arity.values())) for name, by_arity in CALLS.items()}

CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}

# Infix operators as written → op names (typographic forms pasted from notes included).
BINARY = {"+": "add", "-": "sub", "−": "sub", "–": "sub", "*": "mul", "×": "mul", "·": "mul", "⋅": "mul",
          "∗": "mul", "/": "div", "÷": "div", "**": "pow", "^": "pow", "@": "matmul"}
UNARY = {"-": "neg", "−": "neg", "–": "neg", "+": "pos"}


def broadcast_axes(shape: tuple[int, ...], target: tuple[int, ...]) -> tuple[int, ...]:
    """The axes of `shape` that numpy broadcasting added or stretched to reach it from `target`."""
    extra = len(shape) - len(target)
    return tuple(range(extra)) + tuple(
        extra + i for i, size in enumerate(target) if size == 1 and shape[extra + i] != 1)


def sum_to(grad, shape: tuple[int, ...]):
    """Undo numpy broadcasting: sum `grad` down to `shape`, the shape of the input it flows into."""
    if np.shape(grad) == shape:
        return grad
    grad = np.asarray(grad)
    axes = broadcast_axes(grad.shape, shape)
    summed = grad.sum(axis=axes, keepdims=True) if axes else grad
    return summed.reshape(shape) if shape else np.float64(summed.reshape(()))
