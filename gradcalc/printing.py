"""How formulas are written: gradcalc's own styles of the one formula printer.

symbolic.Printer walks a table of normal forms and asks a style how to write what it finds: `Style`
here (PRETTY for reading, ASCII that gradcalc's grammar reads back) or render/latex.LatexStyle. The
binding strengths and PRETTY's signs are those of the trace's formula column (ops/rules.Text), so a
formula reads the same wherever it is shown.
"""

from __future__ import annotations

import math

# How strongly printed text binds: a part weaker than its place asks for is put in parentheses.
from .ops.rules import ATOM, CONDITION, MINUS, NEGATIVE, POWER, PRODUCT, RAISED, SUM, TIMES

_NAMED = {math.pi: "pi", math.e: "e"}     # gradcalc's constants, read back by the grammar


class Style:
    """gradcalc's own formula text: `times`, `minus` and `power` as it spells them; `constants`
    writes π and e as pi and e (not where a variable has that name)."""

    __slots__ = ("times", "minus", "power", "constants")

    def __init__(self, times: str, minus: str, power: str, constants: bool = True):
        self.times, self.minus, self.power, self.constants = times, minus, power, constants

    def without_constants(self) -> Style:
        return Style(self.times, self.minus, self.power, constants=False)

    def parenthesized(self, text: str) -> str:
        return f"({text})"

    def symbol(self, name: str) -> str:
        return name

    def sqrt(self, text: str) -> str:
        return f"sqrt({text})"

    def call(self, printer, name: str, args) -> str:
        return f"{name}({', '.join(printer.shown(a)[0] for a in args)})"

    def raised(self, printer, base: int, exponent: int) -> str:
        return f"{printer.wrap(base, ATOM)}{self.power}{printer.wrap(exponent, ATOM)}"

    def relation(self, printer, relation: str, a: int, b: int) -> tuple[str, int]:
        """`w·x + b > 0`, binding more loosely than a sum: as a factor, x*(w*x + b > 0)."""
        if self.times != "*":     # PRETTY: ≤ ≥ ≠; ASCII keeps what the grammar reads
            relation = {"<=": "≤", ">=": "≥", "!=": "≠"}.get(relation, relation)
        return f"{printer.wrap(a, SUM)} {relation} {printer.wrap(b, SUM)}", CONDITION

    def number(self, value, decimal: bool = False) -> tuple[str, int]:
        """3, 1/3 (0.3 where decimals are wanted and it is one), or a float as Python writes it; and
        how it binds: −2 as a negative, 1/3 as a quotient, else as an atom."""
        from fractions import Fraction

        if isinstance(value, Fraction):
            magnitude = abs(value)
            if magnitude.denominator == 1:
                text = str(magnitude.numerator)
            elif decimal and terminates(magnitude.denominator):
                text = decimal_text(magnitude)
            else:
                text = f"{magnitude.numerator}/{magnitude.denominator}"
            text = (self.minus if value < 0 else "") + text
        elif self.constants and abs(value) in _NAMED:
            text = (self.minus if value < 0 else "") + _NAMED[abs(value)]
        else:
            text = repr(float(value))
            text = (text[:-2] if text.endswith(".0") else text).replace("-", self.minus)
        if value < 0:
            return text, NEGATIVE
        if isinstance(value, Fraction) and value.denominator != 1 and not (
                decimal and terminates(value.denominator)):
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
NAMED_CONSTANTS = frozenset(_NAMED.values())


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
