"""The builder `m` that an op's derivative rule is written against, and the three ways it is run.

A rule is a function `(m, *inputs, out) -> local derivative`, written once with + − × / and m's
functions: `lambda m, a, out: m.cos(a)`, `lambda m, a, out: 1.0 - out * out`. It is run

* on numbers (`NUMBERS`): inputs are floats or numpy values, m's functions are gradcalc.xp's (numpy's
  results, on Python floats without numpy); this is the trace's local value;
* on graph nodes (`nodes(builder)`): inputs are `Node`s whose + − × / and functions add nodes to a
  higher.NodeBuilder; this is the graph-form derivative that Hessians, --order and --symbolic
  differentiate again;
* on text (`TEXT`): inputs are labels, and the result is the formula as a `Text` that printing.py's
  styles spell: the formula column's `1 − z²`, the trace's LaTeX `1 - z^{2}`.

Rules write `/` but never `**` (a Python float to a fractional power is a complex number): `m.pow`.
A Python float divided by 0 raises; `local` then runs the rule again on numpy scalars (inf, as numpy).

An array op (a matrix product, a reduction along an axis, softmax, indexing) has instead one
vector-Jacobian rule per input, `(m, g, *inputs, out) -> what flows to that input` given g = ∂L/∂out,
as autograd's defvjp: `lambda m, g, x, w, out: g @ m.T(w)`. It is read the same three ways (g a
number, a node, a label) and once more for the trace's local column: `factor_local` runs it with g a
marker and takes what the marker was multiplied by (Wᵀ for the product above; 1 for a rule that only
moves g about, a transpose or a sum spread back along its axis).
"""

from __future__ import annotations

import math

from .. import xp
from ..printing import ATOM, CONDITION, PRODUCT, spelled
from ..xp import np

# -- numbers -----------------------------------------------------------------------------------------


def as_value(a):
    """A scalar result as np.float64, as everywhere else in gradcalc; arrays unchanged."""
    return np.float64(a) if np.ndim(a) == 0 else a


def _where(condition, yes, no):
    """`yes` where condition > 0, else `no`: a Python float stays a float, numpy values use np.where."""
    if type(condition) is float:
        return yes if condition > 0.0 else no
    if np.ndim(condition) == 0 and np.ndim(yes) == 0 and np.ndim(no) == 0:
        return np.float64(yes if condition > 0 else no)
    if type(yes) is float and type(no) is float and math.isfinite(yes) and math.isfinite(no):
        # Two numbers: the mask as 1.0/0.0, scaled. np.where on an unpredictable mask was ~10× slower
        # (a relu's local on 512×1024: 2 ms against 0.2). yes·1 + no·0 is yes exactly, and the reverse.
        mask = np.greater(condition, 0)
        held = mask.astype(np.float64)
        if yes == 1.0 and no == 0.0:
            return held
        return held * yes + (~mask).astype(np.float64) * no
    return np.where(condition > 0, yes, no) * 1.0


def _spread(like, number):
    """`number` at every element of `like`, as a read-only view: the trace keeps every local, and a
    copy of a large array per reduction would cost memory and time for nothing."""
    if type(like) is float:
        return float(number)
    return np.broadcast_to(np.float64(number), np.shape(like))


def sigmoid(a):
    return 1.0 / (1.0 + xp.exp(-a))    # never 1/0: exp is positive


class Builder:
    """m's functions in one of the three readings: each attribute is a function of m's values."""

    def __init__(self, functions: dict):
        self.__dict__.update(functions)


class Function:
    """One function a rule may call: how it computes, which graph nodes it makes, how it is written.

    `graph(g, *node ids, *rest)` returns a node id; plain numbers among the arguments (a slope, an axis)
    arrive as constants. `text(*texts)` returns a `Text`; by default `name(a, b)`.
    """

    __slots__ = ("name", "numbers", "graph", "text")

    def __init__(self, name: str, numbers, graph=None, text=None):
        self.name, self.numbers = name, numbers
        self.graph = graph or (lambda g, *ids: g(name, *ids))
        self.text = text or (lambda *args: Text("call", (name, *args)))


