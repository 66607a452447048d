"""Math text and LaTeX, read by rewriting the grammar's own tokens (README: How gradcalc reads what you paste).

The grammar (grammar/gradcalc.lark) stays the one definition of the language: this module only turns
what notes and textbooks write into tokens of it, each keeping its place in the text (so every caret
points where it did), and tokens it adds are empty ones at the place they stand for:

- LaTeX commands become the tokens they mean: ``\\frac{a}{b}`` is ``({a}/{b})``, ``\\sqrt`` is ``√``,
  ``\\sin`` is ``sin``, ``\\cdot`` is ``⋅``, ``\\left(`` is ``(``, ``\\alpha`` is ``α``, ``x_{1}`` is
  the name ``x_1``; spacing (``\\,``) and ``$`` delimiters are dropped.
- An accent on one letter is the name with it spelled (``ŷ``, ``\\hat{y}`` are ``y_hat``), a font around
  one letter the letter (``\\mathbf{W}`` is ``W``), a vulgar fraction the number (``½`` is ``(1/2)``).
- ``\\| x \\|``, ``\\lVert x \\rVert`` and ``‖x‖`` are ``norm(x)``; ``\\[ \\]`` and ``\\begin{…}``/``\\end{…}`` are
  dropped like ``$``, with an align's ``&`` dropped and its ``\\\\`` a new statement.
- Names written together (``xy``, ``mv``, ``nRT``) become their pieces side by side when every piece
  is a variable given a value (or assigned or listed as an input in the text) and the name itself is
  not; two ways to cut one name is refused with both readings.
- A variable before ``(`` multiplies it: ``400x(y - x^2)`` is ``400x*(y - x^2)``.
- A function without parentheses takes the product that follows it: ``sin x``, ``ln x``, ``sin 2x``,
  ``log x^2`` (log of x²), ``sin x cos x``; ``sin^2 x`` and ``sin^2(x)`` are sin(x)², ``sin^-1 x`` is
  asin(x), as textbooks mean them.
- ``Xᵀ`` and ``X^T`` (T not a variable) are the transpose, ``X.T``.
- What MathJax and KaTeX pages write around a formula (``\\(…\\)``, ``\\label``, a closing comma, a
  ``x \\in \\mathbb{R}`` clause, an evaluation bar's point) is dropped or read as what it says; a
  derivative written in the text is read only where it names a formula (``\\frac{dy}{dx} = …``) or
  asks for one of first order (``\\frac{d}{dx} …``), and one of higher order is
  refused naming the option that computes it. README: How gradcalc reads what you paste.

The parser runs this only when the text as typed does not parse or leaves a name that these rules
read otherwise, so plain programs pay nothing for it.
"""

from __future__ import annotations

import re

from .brackets import statement_end
from .errors import GradcalcError
from .names import ACCENT_MARKS, GREEK, accented

Span = tuple[int, int]


class Tok:
    """A token as the LALR driver reads a regular-expression match: its terminal, text and place."""

    __slots__ = ("lastgroup", "text", "start", "end")

    def __init__(self, kind: str, text: str, start: int, end: int):
        self.lastgroup, self.text, self.start, self.end = kind, text, start, end

    def group(self) -> str:
        return self.text

    def span(self) -> Span:
        return (self.start, self.end)

    def __repr__(self) -> str:   # pragma: no cover - for debugging
        return f"{self.lastgroup}({self.text!r}@{self.start})"


def _empty(kind: str, text: str, at: int) -> Tok:
    """A token the rewriting adds: no text of its own, at the place it stands for."""
    return Tok(kind, text, at, at)


# -- LaTeX -------------------------------------------------------------------------------------------
_LATEX = r"(?P<LATEX>\\(?:[A-Za-z]+|[^A-Za-z\n]))|(?P<DOLLAR>\$)|(?P<TRANSPOSE>ᵀ)|(?P<BANG>!(?!=))|"
# Commands that are gradcalc's function of the same name (\arcsin is asin, \ln is log).
_FUNCTION_COMMANDS = {
    "sin", "cos", "tan", "sec", "csc", "cot", "sinh", "cosh", "tanh", "arcsin", "arccos", "arctan",
    "ln", "log", "exp", "max", "min", "erf",
}
_OPERATOR_COMMANDS = {"cdot": "⋅", "times": "*", "ast": "*", "div": "/"}
_APPROX = {"\\approx", "≈"}
_SPACING = {",", ";", ":", "!", " ", "quad", "qquad", "displaystyle", "textstyle", "limits", "big", "Big",
            "bigg", "Bigg", "left", "right", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr", "Biggl",
            "Biggr", "nonumber", "notag",
            # TeX's old font switches, {\bf e}, {\bf{e}} (Paul's Online Notes' e): what follows, as it is
            "bf", "rm", "it", "sf", "tt", "cal"}
_OPEN = {"(": "LPAR", "[": "LPAR", "{": "LPAR", "\\{": "LPAR", "\\lbrace": "LPAR", "\\lbrack": "LPAR",
         "|": "ABS", "\\vert": "ABS", "\\lvert": "ABS"}
_CLOSE = {")": "RPAR", "]": "RPAR", "}": "RPAR", "\\}": "RPAR", "\\rbrace": "RPAR", "\\rbrack": "RPAR",
          "|": "ABS", "\\vert": "ABS", "\\rvert": "ABS"}
_FRACTIONS = {"frac", "dfrac", "tfrac", "cfrac"}
# Functions a document names in \text{…} with capitals (\text{Tanh}, \text{Softplus}, \text{ReLU}).
_TEXT_FUNCTIONS = {"tanh", "softplus", "relu", "sigmoid", "gelu", "silu", "elu", "exp", "log", "sin", "cos",
                   "softmax", "max", "min", "abs", "erf"}
_WORD_COMMANDS = {"mathrm", "text", "operatorname", "mathit", "textrm", "mathbf", "boldsymbol", "mathsf", "vec",
                  "mathcal", "mathbb", "mathscr", "mathfrak", "mathtt", "mathnormal", "bm", "pmb"}
# Accents on one letter (\hat{y}, ŷ, x̄, ẋ): the name y_hat, as code writes it, since a name is ASCII or
# Greek letters (gradcalc/names.py) and --y_hat is one spelling to type whichever way the notes wrote it.
_ACCENT_COMMANDS = {"hat": "hat", "widehat": "hat", "bar": "bar", "overline": "bar", "dot": "dot",
                    "ddot": "ddot", "tilde": "tilde", "widetilde": "tilde"}
# ½ is (1/2): a vulgar fraction is a number, in parentheses so ½x² stays (1/2)·x².
_VULGAR = {"½": ("1", "2"), "⅓": ("1", "3"), "⅔": ("2", "3"), "¼": ("1", "4"), "¾": ("3", "4"),
           "⅕": ("1", "5"), "⅙": ("1", "6"), "⅛": ("1", "8")}


def _letter(text: str) -> str | None:
    """`text` as a name if it is one ASCII or Greek letter (\\theta counts: θ), else None."""
    if text.startswith("\\"):
        text = GREEK.get(text[1:], "")
    return text if len(text) == 1 and (text.isascii() and text.isalpha() or "α" <= text.lower() <= "ω") else None


def _lex(text: str, token_re_source: str, ignore: frozenset) -> list[Tok]:
    """The grammar's tokens, with LaTeX commands, `$` and `ᵀ` as tokens of their own."""
    pattern = _compiled(token_re_source)
    tokens = []
    for match in pattern.finditer(text):
        kind = match.lastgroup
        if kind in ignore:
            continue
        tokens.append(Tok(kind, match.group(), *match.span()))
    return tokens


_PATTERNS: dict[str, re.Pattern] = {}


def _compiled(source: str) -> re.Pattern:
    pattern = _PATTERNS.get(source)
    if pattern is None:
        pattern = _PATTERNS[source] = re.compile(_LATEX + source)
    return pattern


def _latex_error(token: Tok, message: str, hint: str) -> GradcalcError:
    return GradcalcError(message, token.span(), hint=hint)


def _group_end(tokens: list[Tok], start: int) -> int:
    """The index just past the brace group or single token starting at `start`."""
    if start >= len(tokens):
        raise GradcalcError("a LaTeX command ends too early", (tokens[-1].end, tokens[-1].end + 1),
                            hint="give it its argument in braces, e.g. \\frac{1}{x}")
    if tokens[start].lastgroup not in ("LBRACE", "LSQB"):
        return start + 1
    opening, closing = ("LBRACE", "RBRACE") if tokens[start].lastgroup == "LBRACE" else ("LSQB", "RSQB")
    depth = 0
    for i in range(start, len(tokens)):
        kind = tokens[i].lastgroup
        depth += (kind == opening) - (kind == closing)
        if depth == 0:
            return i + 1
    raise GradcalcError("this brace is never closed", tokens[start].span(), hint="add the closing }")


# \le, \geq, \neq: the comparisons of a case's condition
_COMPARISONS = {"le": "<=", "leq": "<=", "leqslant": "<=", "ge": ">=", "geq": ">=", "geqslant": ">=",
                "lt": "<", "gt": ">", "ne": "!=", "neq": "!="}
# The words of a case's condition that are no part of it: \text{if } x > 0, \text{otherwise}
_CASE_WORDS = {"if", "for", "when", "otherwise", "else", "elsewhere"}


def _group_text(tokens: list[Tok], start: int) -> str:
    """The text inside the brace group at `start` ({cases} → cases)."""
    return "".join(t.text for t in tokens[start + 1:_group_end(tokens, start) - 1])


def _case_row(tokens: list[Tok]) -> tuple[list[Tok], list[Tok], bool]:
    """One row of a cases environment, `value & condition`: the value (its trailing comma dropped), the
    condition without its words (\\text{if }, otherwise) and whether it is the row for every other case."""
    amp = next((k for k, t in enumerate(tokens) if t.text == "&"), len(tokens))
    value, written = tokens[:amp], tokens[amp + 1:]
    while value and value[-1].text in (",", ".", ";"):
        value = value[:-1]
    condition, otherwise, k = [], False, 0
    while k < len(written):
        token = written[k]
        if token.lastgroup == "LATEX" and token.text[1:] in ("text", "mathrm", "textrm", "quad", "qquad") \
                and k + 1 < len(written) and written[k + 1].lastgroup == "LBRACE":
            end = _group_end(written, k + 1)
            words = re.findall(r"[A-Za-z]+", "".join(t.text for t in written[k + 2:end - 1]))
            if words and all(word.lower() in _CASE_WORDS for word in words):
                otherwise = otherwise or any(word.lower() in ("otherwise", "else", "elsewhere") for word in words)
                k = end
                continue
        if token.lastgroup == "NAME" and token.text.lower() in _CASE_WORDS and not condition:
            otherwise = otherwise or token.text.lower() in ("otherwise", "else", "elsewhere")
            k += 1
            continue
        condition.append(token)
        k += 1
    while condition and condition[-1].text in (",", ".", ";", "~"):
        condition = condition[:-1]
    return value, condition, otherwise or not condition


def _cases(tokens: list[Tok]) -> list[Tok]:
    """\\begin{cases} a & \\text{if } c \\\\ b & \\text{otherwise} \\end{cases} → where(c, (a), (b)): the
    value of the first row whose condition holds (the last row's for every other case), as the
    PyTorch docs define ELU, Hardtanh and SmoothL1Loss; the gradient flows into the branch taken."""
    out, i = [], 0
    while i < len(tokens):
        token = tokens[i]
        if token.text != "\\begin" or i + 1 >= len(tokens) or tokens[i + 1].lastgroup != "LBRACE" \
                or _group_text(tokens, i + 1) != "cases":
            out.append(token)
            i += 1
            continue
        start, depth, j = _group_end(tokens, i + 1), 0, _group_end(tokens, i + 1)
        while j < len(tokens):
            if tokens[j].text in ("\\begin", "\\end") and j + 1 < len(tokens) and tokens[j + 1].lastgroup == "LBRACE":
                if tokens[j].text == "\\end" and depth == 0:
                    break
                depth += 1 if tokens[j].text == "\\begin" else -1
            j += 1
        if j == len(tokens):
            raise _latex_error(token, "\\begin{cases} is never ended", hint="add \\end{cases} after its last row")
        rows, row = [], []
        for t in tokens[start:j] + [Tok("LATEX", "\\\\", tokens[j].start, tokens[j].start)]:
            if t.lastgroup == "LATEX" and t.text == "\\\\":
                if row:
                    rows.append(_case_row(row))
                row = []
            elif t.lastgroup != "_SEP":
                row.append(t)
        if len(rows) < 2 or any(not value for value, _, _ in rows):
            raise _latex_error(token, "a cases environment needs two rows or more, each a value & its condition",
                               hint="write value & \\text{if } condition \\\\ value & \\text{otherwise}")
        at = token.start
        while out and out[-1].lastgroup == "_SEP" and len(out) > 1 and out[-2].lastgroup in ("EQUAL", "_SEP"):
            out.pop()       # f(x) =⏎ \begin{cases}: the line goes on in the cases
        for value, condition, _ in rows[:-1]:
            if not condition:
                raise _latex_error(token, "only the last row of a cases environment may go without a condition",
                                   hint="write each row as value & \\text{if } condition")
            out += [_empty("NAME", "where", at), _empty("LPAR", "(", at), *_chained(condition), _empty("COMMA", ",", at),
                    _empty("LPAR", "(", at), *value, _empty("RPAR", ")", at), _empty("COMMA", ",", at)]
        last, _, otherwise = rows[-1]
        if otherwise:
            out += [_empty("LPAR", "(", at), *last, _empty("RPAR", ")", at)]
        else:    # every row has a condition: where none holds the formula is undefined (refused when it runs)
            out += [Tok("NAME", "gradcalc.some_case", token.start, tokens[j].end), _empty("LPAR", "(", at),
                    *last, _empty("COMMA", ",", at)]
            for k, (_, held, _) in enumerate(rows):
                out += ([_empty("ADD_OP", "+", at)] if k else []) + [_empty("LPAR", "(", at), *_chained(held),
                                                                     _empty("RPAR", ")", at)]
            out.append(_empty("RPAR", ")", tokens[_group_end(tokens, j + 1) - 1].end))    # its caret: the whole cases
        out += [_empty("RPAR", ")", tokens[j].start)] * (len(rows) - 1)
        i = _group_end(tokens, j + 1)
    return out


def _chained(condition: list[Tok]) -> list[Tok]:
    """-1 < x < 1, 0 \\le x \\le 6: a chain of comparisons is each pair compared, all of them holding:
    (-1 < x)*(x < 1), the comparisons being 1 or 0."""
    cuts, depth = [], 0
    for k, t in enumerate(condition):
        depth += (t.lastgroup in _OPEN_KINDS) - (t.lastgroup in _CLOSE_KINDS)
        if depth == 0 and (t.lastgroup == "COMPARE_OP" or t.lastgroup == "LATEX" and t.text[1:] in _COMPARISONS):
            cuts.append(k)
    if len(cuts) < 2:
        return condition
    bounds = [0, *cuts, len(condition)]
    out: list[Tok] = []
    for n, cut in enumerate(cuts):      # (a op b), the operands between the comparisons read twice
        if n:
            out.append(_empty("MUL_OP", "*", condition[cut].start))
        at = condition[bounds[n] + (1 if n else 0)].start
        out += [_empty("LPAR", "(", at), *condition[bounds[n] + (1 if n else 0):bounds[n + 2]],
                _empty("RPAR", ")", condition[bounds[n + 2] - 1].end)]
    return out


_SIZING = {"\\left", "\\right", "\\big", "\\Big", "\\bigg", "\\Bigg", "\\bigl", "\\bigr", "\\Bigl", "\\Bigr",
           "\\biggl", "\\biggr"}
_OPEN_KINDS, _CLOSE_KINDS = {"LPAR", "LSQB", "LBRACE"}, {"RPAR", "RSQB", "RBRACE"}


def _sum_bounds(tokens: list[Tok], i: int, excluded: list | None = None,
                bound: list | None = None) -> tuple[str | None, int]:
    """The index of \\sum_{i=1}^{n} (or \\sum_i, \\sum_{i}) starting at tokens[i] (just past \\sum), and
    where its summand starts; a lower bound other than 1 (or 0 to n − 1) is refused. \\sum_{j \\neq y}
    puts y's token in `excluded`; `bound` gets the lower bound and the upper bound's tokens."""
    excluded = [] if excluded is None else excluded
    index, lower = None, None
    if i < len(tokens) and tokens[i].lastgroup == "NAME" and tokens[i].text.startswith("_"):
        if tokens[i].text != "_":
            index, i = tokens[i].text[1:], i + 1
        elif i + 1 < len(tokens) and tokens[i + 1].lastgroup == "LBRACE":
            end = _group_end(tokens, i + 1)
            inner = tokens[i + 2:end - 1]
            index = inner[0].text if inner and inner[0].lastgroup == "NAME" else None
            if len(inner) == 3 and inner[1].text in ("\\neq", "\\ne", "≠") and inner[2].lastgroup == "NAME":
                excluded[:] = [inner[2]]       # \sum_{j \neq y_i}: every j but y_i
            elif len(inner) > 1:
                lower = "".join(t.text for t in inner[2:]) if inner[1].lastgroup == "EQUAL" else "?"
            i = end
    upper = None
    if i < len(tokens) and tokens[i].lastgroup == "POW_OP":
        end = _group_end(tokens, i + 1)
        upper = "".join(t.text for t in tokens[i + 1:end]).strip("{}")
        if bound is not None:
            braced = tokens[i + 1].lastgroup == "LBRACE"
            bound[:] = [lower, tokens[i + 1 + braced:end - braced]]
        i = end
    if lower not in (None, "1") and not (lower == "0" and upper and upper.endswith("-1")):
        return "", i
    return index, i


def _summand_end(tokens: list[Tok], start: int) -> int:
    """Where the summand after \\sum's bounds ends: where its term does (_term_bounds), its first token
    a sign or not."""
    return _term_bounds(tokens, start, 1, signed=True)


def _elementwise_products(body: list[Tok]) -> list[Tok]:
    """In a summand, elements side by side multiply (y_n \\log \\hat y_n): over the arrays, elementwise."""
    out: list[Tok] = []
    for token in body:
        starts = token.lastgroup in ("NAME", "NUMBER") or (token.lastgroup == "LATEX" and token.text not in _SIZING
                                                          and token.text[1:] not in _OPERATOR_COMMANDS
                                                          and token.text[1:] not in _SPACING
                                                          and token.text not in _BARS)
        transposed = len(out) > 1 and out[-2].lastgroup == "POW_OP" and out[-1].text in ("T", "\\top")
        if out and starts and not transposed and (out[-1].lastgroup in ("NAME", "NUMBER", "RPAR", "RSQB") or
                                                  out[-1].lastgroup == "RBRACE" and len(out) > 1):
            out.append(_empty("MUL_OP", "*", token.start))     # (w^T x_i: the transpose's product, matmul)
        out.append(token)
    return out


