"""Array ops (matrix product, reductions, softmax, losses) and indexing: one entry each, as elementwise.py.

Reductions and softmax work along the last axis (the classes of a batch of rows), as frameworks do.
An input whose rule is None is a number written in the call (an axis), not differentiated.
"""

from __future__ import annotations

import math

from .. import xp
from ..numbers import format_shape
from ..xp import np
from .core import OPS, InputError, Op, unary
from .rules import GRAPH_MATMUL, Node, Text, as_value, call_text, constant, function, words

# Arrays ------------------------------------------------------------------------------------------
# Reductions and softmax work along the last axis (the classes of a batch of rows), as frameworks do.

def _swap(a):
    """The transpose of the last two axes (a stack of matrices stays a stack); a vector is itself."""
    return a.swapaxes(-1, -2) if np.ndim(a) >= 2 else a


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
        return as_value(np.matmul(x, w))
    except ValueError:
        pass
    inner_left = x.shape[-1]
    inner_right = w.shape[0] if w.ndim == 1 else w.shape[-2]
    if inner_left != inner_right:
        right = "length of the right vector" if w.ndim == 1 else "rows of the right operand"
        hint = f"the columns of the left operand ({inner_left}) must equal the {right} ({inner_right})"
        fits = []     # a transpose offered only where it makes the shapes fit
        if x.ndim >= 2 and x.shape[-2] == inner_right:
            fits.append(f"the left one transposed, {format_shape(_swap(x).shape)} @ {format_shape(w.shape)},")
        if w.ndim >= 2 and w.shape[-1] == inner_left:
            fits.append(f"the right one transposed, {format_shape(x.shape)} @ {format_shape(_swap(w).shape)},")
        if not fits and x.ndim >= 2 and w.ndim >= 2 and w.shape[-1] == x.shape[-2]:
            fits.append(f"the two in the other order, {format_shape(w.shape)} @ {format_shape(x.shape)},")
        if fits:
            hint += f"; {' or '.join(fits)} would fit, if that is what was meant"
    else:
        hint = "the leading (stacked) axes of the two operands must broadcast"
    raise InputError(f"shape mismatch: @ cannot multiply shapes {format_shape(x.shape)} and "
                     f"{format_shape(w.shape)}", hint=hint)


# The matrix product's rule is ∂L/∂X = ∂L/∂Y · Wᵀ and ∂L/∂W = Xᵀ · ∂L/∂Y. numpy treats a vector on the
# left as a row and on the right as a column and drops that axis from Y; m.T's value knows this, and
# puts the axis back for the product (an outer product where a vector's axis was dropped).

def _times_transposed(upstream, w):
    """∂L/∂Y · Wᵀ, W the right operand of Y = X @ W."""
    if np.ndim(w) == 1:                      # W was a column: Y lost its last axis
        return upstream * w if np.ndim(upstream) == 0 else np.multiply.outer(upstream, w)
    w_t = _swap(w)
    if np.ndim(upstream) < np.ndim(w_t):
        return (upstream[..., None, :] @ w_t)[..., 0, :]    # X was a row: Y lost its row axis
    return upstream @ w_t


def _transposed_times(x, upstream):
    """Xᵀ · ∂L/∂Y, X the left operand of Y = X @ W."""
    if np.ndim(x) == 1:                      # X was a row: Y lost its row axis
        if np.ndim(upstream) == 0:           # vector · vector
            return upstream * x
        return x[:, None] * upstream[..., None, :]
    x_t = _swap(x)
    if np.ndim(upstream) < np.ndim(x_t):     # W was a column: Y lost its last axis
        return (x_t @ upstream[..., None])[..., 0]
    return x_t @ upstream


class Transposed:
    """m.T(a) read on numbers: aᵀ, kept as `a` until it meets an operand of @, so the product can
    follow numpy's vector convention; any other use takes its value (`materialised`)."""

    __slots__ = ("of",)
    __array_ufunc__ = None      # numpy hands `upstream @ aᵀ` to __rmatmul__

    def __init__(self, of):
        self.of = of

    def materialised(self):
        return _swap(self.of)

    def __rmatmul__(self, upstream):
        return _times_transposed(upstream, self.of)

    def __matmul__(self, upstream):
        if not isinstance(upstream, (np.ndarray, np.float64, float)):
            return NotImplemented   # the factor reading's marker takes it from here
        return _transposed_times(self.of, upstream)


def _graph_matmul(g, left: int, right: int, x: int | None, w: int | None) -> int:
    """The same products read on nodes: a rule multiplies a number by ×, and ∂L/∂Y by Wᵀ (w: the W
    that m.T transposed) or Xᵀ (x: the X) by ∂L/∂Y as _times_transposed and _transposed_times do,
    putting back the axis numpy dropped from Y where a vector met a stack of matrices."""
    a, b = np.ndim(g.values[left]), np.ndim(g.values[right])
    if a == 0 or b == 0:
        return g("mul", left, right)
    if w is not None and np.ndim(g.values[w]) == 1:        # W was a column: ∂L/∂Y ⊗ w
        return g("outer", left, right)
    if x is not None and np.ndim(g.values[x]) == 1 and b >= 2:     # X was a row, W a stack: x ⊗ ∂L/∂Y
        return g("mul", g("expand_axis", left, g.const(-1.0)), g("expand_axis", right, g.const(-2.0)))
    if w is not None and 2 <= a < b:      # X was a row, W a stack: ∂L/∂Y's rows times Wᵀ
        return g("sum_axis", g("matmul", g("expand_axis", left, g.const(-2.0)), right), g.const(-2.0))
    if x is not None and 2 <= b < a:      # W was a column, X a stack: Xᵀ times ∂L/∂Y's columns
        return g("sum_axis", g("matmul", left, g("expand_axis", right, g.const(-1.0))), g.const(-1.0))
    return g("outer", left, right) if a == b == 1 else g("matmul", left, right)


GRAPH_MATMUL[0] = _graph_matmul


def positions(count: int, what: str, ones: str) -> str:
    """Where `count` axes or indices are, counted from either end: 'its axes are 0 and 1 (or -2 and -1,
    counted from the end)'; `what` names them ('its axes'), `ones` one of them ('its only axis')."""
    if count == 1:
        return f"{ones} is 0 (or -1, counted from the end)"
    between = "and" if count == 2 else "to"
    return f"{what} are 0 {between} {count - 1} (or -{count} {between} -1, counted from the end)"


def _axis(name: str, x, axis) -> int | tuple[int, ...]:
    """The axis of a reduction, checked against x's shape; several axes (axis=(0, 1), a constant
    array) as a tuple of them, each counted from the front."""
    ndim = np.ndim(x)
    if np.ndim(axis):
        axes = tuple(_axis(name, x, one) % max(ndim, 1) for one in np.ravel(axis))
        if len(set(axes)) < len(axes):
            raise InputError(f"an axis of {name} is named twice for shape {format_shape(np.shape(x))}",
                             hint="name each axis once (-1 and the last axis by number are the same)")
        return axes
    if axis != np.round(axis):
        raise InputError(f"the axis of {name} must be a whole number, got {float(axis):g}")
    if not ndim:
        raise InputError(f"{name} of a single number has no axis {int(axis)}",
                         hint=f"a single number has no axes: leave axis out, {name}(x)")
    if not -ndim <= axis < ndim:
        raise InputError(f"axis {int(axis)} is out of range for {name} of shape {format_shape(np.shape(x))}, "
                         f"which has {ndim} ax{'is' if ndim == 1 else 'es'}",
                         hint=f"{positions(ndim, 'its axes', 'its only axis')}; leave axis out for the {name} "
                              f"of every element")
    return int(axis)


def _length(x, along) -> int:
    """How many elements a reduction along an axis (or a tuple of axes) takes together."""
    return math.prod(np.shape(x)[a] for a in along) if isinstance(along, tuple) else np.shape(x)[along]


def _reduce_along(name: str, reduce):
    """sum(x, axis) and mean(x, axis)."""
    def forward(x, axis):
        return as_value(reduce(x, axis=_axis(name, x, axis)))
    return forward


def _spread(upstream, x, axis):
    """∂L/∂out spread back along the axis a reduction of x took away (each element's share: all of it)."""
    along = _axis("sum", x, axis)
    return np.broadcast_to(np.expand_dims(upstream, along), np.shape(x)).copy()


def _spread_graph(g, upstream, x, axis):
    """The same in graph form: the axis put back (keepdims), then broadcast by × ones of x's shape."""
    return g("mul", g("expand_axis", upstream, axis), g.const(np.ones(np.shape(g.values[x]))))


def _logsumexp(x):
    _need_array("logsumexp", x)
    top = np.max(x, axis=-1, keepdims=True)    # shift by the largest so exp never overflows
    return as_value(np.log(np.sum(np.exp(x - top), axis=-1)) + top[..., 0])


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