# -- text --------------------------------------------------------------------------------------------
# A rule read on text builds its formula as a small tree: what each part is, never how it is spelled.
# printing.py's styles spell it: str() in the trace's (`1 − z²`, `y·x^(y − 1)`), render/latex.py's
# LatexStyle in LaTeX. Building folds numbers and writes x·x as x², as a person writing it would.


class Text:
    """A formula a rule read on text builds: its `kind` (a printing style's method of that name spells
    it: sum_of, product_of, quotient, …), its parts and how strongly it binds (for a symbol or words;
    the others bind as their style says). + − × / @ on Text (and numbers) build it."""

    __slots__ = ("kind", "parts", "strength", "_plain")

    def __init__(self, kind: str, parts: tuple, strength: int = ATOM):
        self.kind, self.parts, self.strength, self._plain = kind, parts, strength, None

    def __str__(self) -> str:
        if self._plain is None:
            self._plain = spelled(self)
        return self._plain

    def spelled(self, style) -> str:
        return spelled(self, style)

    def number(self) -> float | None:
        """The value of a text that is a number, else None."""
        return self.parts[0] if self.kind == "number" else None

    def _folded(self, other, combine):
        a, b = self.number(), other.number()
        return None if a is None or b is None else lift_text(combine(a, b))

    def __add__(self, other):
        other = lift_text(other)
        folded = self._folded(other, float.__add__)
        if folded is not None:
            return folded
        if other.kind == "negated":     # a + (−b) is written a − b
            return Text("difference", (self, other.parts[0]))
        if (other.number() or 0) < 0:
            return Text("difference", (self, lift_text(-other.number())))
        return Text("sum_of", (self, other))

    def __radd__(self, other):
        return lift_text(other) + self

    def __sub__(self, other):
        other = lift_text(other)
        folded = self._folded(other, float.__sub__)
        if folded is not None:
            return folded
        return Text("difference", (self, other))

    def __rsub__(self, other):
        return lift_text(other) - self

    def __mul__(self, other):
        other = lift_text(other)
        folded = self._folded(other, float.__mul__)
        if folded is not None:
            return folded
        if self.number() == 0 or other.number() == 0:
            return lift_text(0.0)
        if _same(other, self):
            return Text("squared", (self,))
        if self.kind == "product_of" and _same(self.parts[1], other):
            return self.parts[0] * (other * other)      # 3·x·x is written 3·x²
        if other.number() == 1:
            return self
        if self.number() == 1:
            return other
        return Text("product_of", (self, other))

    def __rmul__(self, other):
        return lift_text(other) * self

    def __matmul__(self, other):
        return Text("matrix_product", (self, lift_text(other)))

    def __rmatmul__(self, other):
        return lift_text(other) @ self

    def __truediv__(self, other):
        return Text("quotient", (self, lift_text(other)))

    def __rtruediv__(self, other):
        return lift_text(other) / self

    def __neg__(self):
        number = self.number()
        return Text("negated", (self,)) if number is None else lift_text(-number)


def _same(a: Text, b: Text) -> bool:
    """Whether two formulas read alike (x·x is written x²); different kinds never do."""
    if a is b:
        return True
    if a.kind != b.kind:
        return False
    return a.parts == b.parts if a.kind in ("symbol", "constant", "number") else str(a) == str(b)


def lift_text(value) -> Text:
    return value if isinstance(value, Text) else Text("number", (float(value),))


def symbol(name: str, strength: int = ATOM) -> Text:
    """A label (x, n1, apple_num) as text; `strength` PRODUCT for a label that reads as a quotient."""
    return Text("symbol", (name,), strength)


def constant(name: str) -> Text:
    """A constant written by its symbol (π, ½, N): a number stands beside it, 2π."""
    return Text("constant", (name,))


def call_text(name: str, *args) -> Text:
    """name(args) as text: log(2)."""
    return Text("call", (name, *map(lift_text, args)))


