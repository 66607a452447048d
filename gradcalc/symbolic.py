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
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from .errors import GradcalcError
from .graph import Graph
from .ops import CONSTANTS, OPS
from .ops.rules import call_text, symbol
from .printing import ASCII, ATOM, NAMED_CONSTANTS, POWER, PRETTY, PRODUCT
from .printing import SUM as SUM_STRENGTH

MAX_TERMS = 40        # a sum or product larger than this is kept as written, not merged further
SHARE_AT = 40         # a subexpression used twice is named once its text is this long
LONG = 2000           # any subexpression longer than this is named, so no line grows without bound
MAX_REPEATED = 1_000_000   # characters of definitions the standalone formulas may repeat in total
# Distinct subexpressions one simplification may hold: a deep formula's third derivative (sin nested
# 600 deep, --order 3) would otherwise take minutes and a gigabyte; 10⁵-deep first derivatives fit.
MAX_EXPRESSIONS = 150_000


class FormulaTooLarge(GradcalcError):
    """The simplified formulas would pass MAX_EXPRESSIONS subexpressions (exit 2)."""

NUM, SYM, CALL, POW, PROD, SUM, RAW = "num", "sym", "call", "pow", "prod", "sum", "raw"


def exact(value):
    """A number as the table keeps it: a Fraction when it is one (3, 1/3, 0.1 = 1/10, a float that
    is the nearest float to a fraction of small denominator, as 1/3 folded by the builder), else a float."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    number = float(value) + 0.0           # + 0.0 turns −0 into 0
    if not math.isfinite(number):
        return number
    if number.is_integer() and abs(number) < 2 ** 53:
        return Fraction(int(number))
    if 1e-9 < abs(number) < 1e9:
        near = Fraction(number).limit_denominator(MAX_DENOMINATOR)
        if float(near) == number:
            return near
    return number


MAX_DENOMINATOR = 100_000


def _whole(value) -> bool:
    return value.denominator == 1 if isinstance(value, Fraction) else float(value).is_integer()


def _finite(value) -> bool:
    return isinstance(value, Fraction) or math.isfinite(value)


def _power(base, n):
    """base**n as an exact number when it is one, a float when only that is finite, else None."""
    if isinstance(base, Fraction) and isinstance(n, Fraction):
        if n.denominator == 1:
            if base == 0 and n < 0:
                return None
            if abs(n) > 4096 or abs(base.numerator) > 2 ** 64 or base.denominator > 2 ** 64:
                pass          # too large to keep exact: as a float below
            else:
                return base ** int(n)
        elif base > 0:
            root = _exact_root(base, n.denominator)
            if root is not None:
                return _power(root, Fraction(n.numerator))
            return None       # 2^(1/2) stays a power: sqrt(2) is a symbol, not 1.414…
    with np.errstate(all="ignore"):
        folded = float(np.power(float(base), float(n)))
    return exact(folded) if math.isfinite(folded) else None


def _opened(expr: tuple) -> tuple[float, dict[int, float]]:
    """A number as (value, {}), a product as (coefficient, {factor: exponent}), a sum as (constant,
    {monomial: coefficient})."""
    return (expr[1], {}) if expr[0] == NUM else (expr[1], dict(expr[2]))


def _exact_root(value: Fraction, k: int):
    """The k-th root of a positive fraction when it is a fraction (4/9 → 2/3), else None."""
    def root(n: int):
        r = round(n ** (1.0 / k)) if n < 2 ** 1000 else None
        if r is None:
            return None
        for guess in (r - 1, r, r + 1):
            if guess >= 0 and guess ** k == n:
                return guess
        return None
    top, bottom = root(value.numerator), root(value.denominator)
    return None if top is None or bottom is None else Fraction(top, bottom)


class _Table:
    """Interned expressions: equal structure, equal id; children always have smaller ids."""

    def __init__(self, expand: bool = False):
        self.exprs: list[tuple] = []
        self._ids: dict[tuple, int] = {}
        self.expand = expand     # multiply sums out: polynomials stay short under differentiation
        self.decimal = False     # fractions with a terminating decimal are shown as decimals (0.3)
        self._constant: dict[int, bool] = {}   # is_constant's answers (expressions never change)
        self._log_zero = -1      # log(0)'s id, once made (product folds log(0)·0^b)

    def intern(self, expr: tuple) -> int:
        if expr not in self._ids:
            if len(self.exprs) >= MAX_EXPRESSIONS:
                raise FormulaTooLarge(f"the formulas grew past {MAX_EXPRESSIONS:,} distinct "
                                      f"subexpressions", hint="ask for the numbers without --symbolic, "
                                                              "or for a lower order")
            self._ids[expr] = len(self.exprs)
            self.exprs.append(expr)
        return self._ids[expr]

    def kind(self, e: int) -> str:
        return self.exprs[e][0]

    def is_constant(self, e: int) -> bool:
        """Whether e is a number written as symbols: pi, sqrt(2), log(2), sin(pi/7) (no variable in it).

        Children before parents with an explicit stack: a formula may be nested as deep as the parser
        allows (sin(sin(…)) 10⁵ deep), far beyond Python's recursion limit."""
        known = self._constant
        # A product or sum is never such a number (2·pi is written as one): its parts are not visited.
        for f in bottom_up(self, e, known, lambda expr: children(expr) if expr[0] in (POW, CALL) else ()):
            expr = self.exprs[f]
            if expr[0] in (POW, CALL):
                known[f] = all(self.kind(c) == NUM or known[c] for c in children(expr))
            else:
                known[f] = expr[0] == SYM and expr[1] in CONSTANTS
        return known[e]

    def is_relation(self, e: int) -> bool:
        expr = self.exprs[e]
        return expr[0] == CALL and expr[1] in RELATIONS

    def number(self, value) -> int:
        return self.intern((NUM, exact(value)))

    def value(self, e: int) -> float | None:
        expr = self.exprs[e]
        return expr[1] if expr[0] == NUM else None

    # -- the normal form -----------------------------------------------------------------------
    def factors(self, e: int) -> tuple[float, dict[int, float]]:
        """e as coefficient × Π factor^exponent."""
        expr = self.exprs[e]
        if expr[0] in (NUM, PROD):
            return _opened(expr)
        if expr[0] == SUM:
            content, primitive = self._primitive(expr)
            return content, {primitive: 1}
        return 1, {e: 1}

    def _primitive(self, expr: tuple) -> tuple[float, int]:
        """A sum as content × primitive sum: 2·x + 2·y → 2, (x + y); −x − y → −1, (x + y).

        The sign makes the constant positive if there is one (1 − x stays), else the first term."""
        _, const, terms = expr
        lead = terms[0][1]
        content = abs(lead)
        numbers = [c for _, c in terms] + ([const] if const else [])
        if any(not _whole(c / content) for c in numbers):
            content = 1
        # The sign: the highest power of a variable positive (x − 1, x^2 − 2·x − 1), as textbooks
        # write a factor; without one, the constant positive (1 − sigmoid(x)), else the first term.
        top = max(terms, key=lambda term: degree(self, term[0]))
        sign = top[1] if degree(self, top[0]) > 0 else (const if const else lead)
        content = content if sign > 0 else -content
        if content == 1:
            return 1, self.intern(expr)
        return content, self.intern((SUM, const / content, tuple((t, c / content) for t, c in terms)))

    def terms(self, e: int) -> tuple[float, dict[int, float]]:
        """e as constant + Σ coefficient × monomial."""
        expr = self.exprs[e]
        if expr[0] in (NUM, SUM):
            return _opened(expr)
        coeff, factors = self.factors(e)
        if len(factors) == 1:
            (inner, power), = factors.items()
            if power == 1 and self.kind(inner) == SUM:   # c·(a + b) added to something: distribute
                _, const, terms = self.exprs[inner]
                return coeff * const, {t: coeff * c for t, c in terms}
        return 0, {self.product(1, factors): coeff}

    def product(self, coeff: float, factors: dict[int, float]) -> int:
        # a comparison is 0 or 1: c^n = c for whole n > 0
        factors = {f: 1 if p > 0 and _whole(p) and self.is_relation(f) else p for f, p in factors.items() if p != 0}
        if coeff == 0 or not factors:
            return self.number(0 if coeff == 0 else coeff)
        if self._log_zero in factors and any(self.exprs[f][0] == POW and self.value(self.exprs[f][1]) == 0
                                             for f in factors):
            # log(0)·0^b, d(0^b)/db: 0 where 0^b is defined and 0 (b > 0), as the backward pass
            # takes it (ops/elementwise._pow_exponent_local); log(0)·0^x could not be evaluated
            return self.number(0)
        if coeff == 1 and len(factors) == 1 and next(iter(factors.values())) == 1:
            return next(iter(factors))
        return self.intern((PROD, coeff, tuple(sorted(factors.items()))))

    def sum(self, const, terms: dict) -> int:
        terms = {t: c for t, c in terms.items() if c != 0}
        const = self._pythagoras(const, terms)
        if not terms:
            return self.number(const)
        if const == 0 and len(terms) == 1:
            (monomial, coeff), = terms.items()
            inner_coeff, factors = self.factors(monomial)
            return self.product(coeff * inner_coeff, factors)
        return self.intern((SUM, const, tuple(sorted(terms.items()))))

    def _square_of(self, monomial: int, name: str) -> int | None:
        """u when the monomial is name(u)^2 (sin(u)^2, cos(u)^2), else None."""
        expr = self.exprs[monomial]
        if expr[0] == PROD and expr[1] == 1 and len(expr[2]) == 1 and expr[2][0][1] == 2:
            inner = self.exprs[expr[2][0][0]]
            if inner[0] == CALL and inner[1] == name:
                return inner[2][0]
        return None

    def _pythagoras(self, const, terms: dict):
        """a·sin(u)^2 + a·cos(u)^2 → a (terms edited in place); returns the new constant."""
        sines = {self._square_of(t, "sin"): t for t in terms if self.kind(t) == PROD}
        for t in [t for t in terms if self.kind(t) == PROD]:
            u = self._square_of(t, "cos")
            if u is not None and u in sines and sines[u] in terms and terms[sines[u]] == terms.get(t):
                const = const + terms.pop(t)
                del terms[sines[u]]
        return const

    # -- operations ----------------------------------------------------------------------------
    def add(self, a: int, b: int) -> int:
        (ca, ta), (cb, tb) = self.terms(a), self.terms(b)
        if len(ta) + len(tb) > MAX_TERMS:
            return self.intern((RAW, "add", (a, b)))
        for t, c in tb.items():
            ta[t] = ta.get(t, 0) + c
        return self.sum(ca + cb, ta)

    def mul(self, a: int, b: int) -> int:
        # A number times a sum stays a product (2·(x + y)); other products of sums are multiplied out.
        if self.expand and SUM in (self.kind(a), self.kind(b)) and NUM not in (self.kind(a), self.kind(b)):
            expanded = self._expand(a, b)
            if expanded is not None:
                return expanded
        (ca, fa), (cb, fb) = self.factors(a), self.factors(b)
        if len(fa) + len(fb) > MAX_TERMS:
            return self.intern((RAW, "mul", (a, b)))
        for f, p in fb.items():
            fa[f] = fa.get(f, 0) + p
        coeff = exact(ca * cb)
        if not _finite(coeff):
            return self.intern((RAW, "mul", (a, b)))
        return self.product(coeff, fa)

    def _expand(self, a: int, b: int) -> int | None:
        """(c + Σ cᵢ·mᵢ)·(d + Σ dⱼ·nⱼ) multiplied out, like terms collected; None if too long."""
        (ca, ta), (cb, tb) = self.terms(a), self.terms(b)
        left = ([(None, ca)] if ca else []) + list(ta.items())      # (monomial or None, coefficient)
        right = ([(None, cb)] if cb else []) + list(tb.items())
        const, terms = 0, {}
        for m, c in left:
            for n, d in right:
                if m is None and n is None:
                    k, found = 1, {}
                elif m is None or n is None:
                    k, found = 0, {n if m is None else m: 1}
                else:
                    k, found = self.terms(self.mul(m, n))
                const += c * d * k
                for t, e in found.items():
                    terms[t] = terms.get(t, 0) + c * d * e
            if len(terms) > MAX_TERMS:
                return None
        return self.sum(const, terms)

    def neg(self, a: int) -> int:
        return self.mul(self.number(-1), a)

    def power(self, a: int, b: int) -> int:
        n = self.value(b)
        if n is None:
            if self.kind(b) == SUM and self.exprs[b][1] != 0:    # x^(x − 1) = x^x · x^(−1)
                _, const, terms = self.exprs[b]
                return self.mul(self.power(a, self.sum(0, dict(terms))), self.power(a, self.number(const)))
            return self.intern((POW, a, b))
        if n == 0:
            return self.number(1)
        if n == 1 or _whole(n) and n > 0 and self.is_relation(a):    # a comparison is 0 or 1: c^n = c
            return a
        base = self.value(a)
        if base is not None:
            folded = _power(base, n)
            return self.number(folded) if folded is not None else self.intern((POW, a, b))
        coeff, factors = self.factors(a)
        # (c·x^p)^n = c^n·x^(p·n) holds for whole n; for other n only with c > 0 and every p = 1.
        if _whole(n) or (coeff > 0 and all(p == 1 for p in factors.values())):
            folded = _power(coeff, n)
            if folded is not None:
                return self.product(folded, {f: exact(p * n) for f, p in factors.items()})
        return self.intern((POW, a, b))

    def call(self, name: str, *args: int) -> int:
        """name(args) for the op `name` of OPS, folded to a number when that is a whole number, and
        written as a textbook would: log(exp(u)) → u, exp(log(u)) → u, exp(c·log(u)) → u^c (where
        log(u) is defined), sign(relu(u)) → (u > 0), the step ReLU′ and where() are made of."""
        name = _RELATION_KEYS.get(name, name)     # a comparison's normal form names it by its symbol
        inner = self.exprs[args[0]] if len(args) == 1 else None
        if inner is not None and inner[0] == CALL:
            if (name, inner[1]) in (("log", "exp"), ("exp", "log")):
                return inner[2][0]
            if name == "sign" and inner[1] == "relu":
                return self.call("greater", inner[2][0], self.number(0))
        if name == "greater" and self.value(args[1]) == 0 and self.is_relation(args[0]):
            return args[0]                   # (u > 0) > 0 is u > 0: a comparison is 0 or 1
        if name == "exp" and inner is not None and inner[0] == PROD and len(inner[2]) == 1:
            (logarithm, p), = inner[2]
            if p == 1 and self.exprs[logarithm][0] == CALL and self.exprs[logarithm][1] == "log":
                return self.power(self.exprs[logarithm][2][0], self.number(inner[1]))
        values = [self.value(a) for a in args]
        if None not in values:
            with np.errstate(all="ignore"):
                folded = float(OPS[name].forward(*(np.float64(float(v)) for v in values)))
            if folded.is_integer():   # cos(0) → 1, but log(2) stays log(2)
                return self.number(folded)
        made = self.intern((CALL, name, tuple(args)))
        if name == "log" and values == [0]:
            self._log_zero = made
        return made


