"""Which slip of the backward pass a wrong number comes from: a catalogue of named mistakes, each the
backward pass re-run with one change, matched against the student's number; and a worked backward
pass checked entry by entry, later entries judged from the student's own earlier values."""

from __future__ import annotations

import math
from decimal import Decimal

from .evaluate import backward, backward_from, needs_grad
from .graph import Graph, gc_paused
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


def _anyway(flowing: Any, error: Any) -> None:
    """A non-finite gradient is what the right pass gives there: diagnosis compares with it."""


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
    """The engine's backward pass (evaluate.backward_from) with one change at chosen edges:
    `edits[(node, k)]` gives what flows instead of upstream × local (_DROP: nothing), `overwrite`
    replaces an input's gradient with each edge's instead of adding, `fixed[node]` is the gradient a
    node passes on whatever reached it (a student's own value), `shortcut[node]` the inputs below a
    node its gradient goes to directly (the derivatives between them left out). Nodes with ids ≤
    `stop` are not passed through (their gradients are final). [] if the slip's shapes do not fit."""
    grads: list = [None] * len(graph.nodes)
    grads[graph.output] = seed
    start = graph.output
    if fixed:
        needs = list(needs)
        for node, value in fixed.items():
            if node > stop:   # nothing flows into it: its gradient is the student's
                grads[node], needs[node] = value, False
                start = max(start, node)
    input_ids = graph.nodes.input_ids
    fitted = {(node, k): _fitted(edit, values[input_ids(node)[k]]) for (node, k), edit in (edits or {}).items()}
    try:
        if overwrite:   # each input keeps the last edge to reach it: the edges before it are dropped
            fired = backward_from(graph, values, list(grads), start, needs, stop, fitted, record=True)[1]
            last = {step.input: (step.node, step.k) for step in fired}
            fitted.update({(step.node, step.k): _nothing for step in fired
                           if last[step.input] != (step.node, step.k)})
        for inner in sorted(shortcut or (), reverse=True):
            if not stop < inner <= start:
                continue
            backward_from(graph, values, grads, start, needs, inner, fitted)
            start, upstream = inner - 1, grads[inner]     # its own edges are not walked
            for src in shortcut[inner] if upstream is not None else ():
                try:
                    flowing = sum_to(upstream, np.shape(values[src]))
                except ValueError:   # an array's gradient cannot be a scalar's: no such slip
                    return []
                grads[src] = flowing if grads[src] is None else grads[src] + flowing
        backward_from(graph, values, grads, start, needs, stop, fitted)
    except _NoSuchSlip:
        return []
    return grads


class _NoSuchSlip(Exception):
    """A slip's shapes do not fit: no student could write it down."""


def _nothing(*edge: Any) -> None:
    """An edit by which nothing flows along its edge."""


def _fitted(edit: Callable, like: Any) -> Callable:
    """An edit as the engine takes it: what flows fitted to its input's shape (`like`), None for
    nothing; _NoSuchSlip where the slip's shapes do not fit."""
    shape = np.shape(like)

    def fit(upstream: Any, local: Any, flowing: Any, args: list, out: Any) -> Any:
        try:
            flowing = edit(upstream, local, flowing, args, out)
            if flowing is _DROP:
                return None
            if np.shape(flowing) != shape and np.ndim(flowing) < len(shape):
                raise ValueError("a slip cannot make an array smaller than its input")
            return sum_to(flowing, shape)
        except (ValueError, ArithmeticError):
            raise _NoSuchSlip from None
    return fit


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


_LINEAR = {"identity", "neg", "pos", "sum", "mean", "transpose", "transpose_all", "sum_last"}


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
    ops, inputs = graph.nodes.ops, graph.nodes.inputs
    marked = [False] * len(ops)
    for target in targets:
        marked[target] = True
    for node, op in enumerate(ops):
        if not marked[node] and op is not None:
            for i in inputs[node]:
                if marked[i] and (blocked is None or i not in blocked or i in targets):
                    marked[node] = True
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
    """check.close, without importing check (and its parser) here. A value that is not finite (a
    slip's 1/0 at log's output 0) is close to nothing: |2 − ∞| ≤ rtol·∞ would make it anything."""
    if isinstance(given, float) and isinstance(value, float):   # numbers: no numpy round trip
        return abs(given - value) <= atol + rtol * abs(value) and math.isfinite(value)
    given, value = np.asarray(given), np.asarray(value)
    if given.shape != value.shape and given.shape != ():   # check.fits: a single number, or the shape
        return False
    with np.errstate(all="ignore"):
        return bool(np.all((np.abs(given - value) <= atol + rtol * np.abs(value)) & np.isfinite(value)))


