"""Mathematics as students paste it from lecture notes, textbooks and papers (LaTeX from MathJax/KaTeX
pages, plain maths text): each text's value and gradient against SymPy's, the formula written out by
hand in SymPy (an independent oracle: SymPy differentiates, gradcalc's tape does not take part).
Texts the notation leaves with two readings are refused (exit 2) with both readings in the message."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from gradcalc import compute
from gradcalc.errors import GradcalcError


def _sympy_answer(formula, values: dict):
    """The value and gradient SymPy finds for `formula` (a function of SymPy symbols, one per scalar
    input and a list of symbols per array input, in the order of `values`) at `values`."""
    symbols, at = {}, {}
    for name, value in values.items():
        if isinstance(value, list):
            symbols[name] = [sp.Symbol(f"{name}_{k}", real=True) for k in range(len(value))]
            at.update(zip(symbols[name], value))
        else:
            symbols[name] = sp.Symbol(name, real=True)
            at[symbols[name]] = value
    expr = formula(*symbols.values())
    value = float(expr.subs(at).evalf(30))
    gradient = {}
    for name, symbol in symbols.items():
        if isinstance(symbol, list):
            gradient[name] = [float(sp.diff(expr, s).subs(at).evalf(30)) for s in symbol]
        else:
            gradient[name] = float(sp.diff(expr, symbol).subs(at).evalf(30))
    return value, gradient


def _check(text: str, values: dict, formula) -> None:
    given = {name: np.asarray(v, dtype=float) if isinstance(v, list) else v for name, v in values.items()}
    found = compute(text, given)
    value, gradient = _sympy_answer(formula, values)
    assert float(found.value) == pytest.approx(value, rel=1e-10, abs=1e-12), text
    for name, expected in gradient.items():
        assert np.asarray(found.gradient[name], dtype=float) == pytest.approx(np.asarray(expected), rel=1e-9,
                                                                              abs=1e-12), (text, name)


F, G = [0.5, -0.3, 1.2], [1.0, 0.0, 1.0]

READ = [
    # \( … \) and \[ … \], the inline and display delimiters MathJax and KaTeX accept, like $ and $$
    (r"\(\zeta(x) = \log(1+\exp(x))\)", {"x": 0.7}, lambda x: sp.log(1 + sp.exp(x))),
    (r"\(f(x, y)=e^{x y} \cos (x) \sin (y)\)", {"x": 0.5, "y": 1.2},
     lambda x, y: sp.exp(x * y) * sp.cos(x) * sp.sin(y)),
    ("\\[\n\\text{ReLU}(x)=\\text{max}(0,x)=\\frac{\\rvert x\\lvert+x}{2}\n\\]", {"x": 0.7}, lambda x: x),
    (r"\[ g(t) = \left\lvert t^3 - 2t \right\rvert \]", {"t": 0.5}, lambda t: sp.Abs(t ** 3 - 2 * t)),
    # an aligned block whose rows go on with &=: one formula, its first form read
    (r"$$\begin{aligned}\zeta(x)&=\log(1+e^x)\\&=\log(1+e^{-|x|})+\max(0,x)\end{aligned}$$", {"x": 0.7},
     lambda x: sp.log(1 + sp.exp(x))),
    ("\\begin{align}\nh(u) &= (u - 1)^2 \\\\\n     &= u^2 - 2u + 1\n\\end{align}", {"u": 3.0}, lambda u: (u - 1) ** 2),
    # bars as MathJax draws them: \vert, \lvert…\rvert, \mid; inside a sum, with a − between them
    (r"\lvert x \rvert^2 + \vert y\vert", {"x": 0.7, "y": -1.2}, lambda x, y: sp.Abs(x) ** 2 + sp.Abs(y)),
    (r"\sum_j |f_j - g_j|", {"f": F, "g": G}, lambda f, g: sum(sp.Abs(f[j] - g[j]) for j in range(3))),
    (r"\sum_j \left| f_j - g_j \right|", {"f": F, "g": G}, lambda f, g: sum(sp.Abs(f[j] - g[j]) for j in range(3))),
    # CS231n's L1 loss: a chain L_i = A = B read as A; (y_i)_j is the element j of y_i
    (r"L_i = \Vert f - y_i \Vert_1 = \sum_j \mid f_j - (y_i)_j \mid", {"f": F, "y_i": G},
     lambda f, y: sum(sp.Abs(f[j] - y[j]) for j in range(3))),
    # a function the text defines with a Greek name is that function, never the notes' convention
    ("\\zeta(x) = \\log(1+\\exp(x))\ny = \\zeta(x) - \\zeta(-x)", {"x": 0.7},
     lambda x: sp.log(1 + sp.exp(x)) - sp.log(1 + sp.exp(-x))),
    ("\\sigma(x) = x^2\ny = \\sigma(3x)", {"x": 0.7}, lambda x: (3 * x) ** 2),
    # braces TeX draws as nothing, closing inside parentheses they did not open: exp(βx) as the page shows
    ("\\[\n\\text{Softplus}(x)=\\frac{1}{\\beta}\\times \\log{\\big(1+\\exp{(\\beta x})\\big)}\n\\]", {"x": 0.7, "β": 2.0},
     lambda x, b: sp.log(1 + sp.exp(b * x)) / b),
    # letters run together before the constant e's power: x·e^y
    ("f(x,y)=xe^y", {"x": 0.5, "y": 1.2}, lambda x, y: x * sp.exp(y)),
    (r"te^{-t}", {"t": 0.3}, lambda t: t * sp.exp(-t)),
    # a term after + that uses the sum's index is in the sum (outside it the index has no value)
    (r"L_i = \sum_j y_{ij} \log(\sigma(f_j)) + (1 - y_{ij}) \log(1 - \sigma(f_j))", {"f": F, "y_ij": [1.0, 0.0, 0.0]},
     lambda f, y: sum(y[j] * sp.log(1 / (1 + sp.exp(-f[j]))) + (1 - y[j]) * sp.log(1 - 1 / (1 + sp.exp(-f[j])))
                      for j in range(3))),
    (r"\sum_j f_j^2 + \sum_j g_j", {"f": F, "g": G}, lambda f, g: sum(v ** 2 for v in f) + sum(g)),
    (r"\sum_j f_j^2 + c", {"f": F, "c": 2.0}, lambda f, c: sum(v ** 2 for v in f) + c),
    (r"\sum_j f_j^2 + c_j", {"f": F, "c_j": 2.0}, lambda f, c: sum(v ** 2 for v in f) + c),    # c_j: a value of its own
    # cases decided by the given value; a chained condition -1 < x < 1 is both comparisons holding
    *[("\\mathrm{sparse\\_plus}(x) = \\begin{cases}\n  0, & x \\leq -1\\\\\n  \\frac{1}{4}(x+1)^2, & -1 < x < 1 \\\\\n"
       "  x, & 1 \\leq x\n\\end{cases}", {"x": x}, formula)
      for x, formula in ((0.3, lambda x: (x + 1) ** 2 / 4), (-2.0, lambda x: 0 * x), (1.5, lambda x: x))],
    # R(W) with R given and W no value: R's value (CS231n); its gradient ∂z/∂R
    (r"L_i = C \max(0, 1 - y_i w^Tx_i) + R(W)", {"C": 1.0, "y_i": -1.0, "w": [0.5, -0.25], "x_i": [1.0, 2.0], "R": 0.3},
     lambda c, y, w, x, r: c * sp.Max(0, 1 - y * (w[0] * x[0] + w[1] * x[1])) + r),
    # A = B where A calls a function the text never defines: B (CS229's h_θ(x) = g(θ^T x) = …)
    (r"h_\theta(x) = g(\theta^T x) = \frac{1}{1 + e^{-\theta^T x}}", {"θ": [0.5, -0.25], "x": [1.0, 2.0]},
     lambda t, x: 1 / (1 + sp.exp(-(t[0] * x[0] + t[1] * x[1])))),
    # Paul's Online Notes' {\bf{e}}: the letter e, the constant
    (r"f(x, y) = \cos\left(\frac{4}{x}\right){{\bf{e}}^{{x^2}y - 5{y^3}}}", {"x": 1.5, "y": 0.3},
     lambda x, y: sp.cos(4 / x) * sp.exp(x ** 2 * y - 5 * y ** 3)),
    (r"g(t) = {t^3}{{\bf{e}}^{1 - 4{t^2}}}", {"t": 0.5}, lambda t: t ** 3 * sp.exp(1 - 4 * t ** 2)),
    # sums and products over bounds written as numbers: the terms written out, the index a number in each,
    # x_i the element the bounds say (never the whole array: \sum_{i=1}^{2} of a 3-vector is 2 terms)
    (r"\sum_{k=1}^{3} k x^k", {"x": 0.5}, lambda x: sum(k * x ** k for k in range(1, 4))),
    (r"\sum_{n=0}^{4} \frac{x^n}{n!}", {"x": 0.5}, lambda x: sum(x ** n / sp.factorial(n) for n in range(5))),
    (r"\sum_{i=1}^{2} z_i^2", {"z": F}, lambda z: z[0] ** 2 + z[1] ** 2),
    (r"\sum_{i=2}^{3} z_i^2", {"z": F}, lambda z: z[1] ** 2 + z[2] ** 2),
    (r"\sum_{i=0}^{1} z_i", {"z": F}, lambda z: z[0] + z[1]),
    (r"\prod_{i=1}^{3} (1 + z_i)", {"z": F}, lambda z: (1 + z[0]) * (1 + z[1]) * (1 + z[2])),
    (r"\sum_{i=1}^3 w_i x_i + b", {"w": F, "x": G, "b": 0.5}, lambda w, x, b: sum(w[i] * x[i] for i in range(3)) + b),
    # \dfrac{d}{dx} applied to the formula: the formula, its derivative printed
    (r"\dfrac{d}{dx}\left[ x^3 - 2x \right]", {"x": 0.5}, lambda x: x ** 3 - 2 * x),
    # a head listing names the formula does not use (d2l's l^{(i)}(w, b) = ½(ŷ^{(i)} − y^{(i)})²)
    (r"l^{(i)}(\mathbf{w}, b) = \frac{1}{2} \left(\hat{y}^{(i)} - y^{(i)}\right)^2", {"y_hat": 2.5, "y": 1.0},
     lambda h, y: (h - y) ** 2 / 2),
    # the sentence's comma or full stop at a display formula's end (d2l's I(X) = -\log_2(p),)
    (r"I(X) = - \log_2 (p),", {"p": 0.015625}, lambda p: -sp.log(p, 2)),
    (r"\[ q = \ln(p). \]", {"p": 0.3}, lambda p: sp.log(p)),
    # n, the upper bound of a sum over arrays, with no value of its own: the arrays' length
    (r"\mathrm{MSE}(y, \hat y) = \frac{1}{n}\sum_{i=1}^n (y_i - \hat y_i)^2", {"y": G, "y_hat": F},
     lambda y, h: sum((y[i] - h[i]) ** 2 for i in range(3)) / 3),
    (r"\frac{1}{n}\sum_{i=0}^{n-1} x_i^2", {"x": [1.0, 2.0, 3.0, 4.0]}, lambda x: sum(v ** 2 for v in x) / 4),
    # \max\{0, 1 - x\}: braces drawn, grouping; ⟨u, v⟩ the inner product; \max_j over the index; the star and
    # \mathop of an operator's name; \label, the document's
    (r"\max\{0, 1 - x\} + \min\{x, 1\}", {"x": 0.5}, lambda x: sp.Max(0, 1 - x) + sp.Min(x, 1)),
    (r"\langle u, v \rangle + \left\langle u, u \right\rangle", {"u": [1.0, 2.0], "v": [3.0, -1.0]},
     lambda u, v: u[0] * v[0] + u[1] * v[1] + u[0] ** 2 + u[1] ** 2),
    (r"\max_j z_j + \min_{j} (z_j - 2)^2", {"z": [1.0, 5.0, 2.5]}, lambda z: z[1] + (z[2] - 2) ** 2),
    (r"\operatorname*{max}(x, 0) + \mathop{\mathrm{tanh}}(x)", {"x": 0.5}, lambda x: x + sp.tanh(x)),
    (r"y = \frac{1}{1 + e^{-x}} \label{eq:sigmoid}", {"x": 0.5}, lambda x: 1 / (1 + sp.exp(-x))),
    # where the names live, after the formula: no part of it
    (r"\sigma(z) = \frac{1}{1+e^{-z}}, \quad z \in \mathbb{R}", {"z": 0.5}, lambda z: 1 / (1 + sp.exp(-z))),
    (r"f(x) = x^2 \sin x \quad \text{for } x \in \mathbb{R}", {"x": 0.5}, lambda x: x ** 2 * sp.sin(x)),
    (r"f(\mathbf{x}) = \|\mathbf{x}\|^2, \mathbf{x} \in \mathbb{R}^n", {"x": [1.0, 2.0]}, lambda x: x[0] ** 2 + x[1] ** 2),
    # a textbook's chain rule: the output's row first, what it is written in below
    (r"$\begin{aligned} z &= t^2 \\ t &= x + y \end{aligned} \tag{5.1}$", {"x": 1.0, "y": 2.0}, lambda x, y: (x + y) ** 2),
    ("$$\nL = (y - t)^2 \\\\\ny = w x + b\n$$", {"w": 0.5, "x": 2.0, "b": 0.1, "t": 1.5},
     lambda w, x, b, t: (w * x + b - t) ** 2),
    # a formula named by the derivative it states (as f'(x) = … is): read as written
    (r"\frac{dy}{dx} = 2x \sin x", {"x": 0.5}, lambda x: 2 * x * sp.sin(x)),
    (r"\frac{\partial f}{\partial x} = 2 x y", {"x": 0.5, "y": 1.2}, lambda x, y: 2 * x * y),
    (r"\sigma^\prime(x) = \sigma(x)(1 - \sigma(x))", {"x": 0.5},
     lambda x: 1 / (1 + sp.exp(-x)) * (1 - 1 / (1 + sp.exp(-x)))),
    # \vec v and \mathbf u without braces, \sum\limits, \cfrac, \mathrm d
    (r"\vec v \cdot \mathbf u + \vec{v} \cdot \vec{v}", {"u": [1.0, 2.0], "v": [3.0, -1.0]},
     lambda u, v: v[0] * u[0] + v[1] * u[1] + v[0] ** 2 + v[1] ** 2),
    (r"\sum\limits_{i=1}^{n} u_i^2", {"u": [1.0, 2.0]}, lambda u: u[0] ** 2 + u[1] ** 2),
    (r"\cfrac{1}{1 + \cfrac{1}{x}}", {"x": 0.5}, lambda x: 1 / (1 + 1 / x)),
    (r"\frac{\mathrm d}{\mathrm dx} \left( x^2 e^x \right)", {"x": 0.5}, lambda x: x ** 2 * sp.exp(x)),
]


# The point written under an evaluation bar, \left. … \right|_{x=2}: the values are the text's own
AT_THE_BAR = [
    (r"\left.\frac{d}{dx} x^3\right|_{x=2}", lambda x: x ** 3, {"x": 2.0}),
    (r"x^2 y \Big|_{x = 1, y = 3}", lambda x, y: x ** 2 * y, {"x": 1.0, "y": 3.0}),
    (r"\left. e^{x} \sin(x) \right|_{x=0.5}", lambda x: sp.exp(x) * sp.sin(x), {"x": 0.5}),
]


@pytest.mark.parametrize("text, formula, point", AT_THE_BAR, ids=[t for t, _, _ in AT_THE_BAR])
def test_the_point_under_an_evaluation_bar_is_given(text, formula, point):
    found = compute(text)
    value, gradient = _sympy_answer(formula, point)
    assert float(found.value) == pytest.approx(value, rel=1e-12)
    for name, expected in gradient.items():
        assert float(found.gradient[name]) == pytest.approx(expected, rel=1e-12), name


@pytest.mark.parametrize("text, values, formula", READ, ids=[t for t, _, _ in READ])
def test_read_as_sympy_computes_it(text, values, formula):
    _check(text, values, formula)


REFUSED = [
    # Goodfellow's ζ is softplus; everywhere else ζ is Riemann's zeta function
    (r"\(\log \sigma(x) = - \zeta(-x)\)", {"x": 0.7}, "Riemann zeta", "softplus("),
    # a conditional probability's bar is no absolute value
    (r"p(y \mid x)", {"x": 0.7, "y": 0.2}, "never closed", "abs("),
    # L(w, b) + λ‖w‖² with L given: ∂z/∂w would leave out ∂L/∂w
    (r"L(\mathbf{w}, b) + \frac{\lambda}{2} \|\mathbf{w}\|^2", {"L": 0.3, "w": np.array([0.5, -1.0]), "λ": 0.1},
     "how L changes with w", "L's formula"),
    # derivatives of higher order written in the text: the first derivative gradcalc prints is another number
    (r"\frac{\partial^2 f}{\partial x^2}", {"x": 0.5}, "second derivative", "--order 2"),
    (r"\frac{d^2}{dx^2} \sin(x)", {"x": 0.5}, "second derivative", "--order 2"),
    (r"\frac{\partial^2}{\partial x \partial y} x^2 y^3", {"x": 0.5, "y": 0.4}, "second partial", "--hessian"),
    (r"\frac{\partial^7}{\partial x\partial y^2\partial z^4} e^{x y z}", {"x": 0.5, "y": 0.4, "z": 0.3},
     "order 7", "--hessian"),
    (r"\nabla^2 f", {"x": 0.5}, "Laplacian", "--hessian"),
    (r"x \in A", {"x": 0.5, "A": 1.0}, "\\in", "formula alone"),
    (r"x \to 0", {"x": 0.5}, "\\to", "formula alone"),
    (r"y = f^{\prime}(x) + 1", {"x": 0.5}, "derivative", "f(x) = …"),
    (r"\lfloor x \rfloor", {"x": 0.5}, "piecewise constant", "functions"),
]


@pytest.mark.parametrize("text, values, said, hinted", REFUSED, ids=[t for t, _, _, _ in REFUSED])
def test_refused_with_both_readings(text, values, said, hinted):
    from gradcalc.parse import parse

    with pytest.raises(GradcalcError) as error:       # the engine's words, the command line's (--order)
        parse(text, names=frozenset(values))
    assert error.value.exit_code == 2
    assert said in error.value.message and hinted in error.value.hint
    assert error.value.span is not None


# Problems as lecture notes and textbooks print them (the formula typed as the page's LaTeX source has
# it), at a point chosen here; SymPy's value and gradient of the formula written out by hand.
S = [3.2, 5.1, -1.7]
NOTES = [
    ("CS231n, Optimization 2: backprop of a simple expression", r"f(x,y,z) = (x + y) z",
     {"x": -2.0, "y": 5.0, "z": -4.0}, lambda x, y, z: (x + y) * z),
    ("CS231n, Optimization 2: the 2-D neuron", r"f(w,x) = \frac{1}{1+e^{-(w_0x_0 + w_1x_1 + w_2)}}",
     {"w_0": 2.0, "x_0": -1.0, "w_1": -3.0, "x_1": -2.0, "w_2": -3.0},
     lambda w0, x0, w1, x1, w2: 1 / (1 + sp.exp(-(w0 * x0 + w1 * x1 + w2)))),
    ("CS231n, Optimization 2: staged computation", r"f(x,y) = \frac{x + \sigma(y)}{\sigma(x) + (x+y)^2}",
     {"x": 3.0, "y": -4.0}, lambda x, y: (x + 1 / (1 + sp.exp(-y))) / (1 / (1 + sp.exp(-x)) + (x + y) ** 2)),
    ("CS231n, Linear classification: softmax loss", r"L_i = -\log\left(\frac{e^{f_{y_i}}}{ \sum_j e^{f_j} }\right)",
     {"f": S, "y_i": 0.0}, lambda f, y: -sp.log(sp.exp(f[0]) / sum(sp.exp(v) for v in f)) + 0 * y),
    ("CS231n, Linear classification: multiclass SVM loss", r"L_i = \sum_{j\neq y_i} \max(0, s_j - s_{y_i} + \Delta)",
     {"s": S, "y_i": 0.0, "Δ": 1.0}, lambda s, y, d: sum(sp.Max(0, s[j] - s[0] + d) for j in (1, 2)) + 0 * y),
    ("CS231n, Linear classification: L2 regularization", r"R(W) = \sum_k\sum_l W_{k,l}^2",
     {"W": [[1.0, -2.0], [0.5, 3.0]]}, None),
    ("d2l 2.4, Calculus", r"f(x) = 3x^2 - 4x", {"x": 1.0}, lambda x: 3 * x ** 2 - 4 * x),
    ("d2l 4.1, softmax regression: the loss", r"l(\mathbf{y}, \hat{\mathbf{y}}) = - \sum_{j=1}^q y_j \log \hat{y}_j",
     {"y": [0.0, 1.0, 0.0], "y_hat": [0.2, 0.7, 0.1]}, lambda y, h: -sum(y[j] * sp.log(h[j]) for j in range(3))),
    ("d2l 5.1, MLP: ReLU", r"\operatorname{ReLU}(x) = \max(x, 0)", {"x": 0.7}, lambda x: sp.Max(x, 0)),
    ("d2l 5.1, MLP: sigmoid", r"\operatorname{sigmoid}(x) = \frac{1}{1 + \exp(-x)}", {"x": 0.7},
     lambda x: 1 / (1 + sp.exp(-x))),
    ("d2l 5.1, MLP: tanh", r"\operatorname{tanh}(x) = \frac{1 - \exp(-2x)}{1 + \exp(-2x)}", {"x": 0.7},
     lambda x: (1 - sp.exp(-2 * x)) / (1 + sp.exp(-2 * x))),
    ("Goodfellow et al., Deep Learning 3.10: the logistic sigmoid", r"\sigma(x) = \frac{1}{1 + \exp(-x)}", {"x": 0.7},
     lambda x: 1 / (1 + sp.exp(-x))),
    ("Goodfellow et al., Deep Learning 4.5: linear least squares",
     r"f(\boldsymbol{x}) = \frac{1}{2}\|\boldsymbol{A}\boldsymbol{x} - \boldsymbol{b}\|_2^2",
     {"A": [[1.0, 2.0], [3.0, -1.0]], "x": [0.5, -0.25], "b": [1.0, 0.0]}, None),
    ("MIT 18.01: a quotient", r"y = \frac{\sin x}{x}", {"x": 0.8}, lambda x: sp.sin(x) / x),
    ("MIT 18.01: the chain rule", r"y = x e^{-x^2}", {"x": 0.8}, lambda x: x * sp.exp(-x ** 2)),
    ("MIT 18.01: ln(sec x + tan x)", r"y = \ln(\sec x + \tan x)", {"x": 0.8}, lambda x: sp.log(sp.sec(x) + sp.tan(x))),
    ("MIT 18.02: partial derivatives", r"f(x,y) = x^2 y + y^3", {"x": 1.0, "y": 2.0}, lambda x, y: x ** 2 * y + y ** 3),
    ("MIT 18.02: a Gaussian bump", r"f(x, y) = e^{-x^2 - y^2}", {"x": 0.3, "y": -0.6}, lambda x, y: sp.exp(-x ** 2 - y ** 2)),
    ("MIT 18.02: w = xy + yz + zx", r"w = xy + yz + zx", {"x": 1.0, "y": 2.0, "z": 3.0},
     lambda x, y, z: x * y + y * z + z * x),
    ("Paul's Online Notes, Calculus I 3.3", r"f(x) = 15x^{100} - 3x^{12} + 5x - 46", {"x": 1.01},
     lambda x: 15 * x ** 100 - 3 * x ** 12 + 5 * x - 46),
    ("Paul's Online Notes, Calculus I 3.3", r"y = \sqrt[3]{x^2}\left(2x - x^2\right)", {"x": 1.5},
     lambda x: sp.cbrt(x ** 2) * (2 * x - x ** 2)),
    ("Paul's Online Notes, Calculus I 3.5", r"h(x) = x^{2}\tan x", {"x": 0.4}, lambda x: x ** 2 * sp.tan(x)),
    ("Paul's Online Notes, Calculus III 13.2", r"f(x,y) = x^4 + 6\sqrt{y} - 10", {"x": 1.0, "y": 4.0},
     lambda x, y: x ** 4 + 6 * sp.sqrt(y) - 10),
    ("Paul's Online Notes, Calculus III 13.2", r"w = x^2y - 10y^2z^3 + 43x - 7\tan(4y)", {"x": 1.0, "y": 0.2, "z": 0.5},
     lambda x, y, z: x ** 2 * y - 10 * y ** 2 * z ** 3 + 43 * x - 7 * sp.tan(4 * y)),
    ("Paul's Online Notes, Calculus III 13.2", r"z = \ln\left(\frac{x}{y}\right)", {"x": 1.5, "y": 0.3},
     lambda x, y: sp.log(x / y)),
    ("CS231n, Optimization 2: a function and the derivative the notes state",
     r"f(x) = e^x \hspace{0.5in} \rightarrow \hspace{0.5in} \frac{df}{dx} = e^x", {"x": 0.6}, lambda x: sp.exp(x)),
    ("CS231n, Optimization 2: the product's partials stated",
     r"f(x,y) = x y \hspace{0.5in} \rightarrow \hspace{0.5in} \frac{\partial f}{\partial x} = y \hspace{0.5in} "
     r"\frac{\partial f}{\partial y} = x", {"x": 0.6, "y": 1.3}, lambda x, y: x * y),
    ("CS231n, Optimization 2: 1/x and its derivative",
     r"f(x) = \frac{1}{x} \hspace{0.5in} \rightarrow \hspace{0.5in} \frac{df}{dx} = -1/x^2", {"x": 0.6}, lambda x: 1 / x),
    ("Stanford CS229 notes 1: the logistic hypothesis", r"h_\theta(x) = \frac{1}{1 + e^{-\theta^T x}}",
     {"θ": [0.5, -0.25], "x": [1.0, 2.0]}, lambda t, x: 1 / (1 + sp.exp(-(t[0] * x[0] + t[1] * x[1])))),
]


def _matrix_formulas():
    """The two problems over a matrix, written with SymPy's matrices."""
    W = sp.Matrix(2, 2, sp.symbols("W_0:4", real=True))
    A, x, b = sp.Matrix(2, 2, sp.symbols("A_0:4", real=True)), sp.Matrix(sp.symbols("x_0:2", real=True)), \
        sp.Matrix(sp.symbols("b_0:2", real=True))
    return {"CS231n, Linear classification: L2 regularization": (sum(w ** 2 for w in W), {"W": W}),
            "Goodfellow et al., Deep Learning 4.5: linear least squares":
                (((A * x - b).T * (A * x - b))[0] / 2, {"A": A, "x": x, "b": b})}


