"""LaTeX to paste: formulas as equations, the Hessian as a pmatrix, the trace and the orders as tabulars.

Formulas are printed by the one formula printer in LatexStyle, with textbook notation: \\frac for
quotients, implicit products, \\left( \\right) around sums, \\sin, \\ln, \\sqrt: --symbolic's from the
same normal forms as its text (symbolic.py), the trace's formula column from each op's rule
(ops/rules.Text). Tables keep the columns they have on screen; their other cells are text with the
math symbols in $…$.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from ..numbers import DEFAULT_PRECISION, format_value
from ..printing import (ATOM, CONDITION, NEGATIVE, POWER, PRODUCT, SUM, constants_first, decimal_text, derivative_name,
                        figures_text, terminates)
from ..symbolic import Printer

# Functions with a LaTeX command of their own; others are \operatorname{name}.
_COMMANDS = {"sin": r"\sin", "cos": r"\cos", "tan": r"\tan", "tanh": r"\tanh", "sinh": r"\sinh",
             "cosh": r"\cosh", "log": r"\ln", "exp": r"\exp", "arcsin": r"\arcsin", "arccos": r"\arccos",
             "arctan": r"\arctan", "asin": r"\arcsin", "acos": r"\arccos", "atan": r"\arctan",
             "sigmoid": r"\sigma", "cot": r"\cot", "sec": r"\sec", "csc": r"\csc", "coth": r"\coth",
             "gamma": r"\Gamma", "digamma": r"\psi", "min": r"\min", "max": r"\max",
             "log softmax": r"\ln \operatorname{softmax}"}
GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
         "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
         "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega"}


# Letters and signs typed as themselves (θ, π in a rule's 2/√π, ½): their commands.
_UNICODE = {**dict(zip("αβγδεζηθικλμνξπρστυφχψωΓΔΘΛΞΠΣΥΦΨΩ",
                       (r"\alpha \beta \gamma \delta \epsilon \zeta \eta \theta \iota \kappa \lambda \mu \nu \xi \pi "
                        r"\rho \sigma \tau \upsilon \phi \chi \psi \omega \Gamma \Delta \Theta \Lambda \Xi \Pi "
                        r"\Sigma \Upsilon \Phi \Psi \Omega").split())), "µ": r"\mu", "½": r"\tfrac{1}{2}"}
_SUBSCRIPT_DIGITS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")


def name(text: str) -> str:
    """A variable's name in math mode: x, x_{1} for x1, x_1 and x₁ (c₂, the trace's second c), \\theta
    for theta and θ, \\mathit{rate} for longer names."""
    if text in _UNICODE:
        return _UNICODE[text]
    match = re.fullmatch(r"([A-Za-zα-ωΑ-Ωµ]+)_?(\d+)", text.translate(_SUBSCRIPT_DIGITS))
    if match:
        return f"{_word(match.group(1))}_{{{match.group(2)}}}"
    return _word(text)


def _word(text: str) -> str:
    if text in GREEK:
        return "\\" + text
    if text in _UNICODE:
        return _UNICODE[text]
    if len(text) == 1 and text.isalpha():
        return text
    return _literal(text)


def _literal(text: str) -> str:
    """The name as typed, in italics: \\mathit{x1}, \\mathit{\\_} (a bare _ would start a subscript)."""
    return r"\mathit{" + text.replace("_", r"\_") + "}"


class Names:
    """How the names of one output are spelled: `name`'s textbook spelling, except where two names
    would look the same (x1 and x_1 both as x_{1}, t1 and t_1): those are written as typed."""

    def __init__(self, names=()):
        spelled: dict[str, set[str]] = {}
        for text in set(names):
            spelled.setdefault(name(text), set()).add(text)
        self.literal = {text for same in spelled.values() if len(same) > 1 for text in same}

    def __call__(self, text: str) -> str:
        return _literal(text) if text in self.literal else name(text)


def number(value) -> str:
    """A number in math mode: 3, \\frac{1}{3}, 0.25, 1.5 \\times 10^{-7}, \\infty (sign included)."""
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        sign = "-" if value < 0 else ""
        return f"{sign}\\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"
    return _number_text(format_value(value, 17) if not isinstance(value, str) else value)


def _number_text(text: str) -> str:
    text = text.replace("−", "-")
    if text in ("inf", "-inf"):
        return text.replace("inf", r"\infty")
    if text == "nan":
        return r"\mathrm{NaN}"
    mantissa, e, exponent = text.partition("e")
    if not e:
        return text
    exponent = str(int(exponent))
    return f"10^{{{exponent}}}" if mantissa == "1" else f"{mantissa} \\times 10^{{{exponent}}}"


def _float_text(value: float) -> str:
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


class LatexStyle:
    """The formula printer's style for LaTeX (symbolic.Printer's and printing.TextPrinter's): \\frac
    for quotients, implicit products, \\left( \\right), \\sin and \\ln, \\sqrt; `spell` writes a
    variable's name (x_{1}, \\theta); `figures`, as printing.Style's, for the trace's numbers."""

    times = r" \cdot "
    minus = "-"
    # A rule's formula (ops/rules.Text), as printing.Style.templates: form, binding, parts' bindings.
    templates = {
        "sum_of": ("{0} + {1}", SUM, (SUM, SUM)),
        "difference": ("{0} - {1}", SUM, (SUM, PRODUCT)),
        "negated": ("-{0}", NEGATIVE, (NEGATIVE,)),
        "squared": ("{0}^{{2}}", POWER, (ATOM,)),
        "transposed": (r"{0}^{{\top}}", ATOM, (ATOM,)),
        "summed": (r"\sum {0}", ATOM, (ATOM,)),
        "root": (r"\sqrt{{{0}}}", ATOM, (CONDITION,)),
        "equation": ("{0} = {1}", CONDITION, (CONDITION, CONDITION)),
    }

    def __init__(self, spell=name, figures: int | None = None):
        self.spell, self.figures = spell, figures

    def symbol(self, text: str) -> str:
        return self.spell(text)

    def parenthesized(self, text: str) -> str:
        return rf"\left({text}\right)"

    def sqrt(self, text: str) -> str:
        return rf"\sqrt{{{text}}}"

    def raised(self, printer, base, exponent) -> str:
        return f"{printer.wrap(base, ATOM)}^{{{printer.shown(exponent)[0]}}}"

    def comparison(self, printer, relation: str, a, b) -> tuple[str, int]:
        symbol = {"<=": r"\leq", ">=": r"\geq", "==": "=", "!=": r"\neq"}.get(relation, relation)
        return f"{printer.shown(a)[0]} {symbol} {printer.shown(b)[0]}", CONDITION

    def relation(self, printer, relation: str, a, b) -> tuple[str, int]:
        """Iverson's bracket: [w x + b > 0] is 1 where it holds, else 0."""
        return rf"\left[{self.comparison(printer, relation, a, b)[0]}\right]", ATOM

    iverson = relation

    # -- the constructs of a rule's formula (ops/rules.Text), as printing.TextPrinter meets them ---

    def product_of(self, printer, a, b) -> tuple[str, int]:
        return _juxtapose([printer.wrap(a, NEGATIVE), printer.wrap(b, PRODUCT)]), PRODUCT

    matrix_product = product_of

    def quotient(self, printer, a, b) -> tuple[str, int]:
        over, strength = printer.shown(a)
        sign = "-" if strength == NEGATIVE and over.startswith("-") else ""     # -\frac{1}{x}, not \frac{-1}{x}
        text = rf"{sign}\frac{{{over[len(sign):]}}}{{{printer.shown(b)[0]}}}"
        return text, NEGATIVE if sign else PRODUCT

    def cases(self, printer, branches, otherwise) -> tuple[str, int]:
        parts = [rf"{printer.shown(value)[0]} \text{{ if }} {printer.shown(condition)[0]}"
                 for value, condition in branches]
        between = r"\text{, else } " if len(parts) > 1 else r" \text{ else } "
        return r"\text{, } ".join(parts) + between + printer.shown(otherwise)[0], CONDITION

    def words(self, printer, pieces, strength: int) -> tuple[str, int]:
        return "".join(rf"\text{{{_escaped(p)}}}" if isinstance(p, str) else printer.shown(p)[0]
                       for p in pieces), strength

    def indexed(self, printer, a, index) -> tuple[str, int]:
        shown = rf"\text{{{_escaped(index)}}}" if isinstance(index, str) else f"[{printer.shown(index)[0]}]"
        return f"{printer.wrap(a, ATOM)}{shown}", ATOM

    def partial(self, _printer, of: str, wrt: str) -> tuple[str, int]:
        return partial(of, wrt, self.spell), PRODUCT

    def second_partial(self, of: str, row: str, column: str) -> str:
        return second_partial(of, row, column, self.spell)

    def ordinary(self, of: str, wrt: str, order: int) -> str:
        return ordinary(of, wrt, order, self.spell)

    def call(self, printer, called: str, args) -> str:
        texts = [printer.shown(a)[0] for a in args]
        if called == "sqrt":
            return self.sqrt(texts[0])
        if called == "abs":
            return rf"\left|{texts[0]}\right|"
        if called == "lgamma":          # log|Γ(x)|, as torch and SciPy define it
            return rf"\ln\left|\Gamma\left({texts[0]}\right)\right|"
        if called == "polygamma":       # ψ⁽ⁿ⁾(x)
            return rf"\psi^{{({texts[0]})}}\left({texts[1]}\right)"
        if called == "factorial":
            return f"{printer.wrap(args[0], ATOM)}!"
        if called == "exp" and printer.shown(args[0])[1] >= ATOM and len(texts[0]) <= 12:
            return f"e^{{{texts[0]}}}"
        command = _COMMANDS.get(called, r"\operatorname{" + called.replace("_", r"\_") + "}")
        return rf"{command}\left({', '.join(texts)}\right)"

    def number(self, value, decimal: bool = False) -> tuple[str, int]:
        if decimal and isinstance(value, Fraction) and terminates(value.denominator) and value.denominator != 1:
            text = ("-" if value < 0 else "") + decimal_text(abs(value))
        elif self.figures and isinstance(value, float) and math.isfinite(value):
            text = ("-" if value < 0 else "") + _number_text(figures_text(abs(value), self.figures))
        else:
            text = number(value) if isinstance(value, Fraction) else _number_text(_float_text(value))
        return text, NEGATIVE if value < 0 else ATOM

    def factor(self, printer, f: int, p) -> str:
        if p == 1:
            return printer.wrap(f, PRODUCT + 1)
        if p == Fraction(1, 2):
            return self.sqrt(printer.shown(f)[0])
        if isinstance(p, Fraction) and p.denominator != 1 and not _decimal(printer, p):
            exponent = f"{p.numerator}/{p.denominator}"       # x^{3/2}: \frac is too tall up there
        else:
            exponent = self.number(p, printer.table.decimal)[0]
        return f"{printer.wrap(f, ATOM)}^{{{exponent}}}"

    def _bare(self, printer, f: int, p) -> str:
        return printer.shown(f)[0] if p == 1 else self.factor(printer, f, p)

    def product(self, printer, coeff, factors) -> tuple[str, int]:
        factors = constants_first(printer.table, factors)
        top = [self.factor(printer, f, p) for f, p in factors if p > 0]
        bottom = [self.factor(printer, f, -p) for f, p in factors if p < 0]
        magnitude = abs(coeff)
        numerator, denominator = (magnitude.numerator, magnitude.denominator) \
            if isinstance(magnitude, Fraction) and not _decimal(printer, magnitude) else (magnitude, 1)
        lead = "" if numerator == 1 and (top or bottom) else \
            (str(numerator) if denominator != 1 else self.number(numerator, printer.table.decimal)[0])
        if bottom or denominator != 1:
            # Inside \frac a lone sum needs no parentheses: \frac{x + 1}{x}.
            if len(top) == 1 and not lead:
                top = [self._bare(printer, f, p) for f, p in factors if p > 0]
            if len(bottom) == 1 and denominator == 1:
                bottom = [self._bare(printer, f, -p) for f, p in factors if p < 0]
            over = _juxtapose(([lead] if lead else []) + top) or "1"
            under = _juxtapose(([str(denominator)] if denominator != 1 else []) + bottom)
            text = rf"\frac{{{over}}}{{{under}}}"
        else:
            text = _juxtapose(([lead] if lead else []) + top)
        if coeff < 0:
            return "-" + text, NEGATIVE
        single = len(top) + len(bottom) == 1 and not lead and denominator == 1
        return text, (ATOM if single and factors[0][1] in (1, Fraction(1, 2)) else
                      POWER if single else PRODUCT)


