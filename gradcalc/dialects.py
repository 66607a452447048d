"""How NumPy, PyTorch, JAX, TensorFlow, SciPy and Python's math spell gradcalc's functions: data.

A pasted call `np.sum(x, axis=1, keepdims=True)`, `F.mse_loss(y, t)` or `x.clamp(min=0)` is looked up
here: the module path (or "a method") picks a table, the table gives a `Spelling` — that library's
parameters, in its order, with its defaults — and a small recipe that builds the computation from
gradcalc's ops. Argument conventions differ between libraries (torch.var divides by n − 1, numpy's
by n; tf.nn.leaky_relu's slope is 0.2, PyTorch's 0.01; jax.nn.gelu is the tanh approximation): each
spelling says which it follows, so the maths is the library's own.

The recipes receive `m`, the parser's maker: `m(op, *refs)` adds a node of gradcalc's op table,
`m.const(v)` a number, `m.call(name, *refs)` a gradcalc function by name; literal arguments (an
axis, keepdims, ord) arrive as plain Python values.
"""

from __future__ import annotations

import math
import re

# Parameters read when the program is read (numbers or True/False/None written in the call), never
# differentiated: an axis, whether to keep it, a norm's order, a variance's correction.
LITERAL = frozenset({"axis", "keepdims", "dtype", "k", "descending", "stable", "exclusive", "reverse", "reduction", "log_target", "p", "ignore_index", "ord", "ddof", "correction", "unbiased", "dim0", "dim1",
                     "approximate", "requires_grad", "trainable", "volatile", "num", "endpoint", "n0", "n1", "n2", "s0", "s1", "s2", "s3",
                     "start", "stop", "step", "num", "from_logits", "transpose_a", "transpose_b", "adjoint_a",
                     "adjoint_b", "axes"})

# Keywords that mean the same parameter in every library: PyTorch's dim is NumPy's axis.
SYNONYMS = {"dim": "axis", "keepdim": "keepdims", "exponent": "y", "other": "y"}
# Keywords naming a function's first argument, whatever gradcalc calls it.
FIRST = frozenset({"input", "a", "x", "tensor", "features", "self", "t"})


class Spelling:
    """One library's function: its parameters (`"x, axis=None, keepdims=False"`, `min|a_min` for
    keywords that mean the same parameter) and the recipe that builds it from gradcalc's ops."""

    __slots__ = ("params", "keywords", "defaults", "build", "note", "rest")

    def __init__(self, signature: str, build, note: str = ""):
        self.params: list[str] = []              # canonical names, in positional order
        self.keywords: dict[str, str] = {}       # every keyword spelling → canonical name
        self.defaults: dict[str, object] = {}
        self.rest = signature.endswith("*")     # takes any number of further arguments (x.reshape(2, 3))
        for part in filter(None, (p.strip() for p in signature.rstrip("*, ").split(","))):
            names, _, default = part.partition("=")
            spelled = names.split("|")
            self.params.append(spelled[0])
            for keyword in spelled:
                self.keywords[keyword] = spelled[0]
            if default[:1] == "'":      # reduction='mean': a word
                self.defaults[spelled[0]] = default.strip("'")
            elif default:
                self.defaults[spelled[0]] = _DEFAULTS[default] if default in _DEFAULTS else \
                    int(default) if default.lstrip("-").isdigit() else float(default)
        self.build = build
        self.note = note      # a convention worth saying when it is used (torch.var divides by n − 1)

    def parameter(self, keyword: str) -> str | None:
        """The canonical parameter a keyword sets, or None if this function has no such parameter."""
        if keyword in self.keywords:
            return self.keywords[keyword]
        if SYNONYMS.get(keyword) in self.keywords:
            return self.keywords[SYNONYMS[keyword]]
        if keyword in FIRST and self.params:
            return self.params[0]
        return None

    def signature(self) -> str:
        return ", ".join(p if p not in self.defaults else f"{p}={_shown(self.defaults[p])}"
                         for p in self.params)


_DEFAULTS = {"None": None, "True": True, "False": False, "inf": math.inf, "-inf": -math.inf}


def _shown(value) -> str:
    return "None" if value is None else repr(value) if isinstance(value, str) else str(value)


# -- recipes -----------------------------------------------------------------------------------------

def _call(name: str, arity: int = 1):
    """A gradcalc function called with the spelling's first `arity` parameters, in order."""
    def build(m, **a):
        return m.call(name, *list(a.values())[:arity])
    return build


def _op(op: str, arity: int = 2):
    def build(m, **a):
        return m(op, *list(a.values())[:arity])
    return build


def _reduce(name: str):
    """sum, mean, max, min, prod over everything or along an axis; keepdims keeps the axis as 1."""
    def build(m, x, axis=None, keepdims=False, **_):
        if axis is None:
            return m.call(name, x)
        if name == "prod":
            m.refuse("prod along an axis is not supported yet", "prod(x) takes the product of every element")
        if name in ("max", "min"):    # tied elements along the axis share the gradient, as in max(x)
            out = m(f"{name}_axis", x, m.axis(axis, name))
        else:
            out = m.call(name, x, m.axis(axis, name))
        return m("expand_axis", out, m.axis(axis, name)) if keepdims else out
    return build


def _shape(written: tuple) -> list:
    """The sizes written as arguments (reshape(2, 3), zeros(2, 3)) or as one tuple or list in the
    first ((2, 3), [2, 3], (3,)), as NumPy, PyTorch, JAX and TensorFlow take them; None: no shape."""
    if isinstance(written[0], tuple):
        return list(written[0]) if all(s is None for s in written[1:]) else None
    return [s for s in written if s is not None]


def _reshape(m, x, s0=None, s1=None, s2=None, s3=None):
    """x.reshape(2, 3), x.view(-1), x.reshape((2, 3)): the same numbers in another shape (-1: whatever
    size fits)."""
    import numpy as np

    shape = _shape((s0, s1, s2, s3)) or []
    if not shape or shape.count(-1) > 1 or \
            not all(isinstance(s, int) and not isinstance(s, bool) and s >= -1 for s in shape):
        m.refuse("the shape must be whole numbers written in the call (one of them may be -1)",
                 "write e.g. x.reshape(2, 3), x.reshape((2, 3)) or x.view(-1)")
    return m("reshape", x, m.const(np.array(shape, dtype=np.float64)))


def _flatten(m, x):
    import numpy as np

    return m("reshape", x, m.const(np.array([-1.0])))


def _square(m, x):
    return m("pow", x, m.const(2.0))


def _clamp(m, x, min=None, max=None):
    if min is None and max is None:
        m.refuse("clamp needs min or max", "write clamp(x, min=0) or clamp(x, 0, 1)")
    if max is None:   # one-sided: x where x ≥ min, else min; x's gradient passes on x ≥ min (PyTorch's)
        return m("where", m("greater_equal", x, min), x, min)
    if min is None:
        return m("where", m("less_equal", x, max), x, max)
    return m.call("clip", x, min, max)


def _variance(name: str, unbiased_default: bool | None):
    """var and std: numpy divides by n − ddof (ddof=0 unless told), PyTorch by n − correction (1 unless
    correction=0 or unbiased=False); along an axis, n is that axis' length. A method x.var() says whose
    it is only by its keywords (ddof: NumPy's; unbiased, correction: PyTorch's): `unbiased_default` None."""
    def build(m, x, axis=None, ddof=None, correction=None, unbiased=None, keepdims=False, **_):
        if isinstance(axis, bool) and unbiased is None:     # torch.var(x, False): the old unbiased, by position
            axis, unbiased = None, axis
        if correction is None:
            if ddof is None and unbiased is None and unbiased_default is None:
                m.refuse(f"x.{name}() divides by n in NumPy and by n − 1 in PyTorch",
                         f"write np.{name}(x) (by n) or torch.{name}(x) (by n − 1), or say which in the call: "
                         f"x.{name}(ddof=0), x.{name}(correction=1)")
            correction = ddof if ddof is not None else \
                (1 if (unbiased if unbiased is not None else unbiased_default) else 0)
        if isinstance(correction, bool) or not isinstance(correction, (int, float)):
            m.refuse(f"the {name}'s correction must be a number written in the call", "write e.g. correction=0")
        if axis is None and correction == 0 and not keepdims:
            return m.call(name, x)
        # Σ(x − mean)² / (n − correction), n counted as sum(x·0 + 1) so it follows x's shape.
        centred = m("sub", x, _reduce("mean")(m, x, axis, keepdims=axis is not None))
        count = _reduce("sum")(m, m("add", m("mul", x, m.const(0.0)), m.const(1.0)), axis, keepdims)
        variance = m("div", _reduce("sum")(m, m("pow", centred, m.const(2.0)), axis, keepdims),
                     m("sub", count, m.const(float(correction))))
        return variance if name == "var" else m.call("sqrt", variance)
    return build


def _norms(two_norm, absolute):
    """np.linalg.norm's orders, built from a library's 2-norm and abs (their kinks differ: KINKS)."""
    def build(m, x, ord=None, axis=None, entrywise=False, **_):
        if axis is not None:
            m.refuse("a norm along an axis is not supported yet", "write norm(x) of a whole vector or matrix")
        if ord is None or ord == "fro":
            return two_norm(m, x)
        if not entrywise:
            x = m("vector_only", x)    # a matrix's norm of order p is another formula (the operator norm): refused
        if ord == 2:
            return two_norm(m, x)
        if ord == 1:
            return m.call("sum", absolute(m, x))
        if ord == math.inf:
            return m.call("max", absolute(m, x))
        # Any other p: (Σ|x|^p)^(1/p).
        return m("pow", m.call("sum", m("pow", absolute(m, x), m.const(float(ord)))), m.const(1.0 / ord))
    return build


_norm = _norms(lambda m, x: m.call("norm", x), lambda m, x: m.call("abs", x))


def _flat_norm(m, x, ord=None, axis=None, **_):
    """torch.norm and Tensor.norm: with no dim, the norm of order p of all the elements as one vector
    (torch.norm(A, p=1) is Σ|a|), where torch.linalg.norm and numpy take a matrix's operator norm."""
    return _norm(m, x, ord, axis, entrywise=True)


def _softmax(m, x, axis=None, **_):
    if axis is None or axis == -1:
        return m.call("softmax", x)
    e = m.call("exp", x)
    return m("div", e, m("expand_axis", m.call("sum", e, m.axis(axis, "softmax")), m.axis(axis, "softmax")))


def _logsumexp(m, x, axis=None, keepdims=False, **_):
    if axis == -1:
        out = m.call("logsumexp", x)
    elif axis is None:
        # Over every element, shifted by the largest (held constant, as JAX does) so exp never overflows.
        top = m("stop_gradient", m.call("max", x))
        out = m("add", m.call("log", m.call("sum", m.call("exp", m("sub", x, top)))), top)
    else:
        out = m.call("log", m.call("sum", m.call("exp", x), m.axis(axis, "logsumexp")))
    return m("expand_axis", out, m.axis(-1 if axis is None else axis, "logsumexp")) \
        if keepdims and axis is not None else out


def _log_softmax(m, x, axis=None, **_):
    return m("sub", x, _logsumexp(m, x, -1 if axis is None else axis, keepdims=True))


def _softmax_whole(m, x, axis=None, **_):
    """scipy.special.softmax and jax.scipy.special.softmax: over the whole array unless an axis is
    given (their default is axis=None), shifted by the largest element (held constant) so exp never
    overflows."""
    if axis is not None:
        return _softmax(m, x, axis)
    top = m("stop_gradient", m.call("max", x))
    e = m.call("exp", m("sub", x, top))
    return m("div", e, m.call("sum", e))


def _log_softmax_whole(m, x, axis=None, **_):
    """scipy's and jax.scipy's log_softmax: over the whole array unless an axis is given."""
    return m("sub", x, _logsumexp(m, x)) if axis is None else _log_softmax(m, x, axis)


def _implicit_dim(build, name: str):
    """F.softmax(x) with no dim: PyTorch picks dim 0 for 0-, 1- and 3-D input and 1 for others (and warns
    that this is deprecated); the last axis only for 1- and 2-D, so the dim is asked for."""
    def checked(m, x, axis=None, **_):
        if axis is None:
            m.refuse("without dim, PyTorch takes an implicit dim (0 for 1-D and 3-D input, 1 for 2-D and 4-D) and "
                     "warns that this is deprecated", f"give the dim: {name}(x, dim=-1) is what PyTorch takes for a "
                     f"vector or a matrix's rows")
        return build(m, x, axis)
    return checked


def _mse(m, x, y, reduction="mean", **_):
    return _reduced(m, m("pow", m("sub", x, y), m.const(2.0)), reduction, "mse_loss")


def _l1(m, x, y, reduction="mean", **_):
    return _reduced(m, m.call("abs", m("sub", x, y)), reduction, "l1_loss")


def _weighted(m, losses, weight):
    """PyTorch's weight= of the binary losses: each element's loss times its weight (broadcast), before
    the reduction (so 'mean' is the mean of the weighted losses, not divided by the weights' sum)."""
    return losses if weight is None else m("mul", losses, weight)


def _bce(m, x, t, weight=None, reduction="mean", **_):
    # −(t·log p + (1 − t)·log(1 − p)), PyTorch's binary_cross_entropy (the mean over elements unless told).
    one = m.const(1.0)
    losses = m("neg", m("add", m("mul", t, m.call("log", x)), m("mul", m("sub", one, t), m.call("log", m("sub", one, x)))))
    return _reduced(m, _weighted(m, losses, weight), reduction, "binary_cross_entropy")


def _sigmoid_ce(m, x, t):
    # −t·log σ(x) − (1 − t)·log(1 − σ(x)) = softplus(x) − t·x, without computing σ.
    return m("sub", m.call("softplus", x), m("mul", t, x))


def _bce_logits(m, x, t, weight=None, reduction="mean", **_):
    return _reduced(m, _weighted(m, _sigmoid_ce(m, x, t), weight), reduction, "binary_cross_entropy_with_logits")


def _softmax_ce(m, t, x, axis=-1, **_):
    # tf.nn.softmax_cross_entropy_with_logits: one loss per row, −Σ t·log softmax(x).
    return m("neg", m.call("sum", m("mul", t, _log_softmax(m, x, axis)), m.axis(-1, "softmax")))


def _targets(m, t, x, indices=False):
    """A loss's target as probabilities over x's classes: as given when shaped like x, its labels (x's
    shape without the class axis, PyTorch's usual LongTensor) as one-hot rows; decided when it runs."""
    return m("class_targets", t, x, m.const(1.0 if indices else 0.0))


def _no_ignored(m, ignore_index):
    if ignore_index != -100:
        m.refuse(f"ignore_index={ignore_index} leaves that class's rows out of the loss and its mean, which is not read",
                 "leave those rows out of the logits and targets, or leave ignore_index out")


def _torch_ce(m, x, t, reduction="mean", label_smoothing=None, weight=None, ignore_index=-100, **_):
    """PyTorch's F.cross_entropy: −Σ t·log softmax(x) per row, averaged over the rows (reduction='mean');
    label_smoothing=ε takes the target as (1 − ε)·t + ε/C. With a class weight w each row's term is weighted,
    −Σ_c w_c·t_c·log softmax(x)_c, and the mean divides by Σ w[target] for class indices, by N for probabilities
    (which the target is, known when the program runs); a weight with label smoothing is refused."""
    _no_ignored(m, ignore_index)
    target = _targets(m, t, x)
    if label_smoothing is not None and m.number(label_smoothing) != 0.0:
        if weight is not None:
            m.refuse("a class weight with label smoothing is not read", "leave one of them out")
        classes = _reduce("sum")(m, _filled_like(1.0)(m, x), -1, keepdims=True)      # C, for each row
        spread = m("div", label_smoothing, classes)
        target = m("add", m("mul", m("sub", m.const(1.0), label_smoothing), target), spread)
    if weight is None:
        if reduction == "mean":
            return m.call("cross_entropy", x, target)
        return _reduced(m, _softmax_ce(m, target, x), reduction, "cross_entropy")
    weighted = m("mul", target, weight)
    losses = _softmax_ce(m, weighted, x)
    if reduction != "mean":
        return _reduced(m, losses, reduction, "cross_entropy")
    labels = m("target_kind", t, x)     # 1 for class indices, 0 for probabilities
    total = m("add", m("mul", labels, m.call("sum", weighted)), m("mul", m("sub", m.const(1.0), labels), m("rows_of", x)))
    return m("div", m.call("sum", losses), total)


def _nll(m, x, t, reduction="mean", weight=None, ignore_index=-100, **_):
    # F.nll_loss: x holds log-probabilities already; −x[n, t_n] averaged over the rows; with a class weight w,
    # −w[t_n]·x[n, t_n], the mean dividing by Σ w[t_n] (PyTorch's)
    _no_ignored(m, ignore_index)
    picked = _targets(m, t, x, indices=True)
    if weight is not None:
        picked = m("mul", picked, weight)
    losses = m("neg", m.call("sum", m("mul", picked, x), m.axis(-1, "nll_loss")))
    if weight is not None and reduction == "mean":
        return m("div", m.call("sum", losses), m.call("sum", picked))
    return _reduced(m, losses, reduction, "nll_loss")


def _sparse_ce(m, t, x, **_):
    # tf.nn.sparse_softmax_cross_entropy_with_logits: one loss per row, −log softmax(x)[t] (no mean).
    return m("neg", m.call("sum", m("mul", _targets(m, t, x, indices=True), _log_softmax(m, x)),
                           m.axis(-1, "softmax")))


def _keras_sparse_ce(m, t, x, from_logits=False, **_):
    """keras.losses.sparse_categorical_crossentropy(y_true, y_pred, from_logits=True): one loss per row,
    −log softmax(logits)[label]. Of probabilities (from_logits=False) Keras clips them first, and how
    differs between its versions: refused."""
    if from_logits is not True:
        m.refuse("of probabilities (from_logits=False) Keras clips them to [1e-7, 1 − 1e-7] first, differently "
                 "in its versions", "give the logits and from_logits=True, or write tf.nn.sparse_softmax_cross_entropy"
                 "_with_logits(labels, logits)")
    return _sparse_ce(m, t, x)


def _one_hot(m, t, num=None, **_):
    """F.one_hot(t, 3), jax.nn.one_hot(t, 3), tf.one_hot(t, depth=3): 1 where the label is, else 0
    (no gradient, as the libraries give none through labels)."""
    import numpy as np

    if not isinstance(num, int) or isinstance(num, bool) or not 0 < num <= 10 ** 5:
        m.refuse("the number of classes must be a whole number written in the call",
                 "write it after the labels, e.g. F.one_hot(t, 3) for 3 classes")
    return m("equal", m("expand_axis", t, m.const(-1.0)), m.const(np.arange(num, dtype=np.float64)))


def _elu(m, x, alpha=None, **_):
    """elu(x, alpha): x where x > 0, else α(eˣ − 1), its gradient αeˣ there (x = 0 included), as PyTorch's
    and JAX's; α = 1 is gradcalc's elu."""
    if alpha is None or m.number(alpha) == 1.0:
        return m.call("elu", x)
    # α·elu(x) is α(eˣ − 1) where x ≤ 0, and finite where x > 0 (the branch not taken there: eˣ would overflow)
    return m("where", m("greater", x, m.const(0.0)), x, m("mul", alpha, m.call("elu", x)))


def _softplus(m, x, beta=None, threshold=None, **_):
    """F.softplus(x, beta, threshold): log(1 + e^(βx))/β, and x itself where βx > threshold (20 unless told), its
    gradient 1 there, as PyTorch computes it."""
    inner = x if beta is None or m.number(beta) == 1.0 else m("mul", beta, x)
    curve = m.call("softplus", inner) if inner is x else m("div", m.call("softplus", inner), beta)
    return curve if threshold is None else m("where", m("greater", inner, threshold), x, curve)


def _torch_softplus(m, x, beta=None, threshold=None, **_):
    return _softplus(m, x, beta, m.const(20.0) if threshold is None else threshold)


def _reduced(m, losses, reduction, name: str = "the loss"):
    """A loss's reduction= as PyTorch names it: 'mean' (the default) of every element, 'sum', or 'none' (each)."""
    if reduction == "mean":
        return m.call("mean", losses)
    if reduction == "sum":
        return m.call("sum", losses)
    if reduction == "none":
        return losses
    m.refuse(f"reduction={reduction!r} is not one of 'mean', 'sum' and 'none' for {name}",
             "write reduction='mean' (the default), 'sum' or 'none'")


def _hardswish(m, x):
    """F.hardswish: x·relu6(x + 3)/6, its gradient 0 at x ≤ −3, x/3 + ½ between, 1 at x ≥ 3 (PyTorch's backward)."""
    inside = m("div", m("mul", x, m("add", x, m.const(3.0))), m.const(6.0))
    return m("where", m("greater", x, m.const(-3.0)), m("where", m("less", x, m.const(3.0)), inside, x), m.const(0.0))


def _smooth_l1(m, x, y, reduction="mean", beta=None, **_):
    """F.smooth_l1_loss: ½d²/β where |d| < β, else |d| − ½β (d = x − y; β = 1 unless told, 0 is l1_loss)."""
    d = m("sub", x, y)
    size, beta = m.call("abs", d), m.const(1.0) if beta is None else beta
    if m.number(beta) == 0.0:
        losses = size
    else:
        losses = m("where", m("less", size, beta), m("div", m("mul", m.const(0.5), m("pow", d, m.const(2.0))), beta),
                   m("sub", size, m("mul", m.const(0.5), beta)))
    return _reduced(m, losses, reduction, "smooth_l1_loss")


def _huber(m, x, y, reduction="mean", delta=None, **_):
    """F.huber_loss: ½d² where |d| ≤ δ, else δ(|d| − ½δ) (δ = 1 unless told)."""
    d = m("sub", x, y)
    size, delta = m.call("abs", d), m.const(1.0) if delta is None else delta
    losses = m("where", m("less_equal", size, delta), m("mul", m.const(0.5), m("pow", d, m.const(2.0))),
               m("mul", delta, m("sub", size, m("mul", m.const(0.5), delta))))
    return _reduced(m, losses, reduction, "huber_loss")


def _optax_huber(m, x, t=None, delta=None, **_):
    """optax.huber_loss(predictions, targets, delta=1.0): each element's ½q² + δ(|e| − q), q = min(|e|, δ),
    e = predictions − targets; jnp.abs at 0 and the tie of min at |e| = δ as JAX takes them."""
    size = _abs_jax(m, _error_of(m, x, t))
    q = m.call("minimum", size, m.const(1.0) if delta is None else delta)
    return m("add", m("mul", m.const(0.5), m("pow", q, m.const(2.0))),
             m("mul", m.const(1.0) if delta is None else delta, m("sub", size, q)))


def _optax_cosine(m, x, y, eps, axis=-1, **_):
    """optax.cosine_similarity(predictions, targets, epsilon=0): each divided by its norm along the axis (clipped
    below at epsilon, as jnp.clip: ½ of the gradient at the bound), the products summed."""
    def unit(v):
        norm = _p_norm(m, v, 2, axis)
        return m("div", v, norm if m.number(eps) == 0.0 else _clip_jax(m, norm, min=eps))
    return _reduce("sum")(m, m("mul", unit(x), unit(y)), axis)


def _keras_huber(m, t, x, delta=None, **_):
    """tf.keras.losses.huber(y_true, y_pred, delta=1.0): per example (the mean over the last axis) of ½e² where
    |e| ≤ δ, else δ|e| − ½δ², e = y_pred − y_true."""
    return _keras_mean(m, _huber(m, x, t, reduction="none", delta=delta))


def _kl_div(m, x, t, reduction="mean", log_target=False, **_):
    """F.kl_div(input, target): target·(log target − input) per element, input log-probabilities; 0 where target
    is 0 (PyTorch's xlogy); log_target=True: e^target·(target − input). 'batchmean' divides the sum by the rows."""
    if log_target:
        losses = m("mul", m.call("exp", t), m("sub", t, x))
    else:       # t·log t is 0 at t = 0, its gradient there refused (PyTorch's and JAX's nan)
        losses = m("sub", m("xlogx", t), m("mul", t, x))
    if reduction == "batchmean":
        return m("div", m.call("sum", losses), m("len", x))
    return _reduced(m, losses, reduction, "kl_div")


def _p_norm(m, x, p, axis, zero_gradient_at_zero=False):
    """The norm of order p (1 or 2) along an axis, the axis kept. `zero_gradient_at_zero`: PyTorch's
    vector_norm, whose backward masks a zero vector's gradient to 0 (JAX's and the formula's: nan there)."""
    if p == 2 and zero_gradient_at_zero:     # √ of 1 where the sum is 0, so no infinite derivative is formed
        squares = _reduce("sum")(m, _square(m, x), axis, keepdims=True)
        some = m("greater", squares, m.const(0.0))
        return m("where", some, m.call("sqrt", m("where", some, squares, m.const(1.0))), m.const(0.0))
    if p == 2:
        return m.call("sqrt", _reduce("sum")(m, _square(m, x), axis, keepdims=True))
    if p == 1:
        return _reduce("sum")(m, m.call("abs", x), axis, keepdims=True)
    m.refuse(f"a norm of order p = {p} is not read here", "write p=2 (the default) or p=1")


def _normalize(m, x, p=2, axis=1, eps=None, **_):
    """F.normalize(x, p=2, dim=1, eps=1e-12): x / max(‖x‖_p, eps) along the dim (PyTorch's clamp_min: the
    norm's gradient passes where it is ≥ eps)."""
    norm = _p_norm(m, x, p, axis, zero_gradient_at_zero=True)
    return m("div", x, _clamp(m, norm, min=m.const(1e-12) if eps is None else eps))


def _cosine_similarity(m, x, y, axis=1, eps=None, **_):
    """F.cosine_similarity(x1, x2, dim=1, eps=1e-8): Σ x1/max(‖x1‖, eps) · x2/max(‖x2‖, eps) along the dim, each
    norm clamped alone (PyTorch 2.13: two vectors of norm 1e-5 give 1, not the 0.01 of max(‖x1‖·‖x2‖, eps))."""
    eps = m.const(1e-8) if eps is None else eps
    unit_x = m("div", x, _clamp(m, _p_norm(m, x, 2, axis, zero_gradient_at_zero=True), min=eps))
    unit_y = m("div", y, _clamp(m, _p_norm(m, y, 2, axis, zero_gradient_at_zero=True), min=eps))
    return _reduce("sum")(m, m("mul", unit_x, unit_y), axis)


def _tf_one_hot(m, t, depth):
    """tf.one_hot(t, depth=3), and depth=y_hat.shape[-1] known when the program runs (d2l's cross_entropy)."""
    written = m.number(depth)
    if written is not None and not getattr(written, "ndim", 0):
        return _one_hot(m, t, int(written) if written == int(written) else written)
    return m("one_hot_of", t, depth)


def _extract(m, condition, x):
    """np.extract(mask, x), x[mask] for a mask (a comparison, isnan, ~): x's elements where it holds, in order,
    as a vector (tf.boolean_mask's reading)."""
    return _boolean_mask(m, x, condition)


def _where_of(m, condition, x=None, y=None):
    """where(c, x, y); np.where(c) and torch.where(c) alone give the indices where c holds: refused."""
    if x is None or y is None:
        m.refuse("where with only a condition gives the indices where it holds (a tuple of index arrays), which "
                 "carry no gradient", "write where(c, x, y) to choose between two values, or x[c] for x's elements "
                 "where c holds")
    return m("where", condition, x, y)


def _logical(how: str):
    """np.logical_not, logical_and, logical_or (torch's, tf.math's): masks of 0 and 1 (any number but 0 holds)."""
    def build(m, x, y=None):
        held = m("not_equal", x, m.const(0.0))
        if how == "not":
            return m("equal", x, m.const(0.0))
        other = m("not_equal", y, m.const(0.0))
        both = m("mul", held, other) if how == "and" else m("add", held, other)
        return m("not_equal", both, m.const(0.0))      # a mask op last: x[logical_and(…)] takes elements
    return build


def _boolean_mask(m, x, mask, axis=None):
    """tf.boolean_mask(x, mask), x[mask]: x's elements where mask is 1, in order, as a vector (x[i, y_i] row by row
    for a one-hot mask); for a mask of x's first axes, the rows (x[row_mask] of a matrix): x with the mask's axes
    flattened, taken at the mask's positions, their gradient scattered back."""
    from .ops.arrays import take_op

    if axis not in (None, 0):
        m.refuse("a mask from another axis than the first is not read", "give a mask of x's first axes (axis=0)")
    return m(take_op(("index",)), m("masked_rows", x, mask), m("mask_positions", mask, x))


def _leaky(m, x, slope):
    return m.call("leaky_relu", x, slope)


def _gelu(approximate_default: bool):
    def build(m, x, approximate=None):
        approximate = approximate_default if approximate is None else approximate
        if approximate not in (True, False, "none", "tanh"):
            m.refuse(f"approximate={approximate!r} is not 'none' or 'tanh'", "write approximate='tanh' or leave it out")
        if approximate in (False, "none"):
            return m.call("gelu", x)
        # The tanh form: x/2·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
        inner = m("mul", m.const(math.sqrt(2.0 / math.pi)),
                  m("add", x, m("mul", m.const(0.044715), m("pow", x, m.const(3.0)))))
        return m("mul", m("mul", m.const(0.5), x), m("add", m.const(1.0), m.call("tanh", inner)))
    return build


def _logaddexp(m, x, y):
    # max(x, y) + log1p(exp(−|x − y|)): exact, and never overflows.
    return m("add", m.call("maximum", x, y), m.call("log1p", m.call("exp", m("neg", m.call("abs", m("sub", x, y))))))


def _linear(m, x, w, b=None):
    out = m("matmul", x, m("transpose", w))
    return out if b is None else m("add", out, b)


def _tf_matmul(m, x, y, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False, **_):
    """tf.matmul(a, b, transpose_a=True): a's transpose times b (adjoint_a: the conjugate transpose, the
    same for real numbers); of matrices, as TensorFlow's matmul takes only those (and batches of them)."""
    if not all(isinstance(flag, bool) for flag in (transpose_a, transpose_b, adjoint_a, adjoint_b)):
        m.refuse("transpose_a, transpose_b, adjoint_a and adjoint_b are True or False, written in the call",
                 "write e.g. tf.matmul(a, b, transpose_b=True)")
    if transpose_a or adjoint_a:
        x = m("transpose", m("matrix_only", x))
    if transpose_b or adjoint_b:
        y = m("transpose", m("matrix_only", y))
    return m("matmul", x, y)


def _tensordot(m, x, y, axes=2, **_):
    """tensordot(a, b, axes=1): a's last axis summed against b's first, which is a @ b where b is a
    vector or a matrix (d2l's tf.tensordot(x, x, axes=1), a dot product). Other axes are refused."""
    if axes != 1:
        m.refuse(f"axes={axes!r} is not read (axes=1 is: a @ b)",
                 "write what it computes: for two matrices of one shape and axes=2, (a * b).sum(); for axes=0 of "
                 "two vectors, np.outer(a, b)")
    return m("matmul", x, m("matmul_right", y))


def _inner(m, x, y):
    """np.inner(a, b): the sum over the last axes of both, a @ bᵀ for vectors and matrices (NumPy's A @ B.T,
    where @ alone gave A @ B); larger arrays refused."""
    return m("matmul", m("inner_operand", x), m("transpose", m("inner_operand", y)))


def _vdot(m, x, y):
    """np.vdot(a, b): both flattened, then their dot product (a matrix's too, where @ gave a matrix)."""
    flat = m.const(-1.0)
    return m("matmul", m("reshape", x, flat), m("reshape", y, flat))


def _transpose(m, x, dim0=None, dim1=None):
    """x.t(), torch.t(x), transpose(x): a matrix's transpose; torch.transpose(x, 0, 1) swaps those two axes."""
    if dim0 is None and dim1 is None:
        return m("transpose", x)
    if dim0 is None or dim1 is None:
        m.refuse("transpose takes two axes to swap", "write e.g. torch.transpose(x, 0, 1), or x.T")
    return _swap_axes(m, x, dim0, dim1)


