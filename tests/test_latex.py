"""--latex: golden outputs, every output well-formed LaTeX (balanced groups and environments, known
commands only), and the formulas read back by SymPy's LaTeX parser where its ANTLR runtime is there."""

import re

import pytest
import sympy as sp
from click.testing import CliRunner

from gradcalc.cli import main


def latex(*args):
    result = CliRunner().invoke(main, [*args, "--latex"])
    assert result.exit_code == 0, result.stderr
    return result.stdout


KNOWN = {"frac", "partial", "left", "right", "cdot", "times", "sqrt", "sin", "cos", "tan", "tanh", "sinh",
         "cosh", "coth", "cot", "sec", "csc", "arcsin", "arccos", "arctan", "ln", "exp", "sigma", "pi",
         "operatorname", "mathit", "mathrm", "begin", "end", "hline", "infty", "nabla", "to", "odot",
         "Sigma", "div", "top", "le", "ge", "ldots", "surd", "textbackslash", "textasciitilde",
         "textasciicircum", "multicolumn", ",", "&", "%", "$", "#", "_", "{", "}", "\\", "theta",
         "alpha", "beta", "gamma", "delta", "lambda", "mu", "[", "]", "text", "tfrac", "sum", "quad", "neq",
         "min", "max", "psi", "Gamma", "leq", "geq"}
ENVIRONMENTS = {"align*", "pmatrix", "tabular"}


def assert_well_formed(text: str) -> None:
    """Balanced {…}, \\left…\\right and \\begin…\\end; only known commands; $ paired on each line."""
    depth, lefts, environments = 0, 0, []
    for match in re.finditer(r"\\([A-Za-z]+\*?|.)|[{}]", text):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            assert depth >= 0, f"unbalanced }} at {match.start()}"
        else:
            command = match.group(1)
            assert command in KNOWN, f"unknown command \\{command}"
            lefts += {"left": 1, "right": -1}.get(command, 0)
            assert lefts >= 0
            if command in ("begin", "end"):
                name = re.match(r"\{([^}]*)\}", text[match.end():]).group(1)
                assert name in ENVIRONMENTS, name
                if command == "begin":
                    environments.append(name)
                else:
                    assert environments.pop() == name
    assert depth == 0 and lefts == 0 and not environments
    for line in text.splitlines():
        if not line.startswith("%"):
            assert len(re.findall(r"(?<!\\)\$", line)) % 2 == 0, line


def test_gradient_formulas_golden():
    assert latex("(x + y)**2", "--x", "1", "--y", "2", "--symbolic") == (
        "\\begin{align*}\n"
        "  \\frac{\\partial z}{\\partial x} &= 2 \\left(x + y\\right) \\\\\n"
        "  \\frac{\\partial z}{\\partial y} &= 2 \\left(x + y\\right)\n"
        "\\end{align*}\n")


def test_exact_formulas_golden():
    out = latex("pi*x**2 + x/3 + sin(x/6)*y**3/5", "--x", "1", "--y", "2", "--symbolic")
    assert out == (
        "\\begin{align*}\n"
        "  \\frac{\\partial z}{\\partial x} &= \\frac{y^{3} \\cos\\left(\\frac{x}{6}\\right)}{30}"
        " + 2 \\pi x + \\frac{1}{3} \\\\\n"
        "  \\frac{\\partial z}{\\partial y} &= \\frac{3 \\sin\\left(\\frac{x}{6}\\right) y^{2}}{5}\n"
        "\\end{align*}\n")


def test_hessian_golden():
    assert latex("x**2*y + y**3", "--x", "1", "--y", "2", "--hessian", "--symbolic") == (
        "\\begin{align*}\n"
        "  \\frac{\\partial z}{\\partial x} &= 2 x y \\\\\n"
        "  \\frac{\\partial z}{\\partial y} &= x^{2} + 3 y^{2}\n"
        "\\end{align*}\n\n"
        "\\[\n\\nabla^{2} z\n"
        "= \\begin{pmatrix}\n  2 y & 2 x \\\\\n  2 x & 6 y\n\\end{pmatrix}\n"
        "= \\begin{pmatrix}\n  4 & 2 \\\\\n  2 & 12\n\\end{pmatrix}\n\\]\n")


def test_order_golden():
    assert latex("x**3*exp(x)", "--x", "1", "--order", "3", "--symbolic") == (
        "\\begin{align*}\n"
        "  \\frac{\\partial z}{\\partial x} &= e^{x} \\left(x^{3} + 3 x^{2}\\right) \\\\\n"
        "  \\frac{d^{2} z}{d x^{2}} &= e^{x} \\left(x^{3} + 6 x^{2} + 6 x\\right) \\\\\n"
        "  \\frac{d^{3} z}{d x^{3}} &= e^{x} \\left(x^{3} + 9 x^{2} + 18 x + 6\\right)\n"
        "\\end{align*}\n\n"
        "% Derivatives of z with respect to x, by Taylor-mode propagation\n"
        "\\begin{tabular}{rlr}\n\\hline\norder & derivative & value \\\\\n\\hline\n"
        "1 & $\\frac{d z}{d x}$ & $10.87312731$ \\\\\n"
        "2 & $\\frac{d^{2} z}{d x^{2}}$ & $35.33766377$ \\\\\n"
        "3 & $\\frac{d^{3} z}{d x^{3}}$ & $92.42158217$ \\\\\n"
        "\\hline\n\\end{tabular}\n")


