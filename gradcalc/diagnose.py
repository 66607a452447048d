"""Which slip of the backward pass a wrong number comes from: a catalogue of named mistakes, each the
backward pass re-run with one change, matched against the student's number; and a worked backward
pass checked entry by entry, later entries judged from the student's own earlier values."""

from __future__ import annotations

from decimal import Decimal

from .evaluate import needs_grad
from .graph import Graph
from .numbers import format_value
from .ops import OPS, sum_to
from .ops.rules import numbers_local
from .xp import np

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any

# The catalogue: id → what the student did, as the feedback's headline says it. Checked in this
# order: a slip of one function's rule names the mistake more precisely than the generic slips
# (a sign slip on the denominator of a quotient is the quotient rule's sign).
MISTAKES: dict[str, str] = {
    "sigmoid-derivative-as-sigmoid": "σ′ written as σ itself, not σ·(1 − σ)",
    "tanh-derivative-as-1-minus-x2": "tanh′(u) written as 1 − u², not 1 − tanh(u)²",
    "log-without-inner-derivative": "log(u)′ written as 1/u, without the inner derivative u′",
    "power-rule-exponent-not-lowered": "the power rule without lowering the exponent: n·xⁿ, not n·xⁿ⁻¹",
    "quotient-rule-sign": "the quotient rule with the wrong sign: +u/v², not −u/v², for the denominator",
    "derivative-at-output": "a function's derivative evaluated at its output instead of its input",
    "mean-as-sum": "a mean differentiated as a sum: the 1/n dropped",
    "matmul-untransposed": "a matrix product's gradient without the transpose (X·G, not Xᵀ·G)",
    "matmul-wrong-order": "a matrix product's gradient multiplied in the wrong order (G·Xᵀ, not Xᵀ·G)",
    "paths-not-added": "a node used twice: only one of its paths counted, not their sum",
    "last-path-overwrites": "= where += belongs: each path into a node overwrites the one before",
    "sign-slip": "a sign slip on one edge",
    "chain-factor-forgotten": "the chain factor forgotten: the local derivative alone, not upstream × local",
    "local-derivative-forgotten": "the local derivative forgotten: the upstream passed on unchanged",
    "rounding": "right, but rounded beyond the tolerance",
}

NO_MATCH = "no single common mistake gives this number"

# Slips tried × edges walked per diagnosis: a textbook problem needs a few thousand, so this bounds
# only the rare large program (which is then not diagnosed, and says so).
MAX_WORK = 400_000

_DROP = object()    # an edit's way of saying that nothing flows along its edge


class Slip:
    """One mistake made at one place: the backward pass with that change, and the numbers to say it."""

    __slots__ = ("mistake", "node", "k", "input", "edits", "overwrite", "shortcut", "details", "grads")

    def __init__(self, mistake: str, node: int, k: int | None, input: int, edits: dict | None = None,
                 overwrite: bool = False, shortcut: dict | None = None, **details: Any):
        self.mistake = mistake      # its id in MISTAKES
        self.node = node            # the edge node → input where the gradient first goes wrong
        self.k = k                  # which of node's inputs (None: the whole node)
        self.input = input
        self.edits = edits or {}    # (node, k) → what flows instead: f(upstream, local, flowing, args, out)
        self.overwrite = overwrite  # gradients replaced, not added, as edges arrive
        self.shortcut = shortcut    # node → the inputs below it its gradient goes to directly
        self.details = details      # the numbers its sentence quotes
        self.grads: list | None = None   # ∂out/∂node at every node with the slip made


class Diagnosis:
    """What a wrong number is explained by: a named mistake (None: no single one), where, and why."""

    __slots__ = ("name", "node", "given", "correct", "mistake", "slip", "value", "_sentence", "others",
                 "labels")

    def __init__(self, name: str, node: int, given: Any, correct: Any, mistake: str | None,
                 slip: Slip | None, value: Any, sentence: str | Callable[[], str], others: tuple[str, ...] = (),
                 labels: list[str] | None = None):
        self.name = name            # the answer's name (∂out/∂name, or the output's value)
        self.node = node
        self.given = given          # the student's number
        self.correct = correct      # the right one (given the student's earlier values, in a pass)
        self.mistake = mistake      # an id of MISTAKES, or None
        self.slip = slip            # the place it was made (None for rounding and no match)
        self.value = value          # what the mistake gives
        self._sentence = sentence   # a str, or a function making it (a class may never show it)
        self.others = others        # other mistakes that give the same number
        self.labels = labels        # the graph's labels, to name the edge

    @property
    def sentence(self) -> str:
        if callable(self._sentence):
            self._sentence = self._sentence()
        return self._sentence

    @property
    def edge(self) -> tuple[int, int] | None:
        """The edge (node, input) where the gradient first goes wrong, if the mistake has one."""
        return None if self.slip is None else (self.slip.node, self.slip.input)

    def as_dict(self) -> dict:
        edge, labels = self.edge, self.labels
        return {"mistake": self.mistake, "answer": self.name,
                "edge": None if edge is None else [labels[edge[0]], labels[edge[1]]],
                "node": None if self.slip is None else labels[self.slip.input],
                "value": _plain(self.value), "sentence": self.sentence, "others": list(self.others)}


def _plain(value: Any) -> Any:
    if value is None:
        return None
    return float(value) if np.ndim(value) == 0 else np.asarray(value).tolist()


# The backward pass with changes ------------------------------------------------------------------