def _decimal(printer, value) -> bool:
    return printer.table.decimal and isinstance(value, Fraction) and terminates(value.denominator)


def _juxtapose(factors: list[str]) -> str:
    """Factors side by side (2 x y); \\cdot where a number would run into the next one (2 \\cdot 3^{x}),
    a variable into parentheses (x \\cdot \\left(x + 1\\right)), or beside a name of several letters
    (\\mathit{apple} \\cdot \\mathit{apple\\_num}: side by side, two words read as one)."""
    text, previous = "", ""
    for factor in factors:
        if text:
            # x\left(…\right) would read as a function x applied to (…): a \cdot says it is a product
            ambiguous = factor.startswith(r"\left(") and text[-1:].isalpha()
            words = factor.startswith(r"\mathit{") or previous.startswith(r"\mathit{")
            text += r" \cdot " if factor[:1].isdigit() or factor.startswith(r"\frac") or ambiguous or words else " "
        text += factor
        previous = factor
    return text


# Names of derivatives ------------------------------------------------------------------------------

def partial(output: str, variable: str, spell=name) -> str:
    return rf"\frac{{\partial {spell(output)}}}{{\partial {spell(variable)}}}"


def second_partial(output: str, row: str, column: str, spell=name) -> str:
    if row == column:
        return rf"\frac{{\partial^{{2}} {spell(output)}}}{{\partial {_element(row, spell)}^{{2}}}}"
    return (rf"\frac{{\partial^{{2}} {spell(output)}}}"
            rf"{{\partial {_element(row, spell)} \, \partial {_element(column, spell)}}}")


