"""Derivative nodes read back as simplified formulas: `∂z/∂x = 2·(x + y)`.

The graph-building backward pass (higher.py) leaves each derivative as a node; this module turns the
nodes it depends on into a normal form, bottom-up in creation order (no recursion):

- a sum is a constant plus coefficient × monomial, so like terms collect (`x·y + y·x` → `2·x·y`);
- a monomial is coefficient × factors with numeric exponents (`x·x` → `x^2`, `x/x` → `1`);
- a sum used as a factor is made primitive (`2·x + 2·y` → `2·(x + y)`), and distributed again when it
  is added to something else, so `2·(x + y) − 2·x` → `2·y`;
- constants fold, including functions of numbers when the result is a whole number (`cos(0)` → 1).

Sums and products past a size limit stay as written (opaque), so a long expression costs linear time.
Printing is bottom-up too; a subexpression used more than once (or very long) is named t1, t2, … so
no formula grows exponentially with the sharing in the graph.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field, replace

import numpy as np

from .errors import GradcalcError
from .graph import Graph
from .ops import OPS

MAX_TERMS = 40        # a sum or product larger than this is kept as written, not merged further
SHARE_AT = 40         # a subexpression used twice is named once its text is this long
LONG = 2000           # any subexpression longer than this is named, so no line grows without bound
MAX_REPEATED = 1_000_000   # characters of definitions the standalone formulas may repeat in total

NUM, SYM, CALL, POW, PROD, SUM, RAW = "num", "sym", "call", "pow", "prod", "sum", "raw"


class _Table:
    """Interned expressions: equal structure, equal id; children always have smaller ids."""

    def __init__(self, expand: bool = False):
        self.exprs: list[tuple] = []
        self._ids: dict[tuple, int] = {}
        self.expand = expand     # multiply sums out: polynomials stay short under differentiation

    def intern(self, expr: tuple) -> int:
        if expr not in self._ids:
            self._ids[expr] = len(self.exprs)
            self.exprs.append(expr)
        return self._ids[expr]

    def kind(self, e: int) -> str:
        return self.exprs[e][0]

    def number(self, value: float) -> int:
        return self.intern((NUM, float(value) + 0.0))   # + 0.0 turns −0 into 0

    def value(self, e: int) -> float | None:
        expr = self.exprs[e]
        return expr[1] if expr[0] == NUM else None

    # -- the normal form -----------------------------------------------------------------------
    def factors(self, e: int) -> tuple[float, dict[int, float]]:
        """e as coefficient × Π factor^exponent."""
        expr = self.exprs[e]
        if expr[0] == NUM:
            return expr[1], {}
        if expr[0] == PROD:
            return expr[1], dict(expr[2])
        if expr[0] == SUM:
            content, primitive = self._primitive(expr)
            return content, {primitive: 1.0}
        return 1.0, {e: 1.0}

    def _primitive(self, expr: tuple) -> tuple[float, int]:
        """A sum as content × primitive sum: 2·x + 2·y → 2, (x + y); −x − y → −1, (x + y).

        The sign makes the constant positive if there is one (1 − x stays), else the first term."""
        _, const, terms = expr
        lead = terms[0][1]
        content = abs(lead)
        numbers = [c for _, c in terms] + ([const] if const else [])
        if any(not float(c / content).is_integer() for c in numbers):
            content = 1.0
        content = math.copysign(content, const if const else lead)
        if content == 1.0:
            return 1.0, self.intern(expr)
        return content, self.intern((SUM, const / content, tuple((t, c / content) for t, c in terms)))

    def terms(self, e: int) -> tuple[float, dict[int, float]]:
        """e as constant + Σ coefficient × monomial."""
        expr = self.exprs[e]
        if expr[0] == NUM:
            return expr[1], {}
        if expr[0] == SUM:
            return expr[1], dict(expr[2])
        coeff, factors = self.factors(e)
        if len(factors) == 1:
            (inner, power), = factors.items()
            if power == 1.0 and self.kind(inner) == SUM:   # c·(a + b) added to something: distribute
                _, const, terms = self.exprs[inner]
                return coeff * const, {t: coeff * c for t, c in terms}
        return 0.0, {self.product(1.0, factors): coeff}

    def product(self, coeff: float, factors: dict[int, float]) -> int:
        factors = {f: p for f, p in factors.items() if p != 0}
        if coeff == 0 or not factors:
            return self.number(0.0 if coeff == 0 else coeff)
        if coeff == 1 and len(factors) == 1 and next(iter(factors.values())) == 1:
            return next(iter(factors))
        return self.intern((PROD, coeff, tuple(sorted(factors.items()))))

    def sum(self, const: float, terms: dict[int, float]) -> int:
        terms = {t: c for t, c in terms.items() if c != 0}
        if not terms:
            return self.number(const)
        if const == 0 and len(terms) == 1:
            (monomial, coeff), = terms.items()
            inner_coeff, factors = self.factors(monomial)
            return self.product(coeff * inner_coeff, factors)
        return self.intern((SUM, const, tuple(sorted(terms.items()))))

    # -- operations ----------------------------------------------------------------------------
    def add(self, a: int, b: int) -> int:
        (ca, ta), (cb, tb) = self.terms(a), self.terms(b)
        if len(ta) + len(tb) > MAX_TERMS:
            return self.intern((RAW, "add", (a, b)))
        for t, c in tb.items():
            ta[t] = ta.get(t, 0.0) + c
        return self.sum(ca + cb, ta)

    def mul(self, a: int, b: int) -> int:
        if self.expand and SUM in (self.kind(a), self.kind(b)):
            expanded = self._expand(a, b)
            if expanded is not None:
                return expanded
        (ca, fa), (cb, fb) = self.factors(a), self.factors(b)
        if len(fa) + len(fb) > MAX_TERMS:
            return self.intern((RAW, "mul", (a, b)))
        for f, p in fb.items():
            fa[f] = fa.get(f, 0.0) + p
        coeff = ca * cb
        if not math.isfinite(coeff):
            return self.intern((RAW, "mul", (a, b)))
        return self.product(coeff, fa)

    def _expand(self, a: int, b: int) -> int | None:
        """(c + Σ cᵢ·mᵢ)·(d + Σ dⱼ·nⱼ) multiplied out, like terms collected; None if too long."""
        (ca, ta), (cb, tb) = self.terms(a), self.terms(b)
        left = ([(None, ca)] if ca else []) + list(ta.items())      # (monomial or None, coefficient)
        right = ([(None, cb)] if cb else []) + list(tb.items())
        const, terms = 0.0, {}
        for m, c in left:
            for n, d in right:
                if m is None and n is None:
                    k, found = 1.0, {}
                elif m is None or n is None:
                    k, found = 0.0, {n if m is None else m: 1.0}
                else:
                    k, found = self.terms(self.mul(m, n))
                const += c * d * k
                for t, e in found.items():
                    terms[t] = terms.get(t, 0.0) + c * d * e
            if len(terms) > MAX_TERMS:
                return None
        return self.sum(const, terms)

    def neg(self, a: int) -> int:
        return self.mul(self.number(-1.0), a)

    def power(self, a: int, b: int) -> int:
        n = self.value(b)
        if n is None:
            return self.intern((POW, a, b))
        if n == 0:
            return self.number(1.0)
        if n == 1:
            return a
        base = self.value(a)
        if base is not None:
            with np.errstate(all="ignore"):
                folded = float(np.power(base, n))
            return self.number(folded) if math.isfinite(folded) else self.intern((POW, a, b))
        coeff, factors = self.factors(a)
        # (c·x^p)^n = c^n·x^(p·n) holds for whole n; for other n only with c > 0 and every p = 1.
        if n.is_integer() or (coeff > 0 and all(p == 1 for p in factors.values())):
            folded = coeff ** n
            if math.isfinite(folded):
                return self.product(folded, {f: p * n for f, p in factors.items()})
        return self.intern((POW, a, b))

    def call(self, name: str, *args: int) -> int:
        """name(args) for the op `name` of OPS, folded to a number when that is a whole number."""
        values = [self.value(a) for a in args]
        if None not in values:
            with np.errstate(all="ignore"):
                folded = float(OPS[name].forward(*map(np.float64, values)))
            if folded.is_integer():   # cos(0) → 1, but log(2) stays log(2)
                return self.number(folded)
        return self.intern((CALL, name, tuple(args)))


def _reachable(graph: Graph, roots: list[int]) -> list[int]:
    seen, stack = set(roots), list(roots)
    while stack:
        for src in graph.nodes[stack.pop()].inputs:
            if src not in seen:
                seen.add(src)
                stack.append(src)
    return sorted(seen)


def normal_forms(graph: Graph, values: list, roots: list[int], expand: bool = False
                 ) -> tuple[_Table, dict[int, int]]:
    """Each node the roots depend on, as an interned normal-form expression."""
    table, expr = _Table(expand), {}
    for node_id in _reachable(graph, roots):
        node = graph.nodes[node_id]
        if np.ndim(values[node_id]) != 0:
            raise GradcalcError("--symbolic works on scalar expressions; this one has arrays",
                                node.span, text=graph.text, hint="give scalar values")
        if node.op is None:
            expr[node_id] = table.number(graph.constants[node_id]) if node_id in graph.constants \
                else table.intern((SYM, node.name))
            continue
        op = OPS[node.op]
        if op.normal is None:
            raise GradcalcError(f"--symbolic does not support {op.symbol} yet", node.span,
                                text=graph.text)
        expr[node_id] = op.normal(table, *[expr[i] for i in node.inputs])
    return table, expr


# Printing ------------------------------------------------------------------------------------------

_ATOM, _POWER, _PRODUCT, _NEGATIVE, _SUM = 5, 4, 3, 2, 1    # binding strength of printed text


@dataclass(frozen=True)
class Style:
    times: str
    minus: str
    power: str
    constants: bool = True     # write π and e as pi and e (not where a variable has that name)


PRETTY = Style("·", "−", "^")
ASCII = Style("*", "-", "**")


_NAMED = {math.pi: "pi", math.e: "e"}     # gradcalc's constants, read back by the grammar


def _number(value: float, style: Style) -> str:
    if style.constants and abs(value) in _NAMED:
        return (style.minus if value < 0 else "") + _NAMED[abs(value)]
    text = repr(float(value))
    if text.endswith(".0"):
        text = text[:-2]
    return text.replace("-", style.minus)


class _Printer:
    """Texts of the expressions in one style, bottom-up; `names` maps a shared expression to t1, …"""

    def __init__(self, table: _Table, style: Style, names: dict[int, str]):
        self.table, self.style, self.names = table, style, names
        self.text: dict[int, tuple[str, int]] = {}

    def shown(self, e: int) -> tuple[str, int]:
        return (self.names[e], _ATOM) if e in self.names else self.text[e]

    def wrap(self, e: int, strength: int) -> str:
        text, own = self.shown(e)
        return text if own >= strength else f"({text})"

    def render(self, e: int) -> tuple[str, int]:
        expr, s = self.table.exprs[e], self.style
        kind = expr[0]
        if kind == NUM:
            return _number(expr[1], s), _NEGATIVE if expr[1] < 0 else _ATOM
        if kind == SYM:
            return expr[1], _ATOM
        if kind == CALL:
            op = OPS[expr[1]]
            name = op.names[0] if op.names else expr[1]
            return f"{name}({', '.join(self.shown(a)[0] for a in expr[2])})", _ATOM
        if kind == POW:
            return f"{self.wrap(expr[1], _ATOM)}{s.power}{self.wrap(expr[2], _ATOM)}", _POWER
        if kind == PROD:
            return self._product(expr[1], expr[2])
        if kind == SUM:
            return self._sum(expr[1], expr[2])
        op, (a, b) = expr[1], expr[2]
        if op == "add":
            return f"{self.wrap(a, _SUM)} + {self.wrap(b, _PRODUCT)}", _SUM
        return f"{self.wrap(a, _PRODUCT)}{s.times}{self.wrap(b, _POWER)}", _PRODUCT

    def _factor(self, f: int, p: float) -> str:
        if p == 1:
            return self.wrap(f, _PRODUCT + 1)
        return f"{self.wrap(f, _ATOM)}{self.style.power}{_number(p, self.style)}"

    def _product(self, coeff: float, factors) -> tuple[str, int]:
        s = self.style
        top = [self._factor(f, p) for f, p in factors if p > 0]
        # One denominator factor needs no parentheses (x**2 binds tighter than /); several do.
        bottom = [self._factor(f, -p) for f, p in factors if p < 0]
        magnitude = abs(coeff)
        if magnitude != 1 or not top:
            top.insert(0, _number(magnitude, s))
        text = s.times.join(top)
        if bottom:
            text += "/" + (bottom[0] if len(bottom) == 1 else "(" + s.times.join(bottom) + ")")
        if coeff < 0:
            return s.minus + text, _NEGATIVE
        if len(top) + len(bottom) > 1:
            return text, _PRODUCT
        (_, p), = factors
        return text, _ATOM if p == 1 else _POWER

    def _sum(self, const: float, terms) -> tuple[str, int]:
        s = self.style
        parts = [(c < 0, self._product(abs(c), self.table.factors(t)[1].items())[0]) for t, c in terms]
        if const:
            parts.append((const < 0, _number(abs(const), s)))
        # Lead with a positive part where there is one: 1 − x, not −x + 1.
        first = next((i for i, (negative, _) in enumerate(parts) if not negative), 0)
        parts.insert(0, parts.pop(first))
        text = (s.minus if parts[0][0] else "") + parts[0][1]
        for negative, part in parts[1:]:
            text += f" {s.minus if negative else '+'} {part}"
        return text, _SUM


@dataclass
class Formulas:
    """Each root as text: `pretty` for reading, `ascii` in gradcalc's own grammar (a small program
    when it needs named intermediates). `definitions` lists the shared names t1, … once, pretty.

    `shared` is empty unless repeating the definitions in every ascii program would pass
    MAX_REPEATED characters; then the programs use t1, … bare and `shared` holds `t1 = …` once."""

    pretty: dict[str, str]
    ascii: dict[str, str]
    definitions: list[tuple[str, str]] = field(default_factory=list)
    shared: list[str] = field(default_factory=list)


def formulas(graph: Graph, values: list, roots: dict[str, int], taken: set[str] = frozenset()) -> Formulas:
    """The simplified formula of each root node, keyed like `roots` (e.g. by variable name)."""
    table, expr = normal_forms(graph, values, list(roots.values()))
    wanted = [expr[node] for node in roots.values()]
    as_root = Counter(wanted)
    uses = _uses(table, wanted)
    # A variable named e or pi (`e = 3`) shadows the constant: the constants are then written as numbers.
    shadowed = any(name in _NAMED.values() for name in graph.variables)
    ascii_style, pretty_style = (replace(ASCII, constants=False), replace(PRETTY, constants=False)) \
        if shadowed else (ASCII, PRETTY)
    ascii_printer = _Printer(table, ascii_style, {})
    names: dict[int, str] = {}
    fresh = (f"t{i}" for i in range(1, 10 ** 9) if f"t{i}" not in taken)
    for e in sorted(uses):
        ascii_printer.text[e] = ascii_printer.render(e)
        kind = table.kind(e)
        length = len(ascii_printer.text[e][0])
        # A root is named only when several roots are the same long formula (every ∂z/∂xᵢ of (Σx)²).
        if kind not in (NUM, SYM) and ((uses[e] > 1 and length >= SHARE_AT) or length > LONG) \
                and as_root[e] != 1:
            names[e] = next(fresh)
            ascii_printer.names[e] = names[e]
    pretty_printer = _Printer(table, pretty_style, names)
    for e in sorted(uses):
        pretty_printer.text[e] = pretty_printer.render(e)
    definitions = [(names[e], pretty_printer.text[e][0]) for e in sorted(names)]
    shared = [f"{names[e]} = {ascii_printer.text[e][0]}" for e in sorted(names)]
    # Each root as a program of its own, unless that repeats the definitions too often (a long sum
    # that every ∂z/∂xᵢ uses): n roots × the definitions is an upper bound of what is repeated.
    standalone = len(roots) * sum(map(len, shared)) <= MAX_REPEATED
    pretty, ascii_ = {}, {}
    for key, e in zip(roots, wanted):
        pretty[key] = pretty_printer.shown(e)[0]
        program = [f"{names[d]} = {ascii_printer.text[d][0]}" for d in _needed(table, e, names)] \
            if standalone else []
        ascii_[key] = "; ".join(program + [ascii_printer.shown(e)[0]])
    return Formulas(pretty, ascii_, definitions, [] if standalone else shared)


def _children(expr: tuple) -> list[int]:
    kind = expr[0]
    if kind == CALL:
        return list(expr[2])
    if kind == POW:
        return [expr[1], expr[2]]
    if kind in (PROD, SUM):
        return [child for child, _ in expr[2]]
    if kind == RAW:
        return list(expr[2])
    return []


def _uses(table: _Table, roots: list[int]) -> dict[int, int]:
    """How many times each expression the roots reach is used (by a parent, or as a root)."""
    uses: dict[int, int] = {}
    stack = list(roots)
    for root in roots:
        uses[root] = uses.get(root, 0) + 1
    seen = set()
    while stack:
        e = stack.pop()
        if e in seen:
            continue
        seen.add(e)
        for child in _children(table.exprs[e]):
            uses[child] = uses.get(child, 0) + 1
            stack.append(child)
    return uses


def _needed(table: _Table, root: int, names: dict[int, str]) -> list[int]:
    """The named expressions one root depends on, in an order that defines each before its use."""
    found, seen, stack = set(), set(), [root]
    while stack:
        e = stack.pop()
        if e in seen:
            continue
        seen.add(e)
        if e in names:
            found.add(e)
        stack.extend(_children(table.exprs[e]))
    return sorted(found)


# A rebuilt sum whose terms cancel more than this (Σ|terms| / |sum|) would lose digits: keep the old form.
MAX_CANCELLATION = 1e4
MAX_REBUILD = 3000    # nodes under a derivative beyond which it is not rebuilt


def rebuild(builder, root: int) -> int | None:
    """The node `root` of builder.graph built again from its expanded normal form: the same value,
    usually far fewer nodes. Repeated differentiation (--order) compacts each order this way, so
    tanh's 30th derivative is a polynomial in tanh(x), not a graph that doubled 30 times.

    None when the expanded form would be less accurate: a sum whose terms cancel (the large
    alternating coefficients of sigmoid's high derivatives) or a value that moved."""
    graph, values = builder.graph, builder.values
    if len(_reachable(graph, [root])) > MAX_REBUILD:
        return None          # multiplying out a graph this large costs more than it saves
    table, expr = normal_forms(graph, values, [root], expand=True)
    target = expr[root]
    nodes: dict[int, int] = {}
    for e in sorted(_uses(table, [target])):
        kind, *data = table.exprs[e]
        if kind == NUM:
            nodes[e] = builder.const(data[0])
        elif kind == SYM:
            nodes[e] = graph.variables[data[0]]
        elif kind == CALL:
            nodes[e] = builder(data[0], *(nodes[a] for a in data[1]))
        elif kind == POW:
            nodes[e] = builder("pow", nodes[data[0]], nodes[data[1]])
        elif kind == PROD:
            node = builder.const(data[0])
            for factor, power in data[1]:
                node = builder("mul", node, builder("pow", nodes[factor], builder.const(power)))
            nodes[e] = node
        elif kind == SUM:
            node, magnitude = builder.const(data[0]), abs(data[0])
            for term, coeff in data[1]:
                node = builder("add", node, builder("mul", builder.const(coeff), nodes[term]))
                magnitude += abs(coeff * values[nodes[term]])
            if magnitude > MAX_CANCELLATION * abs(values[node]):
                return None
            nodes[e] = node
        else:
            op, (a, b) = data
            nodes[e] = builder(op, nodes[a], nodes[b])
    node = nodes[target]
    if abs(values[node] - values[root]) > 1e-12 * max(abs(values[root]), 1e-300):
        return None
    return node