# Reductions whose sum or squares overflow (or underflow) where the result need not: each is computed
# as numpy does, and only a result that is not a normal finite float is computed again, scaled, so
# the digits of every ordinary case stay numpy's. norm([1e200, 1e200]) was inf, norm([1e-200]) 0.
_SMALLEST_NORMAL = 2.2250738585072014e-308


def _mean(x, axis=None):
    """np.mean, or the sum of x/n where the sum overflows but the mean does not ([1e308, 1e308])."""
    found = np.mean(x, axis=axis)
    if xp.any_(np.isinf(found)) and np.all(np.isfinite(x)):
        n = np.size(x) if axis is None else _length(x, axis)
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


def _norm_local(m, x, out):
    # At x = 0 the norm has no gradient; PyTorch takes the subgradient 0 there, and so does gradcalc.
    if out == 0:
        return np.zeros_like(x) if np.ndim(x) else np.float64(0.0)
    return x / out


def _prod_local(m, x, out):
    """∂Πx/∂xᵢ = the product of the other elements (exact at zeros: no division)."""
    flat = np.ravel(np.asarray(x, dtype=np.float64))
    before = np.concatenate(([1.0], np.cumprod(flat[:-1])))
    after = np.concatenate((np.cumprod(flat[::-1][:-1])[::-1], [1.0]))
    others = before * after
    return others.reshape(np.shape(x)) if np.ndim(x) else np.float64(1.0)



function("mean", lambda a: as_value(_mean(a)))
function("softmax", lambda a: _softmax(a))
function("reversed_axes", lambda up: as_value(np.transpose(up)), graph=lambda g, up: g("transpose_all", up),
         text=lambda up: Text("transposed", (up,)))
function("T", Transposed, graph=lambda g, a: Node(g, g("transpose", a), of=a),
         text=lambda a: Text("transposed", (a,)))
function("spread", _spread, graph=_spread_graph,
         text=lambda up, x, axis: words("{0} repeated along axis {1}", up, axis))
# an axis of size 1 put back at the end (the classes' axis a logsumexp took away)
function("expand_last", lambda a: np.expand_dims(a, -1), graph=lambda g, a: g("expand_axis", a, g.const(-1.0)),
         text=lambda a: a)
# The axis of size 1 that keepdims put back, taken out again: summing over it removes it.
function("drop_axis", lambda a, x, axis: np.reshape(a, np.shape(x)),
         graph=lambda g, a, x, axis: g("sum_axis", a, axis),
         text=lambda a, x, axis: words("{0} without axis {1}", a, axis))
# Σt along rows (keeping the axis); in the graph t @ ones (C, 1).
function("row_sums", lambda a: np.sum(a, axis=-1, keepdims=True),
         graph=lambda g, a: g("matmul", a, g.const(np.ones((np.shape(g.values[a])[-1], 1)))),
         text=lambda a: Text("summed", (a,)))
function("log_softmax", lambda a: _log_softmax(a), graph=lambda g, a: g("log", g("softmax", a)),
         text=lambda a: call_text("log softmax", a))
# N in cross_entropy: how many rows (examples) the loss is averaged over; 1 for a vector.
function("rows", lambda a: _rows(a), constant=True, text=lambda a: constant("N"))
function("length_along", lambda a, axis: _length(a, _axis("mean", a, axis)), constant=True,
         text=lambda a, axis: Text("indexed", (call_text("shape", a), axis)))
# Which elements a max or min takes: 1 where x equals the result, tied elements sharing it equally.
# Flat nearby, so a constant in the graph too.
function("ties", lambda x, out: _ties(x, out), constant=True,
         text=lambda x, out: words("1 where {0} = {1} (ties share it), else 0", x, out))


def _ties(x, out):
    at_max = (x == out) * 1.0
    return at_max / np.sum(at_max)


def _ones(m, x, *rest):
    return m.filled(x, 1.0)


def _vector_only(a):
    if np.ndim(a) > 1:
        raise InputError(f"this norm of a {format_shape(np.shape(a))} array is, for a matrix, an operator norm "
                         f"(1: the largest column sum, 2: the largest singular value, inf: the largest row "
                         f"sum), which gradcalc does not compute yet",
                         hint="for the sum of |entries| write sum(abs(A)); for the Frobenius norm, norm(A)")
    return a


def _one_value_only(said: str, hint: str):
    """The value itself when it is one number; an array refused, `said` naming its shape."""
    def check(a):
        if np.ndim(a) != 0:
            raise InputError(said.format(shape=format_shape(np.shape(a))), hint=hint)
        return a
    return check


_one_value = _one_value_only("jacfwd/jacrev of a function whose output is a {shape} array is its Jacobian, one "
                             "gradient per output value, which gradcalc does not show",
                             "take one output value at a time, f(x)[i]: its gradient is the Jacobian's row i")
_one_item = _one_value_only("an item of an array written with computed items is a {shape} array, where gradcalc "
                            "reads one value an item",
                            "write one value per item (x[0], 5*x[2]), or give the array as a value (--v)")


def _matrix_only(a):
    if np.ndim(a) < 2:
        raise InputError(f"TensorFlow's matmul with transpose_a or transpose_b takes matrices, not a "
                         f"{'number' if np.ndim(a) == 0 else 'vector'}",
                         hint="give a matrix (a vector as a row [[1, 2, 3]] or a column), or write a @ b")
    return a


def _inner_operand(a):
    if not 1 <= np.ndim(a) <= 2:
        raise InputError(f"np.inner of a {format_shape(np.shape(a))} array is read for vectors and matrices only "
                         f"(it contracts the last axes of every pair of rows of larger arrays)",
                         hint="for matrices np.inner(A, B) is A @ B.T; for a number, a * b")
    return a


def _matmul_right(a):
    if np.ndim(a) > 2:
        raise InputError(f"tensordot(a, b, axes=1) with b of shape {format_shape(np.shape(a))} is read only where b is "
                         f"a vector or a matrix (then it is a @ b)",
                         hint="write a @ b.reshape(k, -1), k the length of b's first axis: tensordot's numbers in a "
                              "matrix's shape (reshape the result if its shape matters)")
    return a