def ordinary(output: str, variable: str, order: int, spell=name) -> str:
    if order == 1:
        return rf"\frac{{d {spell(output)}}}{{d {spell(variable)}}}"
    return rf"\frac{{d^{{{order}}} {spell(output)}}}{{d {spell(variable)}^{{{order}}}}}"


def _element(label: str, spell=name) -> str:
    """x, or w[0] → w_{0}, M[0,1] → M_{0,1} (w1[0] → {w_{1}}_{0}: one subscript each)."""
    base, bracket, index = label.partition("[")
    if not bracket:
        return spell(base)
    spelled = spell(base)
    if "_" in spelled.replace(r"\_", ""):
        spelled = "{" + spelled + "}"
    return spelled + f"_{{{index.rstrip(']')}}}"


# Text cells of tables ------------------------------------------------------------------------------

# The symbols of prose cells (titles, names, definitions, shapes); a formula is spelled by LatexStyle.
_SUPERSCRIPT_DIGITS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789"))
_MATH = {"·": r"\cdot", "×": r"\times", "−": "-", "∂": r"\partial", "→": r"\to", "÷": r"\div",
         "ᵀ": r"^{\top}", "≤": r"\le", "≥": r"\ge", "≠": r"\neq", "…": r"\ldots", "ⁿ": "^{n}",
         "ᴷ": "^{K}",
         **_UNICODE, **{digit: f"_{{{k}}}" for k, digit in enumerate("₀₁₂₃₄₅₆₇₈₉")}}
