"""--symbolic on a corpus of textbook derivatives: each formula equal to SymPy's derivative, and no
longer (in operations) than 1.5× what SymPy's simplify makes of it. The distribution of the size
ratios is written in BENCHMARKS.md (python tests/test_corpus.py prints it)."""

import re

import pytest
import sympy as sp

from gradcalc import compute
from gradcalc.errors import GradcalcError
from gradcalc.higher import beyond

CORPUS = [
    "x**2", "x**3 - 2*x + 1", "3*x**4 - 5*x**2 + 7", "x**(1/3)", "sqrt(x)", "1/x", "1/x**2",
    "x**(3/2)", "pi*x**2", "x/3", "(2*x + 1)**5", "sqrt(1 - x**2)", "1/sqrt(x**2 + 1)", "exp(2*x)",
    "exp(-x**2)", "x*exp(x)", "x**2*exp(-x)", "exp(x)*sin(x)", "log(x)", "log(x**2 + 1)", "x*log(x)",
    "log(x)/x", "log(log(x))", "sin(x)", "cos(3*x)", "tan(x)", "sin(x)**2", "sin(x)*cos(x)", "x*sin(x)",
    "sin(x)/x", "cos(x)/(1 + sin(x))", "tanh(x)", "sigmoid(x)", "x/(x + 1)", "(x - 1)/(x + 1)",
    "(x**2 + 1)/(x - 1)", "x**2/(1 + x)", "1/(1 + x**2)", "x**x", "2**x", "exp(sin(x))", "sin(exp(x))",
    "sqrt(x)*log(x)", "exp(x)/x", "x**3*exp(x)", "log(sin(x))", "sin(x/6)*y**3/5", "x**2*y + y**3",
    "x*y/(x + y)", "exp(x*y)", "sin(x)*cos(y)", "sqrt(x**2 + y**2)", "log(x*y)", "(x + y)**2",
    "0.1*x**3 + 0.25*x", "x**0.5", "cos(x)**3", "x*sqrt(1 + x)", "1/(x*log(x))", "e**(2*x)",
    "sqrt(2)*x**2 - pi*x",
]

X, Y = sp.symbols("x y", positive=True)
SIGMOID = sp.Function("sigmoid")
NAMES = {"x": X, "y": Y, "pi": sp.pi, "e": sp.E, "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt,
         "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "tanh": sp.tanh}


def to_sympy(text: str, opaque: bool = False):
    """gradcalc's syntax read by SymPy; sigmoid as a function of its own (opaque) or written out."""
    sigmoid = SIGMOID if opaque else (lambda u: 1 / (1 + sp.exp(-u)))
    return sp.sympify(text, locals={**NAMES, "sigmoid": sigmoid}, rational=True)


def formulas(text: str) -> dict[str, str]:
    names = [n for n in ("x", "y") if n in text.replace("exp", "").replace("sqrt", "")]
    for point in (0.7, 1.7):     # a point inside the domain (log(log(x)) needs x > 1)
        try:
            found = beyond(compute(text, {n: point for n in names}), symbolic=True).symbolic
        except GradcalcError:
            continue
        return {key[1]: formula for key, formula in found.ascii.items()}
    raise AssertionError(f"no point in the domain of {text}")


def measure(text: str) -> list[tuple[str, str, int, int]]:
    """(variable, our formula, our operations, operations of SymPy's simplified derivative)."""
    rows = []
    for name, formula in formulas(text).items():
        assert not re.search(r"\d\.\d{6}", formula), f"a float in d/d{name} {text}: {formula}"
        ours, exact = to_sympy(formula), sp.diff(to_sympy(text), NAMES[name])
        for point in (0.37, 0.61, 0.83):          # equal: at 30 digits, at three points
            difference = (ours - exact).evalf(30, subs={X: point, Y: point + 0.25})
            assert abs(difference) < 1e-20, f"d/d{name} {text}: {formula} is not {exact}"
        # Sizes: ours with sigmoid counted as one function, as it is written; SymPy's simplest form.
        rows.append((name, formula, sp.count_ops(to_sympy(formula, opaque=True)),
                     sp.count_ops(sp.simplify(exact))))
    return rows


def test_corpus_is_large_enough():
    assert len(CORPUS) >= 50


@pytest.mark.parametrize("text", CORPUS)
def test_formula_equals_sympy_and_is_no_longer_than_its_simplify(text):
    for name, formula, ours, simplest in measure(text):
        assert ours <= max(1.5 * simplest, 1), f"d/d{name} {text}: {formula} has {ours} operations, " \
                                               f"SymPy's simplify {simplest}"


@pytest.mark.parametrize("text, expected", [
    ("pi*x**2", "2*pi*x"), ("x/3", "1/3"), ("x**(1/3)", "1/(3*x**(2/3))"), ("0.1*x**3 + 0.25*x", "0.3*x**2 + 0.25"),
    ("sqrt(2)*x**2 - pi*x", "2*sqrt(2)*x - pi"), ("x**3*exp(x)", "exp(x)*(x**3 + 3*x**2)"),
    ("log(x)/x", "(1 - log(x))/x**2"), ("x**x", "x**x*(log(x) + 1)"), ("sin(x)**2", "sin(2*x)"),
    ("x/(x + 1)", "1/(x + 1)**2"), ("x**0.5", "0.5/sqrt(x)"),
])
def test_exact_textbook_forms(text, expected):
    assert formulas(text)["x"] == expected


def test_the_issue_examples():
    assert formulas("sin(x/6)*y**3/5") == {"x": "y**3*cos(x/6)/30", "y": "3*sin(x/6)*y**2/5"}
    found = beyond(compute("x**3*exp(x)", x=1.0), order=3, symbolic=True).symbolic.pretty
    assert found[("order", 3)] == "exp(x)·(x^3 + 9·x^2 + 18·x + 6)"


def test_hessian_formulas_are_exact():
    found = beyond(compute("x**3*y/3 + pi*x*y**2", x=1.0, y=2.0), hessian_wanted=True,
                   symbolic=True).symbolic.ascii
    assert found[("hessian", "x", "x")] == "2*x*y"
    assert found[("hessian", "x", "y")] == "x**2 + 2*pi*y"
    assert found[("hessian", "y", "y")] == "2*pi*x"


if __name__ == "__main__":      # the distribution of size ratios, for BENCHMARKS.md
    from collections import Counter

    ratios = []
    for text in CORPUS:
        for name, formula, ours, simplest in measure(text):
            ratios.append(ours / simplest if simplest else 1.0)
            print(f"{text:24} d/d{name}  {formula:44} {ours:3} / {simplest:3}")
    buckets = Counter("< 1" if r < 1 else "= 1" if r == 1 else "≤ 1.25" if r <= 1.25 else "≤ 1.5"
                      if r <= 1.5 else "> 1.5" for r in ratios)
    print(len(ratios), "formulas:", dict(buckets), "max", max(ratios))
