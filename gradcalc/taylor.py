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
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .errors import GradcalcError, MathError
from .evaluate import Value
from .numbers import format_value
from .ops import OPS, InputError
from .ops.gamma import lgamma_derivatives, psi_derivatives
from .roundoff import LIBRARY, U, Bounded, Precise, bilinear, linear, parts, precise_context, \
    product_series, rounding_error, significant_digits, weighted_sum
from .ops.rules import numbers_local

MAX_ORDER = 100            # --order's range; k! and the coefficients stay well inside float64
# Coefficient steps one request may take (_Plan._rule counts them: K a node for + and −, about K²/2
# for a product or a function): about 4 µs each in Python, so a few seconds at most; past it, a clear
# message instead of minutes. The 50-digit check of the bound (Plan.measured_errors) costs about ten
# times as much a step: past PRECISE_WORK the bound carried with absolute values stands alone (the
# result may then be shown with fewer digits, as that bound allows).
MAX_WORK = 1_000_000
PRECISE_WORK = 60_000
# A derivative with this many right digits or more is shown as computed, as any float result is; one
# with fewer is rounded to its right digits and said so (none right: exit 3).
FULL_DIGITS = 12
# (Below it, the bound carried with absolute values is checked by running a scalar program again
# with 50 digits: Plan.measured_errors.)
# An order with no right digit whose bound is below this fraction of the largest derivative is shown as
# 0 (zero within rounding); above it, --order refuses (exit 3).
ZERO_SCALE = 1e-12
PRECISE_NOISE = 1e-33      # the 50-digit run's own rounding, relative to the float run's bound
# Nodes the functions' derivative forms may add per program node before a rule is judged endless
# (a derivative that keeps asking for new functions, as pow's b·a^(b−1) would).
MAX_ADDED_PER_NODE, MAX_ADDED = 8, 2000



