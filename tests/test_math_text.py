"""Math text as textbooks and papers write it (README: How gradcalc reads what you paste): Greek names,
π, typographic operators, brackets and braces as grouping; derivatives against SymPy."""

import numpy as np
import pytest
import sympy as sp
from helpers import assert_error, central_differences, run

from gradcalc import compute


def test_lennard_jones_as_printed_matches_sympy():
    # 4ε[(σ/r)^12 − (σ/r)^6]: Greek names, a typographic minus, brackets as grouping.
    eps, sigma, r = sp.symbols("epsilon sigma r", positive=True)
    exact = 4 * eps * ((sigma / r) ** 12 - (sigma / r) ** 6)
    point = {eps: 0.8, sigma: 1.1, r: 1.3}
    found = compute("4ε[(σ/r)^12 − (σ/r)^6]", {"ε": 0.8, "σ": 1.1, "r": 1.3})
    assert found.value == pytest.approx(float(exact.subs(point)), rel=1e-13)
    for name, symbol in (("ε", eps), ("σ", sigma), ("r", r)):
        assert found.gradient[name] == pytest.approx(float(sp.diff(exact, symbol).subs(point)), rel=1e-12)


@pytest.mark.parametrize("text, values, expected", [
    ("2πr", {"r": 1.5}, 3 * 3.141592653589793),
    ("πr²", {"r": 2.0}, 4 * 3.141592653589793),
    ("π/4 + x", {"x": 0.0}, 0.7853981633974483),
    ("γ·x₁ ∗ 2 – 1", {"γ": 3.0, "x₁": 2.0}, 11.0),
    ("x ⋅ y", {"x": 3.0, "y": 2.0}, 6.0),
    ("2{x + 1}", {"x": 1.0}, 4.0),
    ("[x/2 + 1]*3", {"x": 1.0}, 4.5),
    ("µ*x", {"µ": 2.0, "x": 3.0}, 6.0),
])
def test_math_text_reads_as_meant(text, values, expected):
    assert compute(text, values).value == pytest.approx(expected, rel=1e-14)


def test_a_greek_name_is_an_option_too():
    result = run("γ*x**2", "--γ", "2", "--x", "3", "-q")
    assert result.exit_code == 0 and result.stdout.split() == ["18", "9", "12"]


MICRO, MU = "\u00b5", "\u03bc"     # the micro sign µ (a Latin-1 key) and Greek μ: NFKC twins


@pytest.mark.parametrize("written, given", [
    (MU, MICRO), (MICRO, MU), (MICRO, MICRO), (MU, MU),
    ("\u03d5", "\u03c6"), ("\u03c6", "\u03d5"),        # ϕ and φ
    ("\u03d1", "\u03b8"), ("\u03f5", "\u03b5"),        # ϑ and θ, ϵ and ε
])
def test_look_alike_greek_letters_are_one_name(written, given):
    # What a keyboard or a font gives for μ (the micro sign on a German or Latin-1 layout) is the same
    # letter as the text's, as Python's identifiers read it: in the text, as --NAME, --var, --wrt.
    folded = given.translate(str.maketrans(MICRO + "\u03d1\u03d5\u03f5", MU + "\u03b8\u03c6\u03b5"))
    result = run(f"{written}*x", f"--{given}", "0.5", "--x", "2")
    assert result.exit_code == 0, result.output
    assert f"∂z/∂{folded} = 2" in result.stdout
    assert sorted(run(f"{written}*x", "--var", f"{given}=0.5", "--x", "2", "-q").stdout.split()) == ["0.5", "1", "2"]
    assert run(f"{written}*x", f"--{given}", "0.5", "--x", "2", "--wrt", given, "-q").stdout.split() == ["2"]


def test_look_alike_letters_fold_in_points_sheets_and_the_api(tmp_path):
    points = tmp_path / "p.csv"
    points.write_text(f"{MICRO},x\n2,3\n", encoding="utf-8")
    result = run(f"{MU}*x", "--points", str(points))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1] == "2,3,6.0,3.0,2.0"
    lines = tmp_path / "p.jsonl"
    lines.write_text(f'{{"{MICRO}": 2, "x": 3}}\n{{"{MU}": 1, "x": 1}}\n', encoding="utf-8")
    result = run(f"{MU}*x", "--points", str(lines))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == ["2,3,6.0,3.0,2.0", "1,1,1.0,1.0,1.0"]
    assert compute(f"{MU} + {MICRO}", {MICRO: 2.0}).value == 4.0       # one variable, however written
    assert list(compute(f"{MICRO}**2", {MU: 3.0}).gradient) == [MU]
    missing = run(f"{MICRO}*x", "--x", "1")
    assert_error(missing, 2, f"no value for {MU}", "  ^")


def test_other_alphabets_stay_refused():
    # Cyrillic х looks like x: a name of it would silently be another variable.
    result = run("х + 1", "--x", "1")
    assert_error(result, 2, "unexpected character 'х'")
    assert "looks like 'x'" in result.stderr


def test_brackets_that_could_be_an_index_are_refused_with_both_readings():
    result = run("x[i+1]", "--x", "[1, 2]", "--i", "0")
    assert_error(result, 2, "x[i+1] can be read two ways")
    assert "for a product, write x*(i+1)" in result.stderr