def walk(graph: Graph, values: list, needs: list[bool], seed: Any, edits: dict | None = None,
         overwrite: bool = False, fixed: dict[int, Any] | None = None, stop: int = -1,
         shortcut: dict[int, list[int]] | None = None) -> list:
    """evaluate.backward's loop with one change at chosen edges: `edits[(node, k)]` gives what flows
    instead of upstream × local (_DROP: nothing), `overwrite` replaces an input's gradient with each
    edge's instead of adding, `fixed[node]` is the gradient a node passes on whatever reached it (a
    student's own value), `shortcut[node]` the inputs below a node its gradient goes to directly (the
    derivatives between them left out). Nodes with ids ≤ `stop` are not passed through (their
    gradients are final).

    A loop of its own, not a flag of backward(): the engine's hot loop pays nothing for diagnosis."""
    grads: list = [None] * len(graph.nodes)
    grads[graph.output] = seed
    nodes = graph.nodes
    for node in reversed(nodes[stop + 1:] if stop >= 0 else nodes):
        upstream = grads[node.id]
        if fixed is not None and node.id in fixed:
            upstream = grads[node.id] = fixed[node.id]
        if upstream is None or node.op is None:
            continue
        if shortcut is not None and node.id in shortcut:
            for src in shortcut[node.id]:
                try:
                    flowing = sum_to(upstream, np.shape(values[src]))
                except ValueError:   # an array's gradient cannot be a scalar's: no such slip
                    return []
                grads[src] = flowing if grads[src] is None else grads[src] + flowing
            continue
        op = OPS[node.op]
        args = [values[i] for i in node.inputs]
        out = values[node.id]
        for k, src in enumerate(node.inputs):
            if not needs[src]:
                continue
            local, flowing = op.flow(k, upstream, args, out)
            edit = edits.get((node.id, k)) if edits else None
            if edit is not None:
                try:
                    flowing = edit(upstream, local, flowing, args, out)
                    if flowing is _DROP:
                        continue
                    if np.shape(flowing) != np.shape(values[src]) and np.ndim(flowing) < np.ndim(values[src]):
                        raise ValueError("a slip cannot make an array smaller than its input")
                    flowing = sum_to(flowing, np.shape(values[src]))
                except (ValueError, ArithmeticError):   # the slip's shapes do not fit: no such slip
                    return []
            elif not (isinstance(flowing, float) and isinstance(values[src], float)):
                flowing = sum_to(flowing, np.shape(values[src]))   # numbers need no broadcasting undone
            grads[src] = flowing if grads[src] is None or overwrite else grads[src] + flowing
    return grads


def seed_of(graph: Graph, values: list, upstream: Any = None) -> Any:
    """∂out/∂out as backward() seeds it: 1 (ones for an array output) unless given."""
    if upstream is not None:
        return upstream
    out = values[graph.output]
    return 1.0 if type(out) is float else np.ones_like(out) if np.ndim(out) else np.float64(1.0)


# The catalogue, one generator per mistake --------------------------------------------------------

def _edges(graph: Graph, needs: list[bool], relevant: list[bool]) -> Iterator[tuple]:
    """Every edge (node, k, input) gradients flow along and that can change an asked gradient."""
    for node in graph.nodes:
        if node.op is None:
            continue
        op = OPS[node.op]
        for k, src in enumerate(node.inputs):
            if needs[src] and relevant[src] and not op.literal[k]:
                yield node, k, src


def _same_shape(value: Any, like: Any) -> Any:
    return value if np.shape(value) == np.shape(like) else value * np.ones_like(like)


def _catalogue(graph: Graph, values: list, needs: list[bool], relevant: list[bool]) -> list[Slip]:
    """Every single slip that could change an asked gradient, in the order of MISTAKES."""
    found: dict[str, list[Slip]] = {mistake: [] for mistake in MISTAKES}
    add = lambda slip: found[slip.mistake].append(slip)   # noqa: E731
    consumers: dict[int, list[tuple[int, int]]] = {}
    for node, k, src in _edges(graph, needs, relevant):
        consumers.setdefault(src, []).append((node.id, k))
        op_name = node.op
        args = [values[i] for i in node.inputs]
        out = values[node.id]
        plain = not OPS[op_name].vjp
        if plain:
            add(Slip("chain-factor-forgotten", node.id, k, src,
                     {(node.id, k): lambda up, local, flow, a, o: _same_shape(local, up)}))
            add(Slip("local-derivative-forgotten", node.id, k, src,
                     {(node.id, k): lambda up, local, flow, a, o: _same_shape(up, local)}))
        if op_name == "div" and k == 1:
            add(Slip("quotient-rule-sign", node.id, k, src, {(node.id, k): lambda up, l, flow, a, o: -flow}))
        else:
            add(Slip("sign-slip", node.id, k, src, {(node.id, k): lambda up, l, flow, a, o: -flow}))
        if op_name == "sigmoid":
            add(Slip("sigmoid-derivative-as-sigmoid", node.id, k, src,
                     {(node.id, k): lambda up, l, flow, a, o: up * o}, wrong=out))
        elif op_name == "tanh":
            add(Slip("tanh-derivative-as-1-minus-x2", node.id, k, src,
                     {(node.id, k): lambda up, l, flow, a, o: up * (1.0 - a[0] * a[0])},
                     wrong=1.0 - args[0] * args[0]))
        elif op_name == "pow" and k == 0:
            add(Slip("power-rule-exponent-not-lowered", node.id, k, src,
                     {(node.id, k): lambda up, l, flow, a, o: up * a[1] * o}, wrong=args[1] * out))
        elif op_name in ("mean", "mean_axis") and k == 0:
            n = np.size(args[0]) // max(np.size(out), 1)
            add(Slip("mean-as-sum", node.id, k, src,
                     {(node.id, k): lambda up, l, flow, a, o, n=n: flow * n}, n=n))
        elif op_name == "matmul" and np.ndim(args[0]) == 2 and np.ndim(args[1]) == 2:
            for mistake, edit in _matmul_slips(k):
                add(Slip(mistake, node.id, k, src, {(node.id, k): edit}))
        if _at_output(op_name, k):
            op = OPS[op_name]
            try:
                wrong = _local_at_output(op, args, out)
            except (ValueError, ArithmeticError):
                wrong = None
            if wrong is not None:
                add(Slip("derivative-at-output", node.id, k, src,
                         {(node.id, k): lambda up, l, flow, a, o, wrong=wrong: up * wrong}, wrong=wrong))
    for node in graph.nodes:   # log′ as 1/u: ∂out/∂u taken for ∂out/∂x of every input x inside u
        if node.op == "log" and relevant[node.inputs[0]] and graph.nodes[node.inputs[0]].op is not None:
            inner = node.inputs[0]
            leaves = [i for i in _inside(graph, inner, leaves=True) if needs[i]]
            add(Slip("log-without-inner-derivative", node.id, 0, inner, shortcut={inner: leaves}))
    shared = {src: edges for src, edges in consumers.items() if len(edges) > 1}
    for src, edges in shared.items():
        for kept in edges:
            add(Slip("paths-not-added", kept[0], kept[1], src,
                     {edge: (lambda *_: _DROP) for edge in edges if edge != kept}, paths=len(edges)))
    if shared:
        src = max(shared)   # the first node used twice the backward pass meets
        first = min(shared[src], key=lambda edge: (edge[0], -edge[1]))   # the last edge to arrive stays
        add(Slip("last-path-overwrites", first[0], first[1], src, overwrite=True, paths=len(shared[src])))
    return [slip for slips in found.values() for slip in slips]


