"""Forward and backward passes over a Graph: plain loops in creation (topological) order."""

from __future__ import annotations

import math
from array import array
from itertools import islice, pairwise

from .errors import GradcalcError, MathError
from .graph import AT_MOST_ONE, Graph, gc_paused
from .graph import Node as ProgramNode
from .limits import exceeded
from .numbers import format_shape, format_value
from .ops import OPS, InputError, sum_to
from .ops.rules import NUMBERS, LazyLocal, Node, NoGraphForm, nodes, numbers_local
from .xp import np

# Annotations are text (from __future__ import annotations), so `typing` is imported only by a type
# checker: a plain question does not pay for it.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    Value = Any  # a float (np.float64 on the numpy path) for a scalar, np.ndarray for an array
    # Batch evaluation passes `on_nonfinite(value, error_at)` to mark failing rows instead of raising;
    # error_at(i) is the MathError the single point in row i (axis 0) would have raised.
    NonFinite = Callable[[Value, Callable[[int], MathError]], None]
else:
    Value = object   # the name other modules import for their annotations


class Step:
    """One edge of the backward pass: upstream × local = flowing, added into the input's gradient.
    Made when read, from a Steps' columns."""

    __slots__ = ("node", "input", "k", "upstream", "_local", "flowing", "accumulated")

    def __init__(self, node: int, input: int, k: int, upstream: Value, local: Value, flowing: Value,
                 accumulated: Value):
        self.node = node                # the node whose gradient is being passed back
        self.input = input              # the input it flows into
        self.k = k                      # which input of the node (0 for the left operand)
        self.upstream = upstream        # ∂out/∂node
        self._local = local             # ∂node/∂input, or a LazyLocal read when first asked for
        self.flowing = flowing          # what this edge contributes to ∂out/∂input
        self.accumulated = accumulated  # ∂out/∂input summed over the edges seen so far

    @property
    def local(self) -> Value:
        """∂node/∂input; for an op with a vector-Jacobian rule, the factor its rule multiplies the
        upstream by, worked out only if a table, the JSON or a diagnosis asks for it (-q never does)."""
        local = self._local
        return local.value() if type(local) is LazyLocal else local


class Steps:
    """The edges of one backward pass in the order it took them, read as a sequence of Step: len,
    `steps[i]`, slices and iteration make each Step when asked for (`Step(*columns at i)`).

    Kept as columns: node and input ids and each edge's k in arrays of machine integers, the four
    values in lists. A Step object an edge (and a Python int for its input) was ~150 bytes, most of a
    10⁵-term sum's --json memory; the columns hold ~41."""

    __slots__ = ("nodes", "inputs", "ks", "upstreams", "locals", "flowings", "totals")

    def __init__(self):
        self.nodes, self.inputs, self.ks = array("i"), array("i"), array("B")
        self.upstreams: list = []
        self.locals: list = []
        self.flowings: list = []
        self.totals: list = []

    def add(self, node: int, input: int, k: int, upstream: Value, local: Value, flowing: Value,
            total: Value) -> None:
        try:
            self.ks.append(k)
        except OverflowError:   # an op of more than 255 inputs: its k is a C int
            self.ks = array("i", self.ks)
            self.ks.append(k)
        self.nodes.append(node)
        self.inputs.append(input)
        self.upstreams.append(upstream)
        self.locals.append(local)
        self.flowings.append(flowing)
        self.totals.append(total)

    def __len__(self) -> int:
        return len(self.nodes)

    def __getitem__(self, index):
        if type(index) is slice:
            return list(map(Step, *(column[index] for column in self.columns())))
        return Step(*(column[index] for column in self.columns()))

    def __iter__(self):
        return map(Step, *self.columns())

    def columns(self) -> tuple:
        """The columns in Step's order (node, input, k, upstream, local, flowing, accumulated)."""
        return self.nodes, self.inputs, self.ks, self.upstreams, self.locals, self.flowings, self.totals

    def by_node(self) -> Callable[[int], list[Step]]:
        """node id → its steps in the order the pass took them, asked for every node in increasing
        id order (--json). The pass takes each node's edges together, nodes from the last: then the
        columns read backwards give them in that order (each node's reversed), with no index; any
        other order (a diagnosis's) gets a dictionary."""
        nodes = self.nodes
        if all(b <= a for a, b in pairwise(nodes)):
            end, backwards = len(nodes), map(Step, *map(reversed, self.columns()))

            def edges(node_id: int) -> list[Step]:
                nonlocal end
                start = end
                while start > 0 and nodes[start - 1] == node_id:
                    start -= 1
                count, end = end - start, start
                if count < 2:       # most nodes: one edge, or none (an input, a constant)
                    return [next(backwards)] if count else []
                found = list(islice(backwards, count))
                found.reverse()
                return found
            return edges
        where: dict[int, list[Step]] = {}
        for step in self:
            where.setdefault(step.node, []).append(step)
        return lambda node_id: where.get(node_id, [])


_ZERO = (0.0,)   # array("d", _ZERO) * n: n zeros, with no n-sized bytes made first