OPS.update({
    # Not callable from a program: [x[0], 5*x[2]] holds one value an item (a row would be stacking)
    "one_item": Op("one_item", "{0}", _one_item, (lambda m, a, out: 1.0,), keeps_finite=True),
    # Not callable from a program: jacfwd(f)(x) and jacrev(f)(x) are f's gradient when f gives one
    # value (its Jacobian, refused, otherwise).
    "one_value": Op("one_value", "{0}", _one_value, (lambda m, a, out: 1.0,), keeps_finite=True),
    # Not callable from a program: np.inner's operands, vectors or matrices, so inner(a, b) is a @ bᵀ
    "inner_operand": Op("inner", "{0}", _inner_operand, (lambda m, a, out: 1.0,), keeps_finite=True),
    # Not callable from a program: tensordot(a, b, axes=1)'s b, a vector or a matrix, so a @ b is it
    "matmul_right": Op("b", "{0}", _matmul_right, (lambda m, a, out: 1.0,), keeps_finite=True),
    # Not callable from a program: tf.matmul(a, b, transpose_a=True)'s operand, a matrix (or a stack of them)
    "matrix_only": Op("matrix", "{0}", _matrix_only, (lambda m, a, out: 1.0,), keeps_finite=True),
    # Not callable from a program: a norm of order p is its vector formula only on a vector (numpy,
    # JAX and torch.linalg take a matrix's operator norm): the value passes, a matrix is refused.
    "vector_only": Op("vector", "{0}", _vector_only, (lambda m, a, out: 1.0,), keeps_finite=True),
    # Not callable from a program: the graph form of undoing broadcasting, sum_to(grad, like) sums
    # grad down to like's shape; its own derivative spreads the upstream back out (× ones).
    "sum_to": Op("sum_to", "sum_to({0}, shape of {1})", lambda a, like: sum_to(a, np.shape(like)),
                 (_ones, lambda m, a, like, out: 0.0)),
    # Not callable either: the pieces the graph forms of @ and softmax are built from.
    "outer": Op("outer", "outer({0}, {1})", np.multiply.outer,
                vjp=(lambda m, g, a, b, out: g @ b, lambda m, g, a, b, out: m.T(g) @ a)),
    "sum_last": Op("sum_last", "sum of {0} along its last axis",
                   lambda x: np.sum(x, axis=-1, keepdims=True), (_ones,)),
    "matmul": Op("@", "{0} @ {1}", _matmul,
                 vjp=(lambda m, g, x, w, out: g @ m.T(w), lambda m, g, x, w, out: m.T(x) @ g),
                 names=("dot", "matmul"), domain="inner sizes agree"),
    "transpose": Op("ᵀ", "{0}ᵀ", _swap, vjp=(lambda m, g, x, out: m.T(g),), names=("transpose",), keeps_finite=True),
    # x.T (and Xᵀ, X^T in notes): every axis reversed, as NumPy's, JAX's and PyTorch's .T; a matrix's
    # transpose, where `transpose` above (x.mT, transpose(x)) swaps the last two axes of a stack
    "transpose_all": Op("ᵀ", "{0}ᵀ", lambda x: as_value(np.transpose(x)), vjp=(lambda m, g, x, out: m.reversed_axes(g),),
                        keeps_finite=True),
    "sum": unary("sum", lambda x: as_value(np.sum(x)), _ones, elementwise=False),
    "mean": unary("mean", lambda x: as_value(_mean(x)), lambda m, x, out: m.filled(x, 1.0 / m.size(x)),
                  elementwise=False),
    "sum_axis": Op("sum", "sum({0}, {1})", _sum_along, vjp=(lambda m, g, x, axis, out: m.spread(g, x, axis), None),
                   names=("sum",), domain="axis a whole number (or a tuple of them) written in the call"),
    "mean_axis": Op("mean", "mean({0}, {1})", _mean_along,
                    vjp=(lambda m, g, x, axis, out: m.spread(g / m.length_along(x, axis), x, axis), None),
                    names=("mean",), domain="axis a whole number (or a tuple of them) written in the call"),
    "max": unary("max", lambda x: as_value(np.max(x)), lambda m, x, out: m.ties(x, out),
                 piece=lambda x, out: x == out, elementwise=False,
                 kink="tied largest elements share the gradient equally", keeps_finite=True),
    "softmax": Op("softmax", "softmax({0})", _softmax,
                  vjp=(lambda m, g, x, out: out * (g - m.row_sums(g * out)),),
                  names=("softmax",), kink="along the last axis", keeps_finite=True),
    "logsumexp": Op("logsumexp", "logsumexp({0})", _logsumexp,
                    vjp=(lambda m, g, x, out: m.expand_last(g) * m.softmax(x),),
                    names=("logsumexp",), kink="along the last axis"),
    "cross_entropy": Op("cross_entropy", "cross_entropy({0}, {1})", _cross_entropy,
                        # Σt is each row's total, 1 for a one-hot or probability target; kept general
                        # so the function is differentiable in t as well (--check perturbs t too).
                        (lambda m, y, t, out: (m.softmax(y) * m.row_sums(t) - t) / m.rows(y),
                         lambda m, y, t, out: -m.log_softmax(y) / m.rows(y)),
                        names=("cross_entropy",), domain="same shapes; t one-hot or probabilities",
                        kink="mean over rows"),
    # Reductions of a whole array (of every element, as sum and max).
    "min": unary("min", lambda x: as_value(np.min(x)), lambda m, x, out: m.ties(x, out),
                 piece=lambda x, out: x == out, elementwise=False,
                 kink="tied smallest elements share the gradient equally", keeps_finite=True),
    "norm": unary("norm", _norm, lambda m, x, out: x / out, numeric=_norm_local, elementwise=False,
                  kink="0 at x = 0 (PyTorch)"),
    "prod": unary("prod", lambda x: np.float64(np.prod(x)), lambda m, x, out: out / x,
                  numeric=_prod_local, elementwise=False, kink="exact at zeros (no division)"),
    # var and std divide by n (numpy's default, ddof = 0), not n − 1 (PyTorch's default).
    "var": unary("var", _var, lambda m, x, out: (x - m.mean(x)) * (2.0 / m.size(x)), elementwise=False,
                 kink="divides by n, as numpy (PyTorch's default divides by n − 1)"),
    # (x − mean)/out/n: n·out would overflow first, std([1e308, -1e308])
    "std": unary("std", _std, lambda m, x, out: (x - m.mean(x)) / out / m.size(x), elementwise=False,
                 domain="derivative: elements not all equal", kink="divides by n, as numpy"),
})


# Pieces of the dialects (gradcalc/dialects.py) -----------------------------------------------------
# expand_axis: keepdims=True, an axis of size 1 put back after a reduction along it.

def _expand_axis(x, axis):
    return np.expand_dims(x, tuple(int(a) for a in np.ravel(axis)) if np.ndim(axis) else int(axis))


# x.shape (X.shape[0], len(x), x.size): sizes read off the value given, numbers with no gradient.
def _len(x):
    if not np.ndim(x):
        raise InputError("len needs an array: a single number has no length",
                         hint="len(x) is the size of x's first axis (3 for [1, 2, 3]); give x as an array, "
                              "or np.size(x) for how many numbers x holds")
    return np.float64(np.shape(x)[0])


OPS.update({
    "shape": Op("shape", "{0}.shape", lambda x: np.array(np.shape(x), dtype=np.float64),
                vjp=(lambda m, g, x, out: 0.0 * x,), keeps_finite=True, flat=(0,)),
    "len": Op("len", "len({0})", _len, vjp=(lambda m, g, x, out: 0.0 * x,), keeps_finite=True, flat=(0,)),
})