@pytest.mark.parametrize("written, expected", [
    ("[2., 3.]", "5"), ("[.5, 1]", "1.5"), ("pi/4", "0.7853981634"), ("1/3", "0.3333333333"),
    ("2π", "6.283185307"), ("-e", "-2.718281828"), ("sqrt(2)/2", "0.7071067812"),
    ("[[pi, 1/2], [2., .5]]", "6.141592654"),
])
def test_values_as_people_type_them(written, expected):
    result = run("sum(a)", "--a", written, "-q")
    assert result.exit_code == 0 and result.stdout.splitlines()[0] == expected


@pytest.mark.parametrize("written, message", [
    ("x+1", "the value of --a is not a number: 'x+1'"),
    ("[1, y]", "the value of --a is not a number: 'y'"),
    ("1/0", "the value of --a, '1/0': division by zero"),
    ('[1, "a"]', "the value of a is not all numbers"),
])
def test_values_that_are_not_numbers_are_refused(written, message):
    assert_error(run("sum(a)", "--a", written), 2, message)


# -- products by a space and by names written together ----------------------------------------------------

def _sympy_check(text, values, oracle):
    """gradcalc's value and gradient against SymPy's for the oracle written with * and **."""
    symbols = {name: sp.Symbol(name, real=True) for name in values}   # real: Abs differentiates
    exact = sp.sympify(oracle, locals=symbols | {"E": sp.E, "pi": sp.pi})
    at = {symbols[name]: value for name, value in values.items()}
    found = compute(text, values)
    assert found.value == pytest.approx(float(exact.subs(at)), rel=1e-12), text
    for name, symbol in symbols.items():
        assert found.gradient[name] == pytest.approx(float(sp.diff(exact, symbol).subs(at)), rel=1e-10,
                                                     abs=1e-12), (text, name)
    return found


@pytest.mark.parametrize("text, values, oracle", [
    # a space between two names, or a name and a call, is a product
    ("x_1 x_2", {"x_1": 2.0, "x_2": 3.0}, "x_1*x_2"),
    ("A K^(1/4) L^(3/4)", {"A": 2.0, "K": 16.0, "L": 81.0}, "A*K**(1/4)*L**(3/4)"),
    ("y log (p)", {"y": 2.0, "p": 3.0}, "y*log(p)"),
    ("x tanh(x y)", {"x": 0.5, "y": 1.5}, "x*tanh(x*y)"),
    ("k q1 q2 / r^2", {"k": 8.99, "q1": 1.0, "q2": 2.0, "r": 0.5}, "k*q1*q2/r**2"),
    ("2x sin(x)", {"x": 0.7}, "2*x*sin(x)"),
    ("e^x sin(x)", {"x": 0.7}, "exp(x)*sin(x)"),
    # names written together, every piece given a value and the whole not: a power takes the last piece
    ("mv^2", {"m": 2.0, "v": 3.0}, "m*v**2"),
    ("cos(xy^2)", {"x": 0.5, "y": 1.5}, "cos(x*y**2)"),
    ("pr e^(2p + 3r)", {"p": 0.3, "r": 0.2}, "p*r*exp(2*p + 3*r)"),
    ("P = nRT/V", {"n": 1.0, "R": 8.314, "T": 300.0, "V": 0.024}, "n*R*T/V"),
    ("0.26(x^2 + y^2) - 0.48xy", {"x": 1.3, "y": 0.7}, "0.26*(x**2 + y**2) - 0.48*x*y"),
    ("x_1x_2 + αβ", {"x_1": 2.0, "x_2": 3.0, "α": 0.5, "β": 4.0}, "x_1*x_2 + α*β"),
    # a variable before ( multiplies: the gradient of the Rosenbrock function as a sheet's answer
    ("-2(1-x)-400x(y-x^2)", {"x": 0.5, "y": 1.5}, "-2*(1-x)-400*x*(y-x**2)"),
    ("2x(x+1)", {"x": 3.0}, "2*x*(x+1)"),
    ("a/b(c)", {"a": 1.0, "b": 2.0, "c": 3.0}, "(a/b)*c"),
    ("2^x(y)", {"x": 1.5, "y": 3.0}, "2**x*y"),
])
def test_products_without_star_match_sympy(text, values, oracle):
    _sympy_check(text, values, oracle)


def test_names_of_the_text_are_pieces_too():
    # f(x, y) = … lists its inputs and t = … assigns: those names are pieces without any value given.
    from gradcalc.parse import parse

    assert sorted(parse("f(x, y) = 3xy").variables) == ["x", "y"]
    assert sorted(parse("a = 2; b = 3; ab + 1").variables) == ["a", "b"]


def test_a_name_given_a_value_is_one_name():
    found = compute("xy + x", {"xy": 2.0, "x": 3.0, "y": 5.0})
    assert found.value == 5.0 and found.gradient["xy"] == 1.0


def test_a_name_cut_two_ways_is_refused_with_every_reading():
    result = run("xyz + 1", "--x", "1", "--y", "2", "--z", "3", "--xy", "4", "--yz", "5")
    assert_error(result, 2, "xyz can be read 3 ways: x·y·z or x·yz or xy·z", "  ^^^")
    assert "hint: write the product you mean with *: x*y*z, x*yz, xy*z" in result.stderr


def test_a_name_with_missing_pieces_stays_one_name():
    result = run("xy", "--x", "1")
    assert_error(result, 2, "no value for xy")