def _finite(value) -> bool:
    if isinstance(value, float):   # a Python float or np.float64
        return math.isfinite(value)
    # inf and nan survive a sum: one pass with no array of booleans, and no np.all wrapper (a few µs
    # a call at small sizes). Only a sum that is not finite (finite numbers can add up to inf) is
    # looked at element by element.
    total = value.sum() if type(value) is np.ndarray else np.sum(value)
    return math.isfinite(total) or bool(np.isfinite(value).all())


def floats_path(graph: Graph, inputs: dict[str, Value]) -> bool:
    """True if the program runs on Python floats without numpy: every input and constant a Python
    float (not an array literal), every op one whose `floats` says it gives numpy's digits on them
    (gradcalc.xp). Chosen once per evaluation."""
    return all(type(value) is float for value in inputs.values()) and \
        all(type(value) is float for value in graph.constants.values()) and \
        all(OPS[op].floats for op in set(graph.nodes.ops) if op is not None)


def _row_error(make, graph, node, op, args, result, *extra) -> Callable[[int], MathError]:
    """The error one row's point would raise: the same message as evaluating that point alone."""
    row = lambda value, i: value[i] if np.ndim(value) else value  # noqa: E731
    return lambda i: make(graph, node, op, [row(a, i) for a in args], row(result, i), *extra)


class _NoArrays:
    """The array type of an evaluation on Python floats: nothing is one (and numpy is not imported)."""


class _unguarded:
    """No numpy error state to set on the float path (a class: contextlib is an import to skip)."""

    __slots__ = ()

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc_info) -> None:
        pass


def forward(graph: Graph, inputs: dict[str, Value], on_nonfinite: NonFinite | None = None
            ) -> list[Value]:
    """A value at every node. Raises MathError at the first node whose value is not finite (unless
    only a branch a where does not take holds it).

    Python floats throughout if `floats_path` allows (then the values are an array('d'), read as a
    list of floats), else numpy (np.float64 for scalars) in a list."""
    constants = graph.constants
    if floats_path(graph, inputs):
        scalar, ndarray, errors = float, _NoArrays, _unguarded()
        # 8 bytes a value, where a list's slot and a float object take 40: a 10⁵-term sum's 5·10⁵ values
        values = array("d", _ZERO) * len(graph.nodes)
    else:
        scalar, ndarray, errors = np.float64, np.ndarray, np.errstate(all="ignore")
        inputs = {name: scalar(v) if type(v) is float else v for name, v in inputs.items()}
        constants = {node: scalar(v) if type(v) is float else v for node, v in constants.items()}
        values: list[Value] = [None] * len(graph.nodes)
    limits, total = graph.limits, 0    # total: numbers held in array values so far
    nonfinite: list[int] = []          # nodes whose value is not finite, judged once all are known
    row_errors: dict = {}              # a batch's: node → the error of its row i
    arg, isfinite, whole = values.__getitem__, math.isfinite, on_nonfinite is None
    arrays = ndarray is not _NoArrays     # (on floats, no look at the types of every node's inputs)
    nodes = graph.nodes
    names, input_ids = nodes.names, nodes.input_ids
    with errors, gc_paused():
        # the inputs off the columns: two (second ≥ 0), at most one (first, or none), or more
        for node_id, op_name, first, second in zip(range(len(values)), nodes.ops, nodes.left, nodes.right):
            if op_name is None:
                values[node_id] = constants[node_id] if node_id in constants else inputs[names[node_id]]
                continue
            op = OPS[op_name]
            if second >= 0:
                args = [values[first], values[second]]
            elif second == AT_MOST_ONE and first >= 0:
                args = [values[first]]
            else:
                args = list(map(arg, input_ids(node_id)))   # a list comprehension is a function call in 3.11
            if arrays and len(args) > 1 and ndarray in map(type, args):
                if node_id in graph.written_products and whole:
                    op_name, op = _written_product(graph, nodes[node_id], args)
                # Broadcasting or a matrix product can make a result far larger than its inputs:
                # refuse before numpy allocates it.
                size = _result_size(op_name, args)
                if size > limits.elements:
                    raise exceeded("elements", size, f"the result of {op.symbol}", limits,
                                   nodes.span(node_id), graph.text)
            try:
                out = op.forward(*args)
            except ValueError as error:  # numpy's way of saying the shapes do not fit (or an InputError)
                raise _shape_error(graph, nodes[node_id], op, args, error) from None
            except ArithmeticError:      # Python's float rules, should an op still raise on a float
                out = scalar(math.inf)
            # Scalars (the common case) skip numpy's array check: np.isfinite costs ~30× more. An array
            # made by an op that keeps finite values finite needs no pass over it: its inputs had one,
            # and one that was not finite is an error anyway where it is used (a batch judges each row
            # by what its values became, so it looks at every array).
            if not (isfinite(out) if type(out) is scalar else op.keeps_finite and whole or _finite(out)):
                nonfinite.append(node_id)
                if on_nonfinite is not None:     # a batch: judged row by row below, the same way
                    row_errors[node_id] = _row_error(_math_error, graph, nodes[node_id], op, args, out)
                # else not yet an error: a branch a where does not take may be undefined here (the
                # JAX FAQ's where(x > 0, log(x), 0) at x = 0); _untaken_only decides below.
            if type(out) is ndarray:
                total += out.size
                if total > limits.total:
                    raise exceeded("total", total, "the forward pass", limits, nodes.span(node_id), graph.text)
            values[node_id] = out
    if graph.axis_or_number and whole:
        _one_reading(graph, values)
    if nonfinite and on_nonfinite is None:
        _untaken_only(graph, values, nonfinite)
    elif nonfinite:
        _untaken_rows(graph, values, nonfinite, row_errors, on_nonfinite)
    return values