_TEXT = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
         "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def _escaped(text: str) -> str:
    """Text for \\text{…} or a cell: LaTeX's special characters escaped."""
    return "".join(_TEXT.get(ch, ch) for ch in text)


def text_cell(text: str) -> str:
    """Text for a tabular cell: LaTeX's special characters escaped, math symbols in $…$."""
    out, math = [], []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in _SUPERSCRIPT_DIGITS:
            digits = ""
            while i < len(text) and text[i] in _SUPERSCRIPT_DIGITS:
                digits += _SUPERSCRIPT_DIGITS[text[i]]
                i += 1
            math.append(f"^{{{digits}}}")
            continue
        if ch == "^" and i + 1 < len(text) and (text[i + 1].isalnum() or text[i + 1] == "("):
            match = re.match(r"\^(\w+|\([^()]*\))", text[i:])
            if match:
                math.append("^{" + "".join(_TEXT.get(c, c) if c != "_" else r"\_"
                                           for c in match.group(1).strip("()")) + "}")
                i += len(match.group())
                continue
        if ch in _MATH:
            math.append(_MATH[ch] + (" " if _MATH[ch][-1].isalpha() else ""))
        else:
            if math:
                out.append("$" + "".join(math).rstrip() + "$")
                math = []
            out.append(_TEXT.get(ch, ch) if ord(ch) < 128 else ch)
        i += 1
    if math:
        out.append("$" + "".join(math).rstrip() + "$")
    return "".join(out)