def _identity(_m, x, **_):
    return x


def _detach(m, x):
    return m("stop_gradient", x)


def _xlogy(m, x, y):
    return m("mul", x, m.call("log", y))


def _logit(m, x):
    return m.call("log", m("div", x, m("sub", m.const(1.0), x)))


def _ndtr(m, x):
    return m("mul", m.const(0.5), m.call("erfc", m("mul", m.const(-1.0 / math.sqrt(2.0)), x)))


def _squared_difference(m, x, y):
    return m("pow", m("sub", x, y), m.const(2.0))


def _l2_loss(m, x):
    return m("div", m.call("sum", m("pow", x, m.const(2.0))), m.const(2.0))


def _softsign(m, x):
    return m("div", x, m("add", m.const(1.0), m.call("abs", x)))


def _log_sigmoid(m, x):
    return m("neg", m.call("softplus", m("neg", x)))


def _rsqrt(m, x):
    return m("pow", x, m.const(-0.5))


def _reciprocal(m, x):
    return m("div", m.const(1.0), x)


def _hardtanh(low: float, high: float):
    return lambda m, x: m.call("clip", x, m.const(low), m.const(high))


def _value(m, x, **_):
    """Value(-4.0), torch.tensor([2., 3.], requires_grad=True), np.array(…), tf.Variable(3.0): the
    value itself; given a name (`a = Value(-4.0)`) a number written there makes an input with it.
    A tuple of numbers (np.array((1, 2, 3))) is an array, as the libraries read it."""
    numbers = m.numbers(x)
    if numbers is not None and numbers:
        import numpy as np

        return m.const(np.array(numbers, dtype=np.float64))
    folded = None if m.number(x) is not None else m.folded(x)
    if folded is not None:    # Variable(np.array(np.pi / 4)): a leaf of that value, an input when named
        return m.const(folded if getattr(folded, "ndim", 0) else float(folded))
    return x


def _filled(fill: float):
    """zeros(2, 3), zeros((2, 3)) and ones(3): a value written in the code, of that shape."""
    def build(m, n0, n1=None, n2=None, **_):
        import numpy as np

        shape = _shape((n0, n1, n2))
        if n0 == () and n1 is None:     # torch.ones(()), np.zeros(()): a 0-d array, one number
            return m.const(fill)
        if not shape or not all(isinstance(n, int) and not isinstance(n, bool) and 0 < n <= 10 ** 6 for n in shape) \
                or math.prod(shape) > 10 ** 7:
            m.refuse("the shape must be whole numbers written in the call",
                     "write e.g. zeros(3), ones(2, 3) or zeros((2, 3))")
        return m.const(np.full(tuple(shape), fill))
    return build


def _filled_like(fill: float):
    """zeros_like(x), ones_like(x): a value of x's shape, the same everywhere, carrying no gradient."""
    def build(m, x, **_):
        return m("add", m("mul", _detach(m, x), m.const(0.0)), m.const(fill))
    return build


def _l2_normalize(m, x, axis=None, **_):
    """tf.math.l2_normalize(x): x divided by its Euclidean norm (along the axis given)."""
    squares = _reduce("sum")(m, _square(m, x), axis=axis, keepdims=axis is not None)
    return m("div", x, m.call("sqrt", squares))


def _keras_mean(m, x):
    """Keras' per-example mean: over the last axis, or of the whole of a vector."""
    return _reduce("mean")(m, x, axis=-1)


def _squeeze(m, x, axis=None):
    """x.squeeze(), np.squeeze(x, 0), tf.squeeze(x, [0, 2]): x without axes of size 1 (all of them, or
    the ones named; an axis whose length is not 1 is refused when the program runs)."""
    return m("squeeze_all", x) if axis is None else m("squeeze", x, m.axis(tuple(axis) if isinstance(axis, list) else axis, "squeeze"))


def _unsqueeze(m, x, axis):
    """x.unsqueeze(1), np.expand_dims(x, 0), tf.expand_dims(x, -1): x with a new axis of size 1 there."""
    return m("unsqueeze", x, m.axis(tuple(axis) if isinstance(axis, list) else axis, "unsqueeze"))


def _joined(stacked: bool):
    """np.concatenate([a, b], axis=0), torch.cat((a, b), dim=1), tf.concat([a, b], 0): the arrays joined
    along an axis they have; np.stack, torch.stack and tf.stack along a new axis of size 1 (arrays of one
    shape). axis=None (NumPy's concatenate) joins them flattened."""
    def build(m, xs, axis=0, **_):
        items = m.items(xs)
        word = "stack" if stacked else "concatenate"
        if not items:
            m.refuse(f"{word} takes a list or tuple of arrays written in the call" if items is None else
                     "there is nothing to join", f"write the arrays in the call, e.g. {word}([a, b], axis=0)")
        if axis is None and not stacked:
            items, axis = [_flatten(m, x) for x in items], 0
        if stacked:
            items = [m("unsqueeze", x, m.axis(axis, word)) for x in items]
        out = items[0]
        for x in items[1:]:
            out = m("concatenate", out, x, m.axis(axis, word))
        return out
    return build


def _permute(m, x, s0=None, s1=None, s2=None, s3=None):
    """x.permute(2, 0, 1), x.permute((2, 0, 1)), np.transpose(x, (1, 0)), tf.transpose(x, perm=[1, 0]): the
    axes in that order (every axis named once, checked when the program runs)."""
    import numpy as np

    axes = _shape((s0, s1, s2, s3))
    if not axes or not all(isinstance(a, int) and not isinstance(a, bool) for a in axes):
        m.refuse("the order of the axes must be whole numbers written in the call", "write e.g. x.permute(1, 0)")
    return m("permute", x, m.const(np.array(axes, dtype=np.float64)))


def _transposed(m, x, s0=None, s1=None, s2=None, s3=None):
    """np.transpose(x), x.transpose() (the axes reversed; a matrix's transpose), np.transpose(x, axes),
    x.transpose(1, 0, 2) (NumPy's: the axes in that order), and x.transpose(0, 2) of two axes (PyTorch's
    swap; for a matrix NumPy's order is the same)."""
    if s0 is None:
        import numpy as np

        return m("permute", x, m.const(np.zeros(0)))
    if s2 is None and s1 is not None:
        return _swap_axes(m, x, s0, s1)
    return _permute(m, x, s0, s1, s2, s3)


def _swap_axes(m, x, dim0, dim1):
    """torch.transpose(x, 0, 2), np.swapaxes(x, 0, 1), x.swapdims(1, 2): those two axes swapped."""
    import numpy as np

    if not all(isinstance(a, int) and not isinstance(a, bool) for a in (dim0, dim1)):
        m.refuse("the two axes must be whole numbers written in the call", "write e.g. torch.transpose(x, 0, 1)")
    return m("swap_axes", x, m.const(np.array([dim0, dim1], dtype=np.float64)))


# Types a value is cast to (tf.cast(x, tf.float32), x.to(torch.float64), x.astype(np.float32)), read as
# words: a cast to a float type keeps gradcalc's numbers (it works in float64; a float32 cast is read as
# x.float() is, keeping the gradient); one to whole numbers or truth values changes them, and is refused.
FLOAT_TYPES = frozenset({"float16", "float32", "float64", "half", "float", "double", "bfloat16", "float_"})
DTYPES = FLOAT_TYPES | frozenset({"int8", "int16", "int32", "int64", "uint8", "int", "long", "bool", "bool_",
                                  "complex64", "complex128"})


def _cast(m, x, dtype=None, **_):
    if dtype is None or dtype in FLOAT_TYPES or dtype is float:
        return x
    m.refuse(f"a cast to {dtype} changes the numbers (whole numbers, truth values or complex ones) and passes no "
             f"gradient", "leave the cast out where the value is already what is meant, or cast to a float type "
             "(float32, float64)")


def _nansum(m, x, axis=None, keepdims=False, **_):
    """np.nansum(x), mxnet's nansum: the sum of x's numbers, nan taken as 0 (its gradient 1 at each number)."""
    kept = m("where", m("isnan", x), m.const(0.0), x)
    return _reduce("sum")(m, kept, axis, keepdims)


def _diag(m, x, k=0, **_):
    """np.diag(v) (a vector on a matrix's diagonal), np.diag(A) (a matrix's diagonal), torch.diag; the main
    diagonal only (k = 0)."""
    if k != 0:
        m.refuse("a diagonal other than the main one (k ≠ 0) is not read", "write diag(x) for the main diagonal")
    return m("diag", x)


def _diagonal(m, x, k=0, **_):
    """tf.linalg.diag_part(A), np.diagonal(A), x.diagonal(): a matrix's diagonal (refused for a vector)."""
    if k != 0:
        m.refuse("a diagonal other than the main one (offset ≠ 0) is not read", "write diagonal(x) for the main one")
    return m("diagonal", x)


def _scan(name: str):
    """cumsum and cumprod along an axis; np.cumsum(x) with no axis (NumPy's, JAX's) of x flattened."""
    def build(m, x, axis=None, exclusive=False, reverse=False, **_):
        if exclusive or reverse:
            m.refuse(f"an exclusive or reversed {name} is not read", f"write {name}(x, axis) of x itself, or flip x first")
        if axis is None:
            x, axis = _flatten(m, x), 0
        return m(name, x, m.axis(axis, name))
    return build


def _sort(m, x, axis=-1, descending=False, **_):
    """np.sort(x), torch.sort(x, dim, descending=True), tf.sort(x, direction='DESCENDING'): stable, as PyTorch's
    and JAX's gradients at ties are; descending is −sort(−x) (tied elements still in their order). axis=None
    (NumPy's) sorts x flattened."""
    if descending not in (True, False, "ASCENDING", "DESCENDING"):
        m.refuse(f"the direction {descending!r} is not read", "write descending=True or direction='DESCENDING'")
    if axis is None:
        x, axis = _flatten(m, x), 0
    if descending in (True, "DESCENDING"):
        return m("neg", m("sort", m("neg", x), m.axis(axis, "sort")))
    return m("sort", x, m.axis(axis, "sort"))


def _median_of(lower: bool):
    def build(m, x, axis=None, **_):
        if axis is not None:
            m.refuse("a median along an axis is not read yet", "write median(x) of every element, or index a row first")
        return m("median_low" if lower else "median", x)
    return build


def _index_producer(name: str):
    """argmax(x), argmin(x) (of x flattened), argmax(x, axis), argsort(x): indices, which carry no gradient, for
    indexing (x[np.argmax(x)], x[np.argsort(x)])."""
    def build(m, x, axis=None, keepdims=False, descending=False, **_):
        if keepdims or descending:
            m.refuse(f"{name} with keepdims or descending is not read", f"write {name}(x) or {name}(x, axis)")
        if name == "argsort":
            return m("argsort", x if axis is not None else _flatten(m, x), m.axis(-1 if axis is None else axis, name))
        return m(name, x) if axis is None else m(f"{name}_axis", x, m.axis(axis, name))
    return build


def _reshape_as(m, x, y):
    """x.reshape_as(y), x.view_as(y), x.reshape(y.shape) (read as reshape_as): x's numbers in y's shape."""
    return m("reshape_as", x, y)


def _arange(m, start, stop=None, step=None, **_):
    """arange(4.0), arange(1, 7, 2), tf.range(3.): the numbers start, start + step, … below stop, a value
    written in the code (as the libraries make it; arange(4) is 0, 1, 2, 3)."""
    import numpy as np

    start, stop = (0, start) if stop is None else (start, stop)
    step = 1 if step is None else step
    if not all(isinstance(n, (int, float)) and not isinstance(n, bool) and math.isfinite(n) for n in (start, stop, step)) \
            or step == 0:
        m.refuse("start, stop and step must be numbers written in the call, step not 0",
                 "write e.g. arange(4.0) or arange(1, 7, 2)")
    count = math.ceil((stop - start) / step)
    if count <= 0 or count > 10 ** 6:
        m.refuse(f"this makes {'no numbers' if count <= 0 else f'{count} numbers'}",
                 "write e.g. arange(4.0) or arange(1, 7, 2): at least one number, at most a million")
    return m.const(np.arange(start, stop, step, dtype=np.float64))


def _linspace(m, start, stop, num=50, endpoint=True, **_):
    """linspace(-10.0, 10.0, 201) (TensorFlow's guide, torch.linspace(start, end, steps)): num numbers
    evenly from start to stop, a value written in the code."""
    import numpy as np

    if not all(isinstance(n, (int, float)) and not isinstance(n, bool) and math.isfinite(n) for n in (start, stop)) \
            or not isinstance(num, int) or isinstance(num, bool) or not 0 < num <= 10 ** 6:
        m.refuse("start and stop must be numbers written in the call, and num a whole number from 1 to a million",
                 "write e.g. linspace(-1.0, 1.0, 5)")
    return m.const(np.linspace(start, stop, num, endpoint=bool(endpoint), dtype=np.float64))


def _eye(m, n0, n1=None, **_):
    """eye(3), eye(4, 5): the identity matrix (n0 rows, n1 columns, 1 on the diagonal), a value written
    in the code."""
    import numpy as np

    if not all(isinstance(n, int) and not isinstance(n, bool) and 0 < n <= 3000 for n in (n0, n0 if n1 is None else n1)):
        m.refuse("the size must be whole numbers written in the call", "write e.g. eye(3) or eye(4, 5)")
    return m.const(np.eye(n0, n1))


_RANDOM = "random numbers are not read: gradcalc differentiates at values you give"


def _random(m, x=None, n1=None, n2=None, _said=_RANDOM, **_):
    name = m.target()
    if name in m.given():      # w = torch.randn(5, 3) with --w given: the value given is w's
        return m.const(0.0)
    written = m.numbers(x) if x is not None else None        # randn((3, 2)), randn(()) (a number)
    if written is None and x is not None and getattr(m.number(x), "ndim", 0) == 1:
        written = tuple(m.number(x))                           # randn([3, 2]), tf.random.normal([3])
    sizes = list(written) if written is not None else [m.number(x) if x is not None else None, n1, n2]
    shape = [int(n) for n in sizes if isinstance(n, (int, float)) and n == int(n) and n > 0]
    if written == () or x is None and n1 is None:     # np.random.randn(): one number
        m.refuse(_said,
                 f"give {name}'s value (a number) with --{name}, e.g. --{name} 0.5")
    size = f" (shape {'×'.join(map(str, shape))})" if shape else ""
    if shape and math.prod(shape) > _PASTED:   # too long to paste: from a file
        m.refuse(_said,
                 f"give {name}'s value{size} with --{name}, from a file: --{name} @{name}.npy"
                 + (f" or --{name} @{name}.csv ({shape[0]} rows of {shape[1]} numbers)" if len(shape) == 2 else ""))
    example = "[0.5, -1.2, 0.3]"   # sizes not written as numbers: any vector
    if shape:   # every element, so the hint can be pasted back as it is
        example = "[" + ", ".join(["0.1"] * shape[-1]) + "]"
        for n in reversed(shape[:-1]):
            example = "[" + ", ".join([example] * n) + "]"
    m.refuse(_said,
             f"give {name}'s value{size} with --{name}, e.g. --{name} \"{example}\"")


_PASTED = 30   # the most elements a hint's example value writes out


def _set_item(m, x, i, v):
    """x[i] = v, read as x = where(1 at i, v, x): v's gradient from position i, x's from the others."""
    return m("where", m("at_index", i, x, v), v, x)


S = Spelling

# -- the tables ---------------------------------------------------------------------------------------
# What the array libraries share (numpy's names; torch, jnp and tf add or rename below). A name not in
# a namespace's table but callable in gradcalc (np.sin, torch.exp, math.log) means gradcalc's function.

_REDUCTIONS = {
    "sum": S("x, axis=None, keepdims=False", _reduce("sum")),
    "mean": S("x, axis=None, keepdims=False", _reduce("mean")),
    "max": S("x, axis=None, keepdims=False", _reduce("max")),
    "amax": S("x, axis=None, keepdims=False", _reduce("max")),
    "min": S("x, axis=None, keepdims=False", _reduce("min")),
    "amin": S("x, axis=None, keepdims=False", _reduce("min")),
    "prod": S("x, axis=None, keepdims=False", _reduce("prod")),
}

_ARITHMETIC = {
    "add": S("x, y", _op("add")), "subtract": S("x, y", _op("sub")), "multiply": S("x, y", _op("mul")),
    "divide": S("x, y", _op("div")), "true_divide": S("x, y", _op("div")),
    "power": S("x, y", _op("pow")), "float_power": S("x, y", _op("pow")), "pow": S("x, y", _op("pow")),
    "negative": S("x", _op("neg", 1)), "positive": S("x", _identity), "square": S("x", _square),
    "reciprocal": S("x", _reciprocal), "maximum": S("x, y", _call("maximum", 2)),
    "minimum": S("x, y", _call("minimum", 2)), "logaddexp": S("x, y", _logaddexp),
    "dot": S("x, y", _op("matmul")), "matmul": S("x, y", _op("matmul")), "inner": S("x, y", _inner),
    "vdot": S("x, y", _vdot), "outer": S("x, y", _op("outer")),
    "tensordot": S("x|a, y|b, axes|dims=2", _tensordot),
    "transpose": S("x, s0|axes|perm=None", _transposed), "clip": S("x, min|a_min=None, max|a_max=None", _clamp),
    "permute_dims": S("x, s0|axes", _permute), "swapaxes": S("x, dim0|axis1, dim1|axis2", _swap_axes),
    **dict.fromkeys(("concatenate", "concat"), S("xs|arrays|values|tensors|seq, axis=0", _joined(False))),
    "stack": S("xs|arrays|values|tensors, axis=0", _joined(True)),
    "linalg.norm": S("x, ord=None, axis=None", _norm), "norm": S("x, ord=None, axis=None", _norm),
    "var": S("x, axis=None, ddof|correction=0, keepdims=False", _variance("var", False)),
    "std": S("x, axis=None, ddof|correction=0, keepdims=False", _variance("std", False)),
    "array": S("x", _value), "asarray": S("x", _value), "reshape": S("x, s0|shape|newshape, s1=None, s2=None, s3=None", _reshape),
    "ravel": S("x", _flatten),
    "squeeze": S("x, axis=None", _squeeze), "expand_dims": S("x, axis", _unsqueeze),
    "zeros": S("n0, n1=None, n2=None, requires_grad=False", _filled(0.0)),
    "eye": S("n0, n1|M|num_columns=None, requires_grad=False", _eye), "identity": S("n0", _eye),
    "arange": S("start, stop=None, step=None, requires_grad=False", _arange),
    "linspace": S("start, stop|end, num|steps=50, endpoint=True, requires_grad=False", _linspace),
    "ones": S("n0, n1=None, n2=None, requires_grad=False", _filled(1.0)),
    "zeros_like": S("x, requires_grad=False", _filled_like(0.0)),
    "ones_like": S("x, requires_grad=False", _filled_like(1.0)),
    "where": S("condition, x=None, y=None", _where_of), "extract": S("condition, x|arr", _extract),
    "logical_not": S("x", _logical("not")), "logical_and": S("x, y", _logical("and")),
    "logical_or": S("x, y", _logical("or")),
    "isnan": S("x", _op("isnan", 1)), "nansum": S("x, axis=None, keepdims=False", _nansum),
    **{name: S("x|a, axis=None", _scan(name)) for name in ("cumsum", "cumprod")},
    "sort": S("x|a, axis=-1", _sort), "median": S("x|a, axis=None, keepdims=False", _median_of(False)),
    **{name: S("x|a, axis=None, keepdims=False", _index_producer(name)) for name in ("argmax", "argmin")},
    "argsort": S("x|a, axis=-1", _index_producer("argsort")),
    "trace": S("x", _op("trace", 1)), "diag": S("x|v, k|diagonal=0", _diag), "diagonal": S("x, k|offset=0", _diagonal),
    **{f"linalg.{name}": S("x|A", _op(name, 1)) for name in ("det", "inv")},
    "astype": S("x, dtype", _cast),
    # angles and base-2 log-sum-exp: a constant factor, and logaddexp in units of ln 2
    **dict.fromkeys(("deg2rad", "radians"), S("x", lambda m, x: m("mul", x, m.const(math.pi / 180.0)))),
    **dict.fromkeys(("rad2deg", "degrees"), S("x", lambda m, x: m("mul", x, m.const(180.0 / math.pi)))),
    "logaddexp2": S("x, y", lambda m, x, y: m("div", _logaddexp(m, m("mul", x, m.const(math.log(2.0))),
                                                                  m("mul", y, m.const(math.log(2.0)))),
                                               m.const(math.log(2.0)))),
}

NUMPY = {**_REDUCTIONS, **_ARITHMETIC}

# JAX's own forms where its derivative at a kink is not another library's: relu6 and hard_sigmoid pass
# no gradient at either end (a custom rule), leaky_relu passes 1 at 0 (x ≥ 0), abs passes 1 at 0,
# clip is minimum(maximum(x, lo), hi), whose ties share the gradient (½ at either bound).
def _relu6_jax(m, x):
    return m("where", m("greater", x, m.const(0.0)), m("where", m("less", x, m.const(6.0)), x, m.const(6.0)),
             m.const(0.0))


def _hard_sigmoid_jax(m, x):
    return m("div", _relu6_jax(m, m("add", x, m.const(3.0))), m.const(6.0))


def _leaky_jax(m, x, slope):
    return m("where", m("greater_equal", x, m.const(0.0)), x, m("mul", slope, x))


def _abs_jax(m, x):
    return m("where", m("greater_equal", x, m.const(0.0)), x, m("neg", x))


def _clip_jax(m, x, min=None, max=None):
    if min is None and max is None:
        m.refuse("clip needs min or max", "write jnp.clip(x, 0, 1) or jnp.clip(x, min=0)")
    low = x if min is None else m.call("maximum", x, min)
    return low if max is None else m.call("minimum", low, max)


def _selu(m, x):
    # JAX's and PyTorch's constants: scale·(x if x > 0 else α·(eˣ − 1))
    alpha, scale = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
    return m("mul", m.const(scale), _celu(m, x, m.const(alpha), scaled=True))


def _celu(m, x, alpha, scaled=False):
    """x if x > 0 else α·(e^(x/α) − 1) (SELU's inner part: α·(eˣ − 1))."""
    inner = x if scaled else m("div", x, alpha)
    return m("where", m("greater", x, m.const(0.0)), x, m("mul", alpha, m.call("expm1", inner)))


def _mish(m, x):
    return m("mul", x, m.call("tanh", m.call("softplus", x)))


def _squareplus(m, x, b):
    return m("div", m("add", x, m.call("sqrt", m("add", m("pow", x, m.const(2.0)), b))), m.const(2.0))


def _sparse_plus(m, x):
    middle = m("div", m("pow", m("add", x, m.const(1.0)), m.const(2.0)), m.const(4.0))
    return m("where", m("less_equal", x, m.const(-1.0)), m.const(0.0),
             m("where", m("greater_equal", x, m.const(1.0)), x, middle))


JAX_NN = {
    "relu": S("x", _call("relu")), "sigmoid": S("x", _call("sigmoid")), "softplus": S("x", _call("softplus")),
    "silu": S("x", _call("silu")), "swish": S("x", _call("silu")), "elu": S("x, alpha=1.0", _elu),
    # jax.nn.gelu is the tanh approximation unless approximate=False.
    "gelu": S("x, approximate=True", _gelu(True)),
    "leaky_relu": S("x, slope|negative_slope=0.01", _leaky_jax),
    "softmax": S("x, axis=-1", _softmax), "log_softmax": S("x, axis=-1", _log_softmax),
    "logsumexp": S("x, axis=None, keepdims=False", _logsumexp),
    "log_sigmoid": S("x", _log_sigmoid), "soft_sign": S("x", _softsign),
    "relu6": S("x", _relu6_jax), "hard_tanh": S("x", _hardtanh(-1.0, 1.0)),
    "tanh": S("x", _call("tanh")), "one_hot": S("t|x, num|num_classes", _one_hot),
    "hard_sigmoid": S("x", _hard_sigmoid_jax),
    **dict.fromkeys(("hard_silu", "hard_swish"), S("x", lambda m, x: m("mul", x, _hard_sigmoid_jax(m, x)))),
    "selu": S("x", _selu), "celu": S("x, alpha=1.0", _celu), "mish": S("x", _mish),
    "squareplus": S("x, b=4.0", _squareplus), "sparse_plus": S("x", _sparse_plus),
}

SPECIAL = {   # scipy.special and jax.scipy.special
    "expit": S("x", _call("sigmoid")), "logit": S("x", _logit), "erf": S("x", _call("erf")),
    "erfc": S("x", _call("erfc")), "logsumexp": S("x, axis=None, keepdims=False", _logsumexp),
    # scipy's and jax.scipy's softmax default to axis=None: over the whole array (jax.nn's to the last axis)
    "softmax": S("x, axis=None", _softmax_whole), "log_softmax": S("x, axis=None", _log_softmax_whole),
    "xlogy": S("x, y", _xlogy), "ndtr": S("x", _ndtr),
    # psi is digamma here only: bare, ψ is a variable's name too
    "psi": S("x", _call("digamma")),
}

JAX_LAX = {
    "stop_gradient": S("x", _detach), "add": S("x, y", _op("add")), "sub": S("x, y", _op("sub")),
    "mul": S("x, y", _op("mul")), "div": S("x, y", _op("div")), "pow": S("x, y", _op("pow")),
    "integer_pow": S("x, y", _op("pow")), "neg": S("x", _op("neg", 1)), "max": S("x, y", _call("maximum", 2)),
    "min": S("x, y", _call("minimum", 2)), "logistic": S("x", _call("sigmoid")), "square": S("x", _square),
    "rsqrt": S("x", _rsqrt), "dot": S("x, y", _op("matmul")),
    "select": S("condition|pred, x|on_true, y|on_false", _op("where", 3)),
    "squeeze": S("x|array, axis|dimensions", _squeeze), "expand_dims": S("x|array, axis|dimensions", _unsqueeze),
}

TORCH_FUNCTIONAL = {   # torch.nn.functional, imported as F
    "relu": S("x", _call("relu")), "sigmoid": S("x", _call("sigmoid")), "tanh": S("x", _call("tanh")),
    "silu": S("x", _call("silu")),      # (F.softplus: KINKS, PyTorch's threshold)
    "selu": S("x", lambda m, x, **_: _selu(m, x)), "celu": S("x, alpha=1.0", lambda m, x, alpha, **_: _celu(m, x, alpha)),
    "mish": S("x", lambda m, x, **_: _mish(m, x)), "hardswish": S("x", _hardswish),
    "hardsigmoid": S("x", lambda m, x, **_: _hard_sigmoid_jax(m, x)),
    "tanhshrink": S("x", lambda m, x: m("sub", x, m.call("tanh", x))),
    "smooth_l1_loss": S("x, y|target, reduction='mean', beta=None", _smooth_l1),
    "huber_loss": S("x, y|target, reduction='mean', delta=None", _huber),
    "kl_div": S("x, t|target, reduction='mean', log_target=False", _kl_div),
    "normalize": S("x, p=2, axis=1, eps=None", _normalize),
    "cosine_similarity": S("x|x1, y|x2, axis=1, eps=None", _cosine_similarity),
    "elu": S("x, alpha=1.0", _elu), "gelu": S("x, approximate='none'", _gelu(False)),
    "leaky_relu": S("x, slope|negative_slope=0.01", _leaky),
    "softmax": S("x, axis=None", _implicit_dim(_softmax, "softmax")),
    "log_softmax": S("x, axis=None", _implicit_dim(_log_softmax, "log_softmax")),
    "logsigmoid": S("x", _log_sigmoid), "softsign": S("x", _softsign),
    "relu6": S("x", _hardtanh(0.0, 6.0)),
    "hardtanh": S("x, min|min_val=-1.0, max|max_val=1.0", lambda m, x, min, max, **_: m.call("clip", x, min, max)),
    "mse_loss": S("x, y|target, reduction='mean'", _mse),
    "l1_loss": S("x, y|target, reduction='mean'", _l1),
    "binary_cross_entropy": S("x, t|target, weight=None, reduction='mean'", _bce),
    "binary_cross_entropy_with_logits": S("x, t|target, weight=None, reduction='mean'",
                                          _bce_logits),
    "cross_entropy": S("x, t|target, weight=None, ignore_index=-100, reduction='mean', "
                       "label_smoothing=None", _torch_ce),
    "nll_loss": S("x, t|target, weight=None, ignore_index=-100, reduction='mean'", _nll),
    "one_hot": S("t|tensor, num|num_classes=-1", _one_hot),
    "linear": S("x, w|weight, b|bias=None", _linear),
    # DeZero imports dezero.functions as F too: its sum and mean take an axis (torch's F has none)
    "sum": _REDUCTIONS["sum"], "mean": _REDUCTIONS["mean"], "matmul": S("x, y|W", _op("matmul")),
    "transpose": S("x", _transpose), "reshape": S("x, s0|shape", _reshape),
}

TORCH = {
    **NUMPY, **{k: v for k, v in TORCH_FUNCTIONAL.items() if k in ("relu", "sigmoid", "tanh", "softmax",
                                                                   "log_softmax", "logsigmoid")},
    "clamp": S("x, min=None, max=None", _clamp), "clip": S("x, min=None, max=None", _clamp),
    "mm": S("x, y|mat2", _op("matmul")), "mv": S("x, y|vec", _op("matmul")),
    "mul": S("x, y", _op("mul")), "sub": S("x, y", _op("sub")), "div": S("x, y", _op("div")),
    "neg": S("x", _op("neg", 1)), "rsqrt": S("x", _rsqrt), "t": S("x", _transpose),
    "transpose": S("x, dim0=None, dim1=None", _transpose), "unsqueeze": S("x, axis", _unsqueeze),
    "cat": S("xs|tensors, axis=0", _joined(False)), "det": S("x", _op("det", 1)),
    **{name: S("x, axis", _scan(name)) for name in ("cumsum", "cumprod")},
    "sort": S("x, axis=-1, descending=False, stable=None", _sort), "median": S("x, axis=None, keepdims=False", _median_of(True)),
    "argsort": S("x, axis=-1, descending=False", _index_producer("argsort")),
    **dict.fromkeys(("inverse", "linalg.inv"), S("x|A", _op("inv", 1))), "permute": S("x, s0|dims", _permute),
    **dict.fromkeys(("swapdims", "swapaxes"), S("x, dim0|axis0, dim1|axis1", _swap_axes)),
    "logsumexp": S("x, axis, keepdims=False", _logsumexp),
    # PyTorch's var and std divide by n − 1 unless correction=0 (or unbiased=False) is given.
    "var": S("x, axis=None, unbiased=None, correction=None, keepdims=False", _variance("var", True)),
    "std": S("x, axis=None, unbiased=None, correction=None, keepdims=False", _variance("std", True)),
    "norm": S("x, ord|p=None, axis=None", _flat_norm), "linalg.norm": S("x, ord=None, axis=None", _norm),
    "detach": S("x", _detach), "tensor": S("x, requires_grad=False", _value),
    "autograd.Variable": S("x|data, requires_grad=False, volatile=False", _value),
    "as_tensor": S("x", _value), "Tensor": S("x, requires_grad=False", _value),
    "FloatTensor": S("x", _value), "DoubleTensor": S("x", _value),
    **{name: S("x|size=None, n1=None, n2=None, requires_grad=False, *", _random) for name in ("randn", "rand", "randint", "normal", "randn_like",
                                                  "rand_like", "empty", "uniform")},
    "special.expit": S("x", _call("sigmoid")), "special.erf": S("x", _call("erf")),
    "special.logit": S("x", _logit), "special.xlogy": S("x, y", _xlogy),
    "logit": S("x", _logit), "xlogy": S("x, y", _xlogy),
}