def _count_tokens(bound: list) -> list[Tok] | None:
    """How many terms a sum's written upper bound says, as tokens: (n) from 1, ((n - 1) + 1) from 0."""
    if not bound or not bound[1]:
        return None
    lower, upper = bound
    a, b = upper[0].start, upper[-1].end
    count = [_empty("LPAR", "(", a), *upper, _empty("RPAR", ")", b)]
    if lower == "0":
        count = [_empty("LPAR", "(", a), *count, _empty("ADD_OP", "+", b), _empty("NUMBER", "1", b), _empty("RPAR", ")", b)]
    return count


def _length_name(bound: list, names, assigned) -> str | None:
    """The name a sum's upper bound is, n (from 1) or n - 1 (from 0), where it has no value: the
    number of terms, the length of the arrays summed."""
    lower, upper = bound if bound else (None, [])
    texts = [t.text for t in upper]
    if upper and upper[0].lastgroup == "NAME" and (len(upper) == 1 and lower in (None, "1") or
                                                   lower == "0" and texts[1:] == ["-", "1"]):
        name = upper[0].text
        return name if name not in names and name not in assigned else None
    return None


def _counted(op: str, body: list[Tok], count: list[Tok] | None) -> list[Tok]:
    """gradcalc.terms(body, count): the summand's first `count` terms, checked when the graph runs; the
    call spans the bound, where a refusal's caret goes."""
    if count is None:
        return body
    a, b = count[0].start, count[-1].end
    return [Tok("NAME", "gradcalc." + op, a, b), _empty("LPAR", "(", a), *body, _empty("COMMA", ",", b), *count,
            _empty("RPAR", ")", b)]


def _lengths(tokens: list[Tok], lengths: dict, notes: list[str] | None) -> list[Tok]:
    """Each bound name without a value (\\frac{1}{N}\\sum_{i=1}^{N}) as the length of the array summed."""
    out: list[Tok] = []
    for t in tokens:
        stem = lengths.get(t.text) if t.lastgroup == "NAME" else None
        if stem is None:
            out.append(t)
            continue
        if notes is not None:
            notes.append(f"{t.text}, a sum's upper bound, has no value: it is read as the number of terms, "
                         f"len({stem}), the length of {stem} (give --{t.text} to take the first {t.text} terms only)")
        out += [_empty("LPAR", "(", t.start), Tok("NAME", "len", t.start, t.end), _empty("LPAR", "(", t.start),
                Tok("NAME", stem, t.start, t.end), _empty("RPAR", ")", t.end), _empty("RPAR", ")", t.end)]
    return out


def _sums(tokens: list[Tok], names, top: bool = True, notes: list[str] | None = None,
          lengths: dict | None = None) -> list[Tok]:
    """\\sum_{i=1}^{n} x_i^2 → sum(terms(x**2, n)), \\prod likewise: the summand read over the arrays whose
    elements it names (x_i, x_{i}, \\hat{y}_i, \\hat y_i are the elements of x and y_hat, given as arrays),
    its first n terms (n checked against their length when the graph runs; a bound name without a value
    is their length, in `lengths`); the summand ends where its term does (\\frac{1}{n}\\sum_i (y_i - t_i)^2
    + c sums the square alone)."""
    if not any(t.text in ("\\sum", "\\prod", "\\max", "\\min") for t in tokens):
        return tokens
    lengths = {} if lengths is None else lengths
    assigned = {t.text for t, after in zip(tokens, tokens[1:]) if t.lastgroup == "NAME" and after.lastgroup == "EQUAL"}
    out, i = [], 0
    while i < len(tokens):
        token = tokens[i]
        if token.text not in ("\\sum", "\\prod") and not (
                token.text in ("\\max", "\\min") and i + 1 < len(tokens) and tokens[i + 1].text.startswith("_")):
            out.append(token)       # \\max_j s_j (the largest over j) is read as \\sum_j is; \\max(a, b) is not
            i += 1
            continue
        expanded = _expanded_sum(tokens, i, names, notes)
        if expanded is not None:        # \sum_{k=1}^{3} k x^k: the terms written out
            terms, i = expanded
            if out and (out[-1].lastgroup in ("NAME", "NUMBER", "RPAR", "RSQB")):
                out.append(_empty("MUL_OP", "*", token.start))
            out += terms
            continue
        excluded: list[Tok] = []
        bound: list = []
        index, start = _sum_bounds(tokens, i + 1, excluded, bound)
        word = token.text[1:]
        if index and not excluded and start < len(tokens) and tokens[start].text == token.text:
            inner_bound: list = []
            inner_index, inner_start = _sum_bounds(tokens, start + 1, excluded, inner_bound)
            if inner_index and not excluded:      # \sum_k \sum_l W_{k,l}^2: every element of the matrix W
                end = _summand_end(tokens, inner_start)
                body = _double_indexed(tokens[inner_start:end], index, inner_index, names, token)
                if out and (out[-1].lastgroup in ("NAME", "NUMBER", "RPAR", "RSQB")):
                    out.append(_empty("MUL_OP", "*", token.start))
                out += [Tok("NAME", word, token.start, tokens[start].end), _empty("LPAR", "(", tokens[inner_start].start)]
                rows, columns = ((None if _length_name(b, names, assigned) not in (None, *lengths) else _count_tokens(b))
                                 for b in (bound, inner_bound))
                out += _counted("terms_columns", _counted("terms", _elementwise_products(body), rows), columns)
                out.append(_empty("RPAR", ")", tokens[end - 1].end))
                i = end
                continue
            excluded = []
        if index == "":
            raise _latex_error(token, f"\\{word} from another lower bound than 1 is not read",
                               hint=f"write it over the whole array, \\{word}_{{i=1}}^{{n}}, or over a slice: "
                                    f"{word}(x[1:]) for i from 2")
        if index is None:
            raise _latex_error(token, f"\\{word} without its index is not read",
                               hint=f"write its index, \\{word}_{{i=1}}^{{n}} x_i, or {word}(x) over the array x")
        end = _summand_end(tokens, start)
        if end == start:
            raise _latex_error(token, f"\\{word} with nothing after it", hint=f"write what it adds up: \\{word}_i x_i")
        first_end = end
        while word == "sum" and end < len(tokens) and tokens[end].lastgroup == "ADD_OP":
            # \sum_j y_j \log p_j + (1 - y_j) \log(1 - p_j) (CS231n, CS229): a term after + that uses j
            # outside a sum of its own is in the sum, where j has a value; outside it j has none
            term_end = _term_bounds(tokens, end, 1, signed=True)
            if not _uses_index(tokens[end + 1:term_end], index, names):
                break
            end = term_end
        if end != first_end and notes is not None:
            notes.append(f"\\sum_{index} is read over every term after it that uses {index} (up to the first that does "
                         f"not): outside the sum {index} has no value; for the sum of the first term alone, put it "
                         f"in parentheses: (\\sum_{index} …) + …")
        body, k, elements, stems = [], start, set(), []      # elements: the summand's x_i, each read as x
        while k < end:
            t = tokens[k]
            if t.lastgroup == "NAME" and t.text.endswith("_" + index) and len(t.text) > len(index) + 1:
                stem = t.text[:-len(index) - 1]
                body.append(Tok("NAME", stem, t.start, t.end))
            elif t.lastgroup == "NAME" and t.text.endswith("_") and k + 3 < end + 1 and \
                    tokens[k + 1].lastgroup == "LBRACE" and tokens[k + 2].text == index and \
                    tokens[k + 3].lastgroup == "RBRACE":
                stem = t.text[:-1]
                body.append(Tok("NAME", stem, t.start, tokens[k + 3].end))
                k += 3
            elif t.lastgroup == "NAME" and k + 3 < end and tokens[k + 1].lastgroup == "LPAR" and \
                    tokens[k + 2].text == index and tokens[k + 3].lastgroup == "RPAR" and \
                    (t.text in names or t.text not in APPLIED and t.text not in _FUNCTION_COMMANDS):
                # \sum_x p(x) \log q(x) (CS231n's cross-entropy), \sum_j P(j): p at the index, an element
                stem = t.text
                body.append(Tok("NAME", stem, t.start, tokens[k + 3].end))
                k += 3
            elif t.lastgroup == "NAME" and t.text == "_" + index and body and body[-1].lastgroup in ("RBRACE", "RPAR"):
                # \\hat{y}_i: the accent's letter names the array (y_hat, given as one); (y_i)_j, (Wx)_j:
                # the element j of what the parentheses compute, which the summand reads over the arrays
                if len(body) > 3 and body[-4].lastgroup == "LATEX" and body[-4].text[1:] in _WORD_COMMANDS and \
                        _example_row(body[-2].text, names):
                    body[-4:] = [_Row(body[-2].text, body[-4].start, t.end)]       # \\mathbf{x}^{(i)}, X given
                    elements.add(id(body[-1]))
                k += 1
                continue
            else:
                body.append(t)
                k += 1
                continue
            if _example_row(stem, names):          # x_i, the i-th example: a row of the data matrix X
                body[-1] = _Row(stem, body[-1].start, body[-1].end)
                stem = body[-1].text
            elements.add(id(body[-1]) if body and body[-1].text == stem else None)
            stems += [stem] if stem in names else []
            if stem not in names and not stem.startswith("\\"):
                written = f"{stem}({index})" if t.text == stem else t.text if "{" not in t.text else f"{stem}_{index}"
                raise _latex_error(t, f"{written} is an element of {stem}, "
                                      f"which has no value", hint=f"give {stem} as an array: --{stem} \"[…]\"")
            k += 1
        if out and (out[-1].lastgroup in ("NAME", "NUMBER", "RPAR", "RSQB")):
            out.append(_empty("MUL_OP", "*", token.start))     # 2\\sum …, x \\sum …: a product
        out += [Tok("NAME", word, token.start, token.end), _empty("LPAR", "(", tokens[start].start if start < len(tokens)
                                                                  else token.end)]
        summand = _elementwise_products(_sums(body, names, False, notes, lengths))     # a sum inside the summand too
        count, length = _count_tokens(bound), _length_name(bound, names, assigned)
        if not any(t.text == index or t.text.endswith("_" + index) for t in tokens[start:end]):
            if count is None:        # \sum_i c: c once per term, and how many is not written
                raise _latex_error(token, f"\\{word} of a summand without its index {index}, and without an "
                                          f"upper bound: how many terms is not written",
                                   hint=f"write the bounds, \\{word}_{{{index}=1}}^{{n}}, or the elements it adds, "
                                        f"x_{index}")
            out += _counted("repeated", summand, count)
        else:
            if length is not None and length not in lengths and stems:
                lengths[length] = stems[0]     # \frac{1}{N}\sum_{i=1}^{N} y_i: N is y's length
            if length is not None and (length not in lengths or lengths[length] in stems):
                count = None     # the bound is these arrays' length: nothing to check
            out += _counted("terms", summand, count)
        out.append(_empty("RPAR", ")", tokens[end - 1].end))
        if excluded and count is not None and length is None:
            raise _latex_error(token, f"\\{word} over every index but {excluded[0].text}, up to a bound, is not read",
                               hint=f"write it over the whole arrays, \\{word}_{{{index} \\neq {excluded[0].text}}}")
        if excluded:
            # \sum_{j≠y} f(s_j) = \sum_j f(s_j) − f(s_y): the term at y, each array's element y taken
            if word != "sum" or excluded[0].text not in names:
                raise _latex_error(token, f"\\{word} over every index but {excluded[0].text} is read for a sum "
                                          f"where {excluded[0].text} has a value",
                                   hint=f"give --{excluded[0].text} VALUE (an index, from 0)")
            at = excluded[0]
            if notes is not None:
                notes.append(f"\\{word}_{{{index} \\neq {at.text}}} is read as the sum over every {index}, less the "
                             f"term at {index} = {at.text} (each array's element {at.text}, counted from 0)")
            out += [_empty("ADD_OP", "-", tokens[end - 1].end), _empty("LPAR", "(", tokens[end - 1].end)]
            for t in summand:
                out.append(t)
                if id(t) in elements:
                    out += [_empty("LSQB", "[", t.end), Tok("NAME", at.text, t.end, t.end), _empty("RSQB", "]", t.end)]
            out.append(_empty("RPAR", ")", tokens[end - 1].end))
        i = end
    return _free_indices(_lengths(out, lengths, notes) if lengths else out, names, notes) if top else out


_MOST_TERMS = 10_000


def _numeric_bounds(tokens: list[Tok], i: int) -> tuple[str, int, int, int] | None:
    """\\sum_{k=1}^{3}, \\prod_{i=0}^{4} starting at tokens[i] (just past \\sum): (the index, the lower and
    upper bounds, where the summand starts) where both bounds are whole numbers written, else None."""
    texts = [t.text for t in tokens[i:i + 9]]
    if len(texts) < 9 or texts[0] != "_" or texts[1] != "{" or texts[3] != "=" or texts[6] != "^":
        return None
    if tokens[i + 2].lastgroup != "NAME" or not re.fullmatch(r"[^\W\d_]", texts[2]):
        return None
    lower = texts[4] if texts[5] == "}" else None
    if texts[4] in ("-", "−") and texts[6 - 1] != "}":
        return None
    upper, end = (texts[8], i + 10) if texts[7] == "{" and i + 9 < len(tokens) and tokens[i + 9].text == "}" \
        else (texts[7], i + 8) if tokens[i + 7].lastgroup == "NUMBER" else (None, i)
    if lower is None or upper is None or not lower.isdigit() or not upper.isdigit():
        return None
    return texts[2], int(lower), int(upper), end


def _expanded_sum(tokens: list[Tok], i: int, names, notes) -> tuple[list[Tok], int] | None:
    """\\sum_{k=1}^{3} k x^k, \\prod_{i=2}^{4} x_i: a sum over bounds written as numbers, its terms written
    out: the index a number in each (k x^k → 1x^1 + 2x^2 + 3x^3), x_i the element of the array x (x[i−1]
    counted from 1, x[i] where the sum starts at 0), as the bounds say, never the whole array."""
    bounds = _numeric_bounds(tokens, i + 1) if tokens[i].text in ("\\sum", "\\prod") else None
    if bounds is None:
        return None
    index, lower, upper, start = bounds
    word, token = tokens[i].text[1:], tokens[i]
    end = _summand_end(tokens, start)
    while word == "sum" and end < len(tokens) and tokens[end].lastgroup == "ADD_OP":
        term_end = _term_bounds(tokens, end, 1, signed=True)
        if not _uses_index(tokens[end + 1:term_end], index, names):
            break
        end = term_end
    body = tokens[start:end]
    if not body or any(t.text in ("\\sum", "\\prod") for t in body):
        return None
    if upper < lower:
        raise _latex_error(token, f"\\{word} from {lower} to {upper} has no terms",
                           hint=f"write its bounds low to high, \\{word}_{{{index}={upper}}}^{{{lower}}}")
    if (upper - lower + 1) * len(body) > _MOST_TERMS * 10 or upper - lower + 1 > _MOST_TERMS:
        raise _latex_error(token, f"\\{word} from {lower} to {upper} has more terms than gradcalc writes out "
                                  f"({_MOST_TERMS})", hint=f"write it over an array: {word}(x) for \\{word}_i x_i")
    base = 0 if lower == 0 else 1
    at, close = token.start, tokens[end - 1].end
    out = [_empty("LPAR", "(", at)]
    for value in range(lower, upper + 1):
        if value > lower:
            out.append(_empty("ADD_OP" if word == "sum" else "MUL_OP", "+" if word == "sum" else "*", at))
        out.append(_empty("LPAR", "(", at))
        k = 0
        while k < len(body):
            t = body[k]
            stem = t.text[:-len(index) - 1] if t.lastgroup == "NAME" and t.text.endswith("_" + index) else None
            if t.lastgroup == "NAME" and t.text.endswith("_") and k + 3 < len(body) + 1 and \
                    [b.text for b in body[k + 1:k + 4]] == ["{", index, "}"]:
                stem, k = t.text[:-1], k + 3
            if t.lastgroup == "NAME" and t.text == index:
                out += [_empty("LPAR", "(", t.start), Tok("NUMBER", str(value), t.start, t.end), _empty("RPAR", ")", t.end)]
            elif stem and stem in names:
                out += [Tok("NAME", stem, t.start, t.end), _empty("LSQB", "[", t.end),
                        _empty("NUMBER", str(value - base), t.end), _empty("RSQB", "]", t.end)]
            elif stem:
                out.append(Tok("NAME", f"{stem}_{value}", t.start, t.end))
            elif _uses_index(body[k:k + 1] + body[k + 1:_group_end(body, k + 1)] if t.text.endswith("_") and
                             k + 1 < len(body) and body[k + 1].lastgroup == "LBRACE" else [], index):
                raise _latex_error(t, f"{t.text}{{…}} with {index} and more in its subscript is not read in a "
                                      f"\\{word} written out", hint="write its elements by name, or over an array")
            else:
                out.append(t)
            k += 1
        out.append(_empty("RPAR", ")", close))
    out.append(_empty("RPAR", ")", close))
    if notes is not None:
        arrays = sorted({t.text[:-len(index) - 1] for t in body if t.lastgroup == "NAME"
                         and t.text.endswith("_" + index) and t.text[:-len(index) - 1] in names})
        counted = f"; {', '.join(arrays)}_{index} is element {index}{f' − {base}' if base else ''} of the array " \
            f"(counted from 0)" \
            if arrays else ""
        notes.append(f"\\{word}_{{{index}={lower}}}^{{{upper}}} is written out, {index} = {lower} to {upper}{counted}")
    return out, end


class _Row(Tok):
    """x_i with x given no value and X a matrix: the i-th example, row i of X (d2l's and CS229's data
    matrix). Read in a sum over i only as w^T x_i or x_i^T w (the vector X w over i): _rows checks."""

    __slots__ = ("letter",)

    def __init__(self, letter: str, start: int, end: int):
        super().__init__("NAME", letter.upper(), start, end)
        self.letter = letter


def _example_row(stem: str, names) -> bool:
    return len(stem) == 1 and stem.islower() and stem not in names and stem.upper() in names


def _rows(tokens: list[Tok], notes: list[str]) -> list[Tok]:
    """w^T x_i summed over i, x_i a row of X: w.T X.T, the vector X w over the examples; x_i^T w likewise.
    Any other use of the row (‖x_i‖, x_i − μ) is refused: the arrays over i would be X's columns."""
    out: list[Tok] = []
    k = 0
    while k < len(tokens):
        t = tokens[k]
        if not isinstance(t, _Row):
            out.append(t)
            k += 1
            continue
        after = tokens[k + 1] if k + 1 < len(tokens) else None
        if len(out) > 1 and out[-1].lastgroup == "ATTRIBUTE" and out[-1].text == ".T" and out[-2].lastgroup == "NAME":
            out += [Tok("NAME", t.text, t.start, t.end), _empty("ATTRIBUTE", ".T", t.end)]      # w^T x_i
            k += 1
        elif after is not None and after.lastgroup == "ATTRIBUTE" and after.text == ".T" and k + 2 < len(tokens) \
                and tokens[k + 2].lastgroup == "NAME":
            out.append(Tok("NAME", t.text, t.start, after.end))        # x_i^T w: X w
            k += 2
        else:
            raise GradcalcError(f"{t.letter}_i, the i-th example, is row i of {t.text}: gradcalc reads it in "
                                f"w^T {t.letter}_i (or {t.letter}_i^T w) summed over i", t.span(),
                                hint=f"write the sum with {t.text} itself (\\|{t.text} w - y\\|^2 for "
                                     f"\\sum_i (w^T {t.letter}_i - y_i)^2), or give {t.letter} a value")
        notes.append(f"{t.letter}_i is read as row i of {t.text} (the i-th example), so w^T {t.letter}_i over i is "
                     f"{t.text} w")
    return out