def root(a) -> Text:
    """√a, as a constant is written (2/√π); a rule's m.sqrt(a) is the call sqrt(a)."""
    return Text("root", (lift_text(a),))


def words(template: str, *parts, strength: int = CONDITION) -> Text:
    """Words with formulas among them: words("{0} repeated along axis {1}", g, axis)."""
    import re

    pieces = [piece if k % 2 == 0 else lift_text(parts[int(piece)])
              for k, piece in enumerate(re.split(r"\{(\d+)\}", template))]
    return Text("words", (tuple(p for p in pieces if not isinstance(p, str) or p), strength))


def partial(of: str, wrt: str) -> Text:
    """∂of/∂wrt, the label of a gradient."""
    return Text("partial", (of, wrt))


def equation(a: Text, b: Text) -> Text:
    return Text("equation", (a, b))


def _power_text(a: Text, b: Text) -> Text:
    a, b = lift_text(a), lift_text(b)
    if b.number() == 1:
        return a
    if b.number() == 2:
        return Text("squared", (a,))
    return Text("power", (a, b))


def _compared(a: Text, relation: str) -> tuple:
    """(relation, left, right): `x > 0`, or for a difference `lo − x` as written by a rule, `lo > x`."""
    if a.kind == "difference":
        return relation, *a.parts
    return relation, a, lift_text(0.0)


def condition(a, relation: str, b=None) -> Text:
    """`a > b`; without b, `a > 0` (`lo > x` for a difference lo − x)."""
    return Text("comparison", _compared(a, relation) if b is None else (relation, lift_text(a), lift_text(b)))


def cases(branches, otherwise) -> Text:
    """`yes if condition else no`, each branch a (value, condition) pair."""
    return Text("cases", (tuple((lift_text(value), when) for value, when in branches), lift_text(otherwise)))


# -- graph nodes -------------------------------------------------------------------------------------


class Node:
    """A node of a higher.NodeBuilder's graph inside a rule: + − × / (each one `_operator`) add nodes."""

    __slots__ = ("g", "id", "of")

    def __init__(self, g, node_id: int, of: int | None = None):
        # `of`: for the node m.T made, the node it transposes, so that a product with it can follow
        # numpy's vector convention of the product being differentiated (ops/arrays.py)
        self.g, self.id, self.of = g, node_id, of

    def _lift(self, other) -> int:
        return other.id if type(other) is Node else self.g.const(other)

    def __neg__(self):
        return Node(self.g, self.g("neg", self.id))

    def __matmul__(self, other):
        return self._product(self, other)

    def __rmatmul__(self, other):
        return self._product(other, self)

    def _product(self, left, right):
        made = GRAPH_MATMUL[0](self.g, self._lift(left), self._lift(right),
                               left.of if type(left) is Node else None, right.of if type(right) is Node else None)
        if made is None:
            raise NoGraphForm("@")
        return Node(self.g, made)


def _operator(op: str, reflected: bool):
    """Node's `a op b` (or, reflected, `b op a` for a number b): the op's node."""
    if reflected:
        return lambda self, other: Node(self.g, self.g(op, self._lift(other), self.id))
    return lambda self, other: Node(self.g, self.g(op, self.id, self._lift(other)))


for _method, _op in (("add", "add"), ("sub", "sub"), ("mul", "mul"), ("truediv", "div")):
    setattr(Node, f"__{_method}__", _operator(_op, False))
    setattr(Node, f"__r{_method}__", _operator(_op, True))


# The matrix product of two nodes inside a rule, set by ops/arrays.py (which knows numpy's vector
# conventions): (g, left id, right id, what left transposes, what right transposes) -> node id
# (None: not for these shapes).
GRAPH_MATMUL: list = [None]


class NoGraphForm(Exception):
    """A rule's graph reading does not cover these shapes (a function's graph form gave None)."""


def _graph_function(g, function: Function):
    def apply(*args):
        # numbers become constant nodes; anything else (an index written in the program) passes as is
        ids = [a.id if type(a) is Node else g.const(a) if isinstance(a, (int, float, np.ndarray)) else a
               for a in args]
        made = function.graph(g, *ids)
        if made is None:
            raise NoGraphForm(function.name)
        return made if type(made) is Node else Node(g, made)
    return apply