TENSORFLOW = {
    **NUMPY,
    **{f"reduce_{k}": S("x|input_tensor, axis=None, keepdims=False", v.build) for k, v in _REDUCTIONS.items()
       if not k.startswith("a")},
    "reduce_logsumexp": S("x|input_tensor, axis=None, keepdims=False", _logsumexp),
    "reduce_euclidean_norm": S("x|input_tensor", _call("norm")),
    "multiply": S("x, y", _op("mul")), "subtract": S("x, y", _op("sub")),
    "clip_by_value": S("x, min|clip_value_min, max|clip_value_max", _clamp),
    "squared_difference": S("x, y", _squared_difference), "stop_gradient": S("x", _detach),
    "sigmoid": S("x", _call("sigmoid")), "rsqrt": S("x", _rsqrt), "neg": S("x", _op("neg", 1)),
    "norm": S("x|tensor, ord=None, axis=None", _norm), "log_sigmoid": S("x", _log_sigmoid),
    "Variable": S("x|initial_value, trainable=True", _value), "constant": S("x|value", _value),
    "cumsum": S("x, axis=0, exclusive=False, reverse=False", _scan("cumsum")),
    "cumprod": S("x, axis=0, exclusive=False, reverse=False", _scan("cumprod")),
    "sort": S("x|values, axis=-1, descending|direction='ASCENDING'", _sort),
    "argsort": S("x|values, axis=-1, descending|direction='ASCENDING'", _index_producer("argsort")),
    "convert_to_tensor": S("x|value, dtype=None", _value), "cast": S("x, dtype", _cast), "is_nan": S("x", _op("isnan", 1)),
    "get_variable": S("x|initializer", _value),    # TF 1.x: tf.get_variable(initializer=3.0, name='x')
    "l2_normalize": S("x, axis=None", _l2_normalize), "math.l2_normalize": S("x, axis=None", _l2_normalize),
    # Keras' losses: per example (the mean over the last axis), and the loss objects' overall mean
    **dict.fromkeys(("keras.losses.MSE", "keras.losses.mse", "keras.losses.mean_squared_error",
                     "keras.metrics.mean_squared_error"), S("t|y_true, x|y_pred", lambda m, t, x: _keras_mean(m, _square(m, m("sub", t, x))))),
    **dict.fromkeys(("keras.losses.MAE", "keras.losses.mae", "keras.losses.mean_absolute_error"),
                    S("t|y_true, x|y_pred", lambda m, t, x: _keras_mean(m, m.call("abs", m("sub", t, x))))),
    "keras.losses.MeanSquaredError()": S("t, x", lambda m, t, x: m.call("mean", _square(m, m("sub", t, x)))),
    "keras.losses.huber": S("t|y_true, x|y_pred, delta=None", _keras_huber),
    "keras.losses.Huber()": S("t, x, delta=None", lambda m, t, x, delta: m.call("mean", _huber(m, x, t, "none", delta))),
    "keras.losses.MeanAbsoluteError()": S("t, x", lambda m, t, x: m.call("mean", m.call("abs", m("sub", t, x)))),
    "range": S("start, stop|limit=None, step|delta=None", _arange),
    "matmul": S("x|a, y|b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False", _tf_matmul),
    "one_hot": S("t|indices, depth", _tf_one_hot), "boolean_mask": S("x|tensor, mask, axis=None", _boolean_mask),
    **dict.fromkeys(("keras.losses.sparse_categorical_crossentropy", "keras.metrics.sparse_categorical_crossentropy"),
                    S("t|y_true, x|y_pred, from_logits=False", _keras_sparse_ce)),
}

def _jax_draw(m, x=None, **_):
    """jax.random.normal(key, (3,)): the numbers a key draws, as any random numbers (the value given
    for the name they are assigned to, or refused asking for it). Its key is blanked when the program
    is read (dialects._without_keys): the shape is what is left."""
    return _random(m, x, _said="JAX's random numbers are not read: gradcalc cannot draw JAX's random stream, "
                               "and differentiates at values you give")


def _jax_key(m, **_):
    """jax.random.PRNGKey(0), random.split(key): a key only feeds draws, whose values are given."""
    return m.const(0.0)


# JAX's random numbers come from a key: gradcalc cannot draw JAX's stream, so the draws are given values
JAX_RANDOM = {**{name: S("x|shape=None, *", _jax_draw) for name in (
    "normal", "uniform", "bernoulli", "truncated_normal", "randint", "choice", "permutation", "gumbel",
    "laplace", "logistic", "exponential", "gamma", "beta", "categorical")},
    **{name: S("x=None, n1=None, *", _jax_key) for name in ("PRNGKey", "key", "split", "fold_in", "clone")}}

RANDOM = {name: S("x=None, n1=None, n2=None, *", _random) for name in ("randn", "rand", "randint", "normal", "uniform", "random",
                                                "standard_normal", "random_sample", "choice", "gauss")}

TF_NN = {
    "relu": S("x", _call("relu")), "sigmoid": S("x", _call("sigmoid")), "tanh": S("x", _call("tanh")),
    "softplus": S("x", _call("softplus")), "elu": S("x", _call("elu")), "silu": S("x", _call("silu")),
    "swish": S("x", _call("silu")), "gelu": S("x, approximate=False", _gelu(False)),
    # tf.nn.leaky_relu's slope is 0.2 unless alpha= says otherwise (PyTorch's and JAX's: 0.01).
    "leaky_relu": S("x, slope|alpha=0.2", _leaky),
    "softmax": S("x|logits, axis=None", _softmax), "log_softmax": S("x|logits, axis=None", _log_softmax),
    "sigmoid_cross_entropy_with_logits": S("t|labels, x|logits", lambda m, t, x: _sigmoid_ce(m, x, t)),
    "softmax_cross_entropy_with_logits": S("t|labels, x|logits, axis=-1", _softmax_ce),
    "sparse_softmax_cross_entropy_with_logits": S("t|labels, x|logits", _sparse_ce),
    "l2_loss": S("x", _l2_loss), "relu6": S("x", _hardtanh(0.0, 6.0)),
    "l2_normalize": S("x, axis=None", _l2_normalize),
    # TensorFlow's SeluGrad: scale·α at x = 0, as PyTorch's and JAX's
    "selu": S("x", lambda m, x: _selu(m, x)), "softsign": S("x", _softsign), "log_sigmoid": S("x", _log_sigmoid),
}

# tf.keras.activations: TensorFlow's own functions (gelu exact unless approximate=True); hard_sigmoid is
# 0.2x + 0.5 clipped in Keras 2 and relu6(x + 3)/6 in Keras 3, so it is refused (UNSUPPORTED)
KERAS_ACTIVATIONS = {
    **{name: TF_NN[name] for name in ("relu", "sigmoid", "tanh", "softplus", "elu", "selu", "softsign", "swish", "silu",
                                      "gelu", "relu6")},
    "exponential": S("x", _call("exp")), "linear": S("x", _identity), "mish": S("x", lambda m, x: _mish(m, x)),
}

MATH = {"pow": S("x, y", _op("pow"))}

def _error_of(m, x, t):
    """optax's errors: predictions − targets, or the predictions alone when no targets are given."""
    return x if t is None else m("sub", x, t)


def _log_cosh(m, x, t=None):
    # log cosh(e) as optax computes it: logaddexp(e, −e) − log 2 (never overflows)
    e = _error_of(m, x, t)
    return m("sub", _logaddexp(m, e, m("neg", e)), m.const(math.log(2.0)))


# optax's losses (JAX's usual ones): one loss per element or per row, no mean, as optax returns them
OPTAX = {
    "sigmoid_binary_cross_entropy": S("x|logits, t|labels", lambda m, x, t: _sigmoid_ce(m, x, t)),
    "softmax_cross_entropy": S("x|logits, t|labels", lambda m, x, t: _softmax_ce(m, t, x)),
    "softmax_cross_entropy_with_integer_labels": S("x|logits, t|labels", lambda m, x, t: _sparse_ce(m, t, x)),
    "squared_error": S("x|predictions, t|targets=None", lambda m, x, t=None: _square(m, _error_of(m, x, t))),
    "l2_loss": S("x|predictions, t|targets=None",
                 lambda m, x, t=None: m("mul", m.const(0.5), _square(m, _error_of(m, x, t)))),
    "log_cosh": S("x|predictions, t|targets=None", _log_cosh),
    "huber_loss": S("x|predictions, t|targets=None, delta=None", _optax_huber),
    # Σ targets·(log targets − log_predictions) along the last axis (0·log 0 taken as 0, as optax's where)
    "kl_divergence": S("x|log_predictions, t|targets, axis=-1",
                       lambda m, x, t, axis: _reduce("sum")(m, m("sub", m("xlogx", t), m("mul", t, x)), axis)),
    "cosine_similarity": S("x|predictions, y|targets, eps|epsilon=0.0, axis=-1", _optax_cosine),
    "hinge_loss": S("x|predictor_outputs, t|targets",
                    lambda m, x, t: m.call("maximum", m.const(0.0), m("sub", m.const(1.0), m("mul", x, t)))),
}

# jax.numpy: NumPy's names, with JAX's derivatives at the kinks of abs and clip (and fmax, fmin, the
# norm's): KINKS below
JAX_NUMPY = dict(NUMPY)

# -- kinks and ties, by library ------------------------------------------------------------------------
# Where the libraries' gradients differ at a kink or a tie, each library's name is read as that library
# computes it; gradcalc's own functions and NumPy's names take PyTorch's (README's table of functions).
# Each row was checked against the library's printed gradient (tests/test_conventions.py):
#   relu6 at 0 and 6: 0 in all three (PyTorch's hardtanh backward masks (x > min) & (x < max); JAX's
#     relu6 jvp and TF's Relu6Grad the same); F.hardtanh at ±1: 0; jax.nn.hard_tanh at ±1: 1 (gradcalc's clip)
#   clip at a bound: 1 (torch.clamp, tf.clip_by_value: gradcalc's clip); jnp.clip ½ (it is
#     minimum(maximum(x, lo), hi), and a tie gives ½)
#   maximum and minimum at a tie: ½ each (torch, jnp, lax); TensorFlow's all to the first argument
#     (its _MaximumGrad masks x >= y, _MinimumGrad x <= y); jnp.fmax/fmin all to the second
#   abs at 0: 0 (torch, TF: sign(0)); JAX's 1 (its jvp is select(x >= 0, t, −t))
#   leaky_relu at 0: the slope (torch, TF); JAX's 1 (where(x >= 0, x, slope·x))
#   the 2-norm of a zero vector: 0 in PyTorch (its backward masks x = 0); nan in JAX and TF, which take
#     sqrt(Σx²) (exit 3 here)
#   max and min along an axis with ties: shared equally (np, jnp, tf.reduce_max, torch.amax); PyTorch's
#     x.max(dim) all to the first index it returns (parse.py, where the pair it returns is made)
#   softplus: PyTorch's F.softplus is x itself where βx > threshold (20), its gradient exactly 1 there
#     (F.softplus(21.) gives 1, jax.nn.softplus 0.9999999992); JAX's, TF's and gradcalc's have no threshold
#   (checked alike in all: hardswish at ±3 gives 0 and 1, hardsigmoid 0 at both; selu at 0 scale·α, celu 1;
#     sort, median and argmax at ties: tests/test_scans.py)


def _open_clip(m, x, min, max, **_):
    """PyTorch's hardtanh (relu6 its case 0, 6): x's gradient passes strictly inside only."""
    inside = m("mul", m("greater", x, min), m("less", x, max))
    return m("where", inside, x, m("stop_gradient", m.call("clip", x, min, max)))


def _tie_to(compare: str):
    """max or min whose tie goes to one side: where(x >= y, x, y) gives it all to x (TF's maximum)."""
    return lambda m, x, y, **_: m("where", m(compare, x, y), x, y)


def _root_of_squares(m, x):
    return m.call("sqrt", m.call("sum", m("mul", x, x)))


_ZERO_SIX = "x, min|min_val=0.0, max|max_val=6.0"
KINKS: dict[tuple[str, ...], dict[str, Spelling]] = {
    ("F", "torch.nn.functional", "nn.functional"): {
        "relu6": S(_ZERO_SIX, _open_clip), "hardtanh": S("x, min|min_val=-1.0, max|max_val=1.0", _open_clip),
        "softplus": S("x, beta=None, threshold=None", _torch_softplus)},
    # jax.nn's relu6 and leaky_relu are JAX_NN's own (_relu6_jax, _leaky_jax): the same rows
    ("tf.nn",): {"relu6": S(_ZERO_SIX, _open_clip)},
    ("jnp", "jax.numpy"): {
        "clip": S("x, min|a_min=None, max|a_max=None", _clip_jax), "abs": S("x", _abs_jax),
        "absolute": S("x", _abs_jax), "fmax": S("x, y", _tie_to("greater")), "fmin": S("x, y", _tie_to("less")),
        "linalg.norm": S("x, ord=None, axis=None", _norms(_root_of_squares, _abs_jax))},
    ("jnp.linalg",): {"norm": S("x, ord=None, axis=None", _norms(_root_of_squares, _abs_jax))},
    ("tf", "tf.math"): {
        "maximum": S("x, y", _tie_to("greater_equal")), "minimum": S("x, y", _tie_to("less_equal")),
        "norm": S("x|tensor, ord=None, axis=None", _norms(_root_of_squares, lambda m, x: m.call("abs", x))),
        "reduce_euclidean_norm": S("x|input_tensor", _root_of_squares)},
}


# Dive into Deep Learning's d2l.* (d2l/torch.py, mxnet.py, tensorflow.py, jax.py): each the framework's own, the
# same numbers in all four; reduce_sum(x, axis, keepdims=…) and reshape(x, shape) are x.sum(…) and x.reshape(…)
D2L = {"reduce_sum": S("x, axis=None, keepdims=False", _reduce("sum")),
       "reduce_mean": S("x, axis=None, keepdims=False", _reduce("mean")),
       "matmul": S("x, y", _op("matmul")), "reshape": S("x, s0|shape, s1=None, s2=None, s3=None", _reshape),
       "transpose": S("x", _transpose), "abs": S("x", _call("abs")), "sigmoid": S("x", _call("sigmoid")),
       "tensor": S("x", _value), "concat": S("xs, axis=0", _joined(False)), "stack": S("xs, axis=0", _joined(True))}

# np.linalg, jnp.linalg, torch.linalg, tf.linalg: det and inv of one square matrix
LINALG = {"det": S("x|a|A|input", _op("det", 1)), "inv": S("x|a|A|input", _op("inv", 1))}

# Module path as written → its table. "jax.numpy" and "jnp" are the same module; so are "F" and
# "torch.nn.functional".
NAMESPACES: dict[str, dict[str, Spelling]] = {
    "np": NUMPY, "numpy": NUMPY, "jnp": JAX_NUMPY, "jax.numpy": JAX_NUMPY, "optax": OPTAX, "optax.losses": OPTAX, "np.linalg": {"norm": NUMPY["norm"], **LINALG},
    "numpy.linalg": {"norm": NUMPY["norm"], **LINALG}, "jnp.linalg": {"norm": JAX_NUMPY["linalg.norm"], **LINALG},
    "jax.nn": JAX_NN, "jax.lax": JAX_LAX, "lax": JAX_LAX, "jax.scipy.special": SPECIAL,
    "scipy.special": SPECIAL, "special": SPECIAL,
    "torch": TORCH, "torch.nn.functional": TORCH_FUNCTIONAL, "F": TORCH_FUNCTIONAL,
    "nn.functional": TORCH_FUNCTIONAL, "torch.special": {**SPECIAL, "softmax": S("x, axis", _softmax), "log_softmax": S("x, axis", _log_softmax)}, "torch.linalg": {"norm": TORCH["linalg.norm"], **LINALG},
    "tf": TENSORFLOW, "tf.math": TENSORFLOW, "tf.nn": TF_NN, "tf.linalg": {"matmul": TENSORFLOW["matmul"], **LINALG, "trace": NUMPY["trace"], "diag_part": NUMPY["diagonal"]},
    "math": MATH, "jax": {"nn.relu": JAX_NN["relu"]}, "d2l": D2L,
    # SymPy's functions are gradcalc's own (sp.exp, sp.sin), with its capitalised Abs and its ln
    "sympy": {"Abs": S("x", _call("abs")), "ln": S("x", _call("log"))},
    "tf.keras.activations": KERAS_ACTIVATIONS, "keras.activations": KERAS_ACTIVATIONS,
    # what a pasted program's x[i] = v is read as (no text spells it: the lexer never makes this name)
    "gradcalc": {"set_item": S("x, i, v", _set_item), "one_value": S("x", _op("one_value", 1)),
                 "dense_kernel": S("x, n", lambda m, x, n: m("dense_kernel", x, n)),
                 "dense_bias": S("x, n", lambda m, x, n: m("dense_bias", x, n)),
                 # LaTeX's \sum_{i=1}^{n}: its first n terms (mathtext._sums), n checked when the graph runs
                 "terms": S("x, n", _op("terms")), "terms_columns": S("x, n", _op("terms_columns")),
                 "repeated": S("x, n", _op("repeated")),
                 # LaTeX's cases whose last row has a condition: undefined where no row holds (mathtext._cases)
                 "some_case": S("x, held", _op("some_case"))},
    "np.random": RANDOM, "numpy.random": RANDOM, "jax.random": JAX_RANDOM, "tf.random": RANDOM, "random": RANDOM,
}

for _paths, _spellings in KINKS.items():
    for _path in _paths:
        NAMESPACES[_path] = {**NAMESPACES[_path], **_spellings}

# Constants a module names: np.pi, math.tau, torch.e.
CONSTANTS = {"pi": math.pi, "e": math.e, "tau": math.tau, "inf": math.inf}

# Methods of a value (x.sum(dim=1), x.clamp(min=0)): PyTorch's and NumPy's, the value first. A name
# not here but callable in gradcalc (x.exp(), x.tanh()) is gradcalc's function of the value.
METHODS: dict[str, Spelling] = {
    **_REDUCTIONS,
    "pow": S("x, y", _op("pow")), "square": S("x", _square), "clamp": S("x, min=None, max=None", _clamp),
    "clip": S("x, min=None, max=None", _clamp), "mm": S("x, y", _op("matmul")), "mv": S("x, y", _op("matmul")),
    "matmul": S("x, y", _op("matmul")), "dot": S("x, y", _op("matmul")), "t": S("x", _transpose),
    # x.transpose(0, 1) of two axes swaps them (PyTorch; NumPy's order of a matrix's two axes is the same),
    # x.transpose(1, 0, 2) orders them (NumPy's), x.transpose() reverses them
    "transpose": S("x, s0|axes|dim0=None, s1|dim1=None, s2=None, s3=None", _transposed), "detach": S("x", _detach),
    "permute": S("x, s0|dims, s1=None, s2=None, s3=None", _permute),
    **dict.fromkeys(("swapaxes", "swapdims"), S("x, dim0|axis1, dim1|axis2", _swap_axes)),
    # x.item() and x.numpy() leave the graph: a Python number or a NumPy array, the value with no
    # gradient (PyTorch: x.item()*x at 3 gives x.grad 3; TF: x * x.numpy() gives 3), as detach();
    # x.float() is a cast that keeps the gradient
    "item": S("x", _detach), "numpy": S("x", _detach), "float": S("x", _identity),
    # casts, copies and moves change no number gradcalc computes with (it works in float64)
    **dict.fromkeys(("double", "clone", "contiguous", "cpu", "cuda", "as_nd_ndarray", "as_np_ndarray"), S("x", _identity)),
    **dict.fromkeys(("to", "type", "astype"), S("x, dtype", _cast)), "isnan": S("x", _op("isnan", 1)),
    "reshape_as": S("x, y|other", _reshape_as), "view_as": S("x, y|other", _reshape_as),
    "trace": S("x", _op("trace", 1)), "diag": S("x, k|diagonal=0", _diag), "diagonal": S("x, k|offset=0", _diagonal),
    "det": S("x", _op("det", 1)), "inverse": S("x", _op("inv", 1)),
    # x.cumsum(0) (PyTorch's dim, NumPy's axis), x.sort() (PyTorch's: values and indices; NumPy's sorts in place)
    **{name: S("x, axis=None", _scan(name)) for name in ("cumsum", "cumprod")},
    "sort": S("x, axis=-1, descending=False, stable=None", _sort), "median": S("x, axis=None, keepdims=False", _median_of(True)),
    **{name: S("x, axis=None, keepdims=False", _index_producer(name)) for name in ("argmax", "argmin")},
    "argsort": S("x, axis=-1, descending=False", _index_producer("argsort")),
    "add": S("x, y", _op("add")), "sub": S("x, y", _op("sub")), "mul": S("x, y", _op("mul")),
    "div": S("x, y", _op("div")), "neg": S("x", _op("neg", 1)), "rsqrt": S("x", _rsqrt),
    "reciprocal": S("x", _reciprocal), "norm": S("x, ord|p=None, axis=None", _flat_norm),
    "softmax": S("x, axis=None", _implicit_dim(_softmax, "softmax")),
    "log_softmax": S("x, axis=None", _implicit_dim(_log_softmax, "log_softmax")),
    "logsumexp": S("x, axis, keepdims=False", _logsumexp),
    "var": S("x, axis=None, ddof=None, unbiased=None, correction=None, keepdims=False", _variance("var", None)),
    "std": S("x, axis=None, ddof=None, unbiased=None, correction=None, keepdims=False", _variance("std", None)),
    "reshape": S("x, s0|shape=None, s1=None, s2=None, s3=None", _reshape),
    "view": S("x, s0=None, s1=None, s2=None, s3=None", _reshape),
    "flatten": S("x", _flatten), "ravel": S("x", _flatten),
    "squeeze": S("x, axis=None", _squeeze), "unsqueeze": S("x, axis", _unsqueeze),
    "polygamma": S("x, n", lambda m, x, n: m.call("polygamma", n, x)),    # torch's x.polygamma(n)
}

# Attributes of a value: x.T is its transpose; micrograd's and PyTorch's x.data is its value, held
# constant.
ATTRIBUTES = {"T": "transpose_all", "mT": "transpose", "data": "stop_gradient"}   # .T reverses every axis

# Functions people call without a module that gradcalc otherwise lacks (square(x), add(x, y)), as in
# code written after `from numpy import *`.
BARE: dict[str, Spelling] = {
    name: NUMPY[name] for name in ("square", "add", "subtract", "multiply", "divide", "negative",
                                   "reciprocal", "logaddexp", "outer", "clip")
} | {"clamp": TORCH["clamp"], "stop_gradient": JAX_LAX["stop_gradient"], "detach": TORCH["detach"],
     "mse_loss": TORCH_FUNCTIONAL["mse_loss"], "nll_loss": TORCH_FUNCTIONAL["nll_loss"],
     "one_hot": TORCH_FUNCTIONAL["one_hot"], "l1_loss": TORCH_FUNCTIONAL["l1_loss"],
     "binary_cross_entropy": TORCH_FUNCTIONAL["binary_cross_entropy"],
     "binary_cross_entropy_with_logits": TORCH_FUNCTIONAL["binary_cross_entropy_with_logits"],
     # softmax(x, dim=0), softmax(x, 1): an axis by keyword or position, as torch, JAX and SciPy give it
     "softmax": S("x, axis|dim=-1", _softmax), "log_softmax": S("x, axis|dim=-1", _log_softmax), "expit": SPECIAL["expit"], "logit": SPECIAL["logit"],
     "xlogy": SPECIAL["xlogy"], "rsqrt": TORCH["rsqrt"], "log_sigmoid": JAX_NN["log_sigmoid"],
     "logsigmoid": JAX_NN["log_sigmoid"], "softsign": JAX_NN["soft_sign"],
     "reduce_sum": TENSORFLOW["reduce_sum"], "reduce_mean": TENSORFLOW["reduce_mean"],
     # sum(x, axis=1) and mean(…, axis=-1), as Keras' losses write them: gradcalc's own with no keyword
     **{name: _REDUCTIONS[name] for name in ("sum", "mean", "max", "min")},
     # The value classes of the small engines (micrograd's Value, tinygrad's Tensor, DeZero's
     # Variable) and what `from torch import tensor` or `from numpy import array` leave bare.
     "Value": S("x", _value), "Tensor": TORCH["Tensor"],
     # DeZero's and TensorFlow's Variable, and torch.autograd's old Variable(x, requires_grad=True)
     "Variable": S("x|initial_value|data, trainable=True, requires_grad=False, volatile=False", _value),
     "tensor": TORCH["tensor"], "array": NUMPY["array"], "nansum": NUMPY["nansum"],
     "trace": NUMPY["trace"], "diag": NUMPY["diag"], "det": TORCH["det"], "inv": TORCH["inverse"],
     # Python's float(t) of a tensor is a Python number: the value, no gradient (as t.item())
     "float": S("x", _detach)}


# Python's built-in sum(x) in a pasted program adds x's items: the rows of a matrix (a vector, NumPy's
# sum along axis 0), the elements of a vector; gradcalc's own sum(x) adds every element.
PYTHON_SUM = S("x", lambda m, x: m.call("sum", x, m.axis(0, "sum")))


# Functions of the array libraries gradcalc does not read, and why: said instead of "did you mean",
# since the closest name gradcalc has (sum for cumsum, sin for sinc, amax for argmax) computes another thing.
_INDICES = "gives indices, which carry no gradient"
_NOT_YET = "is not supported yet"
UNSUPPORTED = {
    **dict.fromkeys(("argwhere", "nonzero", "searchsorted"), _INDICES),
    **dict.fromkeys(("floor", "ceil", "round", "trunc", "rint", "fix", "mod", "fmod", "remainder",
                     "floor_divide", "heaviside"), "is piecewise constant: its gradient is 0 wherever it exists"),
    **dict.fromkeys(("diff", "sinc", "kron", "einsum",
                     "triu", "tril", "cross", "percentile", "quantile", "erfinv", "slogdet", "solve", "eig", "eigh", "svd", "qr", "cholesky", "pinv",
                     "conv1d", "conv2d", "convolve", "correlate", "fft", "interp"), _NOT_YET),
    # Near-misses of functions gradcalc has (selu ~ elu, nll_loss ~ l1_loss): named here so the hint
    # never offers the other function. loggamma is SciPy's complex log Γ (nan for real x < 0; lgamma
    # is log|Γ|).
    **dict.fromkeys(("loggamma", "rrelu", "prelu", "glu", "hardtanh", "relu6", "softmin", "hardshrink",
                     "softshrink", "threshold", "asech", "acsch", "acoth", "arsech",
                     "arcsch", "arcoth", "xlog1py", "beta", "betaln", "zeta", "bessel_j0", "j0", "j1",
                     "i0", "erfcx", "log_ndtr", "ndtri", "entr", "rel_entr"), _NOT_YET),
    # torch.autograd.functional.jacobian(f, x), tape.jacobian(y, x), jax.jacobian(f)(x) asked where the readers
    # do not read them (inside a formula): a matrix, where gradcalc would give the gradient of the outputs' sum
    **dict.fromkeys(("jacobian", "batch_jacobian"),
                    "is a Jacobian, one gradient per output value: gradcalc shows it (--jacobian) when it is asked on "
                    "a line of its own (J = tape.jacobian(y, x)), and computes nothing with it; or take one output "
                    "value at a time, y[i], whose gradient is the Jacobian's row i"),
    # lg is log₂ in computer science books (CLRS) and log₁₀ in others.
    "lg": "is log₂ in some books and log₁₀ in others: write log2(x) or log10(x)",
    "hard_sigmoid": "is 0.2x + 0.5 clipped to [0, 1] in Keras 2 and relu6(x + 3)/6 in Keras 3 (and JAX, PyTorch): "
                    "write the one meant, e.g. tf.nn.relu6(x + 3) / 6",
    "sqr": "is the square in some languages and the square root in others: write x**2 or sqrt(x)",
    # Keras' docs write l2_norm(y) for y normalized (y/‖y‖); elsewhere it is the norm ‖y‖ itself
    "l2_norm": "is the vector divided by its norm in Keras' docs and the norm itself elsewhere: write "
               "x/norm(x) or norm(x)",
}


def unsupported(path: str) -> str | None:
    """Why a library function gradcalc lacks is not read (np.argmax, cumsum), or None."""
    return UNSUPPORTED.get(path.rsplit(".", 1)[-1])


def lookup(path: str) -> tuple[Spelling | str | None, str, str]:
    """A dotted name → (its spelling, or the gradcalc function it names, or None; module; function).

    The longest known module path wins: tf.math.reduce_sum is tf.math's reduce_sum.
    """
    parts = path.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        module, function = ".".join(parts[:cut]), ".".join(parts[cut:])
        table = NAMESPACES.get(module)
        if table is None:
            continue
        if function in table:
            return table[function], module, function
        if "." not in function:
            return function, module, function     # np.sin: gradcalc's sin, if it has one
        return None, module, function
    return None, "", path


def known_functions(module: str) -> list[str]:
    return sorted(NAMESPACES.get(module, {}))


# -- the Python around a pasted formula ----------------------------------------------------------------
# A program pasted whole (micrograd's README, a PyTorch tutorial, a JAX guide) carries lines that are
# not maths: imports, prints, `.backward()`, reads of `.grad`, `with torch.no_grad():`. `def` and
# `lambda` are the grammar's own (gradcalc/parse.py reads them; gradcalc/indent.py a def's indented
# body). `read_python` reads the other lines once, before parsing: the lines it understands become
# blanks of the same length (so every caret stays where it was), and what was taken as the output is
# noted. It never runs anything: it reads the text's shape with the patterns below.

class Function:
    """A `def` or `lambda` as gradcalc/parse.py read it: its parameters and its body's text, evaluated
    where it is called."""

    __slots__ = ("name", "params", "defaults", "start", "body", "returns", "locals", "span")

    def __init__(self, name, params, defaults, start, body, returns, local_names, span):
        self.name, self.params, self.defaults = name, params, defaults
        self.start, self.body, self.returns = start, body, returns   # returns: where the returned expression starts
        self.locals, self.span = local_names, span