def _written_product(graph: Graph, node: ProgramNode, args: list[Value]):
    """A product written as notes write it, `W x` or `a·b`, of two arrays: their matrix product, as
    notes mean it (Wx, xᵀAx, a·b); the node becomes a matmul. Two vectors side by side with no
    operator have more than one reading, so they are refused."""
    if not (np.ndim(args[0]) and np.ndim(args[1])):
        return node.op, OPS[node.op]       # a number times an array: the product it always was
    written = graph.written_products[node.id]
    left, right = (" ".join(graph.text[slice(*graph.nodes[i].span)].split()) for i in node.inputs)
    vectors = np.ndim(args[0]) == np.ndim(args[1]) == 1
    if not written and vectors and not _row_vector(graph, node.inputs[0]):
        raise GradcalcError(f"{left} {right} writes two vectors side by side, which has more than one "
                            f"reading", node.span,
                            hint=f"for their dot product write {left}@{right}, for the elementwise product "
                                 f"{left}*{right}", text=graph.text)
    graph.nodes[node.id] = ProgramNode(node.id, "matmul", node.inputs, node.name, node.span)
    del graph.written_products[node.id]
    if not any(_AS_NOTES in note for note in graph.notes):    # said once: the first says how
        graph.notes.append(f"{left}{' ' + written + ' ' if written else ' '}{right} is read as "
                           f"{left}@{right}, the {'dot' if vectors else 'matrix'} product: {_AS_NOTES}; "
                           f"for the elementwise product write {left}*{right}")
    return "matmul", OPS["matmul"]


def _one_reading(graph: Graph, values: list[Value]) -> None:
    """Refuse max(X, 1) (or min) where X is an array with an axis 1: NumPy's max along it, as sum(X, 1)
    and np.max(X, 1) read it, or the larger of X and 1, as Python's max of two values reads it."""
    for node_id, number in graph.axis_or_number.items():
        node = graph.nodes[node_id]
        first = graph.nodes[node.inputs[0]]
        if -np.ndim(values[first.id]) <= number < np.ndim(values[first.id]):
            name = "max" if node.op == "maximum" else "min"
            array = " ".join(graph.text[slice(*first.span)].split())
            raise GradcalcError(f"{name}({array}, {number}) has two readings: {array} is an array with "
                                f"an axis {number}", node.span,
                                hint=f"for the {'largest' if name == 'max' else 'smallest'} along axis "
                                     f"{number} write {name}({array}, axis={number}); for the elementwise "
                                     f"{name}imum of {array} and {number} write {name}imum({array}, {number})",
                                text=graph.text)


_AS_NOTES = "two arrays side by side (or with ·) multiply as matrices, as notes write them"


def _row_vector(graph: Graph, node_id: int) -> bool:
    """A vector written as a row: xᵀ, or a product, quotient or sign of one (xᵀA, −wᵀ, y wᵀ, 2wᵀ/3), so
    xᵀy, xᵀAx and the logistic loss's −y wᵀx are dot products. A few nodes deep at most: this is asked
    of each vector written beside another."""
    stack, looked = [node_id], 0
    while stack and looked < 64:
        node = graph.nodes[stack.pop()]
        looked += 1
        if node.op in ("transpose", "transpose_all"):
            return True
        if node.op in ("neg", "pos", "mul", "matmul") or node.id in graph.written_products:
            stack += node.inputs
        elif node.op == "div":
            stack.append(node.inputs[0])
    return False


def _untaken_rows(graph: Graph, values: list[Value], nonfinite: list[int], row_errors: dict,
                  on_nonfinite: NonFinite) -> None:
    """_untaken_only for a batch (one point per row): a row fails where a value not finite reaches
    anything but a branch of a where, or the output, or nothing (then it is reported for that row)."""
    bad = set(nonfinite)
    rows = {node_id: ~np.isfinite(values[node_id]) for node_id in nonfinite}
    failing = {node_id: np.zeros_like(mask) for node_id, mask in rows.items()}
    carried, used = _carried(graph, bad)
    for node_id, src in carried:              # rows this consumer swallowed (1/inf = 0)
        failing[src] = failing[src] | (rows[src] & np.isfinite(values[node_id]))
    for node_id in nonfinite:
        if node_id == graph.output or node_id not in used:
            failing[node_id] = rows[node_id]
    for node_id in reversed(nonfinite):      # each failing row told by the value it came from
        node = graph.nodes[node_id]
        for k, src in enumerate(node.inputs):
            if src in bad and not (node.op in _CHOOSING and k > 0):
                moved = failing[node_id] & rows[src]
                failing[src] = failing[src] | moved
                failing[node_id] = failing[node_id] & ~moved
    for node_id in nonfinite:
        if np.any(failing[node_id]):
            on_nonfinite(np.where(failing[node_id], np.nan, 0.0), row_errors[node_id])