def test_a_product_that_readers_split_differently_gets_a_note():
    assert any("if b(…) is the denominator" in note for note in compute("a/b(c)", a=1, b=2, c=3).graph.notes)
    assert any("for the whole product as the exponent" in note
               for note in compute("2^x(y)", x=1, y=3).graph.notes)


def test_an_unknown_function_stays_refused():
    result = run("f(x)", "--x", "1")
    assert_error(result, 2, "unknown function 'f'", "  ^")
    assert "to multiply, write f*(...)" in result.stderr


# -- functions without parentheses --------------------------------------------------------------------

@pytest.mark.parametrize("text, oracle", [
    ("sin x", "sin(x)"),
    ("ln x", "log(x)"),
    ("log x^2", "log(x**2)"),                    # the power is inside, as books mean log x²
    ("sin 2x", "sin(2*x)"),                      # the product after it, up to an operator
    ("sin x cos x", "sin(x)*cos(x)"),            # another function ends the argument
    ("sin x ln x", "sin(x)*log(x)"),
    ("sin x / cos x", "sin(x)/cos(x)"),          # / ends it: (sin x)/(cos x) = tan x
    ("sin x + 1", "sin(x) + 1"),
    ("sin^2 x + cos^2 x", "sin(x)**2 + cos(x)**2"),
    ("sin^2(x)", "sin(x)**2"),
    ("sin²x", "sin(x)**2"),
    ("sin³(x + 1)", "sin(x + 1)**3"),
    ("sin^{2} x", "sin(x)**2"),
    ("2 sin x", "2*sin(x)"),
    ("-sin x", "-sin(x)"),
    ("ln ln (x + 3)", "log(log(x + 3))"),
    ("e^sin x", "exp(sin(x))"),
    ("exp x^2", "exp(x**2)"),
    ("sinx", "sin(x)"),                          # a function's name written onto a given name
    ("2xsin(x)", "2*x*sin(x)"),
    ("x sin x", "x*sin(x)"),
    ("sec^2 x - tan^2 x", "sec(x)**2 - tan(x)**2"),   # sec, csc, cot: functions like the others
    ("csc x cot x", "csc(x)*cot(x)"),
])
def test_functions_without_parentheses_match_sympy(text, oracle):
    _sympy_check(text, {"x": 0.7}, oracle)


@pytest.mark.parametrize("text, oracle", [
    ("sin^-1 x", "asin(x)"), ("sin^{-1} x", "asin(x)"), ("cos^(-1)(x)", "acos(x)"), ("tan⁻¹ x", "atan(x)"),
    ("tanh^-1(x)", "atanh(x)"), ("cot^-1 x", "acot(x)"),
])
def test_a_function_to_the_minus_one_is_its_inverse_with_a_note(text, oracle):
    found = _sympy_check(text, {"x": 0.5}, oracle)
    assert any("the inverse function, as textbooks mean it" in note for note in found.graph.notes)


def test_the_inverse_secant_and_cosecant_as_books_write_them():
    for text, oracle in (("sec^-1 x", "asec(x)"), ("csc^{-1}(x)", "acsc(x)"), ("arcsec x", "asec(x)")):
        _sympy_check(text, {"x": 2.5}, oracle)
        _sympy_check(text, {"x": -1.5}, oracle)


def test_a_function_given_a_value_is_a_variable_wherever_it_is_not_called():
    # --gamma 2: gamma is that variable, so gamma x is a product; --var 2: var is that variable where
    # it is not called, and var(x) still the function (PyTorch's and SciPy's parameter names).
    assert compute("gamma x", gamma=2.0, x=3.0).value == 6.0
    found = compute("var x + np.var(v)", var=2.0, x=3.0, v=[1.0, 3.0])
    assert found.value == 6.0 + 1.0 and found.gradient["var"] == 3.0


@pytest.mark.parametrize("text, message, hint", [
    ("sin^(1/2) x", "sin^(1/2) x has no one reading", "for another, write sin(...)**(1/2)"),
    ("sin^-2 x", "sin^-2 has no one reading", "write sin(x)**-2"),
    ("relu^-1 x", "relu is a function", "gradcalc has no inverse of relu"),
    ("sin", "sin is a function", "call it: sin(...)"),
    ("sin -x", "sin is a function", "call it: sin(...)"),     # a sign starts no argument: erf + 1
    ("erf + 1", "erf is a function", "call it: erf(...)"),
])
def test_function_forms_without_one_reading_are_refused(text, message, hint):
    result = run(text, "--x", "0.5")
    assert_error(result, 2, message)
    assert hint in result.stderr


# -- the transpose ------------------------------------------------------------------------------------

def test_x_to_the_t_is_the_transpose_unless_t_is_a_variable():
    X = [[1.0, 2.0], [3.0, 4.0]]
    assert compute("sum(X^T @ [1, 0])", X=X).value == 3.0
    assert compute("sum(Xᵀ @ [1, 0])", X=X).value == 3.0
    assert compute("sum(X^{T} @ [1, 0])", X=X).value == 3.0
    assert compute("x^T", x=2.0, T=3.0).value == 8.0


# -- the fast driver and Lark read math text alike ---------------------------------------------------------