class Program:
    """What `read_python` found: the text to parse, the functions, the output asked for, notes."""

    __slots__ = ("source", "functions", "aliases", "output", "notes", "detached", "transformed", "wrt", "output_at",
                 "modules", "loops", "objects", "parts", "aux", "jacobians", "updates", "scalar", "seed", "reads",
                 "questions", "layers", "conditions", "checks", "wants")

    def __init__(self, source, functions, aliases, output, notes, detached=(), transformed=(), modules=None,
                 loops=(), objects=None, parts=(), aux=()):
        self.source, self.functions, self.aliases = source, functions, aliases
        # import torch as t, import numpy as onp: each name a module goes by here → its usual spelling
        self.modules = modules or {}
        # for i in range(3): … at the top level, unrolled: (body start, body end, the loop's name, count)
        self.loops = tuple(loops)
        # activation objects made with settings: ({name: (where its settings start, them)}, whether one is
        # made and called at once, nn.Softmax(dim=1)(x)), or None
        self.objects = objects
        # where each x[i] = v starts: read as x = where(1 at i, v, x)
        self.parts = frozenset(parts)
        # jax.grad(f, has_aux=True)(x) (where it stands, or a name bound to it): f returns (loss, aux),
        # and the loss is differentiated
        self.aux = frozenset(aux)
        # where jacfwd(f)(x) or jacrev(f)(x) stands (or a name bound to one is called): f's gradient
        # when f gives one value, else refused (its Jacobian is not shown)
        self.jacobians = frozenset()
        # x.at[i].set(v) somewhere: read as gradcalc.set_item(x, i, v) (dialects._at_updates)
        self.updates = False
        # where a library function stands that grad(…) was asked of: jax.grad(jnp.sin)(1.0) is
        # jnp.sin(x) at x = 1.0
        self.transformed = frozenset(transformed)
        # (start, end) of the statements under `with torch.no_grad():`: their values carry no gradient
        self.detached = tuple(detached)
        # the name .backward() or tape.gradient(…) was asked of; a tuple of names for tape.gradient([y0, y1], x),
        # which differentiates their sum
        self.output = output
        self.output_at = 0              # where the question is asked (a caret for the sum of the targets)
        self.wrt: tuple[str, ...] = ()  # the inputs asked for, in order (tape.gradient(loss, [w, b])); () for all
        # y.backward() or torch.autograd.grad(y, x) with no seed: PyTorch differentiates one number only
        # ('grad can be implicitly created only for scalar outputs'): (the call as written, start, end)
        self.scalar: tuple[str, int, int] | None = None
        self.notes = notes
        # y.backward(v), tape.gradient(y, x, output_gradients=v): (the name the seed's line now assigns it,
        # the call as written), the upstream gradient ∂L/∂y the backward pass starts from; or None
        self.seed: tuple[str, str] | None = None
        # after .backward(): the names whose .grad the program shows (print(w.grad), w.grad, dw = w.grad), in
        # order, then the other leaves made with requires_grad=True (or an engine's Value, Variable): the
        # gradients reported, those of them that are inputs (PyTorch fills no .grad of a label or a tensor made
        # without requires_grad); () or none an input: every input
        self.reads: tuple[str, ...] = ()
        # a persistent tape's questions before the last one (the output's): (output, sources or None, the call)
        self.questions: tuple = ()
        # Keras' Dense layers: {name: (the activation's gradcalc function or "", whether it adds a bias, units)}; its
        # call layer(x) is read as act(x @ kernel + bias), kernel and bias inputs
        self.layers: dict[str, tuple[str, bool, int]] = {}
        # where the condition of an if statement read as y = a if c else b starts: one number, as Python's if needs
        self.conditions: frozenset = frozenset()
        # where the check that a loop unrolled to its most steps has ended stands (gradcalc/pyflow.py)
        self.checks: frozenset = frozenset()
        # what the program asks beyond the gradient (Graph.wants): a Jacobian, a Hessian, an order
        self.wants: dict = {}

    def edits(self) -> bool:
        """Whether the tokens are read otherwise (gradcalc/dialects.edited_tokens)."""
        return bool(self.modules or self.loops or self.objects or self.parts or self.aux or self.jacobians
                    or self.updates or self.layers)


_SEEN = re.compile(
    r"(?m)(?:^|;)[ \t]*(?:import|from|print|def|with|for|while|if|elif|else|class|return|try|except|assert|@)\b"
    r"|\.backward\b|\.grad\b|requires_grad|(?<![\w.])optax\.|\.at\[[^\]\n]*\]\.(?:set|add|multiply|mul|get)\b|\bis[ \t]+(?:not[ \t]+)?None\b"
    r"|\b(?:dtype|device|label)[ \t]*=|\.(?:zero_grad|retain_grad|requires_grad_)\b|\bgrad\(|\.gradient\("
    r"|\bautograd\.grad\b|\b(?:nn|losses|layers)\.[A-Z]\w*[ \t]*\("
    r"|^[ \t]*[rRuU]?(?:\"\"\"|\'\'\')|^[ \t]*[A-Za-z_]\w*\[[^\]\n]*\][ \t]*[-+*/]?=[^=]"
    r"|(?<![\w.])(?:(?:sp|sympy)\.)?(?:diff|Derivative|symbols|Symbol)\(|\.diff\("
    r"|\.(?:reshape|view)\([ \t]*[A-Za-z_]\w*\.shape[ \t]*\)|\blist\([ \t]*range\(|^[ \t]*[A-Za-z_]\w*(?:[ \t]*,[ \t]*[A-Za-z_]\w*)+[ \t]*=[^=]")
_NAME = r"[A-Za-z_][A-Za-z_0-9]*"
_DOTTED = r"[A-Za-z_][A-Za-z_0-9.]*"
_NO_GRAD = re.compile(r"with[ \t]+[A-Za-z_]\w*\.(?:no_grad|inference_mode|stop_recording)[ \t]*\([ \t]*\)|"
                      r"set_grad_enabled\([ \t]*False")
_PRINT = re.compile(r"print[ \t]*\(")
_CLASS_CALL = re.compile(r"\bTensor\.(eye|zeros|ones|randn|rand)\b")   # tinygrad's Tensor.eye(3)
_BACKWARD = re.compile(r"\.backward[ \t]*\(((?:[^()]|\((?:[^()]|\([^()]*\))*\))*)\)[ \t]*$")
# What backward(…) may be given without changing the answer: nothing, ones like the output, settings.
_PLAIN_SEED = re.compile(rf"[ \t]*(?:(?:{_NAME}\.)?ones_like\([ \t]*{_NAME}[ \t]*\))?[ \t]*"
                         rf"(?:,?[ \t]*(?:retain_graph|create_graph)[ \t]*=[ \t]*(?:True|False)[ \t]*)*$")
_GRAD_READ = re.compile(rf"(?:({_NAME})[ \t]*=[ \t]*)?{_DOTTED}\.grad\b(?![ \t]*\()(?:\.{_NAME}(?:\(\))?)*[ \t]*$")
_GRAD_ATTR = re.compile(r"\.grad\b(?![ \t]*\()")
# dy_dx = tape.gradient(y, x); [dl_dw, dl_db] = tape.gradient(loss, [w, b]) (the TF guide), or unbracketed
# g, = torch.autograd.grad(y, x) and (dw, db) = torch.autograd.grad(loss, [w, b]): the same question
_TAPE = re.compile(rf"(?:([\[(]?[ \t]*{_NAME}(?:[ \t]*,[ \t]*{_NAME})*[ \t]*,?[ \t]*[\])]?)[ \t]*=[ \t]*)?"
                   rf"(?:{_NAME}\.gradient|(?:{_NAME}\.)?autograd\.grad)[ \t]*\([ \t]*({_NAME})\b")
# A loss or an activation as PyTorch's and Keras' objects (criterion = nn.MSELoss(), then
# criterion(pred, y)): the function each object calls, made with no setting that changes it
MODULE_OBJECTS = {
    "MSELoss": "F.mse_loss", "L1Loss": "F.l1_loss", "CrossEntropyLoss": "F.cross_entropy", "NLLLoss": "F.nll_loss", "BCELoss": "F.binary_cross_entropy",
    "BCEWithLogitsLoss": "F.binary_cross_entropy_with_logits", "ReLU": "F.relu", "Sigmoid": "F.sigmoid",
    "Tanh": "F.tanh", "Softplus": "F.softplus", "SiLU": "F.silu", "ELU": "F.elu", "LeakyReLU": "F.leaky_relu",
    "LogSigmoid": "F.logsigmoid", "Softsign": "F.softsign", "ReLU6": "F.relu6", "Hardtanh": "F.hardtanh",
    "Softmax": "F.softmax", "LogSoftmax": "F.log_softmax", "GELU": "F.gelu", "SELU": "F.selu", "CELU": "F.celu",
    "Mish": "F.mish", "Hardswish": "F.hardswish", "Hardsigmoid": "F.hardsigmoid", "Tanhshrink": "F.tanhshrink",
    "SmoothL1Loss": "F.smooth_l1_loss", "HuberLoss": "F.huber_loss", "KLDivLoss": "F.kl_div",
    # Keras' loss objects average over every element (their default reduction): names no text can type
    "MeanSquaredError": "tf.keras.losses.MeanSquaredError()", "MeanAbsoluteError": "tf.keras.losses.MeanAbsoluteError()",
    "Huber": "tf.keras.losses.Huber()",
}
def _setting(written: list, k: int, keyword: str, default: str) -> str:
    """The k-th setting an object was made with (by position or keyword), else its default."""
    named = [part.split("=", 1)[1].strip() for part in written if re.match(rf"{keyword}[ \t]*=", part)]
    plain = [part for part in written if "=" not in part]
    return named[0] if named else plain[k] if k < len(plain) else default


# What an nn object gradcalc does not read as a function computes, written with gradcalc's functions
# (the same numbers and gradients): said as the hint of its refusal
MODULE_HINTS = {
    "Linear": lambda s: f"nn.Linear({', '.join(s)}) holds a weight W" + (
        f" drawn at random: write F.linear(x, W) (x @ W.T) and give W ({_setting(s, 1, 'out_features', 'out')}×"
        f"{_setting(s, 0, 'in_features', 'in')}) as --W" if _setting(s, 2, "bias", "True") == "False" else
        f" and a bias b drawn at random: write F.linear(x, W, b) (x @ W.T + b) and give W "
        f"({_setting(s, 1, 'out_features', 'out')}×{_setting(s, 0, 'in_features', 'in')}) and b as --W and --b"),
    "Sequential": lambda s: "write the layers' formula, e.g. F.relu(x @ W1.T + b1) @ W2.T + b2 for nn.Linear, nn.ReLU, "
                            "nn.Linear, and give the weights as --W1, --b1, …",
    "PReLU": lambda s: "nn.PReLU holds a learned slope a (0.25 at first): write torch.where(x > 0, x, a * x) and give --a",
    "Threshold": lambda s: f"write torch.where(x > {_setting(s, 0, 'threshold', 't')}, x, {_setting(s, 1, 'value', 'v')})",
    "Dropout": lambda s: "dropout is random while training (and x itself in eval mode): leave it out, or write the "
                         "mask as numbers, x * m / (1 - p)",
}
# (the class alone too, as `from torch.nn import NLLLoss` leaves it: nll_loss = NLLLoss())
_MODULE_OBJECT = re.compile(rf"(?:(?:(?:(?!tf\.){_NAME}\.)?nn|tf\.keras\.losses)\.|(?<![\w.])(?=(?:{'|'.join(MODULE_OBJECTS)})"
                            rf"[ \t]*\())([A-Z]\w*)[ \t]*\(([^()]*)\)")
# dy_dx, = torch.autograd.grad(y, x), g = torch.autograd.grad(outputs=y, inputs=x)[0]: as tape.gradient
_AUTOGRAD_GRAD = re.compile(rf"(?:(\(?[ \t]*\[?[ \t]*{_NAME}(?:[ \t]*,[ \t]*{_NAME})*[ \t]*,?[ \t]*\]?[ \t]*\)?)[ \t]*=[ \t]*)?"
                            rf"(?:{_NAME}\.)?autograd\.grad[ \t]*\([ \t]*(?:outputs[ \t]*=[ \t]*)?\[?[ \t]*({_NAME})\b"
                            rf"(?![ \t]*[.(\[*/+-])")
# its argument a function of the program (grad(f)) or of a library (grad(jnp.tanh), JAX's quickstart)
_TRANSFORM = re.compile(rf"((?:jax\.|torch\.func\.|functorch\.)?(?:grad|value_and_grad|jacrev|jacfwd|jacobian|hessian|jit)"
                        rf"[ \t]*\([ \t]*({_NAME}(?:\.{_NAME})*)[ \t]*(?:,(?:[^()]|\([^()]*\))*)?\))")
# grad(grad(f)), jacfwd(jacrev(f)): a transform of a transform (a higher derivative)
_TRANSFORM_OPEN = r"(?:jax\.|torch\.func\.|functorch\.)?(?:grad|value_and_grad|jacrev|jacfwd|hessian)[ \t]*\([ \t]*"
_NESTED = re.compile(rf"(?<![\w.]){_TRANSFORM_OPEN}(?:(?:jax\.)?jit[ \t]*\([ \t]*)?{_TRANSFORM_OPEN}")
_HESSIAN = re.compile(r"(?<![\w.])(?:jax\.|torch\.func\.|functorch\.|torch\.autograd\.functional\.)?hessian[ \t]*\(")
_JIT_WRAP = re.compile(rf"(?<![\w.])(?:jax\.)?jit[ \t]*\([ \t]*(?={_TRANSFORM_OPEN})")
_ALIAS = re.compile(rf"({_NAME})[ \t]*=[ \t]*{_TRANSFORM.pattern}[ \t]*$")
_JIT_ALIAS = re.compile(rf"({_NAME})[ \t]*=[ \t]*((?:jax\.)?jit[ \t]*\([ \t]*)(?={_TRANSFORM_OPEN})")
_HARMLESS = re.compile(rf"{_DOTTED}\.(?:zero_grad|requires_grad_|retain_grad|watch)[ \t]*\([^()]*\)[ \t]*$"
                       r"|tf\.(?:compat\.v1\.)?enable_eager_execution[ \t]*\([ \t]*\)[ \t]*$"
                       rf"|{_DOTTED}\.requires_grad[ \t]*=[ \t]*(?:True|False)[ \t]*$|assert\b|pass[ \t]*$"
                       rf"|{_DOTTED}\.label[ \t]*=[ \t]*(?:'[^'\n]*'|\"[^\"\n]*\")[ \t]*$"
                       # an optimizer made before the question: only its step (after .backward()) would use it
                       rf"|{_NAME}[ \t]*=[ \t]*(?:{_NAME}\.)?optim\.{_NAME}[ \t]*\(.*\)[ \t]*$")
# What a skipped harmless line was, so the note names only what the program has (t3.py's g.watch(x)
# was said as 'requires_grad, zero_grad, labels, asserts'): kind, its pattern, how the note says it.
_HARMLESS_KINDS = (("requires_grad", r"requires_grad", "requires_grad"),
                   ("zero_grad", r"zero_grad|\.zero_\b", "zero_grad()"),
                   ("retain_grad", r"retain_grad", "retain_grad()"), ("watch", r"\.watch\b", "tape.watch(…)"),
                   ("eager", r"enable_eager_execution", "enable_eager_execution()"),
                   ("label", r"\.label\b", "labels"), ("assert", r"assert\b", "asserts"),
                   ("optimizer", r"optim\.", "the optimizer made before .backward()"), ("pass", r"pass\b", "pass"))


def _skipped_kind(skip: str, head: str) -> str:
    """The kind a skipped line is said as: a harmless line by what it is (g.watch(x): tape.watch),
    a line after .backward() that reads .grad without changing anything (x.grad == 4 * x) as a
    gradient read, not as the update step."""
    if skip == "requires_grad":
        return next((kind for kind, pattern, _ in _HARMLESS_KINDS if re.search(pattern, head)), skip)
    if skip == "update" and not re.search(r"(?<![=!<>])=(?!=)|\w_[ \t]*\(|\.step\b", head):
        return "grad"
    return skip


# optimizer.step() after .backward(): the update step, as w -= lr * w.grad is
_STEP = re.compile(rf"{_DOTTED}\.step[ \t]*\([ \t]*\)[ \t]*$")
# a.requires_grad_(True), a.requires_grad = True: what makes a value a leaf whose gradient is asked
_LEAF_MADE = re.compile(rf"({_NAME})(?:\.requires_grad_[ \t]*\([^()]*\)|\.requires_grad[ \t]*=[ \t]*True)[ \t]*$")
# values made as leaves: a number or list written, or a library's constructor of one
# key = jax.random.PRNGKey(0), key, W_key, b_key = random.split(key, 3): keys feed JAX's random draws only
_JAX_KEYS = re.compile(rf"{_NAME}(?:[ \t]*,[ \t]*{_NAME})*[ \t]*,?[ \t]*=[ \t]*(?:jax\.)?random\."
                       rf"(?:PRNGKey|key|split|fold_in|clone)[ \t]*\([^()]*\)[ \t]*$")
_LEAF_VALUE = re.compile(r"[-+\d.\[\]\s,eE]+$|(?:(?:torch|np|numpy|jnp|tf|jax\.numpy|jax\.random|random|np\.random|"
                         r"torch\.autograd|tf\.random)\.)?(?:tensor|Tensor|FloatTensor|DoubleTensor|randn|rand|zeros|ones|"
                         r"empty|full|arange|linspace|eye|array|asarray|Variable|constant|normal|uniform|randn_like|"
                         r"rand_like|zeros_like|ones_like)[ \t]*\(")


def _computed_before(text: str, at: int, name: str) -> str | None:
    """The right side of the last `name = …` before `at` when it computes name from other values (not a
    number or a constructor such as torch.randn(2, 2)); None otherwise."""
    made = list(re.finditer(rf"(?m)^[ \t]*{name}[ \t]*=(?!=)[ \t]*([^\n#]*?)[ \t]*(?:#[^\n]*)?$", text[:at]))
    if not made:
        return None
    right = made[-1].group(1)
    return None if _LEAF_VALUE.match(right) else right


def _short_text(text: str, most: int = 40) -> str:
    return text if len(text) <= most else text[:most - 1] + "…"


_DECORATOR = re.compile(r"@[ \t]*(?:jax\.jit|jit|tf\.function|torch\.no_grad\(\)|torch\.inference_mode\(\)|torch\.compile|"
                        r"staticmethod|"
                        r"torch\.enable_grad\(\)|functools\.cache|cache"
                        r"|(?:functools\.)?partial\([ \t]*(?:jax\.)?jit\b[^()\n]*(?:\([^()\n]*\)[^()\n]*)*\))[ \t]*$")
# @tf.custom_gradient, @jax.custom_jvp, @partial(jax.custom_vjp, …), autograd's @primitive (its rule given
# with defvjp or defgrad): a gradient rule of the function's own
_CUSTOM_GRADIENT = re.compile(r"\bcustom_(?:gradient|jvp|vjp)\b|@[ \t]*(?:autograd\.extend\.|autograd\.)?primitive\b")


def _decorator_error(head: str, at: int):
    """A decorator gradcalc does not read. Removing one that gives the function its own gradient rule
    would compute the formula's derivative instead, another number: no such hint for those."""
    if _CUSTOM_GRADIENT.search(head):
        return _error(f"{head} gives the function a gradient rule of its own, which the library uses in place of "
                      f"the formula's derivative; gradcalc does not read such rules", at, len(head),
                      "gradcalc can only differentiate the formula itself, which is another gradient wherever the "
                      "rule differs from it")
    return _error("decorators are not read", at, len(head),
                  "if the decorator changes no number (a cache, a timer), remove the @ line: gradcalc then evaluates "
                  "the function as written")


_JOINED = re.compile(r"(?<!\\)\\[ \t]*\n")
_SETTING_WORDS = re.compile(r",[ \t]*(?:dtype|device|label|name)[ \t]*=[ \t]*(?:'[^'\n]*'|\"[^\"\n]*\"|[^,()'\"\n]*)"
                            r"(?=[ \t]*[,)])")
_BOOL_DTYPE = re.compile(r"dtype[ \t]*=[ \t]*(?:(?:np|numpy|jnp|torch|tf)\.)?['\"]?bool(?:_|8)?\b['\"]?")
_IS_NONE = re.compile(r"\bis[ \t]+(?:not[ \t]+)?None\b")
# margins[y] = 0 (CS231n's SVM loss): an assignment to part of a value
_PART_ASSIGNED = re.compile(rf"(?m)^[ \t]*({_NAME})[ \t]*\[([^\]\n]*)\][ \t]*(?:=(?!=)[ \t]*([^#\n]*?)"
                            rf"|([-+*/])=[ \t]*([^#\n]*?))[ \t]*(?:#[^\n]*)?$")
# What a notebook shows of a tensor that is no number: y.grad_fn (and .next_functions), x.is_leaf, y.requires_grad
_METADATA = re.compile(rf"{_DOTTED}\.(?:grad_fn|is_leaf|requires_grad|dtype|device)(?:\.{_NAME}(?:\[[ \t]*\d+[ \t]*\])*)*")
# A drawing of the graph or a plot: micrograd's draw_dot(o), IPython's display(…), matplotlib's plt.…(…)
_DISPLAY = re.compile(r"(?:draw_dot|display|plt\.[A-Za-z_]\w*)[ \t]*\(")
# x, y = 3.0, 4.0 and xmg, ymg = x, y (micrograd's test): one assignment per name, when no name assigned
# is read on the right (then the order of the assignments cannot matter)
_UNPACK = re.compile(rf"({_NAME}(?:[ \t]*,[ \t]*{_NAME})+)[ \t]*=[ \t]*([^=].*?)[ \t]*$", re.S)
# y.reshape(y_hat.shape) (d2l's squared_loss), x.view(y.shape): PyTorch's reshape_as and view_as
_RESHAPE_LIKE = re.compile(rf"\.(reshape|view)\([ \t]*({_NAME})\.shape[ \t]*\)")
# backward(…)'s seed written as ones (the default: the gradient of the sum), a name or in the call:
# y.backward(gradient=external_grad) after external_grad = torch.tensor([1., 1.]) (PyTorch's tutorial)
_SEED = re.compile(r"[ \t]*(?:gradient[ \t]*=[ \t]*)?((?:[^,()]|\((?:[^()]|\([^()]*\))*\))+?)[ \t]*"
                   r"(?:,[ \t]*(?:retain_graph|create_graph)[ \t]*=[ \t]*(?:True|False)[ \t]*)*$")
_ONES = re.compile(r"(?:[A-Za-z_]\w*\.)?(?:ones|ones_like)[ \t]*\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)$"
                   r"|(?:[A-Za-z_]\w*\.)?(?:tensor|Tensor|FloatTensor|DoubleTensor)[ \t]*\(([^()]*)\)$")
# A Python statement gradcalc does not read: a block keyword with its colon, return (a lambda is the
# grammar's own).
_KEYWORD = re.compile(r"(for|while|if|elif|else|class|try|except|with|def)\b[^\n]*:|(return)\b[ \t]*[^\s=]")


# Prompts of an interactive session pasted with its code: the doctest's >>> and ..., IPython's In [1]:
# and its ...: continuation. Only a text with a line starting >>> or In [n]: is read as a session.
_SESSION = re.compile(r"(?m)^(?:>>>|In \[\d*\]:)(?: |$)")
_PROMPT = re.compile(r"(?:>>>|\.\.\.|In \[\d*\]:|[ \t]*\.\.\.:)(?: |$)")


def without_prompts(text: str) -> str:
    """A pasted session's code: each prompt blanked to spaces of its length, and the lines without one
    (what the session printed, Out[1]: …) blanked whole, so every caret stays where it was."""
    if _SESSION.search(text) is None:
        return text
    lines = []
    for line in text.split("\n"):
        prompt = _PROMPT.match(line)
        cut = prompt.end() if prompt else len(line)
        lines.append(" " * cut + line[cut:])
    return "\n".join(lines)