_CHOOSING = ("where", "if_else")     # where(c, a, b) and Python's a if c else b: a branch may be undefined


def _untaken_only(graph: Graph, values: list[Value], nonfinite: list[int]) -> None:
    """Raise the MathError of the value that is not finite, unless each such value only feeds a
    branch of a where (or a value itself not finite that does): where(c, a, b) discards a where c
    is false, so a there may be inf or nan. The output itself must be finite."""
    read = _values_read(graph, values)
    nonfinite = [node_id for node_id in nonfinite if read[node_id]]
    bad = set(nonfinite)
    carried, used = _carried(graph, bad)
    for node_id, src in carried:
        if node_id not in bad:
            raise _root_error(graph, values, bad, src)
    for node_id in nonfinite:     # the output, or a value nothing uses (t = log(x) beside the output)
        if node_id == graph.output or node_id not in used:
            raise _root_error(graph, values, bad, node_id)


def _values_read(graph: Graph, values: list[Value]) -> bytearray:
    """1 for each node whose value the output or a value nothing uses reads: through every input but
    the branch a Python conditional (a if c else b, c one number) did not take, which Python never
    evaluates. A loop unrolled to its most steps (gradcalc/pyflow.py) computes its steps after the
    loop ended in such branches: factorial(171) there is no overflow of the program's."""
    nodes = graph.nodes
    ops, input_ids = nodes.ops, nodes.input_ids
    read = bytearray(b"\x01") * len(ops)      # at first, 1 for each node nothing reads (and the output)
    for node_id, op in enumerate(ops):
        if op is not None:
            for src in input_ids(node_id):
                read[src] = 0
    if 0 <= graph.output < len(ops):
        read[graph.output] = 1
    for node_id in range(len(ops) - 1, -1, -1):
        if not read[node_id] or ops[node_id] is None:
            continue
        inputs = input_ids(node_id)
        if ops[node_id] == "if_else" and not np.ndim(taken := values[inputs[0]]):
            inputs = (inputs[0], inputs[1] if taken else inputs[2])
        for src in inputs:
            read[src] = 1
    return read


def _carried(graph: Graph, bad: set[int]) -> tuple[list[tuple[int, int]], set[int]]:
    """The edges (node, input) along which a value not finite flows on (all but a where's branches),
    in node order, and which such values are read at all."""
    carried, used = [], set()
    nodes = graph.nodes
    for node_id, op in enumerate(nodes.ops):
        if op is None:
            continue
        for k, src in enumerate(nodes.input_ids(node_id)):
            if src in bad:
                used.add(src)
                if not (op in _CHOOSING and k > 0):
                    carried.append((node_id, src))
    return carried, used


def _root_error(graph: Graph, values: list[Value], bad: set[int], node_id: int) -> MathError:
    """The error of the first node the non-finite value came from (its inputs all finite)."""
    roots, seen, stack = [], set(), [node_id]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        came_from = [i for i in graph.nodes[current].inputs if i in bad]
        if came_from:
            stack.extend(came_from)
        else:
            roots.append(current)
    node = graph.nodes[min(roots)]
    return _math_error(graph, node, OPS[node.op], [values[i] for i in node.inputs], values[node.id])


def _result_size(op: str, args: list[Value]) -> int:
    """How many numbers an op's result will hold (0 if the shapes do not fit: forward says so)."""
    shapes = [np.shape(a) for a in args]
    if op != "matmul" and shapes.count(shapes[0]) == len(shapes):
        return math.prod(shapes[0])   # same shapes, nothing to broadcast (a stacked batch's every node)
    try:
        if op == "matmul" and len(shapes) == 2 and all(shapes):
            a, b = shapes
            batch = np.broadcast_shapes(a[:-2], b[:-2])
            return math.prod(batch) * (a[-2] if len(a) > 1 else 1) * (b[-1] if len(b) > 1 else 1)
        return math.prod(np.broadcast_shapes(*shapes))
    except ValueError:
        return 0


def needs_grad(graph: Graph, wrt: tuple[str, ...] = ()) -> bytearray:
    """Which nodes depend on an input variable (on one named in `wrt`, if given).

    Constants never need a gradient, and neither do inputs nobody asked about: `x**n --wrt x`
    must not fail because ∂/∂n would need log of a negative x.
    """
    wanted = [graph.node_of(name) for name in wrt] if wrt else graph.variables.values()
    needs = bytearray(len(graph.nodes))     # a byte a node (a list of bools is 8)
    for node_id in wanted:
        needs[node_id] = True
    nodes = graph.nodes
    need, input_ids = needs.__getitem__, nodes.input_ids
    for node_id, op, first, second in zip(range(len(needs)), nodes.ops, nodes.left, nodes.right):
        if op is None:
            continue
        if second >= 0:
            if needs[first] or needs[second]:
                needs[node_id] = True
        elif any(map(need, input_ids(node_id))):
            needs[node_id] = True
    return needs


