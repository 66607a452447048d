"""How formulas are written: the one formula printer's binding strengths and gradcalc's own styles.

Two walks ask a style how to spell what they find: symbolic.Printer over a table of normal forms
(--symbolic, --latex's formulas) and `TextPrinter` over the formula a rule read on text builds
(ops/rules.Text: the trace's formula column and the table of functions). `Style` here writes
gradcalc's text (PRETTY for reading, ASCII that gradcalc's grammar reads back, TRACE for the trace's
column: x², √π, six figures); render/latex.LatexStyle writes LaTeX. Each construct (a product, a
quotient, a power, a function's name, a root, a condition) is spelled in one method of a style.
"""

from __future__ import annotations

import math

# How strongly printed text binds: a part weaker than its place asks for is put in parentheses.
CONDITION, SUM, NEGATIVE, PRODUCT, POWER, ATOM = 0, 1, 2, 3, 4, 5
TIMES, MINUS, RAISED = "·", "−", "^"

_NAMED = {math.pi: "pi", math.e: "e"}     # gradcalc's constants, read back by the grammar
_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


class Style:
    """gradcalc's own formula text: `times`, `minus` and `power` as it spells them; `constants`
    writes π and e as pi and e (not where a variable has that name); `square` is how a square is
    raised (x² in the trace, else x^2); `figures`, how many significant figures a float is given
    (all that tell it apart where None)."""

    __slots__ = ("times", "minus", "power", "constants", "square", "figures", "templates")

    def __init__(self, times: str, minus: str, power: str, constants: bool = True, square: str | None = None,
                 figures: int | None = None):
        self.times, self.minus, self.power, self.constants = times, minus, power, constants
        self.square, self.figures = square, figures
        # A rule's formula (ops/rules.Text, read by TextPrinter): the constructs written by a template,
        # how the result binds and how strongly each part must bind to go in without parentheses.
        self.templates = {
            "sum_of": ("{0} + {1}", SUM, (SUM, SUM)),
            "difference": (f"{{0}} {minus} {{1}}", SUM, (SUM, PRODUCT)),
            "negated": (f"{minus}{{0}}", NEGATIVE, (NEGATIVE,)),
            "quotient": ("{0}/{1}", PRODUCT, (NEGATIVE, POWER)),
            "squared": ("{0}" + (square or power + "2"), POWER, (ATOM,)),
            # associative: no parentheses around a product (or ∂L/∂Y) on either side
            "matrix_product": (f"{{0}} {times} {{1}}", PRODUCT, (PRODUCT, PRODUCT)),
            "transposed": ("{0}ᵀ", ATOM, (ATOM,)),
            "summed": ("Σ{0}", ATOM, (ATOM,)),      # a's elements summed (along the rows)
            "root": ("√{0}", ATOM, (ATOM,)),         # as a constant is written: 2/√π
            "equation": ("{0} = {1}", CONDITION, (CONDITION, CONDITION)),
        }

    def without_constants(self) -> Style:
        return Style(self.times, self.minus, self.power, False, self.square, self.figures)

    def parenthesized(self, text: str) -> str:
        return f"({text})"

    def symbol(self, name: str) -> str:
        return name

    def sqrt(self, text: str) -> str:
        return f"sqrt({text})"

    def call(self, printer, name: str, args) -> str:
        return f"{name}({', '.join(printer.shown(a)[0] for a in args)})"

    def raised(self, printer, base, exponent) -> str:
        return f"{printer.wrap(base, ATOM)}{self.power}{printer.wrap(exponent, ATOM)}"

    def relation(self, printer, relation: str, a, b) -> tuple[str, int]:
        """`w·x + b > 0`, binding more loosely than a sum: as a factor, x*(w*x + b > 0)."""
        if self.times != "*":     # PRETTY: ≤ ≥ ≠; ASCII keeps what the grammar reads
            relation = {"<=": "≤", ">=": "≥", "!=": "≠"}.get(relation, relation)
        return f"{printer.wrap(a, SUM)} {relation} {printer.wrap(b, SUM)}", CONDITION

    comparison = relation    # a condition (x > 0 in `1 if x > 0 else 0`) is the relation itself

    # -- the constructs of a rule's formula (ops/rules.Text), as TextPrinter meets them -------------

    def product_of(self, printer, a, b) -> tuple[str, int]:
        # −x·y: a negation on the left reads as it should; on the right it is wrapped, x·(−y). A
        # number before a constant stands beside it, as on paper: 2π.
        between = "" if a.kind == "number" and b.kind == "constant" else self.times
        return f"{printer.wrap(a, NEGATIVE)}{between}{printer.wrap(b, PRODUCT)}", PRODUCT

    def iverson(self, printer, relation: str, a, b) -> tuple[str, int]:
        """Iverson's bracket: [x > 0] is 1 where it holds, else 0."""
        return f"[{self.comparison(printer, relation, a, b)[0]}]", ATOM

    def cases(self, printer, branches, otherwise) -> tuple[str, int]:
        """`1 if x > 0 else 0`; with more branches `1 if a > b, ½ if equal, else 0`."""
        parts = [f"{printer.shown(value)[0]} if {printer.shown(condition)[0]}" for value, condition in branches]
        between = ", else " if len(parts) > 1 else " else "
        return ", ".join(parts) + between + printer.shown(otherwise)[0], CONDITION

    def words(self, printer, pieces, strength: int) -> tuple[str, int]:
        """Words with formulas among them: `∂L/∂out repeated along axis 1`."""
        return "".join(p if isinstance(p, str) else printer.shown(p)[0] for p in pieces), strength

    def indexed(self, printer, a, index) -> tuple[str, int]:
        """a[0, 1:]: `index` as numpy writes it, or one formula in brackets."""
        shown = index if isinstance(index, str) else f"[{printer.shown(index)[0]}]"
        return f"{printer.wrap(a, ATOM)}{shown}", ATOM

    def partial(self, _printer, of: str, wrt: str) -> tuple[str, int]:
        return f"∂{self.symbol(of)}/∂{self.symbol(wrt)}", PRODUCT

    def second_partial(self, of: str, row: str, column: str) -> str:
        return f"∂²{of}/∂{row}²" if row == column else f"∂²{of}/∂{row}∂{column}"

    def ordinary(self, of: str, wrt: str, order: int) -> str:
        """dz/dx, d²z/dx², d¹⁰z/dx¹⁰."""
        power = "" if order == 1 else str(order).translate(_SUPERSCRIPTS)
        return f"d{power}{of}/d{wrt}{power}"

    def number(self, value, decimal: bool = False) -> tuple[str, int]:
        """3, 1/3 (0.3 where decimals are wanted and it is one), or a float as Python writes it; and
        how it binds: −2 as a negative, 1/3 as a quotient, else as an atom."""
        sign = self.minus if value < 0 else ""
        if not hasattr(value, "denominator"):     # a float (fractions and `numbers` left unimported)
            magnitude = abs(float(value))
            if self.constants and magnitude in _NAMED:
                text = sign + _NAMED[magnitude]
            elif self.figures and math.isfinite(value):     # 3.14159
                text = sign + figures_text(magnitude, self.figures)
            else:
                text = repr(float(value))
                text = (text[:-2] if text.endswith(".0") else text).replace("-", self.minus)
            return text, NEGATIVE if value < 0 else ATOM
        magnitude = abs(value)
        if magnitude.denominator == 1:
            text = str(magnitude.numerator)
        elif decimal and terminates(magnitude.denominator):
            text = decimal_text(magnitude)
        else:
            text = f"{magnitude.numerator}/{magnitude.denominator}"
        if value < 0:
            return sign + text, NEGATIVE
        if magnitude.denominator != 1 and not (decimal and terminates(magnitude.denominator)):
            return text, PRODUCT
        return text, ATOM

    def factor(self, printer, f: int, p) -> str:
        """f^p inside a product."""
        if p == 1:
            return printer.wrap(f, PRODUCT + 1)
        if p == 0.5:
            return self.sqrt(printer.shown(f)[0])
        exponent, strength = self.number(p, printer.table.decimal)
        if strength < ATOM:
            exponent = f"({exponent})"
        return f"{printer.wrap(f, ATOM)}{self.power}{exponent}"

    def product(self, printer, coeff, factors) -> tuple[str, int]:
        """coeff × Π fᵢ^pᵢ: numbers first, then a/b or a/(b·c)."""
        decimal = printer.table.decimal
        factors = constants_first(printer.table, factors)
        top = [self.factor(printer, f, p) for f, p in factors if p > 0]
        # One denominator factor needs no parentheses (x**2 binds tighter than /); several do.
        bottom = [self.factor(printer, f, -p) for f, p in factors if p < 0]
        magnitude = abs(coeff)
        if self.number(magnitude, decimal)[1] == PRODUCT:     # 2/3: 2 on top, 3 below
            if magnitude.numerator != 1 or not top:
                top.insert(0, str(magnitude.numerator))
            bottom.insert(0, str(magnitude.denominator))
        elif magnitude != 1 or not top:
            top.insert(0, self.number(magnitude, decimal)[0])
        text = self.times.join(top)
        if bottom:
            text += "/" + (bottom[0] if len(bottom) == 1 else "(" + self.times.join(bottom) + ")")
        if coeff < 0:
            return self.minus + text, NEGATIVE
        if len(top) + len(bottom) > 1:
            return text, PRODUCT
        (_, p), = factors
        return text, ATOM if p in (1, 0.5) else POWER