def read_python(text: str) -> Program | None:
    """The program inside pasted Python, or None when the text has no Python statement to read."""
    if _SEEN.search(text) is None:
        return None
    # y.reshape(y_hat.shape) is y.reshape_as(y_hat), in a def's body too (the same length: carets hold)
    text = _RESHAPE_LIKE.sub(lambda match: f".{match.group(1)}_as({match.group(2)}".ljust(len(match.group()) - 1) + ")",
                             text)
    text = _without_list(text)
    text = _MODULE_CALLED.sub(_module_called, text)
    if "..." in text:       # def f(axis: tuple[int, ...]): the type read as any other (Any, the same length)
        text = _typed_ellipsis(text)
    if "\\\n" in text or "\\ " in text:      # log_lik = … \ ⏎ + …: one line (the same length: carets hold)
        text = _JOINED.sub(lambda match: " " * len(match.group()), text)
    parts = []       # margins[y] = 0: where the name starts (dialects.edited_tokens reads it as a where)
    for part in _PART_ASSIGNED.finditer(text):
        name, index, value = part.groups()[:3]
        if part.group(3) is None:          # m[y] += 1
            raise _error(f"{name}[{index}] {part.group(4)}= … is not read", part.start(), part.end() - part.start(),
                         f"write {name}[{index}] = {name}[{index}] {part.group(4)} {part.group(5).strip()}")
        if not re.fullmatch(rf"[ \t]*(?:{_NAME}|-?[ \t]*\d+)[ \t]*", index) or not value:
            bounds = re.fullmatch(r"[ \t]*(\d*)[ \t]*:[ \t]*(\d*)[ \t]*", index)
            kept = f"(np.arange(n) >= {bounds.group(1) or 0}) * (np.arange(n) < {bounds.group(2) or 'n'}) > 0" \
                if bounds else None
            raise _error(f"assigning to part of a value ({name}[{index}] = {value}) is not read", part.start(),
                         part.end() - part.start(), f"write {name} whole: {name} = np.where({kept}, {value}, {name}), "
                         f"n its length written as a number" if kept else
                         f"gradcalc reads {name}[i] = v for one index i of a vector: write the new value of {name} as "
                         f"one formula")
        parts.append(part.start(1))
    chars = list(text)
    statements = _statements(text)
    aliases: dict[str, str] = {}
    skipped: dict[str, int] = {}
    transformed: set[int] = set()
    gradients: set[str] = set()          # names given a gradient (dx = x.grad): read, never computed
    derived: set[str] = set()            # names bound to grad(f) or the like: a function's derivative
    prints, output, updated, asked, detached = [], None, False, "", []
    wrt, output_at = (), 0           # the inputs a gradient call lists (None: ones it does not name)
    jax = _JaxAsking()               # jax.grad(f, argnums=1)(x, y) and its kin, asked at a statement
    displayed: list = []               # y(x) alone on a line before the last: a notebook cell's display
    calls: list[tuple] = []      # ("backward", receiver, at, end) and ("zero", names or None for all, at, end)
    modules: dict[str, str] = {}
    if re.search(r"(?<![\w.])d2l\.", text):
        modules["d2l"] = "d2l"     # d2l.exp(X), d2l.reduce_sum(X, 1, keepdims=True): read as one name, d2l's function
    loops: list[tuple] = []
    objects: dict[str, tuple] = {}       # an activation object made with settings → where they are written
    aux: set = set()     # where grad(f, has_aux=True)(…) stands, and names bound to one: f's first value
    scalar = None        # a PyTorch call that differentiates one number only (Program.scalar)
    tapes: list = []     # (start, end) of each `with tf.GradientTape() as tape:` block
    tape_starts: dict[str, int] = {}     # each tape's name → where its block starts
    unwatched: dict[str, str] = {}     # tape.gradient sources the tape does not watch → why (TF: None)
    pending, seeds = None, []    # a seed written in the statement at hand (start, end, the call); those read
    asked_at = 0                 # where the statement asking the last question (y.backward(), tape.gradient) ends
    conditions: set[int] = set()   # where each if statement's condition starts, as rewritten
    method = False               # the def after @d2l.add_to_class(C): a method, read as a function of its attributes
    no_grad_def = False          # the def after @torch.no_grad(): its values (its return's too) carry no gradient
    shown: list[str] = []        # the names whose .grad is shown after .backward(), in order
    # whether a .backward() was read; the names whose .grad was cleared since the last one (None: every one)
    backed, cleared = False, set()
    earlier, previous = [], None   # a persistent tape's questions before the last: (output, sources, call)
    chain: set[str] = set()        # names holding a derivative asked again (dy_dx, d2y_dx2 of nested tapes)
    wanted: list[str] = []         # notes on what is asked beyond the gradient (a Jacobian, a higher derivative)
    sympy_asked = None             # SymPy's diff(expr, …) read: (expr as written, where it stands)
    dicts: dict[str, tuple] = {}   # my_vars = {'w': w, 'b': b}: the names of its values, in order
    layers: dict[str, tuple] = {}   # layer = tf.keras.layers.Dense(2, activation='relu'): (activation, bias)
    i = 0
    while i < len(statements):
        start, end, indent = statements[i]
        code = _code(text, start, end)
        head = code.lstrip()
        at = start + len(code) - len(head)       # where the statement's text begins
        i += 1
        skip = None
        jaxy = _JAX_WORDS.search(code) is not None       # a cheap look before JAX's patterns
        unread = _JAX_UNREAD.search(code) if jaxy else None
        if unread:
            raise _jax_unread(unread, start)
        wrap = _JIT_ALIAS.match(head) if jaxy else None
        if wrap and head.rstrip().endswith(")"):       # df = jax.jit(jax.grad(f)): jit changes no value
            last = len(head.rstrip()) - 1
            _blank(chars, at + wrap.start(2), at + wrap.end(2))
            _blank(chars, at + last, at + last + 1)
            head = head[:wrap.start(2)] + " " * (wrap.end(2) - wrap.start(2)) + head[wrap.end(2):last] + " " + head[last + 1:]
        if backed and not _ZEROED.match(head.rstrip()) and (_GRAD_READ.match(head) or _PRINT.match(head) or not
                                                             re.search(r"(?<![=!<>])=(?!=)|\w_[ \t]*\(", head)):
            read = re.findall(rf"(?<![\w.])({_NAME})\.grad\b(?![ \t]*[(=])", head)   # print(w.grad), w.grad == 2
            gone = next((name for name in read if cleared is None or name in cleared), None)
            if gone is not None:
                raise _error(f"{gone}.grad is read after its gradient was cleared: PyTorch shows zeros there (None "
                             f"after zero_grad() or .grad = None), not the gradient", at, len(head.rstrip()),
                             f"read it before clearing it (move this line above the one that clears {gone}.grad), "
                             f"or leave it out")
            shown.extend(read)
        match = _IS_NONE.search(code)
        if match:
            raise _error(f"{match.group()} tests whether a value was given", at + match.start(), match.end() - match.start(),
                         "gradcalc's inputs always have values: write the branch that applies to them")
        if re.match(r"(?:import|from)\b", head):
            skip = "import"
            modules.update(_imported_modules(_code(text, start, end).strip()))
        elif _DECORATOR.match(head):
            skip = "decorator"
            # @torch.no_grad() (or inference_mode): the def below computes without a gradient, as PyTorch
            no_grad_def = bool(re.search(r"\b(?:no_grad|inference_mode)\b", head))
        elif ("custom_" in head or ".def" in head) and _CUSTOM_RULE.search(head):
            raise _custom_rule(_CUSTOM_RULE.search(head), at)
        elif jaxy and _JVP.search(code) and _asked(_unjit(chars, at, head), jax.bound, at, text) is None:
            raise _jvp_error(code, _JVP.search(code), start, text)
        elif _ADD_TO_CLASS.match(head.rstrip()) and i < len(statements) and \
                _METHOD.match(_code(text, *statements[i][:2]).lstrip()):
            skip, method = "decorator", True     # d2l's @d2l.add_to_class(C) then def forward(self, X): self.W is W
        elif head.startswith("@"):
            raise _decorator_error(head.rstrip(), at)
        elif re.match(r"def\b", head):
            j = _read_body(text, chars, statements, i - 1, detached)
            if no_grad_def:
                detached.append((start, statements[j - 1][1]))
                no_grad_def = False
            if method:
                _as_function(text, chars, at, statements[j - 1][1])
                method = False
            i = j
            continue
        elif re.match(r"for\b", head) and not (gradients and re.search(rf"(?<![\w.])(?:{'|'.join(gradients)})\b", head)):
            # for i in range(3): the body unrolled (dialects.edited_tokens); for g in grad: shows gradients
            loops.append(_loop(text, chars, statements, i - 1, head, at))
            continue
        elif _JAX_KEYS.match(head):
            skip = "keys"
        elif re.match(r"with\b.*:[ \t]*$", head):
            skip = "with"
            if "GradientTape" in head:
                tapes.append(_block(statements, i, indent) or (end, end))
                named = re.search(rf"\bas[ \t]+({_NAME})[ \t]*:", head)
                if named:
                    tape_starts[named.group(1)] = tapes[-1][0]
            if _NO_GRAD.match(head):     # the block's values are computed without a gradient
                block = _block(statements, i, indent)
                if block:
                    detached.append(block)
        elif tape_starts and re.fullmatch(rf"({'|'.join(tape_starts)})\.reset[ \t]*\([ \t]*\)[ \t]*", head.rstrip()):
            # t.reset() inside the tape's block: what it recorded so far is thrown out (TensorFlow: no gradient)
            detached.append((tape_starts[head.split(".")[0]], at))
            skip = "reset"
        elif (jaxy and (_JAX_OPEN.search(head) or _FUNCTIONAL.search(head)) or jax.bound) and \
                (asked_jax := _asked(_unjit(chars, at, head), jax.bound, at, text)) is not None:
            _ask(asked_jax, jax, chars, text, at, start, end, derived, transformed, aux, skipped)
            gradients.update(jax.held)
            continue
        elif (question := _gradient_question(head)) is not None and question.output in gradients and \
                _higher_question(question, previous, chain):
            # g.gradient(dy_dx, x) with dy_dx = gg.gradient(y, x) (nested tapes), torch.autograd.grad(dy_dx, x)
            # after create_graph=True: the next derivative of the first question's output, by the same input
            source = question.sources[0]
            if question.kind == "jacobian":
                jax.wants["hessian"] = question.call
                wanted.append(f"{question.call} differentiates {question.output}, ∂{output}/∂{source}, again: its "
                              f"Jacobian is {output}'s Hessian, shown after the gradient (--hessian)")
            else:
                jax.wants["order"] = jax.wants.get("order", 1) + 1
                if question.asked.startswith("torch.") and question.seed is None:     # torch: of one number only
                    jax.wants["one_element"] = question.call
                power = str(jax.wants["order"]).translate(_SUPERSCRIPTS)
                wanted.append(f"{question.call} differentiates {question.output} by {source} again: it is "
                              f"d{power}{output}/d{source}{power}, shown with {output}'s derivatives up to that order (--order)")
            chain.update(question.named)
            gradients.update(question.named)
            skip = "gradient"
        elif jax.pullbacks and (pulled := _pulled(head, jax.pullbacks)) is not None:
            name, written = pulled            # f_jvp(3.): a tangent; f_vjp(v): the cotangent, ∂L/∂f(x)
            kind, names, call = jax.pullbacks[name]
            directions = [part.strip() for part in _split_arguments(written)]
            if kind == "linearize":
                if len(directions) != len(names) or not all(re.fullmatch(_NAME, d) or _WRITTEN.fullmatch(d) for d in directions):
                    raise _error(f"{name}({written}) is given {len(directions)} tangents for {len(names)} inputs", at,
                                 len(head.rstrip()), f"give one tangent per input of {call}, a name or a number")
                jax.wants.setdefault("tangents", []).append(
                    {n: ("name" if re.fullmatch(_NAME, d) else "text", d) for n, d in zip(names, directions)})
                wanted.append(f"{name}({written}) is the tangent along " + ", ".join(
                    f"{n} = {d}" for n, d in zip(names, directions)) + f" of {call}: shown after the gradient")
            else:
                if len(directions) != 1 or not re.fullmatch(_NAME, directions[0]) or jax.seed is not None:
                    raise _error(f"{name}({written}) is read with one cotangent, a name, once", at, len(head.rstrip()),
                                 f"name the cotangent first, v = {written.strip() or '…'}, and write {name}(v)")
                jax.seed = (directions[0], f"{name}({written})")
                wanted.append(f"{name}({written}) is vᵀ·J, the gradients with {directions[0]} as ∂L/∂output, where "
                              f"the backward pass starts")
            skip = "grad"
        elif _SYMBOLS.match(head.rstrip()):
            skip = "symbols"        # x, y = sp.symbols('x y'): the names are inputs, given as --x, --y
        elif ("diff" in head or "Derivative" in head) and (sympy := _sympy_question(head, at)) is not None:
            # diff(expr, x, 3), expr.diff(x): the derivative asked, shown as expr's value and gradient then its orders
            value_at, value_end, expr_at, expr_end, names, order = sympy
            _blank(chars, at, at + expr_at)
            _blank(chars, at + expr_end, at + len(head.rstrip()))
            if sympy_asked is not None and sympy_asked[0] != head[expr_at:expr_end].strip():
                raise _error(f"{head[value_at:value_end].strip()} asks a second question (the derivative of "
                             f"{sympy_asked[0]} was the first): gradcalc answers one output a run", at + value_at,
                             value_end - value_at, "keep one of the two lines (run gradcalc once for each)")
            if sympy_asked is not None:    # the same expression again (diff(x**4, x, x, x), then diff(x**4, x, 3))
                _blank(chars, *sympy_asked[1])
                order = max(order, jax.wants.get("order", 1))
                wanted.pop()
            sympy_asked = (head[expr_at:expr_end].strip(), (at + expr_at, at + expr_end))
            if order > 1:
                jax.wants["hessian" if len(set(names)) > 1 else "order"] = order if len(set(names)) == 1 else head.strip()
            wrt = tuple(dict.fromkeys(names)) if wrt is not None else None
            power = str(order).translate(_SUPERSCRIPTS) if order > 1 else ""
            wanted.append(f"{head[value_at:value_end].strip()} is the derivative "
                          + (f"d{power}/d{names[0]}{power}" if len(set(names)) == 1 else
                             "∂²/" + "".join(f"∂{name}" for name in names))
                          + f" of {_short_text(head[expr_at:expr_end])}: shown as its value and gradient"
                          + ("" if order == 1 else ", then its derivatives up to that order" if len(set(names)) == 1
                             else ", then its Hessian"))
            skipped["sympy"] = 1
            continue
        elif _gradient_question(head) is not None:
            question = _gradient_question(head)
            if question.output in gradients:   # g.gradient(dy_dx, x) with dy_dx = gg.gradient(y, x)
                raise _error(f"the gradient of {question.output}, itself a gradient, is a second derivative, which a "
                             f"pasted program is not read for", at, len(head.rstrip()),
                             "paste the formula differentiated first and add --order K (K = 2 for d²/dx²) or --hessian")
            if output is not None and asked != question.asked:
                tape = question.call.split(".gradient")[0] if ".gradient" in question.call else None
                kept = re.search(rf"GradientTape[ \t]*\([^()]*persistent[ \t]*=[ \t]*True[^()]*\)[ \t]*as[ \t]+{tape}\b",
                                 text) if tape else previous is not None and re.search(
                                     r"(?:retain|create)_graph[ \t]*=[ \t]*True", previous.call)
                if isinstance(output, tuple) or seeds or pending or previous is None or not kept:
                    raise _error(f"{question.asked} asks a second question ({asked} was the first): gradcalc "
                                 f"answers one output a run" + (", or several of a persistent tape" if tape else
                                                                 ", or several where retain_graph=True keeps the graph"),
                                 at + question.at, len(question.call), "keep one of the two lines (run gradcalc once for each)"
                                 + (", or make the tape persistent, GradientTape(persistent=True), as TensorFlow needs for "
                                    "a second question" if tape else ", or give the first retain_graph=True (PyTorch needs "
                                                                     "it where the two share a part of the graph)"))
                # a persistent tape asked again (the TF guide): the earlier question is answered in a note
                if len(earlier) >= _MOST_QUESTIONS:
                    raise _error(f"more than {_MOST_QUESTIONS + 1} questions of one tape are not read", at + question.at,
                                 len(question.call), "ask at most that many in one run (each is a backward pass)")
                names = output if isinstance(output, tuple) else (output,)
                again = re.search(rf"(?m)^[ \t]*(?:{'|'.join(names)})[ \t]*(?:[-+*/@]|\*\*)?=(?!=)", text[output_at:at])
                if again:       # the earlier target assigned anew before this question: its answer would be the new one's
                    raise _error(f"{again.group().strip(' =')} is assigned again after {previous.call} asked of it", output_at
                                 + again.start(), len(again.group()), "give the new value a name of its own")
                earlier.append((output, wrt, re.sub(r"\s+", " ", previous.call)))
                wrt = ()
            previous = question
            if question.sources is not None and len(question.sources) == 1 and question.sources[0] in dicts:
                question.sources = dicts[question.sources[0]]      # tape.gradient(loss, my_vars), a dict's values
            weights = re.search(rf"(?<![\w.])({'|'.join(layers) or '(?!)'})\.(?:trainable_)?(?:variables|weights)\b", head)
            if question.sources is None and weights:      # tape.gradient(loss, layer.trainable_variables)
                question.sources = ("kernel", "bias") if layers[weights.group(1)][1] else ("kernel",)
            if not question.asked.startswith("torch.") and question.sources:
                unwatched.update(_unwatched(text, tapes, question.sources, at + question.at))
                if all(name in unwatched for name in question.sources):
                    name = question.sources[0]
                    why = unwatched[name]
                    raise _error(f"{name} is not watched by the tape ({why}), so TensorFlow's tape.gradient gives "
                                 f"None for it", at + question.at, len(question.call),
                                 f"tape.watch({name}) in the with block would make the tape watch it")
                question.sources = tuple(name for name in question.sources if name not in unwatched)
            output, skip, asked, output_at = question.output, "gradient", question.asked, at + question.at
            if question.kind == "batch_jacobian":     # TF's per-example Jacobian: of one source
                if question.sources is None or len(question.sources) != 1:
                    raise _error(f"{question.call} is read with one source, a name", at + question.at,
                                 len(question.call), f"write {question.call.split('(')[0]}(y, x) for one input x")
                jax.wants["batch_jacobian"] = (question.call, question.sources[0])
                wanted.append(f"{question.call} is TensorFlow's batch Jacobian of {question.output}: shown as its "
                              f"table after the gradient, one row per element of {question.output}")
            if question.kind == "jacobian":      # tape.jacobian(y, x): every element of y's gradient
                jax.wants["jacobian"] = question.call
                wanted.append(f"{question.call} is the Jacobian of {question.output}: shown as its table after the "
                              f"gradient (--jacobian), one row per element of {question.output}")
            if question.asked.startswith("torch.") and question.seed is None and isinstance(output, str):
                scalar = (question.call, at + question.at, at + question.at + len(question.call))
            asked_at = end
            wrt = None if wrt is None or question.sources is None else \
                tuple(dict.fromkeys(wrt + question.sources))
            if question.seed is not None:     # output_gradients=v: v is ∂L/∂y, the upstream the pass starts from
                if isinstance(question.output, tuple):
                    raise _error(f"{question.seed} seeds the backward pass of several targets", at + question.at,
                                 len(question.call), "ask of one target at a time: tape.gradient(y, x, output_gradients=v)")
                pending = (at + question.seed_at[0], at + question.seed_at[1], question.call)
            gradients.update(question.named)
        elif _PRINT.match(head) and gradients and \
                re.search(rf"(?<![\w.])(?:{'|'.join(gradients)})\b", head):
            skip = "grad"       # print(dy_dx.numpy()): a gradient shown
        elif _PRINT.match(head):
            prints.append((at, end))
            if not re.search(r"['\"]", head):
                _transforms(chars, start, code, derived, skipped, transformed, jax.bound)
                continue
            called = _JAX_INSIDE.search(code) or jax.bound and \
                re.search(rf"(?<![\w.])(?:{'|'.join(map(re.escape, jax.bound))})[ \t]*\(", code)
            if called:      # print(f"∂h/∂x = {dh_dx(x, y)}"): the gradient JAX computes, shown in a string
                raise _error("a gradient asked inside the text a print shows is not read", start + called.start(),
                             len(called.group().rstrip("( ")), "ask it on a line of its own, g = "
                             f"{called.group().rstrip('( ')}(…): gradcalc shows the function's value and that gradient")
            continue
        elif _ENGINE_OBJECT.match(head.rstrip()):
            match = _ENGINE_OBJECT.match(head.rstrip())       # DeZero's A = Square(): A(x) is x²
            aliases[match.group(1)] = _ENGINE_CLASSES[match.group(2)]
            skip = "module"
        elif _GRAD_SET.match(head.rstrip()) and i < len(statements) and re.fullmatch(
                rf"{_GRAD_SET.match(head.rstrip()).group(1)}\.backward[ \t]*\([ \t]*\)",
                _code(text, *statements[i][:2]).strip()):
            # DeZero's y.grad = np.array(1.0) before y.backward(): the seed the backward pass starts from
            match = _GRAD_SET.match(head.rstrip())
            if not _ONE.fullmatch(match.group(2)):
                if "Variable(" not in text or re.search(r"\btorch\b|\bValue\(", text):
                    # PyTorch seeds y.backward() with ones whatever y.grad holds, micrograd sets y.grad = 1
                    raise _error(f"{head.rstrip()} before {match.group(1)}.backward(): DeZero starts the backward pass "
                                 f"from it, PyTorch and micrograd from ones", at, len(head.rstrip()),
                                 f"write {match.group(1)}.backward({match.group(2).strip()}) for a seed in PyTorch, or "
                                 f"leave the line out for ones")
                pending = (at + match.start(2), at + match.end(2), head.rstrip())
            skip = "seed"
        elif _ZEROED.match(head.rstrip()):
            match = _ZEROED.match(head.rstrip())
            calls.append(("zero", None if match.group(1) else {match.group(2)}, at, at + len(head.rstrip())))
            if backed:
                cleared = None if match.group(1) or cleared is None else cleared | {match.group(2)}
            skip = "cleared"
        elif _HARMLESS.match(head):
            made = _LEAF_MADE.match(head)
            computed = made and _computed_before(text, at, made.group(1))
            if computed:     # a = (a * 3) / (a - 1); a.requires_grad_(): a leaf from there on, in PyTorch
                raise _error(f"{head.rstrip()} makes {made.group(1)} a new leaf: PyTorch's gradient stops there, "
                             f"while gradcalc would carry it back through {made.group(1)} = {_short_text(computed)}",
                             at, len(head.rstrip()), f"give {made.group(1)}'s value as it is at this line: "
                             f"{made.group(1)} = torch.tensor(VALUE, requires_grad=True) (or --{made.group(1)} VALUE), "
                             f"without the lines that computed it")
            skip = "requires_grad"
        elif _METADATA.match(head.rstrip()):
            skip = "display"        # y.grad_fn, x.is_leaf, y.requires_grad shown in a notebook: no number
        elif _DISPLAY.match(head):
            skip = "display"
        elif _BACKWARD.search(head):
            match = _BACKWARD.search(head)
            receiver = head[:match.start()].strip()
            seed = None if _PLAIN_SEED.match(match.group(1)) else _ones_seed(text, at, match.group(1))
            if seed:
                _blank(chars, *seed)
            elif seed is None and not _PLAIN_SEED.match(match.group(1)):
                # y.backward(v): v is ∂L/∂y, the upstream the pass starts from (a vector-Jacobian product)
                written = _SEED.match(match.group(1))
                if written is None or not re.fullmatch(_NAME, receiver):
                    raise _error(f"backward({match.group(1).strip()}) seeds the backward pass", at + match.start(),
                                 match.end() - match.start(),
                                 f"name what is differentiated first, out = {_short_text(receiver)}, then write "
                                 f"out.backward({written.group(1).strip()})" if written else
                                 f"give the seed as --upstream (∂L/∂{receiver}), and write {receiver}.backward()")
                pending = (at + match.start(1) + written.start(1), at + match.start(1) + written.end(1),
                           f"{receiver}.backward({match.group(1).strip()})")
            if updated:
                raise _error("a second .backward() after an update step is not read", at, len(head.rstrip()),
                             "paste one step: the program up to its first .backward()")
            backed, cleared = True, set()
            calls.append(("backward", receiver if re.fullmatch(_NAME, receiver) else None, at, at + len(head.rstrip()),
                          bool(re.search(r"retain_graph[ \t]*=[ \t]*True", match.group(1)))))
            # y.backward() with no seed (ones_like(y) is one) in PyTorch (and tinygrad: requires_grad), not
            # in DeZero, whose backward seeds an array with ones, nor micrograd (a Value is one number)
            if not re.sub(r"(?:retain_graph|create_graph)[ \t]*=[ \t]*\w+|[ \t,]", "", match.group(1)) \
                    and re.search(r"\btorch\b|requires_grad", text):
                scalar = (head.rstrip(), at, at + len(head.rstrip()))
            if re.fullmatch(_NAME, receiver):
                output, skip, asked, asked_at = receiver, "backward", f"{receiver}.backward()", end
            else:       # (y - t).pow(2).sum().backward(): the expression is the output
                _blank(chars, at + match.start(), at + match.end())
                skipped["backward"] = skipped.get("backward", 0) + 1
                continue
        elif re.fullmatch(rf"({_NAME})[ \t]*=[ \t]*(\{{.*\}})[ \t]*", head.rstrip(), re.S) and \
                _names_in(re.fullmatch(rf"({_NAME})[ \t]*=[ \t]*(\{{.*\}})[ \t]*", head.rstrip(), re.S).group(2)):
            # my_vars = {'w': w, 'b': b} (the TF guide), then tape.gradient(loss, my_vars): its values, in order
            match = re.fullmatch(rf"({_NAME})[ \t]*=[ \t]*(\{{.*\}})[ \t]*", head.rstrip(), re.S)
            dicts[match.group(1)] = tuple(_names_in(match.group(2)))
            skip = "dict"
        elif _DENSE.match(head.rstrip()):
            match = _DENSE.match(head.rstrip())
            if layers:
                raise _error("a second Dense layer is not read (each would name its weights kernel and bias)", at,
                             len(head.rstrip()), "write the layers' formula, e.g. tf.nn.relu(x @ W1 + b1) @ W2 + b2, "
                             "and give --W1, --b1, …")
            layers[match.group(1)] = _dense(match, at, text)
            skip = "layer"
        elif re.match(rf"{_NAME}[ \t]*=[ \t]*(?:torch\.)?nn\.Sequential[ \t]*\(", head):
            raise _error("a model made with nn.Sequential is not read", at + head.index("nn.Sequential"),
                         len("nn.Sequential"), MODULE_HINTS["Sequential"]([]))
        elif re.match(rf"({_NAME})[ \t]*=[ \t]*{_MODULE_OBJECT.pattern}[ \t]*$", head):
            match = re.match(rf"({_NAME})[ \t]*=[ \t]*{_MODULE_OBJECT.pattern}[ \t]*$", head)
            aliases[match.group(1)] = _module_function(match, at + match.start(2))
            if _settings(match.group(3)):     # act = nn.Softmax(dim=1): act(x) is F.softmax(x, dim=1)
                objects[match.group(1)] = (at + match.start(3), match.group(3))
            skip = "module"
        elif _TAPE.match(head) or _AUTOGRAD_GRAD.match(head):
            match = _AUTOGRAD_GRAD.match(head) or _TAPE.match(head)      # outputs=y: the output y
            called = "torch.autograd.grad" if "autograd.grad" in head else "tape.gradient"
            if match.group(2) in gradients:     # g.gradient(dy_dx, x) with dy_dx = gg.gradient(y, x)
                raise _error(f"the gradient of {match.group(2)}, itself a gradient, is a second derivative, which a "
                             f"pasted program is not read for", at, len(head.rstrip()),
                             "paste the formula differentiated first and add --order K (K = 2 for d²/dx²) or --hessian")
            output, skip, asked, asked_at = match.group(2), "gradient", f"{called}({match.group(2)}, …)", end
            if called == "torch.autograd.grad":
                scalar = (head.rstrip(), at, at + len(head.rstrip()))
            if match.group(1):
                gradients.update(re.findall(_NAME, match.group(1)))
        elif _ALIAS.match(head):
            match = _ALIAS.match(head)
            written = match.group(2).strip()
            transform = _transform(written, at + head.index(match.group(2))) if _JAX_OPEN.match(written) else None
            if match.group(3) in jax.bound and transform is not None:    # d2f = grad(df), df = grad(f): f''
                transform = _composed(transform, jax.bound[match.group(3)], written)
            if transform is None or transform.function in derived:
                _higher(match.group(2), match.group(3), derived, at + head.index(match.group(2)))
            aliases[match.group(1)] = aliases.get(transform.function, transform.function) if transform else match.group(3)
            if transform is not None:     # g(x, y) asks it: read by _ask
                jax.bound[match.group(1)] = transform
            if _HAS_AUX.search(match.group(2)):      # g = jax.grad(f, has_aux=True): g(x) is f(x)[0]
                aux.add(match.group(1))
            if not match.group(2).lstrip().startswith(("jit", "jax.jit")):
                derived.add(match.group(1))      # grad_f = grad(f): grad(grad_f) would be f''
            skip = "grad"
        elif _GRAD_READ.match(head):
            match = _GRAD_READ.match(head)
            if match.group(1):
                gradients.add(match.group(1))
            skip = "grad"
        elif gradients and not re.match(rf"{_NAME}[ \t]*(?:[-+*/@]|\*\*)?=(?!=)", head) and \
                re.search(rf"(?<![\w.])(?:{'|'.join(gradients)})\b", head):
            skip = "grad"       # dy_dx.numpy(): a gradient shown
        elif (_GRAD_ATTR.search(head) or _STEP.match(head)) and (output is not None or
                                                                backed):
            skip, updated = "update", True     # w -= lr * w.grad after backward(): a step, not the question
        elif _GRAD_ATTR.search(head):
            match = _GRAD_ATTR.search(head)
            raise _error("a step that uses .grad is not read", at + match.start(), 5,
                         "gradcalc computes the gradients themselves: paste the program up to "
                         ".backward(), and give the values to differentiate at")
        elif re.match(r"return\b[ \t]*[^\s=]", head) and i == len(statements):
            # a function's body pasted without its def line (optax's losses): the returned value is the output.
            # The word becomes `;`, ending the line before, so `return -x` is no continuation of it.
            chars[at:at + 6] = list(";     ")
            skipped["return"] = 1
        else:
            if re.fullmatch(rf"{_NAME}(?:[ \t]*\((?:[^()]|\([^()]*\))*\))?[ \t]*", head) and \
                    i < len(statements) and not re.match(r"(?:return|pass)\b", head):
                displayed.append((start, end))      # y(x) mid-program: a notebook shows it (blanked if a question follows)
            keyword = _KEYWORD.match(head)
            read = _if_statement(text, chars, statements, i - 1, at) if keyword and keyword.group(1) == "if" else None
            if read is not None:       # if c: y = a / else: y = b, read as y = (a) if (c) else (b)
                i, where = read
                conditions.update(where)
                skipped["if"] = 1
                continue
            if keyword:
                raise _keyword_error(keyword.group(keyword.lastindex), head, at)
            pair = re.match(rf"{_NAME}([ \t]*,[ \t]*{_NAME}[ \t]*)=[ \t]*({_NAME})?", head)
            if pair and (pair.group(2) in aux or re.match(rf"[^=]*=[ \t]*{_TRANSFORM.pattern}", head)
                         and _HAS_AUX.search(head)):
                _blank(chars, at + pair.start(1), at + pair.end(1))     # grads, aux = grad_fn(x): the first
            else:
                _unpack(chars, at, head.rstrip())
        if skip:
            skip = _skipped_kind(skip, head)
            skipped[skip] = skipped.get(skip, 0) + 1
            _blank(chars, start, end)
            if pending:
                if seeds:
                    raise _error("a second seeded backward pass is not read", pending[0], pending[1] - pending[0],
                                 f"gradcalc reads one: keep {seeds[0][1]} (run gradcalc once for each)")
                seeds.append(_seed_line(text, chars, *pending) + (pending[0],))
                pending = None
            continue
        _transforms(chars, start, code, derived, skipped, transformed, jax.bound)
        for match in _CLASS_CALL.finditer(code):      # Tensor.eye(3) is torch.eye(3)
            chars[start + match.start():start + match.end()] = f"torch.{match.group(1)} "
        for match in _SETTING_WORDS.finditer(code):   # Value(2.0, label='a'), dtype=torch.float32
            truth = _BOOL_DTYPE.search(match.group())
            if truth:     # [1, 0, 1] as a mask: left out, x[m] would take elements 1, 0, 1 (indices)
                raise _error("an array made with dtype=bool is a mask, which gradcalc reads only as True and False "
                             "written out or as a comparison", start + match.start() + truth.start(),
                             truth.end() - truth.start(), "write the mask's items as True and False "
                                                          "([True, False, True]), or compare (x > 0)")
            _blank(chars, start + match.start(), start + match.end())
    summed = _accumulated(calls, text, chars)
    if output is not None and not summed:     # y = x**2; y.backward(); y = x**3: the question is of the first y
        names = output if isinstance(output, tuple) else (output,)
        again = re.search(rf"(?m)^[ \t]*(?:{'|'.join(names)})[ \t]*(?:[-+*/@]|\*\*)?=(?!=)", text[asked_at:])
        if again:
            raise _error(f"{again.group().strip(' =+-*/@')} is assigned again after {asked} asked of it: the gradients are "
                         f"of the value before", asked_at + again.start(), len(again.group().rstrip(' =+-*/@')),
                         "give the new value a name of its own, or leave its line out")
    if summed:
        output, asked = summed
        if seeds:
            raise _error(f"{seeds[0][1]} seeds one of several .backward() calls, whose gradients add up",
                         seeds[0][2], len(seeds[0][1]), "paste the program up to one .backward() at a time")
    for low, high in displayed:
        if jax.key is not None and high <= jax.span[0]:       # computes nothing the question reads
            _blank(chars, low, high)
            skipped["shown_before"] = 1
    if jax.key is not None:
        if output is not None:
            raise _error(f"{jax.notes[-1].split(':')[0]} asks a second question ({asked} was the first): gradcalc "
                         f"answers one output a run", jax.span[0], jax.span[1] - jax.span[0],
                         "keep one of the two (run gradcalc once for each)")
        output, wrt = jax.output, tuple(jax.names)
    source = "".join(chars)
    for word, (what, after) in jax.held.items():     # read after the statement that bound it
        match = re.compile(rf"(?<![\w.]){word}\b").search(source, after)
        if match:
            raise _error(f"{word} holds {what}, which the program computes with", match.start(), len(word),
                         "gradcalc shows the function's value and its gradient, and computes nothing with a "
                         "gradient: paste the program up to the grad call")
    code = _uncommented(source, 0, len(source)) if gradients - set(jax.held) else source
    for word in gradients - set(jax.held):
        match = re.search(rf"(?<![\w.]){word}\b", code)     # read by code, not named in a comment
        if match:
            raise _error(f"{word} holds a gradient, which the program reads", match.start(), len(word),
                         "gradcalc computes the gradients: paste the program up to .backward() (or "
                         "tape.gradient), and read them in gradcalc's output")
    # The print that shows the output: the last one, when nothing after it is kept and no backward().
    kept_after = [bool(re.sub(r"#[^\n]*", "", source[p_end:]).strip()) for _, p_end in prints]
    for (p_start, p_end), later in zip(prints, kept_after):
        inner = _uncommented(source, p_start, p_end).rstrip()    # print(x**2)  # a comment; grad(f)(x) read as f(x)
        argument = inner[inner.index("(") + 1:-1] if inner.endswith(")") else ""
        plain = argument and not re.search(r"['\"]|\.grad\b|^\s*$", argument) and not _top_level_comma(argument) \
            and not any(loop[0] <= p_start < loop[1] for loop in loops)      # a print in a loop shows each step
        if plain and not later and output is None and (p_start, p_end) == prints[-1]:
            if "\n" in argument:    # over lines: its brackets kept, so the lines stay one expression
                _blank(chars, p_start, p_start + inner.index("("))
            else:
                _blank(chars, p_start, p_start + inner.index("(") + 1)
                _blank(chars, p_start + len(inner) - 1, p_start + len(inner))
            data = re.search(r"\.data[ \t]*$", argument)
            if data:    # print(g.data): the value of g, whose gradients are asked (not g held constant)
                at = p_start + inner.index("(") + 1 + data.start()
                _blank(chars, at, at + len(data.group()))
            skipped["shown"] = 1
        else:
            _blank(chars, p_start, p_end)
            skipped["print"] = skipped.get("print", 0) + 1
    source = "".join(chars)
    if not source.strip() and not re.sub(r"#[^\n]*", "", source).strip():
        raise _error("the program computes nothing", 0, 0,
                     "paste the lines that compute the value (a print, .backward() or a return of it)")
    notes = []
    if summed:
        notes.append(asked)
    elif isinstance(output, tuple):
        notes.append(f"the output is the sum of {', '.join(output[:-1])} and {output[-1]} (each summed over its "
                     f"elements), whose gradient {asked} asks")
    elif jax.key is not None:
        notes.extend(jax.notes)
    elif output is not None and seeds:
        notes.append(f"the output is {output}, and {seeds[0][1]} gives ∂L/∂{output}, the upstream gradient the "
                     f"backward pass starts from ({seeds[0][0]} here): the gradients are ∂L/∂… = {seeds[0][0]}ᵀ·"
                     f"∂{output}/∂…, a vector-Jacobian product, as the library computes them")
    elif output is not None:
        notes.append(f"the output is {output}, as {asked} asks" + (f" (the last of {len(earlier) + 1} questions"
                     f"{' of the persistent tape' if '.gradient(' in asked else ''}: the earlier answered in a note)"
                     if earlier else ""))
    elif skipped.get("shown"):
        notes.append("the output is what the last print shows")
    elif skipped.get("return"):
        notes.append("the output is what the return on the last line gives (a function's body pasted without its def)")
    if aux:
        notes.append("has_aux=True: the function returns (value, aux); its first value is differentiated")
    if unwatched:
        notes.append("not shown: " + "; ".join(f"{name}, {why}, which the tape does not watch (TensorFlow gives None)"
                                               for name, why in unwatched.items()))
    if re.search(r"\.stop_recording[ \t]*\(", text):
        notes.append("values computed under stop_recording() carry no gradient: where none reaches a source, "
                     "TensorFlow gives None and gradcalc 0")
    notes.extend(wanted)
    said = {"import": "import lines", "print": "print(…)", "backward": ".backward()", "grad": ".grad and grad(…)",
            "with": "with … :", **{kind: words for kind, _, words in _HARMLESS_KINDS},
            "cleared": "gradients cleared (zero_grad(), .grad.zero_(), .grad = None)",
            "decorator": "decorators (a method added with @d2l.add_to_class read as a function, self.W as W)",
            "display": "drawings, plots and what no number shows (y.grad_fn)", "keys": "JAX's random keys (their draws are the values given)",
            "shown_before": "values a notebook shows before the question (y(x) alone on a line)", "module": "loss and activation objects (read as their functions)",
            "dict": "dicts of variables (read as their values)", "symbols": "SymPy's symbols (the inputs given as --x)",
            "sympy": "SymPy's diff (read as the derivative it asks)",
            "if": "if statements (read as y = a if c else b, for each name they assign)", "seed": "the seed y.grad = … set before y.backward()",
            "layer": "Dense layers (read as act(x @ kernel + bias), kernel and bias inputs given as --kernel, --bias)",
            "update": "the update step after .backward() (the gradients are those before it)",
            "reset": "tape.reset() (what the tape recorded before it carries no gradient)"}
    gone = [said[kind] for kind in said if kind in skipped]
    unrolled = "" if not loops else f"the for loop unrolled ({len(loops[0][3])} step{'s' if len(loops[0][3]) != 1 else ''})" \
        if len(loops) == 1 else f"{len(loops)} for loops unrolled"
    if gone or unrolled:
        notes.append("read as Python: " + "; ".join(filter(None, [f"{', '.join(gone)} skipped" if gone else "", unrolled])))
    made_called = bool(_MODULE_CALLED.search(text))    # nn.Softmax(dim=1)(x), left for the tokens' reading
    if re.search(r"(?<![\w.])optax\.", text):
        modules.setdefault("optax", "optax")    # optax.l2_loss(p, t): one name, looked up in OPTAX
    if re.search(r"(?<![\w.])sympy\.", text):
        modules.setdefault("sympy", "sympy")    # import sympy, then sympy.exp(x): gradcalc's exp
    if "random" not in modules and re.search(r"(?<![\w.])random\.(?:PRNGKey|key|split|fold_in)\b", text):
        modules["random"] = "jax.random"     # random.normal(key, (3,)) after `from jax import random`
    _without_keys(chars, "".join(chars), modules.get("random") == "jax.random")
    source = "".join(chars)
    program = Program(source, {}, aliases, output, notes, detached, transformed, modules, loops,
                   (objects, made_called) if objects or made_called else None, parts, aux)
    program.wrt, program.output_at, program.scalar = wrt or (), output_at, scalar
    program.jacobians = frozenset(jax.jacobians)
    program.wants = dict(jax.wants)
    program.updates = ".at[" in source
    program.seed = seeds[0][:2] if seeds else jax.seed
    if earlier and seeds:
        raise _error("a seed among several questions of a persistent tape is not read", output_at, 1,
                     "ask the seeded question alone (run gradcalc once for each)")
    program.questions = tuple(earlier)
    program.layers = layers
    program.conditions = frozenset(conditions)
    if backed:
        program.reads = tuple(dict.fromkeys(shown + [a or b for a, b in _LEAF.findall(text)]))
    return program