# -- the functions rules may call ----------------------------------------------------------------------

FUNCTIONS: dict[str, Function] = {}
_FROM_VALUES: set[str] = set()
NUMBERS, TEXT = Builder({}), Builder({})     # m read on numbers and on text


def function(name: str, numbers, graph=None, text=None, constant: bool = False) -> Function:
    """Add a function to the builder m. Its graph form is the op of the same name unless `graph` says;
    a `constant` one (a size, a filled array) gives a plain number or array in the graph reading too,
    computed from the nodes' values."""
    FUNCTIONS[name] = made = Function(name, numbers, graph, text)
    NUMBERS.__dict__[name] = numbers
    TEXT.__dict__[name] = lambda *args: made.text(*[lift_text(a) if type(a) in (int, float) else a
                                                    for a in args])
    if constant:
        _FROM_VALUES.add(name)
    return made


def _text_call(name: str):
    return lambda *args: Text("call", (name, *args))


function("exp", xp.exp)
function("log", xp.log)
function("sqrt", xp.sqrt)
function("sin", xp.sin)
function("cos", xp.cos)
function("sinh", xp.sinh)
function("cosh", xp.cosh)
function("tanh", np.tanh)
function("sign", xp.sign)
function("sigmoid", sigmoid)
function("minimum", lambda a, b: xp.minimum(a, b), text=_text_call("min"))
function("pow", xp.power, text=_power_text)
function("where", _where,
         graph=lambda g, a, yes, no: g("add", no, g("mul", g("sub", yes, no), g("sign", g("relu", a)))),
         text=lambda a, yes, no: cases(((yes, condition(a, ">")),), no))
# [a > 0] (1 or 0): Iverson's bracket; in the graph sign(relu(a)).
function("step", xp.step, graph=lambda g, a: g("sign", g("relu", a)),
         text=lambda a: Text("iverson", _compared(a, ">")))
# The number of elements and a filled array are plain numbers in the graph reading too: shapes are known.
function("size", lambda a: xp.size(a), constant=True, text=_text_call("size"))
function("filled", _spread, constant=True, text=lambda like, number: lift_text(number))
# A constant that reads better by name: m.named(2/√π, 2/root(PI)), its name a Text built once.
function("named", lambda value, name: value, constant=True, text=lambda value, name: name)
PI = constant("π")


# -- m on graph nodes ----------------------------------------------------------------------------------

def _graph_builder(g) -> Builder:
    """m over `g`: each function adds its graph form; a `constant` one is computed from the values."""
    functions = {}
    for name, f in FUNCTIONS.items():
        if name in _FROM_VALUES:
            functions[name] = (lambda f: lambda *args: f.numbers(
                *[g.values[a.id] if type(a) is Node else a for a in args]))(f)
        else:
            functions[name] = _graph_function(g, f)
    return Builder(functions)


def nodes(g) -> Builder:
    """m over a NodeBuilder `g` (made once per builder)."""
    made = getattr(g, "rule_builder", None)
    if made is None:
        made = g.rule_builder = _graph_builder(g)
    return made


def graph_local(g, rule, inputs: tuple[int, ...], out: int) -> int:
    """A rule read on graph nodes: the node of the local derivative."""
    found = rule(nodes(g), *[Node(g, i) for i in inputs], Node(g, out))
    return found.id if type(found) is Node else g.const(found)


def graph_vjp(g, rule, upstream: int, inputs: tuple[int, ...], out: int) -> int:
    """A vector-Jacobian rule read on graph nodes: the node of what flows to the input. Raises
    NoGraphForm where a function it calls has no graph form for these shapes."""
    found = rule(nodes(g), Node(g, upstream), *[Node(g, i) for i in inputs], Node(g, out))
    return found.id if type(found) is Node else g.const(found)