def tabular(table, style=None) -> list[str]:
    """A rows.Table as a tabular with the same columns; numbers right-aligned as on screen; a formula
    (rows.Formula) in math mode, as `style` spells it."""
    style = style or LatexStyle(figures=6)
    columns = len(table.columns)
    spec = "l" * table.text_columns + "r" * (columns - table.text_columns)
    lines = [f"% {text_cell(table.title)}" if table.title else "%",
             rf"\begin{{tabular}}{{{spec}}}", r"\hline",
             " & ".join(text_cell(c) for c in table.columns) + r" \\", r"\hline"]
    for row in table.rows:
        cells = [_formula_cell(cell, style) if hasattr(cell, "formula") else
                 text_cell(str(cell)) if k < table.text_columns else _value_cell(str(cell))
                 for k, cell in enumerate(row)]
        lines.append(" & ".join(cells) + r" \\")
    lines.append(r"\hline")
    if table.omitted:
        lines.append(rf"\multicolumn{{{columns}}}{{l}}{{{table.omitted} more rows not shown}} \\")
    lines.append(r"\end{tabular}")
    return lines


def _formula_cell(cell, style) -> str:
    after = cell.after.lstrip()
    return f"${cell.formula.spelled(style)}$" + (r"\quad " + text_cell(after) if after else "")


def _value_cell(text: str) -> str:
    """A number (or an array) in math mode; its digits as printed on screen, never cut."""
    if "\n" in text or "[" in text:
        body = re.sub(r"[-+]?[\d.]+(?:e[-+]?\d+)?|inf|nan", lambda m: _number_text(m.group()),
                      " ".join(text.split()))
        return "$" + body.replace("[", r"\left[").replace("]", r"\right]") + "$"
    if re.fullmatch(r"[-+]?(?:[\d.]+(?:e[-+]?\d+)?|inf|nan)", text):
        return f"${_number_text(text)}$"
    return text_cell(text)


# The whole output ----------------------------------------------------------------------------------