def _matmul_slips(k: int) -> list[tuple[str, Callable]]:
    """For Y = X @ W with upstream G: ∂L/∂X = G·Wᵀ and ∂L/∂W = Xᵀ·G, each with the transpose left out
    and in the wrong order (a product whose shapes do not fit is no slip a student could write down)."""
    def fit(product, like):
        if np.shape(product) != np.shape(like):
            raise ValueError("not the shape of the input")
        return product
    if k == 0:
        return [("matmul-untransposed", lambda up, l, flow, a, o: fit(up @ a[1], a[0])),
                ("matmul-wrong-order", lambda up, l, flow, a, o: fit(np.swapaxes(a[1], -1, -2) @ up, a[0]))]
    return [("matmul-untransposed", lambda up, l, flow, a, o: fit(a[0] @ up, a[1])),
            ("matmul-wrong-order", lambda up, l, flow, a, o: fit(up @ np.swapaxes(a[0], -1, -2), a[1]))]


_LINEAR = {"identity", "neg", "pos", "sum", "mean", "transpose", "sum_last"}


def _at_output(op_name: str, k: int) -> bool:
    """Ops whose local derivative depends on where it is taken: functions of one input, and the base
    of a power."""
    op = OPS[op_name]
    if op_name == "pow":
        return k == 0
    return op.arity == 1 and op.elementwise and op_name not in _LINEAR and not op.vjp


def _local_at_output(op, args: list, out: Any) -> Any:
    moved = [out] + list(args[1:])
    with np.errstate(all="ignore"):
        return numbers_local(op.local[0], moved, op.forward(*moved))


def _inside(graph: Graph, top: int, leaves: bool = False) -> list[int]:
    """The op nodes of the sub-expression rooted at `top` (itself included), or its inputs and
    constants (`leaves`), walked without recursion."""
    seen, stack, inner = {top}, [top], []
    while stack:
        node = graph.nodes[stack.pop()]
        if node.op is None:
            if leaves:
                inner.append(node.id)
            continue
        if not leaves:
            inner.append(node.id)
        for i in node.inputs:
            if i not in seen:
                seen.add(i)
                stack.append(i)
    return inner


def reaches(graph: Graph, targets: list[int], blocked: dict | None = None) -> list[bool]:
    """Which nodes have one of `targets` at or below them: only a slip there can change its gradient.
    Paths through a `blocked` node do not count (a student's own value there replaces whatever a
    slip above it sent down)."""
    marked = [False] * len(graph.nodes)
    for target in targets:
        marked[target] = True
    for node in graph.nodes:
        if not marked[node.id] and node.op is not None:
            for i in node.inputs:
                if marked[i] and (blocked is None or i not in blocked or i in targets):
                    marked[node.id] = True
                    break
    return marked


# Matching a number ----------------------------------------------------------------------------------

def _key(value: Any) -> Any:
    """A number as a dictionary key (an array by its shape and bytes)."""
    if isinstance(value, float):
        return float(value)
    array = np.asarray(value, dtype=np.float64)
    return array.shape, array.tobytes()


def close(given: Any, value: Any, rtol: float, atol: float) -> bool:
    """check.close, without importing check (and its parser) here."""
    if isinstance(given, float) and isinstance(value, float):   # numbers: no numpy round trip
        return abs(given - value) <= atol + rtol * abs(value)
    given, value = np.asarray(given), np.asarray(value)
    if given.shape != value.shape and np.broadcast_shapes(given.shape, value.shape) != value.shape:
        return False
    with np.errstate(all="ignore"):
        return bool(np.all(np.abs(given - value) <= atol + rtol * np.abs(value)))


