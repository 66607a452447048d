"""LaTeX to paste: formulas as equations, the Hessian as a pmatrix, the trace and the orders as tabulars.

Formulas are printed from the same normal forms as --symbolic's text (symbolic.py), with textbook
notation: \\frac for quotients, implicit products, \\left( \\right) around sums, \\sin, \\ln, \\sqrt.
Tables keep the columns they have on screen; their cells are text with the math symbols in $…$.
"""

from __future__ import annotations

import re
from fractions import Fraction

from ..numbers import DEFAULT_PRECISION, format_value
from ..symbolic import CALL, NUM, POW, PROD, RAW, SUM, SYM, decimal_text, terminates, constants_first, degree

_ATOM, _POWER, _PRODUCT, _NEGATIVE, _SUM = 5, 4, 3, 2, 1    # binding strength, as symbolic.py's

# Functions with a LaTeX command of their own; others are \operatorname{name}.
_COMMANDS = {"sin": r"\sin", "cos": r"\cos", "tan": r"\tan", "tanh": r"\tanh", "sinh": r"\sinh",
             "cosh": r"\cosh", "log": r"\ln", "exp": r"\exp", "arcsin": r"\arcsin", "arccos": r"\arccos",
             "arctan": r"\arctan", "asin": r"\arcsin", "acos": r"\arccos", "atan": r"\arctan",
             "sigmoid": r"\sigma", "cot": r"\cot", "sec": r"\sec", "csc": r"\csc", "coth": r"\coth"}
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