OPS.update({
    "expand_axis": Op("keepdims", "{0} with axis {1} kept", _expand_axis,
                      vjp=(lambda m, g, x, axis, out: m.drop_axis(g, x, axis), None), keeps_finite=True),
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
        if item is Ellipsis:
            return "..."
        text = ("" if item.start is None else str(item.start)) + ":" + \
            ("" if item.stop is None else str(item.stop))
        return text + (f":{item.step}" if item.step is not None else "")
    return "[" + ", ".join(map(part, key)) + "]"


def _check_index(x, key: Index, text: str) -> None:
    shape = np.shape(x)
    if not shape:
        raise InputError(f"cannot index a scalar: {text} needs an array",
                         hint="index a vector or a matrix, e.g. x[0] with --x [1,2,3]")
    if Ellipsis in key:     # x[..., 0]: the indices after ... are of the last axes
        if key.count(Ellipsis) > 1:
            raise InputError(f"{text} has ... twice", hint="write ... once: it stands for every axis not named")
        at = key.index(Ellipsis)
        after = len(key) - at - 1
        if at + after > len(shape):
            raise InputError(f"too many indices: {text} indexes {at + after} axes, but the shape "
                             f"{format_shape(shape)} has {len(shape)}", hint=f"give at most {len(shape)} indices")
        key = key[:at] + (slice(None),) * (len(shape) - at - after) + key[at + 1:]
    if len(key) > len(shape):
        raise InputError(f"too many indices: {text} indexes {len(key)} axes, but the shape "
                         f"{format_shape(shape)} has {len(shape)}",
                         hint=f"give at most {len(shape)} ind{'ex' if len(shape) == 1 else 'ices'}")
    for axis, (item, size) in enumerate(zip(key, shape)):
        if isinstance(item, int) and not -size <= item < size:
            raise InputError(f"index {item} is out of range for axis {axis} of shape "
                             f"{format_shape(shape)}", hint=_indices(axis, size))


def _indices(axis: int, size: int) -> str:
    """The indices an axis of `size` elements has, as a hint says it."""
    if not size:
        return f"axis {axis} is empty: it has no element to index"
    return positions(size, f"the indices of axis {axis}", f"the only index of axis {axis}")


def _scatter(upstream, shape, key: Index):
    grad = np.zeros(shape)
    grad[key] = upstream
    return grad


# x[key]'s rule puts g back at the positions taken (m.place); the scatter's takes them again (m.take).
function("place", lambda up, like, key: _scatter(up, np.shape(like), key),
         graph=lambda g, up, like, key: g(f"scatter{index_text(key)}", up, like),
         text=lambda up, like, key: words(f"{{0}} placed at {index_text(key)}, zeros elsewhere", up))
function("take", lambda up, key: as_value(np.array(np.asarray(up)[key])),
         graph=lambda g, up, key: g(f"index{index_text(key)}", up),
         text=lambda up, key: Text("indexed", (up, index_text(key))))


def index_op(key: Index) -> str:
    """The op taking x[key] (registered in OPS on first use); returns its key in OPS."""
    text = index_text(key)
    name, back = f"index{text}", f"scatter{text}"
    if name in OPS:
        return name

    def take(x):
        _check_index(x, key, text)
        return as_value(np.array(np.asarray(x)[key]))

    def place(upstream, like):
        return _scatter(upstream, np.shape(like), key)

    OPS[back] = Op("scatter", f"{{0}} placed at {text} in zeros shaped like {{1}}", place,
                   vjp=(lambda m, g, u, like, out: m.take(g, key), lambda m, g, u, like, out: m.filled(like, 0.0)),
                   keeps_finite=True)
    OPS[name] = Op(text, f"{{0}}{text}", take, vjp=(lambda m, g, x, out: m.place(g, x, key),), keeps_finite=True)
    return name


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


# Integer-array indexing ----------------------------------------------------------------------------
# probs[range(N), y], x[[0, 2, 2]], X[:, y]: numpy's advanced indexing, the index arrays read when the
# program runs (a list written in the program, an input of whole numbers, or range(n) of a number).
# The pattern says, per axis, a slice or int written in the program, "index" (an input of whole
# numbers) or "range" (an input n, meaning 0, 1, …, n − 1). The gradient is scattered back into zeros
# with np.add.at, so a position taken twice receives both upstreams; the indices get none.

Pattern = tuple[int | slice | str, ...]


def _take_key(pattern: Pattern, indices) -> tuple:
    key, k = [], 0
    for item in pattern:
        if item not in ("index", "range"):
            key.append(item)
            continue
        value = np.asarray(indices[k], dtype=float)
        k += 1
        if not np.all(np.isfinite(value)) or np.any(value != np.round(value)):
            bad = value[~(np.isfinite(value) & (value == np.round(value)))].flat[0]
            raise InputError(f"an index must hold whole numbers, got {float(bad):g}",
                             hint="give the index as a whole number (1) or whole numbers ([0, 2, 1])")
        if item == "range":
            if value.ndim or value < 0:
                raise InputError("range(n) needs one whole number n ≥ 0", hint="write range(3)")
            key.append(np.arange(int(value)))
        else:
            key.append(value.astype(np.intp))
    return tuple(key)


def _take_text(pattern: Pattern) -> str:
    parts = []
    for item in pattern:
        if item == "index":
            parts.append("·")
        elif item == "range":
            parts.append("range(·)")
        else:
            parts.append(index_text((item,))[1:-1])
    return "[" + ", ".join(parts) + "]"


def _added_at(upstream, x, pattern: Pattern, indices):
    grad = np.zeros(np.shape(x))
    np.add.at(grad, _take_key(pattern, indices), upstream)
    return grad


def _taken_at(up, pattern: Pattern, indices):
    return as_value(np.array(np.asarray(up)[_take_key(pattern, indices)]))


# x[y]'s rule adds g back at the positions taken (m.added_at); that op's rule takes them again (m.taken_at).
function("added_at", _added_at,
         graph=lambda g, up, x, pattern, indices: g(take_op(pattern, back=True), up, x, *(i.id for i in indices)),
         text=lambda up, x, pattern, indices: words(f"{{0}} added at {_take_text(pattern)}, zeros elsewhere", up))
function("taken_at", _taken_at,
         graph=lambda g, up, pattern, indices: g(take_op(pattern), up, *(i.id for i in indices)),
         text=lambda up, pattern, indices: Text("indexed", (up, _take_text(pattern))))


def take_op(pattern: Pattern, back: bool = False) -> str:
    """The op taking x[key] for a key with index arrays (registered in OPS on first use): inputs
    (x, *the index inputs, in the pattern's order). With `back`, the op of its gradient: inputs
    (∂L/∂out, x, *the index inputs), ∂L/∂out added into zeros shaped like x at the positions taken."""
    text = _take_text(pattern)
    name = f"take{text}"
    if name in OPS:
        return f"added_at{text}" if back else name
    inputs = sum(item in ("index", "range") for item in pattern)
    # The index inputs (after `first` others) take no gradient.
    def no_gradient(first):
        return tuple((lambda k: lambda m, g, *args: m.filled(args[first + k], 0.0))(k) for k in range(inputs))

    def take(x, *indices):
        key = _take_key(pattern, indices)
        shape = np.shape(x)
        if len(key) > len(shape):
            raise InputError(f"too many indices: {text} indexes {len(key)} axes, but the shape "
                             f"{format_shape(shape)} has {len(shape)}",
                             hint=f"give at most {len(shape)} indices")
        for axis, (item, size) in enumerate(zip(key, shape)):
            if not isinstance(item, slice) and np.size(item) and \
                    (np.max(item) >= size or np.min(item) < -size):
                raise InputError(f"an index is out of range for axis {axis} of shape {format_shape(shape)}",
                                 hint=_indices(axis, size))
        return as_value(np.array(np.asarray(x)[key]))

    # g added back at the positions taken (np.add.at: a position taken twice gets both); the adding's
    # own rule takes the same positions again.
    OPS[name] = Op(text, f"{{0}}{text}", take,
                   vjp=(lambda m, g, x, *rest: m.added_at(g, x, pattern, rest[:-1]),) + no_gradient(1),
                   flat=tuple(range(1, inputs + 1)),
                   keeps_finite=True)
    OPS[f"added_at{text}"] = Op("added at", f"{{0}} added at {text} in zeros shaped like {{1}}",
                                lambda up, x, *indices: _added_at(up, x, pattern, indices),
                                vjp=(lambda m, g, up, x, *rest: m.taken_at(g, pattern, rest[:-1]),
                                     lambda m, g, up, x, *rest: m.filled(x, 0.0)) + no_gradient(2),
                                keeps_finite=True, flat=tuple(range(1, inputs + 2)))
    return f"added_at{text}" if back else name


def _count(n) -> int:
    """The upper bound n of \\sum_{i=1}^{n} as the count of terms: one whole number ≥ 0, else refused."""
    if np.ndim(n) != 0:
        raise InputError(f"the upper bound of a sum is one number, got an array of shape {format_shape(np.shape(n))}",
                         hint="give the bound as one whole number, the count of terms")
    count = float(n)
    if not math.isfinite(count) or count != round(count) or count < 0:
        raise InputError(f"the upper bound of a sum counts its terms: a whole number ≥ 0, got {count:g}",
                         hint="give the bound as a whole number, e.g. the length of the arrays summed")
    return int(count)


def _terms(axis: int) -> Op:
    """The terms 1 to n of a sum or product written with its upper bound (LaTeX's \\sum_{i=1}^{n}, read
    over the arrays whose elements it names): the first n along `axis` of the summand computed over them.
    A bound past the arrays' length is refused (the caret on it); the gradient is x[:n]'s, the upstream
    put back in zeros, the bound's none."""
    pattern: Pattern = (slice(None),) * axis + ("range",)
    along = "" if axis == 0 else " along the rows"

    def forward(x, n):
        count, shape = _count(n), np.shape(x)
        if len(shape) <= axis:
            raise InputError(f"the summand of a sum up to {count} is {'one number' if not shape else 'a vector'}, "
                             f"where its terms are the elements of arrays{along}",
                             hint="give the arrays whose elements the summand names (x_i) as arrays")
        if shape[axis] < count:
            raise InputError(f"the sum's upper bound asks for {count} terms, but its arrays have "
                             f"{shape[axis]} elements{along}",
                             hint=f"give arrays of {count} elements, or a bound of at most {shape[axis]}")
        return _taken_at(x, pattern, (count,))

    return Op("terms", "{0}[" + ":, " * axis + ":{1}]", forward,
              vjp=(lambda m, g, x, n, out: m.added_at(g, x, pattern, (n,)), lambda m, g, x, n, out: m.filled(n, 0.0)),
              flat=(1,), keeps_finite=True)


def _repeated(x, n):
    """\\sum_{i=1}^{n} c, a summand without the index: n terms, each c (one number)."""
    count = _count(n)
    if np.ndim(x):
        raise InputError(f"the summand of this sum names no element of its index (x_i) but is a "
                         f"{format_shape(np.shape(x))} array: adding it {count} times gives an array",
                         hint="write the elements it adds, x_i (\\sum_{i=1}^{n} x_i sums the array x)")
    return np.full(count, float(x))


def _some_case(x, held):
    """A cases environment's last row when it has a condition of its own: its value, where some row's
    condition holds (`held`, the rows' conditions added up); where none does, the formula says nothing."""
    if np.any(np.asarray(held) <= 0):
        point = "" if not np.ndim(held) else f" (at {int(np.sum(np.asarray(held) <= 0))} of its elements)"
        raise InputError(f"no row of the cases holds at this point{point}: the formula is not defined there",
                         hint="give a point one of the rows' conditions holds at, or end the cases with "
                              "a row for every other case (value & \\text{otherwise})")
    return as_value(x)


OPS.update({
    # Not callable from a program: LaTeX's cases whose last row has a condition (mathtext._cases)
    "some_case": Op("some_case", "{0} where a row holds", _some_case,
                    (lambda m, x, held, out: 1.0, lambda m, x, held, out: m.filled(held, 0.0)),
                    flat=(1,), keeps_finite=True),
    # Not callable from a program: \sum_{i=1}^{n} x_i^2 in LaTeX is sum(terms(x**2, n)), the first n terms of
    # the summand over the arrays (n checked against their length when the graph runs); \sum_{k=1}^{K}
    # \sum_{l=1}^{L} W_{k,l} bounds the rows by K and the columns by L (terms_columns); \sum_{i=1}^{n} c,
    # no index in the summand, is n terms c (repeated).
    "terms": _terms(0),
    "terms_columns": _terms(1),
    "repeated": Op("repeated", "{0} repeated {1} times", _repeated,
                   (lambda m, x, n, out: m.filled(out, 1.0), lambda m, x, n, out: m.filled(n, 0.0)),
                   flat=(1,), keeps_finite=True),
})


# Reshaping and max/min along an axis (the dialects' x.reshape(2, 3), x.view(-1), np.max(x, axis=0),
# x.max(dim=1)) ----------------------------------------------------------------------------------------

def _reshape(x, shape):
    wanted = tuple(int(s) for s in np.atleast_1d(shape))
    try:
        return as_value(np.reshape(np.asarray(x), wanted))
    except ValueError:
        raise InputError(f"cannot reshape shape {format_shape(np.shape(x))} ({np.size(x)} numbers) into "
                         f"{format_shape(wanted)}", hint="the new shape must hold as many numbers; "
                         "-1 stands for whatever size fits") from None


def _ties_along(x, axis, out):
    along = _axis("max", x, axis)
    at = (np.asarray(x) == np.expand_dims(out, along)) * 1.0
    return at / np.sum(at, axis=along, keepdims=True)


# The upstream of a reshape given its input's shape again.
function("reshaped_like", lambda a, x: np.reshape(a, np.shape(x)),
         graph=lambda g, a, x: g("reshape", a, g.const(np.array(np.shape(g.values[x]), dtype=np.float64))),
         text=lambda a, x: words("{0} reshaped back", a))


# x.squeeze(0), np.expand_dims(x, 0), x.unsqueeze(1): the same numbers with axes of size 1 taken away
# or put in, the axes checked against x's shape when the program runs; their gradient is reshape's.
def _squeeze(x, axis=None):
    shape = np.shape(x)
    if axis is None:
        return as_value(np.reshape(np.asarray(x), tuple(n for n in shape if n != 1)))
    try:
        along = _axis("squeeze", x, axis)
    except InputError as error:
        if not np.ndim(x):
            raise
        raise InputError(str(error), hint=f"{positions(np.ndim(x), 'its axes', 'its only axis')}; leave the axis "
                                          "out to take away every axis of length 1") from None
    along = along if isinstance(along, tuple) else (along % len(shape),)
    wrong = [a for a in along if shape[a] != 1]
    if wrong:
        raise InputError(f"cannot squeeze axis {wrong[0]} of shape {format_shape(shape)}: its length is "
                         f"{shape[wrong[0]]}, not 1", hint="squeeze takes away axes of length 1 only: PyTorch "
                         "leaves the value as it is here (write the value itself for that), NumPy, JAX and "
                         "TensorFlow refuse")
    return as_value(np.reshape(np.asarray(x), tuple(n for i, n in enumerate(shape) if i not in along)))


def _unsqueeze(x, axis):
    axes = [float(a) for a in np.ravel(axis)]
    ndim = np.ndim(x) + len(axes)
    for a in axes:
        if a != round(a) or not -ndim <= a < ndim:
            raise InputError(f"axis {a:g} is out of range for putting in an axis: the result would have "
                             f"{ndim} ax{'is' if ndim == 1 else 'es'}",
                             hint=f"the new axis goes at {-ndim} to {ndim - 1} "
                                  f"(0 puts it first, -1 last) for a value of shape {format_shape(np.shape(x))}")
    return as_value(np.expand_dims(np.asarray(x), tuple(int(a) for a in axes)))


OPS.update({
    "squeeze_all": Op("squeeze", "{0} squeezed", _squeeze,
                      vjp=(lambda m, g, x, out: m.reshaped_like(g, x),), keeps_finite=True),
    "squeeze": Op("squeeze", "{0} without axis {1}", _squeeze,
                  vjp=(lambda m, g, x, axis, out: m.reshaped_like(g, x), None), keeps_finite=True),
    "unsqueeze": Op("unsqueeze", "{0} with a new axis {1}", _unsqueeze,
                    vjp=(lambda m, g, x, axis, out: m.reshaped_like(g, x), None), keeps_finite=True),
})


# Which elements a max or min along the axis takes: 1 there, ties along the axis sharing it equally.
function("ties_along", lambda x, axis, out: _ties_along(x, axis, out), constant=True,
         text=lambda x, axis, out: words("1 where {0} = {1} along axis {2} (ties share it), else 0", x, out, axis))


def _first_along(x, axis, out):
    along = _axis("max", x, axis)
    at = np.asarray(x) == np.expand_dims(out, along)
    return (at & (np.cumsum(at, axis=along) == 1)) * 1.0


# PyTorch's x.max(dim) and x.min(dim): the first of tied elements along the axis takes it all (the
# index they return; torch documents the first), where x.max() and torch.amax share it.
function("first_along", lambda x, axis, out: _first_along(x, axis, out), constant=True,
         text=lambda x, axis, out: words("1 at the first {0} = {1} along axis {2}, else 0", x, out, axis))


def _extreme_along(name: str, first: bool = False):
    # ∂L/∂out spread back along the axis, to the largest (smallest) elements only, ties sharing it (or
    # the first of them taking it, as PyTorch's max(dim))
    return Op(name, f"{name}({{0}}, axis {{1}})",
              lambda x, axis: as_value(getattr(np, name)(x, axis=_axis(name, x, axis))),
              vjp=(lambda m, g, x, axis, out: m.spread(g, x, axis) * (m.first_along(x, axis, out) if first
                                                                       else m.ties_along(x, axis, out)), None),
              piece=lambda x, axis, out: np.asarray(x) == np.expand_dims(out, _axis(name, x, axis)),
              kink="the first of tied elements along the axis takes the gradient (PyTorch's max(dim))" if first
              else "tied elements along the axis share the gradient equally", keeps_finite=True)


OPS.update({
    "reshape": Op("reshape", "{0} reshaped to {1}", _reshape,
                  vjp=(lambda m, g, x, shape, out: m.reshaped_like(g, x), None), keeps_finite=True),
    # y.reshape(y_hat.shape), y.reshape_as(y_hat) (d2l's squared_loss): the shape read off the other
    # value when the program runs, which gets no gradient from it
    "reshape_as": Op("reshape_as", "{0} reshaped as {1}", lambda x, y: _reshape(x, np.shape(y)),
                     vjp=(lambda m, g, x, y, out: m.reshaped_like(g, x), lambda m, g, x, y, out: 0.0 * y),
                     keeps_finite=True, flat=(1,)),
    "max_axis": _extreme_along("max"),    # numpy's max and min are looked up when called: no import
    "min_axis": _extreme_along("min"),
    "max_axis_first": _extreme_along("max", first=True),
    "min_axis_first": _extreme_along("min", first=True),
})


# PyTorch's cross_entropy and nll_loss take their target as class indices (a LongTensor of labels, x's
# shape without its class axis) or as probabilities shaped like x; which one is known when the program
# runs, from the shapes. This op gives the probabilities: the target as it is, or its labels as
# one-hot rows. `indices` (1): labels only, as tf.nn.sparse_softmax_cross_entropy_with_logits takes.
def _class_targets(t, x, indices=0.0):
    shape, given = np.shape(x), np.shape(t)
    if len(shape) > 2:
        raise InputError(f"a loss over classes reads logits of 1 or 2 axes (C) or (N, C), got "
                         f"{format_shape(shape)}", hint="give one row of scores per example, the classes "
                                                        "along the last axis")
    if given == shape and len(shape) and not indices:
        return as_value(t)
    if not shape or given != shape[:-1]:
        want = f"{format_shape(shape[:-1])} (class indices)" + ("" if indices else f" or {format_shape(shape)} "
                                                                                   "(probabilities)")
        raise InputError(f"shape mismatch: the target must be {want}, got {format_shape(given)}",
                         hint="give one class index (0 to C − 1) per row of the logits" +
                              ("" if indices else ", or one row of probabilities per row"))
    labels, classes = np.asarray(t, dtype=float), shape[-1]
    bad = ~np.isfinite(labels) | (labels != np.round(labels)) | (labels < 0) | (labels >= classes)
    if np.any(bad):
        raise InputError(f"a class index must be a whole number from 0 to {classes - 1}, got "
                         f"{float(labels[bad].flat[0]):g}", hint=f"give each label as one of 0 … {classes - 1}")
    return as_value((labels[..., None] == np.arange(classes)) * 1.0)


def _one_hot_of(t, depth):
    """tf.one_hot(t, depth) with depth known when the program runs (y_hat.shape[-1]): 1 where the label is,
    0 elsewhere, as TensorFlow makes it (a label outside 0 … depth − 1 makes a row of zeros)."""
    if np.ndim(depth) or not 0 < depth <= 10 ** 5 or depth != int(depth):     # nan fails the bounds first
        got = f"an array of shape {format_shape(np.shape(depth))}" if np.ndim(depth) else f"{float(depth):g}"
        raise InputError(f"one_hot's depth must be a whole number from 1 to 100000, got {got}",
                         hint="give the number of classes, e.g. depth=3")
    return as_value((np.asarray(t, dtype=float)[..., None] == np.arange(int(depth))) * 1.0)


def _dense_kernel(kernel, units):
    if np.ndim(kernel) != 2 or np.shape(kernel)[1] != units:
        raise InputError(f"a Dense({int(units)}) layer's kernel is a matrix of {int(units)} columns (inputs × units), "
                         f"got shape {format_shape(np.shape(kernel))}", hint=f"give --kernel as an inputs × {int(units)} matrix")
    return kernel


def _dense_bias(bias, units):
    if np.shape(bias) != (units,):
        raise InputError(f"a Dense({int(units)}) layer's bias is a vector of {int(units)} numbers, got shape "
                         f"{format_shape(np.shape(bias))}", hint=f"give --bias as {int(units)} numbers")
    return bias


def _one_condition(c):
    if np.size(c) != 1:
        raise InputError(f"an if statement's condition is one number, got an array of shape {format_shape(np.shape(c))} "
                         f"(Python's if raises there: the truth of several elements is ambiguous)",
                         hint="write the choice for each element, np.where(c, a, b), or reduce the condition, (c).all()")
    return c


def _loop_ended(running, x):
    if np.any(np.asarray(running) != 0):
        from ..limits import LOOP_STEPS

        raise InputError(f"the loop still runs after {LOOP_STEPS} steps, the most gradcalc unrolls (at these values)",
                         hint="write what the loop computes as one formula, or give values for which it ends sooner")
    return x


def _mask_positions(mask, x):
    """Where tf.boolean_mask(x, mask) and x[mask] take x's elements: the positions of mask's nonzero elements in
    x's leading axes flattened (_masked_rows), in order (row by row), for a mask of x's shape or of its first axes."""
    if not np.ndim(mask) or np.shape(mask) != np.shape(x)[:np.ndim(mask)]:
        raise InputError(f"a mask is read with the array's shape {format_shape(np.shape(x))} or that of its first axes, "
                         f"got {format_shape(np.shape(mask))}",
                         hint="give a mask of 0s and 1s (or True/False) shaped like the array, or like its rows")
    flat = np.asarray(mask, dtype=float).reshape(-1)
    if not np.all((flat == 0) | (flat == 1)):
        raise InputError("boolean_mask's mask must hold 0s and 1s (True and False)", hint="give a mask of 0s and 1s")
    return as_value(np.flatnonzero(flat).astype(float))


def _masked_rows(x, mask):
    """x with the axes a mask covers flattened into one (x itself flattened for a mask of its shape)."""
    _mask_positions(mask, x)
    return np.reshape(np.asarray(x), (-1,) + np.shape(x)[np.ndim(mask):])


def _same_shape(a, b) -> bool:
    return np.shape(a) == np.shape(b)


# The target's gradient: the upstream where it is probabilities; labels (whole numbers) get none.
function("class_targets_back", lambda g, t, x, indices: g if _same_shape(t, x) and not indices else np.zeros(np.shape(t)),
         graph=lambda G, g, t, x, indices: g if _same_shape(G.values[t], G.values[x]) and not G.values[indices]
         else G("mul", t, G.const(0.0)),
         text=lambda g, t, x, indices: words("{0} where {1} holds probabilities, 0 where it holds labels", g, t))

OPS.update({
    # tf.one_hot(t, depth=X.shape[-1]), tf.boolean_mask(x, mask)'s positions: no gradient, as TensorFlow gives none
    "one_hot_of": Op("one_hot", "one_hot({0}, {1})", _one_hot_of,
                     vjp=(lambda m, g, t, depth, out: 0.0 * t, lambda m, g, t, depth, out: 0.0 * depth), keeps_finite=True),
    # Keras' Dense(units) layer's kernel, checked to be inputs × units: it passes unchanged
    "dense_kernel": Op("kernel", "{0}", _dense_kernel, vjp=(lambda m, g, kernel, units, out: g, None), keeps_finite=True),
    # an if statement's condition, read as a if c else b: one number, as Python's if takes (no gradient)
    "one_condition": Op("condition", "{0}", _one_condition, vjp=(lambda m, g, c, out: 0.0 * c,), keeps_finite=True),
    # a loop unrolled to its most steps (gradcalc/pyflow.py): x, where the loop has ended by then
    "loop_ended": Op("loop", "{1}", _loop_ended, vjp=(lambda m, g, running, x, out: 0.0 * running,
                                                      lambda m, g, running, x, out: g), keeps_finite=True),
    "dense_bias": Op("bias", "{0}", _dense_bias, vjp=(lambda m, g, bias, units, out: g, None), keeps_finite=True),
    "masked_rows": Op("masked_rows", "{0} with the axes of {1} flattened", _masked_rows,
                      vjp=(lambda m, g, x, mask, out: m.reshaped_like(g, x), lambda m, g, x, mask, out: 0.0 * mask),
                      keeps_finite=True, flat=(1,)),
    "mask_positions": Op("mask_positions", "positions of {0}'s 1s in {1}", _mask_positions,
                         vjp=(lambda m, g, mask, x, out: 0.0 * mask, lambda m, g, mask, x, out: 0.0 * x), keeps_finite=True),
    # 1 where a loss's target holds class indices, 0 where it holds probabilities; the rows a loss averages over
    "target_kind": Op("target_kind", "1 if {0} holds class indices for {1}, else 0",
                      lambda t, x: np.float64(np.shape(t) != np.shape(x)),
                      vjp=(lambda m, g, t, x, out: 0.0 * t, lambda m, g, t, x, out: 0.0 * x), keeps_finite=True, flat=(0, 1)),
    "rows_of": Op("rows", "the rows of {0}", lambda x: np.float64(_rows(x)), vjp=(lambda m, g, x, out: 0.0 * x,),
                  keeps_finite=True, flat=(0,)),
    "class_targets": Op("class_targets", "{0} as probabilities over {1}'s classes", _class_targets,
                        vjp=(lambda m, g, t, x, indices, out: m.class_targets_back(g, t, x, indices),
                             lambda m, g, t, x, indices, out: 0.0 * x, None),
                        keeps_finite=True, flat=(1,)),
})


def _at_index(i, x, v):
    """x[i] = v in a pasted program (CS231n's margins[y] = 0), read as where(this, v, x): 1 at i of a
    vector x, 0 elsewhere; v one number, as numpy assigns one element."""
    shape = np.shape(x)
    if len(shape) != 1 or np.shape(i) or np.shape(v):
        raise InputError(f"x[i] = v is read for a vector x, one whole number i and one number v, got shapes "
                         f"{format_shape(shape)}, {format_shape(np.shape(i))} and {format_shape(np.shape(v))}",
                         hint="write the new value as one formula of x (gradcalc reads x[i] = v of a vector)")
    at = float(i)
    if not np.isfinite(at) or at != round(at) or not -shape[0] <= at < shape[0]:
        raise InputError(f"an index must be a whole number from {-shape[0]} to {shape[0] - 1}, got {at:g}",
                         hint=_indices(0, shape[0]))
    return as_value((np.arange(shape[0]) == int(at) % shape[0]) * 1.0)


OPS.update({
    "at_index": Op("at_index", "1 at {0} of {1}, else 0", _at_index,
                   vjp=(lambda m, g, i, x, v, out: 0.0 * i, lambda m, g, i, x, v, out: 0.0 * x,
                        lambda m, g, i, x, v, out: 0.0 * v), keeps_finite=True, flat=(0, 1, 2)),
})


# Joining and moving axes (np.concatenate, torch.cat, tf.concat, stack, x.permute, np.transpose(x, axes),
# torch.transpose(x, 0, 2)) ----------------------------------------------------------------------------
# concatenate joins two arrays along an axis (a list of more is folded pairwise by the dialects; stack is
# concatenate of each with a new axis of size 1); its gradient is the upstream cut back into the two parts.

def _joined_axis(a, b, axis) -> int:
    """The axis two arrays are joined along, counted from the front, with their shapes checked."""
    shapes = np.shape(a), np.shape(b)
    if not shapes[0] or not shapes[1]:
        raise InputError("a single number cannot be concatenated: concatenate joins arrays along an axis they have",
                         hint="to make a vector of numbers write stack([a, b]) (np.stack, torch.stack, tf.stack)")
    if len(shapes[0]) != len(shapes[1]):
        raise InputError(f"concatenate joins arrays with as many axes, got shapes {format_shape(shapes[0])} "
                         f"and {format_shape(shapes[1])}", hint="give both the same number of axes (reshape one)")
    along = _axis("concatenate", a, axis) % len(shapes[0])
    if any(m != n for k, (m, n) in enumerate(zip(*shapes)) if k != along):
        raise InputError(f"shape mismatch: shapes {format_shape(shapes[0])} and {format_shape(shapes[1])} cannot "
                         f"be joined along axis {along}: they must agree on every other axis",
                         hint="stack needs arrays of one shape; concatenate, arrays that differ only along the axis")
    return along


def _concatenate(a, b, axis):
    return np.concatenate([np.asarray(a), np.asarray(b)], axis=_joined_axis(a, b, axis))


def _part_key(a, axis, which) -> Index:
    """The index of concatenate's input `which` (0 or 1) in its output: a slice along the axis."""
    along = int(axis) % np.ndim(a)
    size = np.shape(a)[along]
    return (slice(None),) * along + ((slice(0, size),) if which == 0 else (slice(size, None),))


# ∂L/∂out cut back to the part one input of concatenate fills: an index of the upstream (a slice along the axis)
function("part", lambda up, a, axis, which: as_value(np.array(np.asarray(up)[_part_key(a, axis, which)])),
         graph=lambda g, up, a, axis, which: g(index_op(_part_key(g.values[a], g.values[axis], g.values[which])), up),
         text=lambda up, a, axis, which: words("{0}'s part from {1} along axis {2}", up, a, axis))


def _permutation(x, axes) -> tuple[int, ...]:
    """The order of x's axes that `axes` names, checked; no axes named: all of them reversed (np.transpose(x))."""
    ndim = np.ndim(x)
    if not np.size(axes):
        return tuple(reversed(range(ndim)))
    order = tuple(int(a) % max(ndim, 1) if -ndim <= a < ndim else int(a) for a in np.ravel(axes))
    if sorted(order) != list(range(ndim)):
        raise InputError(f"the axes {tuple(int(a) for a in np.ravel(axes))} are not an order of the {ndim} axes of shape "
                         f"{format_shape(np.shape(x))}", hint=f"name each of its axes once, e.g. "
                                                              f"{tuple(reversed(range(ndim)))} to reverse them")
    return order


def _swapped(x, pair) -> tuple[int, ...]:
    """The order of x's axes with the two of `pair` swapped (torch.transpose(x, 0, 2), np.swapaxes)."""
    first, second = (_axis("transpose", x, a) for a in np.ravel(pair))
    order = list(range(np.ndim(x)))
    order[first], order[second] = order[second], order[first]
    return tuple(order)


# The inverse of a permutation (the upstream's axes put back), a number in the graph too.
function("unpermuted", lambda x, axes: np.argsort(_permutation(x, axes)).astype(np.float64), constant=True,
         text=lambda x, axes: words("the inverse order of {0}", axes))

OPS.update({
    "concatenate": Op("concatenate", "concatenate({0}, {1}, axis {2})", _concatenate,
                      vjp=(lambda m, g, a, b, axis, out: m.part(g, a, axis, 0.0),
                           lambda m, g, a, b, axis, out: m.part(g, a, axis, 1.0), None), keeps_finite=True),
    # x.permute(2, 0, 1), np.transpose(x, (1, 0, 2)): the axes in a new order; its gradient the inverse order
    "permute": Op("permute", "{0} with axes in order {1}", lambda x, axes: np.transpose(x, _permutation(x, axes)),
                  vjp=(lambda m, g, x, axes, out: m.permuted(g, m.unpermuted(x, axes)), None), keeps_finite=True),
    # torch.transpose(x, 0, 2), np.swapaxes(x, 0, 1): two axes swapped; swapping them again is its gradient
    "swap_axes": Op("swapaxes", "{0} with axes {1} swapped", lambda x, pair: np.transpose(x, _swapped(x, pair)),
                    vjp=(lambda m, g, x, pair, out: m.swapped(g, pair), None), keeps_finite=True),
})
function("permuted", lambda up, axes: np.transpose(up, tuple(int(a) for a in np.ravel(axes))),
         graph=lambda g, up, axes: g("permute", up, axes), text=lambda up, axes: words("{0} with axes in order {1}", up, axes))
function("swapped", lambda up, pair: np.transpose(up, _swapped(up, pair)),
         graph=lambda g, up, pair: g("swap_axes", up, pair), text=lambda up, pair: words("{0} with axes {1} swapped", up, pair))


# Linear algebra: trace, diag, det and inv of a matrix (np.trace, torch.diag, np.linalg.det, torch.linalg.inv,
# tf.linalg.*). ∂tr(A)/∂A = I; ∂det(A)/∂A = det(A)·A⁻ᵀ (the cofactor matrix, exact at a singular A too);
# ∂L/∂A of A⁻¹ = −A⁻ᵀ·(∂L/∂A⁻¹)·A⁻ᵀ, so a singular A has no inverse and no gradient (exit 3).

def _matrix(name: str, a, square: bool = True):
    shape = np.shape(a)
    if len(shape) != 2 or square and shape[0] != shape[1]:
        what = "a square matrix" if square else "a matrix"
        raise InputError(f"{name} takes {what}, got shape {format_shape(shape)}",
                         hint=f"give {name} one {'n × n' if square else 'n × m'} matrix"
                              + (" (a stack of matrices is not read yet)" if len(shape) > 2 else ""))
    return np.asarray(a, dtype=np.float64)


def _inverse(a):
    a = _matrix("inv", a)
    try:
        return np.linalg.inv(a)
    except np.linalg.LinAlgError:
        return np.full(a.shape, np.nan)       # refused by _singular (exit 3), as any value not finite


def _singular(a):
    return ("the matrix is singular (its determinant is 0): it has no inverse",
            "give a matrix whose rows are independent; det(A) has a gradient there, inv(A) has none")


def _cofactors(a, out):
    """det(A)·A⁻ᵀ, the cofactor matrix: each cofactor from its minor up to 8 × 8 (no inverse, so exact at a
    singular A too, as PyTorch's and JAX's), det(A)·A⁻ᵀ for larger A where det(A) ≠ 0."""
    a = np.asarray(a, dtype=np.float64)
    if out != 0 and a.shape[0] > 8:
        return out * np.linalg.inv(a).T
    n = a.shape[0]
    if n == 1:
        return np.ones((1, 1))
    found = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            minor = np.delete(np.delete(a, i, axis=0), j, axis=1)
            found[i, j] = (-1) ** (i + j) * np.linalg.det(minor)
    return found


def _diag(x):
    """np.diag, torch.diag: a vector on the diagonal of a square matrix, or a matrix's diagonal."""
    if np.ndim(x) not in (1, 2):
        raise InputError(f"diag takes a vector (made the diagonal of a matrix) or a matrix (its diagonal is taken), "
                         f"got shape {format_shape(np.shape(x))}", hint="give diag a vector or a matrix")
    return np.diag(np.asarray(x, dtype=np.float64)).copy()


def _diagonal_into(up, like):
    """A matrix of like's shape, `up` on its diagonal and zeros elsewhere (diag's gradient for a matrix)."""
    out = np.zeros(np.shape(like))
    np.fill_diagonal(out, up)
    return out


# diag's gradient: the diagonal of ∂L/∂out for a vector, it put on a diagonal for a matrix
function("diag_back", lambda up, x: np.diagonal(up).copy() if np.ndim(x) == 1 else _diagonal_into(up, x),
         graph=lambda g, up, x: g("diag", up) if np.ndim(g.values[x]) == 1 else g("diagonal_into", up, x),
         text=lambda up, x: words("diag({0}) in the shape of {1}", up, x))
function("eye_like", lambda a: np.eye(*np.shape(a)), constant=True, text=lambda a: constant("I"))
function("cofactors", _cofactors, graph=lambda g, a, out: g("mul", out, g("transpose", g("inv", a))),
         text=lambda a, out: words("{0}·{1}⁻ᵀ", out, a))

OPS.update({
    "trace": Op("trace", "trace({0})", lambda a: np.float64(np.trace(_matrix("trace", a, square=False))),
                vjp=(lambda m, g, a, out: g * m.eye_like(a),), keeps_finite=True),
    "diag": Op("diag", "diag({0})", _diag, vjp=(lambda m, g, x, out: m.diag_back(g, x),), keeps_finite=True),
    "diagonal": Op("diagonal", "the diagonal of {0}", lambda a: np.diagonal(_matrix("diagonal", a, square=False)).copy(),
                   vjp=(lambda m, g, a, out: m.diag_back(g, a),), keeps_finite=True),
    "diagonal_into": Op("diag", "{0} on the diagonal of zeros shaped like {1}", _diagonal_into,
                        vjp=(lambda m, g, up, like, out: m.diag_back(g, up), lambda m, g, up, like, out: 0.0 * like),
                        keeps_finite=True, flat=(1,)),
    "det": Op("det", "det({0})", lambda a: np.float64(np.linalg.det(_matrix("det", a))),
              vjp=(lambda m, g, a, out: g * m.cofactors(a, out),), domain="a square matrix",
              kink="det·A⁻ᵀ; the cofactor matrix where A is singular"),
    "inv": Op("inv", "{0}⁻¹", _inverse, vjp=(lambda m, g, a, out: -(m.T(out) @ g @ m.T(out)),), explain=_singular,
              domain="a square matrix with det ≠ 0"),
})


# Scans and order: cumsum, cumprod, sort, median, and the index producers argmax, argmin, argsort ------------
# cumsum's gradient is the upstream summed from the end (rcumsum), and the reverse; cumprod's is exact at zeros
# (PyTorch's and JAX's [1, 22, 0, 0, 0] for cumprod([2, 0, 3, 0, 5]) under weights 1 … 5); sort is stable, as
# PyTorch's and JAX's gradients are (tied elements keep their order), its gradient the upstream put back.

def _along(name: str, x, axis) -> int:
    return _axis(name, x, axis) % np.ndim(x)


def _rcumsum(x, axis):
    along = _along("cumsum", x, axis)
    return np.flip(np.cumsum(np.flip(x, along), axis=along), along)


def _cumprod_back(up, x, axis, out):
    """Σ_{j ≥ i} g_j·Π_{k ≤ j, k ≠ i} x_k for each i along the axis: the product before i times Horner's sum
    S_i = g_i + x_{i+1}·S_{i+1} from the end, with no division (exact where x has zeros)."""
    along = _along("cumprod", x, axis)
    x, up = np.moveaxis(np.asarray(x, dtype=np.float64), along, -1), np.moveaxis(np.asarray(up, dtype=np.float64), along, -1)
    before = np.concatenate([np.ones(x.shape[:-1] + (1,)), np.cumprod(x[..., :-1], axis=-1)], axis=-1)
    sums = np.empty_like(up)
    sums[..., -1] = up[..., -1]
    for i in range(x.shape[-1] - 2, -1, -1):
        sums[..., i] = up[..., i] + x[..., i + 1] * sums[..., i + 1]
    return np.moveaxis(before * sums, -1, along)


def _order(x, axis):
    return np.argsort(x, axis=_along("sort", x, axis), kind="stable")


def _sorted_like(up, x, axis):
    """∂L/∂out taken in the order sort puts x in (the reverse of putting it back)."""
    return np.take_along_axis(np.asarray(up), _order(x, axis), axis=_along("sort", x, axis))


def _unsorted(up, x, axis):
    """∂L/∂out of sort(x) put back where each sorted element came from."""
    found = np.empty(np.shape(x))
    np.put_along_axis(found, _order(x, axis), up, axis=_along("sort", x, axis))
    return found


def _median_weights(x, lower: bool):
    """Which elements a median takes: the middle of the stably sorted elements (½ each of the middle two for an
    even count: NumPy's and JAX's median); with `lower`, PyTorch's lower median, tied elements sharing it."""
    flat = np.ravel(np.asarray(x, dtype=np.float64))
    order, n = np.argsort(flat, kind="stable"), flat.size
    weights = np.zeros(n)
    if lower:
        at = flat == flat[order[(n - 1) // 2]]
        weights[at] = 1.0 / np.sum(at)
    elif n % 2:
        weights[order[n // 2]] = 1.0
    else:
        weights[order[n // 2 - 1]] = weights[order[n // 2]] = 0.5
    return weights.reshape(np.shape(x))


def _median(x, lower: bool = False):
    _need_array("median", x)
    flat = np.sort(np.ravel(x))
    n = flat.size
    return np.float64(flat[(n - 1) // 2] if lower else np.median(flat))


function("rcumsum", lambda up, axis: _rcumsum(up, axis), graph=lambda g, up, axis: g("rcumsum", up, axis),
         text=lambda up, axis: words("{0} summed from the end along axis {1}", up, axis))
function("cumsummed", lambda up, axis: np.cumsum(up, axis=_along("cumsum", up, axis)),
         graph=lambda g, up, axis: g("cumsum", up, axis), text=lambda up, axis: words("cumsum of {0} along axis {1}", up, axis))
function("cumprod_back", _cumprod_back,
         graph=lambda g, up, x, axis, out: g("div", g("rcumsum", g("mul", up, out), axis), x),
         text=lambda up, x, axis, out: words("({0}·{1} summed from the end along axis {2}) / {3}", up, out, axis, x))
function("sorted_like", _sorted_like, graph=lambda g, up, x, axis: g("sort_like", up, x, axis),
         text=lambda up, x, axis: words("{0} in the order sort puts {1}", up, x))
function("unsorted", _unsorted, graph=lambda g, up, x, axis: g("unsort", up, x, axis),
         text=lambda up, x, axis: words("{0} put back where sort took each of {1}", up, x))
function("median_weights", lambda x, lower: _median_weights(x, bool(lower)), constant=True,
         text=lambda x, lower: words("½ or 1 at the middle of {0} sorted, else 0", x))


def _index_of(name: str, pick):
    """argmax, argmin (of every element, flattened, as NumPy and PyTorch give it without an axis): an index, as
    a number, with no gradient (the first of tied elements, as all three libraries return)."""
    def forward(x):
        _need_array(name, x)
        return np.float64(pick(np.ravel(x)))
    return Op(name, f"{name}({{0}})", forward, vjp=(lambda m, g, x, out: 0.0 * x,), keeps_finite=True, flat=(0,))


def _indices_along(name: str, pick):
    def forward(x, axis):
        _need_array(name, x)
        return as_value(pick(x, axis=_along(name, x, axis)).astype(np.float64))
    return Op(name, f"{name}({{0}}, axis {{1}})", forward, vjp=(lambda m, g, x, axis, out: 0.0 * x, None),
              keeps_finite=True, flat=(0,))


OPS.update({
    "cumsum": Op("cumsum", "cumsum({0}, axis {1})", lambda x, axis: np.cumsum(x, axis=_along("cumsum", x, axis)),
                 vjp=(lambda m, g, x, axis, out: m.rcumsum(g, axis), None), keeps_finite=False),
    "rcumsum": Op("rcumsum", "{0} summed from the end along axis {1}", _rcumsum,
                  vjp=(lambda m, g, x, axis, out: m.cumsummed(g, axis), None)),
    "cumprod": Op("cumprod", "cumprod({0}, axis {1})", lambda x, axis: np.cumprod(x, axis=_along("cumprod", x, axis)),
                  vjp=(lambda m, g, x, axis, out: m.cumprod_back(g, x, axis, out), None),
                  kink="exact where x has zeros (no division)"),
    "sort": Op("sort", "sort({0}, axis {1})", lambda x, axis: np.sort(x, axis=_along("sort", x, axis), kind="stable"),
               vjp=(lambda m, g, x, axis, out: m.unsorted(g, x, axis), None), keeps_finite=True,
               kink="stable: tied elements keep their order (PyTorch, JAX)"),
    "unsort": Op("unsort", "{0} put back where sort took each of {1}", _unsorted,
                 vjp=(lambda m, g, up, x, axis, out: m.sorted_like(g, x, axis), lambda m, g, up, x, axis, out: 0.0 * x,
                      None), keeps_finite=True, flat=(1,)),
    "sort_like": Op("sort_like", "{0} in the order sort puts {1}", _sorted_like,
                    vjp=(lambda m, g, up, x, axis, out: m.unsorted(g, x, axis), lambda m, g, up, x, axis, out: 0.0 * x,
                         None), keeps_finite=True, flat=(1,)),
    # np.median, jnp.median: the middle of the sorted elements, ½ each of the middle two for an even count
    "median": Op("median", "median({0})", _median, vjp=(lambda m, g, x, out: g * m.median_weights(x, 0.0),),
                 keeps_finite=True, kink="½ to each middle element of an even count; the stably sorted middle at ties"),
    # torch.median: the lower of the middle two, its gradient shared by the elements equal to it (PyTorch's)
    "median_low": Op("median", "median({0})", lambda x: _median(x, lower=True),
                     vjp=(lambda m, g, x, out: g * m.median_weights(x, 1.0),), keeps_finite=True,
                     kink="the lower middle element; tied elements share the gradient (PyTorch's)"),
    # (numpy's functions looked up when called: building OPS imports no numpy)
    "argmax": _index_of("argmax", lambda a: np.argmax(a)), "argmin": _index_of("argmin", lambda a: np.argmin(a)),
    "argmax_axis": _indices_along("argmax", lambda a, axis: np.argmax(a, axis=axis)),
    "argmin_axis": _indices_along("argmin", lambda a, axis: np.argmin(a, axis=axis)),
    "argsort": _indices_along("argsort", lambda x, axis: np.argsort(x, axis=axis, kind="stable")),
})
