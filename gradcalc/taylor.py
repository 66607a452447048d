"""Derivatives of any order by Taylor mode: a truncated Taylor series carried through each op.

Each node holds the coefficients c₀ … c_K of its value along x + t (node(t) = Σ c_k·t^k), so
dᵏz/dxᵏ = k!·c_k of the output. Work is O(K²) per op and nothing grows with the order, unlike
differentiating the previous order's formula again (higher.py), which --symbolic still does.

Only + − × ÷, powers and the array ops have rules of their own here. Every other function f takes
its rule from the table: with y = f(u, …) and f's graph-form derivatives ∂f/∂u from OPS,
y_k = (1/k)·Σᵤ Σ_{j=1..k} j·u_j·[∂f/∂u]_{k−j}, where the series of ∂f/∂u is carried by the same
arithmetic, one coefficient behind y (exp′ = exp uses y itself, sin′ = cos brings cos along, whose
derivative −sin is y again). So a new function in OPS gets its Taylor rule for free.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .errors import GradcalcError, MathError
from .evaluate import Value
from .numbers import format_value
from .ops import OPS

MAX_ORDER = 100            # --order's range; k! and the coefficients stay well inside float64
# Coefficient steps (nodes × order) one request may take: a 100 000-term expression at order 30
# would take tens of seconds in Python, so it stops with a clear message instead.
MAX_WORK = 1_500_000
# Nodes the functions' derivative forms may add per program node before a rule is judged endless
# (a derivative that keeps asking for new functions, as pow's b·a^(b−1) would).
MAX_ADDED_PER_NODE, MAX_ADDED = 8, 2000

# Ops that act on each coefficient alone (the non-series inputs, such as an axis, are passed as is).
_LINEAR = {"identity", "pos", "neg", "add", "sub", "sum", "mean", "sum_last", "sum_axis", "mean_axis",
           "transpose", "sum_to"}
# Ops linear in each input separately: the product of two series is their Cauchy product.
_BILINEAR = {"mul", "matmul", "outer"}


@dataclass
class Series:
    """The Taylor coefficients of the output along its variable, and the derivatives they give."""

    output: str
    variable: str
    order: int
    coefficients: list[Value]        # c_0 … c_K

    @property
    def derivatives(self) -> list[Value]:
        """dᵏz/dxᵏ = k!·c_k for k = 1 … K (a MathError where that is too large for a float)."""
        found = []
        with np.errstate(all="ignore"):
            for k, c in enumerate(self.coefficients[1:], start=1):
                found.append(c * float(math.factorial(k)))
                if not np.all(np.isfinite(found[-1])):
                    raise MathError(f"the {_ordinal(k)} derivative of {self.output} is too large for a "
                                    f"float (its Taylor coefficient is {format_value(c)})",
                                    hint=f"ask for a lower order than {k}")
        return found


def propagate(builder, result, name: str, order: int, directional: bool = False) -> Series:
    """The first `order` Taylor coefficients of the result's output along the input `name`, on
    `builder` (a NodeBuilder over a copy of the result's graph: higher.taylor makes one).

    With an array input every element moves together (x + t·1): for an elementwise expression each
    output element's coefficients are then those of that element's own derivatives. Other array
    expressions are refused unless `directional`, which asks for the series of z(x + t·1) itself.
    """
    if not 1 <= order <= MAX_ORDER:
        raise GradcalcError(f"--order must be between 1 and {MAX_ORDER}, got {order}")
    builder.adopt()                  # f′ forms find the program's own nodes (sin′ = cos: its −sin is y)
    graph, values = builder.graph, builder.values
    var = graph.variables[name]
    if len(graph.nodes) * order > MAX_WORK:
        raise GradcalcError(f"order {order} of an expression of {len(graph.nodes)} nodes would take "
                            f"more than {MAX_WORK} coefficient steps",
                            hint="ask for a lower order or a smaller expression")
    plan = _Plan(builder, var, order)
    added_limit = max(MAX_ADDED, MAX_ADDED_PER_NODE * len(result.graph.nodes))
    i = 0
    while i < len(graph.nodes):                # the list grows as derivative forms are added
        node = graph.nodes[i]
        builder.span = node.span
        plan.visit(i)
        if builder.added > added_limit:
            raise GradcalcError(f"{OPS[node.op].symbol} has no Taylor rule that ends: its derivative "
                                f"keeps adding new functions", node.span, text=graph.text,
                                hint="ask for the gradient only, without --order")
        i += 1
    if np.ndim(result.inputs[name]) != 0 and not plan.elementwise and not directional:
        raise GradcalcError("--order with an array input works on elementwise expressions "
                            "(each output element a function of the same input element)",
                            hint="use --hessian for the second derivatives of an array input")
    coefficients = plan.run(graph.output)
    return Series(result.output_name, name, order, coefficients)


class _Plan:
    """Each node's rule: how its coefficient k follows from coefficients already known."""

    def __init__(self, builder, var: int, order: int):
        self.builder, self.var, self.K = builder, var, order
        self.values = builder.values
        self.coefficients: list[list] = []     # per node: c_0 … c_K (None until computed)
        self.rules: dict[int, object] = {}     # node → callable(k) giving c_k
        self.now: dict[int, tuple[int, ...]] = {}     # nodes whose c_k the rule reads
        self.before: dict[int, tuple[int, ...]] = {}  # nodes whose c_0 … c_{k−1} only it reads
        self.depends: list[bool] = []
        self.elementwise = True

    # -- building the rules ----------------------------------------------------------------------
    def visit(self, i: int) -> None:
        graph, values = self.builder.graph, self.values
        node = graph.nodes[i]
        value = values[i]
        zero = np.zeros_like(value) if np.ndim(value) else np.float64(0.0)
        depends = i == self.var or (node.op is not None and any(self.depends[s] for s in node.inputs))
        self.depends.append(depends)
        if not depends:
            self.coefficients.append([value] + [zero] * self.K)
            return
        if i == self.var:
            one = np.ones_like(value) if np.ndim(value) else np.float64(1.0)
            self.coefficients.append([value, one] + [zero] * (self.K - 1))
            return
        self.coefficients.append([value] + [None] * self.K)
        op = node.op
        if not OPS[op].elementwise:     # element i of the output may depend on other elements
            self.elementwise = False
        moving = [s for s in node.inputs if self.depends[s]]
        if op in _LINEAR:
            self._linear(i, node)
        elif op in _BILINEAR:
            self._bilinear(i, node)
        elif op == "div":
            self._div(i, node)
        elif op == "pow":
            self._pow(i, node)
        elif op in _REWRITES:
            self._alias(i, _REWRITES[op](self.builder, *node.inputs))
        elif op == "prod":
            self._prod(i, node)
        elif op in ("max", "min"):        # piecewise linear: the series of the chosen element(s)
            weights = OPS[op].local[0](values[node.inputs[0]], value)
            c = self.coefficients[node.inputs[0]]
            self._rule(i, lambda k: np.float64(np.sum(weights * c[k])), now=moving)
        elif OPS[op].elementwise and OPS[op].derivative and not OPS[op].chain:
            self._from_derivatives(i, node)
        else:
            raise GradcalcError(f"--order has no Taylor rule for {OPS[op].symbol} yet", node.span,
                                text=graph.text, hint="ask for the gradient only, without --order")

    def _rule(self, i: int, rule, now=(), before=()) -> None:
        self.rules[i], self.now[i], self.before[i] = rule, tuple(now), tuple(before)

    def _alias(self, i: int, target: int) -> None:
        """Node i carries the series of `target`, the same value built from ops with rules."""
        c = self.coefficients
        self._rule(i, lambda k: c[target][k], now=(target,))

    def _linear(self, i: int, node) -> None:
        op, inputs, c = node.op, node.inputs, self.coefficients
        if op in ("identity", "pos"):
            (a,) = inputs
            self._rule(i, lambda k: c[a][k], now=inputs)
        elif op == "neg":
            (a,) = inputs
            self._rule(i, lambda k: -c[a][k], now=inputs)
        elif op in ("add", "sub"):
            a, b = inputs
            sign = 1.0 if op == "add" else -1.0
            self._rule(i, lambda k: c[a][k] + sign * c[b][k], now=inputs)
        else:                      # the series input first; the others (axis, shape) as values
            forward, series, rest = OPS[op].forward, inputs[0], [self.values[s] for s in inputs[1:]]
            self._rule(i, lambda k: forward(c[series][k], *rest), now=inputs[:1])

    def _bilinear(self, i: int, node) -> None:
        forward, (a, b), c = OPS[node.op].forward, node.inputs, self.coefficients
        if not self.depends[b]:
            b0 = self.values[b]
            self._rule(i, lambda k: forward(c[a][k], b0), now=(a,))
        elif not self.depends[a]:
            a0 = self.values[a]
            self._rule(i, lambda k: forward(a0, c[b][k]), now=(b,))
        else:
            def rule(k, ca=c[a], cb=c[b]):
                total = forward(ca[0], cb[k])
                for j in range(1, k + 1):
                    total = total + forward(ca[j], cb[k - j])
                return total
            self._rule(i, rule, now=(a, b))

    def _div(self, i: int, node) -> None:
        (a, b), c = node.inputs, self.coefficients
        b0 = self.values[b]
        if not self.depends[b]:
            self._rule(i, lambda k: c[a][k] / b0, now=(a,))
            return

        def rule(k, ca=c[a], cb=c[b], cy=c[i]):   # y·b = a, solved for y_k
            total = ca[k]
            for j in range(k):
                total = total - cy[j] * cb[k - j]
            return total / b0
        self._rule(i, rule, now=(a, b))

    def _pow(self, i: int, node) -> None:
        builder, (a, b), c = self.builder, node.inputs, self.coefficients
        if self.depends[b]:          # a^b = exp(b·log a)
            self._alias(i, builder("exp", builder("mul", b, builder("log", a))))
            return
        r, a0 = self.values[b], self.values[a]
        whole = np.ndim(r) == 0 and r == np.round(r) and abs(r) <= 64
        if whole:       # products (and one division) are better conditioned than the power rule
            power = _whole_power(builder, a, int(abs(r)))
            self._alias(i, power if r >= 0 else builder("div", builder.ones_like(a), power))
            return
        if np.all(a0 != 0):
            def rule(k, ca=c[a], cy=c[i]):    # a·y′ = r·a′·y, coefficient by coefficient
                total = ((r + 1) - k) * ca[1] * cy[k - 1]
                for j in range(2, k + 1):
                    total = total + ((r + 1) * j - k) * ca[j] * cy[k - j]
                return total / (k * a0)
            self._rule(i, rule, now=(a,))
            return
        # A fractional power of 0: a^r = O(t^r), so the coefficients below r are 0; beyond, infinite.
        zero = np.zeros_like(self.values[i]) if np.ndim(self.values[i]) else np.float64(0.0)
        span, text = node.span, builder.graph.text

        def rule(k):
            if np.all(k < r):
                return zero
            raise MathError(f"a derivative is not finite: the {_ordinal(k)} derivative of a power "
                            f"{format_value(r)} of 0 is infinite", span,
                            hint="the expression is not differentiable that often here; try another "
                                 "point", text=text)
        self._rule(i, rule, now=(a,))

    def _prod(self, i: int, node) -> None:
        """The product of the elements: their series multiplied one after another, truncated."""
        (a,), c = node.inputs, self.coefficients

        def rule(k):
            series = np.array([np.ravel(c[a][j]) for j in range(k + 1)])   # (k + 1, elements)
            product = np.zeros(k + 1)
            product[0] = 1.0
            for element in series.T:
                product = np.convolve(product, element)[:k + 1]
            return np.float64(product[k])
        self._rule(i, rule, now=(a,))

    def _from_derivatives(self, i: int, node) -> None:
        """y_k = (1/k)·Σ over moving inputs u of Σ_{j=1..k} j·u_j·[∂y/∂u]_{k−j}."""
        builder, c, op = self.builder, self.coefficients, OPS[node.op]
        terms = []
        for position, u in enumerate(node.inputs):
            if self.depends[u]:
                terms.append((u, op.derivative[position](builder, *node.inputs, i)))

        def rule(k):
            total = None
            for u, d in terms:
                cu, cd = c[u], c[d]
                for j in range(1, k + 1):
                    part = (j * cu[j]) * cd[k - j]
                    total = part if total is None else total + part
            return total / k
        self._rule(i, rule, now=tuple(u for u, _ in terms), before=tuple(d for _, d in terms))

    # -- running them ----------------------------------------------------------------------------
    def run(self, output: int) -> list[Value]:
        order = self._order(output)
        c = self.coefficients
        with np.errstate(all="ignore"):
            for k in range(1, self.K + 1):
                for i in order:
                    c[i][k] = self.rules[i](k)
        self._check_finite(order)
        return list(c[output])

    def _order(self, output: int) -> list[int]:
        """The nodes the output needs, each after the nodes whose coefficient k its rule reads."""
        needed, stack = {output}, [output]
        while stack:
            i = stack.pop()
            for j in self.now.get(i, ()) + self.before.get(i, ()):
                if j not in needed:
                    needed.add(j)
                    stack.append(j)
        order, done, on_path = [], set(), set()
        for root in sorted(needed):
            if root in done or root not in self.rules:
                continue
            stack = [(root, iter(self.now[root]))]
            on_path.add(root)
            while stack:
                i, pending = stack[-1]
                nxt = next((j for j in pending if j in self.rules and j not in done), None)
                if nxt is None:
                    stack.pop()
                    on_path.discard(i)
                    done.add(i)
                    order.append(i)
                elif nxt not in on_path:
                    on_path.add(nxt)
                    stack.append((nxt, iter(self.now[nxt])))
        return order

    def _check_finite(self, order: list[int]) -> None:
        graph = self.builder.graph
        for i in sorted(order):
            for k, coefficient in enumerate(self.coefficients[i]):
                if not np.all(np.isfinite(coefficient)):
                    raise MathError(f"a derivative is not finite: the {_ordinal(k)} Taylor coefficient "
                                    f"of {_described(graph, i)} is {format_value(coefficient)}",
                                    graph.nodes[i].span, text=graph.text,
                                    hint="the expression is not differentiable that often here, or "
                                         "its derivatives overflow; try another point or a lower order")


def _whole_power(builder, a: int, n: int) -> int:
    """a^n as products (a·a, (a·a)·(a·a), …): at a = 0 the power rule would divide by 0."""
    if n == 0:
        return builder.ones_like(a)
    result, square = None, a
    while n:
        if n & 1:
            result = square if result is None else builder("mul", result, square)
        n >>= 1
        if n:
            square = builder("mul", square, square)
    return result


def _shifted_exp(builder, x: int) -> tuple[int, int, object]:
    """exp(x − c) with c the row maxima of x's value: softmax and logsumexp without overflow."""
    top = np.max(builder.values[x], axis=-1, keepdims=True)
    return builder("exp", builder("sub", x, builder.const(top))), builder.const(top), top


def _softmax(builder, x: int) -> int:
    e, _, _ = _shifted_exp(builder, x)
    return builder("div", e, builder("sum_last", e))


def _logsumexp(builder, x: int) -> int:
    e, _, top = _shifted_exp(builder, x)
    return builder("add", builder("log", builder("sum_axis", e, builder.const(-1.0))),
                   builder.const(top[..., 0]))


def _cross_entropy(builder, y: int, t: int) -> int:
    e, top_node, _ = _shifted_exp(builder, y)
    log_softmax = builder("sub", builder("sub", y, top_node), builder("log", builder("sum_last", e)))
    value = builder.values[y]
    rows = value.size // value.shape[-1]
    return builder("div", builder("neg", builder("sum", builder("mul", t, log_softmax))),
                   builder.const(float(rows)))


def _scale(builder, x: int) -> float:
    """max |x| (1 if that is 0): the rewrites below square x/scale, as ops.py's norm and std do, so
    norm(x·[1e200, 1e200]) has a series although x·x overflows."""
    top = float(np.max(np.abs(builder.values[x])))
    return top if 0 < top < math.inf else 1.0


def _norm(builder, x: int) -> int:
    top = _scale(builder, x)
    scaled = builder("div", x, builder.const(top))
    return builder("mul", builder("sqrt", builder("sum", builder("mul", scaled, scaled))), builder.const(top))


def _var(builder, x: int) -> int:
    centred = builder("sub", x, builder("mean", x))
    return builder("mean", builder("mul", centred, centred))


def _std(builder, x: int) -> int:
    top = _scale(builder, x)
    centred = builder("div", builder("sub", x, builder("mean", x)), builder.const(top))
    return builder("mul", builder("sqrt", builder("mean", builder("mul", centred, centred))), builder.const(top))


# Ops whose value is rebuilt from ops with rules (the same value, so the same series).
_REWRITES = {"softmax": _softmax, "logsumexp": _logsumexp, "cross_entropy": _cross_entropy,
             "norm": _norm, "var": _var, "std": _std}


def _ordinal(k: int) -> str:
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def _described(graph, i: int) -> str:
    node = graph.nodes[i]
    start, end = node.span
    written = graph.text[start:end]
    return repr(written) if written and len(written) <= 60 else "this expression"