# Comparisons in the normal form: a CALL under the op's key, printed as a relation (`u > 0`) that
# binds more loosely than a sum, so as a factor it is in parentheses: x*(w*x + b > 0).
RELATIONS = {"less": "<", "greater": ">", "less_equal": "<=", "greater_equal": ">=", "equal": "==",
             "not_equal": "!="}
_RELATION_KEYS = {OPS[key].symbol: key for key in RELATIONS}


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
            expr[node_id] = _constant(table, graph, node) if node_id in graph.constants \
                else table.intern((SYM, node.name))
            continue
        op = OPS[node.op]
        if op.normal is None:
            raise GradcalcError(f"--symbolic does not support {op.symbol} yet", node.span,
                                text=graph.text)
        expr[node_id] = op.normal(table, *[expr[i] for i in node.inputs])
    return table, expr


def _constant(table: _Table, graph: Graph, node) -> int:
    """A constant as written where the text says (3, 0.1, pi, -e), else its value: exact when it is a
    fraction, a fraction of pi or e when it is one (2·pi folded by the derivative builder), else as is."""
    value = float(graph.constants[node.id])
    start, end = node.span
    written = graph.text[start:end].strip() if 0 <= start < end <= len(graph.text) else ""
    sign = -1 if written.startswith(("-", "−")) else 1
    bare = written.lstrip("-−+ ")
    # A variable named e or pi (`e = 3`) shadows the constants: they are then written as numbers.
    shadowed = any(name in graph.variables for name in CONSTANTS)
    if bare in CONSTANTS and sign * CONSTANTS[bare] == value and not shadowed:
        return table.mul(table.number(sign), table.intern((SYM, bare)))
    try:
        literal = Fraction(bare.replace("_", "")) * sign if bare else None
    except (ValueError, ZeroDivisionError):
        literal = None
    if literal is not None and float(literal) == value:
        if any(c in bare for c in ".eE"):
            table.decimal = True           # the user writes decimals: show fractions like theirs
        return table.number(literal)
    number = exact(value)
    if not isinstance(number, Fraction):
        for constant, make in _KNOWN_IRRATIONALS:
            if isinstance(make, str) and shadowed:
                continue          # a variable named e or pi: the constants are written as numbers
            if isinstance(make, str):
                make = lambda t, name=make: t.intern((SYM, name))
            ratio = exact(value / constant)
            if isinstance(ratio, Fraction) and float(ratio) * constant == value:
                return table.mul(table.number(ratio), make(table))
    return table.number(number)