def shown_decimals(number: Any) -> int | None:
    """How many decimals a number was written with (its shortest repr), if it has ≥ 2 significant
    digits; None for a number too short to say (0.2 could be anything rounded)."""
    most = None
    for x in np.ravel(np.asarray(number, dtype=np.float64)):
        if x == 0:
            continue
        _, digits, exponent = Decimal(repr(float(x))).as_tuple()
        if len(digits) < 2:
            return None
        most = max(most or 0, -exponent)
    return most


def rounds_to(value: Any, given: Any, decimals: int | None = -1) -> int | None:
    """The decimals `value` rounded to gives `given` (written with `decimals`, found if -1), else None."""
    if decimals == -1:
        decimals = shown_decimals(given)
    if decimals is None:
        return None
    if isinstance(value, float) and isinstance(given, float):
        return decimals if abs(round(value, decimals) - given) <= 1e-9 * abs(given) + 1e-300 else None
    with np.errstate(all="ignore"):
        rounded = np.round(np.asarray(value, dtype=np.float64), decimals)
        given = np.asarray(given, dtype=np.float64)
        if rounded.shape != given.shape and np.broadcast_shapes(rounded.shape, given.shape) != rounded.shape:
            return None
        return decimals if bool(np.all(np.abs(rounded - given) <= 1e-9 * np.abs(given) + 1e-300)) else None


