"""--symbolic: formulas built from the graph-building backward pass, simplified, and numerically equal
to the gradient (checked by feeding them back to gradcalc, and against SymPy on textbook cases)."""

import json

import pytest
from click.testing import CliRunner
from hypothesis import assume, example, given
from hypothesis import strategies as st

from gradcalc import compute
from gradcalc.cli import main
from gradcalc.higher import beyond
from gradcalc.parse import parse
from random_expressions import evaluate_at, expressions, points


def run(*args):
    return CliRunner().invoke(main, list(args))


def symbolic(text, **values):
    found = beyond(compute(text, values), symbolic=True).symbolic
    return {key[1]: formula for key, formula in found.pretty.items()}


def value_of(formula, point):
    """A formula (gradcalc's own syntax, possibly a small program) evaluated by gradcalc itself."""
    used = parse(formula).variables
    return float(compute(formula, {name: point[name] for name in used}).value)


@pytest.mark.parametrize("text, expected", [
    ("(x+y)**2", {"x": "2·(x + y)", "y": "2·(x + y)"}),
    ("t = x + y; z = t**2", {"x": "2·t", "y": "2·t"}),                # the program's own t (where t = x + y)
    ("x*y + y*x", {"x": "2·y", "y": "2·x"}),                            # like terms collected
    ("x*0 + 3*x*1 + 0", {"x": "3"}),                                    # 0/1 identities, folding
    ("2*(x+y) - 2*x + y", {"x": "0", "y": "3"}),
    ("x**5 - 2*x**3 + 4*x + 7", {"x": "5·x^4 − 6·x^2 + 4"}),
    ("x*x*x", {"x": "3·x^2"}),
    ("x/y", {"x": "1/y", "y": "−x/y^2"}),
    ("sin(x)*cos(x)", {"x": "cos(2·x)"}),                              # double angle, as SymPy
    ("exp(2*x)", {"x": "2·exp(2·x)"}),
    ("log(x)", {"x": "1/x"}),
    ("sigmoid(x)", {"x": "sigmoid(x)·(1 − sigmoid(x))"}),
    ("tanh(x)", {"x": "1 − tanh(x)^2"}),
    ("abs(x) + relu(y)", {"x": "sign(x)", "y": "y > 0"}),                  # ReLU′ a step
    ("x**y", {"x": "y·x^(y − 1)", "y": "x^y·log(x)"}),
    ("sqrt(x)", {"x": "1/(2·sqrt(x))"}),
    ("cos(0)*x", {"x": "1"}),                                           # cos(0) folds to 1
    ("sin(pi*x) - e*x", {"x": "pi·cos(pi·x) − e"}),                      # constants by name
    # a comparison is 0 or 1: where's branch mask (c ≠ 0 as c² > 0) reads as the comparison itself
    ("where(x > 0, log(x), 0)", {"x": "(x > 0)/x"}),
    ("(x > 1)*(x > 1)*x", {"x": "x > 1"}),
])
def test_textbook_formulas(text, expected):
    names = parse(text).variables
    assert symbolic(text, **{name: 0.7 for name in names}) == expected


def test_second_derivative_formulas():
    found = beyond(compute("x**2*y + y**3", x=1.0, y=2.0), hessian_wanted=True, symbolic=True).symbolic
    assert found.pretty == {("gradient", "x"): "2·x·y", ("gradient", "y"): "x^2 + 3·y^2",
                            ("hessian", "x", "x"): "2·y", ("hessian", "x", "y"): "2·x",
                            ("hessian", "y", "y"): "6·y"}
    orders = beyond(compute("sin(x)", x=1.0), order=4, symbolic=True).symbolic.pretty
    assert [orders[("order", k)] for k in range(1, 5)] == ["cos(x)", "−sin(x)", "−cos(x)", "sin(x)"]


@given(expressions, points, points)
def test_formulas_equal_the_gradient_here_and_elsewhere(text, point, elsewhere):
    result = evaluate_at(text, point)
    found = beyond(result, symbolic=True).symbolic
    for name, grad in result.gradient.items():
        formula = found.ascii[("gradient", name)]
        assert value_of(formula, point) == pytest.approx(float(grad), rel=1e-7, abs=1e-9), (text, formula)
        # The formula is the derivative as a function, not just a number that matches at one point.
        other = evaluate_at(text, elsewhere).gradient[name]
        assert value_of(formula, elsewhere) == pytest.approx(float(other), rel=1e-7, abs=1e-9), (text, formula)
        pretty = found.pretty[("gradient", name)]
        if not found.definitions:     # the pretty form parses too (· − ^ are gradcalc syntax)
            assert value_of(pretty, point) == pytest.approx(float(grad), rel=1e-7, abs=1e-9)