# Numbers the derivative builder folds (2·pi, log(2) from d/dx 2^x, sqrt(3)), recognised again as
# a fraction times one of these, so a formula says log(2), not 0.6931471805599453.
_KNOWN_IRRATIONALS = [(value, name) for name, value in CONSTANTS.items()] \
    + [(math.log(k), lambda t, k=k: t.call("log", t.number(k))) for k in range(2, 21)] \
    + [(math.sqrt(k), lambda t, k=k: t.power(t.number(k), t.number(Fraction(1, 2))))
       for k in (2, 3, 5, 6, 7, 10)]


# Printing ------------------------------------------------------------------------------------------
# One printer walks a normal-form table bottom-up without recursion; a style spells what it finds
# (printing.PRETTY and ASCII, render/latex.LatexStyle). What is shared (the walk, names for shared
# parts, parentheses by binding strength, the order of a sum's terms) is written once here.


class Printer:
    """The texts of one table's expressions in one style; `names` maps a shared expression to t1, …"""

    def __init__(self, table: _Table, style, names: dict[int, str] | None = None):
        self.table, self.style = table, style
        self.names = {} if names is None else names
        self.text: dict[int, tuple[str, int]] = {}

    def formula(self, e: int) -> str:
        """e as printed where it is used: its name if it has one."""
        self.fill(e)
        return self.shown(e)[0]

    def definition(self, e: int) -> str:
        """The text of e itself, even where it has a name."""
        self.fill(e)
        return self.text[e][0]

    def fill(self, root: int) -> None:
        """Print every expression under root, children first."""
        for e in bottom_up(self.table, root, self.text):
            self.text[e] = self.render(e)

    def shown(self, e: int) -> tuple[str, int]:
        return (self.style.symbol(self.names[e]), ATOM) if e in self.names else self.text[e]

    def wrap(self, e: int, strength: int) -> str:
        text, own = self.shown(e)
        return text if own >= strength else self.style.parenthesized(text)

    def render(self, e: int) -> tuple[str, int]:
        """e's text and binding strength, its children printed already."""
        expr, style = self.table.exprs[e], self.style
        kind = expr[0]
        if kind == NUM:
            return style.number(expr[1], self.table.decimal)
        if kind == SYM:
            return style.symbol(expr[1]), ATOM
        if kind == CALL and expr[1] in RELATIONS:     # u > 0: 1 where it holds, else 0
            return style.relation(self, RELATIONS[expr[1]], *expr[2])
        if kind == CALL:
            op = OPS[expr[1]]
            return style.call(self, op.names[0] if op.names else expr[1], expr[2]), ATOM
        if kind == POW:
            if self.table.value(expr[2]) == Fraction(1, 2):
                return style.sqrt(self.shown(expr[1])[0]), ATOM
            return style.raised(self, expr[1], expr[2]), POWER
        if kind == PROD:
            return style.product(self, expr[1], expr[2])
        if kind == SUM:
            return self._sum(expr[1], expr[2])
        op, (a, b) = expr[1], expr[2]      # RAW: a sum or product kept as written
        if op == "add":
            return f"{self.wrap(a, SUM_STRENGTH)} + {self.wrap(b, PRODUCT)}", SUM_STRENGTH
        return f"{self.wrap(a, PRODUCT)}{style.times}{self.wrap(b, POWER)}", PRODUCT

    def _sum(self, const, terms) -> tuple[str, int]:
        style = self.style
        # Textbook order: by descending degree (x^3 + 9·x^2 + 18·x + 6), ties as they came.
        ordered = sorted(terms, key=lambda term: -degree(self.table, term[0]))
        parts = [(c < 0, style.product(self, abs(c), tuple(self.table.factors(t)[1].items()))[0])
                 for t, c in ordered]
        if const:
            parts.append((const < 0, style.number(abs(const), self.table.decimal)[0]))
        # Lead with a positive part where there is one: 1 − x, not −x + 1.
        first = next((i for i, (negative, _) in enumerate(parts) if not negative), 0)
        parts.insert(0, parts.pop(first))
        text = (style.minus if parts[0][0] else "") + parts[0][1]
        for negative, part in parts[1:]:
            text += f" {style.minus if negative else '+'} {part}"
        return text, SUM_STRENGTH