@dataclass
class Series:
    """The Taylor coefficients of the output along its variable, and the derivatives they give."""

    output: str
    variable: str
    order: int
    coefficients: list[Value]        # c_0 … c_K
    # bounds[k] ≥ |c_k − the exact coefficient of the same expression at the same point|: rounding
    # errors carried through the recurrences (roundoff.py), from the forward values' on.
    bounds: list[Value] | None = None

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

    @property
    def digits(self) -> list[int | None]:
        """For k = 1 … K, how many significant digits of dᵏz/dxᵏ the rounding bound leaves right,
        when fewer than FULL_DIGITS (None: at least that many, or the value is exact)."""
        if self.bounds is None:
            return [None] * self.order
        found = [significant_digits(c, b) for c, b in zip(self.coefficients[1:], self.bounds[1:])]
        return [None if right is None or right >= FULL_DIGITS else right for right in found]

    def checked(self) -> tuple[list[Value], list[int | None]]:
        """The derivatives and their right digits; a MathError (exit 3) if rounding errors leave no
        digit of some order right: a wrong number is never printed as a derivative."""
        found, digits = self.derivatives, self.digits
        # An order whose bound is negligible beside the largest derivative with a right digit is 0
        # within rounding (sigmoid(2x − 1) at 0.5: its even orders, 0 ± 1e-15 beside 1e20): shown as
        # 0, digits 0. Noise is no scale: exp(x)·exp(−x) has no order with a right digit but its 0s.
        scale = max((_largest(value) for value, right in zip(found, digits) if right != 0), default=0.0)
        for k, right in enumerate(digits, start=1):
            if right == 0 and _largest(self.bounds[k] * float(math.factorial(k))) <= ZERO_SCALE * scale:
                found[k - 1] = found[k - 1] * 0.0
                continue
            if right == 0:
                bound = self.bounds[k] * float(math.factorial(k))
                good = k - 1
                raise MathError(
                    f"the {_ordinal(k)} derivative of {self.output} cannot be computed in 64-bit floats "
                    f"here: its Taylor coefficient is a sum of terms that cancel, and their rounding "
                    f"errors (up to ±{format_value(_largest(bound), 2)}) are as large as the result "
                    f"({format_value(found[k - 1], 3)}), so not one digit of it is known",
                    hint=(f"the derivatives up to the {_ordinal(good)} have at least one right digit: "
                          f"ask for --order {good}" if good else "no order of this expression is "
                          "accurate here; try another point or a simpler form of the expression"))
        return found, digits


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
    graph = builder.graph
    var = graph.variables[name]
    if len(graph.nodes) * order > MAX_WORK:      # at least one step a node and order: stop before planning
        _too_much(order, f"at least {len(graph.nodes) * order:,}")
    plan = _Plan(builder, var, order)
    added_limit = max(MAX_ADDED, MAX_ADDED_PER_NODE * len(result.graph.nodes))
    i = 0
    while i < len(graph.nodes):                # the list grows as derivative forms are added
        node = graph.nodes[i]
        builder.span = node.span
        try:
            plan.visit(i)
        except InputError as error:   # a derivative the op refuses (ψ⁽⁴⁰¹⁾ for polygamma(400, x)′)
            raise error.at(node.span, graph.text) from None
        if builder.added > added_limit:
            raise GradcalcError(f"{OPS[node.op].symbol} has no Taylor rule that ends: its derivative "
                                f"keeps adding new functions", node.span, text=graph.text,
                                hint="ask for the gradient only, without --order")
        i += 1
    if np.ndim(result.inputs[name]) != 0 and not plan.elementwise and not directional:
        raise GradcalcError("--order with an array input works on elementwise expressions "
                            "(each output element a function of the same input element)",
                            hint="use --hessian for the second derivatives of an array input")
    work = plan.work(graph.output)
    if work > MAX_WORK:
        _too_much(order, f"{work:,}")
    coefficients = plan.run(graph.output)
    bounds = [c.bound for c in coefficients]
    claimed = [significant_digits(c.value, c.bound) for c in coefficients[1:]]
    if work <= PRECISE_WORK and any(right is not None and right < FULL_DIGITS for right in claimed):
        # (else shown as computed, or as the carried bound allows)
        # The bound, carried with absolute values, can grow much faster than the error itself (a
        # division's recurrence: 1/(1 + x²) at order 60 has 15 right digits, the bound says 0). A
        # scalar program is run again with 50 digits: the difference is the float run's rounding;
        # forward values that lost digits are moved by their bounds; the others' few ulp are added
        # as a relative (k + 1)·4u.
        measured = plan.measured_errors(graph.output)
        if measured is not None:
            # Below the 50-digit run's own rounding (about b·u⁻¹·10⁻⁵⁰ at most) the two runs agree:
            # the float coefficient is as good as the precise one (exp(x)·exp(−x)'s first, 0).
            measured = [0.0 if e <= b * PRECISE_NOISE else e for b, e in zip(bounds, measured)]
            bounds = [np.minimum(b, e + (k + 1) * LIBRARY * abs(c.value))
                      for k, (b, e, c) in enumerate(zip(bounds, measured, coefficients))]
    return Series(result.output_name, name, order, [c.value for c in coefficients], bounds)