@given(expressions, points)
def test_hessian_formulas_equal_the_hessian(text, point):
    result = evaluate_at(text, point)
    found = beyond(result, hessian_wanted=True, symbolic=True)
    names = found.hessian.variables   # rows in the order the values were given
    for i, u in enumerate(names):
        for j, v in enumerate(names[i:], start=i):
            formula = found.symbolic.ascii[("hessian", u, v)]
            assert value_of(formula, point) == pytest.approx(found.hessian.matrix[i, j], rel=1e-7, abs=1e-9)


@pytest.mark.parametrize("text", ["(x+y)**2*sin(x*y)", "exp(-x*x/2)/sqrt(1 + y**2)",
                                  "log(1 + x**2)*tanh(y) - x/y", "sigmoid(x*y + 1)**3"])
def test_formulas_against_sympy(text):
    sympy = pytest.importorskip("sympy")
    x, y = sympy.symbols("x y")
    names = {"x": x, "y": y, "sigmoid": lambda a: 1 / (1 + sympy.exp(-a)), "log": sympy.log,
             "tanh": sympy.tanh, "sign": sympy.sign}
    original = sympy.sympify(text, locals=names)     # trusted test strings, not user input
    found = beyond(compute(text, x=0.3, y=1.7), symbolic=True).symbolic
    for name, symbol in (("x", x), ("y", y)):
        ours = sympy.sympify(found.ascii[("gradient", name)], locals=names)
        assert sympy.simplify(ours - sympy.diff(original, symbol)) == 0, (text, name)


def test_json_symbolic_round_trip_through_the_cli():
    point = {"x": "0.3", "y": "-1.2"}
    args = ["(x+y)**2*sin(x) - x/(1 + y**2)", "--x", point["x"], "--y", point["y"]]
    data = json.loads(run(*args, "--symbolic", "--json").stdout)
    assert set(data["symbolic"]) == {"x", "y"}
    for name, formula in data["symbolic"].items():
        used = parse(formula).variables
        again = run(formula, *[a for n in used for a in (f"--{n}", point[n])], "-q")
        assert again.exit_code == 0, again.output
        assert float(again.stdout.split()[0]) == pytest.approx(data["gradient"][name], rel=1e-9)


def test_cli_symbolic_output_forms():
    plain = run("(x+y)**2", "--x", "1", "--y", "2", "--symbolic", "--plain").stdout
    assert plain.endswith("Symbolic derivatives\n  ∂z/∂x = 2·(x + y)\n  ∂z/∂y = 2·(x + y)\n")
    assert run("(x+y)**2", "--x", "1", "--y", "2", "--symbolic", "-q").stdout == "2*(x + y)\n2*(x + y)\n"
    data = json.loads(run("x**2*y", "--x", "1", "--y", "2", "--symbolic", "--hessian", "--json").stdout)
    assert data["symbolic"] == {"x": "2*x*y", "y": "x**2"}
    assert data["hessian"]["formulas"] == [["2*y", "2*x"], ["2*x", "0"]]
    data = json.loads(run("sin(x)", "--x", "1", "--symbolic", "--order", "4", "--json").stdout)
    assert data["derivative"]["formula"] == "sin(x)"


def test_long_expressions_share_named_intermediates():
    # 300 nested sin: the chain rule repeats every inner sin; naming shared parts keeps it linear.
    text = "x"
    for _ in range(300):
        text = f"sin({text})"
    result = run(text, "--x", "0.5", "--symbolic", "--plain")
    assert result.exit_code == 0, result.output
    assert "note: subexpressions used more than once or very long are named t1…" in result.stdout
    formula = run(text, "--x", "0.5", "--symbolic", "-q").stdout.strip()
    assert formula.startswith("t1 = ") and len(formula) < 50_000
    grad = compute(text, x=0.5).gradient["x"]
    assert value_of(formula, {"x": 0.5}) == pytest.approx(float(grad), rel=1e-9)


def test_a_long_sum_stays_linear():
    n = 3000
    text = " + ".join(f"x{i}*x{(i + 1) % n}" for i in range(n))
    values = {f"x{i}": 0.001 * i for i in range(n)}
    found = beyond(compute(text, values), symbolic=True).symbolic
    assert found.pretty[("gradient", "x5")] == "x4 + x6"


def test_symbolic_on_arrays_is_exit_2():
    result = run("x*x", "--x", "[1, 2]", "--symbolic")
    assert result.exit_code == 2
    assert "--symbolic works on scalar expressions" in result.stderr
    assert result.stdout == ""