def degree(table: _Table, e: int):
    """The total degree of a monomial in the variables (x^3·y → 4; sin(x) → 0), for textbook order."""
    expr = table.exprs[e]
    if expr[0] == SYM:
        return 0 if expr[1] in CONSTANTS else 1
    if expr[0] == PROD:
        return sum(float(p) for f, p in expr[2]
                   if table.kind(f) == SYM and table.exprs[f][1] not in CONSTANTS)
    return 0


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
    # The normal forms behind the texts, for other printers (render/latex.py): the table, each
    # root's expression, and the expressions named t1, … in `definitions`.
    table: _Table | None = None
    exprs: dict = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    own: set[str] = field(default_factory=set)     # those of `names` that are the program's own
    length: int = 0                                  # characters of the formulas and definitions

    @property
    def helpers(self) -> int:
        """How many names t1, … the formulas had to make up."""
        return len(self.names) - len(self.own)


def formulas(graph: Graph, values: list, roots: dict[str, int], taken: set[str] = frozenset(),
             expand: bool = False, own_names: bool = False) -> Formulas:
    """The simplified formula of each root node, keyed like `roots` (e.g. by variable name).

    `expand` multiplies products of sums out first, so like terms of derivatives collect; where that
    makes the formulas longer than the chain rule's product left as it is (a product of several
    sums: 2·(y − t)·y·(1 − y)·(1 − h^2) is 8 terms multiplied out), the product is kept.
    `own_names`: the program's named intermediates (h = tanh(…)) are written by their names where
    their formula appears, and defined once (where h = tanh(w1·x + b1))."""
    own = _own_names(graph, roots) if own_names else {}
    found = _formulas(graph, values, roots, taken, expand, own)
    if expand and found.table is not None and len(found.table.exprs) <= MAX_COMPARED:
        # The chain rule's product as it is wins unless multiplying out is shorter without more
        # helper names (a u1 = … is harder to read than a factor written again).
        kept = _formulas(graph, values, roots, taken, False, own)
        if (kept.helpers, kept.length) <= (found.helpers, found.length):
            return kept
    return found


