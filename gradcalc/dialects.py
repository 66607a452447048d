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

# Parameters read when the program is read (numbers or True/False/None written in the call), never
# differentiated: an axis, whether to keep it, a norm's order, a variance's correction.
LITERAL = frozenset({"axis", "keepdims", "ord", "ddof", "correction", "unbiased", "dim0", "dim1",
                     "approximate"})

# Keywords that mean the same parameter in every library: PyTorch's dim is NumPy's axis.
SYNONYMS = {"dim": "axis", "keepdim": "keepdims", "exponent": "y", "other": "y"}
# Keywords naming a function's first argument, whatever gradcalc calls it.
FIRST = frozenset({"input", "a", "x", "tensor", "features", "self", "t"})

_MISSING = object()


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
            if default:
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
    return "None" if value is None else str(value)


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
        if name not in ("sum", "mean"):
            m.refuse(f"{name} along an axis is not supported yet",
                     f"{name}(x) takes the {name} of every element; sum and mean take an axis")
        out = m.call(name, x, m.axis(axis, name))
        return m("expand_axis", out, m.axis(axis, name)) if keepdims else out
    return build


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


def _variance(name: str, unbiased_default: bool):
    """var and std: numpy divides by n (ddof=0), PyTorch by n − 1 (correction=1) unless told."""
    def build(m, x, axis=None, ddof=None, correction=None, unbiased=None, keepdims=False, **_):
        if correction is None:
            correction = ddof if ddof is not None else \
                (1 if (unbiased if unbiased is not None else unbiased_default) else 0)
        if axis is not None:
            m.refuse(f"{name} along an axis is not supported yet", f"write {name}(x) of a vector")
        if correction == 0:
            return m.call(name, x)
        # Σ(x − mean)² / (n − correction), n counted as sum(x·0 + 1) so it follows x's shape.
        centred = m("sub", x, m.call("mean", x))
        count = m.call("sum", m("add", m("mul", x, m.const(0.0)), m.const(1.0)))
        variance = m("div", m.call("sum", m("pow", centred, m.const(2.0))),
                     m("sub", count, m.const(float(correction))))
        return variance if name == "var" else m.call("sqrt", variance)
    return build


def _norm(m, x, ord=None, axis=None, **_):
    if axis is not None:
        m.refuse("a norm along an axis is not supported yet", "write norm(x) of a whole vector or matrix")
    if ord is None or ord in (2, "fro"):
        return m.call("norm", x)
    if ord == 1:
        return m.call("sum", m.call("abs", x))
    if ord == math.inf:
        return m.call("max", m.call("abs", x))
    # Any other p: (Σ|x|^p)^(1/p).
    return m("pow", m.call("sum", m("pow", m.call("abs", x), m.const(float(ord)))), m.const(1.0 / ord))


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


def _mse(m, x, y, **_):
    return m.call("mean", m("pow", m("sub", x, y), m.const(2.0)))


def _l1(m, x, y, **_):
    return m.call("mean", m.call("abs", m("sub", x, y)))


def _bce(m, x, t, **_):
    # −mean(t·log p + (1 − t)·log(1 − p)), PyTorch's binary_cross_entropy (mean over elements).
    one = m.const(1.0)
    return m("neg", m.call("mean", m("add", m("mul", t, m.call("log", x)),
                                     m("mul", m("sub", one, t), m.call("log", m("sub", one, x))))))


def _sigmoid_ce(m, x, t):
    # −t·log σ(x) − (1 − t)·log(1 − σ(x)) = softplus(x) − t·x, without computing σ.
    return m("sub", m.call("softplus", x), m("mul", t, x))


def _bce_logits(m, x, t, **_):
    return m.call("mean", _sigmoid_ce(m, x, t))


def _softmax_ce(m, t, x, axis=-1, **_):
    # tf.nn.softmax_cross_entropy_with_logits: one loss per row, −Σ t·log softmax(x).
    return m("neg", m.call("sum", m("mul", t, _log_softmax(m, x, axis)), m.axis(-1, "softmax")))


def _leaky(m, x, slope):
    return m.call("leaky_relu", x, slope)


def _gelu(approximate_default: bool):
    def build(m, x, approximate=None):
        approximate = approximate_default if approximate is None else approximate
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