@pytest.mark.parametrize("text", ["sin^2 x + xy", r"\frac{x}{y} \cdot \sin x", "2x(x+1) - sin x cos x",
                                  r"\frac{1}{x", "sin x +", "xyz", "X^T", "log_3 x + log_y(x)^2"])
def test_lark_reads_math_text_as_the_driver_does(monkeypatch, text):
    import importlib

    parse_module = importlib.import_module("gradcalc.parse")
    names = {"x", "y", "z", "xy", "yz", "X"} if text == "xyz" else {"x", "y", "X"}

    def outcome():
        try:
            graph = parse_module.parse(text, names=names)
            return [(n.op, n.inputs, n.span) for n in graph.nodes], sorted(graph.variables), graph.notes
        except Exception as error:   # noqa: BLE001 - the error itself is compared
            return type(error).__name__, str(error), getattr(error, "span", None), getattr(error, "hint", None)

    fast = outcome()
    monkeypatch.setattr(parse_module, "_tables", lambda: None)
    assert outcome() == fast


# -- functions defined in the text and called later; y = f(x) = … -----------------------------------------

def test_a_function_defined_in_the_text_is_evaluated_where_called():
    # The Black-Scholes call as notes write it: N(x) defined, then N(d1) and N(d2); against SymPy.
    S, K, r, s, T = sp.symbols("S K r s T", positive=True)
    N = lambda x: (1 + sp.erf(x / sp.sqrt(2))) / 2     # noqa: E731
    d1 = (sp.log(S / K) + (r + s ** 2 / 2) * T) / (s * sp.sqrt(T))
    d2 = d1 - s * sp.sqrt(T)
    exact = S * N(d1) - K * sp.exp(-r * T) * N(d2)
    point = {"S": 100.0, "K": 95.0, "r": 0.05, "s": 0.2, "T": 0.5}
    text = ("N(x) = (1 + erf(x/sqrt(2)))/2\nd1 = (log(S/K) + (r + s^2/2)T)/(s sqrt(T))\n"
            "d2 = d1 - s sqrt(T)\nC = S N(d1) - K e^(-rT) N(d2)")
    found = compute(text, point)
    at = {sp.Symbol(name, positive=True): value for name, value in point.items()}
    assert found.value == pytest.approx(float(exact.subs(at)), rel=1e-12)
    for name in point:
        expected = float(sp.diff(exact, sp.Symbol(name, positive=True)).subs(at))
        assert found.gradient[name] == pytest.approx(expected, rel=1e-9), name
    assert "x" not in found.gradient     # the parameter is no input


@pytest.mark.parametrize("text, values, value, gradient", [
    ("f(x) = x^2; f(3y)", {"y": 1.0}, 9.0, {"y": 18.0}),
    ("g(a, b) = a b + 1\ng(y, 2) + g(2, y)", {"y": 3.0}, 14.0, {"y": 4.0}),
    ("f(x) = x^2", {"x": 3.0}, 9.0, {"x": 6.0}),                 # not called: the output f of x
    ("f(x) = sin^2 x; f(2y)", {"y": 0.5}, 0.7080734182735712, {"y": 1.8185948536513634}),   # math text body
    ("g(a, b) = 3ab; g(y, 2)", {"y": 1.5}, 9.0, {"y": 6.0}),
])
def test_defined_functions(text, values, value, gradient):
    found = compute(text, values)
    assert found.value == pytest.approx(value)
    for name, expected in gradient.items():
        assert found.gradient[name] == pytest.approx(expected)


def test_a_chain_of_names_is_the_formula_named_by_the_first():
    found = compute("y = f(x) = x^3 - 1/x", x=2.0)
    assert found.graph.output_name == "y" and found.value == 7.5 and found.gradient["x"] == 12.25
    assert any("is read as y(x) = …" in note for note in found.graph.notes)


# -- formula answers are read by the same parse, with the problem's variables as the given names ----------

ROSENBROCK_CLASS = """\
[[problem]]
id = "rosen"
expression = "(1 - x)^2 + 100(y - x^2)^2"
at = { x = 0.5, y = 1.5 }
answers = ["x", "y"]

[[problem]]
id = "ke"
expression = "1/2 mv^2"
at = { m = 2, v = 3 }
answers = ["m", "v"]
"""


def test_a_class_grades_math_text_answers():
    from gradcalc.classroom import grade_class, load_class_sheet, read_answers

    loaded = load_class_sheet(ROSENBROCK_CLASS, "sheet.toml")
    answers = ('student,rosen.x,rosen.y,ke.m,ke.v\n'
               'Ada,-2(1-x)-400x(y-x^2),200(y - x^2),v^2/2,mv\n'
               'Bob,-2(1-x)-400x(y-x^2),200y,1/2 v^2,2mv\n')
    book = grade_class(loaded, read_answers(answers, loaded, "answers.csv"))
    assert [m.ok for m in book.students[0].marks] == [True, True, True, True]
    assert [m.ok for m in book.students[1].marks] == [True, False, True, False]


def test_a_sheet_and_expect_read_math_text_answers(tmp_path):
    sheet = tmp_path / "sheet.toml"
    sheet.write_text('[[problem]]\nexpression = "1/2 mv^2"\nat = { m = 2, v = 3 }\n'
                     '[problem.expect]\nm = "v^2/2"\nv = "mv"\n', encoding="utf-8")
    assert run("check", str(sheet)).exit_code == 0
    assert run("1/2 m v^2", "--m", "2", "--v", "3", "--expect", "v=mv", "-q").exit_code == 0
    assert run("1/2 m v^2", "--m", "2", "--v", "3", "--expect", "v=2mv", "-q").exit_code == 1


