"""LaTeX as copied from notes and sheets (README: How gradcalc reads what you paste): each command is
read as the grammar's tokens (gradcalc/mathtext.py); values and gradients against SymPy's own LaTeX
reader (sympy.parsing.latex, with the ANTLR runtime of the test extras) as an independent oracle."""

import math

import numpy as np
import pytest
import sympy as sp
from helpers import assert_error, run
from sympy.parsing.latex import parse_latex

from gradcalc import compute

GREEK = {"sigma": "σ", "alpha": "α", "beta": "β", "mu": "μ", "theta": "θ", "lambda": "λ", "epsilon": "ε"}


def _ours(symbol: sp.Symbol) -> str:
    """SymPy's name for a symbol read from LaTeX (x_{1}, sigma) → gradcalc's (x_1, σ)."""
    name = symbol.name.replace("{", "").replace("}", "")
    return GREEK.get(name, name)


@pytest.mark.parametrize("latex, point", [
    (r"\frac{1}{x}", {"x": 4.0}),
    (r"\frac{x^{2} + 1}{2x}", {"x": 1.5}),
    (r"\dfrac{a}{b}", {"a": 3.0, "b": 2.0}),
    (r"\sqrt{x^2 + y^2}", {"x": 3.0, "y": 4.0}),
    (r"\sqrt[3]{x}", {"x": 8.0}),
    (r"\sqrt[4]{x + 1}", {"x": 15.0}),
    (r"e^{-x^{2}/2}", {"x": 0.7}),
    (r"\exp\left(-\frac{(x - \mu)^2}{2\sigma^2}\right)", {"x": 1.2, "μ": 0.5, "σ": 1.5}),
    (r"\frac{1}{\sigma\sqrt{2\pi}} e^{-\frac{(x-\mu)^{2}}{2\sigma^{2}}}", {"x": 1.2, "μ": 0.5, "σ": 1.5}),
    (r"\sin(x) \cdot \cos(x)", {"x": 0.7}),
    (r"\ln(x) \times y", {"x": 2.0, "y": 3.0}),
    (r"\log(x^{2} + 1)", {"x": 2.0}),
    (r"\tanh(w_{1} x_{1} + w_{2} x_{2} + b)", {"w_1": 0.5, "x_1": 1.0, "w_2": -0.3, "x_2": 2.0, "b": 0.1}),
    (r"\left[ x^2 - y \right]^2", {"x": 1.5, "y": 0.5}),
    (r"4\epsilon\left[\left(\frac{\sigma}{r}\right)^{12} - \left(\frac{\sigma}{r}\right)^{6}\right]",
     {"ε": 0.8, "σ": 1.1, "r": 1.3}),
    (r"\alpha x^{2} + \beta x", {"α": 2.0, "β": -1.0, "x": 3.0}),
    (r"\frac{1}{1 + e^{-\theta x}}", {"θ": 0.5, "x": 2.0}),
    (r"\sin^{2} x + \cos x", {"x": 0.7}),
    # \lambda holds Python's keyword: it must not be taken for a pasted lambda
    (r"e^{-\lambda t}", {"λ": 2.0, "t": 1.5}),
    (r"\lambda x^{2} + 2\lambda", {"λ": 0.5, "x": 3.0}),
])
def test_latex_matches_sympys_reading(latex, point):
    exact = parse_latex(latex)
    exact = exact.subs({sp.Symbol("e"): sp.E, sp.Symbol("pi"): sp.pi})   # SymPy's reader leaves e a symbol
    symbols = {_ours(s): s for s in exact.free_symbols}
    assert set(symbols) == set(point), (symbols, point)
    at = {symbols[name]: value for name, value in point.items()}
    found = compute(f"${latex}$" if "frac" in latex else latex, point)
    assert found.value == pytest.approx(float(exact.subs(at).evalf()), rel=1e-12)
    for name, symbol in symbols.items():
        assert found.gradient[name] == pytest.approx(float(sp.diff(exact, symbol).subs(at).evalf()),
                                                     rel=1e-10, abs=1e-12), name