def _too_much(order: int, steps: str) -> None:
    raise GradcalcError(f"order {order} of this expression would take {steps} coefficient steps, more than "
                        f"{MAX_WORK:,} (a few seconds)",
                        hint="ask for a lower order (a product or a function costs about order²/2 steps) "
                             "or a smaller expression")


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
        self.cost: dict[int, int] = {}         # node → its rule's coefficient steps (_rule)

    # -- building the rules ----------------------------------------------------------------------
    def visit(self, i: int) -> None:
        graph, values = self.builder.graph, self.values
        node = graph.nodes[i]
        value = values[i]
        if type(value) is float:
            value = np.float64(value)
        zero = Bounded(np.zeros_like(value) if np.ndim(value) else np.float64(0.0))
        depends = i == self.var or (node.op is not None and any(self.depends[s] for s in node.inputs))
        self.depends.append(depends)
        start = Bounded(value, _value_bound(node, value, [self.coefficients[s][0] for s in node.inputs],
                                            [values[s] for s in node.inputs]))
        if not depends:
            self.coefficients.append([start] + [zero] * self.K)
            return
        if i == self.var:
            one = Bounded(np.ones_like(value) if np.ndim(value) else np.float64(1.0))
            self.coefficients.append([start, one] + [zero] * (self.K - 1))
            return
        self.coefficients.append([start] + [None] * self.K)
        op = node.op
        if not OPS[op].elementwise:     # element i of the output may depend on other elements
            self.elementwise = False
        rule = RULES.get(op) or (_Plan._linear if op.startswith(MOVES) else None)
        if rule is None and OPS[op].elementwise and not OPS[op].vjp:
            rule = _Plan._from_derivatives     # any function: its series from its derivative rule
        if rule is None:
            raise GradcalcError(f"--order has no Taylor rule for {OPS[op].symbol} yet", node.span,
                                text=graph.text, hint="ask for the gradient only, without --order")
        rule(self, i, node)

    def _rule(self, i: int, rule, now=(), before=(), terms: int = 0, chain: bool = False) -> None:
        """Node i's rule. Its cost over orders 1 … K, in coefficient steps: K for a rule that reads
        one coefficient per order; a sum over the orders below (a product, a quotient, a function's
        chain rule) takes k steps per term at order k, about K²/2 each; a chain of derivatives
        (_composed) about K³/6."""
        self.rules[i], self.now[i], self.before[i] = rule, tuple(now), tuple(before)
        K = self.K
        self.cost[i] = K * (K + 1) * (K + 2) // 6 if chain else terms * K * (K + 1) // 2 if terms else K

    def _alias(self, i: int, target: int) -> None:
        """Node i carries the series of `target`, the same value built from ops with rules."""
        c = self.coefficients
        self._rule(i, lambda k: c[target][k], now=(target,))

    def _linear(self, i: int, node) -> None:
        """Linear in its series inputs (+, −, sums; an axis or a shape passed as a value)."""
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
            summed = _summed(op, self.values[series], self.values[i])
            self._rule(i, lambda k: linear(forward, c[series][k], rest, summed), now=inputs[:1])

    def _joined(self, i: int, node) -> None:
        """concatenate: linear in both arrays, each coefficient theirs joined (and their bounds), the axis a value."""
        (a, b, axis), c = node.inputs, self.coefficients
        forward, along = OPS[node.op].forward, self.values[axis]

        def rule(k):
            if type(c[a][k]) is Precise or type(c[b][k]) is Precise:
                raise TypeError("concatenate has no precise run")     # (precise_run gives up)
            (va, ea), (vb, eb) = parts(c[a][k]), parts(c[b][k])
            return Bounded(forward(va, vb, along), forward(np.broadcast_to(ea, np.shape(va)),
                                                           np.broadcast_to(eb, np.shape(vb)), along))
        self._rule(i, rule, now=(a, b))

    def _chosen(self, i: int, node) -> None:
        """max, min: piecewise linear, the series of the chosen element(s)."""
        (x,), c = node.inputs, self.coefficients
        weights = numbers_local(OPS[node.op].local[0], [self.values[x]], self.values[i])
        self._rule(i, lambda k: weighted_sum(weights, c[x][k]), now=(x,))

    def _rewritten(self, i: int, node) -> None:
        """The series of the same value rebuilt from ops with rules (softmax from exp, sum and ÷)."""
        self._alias(i, REWRITES[node.op](self.builder, *node.inputs))

    def _where(self, i: int, node) -> None:
        """where(c, a, b): the series of the branch taken (c's value decides, as its rule does), so an
        untaken branch undefined here (log(x) at 0 in where(x > 0, log(x), 0)) is never read."""
        (cond, a, b), c = node.inputs, self.coefficients
        taken = np.asarray(self.values[cond]) != 0
        if taken.ndim == 0:
            self._alias(i, a if taken else b)
            return

        def rule(k):
            (va, ea), (vb, eb) = parts(c[a][k]), parts(c[b][k])
            return Bounded(np.where(taken, va, vb), np.where(taken, ea, eb))
        self._rule(i, rule, now=(a, b))

    def _bilinear(self, i: int, node) -> None:
        forward, (a, b), c = OPS[node.op].forward, node.inputs, self.coefficients
        inner = _inner(node.op, self.values[a])
        if not self.depends[b]:
            self._rule(i, lambda k: bilinear(forward, c[a][k], c[b][0], inner), now=(a,))
        elif not self.depends[a]:
            self._rule(i, lambda k: bilinear(forward, c[a][0], c[b][k], inner), now=(b,))
        else:
            def rule(k, ca=c[a], cb=c[b]):
                total = bilinear(forward, ca[0], cb[k], inner)
                for j in range(1, k + 1):
                    total = total + bilinear(forward, ca[j], cb[k - j], inner)
                return total
            self._rule(i, rule, now=(a, b), terms=1)

    def _div(self, i: int, node) -> None:
        (a, b), c = node.inputs, self.coefficients
        if not self.depends[b]:
            self._rule(i, lambda k: c[a][k] / c[b][0], now=(a,))
            return

        def rule(k, ca=c[a], cb=c[b], cy=c[i]):   # y·b = a, solved for y_k
            total = ca[k]
            for j in range(k):
                total = total - cy[j] * cb[k - j]
            return total / cb[0]
        self._rule(i, rule, now=(a, b), terms=1)

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
                return total / (k * ca[0])
            self._rule(i, rule, now=(a,), terms=1)
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
            values = np.array([np.ravel(parts(c[a][j])[0]) for j in range(k + 1)])   # (k + 1, elements)
            bounds = np.array([np.ravel(parts(c[a][j])[1]) * np.ones(values.shape[1]) for j in range(k + 1)])
            return product_series([[Bounded(v, e) for v, e in zip(vs, es)]
                                   for vs, es in zip(values.T, bounds.T)], k)
        self._rule(i, rule, now=(a,), terms=int(np.size(self.values[a])))

    def _composed(self, i: int, node) -> None:
        """y = f(u) for an f whose derivatives of every order at u₀ come at once (SERIES: ψ⁽ⁿ⁾'s m-th
        is ψ⁽ⁿ⁺ᵐ⁾(u₀), where the derivative rule would add ψ⁽ⁿ⁺¹⁾(u), ψ⁽ⁿ⁺²⁾(u), … without end).
        _from_derivatives' recurrence down the chain g_j = f⁽ʲ⁾(u), g_j's series needed to order K − j:
        [g_j]_k = (1/k)·Σ_{i=1..k} i·u_i·[g_{j+1}]_{k−i}, [g_j]_0 = f⁽ʲ⁾(u₀). (The powers of u − u₀,
        Faà di Bruno's way, cancel: digamma(exp(x)) kept 8 digits at order 12, this 15.)"""
        *rest, u = node.inputs
        if any(self.depends[s] for s in rest):
            raise GradcalcError(f"--order has no Taylor rule for {OPS[node.op].symbol} of a moving order",
                                node.span, text=self.builder.graph.text)
        values, bounds = SERIES[node.op](*[self.values[s] for s in node.inputs], self.K + 1)
        c, chains = self.coefficients, {}

        def rule(k):
            cu = c[u]
            if type(cu[k]) is Precise:
                # f's derivatives are floats whose rounding a 50-digit run cannot see: the bound
                # carried from theirs stands (precise_run gives up on a TypeError)
                raise TypeError(f"{node.op} has no precise run")
            if k == 1:          # a fresh chain for each run
                chains[0] = [[Bounded(v, b)] for v, b in zip(values, bounds)]
            g = chains[0]
            for j in range(k - 1, -1, -1):          # g_j's coefficient k − j, from g_{j+1}'s below it
                order, below = k - j, g[j + 1]
                total = cu[1] * below[order - 1]
                for step in range(2, order + 1):
                    total = total + (step * cu[step]) * below[order - step]
                g[j].append(total / order)
            return g[0][k]
        self._rule(i, rule, now=(u,), chain=True)

    def _from_derivatives(self, i: int, node) -> None:
        """y_k = (1/k)·Σ over moving inputs u of Σ_{j=1..k} j·u_j·[∂y/∂u]_{k−j}."""
        builder, c, op = self.builder, self.coefficients, OPS[node.op]
        terms = []
        for position, u in enumerate(node.inputs):
            if self.depends[u]:
                terms.append((u, op.derivative(builder, position, node.inputs, i)))

        def rule(k):
            total = None
            for u, d in terms:
                cu, cd = c[u], c[d]
                for j in range(1, k + 1):
                    part = (j * cu[j]) * cd[k - j]
                    total = part if total is None else total + part
            return total / k
        self._rule(i, rule, now=tuple(u for u, _ in terms), before=tuple(d for _, d in terms),
                   terms=len(terms))

    # -- running them ----------------------------------------------------------------------------
    def work(self, output: int) -> int:
        """The coefficient steps run(output) takes (each rule's cost, _rule)."""
        return sum(self.cost[i] for i in self._order(output))

    def run(self, output: int) -> list[Value]:
        order = self._order(output)
        c = self.coefficients
        with np.errstate(all="ignore"):
            for k in range(1, self.K + 1):
                for i in order:
                    found = self.rules[i](k)
                    c[i][k] = found if type(found) is Bounded else Bounded(found)
        self._check_finite(order, output)
        return list(c[output])

    def precise_run(self, output: int, shifts: dict[int, float] | None = None) -> list | None:
        """The output's c_0 … c_K by the same rules on 50-digit decimals (roundoff.Precise), from the
        same forward values (node i's moved by shifts[i]). None for a program with arrays, an op
        without a precise run, or a division by 0."""
        c = self.coefficients
        if any(row[0] is not None and np.ndim(row[0].value) for row in c):
            return None
        order, saved = self._order(output), [list(row) for row in c]
        shifts = shifts or {}
        try:
            with precise_context():
                for i, row in enumerate(c):
                    row[:] = [None if x is None else Precise(parts(x)[0]) for x in row]
                    if i in shifts:
                        row[0] = row[0] + Precise(shifts[i])
                for k in range(1, self.K + 1):
                    for i in order:
                        found = self.rules[i](k)
                        c[i][k] = found if type(found) is Precise else Precise(parts(found)[0])
                return list(c[output])
        except (TypeError, ValueError, ArithmeticError):
            return None
        finally:
            for row, kept in zip(c, saved):
                row[:] = kept

    def measured_errors(self, output: int) -> list | None:
        """A bound on |c_k − the exact coefficient| for k = 0 … K of the output, measured: the float
        run against the precise run (the recurrences' rounding), plus twice the change in two precise
        runs whose forward values are moved as their rounding may move them (_forward_shifts): the
        forward values' rounding, which a recurrence may amplify (sin(x)/x at 0.1: 10× per order)
        or which had cancelled already (exp(x) − 1 near 0). An estimate of the first-order effect,
        not a proof; the bound carried with absolute values stays the ceiling."""
        precise = self.precise_run(output)
        if precise is None:
            return None
        floats = [x.value for x in self.coefficients[output]]
        measured = [rounding_error(v, p) for v, p in zip(floats, precise)]
        for pattern in ("up", "hash"):
            shifts = self._forward_shifts(pattern)
            if shifts is None:
                return None
            if not any(shifts.values()):
                break
            shifted = self.precise_run(output, shifts)
            if shifted is None:
                return None
            measured = [e + 2 * float(abs(a.d - b.d)) for e, a, b in zip(measured, shifted, precise)]
        return measured

    def _forward_shifts(self, pattern: str) -> dict[int, float] | None:
        """Each node's forward value moved as its rounding may move it, to first order: its own
        rounding (4u·|value| for a library function, u·|value| for + − × ÷), up, or up or down by a
        hash of the value, plus its inputs' moves times its local derivatives, so neg(sin x) moves
        with sin x. None where a local derivative cannot be taken."""
        graph, values, shifts = self.builder.graph, self.values, {}
        for i, node in enumerate(graph.nodes[:len(self.coefficients)]):
            if node.op is None:
                continue
            op, value = OPS[node.op], float(values[i])
            own = 0.0 if node.op in ("neg", "pos", "identity") else \
                (U if node.op in _EXACT_OPS else LIBRARY) * abs(value)
            sign = -1.0 if pattern == "hash" and hash(value) & 1 else 1.0
            moved = sign * own
            try:
                for k, u in enumerate(node.inputs):
                    if shifts.get(u) and op.local and k < len(op.local) and op.local[k] is not None:
                        moved += float(numbers_local(op.local[k], [values[s] for s in node.inputs],
                                                     values[i])) * shifts[u]
            except (TypeError, ValueError, ArithmeticError):
                return None
            if not math.isfinite(moved):
                return None
            shifts[i] = moved
        return shifts

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

    def _check_finite(self, order: list[int], output: int) -> None:
        """Only the output's coefficients must be finite (a branch a where does not take may be
        undefined here); else the error of the first value that is not: a derivative form's (nodes.py)
        or a coefficient's."""
        if all(np.all(np.isfinite(coefficient.value)) for coefficient in self.coefficients[output]):
            return
        if self.builder.pending:
            raise self.builder.pending[min(self.builder.pending)]
        graph = self.builder.graph
        for i in sorted(order):
            for k, coefficient in enumerate(self.coefficients[i]):
                coefficient = coefficient.value
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