def backward(graph: Graph, values: list[Value], upstream: Value | None = None,
             on_nonfinite: NonFinite | None = None, wrt: tuple[str, ...] = (), record: bool = True
             ) -> tuple[list[Value | None], Steps | None]:
    """Reverse mode from the output, seeded with ∂z/∂z = 1 (ones for an array output).

    One walk for both of forward's paths: on Python floats (forward's float path, no numpy) and on
    numpy values. With `wrt`, only the edges leading to those inputs are followed. With `record`
    False no Step is made (the steps are None): -q and a batch read only the gradients, and a
    Step an edge was a third of a long sum's backward time and most of its memory."""
    out = values[graph.output]
    floats = type(out) is float and (upstream is None or type(upstream) is float)
    if floats:     # Python floats throughout: no numpy to import, no arrays
        seed = 1.0 if upstream is None else upstream
    else:
        # A scalar seed as np.float64: np.ones_like gives a 0-d array, which + and − would pass on
        # unchanged down a whole sum, each step then taking the slow array path.
        seed = (np.ones_like(out) if np.ndim(out) else np.float64(1.0)) if upstream is None else upstream
        seed = seed if np.ndim(seed) else np.float64(seed)
    summed: set[int] = set()
    grads, steps = _reverse(graph, values, graph.output, seed, needs_grad(graph, wrt), floats, on_nonfinite,
                            summed=summed, record=record)
    with _unguarded() if floats else np.errstate(all="ignore"):   # a sum checked may overflow: no warning
        _check_input_grads(graph, grads, on_nonfinite, summed)
    return grads, steps


def backward_from(graph: Graph, values: list[Value], grads: list, start: int, needs: list[bool], stop: int = -1,
                  edits: dict | None = None, record: bool = False) -> tuple[list, Steps | None]:
    """backward's walk on numbers from the gradients `grads` (changed in place), node `start` down to
    `stop` (not included), with `edits` as _reverse takes them: a diagnosis's backward pass with a
    student's slip in place. A value not finite is passed on, as the right pass's would be."""
    floats = type(values[graph.output]) is float
    return _reverse(graph, values, start, None, needs, floats, _passed_on, summed=set(), record=record,
                    stop=stop, grads=grads, edits=edits)


def _passed_on(flowing: Value, error: Callable[[int], MathError]) -> None:
    """A diagnosis compares with what the pass gives, inf and nan included: nothing to raise."""


def gradient_nodes(builder, output: int, wrt: list[int], seed: int | None = None,
                   what: str = "this derivative") -> dict[int, int]:
    """The same reverse walk building graph nodes instead of numbers (DeZero's create_graph): values
    and gradients are nodes of `builder` (a higher.NodeBuilder), each rule read on nodes, so the
    gradient can be differentiated again. Returns {input node: node of ∂output/∂input}.

    `seed` is the node of ∂L/∂output (default ones). Walks node ids downwards from `output`, which is
    a reverse topological order for the nodes built so far as well. What flows into a node is
    gathered first and summed when the walk reaches it, equal contributions counted once
    (x + x + … + x: one node n·g, not n − 1 additions)."""
    seed = builder.ones_like(output) if seed is None else seed
    grads, _ = _reverse(builder.graph, _NodeValues(builder), output, Node(builder, seed), builder.needs,
                        False, None, (builder, what))
    found = {}
    for src in wrt:
        total = grads[src].total(builder)
        found[src] = builder.const(np.zeros_like(builder.values[src])) if total is None else total
    return found


class _NodeValues:
    """The values of a graph-building walk: node i as a rules.Node of the builder."""

    __slots__ = ("builder",)

    def __init__(self, builder):
        self.builder = builder

    def __getitem__(self, i: int) -> Node:
        return Node(self.builder, i)


class _Flows:
    """What has flowed into one node of a graph-building walk: each distinct node, how many times."""

    __slots__ = ("counts",)

    def __init__(self):
        self.counts: dict[int, int] = {}

    def __add__(self, flowing: Node) -> _Flows:
        self.counts[flowing.id] = self.counts.get(flowing.id, 0) + 1
        return self

    def total(self, builder) -> int | None:
        """Σ count × contribution, in the order the contributions arrived (None: nothing flowed)."""
        total = None
        for flowing, count in self.counts.items():
            term = flowing if count == 1 else builder("mul", builder.const(float(count)), flowing)
            total = term if total is None else builder("add", total, term)
        return total


# op name → whether its backward rules read its inputs' values (+ and − do not: constant locals)
_READS: dict[str, bool] = {}


class _NoScalar:
    """The scalar type of a graph-building walk: no value is one (every edge takes the general path)."""


