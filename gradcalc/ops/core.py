"""The record of one operation (`Op`), the table `OPS` every other module reads, and its lookups."""

from __future__ import annotations

from ..errors import GradcalcError
from .rules import (NUMBERS, LazyLocal, as_array, graph_local, graph_vjp, numbers_local, partial, text_local,
                    text_vjp)

TYPE_CHECKING = False
if TYPE_CHECKING:   # annotations are text: typing is no import of a plain question
    from collections.abc import Callable

    Rule = Callable[..., object]


class Op:
    """One entry of the table: an operation's forward, its derivative rule, how it chains, its texts."""

    # A plain class, not a (frozen) dataclass: `dataclasses` costs a plain question ~15 ms of imports,
    # and the table makes some sixty Ops at every start.
    __slots__ = ("symbol", "show", "forward", "d", "local", "vjp", "explain", "piece", "names", "variadic",
                 "elementwise", "normal", "simplify", "domain", "kink", "floats", "keeps_finite", "flat")

    def __init__(self, symbol: str, show: str, forward: Callable, d: tuple[Rule | None, ...] = (), *,
                 numeric: tuple[Rule | None, ...] = (), vjp: tuple[Rule | None, ...] = (),
                 explain: Callable[..., str | None] | None = None,
                 piece: Callable | None = None, names: tuple[str, ...] = (), variadic: bool = False,
                 elementwise: bool = False, normal: Callable | None = None,
                 simplify: Callable | None = None, domain: str = "", kink: str = "", floats: bool = False,
                 keeps_finite: bool = False, flat: tuple[int, ...] = ()):
        self.symbol = symbol            # drawn inside a graph node: "+", "×", "exp"
        self.show = show                # the node's definition from input labels: "{0} + {1}"
        self.forward = forward
        # ∂out/∂input_k, written once against the builder m of ops/rules.py: called with
        # (m, *inputs, out). Run on numbers it is the trace's local value, on graph nodes the derivative
        # that Hessians, --order and --symbolic differentiate again, on labels the formula column.
        # None for an input that is a number written in the call (an axis), not differentiated.
        self.d = d
        # What the backward pass multiplies by: the rule itself, or for a few ops a numeric form of the
        # same derivative whose numbers must differ on purpose (pow at 0, prod with zeros, the norm at
        # 0, tanh′ in its tails), or a plain number (the constant locals of + and −: nothing to call);
        # tests/test_ops.py checks each against its rule at sampled points.
        self.local = tuple(r if n is None else n for n, r in zip(numeric, d)) if numeric else d
        # An array op whose gradient is not upstream × local (a matrix product, a sum along an axis,
        # softmax, indexing): instead of `d`, one vector-Jacobian rule per input, called with
        # (m, g = ∂L/∂out, *inputs, out), read on numbers (the backward pass), on graph nodes (Hessians)
        # and as text (the trace), its local column read off it (ops/rules.py factor_local) and forward
        # mode's tangent from it by transposition. None for an input that is a number written in the call.
        self.vjp = vjp
        if vjp:     # no local derivative rule: one None per input, so a walk tests for one first
            self.d = self.local = (None,) * len(vjp)
        self.explain = explain          # why a forward result is not finite: a reason, or (reason, hint)
        # For an op with kinks or jumps (relu, abs, sign, max): which smooth piece it is on, called
        # with (*inputs, out). Points near the given one that land on another piece are not comparable.
        self.piece = piece
        # How a program calls it: its name, then the aliases people paste (`ln` for log). Empty for
        # operators and internal ops. Several ops may share a name if their arities differ (sum(x) and
        # sum(x, axis)); an input whose rule is None must be a number written in the call (an axis).
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
        # Finite inputs always give a finite result (relu, sin, a transpose, softmax): the forward pass
        # need not look for inf or nan in an array it made, as its inputs were already checked.
        self.keeps_finite = keeps_finite
        # The inputs whose derivative is 0 by definition, not by the point (a comparison's, stop_gradient's,
        # where's condition, an index): no gradient path goes through them, so what is behind one alone
        # gets no gradient at all, as in PyTorch and JAX. Elsewhere a 0 upstream times an infinite local
        # is nan there (sqrt(x)**2 at 0), which gradcalc refuses (evaluate.py).
        self.flat = flat

    def __repr__(self) -> str:
        return f"<Op {self.symbol} {self.show!r}>"

    @property
    def arity(self) -> int:
        return len(self.vjp or self.d)

    @property
    def literal(self) -> tuple[bool, ...]:
        """Which inputs are numbers written in the expression (an axis), not differentiated."""
        return tuple(rule is None for rule in self.vjp or self.d)

    def formula(self, k: int, labels: list[str], out: str, upstream=None):
        """The local derivative ∂out/∂input_k as a formula (ops/rules.Text, which a printing style
        spells), in the labels of the inputs and the output; for an op with a vector-Jacobian rule,
        what flows to input k, in `upstream`'s label (∂L/∂out unless given: a label or a Text)."""
        if self.vjp:
            return text_vjp(self.vjp[k], partial("L", "out") if upstream is None else upstream, labels, out)
        return text_local(self.d[k], labels, out)

    def formula_text(self, k: int, labels: list[str], out: str, upstream=None) -> str:
        """The same formula as the trace writes it: `1 − out²`, `∂L/∂out · bᵀ`."""
        return str(self.formula(k, labels, out, upstream))

    def flow(self, k: int, upstream, args: list, out, lazy: bool = False) -> tuple[object, object]:
        """(local, flowing) of one backward edge on numbers: flowing = upstream × local, or what the
        vector-Jacobian rule gives (before broadcasting is undone); with `lazy`, such a rule's local
        as a LazyLocal, worked out when asked for."""
        if self.vjp:
            flowing = as_array(self.vjp[k](NUMBERS, upstream, *args, out))
            local = LazyLocal(self.vjp[k], args, out)
            return (local if lazy else local.value()), flowing
        local = numbers_local(self.local[k], args, out)
        return local, upstream * local

    def flowing_node(self, g, k: int, upstream: int, inputs: tuple[int, ...], out: int) -> int:
        """What flows to input k as a node of the NodeBuilder `g` (before broadcasting is undone)."""
        if self.vjp:
            return graph_vjp(g, self.vjp[k], upstream, inputs, out)
        return g("mul", upstream, graph_local(g, self.d[k], inputs, out))

    def derivative(self, g, k: int, inputs: tuple[int, ...], out: int) -> int:
        """The local derivative ∂out/∂input_k as a node of the NodeBuilder `g`."""
        return graph_local(g, self.d[k], inputs, out)