def _uses_index(term: list[Tok], index: str, names=()) -> bool:
    """Whether a term names something at the index (f_j, y_{ij}, (y_i)_j, p(j)) outside a sum of its own;
    a name given a value of its own (c_j, a number) is no element."""
    if any(t.text in ("\\sum", "\\prod") for t in term):
        return False
    for k, t in enumerate(term):
        if t.lastgroup != "NAME" or t.text in names:
            continue
        if t.text.endswith("_" + index) and len(t.text) > len(index) + 1 or t.text == "_" + index:
            return True
        if t.text.endswith("_") and k + 2 < len(term) and term[k + 1].lastgroup == "LBRACE" and \
                any(u.lastgroup == "NAME" and index in re.findall(r"[a-z]", u.text)
                    for u in term[k + 2:_group_end(term, k + 1) - 1]):
            return True
    return False


def _double_indexed(body: list[Tok], first: str, second: str, names, at: Tok) -> list[Tok]:
    """The summand of \\sum_k \\sum_l with each W_{k,l} (or W_{kl}) as the matrix W; a name with one of the
    two indices alone (a_k b_l, an outer product) is refused."""
    out, k = [], 0
    while k < len(body):
        t = body[k]
        texts = [b.text for b in body[k + 1:k + 6]]
        if t.lastgroup == "NAME" and t.text.endswith("_") and texts[:5] == ["{", first, ",", second, "}"]:
            stem, k = t.text[:-1], k + 6
        elif t.lastgroup == "NAME" and t.text.endswith("_") and texts[:3] == ["{", first + second, "}"]:
            stem, k = t.text[:-1], k + 4
        elif t.lastgroup == "NAME" and re.search(rf"_(?:{re.escape(first)}|{re.escape(second)})$", t.text):
            raise _latex_error(t, f"{t.text} has one of the double sum's two indices: \\sum_{first}\\sum_{second} "
                                  f"of it is not read", hint=f"write its sums one at a time, or over a matrix's "
                                                             f"elements {t.text[:-2]}_{{{first},{second}}}")
        else:
            out.append(t)
            k += 1
            continue
        if stem not in names:
            raise _latex_error(t, f"{stem}_{{{first},{second}}} is an element of the matrix {stem}, which has no value",
                               hint=f"give {stem} as a matrix: --{stem} \"[[…], […]]\"")
        out.append(Tok("NAME", stem, t.start, body[k - 1].end))
    if not out:
        raise _latex_error(at, "\\sum with nothing after it", hint="write what it adds up: \\sum_k \\sum_l W_{k,l}")
    return out


def _label_indices(tokens: list[Tok], names, notes: list[str]) -> list[Tok]:
    """f_{y_i}, s_{y_i} (CS231n: the score of the correct class y_i): an index that is a variable given a
    value is the element of the array at that index, f[y_i], where f is given and f_y_i is not."""
    def rewrite(_k: int, window: list[Tok]) -> list[Tok] | None:
        t, brace, index, end = window
        if not (t.lastgroup == "NAME" and t.text.endswith("_") and brace.lastgroup == "LBRACE"
                and index.lastgroup == "NAME" and end.lastgroup == "RBRACE" and t.text[:-1] in names
                and index.text in names and t.text + index.text not in names):
            return None
        stem = t.text[:-1]
        notes.append(f"{stem}_{{{index.text}}} is read as {stem}[{index.text}]: the element of {stem} at the "
                     f"index {index.text} (counted from 0), as the label of a class is")
        return [Tok("NAME", stem, t.start, t.end), Tok("LSQB", "[", brace.start, brace.end),
                index, Tok("RSQB", "]", end.start, end.end)]

    return _rewrite_windows(tokens, 4, rewrite)


def _rewrite_windows(tokens: list[Tok], width: int, rewrite) -> list[Tok]:
    """Slide a window of `width` tokens along `tokens`: where `rewrite(k, window)` (the window starting
    at token k) gives tokens, they stand for the whole window and the slide goes on after it; where
    it gives None, token k stays as it is. A pass over the tokens, never recursive."""
    out: list[Tok] = []
    k = 0
    while k < len(tokens):
        window = tokens[k:k + width]
        found = rewrite(k, window) if len(window) == width else None
        if found is None:
            out.append(tokens[k])
            k += 1
        else:
            out += found
            k += width
    return out


def _examples(tokens: list[Tok], names) -> list[Tok]:
    """x^{(i)}, the i-th example's x (machine-learning notes: Ng's, CS229's, d2l's), is x_i: an element
    of x in a sum over i; outside one, x itself where x has a value (the example at hand, or every one at
    once), and in a formula's head, l^{(i)}(w, b) = …, the formula's name. Not where i has a value (then
    it is a power, x^i); \\hat{y}^{(i)} is \\hat{y}_i likewise."""
    if not any(t.lastgroup == "POW_OP" for t in tokens):
        return tokens
    summed = any(t.text in ("\\sum", "\\prod") for t in tokens)

    def rewrite(k: int, window: list[Tok]) -> list[Tok] | None:
        t = window[0]
        if not (t.lastgroup in ("NAME", "RBRACE") and [w.lastgroup for w in window[1:]] ==
                ["POW_OP", "LBRACE", "LPAR", "NAME", "RPAR", "RBRACE"] and window[1].text == "^" and
                re.fullmatch(r"[a-z]", window[4].text) and window[4].text not in names and "_" not in t.text):
            return None
        index, end = window[4].text, window[6].end
        after = tokens[k + 7].lastgroup if k + 7 < len(tokens) else None
        if t.lastgroup == "RBRACE":          # \hat{y}^{(i)}: \hat{y}_i in a sum, \hat{y} outside one
            return [t, Tok("NAME", f"_{index}", window[1].start, end)] if summed else [t]
        if (k == 0 or tokens[k - 1].lastgroup == "_SEP") and after in ("LPAR", "EQUAL"):
            return [Tok("NAME", t.text, t.start, end)]      # l^{(i)}(w, b) = …: the formula's name
        if summed:
            return [Tok("NAME", f"{t.text}_{index}", t.start, end)]
        if t.text in names:
            return [Tok("NAME", t.text, t.start, end)]
        raise GradcalcError(f"{t.text}^{{({index})}} is the {index}-th example's {t.text} in machine-learning "
                            f"notes, read inside a sum over {index}, or as {t.text} given a value",
                            (t.start, end),
                            hint=f"give {t.text} (an array for every example: --{t.text} \"[…]\"), or write the "
                                 f"sum, \\sum_{{{index}=1}}^{{m}} …; for the power {t.text}^{index}, give --{index}")

    return _rewrite_windows(tokens, 7, rewrite)


def _free_indices(tokens: list[Tok], names, notes: list[str] | None = None) -> list[Tok]:
    """Beside a sum, an index left free names every element at once: softmax's e^{z_i} over
    \\sum_{j=1}^K e^{z_j} is exp(z)/sum(exp(z)) with z given as an array, and the head σ(z)_i = … is
    σ(z) = …. Only where z is given and z_i is not. An index that has a value (the label y of the
    cross-entropy's z_y) picks that element: z[y]."""
    out: list[Tok] = []
    k = 0
    while k < len(tokens):
        t = tokens[k]
        picked = _picked_element(tokens, k, names)
        if picked is not None:
            stem, index, end = picked
            out += [Tok("NAME", stem, t.start, t.end), _empty("LSQB", "[", t.end), Tok("NAME", index, t.end, t.end),
                    _empty("RSQB", "]", t.end)]
            if notes is not None and f"{stem}[{index}]" not in " ".join(notes):
                notes.append(f"{stem}_{index} is read as {stem}[{index}], the element of {stem} at the index {index} "
                             f"(counted from 0)")
            k = end
            continue
        if t.lastgroup == "NAME" and re.fullmatch(r"_[a-z]", t.text) and out and out[-1].lastgroup == "RPAR" \
                and k + 1 < len(tokens) and tokens[k + 1].lastgroup == "EQUAL":
            k += 1          # σ(z)_i = …: the head of every element at once
            continue
        parts = re.fullmatch(r"(.+)_([a-z])", t.text) if t.lastgroup == "NAME" else None
        if parts and parts.group(1) in names and t.text not in names:
            out.append(Tok("NAME", parts.group(1), t.start, t.end))
        elif t.lastgroup == "NAME" and t.text.endswith("_") and t.text[:-1] in names and k + 3 < len(tokens) and \
                tokens[k + 1].lastgroup == "LBRACE" and re.fullmatch(r"[a-z]", tokens[k + 2].text) and \
                tokens[k + 3].lastgroup == "RBRACE" and t.text[:-1] + "_" + tokens[k + 2].text not in names:
            out.append(Tok("NAME", t.text[:-1], t.start, tokens[k + 3].end))
            k += 4
            continue
        else:
            out.append(t)
        k += 1
    return out


def _picked_element(tokens: list[Tok], k: int, names) -> tuple[str, str, int] | None:
    """z_y or z_{y} at tokens[k] where z and y have values and z_y has none: (z, y, the index past it)."""
    t = tokens[k]
    if t.lastgroup != "NAME":
        return None
    parts = re.fullmatch(r"(.+)_([A-Za-z]\w*)", t.text)
    if parts and parts.group(1) in names and parts.group(2) in names and t.text not in names:
        return parts.group(1), parts.group(2), k + 1
    if t.text.endswith("_") and t.text[:-1] in names and k + 3 < len(tokens) and tokens[k + 1].lastgroup == "LBRACE" \
            and tokens[k + 2].lastgroup == "NAME" and tokens[k + 2].text in names and tokens[k + 3].lastgroup == "RBRACE" \
            and t.text[:-1] + "_" + tokens[k + 2].text not in names:
        return t.text[:-1], tokens[k + 2].text, k + 4
    return None