def _reverse(graph: Graph, values, output: int, seed, needs: list[bool], floats: bool,
             on_nonfinite: NonFinite | None, building: tuple | None = None, summed: set[int] | None = None,
             record: bool = True, stop: int = -1, grads: list | None = None, edits: dict | None = None
             ) -> tuple[list, Steps | None]:
    """The one reverse walk: from `output` down the creation order, each edge's local derivative read
    off its op's rule and multiplied by the upstream (or the op's vector-Jacobian rule applied to it),
    broadcasting undone, the result added into the input's gradient and recorded in Steps.

    On numbers (Python floats, or numpy), or with `building` = (NodeBuilder, what is asked) on graph
    nodes: then values, upstreams and locals are rules.Node objects whose arithmetic adds nodes.

    Every array that flows is checked for inf and nan once, where it is made: an upstream passed on
    as it is (+, −) was checked already, unless it is a sum of several contributions (`summed`
    collects the nodes whose array gradient is one).

    A diagnosis (gradcalc.diagnose, through backward_from) re-runs the walk with a student's slip in place:
    from the gradients `grads` already there (changed in place) instead of `seed` alone, down to `stop`
    (not included), with `edits[(node, k)](upstream, local, flowing, args, out)` giving what flows along
    that edge instead, fitted to its input's shape (None: nothing). The plain walk pays one test of
    `edits` per edge for them."""
    if building is not None:
        builder, what = building
        scalar, errors, m = _NoScalar, _unguarded(), nodes(builder)
        grads: list = [_Flows() for _ in range(len(graph.nodes))]
        grads[output] = grads[output] + seed
    else:
        scalar, errors = (float, _unguarded()) if floats else (np.float64, np.errstate(all="ignore"))
        m = NUMBERS
        if grads is None:
            grads = [None] * len(graph.nodes)
            grads[output] = seed
    steps = Steps() if record else None
    add_step = steps.add if record else None
    arg, isfinite = values.__getitem__, math.isfinite
    columns = graph.nodes
    ops, left, right, input_ids = columns.ops, columns.left, columns.right, columns.input_ids
    live = None     # which nodes a gradient path reaches (_live): worked out at the first inf or nan
    with errors, gc_paused():
        for node_id in range(output, stop, -1):
            upstream_grad, op_name = grads[node_id], ops[node_id]
            if upstream_grad is None or op_name is None:
                continue
            op = OPS[op_name]
            rules, vjp = op.local, op.vjp
            if building is not None:
                upstream_grad = upstream_grad.total(builder)
                if upstream_grad is None:
                    continue
                upstream_grad = Node(builder, upstream_grad)
                _visit(builder, columns.span(node_id), what)
                rules = op.d        # on nodes, the rules themselves (no numeric forms)
            second = right[node_id]
            inputs = (left[node_id], second) if second >= 0 else input_ids(node_id)
            reads = _READS.get(op_name)
            if reads is None:
                reads = _READS[op_name] = bool(vjp) or any(type(rule) is not float for rule in op.local)
            if reads or building is not None or edits is not None:
                args = list(map(arg, inputs))
                out = values[node_id]
            else:           # + and −: their locals are constants, no value is read (a long sum's most nodes)
                args = out = None
            for k, src in enumerate(inputs):
                if not needs[src]:
                    continue
                if type(local := rules[k]) is float:    # + and −: a constant, nothing to call
                    # the upstream passes on as it is: no copy of an array
                    flowing = upstream_grad if local == 1.0 else upstream_grad * local
                elif vjp:                     # an array op's vector-Jacobian rule
                    local, flowing = _vjp(op, k, upstream_grad, args, out, m, building, node_id, graph)
                else:
                    try:
                        local = local(m, *args, out)
                    except ZeroDivisionError:   # a Python float divided by 0: numpy's inf or nan
                        local = numbers_local(rules[k], args, out)
                    except InputError as error:  # the derivative needs what the op refuses (ψ⁽⁴⁰¹⁾)
                        raise error.at(columns.span(node_id), graph.text) from None
                    flowing = upstream_grad * local
                if edits is not None and (edit := edits.get((node_id, k))) is not None:
                    flowing = edit(upstream_grad, local, flowing, args, out)   # a slip's: taken as it is
                    if flowing is None:
                        continue
                    finite = True
                    if grads[src] is not None:
                        summed.add(src)
                elif type(flowing) is scalar and (floats or type(values[src]) is scalar):
                    finite = isfinite(flowing)   # scalar into scalar: no broadcasting to undo
                elif building is not None:
                    flowing, finite = _fit_node(builder, flowing, src), True    # nodes check their values
                else:
                    flowing = sum_to(flowing, np.shape(values[src]))
                    finite = flowing is upstream_grad and node_id not in summed or _finite(flowing)
                    if grads[src] is not None:
                        summed.add(src)
                if not finite and not vjp:
                    # 0 × ∞ where no gradient path reaches (behind stop_gradient or a comparison alone): 0;
                    # on a path, nan in PyTorch, JAX and TensorFlow (sqrt(x)**2 at 0): refused below
                    if live is None:
                        live = _live(graph, output, values)
                    if not live[node_id]:
                        flowing, finite = _not_flowing(upstream_grad, local, flowing, values[src])
                if not finite:
                    node = columns[node_id]
                    if args is None:
                        args = list(map(arg, inputs))
                    if on_nonfinite is None:
                        raise _backward_error(graph, node, op, args, local, k, upstream_grad)
                    on_nonfinite(flowing, _row_error(_backward_error, graph, node, op, args, local, k))
                total = flowing if grads[src] is None else grads[src] + flowing
                grads[src] = total
                if record:
                    add_step(node_id, src, k, upstream_grad, local, flowing, total)
    return grads, steps