class Diagnoser:
    """The catalogue run once for one problem at one point (and the student's earlier values, if
    any): every slip's whole backward pass kept, so each wrong number costs a lookup, not a pass."""

    def __init__(self, graph: Graph, values: list, targets: list[int], upstream: Any = None,
                 fixed: dict[int, Any] | None = None):
        self.graph, self.values, self.fixed = graph, values, fixed
        self.labels = graph.labels()
        self.needs = needs_grad(graph)
        self.seed = seed_of(graph, values, upstream)
        self.targets = targets
        self.stop = min(targets) if targets else -1
        self.grads = walk(graph, values, self.needs, self.seed, fixed=fixed, stop=self.stop)
        self._slips: list[Slip] | None = None
        self._by_node: dict[tuple, list] = {}
        self._found: dict[tuple, Diagnosis | None] = {}
        self.too_large = False

    @property
    def slips(self) -> list[Slip]:
        """Every slip's backward pass, run the first time a wrong number is looked up (a sheet of
        right answers pays nothing)."""
        if self._slips is None:
            graph, values, stop = self.graph, self.values, self.stop
            relevant = reaches(graph, self.targets, self.fixed)
            for node in self.fixed or ():
                if node not in self.targets:
                    relevant[node] = False   # its gradient is the student's, whatever flows into it
            edges = sum(len(node.inputs) for node in graph.nodes[stop + 1:])
            # At least one slip per edge that can matter: a program too large is known before its
            # catalogue is built (a 10⁵-term sum would make half a million slips for nothing).
            could = sum(1 for node in graph.nodes[stop + 1:] if node.op is not None
                        for i in node.inputs if relevant[i])
            self.too_large = could * max(edges, 1) > MAX_WORK
            slips = [] if self.too_large else _catalogue(graph, values, self.needs, relevant)
            self.too_large = self.too_large or len(slips) * max(edges, 1) > MAX_WORK
            self._slips = []
            if not self.too_large:
                for slip in slips:
                    grads = walk(graph, values, self.needs, self.seed, slip.edits, slip.overwrite,
                                 self.fixed, stop, slip.shortcut)
                    if grads:
                        slip.grads = grads
                        self._slips.append(slip)
        return self._slips

    def correct(self, node: int) -> Any:
        grad = self.grads[node]
        return np.zeros_like(self.values[node]) if grad is None else grad

    def diagnose(self, name: str, given: Any, rtol: float, atol: float) -> Diagnosis | None:
        """None if `given` is right for ∂out/∂name; else the mistake that gives it (or no match).
        A class gives the same wrong number many times: each is looked up once."""
        key = (name, _key(given), rtol, atol)
        if key in self._found:
            return self._found[key]
        found = self._diagnose(name, given, rtol, atol)
        if found is not None:
            found.labels = self.labels
        self._found[key] = found
        return found

    def _candidates(self, node: int, correct: Any, rtol: float, atol: float) -> tuple[list, Any]:
        """The slips that change ∂out/∂node, with what they give it, and those values as one array
        when they are numbers (found once per node)."""
        key = (node, rtol, atol)
        found = self._by_node.get(key)
        if found is None:
            pairs = [(slip, slip.grads[node]) for slip in self.slips if slip.grads[node] is not None
                     and not close(slip.grads[node], correct, rtol, atol)]
            numbers = np.array([value for _, value in pairs], dtype=np.float64) \
                if all(isinstance(value, float) for _, value in pairs) else None
            found = self._by_node[key] = (pairs, numbers)
        return found

    def _diagnose(self, name: str, given: Any, rtol: float, atol: float) -> Diagnosis | None:
        graph = self.graph
        if _is_value(graph, name):
            return self._diagnose_value(name, given, rtol, atol)
        node = graph.node_of(name)
        correct = self.correct(node)
        if close(given, correct, rtol, atol):
            return None
        quantity = f"∂{graph.output_name}/∂{name}"
        # self.slips builds the catalogue on first use, which is what finds a program too large
        if not self.slips and self.too_large:
            return Diagnosis(name, node, given, correct, None, None, None,
                             f"{NO_MATCH} that gradcalc could check: the program is too large to "
                             f"try every mistake")
        candidates, numbers = self._candidates(node, correct, rtol, atol)
        if numbers is not None and isinstance(given, float):   # a number: all slips compared at once
            with np.errstate(all="ignore"):
                hits = np.flatnonzero(np.abs(numbers - given) <= atol + rtol * np.abs(numbers))
            matched = [candidates[i][0] for i in hits]
        else:
            matched = [slip for slip, value in candidates if close(given, value, rtol, atol)]
        decimals = None
        if not matched:
            shown = shown_decimals(given)
            decimals = rounds_to(correct, given, shown)
            if decimals is not None:
                return Diagnosis(name, node, given, correct, "rounding", None, given,
                                 f"{_num(given)} is {quantity} = {_num(correct)} rounded to {decimals} "
                                 f"decimals: right as far as it goes, but give more digits")
            if shown is not None and numbers is not None and isinstance(given, float):
                with np.errstate(all="ignore"):
                    hits = np.flatnonzero(np.abs(np.round(numbers, shown) - given) <= 1e-9 * abs(given) + 1e-300)
                matched = [candidates[i][0] for i in hits if rounds_to(candidates[i][1], given, shown) is not None]
            elif shown is not None:
                matched = [slip for slip, value in candidates if rounds_to(value, given, shown) is not None]
        if not matched:
            yours = " from your earlier values" if self.fixed else ""
            return Diagnosis(name, node, given, correct, None, None, None,
                             lambda: f"{NO_MATCH}: {quantity} = {_num(correct)}{yours}")
        slip = matched[0]
        others = tuple(dict.fromkeys(s.mistake for s in matched if s.mistake != slip.mistake))
        rounded = " (rounded)" if decimals is None and not close(given, slip.grads[node], rtol, atol) else ""
        return Diagnosis(name, node, given, correct, slip.mistake, slip, slip.grads[node],
                         lambda: self.sentence(slip, name, node, given) + rounded, others)

    def diagnose_value(self, name: str, given: Any, rtol: float, atol: float) -> Diagnosis | None:
        """None if `given` is the output's value; else rounding, or no match."""
        found = self._diagnose_value(name, given, rtol, atol)
        if found is not None:
            found.labels = self.labels
        return found

    def _diagnose_value(self, name: str, given: Any, rtol: float, atol: float) -> Diagnosis | None:
        node = self.graph.output
        correct = self.values[node]
        if close(given, correct, rtol, atol):
            return None
        decimals = rounds_to(correct, given)
        if decimals is not None:
            return Diagnosis(name, node, given, correct, "rounding", None, given,
                             f"{_num(given)} is {name} = {_num(correct)} rounded to {decimals} decimals: "
                             f"right as far as it goes, but give more digits")
        return Diagnosis(name, node, given, correct, None, None, None, f"{NO_MATCH}: {name} = {_num(correct)}")

    def sentence(self, slip: Slip, name: str, node: int, given: Any) -> str:
        """'6 is what you get if …: the right step is …', in the labels of the trace."""
        graph, labels, grads = self.graph, self.labels, self.grads
        out = graph.output_name
        head, src = labels[slip.node], labels[slip.input]
        lead = f"{_num(given)} is what you get if"
        up = grads[slip.node] if slip.node != graph.output else self.seed
        step = self._step(slip.node, slip.k) if slip.k is not None else None
        mistake = slip.mistake
        if mistake == "paths-not-added" or mistake == "last-path-overwrites":
            parts = [self._step(n, k) for n, k in self._edges_into(slip.input)]
            added = " + ".join(_num(flowing) for _, _, flowing in parts)
            how = "are not added" if mistake == "paths-not-added" else \
                "overwrite each other (= where += belongs), so only the last is kept"
            count = _COUNTS.get(len(parts), str(len(parts)))
            return (f"{lead} the {count} paths into {src} {how}: ∂{out}/∂{src} = {added} = "
                    f"{_num(self.correct(slip.input))}" + self._carried(slip, name, node))
        local, flowing = step[1], step[2]
        sentence = _SENTENCES.get(mistake, "{lead} {what} at {edge}")  # a new mistake without its own yet
        words = dict(lead=lead, out=out, head=head, src=src, edge=f"{head} → {src}", what=MISTAKES[mistake],
                     up=_num(up), local=_num(local), flowing=_num(flowing), minus_local=_num(-local),
                     minus_flowing=_num(-flowing), n=slip.details.get("n"))
        if "wrong" in slip.details:
            words["wrong"] = _num(slip.details["wrong"])
        op = graph.nodes[slip.node].op
        if mistake == "derivative-at-output":
            words.update(symbol=OPS[op].symbol, at_output=_num(self.values[slip.node]),
                         at_input=_num(self.values[slip.input]))
        if op == "matmul":      # the product x·w: what ∂out/∂x (k = 0) or ∂out/∂w is, and two wrong forms
            x, w = (labels[i] for i in graph.nodes[slip.node].inputs)
            g = f"∂{out}/∂{head}"
            words.update(zip(("right", "untransposed", "swapped"), (f"{g}·{w}ᵀ", f"{g}·{w}", f"{w}ᵀ·{g}")
                             if slip.k == 0 else (f"{x}ᵀ·{g}", f"{x}·{g}", f"{g}·{x}ᵀ")))
        text = sentence.format(**words)
        return text + self._carried(slip, name, node)

    def _carried(self, slip: Slip, name: str, node: int) -> str:
        """Where the slip was made above the answer asked: 'from there down to x'."""
        if slip.input == node:
            return ""
        return f"; carried down to {name}, where ∂{self.graph.output_name}/∂{name} = {_num(self.correct(node))}"

    def _edges_into(self, src: int) -> list[tuple[int, int]]:
        return [(node.id, k) for node in reversed(self.graph.nodes) if node.op is not None
                for k, i in enumerate(node.inputs) if i == src and self.needs[src]]

    def _step(self, node_id: int, k: int) -> tuple[Any, Any, Any]:
        """(upstream, local, flowing) of one edge of the right pass."""
        node = self.graph.nodes[node_id]
        op = OPS[node.op]
        args = [self.values[i] for i in node.inputs]
        out = self.values[node_id]
        up = self.grads[node_id] if node_id != self.graph.output else self.seed
        up = self.fixed.get(node_id, up) if self.fixed else up
        local, flowing = op.flow(k, up, args, out)
        return up, local, sum_to(flowing, np.shape(args[k]))