# Taylor rules by op, as JAX's jet keeps them: each sets how node i's coefficient k follows from
# coefficients already known. An elementwise op without an entry takes its series from its derivative
# rule (_Plan._from_derivatives), so a new function needs none.
RULES: dict[str, Callable] = {}
LINEAR: dict[str, int | None] = {}    # op → how many leading inputs are series (None: all of them)
BILINEAR: set[str] = set()             # linear in each input separately: the Cauchy product
# Ops made per index (x[0], its scatter back, x[y], its adding back) only move elements: linear in
# their first input, the others (the indices, the zeros' shape) taken as values.
MOVES = ("index[", "scatter[", "take[", "added_at[")


def deflinear(*ops: str, series: int | None = None) -> None:
    """Ops that act on each coefficient alone; with `series`, only the first inputs are series."""
    for op in ops:
        LINEAR[op], RULES[op] = series, _Plan._linear


def defbilinear(*ops: str) -> None:
    for op in ops:
        BILINEAR.add(op)
        RULES[op] = _Plan._bilinear


# Ops whose value is rebuilt from ops with rules (the same value, so the same series).
REWRITES = {"softmax": _softmax, "logsumexp": _logsumexp, "cross_entropy": _cross_entropy,
            "norm": _norm, "var": _var, "std": _std}