MAX_COMPARED = 20_000   # expressions past which only one form (the expanded) is made: time, not looks


def _own_names(graph: Graph, roots: dict) -> dict[int, str]:
    """The nodes the program names itself (h = tanh(…)), other than its inputs and its output, each
    name once: a name assigned twice (c, then c += 1) is two values, and neither is named."""
    names = graph.nodes.names
    count = Counter(name for name in names if name is not None)
    output = graph.output
    return {node_id: names[node_id] for node_id in _reachable(graph, list(roots.values()))
            if names[node_id] is not None and count[names[node_id]] == 1 and node_id != output
            and names[node_id] not in graph.variables and graph.nodes.ops[node_id] is not None}


def _helper_letter(taken) -> str:
    """The letter helper names are made of (t1, t2, …), one no name of the program starts with, so a
    helper is never read as one of the program's (t1 beside a t, s1 beside s_1)."""
    firsts = {name[:1] for name in taken if name}
    return next((letter for letter in "tuvsqrkmpgab" if letter not in firsts), "t_")


def _formulas(graph: Graph, values: list, roots: dict, taken, expand: bool, own: dict[int, str]) -> Formulas:
    table, expr = normal_forms(graph, values, list(roots.values()) + list(own), expand=expand)
    together = gathered(table, [expr[node] for node in roots.values()] + [expr[node] for node in own])
    wanted = together[:len(roots)]
    # Each named intermediate's formula, as the roots' formulas hold it: written by its name there.
    own_by_expr: dict[int, str] = {}
    for e, name in zip(together[len(roots):], own.values()):
        if table.kind(e) not in (NUM, SYM):
            own_by_expr.setdefault(e, name)
    as_root = Counter(wanted)
    uses = _uses(table, wanted)
    # A variable named e or pi (`e = 3`) shadows the constant: the constants are then written as numbers.
    shadowed = any(name in NAMED_CONSTANTS for name in graph.variables)
    ascii_style, pretty_style = (ASCII.without_constants(), PRETTY.without_constants()) \
        if shadowed else (ASCII, PRETTY)
    ascii_printer = Printer(table, ascii_style)
    names: dict[int, str] = {}
    letter = _helper_letter(set(taken) | set(own.values()) | set(graph.variables))
    fresh = (f"{letter}{i}" for i in range(1, 10 ** 9) if f"{letter}{i}" not in taken)
    for e in sorted(uses):
        ascii_printer.text[e] = ascii_printer.render(e)
        kind = table.kind(e)
        length = len(ascii_printer.text[e][0])
        if e in own_by_expr and as_root[e] != 1:
            names[e] = own_by_expr[e]
            ascii_printer.names[e] = names[e]
        # A root is named only when several roots are the same long formula (every ∂z/∂xᵢ of (Σx)²).
        elif kind not in (NUM, SYM) and ((uses[e] > 1 and length >= SHARE_AT) or length > LONG) \
                and as_root[e] != 1:
            names[e] = next(fresh)
            ascii_printer.names[e] = names[e]
    pretty_printer = Printer(table, pretty_style, names)
    for e in sorted(uses):
        pretty_printer.text[e] = pretty_printer.render(e)
    if _drop_unshown(names, pretty_printer, wanted):     # helpers numbered again: t1, t2, … as shown
        fresh = (f"{letter}{i}" for i in range(1, 10 ** 9) if f"{letter}{i}" not in taken)
        for e in sorted(names):
            if own_by_expr.get(e) != names[e]:
                names[e] = next(fresh)
        ascii_printer, pretty_printer = Printer(table, ascii_style, dict(names)), Printer(table, pretty_style, names)
        for e in sorted(uses):
            ascii_printer.text[e] = ascii_printer.render(e)
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
    found = Formulas(pretty, ascii_, definitions, [] if standalone else shared, table,
                     dict(zip(roots, wanted)), names, set(own_by_expr.values()) & set(names.values()))
    found.length = sum(map(len, pretty.values())) + sum(len(text) for _, text in definitions)
    return found


def _drop_unshown(names: dict[int, str], printer: Printer, roots: list[int]) -> bool:
    """Take out of `names` (shared by both printers) each one no formula shows: a quotient's
    denominator is printed from its base (60/(…)^3), so 1/(…)^3 named t1 was defined and never used."""
    import re

    symbol = {printer.style.symbol(name): e for e, name in names.items()}
    shown: set[int] = set()
    pending = [printer.shown(e)[0] for e in roots]
    while pending:
        for word in re.findall(r"\w+", pending.pop()):
            e = symbol.get(word)
            if e is not None and e not in shown:
                shown.add(e)
                pending.append(printer.text[e][0])
    unshown = [e for e in names if e not in shown]
    for e in unshown:
        del names[e]
    return bool(unshown)