def test_trace_golden():
    assert latex("z = (x + y)*y", "--x", "1", "--y", "2") == (
        "% Forward pass\n\\begin{tabular}{llr}\n\\hline\nnode & computes & value \\\\\n\\hline\n"
        "x & input & $1$ \\\\\ny & input & $2$ \\\\\nn1 & x + y & $3$ \\\\\nz & n1 $\\times$ y & $6$ \\\\\n"
        "\\hline\n\\end{tabular}\n\n"
        "% Backward pass, from z back to the inputs: upstream $\\partial$z/$\\partial$node $\\times$ local "
        "$\\partial$node/$\\partial$input flows into $\\partial$z/$\\partial$input\n"
        "\\begin{tabular}{llrrrr}\n\\hline\n"
        "node $\\to$ input & $\\partial$node/$\\partial$input & local & upstream & upstream $\\times$ local"
        " & $\\partial$z/$\\partial$input \\\\\n\\hline\n"
        "z $\\to$ n1 & $y$ & $2$ & $1$ & $2$ & $2$ \\\\\n"
        "z $\\to$ y & $n_{1}$ & $3$ & $1$ & $3$ & $3$ \\\\\n"
        "n1 $\\to$ x & $1$ & $1$ & $2$ & $2$ & $2$ \\\\\n"
        "n1 $\\to$ y & $1$ & $1$ & $2$ & $2$ & $5$ \\\\\n"
        "\\hline\n\\end{tabular}\n\n"
        "\\begin{align*}\n  z &= 6 \\\\\n"
        "  \\frac{\\partial z}{\\partial x} &= 2 \\\\\n  \\frac{\\partial z}{\\partial y} &= 5\n"
        "\\end{align*}\n")


WELL_FORMED = [
    ("x**3*exp(x)/sqrt(x) + sin(x)**2 - sigmoid(2*x)", ["--x", "1.5", "--order", "3", "--symbolic"]),
    ("tanh(w*x + b) + abs(x)", ["--w", "2", "--x", "0.5", "--b", "1", "--symbolic", "--hessian"]),
    ("x**y + log(x)/y + atan(x) + erf(y)", ["--x", "1.5", "--y", "2", "--symbolic", "--hessian"]),
    ("sum(x*x) + mean(exp(x))", ["--x", "[1, 2, 3]"]),
    ("t_1 = exp(-x**2/2); z = t_1 * 1e-20", ["--x", "0.5", "--symbolic"]),
    ("x**1e5 / x", ["--x", "1.0001"]),
    ("M @ x", ["--M", "[[1, 2], [3, 4]]", "--x", "[1, -1]"]),
    ("max(x, y) + clip(x, 0, 2) + erf(x) + gelu(y) + where(x > 0, x, 2*x) + x**y + θ*x", ["--x", "1", "--y", "2",
                                                                                      "--θ", "3"]),
    ("sum(softmax(x) * t) + max(x) + std(x) + x[0] + sum(mean(A, 1)) + sum(A.T @ x)",
     ["--x", "[1, 2]", "--t", "[0, 1]", "--A", "[[1, 2], [3, 4]]"]),
    ("cross_entropy(y, t)", ["--y", "[[1, 2, 3]]", "--t", "[[0, 1, 0]]"]),
    ("c = x*x; c = c*x; c", ["--x", "2"]),
]


@pytest.mark.parametrize("text, args", WELL_FORMED)
def test_outputs_are_well_formed(text, args):
    result = CliRunner().invoke(main, [text, *args, "--latex"])
    if result.exit_code == 2 and "%" in text:
        pytest.skip("no % operator")
    assert result.exit_code == 0, result.stderr
    assert_well_formed(result.stdout)


def test_latex_refuses_other_forms():
    for other in ("--json", "-q", "--dot", "--check", "--compare-modes"):
        result = CliRunner().invoke(main, ["x*y", "--x", "1", "--y", "2", "--latex", other])
        assert result.exit_code == 2
        assert "--latex cannot be combined with" in result.stderr


def _parse_latex():
    try:
        from sympy.parsing.latex import parse_latex
        parse_latex("x")
    except Exception:       # the ANTLR runtime (4.11, as SymPy needs) is a test extra
        return None
    return parse_latex


@pytest.mark.parametrize("text", ["(x + y)**2 * x", "pi*x**2 + x/3", "x**3*exp(x)", "log(x)/x",
                                  "sin(x/6)*y**3/5", "sqrt(x**2 + y**2)", "x**(1/3)*y", "cos(x)/(1 + sin(y))"])