deflinear("identity", "pos", "neg", "add", "sub", "sum", "mean", "sum_last", "transpose", "transpose_all")
deflinear("sum_axis", "mean_axis", "sum_to", "expand_axis", "reshape", "squeeze", "unsqueeze", series=1)
deflinear("squeeze_all")
LINEAR["concatenate"], RULES["concatenate"] = 2, _Plan._joined
deflinear("permute", "swap_axes", "cumsum", "rcumsum", "masked_rows", series=1)
deflinear("terms", "terms_columns", "repeated", "some_case", series=1)   # a LaTeX sum's first n terms; n copies; a case
defbilinear("mul", "matmul", "outer")
# Functions whose derivatives at a point come all at once: op → (*input values, count) →
# (f(u₀), f′(u₀), … f⁽ᶜᵒᵘⁿᵗ⁻¹⁾(u₀), a rounding bound for each); the last input moves, the others are fixed.
SERIES: dict[str, Callable] = {}


def defseries(op: str, coefficients: Callable) -> None:
    SERIES[op], RULES[op] = coefficients, _Plan._composed


defseries("digamma", lambda u0, count: psi_derivatives(0, u0, count))
defseries("polygamma", psi_derivatives)
defseries("lgamma", lgamma_derivatives)
RULES.update({"div": _Plan._div, "pow": _Plan._pow, "prod": _Plan._prod, "max": _Plan._chosen,
              "min": _Plan._chosen, "where": _Plan._where, "if_else": _Plan._where}, **dict.fromkeys(REWRITES, _Plan._rewritten))