def _transpose(m, x, dim0=None, dim1=None):
    if dim0 is not None and {dim0, dim1} not in ({0, 1}, {-1, -2}, {0, -1}, {-2, 1}):
        m.refuse("only the two axes of a matrix can be swapped", "write x.T or transpose(x)")
    return m("transpose", x)


def _identity(m, x, **_):
    return x


def _detach(m, x):
    return m("stop_gradient", x)


def _stop_note(m, x):
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


def _refuse(message: str, hint: str):
    def build(m, **_):
        m.refuse(message, hint)
    return build


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
    "dot": S("x, y", _op("matmul")), "matmul": S("x, y", _op("matmul")), "inner": S("x, y", _op("matmul")),
    "vdot": S("x, y", _op("matmul")), "outer": S("x, y", _op("outer")),
    "transpose": S("x", _transpose), "clip": S("x, min|a_min=None, max|a_max=None", _clamp),
    "linalg.norm": S("x, ord=None, axis=None", _norm), "norm": S("x, ord=None, axis=None", _norm),
    "var": S("x, axis=None, ddof=0", _variance("var", False)),
    "std": S("x, axis=None, ddof=0", _variance("std", False)),
    "array": S("x", _identity), "asarray": S("x", _identity),
    "where": S("condition, x, y", _op("where", 3)),
}

NUMPY = {**_REDUCTIONS, **_ARITHMETIC}

JAX_NN = {
    "relu": S("x", _call("relu")), "sigmoid": S("x", _call("sigmoid")), "softplus": S("x", _call("softplus")),
    "silu": S("x", _call("silu")), "swish": S("x", _call("silu")), "elu": S("x", _call("elu")),
    # jax.nn.gelu is the tanh approximation unless approximate=False.
    "gelu": S("x, approximate=True", _gelu(True)),
    "leaky_relu": S("x, slope|negative_slope=0.01", _leaky),
    "softmax": S("x, axis=-1", _softmax), "log_softmax": S("x, axis=-1", _log_softmax),
    "logsumexp": S("x, axis=None, keepdims=False", _logsumexp),
    "log_sigmoid": S("x", _log_sigmoid), "soft_sign": S("x", _softsign),
    "relu6": S("x", _hardtanh(0.0, 6.0)), "hard_tanh": S("x", _hardtanh(-1.0, 1.0)),
    "tanh": S("x", _call("tanh")),
}

SPECIAL = {   # scipy.special and jax.scipy.special
    "expit": S("x", _call("sigmoid")), "logit": S("x", _logit), "erf": S("x", _call("erf")),
    "erfc": S("x", _call("erfc")), "logsumexp": S("x, axis=None, keepdims=False", _logsumexp),
    "softmax": S("x, axis=None", _softmax), "log_softmax": S("x, axis=None", _log_softmax),
    "xlogy": S("x, y", _xlogy), "ndtr": S("x", _ndtr),
}

JAX_LAX = {
    "stop_gradient": S("x", _detach), "add": S("x, y", _op("add")), "sub": S("x, y", _op("sub")),
    "mul": S("x, y", _op("mul")), "div": S("x, y", _op("div")), "pow": S("x, y", _op("pow")),
    "integer_pow": S("x, y", _op("pow")), "neg": S("x", _op("neg", 1)), "max": S("x, y", _call("maximum", 2)),
    "min": S("x, y", _call("minimum", 2)), "logistic": S("x", _call("sigmoid")), "square": S("x", _square),
    "rsqrt": S("x", _rsqrt), "dot": S("x, y", _op("matmul")),
    "select": S("condition|pred, x|on_true, y|on_false", _op("where", 3)),
}

TORCH_FUNCTIONAL = {   # torch.nn.functional, imported as F
    "relu": S("x", _call("relu")), "sigmoid": S("x", _call("sigmoid")), "tanh": S("x", _call("tanh")),
    "softplus": S("x", _call("softplus")), "silu": S("x", _call("silu")), "elu": S("x", _call("elu")),
    "gelu": S("x", _gelu(False)),
    "leaky_relu": S("x, slope|negative_slope=0.01", _leaky),
    "softmax": S("x, axis=None", _softmax), "log_softmax": S("x, axis=None", _log_softmax),
    "logsigmoid": S("x", _log_sigmoid), "softsign": S("x", _softsign),
    "relu6": S("x", _hardtanh(0.0, 6.0)), "hardtanh": S("x", _hardtanh(-1.0, 1.0)),
    "mse_loss": S("x, y|target", _mse), "l1_loss": S("x, y|target", _l1),
    "binary_cross_entropy": S("x, t|target", _bce),
    "binary_cross_entropy_with_logits": S("x, t|target", _bce_logits),
    "cross_entropy": S("x, t|target", _call("cross_entropy", 2)),
    "linear": S("x, w|weight, b|bias=None", _linear),
}