# -- |x| -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, values, oracle", [
    ("|x - 1|", {"x": 0.5}, "Abs(x - 1)"),
    ("|x|^2 + 2|y|", {"x": -2.0, "y": -1.0}, "Abs(x)**2 + 2*Abs(y)"),
    ("|sin(x)| y", {"x": -1.0, "y": 3.0}, "Abs(sin(x))*y"),
    ("sin |x|", {"x": -1.0}, "sin(Abs(x))"),
    ("|(x + 1)(y - 2)|", {"x": 0.5, "y": 1.0}, "Abs((x + 1)*(y - 2))"),
])
def test_bars_are_abs(text, values, oracle):
    _sympy_check(text, values, oracle)


@pytest.mark.parametrize("text, message", [
    ("||x| - |y||", "||…| can be read two ways: a norm, or bars inside bars"),
    ("|a|b|c|", "bars around bars can be read two ways here"),
    ("|x + 1", "a | is never closed"),
])
def test_bars_without_one_reading_are_refused(text, message):
    result = run(text, "--x", "1", "--a", "1", "--b", "1", "--c", "1")
    assert_error(result, 2, message)
    assert "hint: write" in result.stderr


# -- a logarithm's base written as a subscript -------------------------------------------------------------
@pytest.mark.parametrize("text, values, oracle", [
    ("log_2 x", {"x": 8.0}, "log(x, 2)"),
    ("log_{2}(x)", {"x": 8.0}, "log(x, 2)"),
    (r"\log_2 x", {"x": 8.0}, "log(x, 2)"),
    (r"\log_{10} x + 1", {"x": 5.0}, "log(x, 10) + 1"),
    ("log₂ x", {"x": 8.0}, "log(x, 2)"),
    ("log₁₀(x)", {"x": 5.0}, "log(x, 10)"),
    ("log_10 x^2", {"x": 5.0}, "log(x ** 2, 10)"),
    ("log_e x", {"x": 5.0}, "log(x)"),
    ("log_3 x^2 + 1", {"x": 5.0}, "log(x ** 2, 3) + 1"),
    ("log_3(x)*2", {"x": 5.0}, "2 * log(x, 3)"),
    ("2^log_3 x", {"x": 5.0}, "2 ** log(x, 3)"),
    ("log_3^2 x", {"x": 5.0}, "log(x, 3) ** 2"),
    ("log_2 x log_2 x", {"x": 5.0}, "log(x, 2) ** 2"),
])
def test_a_subscript_on_log_is_its_base(text, values, oracle):
    _sympy_check(text, values, oracle)
    assert any("the logarithm to base" in note for note in compute(text, values).graph.notes)


def test_a_variable_base_is_an_input_of_the_log():
    found = compute("log_b x", {"x": 8.0, "b": 2.0})
    assert found.value == pytest.approx(3.0, rel=1e-15)
    assert found.gradient["b"] == pytest.approx(-3.0 / (2 * np.log(2)), rel=1e-14)
    result = run("log_b(x)", "--x", "8")        # the base is read, and asked for where it stands
    assert_error(result, 2, "no value for b", "      ^")


@pytest.mark.parametrize("text, args, expected", [
    ("log_2 x", ["--log_2", "3", "--x", "2"], ["6", "2", "3"]),          # a variable log_2 given a value
    ("log_2 = 3; log_2 x", ["--x", "2"], ["6", "3", "2"]),                    # assigned in the text
    ("f(log_2, x) = log_2 x", ["--x", "2", "--log_2", "3"], ["6", "3", "2"]),   # listed as an input
    ("log_{2} + 1", ["--log_2", "3"], ["4", "1"]),
    ("x_{1} + 1", ["--x_1", "2"], ["3", "1"]),                               # any subscript in braces
])
def test_a_name_that_is_a_variable_stays_one(text, args, expected):
    result = run(text, *args, "-q")
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == expected


@pytest.mark.parametrize("text, hint", [
    ("log_2 + x", "give --log_2 VALUE; for the logarithm to base 2 of x, write log_2(x) or log2(x)"),
    ("lg x", "give --lg VALUE; lg is log10 in ISO 80000 and log2 in computer science: write log10(x) or log2(x)"),
    ("log_prob x", "give --log_prob VALUE\n"),                        # a variable's name: no logarithm offered
])
def test_a_log_name_without_a_value_says_both_readings(text, hint):
    if text == "lg x":     # LaTeX's \lg is refused the same way, where it was read as log10
        latex = run(r"\lg x", "--x", "2")
        assert_error(latex, 2, r"\lg has two readings: log10 (ISO 80000) and log2 (computer science)", "  ^^^")
        assert r"hint: write \log_{10} x or \log_2 x" in latex.stderr
    result = run(text, "--x", "2")
    assert_error(result, 2, "no value for")
    assert hint in result.stderr