class Within:
    """When a student's number is a value: within rtol/atol, or, for a number written as text and
    judged by an answer's own tolerance.Rule (its significant figures or decimals, or the default for
    hand-computed answers), when that rule would pass the text were the value the right one. A
    mistake reproduces a student's number under the very rule the answer was judged by."""

    __slots__ = ("rtol", "atol", "rule", "text", "key", "_written")

    def __init__(self, rtol: float = 1e-6, atol: float = 1e-12, rule: Any = None, text: str | None = None):
        if rule is not None:
            rtol, atol = rule.rtol, rule.atol
            if text is None or not (rule.figures or rule.hand):
                rule = text = None   # rtol/atol alone: numbers compared as formulas are
        self.rtol, self.atol, self.rule, self.text = rtol, atol, rule, text
        self._written: bool | None = None    # whether the text is a plain number (read when needed)
        # a cache's key: the rule by its fields (a frozen dataclass hashes all of them every time)
        self.key = (rtol, atol) if rule is None else \
            (rtol, atol, text, rule.sigfigs, rule.accurate, rule.decimals, rule.hand)

    def right(self, given: Any, value: Any) -> bool:
        """Whether `given` is `value` (were `value` the right answer, it would be judged right)."""
        rule = self.rule
        if rule is None or np.ndim(value) or np.ndim(given):
            return close(given, value, self.rtol, self.atol)
        if not math.isfinite(value):      # no rule's figures make a number of ∞ or nan
            return False
        if not rule.figures and abs(given - value) <= self.atol + self.rtol * abs(value):
            return True   # the hand-computed default: within rtol/atol is right, whatever the figures
        if self._written is not False:
            right = rule.passes(self.text, float(value))   # None: the text is no plain number
            self._written = right is not None
            if right is not None:
                return right
        return close(given, value, self.rtol, self.atol)   # a formula: its value compared as a program's are

    def hits(self, given: float, values: Any) -> list[int]:
        """The indices of `values` (a float array) that `given` is, in order."""
        with np.errstate(all="ignore"):
            near = np.flatnonzero(np.abs(values - given) <= loose_bound(self.rule, self.rtol, self.atol, values))
        if self.rule is None:
            return near.tolist()
        return [i for i in near.tolist() if self.right(given, float(values[i]))]


def loose_bound(rule: Any, rtol: float, atol: float, values: Any) -> Any:
    """A bound on |given − value| no narrower than Within.right's for each of `values`: exact for
    rtol/atol; for a rule's figures, half a unit of the figure asked (from |value|, a little wide,
    so the exact test runs only on what passes)."""
    with np.errstate(invalid="ignore"):
        bound = np.where(np.isfinite(values), atol + rtol * np.abs(values), np.nan)   # ∞ and nan: no bound
    if rule is None:
        return bound
    if rule.decimals is not None:
        return np.maximum(bound, 0.5 * 10.0 ** -rule.decimals * (1 + 1e-9))
    figures = rule.figure
    # |value| = m·10^e with 1 ≤ m < 10: the unit of its figures-th figure is 10^(e + 1 − figures) ≤
    # |value|·10^(1 − figures); when rounding carries m to 10 (m ≥ 9.95 at least) it is 10× that,
    # still under |value|·10^(1 − figures)·1.01.
    return np.maximum(bound, 0.5 * np.abs(values) * 10.0 ** (1 - figures) * 1.01)


def _matrix_hits(givens: Any, values: Any, withins: list[Within]) -> list[tuple[int, int]]:
    """(row, column) where givens[row] is values[column] (values: one array for all rows, or a row
    of its own per given; NaN never matches), under each row's Within, in row then column order."""
    rule = next((w.rule for w in withins if w.rule is not None), None)
    first = withins[0]
    with np.errstate(all="ignore"):
        near = np.abs(givens[:, None] - values) <= loose_bound(rule, first.rtol, first.atol, values)
    rows, columns = np.nonzero(near)
    pairs = list(zip(rows.tolist(), columns.tolist()))
    if rule is None:
        return pairs
    full = np.broadcast_to(values, near.shape)
    return [(r, c) for r, c in pairs if withins[r].right(float(givens[r]), float(full[r, c]))]


def shown_decimals(number: Any) -> int | None:
    """How many decimals a number was written with (its shortest repr), if it has ≥ 2 significant
    digits; None for a number too short to say (0.2 could be anything rounded)."""
    if isinstance(number, float):   # a class's many numbers: read off repr, as Decimal would
        if number == 0 or number != number or abs(number) == float("inf"):
            return None
        mantissa, _, exponent = repr(abs(float(number))).partition("e")
        whole, _, fraction = mantissa.partition(".")
        if len((whole + fraction).lstrip("0")) < 2:
            return None
        return max(0, len(fraction) - int(exponent or 0))
    most = None
    for x in np.ravel(np.asarray(number, dtype=np.float64)):
        if x == 0:
            continue
        _, digits, exponent = Decimal(repr(float(x))).as_tuple()
        if len(digits) < 2:
            return None
        most = max(most or 0, -exponent)
    return most


def _rounded(given: Any, correct: Any, values: list, numbers: Any) -> tuple[int | None, list[int]]:
    """For a number no slip gives: (the decimals the right value rounded to gives it, else None;
    the indices of the slips' values that, rounded to the decimals it shows, give it)."""
    shown = shown_decimals(given)
    decimals = rounds_to(correct, given, shown)
    if decimals is not None or shown is None:
        return decimals, []
    if numbers is not None and isinstance(given, float):
        with np.errstate(all="ignore"):
            near = np.flatnonzero(np.abs(np.round(numbers, shown) - given) <= 1e-9 * abs(given) + 1e-300)
        return None, [i for i in near.tolist() if rounds_to(values[i], given, shown) is not None]
    return None, [i for i, value in enumerate(values) if rounds_to(value, given, shown) is not None]