@pytest.mark.parametrize("latex, point, expected", [
    (r"$x^{2}$", {"x": 3.0}, 9.0),                                  # $…$ delimiters dropped
    (r"x\,y", {"x": 2.0, "y": 3.0}, 6.0),                           # \, spacing
    (r"x \; y \quad + 1", {"x": 2.0, "y": 3.0}, 7.0),
    (r"\frac12 x", {"x": 3.0}, 1.5),                                # TeX's one-digit arguments
    (r"\mathrm{e}^{x}", {"x": 1.0}, math.e),                        # \mathrm{…}: the word inside
    (r"\operatorname{relu}(x)", {"x": -2.0}, 0.0),
    (r"\max(x, y)", {"x": 2.0, "y": 5.0}, 5.0),
    (r"\left| x \right|", {"x": -2.5}, 2.5),                        # \left| … \right| is abs
    (r"\sigma_{1} + x_{12}", {"σ_1": 1.0, "x_12": 2.0}, 3.0),       # subscripts join the name
    (r"\pi r^{2}", {"r": 2.0}, 4 * math.pi),
    (r"\arcsin(x)", {"x": 0.5}, math.asin(0.5)),
    (r"\cos^{-1} x", {"x": 0.5}, math.acos(0.5)),                   # the inverse, as textbooks mean
    (r"\left\{ x + 1 \right\} \div 2", {"x": 3.0}, 2.0),
    (r"x \ast y", {"x": 2.0, "y": 4.0}, 8.0),
])
def test_latex_forms(latex, point, expected):
    assert compute(latex, point).value == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("latex, message, caret", [
    (r"\int x dx", r"the LaTeX command \int is not read", "  ^^^^"),
    (r"x + \foo", r"the LaTeX command \foo is not read", "      ^^^^"),
    (r"\frac{1}{x", "this brace is never closed", "          ^"),
    (r"\frac{1}", "a LaTeX command ends too early", None),
])
def test_latex_not_read_is_refused_with_a_caret(latex, message, caret):
    result = run(latex, "--x", "1")
    assert_error(result, 2, message, caret)
    assert "hint:" in result.stderr


def test_a_latex_error_in_a_reading_keeps_its_place():
    # The tokens keep their places, so an error after a LaTeX command points into the text as typed.
    result = run(r"\frac{1}{x} + )", "--x", "1")
    assert_error(result, 2, "unexpected ')'", "                ^")


def _matches_sympy(latex, point, oracle):
    """`latex` at `point` has the value and gradient of the SymPy formula `oracle`."""
    symbols = {name: sp.Symbol(name, real=True) for name in point}
    exact = sp.sympify(oracle, locals=symbols)
    at = {symbols[name]: value for name, value in point.items()}
    found = compute(latex, point)
    assert found.value == pytest.approx(float(exact.subs(at)), rel=1e-12)
    for name, symbol in symbols.items():
        assert found.gradient[name] == pytest.approx(float(sp.diff(exact, symbol).subs(at)), rel=1e-10), name


@pytest.mark.parametrize("latex, point, oracle", [
    # a formula with two heads: read under the first (PyTorch's docs)
    (r"\text{Sigmoid}(x) = \sigma(x) = \frac{1}{1 + \exp(-x)}", {"x": 0.7}, "1/(1 + exp(-x))"),
    (r"\text{Tanh}(x) = \tanh(x) = \frac{\exp(x) - \exp(-x)}{\exp(x) + \exp(-x)}", {"x": 0.7}, "tanh(x)"),
    # σ(…) with no variable σ is the logistic sigmoid
    (r"\text{silu}(x) = x * \sigma(x)", {"x": 0.7}, "x/(1 + exp(-x))"),
    # a function named with capitals in \text{…}: the function
    (r"\text{Mish}(x) = x * \text{Tanh}(\text{Softplus}(x))", {"x": 0.7}, "x*tanh(log(1 + exp(x)))"),
    # \_ inside \text{…} is an underscore; a sentence's full stop in \text{…} (const.) is dropped
    (r"\max(0, x) + \text{negative\_slope} * \min(0, x) + \text{const.}",
     {"x": -0.7, "negative_slope": 0.01, "const": 0.5}, "Max(0, x) + negative_slope*Min(0, x) + const"),
    # a formula's next line starting with = continues it; a head's inputs may be LaTeX names
    ("L(y_{\\text{pred}},\\ y_{\\text{true}})\n    = y_{\\text{true}} \\cdot \\log \\frac{y_{\\text{true}}}{y_{\\text{pred}}}",
     {"y_pred": 0.3, "y_true": 0.6}, "y_true*log(y_true/y_pred)"),
])
def test_latex_from_library_docs(latex, point, oracle):
    _matches_sympy(latex, point, oracle)


def test_sigma_given_a_value_stays_a_variable():
    # σ(x + 1) with --σ given is σ·(x + 1): the sigmoid reading is only for a σ with no value.
    assert compute(r"\sigma(x + 1)", {"σ": 2.0, "x": 1.0}).value == 4.0
    assert any("logistic sigmoid" in note for note in compute(r"\sigma(x)", x=0.0).graph.notes)


@pytest.mark.parametrize("latex, point, oracle", [
    # f(x) = A = B: two spellings of one formula, the first read (with a note)
    (r"$swish(x) = x*sigmoid(x) =\frac{x}{1+e^{-x}}$", {"x": 0.5}, "x/(1 + exp(-x))"),
    (r"$f(x) = \frac{1}{1 + e^{-x}} = \sigma(x)$", {"x": 0.5}, "1/(1 + exp(-x))"),
    # ≈ after a formula's head: the formula
    (r"$\Phi(x) \approx 0.5 \times (1 + \tanh(x))$", {"x": 0.5}, "(1 + tanh(x))/2"),
])
def test_formulas_written_as_equal_spellings(latex, point, oracle):
    _matches_sympy(latex, point, oracle)