def test_readme_excerpt_is_the_real_output():
    # The README shows the end of this command's tables outside a console block: keep it true.
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    marker = 'The tables end with (`gradcalc "x**2*y + y**3" --x 1 --y 2 --symbolic --hessian`):'
    excerpt = readme[readme.index("```\n", readme.index(marker)) + 4:]
    excerpt = excerpt[:excerpt.index("```")]
    output = run("x**2*y + y**3", "--x", "1", "--y", "2", "--symbolic", "--hessian", "--plain").stdout
    assert output.endswith(excerpt)


def test_many_equal_long_formulas_are_defined_once(monkeypatch):
    # Every ∂z/∂xᵢ of (x0 + … + x59)² is the same long sum: it is named once, and when repeating its
    # definition in every standalone formula would be too long, the definitions are given once.
    import gradcalc.symbolic as symbolic

    monkeypatch.setattr(symbolic, "MAX_REPEATED", 1000)
    n = 60
    text = "(" + " + ".join(f"x{i}" for i in range(n)) + ")**2"
    args = [a for i in range(n) for a in (f"--x{i}", str(0.01 * i))]
    data = json.loads(run(text, *args, "--symbolic", "--json").stdout)
    definitions = data["symbolic_definitions"]
    assert definitions and all(line.startswith("t") for line in definitions)
    assert len(set(data["symbolic"].values())) == 1          # one name for the one formula
    program = "; ".join(definitions + [data["symbolic"]["x7"]])
    point = {f"x{i}": 0.01 * i for i in range(n)}
    assert value_of(program, point) == pytest.approx(data["gradient"]["x7"], rel=1e-12)
    quiet = run(text, *args, "--symbolic", "-q").stdout.splitlines()
    assert quiet[:len(definitions)] == definitions and len(quiet) == len(definitions) + n


def test_formulas_past_the_size_bound_are_refused_and_orders_still_computed(monkeypatch):
    # sin nested 600 deep at --order 3 --symbolic once took a minute and 600 MB; past the bound on
    # distinct subexpressions the formulas are refused (exit 2), while --order's numbers, whose
    # compaction uses the same tables, fall back to the derivative graph as built.
    from gradcalc import symbolic

    monkeypatch.setattr(symbolic, "MAX_EXPRESSIONS", 60)
    program = "sin(" * 30 + "x" + ")" * 30
    refused = CliRunner().invoke(main, [program, "--x", "0.5", "--order", "3", "--symbolic", "-q"])
    assert refused.exit_code == 2 and "the formulas grew past 60 distinct subexpressions" in refused.stderr
    found = CliRunner().invoke(main, [program, "--x", "0.5", "--order", "3", "--json"])
    assert found.exit_code == 0, found.stderr
    monkeypatch.undo()
    unbounded = json.loads(CliRunner().invoke(main, [program, "--x", "0.5", "--order", "3", "--json"]).stdout)
    assert json.loads(found.stdout)["derivative"]["values"] == pytest.approx(
        unbounded["derivative"]["values"], rel=1e-12)


@pytest.mark.parametrize("text", ["asin(0.5*tanh((sin(b)cos(b)) * (a)))", "sin(b)*cos(b)*sin(2*b)*a"])
def test_double_angle_meets_a_sine_already_in_the_product(text):
    # sin(u)·cos(u) → sin(2·u)/2 must add to a sin(2·u) already in the product, not replace it
    # (the Hessian formula of the first text was 60× off at this point; hypothesis found it).
    point = {"a": -1.2235639615010907, "b": -0.0012004665791902625}
    result = evaluate_at(text, point)
    found = beyond(result, hessian_wanted=True, symbolic=True)
    names = found.hessian.variables
    for i, u in enumerate(names):
        for j, v in enumerate(names[i:], start=i):
            formula = found.symbolic.ascii[("hessian", u, v)]
            assert value_of(formula, point) == pytest.approx(found.hessian.matrix[i, j], rel=1e-7, abs=1e-12)


# Textbook forms (issue 25): the formulas of --solutions (not multiplied out, as --symbolic's are)
# cancel what a student would cancel on paper, and every rewrite keeps the value, checked at the given
# point and at other points drawn by hypothesis.
def textbook(text, **values):
    """Each input's derivative as --solutions writes it: {name: (pretty, ascii)}."""
    from gradcalc.higher import NodeBuilder, gradient_nodes
    from gradcalc.symbolic import formulas

    result = compute(text, values)
    graph = result.graph
    builder = NodeBuilder(graph, list(result.values))
    wrt = [graph.variables[name] for name in result.gradient]
    nodes = gradient_nodes(builder, graph.output, wrt, what="the formula")
    found = formulas(builder.graph, builder.values, {name: nodes[graph.variables[name]] for name in result.gradient})
    return {name: (found.pretty[name], found.ascii[name]) for name in result.gradient}