def _typed_ellipsis(text: str) -> str:
    """The ... of a type in a def's parameters (tuple[int, ...]) written Any: a type is read past."""
    for header in re.finditer(rf"(?m)^[ \t]*def[ \t]+{_NAME}[ \t]*\(", text):
        end = _bracket_end(text, header.end() - 1)
        if end is not None and "..." in text[header.end():end]:
            text = text[:header.end()] + re.sub(r"(?<=[\[,][ \t])\.\.\.|(?<=[\[,])\.\.\.", "Any",
                                                text[header.end():end]) + text[end:]
    return text


def _seed_line(text, chars, start, end, call):
    """The statement holding a seed (blanked) made `upstream=v`, the seed's text where it was written
    (so a caret in it holds), the name just before it: (that name, the call as written)."""
    name = next((name for name in ("upstream", "upstream_", "upstream__", "seed_")
                 if not re.search(rf"(?<![\w.]){name}\b", text)), None)
    if name is None:
        raise _error(f"{call} seeds the backward pass, and the names gradcalc gives a seed are all taken", start,
                     end - start, "rename the program's upstream, upstream_, upstream__ or seed_")
    chars[start:end] = list(text[start:end])
    chars[start - len(name) - 1:start] = list(name + "=")
    return name, re.sub(r"\s+", " ", call)


_FOR = re.compile(rf"for[ \t]+({_NAME})[ \t]+in[ \t]+(.*?)[ \t]*:(?![^\[\]]*\])")
_RANGE = re.compile(r"range[ \t]*\(([-+\d, \t]*)\)$")
_MOST_STEPS = 1000      # the most steps a loop is unrolled to: a longer one is a formula's work


def _loop(text, chars, statements, i, head, at):
    """(body start, body end, the loop's name, its values) of the for loop at statement i, its header
    blanked: `for i in range(3):` over a count (or start, stop, step) written as whole numbers, with
    its body on the header's line or indented below it; else refused saying what to write."""
    _, end, indent = statements[i]
    header = _FOR.match(head)
    if header is None:
        raise _keyword_error("for", head, at)
    name, iterable = header.groups()
    bounds = _RANGE.match(iterable)
    values = None
    listed = re.fullmatch(r"[\[(]([-+\d., \t]*)[\])]", iterable)    # for w in [0.5, -1.0, 2.0]: its numbers
    if listed:
        try:
            values = [float(part) for part in listed.group(1).split(",") if part.strip()] or None
        except ValueError:
            values = None
    elif bounds:
        try:
            numbers = [int(part) for part in bounds.group(1).split(",") if part.strip()]
            values = list(range(*numbers)) if 1 <= len(numbers) <= 3 and (len(numbers) < 3 or numbers[2]) else None
        except ValueError:
            values = None
    where = at + head.index(iterable)
    if values is None:
        counted = re.match(r"range[ \t]*\([ \t]*len[ \t]*\([ \t]*(\w+)", iterable)
        raise _error(f"for {name} in {iterable}: a loop is read over range(n) or a list of numbers, written there",
                     where, len(iterable), f"write the count: for {name} in range(3): for {counted.group(1)} of 3 elements"
                     if counted else f"write the numbers it runs over, for {name} in [0.5, 1.0, 2.0]:, or its count, for k "
                     f"in range(3): (then index with k)")
    if len(values) > _MOST_STEPS:
        raise _error(f"a loop of {len(values)} steps is more than gradcalc unrolls ({_MOST_STEPS})", where, len(iterable),
                     "write what the loop computes as one formula (a running total of x[i] is sum(x), of x[i]*y[i] "
                     "is sum(x*y))")
    colon = at + header.end()
    if _code(text, colon, end).strip():                      # for i in range(3): y = y * x
        body = (colon, end)
    else:
        body = _block(statements, i + 1, indent)
        if body is None:
            raise _error("the for loop has no body", at, header.end(), "write its lines below it, indented")
    code = _uncommented(text, *body)
    stop = re.search(r"(?m)(?:^|;|:)[ \t]*(break|continue|return|yield)\b|\.backward[ \t]*\(|\.step[ \t]*\(", code)
    if stop:
        word = stop.group(1) or stop.group().strip(".( \t")
        hint = "paste one step: the loop's body once, up to .backward()" if word in ("backward", "step") else \
            "write what the loop computes without it, as one formula"
        raise _error(f"a loop with {word} in it is not read" if stop.group(1) else
                     f"a .{word}() inside a loop (a training loop) is not read", body[0] + stop.start(),
                     len(stop.group()), hint)
    if re.search(r"(?m)^[ \t]*(?:def|class|while)\b", code):
        raise _error("a def, class or while inside a loop is not read", body[0], len(code.strip()),
                     "write what the loop computes as one formula")
    _blank(chars, at, colon)
    return (body[0], body[1], name, values)

_ASSIGNMENT = re.compile(rf"({_NAME})[ \t]*=(?!=)[ \t]*([^\n]+?)[ \t]*")


def _if_statement(text, chars, statements, i, at):
    """The if statement at statement i, when each branch (if, elif, else) only assigns the same names, each
    once and from values before it (if x > 0.0: result = v0 / else: result = v1**2, the TF guide's), written
    over its place as name = (a) if (c) else (b), one for each name: (the statement after it, where its
    conditions start). None when it is of another form (then refused as before)."""
    indent = statements[i][2]
    branches, j = [], i
    while j < len(statements) and statements[j][2] == indent:
        code = _code(text, *statements[j][:2]).strip()
        head = re.fullmatch(r"(if|elif)[ \t]+(.+?)[ \t]*:|(else)[ \t]*:", code, re.S)
        if head is None or (head.group(1) == "if") != (j == i) or branches and branches[-1][0] is None:
            break
        body, j = [], j + 1
        while j < len(statements) and statements[j][2] > indent:
            body.append(_ASSIGNMENT.fullmatch(_code(text, *statements[j][:2]).strip()))
            j += 1
        if not body or not all(body):
            return None
        branches.append((head.group(2), [(match.group(1), match.group(2)) for match in body]))
    if len(branches) < 2 or branches[-1][0] is not None:
        return None
    names = [name for name, _ in branches[0][1]]
    for _, body in branches:
        assigned = [name for name, _ in body]
        if sorted(assigned) != sorted(names) or len(set(assigned)) != len(assigned) or any(
                re.search(rf"(?<![\w.])(?:{'|'.join(assigned)})\b", value) for _, value in body):
            return None
    start, end = at, statements[j - 1][1]
    line, where = "", []
    for name in names:      # a if c1 else b if c2 else c: Python's elif chain, each condition where it stands
        line += f"{';' if line else ''}{name}="       # written tight: it takes the if statement's place
        for condition, body in branches[:-1]:
            line += f"({dict(body)[name]})if("
            where.append(start + len(line) - 1)      # the bracket before the condition
            line += f"{condition})else"
        line += f"({dict(branches[-1][1])[name]})"
    if len(line) > end - start or "\n" in line:
        return None
    _blank(chars, start, end)
    chars[start:start + len(line)] = list(line)
    return j, where


def _imported_modules(line: str) -> dict[str, str]:
    """The modules an import line names otherwise than gradcalc's tables spell them: import torch as t
    → {t: torch}, from torch.nn import functional as fn → {fn: torch.nn.functional}, import tensorflow
    as tfl → {tfl: tf}. A name the tables know already (np, F, tf, jnp) keeps its meaning."""
    found = {}
    plain = re.fullmatch(r"import[ \t]+(.+)", line)
    listed = re.fullmatch(rf"from[ \t]+({_DOTTED})[ \t]+import[ \t]+\(?(.+?)\)?", line)
    if plain:
        pairs = [(part, "") for part in plain.group(1).split(",")]
    elif listed:
        pairs = [(part, listed.group(1) + ".") for part in listed.group(2).split(",")]
    else:
        return found
    for part, base in pairs:
        match = re.fullmatch(rf"[ \t]*({_DOTTED})(?:[ \t]+as[ \t]+({_NAME}))?[ \t]*", part)
        if match is None:
            continue
        module = re.sub(r"^tensorflow\b", "tf", base + match.group(1))
        name = match.group(2) or (match.group(1) if base else None)     # import torch.nn: no new name
        if name and name != module and name not in _LEXED and "." not in name and _is_module(module):
            found[name] = module
    return found


# The module names the grammar's NAME takes with what follows (np.sin is one name, t.sin a name and a method)
_LEXED = frozenset({"np", "numpy", "jnp", "jax", "torch", "F", "tf", "math", "scipy", "special", "lax", "nn"})


def edited_tokens(tokens: list, program: Program, make, lex=None) -> list:
    """The program's tokens as the parser is to read them: a module named otherwise (t.tensor with
    `import torch as t`) as one name spelled the usual way (torch.tensor) over the same place, so every
    caret holds; a top-level for loop over range(N) as its body's tokens N times, the loop's name a
    number in each; an activation object made with settings (act = nn.Softmax(dim=1), then act(x), or
    nn.Softmax(dim=1)(x)) as its function given them after the arguments, F.softmax(x, dim=1), the
    settings' tokens where they are written. `make(kind, text, start, end)` makes a token, `lex(text)`
    gives a text's tokens."""
    if program.modules:
        tokens = _renamed(tokens, program.modules, make)
    if program.objects:
        tokens = _objects_called(tokens, program, make, lex)
    if program.parts:
        tokens = _parts_assigned(tokens, program.parts, make)
    if program.aux:
        tokens = _first_of_calls(tokens, program.aux, make)
    if program.jacobians:
        tokens = _wrapped_calls(tokens, program.jacobians, "gradcalc.one_value", make)
    if program.updates:
        tokens = _at_updates(tokens, make)
    if program.layers:
        tokens = _layers_called(tokens, program.layers, make)
    for body_start, body_end, name, values in reversed(program.loops):
        first = next((k for k, token in enumerate(tokens) if token.start >= body_start), len(tokens))
        last = next((k for k, token in enumerate(tokens) if token.start >= body_end), len(tokens))
        body = tokens[first:last]
        while body and body[-1].lastgroup == "_SEP":
            body = body[:-1]
        if not body:        # a body of prints only: nothing computed
            continue
        unrolled = []
        for k, value in enumerate(values):
            if k:
                unrolled.append(make("_SEP", "\n", body[-1].start, body[-1].start))   # (inside the body: an outer loop's holds it)
            for token in body:
                if token.lastgroup != "NAME" or token.text != name:
                    unrolled.append(token)
                elif value >= 0:
                    unrolled.append(make("NUMBER", repr(value), token.start, token.end))
                else:        # range(3, -1, -1): (-1), a number in brackets where the name stood
                    unrolled += [make("LPAR", "(", token.start, token.start), make("ADD_OP", "-", token.start, token.start),
                                 make("NUMBER", repr(-value), token.start, token.end), make("RPAR", ")", token.end, token.end)]
        tokens = tokens[:first] + unrolled + tokens[first + len(body):]
    return tokens


_HAS_AUX = re.compile(r"has_aux[ \t]*=[ \t]*True")


def _first_of_calls(tokens, aux, make):
    """f(x) → f(x)[0] where grad(f, has_aux=True) stood (or a name bound to it was called)."""
    out, k = [], 0
    while k < len(tokens):
        token = tokens[k]
        if token.lastgroup == "NAME" and (token.start in aux or token.text in aux) and k + 1 < len(tokens) and \
                tokens[k + 1].lastgroup == "LPAR":
            end = _closing(tokens, k + 1)
            if end is not None:
                at = tokens[end].end
                out += tokens[k:end + 1] + [make("LSQB", "[", at, at), make("NUMBER", "0", at, at),
                                            make("RSQB", "]", at, at)]
                k = end + 1
                continue
        out.append(token)
        k += 1
    return out


_JAX_DRAW = re.compile(rf"(?<![\w.])(jax\.random|random)\.(?:{'|'.join(name for name in JAX_RANDOM if name[0].islower())})"
                       rf"[ \t]*\(")


def _without_keys(chars, source, keyed):
    """The key of each of JAX's random draws blanked (jax.random.normal(W_key, (3,)) reads as
    jax.random.normal((3,))), `random.` too when the program's random is JAX's."""
    for match in _JAX_DRAW.finditer(source):
        if match.group(1) == "random" and not keyed:
            continue
        close = _closing_text(source, match.end() - 1)
        if close is None:
            continue
        first = _split_arguments(source[match.end():close])
        if first:
            cut = source.index(first[0], match.end()) + len(first[0])
            comma = source[cut:close].find(",")
            _blank(chars, match.end(), cut + comma + 1 if comma >= 0 else cut)


_AT_OPS = {".add": ("ADD_OP", "+"), ".multiply": ("MUL_OP", "*"), ".mul": ("MUL_OP", "*"), ".set": None}


def _at_updates(tokens, make):
    """x.at[i].set(v) as gradcalc.set_item(x, i, v), .add(v) as set_item(x, i, x[i] + (v)), .multiply(v)
    likewise, .get() as x[i]: one index (a whole number or a name) of a vector, as x[i] = v is read."""
    out, k = [], 0
    while k < len(tokens):
        token = tokens[k]
        if not (token.lastgroup == "NAME" and k + 2 < len(tokens) and tokens[k + 1].lastgroup == "ATTRIBUTE"
                and tokens[k + 1].text == ".at" and tokens[k + 2].lastgroup == "LSQB"):
            out.append(token)
            k += 1
            continue
        close = next((j for j in range(k + 3, len(tokens)) if tokens[j].lastgroup in ("RSQB", "_SEP")), len(tokens) - 1)
        index = tokens[k + 3:close]
        method = tokens[close + 1] if close + 1 < len(tokens) else None
        opened = close + 2 < len(tokens) and tokens[close + 2].lastgroup == "LPAR"
        end = _closing(tokens, close + 2) if opened else None
        simple = [t.lastgroup for t in index] in (["NUMBER"], ["NAME"], ["ADD_OP", "NUMBER"])
        kind = method.text if method is not None and method.lastgroup == "METHOD" else ""
        if not simple or end is None or kind not in (*_AT_OPS, ".get") or kind == ".get" and end != close + 3:
            stop = tokens[end].end if end is not None else tokens[close].end
            raise _error(f"{token.text}.at[…]{kind}(…) is read for one index of a vector and .set, .add, .multiply "
                         f"or .get", token.start, stop - token.start,
                         f"write {token.text}.at[i].set(v) with i a whole number or a name, or the new value as one "
                         f"formula of {token.text}")
        element = [token, tokens[k + 2], *index, tokens[close]]
        if kind == ".get":
            out += element
        else:
            value = tokens[close + 3:end]
            at, stop = token.start, tokens[end].end
            if _AT_OPS[kind]:
                value = [*element, make(*_AT_OPS[kind], method.start, method.end), make("LPAR", "(", stop, stop),
                         *value, make("RPAR", ")", stop, stop)]
            out += [make("NAME", "gradcalc.set_item", at, tokens[close].end), make("LPAR", "(", at, at), token,
                    make("COMMA", ",", at, at), *index, make("COMMA", ",", at, at), *value, make("RPAR", ")", stop, stop)]
        k = end + 1
    return out


def _layers_called(tokens, layers, make):
    """layer(x) of a Keras Dense layer as act((x) @ kernel + bias), the tokens made where the call stands."""
    out, k = [], 0
    while k < len(tokens):
        token = tokens[k]
        end = _closing(tokens, k + 1) if token.lastgroup == "NAME" and token.text in layers and k + 1 < len(tokens) \
            and tokens[k + 1].lastgroup == "LPAR" else None
        if end is None:
            out.append(token)
            k += 1
            continue
        function, bias, units = layers[token.text]
        at, stop = token.start, tokens[end].end
        made = [make("NAME", function, at, token.end), make("LPAR", "(", at, at)] if function else []
        made += [make("LPAR", "(", at, at), *tokens[k + 2:end], make("RPAR", ")", stop, stop),
                 make("MUL_OP", "@", stop, stop), make("NAME", "gradcalc.dense_kernel", stop, stop),
                 make("LPAR", "(", stop, stop), make("NAME", "kernel", stop, stop), make("COMMA", ",", stop, stop),
                 make("NUMBER", str(units), stop, stop), make("RPAR", ")", stop, stop)]
        made += [make("ADD_OP", "+", stop, stop), make("NAME", "gradcalc.dense_bias", stop, stop),
                 make("LPAR", "(", stop, stop), make("NAME", "bias", stop, stop), make("COMMA", ",", stop, stop),
                 make("NUMBER", str(units), stop, stop), make("RPAR", ")", stop, stop)] if bias else []
        out += made + ([make("RPAR", ")", stop, stop)] if function else [])
        k = end + 1
    return out


def _wrapped_calls(tokens, places, name, make):
    """f(x) → name(f(x)) where a call in `places` starts."""
    out, k = [], 0
    while k < len(tokens):
        token = tokens[k]
        end = _closing(tokens, k + 1) if token.lastgroup == "NAME" and token.start in places and \
            k + 1 < len(tokens) and tokens[k + 1].lastgroup == "LPAR" else None
        if end is not None:
            at = token.start
            out += [make("NAME", name, at, at), make("LPAR", "(", at, at), *tokens[k:end + 1],
                    make("RPAR", ")", tokens[end].end, tokens[end].end)]
            k = end + 1
            continue
        out.append(token)
        k += 1
    return out


# Keras' activations by name (activation='relu', or the function itself): gradcalc's function ("" for none)
_KERAS_ACTIVATIONS = {"linear": "", "None": "", "swish": "tf.nn.silu",
                      **{name: f"tf.nn.{name}" for name in ("relu", "sigmoid", "tanh", "softplus", "elu", "silu", "gelu",
                                                            "softmax")}}
_DENSE = re.compile(rf"({_NAME})[ \t]*=[ \t]*(?:(?:tf\.)?keras\.)?layers\.Dense[ \t]*\((.*)\)[ \t]*$", re.S)


def _dense(match, at, text):
    """(its activation's gradcalc function, whether it adds a bias) of layer = Dense(2, activation='relu')."""
    settings = _split_arguments(match.group(2))
    keywords = {part.split("=", 1)[0].strip(): part.split("=", 1)[1].strip() for part in settings if "=" in part}
    plain = [part for part in settings if "=" not in part]
    written = keywords.get("activation", plain[1] if len(plain) > 1 else "None").strip("'\"")
    name = re.sub(r"^(?:tf\.)?(?:keras\.activations\.|nn\.)", "", written)
    if name not in _KERAS_ACTIVATIONS:
        raise _error(f"the activation {written} of a Dense layer is not read", at, len(match.group()),
                     "write the layer's formula, act(x @ kernel + bias), its activation written out")
    if re.search(r"(?<![\w.'\"])(?:kernel|bias)\b(?!['\"])", _uncommented(text, 0, len(text))):
        raise _error("a Dense layer's weights are read as kernel and bias, names the program uses already", at,
                     len(match.group()), "write the layer's formula, act(x @ W + b), with names of your own")
    units = keywords.get("units", plain[0] if plain else "")
    if not re.fullmatch(r"[1-9]\d{0,5}", units):
        raise _error(f"a Dense layer's units must be a whole number written in the call, got {units or 'none'}", at,
                     len(match.group()), "write e.g. tf.keras.layers.Dense(2, activation='relu')")
    return _KERAS_ACTIVATIONS[name], keywords.get("use_bias", "True") != "False", int(units)


# d2l's @d2l.add_to_class(LinearRegressionScratch) before a def whose first parameter is self
_ADD_TO_CLASS = re.compile(r"@[ \t]*d2l\.add_to_class[ \t]*\([^()]*\)")
_METHOD = re.compile(rf"def[ \t]+{_NAME}[ \t]*\([ \t]*self[ \t]*(?:,[ \t]*|(?=\)))")


def _as_function(text, chars, start, end):
    """The method def f(self, X): … self.W … between start and end read as def f(X): … W …, its attributes
    inputs by their names (self and the dot blanked, so every caret holds)."""
    header = _METHOD.match(text, start)
    _blank(chars, header.end() - len(header.group().split("(", 1)[1]), header.end())
    for attribute in re.finditer(r"(?<![\w.])self\.(?=[A-Za-z_])", text[header.end():end]):
        _blank(chars, header.end() + attribute.start(), header.end() + attribute.end())


def _parts_assigned(tokens, parts, make):
    """x[i] = v (at a place in `parts`) as x = gradcalc.set_item(x, i, v): the tokens keep their places,
    the function's name spans x[i]."""
    out, k = [], 0
    while k < len(tokens):
        token = tokens[k]
        if token.lastgroup == "NAME" and token.start in parts and k + 1 < len(tokens) and tokens[k + 1].lastgroup == "LSQB":
            close = next((j for j in range(k + 2, len(tokens)) if tokens[j].lastgroup == "RSQB"), None)
            if close is not None and close + 1 < len(tokens) and tokens[close + 1].lastgroup == "EQUAL":
                end, depth = close + 2, 0
                while end < len(tokens) and (depth or tokens[end].lastgroup not in ("_SEP", "DEDENT", "INDENT")):
                    depth += {"LPAR": 1, "LSQB": 1, "LBRACE": 1, "RPAR": -1, "RSQB": -1, "RBRACE": -1}.get(
                        tokens[end].lastgroup, 0)
                    end += 1
                at, stop = token.start, tokens[end - 1].end
                out += [token, tokens[close + 1], make("NAME", "gradcalc.set_item", at, tokens[close].end),
                        make("LPAR", "(", at, at), token, make("COMMA", ",", at, at), *tokens[k + 2:close],
                        make("COMMA", ",", at, at), *tokens[close + 2:end], make("RPAR", ")", stop, stop)]
                k = end
                continue
        out.append(token)
        k += 1
    return out


def _closing(tokens, k):
    """The index of the bracket closing the one at tokens[k], or None."""
    depth = 0
    for j in range(k, len(tokens)):
        depth += {"LPAR": 1, "RPAR": -1}.get(tokens[j].lastgroup, 0)
        if depth == 0:
            return j
    return None


def _objects_called(tokens, program, make, lex):
    named, _ = program.objects
    out, k = [], 0
    while k < len(tokens):
        token = tokens[k]
        kind = token.lastgroup
        opened = k + 1 < len(tokens) and tokens[k + 1].lastgroup == "LPAR"
        made = re.fullmatch(r"(?:torch\.)?nn\.(\w+)", token.text) if kind == "NAME" and opened else None
        if made and MODULE_OBJECTS.get(made.group(1), "").startswith("F."):
            shut = _closing(tokens, k + 1)
            if shut is not None and shut + 1 < len(tokens) and tokens[shut + 1].lastgroup == "LPAR":
                settings = _without_inplace(tokens[k + 2:shut])     # nn.Softmax(dim=1)(x), nn.BCELoss()(p, t)
                end = _closing(tokens, shut + 1)
                if end is not None:
                    out.append(make("NAME", MODULE_OBJECTS[made.group(1)], token.start, tokens[shut].end))
                    out += tokens[shut + 1:end] + ([make("COMMA", ",", tokens[end].start, tokens[end].start)] + settings
                                                   if settings and end > shut + 2 else settings) + [tokens[end]]
                    k = end + 1
                    continue
        if kind == "NAME" and token.text in named and opened and lex is not None:
            end = _closing(tokens, k + 1)
            if end is not None:
                start, written = named[token.text]
                settings = _without_inplace(lex(" " * start + written))
                out += tokens[k:end] + ([make("COMMA", ",", tokens[end].start, tokens[end].start)] if end > k + 2 else []) \
                    + settings + [tokens[end]]
                k = end + 1
                continue
        out.append(token)
        k += 1
    return out


def _without_inplace(settings):
    """The setting tokens without inplace=True (it changes no number) and the comma beside it."""
    kept, k = [], 0
    while k < len(settings):
        if settings[k].lastgroup == "NAME" and settings[k].text == "inplace" and k + 2 < len(settings) and \
                settings[k + 1].lastgroup == "EQUAL":
            k += 3
            if kept and kept[-1].lastgroup == "COMMA":
                kept.pop()
            elif k < len(settings) and settings[k].lastgroup == "COMMA":
                k += 1
            continue
        kept.append(settings[k])
        k += 1
    return kept


def _renamed(tokens, modules, make):
    out, k = [], 0
    while k < len(tokens):
        token = tokens[k]
        if token.lastgroup == "NAME" and token.text in modules and k + 1 < len(tokens) and \
                tokens[k + 1].lastgroup in ("ATTRIBUTE", "METHOD") and tokens[k + 1].start == token.end:
            text, end = modules[token.text], token.end
            while k + 1 < len(tokens) and tokens[k + 1].lastgroup in ("ATTRIBUTE", "METHOD") and tokens[k + 1].start == end:
                k += 1
                text, end = text + tokens[k].text, tokens[k].end
                if tokens[k].lastgroup == "METHOD":
                    break
            out.append(make("NAME", text, token.start, end))
        else:
            out.append(token)
        k += 1
    return out


def _is_module(path: str) -> bool:
    """A module gradcalc's tables read, or one holding them (torch, torch.nn, jax, scipy)."""
    return path in NAMESPACES or any(key.startswith(path + ".") for key in NAMESPACES)


# x.grad.zero_(), x.grad = None, w.grad.data.zero_(), micrograd's p.grad = 0.0; opt.zero_grad() clears all
_ZEROED = re.compile(rf"(?:{_DOTTED}\.(zero_grad)[ \t]*\([^()]*\)"
                     rf"|({_NAME})\.grad(?:\.data)?(?:\.zero_[ \t]*\([ \t]*\)|[ \t]*=[ \t]*(?:None|0(?:\.0*)?|"
                     rf"(?:torch\.)?zeros_like[ \t]*\([^()]*\))))[ \t]*$")
# A value whose .grad PyTorch (or an engine) fills: made with requires_grad=True, or a micrograd Value
_LEAF = re.compile(rf"(?m)^[ \t]*({_NAME})[ \t]*=[^\n]*(?:requires_grad[ \t]*=[ \t]*True|\b(?:Value|Variable)[ \t]*\()"
                   rf"|^[ \t]*({_NAME})\.requires_grad(?:_[ \t]*\([ \t]*(?:True)?[ \t]*\)|[ \t]*=[ \t]*True)")
_SUM = "Σ"     # the name given the sum of the outputs whose gradients .grad holds


_MOST_QUESTIONS = 20     # a persistent tape's earlier questions answered in one run, each a backward pass


# DeZero's Function classes made with no setting (step 7's A = Square()): the function each applies
_ENGINE_CLASSES = {"Square": "np.square", "Exp": "np.exp", "Sin": "np.sin", "Cos": "np.cos", "Tanh": "np.tanh",
                   "Log": "np.log"}
_ENGINE_OBJECT = re.compile(rf"({_NAME})[ \t]*=[ \t]*({'|'.join(_ENGINE_CLASSES)})[ \t]*\([ \t]*\)")
# y.grad = v set by hand before y.backward() (DeZero's first steps), and a seed of one written so
_GRAD_SET = re.compile(rf"({_NAME})\.grad[ \t]*=(?!=)[ \t]*(.+)")
_ONE = re.compile(r"(?:(?:np|numpy)\.(?:array|asarray)[ \t]*\([ \t]*)?1(?:\.0*)?(?:[ \t]*\))?|(?:(?:np|numpy)\.)?ones_like"
                  r"[ \t]*\([^()]*\)")


def _accumulated(calls, text, chars):
    """PyTorch adds each .backward()'s gradients into .grad until something zeroes them: two calls
    leave the gradient of the sum of their outputs. Where the program's last group of calls (after the
    last zeroing of every gradient) has several, each backward line is rewritten in place as
    Σ = y, then Σ = Σ + z (shorter than the line it replaces, so every caret holds), and
    (output name, note) is returned; None where there is one call or none."""
    backwards = [call for call in calls if call[0] == "backward"]
    if len(backwards) < 2:
        return None
    leaves = {a or b for a, b in _LEAF.findall(text)}
    group, zeroed = [], set()
    for call in calls:
        if call[0] == "zero":
            if group:
                zeroed = None if call[1] is None or zeroed is None else zeroed | call[1]
            continue
        if zeroed is None or (zeroed and leaves and leaves <= zeroed):
            group = []          # every gradient cleared: .grad holds the calls from here on
        elif zeroed:
            names = ", ".join(sorted(zeroed))
            kept = ", ".join(sorted(leaves - zeroed)) or "the others"
            raise _error(f"clearing {names}'s gradient but not {kept}'s between two .backward() calls is not read",
                         call[2], call[3] - call[2],
                         "gradcalc gives one computation's gradients: paste the program up to one .backward() at "
                         "a time (where .grad was not cleared, PyTorch holds the gradient of the outputs' sum)")
        zeroed = set()
        group.append(call)
    if len(group) < 2:
        return None
    if "Value(" in text:     # micrograd's second backward() adds its intermediate gradients in again too
        raise _error("a second .backward() of a micrograd Value is not read", group[1][2], group[1][3] - group[1][2],
                     "micrograd adds the gradients already in the graph in again: paste the program up to "
                     "one .backward()")
    receivers = [call[1] for call in group]
    if None in receivers:
        at, end = group[receivers.index(None)][2:4]
        raise _error("one of several .backward() calls is of an expression", at, end - at,
                     "name it first: loss = …, then loss.backward()")
    for k, call in enumerate(group[1:], 1):
        if call[1] in receivers[:k] and not group[receivers.index(call[1])][4]:
            raise _error(f"a second {call[1]}.backward(): PyTorch frees the graph after the first one and "
                         f"raises an error", call[2], call[3] - call[2],
                         f"write {call[1]}.backward(retain_graph=True) the first time: the gradients then add up, "
                         f"as gradcalc reads it; or leave the second out")
    name = _SUM if _SUM not in text else _SUM + "_"
    partial = [f"{name}{str(k).translate(_SUBSCRIPTS)}" for k in range(1, len(group))] + [name]   # Σ₁, Σ₂, …, Σ
    for k, (_, receiver, at, end, _retain) in enumerate(group):
        written = f"{partial[k]}={receiver}" if k == 0 else f"{partial[k]}={partial[k - 1]}+{receiver}"
        chars[at:end] = list(written.ljust(end - at))
    return name, (f"the output is {name}, the sum of what the {len(group)} .backward() calls were asked of "
                  f"({', '.join(receivers)}): each adds its gradients into .grad (nothing clears them between), "
                  f"as PyTorch does")


_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _without_list(text):
    """list(range(n)) as range(n), the same indices (d2l's y_hat[list(range(len(y_hat))), y]); the
    text keeps its length, so every caret holds."""
    for match in reversed(list(re.finditer(r"(?<![\w.])list\([ \t]*(?=range\()", text))):
        depth, k = 1, match.end()
        while k < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[k], 0)
            k += 1
        if depth == 0:
            text = text[:match.start()] + " " * (match.end() - match.start()) + text[match.end():k - 1] + " " + text[k:]
    return text


# nn.MSELoss()(pred, y): the object made and called at once
_MODULE_CALLED = re.compile(rf"(?<![\w.]){_MODULE_OBJECT.pattern}(?=[ \t]*\()")


def _module_called(match) -> str:
    """nn.MSELoss()(…) as F.mse_loss(…), padded to the same length (carets hold) when the function's
    name is no longer; else left for the parser, whose error says to name the object first."""
    function = MODULE_OBJECTS.get(match.group(1))
    if function is None or match.group(2).strip():
        return match.group()
    if len(function) > len(match.group()):     # nn.BCELoss()(p, t): read on the tokens (_objects_called)
        return match.group()
    return function.ljust(len(match.group()))