def test_pythons_chained_assignment_is_not_a_formula_with_two_names():
    # a = b = 0 gives both names 0 in Python: read as a formula named a, b would keep its own value.
    assert_error(run("a = b = 0; a + b", "--b", "5"), 2, "unexpected '='")


# -- norms and display-math delimiters ------------------------------------------------------------------------
@pytest.mark.parametrize("text", [r"\| x \| + \|x\|^2", r"\lVert x \rVert + \lVert x \rVert^2",
                                  r"\left\| x \right\| + \left\|x\right\|^2", "‖x‖ + ‖x‖²", r"\Vert x\Vert + \Vert x \Vert^2"])
def test_a_norm_is_the_euclidean_norm(text):
    x = np.array([3.0, 4.0, 12.0])
    found = compute(text, {"x": x})
    norm = np.linalg.norm(x)
    assert found.value == pytest.approx(norm + norm ** 2, rel=1e-14)
    assert np.allclose(found.gradient["x"], x / norm + 2 * x, rtol=1e-14)


@pytest.mark.parametrize("text", [
    r"\[ L = \frac{1}{2} x^2 y \]",
    r"\begin{equation} L = \frac{1}{2} x^2 y \end{equation}",
    r"\begin{equation*}L = \tfrac12 x^2 y\end{equation*}",
    r"\begin{align} a &= \frac{1}{2} x^2 \\ L &= a y \end{align}",
    "\\begin{align*}\n  a &= \\frac{1}{2} x^2 \\\\\n  L &= a y\n\\end{align*}",
])
def test_display_math_delimiters_are_dropped_like_dollars(text):
    x, y = sp.symbols("x y")
    exact = x ** 2 * y / 2
    point = {x: 1.5, y: -0.7}
    found = compute(text, {"x": 1.5, "y": -0.7})
    assert found.value == pytest.approx(float(exact.subs(point)), rel=1e-14)
    for name, symbol in (("x", x), ("y", y)):
        assert found.gradient[name] == pytest.approx(float(sp.diff(exact, symbol).subs(point)), rel=1e-14)


@pytest.mark.parametrize("text, order", [(r"\|x\|_2", 2), (r"\| x \|_{2}", 2), (r"\|x\|_1", 1),
                                         (r"\lVert x \rVert_{1}", 1), (r"\|x\|_\infty", np.inf),
                                         (r"\|x\|_{\infty}", np.inf)])
def test_a_norms_subscript_is_its_order(text, order):
    x = np.array([3.0, -4.0, 1.5])
    found = compute(f"{text} + 1", {"x": x})
    assert found.value == pytest.approx(np.linalg.norm(x, order) + 1, rel=1e-14)
    expected = {2: x / np.linalg.norm(x), 1: np.sign(x), np.inf: np.array([0.0, -1.0, 0.0])}[order]
    assert np.allclose(found.gradient["x"], expected, rtol=1e-14)


def test_a_norm_of_another_order_is_refused_not_guessed():
    assert_error(run(r"\|x\|_3", "--x", "[3, 4]"), 2, "subscript 3 is not read")


@pytest.mark.parametrize("latex", [r"\sigma(\sum_iw_ix_i + b)", r"\sigma(\sum_i w_ix_i + b)",
                                   r"\sigma(\sum_i w_i x_i + b)"])
def test_an_unbraced_subscript_is_one_character(latex):
    # TeX reads w_ix_i as w_i x_i and \sum_iw_i as \sum_i w_i: the first was σ(b), the sum dropped
    # (held-out corpus), the second an unknown array w_ix.
    w, x, b = [0.3, 0.1, -0.4], [0.5, -1.2, 2.0], 0.2
    result = compute(latex, {"w": w, "x": x, "b": b})
    u = sum(wi * xi for wi, xi in zip(w, x)) + b
    s = 1 / (1 + math.exp(-u))
    assert float(result.value) == pytest.approx(s, rel=1e-12)
    assert np.allclose(result.gradient["w"], s * (1 - s) * np.array(x), rtol=1e-12)


def test_a_python_name_with_underscores_stays_whole_in_latex():
    result = compute(r"\sqrt{learning_rate_x}", {"learning_rate_x": 4.0})
    assert float(result.value) == pytest.approx(2.0)


@pytest.mark.parametrize("latex", [r"\partial", r"\partial f", r"\nabla", r"\partial}"])
def test_a_lone_derivative_sign_is_refused_not_a_crash(latex):
    # \partial alone indexed past the end of the text's tokens: exit 70, an internal error (test_fuzz)
    result = run(latex, "--x", "1")
    assert result.exit_code == 2 and "which gradcalc computes rather than reads" in result.stderr