def gathered(table: _Table, roots: list[int]) -> list[int]:
    """The roots with every sum whose terms share a factor other than a power of a variable written
    as that factor times the rest: x^3·exp(x) + 3·x^2·exp(x) → exp(x)·(x^3 + 3·x^2), as a textbook
    gathers it (polynomials stay multiplied out). Bottom-up, children first."""
    new: dict[int, int] = {}
    for e in sorted(_uses(table, roots)):
        expr = table.exprs[e]
        kind = expr[0]
        if kind == CALL:
            new[e] = table.intern((CALL, expr[1], tuple(new[a] for a in expr[2])))
        elif kind == POW:
            new[e] = table.intern((POW, new[expr[1]], new[expr[2]]))
        elif kind == RAW:
            new[e] = table.intern((RAW, expr[1], tuple(new[a] for a in expr[2])))
        elif kind == PROD:
            new[e] = _product_of(table, expr[1], [(new[f], p) for f, p in expr[2]])
        elif kind == SUM:
            const, terms = _flattened(table, expr[1], [(new[t], c) for t, c in expr[2]])
            new[e] = _gather_sum(table, const, _double_cosine(table, terms))
        else:
            new[e] = e
        if kind in (PROD, SUM):
            new[e] = _cancelled(table, new[e])
    return [new[e] for e in roots]


def _flattened(table: _Table, const, terms: list) -> tuple:
    """A sum's terms with any term that became a sum (a product multiplied out by _cancelled) spread
    into its own terms: the printer writes a sum's terms as monomials."""
    if all(table.kind(t) != SUM for t, _ in terms):
        return const, terms
    flat = []
    for t, c in terms:
        if table.kind(t) == SUM:
            const = const + c * table.exprs[t][1]
            flat += [(u, c * d) for u, d in table.exprs[t][2]]
        else:
            flat.append((t, c))
    return const, flat


MAX_MULTIPLY = 60     # the weight of a product or sum beyond which it is not tried multiplied out


def _weight(table: _Table, e: int) -> int:
    """How much text an expression makes, roughly: its tree's size (shared parts counted each time
    they are written), children first with an explicit stack, remembered on the table."""
    known = table.__dict__.setdefault("_weights", {})
    for f in bottom_up(table, e, known):
        expr = table.exprs[f]
        weight = 1 + sum(known[c] for c in children(expr))
        if expr[0] in (PROD, SUM):   # a coefficient or exponent other than 1 is written too
            weight += sum(p != 1 and p != -1 for _, p in expr[2]) + (expr[1] not in (0, 1))
        known[f] = weight
    return known[e]


def _has_sum_factor(table: _Table, e: int) -> bool:
    expr = table.exprs[e]
    if expr[0] == PROD:
        return any(table.kind(f) == SUM for f, _ in expr[2])
    return expr[0] == SUM and any(_has_sum_factor(table, t) for t, _ in expr[2])


def _cancelled(table: _Table, e: int) -> int:
    """e, or e with its products of sums multiplied out where that makes it shorter, so that terms
    cancel as on paper: −σ·(1 − σ)·(t/σ + (t − 1)/(1 − σ)) → σ − t, −t·(1 − σ) − σ·(t − 1) → σ − t.
    A product first takes its other factors into each term of a sum factor, so that they cancel the
    term's denominators (σ·(1 − σ)·t/σ = t·(1 − σ)) before anything is multiplied out."""
    if not _has_sum_factor(table, e) or _weight(table, e) > MAX_MULTIPLY:
        return e
    best = e
    try:
        candidates = [_multiplied_out(table, e)]
        expr = table.exprs[e]
        if expr[0] == PROD:
            candidates += [_multiplied_out(table, _distributed(table, e, f))
                           for f, p in expr[2] if p == 1 and table.kind(f) == SUM]
        # What is left may share a factor again: x·sigmoid(u) − x·t → x·(sigmoid(u) − t).
        candidates += [_factored(table, c) for c in candidates]
    except FormulaTooLarge:
        return e
    for candidate in candidates:
        if candidate is not None and _weight(table, candidate) < _weight(table, best):
            best = candidate
    return best


def _factored(table: _Table, e: int) -> int | None:
    """A sum whose terms all have a factor (any, a variable too) as that factor times the rest."""
    expr = table.exprs[e]
    if expr[0] != SUM or expr[1] != 0:
        return None
    split = [(c, *_as_factors(table, t)) for t, c in expr[2]]
    common = _lowest_powers(split, lambda powers: all(_whole(p) and p > 0 for p in powers))
    if not common or (_polynomial(table, split, common) and any(table.kind(f) == SYM for f in common)):
        return None       # a polynomial rest keeps its variables: e^x·(x^3 + 3·x^2), as _common does
    rest = _rest(table, split, common)
    if table.kind(rest) != SUM:
        return _product_of(table, 1, list(common.items()) + [(rest, 1)])
    # The rest as it came (sigmoid(u) − t, as the loss's gradient is written), not made primitive.
    factors = dict(common)
    factors[rest] = factors.get(rest, 0) + 1
    return table.intern((PROD, 1, tuple(sorted(factors.items()))))


def _distributed(table: _Table, e: int, over: int) -> int:
    """The product e with its sum factor `over` distributed: a·(b + c) → a·b + a·c."""
    _, coeff, factors = table.exprs[e]
    rest = table.product(coeff, {f: p for f, p in factors if f != over})
    const, terms = table.exprs[over][1], table.exprs[over][2]
    total = table.mul(rest, table.number(const))
    for t, c in terms:
        total = table.add(total, table.mul(rest, table.mul(table.number(c), t)))
    return total