def _module_function(match, at: int) -> str:
    """The function a loss or activation object calls (criterion = nn.MSELoss() → F.mse_loss); refused
    when gradcalc lacks it or it is made with settings (reduction='sum'), which change what it computes."""
    _, name, settings = match.groups()
    function, settings = MODULE_OBJECTS.get(name), settings.strip()
    if function is None:
        functional = name.lower() if name.lower() in TORCH_FUNCTIONAL and name not in MODULE_HINTS else None
        written = [part.strip() for part in settings.split(",") if part.strip()]
        raise _error(f"{name}({settings.strip()}) is not read as an object", at,
                     len(match.group()) - (match.start(2) - match.start()),
                     MODULE_HINTS[name](written) if name in MODULE_HINTS else
                     f"call the function it applies: F.{functional}(x{', ' + settings.strip() if settings.strip() else ''})"
                     if functional else "call the function it applies, e.g. F.mse_loss(pred, y), F.relu(x), "
                                         "tf.keras.losses.MSE(y, p)")
    if _INPLACE.sub("", settings).strip(" \t,") and not _settings(settings):
        raise _error(f"{name}({settings}): an object made with settings is not read", at,
                     len(match.group()) - (match.start(2) - match.start()),
                     "write the formula it computes with them: nn.MSELoss(reduction='sum')(p, y) is "
                     "((p - y)**2).sum()")
    return function


class _Question:
    """tape.gradient(targets, sources) or torch.autograd.grad(outputs, inputs) as read from a statement."""

    __slots__ = ("output", "sources", "named", "seed", "asked", "at", "call", "seed_at", "kind")

    def __init__(self, output, sources, named, seed, asked, at, call, seed_at=None, kind="gradient"):
        self.output, self.sources, self.named, self.seed = output, sources, named, seed
        self.asked, self.at, self.call = asked, at, call
        self.seed_at = seed_at      # (start, end) of the seed's text in the statement
        self.kind = kind            # "gradient", or "jacobian" (tape.jacobian: every output element's gradient)


def _higher_question(question: _Question, previous: _Question | None, chain: set) -> bool:
    """Whether `question` differentiates the gradient the one before it asked, by the same one input, with no
    seed in either: the next derivative (a Hessian, for tape.jacobian of a gradient)."""
    return previous is not None and previous.kind == "gradient" and question.sources is not None and \
        question.sources == previous.sources and len(question.sources) == 1 and question.seed is None and \
        previous.seed is None and (question.output in previous.named or question.output in chain) and \
        (question.kind == "gradient" or not chain)


_GRADIENT_CALL = re.compile(rf"(?<![\w.])(?:({_NAME})\.(gradient|jacobian|batch_jacobian)|(?:torch\.)?autograd\.grad)[ \t]*\(")
# what may follow the call: .numpy(), the first of autograd.grad's tuple
_GRADIENT_AFTER = re.compile(r"(?:[ \t]*\.numpy[ \t]*\([ \t]*\)|[ \t]*\[[ \t]*(\d+)[ \t]*\])*")
_GRADIENT_LHS = re.compile(rf"([\[(]?[ \t]*{_NAME}(?:[ \t]*,[ \t]*{_NAME})*[ \t]*,?[ \t]*[\])]?)[ \t]*=(?!=)")
# settings that change no gradient (unconnected_gradients: gradcalc's gradient of an unused input is 0)
_GRADIENT_SETTINGS = {"retain_graph", "create_graph", "allow_unused", "materialize_grads", "unconnected_gradients",
                      "is_grads_batched"}


def _gradient_question(head: str) -> _Question | None:
    """The question of a statement that calls tape.gradient or torch.autograd.grad and only names or
    shows the result (dy_dx = tape.gradient(y, x), print(tape.gradient(y, x).numpy()), dw, db =
    torch.autograd.grad(loss, [w, b])); None for any other statement. Its targets are names, a list or a
    dict of names (TF differentiates their sum); its sources names, or None when not (model.weights)."""
    call = _GRADIENT_CALL.search(head)
    if call is None:
        return None
    depth, k = 1, call.end()
    while k < len(head) and depth:
        depth += {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}.get(head[k], 0)
        k += 1
    if depth:
        return None
    before, after = head[:call.start()].strip(), _GRADIENT_AFTER.match(head, k)
    rest = head[after.end():].strip()
    lhs = _GRADIENT_LHS.fullmatch(before) if before else None
    if not (before == "" and rest == "" or lhs and rest == "" or re.fullmatch(r"print[ \t]*\(", before) and rest == ")"):
        return None
    positional, keywords = [], {}
    for argument in _split_arguments(head[call.end():k - 1]):
        keyword = re.match(rf"({_NAME})[ \t]*=(?!=)[ \t]*", argument)
        if keyword:
            keywords[keyword.group(1)] = argument[keyword.end():]
        else:
            positional.append(argument)
    tape = call.group(1) is not None
    targets = keywords.pop("target" if tape else "outputs", None) or (positional[0] if positional else "")
    sources = keywords.pop("sources" if tape else "inputs", None) or (positional[1] if len(positional) > 1 else "")
    seed = keywords.pop("output_gradients" if tape else "grad_outputs", None) or \
        (positional[2] if len(positional) > 2 else None)
    names = _names_in(targets)
    if not names or any(key not in _GRADIENT_SETTINGS for key in keywords) or len(positional) > 3:
        return None
    if call.group(2) in ("jacobian", "batch_jacobian") and (len(positional) > 2 or len(names) > 1 or seed is not None):
        return None     # tape.jacobian(y, x, unconnected_gradients): one target, no seed
    seed_at = None
    if seed is not None and (_ones_seed("", 0, seed) != (0, 0) or re.fullmatch(_NAME, seed.strip())):
        begin = head.rfind(seed.strip(), call.end(), k)
        seed_at = (begin, begin + len(seed.strip()))
        seed = f"{'output_gradients' if tape else 'grad_outputs'}={seed.strip()}"
    else:
        seed = None
    listed = _names_in(sources)
    picked = [int(index) for index in re.findall(r"\[[ \t]*(\d+)", head[k:after.end()])]
    if listed and picked and picked[0] < len(listed):     # torch.autograd.grad(y, [a, b])[1]: ∂y/∂b
        listed = [listed[picked[0]]]
    called = f"{call.group(1)}.{call.group(2)}" if tape else "torch.autograd.grad"
    output = names[0] if len(names) == 1 else tuple(names)
    asked = f"{called}({targets.strip()}, …)"
    return _Question(output, tuple(listed) if listed else None, re.findall(_NAME, lhs.group(1)) if lhs else (),
                     seed, asked, call.start(), head[call.start():k], seed_at, call.group(2) or "gradient")


_VARIABLE = re.compile(r"(?:tf\.(?:compat\.v1\.)?)?(?:Variable|get_variable)[ \t]*\(")


def _unwatched(text: str, tapes: list, sources, at: int) -> dict[str, str]:
    """The tape.gradient sources the tape does not watch, for which TensorFlow gives None, and why: a
    value made before the tape that is not a trainable tf.Variable (a tf.constant, Variable(…,
    trainable=False), tf.Variable(2.0) + 1.0) and that no tape.watch(…) names. A value computed inside
    the tape is recorded, and watched."""
    found = {}
    for name in sources:
        if re.search(rf"\.watch[ \t]*\([ \t]*{re.escape(name)}[ \t]*\)", text[:at]):
            continue
        made = list(re.finditer(rf"(?m)^[ \t]*(?:{_NAME}[ \t]*,[ \t]*)*{re.escape(name)}[ \t]*(?:,[ \t]*{_NAME}[ \t]*)*"
                                rf"=(?!=)[ \t]*", text[:at]))
        if not made or any(low <= made[-1].end() < high for low, high in tapes):
            continue
        value = text[made[-1].end():at]
        targets = [target.strip() for target in made[-1].group().rstrip(" \t=").split(",")]
        if len(targets) > 1:     # c1, c2 = tf.constant(5.), tf.constant(3.): c2's value is the second
            items = _split_arguments(value.split("\n", 1)[0].split("#")[0])
            if len(items) != len(targets):
                continue
            value = items[targets.index(name)].strip() + "\n"
        call = _VARIABLE.match(value)
        closed = _bracket_end(value, call.end() - 1) if call else None
        if closed is not None and not value[closed + 1:].split("\n", 1)[0].split("#")[0].strip():
            if not re.search(r"trainable[ \t]*=[ \t]*False", value[:closed]):
                continue
            found[name] = "a tf.Variable made with trainable=False"
        else:
            line = value.split("\n", 1)[0].split("#")[0].strip()
            found[name] = "a tf.constant" if line.startswith(("tf.constant", "constant")) else \
                f"{_short_text(line)}, computed before the tape, is no tf.Variable"
    return found


def _bracket_end(text: str, opened: int) -> int | None:
    """Where the bracket opened at `opened` closes, or None."""
    depth = 0
    for k in range(opened, len(text)):
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(text[k], 0)
        if depth == 0:
            return k
    return None


def _names_in(text: str) -> list[str] | None:
    """The names of y, [y0, y1], (y0, y1) or {'y0': y0, 'y1': y1}; None for anything else."""
    text = text.strip()
    if re.fullmatch(_NAME, text):
        return [text]
    bracket = re.fullmatch(r"[\[(](.*)[\])]", text, re.S)
    if bracket:
        items = [item.strip() for item in bracket.group(1).split(",") if item.strip()]
        return items if items and all(re.fullmatch(_NAME, item) for item in items) else None
    brace = re.fullmatch(r"\{(.*)\}", text, re.S)
    if brace:
        items = [re.fullmatch(rf"(?:'[^'\n]*'|\"[^\"\n]*\")[ \t]*:[ \t]*({_NAME})", item.strip())
                 for item in brace.group(1).split(",") if item.strip()]
        return [item.group(1) for item in items] if items and all(items) else None
    return None