@pytest.mark.parametrize("text, expected", [
    # sigmoid with binary cross-entropy, the probability named or not
    ("p = sigmoid(a); L = -(t*log(p) + (1-t)*log(1-p))", {"a": "sigmoid(a) − t"}),
    ("-(t*log(sigmoid(a)) + (1-t)*log(1-sigmoid(a)))", {"a": "sigmoid(a) − t"}),
    ("p = sigmoid(w*x + b); L = -(t*log(p) + (1-t)*log(1-p))", {"w": "x·(sigmoid(w·x + b) − t)"}),
    ("relu(w*x + b)", {"w": "x·(w·x + b > 0)", "b": "w·x + b > 0"}),     # ReLU′ a step
    ("log(exp(x)*y)", {"x": "1", "y": "1/y"}),
    ("exp(2*log(x))", {"x": "2·x"}),                                     # exp(c·log(u)) = u^c
    ("y*log(exp(x))", {"x": "y", "y": "x"}),
    ("x*(y + 1) - x*y", {"x": "1", "y": "0"}),                           # multiplied out, it cancels
])
def test_textbook_forms(text, expected):
    values = {name: 0.7 for name in parse(text).variables}
    found = textbook(text, **values)
    assert {name: found[name][0] for name in expected} == expected


_TEXTBOOK = st.sampled_from([
    "p = sigmoid({0}); L = -(c*log(p) + (1 - c)*log(1 - p))",
    "-(c*log(sigmoid({0})) + (1 - c)*log(1 - sigmoid({0})))",
    "relu({0})*({1})", "log(exp({0})*(2 + ({1})**2))", "exp(3*log(2 + sin({0})))*({1})",
    "({0})*(({1}) + 1) - ({0})*({1})", "sigmoid({0})*(1 - sigmoid({0}))*(c/sigmoid({0}) + 1/(1 - sigmoid({0})))",
    "(({0}) - c)*(({0}) + c) - ({0})**2", "where({0}, {1}, 2*({1}))",
])


@given(_TEXTBOOK, expressions, expressions, points, points)
# A product multiplied out inside a sum made a sum a term of a sum, which the printer cannot write.
@example("sigmoid({0})*(1 - sigmoid({0}))*(c/sigmoid({0}) + 1/(1 - sigmoid({0})))", "(a) ** 2 * (b)", "a",
         {"a": 0.0, "b": 0.0, "c": 0.0}, {"a": 0.3, "b": -0.7, "c": 0.9})
def test_textbook_rewrites_keep_the_value(template, u, v, point, elsewhere):
    text = template.format(u, v)
    point, elsewhere = ({**p, "c": (p["c"] + 1.5) / 3} for p in (point, elsewhere))   # c in [0, 1]
    if "sigmoid" in template:
        # Saturated (sigmoid(32)), the raw loss's own 1 − p keeps two digits: its backward pass, the
        # reference here, is then off by 1e-3 while the textbook σ(u) − c is right.
        assume(all(abs(float(evaluate_at(u, p).value)) <= 15 for p in (point, elsewhere)))
    result = evaluate_at(text, point)
    found = textbook(text, **{name: point[name] for name in result.graph.variables})
    for name, grad in result.gradient.items():
        formula = found[name][1]
        assert value_of(formula, point) == pytest.approx(float(grad), rel=1e-7, abs=1e-9), (text, formula)
        other = evaluate_at(text, elsewhere).gradient[name]
        assert value_of(formula, elsewhere) == pytest.approx(float(other), rel=1e-7, abs=1e-9), (text, formula)