def test_sympy_reads_the_formulas_back(text):
    parse_latex = _parse_latex()
    if parse_latex is None:
        pytest.skip("SymPy's parse_latex needs antlr4-python3-runtime 4.11")
    out = latex(text, "--x", "0.7", "--y", "1.3", "--symbolic")
    x, y = sp.symbols("x y")
    expression = sp.sympify(text, locals={"x": x, "y": y, "pi": sp.pi})
    for line in out.splitlines()[1:-1]:
        name, formula = line.rstrip(" \\").split("&=")
        variable = x if "partial x" in name else y
        read = parse_latex(formula).subs({sp.Symbol("e"): sp.E, sp.Symbol("pi"): sp.pi})
        difference = (read - sp.diff(expression, variable)).subs({x: 0.7, y: 1.3}).evalf()
        assert abs(difference) < 1e-9, f"{formula} read as {read}"


@pytest.mark.parametrize("text, args, cell", [
    ("sigmoid(x)", ["--x", "1"], r"$z \cdot \left(1 - z\right)$"),
    ("erf(x)", ["--x", "1"], r"$\frac{2}{\sqrt{\pi}} \exp\left(-x^{2}\right)$"),
    ("erfc(x)", ["--x", "1"], r"$-\frac{2}{\sqrt{\pi}} \exp\left(-x^{2}\right)$"),
    ("gelu(x)", ["--x", "1"], r"$0.5 \operatorname{erfc}\left(-x \cdot \frac{1}{\sqrt{2}}\right) + "
                              r"x \cdot \frac{1}{\sqrt{2 \pi}} \exp\left(-0.5 x^{2}\right)$"),
    ("x**y", ["--x", "2", "--y", "3"], r"$y x^{y - 1}$"),
    ("relu(x)", ["--x", "1"], r"$1 \text{ if } x > 0 \text{ else } 0$"),
    ("clip(x, 0, 2)", ["--x", "1"], r"$\left(1 - \left[0 > x\right]\right) \left(1 - \left[x > 2\right]\right)$"),
    ("θ**2", ["--θ", "1"], r"$2 \theta$"),
    ("x*3.14159265", ["--x", "1"], r"$3.14159$"),
    ("W @ x", ["--W", "[[1, 2], [3, 4]]", "--x", "[1, -1]"],
     r"$\frac{\partial z}{\partial W} = \frac{\partial z}{\partial z} x^{\top}$\quad (2,)$\cdot$(2,) $\to$ (2,2)"),
])
def test_the_trace_formulas_are_latex_from_the_one_printer(text, args, cell):
    # the formula column spelled by LatexStyle (not the trace's text with its symbols swapped)
    assert f" & {cell} & " in latex(text, *args)


def test_trace_formulas_spell_two_labels_apart():
    # t1 and t_1 would both be t_{1}: the trace's labels are written as typed then, as names elsewhere
    out = latex("t1 = x*x; t_1 = t1*y; z = t_1*t1", "--x", "2", "--y", "3")
    assert r"z $\to$ t\_1 & $\mathit{t1}$ & " in out and r"z $\to$ t1 & $\mathit{t\_1}$ & " in out


def test_sympy_reads_the_trace_formulas_back():
    """Every scalar rule's LaTeX that SymPy can read (not \\operatorname, ψ or words) is its local value."""
    from gradcalc.ops import OPS
    from gradcalc.ops.rules import numbers_local
    from gradcalc.render.latex import LatexStyle

    parse_latex = _parse_latex()
    if parse_latex is None:
        pytest.skip("SymPy's parse_latex needs antlr4-python3-runtime 4.11")
    style, read_back = LatexStyle(figures=17), 0
    points = {"acosh": [2.5], "asec": [2.5], "acsc": [2.5], "polygamma": [1.0, 0.7], "factorial": [3.0]}
    for key, op in OPS.items():
        if op.vjp or not op.names or not op.elementwise:
            continue
        labels, point = ["x", "y"][:op.arity], points.get(key, [0.3, 0.7][:op.arity])
        if len(point) != op.arity:
            continue
        out = float(op.forward(*point))
        for k, rule in enumerate(op.d):
            tex = "" if rule is None else op.formula(k, labels, "z").spelled(style)
            if not tex or any(word in tex for word in (r"\text", r"\operatorname", r"\psi", r"\min")):
                continue
            values = {sp.Symbol(name): v for name, v in zip([*labels, "z"], [*point, out])}
            read = parse_latex(tex).subs({sp.Symbol("e"): sp.E, sp.Symbol("pi"): sp.pi})
            read = read.replace(sp.Function("sigma"), lambda a: 1 / (1 + sp.exp(-a))).subs(values)
            expected = float(numbers_local(op.local[k], point, out))
            assert complex(read.evalf()) == pytest.approx(expected, rel=1e-12, abs=1e-12), (key, k, tex)
            read_back += 1
    assert read_back >= 40