# -- a prime on a function's name: a derivative, which gradcalc computes rather than reads ---------------
@pytest.mark.parametrize("text, message, caret, hint", [
    ("f(x) = x^2; f'(x)", "f'(…) is the derivative of f", "              ^^",
     'run gradcalc "f(x) = x^2" --x VALUE and read ∂f/∂x'),
    ("f(x) = x^2; f’(2)", "f’(…) is the derivative of f", "              ^^",
     'run gradcalc "f(x) = x^2" --x 2 and read ∂f/∂x'),
    ("f(x) = x^2\nf′(2)", "f′(…) is the derivative of f", "          ^^", 'gradcalc "f(x) = x^2" --x 2'),
    ("f(x) = x^3; f''(x)", "f''(…) is the second derivative of f", "              ^^^",
     'run gradcalc "f(x) = x^3" --x VALUE --order 2 and read d²f/dx²'),
    ("f(x) = x^3; f″(1)", "f″(…) is the second derivative of f", "              ^^", "--x 1 --order 2"),
    ("sin'(x)", "sin'(…) is the derivative of sin", "  ^^^^", 'run gradcalc "sin(x)" --x VALUE and read ∂z/∂x'),
    ("f(x)=x^2; g = f(x) + f'(x)", "f'(…) is the derivative of f", "                       ^^",
     'write its formula out (gradcalc "f(x) = x^2" --x VALUE --symbolic prints it)'),
    ("f(w, x) = w*x; f'(x)", "f'(…) is the derivative of f", "                 ^^",
     "f has 2 inputs (w, x), so f' names no one derivative; gradcalc computes each: run gradcalc "
     '"f(w, x) = w*x" --w VALUE --x VALUE and read ∂f/∂w and ∂f/∂x'),
    ("import numpy as np\ny' = 2*x", "y' is a derivative", "          ^^",
     "write the function itself (y(x) = …) and read ∂y/∂x"),           # pasted Python: no formula's name
])
def test_a_prime_is_a_derivative_refused_with_how_to_ask_for_it(text, message, caret, hint):
    result = run(text, "--x", "2")
    assert_error(result, 2, message, caret)
    assert hint in result.stderr
    assert ".T" not in result.stderr and "Octave" not in result.stderr     # never the transpose's retyping


@pytest.mark.parametrize("text, name, value, gradient", [
    (r"$f’(x) = \sigma(x)(1 - \sigma(x))$", "f′", 0.2350037122, -0.05755679485),   # rohit.vision's notes
    ("y' = 2x", "y′", 1.0, 2.0),
    ("f″(x) = 6x", "f′′", 3.0, 6.0),
    ("f''(x) = 6x", "f′′", 3.0, 6.0),
])
def test_a_formula_named_with_a_prime_is_read_as_written(text, name, value, gradient):
    # The formula of a derivative as notes print it: computed as written, named f′; f is never read.
    result = run(text, "--x", "0.5", "-q")
    assert result.exit_code == 0, result.output
    assert [float(v) for v in result.stdout.split()] == pytest.approx([value, gradient], rel=1e-9)
    assert f"is read as the formula it writes, named {name}" in result.stderr
    assert f"∂{name}/∂x" in run(text, "--x", "0.5").stdout


def test_the_hint_for_a_prime_computes_the_derivative():
    # What the hint says to run gives f'(2) and f''(2) of f(x) = x^3: 12 and 12.
    assert run("f(x) = x^3", "--x", "2", "-q").stdout.split() == ["8", "12"]
    rows = [line.split() for line in run("f(x) = x^3", "--x", "2", "--order", "2").stdout.splitlines()]
    assert ["2", "d²f/dx²", "12"] in rows


def test_octaves_transpose_keeps_its_hint():
    result = run("A'*B", "--A", "[[1]]", "--B", "[[2]]")
    assert_error(result, 2, "unexpected character", "   ^")
    assert "write A.T*B" in result.stderr


@pytest.mark.parametrize("args, hint", [
    (["--w_0", "1", "--x_0", "2.5"], "w_0 and x_0 were given: for the point where f is evaluated, give their "
                                     "values to the inputs: --w 1 --x 2.5"),
    (["--w0", "[1, 2]", "--x", "[1, 2]"], 'w0 was given: for the point where f is evaluated, give its value to '
                                          'the input: --w "[1, 2]"'),
    (["--w₀", "3", "--x", "1"], "--w 3"),
])
def test_values_given_for_the_point_name_the_inputs(args, hint):
    # A textbook's "f(w, x) = w·x at (w₀, x₀) = (1, 2.5)" typed as --w_0 1 --x_0 2.5.
    result = run("f(w, x) = sum(w*x)", *args)
    assert_error(result, 2, "no value for w", "    ^")
    assert hint in result.stderr and "did you mean" not in result.stderr


@pytest.mark.parametrize("text", [r"f(w,x) = \frac{1}{1+e^{-(w_0x_0 + w_1x_1 + w_2)}}",
                                  "f(w,x) = 1/(1+exp(-(w_0*x_0 + w_1*x_1 + w_2)))"])
def test_a_head_listing_vectors_has_their_components_as_inputs(text):
    # CS231n's neuron: f(w, x) over w_0, x_0, … (the notes' own numbers: ∂f/∂w_0 = -0.2, ∂f/∂x_0 = 0.39).
    at = {"w_0": 2.0, "w_1": -3.0, "w_2": -3.0, "x_0": -1.0, "x_1": -2.0}
    found = _sympy_check(text, at, "1/(1+exp(-(w_0*x_0 + w_1*x_1 + w_2)))")
    assert sorted(found.graph.variables) == sorted(at)
    assert any("lists w, x, and the formula uses their components" in note for note in found.graph.notes)