PRETTY = Style(TIMES, MINUS, RAISED)
ASCII = Style("*", "-", "**")
# The trace's formula column: 1 − z², 2/√π, numbers to six figures (the local column has them all).
TRACE = Style(TIMES, MINUS, RAISED, constants=False, square="²", figures=6)
NAMED_CONSTANTS = frozenset(_NAMED.values())


def derivative_name(style, of: str, key: tuple, variable: str | None = None) -> str:
    """A derivative's name by its key, as `style` writes it: ("gradient", "x") → ∂z/∂x;
    ("hessian", "x", "y") → ∂²z/∂x∂y; ("order", 2) → d²z/dx² (with respect to `variable`)."""
    if key[0] == "gradient":
        return style.partial(None, of, key[1])[0]
    if key[0] == "hessian":
        return style.second_partial(of, key[1], key[2])
    return style.ordinary(of, variable, key[1])


def figures_text(magnitude: float, figures: int) -> str:
    """A finite number ≥ 0 to so many significant figures: 3, 3.14159, 1e-05."""
    if magnitude == int(magnitude) and magnitude < 1e15:
        return str(int(magnitude))
    return f"{magnitude:.{figures}g}"


def terminates(denominator: int) -> bool:
    """Whether 1/denominator has a finite decimal expansion."""
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return denominator == 1