class InputError(ValueError):
    """An op's own account of inputs it cannot take (shapes that do not fit, an axis out of range).

    A ValueError, like numpy's. Every walk that applies an op (forward, the reverse walk on numbers
    or on nodes, Taylor mode) turns it into bad input at the node's place with `at`, so it never
    reaches the command line without its caret.
    """

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint

    def at(self, span, text: str):
        """This refusal as bad input (exit 2) at `span` of the expression `text`, caret and hint."""
        return GradcalcError(str(self), span, hint=self.hint, text=text)


# Every op by its key; filled by ops/elementwise.py and ops/arrays.py (and indexing, on first use).
OPS: dict[str, Op] = {}


def call(name: str):
    """The symbolic normal form of a function call: name(arguments), folded where they are numbers."""
    return lambda table, *args: table.call(name, *args)


def unary(symbol: str, forward, d, *, numeric=None, show: str | None = None,
          names: tuple[str, ...] | None = None, elementwise: bool = True, normal=None, **fields) -> Op:
    """A function of one input; by default called by its symbol (`exp(x)`), elementwise."""
    return Op(symbol, show or f"{symbol}({{0}})", forward, (d,), numeric=() if numeric is None else (numeric,),
              names=(symbol,) if names is None else names, elementwise=elementwise,
              normal=normal or call(symbol), **fields)


def several(symbol: str, forward, d: tuple, *, names: tuple[str, ...] | None = None,
            elementwise: bool = True, normal=None, **fields) -> Op:
    """A function of several inputs, called by its symbol (`atan2(y, x)`), elementwise by default."""
    inputs = ", ".join(f"{{{k}}}" for k in range(len(d)))
    return Op(symbol, f"{symbol}({inputs})", forward, d, names=(symbol,) if names is None else names,
              elementwise=elementwise, normal=normal or call(symbol), **fields)


def callables() -> dict[str, dict[int, str]]:
    """The names a program can call → {number of arguments: op}, read off the `names` of each op."""
    calls: dict[str, dict[int, str]] = {}
    for key, op in OPS.items():
        for name in op.names:
            calls.setdefault(name, {})[op.arity] = key
    return calls