TORCH = {
    **NUMPY, **{k: v for k, v in TORCH_FUNCTIONAL.items() if k in ("relu", "sigmoid", "tanh", "softmax",
                                                                   "log_softmax", "logsigmoid")},
    "clamp": S("x, min=None, max=None", _clamp), "clip": S("x, min=None, max=None", _clamp),
    "mm": S("x, y|mat2", _op("matmul")), "mv": S("x, y|vec", _op("matmul")),
    "mul": S("x, y", _op("mul")), "sub": S("x, y", _op("sub")), "div": S("x, y", _op("div")),
    "neg": S("x", _op("neg", 1)), "rsqrt": S("x", _rsqrt), "t": S("x", _transpose),
    "transpose": S("x, dim0=None, dim1=None", _transpose),
    "logsumexp": S("x, axis, keepdims=False", _logsumexp),
    # PyTorch's var and std divide by n − 1 unless correction=0 (or unbiased=False) is given.
    "var": S("x, axis=None, unbiased=None, correction=None, keepdims=False", _variance("var", True)),
    "std": S("x, axis=None, unbiased=None, correction=None, keepdims=False", _variance("std", True)),
    "norm": S("x, ord|p=None, axis=None", _norm), "linalg.norm": S("x, ord=None, axis=None", _norm),
    "detach": S("x", _detach), "tensor": S("x", _identity), "as_tensor": S("x", _identity),
    "special.expit": S("x", _call("sigmoid")), "special.erf": S("x", _call("erf")),
    "special.logit": S("x", _logit), "special.xlogy": S("x, y", _xlogy),
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
}

TF_NN = {
    "relu": S("x", _call("relu")), "sigmoid": S("x", _call("sigmoid")), "tanh": S("x", _call("tanh")),
    "softplus": S("x", _call("softplus")), "elu": S("x", _call("elu")), "silu": S("x", _call("silu")),
    "swish": S("x", _call("silu")), "gelu": S("x, approximate=False", _gelu(False)),
    # tf.nn.leaky_relu's slope is 0.2 unless alpha= says otherwise (PyTorch's and JAX's: 0.01).
    "leaky_relu": S("x, slope|alpha=0.2", _leaky),
    "softmax": S("x|logits, axis=None", _softmax), "log_softmax": S("x|logits, axis=None", _log_softmax),
    "sigmoid_cross_entropy_with_logits": S("t|labels, x|logits", lambda m, t, x: _sigmoid_ce(m, x, t)),
    "softmax_cross_entropy_with_logits": S("t|labels, x|logits, axis=-1", _softmax_ce),
    "l2_loss": S("x", _l2_loss), "relu6": S("x", _hardtanh(0.0, 6.0)),
}

MATH = {"pow": S("x, y", _op("pow"))}

# Module path as written → its table. "jax.numpy" and "jnp" are the same module; so are "F" and
# "torch.nn.functional".
NAMESPACES: dict[str, dict[str, Spelling]] = {
    "np": NUMPY, "numpy": NUMPY, "jnp": NUMPY, "jax.numpy": NUMPY, "np.linalg": {"norm": NUMPY["norm"]},
    "numpy.linalg": {"norm": NUMPY["norm"]}, "jnp.linalg": {"norm": NUMPY["norm"]},
    "jax.nn": JAX_NN, "jax.lax": JAX_LAX, "lax": JAX_LAX, "jax.scipy.special": SPECIAL,
    "scipy.special": SPECIAL, "special": SPECIAL,
    "torch": TORCH, "torch.nn.functional": TORCH_FUNCTIONAL, "F": TORCH_FUNCTIONAL,
    "nn.functional": TORCH_FUNCTIONAL, "torch.special": SPECIAL, "torch.linalg": {"norm": TORCH["norm"]},
    "tf": TENSORFLOW, "tf.math": TENSORFLOW, "tf.nn": TF_NN, "tf.linalg": {"matmul": NUMPY["matmul"]},
    "math": MATH, "jax": {"nn.relu": JAX_NN["relu"]},
}