@pytest.mark.parametrize("program, name, expected", [
    # The chain rule's factors as a student writes them, not multiplied out (newcomer6: ∂L/∂w was
    # 2·p·(x·p·t − x·t − x·p^2 + x·p), σ′ was σ·(x − x·σ)); a variable is taken out of a sum whose rest
    # is no polynomial, while polynomials stay multiplied out.
    ("p = sigmoid(w*x + b); L = (p - t)**2", "w", "−2·x·p·(t − p)·(1 − p)"),
    ("sigmoid(w*x + b)", "w", "x·sigmoid(w·x + b)·(1 − sigmoid(w·x + b))"),
    ("tanh(w*x)", "w", "x·(1 − tanh(w·x)^2)"),
    ("x**3*exp(x)", "x", "exp(x)·(x^3 + 3·x^2)"),
    ("(x**2 + 1)*(x - 1)", "x", "3·x^2 − 2·x + 1"),
])
def test_formulas_keep_the_chain_rules_factors(program, name, expected):
    point = {"w": 0.7, "x": 1.5, "b": 0.5, "t": 1.0}
    result = compute(program, {k: v for k, v in point.items() if k in program})
    found = beyond(result, symbolic=True).symbolic
    assert found.pretty[("gradient", name)] == expected
    assert value_of(found.ascii[("gradient", name)], point) == pytest.approx(result.gradient[name], rel=1e-12)


def test_the_programs_own_names_keep_a_chain_rule_short():
    # ∂L/∂w1 was 8 long terms of tanh(w1·x + b1) and sigmoid(…) multiplied out, beside a helper t1
    # next to the program's t ('named t1…t1')
    program = "h = tanh(w1*x + b1); y = sigmoid(w2*h + b2); L = (y - t)**2"
    point = {"w1": 0.5, "x": 1.0, "b1": 0.1, "w2": -0.3, "b2": 0.2, "t": 1.0}
    result = compute(program, point)
    found = beyond(result, symbolic=True).symbolic
    assert found.pretty[("gradient", "w1")] == "−2·x·w2·y·(t − y)·(1 − y)·(1 − h^2)"
    assert found.pretty[("gradient", "t")] == "2·(t − y)"
    assert found.definitions == [("h", "tanh(w1·x + b1)"), ("y", "sigmoid(h·w2 + b2)")]
    for name, grad in result.gradient.items():     # each ascii program is the gradient
        assert value_of(found.ascii[("gradient", name)], point) == pytest.approx(grad, rel=1e-12)
    shown = run(program, *(f"--{k}={v}" for k, v in point.items()), "--symbolic", "--plain")
    assert "where h = tanh(w1·x + b1)" in shown.stdout
    assert "the formulas write the program's own h and y where their formulas appear" in shown.stderr + shown.stdout
    assert "t1" not in shown.stdout + shown.stderr


def test_a_helper_name_never_looks_like_the_programs():
    # the program has t: helpers are u1, …, never t1 beside it; one helper is named alone
    result = compute("t = (x+y)**2; z = sin(t) * cos(t) * exp(t)", x=1, y=2)
    found = beyond(result, symbolic=True).symbolic
    helpers = [name for name, _ in found.definitions if name not in found.own]
    assert helpers == ["u1"] and found.own == {"t"}
    assert value_of(found.ascii[("gradient", "x")], {"x": 1, "y": 2}) == pytest.approx(result.gradient["x"])
    shown = run("t = (x+y)**2; z = sin(t) * cos(t) * exp(t)", "--x", "1", "--y", "2", "--symbolic", "--plain")
    assert "are named u1 to keep" in shown.stdout + shown.stderr


def test_a_power_of_zero_has_the_derivative_the_backward_pass_takes():
    # d(0^x)/dx printed log(0)·0^x, which cannot be evaluated, while the gradient is 0 (x > 0)
    assert symbolic("0**x", x=2.0) == {"x": "0"}
    assert symbolic("3*0**x + x", x=2.0) == {"x": "1"}
    assert symbolic("2**x", x=2.0) == {"x": "log(2)·2^x"}


def test_every_name_defined_is_used_and_helpers_count_from_one():
    # micrograd's README program: 'where t1 = 1/(…)^3' was defined and never used (a quotient is
    # printed from its denominator), and the next helper was t2
    import re

    program = ("a = -4.0\nb = 2.0\nc = a + b\nd = a * b + b**3\nc += c + 1\nc += 1 + c + (-a)\n"
               "d += d * 2 + relu(b + a)\nd += 3 * d + relu(b - a)\ne = c - d\nf = e**2\ng = f / 2.0\n"
               "g += 10.0 / f\n")
    result = compute(program)
    found = beyond(result, symbolic=True).symbolic
    for name, _ in found.definitions:
        texts = list(found.pretty.values()) + [text for other, text in found.definitions if other != name]
        assert any(re.search(rf"\b{name}\b", text) for text in texts), name
    helpers = [name for name, _ in found.definitions if name not in found.own]
    assert helpers == [f"t{i}" for i in range(1, len(helpers) + 1)]
    for name, grad in result.gradient.items():
        assert value_of(found.ascii[("gradient", name)], {"a": -4.0, "b": 2.0}) == pytest.approx(grad, rel=1e-9)