def _multiplied_out(table: _Table, e: int) -> int:
    """e with every product of sums in its terms multiplied out (whole powers up to 3 of a sum too)."""
    saved, table.expand = table.expand, True
    try:
        const, terms = table.terms(e)
        total = table.number(const)
        for t, c in terms.items():
            coeff, factors = table.factors(t)
            piece = table.number(c * coeff)
            for f, p in factors.items():
                if table.kind(f) == SUM and _whole(p) and 0 < p <= 3:
                    for _ in range(int(p)):
                        piece = table.mul(piece, f)
                else:
                    piece = table.mul(piece, table.power(f, table.number(p)))
            total = table.add(total, piece)
        return total
    finally:
        table.expand = saved


def _rest(table, split: list, common: dict) -> int:
    """What is left of each (coefficient, own coefficient, factors) term once the common factors are
    taken out, added up with the table's arithmetic (so numerators over one denominator may cancel)."""
    rest = table.number(0)
    for c, own, fs in split:
        term = table.number(c * own)
        for f, p in fs.items():
            if p != common.get(f, 0):
                term = table.mul(term, table.power(f, table.number(p - common.get(f, 0))))
        rest = table.add(rest, term)
    return rest


def _product_of(table: _Table, coeff, factors) -> int:
    """coeff × Π factor^p as one product, a factor that is itself a product (p = 1) merged in."""
    merged: dict[int, object] = {}
    for f, p in factors:
        inner = table.exprs[f]
        if p == 1 and inner[0] == PROD:
            coeff = coeff * inner[1]
            for g, q in inner[2]:
                merged[g] = merged.get(g, 0) + q
        elif inner[0] == SUM and _whole(p):   # −sin(x) − 1 = −(sin(x) + 1): meets its own powers
            content, primitive = table._primitive(inner)
            coeff = coeff * content ** int(p)
            merged[primitive] = merged.get(primitive, 0) + p
        else:
            merged[f] = merged.get(f, 0) + p
    merged = {f: p for f, p in merged.items() if p != 0}
    # 2·sin(u)·cos(u) → sin(2·u), as a textbook writes it.
    sines = {table.exprs[f][2][0]: f for f, p in merged.items()
             if p == 1 and table.exprs[f][0] == CALL and table.exprs[f][1] == "sin"}
    for f, p in list(merged.items()):
        inner = table.exprs[f]
        if p == 1 and inner[0] == CALL and inner[1] == "cos" and inner[2][0] in sines \
                and sines[inner[2][0]] in merged:
            del merged[f], merged[sines[inner[2][0]]]
            # Added, not set: the product may already hold sin(2·u) (sin(u)·cos(u)·sin(2·u)).
            double = table.call("sin", table.mul(table.number(2), inner[2][0]))
            merged[double] = merged.get(double, 0) + 1
            coeff = coeff / 2
    merged = {f: p for f, p in merged.items() if p != 0}
    # x^y·x^(−1) is shown as x^(y − 1), as written (the normal form splits it to collect x^x terms).
    for f, p in list(merged.items()):
        inner = table.exprs[f]
        if p == 1 and inner[0] == POW and isinstance(merged.get(inner[1]), (int, Fraction)):
            base, shift = inner[1], merged.pop(inner[1])
            del merged[f]
            joined = table.intern((POW, base, table.add(inner[2], table.number(shift))))
            merged[joined] = merged.get(joined, 0) + 1
    if not merged:
        return table.number(coeff)
    if coeff == 1 and len(merged) == 1 and next(iter(merged.values())) == 1:
        return next(iter(merged))
    return table.intern((PROD, coeff, tuple(sorted(merged.items()))))


def _double_cosine(table: _Table, terms: list) -> list:
    """a·cos(u)^2 − a·sin(u)^2 → a·cos(2·u), as a textbook writes it. Terms that gathering made
    equal (two routes to sin(a)^2·(a + b)/c^3) are added up first."""
    coefficients: dict = {}
    for t, c in terms:
        coefficients[t] = coefficients.get(t, 0) + c
    coefficients = {t: c for t, c in coefficients.items() if c != 0}
    terms = list(coefficients.items())
    for t, c in terms:
        u = table._square_of(t, "cos")
        if u is None or t not in coefficients:
            continue
        sine = next((s for s, d in coefficients.items() if d == -c and table._square_of(s, "sin") == u), None)
        if sine is not None:
            del coefficients[t], coefficients[sine]
            double = table.call("cos", table.mul(table.number(2), u))
            coefficients[double] = coefficients.get(double, 0) + c
    return list(coefficients.items())


def _gather_sum(table: _Table, const, terms) -> int:
    # A term that gathering turned into a product with a coefficient of its own (a sum's content,
    # 2·(x + 1)) is a monomial again with that coefficient moved out, as the printer expects.
    monomials: dict = {}
    for t, c in terms:
        own, factors = _as_factors(table, t)
        if own != 1:
            product = _product_of(table, 1, list(factors.items()))
            merged_own, merged = (table.value(product), {}) if table.kind(product) == NUM \
                else _as_factors(table, product)
            c = c * own * merged_own
            if not merged:
                const, c = const + c, 0
            else:
                t = table.product(1, merged)
        if c:
            monomials[t] = monomials.get(t, 0) + c
    terms = [(t, c) for t, c in monomials.items() if c != 0]
    if not terms:
        return table.number(const)
    if const == 0 and len(terms) == 1:
        return _product_of(table, terms[0][1], [(terms[0][0], 1)])
    split = [(c, *_as_factors(table, t)) for t, c in terms]     # (coefficient, own coefficient, factors)
    common = {} if const else _common(table, split)
    if not common:
        return table.intern((SUM, const, tuple(sorted(terms))))
    # What is left of each term, added up with the table's arithmetic: over a common denominator
    # the numerators may cancel, 1/(x + 1) − x/(x + 1)^2 → ((x + 1) − x)/(x + 1)^2 → 1/(x + 1)^2.
    rest = _rest(table, split, common)
    if table.kind(rest) == NUM:
        return _product_of(table, table.value(rest), list(common.items()))
    return _product_of(table, 1, list(common.items()) + [(rest, 1)])