@pytest.mark.parametrize("source, text, values, formula", NOTES, ids=[f"{s}: {t}" for s, t, _, _ in NOTES])
def test_notes_and_textbooks(source, text, values, formula):
    if formula is not None:
        _check(text, values, formula)
        return
    expr, symbols = _matrix_formulas()[source]
    at = {s: v for name, m in symbols.items() for s, v in zip(m, np.asarray(values[name], dtype=float).ravel().tolist())}
    found = compute(text, {name: np.asarray(v, dtype=float) for name, v in values.items()})
    assert float(found.value) == pytest.approx(float(expr.subs(at)), rel=1e-12)
    for name, m in symbols.items():
        expected = np.array([float(sp.diff(expr, s).subs(at)) for s in m]).reshape(np.shape(values[name]))
        assert np.asarray(found.gradient[name]) == pytest.approx(expected, rel=1e-10, abs=1e-12), name


def test_the_pages_printed_output_under_the_code_is_skipped():
    # a blog's PyTorch example ends with the line `Output: tensor([[14.]])` (in Python an annotation, which
    # computes nothing); PyTorch 2.13 prints x.grad = tensor([[14.]]) for it
    found = compute("import torch\nx = torch.tensor([[2.]], requires_grad=True)\ny = 3*(x**2) + 2*x +1\n"
                    "y.backward()\nx.grad\nOutput: tensor([[14.]])")
    assert np.asarray(found.value).tolist() == [[17.0]] and np.asarray(found.gradient["x"]).tolist() == [[14.0]]
    assert any("what the page printed" in note for note in found.graph.notes)
    with pytest.raises(GradcalcError):        # with an = it is an assignment, not a printed line
        compute("y = x**2\nResult: y = 4", {"x": 2.0})