def render(result, beyond=None, precision: int = DEFAULT_PRECISION, max_rows: int = 200) -> str:
    """LaTeX for what was asked: the formulas (--symbolic), the Hessian, the orders, else the trace."""
    from .rows import build_report

    blocks: list[list[str]] = []
    output = result.output_name
    symbolic = getattr(beyond, "symbolic", None)
    hessian = getattr(beyond, "hessian", None)
    derivative = getattr(beyond, "derivative", None)
    # Every name this output may write (the trace's labels too), so no two are spelled alike (x1 and x_1).
    spell = Names([output, *result.graph.variables, *result.gradient, *result.labels,
                   *(symbolic.names.values() if symbolic is not None else ()),
                   *(label.partition("[")[0] for label in (hessian.variables if hessian is not None else ()))])
    if symbolic is None and hessian is None and derivative is None:
        report = build_report(result, precision, max_rows)
        blocks += [tabular(report.forward), tabular(report.backward, LatexStyle(spell, figures=6))]
        lines = [f"{spell(output)} &= {_value(result.value, precision)}"]
        lines += [f"{partial(output, var, spell)} &= {_value(g, precision)}" for var, g in result.gradient.items()]
        blocks.append(_align(lines))
    if symbolic is not None:
        style = LatexStyle(spell)
        printer = Printer(symbolic.table, style, symbolic.names)
        variable = derivative.variable if derivative is not None else None
        lines = []
        for key, e in symbolic.exprs.items():
            if key[0] == "hessian" and hessian is not None:
                continue          # shown as the matrix of formulas below
            if key == ("order", 1) and ("gradient", variable) in symbolic.exprs:
                continue
            lines.append(f"{derivative_name(style, output, key, variable)} &= {printer.formula(e)}")
        lines += [f"{spell(t)} &= {printer.definition(e)}" for e, t in sorted(symbolic.names.items())]
        blocks.append(_align(lines))
    if hessian is not None:
        matrices = [[[_value(v, precision) for v in row] for row in hessian.matrix]]
        labels = hessian.variables
        if symbolic is not None and all(("hessian", *sorted((u, v), key=labels.index)) in symbolic.exprs
                                        for u in labels for v in labels):
            printer = Printer(symbolic.table, LatexStyle(spell), symbolic.names)
            matrices.insert(0, [[printer.formula(symbolic.exprs[("hessian", *sorted((u, v), key=labels.index))])
                                 for v in labels] for u in labels])
        blocks.append(_matrices(rf"\nabla^{{2}} {spell(output)}", matrices))
    if derivative is not None:
        lines = [f"% Derivatives of {text_cell(output)} with respect to {text_cell(derivative.variable)}, "
                 f"by {derivative.method}",
                 r"\begin{tabular}{rlr}", r"\hline", r"order & derivative & value \\", r"\hline"]
        for k, value in enumerate(derivative.values, start=1):
            lines.append(f"{k} & ${ordinary(output, derivative.variable, k, spell)}$ & "
                         f"${_value(value, precision)}$ \\\\")
        lines += [r"\hline", r"\end{tabular}"]
        blocks.append(lines)
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


def _value(value, precision: int) -> str:
    return _value_cell(format_value(value, precision)).strip("$")


NO_INPUTS = "% no derivatives: the expression has no inputs"


def _align(lines: list[str]) -> list[str]:
    if not lines:   # an empty align* does not compile
        return [NO_INPUTS]
    body = [f"  {line} \\\\" for line in lines[:-1]] + [f"  {lines[-1]}"]
    return [r"\begin{align*}"] + body + [r"\end{align*}"]


def _matrices(label: str, matrices: list[list[list[str]]]) -> list[str]:
    """label = (first) = (second): the Hessian's formulas, then its values."""
    if not matrices[0]:   # an empty pmatrix does not compile
        return [NO_INPUTS]
    lines = [r"\[", label]
    for rows in matrices:
        lines.append(r"= \begin{pmatrix}")
        lines += [f"  {' & '.join(row)} \\\\" for row in rows[:-1]] + [f"  {' & '.join(rows[-1])}"]
        lines.append(r"\end{pmatrix}")
    return lines + [r"\]"]