def _rounded_many(givens: list[float], corrects: list[float], numbers: Any) -> list[tuple[int | None, list[int]]]:
    """_rounded for many numbers at once, against the same slips' values `numbers`: the numbers
    showing the same decimals rounded together."""
    found: list = [(None, [])] * len(givens)
    by_decimals: dict[int, list[int]] = {}
    for r, (given, correct) in enumerate(zip(givens, corrects)):
        shown = shown_decimals(given)
        decimals = rounds_to(correct, given, shown)
        if decimals is not None:
            found[r] = (decimals, [])
        elif shown is not None:
            by_decimals.setdefault(shown, []).append(r)
    for shown, rows in by_decimals.items():
        given = np.array([givens[r] for r in rows])
        with np.errstate(all="ignore"):
            near = np.abs(np.round(numbers, shown) - given[:, None]) <= 1e-9 * np.abs(given[:, None]) + 1e-300
        for t, i in zip(*np.nonzero(near)):
            r = rows[t]
            if rounds_to(float(numbers[i]), givens[r], shown) is not None:
                found[r] = (None, found[r][1] + [int(i)])
    return found


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
        if rounded.shape != given.shape and given.shape != ():   # check.fits
            return None
        return decimals if bool(np.all(np.abs(rounded - given) <= 1e-9 * np.abs(given) + 1e-300)) else None


