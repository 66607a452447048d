"""NodeBuilder: adds nodes to a graph with their values, for the graph-building reverse walk (Hessians,
--order, --symbolic, forward mode's transposed rules)."""

from __future__ import annotations

import math

import numpy as np

from .errors import GradcalcError, MathError, Span
from .evaluate import Value, needs_grad
from .graph import Graph
from .numbers import format_value
from .ops import OPS, InputError

# Derivative nodes one request may add (at least, and per node of the program): bounds time and
# memory. Each order of --order can double the graph, so a high order of tanh(x) stops here, in seconds.
MAX_NODES, MAX_NODES_PER_NODE = 50_000, 4
# Nodes all graph-building backward passes of one request may visit (at least, and per program node):
# a high order of a long expression walks the whole chain once per order.
MAX_VISITS, MAX_VISITS_PER_NODE = 300_000, 3


def _finite(value) -> bool:
    if type(value) is np.float64 or type(value) is float:     # the common case, fast
        return math.isfinite(value)
    return bool(np.all(np.isfinite(value)))


def _shape(value) -> tuple[int, ...]:
    return () if type(value) is np.float64 else np.shape(value)   # the common case, fast


class NodeBuilder:
    """Adds nodes to a graph and computes each one's value at once.

    Kept small on purpose: constants are folded, x·1, x + 0, x·0 and −(−x) are simplified, and a node
    asked for twice (same op, same inputs) is made once — so derivative graphs stay close to the
    size of the expression instead of doubling with every product rule.
    """

    def __init__(self, graph: Graph, values: list[Value], limit: int | None = None,
                 wrt: tuple[str, ...] = ()):
        self.graph, self.values = graph, values
        self.needs = needs_grad(graph, wrt)   # with --wrt, only what depends on those inputs
        self.span: Span = (0, len(graph.text))   # where a new node comes from, for error carets
        self.added = 0
        self.visits = 0
        self.visit_limit = max(MAX_VISITS, MAX_VISITS_PER_NODE * len(graph.nodes))
        self._limit = limit or max(MAX_NODES, MAX_NODES_PER_NODE * len(graph.nodes))
        self._made: dict[tuple, int] = {}
        # Nodes whose value is not finite, with the error of the first such value they came from.
        # Not an error yet: a product with 0 (a derivative that does not flow, into a branch a where
        # did not take) makes it 0, as the backward pass on numbers does. Read an asked-for
        # derivative through `checked`; any other use of such a node raises at once.
        # The program's own such values (a log(0) the forward pass let be, untaken) join when first met.
        self.pending: dict[int, MathError] = {}

    def adopt(self) -> None:
        """Let a node asked for again find the graph's own nodes too, not only those built here."""
        for node in self.graph.nodes:
            if node.op is not None:
                self._made.setdefault((node.op, node.inputs), node.id)

    # -- constants ---------------------------------------------------------------------------
    def const(self, value) -> int:
        if type(value) is float or np.ndim(value) == 0:
            value = np.float64(value)
            key = ("const", float(value))
        else:
            value = np.asarray(value, dtype=np.float64)
            key = ("const", value.shape, value.tobytes())
        node = self._made.get(key)
        if node is None:
            node = self._made[key] = self._new(None, (), value)
            self.graph.constants[node] = value
        return node

    def ones_like(self, node: int) -> int:
        value = self.values[node]
        return self.const(np.ones_like(value) if np.ndim(value) else 1.0)

    def constant_value(self, node: int):
        """The value of a constant node (a literal or a folded one), else None."""
        return self.graph.constants.get(node)

    def is_const(self, node: int, number: float) -> bool:
        """Whether the node is a constant equal to `number` everywhere."""
        value = self.graph.constants.get(node)
        if value is None:
            return False
        return value == number if type(value) is np.float64 else bool(np.all(value == number))

    def _result_shape(self, inputs: tuple[int, ...]) -> tuple[int, ...]:
        shapes = [_shape(self.values[i]) for i in inputs]
        return shapes[0] if all(s == shapes[0] for s in shapes) else np.broadcast_shapes(*shapes)

    def keep(self, node: int, *inputs: int) -> int | None:
        """`node` if it has the shape of an elementwise result of `inputs` (so it can stand for it)."""
        return node if _shape(self.values[node]) == self._result_shape(inputs) else None

    def filled(self, number: float, *inputs: int) -> int:
        """A constant `number` in the shape of an elementwise result of `inputs`."""
        shape = self._result_shape(inputs)
        return self.const(np.full(shape, number) if shape else number)

    # -- operations --------------------------------------------------------------------------
    def __call__(self, op: str, *inputs: int) -> int:
        simpler = self._simplify(op, inputs)
        if simpler is not None:
            return simpler
        key = (op, inputs)
        if key in self._made:
            return self._made[key]
        args = [self.values[i] for i in inputs]
        try:
            with np.errstate(all="ignore"):
                value = OPS[op].forward(*args)
        except InputError as error:   # a derivative that needs what the op refuses: at the node it is for
            raise error.at(self.span, self.graph.text) from None
        finite = _finite(value)
        if finite:
            came_from = [i for i in inputs if i in self.pending]
        else:
            came_from = [i for i in inputs if not _finite(self.values[i])]
            if came_from and op == "mul":
                value = self._not_flowing(value, *args)
                finite = _finite(value)
        if finite and all(self.constant_value(i) is not None for i in inputs):
            return self.const(value)          # constant folding
        if finite and came_from and op != "mul":
            raise self._pending_error(came_from[0])
        node = self._new(op, inputs, value)
        self._made[key] = node
        if not finite:
            self.pending[node] = self._pending_error(came_from[0]) if came_from else self._error(op, args, value)
        return node

    def _pending_error(self, node: int) -> MathError:
        error = self.pending.get(node)
        if error is None:     # the program's own value
            made = self.graph.nodes[node]
            error = self.pending[node] = self._error(made.op, [self.values[i] for i in made.inputs],
                                                     self.values[node], made.span)
        return error

    @staticmethod
    def _not_flowing(value, a, b):
        """a × b with 0 wherever either factor is 0, even where the other is inf or nan: a derivative
        that does not flow (into a branch a where did not take) is 0, as the backward pass says."""
        zero = (np.asarray(a) == 0) | (np.asarray(b) == 0)
        if not zero.any():
            return value
        found = np.where(zero, 0.0, value)
        return found if found.ndim else np.float64(found)

    def _error(self, op: str, args: list, value, span: Span | None = None) -> MathError:
        shown = ", ".join(format_value(a) for a in args)
        return MathError(f"a derivative is not finite: {OPS[op].symbol} of {shown} is {format_value(value)}",
                         span or self.span, text=self.graph.text,
                         hint="the expression is not differentiable that often here; try another point")

    def checked(self, node: int) -> int:
        """`node`, unless its value is not finite: then the error of the value it came from."""
        if node in self.pending or not _finite(self.values[node]):
            raise self._pending_error(node)
        return node

    def _new(self, op: str | None, inputs: tuple[int, ...], value) -> int:
        self.added += 1
        if self.added > self._limit:
            raise GradcalcError(f"the derivative graph grew past {self._limit} nodes (each order of "
                                f"differentiation can double it)",
                                hint="ask for a smaller expression (with --order, a lower order)")
        node = self.graph.add(op, inputs, self.span)
        self.values.append(value)
        self.needs.append(any(self.needs[i] for i in inputs))
        return node

    def _simplify(self, op: str, inputs: tuple[int, ...]) -> int | None:
        """x + 0 → x, x·1 → x, x·0 → 0, …: each op's own rule (`simplify` in OPS)."""
        rule = OPS[op].simplify
        return None if rule is None else rule(self, *inputs)