def _latex(tokens: list[Tok]) -> list[Tok]:
    """LaTeX commands → the grammar's tokens, iteratively (a stack of what each open command still
    needs to emit when its group closes)."""
    tokens = _cases(tokens)
    # `loss = …`: Markdown's code quotes, copied with a formula from a docs page (a stray one too, as
    # Keras' LogCosh page has): no formula gives a backquote a meaning
    tokens = [token for token in tokens if token.text != "`"]
    dollars = sum(token.lastgroup == "DOLLAR" for token in tokens)
    if dollars % 2:          # $…$ delimit in pairs; a lone $ is a character gradcalc does not read
        tokens = [Tok("unmatched", "$", t.start, t.end) if t.lastgroup == "DOLLAR" else t for t in tokens]
    out: list[Tok] = []
    after: dict[int, list[Tok]] = {}          # token index → tokens to emit after it
    before: dict[int, list[Tok]] = {}         # token index → tokens to emit before it
    skip: set[int] = set()
    norm_open = False          # \| x \| (and ‖x‖): the first opens norm(, the next closes it
    environments = 0           # inside \begin{align} … \end{align}: & is alignment, \\ a new line
    i = 0
    while i < len(tokens):
        for extra in before.pop(i, ()):
            out.append(extra)
        token = tokens[i]
        kind, text = token.lastgroup, token.text
        if i in skip:
            pass
        elif kind == "DOLLAR":
            pass
        elif kind == "TRANSPOSE":
            out.append(Tok("ATTRIBUTE", ".T", token.start, token.end))
        elif text in ("\\|", "‖", "\\lVert", "\\rVert", "\\Vert"):
            opens = text == "\\lVert" or (text != "\\rVert" and not norm_open)
            if opens:
                norm_at = len(out)
                out += [_empty("NAME", "norm", token.start), Tok("LPAR", "(", token.start, token.end)]
            else:
                out.append(Tok("RPAR", ")", token.start, token.end))
                order, end = _norm_order(tokens, i + 1)
                power: list[Tok] = []
                if order is None and i + 2 < len(tokens) and tokens[i + 1].text == "^":
                    # \|w\|^2_2, \|W\|^2_F: the power written before the subscript, read after it
                    power_end = _group_end(tokens, i + 2)
                    if _norm_order(tokens, power_end)[0] is not None:
                        order, end = _norm_order(tokens, power_end)
                        power = tokens[i + 1:power_end]
                if order == "F":      # the Frobenius norm: norm's, of every element
                    pass
                elif order in ("1", "2", "\\infty"):   # numpy's norm of that order: a vector's, never a matrix's
                    out[norm_at] = _empty("NAME", "np.linalg.norm", out[norm_at].start)
                    out[-1:-1] = [_empty("COMMA", ",", token.start),
                                  _empty("NAME", "np.inf", token.start) if order == "\\infty"
                                  else _empty("NUMBER", order, token.start)]
                elif order is not None:
                    raise _latex_error(tokens[i + 1], f"a norm with the subscript {order} is not read",
                                       hint="gradcalc reads \\|x\\| and \\|x\\|_2 (norm), \\|x\\|_1, "
                                            "\\|x\\|_\\infty and \\|W\\|_F; write (sum(abs(x)^p))^(1/p)")
                skip.update(range(i + 1, end))
                if power:
                    after.setdefault(end - 1, []).extend(power)
            norm_open = opens
        elif text in ("\\[", "\\]", "\\(", "\\)"):   # display and inline math's delimiters, like $$ and $
            pass
        elif text in ("\\begin", "\\end") and i + 1 < len(tokens) and tokens[i + 1].lastgroup == "LBRACE":
            skip.update(range(i + 1, _group_end(tokens, i + 1)))     # \begin{equation}, \end{align*}
            environments += 1 if text == "\\begin" else -1
        elif environments and text == "&":
            pass
        elif text == "\\\\":      # LaTeX's line break (in align, or $$ x = 3 \\ m = x^2 $$): a new statement
            if _continues(tokens, i + 1):       # the row goes on with =: its line break is no new statement
                k = i + 1
                while k < len(tokens) and (tokens[k].lastgroup == "_SEP" or tokens[k].text == "&"):
                    if tokens[k].lastgroup == "_SEP":
                        skip.add(k)
                    k += 1
            elif i + 1 == len(tokens) or tokens[i + 1].lastgroup != "_SEP":
                out.append(Tok("_SEP", "\n", token.start, token.end))     # \\ then a line break: one
        elif kind == "unmatched" and text in _VULGAR:
            top, bottom = _VULGAR[text]
            out += [Tok("LPAR", "(", token.start, token.end), _empty("NUMBER", top, token.start),
                    _empty("MUL_OP", "/", token.start), _empty("NUMBER", bottom, token.start),
                    _empty("RPAR", ")", token.end)]
        elif kind == "unmatched" and accented(text):
            out.append(Tok("NAME", accented(text), token.start, token.end))
        elif kind == "unmatched" and text in ACCENT_MARKS and out and out[-1].lastgroup == "NAME" \
                and out[-1].end == token.start and accented(out[-1].text + text):
            out[-1] = Tok("NAME", accented(out[-1].text + text), out[-1].start, token.end)
        elif text in _APPROX:      # Φ(x) ≈ 0.5(1 + tanh(…)): the formula after it, as =
            out.append(Tok("EQUAL", "=", token.start, token.end))
        elif kind == "LATEX":
            command = text[1:]
            if command in ("left", "right", "bigl", "bigr", "Bigl", "Bigr", "big", "Big", "biggl", "biggr") \
                    and i + 1 < len(tokens):
                # \left( … \right): the delimiter after it is a bracket that always groups
                nxt = tokens[i + 1]
                delimiter = nxt.text
                if delimiter in (".",) or (nxt.lastgroup == "unmatched" and delimiter == "."):
                    skip.add(i + 1)
                elif delimiter in ("\\langle", "\\rangle"):
                    out += [_empty("NAME", "dot", token.start), Tok("LPAR", "(", token.start, nxt.end)] \
                        if delimiter == "\\langle" else [Tok("RPAR", ")", token.start, nxt.end)]
                    skip.add(i + 1)
                elif delimiter in ("\\lvert", "\\rvert", "\\vert", "\\mid"):
                    # \left\lvert x \right\rvert: |x|, the bar's side said by \left or \right
                    out.append(Tok("unmatched", "|", token.start, nxt.end))
                    skip.add(i + 1)
                elif delimiter in _OPEN and command.startswith(("left", "big", "Big")) and \
                        command not in ("right", "bigr", "Bigr", "biggr") and delimiter != "|":
                    out.append(Tok("LPAR", "(", token.start, nxt.end))
                    skip.add(i + 1)
                elif delimiter in _CLOSE and delimiter != "|":
                    out.append(Tok("RPAR", ")", token.start, nxt.end))
                    skip.add(i + 1)
                elif delimiter in ("|", "\\vert", "\\lvert", "\\rvert"):
                    if command.startswith(("left", "bigl", "Bigl", "biggl")):
                        out.append(Tok("NAME", "abs", token.start, token.start))
                        out.append(Tok("LPAR", "(", token.start, nxt.end))
                    else:
                        out.append(Tok("RPAR", ")", token.start, nxt.end))
                    skip.add(i + 1)
            elif command in _SPACING:
                pass
            elif command in ("vert", "lvert", "rvert", "mid"):
                # |x| as KaTeX and MathJax draw it: one bar each, paired as |…| is (\rvert x\lvert too)
                out.append(Tok("unmatched", "|", token.start, token.end))
            elif command in ("{",):      # \\max\\{0, 1 - x\\}: the braces drawn, grouping as parentheses do
                out.append(Tok("LPAR", "(", token.start, token.end))
            elif command in ("}",):
                out.append(Tok("RPAR", ")", token.start, token.end))
            elif command in ("lfloor", "lceil"):        # ⌊x⌋, ⌈x⌉: floor(x), ceil(x)
                out += [_empty("NAME", command[1:], token.start), Tok("LPAR", "(", token.start, token.end)]
            elif command in ("rfloor", "rceil"):
                out.append(Tok("RPAR", ")", token.start, token.end))
            elif command in ("langle", "rangle"):
                # ⟨u, v⟩, the inner product of notes: dot(u, v)
                if command == "langle":
                    out += [_empty("NAME", "dot", token.start), Tok("LPAR", "(", token.start, token.end)]
                else:
                    out.append(Tok("RPAR", ")", token.start, token.end))
            elif command in ("label", "tag", "eqref", "ref", "hspace", "vspace", "phantom", "hphantom") and \
                    i + 1 < len(tokens) and tokens[i + 1].lastgroup == "LBRACE":
                skip.update(range(i + 1, _group_end(tokens, i + 1)))      # \\label{eq:sig}: the document's, not maths
            elif command == "mathop" and i + 1 < len(tokens) and tokens[i + 1].lastgroup == "LBRACE":
                skip.update((i + 1, _group_end(tokens, i + 1) - 1))     # \\mathop{\\mathrm{softmax}}: the name inside
            elif command in GREEK:
                out.append(Tok("NAME", GREEK[command], token.start, token.end))
            elif command == "pi":
                out.append(Tok("PI", "π", token.start, token.end))
            elif command in ("top", "intercal", "mathsf{T}"):
                out.append(Tok("NAME", "T", token.start, token.end))
            elif command in _COMPARISONS:
                out.append(Tok("COMPARE_OP", _COMPARISONS[command], token.start, token.end))
            elif command == "ell":      # \ell, the script l of losses: the letter l
                out.append(Tok("NAME", "l", token.start, token.end))
            elif command in _OPERATOR_COMMANDS:
                out.append(Tok("MUL_OP", _OPERATOR_COMMANDS[command], token.start, token.end))
            elif command == "lg":     # \lg n: log10 in ISO 80000 and DIN, log2 in CLRS and computer science
                raise _latex_error(token, "\\lg has two readings: log10 (ISO 80000) and log2 (computer science)",
                                   hint="write \\log_{10} x or \\log_2 x")
            elif command in _FUNCTION_COMMANDS:
                name = {"arcsin": "asin", "arccos": "acos", "arctan": "atan"}.get(command, command)
                out.append(Tok("NAME", name, token.start, token.end))
            elif command == "sqrt":
                if i + 1 < len(tokens) and tokens[i + 1].lastgroup == "LSQB":
                    # \sqrt[n]{x}: x^(1/n), cbrt for n = 3 (defined for negative x too)
                    index_end = _group_end(tokens, i + 1)
                    body_end = _group_end(tokens, index_end)
                    degree = "".join(t.text for t in tokens[i + 2:index_end - 1]).strip()
                    if degree == "3":
                        out.append(Tok("NAME", "cbrt", token.start, tokens[index_end - 1].end))
                        out.append(_empty("LPAR", "(", tokens[index_end].start))
                        after.setdefault(body_end - 1, []).append(_empty("RPAR", ")", tokens[body_end - 1].end))
                        skip.update(range(i + 1, index_end))
                    else:
                        out.append(_empty("LPAR", "(", token.start))
                        # the body first, then **(1/(n)): move the index's tokens after the body
                        moved = [_empty("POW_OP", "**", tokens[body_end - 1].end),
                                 _empty("LPAR", "(", tokens[body_end - 1].end),
                                 _empty("NUMBER", "1", tokens[body_end - 1].end),
                                 _empty("MUL_OP", "/", tokens[body_end - 1].end),
                                 _empty("LPAR", "(", tokens[body_end - 1].end)]
                        moved += tokens[i + 2:index_end - 1]
                        moved += [_empty("RPAR", ")", tokens[body_end - 1].end),
                                  _empty("RPAR", ")", tokens[body_end - 1].end),
                                  _empty("RPAR", ")", tokens[body_end - 1].end)]
                        after.setdefault(body_end - 1, []).extend(moved)
                        skip.update(range(i + 1, index_end))
                else:
                    out.append(Tok("ROOT", "√", token.start, token.end))
            elif command in _FRACTIONS:
                # \frac{a}{b} → ({a}/{b}); \frac12 → (1/2), one digit each, as TeX reads it
                first_end = _split_digit(tokens, i + 1)
                second_end = _split_digit(tokens, first_end)
                out.append(_empty("LPAR", "(", token.start))
                before.setdefault(first_end, []).append(_empty("MUL_OP", "/", tokens[first_end].start))
                after.setdefault(second_end - 1, []).append(_empty("RPAR", ")", tokens[second_end - 1].end))
            elif command in _ACCENT_COMMANDS and i + 1 < len(tokens):
                # \hat{y}, \bar x, \hat{\theta}: one letter under the accent is the name y_hat
                end = _group_end(tokens, i + 1)
                inner = tokens[i + 2:end - 1] if tokens[i + 1].lastgroup == "LBRACE" else tokens[i + 1:end]
                if len(inner) == 4 and inner[0].lastgroup == "LATEX" and inner[0].text[1:] in _WORD_COMMANDS \
                        and inner[1].lastgroup == "LBRACE" and inner[3].lastgroup == "RBRACE":
                    inner = inner[2:3]          # \hat{\mathbf{y}}: a font around the letter is the letter
                letter = _letter(inner[0].text) if len(inner) == 1 else None
                if letter is None:
                    word = "".join(t.text for t in inner)
                    spelled = f"{word}_{_ACCENT_COMMANDS[command]}" if re.fullmatch(r"[A-Za-z]\w*", word) \
                        else f"y_{_ACCENT_COMMANDS[command]}"
                    raise _latex_error(token, f"{text} over more than one letter is not read",
                                       hint=f"write the name it stands for, e.g. {spelled}, and give its value "
                                            f"(--{spelled} VALUE)")
                out.append(Tok("NAME", f"{letter}_{_ACCENT_COMMANDS[command]}", token.start, tokens[end - 1].end))
                skip.update(range(i + 1, end))
            elif command == "operatorname" and i + 2 < len(tokens) and tokens[i + 1].text == "*" \
                    and tokens[i + 2].lastgroup == "LBRACE":
                tokens[i + 1] = Tok("LATEX", "\\operatorname", token.start, tokens[i + 1].end)
                # \\operatorname*{max}: the star places limits under the name; read as \\operatorname{max}
            elif command in _WORD_COMMANDS and i + 1 < len(tokens) and tokens[i + 1].lastgroup == "LBRACE" \
                    and end_of_one_letter(tokens, i + 1):
                # \mathbf{W}, \mathcal{L}, \boldsymbol{\theta}: a font around a letter is the letter
                out.append(Tok("NAME", _letter(tokens[i + 2].text), token.start, tokens[i + 3].end))
                skip.update(range(i + 1, i + 4))
            elif command in _WORD_COMMANDS and command != "text" and i + 1 < len(tokens) and \
                    tokens[i + 1].lastgroup in ("NAME", "LATEX") and _letter(tokens[i + 1].text) is not None and \
                    (tokens[i + 1].lastgroup == "LATEX" or len(tokens[i + 1].text) == 1):
                pass        # \\vec v, \\mathbf x, \\boldsymbol \\theta: the font (or arrow) over one letter, the letter
            elif command in _WORD_COMMANDS and i + 1 < len(tokens) and tokens[i + 1].lastgroup == "LBRACE":
                # \mathrm{ReLU}, \operatorname{sech}: the word inside is a name (lower case if that is
                # a function's name), \mathrm{e} the constant
                end = _group_end(tokens, i + 1)
                inner = tokens[i + 2:end - 1]
                # \_ is an underscore (negative\_slope); a sentence's full stop (const.) is no part
                word = "".join("_" if t.text == "\\_" else t.text for t in inner).rstrip(".,")
                if not inner or not re.fullmatch(r"[A-Za-z_][A-Za-z_0-9]*", word):
                    out.extend(inner)
                else:
                    calls = end < len(tokens) and tokens[end].lastgroup == "LPAR" and not _heads(tokens, end)
                    if calls and word != word.lower() and word.lower() in _TEXT_FUNCTIONS:
                        word = word.lower()      # \text{Tanh}(x), \text{Softplus}(x): the function
                    out.append(Tok("NAME", word, inner[0].start, inner[-1].end))
                skip.update(range(i + 1, end))
            elif text in ("\\partial", "\\nabla"):    # ∂f/∂x, ∇f: what gradcalc computes, not reads
                what = "a partial derivative" if text == "\\partial" else "the gradient"
                texts = [t.text for t in tokens[i:i + 8]]
                hint = ("write the function alone and give its inputs' values, e.g. gradcalc \"x^2 y\" --x 1 --y 2: "
                        "it prints ∂z/∂x and ∂z/∂y")
                if len(texts) > 5 and texts[0] == "\\partial" and texts[2] == "}" and texts[3:5] == ["{", "\\partial"] and \
                        tokens[i + 1].lastgroup == "NAME" and i + 5 < len(tokens) and tokens[i + 5].lastgroup == "NAME":
                    # \frac{\partial f}{\partial x}: the user's own names, not an example's
                    of, by = texts[1], texts[5]
                    hint = (f"write {of}'s formula, {of} = …, and give --{by} VALUE (and its other inputs' values): "
                            f"gradcalc prints ∂{of}/∂{by}")
                raise _latex_error(token, f"{text} writes {what}, which gradcalc computes rather than reads",
                                   hint=hint)
            else:
                raise _latex_error(token, f"the LaTeX command {text} is not read",
                                   hint="gradcalc reads \\frac, \\sqrt, \\cdot, \\times, \\left( \\right), "
                                        "\\sin, \\ln, \\exp, Greek letters (\\sigma) and x_{1}; "
                                        "write the rest as plain text")
        else:
            out.append(token)
        for extra in after.pop(i, ()):
            out.append(extra)
        i += 1
    return _subscripts(out)


def _continues(tokens: list[Tok], k: int) -> bool:
    """Whether the row after an align's \\\\ (from tokens[k]) goes on with the formula before it: a row
    starting &= (or = ): ζ(x) &= A \\\\ &= B is one formula, ζ(x) = A = B, not a statement B alone."""
    while k < len(tokens) and (tokens[k].lastgroup == "_SEP" or tokens[k].text in ("&", "\\quad", "\\qquad")):
        k += 1
    return k < len(tokens) and (tokens[k].lastgroup == "EQUAL" or tokens[k].text in _APPROX)


_FROBENIUS_FONTS = {"\\textrm", "\\mathrm", "\\text", "\\rm", "\\mathit", "\\textnormal"}


_DIFFERENTIALS = (("\\mathrm{d}", "d"), ("\\operatorname{d}", "d"), ("\\text{d}", "d"), ("\\partial", "d"),
                  ("\\mathrmd", "d"), ("\\rmd", "d"), ("∂", "d"))


def _operator(tokens: list[Tok], i: int) -> tuple[str, int] | None:
    """d/dx, \\frac{d}{dx}, \\frac{\\mathrm{d}}{\\mathrm{d}x}, \\frac{\\partial}{\\partial x} at tokens[i]: the
    variable and the index past the operator, or None."""
    texts = [t.text for t in tokens[i:i + 3]]
    if len(texts) == 3 and texts[:2] == ["d", "/"] and tokens[i + 2].lastgroup == "NAME" and texts[2][:1] == "d" \
            and len(texts[2]) > 1:
        return texts[2][1:], i + 3
    parts = _fraction_parts(tokens, i) if texts else None
    if parts is None:
        return None
    top, bottom, bottom_end = parts
    variable = re.fullmatch(r"d([^\W\d]\w*)", bottom)
    return (variable.group(1), bottom_end) if top == "d" and variable else None


def _fraction_parts(tokens: list[Tok], i: int) -> tuple[str, str, int] | None:
    """\\frac{…}{…} at tokens[i]: its top and bottom as text, each differential written d (\\mathrm{d},
    \\partial, ∂), and the index past it; None if tokens[i] starts no fraction of two groups."""
    if tokens[i].text not in _FRACTIONS_WRITTEN or i + 1 >= len(tokens) or tokens[i + 1].lastgroup != "LBRACE":
        return None
    top_end = _group_end(tokens, i + 1)
    if top_end >= len(tokens) or tokens[top_end].lastgroup != "LBRACE":
        return None
    bottom_end = _group_end(tokens, top_end)
    top = "".join(t.text for t in tokens[i + 2:top_end - 1])
    bottom = "".join(t.text for t in tokens[top_end + 1:bottom_end - 1])
    for written, meant in _DIFFERENTIALS:
        top, bottom = top.replace(written, meant), bottom.replace(written, meant)
    return top, bottom, bottom_end


_FRACTIONS_WRITTEN = {"\\frac", "\\dfrac", "\\tfrac", "\\cfrac"}
_DOTS = {"\\cdots", "\\ldots", "\\dots", "\\dotsb", "…", "⋯"}
_TERM_ENDS = {"ADD_OP", "EQUAL", "_SEP", "COMMA", "COMPARE_OP"}


_BARS = {"|", "\\vert", "\\lvert", "\\rvert", "\\mid", "\\|", "‖", "\\lVert", "\\rVert", "\\Vert"}
_BAR_OPERANDS = {"NAME", "NUMBER", "RPAR", "RSQB", "RBRACE", "PI", "SUPERSCRIPT"}


def _bar_side(tokens: list[Tok], k: int, open_here: bool) -> str:
    """Whether the bar at tokens[k] opens |…| or closes it, as written: \\lvert and \\left| open, \\rvert
    and \\right| close; another closes after an operand where one is open at its depth (scanning on;
    scanning back, after an operand: the caller turns it round)."""
    text, previous = tokens[k].text, tokens[k - 1] if k else None
    if text in ("\\lvert", "\\lVert") or previous is not None and previous.text in _SIZING and \
            previous.text.startswith(("\\left", "\\bigl", "\\Bigl", "\\biggl")):
        return "open"
    if text in ("\\rvert", "\\rVert") or previous is not None and previous.text in _SIZING:
        return "close"
    after_operand = previous is not None and (previous.lastgroup in _BAR_OPERANDS or
                                              previous.lastgroup == "LATEX" and previous.text[1:] in GREEK)
    return "close" if after_operand and open_here else "open"


def _term_bounds(tokens: list[Tok], at: int, step: int, signed: bool = False) -> int:
    """From tokens[at], the index where the term ends going `step` (−1 back, +1 on): at a + or − (or =,
    a comma, a line's end) outside brackets, but not at tokens[at] itself where the term may start
    with its sign (`signed`); at a bracket it did not open, or going on at the sizing command before
    one (\\right), which is not the term's. Back, the index of its first token."""
    depth, k = 0, at
    opens, closes = (_OPEN_KINDS, _CLOSE_KINDS) if step > 0 else (_CLOSE_KINDS, _OPEN_KINDS)
    bars: list[int] = []         # the depth of each |…| (\mid, \left|, ‖) open: its − and + are inside
    while 0 <= k < len(tokens):
        token = tokens[k]
        kind = token.lastgroup
        if step > 0 and depth == 0 and token.text in _SIZING and k + 1 < len(tokens) \
                and tokens[k + 1].lastgroup in _CLOSE_KINDS:
            break
        bar = _bar_side(tokens, k, step < 0 or bool(bars) and bars[-1] == depth - 1) if token.text in _BARS else None
        if step < 0 and bar is not None:
            bar = "open" if bar == "close" else "close"
        if bar == "open":
            bars.append(depth)
            depth += 1
        elif bar == "close" and bars and bars[-1] == depth - 1:
            bars.pop()
            depth -= 1
        elif bar == "close" and not bars:
            break
        elif kind in opens:
            depth += 1
        elif kind in closes:
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and (k != at or not signed) and (kind in _TERM_ENDS or token.text in ("\\\\", "&")):
            break
        k += step
    return k + 1 if step < 0 else k


def _ellipsis_sums(tokens: list[Tok], text: str, names, notes: list[str]) -> list[Tok]:
    """\\hat{y} = w_1 x_1 + \\cdots + w_d x_d + b (d2l): the first and last terms written alike, their
    names indexed 1 and a letter (d, n), are the sum over the arrays w and x, sum(w*x), as \\sum_{i=1}^{d}
    w_i x_i is. Any other use of ⋯ is refused."""
    k = next((k for k, t in enumerate(tokens) if t.text in _DOTS), None)
    if k is None:
        return tokens
    dots = tokens[k]
    refusal = _latex_error(dots, f"{dots.text} is read between a first and a last term written alike, "
                                 f"x_1 + {dots.text} + x_n", hint="write the sum as \\sum_{i=1}^{n} x_i, over the "
                                                                 "array x (or sum(x))")
    if not (0 < k < len(tokens) - 1 and tokens[k - 1].text == "+" and tokens[k + 1].text == "+"):
        raise refusal
    first_start, last_end = _term_bounds(tokens, k - 2, -1), _term_bounds(tokens, k + 2, 1)
    first, last = tokens[first_start:k - 1], tokens[k + 2:last_end]
    if not first or len(first) != len(last):
        raise refusal
    body, stems, ends, at = [], set(), set(), None
    for a, b in zip(first, last):
        one = re.fullmatch(r"(.+)_(1)", a.text) if a.lastgroup == "NAME" else None
        other = re.fullmatch(r"(.+)_([A-Za-z])", b.text) if b.lastgroup == "NAME" else None
        if one and other and one.group(1) == other.group(1):
            stems.add(one.group(1))
            ends.add(other.group(2))
            at = at or Tok("NAME", other.group(2), b.end - 1, b.end)      # x_d's d
            body.append(Tok("NAME", one.group(1), a.start, a.end))
        elif a.lastgroup == b.lastgroup and a.text == b.text:
            body.append(a)
        else:
            raise refusal
    if not stems or len(ends) != 1:
        raise refusal
    missing = sorted(stem for stem in stems if stem not in names)
    if missing:
        raise _latex_error(dots, f"{dots.text} sums the elements of {', '.join(missing)}, which "
                                 f"{'has' if len(missing) == 1 else 'have'} no value",
                           hint=f"give {' and '.join(missing)} as {'an array' if len(missing) == 1 else 'arrays'}: " + " ".join(f'--{stem} "[…]"' for stem in missing))
    written = " ".join(text[tokens[first_start].start:tokens[last_end - 1].end].split())
    end = ends.pop()
    notes.append(f"{written} is read as the sum over the arrays {', '.join(sorted(stems))}: "
                 + (f"their elements 1 to {end}" if end in names else f"every element, 1 to {end}"))
    count = [_empty("LPAR", "(", at.start), at, _empty("RPAR", ")", at.end)] if end in names else None
    total = [Tok("NAME", "sum", tokens[first_start].start, tokens[last_end - 1].end),
             _empty("LPAR", "(", tokens[first_start].start), *_counted("terms", _elementwise_products(body), count),
             _empty("RPAR", ")", tokens[last_end - 1].end)]
    return _ellipsis_sums(tokens[:first_start] + total + tokens[last_end:], text, names, notes)


_ORDINALS = {2: "second", 3: "third", 4: "fourth"}


def _higher_order(tokens: list[Tok], i: int) -> tuple[int, list[str], int] | None:
    """\\frac{d^2}{dx^2}, \\frac{\\partial^2 f}{\\partial x \\partial y}, \\frac{\\partial^7}{\\partial x\\partial y^2\\partial
    z^4} at tokens[i]: (the order, each variable as often as it is differentiated by, the index past the
    fraction) where the order is 2 or more, else None."""
    parts = _fraction_parts(tokens, i)
    if parts is None:
        return None
    top, bottom, bottom_end = parts
    order = re.match(r"d\^\{?([0-9]+)\}?", top)
    if order is None or int(order.group(1)) < 2:
        return None
    variables: list[str] = []
    for variable, power in re.findall(r"d([^\W\d_])(?:\^\{?([0-9]+)\}?)?", bottom):
        variables += [variable] * int(power or 1)
    return int(order.group(1)), variables, bottom_end