class Diagnoser:
    """The catalogue run once for one problem at one point (and the student's earlier values, if
    any): every slip's whole backward pass kept, so each wrong number costs a lookup, not a pass."""

    def __init__(self, graph: Graph, values: list, targets: list[int], upstream: Any = None,
                 fixed: dict[int, Any] | None = None, labels: list[str] | None = None):
        self.graph, self.values, self.fixed = graph, values, fixed
        self.labels = labels or graph.labels()
        # what the gradients are of: the output, or the loss whose ∂L/∂output --upstream gave
        if upstream is None:
            self.out = graph.output_name
        else:
            from .result import loss_name

            self.out = loss_name(self.labels)
        self.needs = needs_grad(graph)
        self.seed = seed_of(graph, values, upstream)
        self.targets = targets
        self.stop = min(targets) if targets else -1
        if fixed:   # from a student's own values: the walk with them in place
            self.grads = walk(graph, values, self.needs, self.seed, fixed=fixed, stop=self.stop)
        else:       # the right pass is the engine's own reverse walk
            self.grads = backward(graph, values, upstream, on_nonfinite=_anyway)[0]
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

    def diagnose(self, name: str, given: Any, rtol: float = 1e-6, atol: float = 1e-12,
                 within: Within | None = None) -> Diagnosis | None:
        """None if `given` is right for ∂out/∂name; else the mistake that gives it (or no match),
        matched within rtol/atol or `within` (an answer's own rule). A class gives the same wrong
        number many times: each is looked up once."""
        within = within or Within(rtol, atol)
        key = (name, _key(given), within.key)
        if key in self._found:
            return self._found[key]
        found = self._diagnose(name, given, within)
        if found is not None:
            found.labels = self.labels
        self._found[key] = found
        return found

    def _candidates(self, node: int, correct: Any, rtol: float, atol: float) -> tuple[list, list, Any]:
        """The slips that change ∂out/∂node, what they give it, and those values as one array when
        they are numbers (found once per node)."""
        key = (node, rtol, atol)
        found = self._by_node.get(key)
        if found is None:
            pairs = [(slip, slip.grads[node]) for slip in self.slips if slip.grads[node] is not None
                     and not close(slip.grads[node], correct, rtol, atol)]
            values = [value for _, value in pairs]
            numbers = np.array(values, dtype=np.float64) if all(isinstance(v, float) for v in values) else None
            found = self._by_node[key] = ([slip for slip, _ in pairs], values, numbers)
        return found

    def _too_large(self, name: str, node: int, given: Any, correct: Any) -> Diagnosis | None:
        # self.slips builds the catalogue on first use, which is what finds a program too large
        if not self.slips and self.too_large:
            return Diagnosis(name, node, given, correct, None, None, None,
                             f"{NO_MATCH} that gradcalc could check: the program is too large to "
                             f"try every mistake")
        return None

    def _diagnose(self, name: str, given: Any, within: Within) -> Diagnosis | None:
        graph = self.graph
        if _is_value(graph, name):
            return self._diagnose_value(name, given, within)
        node = graph.node_of(name)
        correct = self.correct(node)
        if within.right(given, correct):
            return None
        large = self._too_large(name, node, given, correct)
        if large is not None:
            return large
        slips, values, numbers = self._candidates(node, correct, within.rtol, within.atol)
        if numbers is not None and isinstance(given, float):   # a number: all slips compared at once
            hits = within.hits(given, numbers)
        else:
            hits = [i for i, value in enumerate(values) if within.right(given, value)]
        return self.conclude(name, node, given, correct, within, slips, values, numbers, hits)

    def conclude(self, name: str, node: int, given: Any, correct: Any, within: Within, slips: list,
                 values: Any, numbers: Any, hits: list[int], sentence: Callable | None = None,
                 rounded: tuple | None = None) -> Diagnosis:
        """The diagnosis of a wrong number from the slips it is (`hits`, indices of `slips` and their
        `values`): the first of them named, the others listed; with none, the right value rounded
        (rounding), else a slip's value rounded to the digits shown, else no match. `sentence(slip)`:
        how the matched slip is said (default: this Diagnoser's sentence); `rounded`: _rounded's
        answer, when a class found it for many numbers at once (_rounded_many)."""
        quantity = f"∂{self.out}/∂{name}"
        decimals = None
        if not hits:
            decimals, hits = rounded if rounded is not None else _rounded(given, correct, values, numbers)
            if decimals is not None:
                return Diagnosis(name, node, given, correct, "rounding", None, given,
                                 lambda: _rounding(given, quantity, correct, decimals, within))
        if not hits:
            yours = " from your earlier values" if self.fixed else ""
            return Diagnosis(name, node, given, correct, None, None, None,
                             lambda: f"{NO_MATCH}: {quantity} = {_num(correct)}{yours}")
        slip, value = slips[hits[0]], values[hits[0]]
        others = tuple(dict.fromkeys(slips[i].mistake for i in hits if slips[i].mistake != slip.mistake))
        rounded = " (rounded)" if decimals is None and not within.right(given, value) else ""
        say = sentence or (lambda slip: self.sentence(slip, name, node, given))
        return Diagnosis(name, node, given, correct, slip.mistake, slip, value, lambda: say(slip) + rounded, others)

    def diagnose_many(self, name: str, givens: list, withins: list[Within]) -> list[Diagnosis]:
        """diagnose for many wrong numbers of one answer (a class's, each wrong by its own rule):
        every number compared with every slip in one numpy comparison, each distinct one once."""
        keys = [(name, _key(given), within.key) for given, within in zip(givens, withins)]
        todo = list({key: i for i, key in reversed(list(enumerate(keys))) if key not in self._found}.values())
        if todo:
            self._diagnose_many(name, givens, withins, keys, todo)
        return [self._found[key] for key in keys]

    def _diagnose_many(self, name: str, givens: list, withins: list[Within], keys: list, todo: list[int]) -> None:
        node = self.graph.node_of(name)
        correct = self.correct(node)
        hits: dict[int, list[int]] = {i: [] for i in todo}
        slips, values, numbers = ([], [], None) if self._too_large(name, node, givens[0], correct) else \
            self._candidates(node, correct, withins[0].rtol, withins[0].atol)
        if numbers is not None and len(numbers):
            numbers_hit = _matrix_hits(np.array([givens[i] for i in todo], dtype=np.float64), numbers,
                                       [withins[i] for i in todo])
            for row, column in numbers_hit:
                hits[todo[row]].append(column)
        missed = [i for i in todo if not hits[i]] if numbers is not None and not self.too_large else []
        rounded = dict(zip(missed, _rounded_many([givens[i] for i in missed], [correct] * len(missed), numbers)))
        for i in todo:
            given, within = givens[i], withins[i]
            if self.too_large:
                diagnosis = self._too_large(name, node, given, correct)
            elif numbers is None:
                diagnosis = self._diagnose(name, given, within)
            else:
                diagnosis = self.conclude(name, node, given, correct, within, slips, values, numbers, hits[i],
                                          rounded=rounded.get(i))
            diagnosis.labels = self.labels
            self._found[keys[i]] = diagnosis

    def diagnose_value(self, name: str, given: Any, rtol: float = 1e-6, atol: float = 1e-12,
                       within: Within | None = None) -> Diagnosis | None:
        """None if `given` is the output's value; else rounding, or no match."""
        within = within or Within(rtol, atol)
        key = (name, _key(given), within.key)
        if key in self._found:
            return self._found[key]
        found = self._found[key] = self._diagnose_value(name, given, within)
        if found is not None:
            found.labels = self.labels
        return found

    def _diagnose_value(self, name: str, given: Any, within: Within) -> Diagnosis | None:
        node = self.graph.output
        correct = self.values[node]
        if within.right(given, correct):
            return None
        decimals = rounds_to(correct, given)
        if decimals is not None:
            return Diagnosis(name, node, given, correct, "rounding", None, given,
                             lambda: _rounding(given, name, correct, decimals, within))
        return Diagnosis(name, node, given, correct, None, None, None,
                         lambda: f"{NO_MATCH}: {name} = {_num(correct)}")

    def sentence(self, slip: Slip, name: str, node: int, given: Any) -> str:
        """'6 is what you get if …: the right step is …', in the labels of the trace."""
        graph, labels, grads = self.graph, self.labels, self.grads
        out = self.out
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
        return f"; carried down to {name}, where ∂{self.out}/∂{name} = {_num(self.correct(node))}"

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