def _live(graph: Graph, output: int, values) -> bytearray:
    """1 for each node a gradient path from `output` reaches: through any input but an op's flat ones
    (a comparison's, stop_gradient's, where's condition, an index) and the branch a Python conditional
    did not take (Python never evaluates it). Behind those alone a value gets no gradient in PyTorch or
    JAX (no path: detach, a mask), so 0 × ∞ there is 0; on a path it is nan."""
    columns = graph.nodes
    ops, left, right, input_ids = columns.ops, columns.left, columns.right, columns.input_ids
    live = bytearray(output + 1)
    live[output] = 1
    for node_id in range(output, -1, -1):
        if not live[node_id] or ops[node_id] is None:
            continue
        flat = OPS[ops[node_id]].flat
        if ops[node_id] == "if_else" and not np.ndim(taken := values[input_ids(node_id)[0]]):
            flat = (0, 2) if taken else (0, 1)
        second = right[node_id]
        for k, src in enumerate((left[node_id], second) if second >= 0 else input_ids(node_id)):
            if k not in flat:
                live[src] = 1
    return live


def _not_flowing(upstream, local, flowing, like):
    """upstream × local with 0 wherever the upstream is 0, even where the local is inf or nan (a
    gradient that does not flow is 0); and whether that is finite."""
    zero = np.asarray(upstream) == 0
    if not zero.any():
        return flowing, False
    with np.errstate(all="ignore"):
        product = np.where(zero, 0.0, np.asarray(upstream) * np.asarray(local))
    flowing = sum_to(product, np.shape(like))
    if not np.ndim(flowing):
        flowing = type(like)(flowing) if type(like) is float else np.float64(flowing)
    return flowing, _finite(flowing)


def _vjp(op, k: int, upstream, args, out, m, building, node_id: int, graph):
    """(local, flowing) of an edge through a vector-Jacobian rule: on numbers with the trace's local,
    on nodes (a node whatever the rule gives), or the reason this shape has no graph form yet."""
    try:
        if building is None:
            return op.flow(k, upstream, args, out, lazy=True)
        found = op.vjp[k](m, upstream, *args, out)
    except NoGraphForm:
        raise _no_graph_form(building[1], op, graph.nodes[node_id], graph, " for these shapes") from None
    except InputError as error:
        raise error.at(graph.nodes.span(node_id), graph.text) from None
    builder = building[0]
    return None, found if type(found) is Node else Node(builder, builder.const(found))


def _fit_node(builder, flowing, src: int):
    """A flowing node summed to its input's shape (broadcasting undone), as a node."""
    if type(flowing) is not Node:
        flowing = Node(builder, builder.const(flowing))
    values = builder.values
    if np.shape(values[flowing.id]) != np.shape(values[src]):
        flowing = Node(builder, builder("sum_to", flowing.id, src))
    return flowing


def _visit(builder, span, what: str) -> None:
    """Count a node visit of a graph-building walk against its limit; new nodes come from its span."""
    builder.visits += 1
    if builder.visits > builder.visit_limit:
        raise GradcalcError(f"{what} would take more than {builder.visit_limit} steps on this "
                            f"expression", hint=("ask for a lower order, " if what == "--order" else "ask for ")
                            + "fewer variables (--wrt) or a smaller expression")
    builder.span = span


def _no_graph_form(what: str, op, node, graph: Graph, detail: str = "") -> GradcalcError:
    return GradcalcError(f"{what} is not available for {op.symbol} yet: its derivative has no graph "
                         f"form{detail} in gradcalc's table of operations", node.span,
                         hint="ask for the gradient only, without this option", text=graph.text)


def _check_input_grads(graph: Graph, grads: list, on_nonfinite: NonFinite | None, summed: set[int]) -> None:
    # Finite contributions can still add up to inf. Inside the graph that shows up where the sum
    # flows on; an input's gradient flows nowhere, so it is checked here (an array that is one
    # contribution, not a sum, was checked as it flowed).
    for name, node_id in graph.variables.items():
        grad = grads[node_id]
        if grad is None or type(grad) is not float and node_id not in summed and type(grad) is np.ndarray:
            continue
        if not _finite(grad):
            error = lambda i=None, name=name, node_id=node_id: MathError(  # noqa: E731
                f"the gradient with respect to {name} overflows: its contributions add up to more "
                f"than a float holds", graph.nodes[node_id].span,
                hint="change the input values or the expression", text=graph.text)
            if on_nonfinite is None:
                raise error()
            on_nonfinite(grad, error)


def _shape_error(graph, node, op, args, error) -> GradcalcError:
    if isinstance(error, InputError):  # the op's own message: @ with inner sizes, an axis, …
        return error.at(node.span, graph.text)
    shapes = " and ".join(format_shape(np.shape(a)) for a in args)
    # Name the operands as written (X@W and b), so a long expression says which parts disagree.
    written = [" ".join(graph.text[slice(*graph.nodes[i].span)].split()) for i in node.inputs]
    operands = " of " + " and ".join(map(repr, written)) if all(0 < len(w) <= 30 for w in written) else ""
    hint = _keepdims_hint(graph, node, args, written) or \
        "elementwise operands need the same shape, or shapes that broadcast (compared from the last " \
        "axis, each pair equal or one of them 1)"
    return GradcalcError(f"shape mismatch: {op.symbol} cannot combine shapes {shapes}{operands}",
                         node.span, hint=hint, text=graph.text)


