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
]


@pytest.mark.parametrize("text, values, formula", READ, ids=[t for t, _, _ in READ])
def test_read_as_sympy_computes_it(text, values, formula):
    _check(text, values, formula)


REFUSED = [
    # Goodfellow's ζ is softplus; everywhere else ζ is Riemann's zeta function
    (r"\(\log \sigma(x) = - \zeta(-x)\)", {"x": 0.7}, "Riemann zeta", "softplus("),
    # a conditional probability's bar is no absolute value
    (r"p(y \mid x)", {"x": 0.7, "y": 0.2}, "never closed", "abs("),
]


@pytest.mark.parametrize("text, values, said, hinted", REFUSED, ids=[t for t, _, _, _ in REFUSED])
def test_refused_with_both_readings(text, values, said, hinted):
    with pytest.raises(GradcalcError) as error:
        compute(text, values)
    assert error.value.exit_code == 2
    assert said in error.value.message and hinted in error.value.hint
    assert error.value.span is not None