def _rounding(given: Any, quantity: str, correct: Any, decimals: int, within: Within) -> str:
    """'0.1966 is ∂z/∂x = 0.196612 rounded to …': the right value, and what the answer's rule asks for
    instead (3 significant figures, 2 decimal places), or more digits where a tolerance wants them."""
    head = f"{_num(given)} is {quantity} = {_num(correct)} rounded to"
    words = within.rule.instead(within.text) if within.rule is not None else None
    if words is not None:
        return f"{head} {words[0]}: the right value, but give {words[1]}"
    return f"{head} {decimals} decimal{'' if decimals == 1 else 's'}: right as far as it goes, but give more digits"


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
        self._affine: dict[tuple, Any] = {}     # check_class's coefficients, by node and fixed nodes

    def _yours(self, node: int, fixed: dict[int, Any]) -> Diagnoser:
        """The catalogue run from the student's earlier values above `node` (a class repeats them:
        one Diagnoser per distinct set)."""
        above = self.above(node)
        mine = {f: value for f, value in fixed.items() if above[f]}
        key = (node, tuple((f, _key(value)) for f, value in sorted(mine.items())))
        found = self._diagnosers.get(key)
        if found is None:
            found = self._diagnosers[key] = Diagnoser(self.graph, self.values, [node], self.upstream, mine,
                                                      self.base.labels)
        return found

    def check(self, given: dict[str, Any], rtol: float = 1e-6, atol: float = 1e-12,
              within: dict[str, Within] | None = None) -> list[Entry]:
        """Each entry in backward order against the right value; one that is off also against what
        follows from the student's earlier entries (follow-through). The first wrong entry is named
        with its mistake; each later wrong entry is diagnosed given the student's earlier values.
        `within[name]`: an answer's own tolerance (else rtol/atol)."""
        graph, values, base = self.graph, self.values, self.base
        entries: list[Entry] = []
        fixed: dict[int, Any] = {}
        plain = Within(rtol, atol)
        for name in backward_order(graph, list(given)):
            number = given[name]
            tolerance = within.get(name, plain) if within else plain
            is_value = _is_value(graph, name)
            node = graph.output if is_value else graph.node_of(name)
            correct = values[node] if is_value else base.correct(node)
            basis = correct
            if fixed and not is_value:
                basis = self.basis(node, fixed)
            if tolerance.right(number, correct):
                entries.append(Entry(name, node, number, correct, basis, RIGHT, None, False))
                continue
            if fixed and not is_value and tolerance.right(number, basis):
                entries.append(Entry(name, node, number, correct, basis, FOLLOWS, None, False))
                fixed[node] = number
                continue
            if is_value:
                diagnosis = base.diagnose_value(name, number, within=tolerance)
            else:
                diagnosis = base.diagnose(name, number, within=tolerance)
                if fixed and (diagnosis is None or diagnosis.mistake is None):
                    # Not a slip from the right values: one from the student's own earlier values?
                    yours = self._yours(node, fixed)
                    diagnosis = _named(yours.diagnose(name, number, within=tolerance), diagnosis)
                fixed[node] = number
            first = not any(entry.status == WRONG for entry in entries)
            entries.append(Entry(name, node, number, correct, basis, WRONG, diagnosis, first))
        for entry in entries:
            entry.note = follow_through_sentence(entry, entries, graph, self.base.out)
        return entries

    def basis(self, node: int, fixed: dict[int, Any]) -> Any:
        """∂out/∂node from the student's own values at the nodes in `fixed`."""
        grads = walk(self.graph, self.values, self.base.needs, self.base.seed, fixed=fixed, stop=node)
        return grads[node] if grads[node] is not None else np.zeros_like(self.values[node])

    def above(self, node: int) -> list[bool]:
        found = self._above.get(node)
        if found is None:
            found = self._above[node] = reaches(self.graph, [node])
        return found

    # A class at once ------------------------------------------------------------------------------
    # The backward pass is linear in the gradients it carries, so ∂out/∂node from a student's own
    # values v_f at the nodes f above it is a0 + Σ a_f·v_f, and so is what each slip of the catalogue
    # gives it (a slip changes what flows, never its linearity; a forgotten chain factor adds a
    # constant): the coefficients are found once per node and set of such nodes, and every student's
    # numbers are then a matrix product, compared with what they wrote in one numpy comparison.

    def _affine_basis(self, node: int, fixed: tuple[int, ...]) -> tuple[float, Any]:
        key = ("basis", node, fixed)
        found = self._affine.get(key)
        if found is None:
            graph, values, needs = self.graph, self.values, self.base.needs
            at = lambda grads: 0.0 if grads[node] is None else float(grads[node])   # noqa: E731
            a0 = at(walk(graph, values, needs, self.base.seed, fixed=dict.fromkeys(fixed, 0.0), stop=node))
            each = [at(walk(graph, values, needs, 0.0, fixed={g: float(g == f) for g in fixed}, stop=node))
                    for f in fixed]
            found = self._affine[key] = (a0, np.array(each, dtype=np.float64))
        return found

    def _affine_slips(self, node: int, fixed: tuple[int, ...]) -> tuple[Diagnoser, Any, Any] | None:
        """The catalogue from the student's values at `fixed` as coefficients: (the Diagnoser with
        them all 0, b0, B) where the slips give node b0 + v·B; None for a program too large."""
        key = ("slips", node, fixed)
        if key not in self._affine:
            def run(values: dict) -> Diagnoser:
                return Diagnoser(self.graph, self.values, [node], self.upstream, values, self.base.labels)

            def given(diagnoser: Diagnoser) -> Any:
                return np.array([np.nan if slip.grads[node] is None else float(slip.grads[node])
                                 for slip in diagnoser.slips], dtype=np.float64)
            zero = run(dict.fromkeys(fixed, 0.0))
            b0 = given(zero)
            if zero.too_large:
                self._affine[key] = None
            else:
                each = [given(run({g: float(g == f) for g in fixed})) - b0 for f in fixed]
                self._affine[key] = (zero, b0, np.array(each, dtype=np.float64))
        return self._affine[key]

    def check_class(self, passes: list[dict[str, tuple[Any, Within]]]) -> list[dict[str, Entry]]:
        """check for many students at once (each pass: name → (number, its Within)), the same
        judgement: answer by answer in backward order, every student's number at once. A problem of
        arrays is checked student by student."""
        if any(np.ndim(v) for v in self.values) or \
                any(type(number) not in _FLOATS for given in passes for number, _ in given.values()):
            return [{entry.name: entry for entry in self.check(
                {name: number for name, (number, _) in given.items()},
                within={name: within for name, (_, within) in given.items()})} for given in passes]
        graph, base = self.graph, self.base
        names = backward_order(graph, list(dict.fromkeys(name for given in passes for name in given)))
        rows, columns = len(passes), len(names)
        numbers = np.full((rows, columns), np.nan)
        status = np.zeros((rows, columns), dtype=np.int8)     # 0: not given; 1 right, 2 follows, 3 wrong
        fixed = np.zeros((rows, columns), dtype=bool)         # the student's value replaces the right one
        basis = np.full((rows, columns), np.nan)
        diagnoses: dict[tuple[int, int], Diagnosis | None] = {}
        withins: list[list] = [[None] * columns for _ in range(rows)]
        column_of = {name: j for j, name in enumerate(names)}
        at_rows, at_columns, given_numbers = [], [], []
        for r, given in enumerate(passes):
            mine = withins[r]
            for name, (number, within) in given.items():
                j = column_of[name]
                mine[j] = within
                at_rows.append(r)
                at_columns.append(j)
                given_numbers.append(number)
        numbers[at_rows, at_columns] = given_numbers
        status[at_rows, at_columns] = RIGHT_CODE   # given: judged below
        values_col = [_is_value(graph, name) for name in names]
        nodes = [graph.output if value else graph.node_of(name) for name, value in zip(names, values_col)]
        for j, name in enumerate(names):
            here = np.flatnonzero(status[:, j])
            node, is_value = nodes[j], values_col[j]
            within = [withins[r][j] for r in here]
            given = numbers[here, j]
            correct = float(self.values[node]) if is_value else float(base.correct(node))
            basis[here, j] = correct
            codes = np.zeros(len(here), dtype=np.int64)
            slack = np.zeros(len(here))
            earlier = [] if is_value else \
                [i for i in range(j) if not values_col[i] and self.above(node)[nodes[i]]]
            if earlier:   # which of the student's earlier values reach this node: a code per set
                codes = fixed[np.ix_(here, earlier)] @ (1 << np.arange(len(earlier), dtype=np.int64))
                for code in np.unique(codes[codes > 0]).tolist():
                    chosen = np.flatnonzero(codes == code)
                    mine = [i for t, i in enumerate(earlier) if code >> t & 1]
                    a0, a = self._affine_basis(node, tuple(nodes[i] for i in mine))
                    theirs = numbers[np.ix_(here[chosen], mine)]
                    basis[here[chosen], j] = a0 + theirs @ a
                    slack[chosen] = 1e-9 * (abs(a0) + np.abs(theirs) @ np.abs(a)) + 1e-300
            right = _row_matches(given, np.full(len(here), correct), within)
            follows = ~right & (codes > 0)
            if follows.any():
                at = np.flatnonzero(follows)
                ours = [within[w] for w in at]
                mid, low, high = (_row_matches(given[at], basis[here[at], j] + shift * slack[at], ours)
                                  for shift in (0, -1, 1))
                for t in np.flatnonzero((low != mid) | (high != mid)).tolist():
                    # on an edge of the tolerance: the student's own pass decides (the coefficients
                    # differ from it in the last bits)
                    w = at[t]
                    mine = {nodes[i]: numbers[here[w], i] for i in earlier if fixed[here[w], i]}
                    basis[here[w], j] = float(self.basis(node, mine))
                    mid[t] = within[w].right(float(given[w]), float(basis[here[w], j]))
                follows[at] = mid
            wrong = ~right & ~follows
            status[here, j] = np.where(right, RIGHT_CODE, np.where(follows, FOLLOWS_CODE, WRONG_CODE))
            fixed[here, j] = ~right & (not is_value)
            wrong_at = np.flatnonzero(wrong)
            if not len(wrong_at):
                continue
            if is_value:
                for w in wrong_at.tolist():
                    diagnoses[int(here[w]), j] = base.diagnose_value(name, float(given[w]), within=within[w])
                continue
            found = base.diagnose_many(name, [float(given[w]) for w in wrong_at],
                                       [within[w] for w in wrong_at])
            unnamed: dict[int, list[int]] = {}
            for w, diagnosis in zip(wrong_at.tolist(), found):
                diagnoses[int(here[w]), j] = diagnosis
                if codes[w] and (diagnosis is None or diagnosis.mistake is None):
                    unnamed.setdefault(int(codes[w]), []).append(w)
            for code, chosen in unnamed.items():   # not a slip from the right values: from the student's?
                mine = [i for t, i in enumerate(earlier) if code >> t & 1]
                rows_here = here[chosen]
                yours = self._yours_many(name, node, tuple(nodes[i] for i in mine), numbers[np.ix_(rows_here, mine)],
                                         given[chosen], basis[rows_here, j], [within[w] for w in chosen])
                for r, diagnosis in zip(rows_here.tolist(), yours):
                    diagnoses[r, j] = _named(diagnosis, diagnoses[r, j])
        return self._entries(passes, names, nodes, status, basis, diagnoses)

    def _yours_many(self, name: str, node: int, fixed: tuple[int, ...], theirs: Any, givens: Any, bases: Any,
                    withins: list[Within]) -> list[Diagnosis | None]:
        """The diagnoses of wrong numbers at `node` from the catalogue run from each student's own
        values `theirs` at the nodes `fixed` (rows): a Diagnoser per distinct set of values where a
        class repeats them; else the catalogue's coefficients (_affine_slips) say in one comparison
        which slips come near each student's number, and only those are run from the student's
        values (what the coefficients give differs from a pass in the last bits, so every match and
        every rounding is decided by the pass itself)."""
        rows = theirs.tolist()
        distinct = {tuple(row) for row in rows}
        affine = None if len(distinct) <= len(fixed) + 1 else self._affine_slips(node, fixed)
        if affine is None:
            return [self._yours(node, dict(zip(fixed, row))).diagnose(name, float(given), within=within)
                    for row, given, within in zip(rows, givens, withins)]
        zero, b0, b = affine
        gives = b0 + theirs @ b     # what each slip gives each student
        slack = 1e-9 * (np.abs(b0) + np.abs(theirs) @ np.abs(b)) + 1e-300
        shown = [shown_decimals(float(given)) for given in givens]
        half = np.array([0.5 * 10.0 ** -d if d is not None else 0.0 for d in shown]) * (1 + 1e-9)
        first = withins[0]
        rule = next((w.rule for w in withins if w.rule is not None), None)
        with np.errstate(all="ignore"):   # near: within the tolerance, or rounding to the number
            reach = np.maximum(loose_bound(rule, first.rtol, first.atol, gives),
                               half[:, None] + 1e-9 * np.abs(givens[:, None])) + slack
            near = np.abs(gives - givens[:, None]) <= reach
        found = []
        for r, (given, close_by) in enumerate(zip(givens.tolist(), near)):
            basis, d = float(bases[r]), shown[r]
            decimals = rounds_to(basis, given, d)
            wobble = abs(basis) * 1e-9 + 1e-300
            edge = d is not None and (rounds_to(basis - wobble, given, d) != decimals
                                      or rounds_to(basis + wobble, given, d) != decimals)
            if close_by.any() or edge:   # a slip comes near, or the rounding is on an edge: passes decide
                diagnosis = self._yours_near(name, node, zero, dict(zip(fixed, rows[r])), given, withins[r],
                                             np.flatnonzero(close_by).tolist())
            else:
                diagnosis = zero.conclude(name, node, given, basis, withins[r], [], [], None, [],
                                          rounded=(decimals, []))
            diagnosis.labels = zero.labels
            found.append(diagnosis)
        return found

    def _yours_near(self, name: str, node: int, zero: Diagnoser, student: dict, given: float, within: Within,
                    near: list[int]) -> Diagnosis:
        """What diagnose gives from the student's values, the catalogue's slips other than `near`
        (indices into zero.slips) known to be far from their number: only those are run (once per
        distinct values and number: a class repeats them)."""
        key = ("near", node, tuple(student.items()), given, within.key)
        found = self._affine.get(key)
        if found is None:
            found = self._affine[key] = self._run_near(name, node, zero, student, given, within, near)
        return found

    def _run_near(self, name: str, node: int, zero: Diagnoser, student: dict, given: float, within: Within,
                  near: list[int]) -> Diagnosis:
        graph, values, needs, seed = self.graph, self.values, self.base.needs, self.base.seed
        grads = walk(graph, values, needs, seed, fixed=student, stop=node)
        basis = grads[node] if grads[node] is not None else np.zeros_like(values[node])
        slips, gives = [], []
        for i in near:
            slip = zero.slips[i]
            value = walk(graph, values, needs, seed, slip.edits, slip.overwrite, student, node, slip.shortcut)[node]
            if value is not None and not close(value, basis, within.rtol, within.atol):
                slips.append(slip)
                gives.append(float(value))
        numbers = np.array(gives, dtype=np.float64)
        say = lambda slip: self._yours(node, student).sentence(slip, name, node, given)   # noqa: E731
        return zero.conclude(name, node, given, basis, within, slips, gives, numbers, within.hits(given, numbers),
                             say)

    def _entries(self, passes: list, names: list[str], nodes: list[int], status: Any, basis: Any,
                 diagnoses: dict) -> list[dict[str, Entry]]:
        """Each student's Entries from check_class's tables."""
        values, judged = self.values, []
        kinds = (None, RIGHT, FOLLOWS, WRONG)
        corrects = [values[node] if _is_value(self.graph, name) else self.base.correct(node)
                    for name, node in zip(names, nodes)]
        columns = list(enumerate(zip(names, nodes, corrects)))
        for r, (given, codes, bases) in enumerate(zip(passes, status.tolist(), basis.tolist())):
            entries, first, follows = {}, True, False
            for j, (name, node, correct) in columns:
                code = codes[j]
                if not code:
                    continue
                wrong = code == WRONG_CODE
                entries[name] = Entry(name, node, given[name][0], correct, np.float64(bases[j]), kinds[code],
                                      diagnoses.get((r, j)) if wrong else None, first and wrong)
                first = first and not wrong
                follows = follows or code == FOLLOWS_CODE
            if follows:
                listed = list(entries.values())
                for entry in listed:
                    if entry.status == FOLLOWS:
                        entry.note = follow_through_sentence(entry, listed, self.graph, self.base.out,
                                                                 self.above(entry.node))
            judged.append(entries)
        return judged


