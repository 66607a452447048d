"""LaTeX to paste: formulas as equations, the Hessian as a pmatrix, the trace and the orders as tabulars.

Formulas are printed from the same normal forms as --symbolic's text (symbolic.py), with textbook
notation: \\frac for quotients, implicit products, \\left( \\right) around sums, \\sin, \\ln, \\sqrt.
Tables keep the columns they have on screen; their cells are text with the math symbols in $…$.
"""

from __future__ import annotations

import re
from fractions import Fraction

from ..numbers import DEFAULT_PRECISION, format_value
from ..printing import ATOM, NEGATIVE, POWER, PRODUCT, constants_first, decimal_text, terminates
from ..symbolic import Printer

# Functions with a LaTeX command of their own; others are \operatorname{name}.
_COMMANDS = {"sin": r"\sin", "cos": r"\cos", "tan": r"\tan", "tanh": r"\tanh", "sinh": r"\sinh",
             "cosh": r"\cosh", "log": r"\ln", "exp": r"\exp", "arcsin": r"\arcsin", "arccos": r"\arccos",
             "arctan": r"\arctan", "asin": r"\arcsin", "acos": r"\arccos", "atan": r"\arctan",
             "sigmoid": r"\sigma", "cot": r"\cot", "sec": r"\sec", "csc": r"\csc", "coth": r"\coth",
             "gamma": r"\Gamma", "digamma": r"\psi"}
GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
         "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
         "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega"}


def name(text: str) -> str:
    """A variable's name in math mode: x, x_{1} for x1 and x_1, \\theta, \\mathit{rate} for longer names."""
    match = re.fullmatch(r"([A-Za-z]+)_?(\d+)", text)
    if match:
        return f"{_word(match.group(1))}_{{{match.group(2)}}}"
    return _word(text)


def _word(text: str) -> str:
    if text in GREEK:
        return "\\" + text
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
    """symbolic.Printer's style for LaTeX: \\frac for quotients, implicit products, \\left( \\right),
    \\sin and \\ln, \\sqrt; `spell` writes a variable's name (x_{1}, \\theta)."""

    times = r" \cdot "
    minus = "-"

    def __init__(self, spell=name):
        self.spell = spell

    def symbol(self, text: str) -> str:
        return self.spell(text)

    def parenthesized(self, text: str) -> str:
        return rf"\left({text}\right)"

    def sqrt(self, text: str) -> str:
        return rf"\sqrt{{{text}}}"

    def raised(self, printer, base: int, exponent: int) -> str:
        return f"{printer.wrap(base, ATOM)}^{{{printer.shown(exponent)[0]}}}"

    def relation(self, printer, relation: str, a: int, b: int) -> tuple[str, int]:
        """Iverson's bracket: [w x + b > 0] is 1 where it holds, else 0."""
        symbol = {"<=": r"\leq", ">=": r"\geq", "==": "=", "!=": r"\neq"}.get(relation, relation)
        return rf"\left[{printer.shown(a)[0]} {symbol} {printer.shown(b)[0]}\right]", ATOM

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
    """Factors side by side (2 x y); \\cdot where a number would run into the next one (2 \\cdot 3^{x})
    or a variable into parentheses (x \\cdot \\left(x + 1\\right))."""
    text = ""
    for factor in factors:
        if text:
            # x\left(…\right) would read as a function x applied to (…): a \cdot says it is a product
            ambiguous = factor.startswith(r"\left(") and text[-1:].isalpha()
            text += r" \cdot " if factor[:1].isdigit() or factor.startswith(r"\frac") or ambiguous else " "
        text += factor
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

_SUPERSCRIPT_DIGITS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789"))
_MATH = {"·": r"\cdot", "×": r"\times", "−": "-", "∂": r"\partial", "→": r"\to", "⊙": r"\odot",
         "Σ": r"\Sigma", "÷": r"\div", "ᵀ": r"^{\top}", "≤": r"\le", "≥": r"\ge", "²": "^{2}",
         "…": r"\ldots", "√": r"\surd", "ⁿ": "^{n}", "ᴷ": "^{K}"}
_TEXT = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
         "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


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


def tabular(table) -> list[str]:
    """A rows.Table as a tabular with the same columns; numbers right-aligned as on screen."""
    columns = len(table.columns)
    spec = "l" * table.text_columns + "r" * (columns - table.text_columns)
    lines = [f"% {text_cell(table.title)}" if table.title else "%",
             rf"\begin{{tabular}}{{{spec}}}", r"\hline",
             " & ".join(text_cell(c) for c in table.columns) + r" \\", r"\hline"]
    for row in table.rows:
        cells = [text_cell(str(cell)) if k < table.text_columns else _value_cell(str(cell))
                 for k, cell in enumerate(row)]
        lines.append(" & ".join(cells) + r" \\")
    lines.append(r"\hline")
    if table.omitted:
        lines.append(rf"\multicolumn{{{columns}}}{{l}}{{{table.omitted} more rows not shown}} \\")
    lines.append(r"\end{tabular}")
    return lines


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
    # Every name this output may write, so no two of them are spelled alike (x1 and x_1).
    spell = Names([output, *result.graph.variables, *result.gradient,
                   *(symbolic.names.values() if symbolic is not None else ()),
                   *(label.partition("[")[0] for label in (hessian.variables if hessian is not None else ()))])
    if symbolic is None and hessian is None and derivative is None:
        report = build_report(result, precision, max_rows)
        blocks += [tabular(report.forward), tabular(report.backward)]
        lines = [f"{spell(output)} &= {_value(result.value, precision)}"]
        lines += [f"{partial(output, var, spell)} &= {_value(g, precision)}" for var, g in result.gradient.items()]
        blocks.append(_align(lines))
    if symbolic is not None:
        printer = Printer(symbolic.table, LatexStyle(spell), symbolic.names)
        variable = derivative.variable if derivative is not None else None
        lines = []
        for key, e in symbolic.exprs.items():
            if key[0] == "hessian" and hessian is not None:
                continue          # shown as the matrix of formulas below
            if key == ("order", 1) and ("gradient", variable) in symbolic.exprs:
                continue
            lines.append(f"{_formula_name(output, key, variable, spell)} &= {printer.formula(e)}")
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


def _formula_name(output: str, key: tuple, variable: str | None, spell=name) -> str:
    if key[0] == "gradient":
        return partial(output, key[1], spell)
    if key[0] == "hessian":
        return second_partial(output, key[1], key[2], spell)
    return ordinary(output, variable, key[1], spell)


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