def _split_arguments(text: str) -> list[str]:
    """A call's arguments: text split at its commas outside brackets."""
    parts, depth, begin = [], 0, 0
    for k, char in enumerate(text):
        depth += {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(text[begin:k].strip())
            begin = k + 1
    if text[begin:].strip():
        parts.append(text[begin:].strip())
    return parts


_INPLACE = re.compile(r"(?:^|,)[ \t]*inplace[ \t]*=[ \t]*(?:True|False)[ \t]*")


def _settings(written: str) -> bool:
    """Whether an object's settings change what it computes: all but inplace=True (the same numbers)."""
    return bool(_INPLACE.sub("", written).strip(" \t,"))


def _top_level_comma(text: str) -> bool:
    """Whether text has a comma outside brackets: print(a, b) shows two values, print(f(3.0, 2.0)) one."""
    depth = 0
    for char in text:
        depth += {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}.get(char, 0)
        if char == "," and depth == 0:
            return True
    return False


def _ones_seed(text, at, written):
    """Where the seed of backward(written) is made, (start, end), when it is all ones, as the default
    seed is; (0, 0) when the ones are written in the call; None when the seed is anything else."""
    match = _SEED.match(written)
    if match is None:
        return None
    seed, line = match.group(1).strip(), (0, 0)
    if re.fullmatch(_NAME, seed):
        made = list(re.finditer(rf"(?m)^[ \t]*{seed}[ \t]*=[ \t]*([^\n#]*?)[ \t]*(?:#[^\n]*)?$", text[:at]))
        made = made[-1] if made else None      # the last assignment before backward(…)
        if made is None:
            return None
        seed, line = made.group(1), (made.start() + len(made.group()) - len(made.group().lstrip()), made.end())
    ones = _ONES.match(seed)
    if ones is None:
        return None
    if ones.group(1) is not None:
        numbers = re.findall(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", ones.group(1))
        if not numbers or any(float(n) != 1.0 for n in numbers) or \
                re.sub(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[\s\[\],]|dtype[ \t]*=[ \t]*[\w.]+", "", ones.group(1)):
            return None
    return line


def _unpack(chars, at, head):
    """x, y = 3.0, 4.0 rewritten in place as x = 3.0; y = 4.0 (padded to the same length, so every
    caret after it holds), when the values are as many as the names and read none of them."""
    match = _UNPACK.fullmatch(head)
    if match is None:
        return
    names = [name.strip() for name in match.group(1).split(",")]
    values, depth, begin, right = [], 0, 0, match.group(2)
    for k, char in enumerate(right):
        depth += {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}.get(char, 0)
        if char == "," and depth == 0:
            values.append(right[begin:k].strip())
            begin = k + 1
    values.append(right[begin:].strip())
    if len(values) != len(names) or not all(values) or \
            any(re.search(rf"(?<![\w.]){name}\b", value) for name in names for value in values):
        return
    written = "; ".join(f"{name}={value}" for name, value in zip(names, values))
    if len(written) > len(head):    # a,b=c,d written tight: tight again
        written = ";".join(f"{name}={value}" for name, value in zip(names, values))
    if len(written) <= len(head) and "\n" not in head:
        chars[at:at + len(head)] = written.ljust(len(head))


# @jax.custom_jvp, f.defjvp(…), @f.defvjp: a derivative rule of the program's own, which JAX uses
_CUSTOM_RULE = re.compile(rf"@[ \t]*(?:jax\.)?custom_(?:jvp|vjp)\b|(?<![\w.])(?:jax\.)?custom_(?:jvp|vjp)[ \t]*\("
                          rf"|(?<![\w.]){_NAME}\.def(?:jvp|jvps|vjp)\b")
# JAX's forward and pullback transforms: jvp with primals and tangents, vjp, linearize
_JVP = re.compile(r"(?<![\w.])(?:jax\.)?(jvp|vjp|linearize)[ \t]*\(")


# JAX's maps, loops and branches over functions: read by none of gradcalc's rules
_JAX_UNREAD = re.compile(r"(?<![\w.])(?:jax\.)?(vmap|pmap|lax\.(?:fori_loop|scan|while_loop|cond|switch|map)|"
                         r"tree_util\.tree_map|tree_map)[ \t]*\(")


# a cheap first look for the words of JAX's transforms, maps and loops (most lines have none)
_JAX_WORDS = re.compile(r"grad|jac|hessian|jvp|vjp|hvp|vhp|linearize|map|loop|scan|cond|switch")


def _jax_unread(match, start):
    kind = match.group(1).rsplit(".", 1)[-1]
    what, hint = {
        "vmap": ("maps a function over its argument's leading axis",
                 "paste the function applied to one row, f(x[0]), and run gradcalc once a row"),
        "cond": ("chooses a function by a condition", "write the choice as one expression, jnp.where(pred, "
                                                      "true_fun(x), false_fun(x))"),
        "tree_map": ("applies a function to every array of a tree", "write the function applied to each array"),
    }.get({"pmap": "vmap", "map": "vmap", "switch": "cond", "tree_map": "tree_map"}.get(kind, kind),
          ("is a loop", "write what the loop computes as one formula, or paste one step"))
    return _error(f"{match.group().rstrip('( ')} {what}, which gradcalc does not read", start + match.start(),
                  len(match.group().rstrip("( ")), hint)


def _custom_rule(match, at):
    return _error(f"{match.group().rstrip('( ')} gives the function a derivative rule of its own, which JAX uses "
                  f"and gradcalc does not read: gradcalc differentiates the function's formula", at + match.start(),
                  len(match.group().rstrip("( ")),
                  "if the rule is the exact derivative of the formula (as a rule written for numerical stability "
                  "is), remove the @custom_jvp/@custom_vjp line and the rule's lines: gradcalc then differentiates "
                  "the body, the same numbers; a rule that differs is not the formula's gradient")


def _jvp_error(code, match, start, text):
    """jax.jvp, jax.vjp and jax.linearize refused with what computes the same: f(x + t·v) by t at
    t = 0 is the JVP (and linearize's f_jvp(v)); --upstream V gives the VJP, vᵀ·J."""
    kind = match.group(1)
    close = _closing_text(code, match.end() - 1)
    parts = _split_arguments(code[match.end():close]) if close is not None else []
    t = next(name for name in ("t", "s", "eps", "t_") if not re.search(rf"(?<![\w.]){name}\b", text))
    function = parts[0] if parts else "f"

    def items(written):
        inner = re.fullmatch(r"[\[(](.*)[\])]", written.strip(), re.S)
        return _split_arguments(inner.group(1)) if inner else [written.strip()]
    if kind == "jvp" and len(parts) == 3 and len(items(parts[1])) == len(items(parts[2])):
        moved = ", ".join(f"{p} + {t}*{v}" for p, v in zip(items(parts[1]), items(parts[2])))
        hint = (f"the tangent is the derivative of {function}({moved}) by {t} at {t} = 0: paste that with --{t} 0, "
                f"and gradcalc's ∂/∂{t} is the tangent jax.jvp returns, its value the primal")
    elif kind == "linearize" and len(parts) >= 2:
        moved = ", ".join(f"{p} + {t}*v{k if len(parts) > 2 else ''}" for k, p in enumerate(parts[1:]))
        hint = (f"f_jvp(v) is the derivative of {function}({moved}) by {t} at {t} = 0: paste that with --{t} 0 and "
                f"v's value, and gradcalc's ∂/∂{t} is what f_jvp(v) returns")
    else:
        hint = (f"paste {function}({', '.join(parts[1:]) or 'x'}) and give the cotangent passed to the vjp function "
                f"as --upstream V (shaped like the output): gradcalc's gradients are then what it returns, Vᵀ·J; "
                f"for a function of several outputs paste Σ vᵢ·outputᵢ instead, whose gradients are the same")
    what = {"jvp": "a Jacobian-vector product (f's derivative along a direction)",
            "vjp": "a vector-Jacobian product (a pullback of the output's cotangent)",
            "linearize": "f's linear map at a point (its Jacobian-vector products)"}[kind]
    return _error(f"jax.{kind} computes {what}, which gradcalc does not read from the call", start + match.start(),
                  len(match.group().rstrip("( ")), hint)


def _unjit(chars, start, code):
    """jax.jit(jax.grad(f))(x) read as jax.grad(f)(x): jit changes no value. The statement's code
    after it."""
    for wrap in _JIT_WRAP.finditer(code):
        depth, k = 1, wrap.end()
        while k < len(code) and depth:
            depth += {"(": 1, ")": -1}.get(code[k], 0)
            k += 1
        if depth == 0 and code[k:].lstrip().startswith("("):
            _blank(chars, start + wrap.start(), start + wrap.end())
            _blank(chars, start + k - 1, start + k)
    return "".join(chars[start:start + len(code)])


def _transforms(chars, start, code, derived, skipped, transformed, bound=()):
    """jit(f)(x) in the statement at start becomes f(x). A transform of a transform, jax.hessian, and
    jax.grad(f)(x) (or g(x) with g = jax.grad(f)) inside a formula are refused: gradcalc shows a
    gradient, and computes nothing with one (a statement asking one alone is read by _ask)."""
    nested = _NESTED.search(code)
    if nested:
        _higher(nested.group(), "", derived, start + nested.start())
    hessian = _HESSIAN.search(code)
    if hessian:
        raise _error(f"{hessian.group()[:-1].strip()} asks for second derivatives, which a pasted program is not "
                     f"read for", start + hessian.start(), len(hessian.group().rstrip("( \t")),
                     "paste the function's formula and add --hessian (or --order K for dᴷz/dxᴷ)")
    code = _unjit(chars, start, code)
    for match in _TRANSFORM.finditer(code):
        if not code[match.end():].lstrip().startswith("("):
            continue
        if not match.group(1).lstrip().startswith(("jit", "jax.jit")):
            raise _inside_formula(match.group(1).strip(), start + match.start(1))
        _higher(match.group(1), match.group(2), derived, start + match.start(1))
        _blank(chars, start + match.start(1), start + match.end(1))
        chars[start + match.start(1):start + match.start(1) + len(match.group(2))] = match.group(2)
        if "." in match.group(2):
            transformed.add(start + match.start(1))
        skipped["grad"] = skipped.get("grad", 0) + 1
    if bound:
        called = re.search(rf"(?<![\w.])({'|'.join(map(re.escape, bound))})[ \t]*\(", code)
        if called:
            raise _inside_formula(called.group(1), start + called.start())


def _inside_formula(written, at):
    return _error(f"{written}(…) is used inside a formula: JAX computes with the gradient there, while "
                  f"gradcalc shows a gradient and computes nothing with it", at, len(written),
                  f"write the call on a line of its own (g = {written}(…)): gradcalc shows the function's value "
                  f"and that gradient")


def _higher(written, name, derived, at):
    """Refuse grad(grad(f)) and grad(g) where g = grad(f): a higher derivative, not f's gradient."""
    if written.lstrip().startswith(("jit", "jax.jit")):
        return
    if not name or name in derived:
        raise _error(f"{written.strip()} asks for a higher derivative, which a pasted program is not read for",
                     at, len(written.strip()),
                     "gradcalc reads grad(f)(x) as f's value and first derivatives; for higher ones paste f's "
                     "formula and add --order K (dᴷz/dxᴷ) or --hessian")


# -- JAX's transforms asked at a statement ----------------------------------------------------------------
# dfdx = jax.grad(f, argnums=1)(x, y), W_grad, b_grad = grad(loss, (0, 1))(W, b), value, g =
# value_and_grad(f)(x), print(jacrev(f)(W)), or g(x) with g = jax.grad(f): JAX's answer is a gradient
# (and the value, for value_and_grad), which gradcalc shows as f's value at the arguments with the
# gradients asked (argnums, 0 by default as in JAX); the names the statement binds hold what JAX returns.
_JAX_OPEN = re.compile(r"(?:(?:jax|torch\.func|functorch)\.)?(grad|value_and_grad|jacrev|jacfwd|jacobian|hessian)[ \t]*\(")
_JAX_INSIDE = re.compile(rf"(?<![\w.]){_JAX_OPEN.pattern}")
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
# a value written in the call (a number, a list of numbers, or one in an array call), which becomes the
# input named by the function's parameter
_NUMBERS = r"\[[-+\d.eE,\s\[\]]*\]"
_WRITTEN = re.compile(rf"{_NUMBER}|{_NUMBERS}|(?:{_DOTTED}\.)?(?:array|asarray)\([ \t]*{_NUMBERS}[ \t]*\)"
                      r"|(?:[A-Za-z_][\w.]*\.)?(?:arange|linspace|ones|zeros)\([-+\d.eE, \t()]*\)")


class _Transform:
    """jax.grad(f, argnums=1, has_aux=True) as written: its kind, function, argnums and has_aux."""

    __slots__ = ("kind", "function", "indices", "tupled", "aux", "written", "lam", "order", "along")

    def __init__(self, kind, function, indices, tupled, aux, written, lam=None, order=1):
        self.kind, self.function, self.indices, self.tupled = kind, function, indices, tupled
        self.aux, self.written = aux, written
        self.lam = lam      # grad(lambda x: …): (its parameters, where its body starts and ends in `written`)
        # grad(grad(f)): 2, the order of the derivative of f a "grad" asks (one scalar argument);
        # jax.hessian(f), jacfwd(jacrev(f)), jacfwd(grad(f)) are the kind "hessian"
        self.order = order
        # jvp's tangents, one per argument, and torch's vjp's cotangent, as written (a name or a value)
        self.along: list[str] | None = None


def _composed(outer: _Transform, inner: _Transform | None, written: str) -> _Transform | None:
    """A transform of a transform, as one: grad of grad(f) (or of grad(grad(f))) is f's next derivative
    by the same argument, jacfwd/jacrev of grad(f) or jacrev(f) f's Hessian; None for any other (refused
    as a higher derivative where it stands)."""
    # the outer transform differentiates by the argument its argnums picks (0): the inner one's too, else
    # grad(grad(f, argnums=1)) would be ∂²f/∂x∂y, a mixed derivative --order does not give
    if inner is None or inner.aux or inner.lam or outer.aux or outer.tupled or outer.indices != [0] \
            or inner.indices != [0]:
        return None
    if outer.kind == "grad" and inner.kind == "grad" and not inner.tupled:
        return _Transform("grad", inner.function, inner.indices, False, False, written, order=inner.order + 1)
    if outer.kind in ("jacfwd", "jacrev") and inner.kind in ("grad", "jacfwd", "jacrev") and inner.order == 1:
        return _Transform("hessian", inner.function, inner.indices, inner.tupled, False, written)
    return None


def _transform(written: str, at: int) -> _Transform | None:
    """The transform written as `written` (jax.grad(f, 1)), or None when it is not one read here (a
    lambda, a transform of a transform: refused where those are)."""
    opened = _JAX_OPEN.match(written)
    parts = _split_arguments(written[opened.end():-1])
    lam = re.compile(r"[ \t]*lambda\b([^:]*):[ \t]*").match(written, opened.end())
    if lam:       # grad(lambda x: y(x).sum()): its body, up to the comma before the settings
        body = _split_arguments(written[lam.end():-1])
        params = [p.strip() for p in lam.group(1).split(",") if p.strip()]
        if not body or opened.group(1) != "grad" or not all(re.fullmatch(_NAME, p) for p in params):
            return None
        parts = ["lambda"] + body[1:]
        lam = (params, lam.end(), lam.end() + len(body[0]))
    elif parts and _JAX_OPEN.match(parts[0]) and _closing_text(parts[0], _JAX_OPEN.match(parts[0]).end() - 1) \
            == len(parts[0]) - 1:     # grad(grad(f)), jacfwd(jacrev(f)): one transform, a higher derivative
        kind = {"jacobian": "jacrev"}.get(opened.group(1), opened.group(1))
        if len(parts) > 1 or kind in ("value_and_grad", "hessian"):
            return None
        return _composed(_Transform(kind, "", [0], False, False, written), _transform(parts[0], at), written)
    elif not parts or not re.fullmatch(rf"{_NAME}(?:\.{_NAME})*", parts[0]):
        return None
    indices, tupled, aux = [0], False, False
    for k, part in enumerate(parts[1:]):
        keyword = re.match(rf"({_NAME})[ \t]*=(?!=)[ \t]*", part)
        name, value = (keyword.group(1), part[keyword.end():].strip()) if keyword else \
            (("argnums", "has_aux")[k] if k < 2 else "", part.strip())
        if name == "argnums":
            numbers = re.findall(r"-?\d+", value)
            if not numbers or re.sub(r"[-\d\s(),\[\]]", "", value) or \
                    not re.fullmatch(r"-?\d+|[(\[][-\d\s,]*[)\]]", value):
                raise _error(f"argnums={value} is not read", at, len(written),
                             "write argnums as a number or a tuple of numbers: argnums=(0, 1)")
            indices, tupled = [int(n) for n in numbers], not re.fullmatch(r"-?\d+", value)
        elif name == "has_aux" and value in ("True", "False"):
            aux = value == "True"
        elif not (name in ("holomorphic", "allow_int") and value == "False" or name == "reduce_axes" and value == "()"):
            raise _error(f"{written[:opened.end() - 1].strip()}'s setting {part.strip()} is not read", at, len(written),
                         "leave it out if it changes nothing, or paste the function's formula with --x VALUE")
    if lam and aux:
        return None
    return _Transform({"jacobian": "jacrev"}.get(opened.group(1), opened.group(1)), parts[0], indices, tupled, aux,
                      written, lam)


class _Asked:
    """A statement that asks a transform: `targets = [print(] callee(args) [)]`, places within the
    statement's text."""

    __slots__ = ("transform", "targets", "tupled", "args", "callee", "open", "close", "bound", "inside")

    def __init__(self, transform, targets, tupled, args, callee, open, close, bound):
        self.transform, self.targets, self.tupled, self.args = transform, targets, tupled, args
        self.callee, self.open, self.close, self.bound = callee, open, close, bound
        # the text from callee to close as f's own call, where the statement wrote it otherwise
        # (torch.autograd.functional.jacobian(f, (x, y)) → f(  x, y )); None: as written
        self.inside = None


def _bound_names(lhs: str) -> tuple[list, bool] | None:
    """The names an assignment binds: ([name or [names]], whether it unpacks) for `g`, `a, b`,
    `[a, b]`, `(value, aux), grads`, `g,`; None for anything else (x[0] = …, a.b = …)."""
    lhs = lhs.strip()
    whole = re.fullmatch(r"[\[(](.*)[\])]", lhs, re.S)
    if whole and not re.search(r"[\])][ \t]*,", lhs):
        lhs = whole.group(1).strip()
    if re.fullmatch(_NAME, lhs):
        return [lhs], False
    items = []
    for item in _split_arguments(lhs):
        inner = re.fullmatch(r"[\[(](.*)[\])]", item, re.S)
        names = [name.strip() for name in inner.group(1).split(",") if name.strip()] if inner else None
        if re.fullmatch(_NAME, item):
            items.append(item)
        elif names and all(re.fullmatch(_NAME, name) for name in names):
            items.append(names)
        else:
            return None
    return (items, True) if items else None


def _assignment(head: str) -> int | None:
    """Where the `=` of an assignment is in the statement (outside brackets, not ==, <=, += …)."""
    depth = 0
    for k, char in enumerate(head):
        depth += {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}.get(char, 0)
        if char == "=" and depth == 0 and head[k + 1:k + 2] != "=" and head[k - 1:k] not in set("=<>!+-*/%@&|^:"):
            return k
        if char in "'\"":
            return None
    return None


def _asked(head: str, bound: dict, at: int, text: str = "") -> _Asked | None:
    """The transform a statement asks, standing as its whole value (alone, assigned or printed), or None."""
    eq = _assignment(head)
    targets, tupled, begin = None, False, 0
    if eq is not None:
        found = _bound_names(head[:eq])
        if found is None:
            return None
        targets, tupled = found
        begin = eq + 1
    rest_at = begin + len(head[begin:]) - len(head[begin:].lstrip())
    end = len(head.rstrip())
    printed = _PRINT.match(head, rest_at)
    if printed and targets is None and head[end - 1] == ")":
        rest_at, end = printed.end() + len(head[printed.end():]) - len(head[printed.end():].lstrip()), end - 1
        end = len(head[:end].rstrip())
        shown = _split_arguments(head[rest_at:end])
        called = [a for a in shown if not re.fullmatch(r"[rRbBfFuU]?(?:'[^'\n]*'|\"[^\"\n]*\")", a)]
        if len(shown) > 1 and len(called) == 1:     # print('W_grad', grad(loss)(W, b)): a label and the question
            rest_at = head.index(called[0], rest_at)
            end = rest_at + len(called[0])
    functional = _FUNCTIONAL.match(head, rest_at)
    asked = _functional_asked(functional, head, targets, tupled, rest_at, end, text) if functional else None
    if asked is not None:
        return asked
    opened = _JAX_OPEN.match(head, rest_at)
    name = re.compile(rf"({_NAME})[ \t]*\(").match(head, rest_at)
    if opened:
        shut = _closing_text(head, opened.end() - 1)
        if shut is None:
            return None
        transform = _transform(head[rest_at:shut + 1], at + rest_at)
        if transform is not None and transform.function in bound:     # grad(g) with g = grad(f): f''
            transform = _composed(transform, bound[transform.function], transform.written)
        if transform is None:
            return None
        call_open = shut + 1 + len(head[shut + 1:]) - len(head[shut + 1:].lstrip())
        is_bound = False
    elif name and name.group(1) in bound:
        transform, call_open, is_bound = bound[name.group(1)], name.end() - 1, True
    else:
        return None
    if head[call_open:call_open + 1] != "(":
        return None
    close = _closing_text(head, call_open)
    if close is None or head[close + 1:end].strip() and \
            not re.fullmatch(r"(?:[ \t]*\.(?:item|block_until_ready|tolist)[ \t]*\([ \t]*\))+[ \t]*", head[close + 1:end]):
        return None     # .item(), .block_until_ready(): the same numbers
    return _Asked(transform, targets, tupled, _split_arguments(head[call_open + 1:close]), rest_at, call_open, close,
                  is_bound)


def _pulled(head: str, pullbacks: dict) -> tuple[str, str] | None:
    """A statement whose value is f_jvp(v) or f_vjp(v)[0] (alone, assigned or printed), the function bound by
    jax.linearize or jax.vjp: (its name, what it is given as written); None for any other statement."""
    match = re.fullmatch(rf"(?:[\[(]?[ \t]*{_NAME}(?:[ \t]*,[ \t]*{_NAME})*[ \t]*,?[ \t]*[\])]?[ \t]*=(?!=)[ \t]*)?"
                         rf"(print[ \t]*\([ \t]*)?({'|'.join(map(re.escape, pullbacks))})[ \t]*\((.*?)\)"
                         rf"(?:[ \t]*\[[ \t]*0[ \t]*\])?[ \t]*(\))?[ \t]*", head.rstrip(), re.S)
    if match is None or bool(match.group(1)) != bool(match.group(4)) or _closing_text(
            head, head.index("(", match.start(2))) != match.end(3):
        return None
    return match.group(2), match.group(3)


# SymPy: x, y = sp.symbols('x y') (or Symbol('x')) makes names, the inputs gradcalc is given values of
_SYMBOLS = re.compile(rf"{_NAME}(?:[ \t]*,[ \t]*{_NAME})*[ \t]*,?[ \t]*=[ \t]*(?:(?:sp|sympy)\.)?(?:symbols|Symbol)"
                      rf"[ \t]*\([ \t]*(?:'[^'\n]*'|\"[^\"\n]*\")[ \t]*(?:,[ \t]*{_NAME}[ \t]*=[ \t]*\w+[ \t]*)*\)$")
# diff(expr, x, x), sp.diff(expr, x, 3), Derivative(expr, x).doit(), expr.diff(x): the derivative SymPy returns
_SYMPY_DIFF = re.compile(r"(?:(?:sp|sympy)\.)?(diff|Derivative)[ \t]*\(")


def _sympy_question(head: str, at: int):
    """A statement whose value is SymPy's derivative of an expression, alone, assigned or printed:
    (where its value starts and ends, where the expression starts and ends, the names differentiated by in
    order, the order); None for any other statement. More than two names, or an order past 2 by two names (a
    mixed partial derivative of higher order) is refused."""
    eq = _assignment(head)
    start = 0 if eq is None else eq + 1
    start += len(head[start:]) - len(head[start:].lstrip())
    end = len(head.rstrip())
    printed = _PRINT.match(head, start)
    if printed and head[end - 1] == ")":
        start, end = printed.end(), end - 1
        start += len(head[start:end]) - len(head[start:end].lstrip())
        end = len(head[:end].rstrip())
    doit = re.search(r"\.doit[ \t]*\([ \t]*\)$", head[:end])
    called = _SYMPY_DIFF.match(head, start)
    if called:
        close = _closing_text(head, called.end() - 1)
        if close is None or head[close + 1:end].strip() not in ("", doit.group() if doit else ""):
            return None
        parts = _split_arguments(head[called.end():close])
        if len(parts) < 2:
            return None
        expr_at = head.index(parts[0].strip(), called.end())
        expr_end, written = expr_at + len(parts[0].strip()), parts[1:]
    else:
        method = re.search(r"\.diff[ \t]*\(", head[start:end])
        close = _closing_text(head, start + method.end() - 1) if method else None
        if close is None or head[close + 1:end].strip():
            return None
        expr_at, expr_end = start, start + method.start()
        written = _split_arguments(head[start + method.end():close])
    names: list[str] = []
    for part in (part.strip() for part in written):
        if re.fullmatch(_NAME, part):
            names.append(part)
        elif re.fullmatch(r"\d+", part) and names:
            names += [names[-1]] * (int(part) - 1)
        elif re.fullmatch(rf"\([ \t]*{_NAME}[ \t]*,[ \t]*\d+[ \t]*\)", part):      # diff(f, (x, 3))
            name, count = re.findall(r"\w+", part)
            names += [name] * int(count)
        else:
            return None
    if not names or not head[expr_at:expr_end].strip():
        return None
    if len(set(names)) > 1 and len(names) > 2:
        raise _error(f"{head[start:end].strip()} is a mixed partial derivative of order {len(names)}, which gradcalc "
                     f"does not compute", at + start, end - start,
                     "gradcalc gives the first derivatives, --hessian the second ones (∂²/∂x∂y too), and --order K "
                     "the K-th by one variable")
    if len(names) > 100:
        raise _error(f"{head[start:end].strip()} asks the derivative of order {len(names)}: gradcalc computes up to "
                     f"100", at + start, end - start, "ask for order 100 or less")
    return start, end, expr_at, expr_end, names, len(names)


# torch.autograd.functional.jacobian(f, inputs) and hessian(f, inputs): f's Jacobian or Hessian at the
# inputs (a tensor, or a tuple of them: one block each), the same question as jax.jacrev(f, argnums=(0, …))
_FUNCTIONAL = re.compile(r"(?:(?:torch\.)?autograd\.functional\.|jax\.)?(jacobian|hessian|jvp|vjp|hvp|vhp|linearize)[ \t]*\(")
# settings that change no number: create_graph (a graph kept for later), strict (an error instead of zeros
# for an output that does not depend on an input), vectorize and strategy (how, not what)
_FUNCTIONAL_SETTINGS = ("create_graph", "strict", "vectorize", "strategy", "outer_jacobian_strategy")


def _functional_asked(functional, head: str, targets, tupled: bool, rest_at: int, end: int, text: str) -> _Asked | None:
    """torch.autograd.functional.jacobian(f, (x, y)) as jacrev(f, argnums=(0, 1))(x, y): an _Asked whose call
    is f's own, the function's name and the inputs where they are written (the brackets in between moved)."""
    close = _closing_text(head, functional.end() - 1)
    if close is None or head[close + 1:end].strip():
        return None
    parts = _split_arguments(head[functional.end():close])
    kind = {"jacobian": "jacrev", "vhp": "hvp"}.get(functional.group(1), functional.group(1))
    torch = "jax." not in functional.group() and (functional.group().startswith(("torch", "autograd")) or
                                                  re.search(r"(?<![\w.])torch\.", text) is not None)
    if kind == "linearize" or kind == "vjp" and not torch:
        # y, f_jvp = jax.linearize(f, x) and y, f_vjp = jax.vjp(f, x): f's value and a function, called later
        # with a tangent (f_jvp(v): J·v) or a cotangent (f_vjp(v): vᵀ·J); f(x) here, the calls read by _pulled
        if not tupled or len(targets or ()) != 2 or not all(isinstance(t, str) for t in targets) or \
                not all(re.fullmatch(_NAME, a.strip()) or _WRITTEN.fullmatch(a.strip()) for a in parts[1:]):
            return None
        parts = [parts[0], "(" + ", ".join(parts[1:]) + ")"]
        kind = "linearize" if kind == "linearize" else "pullback"
    if kind == "hvp" and not torch:
        return None
    along = parts[2].strip() if kind in ("jvp", "vjp", "hvp") and len(parts) > 2 and "=" not in parts[2] else None
    settings = parts[3 if along is not None else 2:]
    if len(parts) < 2 or not re.fullmatch(rf"{_NAME}(?:\.{_NAME})*", parts[0].strip()) or any(
            not re.match(rf"(?:{'|'.join(_FUNCTIONAL_SETTINGS)})[ \t]*=(?!=)", part.strip()) for part in settings) \
            or kind in ("jvp", "hvp") and along is None:
        return None
    inputs = parts[1].strip()
    whole = re.fullmatch(r"\((.*)\)", inputs, re.S)
    args = [a.strip() for a in _split_arguments(whole.group(1))] if whole else [inputs]
    numbers = kind in ("jvp", "linearize", "pullback") and not torch    # jax.jvp(jnp.sin, (0.1,), (0.2,)): values
    if not args or not all(re.fullmatch(_NAME, a) or numbers and _WRITTEN.fullmatch(a) for a in args):
        return None
    directions = None
    if along is not None:       # the tangents (jvp) or the cotangent (vjp), one per input or output
        inner = re.fullmatch(r"\((.*)\)", along, re.S)
        directions = [a.strip() for a in _split_arguments(inner.group(1))] if inner else [along]
        if kind in ("jvp", "hvp") and len(directions) != len(args) or kind == "vjp" and len(directions) != 1 or not all(
                re.fullmatch(_NAME, d) or _WRITTEN.fullmatch(d) for d in directions):
            return None
    function = parts[0].strip()
    transform = _Transform(kind, function, list(range(len(args))), bool(whole), False, head[rest_at:close + 1])
    transform.along = directions
    callee = head.index(parts[0].strip(), functional.end())
    first = head.index(args[0], callee + len(parts[0].strip()))
    last = head.index(args[-1], first) + len(args[-1])
    # f(x, y) written over the call: the comma after f becomes its "(", what follows the inputs blank up to ")"
    comma = head.index(",", callee)
    asked = _Asked(transform, targets, tupled, args, callee, comma, close, False)
    asked.inside = head[callee:comma] + "(" + " " * (first - comma - 1) + head[first:last] + " " * (close - last) + ")"
    return asked


def _closing_text(text: str, k: int) -> int | None:
    """Where the bracket opened at text[k] closes, or None."""
    depth = 0
    for j in range(k, len(text)):
        depth += {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}.get(text[j], 0)
        if depth == 0:
            return j
    return None


def _parameters(text: str, function: str) -> list[str]:
    """The parameters of a function the program defines (def or lambda), in order; a library
    function's one parameter is x (jax.grad(jnp.sin)(1.0) differentiates by x)."""
    if "." in function:
        return ["x"]
    head = re.search(rf"(?m)^[ \t]*def[ \t]+{re.escape(function)}[ \t]*\(([^)]*)\)"
                     rf"|(?<![\w.]){re.escape(function)}[ \t]*=[ \t]*lambda\b([^:]*):", text)
    written = (head.group(1) if head.group(1) is not None else head.group(2)) if head else ""
    return [p.split("=")[0].split(":")[0].strip() for p in written.split(",") if p.strip()]


def _used_inside_functions(text: str, name: str) -> str | None:
    """The function (def or lambda) whose body reads `name` other than as its parameter, or None: JAX
    differentiates by the argument passed, and such a body would read the same value another way."""
    word = re.compile(rf"(?<![\w.]){re.escape(name)}\b")
    lines = text.split("\n")
    header = re.compile(rf"([ \t]*)def[ \t]+({_NAME})[ \t]*\(([^)]*)\)[^:\n]*:([^\n]*)$")
    for number, line in enumerate(lines):
        match = header.match(line) if "def" in line else None
        if match is None:
            continue
        body, indent, below = [match.group(4)], len(match.group(1)), number + 1
        while below < len(lines) and (not lines[below].strip() or         # the lines indented below it
                                      len(lines[below]) - len(lines[below].lstrip(" \t")) > indent):
            body.append(lines[below])
            below += 1
        params = [p.split("=")[0].split(":")[0].strip().lstrip("*") for p in match.group(3).split(",")]
        joined = "\n".join(body)
        if name not in params and word.search(joined) and word.search(_uncommented(joined, 0, len(joined))):
            return match.group(2)
    for match in re.finditer(rf"(?:({_NAME})[ \t]*=[ \t]*)?lambda\b([^:\n]*):([^\n]*)", text):
        params = [p.split("=")[0].strip() for p in match.group(2).split(",")]
        if name not in params and word.search(match.group(3)):
            return match.group(1) or "a lambda"
    return None


def _reads(text: str, before: int, written: str) -> set[str]:
    """The names `written` reads, with those the assignments before `before` computed them from."""
    seen, todo = set(), re.findall(rf"(?<![\w.]){_NAME}", written)
    assigned = {}
    for match in re.finditer(rf"(?m)^[ \t]*({_NAME})[ \t]*=(?!=)([^\n#]*)", text[:before]):
        assigned.setdefault(match.group(1), []).append(match.group(2))
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for right in assigned.get(name, ()):
            todo += re.findall(rf"(?<![\w.]){_NAME}", right)
    return seen


class _JaxAsking:
    """What the statements asking JAX's transforms have asked so far: the one question (function and
    arguments), the inputs differentiated by, the names bound to transforms and to their answers."""

    def __init__(self):
        self.bound: dict[str, _Transform] = {}      # g = jax.grad(f, argnums=1)
        self.held: dict[str, tuple] = {}           # names bound to an answer → (what they hold, from where)
        self.key, self.span, self.names, self.notes, self.output = None, None, [], [], None
        self.jacobians: set[int] = set()
        self.wants: dict = {}        # what the transforms asked beyond a gradient (Program.wants)
        self.seed = None             # torch's vjp(f, x, v): (v, the call), ∂L/∂output as Program.seed
        # y, f_jvp = jax.linearize(f, x), y, f_vjp = jax.vjp(f, x): the function's name → (its kind, the
        # inputs, the call), called later with a tangent or a cotangent
        self.pullbacks: dict[str, tuple] = {}


def _ask(asked: _Asked, state: _JaxAsking, chars, text, at, start, end, derived, transformed, aux, skipped) -> None:
    """Read a statement asking a transform (see _asked): the call becomes f(args), the output f's value
    (named after f when the statement assigns), the gradients reported those argnums picks; the names
    bound hold what JAX returns (a later line computing with them is refused)."""
    transform, args = asked.transform, [a.strip() for a in asked.args]
    written = transform.written.strip()
    function = transform.function
    if asked.inside is not None:
        chars[at + asked.callee:at + asked.close + 1] = asked.inside
    _higher(written, function, derived, at + asked.callee)
    if any(re.match(rf"{_NAME}[ \t]*=(?!=)", a) or a.startswith("*") for a in args):
        raise _error(f"{written}(…) is given a keyword or unpacked argument: JAX differentiates by positional "
                     f"ones", at + asked.open, asked.close - asked.open + 1,
                     f"pass {function}'s arguments in order, each a name or a number")
    if transform.aux and transform.kind in ("jacfwd", "jacrev"):
        raise _error(f"{written} with has_aux=True is not read", at + asked.callee, asked.open - asked.callee,
                     f"for a function of one value write jax.grad({function}, has_aux=True): the same gradient")
    params = transform.lam[0] if transform.lam else _parameters(text, function)
    if transform.lam and args != params:
        raise _error(f"{written}(…) is read when called with the lambda's own parameter names, "
                     f"({', '.join(params)})", at + asked.open, asked.close - asked.open + 1,
                     f"name the lambda first, f = {transform.written[transform.written.index('lambda'):transform.lam[2]]}, "
                     f"and write jax.grad(f)({', '.join(args)})")
    names = []
    for index in transform.indices:
        if not -len(args) <= index < len(args):
            raise _error(f"argnums picks argument {index}, which the call does not have", at + asked.callee,
                         asked.open - asked.callee, f"the call gives {len(args)} arguments: argnums counts them from 0")
        argument = args[index]
        if re.fullmatch(_NAME, argument):
            name = argument
        elif _WRITTEN.fullmatch(argument) and index % len(args) < len(params):
            name = params[index % len(args)]
        elif argument[:1] in "{[(":
            raise _error(f"{written} differentiates {function} by {argument}, a container of arrays (a pytree), "
                         f"which gradcalc does not read", at + asked.open + 1, asked.close - asked.open - 1,
                         f"give {function} one parameter per array (def {function}(W, b): …) and write "
                         f"jax.grad({function}, (0, 1))(W, b)")
        else:
            raise _error(f"{written} differentiates {function} by its argument {argument}, which is not a name",
                         at + asked.open + 1, asked.close - asked.open - 1,
                         f"name it first, a = {argument}, and pass a")
        others = [a for k, a in enumerate(args) if k != index % len(args)]
        depends = next((a for a in others if name in _reads(text, at, a)), None)
        if depends is not None:
            raise _error(f"{written} differentiates {function} by {name} holding its other arguments fixed, but "
                         f"{depends} {'is' if depends == name else 'is computed from'} {name}: gradcalc would "
                         f"differentiate through it too", at + asked.open + 1, asked.close - asked.open - 1,
                         f"give {depends} as a number of its own (its value, not computed from {name})")
        inside = _used_inside_functions(text, name)
        if inside is not None:
            raise _error(f"{inside} reads {name} itself, while {written} differentiates by the argument passed "
                         f"alone: gradcalc would differentiate through both", at + asked.open + 1,
                         asked.close - asked.open - 1,
                         f"pass {name} to {inside} as a parameter, or give the value read there as a number")
        names.append(name)
    key = (function, tuple(re.sub(r"\s+", "", a) for a in args))
    if state.key is not None and state.key != key:
        raise _error(f"{written}({', '.join(args)}) asks a second question ({state.key[0]} at its arguments was "
                     f"the first): gradcalc answers one output a run", at + asked.callee,
                     asked.close + 1 - asked.callee, "keep one of the two lines (run gradcalc once for each)")
    if state.span is not None:           # the same question again (another argnums): asked once, by both
        _blank(chars, *state.span)
        state.notes.pop()
    state.key, state.span = key, (start, end)
    state.names = list(dict.fromkeys(state.names + names))
    out = function.rsplit(".", 1)[-1] if not transform.lam else \
        next(n for n in ("y", "f", "z", "out", "value") if not re.search(rf"(?<![\w.]){n}\b", text))
    value_name, said = _bind(asked, transform, names, out, state, at, end)
    if transform.lam:     # the lambda's body where it is written, its parameters the arguments' own names
        body_start, body_end = at + asked.callee + transform.lam[1], at + asked.callee + transform.lam[2]
        _blank(chars, at, body_start)
        _blank(chars, body_end, at + len(text[at:end].rstrip()))
        chars[at:at + len(out) + 1] = out + "="
        state.output = out
        state.notes.append(said.replace(f"{written}(…)", f"{written[:written.index(':') + 1]} …)(…)"))
        skipped["grad"] = skipped.get("grad", 0) + 1
        return
    # the output named after f (or the name value_and_grad's value is given) where the text has room
    candidates = [value_name] if value_name else [out] * ("." not in function) + ["y", "f", "z", "out"]
    state.output, called_at = None, at + asked.callee
    for candidate in candidates:
        fits = len(candidate) + 1 <= asked.callee or not asked.bound and len(candidate) + 1 + len(function) <= asked.open
        if fits and (candidate in (value_name, out) or not re.search(rf"(?<![\w.]){candidate}\b", text)):
            state.output, called_at = candidate, max(called_at, at + len(candidate) + 1)
            break
    _blank(chars, at, at + asked.open if not asked.bound else at + asked.callee)
    _blank(chars, at + asked.close + 1, at + len(text[at:end].rstrip()))
    if state.output:
        chars[at:at + len(state.output) + 1] = state.output + "="
    if not asked.bound:       # f(args) where the transform stood (a name bound to one is read as f by parse)
        chars[called_at:called_at + len(function)] = function
        if "." in function:
            transformed.add(called_at)
        if transform.aux:
            aux.add(called_at)
    if transform.kind == "hvp":      # torch's hvp(f, x, v) and vhp: H·v, the same numbers (H is symmetric)
        state.wants.setdefault("vectors", []).append(
            {name: ("name" if re.fullmatch(_NAME, t) else "text", t) for name, t in zip(names, transform.along)})
        said += f"; H·v is {out}'s Hessian times " + ", ".join(
            f"{name} = {t}" for name, t in zip(names, transform.along)) + ", shown after the gradient"
    if transform.kind in ("linearize", "pullback"):    # f_jvp(v), f_vjp(v) later: read by _pulled
        state.pullbacks[asked.targets[1]] = (transform.kind, names, written)
        state.held.pop(asked.targets[1], None)
    if transform.kind == "jvp":       # the output's tangent along the tangents given: forward mode (--tangent)
        state.wants.setdefault("tangents", []).append(
            {name: ("name" if re.fullmatch(_NAME, t) else "text", t) for name, t in zip(names, transform.along)})
        said += f"; the tangent is {out}'s along " + ", ".join(
            f"{name} = {t}" for name, t in zip(names, transform.along)) + ", shown after the gradient"
    elif transform.kind == "vjp" and transform.along:     # the cotangent: ∂L/∂output, where the backward pass starts
        if not re.fullmatch(_NAME, transform.along[0]):
            raise _error(f"{written} is given the cotangent {transform.along[0]} written in the call", at + asked.callee,
                         asked.close - asked.callee + 1, f"name it first, v = {transform.along[0]}, and pass v")
        state.seed = (transform.along[0], written)
        said += f"; {transform.along[0]} is ∂L/∂{out}, where the backward pass starts: the gradients are vᵀ·J"
    if transform.kind == "hessian":
        state.wants["hessian"] = written
        said += ", then its Hessian" if said.endswith("value and gradient") else \
            f"; shown as {out}'s value and gradient, then its Hessian"
    elif transform.order > 1:      # grad(grad(f))(x): f's derivatives up to that order (Taylor mode, --order K)
        state.wants["order"] = max(state.wants.get("order", 1), transform.order)
        said += ", then its derivatives up to that order" if said.endswith("value and gradient") else \
            f"; shown as {out}'s value and gradient, then its derivatives up to that order"
    if transform.kind in ("jacfwd", "jacrev"):
        state.wants["jacobian"] = written
        said += (f"; {written.split('(')[0].rsplit('.', 1)[-1]} is {out}'s Jacobian, shown as its table (--jacobian, "
                 f"one row per element of {out}), which for {out}'s one value is this gradient")
    state.notes.append(said)
    skipped["grad"] = skipped.get("grad", 0) + 1


def _said(part) -> str:
    return part if isinstance(part, str) else "(" + ", ".join(map(_said, part)) + ")"


def _bind(asked, transform, names, out, state, at, end):
    """The names the statement binds, as what JAX gives them (held: a later computation with them is
    refused), the name bound to f's value if one is (value_and_grad), and the note saying so."""
    gradient = [f"∂{out}/∂{name}" for name in names] if transform.tupled else f"∂{out}/∂{names[0]}"
    if transform.kind == "hessian":
        gradient = f"the Hessian ∂²{out}/∂{'∂'.join(names)}" if len(names) > 1 else f"the Hessian ∂²{out}/∂{names[0]}²"
    elif transform.order > 1:
        power = str(transform.order).translate(_SUPERSCRIPTS)
        gradient = f"d{power}{out}/d{names[0]}{power}"
    value = f"{out}'s value"
    if transform.kind in ("value_and_grad", "vjp"):     # torch's vjp(f, x, v): (f's value, vᵀ·J)
        result = [[value, "aux"] if transform.aux else value, gradient]
    elif transform.kind == "jvp":       # (f's value, its tangent J·v)
        result = [value, f"{out}'s tangent"]
    elif transform.kind == "hvp":       # (f's value, H·v)
        result = [value, f"{out}'s Hessian times the vector"]
    elif transform.kind in ("linearize", "pullback"):     # (f's value, a function of a tangent or a cotangent)
        result = [value, f"{out}'s linear map (v ↦ J·v)" if transform.kind == "linearize" else f"{out}'s pullback (v ↦ vᵀ·J)"]
    else:
        result = [gradient, "aux"] if transform.aux else gradient
    asks = transform.written.strip() if asked.inside is not None else f"{transform.written.strip()}(…)"
    default = "" if transform.tupled or re.search(r",", transform.written) else " (argnums=0, JAX's default)"
    if asked.targets is None:
        return None, f"{asks} is {_said(result)}{default}: shown as {out}'s value and gradient"
    pairs, bound = [(asked.targets if asked.tupled else asked.targets[0], result)], []
    while pairs:
        target, part = pairs.pop(0)
        if isinstance(target, list):
            if isinstance(part, str) or len(part) != len(target):
                count = 1 if isinstance(part, str) else len(part)
                raise _error(f"{asks} gives {_said(part)}, {count} value{'s' if count != 1 else ''}, unpacked "
                             f"into {len(target)} names", at, asked.callee,
                             "write one name for each value: grad(f, argnums=(0, 1)) gives a tuple of two "
                             "gradients, grad(f) one, value_and_grad(f) (value, gradient)")
            pairs = list(zip(target, part)) + pairs
        else:
            bound.append((target, part))
    value_name = next((name for name, part in bound if part == value), None)
    for name, part in bound:
        if part != value:
            state.held[name] = (f"{_said(part)}, from {asks}", end)
    return value_name, f"{asks}{default}: " + ", ".join(f"{name} is {_said(part)}" for name, part in bound)


def _block(statements, i, indent):
    """(start, end) of the statements indented under statement i - 1 (a with's body), or None."""
    j = i
    while j < len(statements) and statements[j][2] > indent:
        j += 1
    return (statements[i][0], statements[j - 1][1]) if j > i else None


def _statements(text):
    """(start, end, indent) of each statement: lines inside open brackets, inside a string over lines
    (a docstring) or after a trailing \\ belong to the statement that opened them; a ; outside
    brackets and quotes ends one (its indent is its line's)."""
    out, depth, begin, pos, triple = [], 0, None, 0, None
    for line in text.split("\n"):
        end = pos + len(line)
        code = _code(text, pos, end)
        if begin is None:
            begin = pos
        if triple is None and ('"""' in code or "'''" in code):
            triple = next((q for q in ('"""', "'''") if code.count(q) % 2), None)
            if triple is not None:             # a string opened here goes on below
                pos = end + 1
                continue
        elif triple is not None:
            if line.count(triple) % 2 == 0:    # not closed yet
                pos = end + 1
                continue
            triple, code = None, ""
        depth = max(0, depth + sum(map(code.count, "([{")) - sum(map(code.count, ")]}")))
        if depth == 0 and not code.rstrip().endswith("\\"):
            whole = text[begin:end]
            indent = len(whole) - len(whole.lstrip(" \t"))
            for part_start, part_end in _split_semicolons(text, begin, end):
                if _code(text, part_start, part_end).strip():     # a comment alone is no statement
                    out.append((part_start, part_end, indent))
            begin = None
        pos = end + 1
    if begin is not None and text[begin:].strip():
        out.append((begin, len(text), 0))
    return out


def _split_semicolons(text, start, end):
    """The parts of text[start:end] between ;s outside brackets, quotes and the comment."""
    parts, level, begin = [], 0, start
    for k, char in _unquoted(text, start, _comment_at(text, start, end)):
        if char in "([{":
            level += 1
        elif char in ")]}":
            level -= 1
        elif char == ";" and level == 0:
            parts.append((begin, k))
            begin = k + 1
    parts.append((begin, end))
    return parts


def _comment_at(text, start, end):
    """Where text[start:end]'s comment starts (a # outside quotes), or end."""
    return next((k for k, char in _unquoted(text, start, end) if char == "#"), end)


def _unquoted(text, start, end):
    """(k, char) for each character of text[start:end] outside quotes, the quote marks left out."""
    quote = None
    for k in range(start, end):
        char = text[k]
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        else:
            yield k, char


def _code(text, start, end):
    """The statement's text without its comment (a # outside quotes)."""
    return text[start:_comment_at(text, start, end)]


def _uncommented(text, start, end):
    """text[start:end] with each line's comment turned to blanks (the same length, so offsets hold)."""
    lines = text[start:end].split("\n")
    return "\n".join(_code(line, 0, len(line)).ljust(len(line)) for line in lines)


def _blank(chars, start, end):
    for k in range(start, end):
        if chars[k] != "\n":
            chars[k] = " "


def _read_body(text, chars, statements, i, detached):
    """The body of the `def` at statement i (the rest of its line, or the lines indented below it): the
    grammar reads the def, its statements and its return; this blanks the lines it does not read (a
    docstring, a print, an import, `with torch.no_grad():`, whose block is noted as detached) and
    refuses Python's other statements. Returns the statement after the body."""
    start, end, indent = statements[i]
    body_parts, j = [], i + 1
    line_end = text.find("\n", start) % (len(text) + 1)
    at = start + len(text[start:end]) - len(text[start:end].lstrip())
    header = re.compile(r"def\b[^\n]*?\)[^:\n]*:").match(text, at, end)     # def f(x): y = 2*x; return y
    if header and _code(text, header.end(), end).strip():
        body_parts.append((header.end(), end, indent + 1))
        while j < len(statements) and statements[j][0] < line_end:
            body_parts.append(statements[j])
            j += 1
    else:                                                    # the lines indented below it
        while j < len(statements) and statements[j][2] > indent:
            body_parts.append(statements[j])
            j += 1
    if not body_parts:        # (gradcalc/indent.py says the same; said here before `return` is refused below)
        name = re.compile(rf"def[ \t]+({_NAME})").match(text, at, end)
        raise _error(f"{name.group(1) if name else 'the def'} has no body", at, len(_code(text, at, end).rstrip()),
                     "write its lines below it, indented, ending with return …")
    for number, (part_start, part_end, part_indent) in enumerate(body_parts):
        code = _code(text, part_start, part_end)
        head = code.lstrip()
        head_at = part_start + len(code) - len(head)
        if re.match(r"with\b.*:[ \t]*$", head):     # with torch.no_grad(): inside the function
            if _NO_GRAD.match(head):
                block = _block(body_parts, number + 1, part_indent)
                if block:
                    detached.append(block)
            _blank(chars, part_start, part_end)
        elif re.match(r"(?:[rRbBfFuU]{0,2})?(?:'''|\"\"\"|'|\")", head) or _PRINT.match(head) or \
                _HARMLESS.match(head) or re.match(r"(?:import|from)\b", head):
            _blank(chars, part_start, part_end)                  # a docstring, a print, an import
        else:
            keyword = _KEYWORD.match(head)
            if keyword and keyword.lastindex != 2:
                raise _keyword_error(keyword.group(keyword.lastindex), head, head_at)
            if _JAX_WORDS.search(code) is None:
                continue
            if _JVP.search(code):         # def vgrad(f, x): y, vjp_fn = vjp(f, x) …
                raise _jvp_error(code, _JVP.search(code), part_start, text)
            if _JAX_UNREAD.search(code):
                raise _jax_unread(_JAX_UNREAD.search(code), part_start)
            inside = _JAX_INSIDE.search(code)
            if inside:                    # def update(w): g = jax.grad(loss)(w); return w - lr * g
                raise _error(f"{inside.group().rstrip('( ')} inside a function's body is not read: JAX computes "
                             f"with the gradient there, while gradcalc shows a gradient and computes nothing with it",
                             part_start + inside.start(), len(inside.group().rstrip("( ")),
                             "ask it at the top level, g = jax.grad(f)(x): gradcalc shows f's value and that gradient")
    return j


_UNPARSED = ("gradcalc reads for, while and if where the program parses as Python 3, and this text does not "
             "(Python 2's print \"…\", an indentation that does not line up, a line cut short): paste it as Python 3 "
             "runs it")
_KEYWORD_HINTS = {
    # gradcalc/pyflow.py reads these where the text parses as Python 3: here it does not
    "for": _UNPARSED, "while": _UNPARSED, "if": _UNPARSED, "elif": _UNPARSED, "else": _UNPARSED,
    "class": "a class is read as its methods' functions where __init__ only sets self.x = … (no nn.Linear, NamedTuple "
             "fields or properties): paste the formula of the method that computes the output",
    "return": "return is read inside a def; at the top level the last line is the output: "
              "write {rest} alone",
    "try": "try is not read: paste the lines that compute the value",
    "except": "try is not read: paste the lines that compute the value",
    "def": "write def f(x, y): followed by indented lines that end with return …",
    "with": "write with … : on a line of its own, the lines it holds indented below",
}


def _keyword_error(keyword, head, at):
    rest = head[len(keyword):].strip().rstrip(":").strip() or "the formula"
    hint = _KEYWORD_HINTS[keyword].replace("{cond}", rest).replace("{rest}", rest)
    return _error(f"Python's {keyword} statement is not read" if keyword != "return"
                  else f"{keyword} is not read here", at, len(keyword), hint)


def _error(message, start, length, hint):
    from .errors import GradcalcError

    return GradcalcError(message, (start, start + max(length, 1)), hint=hint)