_REDUCED = ("sum_axis", "mean_axis", "max_axis", "min_axis", "max_axis_first", "min_axis_first")


def _keepdims_hint(graph, node, args, written) -> str | None:
    """X / sum(X, 1): the sum dropped the axis that would broadcast; keepdims=True keeps it."""
    for k, i in enumerate(node.inputs):
        reduced = graph.nodes[i]
        if reduced.op not in _REDUCED or len(reduced.inputs) != 2 or reduced.inputs[1] not in graph.constants:
            continue
        written_axis, shape = int(graph.constants[reduced.inputs[1]]), list(np.shape(args[k]))
        axis = written_axis + len(shape) + 1 if written_axis < 0 else written_axis
        if not 0 <= axis <= len(shape):
            continue
        kept = shape[:axis] + [1] + shape[axis:]
        try:
            np.broadcast_shapes(tuple(kept), *(np.shape(a) for j, a in enumerate(args) if j != k))
        except ValueError:
            continue
        text = written[k]
        better = f"{text[:-1]}, keepdims=True)" if text.endswith(")") and len(text) <= 60 else "keepdims=True"
        return (f"{text if len(text) <= 60 else 'the reduction'} drops axis {written_axis}; {better} keeps it "
                f"(size 1), which broadcasts against the other operand")
    return None


def _applied(op, args) -> str:
    """The operation written out with its input values: `1 / 0`, `log(-1)`, `(-8)^0.3333333333`."""
    shown = [format_value(a) for a in args]
    # A negative value gets parentheses, unless the template already has them: log(-1), not log((-1)).
    return op.show.format(*[f"({s})" if s.startswith("-") and f"({{{k}}})" not in op.show else s
                            for k, s in enumerate(shown)])


def _math_error(graph, node, op, args, out) -> MathError:
    reason = op.explain(*args) if op.explain else None
    if type(reason) is tuple:   # the op names the argument that is wrong, and how to write it
        reason, hint = reason
        return MathError(f"{reason}: {_applied(op, args)}", node.span, hint=hint, text=graph.text)
    if reason is None:
        nan = math.isnan(out) if isinstance(out, float) else np.any(np.isnan(out))
        reason = "overflow" if not nan else "the result is not a number"
    return MathError(f"{reason}: {_applied(op, args)} = {format_value(out)}", node.span,
                     hint="change the input values or the expression", text=graph.text)


def _backward_error(graph, node, op, args, local, k: int = 0, upstream=None) -> MathError:
    if type(local) is LazyLocal:
        local = local.value()
    applied = _applied(op, args)
    variable_operands = [i for i in node.inputs if i not in graph.constants]
    if len(variable_operands) > 1:  # say which operand: ∂(x^n)/∂n fails where ∂(x^n)/∂x is fine
        applied += f" with respect to its {('first', 'second', 'third')[min(k, 2)]} operand"
    if _finite(local):
        return MathError(f"the gradient overflows at {applied}", node.span,
                         hint="change the input values or the expression", text=graph.text)
    if upstream is not None and (not np.ndim(upstream) or np.shape(upstream) == np.shape(local)):
        with np.errstate(all="ignore"):
            if np.any((np.asarray(upstream) == 0) & ~np.isfinite(np.asarray(local))):
                return _zero_times_inf(graph, node, applied, local)
    others = [name for name in graph.variables]
    hint = "the derivative is infinite or undefined at this point (not differentiable, or too " \
           "large for a float); try another point"
    if len(others) > 1:
        hint += ", or ask only for the gradients you need with --wrt"
    return MathError(f"the derivative of {applied} is {format_value(local)}", node.span,
                     hint=hint, text=graph.text)


def _zero_times_inf(graph, node, applied: str, local) -> MathError:
    """A gradient of 0 reaching an infinite local derivative: 0 × inf is nan, as PyTorch, JAX and
    TensorFlow compute it (sqrt(x)**2 at 0, or a branch a where did not take: the JAX FAQ's log)."""
    consumers = graph.nodes.ops
    untaken = any(consumers[i] in _CHOOSING and node.id in graph.nodes[i].inputs[1:]
                  for i in range(node.id + 1, len(graph.nodes)))
    if untaken:
        hint = ("where(c, a, b) still differentiates the branch it does not take; give that branch an input where "
                "it is defined, as the JAX FAQ does: where(x > 0, log(where(x > 0, x, 1)), 0) has gradient 0 there")
    else:
        hint = "the gradient is undefined at this point in the frameworks too; try another point"
    where = " where that is infinite" if np.ndim(local) else ""
    return MathError(f"the derivative of {applied} is {format_value(local)} and the gradient reaching it is "
                     f"0{where}: 0 × inf is nan (PyTorch, JAX and TensorFlow give nan here)", node.span, hint=hint,
                     text=graph.text)