def test_a_head_whose_vectors_are_given_keeps_them():
    result = run("f(w,x) = w_0*x_0", "--w_0", "2", "--x_0", "1", "--w", "1", "--x", "1", "-q")
    assert result.stdout.split() == ["2", "1", "2", "0", "0"]      # w and x: inputs of gradient 0


# Two arrays written side by side, or with a centred dot, multiply as matrices, as notes mean Wx and
# xᵀAx; written with * they stay numpy's elementwise product.
W, X, A, Y, B = [[1.0, 2.0], [3.0, 4.0]], [1.0, 2.0], [[2.0, 1.0], [1.0, 3.0]], [0.5, -1.0], [0.1, -0.2]


@pytest.mark.parametrize("text, oracle", [
    ("Wx", lambda W, x, A, y, b: W @ x),
    ("W x", lambda W, x, A, y, b: W @ x),
    (r"W \cdot x", lambda W, x, A, y, b: W @ x),
    ("W·x + b", lambda W, x, A, y, b: W @ x + b),
    ("x^T A x", lambda W, x, A, y, b: x @ A @ x),
    ("xᵀy", lambda W, x, A, y, b: x @ y),
    ("x·y", lambda W, x, A, y, b: x @ y),
    (r"sum(\tanh(W x + b))", lambda W, x, A, y, b: np.sum(np.tanh(W @ x + b))),
    ("W A x", lambda W, x, A, y, b: W @ A @ x),
    ("W*x", lambda W, x, A, y, b: W * x),
    ("2Wx", lambda W, x, A, y, b: 2 * W @ x),
])
def test_arrays_written_side_by_side_are_a_matrix_product(text, oracle):
    values = {"W": W, "x": X, "A": A, "y": Y, "b": B}
    arrays = {k: np.array(v) for k, v in values.items()}
    used = {k: v for k, v in values.items() if k in text.replace("\\tanh", "").replace("sum", "")}
    found = compute(text, used)
    assert np.allclose(found.value, oracle(*arrays.values()), rtol=1e-14)
    for name in used:
        def f(a, name=name):
            return np.sum(oracle(*{**arrays, name: a}.values()))
        assert np.allclose(found.gradient[name], central_differences(f, arrays[name]), atol=1e-6)


def test_a_product_read_as_matrices_says_so_once():
    result = run("x^T A x", "--x", "[1, 2]", "--A", "[[2, 1], [1, 3]]", "-q")
    assert result.exit_code == 0 and result.stdout.split()[0] == "18"
    notes = [line for line in result.stderr.splitlines() if "multiply as matrices" in line]
    assert len(notes) == 1 and "x^T A is read as x^T@A, the matrix product" in notes[0]
    assert "for the elementwise product write x^T*A" in notes[0]


def test_two_vectors_side_by_side_are_refused_with_both_readings():
    result = run("x y", "--x", "[1, 2]", "--y", "[3, 4]")
    assert_error(result, 2, "x y writes two vectors side by side")
    assert "hint: for their dot product write x@y, for the elementwise product x*y" in result.stderr


def test_scalars_side_by_side_are_still_a_product():
    assert compute("a b x", {"a": 2.0, "b": 3.0, "x": [1.0, 2.0]}).value.tolist() == [6.0, 12.0]


# -- names written together: the product is said, and so is the other reading -------------------------
@pytest.mark.parametrize("text, args, note", [
    ("x + yy", ["--x", "1", "--y", "2"], "yy is read as y·y"),
    ("mv^2/2", ["--m", "2", "--v", "3"], "mv is read as m·v"),
    ("P = nRT/V", ["--n", "1", "--R", "8.3", "--T", "300", "--V", "2"], "nRT is read as n·R·T"),
])
def test_names_written_together_are_noted_with_the_other_reading(text, args, note):
    shown = run(text, *args)
    assert shown.exit_code == 0, shown.output
    name = note.split()[0]
    assert f"note: {note}: names written together multiply when each piece has a value and the whole has " \
           f"none; if {name} is a variable of its own, give --{name} VALUE" in shown.stdout + shown.stderr
    quiet = run(text, *args, "-q")            # -q keeps stdout to the numbers, and says it on stderr
    assert note in quiet.stderr


def test_a_function_piece_is_no_product_to_note():
    assert not any("read as" in note for note in compute("sinx", x=1.0).graph.notes)


@pytest.mark.parametrize("text, args, hint", [
    ("y + yy", [], "give --y VALUE --yy VALUE; if yy is y·y, give --y VALUE and not --yy (yy is then read as y·y)"),
    ("x*2 + xy", ["--y", "1"], "if xy is x·y, give --x VALUE and not --xy (xy is then read as x·y)"),
])
def test_a_missing_name_that_may_be_a_product_says_both_readings(text, args, hint):
    result = run(text, *args)
    assert_error(result, 2, "no value for")
    assert hint in result.stderr


def test_pasted_python_never_cuts_names_so_offers_no_product():
    result = run("import numpy as np\nx*2 + xy", "--y", "1")
    assert_error(result, 2, "no value for x, xy")
    assert "read as" not in result.stderr