RIGHT_CODE, FOLLOWS_CODE, WRONG_CODE = 1, 2, 3
_FLOATS = (float, np.float64)


def _row_matches(givens: Any, values: Any, withins: list[Within]) -> Any:
    """Row by row, whether givens[i] is values[i] under withins[i]."""
    if not len(givens):
        return np.zeros(0, dtype=bool)
    rule = next((w.rule for w in withins if w.rule is not None), None)
    first = withins[0]
    with np.errstate(all="ignore"):
        near = np.abs(givens - values) <= loose_bound(rule, first.rtol, first.atol, values)
    if rule is not None:
        for i in np.flatnonzero(near).tolist():
            near[i] = withins[i].right(float(givens[i]), float(values[i]))
    return near


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
                      checker: PassChecker | None = None, rules: list | None = None) -> list[Entry]:
    """The answers of one problem (check.Verdicts) as a worked pass: each verdict judged at the given
    point gets its Entry (`verdict.entry`: right, follow-through or wrong, with the mistake named),
    each number matched by its own of `rules` (tolerance.Rule: the figures, decimals or rtol/atol it
    was judged by), if given."""
    given, judged, within = {}, {}, {}
    for i, verdict in enumerate(verdicts):
        rule = rules[i] if rules is not None else None
        name = verdict.answer.name
        if verdict.answer.malformed is None and verdict.expected is not None and name not in given \
                and not verdict.wrong_shape:   # a shape no slip of the pass gives: said by check.py
            given[name], judged[name] = verdict.expected, verdict
            if rule is not None:
                within[name] = Within(rule=rule, text=verdict.answer.text)
    if checker is None:
        checker = PassChecker(result.graph, result.values, list(given), result.upstream)
    entries = checker.check(given, rtol, atol, within)
    for entry in entries:
        judged[entry.name].entry = entry
    return entries