_COUNTS = {2: "two", 3: "three", 4: "four", 5: "five"}

# What each mistake's sentence says about the backward step where it is made, in the trace's labels:
# head → src is the edge, up = ∂out/∂head, local = ∂head/∂src, flowing = up × local, wrong = what the
# slip takes for the right value.
_SENTENCES = {
    "chain-factor-forgotten": "{lead} the chain factor is forgotten on the edge {edge}: ∂{head}/∂{src} = {local} "
                              "alone, not ∂{out}/∂{head} × ∂{head}/∂{src} = {up} × {local} = {flowing}",
    "local-derivative-forgotten": "{lead} ∂{out}/∂{head} = {up} is passed to {src} unchanged: the local "
                                  "derivative ∂{head}/∂{src} = {local} is missing ({up} × {local} = {flowing})",
    "sign-slip": "{lead} the sign slips on the edge {edge}: {minus_flowing} instead of {flowing}",
    "quotient-rule-sign": "{lead} the quotient rule's minus becomes a plus on the edge {edge}: "
                          "∂{head}/∂{src} = −{head}/{src} = {local}, not {minus_local}",
    "sigmoid-derivative-as-sigmoid": "{lead} σ′ is taken as σ itself on the edge {edge}: σ′ = σ·(1 − σ) = "
                                     "{local}, not σ = {wrong}",
    "tanh-derivative-as-1-minus-x2": "{lead} tanh′({src}) is taken as 1 − {src}² = {wrong}: it is "
                                     "1 − tanh({src})² = {local}",
    "power-rule-exponent-not-lowered": "{lead} the power rule keeps the exponent on the edge {edge}: n·xⁿ = "
                                       "{wrong}, not n·xⁿ⁻¹ = {local}",
    "log-without-inner-derivative": "{lead} the derivative of log({src}) stops at 1/{src}: the inner "
                                    "derivative of {src} is never multiplied in",
    "derivative-at-output": "{lead} the derivative of {head} = {symbol}({src}) is taken at its output "
                            "{at_output} instead of its input {at_input}: {symbol}′ there is {wrong}, not {local}",
    "mean-as-sum": "{lead} the mean {head} is differentiated as a sum: the 1/{n} is dropped",
    "matmul-untransposed": "{lead} ∂{out}/∂{src} is taken as {untransposed}, without the transpose: it is {right}",
    "matmul-wrong-order": "{lead} ∂{out}/∂{src} is multiplied in the wrong order, {swapped}: it is {right}",
}


def _num(value: Any) -> str:
    return " ".join(format_value(value, 6).split())


def diagnose(result: Any, name: str, given: Any, rtol: float = 1e-6, atol: float = 1e-12) -> Diagnosis | None:
    """The mistake behind a wrong answer for ∂out/∂name (or the output's value) of an evaluated
    Result; None if the answer is right."""
    graph = result.graph
    target = graph.node_of(name)
    targets = [] if target is None or target == graph.output else [target]
    return Diagnoser(graph, result.values, targets, result.upstream).diagnose(name, given, rtol, atol)


# A worked backward pass ------------------------------------------------------------------------------

RIGHT, FOLLOWS, WRONG = "right", "follow-through", "wrong"


class Entry:
    """One value of a worked backward pass, judged."""

    __slots__ = ("name", "node", "given", "correct", "basis", "status", "diagnosis", "first", "note")

    def __init__(self, name: str, node: int, given: Any, correct: Any, basis: Any, status: str,
                 diagnosis: Diagnosis | None, first: bool):
        self.name = name
        self.node = node
        self.given = given
        self.correct = correct      # the right value
        self.basis = basis          # the right value given the student's own earlier values
        self.status = status        # RIGHT, FOLLOWS (right from the student's earlier values) or WRONG
        self.diagnosis = diagnosis
        self.first = first          # the first wrong entry of the pass
        self.note: str | None = None   # for follow-through: from which of the student's values

    def credit(self, follow_through: float) -> float:
        return 1.0 if self.status == RIGHT else follow_through if self.status == FOLLOWS else 0.0

    def as_dict(self) -> dict:
        return {"status": self.status, "first_wrong": self.first,
                "from_yours": None if self.status == RIGHT else _plain(self.basis),
                "follow_through": self.note,
                "diagnosis": None if self.diagnosis is None else self.diagnosis.as_dict()}


def backward_order(graph: Graph, names: list[str]) -> list[str]:
    """The names in the order the backward pass reaches them: the output's value, then from the
    output down (reverse creation order)."""
    def place(name: str) -> int:
        if name == graph.output_name and graph.node_of(name) in (None, graph.output):
            return len(graph.nodes)
        return graph.node_of(name)
    return sorted(names, key=place, reverse=True)