def decimal_text(value) -> str:
    """A Fraction with a terminating expansion as its decimal digits: 3/8 → 0.375."""
    from decimal import Decimal, localcontext

    with localcontext() as context:
        context.prec = 60
        text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def constants_first(table, factors) -> list:
    """Factors in the order a textbook writes them: numbers as symbols (pi, sqrt(2), log(2)) first."""
    return sorted(factors, key=lambda item: not table.is_constant(item[0]))


class TextPrinter:
    """A rule's formula (ops/rules.Text) in one style: each part spelled once by the style, parentheses
    where a part binds more loosely than its place asks for. A formula is a rule's few operations deep."""

    def __init__(self, style):
        self.style, self.done = style, {}

    def shown(self, text) -> tuple[str, int]:
        found = self.done.get(id(text))
        if found is None:
            found = self.done[id(text)] = self._spelled(text)
        return found

    def wrap(self, text, strength: int) -> str:
        shown, own = self.shown(text)
        return shown if own >= strength else self.style.parenthesized(shown)

    def _spelled(self, text) -> tuple[str, int]:
        kind, parts, style = text.kind, text.parts, self.style
        template = style.templates.get(kind)
        if template is not None:
            form, strength, wraps = template
            return form.format(*[self.wrap(part, wrap) for part, wrap in zip(parts, wraps)]), strength
        if kind in ("symbol", "constant"):
            return style.symbol(parts[0]), text.strength
        if kind == "number":
            return style.number(parts[0])
        if kind == "call":
            return style.call(self, parts[0], parts[1:]), ATOM
        if kind == "power":
            return style.raised(self, *parts), POWER
        return getattr(style, kind)(self, *parts)


def spelled(text, style=TRACE) -> str:
    """A rule's formula as `style` writes it."""
    return TextPrinter(style).shown(text)[0]