def _common(table: _Table, split) -> dict:
    """The factors every term has: all positive powers (the lowest) of anything, or all negative
    powers (the strongest: a common denominator), so (1 − log(x))/x^2 and x·(1 − tanh(w·x)^2); but
    positive powers of a variable only when what is left is no polynomial (polynomials stay
    multiplied out: exp(x)·(x^3 + 3·x^2))."""
    common = _lowest_powers(split, lambda powers: all(isinstance(p, (int, Fraction)) for p in powers) and (
        all(p > 0 for p in powers) or all(p < 0 for p in powers)))     # a negative one: the common denominator
    if _polynomial(table, split, common):
        common = {f: p for f, p in common.items() if table.kind(f) != SYM or p < 0}
    return common


def _lowest_powers(split, shared) -> dict:
    """Each factor all the (coefficient, own coefficient, factors) terms have, at its lowest power,
    where `shared(powers)` accepts the powers it has in the terms."""
    common = {}
    for f in set.intersection(*(set(fs) for _, _, fs in split)):
        powers = [fs[f] for _, _, fs in split]
        if shared(powers):
            common[f] = min(powers)
    return common


def _polynomial(table: _Table, split, common: dict) -> bool:
    """Whether the terms, their `common` factors taken out, are a polynomial (variables alone)."""
    return all(table.kind(f) == SYM for _, _, fs in split for f, p in fs.items() if p != common.get(f, 0))


def _as_factors(table: _Table, e: int):
    expr = table.exprs[e]
    if expr[0] == PROD:
        return expr[1], dict(expr[2])
    return 1, {e: 1}


def bottom_up(table: _Table, root: int, done: dict, parts=None):
    """Each expression under root that is not in `done` yet, children before parents, with an
    explicit stack (a formula may be nested 10⁵ deep). The caller puts each one into `done`.
    `parts(expr)`, if given, says which children to visit (default: all)."""
    parts = parts or children
    stack = [root]
    while stack:
        e = stack[-1]
        if e in done:
            stack.pop()
            continue
        pending = [c for c in parts(table.exprs[e]) if c not in done]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        yield e


def children(expr: tuple) -> list[int]:
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
        for child in children(table.exprs[e]):
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
        stack.extend(children(table.exprs[e]))
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
    try:
        table, expr = normal_forms(graph, values, [root], expand=True)
    except FormulaTooLarge:
        return None          # too large to multiply out: the derivative stays as it was built
    target = expr[root]
    nodes: dict[int, int] = {}
    for e in sorted(_uses(table, [target])):
        kind, *data = table.exprs[e]
        if kind == NUM:
            nodes[e] = builder.const(data[0])
        elif kind == SYM:   # a variable, or the constant pi or e as the normal form writes it
            nodes[e] = graph.variables[data[0]] if data[0] in graph.variables \
                else builder.const(CONSTANTS[data[0]])
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
    if node in builder.pending or abs(values[node] - values[root]) > 1e-12 * max(abs(values[root]), 1e-300):
        return None        # (a rebuilt value that is not finite: the built one met a 0 that this lost)
    return node


# Array gradients in textbook form ------------------------------------------------------------------

@dataclass
class KnownFormula:
    """A textbook formula of an array gradient that the normal form (scalars only) cannot hold, read
    like Formulas' root "f": `softmax(z) - y`, found by checking its numbers against the gradient."""

    pretty: dict[str, str]
    ascii: dict[str, str]
    formula: object                  # softmax(z) − y (over rows when rows > 1), an ops/rules.Text
    condition: str = ""              # where it holds: "y sums to 1" (the grader's nearby points vary y)
    table: None = None
    names: dict = field(default_factory=dict)


def textbook_array_formula(graph: Graph, values: list, grads: list, target: int) -> KnownFormula | None:
    """`softmax(z) - y` (`(softmax(z) - y)/N` for N rows) for ∂L/∂z wherever that is the gradient's
    value, as in cross_entropy(z, y) or -sum(y*log(softmax(z))) with y one-hot or probabilities.
    Checked against the computed gradient at the point, never read off the program's shape: a y whose
    rows do not sum to 1 gets no such formula."""
    grad, z = grads[target], values[target]
    if grad is None or np.ndim(z) not in (1, 2) or np.shape(grad) != np.shape(z) or np.size(z) < 2:
        return None
    labels = graph.labels()
    shifted = np.exp(z - np.max(z, axis=-1, keepdims=True))
    softmax = shifted / np.sum(shifted, axis=-1, keepdims=True)
    rows = 1 if np.ndim(z) == 1 else np.shape(z)[0]
    for node in graph.nodes:
        if node.name is None or node.id == target or np.shape(values[node.id]) != np.shape(z):
            continue
        with np.errstate(all="ignore"):
            if not np.allclose((softmax - values[node.id]) / rows, grad, rtol=1e-9, atol=1e-12):
                continue
        formula = call_text("softmax", symbol(labels[target])) - symbol(labels[node.id])
        formula = formula if rows == 1 else formula / rows
        condition = f"{'each row of ' if rows > 1 else ''}{labels[node.id]} sums to 1"
        return KnownFormula({"f": formula.spelled(PRETTY)}, {"f": formula.spelled(ASCII)}, formula, condition)
    return None