class PassChecker:
    """Worked backward passes of one problem at one point judged, many students alike: the catalogue's
    slips are run once (for every first wrong entry); only a later wrong entry, judged from a
    student's own earlier values, needs a pass of its own."""

    def __init__(self, graph: Graph, values: list, names: list[str], upstream: Any = None):
        self.graph, self.values, self.upstream = graph, values, upstream
        targets = [graph.node_of(name) for name in names if not _is_value(graph, name)]
        self.base = Diagnoser(graph, values, [t for t in targets if t is not None], upstream)
        self._above: dict[int, list[bool]] = {}
        self._diagnosers: dict[tuple, Diagnoser] = {}

    def _yours(self, node: int, fixed: dict[int, Any]) -> Diagnoser:
        """The catalogue run from the student's earlier values above `node` (a class repeats them:
        one Diagnoser per distinct set)."""
        above = self._above.get(node)
        if above is None:
            above = self._above[node] = reaches(self.graph, [node])
        mine = {f: value for f, value in fixed.items() if above[f]}
        key = (node, tuple((f, _key(value)) for f, value in sorted(mine.items())))
        found = self._diagnosers.get(key)
        if found is None:
            found = self._diagnosers[key] = Diagnoser(self.graph, self.values, [node], self.upstream, mine)
        return found

    def check(self, given: dict[str, Any], rtol: float = 1e-6, atol: float = 1e-12) -> list[Entry]:
        """Each entry in backward order against the right value; one that is off also against what
        follows from the student's earlier entries (follow-through). The first wrong entry is named
        with its mistake; each later wrong entry is diagnosed given the student's earlier values."""
        graph, values, base = self.graph, self.values, self.base
        entries: list[Entry] = []
        fixed: dict[int, Any] = {}
        for name in backward_order(graph, list(given)):
            number = given[name]
            is_value = _is_value(graph, name)
            node = graph.output if is_value else graph.node_of(name)
            correct = values[node] if is_value else base.correct(node)
            basis = correct
            if fixed and not is_value:
                grads = walk(graph, values, base.needs, base.seed, fixed=fixed, stop=node)
                basis = grads[node] if grads[node] is not None else np.zeros_like(values[node])
            if close(number, correct, rtol, atol):
                entries.append(Entry(name, node, number, correct, basis, RIGHT, None, False))
                continue
            if fixed and not is_value and close(number, basis, rtol, atol):
                entries.append(Entry(name, node, number, correct, basis, FOLLOWS, None, False))
                fixed[node] = number
                continue
            if is_value:
                diagnosis = base.diagnose_value(name, number, rtol, atol)
            else:
                diagnosis = base.diagnose(name, number, rtol, atol)
                if fixed and (diagnosis is None or diagnosis.mistake is None):
                    # Not a slip from the right values: one from the student's own earlier values?
                    yours = self._yours(node, fixed)
                    diagnosis = _named(yours.diagnose(name, number, rtol, atol), diagnosis)
                fixed[node] = number
            first = not any(entry.status == WRONG for entry in entries)
            entries.append(Entry(name, node, number, correct, basis, WRONG, diagnosis, first))
        for entry in entries:
            entry.note = follow_through_sentence(entry, entries, graph)
        return entries


def _named(first: Diagnosis | None, second: Diagnosis | None) -> Diagnosis | None:
    """The first diagnosis that names a mistake, else the first."""
    if first is not None and first.mistake is None and second is not None and second.mistake is not None:
        return second
    return first


def _is_value(graph: Graph, name: str) -> bool:
    """An answer named after the output is its value (as check.py reads it), unless an input has the name."""
    return name == graph.output_name and graph.node_of(name) in (None, graph.output)


def check_pass(graph: Graph, values: list, given: dict[str, Any], rtol: float = 1e-6, atol: float = 1e-12,
               upstream: Any = None) -> list[Entry]:
    """Judge one worked backward pass (see PassChecker.check)."""
    return PassChecker(graph, values, list(given), upstream).check(given, rtol, atol)


def diagnose_verdicts(result: Any, verdicts: list, rtol: float, atol: float,
                      checker: PassChecker | None = None) -> list[Entry]:
    """The answers of one problem (check.Verdicts) as a worked pass: each verdict judged at the given
    point gets its Entry (`verdict.entry`: right, follow-through or wrong, with the mistake named)."""
    given, judged = {}, {}
    for verdict in verdicts:
        name = verdict.answer.name
        if verdict.answer.malformed is None and verdict.expected is not None and name not in given \
                and not verdict.wrong_shape:   # a shape no slip of the pass gives: said by check.py
            given[name], judged[name] = verdict.expected, verdict
    if checker is None:
        checker = PassChecker(result.graph, result.values, list(given), result.upstream)
    entries = checker.check(given, rtol, atol)
    for entry in entries:
        judged[entry.name].entry = entry
    return entries


def follow_through_sentence(entry: Entry, entries: list[Entry], graph: Graph) -> str | None:
    """'∂z/∂x = 12 is right from your ∂z/∂t = 3 (which was wrong)' for an entry given credit: the
    student's earlier values off the right ones, among those the entry's gradient flows through."""
    if entry.status != FOLLOWS:
        return None
    above = reaches(graph, [entry.node])
    earlier = entries[:entries.index(entry)]
    yours = [e for e in earlier if e.status != RIGHT and e.node != entry.node and above[e.node]]
    output = graph.output_name
    listed = ", ".join(f"∂{output}/∂{e.name} = {_num(e.given)}" for e in yours)
    return (f"∂{output}/∂{entry.name} = {_num(entry.given)} is right from your {listed} "
            f"({'which was' if len(yours) == 1 else 'which were'} wrong); from the right values it is "
            f"{_num(entry.correct)}")