# -- lecture-note notation: accented names, vulgar fractions, font commands ----------------------------------
def test_squared_error_with_a_hat_matches_sympy_whichever_way_it_is_written():
    # ½(y − ŷ)² from ML notes: ŷ precomposed (U+0177), y + U+0302 and LaTeX \hat{y} are all the name y_hat.
    y, y_hat = sp.symbols("y y_hat")
    exact = sp.Rational(1, 2) * (y - y_hat) ** 2
    point = {y: 1.0, y_hat: 0.3}
    for text in ("L = ½(y − \u0177)²", "L = ½(y − y\u0302)²", r"L = \frac{1}{2}(y - \hat{y})^2",
                 r"L = \tfrac12 (y - \widehat{y})^2"):
        found = compute(text, {"y": 1.0, "y_hat": 0.3})
        assert found.value == pytest.approx(float(exact.subs(point)), rel=1e-14), text
        assert found.gradient["y_hat"] == pytest.approx(float(sp.diff(exact, y_hat).subs(point)), rel=1e-14)
        assert found.gradient["y"] == pytest.approx(float(sp.diff(exact, y).subs(point)), rel=1e-14)


@pytest.mark.parametrize("text, name", [
    ("x\u0304", "x_bar"), ("\u0233", "y_bar"), ("\u1e8b", "x_dot"), ("x\u0303", "x_tilde"), ("θ\u0302", "θ_hat"),
    (r"\bar{x}", "x_bar"), (r"\overline{x}", "x_bar"), (r"\dot x", "x_dot"), (r"\ddot{x}", "x_ddot"),
    (r"\tilde{x}", "x_tilde"), (r"\hat{\theta}", "θ_hat"),
])
def test_an_accented_letter_is_the_name_with_its_accent_spelled(text, name):
    found = compute(f"3*{text}**2", {name: 2.0})
    assert found.value == 12.0 and found.gradient == {name: 12.0}


def test_an_option_typed_with_its_accent_is_the_name_the_text_reads():
    # ŷ in the text is y_hat, so --ŷ (precomposed or y + U+0302) is --y_hat; so with θ̂ and ŷ_1.
    for option in ("--\u0177", "--y\u0302", "--y_hat", "--var=\u0177=0.5"):
        given = [option, "0.5"] if not option.startswith("--var") else [option]
        result = run("½(y − ŷ)²", "--y", "1", *given, "-q")
        assert result.exit_code == 0 and result.stdout.split() == ["0.125", "0.5", "-0.5"], (option, result.output)
    result = run(r"\hat{\theta}^2 + ŷ_1", "--θ\u0302", "3", "--\u0177_1=2", "-q")
    assert result.exit_code == 0 and result.stdout.split() == ["11", "6", "1"], result.output
    assert_error(run("ŷ", "--ŷ", "1", "--y_hat", "2"), 2, "--y_hat is given twice")
    result = run("ŷ*y", "--ŷ", "2", "--y", "3", "--wrt", "ŷ", "--expect", "ŷ=3", "--plain")
    assert result.exit_code == 0 and "∂z/∂y_hat = 3" in result.stdout, result.output


def test_another_alphabet_and_an_accent_over_two_letters_stay_refused():
    assert_error(run("\u0445 + 1", "--x", "1"), 2, "unexpected character")       # Cyrillic х
    assert_error(run("x + 1", "--\u0436", "1"), 2, "ASCII or Greek")
    assert_error(run(r"\hat{xy}", "--x", "1", "--y", "1"), 2, r"\hat over more than one letter")


@pytest.mark.parametrize("fraction, value", [("½", 0.5), ("⅓", 1 / 3), ("¼", 0.25), ("¾", 0.75), ("⅔", 2 / 3)])
def test_a_vulgar_fraction_is_that_number_in_parentheses(fraction, value):
    # ½x² is (1/2)·x²: d/dx = x
    found = compute(f"{fraction}x²", {"x": 3.0})
    assert found.value == pytest.approx(9 * value, rel=1e-15)
    assert found.gradient["x"] == pytest.approx(6 * value, rel=1e-15)


def test_a_font_around_a_letter_is_the_letter():
    W, x, theta = sp.symbols("W x theta")
    exact = W * x ** 2 + sp.sin(theta)
    point = {W: 1.5, x: 2.0, theta: 0.4}
    text = r"\mathcal{L} = \mathbf{W} \boldsymbol{x}^2 + \sin(\bm{\theta}) + 0\mathrm{d}"
    found = compute(text, {"W": 1.5, "x": 2.0, "θ": 0.4, "d": 7.0})
    assert found.value == pytest.approx(float(exact.subs(point)), rel=1e-14)
    for name, symbol in (("W", W), ("x", x), ("θ", theta)):
        assert found.gradient[name] == pytest.approx(float(sp.diff(exact, symbol).subs(point)), rel=1e-14)


def test_an_ellipsis_sum_inside_sized_brackets_ends_its_last_term_before_right():
    # \right is the bracket's, not the last term's: w_d x_d \right was not written like w_1 x_1
    result = compute(r"\hat{y} = 2\left(w_1 x_1 + \cdots + w_d x_d\right) + b",
                     {"w": np.array([1.0, 2.0]), "x": np.array([3.0, 4.0]), "b": 1.0})
    assert float(result.value) == 2 * (1 * 3 + 2 * 4) + 1
    assert result.gradient["w"].tolist() == [6.0, 8.0] and result.gradient["x"].tolist() == [2.0, 4.0]