X3 = [[1.0, 2.0], [3.0, -1.0], [0.0, 1.0]]


def _least_squares(w, X, b, y):
    return sum((sum(w[j] * X[i][j] for j in range(2)) + b - y[i]) ** 2 / 2 for i in range(3)) / 3


@pytest.mark.parametrize("text", [
    # d2l 3.1: the loss over the examples, x^{(i)} the i-th example, a row of the data matrix X; the chain's
    # first form applies l^{(i)}, which the text does not define: its last form is read
    r"L(\mathbf{w}, b) =\frac{1}{n}\sum_{i=1}^n l^{(i)}(\mathbf{w}, b) =\frac{1}{n} \sum_{i=1}^n "
    r"\frac{1}{2}\left(\mathbf{w}^\top \mathbf{x}^{(i)} + b - y^{(i)}\right)^2",
    r"\frac{1}{n} \sum_{i=1}^n \frac{1}{2}\left(x_i^T w + b - y_i\right)^2",
])
def test_the_i_th_example_is_a_row_of_the_data_matrix(text):
    values = {"w": [0.5, -1.0], "X": X3, "b": 0.1, "y": [1.0, 2.0, -1.0]}
    w, b, y = sp.symbols("w0 w1", real=True), sp.Symbol("b", real=True), sp.symbols("y0:3", real=True)
    X = [[sp.Symbol(f"X_{i}_{j}", real=True) for j in range(2)] for i in range(3)]
    expr = _least_squares(w, X, b, y)
    at = {**dict(zip(w, values["w"])), b: 0.1, **dict(zip(y, values["y"])),
          **{X[i][j]: X3[i][j] for i in range(3) for j in range(2)}}
    found = compute(text, {k: np.asarray(v, dtype=float) if isinstance(v, list) else v for k, v in values.items()})
    assert float(found.value) == pytest.approx(float(expr.subs(at)), rel=1e-12)
    assert found.gradient["w"] == pytest.approx([float(sp.diff(expr, v).subs(at)) for v in w], rel=1e-10)
    expected = np.array([[float(sp.diff(expr, v).subs(at)) for v in row] for row in X])
    assert np.asarray(found.gradient["X"]) == pytest.approx(expected, rel=1e-10)
    assert found.gradient["b"] == pytest.approx(float(sp.diff(expr, b).subs(at)), rel=1e-10)


def test_a_row_of_the_data_matrix_elsewhere_is_refused():
    # ‖x_i‖ summed over i is not ‖X‖ of any kind gradcalc would compute: refused, not read over X's columns
    with pytest.raises(GradcalcError) as error:
        compute(r"\sum_i \|x_i\|", {"X": np.array(X3)})
    assert error.value.exit_code == 2 and "row i of X" in error.value.message