# A class: each student's answers to a problem as a worked pass, and what the class got wrong ------

class ClassMarker:
    """Judges every student's wrong answers of a problem as a worked pass: the catalogue run once per
    problem, and a pass judged once per distinct set of wrong answers (a class repeats them)."""

    def __init__(self, rtol: float, atol: float, follow_through: float = 0.0):
        self.rtol, self.atol, self.follow_through = rtol, atol, follow_through
        self.checkers: dict[str, PassChecker] = {}
        self.judged: dict[tuple, dict[str, Entry]] = {}

    def mark(self, problem: Any, marks: list) -> None:
        """Set `mark.entry` (and `mark.credit` for follow-through) on a student's marks of `problem`
        (classroom.Mark) that are wrong at the given point."""
        wrong = [m for m in marks if m.verdict is not None and not m.verdict.ok
                 and m.verdict.answer.malformed is None and m.verdict.expected is not None
                 and not m.verdict.wrong_shape]
        if not wrong:
            return
        key = (problem.id, tuple((m.asked.name, m.text) for m in wrong))
        entries = self.judged.get(key)
        if entries is None:
            checker = self.checkers.get(problem.id)
            if checker is None:
                result = problem.result
                checker = self.checkers[problem.id] = PassChecker(
                    result.graph, result.values, [asked.name for asked in problem.asked], result.upstream)
            found = checker.check({m.asked.name: m.verdict.expected for m in wrong}, self.rtol, self.atol)
            entries = self.judged[key] = {entry.name: entry for entry in found}
        for m in wrong:
            m.entry = entries[m.asked.name]
            if m.entry.status == FOLLOWS:
                m.credit = self.follow_through


# How a mistake reads in a class summary: "38% did not add the paths into c".
PHRASES = {
    "paths-not-added": "did not add the paths into {node}",
    "last-path-overwrites": "let each path into {node} overwrite the one before (= for +=)",
    "chain-factor-forgotten": "forgot the chain factor on {edge}",
    "local-derivative-forgotten": "forgot the local derivative on {edge}",
    "sign-slip": "slipped a sign on {edge}",
    "sigmoid-derivative-as-sigmoid": "took σ′ as σ on {edge}",
    "tanh-derivative-as-1-minus-x2": "took tanh′(u) as 1 − u² on {edge}",
    "log-without-inner-derivative": "left out the inner derivative of log({node})",
    "power-rule-exponent-not-lowered": "did not lower the exponent on {edge}",
    "quotient-rule-sign": "gave the quotient rule the wrong sign on {edge}",
    "derivative-at-output": "took the derivative of {head} at its output on {edge}",
    "mean-as-sum": "differentiated the mean {head} as a sum",
    "matmul-untransposed": "left out the transpose on {edge}",
    "matmul-wrong-order": "multiplied in the wrong order on {edge}",
    "rounding": "rounded beyond the tolerance",
}


def phrase(diagnosis: Diagnosis) -> str:
    """The mistake as a class summary says it, with where it was made."""
    labels, slip = diagnosis.labels, diagnosis.slip
    if slip is None or labels is None:
        return PHRASES.get(diagnosis.mistake or "", NO_MATCH)
    head, node = labels[slip.node], labels[slip.input]
    return PHRASES[diagnosis.mistake].format(node=node, head=head, edge=f"{head} → {node}")


class Item:
    """One asked answer of a problem across the class: how many got it right, wrong, … and why."""

    __slots__ = ("problem", "name", "column", "right", "follow_through", "wrong", "blank", "malformed",
                 "mistakes", "students")

    def __init__(self, problem: str, name: str, column: str, students: int):
        self.problem, self.name, self.column, self.students = problem, name, column, students
        self.right = self.follow_through = self.wrong = self.blank = self.malformed = 0
        self.mistakes: dict[tuple[str, str], int] = {}   # (mistake id, phrase) → students

    def common(self, count: int = 3) -> list[tuple[str, str, int]]:
        """The most common named mistakes: (id, phrase, students), most frequent first."""
        ranked = sorted(self.mistakes.items(), key=lambda item: (-item[1], item[0]))
        return [(mistake, said, n) for (mistake, said), n in ranked[:count]]

    def summary(self, mistake: tuple[str, str, int]) -> str:
        """'38% did not add the paths into c'."""
        share = 100 * mistake[2] / self.students if self.students else 0.0
        return f"{share:.0f}% {mistake[1]}"


def item_analysis(book: Any) -> list[Item]:
    """Per problem and asked name (classroom.Gradebook): right, follow-through, wrong, blank and
    malformed counts, and the named mistakes of the wrong answers."""
    students = len(book.students)
    items = {column: Item(key.asked.problem.id, key.asked.name, column, students)
             for column, key in book.keys.items()}
    for student in book.students:
        for mark in student.marks:
            item = items[mark.asked.column]
            entry = getattr(mark, "entry", None)
            if mark.verdict is None:
                item.blank += 1
            elif mark.verdict.answer.malformed is not None:
                item.malformed += 1
            elif mark.ok:
                item.right += 1
            elif entry is not None and entry.status == FOLLOWS:
                item.follow_through += 1
            else:
                item.wrong += 1
                if entry is not None and entry.diagnosis is not None and entry.diagnosis.mistake:
                    said = (entry.diagnosis.mistake, phrase(entry.diagnosis))
                    item.mistakes[said] = item.mistakes.get(said, 0) + 1
    return list(items.values())