class Printer:
    """LaTeX of the expressions of one normal-form table, bottom-up; `names` maps shared ones to t₁ …"""

    def __init__(self, table, names: dict[int, str] | None = None, spell=name):
        self.table, self.names, self.spell = table, names or {}, spell
        self.done: dict[int, tuple[str, int]] = {}

    def latex(self, e: int) -> str:
        self._fill(e)
        return self.shown(e)[0]

    def definition(self, e: int) -> str:
        """The text of a named expression itself (not its name)."""
        self._fill(e)
        return self.done[e][0]

    def _fill(self, root: int) -> None:
        """Render every expression under root, children first (no recursion on deep formulas)."""
        from ..symbolic import children

        stack = [root]
        while stack:
            e = stack[-1]
            if e in self.done:
                stack.pop()
                continue
            pending = [c for c in children(self.table.exprs[e]) if c not in self.done]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            self.done[e] = self._render(e)

    def shown(self, e: int) -> tuple[str, int]:
        if e in self.names:
            return self.spell(self.names[e]), _ATOM
        return self.done[e]

    def wrap(self, e: int, strength: int) -> str:
        text, own = self.shown(e)
        return text if own >= strength else rf"\left({text}\right)"

    def _render(self, e: int) -> tuple[str, int]:
        expr = self.table.exprs[e]
        kind = expr[0]
        if kind == NUM:
            value = expr[1]
            return self._number(value), _NEGATIVE if value < 0 else _ATOM
        if kind == SYM:
            return self.spell(expr[1]), _ATOM
        if kind == CALL:
            return self._call(expr[1], expr[2]), _ATOM
        if kind == POW:
            if self.table.value(expr[2]) == Fraction(1, 2):
                return rf"\sqrt{{{self.shown(expr[1])[0]}}}", _ATOM
            return f"{self.wrap(expr[1], _ATOM)}^{{{self.shown(expr[2])[0]}}}", _POWER
        if kind == PROD:
            return self._product(expr[1], expr[2])
        if kind == SUM:
            return self._sum(expr[1], expr[2])
        assert kind == RAW
        op, (a, b) = expr[1], expr[2]
        if op == "add":
            return f"{self.wrap(a, _SUM)} + {self.wrap(b, _PRODUCT)}", _SUM
        return f"{self.wrap(a, _PRODUCT)} \\cdot {self.wrap(b, _POWER)}", _PRODUCT

    def _call(self, op: str, args) -> str:
        from ..ops import OPS

        texts = [self.shown(a)[0] for a in args]
        called = OPS[op].names[0] if OPS[op].names else op
        if called == "sqrt":
            return rf"\sqrt{{{texts[0]}}}"
        if called == "abs":
            return rf"\left|{texts[0]}\right|"
        if called == "exp" and self.shown(args[0])[1] >= _ATOM and len(texts[0]) <= 12:
            return f"e^{{{texts[0]}}}"
        command = _COMMANDS.get(called, r"\operatorname{" + called.replace("_", r"\_") + "}")
        return rf"{command}\left({', '.join(texts)}\right)"

    def _factor(self, f: int, p) -> str:
        if p == 1:
            return self.wrap(f, _PRODUCT + 1)
        if p == Fraction(1, 2):
            return rf"\sqrt{{{self.shown(f)[0]}}}"
        if isinstance(p, Fraction) and p.denominator != 1 and not self._decimal(p):
            exponent = f"{p.numerator}/{p.denominator}"       # x^{3/2}: \frac is too tall up there
        else:
            exponent = self._number(p)
        return f"{self.wrap(f, _ATOM)}^{{{exponent}}}"

    def _decimal(self, value) -> bool:
        return self.table.decimal and isinstance(value, Fraction) and terminates(value.denominator)

    def _number(self, value) -> str:
        if self._decimal(value) and value.denominator != 1:
            return ("-" if value < 0 else "") + decimal_text(abs(value))
        return number(value) if isinstance(value, Fraction) else _number_text(_float_text(value))

    def _bare(self, f: int, p) -> str:
        return self.shown(f)[0] if p == 1 else self._factor(f, p)

    def _product(self, coeff, factors) -> tuple[str, int]:
        factors = constants_first(self.table, factors)
        top = [self._factor(f, p) for f, p in factors if p > 0]
        bottom = [self._factor(f, -p) for f, p in factors if p < 0]
        magnitude = abs(coeff)
        numerator, denominator = (magnitude.numerator, magnitude.denominator) \
            if isinstance(magnitude, Fraction) and not self._decimal(magnitude) else (magnitude, 1)
        lead = "" if numerator == 1 and (top or bottom) else \
            (str(numerator) if denominator != 1 else self._number(numerator))
        if bottom or denominator != 1:
            # Inside \frac a lone sum needs no parentheses: \frac{x + 1}{x}.
            if len(top) == 1 and not lead:
                top = [self._bare(f, p) for f, p in factors if p > 0]
            if len(bottom) == 1 and denominator == 1:
                bottom = [self._bare(f, -p) for f, p in factors if p < 0]
            over = _juxtapose(([lead] if lead else []) + top) or "1"
            under = _juxtapose(([str(denominator)] if denominator != 1 else []) + bottom)
            text = rf"\frac{{{over}}}{{{under}}}"
        else:
            text = _juxtapose(([lead] if lead else []) + top)
        if coeff < 0:
            return "-" + text, _NEGATIVE
        single = len(top) + len(bottom) == 1 and not lead and denominator == 1
        return text, (_ATOM if single and factors[0][1] in (1, Fraction(1, 2)) else
                      _POWER if single else _PRODUCT)

    def _sum(self, const, terms) -> tuple[str, int]:
        ordered = sorted(terms, key=lambda term: -degree(self.table, term[0]))
        parts = [(c < 0, self._product(abs(c), tuple(self.table.factors(t)[1].items()))[0],
                  degree(self.table, t)) for t, c in ordered]
        if const:
            magnitude = abs(const)
            parts.append((const < 0, self._number(magnitude), 0))
        first = next((i for i, (negative, _, d) in enumerate(parts) if not negative), 0)
        parts.insert(0, parts.pop(first))
        text = ("-" if parts[0][0] else "") + parts[0][1]
        for negative, part, _ in parts[1:]:
            text += f" {'-' if negative else '+'} {part}"
        return text, _SUM


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
        printer = Printer(symbolic.table, symbolic.names, spell)
        variable = derivative.variable if derivative is not None else None
        lines = []
        for key, e in symbolic.exprs.items():
            if key[0] == "hessian" and hessian is not None:
                continue          # shown as the matrix of formulas below
            if key == ("order", 1) and ("gradient", variable) in symbolic.exprs:
                continue
            lines.append(f"{_formula_name(output, key, variable, spell)} &= {printer.latex(e)}")
        lines += [f"{spell(t)} &= {printer.definition(e)}" for e, t in sorted(symbolic.names.items())]
        blocks.append(_align(lines))
    if hessian is not None:
        matrices = [[[_value(v, precision) for v in row] for row in hessian.matrix]]
        labels = hessian.variables
        if symbolic is not None and all(("hessian", *sorted((u, v), key=labels.index)) in symbolic.exprs
                                        for u in labels for v in labels):
            printer = Printer(symbolic.table, symbolic.names, spell)
            matrices.insert(0, [[printer.latex(symbolic.exprs[("hessian", *sorted((u, v), key=labels.index))])
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