# Constants a module names: np.pi, math.tau, torch.e.
CONSTANTS = {"pi": math.pi, "e": math.e, "tau": math.tau, "inf": math.inf}

# Methods of a value (x.sum(dim=1), x.clamp(min=0)): PyTorch's and NumPy's, the value first. A name
# not here but callable in gradcalc (x.exp(), x.tanh()) is gradcalc's function of the value.
METHODS: dict[str, Spelling] = {
    **_REDUCTIONS,
    "pow": S("x, y", _op("pow")), "square": S("x", _square), "clamp": S("x, min=None, max=None", _clamp),
    "clip": S("x, min=None, max=None", _clamp), "mm": S("x, y", _op("matmul")), "mv": S("x, y", _op("matmul")),
    "matmul": S("x, y", _op("matmul")), "dot": S("x, y", _op("matmul")), "t": S("x", _transpose),
    "transpose": S("x, dim0=None, dim1=None", _transpose), "detach": S("x", _detach),
    "item": S("x", _identity), "numpy": S("x", _identity), "float": S("x", _identity),
    "add": S("x, y", _op("add")), "sub": S("x, y", _op("sub")), "mul": S("x, y", _op("mul")),
    "div": S("x, y", _op("div")), "neg": S("x", _op("neg", 1)), "rsqrt": S("x", _rsqrt),
    "reciprocal": S("x", _reciprocal), "norm": S("x, ord|p=None, axis=None", _norm),
    "softmax": S("x, axis=None", _softmax), "log_softmax": S("x, axis=None", _log_softmax),
    "logsumexp": S("x, axis, keepdims=False", _logsumexp),
    "var": S("x, axis=None, ddof=None, unbiased=None, correction=None, keepdims=False",
             _refuse("x.var() divides by n in NumPy and by n − 1 in PyTorch",
                     "write np.var(x) (by n) or torch.var(x) (by n − 1)")),
    "std": S("x, axis=None, ddof=None, unbiased=None, correction=None, keepdims=False",
             _refuse("x.std() divides by n in NumPy and by n − 1 in PyTorch",
                     "write np.std(x) (by n) or torch.std(x) (by n − 1)")),
    "reshape": S("x, *", _refuse("reshape is not supported yet",
                                         "give the value in the shape the formula needs")),
    "view": S("x, *", _refuse("view is not supported yet",
                                      "give the value in the shape the formula needs")),
}

# Attributes of a value: x.T is its transpose; micrograd's and PyTorch's x.data is its value, held
# constant.
ATTRIBUTES = {"T": "transpose", "mT": "transpose", "data": "stop_gradient"}

# Functions people call without a module that gradcalc otherwise lacks (square(x), add(x, y)), as in
# code written after `from numpy import *`.
BARE: dict[str, Spelling] = {
    name: NUMPY[name] for name in ("square", "add", "subtract", "multiply", "divide", "negative",
                                   "reciprocal", "logaddexp", "outer", "clip")
} | {"clamp": TORCH["clamp"], "stop_gradient": JAX_LAX["stop_gradient"], "detach": TORCH["detach"],
     "mse_loss": TORCH_FUNCTIONAL["mse_loss"], "l1_loss": TORCH_FUNCTIONAL["l1_loss"],
     "binary_cross_entropy": TORCH_FUNCTIONAL["binary_cross_entropy"],
     "binary_cross_entropy_with_logits": TORCH_FUNCTIONAL["binary_cross_entropy_with_logits"],
     "log_softmax": JAX_NN["log_softmax"], "expit": SPECIAL["expit"], "logit": SPECIAL["logit"],
     "xlogy": SPECIAL["xlogy"], "rsqrt": TORCH["rsqrt"], "log_sigmoid": JAX_NN["log_sigmoid"],
     "logsigmoid": JAX_NN["log_sigmoid"], "softsign": JAX_NN["soft_sign"],
     "reduce_sum": TENSORFLOW["reduce_sum"], "reduce_mean": TENSORFLOW["reduce_mean"]}


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