def _summed(op: str, value, out) -> int:
    """How many elements a linear op adds into each of its output's (1 for neg, transpose …)."""
    if op in ("cumsum", "rcumsum"):     # up to the length of the axis added into each element
        return max(np.shape(value) or (1,))
    if op in ("sum", "mean", "sum_last", "sum_axis", "mean_axis", "sum_to"):
        return max(int(np.size(value)) // max(int(np.size(out)), 1), 1)
    return 1


def _inner(op: str, a) -> int:
    """How many products @ adds into each element of its result (1 for × and outer)."""
    return int(np.shape(a)[-1]) if op == "matmul" and np.ndim(a) else 1


def _largest(value) -> float:
    return float(np.max(np.abs(value)))


_EXACT_OPS = ("add", "sub", "mul", "div", "neg", "pos", "identity")


def _value_bound(node, value, inputs: list[Bounded], input_values: list) -> Value:
    """A bound on the rounding error of a node's forward value, from its inputs' bounds: through the
    same arithmetic for + − × ÷ and the linear ops, |∂f/∂u|·bound + a few ulp for a function."""
    zero = np.zeros_like(value) if np.ndim(value) else np.float64(0.0)
    if node.op is None:      # an input or a constant: the expression is taken at these floats
        return zero
    op = OPS[node.op]
    try:
        with np.errstate(all="ignore"):
            if node.op in _EXACT_OPS:
                return _shaped(parts(op.forward(*inputs))[1], value)
            if node.op == "concatenate":      # two arrays joined: their bounds joined
                (_, ea), (_, eb) = parts(inputs[0]), parts(inputs[1])
                return _shaped(op.forward(np.broadcast_to(ea, np.shape(input_values[0])),
                                          np.broadcast_to(eb, np.shape(input_values[1])), input_values[2]), value)
            if node.op in LINEAR or node.op.startswith(MOVES):
                summed = _summed(node.op, input_values[0], value)
                return _shaped(linear(op.forward, inputs[0], input_values[1:], summed).bound, value)
            if node.op in BILINEAR:
                return _shaped(bilinear(op.forward, inputs[0], inputs[1],
                                        _inner(node.op, input_values[0])).bound, value)
            if op.local and not op.vjp:
                spread = LIBRARY * abs(value)
                for k, local in enumerate(op.local):
                    bound = parts(inputs[k])[1]
                    if local is None or not np.any(bound):
                        continue
                    slope = abs(numbers_local(local, input_values, value))
                    moved = np.where(slope == 0, 0.0, slope * bound)    # a branch not taken moves nothing
                    spread = spread + (moved if op.elementwise else np.sum(moved))
                if not op.elementwise:
                    spread = spread + max(int(np.size(v)) for v in input_values) * U * abs(value)
                return _shaped(spread, value)
            # softmax, logsumexp, cross_entropy: at most twice the largest input error, and a few ulp
            # per element summed.
            largest = max((_largest(parts(b)[1]) for b in inputs), default=0.0)
            n = max(int(np.size(v)) for v in input_values)
            return _shaped(4 * n * U * abs(value) + 2 * largest * (1 + abs(value)), value)
    except (ValueError, TypeError, ArithmeticError):
        return _shaped(np.inf, value)     # no bound known: no digit is claimed


def _shaped(bound, value):
    bound = np.abs(bound)
    if np.ndim(value) == 0:
        return np.float64(np.max(bound)) if np.ndim(bound) else np.float64(bound)
    return np.broadcast_to(bound, np.shape(value)).copy() if np.shape(bound) != np.shape(value) else bound


def _ordinal(k: int) -> str:
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def _described(graph, i: int) -> str:
    node = graph.nodes[i]
    start, end = node.span
    written = graph.text[start:end]
    return repr(written) if written and len(written) <= 60 else "this expression"