def follow_through_sentence(entry: Entry, entries: list[Entry], graph: Graph, of: str,
                            above: list[bool] | None = None) -> str | None:
    """'∂z/∂x = 12 is right from your ∂z/∂t = 3 (which was wrong)' for an entry given credit: the
    student's earlier values off the right ones, among those the entry's gradient flows through.
    `of` names what the gradients are of: the output, or L under --upstream."""
    if entry.status != FOLLOWS:
        return None
    above = above or reaches(graph, [entry.node])
    earlier = entries[:entries.index(entry)]
    yours = [e for e in earlier if e.status != RIGHT and e.node != entry.node and above[e.node]]
    listed = ", ".join(f"∂{of}/∂{e.name} = {_num(e.given)}" for e in yours)
    return (f"∂{of}/∂{entry.name} = {_num(entry.given)} is right from your {listed} "
            f"({'which was' if len(yours) == 1 else 'which were'} wrong); from the right values it is "
            f"{_num(entry.correct)}")


# A class: each student's answers to a problem as a worked pass, and what the class got wrong ------

class ClassMarker:
    """Judges every student's wrong answers of each problem as a worked pass, the whole class at
    once: `add` queues a student's wrong answers, `finish` judges them problem by problem (and point
    by point, where each student has their own): the catalogue run once per problem and point,
    each distinct set of wrong answers judged once, all students' numbers compared with what each
    slip gives in one numpy comparison (PassChecker.check_class)."""

    def __init__(self, follow_through: float = 0.0):
        self.follow_through = follow_through
        self.queued: dict[str, tuple[Any, dict[tuple, list[list]]]] = {}
        self._withins: dict[tuple, Within] = {}

    def add(self, problem: Any, marks: list) -> None:
        """Queue one student's marks of `problem` (classroom.Mark, at the problem's point, with its
        Key) that are wrong: numbers or formulas, not blank, malformed or wrong by rounding alone."""
        queued = self.queued.get(problem.id)
        if queued is None:
            queued = self.queued[problem.id] = (problem, {})
        key = tuple([id(m.verdict) for m in marks])   # a verdict per column, point and text
        same = queued[1].get(key)
        if same is None:
            queued[1][key] = [marks]
        else:
            same.append(marks)

    def finish(self) -> None:
        """Judge what was queued: set `mark.entry` (and `mark.credit` for follow-through)."""
        with gc_paused():   # many small objects, no cycles: nothing for the collector to find
            self._finish()

    def _finish(self) -> None:
        for problem, students in self.queued.values():
            result = problem.result
            checker = PassChecker(result.graph, result.values, [asked.name for asked in problem.asked],
                                  result.upstream)
            alike = [group for group in students.values() if group[0]]
            passes = [{m.asked.name: (m.verdict.expected, self._within(m)) for m in group[0]} for group in alike]
            for group, entries in zip(alike, checker.check_class(passes)):
                aligned = [entries[m.asked.name] for m in group[0]]   # every student's marks in this order
                for marks in group:
                    for m, entry in zip(marks, aligned):
                        m.entry = entry
                if any(entry.status == FOLLOWS for entry in aligned):
                    for marks in group:
                        for m, entry in zip(marks, aligned):
                            if entry.status == FOLLOWS:
                                m.credit = self.follow_through
        self.queued.clear()

    def _within(self, mark: Any) -> Within:
        """The mark's own tolerance rule (its Key's: the same at every point) and its text: one
        Within per column and text."""
        key = id(mark.verdict)   # a verdict per column, point and text, kept for the whole class
        found = self._withins.get(key)
        if found is None:
            found = self._withins[key] = Within(rule=mark.key.rule, text=mark.text)
        return found


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