def numbers_local(rule, args, out):
    """A rule read on numbers. A Python float divided by zero raises: the rule runs again on numpy
    scalars, which say inf or nan as the numpy path would (only a derivative that is not finite)."""
    if type(rule) is float:     # a constant local (+ and −)
        return rule
    try:
        return rule(NUMBERS, *args, out)
    except ZeroDivisionError:
        with np.errstate(all="ignore"):
            found = rule(NUMBERS, *map(np.float64, args), np.float64(out))
        return float(found)


def _label(label: str) -> Text:
    """A label as text; a number written in the program (`-2`, labelled `(-2)`) as that number."""
    if label[:1] in _NUMBER_START:
        try:
            return lift_text(float(label.strip("()").replace("−", "-")))
        except ValueError:
            pass
    return symbol(label)


_NUMBER_START = frozenset("0123456789.(-−")     # a name starts otherwise: no exception raised for each


def text_local(rule, labels: list[str], out: str) -> Text:
    """A rule read as text, in the given labels of the inputs and the output."""
    return lift_text(rule(TEXT, *map(_label, labels), _label(out)))


def text_vjp(rule, upstream: str | Text, labels: list[str], out: str) -> Text:
    """A vector-Jacobian rule read as text: what flows, in the label of ∂L/∂out and the inputs'."""
    # ∂L/∂out reads as a quotient: parentheses when transposed, (∂L/∂out)ᵀ, not in a product
    upstream = symbol(upstream, PRODUCT) if isinstance(upstream, str) else upstream
    return lift_text(rule(TEXT, upstream, *map(_label, labels), _label(out)))


# -- the factor of a vector-Jacobian rule (the trace's local column) -----------------------------------

class Upstream:
    """g in the factor reading: every operation on it gives it back, and the first value it is
    multiplied by (or divided by, as its reciprocal) is kept as the factor, with the side it was on."""

    __slots__ = ("factor", "how")
    __array_ufunc__ = None      # numpy hands `array @ g`, `array * g` to the reflected methods below

    def __init__(self):
        self.factor, self.how = None, None

    def _found(self, factor, how: str):
        if self.how is None and not isinstance(factor, Upstream):
            self.factor, self.how = factor, how
        return self

    def __matmul__(self, other):
        return self._found(as_array(other), "up · local")

    def __rmatmul__(self, other):
        return self._found(as_array(other), "local · up")

    def __mul__(self, other):
        return self._found(other, "up × local")

    __rmul__ = __mul__

    def __truediv__(self, other):
        return self._found(1.0 / other, "up × local")

    def _same(self, *_other):
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __neg__ = __rtruediv__ = _same


def as_array(value):
    """A lazy value of the numbers reading (m.T's transpose) as the array it stands for."""
    lazy = getattr(value, "materialised", None)
    return value if lazy is None else lazy()


def _factor_function(function: Function):
    def apply(*args):
        for a in args:
            if type(a) is Upstream:
                return a
        return function.numbers(*args)
    return apply


_FACTOR: list = []


class LazyLocal:
    """The trace's local of one edge through a vector-Jacobian rule, worked out when first read."""

    __slots__ = ("rule", "args", "out", "found")

    def __init__(self, rule, args, out):
        self.rule, self.args, self.out = rule, args, out

    def value(self):
        """The local, worked out once (kept, and the inputs it was worked out from let go)."""
        if self.rule is not None:
            self.found = factor_local(self.rule, self.args, self.out)[0]
            self.rule = self.args = self.out = None
        return self.found


def factor_local(rule, args, out) -> tuple[object, str | None]:
    """The trace's local value of a vector-Jacobian rule, and how it meets the upstream ("up · local",
    "local · up", "up × local"; None where the rule only moves g about: then the local is 1)."""
    if not _FACTOR:
        _FACTOR.append(Builder({name: _factor_function(f) for name, f in FUNCTIONS.items()}))
    up = Upstream()
    found = rule(_FACTOR[0], up, *args, out)
    if type(found) is not Upstream:          # what flows does not depend on g at all
        return 0.0, None
    if up.how is None:
        return 1.0, None
    return as_value(as_array(up.factor)), up.how