def _comma_parts(tokens: list[Tok], cut: str = "COMMA") -> list[list[Tok]]:
    """The tokens cut at each comma outside brackets (a call's arguments, a line's definitions), or at
    each token of another kind `cut` (_SEP: the statements)."""
    parts, part, depth = [], [], 0
    for token in tokens:
        depth += (token.lastgroup in _OPENS) - (token.lastgroup in _CLOSES)
        if (depth == 0 or cut == "_SEP") and token.lastgroup == cut:
            parts.append(part)
            part = []
        else:
            part.append(token)
    parts.append(part)
    return parts


def _group_close(tokens: list[Tok], start: int) -> int:
    """The index of the bracket closing the one at `start`, or -1."""
    depth = 0
    for k in range(start, len(tokens)):
        depth += (tokens[k].lastgroup in _OPENS) - (tokens[k].lastgroup in _CLOSES)
        if depth == 0:
            return k
    return -1


def _refuse_higher_order(tokens: list[Tok], text: str) -> None:
    """A second or higher derivative written in the text (\\frac{d^2}{dx^2} f, \\frac{\\partial^2 f}{\\partial x
    \\partial y}, \\nabla^2 f): refused, saying which of gradcalc's options computes it (--order K for
    dᴷz/dxᴷ, --hessian for second partials), since the first derivative it prints is another number."""
    for i, token in enumerate(tokens):
        if token.text == "\\nabla" and i + 1 < len(tokens) and tokens[i + 1].text == "^":
            raise GradcalcError("\\nabla^2 is the Laplacian (the sum of ∂²z/∂x² over the inputs), or the Hessian "
                                "matrix in some notes: second derivatives, which gradcalc computes rather than reads",
                                (token.start, tokens[i + 1].end + 2),
                                hint="write the function alone and add --hessian: it prints every second partial "
                                     "(the Laplacian is the sum of its diagonal)")
        found = _higher_order(tokens, i) if token.lastgroup == "LATEX" else None
        if found is None:
            continue
        order, variables, end = found
        written = text[token.start:tokens[end - 1].end]
        what = _ORDINALS.get(order, f"order-{order}")
        if len(set(variables)) == 1 and len(variables) == order:
            x = variables[0]
            raise GradcalcError(f"{written} is the {what} derivative d{_sup(order)}z/d{x}{_sup(order)}, which "
                                f"gradcalc computes rather than reads", (token.start, tokens[end - 1].end),
                                hint=f"write the function alone, give --{x} VALUE and add --order {order} (and "
                                     f"--wrt {x} if it has other inputs): it prints d{_sup(order)}z/d{x}{_sup(order)}")
        if order == 2 and len(variables) == 2:
            raise GradcalcError(f"{written} is a second partial derivative, which gradcalc computes rather than "
                                f"reads", (token.start, tokens[end - 1].end),
                                hint="write the function alone, give its inputs' values and add --hessian: it "
                                     f"prints every second partial, ∂²z/∂{variables[0]}∂{variables[1]} among them")
        raise GradcalcError(f"{written} is a mixed partial derivative of order {order}, which gradcalc does not "
                            f"compute", (token.start, tokens[end - 1].end),
                            hint="gradcalc computes first partials (the gradient), second ones (--hessian) and "
                                 "dᴷz/dxᴷ in one variable (--order K, --wrt x)")


def _sup(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _derivative_operators(tokens: list[Tok], text: str, names, notes: list[str]) -> list[Tok]:
    """\\frac{d}{dx} [3x^2 - 4x] (d2l), d/dx sin(x), \\frac{\\partial}{\\partial x} f: a derivative
    operator written around the formula at a statement's start. Where x has a value, the formula after
    it is read, and its derivative is what gradcalc prints (∂z/∂x); the brackets around it group."""
    if "\\" in text:
        _refuse_higher_order(tokens, text)
    # x = 2 (the point under an evaluation bar, or the text's own): a value too
    names = set(names) | {s[0].text for s in _statements(tokens) if len(s) > 2 and s[0].lastgroup == "NAME"
                          and s[1].lastgroup == "EQUAL"} if any(t.lastgroup == "EQUAL" for t in tokens) else names
    out: list[Tok] = []
    i = 0
    while i < len(tokens):
        found = _operator(tokens, i) if i == 0 or tokens[i - 1].lastgroup == "_SEP" else None
        end = _statement_end_index(tokens, found[1]) if found else i
        if found is None or end == found[1]:
            out.append(tokens[i])
            i += 1
            continue
        variable, start = found
        written = text[tokens[i].start:tokens[start - 1].end]
        if variable not in names:     # the hint with the user's own formula, not an example
            what = "a partial derivative" if "\\partial" in written else "a derivative"
            raise GradcalcError(f"{written} is {what}, which gradcalc computes rather than reads",
                                (tokens[i].start, tokens[start - 1].end),
                                hint=f"give --{variable} VALUE (and the other inputs' values): gradcalc reads the "
                                     f"formula after it and prints ∂z/∂{variable}")
        rest = tokens[start:end]
        if rest[0].lastgroup == "LSQB" and _group_end(tokens, start) == end:     # [3x^2 - 4x]: a group
            rest = [Tok("LPAR", "(", rest[0].start, rest[0].end), *rest[1:-1],
                    Tok("RPAR", ")", rest[-1].start, rest[-1].end)]
        notes.append(f"{written} … is read as the formula after it, z = …: its derivative is ∂z/∂{variable} "
                     f"(z is the formula's value)")
        out += rest
        i = end
    return out


def _braced_heads(tokens: list[Tok]) -> list[Tok]:
    """{\\hat{\\mathbf{y}}} = Xw + b (d2l): braces around a formula's name group nothing; the name. A
    functional's head in brackets, H[P] = … (d2l's entropy), is H(P) = …: P its input."""
    out: list[Tok] = []
    k = 0
    while k < len(tokens):
        kinds = [t.lastgroup for t in tokens[k:k + 5]]
        if (k == 0 or tokens[k - 1].lastgroup == "_SEP") and kinds[:4] == ["LBRACE", "NAME", "RBRACE", "EQUAL"]:
            out.append(tokens[k + 1])
            k += 3
            continue
        if (k == 0 or tokens[k - 1].lastgroup == "_SEP") and kinds == ["NAME", "LSQB", "NAME", "RSQB", "EQUAL"]:
            out += [tokens[k], Tok("LPAR", "(", tokens[k + 1].start, tokens[k + 1].end), tokens[k + 2],
                    Tok("RPAR", ")", tokens[k + 3].start, tokens[k + 3].end)]
            k += 4
            continue
        out.append(tokens[k])
        k += 1
    return out


def _labels(tokens: list[Tok], names, notes: list[str]) -> list[Tok]:
    """W^{(1)}, W^{[2]}: a numbered label in notes (layer 1's W, as d2l and Ng write them), never a power:
    the name W1 (or W_1, whichever is given). Where W alone has a value and W1 none, refused: W to the
    power 1 or 2 is not what the text means, and no value for W1 is there to read."""
    def rewrite(_k: int, window: list[Tok]) -> list[Tok] | None:
        t = window[0]
        if not (t.lastgroup == "NAME" and window[1].text == "^" and window[2].lastgroup == "LBRACE"
                and window[3].text in ("(", "[") and window[4].lastgroup == "NUMBER" and window[4].text.isdigit()
                and window[5].text == {"(": ")", "[": "]"}[window[3].text] and window[6].lastgroup == "RBRACE"):
            return None
        label = window[4].text
        name = next((n for n in (t.text + label, f"{t.text}_{label}") if n in names), None)
        written = "".join(w.text for w in window[1:])
        if name is None and t.text in names:
            raise GradcalcError(f"{t.text}{written} is the {t.text} labelled {label} (layer {label}'s, in notes), "
                                f"not a power of {t.text}", (t.start, window[6].end),
                                hint=f"give its value as --{t.text}{label} VALUE; for the power write "
                                     f"{t.text}^{label}")
        name = name or t.text + label
        notes.append(f"{t.text}{written} is read as {name}: a label in parentheses names a value of its own "
                     f"(layer {label}'s {t.text}), not a power")
        return [Tok("NAME", name, t.start, window[6].end)]

    return _rewrite_windows(tokens, 7, rewrite)


def _norm_order(tokens: list[Tok], start: int) -> tuple[str | None, int]:
    """The subscript after a norm's closing bar (_2, _{1}, _\\infty) and the index past it; the
    Frobenius norm's F (_F, _{F}, _\\textrm{F}, _{\\mathrm{F}}) is "F"."""
    if start >= len(tokens) or not tokens[start].text.startswith("_"):
        return None, start
    if tokens[start].text != "_":
        return tokens[start].text[1:], start + 1          # _2, _F
    k = start + 1
    if k < len(tokens) and tokens[k].text in _FROBENIUS_FONTS:
        k += 1                                             # _\textrm{F}
    end = _group_end(tokens, k)
    return "".join(t.text for t in tokens[k:end] if t.text not in _FROBENIUS_FONTS).strip("{}"), end


def end_of_one_letter(tokens: list[Tok], start: int) -> bool:
    """Whether the brace group at `start` holds one letter ({W}, {\\theta})."""
    return start + 2 < len(tokens) and tokens[start + 2].lastgroup == "RBRACE" and \
        _letter(tokens[start + 1].text) is not None


def _heads(tokens: list[Tok], start: int) -> bool:
    """Whether the parentheses at `start` are followed by = (a formula's head: \\text{Sigmoid}(x) = …)."""
    depth = 0
    for k in range(start, len(tokens)):
        depth += (tokens[k].lastgroup == "LPAR") - (tokens[k].lastgroup == "RPAR")
        if depth == 0:
            return k + 1 < len(tokens) and (tokens[k + 1].lastgroup == "EQUAL" or tokens[k + 1].text in _APPROX)
    return False


def _split_digit(tokens: list[Tok], start: int) -> int:
    """Like _group_end, but a bare number gives one digit (TeX's \\frac12): split it in place."""
    if start < len(tokens) and tokens[start].lastgroup == "NUMBER" and len(tokens[start].text) > 1:
        number = tokens[start]
        tokens[start:start + 1] = [Tok("NUMBER", number.text[0], number.start, number.start + 1),
                                   Tok("NUMBER", number.text[1:], number.start + 1, number.end)]
    return _group_end(tokens, start)


# In LaTeX an unbraced subscript is one character: w_ix_i is w_i·x_i and \sum_iw_i is \sum_i w_i (a
# name read whole summed nothing, or named an array w_ix). Cut only where every piece is one letter
# and its one-character subscript (a Python name, learning_rate_x, stays whole; so do x_12 and x_ij).
_TEX_PIECES = re.compile(r"(?:[^\W\d_]?_[^\W_]){2,}")
_TEX_PIECE = re.compile(r"[^\W\d_]?_[^\W_]")


# Commands whose braces are their arguments: never dropped as a mere group
_ARGUMENT_TAKERS = {"frac", "dfrac", "tfrac", "sqrt", "begin", "end", "text", "mathrm", "operatorname", "mathbf",
                    "mathit", "textrm", "boldsymbol", "mathsf", "mathcal", "mathbb", "bm", "hat", "bar", "tilde",
                    "vec", "dot", "ddot", "overline", "widehat", "widetilde", "binom"}


def _interleaved_braces(tokens: list[Tok]) -> list[Tok]:
    """\\exp{(\\beta x}): braces that close inside parentheses they did not open. TeX draws neither brace,
    so the page shows exp(βx): where such a pair only groups (after a function's name, another group or
    an operator, not a command's argument or a power's), both braces are dropped and the parentheses
    pair as drawn. One pass with a stack of the brackets open."""
    stack: list[int] = []       # the brackets open (token indices; -1 where a brace was dropped)
    braces: list[int] = []      # the places in `stack` of the braces open: each step O(1) amortized
    dropped: set[int] = set()
    for k, token in enumerate(tokens):
        kind = token.lastgroup
        if kind in ("LBRACE", "LPAR", "LSQB", "RBRACE", "RPAR", "RSQB"):
            while stack and stack[-1] == -1:
                stack.pop()
        if kind == "LBRACE":
            braces.append(len(stack))
        if kind in ("LBRACE", "LPAR", "LSQB"):
            stack.append(k)
        elif kind == "RBRACE" and braces:
            place = braces.pop()
            if place == len(stack) - 1:
                stack.pop()
                continue
            opening = stack[place]
            previous = tokens[opening - 1] if opening else None
            if previous is not None and (previous.lastgroup in ("POW_OP",) or previous.text.endswith("_") or
                                         previous.lastgroup == "LATEX" and previous.text[1:] in _ARGUMENT_TAKERS
                                         or previous.lastgroup == "RBRACE"):
                continue        # a command's argument: left as written (the parser says what is wrong)
            stack[place] = -1
            dropped.update((opening, k))
        elif kind in ("RPAR", "RSQB") and stack:
            if braces and braces[-1] == len(stack) - 1:
                braces.pop()
            stack.pop()
    return tokens if not dropped else [t for k, t in enumerate(tokens) if k not in dropped]


def _tex_marks(tokens: list[Tok]) -> list[Tok]:
    """\\sum\\limits_{i=1}^{n} is \\sum_{i=1}^{n} (\\limits only places the bounds); f^\\prime and f^{\\prime\\prime}
    are f' and f'' (the marks _primed_heads reads)."""
    out: list[Tok] = []
    k = 0
    while k < len(tokens):
        t = tokens[k]
        if t.text in ("\\limits", "\\nolimits"):
            k += 1
            continue
        if t.lastgroup == "POW_OP" and k + 1 < len(tokens) and tokens[k + 1].text in ("\\prime", "{"):
            j = k + 2 if tokens[k + 1].text == "{" else k + 1
            primes = j
            while primes < len(tokens) and tokens[primes].text == "\\prime":
                primes += 1
            closed = tokens[k + 1].text != "{" or (primes < len(tokens) and tokens[primes].lastgroup == "RBRACE")
            if primes > j and closed:
                end = tokens[primes].end if tokens[k + 1].text == "{" else tokens[primes - 1].end
                after = primes + (tokens[k + 1].text == "{")
                head = k > 0 and tokens[k - 1].lastgroup in ("NAME", "LATEX") and (k == 1 or tokens[k - 2].lastgroup == "_SEP")
                if after < len(tokens) and tokens[after].lastgroup == "LPAR":
                    after = _group_close(tokens, after) + 1 or len(tokens)
                if not head or after >= len(tokens) or tokens[after].lastgroup != "EQUAL":
                    raise GradcalcError(f"{tokens[k - 1].text if k else ''}^\\prime is a derivative, which gradcalc "
                                        f"computes rather than reads", (t.start, end),
                                        hint="write the function itself (f(x) = …) and give its inputs' values: "
                                             "gradcalc prints its derivative ∂z/∂x (--order 2 for f'')")
                out += [Tok("unmatched", "'", t.start, t.start) for _ in range(primes - j - 1)]
                out.append(Tok("unmatched", "'", t.start, end))
                k = primes + (tokens[k + 1].text == "{")
                continue
        out.append(t)
        k += 1
    return out


def _derivative_heads(tokens: list[Tok], text: str, notes: list[str]) -> list[Tok]:
    """\\frac{dy}{dx} = 2x, \\frac{\\partial f}{\\partial x} = 2x y: a formula named by the derivative it is (as
    f'(x) = … is): read as written, named dy_dx; gradcalc computes that formula and its gradient."""
    out: list[Tok] = []
    k = 0
    while k < len(tokens):
        t = tokens[k]
        parts = _fraction_parts(tokens, k) if k == 0 or tokens[k - 1].lastgroup == "_SEP" else None
        if parts is not None:
            top, bottom, bottom_end = parts
            of, by = re.fullmatch(r"d([^\W\d]\w*)", top), re.fullmatch(r"d([^\W\d]\w*)", bottom)
            if of and by and bottom_end < len(tokens) and tokens[bottom_end].lastgroup == "EQUAL":
                name = f"d{of.group(1)}_d{by.group(1)}"
                notes.append(f"{text[t.start:tokens[bottom_end - 1].end]} = … is read as the formula it writes, "
                             f"named {name}: gradcalc computes that formula and its gradient (it does not "
                             f"differentiate {of.group(1)})")
                out.append(Tok("NAME", name, t.start, tokens[bottom_end - 1].end))
                k = bottom_end
                continue
        out.append(t)
        k += 1
    return out


def _undefined_calls_first(tokens: list[Tok], text: str, names, calls, notes: list[str]) -> list[Tok]:
    """L(w, b) = \\frac{1}{n}\\sum_i l^{(i)}(w, b) = \\frac{1}{n}\\sum_i \\frac{1}{2}(w^T x^{(i)} + b − y^{(i)})² (d2l): a
    chain whose first forms apply a function the text never defines (l^{(i)}(…), g(…)) is read as its first
    form written without one (the text says they are equal), before the sums read any of them."""
    statements = _statements(tokens)
    changed = False
    for n, statement in enumerate(statements):
        cuts = [k for k, t in enumerate(statement) if t.lastgroup == "EQUAL" and _depth_zero(statement, 0, k)]
        if len(cuts) < 2:
            continue
        forms = [statement[a + 1:b] for a, b in zip(cuts, cuts[1:] + [len(statement)])]
        unknown = [_applies_undefined(form, names, calls) for form in forms]
        if not unknown[0] or all(unknown):
            continue
        chosen = unknown.index(False)
        notes.append(f"{text[statement[0].start:statement[cuts[0]].end]} A = B is read as the form "
                     f"{text[forms[chosen][0].start:forms[chosen][-1].end]}: the ones before it apply a function the "
                     f"text does not define (the text says they are equal)")
        statements[n] = statement[:cuts[0] + 1] + forms[chosen]
        changed = True
    return _joined(statements) if changed else tokens


def _applies_undefined(form: list[Tok], names, calls) -> bool:
    """Whether a form applies a name that is no function and has no value: l^{(i)}(w, b), g(θ^T x)."""
    for k, t in enumerate(form[:-1]):
        if t.lastgroup != "NAME" or t.text in names or t.text in calls or t.text.startswith("_"):
            continue
        after = k + 1
        if form[after].lastgroup == "POW_OP" and after + 1 < len(form) and form[after + 1].lastgroup == "LBRACE":
            after = _group_end(form, after + 1)          # l^{(i)}(…): the example's function
        if after < len(form) and form[after].lastgroup == "LPAR" and (after > k + 1 or t.text not in _FUNCTION_COMMANDS):
            return True
    return False


_ARROWS = {"\\rightarrow", "\\to", "\\Rightarrow", "\\implies", "\\longrightarrow", "\\Longrightarrow", "→", "⇒"}


def _stated_derivatives(tokens: list[Tok], text: str, notes: list[str]) -> list[Tok]:
    """f(x) = e^x \\hspace{0.5in} \\rightarrow \\hspace{0.5in} \\frac{df}{dx} = e^x (CS231n): after an arrow, the
    derivatives the notes state, which gradcalc computes: the formula before the arrow is read (with a
    note). An arrow before anything else is refused."""
    statements = _statements(tokens)
    for n, statement in enumerate(statements):
        at = next((k for k, t in enumerate(statement) if t.text in _ARROWS), None)
        if at is None:
            continue
        k = at + 1
        while k < len(statement) and statement[k].text in ("\\quad", "\\qquad", "\\,", "\\;", "\\hspace"):
            k = _group_end(statement, k + 1) if statement[k].text == "\\hspace" and k + 1 < len(statement) else k + 1
        parts = _fraction_parts(statement, k) if k < len(statement) else None
        derivative = parts is not None and re.fullmatch(r"d[^\W\d]\w*", parts[0]) and \
            re.fullmatch(r"d[^\W\d]\w*", parts[1]) and parts[2] < len(statement) and statement[parts[2]].lastgroup == "EQUAL"
        if not derivative or at == 0:
            raise _latex_error(statement[at], f"{statement[at].text} is read only before the derivatives notes state "
                                              f"(→ \\frac{{df}}{{dx}} = …)", hint="write the formula alone")
        notes.append(f"{' '.join(text[statement[at].start:statement[-1].end].split())} is read as the derivatives "
                     f"the notes state, which gradcalc computes from the formula before the arrow: compare them")
        statements[n] = statement[:at]
    return _joined(statements)


def _sentence_end(tokens: list[Tok], notes: list[str]) -> list[Tok]:
    """I(X) = -\\log_2(p), (d2l): a display formula ends the author's sentence with a comma or a full stop,
    inside the math (before \\] or $$): punctuation, no part of the formula."""
    k = len(tokens) - 1
    while k >= 0 and (tokens[k].lastgroup in ("DOLLAR", "_SEP") or tokens[k].text in ("\\]", "\\)")):
        k -= 1
    if k > 0 and tokens[k].lastgroup == "RBRACE":       # \end{equation}
        opening = next((j for j in range(k - 1, -1, -1) if tokens[j].lastgroup == "LBRACE"), 0)
        if opening > 0 and tokens[opening - 1].text == "\\end":
            k = opening - 2
    if k > 0 and (tokens[k].lastgroup == "COMMA" or tokens[k].text == "."):
        notes.append(f"the {'comma' if tokens[k].text == ',' else 'full stop'} at the formula's end is read as the "
                     f"sentence's punctuation")
        return tokens[:k] + tokens[k + 1:]
    return tokens


_BAR_SIZES = {"\\right", "\\big", "\\Big", "\\bigg", "\\Bigg", "\\bigr", "\\Bigr", "\\biggr", "\\Biggr"}


def _statements(tokens: list[Tok]) -> list[list[Tok]]:
    """The tokens cut at each statement's end."""
    return _comma_parts(tokens, "_SEP")


def _joined(statements: list[list[Tok]]) -> list[Tok]:
    out: list[Tok] = []
    for statement in statements:
        if out:
            out.append(_empty("_SEP", "\n", statement[0].start if statement else out[-1].end))
        out.extend(statement)
    return out


def _evaluation_bars(tokens: list[Tok], notes: list[str]) -> list[Tok]:
    """\\left. \\frac{d}{dx} x^3 \\right|_{x=2}, f(x)\\Big|_{x = 1, y = 2}: the point written under the bar,
    read as its assignments before the formula (x = 2, then the formula), \\left. dropped."""
    statements, changed = _statements(tokens), False
    for n, statement in enumerate(statements):
        k = len(statement) - 1
        while k >= 0 and (statement[k].lastgroup == "DOLLAR" or statement[k].text in ("\\]", "\\)")):
            k -= 1
        if k < 4 or statement[k].lastgroup != "RBRACE":
            continue
        opening = next((j for j in range(k - 1, -1, -1) if statement[j].lastgroup == "LBRACE"), None)
        if opening is None or opening < 2 or statement[opening - 1].text != "_" or statement[opening - 2].text != "|":
            continue
        bar = opening - 2 - (statement[opening - 3].text in _BAR_SIZES if opening >= 3 else 0)
        inner = statement[opening + 1:k]
        parts, part = [], []
        for t in inner + [_empty("COMMA", ",", statement[k].start)]:
            if t.lastgroup == "COMMA":
                parts.append(part)
                part = []
            else:
                part.append(t)
        if not parts or not all(len(p) > 2 and p[0].lastgroup == "NAME" and p[1].lastgroup == "EQUAL" for p in parts):
            continue
        body = statement[:bar]
        if len(body) > 1 and body[0].text == "\\left" and body[1].text == ".":
            body = body[2:]
        notes.append(f"{', '.join(''.join(t.text for t in p) for p in parts)} under the bar is read as the point: "
                     f"assigned before the formula (a value given on the command line takes its place)")
        statements[n:n + 1] = [*parts, body + statement[k + 1:]]
        changed = True
    return _joined(statements) if changed else tokens


def _domains(tokens: list[Tok], text: str, notes: list[str]) -> list[Tok]:
    """σ(z) = \\frac{1}{1+e^{-z}}, \\quad z \\in \\mathbb{R}: the clause saying where a name lives, after a
    comma, \\quad or a \\text{for}, is no part of the formula: dropped with a note. A \\in anywhere else is
    refused (a set's membership computes no number)."""
    if not any(t.text == "\\in" for t in tokens):
        return tokens
    statements = _statements(tokens)
    for n, statement in enumerate(statements):
        at = next((k for k, t in enumerate(statement) if t.text == "\\in"), None)
        if at is None:
            continue
        depth, start = 0, None
        for k in range(at - 1, -1, -1):
            t = statement[k]
            depth += (t.lastgroup in _CLOSE_KINDS) - (t.lastgroup in _OPEN_KINDS)
            if depth == 0 and (t.lastgroup in ("COMMA", "EQUAL") or t.text in ("\\quad", "\\qquad", "\\text", "\\mbox",
                                                                             "\\textrm", "\\mathrm", "\\forall")):
                start = k
                break
        if start is None or statement[start].lastgroup == "EQUAL" or any(t.lastgroup == "EQUAL" for t in statement[at:]):
            raise _latex_error(statement[at], "\\in (a name's set) is read only in a clause after the formula, "
                                              "x \\in \\mathbb{R}", hint="write the formula alone")
        while start > 0 and statement[start - 1].text in ("\\quad", "\\qquad", ",", "\\,", "\\;"):
            start -= 1
        written = " ".join(text[statement[start].start:statement[-1].end].split()).lstrip(", ")
        notes.append(f"{written} is read as where the names live, not as part of the formula")
        statements[n] = statement[:start]
    return _joined(statements)


def _tex_subscripts(tokens: list[Tok]) -> list[Tok]:
    out: list[Tok] = []
    for token in tokens:
        if token.lastgroup == "NAME" and _TEX_PIECES.fullmatch(token.text):
            out += [Tok("NAME", m.group(), token.start + m.start(), token.start + m.end())
                    for m in _TEX_PIECE.finditer(token.text)]
        else:
            out.append(token)
    return out


def _subscripts(tokens: list[Tok]) -> list[Tok]:
    """x_{1}, \\sigma_{i}, x_1: a name with a subscript is one name (x_1, σ_i)."""
    joined: list[Tok] = []
    for token in tokens:     # \sigma_1, \sigma_{1}: the command's name and the subscript's _ are one name
        if joined and token.lastgroup == "NAME" and token.text.startswith("_") and \
                joined[-1].lastgroup == "NAME" and joined[-1].end == token.start:
            joined[-1] = Tok("NAME", joined[-1].text + token.text, joined[-1].start, token.end)
        else:
            joined.append(token)
    tokens = joined
    out: list[Tok] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.lastgroup == "NAME" and token.text.endswith("_") and i + 1 < len(tokens):
            nxt = tokens[i + 1]
            if nxt.lastgroup == "LBRACE":
                end = _group_end(tokens, i + 1)
                inner = tokens[i + 2:end - 1]
                if inner and all(t.lastgroup in ("NAME", "NUMBER") for t in inner):
                    out.append(Tok("NAME", token.text + "".join(t.text for t in inner), token.start,
                                   tokens[end - 1].end))
                    i = end
                    continue
            elif nxt.lastgroup in ("NAME", "NUMBER") and nxt.start == token.end:
                out.append(Tok("NAME", token.text + nxt.text, token.start, nxt.end))
                i += 2
                continue
        out.append(token)
        i += 1
    return out


# -- |x| ---------------------------------------------------------------------------------------------
_OPERAND_ENDS = {"NAME", "NUMBER", "PI", "SUPERSCRIPT", "ATTRIBUTE", "RPAR", "RSQB", "RBRACE"}


def _is_bar(token: Tok | None) -> bool:
    return token is not None and token.lastgroup == "unmatched" and token.text == "|"


def _bars(tokens: list[Tok]) -> list[Tok]:
    """|x| is abs(x): a bar after an operand closes the innermost open one at its bracket depth, any
    other opens one. ||x|| is the norm ‖x‖, as \\|x\\| is (|x| for a number; abs twice would be |x| again),
    unless a single bar closes inside it (||x| - |y||: refused). |a|b|c| (|a|·b·|c| or |a·|b|·c|) is refused."""
    out: list[Tok] = []
    opened: list[tuple] = []         # the bracket depth of each open bar, and whether it is a norm's ||
    depth = 0
    left = sum(_is_bar(t) for t in tokens)
    skip = -1
    for i, token in enumerate(tokens):
        if i == skip:
            continue
        if not _is_bar(token):
            depth += (token.lastgroup in _OPENS) - (token.lastgroup in _CLOSES)
            out.append(token)
            continue
        left -= 1
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        double = _is_bar(nxt) and nxt.start == token.end
        after_operand = bool(out) and out[-1].lastgroup in _OPERAND_ENDS
        if after_operand and opened and opened[-1][0] == depth:
            if opened[-1][1] != double:      # ||x| …, |x|| …: a single bar where the double one is open
                raise GradcalcError("||…| can be read two ways: a norm, or bars inside bars", token.span(),
                                    hint="write norm(…) for the norm ‖…‖, abs(…) for each |…| you mean")
            if not double and nxt is not None and nxt.lastgroup in _OPERAND_STARTS and left >= 2:
                raise GradcalcError("bars around bars can be read two ways here", token.span(),
                                    hint="write abs(…) for each |…| you mean, e.g. abs(a)*b*abs(c) or "
                                         "abs(a*abs(b)*c)")
            opened.pop()
            out.append(Tok("RPAR", ")", token.start, nxt.end if double else token.end))
            if double:
                skip, left = i + 1, left - 1
            continue
        opened.append((depth, double))
        if double:           # ||x||: the norm ‖x‖
            out += [Tok("NAME", "norm", token.start, token.start), Tok("LPAR", "(", token.start, nxt.end)]
            skip, left = i + 1, left - 1
            continue
        out += [Tok("NAME", "abs", token.start, token.start), Tok("LPAR", "(", token.start, token.end)]
    if opened:
        bar = next(t for t in reversed(tokens) if _is_bar(t))
        if bar.end - bar.start > 1:      # \mid, \vert: p(y \mid x) is a conditional probability's bar
            raise GradcalcError("this bar is never closed: |x| is read, and the bar of p(y | x) (given) is not",
                                bar.span(), hint="write abs(x) for |x|; for a probability given another, "
                                                 "give its value as a variable (--p VALUE)")
        raise GradcalcError("a | is never closed", bar.span(), hint="write abs(x) for |x|")
    return out


# -- names written together, functions without parentheses -------------------------------------------
# Functions textbooks apply without parentheses (sin x, ln x): the elementwise ones of one argument.
APPLIED = ("sin", "cos", "tan", "sec", "csc", "cot", "sinh", "cosh", "tanh", "sech", "csch", "coth",
           "asin", "acos", "atan", "arcsin", "arccos", "arctan", "asec", "acsc", "acot", "arcsec", "arccsc",
           "arccot", "asinh", "acosh", "atanh", "arsinh", "arcosh", "artanh", "ln", "log", "log2", "log10",
           "exp", "erf", "erfc", "sqrt", "cbrt")
INVERSES = {"sin": "asin", "cos": "acos", "tan": "atan", "sec": "asec", "csc": "acsc", "cot": "acot",
            "sinh": "asinh", "cosh": "acosh", "tanh": "atanh", "exp": "log", "sigmoid": "logit"}
# What ends a function's argument written without parentheses (at its own depth of brackets).
_ENDS = {"ADD_OP", "MUL_OP", "COMPARE_OP", "COMMA", "_SEP", "COLON", "RPAR", "RSQB", "RBRACE", "EQUAL",
         "AUG_OP", "IF", "ELSE"}
_OPENS = {"LPAR", "LSQB", "LBRACE"}
_CLOSES = {"RPAR", "RSQB", "RBRACE"}
_OPERAND_STARTS = {"NAME", "NUMBER", "PI", "LPAR", "LSQB", "LBRACE", "ROOT"}


class Context:
    """What the rewriting needs to know: the variables given values and gradcalc's function names."""

    def __init__(self, tokens: list[Tok], names, calls, constants):
        self.calls, self.constants = calls, constants
        self.given = set(names)
        # Names the text itself makes variables: assigned (t = …), listed as inputs (f(x, y) = …),
        # or used alone somewhere (not before "(").
        defined: set[str] = set()
        self.functions_defined: set[str] = set()
        for i, token in enumerate(tokens):
            if token.lastgroup != "NAME":
                continue
            nxt = tokens[i + 1].lastgroup if i + 1 < len(tokens) else None
            if nxt in ("EQUAL", "AUG_OP") and (i == 0 or tokens[i - 1].lastgroup in ("_SEP", "EQUAL")):
                defined.add(token.text)
            elif nxt == "LPAR" and (i == 0 or tokens[i - 1].lastgroup == "_SEP"):
                j = i + 2
                params = []
                while j < len(tokens) and tokens[j].lastgroup in ("NAME", "COMMA"):
                    if tokens[j].lastgroup == "NAME":
                        params.append(tokens[j].text)
                    j += 1
                if j + 1 < len(tokens) and tokens[j].lastgroup == "RPAR" and tokens[j + 1].lastgroup == "EQUAL":
                    defined.update(params)
                    self.functions_defined.add(token.text)
        self.known = self.given | defined
        # names used alone somewhere (not before "("): variables, for x(x+1)
        self.seen = {t.text for i, t in enumerate(tokens) if t.lastgroup == "NAME" and
                     (i + 1 == len(tokens) or tokens[i + 1].lastgroup != "LPAR")}
        self.applied = {name for name in APPLIED if 1 in calls.get(name, {})} - self.given

    def is_variable(self, name: str) -> bool:
        if name in self.given:
            return True
        return (name in self.known or name in self.seen) and name not in self.calls \
            and name not in self.functions_defined


def _cuts(name: str, pieces, functions, most: int = 4) -> list[list[str]]:
    """The ways to write `name` as two or more pieces side by side (up to `most` ways)."""
    if len(name) > 64:
        return []
    ways: list[list[str]] = []
    stack = [(0, [])]
    while stack and len(ways) < most:
        start, so_far = stack.pop()
        if start == len(name):
            if len(so_far) > 1:
                ways.append(so_far)
            continue
        for end in range(len(name), start, -1):
            piece = name[start:end]
            if piece in pieces or piece in functions:
                stack.append((end, so_far + [piece]))
    return ways


def _split_names(tokens: list[Tok], context: Context, notes: list[str]) -> list[Tok]:
    out: list[Tok] = []
    pieces = context.known - set(context.calls) - set(context.constants)
    for i, token in enumerate(tokens):
        name = token.text
        if token.lastgroup != "NAME" or "." in name or name in context.known or name in context.calls \
                or name in context.constants:
            out.append(token)
            continue
        following = tokens[i + 1].lastgroup if i + 1 < len(tokens) else None
        # a function's name may be a piece (sinx, xsin(x)) when something follows it to apply to
        ways = [way for way in _cuts(name, pieces, context.applied)
                if way[-1] not in context.applied or (following is not None and following not in _ENDS)]
        if not ways and following == "POW_OP" and name.endswith("e") and "e" not in context.known \
                and "e" in context.constants:
            # xe^y, te^{-t}: the variables before the constant e, then e's power (e has no other value)
            stem = name[:-1]
            ways = [way + ["e"] for way in ([[stem]] if stem in pieces else _cuts(stem, pieces, ()))]
        if not ways:
            out.append(token)
            continue
        if len(ways) > 1:
            readings = " or ".join("·".join(way) for way in ways)
            raise GradcalcError(f"{name} can be read {len(ways)} ways: {readings}", token.span(),
                                hint="write the product you mean with *: " +
                                     ", ".join("*".join(way) for way in ways))
        at = token.start
        for piece in ways[0]:
            out.append(Tok("NAME", piece, at, at + len(piece)))
            at += len(piece)
        if not any(piece in context.applied for piece in ways[0]):   # sinx is sin(x): no product to note
            constant = " (e the constant, 2.718…)" if ways[0][-1] == "e" and "e" not in pieces else ""
            notes.append(f"{name} is read as {'·'.join(ways[0])}: names written together multiply when each "
                         f"piece has a value{constant} and the whole has none; if {name} is a variable of its own, "
                         f"give --{name} VALUE")
    return out


# log_2 x, log_{10}(x), \log_2 x, log₂ x, log_e x, log_b x: the logarithm to that base, where the name
# is no variable (not given a value, assigned or listed as an input) and an argument follows it.
_LOG_BASE = re.compile(r"log(?:_([0-9]+(?:\.[0-9]+)?|[^\W\d_]\w*)|([₀-₉]+))")
_SUBSCRIPT_DIGITS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")


class _Based(Tok):
    """log's name when the text gives it a base (log_3 x): the tokens `, 3` go before its closing )."""

    __slots__ = ("base",)

    def __init__(self, text: str, start: int, end: int, base: list[Tok]):
        super().__init__("NAME", text, start, end)
        self.base = base


def log_base(name: str) -> str | None:
    """The base written on `log` (log_2, log_{10}, log₂, log_e, log_b), or None."""
    match = _LOG_BASE.fullmatch(name)
    if match is None:
        return None
    return match.group(1) or match.group(2).translate(_SUBSCRIPT_DIGITS)


def _log_bases(tokens: list[Tok], context: Context, notes: list[str]) -> list[Tok]:
    out: list[Tok] = []
    for i, token in enumerate(tokens):
        base = log_base(token.text) if token.lastgroup == "NAME" else None
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if base is None or token.text in context.known or nxt is None or \
                nxt.lastgroup not in _OPERAND_STARTS and nxt.lastgroup not in ("POW_OP", "SUPERSCRIPT") or \
                not base[0].isdigit() and not context.is_variable(base) and \
                (len(base) > 1 or base in context.calls):     # log_prob x: a variable log_prob
            out.append(token)
            continue
        named = {"2": "log2", "10": "log10"}.get(base, "log" if base == "e" and "e" not in context.given else None)
        written = token.text
        if named is not None:
            notes.append(f"{written} is read as {named}, the logarithm to base {base}; for a variable "
                         f"{written}, give --{written} VALUE")
            out.append(Tok("NAME", named, token.start, token.end))
            continue
        # any other base: log(x, base), the base going in as the call's second argument
        # the base keeps its place in the name, so "no value for b" points at it
        extra = [_empty("COMMA", ",", token.end),
                 Tok("NUMBER" if base[0].isdigit() else "NAME", base, token.end - len(base), token.end)]
        notes.append(f"{written} is read as log(…, {base}), the logarithm to base {base}; for a variable "
                     f"{written}, give --{written} VALUE")
        out.append(_Based("log", token.start, token.end, extra))
    return _bases_in_calls(out)


def _bases_in_calls(tokens: list[Tok]) -> list[Tok]:
    """log_3(x): the base goes before the call's own closing parenthesis."""
    if not any(isinstance(t, _Based) for t in tokens):
        return tokens
    before: dict[int, list[Tok]] = {}
    for i, token in enumerate(tokens):
        if isinstance(token, _Based) and i + 1 < len(tokens) and tokens[i + 1].lastgroup == "LPAR":
            depth = 0
            for k in range(i + 1, len(tokens)):
                depth += (tokens[k].lastgroup in _OPENS) - (tokens[k].lastgroup in _CLOSES)
                if depth == 0:
                    before.setdefault(k, []).extend(token.base)
                    break
            tokens[i] = Tok("NAME", "log", token.start, token.end)
    out: list[Tok] = []
    for k, token in enumerate(tokens):
        out.extend(before.get(k, ()))
        out.append(token)
    return out


def _exponent(tokens: list[Tok], i: int):
    """A function's power written after its name (^2, ^{-1}, ^(-1), ², ⁻¹): (exponent, next index),
    or (None, i) if there is none."""
    if i >= len(tokens):
        return None, i
    token = tokens[i]
    if token.lastgroup == "SUPERSCRIPT":
        return int(token.text.translate(_SUPERSCRIPT_DIGITS)), i + 1
    if token.lastgroup != "POW_OP":
        return None, i
    j = i + 1
    closing = None
    if j < len(tokens) and tokens[j].lastgroup in ("LPAR", "LBRACE"):
        closing = "RPAR" if tokens[j].lastgroup == "LPAR" else "RBRACE"
        j += 1
    sign = 1
    if j < len(tokens) and tokens[j].lastgroup == "ADD_OP":
        sign = -1 if tokens[j].text in "-−–" else 1
        j += 1
    if j < len(tokens) and tokens[j].lastgroup == "NUMBER" and tokens[j].text.isdigit():
        value = sign * int(tokens[j].text)
        j += 1
        if closing is None:
            return value, j
        if j < len(tokens) and tokens[j].lastgroup == closing:
            return value, j + 1
    # another power (sin^(1/2), sin^x): to the end of its brackets, or its one token
    if closing is not None:
        return "other", _group_end(tokens, i + 1) if tokens[i + 1].lastgroup == "LBRACE" else \
            next((k + 1 for k in range(i + 1, len(tokens)) if _balanced(tokens, i + 1, k)), len(tokens))
    return "other", min(j + 1, len(tokens))


def _balanced(tokens: list[Tok], start: int, end: int) -> bool:
    depth = 0
    for k in range(start, end + 1):
        depth += (tokens[k].lastgroup in _OPENS) - (tokens[k].lastgroup in _CLOSES)
    return depth == 0


_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


class _Open:
    """A function applied without parentheses, whose argument is still being read."""

    __slots__ = ("depth", "operands", "power", "paren", "base")

    def __init__(self, depth: int, power: list[Tok], paren: bool, base=()):
        self.depth, self.operands, self.power, self.paren, self.base = depth, 0, power, paren, base


def _apply_functions(tokens: list[Tok], context: Context, notes: list[str]) -> list[Tok]:
    out: list[Tok] = []
    opened: list[_Open] = []
    depth = 0
    after_power = False
    i = 0

    def close_all(at_depth: int, at: int) -> None:
        while opened and opened[-1].depth == at_depth and not opened[-1].paren:
            done = opened.pop()
            out.extend(done.base)
            out.append(_empty("RPAR", ")", at))
            out.extend(_moved(done.power, at))
            if opened and opened[-1].depth == at_depth:
                opened[-1].operands += 1

    while i < len(tokens):
        token = tokens[i]
        kind = token.lastgroup
        last_end = out[-1].end if out else token.start
        if opened and not opened[-1].paren and depth == opened[-1].depth:
            top = opened[-1]
            ends = False
            if kind in _ENDS and not after_power:
                ends = True
            elif kind == "NAME" and token.text in context.applied and top.operands > 0 and not after_power:
                ends = True
            if ends:
                close_all(depth, last_end)
        if kind == "NAME" and token.text in context.applied and not _called_directly(tokens, i):
            power, j = _exponent(tokens, i + 1)
            nxt = tokens[j] if j < len(tokens) else None
            # (a sign does not start an argument: erf + 1 is no erf(+1))
            takes = nxt is not None and nxt.lastgroup in _OPERAND_STARTS
            if power == "other" and takes:
                written = "".join(t.text for t in tokens[i:j])
                exponent = "".join(t.text for t in tokens[i + 2:j])
                raise GradcalcError(f"{written} {_after(tokens, j)} has no one reading",
                                    (token.start, tokens[j - 1].end),
                                    hint=f"a function's power is read when it is a whole number (sin^2 x) or "
                                         f"-1 (the inverse); for another, write {token.text}(...)**{exponent}")
            if power == "other" or not takes:
                out.append(token)      # left as written: the builder says what to type
                i += 1
                after_power = False
                continue
            name, span_end, power_tokens = token.text, token.end, []
            if power is not None:
                span_end = tokens[j - 1].end
                written = "".join(t.text for t in tokens[i:j])
                if power == -1:
                    inverse = INVERSES.get(name)
                    if inverse is None or inverse not in context.calls:
                        raise GradcalcError(f"{written} would be the inverse of {name}", (token.start, span_end),
                                            hint=f"gradcalc has no inverse of {name}; for 1/{name}(x) write "
                                                 f"{name}(x)**-1")
                    notes.append(f"{written} is read as {inverse}, the inverse function, as textbooks mean it; "
                                 f"for 1/{name}(x) write {name}(x)**-1")
                    name = inverse
                elif power > 0:
                    power_tokens = [Tok("POW_OP", "**", 0, 0), Tok("NUMBER", str(power), 0, 0)]
                else:
                    raise GradcalcError(f"{written} has no one reading", (token.start, span_end),
                                        hint=f"write {name}(x)**{power} for a power of {name}(x)")
            out.append(Tok("NAME", name, token.start, span_end))
            base = getattr(token, "base", ())
            if nxt.lastgroup == "LPAR":
                # sin^2(x): the power goes after the parentheses
                opened.append(_Open(depth, power_tokens, True, base))
                i = j
                after_power = False
                continue
            out.append(_empty("LPAR", "(", nxt.start))
            opened.append(_Open(depth, power_tokens, False, base))
            i = j
            after_power = False
            continue
        # the token itself
        if opened and depth == opened[-1].depth and not opened[-1].paren and kind in _OPERAND_STARTS \
                and not after_power:
            opened[-1].operands += 1
        if kind in _OPENS:
            depth += 1
        if kind in _CLOSES and opened and opened[-1].paren and opened[-1].depth == depth - 1:
            out.extend(opened[-1].base)     # log_3^2(x): log(x, 3)**2
        out.append(token)
        if kind in _CLOSES:
            depth -= 1
            if opened and opened[-1].paren and opened[-1].depth == depth:
                done = opened.pop()
                out.extend(_moved(done.power, token.end))
                if opened and opened[-1].depth == depth:
                    opened[-1].operands += 1
        after_power = kind == "POW_OP" or (after_power and kind == "ADD_OP")
        i += 1
    end = out[-1].end if out else 0
    while opened:
        at_depth = opened[-1].depth
        if opened[-1].paren:
            opened.pop()
            continue
        close_all(at_depth, end)
    return out


def _after(tokens: list[Tok], j: int) -> str:
    return tokens[j].text if j < len(tokens) else ""


def _called_directly(tokens: list[Tok], i: int) -> bool:
    return i + 1 < len(tokens) and tokens[i + 1].lastgroup == "LPAR"


def _moved(power: list[Tok], at: int) -> list[Tok]:
    return [_empty(t.lastgroup, t.text, at) for t in power]


def _products_before_parentheses(tokens: list[Tok], context: Context, notes: list[str]) -> list[Tok]:
    """x(x+1) with x a variable: x*(x+1). Where x's name is a function's, or no variable, it stays a call."""
    out: list[Tok] = []
    skip = -1
    for i, token in enumerate(tokens):
        if i <= skip:
            continue
        out.append(token)
        if token.lastgroup == "NAME" and i + 1 < len(tokens) and tokens[i + 1].lastgroup == "LPAR" \
                and context.is_variable(token.text) and token.text not in context.functions_defined \
                and token.text not in context.calls \
                and not (i + 2 < len(tokens) and _is_definition(tokens, i)):
            close = next((k for k in range(i + 2, len(tokens)) if tokens[k].lastgroup not in ("NAME", "COMMA")), i + 2)
            arguments = [t for t in tokens[i + 2:close] if t.lastgroup == "NAME"]
            if token.text in context.given and close < len(tokens) and tokens[close].lastgroup == "RPAR" and \
                    arguments and (len(arguments) > 1 or arguments[0].text not in context.known) and \
                    not any(a.text in context.calls for a in arguments):
                _function_value(token, arguments, tokens[close], context, notes)
                skip = close      # R(W) in CS231n's L_i = … + R(W): the value given as R
                continue
            out.append(_empty("MUL_OP", "*", token.end))
            previous = tokens[i - 1] if i else None
            name = token.text
            if previous is not None and previous.text in ("/", "÷"):
                notes.append(f"/{name}(…) is read left to right, as (…/{name})·(…): a product written "
                             f"without * binds like *; if {name}(…) is the denominator, write /({name}*(…))")
            elif previous is not None and previous.lastgroup == "POW_OP":
                notes.append(f"^{name}(…) is read as (…^{name})·(…): a power takes only the name after it; "
                             f"for the whole product as the exponent, write ^({name}*(…))")
    return out


def _function_value(name: Tok, arguments: list[Tok], close: Tok, context: Context, notes: list[str]) -> None:
    """R(W) (CS231n's regularization), L(w, b) with R, L given a value and W, or the pair w, b, nothing
    to multiply by: the value of R at W, given as R. Its gradient is ∂z/∂R; what R's own formula does
    with W is not in the text. Refused where an argument has a value (w in L(w, b) + λ‖w‖²): ∂z/∂w
    would leave out ∂L/∂w, a different number."""
    listed = ", ".join(a.text for a in arguments)
    written = f"{name.text}({listed})"
    valued = [a.text for a in arguments if a.text in context.given]
    if valued:
        raise GradcalcError(f"{written} is {name.text}'s value at {listed}, a formula the text does not give; "
                            f"{valued[0]} has a value, and how {name.text} changes with {valued[0]} is not "
                            f"written", (name.start, close.end),
                            hint=f"write {name.text}'s formula in {listed} instead of {written}; for a value of "
                                 f"{name.text} that does not depend on {valued[0]}, write {name.text} alone")
    notes.append(f"{written} is read as {name.text}, the value given for it (a function of {listed} in the notes, "
                 f"which have no value): its gradient is ∂z/∂{name.text}" +
                 (f"; for the product, write {name.text}*{listed} and give its value" if len(arguments) == 1 else ""))


def _factorials(tokens: list[Tok]) -> list[Tok]:
    """n! and (n + 1)!: factorial(n), factorial((n + 1)), the call ending at the `!`. A `!` after no
    operand stays (rewrite then gives up, and the parser's error says what `!` is not)."""
    out: list[Tok] = []
    for i, token in enumerate(tokens):
        if token.lastgroup != "BANG":
            out.append(token)
            continue
        if i and tokens[i - 1].lastgroup == "BANG":
            raise GradcalcError("n!! (the double factorial) is not read", token.span(),
                                hint="write n! for the factorial, or the double factorial's product itself")
        start = len(out) - 1
        if start >= 0 and out[start].lastgroup == "RPAR":
            depth = 0
            while start >= 0:
                depth += (out[start].lastgroup == "RPAR") - (out[start].lastgroup == "LPAR")
                if depth == 0:
                    break
                start -= 1
        spaced_not_equal = i + 1 < len(tokens) and tokens[i + 1].lastgroup == "EQUAL"    # x ! = 1
        if start < 0 or out[start].lastgroup not in ("NAME", "NUMBER", "LPAR") or spaced_not_equal:
            out.append(token)
            continue
        at = out[start].start
        out[start:] = [_empty("NAME", "factorial", at), _empty("LPAR", "(", at), *out[start:],
                       Tok("RPAR", ")", token.start, token.end)]
    return out


def _sigmoid_calls(tokens: list[Tok], context: Context, notes: list[str]) -> list[Tok]:
    """σ(z) where σ is no variable: the logistic sigmoid, as neural-network notes write it."""
    out = []
    for i, token in enumerate(tokens):
        if token.lastgroup == "NAME" and token.text == "σ" and i + 1 < len(tokens) \
                and tokens[i + 1].lastgroup == "LPAR" and not context.is_variable("σ") \
                and "σ" not in context.functions_defined and "σ" not in context.calls and not _is_definition(tokens, i):
            notes.append("σ(…) is read as the logistic sigmoid, as neural-network notes write it; "
                         "to multiply a variable σ, give it a value")
            token = Tok("NAME", "sigmoid", token.start, token.end)
        elif token.lastgroup == "NAME" and token.text == "ζ" and i + 1 < len(tokens) \
                and tokens[i + 1].lastgroup == "LPAR" and not context.is_variable("ζ") \
                and "ζ" not in context.functions_defined and "ζ" not in context.calls and not _is_definition(tokens, i):
            # Goodfellow et al.'s softplus, and Riemann's zeta function everywhere else: two numbers
            raise GradcalcError("ζ(…) is softplus, log(1 + e^x), in Goodfellow et al.'s Deep Learning, and the "
                                "Riemann zeta function elsewhere", token.span(),
                                hint="for softplus write softplus(…), or define it first: ζ(x) = \\log(1+\\exp(x))")
        out.append(token)
    return out


def _head_end(tokens: list[Tok], i: int) -> int | None:
    """The index of the = after a formula's head at i (f, or f(x, y)), or None if none is there."""
    if i >= len(tokens) or tokens[i].lastgroup != "NAME":
        return None
    j = i + 1
    if j < len(tokens) and tokens[j].lastgroup == "LPAR":
        j += 1
        while j < len(tokens) and tokens[j].lastgroup in ("NAME", "COMMA"):
            j += 1
        if j >= len(tokens) or tokens[j].lastgroup != "RPAR":
            return None
        j += 1
    return j if j < len(tokens) and tokens[j].lastgroup == "EQUAL" else None


def _unknown_call(form: list[Tok], calls, given) -> bool:
    """Whether a formula calls a name that is no function gradcalc knows and no variable: g(θ^T x)."""
    return any(t.lastgroup == "NAME" and form[k + 1].lastgroup == "LPAR" and t.text not in calls and "." not in t.text
               and t.text not in given and t.text != "σ" for k, t in enumerate(form[:-1]))


def _chains(tokens: list[Tok], notes: list[str], calls=(), given=()) -> list[Tok]:
    """Sigmoid(x) = σ(x) = …, y = f(x) = …: one formula with several names, read under the first (with
    the inputs of whichever head lists them)."""
    out: list[Tok] = []
    i = 0
    while i < len(tokens):
        first = _head_end(tokens, i) if i == 0 or tokens[i - 1].lastgroup == "_SEP" else None
        second = _head_end(tokens, first + 1) if first is not None else None
        listed = first is not None and first > i + 1          # the first head has its (inputs)
        if second is None and first is not None:
            # f(x) = 1/(1 + e^-x) = σ(x): two spellings of one formula; the first is read
            end = _statement_end_index(tokens, first + 1)
            again = next((k for k in range(first + 1, end) if tokens[k].lastgroup == "EQUAL"
                          and _depth_zero(tokens, first + 1, k)), None)
            if again is not None:
                cuts = [first] + [k for k in range(again, end) if tokens[k].lastgroup == "EQUAL"
                                  and _depth_zero(tokens, again, k)] + [end]
                forms = [tokens[a + 1:b] for a, b in zip(cuts, cuts[1:])]
                # h(x) = g(θ^T x) = 1/(1 + e^{-θ^T x}) (CS229): a form written with a function the text
                # never defines is not read; the first form gradcalc can compute is (they are equal)
                form = next((n for n, f in enumerate(forms) if not _unknown_call(f, calls, given)), 0)
                which = "the first formula, A" if form == 0 else \
                    f"the formula {'ABCDEFGH'[min(form, 7)]}: the ones before it call a function the text does not define"
                notes.append(f"{''.join(t.text for t in tokens[i:first])} = A = B is read as {which} "
                             f"(the text says they are equal)")
                out += tokens[i:first + 1] + forms[form]
                i = end
                continue
        if second is None or not listed and second == first + 2:
            # a = b = 0 (Python's chained assignment) is no formula with two names: left as written
            out.append(tokens[i])
            i += 1
            continue
        head = tokens[i:first] if listed or second == first + 2 else [tokens[i]] + tokens[first + 2:second]
        notes.append(f"{' = '.join(''.join(t.text for t in part) for part in (tokens[i:first], tokens[first + 1:second]))}"
                     f" = … is read as {''.join(t.text for t in head)} = …: one formula, named by its first name")
        out += head + [tokens[second]]
        i = second + 1
    return out


def _component_heads(tokens: list[Tok], given, notes: list[str]) -> list[Tok]:
    """f(w, x) = 1/(1 + e^{-(w_0x_0 + w_1x_1 + w_2)}): a head listing vectors whose components the
    formula uses (w_0, x_1), not the vectors themselves. The components are the inputs: the names
    listed are dropped from the head (with a note), where they would be inputs asked for in vain."""
    out: list[Tok] = []
    i = 0
    while i < len(tokens):
        equal = _head_end(tokens, i) if i == 0 or tokens[i - 1].lastgroup == "_SEP" else None
        if equal is None or equal == i + 1:
            out.append(tokens[i])
            i += 1
            continue
        params = [t for t in tokens[i + 2:equal - 1] if t.lastgroup == "NAME"]
        body = {t.text for t in tokens[equal + 1:_statement_end_index(tokens, equal + 1)] if t.lastgroup == "NAME"}
        unused = [p for p in params if p.text not in given and p.text not in body
                  and p.text not in ("True", "False", "None")]     # f(x, True) = x: a slip, said as one
        vectors = [p for p in unused if any(re.search(rf"(?<![^\W\d_]){re.escape(p.text)}_[^\W_]", name)
                                            for name in body)]
        # a name in no name of the formula, not even a piece of one (f(x, y) = 3xy uses x and y)
        unused = vectors + [p for p in unused if p not in vectors and not any(p.text in name for name in body)]
        if not unused:
            out.append(tokens[i])
            i += 1
            continue
        head = ''.join(t.text for t in tokens[i:equal])
        if vectors:
            listed = ", ".join(p.text for p in vectors)
            notes.append(f"{head} = … lists {listed}, and the formula uses {'its' if len(vectors) == 1 else 'their'} "
                         f"components ({vectors[0].text}_0, …): those are the inputs")
        others = [p.text for p in unused if p not in vectors]
        if others:
            # l^{(i)}(w, b) = ½(ŷ^{(i)} − y^{(i)})² (d2l): w, b are in ŷ, which the formula takes as given
            notes.append(f"{head} = … lists {', '.join(others)}, which the formula does not use (no value given "
                         f"either): its inputs are the names it is written in, and no derivative by "
                         f"{', '.join(others)} is printed")
        kept = [p for p in params if p not in unused]
        out.append(tokens[i])
        if kept:
            out.append(tokens[i + 1])
            for k, p in enumerate(kept):
                if k:
                    out.append(_empty("COMMA", ",", p.start))
                out.append(p)
            out.append(tokens[equal - 1])
        i = equal
    return out


_PRIMES = {"'": 1, "’": 1, "′": 1, "″": 2, "‴": 3}


def _primed_heads(tokens: list[Tok], notes: list[str]) -> list[Tok]:
    """f’(x) = σ(x)(1 − σ(x)), y' = 2x: a formula named with a prime, as notes print a derivative's
    formula. It is read as written, the output named f′ (f itself is never read: the formula is)."""
    out: list[Tok] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        j, order = i + 1, 0
        while j < len(tokens) and tokens[j].lastgroup == "unmatched" and tokens[j].text in _PRIMES \
                and tokens[j].start == tokens[j - 1].end:
            order += _PRIMES[tokens[j].text]
            j += 1
        if order == 0 or token.lastgroup != "NAME" or (i and tokens[i - 1].lastgroup != "_SEP"):
            out.append(token)
            i += 1
            continue
        named = [Tok("NAME", token.text + "′" * order, token.start, tokens[j - 1].end)]
        equal = _head_end(named + tokens[j:], 0)
        if equal is None:      # f'(x) in a formula: refused, saying how to ask for it
            out.append(token)
            i += 1
            continue
        written = "".join(t.text for t in tokens[i:j + equal - 1])
        notes.append(f"{written} = … is read as the formula it writes, named {named[0].text}: gradcalc "
                     f"computes that formula and its gradient (it does not differentiate {token.text})")
        out.extend(named)
        i = j
    return out


def _statement_end_index(tokens: list[Tok], start: int) -> int:
    return next((k for k in range(start, len(tokens)) if tokens[k].lastgroup == "_SEP"), len(tokens))


def _depth_zero(tokens: list[Tok], start: int, end: int) -> bool:
    depth = 0
    for k in range(start, end):
        depth += (tokens[k].lastgroup in _OPENS) - (tokens[k].lastgroup in _CLOSES)
    return depth == 0


def _is_definition(tokens: list[Tok], i: int) -> bool:
    """f(x) = … at the start of a statement."""
    if i > 0 and tokens[i - 1].lastgroup != "_SEP":
        return False
    depth = 0
    for j in range(i + 1, len(tokens)):
        kind = tokens[j].lastgroup
        depth += (kind == "LPAR") - (kind == "RPAR")
        if depth == 0:
            return j + 1 < len(tokens) and tokens[j + 1].lastgroup == "EQUAL"
    return False


def _one_argument_extremes(tokens: list[Tok]) -> list[Tok]:
    """maximum(v) and minimum(v) with one argument (Keras' docs: neg=maximum((1-y_true)*y_pred)): the
    largest (smallest) element, max(v) and min(v); with two they stay elementwise."""
    out = list(tokens)
    for i, token in enumerate(tokens):
        if token.lastgroup == "NAME" and token.text in ("maximum", "minimum") and i + 1 < len(tokens) \
                and tokens[i + 1].lastgroup == "LPAR":
            depth, j, comma = 0, i + 1, False
            while j < len(tokens):
                kind = tokens[j].lastgroup
                depth += (kind in _OPENS) - (kind in _CLOSES)
                comma = comma or (kind == "COMMA" and depth == 1)
                if depth == 0:
                    break
                j += 1
            if not comma:
                out[i] = Tok("NAME", token.text[:3], token.start, token.end)
    return out


def _where_clauses(tokens: list[Tok], notes: list[str]) -> list[Tok]:
    """loss = maximum(neg - pos + 1, 0)⏎where neg = … and pos = … (Keras' docs): the clause's definitions,
    split at `and` and commas, read before the statement they explain. A clause on the formula's own line
    (d2l's ŷ = softmax(o) \\quad \\textrm{where} \\quad ŷ_i = …) likewise; one that defines the formula's own
    elements (ŷ_i of ŷ) restates it, and the formula is read."""
    statements, current, depth, restating, split = [], [], 0, False, False
    for k, token in enumerate(tokens):
        depth += (token.lastgroup in _OPENS) - (token.lastgroup in _CLOSES)
        if token.lastgroup == "_SEP":
            statements.append(current)
            current, restating = [], False
        elif restating:
            continue
        elif depth == 0 and token.lastgroup == "NAME" and token.text == "where" and len(current) > 2 \
                and current[1].lastgroup == "EQUAL" and k + 2 < len(tokens) and tokens[k + 1].lastgroup == "NAME" \
                and tokens[k + 2].lastgroup == "EQUAL":
            if re.fullmatch(rf"{re.escape(current[0].text)}_[a-z]", tokens[k + 1].text):
                notes.append(f"where {tokens[k + 1].text} = … restates {current[0].text} element by element: "
                             f"the formula {current[0].text} = … before it is read")
                restating = split = True      # the clause is left out, to the line's end
                continue
            statements.append(current)
            current, split = [token], True      # a clause of its own, read as the next line's would be
        else:
            current.append(token)
    statements.append(current)
    if split:
        tokens = _joined(statements)
    changed, k = False, 0
    while k + 1 < len(statements):
        k += 1
        clause = statements[k]
        if len(clause) > 3 and clause[0].lastgroup == "NAME" and clause[0].text == "where" and \
                clause[1].lastgroup == "NAME" and clause[2].lastgroup == "EQUAL":
            parts, part, depth = [], [], 0
            for token in clause[1:]:
                depth += (token.lastgroup in _OPENS) - (token.lastgroup in _CLOSES)
                if depth == 0 and (token.lastgroup == "COMMA" or token.lastgroup == "NAME" and token.text == "and"):
                    parts.append(part)
                    part = []
                else:
                    part.append(token)
            parts.append(part)
            previous = next((j for j in range(k - 1, -1, -1) if statements[j]), None)
            if previous is None or not all(len(p) > 2 and p[1].lastgroup == "EQUAL" for p in parts):
                continue
            statements[previous:k + 1] = [*parts, statements[previous], *statements[previous + 1:k]]
            k += len(parts) - 1      # past the statement the clause explained
            changed = True
            notes.append("a where clause's definitions are read before the formula they explain")
    return _joined(statements) if changed else tokens


def _definition_lists(tokens: list[Tok], text: str, notes: list[str]) -> list[Tok]:
    """y = 3u − 6, u = 2x² (OpenStax's chain-rule exercises): definitions listed on one line, the first
    the one asked for, the others what it is written in. Read as statements, each definition before its
    uses and the first last (the output): dy/dx through u, never y alone (dy/du). Only where the first
    uses every other one (through the others); a list of unrelated formulas is left to the parser."""
    statements = _statements(tokens)
    changed = False
    for s, statement in enumerate(statements):
        if not any(t.lastgroup == "COMMA" for t in statement):
            continue
        parts = _comma_parts(statement)
        if len(parts) < 2 or not all(len(p) > 2 and p[0].lastgroup == "NAME" and p[1].lastgroup == "EQUAL"
                                     for p in parts):
            continue
        defined = {p[0].text: p for p in parts}
        order = _definitions_order(parts)
        if order is None:
            continue
        said = {p[0].text: " ".join(text[p[0].start:p[-1].end].split()) for p in parts}
        notes.append(f"{', '.join(said[p[0].text] for p in parts)} is read as {'; then '.join(said[n] for n in order)}"
                     f": {parts[0][0].text} is computed through the others, its gradient by the chain rule")
        rebuilt: list[Tok] = []
        for name in order:
            if rebuilt:
                rebuilt.append(_empty("_SEP", "\n", defined[name][0].start))
            rebuilt.extend(defined[name])
        statements[s] = rebuilt
        changed = True
    return _joined(statements) if changed else tokens


def _definitions_order(parts: list[list[Tok]]) -> list[str] | None:
    """The order that reads definitions (NAME = …) before their uses, the first of them last (the
    output), or None where the first does not use every other one (through the others), a name is
    defined twice, or none reads them (u = 2y, y = 3u)."""
    defined = {p[0].text: p for p in parts}
    if len(defined) != len(parts):
        return None
    uses = {name: {t.text for t in p[2:] if t.lastgroup == "NAME" and t.text in defined} for name, p in defined.items()}
    order, state = [], {}
    stack = [(parts[0][0].text, iter(sorted(uses[parts[0][0].text])))]
    state[parts[0][0].text] = "open"
    while stack:      # definitions before their uses (depth first, no recursion)
        name, pending = stack[-1]
        nxt = next(pending, None)
        if nxt is None:
            stack.pop()
            state[name] = "done"
            order.append(name)
        elif state.get(nxt) == "open":
            return None
        elif nxt not in state:
            state[nxt] = "open"
            stack.append((nxt, iter(sorted(uses[nxt]))))
    return order if len(order) == len(parts) else None


def _definition_rows(tokens: list[Tok], text: str, notes: list[str]) -> list[Tok]:
    """\\begin{aligned} z &= t^2 \\\\ t &= x + y \\end{aligned} (a textbook's chain rule): definitions on
    rows of their own, the first the output and the others what it is written in, are read each before
    its uses, the first last, as a line listing them with commas is (_definition_lists)."""
    statements = [s for s in _statements(tokens) if s]
    if len(statements) < 2 or not all(len(s) > 2 and s[0].lastgroup == "NAME" and s[1].lastgroup == "EQUAL"
                                      for s in statements):
        return tokens
    row_of = {s[0].text: n for n, s in enumerate(statements)}
    early = any(row_of.get(t.text, -1) > n for n, s in enumerate(statements) for t in s[2:] if t.lastgroup == "NAME")
    order = _definitions_order(statements) if early else None     # a name used above the row defining it
    if order is None:
        return tokens
    rows = {s[0].text: s for s in statements}
    said = {name: " ".join(text[row[0].start:row[-1].end].replace("&", "").split()) for name, row in rows.items()}
    notes.append(f"{'; '.join(said[s[0].text] for s in statements)} is read as {'; then '.join(said[n] for n in order)}"
                 f": {statements[0][0].text} is computed through the others, its gradient by the chain rule")
    return _joined([rows[name] for name in order])


def _transposes(tokens: list[Tok], context: Context) -> list[Tok]:
    """X^T, X^{T}, X^\\top: the transpose where T is no variable."""
    out: list[Tok] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.lastgroup == "POW_OP" and i + 1 < len(tokens) and "T" not in context.known:
            nxt = tokens[i + 1]
            if nxt.lastgroup == "NAME" and nxt.text == "T":
                out.append(Tok("ATTRIBUTE", ".T", token.start, nxt.end))
                i += 2
                continue
            if nxt.lastgroup == "NAME" and nxt.text[0] == "T" and nxt.text not in context.known and \
                    nxt.text[1:] in context.known:
                # w^Tx_i (CS231n): the transpose of w, then x_i, where x_i has a value and Tx_i none
                out += [Tok("ATTRIBUTE", ".T", token.start, nxt.start + 1),
                        Tok("NAME", nxt.text[1:], nxt.start + 1, nxt.end)]
                i += 2
                continue
            if nxt.lastgroup == "NAME" and nxt.text[0] == "T" and len(nxt.text) > 1 and \
                    nxt.text not in context.known and re.fullmatch(r"[^\W\d]\w*", nxt.text[1:]):
                # neither Tx_i nor x_i has a value: a hint to give --Tx_i would compute the power w^Tx_i
                rest = nxt.text[1:]
                raise GradcalcError(f"^{nxt.text} can be read as the transpose times {rest} (w^T {rest}, as notes "
                                    f"write it) or as the power ^{nxt.text}", (token.start, nxt.end),
                                    hint=f"for the transpose, write ^T {rest} or give --{rest} VALUE; for the power, "
                                         f"write ^{{{nxt.text}}} and give --{nxt.text} VALUE")
            if nxt.lastgroup == "LBRACE" and i + 3 < len(tokens) and tokens[i + 2].text == "T" \
                    and tokens[i + 3].lastgroup == "RBRACE":
                out.append(Tok("ATTRIBUTE", ".T", token.start, tokens[i + 3].end))
                i += 4
                continue
        out.append(token)
        i += 1
    return out


def rewrite(text: str, token_re_source: str, ignore: frozenset, names, calls, constants):
    """The text's tokens as math text and LaTeX mean them, and the notes on readings that differ;
    None if nothing reads differently from the text as typed."""
    tokens = _lex(text, token_re_source, ignore)
    notes: list[str] = []
    if "\\log" in text:
        _natural_log(tokens, notes)
    before = [(t.lastgroup, t.text, t.start, t.end) for t in tokens]
    if "\\" in text:
        tokens = _domains(_evaluation_bars(_sentence_end(_interleaved_braces(_tex_marks(_tex_subscripts(tokens))), notes),
                                           notes), text, notes)
        if any(t.text in _ARROWS for t in tokens):
            tokens = _stated_derivatives(tokens, text, notes)
        tokens = _derivative_heads(tokens, text, notes)
        if sum(t.lastgroup == "EQUAL" for t in tokens) > 1:
            tokens = _undefined_calls_first(tokens, text, names, calls, notes)
    tokens = _ellipsis_sums(_derivative_operators(tokens, text, set(names), notes), text, set(names), notes)
    tokens = _label_indices(tokens, set(names), notes)
    tokens = _braced_heads(_labels(_latex(_sums(_examples(tokens, set(names)), set(names), notes=notes)), set(names),
                                   notes))
    tokens = _definition_lists(_where_clauses(_one_argument_extremes(_factorials(_bars(tokens))), notes), text, notes)
    if "\\begin" in text or "\\\\" in text or "$" in text:      # rows of a LaTeX display, not Python lines
        tokens = _definition_rows(tokens, text, notes)
    if any(token.lastgroup == "BANG" for token in tokens):
        return None      # a ! that is no factorial: the parser's error stands
    tokens = _component_heads(_chains(_primed_heads(tokens, notes), notes, calls, names), set(names), notes)
    context = Context(tokens, names, calls, constants)
    tokens = _transposes(tokens, context)
    if any(isinstance(t, _Row) for t in tokens):
        tokens = _rows(tokens, notes)
    tokens = _log_bases(tokens, context, notes)
    tokens = _split_names(tokens, context, notes)
    tokens = _apply_functions(tokens, context, notes)
    tokens = _sigmoid_calls(tokens, context, notes)
    tokens = _products_before_parentheses(tokens, context, notes)
    if [(t.lastgroup, t.text, t.start, t.end) for t in tokens] == before:
        return None
    return tokens, notes


def _natural_log(tokens: list[Tok], notes: list[str]) -> None:
    """\\log without a base is ln, as calculus and machine-learning texts mean it; a text that writes \\ln too
    means something else by \\log (base 10, as Paul's notes and engineering texts): both readings shown."""
    bare = [t for i, t in enumerate(tokens) if t.text == "\\log" and not (i + 1 < len(tokens) and tokens[i + 1].text.startswith("_"))]
    if not bare:
        return
    if any(t.text == "\\ln" for t in tokens):
        raise _latex_error(bare[0], "\\log beside \\ln: this text's \\log is another logarithm than its \\ln, "
                                    "most often base 10", hint="write \\log_{10} for base 10, or \\ln for the natural log")
    notes.append("\\log is read as the natural logarithm ln, as calculus and machine-learning texts mean it; "
                 "for base 10 write \\log_{10}")


def could_split(name: str, names, calls) -> bool:
    """Whether a name no value was given for is written as given names side by side (xy from x, y),
    or a function and given names (sinx): the parser then reads the text again with these rules."""
    pieces = set(names)
    applied = {f for f in APPLIED if 1 in calls.get(f, {})} - pieces
    stem = name[:-1] if name.endswith("e") and "e" not in pieces else ""    # xe^y: x times e^y
    return name not in pieces and "." not in name and (bool(_cuts(name, pieces, applied, most=1)) or
                                                       log_base(name) is not None or stem in pieces or
                                                       bool(stem and _cuts(stem, pieces, (), most=1)))


# -- functions defined in the text: N(x) = … then N(d1); y = f(x) = … -------------------------------------
_DEFINITION = re.compile(r"(?m)(?:^|(?<=;))[ \t]*(\\?[^\W\d][\w]*)[ \t]*\(([^()=]*)\)[ \t]*=(?!=)")
_CHAIN = re.compile(r"(?m)(?:^|(?<=;))[ \t]*[^\W\d][\w]*[ \t]*(=[ \t]*[^\W\d][\w]*)[ \t]*\([^()=]*\)[ \t]*=(?!=)")


def definitions(text: str):
    """Functions defined in the text and called later (N(x) = … then N(d1); f(x) = x^2; f(3y)): the
    text with those definitions blanked, and each as (name, parameters, where its body starts, body);
    `y = f(x) = …` chains read as y(x) = …. None if the text has neither."""
    if "=" not in text or "(" not in text:
        return None
    notes: list[str] = []
    chars = None
    for match in _CHAIN.finditer(text):
        chars = chars or list(text)
        start, end = match.span(1)
        chars[start:end] = " " * (end - start)
        written = text[match.start():match.end()].strip()
        notes.append(f"{written} … is read as {text[match.start():start].strip()}"
                     f"{text[end:match.end()].strip()} …: the formula named by its first name")
    if chars is not None:
        text = "".join(chars)
    functions = []
    for match in _DEFINITION.finditer(text):
        written = name = match.group(1)
        if name.startswith("\\"):      # \zeta(x) = …: the Greek letter's name, ζ
            name = GREEK.get(name[1:])
            if name is None:
                continue
        params = [p.strip() for p in match.group(2).split(",") if p.strip()]
        if not all(re.fullmatch(r"[^\W\d]\w*", p) for p in params):
            continue
        body_start, body_end = match.end(), statement_end(text, match.end())
        if re.search(rf"(?<![\w.]){re.escape(written)}[ \t]*\(", text[body_end:]) is None:
            continue           # not called later: f(x) = … names the output f (of inputs x)
        functions.append((name, params, body_start, text[body_start:body_end], (match.start(1), match.end(1))))
        chars = list(text)
        chars[match.start():body_end] = [" " if c != "\n" else c for c in text[match.start():body_end]]
        text = "".join(chars)
    if not functions and not notes:
        return None
    return text, functions, notes
